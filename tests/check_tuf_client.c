/*
 * Unit tests of TUF metadata verification (tuf/metadata.c) and the client
 * workflow (tuf/client.c), each rule with the bad metadata that breaks it.
 * Repositories are built in memory by tests/tuf_testrepo.c.  Standalone:
 * exit 0 when every test passes, 1 otherwise.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "canonical_json.h"
#include "client.h"
#include "keys.h"
#include "metadata.h"
#include "tuf_testrepo.h"
#include "tuf_util.h"
#include "testutil.h"

static char err[2048];

#define ck_err_has(s) \
	ck_assert_msg(strstr(err, (s)) != NULL, "error \"%s\" lacks \"%s\"", \
	    err, (s))

/* --- metadata ------------------------------------------------------------------ */

static int
parse_as(const json_t *signed_, enum tuf_type type, struct tr_key *const *keys,
    const char *const *ids, size_t n, struct tuf_metadata **md)
{
	unsigned char	*b;
	size_t		 len;
	int		 rc;

	b = tr_sign(signed_, keys, ids, n, &len);
	rc = tuf_md_parse(b, len, 1 << 20, type, tuf_type_name(type), md, err,
	    sizeof(err));
	free(b);
	return rc;
}

START_TEST(test_time)
{
	int64_t	t;
	char	buf[32];
	static const char *bad[] = {
		"2030-01-01 00:00:00Z", "2030-01-01T00:00:00",
		"2030-02-30T00:00:00Z", "2030-01-01T00:00:00+00:00",
		"2030-1-01T00:00:00Z",
		"2030-01-01T24:00:00Z", "2031-02-29T00:00:00Z", "",
		"2030-01-01T00:00:00.Z", "2030-01-01T00:00:00Zx",
	};
	size_t	i;

	ck_assert_int_eq(tuf_parse_time("2030-01-01T00:00:00Z", &t), TUF_OK);
	ck_assert_int_eq(t, 1893456000);
	ck_assert_int_eq(tuf_parse_time("1970-01-01T00:00:01.999Z", &t),
	    TUF_OK);
	ck_assert_int_eq(t, 1);
	ck_assert_int_eq(tuf_parse_time("2028-02-29T23:59:59Z", &t), TUF_OK);
	tuf_format_time(t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2028-02-29T23:59:59Z");
	tuf_format_time(TR_NOW, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-01-01T00:00:00Z");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(tuf_parse_time(bad[i], &t) == TUF_ERR,
		    "accepted %s", bad[i]);
}
END_TEST

START_TEST(test_spec_version)
{
	struct tr_key		 k, *keys[1] = { &k };
	struct tuf_metadata	*md;
	json_t			*s;
	static const char	*good[] = { "1.0.31", "1.0", "1.1.0" };
	static const char	*bad[] = { "2.0.0", "1", "1.x", "0.9", "1.0.0.0",
				    "", "v1.0" };
	size_t			 i;

	tr_key_new(&k);
	for (i = 0; i < 3; i++) {
		s = tr_signed("timestamp", 1, TR_NOW);
		json_object_set_new(s, "spec_version", json_string(good[i]));
		json_object_set_new(s, "meta", json_pack("{s:{s:i}}",
		    "snapshot.json", "version", 1));
		ck_assert_msg(parse_as(s, TUF_TIMESTAMP, keys, NULL, 1, &md) ==
		    TUF_OK, "%s: %s", good[i], err);
		tuf_md_free(md);
		json_decref(s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = tr_signed("timestamp", 1, TR_NOW);
		json_object_set_new(s, "spec_version", json_string(bad[i]));
		json_object_set_new(s, "meta", json_pack("{s:{s:i}}",
		    "snapshot.json", "version", 1));
		ck_assert_int_eq(parse_as(s, TUF_TIMESTAMP, keys, NULL, 1, &md),
		    TUF_ERR);
		ck_err_has("unsupported spec_version");
		json_decref(s);
	}
}
END_TEST

START_TEST(test_envelope)
{
	struct tr_key		 k, *keys[1] = { &k };
	struct tuf_metadata	*md;
	json_t			*s;
	unsigned char		*b;
	char			*text, *p;
	size_t			 len;

	tr_key_new(&k);
	s = tr_signed("timestamp", 3, TR_NOW);
	json_object_set_new(s, "meta", json_pack("{s:{s:i}}", "snapshot.json",
	    "version", 1));
	/* wrong _type */
	ck_assert_int_eq(parse_as(s, TUF_SNAPSHOT, keys, NULL, 1, &md),
	    TUF_ERR);
	ck_err_has("_type is \"timestamp\"");
	/* oversize */
	b = tr_sign(s, keys, NULL, 1, &len);
	ck_assert_int_eq(tuf_md_parse(b, len, len - 1, TUF_TIMESTAMP,
	    "timestamp", &md, err, sizeof(err)), TUF_ERR);
	ck_err_has("exceed");
	/* duplicate JSON keys */
	text = malloc(len + 32);
	p = strstr((char *)b, "\"version\":3");
	ck_assert_ptr_nonnull(p);
	snprintf(text, len + 32, "%.*s\"version\":3,%s", (int)(p - (char *)b),
	    (char *)b, p);
	ck_assert_int_eq(tuf_md_parse(text, strlen(text), 1 << 20,
	    TUF_TIMESTAMP, "timestamp", &md, err, sizeof(err)), TUF_ERR);
	ck_err_has("duplicate");
	free(text);
	free(b);
	/* version 0, bad expiry, missing snapshot.json */
	json_object_set_new(s, "version", json_integer(0));
	ck_assert_int_eq(parse_as(s, TUF_TIMESTAMP, keys, NULL, 1, &md),
	    TUF_ERR);
	ck_err_has("version 0");
	json_object_set_new(s, "version", json_integer(3));
	json_object_set_new(s, "expires", json_string("tomorrow"));
	ck_assert_int_eq(parse_as(s, TUF_TIMESTAMP, keys, NULL, 1, &md),
	    TUF_ERR);
	ck_err_has("timestamp version 3: expires");
	json_object_set_new(s, "expires", json_string("2030-01-01T00:00:00Z"));
	json_object_set_new(s, "meta", json_object());
	ck_assert_int_eq(parse_as(s, TUF_TIMESTAMP, keys, NULL, 1, &md),
	    TUF_ERR);
	ck_err_has("snapshot.json");
	json_decref(s);
}
END_TEST

/* A root whose targets role is keys[0..n) with threshold t. */
static json_t *
root_with_targets(struct tr_key *r, struct tr_key **tk, const char **ids,
    size_t n, int t)
{
	json_t	*s, *keyids;
	size_t	 i;

	s = tr_root_signed(1, TR_NOW + TR_DAY, 0, r, r, r, r);
	keyids = json_array();
	for (i = 0; i < n; i++) {
		json_object_set_new(json_object_get(s, "keys"),
		    ids != NULL ? ids[i] : tk[i]->keyid, tr_keyobj(tk[i]));
		json_array_append_new(keyids, json_string(ids != NULL ? ids[i] :
		    tk[i]->keyid));
	}
	json_object_set_new(json_object_get(s, "roles"), "targets",
	    json_pack("{s:o, s:i}", "keyids", keyids, "threshold", t));
	return s;
}

static json_t *
empty_targets(void)
{
	json_t	*s = tr_signed("targets", 1, TR_NOW + TR_DAY);

	json_object_set_new(s, "targets", json_object());
	return s;
}

START_TEST(test_threshold)
{
	struct tr_key		 r, a, b, *rk[1] = { &r }, *tk[2] = { &a, &b };
	struct tuf_metadata	*root, *md;
	json_t			*rs, *ts;
	size_t			 count;

	tr_key_new(&r);
	tr_key_new(&a);
	tr_key_new(&b);
	rs = root_with_targets(&r, tk, NULL, 2, 2);
	ck_assert_int_eq(parse_as(rs, TUF_ROOT, rk, NULL, 1, &root), TUF_OK);
	ts = empty_targets();
	/* one of two */
	ck_assert_int_eq(parse_as(ts, TUF_TARGETS, tk, NULL, 1, &md), TUF_OK);
	ck_assert_int_eq(tuf_md_verify(md, root, tuf_md_toprole(root,
	    TUF_TARGETS), &count, err, sizeof(err)), TUF_BADSIG);
	ck_assert_uint_eq(count, 1);
	ck_err_has("targets version 1: 1 of 2 required signatures");
	tuf_md_free(md);
	/* both */
	ck_assert_int_eq(parse_as(ts, TUF_TARGETS, tk, NULL, 2, &md), TUF_OK);
	ck_assert_int_eq(tuf_md_verify(md, root, tuf_md_toprole(root,
	    TUF_TARGETS), &count, err, sizeof(err)), TUF_OK);
	ck_assert_uint_eq(count, 2);
	tuf_md_free(md);
	/* the same key's signature twice */
	{
		struct tr_key *twice[2] = { &a, &a };

		ck_assert_int_eq(parse_as(ts, TUF_TARGETS, twice, NULL, 2,
		    &md), TUF_OK);
		ck_assert_int_eq(tuf_md_verify(md, root, tuf_md_toprole(root,
		    TUF_TARGETS), &count, err, sizeof(err)), TUF_BADSIG);
		ck_assert_uint_eq(count, 1);
		tuf_md_free(md);
	}
	/* b's key id, a's signature: bad signature */
	{
		const char *ids[2] = { a.keyid, b.keyid };
		struct tr_key *aa[2] = { &a, &a };

		ck_assert_int_eq(parse_as(ts, TUF_TARGETS, aa, ids, 2, &md),
		    TUF_OK);
		ck_assert_int_eq(tuf_md_verify(md, root, tuf_md_toprole(root,
		    TUF_TARGETS), &count, err, sizeof(err)), TUF_BADSIG);
		ck_assert_uint_eq(count, 1);
		tuf_md_free(md);
	}
	/* signed, then changed */
	ck_assert_int_eq(parse_as(ts, TUF_TARGETS, tk, NULL, 2, &md), TUF_OK);
	json_object_set_new(md->signed_, "version", json_integer(2));
	tuf_buf_reset(&md->canon);
	ck_assert_int_eq(tuf_canonical_json(md->signed_, &md->canon, err,
	    sizeof(err)), TUF_OK);
	ck_assert_int_eq(tuf_md_verify(md, root, tuf_md_toprole(root,
	    TUF_TARGETS), &count, err, sizeof(err)), TUF_BADSIG);
	ck_assert_uint_eq(count, 0);
	tuf_md_free(md);
	tuf_md_free(root);
	json_decref(rs);
	json_decref(ts);
}
END_TEST

START_TEST(test_duplicate_keyids)
{
	struct tr_key		 r, a, *rk[1] = { &r }, *tk[2] = { &a, &a };
	struct tuf_metadata	*root, *md;
	const char		*ids[2] = { "id-one", "id-two" };
	json_t			*rs, *ts;
	size_t			 count;

	tr_key_new(&r);
	tr_key_new(&a);
	/* One public key under two key ids, threshold 2. */
	rs = root_with_targets(&r, tk, ids, 2, 2);
	ck_assert_int_eq(parse_as(rs, TUF_ROOT, rk, NULL, 1, &root), TUF_OK);
	ts = empty_targets();
	ck_assert_int_eq(parse_as(ts, TUF_TARGETS, tk, ids, 2, &md), TUF_OK);
	ck_assert_int_eq(tuf_md_verify(md, root, tuf_md_toprole(root,
	    TUF_TARGETS), &count, err, sizeof(err)), TUF_BADSIG);
	ck_assert_uint_eq(count, 1);
	tuf_md_free(md);
	tuf_md_free(root);
	/* Listed twice under one key id: still one key. */
	json_decref(rs);
	rs = root_with_targets(&r, tk, NULL, 1, 2);
	json_array_append_new(json_object_get(json_object_get(json_object_get(
	    rs, "roles"), "targets"), "keyids"), json_string(a.keyid));
	ck_assert_int_eq(parse_as(rs, TUF_ROOT, rk, NULL, 1, &root), TUF_OK);
	ck_assert_int_eq(parse_as(ts, TUF_TARGETS, tk, NULL, 2, &md), TUF_OK);
	ck_assert_int_eq(tuf_md_verify(md, root, tuf_md_toprole(root,
	    TUF_TARGETS), &count, err, sizeof(err)), TUF_BADSIG);
	ck_assert_uint_eq(count, 1);
	tuf_md_free(md);
	tuf_md_free(root);
	json_decref(rs);
	json_decref(ts);
}
END_TEST

START_TEST(test_malformed_keys)
{
	struct tr_key		 r, a, *rk[1] = { &r }, *tk[1] = { &a };
	struct tuf_metadata	*root, *md;
	json_t			*rs, *ts, *keys, *keyids;
	size_t			 count;

	tr_key_new(&r);
	tr_key_new(&a);
	rs = root_with_targets(&r, tk, NULL, 1, 1);
	keys = json_object_get(rs, "keys");
	json_object_set_new(keys, "bad-hex", json_pack("{s:s, s:s, s:{s:s}}",
	    "keytype", "ed25519", "scheme", "ed25519", "keyval", "public",
	    "zz"));
	json_object_set_new(keys, "unsupported", json_pack("{s:s, s:s, "
	    "s:{s:s}}", "keytype", "sphincs", "scheme", "sphincs-shake",
	    "keyval", "public", "00"));
	json_object_set_new(keys, "not-an-object", json_integer(5));
	keyids = json_object_get(json_object_get(json_object_get(rs, "roles"),
	    "targets"), "keyids");
	json_array_append_new(keyids, json_string("bad-hex"));
	json_array_append_new(keyids, json_string("unsupported"));
	json_array_append_new(keyids, json_string("not-an-object"));
	json_array_append_new(keyids, json_string("no-such-key"));
	ck_assert_msg(parse_as(rs, TUF_ROOT, rk, NULL, 1, &root) == TUF_OK,
	    "%s", err);
	ts = empty_targets();
	ck_assert_int_eq(parse_as(ts, TUF_TARGETS, tk, NULL, 1, &md), TUF_OK);
	ck_assert_int_eq(tuf_md_verify(md, root, tuf_md_toprole(root,
	    TUF_TARGETS), &count, err, sizeof(err)), TUF_OK);
	ck_assert_uint_eq(count, 1);
	tuf_md_free(md);
	tuf_md_free(root);
	/* threshold 2: the useless keys cannot make up the difference */
	json_object_set_new(json_object_get(json_object_get(rs, "roles"),
	    "targets"), "threshold", json_integer(2));
	ck_assert_int_eq(parse_as(rs, TUF_ROOT, rk, NULL, 1, &root), TUF_OK);
	ck_assert_int_eq(parse_as(ts, TUF_TARGETS, tk, NULL, 1, &md), TUF_OK);
	ck_assert_int_eq(tuf_md_verify(md, root, tuf_md_toprole(root,
	    TUF_TARGETS), &count, err, sizeof(err)), TUF_BADSIG);
	tuf_md_free(md);
	tuf_md_free(root);
	/* a root without the snapshot role is malformed */
	json_object_del(json_object_get(rs, "roles"), "snapshot");
	ck_assert_int_eq(parse_as(rs, TUF_ROOT, rk, NULL, 1, &root), TUF_ERR);
	ck_err_has("missing \"snapshot\"");
	json_decref(rs);
	json_decref(ts);
}
END_TEST

START_TEST(test_targets_fields)
{
	struct tr_key		 k, *keys[1] = { &k };
	struct tuf_metadata	*md;
	json_t			*s, *t;

	tr_key_new(&k);
	s = empty_targets();
	t = json_object_get(s, "targets");
	json_object_set_new(t, "a.json", json_pack("{s:i, s:{s:s}}", "length",
	    -1, "hashes", "sha256", "00"));
	ck_assert_int_eq(parse_as(s, TUF_TARGETS, keys, NULL, 1, &md),
	    TUF_ERR);
	ck_err_has("target \"a.json\": negative length");
	json_object_set_new(t, "a.json", json_pack("{s:i, s:{s:s}}", "length",
	    1, "hashes", "sha256", "00"));
	ck_assert_int_eq(parse_as(s, TUF_TARGETS, keys, NULL, 1, &md),
	    TUF_ERR);
	ck_err_has("sha256\" of 1 bytes");
	json_object_set_new(t, "a.json", json_pack("{s:i}", "length", 1));
	ck_assert_int_eq(parse_as(s, TUF_TARGETS, keys, NULL, 1, &md),
	    TUF_ERR);
	ck_err_has("missing \"hashes\"");
	json_decref(s);
}
END_TEST

START_TEST(test_delegation_fields)
{
	struct tr_key		 k, *keys[1] = { &k };
	struct tuf_metadata	*md;
	json_t			*s, *roles;

	tr_key_new(&k);
	s = empty_targets();
	tr_delegate(s, &k, "a", "x/*", 0);
	ck_assert_int_eq(parse_as(s, TUF_TARGETS, keys, NULL, 1, &md), TUF_OK);
	ck_assert_ptr_nonnull(tuf_md_delegated_role(md, "a"));
	ck_assert_ptr_null(tuf_md_delegated_role(md, "b"));
	tuf_md_free(md);
	tr_delegate(s, &k, "a", "y/*", 0);
	ck_assert_int_eq(parse_as(s, TUF_TARGETS, keys, NULL, 1, &md),
	    TUF_ERR);
	ck_err_has("delegated twice");
	roles = json_object_get(json_object_get(s, "delegations"), "roles");
	json_array_remove(roles, 1);
	tr_delegate(s, &k, "snapshot", "y/*", 0);
	ck_assert_int_eq(parse_as(s, TUF_TARGETS, keys, NULL, 1, &md),
	    TUF_ERR);
	ck_err_has("reserved");
	json_array_remove(roles, 1);
	json_object_set_new(json_array_get(roles, 0), "path_hash_prefixes",
	    json_pack("[s]", "ab"));
	ck_assert_int_eq(parse_as(s, TUF_TARGETS, keys, NULL, 1, &md),
	    TUF_ERR);
	ck_err_has("both paths and path_hash_prefixes");
	json_object_set_new(json_object_get(s, "delegations"),
	    "succinct_roles", json_pack("{s:[], s:i, s:i, s:s}", "keyids",
	    "threshold", 1, "bit_length", 4, "name_prefix", "bin"));
	ck_assert_int_eq(parse_as(s, TUF_TARGETS, keys, NULL, 1, &md),
	    TUF_ERR);
	ck_err_has("exactly one of");
	json_decref(s);
}
END_TEST

START_TEST(test_path_match)
{
	static const struct {
		const char	*pattern, *path;
		int		 match;
	} v[] = {
		{ "lockstat/*", "lockstat/a.json", 1 },
		{ "lockstat/*", "lockstat/a/b.json", 0 },
		{ "*", "a/b", 0 },
		{ "*", "a.json", 1 },
		{ "*/*.json", "lockstat/a.json", 1 },
		{ "*/*.json", "lockstat/a.txt", 0 },
		{ "lockstat/*.json", "lockstat/", 0 },
		{ "lock?tat/a.json", "lockstat/a.json", 1 },
		{ "lock?tat/a.json", "lock/tat/a.json", 0 },
		{ "a[/]b", "a/b", 0 },
		{ "a/[bc].json", "a/c.json", 1 },
		{ "a\\*", "a\\xyz", 1 },
		{ "files/*", "files/.hidden", 1 },
		{ "*.json", "../x.json", 0 },
	};
	size_t	i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_msg(tuf_path_match(v[i].pattern, v[i].path) ==
		    v[i].match, "%s vs %s", v[i].pattern, v[i].path);
}
END_TEST

START_TEST(test_succinct)
{
	struct tuf_succinct	 sr;
	struct tuf_metadata	*md;
	struct tr_key		 k, *keys[1] = { &k };
	json_t			*s;
	char			 name[64];

	memset(&sr, 0, sizeof(sr));
	sr.name_prefix = "bin";
	/* bins of "a.json" as python-tuf's SuccinctRoles computes them */
	sr.bit_length = 1;
	ck_assert_int_eq(tuf_succinct_bin(&sr, "a.json", name, sizeof(name)),
	    TUF_OK);
	ck_assert_str_eq(name, "bin-0");
	sr.bit_length = 8;
	tuf_succinct_bin(&sr, "a.json", name, sizeof(name));
	ck_assert_str_eq(name, "bin-60");
	sr.bit_length = 10;
	tuf_succinct_bin(&sr, "a.json", name, sizeof(name));
	ck_assert_str_eq(name, "bin-180");
	sr.bit_length = 32;
	tuf_succinct_bin(&sr, "a.json", name, sizeof(name));
	ck_assert_str_eq(name, "bin-6025a122");
	ck_assert_int_eq(tuf_succinct_bin_name(&sr, 0x6025a122, name,
	    sizeof(name)), TUF_OK);
	ck_assert_str_eq(name, "bin-6025a122");
	sr.bit_length = 12;
	ck_assert_int_eq(tuf_succinct_bin_name(&sr, 5, name, sizeof(name)),
	    TUF_OK);
	ck_assert_str_eq(name, "bin-005");
	ck_assert_int_eq(tuf_succinct_bin_name(&sr, 5, name, 7), TUF_ERR);

	tr_key_new(&k);
	s = empty_targets();
	json_object_set_new(s, "delegations", json_pack("{s:{s:o}, s:{s:[s], "
	    "s:i, s:i, s:s}}", "keys", k.keyid, tr_keyobj(&k),
	    "succinct_roles", "keyids", k.keyid, "threshold", 1,
	    "bit_length", 8, "name_prefix", "bin"));
	ck_assert_int_eq(parse_as(s, TUF_TARGETS, keys, NULL, 1, &md), TUF_OK);
	ck_assert_ptr_nonnull(tuf_md_delegated_role(md, "bin-3f"));
	ck_assert_ptr_nonnull(tuf_md_delegated_role(md, "bin-ff"));
	ck_assert_ptr_null(tuf_md_delegated_role(md, "bin-100"));
	ck_assert_ptr_null(tuf_md_delegated_role(md, "bin-f"));
	ck_assert_ptr_null(tuf_md_delegated_role(md, "bin-xy"));
	ck_assert_ptr_null(tuf_md_delegated_role(md, "other-3f"));
	tuf_md_free(md);
	json_object_set_new(json_object_get(json_object_get(s, "delegations"),
	    "succinct_roles"), "bit_length", json_integer(33));
	ck_assert_int_eq(parse_as(s, TUF_TARGETS, keys, NULL, 1, &md),
	    TUF_ERR);
	ck_err_has("bit_length 33");
	json_decref(s);
}
END_TEST

START_TEST(test_pct_encode)
{
	static const struct {
		const char	*in;
		int		 slash;
		const char	*out;
	} v[] = {
		{ "a/b", 0, "a%2Fb" },
		{ "..", 0, "%2E." },
		{ "../evil", 0, "%2E.%2Fevil" },
		{ "%2F", 0, "%252F" },
		{ "x?y#z", 0, "x%3Fy%23z" },
		{ "root@1", 0, "root%401" },
		{ "my.role-1_~", 0, "my.role-1_~" },
		{ "caf\xc3\xa9", 0, "caf%C3%A9" },
		{ "a/../b.json", 1, "a/%2E./b.json" },
		{ "lockstat/x y.json", 1, "lockstat/x%20y.json" },
		{ ".hidden/a", 1, "%2Ehidden/a" },
		/* metadata URLs: as urllib.parse.quote(name, "") */
		{ "../evil", TUF_PCT_URL, "..%2Fevil" },
		{ ".a/.b", TUF_PCT_URL | TUF_PCT_KEEP_SLASH, ".a/.b" },
		{ "x?y#z", TUF_PCT_URL, "x%3Fy%23z" },
	};
	char	out[256];
	size_t	i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(tuf_pct_encode(v[i].in, v[i].slash, out,
		    sizeof(out)), TUF_OK);
		ck_assert_str_eq(out, v[i].out);
	}
	ck_assert_int_eq(tuf_pct_encode("abc/", 0, out, 6), TUF_ERR);
}
END_TEST

START_TEST(test_check_file)
{
	struct tuf_hashes	h;
	json_t			*fi;

	fi = tr_fileinfo("hello", 5, 0);
	memset(&h, 0, sizeof(h));
	h.n = 1;
	strcpy(h.h[0].alg, "sha256");
	tuf_hex_decode(json_string_value(json_object_get(json_object_get(fi,
	    "hashes"), "sha256")), 64, h.h[0].digest, 64, &h.h[0].len, NULL,
	    0);
	ck_assert_int_eq(tuf_check_file("hello", 5, 5, &h, err, sizeof(err)),
	    TUF_OK);
	ck_assert_int_eq(tuf_check_file("hellO", 5, 5, &h, err, sizeof(err)),
	    TUF_ERR);
	ck_err_has("sha256 hash mismatch");
	ck_assert_int_eq(tuf_check_file("hello!", 6, 5, &h, err, sizeof(err)),
	    TUF_ERR);
	ck_err_has("length is 6 bytes, 5 expected");
	strcpy(h.h[0].alg, "md5");
	ck_assert_int_eq(tuf_check_file("hello", 5, 5, &h, err, sizeof(err)),
	    TUF_ERR);
	ck_err_has("no hash of a supported algorithm");
	json_decref(fi);
}
END_TEST

/* --- client ---------------------------------------------------------------------- */

static struct tr_repo	R;

static void
setup_plain(void)
{
	tr_repo_init(&R, 0);
}

static void
setup_consistent(void)
{
	tr_repo_init(&R, 1);
}

static void
teardown(void)
{
	tr_repo_free(&R);
}

static struct tuf_client *
open_cfg(const struct tuf_client_config *cfg)
{
	struct tuf_client_config	def;

	if (cfg == NULL) {
		tuf_client_config_default(&def);
		cfg = &def;
	}
	return tuf_client_open(cfg, &tr_io, &R, R.root1, R.root1len, err,
	    sizeof(err));
}

static struct tuf_client *
open_ok(void)
{
	struct tuf_client	*c = open_cfg(NULL);

	ck_assert_msg(c != NULL, "open: %s", err);
	return c;
}

static int
refresh(struct tuf_client *c)
{
	return tuf_client_refresh(c, TR_NOW, err, sizeof(err));
}

#define ck_refresh_ok(c) \
	ck_assert_msg(refresh(c) == TUF_OK, "refresh: %s", err)

static void
refresh_fails(const char *why)
{
	struct tuf_client	*c = open_ok();

	ck_assert_int_eq(refresh(c), TUF_ERR);
	ck_err_has(why);
	tuf_client_free(c);
}

START_TEST(test_good_repository)
{
	struct tuf_client	*c;
	struct tuf_target	 t;
	struct tuf_buf		 b;

	tr_add_target(&R, NULL, "lockstat/a.json", "{\"period\": 5}\n");
	json_object_set_new(json_object_get(json_object_get(R.targets,
	    "targets"), "lockstat/a.json"), "custom", json_pack("{s:[s]}",
	    "hosts", "db1"));
	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	ck_assert_int_eq(tuf_client_target(c, "lockstat/a.json", &t, err,
	    sizeof(err)), TUF_OK);
	ck_assert_int_eq(t.length, 14);
	ck_assert_str_eq(t.role, "targets");
	ck_assert_ptr_nonnull(json_object_get(t.custom, "hosts"));
	tuf_buf_init(&b, 1 << 20);
	ck_assert_msg(tuf_client_fetch_target(c, &t, &b, err, sizeof(err)) ==
	    TUF_OK, "%s", err);
	ck_assert_str_eq((char *)b.data, "{\"period\": 5}\n");
	ck_assert_int_eq(tuf_target_check(&t, "{\"period\": 6}\n", 14, err,
	    sizeof(err)), TUF_ERR);
	ck_err_has("hash mismatch");
	tuf_buf_free(&b);
	tuf_target_clear(&t);
	ck_assert_int_eq(tuf_client_target(c, "lockstat/b.json", &t, err,
	    sizeof(err)), TUF_NOTFOUND);
	ck_assert_ptr_nonnull(tr_get(&R.local, "timestamp.json"));
	ck_assert_ptr_nonnull(tr_get(&R.local, "snapshot.json"));
	ck_assert_ptr_nonnull(tr_get(&R.local, "targets.json"));
	ck_assert_ptr_nonnull(strstr(R.log, "2.root.json\ntimestamp.json\n"
	    "snapshot.json\ntargets.json\n"));
	/* unchanged repository: the next root (404) and timestamp */
	R.nfetch = 0;
	ck_refresh_ok(c);
	ck_assert_uint_eq(R.nfetch, 2);
	tuf_client_free(c);
	/* a new run uses the stored metadata */
	c = open_ok();
	R.nfetch = 0;
	ck_refresh_ok(c);
	ck_assert_uint_eq(R.nfetch, 2);
	tuf_client_free(c);
}
END_TEST

START_TEST(test_lookup_before_refresh)
{
	struct tuf_client	*c;
	struct tuf_target	 t;

	tr_publish(&R);
	c = open_ok();
	ck_assert_int_eq(tuf_client_target(c, "a", &t, err, sizeof(err)),
	    TUF_ERR);
	ck_err_has("before a successful refresh");
	tuf_client_free(c);
}
END_TEST

START_TEST(test_consistent_snapshot)
{
	struct tuf_client	*c;
	struct tuf_target	 t;
	struct tuf_buf		 b;

	tr_add_target(&R, NULL, "lockstat/a.json", "x");
	json_object_set_new(R.targets, "version", json_integer(4));
	R.snap_version = 3;
	tr_publish(&R);
	/* the unprefixed copies are not what a consistent client reads */
	tr_del(&R.remote, "metadata/snapshot.json");
	tr_del(&R.remote, "metadata/targets.json");
	tr_del(&R.remote, "targets/lockstat/a.json");
	c = open_ok();
	ck_refresh_ok(c);
	ck_assert_int_eq(tuf_client_target(c, "lockstat/a.json", &t, err,
	    sizeof(err)), TUF_OK);
	tuf_buf_init(&b, 1 << 20);
	ck_assert_msg(tuf_client_fetch_target(c, &t, &b, err, sizeof(err)) ==
	    TUF_OK, "%s", err);
	ck_assert_ptr_nonnull(strstr(R.log, "\n3.snapshot.json\n4.targets.json"
	    "\nlockstat/2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717"
	    "921a4881.a.json\n"));
	tuf_buf_free(&b);
	tuf_target_clear(&t);
	tuf_client_free(c);
}
END_TEST

START_TEST(test_expired)
{
	struct tuf_client_config	 cfg;
	struct tuf_client		*c;

	R.expires = TR_NOW - 10;
	tr_publish(&R);
	refresh_fails("timestamp version 1 expired at 2025-12-31T23:59:50Z "
	    "(reference time 2026-01-01T00:00:00Z");
	/* within the configured slack */
	tuf_client_config_default(&cfg);
	cfg.slack = 60;
	c = open_cfg(&cfg);
	ck_refresh_ok(c);
	tuf_client_free(c);
}
END_TEST

/*
 * The host's clock jumps.  Forward past the expiry of what is trusted: the
 * same repository is refused (expired), polling "unchanged" too, until
 * the repository publishes fresh metadata.  Backward, far: a replayed
 * older timestamp, valid again by its dates, is still a rollback.
 */
START_TEST(test_clock_jumps)
{
	const int64_t		 day = 86400;
	struct tr_key		*k[1] = { &R.rk };
	struct tuf_client	*c;

	R.ts_version = 3;
	tr_publish(&R);		/* expires 30 days after TR_NOW */
	c = open_ok();
	ck_refresh_ok(c);

	ck_assert_int_eq(tuf_client_refresh(c, TR_NOW + 31 * day, err,
	    sizeof(err)), TUF_ERR);
	ck_err_has("expired");
	ck_assert_int_eq(tuf_client_refresh_unchanged(c, TR_NOW + 31 * day,
	    err, sizeof(err)), TUF_ERR);
	ck_err_has("expired");
	/* the clock comes back: what is trusted was kept, and is valid */
	ck_assert_msg(tuf_client_refresh_unchanged(c, TR_NOW, err,
	    sizeof(err)) == TUF_OK, "back to now: %s", err);

	/* fresh metadata, a new root included: good at the jumped clock */
	json_object_set_new(R.root, "version", json_integer(2));
	json_object_set_new(R.root, "expires", json_string(
	    "2026-03-02T00:00:00Z"));		/* TR_NOW + 60 days */
	tr_publish_root(&R, k, 1);
	json_object_set_new(R.targets, "version", json_integer(2));
	json_object_set_new(R.targets, "expires", json_string(
	    "2026-03-02T00:00:00Z"));
	R.expires = TR_NOW + 60 * day;
	R.ts_version = 4;
	R.snap_version = 2;
	tr_publish(&R);
	ck_assert_msg(tuf_client_refresh(c, TR_NOW + 31 * day, err,
	    sizeof(err)) == TUF_OK, "fresh metadata: %s", err);

	/* a year back, an older timestamp that has not expired then */
	R.expires = TR_NOW - 300 * day;
	R.ts_version = 2;
	R.snap_version = 1;
	tr_publish(&R);
	ck_assert_int_eq(tuf_client_refresh(c, TR_NOW - 365 * day, err,
	    sizeof(err)), TUF_ERR);
	ck_err_has("timestamp version 2: rolled back from version 4");
	tuf_client_free(c);
}
END_TEST

START_TEST(test_expired_root)
{
	struct tr_key	*k[1] = { &R.rk };

	json_object_set_new(R.root, "version", json_integer(2));
	json_object_set_new(R.root, "expires", json_string(
	    "2025-06-01T00:00:00Z"));
	tr_publish_root(&R, k, 1);
	tr_publish(&R);
	refresh_fails("root version 2 expired");
}
END_TEST

START_TEST(test_bad_signature)
{
	struct tr_key	tmp;

	/* timestamp signed by the snapshot key */
	tmp = R.tk;
	R.tk = R.sk;
	tr_publish(&R);
	R.tk = tmp;
	refresh_fails("timestamp version 1: 0 of 1 required signatures");
}
END_TEST

START_TEST(test_threshold_client)
{
	/* targets threshold 2 with one key */
	struct tr_key	*k[1] = { &R.rk };

	json_object_set_new(json_object_get(json_object_get(R.root, "roles"),
	    "targets"), "threshold", json_integer(2));
	json_object_set_new(R.root, "version", json_integer(2));
	tr_publish_root(&R, k, 1);
	tr_publish(&R);
	refresh_fails("targets version 1: 1 of 2 required signatures");
}
END_TEST

START_TEST(test_rollback)
{
	struct tuf_client	*c;

	R.ts_version = 5;
	R.snap_version = 2;
	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	R.ts_version = 4;
	tr_publish(&R);
	ck_assert_int_eq(refresh(c), TUF_ERR);
	ck_err_has("timestamp version 4: rolled back from version 5");
	tuf_client_free(c);
	/* across runs */
	refresh_fails("timestamp version 4: rolled back from version 5");
	/* snapshot version in a newer timestamp */
	R.ts_version = 6;
	R.snap_version = 1;
	tr_publish(&R);
	refresh_fails("timestamp version 6: snapshot version 1 rolled back "
	    "from 2");
}
END_TEST

START_TEST(test_rollback_targets)
{
	struct tuf_client	*c;

	json_object_set_new(R.targets, "version", json_integer(3));
	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	tuf_client_free(c);
	json_object_set_new(R.targets, "version", json_integer(2));
	R.ts_version = 2;
	R.snap_version = 2;
	tr_publish(&R);
	refresh_fails("snapshot version 2: targets.json version 2 rolled back "
	    "from 3");
}
END_TEST

START_TEST(test_wrong_hash_length)
{
	struct tuf_client	*c;
	struct tuf_target	 t;
	struct tuf_buf		 b;
	struct tr_file		*f, *g;
	unsigned char		*copy;
	size_t			 len;

	tr_add_target(&R, NULL, "a.json", "abc");
	tr_publish(&R);
	/* snapshot changed after timestamp was signed */
	f = tr_get(&R.remote, "metadata/snapshot.json");
	len = f->len;
	copy = malloc(len);
	memcpy(copy, f->data, len);
	f->data[f->len - 2] = ' ';
	refresh_fails("snapshot version 1: sha256 hash mismatch");
	f->data[f->len - 1] = ' ';
	tr_put(&R.remote, "metadata/snapshot.json", "{}", 2);
	refresh_fails("snapshot version 1: length is 2 bytes");
	tr_put(&R.remote, "metadata/snapshot.json", copy, len);
	free(copy);
	c = open_ok();
	ck_refresh_ok(c);
	ck_assert_int_eq(tuf_client_target(c, "a.json", &t, err, sizeof(err)),
	    TUF_OK);
	tuf_buf_init(&b, 1 << 20);
	g = tr_get(&R.remote, "targets/a.json");
	g->data[0] = 'x';
	ck_assert_int_eq(tuf_client_fetch_target(c, &t, &b, err, sizeof(err)),
	    TUF_ERR);
	ck_err_has("target \"a.json\" (signed by targets): sha256 hash "
	    "mismatch");
	tr_put(&R.remote, "targets/a.json", "abcd", 4);
	ck_assert_int_eq(tuf_client_fetch_target(c, &t, &b, err, sizeof(err)),
	    TUF_ERR);
	ck_err_has("more than 3 bytes");
	tuf_buf_free(&b);
	tuf_target_clear(&t);
	tuf_client_free(c);
}
END_TEST

START_TEST(test_oversize)
{
	struct tuf_client_config	 cfg;
	struct tuf_client		*c;

	tr_publish(&R);
	tuf_client_config_default(&cfg);
	cfg.timestamp_max = 100;
	c = open_cfg(&cfg);
	ck_assert_int_eq(refresh(c), TUF_ERR);
	ck_err_has("fetching timestamp.json: more than 100 bytes");
	tuf_client_free(c);
}
END_TEST

START_TEST(test_spec_version_client)
{
	struct tr_key	*k[1] = { &R.rk };

	json_object_set_new(R.root, "version", json_integer(2));
	json_object_set_new(R.root, "spec_version", json_string("2.0.0"));
	tr_publish_root(&R, k, 1);
	tr_publish(&R);
	refresh_fails("root version 2: unsupported spec_version \"2.0.0\"");
}
END_TEST

START_TEST(test_persist_failure)
{
	tr_publish(&R);
	R.fail_store = 1;
	refresh_fails("storing timestamp.json: disk full");
}
END_TEST

START_TEST(test_bootstrap_refused)
{
	struct tuf_client_config	 cfg;

	tuf_client_config_default(&cfg);
	R.root1[R.root1len - 5] ^= 1;	/* inside the signature */
	ck_assert_ptr_null(tuf_client_open(&cfg, &tr_io, &R, R.root1,
	    R.root1len, err, sizeof(err)));
	ck_err_has("bootstrap root");
}
END_TEST

/* --- one-request polling --------------------------------------------------------- */

static int
refresh_ts(struct tuf_client *c, int *changed)
{
	struct tr_file	*f = tr_get(&R.remote, "metadata/timestamp.json");

	ck_assert_ptr_nonnull(f);
	return tuf_client_refresh_timestamp(c, TR_NOW, f->data, f->len,
	    changed, err, sizeof(err));
}

static int
count_target(void *arg, const char *path, json_t *custom)
{
	(*(int *)arg)++;
	ck_assert(strncmp(path, "lockstat/", 9) == 0);
	return custom != NULL && json_object_get(custom, "stop") != NULL;
}

START_TEST(test_conditional)
{
	struct tuf_client	*c;
	struct tuf_target	 t;
	int			 changed, n = 0;

	tr_add_target(&R, NULL, "lockstat/a.json", "{}");
	tr_add_target(&R, NULL, "lockstat/b.json", "{}");
	tr_publish(&R);
	c = open_ok();
	/* no trusted metadata yet: a 304 cannot be believed */
	ck_assert_int_eq(tuf_client_refresh_unchanged(c, TR_NOW, err,
	    sizeof(err)), TUF_NOTFOUND);
	ck_assert_int_eq(tuf_client_list_targets(c, count_target, &n, err,
	    sizeof(err)), TUF_ERR);
	/* new: the whole workflow, root first, without timestamp.json */
	R.log[0] = '\0';
	ck_assert_msg(refresh_ts(c, &changed) == TUF_OK, "%s", err);
	ck_assert_int_eq(changed, 1);
	ck_assert_str_eq(R.log, "2.root.json\nsnapshot.json\ntargets.json\n");
	/* the same timestamp again: nothing fetched, lookups work */
	R.nfetch = 0;
	ck_assert_msg(refresh_ts(c, &changed) == TUF_OK, "%s", err);
	ck_assert_int_eq(changed, 0);
	ck_assert_uint_eq(R.nfetch, 0);
	ck_assert_int_eq(tuf_client_target(c, "lockstat/a.json", &t, err,
	    sizeof(err)), TUF_OK);
	tuf_target_clear(&t);
	ck_assert_int_eq(tuf_client_list_targets(c, count_target, &n, err,
	    sizeof(err)), TUF_OK);
	ck_assert_int_eq(n, 2);
	/* a 304 after a restart: the stored metadata is enough */
	tuf_client_free(c);
	c = open_ok();
	ck_assert_msg(tuf_client_refresh_unchanged(c, TR_NOW, err,
	    sizeof(err)) == TUF_OK, "%s", err);
	ck_assert_uint_eq(R.nfetch, 0);
	ck_assert_int_eq(tuf_client_target(c, "lockstat/b.json", &t, err,
	    sizeof(err)), TUF_OK);
	tuf_target_clear(&t);
	/* ... unless it has expired since */
	ck_assert_int_eq(tuf_client_refresh_unchanged(c, TR_NOW + 40 * TR_DAY,
	    err, sizeof(err)), TUF_ERR);
	ck_err_has("expired");
	ck_assert_int_eq(tuf_client_target(c, "lockstat/b.json", &t, err,
	    sizeof(err)), TUF_ERR);
	/* a new timestamp: root first again, then what changed */
	tr_add_target(&R, NULL, "lockstat/c.json", "{\"stop\": 1}");
	json_object_set_new(json_object_get(json_object_get(R.targets,
	    "targets"), "lockstat/c.json"), "custom", json_pack("{s:i}",
	    "stop", 1));
	json_object_set_new(R.targets, "version", json_integer(2));
	R.ts_version = 2;
	R.snap_version = 2;
	tr_publish(&R);
	R.log[0] = '\0';
	ck_assert_msg(refresh_ts(c, &changed) == TUF_OK, "%s", err);
	ck_assert_int_eq(changed, 1);
	ck_assert_str_eq(R.log, "2.root.json\nsnapshot.json\ntargets.json\n");
	n = 0;
	ck_assert_int_eq(tuf_client_list_targets(c, count_target, &n, err,
	    sizeof(err)), 1);
	ck_assert_int_le(n, 3);
	tuf_client_free(c);
}
END_TEST

START_TEST(test_conditional_bad)
{
	struct tuf_client	*c;
	struct tr_file		*f;
	struct tuf_client_info	 info;
	int			 changed;

	R.ts_version = 3;
	tr_publish(&R);
	c = open_ok();
	ck_assert_msg(refresh_ts(c, &changed) == TUF_OK, "%s", err);
	tuf_client_info(c, &info);
	ck_assert_int_eq(info.root_version, 1);
	ck_assert_int_eq(info.timestamp_version, 3);
	ck_assert_int_eq(info.snapshot_version, 1);
	ck_assert_int_eq(info.targets_version, 1);
	ck_assert_int_eq(info.timestamp_expires, TR_NOW + 30 * TR_DAY);
	/* a tampered copy of the same version is not "unchanged" */
	f = tr_get(&R.remote, "metadata/timestamp.json");
	f->data[f->len - 5] ^= 1;
	ck_assert_int_eq(refresh_ts(c, &changed), TUF_ERR);
	ck_assert_int_eq(changed, 1);
	ck_err_has("timestamp");
	/* garbage */
	ck_assert_int_eq(tuf_client_refresh_timestamp(c, TR_NOW, "<html>", 6,
	    &changed, err, sizeof(err)), TUF_ERR);
	ck_assert_int_eq(changed, 1);
	/* rolled back */
	R.ts_version = 2;
	tr_publish(&R);
	ck_assert_int_eq(refresh_ts(c, &changed), TUF_ERR);
	ck_err_has("timestamp version 2: rolled back from version 3");
	tuf_client_info(c, &info);
	ck_assert_int_eq(info.timestamp_version, 3);
	tuf_client_free(c);
}
END_TEST

/* --- root rotation ---------------------------------------------------------------- */

/* Root VERSION gives ROLE the one key NEWKEY, signed by SIGN. */
static void
rotate_role_key(const char *role, int64_t version, struct tr_key *newkey,
    struct tr_key *const *sign, size_t n)
{
	json_t	*keys = json_object_get(R.root, "keys");

	json_object_set_new(keys, newkey->keyid, tr_keyobj(newkey));
	json_object_set_new(json_object_get(R.root, "roles"), role,
	    json_pack("{s:[s], s:i}", "keyids", newkey->keyid, "threshold", 1));
	json_object_set_new(R.root, "version", json_integer(version));
	tr_publish_root(&R, sign, n);
}

static void
rotate_root(int64_t version, struct tr_key *newkey, struct tr_key *const *sign,
    size_t n)
{
	rotate_role_key("root", version, newkey, sign, n);
}

START_TEST(test_root_rotation)
{
	struct tr_key		 k2, k3;
	struct tr_key		*s2[2] = { &R.rk, &k2 }, *s3[2] = { &k2, &k3 };
	struct tuf_client	*c;
	struct tr_file		*f;

	tr_key_new(&k2);
	tr_key_new(&k3);
	rotate_root(2, &k2, s2, 2);
	rotate_root(3, &k3, s3, 2);
	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	ck_assert_int_eq(tuf_client_root_version(c), 3);
	tuf_client_free(c);
	ck_assert_ptr_nonnull(tr_get(&R.local, "root@2.json"));
	ck_assert_ptr_nonnull(tr_get(&R.local, "root@3.json"));
	ck_assert_ptr_nonnull(tr_get(&R.local, "root.json"));
	/* the next start re-verifies the stored chain */
	c = open_ok();
	ck_assert_int_eq(tuf_client_root_version(c), 3);
	tuf_client_free(c);
	/* a tampered cache does not pin trust: the walk stops there */
	f = tr_get(&R.local, "root@3.json");
	f->data[f->len - 5] ^= 1;
	c = open_ok();
	ck_assert_int_eq(tuf_client_root_version(c), 2);
	ck_refresh_ok(c);
	ck_assert_int_eq(tuf_client_root_version(c), 3);
	tuf_client_free(c);
	/* the bootstrap root alone stops at version 1 */
	f = tr_get(&R.local, "root@2.json");
	f->data[f->len - 5] ^= 1;
	c = open_ok();
	ck_assert_int_eq(tuf_client_root_version(c), 1);
	tuf_client_free(c);
}
END_TEST

START_TEST(test_root_rotation_missing)
{
	struct tr_key		 k2, k3;
	struct tr_key		*s2[2] = { &R.rk, &k2 }, *s3[2] = { &k2, &k3 };
	struct tuf_client	*c;

	tr_key_new(&k2);
	tr_key_new(&k3);
	rotate_root(2, &k2, s2, 2);
	rotate_root(3, &k3, s3, 2);
	tr_publish(&R);
	tr_del(&R.remote, "metadata/2.root.json");
	c = open_ok();
	ck_refresh_ok(c);	/* 404 for version 2 is the normal end */
	ck_assert_int_eq(tuf_client_root_version(c), 1);
	ck_assert_ptr_null(strstr(R.log, "3.root.json"));
	tuf_client_free(c);
}
END_TEST

START_TEST(test_root_rotation_unsigned)
{
	struct tr_key	 k2;
	struct tr_key	*onlynew[1] = { &k2 }, *onlyold[1] = { &R.rk };

	tr_key_new(&k2);
	tr_publish(&R);
	rotate_root(2, &k2, onlynew, 1);
	refresh_fails("not signed by the trusted root version 1: root version "
	    "2: 0 of 1 required signatures by the keys root lists for role "
	    "root");
	rotate_root(2, &k2, onlyold, 1);
	refresh_fails("not signed by its own root keys");
}
END_TEST

START_TEST(test_root_wrong_version)
{
	struct tr_key	*k[1] = { &R.rk };
	struct tr_file	*f;

	tr_publish(&R);
	json_object_set_new(R.root, "version", json_integer(3));
	tr_publish_root(&R, k, 1);
	f = tr_get(&R.remote, "metadata/3.root.json");
	tr_put(&R.remote, "metadata/2.root.json", f->data, f->len);
	refresh_fails("version 3 where version 2 was requested");
}
END_TEST

/*
 * A new root that raises the snapshot threshold without rotating keys:
 * the stored snapshot no longer verifies and is not trusted, but its file
 * (and the timestamp's) stays, as tuf-conformance's
 * test_root_has_keys_but_not_snapshot expects; a rotated timestamp key
 * deletes both (5.3.11).
 */
/* Stored files that do not parse or verify are reported, then refetched. */
START_TEST(test_untrusted_reported)
{
	struct tuf_client	*c;
	struct tuf_target	 t;
	struct tr_file		*f;
	json_t			*a;

	tr_delegate(R.targets, &R.dk, "A", "lockstat/*", 0);
	a = tr_add_role(&R, "A");
	tr_add_target(&R, a, "lockstat/a.json", "a");
	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	ck_assert_msg(tuf_client_target(c, "lockstat/a.json", &t, err,
	    sizeof(err)) == TUF_OK, "%s", err);
	tuf_target_clear(&t);
	tuf_client_free(c);
	ck_assert_str_eq(R.untrusted, "");
	ck_assert_ptr_nonnull(f = tr_get(&R.local, "snapshot.json"));
	f->len /= 2;
	ck_assert_ptr_nonnull(f = tr_get(&R.local, "A.json"));
	f->data[0] = (unsigned char)'[';
	c = open_ok();
	ck_assert_ptr_nonnull(strstr(R.untrusted, "snapshot.json: "));
	ck_assert_ptr_null(strstr(R.untrusted, "A.json"));
	ck_refresh_ok(c);
	ck_assert_msg(tuf_client_target(c, "lockstat/a.json", &t, err,
	    sizeof(err)) == TUF_OK, "%s", err);
	ck_assert_str_eq(t.role, "A");
	tuf_target_clear(&t);
	ck_assert_ptr_nonnull(strstr(R.untrusted, "\nA.json: "));
	tuf_client_free(c);
}
END_TEST

START_TEST(test_threshold_raised)
{
	struct tr_key		 tk2;
	struct tr_key		*k[1] = { &R.rk };
	struct tuf_client	*c;
	json_t			*roles = json_object_get(R.root, "roles");

	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	tuf_client_free(c);
	json_object_set_new(json_object_get(roles, "snapshot"), "threshold",
	    json_integer(2));
	json_object_set_new(R.root, "version", json_integer(2));
	tr_publish_root(&R, k, 1);
	refresh_fails("1 of 2 required signatures");
	ck_assert_ptr_nonnull(tr_get(&R.local, "snapshot.json"));
	ck_assert_ptr_nonnull(tr_get(&R.local, "timestamp.json"));
	ck_assert_ptr_nonnull(tr_get(&R.local, "targets.json"));
	/* A stored snapshot that no longer verifies is not trusted. */
	c = open_ok();
	ck_assert_int_eq(refresh(c), TUF_ERR);
	ck_err_has("snapshot");
	tuf_client_free(c);

	tr_key_new(&tk2);
	json_object_set_new(json_object_get(R.root, "keys"), tk2.keyid,
	    tr_keyobj(&tk2));
	json_object_set_new(roles, "timestamp", json_pack("{s:[s], s:i}",
	    "keyids", tk2.keyid, "threshold", 1));
	json_object_set_new(R.root, "version", json_integer(3));
	tr_publish_root(&R, k, 1);
	R.tk = tk2;
	R.ts_version = 2;
	tr_publish(&R);
	refresh_fails("1 of 2 required signatures");
	ck_assert_ptr_null(tr_get(&R.local, "snapshot.json"));
	ck_assert_ptr_nonnull(tr_get(&R.local, "timestamp.json"));
}
END_TEST

START_TEST(test_fast_forward_recovery)
{
	struct tr_key		 tk2, sk2;
	struct tr_key		*k[1] = { &R.rk };
	struct tuf_client	*c;

	/* An attacker with the timestamp key pushed version 1000. */
	R.ts_version = 1000;
	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	tuf_client_free(c);
	R.ts_version = 1;
	tr_publish(&R);
	refresh_fails("rolled back from version 1000");
	/* The repository rotates the timestamp key: recovery. */
	tr_key_new(&tk2);
	rotate_role_key("timestamp", 2, &tk2, k, 1);
	R.tk = tk2;
	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	tuf_client_free(c);

	/* The same for snapshot: version 1000 pinned by the snapshot key. */
	R.ts_version = 2;
	R.snap_version = 1000;
	json_object_set_new(R.targets, "version", json_integer(1000));
	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	tuf_client_free(c);
	R.ts_version = 3;
	R.snap_version = 1;
	json_object_set_new(R.targets, "version", json_integer(1));
	tr_publish(&R);
	refresh_fails("rolled back");
	tr_key_new(&sk2);
	rotate_role_key("snapshot", 3, &sk2, k, 1);
	R.sk = sk2;
	tr_publish(&R);
	/* snapshot keys rotated: trusted timestamp and snapshot forgotten */
	c = open_ok();
	ck_refresh_ok(c);
	ck_assert_int_eq(tuf_client_root_version(c), 3);
	tuf_client_free(c);
	/* and once more for the timestamp key */
	R.ts_version = 1;
	tr_key_new(&tk2);
	rotate_role_key("timestamp", 4, &tk2, k, 1);
	R.tk = tk2;
	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	ck_assert_int_eq(tuf_client_root_version(c), 4);
	tuf_client_free(c);
}
END_TEST

/* --- delegations -------------------------------------------------------------------- */

static int
lookup(const char *path, struct tuf_target *t)
{
	struct tuf_client	*c = open_ok();
	int			 rc;

	ck_refresh_ok(c);
	rc = tuf_client_target(c, path, t, err, sizeof(err));
	tuf_client_free(c);
	return rc;
}

START_TEST(test_delegation)
{
	struct tuf_target	 t;
	json_t			*d;

	tr_delegate(R.targets, &R.dk, "lockstat-role", "lockstat/*", 0);
	d = tr_add_role(&R, "lockstat-role");
	tr_add_target(&R, d, "lockstat/a.json", "a");
	tr_add_target(&R, d, "lockstat/sub/b.json", "b");
	tr_add_target(&R, d, "other/c.json", "c");
	tr_publish(&R);
	ck_assert_msg(lookup("lockstat/a.json", &t) == TUF_OK, "%s", err);
	ck_assert_str_eq(t.role, "lockstat-role");
	tuf_target_clear(&t);
	ck_assert_ptr_nonnull(tr_get(&R.local, "lockstat-role.json"));
	/* '*' does not cross '/' */
	ck_assert_int_eq(lookup("lockstat/sub/b.json", &t), TUF_NOTFOUND);
	/* not delegated that path: the role's entry is ignored */
	ck_assert_int_eq(lookup("other/c.json", &t), TUF_NOTFOUND);
	ck_err_has("target \"other/c.json\" not found (1 roles searched)");
}
END_TEST

START_TEST(test_delegation_bad_key)
{
	struct tuf_target	 t;
	struct tr_key		 tmp;
	json_t			*d;

	tr_delegate(R.targets, &R.dk, "r", "*", 0);
	d = tr_add_role(&R, "r");
	tr_add_target(&R, d, "a.json", "a");
	tmp = R.dk;
	R.dk = R.gk;		/* signed by the wrong key */
	tr_publish(&R);
	R.dk = tmp;
	ck_assert_int_eq(lookup("a.json", &t), TUF_ERR);
	ck_err_has("r version 1: 0 of 1 required signatures by the keys "
	    "targets lists");
}
END_TEST

START_TEST(test_terminating)
{
	struct tuf_target	 t;
	json_t			*b;

	tr_delegate(R.targets, &R.dk, "A", "*", 1);
	tr_delegate(R.targets, &R.dk, "B", "*", 0);
	tr_add_role(&R, "A");
	b = tr_add_role(&R, "B");
	tr_add_target(&R, b, "x.json", "x");
	tr_publish(&R);
	ck_assert_int_eq(lookup("x.json", &t), TUF_NOTFOUND);
	/* A not terminating: the search goes on to B */
	json_object_set_new(json_array_get(json_object_get(json_object_get(
	    R.targets, "delegations"), "roles"), 0), "terminating",
	    json_false());
	json_object_set_new(R.targets, "version", json_integer(2));
	R.ts_version = 2;
	R.snap_version = 2;
	tr_publish(&R);
	ck_assert_msg(lookup("x.json", &t) == TUF_OK, "%s", err);
	ck_assert_str_eq(t.role, "B");
	tuf_target_clear(&t);
}
END_TEST

static int
collect_path(void *arg, const char *path, json_t *custom)
{
	char	*out = arg;

	(void)custom;
	strcat(out, path);
	strcat(out, "\n");
	return 0;
}

START_TEST(test_list_delegated)
{
	struct tuf_client_config	 cfg;
	struct tuf_client		*c;
	json_t				*a, *b;
	char				 paths[512];

	/* A is terminating for lockstat paths: B is never searched for them */
	tr_add_target(&R, NULL, "lockstat/top.json", "top");
	tr_delegate(R.targets, &R.dk, "A", "lockstat/*", 1);
	tr_delegate(R.targets, &R.dk, "B", "lockstat/*", 0);
	a = tr_add_role(&R, "A");
	b = tr_add_role(&R, "B");
	tr_add_target(&R, a, "lockstat/a.json", "a");
	tr_add_target(&R, a, "netd/not-delegated.json", "n");
	tr_add_target(&R, b, "lockstat/b.json", "b");
	tr_add_target(&R, b, "lockstat/a.json", "b's a: the search finds A's");
	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	paths[0] = '\0';
	ck_assert_msg(tuf_client_list_targets(c, collect_path, paths, err,
	    sizeof(err)) == TUF_OK, "%s", err);
	ck_assert_str_eq(paths, "lockstat/top.json\nlockstat/a.json\n");
	tuf_client_free(c);
	/* more roles than the listing may load */
	tuf_client_config_default(&cfg);
	cfg.max_list_roles = 1;
	c = open_cfg(&cfg);
	ck_refresh_ok(c);
	paths[0] = '\0';
	ck_assert_int_eq(tuf_client_list_targets(c, collect_path, paths, err,
	    sizeof(err)), TUF_ERR);
	ck_err_has("more than 1 delegated roles (B not visited)");
	tuf_client_free(c);
	/* a delegated role that does not verify fails the listing */
	json_object_set_new(b, "version", json_integer(2));
	json_object_del(json_object_get(json_object_get(R.targets,
	    "delegations"), "keys"), R.dk.keyid);
	json_object_set_new(R.targets, "version", json_integer(2));
	R.ts_version = 2;
	R.snap_version = 2;
	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	ck_assert_int_eq(tuf_client_list_targets(c, collect_path, paths, err,
	    sizeof(err)), TUF_ERR);
	ck_err_has("required signatures");
	tuf_client_free(c);
}
END_TEST

START_TEST(test_preorder)
{
	struct tuf_target	 t;
	json_t			*a, *b, *a1;

	/* targets -> A -> A1 (has x), targets -> B (has x): A1 wins */
	tr_delegate(R.targets, &R.dk, "A", "*", 0);
	tr_delegate(R.targets, &R.dk, "B", "*", 0);
	a = tr_add_role(&R, "A");
	b = tr_add_role(&R, "B");
	tr_delegate(a, &R.dk, "A1", "*", 0);
	a1 = tr_add_role(&R, "A1");
	tr_add_target(&R, a1, "x.json", "from A1");
	tr_add_target(&R, b, "x.json", "from B");
	tr_publish(&R);
	ck_assert_msg(lookup("x.json", &t) == TUF_OK, "%s", err);
	ck_assert_str_eq(t.role, "A1");
	ck_assert_int_eq(t.length, 7);
	tuf_target_clear(&t);
}
END_TEST

START_TEST(test_depth_limit)
{
	struct tuf_client_config	 cfg;
	struct tuf_client		*c;
	struct tuf_target		 t;
	json_t				*parent = R.targets, *d;
	char				 name[16];
	int				 i;

	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		tr_delegate(parent, &R.dk, name, "*", 0);
		d = tr_add_role(&R, name);
		parent = d;
	}
	/* a cycle back to r0 must not loop */
	tr_delegate(parent, &R.dk, "r0", "*", 0);
	tr_add_target(&R, parent, "deep.json", "deep");
	tr_publish(&R);
	ck_assert_msg(lookup("deep.json", &t) == TUF_OK, "%s", err);
	ck_assert_str_eq(t.role, "r11");
	tuf_target_clear(&t);
	ck_assert_int_eq(lookup("absent.json", &t), TUF_NOTFOUND);
	tuf_client_config_default(&cfg);
	cfg.max_depth = 8;
	c = open_cfg(&cfg);
	ck_refresh_ok(c);
	ck_assert_int_eq(tuf_client_target(c, "deep.json", &t, err,
	    sizeof(err)), TUF_NOTFOUND);
	tuf_client_free(c);
	cfg.max_depth = 16;
	cfg.max_delegations = 5;
	c = open_cfg(&cfg);
	ck_refresh_ok(c);
	ck_assert_int_eq(tuf_client_target(c, "deep.json", &t, err,
	    sizeof(err)), TUF_NOTFOUND);
	ck_err_has("delegation limit reached");
	tuf_client_free(c);
}
END_TEST

/* targets delegates every path to 2^bits hash bins, signed by dk */
static void
delegate_bins(struct tuf_succinct *sr, int bits, const char *prefix)
{
	json_object_set_new(R.targets, "delegations", json_pack("{s:{s:o}, "
	    "s:{s:[s], s:i, s:i, s:s}}", "keys", R.dk.keyid, tr_keyobj(&R.dk),
	    "succinct_roles", "keyids", R.dk.keyid, "threshold", 1,
	    "bit_length", bits, "name_prefix", prefix));
	memset(sr, 0, sizeof(*sr));
	sr->bit_length = (unsigned)bits;
	sr->name_prefix = prefix;
}

START_TEST(test_hash_bins)
{
	struct tuf_succinct	 sr;
	struct tuf_target	 t;
	json_t			*d;
	char			 bin[64];
	static const char	*paths[] = { "lockstat/a.json", "lockstat/b.json",
				    "x/y/z.json" };
	size_t			 i;

	delegate_bins(&sr, 5, "lockstat-bins");
	for (i = 0; i < 3; i++) {
		tuf_succinct_bin(&sr, paths[i], bin, sizeof(bin));
		d = tr_add_role(&R, bin);
		tr_add_target(&R, d, paths[i], paths[i]);
	}
	tr_publish(&R);
	for (i = 0; i < 3; i++) {
		tuf_succinct_bin(&sr, paths[i], bin, sizeof(bin));
		ck_assert_msg(lookup(paths[i], &t) == TUF_OK, "%s", err);
		ck_assert_str_eq(t.role, bin);
		tuf_target_clear(&t);
	}
	/* a path whose bin is not listed in snapshot */
	ck_assert_int_eq(lookup("lockstat/zzz.json", &t), TUF_ERR);
	ck_err_has("does not list lockstat-bins-");
}
END_TEST

START_TEST(test_list_hash_bins)
{
	struct tuf_client_config	 cfg;
	struct tuf_client		*c;
	struct tuf_succinct		 sr;
	json_t				*d[8];
	char				 bin[64], paths[512];
	static const char		*targets[] = { "lockstat/a.json",
					    "lockstat/b.json", "x/y/z.json" };
	size_t				 i;

	delegate_bins(&sr, 3, "bins");
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(tuf_succinct_bin_name(&sr, (uint32_t)i, bin,
		    sizeof(bin)), TUF_OK);
		d[i] = tr_add_role(&R, bin);
	}
	for (i = 0; i < 3; i++) {
		tuf_succinct_bin(&sr, targets[i], bin, sizeof(bin));
		tr_add_target(&R, d[strtoul(bin + 5, NULL, 16)], targets[i],
		    targets[i]);
	}
	tr_publish(&R);
	c = open_ok();
	ck_refresh_ok(c);
	paths[0] = '\0';
	ck_assert_msg(tuf_client_list_targets(c, collect_path, paths, err,
	    sizeof(err)) == TUF_OK, "%s", err);
	for (i = 0; i < 3; i++)
		ck_assert_msg(strstr(paths, targets[i]) != NULL, "%s not "
		    "listed: %s", targets[i], paths);
	ck_assert_uint_eq(strlen(paths), strlen("lockstat/a.json\n") * 2 +
	    strlen("x/y/z.json\n"));
	tuf_client_free(c);
	/* more bins than a listing reads: refused before any is read */
	tuf_client_config_default(&cfg);
	cfg.max_list_roles = 4;
	c = open_cfg(&cfg);
	ck_refresh_ok(c);
	ck_assert_int_eq(tuf_client_list_targets(c, collect_path, paths, err,
	    sizeof(err)), TUF_ERR);
	ck_err_has("8 hash bins, more than the 4 delegated roles");
	tuf_client_free(c);
}
END_TEST

START_TEST(test_role_names)
{
	static const char	*names[] = { "a/b", "../evil", "%2F", "x?y#z",
				    "..", "root@2" };
	static const char	*files[] = { "a%2Fb.json", "%2E.%2Fevil.json",
				    "%252F.json", "x%3Fy%23z.json", "%2E..json",
				    "root%402.json" };
	/* requested as urllib.parse.quote(name, "") writes them */
	static const char	*urls[] = { "a%2Fb.json", "..%2Fevil.json",
				    "%252F.json", "x%3Fy%23z.json", "...json",
				    "root%402.json" };
	struct tuf_target	 t;
	json_t			*d;
	char			 path[32];
	size_t			 i;

	for (i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "t%zu.json", i);
		tr_delegate(R.targets, &R.dk, names[i], path, 0);
		d = tr_add_role(&R, names[i]);
		tr_add_target(&R, d, path, names[i]);
	}
	tr_publish(&R);
	for (i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "t%zu.json", i);
		ck_assert_msg(lookup(path, &t) == TUF_OK, "%s: %s", names[i],
		    err);
		tuf_target_clear(&t);
		ck_assert_msg(tr_get(&R.local, files[i]) != NULL, "no %s",
		    files[i]);
		ck_assert_msg(strstr(R.log, urls[i]) != NULL, "not fetched: "
		    "%s in %s", urls[i], R.log);
	}
	for (i = 0; i < R.local.n; i++)
		ck_assert_ptr_null(strchr(R.local.f[i].name, '/'));
}
END_TEST

START_TEST(test_reserved_role_name)
{
	tr_delegate(R.targets, &R.dk, "timestamp", "*", 0);
	tr_publish(&R);
	refresh_fails("top-level role names are reserved");
}
END_TEST

static Suite *
tuf_client_suite(void)
{
	Suite	*s = suite_create("tuf_client");
	TCase	*tc;

	tc = tcase_create("metadata");
	tcase_add_test(tc, test_time);
	tcase_add_test(tc, test_spec_version);
	tcase_add_test(tc, test_envelope);
	tcase_add_test(tc, test_threshold);
	tcase_add_test(tc, test_duplicate_keyids);
	tcase_add_test(tc, test_malformed_keys);
	tcase_add_test(tc, test_targets_fields);
	tcase_add_test(tc, test_delegation_fields);
	tcase_add_test(tc, test_path_match);
	tcase_add_test(tc, test_succinct);
	tcase_add_test(tc, test_pct_encode);
	tcase_add_test(tc, test_check_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("client");
	tcase_add_checked_fixture(tc, setup_plain, teardown);
	tcase_add_test(tc, test_good_repository);
	tcase_add_test(tc, test_lookup_before_refresh);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_clock_jumps);
	tcase_add_test(tc, test_expired_root);
	tcase_add_test(tc, test_bad_signature);
	tcase_add_test(tc, test_threshold_client);
	tcase_add_test(tc, test_rollback);
	tcase_add_test(tc, test_rollback_targets);
	tcase_add_test(tc, test_wrong_hash_length);
	tcase_add_test(tc, test_oversize);
	tcase_add_test(tc, test_spec_version_client);
	tcase_add_test(tc, test_persist_failure);
	tcase_add_test(tc, test_bootstrap_refused);
	tcase_add_test(tc, test_conditional);
	tcase_add_test(tc, test_conditional_bad);
	tcase_add_test(tc, test_root_rotation);
	tcase_add_test(tc, test_root_rotation_missing);
	tcase_add_test(tc, test_root_rotation_unsigned);
	tcase_add_test(tc, test_root_wrong_version);
	tcase_add_test(tc, test_fast_forward_recovery);
	tcase_add_test(tc, test_threshold_raised);
	tcase_add_test(tc, test_delegation);
	tcase_add_test(tc, test_delegation_bad_key);
	tcase_add_test(tc, test_terminating);
	tcase_add_test(tc, test_list_delegated);
	tcase_add_test(tc, test_untrusted_reported);
	tcase_add_test(tc, test_preorder);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_hash_bins);
	tcase_add_test(tc, test_list_hash_bins);
	tcase_add_test(tc, test_role_names);
	tcase_add_test(tc, test_reserved_role_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("consistent");
	tcase_add_checked_fixture(tc, setup_consistent, teardown);
	tcase_add_test(tc, test_consistent_snapshot);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int	 failed;

	failed = test_run_suite(tuf_client_suite());
	return failed;
}
