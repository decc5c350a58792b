/*
 * remote: netd's remote-configuration poll loop.  Polls the TUF repository
 * on the schedule of pollsched, verifies with the TUF client, chooses this
 * host's configuration per product (products.h), and sends lockstat
 * settings to lockprobed (ConfigApply) or applies netd's own.
 *
 * remote_init runs before the sandbox: it opens the fetch context (DNS
 * configuration, CA file), the store, reads the operator's trusted root and
 * the persisted state.  Everything after that uses sockets and the store's
 * directory descriptor only.
 */
#ifndef LOCKPROBE_REMOTE_H
#define LOCKPROBE_REMOTE_H

#include <sys/types.h>

#include <stddef.h>

#include "ipc.h"

struct event_base;

/* The subdirectory of the state directory that holds netd's store. */
#define REMOTE_STORE_DIR	"store"

/* Returns 0 (also when remote configuration is off), or -1 with err. */
int	remote_init(struct event_base *base, struct ipc_channel *privd,
	    const Lockprobe__NetdSetup *setup, char *err, size_t errlen);
/* After the sandbox: schedule the first poll. */
int	remote_start(void);
void	remote_shutdown(void);

/* lockprobectl poll: 1 if a poll starts now, else 0 and why in reason. */
int	remote_poll_now(char *reason, size_t reasonlen);
/* An answer from lockprobed to a ConfigApply: 1 if it was ours. */
int	remote_apply_reply(const Lockprobe__Envelope *env);
/* Fill ns->remote (storage owned by remote, valid until the next call). */
void	remote_fill_status(Lockprobe__NetdStatus *ns);

#endif
