#!/bin/sh
# SIGTERM and SIGINT stop both processes and remove the pidfile; a second
# instance is refused while one runs.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root

for sig in TERM INT; do
	setup_test
	start_daemon
	wait_netd_up 1
	pid=$(netd_pid)
	[ "$(cat "$T/lockprobed.pid")" = "$PRIVD_PID" ] || fail "pidfile holds '$(cat "$T/lockprobed.pid")', want $PRIVD_PID"

	if "$LOCKPROBED" -d -f "$CONF" > "$T/second.log" 2>&1; then
		fail "a second lockprobed started with the same pidfile"
	fi
	grep -q "already running (pid $PRIVD_PID" "$T/second.log" || fail "second instance error: $(cat "$T/second.log")"
	kill -0 "$PRIVD_PID" || fail "the first instance died"

	kill -"$sig" "$PRIVD_PID"
	wait "$PRIVD_PID"
	rc=$?
	[ "$rc" = 0 ] || fail "lockprobed exited with $rc on SIG$sig"
	PRIVD_PID=
	check_traps
	! kill -0 "$pid" 2>/dev/null || fail "netd $pid still running after SIG$sig"
	[ ! -e "$T/lockprobed.pid" ] || fail "pidfile left behind"
	[ -z "$(pgrep -x lockprobe-netd | while read -r p; do readlink /proc/$p/root; done | grep "$T")" ] || fail "netd process left behind"
	ok "SIG$sig: both processes gone, pidfile removed"
	rm -rf "$T"
done

# a stale pidfile from a crash is taken over
setup_test
echo 999999 > "$T/lockprobed.pid"
start_daemon
wait_netd_up 1
[ "$(cat "$T/lockprobed.pid")" = "$PRIVD_PID" ] || fail "stale pidfile not replaced"
ok "stale pidfile replaced"
finish
