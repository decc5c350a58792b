// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ksym: an iter/ksym program that resolves a set of kernel symbol names in
 * one pass over all kernel symbols.  User space fills ksym_req (name ->
 * request index) before running the iterator; every symbol whose name is
 * in the map is written to the seq output as a struct ksym_rec.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "ksym.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);		/* resized by user space */
	__type(key, struct ksym_key);
	__type(value, __u32);
} ksym_req SEC(".maps");

__u64 nsyms;		/* symbols examined */

SEC("iter/ksym")
int ksym_find(struct bpf_iter__ksym *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct kallsym_iter *it = ctx->ksym;
	struct ksym_key key;
	struct ksym_rec rec = {};
	__u32 *idx;

	if (!it)
		return 0;
	nsyms++;
	__builtin_memset(&key, 0, sizeof(key));
	if (bpf_probe_read_kernel_str(key.name, sizeof(key.name), it->name) <= 1)
		return 0;
	if ((idx = bpf_map_lookup_elem(&ksym_req, &key)) == NULL)
		return 0;
	rec.addr = BPF_CORE_READ(it, value);
	rec.req = *idx;
	rec.type = BPF_CORE_READ(it, type);
	if (BPF_CORE_READ(it, module_name[0]) != 0)
		rec.flags |= KSYM_F_MODULE;
	bpf_seq_write(seq, &rec, sizeof(rec));
	return 0;
}
