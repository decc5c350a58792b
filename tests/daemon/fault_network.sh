#!/bin/sh
# Fault injection on the network path, with the configuration in force
# kept each time, a clear line in the log and status, netd still serving,
# and recovery when the fault goes away:
#   - DNS: the repository's name does not exist (NXDOMAIN), then the only
#     nameserver is dead.  netd reads resolv.conf before its sandbox, so
#     lockprobed runs in a private mount namespace whose /etc/resolv.conf
#     is the test's (the host's own is left alone);
#   - the server closes the connection mid-body, on metadata and on a
#     configuration target.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/remote_lib.sh"

setup_test
remote_setup
command -v unshare >/dev/null || skip "needs unshare (util-linux)"
printf 'nameserver 127.0.0.1:%s\noptions timeout:1 attempts:1\n' "$DNS_PORT" > "$T/resolv.conf"
cat > "$T/lockprobed-ns" <<EOS
#!/bin/sh
exec unshare --mount --propagation private sh -c 'mount --bind "\$0" /etc/resolv.conf && exec "\$@"' "$T/resolv.conf" "$LOCKPROBED" "\$@"
EOS
chmod 755 "$T/lockprobed-ns"
unshare --mount --propagation private true 2>/dev/null || skip "cannot make a mount namespace"
LOCKPROBED=$T/lockprobed-ns

publish lockstat/default.json '{"rewalk_interval_sec": 45}'
conf_for() {	# conf_for HOST
	write_conf "heartbeat-interval 1" "heartbeat-timeout 5" \
	    "repository-url http://$1:$HTTP_PORT/repo" \
	    "trusted-root $T/root.json" "poll-interval 1" "poll-backoff-max 2"
}

# the name does not exist: nothing to apply, the reason said
conf_for nxdomain.test
start_daemon
wait_netd_up 1
wait_status "last error: .*cannot resolve nxdomain.test"
wait_log "poll failed.*cannot resolve nxdomain.test"
status_has "collector settings (from lockprobe.conf)" || fail "settings: $(cat "$T/status")"
ok "NXDOMAIN: $(grep 'last error' "$T/status")"

# a name that resolves: applied
conf_for good.test
kill -HUP "$PRIVD_PID"
wait_status "collector settings (from lockstat/default.json (targets version 2)).*rewalk every 45 s" 30
ok "good.test resolves: applied"

# the nameserver is dead (nothing listens on its port); a new netd reads it
dead=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'nameserver 127.0.0.1:%s\noptions timeout:1 attempts:1\n' "$dead" > "$T/resolv.conf"
publish lockstat/default.json '{"rewalk_interval_sec": 50}'
kill -KILL "$(netd_pid)"
wait_netd_up 3 20
wait_status "last error: .*cannot resolve good.test" 30
status_has "collector settings (from lockstat/default.json (targets version 2)).*rewalk every 45 s" ||
    fail "the configuration in force changed: $(cat "$T/status")"
ok "dead nameserver: $(grep 'last error' "$T/status")"

printf 'nameserver 127.0.0.1:%s\noptions timeout:1 attempts:1\n' "$DNS_PORT" > "$T/resolv.conf"
kill -KILL "$(netd_pid)"
wait_netd_up 4 20
wait_status "collector settings (from lockstat/default.json (targets version 3)).*rewalk every 50 s" 30
ok "the nameserver back: the update applied"

# mid-body: metadata, then the configuration file itself
echo "truncate:snapshot" > "$SRV/repo-mode"
publish lockstat/default.json '{"rewalk_interval_sec": 55}'
wait_status "last error: .*snapshot.json.*truncated body: the connection closed after [0-9]* of [0-9]* bytes"
wait_log "poll failed.*truncated body"
status_has "rewalk every 50 s" || fail "the configuration in force changed: $(cat "$T/status")"
ok "snapshot cut mid-body: $(grep 'last error' "$T/status")"
echo "truncate:targets/" > "$SRV/repo-mode"
wait_log "poll failed.*/targets/lockstat/[0-9a-f]*.default.json: truncated body"
status_has "rewalk every 50 s" || fail "the configuration in force changed: $(cat "$T/status")"
netd_running || fail "netd is not running"
ok "configuration target cut mid-body: $(grep 'truncated body' "$LOG" | tail -n 1)"
rm -f "$SRV/repo-mode"
wait_status "collector settings (from lockstat/default.json (targets version 4)).*rewalk every 55 s" 20
ok "whole bodies again: the update applied"

finish
