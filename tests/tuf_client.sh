#!/bin/sh
# The tuf-conformance client (tests/tuf-client) against repositories served
# by python3's http.server on loopback: the scenarios of
# tests/tuf_client_scenarios.c (made by the test repository builder), and a
# repository published by lockprobe-repo.  How to run the public
# tuf-conformance suite against the client: tests/tuf_conformance.md.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CLIENT=$top_builddir/tests/tuf-client
REPO_TOOL=$top_builddir/tools/lockprobe-repo
for f in "$CLIENT" "$top_builddir/tests/tuf_client_scenarios" "$REPO_TOOL"; do
	[ -x "$f" ] || fail "$f is not built (make check builds it)"
done
setup_test

. "$top_srcdir/tests/tuf_lib.sh"
mkdir "$T/serve" "$T/work" || fail "mkdir"
start_http "$T/serve"

"$top_builddir/tests/tuf_client_scenarios" "$CLIENT" "$T/serve" "$URL" \
    "$REQUEST_LOG" "$T/work" || fail "the client failed scenarios (above)"

# A repository made by lockprobe-repo, served as it is written.
lr="$REPO_TOOL -d $T/serve/lr -k $T/lrkeys"
printf '{"period": 5}\n' > "$T/a.json"
printf '{"period": 9}\n' > "$T/b.json"
{ $lr init && $lr add lockstat/a.json "$T/a.json"; } > "$T/lr.log" 2>&1 ||
    fail "lockprobe-repo: $(cat "$T/lr.log")"
M=$T/lrclient/metadata D=$T/lrclient/targets
mkdir -p "$M" "$D" && chmod 700 "$M" "$D" || fail "mkdir"
download() {
	"$CLIENT" --metadata-dir "$M" --metadata-url "$URL/lr/metadata" \
	    --target-name "$1" --target-base-url "$URL/lr/targets" \
	    --target-dir "$D" download
}
"$CLIENT" --metadata-dir "$M" init "$T/serve/lr/metadata/1.root.json" ||
    fail "init with lockprobe-repo's root"
download lockstat/a.json || fail "download from lockprobe-repo's repository"
cmp -s "$D/lockstat%2Fa.json" "$T/a.json" || fail "the downloaded target differs"
ok "download from a lockprobe-repo repository"
$lr add lockstat/a.json "$T/b.json" >> "$T/lr.log" 2>&1 || fail "lockprobe-repo add"
download lockstat/a.json || fail "download of the replaced target"
cmp -s "$D/lockstat%2Fa.json" "$T/b.json" || fail "the replaced target differs"
ok "the replaced target is downloaded again"
$lr remove lockstat/a.json >> "$T/lr.log" 2>&1 || fail "lockprobe-repo remove"
if download lockstat/a.json 2>/dev/null; then
	fail "a removed target is still downloaded"
fi
ok "a removed target is not found"
[ "$(ls "$M" | tr '\n' ' ')" = "root.json snapshot.json targets.json timestamp.json " ] ||
    fail "metadata directory: $(ls "$M")"
ok "the metadata directory holds root, timestamp, snapshot and targets"
# The command line: every mistake is exit 1 with a reason.
refused() {
	_why=$1
	shift
	"$CLIENT" "$@" > "$T/cli.out" 2>&1
	_rc=$?
	[ $_rc -eq 1 ] || fail "tuf-client $*: exit status $_rc, not 1"
	grep -q -- "$_why" "$T/cli.out" ||
	    fail "tuf-client $*: no \"$_why\" in: $(cat "$T/cli.out")"
	ok "refused: tuf-client $* ($_why)"
}
refused "no command"
refused "unknown command" --metadata-dir "$M" frobnicate
refused "unknown option" --metadata-dir "$M" --verbose refresh
refused "metadata-dir is required" init "$T/a.json"
refused "refresh takes" --metadata-dir "$M" refresh
refused "download takes" --metadata-dir "$M" --metadata-url "$URL/lr/metadata" \
    --target-name lockstat/a.json --target-base-url "$URL/lr/targets" download
names=
for i in $(seq 65); do names="$names --target-name t$i"; done
refused "more than 64" --metadata-dir "$M" $names download
refused "$T/nonexistent.json" --metadata-dir "$T/m2" init "$T/nonexistent.json"
head -c 600000 /dev/zero > "$T/big.json"
refused "exceeds the limit" --metadata-dir "$T/m2" init "$T/big.json"
refused "only http:// and https:// URLs" --metadata-dir "$M" --metadata-url ftp://127.0.0.1/x refresh
mkdir -p "$T/open" && chmod 777 "$T/open"
refused "writable by group or others" --metadata-dir "$T/open" --metadata-url "$URL/lr/metadata" refresh
refused "run init first" --metadata-dir "$T/m3" --metadata-url "$URL/lr/metadata" refresh

stop_http
echo "PASS: $TEST_NAME"
exit 0
