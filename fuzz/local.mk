# fuzz/local.mk: hardening checks, sanitizer test settings and the libFuzzer
# targets.  Included from the top-level Makefile.am; paths are relative to
# the top directory.  See SECURITY.md ("Testing") and fuzz/README.md.

# --- hardening flags (configure: on unless --disable-hardening) --------------
TESTS += tests/hardening.sh
EXTRA_DIST += fuzz/local.mk tests/hardening.sh

# --- sanitizer builds (configure --enable-sanitizers) ------------------------
# Leaks fail the test that leaked; UB is fatal (also compiled in with
# -fno-sanitize-recover).  A builder's own settings win.  lockprobe-netd
# never sees these (it gets an empty environment): its options are compiled
# into netd/netd_sandbox.c.
AM_TESTS_ENVIRONMENT += \
	: "$${ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_string_checks=1}"; \
	: "$${UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1}"; \
	export ASAN_OPTIONS UBSAN_OPTIONS;
