/*
 * Paging through lockprobed's statistics (StatsRequest.after_map_id): one
 * check of a page and the next request, for every client of it
 * (lockprobectl, netd's metrics endpoint).
 */
#ifndef LOCKPROBE_STATS_PAGE_H
#define LOCKPROBE_STATS_PAGE_H

#include <stdint.h>

#include "lockprobe.pb-c.h"

#define STATS_PAGE_BAD	(-1)	/* records out of order or not after `after' */
#define STATS_PAGE_LAST	0
#define STATS_PAGE_MORE	1	/* ask again with *next */

int	stats_page_next(const Lockprobe__StatsReply *sr, uint32_t after,
	    uint32_t *next);

#endif
