/*
 * The metrics endpoint, served by netd: a bounded HTTP/1.1 server that
 * answers GET /metrics and nothing else.  lockprobed opened (bound and
 * listening) the TCP socket on descriptor IPC_METRICS_FD; netd only
 * accepts on it.  A scrape asks lockprobed for its status and every page of
 * its statistics, renders them (metrics_render.c), and answers every client
 * waiting for it; one collection runs at a time, clients that arrive
 * meanwhile share it, and for a second after it, it is the answer.  Each
 * connection carries one request and is closed.
 */
#include "config.h"

#include <sys/socket.h>

#include <malloc.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "log.h"
#include "metrics.h"
#include "stats_page.h"

#define METRICS_MAX_CLIENTS	8
#define METRICS_MAX_REQUEST	4096	/* request line and headers */
#define METRICS_MAX_LINE	1024	/* the request line */
#define METRICS_READ_SEC	10	/* to send the whole request */
#define METRICS_ANSWER_SEC	30	/* to collect and write the answer */
#define METRICS_PRIVD_SEC	5	/* for each answer of lockprobed */
#define METRICS_LINGER_SEC	2	/* for the client to close after us */
#define METRICS_CACHE_MS	1000	/* a scrape this recent is answered
					   again: clients cannot make
					   lockprobed read its maps faster */
#define METRICS_MAX_PAGES	4096	/* StatsReply pages per scrape */
#define METRICS_MAX_BODY	(32 * 1024 * 1024)

enum client_state {
	CLIENT_READING,
	CLIENT_WAITING,		/* for the collection */
	CLIENT_WRITING,
	CLIENT_LINGERING,	/* answer out: drain the client's bytes until
				   it closes, so that closing sends no RST
				   that could destroy the answer */
};

struct metrics_client {
	struct bufferevent	*bev;
	struct event		*deadline_ev;
	enum client_state	 state;
};

enum collect_state {
	COLLECT_IDLE,
	COLLECT_STATUS,		/* waiting for the StatusReply */
	COLLECT_STATS,		/* waiting for a StatsReply page */
};

struct metrics {
	struct event_base	*base;
	struct ipc_channel	*privd;
	control_status_fn	 fill_status;
	void			*fill_arg;
	struct event		*accept_ev;
	struct event		*privd_timeout_ev;
	struct metrics_client	*clients[METRICS_MAX_CLIENTS];
	struct metrics_counters	 counters;
	/* the collection in progress */
	enum collect_state	 collect;
	uint64_t		 request_id;	/* of the request to lockprobed */
	uint32_t		 after;		/* map id the page asked for follows */
	unsigned int		 pages;
	struct evbuffer		*status_text;
	struct metrics_locks	 locks;
	/* the last scrape, for METRICS_CACHE_MS */
	struct evbuffer		*cached;
	struct timespec		 cached_at;
	struct event		*cache_ev;	/* frees it once stale */
};

static struct metrics metrics;

static void	on_read(struct bufferevent *, void *);
static void	on_written(struct bufferevent *, void *);
static void	on_event(struct bufferevent *, short, void *);
static void	on_deadline(evutil_socket_t, short, void *);

/*
 * A scrape of a host with many maps is megabytes; once too old to answer
 * with, it goes, and so does what malloc keeps of it, so that netd's
 * resident set between scrapes is that of a netd without the endpoint.
 */
static const struct timeval cache_life = {
	METRICS_CACHE_MS / 1000 + 1, 0
};

static void
on_cache_stale(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	if (metrics.cached != NULL)
		evbuffer_free(metrics.cached);
	metrics.cached = NULL;
	malloc_trim(0);
}

static void
client_close(struct metrics_client *c)
{
	size_t i;

	for (i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (metrics.clients[i] == c)
			metrics.clients[i] = NULL;
	bufferevent_free(c->bev);	/* BEV_OPT_CLOSE_ON_FREE */
	event_free(c->deadline_ev);
	free(c);
}

/* Queue a whole answer; the client is closed once it is written. */
static void
client_answer(struct metrics_client *c, const char *status,
    const char *extra_headers, struct evbuffer *body, const char *text)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct timeval tv = { METRICS_ANSWER_SEC, 0 };
	size_t len = body != NULL ? evbuffer_get_length(body) : strlen(text);

	c->state = CLIENT_WRITING;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_add_printf(out, "HTTP/1.1 %s\r\n"
	    "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n%sConnection: close\r\n\r\n", status, len,
	    extra_headers) < 0 ||
	    (body != NULL ? evbuffer_add(out, evbuffer_pullup(body, -1),
	    len) : evbuffer_add(out, text, len)) == -1 ||
	    bufferevent_enable(c->bev, EV_WRITE) == -1) {
		client_close(c);
		return;
	}
	evtimer_add(c->deadline_ev, &tv);
}

static void
client_refuse(struct metrics_client *c, enum metrics_refusal why)
{
	static const struct {
		const char	*status;
		const char	*headers;
		const char	*text;
	} answers[METRICS_NREFUSALS] = {
		[METRICS_BAD_REQUEST] = { "400 Bad Request", "",
		    "not an HTTP/1.0 or HTTP/1.1 request\n" },
		[METRICS_NOT_FOUND] = { "404 Not Found", "",
		    "the metrics are at /metrics\n" },
		[METRICS_BAD_METHOD] = { "405 Method Not Allowed",
		    "Allow: GET\r\n", "only GET is served\n" },
		[METRICS_TOO_LARGE] = { "431 Request Header Fields Too Large",
		    "", "the request is longer than 4096 bytes\n" },
		[METRICS_TIMEOUT] = { "408 Request Timeout", "",
		    "the request took longer than 10 seconds to arrive\n" },
		[METRICS_TOO_MANY] = { "503 Service Unavailable",
		    "Retry-After: 1\r\n", "too many clients\n" },
		[METRICS_UNAVAILABLE] = { "503 Service Unavailable",
		    "Retry-After: 1\r\n", "lockprobed did not answer\n" },
	};

	metrics.counters.refused[why]++;
	log_debug("metrics: refusing a request: %s",
	    metrics_refusal_name(why));
	client_answer(c, answers[why].status, answers[why].headers, NULL,
	    answers[why].text);
}

/* The collection is over: answer every client waiting for it. */
static void
collect_done(int ok)
{
	struct evbuffer *body = NULL;
	size_t i;

	evtimer_del(metrics.privd_timeout_ev);
	metrics.collect = COLLECT_IDLE;
	metrics.request_id = 0;
	if (ok && (body = evbuffer_new()) != NULL &&
	    (evbuffer_add_buffer(body, metrics.status_text) == -1 ||
	    metrics_render_finish(body, &metrics.locks,
	    &metrics.counters) == -1)) {
		log_warnx("metrics: out of memory rendering a scrape");
		evbuffer_free(body);
		body = NULL;
	}
	for (i = 0; i < METRICS_MAX_CLIENTS; i++) {
		struct metrics_client *c = metrics.clients[i];

		if (c == NULL || c->state != CLIENT_WAITING)
			continue;
		if (body != NULL) {
			metrics.counters.scrapes++;
			client_answer(c, "200 OK", "", body, NULL);
		} else
			client_refuse(c, METRICS_UNAVAILABLE);
	}
	if (body != NULL) {
		if (metrics.cached != NULL)
			evbuffer_free(metrics.cached);
		metrics.cached = body;
		clock_gettime(CLOCK_MONOTONIC, &metrics.cached_at);
		evtimer_add(metrics.cache_ev, &cache_life);
	}
	if (metrics.status_text != NULL)
		evbuffer_free(metrics.status_text);
	metrics.status_text = NULL;
	metrics_locks_free(&metrics.locks);
}

/* The last scrape, if it is recent enough to answer with again. */
static struct evbuffer *
recent_scrape(void)
{
	struct timespec now;
	long ms;

	if (metrics.cached == NULL)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - metrics.cached_at.tv_sec) * 1000 +
	    (now.tv_nsec - metrics.cached_at.tv_nsec) / 1000000;
	return ms < METRICS_CACHE_MS ? metrics.cached : NULL;
}

static int
ask_privd(Lockprobe__Envelope *env)
{
	struct timeval tv = { METRICS_PRIVD_SEC, 0 };

	env->id = ipc_next_id(metrics.privd);
	if (ipc_send(metrics.privd, env) == -1)
		return -1;
	metrics.request_id = env->id;
	evtimer_add(metrics.privd_timeout_ev, &tv);
	return 0;
}

static int
ask_stats(uint32_t after)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__StatsRequest req = LOCKPROBE__STATS_REQUEST__INIT;

	req.has_after_map_id = 1;
	req.after_map_id = after;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_STATS_REQUEST;
	env.stats_request = &req;
	metrics.collect = COLLECT_STATS;
	metrics.after = after;
	return ask_privd(&env);
}

static void
collect_start(void)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__StatusRequest req = LOCKPROBE__STATUS_REQUEST__INIT;

	if (metrics.collect != COLLECT_IDLE)
		return;		/* the clients share the one running */
	metrics.pages = 0;
	if ((metrics.status_text = evbuffer_new()) == NULL ||
	    metrics_locks_init(&metrics.locks) == -1) {
		collect_done(0);
		return;
	}
	env.body_case = LOCKPROBE__ENVELOPE__BODY_STATUS_REQUEST;
	env.status_request = &req;
	metrics.collect = COLLECT_STATUS;
	if (ask_privd(&env) == -1)
		collect_done(0);
}

static void
on_privd_timeout(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	log_warnx("metrics: lockprobed did not answer within %d s",
	    METRICS_PRIVD_SEC);
	collect_done(0);
}

static void
got_status(const Lockprobe__StatusReply *st)
{
	Lockprobe__NetdStatus ns = LOCKPROBE__NETD_STATUS__INIT;
	Lockprobe__IpcStatus ipc = LOCKPROBE__IPC_STATUS__INIT;

	ns.ipc = &ipc;
	metrics.fill_status(&ns, metrics.fill_arg);
	if (metrics_render_status(metrics.status_text, st, &ns) == -1) {
		collect_done(0);
		return;
	}
	/* without a collector lockprobed has no statistics to answer with */
	if (st->collector == NULL)
		collect_done(1);
	else if (ask_stats(0) == -1)
		collect_done(0);
}

static void
got_stats(const Lockprobe__StatsReply *sr)
{
	uint32_t next = 0;
	int page;

	if ((page = stats_page_next(sr, metrics.after, &next)) ==
	    STATS_PAGE_BAD || ++metrics.pages > METRICS_MAX_PAGES) {
		log_warnx("metrics: lockprobed's stats page after map %u is "
		    "out of order or one too many; scrape abandoned",
		    metrics.after);
		collect_done(0);
		return;
	}
	if (metrics_render_stats(&metrics.locks, sr) == -1 ||
	    evbuffer_get_length(metrics.locks.wait_hist) > METRICS_MAX_BODY) {
		log_warnx("metrics: the scrape is larger than %d bytes; "
		    "scrape abandoned", METRICS_MAX_BODY);
		collect_done(0);
		return;
	}
	if (page == STATS_PAGE_LAST)
		collect_done(1);
	else if (ask_stats(next) == -1)
		collect_done(0);
}

/* lockprobed's answer to a request of ours?  Then take it. */
int
metrics_answer(const Lockprobe__Envelope *env)
{
	if (metrics.collect == COLLECT_IDLE || env->id == 0 ||
	    env->id != metrics.request_id)
		return 0;
	metrics.request_id = 0;
	evtimer_del(metrics.privd_timeout_ev);
	if (metrics.collect == COLLECT_STATUS &&
	    env->body_case == LOCKPROBE__ENVELOPE__BODY_STATUS_REPLY)
		got_status(env->status_reply);
	else if (metrics.collect == COLLECT_STATS &&
	    env->body_case == LOCKPROBE__ENVELOPE__BODY_STATS_REPLY)
		got_stats(env->stats_reply);
	else {
		if (env->body_case == LOCKPROBE__ENVELOPE__BODY_ERROR)
			log_warnx("metrics: lockprobed refused a request: "
			    "%.200s", env->error->reason);
		collect_done(0);
	}
	return 1;
}

/*
 * The request line: "GET /metrics HTTP/1.1".  A query string is allowed
 * (Prometheus adds none, but some tools do) and ignored.  Return why it is
 * refused, or METRICS_NREFUSALS when it is fine.  Pure (fuzz_metrics).
 */
enum metrics_refusal
metrics_check_request(char *line)
{
	char *method, *target, *version, *end;

	method = line;
	if ((target = strchr(method, ' ')) == NULL)
		return METRICS_BAD_REQUEST;
	*target++ = '\0';
	if ((version = strchr(target, ' ')) == NULL)
		return METRICS_BAD_REQUEST;
	*version++ = '\0';
	if (strcmp(version, "HTTP/1.1") != 0 &&
	    strcmp(version, "HTTP/1.0") != 0)
		return METRICS_BAD_REQUEST;
	if (method[0] == '\0' || strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	    != strlen(method) || target[0] != '/')
		return METRICS_BAD_REQUEST;
	if (strcmp(method, "GET") != 0)
		return METRICS_BAD_METHOD;
	if ((end = strchr(target, '?')) != NULL)
		*end = '\0';
	if (strcmp(target, "/metrics") != 0)
		return METRICS_NOT_FOUND;
	return METRICS_NREFUSALS;	/* fine */
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct metrics_client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr end;
	struct timeval tv = { METRICS_ANSWER_SEC, 0 };
	struct evbuffer *recent;
	enum metrics_refusal why;
	char *line;
	size_t len;

	if (c->state == CLIENT_LINGERING)
		evbuffer_drain(in, evbuffer_get_length(in));
	if (c->state != CLIENT_READING)
		return;
	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos == -1) {
		if (evbuffer_get_length(in) >= METRICS_MAX_REQUEST)
			client_refuse(c, METRICS_TOO_LARGE);
		return;
	}
	if (end.pos + 4 > METRICS_MAX_REQUEST) {
		client_refuse(c, METRICS_TOO_LARGE);
		return;
	}
	line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF_STRICT);
	if (line == NULL || len > METRICS_MAX_LINE || strlen(line) != len)
		why = METRICS_BAD_REQUEST;
	else
		why = metrics_check_request(line);
	free(line);
	if (why != METRICS_NREFUSALS) {
		client_refuse(c, why);
		return;
	}
	if ((recent = recent_scrape()) != NULL) {
		metrics.counters.scrapes++;
		client_answer(c, "200 OK", "", recent, NULL);
		return;
	}
	c->state = CLIENT_WAITING;
	bufferevent_disable(bev, EV_READ);
	evtimer_add(c->deadline_ev, &tv);
	collect_start();
}

static void
on_written(struct bufferevent *bev, void *arg)
{
	struct metrics_client *c = arg;
	struct timeval tv = { METRICS_LINGER_SEC, 0 };

	if (c->state != CLIENT_WRITING ||
	    evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	c->state = CLIENT_LINGERING;
	if (shutdown(bufferevent_getfd(bev), SHUT_WR) == -1 ||
	    bufferevent_enable(bev, EV_READ) == -1 ||
	    evtimer_add(c->deadline_ev, &tv) == -1)
		client_close(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct metrics_client *c = arg;

	(void)bev;
	/* end of file while reading, an error, or a write timeout */
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		client_close(c);
}

static void
on_deadline(evutil_socket_t fd, short events, void *arg)
{
	struct metrics_client *c = arg;

	(void)fd;
	(void)events;
	if (c->state == CLIENT_READING)
		client_refuse(c, METRICS_TIMEOUT);	/* slow, or silent */
	else
		client_close(c);
}

static void
on_accept(evutil_socket_t lfd, short events, void *arg)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
	    "Retry-After: 1\r\nContent-Length: 17\r\nConnection: close\r\n"
	    "\r\ntoo many clients\n";
	struct timeval read_tv = { METRICS_READ_SEC, 0 };
	struct timeval write_tv = { METRICS_ANSWER_SEC, 0 };
	struct metrics_client *c;
	size_t i, slot = METRICS_MAX_CLIENTS;
	int fd;

	(void)events;
	(void)arg;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("metrics: accept");
		return;
	}
	for (i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (metrics.clients[i] == NULL) {
			slot = i;
			break;
		}
	if (slot == METRICS_MAX_CLIENTS) {
		/* best effort: a full socket buffer just loses the text */
		(void)!send(fd, busy, sizeof(busy) - 1,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		close(fd);
		metrics.counters.refused[METRICS_TOO_MANY]++;
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->state = CLIENT_READING;
	c->bev = bufferevent_socket_new(metrics.base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	c->deadline_ev = evtimer_new(metrics.base, on_deadline, c);
	if (c->bev == NULL || c->deadline_ev == NULL) {
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(fd);
		if (c->deadline_ev != NULL)
			event_free(c->deadline_ev);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, on_read, on_written, on_event, c);
	/* read no more than a request may hold */
	bufferevent_setwatermark(c->bev, EV_READ, 0, METRICS_MAX_REQUEST);
	bufferevent_set_timeouts(c->bev, NULL, &write_tv);	/* reads: the deadline */
	if (bufferevent_enable(c->bev, EV_READ) == -1 ||
	    evtimer_add(c->deadline_ev, &read_tv) == -1) {
		bufferevent_free(c->bev);
		event_free(c->deadline_ev);
		free(c);
		return;
	}
	metrics.clients[slot] = c;
}

/* Descriptor IPC_METRICS_FD must be a listening TCP socket. */
int
metrics_init(struct event_base *base, struct ipc_channel *privd,
    control_status_fn fill_status, void *arg, char *err, size_t errlen)
{
	int type = 0, listening = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(IPC_METRICS_FD, SOL_SOCKET, SO_TYPE, &type, &len) ==
	    -1 || type != SOCK_STREAM ||
	    (len = sizeof(listening), getsockopt(IPC_METRICS_FD, SOL_SOCKET,
	    SO_ACCEPTCONN, &listening, &len)) == -1 || !listening ||
	    fcntl(IPC_METRICS_FD, F_SETFD, FD_CLOEXEC) == -1) {
		snprintf(err, errlen, "descriptor %d is not a listening TCP "
		    "socket: lockprobed must start netd", IPC_METRICS_FD);
		return -1;
	}
	metrics.base = base;
	metrics.privd = privd;
	metrics.fill_status = fill_status;
	metrics.fill_arg = arg;
	metrics.accept_ev = event_new(base, IPC_METRICS_FD,
	    EV_READ | EV_PERSIST, on_accept, NULL);
	metrics.privd_timeout_ev = evtimer_new(base, on_privd_timeout, NULL);
	metrics.cache_ev = evtimer_new(base, on_cache_stale, NULL);
	if (metrics.accept_ev == NULL || metrics.privd_timeout_ev == NULL ||
	    metrics.cache_ev == NULL)
		return -1;
	return 0;
}

/* For lockprobectl status; nothing without metrics_init. */
void
metrics_fill_status(Lockprobe__NetdStatus *ns)
{
	static Lockprobe__MetricsStatus ms;
	size_t i;

	if (metrics.accept_ev == NULL)
		return;
	lockprobe__metrics_status__init(&ms);
	for (i = 0; i < METRICS_MAX_CLIENTS; i++)
		ms.clients += metrics.clients[i] != NULL;
	ms.scrapes = metrics.counters.scrapes;
	for (i = 0; i < METRICS_NREFUSALS; i++)
		ms.refused += metrics.counters.refused[i];
	ns->metrics = &ms;
}

int
metrics_start(void)
{
	if (metrics.accept_ev == NULL)
		return 0;
	return event_add(metrics.accept_ev, NULL);
}
