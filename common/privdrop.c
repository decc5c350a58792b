#include "config.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"

int
privdrop_check_root_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	if (st.st_uid != 0) {
		snprintf(err, errlen, "%s: owned by uid %u, must be owned by "
		    "root; fix with chown root %s", dir, (unsigned)st.st_uid,
		    dir);
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errlen, "%s: writable by group or others; fix "
		    "with chmod go-w %s", dir, dir);
		return -1;
	}
	return 0;
}

static int
set_limit(int resource, rlim_t value, const char *name, char *err,
    size_t errlen)
{
	struct rlimit rl = { .rlim_cur = value, .rlim_max = value };

	if (setrlimit(resource, &rl) == -1) {
		snprintf(err, errlen, "setrlimit %s %llu: %s", name,
		    (unsigned long long)value, strerror(errno));
		return -1;
	}
	return 0;
}

int
privdrop_apply(const struct privdrop *pd, char *err, size_t errlen)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (pd->uid == 0 || pd->gid == 0) {
		snprintf(err, errlen, "refusing to run as uid %u gid %u: the "
		    "sandbox needs an unprivileged user", (unsigned)pd->uid,
		    (unsigned)pd->gid);
		return -1;
	}
	if (privdrop_check_root_dir(pd->root_dir, err, errlen) == -1)
		return -1;
	if (chroot(pd->root_dir) == -1) {
		snprintf(err, errlen, "chroot %s: %s", pd->root_dir,
		    strerror(errno));
		return -1;
	}
	if (chdir("/") == -1) {
		snprintf(err, errlen, "chdir / in %s: %s", pd->root_dir,
		    strerror(errno));
		return -1;
	}

	if (setgroups(1, &pd->gid) == -1 ||
	    setresgid(pd->gid, pd->gid, pd->gid) == -1 ||
	    setresuid(pd->uid, pd->uid, pd->uid) == -1) {
		snprintf(err, errlen, "cannot change to uid %u gid %u: %s",
		    (unsigned)pd->uid, (unsigned)pd->gid, strerror(errno));
		return -1;
	}
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1 ||
	    ruid != pd->uid || euid != pd->uid || suid != pd->uid ||
	    rgid != pd->gid || egid != pd->gid || sgid != pd->gid) {
		snprintf(err, errlen, "uid/gid change to %u/%u did not stick",
		    (unsigned)pd->uid, (unsigned)pd->gid);
		return -1;
	}
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1) {
		snprintf(err, errlen, "root could be regained after dropping "
		    "to uid %u", (unsigned)pd->uid);
		return -1;
	}

	if (set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE", err, errlen) == -1 ||
	    set_limit(RLIMIT_NPROC, 0, "RLIMIT_NPROC", err, errlen) == -1 ||
	    set_limit(RLIMIT_NOFILE, pd->max_files, "RLIMIT_NOFILE", err,
	    errlen) == -1 ||
	    set_limit(RLIMIT_FSIZE, pd->max_file_size, "RLIMIT_FSIZE", err,
	    errlen) == -1)
		return -1;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		snprintf(err, errlen, "PR_SET_DUMPABLE: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}
