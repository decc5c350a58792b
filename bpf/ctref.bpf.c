// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ctref: TEST ONLY (linked into tests/check_contention, never into privd).
 * Copies every raw contention_begin / contention_end whose lock address
 * lies in [lo, hi) into a ring buffer, so the test can pair the same real
 * events itself and compare its count, total, min and max with what the
 * contention programs kept.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct ctref_ev {
	__u64	ts;
	__u64	task;
	__u64	lock;
	__u32	end;		/* 0 begin, 1 end */
	__s32	arg;		/* begin: flags; end: ret */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} ctref_rb SEC(".maps");

__u64 lo, hi;
__u64 dropped;

static __always_inline void
emit(__u64 lock, __u32 end, __s32 arg)
{
	struct ctref_ev *e;

	if (lock < lo || lock >= hi)
		return;
	e = bpf_ringbuf_reserve(&ctref_rb, sizeof(*e), 0);
	if (e == NULL) {
		__sync_fetch_and_add(&dropped, 1);
		return;
	}
	e->ts = bpf_ktime_get_ns();
	e->task = bpf_get_current_task();
	e->lock = lock;
	e->end = end;
	e->arg = arg;
	bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/contention_begin")
int BPF_PROG(ref_begin, void *lock, unsigned int flags)
{
	emit((__u64)lock, 0, (__s32)flags);
	return 0;
}

SEC("tp_btf/contention_end")
int BPF_PROG(ref_end, void *lock, int ret)
{
	emit((__u64)lock, 1, ret);
	return 0;
}
