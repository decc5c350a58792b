/*
 * The collector, lockprobed's BPF side: at start it resolves the kernel
 * symbols that explain what the host can see and walks every map for the
 * memory ranges of its locks, then walks again every rewalk-interval so
 * that maps created or destroyed later are followed.  All BPF objects come
 * from the hash-checked assets.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "ksym.h"
#include "lockprobed.h"
#include "log.h"
#include "mapwalk.h"

/* Symbols whose presence tells how this kernel handles contended
 * spinlocks (paravirt or native queued slow path). */
static const char *const collector_ksyms[] = {
	"native_queued_spin_lock_slowpath",
	"__pv_queued_spin_lock_slowpath",
	"queued_spin_lock_slowpath",
	"resilient_queued_spin_lock_slowpath",
};
#define NKSYMS	(sizeof(collector_ksyms) / sizeof(collector_ksyms[0]))

struct collector {
	struct mapwalk_result	 walk;
	unsigned int		 walks;
	char			 walk_error[512];
	struct ksym_query	 ksyms[NKSYMS];
	struct ksym_report	 ksym_report;
	char			 ksym_error[512];
	struct event		*rewalk_ev;
};

static void	on_rewalk(evutil_socket_t, short, void *);

static size_t
maps_covered(const struct mapwalk_result *w)
{
	size_t i, n = 0;

	for (i = 0; i < w->nmaps; i++)
		n += w->maps[i].covered != 0;
	return n;
}

static void
walk(struct privd *pd)
{
	struct collector *c = pd->collector;
	struct mapwalk_result w;

	if (mapwalk_run(&pd->assets, &w, c->walk_error,
	    sizeof(c->walk_error)) == -1) {
		mapwalk_free(&w);
		log_warnx("map walk: %s", c->walk_error);
		return;
	}
	c->walk_error[0] = '\0';
	if (c->walks == 0 || log_getlevel() >= LOG_DEBUG)
		log_info("map walk %u: %zu maps (%zu with lock ranges), %zu "
		    "ranges, in %.1f ms (+%.1f ms to load)", c->walks + 1,
		    w.nmaps, maps_covered(&w), w.nranges, w.walk_ns / 1e6,
		    w.load_ns / 1e6);
	else if (w.nmaps != c->walk.nmaps)
		log_info("map walk %u: %zu maps now, %zu before",
		    c->walks + 1, w.nmaps, c->walk.nmaps);
	mapwalk_free(&c->walk);
	c->walk = w;
	c->walks++;
}

static void
resolve_ksyms(struct privd *pd)
{
	struct collector *c = pd->collector;
	size_t i;

	for (i = 0; i < NKSYMS; i++) {
		memset(&c->ksyms[i], 0, sizeof(c->ksyms[i]));
		c->ksyms[i].name = collector_ksyms[i];
	}
	if (ksym_resolve(&pd->assets, c->ksyms, NKSYMS, &c->ksym_report,
	    c->ksym_error, sizeof(c->ksym_error)) == -1) {
		log_warnx("kernel symbols: %s", c->ksym_error);
		return;
	}
	c->ksym_error[0] = '\0';
	log_info("kernel symbols: %zu of %zu found with %s in %.1f ms%s%s",
	    c->ksym_report.nfound, NKSYMS,
	    ksym_method_name(c->ksym_report.method),
	    c->ksym_report.elapsed_ns / 1e6,
	    c->ksym_report.iter_error[0] ? "; iterator: " : "",
	    c->ksym_report.iter_error);
}

void
collector_reschedule(struct privd *pd)
{
	struct timeval tv = { pd->conf.rewalk_interval, 0 };

	if (pd->collector != NULL)
		evtimer_add(pd->collector->rewalk_ev, &tv);
}

int
collector_start(struct privd *pd)
{
	struct collector *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	if ((c->rewalk_ev = evtimer_new(pd->base, on_rewalk, pd)) == NULL) {
		free(c);
		return -1;
	}
	pd->collector = c;
	collector_libbpf_log_init();
	resolve_ksyms(pd);
	walk(pd);
	collector_reschedule(pd);
	return 0;
}

static void
on_rewalk(evutil_socket_t fd, short events, void *arg)
{
	struct privd *pd = arg;

	(void)fd;
	(void)events;
	walk(pd);
	collector_reschedule(pd);
}

void
collector_fill_status(struct privd *pd, Lockprobe__CollectorStatus *cs)
{
	struct collector *c = pd->collector;

	cs->walks = c->walks;
	cs->maps = (uint32_t)c->walk.nmaps;
	cs->maps_covered = (uint32_t)maps_covered(&c->walk);
	cs->ranges = c->walk.nranges;
	cs->load_usec = c->walk.load_ns / 1000;
	cs->walk_usec = c->walk.walk_ns / 1000;
	if (c->walk_error[0] != '\0')
		cs->walk_error = c->walk_error;
	cs->rewalk_interval_sec = pd->conf.rewalk_interval;
	cs->ksym_method = (char *)(uintptr_t)ksym_method_name(
	    c->ksym_report.method);
	cs->ksym_usec = c->ksym_report.elapsed_ns / 1000;
	cs->ksyms_found = (uint32_t)c->ksym_report.nfound;
	cs->ksyms_asked = NKSYMS;
	if (c->ksym_error[0] != '\0')
		cs->ksym_error = c->ksym_error;
}

void
collector_free(struct privd *pd)
{
	struct collector *c = pd->collector;

	if (c == NULL)
		return;
	event_free(c->rewalk_ev);
	mapwalk_free(&c->walk);
	free(c);
	pd->collector = NULL;
}
