#!/bin/sh
# Remote configuration end to end: lockprobed and netd for real, a TUF
# repository made by lockprobe-repo and served over HTTP on loopback.
#   - a lockstat configuration is published and applied by lockprobed,
#     and status says so; netd's own settings (product netd) are applied by
#     netd, a bad one refused, a removed one reverted;
#   - an unchanged repository costs one conditional request per poll (304);
#   - bad updates are refused, the previous configuration stays in force,
#     and the reason is in status and in the log: an invalid value, a bad
#     signature, a rolled-back repository, an oversized timestamp.json;
#   - a server that fails, sends garbage or hangs: back-off, nothing
#     applied, netd's loop goes on, recovery when it comes back; a
#     repository that is not there (404);
#   - netd killed and restarted: its trusted metadata is intact (the first
#     poll is a 304) and the configuration is sent again;
#   - scope: this host's name, then its tags, then unscoped targets; all
#     removed: back to lockprobe.conf;
#   - a truncated file in the store is reported and fetched again.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/remote_lib.sh"

setup_test
remote_setup
failures() { ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["netd"]["remote"]["failures"])'; }
failures_above() { [ "$(failures)" -gt "$1" ]; }
snapshot_repo() { rm -rf "$T/$1"; cp -a "$SRV/repo" "$T/$1"; }
restore_repo() { rm -rf "$SRV/repo"; cp -a "$T/$1" "$SRV/repo"; }
mkdir -p "$T/cfg"

publish lockstat/default.json '{"rewalk_interval_sec": 45, "map_types": ["hash"]}'

remote_conf "poll-interval 1" "poll-backoff-max 3" "host-tags db"
start_daemon
wait_netd_up 1
wait_log "remote configuration from http://127.0.0.1:$HTTP_PORT/repo/"

# 1. published and applied, within two poll intervals of the first poll
wait_status "lockstat: lockstat/default.json (targets version 2) applied"
wait_log "lockstat: lockstat/default.json (targets version 2) applied"
status_has "trusted: root 1, timestamp 2" || fail "versions: $(cat "$T/status")"
# lockprobed's side: the settings in force and where they came from
status_has "collector settings (from lockstat/default.json (targets version 2)).*rewalk every 45 s" || fail "lockprobed's settings: $(cat "$T/status")"
ok "lockstat/default.json applied: $(grep 'lockstat:' "$T/status")"

# 1b. netd's own settings are a product too, applied by netd
printf '{"poll_interval_sec": 1, "log_level": "debug"}\n' > "$T/cfg/netd.json"
lr add netd/default.json "$T/cfg/netd.json"
wait_status "netd: netd/default.json (targets version 3) applied"
printf '{"poll_interval_sec": 1, "log_level": "loud"}\n' > "$T/cfg/netd.json"
lr add netd/default.json "$T/cfg/netd.json"
wait_status "netd: netd/default.json (targets version 4) not applied.*log_level: not one of"
status_has "netd: netd/default.json (targets version 3) applied" || fail "netd settings: $(cat "$T/status")"
lr remove netd/default.json
wait_status "netd: lockprobe.conf (targets version 5) applied"
ok "netd product: applied, a bad one refused, removed and reverted"

# 2. unchanged: one conditional request per poll, answered 304
: > "$SRV/requests.log"
p=$(polls)
wait_for 15 "three more polls" polls_past $((p + 3))
n=$(wc -l < "$SRV/requests.log")
others=$(grep -v '^metadata/timestamp.json 304 0 ' "$SRV/requests.log" || true)
[ "$n" -ge 2 ] || fail "only $n requests in three polls"
[ -z "$others" ] || fail "an unchanged repository cost more than a 304: $others"
ok "unchanged repository: $n polls, each one 304 for timestamp.json"

# 3a. an invalid value is refused; the previous configuration stays
snapshot_repo good2
publish lockstat/default.json '{"rewalk_interval_sec": 45, "range_budget": 1}'
wait_status "lockstat/default.json (targets version 6) not applied.*range_budget: 1 is out of bounds"
status_has "lockstat: lockstat/default.json (targets version 2) applied" || fail "the good configuration is no longer in force: $(cat "$T/status")"
status_has "collector settings (from lockstat/default.json (targets version 2)).*rewalk every 45 s" || fail "lockprobed's settings changed: $(cat "$T/status")"
wait_log "lockstat: refused, lockstat/default.json stays in force: lockstat/default.json: range_budget: 1 is out of bounds"
ok "invalid value refused, version 2 stays in force"

# 3b. a good update goes through again
publish lockstat/default.json '{"rewalk_interval_sec": 50}'
wait_status "lockstat: lockstat/default.json (targets version 7) applied"
snapshot_repo good4
ok "good update applied"

# 3c. a bad signature on a new timestamp
publish lockstat/default.json '{"rewalk_interval_sec": 55}'
python3 - "$SRV/repo/metadata/timestamp.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
sig = doc["signatures"][0]["sig"]
doc["signatures"][0]["sig"] = ("0" if sig[0] != "0" else "1") + sig[1:]
open(sys.argv[1], "w").write(json.dumps(doc))
PY
wait_status "last error: .*timestamp.*signature"
status_has "lockstat: lockstat/default.json (targets version 7) applied" || fail "bad signature: $(cat "$T/status")"
wait_log "poll failed.*signature"
ok "bad signature refused: $(grep 'last error' "$T/status")"

# 3d. a rolled-back repository (an older, validly signed copy)
restore_repo good2
wait_status "last error: .*rolled back"
status_has "lockstat: lockstat/default.json (targets version 7) applied" || fail "rollback: $(cat "$T/status")"
ok "rollback refused: $(grep 'last error' "$T/status")"

# 3e. an oversized timestamp.json
restore_repo good4
head -c 40000 /dev/zero | tr '\0' ' ' >> "$SRV/repo/metadata/timestamp.json"
wait_status "last error: .*timestamp.json.*\(large\|limit\|exceed\)"
status_has "lockstat: lockstat/default.json (targets version 7) applied" || fail "oversized: $(cat "$T/status")"
ok "oversized timestamp.json refused: $(grep 'last error' "$T/status")"

# 4. server errors and garbage: back-off, nothing applied, recovery
restore_repo good4
wait_status "last success" 5
f=$(failures)
echo garbage > "$SRV/repo-mode"
wait_for 20 "three failed polls" failures_above $((f + 2))
wait_log "poll failed again"
echo error > "$SRV/repo-mode"
f=$(failures)
wait_for 20 "another failed poll" failures_above "$f"
status_has "lockstat: lockstat/default.json (targets version 7) applied" || fail "garbage: $(cat "$T/status")"
# slow: the fetch times out; netd's loop goes on (heartbeats, status)
pid=$(netd_pid)
echo slow > "$SRV/repo-mode"
wait_log "poll failed.*timeout\|poll failed.*timed out" 30
[ "$(netd_pid)" = "$pid" ] || fail "netd was restarted while a fetch hung"
ctl status > /dev/null || fail "no status while a fetch hung"
status_has "lockstat: lockstat/default.json (targets version 7) applied" || fail "slow: $(cat "$T/status")"
rm -f "$SRV/repo-mode"
wait_log "the repository is reachable again after" 30
ok "server garbage, errors and silence: back-off, then recovery"

# 5. a repository that is not there
echo absent > "$SRV/repo-mode"
wait_log "no repository there: timestamp.json answers 404" 20
rm -f "$SRV/repo-mode"
wait_log "the repository is there now" 20
ok "404: one clear line, then recovery"

# 6. netd killed: trusted state intact, configuration sent again
pid=$(netd_pid)
applied_before=$(log_count "lockstat: lockstat/default.json (targets version 7) applied")
: > "$SRV/requests.log"
kill -KILL "$pid"
wait_netd_up 2 20
wait_for 20 "the configuration sent again" sh -c "[ \$(grep -c 'lockstat: lockstat/default.json (targets version 7) applied' '$LOG') -gt $applied_before ]"
# the killed netd's last fetch (a target, say) may reach the log after it
# was emptied: judge the metadata requests, every one of which must be a
# 304 for timestamp.json (the rest is trusted from the store)
meta=$(grep '^metadata/' "$SRV/requests.log")
case "$meta" in
"metadata/timestamp.json 304 "*) ;;
*) fail "netd's first poll after a restart was not a 304: $(head -n 3 "$SRV/requests.log")" ;;
esac
! printf '%s\n' "$meta" | grep -v '^metadata/timestamp.json 304 ' ||
    fail "netd fetched metadata again after a restart: $meta"
status_has "trusted: root 1, timestamp 7" || wait_status "trusted: root 1, timestamp 7"
ok "netd restarted: first poll 304, configuration sent again"

# 6b. scope: a tag of this host beats an unscoped target, this host's
# name beats a tag; a removed target gives way to the next best
publish lockstat/db.json '{"rewalk_interval_sec": 60}' -T db -T other
publish lockstat/web.json '{"rewalk_interval_sec": 61}' -T web
wait_status "lockstat: lockstat/db.json (targets version [0-9]*) applied"
publish lockstat/mine.json '{"rewalk_interval_sec": 62}' -H "$(hostname)"
wait_status "lockstat: lockstat/mine.json (targets version 10) applied"
lr remove lockstat/mine.json
wait_status "lockstat: lockstat/db.json (targets version 11) applied"
for t in db web default; do lr remove "lockstat/$t.json"; done
wait_status "lockstat: lockprobe.conf (targets version 1[2-4]) applied"
status_has "collector settings (from lockprobe.conf).*rewalk every 30 s" || fail "not reverted: $(cat "$T/status")"
ok "scope: host, then tag, then unscoped; all removed: back to lockprobe.conf"

# 7. a truncated file in the store: reported, never trusted, fetched again
stop_daemon
store=$T/state/store
[ -f "$store/m-timestamp.json" ] || fail "no stored timestamp: $(ls -l "$store")"
truncate -s 100 "$store/m-timestamp.json"
start_daemon
wait_netd_up 3 20
wait_log "store: .*/m-timestamp.json is not trusted: "
wait_status "trusted: root 1, timestamp 14"
ok "truncated timestamp.json in the store: reported and fetched again"

finish
