/*
 * Unit tests of common/stats_page.c: how clients check a page of
 * lockprobed's statistics, with the bad pages a compromised or buggy peer
 * could send.
 */
#include "config.h"

#include <stdint.h>
#include <syslog.h>

#include <check.h>

#include "log.h"
#include "stats_page.h"
#include "testutil.h"

#define MAXROWS	8

static Lockprobe__LockStat rows[MAXROWS];
static Lockprobe__LockStat *ptrs[MAXROWS];
static Lockprobe__StatsReply sr;

/* A page of records with these map ids. */
static void
page(int more, size_t n, const uint32_t *ids)
{
	size_t i;

	lockprobe__stats_reply__init(&sr);
	for (i = 0; i < n; i++) {
		lockprobe__lock_stat__init(&rows[i]);
		rows[i].map_id = ids[i];
		ptrs[i] = &rows[i];
	}
	sr.stats = ptrs;
	sr.n_stats = n;
	sr.more = more;
}

START_TEST(test_pages)
{
	static const uint32_t first[] = { 3, 3, 7 }, second[] = { 9, 12 };
	uint32_t next = 0;

	page(1, 3, first);
	ck_assert_int_eq(stats_page_next(&sr, 0, &next), STATS_PAGE_MORE);
	ck_assert_uint_eq(next, 7);
	page(0, 2, second);
	ck_assert_int_eq(stats_page_next(&sr, next, &next), STATS_PAGE_LAST);
	page(0, 0, NULL);
	ck_assert_int_eq(stats_page_next(&sr, 0, &next), STATS_PAGE_LAST);
}
END_TEST

START_TEST(test_bad_pages)
{
	static const uint32_t back[] = { 3, 2 }, same[] = { 7, 8 },
	    below[] = { 5 };
	uint32_t next = 0;

	page(0, 2, back);		/* ids going back */
	ck_assert_int_eq(stats_page_next(&sr, 0, &next), STATS_PAGE_BAD);
	page(1, 2, same);		/* the last page's map again */
	ck_assert_int_eq(stats_page_next(&sr, 7, &next), STATS_PAGE_BAD);
	page(1, 1, below);		/* a map before the last page's */
	ck_assert_int_eq(stats_page_next(&sr, 7, &next), STATS_PAGE_BAD);
	page(1, 0, NULL);		/* more, yet nothing: no progress */
	ck_assert_int_eq(stats_page_next(&sr, 7, &next), STATS_PAGE_BAD);
}
END_TEST

static Suite *
stats_page_suite(void)
{
	Suite *s = suite_create("stats_page");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pages);
	tcase_add_test(tc, test_bad_pages);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_init("check_stats_page", 1, LOG_DEBUG);
	return test_run_suite(stats_page_suite());
}
