/*
 * Unit tests for netd/fetch.c against tests/fetch_server.py on loopback.
 * Run through tests/check_fetch.sh, which makes the test CAs, starts the
 * server and exports FETCH_TEST_DIR, HTTP_PORT, HTTPS_PORT and DNS_PORT.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "fetch.h"
#include "testutil.h"

static const char	*dir;
static struct event_base *cur_base;	/* evdns keeps the loop alive */
static int		 http_port, https_port, http6_port, silent_port;

struct outcome {
	int			 called;
	enum fetch_status	 status;
	enum fetch_error	 error;
	int			 http_status;
	char			 body[4096];
	size_t			 body_len;
	char			 etag[FETCH_VALIDATOR_MAX + 1];
	char			 last_modified[FETCH_VALIDATOR_MAX + 1];
	char			 errmsg[1024];
};

static void
on_result(const struct fetch_result *r, void *arg)
{
	struct outcome *o = arg;

	o->called++;
	event_base_loopbreak(cur_base);
	o->status = r->status;
	o->error = r->error;
	o->http_status = r->http_status;
	o->body_len = r->body_len;
	memcpy(o->body, r->body, r->body_len < sizeof(o->body) - 1 ?
	    r->body_len : sizeof(o->body) - 1);
	snprintf(o->etag, sizeof(o->etag), "%s", r->etag);
	snprintf(o->last_modified, sizeof(o->last_modified), "%s",
	    r->last_modified);
	snprintf(o->errmsg, sizeof(o->errmsg), "%s", r->errmsg);
}

static void
ctx_defaults(struct fetch_ctx_opts *co, const char *ca)
{
	static char resolv[1024], cafile[1024];

	memset(co, 0, sizeof(*co));
	snprintf(resolv, sizeof(resolv), "%s/resolv.conf", dir);
	snprintf(cafile, sizeof(cafile), "%s/%s", dir, ca);
	co->resolv_conf = resolv;
	co->ca_file = cafile;
}

static void
opts_defaults(struct fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_body = 4000;
	o->connect_timeout_ms = 5000;
	o->read_timeout_ms = 5000;
	o->total_timeout_ms = 8000;
}

/* fmt with its one "%d" replaced by port (no non-literal formats). */
static void
expand_url(char *buf, size_t len, const char *fmt, int port)
{
	const char *d = strstr(fmt, "%d");

	if (d == NULL)
		snprintf(buf, len, "%s", fmt);
	else
		snprintf(buf, len, "%.*s%d%s", (int)(d - fmt), fmt, port,
		    d + 2);
}

/* Fetch url (a format with one %d for the port) and run the loop. */
static void
run_with(const struct fetch_ctx_opts *co, const struct fetch_opts *o,
    int port, const char *fmt, struct outcome *out)
{
	struct event_base *base;
	struct fetch_ctx *ctx;
	struct fetch *f;
	char url[512], err[512];

	memset(out, 0, sizeof(*out));
	expand_url(url, sizeof(url), fmt, port);
	ck_assert_ptr_nonnull(cur_base = base = event_base_new());
	ctx = fetch_ctx_new(base, co, err, sizeof(err));
	ck_assert_msg(ctx != NULL, "fetch_ctx_new: %s", err);
	f = fetch_start(ctx, url, o, on_result, out, err, sizeof(err));
	ck_assert_msg(f != NULL, "fetch_start %s: %s", url, err);
	ck_assert_int_eq(out->called, 0);	/* never from fetch_start */
	event_base_dispatch(base);
	ck_assert_int_eq(out->called, 1);
	/* libevent frees a connection's bufferevents from the loop (deferred
	 * finalizers): let them run, as netd's loop, which never stops, does */
	event_base_loop(base, EVLOOP_NONBLOCK);
	fetch_ctx_free(ctx);
	event_base_free(base);
	if (out->status == FETCH_ERROR)
		ck_assert_msg(strstr(out->errmsg, url) != NULL,
		    "error '%s' does not name the URL", out->errmsg);
}

/* A context made with co refuses to start an https:// fetch, saying want. */
static void
assert_https_refused(struct event_base *base,
    const struct fetch_ctx_opts *co, const struct fetch_opts *o,
    const char *want)
{
	struct fetch_ctx *ctx;
	struct outcome out;
	char err[256];

	memset(&out, 0, sizeof(out));
	ck_assert_ptr_nonnull(ctx = fetch_ctx_new(base, co, err,
	    sizeof(err)));
	ck_assert_ptr_null(fetch_start(ctx, "https://good.test/ok", o,
	    on_result, &out, err, sizeof(err)));
	ck_assert_msg(strstr(err, want) != NULL, "%s", err);
	fetch_ctx_free(ctx);
}

static void
run(int port, const char *fmt, struct outcome *out)
{
	struct fetch_ctx_opts co;
	struct fetch_opts o;

	ctx_defaults(&co, "ca.pem");
	opts_defaults(&o);
	run_with(&co, &o, port, fmt, out);
}

static void
assert_error(const struct outcome *o, enum fetch_error e, const char *part)
{
	ck_assert_int_eq(o->status, FETCH_ERROR);
	ck_assert_msg(o->error == e, "error %s, want %s (%s)",
	    fetch_error_name(o->error), fetch_error_name(e), o->errmsg);
	ck_assert_msg(strstr(o->errmsg, part) != NULL,
	    "error '%s' lacks '%s'", o->errmsg, part);
}

START_TEST(test_ok)
{
	struct outcome o;

	run(http_port, "http://127.0.0.1:%d/ok", &o);
	ck_assert_msg(o.status == FETCH_OK, "%s", o.errmsg);
	ck_assert_int_eq(o.http_status, 200);
	ck_assert_uint_eq(o.body_len, 16);
	ck_assert_str_eq(o.body, "hello lockprobe\n");
	ck_assert_str_eq(o.etag, "\"v1\"");
	ck_assert_str_eq(o.last_modified, "Tue, 01 Sep 2026 10:00:00 GMT");
	ck_assert_str_eq(o.errmsg, "");
}
END_TEST

START_TEST(test_not_modified)
{
	struct fetch_ctx_opts co;
	struct fetch_opts o;
	struct outcome out;

	ctx_defaults(&co, "ca.pem");
	opts_defaults(&o);
	o.etag = "\"v1\"";
	run_with(&co, &o, http_port, "http://127.0.0.1:%d/ok", &out);
	ck_assert_msg(out.status == FETCH_NOT_MODIFIED, "%d %s", out.status,
	    out.errmsg);
	ck_assert_int_eq(out.http_status, 304);
	ck_assert_uint_eq(out.body_len, 0);

	o.etag = "\"v0\"";	/* stale: the full body */
	run_with(&co, &o, http_port, "http://127.0.0.1:%d/ok", &out);
	ck_assert_int_eq(out.status, FETCH_OK);

	o.etag = NULL;
	o.last_modified = "Tue, 01 Sep 2026 10:00:00 GMT";
	run_with(&co, &o, http_port, "http://127.0.0.1:%d/ok", &out);
	ck_assert_int_eq(out.status, FETCH_NOT_MODIFIED);

	/* a validator that would inject a header is refused */
	o.last_modified = "x\r\nX-Evil: 1";
	{
		struct event_base *base = event_base_new();
		char err[256];
		struct fetch_ctx *ctx = fetch_ctx_new(base, &co, err,
		    sizeof(err));

		ck_assert_ptr_nonnull(ctx);
		ck_assert_ptr_null(fetch_start(ctx, "http://127.0.0.1:1/ok",
		    &o, on_result, &out, err, sizeof(err)));
		ck_assert_ptr_nonnull(strstr(err, "Last-Modified"));
		fetch_ctx_free(ctx);
		event_base_free(base);
	}
}
END_TEST

START_TEST(test_not_found)
{
	struct outcome o;

	run(http_port, "http://127.0.0.1:%d/missing", &o);
	ck_assert_int_eq(o.status, FETCH_NOT_FOUND);
	ck_assert_int_eq(o.http_status, 404);
}
END_TEST

START_TEST(test_server_error)
{
	struct outcome o;

	run(http_port, "http://127.0.0.1:%d/error", &o);
	assert_error(&o, FETCH_ERR_HTTP, "HTTP status 500");
	ck_assert_int_eq(o.http_status, 500);
}
END_TEST

START_TEST(test_slow_headers)
{
	struct fetch_ctx_opts co;
	struct fetch_opts o;
	struct outcome out;

	ctx_defaults(&co, "ca.pem");
	opts_defaults(&o);
	o.read_timeout_ms = 300;
	run_with(&co, &o, http_port, "http://127.0.0.1:%d/slow-headers", &out);
	assert_error(&out, FETCH_ERR_TIMEOUT,
	    "read timeout: no response headers within 300 ms");
}
END_TEST

START_TEST(test_slow_body)
{
	struct fetch_ctx_opts co;
	struct fetch_opts o;
	struct outcome out;

	ctx_defaults(&co, "ca.pem");
	opts_defaults(&o);
	o.read_timeout_ms = 300;
	run_with(&co, &o, http_port, "http://127.0.0.1:%d/slow-body", &out);
	assert_error(&out, FETCH_ERR_TIMEOUT,
	    "read timeout: body stalled for 300 ms after 10 bytes");
}
END_TEST

START_TEST(test_total_timeout)
{
	struct fetch_ctx_opts co;
	struct fetch_opts o;
	struct outcome out;

	ctx_defaults(&co, "ca.pem");
	opts_defaults(&o);
	o.read_timeout_ms = 5000;
	o.total_timeout_ms = 300;
	run_with(&co, &o, http_port, "http://127.0.0.1:%d/slow-body", &out);
	assert_error(&out, FETCH_ERR_TIMEOUT,
	    "total timeout: not done within 300 ms (reading the body)");
}
END_TEST

START_TEST(test_truncated)
{
	struct outcome o;

	run(http_port, "http://127.0.0.1:%d/truncated", &o);
	assert_error(&o, FETCH_ERR_TRUNCATED, "after 100 of 1000 bytes");
}
END_TEST

START_TEST(test_garbage)
{
	struct outcome o;

	run(http_port, "http://127.0.0.1:%d/garbage", &o);
	assert_error(&o, FETCH_ERR_PROTOCOL, "malformed response");
}
END_TEST

START_TEST(test_bad_responses)
{
	struct outcome o;

	run(http_port, "http://127.0.0.1:%d/huge-headers", &o);
	assert_error(&o, FETCH_ERR_PROTOCOL, "malformed response: not "
	    "HTTP/1.x, bad headers, or headers over 16384 bytes");
	run(http_port, "http://127.0.0.1:%d/bad-length", &o);
	assert_error(&o, FETCH_ERR_PROTOCOL, "bad Content-Length 'abc'");
	/* evhttp 2.1 cannot tell this from an oversized chunk */
	run(http_port, "http://127.0.0.1:%d/bad-chunk", &o);
	assert_error(&o, FETCH_ERR_TOO_LARGE, "more than the limit of 4000 "
	    "bytes (or a malformed chunk)");
}
END_TEST

START_TEST(test_too_large)
{
	struct fetch_ctx_opts co;
	struct fetch_opts o;
	struct outcome out;

	ctx_defaults(&co, "ca.pem");
	opts_defaults(&o);
	o.max_body = 1000;
	run_with(&co, &o, http_port, "http://127.0.0.1:%d/big", &out);
	assert_error(&out, FETCH_ERR_TOO_LARGE,
	    "announces 100000 bytes, the limit is 1000");
	/* no Content-Length: stopped while reading */
	run_with(&co, &o, http_port, "http://127.0.0.1:%d/big-chunked", &out);
	assert_error(&out, FETCH_ERR_TOO_LARGE,
	    "more than the limit of 1000 bytes");
	ck_assert_int_eq(out.http_status, 200);
	/* exactly at the limit is fine */
	o.max_body = 16;
	run_with(&co, &o, http_port, "http://127.0.0.1:%d/ok", &out);
	ck_assert_int_eq(out.status, FETCH_OK);
	o.max_body = 15;
	run_with(&co, &o, http_port, "http://127.0.0.1:%d/ok", &out);
	assert_error(&out, FETCH_ERR_TOO_LARGE, "the limit is 15");
}
END_TEST

START_TEST(test_redirect)
{
	struct outcome o;

	run(http_port, "http://127.0.0.1:%d/redirect", &o);
	assert_error(&o, FETCH_ERR_REDIRECT, "HTTP 302 redirect to '/ok' "
	    "refused");
}
END_TEST

START_TEST(test_request_headers)
{
	struct outcome o;
	char want[128];

	run(http_port, "http://127.0.0.1:%d/echo?q=1", &o);
	ck_assert_int_eq(o.status, FETCH_OK);
	ck_assert_msg(strstr(o.body, "GET /echo?q=1 HTTP/1.1\n") != NULL,
	    "%s", o.body);
	ck_assert_msg(strstr(o.body, "User-Agent: lockprobe/" PACKAGE_VERSION
	    "\n") != NULL, "%s", o.body);
	snprintf(want, sizeof(want), "Host: 127.0.0.1:%d\n", http_port);
	ck_assert_msg(strstr(o.body, want) != NULL, "%s", o.body);
	ck_assert_ptr_null(strstr(o.body, "If-None-Match"));
}
END_TEST

START_TEST(test_connect_refused)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct outcome o;
	int s, port;

	/* a port that was free a moment ago */
	ck_assert_int_ne(s = socket(AF_INET, SOCK_STREAM, 0), -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(s);
	run(port, "http://127.0.0.1:%d/ok", &o);
	assert_error(&o, FETCH_ERR_CONNECT, "cannot connect to 127.0.0.1 port");
	ck_assert_msg(strstr(o.errmsg, ": Connection refused") != NULL, "%s",
	    o.errmsg);
}
END_TEST

/* A server that accepts and never answers: over TLS the handshake stalls
 * (the connect timeout, which covers it, names the phase); over HTTP the
 * response headers never come (the read timeout). */
START_TEST(test_silent_server)
{
	struct fetch_ctx_opts co;
	struct fetch_opts o;
	struct outcome out;

	ck_assert_int_gt(silent_port, 0);
	ctx_defaults(&co, "ca.pem");
	opts_defaults(&o);
	o.connect_timeout_ms = 300;
	o.read_timeout_ms = 300;
	run_with(&co, &o, silent_port, "https://127.0.0.1:%d/ok", &out);
	assert_error(&out, FETCH_ERR_TIMEOUT, "connect timeout: no "
	    "connection to 127.0.0.1 port");
	ck_assert_msg(strstr(out.errmsg, "within 300 ms (in the TLS "
	    "handshake)") != NULL, "%s", out.errmsg);
	run_with(&co, &o, silent_port, "http://127.0.0.1:%d/ok", &out);
	assert_error(&out, FETCH_ERR_TIMEOUT,
	    "read timeout: no response headers within 300 ms");
}
END_TEST

START_TEST(test_ipv6)
{
	struct outcome o;
	char want[64];

	if (http6_port == 0)
		return;		/* no IPv6 loopback on this host */
	run(http6_port, "http://[::1]:%d/echo", &o);
	ck_assert_msg(o.status == FETCH_OK, "%s", o.errmsg);
	snprintf(want, sizeof(want), "Host: [::1]:%d\n", http6_port);
	ck_assert_msg(strstr(o.body, want) != NULL, "%s", o.body);
}
END_TEST

START_TEST(test_dns)
{
	struct outcome o;

	run(http_port, "http://good.test:%d/ok", &o);
	ck_assert_msg(o.status == FETCH_OK, "%s", o.errmsg);
	run(http_port, "http://nxdomain.test:%d/ok", &o);
	assert_error(&o, FETCH_ERR_DNS, "cannot resolve nxdomain.test");
}
END_TEST

START_TEST(test_https)
{
	struct outcome o;

	run(https_port, "https://good.test:%d/ok", &o);
	ck_assert_msg(o.status == FETCH_OK, "%s", o.errmsg);
	ck_assert_str_eq(o.body, "hello lockprobe\n");
	run(https_port, "https://127.0.0.1:%d/ok", &o);
	ck_assert_msg(o.status == FETCH_OK, "%s", o.errmsg);
	run(https_port, "https://good.test:%d/missing", &o);
	ck_assert_int_eq(o.status, FETCH_NOT_FOUND);
	run(https_port, "https://good.test:%d/truncated", &o);
	assert_error(&o, FETCH_ERR_TRUNCATED, "after 100 of 1000 bytes");
}
END_TEST

START_TEST(test_https_wrong_ca)
{
	struct fetch_ctx_opts co;
	struct fetch_opts o;
	struct outcome out;

	ctx_defaults(&co, "wrongca.pem");
	opts_defaults(&o);
	run_with(&co, &o, https_port, "https://good.test:%d/ok", &out);
	assert_error(&out, FETCH_ERR_TLS, "certificate verification failed: "
	    "unable to get local issuer certificate");
	/* and the system bundle does not know the test CA either */
	co.ca_file = NULL;
	run_with(&co, &o, https_port, "https://good.test:%d/ok", &out);
	assert_error(&out, FETCH_ERR_TLS, "certificate verification failed");
}
END_TEST

START_TEST(test_https_wrong_host)
{
	struct outcome o;

	run(https_port, "https://wrong.test:%d/ok", &o);
	assert_error(&o, FETCH_ERR_TLS, "certificate verification failed: "
	    "hostname mismatch");
}
END_TEST

START_TEST(test_https_pin)
{
	struct fetch_ctx_opts co;
	struct fetch_opts o;
	struct outcome out;
	char path[1024], line[128], err[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/pin", dir);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));
	fclose(fp);
	line[strcspn(line, "\n")] = '\0';

	ctx_defaults(&co, "ca.pem");
	opts_defaults(&o);
	ck_assert_msg(fetch_parse_pin(line, co.pin, err, sizeof(err)) == 0,
	    "%s", err);
	co.have_pin = 1;
	run_with(&co, &o, https_port, "https://good.test:%d/ok", &out);
	ck_assert_msg(out.status == FETCH_OK, "%s", out.errmsg);

	co.pin[0] ^= 1;
	run_with(&co, &o, https_port, "https://good.test:%d/ok", &out);
	assert_error(&out, FETCH_ERR_TLS, "does not match the pinned key");
	ck_assert_ptr_nonnull(strstr(out.errmsg, line));	/* the real one */
}
END_TEST

START_TEST(test_parse_pin)
{
	uint8_t pin[FETCH_PIN_LEN];
	char err[256];

	ck_assert_int_eq(fetch_parse_pin(
	    "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", pin, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(pin[0], 0xe3);
	ck_assert_uint_eq(pin[31], 0x55);
	ck_assert_int_eq(fetch_parse_pin("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJW"
	    "ZG3hSuFU=", pin, err, sizeof(err)), -1);
	ck_assert_int_eq(fetch_parse_pin("sha256//abc=", pin, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(fetch_parse_pin(
	    "sha256//!!!EQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", pin, err,
	    sizeof(err)), -1);
}
END_TEST

START_TEST(test_proxy)
{
	struct fetch_ctx_opts co;
	struct fetch_opts o;
	struct outcome out;
	struct event_base *base;
	char proxy[64], err[256];

	ctx_defaults(&co, "ca.pem");
	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", http_port);
	co.proxy = proxy;
	opts_defaults(&o);
	/* the test server plays the proxy: origin.test is never resolved */
	run_with(&co, &o, 8080, "http://origin.test:%d/echo", &out);
	ck_assert_msg(out.status == FETCH_OK, "%s", out.errmsg);
	ck_assert_msg(strstr(out.body,
	    "GET http://origin.test:8080/echo HTTP/1.1\n") != NULL, "%s",
	    out.body);
	ck_assert_msg(strstr(out.body, "Host: origin.test:8080\n") != NULL,
	    "%s", out.body);

	ck_assert_ptr_nonnull(base = event_base_new());
	assert_https_refused(base, &co, &o, "CONNECT");

	co.proxy = "https://127.0.0.1:3128";
	ck_assert_ptr_null(fetch_ctx_new(base, &co, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "only http:// proxies"));
	event_base_free(base);
}
END_TEST

/* http_only: plain HTTP works, https:// is refused before it starts. */
START_TEST(test_http_only)
{
	struct fetch_ctx_opts co;
	struct fetch_opts o;
	struct outcome out;
	struct event_base *base;

	ctx_defaults(&co, "ca.pem");
	co.http_only = 1;
	co.ca_file = "/nonexistent/ca.pem";	/* not even read */
	opts_defaults(&o);
	run_with(&co, &o, http_port, "http://127.0.0.1:%d/ok", &out);
	ck_assert_msg(out.status == FETCH_OK, "%s", out.errmsg);
	ck_assert_ptr_nonnull(base = event_base_new());
	assert_https_refused(base, &co, &o, "HTTPS was not set up");
	event_base_free(base);
}
END_TEST

START_TEST(test_bad_urls)
{
	static const char *bad[] = {
		"ftp://127.0.0.1/x", "http://", "not a url", "http:///path",
		"http://user:pw@127.0.0.1/x", "http://127.0.0.1:99999/x",
	};
	struct fetch_ctx_opts co;
	struct fetch_opts o;
	struct outcome out;
	struct event_base *base;
	struct fetch_ctx *ctx;
	char err[256];
	size_t i;

	ctx_defaults(&co, "ca.pem");
	opts_defaults(&o);
	ck_assert_ptr_nonnull(base = event_base_new());
	ck_assert_ptr_nonnull(ctx = fetch_ctx_new(base, &co, err,
	    sizeof(err)));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(fetch_start(ctx, bad[i], &o, on_result, &out, err,
		    sizeof(err)) == NULL, "%s accepted", bad[i]);
		ck_assert_msg(err[0] != '\0', "no reason for %s", bad[i]);
	}
	fetch_ctx_free(ctx);

	co.ca_file = "/nonexistent/ca.pem";
	ck_assert_ptr_null(fetch_ctx_new(base, &co, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/ca.pem"));
	event_base_free(base);
}
END_TEST

static void
on_cancel_timer(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { 1, 0 };

	(void)fd;
	(void)what;
	fetch_cancel(arg);
	/* time for a stray callback to show */
	event_base_loopexit(cur_base, &tv);
}

START_TEST(test_cancel)
{
	struct fetch_ctx_opts co;
	struct fetch_opts o;
	struct outcome out;
	struct event_base *base;
	struct fetch_ctx *ctx;
	struct fetch *f;
	struct timeval tv = { 0, 200000 };
	char url[128], err[256];

	memset(&out, 0, sizeof(out));
	ctx_defaults(&co, "ca.pem");
	opts_defaults(&o);
	ck_assert_ptr_nonnull(cur_base = base = event_base_new());
	ck_assert_ptr_nonnull(ctx = fetch_ctx_new(base, &co, err,
	    sizeof(err)));
	snprintf(url, sizeof(url), "https://good.test:%d/slow-headers",
	    https_port);
	ck_assert_ptr_nonnull(f = fetch_start(ctx, url, &o, on_result, &out,
	    err, sizeof(err)));
	event_base_once(base, -1, EV_TIMEOUT, on_cancel_timer, f, &tv);
	event_base_dispatch(base);
	ck_assert_int_eq(out.called, 0);
	fetch_ctx_free(ctx);
	event_base_free(base);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fetch");
	TCase *tc = tcase_create("loopback");
	const char *p;
	int failed;

	if ((dir = getenv("FETCH_TEST_DIR")) == NULL ||
	    (p = getenv("HTTP_PORT")) == NULL || (http_port = atoi(p)) <= 0 ||
	    (p = getenv("HTTPS_PORT")) == NULL || (https_port = atoi(p)) <= 0) {
		fprintf(stderr, "check_fetch: run it through "
		    "tests/check_fetch.sh\n");
		return 1;
	}
	if ((p = getenv("HTTP6_PORT")) != NULL)
		http6_port = atoi(p);
	if ((p = getenv("SILENT_PORT")) != NULL)
		silent_port = atoi(p);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ok);
	tcase_add_test(tc, test_http_only);
	tcase_add_test(tc, test_not_modified);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_server_error);
	tcase_add_test(tc, test_slow_headers);
	tcase_add_test(tc, test_slow_body);
	tcase_add_test(tc, test_total_timeout);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_bad_responses);
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_redirect);
	tcase_add_test(tc, test_request_headers);
	tcase_add_test(tc, test_connect_refused);
	tcase_add_test(tc, test_silent_server);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_dns);
	tcase_add_test(tc, test_https);
	tcase_add_test(tc, test_https_wrong_ca);
	tcase_add_test(tc, test_https_wrong_host);
	tcase_add_test(tc, test_https_pin);
	tcase_add_test(tc, test_parse_pin);
	tcase_add_test(tc, test_proxy);
	tcase_add_test(tc, test_bad_urls);
	tcase_add_test(tc, test_cancel);
	suite_add_tcase(s, tc);
	failed = test_run_suite(s);
	return failed;
}
