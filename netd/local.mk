# netd/local.mk: lockprobe-netd, the sandboxed network engine, and the
# library of its parts (HTTP(S) fetching, the poll schedule, the persistent
# store, the seccomp allowlist) that the tests link too.  Included from the
# top-level Makefile.am; paths are relative to the top directory.

NETD_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBEVENT_OPENSSL_CFLAGS) \
	$(LIBSSL_CFLAGS) $(LIBCRYPTO_CFLAGS) $(PROTOBUF_C_CFLAGS) \
	$(LIBSECCOMP_CFLAGS) $(JANSSON_CFLAGS) -I$(top_srcdir)/tuf
# the tests include netd's headers; netd's own sources find them beside them
NETD_TEST_CFLAGS = $(NETD_CFLAGS) -I$(top_srcdir)/netd
NETD_LIBS = libnetd.a $(TUF_LIBS) $(COMMON_LIBS) $(LIBEVENT_OPENSSL_LIBS) \
	$(LIBEVENT_LIBS) $(LIBSSL_LIBS) $(LIBCRYPTO_LIBS)

noinst_LIBRARIES += libnetd.a
libnetd_a_SOURCES = \
	netd/fetch.c netd/fetch.h \
	netd/pollsched.c netd/pollsched.h \
	netd/store.c netd/store.h \
	netd/metrics_render.c netd/metrics.h \
	netd/mirror.c netd/mirror.h \
	netd/products.c netd/products.h \
	netd/netd_sandbox.c
libnetd_a_CFLAGS = $(NETD_CFLAGS)
EXTRA_DIST += netd/local.mk

libexec_PROGRAMS += lockprobe-netd
lockprobe_netd_SOURCES = netd/netd.c netd/netd.h netd/control.c \
	netd/metrics.c netd/remote.c netd/remote.h
lockprobe_netd_CFLAGS = $(NETD_CFLAGS)
lockprobe_netd_LDADD = $(NETD_LIBS)

# --- tests ------------------------------------------------------------------
# tests/fetch_server.py is the loopback HTTP, HTTPS and DNS server;
# tests/fetch_lib.sh makes the test CAs and starts and stops it.
check_PROGRAMS += tests/check_store tests/check_fetch tests/check_pollsched \
	tests/fetch_sandboxed tests/check_metrics tests/check_products tests/check_mirror
tests_check_store_SOURCES = tests/check_store.c tests/testutil.c \
	tests/testutil.h
tests_check_store_CFLAGS = $(NETD_TEST_CFLAGS) $(CHECK_CFLAGS)
tests_check_store_LDADD = $(NETD_LIBS) $(CHECK_LIBS)
tests_check_fetch_SOURCES = tests/check_fetch.c tests/testutil.c \
	tests/testutil.h
tests_check_fetch_CFLAGS = $(NETD_TEST_CFLAGS) $(CHECK_CFLAGS)
tests_check_fetch_LDADD = $(NETD_LIBS) $(CHECK_LIBS)
tests_check_pollsched_SOURCES = tests/check_pollsched.c tests/testutil.c \
	tests/testutil.h
tests_check_pollsched_CFLAGS = $(NETD_TEST_CFLAGS) $(CHECK_CFLAGS)
tests_check_pollsched_LDADD = $(NETD_LIBS) $(CHECK_LIBS)
tests_check_metrics_SOURCES = tests/check_metrics.c tests/testutil.c \
	tests/testutil.h
tests_check_metrics_CFLAGS = $(NETD_TEST_CFLAGS) $(CHECK_CFLAGS)
tests_check_metrics_LDADD = $(NETD_LIBS) $(CHECK_LIBS)
tests_check_mirror_SOURCES = tests/check_mirror.c tests/testutil.c \
	tests/testutil.h
tests_check_mirror_CFLAGS = $(NETD_TEST_CFLAGS) $(CHECK_CFLAGS)
tests_check_mirror_LDADD = $(NETD_LIBS) $(CHECK_LIBS)
tests_check_products_SOURCES = tests/check_products.c tests/testutil.c \
	tests/testutil.h
tests_check_products_CFLAGS = $(NETD_TEST_CFLAGS) $(CHECK_CFLAGS)
tests_check_products_LDADD = $(NETD_LIBS) $(CHECK_LIBS)
tests_fetch_sandboxed_SOURCES = tests/fetch_sandboxed.c
tests_fetch_sandboxed_CFLAGS = $(NETD_TEST_CFLAGS)
tests_fetch_sandboxed_LDADD = $(NETD_LIBS)

NETD_TESTS = tests/check_store tests/check_pollsched tests/check_metrics \
	tests/check_fetch.sh tests/check_products tests/check_mirror \
	tests/fetch_sandboxed.sh
TESTS += $(NETD_TESTS)
EXTRA_DIST += bench/remote_poll.sh
EXTRA_DIST += tests/check_fetch.sh tests/fetch_sandboxed.sh \
	tests/fetch_lib.sh tests/remote_lib.sh tests/fetch_server.py \
	tests/resign_timestamp.py tests/resign_role.py
