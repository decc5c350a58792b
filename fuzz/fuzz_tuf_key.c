/*
 * TUF keys: a JSON document {"key": KEY-OBJECT, "sig": HEX} (or a bare key
 * object) through tuf_keyid_compute, tuf_key_parse and, for a usable key,
 * tuf_key_verify of the signature over a fixed message: the paths every key
 * of root and delegating metadata, and every signature, take.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "keys.h"
#include "tuf_util.h"

/* the message of tests/check_tuf_crypto.c's vectors (signed by the seeds) */
static const char msg[] =
    "{\"_type\":\"root\",\"n\":\"caf\303\251\n\\\"x\\\"\",\"version\":1}";
static const char ed25519_sig[] =
    "4678902ab238f0ec62e7a5fa387f0f3ceda531e640dcdb78c6f7163d261d1773"
    "32f340a5eb98752e4d0578dd765ffc134155f0704e10bb845d331ede7e7d6408";

static volatile size_t sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char keyid[TUF_KEYID_HEXLEN + 1], err[256];
	const char *sig = ed25519_sig;
	struct tuf_key key, other;
	json_t *doc, *keyobj, *s;
	int rv;

	doc = tuf_json_loadb((const char *)data, size, 64 * 1024, 0, err,
	    sizeof(err));
	if (doc == NULL)
		return 0;
	keyobj = doc;
	if (json_is_object(doc) && json_is_object(json_object_get(doc, "key"))) {
		keyobj = json_object_get(doc, "key");
		if ((s = json_object_get(doc, "sig")) != NULL &&
		    json_is_string(s))
			sig = json_string_value(s);
	}
	if (tuf_keyid_compute(keyobj, keyid, err, sizeof(err)) == TUF_OK &&
	    strlen(keyid) != TUF_KEYID_HEXLEN)
		fuzz_fail("key id of %zu digits", strlen(keyid));
	rv = tuf_key_parse(keyobj, &key, err, sizeof(err));
	if (rv != TUF_OK && rv != TUF_ERR && rv != TUF_UNSUPPORTED)
		fuzz_fail("tuf_key_parse returned %d", rv);
	if (rv == TUF_OK) {
		rv = tuf_key_verify(&key, msg, sizeof(msg) - 1, sig, err,
		    sizeof(err));
		if (rv != TUF_OK && rv != TUF_ERR && rv != TUF_BADSIG)
			fuzz_fail("tuf_key_verify returned %d", rv);
		if (!tuf_key_same_public(&key, &key))
			fuzz_fail("a key differs from itself");
		if (tuf_key_parse(keyobj, &other, err, sizeof(err)) != TUF_OK)
			fuzz_fail("a key parses only once");
		if (!tuf_key_same_public(&key, &other))
			fuzz_fail("a key parsed twice differs");
		sink += strlen(tuf_scheme_name(key.scheme));
		tuf_key_clear(&other);
		tuf_key_clear(&key);
	}
	json_decref(doc);
	return 0;
}
