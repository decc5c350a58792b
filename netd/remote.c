/*
 * remote: the poll loop.  See remote.h.
 *
 * The TUF client (tuf/client.c) is synchronous: its fetch callback must
 * return the bytes.  netd's fetches are asynchronous (libevent), so each
 * step of a poll runs the client against a cache of what this poll has
 * fetched so far; a file that is not in the cache yet is recorded as
 * missing, the step gives up, the file is fetched, and the step runs again.
 * Every file is still fetched once per poll, and the client's state only
 * moves forward (what it verified stays verified), so running a step again
 * is safe.  Root versions are fetched before the client runs, so that a
 * whole root rotation is verified in one run.
 *
 * One poll:
 *   1. GET metadata/timestamp.json, conditional on the stored ETag and
 *      Last-Modified: 304 costs one request and no body.  404: the
 *      repository is not there.
 *   2. New timestamp: GET N+1.root.json, N+2... until 404, then the full
 *      workflow (tuf_client_refresh_timestamp), fetching what it asks for.
 *   3. Products: choose this host's target per product, fetch and parse it
 *      if it changed, and apply it.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "client.h"
#include "fetch.h"
#include "json.h"
#include "log.h"
#include "pollsched.h"
#include "products.h"
#include "remote.h"
#include "mirror.h"
#include "tuf_util.h"

#define REMOTE_URL_MAX		(CONF_MAX_URL + 3 * TUF_MAX_TARGET_PATH + 256)
#define REMOTE_CACHE_MAX	512	/* files fetched in one poll */
#define REMOTE_ERR_MAX		512
#define REMOTE_PRELOAD_MAX	(4 * 1024 * 1024) /* stored roles read at start */
#define APPLY_TIMEOUT_SEC	30	/* then the next poll sends it again */
#define STATE_FILE		"netd-apply.json"
#define VALIDATORS_FILE		"netd-validators.json"
#define STATE_MAX		(16 * 1024)
/* a fetch: DNS, connect and TLS; no progress; the whole exchange */
#define CONNECT_TIMEOUT_MS	10000
#define READ_TIMEOUT_MS		10000
#define TOTAL_TIMEOUT_MS	60000

/* A file this poll fetched: bytes, or "not found". */
struct cached {
	enum tuf_fetch_kind	 kind;
	char			*path;
	int			 status;	/* TUF_OK or TUF_NOTFOUND */
	uint8_t			*data;
	size_t			 len;
};

/* One configuration: applied, refused, or on its way to lockprobed. */
struct cfg_state {
	char			 target[TUF_MAX_TARGET_PATH + 1]; /* "": local */
	uint64_t		 version;	/* of the targets role */
	char			 sha256[65];
	int64_t			 when;
	char			 error[REMOTE_ERR_MAX];
	int			 set;
	int			 run;		/* decided in this run */
};

struct product_state {
	struct cfg_state	 applied;	/* in force */
	struct cfg_state	 refused;	/* the last one refused */
	struct cfg_state	 pending;	/* sent, no answer yet */
	uint64_t		 pending_id;
	uint64_t		 pending_ms;	/* sent at (monotonic) */
	int			 sent;		/* applied since this start */
	int			 revert_on_expiry;
	int			 expired_handled;
};

enum phase {
	PHASE_IDLE,
	PHASE_TIMESTAMP,
	PHASE_ROOTS,
	PHASE_REFRESH,
	PHASE_PRODUCTS
};

struct remote {
	int			 enabled;
	struct event_base	*base;
	struct ipc_channel	*privd;
	struct fetch_ctx	*fetch;
	struct mirror		 store;
	struct tuf_client_config tcfg;
	struct tuf_io		 io;
	struct tuf_client	*tuf;
	char			 url[CONF_MAX_URL + 2];	/* ends in '/' */
	struct host_id		 host;
	char			 host_name[256];

	/* schedule */
	struct poll_params	 params;
	struct poll_params	 local_params;	/* lockprobe.conf's */
	int			 local_log_level;
	struct poll_sched	 sched;
	struct event		*timer;

	/* the poll in progress */
	enum phase		 phase;
	struct fetch		*inflight;
	struct cached		*cache;
	size_t			 ncache;
	int			 miss;
	enum tuf_fetch_kind	 miss_kind;
	char			 miss_path[3 * TUF_MAX_TARGET_PATH + 160];
	size_t			 miss_max;
	struct tuf_buf		 ts;		/* the new timestamp.json */
	char			 new_etag[FETCH_VALIDATOR_MAX + 1];
	char			 new_lastmod[FETCH_VALIDATOR_MAX + 1];
	int			 conditional;
	int64_t			 next_root;
	unsigned long		 requests;	/* this poll */
	uint64_t		 bytes;		/* this poll */

	/* trusted state */
	char			 etag[FETCH_VALIDATOR_MAX + 1];
	char			 lastmod[FETCH_VALIDATOR_MAX + 1];
	struct product_state	 prod[PRODUCT_COUNT];

	/* status */
	int64_t			 last_poll, last_success, next_poll;
	uint64_t		 polls, failures;
	char			 last_error[REMOTE_ERR_MAX];
	char			 expiry_action[REMOTE_ERR_MAX];
	unsigned long		 last_requests;
	uint64_t		 last_bytes;
};

static struct remote remote;

static void	poll_begin(struct remote *);
static void	poll_finish(struct remote *, enum poll_outcome, const char *);
static void	run_refresh(struct remote *);
static void	run_products(struct remote *);

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int64_t
wall(void)
{
	return (int64_t)time(NULL);
}

/* --- the TUF client's callbacks ---------------------------------------------- */

static struct cached *
cache_find(struct remote *r, enum tuf_fetch_kind kind, const char *path)
{
	size_t	i;

	for (i = 0; i < r->ncache; i++)
		if (r->cache[i].kind == kind &&
		    strcmp(r->cache[i].path, path) == 0)
			return &r->cache[i];
	return NULL;
}

static void
cache_clear(struct remote *r)
{
	size_t	i;

	for (i = 0; i < r->ncache; i++) {
		free(r->cache[i].path);
		free(r->cache[i].data);
	}
	free(r->cache);
	r->cache = NULL;
	r->ncache = 0;
}

static int
cache_put(struct remote *r, enum tuf_fetch_kind kind, const char *path,
    int status, const void *data, size_t len)
{
	struct cached	*nc, *c;

	if (r->ncache >= REMOTE_CACHE_MAX ||
	    (nc = reallocarray(r->cache, r->ncache + 1, sizeof(*nc))) == NULL)
		return -1;
	r->cache = nc;
	c = &r->cache[r->ncache];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->status = status;
	if ((c->path = strdup(path)) == NULL ||
	    (len > 0 && (c->data = malloc(len)) == NULL)) {
		free(c->path);
		return -1;
	}
	if (len > 0)
		memcpy(c->data, data, len);
	c->len = len;
	r->ncache++;
	return 0;
}

static int
io_fetch(void *arg, enum tuf_fetch_kind kind, const char *path,
    size_t maxlen, struct tuf_buf *out, char *err, size_t errlen)
{
	struct remote	*r = arg;
	struct cached	*c;

	if ((c = cache_find(r, kind, path)) != NULL) {
		if (c->status != TUF_OK)
			return c->status;
		if (c->len > maxlen) {
			tuf_seterr(err, errlen, "%zu bytes exceed the limit "
			    "of %zu", c->len, maxlen);
			return TUF_ERR;
		}
		return tuf_buf_append(out, c->data, c->len, err, errlen);
	}
	if (!r->miss) {
		r->miss = 1;
		r->miss_kind = kind;
		r->miss_max = maxlen;
		snprintf(r->miss_path, sizeof(r->miss_path), "%s", path);
	}
	tuf_seterr(err, errlen, "not fetched yet");
	return TUF_ERR;
}

static int
io_load(void *arg, const char *name, size_t maxlen, struct tuf_buf *out,
    char *err, size_t errlen)
{
	struct remote	*r = arg;
	uint8_t		*buf;
	size_t		 len;
	char		 sname[STORE_NAME_MAX + 1];
	int		 rc;

	if (mirror_tuf_name(name, sname, sizeof(sname)) == -1)
		return TUF_NOTFOUND;	/* never stored either */
	rc = mirror_read(&r->store, sname, maxlen, &buf, &len, err, errlen);
	if (rc == 1)
		return TUF_NOTFOUND;
	if (rc == -1) {
		/* a cache, not a source of trust: report it, go on */
		log_warnx("store: %s; fetching it again", err);
		return TUF_NOTFOUND;
	}
	rc = tuf_buf_append(out, buf, len, err, errlen);
	free(buf);
	return rc;
}

static int
io_store(void *arg, const char *name, const void *data, size_t len,
    char *err, size_t errlen)
{
	struct remote	*r = arg;
	char		 sname[STORE_NAME_MAX + 1];

	if (mirror_tuf_name(name, sname, sizeof(sname)) == -1) {
		tuf_seterr(err, errlen, "no store name for %s", name);
		return TUF_ERR;
	}
	return mirror_write(&r->store, sname, data, len, err, errlen) == 0 ?
	    TUF_OK : TUF_ERR;
}

static int
io_remove(void *arg, const char *name, char *err, size_t errlen)
{
	struct remote	*r = arg;
	char		 sname[STORE_NAME_MAX + 1];

	if (mirror_tuf_name(name, sname, sizeof(sname)) == -1)
		return TUF_OK;
	return mirror_remove(&r->store, sname, err, errlen) == 0 ? TUF_OK :
	    TUF_ERR;
}

/*
 * The client ignores stored metadata that does not verify (a cache, never
 * a source of trust); say so, since it means a damaged or tampered store.
 */
static void
io_untrusted(void *arg, const char *name, const char *why)
{
	struct remote	*r = arg;
	char		 sname[STORE_NAME_MAX + 1];

	if (mirror_tuf_name(name, sname, sizeof(sname)) == -1)
		return;
	log_warnx("store: %s/%s is not trusted: %s; ignored, it is fetched "
	    "again", r->store.st.path, sname, why);
	mirror_forget(&r->store, sname);
}

/* --- persisted state: validators and apply state -------------------------- */

static void
load_validators(struct remote *r)
{
	json_t		*doc;
	uint8_t		*buf;
	size_t		 len;
	char		 err[256];
	const char	*s;

	if (mirror_read(&r->store, VALIDATORS_FILE, 4096, &buf, &len, err,
	    sizeof(err)) != 0)
		return;
	doc = tuf_json_loadb((char *)buf, len, 4096, 0, NULL, 0);
	free(buf);
	if (doc == NULL) {
		log_warnx("store: %s/%s is not JSON; the next poll is not "
		    "conditional", r->store.st.path, VALIDATORS_FILE);
		return;
	}
	if ((s = json_string_value(json_object_get(doc, "etag"))) != NULL)
		snprintf(r->etag, sizeof(r->etag), "%s", s);
	if ((s = json_string_value(json_object_get(doc, "last_modified"))) !=
	    NULL)
		snprintf(r->lastmod, sizeof(r->lastmod), "%s", s);
	json_decref(doc);
}

static void
save_validators(struct remote *r)
{
	json_t	*doc;
	char	*text, err[256];

	doc = json_pack("{s:s, s:s}", "etag", r->etag, "last_modified",
	    r->lastmod);
	if (doc == NULL || (text = json_dumps(doc, JSON_COMPACT)) == NULL) {
		json_decref(doc);
		return;
	}
	json_decref(doc);
	if (mirror_write(&r->store, VALIDATORS_FILE, text, strlen(text), err,
	    sizeof(err)) == -1)
		log_warnx("store: %s", err);
	free(text);
}

/* One cfg_state from the apply-state file; 0 if absent or not ours. */
static int
load_cfg(json_t *o, enum product p, struct cfg_state *c)
{
	const char	*s;

	if (o == NULL || (s = json_string_value(json_object_get(o,
	    "target"))) == NULL || product_of(s) != (int)p)
		return 0;
	snprintf(c->target, sizeof(c->target), "%s", s);
	if ((s = json_string_value(json_object_get(o, "sha256"))) != NULL)
		snprintf(c->sha256, sizeof(c->sha256), "%s", s);
	if ((s = json_string_value(json_object_get(o, "error"))) != NULL)
		snprintf(c->error, sizeof(c->error), "%s", s);
	c->version = (uint64_t)json_integer_value(json_object_get(o,
	    "version"));
	c->when = json_integer_value(json_object_get(o, "when"));
	c->set = 1;
	return 1;
}

/*
 * The apply state of the last run, for status.  Nothing loaded counts as
 * decided in this run: lockprobed may have restarted too, so what was
 * applied is sent again and what was refused is tried again.
 */
static void
load_apply_state(struct remote *r)
{
	json_t		*doc, *o;
	uint8_t		*buf;
	size_t		 len;
	char		 err[256];
	int		 p;

	if (mirror_read(&r->store, STATE_FILE, STATE_MAX, &buf, &len, err,
	    sizeof(err)) != 0)
		return;
	doc = tuf_json_loadb((char *)buf, len, STATE_MAX, 0, NULL, 0);
	free(buf);
	if (doc == NULL) {
		log_warnx("store: %s/%s is not JSON; starting without the "
		    "apply state", r->store.st.path, STATE_FILE);
		return;
	}
	for (p = 0; p < PRODUCT_COUNT; p++) {
		if ((o = json_object_get(doc, product_name(p))) == NULL)
			continue;
		(void)load_cfg(json_object_get(o, "applied"), p,
		    &r->prod[p].applied);
		(void)load_cfg(json_object_get(o, "refused"), p,
		    &r->prod[p].refused);
		r->prod[p].refused.run = 0;
	}
	json_decref(doc);
}

static json_t *
cfg_json(const struct cfg_state *c)
{
	return json_pack("{s:s, s:I, s:s, s:I, s:s}", "target", c->target,
	    "version", (json_int_t)c->version, "sha256", c->sha256,
	    "when", (json_int_t)c->when, "error", c->error);
}

static void
save_apply_state(struct remote *r)
{
	const struct product_state	*ps;
	json_t				*doc, *o;
	char				*text, err[256];
	int				 p;

	if ((doc = json_object()) == NULL)
		return;
	for (p = 0; p < PRODUCT_COUNT; p++) {
		ps = &r->prod[p];
		if ((o = json_object()) == NULL)
			break;
		if (ps->applied.set && ps->applied.target[0] != '\0')
			json_object_set_new(o, "applied", cfg_json(&ps->applied));
		if (ps->refused.set)
			json_object_set_new(o, "refused", cfg_json(&ps->refused));
		json_object_set_new(doc, product_name(p), o);
	}
	text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	if (text == NULL)
		return;
	if (mirror_write(&r->store, STATE_FILE, text, strlen(text), err, sizeof(err)) == -1)
		log_warnx("store: %s", err);
	free(text);
}

/* --- fetching ---------------------------------------------------------------- */

static void	on_fetched(const struct fetch_result *, void *);

static int
start_fetch(struct remote *r, enum tuf_fetch_kind kind, const char *path,
    size_t maxlen, int conditional, char *err, size_t errlen)
{
	struct fetch_opts	o;
	char			url[REMOTE_URL_MAX];
	int			n;

	n = snprintf(url, sizeof(url), "%s%s/%s", r->url,
	    kind == TUF_FETCH_TARGET ? "targets" : "metadata", path);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		snprintf(err, errlen, "%s: URL too long", path);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.max_body = maxlen;
	o.connect_timeout_ms = CONNECT_TIMEOUT_MS;
	o.read_timeout_ms = READ_TIMEOUT_MS;
	o.total_timeout_ms = TOTAL_TIMEOUT_MS;
	/*
	 * The ETag alone when there is one: Last-Modified has a resolution
	 * of a second, and a server that answers 304 to If-Modified-Since
	 * despite If-None-Match would hide two publications in one second.
	 */
	if (conditional && r->etag[0] != '\0')
		o.etag = r->etag;
	else if (conditional && r->lastmod[0] != '\0')
		o.last_modified = r->lastmod;
	r->requests++;
	r->inflight = fetch_start(r->fetch, url, &o, on_fetched, r, err,
	    errlen);
	return r->inflight != NULL ? 0 : -1;
}

/* Fetch what the last run of the client missed, or fail the poll. */
static void
fetch_missing(struct remote *r)
{
	char	err[REMOTE_ERR_MAX];

	if (start_fetch(r, r->miss_kind, r->miss_path, r->miss_max, 0, err,
	    sizeof(err)) == -1)
		poll_finish(r, POLL_FAILED, err);
}

static void
fetch_next_root(struct remote *r)
{
	char	path[64], err[REMOTE_ERR_MAX];

	if (r->next_root > tuf_client_root_version(r->tuf) +
	    TUF_DEFAULT_ROOT_ROTATIONS) {
		run_refresh(r);
		return;
	}
	snprintf(path, sizeof(path), "%lld.root.json",
	    (long long)r->next_root);
	r->miss_kind = TUF_FETCH_METADATA;
	snprintf(r->miss_path, sizeof(r->miss_path), "%s", path);
	r->miss_max = r->tcfg.root_max;
	if (start_fetch(r, TUF_FETCH_METADATA, path, r->tcfg.root_max, 0, err,
	    sizeof(err)) == -1)
		poll_finish(r, POLL_FAILED, err);
}

static void
on_timestamp(struct remote *r, const struct fetch_result *res)
{
	char	err[REMOTE_ERR_MAX];
	int	rc;

	switch (res->status) {
	case FETCH_NOT_MODIFIED:
		rc = tuf_client_refresh_unchanged(r->tuf, wall(), err,
		    sizeof(err));
		if (rc == TUF_NOTFOUND && r->conditional) {
			/* nothing complete to compare with: ask again */
			r->conditional = 0;
			r->etag[0] = r->lastmod[0] = '\0';
			if (start_fetch(r, TUF_FETCH_METADATA,
			    "timestamp.json", r->tcfg.timestamp_max, 0, err,
			    sizeof(err)) == -1)
				poll_finish(r, POLL_FAILED, err);
			return;
		}
		if (rc != TUF_OK) {
			poll_finish(r, POLL_FAILED, err);
			return;
		}
		r->phase = PHASE_PRODUCTS;
		run_products(r);
		return;
	case FETCH_NOT_FOUND:
		poll_finish(r, POLL_ABSENT, "metadata/timestamp.json: not found "
		    "(404): is repository-url right?");
		return;
	case FETCH_OK:
		tuf_buf_reset(&r->ts);
		if (tuf_buf_append(&r->ts, res->body, res->body_len, err,
		    sizeof(err)) != TUF_OK) {
			poll_finish(r, POLL_FAILED, err);
			return;
		}
		snprintf(r->new_etag, sizeof(r->new_etag), "%s", res->etag);
		snprintf(r->new_lastmod, sizeof(r->new_lastmod), "%s",
		    res->last_modified);
		r->phase = PHASE_ROOTS;
		r->next_root = tuf_client_root_version(r->tuf) + 1;
		fetch_next_root(r);
		return;
	case FETCH_ERROR:
		break;
	}
	poll_finish(r, POLL_FAILED, res->errmsg);
}

static void
on_fetched(const struct fetch_result *res, void *arg)
{
	struct remote	*r = arg;
	int		 status;

	r->inflight = NULL;
	r->bytes += res->body_len;
	if (r->phase == PHASE_TIMESTAMP) {
		on_timestamp(r, res);
		return;
	}
	if (res->status == FETCH_ERROR) {
		poll_finish(r, POLL_FAILED, res->errmsg);
		return;
	}
	if (res->status == FETCH_NOT_MODIFIED) {
		poll_finish(r, POLL_FAILED, "304 to an unconditional request");
		return;
	}
	status = res->status == FETCH_OK ? TUF_OK : TUF_NOTFOUND;
	if (cache_put(r, r->miss_kind, r->miss_path, status, res->body,
	    res->body_len) == -1) {
		poll_finish(r, POLL_FAILED, "too many files in one poll");
		return;
	}
	switch (r->phase) {
	case PHASE_ROOTS:
		if (status == TUF_NOTFOUND) {
			/* the normal end of the rotation */
			r->phase = PHASE_REFRESH;
			run_refresh(r);
		} else {
			r->next_root++;
			fetch_next_root(r);
		}
		break;
	case PHASE_REFRESH:
		run_refresh(r);
		break;
	case PHASE_PRODUCTS:
		run_products(r);
		break;
	default:
		break;
	}
}

static void
run_refresh(struct remote *r)
{
	char	err[REMOTE_ERR_MAX];
	int	changed, rc;

	r->phase = PHASE_REFRESH;
	r->miss = 0;
	rc = tuf_client_refresh_timestamp(r->tuf, wall(), r->ts.data,
	    r->ts.len, &changed, err, sizeof(err));
	if (r->miss) {
		fetch_missing(r);
		return;
	}
	if (rc != TUF_OK) {
		poll_finish(r, POLL_FAILED, err);
		return;
	}
	/* verified: a 304 to these validators now means "this" */
	snprintf(r->etag, sizeof(r->etag), "%s", r->new_etag);
	snprintf(r->lastmod, sizeof(r->lastmod), "%s", r->new_lastmod);
	save_validators(r);
	r->phase = PHASE_PRODUCTS;
	run_products(r);
}

/* --- products ---------------------------------------------------------------- */

struct choice {
	struct remote	*r;
	char		 path[PRODUCT_COUNT][TUF_MAX_TARGET_PATH + 1];
	int		 rank[PRODUCT_COUNT];
};

static int
choose_cb(void *arg, const char *path, json_t *custom)
{
	struct choice	*ch = arg;
	char		 err[REMOTE_ERR_MAX];
	int		 p, rank;

	if ((p = product_of(path)) < 0)
		return 0;
	if ((rank = product_scope(path, custom, &ch->r->host, err,
	    sizeof(err))) < 0) {
		log_warnx("%s; target skipped", err);
		return 0;
	}
	if (rank == SCOPE_NONE || rank < ch->rank[p] ||
	    (rank == ch->rank[p] && strcmp(path, ch->path[p]) >= 0))
		return 0;
	ch->rank[p] = rank;
	snprintf(ch->path[p], sizeof(ch->path[p]), "%s", path);
	return 0;
}

static void
set_state(struct cfg_state *s, const char *target, uint64_t version,
    const char *sha256, const char *error)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->target, sizeof(s->target), "%s", target);
	s->version = version;
	snprintf(s->sha256, sizeof(s->sha256), "%s", sha256);
	snprintf(s->error, sizeof(s->error), "%s", error);
	s->when = wall();
	s->set = 1;
	s->run = 1;
}

static uint64_t
targets_version(struct remote *r)
{
	struct tuf_client_info	info;

	tuf_client_info(r->tuf, &info);
	return (uint64_t)info.targets_version;
}

/* Send lockstat settings (NULL: back to lockprobe.conf) to lockprobed. */
static int
send_apply(struct remote *r, struct product_state *ps, const char *target,
    const char *sha256, Lockprobe__CollectorSettings *settings)
{
	Lockprobe__Envelope	env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__ConfigApply	ca = LOCKPROBE__CONFIG_APPLY__INIT;

	ca.product = (char *)(uintptr_t)product_name(PRODUCT_LOCKSTAT);
	ca.target = (char *)(uintptr_t)target;
	ca.version = targets_version(r);
	if (sha256[0] != '\0')
		ca.sha256 = (char *)(uintptr_t)sha256;
	ca.collector = settings;
	env.id = ipc_next_id(r->privd);
	env.body_case = LOCKPROBE__ENVELOPE__BODY_CONFIG_APPLY;
	env.config_apply = &ca;
	if (ipc_send(r->privd, &env) == -1) {
		log_warn("sending %s to lockprobed", target);
		return -1;
	}
	ps->pending_id = env.id;
	ps->pending_ms = now_ms();
	set_state(&ps->pending, settings != NULL ? target : "", ca.version,
	    sha256, "");
	return 0;
}

/* netd's own settings: from a target, or (ns NULL) lockprobe.conf's. */
static void
apply_netd(struct remote *r, const struct netd_settings *ns)
{
	uint32_t	interval = r->local_params.interval_ms;

	r->params = r->local_params;
	if (ns != NULL && ns->has_poll_interval) {
		interval = ns->poll_interval_sec * 1000;
		r->params.interval_ms = interval;
		if (r->params.backoff_max_ms < interval)
			r->params.backoff_max_ms = interval;
		if (r->params.retry_min_ms > interval)
			r->params.retry_min_ms = interval;
	}
	r->sched.p = r->params;
	log_setlevel(ns != NULL && ns->has_log_level ? ns->log_level :
	    r->local_log_level);
}

static void
revert(struct remote *r, enum product p, const char *why)
{
	struct product_state	*ps = &r->prod[p];
	const char		*was = ps->applied.target;

	log_info("%s: %s is no longer in force (%s); back to lockprobe.conf",
	    product_name(p), was[0] != '\0' ? was : "the remote configuration",
	    why);
	if (p == PRODUCT_LOCKSTAT) {
		if (send_apply(r, ps, was, "", NULL) == 0)
			return;
	} else
		apply_netd(r, NULL);
	set_state(&ps->applied, "", targets_version(r), "", "");
	save_apply_state(r);
}

/* Returns 1 when a file must be fetched first, else 0. */
static int
product_step(struct remote *r, enum product p, const char *path)
{
	struct product_state		*ps = &r->prod[p];
	struct tuf_target		 t;
	struct tuf_buf			 b;
	struct netd_settings		 ns;
	Lockprobe__CollectorSettings	*settings = NULL;
	char				 err[REMOTE_ERR_MAX], sha[65] = "";
	size_t				 i;
	uint64_t			 version = targets_version(r);
	int				 rc;

	if (ps->pending_id != 0) {
		/* monotonic: a clock set back must not hold the resend */
		if (now_ms() - ps->pending_ms < APPLY_TIMEOUT_SEC * 1000)
			return 0;	/* the answer is on its way */
		log_warnx("%s: no answer from lockprobed for %s; sending it "
		    "again", product_name(p), ps->pending.target);
		ps->pending_id = 0;
	}
	if (path[0] == '\0') {
		if (ps->applied.set && ps->applied.target[0] != '\0')
			revert(r, p, "its target was removed or no longer "
			    "applies to this host");
		return 0;
	}
	memset(&t, 0, sizeof(t));
	if ((rc = tuf_client_target(r->tuf, path, &t, err, sizeof(err))) !=
	    TUF_OK) {
		set_state(&ps->refused, path, version, "", err);
		log_warnx("%s", err);
		return 0;
	}
	for (i = 0; i < t.hashes.n; i++)
		if (strcmp(t.hashes.h[i].alg, "sha256") == 0 &&
		    t.hashes.h[i].len == 32)
			tuf_hex_encode(t.hashes.h[i].digest, 32, sha);
	if ((ps->sent && ps->applied.set &&
	    strcmp(ps->applied.target, path) == 0 &&
	    strcmp(ps->applied.sha256, sha) == 0) ||
	    (ps->refused.set && ps->refused.run &&
	    strcmp(ps->refused.target, path) == 0 &&
	    strcmp(ps->refused.sha256, sha) == 0)) {
		tuf_target_clear(&t);
		return 0;		/* unchanged since it was decided */
	}
	tuf_buf_init(&b, PRODUCT_MAX_FILE);
	r->miss = 0;
	if (t.length > PRODUCT_MAX_FILE) {
		snprintf(err, sizeof(err), "%s: %lld bytes, more than the %d "
		    "a configuration may have", path, (long long)t.length,
		    PRODUCT_MAX_FILE);
		rc = TUF_ERR;
	} else
		rc = tuf_client_fetch_target(r->tuf, &t, &b, err,
		    sizeof(err));
	tuf_target_clear(&t);
	if (r->miss) {
		tuf_buf_free(&b);
		return 1;
	}
	if (rc == TUF_OK) {
		if (p == PRODUCT_LOCKSTAT)
			rc = (settings = product_parse_lockstat(path, b.data,
			    b.len, err, sizeof(err))) != NULL ? 0 : -1;
		else
			rc = product_parse_netd(path, b.data, b.len, &ns, err,
			    sizeof(err));
	}
	tuf_buf_free(&b);
	if (rc != TUF_OK) {
		log_warnx("%s: refused, %s stays in force: %s",
		    product_name(p), ps->applied.set &&
		    ps->applied.target[0] != '\0' ? ps->applied.target :
		    "lockprobe.conf", err);
		set_state(&ps->refused, path, version, sha, err);
		save_apply_state(r);
		return 0;
	}
	if (p == PRODUCT_LOCKSTAT) {
		(void)send_apply(r, ps, path, sha, settings);
		protobuf_c_message_free_unpacked(&settings->base, NULL);
		return 0;
	}
	apply_netd(r, &ns);
	log_info("netd: %s (targets version %llu) applied", path,
	    (unsigned long long)version);
	set_state(&ps->applied, path, version, sha, "");
	ps->refused.set = 0;
	ps->sent = 1;
	save_apply_state(r);
	return 0;
}

static void
run_products(struct remote *r)
{
	struct choice	ch;
	char		err[REMOTE_ERR_MAX];
	int		p;

	memset(&ch, 0, sizeof(ch));
	ch.r = r;
	r->miss = 0;
	if (tuf_client_list_targets(r->tuf, choose_cb, &ch, err,
	    sizeof(err)) != TUF_OK) {
		if (r->miss) {
			fetch_missing(r);
			return;
		}
		/* keep what is in force: the choice needs every role */
		tuf_preferr(err, sizeof(err), "choosing this host's targets");
		poll_finish(r, POLL_FAILED, err);
		return;
	}
	for (p = 0; p < PRODUCT_COUNT; p++)
		if (product_step(r, p, ch.path[p]) == 1) {
			fetch_missing(r);
			return;
		}
	poll_finish(r, POLL_OK, NULL);
}

int
remote_apply_reply(const Lockprobe__Envelope *env)
{
	struct remote		*r = &remote;
	struct product_state	*ps = &r->prod[PRODUCT_LOCKSTAT];
	const Lockprobe__ConfigApplyReply *rep;
	const char		*what;

	if (!r->enabled || env->id == 0 || env->id != ps->pending_id)
		return 0;
	ps->pending_id = 0;
	what = ps->pending.target[0] != '\0' ? ps->pending.target :
	    "lockprobe.conf";
	if (env->body_case == LOCKPROBE__ENVELOPE__BODY_ERROR) {
		set_state(&ps->refused, ps->pending.target, ps->pending.version,
		    ps->pending.sha256, env->error->reason);
		log_warnx("lockstat: lockprobed refused %s: %.200s", what,
		    env->error->reason);
		save_apply_state(r);
		return 1;
	}
	rep = env->config_apply_reply;
	if (rep->applied) {
		ps->applied = ps->pending;
		ps->applied.when = wall();
		ps->refused.set = 0;
		ps->sent = 1;
		log_info("lockstat: %s (targets version %llu) applied", what,
		    (unsigned long long)ps->pending.version);
		save_apply_state(r);
	} else {
		set_state(&ps->refused, ps->pending.target, ps->pending.version,
		    ps->pending.sha256, rep->error != NULL ? rep->error :
		    "refused without a reason");
		log_warnx("lockstat: lockprobed refused %s: %.200s", what,
		    ps->refused.error);
		save_apply_state(r);
	}
	return 1;
}

/* --- the schedule -------------------------------------------------------------- */

/* Fresh metadata cannot be had: apply each product's expiry policy. */
static void
check_expiry(struct remote *r)
{
	struct tuf_client_info	info;
	char			when[32], line[REMOTE_ERR_MAX];
	int			p, n = 0;

	tuf_client_info(r->tuf, &info);
	if (info.timestamp_expires == 0 || wall() < info.timestamp_expires)
		return;
	tuf_format_time(info.timestamp_expires, when, sizeof(when));
	line[0] = '\0';
	for (p = 0; p < PRODUCT_COUNT; p++) {
		struct product_state *ps = &r->prod[p];

		if (!ps->applied.set || ps->applied.target[0] == '\0')
			continue;
		if (!ps->expired_handled && ps->revert_on_expiry)
			revert(r, p, "the timestamp expired");
		ps->expired_handled = 1;
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s: %s",
		    n > 0 ? "; " : "", product_name(p), ps->revert_on_expiry ?
		    "reverted to lockprobe.conf" : "kept");
		if (n < 0 || (size_t)n >= sizeof(line))
			break;
	}
	if (line[0] != '\0')
		snprintf(r->expiry_action, sizeof(r->expiry_action), "%s "
		    "(timestamp expired at %s)", line, when);
}

static void
schedule(struct remote *r)
{
	struct timeval	tv;
	uint64_t	delay = poll_delay(&r->sched, now_ms());

	tv.tv_sec = (time_t)(delay / 1000);
	tv.tv_usec = (suseconds_t)(delay % 1000) * 1000;
	r->next_poll = wall() + (int64_t)(delay + 999) / 1000;
	evtimer_add(r->timer, &tv);
}

static void
poll_finish(struct remote *r, enum poll_outcome outcome, const char *why)
{
	struct poll_note	note;
	int			p;

	r->phase = PHASE_IDLE;
	if (r->inflight != NULL) {
		fetch_cancel(r->inflight);
		r->inflight = NULL;
	}
	cache_clear(r);
	r->last_requests = r->requests;
	r->last_bytes = r->bytes;
	log_debug("poll: %lu requests, %llu bytes of bodies", r->requests,
	    (unsigned long long)r->bytes);
	if (outcome == POLL_OK) {
		r->last_success = wall();
		r->last_error[0] = '\0';
		r->expiry_action[0] = '\0';
		for (p = 0; p < PRODUCT_COUNT; p++)
			r->prod[p].expired_handled = 0;
	} else {
		r->failures++;
		snprintf(r->last_error, sizeof(r->last_error), "%s", why);
		check_expiry(r);
	}
	poll_result(&r->sched, outcome, why, now_ms(), &note);
	if (note.priority >= 0)
		log_raw(note.priority, note.text);
	schedule(r);
}

static void
poll_begin(struct remote *r)
{
	char	err[REMOTE_ERR_MAX];

	if (r->phase != PHASE_IDLE)
		return;
	r->phase = PHASE_TIMESTAMP;
	r->polls++;
	r->last_poll = wall();
	r->requests = 0;
	r->bytes = 0;
	cache_clear(r);
	r->conditional = r->etag[0] != '\0' || r->lastmod[0] != '\0';
	if (start_fetch(r, TUF_FETCH_METADATA, "timestamp.json",
	    r->tcfg.timestamp_max, r->conditional, err, sizeof(err)) == -1)
		poll_finish(r, POLL_FAILED, err);
}

static void
on_timer(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	poll_begin(arg);
}

int
remote_poll_now(char *reason, size_t reasonlen)
{
	struct remote	*r = &remote;

	if (!r->enabled) {
		snprintf(reason, reasonlen, "remote configuration is off: "
		    "repository-url is not set in lockprobe.conf");
		return 0;
	}
	if (r->phase != PHASE_IDLE) {
		snprintf(reason, reasonlen, "a poll is already running");
		return 0;
	}
	evtimer_del(r->timer);
	poll_begin(r);
	return 1;
}

/* --- set-up --------------------------------------------------------------------- */

/*
 * The operator's root, read here, as root before the chroot, rather than
 * passed by lockprobed: a root may be larger than one IPC datagram, the CA
 * file is read here too (fetch_ctx_new), and lockprobed keeps reading
 * nothing it does not use itself.
 */
static uint8_t *
read_root(const char *path, size_t max, size_t *lenp, char *err,
    size_t errlen)
{
	struct stat	 st;
	uint8_t		*buf = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		snprintf(err, errlen, "trusted-root %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max) {
		snprintf(err, errlen, "trusted-root %s: not a regular file of "
		    "at most %zu bytes", path, max);
		goto fail;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		snprintf(err, errlen, "trusted-root %s: out of memory", path);
		goto fail;
	}
	while (len <= max) {
		if ((n = read(fd, buf + len, max + 1 - len)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "trusted-root %s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		snprintf(err, errlen, "trusted-root %s: more than %zu bytes",
		    path, max);
		goto fail;
	}
	close(fd);
	*lenp = len;
	return buf;
 fail:
	free(buf);
	close(fd);
	return NULL;
}

static void
params_from_setup(struct poll_params *pp, uint32_t interval_sec,
    uint32_t backoff_sec)
{
	uint32_t	interval_ms = interval_sec * 1000;

	poll_params_default(pp);
	pp->interval_ms = interval_ms;
	if (pp->initial_max_ms > interval_ms)
		pp->initial_max_ms = interval_ms;
	if (pp->retry_min_ms > interval_ms)
		pp->retry_min_ms = interval_ms;
	pp->backoff_max_ms = backoff_sec * 1000;
}

int
remote_init(struct event_base *base, struct ipc_channel *privd,
    const Lockprobe__NetdSetup *s, char *err, size_t errlen)
{
	struct remote		*r = &remote;
	struct fetch_ctx_opts	 fo;
	char			 dir[PATH_MAX], why[REMOTE_ERR_MAX];
	uint8_t			*root;
	size_t			 rootlen, i;

	memset(r, 0, sizeof(*r));
	r->base = base;
	r->privd = privd;
	r->local_log_level = s->log_level;
	if (s->repository_url == NULL || s->repository_url[0] == '\0')
		return 0;
	if (strlen(s->repository_url) > CONF_MAX_URL ||
	    s->trusted_root == NULL || s->trusted_root[0] != '/' ||
	    !s->has_poll_interval_sec || !s->has_poll_backoff_max_sec ||
	    s->poll_interval_sec < CONF_POLL_MIN ||
	    s->poll_interval_sec > CONF_POLL_MAX ||
	    s->poll_backoff_max_sec < s->poll_interval_sec ||
	    s->poll_backoff_max_sec > CONF_POLL_MAX ||
	    s->n_host_tags > CONF_MAX_TAGS) {
		snprintf(err, errlen, "remote configuration settings out of "
		    "range");
		return -1;
	}
	snprintf(r->url, sizeof(r->url), "%s%s", s->repository_url,
	    s->repository_url[strlen(s->repository_url) - 1] == '/' ? "" :
	    "/");
	snprintf(r->host_name, sizeof(r->host_name), "%s",
	    s->host_name != NULL ? s->host_name : "");
	r->host.name = r->host_name;
	for (i = 0; i < s->n_host_tags; i++)
		snprintf(r->host.tags[i], sizeof(r->host.tags[i]), "%s",
		    s->host_tags[i]);
	r->host.ntags = s->n_host_tags;
	r->prod[PRODUCT_LOCKSTAT].revert_on_expiry =
	    s->lockstat_revert_on_expiry;
	r->prod[PRODUCT_NETD].revert_on_expiry = s->netd_revert_on_expiry;
	params_from_setup(&r->local_params, s->poll_interval_sec,
	    s->poll_backoff_max_sec);
	if (poll_params_check(&r->local_params, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "poll settings: %s", why);
		return -1;
	}
	r->params = r->local_params;

	memset(&fo, 0, sizeof(fo));
	fo.http_only = strncmp(r->url, "http://", 7) == 0;
	fo.ca_file = s->ca_file;
	fo.proxy = s->proxy;
	if (s->pin != NULL) {
		if (fetch_parse_pin(s->pin, fo.pin, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "repository-pin: %s", why);
			return -1;
		}
		fo.have_pin = 1;
	}
	if ((r->fetch = fetch_ctx_new(base, &fo, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/%s", s->state_dir, REMOTE_STORE_DIR);
	if (mirror_open(&r->store, dir, s->uid, s->gid, why, sizeof(why)) ==
	    -1) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if ((root = read_root(s->trusted_root, TUF_DEFAULT_ROOT_MAX, &rootlen,
	    err, errlen)) == NULL)
		return -1;
	tuf_client_config_default(&r->tcfg);
	r->io.fetch = io_fetch;
	r->io.load = io_load;
	r->io.store = io_store;
	r->io.remove = io_remove;
	r->io.untrusted = io_untrusted;
	r->tuf = tuf_client_open(&r->tcfg, &r->io, r, root, rootlen, why,
	    sizeof(why));
	free(root);
	if (r->tuf == NULL) {
		snprintf(err, errlen, "trusted-root %s: %s", s->trusted_root,
		    why);
		return -1;
	}
	/* delegated roles are read only when a poll lists them, after the seal */
	if (mirror_preload(&r->store, "m-", r->tcfg.max_list_roles,
	    REMOTE_PRELOAD_MAX, why, sizeof(why)) == -1)
		log_warnx("store: %s", why);
	tuf_buf_init(&r->ts, r->tcfg.timestamp_max);
	load_validators(r);
	load_apply_state(r);
	if ((r->timer = evtimer_new(base, on_timer, r)) == NULL) {
		snprintf(err, errlen, "cannot create the poll timer");
		return -1;
	}
	r->enabled = 1;
	log_info("remote configuration from %s (trusted root version %lld)",
	    r->url, (long long)tuf_client_root_version(r->tuf));
	return 0;
}

int
remote_start(void)
{
	struct remote	*r = &remote;

	if (!r->enabled)
		return 0;
	mirror_seal(&r->store);
	poll_start(&r->sched, &r->params, NULL, NULL, now_ms());
	schedule(r);
	return 0;
}

void
remote_shutdown(void)
{
	struct remote	*r = &remote;

	if (r->inflight != NULL)
		fetch_cancel(r->inflight);
	r->inflight = NULL;
	cache_clear(r);
	if (r->timer != NULL)
		event_free(r->timer);
	tuf_client_free(r->tuf);
	tuf_buf_free(&r->ts);
	if (r->fetch != NULL)
		fetch_ctx_free(r->fetch);
	mirror_close(&r->store);
	memset(r, 0, sizeof(*r));
}

/* --- status ---------------------------------------------------------------------- */

static Lockprobe__RemoteStatus	st_remote;
static Lockprobe__ConfigState	st_cfg[PRODUCT_COUNT * 3];
static Lockprobe__ConfigState	*st_cfgp[PRODUCT_COUNT * 3];

static void
fill_cfg(Lockprobe__ConfigState *cs, enum product p,
    const struct cfg_state *s, int applied, const char *error)
{
	lockprobe__config_state__init(cs);
	cs->product = (char *)(uintptr_t)product_name(p);
	cs->target = (char *)(uintptr_t)(s->target[0] != '\0' ? s->target :
	    "lockprobe.conf");
	cs->version = s->version;
	cs->applied = applied;
	if (error != NULL && error[0] != '\0')
		cs->error = (char *)(uintptr_t)error;
	cs->when = s->when;
}

void
remote_fill_status(Lockprobe__NetdStatus *ns)
{
	struct remote		*r = &remote;
	Lockprobe__RemoteStatus	*rs = &st_remote;
	struct tuf_client_info	 info;
	size_t			 n = 0;
	int			 p;

	lockprobe__remote_status__init(rs);
	ns->remote = rs;
	rs->enabled = r->enabled;
	if (!r->enabled)
		return;
	rs->repository = r->url;
	tuf_client_info(r->tuf, &info);
	rs->root_version = (uint64_t)info.root_version;
	rs->timestamp_version = (uint64_t)info.timestamp_version;
	rs->timestamp_expires = info.timestamp_expires;
	rs->snapshot_version = (uint64_t)info.snapshot_version;
	rs->snapshot_expires = info.snapshot_expires;
	rs->targets_version = (uint64_t)info.targets_version;
	rs->targets_expires = info.targets_expires;
	rs->last_poll = r->last_poll;
	rs->last_success = r->last_success;
	if (r->last_error[0] != '\0')
		rs->last_error = r->last_error;
	rs->next_poll = r->phase != PHASE_IDLE ? 0 : r->next_poll;
	rs->polls = r->polls;
	rs->failures = r->failures;
	if (r->expiry_action[0] != '\0')
		rs->expiry_action = r->expiry_action;
	for (p = 0; p < PRODUCT_COUNT; p++) {
		const struct product_state *ps = &r->prod[p];

		if (ps->applied.set)
			fill_cfg(&st_cfg[n++], p, &ps->applied, 1, NULL);
		if (ps->pending_id != 0)
			fill_cfg(&st_cfg[n++], p, &ps->pending, 0,
			    "sent to lockprobed, no answer yet");
		if (ps->refused.set)
			fill_cfg(&st_cfg[n++], p, &ps->refused, 0,
			    ps->refused.error);
	}
	for (p = 0; (size_t)p < n; p++)
		st_cfgp[p] = &st_cfg[p];
	rs->configs = st_cfgp;
	rs->n_configs = n;
}
