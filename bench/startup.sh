#!/bin/bash
# Start-up of lockprobed: the time from its start to the contention programs
# attached and every map walked, with N maps on the host (default 1,000),
# and the map walk and kernel symbol resolution reported separately.
# Target: under 300 ms with 1,000 maps.  As root, from a build directory:
#
#   bash ../bench/startup.sh [N]
set -euo pipefail
n=${1:-1000}
. "$(dirname "$0")/lib.sh"
make_maps "$n"

t0=$(date +%s%N)
start_privd
wait_log "map walk 1:"
t1=$(date +%s%N)
wait_log "is up: protocol"

echo "maps on the host: $(grep -o 'map walk 1: [0-9]* maps' "$dir/log" | grep -o '[0-9]* maps')"
echo "start to contention programs attached and first walk done: $(( (t1 - t0) / 1000000 )) ms (target: under 300 ms with 1,000 maps)"
grep -o "map walk 1: .*" "$dir/log" | sed 's/^/  /'
grep -o "kernel symbols: .*" "$dir/log" | sed 's/^/  /'
grep -o "calibration: .* locks [a-z]*" "$dir/log" | sed 's/^/  after that, /'
echo "  resident memory of lockprobed now: $(awk '/^VmRSS/ { print $2, $3 }' /proc/"$privd"/status)"
