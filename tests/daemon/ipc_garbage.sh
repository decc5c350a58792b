#!/bin/sh
# A netd that sends garbage: every bad message is rejected, counted and
# logged, never acted on; its log lines are made printable and rate limited;
# lockprobed keeps running and keeps the (still heartbeating) netd.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
command -v python3 >/dev/null || skip "needs python3"
setup_test
cat > "$T/fake-netd" <<EOF
#!/bin/sh
exec /usr/bin/python3 $top_srcdir/tests/fake_netd.py
EOF
chmod 755 "$T/fake-netd"
LP_NETD_PATH=$T/fake-netd write_conf "heartbeat-interval 1" "heartbeat-timeout 4" "log-level debug"
start_daemon
wait_netd_up 1
pid=$(pgrep -P "$PRIVD_PID" | head -n 1)

wait_log "rejected datagram from netd: wrong direction\|rejected netd-setup message id 4 from netd: wrong direction"
for want in \
    "rejected datagram from netd: truncated: 2 bytes" \
    "rejected datagram from netd: bad magic" \
    "rejected datagram from netd: truncated: frame says 50 bytes" \
    "rejected datagram from netd: undecodable" \
    "rejected unknown message id 2 from netd: unknown type" \
    "rejected hello message id 3 from netd: out of order: hello twice" \
    "rejected heartbeat-ack message id 999 from netd: out of order" \
    "rejected netd-setup message id 4 from netd: wrong direction" \
    "netd: evil?\[2Jline?forged: entry" \
    "netd is logging too fast"; do
	log_has "$want" || fail "not in the log: $want"
done
ok "every bad message rejected and logged"
long=$(grep -o 'netd: xxxx*' "$LOG" | head -n 1)
[ "${#long}" -le 520 ] || fail "a 5000-byte log line was not cut (${#long})"
[ "$(grep -c 'info: netd: flood' "$LOG")" -lt 600 ] || fail "log flood not rate limited"
ok "log lines sanitised, bounded and rate limited"

# it keeps answering heartbeats, so it stays
before=$(log_count "answered by netd")
sleep 5
[ "$(log_count "answered by netd")" -gt "$before" ] || fail "heartbeats stopped"
[ "$(pgrep -P "$PRIVD_PID" | head -n 1)" = "$pid" ] || fail "the netd was replaced"
log_has "killing it" && fail "lockprobed killed a netd that answers heartbeats"
ok "lockprobed kept running with the same netd"
finish
