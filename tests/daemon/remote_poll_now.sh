#!/bin/sh
# lockprobectl poll, answered by netd itself: with remote configuration off
# it says why not; with a repository it starts a poll now, long before the
# schedule would (poll-interval 3600), and says so with -j too.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/remote_lib.sh"

setup_test "heartbeat-interval 1" "heartbeat-timeout 5"
remote_setup

start_daemon
wait_netd_up 1
if ctl poll > "$T/out" 2>&1; then
	fail "poll started without a repository: $(cat "$T/out")"
fi
grep -q "no poll: remote configuration is off: repository-url is not set" "$T/out" || fail "poll said: $(cat "$T/out")"
ctl status | grep -q "^remote configuration: off" || fail "status: $(ctl status)"
ok "remote configuration off: poll refused with the reason"
stop_daemon

remote_conf "poll-interval 3600" "poll-backoff-max 3600"
start_daemon
wait_netd_up 2
# the first poll comes within 30 s anyway: ask until one has run
n=0
until polls_past 0; do
	ctl poll > "$T/out" 2>&1 || grep -q "a poll is already running" "$T/out" || fail "poll: $(cat "$T/out")"
	n=$((n + 1))
	[ "$n" -le 50 ] || fail "no poll ran"
	sleep 0.2
done
# the next scheduled poll is an hour away: only the request makes another
wait_for 10 "the first poll to end" sh -c "\"$LOCKPROBECTL\" -s \"$T/ctl.sock\" status | grep -q 'trusted: root 1, timestamp 1'"
ctl -j poll > "$T/poll.json" || fail "poll -j: $(cat "$T/poll.json")"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["started"] is True' "$T/poll.json" || fail "poll -j said: $(cat "$T/poll.json")"
wait_for 10 "a second poll, at the request" polls_past 1
ok "poll: a poll at once, an hour before the schedule"

finish
