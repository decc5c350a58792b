/* The BPF assets of this build tree, for the tests that load BPF. */
#ifndef LOCKPROBE_TEST_ASSETS_H
#define LOCKPROBE_TEST_ASSETS_H

#include "assets.h"

/* Assets from $top_builddir/bpf (or ./bpf), with the kernel's own BTF.
 * Returns 0, or -1 after printing why. */
int	test_assets_init(struct assets *a);

#endif
