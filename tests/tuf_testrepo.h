/*
 * A TUF repository builder for tests and benchmarks: ed25519 keys made with
 * tuf_ed25519_keygen, metadata signed over canonical JSON with
 * tuf_ed25519_sign, and an in-memory "remote" and "local" file store that
 * the client's callbacks (tr_io) read and write.  Test code only: it aborts
 * on failure.
 */
#ifndef LOCKPROBE_TUF_TESTREPO_H
#define LOCKPROBE_TUF_TESTREPO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "client.h"
#include "keys.h"

#define TR_NOW		1767225600LL	/* 2026-01-01T00:00:00Z */
#define TR_DAY		86400LL
#define TR_MAXDELEG	16

struct tr_key {
	unsigned char	pk[TUF_ED25519_PKLEN];
	unsigned char	sk[TUF_ED25519_SKLEN];
	char		keyid[TUF_KEYID_HEXLEN + 1];
};

struct tr_file {
	char		*name;
	unsigned char	*data;
	size_t		 len;
};

struct tr_fs {
	struct tr_file	*f;
	size_t		 n;
	size_t		 cap;
	json_t		*idx;	/* name -> index into f */
};

struct tr_repo {
	struct tr_fs	 remote;	/* "metadata/..." and "targets/..." */
	struct tr_fs	 local;		/* the client's store */
	struct tr_key	 rk, tk, sk, gk, dk;	/* root, timestamp, snapshot,
						   targets, delegations */
	int		 consistent;
	int64_t		 expires;
	json_t		*root;		/* signed portion of the newest root */
	unsigned char	*root1;		/* bytes of root version 1 */
	size_t		 root1len;
	json_t		*targets;	/* signed portion of top targets */
	size_t		 ndeleg;
	char		*dname[TR_MAXDELEG];
	json_t		*dsigned[TR_MAXDELEG];	/* signed by dk */
	int64_t		 ts_version;
	int64_t		 snap_version;
	/* test hooks */
	char		 log[16384];	/* fetched paths, one a line */
	char		 untrusted[4096]; /* "NAME: why" of ignored files */
	int		 fail_store;
	unsigned	 nfetch;
};

extern const struct tuf_io tr_io;

void	 tr_key_new(struct tr_key *k);
json_t	*tr_keyobj(const struct tr_key *k);
/* {_type, spec_version "1.0.31", version, expires} */
json_t	*tr_signed(const char *type, int64_t version, int64_t expires);
/* Envelope with one signature per key, as keyids[i] (or the key's id). */
unsigned char *tr_sign(const json_t *signed_, struct tr_key *const *keys,
	    const char *const *keyids, size_t n, size_t *lenp);
/* A root with one key per role, threshold 1 each. */
json_t	*tr_root_signed(int64_t version, int64_t expires, int consistent,
	    const struct tr_key *r, const struct tr_key *t,
	    const struct tr_key *s, const struct tr_key *g);
/* Add {length, hashes: {sha256}} for content; returns the entry. */
json_t	*tr_fileinfo(const void *data, size_t len, int64_t version);

void	 tr_put(struct tr_fs *fs, const char *name, const void *data,
	    size_t len);
struct tr_file *tr_get(struct tr_fs *fs, const char *name);
void	 tr_del(struct tr_fs *fs, const char *name);
void	 tr_fs_free(struct tr_fs *fs);

/*
 * A standard repository: root version 1 (published), empty targets version
 * 1, timestamp and snapshot version 1, expiring 30 days after TR_NOW.
 */
void	 tr_repo_init(struct tr_repo *r, int consistent);
/* The same, expiring 30 days after now (the real clock, for real clients). */
void	 tr_repo_init_at(struct tr_repo *r, int consistent, int64_t now);
void	 tr_repo_free(struct tr_repo *r);
/* A target in top-level targets (or json_t *targets given) and its file. */
void	 tr_add_target(struct tr_repo *r, json_t *targets, const char *path,
	    const char *content);
/* A delegated role signed by dk; returns its signed portion. */
json_t	*tr_add_role(struct tr_repo *r, const char *name);
/* Delegation entry in a targets signed portion to dk. */
void	 tr_delegate(json_t *targets, const struct tr_key *k,
	    const char *name, const char *paths, int terminating);
/*
 * Sign and publish targets, delegated roles, snapshot (snap_version) and
 * timestamp (ts_version): version-prefixed too under consistent snapshots.
 */
void	 tr_publish(struct tr_repo *r);
/* Publish root version v (r->root's version set to v) signed by keys. */
void	 tr_publish_root(struct tr_repo *r, struct tr_key *const *keys,
	    size_t n);

#endif
