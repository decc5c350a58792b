/*
 * TUF verification figures: the time to parse and verify a targets role
 * with N targets (default 10,000), and a full refresh (root, timestamp,
 * snapshot, targets, one lookup) of such a repository served from memory
 * into an empty store; then an unchanged refresh.  Prints figures, asserts
 * nothing about time.
 *
 *   bench/tuf_refresh [-n targets] [-r rounds]
 */
#include "config.h"

#include <sys/resource.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"
#include "metadata.h"
#include "tuf_testrepo.h"
#include "tuf_util.h"

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("%-44s min %8.2f ms  median %8.2f ms  max %8.2f ms\n", what,
	    v[0], v[n / 2], v[n - 1]);
}

int
main(int argc, char *argv[])
{
	struct tuf_client_config	 cfg;
	struct tuf_client		*c;
	struct tuf_metadata		*root, *md;
	struct tuf_target		 t;
	struct tr_repo			 r;
	struct tr_file			*f, *rf;
	struct rusage			 ru;
	char				 path[64], content[64], err[1024];
	double				*v, t0;
	long				 ntargets = 10000, rounds = 20, i;
	unsigned			 before, unchanged;
	int				 ch;

	while ((ch = getopt(argc, argv, "n:r:")) != -1) {
		switch (ch) {
		case 'n':
			ntargets = strtol(optarg, NULL, 10);
			break;
		case 'r':
			rounds = strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: tuf_refresh [-n targets] "
			    "[-r rounds]\n");
			return 2;
		}
	}
	if (ntargets < 1 || ntargets > TUF_MAX_TARGETS || rounds < 1 ||
	    rounds > 10000)
		return 2;
	if ((v = calloc(rounds, sizeof(*v))) == NULL)
		return 1;

	tr_repo_init(&r, 1);
	for (i = 0; i < ntargets; i++) {
		snprintf(path, sizeof(path), "lockstat/config-%06ld.json", i);
		snprintf(content, sizeof(content), "{\"id\": %ld}\n", i);
		tr_add_target(&r, NULL, path, content);
	}
	tr_publish(&r);
	f = tr_get(&r.remote, "metadata/targets.json");
	rf = tr_get(&r.remote, "metadata/1.root.json");
	printf("repository: %ld targets, targets.json %zu bytes, "
	    "consistent snapshots\n", ntargets, f->len);

	if (tuf_md_parse(rf->data, rf->len, 1 << 20, TUF_ROOT, "root", &root,
	    err, sizeof(err)) != TUF_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (i = 0; i < rounds; i++) {
		t0 = now_ms();
		if (tuf_md_parse(f->data, f->len, TUF_DEFAULT_TARGETS_MAX,
		    TUF_TARGETS, "targets", &md, err, sizeof(err)) != TUF_OK ||
		    tuf_md_verify(md, root, tuf_md_toprole(root, TUF_TARGETS),
		    NULL, err, sizeof(err)) != TUF_OK) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		tuf_md_free(md);
		v[i] = now_ms() - t0;
	}
	report("parse + verify targets role", v, rounds);

	tuf_client_config_default(&cfg);
	for (i = 0; i < rounds; i++) {
		tr_fs_free(&r.local);
		t0 = now_ms();
		if ((c = tuf_client_open(&cfg, &tr_io, &r, r.root1, r.root1len,
		    err, sizeof(err))) == NULL ||
		    tuf_client_refresh(c, TR_NOW, err, sizeof(err)) != TUF_OK ||
		    tuf_client_target(c, "lockstat/config-000042.json", &t,
		    err, sizeof(err)) != TUF_OK) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		tuf_target_clear(&t);
		tuf_client_free(c);
		v[i] = now_ms() - t0;
	}
	report("full refresh + lookup, empty store", v, rounds);

	for (i = 0; i < rounds; i++) {
		t0 = now_ms();
		if ((c = tuf_client_open(&cfg, &tr_io, &r, r.root1, r.root1len,
		    err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		before = r.nfetch;
		if (tuf_client_refresh(c, TR_NOW, err, sizeof(err)) != TUF_OK) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		tuf_client_free(c);
		v[i] = now_ms() - t0;
	}
	report("start (stored metadata) + unchanged refresh", v, rounds);
	unchanged = r.nfetch - before;

	if ((c = tuf_client_open(&cfg, &tr_io, &r, r.root1, r.root1len, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (i = 0; i < rounds; i++) {
		t0 = now_ms();
		if (tuf_client_refresh(c, TR_NOW, err, sizeof(err)) != TUF_OK) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		v[i] = now_ms() - t0;
	}
	tuf_client_free(c);
	report("unchanged refresh, client kept open", v, rounds);
	printf("requests for an unchanged refresh: %u (next root, "
	    "timestamp)\n", unchanged);
	getrusage(RUSAGE_SELF, &ru);
	printf("max resident set: %ld KiB (repository, store and client)\n",
	    ru.ru_maxrss);
	tuf_md_free(root);
	tr_repo_free(&r);
	free(v);
	return 0;
}
