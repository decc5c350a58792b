#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <zlib.h>

#include "btf.h"
#include "clock.h"

struct tried {
	char	*buf;
	size_t	 size;
	size_t	 used;
};

static void
tried_add(struct tried *t, const char *path, const char *why)
{
	int n;

	if (t->used >= t->size)
		return;
	n = snprintf(t->buf + t->used, t->size - t->used, "%s%s (%s)",
	    t->used > 0 ? ", " : "", path, why);
	if (n > 0)
		t->used += (size_t)n < t->size - t->used ? (size_t)n :
		    t->size - t->used - 1;
}

const char *
btf_origin_name(enum btf_origin origin)
{
	switch (origin) {
	case BTF_FROM_CONFIG:		return "btf-path";
	case BTF_FROM_KERNEL:		return "kernel";
	case BTF_FROM_FALLBACK:		return "btf-directory";
	case BTF_FROM_FALLBACK_GZIP:	return "btf-directory (gzip)";
	}
	return "?";
}

const char *
btf_custom_path(const struct btf_location *loc)
{
	return loc->origin == BTF_FROM_KERNEL ? NULL : loc->path;
}

/* Parse the file as BTF; on failure say why in why. */
static int
btf_check(const char *path, size_t *size, char *why, size_t whylen)
{
	struct stat st;
	struct btf *btf;
	long e;

	if (stat(path, &st) == -1) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		return -1;
	}
	btf = btf__parse_raw(path);
	if ((e = libbpf_get_error(btf)) != 0) {
		snprintf(why, whylen, "not valid BTF: %s", strerror((int)-e));
		return -1;
	}
	if (btf__type_cnt(btf) < 2) {
		btf__free(btf);
		snprintf(why, whylen, "not valid BTF: no types");
		return -1;
	}
	btf__free(btf);
	*size = (size_t)st.st_size;
	return 0;
}

/* Decompress a gzip file into a sealed memfd. */
static int
gunzip_to_memfd(const char *file, size_t *size, char *why, size_t whylen)
{
	unsigned char buf[65536];
	size_t total = 0;
	gzFile gz;
	int fd, n, zerr;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if ((gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		snprintf(why, whylen, "cannot read as gzip");
		return -1;
	}
	if ((fd = memfd_create("lockprobe-btf", MFD_CLOEXEC |
	    MFD_ALLOW_SEALING)) == -1) {
		snprintf(why, whylen, "memfd_create: %s", strerror(errno));
		gzclose(gz);
		return -1;
	}
	while ((n = gzread(gz, buf, sizeof(buf))) > 0) {
		total += (size_t)n;
		if (total > BTF_MAX_SIZE) {
			snprintf(why, whylen, "decompresses to more than %u "
			    "MiB", BTF_MAX_SIZE >> 20);
			goto fail;
		}
		if (write(fd, buf, (size_t)n) != n) {
			snprintf(why, whylen, "writing memfd: %s",
			    strerror(errno));
			goto fail;
		}
	}
	if (n < 0) {
		snprintf(why, whylen, "corrupt gzip data: %s",
		    gzerror(gz, &zerr));
		goto fail;
	}
	gzclose(gz);
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE | F_SEAL_SEAL) == -1) {
		snprintf(why, whylen, "sealing memfd: %s", strerror(errno));
		close(fd);
		return -1;
	}
	*size = total;
	return fd;
fail:
	gzclose(gz);
	close(fd);
	return -1;
}

static int
try_file(const char *file, enum btf_origin origin, struct btf_location *loc,
    struct tried *t)
{
	char why[256];

	if (btf_check(file, &loc->size, why, sizeof(why)) == -1) {
		tried_add(t, file, why);
		return -1;
	}
	loc->origin = origin;
	snprintf(loc->file, sizeof(loc->file), "%s", file);
	snprintf(loc->path, sizeof(loc->path), "%s", file);
	return 0;
}

static int
try_gzip(const char *file, struct btf_location *loc, struct tried *t)
{
	char why[256], path[64];
	size_t size;
	int fd;

	if (access(file, F_OK) == -1) {
		tried_add(t, file, strerror(errno));
		return -1;
	}
	if ((fd = gunzip_to_memfd(file, &size, why, sizeof(why))) == -1) {
		tried_add(t, file, why);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (btf_check(path, &loc->size, why, sizeof(why)) == -1) {
		close(fd);
		tried_add(t, file, why);
		return -1;
	}
	loc->origin = BTF_FROM_FALLBACK_GZIP;
	loc->memfd = fd;
	snprintf(loc->file, sizeof(loc->file), "%s", file);
	snprintf(loc->path, sizeof(loc->path), "%s", path);
	return 0;
}

int
btf_locate(const struct btf_search *search, struct btf_location *loc,
    char *err, size_t errlen)
{
	char file[PATH_MAX], tried_buf[2048];
	struct tried t = { tried_buf, sizeof(tried_buf), 0 };
	uint64_t start;
	struct utsname uts;
	const char *release = search->release;
	int rc = -1;

	memset(loc, 0, sizeof(*loc));
	loc->memfd = -1;
	tried_buf[0] = '\0';
	start = monotonic_ns();

	if (search->configured != NULL && search->configured[0] != '\0') {
		if (try_file(search->configured, BTF_FROM_CONFIG, loc, &t) == 0)
			rc = 0;
		else
			snprintf(err, errlen, "btf-path: %s; fix btf-path or "
			    "set it to \"\" to search the usual places",
			    tried_buf);
		goto out;
	}
	if (try_file(search->kernel_path, BTF_FROM_KERNEL, loc, &t) == 0) {
		rc = 0;
		goto out;
	}
	if (release == NULL) {
		if (uname(&uts) == -1) {
			snprintf(err, errlen, "uname: %s", strerror(errno));
			goto out;
		}
		release = uts.release;
	}
	snprintf(file, sizeof(file), "%s/%s.btf", search->fallback_dir,
	    release);
	if (try_file(file, BTF_FROM_FALLBACK, loc, &t) == 0) {
		rc = 0;
		goto out;
	}
	snprintf(file, sizeof(file), "%s/%s.btf.gz", search->fallback_dir,
	    release);
	if (try_gzip(file, loc, &t) == 0) {
		rc = 0;
		goto out;
	}
	snprintf(err, errlen, "no usable kernel BTF for %s; tried %s; put "
	    "%s.btf or %s.btf.gz in btf-directory, or set btf-path",
	    release, tried_buf, release, release);
out:
	loc->seconds = elapsed_sec(start);
	return rc;
}

void
btf_location_release(struct btf_location *loc)
{
	if (loc->memfd != -1)
		close(loc->memfd);
	loc->memfd = -1;
}
