# bpf/local.mk: CO-RE BPF programs, their skeletons, and the collector
# library (privd/ map walker and kernel symbol resolver), with their tests.
# Included from the top-level Makefile.am; paths are relative to the top
# directory.  Needs $(CLANG) and $(BPFTOOL) from configure.
#
# bpf/vmlinux.h is generated from the build machine's kernel BTF (override
# with make VMLINUX_BTF=/path/to/btf); thanks to CO-RE the objects still
# load on other kernels.  Each feature NAME is bpf/NAME.bpf.c + bpf/NAME.h
# (shared with user space) + privd/NAME.[ch]; bpf/NAME.skel.h is generated.
# bpf/kread.bpf.c is test-only: it reads kernel words for check_mapwalk.

VMLINUX_BTF = /sys/kernel/btf/vmlinux
BPF_CFLAGS = -g -O2 -Wall -target bpf -D__TARGET_ARCH_x86 \
	-I$(top_builddir)/bpf -I$(top_srcdir)/bpf

BPF_SKELS = bpf/mapwalk.skel.h bpf/ksym.skel.h bpf/kread.skel.h
BPF_OBJS = bpf/mapwalk.bpf.o bpf/ksym.bpf.o bpf/kread.bpf.o
BUILT_SOURCES += bpf/vmlinux.h $(BPF_SKELS)
CLEANFILES += bpf/vmlinux.h bpf/vmlinux.h.tmp $(BPF_OBJS) $(BPF_SKELS) \
	bpf/mapwalk.skel.h.tmp bpf/ksym.skel.h.tmp bpf/kread.skel.h.tmp
EXTRA_DIST += bpf/local.mk \
	bpf/mapwalk.bpf.c bpf/mapwalk.h \
	bpf/ksym.bpf.c bpf/ksym.h \
	bpf/kread.bpf.c

bpf/vmlinux.h:
	$(AM_V_GEN)$(MKDIR_P) bpf && \
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && \
	mv $@.tmp $@

bpf/mapwalk.bpf.o: $(top_srcdir)/bpf/mapwalk.bpf.c \
    $(top_srcdir)/bpf/mapwalk.h bpf/vmlinux.h
	$(AM_V_GEN)$(CLANG) $(BPF_CFLAGS) -c $(top_srcdir)/bpf/mapwalk.bpf.c -o $@
bpf/ksym.bpf.o: $(top_srcdir)/bpf/ksym.bpf.c $(top_srcdir)/bpf/ksym.h \
    bpf/vmlinux.h
	$(AM_V_GEN)$(CLANG) $(BPF_CFLAGS) -c $(top_srcdir)/bpf/ksym.bpf.c -o $@
bpf/kread.bpf.o: $(top_srcdir)/bpf/kread.bpf.c bpf/vmlinux.h
	$(AM_V_GEN)$(CLANG) $(BPF_CFLAGS) -c $(top_srcdir)/bpf/kread.bpf.c -o $@

bpf/mapwalk.skel.h: bpf/mapwalk.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton bpf/mapwalk.bpf.o > $@.tmp && \
	mv $@.tmp $@
bpf/ksym.skel.h: bpf/ksym.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton bpf/ksym.bpf.o > $@.tmp && \
	mv $@.tmp $@
bpf/kread.skel.h: bpf/kread.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton bpf/kread.bpf.o > $@.tmp && \
	mv $@.tmp $@

# --- the collector library (linked into lockprobed) --------------------------
COLLECTOR_CFLAGS = $(LIBBPF_CFLAGS) -I$(top_builddir)/bpf -I$(top_srcdir)/bpf \
	-I$(top_srcdir)/privd
COLLECTOR_LIBS = libcollector.a $(ASSETS_LIBS) libcommon.a

noinst_LIBRARIES += libcollector.a
libcollector_a_SOURCES = \
	privd/bpfutil.c privd/bpfutil.h \
	privd/mapwalk.c privd/mapwalk.h \
	privd/ksym.c privd/ksym.h \
	privd/rangeidx.c privd/rangeidx.h \
	privd/contention.c privd/contention.h \
	privd/stress.c privd/stress.h \
	privd/calibrate.c privd/calibrate.h
nodist_libcollector_a_SOURCES = bpf/mapwalk.skel.h bpf/ksym.skel.h \
	bpf/contention.skel.h bpf/stress.skel.h
libcollector_a_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS) \
	-I$(top_builddir)/bpf -I$(top_srcdir)/bpf

BPF_TEST_UTIL = tests/testutil.c tests/testutil.h tests/test_assets.c \
	tests/test_assets.h

# --- tests (run as root; exit 77 to skip, but CI=true turns skips into failures)
check_PROGRAMS += tests/check_mapwalk tests/check_ksym
tests_check_mapwalk_SOURCES = tests/check_mapwalk.c $(BPF_TEST_UTIL)
nodist_tests_check_mapwalk_SOURCES = bpf/kread.skel.h
tests_check_mapwalk_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(COLLECTOR_CFLAGS)
tests_check_mapwalk_LDADD = $(COLLECTOR_LIBS) $(CHECK_LIBS)
tests_check_ksym_SOURCES = tests/check_ksym.c $(BPF_TEST_UTIL)
tests_check_ksym_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(COLLECTOR_CFLAGS)
tests_check_ksym_LDADD = $(COLLECTOR_LIBS) $(CHECK_LIBS)
TESTS += tests/check_mapwalk tests/check_ksym

# --- the range index and its benchmark -----------------------------------------
# bench/rangelookup measures bpf/rangeidx.bpf.h (the contention programs'
# lookup) against an empty program and a binary search: `make bench` builds
# it, `make bench-run` runs it (as root).
BENCH_BPF_CFLAGS = $(BPF_CFLAGS) -mcpu=v3
BUILT_SOURCES += bench/rangelookup.skel.h
CLEANFILES += bench/rangelookup.bpf.o bench/rangelookup.skel.h \
	bench/rangelookup.skel.h.tmp
EXTRA_DIST += bpf/rangeidx.h bpf/rangeidx.bpf.h bench/rangelookup.bpf.c \
	bench/startup.sh bench/memory.sh bench/lib.sh

bench/rangelookup.bpf.o: $(top_srcdir)/bench/rangelookup.bpf.c \
    $(top_srcdir)/bpf/rangeidx.h $(top_srcdir)/bpf/rangeidx.bpf.h bpf/vmlinux.h
	$(AM_V_GEN)$(MKDIR_P) bench && \
	$(CLANG) $(BENCH_BPF_CFLAGS) -c $(top_srcdir)/bench/rangelookup.bpf.c -o $@
bench/rangelookup.skel.h: bench/rangelookup.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton bench/rangelookup.bpf.o > $@.tmp && \
	mv $@.tmp $@

noinst_PROGRAMS += bench/rangelookup
BENCH_PROGS = bench/rangelookup
bench_rangelookup_SOURCES = bench/rangelookup.c
nodist_bench_rangelookup_SOURCES = bench/rangelookup.skel.h
bench_rangelookup_CFLAGS = $(AM_CFLAGS) $(COLLECTOR_CFLAGS) -I$(top_builddir)/bench
bench_rangelookup_LDADD = $(COLLECTOR_LIBS)

bench: $(BENCH_PROGS)
bench-run: bench
	./bench/rangelookup
.PHONY: bench bench-run

# --- the contention programs ------------------------------------------------------
# -mcpu=v3: atomic fetch-and-add and compare-and-swap (kernels 5.12+).
BUILT_SOURCES += bpf/contention.skel.h
CLEANFILES += bpf/contention.bpf.o bpf/contention.skel.h bpf/contention.skel.h.tmp
EXTRA_DIST += bpf/contention.bpf.c bpf/contention.h

bpf/contention.bpf.o: $(top_srcdir)/bpf/contention.bpf.c \
    $(top_srcdir)/bpf/contention.h $(top_srcdir)/bpf/rangeidx.h \
    $(top_srcdir)/bpf/rangeidx.bpf.h bpf/vmlinux.h
	$(AM_V_GEN)$(CLANG) $(BPF_CFLAGS) -mcpu=v3 -c \
	    $(top_srcdir)/bpf/contention.bpf.c -o $@
bpf/contention.skel.h: bpf/contention.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton bpf/contention.bpf.o > $@.tmp && \
	mv $@.tmp $@

# --- the contention generator (calibration, tests, lockprobe-stress) ----------
BUILT_SOURCES += bpf/stress.skel.h
CLEANFILES += bpf/stress.bpf.o bpf/stress.skel.h bpf/stress.skel.h.tmp
EXTRA_DIST += bpf/stress.bpf.c

bpf/stress.bpf.o: $(top_srcdir)/bpf/stress.bpf.c bpf/vmlinux.h
	$(AM_V_GEN)$(CLANG) $(BPF_CFLAGS) -mcpu=v3 -c \
	    $(top_srcdir)/bpf/stress.bpf.c -o $@
bpf/stress.skel.h: bpf/stress.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton bpf/stress.bpf.o > $@.tmp && \
	mv $@.tmp $@

noinst_PROGRAMS += bench/lockprobe-stress
bench_lockprobe_stress_SOURCES = bench/lockprobe-stress.c \
	tests/test_assets.c tests/test_assets.h
bench_lockprobe_stress_CFLAGS = $(AM_CFLAGS) $(COLLECTOR_CFLAGS) \
	-I$(top_srcdir)/tests
bench_lockprobe_stress_LDADD = $(COLLECTOR_LIBS) -lpthread

noinst_PROGRAMS += bench/mapwalk
BENCH_PROGS += bench/mapwalk
bench_mapwalk_SOURCES = bench/mapwalk.c tests/test_assets.c \
	tests/test_assets.h
bench_mapwalk_CFLAGS = $(AM_CFLAGS) $(COLLECTOR_CFLAGS) -I$(top_srcdir)/tests
bench_mapwalk_LDADD = $(COLLECTOR_LIBS)

# --- tests of the contention collector ------------------------------------------
# bpf/ctref.bpf.c is test-only: it copies raw lock events for check_contention.
BUILT_SOURCES += bpf/ctref.skel.h
CLEANFILES += bpf/ctref.bpf.o bpf/ctref.skel.h bpf/ctref.skel.h.tmp
EXTRA_DIST += bpf/ctref.bpf.c

bpf/ctref.bpf.o: $(top_srcdir)/bpf/ctref.bpf.c bpf/vmlinux.h
	$(AM_V_GEN)$(CLANG) $(BPF_CFLAGS) -mcpu=v3 -c \
	    $(top_srcdir)/bpf/ctref.bpf.c -o $@
bpf/ctref.skel.h: bpf/ctref.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton bpf/ctref.bpf.o > $@.tmp && \
	mv $@.tmp $@

check_PROGRAMS += tests/check_rangeidx tests/check_contention
tests_check_rangeidx_SOURCES = tests/check_rangeidx.c tests/testutil.c tests/testutil.h
tests_check_rangeidx_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(COLLECTOR_CFLAGS)
tests_check_rangeidx_LDADD = $(COLLECTOR_LIBS) $(CHECK_LIBS)
tests_check_contention_SOURCES = tests/check_contention.c $(BPF_TEST_UTIL)
nodist_tests_check_contention_SOURCES = bpf/ctref.skel.h
tests_check_contention_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(COLLECTOR_CFLAGS)
tests_check_contention_LDADD = $(COLLECTOR_LIBS) $(CHECK_LIBS) -lpthread
TESTS += tests/check_rangeidx tests/check_contention
