#!/bin/sh
# SIGKILL of netd at random points of its start-up and first polls (while it
# reads and writes its store): lockprobed restarts it each time with
# back-off and stays up, and the netd that is finally left alone comes up
# with a usable store, polls and applies the signed configuration.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/fetch_lib.sh"
require_root
command -v python3 >/dev/null || skip "needs python3"
REPO_TOOL=$top_builddir/tools/lockprobe-repo
[ -x "$REPO_TOOL" ] || fail "$REPO_TOOL not built"
KILLS=4		# back-off 1 + 2 + 4 + 8 s

setup_test
SRV=$T/srv
mkdir -p "$SRV" "$T/cfg"
lr() { "$REPO_TOOL" -d "$SRV/repo" -k "$T/keys" "$@" >> "$T/repo.log" 2>&1 || fail "lockprobe-repo $*: $(tail -n 3 "$T/repo.log")"; }
ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }
status_has() { ctl status > "$T/status" 2>&1 && grep -q -- "$1" "$T/status"; }
started() { [ "$(log_count 'started netd (pid')" -ge "$1" ]; }

lr init
cp "$SRV/repo/metadata/1.root.json" "$T/root.json"
printf '{"rewalk_interval_sec": 45}\n' > "$T/cfg/default.json"
lr add lockstat/default.json "$T/cfg/default.json"
make_certs "$SRV"
start_fetch_server "$SRV"
write_conf "heartbeat-interval 1" "heartbeat-timeout 5" \
    "repository-url http://127.0.0.1:$HTTP_PORT/repo" \
    "trusted-root $T/root.json" "poll-interval 1" "poll-backoff-max 2"
start_daemon
delays=
i=1
while [ "$i" -le "$KILLS" ]; do
	wait_for 30 "netd start $i" started "$i"
	pid=$(grep 'started netd (pid' "$LOG" | sed -n "${i}s/.*started netd (pid \([0-9]*\).*/\1/p")
	# somewhere in its first 0-290 ms: exec, sandbox, store, first poll
	ms=$(( $(od -An -N1 -tu1 /dev/urandom) % 30 * 10 ))
	sleep "$(printf '0.%03d' "$ms")"
	kill -KILL "$pid" 2>/dev/null
	delays="$delays ${ms}ms"
	wait_log "netd (pid $pid) " 10
	kill -0 "$PRIVD_PID" || fail "lockprobed died after netd $pid was killed"
	i=$((i + 1))
done
ok "netd killed $KILLS times at random points of its start-up:$delays"
wait_for 40 "netd up after the kills" sh -c "netd_pid() { pgrep -P $PRIVD_PID -x lockprobe-netd; }; [ -n \"\$(netd_pid)\" ] && '$LOCKPROBECTL' -s '$T/ctl.sock' status >/dev/null 2>&1"
wait_for 30 "lockstat/default.json applied" status_has "lockstat: lockstat/default.json .* applied"
status_has "trusted: root 1, timestamp [0-9]" || fail "trusted versions: $(cat "$T/status")"
ok "the netd left alone came up, trusts the repository and applied its configuration"
finish
