#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <sodium.h>

#include "assets.h"
#include "asset_sums.h"		/* generated: asset_sums[] */

const char *
asset_outcome_name(enum asset_outcome outcome)
{
	static const char *const names[ASSET_OUTCOME_MAX] = {
		[ASSET_LOADED] = "loaded",
		[ASSET_BTF_NOT_FOUND] = "btf not found",
		[ASSET_READ_ERROR] = "asset read error",
		[ASSET_HASH_MISMATCH] = "hash mismatch",
		[ASSET_VERIFIER_ERROR] = "verifier error",
	};

	if ((unsigned int)outcome >= ASSET_OUTCOME_MAX)
		return "?";
	return names[outcome];
}

const char *
asset_expected_sha256(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(asset_sums) / sizeof(asset_sums[0]); i++)
		if (strcmp(asset_sums[i].name, name) == 0)
			return asset_sums[i].sha256;
	return NULL;
}

int
assets_init(struct assets *a, const char *dir,
    const struct btf_search *search, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->btf.memfd = -1;
	if (strlen(dir) >= sizeof(a->dir)) {
		snprintf(err, errlen, "asset-directory: path too long");
		return -1;
	}
	snprintf(a->dir, sizeof(a->dir), "%s", dir);
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return -1;
	}
	if ((a->log_buf = malloc(ASSET_LOG_SIZE)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->have_btf = btf_locate(search, &a->btf, a->btf_error,
	    sizeof(a->btf_error)) == 0;
	return 0;
}

void
assets_free(struct assets *a)
{
	size_t i;

	for (i = 0; i < a->nrecords; i++)
		free(a->records[i].bytes);
	btf_location_release(&a->btf);
	free(a->log_buf);
	memset(a, 0, sizeof(*a));
	a->btf.memfd = -1;
}

static struct asset_record *
record_for(struct assets *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nrecords; i++)
		if (strcmp(a->records[i].name, name) == 0)
			return &a->records[i];
	if (a->nrecords == ASSET_MAX)
		return NULL;
	snprintf(a->records[a->nrecords].name,
	    sizeof(a->records[0].name), "%s", name);
	return &a->records[a->nrecords++];
}

const struct asset_record *
asset_record(const struct assets *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nrecords; i++)
		if (strcmp(a->records[i].name, name) == 0)
			return &a->records[i];
	return NULL;
}

static int
outcome(struct asset_record *r, enum asset_outcome o, char *err,
    size_t errlen)
{
	r->outcomes[o]++;
	r->last = o;
	if (o == ASSET_LOADED)
		r->last_error[0] = '\0';
	else
		snprintf(r->last_error, sizeof(r->last_error), "%s", err);
	(void)errlen;
	return o == ASSET_LOADED ? 0 : -1;
}

/* Read the whole file, bounded, without following a symlink at the end. */
static int
read_asset(const char *path, unsigned char **bytes, size_t *size, char *err,
    size_t errlen)
{
	struct stat st;
	unsigned char *buf;
	size_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || (size_t)st.st_size > ASSET_MAX_SIZE) {
		snprintf(err, errlen, "%s: not a regular file of 1 byte to "
		    "%u MiB", path, ASSET_MAX_SIZE >> 20);
		close(fd);
		return -1;
	}
	if ((buf = malloc((size_t)st.st_size)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n <= 0) {
			snprintf(err, errlen, "%s: %s", path, n == 0 ?
			    "file shrank while read" : strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	close(fd);
	*bytes = buf;
	*size = off;
	return 0;
}

int
asset_open(struct assets *a, const char *name,
    struct bpf_object_skeleton *s, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1], path[PATH_MAX];
	struct asset_record *r;
	const char *want;
	int e;

	if ((r = record_for(a, name)) == NULL) {
		snprintf(err, errlen, "%s: too many assets", name);
		return -1;
	}
	free(r->bytes);
	r->bytes = NULL;
	if (!a->have_btf) {
		snprintf(err, errlen, "%s: %s", name, a->btf_error);
		return outcome(r, ASSET_BTF_NOT_FOUND, err, errlen);
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", a->dir, name) >=
	    sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", name);
		return outcome(r, ASSET_READ_ERROR, err, errlen);
	}
	if (read_asset(path, &r->bytes, &r->size, err, errlen) == -1)
		return outcome(r, ASSET_READ_ERROR, err, errlen);

	crypto_hash_sha256(digest, r->bytes, r->size);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	if ((want = asset_expected_sha256(name)) == NULL ||
	    strcmp(want, hex) != 0) {
		snprintf(err, errlen, "%s: SHA-256 %s, but this lockprobed was "
		    "built with %s; reinstall lockprobe's BPF objects", path,
		    hex, want ? want : "no such asset");
		free(r->bytes);
		r->bytes = NULL;
		return outcome(r, ASSET_HASH_MISMATCH, err, errlen);
	}

	/* The skeleton reads its ELF from here instead of its own copy. */
	s->data = r->bytes;
	s->data_sz = r->size;
	opts.btf_custom_path = btf_custom_path(&a->btf);
	opts.kernel_log_buf = a->log_buf;
	opts.kernel_log_size = ASSET_LOG_SIZE;
	a->log_buf[0] = '\0';
	if ((e = bpf_object__open_skeleton(s, &opts)) != 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(-e));
		free(r->bytes);
		r->bytes = NULL;
		return outcome(r, ASSET_READ_ERROR, err, errlen);
	}
	return 0;
}

/* Keep the end of the verifier's log: that is where it says why. */
static void
keep_log_tail(struct asset_record *r, const char *log)
{
	size_t len = strlen(log), keep = sizeof(r->verifier_log) - 1;

	if (len > keep)
		log += len - keep;
	snprintf(r->verifier_log, sizeof(r->verifier_log), "%s", log);
}

int
asset_load(struct assets *a, const char *name,
    struct bpf_object_skeleton *s, char *err, size_t errlen)
{
	struct asset_record *r;
	int e;

	if ((r = record_for(a, name)) == NULL || r->bytes == NULL) {
		snprintf(err, errlen, "%s: not opened", name);
		return -1;
	}
	e = bpf_object__load_skeleton(s);
	/* libbpf has parsed the ELF; it no longer needs the bytes. */
	free(r->bytes);
	r->bytes = NULL;
	if (e != 0) {
		keep_log_tail(r, a->log_buf);
		snprintf(err, errlen, "%s: the kernel refused to load it: %s%s",
		    name, strerror(-e), r->verifier_log[0] ?
		    " (verifier log kept in status)" : "");
		return outcome(r, ASSET_VERIFIER_ERROR, err, errlen);
	}
	r->verifier_log[0] = '\0';
	return outcome(r, ASSET_LOADED, err, errlen);
}
