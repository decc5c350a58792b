#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "canonical_json.h"
#include "json.h"
#include "tuf_util.h"

#define PATH_MAXLEN	256

struct canon {
	struct tuf_buf	*out;
	char		*err;
	size_t		 errlen;
	char		 path[PATH_MAXLEN];	/* "$.a.b[3]" for errors */
	size_t		 pathlen;
};

struct member {
	const char	*key;
	size_t		 keylen;
	json_t		*value;
};

static int	encode(struct canon *, const json_t *, int);

static size_t
path_set(struct canon *c, size_t old, int n)
{
	if (n > 0)
		c->pathlen = old + (size_t)n >= sizeof(c->path) ?
		    sizeof(c->path) - 1 : old + (size_t)n;
	return old;
}

static size_t
path_push_key(struct canon *c, const char *key, size_t keylen)
{
	char	vis[80];

	return path_set(c, c->pathlen, snprintf(c->path + c->pathlen,
	    sizeof(c->path) - c->pathlen, ".%s",
	    tuf_strvis(vis, sizeof(vis), key, keylen)));
}

static size_t
path_push_index(struct canon *c, size_t index)
{
	return path_set(c, c->pathlen, snprintf(c->path + c->pathlen,
	    sizeof(c->path) - c->pathlen, "[%zu]", index));
}

static void
path_pop(struct canon *c, size_t old)
{
	c->pathlen = old;
	c->path[old] = '\0';
}

static int
put(struct canon *c, const void *data, size_t len)
{
	if (tuf_buf_append(c->out, data, len, c->err, c->errlen) != TUF_OK) {
		tuf_preferr(c->err, c->errlen, "canonical JSON at %s", c->path);
		return TUF_ERR;
	}
	return TUF_OK;
}

static int
put_string(struct canon *c, const char *s, size_t len)
{
	size_t	i, run = 0;

	if (put(c, "\"", 1) != TUF_OK)
		return TUF_ERR;
	for (i = 0; i < len; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		if (put(c, s + run, i - run) != TUF_OK ||
		    put(c, "\\", 1) != TUF_OK)
			return TUF_ERR;
		run = i;	/* the quote or backslash itself goes next */
	}
	if (put(c, s + run, len - run) != TUF_OK)
		return TUF_ERR;
	return put(c, "\"", 1);
}

static int
member_cmp(const void *a, const void *b)
{
	const struct member	*ma = a, *mb = b;
	size_t			 n = ma->keylen < mb->keylen ?
				    ma->keylen : mb->keylen;
	int			 r;

	/* UTF-8 byte order is code point order. */
	if ((r = memcmp(ma->key, mb->key, n)) != 0)
		return r;
	return (ma->keylen > mb->keylen) - (ma->keylen < mb->keylen);
}

static int
encode_object(struct canon *c, const json_t *v, int depth)
{
	struct member	*m;
	const char	*key;
	json_t		*value;
	size_t		 n, i, old;
	void		*iter;
	int		 rc = TUF_ERR;

	n = json_object_size(v);
	if (n == 0)
		return put(c, "{}", 2);
	if ((m = calloc(n, sizeof(*m))) == NULL) {
		tuf_seterr(c->err, c->errlen, "out of memory");
		return TUF_ERR;
	}
	/* json_object_iter wants a non-const object; it does not modify it. */
	i = 0;
	for (iter = json_object_iter((json_t *)(uintptr_t)v);
	    iter != NULL && i < n;
	    iter = json_object_iter_next((json_t *)(uintptr_t)v, iter)) {
		key = json_object_iter_key(iter);
		value = json_object_iter_value(iter);
		m[i].key = key;
		m[i].keylen = json_object_iter_key_len(iter);
		m[i].value = value;
		i++;
	}
	n = i;
	qsort(m, n, sizeof(*m), member_cmp);

	if (put(c, "{", 1) != TUF_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if (i > 0 && put(c, ",", 1) != TUF_OK)
			goto out;
		if (put_string(c, m[i].key, m[i].keylen) != TUF_OK ||
		    put(c, ":", 1) != TUF_OK)
			goto out;
		old = path_push_key(c, m[i].key, m[i].keylen);
		if (encode(c, m[i].value, depth + 1) != TUF_OK)
			goto out;
		path_pop(c, old);
	}
	rc = put(c, "}", 1);
 out:
	free(m);
	return rc;
}

static int
encode(struct canon *c, const json_t *v, int depth)
{
	char	num[32];
	size_t	i, old;
	int	n;

	if (depth > TUF_JSON_MAX_DEPTH) {
		tuf_seterr(c->err, c->errlen, "canonical JSON at %s: nested "
		    "deeper than %d levels", c->path, TUF_JSON_MAX_DEPTH);
		return TUF_ERR;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return encode_object(c, v, depth);
	case JSON_ARRAY:
		if (put(c, "[", 1) != TUF_OK)
			return TUF_ERR;
		for (i = 0; i < json_array_size(v); i++) {
			if (i > 0 && put(c, ",", 1) != TUF_OK)
				return TUF_ERR;
			old = path_push_index(c, i);
			if (encode(c, json_array_get(v, i), depth + 1) !=
			    TUF_OK)
				return TUF_ERR;
			path_pop(c, old);
		}
		return put(c, "]", 1);
	case JSON_STRING:
		return put_string(c, json_string_value(v),
		    json_string_length(v));
	case JSON_INTEGER:
		n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return put(c, num, (size_t)n);
	case JSON_TRUE:
		return put(c, "true", 4);
	case JSON_FALSE:
		return put(c, "false", 5);
	case JSON_NULL:
		return put(c, "null", 4);
	case JSON_REAL:
		tuf_seterr(c->err, c->errlen, "canonical JSON at %s: "
		    "floating-point numbers have no canonical form", c->path);
		return TUF_ERR;
	}
	tuf_seterr(c->err, c->errlen, "canonical JSON at %s: unknown JSON type",
	    c->path);
	return TUF_ERR;
}

int
tuf_canonical_json(const json_t *v, struct tuf_buf *out, char *err,
    size_t errlen)
{
	struct canon	c;

	if (v == NULL) {
		tuf_seterr(err, errlen, "canonical JSON: no value");
		return TUF_ERR;
	}
	memset(&c, 0, sizeof(c));
	c.out = out;
	c.err = err;
	c.errlen = errlen;
	c.path[0] = '$';
	c.pathlen = 1;
	return encode(&c, v, 0);
}
