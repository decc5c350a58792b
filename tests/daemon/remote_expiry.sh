#!/bin/sh
# Expiry, end to end: a timestamp that has already expired is refused; when
# the trusted timestamp expires and no fresh one can be had, each product
# follows its policy (lockstat-on-expiry revert: lockprobed goes back to
# lockprobe.conf's settings; netd-on-expiry keep), status says what
# happened and why; a fresh timestamp brings the configuration back.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/remote_lib.sh"
command -v openssl >/dev/null || skip "needs the openssl command"

setup_test
remote_setup
resign() { python3 "$top_srcdir/tests/resign_timestamp.py" "$SRV/repo" "$T/keys" "$1" >> "$T/repo.log" 2>&1 || fail "resign_timestamp.py: $(tail -n 3 "$T/repo.log")"; }

publish lockstat/default.json '{"rewalk_interval_sec": 45}'
publish netd/default.json '{"poll_interval_sec": 1}'
remote_conf "poll-interval 1" "poll-backoff-max 2" \
    "lockstat-on-expiry revert" "netd-on-expiry keep"
start_daemon
wait_netd_up 1
wait_status "lockstat: lockstat/default.json (targets version 3) applied"
wait_status "netd: netd/default.json (targets version 3) applied"
status_has "collector settings (from lockstat/default.json" || fail "lockprobed: $(cat "$T/status")"
ok "both products applied"

# a new timestamp that has already expired: refused, nothing changes
cp "$SRV/repo/metadata/timestamp.json" "$T/timestamp.good"
resign -3600
wait_status "last error: timestamp version 4 expired at"
wait_log "poll failed.*timestamp version 4 expired"
status_has "lockstat: lockstat/default.json (targets version 3) applied" || fail "expired timestamp: $(cat "$T/status")"
ok "expired timestamp refused: $(grep 'last error' "$T/status")"

# a timestamp that expires in a few seconds: accepted, then it expires
cp "$T/timestamp.good" "$SRV/repo/metadata/timestamp.json"
resign 6
wait_status "trusted: root 1, timestamp 4"
wait_status "expiry: lockstat: reverted to lockprobe.conf; netd: kept (timestamp expired at" 30
wait_status "collector settings (from lockprobe.conf)"
wait_log "lockstat: lockstat/default.json is no longer in force (the timestamp expired); back to lockprobe.conf"
status_has "netd: netd/default.json (targets version 3) applied" || fail "netd's settings were not kept: $(cat "$T/status")"
ok "trusted timestamp expired: $(grep 'expiry:' "$T/status")"

# a fresh timestamp: the configuration comes back
lr timestamp -e 7
wait_status "lockstat: lockstat/default.json (targets version 3) applied" 20
wait_status "collector settings (from lockstat/default.json"
status_has "expiry:" && fail "the expiry note stayed: $(cat "$T/status")"
ok "fresh timestamp: lockstat/default.json in force again"

finish
