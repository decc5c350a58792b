#!/bin/bash
# The Debian package, for real: build it with dpkg-buildpackage from a copy
# of this tree (make distdir), check it with lintian (no tag that
# debian/lockprobe.lintian-overrides does not justify), install it on this
# machine with dpkg -i, start the service with its init script, check
# lockprobectl status, stop it, purge the package, and check that nothing it
# installed or created is left behind.
#
# It installs a package system-wide: as root only, and never where a
# lockprobe package is already installed.  CI runs it on a throwaway VM.
# The package is built with DEB_BUILD_OPTIONS=nocheck unless the caller sets
# DEB_BUILD_OPTIONS: the suite that runs this test has already run.
# shellcheck source=tests/lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
set -o pipefail
[ "$(id -u)" = 0 ] || skip "needs root (it installs the package it builds)"
for tool in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian \
    start-stop-daemon:dpkg readelf:binutils; do
	command -v "${tool%%:*}" >/dev/null ||
	    skip "needs ${tool%%:*} (Debian package ${tool#*:})"
done
if dpkg-query -W -f='${Status}' lockprobe 2>/dev/null | grep -qv "not-installed"; then
	skip "a lockprobe package is installed on this machine; not touching it"
fi
case $(dpkg --print-architecture) in
amd64) ;;
*) skip "the package is built for amd64 only (BPF objects for x86)" ;;
esac

T=$(mktemp -d /tmp/lockprobe-deb.XXXXXX) || fail "mktemp"
chmod 755 "$T"
LOG=$T/deb.log
installed=
user_existed=
getent passwd _lockprobe >/dev/null && user_existed=yes

# On any exit: stop the service and purge the package if this test
# installed it, then lib.sh's cleanup.
deb_cleanup() {
	if [ -n "$installed" ]; then
		/etc/init.d/lockprobed stop >> "$LOG" 2>&1
		dpkg --purge lockprobe >> "$LOG" 2>&1
	fi
	[ -n "$user_existed" ] || ! getent passwd _lockprobe >/dev/null ||
	    deluser --system --quiet _lockprobe >/dev/null 2>&1
	cleanup
}
trap deb_cleanup EXIT

# The files of the system this test touches: dpkg's own records and caches
# aside, what is there after the purge must be what was there before.
snapshot() {
	find /etc /lib/systemd /usr/sbin /usr/libexec /usr/lib /usr/share/doc \
	    /usr/share/man /var/lib /run -xdev \
	    \( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /run/user \
	    -o -path /var/lib/lintian -o -path '/tmp/*' \) -prune -o -print 2>/dev/null |
	    sort
}

started=$(date +%s)
version=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top_builddir" -s \
    --no-print-directory -f Makefile -f - lp-print-version <<'EOF'
lp-print-version:
	@echo '$(VERSION)'
EOF
) || fail "cannot ask make for the version"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top_builddir" -s \
    --no-print-directory distdir distdir="$T/lockprobe-$version" >> "$LOG" 2>&1 ||
    fail "make distdir: $(tail -n 20 "$LOG")"
cd "$T/lockprobe-$version" || fail "no distdir"
debversion=$(dpkg-parsechangelog -S Version)
[ "$debversion" = "$version" ] || fail "debian/changelog is at $debversion, configure.ac at $version: add a changelog entry"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u top_srcdir -u top_builddir \
    DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-nocheck} parallel=$(nproc)" \
    dpkg-buildpackage -us -uc -b > "$T/build.log" 2>&1 ||
    fail "dpkg-buildpackage -us -uc -b: $(tail -n 40 "$T/build.log")"
cd "$T" || fail "cd $T"
deb=$T/lockprobe_${version}_amd64.deb
[ -f "$deb" ] || fail "no $deb: $(ls "$T")"
ok "built $(basename "$deb") in $(( $(date +%s) - started )) s"

# lintian: errors, warnings and informational tags fail unless overridden
# (and justified) in debian/lockprobe.lintian-overrides.
lintian -I --fail-on error,warning,info "$T/lockprobe_${version}_amd64.changes" \
    > "$T/lintian.out" 2>&1 || fail "lintian:
$(grep -v 'running with root privileges' "$T/lintian.out")"
ok "lintian: clean (tags overridden in debian/lockprobe.lintian-overrides aside)"

# The package's contents: conffiles, and hardened binaries.
dpkg-deb -f "$deb" Package Version Architecture Depends > "$LOG.control"
dpkg-deb -e "$deb" "$T/control"
printf '/etc/init.d/lockprobed\n/etc/lockprobe.conf\n' | diff -u - "$T/control/conffiles" ||
    fail "conffiles are not /etc/init.d/lockprobed and /etc/lockprobe.conf"
dpkg-deb -x "$deb" "$T/root"
for f in usr/sbin/lockprobed usr/sbin/lockprobectl usr/libexec/lockprobe-netd; do
	[ -x "$T/root/$f" ] || fail "no /$f in the package"
done
for f in $(cd "$T/root" && find usr/bin usr/sbin usr/libexec -type f 2>/dev/null); do
	readelf -lWd "$T/root/$f" > "$T/elf" 2>&1 || fail "readelf /$f"
	grep -q 'GNU_RELRO' "$T/elf" || fail "/$f: no RELRO"
	grep -q 'BIND_NOW\|FLAGS_1.*NOW' "$T/elf" || fail "/$f: not linked with -z now"
	grep -q 'FLAGS_1.*PIE' "$T/elf" || fail "/$f: not PIE"
	readelf -sW --dyn-syms "$T/root/$f" > "$T/syms"
	grep -q '__stack_chk_fail' "$T/syms" || fail "/$f: no stack protector"
	grep -q '__[a-z]*_chk@' "$T/syms" || fail "/$f: not built with _FORTIFY_SOURCE"
done
ok "conffiles /etc/lockprobe.conf and /etc/init.d/lockprobed; $(cd "$T/root" && find usr/bin usr/sbin usr/libexec -type f | tr '\n' ' ')PIE, full RELRO, stack protector, fortified"

snapshot > "$T/before"
dpkg -i "$deb" > "$T/dpkg-i.log" 2>&1 || { installed=yes; fail "dpkg -i: $(cat "$T/dpkg-i.log")"; }
installed=yes
getent passwd _lockprobe > "$T/passwd" || fail "postinst did not create the user _lockprobe"
IFS=: read -r _ _ uid _ _ home shell < "$T/passwd"
[ "$uid" -lt 1000 ] || fail "_lockprobe is not a system user (uid $uid)"
case $shell in */nologin|/bin/false) ;; *) fail "_lockprobe has the shell $shell" ;; esac
[ -n "$user_existed" ] || [ "$home" = /nonexistent ] || fail "_lockprobe's home is $home"
ok "dpkg -i: installed; system user _lockprobe (uid $uid, $shell)"

# The BPF objects are the ones whose hashes lockprobed carries.
for a in /usr/lib/*/lockprobe/bpf/*.bpf.o; do
	[ -f "$a" ] || fail "no BPF objects installed"
	sum=$(sha256sum "$a" | cut -d' ' -f1)
	grep -qaF "$sum" /usr/sbin/lockprobed || fail "$a: its SHA-256 is not the one lockprobed was built with"
done

if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify /lib/systemd/system/lockprobed.service > "$T/verify" 2>&1 ||
	    fail "systemd-analyze verify: $(cat "$T/verify")"
	ok "systemd-analyze verify lockprobed.service: clean"
fi

# The service, through its init script as the administrator runs it.
if [ -d /run/systemd/system ]; then
	echo "systemd is running: /etc/init.d/lockprobed goes through systemctl"
fi
/etc/init.d/lockprobed start > "$T/out" 2>&1 || fail "/etc/init.d/lockprobed start: $(cat "$T/out")"
wait_for 10 "lockprobectl status" lockprobectl status
lockprobectl status > "$T/status" 2>&1 || fail "lockprobectl status: $(cat "$T/status")"
sed 's/^/    /' "$T/status"
pid=$(cat /run/lockprobed.pid)
PRIVD_PID=$pid
grep -q "^lockprobed $version (protocol [0-9]*): pid $pid, .*config /etc/lockprobe.conf" "$T/status" ||
    fail "lockprobectl status does not name lockprobed $version, pid $pid"
netd=$(netd_pid)
[ -n "$netd" ] || fail "no lockprobe-netd under lockprobed $pid"
[ "$(stat -c %U "/proc/$netd")" = _lockprobe ] || fail "netd runs as $(stat -c %U "/proc/$netd")"
[ "$(readlink "/proc/$netd/root")" = /var/lib/lockprobe ] || fail "netd is not chrooted into /var/lib/lockprobe"
[ "$(readlink "/proc/$netd/exe")" = /usr/libexec/lockprobe-netd ] || fail "netd is $(readlink "/proc/$netd/exe")"
[ "$(stat -c %a:%U:%G /run/lockprobe.sock)" = 660:root:root ] || fail "/run/lockprobe.sock is $(stat -c %a:%U:%G /run/lockprobe.sock)"
/etc/init.d/lockprobed status > "$T/out" 2>&1 || fail "status: $(cat "$T/out")"
ok "service started: lockprobed $pid, netd $netd as _lockprobe in /var/lib/lockprobe; status 0"

/etc/init.d/lockprobed reload > "$T/out" 2>&1 || fail "reload: $(cat "$T/out")"
sleep 0.5
[ "$(cat /run/lockprobed.pid)" = "$pid" ] || fail "reload replaced lockprobed"
lockprobectl status > /dev/null 2>&1 || fail "lockprobectl status after reload"
/etc/init.d/lockprobed stop > "$T/out" 2>&1 || fail "stop: $(cat "$T/out")"
! kill -0 "$pid" 2>/dev/null || fail "lockprobed $pid still running after stop"
! kill -0 "$netd" 2>/dev/null || fail "netd $netd still running after stop"
PRIVD_PID=
rc=0
/etc/init.d/lockprobed status > "$T/out" 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "status after stop: $rc, not 3"
ok "reload, stop: both processes gone; status 3"

dpkg --purge lockprobe > "$T/purge.log" 2>&1 || fail "dpkg --purge: $(cat "$T/purge.log")"
installed=
if dpkg-query -W -f='${Status}\n' lockprobe 2>/dev/null | grep -qv "not-installed"; then
	fail "dpkg still knows lockprobe: $(dpkg-query -W -f='${Status}' lockprobe)"
fi
for p in /proc/[0-9]*; do
	case $(readlink "$p/exe" 2>/dev/null) in
	/usr/sbin/lockprobed*|/usr/libexec/lockprobe-netd*)
		fail "a packaged lockprobe process is still running: ${p#/proc/}" ;;
	esac
done
snapshot > "$T/after"
diff "$T/before" "$T/after" > "$T/diff"
# Elsewhere on this machine, other programs may create and remove files
# meanwhile; anything that names lockprobe is this package's.
if grep -i lockprobe "$T/diff" > "$T/left"; then
	fail "left behind or removed by the package (> left, < removed):
$(cat "$T/left")"
fi
[ ! -s "$T/diff" ] || echo "(changed meanwhile, not by lockprobe: $(tr '\n' ' ' < "$T/diff"))"
ok "dpkg --purge: nothing left behind (the user _lockprobe stays by design)"
ok "total $(( $(date +%s) - started )) s"
echo "PASS: $TEST_NAME"
