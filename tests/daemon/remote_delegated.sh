#!/bin/sh
# Configuration targets signed by delegated roles, end to end: lockstat/*
# delegated (terminating) to the role team, whose targets netd lists and
# lockprobed applies, scope included; a later role delegated the same paths
# is never consulted for them (the search stops at team), so its targets do
# not apply; a target removed from team reverts; a team role signed by a key
# targets does not list is refused and the configuration in force stays.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/remote_lib.sh"

setup_test
remote_setup
lr keygen team
lr keygen later
lr delegate -x -p 'lockstat/*' team team
lr delegate -p 'lockstat/*' -p 'netd/*' later later
publish lockstat/default.json '{"rewalk_interval_sec": 45}' -r team
publish netd/default.json '{"poll_interval_sec": 1}' -r later
remote_conf "poll-interval 1" "poll-backoff-max 2"
start_daemon
wait_netd_up 1
wait_status "lockstat: lockstat/default.json (targets version [0-9]*) applied"
wait_status "netd: netd/default.json (targets version [0-9]*) applied"
wait_status "collector settings (from lockstat/default.json.*rewalk every 45 s"
ok "targets of delegated roles applied: $(grep -E '^ *(lockstat|netd):' "$T/status" | tr -s ' ' | tr '\n' ';')"

# scope from the delegated role's signed custom field: this host first
publish lockstat/mine.json '{"rewalk_interval_sec": 62}' -r team -H "$(hostname)"
wait_status "lockstat: lockstat/mine.json (targets version [0-9]*) applied"
wait_status "collector settings (from lockstat/mine.json.*rewalk every 62 s"
ok "a host-scoped target of team chosen over the unscoped one"

# later lists a more specific lockstat target, but team is terminating for
# lockstat/*: a lookup never reaches later, so it must not apply
publish lockstat/a-later.json '{"rewalk_interval_sec": 70}' -r later -H "$(hostname)"
# the poll that verified this timestamp, and one more, have run
wait_status "trusted: root 1, timestamp $(repo_timestamp_version)"
wait_polls_past "$(polls)"
status_has "lockstat: lockstat/mine.json (targets version [0-9]*) applied" || fail "a target of later applied: $(cat "$T/status")"
status_has "rewalk every 70 s" && fail "lockstat/a-later.json is in force: $(cat "$T/status")"
ok "a target behind a terminating delegation is not listed"

# removed from team: back to the unscoped one
lr remove -r team lockstat/mine.json
wait_status "lockstat: lockstat/default.json (targets version [0-9]*) applied"
wait_status "collector settings (from lockstat/default.json.*rewalk every 45 s"
ok "a target removed from team: lockstat/default.json again"

finish
