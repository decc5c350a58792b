/*
 * The map walker: runs bpf/mapwalk.bpf.c (an iter/bpf_map program) once
 * and returns the kernel memory ranges of the internal locks of every eBPF
 * map on the host, with per-map coverage information.
 */
#ifndef LOCKPROBE_MAPWALK_H
#define LOCKPROBE_MAPWALK_H

#include <stddef.h>
#include <stdint.h>

#include "../bpf/mapwalk.h"	/* enum mapwalk_lock_kind, MW_F_* */

struct mapwalk_range {
	uint64_t	start;		/* kernel address */
	uint64_t	len;		/* bytes: [start, start + len) */
	uint64_t	stride;		/* element size (== len for one lock) */
	uint64_t	count;		/* elements (1 for one lock) */
	uint32_t	lock_off;	/* lock offset inside each element */
	uint32_t	lock_size;
	uint32_t	map_id;
	uint32_t	map_type;	/* enum bpf_map_type */
	uint32_t	kind;		/* enum mapwalk_lock_kind */
	uint32_t	flags;		/* MW_F_SLEEPING, MW_F_PERCPU */
	int		cpu;		/* CPU of a per-CPU lock, else -1 */
	char		map_name[MW_NAME_LEN];
};

struct mapwalk_map {
	uint32_t	id;
	uint32_t	type;		/* enum bpf_map_type */
	uint32_t	map_flags;
	uint32_t	max_entries;
	uint64_t	kaddr;		/* address of its struct bpf_map */
	char		name[MW_NAME_LEN];
	unsigned int	nlocks;		/* type-specific lock records */
	size_t		nranges;	/* ranges, per-CPU ones expanded,
					   freeze_mutex included */
	int		covered;	/* type-specific locks recorded */
	const char	*why;		/* static reason when not covered */
};

struct mapwalk_result {
	struct mapwalk_range	*ranges;	/* sorted by start */
	size_t			 nranges;
	struct mapwalk_map	*maps;		/* sorted by id */
	size_t			 nmaps;
	uint64_t		*cpu_off;	/* per-CPU offset of each CPU */
	unsigned int		 ncpus;
	uint64_t		 load_ns;	/* open + load + attach */
	uint64_t		 walk_ns;	/* reading the iterator */
};

/*
 * Walk every map on the host (the walker's own maps excluded).  Returns 0,
 * or -1 with a message in err.  out is always safe to pass to
 * mapwalk_free() afterwards.
 */
#define MAPWALK_ASSET	"mapwalk.bpf.o"

struct assets;
int	mapwalk_run(struct assets *a, struct mapwalk_result *out, char *err,
	    size_t errlen);

/*
 * The same, with the walker loaded once and kept between walks (a load
 * parses the kernel's BTF: tens of milliseconds and megabytes each time).
 * The first result's load_ns is the open's; later ones have 0.
 */
struct mapwalker;
struct mapwalker *mapwalker_open(struct assets *a, char *err, size_t errlen);
int	mapwalker_run(struct mapwalker *w, struct mapwalk_result *out,
	    char *err, size_t errlen);
void	mapwalker_close(struct mapwalker *w);
void	mapwalk_free(struct mapwalk_result *res);

/* The range containing addr, or NULL (binary search). */
const struct mapwalk_range *
	mapwalk_find(const struct mapwalk_result *res, uint64_t addr);
/* The element index of addr inside an array range, or -1. */
long	mapwalk_elem_index(const struct mapwalk_range *r, uint64_t addr);
const struct mapwalk_map *
	mapwalk_map_by_id(const struct mapwalk_result *res, uint32_t id);

const char	*mapwalk_lock_kind_name(unsigned int kind);
const char	*mapwalk_map_type_name(unsigned int type);

/* Route libbpf's messages to log_debug() (process-wide, idempotent). */
void	 collector_libbpf_log_init(void);

#endif
