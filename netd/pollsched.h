/*
 * pollsched: when netd polls the repository next, and what to log about
 * it.  (Not poll.h, which would shadow the system's <poll.h>.)
 *
 * A pure state machine: the caller passes the time (monotonic
 * milliseconds) and a source of random numbers, sets a timer for
 * poll_due(), and reports each poll's outcome with poll_result(), which
 * says what, if anything, to log.  No clock, no I/O, no logging here, so
 * the tests drive it with a fake clock.
 *
 * - The first poll comes after a random delay in [0, initial_max_ms], so a
 *   fleet restarted at once does not reach the server in step.
 * - After a success: the interval, with +-jitter_pct percent jitter.
 * - After the n-th failure in a row: full jitter, a random delay in
 *   [retry_min_ms, min(backoff_max_ms, retry_min_ms * 2^(n-1))].  The first
 *   failure after start-up is logged at info (the network may not be up
 *   yet), later ones at warning; recovery at info.
 * - A repository that is not there (timestamp.json answers 404) is polled
 *   only every backoff_max_ms (plus up to jitter_pct percent), with one
 *   log line, until it appears or the scheduler is started again (reload).
 */
#ifndef LOCKPROBE_POLLSCHED_H
#define LOCKPROBE_POLLSCHED_H

#include <stddef.h>
#include <stdint.h>

struct poll_params {
	uint32_t	initial_max_ms;
	uint32_t	interval_ms;
	uint32_t	jitter_pct;		/* 0..50 */
	uint32_t	retry_min_ms;
	uint32_t	backoff_max_ms;
};

/* A uniform random number in [0, bound), bound > 0. */
typedef uint32_t (*poll_rand_fn)(uint32_t bound, void *arg);

enum poll_outcome {
	POLL_OK,	/* fresh or unchanged (304) metadata */
	POLL_FAILED,	/* network, server or verification failure */
	POLL_ABSENT	/* timestamp.json: 404 */
};

#define POLL_NOTE_MAX	512

/* What to log about an outcome: priority -1 means nothing. */
struct poll_note {
	int		 priority;	/* LOG_INFO or LOG_WARNING */
	char		 text[POLL_NOTE_MAX];
};

struct poll_sched {
	struct poll_params	 p;
	poll_rand_fn		 rnd;
	void			*rnd_arg;
	uint64_t		 due;		/* next poll, absolute ms */
	unsigned int		 failures;	/* in a row */
	int			 absent;	/* 404 seen, not yet cleared */
	int			 succeeded;	/* since start */
};

/* Defaults: first poll within 30 s, every 5 min +-10%, retries from 10 s
 * doubling to 1 h. */
void	poll_params_default(struct poll_params *p);
/* Returns 0, or -1 with the reason in err. */
int	poll_params_check(const struct poll_params *p, char *err,
	    size_t errlen);

/* Start (or, on reload, restart) at now.  rnd NULL: arc4random_uniform. */
void	poll_start(struct poll_sched *ps, const struct poll_params *p,
	    poll_rand_fn rnd, void *rnd_arg, uint64_t now);
/* The time of the next poll, absolute; and the delay from now to it. */
uint64_t poll_due(const struct poll_sched *ps);
uint64_t poll_delay(const struct poll_sched *ps, uint64_t now);
/*
 * The poll that started at or before now ended with outcome (reason: the
 * fetch or verification error, for POLL_FAILED).  Schedules the next poll
 * and fills note with what to log.
 */
void	poll_result(struct poll_sched *ps, enum poll_outcome outcome,
	    const char *reason, uint64_t now, struct poll_note *note);

#endif
