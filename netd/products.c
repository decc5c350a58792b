/*
 * products: configuration targets, JSON to typed settings, and their scope.
 * See products.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <jansson.h>

#include "json.h"
#include "products.h"
#include "settings.h"
#include "tuf_util.h"

static const char *const product_names[PRODUCT_COUNT] = {
	[PRODUCT_LOCKSTAT] = "lockstat",
	[PRODUCT_NETD] = "netd",
};

const char *
product_name(enum product p)
{
	return p < PRODUCT_COUNT ? product_names[p] : "unknown";
}

int
product_of(const char *path)
{
	const char	*id;
	size_t		 plen, idlen;
	int		 p;

	for (p = 0; p < PRODUCT_COUNT; p++) {
		plen = strlen(product_names[p]);
		if (strncmp(path, product_names[p], plen) != 0 ||
		    path[plen] != '/')
			continue;
		id = path + plen + 1;
		idlen = strlen(id);
		if (idlen <= 5 || strcmp(id + idlen - 5, ".json") != 0)
			return -1;
		idlen -= 5;
		if (idlen > PRODUCT_MAX_ID || strspn(id, "ABCDEFGHIJKLMNOPQRSTUV"
		    "WXYZabcdefghijklmnopqrstuvwxyz0123456789._-") < idlen ||
		    id[0] == '.')
			return -1;
		return p;
	}
	return -1;
}

/* Whether the string array list (already checked) holds name. */
static int
names_have(json_t *list, const char *name)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(list, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
}

static int
check_names(const char *path, const char *field, json_t *list, char *err,
    size_t errlen)
{
	json_t	*v;
	size_t	 i;

	if (!json_is_array(list)) {
		tuf_seterr(err, errlen, "%s: custom.%s is %s, not an array "
		    "of names", path, field,
		    tuf_json_typephrase(list));
		return -1;
	}
	if (json_array_size(list) > PRODUCT_MAX_SCOPE) {
		tuf_seterr(err, errlen, "%s: custom.%s: more than "
		    "%d names", path, field, PRODUCT_MAX_SCOPE);
		return -1;
	}
	json_array_foreach(list, i, v)
		if (!json_is_string(v)) {
			tuf_seterr(err, errlen, "%s: custom.%s[%zu] "
			    "is %s, not a string", path, field, i,
			    tuf_json_typephrase(v));
			return -1;
		}
	return 0;
}

int
product_scope(const char *path, json_t *custom, const struct host_id *h,
    char *err, size_t errlen)
{
	json_t	*hosts, *tags;
	size_t	 i;

	if (custom == NULL)
		return SCOPE_ANY;
	if (!json_is_object(custom)) {
		tuf_seterr(err, errlen, "%s: custom is %s, not an object",
		    path, tuf_json_typephrase(custom));
		return -1;
	}
	hosts = json_object_get(custom, "hosts");
	tags = json_object_get(custom, "tags");
	if ((hosts != NULL && check_names(path, "hosts", hosts, err,
	    errlen) == -1) || (tags != NULL && check_names(path, "tags", tags,
	    err, errlen) == -1))
		return -1;
	if (hosts == NULL && tags == NULL)
		return SCOPE_ANY;
	if (hosts != NULL && h->name[0] != '\0' && names_have(hosts, h->name))
		return SCOPE_HOST;
	for (i = 0; tags != NULL && i < h->ntags; i++)
		if (names_have(tags, h->tags[i]))
			return SCOPE_TAG;
	return SCOPE_NONE;
}

static json_t *
load_object(const char *path, const void *data, size_t len, char *err,
    size_t errlen)
{
	json_t	*doc;

	if ((doc = tuf_json_loadb(data, len, PRODUCT_MAX_FILE, 0, err,
	    errlen)) == NULL) {
		tuf_preferr(err, errlen, "%s", path);
		return NULL;
	}
	if (!json_is_object(doc)) {
		tuf_seterr(err, errlen, "%s: the file is %s, not an object",
		    path, tuf_json_typephrase(doc));
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static int
get_uint32(const char *path, const char *key, json_t *v, uint32_t *out,
    char *err, size_t errlen)
{
	json_int_t	n;

	if (!json_is_integer(v)) {
		tuf_seterr(err, errlen, "%s: %s is %s, not a whole number",
		    path, key, tuf_json_typephrase(v));
		return -1;
	}
	n = json_integer_value(v);
	if (n < 0 || n > UINT32_MAX) {
		tuf_seterr(err, errlen, "%s: %s: %lld is out of bounds", path,
		    key, (long long)n);
		return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

/* A new array of copies of the strings of v, at most max of them. */
static int
get_strings(const char *path, const char *key, json_t *v, size_t max,
    char ***out, size_t *nout, char *err, size_t errlen)
{
	json_t	*s;
	size_t	 i, n;

	if (!json_is_array(v)) {
		tuf_seterr(err, errlen, "%s: %s is %s, not an array of "
		    "strings", path, key, tuf_json_typephrase(v));
		return -1;
	}
	if ((n = json_array_size(v)) > max) {
		tuf_seterr(err, errlen, "%s: %s: %zu entries; at most %zu",
		    path, key, n, max);
		return -1;
	}
	if (n == 0)
		return 0;
	if ((*out = calloc(n, sizeof(**out))) == NULL)
		goto oom;
	json_array_foreach(v, i, s) {
		if (!json_is_string(s)) {
			tuf_seterr(err, errlen, "%s: %s[%zu] is %s, not a "
			    "string", path, key, i, tuf_json_typephrase(s));
			return -1;
		}
		if (((*out)[i] = strdup(json_string_value(s))) == NULL)
			goto oom;
		*nout = i + 1;
	}
	return 0;
 oom:
	tuf_seterr(err, errlen, "%s: out of memory", path);
	return -1;
}

Lockprobe__CollectorSettings *
product_parse_lockstat(const char *path, const void *data, size_t len,
    char *err, size_t errlen)
{
	Lockprobe__CollectorSettings	*s;
	json_t				*doc, *v;
	const char			*key;
	char				 why[256], vis[64];
	int				 rc = 0;

	if ((doc = load_object(path, data, len, err, errlen)) == NULL)
		return NULL;
	if ((s = malloc(sizeof(*s))) == NULL) {
		json_decref(doc);
		tuf_seterr(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	lockprobe__collector_settings__init(s);
	json_object_foreach(doc, key, v) {
		if (strcmp(key, "enabled") == 0) {
			if (!json_is_boolean(v)) {
				tuf_seterr(err, errlen, "%s: enabled is %s, "
				    "not true or false", path,
				    tuf_json_typephrase(v));
				rc = -1;
			}
			s->has_enabled = 1;
			s->enabled = json_is_true(v);
		} else if (strcmp(key, "rewalk_interval_sec") == 0) {
			rc = get_uint32(path, key, v, &s->rewalk_interval_sec,
			    err, errlen);
			s->has_rewalk_interval_sec = 1;
		} else if (strcmp(key, "range_budget") == 0) {
			rc = get_uint32(path, key, v, &s->range_budget, err,
			    errlen);
			s->has_range_budget = 1;
		} else if (strcmp(key, "include") == 0)
			rc = get_strings(path, key, v, SETTINGS_MAX_GLOBS,
			    &s->include, &s->n_include, err, errlen);
		else if (strcmp(key, "exclude") == 0)
			rc = get_strings(path, key, v, SETTINGS_MAX_GLOBS,
			    &s->exclude, &s->n_exclude, err, errlen);
		else if (strcmp(key, "map_types") == 0)
			rc = get_strings(path, key, v, SETTINGS_MAX_MAP_TYPES,
			    &s->map_types, &s->n_map_types, err, errlen);
		else {
			tuf_seterr(err, errlen, "%s: %s: unknown field; "
			    "the fields are enabled, rewalk_interval_sec, "
			    "range_budget, include, exclude and map_types",
			    path, tuf_strvis(vis, sizeof(vis), key,
			    strlen(key)));
			rc = -1;
		}
		if (rc == -1)
			break;
	}
	json_decref(doc);
	if (rc == 0 && settings_check(s, why, sizeof(why)) == -1) {
		tuf_seterr(err, errlen, "%s: %s", path, why);
		rc = -1;
	}
	if (rc == -1) {
		protobuf_c_message_free_unpacked(&s->base, NULL);
		return NULL;
	}
	return s;
}

static const struct {
	const char	*name;
	int		 level;
} netd_log_levels[] = {
	{ "error", LOG_ERR },
	{ "warning", LOG_WARNING },
	{ "info", LOG_INFO },
	{ "debug", LOG_DEBUG },
};

int
product_parse_netd(const char *path, const void *data, size_t len,
    struct netd_settings *out, char *err, size_t errlen)
{
	json_t		*doc, *v;
	const char	*key;
	char		 vis[64];
	size_t		 i;
	int		 rc = 0;

	memset(out, 0, sizeof(*out));
	if ((doc = load_object(path, data, len, err, errlen)) == NULL)
		return -1;
	json_object_foreach(doc, key, v) {
		if (strcmp(key, "poll_interval_sec") == 0) {
			if ((rc = get_uint32(path, key, v,
			    &out->poll_interval_sec, err, errlen)) == 0 &&
			    (out->poll_interval_sec < CONF_POLL_MIN ||
			    out->poll_interval_sec > CONF_POLL_MAX)) {
				tuf_seterr(err, errlen, "%s: %s: %u is out of "
				    "bounds; use %d to %d seconds", path, key,
				    out->poll_interval_sec, CONF_POLL_MIN,
				    CONF_POLL_MAX);
				rc = -1;
			}
			out->has_poll_interval = 1;
		} else if (strcmp(key, "log_level") == 0) {
			rc = -1;
			for (i = 0; json_is_string(v) && i <
			    sizeof(netd_log_levels) / sizeof(netd_log_levels[0]);
			    i++)
				if (strcmp(json_string_value(v),
				    netd_log_levels[i].name) == 0) {
					out->log_level =
					    netd_log_levels[i].level;
					rc = 0;
				}
			if (rc == -1)
				tuf_seterr(err, errlen, "%s: log_level: not "
				    "one of \"error\", \"warning\", \"info\", "
				    "\"debug\"", path);
			out->has_log_level = 1;
		} else {
			tuf_seterr(err, errlen, "%s: %s: unknown field; the "
			    "fields are poll_interval_sec and log_level", path,
			    tuf_strvis(vis, sizeof(vis), key, strlen(key)));
			rc = -1;
		}
		if (rc == -1)
			break;
	}
	json_decref(doc);
	return rc;
}
