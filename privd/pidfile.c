/*
 * The pidfile, locked for as long as lockprobed runs: a second instance
 * sees the lock and names the first, and a stale file from a crash is
 * simply taken over.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lockprobed.h"
#include "log.h"

struct pidfile {
	char	*path;
	int	 fd;
};

struct pidfile *
pidfile_open(const char *path, char *err, size_t errlen)
{
	struct pidfile *pf;
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -1) {
		snprintf(err, errlen, "pidfile %s: %s", path, strerror(errno));
		return NULL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int saved = errno;

		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (saved == EWOULDBLOCK)
			snprintf(err, errlen, "lockprobed is already running "
			    "(pid %s, pidfile %s)", buf[0] ? buf : "?", path);
		else
			snprintf(err, errlen, "pidfile %s: lock: %s", path,
			    strerror(saved));
		close(fd);
		return NULL;
	}
	if ((pf = calloc(1, sizeof(*pf))) == NULL ||
	    (pf->path = strdup(path)) == NULL) {
		free(pf);
		close(fd);
		snprintf(err, errlen, "pidfile %s: out of memory", path);
		return NULL;
	}
	pf->fd = fd;
	return pf;
}

int
pidfile_write(struct pidfile *pf, pid_t pid)
{
	char buf[32];
	int len;

	len = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
	if (ftruncate(pf->fd, 0) == -1 ||
	    pwrite(pf->fd, buf, (size_t)len, 0) != len)
		return -1;
	return 0;
}

void
pidfile_remove(struct pidfile *pf)
{
	if (pf == NULL)
		return;
	if (unlink(pf->path) == -1 && errno != ENOENT)
		log_warn("removing pidfile %s", pf->path);
	close(pf->fd);
	free(pf->path);
	free(pf);
}
