/*
 * The C side of tests/tuf_interop.sh.
 *
 *   tuf_interop_check verify DIR
 *	DIR holds what tests/tuf_interop.py gen wrote: every signature
 *	(securesystemslib and OpenSSL command line, all key types) must verify,
 *	every tampered copy must be refused, key ids and canonical forms must
 *	match securesystemslib's.
 *   tuf_interop_check sign PAYLOAD OUT
 *	Canonicalise PAYLOAD, sign it with a fresh ed25519 key, and write the
 *	key, key id, canonical form and signature to OUT for
 *	tests/tuf_interop.py verify.
 *   tuf_interop_check client DIR
 *	Run the TUF client workflow over the repository tests/tuf_interop.py
 *	repo wrote to DIR/metadata and DIR/targets (securesystemslib
 *	signatures, root rotation, consistent snapshots, a delegation),
 *	storing trusted metadata in DIR/local, and fetch and verify its
 *	target; then tamper with the target and expect a refusal.
 *   tuf_interop_check fetch DIR TARGET
 *	Refresh from DIR/metadata (bootstrap root DIR/metadata/1.root.json,
 *	store DIR/local) and write the verified TARGET to stdout; exit 3 when
 *	the repository has no such target.  Used on lockprobe-repo's output.
 *
 * Prints one line per check and "N passed, N failed"; exit 0 or 1.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "canonical_json.h"
#include "client.h"
#include "json.h"
#include "keys.h"
#include "tuf_util.h"

#define MAX_FILE	(16 * 1024 * 1024)

static int	npass, nfail;

static void check(int, const char *, ...) __attribute__((format(printf, 2, 3)));

static void
check(int ok, const char *fmt, ...)
{
	va_list	ap;

	printf("%s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		npass++;
	else
		nfail++;
}

static char *
read_file(const char *path, size_t *lenp)
{
	FILE	*fp;
	char	*buf;
	size_t	 len;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(MAX_FILE + 1)) == NULL) {
		fclose(fp);
		return NULL;
	}
	len = fread(buf, 1, MAX_FILE + 1, fp);
	fclose(fp);
	if (len > MAX_FILE) {
		fprintf(stderr, "%s: larger than %d bytes\n", path, MAX_FILE);
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

static json_t *
load_json(const char *path)
{
	json_t	*v;
	char	*buf, err[256];
	size_t	 len;

	if ((buf = read_file(path, &len)) == NULL)
		return NULL;
	if ((v = tuf_json_loadb(buf, len, MAX_FILE, 0, err,
	    sizeof(err))) == NULL)
		fprintf(stderr, "%s: %s\n", path, err);
	free(buf);
	return v;
}

/* Canonical form of the "signed" member of the metadata file at path. */
static int
canonical_signed(const char *path, struct tuf_buf *out, const char **sig,
    const char **keyid)
{
	json_t	*doc, *signed_, *sigs, *s0;
	char	 err[256];
	int	 rc = -1;

	if ((doc = load_json(path)) == NULL)
		return -1;
	if (tuf_json_get_object(doc, "signed", &signed_, err,
	    sizeof(err)) != TUF_OK ||
	    tuf_json_get_array(doc, "signatures", &sigs, err,
	    sizeof(err)) != TUF_OK) {
		fprintf(stderr, "%s: %s\n", path, err);
		goto out;
	}
	if ((s0 = json_array_get(sigs, 0)) == NULL ||
	    tuf_json_get_string(s0, "sig", sig, NULL, err, sizeof(err)) !=
	    TUF_OK ||
	    tuf_json_get_string(s0, "keyid", keyid, NULL, err, sizeof(err)) !=
	    TUF_OK) {
		fprintf(stderr, "%s: signatures[0]: %s\n", path, err);
		goto out;
	}
	/* doc goes away below: the caller frees these copies */
	*sig = strdup(*sig);
	*keyid = strdup(*keyid);
	tuf_buf_reset(out);
	if (tuf_canonical_json(signed_, out, err, sizeof(err)) != TUF_OK) {
		fprintf(stderr, "%s: %s\n", path, err);
		goto out;
	}
	rc = 0;
 out:
	json_decref(doc);
	return rc;
}

static char
flip_hex(char c)
{
	static const char	digits[] = "0123456789abcdef";
	const char		*p = strchr(digits, c | 0x20);

	return p == NULL ? 'x' : digits[(p - digits) ^ 1];
}

static void
check_vector(const char *dir, json_t *vec)
{
	struct tuf_key	 key;
	struct tuf_buf	 msg;
	const char	*name = "?", *keyid_want = "", *sig = NULL, *sigkeyid = NULL;
	const char	*tsig = NULL, *tkeyid = NULL;
	char		 path[4096], err[512], *want = NULL, *bad;
	size_t		 wantlen = 0, i, pos[3];
	int		 rc;

	tuf_json_get_string(vec, "name", &name, NULL, NULL, 0);
	tuf_json_get_string(vec, "keyid", &keyid_want, NULL, NULL, 0);
	tuf_buf_init(&msg, MAX_FILE);

	rc = tuf_key_parse(json_object_get(vec, "key"), &key, err,
	    sizeof(err));
	check(rc == TUF_OK, "%s: key parses%s%s", name, rc ? ": " : "",
	    rc ? err : "");
	if (rc != TUF_OK)
		goto out;
	check(strcmp(key.keyid, keyid_want) == 0, "%s: key id %s matches "
	    "securesystemslib's %s", name, key.keyid, keyid_want);

	snprintf(path, sizeof(path), "%s/%s.canonical", dir, name);
	want = read_file(path, &wantlen);
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	if (want == NULL || canonical_signed(path, &msg, &sig, &sigkeyid) != 0) {
		check(0, "%s: metadata and canonical form readable", name);
		goto out;
	}
	check(msg.len == wantlen && memcmp(msg.data, want, wantlen) == 0,
	    "%s: canonical form of signed equals encode_canonical (%zu bytes)",
	    name, msg.len);
	check(strcmp(sigkeyid, key.keyid) == 0, "%s: signature key id",
	    name);
	rc = tuf_key_verify(&key, msg.data, msg.len, sig, err, sizeof(err));
	check(rc == TUF_OK, "%s: signature verifies%s%s", name,
	    rc ? ": " : "", rc ? err : "");

	/* One bit flipped in the signature, at the start, middle and end. */
	pos[0] = 0;
	pos[1] = strlen(sig) / 2;
	pos[2] = strlen(sig) - 1;
	for (i = 0; i < 3; i++) {
		bad = strdup(sig);
		bad[pos[i]] = flip_hex(bad[pos[i]]);
		rc = tuf_key_verify(&key, msg.data, msg.len, bad, err,
		    sizeof(err));
		check(rc != TUF_OK, "%s: signature with hex digit %zu "
		    "changed refused (%s)", name, pos[i], err);
		free(bad);
	}
	/* Truncated signature. */
	bad = strdup(sig);
	bad[strlen(bad) - 2] = '\0';
	rc = tuf_key_verify(&key, msg.data, msg.len, bad, err, sizeof(err));
	check(rc != TUF_OK, "%s: truncated signature refused (%s)", name, err);
	free(bad);
	/* One bit flipped in the message. */
	for (i = 0; i < msg.len; i += msg.len / 3 + 1) {
		msg.data[i] ^= 0x01;
		rc = tuf_key_verify(&key, msg.data, msg.len, sig, err,
		    sizeof(err));
		check(rc == TUF_BADSIG, "%s: message with bit flipped at %zu "
		    "refused (%s)", name, i, err);
		msg.data[i] ^= 0x01;
	}
	/* Same signature over a changed signed portion. */
	snprintf(path, sizeof(path), "%s/%s.tampered.json", dir, name);
	if (canonical_signed(path, &msg, &tsig, &tkeyid) != 0)
		check(0, "%s: tampered copy readable", name);
	else {
		rc = tuf_key_verify(&key, msg.data, msg.len, tsig, err,
		    sizeof(err));
		check(rc == TUF_BADSIG, "%s: tampered copy refused (%s)", name,
		    err);
	}
 out:
	free((void *)(uintptr_t)sig);
	free((void *)(uintptr_t)sigkeyid);
	free((void *)(uintptr_t)tsig);
	free((void *)(uintptr_t)tkeyid);
	free(want);
	tuf_buf_free(&msg);
	tuf_key_clear(&key);
}

static void
check_canonical(json_t *cases)
{
	struct tuf_buf	 out;
	json_t		*c, *v, *want;
	const char	*input;
	char		 err[512];
	size_t		 i, len;
	int		 rc, ok;

	tuf_buf_init(&out, MAX_FILE);
	json_array_foreach(cases, i, c) {
		if (tuf_json_get_string(c, "input", &input, &len, err,
		    sizeof(err)) != TUF_OK) {
			check(0, "canonical case %zu: %s", i, err);
			continue;
		}
		tuf_buf_reset(&out);
		want = json_object_get(c, "canonical");
		if ((v = tuf_json_loadb(input, len, MAX_FILE, TUF_JSON_ANY,
		    err, sizeof(err))) == NULL) {
			check(0, "canonical case %zu: parse: %s", i, err);
			continue;
		}
		rc = tuf_canonical_json(v, &out, err, sizeof(err));
		if (want == NULL)
			ok = rc == TUF_ERR;
		else
			ok = rc == TUF_OK &&
			    out.len == json_string_length(want) &&
			    memcmp(out.data, json_string_value(want),
			    out.len) == 0;
		if (!ok || i < 10 || want == NULL)
			check(ok, "canonical case %zu: %s%s", i,
			    want ? "matches encode_canonical" :
			    "float refused: ", want ? "" : err);
		else
			npass++;
		json_decref(v);
	}
	tuf_buf_free(&out);
}

static int
do_verify(const char *dir)
{
	json_t	*manifest, *vectors, *vec;
	char	 path[4096];
	size_t	 i;

	snprintf(path, sizeof(path), "%s/vectors.json", dir);
	if ((manifest = load_json(path)) == NULL)
		return 1;
	vectors = json_object_get(manifest, "vectors");
	check(json_array_size(vectors) >= 9, "%zu signature vectors",
	    json_array_size(vectors));
	json_array_foreach(vectors, i, vec)
		check_vector(dir, vec);
	check_canonical(json_object_get(manifest, "canonical"));
	json_decref(manifest);
	return 0;
}

static int
do_sign(const char *in, const char *outpath)
{
	unsigned char	 pk[TUF_ED25519_PKLEN], sk[TUF_ED25519_SKLEN];
	struct tuf_buf	 msg;
	struct tuf_key	 key;
	json_t		*payload, *keyobj = NULL, *doc = NULL;
	char		 sig[2 * TUF_ED25519_SIGLEN + 1], keyid[TUF_KEYID_HEXLEN + 1];
	char		 err[512];
	int		 rc = 1;

	tuf_buf_init(&msg, MAX_FILE);
	memset(&key, 0, sizeof(key));
	if ((payload = load_json(in)) == NULL)
		goto out;
	if (tuf_canonical_json(payload, &msg, err, sizeof(err)) != TUF_OK ||
	    tuf_ed25519_keygen(pk, sk, err, sizeof(err)) != TUF_OK ||
	    tuf_ed25519_sign(sk, msg.data, msg.len, sig, err,
	    sizeof(err)) != TUF_OK) {
		fprintf(stderr, "sign: %s\n", err);
		goto out;
	}
	sodium_memzero(sk, sizeof(sk));
	keyobj = tuf_ed25519_key_json(pk);
	if (tuf_keyid_compute(keyobj, keyid, err, sizeof(err)) != TUF_OK ||
	    tuf_key_parse(keyobj, &key, err, sizeof(err)) != TUF_OK) {
		fprintf(stderr, "sign: %s\n", err);
		goto out;
	}
	check(tuf_key_verify(&key, msg.data, msg.len, sig, err,
	    sizeof(err)) == TUF_OK, "own ed25519 signature verifies");
	doc = json_pack("{s:O, s:s, s:O, s:s%, s:[{s:s, s:s}]}",
	    "key", keyobj, "keyid", keyid, "signed", payload,
	    "canonical", (const char *)msg.data, msg.len,
	    "signatures", "keyid", keyid, "sig", sig);
	if (doc == NULL || json_dump_file(doc, outpath, JSON_INDENT(2)) != 0) {
		fprintf(stderr, "sign: cannot write %s\n", outpath);
		goto out;
	}
	check(1, "wrote %s (key id %s)", outpath, keyid);
	rc = 0;
 out:
	tuf_key_clear(&key);
	json_decref(doc);
	json_decref(keyobj);
	json_decref(payload);
	tuf_buf_free(&msg);
	return rc;
}

/* --- the client over a repository in a directory --------------------- */

/* Read dir/path into out, as a static web server would serve it. */
static int
file_get(const char *dir, const char *path, size_t maxlen,
    struct tuf_buf *out, char *err, size_t errlen)
{
	char	 full[8192], buf[65536];
	FILE	*fp;
	size_t	 n;

	if (strstr(path, "..") != NULL || path[0] == '/') {
		tuf_seterr(err, errlen, "refusing path %s", path);
		return TUF_ERR;
	}
	snprintf(full, sizeof(full), "%s/%s", dir, path);
	if ((fp = fopen(full, "rb")) == NULL) {
		if (errno == ENOENT)
			return TUF_NOTFOUND;
		tuf_seterr(err, errlen, "%s: %s", full, strerror(errno));
		return TUF_ERR;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (out->len + n > maxlen) {
			fclose(fp);
			tuf_seterr(err, errlen, "more than %zu bytes", maxlen);
			return TUF_ERR;
		}
		if (tuf_buf_append(out, buf, n, err, errlen) != TUF_OK) {
			fclose(fp);
			return TUF_ERR;
		}
	}
	fclose(fp);
	return TUF_OK;
}

struct repo_dir {
	char	metadata[4096];
	char	targets[4096];
	char	local[4096];
};

static int
dir_fetch(void *arg, enum tuf_fetch_kind kind, const char *path,
    size_t maxlen, struct tuf_buf *out, char *err, size_t errlen)
{
	struct repo_dir	*d = arg;

	return file_get(kind == TUF_FETCH_METADATA ? d->metadata : d->targets,
	    path, maxlen, out, err, errlen);
}

static int
dir_load(void *arg, const char *name, size_t maxlen, struct tuf_buf *out,
    char *err, size_t errlen)
{
	struct repo_dir	*d = arg;

	return file_get(d->local, name, maxlen, out, err, errlen);
}

static int
dir_store(void *arg, const char *name, const void *data, size_t len,
    char *err, size_t errlen)
{
	struct repo_dir	*d = arg;
	char		 tmp[8192], path[8192];
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s", d->local, name);
	snprintf(tmp, sizeof(tmp), "%s/.tmp.%s", d->local, name);
	if ((fp = fopen(tmp, "wb")) == NULL ||
	    fwrite(data, 1, len, fp) != len || fflush(fp) != 0 ||
	    fsync(fileno(fp)) != 0 || fclose(fp) != 0 ||
	    rename(tmp, path) != 0) {
		tuf_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return TUF_ERR;
	}
	return TUF_OK;
}

static int
dir_remove(void *arg, const char *name, char *err, size_t errlen)
{
	struct repo_dir	*d = arg;
	char		 path[8192];

	snprintf(path, sizeof(path), "%s/%s", d->local, name);
	if (unlink(path) != 0 && errno != ENOENT) {
		tuf_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return TUF_ERR;
	}
	return TUF_OK;
}

static const struct tuf_io dir_io = { dir_fetch, dir_load, dir_store,
	dir_remove, NULL };

static int
do_client(const char *dir)
{
	struct tuf_client_config	 cfg;
	struct tuf_client		*c = NULL;
	struct tuf_target		 t;
	struct repo_dir			 d;
	struct tuf_buf			 b;
	char				*root, path[8192], err[1024];
	size_t				 rootlen;
	unsigned long			 before;
	int64_t				 now = (int64_t)time(NULL);
	int				 rc;

	memset(&t, 0, sizeof(t));
	tuf_buf_init(&b, MAX_FILE);
	snprintf(d.metadata, sizeof(d.metadata), "%s/metadata", dir);
	snprintf(d.targets, sizeof(d.targets), "%s/targets", dir);
	snprintf(d.local, sizeof(d.local), "%s/local", dir);
	if (mkdir(d.local, 0700) != 0 && errno != EEXIST)
		return 1;
	snprintf(path, sizeof(path), "%s/1.root.json", d.metadata);
	if ((root = read_file(path, &rootlen)) == NULL)
		return 1;
	tuf_client_config_default(&cfg);
	c = tuf_client_open(&cfg, &dir_io, &d, root, rootlen, err,
	    sizeof(err));
	check(c != NULL, "open with the securesystemslib root%s%s",
	    c == NULL ? ": " : "", c == NULL ? err : "");
	if (c == NULL)
		goto out;
	/* One call per statement: check()'s arguments are unsequenced. */
	rc = tuf_client_refresh(c, now, err, sizeof(err));
	check(rc == TUF_OK && tuf_client_root_version(c) == 2,
	    "refresh, root rotated to version %lld%s%s",
	    (long long)tuf_client_root_version(c), rc ? ": " : "",
	    rc ? err : "");
	rc = tuf_client_target(c, "lockstat/interop.json", &t, err,
	    sizeof(err));
	check(rc == TUF_OK && strcmp(t.role, "sslib-role") == 0,
	    "target found through the delegation: %s", rc ? err : t.role);
	rc = tuf_client_fetch_target(c, &t, &b, err, sizeof(err));
	check(rc == TUF_OK, "target fetched (hash-prefixed) and verified%s%s",
	    rc ? ": " : "", rc ? err : "");
	check(json_is_array(json_object_get(t.custom, "hosts")),
	    "signed custom fields reach the caller");
	before = tuf_client_fetches(c);
	rc = tuf_client_refresh(c, now, err, sizeof(err));
	check(rc == TUF_OK && tuf_client_fetches(c) - before == 2,
	    "unchanged repository: %lu requests (next root, timestamp)",
	    tuf_client_fetches(c) - before);
	if (b.len > 0) {
		b.data[0] ^= 1;
		rc = tuf_target_check(&t, b.data, b.len, err, sizeof(err));
		check(rc == TUF_ERR, "tampered target refused: %s", err);
	}
	tuf_client_free(c);
	c = tuf_client_open(&cfg, &dir_io, &d, root, rootlen, err,
	    sizeof(err));
	check(c != NULL && tuf_client_root_version(c) == 2,
	    "stored root chain re-verified at the next start");
 out:
	tuf_target_clear(&t);
	tuf_client_free(c);
	tuf_buf_free(&b);
	free(root);
	return 0;
}

static int
do_fetch(const char *dir, const char *target)
{
	struct tuf_client_config	 cfg;
	struct tuf_client		*c;
	struct tuf_target		 t;
	struct repo_dir			 d;
	struct tuf_buf			 b;
	char				*root, path[8192], err[1024];
	size_t				 rootlen;
	int				 rc;

	snprintf(d.metadata, sizeof(d.metadata), "%s/metadata", dir);
	snprintf(d.targets, sizeof(d.targets), "%s/targets", dir);
	snprintf(d.local, sizeof(d.local), "%s/local", dir);
	if (mkdir(d.local, 0700) != 0 && errno != EEXIST)
		return 1;
	snprintf(path, sizeof(path), "%s/1.root.json", d.metadata);
	if ((root = read_file(path, &rootlen)) == NULL)
		return 1;
	tuf_client_config_default(&cfg);
	tuf_buf_init(&b, MAX_FILE);
	if ((c = tuf_client_open(&cfg, &dir_io, &d, root, rootlen, err,
	    sizeof(err))) == NULL ||
	    tuf_client_refresh(c, (int64_t)time(NULL), err, sizeof(err)) !=
	    TUF_OK) {
		fprintf(stderr, "%s\n", err);
		rc = 1;
		goto out;
	}
	rc = tuf_client_target(c, target, &t, err, sizeof(err));
	if (rc == TUF_OK)
		rc = tuf_client_fetch_target(c, &t, &b, err, sizeof(err));
	tuf_target_clear(&t);
	if (rc != TUF_OK) {
		fprintf(stderr, "%s\n", err);
		rc = rc == TUF_NOTFOUND ? 3 : 1;
		goto out;
	}
	fwrite(b.data, 1, b.len, stdout);
 out:
	tuf_client_free(c);
	tuf_buf_free(&b);
	free(root);
	return rc;
}

int
main(int argc, char *argv[])
{
	int	rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "verify") == 0)
		rc = do_verify(argv[2]);
	else if (argc == 4 && strcmp(argv[1], "sign") == 0)
		rc = do_sign(argv[2], argv[3]);
	else if (argc == 3 && strcmp(argv[1], "client") == 0)
		rc = do_client(argv[2]);
	else if (argc == 4 && strcmp(argv[1], "fetch") == 0)
		return do_fetch(argv[2], argv[3]);
	else {
		fprintf(stderr, "usage: tuf_interop_check verify DIR\n"
		    "       tuf_interop_check sign PAYLOAD OUT\n"
		    "       tuf_interop_check client DIR\n"
		    "       tuf_interop_check fetch DIR TARGET\n");
		return 2;
	}
	printf("%d passed, %d failed\n", npass, nfail);
	return rc != 0 || nfail != 0 || npass == 0;
}
