/*
 * Observability calibration (see privd/calibrate.h).
 *
 * Verdict per lock class:
 *   observable	  timed waits arrived inside our own maps' ranges;
 *   blind	  workers ran together on two or more CPUs for most of the
 *		  budget and no event of that class arrived anywhere in the
 *		  kernel, let alone in our ranges;
 *   inconclusive one CPU online, workers that did not overlap, or events
 *		  of the class elsewhere in the kernel but none in our
 *		  ranges (our contention was too light to tell).
 * On kernels that emit spinlock events, the queued spinlock slow path
 * emits them only for waiters that queue: the first waiter, spinning on
 * the pending bit, is not seen, so spinning counts are a lower bound.
 */
#include "config.h"

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfutil.h"
#include "clock.h"
#include "log.h"
#include "calibrate.h"
#include "contention.h"
#include "mapwalk.h"
#include "stress.h"

#define CAL_MAPS	3
#define CAL_RETRY_NS	500000000ULL	/* no new round after 0.5 s */
#define CAL_SPIN_ROUNDS	3	/* more rounds while the answer is
				   inconclusive */

const char *
calib_verdict_name(enum calib_verdict v)
{
	switch (v) {
	case CALIB_OBSERVABLE:
		return "observable";
	case CALIB_BLIND:
		return "blind";
	default:
		return "inconclusive";
	}
}

const char *
calib_class_name(enum calib_lockclass c)
{
	return c == CALIB_SPINNING ? "spinning" : "sleeping";
}

static int
cpuinfo_hypervisor(void)
{
	char line[4096];
	FILE *f;
	int found = 0;

	if ((f = fopen("/proc/cpuinfo", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		found = strstr(line, " hypervisor") != NULL;
		break;
	}
	fclose(f);
	return found;
}

/* Paravirt spinlocks from the kernel log (read-only, non-blocking). */
static void
pv_from_kmsg(struct calib_facts *f)
{
	char buf[2048];
	ssize_t n;
	int fd;

	f->pv_spinlocks = -1;
	snprintf(f->pv_source, sizeof(f->pv_source), "kernel log has no PV "
	    "spinlock line");
	if ((fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		snprintf(f->pv_source, sizeof(f->pv_source), "/dev/kmsg: %s",
		    strerror(errno));
		return;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten record: go on */
		if (n <= 0)
			break;
		buf[n] = '\0';
		if (strstr(buf, "PV spinlocks enabled") != NULL) {
			f->pv_spinlocks = 1;
			snprintf(f->pv_source, sizeof(f->pv_source),
			    "kernel log: \"PV spinlocks enabled\"");
		} else if (strstr(buf, "PV spinlocks disabled") != NULL) {
			f->pv_spinlocks = 0;
			snprintf(f->pv_source, sizeof(f->pv_source),
			    "kernel log: \"PV spinlocks disabled\"");
		}
	}
	close(fd);
}

void
calibrate_facts(struct calib_facts *f)
{
	unsigned int a, b, c, d;
	struct utsname u;

	memset(f, 0, sizeof(*f));
	f->hypervisor = cpuinfo_hypervisor();
	if (f->hypervisor) {
		__cpuid(0x40000000, a, b, c, d);
		memcpy(f->hv_vendor + 0, &b, 4);
		memcpy(f->hv_vendor + 4, &c, 4);
		memcpy(f->hv_vendor + 8, &d, 4);
		f->hv_vendor[12] = '\0';
		(void)a;
	}
	pv_from_kmsg(f);
	if (!f->hypervisor && f->pv_spinlocks == -1) {
		f->pv_spinlocks = 0;
		snprintf(f->pv_source, sizeof(f->pv_source), "no hypervisor: "
		    "native spinlocks");
	}
	if (uname(&u) == 0)
		snprintf(f->release, sizeof(f->release), "%s", u.release);
	f->cpus_online = sysconf(_SC_NPROCESSORS_ONLN);
}

static int
is_own(const uint32_t *ids, uint32_t id)
{
	int i;

	for (i = 0; i < CAL_MAPS; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* Waits of the class on our maps, and begins of the class anywhere. */
static void
tally(const struct contention_stats *st, const uint32_t *ids, int sleeping,
    uint64_t *in_range, uint64_t *anywhere)
{
	size_t i;
	unsigned int c;

	*in_range = *anywhere = 0;
	for (i = 0; i < st->nstats; i++)
		if (is_own(ids, st->stats[i].map_id) &&
		    contention_class_sleeping(st->stats[i].lock_class) ==
		    sleeping)
			*in_range += st->stats[i].count;
	for (c = 0; c < CT_CLASS__MAX; c++)
		if (contention_class_sleeping(c) == sleeping &&
		    c != CT_CLASS_OTHER)
			*anywhere += st->begin_class[c];
}

static void
verdict(struct calib_class *k, const struct calib_facts *f, int sleeping,
    uint64_t budget_ns)
{
	const char *what = sleeping ? "mutex waits on our array's "
	    "freeze_mutex" : "spinlock waits on our hash bucket and queue "
	    "locks";

	if (k->waits_in_range > 0) {
		k->verdict = CALIB_OBSERVABLE;
		k->lower_bound = !sleeping;
		snprintf(k->reason, sizeof(k->reason), "%llu %s seen "
		    "(%llu operations, %u workers on %u CPUs)%s",
		    (unsigned long long)k->waits_in_range, what,
		    (unsigned long long)k->ops, k->workers, k->cpus,
		    sleeping ? "" : "; the first (pending-bit) waiter of a "
		    "queued spinlock emits no event, so counts are a lower "
		    "bound");
		return;
	}
	if (k->cpus < 2 || k->overlap_ns * 2 < budget_ns) {
		k->verdict = CALIB_INCONCLUSIVE;
		snprintf(k->reason, sizeof(k->reason), "could not make "
		    "contention: %u workers on %u CPU(s) overlapped %.0f ms of "
		    "%.0f", k->workers, k->cpus, k->overlap_ns / 1e6,
		    budget_ns / 1e6);
		return;
	}
	if (k->events_anywhere > 0) {
		k->verdict = CALIB_INCONCLUSIVE;
		snprintf(k->reason, sizeof(k->reason), "%llu %s events "
		    "elsewhere in the kernel but none in our ranges after "
		    "%llu operations on %u CPUs: contention too light to "
		    "tell%s", (unsigned long long)k->events_anywhere,
		    sleeping ? "sleeping-lock" : "spinlock",
		    (unsigned long long)k->ops, k->cpus, !sleeping &&
		    k->cpus <= 2 ? " (with 2 CPUs a spinlock rarely has a "
		    "queued waiter, and the first, pending-bit waiter emits "
		    "no event)" : "");
		return;
	}
	/*
	 * Contended mutexes always reach the tracepoint (there is no
	 * hypervisor path around it): no event anywhere means our workers
	 * did not contend, not that the host is blind.
	 */
	if (sleeping) {
		k->verdict = CALIB_INCONCLUSIVE;
		snprintf(k->reason, sizeof(k->reason), "could not make "
		    "contention: %llu operations from %u workers on %u CPUs "
		    "gave no sleeping-lock event anywhere in the kernel (a "
		    "busy host?)", (unsigned long long)k->ops, k->workers,
		    k->cpus);
		return;
	}
	k->verdict = CALIB_BLIND;
	if (f->hypervisor && f->pv_spinlocks != 1)
		snprintf(k->reason, sizeof(k->reason), "hypervisor guest "
		    "(%s) without paravirt spinlocks (%s): contended spinlocks "
		    "take virt_spin_lock()'s test-and-set loop, which has no "
		    "tracepoint; %llu operations from %u workers on %u CPUs "
		    "gave no spinlock event anywhere", f->hv_vendor[0] ?
		    f->hv_vendor : "unknown", f->pv_source,
		    (unsigned long long)k->ops, k->workers, k->cpus);
	else
		snprintf(k->reason, sizeof(k->reason), "%llu operations from "
		    "%u workers on %u CPUs gave no %s event anywhere in the "
		    "kernel (hypervisor: %s, paravirt spinlocks: %s)",
		    (unsigned long long)k->ops, k->workers, k->cpus,
		    sleeping ? "sleeping-lock" : "spinlock",
		    f->hypervisor ? "yes" : "no", f->pv_spinlocks == 1 ? "yes" :
		    f->pv_spinlocks == 0 ? "no" : "unknown");
}

/* Run one stress, then read the stats for it. */
static int
run_class(struct contention *ct, int sleeping, const int *fds, int nfds,
    const uint32_t *ids, const struct calib_opts *o, const struct calib_facts
    *f, struct calib_class *k, char *err, size_t errlen)
{
	struct contention_stats before, after;
	struct stress_opts so;
	struct stress_result sr;
	uint64_t in0, any0, in1, any1;
	int i;

	if (contention_read_stats(ct, &before, err, errlen) != 0)
		return -1;
	tally(&before, ids, sleeping, &in0, &any0);
	contention_stats_free(&before);
	for (i = 0; i < nfds; i++) {
		memset(&so, 0, sizeof(so));
		so.assets = o->assets;
		so.map_fd = fds[i];
		so.method = sleeping ? STRESS_MMAP : STRESS_PROG;
		so.nthreads = o->workers;
		/* spinning: the queue (a plain spinlock) shows more waits
		   than the hash bucket, give it two thirds */
		so.duration_ms = nfds == 1 ? o->budget_ms : i == 0 ?
		    o->budget_ms / 3 : o->budget_ms - o->budget_ms / 3;
		so.prog_repeat = 500;
		if (stress_run(&so, &sr, err, errlen) != 0)
			return -1;
		k->ops += sr.ops;
		k->workers = sr.nthreads;
		k->cpus = sr.ncpus;
		k->overlap_ns += sr.overlap_ns;
	}
	if (contention_read_stats(ct, &after, err, errlen) != 0)
		return -1;
	tally(&after, ids, sleeping, &in1, &any1);
	contention_stats_free(&after);
	k->waits_in_range += in1 - in0;
	k->events_anywhere += any1 - any0;
	k->rounds++;
	verdict(k, f, sleeping, (uint64_t)o->budget_ms * 1000000ULL *
	    k->rounds);
	return 0;
}

int
calibrate_run(const struct calib_opts *oin, struct calib_result *res,
    char *err, size_t errlen)
{
	struct calib_opts o;
	struct contention_opts co;
	struct contention *ct = NULL;
	struct mapwalk_result wr;
	struct mapwalk_range *own = NULL;
	uint32_t ids[CAL_MAPS] = { 0, 0, 0 };
	int fds[CAL_MAPS] = { -1, -1, -1 }, i, e, rc = -1;
	uint64_t t0 = monotonic_ns(), t1;
	size_t j, nown = 0;
	LIBBPF_OPTS(bpf_map_create_opts, mmapable, .map_flags = BPF_F_MMAPABLE);

	memset(res, 0, sizeof(*res));
	memset(&wr, 0, sizeof(wr));
	o = *oin;
	if (o.workers == 0)
		o.workers = 4;
	if (o.budget_ms == 0)
		o.budget_ms = 150;
	calibrate_facts(&res->facts);
	if (res->facts.cpus_online < 2) {
		for (i = 0; i < CALIB__NCLASSES; i++) {
			res->cls[i].verdict = CALIB_INCONCLUSIVE;
			snprintf(res->cls[i].reason, sizeof(res->cls[i].reason),
			    "%ld CPU online: two waiters cannot run at once",
			    res->facts.cpus_online);
		}
		res->elapsed_ns = monotonic_ns() - t0;
		return 0;
	}

	/* our private maps: a one-bucket hash, a queue, an mmapable array */
	fds[0] = bpf_map_create(BPF_MAP_TYPE_HASH, "lp_cal_hash", 4, 8, 1,
	    NULL);
	fds[1] = bpf_map_create(BPF_MAP_TYPE_QUEUE, "lp_cal_queue", 0, 8, 16,
	    NULL);
	fds[2] = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lp_cal_mmap", 4, 8, 512,
	    &mmapable);
	for (i = 0; i < CAL_MAPS; i++) {
		if (fds[i] < 0 || bpf_map_id_of_fd(fds[i], &ids[i]) != 0) {
			e = errno;
			snprintf(err, errlen, "calibration: creating its map "
			    "%d: %s", i, strerror(e));
			goto done;
		}
	}
	memset(&co, 0, sizeof(co));
	co.assets = o.assets;
	co.max_ranges = 256;
	co.max_stats = 64;
	co.max_hot_maps = 8;
	co.max_waits = 1024;
	if ((ct = contention_open(&co, err, errlen)) == NULL ||
	    contention_attach(ct, err, errlen) != 0)
		goto done;
	if (mapwalk_run(o.assets, &wr, err, errlen) != 0)
		goto done;
	if ((own = calloc(wr.nranges + 1, sizeof(*own))) == NULL) {
		snprintf(err, errlen, "calibration: out of memory");
		goto done;
	}
	for (j = 0; j < wr.nranges; j++)
		if (is_own(ids, wr.ranges[j].map_id))
			own[nown++] = wr.ranges[j];
	if (nown == 0) {
		snprintf(err, errlen, "calibration: the map walker did not "
		    "find the calibration's own maps (%u, %u, %u)", ids[0],
		    ids[1], ids[2]);
		goto done;
	}
	if (contention_set_ranges(ct, own, nown, err, errlen) != 0)
		goto done;
	/*
	 * Spinning: with few CPUs a spinlock seldom has a second, queued
	 * waiter (the first spins on the pending bit and emits nothing),
	 * so run more rounds while the answer is "too light to tell".
	 */
	for (i = 0; i < CAL_SPIN_ROUNDS; i++) {
		if (run_class(ct, 0, fds, 2, ids, &o, &res->facts,
		    &res->cls[CALIB_SPINNING], err, errlen) != 0)
			goto done;
		if (res->cls[CALIB_SPINNING].verdict != CALIB_INCONCLUSIVE ||
		    monotonic_ns() - t0 > CAL_RETRY_NS)
			break;
	}
	/* sleeping: again if too light to tell or the workers could not
	 * overlap (a busy host, an emulated guest); its own time bound */
	t1 = monotonic_ns();
	for (i = 0; i < CAL_SPIN_ROUNDS; i++) {
		if (run_class(ct, 1, fds + 2, 1, ids, &o, &res->facts,
		    &res->cls[CALIB_SLEEPING], err, errlen) != 0)
			goto done;
		if (res->cls[CALIB_SLEEPING].verdict != CALIB_INCONCLUSIVE ||
		    monotonic_ns() - t1 > CAL_RETRY_NS)
			break;
	}
	res->elapsed_ns = monotonic_ns() - t0;
	for (i = 0; i < CALIB__NCLASSES; i++)
		log_info("calibration: %s locks %s: %s",
		    calib_class_name((enum calib_lockclass)i),
		    calib_verdict_name(res->cls[i].verdict),
		    res->cls[i].reason);
	rc = 0;
done:
	contention_destroy(ct);
	mapwalk_free(&wr);
	free(own);
	for (i = 0; i < CAL_MAPS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}
