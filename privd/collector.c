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

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "calibrate.h"
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

struct collector {
	struct mapwalk_result	 walk;
	unsigned int		 walks;
	char			 walk_error[512];
	struct ksym_query	 ksyms[NKSYMS];
	struct ksym_report	 ksym_report;
	char			 ksym_error[512];
	struct event		*rewalk_ev;
	struct calib_result	 calib;
	char			 calib_error[512];
	struct contention	*ct;
	char			 ct_error[512];
	size_t			 ranges_tracked;
	size_t			 ranges_dropped;
	uint32_t		 own[32];	/* the programs' own maps */
	size_t			 nown;
};

static int
is_own(const struct collector *c, uint32_t map_id)
{
	size_t i;

	for (i = 0; i < c->nown; i++)
		if (c->own[i] == map_id)
			return 1;
	return 0;
}

static void	on_rewalk(evutil_socket_t, short, void *);
static void	calibrate(struct privd *);
static void	attach_contention(struct privd *);

static size_t
maps_covered(const struct mapwalk_result *w)
{
	size_t i, n = 0;

	for (i = 0; i < w->nmaps; i++)
		n += w->maps[i].covered != 0;
	return n;
}

/* Hand the last walk's ranges, less the collector's own, to the programs. */
static void
track(struct privd *pd)
{
	struct collector *c = pd->collector;
	struct mapwalk_range *sel;
	size_t i, n = 0;

	if (c->ct == NULL)
		return;
	if ((sel = calloc(c->walk.nranges + 1, sizeof(*sel))) == NULL) {
		log_warnx("contention: out of memory for %zu ranges",
		    c->walk.nranges);
		return;
	}
	for (i = 0; i < c->walk.nranges; i++)
		if (!is_own(c, c->walk.ranges[i].map_id))
			sel[n++] = c->walk.ranges[i];
	c->ranges_dropped = 0;
	if (n > pd->conf.range_budget) {
		c->ranges_dropped = n - pd->conf.range_budget;
		log_warnx("contention: %zu lock ranges, range-budget is %u: "
		    "%zu not tracked; raise range-budget", n,
		    pd->conf.range_budget, c->ranges_dropped);
		n = pd->conf.range_budget;
	}
	if (contention_set_ranges(c->ct, sel, n, c->ct_error,
	    sizeof(c->ct_error)) == -1)
		log_warnx("contention: %s", c->ct_error);
	else {
		c->ct_error[0] = '\0';
		c->ranges_tracked = n;
	}
	free(sel);
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
	track(pd);
	malloc_trim(0);		/* the walker's load parsed BTF again */
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

static void
attach_contention(struct privd *pd)
{
	struct collector *c = pd->collector;
	struct contention_opts o;

	memset(&o, 0, sizeof(o));
	o.assets = &pd->assets;
	o.max_ranges = pd->conf.range_budget;
	if ((c->ct = contention_open(&o, c->ct_error,
	    sizeof(c->ct_error))) == NULL ||
	    contention_attach(c->ct, c->ct_error, sizeof(c->ct_error)) == -1) {
		log_warnx("contention: %s", c->ct_error);
		if (c->ct != NULL)
			contention_destroy(c->ct);
		c->ct = NULL;
		return;
	}
	c->nown = contention_own_maps(c->ct, c->own, 32);
	if (c->nown > 32) {
		log_warnx("contention: %zu maps of its own, 32 expected",
		    c->nown);
		c->nown = 32;
	}
	log_info("contention programs attached (range budget %u)",
	    pd->conf.range_budget);
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
	/* what the operator waits for first: the programs attached and the
	 * maps tracked; then the calibration (well under a second) */
	attach_contention(pd);
	resolve_ksyms(pd);
	walk(pd);
	calibrate(pd);
	collector_reschedule(pd);
	/* libbpf parsed the kernel's BTF (megabytes) for each load and freed
	 * it; give that memory back instead of keeping it resident */
	malloc_trim(0);
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
	uint32_t offset = q->has_offset ? q->offset : 0;
	size_t nrows = 0, i, room, used;
	char err[512];

	memset(&st, 0, sizeof(st));
	sr.n_classes = collector_observability(pd, obs, obs_ptrs);
	sr.classes = obs_ptrs;
	sr.ranges_tracked = c->ranges_tracked;
	sr.ranges_dropped = c->ranges_dropped;
	if (c->ct == NULL)
		sr.error = c->ct_error;
	else if (contention_read_stats(c->ct, &st, err, sizeof(err)) == -1)
		sr.error = err;
	else if ((rows = stat_rows(pd, &st, only, &nrows)) == NULL &&
	    nrows != 0)
		sr.error = (char *)(uintptr_t)"out of memory";
	sr.total = (uint32_t)nrows;
	sr.offset = offset;

	/* hot buckets, then as many rows from offset as fit a datagram */
	if (st.nhot > 0 && offset == 0 &&
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
	if (nrows > offset &&
	    (stat_ptrs = calloc(nrows - offset, sizeof(*stat_ptrs))) != NULL) {
		used = lockprobe__stats_reply__get_packed_size(&sr) + 64;
		room = IPC_MAX_PAYLOAD - 1024;
		for (i = offset; i < nrows; i++) {
			rows[i].msg.n_hist = CT_HIST_SLOTS;
			rows[i].msg.hist = rows[i].hist;
			used += lockprobe__lock_stat__get_packed_size(
			    &rows[i].msg) + 8;
			if (used > room)
				break;
			stat_ptrs[sr.n_stats++] = &rows[i].msg;
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
