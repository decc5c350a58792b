/*
 * Kernel symbol resolution: a list of names resolved in one pass, with an
 * iter/ksym BPF iterator (bpf/ksym.bpf.c) or /proc/kallsyms as fallback.
 */
#ifndef LOCKPROBE_KSYM_H
#define LOCKPROBE_KSYM_H

#include <stddef.h>
#include <stdint.h>

enum ksym_method {
	KSYM_METHOD_NONE = 0,
	KSYM_METHOD_ITER,		/* the iter/ksym BPF iterator */
	KSYM_METHOD_KALLSYMS		/* parsing /proc/kallsyms */
};

struct ksym_query {
	const char	*name;		/* in */
	uint64_t	 addr;		/* out: address of the first match */
	int		 found;		/* out */
	char		 type;		/* out: kallsyms type letter */
	int		 in_module;	/* out: first match is a module's */
	unsigned int	 nmatches;	/* out: >1 means ambiguous name */
};

struct ksym_report {
	enum ksym_method method;	/* the method that answered */
	uint64_t	 elapsed_ns;	/* CLOCK_MONOTONIC, whole call */
	uint64_t	 nsyms;		/* symbols examined */
	size_t		 nfound;	/* queries resolved */
	char		 iter_error[256]; /* why the iterator was not used */
};

#define KSYM_ASSET	"ksym.bpf.o"

struct assets;

/*
 * All three return 0 when the pass ran (queries not found are marked
 * found = 0), or -1 with a message in err.  ksym_resolve() tries the
 * iterator (loaded from the assets) and falls back to /proc/kallsyms.
 * path NULL means /proc/kallsyms.
 */
int	ksym_resolve(struct assets *a, struct ksym_query *q, size_t n,
	    struct ksym_report *rep, char *err, size_t errlen);
int	ksym_resolve_iter(struct assets *a, struct ksym_query *q, size_t n,
	    struct ksym_report *rep, char *err, size_t errlen);
int	ksym_resolve_kallsyms(const char *path, struct ksym_query *q, size_t n,
	    struct ksym_report *rep, char *err, size_t errlen);
const char *ksym_method_name(enum ksym_method m);

#endif
