/*
 * lockprobed's own sandbox, entered once everything that needs more is
 * done (see privd_sandbox.c for what is kept and why).
 */
#ifndef LOCKPROBE_PRIVD_SANDBOX_H
#define LOCKPROBE_PRIVD_SANDBOX_H

#include <stddef.h>

#include "conf.h"

struct event_base;

/* lockprobed -X: forbidden calls lockprobed makes itself, to prove it */
enum privd_probe {
	PRIVD_PROBE_NONE = 0,
	PRIVD_PROBE_PTRACE,	/* ptrace(PTRACE_TRACEME) */
	PRIVD_PROBE_MOUNT,	/* mount: CAP_SYS_ADMIN alone would allow it */
};

/*
 * Drop every capability lockprobed does not use (also from the bounding
 * and ambient sets), set no_new_privs and load the allowlist; in
 * SANDBOX_TRAP mode a forbidden call fails with ENOSYS and is logged by
 * privd_sandbox_watch.  Returns 0, or -1 with the reason in err.
 */
int	privd_sandbox_enter(enum sandbox_mode mode, char *err, size_t errlen);

/*
 * Once the sandbox is in place: in trap mode log the trapped calls every
 * second; with a probe, make the forbidden call at the loop's first turn.
 * Returns 0, or -1 if an event could not be created.
 */
int	privd_sandbox_watch(struct event_base *base, enum sandbox_mode mode,
	    enum privd_probe probe);
void	privd_sandbox_free(void);

#endif
