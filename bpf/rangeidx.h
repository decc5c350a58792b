/*
 * The range index: which tracked lock range, if any, holds a kernel
 * address, in a bounded number of steps whatever the number of ranges.
 * Shared by the BPF side (bpf/rangeidx.bpf.h, included by the contention
 * programs and by the benchmark) and the builder in privd/rangeidx.c.
 * Fixed-width types only.
 *
 * Two granule levels, one hash table of 64-byte buckets:
 *   - a range of at most RI_FINE_MAXLEN bytes (every single lock) is
 *     entered under each RI_FINE_SHIFT granule it touches (1 or 2);
 *   - a longer range (bucket arrays) under each RI_COARSE_SHIFT granule
 *     it touches (len / 4 KiB + 1 or 2).
 * A granule hashes to a home bucket; its candidates go there or, when the
 * home bucket is full, into one of the next RI_MAXSPAN - 1 buckets, and the
 * home bucket's span records how far; the home's 16-bit filter records a
 * 4-bit fingerprint of each granule homed there, so most misses stop
 * after reading one bucket header per level.  A lookup probes the fine granule's
 * home bucket (and its span), then the coarse one: at most 2 * RI_MAXSPAN
 * buckets, usually 2 cache lines.  A candidate only stores the low 32 bits
 * of its start; a tentative hit is confirmed against the full range in the
 * range table, so a false candidate costs time, never a wrong answer.
 *
 * Both the buckets and the range table hold two generations: user space
 * fills the inactive one and then switches ri_gen.
 */
#ifndef LOCKPROBE_BPF_RANGEIDX_H
#define LOCKPROBE_BPF_RANGEIDX_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define RI_SLOTS		5	/* candidates per bucket */
#define RI_MAXSPAN		8	/* buckets a granule may spill over */
#define RI_FINE_SHIFT		6	/* 64-byte granules for single locks */
#define RI_COARSE_SHIFT		12	/* 4 KiB granules for arrays */
#define RI_FINE_MAXLEN		(1U << RI_FINE_SHIFT)
#define RI_HASH_MUL		0x9E3779B97F4A7C15ULL
#define RI_MIN_BITS		4
#define RI_MAX_BITS		24
#define RI_MAX_RANGES	(1U << 24)	/* range table entries per generation */

/* One cache line. */
struct ri_bucket {
	__u8	n;			/* candidates used */
	__u8	span;			/* extra buckets this home spilled to */
	__u16	fps;			/* filter: fingerprints of the granules
					   whose home this is */
	__u32	start_lo[RI_SLOTS];	/* low 32 bits of the range start */
	__u32	len[RI_SLOTS];		/* range length (< 4 GiB) */
	__u32	rid[RI_SLOTS];		/* index into the range table */
};

/* The range table: what a hit needs. */
struct ri_range {
	__u64	start;
	__u64	len;
	__u64	stride;			/* element size of an array, else len */
	__u32	map_id;
	__u16	kind;			/* enum mapwalk_lock_kind */
	__u16	flags;			/* RI_RF_* */
};

/* Table geometry, as the lookup gets it. */
struct ri_geom {
	__u32	bits;		/* log2 of the buckets of one generation */
	__u32	maxr;		/* range table entries of one generation */
};

#define RI_RF_BUCKETS	0x1		/* a hash-family bucket array */
#define RI_RF_SLEEPING	0x2		/* a mutex (MW_F_SLEEPING) */

/*
 * A granule's hash: the top bits pick its home bucket, the 4 bits below
 * them its fingerprint in the home's filter (a lookup whose fingerprint
 * bit is clear is a miss at that level without reading a candidate).
 */
static inline __u64
ri_mix(__u64 granule, __u32 level)
{
	return (granule << 1 | level) * RI_HASH_MUL;
}

static inline __u32
ri_home(__u64 mix, __u32 bits)
{
	return (__u32)(mix >> (64 - bits));
}

static inline __u16
ri_fpbit(__u64 mix, __u32 bits)
{
	return (__u16)(1U << ((mix >> (60 - bits)) & 15));
}

#endif
