// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * stress: tiny programs that privd/stress.c runs with BPF_PROG_TEST_RUN and
 * repeat from several threads to contend on one map's internal locks.
 * st_hash and st_queue are placeholders: user space points them at the
 * target map with bpf_map__reuse_fd() before load.
 *   st_update	bpf_map_update_elem(key 0) on a hash-family map: every run
 *		takes the same bucket lock (and freelist / LRU locks)
 *   st_pushpop	push then pop on a queue or stack: its one lock
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} st_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16);
	__uint(key_size, 0);
	__uint(value_size, 8);
} st_queue SEC(".maps");

__u64 st_errors;

SEC("socket")
int st_update(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 val = 1;

	if (bpf_map_update_elem(&st_hash, &key, &val, BPF_ANY) != 0)
		__sync_fetch_and_add(&st_errors, 1);
	return 0;
}

SEC("socket")
int st_pushpop(struct __sk_buff *skb)
{
	__u64 val = 1;

	if (bpf_map_push_elem(&st_queue, &val, BPF_EXIST) != 0 ||
	    bpf_map_pop_elem(&st_queue, &val) != 0)
		__sync_fetch_and_add(&st_errors, 1);
	return 0;
}
