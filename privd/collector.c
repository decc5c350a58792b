/*
 * The collector, lockprobed's BPF side.  At start it measures what this
 * host can see (calibration), attaches the contention programs, resolves
 * the kernel symbols that explain the verdict, and walks every map for the
 * memory ranges of its locks; it walks again every rewalk-interval so that
 * maps created or destroyed later are followed, and hands each walk's
 * ranges to the contention programs.  All BPF objects come from the
 * hash-checked assets.
 */
#include "config.h"

#include <fnmatch.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "calibrate.h"
#include "clock.h"
#include "contention.h"
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
#define CT_OWN_MAX	32	/* maps of the contention programs */
#define REWALK_MIN_INTERVAL	1.0	/* seconds between requested walks */
#define COLLECTOR_MMAP_THRESHOLD (128 * 1024)	/* glibc's initial value */

struct collector {
	struct mapwalker	*walker;	/* loaded once, kept */
	uint64_t		 walker_load_ns;
	struct mapwalk_result	 walk;
	unsigned int		 walks;
	char			 walk_error[512];
	uint64_t		 last_walk;	/* monotonic_ns() */
	struct ksym_query	 ksyms[NKSYMS];
	struct ksym_report	 ksym_report;
	char			 ksym_error[512];
	struct event		*rewalk_ev;
	struct calib_result	 calib;
	char			 calib_error[512];
	struct collector_settings settings;	/* in force */
	struct settings_msg	 settings_msg;	/* for status */
	struct contention	*ct;		/* NULL: disabled or failed */
	uint32_t		 ct_capacity;	/* ranges ct was opened for */
	char			 ct_error[512];
	size_t			 ranges_tracked;
	size_t			 ranges_dropped;
	size_t			 maps_filtered;
	uint32_t		 own[CT_OWN_MAX];	/* ct's own maps */
	size_t			 nown;
};

/* The tracked set computed from a walk for some settings. */
struct selection {
	struct mapwalk_range	*ranges;
	size_t			 n;
	size_t			 dropped;	/* over the range budget */
	size_t			 maps_filtered;
};

static int
is_own_id(const uint32_t *own, size_t nown, uint32_t map_id)
{
	size_t i;

	for (i = 0; i < nown; i++)
		if (own[i] == map_id)
			return 1;
	return 0;
}

static int
is_own(const struct collector *c, uint32_t map_id)
{
	return is_own_id(c->own, c->nown, map_id);
}

static void	on_rewalk(evutil_socket_t, short, void *);
static void	calibrate(struct privd *);

static size_t
maps_covered(const struct mapwalk_result *w)
{
	size_t i, n = 0;

	for (i = 0; i < w->nmaps; i++)
		n += w->maps[i].covered != 0;
	return n;
}

static int
words_match(const struct conf_words *w, const char *name, int glob)
{
	unsigned int i;

	for (i = 0; i < w->n; i++)
		if (glob ? fnmatch(w->w[i], name, 0) == 0 :
		    strcmp(w->w[i], name) == 0)
			return 1;
	return 0;
}

/* Whether the settings' filters keep a map of this name and type. */
static int
map_selected(const struct collector_settings *s, const char *name,
    uint32_t type)
{
	if (s->map_types.n > 0 &&
	    !words_match(&s->map_types, mapwalk_map_type_name(type), 0))
		return 0;
	if (s->include.n > 0 && !words_match(&s->include, name, 1))
		return 0;
	return !words_match(&s->exclude, name, 1);
}

/* The ranges of the last walk that settings s track, less ct's own maps. */
static int
select_ranges(const struct collector *c, const struct collector_settings *s,
    const uint32_t *own, size_t nown, struct selection *sel, char *err,
    size_t errlen)
{
	const struct mapwalk_range *r;
	const struct mapwalk_map *m;
	size_t i;

	memset(sel, 0, sizeof(*sel));
	for (i = 0; i < c->walk.nmaps; i++) {
		m = &c->walk.maps[i];
		if (!is_own_id(own, nown, m->id) &&
		    !map_selected(s, m->name, m->type))
			sel->maps_filtered++;
	}
	if ((sel->ranges = calloc(c->walk.nranges + 1,
	    sizeof(*sel->ranges))) == NULL) {
		(void)snprintf(err, errlen, "collector: out of memory for %zu "
		    "ranges", c->walk.nranges);
		return -1;
	}
	for (i = 0; i < c->walk.nranges; i++) {
		r = &c->walk.ranges[i];
		if (!is_own_id(own, nown, r->map_id) &&
		    map_selected(s, r->map_name, r->map_type))
			sel->ranges[sel->n++] = *r;
	}
	if (sel->n > s->range_budget) {
		sel->dropped = sel->n - s->range_budget;
		sel->n = s->range_budget;
	}
	return 0;
}

/* Hand the selection to the programs: on error they keep the old set. */
static int
track(struct contention *ct, const struct selection *sel, char *err,
    size_t errlen)
{
	if (contention_set_ranges(ct, sel->ranges, sel->n, err, errlen) == -1)
		return -1;
	if (sel->dropped > 0)
		log_warnx("contention: %zu lock ranges, range-budget is %zu: "
		    "%zu not tracked; raise range-budget",
		    sel->n + sel->dropped, sel->n, sel->dropped);
	return 0;
}

static void
selection_done(struct collector *c, const struct selection *sel)
{
	c->ranges_tracked = c->ct != NULL ? sel->n : 0;
	c->ranges_dropped = sel->dropped;
	c->maps_filtered = sel->maps_filtered;
	free(sel->ranges);
}

/* After a walk: the settings in force, on the new ranges. */
static void
track_walk(struct privd *pd)
{
	struct collector *c = pd->collector;
	struct selection sel;
	char err[512];

	if (select_ranges(c, &c->settings, c->own, c->nown, &sel, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		return;
	}
	if (c->ct != NULL && track(c->ct, &sel, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		(void)snprintf(c->ct_error, sizeof(c->ct_error), "%s", err);
		free(sel.ranges);
		return;
	}
	if (c->ct != NULL)
		c->ct_error[0] = '\0';
	selection_done(c, &sel);
}

static void
walk(struct privd *pd)
{
	struct collector *c = pd->collector;
	struct mapwalk_result w;

	memset(&w, 0, sizeof(w));
	if (c->walker == NULL && (c->walker = mapwalker_open(&pd->assets,
	    c->walk_error, sizeof(c->walk_error))) == NULL) {
		log_warnx("map walk: %s", c->walk_error);
		return;
	}
	if (mapwalker_run(c->walker, &w, c->walk_error,
	    sizeof(c->walk_error)) == -1) {
		log_warnx("map walk: %s", c->walk_error);
		/* loaded again for the next walk */
		mapwalker_close(c->walker);
		c->walker = NULL;
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
	c->last_walk = monotonic_ns();
	track_walk(pd);
	if (w.load_ns != 0)
		c->walker_load_ns = w.load_ns;
	/* the walk's buffers, and after a load libbpf's parsed BTF */
	malloc_trim(0);
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

static void
calibrate(struct privd *pd)
{
	struct collector *c = pd->collector;
	struct calib_opts o;

	memset(&o, 0, sizeof(o));
	o.assets = &pd->assets;
	if (calibrate_run(&o, &c->calib, c->calib_error,
	    sizeof(c->calib_error)) == -1) {
		log_warnx("calibration: %s", c->calib_error);
		return;
	}
	c->calib_error[0] = '\0';	/* calibrate_run logged the verdicts */
}

/* The contention programs, attached, for up to capacity ranges. */
static struct contention *
open_contention(struct privd *pd, uint32_t capacity, char *err,
    size_t errlen)
{
	struct contention_opts o;
	struct contention *ct;

	memset(&o, 0, sizeof(o));
	o.assets = &pd->assets;
	o.max_ranges = capacity;
	if ((ct = contention_open(&o, err, errlen)) == NULL)
		return NULL;
	if (contention_attach(ct, err, errlen) == -1) {
		contention_destroy(ct);
		return NULL;
	}
	log_info("contention programs attached (room for %u ranges)",
	    capacity);
	return ct;
}

static void
set_own(struct collector *c)
{
	c->nown = 0;
	if (c->ct == NULL)
		return;
	c->nown = contention_own_maps(c->ct, c->own, CT_OWN_MAX);
	if (c->nown > CT_OWN_MAX) {
		log_warnx("contention: %zu maps of its own, %d expected",
		    c->nown, CT_OWN_MAX);
		c->nown = CT_OWN_MAX;
	}
}

/* Walks follow the settings: every rewalk-interval, none when disabled. */
void
collector_reschedule(struct privd *pd)
{
	struct collector *c = pd->collector;
	struct timeval tv = { 0, 0 };

	if (c == NULL)
		return;
	if (!c->settings.enabled) {
		evtimer_del(c->rewalk_ev);
		return;
	}
	tv.tv_sec = c->settings.rewalk_interval;
	evtimer_add(c->rewalk_ev, &tv);
}

/*
 * Make s the settings in force, all or nothing: the programs are loaded
 * again when s needs more room than they have (or were detached), and the
 * new tracked set is handed to them; if either fails, the programs, their
 * set and the settings stay as they were.  enabled no detaches the
 * programs: no probe runs on a contended lock, and walks stop.
 */
int
collector_apply(struct privd *pd, const struct collector_settings *s,
    char *err, size_t errlen)
{
	struct collector *c = pd->collector;
	struct contention *ct = NULL, *fresh = NULL;
	struct selection sel;
	uint32_t own[CT_OWN_MAX] = { 0 };
	size_t nown = 0;
	char why[512];

	memset(&sel, 0, sizeof(sel));
	if (s->enabled) {
		ct = c->ct;
		if (ct == NULL || s->range_budget > c->ct_capacity) {
			fresh = open_contention(pd, s->range_budget, why,
			    sizeof(why));
			if (fresh == NULL && (c->ct != NULL ||
			    !c->settings.enabled)) {
				(void)snprintf(err, errlen, "%s: the contention "
				    "programs could not be loaded: %s",
				    c->ct != NULL ? "range_budget" : "enabled",
				    why);
				return -1;
			}
			/* they could not load before either: no worse */
			if (fresh == NULL)
				(void)snprintf(c->ct_error,
				    sizeof(c->ct_error), "%s", why);
			ct = fresh;
		}
	}
	if (ct != NULL) {
		nown = contention_own_maps(ct, own, CT_OWN_MAX);
		if (nown > CT_OWN_MAX)
			nown = CT_OWN_MAX;
	}
	if (select_ranges(c, s, own, nown, &sel, err, errlen) == -1 ||
	    (ct != NULL && track(ct, &sel, err, errlen) == -1)) {
		if (fresh != NULL)
			contention_destroy(fresh);
		free(sel.ranges);
		return -1;
	}

	if (c->ct != NULL && c->ct != ct) {
		contention_destroy(c->ct);
		log_info("contention programs %s", ct != NULL ? "replaced" :
		    "detached: the collector is disabled");
	}
	if (fresh != NULL)
		c->ct_capacity = s->range_budget;
	c->ct = ct;
	if (ct != NULL)
		c->ct_error[0] = '\0';
	set_own(c);
	selection_done(c, &sel);
	c->settings = *s;
	collector_reschedule(pd);
	return 0;
}

int
collector_start(struct privd *pd, const struct collector_settings *s)
{
	struct collector *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	if ((c->rewalk_ev = evtimer_new(pd->base, on_rewalk, pd)) == NULL) {
		free(c);
		return -1;
	}
	pd->collector = c;
	c->settings = *s;
	/* A fixed threshold: the buffers of every stats read (megabytes with
	 * a full stats table) are mapped and unmapped, instead of glibc
	 * raising the threshold after the first free and keeping them. */
	if (mallopt(M_MMAP_THRESHOLD, COLLECTOR_MMAP_THRESHOLD) != 1)
		log_warnx("mallopt: cannot fix the mmap threshold; large "
		    "buffers may stay resident");
	collector_libbpf_log_init();
	/* what the operator waits for first: the programs attached and the
	 * maps tracked; then the calibration (well under a second) */
	if (!s->enabled)
		log_info("collector disabled (collector-enabled no): the "
		    "contention programs stay detached");
	else if ((c->ct = open_contention(pd, s->range_budget, c->ct_error,
	    sizeof(c->ct_error))) == NULL)
		log_warnx("contention: %s", c->ct_error);
	else
		c->ct_capacity = s->range_budget;
	set_own(c);
	resolve_ksyms(pd);
	walk(pd);
	calibrate(pd);
	collector_reschedule(pd);
	/* libbpf parsed the kernel's BTF (megabytes) for each load and freed
	 * it; give that memory back instead of keeping it resident */
	malloc_trim(0);
	return 0;
}

/* lockprobectl rewalk: walk now (at most once a second) and say what
 * was found. */
void
collector_answer_rewalk(struct privd *pd, const Lockprobe__Envelope *req)
{
	struct collector *c = pd->collector;
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__RewalkReply rr = LOCKPROBE__REWALK_REPLY__INIT;

	if (c->walks > 0 && elapsed_sec(c->last_walk) <
	    REWALK_MIN_INTERVAL)
		rr.error = (char *)(uintptr_t)"the last walk was less than a "
		    "second ago; try again";
	else {
		walk(pd);
		if (c->walk_error[0] != '\0')
			rr.error = c->walk_error;
	}
	rr.maps = (uint32_t)c->walk.nmaps;
	rr.ranges = c->walk.nranges;
	rr.walk_usec = c->walk.walk_ns / 1000;
	env.id = req->id;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_REWALK_REPLY;
	env.rewalk_reply = &rr;
	if (ipc_send(&pd->netd.ipc, &env) == -1)
		log_warn("answering rewalk request %llu",
		    (unsigned long long)req->id);
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
	cs->load_usec = c->walker_load_ns / 1000;
	cs->walk_usec = c->walk.walk_ns / 1000;
	if (c->walk_error[0] != '\0')
		cs->walk_error = c->walk_error;
	cs->rewalk_interval_sec = c->settings.rewalk_interval;
	settings_msg_fill(&c->settings_msg, &c->settings);
	cs->settings = &c->settings_msg.msg;
	cs->settings_origin = pd->broker.origin;
	cs->has_maps_filtered = 1;
	cs->maps_filtered = (uint32_t)c->maps_filtered;
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
	mapwalker_close(c->walker);
	if (c->ct != NULL)
		contention_destroy(c->ct);
	mapwalk_free(&c->walk);
	free(c);
	pd->collector = NULL;
}

static Lockprobe__Observability__Verdict
verdict_of(const struct collector *c, int sleeping)
{
	if (c->calib_error[0] != '\0')
		return LOCKPROBE__OBSERVABILITY__VERDICT__INCONCLUSIVE;
	switch (c->calib.cls[sleeping ? CALIB_SLEEPING :
	    CALIB_SPINNING].verdict) {
	case CALIB_OBSERVABLE:
		return LOCKPROBE__OBSERVABILITY__VERDICT__OBSERVABLE;
	case CALIB_BLIND:
		return LOCKPROBE__OBSERVABILITY__VERDICT__BLIND;
	default:
		return LOCKPROBE__OBSERVABILITY__VERDICT__INCONCLUSIVE;
	}
}

size_t
collector_observability(struct privd *pd, Lockprobe__Observability *obs,
    Lockprobe__Observability **ptrs)
{
	struct collector *c = pd->collector;
	int i;

	for (i = 0; i < CALIB__NCLASSES; i++) {
		lockprobe__observability__init(&obs[i]);
		obs[i].lock_class = (char *)(uintptr_t)calib_class_name(
		    (enum calib_lockclass)i);
		obs[i].verdict = verdict_of(c, i == CALIB_SLEEPING);
		obs[i].reason = c->calib_error[0] != '\0' ? c->calib_error :
		    c->calib.cls[i].reason;
		obs[i].lower_bound = c->calib.cls[i].lower_bound != 0;
		ptrs[i] = &obs[i];
	}
	return CALIB__NCLASSES;
}

void
collector_fill_calibration(struct privd *pd, Lockprobe__CalibrationStatus *cs)
{
	const struct calib_facts *f = &pd->collector->calib.facts;

	cs->elapsed_usec = pd->collector->calib.elapsed_ns / 1000;
	cs->hypervisor = f->hypervisor != 0;
	if (f->hv_vendor[0] != '\0')
		cs->hypervisor_vendor = (char *)(uintptr_t)f->hv_vendor;
	cs->pv_spinlocks = f->pv_spinlocks;
	if (f->pv_source[0] != '\0')
		cs->pv_source = (char *)(uintptr_t)f->pv_source;
	cs->kernel_release = (char *)(uintptr_t)f->release;
	cs->cpus_online = f->cpus_online > 0 ? (uint32_t)f->cpus_online : 0;
	if (pd->collector->calib_error[0] != '\0')
		cs->error = pd->collector->calib_error;
}

/* One row of the stats table: a tracked (map, lock kind), or its events. */
struct stat_row {
	Lockprobe__LockStat	 msg;
	uint64_t		 hist[CT_HIST_SLOTS];
};

/* (map id, lock, class): the order pages are cut in */
static int
cmp_stat_row(const void *a, const void *b)
{
	const Lockprobe__LockStat *x = &((const struct stat_row *)a)->msg;
	const Lockprobe__LockStat *y = &((const struct stat_row *)b)->msg;
	int c;

	if (x->map_id != y->map_id)
		return x->map_id < y->map_id ? -1 : 1;
	if ((c = strcmp(x->lock_kind, y->lock_kind)) != 0)
		return c;
	return strcmp(x->lock_class, y->lock_class);
}

static int
stat_row_add(struct stat_row **rows, size_t *n, size_t *cap)
{
	struct stat_row *r;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;

		if ((r = reallocarray(*rows, ncap, sizeof(*r))) == NULL)
			return -1;
		*rows = r;
		*cap = ncap;
	}
	memset(&(*rows)[*n], 0, sizeof(**rows));
	lockprobe__lock_stat__init(&(*rows)[*n].msg);
	(*n)++;
	return 0;
}

/*
 * Every lock kind of every walked map gets a row, with its events if it
 * had any: an operator sees "nothing happened" and "cannot be seen" apart.
 */
static struct stat_row *
stat_rows(struct privd *pd, const struct contention_stats *st,
    uint32_t only_map, size_t *nrows)
{
	struct collector *c = pd->collector;
	struct stat_row *rows = NULL, *r;
	size_t n = 0, cap = 0, i, k;
	const struct mapwalk_range *g;

	for (i = 0; i < st->nstats; i++) {
		const struct contention_stat *s = &st->stats[i];
		const struct mapwalk_map *m;

		if (only_map != 0 && s->map_id != only_map)
			continue;
		if (stat_row_add(&rows, &n, &cap) == -1)
			goto fail;
		r = &rows[n - 1];
		m = mapwalk_map_by_id(&c->walk, s->map_id);
		r->msg.map_id = s->map_id;
		r->msg.map_name = (char *)(uintptr_t)s->map_name;
		r->msg.map_type = (char *)(uintptr_t)mapwalk_map_type_name(
		    m != NULL ? m->type : s->map_type);
		r->msg.lock_kind = (char *)(uintptr_t)mapwalk_lock_kind_name(
		    s->kind);
		r->msg.lock_class = (char *)(uintptr_t)contention_class_name(
		    s->lock_class);
		r->msg.sleeping = contention_class_sleeping(s->lock_class);
		r->msg.count = s->count;
		r->msg.total_ns = s->total_ns;
		r->msg.min_ns = s->min_ns;
		r->msg.max_ns = s->max_ns;
		memcpy(r->hist, s->hist, sizeof(r->hist));
		r->msg.verdict = verdict_of(c, r->msg.sleeping);
	}
	/* tracked (map, kind) pairs without events */
	for (i = 0; i < c->walk.nranges; i++) {
		g = &c->walk.ranges[i];
		if ((only_map != 0 && g->map_id != only_map) ||
		    is_own(c, g->map_id) ||
		    !map_selected(&c->settings, g->map_name, g->map_type) ||
		    (i > 0 && c->walk.ranges[i - 1].map_id == g->map_id &&
		    c->walk.ranges[i - 1].kind == g->kind))
			continue;
		for (k = 0; k < n; k++)
			if (rows[k].msg.map_id == g->map_id &&
			    strcmp(rows[k].msg.lock_kind,
			    mapwalk_lock_kind_name(g->kind)) == 0)
				break;
		if (k < n)
			continue;
		if (stat_row_add(&rows, &n, &cap) == -1)
			goto fail;
		r = &rows[n - 1];
		r->msg.map_id = g->map_id;
		r->msg.map_name = (char *)(uintptr_t)g->map_name;
		r->msg.map_type = (char *)(uintptr_t)mapwalk_map_type_name(
		    g->map_type);
		r->msg.lock_kind = (char *)(uintptr_t)mapwalk_lock_kind_name(
		    g->kind);
		r->msg.sleeping = (g->flags & MW_F_SLEEPING) != 0;
		r->msg.lock_class = (char *)(uintptr_t)(r->msg.sleeping ?
		    "mutex" : "spin");
		r->msg.verdict = verdict_of(c, r->msg.sleeping);
	}
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_stat_row);
	*nrows = n;
	return rows;
fail:
	free(rows);
	return NULL;
}

void
collector_answer_stats(struct privd *pd, const Lockprobe__Envelope *req)
{
	struct collector *c = pd->collector;
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__StatsReply sr = LOCKPROBE__STATS_REPLY__INIT;
	Lockprobe__Observability obs[CALIB__NCLASSES], *obs_ptrs[CALIB__NCLASSES];
	Lockprobe__LockStat **stat_ptrs = NULL;
	Lockprobe__HotBucket *hot = NULL, **hot_ptrs = NULL;
	struct contention_stats st;
	struct stat_row *rows = NULL;
	const Lockprobe__StatsRequest *q = req->stats_request;
	uint32_t only = q->has_map_id ? q->map_id : 0;
	uint32_t after = q->has_after_map_id ? q->after_map_id : 0;
	size_t nrows = 0, first, i, j, room, used, group;
	char err[512];

	memset(&st, 0, sizeof(st));
	sr.n_classes = collector_observability(pd, obs, obs_ptrs);
	sr.classes = obs_ptrs;
	sr.ranges_tracked = c->ranges_tracked;
	sr.ranges_dropped = c->ranges_dropped;
	if (c->ct == NULL)
		sr.error = c->settings.enabled ? c->ct_error :
		    (char *)(uintptr_t)"the collector is disabled "
		    "(collector-enabled no): nothing is counted";
	else if (contention_read_stats(c->ct, &st, err, sizeof(err)) == -1)
		sr.error = err;
	else if ((rows = stat_rows(pd, &st, only, &nrows)) == NULL &&
	    nrows != 0)
		sr.error = (char *)(uintptr_t)"out of memory";
	sr.total = (uint32_t)nrows;

	/* hot buckets, then as many maps after `after' as fit a datagram */
	if (st.nhot > 0 && after == 0 &&
	    (hot = calloc(st.nhot, sizeof(*hot))) != NULL &&
	    (hot_ptrs = calloc(st.nhot, sizeof(*hot_ptrs))) != NULL) {
		for (i = 0; i < st.nhot; i++) {
			if (only != 0 && st.hot[i].map_id != only)
				continue;
			lockprobe__hot_bucket__init(&hot[sr.n_hot]);
			hot[sr.n_hot].map_id = st.hot[i].map_id;
			hot[sr.n_hot].bucket = st.hot[i].bucket;
			hot[sr.n_hot].count = st.hot[i].count;
			hot_ptrs[sr.n_hot] = &hot[sr.n_hot];
			sr.n_hot++;
		}
		sr.hot = hot_ptrs;
	}
	for (first = 0; first < nrows && rows[first].msg.map_id <= after;
	    first++)
		;
	if (first < nrows &&
	    (stat_ptrs = calloc(nrows - first, sizeof(*stat_ptrs))) != NULL) {
		used = lockprobe__stats_reply__get_packed_size(&sr) + 64;
		room = IPC_MAX_PAYLOAD - 1024;
		for (i = first; i < nrows; i += group) {
			for (group = 0, j = i; j < nrows &&
			    rows[j].msg.map_id == rows[i].msg.map_id; j++) {
				rows[j].msg.n_hist = CT_HIST_SLOTS;
				rows[j].msg.hist = rows[j].hist;
				used += lockprobe__lock_stat__get_packed_size(
				    &rows[j].msg) + 8;
				group++;
			}
			/* whole maps only; the first always goes (a map's
			 * few records are far below a datagram) */
			if (used > room && sr.n_stats > 0) {
				sr.more = 1;
				break;
			}
			for (j = i; j < i + group; j++)
				stat_ptrs[sr.n_stats++] = &rows[j].msg;
		}
		sr.stats = stat_ptrs;
	}

	env.id = req->id;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_STATS_REPLY;
	env.stats_reply = &sr;
	if (ipc_send(&pd->netd.ipc, &env) == -1)
		log_warn("answering stats request %llu",
		    (unsigned long long)req->id);
	free(stat_ptrs);
	free(hot_ptrs);
	free(hot);
	free(rows);
	contention_stats_free(&st);
}
