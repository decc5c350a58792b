#!/bin/sh
# Kernel matrix entry: Debian 12's current 6.1 cloud kernel (bookworm,
# bookworm-security).  Boots it once under qemu and runs every guest test
# (tests/kernels/guest-tests).
exec bash "${top_srcdir:-$(dirname "$0")/../..}/tests/kernels/kmatrix.sh" \
    linux-6.1 linux-image-cloud-amd64 6.1
