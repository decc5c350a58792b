#!/bin/sh
# Fault injection: SIGKILL of netd or of lockprobed at a random point of a
# configuration apply (while netd fetches, verifies and persists, sends the
# settings, or lockprobed applies them).  lockprobed restarts netd by
# itself; a killed lockprobed is started again, as its init system would.
# After each kill: the stored metadata is intact (no store file refused),
# the newest configuration is applied, and lockprobed's settings in force
# are the ones netd reports applied.  The delays are printed, to replay.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/remote_lib.sh"

setup_test
remote_setup
publish lockstat/default.json '{"rewalk_interval_sec": 40}'
remote_conf "poll-interval 1" "poll-backoff-max 2"
start_daemon
ups=1
wait_netd_up $ups
wait_status "collector settings (from lockstat/default.json (targets version 2)).*rewalk every 40 s"

random_ms() { echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 )); }
version=2
for i in 1 2 3 4 5 6; do
	rewalk=$((40 + i))
	delay=$(random_ms 1500)
	publish lockstat/default.json "{\"rewalk_interval_sec\": $rewalk}"
	version=$((version + 1))
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	if [ $((i % 2)) = 1 ]; then
		victim=netd
		kill -KILL "$(netd_pid)" 2>/dev/null
	else
		victim=lockprobed
		old_netd=$(netd_pid)
		kill -KILL "$PRIVD_PID"
		wait "$PRIVD_PID" 2>/dev/null
		# netd sees its socket close and leaves
		[ -z "$old_netd" ] || wait_for 10 "the orphaned netd to exit" sh -c "! kill -0 $old_netd"
		start_daemon
	fi
	ups=$((ups + 1))
	wait_netd_up $ups 30
	wait_status "lockstat: lockstat/default.json (targets version $version) applied" 30
	wait_status "collector settings (from lockstat/default.json (targets version $version)).*rewalk every $rewalk s" 30
	ok "$victim killed ${delay} ms after publishing version $version: both agree on it"
done
log_has "store: " && fail "a stored file was refused: $(grep 'store: ' "$LOG")"
for f in "$T"/state/store/*; do
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" || fail "$f is not JSON"
done
ok "every stored file is whole"

finish
