/*
 * The range index lookup, BPF side (see bpf/rangeidx.h for the layout).
 * Included by bpf/contention.bpf.c and by the benchmark's program, so the
 * benchmark measures exactly the code the tracepoint runs.  The caller
 * passes its two maps (ARRAYs of struct ri_bucket and struct ri_range,
 * each two generations long) and the table geometry.
 */
#ifndef LOCKPROBE_BPF_RANGEIDX_BPF_H
#define LOCKPROBE_BPF_RANGEIDX_BPF_H

#include "rangeidx.h"

/* Candidate i of bucket b holds addr?  Confirmed in the range table. */
static __always_inline int
ri_confirm(void *rids, __u32 rbase, const struct ri_bucket *b, __u32 i,
    __u64 addr, __u32 *rid)
{
	const struct ri_range *r;
	__u32 k;

	k = b->rid[i];
	if (k >= RI_MAX_RANGES)
		return 0;
	k += rbase;
	r = bpf_map_lookup_elem(rids, &k);
	if (r == NULL || addr - r->start >= r->len)
		return 0;
	*rid = k;
	return 1;
}

/* Probe the home bucket h of one level and its spill span. */
static __always_inline int
ri_probe(void *bkts, void *rids, __u32 bbase, __u32 rbase, __u32 bits,
    __u64 mix, __u64 addr, __u32 *rid)
{
	const struct ri_bucket *b;
	__u32 lo = (__u32)addr, span, d, k, n, h, mask = (1U << bits) - 1;

	h = ri_home(mix, bits);
	k = bbase + h;
	b = bpf_map_lookup_elem(bkts, &k);
	if (b == NULL || !(b->fps & ri_fpbit(mix, bits)))
		return 0;
	span = b->span;
	for (d = 0; d < RI_MAXSPAN; d++) {
		if (d > span)
			break;
		if (d > 0) {
			k = bbase + ((h + d) & mask);
			b = bpf_map_lookup_elem(bkts, &k);
			if (b == NULL)
				return 0;
		}
		n = b->n;
#define RI_TRY(i) \
		if (n > (i) && lo - b->start_lo[i] < b->len[i] && \
		    ri_confirm(rids, rbase, b, (i), addr, rid)) \
			return 1;
		RI_TRY(0) RI_TRY(1) RI_TRY(2) RI_TRY(3) RI_TRY(4)
#undef RI_TRY
	}
	return 0;
}

/*
 * The range table index (generation included) of the range holding addr,
 * or -1.  gen is 0 or 1.
 */
static __always_inline long
ri_lookup(void *bkts, void *rids, const struct ri_geom *g, __u32 gen,
    __u64 addr)
{
	__u32 bits = g->bits, bbase, rbase, rid = 0;

	if (bits < RI_MIN_BITS || bits > RI_MAX_BITS)
		return -1;
	bbase = gen ? 1U << bits : 0;
	rbase = gen ? g->maxr : 0;
	if (ri_probe(bkts, rids, bbase, rbase, bits,
	    ri_mix(addr >> RI_FINE_SHIFT, 0), addr, &rid))
		return rid;
	if (ri_probe(bkts, rids, bbase, rbase, bits,
	    ri_mix(addr >> RI_COARSE_SHIFT, 1), addr, &rid))
		return rid;
	return -1;
}

#endif
