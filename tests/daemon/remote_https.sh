#!/bin/sh
# Remote configuration over HTTPS: netd verifies the repository's server
# with the test CA of repository-ca-file, and refuses it with another CA
# or with a wrong certificate pin; the reason is in status and the log.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/remote_lib.sh"

setup_test
remote_setup
https_conf() {
	REMOTE_URL=https://127.0.0.1:$HTTPS_PORT/repo/ remote_conf \
	    "poll-interval 1" "poll-backoff-max 2" "$@"
}
reload() {
	sleep 1.1	# reloads are limited to one a second
	ctl reload > "$T/reload.out" 2>&1 || fail "reload: $(cat "$T/reload.out")"
	grep -q "lockprobe-netd restarted" "$T/reload.out" || fail "netd not restarted: $(cat "$T/reload.out")"
}

https_conf "repository-ca-file $SRV/ca.pem"
start_daemon
wait_netd_up 1
wait_status "trusted: root 1, timestamp 1"
status_has "polls [0-9]*, failed 0" || fail "failures with the right CA: $(cat "$T/status")"
ok "HTTPS with the test CA: $(grep 'trusted:' "$T/status")"

https_conf "repository-ca-file $SRV/wrongca.pem"
reload
wait_netd_up 2
wait_status "last error: .*certificate"
wait_log "poll failed.*certificate"
ok "wrong CA refused: $(grep 'last error' "$T/status")"

https_conf "repository-ca-file $SRV/ca.pem" "repository-pin $(cat "$SRV/pin")"
reload
wait_netd_up 3
wait_status "polls [1-9][0-9]*, failed 0"
ok "right pin accepted"

https_conf "repository-ca-file $SRV/ca.pem" \
    "repository-pin sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
reload
wait_netd_up 4
wait_status "last error: .*pin"
ok "wrong pin refused: $(grep 'last error' "$T/status")"

finish
