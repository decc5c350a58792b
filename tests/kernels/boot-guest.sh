# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # shared with kmatrix.sh
# Sourced by kmatrix.sh for a kernel of the matrix: fetch the kernel
# package (or take it from the cache), build the initramfs around
# guest-init.sh and run-tests.sh with the host-built tests, and boot it
# once under qemu.  The guest's report lands in $RESULTS, its console in
# $CONSOLE; sets kpkg, kver, qrc and boot_secs for the report.

# --- the kernel --------------------------------------------------------------
# resolve_package: the image package that the newest SERIES.* version of
# META depends on, from apt's lists; empty when apt does not know.
resolve_package() {
	local ver
	ver=$(apt-cache madison "$meta" 2>/dev/null |
	    awk -F'|' -v s="$series." '{ gsub(/ /, "", $2) }
	        index($2, s) == 1 { print $2 }' | sort -V | tail -n 1)
	[ -n "$ver" ] || return 0
	apt-cache depends "$meta=$ver" 2>/dev/null |
	    awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

# fetch PACKAGE: download and unpack PACKAGE into $CACHE/PACKAGE/ unless
# it is there already.
fetch() {
	local pkg=$1 dir=$CACHE/$1 deb tmp
	[ -f "$dir/vmlinuz" ] && return 0
	(
		flock 9
		[ -f "$dir/vmlinuz" ] && exit 0
		tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX") || exit 1
		trap 'rm -rf "$tmp"' EXIT
		(cd "$tmp" && apt-get download -q "$pkg" 2>&1) || exit 1
		deb=$(ls "$tmp"/*.deb) || exit 1
		mkdir -p "$tmp/x" &&
		    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" ./boot &&
		    mkdir -p "$tmp/k" &&
		    cp "$tmp"/x/boot/vmlinuz-* "$tmp/k/vmlinuz" &&
		    cp "$tmp"/x/boot/config-* "$tmp/k/config" &&
		    dpkg-deb -f "$deb" Package Version > "$tmp/k/package" &&
		    echo "$series" > "$tmp/k/series" &&
		    mv "$deb" "$CACHE/" &&
		    rm -rf "$dir" && mv "$tmp/k" "$dir"
	) 9> "$CACHE/.lock-$pkg"
}

mkdir -p "$CACHE" 2>/dev/null
[ -w "$CACHE" ] ||
    skip "kernel cache $CACHE is not writable (set LP_KERNEL_CACHE)"
pkg=$(resolve_package)
kdir=
if [ -n "$pkg" ]; then
	if fetch "$pkg"; then
		kdir=$CACHE/$pkg
	else
		echo "kmatrix: apt-get download $pkg failed; trying the cache"
	fi
else
	echo "kmatrix: apt knows no $meta version $series.* (is its source configured? run apt-get update); trying the cache"
fi
if [ -z "$kdir" ]; then
	# the newest kernel of this series already in the cache
	for d in "$CACHE"/linux-image-*/; do
		[ -f "$d/vmlinuz" ] && [ "$(cat "$d/series" 2>/dev/null)" = "$series" ] &&
		    echo "$(sed -n 's/^Version: //p' "$d/package") ${d%/}"
	done | sort -V | tail -n 1 > "$CACHE/.pick-$name.$$"
	kdir=$(cut -d' ' -f2- "$CACHE/.pick-$name.$$")
	rm -f "$CACHE/.pick-$name.$$"
	[ -n "$kdir" ] || skip "no $series kernel: apt cannot get $meta $series.* and $CACHE has none"
fi
kpkg=$(sed -n 's/^Package: //p' "$kdir/package")
kver=$(sed -n 's/^Version: //p' "$kdir/package")
echo "kmatrix: $name: $kpkg $kver (cached in $kdir)"

# --- the initramfs -----------------------------------------------------------
ROOT=$WORK/root
# merged /usr as on Debian: host programs and libraries keep their paths,
# and busybox --install (guest-init.sh) does not replace a host program
mkdir -p "$ROOT"/usr/{bin,sbin,lib,lib64} "$ROOT"/{etc,lp,proc,sys,dev,tmp,run} \
    "$ROOT"/var/lib/lockprobe || fail "mkdir $ROOT"
for d in bin sbin lib lib64; do
	ln -s "usr/$d" "$ROOT/$d" || fail "ln $ROOT/$d"
done

# copy_libs FILE: the shared libraries FILE needs, and the dynamic loader,
# at the paths ldd names (nothing for a static program or a script).
copy_libs() {
	local lib
	ldd "$1" 2>/dev/null | awk '
	    $2 == "=>" && $3 ~ /^\// { print $3 }
	    $1 ~ /^\// { print $1 }' | while read -r lib; do
		[ -e "$ROOT$lib" ] && continue
		mkdir -p "$ROOT$(dirname "$lib")" && cp -L "$lib" "$ROOT$lib" ||
		    exit 1
	done
}

BUSYBOX=$(command -v busybox)
cp "$BUSYBOX" "$ROOT/bin/busybox" || fail "copying busybox"
copy_libs "$BUSYBOX" || fail "copying busybox's libraries"
cp "$KDIR/guest-init.sh" "$ROOT/init" || fail "copying guest-init.sh"
chmod 755 "$ROOT/init"
cat > "$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
_lockprobe:x:100:101:lockprobe-netd:/var/lib/lockprobe:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > "$ROOT/etc/group" <<'EOF'
root:x:0:
_lockprobe:x:101:
nogroup:x:65534:
EOF
echo "127.0.0.1 localhost lp-guest" > "$ROOT/etc/hosts"
# netd's resolver reads it at start (a loopback server: no network)
echo "nameserver 127.0.0.1" > "$ROOT/etc/resolv.conf"
{
	echo "CI='${CI:-}'"
	echo "top_builddir=/lp"
	echo "top_srcdir=/lp"
	echo "LP_GUEST_TEST_TIMEOUT='${LP_GUEST_TEST_TIMEOUT:-600}'"
	# knobs of the guest tests, passed through when set
	for v in LP_DEBUG LP_SPIN_ROUNDS LP_SPIN_DEBUG; do
		[ -n "${!v:-}" ] && echo "export $v='${!v}'"
	done
} > "$ROOT/lp/guest.env"

# add_file PATH: a file of the build tree (or, failing that, of the source
# tree) at /lp/PATH in the guest, with the libraries it needs.
add_file() {
	local from=$top_builddir/$1
	[ -e "$from" ] || from=$top_srcdir/$1
	[ -e "$from" ] || return 1
	mkdir -p "$ROOT/lp/$(dirname "$1")" &&
	    cp -R "$from" "$ROOT/lp/$1" &&
	    copy_libs "$from"
}

# add_host_program NAME: the host's program NAME (Debian's, from the
# system directories: not a shim of the user's PATH) at the same path in
# the guest, with its libraries.
add_host_program() {
	local path
	path=$(PATH=/usr/bin:/usr/sbin:/bin:/sbin command -v "$1") || return 1
	mkdir -p "$ROOT$(dirname "$path")" &&
	    cp -L "$path" "$ROOT$path" &&
	    copy_libs "$path"
}

# add_python_modules MODULE...: the modules of the host's python3 that
# importing MODULE... loads (and what python3 loads to start), with their
# compiled forms and the extension modules' libraries.
add_python_modules() {
	local f
	/usr/bin/python3 - "$@" > "$WORK/python-files" <<'PY' || return 1
import importlib, importlib.util, os, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
files = set()
for mod in list(sys.modules.values()):
    f = getattr(mod, "__file__", None)
    if not f:
        continue
    files.add(f)
    if f.endswith(".py"):
        files.add(importlib.util.cache_from_source(f))
# codecs are looked up by name at run time
enc = os.path.dirname(sys.modules["encodings"].__file__)
for n in os.listdir(enc):
    if n.endswith(".py"):
        files.add(os.path.join(enc, n))
for f in sorted(files):
    if os.path.isfile(f):
        print(f)
PY
	while read -r f; do
		mkdir -p "$ROOT$(dirname "$f")" && cp -L "$f" "$ROOT$f" ||
		    return 1
		case $f in *.so) copy_libs "$f" || return 1 ;; esac
	done < "$WORK/python-files"
}

for f in "${guest_files[@]}" tests/kernels/run-tests.sh; do
	add_file "$f" ||
	    fail "guest file $f: not in the build or source tree"
done
for f in "${host_programs[@]}"; do
	add_host_program "$f" ||
	    skip "the guest tests need $f, which this host lacks"
done
add_python_modules "${python_modules[@]}" ||
    fail "copying python3 modules (${python_modules[*]}) into the initramfs"
for tname in "${tests[@]}"; do
	add_file "${command[$tname]%% *}" ||
	    fail "copying ${command[$tname]%% *} into the initramfs"
	echo "$tname ${command[$tname]}" >> "$ROOT/lp/guest-tests"
done

(cd "$ROOT" && find . | cpio -o -H newc --quiet) > "$WORK/initramfs.cpio" ||
    fail "cpio"
echo "kmatrix: initramfs $(du -k "$WORK/initramfs.cpio" | cut -f1) KiB, ${#tests[@]} guest tests (prepared in $(elapsed) s)"

# --- boot it once --------------------------------------------------------------
# softlockup_panic: a CPU stuck in the kernel ends the boot at once, with
# its stack on the console (loglevel 5), instead of at QEMU_TIMEOUT
# (measured: one boot of 6.1 in nine had spin_events stuck on CPU 0).
boot0=$(date +%s.%N)
timeout -k 10 "$QEMU_TIMEOUT" qemu-system-x86_64 \
    -machine pc -accel tcg,thread=multi \
    -cpu "$QEMU_CPU" -smp "$QEMU_CPUS" -m "$QEMU_MEM" \
    -nodefaults -display none -no-reboot \
    -kernel "$kdir/vmlinuz" -initrd "$WORK/initramfs.cpio" \
    -append "console=ttyS0 rdinit=/init panic=-1 softlockup_panic=1 loglevel=5" \
    -serial "file:$CONSOLE" -serial "file:$RESULTS" \
    < /dev/null > "$WORK/qemu.out" 2>&1
qrc=$?
boot_secs=$(awk -v a="$boot0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
tr -d '\r' < "$RESULTS" > "$RESULTS.txt"

echo "----- guest console ($CONSOLE) -----"
tr -d '\r' < "$CONSOLE"
echo "----- end of guest console -----"
[ -s "$WORK/qemu.out" ] && { echo "qemu said:"; cat "$WORK/qemu.out"; }
