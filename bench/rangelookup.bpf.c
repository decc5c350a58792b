// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rangelookup: BENCHMARK ONLY.  Three socket filter programs run with
 * BPF_PROG_TEST_RUN and repeat by bench/rangelookup.c:
 *   empty	fetches the address and stores it (the floor),
 *   rindex	ri_lookup() of bpf/rangeidx.bpf.h, the very code the
 *		contention tracepoint runs,
 *   bsearch	a binary search over a sorted BPF array (the reference
 *		design's method).
 * Each fetches its address the same way: one fixed address (hot) or the
 * next of a table of random addresses on every run (cold).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "rangeidx.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NADDRS		65536	/* power of two */
#define BS_STEPS	20	/* enough for 2^19 ranges */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);		/* set by user space */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ri_bucket);
} bench_bkts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ri_range);
} bench_rids SEC(".maps");

struct bs_ent {
	__u64	start;
	__u64	len;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct bs_ent);
} bench_sorted SEC(".maps");

struct ri_geom geom;
__u32 bs_n;
__u32 cold;
__u32 cursor;
__u64 hot_addr;
__u64 addrs[NADDRS];
long sink;

static __always_inline __u64
next_addr(void)
{
	if (!cold)
		return hot_addr;
	return addrs[cursor++ & (NADDRS - 1)];
}

SEC("socket")
int empty_prog(struct __sk_buff *skb)
{
	sink = (long)next_addr();
	return 0;
}

SEC("socket")
int idx_lookup(struct __sk_buff *skb)
{
	sink = ri_lookup(&bench_bkts, &bench_rids, &geom, 0, next_addr());
	return 0;
}

SEC("socket")
int bs_lookup(struct __sk_buff *skb)
{
	__u64 addr = next_addr();
	__u32 lo = 0, hi = bs_n, mid, i, k;
	struct bs_ent *e;
	long found = -1;

	for (i = 0; i < BS_STEPS; i++) {
		if (lo >= hi)
			break;
		mid = lo + (hi - lo) / 2;
		e = bpf_map_lookup_elem(&bench_sorted, &mid);
		if (e == NULL)
			break;
		if (e->start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0) {
		k = lo - 1;
		e = bpf_map_lookup_elem(&bench_sorted, &k);
		if (e != NULL && addr - e->start < e->len)
			found = k;
	}
	sink = found;
	return 0;
}
