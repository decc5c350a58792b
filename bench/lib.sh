# Shared by the shell benchmarks (bench/startup.sh, bench/scrape.sh):
# sourced, not run, from a build directory, as root.
#
#   bench_setup NAME     $build, $user, a private $dir, cleanup on exit
#   bench_hold_maps N    N hash maps on the host, held open until exit
#   bench_conf [LINE...] $dir/lockprobe.conf for this build, plus LINEs
#   bench_start          start lockprobed with it ($privd, log in $dir/log)
#   bench_wait_log RE    wait until the log has a line matching RE
#
# $privd, once set to lockprobed's pid, is stopped on exit too.

bench_setup() {
	build=$(pwd)
	[ -x "$build/lockprobed" ] || { echo "$1: run it in a build directory" >&2; exit 1; }
	user=_lockprobe
	getent passwd "$user" >/dev/null || user=nobody
	dir=$(mktemp -d "/tmp/lockprobe-$1.XXXXXX")
	chmod 755 "$dir"
	holder=
	privd=
	trap bench_cleanup EXIT
}

bench_cleanup() {
	[ -z "$privd" ] || kill -TERM "$privd" 2>/dev/null || true
	[ -z "$holder" ] || kill "$holder" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
}

bench_hold_maps() {
	python3 - "$1" "$dir/maps-ready" <<'PY' &
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
		kill -0 "$holder" 2>/dev/null || { echo "could not create the maps" >&2; exit 1; }
		sleep 0.05
	done
}

bench_conf() {
	{
		echo "state-directory $dir/state"
		echo "netd-user $user"
		echo "netd-path $build/lockprobe-netd"
		echo "pidfile $dir/lockprobed.pid"
		echo "control-socket $dir/ctl.sock"
		echo "asset-directory $build/bpf"
		for line in "$@"; do
			echo "$line"
		done
	} > "$dir/lockprobe.conf"
	chmod 644 "$dir/lockprobe.conf"
}

bench_start() {
	: > "$dir/log"	# there before bench_wait_log first reads it
	"$build/lockprobed" -d -f "$dir/lockprobe.conf" > "$dir/log" 2>&1 &
	privd=$!
}

bench_wait_log() {
	while ! grep -q "$1" "$dir/log"; do
		kill -0 "$privd" 2>/dev/null || { cat "$dir/log"; exit 1; }
		sleep 0.002
	done
}
