#!/bin/bash
# "make install DESTDIR=..." from this build: every file where it belongs
# with its mode and nothing else; the init script, the unit and the sample
# configuration name the directories this build was configured for; the
# sample sets every key to the compiled-in default; "make install" keeps an
# existing lockprobe.conf and "make uninstall" leaves nothing it installed.
# shellcheck source=tests/lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
set -o pipefail

T=$(mktemp -d /tmp/lockprobe-install.XXXXXX) || fail "mktemp"
dest=$T/dest

# make, without the parent make's job server (this runs inside "make check").
submake() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top_builddir" -s \
	    --no-print-directory "$@"
}

# The installation directories, fully expanded, and the lists of what make
# installs (others add programs, BPF objects and manual pages to them).
submake -f Makefile -f - lp-print-dirs > "$T/dirs" <<'EOF' || fail "cannot ask make for the directories"
lp-print-dirs:
	@for v in sbindir='$(sbindir)' bindir='$(bindir)' \
	    libexecdir='$(libexecdir)' sysconfdir='$(sysconfdir)' \
	    runstatedir='$(runstatedir)' localstatedir='$(localstatedir)' \
	    pkglibdir='$(pkglibdir)' bpfassetdir='$(bpfassetdir)' \
	    mandir='$(mandir)' docdir='$(docdir)' initddir='$(initddir)' \
	    unitdir='$(systemdsystemunitdir)' \
	    bin_PROGRAMS='$(bin_PROGRAMS)' sbin_PROGRAMS='$(sbin_PROGRAMS)' \
	    libexec_PROGRAMS='$(libexec_PROGRAMS)' \
	    bpfasset_DATA='$(bpfasset_DATA)' \
	    man_MANS='$(dist_man_MANS) $(man_MANS)'; do \
		echo "$$v"; \
	done
EOF
dir() {
	sed -n "s|^$1=||p" "$T/dirs"
}
sbindir=$(dir sbindir) bindir=$(dir bindir) libexecdir=$(dir libexecdir)
sysconfdir=$(dir sysconfdir) runstatedir=$(dir runstatedir)
localstatedir=$(dir localstatedir) pkglibdir=$(dir pkglibdir)
bpfassetdir=$(dir bpfassetdir) mandir=$(dir mandir) docdir=$(dir docdir)
initddir=$(dir initddir) unitdir=$(dir unitdir)
for d in "$sbindir" "$bindir" "$libexecdir" "$sysconfdir" "$runstatedir" \
    "$localstatedir" "$pkglibdir" "$bpfassetdir" "$mandir" "$docdir" \
    "$initddir" "$unitdir"; do
	case $d in
	/*|no) ;;
	*) fail "make gives '$d' for a directory: $(cat "$T/dirs")" ;;
	esac
done
bin_programs=$(dir bin_PROGRAMS) sbin_programs=$(dir sbin_PROGRAMS)
libexec_programs=$(dir libexec_PROGRAMS) bpf_assets=$(dir bpfasset_DATA)
man_pages=$(dir man_MANS)
# The daemons' places, and no test-only BPF object among the assets.
case " $sbin_programs " in
*" lockprobed "*) ;;
*) fail "lockprobed is not in sbin_PROGRAMS: $sbin_programs" ;;
esac
case " $sbin_programs " in
*" lockprobectl "*) ;;
*) fail "lockprobectl is not in sbin_PROGRAMS: $sbin_programs" ;;
esac
[ "$libexec_programs" = lockprobe-netd ] || fail "libexec_PROGRAMS is '$libexec_programs', not lockprobe-netd"
case " $bpf_assets " in
*kread*|*verifier_reject*) fail "a test-only BPF object is installed: $bpf_assets" ;;
esac
for a in mapwalk ksym; do
	case " $bpf_assets " in
	*"/$a.bpf.o "*) ;;
	*) fail "$a.bpf.o is not among the BPF assets: $bpf_assets" ;;
	esac
done
ok "configured: sbindir $sbindir, sysconfdir $sysconfdir, runstatedir $runstatedir, initddir $initddir, unitdir $unitdir"

submake install DESTDIR="$dest" > "$T/install.log" 2>&1 || fail "make install: $(cat "$T/install.log")"

# The expected tree: mode and path, one a line.
{
	for p in $bin_programs; do echo "755 $bindir/${p##*/}"; done
	for p in $sbin_programs; do echo "755 $sbindir/${p##*/}"; done
	for p in $libexec_programs; do echo "755 $libexecdir/${p##*/}"; done
	for a in $bpf_assets; do echo "644 $bpfassetdir/${a##*/}"; done
	for m in $man_pages; do echo "644 $mandir/man${m##*.}/${m##*/}"; done
	echo "644 $sysconfdir/lockprobe.conf"
	echo "644 $docdir/examples/lockprobe.conf.sample"
	echo "644 $docdir/examples/lockprobe-grafana.json"
	[ "$initddir" = no ] || echo "755 $initddir/lockprobed"
	[ "$unitdir" = no ] || echo "644 $unitdir/lockprobed.service"
} | sort > "$T/expected"
(cd "$dest" && find . ! -type d -printf '%m %p\n') | sed 's| \./| /|' | sort > "$T/installed"
diff -u "$T/expected" "$T/installed" > "$T/diff" || fail "installed tree differs from the expected one (- expected, + installed):
$(cat "$T/diff")"
ok "$(wc -l < "$T/installed") files installed, each where it belongs with its mode"

# same BUILT DIR: DIR holds the file built as BUILT.
same() {
	cmp -s "$top_builddir/$1" "$dest$2/${1##*/}" || fail "$2/${1##*/} is not the built $1"
}
for p in $bin_programs; do same "$p" "$bindir"; done
for p in $sbin_programs; do same "$p" "$sbindir"; done
for p in $libexec_programs; do same "$p" "$libexecdir"; done
# lockprobed loads an asset only if its SHA-256 is the one it was built with.
for a in $bpf_assets; do same "$a" "$bpfassetdir"; done
ok "binaries and BPF assets are the ones built"

# No template placeholder survives.
for f in "$dest$sysconfdir/lockprobe.conf" ${initddir:+"$dest$initddir/lockprobed"} ${unitdir:+"$dest$unitdir/lockprobed.service"}; do
	[ -f "$f" ] || continue
	! grep -n '@[a-z]*@' "$f" || fail "$f keeps a placeholder"
done

# has FILE LINE...: FILE has each LINE, whole.
has() {
	_f=$1
	shift
	for _l in "$@"; do
		grep -qxF -- "$_l" "$_f" || fail "$_f has no line '$_l'; it has:
$(grep -n -F -e "${_l%%=*}" -e "${_l%%[[:space:]]*}" "$_f")"
	done
}

if [ "$initddir" != no ]; then
	init=$dest$initddir/lockprobed
	has "$init" "DAEMON=$sbindir/lockprobed" "CONF=$sysconfdir/lockprobe.conf" \
	    "PIDFILE=$runstatedir/lockprobed.pid" \
	    "if [ -r $sysconfdir/default/lockprobed ]; then"
	sh -n "$init" || fail "sh -n $init"
	if command -v shellcheck >/dev/null; then
		shellcheck -s sh "$init" > "$T/sc" 2>&1 || fail "shellcheck $init:
$(cat "$T/sc")"
	elif [ "${CI:-}" = true ]; then
		fail "shellcheck not found: install the Debian package shellcheck"
	fi
	ok "init script names $sbindir, $sysconfdir, $runstatedir and parses"
fi

if [ "$unitdir" != no ]; then
	unit=$dest$unitdir/lockprobed.service
	has "$unit" "PIDFile=$runstatedir/lockprobed.pid" \
	    "ExecStartPre=$sbindir/lockprobed -n" "ExecStart=$sbindir/lockprobed" \
	    "ExecReload=$sbindir/lockprobed -n"
	ok "unit names $sbindir and $runstatedir"
fi

conf=$dest$sysconfdir/lockprobe.conf
cmp -s "$conf" "$dest$docdir/examples/lockprobe.conf.sample" || fail "$sysconfdir/lockprobe.conf is not the sample"
# The sample shows the compiled-in defaults: the keys it sets read the same
# as an empty file, and the ones it leaves commented out name the
# configured directories.  lockprobed -n needs netd-path to exist and
# netd-user to be a user, so both get what this machine has.
has "$conf" "pidfile			$runstatedir/lockprobed.pid" \
    "control-socket		$runstatedir/lockprobe.sock" \
    "state-directory		$localstatedir/lib/lockprobe" \
    "#netd-path		$libexecdir/lockprobe-netd" \
    "#asset-directory	$bpfassetdir" \
    "#btf-directory		$pkglibdir/btf" \
    "#	lockprobed -n -f $sysconfdir/lockprobe.conf"
user=_lockprobe
id "$user" >/dev/null 2>&1 || user=nobody
sed "s/^netd-user[[:space:]].*/netd-user $user/" "$conf" > "$T/sample.conf"
echo "netd-user $user" > "$T/empty.conf"
for c in sample empty; do
	echo "netd-path $top_builddir/lockprobe-netd" >> "$T/$c.conf"
	chmod 644 "$T/$c.conf"
	"$top_builddir/lockprobed" -n -v -f "$T/$c.conf" 2>&1 | sed 1d > "$T/$c.out" ||
	    fail "lockprobed -nv refuses the $c configuration: $(cat "$T/$c.out")"
done
diff -u "$T/empty.out" "$T/sample.out" > "$T/diff" || fail "the sample does not set the defaults (- default, + sample):
$(cat "$T/diff")"
ok "sample configuration matches the compiled-in defaults ($(wc -l < "$T/sample.out") keys)"

# Reinstalling keeps an operator's configuration; uninstalling removes
# everything else and keeps it.
echo "# edited" >> "$conf"
submake install DESTDIR="$dest" > "$T/install.log" 2>&1 || fail "second make install: $(cat "$T/install.log")"
tail -n 1 "$conf" | grep -qx "# edited" || fail "make install overwrote an edited $sysconfdir/lockprobe.conf"
submake uninstall DESTDIR="$dest" > "$T/uninstall.log" 2>&1 || fail "make uninstall: $(cat "$T/uninstall.log")"
left=$(cd "$dest" && find . ! -type d | sed 's|^\.||')
[ "$left" = "$sysconfdir/lockprobe.conf" ] || fail "after make uninstall, left behind: $left"
rm "$conf"
submake install DESTDIR="$dest" > "$T/install.log" 2>&1 || fail "third make install: $(cat "$T/install.log")"
submake uninstall DESTDIR="$dest" > "$T/uninstall.log" 2>&1 || fail "make uninstall: $(cat "$T/uninstall.log")"
left=$(cd "$dest" && find . ! -type d)
[ -z "$left" ] || fail "after make uninstall, left behind: $left"
ok "make install keeps an edited lockprobe.conf; make uninstall removes the rest, and the unedited sample"
echo "PASS: $TEST_NAME"
