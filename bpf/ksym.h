/*
 * Records shared by bpf/ksym.bpf.c (an iter/ksym program) and
 * privd/ksym.c.  Fixed-width types only.
 */
#ifndef LOCKPROBE_BPF_KSYM_H
#define LOCKPROBE_BPF_KSYM_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * Key size of the request map: a requested name must be shorter than
 * KSYM_KEY_LEN - 1 so that a longer kernel symbol, truncated to fit the
 * key, can never equal it.
 */
#define KSYM_KEY_LEN	128

/* Key of the request map: the name, zero-padded. */
struct ksym_key {
	char	name[KSYM_KEY_LEN];
};

#define KSYM_F_MODULE	0x1	/* the symbol belongs to a module */

/* One matching symbol, in kallsyms order. */
struct ksym_rec {
	__u64	addr;
	__u32	req;		/* index of the request (value in the map) */
	__u8	type;		/* kallsyms type letter */
	__u8	flags;		/* KSYM_F_* */
	__u16	pad;
};

#endif
