#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client.h"
#include "metadata.h"
#include "tuf_util.h"

/* Longest encoded name: every byte as %XX, plus a version and ".json". */
#define ENC_MAX		(3 * TUF_MAX_TARGET_PATH + 64)

/* A delegated targets role loaded during this refresh. */
struct loaded_role {
	char			*name;
	struct tuf_metadata	*md;
};

struct tuf_client {
	struct tuf_client_config cfg;
	const struct tuf_io	*io;
	void			*arg;
	struct tuf_metadata	*root;
	struct tuf_metadata	*timestamp;
	struct tuf_metadata	*snapshot;
	struct tuf_metadata	*targets;
	struct loaded_role	*roles;
	size_t			 nroles;
	size_t			 rolecap;
	int			 refreshed;
	int64_t			 now;
	unsigned long		 fetches;
	/* tuf_client_refresh_timestamp: timestamp.json, already fetched */
	const void		*ts_data;
	size_t			 ts_len;
};

void
tuf_client_config_default(struct tuf_client_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->root_max = TUF_DEFAULT_ROOT_MAX;
	cfg->timestamp_max = TUF_DEFAULT_TIMESTAMP_MAX;
	cfg->snapshot_max = TUF_DEFAULT_SNAPSHOT_MAX;
	cfg->targets_max = TUF_DEFAULT_TARGETS_MAX;
	cfg->max_root_rotations = TUF_DEFAULT_ROOT_ROTATIONS;
	cfg->max_delegations = TUF_DEFAULT_MAX_DELEGATIONS;
	cfg->max_depth = TUF_DEFAULT_MAX_DEPTH;
	cfg->max_list_roles = TUF_DEFAULT_MAX_LIST_ROLES;
	cfg->root_history = 1;
}

void
tuf_target_clear(struct tuf_target *t)
{
	if (t == NULL)
		return;
	json_decref(t->custom);
	memset(t, 0, sizeof(*t));
}

int64_t
tuf_client_root_version(const struct tuf_client *c)
{
	return c->root->version;
}

unsigned long
tuf_client_fetches(const struct tuf_client *c)
{
	return c->fetches;
}

/* --- names ------------------------------------------------------------------- */

static int
keep_char(unsigned char ch, int first)
{
	if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '~')
		return 1;
	return ch == '.' && !first;
}

int
tuf_pct_encode(const char *in, int flags, char *out, size_t outlen)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			o = 0;
	int			first = (flags & TUF_PCT_URL) == 0;
	unsigned char		ch;

	for (; *in != '\0'; in++) {
		ch = (unsigned char)*in;
		if ((flags & TUF_PCT_KEEP_SLASH) && ch == '/') {
			if (o + 1 >= outlen)
				return TUF_ERR;
			out[o++] = '/';
			first = (flags & TUF_PCT_URL) == 0;
			continue;
		}
		if (keep_char(ch, first)) {
			if (o + 1 >= outlen)
				return TUF_ERR;
			out[o++] = (char)ch;
		} else {
			if (o + 3 >= outlen)
				return TUF_ERR;
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 0xf];
		}
		first = 0;
	}
	if (o >= outlen)
		return TUF_ERR;
	out[o] = '\0';
	return TUF_OK;
}

/* Local file name of a role's current metadata: ENC(role).json */
static int
local_name(const char *role, char *out, size_t outlen)
{
	char	enc[ENC_MAX];
	int	n;

	if (tuf_pct_encode(role, 0, enc, sizeof(enc)) != TUF_OK)
		return TUF_ERR;
	n = snprintf(out, outlen, "%s.json", enc);
	return n < 0 || (size_t)n >= outlen ? TUF_ERR : TUF_OK;
}

/*
 * Repository path of a role's metadata: [VERSION.]ENC(role).json, where a
 * leading '.' stays as it is (the ".json" suffix keeps the segment from
 * ever being "." or ".."), as other clients and the conformance suite
 * quote it.
 */
static int
remote_name(const char *role, int64_t version, char *out, size_t outlen)
{
	char	enc[ENC_MAX];
	int	n;

	if (tuf_pct_encode(role, TUF_PCT_URL, enc, sizeof(enc)) != TUF_OK)
		return TUF_ERR;
	if (version > 0)
		n = snprintf(out, outlen, "%lld.%s.json", (long long)version,
		    enc);
	else
		n = snprintf(out, outlen, "%s.json", enc);
	return n < 0 || (size_t)n >= outlen ? TUF_ERR : TUF_OK;
}

/* --- I/O wrappers ---------------------------------------------------------------- */

static int
do_fetch(struct tuf_client *c, enum tuf_fetch_kind kind, const char *path,
    size_t maxlen, struct tuf_buf *out, char *err, size_t errlen)
{
	int	rc;

	tuf_buf_reset(out);
	c->fetches++;
	rc = c->io->fetch(c->arg, kind, path, maxlen, out, err, errlen);
	if (rc == TUF_OK && out->len > maxlen) {
		tuf_seterr(err, errlen, "%zu bytes exceed the limit of %zu",
		    out->len, maxlen);
		rc = TUF_ERR;
	}
	if (rc == TUF_ERR)
		tuf_preferr(err, errlen, "fetching %s", path);
	else if (rc == TUF_NOTFOUND)
		tuf_seterr(err, errlen, "fetching %s: not found", path);
	return rc;
}

static int
do_store(struct tuf_client *c, const char *name, const struct tuf_buf *b,
    char *err, size_t errlen)
{
	if (c->io->store(c->arg, name, b->data, b->len, err, errlen) !=
	    TUF_OK) {
		tuf_preferr(err, errlen, "storing %s", name);
		return TUF_ERR;
	}
	return TUF_OK;
}

static int
do_remove(struct tuf_client *c, const char *name, char *err, size_t errlen)
{
	if (c->io->remove(c->arg, name, err, errlen) != TUF_OK) {
		tuf_preferr(err, errlen, "removing %s", name);
		return TUF_ERR;
	}
	return TUF_OK;
}

/*
 * Load a stored document, parse it and verify it with (delegator, role).
 * Anything wrong leaves *out NULL: the store is a cache, not a source of
 * trust.  Only an error of the load callback itself is returned.
 */
static int
load_trusted(struct tuf_client *c, const char *name, enum tuf_type type,
    const char *rolename, size_t maxlen, const struct tuf_metadata *delegator,
    const struct tuf_role *role, struct tuf_metadata **out, char *err,
    size_t errlen)
{
	struct tuf_buf		 b;
	struct tuf_metadata	*md = NULL;
	char			 why[256];
	int			 rc;

	*out = NULL;
	tuf_buf_init(&b, maxlen);
	rc = c->io->load(c->arg, name, maxlen, &b, err, errlen);
	if (rc == TUF_NOTFOUND) {
		rc = TUF_OK;
		goto done;
	}
	if (rc != TUF_OK) {
		tuf_preferr(err, errlen, "loading %s", name);
		goto done;
	}
	if (tuf_md_parse(b.data, b.len, maxlen, type, rolename, &md, why,
	    sizeof(why)) == TUF_OK &&
	    tuf_md_verify(md, delegator, role, NULL, why, sizeof(why)) ==
	    TUF_OK) {
		*out = md;
		md = NULL;
	} else if (c->io->untrusted != NULL)
		c->io->untrusted(c->arg, name, why);
	rc = TUF_OK;
 done:
	tuf_md_free(md);
	tuf_buf_free(&b);
	return rc;
}

static void
drop_roles(struct tuf_client *c)
{
	size_t	i;

	for (i = 0; i < c->nroles; i++) {
		free(c->roles[i].name);
		tuf_md_free(c->roles[i].md);
	}
	c->nroles = 0;
}

void
tuf_client_free(struct tuf_client *c)
{
	if (c == NULL)
		return;
	drop_roles(c);
	free(c->roles);
	tuf_md_free(c->root);
	tuf_md_free(c->timestamp);
	tuf_md_free(c->snapshot);
	tuf_md_free(c->targets);
	free(c);
}

/*
 * A new root: signed by the threshold of the trusted root and by its own,
 * with the next version number.
 */
static int
check_new_root(const struct tuf_metadata *old, const struct tuf_metadata *new,
    int64_t want, char *err, size_t errlen)
{
	if (tuf_md_verify(new, old, tuf_md_toprole(old, TUF_ROOT), NULL, err,
	    errlen) != TUF_OK) {
		tuf_preferr(err, errlen, "not signed by the trusted root "
		    "version %lld", (long long)old->version);
		return TUF_ERR;
	}
	if (tuf_md_verify(new, new, tuf_md_toprole(new, TUF_ROOT), NULL, err,
	    errlen) != TUF_OK) {
		tuf_preferr(err, errlen, "not signed by its own root keys");
		return TUF_ERR;
	}
	if (new->version != want) {
		tuf_seterr(err, errlen, "root: version %lld where version %lld "
		    "was requested", (long long)new->version, (long long)want);
		return TUF_ERR;
	}
	return TUF_OK;
}

struct tuf_client *
tuf_client_open(const struct tuf_client_config *cfg, const struct tuf_io *io,
    void *arg, const void *root, size_t rootlen, char *err, size_t errlen)
{
	struct tuf_client	*c;
	struct tuf_metadata	*md;
	char			 name[64];
	unsigned		 i;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		tuf_seterr(err, errlen, "out of memory");
		return NULL;
	}
	c->cfg = *cfg;
	c->io = io;
	c->arg = arg;
	if (tuf_md_parse(root, rootlen, cfg->root_max, TUF_ROOT, "root",
	    &c->root, err, errlen) != TUF_OK) {
		tuf_preferr(err, errlen, "bootstrap root");
		goto fail;
	}
	if (tuf_md_verify(c->root, c->root, tuf_md_toprole(c->root, TUF_ROOT),
	    NULL, err, errlen) != TUF_OK) {
		tuf_preferr(err, errlen, "bootstrap root");
		goto fail;
	}
	/* Walk the stored chain of roots again from the bootstrap root. */
	for (i = 0; cfg->root_history && i < cfg->max_root_rotations; i++) {
		snprintf(name, sizeof(name), "root@%lld.json",
		    (long long)c->root->version + 1);
		if (load_trusted(c, name, TUF_ROOT, "root", cfg->root_max,
		    c->root, tuf_md_toprole(c->root, TUF_ROOT), &md, err,
		    errlen) != TUF_OK)
			goto fail;
		if (md == NULL)
			break;
		if (check_new_root(c->root, md, c->root->version + 1, NULL,
		    0) != TUF_OK) {
			tuf_md_free(md);
			break;
		}
		tuf_md_free(c->root);
		c->root = md;
	}
	if (load_trusted(c, "timestamp.json", TUF_TIMESTAMP, "timestamp",
	    cfg->timestamp_max, c->root, tuf_md_toprole(c->root,
	    TUF_TIMESTAMP), &c->timestamp, err, errlen) != TUF_OK ||
	    load_trusted(c, "snapshot.json", TUF_SNAPSHOT, "snapshot",
	    cfg->snapshot_max, c->root, tuf_md_toprole(c->root, TUF_SNAPSHOT),
	    &c->snapshot, err, errlen) != TUF_OK ||
	    load_trusted(c, "targets.json", TUF_TARGETS, "targets",
	    cfg->targets_max, c->root, tuf_md_toprole(c->root, TUF_TARGETS),
	    &c->targets, err, errlen) != TUF_OK)
		goto fail;
	return c;
 fail:
	tuf_client_free(c);
	return NULL;
}

/* --- refresh ----------------------------------------------------------------------- */

/* Replaced roots are freed, except start, which the caller owns. */
static int
update_root(struct tuf_client *c, struct tuf_metadata *start,
    struct tuf_buf *b, char *err, size_t errlen)
{
	struct tuf_metadata	*md;
	char			 path[64], hist[64];
	int64_t			 want;
	unsigned		 i;
	int			 rc;

	for (i = 0; i < c->cfg.max_root_rotations; i++) {
		want = c->root->version + 1;
		snprintf(path, sizeof(path), "%lld.root.json", (long long)want);
		rc = do_fetch(c, TUF_FETCH_METADATA, path, c->cfg.root_max, b,
		    err, errlen);
		if (rc == TUF_NOTFOUND)
			return TUF_OK;		/* the normal end */
		if (rc != TUF_OK)
			return TUF_ERR;
		if (tuf_md_parse(b->data, b->len, c->cfg.root_max, TUF_ROOT,
		    "root", &md, err, errlen) != TUF_OK)
			return TUF_ERR;
		if (check_new_root(c->root, md, want, err, errlen) != TUF_OK) {
			tuf_md_free(md);
			return TUF_ERR;
		}
		snprintf(hist, sizeof(hist), "root@%lld.json", (long long)want);
		if ((c->cfg.root_history &&
		    do_store(c, hist, b, err, errlen) != TUF_OK) ||
		    do_store(c, "root.json", b, err, errlen) != TUF_OK) {
			tuf_md_free(md);
			return TUF_ERR;
		}
		if (c->root != start)
			tuf_md_free(c->root);
		c->root = md;
	}
	return TUF_OK;
}

/*
 * After a root rotation.  5.3.11: when the timestamp or the snapshot keys
 * were rotated, delete the trusted timestamp and snapshot (fast-forward
 * attack recovery).  Stored metadata that the new root's keys and
 * thresholds no longer verify stops being trusted, but its file stays
 * until a verified version replaces it, as other clients leave it (and the
 * conformance suite expects): tuf_client_open ignores it meanwhile.
 */
static void
forget_unverified(const struct tuf_metadata *r, struct tuf_metadata **md,
    enum tuf_type type)
{
	if (*md != NULL && tuf_md_verify(*md, r, tuf_md_toprole(r, type), NULL,
	    NULL, 0) != TUF_OK) {
		tuf_md_free(*md);
		*md = NULL;
	}
}

static int
recheck_after_rotation(struct tuf_client *c, const struct tuf_metadata *old,
    char *err, size_t errlen)
{
	const struct tuf_metadata *r = c->root;

	if (!tuf_role_same_keys(old, tuf_md_toprole(old, TUF_TIMESTAMP), r,
	    tuf_md_toprole(r, TUF_TIMESTAMP)) ||
	    !tuf_role_same_keys(old, tuf_md_toprole(old, TUF_SNAPSHOT), r,
	    tuf_md_toprole(r, TUF_SNAPSHOT))) {
		tuf_md_free(c->timestamp);
		tuf_md_free(c->snapshot);
		c->timestamp = c->snapshot = NULL;
		if (do_remove(c, "timestamp.json", err, errlen) != TUF_OK ||
		    do_remove(c, "snapshot.json", err, errlen) != TUF_OK)
			return TUF_ERR;
	}
	forget_unverified(r, &c->timestamp, TUF_TIMESTAMP);
	forget_unverified(r, &c->snapshot, TUF_SNAPSHOT);
	forget_unverified(r, &c->targets, TUF_TARGETS);
	return TUF_OK;
}

static int
update_timestamp(struct tuf_client *c, struct tuf_buf *b, char *err,
    size_t errlen)
{
	struct tuf_metadata	*md = NULL, *old = c->timestamp;
	struct tuf_metafile	 nm, om;

	if (c->ts_data != NULL) {
		tuf_buf_reset(b);
		if (c->ts_len > c->cfg.timestamp_max) {
			tuf_seterr(err, errlen, "timestamp.json: %zu bytes "
			    "exceed the limit of %zu", c->ts_len,
			    c->cfg.timestamp_max);
			return TUF_ERR;
		}
		if (tuf_buf_append(b, c->ts_data, c->ts_len, err, errlen) !=
		    TUF_OK)
			return TUF_ERR;
	} else if (do_fetch(c, TUF_FETCH_METADATA, "timestamp.json",
	    c->cfg.timestamp_max, b, err, errlen) != TUF_OK)
		return TUF_ERR;
	if (tuf_md_parse(b->data, b->len, c->cfg.timestamp_max, TUF_TIMESTAMP,
	    "timestamp", &md, err, errlen) != TUF_OK ||
	    tuf_md_verify(md, c->root, tuf_md_toprole(c->root, TUF_TIMESTAMP),
	    NULL, err, errlen) != TUF_OK)
		goto fail;
	if (old != NULL) {
		if (md->version < old->version) {
			tuf_seterr(err, errlen, "timestamp version %lld: "
			    "rolled back from version %lld",
			    (long long)md->version, (long long)old->version);
			goto fail;
		}
		if (md->version == old->version) {
			/* Unchanged: keep the one we have. */
			tuf_md_free(md);
			md = NULL;
			goto expiry;
		}
		tuf_md_metafile(md, "snapshot.json", &nm);
		tuf_md_metafile(old, "snapshot.json", &om);
		if (nm.version < om.version) {
			tuf_seterr(err, errlen, "timestamp version %lld: "
			    "snapshot version %lld rolled back from %lld",
			    (long long)md->version, (long long)nm.version,
			    (long long)om.version);
			goto fail;
		}
	}
	if (tuf_md_expired(md, c->now, c->cfg.slack, err, errlen))
		goto fail;
	if (do_store(c, "timestamp.json", b, err, errlen) != TUF_OK)
		goto fail;
	tuf_md_free(c->timestamp);
	c->timestamp = md;
	return TUF_OK;
 expiry:
	if (tuf_md_expired(c->timestamp, c->now, c->cfg.slack, err, errlen))
		return TUF_ERR;
	return TUF_OK;
 fail:
	tuf_md_free(md);
	return TUF_ERR;
}

/*
 * Fetch, check against its snapshot or timestamp entry, parse and verify
 * one targets-like or snapshot document.  name is the role name; version
 * prefixes the path under consistent snapshots.
 */
static int
fetch_role(struct tuf_client *c, enum tuf_type type, const char *name,
    const struct tuf_metafile *mf, size_t maxlen,
    const struct tuf_metadata *delegator, const struct tuf_role *role,
    struct tuf_buf *b, struct tuf_metadata **out, char *err, size_t errlen)
{
	struct tuf_metadata	*md = NULL;
	char			 path[ENC_MAX], vis[64];

	*out = NULL;
	if (mf->length >= 0) {
		if ((uint64_t)mf->length > maxlen) {
			tuf_seterr(err, errlen, "%s: length %lld exceeds the "
			    "limit of %zu", tuf_strvis(vis, sizeof(vis), name,
			    strlen(name)), (long long)mf->length, maxlen);
			return TUF_ERR;
		}
		maxlen = (size_t)mf->length;
	}
	if (remote_name(name, c->root->consistent_snapshot ? mf->version : 0,
	    path, sizeof(path)) != TUF_OK) {
		tuf_seterr(err, errlen, "%s: role name too long",
		    tuf_strvis(vis, sizeof(vis), name, strlen(name)));
		return TUF_ERR;
	}
	if (do_fetch(c, TUF_FETCH_METADATA, path, maxlen, b, err, errlen) !=
	    TUF_OK)
		return TUF_ERR;
	if (tuf_check_file(b->data, b->len, mf->length, &mf->hashes, err,
	    errlen) != TUF_OK) {
		tuf_preferr(err, errlen, "%s version %lld",
		    tuf_strvis(vis, sizeof(vis), name, strlen(name)),
		    (long long)mf->version);
		return TUF_ERR;
	}
	if (tuf_md_parse(b->data, b->len, maxlen, type, name, &md, err,
	    errlen) != TUF_OK ||
	    tuf_md_verify(md, delegator, role, NULL, err, errlen) != TUF_OK)
		goto fail;
	if (md->version != mf->version) {
		tuf_seterr(err, errlen, "%s version %lld: version %lld "
		    "expected", md->role, (long long)md->version,
		    (long long)mf->version);
		goto fail;
	}
	if (tuf_md_expired(md, c->now, c->cfg.slack, err, errlen))
		goto fail;
	*out = md;
	return TUF_OK;
 fail:
	tuf_md_free(md);
	return TUF_ERR;
}

static int
update_snapshot(struct tuf_client *c, struct tuf_buf *b, char *err,
    size_t errlen)
{
	struct tuf_metadata	*md, *old = c->snapshot;
	struct tuf_metafile	 want, om, nm;
	const char		*file;
	json_t			*v;
	char			 vis[64];

	tuf_md_metafile(c->timestamp, "snapshot.json", &want);
	if (old != NULL && old->version == want.version &&
	    !tuf_md_expired(old, c->now, c->cfg.slack, NULL, 0))
		return TUF_OK;		/* unchanged */
	if (fetch_role(c, TUF_SNAPSHOT, "snapshot", &want, c->cfg.snapshot_max,
	    c->root, tuf_md_toprole(c->root, TUF_SNAPSHOT), b, &md, err,
	    errlen) != TUF_OK)
		return TUF_ERR;
	if (old != NULL) {
		if (md->version < old->version) {
			tuf_seterr(err, errlen, "snapshot version %lld: "
			    "rolled back from version %lld",
			    (long long)md->version, (long long)old->version);
			goto fail;
		}
		json_object_foreach(old->meta, file, v) {
			tuf_md_metafile(old, file, &om);
			if (tuf_md_metafile(md, file, &nm) != TUF_OK) {
				tuf_seterr(err, errlen, "snapshot version "
				    "%lld: %s no longer listed",
				    (long long)md->version, tuf_strvis(vis,
				    sizeof(vis), file, strlen(file)));
				goto fail;
			}
			if (nm.version < om.version) {
				tuf_seterr(err, errlen, "snapshot version "
				    "%lld: %s version %lld rolled back from "
				    "%lld", (long long)md->version,
				    tuf_strvis(vis, sizeof(vis), file,
				    strlen(file)), (long long)nm.version,
				    (long long)om.version);
				goto fail;
			}
		}
	}
	if (do_store(c, "snapshot.json", b, err, errlen) != TUF_OK)
		goto fail;
	tuf_md_free(c->snapshot);
	c->snapshot = md;
	return TUF_OK;
 fail:
	tuf_md_free(md);
	return TUF_ERR;
}

static int
snapshot_entry(const struct tuf_client *c, const char *role,
    struct tuf_metafile *mf, char *err, size_t errlen)
{
	char	file[TUF_MAX_ROLE_NAME + 8], vis[64];

	snprintf(file, sizeof(file), "%s.json", role);
	if (tuf_md_metafile(c->snapshot, file, mf) != TUF_OK) {
		tuf_seterr(err, errlen, "snapshot version %lld does not list "
		    "%s", (long long)c->snapshot->version,
		    tuf_strvis(vis, sizeof(vis), file, strlen(file)));
		return TUF_ERR;
	}
	return TUF_OK;
}

/* Whether stored targets-type metadata is the one snapshot lists. */
static int
current(const struct tuf_client *c, const struct tuf_metadata *md,
    const struct tuf_metafile *mf)
{
	return md != NULL && md->version == mf->version &&
	    !tuf_md_expired(md, c->now, c->cfg.slack, NULL, 0);
}

static int
update_targets(struct tuf_client *c, struct tuf_buf *b, char *err,
    size_t errlen)
{
	struct tuf_metadata	*md;
	struct tuf_metafile	 mf;

	if (snapshot_entry(c, "targets", &mf, err, errlen) != TUF_OK)
		return TUF_ERR;
	if (current(c, c->targets, &mf))
		return TUF_OK;
	if (fetch_role(c, TUF_TARGETS, "targets", &mf, c->cfg.targets_max,
	    c->root, tuf_md_toprole(c->root, TUF_TARGETS), b, &md, err,
	    errlen) != TUF_OK)
		return TUF_ERR;
	if (do_store(c, "targets.json", b, err, errlen) != TUF_OK) {
		tuf_md_free(md);
		return TUF_ERR;
	}
	tuf_md_free(c->targets);
	c->targets = md;
	return TUF_OK;
}

int
tuf_client_refresh(struct tuf_client *c, int64_t now, char *err,
    size_t errlen)
{
	struct tuf_buf		 b;
	struct tuf_metadata	*start = c->root;
	int			 rc = TUF_ERR;

	c->refreshed = 0;
	c->now = now;
	drop_roles(c);
	tuf_buf_init(&b, SIZE_MAX / 2);

	/* 5.3: the root, through every intermediate version. */
	if (update_root(c, start, &b, err, errlen) != TUF_OK)
		goto out;
	if (tuf_md_expired(c->root, now, c->cfg.slack, err, errlen))
		goto out;
	if (c->root != start &&
	    recheck_after_rotation(c, start, err, errlen) != TUF_OK)
		goto out;
	/* 5.4 to 5.6 */
	if (update_timestamp(c, &b, err, errlen) != TUF_OK ||
	    update_snapshot(c, &b, err, errlen) != TUF_OK ||
	    update_targets(c, &b, err, errlen) != TUF_OK)
		goto out;
	c->refreshed = 1;
	rc = TUF_OK;
 out:
	if (c->root != start)
		tuf_md_free(start);
	tuf_buf_free(&b);
	return rc;
}

/* --- one-request polling --------------------------------------------------------- */

/*
 * Whether the trusted metadata is complete and consistent (the snapshot
 * the timestamp lists, the targets the snapshot lists) and unexpired at
 * now.  TUF_OK, TUF_NOTFOUND (incomplete) or TUF_ERR (expired, in err).
 */
static int
trusted_current(struct tuf_client *c, int64_t now, char *err, size_t errlen)
{
	struct tuf_metafile	mf;

	if (c->timestamp == NULL || c->snapshot == NULL || c->targets == NULL) {
		tuf_seterr(err, errlen, "no complete trusted metadata yet");
		return TUF_NOTFOUND;
	}
	if (tuf_md_metafile(c->timestamp, "snapshot.json", &mf) != TUF_OK ||
	    mf.version != c->snapshot->version ||
	    tuf_md_metafile(c->snapshot, "targets.json", &mf) != TUF_OK ||
	    mf.version != c->targets->version) {
		tuf_seterr(err, errlen, "trusted snapshot or targets is not "
		    "the one the trusted timestamp lists");
		return TUF_NOTFOUND;
	}
	if (tuf_md_expired(c->root, now, c->cfg.slack, err, errlen) ||
	    tuf_md_expired(c->timestamp, now, c->cfg.slack, err, errlen) ||
	    tuf_md_expired(c->snapshot, now, c->cfg.slack, err, errlen) ||
	    tuf_md_expired(c->targets, now, c->cfg.slack, err, errlen))
		return TUF_ERR;
	return TUF_OK;
}

int
tuf_client_refresh_unchanged(struct tuf_client *c, int64_t now, char *err,
    size_t errlen)
{
	int	rc;

	c->refreshed = 0;
	c->now = now;
	drop_roles(c);
	if ((rc = trusted_current(c, now, err, errlen)) == TUF_OK)
		c->refreshed = 1;
	return rc;
}

int
tuf_client_refresh_timestamp(struct tuf_client *c, int64_t now,
    const void *ts, size_t tslen, int *changed, char *err, size_t errlen)
{
	struct tuf_metadata	*md = NULL;
	int			 same, rc;

	*changed = 1;
	/*
	 * Unchanged: the same version as the trusted timestamp, signed by
	 * the trusted root's timestamp keys, and the trusted state complete.
	 * A timestamp that does not verify with the trusted root (its keys
	 * may have been rotated) or differs in anything counts as changed.
	 */
	same = c->timestamp != NULL && tslen <= c->cfg.timestamp_max &&
	    tuf_md_parse(ts, tslen, c->cfg.timestamp_max, TUF_TIMESTAMP,
	    "timestamp", &md, NULL, 0) == TUF_OK &&
	    tuf_md_verify(md, c->root, tuf_md_toprole(c->root, TUF_TIMESTAMP),
	    NULL, NULL, 0) == TUF_OK && md->version == c->timestamp->version;
	tuf_md_free(md);
	if (same) {
		rc = tuf_client_refresh_unchanged(c, now, err, errlen);
		if (rc != TUF_NOTFOUND) {
			*changed = 0;
			return rc;
		}
	}
	/* Changed: the full workflow, root first, with this timestamp. */
	c->ts_data = ts;
	c->ts_len = tslen;
	rc = tuf_client_refresh(c, now, err, errlen);
	c->ts_data = NULL;
	c->ts_len = 0;
	return rc;
}

void
tuf_client_info(const struct tuf_client *c, struct tuf_client_info *out)
{
	memset(out, 0, sizeof(*out));
	out->root_version = c->root->version;
	out->root_expires = c->root->expires;
	if (c->timestamp != NULL) {
		out->timestamp_version = c->timestamp->version;
		out->timestamp_expires = c->timestamp->expires;
	}
	if (c->snapshot != NULL) {
		out->snapshot_version = c->snapshot->version;
		out->snapshot_expires = c->snapshot->expires;
	}
	if (c->targets != NULL) {
		out->targets_version = c->targets->version;
		out->targets_expires = c->targets->expires;
	}
}

/* --- targets and delegations ------------------------------------------------------ */

/*
 * A delegated targets role, verified with the keys its delegator lists:
 * from this refresh's cache, from the store when it is the version snapshot
 * lists, or from the repository.
 */
static int
load_role(struct tuf_client *c, const char *name,
    const struct tuf_metadata *delegator, const struct tuf_role *role,
    struct tuf_metadata **out, char *err, size_t errlen)
{
	struct tuf_metadata	*md;
	struct tuf_metafile	 mf;
	struct loaded_role	*nr;
	struct tuf_buf		 b;
	char			 file[ENC_MAX], vis[64];
	size_t			 i, ncap;

	for (i = 0; i < c->nroles; i++)
		if (strcmp(c->roles[i].name, name) == 0) {
			*out = c->roles[i].md;
			return TUF_OK;
		}
	if (snapshot_entry(c, name, &mf, err, errlen) != TUF_OK)
		return TUF_ERR;
	if (local_name(name, file, sizeof(file)) != TUF_OK) {
		tuf_seterr(err, errlen, "%s: role name too long",
		    tuf_strvis(vis, sizeof(vis), name, strlen(name)));
		return TUF_ERR;
	}
	if (c->nroles == c->rolecap) {
		ncap = c->rolecap ? 2 * c->rolecap : 16;
		if ((nr = reallocarray(c->roles, ncap, sizeof(*nr))) == NULL) {
			tuf_seterr(err, errlen, "out of memory");
			return TUF_ERR;
		}
		c->roles = nr;
		c->rolecap = ncap;
	}
	if (load_trusted(c, file, TUF_TARGETS, name, c->cfg.targets_max,
	    delegator, role, &md, err, errlen) != TUF_OK)
		return TUF_ERR;
	if (md != NULL && !current(c, md, &mf)) {
		tuf_md_free(md);
		md = NULL;
	}
	if (md == NULL) {
		tuf_buf_init(&b, SIZE_MAX / 2);
		if (fetch_role(c, TUF_TARGETS, name, &mf, c->cfg.targets_max,
		    delegator, role, &b, &md, err, errlen) != TUF_OK ||
		    do_store(c, file, &b, err, errlen) != TUF_OK) {
			tuf_md_free(md);
			tuf_buf_free(&b);
			return TUF_ERR;
		}
		tuf_buf_free(&b);
	}
	if ((c->roles[c->nroles].name = strdup(name)) == NULL) {
		tuf_md_free(md);
		tuf_seterr(err, errlen, "out of memory");
		return TUF_ERR;
	}
	c->roles[c->nroles++].md = md;
	*out = md;
	return TUF_OK;
}

struct walk_ent {
	char				*name;
	const struct tuf_metadata	*delegator;
	const struct tuf_role		*role;
	unsigned			 depth;
};

struct walk_vec {
	struct walk_ent	*v;
	size_t		 n;
	size_t		 cap;
};

static int
vec_push(struct walk_vec *w, const char *name,
    const struct tuf_metadata *delegator, const struct tuf_role *role,
    unsigned depth)
{
	struct walk_ent	*nv;
	size_t		 ncap;

	if (w->n == w->cap) {
		ncap = w->cap ? 2 * w->cap : 16;
		if ((nv = reallocarray(w->v, ncap, sizeof(*nv))) == NULL)
			return -1;
		w->v = nv;
		w->cap = ncap;
	}
	if ((w->v[w->n].name = strdup(name)) == NULL)
		return -1;
	w->v[w->n].delegator = delegator;
	w->v[w->n].role = role;
	w->v[w->n].depth = depth;
	w->n++;
	return 0;
}

static int
vec_has(const struct walk_vec *w, const char *name)
{
	size_t	i;

	for (i = 0; i < w->n; i++)
		if (strcmp(w->v[i].name, name) == 0)
			return 1;
	return 0;
}

static void
vec_clear(struct walk_vec *w)
{
	while (w->n > 0)
		free(w->v[--w->n].name);
}

struct collect {
	struct walk_vec			*children;
	const struct tuf_metadata	*md;
	unsigned			 depth;
	int				 terminating;
	int				 oom;
};

static int
collect_child(void *arg, const char *name, const struct tuf_role *role,
    int terminating)
{
	struct collect	*col = arg;

	if (vec_push(col->children, name, col->md, role, col->depth) != 0) {
		col->oom = 1;
		return 1;
	}
	if (terminating) {
		col->terminating = 1;
		return 1;
	}
	return 0;
}

int
tuf_client_target(struct tuf_client *c, const char *path,
    struct tuf_target *out, char *err, size_t errlen)
{
	struct walk_vec			 stack = { NULL, 0, 0 };
	struct walk_vec			 children = { NULL, 0, 0 };
	struct walk_vec			 visited = { NULL, 0, 0 };
	struct walk_ent			 e;
	struct collect			 col;
	const struct tuf_metadata	*md;
	json_t				*custom;
	char				 vis[64];
	int				 rc = TUF_ERR;

	memset(out, 0, sizeof(*out));
	if (!c->refreshed || c->targets == NULL) {
		tuf_seterr(err, errlen, "target lookup before a successful "
		    "refresh");
		return TUF_ERR;
	}
	if (strlen(path) > TUF_MAX_TARGET_PATH) {
		tuf_seterr(err, errlen, "target path longer than %d bytes",
		    TUF_MAX_TARGET_PATH);
		return TUF_ERR;
	}
	if (vec_push(&stack, "targets", c->root, tuf_md_toprole(c->root,
	    TUF_TARGETS), 0) != 0)
		goto oom;
	/* 5.6.7: pre-order depth-first search of the delegations. */
	while (stack.n > 0 && visited.n < c->cfg.max_delegations) {
		e = stack.v[--stack.n];
		if (vec_has(&visited, e.name)) {
			free(e.name);
			continue;
		}
		if (e.depth == 0)
			md = c->targets;
		else if (load_role(c, e.name, e.delegator, e.role,
		    (struct tuf_metadata **)(uintptr_t)&md, err,
		    errlen) != TUF_OK) {
			free(e.name);
			goto out;
		}
		if (tuf_md_target(md, path, &out->length, &out->hashes,
		    &custom) == TUF_OK) {
			memcpy(out->path, path, strlen(path) + 1);
			tuf_strvis(out->role, sizeof(out->role), e.name,
			    strlen(e.name));
			out->custom = json_incref(custom);
			free(e.name);
			rc = TUF_OK;
			goto out;
		}
		if (vec_push(&visited, e.name, NULL, NULL, 0) != 0) {
			free(e.name);
			goto oom;
		}
		free(e.name);
		if (e.depth >= c->cfg.max_depth)
			continue;
		col.children = &children;
		col.md = md;
		col.depth = e.depth + 1;
		col.terminating = 0;
		col.oom = 0;
		tuf_md_delegations_for(md, path, collect_child, &col);
		if (col.oom)
			goto oom;
		if (col.terminating)
			vec_clear(&stack);
		/* Children go on the stack last first: the first pops next. */
		while (children.n > 0) {
			e = children.v[--children.n];
			if (vec_push(&stack, e.name, e.delegator, e.role,
			    e.depth) != 0) {
				free(e.name);
				goto oom;
			}
			free(e.name);
		}
	}
	tuf_seterr(err, errlen, "target \"%s\" not found (%zu roles "
	    "searched%s)", tuf_strvis(vis, sizeof(vis), path, strlen(path)),
	    visited.n, stack.n > 0 ? ", delegation limit reached" : "");
	rc = TUF_NOTFOUND;
	goto out;
 oom:
	tuf_seterr(err, errlen, "out of memory");
 out:
	vec_clear(&stack);
	vec_clear(&children);
	vec_clear(&visited);
	free(stack.v);
	free(children.v);
	free(visited.v);
	return rc;
}

/* --- listing ------------------------------------------------------------------- */

/*
 * Every role md delegates to, bins included, onto w, the first on top;
 * more hash bins than max roles is an error (up to 2^32 of them).
 */
static int
push_all_children(struct walk_vec *w, const struct tuf_metadata *md,
    unsigned depth, unsigned max, char *err, size_t errlen)
{
	const struct tuf_succinct	*sr = &md->succinct;
	char				 name[TUF_MAX_ROLE_NAME + 1];
	uint64_t			 bin;
	size_t				 i;

	if (!md->has_delegations)
		return TUF_OK;
	if (sr->present && ((uint64_t)1 << sr->bit_length) > max) {
		tuf_seterr(err, errlen, "listing targets: %llu hash bins, "
		    "more than the %u delegated roles a listing reads",
		    (unsigned long long)1 << sr->bit_length, max);
		return TUF_ERR;
	}
	if (sr->present) {
		for (bin = (uint64_t)1 << sr->bit_length; bin > 0; bin--) {
			if (tuf_succinct_bin_name(sr, (uint32_t)(bin - 1),
			    name, sizeof(name)) != TUF_OK) {
				tuf_seterr(err, errlen, "hash bin name too "
				    "long");
				return TUF_ERR;
			}
			if (vec_push(w, name, md, &sr->role, depth) != 0)
				goto oom;
		}
		return TUF_OK;
	}
	for (i = md->ndeleg; i > 0; i--)
		if (vec_push(w, md->deleg[i - 1].name, md, &md->deleg[i - 1],
		    depth) != 0)
			goto oom;
	return TUF_OK;
 oom:
	tuf_seterr(err, errlen, "out of memory");
	return TUF_ERR;
}

/*
 * The targets of one delegated role that a lookup resolves to this role
 * (5.6.7, per path): a role may list paths it was not delegated, or that
 * an earlier role in the search already has.
 */
static int
list_role(struct tuf_client *c, const char *role,
    const struct tuf_metadata *md, tuf_target_list_fn fn, void *arg,
    char *err, size_t errlen)
{
	struct tuf_target	 t;
	const char		*path;
	json_t			*v;
	char			 vis[TUF_MAX_ROLE_NAME + 1];
	int			 rc;

	tuf_strvis(vis, sizeof(vis), role, strlen(role));
	json_object_foreach(md->targets, path, v) {
		rc = tuf_client_target(c, path, &t, err, errlen);
		if (rc == TUF_NOTFOUND)
			continue;
		if (rc != TUF_OK)
			return TUF_ERR;
		rc = strcmp(t.role, vis) == 0 ? fn(arg, path, t.custom) : 0;
		tuf_target_clear(&t);
		if (rc != 0)
			return rc;
	}
	return TUF_OK;
}

int
tuf_client_list_targets(struct tuf_client *c, tuf_target_list_fn fn,
    void *arg, char *err, size_t errlen)
{
	struct walk_vec			 stack = { NULL, 0, 0 };
	struct walk_vec			 visited = { NULL, 0, 0 };
	struct walk_ent			 e;
	const struct tuf_metadata	*md;
	const char			*path;
	json_t				*v;
	char				 vis[64];
	int				 rc = TUF_ERR;

	if (!c->refreshed || c->targets == NULL) {
		tuf_seterr(err, errlen, "target listing before a successful "
		    "refresh");
		return TUF_ERR;
	}
	json_object_foreach(c->targets->targets, path, v) {
		if ((rc = fn(arg, path, json_object_get(v, "custom"))) != 0)
			return rc;
	}
	if (c->cfg.max_depth == 0)
		return TUF_OK;
	if (push_all_children(&stack, c->targets, 1, c->cfg.max_list_roles,
	    err, errlen) != TUF_OK)
		goto out;
	/* Pre-order, depth first, as lookups search. */
	while (stack.n > 0) {
		e = stack.v[--stack.n];
		if (vec_has(&visited, e.name)) {
			free(e.name);
			continue;
		}
		if (visited.n >= c->cfg.max_list_roles) {
			tuf_seterr(err, errlen, "listing targets: more than "
			    "%u delegated roles (%s not visited)",
			    c->cfg.max_list_roles, tuf_strvis(vis,
			    sizeof(vis), e.name, strlen(e.name)));
			free(e.name);
			rc = TUF_ERR;
			goto out;
		}
		rc = load_role(c, e.name, e.delegator, e.role,
		    (struct tuf_metadata **)(uintptr_t)&md, err, errlen);
		if (rc == TUF_OK)
			rc = vec_push(&visited, e.name, NULL, NULL, 0) == 0 ?
			    TUF_OK : TUF_ERR;
		if (rc == TUF_OK)
			rc = list_role(c, e.name, md, fn, arg, err, errlen);
		if (rc == TUF_OK && e.depth < c->cfg.max_depth)
			rc = push_all_children(&stack, md, e.depth + 1,
			    c->cfg.max_list_roles, err, errlen);
		free(e.name);
		if (rc != TUF_OK)
			goto out;
	}
	rc = TUF_OK;
 out:
	vec_clear(&stack);
	vec_clear(&visited);
	free(stack.v);
	free(visited.v);
	return rc;
}

int
tuf_target_check(const struct tuf_target *t, const void *data, size_t len,
    char *err, size_t errlen)
{
	char	vis[64];

	if (tuf_check_file(data, len, t->length, &t->hashes, err, errlen) !=
	    TUF_OK) {
		tuf_preferr(err, errlen, "target \"%s\" (signed by %s)",
		    tuf_strvis(vis, sizeof(vis), t->path, strlen(t->path)),
		    t->role);
		return TUF_ERR;
	}
	return TUF_OK;
}

int
tuf_client_fetch_target(struct tuf_client *c, const struct tuf_target *t,
    struct tuf_buf *out, char *err, size_t errlen)
{
	char		 name[TUF_MAX_TARGET_PATH + 2 * TUF_MAX_DIGEST + 2];
	char		 hex[2 * TUF_MAX_DIGEST + 1];
	char		 enc[ENC_MAX + 2 * TUF_MAX_DIGEST];
	const char	*slash;
	size_t		 dirlen;
	int		 n, rc;

	if (t->length < 0 || t->hashes.n == 0) {
		tuf_seterr(err, errlen, "target without length or hashes");
		return TUF_ERR;
	}
	if (c->root->consistent_snapshot) {
		/* DIR/HASH.NAME, with the first hash the metadata lists. */
		slash = strrchr(t->path, '/');
		dirlen = slash != NULL ? (size_t)(slash - t->path) + 1 : 0;
		tuf_hex_encode(t->hashes.h[0].digest, t->hashes.h[0].len, hex);
		n = snprintf(name, sizeof(name), "%.*s%s.%s", (int)dirlen,
		    t->path, hex, t->path + dirlen);
	} else
		n = snprintf(name, sizeof(name), "%s", t->path);
	if (n < 0 || (size_t)n >= sizeof(name) ||
	    tuf_pct_encode(name, TUF_PCT_KEEP_SLASH, enc, sizeof(enc)) !=
	    TUF_OK) {
		tuf_seterr(err, errlen, "target path too long");
		return TUF_ERR;
	}
	if ((uint64_t)t->length > SIZE_MAX / 2) {
		tuf_seterr(err, errlen, "target of %lld bytes",
		    (long long)t->length);
		return TUF_ERR;
	}
	if ((rc = do_fetch(c, TUF_FETCH_TARGET, enc, (size_t)t->length, out,
	    err, errlen)) != TUF_OK)
		return rc;
	return tuf_target_check(t, out->data, out->len, err, errlen);
}
