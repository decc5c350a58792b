/*
 * lockprobectl: the operator's client.  It sends one request over the
 * control socket (lockprobe-netd serves it and relays to lockprobed) and
 * prints the answer as text or, with -j, as JSON.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <sys/ioctl.h>

#include <errno.h>
#include <fnmatch.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ipc.h"
#include "log.h"
#include "stats_page.h"

#define CTL_TIMEOUT_MS	10000
#define TOP_INTERVAL_MAX	3600	/* seconds */
#define TOP_KIND_MAX	64		/* a lock kind or class, as remembered */

struct ctl_command {
	const char	*name;
	const char	*args;		/* usage of its arguments */
	const char	*help;
	int		 nargs_max;
	int		 request;	/* Envelope body case */
	int		 answer;
	int		(*text)(const Lockprobe__Envelope *);
	json_t		*(*json)(const Lockprobe__Envelope *);
};

static int	status_text(const Lockprobe__Envelope *);
static json_t	*status_json(const Lockprobe__Envelope *);
static int	reload_text(const Lockprobe__Envelope *);
static json_t	*reload_json(const Lockprobe__Envelope *);
static int	stats_text(const Lockprobe__Envelope *);
static json_t	*stats_json(const Lockprobe__Envelope *);
static int	hist_text(const Lockprobe__Envelope *);
static int	poll_text(const Lockprobe__Envelope *);
static json_t	*poll_json(const Lockprobe__Envelope *);
static int	rewalk_text(const Lockprobe__Envelope *);
static json_t	*rewalk_json(const Lockprobe__Envelope *);
static int	top_text(const Lockprobe__Envelope *);

static const struct ctl_command commands[] = {
	{ "status", "", "versions, processes, sandbox, BTF, calibration, "
	    "collector and BPF assets", 0,
	    LOCKPROBE__ENVELOPE__BODY_STATUS_REQUEST,
	    LOCKPROBE__ENVELOPE__BODY_STATUS_REPLY, status_text, status_json },
	{ "stats", "[map-id]", "contention per map and lock, most waited "
	    "first", 1,
	    LOCKPROBE__ENVELOPE__BODY_STATS_REQUEST,
	    LOCKPROBE__ENVELOPE__BODY_STATS_REPLY, stats_text, stats_json },
	{ "hist", "map-id", "log2 histograms of the map's wait times", 1,
	    LOCKPROBE__ENVELOPE__BODY_STATS_REQUEST,
	    LOCKPROBE__ENVELOPE__BODY_STATS_REPLY, hist_text, stats_json },
	{ "top", "[map-id]", "contention per map and lock, refreshed in "
	    "place; q quits", 1,
	    LOCKPROBE__ENVELOPE__BODY_STATS_REQUEST,
	    LOCKPROBE__ENVELOPE__BODY_STATS_REPLY, top_text, NULL },
	{ "reload", "", "re-read lockprobe.conf; print its errors if any", 0,
	    LOCKPROBE__ENVELOPE__BODY_RELOAD_REQUEST,
	    LOCKPROBE__ENVELOPE__BODY_RELOAD_REPLY, reload_text, reload_json },
	{ "poll", "", "poll the configuration repository now", 0,
	    LOCKPROBE__ENVELOPE__BODY_POLL_REQUEST,
	    LOCKPROBE__ENVELOPE__BODY_POLL_REPLY, poll_text, poll_json },
	{ "rewalk", "", "walk the host's maps now; print what was found", 0,
	    LOCKPROBE__ENVELOPE__BODY_REWALK_REQUEST,
	    LOCKPROBE__ENVELOPE__BODY_REWALK_REPLY, rewalk_text, rewalk_json },
};

static void __attribute__((noreturn))
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: lockprobectl [-j] [-s socket] [-f map-glob] "
	    "[-o total|count|max|avg|map]\n"
	    "                    [-d seconds] [-n count] command [argument]\n"
	    "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "  %-6s %-9s %s\n", commands[i].name,
		    commands[i].args, commands[i].help);
	exit(2);
}

static void
explain_connect_error(const char *path, int err)
{
	struct stat st;
	struct group *gr;

	fprintf(stderr, "lockprobectl: cannot connect to %s: %s\n", path,
	    strerror(err));
	switch (err) {
	case ENOENT:
		fprintf(stderr, "  is lockprobed running?  (its "
		    "control-socket setting names the socket; use -s)\n");
		break;
	case EACCES:
	case EPERM:
		if (stat(path, &st) == 0) {
			gr = getgrgid(st.st_gid);
			fprintf(stderr, "  the socket is mode %04o, group %s: "
			    "run as root or as a member of that group (set "
			    "with control-group in lockprobe.conf)\n",
			    (unsigned)(st.st_mode & 07777),
			    gr ? gr->gr_name : "?");
		}
		break;
	case ECONNREFUSED:
		fprintf(stderr, "  nothing accepts on it: lockprobed may have "
		    "stopped and left it behind\n");
		break;
	}
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "lockprobectl: %s: socket path too long\n",
		    path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1) {
		perror("lockprobectl: socket");
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		explain_connect_error(path, errno);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Answers come through netd, which must not be able to drive the
 * operator's terminal: every string in them, at any depth, loses its
 * control characters (newlines and tabs stay: logs and error lists).
 */
static void
sanitize(ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	unsigned int i;
	size_t k, n;

	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		char *base = (char *)m + f->offset;
		void **items;

		if (f->type != PROTOBUF_C_TYPE_STRING &&
		    f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(size_t *)(void *)((char *)m + f->quantifier_offset);
			items = *(void ***)(void *)base;
		} else {
			n = 1;
			items = (void **)(void *)base;
		}
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF &&
		    *(uint32_t *)(void *)((char *)m + f->quantifier_offset) !=
		    f->id)
			continue;
		for (k = 0; k < n && items != NULL; k++) {
			if (items[k] == NULL)
				continue;
			if (f->type == PROTOBUF_C_TYPE_MESSAGE)
				sanitize(items[k]);
			else {
				unsigned char *c;

				for (c = items[k]; *c != '\0'; c++)
					if ((*c < 0x20 && *c != '\n' &&
					    *c != '\t') || *c == 0x7f)
						*c = '?';
			}
		}
	}
}

/* Send the request and wait for its answer. */
static Lockprobe__Envelope *
ctl_request(struct ipc_channel *ch, const struct ctl_command *cmd,
    const Lockprobe__StatsRequest *stats)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT, *ans;
	Lockprobe__StatusRequest status = LOCKPROBE__STATUS_REQUEST__INIT;
	Lockprobe__ReloadRequest reload = LOCKPROBE__RELOAD_REQUEST__INIT;
	Lockprobe__PollRequest pollreq = LOCKPROBE__POLL_REQUEST__INIT;
	Lockprobe__RewalkRequest rewalk = LOCKPROBE__REWALK_REQUEST__INIT;
	struct pollfd pfd = { .fd = ch->fd, .events = POLLIN };

	env.id = ipc_next_id(ch);
	env.body_case = cmd->request;
	if (cmd->request == LOCKPROBE__ENVELOPE__BODY_STATUS_REQUEST)
		env.status_request = &status;
	else if (cmd->request == LOCKPROBE__ENVELOPE__BODY_STATS_REQUEST)
		env.stats_request = (Lockprobe__StatsRequest *)(uintptr_t)stats;
	else if (cmd->request == LOCKPROBE__ENVELOPE__BODY_POLL_REQUEST)
		env.poll_request = &pollreq;
	else if (cmd->request == LOCKPROBE__ENVELOPE__BODY_REWALK_REQUEST)
		env.rewalk_request = &rewalk;
	else
		env.reload_request = &reload;
	if (ipc_send(ch, &env) == -1) {
		perror("lockprobectl: sending the request");
		return NULL;
	}
	for (;;) {
		if (poll(&pfd, 1, CTL_TIMEOUT_MS) <= 0) {
			fprintf(stderr, "lockprobectl: no answer within %d s\n",
			    CTL_TIMEOUT_MS / 1000);
			return NULL;
		}
		switch (ipc_recv(ch, &ans)) {
		case IPC_RECV_OK:
			if (ans->id != env.id) {
				ipc_free(ans);
				continue;
			}
			sanitize(&ans->base);
			if (ans->body_case == LOCKPROBE__ENVELOPE__BODY_ERROR) {
				fprintf(stderr, "lockprobectl: refused: %s\n",
				    ans->error->reason);
				ipc_free(ans);
				return NULL;
			}
			if ((int)ans->body_case != cmd->answer) {
				fprintf(stderr, "lockprobectl: unexpected "
				    "answer %s\n",
				    ipc_body_name(ans->body_case));
				ipc_free(ans);
				return NULL;
			}
			return ans;
		case IPC_RECV_AGAIN:
		case IPC_RECV_REJECTED:
			continue;
		case IPC_RECV_CLOSED:
			fprintf(stderr, "lockprobectl: the daemon closed the "
			    "connection\n");
			return NULL;
		case IPC_RECV_ERROR:
			perror("lockprobectl: reading the answer");
			return NULL;
		}
	}
}

static int
parse_map_id(const char *s, uint32_t *id)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    v == 0 || v > UINT32_MAX) {
		fprintf(stderr, "lockprobectl: '%s' is not a map id (a "
		    "number from lockprobectl stats or bpftool map)\n", s);
		return -1;
	}
	*id = (uint32_t)v;
	return 0;
}

/* The pages of a stats answer, merged into one reply for printing. */
struct stats_pages {
	Lockprobe__Envelope	**env;
	size_t			  n;
};

#define STATS_MAX_PAGES	256

static void
stats_pages_free(struct stats_pages *p, Lockprobe__Envelope *merged)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		ipc_free(p->env[i]);
	free(p->env);
	if (merged != NULL) {
		free(merged->stats_reply->stats);
		free(merged->stats_reply);
		free(merged);
	}
}

static Lockprobe__Envelope *
fetch_stats(struct ipc_channel *ch, const struct ctl_command *cmd,
    Lockprobe__StatsRequest *req, struct stats_pages *p)
{
	Lockprobe__Envelope *ans, *merged;
	Lockprobe__StatsReply *first, *all;
	Lockprobe__LockStat **stats = NULL, **grown;
	uint32_t next = 0;
	size_t n = 0, i;
	int page;

	if ((p->env = calloc(STATS_MAX_PAGES, sizeof(*p->env))) == NULL)
		return NULL;
	req->has_after_map_id = 1;
	req->after_map_id = 0;
	for (;;) {
		if (p->n == STATS_MAX_PAGES || (ans = ctl_request(ch, cmd,
		    req)) == NULL)
			goto fail;
		p->env[p->n++] = ans;
		if ((page = stats_page_next(ans->stats_reply,
		    req->after_map_id, &next)) == STATS_PAGE_BAD) {
			fprintf(stderr, "lockprobectl: the daemon's statistics "
			    "page after map %u is out of order\n",
			    req->after_map_id);
			goto fail;
		}
		if ((grown = reallocarray(stats, n +
		    ans->stats_reply->n_stats + 1, sizeof(*stats))) == NULL)
			goto fail;
		stats = grown;
		for (i = 0; i < ans->stats_reply->n_stats; i++)
			stats[n++] = ans->stats_reply->stats[i];
		if (page == STATS_PAGE_LAST)
			break;
		req->after_map_id = next;
	}
	first = p->env[0]->stats_reply;
	if ((merged = calloc(1, sizeof(*merged))) == NULL ||
	    (all = calloc(1, sizeof(*all))) == NULL) {
		free(merged);
		goto fail;
	}
	*merged = *p->env[0];
	*all = *first;
	all->stats = stats;
	all->n_stats = n;
	merged->stats_reply = all;
	return merged;
fail:
	free(stats);
	stats_pages_free(p, NULL);
	p->n = 0;
	return NULL;
}

static void
print_ns(uint64_t ns)
{
	if (ns >= 1000000000)
		printf("%9.2f s ", ns / 1e9);
	else if (ns >= 1000000)
		printf("%9.2f ms", ns / 1e6);
	else if (ns >= 1000)
		printf("%9.2f us", ns / 1e3);
	else
		printf("%9llu ns", (unsigned long long)ns);
}

static const char *
verdict_name(int v)
{
	switch (v) {
	case LOCKPROBE__OBSERVABILITY__VERDICT__OBSERVABLE:
		return "observable";
	case LOCKPROBE__OBSERVABILITY__VERDICT__BLIND:
		return "not observable here";
	default:
		return "inconclusive";
	}
}

static void
print_observability(Lockprobe__Observability **c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%s locks: %s: %s\n", c[i]->lock_class,
		    verdict_name(c[i]->verdict), c[i]->reason);
}

/* -o: what stats and top sort by, largest first (map: by map id). */
enum sort_key { SORT_TOTAL, SORT_COUNT, SORT_MAX, SORT_AVG, SORT_MAP,
    SORT_NKEYS };
static const char *const sort_names[SORT_NKEYS] = { "total", "count", "max",
    "avg", "map" };
static enum sort_key sort_key = SORT_TOTAL;
static const char *map_glob;		/* -f: only maps whose name matches */

/* What a row is sorted by: totals for stats, an interval's for top. */
struct row_key {
	uint64_t	 count;
	uint64_t	 total_ns;
	uint64_t	 max_ns;
	uint32_t	 map_id;
	const char	*lock_kind;
};

static int
cmp_u64_desc(uint64_t x, uint64_t y)
{
	return x == y ? 0 : x < y ? 1 : -1;
}

/* By the -o key, largest first; then by map id and lock kind. */
static int
cmp_keys(const struct row_key *x, const struct row_key *y)
{
	int c = 0;

	switch (sort_key) {
	case SORT_TOTAL:
		c = cmp_u64_desc(x->total_ns, y->total_ns);
		break;
	case SORT_COUNT:
		c = cmp_u64_desc(x->count, y->count);
		break;
	case SORT_MAX:
		c = cmp_u64_desc(x->max_ns, y->max_ns);
		break;
	case SORT_AVG:
		c = cmp_u64_desc(x->count ? x->total_ns / x->count : 0,
		    y->count ? y->total_ns / y->count : 0);
		break;
	case SORT_MAP:
	case SORT_NKEYS:
		break;
	}
	if (c != 0)
		return c;
	if (x->map_id != y->map_id)
		return x->map_id < y->map_id ? -1 : 1;
	return strcmp(x->lock_kind, y->lock_kind);
}

static void
stat_key(const Lockprobe__LockStat *l, struct row_key *k)
{
	k->count = l->count;
	k->total_ns = l->total_ns;
	k->max_ns = l->max_ns;
	k->map_id = l->map_id;
	k->lock_kind = l->lock_kind;
}

static int
cmp_stat(const void *a, const void *b)
{
	struct row_key x, y;

	stat_key(*(Lockprobe__LockStat *const *)a, &x);
	stat_key(*(Lockprobe__LockStat *const *)b, &y);
	return cmp_keys(&x, &y);
}

/* -f and -o, for every output of stats, hist and top. */
static void
select_rows(Lockprobe__StatsReply *sr)
{
	size_t i, n = 0;

	for (i = 0; i < sr->n_stats; i++)
		if (map_glob == NULL ||
		    fnmatch(map_glob, sr->stats[i]->map_name, 0) == 0)
			sr->stats[n++] = sr->stats[i];
	sr->n_stats = n;
	qsort(sr->stats, sr->n_stats, sizeof(*sr->stats), cmp_stat);
}

static int
stats_text(const Lockprobe__Envelope *ans)
{
	const Lockprobe__StatsReply *sr = ans->stats_reply;
	size_t i;

	print_observability(sr->classes, sr->n_classes);
	if (sr->error != NULL)
		printf("contention programs: %s\n", sr->error);
	printf("%7s %-16s %-14s %-22s %-6s %8s %12s %12s %12s\n", "MAP-ID",
	    "NAME", "TYPE", "LOCK", "CLASS", "COUNT", "TOTAL", "AVERAGE",
	    "MAX");
	for (i = 0; i < sr->n_stats; i++) {
		const Lockprobe__LockStat *l = sr->stats[i];

		printf("%7u %-16s %-14s %-22s %-6s ", l->map_id, l->map_name,
		    l->map_type, l->lock_kind, l->lock_class);
		if (l->verdict == LOCKPROBE__OBSERVABILITY__VERDICT__BLIND &&
		    l->count == 0) {
			printf("%8s\n", "not observable here");
			continue;
		}
		printf("%8llu   ", (unsigned long long)l->count);
		if (l->count == 0) {
			printf("%12s   %12s   %12s\n", "-", "-", "-");
			continue;
		}
		print_ns(l->total_ns);
		printf("   ");
		print_ns(l->count ? l->total_ns / l->count : 0);
		printf("   ");
		print_ns(l->max_ns);
		printf("%s\n", l->verdict ==
		    LOCKPROBE__OBSERVABILITY__VERDICT__INCONCLUSIVE ? " ?" : "");
	}
	for (i = 0; i < sr->n_hot; i++)
		printf("hot bucket: map %u bucket %u: %llu waits\n",
		    sr->hot[i]->map_id, sr->hot[i]->bucket,
		    (unsigned long long)sr->hot[i]->count);
	printf("lock ranges tracked: %llu",
	    (unsigned long long)sr->ranges_tracked);
	if (sr->ranges_dropped > 0)
		printf(", %llu more over the range budget (raise range-budget)",
		    (unsigned long long)sr->ranges_dropped);
	printf("\n");
	return 0;
}

/* Log2 histograms as ASCII bars, in the manner of the bcc tools. */
static int
hist_text(const Lockprobe__Envelope *ans)
{
	const Lockprobe__StatsReply *sr = ans->stats_reply;
	size_t i, k, lo, hi;
	uint64_t top;
	int shown = 0;

	for (i = 0; i < sr->n_stats; i++) {
		const Lockprobe__LockStat *l = sr->stats[i];

		if (l->verdict == LOCKPROBE__OBSERVABILITY__VERDICT__BLIND &&
		    l->count == 0) {
			printf("map %u (%s) %s, %s: not observable here\n\n",
			    l->map_id, l->map_name, l->lock_kind,
			    l->lock_class);
			continue;
		}
		if (l->count == 0 || l->n_hist == 0)
			continue;
		shown++;
		printf("map %u (%s) %s, %s waits: %llu\n", l->map_id,
		    l->map_name, l->lock_kind, l->lock_class,
		    (unsigned long long)l->count);
		for (lo = 0; lo < l->n_hist && l->hist[lo] == 0; lo++)
			;
		for (hi = l->n_hist; hi > lo && l->hist[hi - 1] == 0; hi--)
			;
		for (top = 0, k = lo; k < hi; k++)
			if (l->hist[k] > top)
				top = l->hist[k];
		printf("%24s : %-8s %s\n", "nsecs", "count", "distribution");
		for (k = lo; k < hi; k++) {
			int bar = top ? (int)(l->hist[k] * 40 / top) : 0;

			printf("%10llu -> %-10llu : %-8llu |%-40.*s|\n",
			    k == 0 ? 0ULL : 1ULL << k, (1ULL << (k + 1)) - 1,
			    (unsigned long long)l->hist[k], bar,
			    "****************************************");
		}
		printf("\n");
	}
	if (shown == 0)
		printf("no waits recorded for this map yet\n");
	return 0;
}

static json_t *
stats_json(const Lockprobe__Envelope *ans)
{
	const Lockprobe__StatsReply *sr = ans->stats_reply;
	json_t *o, *rows, *classes, *hot, *hist;
	size_t i, k;

	classes = json_array();
	for (i = 0; i < sr->n_classes; i++)
		json_array_append_new(classes, json_pack("{s:s,s:s,s:s,s:b}",
		    "lock_class", sr->classes[i]->lock_class,
		    "verdict", verdict_name(sr->classes[i]->verdict),
		    "reason", sr->classes[i]->reason,
		    "lower_bound", sr->classes[i]->lower_bound));
	rows = json_array();
	for (i = 0; i < sr->n_stats; i++) {
		const Lockprobe__LockStat *l = sr->stats[i];
		int blind = l->verdict ==
		    LOCKPROBE__OBSERVABILITY__VERDICT__BLIND && l->count == 0;

		hist = json_array();
		for (k = 0; k < l->n_hist; k++)
			json_array_append_new(hist,
			    json_integer((json_int_t)l->hist[k]));
		json_array_append_new(rows, json_pack(
		    "{s:i,s:s,s:s,s:s,s:s,s:b,s:s,s:o,s:I,s:I,s:I,s:o}",
		    "map_id", l->map_id, "map_name", l->map_name,
		    "map_type", l->map_type, "lock_kind", l->lock_kind,
		    "lock_class", l->lock_class, "sleeping", l->sleeping,
		    "observability", verdict_name(l->verdict),
		    "count", blind ? json_null() :
		    json_integer((json_int_t)l->count),
		    "total_ns", (json_int_t)l->total_ns,
		    "min_ns", (json_int_t)l->min_ns,
		    "max_ns", (json_int_t)l->max_ns, "hist", hist));
	}
	hot = json_array();
	for (i = 0; i < sr->n_hot; i++)
		json_array_append_new(hot, json_pack("{s:i,s:i,s:I}",
		    "map_id", sr->hot[i]->map_id, "bucket", sr->hot[i]->bucket,
		    "count", (json_int_t)sr->hot[i]->count));
	o = json_pack("{s:o,s:o,s:o,s:I,s:I,s:s?}", "observability", classes,
	    "stats", rows, "hot_buckets", hot,
	    "ranges_tracked", (json_int_t)sr->ranges_tracked,
	    "ranges_dropped", (json_int_t)sr->ranges_dropped,
	    "error", sr->error);
	return o;
}

static void
print_duration(uint64_t secs)
{
	if (secs >= 86400)
		printf("%llud%02lluh", (unsigned long long)(secs / 86400),
		    (unsigned long long)(secs % 86400 / 3600));
	else if (secs >= 3600)
		printf("%lluh%02llum", (unsigned long long)(secs / 3600),
		    (unsigned long long)(secs % 3600 / 60));
	else
		printf("%llum%02llus", (unsigned long long)(secs / 60),
		    (unsigned long long)(secs % 60));
}

static void
print_time(const char *label, int64_t t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;
	char		buf[32];

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		printf("%snever", label);
	else
		printf("%s%s", label, buf);
}

static void
remote_text(const Lockprobe__RemoteStatus *rs)
{
	size_t	i;

	if (!rs->enabled) {
		printf("remote configuration: off (no repository-url)\n");
		return;
	}
	printf("remote configuration: %s\n", rs->repository ?
	    rs->repository : "?");
	printf("  trusted: root %llu, timestamp %llu",
	    (unsigned long long)rs->root_version,
	    (unsigned long long)rs->timestamp_version);
	print_time(" (expires ", rs->timestamp_expires);
	printf("), snapshot %llu, targets %llu",
	    (unsigned long long)rs->snapshot_version,
	    (unsigned long long)rs->targets_version);
	print_time(" (expires ", rs->targets_expires);
	printf(")\n  polls %llu, failed %llu; ",
	    (unsigned long long)rs->polls, (unsigned long long)rs->failures);
	print_time("last ", rs->last_poll);
	print_time(", last success ", rs->last_success);
	if (rs->next_poll != 0)
		print_time(", next ", rs->next_poll);
	printf("\n");
	if (rs->last_error != NULL)
		printf("  last error: %s\n", rs->last_error);
	if (rs->expiry_action != NULL)
		printf("  expiry: %s\n", rs->expiry_action);
	for (i = 0; i < rs->n_configs; i++) {
		const Lockprobe__ConfigState *c = rs->configs[i];

		printf("  %s: %s (targets version %llu) %s", c->product,
		    c->target, (unsigned long long)c->version,
		    c->applied ? "applied" : "not applied");
		print_time(" at ", c->when);
		printf("%s%s\n", c->error ? ": " : "", c->error ? c->error :
		    "");
	}
}

static json_t *
remote_json(const Lockprobe__RemoteStatus *rs)
{
	json_t	*o, *cfgs;
	size_t	 i;

	o = json_pack("{s:b,s:s?,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s?,"
	    "s:I,s:I,s:I,s:s?}", "enabled", rs->enabled,
	    "repository", rs->repository,
	    "root_version", (json_int_t)rs->root_version,
	    "timestamp_version", (json_int_t)rs->timestamp_version,
	    "timestamp_expires", (json_int_t)rs->timestamp_expires,
	    "snapshot_version", (json_int_t)rs->snapshot_version,
	    "snapshot_expires", (json_int_t)rs->snapshot_expires,
	    "targets_version", (json_int_t)rs->targets_version,
	    "targets_expires", (json_int_t)rs->targets_expires,
	    "last_poll", (json_int_t)rs->last_poll,
	    "last_success", (json_int_t)rs->last_success,
	    "last_error", rs->last_error,
	    "next_poll", (json_int_t)rs->next_poll,
	    "polls", (json_int_t)rs->polls,
	    "failures", (json_int_t)rs->failures,
	    "expiry_action", rs->expiry_action);
	if (o == NULL)
		return NULL;
	cfgs = json_array();
	for (i = 0; i < rs->n_configs; i++) {
		const Lockprobe__ConfigState *c = rs->configs[i];

		json_array_append_new(cfgs, json_pack("{s:s,s:s,s:I,s:b,s:s?,"
		    "s:I}", "product", c->product, "target", c->target,
		    "version", (json_int_t)c->version, "applied", c->applied,
		    "error", c->error, "when", (json_int_t)c->when));
	}
	json_object_set_new(o, "configs", cfgs);
	return o;
}

static int
poll_text(const Lockprobe__Envelope *ans)
{
	const Lockprobe__PollReply *pr = ans->poll_reply;

	if (!pr->started) {
		fprintf(stderr, "lockprobectl: no poll: %s\n", pr->reason ?
		    pr->reason : "no reason given");
		return 1;
	}
	printf("polling the repository; see lockprobectl status\n");
	return 0;
}

static json_t *
poll_json(const Lockprobe__Envelope *ans)
{
	return json_pack("{s:b,s:s?}", "started", ans->poll_reply->started,
	    "reason", ans->poll_reply->reason);
}

static void
print_words(const char *what, char **w, size_t n, const char *none)
{
	size_t i;

	printf("  %s: ", what);
	if (n == 0)
		printf("%s", none);
	for (i = 0; i < n; i++)
		printf("%s%s", i > 0 ? ", " : "", w[i]);
	putchar('\n');
}

static void
print_settings(const Lockprobe__CollectorStatus *c)
{
	const Lockprobe__CollectorSettings *s = c->settings;

	printf("collector settings (from %s): %s, rewalk every %u s, range "
	    "budget %u\n", c->settings_origin ? c->settings_origin : "?",
	    s->enabled ? "enabled" : "disabled: nothing is counted",
	    s->rewalk_interval_sec, s->range_budget);
	print_words("include", s->include, s->n_include, "every map");
	print_words("exclude", s->exclude, s->n_exclude, "none");
	print_words("map types", s->map_types, s->n_map_types, "all");
	if (c->has_maps_filtered)
		printf("  maps left out by these filters: %u\n",
		    c->maps_filtered);
}

static json_t *
words_json(char **w, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(w[i]));
	return a;
}

static json_t *
settings_json(const Lockprobe__CollectorSettings *s)
{
	return json_pack("{s:b,s:i,s:i,s:o,s:o,s:o}", "enabled", s->enabled,
	    "rewalk_interval_sec", s->rewalk_interval_sec,
	    "range_budget", s->range_budget,
	    "include", words_json(s->include, s->n_include),
	    "exclude", words_json(s->exclude, s->n_exclude),
	    "map_types", words_json(s->map_types, s->n_map_types));
}

static int
status_text(const Lockprobe__Envelope *ans)
{
	const Lockprobe__StatusReply *st = ans->status_reply;
	const Lockprobe__NetdStatus *nd = st->netd;
	size_t i;

	printf("lockprobed %s (protocol %u): pid %u, up ", st->version,
	    st->protocol_version, st->privd_pid);
	print_duration(st->privd_uptime_sec);
	printf(", config %s\n", st->config_path);
	if (nd != NULL) {
		printf("lockprobe-netd: pid %u, up ", nd->pid);
		print_duration(nd->uptime_sec);
		printf(", seccomp %s, started %u time%s, failed runs in a row "
		    "%u\n", nd->seccomp_mode, st->netd_starts,
		    st->netd_starts == 1 ? "" : "s", st->netd_failures);
		printf("  heartbeats answered %llu; control clients %u, "
		    "refused %llu; log lines dropped %llu\n",
		    (unsigned long long)st->heartbeats_answered,
		    nd->control_clients,
		    (unsigned long long)nd->control_rejected,
		    (unsigned long long)nd->log_dropped);
		printf("  ipc at lockprobed: sent %llu, received %llu, "
		    "rejected %llu; at netd: sent %llu, received %llu, "
		    "rejected %llu\n",
		    (unsigned long long)st->ipc->sent,
		    (unsigned long long)st->ipc->received,
		    (unsigned long long)st->ipc->rejected,
		    (unsigned long long)nd->ipc->sent,
		    (unsigned long long)nd->ipc->received,
		    (unsigned long long)nd->ipc->rejected);
		if (nd->metrics != NULL)
			printf("  metrics endpoint: clients %u, scrapes %llu, "
			    "refused %llu\n", nd->metrics->clients,
			    (unsigned long long)nd->metrics->scrapes,
			    (unsigned long long)nd->metrics->refused);
		if (nd->remote != NULL)
			remote_text(nd->remote);
	}
	if (st->btf_source != NULL)
		printf("BTF: %s, %s\n", st->btf_source,
		    st->btf_file ? st->btf_file : "?");
	else
		printf("BTF: not found: %s\n", st->btf_error ? st->btf_error :
		    "?");
	if (st->calibration != NULL) {
		const Lockprobe__CalibrationStatus *k = st->calibration;

		printf("calibration (%.0f ms): kernel %s, %u CPUs, hypervisor "
		    "%s%s%s, paravirt spinlocks %s%s%s%s\n",
		    k->elapsed_usec / 1e3, k->kernel_release, k->cpus_online,
		    k->hypervisor ? "yes" : "no",
		    k->hypervisor_vendor ? " " : "",
		    k->hypervisor_vendor ? k->hypervisor_vendor : "",
		    k->pv_spinlocks == 1 ? "yes" : k->pv_spinlocks == 0 ?
		    "no" : "unknown", k->pv_source ? " (" : "",
		    k->pv_source ? k->pv_source : "", k->pv_source ? ")" : "");
		print_observability(k->classes, k->n_classes);
	}
	if (st->collector != NULL) {
		const Lockprobe__CollectorStatus *c = st->collector;

		if (c->walk_error != NULL)
			printf("map walk: failed: %s\n", c->walk_error);
		printf("map walk %u (every %u s): %u maps, %u with lock "
		    "ranges, %llu ranges; %.1f ms (+%.1f ms to load)\n",
		    c->walks, c->rewalk_interval_sec, c->maps,
		    c->maps_covered, (unsigned long long)c->ranges,
		    c->walk_usec / 1e3, c->load_usec / 1e3);
		if (c->settings != NULL)
			print_settings(c);
		if (c->ksym_error != NULL)
			printf("kernel symbols: failed: %s\n", c->ksym_error);
		else
			printf("kernel symbols: %u of %u found with %s in "
			    "%.1f ms\n", c->ksyms_found, c->ksyms_asked,
			    c->ksym_method, c->ksym_usec / 1e3);
	}
	if (st->n_assets == 0)
		printf("BPF assets: none loaded yet\n");
	for (i = 0; i < st->n_assets; i++) {
		const Lockprobe__AssetStatus *a = st->assets[i];

		printf("BPF asset %s: %s (loaded %llu, btf not found %llu, "
		    "read error %llu, hash mismatch %llu, verifier error "
		    "%llu)\n", a->name, a->last_outcome,
		    (unsigned long long)a->loaded,
		    (unsigned long long)a->btf_not_found,
		    (unsigned long long)a->read_error,
		    (unsigned long long)a->hash_mismatch,
		    (unsigned long long)a->verifier_error);
		if (a->last_error != NULL)
			printf("  %s\n", a->last_error);
		if (a->verifier_log != NULL)
			printf("  verifier log (end):\n%s\n", a->verifier_log);
	}
	return 0;
}

static json_t *
ipc_json(const Lockprobe__IpcStatus *ipc)
{
	return json_pack("{s:I,s:I,s:I,s:I}", "sent", (json_int_t)ipc->sent,
	    "received", (json_int_t)ipc->received,
	    "send_failed", (json_int_t)ipc->send_failed,
	    "rejected", (json_int_t)ipc->rejected);
}

static json_t *
status_json(const Lockprobe__Envelope *ans)
{
	const Lockprobe__StatusReply *st = ans->status_reply;
	json_t *o, *assets;
	size_t i;

	o = json_pack("{s:s,s:i,s:i,s:I,s:s,s:i,s:i,s:i,s:I,s:o}",
	    "version", st->version, "protocol_version", st->protocol_version,
	    "privd_pid", st->privd_pid,
	    "privd_uptime_sec", (json_int_t)st->privd_uptime_sec,
	    "config_path", st->config_path, "netd_pid", st->netd_pid,
	    "netd_starts", st->netd_starts, "netd_failures", st->netd_failures,
	    "heartbeats_answered", (json_int_t)st->heartbeats_answered,
	    "ipc", ipc_json(st->ipc));
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "btf", st->btf_source != NULL ?
	    json_pack("{s:s,s:s?}", "source", st->btf_source, "file",
	    st->btf_file) : json_pack("{s:s?}", "error", st->btf_error));
	assets = json_array();
	for (i = 0; i < st->n_assets; i++) {
		const Lockprobe__AssetStatus *a = st->assets[i];

		json_array_append_new(assets, json_pack(
		    "{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:s?,s:s?}",
		    "name", a->name, "last_outcome", a->last_outcome,
		    "loaded", (json_int_t)a->loaded,
		    "btf_not_found", (json_int_t)a->btf_not_found,
		    "read_error", (json_int_t)a->read_error,
		    "hash_mismatch", (json_int_t)a->hash_mismatch,
		    "verifier_error", (json_int_t)a->verifier_error,
		    "last_error", a->last_error,
		    "verifier_log", a->verifier_log));
	}
	json_object_set_new(o, "assets", assets);
	if (st->collector != NULL) {
		const Lockprobe__CollectorStatus *c = st->collector;
		json_t *co;

		json_object_set_new(o, "collector", co = json_pack(
		    "{s:i,s:i,s:i,s:I,s:I,s:I,s:s?,s:i,s:s,s:I,s:i,s:i,s:s?}",
		    "walks", c->walks, "maps", c->maps,
		    "maps_covered", c->maps_covered,
		    "ranges", (json_int_t)c->ranges,
		    "load_usec", (json_int_t)c->load_usec,
		    "walk_usec", (json_int_t)c->walk_usec,
		    "walk_error", c->walk_error,
		    "rewalk_interval_sec", c->rewalk_interval_sec,
		    "ksym_method", c->ksym_method,
		    "ksym_usec", (json_int_t)c->ksym_usec,
		    "ksyms_found", c->ksyms_found,
		    "ksyms_asked", c->ksyms_asked,
		    "ksym_error", c->ksym_error));
		if (co != NULL && c->settings != NULL) {
			json_object_set_new(co, "settings",
			    settings_json(c->settings));
			json_object_set_new(co, "settings_origin",
			    json_string(c->settings_origin ?
			    c->settings_origin : "?"));
		}
		if (co != NULL && c->has_maps_filtered)
			json_object_set_new(co, "maps_filtered",
			    json_integer(c->maps_filtered));
	}
	if (st->calibration != NULL) {
		const Lockprobe__CalibrationStatus *k = st->calibration;
		json_t *cl = json_array();

		for (i = 0; i < k->n_classes; i++)
			json_array_append_new(cl, json_pack("{s:s,s:s,s:s,s:b}",
			    "lock_class", k->classes[i]->lock_class,
			    "verdict", verdict_name(k->classes[i]->verdict),
			    "reason", k->classes[i]->reason,
			    "lower_bound", k->classes[i]->lower_bound));
		json_object_set_new(o, "calibration", json_pack(
		    "{s:I,s:b,s:s?,s:i,s:s?,s:s,s:i,s:o,s:s?}",
		    "elapsed_usec", (json_int_t)k->elapsed_usec,
		    "hypervisor", k->hypervisor,
		    "hypervisor_vendor", k->hypervisor_vendor,
		    "pv_spinlocks", k->pv_spinlocks, "pv_source", k->pv_source,
		    "kernel_release", k->kernel_release,
		    "cpus_online", k->cpus_online, "classes", cl,
		    "error", k->error));
	}
	if (st->netd != NULL)
		json_object_set_new(o, "netd", json_pack(
		    "{s:i,s:I,s:s,s:o,s:i,s:I,s:I,s:o?}",
		    "pid", st->netd->pid,
		    "uptime_sec", (json_int_t)st->netd->uptime_sec,
		    "seccomp_mode", st->netd->seccomp_mode,
		    "ipc", ipc_json(st->netd->ipc),
		    "control_clients", st->netd->control_clients,
		    "control_rejected", (json_int_t)st->netd->control_rejected,
		    "log_dropped", (json_int_t)st->netd->log_dropped,
		    "remote", st->netd->remote != NULL ?
		    remote_json(st->netd->remote) : NULL));
	if (st->netd != NULL && st->netd->metrics != NULL)
		json_object_set_new(json_object_get(o, "netd"), "metrics",
		    json_pack("{s:i,s:I,s:I}",
		    "clients", st->netd->metrics->clients,
		    "scrapes", (json_int_t)st->netd->metrics->scrapes,
		    "refused", (json_int_t)st->netd->metrics->refused));
	return o;
}

static int
reload_text(const Lockprobe__Envelope *ans)
{
	const Lockprobe__ReloadReply *rr = ans->reload_reply;

	if (!rr->applied) {
		fprintf(stderr, "%s%sreload refused; the running "
		    "configuration stays in force\n",
		    rr->errors ? rr->errors : "",
		    rr->errors && rr->errors[0] &&
		    rr->errors[strlen(rr->errors) - 1] != '\n' ? "\n" : "");
		return 1;
	}
	printf("configuration reloaded%s\n", rr->netd_restarted ?
	    "; lockprobe-netd restarted to take its new settings" : "");
	return 0;
}

static json_t *
reload_json(const Lockprobe__Envelope *ans)
{
	const Lockprobe__ReloadReply *rr = ans->reload_reply;

	return json_pack("{s:b,s:b,s:s?}", "applied", rr->applied,
	    "netd_restarted", rr->netd_restarted, "errors", rr->errors);
}

static int
rewalk_text(const Lockprobe__Envelope *ans)
{
	const Lockprobe__RewalkReply *rr = ans->rewalk_reply;

	if (rr->error != NULL) {
		fprintf(stderr, "lockprobectl: rewalk: %s\n", rr->error);
		return 1;
	}
	printf("map walk: %u maps, %llu lock ranges, in %.1f ms\n", rr->maps,
	    (unsigned long long)rr->ranges, rr->walk_usec / 1e3);
	return 0;
}

static json_t *
rewalk_json(const Lockprobe__Envelope *ans)
{
	const Lockprobe__RewalkReply *rr = ans->rewalk_reply;

	return json_pack("{s:i,s:I,s:I,s:s?}", "maps", rr->maps,
	    "ranges", (json_int_t)rr->ranges,
	    "walk_usec", (json_int_t)rr->walk_usec, "error", rr->error);
}

/*
 * top: stats again and again, every -d seconds, with the waits of each
 * interval; in place on a terminal (q or ^C quits), else frames one after
 * another, -n of them, for scripts and tests.
 */
struct top_prev {
	uint32_t	map_id;
	char		kind[TOP_KIND_MAX];
	char		cls[TOP_KIND_MAX];
	uint64_t	count;
	uint64_t	total_ns;
};

struct top_row {
	const Lockprobe__LockStat	*l;
	struct row_key			 k;	/* over the interval */
};

static struct {
	unsigned int		 interval;	/* -d */
	unsigned long		 frames;	/* -n; 0: until q or a signal */
	int			 tty;
	unsigned int		 lines;		/* the terminal's height */
	struct top_prev		*prev;		/* the last frame's totals */
	size_t			 nprev;
	struct timespec		 prev_at;
} top = { .interval = 2 };

static volatile sig_atomic_t top_stop;

static void
on_top_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

static const struct top_prev *
top_find_prev(const Lockprobe__LockStat *l)
{
	size_t i;

	for (i = 0; i < top.nprev; i++)
		if (top.prev[i].map_id == l->map_id &&
		    strncmp(top.prev[i].kind, l->lock_kind, TOP_KIND_MAX) == 0 &&
		    strncmp(top.prev[i].cls, l->lock_class, TOP_KIND_MAX) == 0)
			return &top.prev[i];
	return NULL;
}

static int
cmp_top_row(const void *a, const void *b)
{
	return cmp_keys(&((const struct top_row *)a)->k,
	    &((const struct top_row *)b)->k);
}

/* Remember this frame's totals; the next frame shows what was added. */
static void
top_remember(const Lockprobe__StatsReply *sr, const struct timespec *now)
{
	struct top_prev *p;
	size_t i;

	free(top.prev);
	top.prev = NULL;
	top.nprev = 0;
	top.prev_at = *now;
	if ((p = calloc(sr->n_stats + 1, sizeof(*p))) == NULL)
		return;		/* the next frame shows totals again */
	for (i = 0; i < sr->n_stats; i++) {
		p[i].map_id = sr->stats[i]->map_id;
		snprintf(p[i].kind, sizeof(p[i].kind), "%s",
		    sr->stats[i]->lock_kind);
		snprintf(p[i].cls, sizeof(p[i].cls), "%s",
		    sr->stats[i]->lock_class);
		p[i].count = sr->stats[i]->count;
		p[i].total_ns = sr->stats[i]->total_ns;
	}
	top.prev = p;
	top.nprev = sr->n_stats;
}

static int
top_text(const Lockprobe__Envelope *ans)
{
	const Lockprobe__StatsReply *sr = ans->stats_reply;
	const struct top_prev *p;
	struct top_row *rows;
	struct timespec now;
	char when[32];
	time_t t = time(NULL);
	double dt = 0;
	size_t i, shown, room;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (top.prev != NULL)
		dt = (double)(now.tv_sec - top.prev_at.tv_sec) +
		    (double)(now.tv_nsec - top.prev_at.tv_nsec) / 1e9;
	if ((rows = calloc(sr->n_stats + 1, sizeof(*rows))) == NULL) {
		fprintf(stderr, "lockprobectl: out of memory\n");
		return 1;
	}
	for (i = 0; i < sr->n_stats; i++) {
		rows[i].l = sr->stats[i];
		stat_key(sr->stats[i], &rows[i].k);
		/* a counter that went back (a new map with an old id, a
		 * reload) counts from zero */
		if (dt > 0 && (p = top_find_prev(sr->stats[i])) != NULL &&
		    p->count <= rows[i].k.count &&
		    p->total_ns <= rows[i].k.total_ns) {
			rows[i].k.count -= p->count;
			rows[i].k.total_ns -= p->total_ns;
		}
	}
	qsort(rows, sr->n_stats, sizeof(*rows), cmp_top_row);

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&t));
	if (top.tty)
		printf("\033[H\033[2J");
	printf("lockprobectl top - %s, every %u s, sorted by %s%s\n", when,
	    top.interval, sort_names[sort_key], top.tty ? "; q quits" : "");
	print_observability(sr->classes, sr->n_classes);
	if (sr->error != NULL)
		printf("contention programs: %s\n", sr->error);
	printf("%7s %-16s %-14s %-22s %-6s %9s %12s %10s %12s\n", "MAP-ID",
	    "NAME", "TYPE", "LOCK", "CLASS", "WAITS/S", "WAITED/S", "COUNT",
	    "MAX");
	/* on a terminal, what fits below the header lines */
	room = top.tty && top.lines > sr->n_classes + 4 ?
	    top.lines - sr->n_classes - 4 : sr->n_stats;
	for (shown = 0; shown < sr->n_stats && shown < room; shown++) {
		const Lockprobe__LockStat *l = rows[shown].l;

		printf("%7u %-16s %-14s %-22s %-6s ", l->map_id, l->map_name,
		    l->map_type, l->lock_kind, l->lock_class);
		if (l->verdict == LOCKPROBE__OBSERVABILITY__VERDICT__BLIND &&
		    l->count == 0) {
			printf("%9s\n", "not observable here");
			continue;
		}
		if (dt > 0) {
			printf("%9.1f    ", (double)rows[shown].k.count / dt);
			print_ns((uint64_t)((double)rows[shown].k.total_ns /
			    dt));
		} else
			printf("%9s    %12s", "-", "-");
		printf(" %10llu   ", (unsigned long long)l->count);
		print_ns(l->max_ns);
		printf("\n");
	}
	if (shown < sr->n_stats)
		printf("... %zu more (-f to choose maps)\n",
		    sr->n_stats - shown);
	if (!top.tty)
		printf("\n");
	fflush(stdout);
	top_remember(sr, &now);
	free(rows);
	return 0;
}

/* Wait one interval; return 1 to stop (q, ^C, SIGTERM). */
static int
top_wait(int keys)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	struct timespec start, now;
	long left;
	char c;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (long)top.interval * 1000 -
		    ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000);
		if (top_stop)
			return 1;
		if (left <= 0)
			return 0;
		if (poll(&pfd, keys ? 1 : 0, (int)left) == 1 &&
		    read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q'))
			return 1;
	}
}

static int
top_frame(const char *path, const struct ctl_command *cmd,
    Lockprobe__StatsRequest *req)
{
	struct stats_pages pages = { NULL, 0 };
	struct ipc_channel ch;
	Lockprobe__Envelope *ans;
	int fd, rc;

	if ((fd = ctl_connect(path)) == -1)
		return 1;
	ipc_init(&ch, fd, "the daemon");
	ans = fetch_stats(&ch, cmd, req, &pages);
	close(fd);
	if (ans == NULL)
		return 1;
	select_rows(ans->stats_reply);
	rc = top_text(ans);
	stats_pages_free(&pages, ans);
	return rc;
}

static int
top_run(const char *path, const struct ctl_command *cmd,
    Lockprobe__StatsRequest *req)
{
	struct termios saved, raw;
	struct sigaction sa;
	struct winsize ws;
	unsigned long frame;
	int keys, rc = 0;

	top.tty = isatty(STDOUT_FILENO);
	keys = top.tty && isatty(STDIN_FILENO) &&
	    tcgetattr(STDIN_FILENO, &saved) == 0;
	if (keys) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		keys = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_top_signal;	/* no SA_RESTART: poll returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (frame = 0; top.frames == 0 || frame < top.frames; frame++) {
		if (frame > 0 && top_wait(keys))
			break;
		if (top.tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
			top.lines = ws.ws_row;
		if ((rc = top_frame(path, cmd, req)) != 0 || top_stop)
			break;
	}
	if (keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	free(top.prev);
	return rc;
}

/* -d and -n: a decimal number from min to max. */
static int
parse_count(const char *opt, const char *s, unsigned long min,
    unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    v < min || v > max) {
		fprintf(stderr, "lockprobectl: %s '%s': expected a number "
		    "from %lu to %lu\n", opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
main(int argc, char *argv[])
{
	const struct ctl_command *cmd = NULL;
	const char *path = RUNSTATEDIR "/lockprobe.sock";
	struct ipc_channel ch;
	Lockprobe__Envelope *ans;
	Lockprobe__StatsRequest stats = LOCKPROBE__STATS_REQUEST__INIT;
	struct stats_pages pages = { NULL, 0 };
	int c, json = 0, rc;
	unsigned long v;
	json_t *out;
	size_t i;

	while ((c = getopt(argc, argv, "d:f:jn:o:s:")) != -1) {
		switch (c) {
		case 'd':
			if (parse_count("-d", optarg, 1, TOP_INTERVAL_MAX,
			    &v) == -1)
				return 2;
			top.interval = (unsigned int)v;
			break;
		case 'f':
			map_glob = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'n':
			if (parse_count("-n", optarg, 1, 1000000,
			    &top.frames) == -1)
				return 2;
			break;
		case 'o':
			for (i = 0; i < SORT_NKEYS; i++)
				if (strcmp(optarg, sort_names[i]) == 0)
					break;
			if (i == SORT_NKEYS) {
				fprintf(stderr, "lockprobectl: -o '%s': sort by "
				    "total, count, max, avg or map\n", optarg);
				return 2;
			}
			sort_key = (enum sort_key)i;
			break;
		case 's':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "lockprobectl: unknown command '%s'\n",
		    argv[optind]);
		usage();
	}
	if (argc - optind - 1 > cmd->nargs_max)
		usage();
	if (argc - optind - 1 == 1) {
		if (parse_map_id(argv[optind + 1], &stats.map_id) == -1)
			return 2;
		stats.has_map_id = 1;
	} else if (strcmp(cmd->name, "hist") == 0) {
		fprintf(stderr, "lockprobectl: hist needs a map id (see "
		    "lockprobectl stats)\n");
		return 2;
	}

	if (json && cmd->json == NULL) {
		fprintf(stderr, "lockprobectl: %s has no JSON output; use "
		    "stats -j\n", cmd->name);
		return 2;
	}

	log_init("lockprobectl", 1, LOG_WARNING);
	if (cmd->text == top_text)
		return top_run(path, cmd, &stats);
	if ((c = ctl_connect(path)) == -1)
		return 1;
	ipc_init(&ch, c, "the daemon");
	if (cmd->request == LOCKPROBE__ENVELOPE__BODY_STATS_REQUEST)
		ans = fetch_stats(&ch, cmd, &stats, &pages);
	else
		ans = ctl_request(&ch, cmd, NULL);
	close(c);
	if (ans == NULL)
		return 1;
	if (ans->body_case == LOCKPROBE__ENVELOPE__BODY_STATS_REPLY)
		select_rows(ans->stats_reply);
	if (json) {
		if ((out = cmd->json(ans)) == NULL) {
			fprintf(stderr, "lockprobectl: cannot format JSON\n");
			ipc_free(ans);
			return 1;
		}
		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		rc = 0;
		if ((ans->body_case == LOCKPROBE__ENVELOPE__BODY_RELOAD_REPLY &&
		    !ans->reload_reply->applied) ||
		    (ans->body_case == LOCKPROBE__ENVELOPE__BODY_REWALK_REPLY &&
		    ans->rewalk_reply->error != NULL))
			rc = 1;
		if (ans->body_case == LOCKPROBE__ENVELOPE__BODY_POLL_REPLY &&
		    !ans->poll_reply->started)
			rc = 1;
		json_decref(out);
	} else
		rc = cmd->text(ans);
	if (pages.n > 0)
		stats_pages_free(&pages, ans);
	else
		ipc_free(ans);
	return rc;
}
