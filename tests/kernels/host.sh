#!/bin/sh
# Kernel matrix entry: the host's own kernel.  Runs the tests named on the
# "host" line of tests/kernels/guest-tests on the host, for the host's row
# of the table beside the kernels booted under qemu.
exec bash "${top_srcdir:-$(dirname "$0")/../..}/tests/kernels/kmatrix.sh" host
