/*
 * JSON input for the TUF library: jansson with duplicate keys rejected, a hard
 * size limit, a nesting limit, and errors that name the line and column.
 * Small typed accessors name the missing or mistyped member in their errors.
 */
#ifndef LOCKPROBE_TUF_JSON_H
#define LOCKPROBE_TUF_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Deepest nesting of arrays and objects accepted by tuf_json_loadb. */
#define TUF_JSON_MAX_DEPTH	64

/* flags for tuf_json_loadb */
#define TUF_JSON_ANY		0x1	/* accept any top-level value, not only
					   an object or an array */

/*
 * Parse len bytes of buf.  Refused: more than maxlen bytes, invalid UTF-8,
 * duplicate object keys, NUL characters in strings, trailing data, nesting
 * deeper than TUF_JSON_MAX_DEPTH, and (without TUF_JSON_ANY) a top-level
 * value that is not an object or an array.  Returns a new reference, or NULL
 * with "line L, column C: reason" in err.
 */
json_t	*tuf_json_loadb(const char *buf, size_t len, size_t maxlen, int flags,
	    char *err, size_t errlen);

/* "object", "array", "string", "integer", "real", "true", "false", "null" */
const char *tuf_json_typename(const json_t *v);
/* "an object", "an array", "a string", ..., "null"; "missing" for NULL */
const char *tuf_json_typephrase(const json_t *v);

/*
 * Typed members of an object.  Each returns TUF_OK, or TUF_ERR with
 * 'missing "KEY"' or '"KEY" is a TYPE, not a WANTED' in err.  The returned
 * pointers borrow from obj.  tuf_json_get_string refuses strings that
 * contain NUL; *lenp (if not NULL) receives the length.
 */
int	tuf_json_get_object(const json_t *obj, const char *key, json_t **out,
	    char *err, size_t errlen);
int	tuf_json_get_array(const json_t *obj, const char *key, json_t **out,
	    char *err, size_t errlen);
int	tuf_json_get_string(const json_t *obj, const char *key,
	    const char **out, size_t *lenp, char *err, size_t errlen);
int	tuf_json_get_int(const json_t *obj, const char *key, int64_t *out,
	    char *err, size_t errlen);
int	tuf_json_get_bool(const json_t *obj, const char *key, int *out,
	    char *err, size_t errlen);

#endif
