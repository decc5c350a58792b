/*
 * TUF public keys: parsing the key objects of root and delegating metadata,
 * key ids, and signature verification for the key types and schemes real
 * repositories use:
 *
 *   keytype                        scheme                 keyval.public
 *   ed25519                        ed25519                64 hex digits
 *   ecdsa, ecdsa-sha2-nistp256     ecdsa-sha2-nistp256    PEM SPKI, P-256
 *   rsa                            rsassa-pss-sha256      PEM SPKI
 *   rsa                            rsa-pkcs1v15-sha256    PEM SPKI
 *
 * PEM keys are read by OpenSSL's PEM_read_bio_PUBKEY, which (like
 * securesystemslib's pyca/cryptography) also takes an RSA key as PKCS#1
 * "BEGIN RSA PUBLIC KEY"; the key id hashes the PEM text as it is.
 *
 * Signatures are hex: ed25519 64 raw bytes; ECDSA a DER ECDSA-Sig-Value over
 * SHA-256; RSA-PSS with SHA-256, MGF1-SHA-256 and any salt length (verified
 * with the salt length recovered from the signature, as securesystemslib
 * does); PKCS#1 v1.5 with SHA-256.
 *
 * ed25519 uses libsodium, the others OpenSSL 3 libcrypto (EVP API).
 */
#ifndef LOCKPROBE_TUF_KEYS_H
#define LOCKPROBE_TUF_KEYS_H

#include <stddef.h>

#include <jansson.h>

#include "tuf_util.h"

#define TUF_KEYID_LEN		32			/* SHA-256 */
#define TUF_KEYID_HEXLEN	(2 * TUF_KEYID_LEN)
#define TUF_ED25519_PKLEN	32
#define TUF_ED25519_SKLEN	64	/* libsodium: seed || public key */
#define TUF_ED25519_SIGLEN	64
#define TUF_KEY_MAX_PEM		16384	/* longest keyval.public accepted */
#define TUF_SIG_MAX_LEN		2048	/* longest signature, in bytes */
#define TUF_RSA_MIN_BITS	2048
#define TUF_RSA_MAX_BITS	16384

enum tuf_scheme {
	TUF_SCHEME_ED25519 = 1,
	TUF_SCHEME_ECDSA_P256_SHA256,
	TUF_SCHEME_RSA_PSS_SHA256,
	TUF_SCHEME_RSA_PKCS1V15_SHA256,
};

struct evp_pkey_st;	/* OpenSSL's EVP_PKEY */

struct tuf_key {
	enum tuf_scheme		 scheme;
	char			 keyid[TUF_KEYID_HEXLEN + 1];	/* computed */
	unsigned char		 ed25519[TUF_ED25519_PKLEN];
	struct evp_pkey_st	*pkey;		/* ECDSA and RSA */
};

/*
 * Parse a key object {"keytype", "scheme", "keyval": {"public"}, ...} into
 * *key and compute its key id.  Returns
 *   TUF_OK           key usable; release it with tuf_key_clear();
 *   TUF_UNSUPPORTED  keytype and scheme are strings and keyval an object,
 *                    but the pair is not one this library implements (err
 *                    names them; keyval is not examined further): not an
 *                    error for thresholds, the key just verifies nothing;
 *   TUF_ERR          malformed key object or key material (err says what).
 * On anything but TUF_OK *key holds nothing to release.
 */
int	tuf_key_parse(const json_t *keyobj, struct tuf_key *key, char *err,
	    size_t errlen);
void	tuf_key_clear(struct tuf_key *key);

/*
 * The key id of a key object: the lower-case hex SHA-256 of the canonical
 * JSON of the object as it appears in metadata, with keyval reduced to its
 * "public" member (a "private" member never reaches the hash).  Any other
 * member, such as the legacy "keyid_hash_algorithms", is hashed as it is: so
 * the result matches both securesystemslib's legacy keys.py (which adds
 * keyid_hash_algorithms ["sha256", "sha512"] and then hashes) for keys that
 * carry that member, and the specification's definition for keys that do not.
 */
int	tuf_keyid_compute(const json_t *keyobj,
	    char keyid[TUF_KEYID_HEXLEN + 1], char *err, size_t errlen);

/*
 * Verify the hex signature sig_hex over msglen bytes of msg.  Returns TUF_OK,
 * TUF_BADSIG (well-formed signature that does not verify), or TUF_ERR
 * (signature malformed: bad hex, wrong length, not DER, ...).
 */
int	tuf_key_verify(const struct tuf_key *key, const void *msg,
	    size_t msglen, const char *sig_hex, char *err, size_t errlen);

/* Whether two parsed keys hold the same public key (schemes ignored). */
int	tuf_key_same_public(const struct tuf_key *a, const struct tuf_key *b);

/* The names of a scheme as they appear in metadata. */
const char *tuf_scheme_name(enum tuf_scheme scheme);

/*
 * ed25519 keys for the repository tool.  sk is libsodium's 64-byte secret key
 * (seed || public key); callers wipe it with sodium_memzero() when done.
 * tuf_ed25519_sign writes a 128-digit hex signature and a NUL to sig_hex.
 * tuf_ed25519_key_json returns a new key object
 * {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": HEX}}.
 */
int	tuf_ed25519_keygen(unsigned char pk[TUF_ED25519_PKLEN],
	    unsigned char sk[TUF_ED25519_SKLEN], char *err, size_t errlen);
int	tuf_ed25519_sign(const unsigned char sk[TUF_ED25519_SKLEN],
	    const void *msg, size_t msglen,
	    char sig_hex[2 * TUF_ED25519_SIGLEN + 1], char *err, size_t errlen);
json_t	*tuf_ed25519_key_json(const unsigned char pk[TUF_ED25519_PKLEN]);

#endif
