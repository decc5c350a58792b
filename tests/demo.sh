#!/bin/bash
# The README's main job: contrib/demo.sh, run on this build as the quick
# start runs it, must finish with status 0 and show each of its steps done:
# the repository served, lockprobed and netd up, the host's verdicts, the
# lockstat configuration applied with its origin in status, stats, hist, a
# metrics line, a top frame, and the clean stop.  The demo checks each step
# itself and fails with its number; this test also checks that the
# output says what the README promises, and that no sanitizer spoke.
# shellcheck source=tests/lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
require_root
command -v python3 >/dev/null || skip "needs python3"
command -v setsid >/dev/null || skip "needs setsid (util-linux)"

T=$(mktemp -d /tmp/lockprobe-demo-test.XXXXXX) || fail "mktemp"
out=$T/demo.out
bash "$top_srcdir/contrib/demo.sh" "$top_builddir" > "$out" 2>&1 ||
    fail "the demo failed (status $?): $(tail -n 40 "$out")"
cat "$out"

expect() {	# expect DESCRIPTION EXTENDED-REGEX: a line of the output matches
	grep -q -E -- "$2" "$out" || fail "the demo's output has no $1 (no line matching $2)"
}
for n in 1 2 3 4 5 6; do
	expect "step $n" "^=== step $n: "
done
expect "repository served" '^    python3 -m http.server \(pid [0-9]+\) serves it at http://127\.0\.0\.1:[0-9]+/repo$'
expect "netd up" '^    log\| lockprobed\[[0-9]+\]: info: netd \(pid [0-9]+\) is up: protocol'
expect "netd's sandbox" 'lockprobe-netd pid [0-9]+, user [a-z_]+, chroot /tmp/lockprobe-demo\.[^ ]+/state, seccomp mode 2'
expect "sleeping-lock verdict" '^    sleeping locks: (observable|blind|inconclusive): .'
expect "spinning-lock verdict" '^    spinning locks: (observable|blind|inconclusive): .'
expect "published target" '^    lockstat/demo\.json: [0-9]+ bytes, sha256 [0-9a-f]{64}$'
expect "configuration applied in status" '^      lockstat: lockstat/demo\.json \(targets version [0-9]+\) applied at '
expect "settings' origin" '^    collector settings \(from lockstat/demo\.json \(targets version [0-9]+\)\): .*rewalk every 2 s'
expect "include glob in force" '^      include: lps_\*$'
expect "target fetched" '"GET /repo/targets/lockstat/[0-9a-f]{64}\.demo\.json HTTP/1\.1" 200'
expect "remote section of status" '^    remote configuration: http://127\.0\.0\.1:[0-9]+/repo/$'
expect "stats row of the demo map" '^ +[0-9]+ lps_array +array +freeze_mutex +mutex '
expect "metrics line" '^    lockprobe_(lock_wait_seconds_count|observability)\{'
expect "top frame" '^    lockprobectl top - [0-9:]+, every [0-9]+ s'
expect "clean stop" '^    lockprobed exited with status 0; lockprobe-netd is gone; the pidfile is removed$'
expect "elapsed time" '^=== demo finished in [0-9]+ s$'
if grep -q -E '^    sleeping locks: observable' "$out"; then
	expect "histogram bars" '^ +[0-9]+ -> [0-9]+ +: [0-9]+ +\|\*+ *\|$'
fi
if grep -q -E "$SANITIZER_RE" "$out"; then
	fail "a sanitizer reported an error in the demo: $(grep -E "$SANITIZER_RE" "$out")"
fi
echo "PASS: $TEST_NAME ($(sed -n 's/^=== demo finished in \([0-9]*\) s$/\1/p' "$out") s)"
