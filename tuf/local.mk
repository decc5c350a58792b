# tuf/: the TUF verification library (pure code: no network, no globals),
# included from the top-level Makefile.am.  Paths are relative to the top
# directory.

noinst_LIBRARIES += libtuf.a
libtuf_a_SOURCES = \
	tuf/tuf_util.c tuf/tuf_util.h \
	tuf/json.c tuf/json.h \
	tuf/canonical_json.c tuf/canonical_json.h \
	tuf/keys.c tuf/keys.h \
	tuf/metadata.c tuf/metadata.h \
	tuf/client.c tuf/client.h
libtuf_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(LIBSODIUM_CFLAGS) \
	$(LIBCRYPTO_CFLAGS)
TUF_LIBS = libtuf.a $(JANSSON_LIBS) $(LIBSODIUM_LIBS) $(LIBCRYPTO_LIBS)
EXTRA_DIST += tuf/local.mk

# Unit tests (Check).
check_PROGRAMS += tests/check_tuf_crypto
tests_check_tuf_crypto_SOURCES = tests/check_tuf_crypto.c tests/testutil.c \
	tests/testutil.h
tests_check_tuf_crypto_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) \
	$(JANSSON_CFLAGS) $(LIBSODIUM_CFLAGS) $(LIBCRYPTO_CFLAGS) \
	-I$(top_srcdir)/tuf
tests_check_tuf_crypto_LDADD = libtuf.a libcommon.a $(JANSSON_LIBS) \
	$(LIBSODIUM_LIBS) $(LIBCRYPTO_LIBS) $(CHECK_LIBS)
TESTS += tests/check_tuf_crypto

# Interoperability with python3-securesystemslib and the openssl command
# line: tests/tuf_interop.sh drives tests/tuf_interop.py and the C checker.
check_PROGRAMS += tests/tuf_interop_check
tests_tuf_interop_check_SOURCES = tests/tuf_interop_check.c
tests_tuf_interop_check_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	$(LIBSODIUM_CFLAGS) $(LIBCRYPTO_CFLAGS) -I$(top_srcdir)/tuf
tests_tuf_interop_check_LDADD = $(TUF_LIBS)
TESTS += tests/tuf_interop.sh
EXTRA_DIST += tests/tuf_interop.sh tests/tuf_interop.py

# Metadata and client workflow (Check), over an in-memory repository
# built by tests/tuf_testrepo.c.
check_PROGRAMS += tests/check_tuf_client
tests_check_tuf_client_SOURCES = tests/check_tuf_client.c \
	tests/tuf_testrepo.c tests/tuf_testrepo.h tests/testutil.c \
	tests/testutil.h
tests_check_tuf_client_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) \
	$(JANSSON_CFLAGS) $(LIBSODIUM_CFLAGS) -I$(top_srcdir)/tuf
tests_check_tuf_client_LDADD = $(TUF_LIBS) $(CHECK_LIBS)
TESTS += tests/check_tuf_client

# Figures, not tests: built by make check so that they keep compiling,
# run by hand (bench/tuf_refresh -n 10000).
check_PROGRAMS += bench/tuf_refresh
bench_tuf_refresh_SOURCES = bench/tuf_refresh.c \
	tests/tuf_testrepo.c tests/tuf_testrepo.h
bench_tuf_refresh_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	$(LIBSODIUM_CFLAGS) -I$(top_srcdir)/tuf -I$(top_srcdir)/tests
bench_tuf_refresh_LDADD = $(TUF_LIBS)

# lockprobe-repo: the repository tool operators publish configuration with.
bin_PROGRAMS += tools/lockprobe-repo
tools_lockprobe_repo_SOURCES = tools/lockprobe-repo.c
tools_lockprobe_repo_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	$(LIBSODIUM_CFLAGS) -I$(top_srcdir)/tuf
tools_lockprobe_repo_LDADD = $(TUF_LIBS)
dist_man_MANS += man/lockprobe-repo.1
TESTS += tests/lockprobe_repo.sh
EXTRA_DIST += tests/lockprobe_repo.sh

# tests/tuf-client: the client-under-test command line of the public
# tuf-conformance suite (tests/tuf_conformance.md), on the library, netd's
# fetcher and netd's store; tests/tuf_client.sh drives it against
# repositories served on loopback.
check_PROGRAMS += tests/tuf-client
tests_tuf_client_SOURCES = tests/tuf-client.c
tests_tuf_client_CFLAGS = $(NETD_TEST_CFLAGS) $(JANSSON_CFLAGS) \
	$(LIBSODIUM_CFLAGS) -I$(top_srcdir)/tuf
tests_tuf_client_LDADD = $(TUF_LIBS) $(NETD_LIBS)
check_PROGRAMS += tests/tuf_client_scenarios
tests_tuf_client_scenarios_SOURCES = tests/tuf_client_scenarios.c \
	tests/tuf_testrepo.c tests/tuf_testrepo.h
tests_tuf_client_scenarios_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	$(LIBSODIUM_CFLAGS) -I$(top_srcdir)/tuf
tests_tuf_client_scenarios_LDADD = $(TUF_LIBS)
TESTS += tests/tuf_client.sh
EXTRA_DIST += tests/tuf_client.sh tests/tuf_conformance.md
TESTS += tests/lockprobe_repo_roles.sh
EXTRA_DIST += tests/lockprobe_repo_roles.sh tests/tuf_lib.sh
