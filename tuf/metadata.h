/*
 * TUF metadata: parsing, validation and signature thresholds for every role
 * of the specification (version 1.x): root, timestamp, snapshot, targets and
 * delegated targets roles.
 *
 * tuf_md_parse() checks the envelope {"signed", "signatures"}, _type,
 * spec_version, version, expires and the role-specific fields, with a hard
 * limit on every count, and keeps the canonical JSON of "signed" (the bytes
 * that signatures cover).  tuf_md_verify() counts the valid signatures of one
 * role (as a delegator describes it) against its threshold.  Nothing here
 * decides whether metadata is new enough or unexpired: the client workflow
 * (client.c) does, with tuf_md_expired() and one reference time.
 *
 * Pure code: no I/O, no globals.  Strings returned by accessors borrow from
 * the metadata and live as long as it does.
 */
#ifndef LOCKPROBE_TUF_METADATA_H
#define LOCKPROBE_TUF_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "keys.h"
#include "tuf_util.h"

/* Hard limits on what one metadata document may hold. */
#define TUF_MAX_KEYS		256	/* keys in root or in delegations */
#define TUF_MAX_ROLE_KEYIDS	256	/* keyids listed for one role */
#define TUF_MAX_SIGNATURES	256	/* entries in "signatures" */
#define TUF_MAX_DELEGATIONS	1024	/* roles delegated by one role */
#define TUF_MAX_PATHS		1024	/* paths or prefixes of one role */
#define TUF_MAX_TARGETS		100000	/* targets of one role */
#define TUF_MAX_META		100000	/* entries in snapshot meta */
#define TUF_MAX_HASHES		8	/* algorithms in one "hashes" */
#define TUF_MAX_ROLE_NAME	255	/* bytes in a role name */
#define TUF_MAX_TARGET_PATH	4096	/* bytes in a target path */
#define TUF_MAX_BIT_LENGTH	32	/* succinct_roles.bit_length */
#define TUF_MAX_CANONICAL	(64 * 1024 * 1024) /* canonical "signed" */
#define TUF_MAX_DIGEST		64	/* SHA-512 */

enum tuf_type {
	TUF_ROOT = 0,
	TUF_TIMESTAMP,
	TUF_SNAPSHOT,
	TUF_TARGETS,		/* top-level and delegated targets */
};
#define TUF_NTOPROLES	4

/* "root", "timestamp", "snapshot", "targets" */
const char	*tuf_type_name(enum tuf_type type);

/* A key listed in root or in delegations. */
struct tuf_keyent {
	const char	*keyid;		/* as the metadata spells it */
	int		 usable;	/* parsed, supported: it can count */
	struct tuf_key	 key;		/* valid only when usable */
};

/* Who may sign a role: keys (indices into the keyring) and a threshold. */
struct tuf_role {
	const char	*name;
	size_t		 nkeys;
	size_t		*keys;		/* indices into the keyring, unique */
	int64_t		 threshold;	/* >= 1 */
	/* delegated roles only */
	int		 terminating;
	json_t		*paths;		/* array of strings, or NULL */
	json_t		*prefixes;	/* path_hash_prefixes, or NULL */
};

/* Succinct hash-bin delegation (TAP 15). */
struct tuf_succinct {
	int		 present;
	unsigned	 bit_length;	/* 1 .. 32 */
	const char	*name_prefix;
	struct tuf_role	 role;		/* keys and threshold of every bin */
};

/* Hashes of a file: algorithm names and digests. */
struct tuf_hashes {
	size_t		 n;
	struct {
		char		 alg[16];
		unsigned char	 digest[TUF_MAX_DIGEST];
		size_t		 len;
	}		 h[TUF_MAX_HASHES];
};

/* One entry of timestamp or snapshot "meta". */
struct tuf_metafile {
	int64_t			version;
	int64_t			length;		/* -1 when absent */
	struct tuf_hashes	hashes;		/* n == 0 when absent */
};

struct tuf_metadata {
	json_t		*doc;		/* the whole document */
	json_t		*signed_;	/* borrowed from doc */
	json_t		*signatures;	/* borrowed from doc */
	struct tuf_buf	 canon;		/* canonical JSON of signed */
	enum tuf_type	 type;
	char		 role[TUF_MAX_ROLE_NAME + 1]; /* name for messages */
	const char	*spec_version;
	int64_t		 version;
	int64_t		 expires;	/* seconds since the epoch, UTC */

	/* root: keys and the four top-level roles; targets: delegations */
	size_t		 nkeys;
	struct tuf_keyent *keys;
	int		 consistent_snapshot;		/* root */
	struct tuf_role	 toproles[TUF_NTOPROLES];	/* root */

	json_t		*meta;		/* timestamp, snapshot: validated */
	json_t		*targets;	/* targets: validated */
	int		 has_delegations;
	size_t		 ndeleg;
	struct tuf_role	*deleg;		/* delegations.roles, in order */
	struct tuf_succinct succinct;
};

/*
 * Parse and validate len bytes of metadata of the given type, for the role
 * called rolename (used in errors and, for delegated targets, not checked
 * against the content: the delegator names the role).  Refused: more than
 * maxlen bytes, a wrong _type, spec_version other than 1.x, version < 1, an
 * expiry that is not "YYYY-MM-DDTHH:MM:SS[.frac]Z", a missing or mistyped
 * field, a limit exceeded.  A key that is malformed or of an unsupported
 * type or scheme is kept but unusable.  Signatures are not checked here.
 * Errors read "ROLE: reason" or "ROLE version N: reason".
 */
int	tuf_md_parse(const void *buf, size_t len, size_t maxlen,
	    enum tuf_type type, const char *rolename, struct tuf_metadata **out,
	    char *err, size_t errlen);
void	tuf_md_free(struct tuf_metadata *md);

/*
 * Count the valid signatures over md's canonical "signed" by the keys that
 * delegator (root, or a targets role with delegations) lists for role.
 * Each distinct public key counts once, whatever key ids it appears under
 * and however many signatures it made; unusable keys and malformed
 * signatures count nothing.  Returns TUF_OK when the threshold is met,
 * TUF_BADSIG otherwise ("ROLE version N: 1 of 2 required signatures").
 * *countp, when not NULL, receives the count.
 */
int	tuf_md_verify(const struct tuf_metadata *md,
	    const struct tuf_metadata *delegator, const struct tuf_role *role,
	    size_t *countp, char *err, size_t errlen);

/*
 * Whether md has expired at reference time now, allowing slack seconds of
 * clock skew: expired when now - slack >= expires.  The error names the role,
 * the version, the expiry and the reference time.
 */
int	tuf_md_expired(const struct tuf_metadata *md, int64_t now,
	    int64_t slack, char *err, size_t errlen);

/* root: the role entry for a top-level role. */
const struct tuf_role *tuf_md_toprole(const struct tuf_metadata *root,
	    enum tuf_type type);
/*
 * Whether two role entries list the same keys (whatever their thresholds):
 * false means the keys were rotated.
 */
int	tuf_role_same_keys(const struct tuf_metadata *a,
	    const struct tuf_role *ra, const struct tuf_metadata *b,
	    const struct tuf_role *rb);

/*
 * timestamp, snapshot: the entry for file name (such as "snapshot.json").
 * Returns TUF_OK, or TUF_NOTFOUND.
 */
int	tuf_md_metafile(const struct tuf_metadata *md, const char *name,
	    struct tuf_metafile *out);

/* targets: the entry of a target path, TUF_OK or TUF_NOTFOUND. */
int	tuf_md_target(const struct tuf_metadata *md, const char *path,
	    int64_t *length, struct tuf_hashes *hashes, json_t **custom);

/*
 * targets with delegations: the roles delegated a target path, in the order
 * of the search: calls fn for each, with the role entry (for succinct
 * roles the shared entry and the bin's name) and its terminating flag; stops
 * when fn returns non-zero and returns that value.
 */
typedef int (*tuf_deleg_fn)(void *arg, const char *name,
	    const struct tuf_role *role, int terminating);
int	tuf_md_delegations_for(const struct tuf_metadata *md,
	    const char *path, tuf_deleg_fn fn, void *arg);
/* targets: the entry of a delegated role by name, or NULL */
const struct tuf_role *tuf_md_delegated_role(const struct tuf_metadata *md,
	    const char *name);

/*
 * Delegation helpers, exported for tests.  A pattern matches a path when
 * both have the same number of '/'-separated parts and each part matches
 * as a shell glob (fnmatch without escapes): '*' never crosses '/'.
 */
int	tuf_path_match(const char *pattern, const char *path);
/* The hash-bin role name for a path: "PREFIX-%0Nx", N hex digits. */
int	tuf_succinct_bin(const struct tuf_succinct *sr, const char *path,
	    char *name, size_t namelen);
/* The name of bin number bin (0 to 2^bit_length - 1). */
int	tuf_succinct_bin_name(const struct tuf_succinct *sr, uint32_t bin,
	    char *name, size_t namelen);

/*
 * Check data against a length (skipped when < 0) and hashes.  Every
 * algorithm this library knows (sha256, sha512) must match and at least one
 * must be present when hashes are given; others are ignored.
 */
int	tuf_check_file(const void *data, size_t len, int64_t length,
	    const struct tuf_hashes *hashes, char *err, size_t errlen);

/*
 * Time: parse "YYYY-MM-DDTHH:MM:SS[.fraction]Z" into seconds since the epoch,
 * and format seconds as "YYYY-MM-DDTHH:MM:SSZ" (buf of at least 32 bytes).
 */
int	tuf_parse_time(const char *s, int64_t *out);
void	tuf_format_time(int64_t t, char *buf, size_t len);

#endif
