/* lockprobe-netd: the unprivileged, sandboxed network engine. */
#ifndef LOCKPROBE_NETD_H
#define LOCKPROBE_NETD_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "ipc.h"

struct event_base;

/* netd/netd_sandbox.c */
struct netd_sandbox {
	const char		*root_dir;
	unsigned int		 uid;
	unsigned int		 gid;
	enum sandbox_mode	 mode;
};
int	netd_sandbox_enter(const struct netd_sandbox *sb, char *err,
	    size_t errlen);

/* netd/control.c */
struct control_relay {
	Lockprobe__Envelope		env;
	Lockprobe__StatusRequest	status;
	Lockprobe__ReloadRequest	reload;
	Lockprobe__StatsRequest		stats;
	Lockprobe__RewalkRequest	rewalk;
};
int	control_relay_build(const Lockprobe__Envelope *req,
	    struct control_relay *r);
typedef void (*control_status_fn)(Lockprobe__NetdStatus *, void *);
int	control_init(struct event_base *base, struct ipc_channel *privd,
	    control_status_fn fill_status, void *arg);
int	control_start(void);
/* lockprobectl poll, answered by netd: 1 started, else 0 and why. */
typedef int (*control_poll_fn)(char *reason, size_t reasonlen);
void	control_set_poll(control_poll_fn fn);
int	control_answer(Lockprobe__Envelope *env);
unsigned int control_nclients(void);
uint64_t control_rejected(void);

#endif
