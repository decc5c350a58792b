/*
 * Kernel symbol resolution.  The iterator (bpf/ksym.bpf.c) filters in the
 * kernel with a hash map of the requested names, so only matches cross to
 * user space; /proc/kallsyms is the fallback and can be called directly so
 * that the two can be compared.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "assets.h"
#include "clock.h"
#include "log.h"
#include "ksym.h"
#include "../bpf/ksym.h"
#include "mapwalk.h"		/* collector_libbpf_log_init() */

/* The generated skeleton casts its embedded ELF bytes' const away. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#include "ksym.skel.h"
#pragma GCC diagnostic pop

#define KALLSYMS_PATH	"/proc/kallsyms"

const char *
ksym_method_name(enum ksym_method m)
{
	switch (m) {
	case KSYM_METHOD_ITER:
		return "bpf-iterator";
	case KSYM_METHOD_KALLSYMS:
		return "kallsyms";
	default:
		return "none";
	}
}

static void
reset(struct ksym_query *q, size_t n, struct ksym_report *rep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		q[i].addr = 0;
		q[i].found = 0;
		q[i].type = 0;
		q[i].in_module = 0;
		q[i].nmatches = 0;
	}
	rep->method = KSYM_METHOD_NONE;
	rep->elapsed_ns = 0;
	rep->nsyms = 0;
	rep->nfound = 0;
}

static int
check_names(const struct ksym_query *q, size_t n, size_t maxlen, char *err,
    size_t errlen)
{
	size_t i, len;

	for (i = 0; i < n; i++) {
		if (q[i].name == NULL || (len = strlen(q[i].name)) == 0) {
			snprintf(err, errlen, "ksym: query %zu has no name", i);
			return -1;
		}
		if (len > maxlen) {
			snprintf(err, errlen, "ksym: symbol name \"%.32s...\" is "
			    "longer than %zu bytes", q[i].name, maxlen);
			return -1;
		}
	}
	return 0;
}

/* Record one match for query i; the first match in kallsyms order wins. */
static void
match(struct ksym_query *q, uint64_t addr, char type, int in_module)
{
	if (q->nmatches++ == 0) {
		q->addr = addr;
		q->type = type;
		q->in_module = in_module;
		q->found = 1;
	}
}

/* Copy results to later queries that repeat an earlier name. */
static void
finish(struct ksym_query *q, size_t n, struct ksym_report *rep)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(q[i].name, q[j].name) == 0) {
				q[i].addr = q[j].addr;
				q[i].type = q[j].type;
				q[i].in_module = q[j].in_module;
				q[i].found = q[j].found;
				q[i].nmatches = q[j].nmatches;
				break;
			}
		}
		if (q[i].found)
			rep->nfound++;
	}
}

int
ksym_resolve_iter(struct assets *a, struct ksym_query *q, size_t n,
    struct ksym_report *rep, char *err, size_t errlen)
{
	struct ksym_bpf *skel = NULL;
	struct bpf_link *link = NULL;
	struct ksym_rec recs[256];
	struct ksym_key key;
	uint64_t t0 = monotonic_ns();
	size_t i, k;
	ssize_t nr;
	uint32_t idx;
	int fd = -1, rc = -1, e, mfd;

	reset(q, n, rep);
	if (check_names(q, n, KSYM_KEY_LEN - 2, err, errlen) != 0)
		return -1;
	collector_libbpf_log_init();
	if ((skel = calloc(1, sizeof(*skel))) == NULL ||
	    ksym_bpf__create_skeleton(skel) != 0) {
		snprintf(err, errlen, "ksym iterator: out of memory");
		goto done;
	}
	if (asset_open(a, KSYM_ASSET, skel->skeleton, err, errlen) == -1)
		goto done;
	if ((e = bpf_map__set_max_entries(skel->maps.ksym_req,
	    n > 0 ? (uint32_t)n : 1)) != 0) {
		snprintf(err, errlen, "ksym iterator: sizing the request map: %s",
		    strerror(-e));
		goto done;
	}
	if (asset_load(a, KSYM_ASSET, skel->skeleton, err, errlen) == -1)
		goto done;
	mfd = bpf_map__fd(skel->maps.ksym_req);
	for (i = 0; i < n; i++) {
		memset(&key, 0, sizeof(key));
		memcpy(key.name, q[i].name, strlen(q[i].name));
		idx = (uint32_t)i;
		/* BPF_NOEXIST: a repeated name keeps its first index. */
		if (bpf_map_update_elem(mfd, &key, &idx, BPF_NOEXIST) != 0 &&
		    errno != EEXIST) {
			e = errno;
			snprintf(err, errlen, "ksym iterator: adding \"%s\": %s",
			    q[i].name, strerror(e));
			goto done;
		}
	}
	if ((link = bpf_program__attach_iter(skel->progs.ksym_find, NULL)) == NULL) {
		e = errno;
		snprintf(err, errlen, "ksym iterator: attaching: %s", strerror(e));
		goto done;
	}
	if ((fd = bpf_iter_create(bpf_link__fd(link))) < 0) {
		e = errno;
		snprintf(err, errlen, "ksym iterator: creating: %s", strerror(e));
		goto done;
	}
	/* seq reads hand out whole records when the buffer holds whole ones */
	for (;;) {
		nr = read(fd, recs, sizeof(recs));
		if (nr < 0 && errno == EINTR)
			continue;
		if (nr < 0) {
			e = errno;
			snprintf(err, errlen, "ksym iterator: reading: %s",
			    strerror(e));
			goto done;
		}
		if (nr == 0)
			break;
		if (nr % (ssize_t)sizeof(recs[0]) != 0) {
			snprintf(err, errlen, "ksym iterator: short record "
			    "(%zd bytes)", nr);
			goto done;
		}
		for (k = 0; k < (size_t)nr / sizeof(recs[0]); k++) {
			if (recs[k].req >= n)
				continue;
			match(&q[recs[k].req], recs[k].addr, (char)recs[k].type,
			    (recs[k].flags & KSYM_F_MODULE) != 0);
		}
	}
	rep->nsyms = skel->bss->nsyms;
	if (rep->nsyms == 0) {
		snprintf(err, errlen, "ksym iterator: no kernel symbols seen");
		goto done;
	}
	finish(q, n, rep);
	rep->method = KSYM_METHOD_ITER;
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	ksym_bpf__destroy(skel);
	rep->elapsed_ns = monotonic_ns() - t0;
	if (rc != 0)
		reset(q, n, rep);
	return rc;
}

struct qref {
	const char	*name;
	size_t		 idx;
};

static int
cmp_qref(const void *a, const void *b)
{
	return strcmp(((const struct qref *)a)->name,
	    ((const struct qref *)b)->name);
}

int
ksym_resolve_kallsyms(const char *path, struct ksym_query *q, size_t n,
    struct ksym_report *rep, char *err, size_t errlen)
{
	struct qref *refs = NULL, key, *hit;
	uint64_t t0 = monotonic_ns(), addr, nonzero = 0;
	char *line = NULL, *p, *name, *end, type;
	size_t cap = 0, i;
	ssize_t len;
	FILE *f = NULL;
	int rc = -1, e, in_module;

	reset(q, n, rep);
	if (path == NULL)
		path = KALLSYMS_PATH;
	if (check_names(q, n, 4096, err, errlen) != 0)
		return -1;
	if ((refs = calloc(n ? n : 1, sizeof(*refs))) == NULL) {
		snprintf(err, errlen, "kallsyms: out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		refs[i].name = q[i].name;
		refs[i].idx = i;
	}
	qsort(refs, n, sizeof(*refs), cmp_qref);
	if ((f = fopen(path, "re")) == NULL) {
		e = errno;
		snprintf(err, errlen, "kallsyms: %s: %s", path, strerror(e));
		goto done;
	}
	/* "ffffffff81000000 T _text" or "... t name\t[module]" */
	while ((len = getline(&line, &cap, f)) > 0) {
		addr = strtoull(line, &end, 16);
		if (end == line || *end != ' ')
			continue;
		rep->nsyms++;
		if (addr != 0)
			nonzero++;
		p = end + 1;
		if (*p == '\0' || p[1] != ' ')
			continue;
		type = *p;
		name = p + 2;
		in_module = 0;
		for (p = name; *p != '\0' && *p != '\t' && *p != '\n' &&
		    *p != ' '; p++)
			;
		if (*p == '\t')
			in_module = 1;
		*p = '\0';
		key.name = name;
		hit = bsearch(&key, refs, n, sizeof(*refs), cmp_qref);
		if (hit == NULL)
			continue;
		/* bsearch may land on any of several equal names: use the first */
		while (hit > refs && strcmp(hit[-1].name, name) == 0)
			hit--;
		match(&q[hit->idx], addr, type, in_module);
	}
	if (ferror(f)) {
		snprintf(err, errlen, "kallsyms: reading %s failed", path);
		goto done;
	}
	if (rep->nsyms == 0) {
		snprintf(err, errlen, "kallsyms: %s lists no symbols", path);
		goto done;
	}
	if (nonzero == 0) {
		snprintf(err, errlen, "kallsyms: %s shows only zero addresses: "
		    "the reader needs CAP_SYSLOG, and kernel.kptr_restrict "
		    "must be below 2", path);
		goto done;
	}
	finish(q, n, rep);
	rep->method = KSYM_METHOD_KALLSYMS;
	rc = 0;
done:
	if (f != NULL)
		fclose(f);
	free(line);
	free(refs);
	rep->elapsed_ns = monotonic_ns() - t0;
	if (rc != 0) {
		uint64_t el = rep->elapsed_ns;

		reset(q, n, rep);
		rep->elapsed_ns = el;
	}
	return rc;
}

int
ksym_resolve(struct assets *a, struct ksym_query *q, size_t n,
    struct ksym_report *rep, char *err, size_t errlen)
{
	char ierr[sizeof(rep->iter_error)];
	uint64_t t0 = monotonic_ns();

	ierr[0] = '\0';
	if (ksym_resolve_iter(a, q, n, rep, ierr, sizeof(ierr)) == 0) {
		rep->iter_error[0] = '\0';
		return 0;
	}
	log_debug("%s; falling back to %s", ierr, KALLSYMS_PATH);
	if (ksym_resolve_kallsyms(NULL, q, n, rep, err, errlen) != 0) {
		size_t l = strlen(err);

		if (l < errlen)
			snprintf(err + l, errlen - l, " (after: %s)", ierr);
		snprintf(rep->iter_error, sizeof(rep->iter_error), "%s", ierr);
		rep->elapsed_ns = monotonic_ns() - t0;
		return -1;
	}
	snprintf(rep->iter_error, sizeof(rep->iter_error), "%s", ierr);
	rep->elapsed_ns = monotonic_ns() - t0;
	return 0;
}
