/*
 * The broker: the one path by which the collector's settings change.
 * lockprobe.conf gives the local settings; a remote configuration (a
 * ConfigApply from netd, for product lockstat) overrides the fields it
 * sets.  The broker merges the two, checks the result against the bounds
 * of common/settings.h (netd may be compromised: whatever it checked is
 * checked again), and has the collector apply it all or nothing.  A SIGHUP
 * reload goes through the same path, with the remote fields kept.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "ipc.h"
#include "lockprobed.h"
#include "log.h"
#include "settings.h"

#define BROKER_PRODUCT		"lockstat"
#define BROKER_TARGET_MAX	200	/* characters of a target name */
#define BROKER_APPLY_BURST	32	/* ConfigApply: a burst, then */
#define BROKER_APPLY_RATE	2.0	/* this many a second */

/* The fields of a CollectorSettings that a target set. */
#define BROKER_F_ENABLED	0x01
#define BROKER_F_REWALK		0x02
#define BROKER_F_BUDGET		0x04
#define BROKER_F_INCLUDE	0x08
#define BROKER_F_EXCLUDE	0x10
#define BROKER_F_MAP_TYPES	0x20

#define ORIGIN_LOCAL		"lockprobe.conf"

void
broker_local(const struct lp_conf *conf, struct collector_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->enabled = conf->collector_enabled;
	s->rewalk_interval = conf->rewalk_interval;
	s->range_budget = conf->range_budget;
	s->include = conf->map_include;
	s->exclude = conf->map_exclude;
	s->map_types = conf->map_types;
}

void
broker_init(struct privd *pd)
{
	struct broker *b = &pd->broker;

	memset(b, 0, sizeof(*b));
	(void)snprintf(b->origin, sizeof(b->origin), "%s", ORIGIN_LOCAL);
	b->tokens = BROKER_APPLY_BURST;
	b->refill = monotonic_ns();
}

static void
words_to_msg(char **out, size_t *n, const struct conf_words *w)
{
	unsigned int i;

	for (i = 0; i < w->n; i++)
		out[i] = (char *)(uintptr_t)w->w[i];
	*n = w->n;
}

void
settings_msg_fill(struct settings_msg *m, const struct collector_settings *s)
{
	lockprobe__collector_settings__init(&m->msg);
	m->msg.has_enabled = 1;
	m->msg.enabled = s->enabled != 0;
	m->msg.has_rewalk_interval_sec = 1;
	m->msg.rewalk_interval_sec = s->rewalk_interval;
	m->msg.has_range_budget = 1;
	m->msg.range_budget = s->range_budget;
	words_to_msg(m->include, &m->msg.n_include, &s->include);
	m->msg.include = m->include;
	words_to_msg(m->exclude, &m->msg.n_exclude, &s->exclude);
	m->msg.exclude = m->exclude;
	words_to_msg(m->map_types, &m->msg.n_map_types, &s->map_types);
	m->msg.map_types = m->map_types;
}

/* Copy a checked list of words (settings_check bounded count and length). */
static void
words_from_msg(struct conf_words *w, char **in, size_t n)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < n && i < CONF_MAX_WORDS; i++)
		(void)snprintf(w->w[i], sizeof(w->w[i]), "%s", in[i]);
	w->n = (unsigned int)i;
}

/*
 * The fields a target set, taken from a message settings_check accepted.
 * A list left empty takes lockprobe.conf's: proto2 cannot tell an empty
 * list from one left out.
 */
static unsigned int
remote_from_msg(struct collector_settings *r,
    const Lockprobe__CollectorSettings *m)
{
	unsigned int fields = 0;

	memset(r, 0, sizeof(*r));
	if (m->has_enabled) {
		r->enabled = m->enabled != 0;
		fields |= BROKER_F_ENABLED;
	}
	if (m->has_rewalk_interval_sec) {
		r->rewalk_interval = m->rewalk_interval_sec;
		fields |= BROKER_F_REWALK;
	}
	if (m->has_range_budget) {
		r->range_budget = m->range_budget;
		fields |= BROKER_F_BUDGET;
	}
	if (m->n_include > 0) {
		words_from_msg(&r->include, m->include, m->n_include);
		fields |= BROKER_F_INCLUDE;
	}
	if (m->n_exclude > 0) {
		words_from_msg(&r->exclude, m->exclude, m->n_exclude);
		fields |= BROKER_F_EXCLUDE;
	}
	if (m->n_map_types > 0) {
		words_from_msg(&r->map_types, m->map_types, m->n_map_types);
		fields |= BROKER_F_MAP_TYPES;
	}
	return fields;
}

/* local, with the fields of remote on top. */
static void
merge(struct collector_settings *out, const struct collector_settings *local,
    const struct collector_settings *remote, unsigned int fields)
{
	*out = *local;
	if (fields & BROKER_F_ENABLED)
		out->enabled = remote->enabled;
	if (fields & BROKER_F_REWALK)
		out->rewalk_interval = remote->rewalk_interval;
	if (fields & BROKER_F_BUDGET)
		out->range_budget = remote->range_budget;
	if (fields & BROKER_F_INCLUDE)
		out->include = remote->include;
	if (fields & BROKER_F_EXCLUDE)
		out->exclude = remote->exclude;
	if (fields & BROKER_F_MAP_TYPES)
		out->map_types = remote->map_types;
}

/* Check the merged settings again, then apply them all or nothing. */
static int
check_and_apply(struct privd *pd, const struct collector_settings *s,
    char *err, size_t errlen)
{
	struct settings_msg m;

	settings_msg_fill(&m, s);
	if (settings_check(&m.msg, err, errlen) == -1)
		return -1;
	return collector_apply(pd, s, err, errlen);
}

static void
describe(const struct collector_settings *s, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%s, rewalk-interval %u s, range-budget %u, "
	    "%u include, %u exclude, %u map types",
	    s->enabled ? "enabled" : "disabled", s->rewalk_interval,
	    s->range_budget, s->include.n, s->exclude.n, s->map_types.n);
}

/*
 * The local settings of a configuration being reloaded, under the remote
 * fields still in force.  On error nothing changed and the caller keeps
 * the running configuration.
 */
int
broker_reload(struct privd *pd, const struct lp_conf *conf, char *err,
    size_t errlen)
{
	struct broker *b = &pd->broker;
	struct collector_settings local, merged;
	char why[512], what[256];

	broker_local(conf, &local);
	merge(&merged, &local, &b->remote, b->have_remote ?
	    b->remote_fields : 0);
	if (check_and_apply(pd, &merged, why, sizeof(why)) == -1) {
		(void)snprintf(err, errlen, "%s: collector settings%s%s: %s\n",
		    pd->conf_path, b->have_remote ? " under " : "",
		    b->have_remote ? b->remote_origin : "", why);
		return -1;
	}
	describe(&merged, what, sizeof(what));
	log_info("collector settings: %s (from %s)", what, b->origin);
	return 0;
}

static int
printable(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* lockstat/NAME.json: what a target of this product is called. */
static int
target_valid(const char *t)
{
	size_t len = strlen(t), i;
	const size_t plen = sizeof(BROKER_PRODUCT "/") - 1;

	if (len > BROKER_TARGET_MAX || len <= plen + 5 ||
	    strncmp(t, BROKER_PRODUCT "/", plen) != 0 ||
	    strcmp(t + len - 5, ".json") != 0 || strstr(t, "..") != NULL ||
	    strstr(t, "//") != NULL)
		return 0;
	for (i = 0; i < len; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') ||
		    (t[i] >= 'A' && t[i] <= 'Z') ||
		    (t[i] >= '0' && t[i] <= '9') ||
		    strchr("_.-/", t[i]) != NULL))
			return 0;
	return 1;
}

static int
sha256_valid(const char *h)
{
	size_t i;

	for (i = 0; h[i] != '\0'; i++)
		if (i >= 64 || !((h[i] >= '0' && h[i] <= '9') ||
		    (h[i] >= 'a' && h[i] <= 'f')))
			return 0;
	return i == 64;
}

/* What describes the configuration, checked before its settings. */
static int
check_apply(const Lockprobe__ConfigApply *ca, char *err, size_t errlen)
{
	if (strcmp(ca->product, BROKER_PRODUCT) != 0) {
		if (printable(ca->product, 32))
			(void)snprintf(err, errlen, "product: '%s' is not "
			    "handled; lockprobed applies product %s only",
			    ca->product, BROKER_PRODUCT);
		else
			(void)snprintf(err, errlen, "product: not %s, the "
			    "only product lockprobed applies", BROKER_PRODUCT);
		return -1;
	}
	if (!target_valid(ca->target)) {
		(void)snprintf(err, errlen, "target: not a %s target name; "
		    "expected %s/NAME.json, at most %d characters of A-Z a-z "
		    "0-9 _ . - /, without '..'", BROKER_PRODUCT,
		    BROKER_PRODUCT, BROKER_TARGET_MAX);
		return -1;
	}
	if (ca->version == 0) {
		(void)snprintf(err, errlen, "version: 0 is not a version of "
		    "the targets role; expected 1 or more");
		return -1;
	}
	if (ca->sha256 != NULL && !sha256_valid(ca->sha256)) {
		(void)snprintf(err, errlen, "sha256: expected 64 lowercase "
		    "hexadecimal digits");
		return -1;
	}
	return 0;
}

/* A compromised netd must not keep privd reloading BPF programs. */
static int
rate_ok(struct broker *b)
{
	uint64_t now = monotonic_ns();

	b->tokens += (double)(now - b->refill) / 1e9 * BROKER_APPLY_RATE;
	b->refill = now;
	if (b->tokens > BROKER_APPLY_BURST)
		b->tokens = BROKER_APPLY_BURST;
	if (b->tokens < 1)
		return 0;
	b->tokens -= 1;
	return 1;
}

/* Apply a ConfigApply; 0, or -1 with the reason (naming the field). */
static int
apply(struct privd *pd, const Lockprobe__ConfigApply *ca, char *err,
    size_t errlen)
{
	struct broker *b = &pd->broker;
	struct collector_settings local, remote, merged;
	unsigned int fields = 0;
	char origin[BROKER_ORIGIN_MAX], what[256];

	if (!rate_ok(b)) {
		(void)snprintf(err, errlen, "config apply: more than %d in a "
		    "burst or %.0f a second; try again later",
		    BROKER_APPLY_BURST, BROKER_APPLY_RATE);
		return -1;
	}
	if (check_apply(ca, err, errlen) == -1)
		return -1;
	if (ca->collector != NULL) {
		if (settings_check(ca->collector, err, errlen) == -1)
			return -1;
		fields = remote_from_msg(&remote, ca->collector);
	} else
		memset(&remote, 0, sizeof(remote));
	broker_local(&pd->conf, &local);
	merge(&merged, &local, &remote, fields);
	if (check_and_apply(pd, &merged, err, errlen) == -1)
		return -1;

	if (ca->collector != NULL) {
		(void)snprintf(origin, sizeof(origin), "%s (targets version "
		    "%llu)", ca->target, (unsigned long long)ca->version);
		b->remote = remote;
		b->remote_fields = fields;
		b->have_remote = 1;
		memcpy(b->remote_origin, origin, sizeof(origin));
		memcpy(b->origin, origin, sizeof(origin));
	} else {
		b->have_remote = 0;
		b->remote_fields = 0;
		b->remote_origin[0] = '\0';
		(void)snprintf(b->origin, sizeof(b->origin), "%s",
		    ORIGIN_LOCAL);
	}
	describe(&merged, what, sizeof(what));
	log_info("config apply %s (targets version %llu%s%s): %s; collector "
	    "settings: %s", ca->target, (unsigned long long)ca->version,
	    ca->sha256 != NULL ? ", sha256 " : "",
	    ca->sha256 != NULL ? ca->sha256 : "",
	    ca->collector != NULL ? "applied" : "reverted to " ORIGIN_LOCAL,
	    what);
	return 0;
}

void
broker_config_apply(struct privd *pd, const Lockprobe__Envelope *req)
{
	struct broker *b = &pd->broker;
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__ConfigApplyReply rep = LOCKPROBE__CONFIG_APPLY_REPLY__INIT;
	char err[512];

	if (apply(pd, req->config_apply, err, sizeof(err)) == 0)
		rep.applied = 1;
	else {
		rep.applied = 0;
		rep.error = err;
		log_warnx("config apply %llu refused: %s; the settings from %s "
		    "stay in force", (unsigned long long)req->id, err,
		    b->origin);
	}
	env.id = req->id;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_CONFIG_APPLY_REPLY;
	env.config_apply_reply = &rep;
	if (ipc_send(&pd->netd.ipc, &env) == -1)
		log_warn("answering config apply %llu",
		    (unsigned long long)req->id);
}
