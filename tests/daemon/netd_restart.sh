#!/bin/sh
# netd killed with SIGKILL, or hung (stopped), is restarted by lockprobed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
setup_test "heartbeat-interval 1" "heartbeat-timeout 3"
start_daemon
wait_netd_up 1
first=$(netd_pid)

kill -KILL "$first"
wait_log "netd (pid $first) killed by signal 9"
wait_netd_up 2
second=$(netd_pid)
[ -n "$second" ] && [ "$second" != "$first" ] || fail "netd not restarted after kill -9"
ok "kill -9: netd $first replaced by $second"

kill -STOP "$second"
wait_log "netd (pid $second) has not answered heartbeats for 3 s; killing it" 15
wait_netd_up 3 15
third=$(netd_pid)
[ -n "$third" ] && [ "$third" != "$second" ] || fail "hung netd not replaced"
kill -0 "$second" 2>/dev/null && fail "hung netd $second still exists"
ok "hung netd $second killed and replaced by $third"
kill -0 "$PRIVD_PID" || fail "lockprobed died"
finish
