#!/bin/sh
# lockprobe-repo's key rotation, thresholds and delegations, followed by the
# conformance client (tests/tuf-client) over HTTP on loopback: a root
# rotated to a new key and to a 2-of-3 threshold, a timestamp role of
# threshold 2, delegated roles with path patterns, a terminating role and a
# role of threshold 2, hash bins; the tool's refusals (too few keys for a threshold,
# paths a role is not delegated, bad role names).  securesystemslib checks
# every signature of the result (tests/tuf_interop.py checkrepo).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CLIENT=$top_builddir/tests/tuf-client
REPO_TOOL=$top_builddir/tools/lockprobe-repo
for f in "$CLIENT" "$REPO_TOOL"; do
	[ -x "$f" ] || fail "$f is not built (make check builds it)"
done
setup_test
. "$top_srcdir/tests/tuf_lib.sh"
mkdir "$T/serve" || fail "mkdir"
start_http "$T/serve"

R=$T/serve/repo K=$T/keys M=$T/client/metadata D=$T/client/targets
lr() {
	"$REPO_TOOL" -d "$R" -k "$K" "$@" > "$T/lr.last" 2>&1
	_rc=$?
	cat "$T/lr.last" >> "$T/lr.log"
	return $_rc
}
run() { lr "$@" || fail "lockprobe-repo $*: $(cat "$T/lr.last")"; }
refused_with() {
	_why=$1
	shift
	if lr "$@"; then
		fail "lockprobe-repo accepted: $*"
	fi
	grep -q -- "$_why" "$T/lr.last" ||
	    fail "lockprobe-repo $*: expected \"$_why\", got: $(cat "$T/lr.last")"
	ok "refused: $* ($_why)"
}
client() {
	"$CLIENT" --metadata-dir "$M" --metadata-url "$URL/repo/metadata" "$@"
}
download() {
	client --target-name "$1" --target-base-url "$URL/repo/targets" \
	    --target-dir "$D" download
}
# version ROLE: signed.version of the client's trusted ROLE.json
version() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["signed"]["version"])' "$M/$1.json"
}
nsigs() {
	python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["signatures"]))' "$M/$1.json"
}
got() {
	cmp -s "$D/$(echo "$1" | sed 's,/,%2F,g')" "$2" ||
	    fail "downloaded $1 differs from $2"
}
stash() { mv "$K/$1.key" "$T/$1.key.away" || fail "mv"; }
unstash() { mv "$T/$1.key.away" "$K/$1.key" || fail "mv"; }

for n in 1 2 3 4 5; do
	printf '{"period": %d}\n' "$n" > "$T/c$n.json"
done
mkdir -p "$M" "$D" && chmod 700 "$M" "$D" || fail "mkdir"

run init
run add lockstat/a.json "$T/c1.json"
client init "$R/metadata/1.root.json" || fail "client init"
download lockstat/a.json || fail "download"
got lockstat/a.json "$T/c1.json"
ok "the client follows a new repository"

# Root key rotation: version 2 signed by the old and the new key.
run keygen root2
run rotate root root2
download lockstat/a.json || fail "download after the root rotation"
[ "$(version root)" = 2 ] || fail "client root version $(version root), not 2"
ok "root rotated to a new key: the client trusts version 2"
# Without the current root key, no new root can be made.
run keygen root3
run keygen root4
stash root2
refused_with "holds 0 of the 1 keys" rotate root root3
unstash root2
# Root threshold 2 of 3.
run rotate -t 2 root root2 root3 root4
download lockstat/a.json || fail "download after the 2-of-3 root"
[ "$(version root)" = 3 ] && [ "$(nsigs root)" = 3 ] ||
    fail "client root version $(version root) with $(nsigs root) signatures"
ok "root with threshold 2 of 3: the client trusts version 3"
stash root3
stash root4
refused_with "holds 1 of the 2 keys" rotate root root2
unstash root3
# root4 is lost: the other two sign a root without it.
run rotate -t 2 root root2 root3
unstash root4
download lockstat/a.json || fail "download after a rotation signed by 2 of 3"
[ "$(version root)" = 4 ] && [ "$(nsigs root)" = 2 ] ||
    fail "client root version $(version root) with $(nsigs root) signatures"
ok "a root signed by 2 of the 3 root keys is followed"
refused_with "more than the 1 keys named" rotate -t 2 root root2
refused_with "top-level roles are" rotate lockstat root2

# Timestamp threshold 2: a new root, then everything signed again.
run keygen ts1
run keygen ts2
run rotate -t 2 timestamp ts1 ts2
download lockstat/a.json || fail "download after the timestamp rotation"
[ "$(version root)" = 5 ] && [ "$(nsigs timestamp)" = 2 ] ||
    fail "root $(version root), timestamp with $(nsigs timestamp) signatures"
ok "timestamp role of threshold 2 after a key rotation"
stash ts2
refused_with "holds 1 of the 2 keys" timestamp
unstash ts2
run timestamp
download lockstat/a.json || fail "download after a new timestamp"

# Delegations: db (lockstat/db-*, terminating), other (lockstat/*),
# pair (lockstat/pair-*, 2 of 2 keys).
run keygen dbkey
run keygen otherkey
run keygen pair1
run keygen pair2
run delegate -x -p 'lockstat/db-*' db dbkey
run delegate -p 'lockstat/*' other otherkey
run delegate -t 2 -p 'lockstat/pair-*' pair pair1 pair2
run add -r db lockstat/db-1.json "$T/c2.json"
run add -r other lockstat/db-2.json "$T/c3.json"
run add -r other lockstat/web.json "$T/c4.json"
run add -r pair lockstat/pair-1.json "$T/c5.json"
refused_with "is delegated none of its paths" add -r db lockstat/web.json "$T/c1.json"
refused_with "delegates no such role" add -r nosuch lockstat/x.json "$T/c1.json"
refused_with "cannot be delegated" delegate -p 'x/*' snapshot dbkey
refused_with "delegated role names use" delegate -p 'x/*' '../x' dbkey
refused_with "more than the 1 keys named" delegate -t 2 -p 'x/*' x dbkey
download lockstat/db-1.json || fail "download from the db role"
got lockstat/db-1.json "$T/c2.json"
download lockstat/web.json || fail "download from the other role"
got lockstat/web.json "$T/c4.json"
if download lockstat/db-2.json 2>/dev/null; then
	fail "lockstat/db-2.json found past the terminating db role"
fi
download lockstat/pair-1.json || fail "download from the 2-of-2 role"
got lockstat/pair-1.json "$T/c5.json"
[ "$(nsigs pair)" = 2 ] || fail "pair.json has $(nsigs pair) signatures"
ok "delegated roles: paths, terminating, threshold 2"
stash pair2
refused_with "holds 1 of the 2 keys" add -r pair lockstat/pair-2.json "$T/c1.json"
unstash pair2
run remove -r db lockstat/db-1.json
if download lockstat/db-1.json 2>/dev/null; then
	fail "a target removed from the db role is still found"
fi
ok "a target removed from a delegated role is no longer found"
[ "$(ls "$M" | tr '\n' ' ')" = "db.json other.json pair.json root.json snapshot.json targets.json timestamp.json " ] ||
    fail "metadata directory: $(ls "$M" | tr '\n' ' ')"
"$REPO_TOOL" -d "$R" -k "$K" list > "$T/list" 2>&1 || fail "list"
grep -q '^role db: threshold 1 of 1 keys, terminating, paths lockstat/db-\*$' "$T/list" ||
    fail "list: $(cat "$T/list")"
ok "list shows the delegations"

# Hash bins (succinct_roles), in a second repository: targets delegates
# either roles or bins.
refused_with "delegates to roles" bins -b 2 lockstat-bins dbkey
R2=$R
R=$T/serve/bins M=$T/bclient/metadata D=$T/bclient/targets
mkdir -p "$M" "$D" && chmod 700 "$M" "$D" || fail "mkdir"
client() {
	"$CLIENT" --metadata-dir "$M" --metadata-url "$URL/bins/metadata" "$@"
}
download() {
	client --target-name "$1" --target-base-url "$URL/bins/targets" \
	    --target-dir "$D" download
}
run init
refused_with "1 to 10 bits" bins -b 11 lockstat-bins pair1
run bins -t 2 -b 3 lockstat-bins pair1 pair2
[ "$(ls "$R"/metadata/lockstat-bins-?.json | wc -l)" = 8 ] ||
    fail "not 8 bins: $(ls "$R/metadata")"
run add -r lockstat-bins lockstat/x.json "$T/c1.json"
run add -r lockstat-bins lockstat/y.json "$T/c2.json"
run add -r lockstat-bins lockstat/z.json "$T/c3.json"
refused_with "delegates either roles or hash bins" delegate -p 'x/*' db dbkey
refused_with "only their keys and threshold can change" bins -b 4 lockstat-bins pair1
client init "$R/metadata/1.root.json" || fail "client init (bins)"
download lockstat/x.json && download lockstat/y.json &&
    download lockstat/z.json || fail "download from the hash bins"
got lockstat/x.json "$T/c1.json"
got lockstat/z.json "$T/c3.json"
bin=$(python3 -c 'import hashlib,sys; print("lockstat-bins-%x" % (hashlib.sha256(sys.argv[1].encode()).digest()[0] >> 5))' lockstat/y.json)
[ -f "$M/$bin.json" ] || fail "the client did not keep $bin.json: $(ls "$M")"
ok "hash bins: targets found in the bins their path hashes to ($bin)"
run bins -b 3 lockstat-bins dbkey
download lockstat/y.json || fail "download after the bins' key rotation"
"$REPO_TOOL" -d "$R" -k "$K" list > "$T/list" 2>&1 || fail "list"
grep -q '^hash bins lockstat-bins: 3 bits, threshold 1 of 1 keys$' "$T/list" ||
    fail "list: $(cat "$T/list")"
ok "the bins' keys rotated; list shows the bins"

# securesystemslib's view of both repositories
sslib_python
if [ -z "$python" ]; then
	skip "securesystemslib checks (install python3-securesystemslib)"
fi
for r in "$R2" "$R"; do
	"$python" "$top_srcdir/tests/tuf_interop.py" checkrepo "$r" > "$T/interop.log" 2>&1 ||
	    fail "securesystemslib: $r: $(grep -v '^ok' "$T/interop.log")"
	ok "securesystemslib: $r: $(tail -n 1 "$T/interop.log")"
done
stop_http
echo "PASS: $TEST_NAME"
exit 0
