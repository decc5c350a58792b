#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "canonical_json.h"
#include "client.h"
#include "keys.h"
#include "metadata.h"
#include "tuf_testrepo.h"
#include "tuf_util.h"

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "tuf_testrepo: %s\n", what);
	abort();
}

void
tr_key_new(struct tr_key *k)
{
	char	 err[256];
	json_t	*o;

	if (tuf_ed25519_keygen(k->pk, k->sk, err, sizeof(err)) != TUF_OK)
		die(err);
	o = tr_keyobj(k);
	if (tuf_keyid_compute(o, k->keyid, err, sizeof(err)) != TUF_OK)
		die(err);
	json_decref(o);
}

json_t *
tr_keyobj(const struct tr_key *k)
{
	json_t	*o;

	if ((o = tuf_ed25519_key_json(k->pk)) == NULL)
		die("key json");
	return o;
}

json_t *
tr_signed(const char *type, int64_t version, int64_t expires)
{
	char	 t[32];
	json_t	*o;

	tuf_format_time(expires, t, sizeof(t));
	o = json_pack("{s:s, s:s, s:I, s:s}", "_type", type, "spec_version",
	    "1.0.31", "version", (json_int_t)version, "expires", t);
	if (o == NULL)
		die("json_pack");
	return o;
}

unsigned char *
tr_sign(const json_t *signed_, struct tr_key *const *keys,
    const char *const *keyids, size_t n, size_t *lenp)
{
	struct tuf_buf	 canon;
	json_t		*env, *sigs;
	char		 err[256], sig[2 * TUF_ED25519_SIGLEN + 1];
	char		*text;
	size_t		 i;

	tuf_buf_init(&canon, SIZE_MAX / 2);
	if (tuf_canonical_json(signed_, &canon, err, sizeof(err)) != TUF_OK)
		die(err);
	sigs = json_array();
	for (i = 0; i < n; i++) {
		if (tuf_ed25519_sign(keys[i]->sk, canon.data, canon.len, sig,
		    err, sizeof(err)) != TUF_OK)
			die(err);
		json_array_append_new(sigs, json_pack("{s:s, s:s}", "keyid",
		    keyids != NULL && keyids[i] != NULL ? keyids[i] :
		    keys[i]->keyid, "sig", sig));
	}
	tuf_buf_free(&canon);
	env = json_pack("{s:O, s:o}", "signed", signed_, "signatures", sigs);
	if (env == NULL || (text = json_dumps(env, JSON_COMPACT)) == NULL)
		die("json_dumps");
	json_decref(env);
	*lenp = strlen(text);
	return (unsigned char *)text;
}

static json_t *
role_entry(const struct tr_key *k)
{
	return json_pack("{s:[s], s:i}", "keyids", k->keyid, "threshold", 1);
}

json_t *
tr_root_signed(int64_t version, int64_t expires, int consistent,
    const struct tr_key *r, const struct tr_key *t, const struct tr_key *s,
    const struct tr_key *g)
{
	json_t	*o, *keys;

	o = tr_signed("root", version, expires);
	keys = json_object();
	json_object_set_new(keys, r->keyid, tr_keyobj(r));
	json_object_set_new(keys, t->keyid, tr_keyobj(t));
	json_object_set_new(keys, s->keyid, tr_keyobj(s));
	json_object_set_new(keys, g->keyid, tr_keyobj(g));
	json_object_set_new(o, "keys", keys);
	json_object_set_new(o, "roles", json_pack("{s:o, s:o, s:o, s:o}",
	    "root", role_entry(r), "timestamp", role_entry(t),
	    "snapshot", role_entry(s), "targets", role_entry(g)));
	json_object_set_new(o, "consistent_snapshot", json_boolean(consistent));
	return o;
}

json_t *
tr_fileinfo(const void *data, size_t len, int64_t version)
{
	unsigned char	 d[crypto_hash_sha256_BYTES];
	char		 hex[2 * crypto_hash_sha256_BYTES + 1];
	json_t		*o;

	crypto_hash_sha256(d, data, len);
	tuf_hex_encode(d, sizeof(d), hex);
	o = json_pack("{s:I, s:{s:s}}", "length", (json_int_t)len, "hashes",
	    "sha256", hex);
	if (version > 0)
		json_object_set_new(o, "version", json_integer(version));
	return o;
}

struct tr_file *
tr_get(struct tr_fs *fs, const char *name)
{
	json_t	*i;

	if (fs->idx == NULL || (i = json_object_get(fs->idx, name)) == NULL)
		return NULL;
	return &fs->f[json_integer_value(i)];
}

void
tr_put(struct tr_fs *fs, const char *name, const void *data, size_t len)
{
	struct tr_file	*f, *nf;
	size_t		 ncap;

	if (fs->idx == NULL && (fs->idx = json_object()) == NULL)
		die("out of memory");
	if ((f = tr_get(fs, name)) == NULL) {
		if (fs->n == fs->cap) {
			ncap = fs->cap ? 2 * fs->cap : 64;
			if ((nf = realloc(fs->f, ncap * sizeof(*nf))) == NULL)
				die("out of memory");
			fs->f = nf;
			fs->cap = ncap;
		}
		json_object_set_new(fs->idx, name, json_integer(fs->n));
		f = &fs->f[fs->n++];
		f->name = strdup(name);
	} else
		free(f->data);
	f->data = malloc(len + 1);
	if (f->name == NULL || f->data == NULL)
		die("out of memory");
	memcpy(f->data, data, len);
	f->data[len] = '\0';
	f->len = len;
}

void
tr_del(struct tr_fs *fs, const char *name)
{
	struct tr_file	*f;
	size_t		 i;

	if ((f = tr_get(fs, name)) == NULL)
		return;
	i = (size_t)(f - fs->f);
	json_object_del(fs->idx, name);
	free(f->name);
	free(f->data);
	if (i != --fs->n) {
		*f = fs->f[fs->n];
		json_object_set_new(fs->idx, f->name, json_integer(i));
	}
}

void
tr_fs_free(struct tr_fs *fs)
{
	size_t	i;

	for (i = 0; i < fs->n; i++) {
		free(fs->f[i].name);
		free(fs->f[i].data);
	}
	free(fs->f);
	json_decref(fs->idx);
	memset(fs, 0, sizeof(*fs));
}

/* --- the client's callbacks ------------------------------------------------ */

static int
io_fetch(void *arg, enum tuf_fetch_kind kind, const char *path,
    size_t maxlen, struct tuf_buf *out, char *err, size_t errlen)
{
	struct tr_repo	*r = arg;
	struct tr_file	*f;
	char		 name[8192];
	size_t		 l = strlen(r->log);

	r->nfetch++;
	snprintf(r->log + l, sizeof(r->log) - l, "%s\n", path);
	snprintf(name, sizeof(name), "%s/%s", kind == TUF_FETCH_METADATA ?
	    "metadata" : "targets", path);
	if ((f = tr_get(&r->remote, name)) == NULL)
		return TUF_NOTFOUND;
	if (f->len > maxlen) {
		tuf_seterr(err, errlen, "more than %zu bytes", maxlen);
		return TUF_ERR;
	}
	return tuf_buf_append(out, f->data, f->len, err, errlen);
}

static int
io_load(void *arg, const char *name, size_t maxlen, struct tuf_buf *out,
    char *err, size_t errlen)
{
	struct tr_repo	*r = arg;
	struct tr_file	*f;

	if ((f = tr_get(&r->local, name)) == NULL)
		return TUF_NOTFOUND;
	if (f->len > maxlen) {
		tuf_seterr(err, errlen, "more than %zu bytes", maxlen);
		return TUF_ERR;
	}
	return tuf_buf_append(out, f->data, f->len, err, errlen);
}

static int
io_store(void *arg, const char *name, const void *data, size_t len,
    char *err, size_t errlen)
{
	struct tr_repo	*r = arg;

	if (r->fail_store) {
		tuf_seterr(err, errlen, "disk full (test)");
		return TUF_ERR;
	}
	tr_put(&r->local, name, data, len);
	return TUF_OK;
}

static int
io_remove(void *arg, const char *name, char *err, size_t errlen)
{
	struct tr_repo	*r = arg;

	(void)err;
	(void)errlen;
	tr_del(&r->local, name);
	return TUF_OK;
}

static void
io_untrusted(void *arg, const char *name, const char *why)
{
	struct tr_repo	*r = arg;
	size_t		 n = strlen(r->untrusted);

	snprintf(r->untrusted + n, sizeof(r->untrusted) - n, "%s: %s\n",
	    name, why);
}

const struct tuf_io tr_io = { io_fetch, io_load, io_store, io_remove,
	io_untrusted };

/* --- the standard repository ---------------------------------------------- */

void
tr_publish_root(struct tr_repo *r, struct tr_key *const *keys, size_t n)
{
	unsigned char	*b;
	char		 name[64];
	size_t		 len;
	int64_t		 v;

	v = json_integer_value(json_object_get(r->root, "version"));
	b = tr_sign(r->root, keys, NULL, n, &len);
	snprintf(name, sizeof(name), "metadata/%lld.root.json", (long long)v);
	tr_put(&r->remote, name, b, len);
	tr_put(&r->remote, "metadata/root.json", b, len);
	if (v == 1) {
		free(r->root1);
		r->root1 = b;
		r->root1len = len;
	} else
		free(b);
}

void
tr_repo_init(struct tr_repo *r, int consistent)
{
	tr_repo_init_at(r, consistent, TR_NOW);
}

void
tr_repo_init_at(struct tr_repo *r, int consistent, int64_t now)
{
	struct tr_key	*k[1];

	memset(r, 0, sizeof(*r));
	tr_key_new(&r->rk);
	tr_key_new(&r->tk);
	tr_key_new(&r->sk);
	tr_key_new(&r->gk);
	tr_key_new(&r->dk);
	r->consistent = consistent;
	r->expires = now + 30 * TR_DAY;
	r->root = tr_root_signed(1, r->expires, consistent, &r->rk, &r->tk,
	    &r->sk, &r->gk);
	k[0] = &r->rk;
	tr_publish_root(r, k, 1);
	r->targets = tr_signed("targets", 1, r->expires);
	json_object_set_new(r->targets, "targets", json_object());
	r->ts_version = 1;
	r->snap_version = 1;
}

void
tr_repo_free(struct tr_repo *r)
{
	size_t	i;

	tr_fs_free(&r->remote);
	tr_fs_free(&r->local);
	json_decref(r->root);
	json_decref(r->targets);
	for (i = 0; i < r->ndeleg; i++) {
		free(r->dname[i]);
		json_decref(r->dsigned[i]);
	}
	free(r->root1);
}

void
tr_add_target(struct tr_repo *r, json_t *targets, const char *path,
    const char *content)
{
	unsigned char	 d[crypto_hash_sha256_BYTES];
	char		 hex[2 * crypto_hash_sha256_BYTES + 1];
	char		 name[8192];
	const char	*slash;
	int		 dirlen;

	if (targets == NULL)
		targets = r->targets;
	json_object_set_new(json_object_get(targets, "targets"), path,
	    tr_fileinfo(content, strlen(content), 0));
	crypto_hash_sha256(d, (const unsigned char *)content, strlen(content));
	tuf_hex_encode(d, sizeof(d), hex);
	snprintf(name, sizeof(name), "targets/%s", path);
	tr_put(&r->remote, name, content, strlen(content));
	slash = strrchr(path, '/');
	dirlen = slash != NULL ? (int)(slash - path) + 1 : 0;
	snprintf(name, sizeof(name), "targets/%.*s%s.%s", dirlen, path, hex,
	    path + dirlen);
	tr_put(&r->remote, name, content, strlen(content));
}

json_t *
tr_add_role(struct tr_repo *r, const char *name)
{
	json_t	*o;

	if (r->ndeleg == TR_MAXDELEG)
		die("too many delegated roles");
	o = tr_signed("targets", 1, r->expires);
	json_object_set_new(o, "targets", json_object());
	r->dname[r->ndeleg] = strdup(name);
	r->dsigned[r->ndeleg++] = o;
	return o;
}

void
tr_delegate(json_t *targets, const struct tr_key *k, const char *name,
    const char *paths, int terminating)
{
	json_t	*dl, *role, *pa;
	char	*copy, *p, *save = NULL;

	if ((dl = json_object_get(targets, "delegations")) == NULL) {
		dl = json_pack("{s:{}, s:[]}", "keys", "roles");
		json_object_set_new(targets, "delegations", dl);
	}
	json_object_set_new(json_object_get(dl, "keys"), k->keyid,
	    tr_keyobj(k));
	pa = json_array();
	copy = strdup(paths);
	for (p = strtok_r(copy, " ", &save); p != NULL;
	    p = strtok_r(NULL, " ", &save))
		json_array_append_new(pa, json_string(p));
	free(copy);
	role = json_pack("{s:s, s:[s], s:i, s:b, s:o}", "name", name,
	    "keyids", k->keyid, "threshold", 1, "terminating", terminating,
	    "paths", pa);
	json_array_append_new(json_object_get(dl, "roles"), role);
}

static void
put_meta(struct tr_repo *r, const char *role, int64_t version,
    const unsigned char *b, size_t len)
{
	char	enc[4096], name[8192];

	if (tuf_pct_encode(role, TUF_PCT_URL, enc, sizeof(enc)) != TUF_OK)
		die("role name");
	snprintf(name, sizeof(name), "metadata/%s.json", enc);
	tr_put(&r->remote, name, b, len);
	snprintf(name, sizeof(name), "metadata/%lld.%s.json",
	    (long long)version, enc);
	tr_put(&r->remote, name, b, len);
}

void
tr_publish(struct tr_repo *r)
{
	struct tr_key	*k[1];
	unsigned char	*b;
	json_t		*snap, *ts, *meta;
	char		 file[4096];
	size_t		 len, i;
	int64_t		 v;

	snap = tr_signed("snapshot", r->snap_version, r->expires);
	meta = json_object();
	k[0] = &r->gk;
	v = json_integer_value(json_object_get(r->targets, "version"));
	b = tr_sign(r->targets, k, NULL, 1, &len);
	put_meta(r, "targets", v, b, len);
	json_object_set_new(meta, "targets.json", json_pack("{s:I}",
	    "version", (json_int_t)v));
	free(b);
	k[0] = &r->dk;
	for (i = 0; i < r->ndeleg; i++) {
		v = json_integer_value(json_object_get(r->dsigned[i],
		    "version"));
		b = tr_sign(r->dsigned[i], k, NULL, 1, &len);
		put_meta(r, r->dname[i], v, b, len);
		snprintf(file, sizeof(file), "%s.json", r->dname[i]);
		json_object_set_new(meta, file, json_pack("{s:I}", "version",
		    (json_int_t)v));
		free(b);
	}
	json_object_set_new(snap, "meta", meta);
	k[0] = &r->sk;
	b = tr_sign(snap, k, NULL, 1, &len);
	put_meta(r, "snapshot", r->snap_version, b, len);
	ts = tr_signed("timestamp", r->ts_version, r->expires);
	json_object_set_new(ts, "meta", json_pack("{s:o}", "snapshot.json",
	    tr_fileinfo(b, len, r->snap_version)));
	free(b);
	k[0] = &r->tk;
	b = tr_sign(ts, k, NULL, 1, &len);
	tr_put(&r->remote, "metadata/timestamp.json", b, len);
	free(b);
	json_decref(snap);
	json_decref(ts);
}
