#!/bin/sh
# The collector in the running daemon: kernel symbols resolved, every map
# walked with hash-checked assets, a map created after start found by the
# re-walk and a destroyed one gone, all visible in lockprobectl status.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
setup_map_test "rewalk-interval 1"
ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }

# map_seen ID: the last walk lists that map id (1) or not (0)
walk_count() {
	ctl -j status | python3 -c 'import json, sys; print(json.load(sys.stdin)["collector"]["walks"])'
}

start_daemon
wait_netd_up 1
ctl status > "$T/status" || fail "status: $(cat "$T/status")"
grep -q "^kernel symbols: [0-9]* of [0-9]* found with bpf-iterator" "$T/status" || fail "no ksym line: $(cat "$T/status")"
grep -q "^BPF asset mapwalk.bpf.o: loaded" "$T/status" || fail "mapwalk asset not loaded: $(cat "$T/status")"
grep -q "^BPF asset ksym.bpf.o: loaded" "$T/status" || fail "ksym asset not loaded"
log_has "map walk 1: [0-9]* maps" || fail "no first walk in the log"
ok "kernel symbols and first walk: $(grep -m1 'map walk' "$T/status")"

id=$(pin_map lp_walk_test hash 4 128)
w=$(walk_count)
wait_for 10 "a walk after the map was created" sh -c "[ \$('$LOCKPROBECTL' -s '$T/ctl.sock' -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"collector\"][\"walks\"])') -gt $((w + 1)) ]"
log_has "map walk [0-9]*: [0-9]* maps now" || fail "the re-walk did not notice the new map"
ctl -j status > "$T/st.json"
python3 - "$T/st.json" <<'PY' || fail "after create: $(cat "$T/st.json")"
import json, sys
c = json.load(open(sys.argv[1]))["collector"]
assert c["maps"] >= 1 and c["maps_covered"] >= 1 and c["ranges"] >= 2, c
PY
ok "map $id created after start was walked"

before=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["collector"]["maps"])' "$T/st.json")
rm "$T/bpffs/lp_walk_test"
wait_for 10 "the destroyed map to disappear" sh -c "[ \$('$LOCKPROBECTL' -s '$T/ctl.sock' -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"collector\"][\"maps\"])') -lt $before ]"
ok "destroyed map $id gone from the walk"
finish
