/*
 * Contention generator (see privd/stress.h).  Threads start together on a
 * flag, are spread over the online CPUs, and run their operation in a
 * loop until the deadline; each records its first and last operation so
 * the caller knows how long they really overlapped.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "assets.h"
#include "clock.h"
#include "stress.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#include "stress.skel.h"
#pragma GCC diagnostic pop

#define STRESS_MAX_THREADS	64

struct worker {
	pthread_t		 th;
	pid_t			 pid;
	const struct stress_opts *o;
	int			*go;
	int			*ready;
	int			 prog_fd;
	size_t			 maplen;
	uint64_t		 deadline;
	uint64_t		 t_first, t_last;
	uint64_t		 ops, errors;
	int			 first_errno;
	int			 cpu;
	int			 ran;
};

const char *
stress_method_name(enum stress_method m)
{
	switch (m) {
	case STRESS_MMAP:
		return "mmap";
	case STRESS_FREEZE:
		return "freeze";
	case STRESS_UPDATE:
		return "update";
	case STRESS_PROG:
		return "prog";
	default:
		return "unknown";
	}
}

enum stress_method
stress_mutex_method(uint32_t map_type, uint32_t map_flags)
{
	if (map_type == BPF_MAP_TYPE_RINGBUF ||
	    map_type == BPF_MAP_TYPE_USER_RINGBUF ||
	    (map_type == BPF_MAP_TYPE_ARRAY && (map_flags & BPF_F_MMAPABLE)))
		return STRESS_MMAP;
	return 0;
}

static void
fail_op(struct worker *w, int e)
{
	if (w->errors++ == 0)
		w->first_errno = e;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	uint32_t key = 0;
	uint64_t val = 1, t;
	cpu_set_t set;
	void *p;

	if (w->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	__atomic_fetch_add(w->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(w->go, __ATOMIC_ACQUIRE))
		sched_yield();
	if (__atomic_load_n(&w->deadline, __ATOMIC_ACQUIRE) == 0)
		return NULL;
	w->t_first = monotonic_ns();
	w->ran = 1;
	while ((t = monotonic_ns()) < w->deadline) {
		switch (w->o->method) {
		case STRESS_MMAP:
			p = mmap(NULL, w->maplen, PROT_READ, MAP_SHARED,
			    w->o->map_fd, 0);
			if (p == MAP_FAILED)
				fail_op(w, errno);
			else
				munmap(p, w->maplen);
			break;
		case STRESS_FREEZE:
			/* EBUSY once frozen: the mutex is taken all the same */
			if (bpf_map_freeze(w->o->map_fd) != 0 && errno != EBUSY)
				fail_op(w, errno);
			break;
		case STRESS_UPDATE:
			if (bpf_map_update_elem(w->o->map_fd, &key, &val,
			    BPF_ANY) != 0)
				fail_op(w, errno);
			break;
		case STRESS_PROG: {
			unsigned char pkt[64] = { [12] = 8 };
			LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = pkt,
			    .data_size_in = sizeof(pkt),
			    .repeat = w->o->prog_repeat);

			if (bpf_prog_test_run_opts(w->prog_fd, &tr) != 0)
				fail_op(w, errno);
			w->ops += w->o->prog_repeat - 1;
			break;
		}
		}
		w->ops++;
	}
	w->t_last = monotonic_ns();
	return NULL;
}

static void
join_all(struct worker *w, unsigned int n, enum stress_method m)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (m == STRESS_MMAP) {
			while (waitpid(w[i].pid, NULL, 0) < 0 && errno == EINTR)
				;
		} else
			pthread_join(w[i].th, NULL);
	}
}

int
stress_run(const struct stress_opts *oin, struct stress_result *res,
    char *err, size_t errlen)
{
	struct worker *w = NULL;
	struct stress_opts o = *oin;
	struct stress_bpf *skel = NULL;
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info);
	int *go, *ready;
	size_t shlen = sizeof(*w) * STRESS_MAX_THREADS + 64;
	void *sh = MAP_FAILED;
	uint64_t first = 0, last = ~0ULL, t0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), pg = sysconf(_SC_PAGESIZE);
	unsigned int i, started = 0, cpus_used = 0;
	uint64_t cpumask = 0;
	int prog_fd = -1, e, rc = -1;

	memset(res, 0, sizeof(*res));
	if (o.nthreads == 0)
		o.nthreads = 4;
	if (o.duration_ms == 0)
		o.duration_ms = 200;
	if (o.prog_repeat == 0)
		o.prog_repeat = 2000;
	if (o.nthreads > STRESS_MAX_THREADS) {
		snprintf(err, errlen, "stress: %u threads, at most %d",
		    o.nthreads, STRESS_MAX_THREADS);
		return -1;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(o.map_fd, &info, &ilen) != 0) {
		e = errno;
		snprintf(err, errlen, "stress: map fd %d: %s", o.map_fd,
		    strerror(e));
		return -1;
	}
	if (o.method == STRESS_PROG) {
		struct bpf_program *p;
		struct bpf_map *m;

		if ((skel = calloc(1, sizeof(*skel))) == NULL ||
		    stress_bpf__create_skeleton(skel) != 0) {
			snprintf(err, errlen, "stress: out of memory");
			goto done;
		}
		if (o.assets == NULL || asset_open(o.assets, STRESS_ASSET,
		    skel->skeleton, err, errlen) == -1) {
			if (o.assets == NULL)
				snprintf(err, errlen, "stress: no assets");
			goto done;
		}
		if (info.type == BPF_MAP_TYPE_QUEUE ||
		    info.type == BPF_MAP_TYPE_STACK) {
			m = skel->maps.st_queue;
			p = skel->progs.st_pushpop;
			bpf_program__set_autoload(skel->progs.st_update, false);
		} else {
			m = skel->maps.st_hash;
			p = skel->progs.st_update;
			bpf_program__set_autoload(skel->progs.st_pushpop,
			    false);
		}
		if ((e = bpf_map__reuse_fd(m, o.map_fd)) != 0) {
			snprintf(err, errlen, "stress: map %u (%s): %s",
			    info.id, info.name, strerror(-e));
			goto done;
		}
		if (asset_load(o.assets, STRESS_ASSET, skel->skeleton, err,
		    errlen) == -1)
			goto done;
		prog_fd = bpf_program__fd(p);
	}
	/* shared with the worker processes of STRESS_MMAP */
	sh = mmap(NULL, shlen, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		e = errno;
		snprintf(err, errlen, "stress: shared memory: %s", strerror(e));
		goto done;
	}
	w = sh;
	go = (int *)(void *)((char *)sh + sizeof(*w) * STRESS_MAX_THREADS);
	ready = go + 1;
	t0 = monotonic_ns();
	for (i = 0; i < o.nthreads; i++) {
		w[i].o = &o;
		w[i].go = go;
		w[i].ready = ready;
		w[i].prog_fd = prog_fd;
		w[i].maplen = (size_t)pg;
		w[i].cpu = ncpu > 1 ? (int)(i % (unsigned long)ncpu) : -1;
		w[i].deadline = ~0ULL;	/* set below, once all exist */
	}
	for (i = 0; i < o.nthreads; i++) {
		if (o.method == STRESS_MMAP) {
			/*
			 * Processes, not threads: threads of one process
			 * serialize on its mmap_lock before they reach the
			 * map's freeze_mutex.
			 */
			if ((w[i].pid = fork()) == 0) {
				worker_main(&w[i]);
				_exit(0);
			}
			e = errno;
			if (w[i].pid < 0)
				break;
		} else if ((e = pthread_create(&w[i].th, NULL, worker_main,
		    &w[i])) != 0)
			break;
		started++;
	}
	if (started < o.nthreads) {
		/* the started workers stop at once */
		for (i = 0; i < started; i++)
			__atomic_store_n(&w[i].deadline, 0, __ATOMIC_RELEASE);
		__atomic_store_n(go, 1, __ATOMIC_RELEASE);
		join_all(w, started, o.method);
		snprintf(err, errlen, "stress: starting worker %u: %s",
		    started, strerror(e));
		goto done;
	}
	/* the clock starts when every worker is ready (at most 1 s) */
	t0 = monotonic_ns();
	while (__atomic_load_n(ready, __ATOMIC_ACQUIRE) < (int)started &&
	    monotonic_ns() - t0 < 1000000000ULL)
		usleep(200);
	t0 = monotonic_ns();
	for (i = 0; i < o.nthreads; i++)
		__atomic_store_n(&w[i].deadline, t0 +
		    (uint64_t)o.duration_ms * 1000000ULL, __ATOMIC_RELEASE);
	__atomic_store_n(go, 1, __ATOMIC_RELEASE);
	join_all(w, started, o.method);
	res->elapsed_ns = monotonic_ns() - t0;
	for (i = 0; i < started; i++) {
		res->ops += w[i].ops;
		res->errors += w[i].errors;
		if (res->first_errno == 0)
			res->first_errno = w[i].first_errno;
		if (!w[i].ran)
			continue;
		res->nthreads++;
		if (w[i].t_first > first)
			first = w[i].t_first;
		if (w[i].t_last < last)
			last = w[i].t_last;
		if (w[i].cpu >= 0 && w[i].cpu < 64 &&
		    !(cpumask & (1ULL << w[i].cpu))) {
			cpumask |= 1ULL << w[i].cpu;
			cpus_used++;
		}
	}
	res->ncpus = ncpu > 1 ? cpus_used : 1;
	res->overlap_ns = res->nthreads > 1 && last > first ? last - first : 0;
	if (skel != NULL)
		res->errors += skel->bss->st_errors;
	rc = 0;
done:
	if (sh != MAP_FAILED)
		munmap(sh, shlen);
	stress_bpf__destroy(skel);
	return rc;
}
