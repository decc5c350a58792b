#!/bin/bash
# lockprobed's resident memory in steady state with N maps on the host
# (default 1,000), over R requested re-walks (default 20), each followed
# by 5 stats queries: the resident set once it is up, after half and all
# of the rounds, the growth, and the peak.  Target: under 8 MiB.  As root,
# from a build directory:
#
#   bash ../bench/memory.sh [N] [R]
set -euo pipefail
n=${1:-1000}
rounds=${2:-20}
. "$(dirname "$0")/lib.sh"
make_maps "$n"

ctl() { "$build/lockprobectl" -s "$dir/ctl.sock" "$@"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' /proc/"$privd"/status; }
hwm_kib() { awk '/^VmHWM/ { print $2 }' /proc/"$privd"/status; }

# walks only on request, so that every round does exactly one
start_privd "rewalk-interval 86400"
wait_log "is up: protocol"
wait_log "calibration: "
start=$(rss_kib)
echo "maps on the host: $(grep -o 'map walk 1: [0-9]* maps' "$dir/log" | grep -o '[0-9]* maps')"
echo "resident set once up (calibrated, first walk done): $start KiB"
for r in $(seq 1 "$rounds"); do
	# requested walks are limited to one a second
	until ctl rewalk > /dev/null 2>&1; do sleep 0.2; done
	for q in 1 2 3 4 5; do ctl -j stats > /dev/null; done
	if [ "$r" -eq $((rounds / 2)) ]; then
		echo "after $r re-walks and $((r * 5)) stats queries: $(rss_kib) KiB"
	fi
done
end=$(rss_kib)
echo "after $rounds re-walks and $((rounds * 5)) stats queries: $end KiB"
echo "growth: $((end - start)) KiB (target: a resident set under 8192 KiB)"
echo "peak while libbpf parsed the kernel's BTF for a load (VmHWM): $(hwm_kib) KiB"
