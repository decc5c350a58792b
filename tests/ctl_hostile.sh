#!/bin/sh
# lockprobectl against a hostile daemon (tests/hostile_control.c) on its
# control socket: answers full of terminal escape sequences, the largest
# answer a datagram holds, an oversized datagram, garbage, an answer of the
# wrong type.  lockprobectl must print every string without its control
# characters (newlines and tabs stay), never crash, and fail with a clear
# message on what it cannot use.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v python3 >/dev/null || skip "needs python3"
SERVER=$top_builddir/tests/hostile_control
[ -x "$SERVER" ] || fail "$SERVER is not built"
T=$(mktemp -d /tmp/lockprobe-ctl.XXXXXX) || fail "mktemp"
SOCK=$T/ctl.sock

"$SERVER" "$SOCK" status-escapes status-escapes reload-escapes \
    error-escapes huge oversized garbage wrong-type > "$T/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; cleanup' EXIT
wait_for 10 "the hostile server's socket" test -S "$SOCK"

# run NAME ARGS...: lockprobectl's output in $T/NAME, its status in $rc
run() {
	_name=$1
	shift
	"$LOCKPROBECTL" -s "$SOCK" "$@" > "$T/$_name" 2>&1
	rc=$?
	if grep -q -E "$SANITIZER_RE" "$T/$_name"; then
		fail "$_name: a sanitizer report: $(cat "$T/$_name")"
	fi
	python3 - "$T/$_name" <<'PY' || fail "$_name: control characters reached the terminal: $(od -c "$T/$_name" | head -n 20)"
import sys
data = open(sys.argv[1], "rb").read()
bad = [b for b in data if (b < 0x20 and b not in (9, 10)) or b == 0x7f]
sys.exit(1 if bad else 0)
PY
	[ "$rc" -lt 128 ] || fail "$_name: lockprobectl died of signal $((rc - 128))"
}

run status status
[ "$rc" = 0 ] || fail "status: exit $rc: $(cat "$T/status")"
grep -q '0\.1?\[2J?\]0;pwned?' "$T/status" || fail "status: the version is not shown made printable: $(cat "$T/status")"
grep -q 'lockprobe\.conf' "$T/status" || fail "status: the config path is missing: $(cat "$T/status")"
ok "status: escape sequences shown as '?', nothing else changed"

run status.json -j status
[ "$rc" = 0 ] || fail "status -j: exit $rc"
python3 - "$T/status.json" <<'PY' || fail "status -j: $(cat "$T/status.json")"
import json, sys
st = json.load(open(sys.argv[1]))
def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
found = list(strings(st))
assert any("pwned" in s for s in found), found
for s in found:
    assert not any(ord(c) < 0x20 and c not in "\n\t" or ord(c) == 0x7f for c in s), repr(s)
PY
ok "status -j: valid JSON, no control characters in any string"

run reload reload
[ "$rc" != 0 ] || fail "reload: a refused reload exited 0"
grep -q 'lockprobe.conf:2: other?\[2J' "$T/reload" || fail "reload: the error lines are not shown: $(cat "$T/reload")"
ok "reload: refused (exit $rc), its error lines printable"

run error status
[ "$rc" != 0 ] || fail "error answer: exit 0"
grep -q 'refused: denied?\[2J' "$T/error" || fail "error answer: $(cat "$T/error")"
ok "an error answer: printable, exit $rc"

run huge reload
[ "$rc" != 0 ] || fail "huge: exit 0"
[ "$(tr -cd 'A' < "$T/huge" | wc -c)" -gt 60000 ] || fail "huge: the long text was not printed: $(head -c 300 "$T/huge")"
ok "an answer of $(wc -c < "$T/huge") bytes: printed, printable"

for s in oversized garbage; do
	run "$s" status
	[ "$rc" != 0 ] || fail "$s: exit 0"
	grep -q "the daemon closed the connection" "$T/$s" || fail "$s: $(cat "$T/$s")"
	ok "$s: refused, then 'the daemon closed the connection' (exit $rc)"
done

run wrong status
[ "$rc" != 0 ] || fail "wrong type: exit 0"
grep -q "unexpected answer" "$T/wrong" || fail "wrong type: $(cat "$T/wrong")"
ok "an answer of the wrong type: refused (exit $rc)"

wait "$server" || fail "the hostile server failed: $(cat "$T/server.log")"
rm -rf "$T"
T=
echo "PASS: $TEST_NAME"
