/*
 * lockprobe-repo: publish lockprobe configuration as a TUF repository.
 *
 *   lockprobe-repo [-d repodir] [-k keydir] init
 *   lockprobe-repo [-d repodir] [-k keydir] keygen NAME
 *   lockprobe-repo [-d repodir] [-k keydir] add [-H host] [-T tag] PATH FILE
 *   lockprobe-repo [-d repodir] [-k keydir] remove PATH
 *   lockprobe-repo [-d repodir] [-k keydir] snapshot
 *   lockprobe-repo [-d repodir] [-k keydir] timestamp [-e days]
 *   lockprobe-repo [-d repodir] list
 *
 * The repository is written with consistent snapshots: REPO/metadata holds
 * N.root.json, N.targets.json, N.snapshot.json (and unversioned copies) and
 * timestamp.json; REPO/targets holds PRODUCT/SHA256.CONFIG-ID.json.  Keys
 * are ed25519, one file per role in the key directory, mode 0600, and never
 * printed.  See lockprobe-repo(1).
 */
#include "config.h"

#include <sys/stat.h>

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
#define MAX_LIST		64	/* -H and -T values */

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

static const char	*repodir = "repository";
static const char	*keydir = "keys";

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: lockprobe-repo [-d repodir] [-k keydir] command [args]\n"
	    "commands: init | keygen NAME | add [-H host] [-T tag] PATH FILE |\n"
	    "          remove PATH | snapshot | timestamp [-e days] | list\n");
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

static int64_t
version_of(const json_t *s)
{
	return s == NULL ? 0 : json_integer_value(json_object_get(s,
	    "version"));
}

/*
 * Sign s with k and write metadata/ROLE.json, and metadata/V.ROLE.json
 * when versioned.  Returns the bytes written (caller frees).
 */
static char *
sign_write(const char *role, const json_t *s, struct sigkey *k, int versioned,
    size_t *lenp)
{
	struct tuf_buf	 canon;
	char		 sig[2 * TUF_ED25519_SIGLEN + 1], e[256];
	char		*text, *dir, *file, *path;
	json_t		*env;

	tuf_buf_init(&canon, MAX_META_FILE);
	if (tuf_canonical_json(s, &canon, e, sizeof(e)) != TUF_OK ||
	    tuf_ed25519_sign(k->sk, canon.data, canon.len, sig, e,
	    sizeof(e)) != TUF_OK)
		errx(1, "%s: %s", role, e);
	tuf_buf_free(&canon);
	env = json_pack("{s:O, s:[{s:s, s:s}]}", "signed", s, "signatures",
	    "keyid", k->keyid, "sig", sig);
	if (env == NULL || (text = json_dumps(env, JSON_INDENT(1) |
	    JSON_SORT_KEYS)) == NULL)
		errx(1, "%s: json", role);
	json_decref(env);
	*lenp = strlen(text);
	dir = xpath(repodir, "metadata");
	if (versioned) {
		if (asprintf(&file, "%lld.%s.json", (long long)version_of(s),
		    role) == -1)
			err(1, "asprintf");
		path = xpath(dir, file);
		write_atomic(path, text, *lenp, 0644);
		free(file);
		free(path);
	}
	if (asprintf(&file, "%s.json", role) == -1)
		err(1, "asprintf");
	path = xpath(dir, file);
	write_atomic(path, text, *lenp, 0644);
	free(file);
	free(path);
	free(dir);
	return text;
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
	struct sigkey	 k;
	json_t		*old, *s, *snap, *info;
	char		*dir, *path, *text, *out;
	size_t		 len, olen;

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
	load_key("timestamp", &k);
	out = sign_write("timestamp", s, &k, 0, &olen);
	printf("timestamp version %lld (snapshot version %lld)\n",
	    (long long)version_of(s), (long long)version_of(snap));
	clear_key(&k);
	free(out);
	free(text);
	free(path);
	free(dir);
	json_decref(s);
	json_decref(old);
	json_decref(snap);
}

static void
publish_snapshot(void)
{
	struct sigkey	 k;
	json_t		*old, *s, *targets;
	char		*out;
	size_t		 len;

	if ((targets = read_signed("targets")) == NULL)
		errx(1, "no targets metadata: run lockprobe-repo init");
	old = read_signed("snapshot");
	s = new_signed("snapshot", version_of(old) + 1, EXPIRE_SNAPSHOT);
	json_object_set_new(s, "meta", json_pack("{s:{s:I}}", "targets.json",
	    "version", (json_int_t)version_of(targets)));
	load_key("snapshot", &k);
	out = sign_write("snapshot", s, &k, 1, &len);
	printf("snapshot version %lld (targets version %lld)\n",
	    (long long)version_of(s), (long long)version_of(targets));
	clear_key(&k);
	free(out);
	json_decref(s);
	json_decref(old);
	json_decref(targets);
	publish_timestamp(EXPIRE_TIMESTAMP);
}

static void
publish_targets(json_t *s)
{
	struct sigkey	 k;
	char		 t[32], *out;
	size_t		 len;

	json_object_set_new(s, "version", json_integer(version_of(s) + 1));
	tuf_format_time((int64_t)time(NULL) + EXPIRE_TARGETS, t, sizeof(t));
	json_object_set_new(s, "expires", json_string(t));
	load_key("targets", &k);
	out = sign_write("targets", s, &k, 1, &len);
	printf("targets version %lld, %zu targets\n", (long long)version_of(s),
	    json_object_size(json_object_get(s, "targets")));
	clear_key(&k);
	free(out);
	publish_snapshot();
}

/* --- commands ------------------------------------------------------------------- */

static void
cmd_init(void)
{
	static const char *const roles[] = {
		"root", "timestamp", "snapshot", "targets"
	};
	struct sigkey	 k[4];
	json_t		*s, *keys, *rl;
	char		*dir, *out;
	size_t		 i, len;

	dir = xpath(repodir, "metadata");
	if (access(dir, F_OK) == 0)
		errx(1, "%s exists: the repository is already initialised",
		    dir);
	for (i = 0; i < 4; i++)
		if (!key_exists(roles[i]))
			keygen(roles[i]);
	mkdirs(dir, 0755);
	free(dir);
	dir = xpath(repodir, "targets");
	mkdirs(dir, 0755);
	free(dir);
	s = new_signed("root", 1, EXPIRE_ROOT);
	keys = json_object();
	rl = json_object();
	for (i = 0; i < 4; i++) {
		load_key(roles[i], &k[i]);
		json_object_set(keys, k[i].keyid, k[i].pub);
		json_object_set_new(rl, roles[i], json_pack("{s:[s], s:i}",
		    "keyids", k[i].keyid, "threshold", 1));
	}
	json_object_set_new(s, "keys", keys);
	json_object_set_new(s, "roles", rl);
	json_object_set_new(s, "consistent_snapshot", json_true());
	out = sign_write("root", s, &k[0], 1, &len);
	printf("root version 1\n");
	free(out);
	json_decref(s);
	for (i = 0; i < 4; i++)
		clear_key(&k[i]);
	s = new_signed("targets", 0, EXPIRE_TARGETS);
	json_object_set_new(s, "targets", json_object());
	publish_targets(s);
	json_decref(s);
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
	const char	*hosts[MAX_LIST], *tags[MAX_LIST];
	unsigned char	 d[crypto_hash_sha256_BYTES];
	char		 hex[2 * crypto_hash_sha256_BYTES + 1];
	char		*data, *dir, *name, *path, e[256];
	json_t		*s, *info, *custom, *a, *v;
	size_t		 nh = 0, nt = 0, len, i;
	int		 ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "H:T:")) != -1) {
		switch (ch) {
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
	data = read_all(argv[1], MAX_TARGET_FILE, &len);
	/* Configuration is JSON: refuse what the daemon would refuse. */
	if ((v = tuf_json_loadb(data, len, MAX_TARGET_FILE, 0, e,
	    sizeof(e))) == NULL)
		errx(1, "%s: not JSON: %s", argv[1], e);
	json_decref(v);
	if ((s = read_signed("targets")) == NULL)
		errx(1, "no targets metadata: run lockprobe-repo init");
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
		if (nh > 0) {
			a = json_array();
			for (i = 0; i < nh; i++)
				json_array_append_new(a, json_string(hosts[i]));
			json_object_set_new(custom, "hosts", a);
		}
		if (nt > 0) {
			a = json_array();
			for (i = 0; i < nt; i++)
				json_array_append_new(a, json_string(tags[i]));
			json_object_set_new(custom, "tags", a);
		}
		json_object_set_new(info, "custom", custom);
	}
	json_object_set_new(json_object_get(s, "targets"), argv[0], info);
	printf("%s: %zu bytes, sha256 %s\n", argv[0], len, hex);
	publish_targets(s);
	json_decref(s);
	free(name);
	free(path);
	free(data);
}

static void
cmd_remove(const char *target)
{
	json_t	*s;

	if ((s = read_signed("targets")) == NULL)
		errx(1, "no targets metadata: run lockprobe-repo init");
	if (json_object_del(json_object_get(s, "targets"), target) != 0)
		errx(1, "no target \"%s\"", target);
	/* The file stays: clients on the previous snapshot may fetch it. */
	publish_targets(s);
	json_decref(s);
}

static void
cmd_list(void)
{
	const char	*name;
	json_t		*s, *v;

	if ((s = read_signed("targets")) == NULL)
		errx(1, "no targets metadata: run lockprobe-repo init");
	printf("targets version %lld, expires %s\n",
	    (long long)version_of(s),
	    json_string_value(json_object_get(s, "expires")));
	json_object_foreach(json_object_get(s, "targets"), name, v)
		printf("%s\t%lld\t%s\n", name, (long long)json_integer_value(
		    json_object_get(v, "length")), json_string_value(
		    json_object_get(json_object_get(v, "hashes"), "sha256")));
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
	else if (strcmp(cmd, "remove") == 0 && argc == 2)
		cmd_remove(argv[1]);
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
