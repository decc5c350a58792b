#!/bin/bash
# Remote configuration: what a poll of an unchanged repository costs
# (requests, and bytes both ways: request and response headers and bodies;
# targets 1 request, under 1 KiB), the time from publishing a lockstat
# configuration with lockprobe-repo to its being verified by netd and
# applied by lockprobed (poll-interval 1), and the resident memory of
# lockprobe-netd (target under 4 MiB) and lockprobed (under 8 MiB) in the
# steady state, with netd's proportional and private shares and its largest
# mappings (libcrypto's pages are mapped at load time, used or not).  The
# real daemons, a loopback HTTP server
# (tests/fetch_server.py).  As root, from a build directory:
#
#   bash ../bench/remote_poll.sh [POLLS]
set -u
polls_wanted=${1:-20}
top_builddir=$(pwd)
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$top_builddir/lockprobed" ] || { echo "remote_poll.sh: run it in a build directory" >&2; exit 1; }
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/remote_lib.sh"
getent passwd _lockprobe >/dev/null && NETD_USER=_lockprobe

setup_test
remote_setup
remote() { ctl -j status | python3 -c 'import json,sys; r=json.load(sys.stdin)["netd"]["remote"]; print(r[sys.argv[1]])' "$1"; }
applied() { ctl status | grep -q "lockstat: lockstat/default.json (targets version $1) applied"; }
now_ms() { date +%s%3N; }

printf '{"rewalk_interval_sec": 40}\n' > "$T/a.json"
lr add lockstat/default.json "$T/a.json"
write_conf "repository-url http://127.0.0.1:$HTTP_PORT/repo" \
    "trusted-root $T/root.json" "poll-interval 1" "poll-backoff-max 2"
start_daemon
wait_netd_up 1
wait_for 30 "the first verified poll" sh -c "[ \"\$(\"$LOCKPROBECTL\" -s \"$T/ctl.sock\" -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"netd\"][\"remote\"][\"targets_version\"])')\" = 2 ]"

# an unchanged repository
sleep 2
: > "$SRV/requests.log"
p0=$(remote polls)
while [ $(( $(remote polls) - p0 )) -lt "$polls_wanted" ]; do sleep 0.5; done
p1=$(remote polls)
sleep 0.5	# the last poll's request is logged
python3 - "$SRV/requests.log" $((p1 - p0)) <<'PY'
import sys
lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
# every poll starts with timestamp.json
polls = sum(1 for l in lines if l[0] == "metadata/timestamp.json")
total = sum(int(b) + int(q) + int(r) for _, _, b, q, r in lines)
codes = sorted(set("%s %s" % (p, s) for p, s, _, _, _ in lines))
print("unchanged repository: %d polls (netd counted %s), %.2f requests per "
      "poll (%s), %.0f bytes per poll (HTTP request and response, headers "
      "and bodies; TCP/IP not counted)" % (polls, sys.argv[2],
          len(lines) / polls, "; ".join(codes), total / polls))
PY

# publish to verified and to applied
printf '{"rewalk_interval_sec": 41}\n' > "$T/b.json"
t0=$(now_ms)
lr add lockstat/default.json "$T/b.json"
t1=$(now_ms)
until [ "$(remote targets_version)" = 3 ]; do sleep 0.05; done
t2=$(now_ms)
echo "publish (lockprobe-repo add) $((t1 - t0)) ms; published to verified by netd $((t2 - t1)) ms (poll-interval 1 s)"
i=0
until applied 3; do
	i=$((i + 1))
	[ "$i" -lt 400 ] || break
	sleep 0.05
done
t3=$(now_ms)
if applied 3; then
	echo "published to applied by lockprobed $((t3 - t1)) ms"
else
	echo "published to applied: not applied within 20 s ($(ctl status | grep 'lockstat:' | head -n 1))"
fi

# steady state memory
sleep 3
rss() { awk '/^(VmRSS|RssAnon|RssFile)/ { printf "%s%s %s KiB", sep, $1, $2; sep = ", " }' "/proc/$1/status"; }
echo "resident memory of lockprobe-netd: $(rss "$(netd_pid)")"
# where netd's goes: its own share (Pss), what no other process shares
# (Private), and the pages of each library mapped
awk '/^(Pss|Private_Clean|Private_Dirty):/ { printf "%s%s %s KiB", sep, $1, $2; sep = ", " } END { print "" }' "/proc/$(netd_pid)/smaps_rollup" | sed 's/^/  lockprobe-netd /'
awk '/^[0-9a-f]+-[0-9a-f]+ / { n = $6 == "" ? "[anon]" : $6; sub(".*/", "", n) }
    /^Rss:/ { rss[n] += $2 } /^Private_Dirty:/ { pd[n] += $2 }
    END { for (n in rss) if (rss[n] > 0) printf "%d %s\n", rss[n], n " " rss[n] " KiB (" pd[n] " KiB private dirty)" }' \
    "/proc/$(netd_pid)/smaps" | sort -rn | head -n 8 | cut -d' ' -f2- | sed 's/^/  lockprobe-netd mapping /'
echo "resident memory of lockprobed: $(rss "$PRIVD_PID")"
stop_daemon
