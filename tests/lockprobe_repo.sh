#!/bin/sh
# lockprobe-repo end to end: init, add, replace, remove, re-sign timestamp;
# keys 0600 and never printed; refusals of bad target names and of keys
# inside the published tree; the C client fetches and verifies what the
# tool published (and no longer finds what it removed); securesystemslib
# verifies every signature.  The securesystemslib step is skipped (exit 77)
# without python3-securesystemslib, except under CI=true where that fails.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
repo_tool=$top_builddir/tools/lockprobe-repo
checker=$top_builddir/tests/tuf_interop_check
helper=$top_srcdir/tests/tuf_interop.py

for f in "$repo_tool" "$checker"; do
	if [ ! -x "$f" ]; then
		echo "FAIL: $f not built (make check builds it)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lockprobe_repo.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
cd "$tmp" || exit 1

status=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; status=1; }
run() {
	if "$@" >>out.log 2>&1; then ok "$*"; else fail "$*"; fi
}
refused() {
	if "$@" >>out.log 2>&1; then fail "accepted: $*"; else ok "refused: $*"; fi
}

lr="$repo_tool -d repo -k keys"
printf '{"period": 5}\n' > a.json
printf '{"period": 10, "maps": ["*"]}\n' > b.json
printf 'not json\n' > bad.json

run $lr init
run $lr add -H db1 -H db2 -T prod lockstat/a.json a.json
run $lr add lockstat/b.json b.json
run $lr add lockstat/a.json b.json
run $lr remove lockstat/b.json
run $lr timestamp -e 2
refused $lr add lockstat/../x.json a.json
refused $lr add lockstat/.hidden.json a.json
refused $lr add LockStat/x.json a.json
refused $lr add lockstat/x.txt a.json
refused $lr add lockstat/x.json bad.json
refused $lr init
refused $repo_tool -d repo -k repo/keys keygen extra

# keys: 0600, private halves never on any output
for k in keys/*.key; do
	mode=$(stat -c %a "$k")
	[ "$mode" = 600 ] && ok "$k mode 600" || fail "$k mode $mode"
	priv=$(sed -n 's/.*"private": "\([0-9a-f]*\)".*/\1/p' "$k")
	if [ -z "$priv" ]; then
		fail "$k: no private key found"
	elif grep -q "$priv" out.log; then
		fail "$k: private key printed"
	else
		ok "$k: private key never printed"
	fi
done
chmod 644 keys/timestamp.key
refused $lr timestamp
chmod 600 keys/timestamp.key

# the C client follows the repository
if got=$("$checker" fetch repo lockstat/a.json 2>>out.log) &&
    [ "$got" = "$(cat b.json)" ]; then
	ok "client fetches the replaced lockstat/a.json"
else
	fail "client: lockstat/a.json: $got"
fi
"$checker" fetch repo lockstat/b.json >/dev/null 2>>out.log
rc=$?
[ $rc -eq 3 ] && ok "client: removed target not found" ||
    fail "client: removed target: exit $rc"
run $lr timestamp
if "$checker" fetch repo lockstat/a.json >/dev/null 2>>out.log; then
	ok "client follows a re-signed timestamp"
else
	fail "client after timestamp"
fi

# securesystemslib
. "$top_srcdir/tests/tuf_lib.sh"
sslib_python
if [ -n "$python" ]; then
	run "$python" "$helper" checkrepo repo
elif [ "${CI:-}" = true ]; then
	fail "no python3 can import securesystemslib (apt-get install python3-securesystemslib)"
else
	echo "SKIP: securesystemslib checks (install python3-securesystemslib)"
	[ $status -eq 0 ] && status=77
fi

if [ $status -eq 1 ]; then
	echo "--- output"
	cat out.log
fi
exit $status
