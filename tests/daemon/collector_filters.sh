#!/bin/sh
# The collector's settings from lockprobe.conf, through the real netd and
# lockprobectl: map-include, map-exclude and map-types decide which maps
# are tracked (stats list only those), status prints the settings, where
# they came from and how many maps they leave out; lockprobectl rewalk
# walks at once and finds a new map.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
setup_map_test
ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }

# names no other test uses: P_app_a (hash), P_app_b (lru_hash, excluded),
# P_app_q (queue: not a listed type), P_other (not included)
P=f$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')
A=$(pin_map "${P}_app_a" hash 4)
B=$(pin_map "${P}_app_b" lru_hash 4)
Q=$(pin_map "${P}_app_q" queue 0)
O=$(pin_map "${P}_other" hash 4)
# tracked ID: 1 if lockprobectl stats has rows for the map
tracked() {
	ctl -j stats "$1" | python3 -c 'import json, sys
print(1 if [r for r in json.load(sys.stdin)["stats"]] else 0)'
}

# rewalks only on request: the test decides when maps are seen
write_conf "rewalk-interval 86400" "map-include ${P}_app_*" \
    "map-exclude \"*_b, *_c\"" "map-types hash,lru_hash,queue_x" 2>/dev/null
"$LOCKPROBED" -n -f "$CONF" 2> "$T/check" && fail "map-types queue_x accepted"
grep -q "map-types: 'queue_x' is not valid" "$T/check" || fail "lockprobed -n: $(cat "$T/check")"
write_conf "rewalk-interval 86400" "map-include ${P}_app_*" \
    "map-exclude \"*_b, *_c\"" "map-types hash,lru_hash"
start_daemon
wait_netd_up 1

ctl status > "$T/status" || fail "status: $(cat "$T/status")"
grep -q "^collector settings (from lockprobe.conf): enabled, rewalk every 86400 s, range budget 65536$" "$T/status" ||
    fail "no settings line: $(cat "$T/status")"
grep -q "^  include: ${P}_app_\*$" "$T/status" || fail "include: $(cat "$T/status")"
grep -q "^  exclude: \*_b, \*_c$" "$T/status" || fail "exclude: $(cat "$T/status")"
grep -q "^  map types: hash, lru_hash$" "$T/status" || fail "map types: $(cat "$T/status")"
grep -q "^  maps left out by these filters: [0-9]" "$T/status" || fail "filtered count: $(cat "$T/status")"
ctl -j status > "$T/status.json" || fail "status -j"
python3 - "$T/status.json" <<'PY' || fail "status -j: $(cat "$T/status.json")"
import json, sys
c = json.load(open(sys.argv[1]))["collector"]
s = c["settings"]
assert c["settings_origin"] == "lockprobe.conf", c
assert s["enabled"] is True and s["range_budget"] == 65536, s
assert s["exclude"] == ["*_b", "*_c"] and s["map_types"] == ["hash", "lru_hash"], s
assert c["maps_filtered"] >= 3, c      # P_app_b, P_app_q, P_other at least
assert c["maps_filtered"] < c["maps"], c
PY
ok "status shows lockprobe.conf's settings;$(grep "left out" "$T/status" | sed "s/^ *maps//")"

got=$(tracked "$A")$(tracked "$B")$(tracked "$Q")$(tracked "$O")
[ "$got" = 1000 ] || fail "tracked (${P}_app_a, _app_b, _app_q, _other) = $got, want 1000"
ok "only ${P}_app_a is tracked: excluded, other-type and not-included maps are left out"

D=$(pin_map "${P}_app_d" lru_hash 4)
[ "$(tracked "$D")" = 0 ] || fail "map $D tracked before any walk saw it"
# requested walks are limited to one a second, and the start-up walk may
# be less than that ago
rewalk() { ctl rewalk > "$T/rewalk" 2>&1; }
wait_for 10 "lockprobed to take a rewalk request" rewalk
grep -q "^map walk: [0-9]* maps, [0-9]* lock ranges, in [0-9.]* ms$" "$T/rewalk" || fail "rewalk said: $(cat "$T/rewalk")"
[ "$(tracked "$D")" = 1 ] || fail "rewalk did not find map $D"
ctl -j rewalk > "$T/rewalk.json"
python3 - "$T/rewalk.json" <<'PY' || fail "rewalk -j: $(cat "$T/rewalk.json")"
import json, sys
r = json.load(open(sys.argv[1]))
if r.get("error"):
    assert "less than a second ago" in r["error"], r    # the limit
else:
    assert r["maps"] >= 5 and r["ranges"] > 0, r
PY
ok "lockprobectl rewalk found the new map $D at once"
finish
