// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mapwalk: an iter/bpf_map program that records, for every eBPF map on the
 * host, the kernel memory ranges of the map's own internal locks.  User
 * space (privd/mapwalk.c) reads the records from the iterator's seq output.
 *
 * Every address is computed as a plain scalar (the map pointer is copied
 * with bpf_probe_read_kernel, fields are located with CO-RE relocations),
 * so the verifier never sees pointer arithmetic on kernel pointers and no
 * struct size or offset is hard-coded.  Layout differences between kernels
 * are handled with CO-RE existence checks and ___flavor structs below.
 *
 * Covered (kind in bpf/mapwalk.h):
 *   HASH, PERCPU_HASH, HASH_OF_MAPS
 *	HTAB_BUCKET		the bucket array; each struct bucket holds its
 *				raw_lock (rqspinlock_t on 6.15+, raw_spinlock_t
 *				before); stride and count give the bucket index
 *	FREELIST_PCPU		pcpu_freelist_head.lock of every CPU (only for
 *				preallocated maps: BPF_F_NO_PREALLOC maps use
 *				bpf_mem_alloc, which has no lock)
 *	FREELIST_GLOBAL		pcpu_freelist.extralist.lock (kernels up to
 *				6.14; removed with the rqspinlock conversion)
 *   LRU_HASH, LRU_PERCPU_HASH
 *	HTAB_BUCKET		as above
 *	LRU_GLOBAL, LRU_LOCAL_PCPU	common LRU: the global list's lock and
 *				each CPU's local list lock
 *	LRU_LIST_PCPU		BPF_F_NO_COMMON_LRU: each CPU's list lock
 *   STACK_TRACE		FREELIST_PCPU, FREELIST_GLOBAL (its pcpu_freelist)
 *   RINGBUF		RINGBUF_SPIN (producer lock), RINGBUF_WAITQ (waitq.lock)
 *   USER_RINGBUF	RINGBUF_WAITQ (its producer is user space: the
 *				spinlock is never taken, only the busy bit)
 *   QUEUE, STACK	QUEUE_STACK
 *   LPM_TRIE		LPM_TRIE
 *   SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE
 *	STORAGE_BUCKET		the bpf_local_storage_map_bucket array
 *   CGROUP_STORAGE, PERCPU_CGROUP_STORAGE	CGROUP_STORAGE
 *   SOCKMAP		SOCKMAP;  SOCKHASH: SOCKHASH_BUCKET (bucket array)
 *   DEVMAP_HASH	DEVMAP_HASH (index_lock; plain DEVMAP never takes it)
 *   XSKMAP		XSKMAP
 *   PROG_ARRAY		PROG_ARRAY_POKE (mutex) and MAP_OWNER (owner spinlock:
 *				bpf_map.owner_lock on 6.16+, aux->owner.lock before)
 *   STRUCT_OPS		STRUCT_OPS (mutex)
 *   ARENA		ARENA (mutex; kernels with BPF arena, 6.9+)
 *   every map		FREEZE_MUTEX (bpf_map.freeze_mutex, taken by
 *				BPF_MAP_FREEZE and by every mmap of the map)
 *
 * Left out, and why:
 *   - ARRAY, PERCPU_ARRAY, PERF_EVENT_ARRAY, CGROUP_ARRAY, ARRAY_OF_MAPS,
 *     BLOOM_FILTER, CPUMAP, DEVMAP, REUSEPORT_SOCKARRAY: no lock of their
 *     own in the map (updates are plain stores, xchg or atomic bit ops).
 *     CPUMAP entries each own a ptr_ring with spinlocks, and REUSEPORT uses
 *     the global reuseport_lock: neither belongs to one map's structure
 *     (per-entry objects come and go at run time; a global lock cannot be
 *     attributed to a map).
 *   - bpf_spin_lock / bpf_res_spin_lock fields inside map values: they are
 *     the user's locks in the elements, not the map's internal locks, and
 *     their offsets depend on each map's BTF.
 *   - bpf_local_storage.lock: one per owner (socket, task, inode, cgroup),
 *     allocated with the owner, not with the map.
 *   - bpf_mem_alloc caches (non-preallocated hash, LPM nodes): lock-free
 *     llists and irq_work, no lock.
 *   - The old per-CPU htab map_locked counters (<= 6.14): a recursion
 *     guard, not a lock that anyone waits on.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "mapwalk.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Kernels up to 6.14: a global extra list next to the per-CPU heads. */
struct pcpu_freelist___old {
	struct pcpu_freelist_head *freelist;
	struct pcpu_freelist_head extralist;
} __attribute__((preserve_access_index));

/* Kernels up to 6.15: the prog array owner lives in bpf_array_aux. */
struct bpf_array_aux___old {
	struct {
		spinlock_t lock;
	} owner;
} __attribute__((preserve_access_index));

/*
 * Our own one-element per-CPU array: bpf_map_lookup_percpu_elem() on it
 * minus its raw __percpu pointer (pptrs[0]) is each CPU's per-CPU offset.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} mw_pcpu SEC(".maps");

/* Set by user space after load: the id of mw_pcpu. */
__u32 self_pcpu_id;

/* Results beside the seq output (read by user space from .bss). */
__u64 self_pptr;		/* mw_pcpu's pptrs[0] */
__u32 ncpu_ptrs;		/* entries of cpu_ptr[] filled */
__u64 cpu_ptr[MW_MAX_CPUS];	/* lookup_percpu_elem(mw_pcpu, 0, cpu) */

#define ptr_of(x)	((void *)(unsigned long)(x))
#define addr_of(x)	((__u64)(unsigned long)(x))

static __always_inline void
emit_array(struct seq_file *seq, struct mapwalk_rec *r, __u32 kind,
    __u32 flags, __u64 base, __u64 stride, __u64 count, __u32 lock_off,
    __u32 lock_size)
{
	r->rec_type = MW_REC_LOCK;
	r->kind = kind;
	r->flags = flags;
	r->start = base;
	r->len = stride * count;
	r->stride = stride;
	r->count = count;
	r->lock_off = lock_off;
	r->lock_size = lock_size;
	bpf_seq_write(seq, r, sizeof(*r));
	if (kind != MW_LOCK_FREEZE_MUTEX)
		r->nlocks++;
}

static __always_inline void
emit_lock(struct seq_file *seq, struct mapwalk_rec *r, __u32 kind,
    __u32 flags, __u64 addr, __u32 size)
{
	emit_array(seq, r, kind, flags, addr, size, 1, 0, size);
}

static __always_inline void
walk_freelist(struct seq_file *seq, struct mapwalk_rec *r, struct pcpu_freelist *fl)
{
	struct pcpu_freelist_head *head;
	struct pcpu_freelist___old *ofl;

	head = ptr_of(BPF_CORE_READ(fl, freelist));
	if (head)
		emit_lock(seq, r, MW_LOCK_FREELIST_PCPU, MW_F_PERCPU,
		    addr_of(&head->lock), bpf_core_field_size(head->lock));
	if (bpf_core_field_exists(struct pcpu_freelist___old, extralist)) {
		ofl = (void *)fl;
		emit_lock(seq, r, MW_LOCK_FREELIST_GLOBAL, 0,
		    addr_of(&ofl->extralist.lock),
		    bpf_core_field_size(ofl->extralist.lock));
	}
}

static __always_inline void
walk_htab(struct seq_file *seq, struct mapwalk_rec *r, __u64 maddr)
{
	struct bpf_htab *htab = ptr_of(maddr);
	struct bpf_lru_list *pl;
	struct bpf_lru_locallist *ll;
	__u64 buckets;
	__u32 n;

	buckets = addr_of(BPF_CORE_READ(htab, buckets));
	n = BPF_CORE_READ(htab, n_buckets);
	if (buckets && n)
		emit_array(seq, r, MW_LOCK_HTAB_BUCKET, 0, buckets,
		    bpf_core_type_size(struct bucket), n,
		    bpf_core_field_offset(struct bucket, raw_lock),
		    bpf_core_field_size(struct bucket, raw_lock));

	if (r->map_type == BPF_MAP_TYPE_LRU_HASH ||
	    r->map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH) {
		if (r->map_flags & BPF_F_NO_COMMON_LRU) {
			pl = ptr_of(BPF_CORE_READ(htab, lru.percpu_lru));
			if (pl)
				emit_lock(seq, r, MW_LOCK_LRU_LIST_PCPU,
				    MW_F_PERCPU, addr_of(&pl->lock),
				    bpf_core_field_size(pl->lock));
		} else {
			emit_lock(seq, r, MW_LOCK_LRU_GLOBAL, 0,
			    addr_of(&htab->lru.common_lru.lru_list.lock),
			    bpf_core_field_size(htab->lru.common_lru.lru_list.lock));
			ll = ptr_of(BPF_CORE_READ(htab, lru.common_lru.local_list));
			if (ll)
				emit_lock(seq, r, MW_LOCK_LRU_LOCAL_PCPU,
				    MW_F_PERCPU, addr_of(&ll->lock),
				    bpf_core_field_size(ll->lock));
		}
	} else if (!(r->map_flags & BPF_F_NO_PREALLOC)) {
		walk_freelist(seq, r, &htab->freelist);
	}
}

static __always_inline void
walk_prog_array(struct seq_file *seq, struct mapwalk_rec *r, __u64 maddr)
{
	struct bpf_array *arr = ptr_of(maddr);
	struct bpf_map *map = ptr_of(maddr);
	struct bpf_array_aux *aux;
	struct bpf_array_aux___old *oaux;

	aux = ptr_of(BPF_CORE_READ(arr, aux));
	if (!aux)
		return;
	emit_lock(seq, r, MW_LOCK_PROG_ARRAY_POKE, MW_F_SLEEPING,
	    addr_of(&aux->poke_mutex), bpf_core_field_size(aux->poke_mutex));
	if (bpf_core_field_exists(map->owner_lock)) {
		emit_lock(seq, r, MW_LOCK_MAP_OWNER, 0,
		    addr_of(&map->owner_lock),
		    bpf_core_field_size(map->owner_lock));
	} else if (bpf_core_field_exists(struct bpf_array_aux___old, owner)) {
		oaux = (void *)aux;
		emit_lock(seq, r, MW_LOCK_MAP_OWNER, 0,
		    addr_of(&oaux->owner.lock),
		    bpf_core_field_size(oaux->owner.lock));
	}
}

static __always_inline void
walk_storage(struct seq_file *seq, struct mapwalk_rec *r, __u64 maddr)
{
	struct bpf_local_storage_map *smap = ptr_of(maddr);
	__u64 buckets;
	__u32 log;

	buckets = addr_of(BPF_CORE_READ(smap, buckets));
	log = BPF_CORE_READ(smap, bucket_log);
	if (buckets && log < 32)
		emit_array(seq, r, MW_LOCK_STORAGE_BUCKET, 0, buckets,
		    bpf_core_type_size(struct bpf_local_storage_map_bucket),
		    1ULL << log,
		    bpf_core_field_offset(struct bpf_local_storage_map_bucket, lock),
		    bpf_core_field_size(struct bpf_local_storage_map_bucket, lock));
}

static __always_inline void
walk_ringbuf(struct seq_file *seq, struct mapwalk_rec *r, __u64 maddr)
{
	struct bpf_ringbuf_map *rbm = ptr_of(maddr);
	struct bpf_ringbuf *rb;

	rb = ptr_of(BPF_CORE_READ(rbm, rb));
	if (!rb)
		return;
	if (r->map_type == BPF_MAP_TYPE_RINGBUF)
		emit_lock(seq, r, MW_LOCK_RINGBUF_SPIN, 0,
		    addr_of(&rb->spinlock), bpf_core_field_size(rb->spinlock));
	emit_lock(seq, r, MW_LOCK_RINGBUF_WAITQ, 0, addr_of(&rb->waitq.lock),
	    bpf_core_field_size(rb->waitq.lock));
}

static __always_inline void
walk_other(struct seq_file *seq, struct mapwalk_rec *r, __u64 maddr)
{
	switch (r->map_type) {
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK: {
		struct bpf_queue_stack *qs = ptr_of(maddr);

		emit_lock(seq, r, MW_LOCK_QUEUE_STACK, 0, addr_of(&qs->lock),
		    bpf_core_field_size(qs->lock));
		break;
	}
	case BPF_MAP_TYPE_LPM_TRIE: {
		struct lpm_trie *t = ptr_of(maddr);

		emit_lock(seq, r, MW_LOCK_LPM_TRIE, 0, addr_of(&t->lock),
		    bpf_core_field_size(t->lock));
		break;
	}
	case BPF_MAP_TYPE_STACK_TRACE: {
		struct bpf_stack_map *sm = ptr_of(maddr);

		walk_freelist(seq, r, &sm->freelist);
		break;
	}
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE: {
		struct bpf_cgroup_storage_map *cm = ptr_of(maddr);

		emit_lock(seq, r, MW_LOCK_CGROUP_STORAGE, 0, addr_of(&cm->lock),
		    bpf_core_field_size(cm->lock));
		break;
	}
	case BPF_MAP_TYPE_SOCKMAP: {
		struct bpf_stab *st = ptr_of(maddr);

		emit_lock(seq, r, MW_LOCK_SOCKMAP, 0, addr_of(&st->lock),
		    bpf_core_field_size(st->lock));
		break;
	}
	case BPF_MAP_TYPE_SOCKHASH: {
		struct bpf_shtab *sh = ptr_of(maddr);
		__u64 b = addr_of(BPF_CORE_READ(sh, buckets));
		__u32 n = BPF_CORE_READ(sh, buckets_num);

		if (b && n)
			emit_array(seq, r, MW_LOCK_SOCKHASH_BUCKET, 0, b,
			    bpf_core_type_size(struct bpf_shtab_bucket), n,
			    bpf_core_field_offset(struct bpf_shtab_bucket, lock),
			    bpf_core_field_size(struct bpf_shtab_bucket, lock));
		break;
	}
	case BPF_MAP_TYPE_DEVMAP_HASH: {
		struct bpf_dtab *dt = ptr_of(maddr);

		emit_lock(seq, r, MW_LOCK_DEVMAP_HASH, 0,
		    addr_of(&dt->index_lock), bpf_core_field_size(dt->index_lock));
		break;
	}
	case BPF_MAP_TYPE_XSKMAP: {
		struct xsk_map *xm = ptr_of(maddr);

		emit_lock(seq, r, MW_LOCK_XSKMAP, 0, addr_of(&xm->lock),
		    bpf_core_field_size(xm->lock));
		break;
	}
	case BPF_MAP_TYPE_STRUCT_OPS: {
		struct bpf_struct_ops_map *so = ptr_of(maddr);

		emit_lock(seq, r, MW_LOCK_STRUCT_OPS, MW_F_SLEEPING,
		    addr_of(&so->lock), bpf_core_field_size(so->lock));
		break;
	}
	default:
		break;
	}
}

static __always_inline int
known_type(__u32 t)
{
	switch (t) {
	case BPF_MAP_TYPE_HASH: case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PROG_ARRAY: case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH: case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_STACK_TRACE: case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_LRU_HASH: case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE: case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS: case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_SOCKMAP: case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP: case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE: case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK: case BPF_MAP_TYPE_SK_STORAGE:
	case BPF_MAP_TYPE_DEVMAP_HASH: case BPF_MAP_TYPE_STRUCT_OPS:
	case BPF_MAP_TYPE_RINGBUF: case BPF_MAP_TYPE_INODE_STORAGE:
	case BPF_MAP_TYPE_TASK_STORAGE: case BPF_MAP_TYPE_BLOOM_FILTER:
	case BPF_MAP_TYPE_USER_RINGBUF: case BPF_MAP_TYPE_CGRP_STORAGE:
	case BPF_MAP_TYPE_ARENA:
		return 1;
	default:
		return 0;
	}
}

static long
cpu_cb(__u32 cpu, void *unused)
{
	__u32 key = 0;
	void *p;

	p = bpf_map_lookup_percpu_elem(&mw_pcpu, &key, cpu);
	if (!p)
		return 1;
	/* A pointer stored as a value: allowed to CAP_PERFMON holders. */
	cpu_ptr[cpu & (MW_MAX_CPUS - 1)] = (__u64)(unsigned long)p;
	ncpu_ptrs = cpu + 1;
	return 0;
}

SEC("iter/bpf_map")
int mapwalk(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct mapwalk_rec r = {};
	struct bpf_map *map;
	__u64 maddr = 0;

	if (!ctx->map) {
		/* The final call, after the last map. */
		bpf_loop(MW_MAX_CPUS, cpu_cb, NULL, 0);
		return 0;
	}
	/* The map's address as a plain scalar. */
	if (bpf_probe_read_kernel(&maddr, sizeof(maddr), &ctx->map) || !maddr)
		return 0;
	map = ptr_of(maddr);

	r.map_id = BPF_CORE_READ(map, id);
	r.map_type = BPF_CORE_READ(map, map_type);
	r.map_flags = BPF_CORE_READ(map, map_flags);
	BPF_CORE_READ_STR_INTO(&r.name, map, name);

	if (r.map_id == self_pcpu_id && self_pcpu_id != 0) {
		struct bpf_array *arr = ptr_of(maddr);

		self_pptr = addr_of(BPF_CORE_READ(arr, pptrs[0]));
	}

	switch (r.map_type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		walk_htab(seq, &r, maddr);
		break;
	case BPF_MAP_TYPE_PROG_ARRAY:
		walk_prog_array(seq, &r, maddr);
		break;
	case BPF_MAP_TYPE_SK_STORAGE:
	case BPF_MAP_TYPE_INODE_STORAGE:
	case BPF_MAP_TYPE_TASK_STORAGE:
	case BPF_MAP_TYPE_CGRP_STORAGE:
		walk_storage(seq, &r, maddr);
		break;
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF:
		walk_ringbuf(seq, &r, maddr);
		break;
	case BPF_MAP_TYPE_ARENA:
		if (bpf_core_type_exists(struct bpf_arena)) {
			struct bpf_arena *a = ptr_of(maddr);

			emit_lock(seq, &r, MW_LOCK_ARENA, MW_F_SLEEPING,
			    addr_of(&a->lock), bpf_core_field_size(a->lock));
		}
		break;
	default:
		walk_other(seq, &r, maddr);
		break;
	}

	emit_lock(seq, &r, MW_LOCK_FREEZE_MUTEX, MW_F_SLEEPING,
	    addr_of(&map->freeze_mutex), bpf_core_field_size(map->freeze_mutex));

	r.rec_type = MW_REC_MAP;
	r.kind = MW_LOCK_NONE;
	r.flags = known_type(r.map_type) ? MW_MAPF_KNOWN : 0;
	r.start = maddr;
	r.len = 0;
	r.stride = 0;
	r.count = BPF_CORE_READ(map, max_entries);
	r.lock_off = 0;
	r.lock_size = 0;
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}
