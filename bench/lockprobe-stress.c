/*
 * lockprobe-stress: make real contention on BPF maps, for the demo and by
 * hand.  Creates one map of each TYPE given (or targets an existing map
 * with -i ID), hammers it from several threads, and with -w watches the
 * result through the contention collector (privd/contention.c).
 *
 *   lockprobe-stress [-w] [-t threads] [-d ms] [-m method] TYPE...
 *   lockprobe-stress [-w] [-t threads] [-d ms] [-m method] -i MAP-ID
 *   lockprobe-stress -c		(run the observability calibration)
 *
 * TYPE: hash percpu_hash lru_hash lru_percpu_hash array queue stack ringbuf
 * user_ringbuf lpm_trie.  method: mutex (the default: mmap for mmapable
 * maps -- the map's freeze_mutex, from several processes), mmap, freeze
 * (one-shot: only until the first freeze succeeds), update,
 * prog (the map's spinlocks: one hash bucket, or the queue lock).
 * Prints one line per map: id, type, method, operations, threads, CPUs.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "test_assets.h"
#include "../privd/calibrate.h"
#include "../privd/contention.h"
#include "../privd/mapwalk.h"
#include "../privd/stress.h"

#define MAXMAPS	16

struct mtype {
	const char	*name;
	uint32_t	 type, key, value, max, flags;
};

static struct assets assets;

static const struct mtype mtypes[] = {
	{ "hash", BPF_MAP_TYPE_HASH, 4, 8, 64, 0 },
	{ "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 64, 0 },
	{ "lru_hash", BPF_MAP_TYPE_LRU_HASH, 4, 8, 64, 0 },
	{ "lru_percpu_hash", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 64, 0 },
	{ "array", BPF_MAP_TYPE_ARRAY, 4, 8, 512, BPF_F_MMAPABLE },
	{ "queue", BPF_MAP_TYPE_QUEUE, 0, 8, 16, 0 },
	{ "stack", BPF_MAP_TYPE_STACK, 0, 8, 16, 0 },
	{ "ringbuf", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0 },
	{ "user_ringbuf", BPF_MAP_TYPE_USER_RINGBUF, 0, 0, 4096, 0 },
	{ "lpm_trie", BPF_MAP_TYPE_LPM_TRIE, 8, 8, 16, BPF_F_NO_PREALLOC },
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: lockprobe-stress [-w] [-t threads] [-d ms] "
	    "[-m mutex|mmap|freeze|update|prog] TYPE... | -i MAP-ID\n");
	exit(2);
}

static int
map_info(int fd, struct bpf_map_info *info)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

static int
calibrate_print(void)
{
	struct calib_opts o;
	struct calib_result r;
	char err[512];
	int i;

	memset(&o, 0, sizeof(o));
	o.assets = &assets;
	if (calibrate_run(&o, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "lockprobe-stress: %s\n", err);
		return 1;
	}
	printf("calibration (%.0f ms): kernel %s, %ld CPUs online, "
	    "hypervisor %s%s%s, paravirt spinlocks %s (%s)\n",
	    r.elapsed_ns / 1e6, r.facts.release, r.facts.cpus_online,
	    r.facts.hypervisor ? "yes" : "no", r.facts.hv_vendor[0] ? " " : "",
	    r.facts.hv_vendor, r.facts.pv_spinlocks == 1 ? "yes" :
	    r.facts.pv_spinlocks == 0 ? "no" : "unknown", r.facts.pv_source);
	for (i = 0; i < CALIB__NCLASSES; i++)
		printf("  %-8s locks: %-12s %s\n",
		    calib_class_name((enum calib_lockclass)i),
		    calib_verdict_name(r.cls[i].verdict), r.cls[i].reason);
	return 0;
}

int
main(int argc, char **argv)
{
	struct stress_opts so;
	struct stress_result sr;
	struct bpf_map_info info[MAXMAPS];
	struct mapwalk_result wr;
	struct contention_stats st;
	struct contention *ct = NULL;
	const char *method = "mutex";
	char name[16], err[512];
	int fds[MAXMAPS], nfd = 0, ch, watch = 0, i, rc = 0;
	unsigned int threads = 4, ms = 1000, k;
	long id = -1;
	size_t j;

	log_init("lockprobe-stress", 1, getenv("LP_DEBUG") ? LOG_DEBUG :
	    LOG_INFO);
	/* the BPF objects of this build tree: $top_builddir/bpf or ./bpf */
	if (test_assets_init(&assets) == -1)
		return 1;
	while ((ch = getopt(argc, argv, "cd:i:m:t:w")) != -1) {
		switch (ch) {
		case 'c':
			return calibrate_print();
		case 'd':
			ms = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			id = strtol(optarg, NULL, 10);
			break;
		case 'm':
			method = optarg;
			break;
		case 't':
			threads = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			watch = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if ((id < 0 && argc == 0) || (id >= 0 && argc > 0) || argc > MAXMAPS)
		usage();
	if (id >= 0) {
		if ((fds[0] = bpf_map_get_fd_by_id((uint32_t)id)) < 0) {
			fprintf(stderr, "lockprobe-stress: map %ld: %s\n", id,
			    strerror(errno));
			return 1;
		}
		nfd = 1;
	}
	for (i = 0; i < argc; i++) {
		LIBBPF_OPTS(bpf_map_create_opts, mo);

		for (k = 0; k < sizeof(mtypes) / sizeof(mtypes[0]); k++)
			if (strcmp(argv[i], mtypes[k].name) == 0)
				break;
		if (k == sizeof(mtypes) / sizeof(mtypes[0])) {
			fprintf(stderr, "lockprobe-stress: unknown map type "
			    "%s\n", argv[i]);
			usage();
		}
		mo.map_flags = mtypes[k].flags;
		snprintf(name, sizeof(name), "lps_%.11s", mtypes[k].name);
		fds[nfd] = bpf_map_create(mtypes[k].type, name, mtypes[k].key,
		    mtypes[k].value, mtypes[k].max, &mo);
		if (fds[nfd] < 0) {
			fprintf(stderr, "lockprobe-stress: creating a %s map: "
			    "%s\n", mtypes[k].name, strerror(errno));
			return 1;
		}
		nfd++;
	}
	for (i = 0; i < nfd; i++)
		if (map_info(fds[i], &info[i]) != 0) {
			fprintf(stderr, "lockprobe-stress: map info: %s\n",
			    strerror(errno));
			return 1;
		}

	if (watch) {
		struct contention_opts co;

		memset(&co, 0, sizeof(co));
		co.assets = &assets;
		co.max_ranges = 65536;
		if (mapwalk_run(&assets, &wr, err, sizeof(err)) != 0 ||
		    (ct = contention_open(&co, err, sizeof(err))) == NULL ||
		    contention_attach(ct, err, sizeof(err)) != 0 ||
		    contention_set_ranges(ct, wr.ranges, wr.nranges, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "lockprobe-stress: %s\n", err);
			return 1;
		}
		printf("watching %zu lock ranges of %zu maps\n", wr.nranges,
		    wr.nmaps);
		mapwalk_free(&wr);
	}

	for (i = 0; i < nfd; i++) {
		memset(&so, 0, sizeof(so));
		so.assets = &assets;
		so.map_fd = fds[i];
		so.nthreads = threads;
		so.duration_ms = ms;
		if (strcmp(method, "mutex") == 0)
			so.method = stress_mutex_method(info[i].type,
			    info[i].map_flags);
		else if (strcmp(method, "mmap") == 0)
			so.method = STRESS_MMAP;
		else if (strcmp(method, "freeze") == 0)
			so.method = STRESS_FREEZE;
		else if (strcmp(method, "update") == 0)
			so.method = STRESS_UPDATE;
		else if (strcmp(method, "prog") == 0)
			so.method = STRESS_PROG;
		else
			usage();
		if (so.method == 0) {
			printf("map %u %-16s %-18s: no repeatable "
			    "sleeping-lock contention for this type "
			    "(not mmapable)\n",
			    info[i].id, info[i].name,
			    mapwalk_map_type_name(info[i].type));
			continue;
		}
		if (stress_run(&so, &sr, err, sizeof(err)) != 0) {
			fprintf(stderr, "lockprobe-stress: %s\n", err);
			rc = 1;
			continue;
		}
		printf("map %u %-16s %-18s method %-6s ops %llu errors %llu "
		    "threads %u cpus %u overlap %.0f ms\n", info[i].id,
		    info[i].name, mapwalk_map_type_name(info[i].type),
		    stress_method_name(so.method),
		    (unsigned long long)sr.ops, (unsigned long long)sr.errors,
		    sr.nthreads, sr.ncpus, sr.overlap_ns / 1e6);
		if (sr.errors)
			printf("  first error: %s\n", strerror(sr.first_errno));
	}

	if (watch) {
		if (contention_read_stats(ct, &st, err, sizeof(err)) != 0) {
			fprintf(stderr, "lockprobe-stress: %s\n", err);
			return 1;
		}
		printf("contention events: %llu begins anywhere (spin %llu, "
		    "mutex %llu), %llu in tracked ranges, %llu waits timed\n",
		    (unsigned long long)st.cnt[CT_CNT_BEGIN],
		    (unsigned long long)st.begin_class[CT_CLASS_SPIN],
		    (unsigned long long)st.begin_class[CT_CLASS_MUTEX],
		    (unsigned long long)st.cnt[CT_CNT_HIT],
		    (unsigned long long)st.cnt[CT_CNT_MATCHED]);
		for (j = 0; j < st.nstats; j++) {
			const struct contention_stat *s = &st.stats[j];

			printf("  map %u %-16s %-20s %-12s count %llu "
			    "total %.1f us min %.2f us max %.2f us\n",
			    s->map_id,
			    s->map_name, mapwalk_lock_kind_name(s->kind),
			    contention_class_name(s->lock_class),
			    (unsigned long long)s->count, s->total_ns / 1e3,
			    s->min_ns / 1e3, s->max_ns / 1e3);
		}
		for (j = 0; j < st.nhot; j++)
			printf("  hot bucket: map %u bucket %u count %llu\n",
			    st.hot[j].map_id, st.hot[j].bucket,
			    (unsigned long long)st.hot[j].count);
		contention_stats_free(&st);
		contention_destroy(ct);
	}
	for (i = 0; i < nfd; i++)
		close(fds[i]);
	return rc;
}
