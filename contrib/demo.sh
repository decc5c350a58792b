#!/bin/bash
# The end-to-end demo: lockprobed in the foreground with a sample
# configuration; both processes running and exchanging heartbeats; netd's
# sandbox as /proc shows it; the calibration's verdict on what this host can
# see; real lock contention made on a map and read back with lockprobectl
# stats and hist; then a clean stop.
#
#   bash contrib/demo.sh [BUILD-DIRECTORY]
set -euo pipefail

build=${1:-$(cd "$(dirname "$0")/.." && pwd)}
lockprobed=$build/lockprobed
netd=$build/lockprobe-netd
ctl=$build/lockprobectl
stress=$build/bench/lockprobe-stress
for f in "$lockprobed" "$netd" "$ctl" "$stress"; do
	[ -x "$f" ] || { echo "demo: build lockprobe first (no $f)" >&2; exit 1; }
done
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
# the daemon's log without libbpf's debug chatter
show_log() { grep -v "libbpf: \|control: client" | sed 's/^/    /'; }

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
rewalk-interval 1
CONF
chmod 644 "$dir/lockprobe.conf"

say "checking the configuration: lockprobed -n -v -f $dir/lockprobe.conf"
"$lockprobed" -n -v -f "$dir/lockprobe.conf"

say "starting lockprobed in the foreground (-d -v); its log:"
"$lockprobed" -d -v -f "$dir/lockprobe.conf" > "$dir/log" 2>&1 &
privd=$!
for _ in $(seq 100); do
	grep -q "is up: protocol" "$dir/log" && break
	sleep 0.1
done
grep -q "is up: protocol" "$dir/log" || { show_log < "$dir/log"; echo "demo: netd did not come up" >&2; exit 1; }
sleep 3.2
show_log < "$dir/log"
lines=$(wc -l < "$dir/log")

say "both processes"
netd_pid=$(pgrep -P "$privd" -x lockprobe-netd)
ps -o pid,ppid,user,group,args -p "$privd","$netd_pid" | sed 's/^/    /'

say "netd's sandbox, from /proc/$netd_pid"
grep -E '^(Uid|Gid|NoNewPrivs|Seccomp|CapEff):' "/proc/$netd_pid/status" | sed 's/^/    /'
echo "    root: $(readlink "/proc/$netd_pid/root")"
echo "    core file limit: $(awk '/^Max core file size/ { print $5 }' "/proc/$netd_pid/limits")"

say "lockprobectl status (netd serves the control socket and relays to lockprobed)"
"$ctl" -s "$dir/lockprobe.sock" status | sed 's/^/    /'

say "making real lock contention: lockprobe-stress maps its own array map from 4 processes for 5 s (its freeze_mutex, a sleeping lock)"
"$stress" -d 5000 -m mmap array > "$dir/stress.out" 2>&1 &
stress_pid=$!
sleep 3.5
say "lockprobectl stats (while it runs)"
"$ctl" -s "$dir/lockprobe.sock" stats | sed 's/^/    /'
map=$("$ctl" -s "$dir/lockprobe.sock" stats | awk '$2 == "lps_array" { print $1; exit }')
if [ -n "$map" ]; then
	say "lockprobectl hist $map"
	"$ctl" -s "$dir/lockprobe.sock" hist "$map" | sed 's/^/    /'
fi
wait "$stress_pid" || true
sed 's/^/    lockprobe-stress: /' "$dir/stress.out"

say "stopping: SIGTERM to lockprobed (pid $privd)"
kill -TERM "$privd"
wait "$privd" && rc=0 || rc=$?
privd=
tail -n +"$((lines + 1))" "$dir/log" | grep -v "heartbeat .* answered\|map walk\|contention: tracking\|map walker:" | show_log
if kill -0 "$netd_pid" 2>/dev/null; then
	echo "demo: netd $netd_pid is still running" >&2
	exit 1
fi
[ ! -e "$dir/lockprobed.pid" ] || { echo "demo: pidfile left behind" >&2; exit 1; }
echo "    lockprobed exited with status $rc; netd is gone; pidfile removed"
say "demo finished"
