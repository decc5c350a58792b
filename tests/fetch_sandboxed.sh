#!/bin/sh
# fetch.c and store.c in netd's real sandbox, in trap mode (fails if any
# system call was trapped, naming it) and in kill mode (fails if killed):
# HTTP (IPv4 and IPv6) and HTTPS from the loopback server, names through
# evdns, bodies persisted.  tests/fetch_sandboxed.c.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/fetch_lib.sh"
require_root
setup_test
make_certs "$T"
start_fetch_server "$T"
uid=$(id -u "$NETD_USER")
gid=$(id -g "$NETD_USER")

for mode in trap kill; do
	state=$T/state-$mode
	mkdir -m 755 "$state"
	"$top_builddir/tests/fetch_sandboxed" "$state" "$uid" "$gid" "$mode" \
	    "$T/resolv.conf" "$T/ca.pem" "$HTTP_PORT" "$HTTPS_PORT" \
	    "$HTTP6_PORT" > "$T/$mode.out" 2>&1
	rc=$?
	cat "$T/$mode.out"
	if grep -q 'trapped system call' "$T/$mode.out"; then
		fail "$mode mode: the sandbox trapped calls missing from netd's allowlist"
	fi
	[ "$rc" = 0 ] || fail "$mode mode: exit status $rc$( [ "$rc" -gt 128 ] && echo " (signal $((rc - 128)))")"
	for f in http-ok https-ok https-ip; do
		[ "$(cat "$state/db/$f")" = "hello lockprobe" ] || fail "$mode mode: $f not persisted"
		[ "$(stat -c %u "$state/db/$f")" = "$uid" ] || fail "$mode mode: $f not owned by $uid"
	done
	[ -z "$(ls -A "$state/db" | grep '^\.tmp-')" ] || fail "$mode mode: temporary files left"
	ok "$mode mode: fetched and persisted inside the sandbox"
done
stop_fetch_server
echo "PASS: $TEST_NAME"
exit 0
