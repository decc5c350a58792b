/*
 * The range index, user side: builds the bucket table and the range table
 * that bpf/rangeidx.bpf.h searches (layout and reasoning in
 * bpf/rangeidx.h).  Pure computation: no BPF calls, so the builder and its
 * user-space twin of the lookup are testable anywhere.
 */
#ifndef LOCKPROBE_RANGEIDX_H
#define LOCKPROBE_RANGEIDX_H

#include <stddef.h>
#include <stdint.h>

#include "../bpf/rangeidx.h"

struct rangeidx {
	struct ri_bucket	*bkts;		/* 1 << bits buckets */
	uint32_t		 bits;
	size_t			 nranges;	/* ranges indexed */
	size_t			 nentries;	/* granule candidates placed */
	unsigned int		 maxspan;	/* longest spill, in buckets */
};

/* Granule candidates that ranges need (what sizes the table). */
size_t	rangeidx_entries(const struct ri_range *r, size_t n);
/* The table size (log2 buckets) for that many candidates, at most 70% full. */
uint32_t rangeidx_bits_for(size_t nentries);
/*
 * Index r[0..n) (rid = position in r) into 1 << bits buckets.  Returns 0,
 * or -1 with a message in err (a range of 4 GiB or more, or a table too
 * small or too crowded: the message says which).
 */
int	rangeidx_build(struct rangeidx *ix, const struct ri_range *r, size_t n,
	    uint32_t bits, char *err, size_t errlen);
void	rangeidx_free(struct rangeidx *ix);
/* The same lookup as the BPF side, in user space: rid or -1. */
long	rangeidx_lookup(const struct rangeidx *ix, const struct ri_range *r,
	    uint64_t addr);
/* Bytes of kernel memory per generation: buckets and range table. */
size_t	rangeidx_bytes(const struct rangeidx *ix);

#endif
