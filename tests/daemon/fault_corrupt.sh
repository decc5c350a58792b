#!/bin/sh
# Fault injection: restart lockprobed and netd with each file netd persisted
# damaged, one at a time: truncated to half, its first bytes overwritten, and (for signed
# metadata) its signed version changed so that the signature fails.  The
# store holds a rotated root (root@2), timestamp, snapshot, targets, a
# delegated role (team) and netd's own files (apply state, validators);
# m-root.json, written but never read, is left out.
# Each time: a log line names the file, nothing it held is trusted, the
# configuration in force is the newest signed one, and netd starts once per
# restart (it does not crash on what it reads).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/remote_lib.sh"

setup_test
remote_setup
lr keygen root-b
lr rotate root root-b
lr keygen team
lr delegate -x -p 'lockstat/*' team team
publish lockstat/default.json '{"rewalk_interval_sec": 45}' -r team
publish netd/default.json '{"poll_interval_sec": 1}'
remote_conf "poll-interval 1" "poll-backoff-max 2"
start_daemon
ups=1
wait_netd_up $ups
wait_status "collector settings (from lockstat/default.json (targets version [0-9]*)).*rewalk every 45 s"
wait_status "netd: netd/default.json (targets version [0-9]*) applied"
STORE=$T/state/store
files=$(cd "$STORE" && ls | grep -v '^\.')
for f in m-root_402.json m-timestamp.json m-snapshot.json m-targets.json m-team.json netd-apply.json netd-validators.json; do
	echo "$files" | grep -qx "$f" || fail "$f was not stored; the store has: $files"
done

damage() {	# damage MODE FILE
	case $1 in
	truncate)
		python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[1], "wb").write(d[:len(d) // 2])' "$2" ;;
	overwrite)
		printf 'garbage!' | dd of="$2" conv=notrunc 2>/dev/null ;;
	resign)
		python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); d["signed"]["version"] += 1; json.dump(d, open(sys.argv[1], "w"))' "$2" ;;
	esac
}

# the line each damaged file must produce
expect_line() {
	case $1 in
	netd-apply.json) echo "store: $STORE/netd-apply.json is not JSON; starting without the apply state" ;;
	netd-validators.json) echo "store: $STORE/netd-validators.json is not JSON; the next poll is not conditional" ;;
	*) echo "store: $STORE/$1 is not trusted: " ;;
	esac
}

# m-root.json, the newest root, is written for the layout of the TUF client
# workflow but never read: trust starts from trusted-root and root@N.json
for f in $(echo "$files" | grep -v -x -e 'm-root.json'); do
	for mode in truncate overwrite resign; do
		case $f in netd-*) [ "$mode" = resign ] && continue ;; esac
		before=$(grep -c -F "$(expect_line "$f")" "$LOG")
		stop_daemon
		damage "$mode" "$STORE/$f"
		start_daemon
		ups=$((ups + 1))
		wait_netd_up $ups 20
		# a new timestamp: the next poll walks the whole workflow
		lr timestamp
		v=$(repo_timestamp_version)
		wait_for 20 "a line about $f ($mode)" sh -c "[ \$(grep -c -F '$(expect_line "$f")' '$LOG') -gt $before ]"
		wait_status "trusted: root 2, timestamp $v" 20
		wait_status "lockstat: lockstat/default.json (targets version [0-9]*) applied"
		wait_status "collector settings (from lockstat/default.json (targets version [0-9]*)).*rewalk every 45 s"
		wait_status "netd: netd/default.json (targets version [0-9]*) applied"
		ok "$f $mode: $(grep -F "$(expect_line "$f")" "$LOG" | tail -n 1 | sed 's/^.*netd: //')"
	done
done
[ "$(grep -c 'is up: protocol' "$LOG")" = "$ups" ] || fail "netd restarted on its own: $(grep -c 'is up: protocol' "$LOG") starts for $ups expected"
ok "netd started once per restart"

finish
