/*
 * store: atomic, durable files in one directory.  See store.h.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

#define TMP_PREFIX	".tmp-"

int
store_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > STORE_NAME_MAX || name[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-' || c == '~' || c == '%' || c == '@'))
			return 0;
	}
	return 1;
}

/* Remove what a crash in store_write left behind. */
static int
remove_temporaries(struct store *st, char *err, size_t errlen)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if ((fd = openat(st->dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (d = fdopendir(fd)) == NULL) {
		snprintf(err, errlen, "%s: cannot list: %s", st->path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, TMP_PREFIX, sizeof(TMP_PREFIX) - 1)
		    != 0)
			continue;
		if (unlinkat(st->dirfd, de->d_name, 0) == -1 &&
		    errno != ENOENT) {
			snprintf(err, errlen, "%s: cannot remove the "
			    "leftover %s: %s", st->path, de->d_name,
			    strerror(errno));
			closedir(d);
			return -1;
		}
	}
	if (errno != 0) {
		snprintf(err, errlen, "%s: cannot list: %s", st->path,
		    strerror(errno));
		closedir(d);
		return -1;
	}
	closedir(d);
	return 0;
}

int
store_open(struct store *st, const char *dir, uid_t owner, gid_t group,
    char *err, size_t errlen)
{
	struct stat sb;

	memset(st, 0, sizeof(*st));
	st->dirfd = -1;
	st->owner = owner;
	snprintf(st->path, sizeof(st->path), "%s", dir);
	if (mkdir(dir, 0700) == 0) {
		if (chown(dir, owner, group) == -1) {
			snprintf(err, errlen, "%s: chown %u:%u: %s", dir,
			    (unsigned)owner, (unsigned)group, strerror(errno));
			return -1;
		}
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create: %s", dir,
		    strerror(errno));
		return -1;
	}
	st->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (st->dirfd == -1) {
		snprintf(err, errlen, "%s: %s", dir, errno == ELOOP ||
		    errno == ENOTDIR ? "not a directory (or a symbolic link)" :
		    strerror(errno));
		return -1;
	}
	if (fstat(st->dirfd, &sb) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if (sb.st_uid != owner) {
		snprintf(err, errlen, "%s: owned by uid %u, not %u; fix with "
		    "chown %u %s", dir, (unsigned)sb.st_uid, (unsigned)owner,
		    (unsigned)owner, dir);
		goto fail;
	}
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errlen, "%s: writable by group or others; fix "
		    "with chmod go-w %s", dir, dir);
		goto fail;
	}
	if (remove_temporaries(st, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	store_close(st);
	return -1;
}

void
store_close(struct store *st)
{
	if (st->dirfd != -1)
		close(st->dirfd);
	st->dirfd = -1;
}

static int
check_name(const struct store *st, const char *name, char *err,
    size_t errlen)
{
	if (store_name_valid(name))
		return 0;
	snprintf(err, errlen, "%s: refusing the file name '%.*s': use 1 to "
	    "%d of A-Z a-z 0-9 . _ - ~ %% @, not starting with '.'", st->path,
	    STORE_NAME_MAX + 8, name, STORE_NAME_MAX);
	return -1;
}

int
store_read(struct store *st, const char *name, size_t max, uint8_t **buf,
    size_t *len, char *err, size_t errlen)
{
	struct stat sb;
	uint8_t *p = NULL;
	size_t have = 0;
	ssize_t n;
	int fd;

	*buf = NULL;
	*len = 0;
	if (check_name(st, name, err, errlen) == -1)
		return -1;
	fd = openat(st->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s/%s: %s", st->path, name,
		    errno == ELOOP ? "a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		snprintf(err, errlen, "%s/%s: %s", st->path, name,
		    strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_nlink != 1 ||
	    sb.st_uid != st->owner) {
		snprintf(err, errlen, "%s/%s: not a regular file with one "
		    "link owned by uid %u", st->path, name,
		    (unsigned)st->owner);
		goto fail;
	}
	if ((unsigned long long)sb.st_size > max) {
		snprintf(err, errlen, "%s/%s: %lld bytes, more than the limit "
		    "of %zu", st->path, name, (long long)sb.st_size, max);
		goto fail;
	}
	if ((p = malloc(max + 1)) == NULL) {
		snprintf(err, errlen, "%s/%s: out of memory", st->path, name);
		goto fail;
	}
	/* read to the limit and one byte more: the file may have grown */
	for (;;) {
		n = read(fd, p + have, max + 1 - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s/%s: read: %s", st->path,
			    name, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have > max) {
			snprintf(err, errlen, "%s/%s: more than the limit of "
			    "%zu bytes", st->path, name, max);
			goto fail;
		}
	}
	close(fd);
	p[have] = '\0';
	*buf = p;
	*len = have;
	return 0;
fail:
	free(p);
	close(fd);
	return -1;
}

int
store_write(struct store *st, const char *name, const void *data,
    size_t len, char *err, size_t errlen)
{
	char tmp[sizeof(TMP_PREFIX) + STORE_NAME_MAX + 32];
	const uint8_t *p = data;
	const char *step;
	size_t off = 0;
	ssize_t n;
	int fd, tries, saved;

	if (check_name(st, name, err, errlen) == -1)
		return -1;
	for (tries = 0;; tries++) {
		snprintf(tmp, sizeof(tmp), TMP_PREFIX "%s.%ld.%u", name,
		    (long)getpid(), st->seq++);
		fd = openat(st->dirfd, tmp, STORE_WRITE_FLAGS,
		    STORE_FILE_MODE);
		if (fd != -1 || errno != EEXIST || tries >= 8)
			break;
	}
	if (fd == -1) {
		snprintf(err, errlen, "%s/%s: cannot create a temporary file: "
		    "%s", st->path, name, strerror(errno));
		return -1;
	}
	step = "write";
	while (off < len) {
		n = write(fd, p + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		off += (size_t)n;
	}
	step = "fsync";
	if (fsync(fd) == -1)
		goto fail;
	step = "close";
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	step = "rename";
	if (renameat(st->dirfd, tmp, st->dirfd, name) == -1)
		goto fail;
	/* the rename is durable once the directory is */
	if (fsync(st->dirfd) == -1) {
		snprintf(err, errlen, "%s/%s: fsync of the directory: %s",
		    st->path, name, strerror(errno));
		return -1;
	}
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlinkat(st->dirfd, tmp, 0);
	snprintf(err, errlen, "%s/%s: %s of %zu bytes failed: %s", st->path,
	    name, step, len, strerror(saved));
	return -1;
}

int
store_remove(struct store *st, const char *name, char *err, size_t errlen)
{
	if (check_name(st, name, err, errlen) == -1)
		return -1;
	if (unlinkat(st->dirfd, name, 0) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "%s/%s: cannot remove: %s", st->path,
		    name, strerror(errno));
		return -1;
	}
	if (fsync(st->dirfd) == -1) {
		snprintf(err, errlen, "%s: fsync: %s", st->path,
		    strerror(errno));
		return -1;
	}
	return 0;
}
