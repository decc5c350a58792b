/* Paging through lockprobed's statistics: see stats_page.h. */
#include "config.h"

#include "stats_page.h"

int
stats_page_next(const Lockprobe__StatsReply *sr, uint32_t after,
    uint32_t *next)
{
	uint32_t last = after;
	size_t i;

	for (i = 0; i < sr->n_stats; i++) {
		/* a page holds whole maps in ascending order: ids never go
		 * back, and the first is above the last page's */
		if (sr->stats[i]->map_id < last ||
		    (sr->stats[i]->map_id == after))
			return STATS_PAGE_BAD;
		last = sr->stats[i]->map_id;
	}
	if (!sr->more)
		return STATS_PAGE_LAST;
	if (sr->n_stats == 0)
		return STATS_PAGE_BAD;	/* more, yet no progress */
	*next = last;
	return STATS_PAGE_MORE;
}
