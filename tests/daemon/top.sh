#!/bin/sh
# lockprobectl top against a running lockprobed with real contention from
# lockprobe-stress: frames one after another when stdout is not a
# terminal (-n of them, or until SIGINT), with the waits of each interval;
# in place on a terminal (a pty) until q; and the -f and -o options that
# stats shares with it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
PY=/usr/bin/python3
STRESS=$top_builddir/bench/lockprobe-stress
[ -x "$STRESS" ] || fail "$STRESS is not built"
setup_test "rewalk-interval 1"
ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }

start_daemon
wait_netd_up 1
setsid "$STRESS" -d 30000 -m mmap array > "$T/stress.out" 2>&1 &
stress=$!
trap 'kill -TERM -- "-$stress" 2>/dev/null; cleanup' EXIT
# the map of this stress run (another test may run one of its own)
wait_for 10 "the stress helper's map" sh -c ". '$top_srcdir/tests/lib.sh'; [ -n \"\$(process_map_ids $stress)\" ]"
ours=$(process_map_ids "$stress")
[ -n "$ours" ] || fail "the stress helper holds no map"
id=${ours%% *}
wait_for 10 "map $id in stats" sh -c \
    "'$LOCKPROBECTL' -s '$T/ctl.sock' stats $id | grep -q '^ *$id lps_array '"

# plain frames: -n 3 -d 1, only the stress helper's maps
ctl top -n 3 -d 1 -f 'lps_*' -o count > "$T/top.txt" 2> "$T/top.err" || fail "top: $(cat "$T/top.err")"
[ "$(grep -c '^lockprobectl top - [0-9:]*, every 1 s, sorted by count$' "$T/top.txt")" = 3 ] || fail "not 3 frames: $(cat "$T/top.txt")"
grep -q "$(printf '\033')" "$T/top.txt" && fail "terminal escapes in plain output"
$PY - "$T/top.txt" "$ours" <<'PY' || fail "top frames (our maps: $ours): $(cat "$T/top.txt")"
import sys
ours = sys.argv[2].split()
frames = open(sys.argv[1]).read().split("lockprobectl top - ")[1:]
counts = []
for i, f in enumerate(frames):
    rows = [l.split() for l in f.splitlines() if len(l.split()) > 5 and l.split()[0].isdigit()]
    assert rows, ("no rows", i)
    assert all(r[1].startswith("lps_") for r in rows), ("-f let through", rows)
    busy = [r for r in rows if r[0] in ours and r[1] == "lps_array" and r[3] == "freeze_mutex"]
    assert len(busy) == 1, busy
    r = busy[0]
    # MAP-ID NAME TYPE LOCK CLASS WAITS/S WAITED/S COUNT MAX (times with units)
    if r[5] == "not":          # this host cannot see sleeping locks
        continue
    if i == 0:
        assert r[5] == "-" and r[6] == "-", ("first frame has no interval", r)
    else:
        float(r[5])            # waits per second over the interval
    counts.append(int(r[-3]))
assert counts == sorted(counts), ("COUNT went back", counts)
print("lps_array freeze_mutex counts:", counts)
PY
ok "3 plain frames, each interval's waits, filtered to lps_*"

# until SIGINT
"$LOCKPROBECTL" -s "$T/ctl.sock" top -d 1 > "$T/top2.txt" 2>&1 &
topp=$!
wait_for 10 "a first frame" grep -q "^lockprobectl top" "$T/top2.txt"
kill -INT "$topp"
wait "$topp" || fail "top ended with status $? on SIGINT"
ok "SIGINT ends top with status 0"

# on a terminal: in place (clear screen), q quits, the terminal restored
$PY - "$LOCKPROBECTL" "$T/ctl.sock" <<'PY' || fail "top on a terminal"
import fcntl, os, pty, select, struct, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "-s", sys.argv[2], "top", "-d", "1"])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 12, 132, 0, 0))
out = b""
deadline = time.monotonic() + 30
def drain(t):
    global out
    if select.select([fd], [], [], t)[0]:
        try:
            out += os.read(fd, 65536)
        except OSError:         # the child is gone
            return False
    return True
while out.count(b"lockprobectl top - ") < 3 and time.monotonic() < deadline:
    drain(1)
os.write(fd, b"q")
while time.monotonic() < deadline:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    if not drain(0.2):
        done, status = os.waitpid(pid, 0)
        break
else:
    os.kill(pid, 9)
    sys.exit("top did not quit on q: %r" % out[-300:])
assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
frames = out.split(b"\033[H\033[2J")[1:]
assert len(frames) >= 3, out[:500]
assert b"; q quits" in frames[0], frames[0]
# each frame fits the 12-line terminal
for f in frames[1:-1]:
    assert f.count(b"\n") <= 12, f
print("frames drawn in place, each within 12 lines; q quit")
PY
ok "on a terminal: redrawn in place, q quits"

# stats shares -f and -o
ctl -j -f 'lps_*' -o map stats > "$T/stats.json" || fail "stats -f -o"
$PY - "$T/stats.json" <<'PY' || fail "stats -f 'lps_*' -o map: $(cat "$T/stats.json")"
import json, sys
rows = json.load(open(sys.argv[1]))["stats"]
assert rows and all(r["map_name"].startswith("lps_") for r in rows), rows
ids = [r["map_id"] for r in rows]
assert ids == sorted(ids), ids
PY
ctl -j -o count stats > "$T/stats.json" || fail "stats -o count"
$PY -c 'import json, sys
rows = json.load(open(sys.argv[1]))["stats"]
c = [r["count"] or 0 for r in rows]
assert c == sorted(c, reverse=True), c' "$T/stats.json" || fail "stats -o count is not sorted by count"
ok "stats -f and -o"

for bad in "-o bogus stats" "-d 0 top" "-n x top" "-j top"; do
	# shellcheck disable=SC2086
	if ctl $bad > "$T/usage" 2>&1; then
		fail "lockprobectl $bad worked"
	fi
	grep -q "lockprobectl: " "$T/usage" || fail "lockprobectl $bad: $(cat "$T/usage")"
done
ok "bad -o, -d, -n and -j top refused: $(ctl -j top 2>&1)"
kill -TERM -- "-$stress" 2>/dev/null
wait "$stress" 2>/dev/null
finish
