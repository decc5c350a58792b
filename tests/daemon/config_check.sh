#!/bin/sh
# lockprobed -n: the verdict on a configuration, with errors that name the
# file, the line and the key; -nv prints the normalised configuration, which
# parses again to the same.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
id "$NETD_USER" >/dev/null 2>&1 || skip "needs the user $NETD_USER"
setup_test "heartbeat-interval 2" "log-level warning"

"$LOCKPROBED" -n -f "$CONF" > "$T/out" 2>&1 || fail "-n refused a good configuration: $(cat "$T/out")"
grep -q "configuration OK" "$T/out" || fail "-n did not say OK: $(cat "$T/out")"
ok "good configuration accepted"

"$LOCKPROBED" -n -v -f "$CONF" > "$T/norm1" 2>/dev/null || fail "-nv failed"
grep -q '^heartbeat-interval 2$' "$T/norm1" || fail "normalised output lacks heartbeat-interval 2: $(cat "$T/norm1")"
grep -q '^heartbeat-timeout 15$' "$T/norm1" || fail "normalised output lacks the default timeout"
chmod 644 "$T/norm1"
"$LOCKPROBED" -n -v -f "$T/norm1" > "$T/norm2" 2>/dev/null || fail "normalised output does not parse"
cmp -s "$T/norm1" "$T/norm2" || fail "normalised output changes when parsed again"
ok "normalised configuration round-trips"

# bad_conf NAME EXPECTED-MESSAGE-REGEX LINE...
bad_conf() {
	_name=$1 _want=$2
	shift 2
	printf '%s\n' "$@" > "$T/$_name.conf"
	chmod 644 "$T/$_name.conf"
	if "$LOCKPROBED" -n -f "$T/$_name.conf" > "$T/$_name.out" 2>&1; then
		fail "$_name: accepted"
	fi
	grep -q -E -- "$_want" "$T/$_name.out" || fail "$_name: message '$(cat "$T/$_name.out")' does not match '$_want'"
	grep -q "configuration has errors" "$T/$_name.out" || fail "$_name: no verdict line"
	ok "$_name refused: $(head -n 1 "$T/$_name.out")"
}
bad_conf range "$T/range.conf:2: heartbeat-interval: '0' is out of range" "netd-user $NETD_USER" "heartbeat-interval 0"
bad_conf unknown "$T/unknown.conf:1: colour: unknown key" "colour blue"
bad_conf twice "$T/twice.conf:2: log-level: given twice \\(first on line 1\\)" "log-level info" "log-level debug"
bad_conf level "$T/level.conf:1: log-level: 'loud'" "log-level loud"
bad_conf relative "$T/relative.conf:1: state-directory: " "state-directory var/lib"
bad_conf nouser "$T/nouser.conf: netd-user lp-no-such-user: no such user; create it with: adduser" \
    "netd-user lp-no-such-user" "netd-path $NETD"
bad_conf nonetd "$T/nonetd.conf: netd-path $T/missing: No such file" "netd-user $NETD_USER" "netd-path $T/missing"

if "$LOCKPROBED" -n -f "$T/does-not-exist.conf" > "$T/missing.out" 2>&1; then
	fail "a missing file was accepted"
fi
grep -q "$T/does-not-exist.conf" "$T/missing.out" || fail "missing file not named: $(cat "$T/missing.out")"
ok "missing file refused"

cp "$CONF" "$T/writable.conf"
chmod 666 "$T/writable.conf"
if "$LOCKPROBED" -n -f "$T/writable.conf" > "$T/writable.out" 2>&1; then
	fail "a world-writable configuration was accepted"
fi
grep -q "chmod go-w" "$T/writable.out" || fail "no fix given: $(cat "$T/writable.out")"
ok "world-writable file refused"

if "$LOCKPROBED" -x > "$T/usage.out" 2>&1; then
	fail "an unknown option was accepted"
fi
grep -q "^usage: lockprobed" "$T/usage.out" || fail "no usage line"
if "$LOCKPROBED" -X nothing -n -f "$CONF" > "$T/probe.out" 2>&1; then
	fail "an unknown probe was accepted"
fi
grep -q "unknown probe" "$T/probe.out" || fail "unknown probe not explained"
ok "bad options refused"
finish
