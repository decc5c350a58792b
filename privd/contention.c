/*
 * The contention collector, user side (see privd/contention.h and the
 * comment at the top of bpf/contention.bpf.c).
 *
 * Switching the tracked set: the index buckets and the range table are
 * mmapped arrays holding two generations each.  contention_set_ranges()
 * builds the new index, writes it into the generation the programs do not
 * use, and flips ct_gen with a release store.  A program that read the
 * old ct_gen just before the flip finishes its lookup on intact old data;
 * the old generation is rewritten only by the next switch, which waits at
 * least CT_SWITCH_GRACE_MS after this one (BPF programs run for
 * nanoseconds to microseconds).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "log.h"
#include "assets.h"
#include "contention.h"
#include "rangeidx.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#include "contention.skel.h"
#pragma GCC diagnostic pop

#define CT_SWITCH_GRACE_MS	20
#define CT_DEF_MAX_RANGES	16384
#define CT_DEF_MAX_STATS	16384
#define CT_DEF_MAX_HOT		4096
#define CT_DEF_MAX_WAITS	8192
#define CT_GRANULES_PER_RANGE	4

struct ct_mapinfo {
	uint32_t	id;
	uint32_t	type;
	char		name[MW_NAME_LEN];
};

struct contention {
	struct contention_bpf	*skel;
	struct contention_opts	 opts;
	uint32_t		 bits;
	int			 loaded;
	unsigned int		 generation;	/* switches so far */
	uint64_t		 last_switch_ns;
	size_t			 nranges;
	struct ct_mapinfo	*maps;		/* of the current set, by id */
	size_t			 nmaps;
};

static const char *const class_names[CT_CLASS__MAX] = {
	[CT_CLASS_SPIN] =		"spin",
	[CT_CLASS_RWLOCK_READ] =	"rwlock_read",
	[CT_CLASS_RWLOCK_WRITE] =	"rwlock_write",
	[CT_CLASS_MUTEX] =		"mutex",
	[CT_CLASS_RWSEM_READ] =		"rwsem_read",
	[CT_CLASS_RWSEM_WRITE] =	"rwsem_write",
	[CT_CLASS_RTMUTEX] =		"rt_mutex",
	[CT_CLASS_OTHER] =		"other",
};

const char *
contention_class_name(unsigned int c)
{
	return c < CT_CLASS__MAX ? class_names[c] : "unknown";
}

int
contention_class_sleeping(unsigned int c)
{
	return c == CT_CLASS_MUTEX || c == CT_CLASS_RWSEM_READ ||
	    c == CT_CLASS_RWSEM_WRITE || c == CT_CLASS_RTMUTEX;
}

struct contention *
contention_open(const struct contention_opts *opts, char *err, size_t errlen)
{
	struct contention *ct;
	int e;

	collector_libbpf_log_init();
	if ((ct = calloc(1, sizeof(*ct))) == NULL) {
		snprintf(err, errlen, "contention: out of memory");
		return NULL;
	}
	if (opts != NULL)
		ct->opts = *opts;
	if (ct->opts.max_ranges == 0)
		ct->opts.max_ranges = CT_DEF_MAX_RANGES;
	if (ct->opts.max_stats == 0)
		ct->opts.max_stats = CT_DEF_MAX_STATS;
	if (ct->opts.max_hot_maps == 0)
		ct->opts.max_hot_maps = CT_DEF_MAX_HOT;
	if (ct->opts.max_waits == 0)
		ct->opts.max_waits = CT_DEF_MAX_WAITS;
	if (ct->opts.max_ranges > RI_MAX_RANGES) {
		snprintf(err, errlen, "contention: max_ranges %u is above %u",
		    ct->opts.max_ranges, RI_MAX_RANGES);
		goto fail;
	}
	ct->bits = ct->opts.index_bits != 0 ? ct->opts.index_bits :
	    rangeidx_bits_for((size_t)ct->opts.max_ranges *
	    CT_GRANULES_PER_RANGE);
	if (ct->bits < RI_MIN_BITS || ct->bits > RI_MAX_BITS) {
		snprintf(err, errlen, "contention: index_bits %u is outside "
		    "[%u, %u]", ct->bits, RI_MIN_BITS, RI_MAX_BITS);
		goto fail;
	}
	if (ct->opts.assets == NULL) {
		snprintf(err, errlen, "contention: no assets to load from");
		goto fail;
	}
	if ((ct->skel = calloc(1, sizeof(*ct->skel))) == NULL ||
	    contention_bpf__create_skeleton(ct->skel) != 0) {
		snprintf(err, errlen, "contention: out of memory");
		goto fail;
	}
	if (asset_open(ct->opts.assets, CONTENTION_ASSET, ct->skel->skeleton,
	    err, errlen) == -1)
		goto fail;
	ct->skel->rodata->ct_bits = ct->bits;
	ct->skel->rodata->ct_maxr = ct->opts.max_ranges;
	if (bpf_map__set_max_entries(ct->skel->maps.ct_bkts,
	    2U << ct->bits) != 0 ||
	    bpf_map__set_max_entries(ct->skel->maps.ct_rids,
	    2 * ct->opts.max_ranges) != 0 ||
	    bpf_map__set_max_entries(ct->skel->maps.ct_stats,
	    ct->opts.max_stats) != 0 ||
	    bpf_map__set_max_entries(ct->skel->maps.ct_hotb,
	    ct->opts.max_hot_maps) != 0 ||
	    bpf_map__set_max_entries(ct->skel->maps.ct_pairs,
	    ct->opts.max_waits) != 0) {
		e = errno;
		snprintf(err, errlen, "contention: sizing the maps: %s",
		    strerror(e));
		goto fail;
	}
	return ct;
fail:
	contention_destroy(ct);
	return NULL;
}

int
contention_load(struct contention *ct, char *err, size_t errlen)
{
	if (ct->loaded)
		return 0;
	if (asset_load(ct->opts.assets, CONTENTION_ASSET, ct->skel->skeleton,
	    err, errlen) == -1)
		return -1;
	ct->loaded = 1;
	return 0;
}

int
contention_attach(struct contention *ct, char *err, size_t errlen)
{
	int e;

	if (!ct->loaded && contention_load(ct, err, errlen) != 0)
		return -1;
	if ((e = contention_bpf__attach(ct->skel)) != 0) {
		snprintf(err, errlen, "contention: attaching to "
		    "lock:contention_begin/end: %s", strerror(-e));
		return -1;
	}
	return 0;
}

static int
bucket_kind(uint32_t kind)
{
	return kind == MW_LOCK_HTAB_BUCKET || kind == MW_LOCK_STORAGE_BUCKET ||
	    kind == MW_LOCK_SOCKHASH_BUCKET;
}

static int
cmp_mapinfo(const void *a, const void *b)
{
	const struct ct_mapinfo *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static const struct ct_mapinfo *
mapinfo(const struct contention *ct, uint32_t id)
{
	struct ct_mapinfo key;

	if (ct->nmaps == 0)
		return NULL;
	key.id = id;
	return bsearch(&key, ct->maps, ct->nmaps, sizeof(key), cmp_mapinfo);
}

static void *
map_mmap(struct bpf_map *m, size_t len, char *err, size_t errlen)
{
	void *p;
	int e;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
	    bpf_map__fd(m), 0);
	if (p == MAP_FAILED) {
		e = errno;
		snprintf(err, errlen, "contention: mmap of %s: %s",
		    bpf_map__name(m), strerror(e));
		return NULL;
	}
	return p;
}

/* Drop stats and hot tables of maps that left the set. */
static void
prune(struct contention *ct)
{
	struct ct_key k, pk;
	uint32_t id, pid;
	int fd, have = 0;

	fd = bpf_map__fd(ct->skel->maps.ct_stats);
	while (bpf_map_get_next_key(fd, have ? &pk : NULL, &k) == 0) {
		if (mapinfo(ct, k.map_id) == NULL &&
		    bpf_map_delete_elem(fd, &k) == 0)
			continue;	/* the next key follows pk still */
		pk = k;
		have = 1;
	}
	fd = bpf_map__fd(ct->skel->maps.ct_hotb);
	have = 0;
	while (bpf_map_get_next_key(fd, have ? &pid : NULL, &id) == 0) {
		if (mapinfo(ct, id) == NULL &&
		    bpf_map_delete_elem(fd, &id) == 0)
			continue;
		pid = id;
		have = 1;
	}
}

int
contention_set_ranges(struct contention *ct, const struct mapwalk_range *r,
    size_t n, char *err, size_t errlen)
{
	struct ri_range *rr = NULL;
	struct ri_bucket *mb = NULL;
	struct ri_range *mr = NULL;
	struct ct_mapinfo *mi = NULL;
	struct rangeidx ix;
	size_t i, nmi = 0, blen, rlen;
	uint64_t t;
	uint32_t ng;
	int rc = -1;

	memset(&ix, 0, sizeof(ix));
	if (!ct->loaded) {
		snprintf(err, errlen, "contention: set_ranges before load");
		return -1;
	}
	if (n > ct->opts.max_ranges) {
		snprintf(err, errlen, "contention: %zu ranges, more than the "
		    "%u this collector was opened for (max_ranges)", n,
		    ct->opts.max_ranges);
		return -1;
	}
	if ((rr = calloc(n ? n : 1, sizeof(*rr))) == NULL ||
	    (mi = calloc(n ? n : 1, sizeof(*mi))) == NULL) {
		snprintf(err, errlen, "contention: out of memory for %zu "
		    "ranges", n);
		goto done;
	}
	for (i = 0; i < n; i++) {
		rr[i].start = r[i].start;
		rr[i].len = r[i].len;
		rr[i].stride = r[i].stride ? r[i].stride : r[i].len;
		rr[i].map_id = r[i].map_id;
		rr[i].kind = (uint16_t)r[i].kind;
		rr[i].flags = (uint16_t)((bucket_kind(r[i].kind) &&
		    r[i].count > 1 ? RI_RF_BUCKETS : 0) |
		    (r[i].flags & MW_F_SLEEPING ? RI_RF_SLEEPING : 0));
		if (nmi == 0 || mi[nmi - 1].id != r[i].map_id) {
			mi[nmi].id = r[i].map_id;
			mi[nmi].type = r[i].map_type;
			memcpy(mi[nmi].name, r[i].map_name, MW_NAME_LEN);
			mi[nmi].name[MW_NAME_LEN - 1] = '\0';
			nmi++;
		}
	}
	qsort(mi, nmi, sizeof(*mi), cmp_mapinfo);
	for (i = 1; i < nmi; ) {	/* unique ids */
		if (mi[i].id == mi[i - 1].id) {
			memmove(&mi[i], &mi[i + 1],
			    (nmi - i - 1) * sizeof(*mi));
			nmi--;
		} else
			i++;
	}
	if (rangeidx_build(&ix, rr, n, ct->bits, err, errlen) != 0)
		goto done;

	blen = sizeof(*mb) << (ct->bits + 1);
	rlen = sizeof(*mr) * 2 * (size_t)ct->opts.max_ranges;
	mb = map_mmap(ct->skel->maps.ct_bkts, blen, err, errlen);
	if (mb != NULL)
		mr = map_mmap(ct->skel->maps.ct_rids, rlen, err, errlen);
	if (mb == NULL || mr == NULL)
		goto done;

	/* the generation we overwrite was active until the last switch */
	t = monotonic_ns() - ct->last_switch_ns;
	if (ct->generation > 0 && t < CT_SWITCH_GRACE_MS * 1000000ULL)
		usleep((useconds_t)((CT_SWITCH_GRACE_MS * 1000000ULL - t) /
		    1000));
	ng = __atomic_load_n(&ct->skel->bss->ct_gen, __ATOMIC_ACQUIRE);
	ng = (ng & 1) ^ 1;
	memcpy(&mb[(size_t)ng << ct->bits], ix.bkts, sizeof(*mb) << ct->bits);
	memcpy(&mr[(size_t)ng * ct->opts.max_ranges], rr, n * sizeof(*rr));
	__atomic_store_n(&ct->skel->bss->ct_gen, ng, __ATOMIC_RELEASE);
	ct->last_switch_ns = monotonic_ns();
	ct->generation++;
	ct->nranges = n;

	free(ct->maps);
	ct->maps = mi;
	ct->nmaps = nmi;
	mi = NULL;
	prune(ct);
	log_debug("contention: tracking %zu ranges of %zu maps (generation "
	    "%u: %zu candidates, %.0f%% of slots, longest spill %u)", n,
	    ct->nmaps, ct->generation, ix.nentries, 100.0 * ix.nentries /
	    (RI_SLOTS * (double)(1UL << ct->bits)), ix.maxspan);
	rc = 0;
done:
	/* unmapped at once: the pages do not stay in our resident set */
	if (mb != NULL)
		munmap(mb, sizeof(*mb) << (ct->bits + 1));
	if (mr != NULL)
		munmap(mr, sizeof(*mr) * 2 * (size_t)ct->opts.max_ranges);
	rangeidx_free(&ix);
	free(rr);
	free(mi);
	return rc;
}

static int
cmp_stat(const void *a, const void *b)
{
	const struct contention_stat *x = a, *y = b;

	if (x->map_id != y->map_id)
		return x->map_id < y->map_id ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->lock_class < y->lock_class ? -1 :
	    x->lock_class > y->lock_class;
}

static int
cmp_hot(const void *a, const void *b)
{
	const struct contention_hot *x = a, *y = b;

	if (x->map_id != y->map_id)
		return x->map_id < y->map_id ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->bucket < y->bucket ? -1 : x->bucket > y->bucket;
}

const struct contention_stat *
contention_stat_find(const struct contention_stats *st, uint32_t map_id,
    uint32_t kind, uint32_t lock_class)
{
	struct contention_stat key;

	if (st->nstats == 0)
		return NULL;
	key.map_id = map_id;
	key.kind = kind;
	key.lock_class = lock_class;
	return bsearch(&key, st->stats, st->nstats, sizeof(key), cmp_stat);
}

/* Batch-read a whole hash map: keys and values in one pass. */
static int
read_hash(int fd, size_t ksz, size_t vsz, uint32_t max, void **keys,
    void **vals, size_t *n, char *err, size_t errlen, const char *what)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t batch, count;
	uint64_t in = 0, out = 0;
	int r, e, first = 1;

	*n = 0;
	*keys = calloc(max ? max : 1, ksz);
	*vals = calloc(max ? max : 1, vsz);
	if (*keys == NULL || *vals == NULL) {
		snprintf(err, errlen, "contention: out of memory for %s", what);
		return -1;
	}
	for (;;) {
		count = max - (uint32_t)*n;
		if (count == 0)
			break;
		batch = count;
		r = bpf_map_lookup_batch(fd, first ? NULL : &in, &out,
		    (char *)*keys + *n * ksz, (char *)*vals + *n * vsz, &batch,
		    &o);
		e = errno;
		*n += batch;
		first = 0;
		in = out;
		if (r != 0 && e == ENOENT)
			break;
		if (r != 0) {
			snprintf(err, errlen, "contention: reading %s: %s",
			    what, strerror(e));
			return -1;
		}
	}
	return 0;
}

int
contention_read_stats(struct contention *ct, struct contention_stats *out,
    char *err, size_t errlen)
{
	struct ct_key *keys = NULL;
	struct ct_stat *vals = NULL;
	uint32_t *hkeys = NULL;
	struct ct_hot *hvals = NULL;
	struct ct_counters *pc = NULL;
	const struct ct_mapinfo *m;
	struct contention_stat *s;
	size_t i, j, n = 0, nh = 0;
	uint32_t zero = 0;
	int ncpu, c, rc = -1;

	memset(out, 0, sizeof(*out));
	if (!ct->loaded) {
		snprintf(err, errlen, "contention: read_stats before load");
		return -1;
	}
	if (read_hash(bpf_map__fd(ct->skel->maps.ct_stats), sizeof(*keys),
	    sizeof(*vals), ct->opts.max_stats, (void **)&keys, (void **)&vals,
	    &n, err, errlen, "stats") != 0)
		goto done;
	if ((out->stats = calloc(n ? n : 1, sizeof(*out->stats))) == NULL) {
		snprintf(err, errlen, "contention: out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		s = &out->stats[out->nstats++];
		s->map_id = keys[i].map_id;
		s->kind = keys[i].kind;
		s->lock_class = keys[i].lclass;
		s->map_type = ~0U;
		if ((m = mapinfo(ct, s->map_id)) != NULL) {
			s->map_type = m->type;
			memcpy(s->map_name, m->name, sizeof(s->map_name));
		}
		s->count = vals[i].count;
		s->total_ns = vals[i].total_ns;
		s->min_ns = vals[i].count ? vals[i].min_ns : 0;
		s->max_ns = vals[i].max_ns;
		s->failed = vals[i].failed;
		s->begins = vals[i].begins;
		memcpy(s->hist, vals[i].hist, sizeof(s->hist));
	}
	qsort(out->stats, out->nstats, sizeof(*out->stats), cmp_stat);

	if (read_hash(bpf_map__fd(ct->skel->maps.ct_hotb), sizeof(*hkeys),
	    sizeof(*hvals), ct->opts.max_hot_maps, (void **)&hkeys,
	    (void **)&hvals, &nh, err, errlen, "hot buckets") != 0)
		goto done;
	if ((out->hot = calloc(nh * CT_TOPK + 1, sizeof(*out->hot))) == NULL) {
		snprintf(err, errlen, "contention: out of memory");
		goto done;
	}
	for (i = 0; i < nh; i++) {
		size_t first = out->nhot;

		for (j = 0; j < CT_TOPK; j++) {
			uint64_t v = hvals[i].slot[j];
			uint32_t b;
			size_t k;

			if (v == 0 || (v >> 32) == 0)
				continue;
			b = (uint32_t)((v >> 32) - 1);
			/* racing newcomers may have taken two slots */
			for (k = first; k < out->nhot; k++)
				if (out->hot[k].bucket == b)
					break;
			if (k == out->nhot) {
				out->hot[k].map_id = hkeys[i];
				out->hot[k].bucket = b;
				out->nhot++;
			}
			out->hot[k].count += v & 0xFFFFFFFFULL;
		}
	}
	qsort(out->hot, out->nhot, sizeof(*out->hot), cmp_hot);

	if ((ncpu = libbpf_num_possible_cpus()) <= 0 ||
	    (pc = calloc((size_t)ncpu, sizeof(*pc))) == NULL) {
		snprintf(err, errlen, "contention: counting CPUs");
		goto done;
	}
	if (bpf_map_lookup_elem(bpf_map__fd(ct->skel->maps.ct_cnt), &zero,
	    pc) != 0) {
		c = errno;
		snprintf(err, errlen, "contention: reading counters: %s",
		    strerror(c));
		goto done;
	}
	for (c = 0; c < ncpu; c++) {
		for (j = 0; j < CT_CNT__MAX; j++)
			out->cnt[j] += pc[c].c[j];
		for (j = 0; j < CT_CLASS__MAX; j++)
			out->begin_class[j] += pc[c].begin_class[j];
	}
	out->nranges = ct->nranges;
	out->generation = ct->generation;
	rc = 0;
done:
	free(keys);
	free(vals);
	free(hkeys);
	free(hvals);
	free(pc);
	if (rc != 0)
		contention_stats_free(out);
	return rc;
}

void
contention_stats_free(struct contention_stats *st)
{
	if (st == NULL)
		return;
	free(st->stats);
	free(st->hot);
	memset(st, 0, sizeof(*st));
}

size_t
contention_own_maps(const struct contention *ct, uint32_t *ids, size_t max)
{
	struct bpf_map_info info;
	struct bpf_map *m;
	uint32_t len;
	size_t n = 0;

	if (!ct->loaded)
		return 0;
	bpf_object__for_each_map(m, ct->skel->obj) {
		len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len) != 0)
			continue;
		if (n < max)
			ids[n] = info.id;
		n++;
	}
	return n;
}

void
contention_destroy(struct contention *ct)
{
	if (ct == NULL)
		return;
	contention_bpf__destroy(ct->skel);
	free(ct->maps);
	free(ct);
}
