#!/bin/sh
# Contention recorded by the running daemon, read with lockprobectl stats
# and hist: real sleeping-lock contention made by lockprobe-stress on a map
# of its own is attributed to that map, an untouched map shows no waits, and
# a lock class this host cannot see reads "not observable", never 0.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
setup_map_test "rewalk-interval 1"
STRESS=$top_builddir/bench/lockprobe-stress
[ -x "$STRESS" ] || fail "$STRESS is not built"
ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }

start_daemon
wait_netd_up 1
ctl -j status > "$T/status.json" || fail "status"
python3 - "$T/status.json" > "$T/verdicts" <<'PY' || fail "calibration in status: $(cat "$T/status.json")"
import json, sys
cal = json.load(open(sys.argv[1]))["calibration"]
v = {c["lock_class"]: c["verdict"] for c in cal["classes"]}
assert set(v) == {"spinning", "sleeping"}, v
for c in cal["classes"]:
    assert c["reason"], c
print(v["spinning"], "|", v["sleeping"])
PY
spin=$(cut -d'|' -f1 "$T/verdicts" | xargs)
sleep_v=$(cut -d'|' -f2 "$T/verdicts" | xargs)
ok "calibration: spinning locks $spin, sleeping locks $sleep_v"

# an untouched map
quiet=$(pin_map lp_quiet hash)

# real contention on a map of the stress helper's own, while it runs
# (longer than the test needs, in a process group of its own: it and its
# workers are stopped once stats and hist are read, so that its map still
# exists when they are)
setsid "$STRESS" -d 30000 -m mmap array > "$T/stress.out" 2>&1 &
stress=$!
wait_for 10 "lps_array in stats" sh -c \
    "'$LOCKPROBECTL' -s '$T/ctl.sock' stats | grep -q ' lps_array '"
if [ "$sleep_v" = observable ]; then
	wait_for 15 "freeze_mutex waits on lps_array in stats" sh -c \
	    "'$LOCKPROBECTL' -s '$T/ctl.sock' -j stats | python3 -c '
import json, sys
rows = [r for r in json.load(sys.stdin)[\"stats\"] if r[\"map_name\"] == \"lps_array\" and r[\"lock_kind\"] == \"freeze_mutex\"]
sys.exit(0 if rows and rows[0][\"count\"] else 1)'"
fi
ctl -j stats > "$T/stats.json" || fail "stats -j"
ctl stats > "$T/stats.txt" || fail "stats"
map=$(python3 -c 'import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["stats"] if r["map_name"] == "lps_array"]
print(rows[0]["map_id"])' "$T/stats.json") || fail "lps_array not in stats: $(cat "$T/stats.json")"
ctl hist "$map" > "$T/hist.txt" || fail "hist $map"
kill -TERM -- "-$stress" 2>/dev/null	# it and its worker processes
wait "$stress" 2>/dev/null

# the maps lockprobed holds itself (its BPF programs' maps)
own=$(cat /proc/"$PRIVD_PID"/fdinfo/* 2>/dev/null | awk '$1 == "map_id:" { print $2 }' | sort -u | tr '\n' ' ')
[ -n "$own" ] || fail "lockprobed holds no BPF map"
python3 - "$T/stats.json" "$quiet" "$spin" "$sleep_v" "$own" <<'PY' || fail "stats: $(cat "$T/stats.txt")"
import json, sys
st = json.load(open(sys.argv[1]))
quiet, spin, sleep_v = int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = st["stats"]
busy = [r for r in rows if r["map_name"] == "lps_array" and r["lock_kind"] == "freeze_mutex"]
assert busy, "no freeze_mutex row for lps_array"
b = busy[0]
if sleep_v == "observable":
    assert b["count"] > 0 and b["lock_class"] == "mutex", b
    assert 0 < b["min_ns"] <= b["max_ns"] and b["total_ns"] >= b["max_ns"], b
    assert sum(b["hist"]) == b["count"], b
elif sleep_v == "not observable here":
    assert b["count"] is None, b
q = [r for r in rows if r["map_id"] == quiet]
assert q, "the untouched map is not in the table"
for r in q:
    verdict = spin if not r["sleeping"] else sleep_v
    if verdict == "not observable here":
        assert r["count"] is None, r     # blind: never a zero
    else:
        assert r["count"] == 0, r        # nothing touched it
kinds = {r["lock_kind"] for r in q}
assert {"htab_bucket", "freeze_mutex"} <= kinds, kinds
own = set(int(x) for x in sys.argv[5].split())
assert not any(r["map_id"] in own for r in rows), "lockprobed's own maps listed"
PY
grep -q "^ *$quiet lp_quiet" "$T/stats.txt" || fail "text table lacks the quiet map: $(cat "$T/stats.txt")"
if [ "$spin" = "not observable here" ]; then
	grep -q "^ *$quiet lp_quiet .*htab_bucket .*not observable here" "$T/stats.txt" || fail "blind spin class not shown as such: $(cat "$T/stats.txt")"
fi
ok "stats: $(grep lps_array "$T/stats.txt" | head -n 1)"
if [ "$sleep_v" = observable ]; then
	grep -q "^map $map (lps_array) freeze_mutex, mutex waits: [1-9]" "$T/hist.txt" || fail "hist: $(cat "$T/hist.txt")"
	grep -q -- "-> .*: [1-9][0-9]* *|\*" "$T/hist.txt" || fail "hist has no bars: $(cat "$T/hist.txt")"
	ok "hist: $(head -n 1 "$T/hist.txt")"
fi

if ctl hist > "$T/usage" 2>&1; then
	fail "hist without a map id"
fi
grep -q "hist needs a map id" "$T/usage" || fail "hist usage: $(cat "$T/usage")"
if ctl stats 12x > "$T/usage" 2>&1; then
	fail "a bad map id"
fi
grep -q "'12x' is not a map id" "$T/usage" || fail "bad map id message: $(cat "$T/usage")"
ok "bad arguments refused"
finish
