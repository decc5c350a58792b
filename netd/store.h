/*
 * store: netd's persisted files (trusted TUF metadata, fetch validators),
 * in one directory inside its state directory.
 *
 * The state directory itself is netd's chroot and owned by root, so the
 * store lives in a subdirectory owned by netd's user, opened once by
 * store_open() before the sandbox; every later operation is relative to
 * that descriptor.  Reads happen at start-up, before the seccomp filter;
 * afterwards the sandbox needs only openat with exactly STORE_WRITE_FLAGS
 * (a new file, never an existing one, never for reading), write, fsync,
 * renameat and unlinkat.
 *
 * Writes are atomic: a temporary file (".tmp-" prefix) is written, fsynced
 * and renamed over the target, then the directory is fsynced.  A crash
 * leaves either the old or the new file, plus perhaps a temporary file,
 * which store_open() removes.  The store returns bytes only: whether they
 * are intact (lengths, hashes, signatures) is the caller's check.
 */
#ifndef LOCKPROBE_STORE_H
#define LOCKPROBE_STORE_H

#include <sys/types.h>

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_NAME_MAX		128
#define STORE_WRITE_FLAGS	(O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | \
				    O_NOFOLLOW)
#define STORE_FILE_MODE		0600

struct store {
	int		 dirfd;
	uid_t		 owner;
	unsigned int	 seq;		/* temporary file names */
	char		 path[256];	/* for messages */
};

/*
 * Open (creating it, mode 0700, owned by owner:group, if missing) the store
 * directory dir, which must be a real directory, not a symbolic link, owned
 * by owner.  Removes temporary files a crash left behind.  Run it before
 * the sandbox.  Returns 0, or -1 with the reason in err.
 */
int	store_open(struct store *st, const char *dir, uid_t owner,
	    gid_t group, char *err, size_t errlen);
void	store_close(struct store *st);

/*
 * A valid name: 1..STORE_NAME_MAX of [A-Za-z0-9._~%@-], not starting with
 * '.': the TUF client's local names (root@N.json, percent-encoded roles).
 */
int	store_name_valid(const char *name);

/*
 * Read the file name, at most max bytes, into a new buffer (*buf, freed by
 * the caller, NUL-terminated for convenience; *len excludes the NUL).  The
 * file must be a regular file with one link, owned by the store's owner.
 * Before the sandbox only.  Returns 0, 1 if there is no such file, or -1
 * with the reason in err (including a file larger than max).
 */
int	store_read(struct store *st, const char *name, size_t max,
	    uint8_t **buf, size_t *len, char *err, size_t errlen);

/*
 * Replace the file name with len bytes, atomically and durably.  Returns 0,
 * or -1 with the reason in err, the old content then being intact.  A
 * file size limit (RLIMIT_FSIZE) is reported as an error only if SIGXFSZ
 * is ignored, as netd's sandbox does.
 */
int	store_write(struct store *st, const char *name, const void *data,
	    size_t len, char *err, size_t errlen);

/* Remove the file name; no such file is not an error. */
int	store_remove(struct store *st, const char *name, char *err,
	    size_t errlen);

#endif
