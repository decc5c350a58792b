#!/bin/bash
# The end-to-end demo: lockprobed in the foreground with a sample
# configuration, both processes running and exchanging heartbeats, netd's
# sandbox shown from /proc, then a clean stop.
#
#   bash contrib/demo.sh [BUILD-DIRECTORY]
set -euo pipefail

build=${1:-$(cd "$(dirname "$0")/.." && pwd)}
lockprobed=$build/lockprobed
netd=$build/lockprobe-netd
[ -x "$lockprobed" ] && [ -x "$netd" ] || { echo "demo: build lockprobe first (no $lockprobed)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "demo: run as root" >&2; exit 1; }
user=_lockprobe
getent passwd "$user" >/dev/null || user=nobody

dir=$(mktemp -d /tmp/lockprobe-demo.XXXXXX)
chmod 755 "$dir"
privd=
cleanup() {
	[ -z "$privd" ] || kill -KILL "$privd" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

say() { printf '\n--- %s\n' "$*"; }

cat > "$dir/lockprobe.conf" <<CONF
# lockprobe demo configuration
state-directory $dir/state
netd-user $user
netd-path $netd
pidfile $dir/lockprobed.pid
control-socket $dir/lockprobe.sock
asset-directory $build/bpf
heartbeat-interval 1
heartbeat-timeout 5
log-level debug
CONF
chmod 644 "$dir/lockprobe.conf"

say "checking the configuration: lockprobed -n -v -f $dir/lockprobe.conf"
"$lockprobed" -n -v -f "$dir/lockprobe.conf"

say "starting lockprobed in the foreground (-d -v); its log:"
"$lockprobed" -d -v -f "$dir/lockprobe.conf" > "$dir/log" 2>&1 &
privd=$!
for _ in $(seq 50); do
	grep -q "is up: protocol" "$dir/log" && break
	sleep 0.1
done
sleep 3.2
sed 's/^/    /' "$dir/log"
grep -q "is up: protocol" "$dir/log" || { echo "demo: netd did not come up" >&2; exit 1; }

say "both processes"
netd_pid=$(pgrep -P "$privd" -x lockprobe-netd)
ps -o pid,ppid,user,group,args -p "$privd","$netd_pid" | sed 's/^/    /'

say "netd's sandbox, from /proc/$netd_pid"
grep -E '^(Uid|Gid|NoNewPrivs|Seccomp|CapEff):' "/proc/$netd_pid/status" | sed 's/^/    /'
echo "    root: $(readlink "/proc/$netd_pid/root")"
echo "    core file limit: $(awk '/^Max core file size/ { print $5 }' "/proc/$netd_pid/limits")"

say "heartbeats answered so far: $(grep -c 'answered by netd' "$dir/log")"

say "lockprobectl status (netd serves the control socket and relays to lockprobed)"
"$build/lockprobectl" -s "$dir/lockprobe.sock" status | sed 's/^/    /'

say "stopping: SIGTERM to lockprobed (pid $privd)"
lines=$(wc -l < "$dir/log")
kill -TERM "$privd"
wait "$privd" && rc=0 || rc=$?
privd=
tail -n +"$((lines + 1))" "$dir/log" | sed 's/^/    /'
if kill -0 "$netd_pid" 2>/dev/null; then
	echo "demo: netd $netd_pid is still running" >&2
	exit 1
fi
[ ! -e "$dir/lockprobed.pid" ] || { echo "demo: pidfile left behind" >&2; exit 1; }
echo "    lockprobed exited with status $rc; netd is gone; pidfile removed"
say "demo finished"
