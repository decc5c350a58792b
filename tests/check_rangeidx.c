/*
 * check_rangeidx: the range index builder and its user-space lookup (the
 * same algorithm as bpf/rangeidx.bpf.h) against a plain scan, on sets that
 * stress it: crowded fine granules, crowded coarse granules, arrays
 * crossing many granules and a 4 GiB boundary, and the limits.  No BPF,
 * no root: runs anywhere.  (bench/rangelookup checks the BPF side against
 * a binary search on every address it measures.)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../privd/rangeidx.h"
#include "testutil.h"

#define NR	6000

static uint64_t seed = 0x9E3779B97F4A7C15ULL;

static uint64_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static long
scan(const struct ri_range *r, size_t n, uint64_t a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a - r[i].start < r[i].len)
			return (long)i;
	return -1;
}

/* Non-overlapping ranges: crowded and spread, small and large. */
static size_t
make_set(struct ri_range *r)
{
	uint64_t a = 0xffff8880fffff000ULL;	/* crosses 4 GiB soon */
	size_t n = 0, k;

	/* 16 4-byte locks packed in 64 bytes, several times */
	for (k = 0; k < 16 * 20; k++) {
		r[n] = (struct ri_range){ a, 4, 4, (uint32_t)n, 0, 0 };
		n++;
		a += 4;
	}
	/* 16 arrays of 256 bytes in one page, several pages */
	a = (a + 4095) & ~4095ULL;
	for (k = 0; k < 16 * 8; k++) {
		r[n] = (struct ri_range){ a, 256, 16, (uint32_t)n, 0,
		    RI_RF_BUCKETS };
		n++;
		a += 256;
	}
	/* spread single locks and arrays of every size */
	while (n < NR) {
		a += 8 + rnd() % 20000;
		if (rnd() % 4 == 0) {
			uint64_t len = 16ULL << (rnd() % 16);

			r[n] = (struct ri_range){ a, len, 16, (uint32_t)n, 0,
			    RI_RF_BUCKETS };
			n++;
			a += len;
		} else {
			uint64_t len = 4 + 4 * (rnd() % 14);

			r[n] = (struct ri_range){ a, len, len, (uint32_t)n,
			    0, 0 };
			n++;
			a += len;
		}
	}
	return n;
}

START_TEST(test_against_scan)
{
	static struct ri_range r[NR];
	struct rangeidx ix;
	char err[256];
	size_t n = make_set(r), i, checked = 0;
	uint64_t a;
	uint32_t bits;
	int j;

	bits = rangeidx_bits_for(rangeidx_entries(r, n));
	ck_assert_msg(rangeidx_build(&ix, r, n, bits, err, sizeof(err)) == 0,
	    "%s", err);
	for (i = 0; i < n; i++) {
		uint64_t probes[6] = { r[i].start, r[i].start + r[i].len - 1,
		    r[i].start - 1, r[i].start + r[i].len,
		    r[i].start + r[i].len / 2, r[i].start - 4096 };

		for (j = 0; j < 6; j++) {
			ck_assert_int_eq(rangeidx_lookup(&ix, r, probes[j]),
			    scan(r, n, probes[j]));
			checked++;
		}
	}
	for (i = 0; i < 200000; i++) {
		a = r[0].start + rnd() % (r[n - 1].start + r[n - 1].len -
		    r[0].start + 8192);
		ck_assert_int_eq(rangeidx_lookup(&ix, r, a), scan(r, n, a));
		checked++;
	}
	printf("  %zu ranges, %zu candidates in 2^%u buckets, longest spill "
	    "%u, %.1f bytes/range, %zu lookups agree with a scan\n", n,
	    ix.nentries, bits, ix.maxspan,
	    (double)rangeidx_bytes(&ix) / (double)n, checked);
	rangeidx_free(&ix);
}
END_TEST

START_TEST(test_limits)
{
	struct ri_range big = { 0xffffc90000000000ULL, 1ULL << 32, 16, 1, 0,
	    RI_RF_BUCKETS };
	static struct ri_range many[64];
	struct rangeidx ix;
	char err[256];
	size_t i;

	/* 4 GiB or more: refused with the range named */
	ck_assert_int_eq(rangeidx_build(&ix, &big, 1, 8, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "shorter than 4 GiB"));
	/* 64 one-byte locks in one 64-byte granule: 64 candidates cannot
	   fit in RI_MAXSPAN buckets of RI_SLOTS */
	for (i = 0; i < 64; i++)
		many[i] = (struct ri_range){ 0xffff888100000000ULL + i, 1, 1,
		    (uint32_t)i, 0, 0 };
	ck_assert_int_eq(rangeidx_build(&ix, many, 64, 10, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "too crowded"));
	ck_assert_ptr_null(ix.bkts);
	/* bits out of range */
	ck_assert_int_eq(rangeidx_build(&ix, many, 1, RI_MAX_BITS + 1, err,
	    sizeof(err)), -1);
	/* empty set: every lookup misses */
	ck_assert_int_eq(rangeidx_build(&ix, many, 0, RI_MIN_BITS, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(rangeidx_lookup(&ix, many, many[0].start), -1);
	rangeidx_free(&ix);
	/* sizing: at most 70% of the slots */
	ck_assert_uint_eq(rangeidx_bits_for(0), RI_MIN_BITS);
	ck_assert((double)100000 <= 0.7 * RI_SLOTS *
	    (double)(1U << rangeidx_bits_for(100000)));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rangeidx");
	TCase *tc = tcase_create("builder");
	int failed;

	if (sizeof(struct ri_bucket) != 64) {
		fprintf(stderr, "check_rangeidx: a bucket is %zu bytes, not "
		    "one 64-byte cache line\n", sizeof(struct ri_bucket));
		return 1;
	}
	tcase_add_test(tc, test_against_scan);
	tcase_add_test(tc, test_limits);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	failed = test_run_suite(s);
	return failed;
}
