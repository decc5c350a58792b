#!/bin/sh
# Rerun the daemon tests with netd's sandbox in trap mode: any system call
# the allowlist misses is then logged instead of killing, and fails the test
# that caused it.  This is how libc updates that break the sandbox show up.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
failed=0
for t in sandbox forbidden_call netd_restart reload shutdown control collector stats; do
	if LP_SECCOMP=trap sh "$top_srcdir/tests/daemon/$t.sh" > "/tmp/lockprobe-trap-$$.out" 2>&1; then
		echo "ok: $t in trap mode"
	else
		echo "FAIL: $t in trap mode:"
		cat "/tmp/lockprobe-trap-$$.out"
		failed=1
	fi
	rm -f "/tmp/lockprobe-trap-$$.out"
done
[ "$failed" = 0 ] || exit 1
echo "PASS: $TEST_NAME"
