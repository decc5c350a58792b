/*
 * The canonical JSON form that TUF signs: OLPC canonical JSON as
 * securesystemslib's encode_canonical() writes it.
 *   - object members sorted by key, compared by Unicode code point (the same
 *     order as comparing the UTF-8 bytes);
 *   - no whitespace between tokens;
 *   - strings as their raw UTF-8 bytes between double quotes, with only
 *     backslash and double quote escaped (a newline stays a newline byte);
 *   - integers in decimal, true, false, null;
 *   - floating-point numbers are refused.
 */
#ifndef LOCKPROBE_TUF_CANONICAL_JSON_H
#define LOCKPROBE_TUF_CANONICAL_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "tuf_util.h"

/*
 * Append the canonical form of v to out (whose max bounds the output).
 * Returns TUF_OK, or TUF_ERR naming the JSON path of the offending value
 * ("$.signed.expires") or the exceeded limit.  On error out may hold a partial
 * result.  Nesting is bounded by TUF_JSON_MAX_DEPTH.
 */
int	tuf_canonical_json(const json_t *v, struct tuf_buf *out, char *err,
	    size_t errlen);

#endif
