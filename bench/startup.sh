#!/bin/bash
# Start-up of lockprobed: the time from its start to the contention programs
# attached and every map walked, with N maps on the host (default 1,000),
# and the map walk and kernel symbol resolution reported separately.
# Target: under 300 ms with 1,000 maps.  As root, from a build directory:
#
#   bash ../bench/startup.sh [N]
set -euo pipefail
n=${1:-1000}
build=$(pwd)
[ -x "$build/lockprobed" ] || { echo "startup.sh: run it in a build directory" >&2; exit 1; }
user=_lockprobe
getent passwd "$user" >/dev/null || user=nobody
dir=$(mktemp -d /tmp/lockprobe-startup.XXXXXX)
chmod 755 "$dir"
holder=
privd=
cleanup() {
	[ -z "$privd" ] || kill -TERM "$privd" 2>/dev/null || true
	[ -z "$holder" ] || kill "$holder" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

# N hash maps, held open by a process of their own
python3 - "$n" "$dir/maps-ready" <<'PY' &
import ctypes, os, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
n, ready = int(sys.argv[1]), sys.argv[2]
fds = []
for i in range(n):
    attr = ctypes.create_string_buffer(struct.pack("IIIII", 1, 4, 8, 64, 0) + b"\0" * 108)
    fd = libc.syscall(321, 0, attr, 128)      # bpf(BPF_MAP_CREATE, hash 4/8/64)
    if fd < 0:
        sys.exit("BPF_MAP_CREATE: %s" % os.strerror(ctypes.get_errno()))
    fds.append(fd)
open(ready, "w").close()
time.sleep(3600)
PY
holder=$!
while [ ! -e "$dir/maps-ready" ]; do
	kill -0 "$holder" 2>/dev/null || { echo "startup.sh: could not create the maps" >&2; exit 1; }
	sleep 0.05
done

cat > "$dir/lockprobe.conf" <<CONF
state-directory $dir/state
netd-user $user
netd-path $build/lockprobe-netd
pidfile $dir/lockprobed.pid
control-socket $dir/ctl.sock
asset-directory $build/bpf
CONF
chmod 644 "$dir/lockprobe.conf"

t0=$(date +%s%N)
"$build/lockprobed" -d -f "$dir/lockprobe.conf" > "$dir/log" 2>&1 &
privd=$!
while ! grep -q "map walk 1:" "$dir/log"; do
	kill -0 "$privd" 2>/dev/null || { cat "$dir/log"; exit 1; }
	sleep 0.002
done
t1=$(date +%s%N)
while ! grep -q "is up: protocol" "$dir/log"; do sleep 0.01; done

echo "maps on the host: $(grep -o 'map walk 1: [0-9]* maps' "$dir/log" | grep -o '[0-9]* maps')"
echo "start to contention programs attached and first walk done: $(( (t1 - t0) / 1000000 )) ms (target: under 300 ms with 1,000 maps)"
grep -o "map walk 1: .*" "$dir/log" | sed 's/^/  /'
grep -o "kernel symbols: .*" "$dir/log" | sed 's/^/  /'
grep -o "calibration: .* locks [a-z]*" "$dir/log" | sed 's/^/  after that, /'
echo "  resident memory of lockprobed now: $(awk '/^VmRSS/ { print $2, $3 }' /proc/"$privd"/status)"
