/*
 * products: the configuration targets netd takes from the repository, and
 * which of them apply to this host.
 *
 * A target is PRODUCT/ID.json, ID being 1-64 characters of A-Z a-z 0-9
 * . _ -.  Products:
 *   lockstat  collector settings, sent to lockprobed (ConfigApply); the
 *             JSON fields are CollectorSettings' field names;
 *   netd      netd's own settings: poll_interval_sec, log_level.
 * Unknown fields and wrong types are errors naming the target and field.
 *
 * Scope: the signed custom fields {"hosts": [...], "tags": [...]} of the
 * target, as lockprobe-repo add -H and -T write them (other custom fields
 * are left alone).  A target naming this host's name in hosts
 * ranks first, one naming one of its tags second, one with neither list
 * third; one whose lists name neither does not apply.  Per product the
 * highest rank wins, and among equals the target path that sorts first
 * (strcmp), so every host of a fleet decides alike.
 */
#ifndef LOCKPROBE_PRODUCTS_H
#define LOCKPROBE_PRODUCTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "conf.h"
#include "lockprobe.pb-c.h"

#define PRODUCT_MAX_FILE	(64 * 1024)	/* bytes of one target */
#define PRODUCT_MAX_SCOPE	1024		/* names in hosts or tags */
#define PRODUCT_MAX_ID		64

enum product {
	PRODUCT_LOCKSTAT,
	PRODUCT_NETD,
	PRODUCT_COUNT
};

enum scope_rank {
	SCOPE_NONE = 0,		/* does not apply to this host */
	SCOPE_ANY,
	SCOPE_TAG,
	SCOPE_HOST
};

struct host_id {
	const char	*name;			/* "" if unknown */
	char		 tags[CONF_MAX_TAGS][CONF_MAX_TAG + 1];
	size_t		 ntags;
};

/* netd's own remote settings; has_* 0: keep the local value. */
struct netd_settings {
	int		has_poll_interval;
	uint32_t	poll_interval_sec;
	int		has_log_level;
	int		log_level;		/* syslog priority */
};

const char *product_name(enum product p);

/* The product of a target path, or -1 for a path that is none of ours. */
int	product_of(const char *path);

/* The scope rank of a target for this host; -1 with the reason in err. */
int	product_scope(const char *path, json_t *custom,
	    const struct host_id *h, char *err, size_t errlen);

/*
 * Parse a lockstat target into a new CollectorSettings (free it with
 * protobuf_c_message_free_unpacked(&s->base, NULL)), checked with
 * settings_check.  Returns NULL with "PATH: FIELD: reason" in err.
 */
Lockprobe__CollectorSettings *product_parse_lockstat(const char *path,
	    const void *data, size_t len, char *err, size_t errlen);

/* Parse a netd target.  Returns 0, or -1 with "PATH: FIELD: reason". */
int	product_parse_netd(const char *path, const void *data, size_t len,
	    struct netd_settings *out, char *err, size_t errlen);

#endif
