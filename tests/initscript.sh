#!/bin/bash
# The init script, installed for real, drives the real lockprobed and
# lockprobe-netd through start-stop-daemon: start, status (LSB: 0 running,
# 1 dead with a pidfile, 3 stopped), reload (SIGHUP; a broken configuration
# is refused with its errors and exit 6), restart, stop.
#
# The installed paths are compiled into the programs and written into the
# init script, so this builds a scratch copy of the tree (make distdir)
# configured with --prefix in a temporary directory, installs it there, and
# runs that installation's init script, lockprobed and lockprobectl with
# their own defaults: pidfile, control socket and state directory are all
# under the prefix, and only the netd user is changed in lockprobe.conf.
# shellcheck source=tests/lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
require_root
command -v start-stop-daemon >/dev/null || skip "needs start-stop-daemon (Debian package dpkg)"
[ -r /lib/lsb/init-functions ] || skip "needs /lib/lsb/init-functions (Debian package sysvinit-utils)"

T=$(mktemp -d /tmp/lockprobe-initscript.XXXXXX) || fail "mktemp"
chmod 755 "$T"
prefix=$T/inst
LOG=$T/build.log

submake() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory "$@"
}

started=$(date +%s)
submake -C "$top_builddir" distdir distdir="$T/src" >> "$LOG" 2>&1 || fail "make distdir"
(
	cd "$T/src" &&
	./configure -q --prefix="$prefix" --with-systemdsystemunitdir=no &&
	submake -j"$(nproc)" install
) >> "$LOG" 2>&1 || fail "building and installing with --prefix=$prefix"
ok "built and installed into $prefix in $(( $(date +%s) - started )) s"

init=$prefix/etc/init.d/lockprobed
conf=$prefix/etc/lockprobe.conf
pidfile=$prefix/var/run/lockprobed.pid
sock=$prefix/var/run/lockprobe.sock
ctl=$prefix/sbin/lockprobectl
[ -x "$init" ] || fail "no init script at $init"
grep -qxF "PIDFILE=$pidfile" "$init" || fail "the init script's pidfile is not $pidfile"
mkdir -p "$prefix/var/run" "$prefix/var/lib"
sed -i "s/^netd-user[[:space:]].*/netd-user $NETD_USER/" "$conf"
grep -qx "netd-user $NETD_USER" "$conf" || fail "cannot set netd-user in $conf"
cp "$conf" "$T/good.conf"
LOG=$T/init.log

# rc ACTION: run the init script as init would (no environment but PATH),
# its output in $T/out and the log; sets $rc.
rc() {
	# shellcheck disable=SC2086 # RC_ENV is a list of assignments.
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin ${RC_ENV:-} "$init" "$1" > "$T/out" 2>&1
	rc=$?
	{ echo "--- $init $1: exit $rc"; cat "$T/out"; } >> "$LOG"
}

# expect STATUS ACTION: the init script's ACTION exits with STATUS.
expect() {
	rc "$2"
	[ "$rc" = "$1" ] || fail "$init $2 exited $rc, not $1: $(cat "$T/out")"
}

pid_from_file() {
	cat "$pidfile" 2>/dev/null
}

# running: the pidfile names a live lockprobed from this installation.
running() {
	_p=$(pid_from_file)
	[ -n "$_p" ] && [ "$(readlink "/proc/$_p/exe" 2>/dev/null)" = "$prefix/sbin/lockprobed" ]
}

# up: running, with netd serving the control socket.
up() {
	running && PRIVD_PID=$(pid_from_file) && netd_running &&
	    "$ctl" status > "$T/status" 2>&1
}

expect 3 status
ok "status before start: 3 (not running): $(cat "$T/out")"
expect 7 reload
ok "reload when not running: 7"

# started from a shell with a dirty environment, as root may run it
RC_ENV="LOCKPROBE_TEST_SECRET=leak LD_LIBRARY_PATH=$T/nowhere HOME=/root"
expect 0 start
RC_ENV=
wait_for 10 "lockprobed up with netd and the control socket" up
pid=$(pid_from_file)
PRIVD_PID=$pid
netd=$(netd_pid)
env_of=$(tr '\0' '\n' < "/proc/$pid/environ")
[ "$env_of" = "PATH=/usr/sbin:/usr/bin:/sbin:/bin" ] || fail "lockprobed's environment is not just PATH: $env_of"
grep -q '^Max core file size  *0  *0 ' "/proc/$pid/limits" || fail "core files allowed: $(grep core "/proc/$pid/limits")"
for f in "Seccomp:	2" "NoNewPrivs:	1"; do
	grep -q "^$f\$" "/proc/$pid/status" || fail "lockprobed started by the init script lacks '$f'"
done
ok "start: clean environment (PATH only), no core files, lockprobed in its sandbox"
grep -q "^lockprobed .*: pid $pid," "$T/status" || fail "lockprobectl status does not name pid $pid: $(cat "$T/status")"
[ "$(stat -c %a:%U "$sock")" = "660:root" ] || fail "socket $sock is $(stat -c %a:%U "$sock")"
[ "$(stat -c %U "/proc/$netd")" = "$NETD_USER" ] || fail "netd runs as $(stat -c %U "/proc/$netd")"
ok "start: lockprobed $pid, netd $netd as $NETD_USER, lockprobectl status through $sock"

expect 0 start
[ "$(pid_from_file)" = "$pid" ] || fail "a second start replaced lockprobed"
expect 0 status
ok "start again: 0, same daemon; status: 0 ($(cat "$T/out"))"

# reload: a netd setting changes, so lockprobed restarts netd.
sed -i 's/^heartbeat-timeout[[:space:]].*/heartbeat-timeout 16/' "$conf"
expect 0 reload
wait_for 10 "netd restarted by the reload" sh -c "[ -n \"\$(pgrep -P $pid -x lockprobe-netd)\" ] && [ \"\$(pgrep -P $pid -x lockprobe-netd)\" != $netd ]"
[ "$(pid_from_file)" = "$pid" ] || fail "reload replaced lockprobed"
wait_for 10 "status after the reload" "$ctl" status
"$ctl" status > "$T/status" 2>&1
grep -q "started 2 times" "$T/status" || fail "netd restart not seen in status: $(cat "$T/status")"
netd=$(netd_pid)
ok "reload: SIGHUP applied (netd restarted for its new setting), lockprobed $pid kept"

cp "$conf" "$T/good.conf"
echo "no-such-key 1" >> "$conf"
expect 6 reload
cat "$T/out"
grep -q "lockprobe.conf:[0-9]*: no-such-key" "$T/out" || fail "reload does not print the error: $(cat "$T/out")"
grep -q "refusing to reload" "$T/out" || fail "reload does not say it refuses: $(cat "$T/out")"
sleep 1
if [ "$(pid_from_file)" != "$pid" ] || [ "$(netd_pid)" != "$netd" ]; then
	fail "a refused reload touched the daemons"
fi
expect 6 restart
grep -q "lockprobe.conf:[0-9]*: no-such-key" "$T/out" || fail "restart does not print the error: $(cat "$T/out")"
if ! running || [ "$(pid_from_file)" != "$pid" ]; then
	fail "a refused restart stopped lockprobed"
fi
ok "broken configuration: reload and restart refused with exit 6 and its errors, daemon kept"

cp "$T/good.conf" "$conf"
expect 0 restart
wait_for 10 "lockprobed up after restart" up
kill -0 "$pid" 2>/dev/null && fail "the old lockprobed $pid is still running after restart"
pid=$(pid_from_file)
PRIVD_PID=$pid
ok "restart: new lockprobed $pid, up"

expect 0 stop
! kill -0 "$pid" 2>/dev/null || fail "lockprobed $pid still running after stop"
[ -z "$(pgrep -P "$pid" -x lockprobe-netd)" ] || fail "netd left running"
[ ! -e "$pidfile" ] || fail "pidfile left behind"
[ ! -e "$sock" ] || fail "control socket left behind"
PRIVD_PID=
expect 3 status
expect 0 stop
ok "stop: both processes gone, pidfile and socket removed; status 3; stop again 0"

# A crash leaves the pidfile: status says dead (1), start recovers.
expect 0 start
wait_for 10 "lockprobed up" up
pid=$(pid_from_file)
PRIVD_PID=$pid
kill -KILL "$pid"
wait_for 5 "lockprobed $pid gone" sh -c "! kill -0 $pid"
[ -e "$pidfile" ] || fail "no stale pidfile after SIGKILL"
expect 1 status
ok "status with a stale pidfile: 1 ($(cat "$T/out"))"
wait_for 10 "the orphaned netd gone" sh -c "! pgrep -x lockprobe-netd -u $NETD_USER | while read -r p; do [ \"\$(readlink /proc/\$p/root)\" = '$prefix/var/lib/lockprobe' ] && echo \$p; done | grep -q ."
expect 0 start
wait_for 10 "lockprobed up after a crash" up
PRIVD_PID=$(pid_from_file)
expect 0 stop
PRIVD_PID=
ok "start after a crash: up again; stopped"

echo "broken" >> "$conf"
expect 6 start
running && fail "started with a broken configuration"
ok "start with a broken configuration: 6, not started"
echo "PASS: $TEST_NAME"
