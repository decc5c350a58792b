# Shared by the remote-configuration tests (tests/daemon/remote_*.sh and
# fault_*.sh): sourced after tests/lib.sh, not run.  Sources fetch_lib.sh.
#
# remote_setup: root, python3 and lockprobe-repo needed (skip otherwise);
#   SRV=$T/srv, a repository made by lockprobe-repo init in $SRV/repo (keys
#   in $T/keys), its root copied to $T/root.json as the trusted root, the
#   test certificates and the loopback server started (HTTP_PORT, ...).
#   Call after setup_test.
# remote_conf LINE...: write_conf with a 1 s heartbeat, the repository at
#   $REMOTE_URL (default http://127.0.0.1:$HTTP_PORT/repo) and
#   $T/root.json, then LINE...
# lr ARGS: lockprobe-repo on that repository, failing the test on error.
# ctl ARGS: lockprobectl on the test's control socket.
# status_has RE: the text status has a line matching RE (kept in $T/status).
# wait_status RE [SECONDS]: wait for that, 15 s unless told.
# publish PRODUCT/ID JSON [lockprobe-repo add options]: add that target.
# polls: how many polls netd has finished (status -j).
# wait_polls_past N: wait until more than N polls have finished.
# repo_timestamp_version: the version of the published timestamp.json.
. "$top_srcdir/tests/fetch_lib.sh"

REPO_TOOL=$top_builddir/tools/lockprobe-repo

lr() {
	"$REPO_TOOL" -d "$SRV/repo" -k "$T/keys" "$@" >> "$T/repo.log" 2>&1 ||
	    fail "lockprobe-repo $*: $(tail -n 3 "$T/repo.log")"
}

ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }

status_has() { ctl status > "$T/status" 2>&1 && grep -q -- "$1" "$T/status"; }

wait_status() {
	_n=0
	while ! status_has "$1"; do
		_n=$((_n + 1))
		[ "$_n" -le $((${2:-15} * 10)) ] || fail "timed out waiting for a status line matching '$1'; status:
$(cat "$T/status")"
		sleep 0.1
	done
}

publish() {
	_target=$1 _json=$2
	shift 2
	mkdir -p "$T/cfg"
	printf '%s\n' "$_json" > "$T/cfg/publish.json"
	lr add "$@" "$_target" "$T/cfg/publish.json"
}

remote_setup() {
	require_root
	command -v python3 >/dev/null || skip "needs python3"
	[ -x "$REPO_TOOL" ] || fail "$REPO_TOOL not built"
	SRV=$T/srv
	mkdir -p "$SRV"
	lr init
	cp "$SRV/repo/metadata/1.root.json" "$T/root.json"
	make_certs "$SRV"
	start_fetch_server "$SRV"
}

remote_conf() {
	write_conf "heartbeat-interval 1" "heartbeat-timeout 5" \
	    "repository-url ${REMOTE_URL:-http://127.0.0.1:$HTTP_PORT/repo}" \
	    "trusted-root $T/root.json" "$@"
}

polls() {
	ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["netd"]["remote"].get("polls", 0))'
}

polls_past() { [ "$(polls)" -gt "$1" ]; }

wait_polls_past() {
	wait_for "${2:-15}" "a poll after poll number $1" polls_past "$1"
}

repo_timestamp_version() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["signed"]["version"])' "$SRV/repo/metadata/timestamp.json"
}
