#!/bin/sh
# contrib/lockprobe-grafana.json queries only metrics that the endpoint of
# a running lockprobed exports: every PromQL expression of the dashboard is
# read for metric names and compared with a real scrape; and the check
# itself fails on a dashboard with a misspelt metric.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
PY=/usr/bin/python3
$PY -c 'import prometheus_client' 2>/dev/null || skip "needs python3-prometheus-client"
DASHBOARD=$top_srcdir/contrib/lockprobe-grafana.json
CHECK="$PY $top_srcdir/tests/dashboard_check.py"
PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setup_test "metrics-listen 127.0.0.1:$PORT"
start_daemon
wait_netd_up 1
$PY "$top_srcdir/tests/metrics_client.py" "$PORT" get /metrics > "$T/answer" || fail "scrape"
[ "$(head -n 1 "$T/answer")" = "HTTP/1.1 200 OK" ] || fail "scrape: $(head -n 1 "$T/answer")"
sed 1d "$T/answer" > "$T/scrape.txt"

$CHECK "$DASHBOARD" "$T/scrape.txt" > "$T/check.out" 2>&1 || fail "$(cat "$T/check.out")"
ok "$(grep expressions "$T/check.out")"
for m in lockprobe_lock_wait_seconds_bucket lockprobe_observability \
    lockprobe_remote_polls_total lockprobe_remote_config_applied; do
	grep -q "^used:.* $m\( \|$\)" "$T/check.out" || fail "the dashboard does not query $m"
done
ok "it queries contention, the wait-time histogram, observability, polls and applies"

sed 's/lockprobe_remote_poll_failures_total/lockprobe_remote_poll_failure_total/' \
    "$DASHBOARD" > "$T/misspelt.json"
if $CHECK "$T/misspelt.json" "$T/scrape.txt" > "$T/check.out" 2>&1; then
	fail "a misspelt metric passed the check"
fi
grep -q "lockprobe_remote_poll_failure_total is not exported" "$T/check.out" || fail "$(cat "$T/check.out")"
ok "a misspelt metric is caught"
finish
