#!/bin/sh
# SIGHUP re-reads the configuration: a broken one is refused and the running
# one kept; a good one applies, restarting netd only when its settings change.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
setup_test "heartbeat-interval 1" "heartbeat-timeout 5" "log-level debug"
start_daemon
wait_netd_up 1
pid=$(netd_pid)

cp "$CONF" "$T/good.conf"
echo "heartbeat-interval 0" >> "$CONF"
echo "no-such-key 1" >> "$CONF"
kill -HUP "$PRIVD_PID"
wait_log "reload refused"
log_has "lockprobe.conf:[0-9]*: heartbeat-interval: " || fail "reload error does not name file, line and key"
log_has "no-such-key" || fail "second error not reported"
sleep 2
kill -0 "$PRIVD_PID" || fail "lockprobed died on a bad reload"
[ "$(netd_pid)" = "$pid" ] || fail "netd restarted on a refused reload"
before=$(log_count "answered by netd")
wait_for 10 "heartbeats after the refused reload" sh -c "[ \$(grep -c 'answered by netd' '$LOG') -gt $before ]"
ok "broken configuration refused, old one kept"

write_conf "heartbeat-interval 2" "heartbeat-timeout 5" "log-level debug"
kill -HUP "$PRIVD_PID"
wait_for 10 "configuration reloaded" sh -c "[ \$(grep -c 'configuration reloaded' '$LOG') -ge 1 ]"
sleep 1
[ "$(netd_pid)" = "$pid" ] || fail "netd restarted though none of its settings changed"
ok "heartbeat interval reloaded without restarting netd"

write_conf "heartbeat-interval 2" "heartbeat-timeout 7" "log-level debug"
kill -HUP "$PRIVD_PID"
wait_log "restarting netd: its settings changed"
wait_netd_up 2
[ "$(netd_pid)" != "$pid" ] || fail "netd kept running with old settings"
ok "netd restarted for its new settings"
finish
