#!/bin/sh
# The Prometheus metrics endpoint of a running lockprobed, scraped for real:
# with real sleeping-lock contention made by lockprobe-stress, the output
# passes promtool and python3-prometheus-client's parser, the stress map's
# waits are there as a histogram, a lock class this host cannot observe has
# no samples (never a zero) and its verdict is a gauge; bad requests (wrong
# path or method, garbage, a huge request, a slow one, too many clients) get
# bounded 4xx/5xx answers and netd keeps running in its sandbox.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
PY=/usr/bin/python3
require_bpftool
command -v promtool >/dev/null || skip "needs promtool (Debian package prometheus)"
$PY -c 'import prometheus_client' 2>/dev/null || skip "needs python3-prometheus-client"
STRESS=$top_builddir/bench/lockprobe-stress
[ -x "$STRESS" ] || fail "$STRESS is not built"
CLIENT="$PY $top_srcdir/tests/metrics_client.py"
PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setup_test "rewalk-interval 1" "metrics-listen 127.0.0.1:$PORT"
mount_bpffs
ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }
scrape() { $CLIENT "$PORT" get /metrics > "$T/answer" && sed -n '2,$p' "$T/answer" > "$1" && head -n 1 "$T/answer"; }

# an address in use: lockprobed refuses to start, and says what to do
$PY -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
open(sys.argv[2], "w").close(); time.sleep(60)' "$PORT" "$T/held" &
holder=$!
wait_for 10 "the port held" test -e "$T/held"
if "$LOCKPROBED" -d -f "$CONF" > "$T/busy.out" 2>&1; then
	kill "$holder"
	fail "lockprobed started on a port in use"
fi
kill "$holder"
wait "$holder" 2>/dev/null
grep -q "metrics-listen 127.0.0.1:$PORT: Address already in use; choose a free port" "$T/busy.out" || fail "port in use: $(cat "$T/busy.out")"
ok "a port in use: $(grep -o 'metrics-listen.*' "$T/busy.out")"

start_daemon
wait_netd_up 1
netd=$(netd_pid)

# real contention on the stress helper's own map, while it runs
setsid "$STRESS" -d 30000 -m mmap array > "$T/stress.out" 2>&1 &
stress=$!
wait_for 10 "the stress helper's map" sh -c ". '$top_srcdir/tests/lib.sh'; [ -n \"\$(process_map_ids $stress)\" ]"
ours=$(process_map_ids "$stress")
id=${ours%% *}
wait_for 10 "map $id in the metrics" sh -c \
    "$CLIENT $PORT get /metrics 2>/dev/null | grep -q 'map_id=\"$id\",map_name=\"lps_array\"'"
ctl -j status > "$T/status0.json" || fail "status"
sleep_v=$($PY -c 'import json, sys
cal = json.load(open(sys.argv[1]))["calibration"]
print([c["verdict"] for c in cal["classes"] if c["lock_class"] == "sleeping"][0])' "$T/status0.json")
if [ "$sleep_v" = observable ]; then
	wait_for 15 "freeze_mutex waits on map $id in the metrics" sh -c \
	    "$CLIENT $PORT get /metrics 2>/dev/null | grep -q '^lockprobe_lock_wait_seconds_count{map_id=\"$id\",.*lock=\"freeze_mutex\".*} [1-9]'"
fi
# the scrape first: what lockprobectl says after it can only be more
[ "$(scrape "$T/m1.txt")" = "HTTP/1.1 200 OK" ] || fail "scrape: $(head -n 1 "$T/answer")"
ctl -j stats > "$T/stats.json" || fail "stats -j"
ctl -j status > "$T/status.json" || fail "status"
kill -TERM -- "-$stress" 2>/dev/null
wait "$stress" 2>/dev/null

promtool check metrics < "$T/m1.txt" > "$T/promtool.out" 2>&1 || fail "promtool: $(cat "$T/promtool.out")"
ok "promtool check metrics: clean ($(wc -l < "$T/m1.txt") lines)"

$PY - "$T/m1.txt" "$T/stats.json" "$T/status.json" "$id" <<'PY' || fail "metrics content"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
stats = json.load(open(sys.argv[2]))
status = json.load(open(sys.argv[3]))
ours = sys.argv[4]

# the stress map's waits: a histogram with cumulative log2 buckets in seconds
h = fams["lockprobe_lock_wait_seconds"]
assert h.type == "histogram", h.type
series = {}
for s in h.samples:
    key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
    series.setdefault(key, []).append(s)
assert series, "no lock series"
for key, samples in series.items():
    buckets = [(float(s.labels["le"]), s.value) for s in samples if s.name.endswith("_bucket")]
    assert buckets[-1][0] == float("inf"), key
    les = [b[0] for b in buckets]
    assert les == sorted(les) and len(set(les)) == len(les), key
    vals = [b[1] for b in buckets]
    assert vals == sorted(vals), ("buckets not cumulative", key, vals)
    count = [s.value for s in samples if s.name.endswith("_count")][0]
    assert count == vals[-1], (key, count, vals[-1])
    assert [s.value for s in samples if s.name.endswith("_sum")][0] >= 0
# every row of the stress map that lockprobectl shows with a count is in
# the scrape, not above it (lockprobectl asked later); a row of a blind
# class ("count": null) is not
def labels(r):
    return tuple(sorted({"map_id": str(r["map_id"]), "map_name": r["map_name"],
        "map_type": r["map_type"], "lock": r["lock_kind"],
        "lock_class": r["lock_class"]}.items()))
for r in stats["stats"]:
    if r["count"] is None:
        assert labels(r) not in series, ("a blind class has samples", r)
    elif str(r["map_id"]) == ours:
        got = [s.value for s in series[labels(r)] if s.name.endswith("_count")][0]
        assert got <= r["count"], (r, got)
busy = [k for k in series if ("map_id", ours) in k and ("lock", "freeze_mutex") in k]
assert busy, "the stress map's freeze_mutex is not in the scrape"
verdicts = {c["lock_class"]: c["verdict"] for c in status["calibration"]["classes"]}
if verdicts["sleeping"] == "observable":
    c = [s.value for s in series[busy[0]] if s.name.endswith("_count")][0]
    assert c > 0, "no waits on the stress map"
    mx = [s for s in fams["lockprobe_lock_wait_max_seconds"].samples
          if s.labels["map_id"] == ours and s.labels["lock"] == "freeze_mutex"]
    assert mx and mx[0].value > 0, mx

# the observability verdict per lock class: exactly one verdict is 1
obs = fams["lockprobe_observability"]
name = {"observable": "observable", "not observable here": "blind", "inconclusive": "inconclusive"}
for cls, v in verdicts.items():
    on = [s.labels["verdict"] for s in obs.samples if s.labels["lock_class"] == cls and s.value == 1]
    assert on == [name.get(v, v)], (cls, v, on)

# the daemon's own health
def one(n, **lab):
    # the parser names a counter's family without _total
    f = fams[n[:-len("_total")]] if n.endswith("_total") else fams[n]
    got = [s.value for s in f.samples if s.name == n and all(s.labels.get(k) == v for k, v in lab.items())]
    assert len(got) == 1, (n, lab, got)
    return got[0]
assert one("lockprobe_build_info", version=status["version"]) == 1
assert one("lockprobe_netd_restarts_total") == 0
assert one("lockprobe_ipc_messages_sent_total", process="lockprobed") > 0
assert one("lockprobe_ipc_messages_rejected_total", process="lockprobe-netd") == 0
for a in status["assets"]:
    # each walk loads mapwalk.bpf.o again: status came after the scrape
    assert one("lockprobe_asset_loads_total", asset=a["name"], outcome="loaded") <= a["loaded"], a
    assert one("lockprobe_asset_loaded", asset=a["name"]) == (a["last_outcome"] == "loaded")
assert one("lockprobe_collector_walks_total") >= 1
assert one("lockprobe_remote_polls_total") >= 0
print("series:", len(series))
PY
ok "the scrape parses, and its histograms and verdicts agree with lockprobectl"

# bad requests: bounded answers, and netd lives on
expect() {
	[ "$1" = "$2" ] || fail "$3: answered '$1', expected '$2'"
	ok "$3: $1"
}
expect "$($CLIENT "$PORT" get / | head -n 1)" "HTTP/1.1 404 Not Found" "GET /"
expect "$($CLIENT "$PORT" get /metrics/../etc | head -n 1)" "HTTP/1.1 404 Not Found" "GET /metrics/../etc"
expect "$($CLIENT "$PORT" get /metrics POST | head -n 1)" "HTTP/1.1 405 Method Not Allowed" "POST /metrics"
expect "$($CLIENT "$PORT" get /metrics HEAD | head -n 1)" "HTTP/1.1 405 Method Not Allowed" "HEAD /metrics"
expect "$($CLIENT "$PORT" raw 00ff0d0a0d0a)" "HTTP/1.1 400 Bad Request" "binary garbage"
expect "$($CLIENT "$PORT" raw 474554202f6d657472696373204654502f312e300d0a0d0a)" "HTTP/1.1 400 Bad Request" "GET /metrics FTP/1.0"
expect "$($CLIENT "$PORT" huge 8000)" "HTTP/1.1 431 Request Header Fields Too Large" "8000 bytes of headers"
expect "$($CLIENT "$PORT" huge 2000000)" "HTTP/1.1 431 Request Header Fields Too Large" "2 MB of headers"
expect "$($CLIENT "$PORT" slow)" "HTTP/1.1 408 Request Timeout" "a request sent a byte at a time"
expect "$($CLIENT "$PORT" crowd 8)" "HTTP/1.1 503 Service Unavailable" "a ninth client while eight are connected"
[ "$(netd_pid)" = "$netd" ] || fail "netd was replaced (pid $netd, now $(netd_pid))"

[ "$(scrape "$T/m2.txt")" = "HTTP/1.1 200 OK" ] || fail "scrape after the bad requests: $(head -n 1 "$T/answer")"
promtool check metrics < "$T/m2.txt" > "$T/promtool.out" 2>&1 || fail "promtool: $(cat "$T/promtool.out")"
$PY - "$T/m2.txt" <<'PY' || fail "refusals not counted: $(grep refused "$T/m2.txt")"
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
r = {s.labels["reason"]: s.value for s in fams["lockprobe_metrics_refused"].samples}
want = {"not_found": 2, "method_not_allowed": 2, "bad_request": 2, "too_large": 2,
        "timeout": 1, "too_many_clients": 1}
for k, v in want.items():
    assert r[k] == v, (k, r[k], v)
assert [s.value for s in fams["lockprobe_metrics_scrapes"].samples][0] >= 2
PY
ctl -j status > "$T/status.json" || fail "status"
$PY -c 'import json, sys
m = json.load(open(sys.argv[1]))["netd"]["metrics"]
assert m["scrapes"] >= 2 and m["refused"] >= 10, m' "$T/status.json" || fail "status -j: $(cat "$T/status.json")"
ctl status | grep -q "^  metrics endpoint: clients [0-9]*, scrapes [1-9][0-9]*, refused [1-9][0-9]*$" || fail "status: $(ctl status)"
ok "netd (pid $netd) still serves, and counted each refusal (lockprobectl status too)"
finish
