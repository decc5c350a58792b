#!/bin/sh
# Fault injection, clock jumps forward past an expiry: the host's clock is
# left alone and netd has no clock hook; instead metadata is re-signed to
# expire seconds from now (tests/resign_role.py), which is what netd sees
# when its clock jumps past the expiry.  First a delegated role (team,
# lockstat/*), then the top-level targets role.  Each time: every poll
# fails with the role and its expiry, the configuration in force stays,
# netd keeps serving, and fresh metadata brings the next update.
# (A jump backward can only make expired metadata look valid again, which
# TUF accepts by design; rollback is refused by versions, not by time, as
# remote_config.sh tests; netd's schedule and apply timer are monotonic.)
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/remote_lib.sh"
command -v openssl >/dev/null || skip "needs the openssl command"

setup_test
remote_setup
resign_role() { python3 "$top_srcdir/tests/resign_role.py" "$SRV/repo" "$T/keys" "$1" "$2" >> "$T/repo.log" 2>&1 || fail "resign_role.py: $(tail -n 3 "$T/repo.log")"; }
role_version() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["signed"]["version"])' "$SRV/repo/metadata/$1.json"; }
lr keygen team
lr delegate -x -p 'lockstat/*' team team
publish lockstat/default.json '{"rewalk_interval_sec": 45}' -r team
remote_conf "poll-interval 1" "poll-backoff-max 2"
start_daemon
wait_netd_up 1
wait_status "collector settings (from lockstat/default.json.*rewalk every 45 s"

# expire_in_force ROLE REWALK: ROLE expires in a few seconds, then stays
# expired; every poll fails and the settings (rewalk every REWALK s) stay
expire_in_force() {
	resign_role "$1" 6
	_v=$(role_version "$1")
	wait_status "trusted: root 1, timestamp $(repo_timestamp_version)"
	wait_log "poll failed.*$1 version $_v expired at" 30
	wait_status "last error: .*$1 version $_v expired at"
	status_has "collector settings (from lockstat/default.json.*rewalk every $2 s" || fail "the configuration in force changed: $(cat "$T/status")"
	netd_running || fail "netd is not running"
	ok "$1 expired: $(grep 'last error' "$T/status")"
}

# the delegated role
expire_in_force team 45
publish lockstat/default.json '{"rewalk_interval_sec": 50}' -r team
wait_status "collector settings (from lockstat/default.json.*rewalk every 50 s"
ok "a fresh team: the update applied"

# the top-level targets role
expire_in_force targets 50
# targets re-signed by lockprobe-repo (a top-level target added), then an update
publish netd/default.json '{"poll_interval_sec": 1}'
publish lockstat/default.json '{"rewalk_interval_sec": 55}' -r team
wait_status "netd: netd/default.json (targets version [0-9]*) applied"
wait_status "collector settings (from lockstat/default.json.*rewalk every 55 s"
ok "fresh targets: the updates applied"

finish
