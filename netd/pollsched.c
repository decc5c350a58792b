/*
 * pollsched: the repository poll schedule.  See pollsched.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "pollsched.h"

void
poll_params_default(struct poll_params *p)
{
	p->initial_max_ms = 30 * 1000;
	p->interval_ms = 5 * 60 * 1000;
	p->jitter_pct = 10;
	p->retry_min_ms = 10 * 1000;
	p->backoff_max_ms = 60 * 60 * 1000;
}

int
poll_params_check(const struct poll_params *p, char *err, size_t errlen)
{
	if (p->interval_ms == 0) {
		snprintf(err, errlen, "the poll interval must not be 0");
		return -1;
	}
	if (p->jitter_pct > 50) {
		snprintf(err, errlen, "poll jitter %u%% is more than 50%%",
		    p->jitter_pct);
		return -1;
	}
	if (p->retry_min_ms == 0 || p->retry_min_ms > p->backoff_max_ms) {
		snprintf(err, errlen, "the first retry (%u ms) must be more "
		    "than 0 and at most the maximum back-off (%u ms)",
		    p->retry_min_ms, p->backoff_max_ms);
		return -1;
	}
	return 0;
}

static uint32_t
default_rand(uint32_t bound, void *arg)
{
	(void)arg;
	return arc4random_uniform(bound);
}

/* Uniform in [lo, hi]. */
static uint64_t
uniform(const struct poll_sched *ps, uint64_t lo, uint64_t hi)
{
	uint64_t span;

	if (hi <= lo)
		return lo;
	span = hi - lo;
	if (span >= UINT32_MAX)
		span = UINT32_MAX - 1;
	return lo + ps->rnd((uint32_t)span + 1, ps->rnd_arg);
}

static uint64_t
with_jitter(const struct poll_sched *ps, uint64_t ms)
{
	uint64_t j = ms * ps->p.jitter_pct / 100;

	return uniform(ps, ms - j, ms + j);
}

/* The upper bound of the n-th retry's delay (n >= 1). */
static uint64_t
backoff_cap(const struct poll_sched *ps, unsigned int n)
{
	uint64_t cap = ps->p.retry_min_ms;

	while (--n > 0 && cap < ps->p.backoff_max_ms)
		cap *= 2;
	return cap < ps->p.backoff_max_ms ? cap : ps->p.backoff_max_ms;
}

void
poll_start(struct poll_sched *ps, const struct poll_params *p,
    poll_rand_fn rnd, void *rnd_arg, uint64_t now)
{
	memset(ps, 0, sizeof(*ps));
	ps->p = *p;
	ps->rnd = rnd != NULL ? rnd : default_rand;
	ps->rnd_arg = rnd_arg;
	ps->due = now + uniform(ps, 0, p->initial_max_ms);
}

uint64_t
poll_due(const struct poll_sched *ps)
{
	return ps->due;
}

uint64_t
poll_delay(const struct poll_sched *ps, uint64_t now)
{
	return ps->due > now ? ps->due - now : 0;
}

static void
note_set(struct poll_note *note, int priority, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
note_set(struct poll_note *note, int priority, const char *fmt, ...)
{
	va_list ap;

	note->priority = priority;
	va_start(ap, fmt);
	vsnprintf(note->text, sizeof(note->text), fmt, ap);
	va_end(ap);
}

/* Seconds, rounded up, for messages. */
static unsigned long long
secs(uint64_t ms)
{
	return (unsigned long long)((ms + 999) / 1000);
}

void
poll_result(struct poll_sched *ps, enum poll_outcome outcome,
    const char *reason, uint64_t now, struct poll_note *note)
{
	uint64_t delay;
	unsigned int failed = ps->failures;

	note->priority = -1;
	note->text[0] = '\0';
	if (reason == NULL || *reason == '\0')
		reason = "unknown error";

	switch (outcome) {
	case POLL_OK:
		delay = with_jitter(ps, ps->p.interval_ms);
		if (ps->absent)
			note_set(note, LOG_INFO, "the repository is there "
			    "now; polling every %llu s",
			    secs(ps->p.interval_ms));
		else if (failed > 0)
			note_set(note, LOG_INFO, "the repository is reachable "
			    "again after %u failed poll%s", failed,
			    failed == 1 ? "" : "s");
		ps->failures = 0;
		ps->absent = 0;
		ps->succeeded = 1;
		break;
	case POLL_FAILED:
		ps->absent = 0;
		if (ps->failures < UINT32_MAX)
			ps->failures++;
		delay = uniform(ps, ps->p.retry_min_ms,
		    backoff_cap(ps, ps->failures));
		note_set(note, ps->failures == 1 && !ps->succeeded ?
		    LOG_INFO : LOG_WARNING, "poll failed%s: %s; retrying in "
		    "%llu s", ps->failures > 1 ? " again" : "", reason,
		    secs(delay));
		break;
	case POLL_ABSENT:
	default:
		/* never sooner than the maximum back-off */
		delay = uniform(ps, ps->p.backoff_max_ms,
		    ps->p.backoff_max_ms + (uint64_t)ps->p.backoff_max_ms *
		    ps->p.jitter_pct / 100);
		if (!ps->absent)
			note_set(note, LOG_WARNING, "no repository there: "
			    "timestamp.json answers 404; polling only every "
			    "%llu s until it appears or lockprobed is "
			    "reloaded", secs(ps->p.backoff_max_ms));
		ps->absent = 1;
		ps->failures = 0;
		break;
	}
	ps->due = now + delay;
}
