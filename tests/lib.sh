# Shared harness for the daemon tests: sourced, not run.  Each test starts
# the real lockprobed (which fork+execs the real lockprobe-netd) in the
# foreground with a private configuration, state directory and pidfile.
#
# LP_SECCOMP=trap reruns a test with netd's sandbox in trap mode; a test then
# fails if netd trapped any system call it did not expect (LP_ALLOW_TRAPS).

set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
LOCKPROBED=$top_builddir/lockprobed
LOCKPROBECTL=$top_builddir/lockprobectl
NETD=$top_builddir/lockprobe-netd
NETD_USER=${LP_TEST_USER:-nobody}
SECCOMP_MODE=${LP_SECCOMP:-kill}
LP_ALLOW_TRAPS=${LP_ALLOW_TRAPS:-}
TEST_NAME=$(basename "$0" .sh)

T=
PRIVD_PID=
CONF=
LOG=

skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $TEST_NAME would skip, which CI=true does not allow: $*"
		exit 1
	fi
	echo "SKIP: $TEST_NAME: $*"
	exit 77
}

dump_log() {
	if [ -n "$LOG" ] && [ -f "$LOG" ]; then
		echo "--- lockprobed log ($LOG) ---"
		tail -n 60 "$LOG"
		echo "---"
	fi
}

# what the sanitizers print (configure --enable-sanitizers)
SANITIZER_RE='ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer'

show_sanitizer_reports() {
	if [ -n "$LOG" ] && [ -f "$LOG" ] && grep -q -E "$SANITIZER_RE" "$LOG"; then
		echo "--- a sanitizer reported an error (netd's reports come here too):"
		grep -A 30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LOG" | head -n 60
		echo "---"
	fi
}

fail() {
	echo "FAIL: $TEST_NAME: $*"
	dump_log
	show_sanitizer_reports
	exit 1
}

ok() {
	echo "ok: $*"
}

cleanup() {
	if [ -n "$PRIVD_PID" ] && kill -0 "$PRIVD_PID" 2>/dev/null; then
		kill -KILL "$PRIVD_PID" 2>/dev/null
		wait "$PRIVD_PID" 2>/dev/null
	fi
	if [ -n "$T" ]; then
		# a netd orphaned by a failed test
		for p in $(pgrep -x lockprobe-netd 2>/dev/null); do
			case "$(readlink "/proc/$p/root" 2>/dev/null)" in
			"$T"/*) kill -KILL "$p" 2>/dev/null ;;
			esac
		done
		rm -rf "$T"
	fi
}
trap cleanup EXIT

require_root() {
	[ "$(id -u)" = 0 ] || skip "needs root (run the suite as root)"
	id "$NETD_USER" >/dev/null 2>&1 || skip "needs the user $NETD_USER"
}

# require_bpftool: bpftool on PATH (Debian keeps it in /usr/sbin), or skip.
require_bpftool() {
	command -v bpftool >/dev/null || PATH=$PATH:/usr/sbin:/sbin
	command -v bpftool >/dev/null || skip "needs bpftool"
}

# mount_bpffs: a bpf file system at $T/bpffs (after setup_test) to pin the
# test's own maps in; unmounted at exit, which frees the maps.
mount_bpffs() {
	mkdir "$T/bpffs" || fail "mkdir $T/bpffs"
	mount -t bpf bpf "$T/bpffs" || skip "cannot mount a bpf file system"
	trap 'umount "$T/bpffs" 2>/dev/null; cleanup' EXIT
}

# setup_map_test [CONF-LINE...]: setup_test for a test that makes BPF maps
# of its own: root, bpftool, python3 (to read bpftool's JSON) and a bpffs.
setup_map_test() {
	require_root
	require_bpftool
	command -v python3 >/dev/null || skip "needs python3"
	setup_test "$@"
	mount_bpffs
}

# pin_map NAME TYPE [KEY-SIZE [ENTRIES]]: create a map called NAME (key 4
# and 64 entries unless given, value 8) pinned at $T/bpffs/NAME; print its id.
pin_map() {
	bpftool map create "$T/bpffs/$1" type "$2" key "${3:-4}" value 8 \
	    entries "${4:-64}" name "$1" || fail "bpftool map create $1"
	bpftool -j map show pinned "$T/bpffs/$1" |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}

# setup_test: a private directory, and a configuration with the given
# extra lines appended (later keys must not repeat earlier ones).
setup_test() {
	T=$(mktemp -d /tmp/lockprobe-test.XXXXXX) || fail "mktemp"
	chmod 755 "$T"
	CONF=$T/lockprobe.conf
	LOG=$T/lockprobed.log
	write_conf "$@"
}

write_conf() {
	{
		echo "state-directory $T/state"
		echo "netd-user $NETD_USER"
		echo "netd-path ${LP_NETD_PATH:-$NETD}"
		echo "pidfile $T/lockprobed.pid"
		echo "control-socket $T/ctl.sock"
		echo "asset-directory $top_builddir/bpf"
		echo "netd-seccomp $SECCOMP_MODE"
		echo "privd-seccomp ${LP_PRIVD_SECCOMP:-$SECCOMP_MODE}"
		for line in "$@"; do
			echo "$line"
		done
	} > "$CONF.new"
	chmod 644 "$CONF.new"
	mv "$CONF.new" "$CONF"
}

# lockprobed's output (and netd's stderr, which it shares) reaches the log
# through a pipe, as it reaches the journal or a terminal in real use: netd
# runs with RLIMIT_FSIZE 0, so a write to a regular file would kill it with
# SIGXFSZ (and lose a sanitizer report).
LOG_PID=
start_daemon() {
	rm -f "$T/log.fifo"
	mkfifo "$T/log.fifo" || fail "mkfifo"
	cat "$T/log.fifo" >> "$LOG" &
	LOG_PID=$!
	"$LOCKPROBED" -d -f "$CONF" "$@" > "$T/log.fifo" 2>&1 &
	PRIVD_PID=$!
}

# wait_log_drained: the log has everything once nothing holds the pipe.
wait_log_drained() {
	_i=0
	while [ -n "$LOG_PID" ] && kill -0 "$LOG_PID" 2>/dev/null && [ "$_i" -lt 50 ]; do
		_i=$((_i + 1))
		sleep 0.1
	done
	LOG_PID=
}

# wait_for SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds.
wait_for() {
	_limit=$1 _what=$2
	shift 2
	_i=0
	while ! "$@" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ "$_i" -le $((_limit * 10)) ] || fail "timed out after ${_limit}s waiting for: $_what"
		sleep 0.1
	done
}

log_has() {
	grep -q -- "$1" "$LOG"
}

log_count() {
	grep -c -- "$1" "$LOG"
}

wait_log() {
	wait_for "${2:-10}" "log line matching '$1'" log_has "$1"
}

# process_map_ids SID: the ids of the BPF maps the processes of session SID
# hold (a lockprobe-stress run started with setsid), one line; empty if
# none yet.  Another test may run a stress helper of its own at the same time.
process_map_ids() {
	for _p in $(pgrep -s "$1"); do
		cat /proc/"$_p"/fdinfo/* 2>/dev/null
	done | awk '$1 == "map_id:" { print $2 }' | sort -u | tr '\n' ' '
}

# netd_pid: the pid of lockprobed's current lockprobe-netd child, or empty.
netd_pid() {
	pgrep -P "$PRIVD_PID" -x lockprobe-netd 2>/dev/null | head -n 1
}

netd_running() {
	[ -n "$(netd_pid)" ]
}

# wait_netd_up N: wait until netd has said hello N times in all.
wait_netd_up() {
	wait_for "${2:-10}" "netd up (hello number $1)" \
	    sh -c "[ \$(grep -c 'is up: protocol' '$LOG') -ge $1 ]"
}

# check_traps: in trap mode, fail on any trapped call not expected.
check_traps() {
	if [ "$SECCOMP_MODE" = trap ] && [ -f "$LOG" ]; then
		unexpected=$(grep 'trapped system call' "$LOG" |
		    grep -v -E "${LP_ALLOW_TRAPS:-^\$}" || true)
		[ -z "$unexpected" ] || fail "netd's sandbox trapped calls that are not in the allowlist:
$unexpected"
	fi
}

# check_sanitizers: in a sanitizer build (configure --enable-sanitizers),
# fail on any report in the log: netd's stderr is lockprobed's, and a netd
# that died of a report would otherwise just be restarted.
# check_seccomp_kills: a netd killed by its sandbox is restarted, so a test
# could pass over it; only tests that set LP_ALLOW_SECCOMP_KILL expect one.
check_seccomp_kills() {
	if [ -z "${LP_ALLOW_SECCOMP_KILL:-}" ] && [ -n "$LOG" ] && [ -f "$LOG" ] &&
	    grep -q 'killed by its seccomp sandbox' "$LOG"; then
		fail "netd was killed by its seccomp sandbox: a call outside the allowlist (rerun with LP_SECCOMP=trap to name it)"
	fi
}

check_sanitizers() {
	if [ -n "$LOG" ] && [ -f "$LOG" ] && grep -q -E "$SANITIZER_RE" "$LOG"; then
		fail "a sanitizer reported an error"
	fi
}

# stop_daemon: SIGTERM, which must end lockprobed with status 0.
stop_daemon() {
	if [ -n "$PRIVD_PID" ] && kill -0 "$PRIVD_PID" 2>/dev/null; then
		kill -TERM "$PRIVD_PID"
		wait "$PRIVD_PID"
		_rc=$?
		PRIVD_PID=
		[ "$_rc" = 0 ] || fail "lockprobed exited with status $_rc on SIGTERM"
	fi
	PRIVD_PID=
	wait_log_drained
	check_traps
	check_sanitizers
	check_seccomp_kills
}

finish() {
	stop_daemon
	echo "PASS: $TEST_NAME${LP_SECCOMP:+ (seccomp $SECCOMP_MODE)}"
	exit 0
}
