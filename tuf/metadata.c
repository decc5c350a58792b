#include "config.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "canonical_json.h"
#include "json.h"
#include "keys.h"
#include "metadata.h"
#include "tuf_util.h"

static const char *const type_names[TUF_NTOPROLES] = {
	"root", "timestamp", "snapshot", "targets"
};

const char *
tuf_type_name(enum tuf_type type)
{
	if ((unsigned)type < TUF_NTOPROLES)
		return type_names[type];
	return "unknown";
}

/* --- time ------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
digits(const char *s, int n, int *out)
{
	int	i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
tuf_parse_time(const char *s, int64_t *out)
{
	static const int mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int	y, mo, d, h, mi, se;
	size_t	i;

	if (strlen(s) < 20 ||
	    digits(s, 4, &y) != 0 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) != 0 || s[7] != '-' ||
	    digits(s + 8, 2, &d) != 0 || s[10] != 'T' ||
	    digits(s + 11, 2, &h) != 0 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) != 0 || s[16] != ':' ||
	    digits(s + 17, 2, &se) != 0)
		return TUF_ERR;
	i = 19;
	if (s[i] == '.') {
		/* Fractional seconds: accepted, dropped. */
		if (s[++i] < '0' || s[i] > '9')
			return TUF_ERR;
		while (s[i] >= '0' && s[i] <= '9' && i < 40)
			i++;
	}
	if (s[i] != 'Z' || s[i + 1] != '\0')
		return TUF_ERR;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || se > 59)
		return TUF_ERR;
	if (mo == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return TUF_ERR;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return TUF_OK;
}

void
tuf_format_time(int64_t t, char *buf, size_t len)
{
	int64_t	days, secs, y;
	int	m, d;

	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y,
	    m, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* --- hashes and files ----------------------------------------------------- */

static size_t
known_digest_len(const char *alg)
{
	if (strcmp(alg, "sha256") == 0)
		return crypto_hash_sha256_BYTES;
	if (strcmp(alg, "sha512") == 0)
		return crypto_hash_sha512_BYTES;
	return 0;
}

static int
parse_hashes(const json_t *obj, struct tuf_hashes *h, char *err,
    size_t errlen)
{
	const char	*alg, *hex;
	json_t		*v;
	char		 vis[40];
	size_t		 want;

	memset(h, 0, sizeof(*h));
	if (!json_is_object(obj)) {
		tuf_seterr(err, errlen, "\"hashes\" is %s, not an object",
		    tuf_json_typephrase(obj));
		return TUF_ERR;
	}
	if (json_object_size(obj) == 0) {
		tuf_seterr(err, errlen, "\"hashes\" is empty");
		return TUF_ERR;
	}
	if (json_object_size(obj) > TUF_MAX_HASHES) {
		tuf_seterr(err, errlen, "more than %d hashes", TUF_MAX_HASHES);
		return TUF_ERR;
	}
	json_object_foreach((json_t *)(uintptr_t)obj, alg, v) {
		if (strlen(alg) >= sizeof(h->h[0].alg)) {
			tuf_seterr(err, errlen, "hash algorithm name \"%s\" too "
			    "long", tuf_strvis(vis, sizeof(vis), alg,
			    strlen(alg)));
			return TUF_ERR;
		}
		if (!json_is_string(v)) {
			tuf_seterr(err, errlen, "hash \"%s\" is %s, not a "
			    "string", alg, tuf_json_typephrase(v));
			return TUF_ERR;
		}
		hex = json_string_value(v);
		if (tuf_hex_decode(hex, json_string_length(v),
		    h->h[h->n].digest, TUF_MAX_DIGEST, &h->h[h->n].len, err,
		    errlen) != TUF_OK) {
			tuf_preferr(err, errlen, "hash \"%s\"", alg);
			return TUF_ERR;
		}
		want = known_digest_len(alg);
		if (want != 0 && h->h[h->n].len != want) {
			tuf_seterr(err, errlen, "hash \"%s\" of %zu bytes, %zu "
			    "expected", alg, h->h[h->n].len, want);
			return TUF_ERR;
		}
		memcpy(h->h[h->n].alg, alg, strlen(alg) + 1);
		h->n++;
	}
	return TUF_OK;
}

int
tuf_check_file(const void *data, size_t len, int64_t length,
    const struct tuf_hashes *hashes, char *err, size_t errlen)
{
	unsigned char	 d[TUF_MAX_DIGEST];
	char		 got[2 * TUF_MAX_DIGEST + 1];
	size_t		 i, known = 0, dlen;

	if (length >= 0 && (uint64_t)length != (uint64_t)len) {
		tuf_seterr(err, errlen, "length is %zu bytes, %lld expected",
		    len, (long long)length);
		return TUF_ERR;
	}
	if (hashes == NULL || hashes->n == 0)
		return TUF_OK;
	for (i = 0; i < hashes->n; i++) {
		dlen = known_digest_len(hashes->h[i].alg);
		if (dlen == 0)
			continue;
		if (dlen == crypto_hash_sha256_BYTES)
			crypto_hash_sha256(d, data, len);
		else
			crypto_hash_sha512(d, data, len);
		known++;
		if (memcmp(d, hashes->h[i].digest, dlen) != 0) {
			tuf_hex_encode(d, dlen < 16 ? dlen : 16, got);
			tuf_seterr(err, errlen, "%s hash mismatch (got %s...)",
			    hashes->h[i].alg, got);
			return TUF_ERR;
		}
	}
	if (known == 0) {
		tuf_seterr(err, errlen, "no hash of a supported algorithm "
		    "(sha256, sha512)");
		return TUF_ERR;
	}
	return TUF_OK;
}

/* --- keys and roles --------------------------------------------------------- */

static int
parse_keys(struct tuf_metadata *md, const json_t *keys, char *err,
    size_t errlen)
{
	const char	*keyid;
	json_t		*v;
	size_t		 n;

	if (!json_is_object(keys)) {
		tuf_seterr(err, errlen, "\"keys\" is %s, not an object",
		    tuf_json_typephrase(keys));
		return TUF_ERR;
	}
	n = json_object_size(keys);
	if (n > TUF_MAX_KEYS) {
		tuf_seterr(err, errlen, "%zu keys, at most %d accepted", n,
		    TUF_MAX_KEYS);
		return TUF_ERR;
	}
	if (n > 0 && (md->keys = calloc(n, sizeof(*md->keys))) == NULL) {
		tuf_seterr(err, errlen, "out of memory");
		return TUF_ERR;
	}
	json_object_foreach((json_t *)(uintptr_t)keys, keyid, v) {
		struct tuf_keyent *ent = &md->keys[md->nkeys++];

		ent->keyid = keyid;
		/* A malformed or unsupported key only makes itself useless. */
		ent->usable = tuf_key_parse(v, &ent->key, NULL, 0) == TUF_OK;
	}
	return TUF_OK;
}

static int
find_key(const struct tuf_metadata *md, const char *keyid, size_t *idx)
{
	size_t	i;

	for (i = 0; i < md->nkeys; i++)
		if (strcmp(md->keys[i].keyid, keyid) == 0) {
			*idx = i;
			return 1;
		}
	return 0;
}

static void
role_clear(struct tuf_role *r)
{
	free(r->keys);
	r->keys = NULL;
	r->nkeys = 0;
}

/* keyids and threshold of a role entry, resolved against md->keys. */
static int
parse_role(struct tuf_metadata *md, const json_t *obj, struct tuf_role *r,
    char *err, size_t errlen)
{
	json_t		*keyids, *v;
	size_t		 i, j, idx, n;
	int		 dup;

	if (!json_is_object(obj)) {
		tuf_seterr(err, errlen, "role is %s, not an object",
		    tuf_json_typephrase(obj));
		return TUF_ERR;
	}
	if (tuf_json_get_array(obj, "keyids", &keyids, err, errlen) != TUF_OK ||
	    tuf_json_get_int(obj, "threshold", &r->threshold, err,
	    errlen) != TUF_OK)
		return TUF_ERR;
	if (r->threshold < 1) {
		tuf_seterr(err, errlen, "threshold %lld, at least 1 needed",
		    (long long)r->threshold);
		return TUF_ERR;
	}
	n = json_array_size(keyids);
	if (n > TUF_MAX_ROLE_KEYIDS) {
		tuf_seterr(err, errlen, "%zu keyids, at most %d accepted", n,
		    TUF_MAX_ROLE_KEYIDS);
		return TUF_ERR;
	}
	if (n > 0 && (r->keys = calloc(n, sizeof(*r->keys))) == NULL) {
		tuf_seterr(err, errlen, "out of memory");
		return TUF_ERR;
	}
	json_array_foreach(keyids, i, v) {
		if (!json_is_string(v)) {
			tuf_seterr(err, errlen, "keyids[%zu] is %s, not a "
			    "string", i, tuf_json_typephrase(v));
			return TUF_ERR;
		}
		/* A key id without a key, or listed twice, adds nothing. */
		if (!find_key(md, json_string_value(v), &idx))
			continue;
		for (dup = 0, j = 0; j < r->nkeys; j++)
			if (r->keys[j] == idx)
				dup = 1;
		if (!dup)
			r->keys[r->nkeys++] = idx;
	}
	return TUF_OK;
}

static int
is_toprole_name(const char *name)
{
	int	i;

	for (i = 0; i < TUF_NTOPROLES; i++)
		if (strcmp(name, type_names[i]) == 0)
			return 1;
	return 0;
}

static int
parse_root(struct tuf_metadata *md, char *err, size_t errlen)
{
	json_t		*keys, *roles, *v, *cs;
	const char	*name;
	char		 vis[64];
	int		 i;

	if (tuf_json_get_object(md->signed_, "keys", &keys, err,
	    errlen) != TUF_OK ||
	    tuf_json_get_object(md->signed_, "roles", &roles, err,
	    errlen) != TUF_OK)
		return TUF_ERR;
	if ((cs = json_object_get(md->signed_, "consistent_snapshot")) != NULL) {
		if (!json_is_boolean(cs)) {
			tuf_seterr(err, errlen, "\"consistent_snapshot\" is %s, "
			    "not a boolean", tuf_json_typephrase(cs));
			return TUF_ERR;
		}
		md->consistent_snapshot = json_is_true(cs);
	}
	if (parse_keys(md, keys, err, errlen) != TUF_OK)
		return TUF_ERR;
	json_object_foreach(roles, name, v)
		if (!is_toprole_name(name)) {
			tuf_seterr(err, errlen, "unknown role \"%s\" in roles",
			    tuf_strvis(vis, sizeof(vis), name, strlen(name)));
			return TUF_ERR;
		}
	for (i = 0; i < TUF_NTOPROLES; i++) {
		md->toproles[i].name = type_names[i];
		if ((v = json_object_get(roles, type_names[i])) == NULL) {
			tuf_seterr(err, errlen, "roles: missing \"%s\"",
			    type_names[i]);
			return TUF_ERR;
		}
		if (parse_role(md, v, &md->toproles[i], err, errlen) !=
		    TUF_OK) {
			tuf_preferr(err, errlen, "roles.%s", type_names[i]);
			return TUF_ERR;
		}
	}
	return TUF_OK;
}

static int
parse_metafile(const json_t *v, struct tuf_metafile *mf, char *err,
    size_t errlen)
{
	json_t	*h;

	memset(mf, 0, sizeof(*mf));
	mf->length = -1;
	if (!json_is_object(v)) {
		tuf_seterr(err, errlen, "is %s, not an object",
		    tuf_json_typephrase(v));
		return TUF_ERR;
	}
	if (tuf_json_get_int(v, "version", &mf->version, err, errlen) !=
	    TUF_OK)
		return TUF_ERR;
	if (mf->version < 1) {
		tuf_seterr(err, errlen, "version %lld, at least 1 needed",
		    (long long)mf->version);
		return TUF_ERR;
	}
	if (json_object_get(v, "length") != NULL) {
		if (tuf_json_get_int(v, "length", &mf->length, err, errlen) !=
		    TUF_OK)
			return TUF_ERR;
		if (mf->length < 0) {
			tuf_seterr(err, errlen, "negative length");
			return TUF_ERR;
		}
	}
	if ((h = json_object_get(v, "hashes")) != NULL &&
	    parse_hashes(h, &mf->hashes, err, errlen) != TUF_OK)
		return TUF_ERR;
	return TUF_OK;
}

static int
parse_meta(struct tuf_metadata *md, char *err, size_t errlen)
{
	struct tuf_metafile	 mf;
	json_t			*meta, *v;
	const char		*name;
	char			 vis[64];

	if (tuf_json_get_object(md->signed_, "meta", &meta, err, errlen) !=
	    TUF_OK)
		return TUF_ERR;
	if (json_object_size(meta) > TUF_MAX_META) {
		tuf_seterr(err, errlen, "%zu meta entries, at most %d "
		    "accepted", json_object_size(meta), TUF_MAX_META);
		return TUF_ERR;
	}
	if (md->type == TUF_TIMESTAMP &&
	    json_object_get(meta, "snapshot.json") == NULL) {
		tuf_seterr(err, errlen, "meta: missing \"snapshot.json\"");
		return TUF_ERR;
	}
	json_object_foreach(meta, name, v)
		if (parse_metafile(v, &mf, err, errlen) != TUF_OK) {
			tuf_preferr(err, errlen, "meta \"%s\"",
			    tuf_strvis(vis, sizeof(vis), name, strlen(name)));
			return TUF_ERR;
		}
	md->meta = meta;
	return TUF_OK;
}

static int
parse_target(const json_t *v, int64_t *length, struct tuf_hashes *hashes,
    char *err, size_t errlen)
{
	json_t	*h;

	if (!json_is_object(v)) {
		tuf_seterr(err, errlen, "is %s, not an object",
		    tuf_json_typephrase(v));
		return TUF_ERR;
	}
	if (tuf_json_get_int(v, "length", length, err, errlen) != TUF_OK ||
	    tuf_json_get_object(v, "hashes", &h, err, errlen) != TUF_OK)
		return TUF_ERR;
	if (*length < 0) {
		tuf_seterr(err, errlen, "negative length");
		return TUF_ERR;
	}
	return parse_hashes(h, hashes, err, errlen);
}

static int
string_array(const json_t *obj, const char *key, size_t maxlen, json_t **out,
    char *err, size_t errlen)
{
	json_t	*a, *v;
	size_t	 i;

	if (tuf_json_get_array(obj, key, &a, err, errlen) != TUF_OK)
		return TUF_ERR;
	if (json_array_size(a) > TUF_MAX_PATHS) {
		tuf_seterr(err, errlen, "more than %d %s", TUF_MAX_PATHS, key);
		return TUF_ERR;
	}
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || json_string_length(v) > maxlen ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			tuf_seterr(err, errlen, "%s[%zu] is not a string of "
			    "at most %zu bytes", key, i, maxlen);
			return TUF_ERR;
		}
	}
	*out = a;
	return TUF_OK;
}

static int
valid_role_name(const json_t *v, char *err, size_t errlen)
{
	const char	*s;
	char		 vis[64];

	if (!json_is_string(v)) {
		tuf_seterr(err, errlen, "name is %s, not a string",
		    tuf_json_typephrase(v));
		return 0;
	}
	s = json_string_value(v);
	if (json_string_length(v) == 0 ||
	    json_string_length(v) > TUF_MAX_ROLE_NAME ||
	    strlen(s) != json_string_length(v)) {
		tuf_seterr(err, errlen, "role name must be 1 to %d bytes "
		    "without NUL", TUF_MAX_ROLE_NAME);
		return 0;
	}
	if (is_toprole_name(s)) {
		tuf_seterr(err, errlen, "delegated role named \"%s\": "
		    "top-level role names are reserved",
		    tuf_strvis(vis, sizeof(vis), s, strlen(s)));
		return 0;
	}
	return 1;
}

static int
parse_delegations(struct tuf_metadata *md, const json_t *dl, char *err,
    size_t errlen)
{
	json_t		*keys, *roles, *sr, *v, *name;
	struct tuf_role	*r;
	char		 vis[64];
	size_t		 i, j, n;
	int64_t		 bits;

	if (!json_is_object(dl)) {
		tuf_seterr(err, errlen, "\"delegations\" is %s, not an object",
		    tuf_json_typephrase(dl));
		return TUF_ERR;
	}
	if (tuf_json_get_object(dl, "keys", &keys, err, errlen) != TUF_OK ||
	    parse_keys(md, keys, err, errlen) != TUF_OK)
		goto fail;
	md->has_delegations = 1;
	roles = json_object_get(dl, "roles");
	sr = json_object_get(dl, "succinct_roles");
	if ((roles == NULL) == (sr == NULL)) {
		tuf_seterr(err, errlen, "exactly one of \"roles\" and "
		    "\"succinct_roles\" needed");
		goto fail;
	}
	if (sr != NULL) {
		if (parse_role(md, sr, &md->succinct.role, err, errlen) !=
		    TUF_OK ||
		    tuf_json_get_int(sr, "bit_length", &bits, err, errlen) !=
		    TUF_OK ||
		    tuf_json_get_string(sr, "name_prefix",
		    &md->succinct.name_prefix, &n, err, errlen) != TUF_OK) {
			tuf_preferr(err, errlen, "succinct_roles");
			goto fail;
		}
		if (bits < 1 || bits > TUF_MAX_BIT_LENGTH ||
		    n + 10 > TUF_MAX_ROLE_NAME) {
			tuf_seterr(err, errlen, "succinct_roles: bit_length "
			    "%lld (1 to %d) or name_prefix of %zu bytes "
			    "refused", (long long)bits, TUF_MAX_BIT_LENGTH, n);
			goto fail;
		}
		md->succinct.bit_length = (unsigned)bits;
		md->succinct.role.terminating = 1;
		md->succinct.present = 1;
		return TUF_OK;
	}
	if (!json_is_array(roles)) {
		tuf_seterr(err, errlen, "\"roles\" is %s, not an array",
		    tuf_json_typephrase(roles));
		goto fail;
	}
	n = json_array_size(roles);
	if (n > TUF_MAX_DELEGATIONS) {
		tuf_seterr(err, errlen, "%zu delegated roles, at most %d "
		    "accepted", n, TUF_MAX_DELEGATIONS);
		goto fail;
	}
	if (n > 0 && (md->deleg = calloc(n, sizeof(*md->deleg))) == NULL) {
		tuf_seterr(err, errlen, "out of memory");
		goto fail;
	}
	json_array_foreach(roles, i, v) {
		r = &md->deleg[md->ndeleg++];
		name = json_is_object(v) ? json_object_get(v, "name") : NULL;
		if (!valid_role_name(name, err, errlen) ||
		    parse_role(md, v, r, err, errlen) != TUF_OK ||
		    tuf_json_get_bool(v, "terminating", &r->terminating, err,
		    errlen) != TUF_OK) {
			tuf_preferr(err, errlen, "roles[%zu]", i);
			goto fail;
		}
		r->name = json_string_value(name);
		for (j = 0; j + 1 < md->ndeleg; j++)
			if (strcmp(md->deleg[j].name, r->name) == 0) {
				tuf_seterr(err, errlen, "role \"%s\" delegated "
				    "twice", tuf_strvis(vis, sizeof(vis),
				    r->name, strlen(r->name)));
				goto fail;
			}
		if (json_object_get(v, "paths") != NULL &&
		    json_object_get(v, "path_hash_prefixes") != NULL) {
			tuf_seterr(err, errlen, "roles[%zu]: both paths and "
			    "path_hash_prefixes", i);
			goto fail;
		}
		if (json_object_get(v, "paths") != NULL &&
		    string_array(v, "paths", TUF_MAX_TARGET_PATH, &r->paths,
		    err, errlen) != TUF_OK) {
			tuf_preferr(err, errlen, "roles[%zu]", i);
			goto fail;
		}
		if (json_object_get(v, "path_hash_prefixes") != NULL &&
		    string_array(v, "path_hash_prefixes", 64, &r->prefixes,
		    err, errlen) != TUF_OK) {
			tuf_preferr(err, errlen, "roles[%zu]", i);
			goto fail;
		}
	}
	return TUF_OK;
 fail:
	tuf_preferr(err, errlen, "delegations");
	return TUF_ERR;
}

static int
parse_targets(struct tuf_metadata *md, char *err, size_t errlen)
{
	struct tuf_hashes	 h;
	json_t			*targets, *v, *dl;
	const char		*path;
	char			 vis[64];
	int64_t			 length;

	if (tuf_json_get_object(md->signed_, "targets", &targets, err,
	    errlen) != TUF_OK)
		return TUF_ERR;
	if (json_object_size(targets) > TUF_MAX_TARGETS) {
		tuf_seterr(err, errlen, "%zu targets, at most %d accepted",
		    json_object_size(targets), TUF_MAX_TARGETS);
		return TUF_ERR;
	}
	json_object_foreach(targets, path, v) {
		if (strlen(path) > TUF_MAX_TARGET_PATH ||
		    parse_target(v, &length, &h, err, errlen) != TUF_OK) {
			if (strlen(path) > TUF_MAX_TARGET_PATH)
				tuf_seterr(err, errlen, "path longer than %d "
				    "bytes", TUF_MAX_TARGET_PATH);
			tuf_preferr(err, errlen, "target \"%s\"",
			    tuf_strvis(vis, sizeof(vis), path, strlen(path)));
			return TUF_ERR;
		}
	}
	md->targets = targets;
	if ((dl = json_object_get(md->signed_, "delegations")) != NULL &&
	    parse_delegations(md, dl, err, errlen) != TUF_OK)
		return TUF_ERR;
	return TUF_OK;
}

/* spec_version: "MAJOR.MINOR" or "MAJOR.MINOR.PATCH", digits, major 1. */
static int
spec_version_ok(const char *s)
{
	int	parts = 0, ndig;

	if (s[0] != '1' || s[1] != '.')
		return 0;
	for (;;) {
		for (ndig = 0; *s >= '0' && *s <= '9'; s++)
			ndig++;
		if (ndig == 0 || ndig > 9)
			return 0;
		parts++;
		if (*s == '\0')
			break;
		if (*s++ != '.')
			return 0;
	}
	return parts == 2 || parts == 3;
}

static int
parse_envelope(struct tuf_metadata *md, char *err, size_t errlen)
{
	json_t		*sig;
	const char	*type, *expires, *s;
	char		 vis[64];
	size_t		 i;

	if (tuf_json_get_object(md->doc, "signed", &md->signed_, err,
	    errlen) != TUF_OK ||
	    tuf_json_get_array(md->doc, "signatures", &md->signatures, err,
	    errlen) != TUF_OK)
		return TUF_ERR;
	if (json_array_size(md->signatures) > TUF_MAX_SIGNATURES) {
		tuf_seterr(err, errlen, "%zu signatures, at most %d accepted",
		    json_array_size(md->signatures), TUF_MAX_SIGNATURES);
		return TUF_ERR;
	}
	json_array_foreach(md->signatures, i, sig) {
		if (!json_is_object(sig) ||
		    tuf_json_get_string(sig, "keyid", &s, NULL, err,
		    errlen) != TUF_OK ||
		    tuf_json_get_string(sig, "sig", &s, NULL, err,
		    errlen) != TUF_OK) {
			if (!json_is_object(sig))
				tuf_seterr(err, errlen, "is %s, not an object",
				    tuf_json_typephrase(sig));
			tuf_preferr(err, errlen, "signatures[%zu]", i);
			return TUF_ERR;
		}
	}
	if (tuf_json_get_string(md->signed_, "_type", &type, NULL, err,
	    errlen) != TUF_OK)
		return TUF_ERR;
	if (strcmp(type, tuf_type_name(md->type)) != 0) {
		tuf_seterr(err, errlen, "_type is \"%s\", \"%s\" expected",
		    tuf_strvis(vis, sizeof(vis), type, strlen(type)),
		    tuf_type_name(md->type));
		return TUF_ERR;
	}
	if (tuf_json_get_int(md->signed_, "version", &md->version, err,
	    errlen) != TUF_OK)
		return TUF_ERR;
	if (md->version < 1) {
		tuf_seterr(err, errlen, "version %lld, at least 1 needed",
		    (long long)md->version);
		md->version = 0;
		return TUF_ERR;
	}
	if (tuf_json_get_string(md->signed_, "spec_version",
	    &md->spec_version, NULL, err, errlen) != TUF_OK)
		return TUF_ERR;
	if (!spec_version_ok(md->spec_version)) {
		s = md->spec_version;
		tuf_seterr(err, errlen, "unsupported spec_version \"%s\": "
		    "this client implements 1.x",
		    tuf_strvis(vis, sizeof(vis), s, strlen(s)));
		return TUF_ERR;
	}
	if (tuf_json_get_string(md->signed_, "expires", &expires, NULL, err,
	    errlen) != TUF_OK)
		return TUF_ERR;
	if (tuf_parse_time(expires, &md->expires) != TUF_OK) {
		tuf_seterr(err, errlen, "expires \"%s\" is not a time "
		    "YYYY-MM-DDTHH:MM:SSZ",
		    tuf_strvis(vis, sizeof(vis), expires, strlen(expires)));
		return TUF_ERR;
	}
	return TUF_OK;
}

int
tuf_md_parse(const void *buf, size_t len, size_t maxlen, enum tuf_type type,
    const char *rolename, struct tuf_metadata **out, char *err, size_t errlen)
{
	struct tuf_metadata	*md;
	int			 rc;

	*out = NULL;
	if ((unsigned)type >= TUF_NTOPROLES) {
		tuf_seterr(err, errlen, "internal error: metadata type %d",
		    (int)type);
		return TUF_ERR;
	}
	if ((md = calloc(1, sizeof(*md))) == NULL) {
		tuf_seterr(err, errlen, "out of memory");
		return TUF_ERR;
	}
	md->type = type;
	tuf_strvis(md->role, sizeof(md->role), rolename, strlen(rolename));
	tuf_buf_init(&md->canon, len + 64 < TUF_MAX_CANONICAL ? len + 64 :
	    TUF_MAX_CANONICAL);
	if (len > maxlen) {
		tuf_seterr(err, errlen, "%zu bytes exceed the limit of %zu",
		    len, maxlen);
		goto fail;
	}
	if ((md->doc = tuf_json_loadb(buf, len, maxlen, 0, err, errlen)) ==
	    NULL)
		goto fail;
	if (!json_is_object(md->doc)) {
		tuf_seterr(err, errlen, "metadata is %s, not an object",
		    tuf_json_typephrase(md->doc));
		goto fail;
	}
	if (parse_envelope(md, err, errlen) != TUF_OK)
		goto fail;
	switch (type) {
	case TUF_ROOT:
		rc = parse_root(md, err, errlen);
		break;
	case TUF_TIMESTAMP:
	case TUF_SNAPSHOT:
		rc = parse_meta(md, err, errlen);
		break;
	case TUF_TARGETS:
	default:
		rc = parse_targets(md, err, errlen);
		break;
	}
	if (rc != TUF_OK)
		goto fail;
	if (tuf_canonical_json(md->signed_, &md->canon, err, errlen) !=
	    TUF_OK) {
		tuf_preferr(err, errlen, "canonical form of \"signed\"");
		goto fail;
	}
	*out = md;
	return TUF_OK;
 fail:
	/* md->role is already made printable. */
	if (md->version > 0)
		tuf_preferr(err, errlen, "%s version %lld", md->role,
		    (long long)md->version);
	else
		tuf_preferr(err, errlen, "%s", md->role);
	tuf_md_free(md);
	return TUF_ERR;
}

void
tuf_md_free(struct tuf_metadata *md)
{
	size_t	i;
	int	j;

	if (md == NULL)
		return;
	for (i = 0; i < md->nkeys; i++)
		if (md->keys[i].usable)
			tuf_key_clear(&md->keys[i].key);
	free(md->keys);
	for (j = 0; j < TUF_NTOPROLES; j++)
		role_clear(&md->toproles[j]);
	for (i = 0; i < md->ndeleg; i++)
		role_clear(&md->deleg[i]);
	free(md->deleg);
	role_clear(&md->succinct.role);
	tuf_buf_free(&md->canon);
	json_decref(md->doc);
	free(md);
}

/* --- signatures ------------------------------------------------------------- */

int
tuf_md_verify(const struct tuf_metadata *md,
    const struct tuf_metadata *delegator, const struct tuf_role *role,
    size_t *countp, char *err, size_t errlen)
{
	const struct tuf_key	*counted[TUF_MAX_ROLE_KEYIDS];
	const struct tuf_keyent	*ent;
	json_t			*sig;
	size_t			 ncounted = 0, i, j, k;
	int			 dup;

	for (k = 0; k < role->nkeys && ncounted < TUF_MAX_ROLE_KEYIDS; k++) {
		ent = &delegator->keys[role->keys[k]];
		if (!ent->usable)
			continue;
		/* One public key counts once, whatever its key ids. */
		for (dup = 0, j = 0; j < ncounted; j++)
			if (tuf_key_same_public(counted[j], &ent->key))
				dup = 1;
		if (dup)
			continue;
		json_array_foreach(md->signatures, i, sig) {
			if (strcmp(json_string_value(json_object_get(sig,
			    "keyid")), ent->keyid) != 0)
				continue;
			if (tuf_key_verify(&ent->key, md->canon.data,
			    md->canon.len, json_string_value(
			    json_object_get(sig, "sig")), NULL, 0) == TUF_OK) {
				counted[ncounted++] = &ent->key;
				break;
			}
		}
	}
	if (countp != NULL)
		*countp = ncounted;
	if ((int64_t)ncounted >= role->threshold)
		return TUF_OK;
	tuf_seterr(err, errlen, "%s version %lld: %zu of %lld required "
	    "signatures by the keys %s lists for role %s", md->role,
	    (long long)md->version, ncounted, (long long)role->threshold,
	    delegator->role, role->name != NULL ? role->name : md->role);
	return TUF_BADSIG;
}

int
tuf_md_expired(const struct tuf_metadata *md, int64_t now, int64_t slack,
    char *err, size_t errlen)
{
	char	e[32], n[32];

	if (now - slack < md->expires)
		return 0;
	tuf_format_time(md->expires, e, sizeof(e));
	tuf_format_time(now, n, sizeof(n));
	tuf_seterr(err, errlen, "%s version %lld expired at %s (reference "
	    "time %s, slack %llds)", md->role, (long long)md->version, e, n,
	    (long long)slack);
	return 1;
}

const struct tuf_role *
tuf_md_toprole(const struct tuf_metadata *root, enum tuf_type type)
{
	if (root->type != TUF_ROOT || (unsigned)type >= TUF_NTOPROLES)
		return NULL;
	return &root->toproles[type];
}

int
tuf_role_same_keys(const struct tuf_metadata *a, const struct tuf_role *ra,
    const struct tuf_metadata *b, const struct tuf_role *rb)
{
	const struct tuf_keyent	*ka, *kb;
	size_t			 i, j;
	int			 found;

	if (ra->nkeys != rb->nkeys)
		return 0;
	for (i = 0; i < ra->nkeys; i++) {
		ka = &a->keys[ra->keys[i]];
		for (found = 0, j = 0; j < rb->nkeys && !found; j++) {
			kb = &b->keys[rb->keys[j]];
			if (strcmp(ka->keyid, kb->keyid) != 0 ||
			    ka->usable != kb->usable)
				continue;
			found = !ka->usable ||
			    tuf_key_same_public(&ka->key, &kb->key);
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* --- lookups ---------------------------------------------------------------- */

int
tuf_md_metafile(const struct tuf_metadata *md, const char *name,
    struct tuf_metafile *out)
{
	json_t	*v;

	if (md->meta == NULL || (v = json_object_get(md->meta, name)) == NULL)
		return TUF_NOTFOUND;
	/* Validated by tuf_md_parse: cannot fail here. */
	return parse_metafile(v, out, NULL, 0) == TUF_OK ? TUF_OK :
	    TUF_NOTFOUND;
}

int
tuf_md_target(const struct tuf_metadata *md, const char *path,
    int64_t *length, struct tuf_hashes *hashes, json_t **custom)
{
	json_t	*v;

	if (md->targets == NULL ||
	    (v = json_object_get(md->targets, path)) == NULL)
		return TUF_NOTFOUND;
	if (parse_target(v, length, hashes, NULL, 0) != TUF_OK)
		return TUF_NOTFOUND;
	if (custom != NULL)
		*custom = json_object_get(v, "custom");
	return TUF_OK;
}

int
tuf_path_match(const char *pattern, const char *path)
{
	/*
	 * FNM_PATHNAME: '*', '?' and brackets never match '/', and a '/'
	 * only matches a '/', so both need the same number of parts.
	 */
	return fnmatch(pattern, path, FNM_PATHNAME | FNM_NOESCAPE) == 0;
}

static unsigned
succinct_suffix_len(unsigned bits)
{
	uint64_t	last = ((uint64_t)1 << bits) - 1;
	unsigned	n = 0;

	do {
		n++;
		last >>= 4;
	} while (last != 0);
	return n;
}

int
tuf_succinct_bin_name(const struct tuf_succinct *sr, uint32_t bin,
    char *name, size_t namelen)
{
	int	n;

	n = snprintf(name, namelen, "%s-%0*x", sr->name_prefix,
	    (int)succinct_suffix_len(sr->bit_length), bin);
	return n < 0 || (size_t)n >= namelen ? TUF_ERR : TUF_OK;
}

int
tuf_succinct_bin(const struct tuf_succinct *sr, const char *path,
    char *name, size_t namelen)
{
	unsigned char	d[crypto_hash_sha256_BYTES];
	uint32_t	v;

	crypto_hash_sha256(d, (const unsigned char *)path, strlen(path));
	v = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	    (uint32_t)d[2] << 8 | d[3];
	if (sr->bit_length < 32)
		v >>= 32 - sr->bit_length;
	return tuf_succinct_bin_name(sr, v, name, namelen);
}

static int
role_matches(const struct tuf_role *r, const char *path, const char *hexhash)
{
	json_t	*v;
	size_t	 i;

	if (r->paths != NULL)
		json_array_foreach(r->paths, i, v)
			if (tuf_path_match(json_string_value(v), path))
				return 1;
	if (r->prefixes != NULL)
		json_array_foreach(r->prefixes, i, v)
			if (strncmp(hexhash, json_string_value(v),
			    json_string_length(v)) == 0)
				return 1;
	return 0;
}

int
tuf_md_delegations_for(const struct tuf_metadata *md, const char *path,
    tuf_deleg_fn fn, void *arg)
{
	unsigned char	d[crypto_hash_sha256_BYTES];
	char		hexhash[2 * crypto_hash_sha256_BYTES + 1];
	char		name[TUF_MAX_ROLE_NAME + 1];
	size_t		i;
	int		r;

	if (!md->has_delegations)
		return 0;
	if (md->succinct.present) {
		if (tuf_succinct_bin(&md->succinct, path, name,
		    sizeof(name)) != TUF_OK)
			return 0;
		return fn(arg, name, &md->succinct.role, 1);
	}
	crypto_hash_sha256(d, (const unsigned char *)path, strlen(path));
	tuf_hex_encode(d, sizeof(d), hexhash);
	for (i = 0; i < md->ndeleg; i++) {
		if (!role_matches(&md->deleg[i], path, hexhash))
			continue;
		if ((r = fn(arg, md->deleg[i].name, &md->deleg[i],
		    md->deleg[i].terminating)) != 0)
			return r;
	}
	return 0;
}

static int
hexdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

const struct tuf_role *
tuf_md_delegated_role(const struct tuf_metadata *md, const char *name)
{
	const struct tuf_succinct	*sr = &md->succinct;
	size_t				 i, plen, slen;
	uint64_t			 v;

	if (!md->has_delegations)
		return NULL;
	if (!sr->present) {
		for (i = 0; i < md->ndeleg; i++)
			if (strcmp(md->deleg[i].name, name) == 0)
				return &md->deleg[i];
		return NULL;
	}
	plen = strlen(sr->name_prefix);
	slen = succinct_suffix_len(sr->bit_length);
	if (strncmp(name, sr->name_prefix, plen) != 0 || name[plen] != '-' ||
	    strlen(name + plen + 1) != slen)
		return NULL;
	for (v = 0, i = plen + 1; name[i] != '\0'; i++) {
		if (!hexdigit(name[i]))
			return NULL;
		v = v * 16 + (uint64_t)(name[i] <= '9' ? name[i] - '0' :
		    (name[i] | 0x20) - 'a' + 10);
	}
	if (v >> sr->bit_length != 0)
		return NULL;
	return &sr->role;
}
