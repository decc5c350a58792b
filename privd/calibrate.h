/*
 * Observability calibration: can this host's lock tracepoints see
 * contention on BPF map locks?  Measured, not assumed: the calibration
 * makes contention on private maps of its own -- spinlocks (threads
 * running a tiny program with BPF_PROG_TEST_RUN on a one-bucket hash map
 * and on a queue) and a sleeping lock (processes mmapping an mmapable
 * array: its freeze_mutex) -- and checks whether events arrive inside
 * those maps' ranges.  It records the facts that explain the answer.
 * Bounded: a few threads; budget_ms of stress per round, one round for
 * sleeping locks and up to three for spinning ones, plus loading (about
 * 0.4 to 0.7 s in all with the defaults).
 */
#ifndef LOCKPROBE_CALIBRATE_H
#define LOCKPROBE_CALIBRATE_H

#include <stddef.h>
#include <stdint.h>

struct assets;

enum calib_verdict {
	CALIB_INCONCLUSIVE = 0,	/* could not make contention, or too little
				   to tell */
	CALIB_OBSERVABLE,	/* events arrived inside our own ranges */
	CALIB_BLIND		/* contention was made, no event arrived */
};

enum calib_lockclass {
	CALIB_SPINNING = 0,	/* spinlocks, rwlocks (BPF map locks) */
	CALIB_SLEEPING,		/* mutexes, rw semaphores */
	CALIB__NCLASSES
};

struct calib_class {
	enum calib_verdict verdict;
	char		 reason[384];
	uint64_t	 waits_in_range;	/* timed waits in our ranges */
	uint64_t	 events_anywhere;	/* begins of the class, whole
						   kernel, during the run */
	uint64_t	 ops;			/* operations made */
	unsigned int	 workers;
	unsigned int	 cpus;
	uint64_t	 overlap_ns;		/* workers running together */
	int		 lower_bound;		/* counts miss some waiters */
	unsigned int	 rounds;		/* stress rounds run */
};

struct calib_facts {
	int		 hypervisor;		/* cpuinfo flag 'hypervisor' */
	char		 hv_vendor[16];		/* CPUID 0x40000000 signature */
	int		 pv_spinlocks;		/* 1 enabled, 0 disabled,
						   -1 unknown */
	char		 pv_source[96];		/* where that came from */
	char		 release[65];		/* uname -r */
	long		 cpus_online;
};

struct calib_opts {
	struct assets	*assets;	/* the BPF objects, hash-checked */
	unsigned int	 workers;	/* per class; 0: 4 */
	unsigned int	 budget_ms;	/* stress per class; 0: 150 */
};

struct calib_result {
	struct calib_class cls[CALIB__NCLASSES];
	struct calib_facts facts;
	uint64_t	 elapsed_ns;
};

/*
 * Returns 0 with verdicts (possibly inconclusive), or -1 with a message
 * in err when the calibration itself could not run (no BPF, ...).
 */
int	calibrate_run(const struct calib_opts *o, struct calib_result *res,
	    char *err, size_t errlen);
/* Fill res->facts only (no BPF). */
void	calibrate_facts(struct calib_facts *f);
const char *calib_verdict_name(enum calib_verdict v);
const char *calib_class_name(enum calib_lockclass c);

#endif
