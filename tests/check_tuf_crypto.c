/*
 * Unit tests of the TUF library's foundation: JSON loading, canonical JSON,
 * key parsing, key ids and signature verification.  The key and signature
 * vectors below were made with python3-securesystemslib 0.26.0 and the
 * OpenSSL 3 command line (tests/tuf_interop.sh checks fresh ones at every
 * run).  Standalone: exit 0 when every test passes, 1 otherwise.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <sodium.h>

#include "canonical_json.h"
#include "json.h"
#include "keys.h"
#include "tuf_util.h"
#include "testutil.h"

/* Generated with python3-securesystemslib 0.26.0 (Debian 12). */
static const char vec_msg[] =
    "{\"_type\":\"root\",\"n\":\"caf\303\251\n"
    "\\\"x\\\"\",\"version\":1}";

static const char vec_ed25519_key[] =
    "{\"keytype\": \"ed25519\", \"scheme\": \"ed25519\", \"keyval\": {\""
    "public\": \"7d8e1fbc8bffc4e28b01602afa6badfc78a13642cde1770e9481620"
    "edb2a5022\"}}";
static const char vec_ed25519_keyid_legacy[] =
    "cc155e453ae765979d13b65663ca79e6cc2589b8e0d2370d20b3288f4bb46eb6";
static const char vec_ed25519_keyid[] =
    "e1bce6c5038ea695763738b43c4ff38c136f12e438890dc674e41620011f71e5";
static const char vec_ed25519_sig[] =
    "4678902ab238f0ec62e7a5fa387f0f3ceda531e640dcdb78c6f7163d261d1773"
    "32f340a5eb98752e4d0578dd765ffc134155f0704e10bb845d331ede7e7d6408";

static const char vec_ecdsa_key[] =
    "{\"keytype\": \"ecdsa\", \"scheme\": \"ecdsa-sha2-nistp256\", \"key"
    "val\": {\"public\": \"-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0C"
    "AQYIKoZIzj0DAQcDQgAEHpWJyd2hhRnFzC33OxGns+1t4ME7\\n4Rh196cxREouWrxn"
    "FTBib19O8U5i4Q3cM98H0SuHXm4Yuv2a5nvNasyj9Q==\\n-----END PUBLIC KEY-"
    "----\\n\"}}";
static const char vec_ecdsa_keyid_legacy[] =
    "c62c059071973dd4466cc1077c4e10ef3af0a1af855c41b0db7d14ffad423018";
static const char vec_ecdsa_keyid[] =
    "4868d0bbf5f4f0aafa09fa01557cc2092652a6fe25071610ed13db5cd229c6c1";
static const char vec_ecdsa_sig[] =
    "3045022030c1c41b62b425e7eda3ebbd7c4bfdafcbcaa2108a3d819ee7918b8a"
    "d6e315eb022100e06fab00fc169e02acb02364a0896a797c5f3d2eea69ce91bf"
    "1f73059f718e8a";

static const char vec_rsa_pss_key[] =
    "{\"keytype\": \"rsa\", \"scheme\": \"rsassa-pss-sha256\", \"keyval\""
    ": {\"public\": \"-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkqhkiG9w0BA"
    "QEFAAOCAQ8AMIIBCgKCAQEAq/oUB98bsy0khCXp7M0T\\ntqSZmQxi8o9N3AqrBCMZH"
    "N1hUT7N43Q9WnVQI4ui37CCCArHE7LPKOH4YkJYmm0L\\n4w5St21OAW+YqkYPtpU+e"
    "us4ejdj/MaOSwgvykEJthtRPlqvxAY0dt29lEjBOhRr\\nVObKL8lW5kLzp4xnqzQ3v"
    "IwDlcdkl9Ze/3D7+4bxMCiDe3y4kcO27ANBQ69dhXHj\\n7GXk7GrvKgfRuZxRRYXRF"
    "01gTcledlgmF/XBjnGVLfnJvIz33aGoTWLGT6MsyD6l\\ndF3EE1HbAa8I9yVdRy1zL"
    "yL9ZvoTJ7TMVVgt8atOYEvtTmVONh/eF3SVE1/RMT8/\\nYQIDAQAB\\n-----END P"
    "UBLIC KEY-----\"}}";
static const char vec_rsa_pss_keyid_legacy[] =
    "613743ceebe30b2ac7da07494239751d8be1614f2e1465c30f4b9ed993a51fb4";
static const char vec_rsa_pss_keyid[] =
    "d38d7d4b15603f1838e64ab90d0b5286107e813e1145f452c9af7e87e903ce69";
static const char vec_rsa_pss_sig[] =
    "03679387524753b538b9f2df6c8108a63eaa9d1aca416020fed6b7f1eafbf833"
    "6aff829896b1cd4c8d902c26432172c45de9bca0c9cc05a29ad2a07522ced302"
    "b95c72745b5ad3d5332a948a4db560be966d5c67f3f250bbb702d5514c2b6d27"
    "6ee27ecbb163eb2d7ed4b273f500ecd916c506ff3ba64c7fdc0eaa56533d8321"
    "791520d57cde586d7613e20d3c917dc74527f58879b2a21d6cff0aea135687c5"
    "6bee188dea2c7f1afaebe976bd4c2569d50fe1b2657b3ffc5f5a0a243b722228"
    "f043c772a39fa6a0513faaf47359e9209dd9f1a2846cbfdd10c973b3906ca8bf"
    "48a5adde8de177551c445ca480e4d33a10c49686aaf49d7fe80dd72eefbb1848";

static const char vec_rsa_pkcs1_key[] =
    "{\"keytype\": \"rsa\", \"scheme\": \"rsa-pkcs1v15-sha256\", \"keyva"
    "l\": {\"public\": \"-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkqhkiG9w"
    "0BAQEFAAOCAQ8AMIIBCgKCAQEAoa3WQJBpSm3f+ZyNK6WB\\nFWGdGiLj0oenjUYQst"
    "1xwF2kw+xR20sNm0Ftbb5V6S3SWmvy/EgVBM1cyRoKyiL4\\nbzsElPAN3BXNaVO72j"
    "VcEORH9Nsz3ewKfoxVh8wyHehk/idZk8YoGHngZasTRCQ7\\n64zOvMnKmrrPUCokp0"
    "csue770zU3mmGOA9gSbuE+7wnJiv6AA3DjGaFNRAcncMu8\\nGrhEIhS1KUr1auDyyx"
    "F6Fpd55hppbi2XZGKFDL8Y4vZ+4pV5yfM25E4bdkiAIL84\\n8s5d4y4AkHo8UQNnDc"
    "TnebEt3jDGH9IJb3h6Zrprr8s/V9BCkoqcWRbaOlhsNits\\nNwIDAQAB\\n-----EN"
    "D PUBLIC KEY-----\"}}";
static const char vec_rsa_pkcs1_keyid_legacy[] =
    "1a0f2df0bace60ba2bbe7f3e6f2fe68e8aff48a3f8b271b15709fa835397752f";
static const char vec_rsa_pkcs1_keyid[] =
    "c2e66bf2f1972dcd2237193b98f16575e13de501393a88841aaeacca90af1cfc";
static const char vec_rsa_pkcs1_sig[] =
    "23b8d020a842433b008f7db3c00af356917f49e8cb8f884ae978498b8556dd1b"
    "e8c9831508a6946bd443ebd66bce0cde8842486486fbc75f605bac337ca7f69e"
    "bdade43898cb9fd4212c50c3f154cd8f54c3b90ec90c03f35c703b73edb5545d"
    "244b3e80c7a5456786ddd854dccd6a0dce6046c7de7acb3506f9792afe48a66d"
    "dd5b45afe3cc2e9d06454715be0bad5231116f9ea6b336ee93757728d10ff4e8"
    "1b3a1cebbf8a789c39487e2bc90d6b103f4edb44dd3fd63b4078cc507b952f88"
    "37d6a145ca36e55003a1cda271b2355adc0b1dce75fa6cb8a197df3d09cfb009"
    "b514f1b210ca675468cd05585a46c68536b9dac63c148a9c4b3084231ab948a1";

/* openssl genpkey + pkey -pubout */
static const char vec_p384_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE5QgBl3GY/Dhcs6ETB+AOaWOoLgioNUKw\n"
    "BDvPmryS7PcspDxfC07m6Ara3Qc3K8DyeStYKE3bBm8BBVIXcwUy8NUIMOk7fe3j\n"
    "6daiy57tvYDMZRg5WMOaR9vxBSDXv1Xp\n"
    "-----END PUBLIC KEY-----\n";
static const char vec_rsa1024_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDSjMTIu0E3xKQldMiT7FYI2tbD\n"
    "hJmDcn9Dg3HsPieRkSBu5tqtOgieco++GwFGgvFrvJj4xgRQ47zc3mM6WOg0dPFA\n"
    "2l7kR9SeZ6n3lyn5BnS38hYH60VEW4gfBjgEqNb+v78eeudBmZ0KxOdf4Ubb1KfB\n"
    "XeykrfrN8rrDiZTYvQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
/* PKCS#1 RSAPublicKey: pyca/cryptography and OpenSSL accept it too */
static const char vec_rsa_pkcs1_pem[] =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIIBCgKCAQEAsJCZz6x7b85dfS7dZ2yWRlhsxH5QU7Vef7mZ6wNCl2tjdA+dgvu8\n"
    "tn/ZUfOom3Ck35EOjszZlu+MMRb0aFQsLMoA5biU6IqdbmnGkOPTO+KRVw/CnP9c\n"
    "aCv9zyFNV/SBi6X+YqVzyseQ8J614NS24b4A7PlLtPJvISvdzhQcNw7u93Cm0a+g\n"
    "srVMI2APCictgxllZ4imDmMwYqL4mPXE8DadWECcDK+8uGT29sWtRYrwX8lias7t\n"
    "U55oBMSaNwUCAUQFsh308Q6hG7HdcfZ0VynfSyX4tmX5+4XPHz6rJ2HnJqv4b12y\n"
    "ASPeJyR7VwGBvXs/QroOcvpxOfaJRgpKIQIDAQAB\n"
    "-----END RSA PUBLIC KEY-----\n";

#define ERRLEN	512

#define ck_assert_err(err, want) \
	ck_assert_msg(strstr((err), (want)) != NULL, \
	    "error \"%s\" does not contain \"%s\"", (err), (want))

static json_t *
parse(const char *text)
{
	char	 err[ERRLEN];
	json_t	*v;

	v = tuf_json_loadb(text, strlen(text), 1 << 20, TUF_JSON_ANY, err,
	    sizeof(err));
	ck_assert_msg(v != NULL, "parse %s: %s", text, err);
	return v;
}

/* Canonical form of text, or NULL with the reason in err. */
static char *
canon(const char *text, char *err, size_t errlen)
{
	struct tuf_buf	 out;
	json_t		*v;
	char		*s = NULL;

	v = parse(text);
	tuf_buf_init(&out, 1 << 20);
	if (tuf_canonical_json(v, &out, err, errlen) == TUF_OK)
		s = strdup(out.len ? (char *)out.data : "");
	tuf_buf_free(&out);
	json_decref(v);
	return s;
}

static void
assert_canon(const char *text, const char *want)
{
	char	 err[ERRLEN] = "", *got;

	got = canon(text, err, sizeof(err));
	ck_assert_msg(got != NULL, "canonical %s: %s", text, err);
	ck_assert_str_eq(got, want);
	free(got);
}

/* --- canonical JSON -------------------------------------------------------*/

START_TEST(test_canon_key_order)
{
	assert_canon("{\"b\":1,\"a\":2,\"A\":3,\"aa\":4,\"\":5}",
	    "{\"\":5,\"A\":3,\"a\":2,\"aa\":4,\"b\":1}");
	/* Code point order: U+FFFF sorts before U+1F600 (UTF-16 would not). */
	assert_canon("{\"\\uffff\":1,\"\\ud83d\\ude00\":2,\"\\u00e9\":3,"
	    "\"z\":4,\"Z\":5}",
	    "{\"Z\":5,\"z\":4,\"\303\251\":3,\"\357\277\277\":1,"
	    "\"\360\237\230\200\":2}");
}
END_TEST

START_TEST(test_canon_escapes)
{
	/* Only backslash and quote are escaped; the rest is raw bytes. */
	assert_canon("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0001\\u007f\\u2028\"]",
	    "[\"\\\"\\\\/\b\f\n\r\t\001\177\342\200\250\"]");
	assert_canon("{\"k\\\"ey\\\\\":\"v\"}", "{\"k\\\"ey\\\\\":\"v\"}");
	/* Escaped and raw UTF-8 input give the same bytes. */
	assert_canon("[\"caf\\u00e9\"]", "[\"caf\303\251\"]");
	assert_canon("[\"caf\303\251\"]", "[\"caf\303\251\"]");
}
END_TEST

START_TEST(test_canon_nested)
{
	assert_canon(" { \"b\" : [ { \"d\" : null , \"c\" : true } ] ,\n"
	    "  \"a\" : { \"y\" : false, \"x\" : [ ] }, \"e\": {} }\n",
	    "{\"a\":{\"x\":[],\"y\":false},\"b\":[{\"c\":true,\"d\":null}],"
	    "\"e\":{}}");
	assert_canon("\"x\"", "\"x\"");
	assert_canon("true", "true");
	assert_canon("null", "null");
	assert_canon("[[],{},\"\"]", "[[],{},\"\"]");
}
END_TEST

START_TEST(test_canon_integers)
{
	char	 err[ERRLEN];

	assert_canon("[9223372036854775807,-9223372036854775808,-0,0,"
	    "9007199254740993,42]",
	    "[9223372036854775807,-9223372036854775808,0,0,"
	    "9007199254740993,42]");
	/* Beyond 64 bits: refused by the parser, never rounded. */
	ck_assert_ptr_null(tuf_json_loadb("[9223372036854775808]", 21, 100,
	    0, err, sizeof(err)));
	ck_assert_err(err, "too big");
}
END_TEST

START_TEST(test_canon_floats_refused)
{
	static const char *const floats[] = { "[1.0]", "[1e3]", "[-0.0]",
	    "{\"a\":{\"b\":[1,0.5]}}" };
	char	 err[ERRLEN];
	size_t	 i;

	for (i = 0; i < sizeof(floats) / sizeof(floats[0]); i++) {
		ck_assert_ptr_null(canon(floats[i], err, sizeof(err)));
		ck_assert_err(err, "floating-point");
	}
	ck_assert_err(err, "$.a.b[1]");
}
END_TEST

START_TEST(test_canon_limits)
{
	struct tuf_buf	 out;
	json_t		*v, *inner;
	char		 err[ERRLEN];
	int		 i;

	v = parse("{\"abcdefgh\":\"ijklmnop\"}");
	tuf_buf_init(&out, 10);
	ck_assert_int_eq(tuf_canonical_json(v, &out, err, sizeof(err)),
	    TUF_ERR);
	ck_assert_err(err, "limit of 10 bytes");
	tuf_buf_free(&out);
	json_decref(v);

	/* Built in memory, deeper than the parser would allow. */
	v = json_array();
	for (i = 0; i < 100; i++) {
		inner = json_array();
		json_array_append_new(inner, v);
		v = inner;
	}
	tuf_buf_init(&out, 1 << 20);
	ck_assert_int_eq(tuf_canonical_json(v, &out, err, sizeof(err)),
	    TUF_ERR);
	ck_assert_err(err, "nested deeper");
	tuf_buf_free(&out);
	json_decref(v);
}
END_TEST

/* --- JSON loading ---------------------------------------------------------*/

static void
assert_refused(const char *text, size_t len, int flags, const char *want)
{
	char	 err[ERRLEN] = "";
	json_t	*v;

	v = tuf_json_loadb(text, len, 1 << 20, flags, err, sizeof(err));
	ck_assert_msg(v == NULL, "accepted: %s", text);
	ck_assert_err(err, want);
}

START_TEST(test_json_duplicates)
{
	assert_refused("{\"a\":1,\n \"a\":2}", 15, 0, "line 2, column");
	assert_refused("{\"a\":1,\n \"a\":2}", 15, 0, "duplicate");
	assert_refused("{\"x\":{\"k\":1,\"k\":1}}", 19, 0, "duplicate");
	assert_refused("[{\"signed\":{},\"signed\":{}}]", 27, 0,
	    "duplicate");
}
END_TEST

START_TEST(test_json_refused)
{
	char	 deep[200];
	char	 err[ERRLEN];
	json_t	*v;
	int	 i;

	ck_assert_ptr_null(tuf_json_loadb("{\"a\":1}", 7, 6, 0, err,
	    sizeof(err)));
	ck_assert_err(err, "limit of 6 bytes");
	assert_refused("{} x", 4, 0, "line 1");
	assert_refused("[\"\377\"]", 5, 0, "unable to decode byte 0xff");
	assert_refused("[\"a\\u0000b\"]", 12, 0, "line 1");
	assert_refused("\"scalar\"", 8, 0, "line 1");
	assert_refused("[1,", 3, 0, "line 1");
	assert_refused("", 0, 0, "line");

	/* 64 levels are fine, 65 are not. */
	for (i = 0; i < 64; i++) {
		deep[i] = '[';
		deep[64 + i] = ']';
	}
	v = tuf_json_loadb(deep, 128, 1 << 20, 0, err, sizeof(err));
	ck_assert_msg(v != NULL, "64 levels: %s", err);
	json_decref(v);
	memmove(deep + 1, deep, 128);
	deep[0] = '[';
	deep[129] = ']';
	assert_refused(deep, 130, 0, "nested deeper than 64");
}
END_TEST

START_TEST(test_json_accessors)
{
	json_t		*v, *o;
	const char	*s;
	size_t		 len;
	int64_t		 n;
	int		 b;
	char		 err[ERRLEN];

	v = parse("{\"s\":\"str\",\"i\":-7,\"b\":true,\"o\":{},\"a\":[],"
	    "\"r\":1.5,\"z\":null}");
	ck_assert_int_eq(tuf_json_get_string(v, "s", &s, &len, err,
	    sizeof(err)), TUF_OK);
	ck_assert_str_eq(s, "str");
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(tuf_json_get_int(v, "i", &n, err, sizeof(err)),
	    TUF_OK);
	ck_assert_int_eq(n, -7);
	ck_assert_int_eq(tuf_json_get_bool(v, "b", &b, err, sizeof(err)),
	    TUF_OK);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(tuf_json_get_object(v, "o", &o, err, sizeof(err)),
	    TUF_OK);
	ck_assert_int_eq(tuf_json_get_array(v, "a", &o, err, sizeof(err)),
	    TUF_OK);

	ck_assert_int_eq(tuf_json_get_string(v, "nope", &s, NULL, err,
	    sizeof(err)), TUF_ERR);
	ck_assert_str_eq(err, "missing \"nope\"");
	ck_assert_int_eq(tuf_json_get_string(v, "i", &s, NULL, err,
	    sizeof(err)), TUF_ERR);
	ck_assert_str_eq(err, "\"i\" is an integer, not a string");
	ck_assert_int_eq(tuf_json_get_int(v, "r", &n, err, sizeof(err)),
	    TUF_ERR);
	ck_assert_str_eq(err, "\"r\" is a real number, not an integer");
	ck_assert_int_eq(tuf_json_get_bool(v, "z", &b, err, sizeof(err)),
	    TUF_ERR);
	ck_assert_str_eq(err, "\"z\" is null, not a boolean");
	ck_assert_int_eq(tuf_json_get_object(v, "a", &o, err, sizeof(err)),
	    TUF_ERR);
	ck_assert_int_eq(tuf_json_get_array(json_object_get(v, "s"), "x", &o,
	    err, sizeof(err)), TUF_ERR);
	ck_assert_err(err, "not an object");
	json_decref(v);
}
END_TEST

/* --- keys -----------------------------------------------------------------*/

struct vec {
	const char	*name;
	const char	*key;
	const char	*keyid;
	const char	*keyid_legacy;
	const char	*sig;
	enum tuf_scheme	 scheme;
};

static const struct vec vecs[] = {
	{ "ed25519", vec_ed25519_key, vec_ed25519_keyid,
	  vec_ed25519_keyid_legacy, vec_ed25519_sig, TUF_SCHEME_ED25519 },
	{ "ecdsa", vec_ecdsa_key, vec_ecdsa_keyid, vec_ecdsa_keyid_legacy,
	  vec_ecdsa_sig, TUF_SCHEME_ECDSA_P256_SHA256 },
	{ "rsa-pss", vec_rsa_pss_key, vec_rsa_pss_keyid,
	  vec_rsa_pss_keyid_legacy, vec_rsa_pss_sig,
	  TUF_SCHEME_RSA_PSS_SHA256 },
	{ "rsa-pkcs1v15", vec_rsa_pkcs1_key, vec_rsa_pkcs1_keyid,
	  vec_rsa_pkcs1_keyid_legacy, vec_rsa_pkcs1_sig,
	  TUF_SCHEME_RSA_PKCS1V15_SHA256 },
};
#define NVECS	((int)(sizeof(vecs) / sizeof(vecs[0])))

static void
parse_key(const char *text, struct tuf_key *key)
{
	json_t	*v;
	char	 err[ERRLEN];
	int	 rc;

	v = parse(text);
	rc = tuf_key_parse(v, key, err, sizeof(err));
	ck_assert_msg(rc == TUF_OK, "key %s: %s", text, err);
	json_decref(v);
}

static const char *
vec_public(const struct vec *vc, char *buf, size_t len)
{
	json_t	*v;

	v = parse(vc->key);
	snprintf(buf, len, "%s", json_string_value(json_object_get(
	    json_object_get(v, "keyval"), "public")));
	json_decref(v);
	return buf;
}

static int
verify(const struct tuf_key *key, const char *msg, const char *sig,
    char *err)
{
	return tuf_key_verify(key, msg, strlen(msg), sig, err, ERRLEN);
}

static char
flip_hex(char c)
{
	static const char	digits[] = "0123456789abcdef";

	return digits[(strchr(digits, c) - digits) ^ 1];
}

START_TEST(test_key_vector)
{
	const struct vec	*vc = &vecs[_i];
	struct tuf_key		 key;
	json_t			*v, *algs;
	char			 err[ERRLEN], keyid[TUF_KEYID_HEXLEN + 1];
	char			*bad, msg[sizeof(vec_msg)];
	size_t			 siglen = strlen(vc->sig), i, pos[3];
	int			 rc;

	parse_key(vc->key, &key);
	ck_assert_int_eq(key.scheme, vc->scheme);
	ck_assert_str_eq(key.keyid, vc->keyid);

	/* Legacy key objects carry keyid_hash_algorithms; it is hashed too. */
	v = parse(vc->key);
	algs = json_pack("[s,s]", "sha256", "sha512");
	json_object_set_new(v, "keyid_hash_algorithms", algs);
	ck_assert_int_eq(tuf_keyid_compute(v, keyid, err, sizeof(err)),
	    TUF_OK);
	ck_assert_str_eq(keyid, vc->keyid_legacy);
	/* A private part in keyval never reaches the hash. */
	json_object_del(v, "keyid_hash_algorithms");
	json_object_set_new(json_object_get(v, "keyval"), "private",
	    json_string("secret"));
	ck_assert_int_eq(tuf_keyid_compute(v, keyid, err, sizeof(err)),
	    TUF_OK);
	ck_assert_str_eq(keyid, vc->keyid);
	json_decref(v);

	rc = verify(&key, vec_msg, vc->sig, err);
	ck_assert_msg(rc == TUF_OK, "%s: %s", vc->name, err);

	/* Bit flips in the signature at the start, middle and end. */
	pos[0] = 0;
	pos[1] = siglen / 2;
	pos[2] = siglen - 1;
	for (i = 0; i < 3; i++) {
		bad = strdup(vc->sig);
		bad[pos[i]] = flip_hex(bad[pos[i]]);
		ck_assert_int_ne(verify(&key, vec_msg, bad, err), TUF_OK);
		free(bad);
	}
	/* Bit flips in the message. */
	for (i = 0; i < strlen(vec_msg); i += 7) {
		memcpy(msg, vec_msg, sizeof(msg));
		msg[i] ^= 0x01;
		ck_assert_int_eq(verify(&key, msg, vc->sig, err), TUF_BADSIG);
		ck_assert_err(err, "does not verify");
	}
	/* Malformed signatures: errors, not crashes. */
	bad = strdup(vc->sig);
	bad[siglen - 2] = '\0';
	ck_assert_int_eq(verify(&key, vec_msg, bad, err), TUF_ERR);
	bad[siglen - 3] = '\0';
	ck_assert_int_eq(verify(&key, vec_msg, bad, err), TUF_ERR);
	ck_assert_err(err, "odd number");
	free(bad);
	bad = strdup(vc->sig);
	bad[4] = 'g';
	ck_assert_int_eq(verify(&key, vec_msg, bad, err), TUF_ERR);
	ck_assert_err(err, "invalid hex digit at offset 4");
	free(bad);
	ck_assert_int_eq(verify(&key, vec_msg, "", err), TUF_ERR);
	ck_assert_int_eq(tuf_key_verify(&key, vec_msg, strlen(vec_msg), NULL,
	    err, sizeof(err)), TUF_ERR);
	if (asprintf(&bad, "%s00", vc->sig) < 0)
		ck_abort();
	ck_assert_int_eq(verify(&key, vec_msg, bad, err), TUF_ERR);
	free(bad);
	/* Upper-case hex is hex. */
	bad = strdup(vc->sig);
	for (i = 0; i < siglen; i++)
		bad[i] = (char)toupper((unsigned char)bad[i]);
	ck_assert_int_eq(verify(&key, vec_msg, bad, err), TUF_OK);
	free(bad);
	tuf_key_clear(&key);
}
END_TEST

START_TEST(test_key_wrong_key)
{
	struct tuf_key	k[NVECS];
	char		err[ERRLEN];
	int		i, j, rc;

	for (i = 0; i < NVECS; i++)
		parse_key(vecs[i].key, &k[i]);
	for (i = 0; i < NVECS; i++)
		for (j = 0; j < NVECS; j++) {
			if (i == j)
				continue;
			rc = verify(&k[i], vec_msg, vecs[j].sig, err);
			ck_assert_msg(rc != TUF_OK, "%s verified %s's signature",
			    vecs[i].name, vecs[j].name);
		}
	/* The RSA keys differ, the signature is the right size. */
	ck_assert_int_eq(verify(&k[2], vec_msg, vecs[3].sig, err), TUF_BADSIG);
	for (i = 0; i < NVECS; i++)
		tuf_key_clear(&k[i]);
}
END_TEST

START_TEST(test_key_ecdsa_alias)
{
	struct tuf_key	 a, b, c, d;
	json_t		*v;
	char		 err[ERRLEN], pem[1024];

	parse_key(vec_ecdsa_key, &a);
	/* keytype spelled ecdsa-sha2-nistp256: same key, other key id. */
	v = json_pack("{s:s,s:s,s:{s:s}}", "keytype", "ecdsa-sha2-nistp256",
	    "scheme", "ecdsa-sha2-nistp256", "keyval", "public",
	    vec_public(&vecs[1], pem, sizeof(pem)));
	ck_assert_int_eq(tuf_key_parse(v, &b, err, sizeof(err)), TUF_OK);
	ck_assert_int_eq(b.scheme, TUF_SCHEME_ECDSA_P256_SHA256);
	ck_assert_str_ne(a.keyid, b.keyid);
	ck_assert_int_eq(verify(&b, vec_msg, vec_ecdsa_sig, err), TUF_OK);
	ck_assert(tuf_key_same_public(&a, &b));
	json_decref(v);

	/* The same RSA key under both schemes is one key. */
	parse_key(vec_rsa_pss_key, &c);
	v = json_pack("{s:s,s:s,s:{s:s}}", "keytype", "rsa",
	    "scheme", "rsa-pkcs1v15-sha256", "keyval", "public",
	    vec_public(&vecs[2], pem, sizeof(pem)));
	ck_assert_int_eq(tuf_key_parse(v, &d, err, sizeof(err)), TUF_OK);
	ck_assert(tuf_key_same_public(&c, &d));
	ck_assert_int_eq(verify(&d, vec_msg, vec_rsa_pss_sig, err),
	    TUF_BADSIG);
	json_decref(v);
	ck_assert(!tuf_key_same_public(&a, &c));
	tuf_key_clear(&d);
	parse_key(vec_rsa_pkcs1_key, &d);
	ck_assert(!tuf_key_same_public(&c, &d));
	tuf_key_clear(&c);
	parse_key(vec_ed25519_key, &c);
	ck_assert(!tuf_key_same_public(&a, &c));
	ck_assert(tuf_key_same_public(&c, &c));
	tuf_key_clear(&a);
	tuf_key_clear(&b);
	tuf_key_clear(&c);
	tuf_key_clear(&d);
}
END_TEST

START_TEST(test_ecdsa_signature_encoding)
{
	struct tuf_key	 key;
	unsigned char	 der[128], ber[130];
	char		 hex[300], err[ERRLEN];
	size_t		 len;

	parse_key(vec_ecdsa_key, &key);
	ck_assert_int_eq(tuf_hex_decode(vec_ecdsa_sig, strlen(vec_ecdsa_sig),
	    der, sizeof(der), &len, err, sizeof(err)), TUF_OK);
	ck_assert_uint_eq(der[0], 0x30);
	ck_assert_uint_lt(der[1], 0x80);
	/* The same value with a non-minimal length: BER, not DER. */
	ber[0] = 0x30;
	ber[1] = 0x81;
	memcpy(ber + 2, der + 1, len - 1);
	tuf_hex_encode(ber, len + 1, hex);
	ck_assert_int_eq(verify(&key, vec_msg, hex, err), TUF_ERR);
	ck_assert_err(err, "not a DER");
	/* Trailing garbage after the DER value. */
	der[len] = 0;
	tuf_hex_encode(der, len + 1, hex);
	ck_assert_int_eq(verify(&key, vec_msg, hex, err), TUF_ERR);
	/* Raw r || s (64 bytes) is not what TUF uses. */
	memset(hex, 'a', 128);
	hex[128] = '\0';
	ck_assert_int_eq(verify(&key, vec_msg, hex, err), TUF_ERR);
	tuf_key_clear(&key);
}
END_TEST

START_TEST(test_key_unsupported)
{
	static const char *const pairs[][2] = {
		{ "ed25519", "ecdsa-sha2-nistp256" },
		{ "rsa", "rsassa-pss-sha512" },
		{ "rsa", "rsassa-pss-sha256 " },
		{ "rsa", "ed25519" },
		{ "ecdsa", "ecdsa-sha2-nistp384" },
		{ "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384" },
		{ "sphincs", "sphincs-shake-128s" },
		{ "ED25519", "ed25519" },
		{ "", "" },
	};
	struct tuf_key	 key;
	json_t		*v;
	char		 err[ERRLEN];
	size_t		 i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		v = json_pack("{s:s,s:s,s:{s:s}}", "keytype", pairs[i][0],
		    "scheme", pairs[i][1], "keyval", "public", "00");
		ck_assert_int_eq(tuf_key_parse(v, &key, err, sizeof(err)),
		    TUF_UNSUPPORTED);
		ck_assert_err(err, "unsupported key type");
		json_decref(v);
	}
	/* Names from the network are escaped in the message. */
	v = json_pack("{s:s,s:s,s:{}}", "keytype", "x\n\033[31m",
	    "scheme", "y", "keyval");
	ck_assert_int_eq(tuf_key_parse(v, &key, err, sizeof(err)),
	    TUF_UNSUPPORTED);
	ck_assert_err(err, "\"x\\x0a\\x1b[31m\"");
	json_decref(v);
}
END_TEST

START_TEST(test_key_malformed)
{
	struct {
		const char	*keytype, *scheme, *public, *want;
	} bad[] = {
		{ "ed25519", "ed25519", "00", "64 hex digits, not 2" },
		{ "ed25519", "ed25519", "", "64 hex digits, not 0" },
		{ "ed25519", "ed25519",
		  "zz6d29ebb98d3c8cc6910b522d1c5952d48a96aaf28e864331e12e1f73550f58",
		  "invalid hex" },
		{ "ecdsa", "ecdsa-sha2-nistp256", "not a key", "not a PEM" },
		{ "ecdsa", "ecdsa-sha2-nistp256", "", "not a PEM" },
		{ "ecdsa", "ecdsa-sha2-nistp256", NULL, "not an EC key" },
		{ "ecdsa", "ecdsa-sha2-nistp256", vec_p384_pem, "curve" },
		{ "rsa", "rsassa-pss-sha256", vec_rsa1024_pem, "1024 bits" },
		{ "rsa", "rsassa-pss-sha256", vec_p384_pem, "not an RSA key" },
		{ "rsa", "rsassa-pss-sha256",
		  "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n"
		  "-----END PUBLIC KEY-----\n", "not a PEM" },
	};
	static const char *const objs[][2] = {
		{ "[]", "key is an array, not an object" },
		{ "{\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"\"}}",
		  "missing \"keytype\"" },
		{ "{\"keytype\":1,\"scheme\":\"ed25519\",\"keyval\":{}}",
		  "\"keytype\" is an integer, not a string" },
		{ "{\"keytype\":\"ed25519\",\"scheme\":null,\"keyval\":{}}",
		  "\"scheme\" is null" },
		{ "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":\"\"}",
		  "\"keyval\" is a string, not an object" },
		{ "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{}}",
		  "keyval: missing \"public\"" },
		{ "{\"keytype\":\"rsa\",\"scheme\":\"rsa-pkcs1v15-sha256\","
		  "\"keyval\":{\"public\":[]}}",
		  "keyval: \"public\" is an array, not a string" },
	};
	struct tuf_key	 key;
	json_t		*v;
	char		 err[ERRLEN], pem[1024];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = json_pack("{s:s,s:s,s:{s:s}}", "keytype", bad[i].keytype,
		    "scheme", bad[i].scheme, "keyval", "public",
		    bad[i].public ? bad[i].public :
		    vec_public(&vecs[2], pem, sizeof(pem)));
		err[0] = '\0';
		ck_assert_msg(tuf_key_parse(v, &key, err, sizeof(err)) ==
		    TUF_ERR, "bad key %zu accepted", i);
		ck_assert_err(err, bad[i].want);
		json_decref(v);
	}
	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		v = parse(objs[i][0]);
		ck_assert_int_eq(tuf_key_parse(v, &key, err, sizeof(err)),
		    TUF_ERR);
		ck_assert_err(err, objs[i][1]);
		json_decref(v);
	}
	ck_assert_int_eq(tuf_key_parse(NULL, &key, err, sizeof(err)),
	    TUF_ERR);
	/* Not malformed: "BEGIN RSA PUBLIC KEY", as securesystemslib. */
	v = json_pack("{s:s,s:s,s:{s:s}}", "keytype", "rsa", "scheme",
	    "rsa-pkcs1v15-sha256", "keyval", "public", vec_rsa_pkcs1_pem);
	ck_assert_int_eq(tuf_key_parse(v, &key, err, sizeof(err)), TUF_OK);
	tuf_key_clear(&key);
	json_decref(v);
	/* Unparsed or cleared keys verify nothing. */
	memset(&key, 0, sizeof(key));
	ck_assert_int_eq(verify(&key, vec_msg, vec_ecdsa_sig, err), TUF_ERR);
	key.scheme = TUF_SCHEME_RSA_PSS_SHA256;
	ck_assert_int_eq(verify(&key, vec_msg, vec_rsa_pss_sig, err), TUF_ERR);
	tuf_key_clear(&key);
	tuf_key_clear(NULL);
}
END_TEST

START_TEST(test_ed25519_roundtrip)
{
	unsigned char	 pk[TUF_ED25519_PKLEN], sk[TUF_ED25519_SKLEN];
	unsigned char	 pk2[TUF_ED25519_PKLEN], sk2[TUF_ED25519_SKLEN];
	struct tuf_key	 key;
	json_t		*v;
	char		 sig[2 * TUF_ED25519_SIGLEN + 1], err[ERRLEN];
	char		 keyid[TUF_KEYID_HEXLEN + 1];
	const char	*msg = "{\"signed\":1}";

	ck_assert_int_eq(tuf_ed25519_keygen(pk, sk, err, sizeof(err)),
	    TUF_OK);
	ck_assert_int_eq(tuf_ed25519_keygen(pk2, sk2, err, sizeof(err)),
	    TUF_OK);
	ck_assert(memcmp(pk, pk2, sizeof(pk)) != 0);
	ck_assert_int_eq(tuf_ed25519_sign(sk, msg, strlen(msg), sig, err,
	    sizeof(err)), TUF_OK);
	ck_assert_uint_eq(strlen(sig), 128);

	v = tuf_ed25519_key_json(pk);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(tuf_key_parse(v, &key, err, sizeof(err)), TUF_OK);
	ck_assert_int_eq(tuf_keyid_compute(v, keyid, err, sizeof(err)),
	    TUF_OK);
	ck_assert_str_eq(keyid, key.keyid);
	ck_assert_uint_eq(strlen(keyid), TUF_KEYID_HEXLEN);
	ck_assert_int_eq(verify(&key, msg, sig, err), TUF_OK);
	ck_assert_int_eq(verify(&key, "{\"signed\":2}", sig, err), TUF_BADSIG);
	/* Deterministic: the same key signs the same message the same way. */
	{
		char	sig2[sizeof(sig)];

		ck_assert_int_eq(tuf_ed25519_sign(sk, msg, strlen(msg), sig2,
		    err, sizeof(err)), TUF_OK);
		ck_assert_str_eq(sig, sig2);
		ck_assert_int_eq(tuf_ed25519_sign(sk2, msg, strlen(msg), sig2,
		    err, sizeof(err)), TUF_OK);
		ck_assert_int_eq(verify(&key, msg, sig2, err), TUF_BADSIG);
	}
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(sk2, sizeof(sk2));
	tuf_key_clear(&key);
	json_decref(v);
}
END_TEST

/* --- helpers --------------------------------------------------------------*/

START_TEST(test_util)
{
	unsigned char	 out[4];
	struct tuf_buf	 buf;
	char		 err[16], vis[16], hex[9];
	size_t		 len;

	ck_assert_int_eq(tuf_hex_decode("00Ff7a", 6, out, sizeof(out), &len,
	    err, sizeof(err)), TUF_OK);
	ck_assert_uint_eq(len, 3);
	ck_assert_uint_eq(out[1], 0xff);
	tuf_hex_encode(out, 3, hex);
	ck_assert_str_eq(hex, "00ff7a");
	ck_assert_int_eq(tuf_hex_decode("0011223344", 10, out, sizeof(out),
	    &len, NULL, 0), TUF_ERR);
	ck_assert_int_eq(tuf_hex_decode("0x", 2, out, sizeof(out), &len, err,
	    sizeof(err)), TUF_ERR);

	ck_assert_str_eq(tuf_strvis(vis, sizeof(vis), "a\tb\\", 4),
	    "a\\x09b\\x5c");
	ck_assert_str_eq(tuf_strvis(vis, sizeof(vis), "abcdefghijklmnop",
	    16), "abcdefghijkl...");

	/* Messages are cut, never overflowed. */
	tuf_seterr(err, sizeof(err), "%s", "0123456789abcdefghij");
	ck_assert_str_eq(err, "0123456789abcde");
	tuf_seterr(err, sizeof(err), "inner");
	tuf_preferr(err, sizeof(err), "ctx");
	ck_assert_str_eq(err, "ctx: inner");
	tuf_preferr(err, sizeof(err), "longer");
	ck_assert_str_eq(err, "longer: ctx: in");
	tuf_seterr(NULL, 0, "nothing");
	tuf_preferr(NULL, 0, "nothing");

	tuf_buf_init(&buf, 5);
	ck_assert_int_eq(tuf_buf_append(&buf, "abc", 3, err, sizeof(err)),
	    TUF_OK);
	ck_assert_int_eq(tuf_buf_append(&buf, "de", 2, err, sizeof(err)),
	    TUF_OK);
	ck_assert_str_eq((char *)buf.data, "abcde");
	ck_assert_int_eq(tuf_buf_append(&buf, "f", 1, err, sizeof(err)),
	    TUF_ERR);
	ck_assert_uint_eq(buf.len, 5);
	tuf_buf_reset(&buf);
	ck_assert_uint_eq(buf.len, 0);
	tuf_buf_free(&buf);
}
END_TEST

static Suite *
tuf_crypto_suite(void)
{
	Suite	*s = suite_create("tuf_crypto");
	TCase	*tc;

	tc = tcase_create("canonical_json");
	tcase_add_test(tc, test_canon_key_order);
	tcase_add_test(tc, test_canon_escapes);
	tcase_add_test(tc, test_canon_nested);
	tcase_add_test(tc, test_canon_integers);
	tcase_add_test(tc, test_canon_floats_refused);
	tcase_add_test(tc, test_canon_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, test_json_duplicates);
	tcase_add_test(tc, test_json_refused);
	tcase_add_test(tc, test_json_accessors);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_loop_test(tc, test_key_vector, 0, NVECS);
	tcase_add_test(tc, test_key_wrong_key);
	tcase_add_test(tc, test_key_ecdsa_alias);
	tcase_add_test(tc, test_ecdsa_signature_encoding);
	tcase_add_test(tc, test_key_unsupported);
	tcase_add_test(tc, test_key_malformed);
	tcase_add_test(tc, test_ed25519_roundtrip);
	suite_add_tcase(s, tc);

	tc = tcase_create("util");
	tcase_add_test(tc, test_util);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int	 failed;

	failed = test_run_suite(tuf_crypto_suite());
	return failed;
}
