#!/bin/sh
# netd/fetch.c against a real HTTP, HTTPS and DNS server on loopback, with
# test CAs made now by the openssl command line (tests/check_fetch.c).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/fetch_lib.sh"
setup_test
make_certs "$T"
start_fetch_server "$T"
FETCH_TEST_DIR=$T "$top_builddir/tests/check_fetch" || fail "check_fetch failed"
stop_fetch_server
echo "PASS: $TEST_NAME"
exit 0
