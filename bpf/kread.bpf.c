// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kread: TEST ONLY (linked into tests/check_mapwalk, never into privd).
 * Reads 8 bytes at each of up to KREAD_MAX kernel addresses that the test
 * put in addrs[], so the test can check the map walker's addresses against
 * what the kernel keeps there (self-pointing list heads of unlocked
 * mutexes, hlist_nulls markers of empty hash buckets, ...).  Runs as the
 * final call of a bpf_map iterator.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define KREAD_MAX	256

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u32 naddrs;
__u64 addrs[KREAD_MAX];
__u64 vals[KREAD_MAX];
__s32 errs[KREAD_MAX];

static long
read_cb(__u32 i, void *unused)
{
	__u32 k = i & (KREAD_MAX - 1);
	__u64 v = 0;

	if (i >= naddrs)
		return 1;
	errs[k] = bpf_probe_read_kernel(&v, sizeof(v), (void *)addrs[k]);
	vals[k] = v;
	return 0;
}

SEC("iter/bpf_map")
int kread(struct bpf_iter__bpf_map *ctx)
{
	if (ctx->map == NULL)
		bpf_loop(KREAD_MAX, read_cb, NULL, 0);
	return 0;
}
