#!/bin/sh
# A forbidden system call kills netd (SIGSYS from its seccomp filter), and
# lockprobed restarts it.  In trap mode the call fails and is logged instead,
# except a call through another ABI (x32), which kills in every mode.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
LP_ALLOW_SECCOMP_KILL=1	# the point of this test

for probe in open-shadow execve x32; do
	case $probe in
	open-shadow) call=openat ;;
	execve) call=execve ;;
	x32) call=x32 ;;
	esac
	LP_ALLOW_TRAPS="trapped system call [0-9]+ \\($call\\)"
	setup_test "heartbeat-interval 1" "heartbeat-timeout 5"
	start_daemon -X "$probe"
	wait_netd_up 1
	first=$(grep -m1 'is up: protocol' "$LOG" | sed 's/.*netd (pid \([0-9]*\)).*/\1/')
	if [ "$SECCOMP_MODE" = kill ] || [ "$probe" = x32 ]; then
		wait_log "netd (pid $first) killed by its seccomp sandbox (SIGSYS"
		wait_netd_up 2
		second=$(netd_pid)
		[ -n "$second" ] && [ "$second" != "$first" ] || fail "netd was not restarted after the seccomp kill"
		! log_has "probe: open /etc/shadow returned" || fail "open /etc/shadow returned instead of killing"
		! log_has "execve /bin/true returned" || fail "execve returned instead of killing"
		! log_has "x32 getpid returned" || fail "an x32 call returned instead of killing"
		ok "$probe: netd $first killed by seccomp, restarted as $second"
	else
		wait_log "trapped system call [0-9]* ($call)"
		[ "$(netd_pid)" = "$first" ] || fail "netd died in trap mode"
		ok "$probe: trapped and logged, netd $first still running"
	fi
	# the restarted netd is sandboxed too
	grep -q '^Seccomp:[[:space:]]*2$' "/proc/$(netd_pid)/status" || fail "restarted netd not sandboxed"
	if [ "$probe" != x32 ]; then
		stop_daemon
		rm -rf "$T"
	fi
done
finish
