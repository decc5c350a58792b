/*
 * Records shared by bpf/mapwalk.bpf.c (kernel side) and privd/mapwalk.c
 * (user side).  Fixed-width types only: this header is compiled by clang
 * for the BPF target against vmlinux.h and by the host compiler against
 * <linux/types.h>.
 */
#ifndef LOCKPROBE_BPF_MAPWALK_H
#define LOCKPROBE_BPF_MAPWALK_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Upper bound on possible CPUs (NR_CPUS of distribution kernels). */
#define MW_MAX_CPUS		8192

#define MW_NAME_LEN		16	/* BPF_OBJ_NAME_LEN */

/* mapwalk_rec.rec_type */
#define MW_REC_MAP		1	/* one per map, after its locks */
#define MW_REC_LOCK		2	/* one lock range of the last map */

/*
 * Lock kinds.  Keep mapwalk_lock_kind_name() in privd/mapwalk.c and the
 * comment block at the top of bpf/mapwalk.bpf.c in step with this list.
 */
enum mapwalk_lock_kind {
	MW_LOCK_NONE = 0,
	MW_LOCK_HTAB_BUCKET,		/* struct bucket[]: raw_lock of each */
	MW_LOCK_FREELIST_PCPU,		/* pcpu_freelist_head.lock, per CPU */
	MW_LOCK_FREELIST_GLOBAL,	/* pcpu_freelist.extralist.lock (<= 6.14) */
	MW_LOCK_LRU_GLOBAL,		/* bpf_common_lru.lru_list.lock */
	MW_LOCK_LRU_LOCAL_PCPU,		/* bpf_lru_locallist.lock, per CPU */
	MW_LOCK_LRU_LIST_PCPU,		/* bpf_lru_list.lock, per CPU (NO_COMMON_LRU) */
	MW_LOCK_RINGBUF_SPIN,		/* bpf_ringbuf.spinlock */
	MW_LOCK_RINGBUF_WAITQ,		/* bpf_ringbuf.waitq.lock */
	MW_LOCK_QUEUE_STACK,		/* bpf_queue_stack.lock */
	MW_LOCK_LPM_TRIE,		/* lpm_trie.lock */
	MW_LOCK_STORAGE_BUCKET,		/* bpf_local_storage_map_bucket[]: lock */
	MW_LOCK_CGROUP_STORAGE,		/* bpf_cgroup_storage_map.lock */
	MW_LOCK_SOCKMAP,		/* bpf_stab.lock */
	MW_LOCK_SOCKHASH_BUCKET,	/* bpf_shtab_bucket[]: lock */
	MW_LOCK_DEVMAP_HASH,		/* bpf_dtab.index_lock */
	MW_LOCK_XSKMAP,			/* xsk_map.lock */
	MW_LOCK_PROG_ARRAY_POKE,	/* bpf_array_aux.poke_mutex (sleeping) */
	MW_LOCK_MAP_OWNER,		/* bpf_map.owner_lock / aux->owner.lock */
	MW_LOCK_STRUCT_OPS,		/* bpf_struct_ops_map.lock (sleeping) */
	MW_LOCK_ARENA,			/* bpf_arena.lock (sleeping) */
	MW_LOCK_FREEZE_MUTEX,		/* bpf_map.freeze_mutex, every map (sleeping) */
	MW_LOCK__MAX
};

/* mapwalk_rec.flags */
#define MW_F_PERCPU	0x1	/* start is a raw __percpu address: add each
				   CPU's per-CPU offset to get real addresses */
#define MW_F_SLEEPING	0x2	/* a mutex: sleeping lock (its wait_lock,
				   a spinlock, lies inside the range) */

/* mapwalk_rec.flags of MW_REC_MAP records */
#define MW_MAPF_KNOWN	0x100	/* the BPF program knows this map type */

/*
 * One record of the iterator's seq output.  For MW_REC_MAP, the lock fields
 * are zero except count (max_entries) and nlocks.  For MW_REC_LOCK:
 *   start, len		the range [start, start + len)
 *   stride, count	an array of count elements of stride bytes each
 *			(a single lock: stride == len, count == 1)
 *   lock_off, lock_size	where the lock lies inside each element
 */
struct mapwalk_rec {
	__u32	rec_type;
	__u32	map_id;
	__u32	map_type;
	__u32	map_flags;
	__u32	kind;		/* enum mapwalk_lock_kind */
	__u32	flags;		/* MW_F_*, MW_MAPF_* */
	__u64	start;
	__u64	len;
	__u64	stride;
	__u64	count;
	__u32	lock_off;
	__u32	lock_size;
	__u32	nlocks;		/* MW_REC_MAP: type-specific lock records */
	__u32	pad;
	char	name[MW_NAME_LEN];
};

#endif
