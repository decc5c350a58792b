/*
 * Records shared by bpf/contention.bpf.c (the contention_begin/end
 * programs) and privd/contention.c.  Fixed-width types only.
 */
#ifndef LOCKPROBE_BPF_CONTENTION_H
#define LOCKPROBE_BPF_CONTENTION_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define CT_HIST_SLOTS	32	/* slot i: waits in [2^i, 2^(i+1)) ns; the
				   last slot takes everything longer */
#define CT_TOPK		8	/* hot buckets kept per map */

/* The lock tracepoints' flags (include/trace/events/lock.h). */
#define CT_LCB_F_SPIN	(1U << 0)
#define CT_LCB_F_READ	(1U << 1)
#define CT_LCB_F_WRITE	(1U << 2)
#define CT_LCB_F_RT	(1U << 3)
#define CT_LCB_F_PERCPU	(1U << 4)
#define CT_LCB_F_MUTEX	(1U << 5)

/*
 * What kind of wait, from the OR of the flags of every contention_begin
 * of one wait (a contended mutex emits SPIN|MUTEX, then MUTEX).  Keep
 * contention_class_name() in privd/contention.c in step.
 */
enum ct_class {
	CT_CLASS_SPIN = 0,	/* spinlock (queued slow path) */
	CT_CLASS_RWLOCK_READ,	/* rwlock_t, reader (SPIN|READ) */
	CT_CLASS_RWLOCK_WRITE,	/* rwlock_t, writer (SPIN|WRITE) */
	CT_CLASS_MUTEX,		/* mutex, optimistic spin included */
	CT_CLASS_RWSEM_READ,	/* rw_semaphore / percpu rwsem, reader */
	CT_CLASS_RWSEM_WRITE,	/* rw_semaphore / percpu rwsem, writer */
	CT_CLASS_RTMUTEX,	/* rt_mutex */
	CT_CLASS_OTHER,
	CT_CLASS__MAX
};

/* Stats key: one record per (map, lock kind, class). */
struct ct_key {
	__u32	map_id;
	__u16	kind;		/* enum mapwalk_lock_kind */
	__u16	lclass;		/* enum ct_class */
};

/* Updated in place with atomics (min and max with bounded CAS loops). */
struct ct_stat {
	__u64	count;		/* completed waits */
	__u64	total_ns;
	__u64	min_ns;		/* ~0 until the first wait */
	__u64	max_ns;
	__u64	failed;		/* waits that ended with an error (-EINTR) */
	__u64	begins;		/* contention_begin events (>= count) */
	__u64	hist[CT_HIST_SLOTS];
};

/*
 * Most contended buckets of one map (space-saving): each slot is
 * (bucket index + 1) << 32 | count, 0 when empty.  A newcomer replaces the
 * smallest slot and inherits its count, so a count may be over by at most
 * the smallest count in the table.
 */
struct ct_hot {
	__u64	slot[CT_TOPK];
};

/* An open wait, per (task, lock). */
struct ct_pair_key {
	__u64	task;		/* struct task_struct * as a number */
	__u64	lock;
};

struct ct_pair {
	__u64	ts;		/* first contention_begin */
	__s64	bucket;		/* element index in a bucket array, or -1 */
	__u32	map_id;
	__u16	kind;
	__u16	flags;		/* OR of the begins' flags */
	__u32	begins;
	__u32	pad;
};

/* Per-CPU counters (index into ct_counters.c). */
enum ct_counter {
	CT_CNT_BEGIN = 0,	/* contention_begin anywhere in the kernel */
	CT_CNT_END,		/* contention_end anywhere */
	CT_CNT_HIT,		/* begins inside a tracked range (new waits) */
	CT_CNT_REBEGIN,		/* further begins of an open wait */
	CT_CNT_MATCHED,		/* ends that closed an open wait */
	CT_CNT_PAIR_FULL,	/* open-wait table full: wait not timed */
	CT_CNT_STAT_FULL,	/* stats table full: wait dropped */
	CT_CNT_CAS_GAVEUP,	/* min/max CAS lost too many races */
	CT_CNT_HOT_DROP,	/* hot-bucket update lost a race */
	CT_CNT__MAX
};

struct ct_counters {
	__u64	c[CT_CNT__MAX];
	__u64	begin_class[CT_CLASS__MAX];	/* begins anywhere, by the
						   class of their own flags */
};

#endif
