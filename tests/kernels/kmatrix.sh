#!/bin/bash
# The kernel matrix driver: boots one Debian kernel under qemu and runs
# every guest test (tests/kernels/guest-tests) in that one boot.
#
#   kmatrix.sh NAME META-PACKAGE SERIES
#
# e.g. kmatrix.sh linux-6.1 linux-image-cloud-amd64 6.1: the newest version
# of META-PACKAGE in any configured apt source whose version starts with
# "SERIES." names the kernel image package; it is fetched with
# `apt-get download` into the cache (LP_KERNEL_CACHE, default
# /var/cache/lockprobe/kernels) once, and reused from there afterwards
# (also when apt cannot reach the archive).
#
# The guest: qemu-system-x86_64 (TCG), -cpu qemu64,-hypervisor,-cx16 (see
# QEMU_CPU below), 4 vCPUs, 1 GiB, booted from a busybox initramfs built
# here with the host-built test programs and their shared libraries.  It
# reports on its second serial port (see guest-init.sh); this script prints
# each guest test's result, the kernel's facts and the time the boot took,
# writes tests/kernels/NAME.result.md and regenerates kernel-matrix.md in the
# build directory, and exits 1 if any guest test failed.
#
# Exit 77 (skip) when qemu, busybox, cpio or the kernel package is missing;
# under CI=true that is a failure (exit 1) instead.
set -u

name=${1:?usage: kmatrix.sh NAME META-PACKAGE SERIES}
meta=${2:?usage: kmatrix.sh NAME META-PACKAGE SERIES}
series=${3:?usage: kmatrix.sh NAME META-PACKAGE SERIES}

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_builddir=$(cd "$top_builddir" && pwd)
top_srcdir=$(cd "$top_srcdir" && pwd)
KDIR=$top_srcdir/tests/kernels
CACHE=${LP_KERNEL_CACHE:-/var/cache/lockprobe/kernels}
WORK=$top_builddir/tests/kernels/$name.d
# -hypervisor: the guest believes it runs on bare metal and takes the native
# queued spinlock slow path, which emits lock:contention_begin (SPIN).
# -cx16: Debian 12's qemu 7.2 TCG corrupts EFLAGS around CMPXCHG16B under
# multi-threaded TCG (measured: 3 of 10 boots of 6.12 died with a double
# fault right after the cmpxchg16b in kmem_cache_alloc_noprof, EFLAGS
# holding bits of RAX); without the instruction SLUB takes its locked path
# and 10 of 10 boots pass.  Neither changes how BPF map locks work.
QEMU_CPU=${LP_KMATRIX_CPU:-qemu64,-hypervisor,-cx16}
QEMU_CPUS=${LP_KMATRIX_CPUS:-4}
QEMU_MEM=${LP_KMATRIX_MEM:-1024}
QEMU_TIMEOUT=${LP_KMATRIX_TIMEOUT:-900}
start=$(date +%s.%N)

skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: kmatrix $name would skip, which CI=true does not allow: $*"
		exit 1
	fi
	echo "SKIP: kmatrix $name: $*"
	exit 77
}

fail() {
	echo "FAIL: kmatrix $name: $*"
	exit 1
}

elapsed() {
	awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

# --- what the host needs -----------------------------------------------------
for tool in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static \
    cpio:cpio apt-get:apt dpkg-deb:dpkg ldd:libc-bin flock:util-linux; do
	command -v "${tool%%:*}" >/dev/null 2>&1 ||
	    skip "${tool%%:*} not found (Debian package ${tool#*:}; scripts/install-deps.sh installs it)"
done
BUSYBOX=$(command -v busybox)

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
rm -rf "$WORK"
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

tests=()
while read -r tname tcmd; do
	case $tname in
	''|'#'*)
		continue
		;;
	+)	# more files the guest tests need
		for f in $tcmd; do
			add_file "$f" ||
			    fail "guest file $f: not in the build or source tree"
		done
		continue
		;;
	=)	# programs of the host the guest tests need
		for f in $tcmd; do
			add_host_program "$f" ||
			    skip "the guest tests need $f, which this host lacks"
		done
		continue
		;;
	python3)	# modules of the host's python3 they need
		add_python_modules $tcmd ||
		    fail "copying python3 modules ($tcmd) into the initramfs"
		continue
		;;
	esac
	tests+=("$tname")
	prog=${tcmd%% *}
	[ -e "$top_builddir/$prog" ] || [ -e "$top_srcdir/$prog" ] ||
	    fail "guest test $tname: $top_builddir/$prog is not built"
	add_file "$prog" || fail "copying $prog into the initramfs"
	echo "$tname $tcmd" >> "$ROOT/lp/guest-tests"
done < "$KDIR/guest-tests"
[ ${#tests[@]} -gt 0 ] || fail "no guest tests in $KDIR/guest-tests"

(cd "$ROOT" && find . | cpio -o -H newc --quiet) > "$WORK/initramfs.cpio" ||
    fail "cpio"
echo "kmatrix: initramfs $(du -k "$WORK/initramfs.cpio" | cut -f1) KiB, ${#tests[@]} guest tests (prepared in $(elapsed) s)"

# --- boot it once --------------------------------------------------------------
CONSOLE=$WORK/console.log
RESULTS=$WORK/results.log
boot0=$(date +%s.%N)
timeout -k 10 "$QEMU_TIMEOUT" qemu-system-x86_64 \
    -machine pc -accel tcg,thread=multi \
    -cpu "$QEMU_CPU" -smp "$QEMU_CPUS" -m "$QEMU_MEM" \
    -nodefaults -display none -no-reboot \
    -kernel "$kdir/vmlinuz" -initrd "$WORK/initramfs.cpio" \
    -append "console=ttyS0 rdinit=/init panic=-1 loglevel=4" \
    -serial "file:$CONSOLE" -serial "file:$RESULTS" \
    < /dev/null > "$WORK/qemu.out" 2>&1
qrc=$?
boot_secs=$(awk -v a="$boot0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
tr -d '\r' < "$RESULTS" > "$RESULTS.txt"

echo "----- guest console ($CONSOLE) -----"
tr -d '\r' < "$CONSOLE"
echo "----- end of guest console -----"
[ -s "$WORK/qemu.out" ] && { echo "qemu said:"; cat "$WORK/qemu.out"; }

# --- the report ----------------------------------------------------------------
status=0
summary=
declare -A result
while read -r tag what rest; do
	[ "$tag" = LP ] || continue
	case $what in
	result)
		read -r tname st rc secs <<< "$rest"
		result[$tname]="$st $rc $secs"
		;;
	esac
done < "$RESULTS.txt"
guest_up=$(awk '$1 == "LP" && $2 == "boot" { print $3 }' "$RESULTS.txt")
guest_done=$(awk '$1 == "LP" && $2 == "done" { print $3 }' "$RESULTS.txt")

echo
echo "kernel matrix: $name: $kpkg $kver"
for tname in "${tests[@]}"; do
	if [ -z "${result[$tname]:-}" ]; then
		st=FAIL line="no result (the guest died or timed out: qemu exit $qrc)"
	else
		read -r st rc secs <<< "${result[$tname]}"
		line="exit $rc, $secs s"
	fi
	case $st in
	PASS) ;;
	SKIP) [ "${CI:-}" = true ] && { st=FAIL; line="$line; skipped, which CI=true does not allow"; } ;;
	*) st=FAIL ;;
	esac
	[ "$st" = FAIL ] && status=1
	printf '  %-4s %-20s %s\n' "$st" "$tname" "$line"
	summary="$summary $tname=$st"
	result[$tname]="$st|$line"
done
echo "  facts:"
awk '$1 == "LP" && $2 == "fact" { $1 = $2 = ""; sub(/^  /, ""); print "    " $0 }' "$RESULTS.txt"
[ -n "$guest_done" ] || { echo "  the guest did not finish (qemu exit $qrc)"; status=1; }
echo "  time: qemu ran $boot_secs s (kernel up to init: ${guest_up:-?} s, init to done: $(awk -v a="${guest_up:-0}" -v b="${guest_done:-0}" 'BEGIN { printf "%.1f", b - a }') s guest time); this kernel added $(elapsed) s in all"

# --- the markdown: tests/kernels/NAME.md, and kernel-matrix.md from all ------
fact() {
	awk -v k="$1" '$1 == "LP" && $2 == "fact" && $3 == k {
	    $1 = $2 = $3 = ""; sub(/^   /, ""); v = $0 } END { print v }' "$RESULTS.txt"
}
# a row's first line names the guest tests (its columns): rows of runs
# with another list are left out of kernel-matrix.md
sig="tests: ${tests[*]}"
{
	echo "$sig"
	printf '| %s | %s %s | %s |' "$name" "$kpkg" "$kver" "$(fact release)"
	for tname in "${tests[@]}"; do
		printf ' %s |' "${result[$tname]%%|*}"
	done
	printf ' %s | %s | %s | %s | %s |\n' "$(fact btf)" "$(fact kprobes)" \
	    "$(fact kallsyms_all)" "$(fact lock_tracepoints)" "$(elapsed) s"
} > "$WORK.row"
{
	echo "### $name: $kpkg $kver"
	echo
	echo "Booted $(date -u '+%Y-%m-%d %H:%M UTC') with qemu (TCG) -cpu $QEMU_CPU, $QEMU_CPUS vCPUs, $QEMU_MEM MiB; $(elapsed) s in all."
	echo
	echo "| guest test | result |"
	echo "| --- | --- |"
	for tname in "${tests[@]}"; do
		echo "| $tname | ${result[$tname]%%|*} (${result[$tname]#*|}) |"
	done
	echo
	echo "| fact | value |"
	echo "| --- | --- |"
	awk '$1 == "LP" && $2 == "fact" { k = $3; $1 = $2 = $3 = ""; sub(/^   /, "");
	    print "| " k " | " $0 " |" }' "$RESULTS.txt"
	echo
} > "$WORK.section"
mv "$WORK.row" "$top_builddir/tests/kernels/$name.row"
mv "$WORK.section" "$top_builddir/tests/kernels/$name.result.md"
(
	flock 9
	out=$top_builddir/kernel-matrix.md
	{
		echo "# lockprobe kernel matrix"
		echo
		echo "Generated by \`make check\` (tests/kernels/): the same build of lockprobe's"
		echo "test programs, run unchanged inside each kernel under qemu. Each row is"
		echo "that kernel's latest run in this build directory."
		echo
		printf '| kernel | package | release |'
		for tname in "${tests[@]}"; do printf ' %s |' "$tname"; done
		echo ' BTF | kprobes | KALLSYMS_ALL | lock tracepoints | time |'
		printf '| --- | --- | --- |'
		for tname in "${tests[@]}"; do printf ' --- |'; done
		echo ' --- | --- | --- | --- | --- |'
		for row in "$top_builddir"/tests/kernels/*.row; do
			if [ "$(head -n 1 "$row")" = "$sig" ]; then
				tail -n +2 "$row"
			fi
		done
		echo
		for row in "$top_builddir"/tests/kernels/*.row; do
			if [ "$(head -n 1 "$row")" = "$sig" ]; then
				tail -n +2 "$row"
			fi
		done | awk -F'|' '{ t += $(NF - 1); n++ }
		    END { printf "Time the matrix added: %.1f s for %d kernel(s), " \
		    "summed (make -j runs them side by side: less wall time).\n", t, n }'
		echo
		for row in "$top_builddir"/tests/kernels/*.row; do
			if [ "$(head -n 1 "$row")" = "$sig" ]; then
				cat "${row%.row}.result.md"
			fi
		done
	} > "$out.tmp" && mv "$out.tmp" "$out"
) 9> "$top_builddir/tests/kernels/.matrix.lock"

echo "kernel matrix: $name:$summary; results in $top_builddir/kernel-matrix.md"
exit $status
