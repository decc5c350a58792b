#!/bin/sh
# netd runs sandboxed: its own uid/gid, seccomp filter, no_new_privs, no
# capabilities, chrooted into the state directory, no core files; and the two
# processes exchange heartbeats.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
setup_test "heartbeat-interval 1" "heartbeat-timeout 5" "log-level debug"
start_daemon
wait_netd_up 1
pid=$(netd_pid)
[ -n "$pid" ] || fail "no lockprobe-netd child of lockprobed"
status=/proc/$pid/status

uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$status")
gid=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$status")
want_uid=$(id -u "$NETD_USER")
want_gid=$(id -g "$NETD_USER")
[ "$uid" = "$want_uid $want_uid $want_uid $want_uid" ] || fail "netd uids are '$uid', want $want_uid"
[ "$gid" = "$want_gid $want_gid $want_gid $want_gid" ] || fail "netd gids are '$gid', want $want_gid"
[ "$want_uid" != 0 ] || fail "test user is root"
ok "uid and gid $want_uid/$want_gid"

groups=$(awk '/^Groups:/ { $1 = ""; print }' "$status" | tr -d ' ')
[ "$groups" = "$want_gid" ] || fail "netd supplementary groups are '$groups', want only $want_gid"
grep -q '^Seccomp:[[:space:]]*2$' "$status" || fail "netd is not in seccomp filter mode: $(grep Seccomp: "$status")"
grep -q '^NoNewPrivs:[[:space:]]*1$' "$status" || fail "netd has no_new_privs unset"
for cap in CapInh CapPrm CapEff CapBnd CapAmb; do
	v=$(awk -v c="$cap:" '$1 == c { print $2 }' "$status")
	case $cap in
	CapBnd) ;;	# the bounding set only limits what could be gained
	*) [ "$v" = 0000000000000000 ] || fail "netd $cap is $v" ;;
	esac
done
ok "Seccomp: 2, NoNewPrivs: 1, no capabilities"

root=$(readlink "/proc/$pid/root")
[ "$root" = "$T/state" ] || fail "netd root is '$root', want $T/state"
cwd=$(readlink "/proc/$pid/cwd")
[ "$cwd" = "$T/state" ] || fail "netd cwd is '$cwd', want $T/state"
ok "chrooted into the state directory"

core=$(awk '/^Max core file size/ { print $5 }' "/proc/$pid/limits")
nproc=$(awk '/^Max processes/ { print $3 }' "/proc/$pid/limits")
[ "$core" = 0 ] || fail "netd core file limit is $core"
[ "$nproc" = 0 ] || fail "netd process limit is $nproc"
ok "no core files, no new processes"

# only stdio, the IPC and control sockets and the event loop's (epoll and
# its wake-up pipe): no file or directory from outside the sandbox
nfd=$(ls "/proc/$pid/fd" | wc -l)
[ "$nfd" -le 8 ] || fail "netd has $nfd descriptors open: $(ls -l /proc/$pid/fd)"
for fd in $(ls "/proc/$pid/fd"); do
	[ "$fd" -gt 2 ] || continue
	case $(readlink "/proc/$pid/fd/$fd") in
	socket:*|pipe:*|anon_inode:*) ;;
	*) fail "netd holds descriptor $fd open on $(readlink "/proc/$pid/fd/$fd")" ;;
	esac
done

# the state directory was created root-owned and not writable by others
[ "$(stat -c %u:%a "$T/state")" = "0:755" ] || fail "state directory is $(stat -c %u:%a "$T/state")"

# heartbeats flow both ways: privd's are answered
wait_for 10 "three heartbeats answered" sh -c "[ \$(grep -c 'heartbeat .* answered by netd' '$LOG') -ge 3 ]"
ok "heartbeats answered"
[ "$(netd_pid)" = "$pid" ] || fail "netd was restarted while healthy"
finish
