#!/bin/sh
# LeakSanitizer over whole lockprobed cycles (sanitizer builds only:
# configure --enable-sanitizers; Makefile.am runs it there):
#   - start, status, stats, hist, reload by lockprobectl and by SIGHUP (netd
#     restarted), a killed netd, re-walks, stop;
#   - remote configuration: a repository made by lockprobe-repo served on
#     loopback, a lockstat configuration published, polled and applied, an
#     update applied, a bad update refused (lockprobed's settings_check),
#     conditional polls answered 304, stop.
# LSan checks lockprobed's heap at exit, inside its own sandbox; any leak
# fails the test (lib.sh's check_sanitizers, and the exit status).  A first
# run with LSan's root scanning switched off must report "leaks"
# (everything still reachable): that proves the check runs, under the
# sandbox, at all.  netd's leaks are checked outside its sandbox (unit
# tests, and fuzz/fuzz_http for its HTTP client): see SECURITY.md.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/remote_lib.sh"
require_root
grep -q '^#define LP_SANITIZERS 1' "$top_builddir/config.h" ||
    skip "needs a sanitizer build (configure --enable-sanitizers)"

# the control: LSan with no roots sees every live block as leaked
setup_test
export LSAN_OPTIONS=use_globals=0:use_stacks=0:use_registers=0:use_tls=0
start_daemon
unset LSAN_OPTIONS
wait_netd_up 1
kill -TERM "$PRIVD_PID"
wait "$PRIVD_PID"
rc=$?
PRIVD_PID=
wait_log_drained
[ "$rc" != 0 ] || fail "the control run exited 0: LeakSanitizer did not run"
log_has "ERROR: LeakSanitizer: detected memory leaks" || fail "the control run has no LeakSanitizer report (exit $rc)"
ok "control: with its roots switched off LeakSanitizer reports at lockprobed's exit (exit $rc)"
rm -rf "$T"

# the real cycle
setup_test "rewalk-interval 1" "heartbeat-interval 1" "heartbeat-timeout 5"
export ASAN_OPTIONS=detect_leaks=1
start_daemon
unset ASAN_OPTIONS
wait_netd_up 1
ctl status > /dev/null || fail "status"
ctl -j status > /dev/null || fail "status -j"
ctl -j stats > "$T/stats.json" || fail "stats"
ctl stats > /dev/null || fail "stats (text)"
map=$(python3 -c 'import json, sys
rows = json.load(open(sys.argv[1]))["stats"]
print(rows[0]["map_id"] if rows else "")' "$T/stats.json")
if [ -n "$map" ]; then
	ctl hist "$map" > /dev/null || fail "hist $map"
fi
# refused within a second of the last walk, which "rewalk-interval 1" makes likely
wait_for 10 "a rewalk accepted" ctl rewalk
ctl reload > /dev/null || fail "reload"
write_conf "rewalk-interval 1" "heartbeat-interval 1" "heartbeat-timeout 6"
kill -HUP "$PRIVD_PID"
wait_netd_up 2
kill -KILL "$(netd_pid)"
wait_netd_up 3
w=$(ctl -j status | python3 -c 'import json, sys; print(json.load(sys.stdin)["collector"]["walks"])')
wait_for 15 "two more walks" sh -c "[ \$('$LOCKPROBECTL' -s '$T/ctl.sock' -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"collector\"][\"walks\"])') -gt $((w + 1)) ]"
ok "cycle: status, stats, hist${map:+ $map}, rewalk, reload, SIGHUP (netd restarted), netd killed and replaced, re-walks"
# stop_daemon: exit status 0, and no sanitizer report in the log
stop_daemon
! log_has "LeakSanitizer" || fail "LeakSanitizer: $(grep -A 20 LeakSanitizer "$LOG" | head -n 40)"
ok "no leak at lockprobed's exit"
rm -rf "$T"

# the poll and apply cycle (tests/remote_lib.sh)
setup_test
remote_setup
publish lockstat/default.json '{"rewalk_interval_sec": 45, "map_types": ["hash"]}'
remote_conf "poll-interval 1" "poll-backoff-max 3"
export ASAN_OPTIONS=detect_leaks=1
start_daemon
unset ASAN_OPTIONS
wait_netd_up 1
wait_status "lockstat: lockstat/default.json (targets version 2) applied" 30
status_has "collector settings (from lockstat/default.json (targets version 2)).*rewalk every 45 s" || fail "lockprobed's settings: $(cat "$T/status")"
publish lockstat/default.json '{"rewalk_interval_sec": 50}'
wait_status "lockstat: lockstat/default.json (targets version 3) applied" 30
publish lockstat/default.json '{"rewalk_interval_sec": 50, "range_budget": 1}'
wait_status "lockstat/default.json (targets version 4) not applied.*range_budget: 1 is out of bounds" 30
wait_log "lockstat: refused, lockstat/default.json stays in force"
status_has "collector settings (from lockstat/default.json (targets version 3)).*rewalk every 50 s" || fail "the refused update changed lockprobed's settings: $(cat "$T/status")"
p=$(polls)
wait_polls_past $((p + 1))
ok "remote: published, polled and applied, updated, a bad update refused, polls go on"
stop_daemon
! log_has "LeakSanitizer" || fail "LeakSanitizer: $(grep -A 20 LeakSanitizer "$LOG" | head -n 40)"
ok "no leak at lockprobed's exit after the poll and apply cycle"
finish
