#!/bin/sh
# lockprobed's own sandbox (privd/privd_sandbox.c): once started it holds
# only the capabilities it needs (none of them CAP_SYS_ADMIN, none left in
# its bounding set), no_new_privs and its seccomp filter; the collector
# keeps working under it (re-walks, stats, reload, a netd restart); and a
# forbidden call kills it, or in trap mode is logged while it goes on.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
command -v bpftool >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v bpftool >/dev/null || skip "needs bpftool"
command -v python3 >/dev/null || skip "needs python3"
ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }
walks() {
	ctl -j status | python3 -c 'import json, sys; print(json.load(sys.stdin)["collector"]["walks"])'
}

# CAP_CHOWN 0, CAP_DAC_READ_SEARCH 2, CAP_KILL 5, CAP_SETGID 6, CAP_SETUID 7,
# CAP_SYS_CHROOT 18, CAP_PERFMON 38, CAP_BPF 39
KEPT=000000c0000400e5

LP_PRIVD_SECCOMP=kill
setup_test "rewalk-interval 1" "heartbeat-interval 1" "heartbeat-timeout 5"
mkdir "$T/bpffs"
mount -t bpf bpf "$T/bpffs" || skip "cannot mount a bpf file system"
trap 'umount "$T/bpffs" 2>/dev/null; cleanup' EXIT
start_daemon
wait_netd_up 1
log_has "sandbox: capabilities reduced, no_new_privs, seccomp allowlist (kill)" || fail "no sandbox line in the log"
st=/proc/$PRIVD_PID/status
for f in "Seccomp:	2" "NoNewPrivs:	1" "CapEff:	$KEPT" "CapPrm:	$KEPT" \
    "CapBnd:	$KEPT" "CapInh:	0000000000000000" "CapAmb:	0000000000000000"; do
	grep -q "^$f\$" "$st" || fail "lockprobed's status lacks '$f': $(grep -E '^(Cap|Seccomp|NoNew)' "$st")"
done
ok "lockprobed: seccomp filter, no_new_privs, capabilities $KEPT only (bounding set too)"
grep -q '^Seccomp_filters:	2$' "/proc/$(netd_pid)/status" || fail "netd does not have both filters: $(grep Seccomp "/proc/$(netd_pid)/status")"
grep -q '^CapEff:	0000000000000000$' "/proc/$(netd_pid)/status" || fail "netd has capabilities"
ok "netd runs under lockprobed's filter and its own"

# the collector under the sandbox: a map created now is found by a re-walk
# (which loads the walker again) and its locks are tracked in stats
bpftool map create "$T/bpffs/lp_late" type hash key 4 value 8 entries 64 name lp_late || fail "bpftool map create"
id=$(bpftool -j map show pinned "$T/bpffs/lp_late" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
w=$(walks)
wait_for 15 "two walks after the map was created" sh -c "[ \$('$LOCKPROBECTL' -s '$T/ctl.sock' -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"collector\"][\"walks\"])') -gt $((w + 1)) ]"
ctl -j stats > "$T/stats.json" || fail "stats under the sandbox"
python3 - "$T/stats.json" "$id" <<'PY' || fail "map $id not in stats: $(cat "$T/stats.json")"
import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["stats"] if r["map_id"] == int(sys.argv[2])]
assert {"htab_bucket", "freeze_mutex"} <= {r["lock_kind"] for r in rows}, rows
PY
ok "re-walk and stats under the sandbox: map $id (created after it) tracked"

pid=$(netd_pid)
kill -HUP "$PRIVD_PID"
wait_log "configuration reloaded"
kill -KILL "$pid"
wait_netd_up 2
[ "$(netd_pid)" != "$pid" ] || fail "netd not restarted under the sandbox"
ctl status > /dev/null || fail "status after the netd restart"
ok "reload and a netd restart under the sandbox"
stop_daemon
! log_has "trapped system call" || fail "calls trapped: $(grep 'trapped system call' "$LOG")"
umount "$T/bpffs"
rm -rf "$T"
trap cleanup EXIT

# forbidden calls: they kill lockprobed in kill mode ...
probes="privd-ptrace privd-mount"
# (a sanitizer build allows ptrace for LeakSanitizer's check at exit)
if grep -q '^#define LP_SANITIZERS 1' "$top_builddir/config.h" 2>/dev/null; then
	probes="privd-mount"
fi
for probe in $probes; do
	case $probe in
	privd-ptrace) call=ptrace ;;
	privd-mount) call=mount ;;
	esac
	LP_PRIVD_SECCOMP=kill
	setup_test
	start_daemon -X "$probe"
	wait_log "probe: lockprobed attempts a forbidden system call"
	wait "$PRIVD_PID"
	rc=$?
	PRIVD_PID=
	wait_log_drained
	[ "$rc" = $((128 + 31)) ] || fail "$probe: lockprobed exited with status $rc, not killed by SIGSYS"
	! log_has "probe: .* returned" || fail "$probe: the forbidden call returned"
	ok "$probe: lockprobed killed by SIGSYS"
	rm -rf "$T"

	# ... and in trap mode fail with ENOSYS and are logged
	LP_PRIVD_SECCOMP=trap
	LP_ALLOW_TRAPS="lockprobed's sandbox: trapped system call [0-9]+ \\($call\\)"
	setup_test
	start_daemon -X "$probe"
	wait_netd_up 1
	wait_log "lockprobed's sandbox: trapped system call [0-9]* ($call)"
	log_has "probe: .* returned -1 (Function not implemented)" || fail "$probe: no ENOSYS in trap mode"
	ctl status > /dev/null || fail "$probe: lockprobed not serving after a trapped call"
	ok "$probe: trapped and logged, lockprobed still serving"
	stop_daemon
	rm -rf "$T"
	LP_ALLOW_TRAPS=
done
T=
echo "PASS: $TEST_NAME"
