/*
 * lockprobe-repo: publish lockprobe configuration as a TUF repository.
 *
 *   lockprobe-repo [-d repodir] [-k keydir] init
 *   lockprobe-repo [-d repodir] [-k keydir] keygen NAME
 *   lockprobe-repo [-d repodir] [-k keydir] add [-r role] [-H host] [-T tag]
 *       PATH FILE
 *   lockprobe-repo [-d repodir] [-k keydir] remove [-r role] PATH
 *   lockprobe-repo [-d repodir] [-k keydir] rotate [-t threshold] ROLE KEY...
 *   lockprobe-repo [-d repodir] [-k keydir] delegate [-t threshold] [-x]
 *       -p PATTERN [-p PATTERN ...] ROLE KEY...
 *   lockprobe-repo [-d repodir] [-k keydir] bins [-t threshold] -b BITS
 *       PREFIX KEY...
 *   lockprobe-repo [-d repodir] [-k keydir] snapshot
 *   lockprobe-repo [-d repodir] [-k keydir] timestamp [-e days]
 *   lockprobe-repo [-d repodir] list
 *
 * The repository is written with consistent snapshots: REPO/metadata holds
 * N.root.json, N.targets.json, N.snapshot.json, N.ROLE.json for delegated
 * roles (and unversioned copies) and timestamp.json; REPO/targets holds
 * PRODUCT/SHA256.CONFIG-ID.json.  Keys are ed25519, one file per key in the
 * key directory (NAME.key), mode 0600, and never printed.  A role is signed
 * by every key of the key directory that its delegator lists for it, and
 * must reach its threshold; a new root by the keys of the old and of the
 * new root role.  See lockprobe-repo(1).
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "canonical_json.h"
#include "json.h"
#include "keys.h"
#include "metadata.h"
#include "tuf_util.h"

#define MAX_TARGET_FILE		(1024 * 1024)
#define MAX_META_FILE		(32 * 1024 * 1024)
#define MAX_LIST		64	/* -H, -T and -p values */
#define MAX_SIGNERS		32	/* keys signing one role */
#define MAX_ROLE_NAME		64
#define MAX_BIN_BITS		10	/* at most 1024 hash bins */

#define DAYS(n)			((int64_t)(n) * 86400)
#define EXPIRE_ROOT		DAYS(365)
#define EXPIRE_TARGETS		DAYS(90)
#define EXPIRE_SNAPSHOT		DAYS(30)
#define EXPIRE_TIMESTAMP	DAYS(7)

struct sigkey {
	unsigned char	pk[TUF_ED25519_PKLEN];
	unsigned char	sk[TUF_ED25519_SKLEN];
	char		keyid[TUF_KEYID_HEXLEN + 1];
	json_t		*pub;	/* key object as metadata lists it */
};

struct signers {
	struct sigkey	k[MAX_SIGNERS];
	size_t		n;
};

static const char *const toproles[] = {
	"root", "timestamp", "snapshot", "targets"
};

static const char	*repodir = "repository";
static const char	*keydir = "keys";

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: lockprobe-repo [-d repodir] [-k keydir] command [args]\n"
	    "commands: init | keygen NAME |\n"
	    "          add [-r role] [-H host] [-T tag] PATH FILE |\n"
	    "          remove [-r role] PATH | rotate [-t threshold] ROLE KEY... |\n"
	    "          delegate [-t threshold] [-x] -p PATTERN... ROLE KEY... |\n"
	    "          bins [-t threshold] -b BITS PREFIX KEY... |\n"
	    "          snapshot | timestamp [-e days] | list\n");
	exit(2);
}

static char *
xpath(const char *dir, const char *name)
{
	char	*p;

	if (asprintf(&p, "%s/%s", dir, name) == -1)
		err(1, "asprintf");
	return p;
}

static char *
read_all(const char *path, size_t max, size_t *lenp)
{
	FILE	*fp;
	char	*buf;
	size_t	 len;

	if ((fp = fopen(path, "rb")) == NULL)
		err(1, "%s", path);
	if ((buf = malloc(max + 1)) == NULL)
		err(1, "malloc");
	len = fread(buf, 1, max + 1, fp);
	if (ferror(fp))
		err(1, "%s", path);
	fclose(fp);
	if (len > max)
		errx(1, "%s: larger than %zu bytes", path, max);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/* Write a file atomically: a temporary file, fsync, rename. */
static void
write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char	*tmp;
	int	 fd;

	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) == -1)
		err(1, "asprintf");
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) ==
	    -1)
		err(1, "%s", tmp);
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) != 0 ||
	    close(fd) != 0) {
		unlink(tmp);
		err(1, "%s", tmp);
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		err(1, "rename %s", path);
	}
	free(tmp);
}

static void
mkdirs(const char *path, mode_t mode)
{
	char	buf[PATH_MAX], *p;

	if (strlen(path) >= sizeof(buf))
		errx(1, "%s: path too long", path);
	strcpy(buf, path);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) != 0 && errno != EEXIST)
			err(1, "mkdir %s", buf);
		*p = '/';
	}
	if (mkdir(buf, mode) != 0 && errno != EEXIST)
		err(1, "mkdir %s", buf);
}

/* --- keys --------------------------------------------------------------------- */

static int
key_exists(const char *name)
{
	struct stat	 st;
	char		*file, *path;
	int		 r;

	if (asprintf(&file, "%s.key", name) == -1)
		err(1, "asprintf");
	path = xpath(keydir, file);
	r = stat(path, &st) == 0;
	free(file);
	free(path);
	return r;
}

static void
keygen(const char *name)
{
	unsigned char	 pk[TUF_ED25519_PKLEN], sk[TUF_ED25519_SKLEN];
	char		 pub[2 * TUF_ED25519_PKLEN + 1];
	char		 seed[2 * 32 + 1], keyid[TUF_KEYID_HEXLEN + 1];
	char		 e[256], *file, *path, *text;
	json_t		*o, *pubobj;
	size_t		 i;
	int		 fd;

	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '-' ||
		    name[i] == '_'))
			errx(1, "key name \"%s\": use a-z, 0-9, - and _", name);
	if (i == 0 || i > 64)
		errx(1, "key name of %zu characters", i);
	mkdirs(keydir, 0700);
	if (tuf_ed25519_keygen(pk, sk, e, sizeof(e)) != TUF_OK)
		errx(1, "%s", e);
	tuf_hex_encode(pk, sizeof(pk), pub);
	tuf_hex_encode(sk, 32, seed);		/* libsodium: seed || pk */
	sodium_memzero(sk, sizeof(sk));
	o = json_pack("{s:s, s:s, s:{s:s, s:s}}", "keytype", "ed25519",
	    "scheme", "ed25519", "keyval", "public", pub, "private", seed);
	sodium_memzero(seed, sizeof(seed));
	if (o == NULL || (text = json_dumps(o, JSON_INDENT(1))) == NULL)
		errx(1, "json");
	json_decref(o);
	if (asprintf(&file, "%s.key", name) == -1)
		err(1, "asprintf");
	path = xpath(keydir, file);
	/* O_EXCL: never overwrite a key; 0600 whatever the umask says. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		err(1, "%s", path);
	if (fchmod(fd, 0600) != 0 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    write(fd, "\n", 1) != 1 || fsync(fd) != 0 || close(fd) != 0)
		err(1, "%s", path);
	sodium_memzero(text, strlen(text));
	free(text);
	pubobj = tuf_ed25519_key_json(pk);
	if (tuf_keyid_compute(pubobj, keyid, e, sizeof(e)) != TUF_OK)
		errx(1, "%s", e);
	json_decref(pubobj);
	printf("%s: ed25519 key %s\n", path, keyid);
	free(file);
	free(path);
}

static void
load_key(const char *name, struct sigkey *k)
{
	unsigned char	 seed[32], pk[TUF_ED25519_PKLEN];
	const char	*pub, *priv;
	char		*file, *path, *text, e[256];
	json_t		*o, *keyval;
	struct stat	 st;
	size_t		 len, n;

	if (asprintf(&file, "%s.key", name) == -1)
		err(1, "asprintf");
	path = xpath(keydir, file);
	if (stat(path, &st) != 0)
		err(1, "%s (run lockprobe-repo init or keygen)", path);
	if ((st.st_mode & 077) != 0)
		errx(1, "%s: mode %03o, the key must not be readable by "
		    "others (chmod 600)", path, (unsigned)(st.st_mode & 0777));
	text = read_all(path, 4096, &len);
	if ((o = tuf_json_loadb(text, len, 4096, 0, e, sizeof(e))) == NULL)
		errx(1, "%s: %s", path, e);
	sodium_memzero(text, len);
	free(text);
	if (tuf_json_get_object(o, "keyval", &keyval, e, sizeof(e)) != TUF_OK ||
	    tuf_json_get_string(keyval, "public", &pub, NULL, e,
	    sizeof(e)) != TUF_OK ||
	    tuf_json_get_string(keyval, "private", &priv, NULL, e,
	    sizeof(e)) != TUF_OK)
		errx(1, "%s: %s", path, e);
	if (tuf_hex_decode(priv, strlen(priv), seed, sizeof(seed), &n, e,
	    sizeof(e)) != TUF_OK || n != sizeof(seed))
		errx(1, "%s: private key is not a 32-byte hex seed", path);
	if (tuf_hex_decode(pub, strlen(pub), pk, sizeof(pk), &n, e,
	    sizeof(e)) != TUF_OK || n != sizeof(pk))
		errx(1, "%s: public key is not 32 bytes of hex", path);
	if (sodium_init() < 0 || crypto_sign_seed_keypair(k->pk, k->sk,
	    seed) != 0)
		errx(1, "libsodium");
	sodium_memzero(seed, sizeof(seed));
	if (memcmp(pk, k->pk, sizeof(pk)) != 0)
		errx(1, "%s: public key does not match the private key", path);
	json_decref(o);
	k->pub = tuf_ed25519_key_json(k->pk);
	if (tuf_keyid_compute(k->pub, k->keyid, e, sizeof(e)) != TUF_OK)
		errx(1, "%s", e);
	free(file);
	free(path);
}

static void
clear_key(struct sigkey *k)
{
	sodium_memzero(k->sk, sizeof(k->sk));
	json_decref(k->pub);
	k->pub = NULL;
}

/* --- metadata ----------------------------------------------------------------- */

static json_t *
new_signed(const char *type, int64_t version, int64_t lifetime)
{
	char	t[32];

	tuf_format_time((int64_t)time(NULL) + lifetime, t, sizeof(t));
	return json_pack("{s:s, s:s, s:I, s:s}", "_type", type,
	    "spec_version", "1.0.31", "version", (json_int_t)version,
	    "expires", t);
}

/* The signed portion of REPO/metadata/ROLE.json, or NULL if absent. */
static json_t *
read_signed(const char *role)
{
	json_t	*doc, *s;
	char	*file, *dir, *path, *text, e[256];
	size_t	 len;

	dir = xpath(repodir, "metadata");
	if (asprintf(&file, "%s.json", role) == -1)
		err(1, "asprintf");
	path = xpath(dir, file);
	if (access(path, F_OK) != 0) {
		free(dir);
		free(file);
		free(path);
		return NULL;
	}
	text = read_all(path, MAX_META_FILE, &len);
	if ((doc = tuf_json_loadb(text, len, MAX_META_FILE, 0, e,
	    sizeof(e))) == NULL ||
	    tuf_json_get_object(doc, "signed", &s, e, sizeof(e)) != TUF_OK)
		errx(1, "%s: %s", path, e);
	json_incref(s);
	json_decref(doc);
	free(text);
	free(dir);
	free(file);
	free(path);
	return s;
}

/* The signed portion of the targets role, which init makes. */
static json_t *
read_targets(void)
{
	json_t	*s;

	if ((s = read_signed("targets")) == NULL)
		errx(1, "no targets metadata in %s/metadata: run lockprobe-repo "
		    "init", repodir);
	return s;
}

static int64_t
version_of(const json_t *s)
{
	return s == NULL ? 0 : json_integer_value(json_object_get(s,
	    "version"));
}

/* --- signing ------------------------------------------------------------------ */

static int
listed(const json_t *keyids, const char *keyid)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(keyids, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), keyid) == 0)
			return 1;
	return 0;
}

/* Add every key of the key directory that keyids lists, once each. */
static void
add_signers(struct signers *sg, const json_t *keyids)
{
	struct dirent	*e;
	struct sigkey	 k;
	char		 name[MAX_ROLE_NAME + 1];
	size_t		 len, i;
	DIR		*d;

	if ((d = opendir(keydir)) == NULL)
		err(1, "%s (the key directory)", keydir);
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= 4 || len - 4 > MAX_ROLE_NAME ||
		    strcmp(e->d_name + len - 4, ".key") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 4), e->d_name);
		load_key(name, &k);
		for (i = 0; i < sg->n; i++)
			if (strcmp(sg->k[i].keyid, k.keyid) == 0)
				break;
		if (i < sg->n || !listed(keyids, k.keyid)) {
			clear_key(&k);
			continue;
		}
		if (sg->n == MAX_SIGNERS)
			errx(1, "more than %d signing keys", MAX_SIGNERS);
		sg->k[sg->n++] = k;
	}
	closedir(d);
}

static void
clear_signers(struct signers *sg)
{
	while (sg->n > 0)
		clear_key(&sg->k[--sg->n]);
}

/* Refuse to sign with fewer keys than the threshold needs. */
static void
need_threshold(const char *what, const struct signers *sg,
    const json_t *keyids, json_int_t threshold)
{
	size_t	i, have = 0;

	for (i = 0; i < sg->n; i++)
		have += listed(keyids, sg->k[i].keyid);
	if ((json_int_t)have < threshold)
		errx(1, "%s: the key directory %s holds %zu of the %lld keys "
		    "its threshold needs", what, keydir, have,
		    (long long)threshold);
}

/* The envelope of s signed by every key in sg (caller frees). */
static char *
sign_text(const char *role, const json_t *s, const struct signers *sg)
{
	struct tuf_buf	 canon;
	char		 sig[2 * TUF_ED25519_SIGLEN + 1], e[256];
	char		*text;
	json_t		*env, *sigs;
	size_t		 i;

	tuf_buf_init(&canon, MAX_META_FILE);
	if (tuf_canonical_json(s, &canon, e, sizeof(e)) != TUF_OK)
		errx(1, "%s: %s", role, e);
	sigs = json_array();
	for (i = 0; i < sg->n; i++) {
		if (tuf_ed25519_sign(sg->k[i].sk, canon.data, canon.len, sig, e,
		    sizeof(e)) != TUF_OK)
			errx(1, "%s: %s", role, e);
		json_array_append_new(sigs, json_pack("{s:s, s:s}", "keyid",
		    sg->k[i].keyid, "sig", sig));
	}
	tuf_buf_free(&canon);
	env = json_pack("{s:O, s:o}", "signed", s, "signatures", sigs);
	if (env == NULL || (text = json_dumps(env, JSON_INDENT(1) |
	    JSON_SORT_KEYS)) == NULL)
		errx(1, "%s: json", role);
	json_decref(env);
	return text;
}

/* Write metadata/ROLE.json, and metadata/V.ROLE.json when versioned. */
static void
write_meta(const char *role, const json_t *s, const char *text, int versioned)
{
	char	*dir, *file, *path;

	dir = xpath(repodir, "metadata");
	if (versioned) {
		if (asprintf(&file, "%lld.%s.json", (long long)version_of(s),
		    role) == -1)
			err(1, "asprintf");
		path = xpath(dir, file);
		write_atomic(path, text, strlen(text), 0644);
		free(file);
		free(path);
	}
	if (asprintf(&file, "%s.json", role) == -1)
		err(1, "asprintf");
	path = xpath(dir, file);
	write_atomic(path, text, strlen(text), 0644);
	free(file);
	free(path);
	free(dir);
}

/*
 * The keyids and threshold the delegator lists for role: the root for a
 * top-level role, else the delegations of targets (tgt).
 */
/*
 * The hash bins targets delegates to: sr filled in (name_prefix borrowed)
 * and the succinct_roles object returned, or NULL if there are none.
 */
static json_t *
bins_of(const json_t *tgt, struct tuf_succinct *sr)
{
	json_t	*o;

	o = json_object_get(json_object_get(tgt, "delegations"),
	    "succinct_roles");
	if (o == NULL)
		return NULL;
	memset(sr, 0, sizeof(*sr));
	sr->bit_length = (unsigned)json_integer_value(json_object_get(o,
	    "bit_length"));
	sr->name_prefix = json_string_value(json_object_get(o, "name_prefix"));
	if (sr->bit_length < 1 || sr->bit_length > MAX_BIN_BITS ||
	    sr->name_prefix == NULL)
		errx(1, "targets: succinct_roles that lockprobe-repo did not "
		    "write (bit_length 1 to %d and a name_prefix)",
		    MAX_BIN_BITS);
	return o;
}

/* The entry of targets' delegations for role (or its hash bin), or NULL. */
static json_t *
delegation_of(const json_t *tgt, const char *role)
{
	struct tuf_succinct	 sr;
	json_t			*v, *bins;
	char			 name[MAX_ROLE_NAME + 16];
	size_t			 i;

	json_array_foreach(json_object_get(json_object_get(tgt, "delegations"),
	    "roles"), i, v)
		if (json_is_string(json_object_get(v, "name")) &&
		    strcmp(json_string_value(json_object_get(v, "name")),
		    role) == 0)
			return v;
	if ((bins = bins_of(tgt, &sr)) != NULL)
		for (i = 0; i < (size_t)1 << sr.bit_length; i++)
			if (tuf_succinct_bin_name(&sr, (uint32_t)i, name,
			    sizeof(name)) == TUF_OK && strcmp(name, role) == 0)
				return bins;
	return NULL;
}

static void
role_keys(const json_t *root, const json_t *tgt, const char *role,
    json_t **keyids, json_int_t *threshold)
{
	json_t	*r;

	if (tgt == NULL)
		r = json_object_get(json_object_get(root, "roles"), role);
	else
		r = delegation_of(tgt, role);
	if (r == NULL || !json_is_array(*keyids = json_object_get(r,
	    "keyids")))
		errx(1, "%s: no such role in %s", role, tgt == NULL ? "root" :
		    "the delegations of targets");
	*threshold = json_integer_value(json_object_get(r, "threshold"));
}

/*
 * Sign role's metadata s with the keys its delegator lists (tgt: the
 * targets metadata for a delegated role, NULL for a top-level role) and
 * write it.
 */
static void
sign_role(const char *role, const json_t *s, const json_t *tgt, int versioned)
{
	struct signers	 sg = { .n = 0 };
	json_t		*root, *keyids;
	json_int_t	 threshold;
	char		*text;

	if ((root = read_signed("root")) == NULL)
		errx(1, "no root metadata: run lockprobe-repo init");
	role_keys(root, tgt, role, &keyids, &threshold);
	add_signers(&sg, keyids);
	need_threshold(role, &sg, keyids, threshold);
	text = sign_text(role, s, &sg);
	write_meta(role, s, text, versioned);
	clear_signers(&sg);
	free(text);
	json_decref(root);
}

/* A new version of s, expiring lifetime seconds from now. */
static void
bump(json_t *s, int64_t lifetime)
{
	char	t[32];

	json_object_set_new(s, "version", json_integer(version_of(s) + 1));
	tuf_format_time((int64_t)time(NULL) + lifetime, t, sizeof(t));
	json_object_set_new(s, "expires", json_string(t));
}

static json_t *
fileinfo(const void *data, size_t len)
{
	unsigned char	d256[crypto_hash_sha256_BYTES];
	unsigned char	d512[crypto_hash_sha512_BYTES];
	char		h256[2 * sizeof(d256) + 1], h512[2 * sizeof(d512) + 1];

	crypto_hash_sha256(d256, data, len);
	crypto_hash_sha512(d512, data, len);
	tuf_hex_encode(d256, sizeof(d256), h256);
	tuf_hex_encode(d512, sizeof(d512), h512);
	return json_pack("{s:I, s:{s:s, s:s}}", "length", (json_int_t)len,
	    "hashes", "sha256", h256, "sha512", h512);
}

static void
publish_timestamp(int64_t lifetime)
{
	json_t		*old, *s, *snap, *info;
	char		*dir, *path, *text;
	size_t		 len;

	if ((snap = read_signed("snapshot")) == NULL)
		errx(1, "no snapshot metadata: run lockprobe-repo init");
	dir = xpath(repodir, "metadata");
	path = xpath(dir, "snapshot.json");
	text = read_all(path, MAX_META_FILE, &len);
	old = read_signed("timestamp");
	s = new_signed("timestamp", version_of(old) + 1, lifetime);
	info = fileinfo(text, len);
	json_object_set_new(info, "version", json_integer(version_of(snap)));
	json_object_set_new(s, "meta", json_pack("{s:o}", "snapshot.json",
	    info));
	sign_role("timestamp", s, NULL, 0);
	printf("timestamp version %lld (snapshot version %lld)\n",
	    (long long)version_of(s), (long long)version_of(snap));
	free(text);
	free(path);
	free(dir);
	json_decref(s);
	json_decref(old);
	json_decref(snap);
}

/* Snapshot lists targets and every role targets delegates to. */
static void
publish_snapshot(void)
{
	struct tuf_succinct sr;
	json_t		*old, *s, *targets, *meta, *r, *rs;
	const char	*name;
	char		 file[MAX_ROLE_NAME + 32], bin[MAX_ROLE_NAME + 16];
	size_t		 i;

	targets = read_targets();
	old = read_signed("snapshot");
	s = new_signed("snapshot", version_of(old) + 1, EXPIRE_SNAPSHOT);
	meta = json_pack("{s:{s:I}}", "targets.json", "version",
	    (json_int_t)version_of(targets));
	json_array_foreach(json_object_get(json_object_get(targets,
	    "delegations"), "roles"), i, r) {
		name = json_string_value(json_object_get(r, "name"));
		if ((rs = read_signed(name)) == NULL)
			errx(1, "targets delegates to %s, which has no "
			    "metadata in %s/metadata", name, repodir);
		snprintf(file, sizeof(file), "%s.json", name);
		json_object_set_new(meta, file, json_pack("{s:I}", "version",
		    (json_int_t)version_of(rs)));
		json_decref(rs);
	}
	if (bins_of(targets, &sr) != NULL)
		for (i = 0; i < (size_t)1 << sr.bit_length; i++) {
			tuf_succinct_bin_name(&sr, (uint32_t)i, bin,
			    sizeof(bin));
			if ((rs = read_signed(bin)) == NULL)
				errx(1, "hash bin %s has no metadata in "
				    "%s/metadata", bin, repodir);
			snprintf(file, sizeof(file), "%s.json", bin);
			json_object_set_new(meta, file, json_pack("{s:I}",
			    "version", (json_int_t)version_of(rs)));
			json_decref(rs);
		}
	json_object_set_new(s, "meta", meta);
	sign_role("snapshot", s, NULL, 1);
	printf("snapshot version %lld (targets version %lld, %zu delegated "
	    "roles)\n", (long long)version_of(s),
	    (long long)version_of(targets), json_object_size(meta) - 1);
	json_decref(s);
	json_decref(old);
	json_decref(targets);
	publish_timestamp(EXPIRE_TIMESTAMP);
}

static void
publish_targets(json_t *s)
{
	bump(s, EXPIRE_TARGETS);
	sign_role("targets", s, NULL, 1);
	printf("targets version %lld, %zu targets\n", (long long)version_of(s),
	    json_object_size(json_object_get(s, "targets")));
	publish_snapshot();
}

/* A delegated role's new version, then snapshot and timestamp. */
static void
publish_delegated(const char *role, json_t *s)
{
	json_t	*targets;

	targets = read_targets();
	bump(s, EXPIRE_TARGETS);
	sign_role(role, s, targets, 1);
	printf("%s version %lld, %zu targets\n", role,
	    (long long)version_of(s),
	    json_object_size(json_object_get(s, "targets")));
	json_decref(targets);
	publish_snapshot();
}

/* Publish s, the metadata a target was added to or removed from. */
static void
publish_signer(const char *role, const char *signer, json_t *s)
{
	if (role != NULL)
		publish_delegated(signer, s);
	else
		publish_targets(s);
}

/* Targets metadata listing no target yet. */
static json_t *
empty_targets(void)
{
	json_t	*s;

	s = new_signed("targets", 0, EXPIRE_TARGETS);
	json_object_set_new(s, "targets", json_object());
	return s;
}

/*
 * A delegated role (or hash bin) signed again after targets changed its
 * keys or threshold: a new version of its metadata, or its first.
 */
static json_t *
resign_delegated(const char *role, const json_t *targets)
{
	json_t	*s;

	if ((s = read_signed(role)) == NULL)
		s = empty_targets();
	bump(s, EXPIRE_TARGETS);
	sign_role(role, s, targets, 1);
	return s;
}

static json_t *
string_array(const char *const v[], size_t n)
{
	json_t	*a;
	size_t	 i;

	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* --- commands ------------------------------------------------------------------- */

static void
cmd_init(void)
{
	struct signers	 sg = { .n = 0 };
	json_t		*s, *keys, *rl;
	char		*dir, *text;
	size_t		 i;

	dir = xpath(repodir, "metadata");
	if (access(dir, F_OK) == 0)
		errx(1, "%s exists: the repository is already initialised",
		    dir);
	for (i = 0; i < 4; i++)
		if (!key_exists(toproles[i]))
			keygen(toproles[i]);
	mkdirs(dir, 0755);
	free(dir);
	dir = xpath(repodir, "targets");
	mkdirs(dir, 0755);
	free(dir);
	s = new_signed("root", 1, EXPIRE_ROOT);
	keys = json_object();
	rl = json_object();
	for (i = 0; i < 4; i++) {
		load_key(toproles[i], &sg.k[sg.n]);
		json_object_set(keys, sg.k[sg.n].keyid, sg.k[sg.n].pub);
		json_object_set_new(rl, toproles[i], json_pack("{s:[s], s:i}",
		    "keyids", sg.k[sg.n].keyid, "threshold", 1));
		sg.n++;
	}
	json_object_set_new(s, "keys", keys);
	json_object_set_new(s, "roles", rl);
	json_object_set_new(s, "consistent_snapshot", json_true());
	clear_signers(&sg);
	sg.n = 0;
	load_key("root", &sg.k[sg.n++]);
	text = sign_text("root", s, &sg);
	write_meta("root", s, text, 1);
	printf("root version 1\n");
	free(text);
	clear_signers(&sg);
	json_decref(s);
	s = empty_targets();
	publish_targets(s);
	json_decref(s);
}

/* Names of delegated roles: a-z 0-9 _ -, not a top-level role. */
static void
check_role_name(const char *role)
{
	size_t	i;

	for (i = 0; role[i] != '\0'; i++)
		if (!((role[i] >= 'a' && role[i] <= 'z') ||
		    (role[i] >= '0' && role[i] <= '9') || role[i] == '_' ||
		    role[i] == '-'))
			errx(1, "role \"%s\": delegated role names use a-z, "
			    "0-9, _ and -", role);
	if (i == 0 || i > MAX_ROLE_NAME)
		errx(1, "role name of %zu characters: use 1 to %d", i,
		    MAX_ROLE_NAME);
	for (i = 0; i < 4; i++)
		if (strcmp(role, toproles[i]) == 0)
			errx(1, "role \"%s\": a top-level role cannot be "
			    "delegated", role);
}

/*
 * The metadata a target is added to or removed from: targets, or a role
 * targets delegates to, whose paths must match the target.
 */
static json_t *
signed_for_target(const char *role, const char *path, char *actual,
    size_t actuallen)
{
	struct tuf_succinct	 sr;
	json_t			*targets, *d, *v, *s;
	size_t			 i;

	targets = read_targets();
	snprintf(actual, actuallen, "%s", role != NULL ? role : "targets");
	if (role == NULL)
		return targets;
	check_role_name(role);
	/* -r PREFIX: the hash bin of the path. */
	if (bins_of(targets, &sr) != NULL &&
	    strcmp(sr.name_prefix, role) == 0) {
		if (tuf_succinct_bin(&sr, path, actual, actuallen) != TUF_OK)
			errx(1, "hash bin name too long");
		json_decref(targets);
		if ((s = read_signed(actual)) == NULL)
			errx(1, "hash bin %s: no metadata in %s/metadata",
			    actual, repodir);
		return s;
	}
	if ((d = delegation_of(targets, role)) == NULL)
		errx(1, "role \"%s\": targets delegates no such role (see "
		    "lockprobe-repo delegate)", role);
	json_array_foreach(json_object_get(d, "paths"), i, v)
		if (json_is_string(v) && tuf_path_match(json_string_value(v),
		    path))
			break;
	if (i == json_array_size(json_object_get(d, "paths")))
		errx(1, "target \"%s\": role %s is delegated none of its "
		    "paths (lockprobe-repo list shows them)", path, role);
	json_decref(targets);
	if ((s = read_signed(role)) == NULL)
		errx(1, "role %s: no metadata in %s/metadata", role, repodir);
	return s;
}

/* PRODUCT/CONFIG-ID.json: a-z 0-9 _ - for the product, no leading dot. */
static void
check_target_path(const char *path)
{
	const char	*slash, *p;

	if ((slash = strchr(path, '/')) == NULL || slash == path ||
	    strchr(slash + 1, '/') != NULL)
		errx(1, "target \"%s\": expected PRODUCT/CONFIG-ID.json", path);
	for (p = path; p < slash; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_' || *p == '-'))
			errx(1, "target \"%s\": product names use a-z, 0-9, _ "
			    "and -", path);
	if (slash[1] == '.' || strlen(slash + 1) <= 5 ||
	    strcmp(path + strlen(path) - 5, ".json") != 0)
		errx(1, "target \"%s\": the config id must end in .json and "
		    "not start with a dot", path);
	for (p = slash + 1; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.'))
			errx(1, "target \"%s\": config ids use A-Z, a-z, 0-9, "
			    "_, - and .", path);
	if (strlen(path) > 255)
		errx(1, "target \"%s\": longer than 255 bytes", path);
}

static void
cmd_add(int argc, char *argv[])
{
	const char	*hosts[MAX_LIST], *tags[MAX_LIST], *role = NULL;
	unsigned char	 d[crypto_hash_sha256_BYTES];
	char		 hex[2 * crypto_hash_sha256_BYTES + 1];
	char		 signer[MAX_ROLE_NAME + 16];
	char		*data, *dir, *name, *path, e[256];
	json_t		*s, *info, *custom, *v;
	size_t		 nh = 0, nt = 0, len;
	int		 ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "r:H:T:")) != -1) {
		switch (ch) {
		case 'r':
			role = optarg;
			break;
		case 'H':
			if (nh == MAX_LIST)
				errx(1, "more than %d hosts", MAX_LIST);
			hosts[nh++] = optarg;
			break;
		case 'T':
			if (nt == MAX_LIST)
				errx(1, "more than %d tags", MAX_LIST);
			tags[nt++] = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage();
	check_target_path(argv[0]);
	s = signed_for_target(role, argv[0], signer, sizeof(signer));
	data = read_all(argv[1], MAX_TARGET_FILE, &len);
	/* Configuration is JSON: refuse what the daemon would refuse. */
	if ((v = tuf_json_loadb(data, len, MAX_TARGET_FILE, 0, e,
	    sizeof(e))) == NULL)
		errx(1, "%s: not JSON: %s", argv[1], e);
	json_decref(v);
	crypto_hash_sha256((unsigned char *)d, (unsigned char *)data, len);
	tuf_hex_encode(d, sizeof(d), hex);
	*strchr(argv[0], '/') = '\0';
	dir = xpath(repodir, "targets");
	path = xpath(dir, argv[0]);
	mkdirs(path, 0755);
	free(dir);
	if (asprintf(&name, "%s/%s.%s", path, hex, argv[0] +
	    strlen(argv[0]) + 1) == -1)
		err(1, "asprintf");
	write_atomic(name, data, len, 0644);
	argv[0][strlen(argv[0])] = '/';
	info = fileinfo(data, len);
	if (nh > 0 || nt > 0) {
		custom = json_object();
		if (nh > 0)
			json_object_set_new(custom, "hosts",
			    string_array(hosts, nh));
		if (nt > 0)
			json_object_set_new(custom, "tags",
			    string_array(tags, nt));
		json_object_set_new(info, "custom", custom);
	}
	json_object_set_new(json_object_get(s, "targets"), argv[0], info);
	printf("%s: %zu bytes, sha256 %s\n", argv[0], len, hex);
	publish_signer(role, signer, s);
	json_decref(s);
	free(name);
	free(path);
	free(data);
}

static void
cmd_remove(int argc, char *argv[])
{
	const char	*role = NULL;
	char		 signer[MAX_ROLE_NAME + 16];
	json_t		*s;
	int		 ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "r:")) != -1) {
		switch (ch) {
		case 'r':
			role = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();
	s = signed_for_target(role, argv[0], signer, sizeof(signer));
	if (json_object_del(json_object_get(s, "targets"), argv[0]) != 0)
		errx(1, "%s lists no target \"%s\"", signer, argv[0]);
	/* The file stays: clients on the previous snapshot may fetch it. */
	publish_signer(role, signer, s);
	json_decref(s);
}

/*
 * Load the named keys, at least threshold of them: their keyids (a new
 * array) and key objects (added to keyobjs).
 */
static json_t *
named_keys(char *names[], int n, json_int_t threshold, json_t *keyobjs)
{
	struct sigkey	 k;
	json_t		*ids;
	int		 i;

	if (n < 1 || n > MAX_SIGNERS)
		errx(1, "name 1 to %d keys (made with lockprobe-repo keygen)",
		    MAX_SIGNERS);
	if (threshold > n)
		errx(1, "-t %lld: more than the %d keys named",
		    (long long)threshold, n);
	ids = json_array();
	for (i = 0; i < n; i++) {
		load_key(names[i], &k);
		if (listed(ids, k.keyid))
			errx(1, "key %s: named twice", names[i]);
		json_array_append_new(ids, json_string(k.keyid));
		json_object_set(keyobjs, k.keyid, k.pub);
		clear_key(&k);
	}
	return ids;
}

/* -t: 1 to the number of keys. */
static json_int_t
parse_threshold(const char *arg)
{
	char	*end;
	long	 t;

	errno = 0;
	t = strtol(arg, &end, 10);
	if (errno != 0 || *end != '\0' || t < 1 || t > MAX_SIGNERS)
		errx(1, "-t %s: a threshold from 1 to %d", arg, MAX_SIGNERS);
	return t;
}

/* Keep in keys only the key ids some role lists. */
static void
prune_keys(json_t *keys, const json_t *roles, int roles_is_array)
{
	const char	*id, *name;
	json_t		*v, *r;
	void		*tmp;
	size_t		 i;
	int		 used;

	json_object_foreach_safe(keys, tmp, id, v) {
		used = 0;
		if (roles_is_array) {
			json_array_foreach(roles, i, r)
				used |= listed(json_object_get(r, "keyids"),
				    id);
		} else {
			json_object_foreach((json_t *)(uintptr_t)roles, name, r)
				used |= listed(json_object_get(r, "keyids"),
				    id);
		}
		if (!used)
			json_object_del(keys, id);
	}
}

/*
 * A new root version in which ROLE (a top-level role) has the named keys
 * and threshold, signed by the keys of the old and of the new root role;
 * the library checks both thresholds before anything is written.  Other
 * roles are then signed again with their (new) keys.
 */
static void
cmd_rotate(int argc, char *argv[])
{
	struct signers		 sg = { .n = 0 };
	struct tuf_metadata	*oldmd = NULL, *newmd = NULL;
	json_int_t		 threshold = 1;
	json_t			*old, *s, *keyids, *keys, *ok, *nk, *targets;
	char			*dir, *path, *oldtext, *text, e[512];
	const char		*role;
	json_int_t		 othr;
	size_t			 oldlen, i;
	int			 ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "t:")) != -1) {
		switch (ch) {
		case 't':
			threshold = parse_threshold(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	role = argv[0];
	for (i = 0; i < 4 && strcmp(role, toproles[i]) != 0; i++)
		;
	if (i == 4)
		errx(1, "rotate %s: the top-level roles are root, timestamp, "
		    "snapshot and targets (delegated roles: lockprobe-repo "
		    "delegate)", role);
	if ((old = read_signed("root")) == NULL)
		errx(1, "no root metadata: run lockprobe-repo init");
	dir = xpath(repodir, "metadata");
	path = xpath(dir, "root.json");
	oldtext = read_all(path, MAX_META_FILE, &oldlen);
	s = json_deep_copy(old);
	bump(s, EXPIRE_ROOT);
	keys = json_object_get(s, "keys");
	keyids = named_keys(argv + 1, argc - 1, threshold, keys);
	json_object_set_new(json_object_get(s, "roles"), role,
	    json_pack("{s:o, s:I}", "keyids", keyids, "threshold", threshold));
	prune_keys(keys, json_object_get(s, "roles"), 0);

	/* Signed by the old root role's threshold and by the new one's. */
	role_keys(old, NULL, "root", &ok, &othr);
	add_signers(&sg, ok);
	need_threshold("root (the current version)", &sg, ok, othr);
	role_keys(s, NULL, "root", &nk, &threshold);
	add_signers(&sg, nk);
	need_threshold("root (the new version)", &sg, nk, threshold);
	text = sign_text("root", s, &sg);
	clear_signers(&sg);
	if (tuf_md_parse(oldtext, oldlen, MAX_META_FILE, TUF_ROOT, "root",
	    &oldmd, e, sizeof(e)) != TUF_OK ||
	    tuf_md_parse(text, strlen(text), MAX_META_FILE, TUF_ROOT, "root",
	    &newmd, e, sizeof(e)) != TUF_OK ||
	    tuf_md_verify(newmd, oldmd, tuf_md_toprole(oldmd, TUF_ROOT), NULL,
	    e, sizeof(e)) != TUF_OK ||
	    tuf_md_verify(newmd, newmd, tuf_md_toprole(newmd, TUF_ROOT), NULL,
	    e, sizeof(e)) != TUF_OK)
		errx(1, "the new root would not verify: %s", e);
	write_meta("root", s, text, 1);
	printf("root version %lld: %s has %zu keys, threshold %lld\n",
	    (long long)version_of(s), role, json_array_size(keyids),
	    (long long)json_integer_value(json_object_get(json_object_get(
	    json_object_get(s, "roles"), role), "threshold")));
	tuf_md_free(oldmd);
	tuf_md_free(newmd);
	free(text);
	free(oldtext);
	free(path);
	free(dir);
	json_decref(s);
	json_decref(old);
	if (strcmp(role, "root") != 0) {
		targets = read_targets();
		publish_targets(targets);
		json_decref(targets);
	}
}

/*
 * targets delegates the paths to ROLE, signed by the named keys (a new
 * role starts with no targets); ROLE, targets, snapshot and timestamp are
 * signed again.
 */
static void
cmd_delegate(int argc, char *argv[])
{
	const char	*paths[MAX_LIST], *role;
	json_int_t	 threshold = 1;
	json_t		*targets, *dl, *entry, *keyids, *s, *old;
	int		 ch, terminating = 0, np = 0;

	optind = 1;
	while ((ch = getopt(argc, argv, "p:t:x")) != -1) {
		switch (ch) {
		case 'p':
			if (np == MAX_LIST)
				errx(1, "more than %d paths", MAX_LIST);
			if (*optarg == '\0' || strlen(optarg) > 255)
				errx(1, "-p \"%s\": a pattern of 1 to 255 "
				    "bytes", optarg);
			paths[np++] = optarg;
			break;
		case 't':
			threshold = parse_threshold(optarg);
			break;
		case 'x':
			terminating = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || np == 0)
		usage();
	role = argv[0];
	check_role_name(role);
	targets = read_targets();
	if (json_object_get(json_object_get(targets, "delegations"),
	    "succinct_roles") != NULL)
		errx(1, "delegate %s: targets delegates to hash bins, and a "
		    "role delegates either roles or hash bins", role);
	if ((dl = json_object_get(targets, "delegations")) == NULL) {
		dl = json_pack("{s:{}, s:[]}", "keys", "roles");
		json_object_set_new(targets, "delegations", dl);
	}
	keyids = named_keys(argv + 1, argc - 1, threshold,
	    json_object_get(dl, "keys"));
	entry = json_pack("{s:s, s:o, s:I, s:b, s:o}", "name", role, "keyids",
	    keyids, "threshold", threshold, "terminating", terminating,
	    "paths", string_array(paths, (size_t)np));
	if ((old = delegation_of(targets, role)) != NULL)
		json_object_update(old, entry);
	else
		json_array_append(json_object_get(dl, "roles"), entry);
	json_decref(entry);
	prune_keys(json_object_get(dl, "keys"), json_object_get(dl, "roles"),
	    1);
	s = resign_delegated(role, targets);
	printf("%s version %lld: %d keys, threshold %lld, %d paths%s\n", role,
	    (long long)version_of(s), argc - 1, (long long)threshold, np,
	    terminating ? ", terminating" : "");
	publish_targets(targets);
	json_decref(s);
	json_decref(targets);
}

/*
 * targets delegates every path to 2^bits hash bins named PREFIX-HEX
 * (succinct_roles), signed by the named keys; each bin, targets, snapshot
 * and timestamp are signed.  Run again with the same prefix and bits, it
 * gives the bins new keys or a new threshold.
 */
static void
cmd_bins(int argc, char *argv[])
{
	struct tuf_succinct	 sr;
	json_int_t		 threshold = 1;
	json_t			*targets, *dl, *keys, *keyids, *old;
	const char		*prefix;
	char			 bin[MAX_ROLE_NAME + 16], *end;
	long			 bits = 0;
	size_t			 i;
	int			 ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "b:t:")) != -1) {
		switch (ch) {
		case 'b':
			errno = 0;
			bits = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || bits < 1 ||
			    bits > MAX_BIN_BITS)
				errx(1, "-b %s: 1 to %d bits (2 to %d bins)",
				    optarg, MAX_BIN_BITS, 1 << MAX_BIN_BITS);
			break;
		case 't':
			threshold = parse_threshold(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || bits == 0)
		usage();
	prefix = argv[0];
	check_role_name(prefix);
	targets = read_targets();
	dl = json_object_get(targets, "delegations");
	if (json_array_size(json_object_get(dl, "roles")) > 0)
		errx(1, "bins %s: targets delegates to roles, and a role "
		    "delegates either roles or hash bins", prefix);
	if ((old = bins_of(targets, &sr)) != NULL &&
	    (strcmp(sr.name_prefix, prefix) != 0 ||
	    sr.bit_length != (unsigned)bits))
		errx(1, "bins %s -b %ld: targets delegates to the %u-bit bins "
		    "%s already; only their keys and threshold can change",
		    prefix, bits, sr.bit_length, sr.name_prefix);
	keys = json_object();
	keyids = named_keys(argv + 1, argc - 1, threshold, keys);
	json_object_set_new(targets, "delegations", json_pack("{s:o, s:{s:o, "
	    "s:I, s:i, s:s}}", "keys", keys, "succinct_roles", "keyids",
	    keyids, "threshold", threshold, "bit_length", (int)bits,
	    "name_prefix", prefix));
	bins_of(targets, &sr);
	for (i = 0; i < (size_t)1 << bits; i++) {
		tuf_succinct_bin_name(&sr, (uint32_t)i, bin, sizeof(bin));
		json_decref(resign_delegated(bin, targets));
	}
	printf("%ld hash bins %s-*: %d keys, threshold %lld\n", 1L << bits,
	    prefix, argc - 1, (long long)threshold);
	publish_targets(targets);
	json_decref(targets);
}

static void
list_targets(const json_t *s)
{
	const char	*name;
	json_t		*v;

	json_object_foreach(json_object_get(s, "targets"), name, v)
		printf("%s\t%lld\t%s\n", name, (long long)json_integer_value(
		    json_object_get(v, "length")), json_string_value(
		    json_object_get(json_object_get(v, "hashes"), "sha256")));
}

/* The targets a delegated role or hash bin lists. */
static void
list_delegated(const char *what, const char *role)
{
	json_t	*s;

	if ((s = read_signed(role)) == NULL)
		errx(1, "%s %s: no metadata", what, role);
	list_targets(s);
	json_decref(s);
}

static void
cmd_list(void)
{
	struct tuf_succinct sr;
	const char	*role;
	json_t		*s, *r, *p;
	char		 bin[MAX_ROLE_NAME + 16];
	size_t		 i, j;

	s = read_targets();
	printf("targets version %lld, expires %s\n",
	    (long long)version_of(s),
	    json_string_value(json_object_get(s, "expires")));
	list_targets(s);
	json_array_foreach(json_object_get(json_object_get(s, "delegations"),
	    "roles"), i, r) {
		role = json_string_value(json_object_get(r, "name"));
		printf("role %s: threshold %lld of %zu keys,%s paths",
		    role, (long long)json_integer_value(json_object_get(r,
		    "threshold")), json_array_size(json_object_get(r,
		    "keyids")), json_is_true(json_object_get(r,
		    "terminating")) ? " terminating," : "");
		json_array_foreach(json_object_get(r, "paths"), j, p)
			printf(" %s", json_string_value(p));
		putchar('\n');
		list_delegated("role", role);
	}
	if ((r = bins_of(s, &sr)) != NULL) {
		printf("hash bins %s: %u bits, threshold %lld of %zu keys\n",
		    sr.name_prefix, sr.bit_length,
		    (long long)json_integer_value(json_object_get(r,
		    "threshold")), json_array_size(json_object_get(r,
		    "keyids")));
		for (i = 0; i < (size_t)1 << sr.bit_length; i++) {
			tuf_succinct_bin_name(&sr, (uint32_t)i, bin,
			    sizeof(bin));
			list_delegated("hash bin", bin);
		}
	}
	json_decref(s);
}

/* realpath of a path that may not exist yet: its parent's, plus its name. */
static int
resolve(const char *path, char *out)
{
	char		 copy[PATH_MAX], parent[PATH_MAX];
	const char	*dir = ".", *base = copy;
	char		*slash;
	int		 n;

	if (realpath(path, out) != NULL)
		return 0;
	if (strlen(path) >= sizeof(copy))
		return -1;
	strcpy(copy, path);
	if ((slash = strrchr(copy, '/')) != NULL) {
		*slash = '\0';
		dir = copy[0] != '\0' ? copy : "/";
		base = slash + 1;
	}
	if (realpath(dir, parent) == NULL)
		return -1;
	n = snprintf(out, PATH_MAX, "%s/%s", parent, base);
	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

/* The key directory must not be served with the repository. */
static void
check_dirs(void)
{
	char	rd[PATH_MAX], kd[PATH_MAX];
	size_t	n;

	if (resolve(repodir, rd) != 0 || resolve(keydir, kd) != 0)
		return;
	n = strlen(rd);
	if (strncmp(kd, rd, n) == 0 && (kd[n] == '/' || kd[n] == '\0'))
		errx(1, "the key directory %s is inside the repository %s, "
		    "which is published", kd, rd);
}

int
main(int argc, char *argv[])
{
	const char	*cmd;
	long		 days;
	char		*end;
	int		 ch;

	umask(022);
	while ((ch = getopt(argc, argv, "+d:k:")) != -1) {
		switch (ch) {
		case 'd':
			repodir = optarg;
			break;
		case 'k':
			keydir = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (sodium_init() < 0)
		errx(1, "libsodium failed to initialise");
	check_dirs();
	cmd = argv[0];
	if (strcmp(cmd, "init") == 0 && argc == 1) {
		mkdirs(repodir, 0755);
		check_dirs();
		cmd_init();
	} else if (strcmp(cmd, "keygen") == 0 && argc == 2)
		keygen(argv[1]);
	else if (strcmp(cmd, "add") == 0)
		cmd_add(argc, argv);
	else if (strcmp(cmd, "remove") == 0)
		cmd_remove(argc, argv);
	else if (strcmp(cmd, "rotate") == 0)
		cmd_rotate(argc, argv);
	else if (strcmp(cmd, "delegate") == 0)
		cmd_delegate(argc, argv);
	else if (strcmp(cmd, "bins") == 0)
		cmd_bins(argc, argv);
	else if (strcmp(cmd, "snapshot") == 0 && argc == 1)
		publish_snapshot();
	else if (strcmp(cmd, "timestamp") == 0 && (argc == 1 ||
	    (argc == 3 && strcmp(argv[1], "-e") == 0))) {
		days = 7;
		if (argc == 3) {
			errno = 0;
			days = strtol(argv[2], &end, 10);
			if (errno != 0 || *end != '\0' || days < 1 ||
			    days > 366)
				errx(1, "-e %s: 1 to 366 days", argv[2]);
		}
		publish_timestamp(DAYS(days));
	} else if (strcmp(cmd, "list") == 0 && argc == 1)
		cmd_list();
	else
		usage();
	return 0;
}
