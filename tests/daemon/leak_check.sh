#!/bin/sh
# LeakSanitizer over a whole lockprobed cycle (sanitizer builds only:
# configure --enable-sanitizers; Makefile.am runs it there): start, status,
# stats, hist, reload by lockprobectl and by SIGHUP (netd restarted), a
# killed netd, re-walks, stop.  LSan checks lockprobed's heap at exit,
# inside its own sandbox; any leak fails the test (lib.sh's
# check_sanitizers, and the exit status).  A first run with LSan's root
# scanning switched off must report "leaks" (everything still reachable):
# that proves the check runs, under the sandbox, at all.  netd's leaks are
# checked outside its sandbox (unit tests, fuzzers): see SECURITY.md.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
grep -q '^#define LP_SANITIZERS 1' "$top_builddir/config.h" ||
    skip "needs a sanitizer build (configure --enable-sanitizers)"
command -v python3 >/dev/null || skip "needs python3"
ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }

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
ctl rewalk > /dev/null || fail "rewalk"
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
finish
