/*
 * The map walker, user side: loads bpf/mapwalk.bpf.c, runs the iterator
 * once, and turns its records into sorted lock ranges.  Per-CPU locks are
 * expanded for every possible CPU with the per-CPU offsets the program
 * measured on its own per-CPU array (see bpf/mapwalk.bpf.c).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "assets.h"
#include "bpfutil.h"
#include "clock.h"
#include "log.h"
#include "mapwalk.h"
/* The generated skeleton casts its embedded ELF bytes' const away. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#include "mapwalk.skel.h"
#pragma GCC diagnostic pop

#define OWN_MAPS_MAX	8

struct recbuf {
	unsigned char	*data;
	size_t		 len;
	size_t		 cap;
};

static const char *const kind_names[MW_LOCK__MAX] = {
	[MW_LOCK_NONE] =		"none",
	[MW_LOCK_HTAB_BUCKET] =		"htab_bucket",
	[MW_LOCK_FREELIST_PCPU] =	"freelist_percpu",
	[MW_LOCK_FREELIST_GLOBAL] =	"freelist_global",
	[MW_LOCK_LRU_GLOBAL] =		"lru_global",
	[MW_LOCK_LRU_LOCAL_PCPU] =	"lru_local_percpu",
	[MW_LOCK_LRU_LIST_PCPU] =	"lru_list_percpu",
	[MW_LOCK_RINGBUF_SPIN] =	"ringbuf_spinlock",
	[MW_LOCK_RINGBUF_WAITQ] =	"ringbuf_waitq",
	[MW_LOCK_QUEUE_STACK] =		"queue_stack",
	[MW_LOCK_LPM_TRIE] =		"lpm_trie",
	[MW_LOCK_STORAGE_BUCKET] =	"local_storage_bucket",
	[MW_LOCK_CGROUP_STORAGE] =	"cgroup_storage",
	[MW_LOCK_SOCKMAP] =		"sockmap",
	[MW_LOCK_SOCKHASH_BUCKET] =	"sockhash_bucket",
	[MW_LOCK_DEVMAP_HASH] =		"devmap_hash",
	[MW_LOCK_XSKMAP] =		"xskmap",
	[MW_LOCK_PROG_ARRAY_POKE] =	"prog_array_poke_mutex",
	[MW_LOCK_MAP_OWNER] =		"map_owner",
	[MW_LOCK_STRUCT_OPS] =		"struct_ops_mutex",
	[MW_LOCK_ARENA] =		"arena_mutex",
	[MW_LOCK_FREEZE_MUTEX] =	"freeze_mutex",
};

const char *
mapwalk_lock_kind_name(unsigned int kind)
{
	if (kind >= MW_LOCK__MAX || kind_names[kind] == NULL)
		return "unknown";
	return kind_names[kind];
}

const char *
mapwalk_map_type_name(unsigned int type)
{
	const char *s = libbpf_bpf_map_type_str((enum bpf_map_type)type);

	if (s != NULL)
		return s;
	switch (type) {		/* newer than this libbpf */
	case 32:
		return "cgrp_storage";
	case 33:
		return "arena";
	default:
		return "unknown";
	}
}

/* Why a map of this type has no lock of its own (NULL: it should have). */
static const char *
no_lock_reason(unsigned int type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		return "no internal lock: elements are updated in place";
	case BPF_MAP_TYPE_DEVMAP:
		return "no internal lock: entries are swapped with xchg";
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return "no internal lock: atomic bit operations";
	case BPF_MAP_TYPE_CPUMAP:
		return "locks belong to per-entry ptr_rings, not to the map";
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
		return "uses the kernel-wide reuseport_lock, not a map lock";
	default:
		return NULL;
	}
}

/* The attribute tells clang's -Wformat-nonliteral that fmt is libbpf's. */
static int	libbpf_print_debug(enum libbpf_print_level, const char *,
		    va_list) __attribute__((format(printf, 2, 0)));

static int
libbpf_print_debug(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	(void)level;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0)
		log_debug("%s", buf);	/* libbpf prefixes "libbpf: " */
	return 0;
}

void
collector_libbpf_log_init(void)
{
	libbpf_set_print(libbpf_print_debug);
}

static int
recbuf_read_all(struct recbuf *rb, int fd)
{
	unsigned char *p;
	ssize_t n;

	for (;;) {
		if (rb->cap - rb->len < 16384) {
			size_t ncap = rb->cap ? rb->cap * 2 : 65536;

			if ((p = realloc(rb->data, ncap)) == NULL)
				return -1;
			rb->data = p;
			rb->cap = ncap;
		}
		n = read(fd, rb->data + rb->len, rb->cap - rb->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		rb->len += (size_t)n;
	}
}

static int
cmp_range(const void *a, const void *b)
{
	const struct mapwalk_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

static int
cmp_map(const void *a, const void *b)
{
	const struct mapwalk_map *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

const struct mapwalk_map *
mapwalk_map_by_id(const struct mapwalk_result *res, uint32_t id)
{
	struct mapwalk_map key;

	if (res->nmaps == 0)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.id = id;
	return bsearch(&key, res->maps, res->nmaps, sizeof(key), cmp_map);
}

const struct mapwalk_range *
mapwalk_find(const struct mapwalk_result *res, uint64_t addr)
{
	size_t lo = 0, hi = res->nranges, mid;
	const struct mapwalk_range *r;

	/* The last range whose start is <= addr. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (res->ranges[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	r = &res->ranges[lo - 1];
	return addr - r->start < r->len ? r : NULL;
}

long
mapwalk_elem_index(const struct mapwalk_range *r, uint64_t addr)
{
	if (r == NULL || r->stride == 0 || addr < r->start ||
	    addr - r->start >= r->len)
		return -1;
	return (long)((addr - r->start) / r->stride);
}

void
mapwalk_free(struct mapwalk_result *res)
{
	if (res == NULL)
		return;
	free(res->ranges);
	free(res->maps);
	free(res->cpu_off);
	memset(res, 0, sizeof(*res));
}

static int
is_own_map(const uint32_t *own, size_t nown, uint32_t id)
{
	size_t i;

	for (i = 0; i < nown; i++)
		if (own[i] == id)
			return 1;
	return 0;
}

/* Turn the raw records into out->maps and out->ranges. */
static int
build_result(struct mapwalk_result *out, const struct recbuf *rb,
    const uint32_t *own, size_t nown, char *err, size_t errlen)
{
	const struct mapwalk_rec *recs = (const void *)rb->data;
	size_t nrec = rb->len / sizeof(*recs), i, nmaps = 0, nranges = 0;
	struct mapwalk_range *rg;
	struct mapwalk_map *m;
	unsigned int c;

	if (rb->len % sizeof(*recs) != 0) {
		snprintf(err, errlen, "map walker: %zu bytes of output is not "
		    "a whole number of %zu-byte records", rb->len, sizeof(*recs));
		return -1;
	}
	for (i = 0; i < nrec; i++) {
		if (is_own_map(own, nown, recs[i].map_id))
			continue;
		if (recs[i].rec_type == MW_REC_MAP)
			nmaps++;
		else if (recs[i].rec_type == MW_REC_LOCK)
			nranges += (recs[i].flags & MW_F_PERCPU) ? out->ncpus : 1;
	}
	out->maps = calloc(nmaps ? nmaps : 1, sizeof(*out->maps));
	out->ranges = calloc(nranges ? nranges : 1, sizeof(*out->ranges));
	if (out->maps == NULL || out->ranges == NULL) {
		snprintf(err, errlen, "map walker: out of memory for %zu maps "
		    "and %zu ranges", nmaps, nranges);
		return -1;
	}
	for (i = 0; i < nrec; i++) {
		const struct mapwalk_rec *r = &recs[i];

		if (is_own_map(own, nown, r->map_id))
			continue;
		if (r->rec_type == MW_REC_MAP) {
			m = &out->maps[out->nmaps++];
			m->id = r->map_id;
			m->type = r->map_type;
			m->map_flags = r->map_flags;
			m->max_entries = (uint32_t)r->count;
			m->kaddr = r->start;
			memcpy(m->name, r->name, sizeof(m->name));
			m->name[sizeof(m->name) - 1] = '\0';
			m->nlocks = r->nlocks;
			m->covered = r->nlocks > 0;
			if (m->covered)
				m->why = NULL;
			else if (!(r->flags & MW_MAPF_KNOWN))
				m->why = "map type unknown to the walker";
			else if ((m->why = no_lock_reason(r->map_type)) == NULL)
				m->why = "lock structures not found "
				    "(map being created or freed?)";
			continue;
		}
		if (r->rec_type != MW_REC_LOCK)
			continue;
		for (c = 0; c < ((r->flags & MW_F_PERCPU) ? out->ncpus : 1); c++) {
			rg = &out->ranges[out->nranges++];
			rg->start = r->start;
			rg->cpu = -1;
			if (r->flags & MW_F_PERCPU) {
				rg->start += out->cpu_off[c];
				rg->cpu = (int)c;
			}
			rg->len = r->len;
			rg->stride = r->stride;
			rg->count = r->count;
			rg->lock_off = r->lock_off;
			rg->lock_size = r->lock_size;
			rg->map_id = r->map_id;
			rg->map_type = r->map_type;
			rg->kind = r->kind;
			rg->flags = r->flags;
			memcpy(rg->map_name, r->name, sizeof(rg->map_name));
			rg->map_name[sizeof(rg->map_name) - 1] = '\0';
		}
	}
	qsort(out->ranges, out->nranges, sizeof(*out->ranges), cmp_range);
	qsort(out->maps, out->nmaps, sizeof(*out->maps), cmp_map);
	for (i = 0; i < out->nranges; i++) {
		/* ranges of a map whose MAP record was lost still count */
		struct mapwalk_map *mm;

		mm = (struct mapwalk_map *)(uintptr_t)mapwalk_map_by_id(out,
		    out->ranges[i].map_id);
		if (mm != NULL)
			mm->nranges++;
	}
	return 0;
}

struct mapwalker {
	struct mapwalk_bpf	*skel;
	struct bpf_link		*link;
	uint32_t		 own[OWN_MAPS_MAX];
	size_t			 nown;
	uint64_t		 load_ns;	/* not yet reported */
};

void
mapwalker_close(struct mapwalker *w)
{
	if (w == NULL)
		return;
	bpf_link__destroy(w->link);
	mapwalk_bpf__destroy(w->skel);
	free(w);
}

struct mapwalker *
mapwalker_open(struct assets *a, char *err, size_t errlen)
{
	struct mapwalker *w;
	struct bpf_map *bm;
	uint64_t t0;
	int e;

	collector_libbpf_log_init();
	t0 = monotonic_ns();
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->skel = calloc(1, sizeof(*w->skel))) == NULL ||
	    mapwalk_bpf__create_skeleton(w->skel) != 0) {
		snprintf(err, errlen, "map walker: out of memory");
		goto fail;
	}
	if (asset_open(a, MAPWALK_ASSET, w->skel->skeleton, err, errlen) == -1 ||
	    asset_load(a, MAPWALK_ASSET, w->skel->skeleton, err, errlen) == -1)
		goto fail;
	bpf_object__for_each_map(bm, w->skel->obj) {
		if (w->nown < OWN_MAPS_MAX &&
		    bpf_map_id_of_fd(bpf_map__fd(bm), &w->own[w->nown]) == 0)
			w->nown++;
	}
	if (bpf_map_id_of_fd(bpf_map__fd(w->skel->maps.mw_pcpu),
	    &w->skel->bss->self_pcpu_id) != 0) {
		e = errno;
		snprintf(err, errlen, "map walker: id of its per-CPU array: %s",
		    strerror(e));
		goto fail;
	}
	if ((w->link = bpf_program__attach_iter(w->skel->progs.mapwalk,
	    NULL)) == NULL) {
		e = errno;
		snprintf(err, errlen, "map walker: attaching the bpf_map "
		    "iterator: %s", strerror(e));
		goto fail;
	}
	w->load_ns = monotonic_ns() - t0;
	return w;
fail:
	mapwalker_close(w);
	return NULL;
}

int
mapwalker_run(struct mapwalker *w, struct mapwalk_result *out, char *err,
    size_t errlen)
{
	struct recbuf rb = { NULL, 0, 0 };
	unsigned int c;
	uint64_t t1;
	int iter_fd = -1, rc = -1, e;

	memset(out, 0, sizeof(*out));
	out->load_ns = w->load_ns;
	w->load_ns = 0;
	t1 = monotonic_ns();
	/* set by this walk's final call, or the check below fails */
	w->skel->bss->self_pptr = 0;
	w->skel->bss->ncpu_ptrs = 0;
	if ((iter_fd = bpf_iter_create(bpf_link__fd(w->link))) < 0) {
		e = errno;
		snprintf(err, errlen, "map walker: creating the iterator: %s",
		    strerror(e));
		goto done;
	}
	if (recbuf_read_all(&rb, iter_fd) != 0) {
		e = errno;
		snprintf(err, errlen, "map walker: reading the iterator: %s",
		    strerror(e));
		goto done;
	}

	if (w->skel->bss->self_pptr == 0 || w->skel->bss->ncpu_ptrs == 0 ||
	    w->skel->bss->ncpu_ptrs > MW_MAX_CPUS) {
		snprintf(err, errlen, "map walker: per-CPU offsets not found "
		    "(own array seen: %s, CPUs: %u)",
		    w->skel->bss->self_pptr ? "yes" : "no",
		    w->skel->bss->ncpu_ptrs);
		goto done;
	}
	out->ncpus = w->skel->bss->ncpu_ptrs;
	if ((out->cpu_off = calloc(out->ncpus, sizeof(*out->cpu_off))) == NULL) {
		snprintf(err, errlen, "map walker: out of memory");
		goto done;
	}
	for (c = 0; c < out->ncpus; c++)
		out->cpu_off[c] = w->skel->bss->cpu_ptr[c] -
		    w->skel->bss->self_pptr;

	if (build_result(out, &rb, w->own, w->nown, err, errlen) != 0)
		goto done;
	out->walk_ns = monotonic_ns() - t1;
	log_debug("map walker: %zu maps, %zu lock ranges, %u CPUs; load %.3f ms, "
	    "walk %.3f ms", out->nmaps, out->nranges, out->ncpus,
	    out->load_ns / 1e6, out->walk_ns / 1e6);
	rc = 0;
done:
	if (iter_fd >= 0)
		close(iter_fd);
	free(rb.data);
	if (rc != 0)
		mapwalk_free(out);
	return rc;
}

int
mapwalk_run(struct assets *a, struct mapwalk_result *out, char *err,
    size_t errlen)
{
	struct mapwalker *w;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((w = mapwalker_open(a, err, errlen)) == NULL)
		return -1;
	rc = mapwalker_run(w, out, err, errlen);
	mapwalker_close(w);
	return rc;
}
