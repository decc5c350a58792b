/*
 * The range index builder (see bpf/rangeidx.h).  Each range is entered
 * under every granule it touches at its level; a granule's candidates go
 * to its home bucket or spill into the next buckets, at most RI_MAXSPAN in
 * all, and the home bucket records the span so that lookups stop early.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rangeidx.h"

static int
level_of(const struct ri_range *r, unsigned int *shift)
{
	if (r->len <= RI_FINE_MAXLEN) {
		*shift = RI_FINE_SHIFT;
		return 0;
	}
	*shift = RI_COARSE_SHIFT;
	return 1;
}

size_t
rangeidx_entries(const struct ri_range *r, size_t n)
{
	size_t i, total = 0;
	unsigned int shift;

	for (i = 0; i < n; i++) {
		if (r[i].len == 0)
			continue;
		(void)level_of(&r[i], &shift);
		total += (size_t)(((r[i].start + r[i].len - 1) >> shift) -
		    (r[i].start >> shift) + 1);
	}
	return total;
}

uint32_t
rangeidx_bits_for(size_t nentries)
{
	uint32_t bits = RI_MIN_BITS;

	/* at most 70% of the slots used */
	while (bits < RI_MAX_BITS &&
	    (double)nentries > 0.7 * RI_SLOTS * (double)(1UL << bits))
		bits++;
	return bits;
}

static int
place(struct rangeidx *ix, uint64_t granule, uint32_t level, uint32_t rid,
    const struct ri_range *r)
{
	uint32_t mask = (1U << ix->bits) - 1, h, d, k;
	uint64_t mix = ri_mix(granule, level);
	struct ri_bucket *b;
	unsigned int i;

	h = ri_home(mix, ix->bits);
	ix->bkts[h].fps |= ri_fpbit(mix, ix->bits);
	/* already a candidate within this home's reach (both granules of a
	   range hashed close together) */
	for (d = 0; d <= ix->bkts[h].span; d++) {
		b = &ix->bkts[(h + d) & mask];
		for (i = 0; i < b->n; i++)
			if (b->rid[i] == rid)
				return 0;
	}
	for (d = 0; d < RI_MAXSPAN; d++) {
		k = (h + d) & mask;
		b = &ix->bkts[k];
		if (b->n >= RI_SLOTS)
			continue;
		b->start_lo[b->n] = (uint32_t)r->start;
		b->len[b->n] = (uint32_t)r->len;
		b->rid[b->n] = rid;
		b->n++;
		if (d > ix->bkts[h].span)
			ix->bkts[h].span = (uint8_t)d;
		if (d + 1 > ix->maxspan)
			ix->maxspan = d + 1;
		ix->nentries++;
		return 0;
	}
	return -1;
}

int
rangeidx_build(struct rangeidx *ix, const struct ri_range *r, size_t n,
    uint32_t bits, char *err, size_t errlen)
{
	uint64_t g, g0, g1;
	unsigned int shift;
	uint32_t level;
	size_t i;

	memset(ix, 0, sizeof(*ix));
	if (bits < RI_MIN_BITS || bits > RI_MAX_BITS) {
		snprintf(err, errlen, "range index: %u bits is outside "
		    "[%u, %u]", bits, RI_MIN_BITS, RI_MAX_BITS);
		return -1;
	}
	if (n > RI_MAX_RANGES) {
		snprintf(err, errlen, "range index: %zu ranges, at most %u",
		    n, RI_MAX_RANGES);
		return -1;
	}
	ix->bits = bits;
	if ((ix->bkts = calloc(1UL << bits, sizeof(*ix->bkts))) == NULL) {
		snprintf(err, errlen, "range index: out of memory for %lu "
		    "buckets", 1UL << bits);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (r[i].len == 0)
			continue;
		if (r[i].len > UINT32_MAX ||
		    r[i].start + r[i].len < r[i].start) {
			snprintf(err, errlen, "range index: range %zu (map %u) "
			    "at %#llx is %llu bytes long: ranges must be "
			    "shorter than 4 GiB", i, r[i].map_id,
			    (unsigned long long)r[i].start,
			    (unsigned long long)r[i].len);
			goto fail;
		}
		level = (uint32_t)level_of(&r[i], &shift);
		g0 = r[i].start >> shift;
		g1 = (r[i].start + r[i].len - 1) >> shift;
		for (g = g0; g <= g1; g++) {
			if (place(ix, g, level, (uint32_t)i, &r[i]) == 0)
				continue;
			snprintf(err, errlen, "range index: granule %#llx "
			    "(level %u) of range %zu (map %u) does not fit in "
			    "%d buckets of %lu: table too small or granule too "
			    "crowded", (unsigned long long)(g << shift), level,
			    i, r[i].map_id, RI_MAXSPAN, 1UL << bits);
			goto fail;
		}
	}
	ix->nranges = n;
	return 0;
fail:
	rangeidx_free(ix);
	return -1;
}

void
rangeidx_free(struct rangeidx *ix)
{
	if (ix == NULL)
		return;
	free(ix->bkts);
	memset(ix, 0, sizeof(*ix));
}

static long
probe(const struct rangeidx *ix, const struct ri_range *r, uint64_t mix,
    uint64_t addr)
{
	uint32_t mask = (1U << ix->bits) - 1, lo = (uint32_t)addr, d, h;
	const struct ri_bucket *b;
	unsigned int i;
	uint32_t rid;

	h = ri_home(mix, ix->bits);
	if (!(ix->bkts[h].fps & ri_fpbit(mix, ix->bits)))
		return -1;
	for (d = 0; d < RI_MAXSPAN && d <= ix->bkts[h].span; d++) {
		b = &ix->bkts[(h + d) & mask];
		for (i = 0; i < b->n && i < RI_SLOTS; i++) {
			if (lo - b->start_lo[i] >= b->len[i])
				continue;
			rid = b->rid[i];
			if (rid < ix->nranges &&
			    addr - r[rid].start < r[rid].len)
				return (long)rid;
		}
	}
	return -1;
}

long
rangeidx_lookup(const struct rangeidx *ix, const struct ri_range *r,
    uint64_t addr)
{
	long rid;

	if (ix->bkts == NULL)
		return -1;
	rid = probe(ix, r, ri_mix(addr >> RI_FINE_SHIFT, 0), addr);
	if (rid >= 0)
		return rid;
	return probe(ix, r, ri_mix(addr >> RI_COARSE_SHIFT, 1), addr);
}

size_t
rangeidx_bytes(const struct rangeidx *ix)
{
	return (sizeof(struct ri_bucket) << ix->bits) +
	    ix->nranges * sizeof(struct ri_range);
}
