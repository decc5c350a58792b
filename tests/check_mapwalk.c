/*
 * check_mapwalk: the map walker against the running kernel.  As root it
 * creates one map of every covered type, walks, and checks each map's lock
 * ranges: types, sizes and strides against the kernel's BTF, and the
 * addresses themselves against what the kernel keeps there (read back with
 * the test-only bpf/kread.bpf.c: self-pointing list heads of unlocked
 * mutexes and empty lists, hlist_nulls markers of empty hash buckets).
 *
 * Exit 0 all passed, 1 a failure, 77 skipped (not root, no BPF); with
 * CI=true a would-be skip fails instead.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <check.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "test_assets.h"
#include "testutil.h"
#include "../privd/mapwalk.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#include "kread.skel.h"
#pragma GCC diagnostic pop

#ifndef BPF_MAP_TYPE_ARENA
#define BPF_MAP_TYPE_ARENA	33
#endif
#define KADDR_MIN	0xffff800000000000ULL
#define MAXKINDS	4
#define KREAD_MAX	256

struct tmap {
	const char	*name;
	uint32_t	 type;
	uint32_t	 key, value, max, flags;
	int		 optional;	/* may be missing from the kernel */
	int		 nokinds;	/* no lock of its own expected */
	uint32_t	 kinds[MAXKINDS];
	int		 fd;
	uint32_t	 id;
};

static struct tmap tmaps[] = {
	{ "lp_hash", BPF_MAP_TYPE_HASH, 4, 8, 100, 0, 0, 0,
	    { MW_LOCK_HTAB_BUCKET, MW_LOCK_FREELIST_PCPU }, -1, 0 },
	{ "lp_hash_np", BPF_MAP_TYPE_HASH, 4, 8, 100, BPF_F_NO_PREALLOC, 0, 0,
	    { MW_LOCK_HTAB_BUCKET }, -1, 0 },
	{ "lp_pcpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 64, 0, 0, 0,
	    { MW_LOCK_HTAB_BUCKET, MW_LOCK_FREELIST_PCPU }, -1, 0 },
	{ "lp_lru", BPF_MAP_TYPE_LRU_HASH, 4, 8, 100, 0, 0, 0,
	    { MW_LOCK_HTAB_BUCKET, MW_LOCK_LRU_GLOBAL, MW_LOCK_LRU_LOCAL_PCPU },
	    -1, 0 },
	{ "lp_lru_nc", BPF_MAP_TYPE_LRU_HASH, 4, 8, 100, BPF_F_NO_COMMON_LRU,
	    0, 0, { MW_LOCK_HTAB_BUCKET, MW_LOCK_LRU_LIST_PCPU }, -1, 0 },
	{ "lp_lru_pcpu", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 100, 0, 0, 0,
	    { MW_LOCK_HTAB_BUCKET, MW_LOCK_LRU_GLOBAL, MW_LOCK_LRU_LOCAL_PCPU },
	    -1, 0 },
	{ "lp_hofm", BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 8, 0, 0, 0,
	    { MW_LOCK_HTAB_BUCKET, MW_LOCK_FREELIST_PCPU }, -1, 0 },
	{ "lp_ringbuf", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 0, 0,
	    { MW_LOCK_RINGBUF_SPIN, MW_LOCK_RINGBUF_WAITQ }, -1, 0 },
	{ "lp_uringbuf", BPF_MAP_TYPE_USER_RINGBUF, 0, 0, 4096, 0, 0, 0,
	    { MW_LOCK_RINGBUF_WAITQ }, -1, 0 },
	{ "lp_queue", BPF_MAP_TYPE_QUEUE, 0, 8, 16, 0, 0, 0,
	    { MW_LOCK_QUEUE_STACK }, -1, 0 },
	{ "lp_stack", BPF_MAP_TYPE_STACK, 0, 8, 16, 0, 0, 0,
	    { MW_LOCK_QUEUE_STACK }, -1, 0 },
	{ "lp_lpm", BPF_MAP_TYPE_LPM_TRIE, 8, 8, 16, BPF_F_NO_PREALLOC, 0, 0,
	    { MW_LOCK_LPM_TRIE }, -1, 0 },
	{ "lp_stacktrace", BPF_MAP_TYPE_STACK_TRACE, 4, 64, 16, 0, 0, 0,
	    { MW_LOCK_FREELIST_PCPU }, -1, 0 },
	{ "lp_cgstorage", BPF_MAP_TYPE_CGROUP_STORAGE,
	    sizeof(struct bpf_cgroup_storage_key), 8, 0, 0, 0, 0,
	    { MW_LOCK_CGROUP_STORAGE }, -1, 0 },
	{ "lp_sockmap", BPF_MAP_TYPE_SOCKMAP, 4, 4, 4, 0, 0, 0,
	    { MW_LOCK_SOCKMAP }, -1, 0 },
	{ "lp_sockhash", BPF_MAP_TYPE_SOCKHASH, 4, 4, 4, 0, 0, 0,
	    { MW_LOCK_SOCKHASH_BUCKET }, -1, 0 },
	{ "lp_devmap_hash", BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 4, 0, 0, 0,
	    { MW_LOCK_DEVMAP_HASH }, -1, 0 },
	{ "lp_xskmap", BPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0, 0, 0,
	    { MW_LOCK_XSKMAP }, -1, 0 },
	{ "lp_progarray", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0, 0,
	    { MW_LOCK_PROG_ARRAY_POKE, MW_LOCK_MAP_OWNER }, -1, 0 },
	{ "lp_sk_storage", BPF_MAP_TYPE_SK_STORAGE, 4, 4, 0, BPF_F_NO_PREALLOC,
	    0, 0, { MW_LOCK_STORAGE_BUCKET }, -1, 0 },
	{ "lp_task_stor", BPF_MAP_TYPE_TASK_STORAGE, 4, 4, 0, BPF_F_NO_PREALLOC,
	    0, 0, { MW_LOCK_STORAGE_BUCKET }, -1, 0 },
	{ "lp_arena", BPF_MAP_TYPE_ARENA, 0, 0, 1, BPF_F_MMAPABLE, 1, 0,
	    { MW_LOCK_ARENA }, -1, 0 },
	{ "lp_array", BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0, 1, { 0 }, -1, 0 },
	{ "lp_bloom", BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 16, 0, 0, 1, { 0 },
	    -1, 0 },
};
#define NTMAPS	(sizeof(tmaps) / sizeof(tmaps[0]))

static struct btf	*vmlinux_btf;
static int		 inner_fd = -1, btf_fd = -1;
static uint32_t		 btf_int_id;
static int		 ncpus;
static struct assets	 assets;

/* Byte offset of member mname of struct sname in the kernel's BTF, or -1. */
static long
member_off(const char *sname, const char *mname)
{
	const struct btf_type *t;
	const struct btf_member *m;
	int id, i;

	id = btf__find_by_name_kind(vmlinux_btf, sname, BTF_KIND_STRUCT);
	if (id < 0)
		return -1;
	t = btf__type_by_id(vmlinux_btf, (uint32_t)id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++)
		if (strcmp(btf__name_by_offset(vmlinux_btf, m->name_off),
		    mname) == 0)
			return (long)(btf_member_bit_offset(t, (uint32_t)i) / 8);
	return -1;
}

static long
struct_size(const char *sname)
{
	int id = btf__find_by_name_kind(vmlinux_btf, sname, BTF_KIND_STRUCT);

	return id < 0 ? -1 : (long)btf__resolve_size(vmlinux_btf, (uint32_t)id);
}

static int
create_map(struct tmap *m)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	o.map_flags = m->flags;
	if (m->type == BPF_MAP_TYPE_HASH_OF_MAPS)
		o.inner_map_fd = inner_fd;
	if (m->type == BPF_MAP_TYPE_SK_STORAGE ||
	    m->type == BPF_MAP_TYPE_TASK_STORAGE) {
		o.btf_fd = btf_fd;
		o.btf_key_type_id = btf_int_id;
		o.btf_value_type_id = btf_int_id;
	}
	m->fd = bpf_map_create(m->type, m->name, m->key, m->value, m->max, &o);
	if (m->fd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(m->fd, &info, &len) != 0)
		return -1;
	m->id = info.id;
	return 0;
}

static uint64_t
roundup_pow2(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static struct mapwalk_result
walk(void)
{
	struct mapwalk_result r;
	char err[512];

	if (mapwalk_run(&assets, &r, err, sizeof(err)) != 0)
		ck_abort_msg("mapwalk_run: %s", err);
	return r;
}

/* Read 8 bytes at each address with the test-only kread iterator. */
static void
kread(const uint64_t *addrs, uint64_t *vals, size_t n)
{
	struct kread_bpf *skel;
	struct bpf_link *link;
	char buf[64];
	size_t i;
	int fd;

	ck_assert_uint_le(n, KREAD_MAX);
	skel = kread_bpf__open_and_load();
	ck_assert_msg(skel != NULL, "kread: load: %s", strerror(errno));
	for (i = 0; i < n; i++)
		skel->bss->addrs[i] = addrs[i];
	skel->bss->naddrs = (uint32_t)n;
	link = bpf_program__attach_iter(skel->progs.kread, NULL);
	ck_assert_msg(link != NULL, "kread: attach: %s", strerror(errno));
	fd = bpf_iter_create(bpf_link__fd(link));
	ck_assert_msg(fd >= 0, "kread: iter: %s", strerror(errno));
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	for (i = 0; i < n; i++) {
		ck_assert_msg(skel->bss->errs[i] == 0, "kread of %#llx: %d",
		    (unsigned long long)addrs[i], skel->bss->errs[i]);
		vals[i] = skel->bss->vals[i];
	}
	bpf_link__destroy(link);
	kread_bpf__destroy(skel);
}

static size_t
ranges_of(const struct mapwalk_result *r, uint32_t id, uint32_t kind,
    const struct mapwalk_range **out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < r->nranges; i++)
		if (r->ranges[i].map_id == id && r->ranges[i].kind == kind) {
			if (n < max)
				out[n] = &r->ranges[i];
			n++;
		}
	return n;
}

START_TEST(test_every_type)
{
	struct mapwalk_result r = walk();
	const struct mapwalk_range *rg[64];
	const struct mapwalk_map *mm;
	int has_extralist = member_off("pcpu_freelist", "extralist") >= 0;
	size_t i, k, n, c;

	ck_assert_int_eq((int)r.ncpus, ncpus);
	for (i = 0; i < NTMAPS; i++) {
		struct tmap *t = &tmaps[i];

		if (t->fd < 0)
			continue;
		mm = mapwalk_map_by_id(&r, t->id);
		ck_assert_msg(mm != NULL, "%s (id %u) not found", t->name, t->id);
		ck_assert_uint_eq(mm->type, t->type);
		ck_assert_str_eq(mm->name, t->name);
		ck_assert_uint_ge(mm->kaddr, KADDR_MIN);
		/* every map: its freeze_mutex */
		n = ranges_of(&r, t->id, MW_LOCK_FREEZE_MUTEX, rg, 64);
		ck_assert_msg(n == 1, "%s: %zu freeze_mutex ranges", t->name, n);
		ck_assert_uint_eq(rg[0]->len, (uint64_t)struct_size("mutex"));
		ck_assert(rg[0]->flags & MW_F_SLEEPING);
		if (t->nokinds) {
			ck_assert_msg(!mm->covered && mm->why != NULL,
			    "%s should report no lock of its own", t->name);
			printf("  %-14s id %-4u %-16s not covered: %s\n", t->name,
			    t->id, mapwalk_map_type_name(t->type), mm->why);
			/* for the kernel matrix's table (tests/kernels/) */
			printf("LPFACT map.%s %s not covered: %s\n", t->name,
			    mapwalk_map_type_name(t->type), mm->why);
			continue;
		}
		ck_assert_msg(mm->covered, "%s not covered: %s", t->name,
		    mm->why ? mm->why : "?");
		for (k = 0; k < MAXKINDS && t->kinds[k] != 0; k++) {
			int percpu = t->kinds[k] == MW_LOCK_FREELIST_PCPU ||
			    t->kinds[k] == MW_LOCK_LRU_LOCAL_PCPU ||
			    t->kinds[k] == MW_LOCK_LRU_LIST_PCPU;

			n = ranges_of(&r, t->id, t->kinds[k], rg, 64);
			ck_assert_msg(n == (percpu ? (size_t)ncpus : 1),
			    "%s: %zu ranges of kind %s", t->name, n,
			    mapwalk_lock_kind_name(t->kinds[k]));
			for (c = 0; c < n; c++) {
				ck_assert_uint_ge(rg[c]->start, KADDR_MIN);
				ck_assert_uint_gt(rg[c]->len, 0);
				ck_assert_uint_gt(rg[c]->lock_size, 0);
				ck_assert_uint_eq(rg[c]->len,
				    rg[c]->stride * rg[c]->count);
				ck_assert_uint_le(rg[c]->lock_off +
				    rg[c]->lock_size, rg[c]->stride);
				ck_assert_int_eq(rg[c]->cpu, percpu ? (int)c : -1);
				ck_assert_str_eq(rg[c]->map_name, t->name);
			}
			printf("  %-14s id %-4u %-16s %-18s %#llx +%llu%s\n",
			    t->name, t->id, mapwalk_map_type_name(t->type),
			    mapwalk_lock_kind_name(t->kinds[k]),
			    (unsigned long long)rg[0]->start,
			    (unsigned long long)rg[0]->len,
			    percpu ? " (CPU 0)" : "");
		}
		printf("LPFACT map.%s %s covered:", t->name,
		    mapwalk_map_type_name(t->type));
		for (k = 0; k < MAXKINDS && t->kinds[k] != 0; k++)
			printf(" %s", mapwalk_lock_kind_name(t->kinds[k]));
		printf("\n");
		if (has_extralist && (t->kinds[1] == MW_LOCK_FREELIST_PCPU ||
		    t->type == BPF_MAP_TYPE_STACK_TRACE))
			ck_assert_uint_eq(ranges_of(&r, t->id,
			    MW_LOCK_FREELIST_GLOBAL, rg, 64), 1);
		if (t->type == BPF_MAP_TYPE_HASH ||
		    t->type == BPF_MAP_TYPE_LRU_HASH ||
		    t->type == BPF_MAP_TYPE_PERCPU_HASH ||
		    t->type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
		    t->type == BPF_MAP_TYPE_HASH_OF_MAPS) {
			/* n buckets x sizeof(struct bucket), lock at raw_lock */
			ck_assert_uint_eq(ranges_of(&r, t->id,
			    MW_LOCK_HTAB_BUCKET, rg, 64), 1);
			ck_assert_uint_eq(rg[0]->count, roundup_pow2(t->max));
			ck_assert_uint_eq(rg[0]->stride,
			    (uint64_t)struct_size("bucket"));
			ck_assert_uint_eq(rg[0]->len,
			    rg[0]->count * (uint64_t)struct_size("bucket"));
			ck_assert_uint_eq(rg[0]->lock_off,
			    (uint64_t)member_off("bucket", "raw_lock"));
		}
	}
	/* no two ranges overlap */
	for (i = 1; i < r.nranges; i++)
		ck_assert_msg(r.ranges[i - 1].start + r.ranges[i - 1].len <=
		    r.ranges[i].start, "ranges %zu and %zu overlap", i - 1, i);
	printf("  %zu maps, %zu ranges, %u CPUs; load %.2f ms, walk %.3f ms\n",
	    r.nmaps, r.nranges, r.ncpus, r.load_ns / 1e6, r.walk_ns / 1e6);
	mapwalk_free(&r);
}
END_TEST

/* Check addresses against kernel memory: see the file comment. */
START_TEST(test_kernel_memory)
{
	struct mapwalk_result r = walk();
	const struct mapwalk_range *rg[64];
	uint64_t addrs[KREAD_MAX], vals[KREAD_MAX], expect[KREAD_MAX];
	uint64_t mask[KREAD_MAX];
	const char *what[KREAD_MAX];
	long wl = member_off("mutex", "wait_list");
	long wq_lock = member_off("wait_queue_head", "lock");
	long wq_head = member_off("wait_queue_head", "head");
	long ll_lock = member_off("bpf_lru_locallist", "lock");
	long ll_list = member_off("bpf_lru_locallist", "pending_list");
	long l_lock = member_off("bpf_lru_list", "lock");
	long l_lists = member_off("bpf_lru_list", "lists");
	long fh_lock = member_off("pcpu_freelist_head", "lock");
	long fh_first = member_off("pcpu_freelist_head", "first");
	size_t i, n = 0, k, c;

	if (ll_list < 0)	/* older kernels: lists[] */
		ll_list = member_off("bpf_lru_locallist", "lists");
	ck_assert(wq_lock >= 0 && wq_head >= 0 && ll_lock >= 0 &&
	    ll_list >= 0 && l_lock >= 0 && l_lists >= 0 && fh_lock >= 0 &&
	    fh_first >= 0);
#define SELF(a, w) do { addrs[n] = (a); expect[n] = (a); mask[n] = ~0ULL; \
	what[n] = (w); n++; } while (0)
	for (i = 0; i < NTMAPS && n + 2 * (size_t)ncpus + 4 < KREAD_MAX; i++) {
		struct tmap *t = &tmaps[i];

		if (t->fd < 0)
			continue;
		/* unlocked, uncontended mutex: wait_list points to itself */
		if (wl >= 0 && ranges_of(&r, t->id, MW_LOCK_FREEZE_MUTEX, rg,
		    64) == 1)
			SELF(rg[0]->start + (uint64_t)wl, "freeze_mutex.wait_list");
		if (ranges_of(&r, t->id, MW_LOCK_HTAB_BUCKET, rg, 64) == 1) {
			/* empty bucket i: head.first is the nulls marker 2i+1 */
			for (k = 0; k < 2; k++) {
				uint64_t b = k ? rg[0]->count - 1 : 0;

				addrs[n] = rg[0]->start + b * rg[0]->stride;
				expect[n] = (b << 1) | 1;
				mask[n] = ~0ULL;
				what[n++] = "bucket.head nulls marker";
			}
		}
		if (ranges_of(&r, t->id, MW_LOCK_RINGBUF_WAITQ, rg, 64) == 1)
			SELF(rg[0]->start - (uint64_t)wq_lock + (uint64_t)wq_head,
			    "ringbuf waitq.head");
		if (ranges_of(&r, t->id, MW_LOCK_LRU_GLOBAL, rg, 64) == 1)
			SELF(rg[0]->start - (uint64_t)l_lock + (uint64_t)l_lists,
			    "lru_list.lists[0]");
		k = ranges_of(&r, t->id, MW_LOCK_LRU_LIST_PCPU, rg, 64);
		for (c = 0; c < k && c < 64; c++)
			SELF(rg[c]->start - (uint64_t)l_lock + (uint64_t)l_lists,
			    "per-CPU lru_list.lists[0]");
		k = ranges_of(&r, t->id, MW_LOCK_LRU_LOCAL_PCPU, rg, 64);
		for (c = 0; c < k && c < 64; c++)
			SELF(rg[c]->start - (uint64_t)ll_lock + (uint64_t)ll_list,
			    "per-CPU lru_locallist list");
		if (t->type == BPF_MAP_TYPE_HASH && t->flags == 0) {
			/* preallocated: every CPU's freelist holds elements */
			k = ranges_of(&r, t->id, MW_LOCK_FREELIST_PCPU, rg, 64);
			for (c = 0; c < k && c < 64; c++) {
				addrs[n] = rg[c]->start - (uint64_t)fh_lock +
				    (uint64_t)fh_first;
				expect[n] = KADDR_MIN;
				mask[n] = KADDR_MIN;
				what[n++] = "per-CPU freelist head.first";
			}
		}
		if (ranges_of(&r, t->id, MW_LOCK_QUEUE_STACK, rg, 64) == 1) {
			/* unlocked lock word */
			addrs[n] = rg[0]->start;
			expect[n] = 0;
			mask[n] = rg[0]->lock_size >= 8 ? ~0ULL :
			    (1ULL << (8 * rg[0]->lock_size)) - 1;
			what[n++] = "queue/stack lock word";
		}
	}
#undef SELF
	kread(addrs, vals, n);
	for (i = 0; i < n; i++)
		ck_assert_msg((vals[i] & mask[i]) == expect[i],
		    "%s at %#llx: read %#llx, expected %#llx", what[i],
		    (unsigned long long)addrs[i], (unsigned long long)vals[i],
		    (unsigned long long)expect[i]);
	printf("  %zu kernel words read back as expected\n", n);
	mapwalk_free(&r);
}
END_TEST

START_TEST(test_find)
{
	struct mapwalk_result r = walk();
	const struct mapwalk_range *rg[1], *hit;
	uint64_t a;

	ck_assert_uint_eq(ranges_of(&r, tmaps[0].id, MW_LOCK_HTAB_BUCKET, rg,
	    1), 1);
	a = rg[0]->start + 5 * rg[0]->stride + rg[0]->lock_off;
	hit = mapwalk_find(&r, a);
	ck_assert_ptr_eq(hit, rg[0]);
	ck_assert_int_eq(mapwalk_elem_index(hit, a), 5);
	ck_assert_ptr_null(mapwalk_find(&r, 1));
	ck_assert_ptr_null(mapwalk_find(&r, rg[0]->start + rg[0]->len +
	    (1ULL << 40)));
	mapwalk_free(&r);
}
END_TEST

START_TEST(test_rewalk)
{
	struct mapwalk_result r = walk();
	struct tmap late = { "lp_late", BPF_MAP_TYPE_HASH, 4, 4, 8, 0, 0, 0,
	    { 0 }, -1, 0 };
	struct tmap gone = { "lp_gone", BPF_MAP_TYPE_QUEUE, 0, 4, 8, 0, 0, 0,
	    { 0 }, -1, 0 };
	int tries;

	ck_assert_int_eq(create_map(&gone), 0);
	mapwalk_free(&r);
	r = walk();
	ck_assert_ptr_nonnull(mapwalk_map_by_id(&r, gone.id));
	ck_assert_ptr_null(mapwalk_map_by_id(&r, 0xffffffffu));
	ck_assert_int_eq(create_map(&late), 0);
	close(gone.fd);
	/* the id leaves the IDR when the last reference goes: retry briefly */
	for (tries = 0; tries < 50; tries++) {
		mapwalk_free(&r);
		r = walk();
		if (mapwalk_map_by_id(&r, gone.id) == NULL)
			break;
		usleep(20000);
	}
	ck_assert_msg(mapwalk_map_by_id(&r, gone.id) == NULL,
	    "destroyed map %u still walked", gone.id);
	ck_assert_ptr_nonnull(mapwalk_map_by_id(&r, late.id));
	ck_assert_uint_eq(mapwalk_map_by_id(&r, late.id)->type,
	    BPF_MAP_TYPE_HASH);
	close(late.fd);
	mapwalk_free(&r);
}
END_TEST

/* A walker kept loaded: each run sees the maps of that moment. */
START_TEST(test_kept_walker)
{
	struct tmap late = { "lp_kept", BPF_MAP_TYPE_LRU_HASH, 4, 4, 8, 0, 0,
	    0, { 0 }, -1, 0 };
	struct mapwalk_result r1, r2;
	struct mapwalker *w;
	const struct mapwalk_range *rg[1];
	char err[512];

	w = mapwalker_open(&assets, err, sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	ck_assert_msg(mapwalker_run(w, &r1, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_gt(r1.load_ns, 0);
	ck_assert_ptr_nonnull(mapwalk_map_by_id(&r1, tmaps[0].id));
	ck_assert_int_eq(create_map(&late), 0);
	ck_assert_ptr_null(mapwalk_map_by_id(&r1, late.id));
	ck_assert_msg(mapwalker_run(w, &r2, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(r2.load_ns, 0);
	ck_assert_ptr_nonnull(mapwalk_map_by_id(&r2, late.id));
	ck_assert_uint_eq(ranges_of(&r2, late.id, MW_LOCK_LRU_GLOBAL, rg, 1),
	    1);
	/* the per-CPU offsets are measured again, and agree */
	ck_assert_uint_eq(r2.ncpus, r1.ncpus);
	ck_assert_mem_eq(r2.cpu_off, r1.cpu_off,
	    r1.ncpus * sizeof(*r1.cpu_off));
	close(late.fd);
	mapwalk_free(&r1);
	mapwalk_free(&r2);
	mapwalker_close(w);
}
END_TEST

static void
setup_maps(void)
{
	struct btf *btf;
	size_t i;
	int e;

	inner_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lp_inner", 4, 4, 1, NULL);
	if (inner_fd < 0)
		test_skip_or_fail("check_mapwalk",
		    "cannot create a BPF array map");
	if ((btf = btf__new_empty()) == NULL ||
	    (e = btf__add_int(btf, "int", 4, BTF_INT_SIGNED)) < 0 ||
	    btf__load_into_kernel(btf) != 0) {
		fprintf(stderr, "check_mapwalk: cannot load BTF: %s\n",
		    strerror(errno));
		exit(1);
	}
	btf_int_id = (uint32_t)e;
	/* Only the kernel object is needed: keep its fd, free the rest. */
	if ((btf_fd = dup(btf__fd(btf))) == -1) {
		fprintf(stderr, "check_mapwalk: dup: %s\n", strerror(errno));
		exit(1);
	}
	btf__free(btf);
	for (i = 0; i < NTMAPS; i++) {
		if (create_map(&tmaps[i]) == 0)
			continue;
		e = errno;
		if (tmaps[i].optional) {
			printf("  %-14s %-16s not created (%s): not tested on "
			    "this kernel\n", tmaps[i].name,
			    mapwalk_map_type_name(tmaps[i].type), strerror(e));
			printf("LPFACT map.%s %s not covered: the kernel does "
			    "not create it (%s)\n", tmaps[i].name,
			    mapwalk_map_type_name(tmaps[i].type), strerror(e));
			tmaps[i].fd = -1;
			continue;
		}
		fprintf(stderr, "check_mapwalk: creating %s (%s): %s\n",
		    tmaps[i].name, mapwalk_map_type_name(tmaps[i].type),
		    strerror(e));
		exit(1);
	}
}

int
main(void)
{
	Suite *s;
	TCase *tc;
	int failed;

	log_init("check_mapwalk", 1, getenv("LP_DEBUG") ? LOG_DEBUG : LOG_INFO);
	if (geteuid() != 0)
		test_skip_or_fail("check_mapwalk",
		    "needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)");
	if ((vmlinux_btf = btf__load_vmlinux_btf()) == NULL)
		test_skip_or_fail("check_mapwalk",
		    "no kernel BTF (/sys/kernel/btf/vmlinux)");
	if ((ncpus = libbpf_num_possible_cpus()) <= 0)
		test_skip_or_fail("check_mapwalk",
		    "cannot count possible CPUs");
	setup_maps();
	if (test_assets_init(&assets) == -1)
		test_skip_or_fail("check_mapwalk",
		    "no kernel BTF for the BPF assets");

	s = suite_create("mapwalk");
	tc = tcase_create("kernel");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_every_type);
	tcase_add_test(tc, test_kernel_memory);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_rewalk);
	tcase_add_test(tc, test_kept_walker);
	suite_add_tcase(s, tc);
	failed = test_run_suite(s);
	btf__free(vmlinux_btf);
	assets_free(&assets);
	return failed;
}
