# tests/kernels/local.mk: the kernel matrix (issue 8).  Included from the
# top-level Makefile.am; paths are relative to the top directory.
#
# Each KERNEL_TESTS entry boots one Debian kernel under qemu (TCG) once and
# runs every guest test of tests/kernels/guest-tests inside it; see
# tests/kernels/kmatrix.sh; host.sh runs the tests of guest-tests' "host"
# line on the host, for its row.  To add a kernel: a copy of linux-6.1.sh naming
# its package and series, and one word here.  To add a guest test: one line
# in tests/kernels/guest-tests (a program of check_PROGRAMS or a shell test).
# The run writes kernel-matrix.md in the build directory.  "make check
# KERNEL_TESTS=" runs everything else.

KMATRIX_KERNELS = \
	tests/kernels/linux-6.1.sh \
	tests/kernels/linux-6.12.sh \
	tests/kernels/host.sh
KERNEL_TESTS = $(KMATRIX_KERNELS)
TESTS += $(KERNEL_TESTS)
EXTRA_DIST += tests/kernels/local.mk $(KMATRIX_KERNELS) \
	tests/kernels/kmatrix.sh tests/kernels/boot-guest.sh \
	tests/kernels/guest-init.sh tests/kernels/run-tests.sh \
	tests/kernels/daemon_report.sh tests/kernels/guest-tests

# guest-only helper: proves that spinlock contention events arrive
check_PROGRAMS += tests/kernels/spin_events
tests_kernels_spin_events_SOURCES = tests/kernels/spin_events.c \
	tests/test_assets.c tests/test_assets.h
tests_kernels_spin_events_CFLAGS = $(AM_CFLAGS) $(COLLECTOR_CFLAGS) -I$(top_srcdir)/tests
tests_kernels_spin_events_LDADD = $(COLLECTOR_LIBS) -lpthread

CLEANFILES += kernel-matrix.md tests/kernels/*.row tests/kernels/*.result.md

clean-local: clean-kmatrix
clean-kmatrix:
	-rm -rf tests/kernels/*.d tests/kernels/.matrix.lock
.PHONY: clean-kmatrix

# The table of the last run, kept with the code (see README.md).
kernel-matrix-doc:
	@test -f kernel-matrix.md || { echo "run make check first: no kernel-matrix.md"; exit 1; }
	$(MKDIR_P) $(top_srcdir)/docs
	cp kernel-matrix.md $(top_srcdir)/docs/kernel-matrix.md
.PHONY: kernel-matrix-doc
