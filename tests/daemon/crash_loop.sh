#!/bin/sh
# A netd that keeps failing is restarted with exponential back-off, and the
# loop is reported rather than spun.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
setup_test
printf '#!/bin/sh\nexit 3\n' > "$T/failing-netd"
chmod 755 "$T/failing-netd"
LP_NETD_PATH=$T/failing-netd write_conf
start_daemon
# back-off 1 + 2 + 4 + 8 s: the fifth failure comes after about 15 s
wait_log "netd is crash-looping: 5 failed runs in a row, last exited with status 3; next attempt in 16 s" 25
starts=$(log_count "started netd")
[ "$starts" -le 6 ] || fail "$starts starts in the back-off window: not backing off"
log_has "restarting netd in 2 s" || fail "no 2 s back-off step"
log_has "restarting netd in 8 s" || fail "no 8 s back-off step"
kill -0 "$PRIVD_PID" || fail "lockprobed died"
ok "crash loop reported after $starts starts"
finish
