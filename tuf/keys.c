#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "canonical_json.h"
#include "json.h"
#include "keys.h"
#include "tuf_util.h"

/* Longest canonical key object hashed for a key id. */
#define KEYID_MAX_CANONICAL	(64 * 1024)

struct scheme_row {
	const char	*keytype;
	const char	*scheme;
	enum tuf_scheme	 id;
};

static const struct scheme_row schemes[] = {
	{ "ed25519",		 "ed25519",		TUF_SCHEME_ED25519 },
	{ "ecdsa",		 "ecdsa-sha2-nistp256",	TUF_SCHEME_ECDSA_P256_SHA256 },
	{ "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256",	TUF_SCHEME_ECDSA_P256_SHA256 },
	{ "rsa",		 "rsassa-pss-sha256",	TUF_SCHEME_RSA_PSS_SHA256 },
	{ "rsa",		 "rsa-pkcs1v15-sha256",	TUF_SCHEME_RSA_PKCS1V15_SHA256 },
};

const char *
tuf_scheme_name(enum tuf_scheme scheme)
{
	size_t	i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (schemes[i].id == scheme)
			return schemes[i].scheme;
	return "unknown";
}

/* Describe and clear OpenSSL's (thread-local) error queue. */
static const char *
ossl_reason(char *buf, size_t len)
{
	unsigned long	e = ERR_peek_last_error();

	if (e == 0)
		snprintf(buf, len, "no detail from OpenSSL");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

int
tuf_keyid_compute(const json_t *keyobj, char keyid[TUF_KEYID_HEXLEN + 1],
    char *err, size_t errlen)
{
	struct tuf_buf	 buf;
	unsigned char	 digest[crypto_hash_sha256_BYTES];
	json_t		*copy = NULL, *keyval, *pub, *v;
	const char	*k;
	void		*iter;
	int		 rc = TUF_ERR;

	if (!json_is_object(keyobj)) {
		tuf_seterr(err, errlen, "key id: key is %s, not an object",
		    tuf_json_typephrase(keyobj));
		return TUF_ERR;
	}
	keyval = json_object_get(keyobj, "keyval");
	pub = json_is_object(keyval) ? json_object_get(keyval, "public") : NULL;
	if (!json_is_string(pub)) {
		tuf_seterr(err, errlen, "key id: key has no keyval.public "
		    "string");
		return TUF_ERR;
	}
	tuf_buf_init(&buf, KEYID_MAX_CANONICAL);
	if ((copy = json_object()) == NULL)
		goto nomem;
	/* A shallow copy, with keyval reduced to its public part. */
	for (iter = json_object_iter((json_t *)(uintptr_t)keyobj); iter != NULL;
	    iter = json_object_iter_next((json_t *)(uintptr_t)keyobj, iter)) {
		k = json_object_iter_key(iter);
		if (strcmp(k, "keyval") == 0)
			v = json_pack("{s:O}", "public", pub);
		else
			v = json_incref(json_object_iter_value(iter));
		if (v == NULL || json_object_setn_new(copy, k,
		    json_object_iter_key_len(iter), v) != 0)
			goto nomem;
	}
	if (tuf_canonical_json(copy, &buf, err, errlen) != TUF_OK) {
		tuf_preferr(err, errlen, "key id");
		goto out;
	}
	crypto_hash_sha256(digest, buf.data, buf.len);
	tuf_hex_encode(digest, sizeof(digest), keyid);
	rc = TUF_OK;
	goto out;
 nomem:
	tuf_seterr(err, errlen, "key id: out of memory");
 out:
	json_decref(copy);
	tuf_buf_free(&buf);
	return rc;
}

static int
parse_pem(const char *pem, size_t len, struct tuf_key *key, char *err,
    size_t errlen)
{
	EVP_PKEY	*pkey = NULL;
	BIO		*bio;
	char		 group[64], why[256];
	size_t		 glen;
	int		 bits;

	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		tuf_seterr(err, errlen, "out of memory");
		return TUF_ERR;
	}
	pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (pkey == NULL) {
		tuf_seterr(err, errlen, "keyval.public is not a PEM public "
		    "key (\"BEGIN PUBLIC KEY\"): %s",
		    ossl_reason(why, sizeof(why)));
		return TUF_ERR;
	}
	switch (key->scheme) {
	case TUF_SCHEME_ECDSA_P256_SHA256:
		if (!EVP_PKEY_is_a(pkey, "EC")) {
			tuf_seterr(err, errlen, "keyval.public is a %s key, "
			    "not an EC key", EVP_PKEY_get0_type_name(pkey));
			goto fail;
		}
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group),
		    &glen) != 1) {
			tuf_seterr(err, errlen, "keyval.public: EC key without "
			    "a named curve: %s", ossl_reason(why, sizeof(why)));
			goto fail;
		}
		if (strcmp(group, "prime256v1") != 0 &&
		    strcmp(group, "P-256") != 0) {
			tuf_seterr(err, errlen, "keyval.public: EC key on "
			    "curve %s, the scheme needs P-256", group);
			goto fail;
		}
		break;
	case TUF_SCHEME_RSA_PSS_SHA256:
	case TUF_SCHEME_RSA_PKCS1V15_SHA256:
		if (!EVP_PKEY_is_a(pkey, "RSA")) {
			tuf_seterr(err, errlen, "keyval.public is a %s key, "
			    "not an RSA key", EVP_PKEY_get0_type_name(pkey));
			goto fail;
		}
		bits = EVP_PKEY_get_bits(pkey);
		if (bits < TUF_RSA_MIN_BITS || bits > TUF_RSA_MAX_BITS) {
			tuf_seterr(err, errlen, "keyval.public: RSA key of %d "
			    "bits, %d to %d accepted", bits, TUF_RSA_MIN_BITS,
			    TUF_RSA_MAX_BITS);
			goto fail;
		}
		break;
	case TUF_SCHEME_ED25519:
	default:
		tuf_seterr(err, errlen, "internal error: PEM for scheme %d",
		    (int)key->scheme);
		goto fail;
	}
	key->pkey = pkey;
	return TUF_OK;
 fail:
	EVP_PKEY_free(pkey);
	return TUF_ERR;
}

int
tuf_key_parse(const json_t *keyobj, struct tuf_key *key, char *err,
    size_t errlen)
{
	json_t		*keyval;
	const char	*keytype, *scheme, *pub;
	char		 vt[80], vs[80];
	size_t		 i, publen, n;

	memset(key, 0, sizeof(*key));
	if (!json_is_object(keyobj)) {
		tuf_seterr(err, errlen, "key is %s, not an object",
		    tuf_json_typephrase(keyobj));
		return TUF_ERR;
	}
	if (tuf_json_get_string(keyobj, "keytype", &keytype, NULL, err,
	    errlen) != TUF_OK ||
	    tuf_json_get_string(keyobj, "scheme", &scheme, NULL, err,
	    errlen) != TUF_OK ||
	    tuf_json_get_object(keyobj, "keyval", &keyval, err,
	    errlen) != TUF_OK)
		return TUF_ERR;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strcmp(keytype, schemes[i].keytype) == 0 &&
		    strcmp(scheme, schemes[i].scheme) == 0)
			break;
	if (i == sizeof(schemes) / sizeof(schemes[0])) {
		tuf_seterr(err, errlen, "unsupported key type \"%s\" with "
		    "scheme \"%s\"",
		    tuf_strvis(vt, sizeof(vt), keytype, strlen(keytype)),
		    tuf_strvis(vs, sizeof(vs), scheme, strlen(scheme)));
		return TUF_UNSUPPORTED;
	}
	key->scheme = schemes[i].id;

	if (tuf_json_get_string(keyval, "public", &pub, &publen, err,
	    errlen) != TUF_OK) {
		tuf_preferr(err, errlen, "keyval");
		return TUF_ERR;
	}
	if (publen > TUF_KEY_MAX_PEM) {
		tuf_seterr(err, errlen, "keyval.public of %zu bytes exceeds "
		    "the limit of %d", publen, TUF_KEY_MAX_PEM);
		return TUF_ERR;
	}
	if (key->scheme == TUF_SCHEME_ED25519) {
		if (publen != 2 * TUF_ED25519_PKLEN) {
			tuf_seterr(err, errlen, "keyval.public: an ed25519 "
			    "key is %d hex digits, not %zu",
			    2 * TUF_ED25519_PKLEN, publen);
			return TUF_ERR;
		}
		if (tuf_hex_decode(pub, publen, key->ed25519,
		    sizeof(key->ed25519), &n, err, errlen) != TUF_OK) {
			tuf_preferr(err, errlen, "keyval.public");
			return TUF_ERR;
		}
	} else if (parse_pem(pub, publen, key, err, errlen) != TUF_OK)
		return TUF_ERR;

	if (tuf_keyid_compute(keyobj, key->keyid, err, errlen) != TUF_OK) {
		tuf_key_clear(key);
		return TUF_ERR;
	}
	return TUF_OK;
}

void
tuf_key_clear(struct tuf_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey);
	memset(key, 0, sizeof(*key));
}

int
tuf_key_same_public(const struct tuf_key *a, const struct tuf_key *b)
{
	if (a->scheme == TUF_SCHEME_ED25519 || b->scheme == TUF_SCHEME_ED25519)
		return a->scheme == b->scheme &&
		    sodium_memcmp(a->ed25519, b->ed25519,
		    sizeof(a->ed25519)) == 0;
	if (a->pkey == NULL || b->pkey == NULL)
		return 0;
	return EVP_PKEY_eq(a->pkey, b->pkey) == 1;
}

/* Refuse anything but one strict DER ECDSA-Sig-Value. */
static int
ecdsa_der_ok(const unsigned char *sig, size_t siglen)
{
	const unsigned char	*p = sig;
	unsigned char		*der = NULL;
	ECDSA_SIG		*s;
	int			 n, ok = 0;

	if ((s = d2i_ECDSA_SIG(NULL, &p, (long)siglen)) == NULL)
		return 0;
	if (p == sig + siglen && (n = i2d_ECDSA_SIG(s, &der)) > 0 &&
	    (size_t)n == siglen && memcmp(der, sig, siglen) == 0)
		ok = 1;
	OPENSSL_free(der);
	ECDSA_SIG_free(s);
	return ok;
}

static int
evp_verify(const struct tuf_key *key, const unsigned char *sig, size_t siglen,
    const void *msg, size_t msglen, char *err, size_t errlen)
{
	EVP_MD_CTX	*mctx;
	EVP_PKEY_CTX	*pctx = NULL;
	char		 why[256];
	int		 r, rc = TUF_ERR;

	if ((mctx = EVP_MD_CTX_new()) == NULL) {
		tuf_seterr(err, errlen, "out of memory");
		return TUF_ERR;
	}
	if (EVP_DigestVerifyInit(mctx, &pctx, EVP_sha256(), NULL,
	    key->pkey) != 1)
		goto ossl;
	switch (key->scheme) {
	case TUF_SCHEME_RSA_PSS_SHA256:
		/* Salt length taken from the signature, as pyca does. */
		if (EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PSS_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
		    RSA_PSS_SALTLEN_AUTO) != 1)
			goto ossl;
		break;
	case TUF_SCHEME_RSA_PKCS1V15_SHA256:
		if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
			goto ossl;
		break;
	default:
		break;
	}
	r = EVP_DigestVerify(mctx, sig, siglen, msg, msglen);
	ERR_clear_error();
	if (r == 1)
		rc = TUF_OK;
	else {
		tuf_seterr(err, errlen, "%s signature does not verify",
		    tuf_scheme_name(key->scheme));
		rc = TUF_BADSIG;
	}
	goto out;
 ossl:
	tuf_seterr(err, errlen, "%s: cannot set up verification: %s",
	    tuf_scheme_name(key->scheme), ossl_reason(why, sizeof(why)));
 out:
	EVP_MD_CTX_free(mctx);
	return rc;
}

int
tuf_key_verify(const struct tuf_key *key, const void *msg, size_t msglen,
    const char *sig_hex, char *err, size_t errlen)
{
	unsigned char	sig[TUF_SIG_MAX_LEN];
	size_t		hexlen, siglen;
	int		size;

	if (sig_hex == NULL) {
		tuf_seterr(err, errlen, "no signature");
		return TUF_ERR;
	}
	hexlen = strnlen(sig_hex, 2 * TUF_SIG_MAX_LEN + 1);
	if (hexlen > 2 * TUF_SIG_MAX_LEN) {
		tuf_seterr(err, errlen, "signature longer than %d bytes",
		    TUF_SIG_MAX_LEN);
		return TUF_ERR;
	}
	if (tuf_hex_decode(sig_hex, hexlen, sig, sizeof(sig), &siglen, err,
	    errlen) != TUF_OK) {
		tuf_preferr(err, errlen, "signature");
		return TUF_ERR;
	}
	switch (key->scheme) {
	case TUF_SCHEME_ED25519:
		if (siglen != TUF_ED25519_SIGLEN) {
			tuf_seterr(err, errlen, "ed25519 signature of %zu "
			    "bytes, %d expected", siglen, TUF_ED25519_SIGLEN);
			return TUF_ERR;
		}
		if (crypto_sign_verify_detached(sig, msg, msglen,
		    key->ed25519) != 0) {
			tuf_seterr(err, errlen, "ed25519 signature does not "
			    "verify");
			return TUF_BADSIG;
		}
		return TUF_OK;
	case TUF_SCHEME_ECDSA_P256_SHA256:
		if (key->pkey == NULL)
			break;
		if (!ecdsa_der_ok(sig, siglen)) {
			ERR_clear_error();
			tuf_seterr(err, errlen, "ECDSA signature is not a DER "
			    "ECDSA-Sig-Value (%zu bytes)", siglen);
			return TUF_ERR;
		}
		return evp_verify(key, sig, siglen, msg, msglen, err, errlen);
	case TUF_SCHEME_RSA_PSS_SHA256:
	case TUF_SCHEME_RSA_PKCS1V15_SHA256:
		if (key->pkey == NULL)
			break;
		size = EVP_PKEY_get_size(key->pkey);
		if (size <= 0 || siglen != (size_t)size) {
			tuf_seterr(err, errlen, "RSA signature of %zu bytes, "
			    "the %d-bit key needs %d", siglen,
			    EVP_PKEY_get_bits(key->pkey), size);
			return TUF_ERR;
		}
		return evp_verify(key, sig, siglen, msg, msglen, err, errlen);
	}
	tuf_seterr(err, errlen, "verifying with a key that was not parsed");
	return TUF_ERR;
}

int
tuf_ed25519_keygen(unsigned char pk[TUF_ED25519_PKLEN],
    unsigned char sk[TUF_ED25519_SKLEN], char *err, size_t errlen)
{
	if (sodium_init() < 0) {
		tuf_seterr(err, errlen, "libsodium failed to initialise");
		return TUF_ERR;
	}
	if (crypto_sign_keypair(pk, sk) != 0) {
		tuf_seterr(err, errlen, "ed25519 key generation failed");
		return TUF_ERR;
	}
	return TUF_OK;
}

int
tuf_ed25519_sign(const unsigned char sk[TUF_ED25519_SKLEN], const void *msg,
    size_t msglen, char sig_hex[2 * TUF_ED25519_SIGLEN + 1], char *err,
    size_t errlen)
{
	unsigned char	sig[TUF_ED25519_SIGLEN];

	if (sodium_init() < 0) {
		tuf_seterr(err, errlen, "libsodium failed to initialise");
		return TUF_ERR;
	}
	if (crypto_sign_detached(sig, NULL, msg, msglen, sk) != 0) {
		tuf_seterr(err, errlen, "ed25519 signing failed");
		return TUF_ERR;
	}
	tuf_hex_encode(sig, sizeof(sig), sig_hex);
	return TUF_OK;
}

json_t *
tuf_ed25519_key_json(const unsigned char pk[TUF_ED25519_PKLEN])
{
	char	hex[2 * TUF_ED25519_PKLEN + 1];

	tuf_hex_encode(pk, TUF_ED25519_PKLEN, hex);
	return json_pack("{s:s, s:s, s:{s:s}}", "keytype", "ed25519",
	    "scheme", "ed25519", "keyval", "public", hex);
}
