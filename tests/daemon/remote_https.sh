#!/bin/sh
# Remote configuration over HTTPS: netd verifies the repository's server
# with the test CA of repository-ca-file, and refuses it with another CA
# or with a wrong certificate pin; the reason is in status and the log.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/fetch_lib.sh"
require_root
command -v python3 >/dev/null || skip "needs python3"
REPO_TOOL=$top_builddir/tools/lockprobe-repo
[ -x "$REPO_TOOL" ] || fail "$REPO_TOOL not built"

setup_test
SRV=$T/srv
mkdir -p "$SRV"
"$REPO_TOOL" -d "$SRV/repo" -k "$T/keys" init > "$T/repo.log" 2>&1 || fail "lockprobe-repo init: $(cat "$T/repo.log")"
cp "$SRV/repo/metadata/1.root.json" "$T/root.json"
make_certs "$SRV"
start_fetch_server "$SRV"
ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }
status_has() { ctl status > "$T/status" 2>&1 && grep -q -- "$1" "$T/status"; }
wait_status() {
	_n=0
	while ! status_has "$1"; do
		_n=$((_n + 1))
		[ "$_n" -le 150 ] || fail "timed out waiting for a status line matching '$1'; status:
$(cat "$T/status")"
		sleep 0.1
	done
}
remote_conf() {
	write_conf "heartbeat-interval 1" "heartbeat-timeout 5" \
	    "repository-url https://127.0.0.1:$HTTPS_PORT/repo/" \
	    "trusted-root $T/root.json" "poll-interval 1" \
	    "poll-backoff-max 2" "$@"
}
reload() {
	sleep 1.1	# reloads are limited to one a second
	ctl reload > "$T/reload.out" 2>&1 || fail "reload: $(cat "$T/reload.out")"
	grep -q "lockprobe-netd restarted" "$T/reload.out" || fail "netd not restarted: $(cat "$T/reload.out")"
}

remote_conf "repository-ca-file $SRV/ca.pem"
start_daemon
wait_netd_up 1
wait_status "trusted: root 1, timestamp 1"
status_has "polls [0-9]*, failed 0" || fail "failures with the right CA: $(cat "$T/status")"
ok "HTTPS with the test CA: $(grep 'trusted:' "$T/status")"

remote_conf "repository-ca-file $SRV/wrongca.pem"
reload
wait_netd_up 2
wait_status "last error: .*certificate"
wait_log "poll failed.*certificate"
ok "wrong CA refused: $(grep 'last error' "$T/status")"

remote_conf "repository-ca-file $SRV/ca.pem" "repository-pin $(cat "$SRV/pin")"
reload
wait_netd_up 3
wait_status "polls [1-9][0-9]*, failed 0"
ok "right pin accepted"

remote_conf "repository-ca-file $SRV/ca.pem" \
    "repository-pin sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
reload
wait_netd_up 4
wait_status "last error: .*pin"
ok "wrong pin refused: $(grep 'last error' "$T/status")"

finish
