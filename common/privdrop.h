/*
 * Dropping privilege, in one fixed order (see privdrop_apply), for the
 * sandboxed processes.
 */
#ifndef LOCKPROBE_PRIVDROP_H
#define LOCKPROBE_PRIVDROP_H

#include <sys/resource.h>
#include <sys/types.h>
#include <stddef.h>

struct privdrop {
	const char	*root_dir;	/* chroot here */
	uid_t		 uid;
	gid_t		 gid;
	rlim_t		 max_files;	/* RLIMIT_NOFILE */
	rlim_t		 max_file_size;	/* RLIMIT_FSIZE */
};

/*
 * A directory fit to chroot into: a directory, owned by root, not writable
 * by group or others.  Returns 0, or -1 with the reason and the fix in err.
 */
int	privdrop_check_root_dir(const char *dir, char *err, size_t errlen);

/*
 * chroot and chdir("/"); setgroups, setresgid, setresuid; check that root
 * cannot be regained; resource limits (no core files, no new processes);
 * not dumpable; no_new_privs.  Returns 0, or -1 with what failed in err: the
 * process must then exit, its privilege state is undefined.
 */
int	privdrop_apply(const struct privdrop *pd, char *err, size_t errlen);

#endif
