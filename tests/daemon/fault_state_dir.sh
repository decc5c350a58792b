#!/bin/sh
# Fault injection: netd's store (STATE/store, where it persists the trusted
# metadata) on a small tmpfs that fills up, then is remounted read-only.
# Expected each time: the poll fails with a line naming the file and the
# error, the configuration in force stays (nothing half-verified applied),
# netd keeps serving, and the update is applied once the store can be
# written again; after a restart the stored metadata is intact.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/remote_lib.sh"

setup_test
remote_setup
STORE=$T/state/store
mkdir -p "$STORE"
mount -t tmpfs -o "size=256k,mode=0700,uid=$(id -u "$NETD_USER"),gid=$(id -g "$NETD_USER")" lockprobe-test "$STORE" 2>"$T/mount.err" ||
    skip "cannot mount a tmpfs: $(cat "$T/mount.err")"
trap 'stop_fetch_server; umount "$STORE" 2>/dev/null; cleanup' EXIT

publish lockstat/default.json '{"rewalk_interval_sec": 45}'
remote_conf "poll-interval 1" "poll-backoff-max 2"
start_daemon
wait_netd_up 1
wait_status "collector settings (from lockstat/default.json (targets version 2)).*rewalk every 45 s"
ok "applied with the store on a tmpfs"

# full: whatever netd writes next fails
dd if=/dev/zero of="$STORE/filler" bs=4k 2>/dev/null
publish lockstat/default.json '{"rewalk_interval_sec": 50}'
wait_log "store/m-timestamp.json: write of [0-9]* bytes failed: No space left on device"
wait_status "last error: .*No space left on device"
status_has "collector settings (from lockstat/default.json (targets version 2)).*rewalk every 45 s" ||
    fail "the configuration in force changed with a full store: $(cat "$T/status")"
netd_running || fail "netd is not running"
ok "store full: $(grep 'last error' "$T/status")"

rm -f "$STORE/filler"
wait_status "collector settings (from lockstat/default.json (targets version 3)).*rewalk every 50 s"
ok "space again: the update applied"

# read-only
mount -o remount,ro "$STORE" || fail "remount read-only"
publish lockstat/default.json '{"rewalk_interval_sec": 55}'
wait_log "store/m-timestamp.json: cannot create a temporary file: Read-only file system"
wait_status "last error: .*Read-only file system"
status_has "rewalk every 50 s" || fail "the configuration in force changed with a read-only store: $(cat "$T/status")"
netd_running || fail "netd is not running"
ok "store read-only: $(grep 'last error' "$T/status")"

mount -o remount,rw "$STORE" || fail "remount read-write"
wait_status "collector settings (from lockstat/default.json (targets version 4)).*rewalk every 55 s"
ok "writable again: the update applied"

# nothing lost: a new netd trusts what was stored, and reads no file twice
kill -KILL "$(netd_pid)"
wait_netd_up 2 20
wait_status "lockstat: lockstat/default.json (targets version 4) applied"
wait_status "trusted: root 1, timestamp 4"
log_has "store: " && fail "a stored file was refused after the faults: $(grep 'store: ' "$LOG")"
ok "after a restart the stored metadata is intact"

stop_daemon
umount "$STORE"
finish
