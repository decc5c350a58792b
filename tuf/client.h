/*
 * The TUF 1.0 client workflow (specification section 5) over callbacks the
 * caller supplies: fetching from the repository, and loading, storing and
 * removing trusted metadata.  Pure code: no network, no files, no clock, no
 * globals; the caller passes one reference time per refresh.
 *
 * Repository paths handed to fetch (relative to the metadata or targets
 * base URL):
 *   metadata  N.root.json, timestamp.json, [N.]snapshot.json,
 *             [N.]targets.json, [N.]ROLE.json
 *   targets   DIR/[HASH.]NAME (HASH when root.consistent_snapshot)
 * Local names handed to load/store/remove:
 *   root.json, timestamp.json, snapshot.json, targets.json, ROLE.json, and
 *   root@N.json for every root version trusted after the bootstrap root.
 * ROLE and every part of a target path are percent-encoded (tuf_pct_encode):
 * only A-Z a-z 0-9 - _ ~ and a '.' that does not start a name stay as they
 * are, so no repository-supplied name contains '/', '?', '#', '%' or '@'
 * unescaped, starts with '.', or equals a reserved local name.  In metadata
 * paths a leading '.' of ROLE stays too (N...json, not N.%2E..json).
 */
#ifndef LOCKPROBE_TUF_CLIENT_H
#define LOCKPROBE_TUF_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "metadata.h"
#include "tuf_util.h"

enum tuf_fetch_kind {
	TUF_FETCH_METADATA = 1,
	TUF_FETCH_TARGET,
};

struct tuf_io {
	/*
	 * Fetch path into out (reset by the caller of fetch: append to it).
	 * Must fail rather than return more than maxlen bytes.  Returns
	 * TUF_OK, TUF_NOTFOUND (the server said there is no such file) or
	 * TUF_ERR (anything else, with a reason in err).
	 */
	int	(*fetch)(void *arg, enum tuf_fetch_kind kind, const char *path,
		    size_t maxlen, struct tuf_buf *out, char *err,
		    size_t errlen);
	/* Trusted metadata by local name: TUF_OK, TUF_NOTFOUND or TUF_ERR. */
	int	(*load)(void *arg, const char *name, size_t maxlen,
		    struct tuf_buf *out, char *err, size_t errlen);
	/* Replace atomically; TUF_OK or TUF_ERR (a failure is fatal). */
	int	(*store)(void *arg, const char *name, const void *data,
		    size_t len, char *err, size_t errlen);
	/* TUF_OK (also when absent) or TUF_ERR. */
	int	(*remove)(void *arg, const char *name, char *err,
		    size_t errlen);
	/*
	 * Optional: stored metadata name was loaded but does not parse or
	 * verify (why says how); it is ignored, never trusted, and fetched
	 * again when needed.  Damage or tampering: worth reporting.
	 */
	void	(*untrusted)(void *arg, const char *name, const char *why);
};

struct tuf_client_config {
	size_t		root_max;		/* bytes of one root */
	size_t		timestamp_max;
	size_t		snapshot_max;		/* unless timestamp says */
	size_t		targets_max;		/* unless snapshot says */
	unsigned	max_root_rotations;	/* root versions per refresh */
	unsigned	max_delegations;	/* roles visited per lookup */
	unsigned	max_depth;		/* delegation depth */
	unsigned	max_list_roles;		/* roles per listing */
	int64_t		slack;			/* seconds of clock skew */
	int		root_history;		/* keep and re-verify root@N */
};

#define TUF_DEFAULT_ROOT_MAX		(512 * 1024)
#define TUF_DEFAULT_TIMESTAMP_MAX	(16 * 1024)
#define TUF_DEFAULT_SNAPSHOT_MAX	(16 * 1024 * 1024)
#define TUF_DEFAULT_TARGETS_MAX		(32 * 1024 * 1024)
#define TUF_DEFAULT_ROOT_ROTATIONS	256
#define TUF_DEFAULT_MAX_DELEGATIONS	32
#define TUF_DEFAULT_MAX_DEPTH		16
#define TUF_DEFAULT_MAX_LIST_ROLES	64

void	tuf_client_config_default(struct tuf_client_config *cfg);

/* What tuf_client_target found. */
struct tuf_target {
	char			path[TUF_MAX_TARGET_PATH + 1];
	char			role[TUF_MAX_ROLE_NAME + 1];	/* signer */
	int64_t			length;
	struct tuf_hashes	hashes;
	json_t			*custom;	/* new reference, or NULL */
};
void	tuf_target_clear(struct tuf_target *t);

struct tuf_client;

/*
 * Start from the bootstrap root (the operator's file, never written): it
 * must be signed by its own root threshold.  With cfg->root_history, the
 * stored roots root@N.json are re-verified from it, one version at a time;
 * the first that does not verify ends the walk (the cache is untrusted).
 * Stored timestamp, snapshot and targets metadata that verify with the
 * resulting root are kept for rollback protection; others are ignored.
 * Expiry is not checked here.  Returns NULL with the reason in err.
 */
struct tuf_client *tuf_client_open(const struct tuf_client_config *cfg,
	    const struct tuf_io *io, void *arg, const void *root,
	    size_t rootlen, char *err, size_t errlen);
void	tuf_client_free(struct tuf_client *c);

/*
 * One refresh at reference time now (seconds since the epoch): root
 * rotation, timestamp, snapshot, top-level targets.  TUF_OK or TUF_ERR.
 */
int	tuf_client_refresh(struct tuf_client *c, int64_t now, char *err,
	    size_t errlen);

/*
 * One-request polling, for a client that polls often (netd): instead of
 * tuf_client_refresh, which always starts with a request for root N+1,
 * the caller fetches timestamp.json first, conditionally (If-None-Match,
 * If-Modified-Since), and
 * - on "not modified" calls tuf_client_refresh_unchanged, which makes no
 *   request: the trusted metadata stays, if it is complete and unexpired;
 * - on a new body calls tuf_client_refresh_timestamp with it.  If it is
 *   the trusted timestamp again (same version, verified by the trusted
 *   root), nothing else is fetched (*changed = 0).  Otherwise the full
 *   workflow of tuf_client_refresh runs, in the specification's order
 *   (root N+1 first, rotation included), using these bytes as the
 *   timestamp instead of fetching it again.
 * Why this ordering is safe: a root published without a new timestamp
 * changes nothing the client trusts until the next timestamp, and a new
 * timestamp always sends the client through the root update first, so a
 * timestamp signed by rotated-out keys is refused then.  A freeze (the
 * same timestamp served forever) is bounded by the timestamp's expiry,
 * which both functions check.  tuf_client_refresh keeps the strict
 * sequence for clients that need it.
 * Both return TUF_OK, TUF_ERR (reason in err, e.g. expired) or, for
 * tuf_client_refresh_unchanged only, TUF_NOTFOUND: the trusted metadata is
 * incomplete, so poll again unconditionally.
 */
int	tuf_client_refresh_unchanged(struct tuf_client *c, int64_t now,
	    char *err, size_t errlen);
int	tuf_client_refresh_timestamp(struct tuf_client *c, int64_t now,
	    const void *ts, size_t tslen, int *changed, char *err,
	    size_t errlen);

/* Versions and expiries (unix seconds) of the trusted metadata; 0: none. */
struct tuf_client_info {
	int64_t		root_version;
	int64_t		root_expires;
	int64_t		timestamp_version;
	int64_t		timestamp_expires;
	int64_t		snapshot_version;
	int64_t		snapshot_expires;
	int64_t		targets_version;
	int64_t		targets_expires;
};
void	tuf_client_info(const struct tuf_client *c,
	    struct tuf_client_info *out);

/*
 * After a successful refresh: call fn for every target a lookup of its
 * path would find, with its custom field or NULL, until fn returns
 * non-zero (returned).  The top-level targets come first, then the
 * delegated roles in the order of the search (pre-order, depth first, hash
 * bins included), each loaded as tuf_client_target loads it, up to
 * cfg->max_depth deep and cfg->max_list_roles roles; a path a role lists
 * is passed on only when the lookup of that path resolves to that role.
 * TUF_OK, or TUF_ERR (no successful refresh, a role that does not verify,
 * more roles than the limit) with the reason in err; on an error fn may
 * have been called for some targets already.
 */
typedef int (*tuf_target_list_fn)(void *arg, const char *path,
	    json_t *custom);
int	tuf_client_list_targets(struct tuf_client *c, tuf_target_list_fn fn,
	    void *arg, char *err, size_t errlen);

/*
 * Look a target up after a successful refresh: pre-order search of the
 * delegations, loading (and storing) delegated roles as needed.  Returns
 * TUF_OK, TUF_NOTFOUND, or TUF_ERR (a role on the way failed to verify).
 */
int	tuf_client_target(struct tuf_client *c, const char *path,
	    struct tuf_target *out, char *err, size_t errlen);

/*
 * Fetch a target file (hash-prefixed name under consistent snapshots) into
 * out and verify its length and hashes.  TUF_OK, TUF_NOTFOUND or TUF_ERR.
 */
int	tuf_client_fetch_target(struct tuf_client *c,
	    const struct tuf_target *t, struct tuf_buf *out, char *err,
	    size_t errlen);
/* Verify a file already at hand against a target. */
int	tuf_target_check(const struct tuf_target *t, const void *data,
	    size_t len, char *err, size_t errlen);

/* The trusted root's version, and whether consistent snapshots are on. */
int64_t	tuf_client_root_version(const struct tuf_client *c);
/* How many requests fetch was asked for since tuf_client_open. */
unsigned long tuf_client_fetches(const struct tuf_client *c);

/*
 * Percent-encode in as described above.  Flags: TUF_PCT_KEEP_SLASH, '/'
 * separates parts that are encoded one by one; TUF_PCT_URL, a leading '.'
 * is kept too (metadata URLs, where ".json" follows: Python's
 * urllib.parse.quote(name, "") encodes the same way).  TUF_OK, or TUF_ERR
 * when out (outlen bytes) is too small.
 */
#define TUF_PCT_KEEP_SLASH	0x1
#define TUF_PCT_URL		0x2
int	tuf_pct_encode(const char *in, int flags, char *out, size_t outlen);

#endif
