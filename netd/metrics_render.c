/*
 * lockprobed's status and statistics as Prometheus text format 0.0.4.
 * Every family is always declared (HELP and TYPE), with or without
 * samples, so a scrape shows the whole schema; a lock class this host
 * cannot observe gets no contention samples at all (never a blind zero),
 * and lockprobe_observability says why.  A lock with no waits yet has only
 * its +Inf bucket.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "metrics.h"

#define LABEL_MAX	256	/* longer label values are cut */
#define NS_PER_SEC	1e9

struct render {
	struct evbuffer	*b;
	int		 err;
};

static void	put(struct render *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
put(struct render *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (evbuffer_add_vprintf(r->b, fmt, ap) < 0)
		r->err = 1;
	va_end(ap);
}

static void
family(struct render *r, const char *name, const char *type,
    const char *help)
{
	put(r, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * A label value, escaped as the format wants (\\, \", \n); bytes outside
 * printable ASCII become '?', so that a name from outside cannot make the
 * output invalid UTF-8.
 */
static const char *
esc(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; s != NULL && *s != '\0' && o + 3 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == '"') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else
			out[o++] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	out[o] = '\0';
	return out;
}

static const char *
verdict_label(int v)
{
	switch (v) {
	case LOCKPROBE__OBSERVABILITY__VERDICT__OBSERVABLE:
		return "observable";
	case LOCKPROBE__OBSERVABILITY__VERDICT__BLIND:
		return "blind";
	default:
		return "inconclusive";
	}
}

const char *
metrics_refusal_name(enum metrics_refusal r)
{
	static const char *const names[METRICS_NREFUSALS] = {
		[METRICS_BAD_REQUEST] = "bad_request",
		[METRICS_NOT_FOUND] = "not_found",
		[METRICS_BAD_METHOD] = "method_not_allowed",
		[METRICS_TOO_LARGE] = "too_large",
		[METRICS_TIMEOUT] = "timeout",
		[METRICS_TOO_MANY] = "too_many_clients",
		[METRICS_UNAVAILABLE] = "unavailable",
	};

	return (unsigned)r < METRICS_NREFUSALS ? names[r] : "unknown";
}

static void
render_ipc(struct render *r, const Lockprobe__IpcStatus *privd,
    const Lockprobe__IpcStatus *netd)
{
	static const struct {
		const char	*name;
		const char	*help;
		size_t		 off;
	} f[] = {
		{ "lockprobe_ipc_messages_sent_total", "IPC messages sent "
		    "between lockprobed and lockprobe-netd, by sender.",
		    offsetof(Lockprobe__IpcStatus, sent) },
		{ "lockprobe_ipc_messages_received_total", "IPC messages "
		    "received, by receiver.",
		    offsetof(Lockprobe__IpcStatus, received) },
		{ "lockprobe_ipc_send_failures_total", "IPC messages that "
		    "could not be sent, by sender.",
		    offsetof(Lockprobe__IpcStatus, send_failed) },
		{ "lockprobe_ipc_messages_rejected_total", "IPC messages "
		    "refused as malformed, unexpected or out of order, by "
		    "receiver.", offsetof(Lockprobe__IpcStatus, rejected) },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		family(r, f[i].name, "counter", f[i].help);
		if (privd != NULL)
			put(r, "%s{process=\"lockprobed\"} %llu\n", f[i].name,
			    (unsigned long long)*(const uint64_t *)(const void *)
			    ((const char *)privd + f[i].off));
		if (netd != NULL)
			put(r, "%s{process=\"lockprobe-netd\"} %llu\n",
			    f[i].name,
			    (unsigned long long)*(const uint64_t *)(const void *)
			    ((const char *)netd + f[i].off));
	}
}

static void
render_assets(struct render *r, const Lockprobe__StatusReply *st)
{
	static const struct {
		const char	*outcome;
		size_t		 off;
	} f[] = {
		{ "loaded", offsetof(Lockprobe__AssetStatus, loaded) },
		{ "btf_not_found",
		    offsetof(Lockprobe__AssetStatus, btf_not_found) },
		{ "read_error", offsetof(Lockprobe__AssetStatus, read_error) },
		{ "hash_mismatch",
		    offsetof(Lockprobe__AssetStatus, hash_mismatch) },
		{ "verifier_error",
		    offsetof(Lockprobe__AssetStatus, verifier_error) },
	};
	char name[LABEL_MAX];
	size_t i, j;

	family(r, "lockprobe_asset_loads_total", "counter", "Attempts to "
	    "load each BPF asset, by outcome.");
	for (i = 0; i < st->n_assets; i++) {
		esc(st->assets[i]->name, name, sizeof(name));
		for (j = 0; j < sizeof(f) / sizeof(f[0]); j++)
			put(r, "lockprobe_asset_loads_total{asset=\"%s\","
			    "outcome=\"%s\"} %llu\n", name, f[j].outcome,
			    (unsigned long long)*(const uint64_t *)(const void *)
			    ((const char *)st->assets[i] + f[j].off));
	}
	family(r, "lockprobe_asset_loaded", "gauge", "1 when the last load "
	    "of the BPF asset succeeded, else 0.");
	for (i = 0; i < st->n_assets; i++)
		put(r, "lockprobe_asset_loaded{asset=\"%s\"} %d\n",
		    esc(st->assets[i]->name, name, sizeof(name)),
		    strcmp(st->assets[i]->last_outcome, "loaded") == 0);
}

static void
render_observability(struct render *r, const Lockprobe__StatusReply *st)
{
	static const int verdicts[] = {
		LOCKPROBE__OBSERVABILITY__VERDICT__OBSERVABLE,
		LOCKPROBE__OBSERVABILITY__VERDICT__BLIND,
		LOCKPROBE__OBSERVABILITY__VERDICT__INCONCLUSIVE,
	};
	const Lockprobe__CalibrationStatus *cal = st->calibration;
	char cls[LABEL_MAX];
	size_t i, v;

	family(r, "lockprobe_observability", "gauge", "Whether this host "
	    "can see contention of a lock class: 1 for the verdict in force, "
	    "0 for the others. A blind class has no contention samples.");
	for (i = 0; cal != NULL && i < cal->n_classes; i++) {
		esc(cal->classes[i]->lock_class, cls, sizeof(cls));
		for (v = 0; v < sizeof(verdicts) / sizeof(verdicts[0]); v++)
			put(r, "lockprobe_observability{lock_class=\"%s\","
			    "verdict=\"%s\"} %d\n", cls,
			    verdict_label(verdicts[v]),
			    (int)cal->classes[i]->verdict == verdicts[v]);
	}
	family(r, "lockprobe_observability_lower_bound", "gauge", "1 when "
	    "the counts of a lock class miss some waiters (the first "
	    "spinning waiter emits no event).");
	for (i = 0; cal != NULL && i < cal->n_classes; i++)
		put(r, "lockprobe_observability_lower_bound{lock_class=\"%s\"} "
		    "%d\n", esc(cal->classes[i]->lock_class, cls, sizeof(cls)),
		    cal->classes[i]->lower_bound ? 1 : 0);
}

static void
render_collector(struct render *r, const Lockprobe__CollectorStatus *cs)
{
	family(r, "lockprobe_collector_walks_total", "counter", "Walks over "
	    "the host's BPF maps.");
	if (cs != NULL)
		put(r, "lockprobe_collector_walks_total %u\n", cs->walks);
	family(r, "lockprobe_collector_maps", "gauge", "BPF maps seen by the "
	    "last walk.");
	if (cs != NULL)
		put(r, "lockprobe_collector_maps %u\n", cs->maps);
	family(r, "lockprobe_collector_maps_covered", "gauge", "BPF maps "
	    "whose locks the last walk recorded.");
	if (cs != NULL)
		put(r, "lockprobe_collector_maps_covered %u\n",
		    cs->maps_covered);
	family(r, "lockprobe_collector_walk_duration_seconds", "gauge",
	    "How long the last walk took.");
	if (cs != NULL)
		put(r, "lockprobe_collector_walk_duration_seconds %.6f\n",
		    (double)cs->walk_usec / 1e6);
}

static void
render_remote(struct render *r, const Lockprobe__RemoteStatus *rs)
{
	static const char *const roles[] = { "timestamp", "snapshot",
	    "targets" };
	uint64_t versions[3] = { 0, 0, 0 };
	int64_t expires[3] = { 0, 0, 0 };
	char product[LABEL_MAX], target[LABEL_MAX];
	size_t i;

	family(r, "lockprobe_remote_enabled", "gauge", "1 when a "
	    "configuration repository is configured.");
	put(r, "lockprobe_remote_enabled %d\n", rs != NULL && rs->enabled);
	family(r, "lockprobe_remote_polls_total", "counter", "Polls of the "
	    "configuration repository.");
	put(r, "lockprobe_remote_polls_total %llu\n",
	    (unsigned long long)(rs != NULL ? rs->polls : 0));
	family(r, "lockprobe_remote_poll_failures_total", "counter", "Polls "
	    "that failed (network, verification or expiry).");
	put(r, "lockprobe_remote_poll_failures_total %llu\n",
	    (unsigned long long)(rs != NULL ? rs->failures : 0));
	family(r, "lockprobe_remote_last_poll_timestamp_seconds", "gauge",
	    "When the last poll ran, in Unix seconds.");
	if (rs != NULL && rs->last_poll > 0)
		put(r, "lockprobe_remote_last_poll_timestamp_seconds %lld\n",
		    (long long)rs->last_poll);
	family(r, "lockprobe_remote_last_success_timestamp_seconds", "gauge",
	    "When the last successful poll ran, in Unix seconds.");
	if (rs != NULL && rs->last_success > 0)
		put(r, "lockprobe_remote_last_success_timestamp_seconds %lld\n",
		    (long long)rs->last_success);
	family(r, "lockprobe_remote_next_poll_timestamp_seconds", "gauge",
	    "When the next poll is due, in Unix seconds.");
	if (rs != NULL && rs->next_poll > 0)
		put(r, "lockprobe_remote_next_poll_timestamp_seconds %lld\n",
		    (long long)rs->next_poll);

	if (rs != NULL) {
		versions[0] = rs->timestamp_version;
		versions[1] = rs->snapshot_version;
		versions[2] = rs->targets_version;
		expires[0] = rs->timestamp_expires;
		expires[1] = rs->snapshot_expires;
		expires[2] = rs->targets_expires;
	}
	family(r, "lockprobe_remote_metadata_version", "gauge", "Version of "
	    "the trusted TUF metadata, by role.");
	if (rs != NULL) {
		put(r, "lockprobe_remote_metadata_version{role=\"root\"} "
		    "%llu\n", (unsigned long long)rs->root_version);
		for (i = 0; i < 3; i++)
			put(r, "lockprobe_remote_metadata_version{role=\"%s\"} "
			    "%llu\n", roles[i], (unsigned long long)versions[i]);
	}
	family(r, "lockprobe_remote_metadata_expiry_timestamp_seconds",
	    "gauge", "When the trusted TUF metadata expires, in Unix "
	    "seconds, by role.");
	for (i = 0; rs != NULL && i < 3; i++)
		if (expires[i] > 0)
			put(r, "lockprobe_remote_metadata_expiry_timestamp_"
			    "seconds{role=\"%s\"} %lld\n", roles[i],
			    (long long)expires[i]);

	family(r, "lockprobe_remote_config_applied", "gauge", "1 when the "
	    "configuration was applied by lockprobed, 0 when it was refused.");
	for (i = 0; rs != NULL && i < rs->n_configs; i++)
		put(r, "lockprobe_remote_config_applied{product=\"%s\","
		    "target=\"%s\"} %d\n",
		    esc(rs->configs[i]->product, product, sizeof(product)),
		    esc(rs->configs[i]->target, target, sizeof(target)),
		    rs->configs[i]->applied ? 1 : 0);
	family(r, "lockprobe_remote_config_version", "gauge", "Version of "
	    "the targets role the configuration came with.");
	for (i = 0; rs != NULL && i < rs->n_configs; i++)
		put(r, "lockprobe_remote_config_version{product=\"%s\","
		    "target=\"%s\"} %llu\n",
		    esc(rs->configs[i]->product, product, sizeof(product)),
		    esc(rs->configs[i]->target, target, sizeof(target)),
		    (unsigned long long)rs->configs[i]->version);
	family(r, "lockprobe_remote_config_attempt_timestamp_seconds",
	    "gauge", "When the configuration was last applied or refused, "
	    "in Unix seconds.");
	for (i = 0; rs != NULL && i < rs->n_configs; i++)
		if (rs->configs[i]->when > 0)
			put(r, "lockprobe_remote_config_attempt_timestamp_"
			    "seconds{product=\"%s\",target=\"%s\"} %lld\n",
			    esc(rs->configs[i]->product, product,
			    sizeof(product)),
			    esc(rs->configs[i]->target, target, sizeof(target)),
			    (long long)rs->configs[i]->when);
}

int
metrics_render_status(struct evbuffer *out, const Lockprobe__StatusReply *st,
    const Lockprobe__NetdStatus *ns)
{
	struct render r = { out, 0 };
	char version[LABEL_MAX];

	family(&r, "lockprobe_build_info", "gauge", "Always 1; the version "
	    "of lockprobed in a label.");
	put(&r, "lockprobe_build_info{version=\"%s\"} 1\n",
	    esc(st->version, version, sizeof(version)));
	family(&r, "lockprobe_uptime_seconds", "gauge", "Seconds since the "
	    "process started.");
	put(&r, "lockprobe_uptime_seconds{process=\"lockprobed\"} %llu\n",
	    (unsigned long long)st->privd_uptime_sec);
	put(&r, "lockprobe_uptime_seconds{process=\"lockprobe-netd\"} %llu\n",
	    (unsigned long long)ns->uptime_sec);
	family(&r, "lockprobe_netd_restarts_total", "counter", "Times "
	    "lockprobed restarted lockprobe-netd.");
	put(&r, "lockprobe_netd_restarts_total %u\n",
	    st->netd_starts > 0 ? st->netd_starts - 1 : 0);
	family(&r, "lockprobe_netd_failed_runs", "gauge", "lockprobe-netd "
	    "runs in a row that failed (0 once a run lasts).");
	put(&r, "lockprobe_netd_failed_runs %u\n", st->netd_failures);
	family(&r, "lockprobe_heartbeats_answered_total", "counter",
	    "Heartbeats lockprobe-netd answered.");
	put(&r, "lockprobe_heartbeats_answered_total %llu\n",
	    (unsigned long long)st->heartbeats_answered);
	render_ipc(&r, st->ipc, ns->ipc);
	family(&r, "lockprobe_control_clients", "gauge", "lockprobectl "
	    "clients connected now.");
	put(&r, "lockprobe_control_clients %u\n", ns->control_clients);
	family(&r, "lockprobe_control_rejected_total", "counter", "Control "
	    "clients and requests refused.");
	put(&r, "lockprobe_control_rejected_total %llu\n",
	    (unsigned long long)ns->control_rejected);
	family(&r, "lockprobe_netd_log_lines_dropped_total", "counter",
	    "Log lines lockprobe-netd could not pass on.");
	put(&r, "lockprobe_netd_log_lines_dropped_total %llu\n",
	    (unsigned long long)ns->log_dropped);
	family(&r, "lockprobe_btf_available", "gauge", "1 when lockprobed "
	    "found kernel BTF for its BPF programs.");
	put(&r, "lockprobe_btf_available %d\n", st->btf_source != NULL);
	render_assets(&r, st);
	render_observability(&r, st);
	render_collector(&r, st->collector);
	render_remote(&r, ns->remote);
	return r.err ? -1 : 0;
}

int
metrics_locks_init(struct metrics_locks *ml)
{
	memset(ml, 0, sizeof(*ml));
	ml->wait_hist = evbuffer_new();
	ml->wait_max = evbuffer_new();
	if (ml->wait_hist == NULL || ml->wait_max == NULL) {
		metrics_locks_free(ml);
		return -1;
	}
	return 0;
}

void
metrics_locks_free(struct metrics_locks *ml)
{
	if (ml->wait_hist != NULL)
		evbuffer_free(ml->wait_hist);
	if (ml->wait_max != NULL)
		evbuffer_free(ml->wait_max);
	ml->wait_hist = ml->wait_max = NULL;
}

/* One page of StatsReply: its rows' samples, appended. */
int
metrics_render_stats(struct metrics_locks *ml, const Lockprobe__StatsReply *sr)
{
	struct render h = { ml->wait_hist, 0 }, m = { ml->wait_max, 0 };
	char labels[5 * LABEL_MAX + 128];
	char name[LABEL_MAX], type[LABEL_MAX], kind[LABEL_MAX], cls[LABEL_MAX];
	uint64_t cum, count;
	size_t i, j;

	ml->have_stats = 1;
	ml->ranges_tracked = sr->ranges_tracked;
	ml->ranges_dropped = sr->ranges_dropped;
	for (i = 0; i < sr->n_stats; i++) {
		const Lockprobe__LockStat *l = sr->stats[i];

		if (l->verdict == LOCKPROBE__OBSERVABILITY__VERDICT__BLIND)
			continue;	/* no events can arrive: no samples */
		snprintf(labels, sizeof(labels), "map_id=\"%u\",map_name="
		    "\"%s\",map_type=\"%s\",lock=\"%s\",lock_class=\"%s\"",
		    l->map_id, esc(l->map_name, name, sizeof(name)),
		    esc(l->map_type, type, sizeof(type)),
		    esc(l->lock_kind, kind, sizeof(kind)),
		    esc(l->lock_class, cls, sizeof(cls)));
		for (cum = 0, j = 0; j < l->n_hist; j++)
			cum += l->hist[j];
		/* +Inf, the count, is never below a finite bucket */
		count = l->count > cum ? l->count : cum;
		/* a lock never waited for has only +Inf: with many idle maps
		 * the finite buckets would be most of the scrape; they appear
		 * with the first wait and stay */
		for (cum = 0, j = 0; count > 0 && j < l->n_hist; j++) {
			cum += l->hist[j];
			/* slot j: waits below 2^(j+1) ns */
			put(&h, "lockprobe_lock_wait_seconds_bucket{%s,le=\"%.9g\"}"
			    " %llu\n", labels, (double)(2ULL << j) / NS_PER_SEC,
			    (unsigned long long)cum);
		}
		put(&h, "lockprobe_lock_wait_seconds_bucket{%s,le=\"+Inf\"} "
		    "%llu\n", labels, (unsigned long long)count);
		put(&h, "lockprobe_lock_wait_seconds_sum{%s} %.9f\n", labels,
		    (double)l->total_ns / NS_PER_SEC);
		put(&h, "lockprobe_lock_wait_seconds_count{%s} %llu\n", labels,
		    (unsigned long long)count);
		put(&m, "lockprobe_lock_wait_max_seconds{%s} %.9f\n", labels,
		    (double)l->max_ns / NS_PER_SEC);
	}
	return h.err || m.err ? -1 : 0;
}

int
metrics_render_finish(struct evbuffer *out, struct metrics_locks *ml,
    const struct metrics_counters *own)
{
	struct render r = { out, 0 };
	int i;

	family(&r, "lockprobe_lock_wait_seconds", "histogram", "Time threads "
	    "waited for a lock inside a BPF map, per map and lock; log2 "
	    "buckets.");
	if (evbuffer_add_buffer(out, ml->wait_hist) == -1)
		r.err = 1;
	family(&r, "lockprobe_lock_wait_max_seconds", "gauge", "The longest "
	    "wait seen for a lock inside a BPF map.");
	if (evbuffer_add_buffer(out, ml->wait_max) == -1)
		r.err = 1;
	family(&r, "lockprobe_collector_ranges_tracked", "gauge", "Lock "
	    "memory ranges the contention programs track.");
	if (ml->have_stats)
		put(&r, "lockprobe_collector_ranges_tracked %llu\n",
		    (unsigned long long)ml->ranges_tracked);
	family(&r, "lockprobe_collector_ranges_dropped", "gauge", "Lock "
	    "memory ranges not tracked because of range-budget.");
	if (ml->have_stats)
		put(&r, "lockprobe_collector_ranges_dropped %llu\n",
		    (unsigned long long)ml->ranges_dropped);
	family(&r, "lockprobe_metrics_scrapes_total", "counter", "Scrapes "
	    "of this endpoint answered, before this one.");
	put(&r, "lockprobe_metrics_scrapes_total %llu\n",
	    (unsigned long long)own->scrapes);
	family(&r, "lockprobe_metrics_refused_total", "counter", "Requests "
	    "to this endpoint refused, by reason.");
	for (i = 0; i < METRICS_NREFUSALS; i++)
		put(&r, "lockprobe_metrics_refused_total{reason=\"%s\"} %llu\n",
		    metrics_refusal_name((enum metrics_refusal)i),
		    (unsigned long long)own->refused[i]);
	return r.err ? -1 : 0;
}
