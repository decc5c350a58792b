// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * contention: tp_btf programs on lock:contention_begin and
 * lock:contention_end that attribute each contended lock to the tracked
 * range holding it (bpf/rangeidx.bpf.h) and keep, per (map id, lock kind,
 * lock class), count, total, min and max wait and a log2 histogram, plus
 * the most contended buckets of hash-family bucket arrays.
 *
 * Pairing: one open wait per (task, lock address).  A wait starts at the
 * first contention_begin and ends at the matching contention_end; further
 * begins of the same (task, lock) -- a contended mutex emits SPIN|MUTEX,
 * then MUTEX, sometimes again after a wake-up -- only add their flags.
 * Waits nest and interleave freely (a mutex wait with a spinlock wait on
 * its wait_lock inside, an interrupt contending on another lock), since
 * each (task, lock) pair is its own key; the idle tasks of different CPUs
 * are different tasks, unlike their pid 0.
 *
 * Stats live in a hash keyed by struct ct_key, updated in place with
 * atomic adds; min and max use compare-and-swap loops bounded at
 * CT_CAS_TRIES attempts (a give-up is counted, never silent).
 *
 * The tracked set is double-buffered: user space fills the inactive
 * generation of the index and range table, then flips ct_gen.  Stats are
 * keyed by map id, so they survive a switch.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "contention.h"
#include "rangeidx.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define CT_CAS_TRIES	8

/*
 * Keep a mask the compiler could prove redundant: 6.1's verifier loses
 * the bounds of such an index unless the AND is really there.
 */
#define KEEP(x)		asm volatile("" : "+r"(x))

/* Sizes are set by user space before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 << RI_MIN_BITS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ri_bucket);
} ct_bkts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ri_range);
} ct_rids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct ct_pair_key);
	__type(value, struct ct_pair);
} ct_pairs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ct_key);
	__type(value, struct ct_stat);
} ct_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct ct_hot);
} ct_hotb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_counters);
} ct_cnt SEC(".maps");

/* Geometry, fixed at load. */
const volatile __u32 ct_bits = RI_MIN_BITS;
const volatile __u32 ct_maxr = 1;

/* Written by user space through the mmapped .bss. */
__u32 ct_gen;			/* active generation: 0 or 1 */
__u64 ct_open;			/* open waits (skip lookups at 0) */

static const struct ct_stat stat_init = { .min_ns = ~0ULL };
static const struct ct_hot hot_init;

static __always_inline struct ct_counters *
counters(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ct_cnt, &zero);
}

static __always_inline void
count(struct ct_counters *c, __u32 which)
{
	if (c != NULL && which < CT_CNT__MAX)
		c->c[which]++;		/* per-CPU: no atomic needed */
}

static __always_inline __u32
class_of(__u32 f)
{
	if (f & CT_LCB_F_MUTEX)
		return CT_CLASS_MUTEX;
	if (f & CT_LCB_F_RT)
		return CT_CLASS_RTMUTEX;
	if (f & CT_LCB_F_SPIN) {
		if (f & CT_LCB_F_READ)
			return CT_CLASS_RWLOCK_READ;
		if (f & CT_LCB_F_WRITE)
			return CT_CLASS_RWLOCK_WRITE;
		return CT_CLASS_SPIN;
	}
	if (f & CT_LCB_F_READ)
		return CT_CLASS_RWSEM_READ;
	if (f & CT_LCB_F_WRITE)
		return CT_CLASS_RWSEM_WRITE;
	return CT_CLASS_OTHER;
}

static __always_inline __u32
log2_u32(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32
hist_slot(__u64 ns)
{
	__u32 hi = ns >> 32, s;

	s = hi ? log2_u32(hi) + 32 : log2_u32((__u32)ns);
	return s < CT_HIST_SLOTS ? s : CT_HIST_SLOTS - 1;
}

static __always_inline void
stat_add(struct ct_counters *c, const struct ct_key *k, __u64 d, __u32 begins,
    int failed)
{
	struct ct_stat *s;
	__u64 old;
	__u32 slot;
	int i;

	s = bpf_map_lookup_elem(&ct_stats, k);
	if (s == NULL) {
		/* another CPU may insert first: then NOEXIST fails, fine */
		bpf_map_update_elem(&ct_stats, k, &stat_init, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&ct_stats, k);
		if (s == NULL) {
			count(c, CT_CNT_STAT_FULL);
			return;
		}
	}
	__sync_fetch_and_add(&s->count, 1);
	__sync_fetch_and_add(&s->total_ns, d);
	__sync_fetch_and_add(&s->begins, begins);
	if (failed)
		__sync_fetch_and_add(&s->failed, 1);
	slot = hist_slot(d);
	KEEP(slot);
	__sync_fetch_and_add(&s->hist[slot & (CT_HIST_SLOTS - 1)], 1);

	for (i = 0; i < CT_CAS_TRIES; i++) {
		old = s->min_ns;
		if (d >= old || __sync_val_compare_and_swap(&s->min_ns, old, d)
		    == old)
			break;
	}
	if (i == CT_CAS_TRIES)
		count(c, CT_CNT_CAS_GAVEUP);
	for (i = 0; i < CT_CAS_TRIES; i++) {
		old = s->max_ns;
		if (d <= old || __sync_val_compare_and_swap(&s->max_ns, old, d)
		    == old)
			break;
	}
	if (i == CT_CAS_TRIES)
		count(c, CT_CNT_CAS_GAVEUP);
}

/* Space-saving update of the map's hot-bucket table (see contention.h). */
static __always_inline void
hot_add(struct ct_counters *c, __u32 map_id, __u64 bucket)
{
	__u64 tag = (bucket + 1) << 32, v, mv = 0, cnt, minc = ~0ULL;
	struct ct_hot *h;
	__u32 i, mi = 0;

	h = bpf_map_lookup_elem(&ct_hotb, &map_id);
	if (h == NULL) {
		bpf_map_update_elem(&ct_hotb, &map_id, &hot_init, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&ct_hotb, &map_id);
		if (h == NULL) {
			count(c, CT_CNT_HOT_DROP);
			return;
		}
	}
#pragma clang loop unroll(full)
	for (i = 0; i < CT_TOPK; i++) {
		v = h->slot[i];
		if ((v & ~0xFFFFFFFFULL) == tag && v != 0) {
			if ((v & 0xFFFFFFFFULL) == 0xFFFFFFFFULL)
				return;		/* saturated */
			if (__sync_val_compare_and_swap(&h->slot[i], v, v + 1)
			    != v)
				count(c, CT_CNT_HOT_DROP);
			return;
		}
		cnt = v & 0xFFFFFFFFULL;
		if (cnt < minc) {
			minc = cnt;
			mi = i;
			mv = v;
		}
	}
	if (minc >= 0xFFFFFFFFULL)
		return;
	KEEP(mi);
	if (__sync_val_compare_and_swap(&h->slot[mi & (CT_TOPK - 1)], mv,
	    tag | (minc + 1)) != mv)
		count(c, CT_CNT_HOT_DROP);
}

SEC("tp_btf/contention_begin")
int BPF_PROG(ct_begin, void *lock, unsigned int flags)
{
	struct ct_counters *c = counters();
	struct ri_geom g = { ct_bits, ct_maxr };
	struct ct_pair_key pk;
	struct ct_pair np = {}, *p;
	const struct ri_range *r;
	__u64 addr = (__u64)lock;
	__u32 k, cls;
	long rid;

	if (c != NULL) {
		cls = class_of(flags);
		KEEP(cls);
		c->c[CT_CNT_BEGIN]++;
		c->begin_class[cls & (CT_CLASS__MAX - 1)]++;
	}
	rid = ri_lookup(&ct_bkts, &ct_rids, &g, ct_gen & 1, addr);
	if (rid < 0)
		return 0;
	pk.task = bpf_get_current_task();
	pk.lock = addr;
	p = bpf_map_lookup_elem(&ct_pairs, &pk);
	if (p != NULL) {
		/* the same wait, again: keep its start */
		p->flags |= (__u16)flags;
		p->begins++;
		count(c, CT_CNT_REBEGIN);
		return 0;
	}
	k = (__u32)rid;
	r = bpf_map_lookup_elem(&ct_rids, &k);
	if (r == NULL)
		return 0;
	np.ts = bpf_ktime_get_ns();
	np.map_id = r->map_id;
	np.kind = r->kind;
	np.flags = (__u16)flags;
	np.begins = 1;
	np.bucket = -1;
	if ((r->flags & RI_RF_BUCKETS) && r->stride != 0)
		np.bucket = (__s64)((addr - r->start) / r->stride);
	if (bpf_map_update_elem(&ct_pairs, &pk, &np, BPF_NOEXIST) != 0) {
		count(c, CT_CNT_PAIR_FULL);
		return 0;
	}
	__sync_fetch_and_add(&ct_open, 1);
	count(c, CT_CNT_HIT);
	return 0;
}

SEC("tp_btf/contention_end")
int BPF_PROG(ct_end, void *lock, int ret)
{
	struct ct_counters *c = counters();
	struct ct_pair_key pk;
	struct ct_pair *p;
	struct ct_key k;
	__u64 now, d, ts;
	__s64 bucket;
	__u32 begins;

	count(c, CT_CNT_END);
	if (ct_open == 0)
		return 0;
	pk.task = bpf_get_current_task();
	pk.lock = (__u64)lock;
	p = bpf_map_lookup_elem(&ct_pairs, &pk);
	if (p == NULL)
		return 0;
	now = bpf_ktime_get_ns();
	ts = p->ts;
	k.map_id = p->map_id;
	k.kind = p->kind;
	k.lclass = (__u16)class_of(p->flags);
	bucket = p->bucket;
	begins = p->begins;
	if (bpf_map_delete_elem(&ct_pairs, &pk) != 0)
		return 0;	/* closed by someone else: never count twice */
	__sync_fetch_and_add(&ct_open, -1);
	d = now > ts ? now - ts : 0;
	count(c, CT_CNT_MATCHED);
	stat_add(c, &k, d, begins, ret != 0);
	if (bucket >= 0)
		hot_add(c, k.map_id, (__u64)bucket);
	return 0;
}
