/*
 * The contention collector library: loads bpf/contention.bpf.c, tracks a
 * set of lock ranges from the map walker, and reads the per (map, lock
 * kind, lock class) wait statistics and hot buckets.
 *
 * Lifecycle: contention_open() -> contention_load() -> contention_attach()
 * -> contention_set_ranges() (again after every re-walk) ->
 * contention_read_stats() -> contention_destroy().  Every call that can
 * fail returns 0 or -1 with a message in err.
 */
#ifndef LOCKPROBE_CONTENTION_H
#define LOCKPROBE_CONTENTION_H

#include <stddef.h>
#include <stdint.h>

#include "../bpf/contention.h"
#include "mapwalk.h"

#define CONTENTION_ASSET	"contention.bpf.o"

struct assets;
struct contention;

struct contention_opts {
	/* where contention.bpf.o comes from, hash-checked, with the BTF */
	struct assets	*assets;
	uint32_t	max_ranges;	/* ranges per set; 0: 16384 */
	uint32_t	index_bits;	/* log2 index buckets; 0: sized for
					   max_ranges (4 granules a range) */
	uint32_t	max_stats;	/* (map, kind, class) records;
					   0: 16384 */
	uint32_t	max_hot_maps;	/* maps with hot buckets; 0: 4096 */
	uint32_t	max_waits;	/* concurrent open waits; 0: 8192 */
};

struct contention_stat {
	uint32_t	map_id;
	uint32_t	map_type;	/* from the last set; ~0 if unknown */
	uint32_t	kind;		/* enum mapwalk_lock_kind */
	uint32_t	lock_class;	/* enum ct_class */
	char		map_name[MW_NAME_LEN];
	uint64_t	count;
	uint64_t	total_ns;
	uint64_t	min_ns;		/* 0 when count is 0 */
	uint64_t	max_ns;
	uint64_t	failed;
	uint64_t	begins;
	uint64_t	hist[CT_HIST_SLOTS];
};

struct contention_hot {
	uint32_t	map_id;
	uint32_t	bucket;		/* index in the map's bucket array */
	uint64_t	count;		/* may be over by at most the smallest
					   count kept for that map */
};

struct contention_stats {
	struct contention_stat	*stats;		/* by map id, kind, class */
	size_t			 nstats;
	struct contention_hot	*hot;		/* by map id, hottest first */
	size_t			 nhot;
	uint64_t		 cnt[CT_CNT__MAX];	/* enum ct_counter */
	uint64_t		 begin_class[CT_CLASS__MAX];
	size_t			 nranges;	/* ranges tracked now */
	unsigned int		 generation;	/* switches so far */
};

struct contention *contention_open(const struct contention_opts *opts,
	    char *err, size_t errlen);
int	contention_load(struct contention *ct, char *err, size_t errlen);
int	contention_attach(struct contention *ct, char *err, size_t errlen);
/*
 * Replace the tracked set with r[0..n) (from mapwalk_run()).  The switch
 * is atomic for the programs; stats of maps still in the set are kept,
 * those of maps no longer in it are dropped.
 */
int	contention_set_ranges(struct contention *ct,
	    const struct mapwalk_range *r, size_t n, char *err, size_t errlen);
/* One pass over the stats tables.  Free with contention_stats_free(). */
int	contention_read_stats(struct contention *ct,
	    struct contention_stats *out, char *err, size_t errlen);
void	contention_stats_free(struct contention_stats *st);
void	contention_destroy(struct contention *ct);

/*
 * Ids of the collector's own maps (up to max; returns how many there are).
 * Leave them out of the tracked set: waits on them happen inside the
 * collector's own programs, which the kernel does not re-enter, so they
 * would read as zero.
 */
size_t	contention_own_maps(const struct contention *ct, uint32_t *ids,
	    size_t max);

/* The record for (map_id, kind, lock_class), or NULL. */
const struct contention_stat *
	contention_stat_find(const struct contention_stats *st,
	    uint32_t map_id, uint32_t kind, uint32_t lock_class);
const char	*contention_class_name(unsigned int lock_class);
/* 1 for sleeping classes (mutex, rwsem, rt_mutex), 0 for spinning. */
int		 contention_class_sleeping(unsigned int lock_class);

#endif
