#!/bin/bash
# The end-to-end demo, the main job as a newcomer runs it (README, Quick
# start), as root, from a build tree:
#   1. keys and a TUF repository made with lockprobe-repo, served on loopback
#      by python3's plain static web server (any static server will do);
#   2. lockprobed in the foreground with remote configuration and the
#      metrics endpoint on; the part of its log a newcomer needs is shown;
#   3. real contention on a demo map (lockprobe-stress), and what this host's
#      kernel lets lockprobe see of it (the calibration's verdicts);
#   4. a lockstat configuration published with lockprobe-repo, fetched with
#      lockprobectl poll, and shown applied by lockprobed;
#   5. lockprobectl status, stats and hist, a line of the metrics scrape, a
#      frame of lockprobectl top;
#   6. a clean stop: SIGTERM, netd gone, the pidfile removed.
# Any step that does not do what it says stops the demo with its number and
# a non-zero status.  The demo is not installed (it runs from the source
# tree, on a build directory) and uses nothing from tests/.
#
#   bash contrib/demo.sh [BUILD-DIRECTORY]
set -eEuo pipefail

build=$(cd "${1:-$(dirname "$0")/..}" && pwd)
lockprobed=$build/lockprobed
ctl_bin=$build/lockprobectl
repo_tool=$build/tools/lockprobe-repo
stress=$build/bench/lockprobe-stress

step=0
say() { printf '\n=== %s\n' "$*"; }
begin() { step=$1; shift; say "step $step: $*"; }
exec 3>&2	# die's message is shown even from a check whose output is hidden
die() { echo "demo: step $step failed: $*" >&3; exit 1; }
indent() { sed 's/^/    /'; }
ctl() { "$ctl_bin" -s "$dir/lockprobe.sock" "$@"; }
# wait_until SECONDS DESCRIPTION COMMAND...: poll COMMAND until it succeeds
wait_until() {
	local limit=$1 what=$2 i=0
	shift 2
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -le $((limit * 10)) ] || die "no $what after ${limit} s"
		sleep 0.1
	done
}

for f in "$lockprobed" "$build/lockprobe-netd" "$ctl_bin" "$repo_tool" "$stress"; do
	[ -x "$f" ] || { echo "demo: build lockprobe first (no $f)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "demo: run as root (lockprobed loads BPF)" >&2; exit 1; }
command -v python3 >/dev/null ||
    { echo "demo: needs python3 (bash scripts/install-deps.sh installs it)" >&2; exit 1; }
user=_lockprobe
getent passwd "$user" >/dev/null || user=nobody

dir=$(mktemp -d /tmp/lockprobe-demo.XXXXXX)
chmod 755 "$dir"
privd='' netd_pid='' http='' stress_pid='' log_pid=''
cleanup() {
	[ -z "$stress_pid" ] || kill -TERM -- "-$stress_pid" 2>/dev/null || true
	[ -z "$privd" ] || kill -KILL "$privd" 2>/dev/null || true
	# a netd left by a failed step: ours if it is chrooted in our directory
	if [ -n "$netd_pid" ] && [ "$(readlink "/proc/$netd_pid/root" 2>/dev/null)" = "$dir/state" ]; then
		kill -KILL "$netd_pid" 2>/dev/null || true
	fi
	[ -z "$http" ] || kill -TERM "$http" 2>/dev/null || true
	{ wait; } 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'die "the command on line $LINENO failed"' ERR

begin 1 "a signed TUF repository made with lockprobe-repo, served on loopback"
mkdir -p "$dir/www"
repo() { "$repo_tool" -d "$dir/www/repo" -k "$dir/keys" "$@"; }
echo "    lockprobe-repo init: keys for root, targets, snapshot, timestamp in $dir/keys"
repo init | indent
cp "$dir/www/repo/metadata/1.root.json" "$dir/root.json"
echo "    the hosts' trusted root: $dir/root.json (a copy of metadata/1.root.json)"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$dir/www" \
    > "$dir/http.out" 2> "$dir/http.log" &
http=$!
wait_until 10 "answer from python3 -m http.server" \
    grep -q '^Serving HTTP on 127.0.0.1 port' "$dir/http.out"
http_port=$(sed -n 's/^Serving HTTP on 127.0.0.1 port \([0-9]*\).*/\1/p' "$dir/http.out")
url=http://127.0.0.1:$http_port/repo
echo "    python3 -m http.server (pid $http) serves it at $url"

begin 2 "lockprobed in the foreground, polling $url"
metrics_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$dir/lockprobe.conf" <<CONF
# the demo's configuration (lockprobe.conf(5))
state-directory $dir/state
netd-user $user
netd-path $build/lockprobe-netd
pidfile $dir/lockprobed.pid
control-socket $dir/lockprobe.sock
asset-directory $build/bpf
rewalk-interval 1
repository-url $url
trusted-root $dir/root.json
poll-interval 5
poll-backoff-max 10
metrics-listen 127.0.0.1:$metrics_port
CONF
chmod 644 "$dir/lockprobe.conf"
grep -v '^#' "$dir/lockprobe.conf" | indent
"$lockprobed" -n -f "$dir/lockprobe.conf" > "$dir/check.out" 2>&1 ||
    die "lockprobed -n refused the configuration: $(cat "$dir/check.out")"
# Its output goes through a pipe, as to a terminal or the journal: netd
# shares it and may not write to a regular file (RLIMIT_FSIZE 0).  Shown:
# start-up, the calibration, remote configuration, errors and sanitizer
# reports (in a build with --enable-sanitizers); left out:
# libbpf's and the collector's routine lines.
mkfifo "$dir/log.fifo"
tee "$dir/log" < "$dir/log.fifo" |
    grep --line-buffered -E 'Sanitizer|runtime error|is up|listening|calibration|locks:|remote|lockstat|netd:|poll|applied|refused|error|warn|fail|signal|exit|stopp' |
    grep --line-buffered -v 'libbpf: ' | sed -u 's/^/    log| /' &
log_pid=$!
"$lockprobed" -d -f "$dir/lockprobe.conf" > "$dir/log.fifo" 2>&1 &
privd=$!
wait_until 15 "hello from lockprobe-netd" grep -q 'is up: protocol' "$dir/log"
netd_pid=$(pgrep -P "$privd" -x lockprobe-netd) || die "lockprobed has no lockprobe-netd child"
echo "    lockprobed pid $privd (root); lockprobe-netd pid $netd_pid," \
    "user $(ps -o user= -p "$netd_pid"), chroot $(readlink "/proc/$netd_pid/root")," \
    "seccomp mode $(awk '/^Seccomp:/ { print $2 }' "/proc/$netd_pid/status") (2 = filter)"
first_poll() { ctl -j status | python3 -c 'import json, sys
r = json.load(sys.stdin)["netd"]["remote"]
sys.exit(0 if r.get("polls", 0) >= 1 and "last_success" in str(r) else 1)'; }
wait_until 20 "first successful poll of $url" first_poll

begin 3 "real contention on a demo map, and what this host can see of it"
setsid "$stress" -d 60000 -m mmap array > "$dir/stress.out" 2>&1 &
stress_pid=$!
echo "    lockprobe-stress (pid $stress_pid): 4 processes mmap one array map, lps_array," \
    "and contend on its freeze_mutex, a sleeping lock"
demo_map() { awk '$1 == "map_id:" { print $2; exit }' /proc/"$stress_pid"/fdinfo/* 2>/dev/null || true; }
has_demo_map() { [ -n "$(demo_map)" ]; }
wait_until 10 "map held by lockprobe-stress" has_demo_map
map=$(demo_map)
echo "    the demo map: id $map"
ctl status > "$dir/status" || die "lockprobectl status: $(cat "$dir/status")"
grep -E '^ *[a-z]+ locks: ' "$dir/status" > "$dir/verdicts" ||
    die "lockprobectl status has no verdicts: $(cat "$dir/status")"
echo "    this host's kernel, as lockprobed's calibration found it:"
grep '^calibration' "$dir/status" | indent
indent < "$dir/verdicts"
sleeping=$(sed -n -E 's/^ *sleeping locks: ([a-z]+).*/\1/p' "$dir/verdicts")
[ -n "$sleeping" ] || die "no verdict for sleeping locks in status"
map_waits() {	# the demo map's freeze_mutex row in stats has a count
	ctl -j stats "$map" | python3 -c 'import json, sys
rows = [r for r in json.load(sys.stdin)["stats"] if r["lock_kind"] == "freeze_mutex"]
sys.exit(0 if rows and (rows[0].get("count") or 0) > 0 else 1)'
}
if [ "$sleeping" = observable ]; then
	wait_until 15 "freeze_mutex waits on map $map in lockprobectl stats" map_waits
	echo "    sleeping locks are observable here: the demo map's waits are counted"
else
	echo "    sleeping locks are $sleeping here: stats will say \"not observable\", never 0"
fi

begin 4 "a lockstat configuration published with lockprobe-repo and applied"
# settings: the collector's settings, where they came from, what they select
settings() { grep -E '^map walk|^collector settings|^  (include|maps left out)' "$1" | indent; }
echo "    before, lockprobectl status says:"
settings "$dir/status"
echo '{"include": ["lps_*"], "rewalk_interval_sec": 2}' > "$dir/demo.json"
echo "    lockstat/demo.json: $(cat "$dir/demo.json")  (watch only the demo's maps)"
repo add lockstat/demo.json "$dir/demo.json" | indent
served=$(wc -l < "$dir/http.log")
echo "    lockprobectl poll:"
# a scheduled poll may be running just now: then it, or the next one, brings it
if ! ctl poll > "$dir/poll" 2>&1; then
	grep -q 'no poll: a poll is already running' "$dir/poll" ||
	    die "lockprobectl poll: $(cat "$dir/poll")"
fi
indent < "$dir/poll"
applied() {	# applied, or refused with the reason (the demo stops there)
	ctl status > "$dir/status"
	if grep -q 'lockstat: lockstat/demo.json (targets version [0-9]*) not applied' "$dir/status"; then
		die "lockprobed refused lockstat/demo.json: $(grep 'lockstat: ' "$dir/status")"
	fi
	grep -q 'lockstat: lockstat/demo.json (targets version [0-9]*) applied' "$dir/status"
}
wait_until 20 "lockstat/demo.json applied in lockprobectl status" applied
walk_number() { ctl status | sed -n 's/^map walk \([0-9]*\) .*/\1/p'; }
walk=$(walk_number)
walked_since() { [ "$(walk_number)" -gt "$walk" ]; }
wait_until 10 "map walk after walk $walk with the new settings" walked_since
ctl status > "$dir/status"
echo "    after, once the collector has walked the maps again, lockprobectl status says:"
grep -E '^  lockstat: ' "$dir/status" | indent
settings "$dir/status"
grep -q 'collector settings (from lockstat/demo.json' "$dir/status" ||
    die "lockprobed's collector settings do not come from lockstat/demo.json: $(cat "$dir/status")"
echo "    what the web server served since the poll (a 404 for 2.root.json: no new root):"
tail -n +"$((served + 1))" "$dir/http.log" | grep '"GET' | indent

begin 5 "what an operator sees: status, stats, hist, metrics, top"
say "lockprobectl status"
ctl status | indent
say "lockprobectl stats (only lps_* maps now, as lockstat/demo.json says)"
ctl stats > "$dir/stats" || die "lockprobectl stats: $(cat "$dir/stats")"
indent < "$dir/stats"
grep -q "^ *$map lps_array " "$dir/stats" || die "the demo map $map is not in stats"
say "lockprobectl hist $map"
ctl hist "$map" > "$dir/hist" || die "lockprobectl hist $map: $(cat "$dir/hist")"
indent < "$dir/hist"
if [ "$sleeping" = observable ]; then
	grep -q '|\*' "$dir/hist" || die "sleeping locks are observable, but hist $map has no bars"
fi
say "one line of the metrics scrape (http://127.0.0.1:$metrics_port/metrics)"
python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
    "http://127.0.0.1:$metrics_port/metrics" > "$dir/metrics" || die "no answer from the metrics endpoint"
if [ "$sleeping" = observable ]; then
	want="^lockprobe_lock_wait_seconds_count\\{.*map_id=\"$map\".*freeze_mutex"
else
	want="^lockprobe_observability\\{lock_class=\"sleeping\",verdict=\"$sleeping\"\\} 1\$"
fi
grep -m 1 -E "$want" "$dir/metrics" | indent || die "no line matching $want in the scrape"
say "lockprobectl top -n 1 -f 'lps_*'"
ctl top -n 1 -f 'lps_*' > "$dir/top" || die "lockprobectl top: $(cat "$dir/top")"
indent < "$dir/top"
grep -q "^ *$map lps_array " "$dir/top" || die "the demo map $map is not in top"

begin 6 "a clean stop"
kill -TERM -- "-$stress_pid"
wait "$stress_pid" 2>/dev/null || true
stress_pid=
echo "    lockprobe-stress stopped"
echo "    SIGTERM to lockprobed (pid $privd)"
kill -TERM "$privd"
rc=0
wait "$privd" || rc=$?
privd=
wait "$log_pid" || true
[ "$rc" = 0 ] || die "lockprobed exited with status $rc"
! kill -0 "$netd_pid" 2>/dev/null || die "lockprobe-netd (pid $netd_pid) is still running"
[ ! -e "$dir/lockprobed.pid" ] || die "the pidfile $dir/lockprobed.pid was left behind"
kill -TERM "$http"
wait "$http" 2>/dev/null || true
http=
echo "    lockprobed exited with status 0; lockprobe-netd is gone; the pidfile is removed"
say "demo finished in $SECONDS s"
