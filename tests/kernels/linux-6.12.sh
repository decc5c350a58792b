#!/bin/sh
# Kernel matrix entry: the bookworm-backports 6.12 cloud kernel (apt needs
# the backports source that scripts/install-deps.sh adds).  Boots it once
# under qemu and runs every guest test (tests/kernels/guest-tests).
exec bash "${top_srcdir:-$(dirname "$0")/../..}/tests/kernels/kmatrix.sh" \
    linux-6.12 linux-image-cloud-amd64 6.12
