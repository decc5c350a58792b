/*
 * The Prometheus text-format metrics endpoint of lockprobe-netd: the HTTP
 * side (metrics.c) and the rendering of lockprobed's answers into metric
 * families (metrics_render.c, pure: no I/O, tested on its own).
 */
#ifndef LOCKPROBE_METRICS_H
#define LOCKPROBE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"
#include "netd.h"

struct evbuffer;
struct event_base;

/* Requests the endpoint refused, by why: lockprobe_metrics_refused_total. */
enum metrics_refusal {
	METRICS_BAD_REQUEST,	/* 400: not an HTTP/1.x request line */
	METRICS_NOT_FOUND,	/* 404: a path other than /metrics */
	METRICS_BAD_METHOD,	/* 405: a method other than GET */
	METRICS_TOO_LARGE,	/* 431: a request over METRICS_MAX_REQUEST */
	METRICS_TIMEOUT,	/* 408: not sent within METRICS_READ_SEC */
	METRICS_TOO_MANY,	/* 503: over METRICS_MAX_CLIENTS at once */
	METRICS_UNAVAILABLE,	/* 503: lockprobed did not answer */
	METRICS_NREFUSALS
};

struct metrics_counters {
	uint64_t	scrapes;		/* answered with 200 */
	uint64_t	refused[METRICS_NREFUSALS];
};

/* One scrape's lock families, filled page by page of StatsReply. */
struct metrics_locks {
	struct evbuffer	*wait_hist;	/* lockprobe_lock_wait_seconds */
	struct evbuffer	*wait_max;	/* lockprobe_lock_wait_max_seconds */
	uint64_t	 ranges_tracked;
	uint64_t	 ranges_dropped;
	int		 have_stats;
};

/* netd/metrics_render.c */
const char *metrics_refusal_name(enum metrics_refusal r);
int	metrics_render_status(struct evbuffer *out,
	    const Lockprobe__StatusReply *st, const Lockprobe__NetdStatus *ns);
int	metrics_locks_init(struct metrics_locks *ml);
void	metrics_locks_free(struct metrics_locks *ml);
int	metrics_render_stats(struct metrics_locks *ml,
	    const Lockprobe__StatsReply *sr);
int	metrics_render_finish(struct evbuffer *out, struct metrics_locks *ml,
	    const struct metrics_counters *own);

/* netd/metrics.c */
int	metrics_init(struct event_base *base, struct ipc_channel *privd,
	    control_status_fn fill_status, void *arg, char *err,
	    size_t errlen);
int	metrics_start(void);	/* does nothing without metrics_init */
int	metrics_answer(const Lockprobe__Envelope *env);
enum metrics_refusal metrics_check_request(char *line);
void	metrics_fill_status(Lockprobe__NetdStatus *ns);

#endif
