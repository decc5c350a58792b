/*
 * mirror: the store with a copy in memory.  See mirror.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mirror.h"

int
mirror_tuf_name(const char *tufname, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t	o = 0;
	unsigned char ch;

	if (outlen < 3)
		return -1;
	out[o++] = 'm';
	out[o++] = '-';
	for (; *tufname != '\0'; tufname++) {
		ch = (unsigned char)*tufname;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-') {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = (char)ch;
		} else {
			if (o + 3 >= outlen)
				return -1;
			out[o++] = '_';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 0xf];
		}
	}
	out[o] = '\0';
	return store_name_valid(out) ? 0 : -1;
}

static struct mirror_file *
find(const struct mirror *m, const char *name)
{
	size_t	i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->f[i].name, name) == 0)
			return &m->f[i];
	return NULL;
}

int
mirror_has(const struct mirror *m, const char *name)
{
	return find(m, name) != NULL;
}

void
mirror_forget(struct mirror *m, const char *name)
{
	struct mirror_file	*f;

	if ((f = find(m, name)) == NULL)
		return;
	free(f->name);
	free(f->data);
	*f = m->f[--m->n];
}

/* Keep a copy of data as name. */
static int
put(struct mirror *m, const char *name, const void *data, size_t len)
{
	struct mirror_file	*f, *nf;
	uint8_t			*copy;

	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, data, len);
	copy[len] = '\0';
	if ((f = find(m, name)) != NULL) {
		free(f->data);
		f->data = copy;
		f->len = len;
		return 0;
	}
	if ((nf = reallocarray(m->f, m->n + 1, sizeof(*nf))) == NULL) {
		free(copy);
		return -1;
	}
	m->f = nf;
	f = &m->f[m->n];
	if ((f->name = strdup(name)) == NULL) {
		free(copy);
		return -1;
	}
	f->data = copy;
	f->len = len;
	m->n++;
	return 0;
}

int
mirror_open(struct mirror *m, const char *dir, uid_t owner, gid_t group,
    char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	if (store_open(&m->st, dir, owner, group, err, errlen) == -1)
		return -1;
	m->open = 1;
	return 0;
}

void
mirror_close(struct mirror *m)
{
	size_t	i;

	if (m->open)
		store_close(&m->st);
	for (i = 0; i < m->n; i++) {
		free(m->f[i].name);
		free(m->f[i].data);
	}
	free(m->f);
	memset(m, 0, sizeof(*m));
}

int
mirror_preload(struct mirror *m, const char *prefix, size_t max_files,
    size_t max_bytes, char *err, size_t errlen)
{
	struct dirent	*de;
	DIR		*d;
	uint8_t		*buf;
	size_t		 len, files = 0, bytes = 0;
	int		 fd;

	if ((fd = openat(m->st.dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (d = fdopendir(fd)) == NULL) {
		snprintf(err, errlen, "%s: cannot list: %s", m->st.path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	while (files < max_files && bytes < max_bytes &&
	    (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
		    !store_name_valid(de->d_name) ||
		    find(m, de->d_name) != NULL)
			continue;
		/* too big for what is left, or unreadable: read when needed */
		if (mirror_read(m, de->d_name, max_bytes - bytes, &buf, &len,
		    err, errlen) != 0)
			continue;
		free(buf);
		files++;
		bytes += len;
	}
	closedir(d);
	return 0;
}

void
mirror_seal(struct mirror *m)
{
	m->sealed = 1;
}

int
mirror_read(struct mirror *m, const char *name, size_t max, uint8_t **buf,
    size_t *len, char *err, size_t errlen)
{
	struct mirror_file	*f;
	int			 rc;

	if (!m->sealed) {
		rc = store_read(&m->st, name, max, buf, len, err, errlen);
		if (rc == 0 && put(m, name, *buf, *len) == -1) {
			free(*buf);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		return rc;
	}
	if ((f = find(m, name)) == NULL)
		return 1;
	if (f->len > max) {
		snprintf(err, errlen, "%s/%s: %zu bytes, more than %zu",
		    m->st.path, name, f->len, max);
		return -1;
	}
	if ((*buf = malloc(f->len + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(*buf, f->data, f->len + 1);
	*len = f->len;
	return 0;
}

int
mirror_write(struct mirror *m, const char *name, const void *data,
    size_t len, char *err, size_t errlen)
{
	if (store_write(&m->st, name, data, len, err, errlen) == -1)
		return -1;
	if (put(m, name, data, len) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
mirror_remove(struct mirror *m, const char *name, char *err, size_t errlen)
{
	mirror_forget(m, name);
	return store_remove(&m->st, name, err, errlen);
}
