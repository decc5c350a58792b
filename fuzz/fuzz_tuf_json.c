/*
 * TUF metadata input: tuf_json_loadb on any bytes (what the client does
 * with every file it downloads), the typed accessors on the members the
 * client reads, and canonical JSON (what signatures cover): the canonical
 * form of an accepted document must itself load, and canonicalise to the
 * same bytes, unless it holds control characters: OLPC canonical JSON writes
 * them raw (a newline stays a newline byte), which is no longer JSON.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "canonical_json.h"
#include "fuzz.h"
#include "json.h"
#include "tuf_util.h"

#define FUZZ_MAXLEN	(1024 * 1024)

static volatile size_t sink;

static void
read_members(const json_t *doc)
{
	const char *s;
	json_t *o;
	int64_t n;
	size_t len;
	int b;
	char err[256];

	if (!json_is_object(doc))
		return;
	if (tuf_json_get_object(doc, "signed", &o, err, sizeof(err)) == 0) {
		if (tuf_json_get_string(o, "_type", &s, &len, err,
		    sizeof(err)) == 0)
			sink += len + strlen(s);
		if (tuf_json_get_int(o, "version", &n, err, sizeof(err)) == 0)
			sink += (size_t)n;
		if (tuf_json_get_string(o, "expires", &s, NULL, err,
		    sizeof(err)) == 0)
			sink += strlen(s);
		if (tuf_json_get_bool(o, "consistent_snapshot", &b, err,
		    sizeof(err)) == 0)
			sink += (size_t)b;
		(void)tuf_json_get_object(o, "keys", &o, err, sizeof(err));
	}
	if (tuf_json_get_array(doc, "signatures", &o, err, sizeof(err)) == 0)
		sink += json_array_size(o);
	sink += strlen(err) + strlen(tuf_json_typephrase(doc)) +
	    strlen(tuf_json_typename(doc));
}

static int
has_control(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tuf_buf c1, c2;
	json_t *doc, *doc2;
	char err[256];
	int flags;

	flags = size > 0 && (data[0] & 1) ? TUF_JSON_ANY : 0;
	doc = tuf_json_loadb((const char *)data, size, FUZZ_MAXLEN, flags, err,
	    sizeof(err));
	if (doc == NULL) {
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			fuzz_fail("refused without a terminated message");
		return 0;
	}
	read_members(doc);

	tuf_buf_init(&c1, FUZZ_MAXLEN);
	tuf_buf_init(&c2, FUZZ_MAXLEN);
	if (tuf_canonical_json(doc, &c1, err, sizeof(err)) == TUF_OK &&
	    !has_control(c1.data, c1.len)) {
		doc2 = tuf_json_loadb((const char *)c1.data, c1.len,
		    FUZZ_MAXLEN, TUF_JSON_ANY, err, sizeof(err));
		if (doc2 == NULL)
			fuzz_fail("canonical form does not load: %s", err);
		if (tuf_canonical_json(doc2, &c2, err, sizeof(err)) != TUF_OK)
			fuzz_fail("canonical form does not canonicalise: %s",
			    err);
		if (c1.len != c2.len || memcmp(c1.data, c2.data, c1.len) != 0)
			fuzz_fail("canonical form is not stable");
		json_decref(doc2);
	}
	tuf_buf_free(&c1);
	tuf_buf_free(&c2);
	json_decref(doc);
	return 0;
}
