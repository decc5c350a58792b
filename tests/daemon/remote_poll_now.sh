#!/bin/sh
# lockprobectl poll, answered by netd itself: with remote configuration off
# it says why not; with a repository it starts a poll now, long before the
# schedule would (poll-interval 3600), and says so with -j too.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/fetch_lib.sh"
require_root
command -v python3 >/dev/null || skip "needs python3"
REPO_TOOL=$top_builddir/tools/lockprobe-repo
[ -x "$REPO_TOOL" ] || fail "$REPO_TOOL not built"

setup_test "heartbeat-interval 1" "heartbeat-timeout 5"
ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }
polls() { ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["netd"]["remote"].get("polls", 0))'; }
polls_at_least() { [ "$(polls)" -ge "$1" ]; }

start_daemon
wait_netd_up 1
if ctl poll > "$T/out" 2>&1; then
	fail "poll started without a repository: $(cat "$T/out")"
fi
grep -q "no poll: remote configuration is off: repository-url is not set" "$T/out" || fail "poll said: $(cat "$T/out")"
ctl status | grep -q "^remote configuration: off" || fail "status: $(ctl status)"
ok "remote configuration off: poll refused with the reason"
stop_daemon

SRV=$T/srv
mkdir -p "$SRV"
"$REPO_TOOL" -d "$SRV/repo" -k "$T/keys" init > "$T/repo.log" 2>&1 || fail "lockprobe-repo init: $(cat "$T/repo.log")"
cp "$SRV/repo/metadata/1.root.json" "$T/root.json"
make_certs "$SRV"
start_fetch_server "$SRV"
write_conf "heartbeat-interval 1" "heartbeat-timeout 5" \
    "repository-url http://127.0.0.1:$HTTP_PORT/repo" \
    "trusted-root $T/root.json" "poll-interval 3600" "poll-backoff-max 3600"
start_daemon
wait_netd_up 2
# the first poll comes within 30 s anyway: ask until one has run
n=0
until polls_at_least 1; do
	ctl poll > "$T/out" 2>&1 || grep -q "a poll is already running" "$T/out" || fail "poll: $(cat "$T/out")"
	n=$((n + 1))
	[ "$n" -le 50 ] || fail "no poll ran"
	sleep 0.2
done
# the next scheduled poll is an hour away: only the request makes another
wait_for 10 "the first poll to end" sh -c "\"$LOCKPROBECTL\" -s \"$T/ctl.sock\" status | grep -q 'trusted: root 1, timestamp 1'"
ctl -j poll > "$T/poll.json" || fail "poll -j: $(cat "$T/poll.json")"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["started"] is True' "$T/poll.json" || fail "poll -j said: $(cat "$T/poll.json")"
wait_for 10 "a second poll, at the request" polls_at_least 2
ok "poll: a poll at once, an hour before the schedule"

finish
