# fuzz/local.mk: hardening checks, sanitizer test settings and the libFuzzer
# targets.  Included from the top-level Makefile.am; paths are relative to
# the top directory.  See SECURITY.md ("Testing") and fuzz/README.md.

# --- hardening flags (configure: on unless --disable-hardening) --------------
TESTS += tests/hardening.sh
EXTRA_DIST += fuzz/local.mk tests/hardening.sh SECURITY.md

# --- sanitizer builds (configure --enable-sanitizers) ------------------------
# Leaks fail the test that leaked; UB is fatal (also compiled in with
# -fno-sanitize-recover).  A builder's own settings win.  lockprobe-netd
# never sees these (it gets an empty environment): its options are compiled
# into netd/netd_sandbox.c.
AM_TESTS_ENVIRONMENT += \
	: "$${ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_string_checks=1}"; \
	: "$${UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1}"; \
	export ASAN_OPTIONS UBSAN_OPTIONS;

# --- libFuzzer targets (make fuzz; fuzz/README.md) ---------------------------
# Built by clang with its fuzzer, address and undefined-behaviour runtimes,
# whatever $(CC) is, straight from the sources they test.  configure's
# "can build libFuzzer targets" check decides whether they exist; without it
# "make fuzz" says what to install and tests/fuzz_smoke.sh skips.
FUZZ_TARGETS = fuzz/fuzz_conf fuzz/fuzz_ipc fuzz/fuzz_control \
	fuzz/fuzz_tuf_json fuzz/fuzz_tuf_key fuzz/fuzz_tuf_metadata fuzz/fuzz_metrics \
	fuzz/fuzz_products fuzz/fuzz_http
FUZZ_CPPFLAGS = -I$(top_builddir) $(AM_CPPFLAGS) -I$(top_srcdir)/fuzz \
	-I$(top_srcdir)/netd -I$(top_srcdir)/tuf
FUZZ_CFLAGS = $(FUZZ_FLAGS) -Wall -Wextra -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -Wpointer-arith -Wformat=2 -Werror
FUZZ_BUILD = $(AM_V_GEN)$(MKDIR_P) fuzz && \
	$(CLANG) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -o $@
FUZZ_IPC_SRC = $(top_srcdir)/common/ipc.c $(top_srcdir)/common/log.c \
	proto/lockprobe.pb-c.c
FUZZ_TUF_SRC = $(top_srcdir)/tuf/json.c $(top_srcdir)/tuf/canonical_json.c \
	$(top_srcdir)/tuf/tuf_util.c
FUZZ_DEPS = $(top_srcdir)/fuzz/fuzz.h config.h $(PROTO_GEN)

fuzz/fuzz_conf: $(top_srcdir)/fuzz/fuzz_conf.c $(top_srcdir)/common/conf.c \
    $(top_srcdir)/common/conf.h $(top_srcdir)/common/settings.c $(FUZZ_DEPS)
	$(FUZZ_BUILD) $(top_srcdir)/fuzz/fuzz_conf.c $(top_srcdir)/common/conf.c \
	    $(top_srcdir)/common/settings.c
fuzz/fuzz_ipc: $(top_srcdir)/fuzz/fuzz_ipc.c $(FUZZ_IPC_SRC) \
    $(top_srcdir)/common/ipc.h $(FUZZ_DEPS)
	$(FUZZ_BUILD) $(PROTOBUF_C_CFLAGS) $(top_srcdir)/fuzz/fuzz_ipc.c \
	    $(FUZZ_IPC_SRC) $(PROTOBUF_C_LIBS)
fuzz/fuzz_control: $(top_srcdir)/fuzz/fuzz_control.c \
    $(top_srcdir)/netd/control.c $(top_srcdir)/netd/netd.h $(FUZZ_IPC_SRC) \
    $(top_srcdir)/common/ipc.h $(FUZZ_DEPS)
	$(FUZZ_BUILD) $(PROTOBUF_C_CFLAGS) $(LIBEVENT_CFLAGS) \
	    $(top_srcdir)/fuzz/fuzz_control.c $(top_srcdir)/netd/control.c \
	    $(FUZZ_IPC_SRC) $(PROTOBUF_C_LIBS) $(LIBEVENT_LIBS)
fuzz/fuzz_metrics: $(top_srcdir)/fuzz/fuzz_metrics.c \
    $(top_srcdir)/netd/metrics.c $(top_srcdir)/netd/metrics_render.c \
    $(top_srcdir)/netd/metrics.h $(top_srcdir)/common/stats_page.c \
    $(FUZZ_IPC_SRC) $(FUZZ_DEPS)
	$(FUZZ_BUILD) $(PROTOBUF_C_CFLAGS) $(LIBEVENT_CFLAGS) \
	    $(top_srcdir)/fuzz/fuzz_metrics.c $(top_srcdir)/netd/metrics.c \
	    $(top_srcdir)/netd/metrics_render.c $(FUZZ_IPC_SRC) \
	    $(top_srcdir)/common/stats_page.c \
	    $(PROTOBUF_C_LIBS) $(LIBEVENT_LIBS)
fuzz/fuzz_tuf_json: $(top_srcdir)/fuzz/fuzz_tuf_json.c $(FUZZ_TUF_SRC) \
    $(FUZZ_DEPS)
	$(FUZZ_BUILD) $(JANSSON_CFLAGS) $(top_srcdir)/fuzz/fuzz_tuf_json.c \
	    $(FUZZ_TUF_SRC) $(JANSSON_LIBS)
fuzz/fuzz_tuf_key: $(top_srcdir)/fuzz/fuzz_tuf_key.c $(FUZZ_TUF_SRC) \
    $(top_srcdir)/tuf/keys.c $(FUZZ_DEPS)
	$(FUZZ_BUILD) $(JANSSON_CFLAGS) $(LIBSODIUM_CFLAGS) $(LIBCRYPTO_CFLAGS) \
	    $(top_srcdir)/fuzz/fuzz_tuf_key.c $(FUZZ_TUF_SRC) \
	    $(top_srcdir)/tuf/keys.c $(JANSSON_LIBS) $(LIBSODIUM_LIBS) \
	    $(LIBCRYPTO_LIBS)
fuzz/fuzz_tuf_metadata: $(top_srcdir)/fuzz/fuzz_tuf_metadata.c \
    $(FUZZ_TUF_SRC) $(top_srcdir)/tuf/keys.c $(top_srcdir)/tuf/metadata.c \
    $(top_srcdir)/tuf/metadata.h $(FUZZ_DEPS)
	$(FUZZ_BUILD) $(JANSSON_CFLAGS) $(LIBSODIUM_CFLAGS) $(LIBCRYPTO_CFLAGS) \
	    $(top_srcdir)/fuzz/fuzz_tuf_metadata.c $(FUZZ_TUF_SRC) \
	    $(top_srcdir)/tuf/keys.c $(top_srcdir)/tuf/metadata.c \
	    $(JANSSON_LIBS) $(LIBSODIUM_LIBS) $(LIBCRYPTO_LIBS)
fuzz/fuzz_products: $(top_srcdir)/fuzz/fuzz_products.c \
    $(top_srcdir)/netd/products.c $(top_srcdir)/netd/products.h \
    $(top_srcdir)/common/settings.c $(FUZZ_TUF_SRC) $(FUZZ_DEPS)
	$(FUZZ_BUILD) $(JANSSON_CFLAGS) $(PROTOBUF_C_CFLAGS) \
	    $(top_srcdir)/fuzz/fuzz_products.c $(top_srcdir)/netd/products.c \
	    $(top_srcdir)/common/settings.c proto/lockprobe.pb-c.c \
	    $(FUZZ_TUF_SRC) $(JANSSON_LIBS) $(PROTOBUF_C_LIBS)
fuzz/fuzz_http: $(top_srcdir)/fuzz/fuzz_http.c $(top_srcdir)/netd/fetch.c \
    $(top_srcdir)/netd/fetch.h $(FUZZ_DEPS)
	$(FUZZ_BUILD) $(LIBEVENT_CFLAGS) $(LIBEVENT_OPENSSL_CFLAGS) \
	    $(LIBSSL_CFLAGS) $(LIBCRYPTO_CFLAGS) \
	    $(top_srcdir)/fuzz/fuzz_http.c $(top_srcdir)/netd/fetch.c \
	    $(top_srcdir)/common/log.c $(LIBEVENT_OPENSSL_LIBS) \
	    $(LIBSSL_LIBS) $(LIBCRYPTO_LIBS)

if FUZZ
fuzz: $(FUZZ_TARGETS)
# built before the tests run, for tests/fuzz_smoke.sh
check_DATA = $(FUZZ_TARGETS)
else
fuzz:
	@echo "make fuzz: configure found no libFuzzer; install the Debian package libclang-rt-14-dev and run configure again" >&2; exit 1
endif
.PHONY: fuzz
CLEANFILES += $(FUZZ_TARGETS)

TESTS += tests/fuzz_smoke.sh
EXTRA_DIST += tests/fuzz_smoke.sh fuzz/README.md fuzz/fuzz.h \
	fuzz/fuzz_conf.c fuzz/fuzz_ipc.c fuzz/fuzz_control.c \
	fuzz/fuzz_tuf_json.c fuzz/fuzz_tuf_key.c fuzz/fuzz_tuf_metadata.c fuzz/fuzz_metrics.c \
	fuzz/fuzz_products.c fuzz/fuzz_http.c \
	fuzz/corpus
