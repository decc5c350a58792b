/*
 * mirror: netd's store (store.h) with a copy in memory of every file read
 * or written through it.  Inside the sandbox netd can no longer open a
 * file for reading, so after mirror_seal() reads come from the copies;
 * writes still go to the disk (atomically, through store_write) and to the
 * copy.  Metadata is small: the copies cost less than reading it again.
 */
#ifndef LOCKPROBE_MIRROR_H
#define LOCKPROBE_MIRROR_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct mirror_file {
	char		*name;
	uint8_t		*data;		/* NUL-terminated after len */
	size_t		 len;
};

struct mirror {
	struct store		 st;
	int			 open;
	int			 sealed;	/* reads from memory only */
	struct mirror_file	*f;
	size_t			 n;
};

/* store_open, before the sandbox.  0, or -1 with the reason in err. */
int	mirror_open(struct mirror *m, const char *dir, uid_t owner,
	    gid_t group, char *err, size_t errlen);
void	mirror_close(struct mirror *m);
/*
 * Before the seal: read the files whose names start with prefix that were
 * not read yet (files a client may ask for only later, such as delegated
 * roles), up to max_files files and max_bytes bytes in all; files beyond
 * those are read from memory as absent.  0, or -1 (cannot list the store).
 */
int	mirror_preload(struct mirror *m, const char *prefix, size_t max_files,
	    size_t max_bytes, char *err, size_t errlen);
/* From now on, read from memory only (call it as the sandbox closes). */
void	mirror_seal(struct mirror *m);

/*
 * As store_read (0, 1 if absent, -1 with err), into a new buffer the caller
 * frees; before the seal from the disk (and kept), after it from memory.
 */
int	mirror_read(struct mirror *m, const char *name, size_t max,
	    uint8_t **buf, size_t *len, char *err, size_t errlen);
/* store_write, and the copy replaced.  0, or -1 with err. */
int	mirror_write(struct mirror *m, const char *name, const void *data,
	    size_t len, char *err, size_t errlen);
/* store_remove, and the copy dropped. */
int	mirror_remove(struct mirror *m, const char *name, char *err,
	    size_t errlen);
/* Whether name was read or written (and not removed). */
int	mirror_has(const struct mirror *m, const char *name);
/* Forget the copy of name, leaving the file: it is not to be trusted. */
void	mirror_forget(struct mirror *m, const char *name);

/*
 * The store name of a TUF client local name (root@2.json, percent-encoded
 * role names): "m-" and the name with every byte outside A-Z a-z 0-9 . -
 * written as _XX, so that different names stay different and never meet
 * netd's own files.  0, or -1 if it does not fit or is no store name.
 */
int	mirror_tuf_name(const char *tufname, char *out, size_t outlen);

#endif
