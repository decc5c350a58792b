/*
 * Real contention on one map's locks, from several threads: used by the
 * calibration, by the tests and by lockprobe-stress (the demo).  Nothing
 * is simulated: every method runs the kernel code paths that take the
 * map's locks.
 */
#ifndef LOCKPROBE_STRESS_H
#define LOCKPROBE_STRESS_H

#include <stddef.h>
#include <stdint.h>

enum stress_method {
	STRESS_MMAP = 1,	/* mmap + munmap of the map from several
				   processes: its freeze_mutex (mmapable
				   maps: BPF_F_MMAPABLE arrays, ring
				   buffers) */
	STRESS_FREEZE,		/* BPF_MAP_FREEZE from every thread at
				   once: its freeze_mutex, but only until
				   the first freeze succeeds (then the
				   kernel refuses before the mutex): a
				   one-shot, for maps that cannot be
				   mmapped */
	STRESS_UPDATE,		/* bpf_map_update_elem(key 0) system calls:
				   one hash bucket lock (4-byte keys) */
	STRESS_PROG		/* BPF_PROG_TEST_RUN of a program that
				   updates key 0 (hash family, 4-byte key,
				   8-byte value) or pushes and pops (queue,
				   stack, 8-byte value) */
};

#define STRESS_ASSET	"stress.bpf.o"

struct assets;

struct stress_opts {
	struct assets	*assets;	/* STRESS_PROG: stress.bpf.o from here */
	int		map_fd;
	enum stress_method method;
	unsigned int	nthreads;	/* 0: 4 */
	unsigned int	duration_ms;	/* 0: 200 */
	uint32_t	prog_repeat;	/* STRESS_PROG runs per call; 0: 2000 */
};

struct stress_result {
	uint64_t	ops;		/* operations done, all threads */
	uint64_t	errors;		/* operations that failed */
	int		first_errno;
	unsigned int	nthreads;	/* threads that ran */
	unsigned int	ncpus;		/* distinct CPUs they ran on */
	uint64_t	overlap_ns;	/* time all threads were running */
	uint64_t	elapsed_ns;
};

int	stress_run(const struct stress_opts *o, struct stress_result *res,
	    char *err, size_t errlen);
const char *stress_method_name(enum stress_method m);
/*
 * The method that contends on the map's freeze_mutex again and again:
 * STRESS_MMAP for mmapable maps, 0 for the others (nothing but the first
 * BPF_MAP_FREEZE takes their freeze_mutex).
 */
enum stress_method stress_mutex_method(uint32_t map_type, uint32_t map_flags);

#endif
