/*
 * netd's HTTP client (netd/fetch.c) against a server that answers with the
 * fuzz input.  A listener on 127.0.0.1 in this process accepts fetch.c's
 * connection, writes the input (after two bytes) as the raw response
 * (status line, headers, body, chunks, whatever it holds), shuts down its
 * side and reads until fetch.c closes.  Nothing in fetch.c is bypassed:
 * the real evhttp connection parses the bytes and fetch.c's own callbacks
 * decide.  The first byte chooses the body limit and whether the request
 * is conditional; the second, if not 0, cuts the response into pieces of
 * that many bytes with a turn of the event loop between them, so that
 * fetch.c sees a body arrive in parts.
 *
 * Checked for every input: the result callback runs exactly once, also
 * while the server side winds down; a delivered body is never longer than
 * the limit; a success carries the status it claims (200, 304, 404/410)
 * and no error; a failure names its error and says why, prefixed by the
 * URL; the validators kept are short printable strings.  Crashes, leaks
 * (each fetch is freed before the next input) and UB are the sanitizers'.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "fetch.h"
#include "fuzz.h"

static struct event_base	*base;
static struct fetch_ctx		*ctx;
static struct event		*accept_ev;
static struct event		*piece_ev;	/* the next piece, after a turn */
static char			 url[64];

/* One exchange: the input as the response, and what came back. */
static struct exchange {
	const uint8_t		*response;
	size_t			 response_len;
	size_t			 sent;
	size_t			 piece;		/* 0: all at once */
	size_t			 max_body;
	struct bufferevent	*server;	/* the accepted connection */
	int			 server_done;	/* closed after fetch.c closed */
	int			 results;
} x;

static void
check_validator(const char *what, const char *v)
{
	size_t i, len;

	if (v == NULL)
		fuzz_fail("%s is NULL (\"\" when absent)", what);
	if ((len = strlen(v)) > FETCH_VALIDATOR_MAX)
		fuzz_fail("%s of %zu bytes kept", what, len);
	for (i = 0; i < len; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			fuzz_fail("%s holds byte 0x%02x", what,
			    (unsigned char)v[i]);
}

static void
on_result(const struct fetch_result *res, void *arg)
{
	struct exchange *e = arg;

	if (++e->results > 1)
		fuzz_fail("the result callback ran %d times", e->results);
	if (res->url == NULL || strcmp(res->url, url) != 0)
		fuzz_fail("result for URL '%s'", res->url ? res->url : "NULL");
	if (res->body == NULL || res->errmsg == NULL)
		fuzz_fail("NULL body or errmsg");
	check_validator("ETag", res->etag);
	check_validator("Last-Modified", res->last_modified);
	if (res->status != FETCH_ERROR && (res->error != FETCH_ERR_NONE ||
	    res->errmsg[0] != '\0'))
		fuzz_fail("status %d with error %s '%s'", res->status,
		    fetch_error_name(res->error), res->errmsg);
	if (res->status != FETCH_OK && res->body_len != 0)
		fuzz_fail("status %d delivers %zu body bytes", res->status,
		    res->body_len);
	switch (res->status) {
	case FETCH_OK:
		if (res->http_status != 200)
			fuzz_fail("FETCH_OK for HTTP %d", res->http_status);
		if (res->body_len > e->max_body)
			fuzz_fail("a body of %zu bytes delivered, the limit is "
			    "%zu", res->body_len, e->max_body);
		if (res->body_len > e->response_len)
			fuzz_fail("a body of %zu bytes from a response of %zu",
			    res->body_len, e->response_len);
		break;
	case FETCH_NOT_MODIFIED:
		if (res->http_status != 304)
			fuzz_fail("FETCH_NOT_MODIFIED for HTTP %d",
			    res->http_status);
		break;
	case FETCH_NOT_FOUND:
		if (res->http_status != 404 && res->http_status != 410)
			fuzz_fail("FETCH_NOT_FOUND for HTTP %d",
			    res->http_status);
		break;
	case FETCH_ERROR:
		if (res->error == FETCH_ERR_NONE)
			fuzz_fail("FETCH_ERROR without an error");
		if (strncmp(res->errmsg, url, strlen(url)) != 0 ||
		    strlen(res->errmsg) < strlen(url) + 3)
			fuzz_fail("error %s without a reason: '%s'",
			    fetch_error_name(res->error), res->errmsg);
		/* a loopback server that answers is never these */
		if (res->error == FETCH_ERR_DNS ||
		    res->error == FETCH_ERR_TLS ||
		    res->error == FETCH_ERR_TIMEOUT)
			fuzz_fail("error %s: '%s'",
			    fetch_error_name(res->error), res->errmsg);
		break;
	default:
		fuzz_fail("status %d", res->status);
	}
}

static void
server_close(struct exchange *e)
{
	evtimer_del(piece_ev);
	bufferevent_free(e->server);
	e->server = NULL;
	e->server_done = 1;
}

static void
on_server_read(struct bufferevent *bev, void *arg)
{
	(void)arg;
	evbuffer_drain(bufferevent_get_input(bev),
	    evbuffer_get_length(bufferevent_get_input(bev)));
}

static void
on_server_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		server_close(arg);
}

static void
send_piece(struct exchange *e)
{
	size_t n = e->response_len - e->sent;

	if (e->piece != 0 && n > e->piece)
		n = e->piece;
	if (bufferevent_write(e->server, e->response + e->sent, n) != 0)
		fuzz_fail("bufferevent_write");
	e->sent += n;
}

static void
on_piece_time(evutil_socket_t fd, short what, void *arg)
{
	struct exchange *e = arg;

	(void)fd;
	(void)what;
	if (e->server != NULL)
		send_piece(e);
}

/*
 * A piece is out: the next after a turn of the loop (fetch.c reads in
 * between), or, everything sent, end our side and wait for fetch.c to
 * close.
 */
static void
on_server_written(struct bufferevent *bev, void *arg)
{
	struct exchange *e = arg;
	static const struct timeval now = { 0, 0 };

	if (e->sent < e->response_len) {
		evtimer_add(piece_ev, &now);
		return;
	}
	bufferevent_setcb(bev, on_server_read, NULL, on_server_event, arg);
	shutdown(bufferevent_getfd(bev), SHUT_WR);
}

static void
on_accept(evutil_socket_t lfd, short what, void *arg)
{
	evutil_socket_t fd;

	(void)what;
	(void)arg;
	if ((fd = accept(lfd, NULL, NULL)) == -1)
		return;
	if (x.server != NULL) {
		close(fd);	/* one connection per fetch: never reached */
		fuzz_fail("a second connection from fetch.c");
	}
	evutil_make_socket_nonblocking(fd);
	if ((x.server = bufferevent_socket_new(base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fuzz_fail("bufferevent_socket_new");
	bufferevent_setcb(x.server, on_server_read, on_server_written,
	    on_server_event, &x);
	bufferevent_enable(x.server, EV_READ | EV_WRITE);
	if (x.response_len == 0)
		on_server_written(x.server, &x);
	else
		send_piece(&x);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fetch_ctx_opts copts;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	char resolv[] = "/tmp/lockprobe-fuzz-http.XXXXXX";
	char err[512];
	evutil_socket_t lfd;
	int fd;

	(void)argc;
	(void)argv;
	fuzz_log_init();
	/* fetch.c may close while the server still writes */
	signal(SIGPIPE, SIG_IGN);
	if ((base = event_base_new()) == NULL)
		fuzz_fail("event_base_new");

	/* evdns wants a name server; the URL's IP literal never uses it */
	if ((fd = mkstemp(resolv)) == -1 ||
	    write(fd, "nameserver 127.0.0.1\n", 21) != 21)
		fuzz_fail("%s: cannot write it", resolv);
	close(fd);
	memset(&copts, 0, sizeof(copts));
	copts.resolv_conf = resolv;
	copts.http_only = 1;
	ctx = fetch_ctx_new(base, &copts, err, sizeof(err));
	unlink(resolv);
	if (ctx == NULL)
		fuzz_fail("fetch_ctx_new: %s", err);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 16) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &slen) == -1)
		fuzz_fail("a loopback listener: %s", strerror(errno));
	evutil_make_socket_nonblocking(lfd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/metadata/t.json",
	    ntohs(sin.sin_port));
	if ((accept_ev = event_new(base, lfd, EV_READ | EV_PERSIST, on_accept,
	    NULL)) == NULL || event_add(accept_ev, NULL) != 0)
		fuzz_fail("the listener's event");
	if ((piece_ev = evtimer_new(base, on_piece_time, &x)) == NULL)
		fuzz_fail("evtimer_new");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fetch_opts opts;
	struct fetch *f;
	char err[512];

	if (size < 2)
		return 0;
	memset(&x, 0, sizeof(x));
	x.response = data + 2;
	x.response_len = size - 2;
	x.piece = data[1];
	/* limits 0 to 1016 bytes, around the sizes of the inputs */
	x.max_body = (size_t)(data[0] >> 1) * 8;

	memset(&opts, 0, sizeof(opts));
	opts.max_body = x.max_body;
	/* timeouts only if something hangs; libFuzzer's -timeout is lower */
	opts.connect_timeout_ms = 30000;
	opts.read_timeout_ms = 30000;
	opts.total_timeout_ms = 60000;
	if (data[0] & 1) {
		opts.etag = "\"v1\"";
		opts.last_modified = "Wed, 25 Nov 2026 16:00:00 GMT";
	}
	if ((f = fetch_start(ctx, url, &opts, on_result, &x, err,
	    sizeof(err))) == NULL)
		fuzz_fail("fetch_start: %s", err);
	while (x.results == 0 || !x.server_done)
		if (event_base_loop(base, EVLOOP_ONCE) == -1)
			fuzz_fail("event_base_loop");
	/* anything fetch.c left queued runs now, and must not report again */
	event_base_loop(base, EVLOOP_NONBLOCK);
	if (x.results != 1)
		fuzz_fail("the result callback ran %d times", x.results);
	return 0;
}
