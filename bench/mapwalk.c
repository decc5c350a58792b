/*
 * bench/mapwalk: the cost of one re-walk of every map on the host, with the
 * map walker loaded for each walk (mapwalk_run, what lockprobed did before
 * it kept the walker) and kept loaded between walks (mapwalker_run): wall
 * time per walk, and the peak resident set each way adds.  As root, from a
 * build directory:
 *
 *   ./bench/mapwalk [walks]	(default 20)
 */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "../privd/mapwalk.h"
#include "clock.h"
#include "test_assets.h"

/* VmHWM or VmRSS of this process, KiB. */
static long
status_kib(const char *field)
{
	char line[256];
	long v = -1;
	size_t n = strlen(field);
	FILE *f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* Forget the peak so far (writing 5 to clear_refs resets VmHWM). */
static void
reset_peak(void)
{
	FILE *f;

	malloc_trim(0);
	if ((f = fopen("/proc/self/clear_refs", "w")) != NULL) {
		fputs("5", f);
		fclose(f);
	}
}

int
main(int argc, char *argv[])
{
	struct assets assets;
	struct mapwalk_result r;
	struct mapwalker *w;
	char err[512];
	int walks = argc > 1 ? atoi(argv[1]) : 20, i;
	uint64_t t0, once_ns, kept_ns, load_ns;
	size_t nmaps = 0;
	long rss0, hwm_once, hwm_load;

	if (walks < 1 || walks > 10000) {
		fprintf(stderr, "usage: mapwalk [walks, 1-10000]\n");
		return 2;
	}
	if (test_assets_init(&assets) == -1)
		return 1;

	/* the walker loaded for every walk */
	reset_peak();
	rss0 = status_kib("VmRSS");
	t0 = monotonic_ns();
	for (i = 0; i < walks; i++) {
		if (mapwalk_run(&assets, &r, err, sizeof(err)) != 0) {
			fprintf(stderr, "mapwalk: %s\n", err);
			return 1;
		}
		nmaps = r.nmaps;
		mapwalk_free(&r);
		malloc_trim(0);
	}
	once_ns = (monotonic_ns() - t0) / (uint64_t)walks;
	hwm_once = status_kib("VmHWM");

	/* the walker loaded once and kept */
	reset_peak();
	t0 = monotonic_ns();
	if ((w = mapwalker_open(&assets, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mapwalk: %s\n", err);
		return 1;
	}
	load_ns = monotonic_ns() - t0;
	hwm_load = status_kib("VmHWM");
	reset_peak();
	t0 = monotonic_ns();
	for (i = 0; i < walks; i++) {
		if (mapwalker_run(w, &r, err, sizeof(err)) != 0) {
			fprintf(stderr, "mapwalk: %s\n", err);
			return 1;
		}
		mapwalk_free(&r);
	}
	kept_ns = (monotonic_ns() - t0) / (uint64_t)walks;
	printf("%d walks of %zu maps (resident set before: %ld KiB)\n", walks,
	    nmaps, rss0);
	printf("walker loaded for each walk: %.2f ms a walk, peak resident "
	    "set %ld KiB\n", once_ns / 1e6, hwm_once);
	printf("walker kept loaded:          %.2f ms a walk, peak resident "
	    "set %ld KiB (its one load: %.1f ms, peak %ld KiB)\n",
	    kept_ns / 1e6, status_kib("VmHWM"), load_ns / 1e6, hwm_load);
	mapwalker_close(w);
	assets_free(&assets);
	return 0;
}
