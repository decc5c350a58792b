/* lockprobe-netd: the unprivileged, sandboxed network engine. */
#ifndef LOCKPROBE_NETD_H
#define LOCKPROBE_NETD_H

#include <stddef.h>

#include "conf.h"

/* netd/netd_sandbox.c */
struct netd_sandbox {
	const char		*root_dir;
	unsigned int		 uid;
	unsigned int		 gid;
	enum sandbox_mode	 mode;
};
int	netd_sandbox_enter(const struct netd_sandbox *sb, char *err,
	    size_t errlen);

#endif
