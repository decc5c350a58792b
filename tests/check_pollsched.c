/*
 * Unit tests for netd/pollsched.c, driven by a fake clock and a fake
 * source of random numbers.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "pollsched.h"
#include "testutil.h"

/* The fake random source: LOWEST, HIGHEST, or a fixed fraction. */
enum fake_mode { LOWEST, HIGHEST, MIDDLE };
static enum fake_mode	fake;
static uint32_t		last_bound;

static uint32_t
fake_rand(uint32_t bound, void *arg)
{
	(void)arg;
	last_bound = bound;
	switch (fake) {
	case LOWEST:
		return 0;
	case HIGHEST:
		return bound - 1;
	case MIDDLE:
		return bound / 2;
	}
	return 0;
}

static struct poll_params
params(void)
{
	struct poll_params p = {
		.initial_max_ms = 5000,
		.interval_ms = 60000,
		.jitter_pct = 10,
		.retry_min_ms = 1000,
		.backoff_max_ms = 16000,
	};

	return p;
}

START_TEST(test_defaults_valid)
{
	struct poll_params p;
	char err[256];

	poll_params_default(&p);
	ck_assert_int_eq(poll_params_check(&p, err, sizeof(err)), 0);
	p.jitter_pct = 51;
	ck_assert_int_eq(poll_params_check(&p, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "jitter"));
	poll_params_default(&p);
	p.retry_min_ms = p.backoff_max_ms + 1;
	ck_assert_int_eq(poll_params_check(&p, err, sizeof(err)), -1);
	poll_params_default(&p);
	p.interval_ms = 0;
	ck_assert_int_eq(poll_params_check(&p, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_first_poll_random_delay)
{
	struct poll_params p = params();
	struct poll_sched ps;

	fake = LOWEST;
	poll_start(&ps, &p, fake_rand, NULL, 1000);
	ck_assert_uint_eq(poll_due(&ps), 1000);
	ck_assert_uint_eq(poll_delay(&ps, 1000), 0);
	fake = HIGHEST;
	poll_start(&ps, &p, fake_rand, NULL, 1000);
	ck_assert_uint_eq(poll_due(&ps), 6000);
	ck_assert_uint_eq(poll_delay(&ps, 2000), 4000);
	ck_assert_uint_eq(poll_delay(&ps, 9000), 0);
	/* the real random source stays in range */
	poll_start(&ps, &p, NULL, NULL, 0);
	ck_assert_uint_le(poll_due(&ps), 5000);
}
END_TEST

START_TEST(test_interval_jitter)
{
	struct poll_params p = params();
	struct poll_sched ps;
	struct poll_note n;
	uint64_t now = 0;
	int i;

	fake = LOWEST;
	poll_start(&ps, &p, fake_rand, NULL, now);
	poll_result(&ps, POLL_OK, NULL, now, &n);
	ck_assert_int_eq(n.priority, -1);	/* steady state: quiet */
	ck_assert_uint_eq(poll_due(&ps), 54000);
	fake = HIGHEST;
	poll_result(&ps, POLL_OK, NULL, now, &n);
	ck_assert_uint_eq(poll_due(&ps), 66000);
	fake = MIDDLE;
	for (i = 0; i < 5; i++) {
		now = poll_due(&ps);
		poll_result(&ps, POLL_OK, NULL, now, &n);
		ck_assert_int_eq(n.priority, -1);
		ck_assert_uint_eq(poll_delay(&ps, now), 60000);
	}
	/* no jitter configured: exactly the interval */
	p.jitter_pct = 0;
	poll_start(&ps, &p, fake_rand, NULL, 0);
	fake = HIGHEST;
	poll_result(&ps, POLL_OK, NULL, 0, &n);
	ck_assert_uint_eq(poll_due(&ps), 60000);
}
END_TEST

START_TEST(test_backoff)
{
	static const uint64_t caps[] = { 1000, 2000, 4000, 8000, 16000,
	    16000, 16000 };
	struct poll_params p = params();
	struct poll_sched ps;
	struct poll_note n;
	uint64_t now = 0;
	size_t i;

	fake = HIGHEST;
	poll_start(&ps, &p, fake_rand, NULL, now);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		now = poll_due(&ps);
		poll_result(&ps, POLL_FAILED, "connect refused", now, &n);
		ck_assert_uint_eq(poll_delay(&ps, now), caps[i]);
	}
	/* full jitter: the lowest draw is the first retry's delay */
	fake = LOWEST;
	now = poll_due(&ps);
	poll_result(&ps, POLL_FAILED, "connect refused", now, &n);
	ck_assert_uint_eq(poll_delay(&ps, now), 1000);
	ck_assert_uint_eq(last_bound, 16000 - 1000 + 1);
	/* no overflow after very many failures */
	fake = HIGHEST;
	for (i = 0; i < 200; i++)
		poll_result(&ps, POLL_FAILED, "x", now, &n);
	ck_assert_uint_eq(poll_delay(&ps, now), 16000);
}
END_TEST

START_TEST(test_failure_logging)
{
	struct poll_params p = params();
	struct poll_sched ps;
	struct poll_note n;

	fake = LOWEST;
	poll_start(&ps, &p, fake_rand, NULL, 0);
	poll_result(&ps, POLL_FAILED, "http://r/timestamp.json: cannot "
	    "resolve r", 0, &n);
	ck_assert_int_eq(n.priority, LOG_INFO);		/* at start-up */
	ck_assert_str_eq(n.text, "poll failed: http://r/timestamp.json: "
	    "cannot resolve r; retrying in 1 s");
	poll_result(&ps, POLL_FAILED, "connect refused", 1000, &n);
	ck_assert_int_eq(n.priority, LOG_WARNING);
	ck_assert_str_eq(n.text, "poll failed again: connect refused; "
	    "retrying in 1 s");
	poll_result(&ps, POLL_FAILED, NULL, 2000, &n);
	ck_assert_int_eq(n.priority, LOG_WARNING);
	ck_assert_ptr_nonnull(strstr(n.text, "unknown error"));
	poll_result(&ps, POLL_OK, NULL, 3000, &n);
	ck_assert_int_eq(n.priority, LOG_INFO);
	ck_assert_str_eq(n.text, "the repository is reachable again after 3 "
	    "failed polls");
	/* after a success, the first failure is a warning already */
	poll_result(&ps, POLL_FAILED, "timeout", 4000, &n);
	ck_assert_int_eq(n.priority, LOG_WARNING);
	ck_assert_str_eq(n.text, "poll failed: timeout; retrying in 1 s");
	poll_result(&ps, POLL_OK, NULL, 5000, &n);
	ck_assert_str_eq(n.text, "the repository is reachable again after 1 "
	    "failed poll");
	/* a restart (reload) is a new start-up */
	poll_start(&ps, &p, fake_rand, NULL, 6000);
	poll_result(&ps, POLL_FAILED, "timeout", 6000, &n);
	ck_assert_int_eq(n.priority, LOG_INFO);
}
END_TEST

START_TEST(test_absent)
{
	struct poll_params p = params();
	struct poll_sched ps;
	struct poll_note n;
	uint64_t now = 0;
	int i;

	fake = LOWEST;
	poll_start(&ps, &p, fake_rand, NULL, now);
	poll_result(&ps, POLL_ABSENT, NULL, now, &n);
	ck_assert_int_eq(n.priority, LOG_WARNING);
	ck_assert_str_eq(n.text, "no repository there: timestamp.json answers "
	    "404; polling only every 16 s until it appears or lockprobed is "
	    "reloaded");
	ck_assert_uint_eq(poll_delay(&ps, now), 16000);
	/* one line only, and never sooner than the maximum back-off */
	for (i = 0; i < 5; i++) {
		fake = i % 2 ? HIGHEST : LOWEST;
		now = poll_due(&ps);
		poll_result(&ps, POLL_ABSENT, NULL, now, &n);
		ck_assert_int_eq(n.priority, -1);
		ck_assert_uint_ge(poll_delay(&ps, now), 16000);
		ck_assert_uint_le(poll_delay(&ps, now), 17600);
	}
	now = poll_due(&ps);
	poll_result(&ps, POLL_OK, NULL, now, &n);
	ck_assert_int_eq(n.priority, LOG_INFO);
	ck_assert_str_eq(n.text, "the repository is there now; polling every "
	    "60 s");
	/* absent again after having been there: one line again */
	poll_result(&ps, POLL_ABSENT, NULL, now, &n);
	ck_assert_int_eq(n.priority, LOG_WARNING);
	/* a failure while absent: ordinary back-off from the start */
	fake = HIGHEST;
	poll_result(&ps, POLL_FAILED, "timeout", now, &n);
	ck_assert_uint_eq(poll_delay(&ps, now), 1000);
	/* reload clears it */
	poll_start(&ps, &p, fake_rand, NULL, now);
	ck_assert_int_eq(ps.absent, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("poll");
	TCase *tc = tcase_create("schedule");
	int failed;

	tcase_add_test(tc, test_defaults_valid);
	tcase_add_test(tc, test_first_poll_random_delay);
	tcase_add_test(tc, test_interval_jitter);
	tcase_add_test(tc, test_backoff);
	tcase_add_test(tc, test_failure_logging);
	tcase_add_test(tc, test_absent);
	suite_add_tcase(s, tc);
	failed = test_run_suite(s);
	return failed;
}
