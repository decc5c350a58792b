// SPDX-License-Identifier: GPL-2.0
/* A program the verifier must refuse (a map value used without a NULL
 * check), so tests can see how lockprobed reports a verifier error. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

SEC("xdp")
int reject(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&values, &key);

	return (int)*v;
}

char LICENSE[] SEC("license") = "GPL";
