#include "config.h"

#include <string.h>

#include <jansson.h>

#include "json.h"
#include "tuf_util.h"

/* Iterative walks would need allocation; the depth is bounded, so recurse. */
static int
check_depth(json_t *v, int depth)
{
	const char	*key;
	json_t		*child;
	size_t		 i;

	if (!json_is_object(v) && !json_is_array(v))
		return 0;
	if (depth >= TUF_JSON_MAX_DEPTH)
		return -1;
	if (json_is_object(v)) {
		json_object_foreach(v, key, child)
			if (check_depth(child, depth + 1) != 0)
				return -1;
	} else {
		json_array_foreach(v, i, child)
			if (check_depth(child, depth + 1) != 0)
				return -1;
	}
	return 0;
}

json_t *
tuf_json_loadb(const char *buf, size_t len, size_t maxlen, int flags,
    char *err, size_t errlen)
{
	json_error_t	 jerr;
	json_t		*root;
	size_t		 jflags = JSON_REJECT_DUPLICATES;

	if (len > maxlen) {
		tuf_seterr(err, errlen, "JSON document of %zu bytes exceeds "
		    "the limit of %zu bytes", len, maxlen);
		return NULL;
	}
	if (flags & TUF_JSON_ANY)
		jflags |= JSON_DECODE_ANY;
	memset(&jerr, 0, sizeof(jerr));
	if ((root = json_loadb(buf, len, jflags, &jerr)) == NULL) {
		tuf_seterr(err, errlen, "line %d, column %d: %s",
		    jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (check_depth(root, 0) != 0) {
		json_decref(root);
		tuf_seterr(err, errlen, "JSON nested deeper than %d levels",
		    TUF_JSON_MAX_DEPTH);
		return NULL;
	}
	return root;
}

const char *
tuf_json_typename(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:	return "object";
	case JSON_ARRAY:	return "array";
	case JSON_STRING:	return "string";
	case JSON_INTEGER:	return "integer";
	case JSON_REAL:		return "real";
	case JSON_TRUE:		return "true";
	case JSON_FALSE:	return "false";
	case JSON_NULL:		return "null";
	}
	return "unknown";
}

static json_t *
member(const json_t *obj, const char *key, char *err, size_t errlen)
{
	json_t	*v;

	if (!json_is_object(obj)) {
		tuf_seterr(err, errlen, "looking up \"%s\" in %s, not an "
		    "object", key, tuf_json_typephrase(obj));
		return NULL;
	}
	if ((v = json_object_get(obj, key)) == NULL)
		tuf_seterr(err, errlen, "missing \"%s\"", key);
	return v;
}

const char *
tuf_json_typephrase(const json_t *v)
{
	if (v == NULL)
		return "missing";
	switch (json_typeof(v)) {
	case JSON_OBJECT:	return "an object";
	case JSON_ARRAY:	return "an array";
	case JSON_STRING:	return "a string";
	case JSON_INTEGER:	return "an integer";
	case JSON_REAL:		return "a real number";
	case JSON_TRUE:		return "true";
	case JSON_FALSE:	return "false";
	case JSON_NULL:		return "null";
	}
	return "of unknown type";
}

static int
wrongtype(const json_t *v, const char *key, const char *want, char *err,
    size_t errlen)
{
	tuf_seterr(err, errlen, "\"%s\" is %s, not %s", key,
	    tuf_json_typephrase(v), want);
	return TUF_ERR;
}

int
tuf_json_get_object(const json_t *obj, const char *key, json_t **out,
    char *err, size_t errlen)
{
	json_t	*v;

	if ((v = member(obj, key, err, errlen)) == NULL)
		return TUF_ERR;
	if (!json_is_object(v))
		return wrongtype(v, key, "an object", err, errlen);
	*out = v;
	return TUF_OK;
}

int
tuf_json_get_array(const json_t *obj, const char *key, json_t **out,
    char *err, size_t errlen)
{
	json_t	*v;

	if ((v = member(obj, key, err, errlen)) == NULL)
		return TUF_ERR;
	if (!json_is_array(v))
		return wrongtype(v, key, "an array", err, errlen);
	*out = v;
	return TUF_OK;
}

int
tuf_json_get_string(const json_t *obj, const char *key, const char **out,
    size_t *lenp, char *err, size_t errlen)
{
	json_t		*v;
	const char	*s;
	size_t		 len;

	if ((v = member(obj, key, err, errlen)) == NULL)
		return TUF_ERR;
	if (!json_is_string(v))
		return wrongtype(v, key, "a string", err, errlen);
	s = json_string_value(v);
	len = json_string_length(v);
	if (strlen(s) != len) {
		tuf_seterr(err, errlen, "\"%s\" contains a NUL character", key);
		return TUF_ERR;
	}
	*out = s;
	if (lenp != NULL)
		*lenp = len;
	return TUF_OK;
}

int
tuf_json_get_int(const json_t *obj, const char *key, int64_t *out,
    char *err, size_t errlen)
{
	json_t	*v;

	if ((v = member(obj, key, err, errlen)) == NULL)
		return TUF_ERR;
	if (!json_is_integer(v))
		return wrongtype(v, key, "an integer", err, errlen);
	*out = (int64_t)json_integer_value(v);
	return TUF_OK;
}

int
tuf_json_get_bool(const json_t *obj, const char *key, int *out,
    char *err, size_t errlen)
{
	json_t	*v;

	if ((v = member(obj, key, err, errlen)) == NULL)
		return TUF_ERR;
	if (!json_is_boolean(v))
		return wrongtype(v, key, "a boolean", err, errlen);
	*out = json_is_true(v);
	return TUF_OK;
}
