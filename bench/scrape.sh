#!/bin/bash
# The metrics endpoint under load: with N hash maps on the host (default
# 1,000), the size of one scrape of /metrics (bytes, lines, lock series) and
# the time a scrape takes, end to end (netd asks lockprobed for status and
# every stats page, renders, answers), over K scrapes 1.1 s apart (default
# 20; netd answers a scrape less than 1 s old from the last one, which is
# timed apart).  As root, from a build directory:
#
#   bash ../bench/scrape.sh [N] [K]
set -euo pipefail
n=${1:-1000}
k=${2:-20}
. "$(dirname "$0")/lib.sh"
bench_setup scrape

# N hash maps, held open by a process of their own
bench_hold_maps "$n"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bench_conf "metrics-listen 127.0.0.1:$port"
bench_start
bench_wait_log "is up: protocol"

python3 - "$port" "$k" <<'PY'
import socket, sys, time
port, k = int(sys.argv[1]), int(sys.argv[2])
def scrape():
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    out = b""
    while True:
        c = s.recv(1 << 20)
        if not c:
            break
        out += c
    s.close()
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head[:80]
    return body
body = scrape()
times = []
for _ in range(k):
    time.sleep(1.1)
    t = time.monotonic()
    scrape()
    times.append(time.monotonic() - t)
times.sort()
t = time.monotonic()
scrape()
reused = time.monotonic() - t
lines = body.count(b"\n")
series = body.count(b"lockprobe_lock_wait_seconds_count{")
print("one scrape: %d bytes, %d lines, %d lock series" % (len(body), lines, series))
print("scrape time over %d fresh scrapes: median %.1f ms, max %.1f ms" %
      (k, 1000 * times[len(times) // 2], 1000 * times[-1]))
print("a scrape within 1 s of the last (answered from it): %.1f ms" %
      (1000 * reused))
PY
echo "maps on the host: $(grep -o 'map walk 1: [0-9]* maps' "$dir/log" | grep -o '[0-9]* maps')"
rss() { awk '/^VmRSS/ { print $2, $3 }' /proc/"$1"/status; }
netd=$(pgrep -P "$privd" -x lockprobe-netd)
echo "resident memory right after the scrapes: lockprobed $(rss "$privd"), lockprobe-netd $(rss "$netd")"
sleep 2.5
echo "and 2.5 s later, between scrapes: lockprobed $(rss "$privd"), lockprobe-netd $(rss "$netd")"
