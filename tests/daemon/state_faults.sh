#!/bin/sh
# Fault injection on netd's state directory (a small tmpfs of its own):
#   - read-only when netd starts: netd stops with a line that names the
#     store and the error, lockprobed keeps running and retries with
#     back-off, and once the directory is writable again netd comes up and
#     applies the configuration;
#   - full while netd persists verified metadata: a line that names the
#     file and "No space left on device", lockprobed and netd keep running,
#     and once there is room the configuration is applied.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/fetch_lib.sh"
require_root
command -v python3 >/dev/null || skip "needs python3"
REPO_TOOL=$top_builddir/tools/lockprobe-repo
[ -x "$REPO_TOOL" ] || fail "$REPO_TOOL not built"

setup_test
SRV=$T/srv
mkdir -p "$SRV" "$T/cfg" "$T/state"
mount -t tmpfs -o size=256k,mode=0755 lockprobe-state "$T/state" || skip "cannot mount a tmpfs"
lr() { "$REPO_TOOL" -d "$SRV/repo" -k "$T/keys" "$@" >> "$T/repo.log" 2>&1 || fail "lockprobe-repo $*: $(tail -n 3 "$T/repo.log")"; }
ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }
status_has() { ctl status > "$T/status" 2>&1 && grep -q -- "$1" "$T/status"; }

lr init
cp "$SRV/repo/metadata/1.root.json" "$T/root.json"
printf '{"rewalk_interval_sec": 45}\n' > "$T/cfg/default.json"
lr add lockstat/default.json "$T/cfg/default.json"
make_certs "$SRV"
start_fetch_server "$SRV"
trap 'stop_fetch_server; umount -l "$T/state" 2>/dev/null; cleanup' EXIT
write_conf "heartbeat-interval 1" "heartbeat-timeout 5" \
    "repository-url http://127.0.0.1:$HTTP_PORT/repo" \
    "trusted-root $T/root.json" "poll-interval 1" "poll-backoff-max 2"

# 1. read-only at netd's start
mount -o remount,ro "$T/state" || fail "remount ro"
start_daemon
wait_log "netd: .*/store: .*Read-only file system" 15
wait_log "netd (pid [0-9]*) exited with status" 15
kill -0 "$PRIVD_PID" || fail "lockprobed died with a read-only state directory"
log_has "restarting netd in [0-9]* s" || fail "no restart scheduled"
ok "read-only state directory: $(grep -m1 'Read-only file system' "$LOG" | sed 's/.*netd: //')"
mount -o remount,rw "$T/state" || fail "remount rw"
wait_netd_up 1 30
wait_for 20 "lockstat/default.json applied" status_has "lockstat: lockstat/default.json .* applied"
ok "writable again: netd up, configuration applied"
stop_daemon
! log_has "killed by" || fail "a process was killed: $(grep 'killed by' "$LOG")"

# 2. full while netd persists what it verified (a fresh log; the store
# emptied, so that netd must write everything again)
LOG=$T/lockprobed-full.log
find "$T/state/store" -type f -delete
dd if=/dev/zero of="$T/state/filler" bs=4k count=1000 2>/dev/null	# fills it: ENOSPC expected
[ "$(df -k --output=avail "$T/state" | tail -n 1 | tr -d ' ')" -le 4 ] || fail "the tmpfs is not full: $(df -k "$T/state")"
chmod 600 "$T/state/filler"
start_daemon
wait_netd_up 1 30
wait_log "No space left on device" 20
sleep 2
kill -0 "$PRIVD_PID" || fail "lockprobed died with a full state directory"
[ -n "$(netd_pid)" ] || fail "no netd with a full state directory"
ctl status > "$T/status" || fail "status with a full state directory"
ok "full state directory: $(grep -m1 'No space left' "$LOG" | sed 's/.*netd: //'); both processes up"
rm -f "$T/state/filler"
wait_for 30 "lockstat/default.json applied once there is room" status_has "lockstat: lockstat/default.json .* applied"
ok "room again: configuration applied"
stop_daemon
umount "$T/state"
trap 'stop_fetch_server; cleanup' EXIT
finish
