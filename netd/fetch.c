/*
 * fetch: bounded HTTP(S) GET on evhttp client connections.  See fetch.h.
 *
 * evhttp parses the response; this file adds what evhttp 2.1 lacks: its
 * own connect, read and total timers (so a timeout names its phase), the
 * body limit checked against Content-Length in the header callback and
 * against the bytes as they stream in, TLS verification of the chain, the
 * host name and an optional pin, and an error that says what went wrong.
 *
 * Phases are observed without owning the bufferevent's callbacks: the TLS
 * info callback marks the TCP connection (handshake started), and the first
 * bytes evhttp queues on the output buffer mark the connection ready (evhttp
 * writes the request only once connected and, for TLS, after the handshake).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "fetch.h"

#define USER_AGENT		"lockprobe/" PACKAGE_VERSION
#define MAX_HEADERS_SIZE	16384
#define HOST_MAX		255
#define DEFAULT_CONNECT_MS	10000
#define DEFAULT_READ_MS		30000
#define DEFAULT_TOTAL_MS	120000

struct fetch_ctx {
	struct event_base	*base;
	struct evdns_base	*dns;
	SSL_CTX			*ssl_ctx;
	char			 proxy_host[HOST_MAX + 1];
	int			 proxy_port;	/* 0: no proxy */
	int			 have_pin;
	uint8_t			 pin[FETCH_PIN_LEN];
};

enum phase {
	PH_CONNECT,	/* resolving, TCP connect */
	PH_TLS,		/* TCP up, TLS handshake */
	PH_HEADERS,	/* request queued, waiting for the response head */
	PH_BODY		/* reading the body */
};

struct fetch {
	struct fetch_ctx	*ctx;
	char			*url;
	char			 host[HOST_MAX + 1];	/* no brackets */
	int			 port;
	int			 https;
	struct evhttp_connection *evcon;
	struct evhttp_request	*req;		/* NULL once evhttp freed it */
	struct bufferevent	*bev;
	SSL			*ssl;
	struct event		*connect_ev, *read_ev, *total_ev, *done_ev;
	struct timeval		 connect_tv, read_tv, total_tv;
	enum phase		 phase;
	size_t			 max_body;
	long long		 content_length;	/* -1: not given */
	int			 chunked;	/* Transfer-Encoding: chunked */
	struct evbuffer		*body;
	int			 too_large;
	int			 finished;	/* result decided */
	enum evhttp_request_error ev_error;
	int			 have_ev_error;
	int			 pin_failed;
	char			 pin_seen[64];
	int			 sock_errno;	/* why the connect failed */
	bufferevent_event_cb	 evhttp_eventcb;
	void			*evhttp_eventarg;
	fetch_cb		 cb;
	void			*arg;
	struct fetch_result	 res;
	char			 etag[FETCH_VALIDATOR_MAX + 1];
	char			 last_modified[FETCH_VALIDATOR_MAX + 1];
	char			 errmsg[768];
};

static int	ssl_fetch_index = -1;

const char *
fetch_error_name(enum fetch_error e)
{
	switch (e) {
	case FETCH_ERR_NONE:		return "none";
	case FETCH_ERR_DNS:		return "dns";
	case FETCH_ERR_CONNECT:		return "connect";
	case FETCH_ERR_TLS:		return "tls";
	case FETCH_ERR_TIMEOUT:		return "timeout";
	case FETCH_ERR_TOO_LARGE:	return "too-large";
	case FETCH_ERR_TRUNCATED:	return "truncated";
	case FETCH_ERR_PROTOCOL:	return "protocol";
	case FETCH_ERR_REDIRECT:	return "redirect";
	case FETCH_ERR_HTTP:		return "http";
	}
	return "?";
}

int
fetch_parse_pin(const char *s, uint8_t pin[FETCH_PIN_LEN], char *err,
    size_t errlen)
{
	static const char prefix[] = "sha256//";
	unsigned char out[64];
	size_t len;
	int n;

	if (strncmp(s, prefix, sizeof(prefix) - 1) != 0) {
		snprintf(err, errlen, "pin '%.80s' does not start with %s", s,
		    prefix);
		return -1;
	}
	s += sizeof(prefix) - 1;
	len = strlen(s);
	if (len != 44 || s[43] != '=') {
		snprintf(err, errlen, "pin '%.80s' is not the base64 of a "
		    "SHA-256 hash (44 characters)", s);
		return -1;
	}
	if ((n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len))
	    != 33) {
		snprintf(err, errlen, "pin '%.80s' is not valid base64", s);
		return -1;
	}
	memcpy(pin, out, FETCH_PIN_LEN);
	return 0;
}

/* "http://host:port" -> host, port; nothing else is accepted. */
static int
parse_proxy(struct fetch_ctx *ctx, const char *proxy, char *err,
    size_t errlen)
{
	struct evhttp_uri *u;
	const char *scheme, *host, *path;
	int rc = -1;

	if ((u = evhttp_uri_parse_with_flags(proxy, 0)) == NULL) {
		snprintf(err, errlen, "proxy '%.200s' is not a URL", proxy);
		return -1;
	}
	scheme = evhttp_uri_get_scheme(u);
	host = evhttp_uri_get_host(u);
	path = evhttp_uri_get_path(u);
	if (scheme == NULL || strcasecmp(scheme, "http") != 0)
		snprintf(err, errlen, "proxy '%.200s': only http:// proxies "
		    "are supported", proxy);
	else if (host == NULL || *host == '\0' ||
	    strlen(host) > HOST_MAX)
		snprintf(err, errlen, "proxy '%.200s' has no host", proxy);
	else if (evhttp_uri_get_userinfo(u) != NULL ||
	    evhttp_uri_get_query(u) != NULL ||
	    (path != NULL && *path != '\0' && strcmp(path, "/") != 0))
		snprintf(err, errlen, "proxy '%.200s': give only "
		    "http://host:port", proxy);
	else {
		snprintf(ctx->proxy_host, sizeof(ctx->proxy_host), "%s",
		    host);
		ctx->proxy_port = evhttp_uri_get_port(u) == -1 ? 80 :
		    evhttp_uri_get_port(u);
		rc = 0;
	}
	evhttp_uri_free(u);
	return rc;
}

static void
ssl_error_string(char *buf, size_t len, unsigned long e)
{
	if (e == 0)
		snprintf(buf, len, "unknown error");
	else
		ERR_error_string_n(e, buf, len);
}

struct fetch_ctx *
fetch_ctx_new(struct event_base *base, const struct fetch_ctx_opts *opts,
    char *err, size_t errlen)
{
	struct fetch_ctx *ctx;
	const char *resolv = opts->resolv_conf != NULL ? opts->resolv_conf :
	    "/etc/resolv.conf";
	const char *ca = opts->ca_file != NULL ? opts->ca_file :
	    X509_get_default_cert_file();
	char ebuf[256];
	int rc;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctx->base = base;
	/* libevent's random numbers (DNS ids and ports) seeded now */
	if (evutil_secure_rng_init() == -1) {
		snprintf(err, errlen, "cannot seed libevent's random numbers");
		goto fail;
	}
	if ((ctx->dns = evdns_base_new(base, 0)) == NULL) {
		snprintf(err, errlen, "cannot create the DNS resolver");
		goto fail;
	}
	/* Reads resolv.conf and /etc/hosts now, before the chroot. */
	rc = evdns_base_resolv_conf_parse(ctx->dns, DNS_OPTIONS_ALL, resolv);
	if (rc != 0 && rc != 6) {
		snprintf(err, errlen, "%s: cannot read it for DNS (evdns "
		    "error %d)", resolv, rc);
		goto fail;
	}
	if (evdns_base_count_nameservers(ctx->dns) == 0) {
		snprintf(err, errlen, "%s: no usable nameserver", resolv);
		goto fail;
	}

	/* An http:// repository: no CA bundle, no OpenSSL state in memory. */
	if (opts->http_only)
		goto tls_done;
	/* OpenSSL reads its configuration once, now. */
	if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1 ||
	    (ctx->ssl_ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		ssl_error_string(ebuf, sizeof(ebuf), ERR_get_error());
		snprintf(err, errlen, "cannot initialise TLS: %s", ebuf);
		goto fail;
	}
	if (ssl_fetch_index == -1 && (ssl_fetch_index =
	    SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL)) == -1) {
		snprintf(err, errlen, "cannot initialise TLS: no ex_data");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(ctx->ssl_ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx->ssl_ctx, SSL_MODE_RELEASE_BUFFERS);
	/* A file, loaded now: a hashed directory would be read lazily,
	 * inside the chroot, where it is not. */
	if (SSL_CTX_load_verify_file(ctx->ssl_ctx, ca) != 1) {
		ssl_error_string(ebuf, sizeof(ebuf), ERR_get_error());
		snprintf(err, errlen, "CA file %s: %s", ca, ebuf);
		goto fail;
	}
	ERR_clear_error();
 tls_done:
	if (opts->proxy != NULL && *opts->proxy != '\0' &&
	    parse_proxy(ctx, opts->proxy, err, errlen) == -1)
		goto fail;
	ctx->have_pin = opts->have_pin;
	memcpy(ctx->pin, opts->pin, sizeof(ctx->pin));
	return ctx;
fail:
	fetch_ctx_free(ctx);
	return NULL;
}

void
fetch_ctx_free(struct fetch_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->dns != NULL)
		evdns_base_free(ctx->dns, 0);
	SSL_CTX_free(ctx->ssl_ctx);
	free(ctx);
}

static void
ms_to_tv(unsigned int ms, unsigned int dflt, struct timeval *tv)
{
	if (ms == 0)
		ms = dflt;
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
}

static long
tv_ms(const struct timeval *tv)
{
	return (long)tv->tv_sec * 1000 + (long)tv->tv_usec / 1000;
}

static void
fetch_fail(struct fetch *f, enum fetch_error e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The result is decided: stop the timers, report from the loop. */
static void
finish(struct fetch *f)
{
	f->finished = 1;
	evtimer_del(f->connect_ev);
	evtimer_del(f->read_ev);
	evtimer_del(f->total_ev);
	event_active(f->done_ev, EV_TIMEOUT, 1);
}

static void
fetch_fail(struct fetch *f, enum fetch_error e, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	if (f->finished)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(f->errmsg, sizeof(f->errmsg), "%s: %s", f->url, msg);
	f->res.status = FETCH_ERROR;
	f->res.error = e;
	finish(f);
}

static void
fetch_succeed(struct fetch *f, enum fetch_status status)
{
	if (f->finished)
		return;
	f->res.status = status;
	f->res.error = FETCH_ERR_NONE;
	finish(f);
}

static const char *
phase_name(const struct fetch *f)
{
	switch (f->phase) {
	case PH_CONNECT:
		return bufferevent_getfd(f->bev) == -1 ?
		    "resolving the host name" : "connecting";
	case PH_TLS:
		return "in the TLS handshake";
	case PH_HEADERS:
		return "waiting for the response headers";
	case PH_BODY:
		return "reading the body";
	}
	return "?";
}

static void
fetch_free(struct fetch *f)
{
	if (f->req != NULL) {
		struct evhttp_request *req = f->req;

		f->req = NULL;
		evhttp_cancel_request(req);
	}
	if (f->evcon != NULL)
		evhttp_connection_free(f->evcon);	/* and bev, ssl */
	if (f->connect_ev != NULL)
		event_free(f->connect_ev);
	if (f->read_ev != NULL)
		event_free(f->read_ev);
	if (f->total_ev != NULL)
		event_free(f->total_ev);
	if (f->done_ev != NULL)
		event_free(f->done_ev);
	if (f->body != NULL)
		evbuffer_free(f->body);
	free(f->url);
	free(f);
}

static void
on_done(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;

	(void)fd;
	(void)what;
	f->res.url = f->url;
	f->res.etag = f->etag;
	f->res.last_modified = f->last_modified;
	f->res.errmsg = f->res.status == FETCH_ERROR ? f->errmsg : "";
	f->res.body = (const uint8_t *)"";
	f->res.body_len = 0;
	if (f->res.status == FETCH_OK) {
		f->res.body_len = evbuffer_get_length(f->body);
		if (f->res.body_len > 0)
			f->res.body = evbuffer_pullup(f->body, -1);
		if (f->res.body == NULL) {
			f->res.status = FETCH_ERROR;
			f->res.error = FETCH_ERR_PROTOCOL;
			snprintf(f->errmsg, sizeof(f->errmsg), "%s: out of "
			    "memory for the body", f->url);
			f->res.errmsg = f->errmsg;
			f->res.body = (const uint8_t *)"";
			f->res.body_len = 0;
		}
	}
	f->cb(&f->res, f->arg);
	fetch_free(f);
}

static void
on_connect_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;

	(void)fd;
	(void)what;
	fetch_fail(f, FETCH_ERR_TIMEOUT, "connect timeout: no connection "
	    "to %s port %d within %ld ms (%s)", f->host, f->port,
	    tv_ms(&f->connect_tv), phase_name(f));
}

static void
on_read_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;

	(void)fd;
	(void)what;
	if (f->phase == PH_BODY)
		fetch_fail(f, FETCH_ERR_TIMEOUT, "read timeout: body stalled "
		    "for %ld ms after %zu bytes", tv_ms(&f->read_tv),
		    evbuffer_get_length(f->body));
	else
		fetch_fail(f, FETCH_ERR_TIMEOUT, "read timeout: no response "
		    "headers within %ld ms", tv_ms(&f->read_tv));
}

static void
on_total_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;

	(void)fd;
	(void)what;
	fetch_fail(f, FETCH_ERR_TIMEOUT, "total timeout: not done within "
	    "%ld ms (%s)", tv_ms(&f->total_tv), phase_name(f));
}

/* Progress: the read timer starts again. */
static void
touch(struct fetch *f)
{
	if (!f->finished)
		evtimer_add(f->read_ev, &f->read_tv);
}

static void
on_ssl_info(const SSL *ssl, int where, int ret)
{
	struct fetch *f = SSL_get_ex_data(ssl, ssl_fetch_index);

	(void)ret;
	if (f != NULL && (where & SSL_CB_HANDSHAKE_START) &&
	    f->phase == PH_CONNECT)
		f->phase = PH_TLS;
}

/* evhttp queued the request: connected (and the handshake done). */
static void
on_output(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct fetch *f = arg;

	(void)buf;
	if (info->n_added > 0 && f->phase < PH_HEADERS) {
		f->phase = PH_HEADERS;
		evtimer_del(f->connect_ev);
		touch(f);
	}
}

static int
verify_cb(int preverify_ok, X509_STORE_CTX *xctx)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xctx,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct fetch *f = ssl != NULL ? SSL_get_ex_data(ssl, ssl_fetch_index) :
	    NULL;
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	X509 *cert;
	int len;

	if (!preverify_ok || f == NULL || !f->ctx->have_pin ||
	    X509_STORE_CTX_get_error_depth(xctx) != 0)
		return preverify_ok;
	cert = X509_STORE_CTX_get_current_cert(xctx);
	if (cert == NULL ||
	    (len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der)) <= 0 ||
	    EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != FETCH_PIN_LEN ||
	    memcmp(md, f->ctx->pin, FETCH_PIN_LEN) != 0) {
		f->pin_failed = 1;
		if (mdlen == FETCH_PIN_LEN)
			EVP_EncodeBlock((unsigned char *)f->pin_seen, md,
			    FETCH_PIN_LEN);
		OPENSSL_free(der);
		X509_STORE_CTX_set_error(xctx,
		    X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	OPENSSL_free(der);
	return 1;
}

static void
copy_validator(char *dst, const char *src)
{
	size_t i, len;

	dst[0] = '\0';
	if (src == NULL || (len = strlen(src)) > FETCH_VALIDATOR_MAX)
		return;
	for (i = 0; i < len; i++)
		if (src[i] < 0x20 || src[i] > 0x7e)
			return;
	memcpy(dst, src, len + 1);
}

static int
on_headers(struct evhttp_request *req, void *arg)
{
	struct fetch *f = arg;
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	int code = evhttp_request_get_response_code(req);
	const char *cl, *loc, *te;
	char *end;

	f->phase = PH_BODY;
	evtimer_del(f->connect_ev);
	touch(f);
	f->res.http_status = code;
	copy_validator(f->etag, evhttp_find_header(h, "ETag"));
	copy_validator(f->last_modified,
	    evhttp_find_header(h, "Last-Modified"));
	te = evhttp_find_header(h, "Transfer-Encoding");
	f->chunked = te != NULL && strcasecmp(te, "chunked") == 0;
	if ((cl = evhttp_find_header(h, "Content-Length")) != NULL) {
		errno = 0;
		f->content_length = strtoll(cl, &end, 10);
		if (errno != 0 || end == cl || *end != '\0' ||
		    f->content_length < 0) {
			fetch_fail(f, FETCH_ERR_PROTOCOL, "bad Content-Length "
			    "'%.40s'", cl);
			return -1;
		}
	}

	/* Only a 200 has a body worth reading. */
	if (code == 200) {
		if (f->content_length >= 0 &&
		    (unsigned long long)f->content_length > f->max_body) {
			fetch_fail(f, FETCH_ERR_TOO_LARGE, "body too large: "
			    "the server announces %lld bytes, the limit is "
			    "%zu", f->content_length, f->max_body);
			return -1;
		}
		return 0;
	}
	if (code == 304)
		fetch_succeed(f, FETCH_NOT_MODIFIED);
	else if (code == 404 || code == 410)
		fetch_succeed(f, FETCH_NOT_FOUND);
	else if (code >= 300 && code < 400) {
		loc = evhttp_find_header(h, "Location");
		fetch_fail(f, FETCH_ERR_REDIRECT, "HTTP %d redirect to "
		    "'%.200s' refused: configure the final URL", code,
		    loc != NULL ? loc : "(no Location)");
	} else
		fetch_fail(f, FETCH_ERR_HTTP, "HTTP status %d %.80s", code,
		    evhttp_request_get_response_code_line(req) != NULL ?
		    evhttp_request_get_response_code_line(req) : "");
	return -1;	/* evhttp closes the connection; we report */
}

static void
on_chunk(struct evhttp_request *req, void *arg)
{
	struct fetch *f = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t have = evbuffer_get_length(f->body);
	size_t len = evbuffer_get_length(in);

	touch(f);
	if (f->too_large || len > f->max_body - have) {
		f->too_large = 1;
		evbuffer_drain(in, len);
		return;
	}
	if (evbuffer_remove_buffer(in, f->body, len) != (int)len)
		f->too_large = 1;	/* cannot happen; fail closed */
}

static void
on_request_error(enum evhttp_request_error e, void *arg)
{
	struct fetch *f = arg;

	f->ev_error = e;
	f->have_ev_error = 1;
}

/*
 * evhttp's event callback while it connects, wrapped to keep the socket
 * error: evhttp closes the socket before it reports, and errno is then
 * that of the close.  evhttp installs its own callbacks once connected.
 */
static void
on_connect_event(struct bufferevent *bev, short what, void *arg)
{
	struct fetch *f = arg;

	if ((what & BEV_EVENT_ERROR) && f->phase == PH_CONNECT)
		f->sock_errno = EVUTIL_SOCKET_ERROR();
	f->evhttp_eventcb(bev, what, f->evhttp_eventarg);
}

/* Why a connection failed, from what the bufferevent and TLS recorded. */
static void
classify_failure(struct fetch *f)
{
	unsigned long e;
	long vr;
	int dnserr;
	char ebuf[256];

	if (f->too_large || (f->have_ev_error &&
	    f->ev_error == EVREQ_HTTP_DATA_TOO_LONG)) {
		/* evhttp 2.1 reports a chunk size that is not a number as
		 * too long, and checks each announced chunk size against the
		 * limit before reading it: in chunked bodies the two cannot
		 * be told apart */
		fetch_fail(f, FETCH_ERR_TOO_LARGE, "body too large: more "
		    "than the limit of %zu bytes%s", f->max_body,
		    !f->too_large && f->chunked ? " (or a malformed chunk)" :
		    "");
		return;
	}
	if ((dnserr = bufferevent_socket_get_dns_error(f->bev)) != 0) {
		fetch_fail(f, FETCH_ERR_DNS, "cannot resolve %s: %s",
		    f->host, evutil_gai_strerror(dnserr));
		return;
	}
	if (f->ssl != NULL) {
		vr = SSL_get_verify_result(f->ssl);
		if (f->pin_failed) {
			fetch_fail(f, FETCH_ERR_TLS, "TLS: the server's key "
			    "sha256//%s does not match the pinned key",
			    f->pin_seen);
			return;
		}
		if (vr != X509_V_OK) {
			fetch_fail(f, FETCH_ERR_TLS, "TLS: certificate "
			    "verification failed: %s",
			    X509_verify_cert_error_string(vr));
			return;
		}
		e = bufferevent_get_openssl_error(f->bev);
		while (bufferevent_get_openssl_error(f->bev) != 0)
			;
		/* A close without close_notify once the exchange is under
		 * way is a closed connection, classified by phase below
		 * (OpenSSL 3 reports it as an error). */
		if (e != 0 && !(ERR_GET_REASON(e) ==
		    SSL_R_UNEXPECTED_EOF_WHILE_READING &&
		    f->phase >= PH_HEADERS)) {
			ssl_error_string(ebuf, sizeof(ebuf), e);
			fetch_fail(f, FETCH_ERR_TLS, "TLS: %s", ebuf);
			return;
		}
		if (f->phase == PH_TLS) {
			fetch_fail(f, FETCH_ERR_TLS, "TLS: the connection "
			    "closed during the handshake");
			return;
		}
	}
	if (f->have_ev_error && f->ev_error == EVREQ_HTTP_TIMEOUT) {
		fetch_fail(f, FETCH_ERR_TIMEOUT, "timeout (%s)",
		    phase_name(f));
		return;
	}
	switch (f->phase) {
	case PH_CONNECT:
		if (f->sock_errno != 0)
			fetch_fail(f, FETCH_ERR_CONNECT, "cannot connect to %s "
			    "port %d: %s", f->host, f->port,
			    evutil_socket_error_to_string(f->sock_errno));
		else
			fetch_fail(f, FETCH_ERR_CONNECT, "cannot connect to %s "
			    "port %d", f->host, f->port);
		break;
	case PH_TLS:
		fetch_fail(f, FETCH_ERR_TLS, "TLS: the handshake failed");
		break;
	case PH_HEADERS:
		if (f->have_ev_error &&
		    f->ev_error == EVREQ_HTTP_INVALID_HEADER)
			fetch_fail(f, FETCH_ERR_PROTOCOL, "malformed "
			    "response: not HTTP/1.x, bad headers, or headers "
			    "over %d bytes", MAX_HEADERS_SIZE);
		else
			fetch_fail(f, FETCH_ERR_PROTOCOL, "the connection "
			    "closed before a complete response");
		break;
	case PH_BODY:
		if (f->have_ev_error &&
		    f->ev_error == EVREQ_HTTP_INVALID_HEADER)
			fetch_fail(f, FETCH_ERR_PROTOCOL, "malformed body "
			    "(bad chunk)");
		else if (f->content_length >= 0)
			fetch_fail(f, FETCH_ERR_TRUNCATED, "truncated body: "
			    "the connection closed after %zu of %lld bytes",
			    evbuffer_get_length(f->body), f->content_length);
		else
			fetch_fail(f, FETCH_ERR_TRUNCATED, "truncated body: "
			    "the connection closed after %zu bytes",
			    evbuffer_get_length(f->body));
		break;
	}
}

static void
on_request_done(struct evhttp_request *req, void *arg)
{
	struct fetch *f = arg;
	int code = req != NULL ? evhttp_request_get_response_code(req) : 0;

	f->req = NULL;		/* evhttp frees it after we return */
	if (f->finished)
		return;
	if (req == NULL || code == 0 || f->have_ev_error || f->too_large) {
		classify_failure(f);
		return;
	}
	/* on_headers decided every status but 200 */
	if (code != 200) {
		fetch_fail(f, FETCH_ERR_HTTP, "HTTP status %d", code);
		return;
	}
	if (f->content_length >= 0 &&
	    (long long)evbuffer_get_length(f->body) != f->content_length) {
		fetch_fail(f, FETCH_ERR_TRUNCATED, "truncated body: %zu of "
		    "%lld bytes", evbuffer_get_length(f->body),
		    f->content_length);
		return;
	}
	fetch_succeed(f, FETCH_OK);
}

/* A header value we send must not carry CR, LF or other controls. */
static int
header_safe(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return n <= FETCH_VALIDATOR_MAX;
}

static int
parse_url(struct fetch *f, struct evhttp_uri *u, char *err, size_t errlen)
{
	const char *scheme = evhttp_uri_get_scheme(u);
	const char *host = evhttp_uri_get_host(u);
	size_t len;

	if (scheme == NULL || (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0)) {
		snprintf(err, errlen, "%s: only http:// and https:// URLs "
		    "are supported", f->url);
		return -1;
	}
	f->https = strcasecmp(scheme, "https") == 0;
	if (evhttp_uri_get_userinfo(u) != NULL) {
		snprintf(err, errlen, "%s: user names in URLs are not "
		    "supported", f->url);
		return -1;
	}
	if (host == NULL || (len = strlen(host)) == 0) {
		snprintf(err, errlen, "%s: no host", f->url);
		return -1;
	}
	if (host[0] == '[' && len > 2 && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len > HOST_MAX) {
		snprintf(err, errlen, "%s: host name too long", f->url);
		return -1;
	}
	memcpy(f->host, host, len);
	f->host[len] = '\0';
	f->port = evhttp_uri_get_port(u);
	if (f->port == -1)
		f->port = f->https ? 443 : 80;
	if (f->port <= 0 || f->port > 65535) {
		snprintf(err, errlen, "%s: bad port", f->url);
		return -1;
	}
	return 0;
}

static int
is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

static int
setup_tls(struct fetch *f, char *err, size_t errlen)
{
	X509_VERIFY_PARAM *param;
	char ebuf[256];

	if ((f->ssl = SSL_new(f->ctx->ssl_ctx)) == NULL)
		goto fail;
	if (SSL_set_ex_data(f->ssl, ssl_fetch_index, f) != 1)
		goto fail;
	SSL_set_verify(f->ssl, SSL_VERIFY_PEER, verify_cb);
	SSL_set_info_callback(f->ssl, on_ssl_info);
	param = SSL_get0_param(f->ssl);
	X509_VERIFY_PARAM_set_hostflags(param,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (is_ip_literal(f->host)) {
		if (X509_VERIFY_PARAM_set1_ip_asc(param, f->host) != 1)
			goto fail;
	} else if (X509_VERIFY_PARAM_set1_host(param, f->host, 0) != 1 ||
	    SSL_set_tlsext_host_name(f->ssl, f->host) != 1)
		goto fail;
	return 0;
fail:
	ssl_error_string(ebuf, sizeof(ebuf), ERR_get_error());
	snprintf(err, errlen, "%s: cannot set up TLS: %s", f->url, ebuf);
	return -1;
}

static int
add_request_headers(struct fetch *f, struct evhttp_uri *u,
    const struct fetch_opts *opts, char *err, size_t errlen)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(f->req);
	char hostport[HOST_MAX + 16];
	int v6 = strchr(f->host, ':') != NULL;

	(void)u;
	if (f->port == (f->https ? 443 : 80))
		snprintf(hostport, sizeof(hostport), v6 ? "[%s]" : "%s",
		    f->host);
	else
		snprintf(hostport, sizeof(hostport), v6 ? "[%s]:%d" : "%s:%d",
		    f->host, f->port);
	if (evhttp_add_header(h, "Host", hostport) != 0 ||
	    evhttp_add_header(h, "User-Agent", USER_AGENT) != 0 ||
	    evhttp_add_header(h, "Accept", "*/*") != 0 ||
	    evhttp_add_header(h, "Connection", "close") != 0)
		goto fail;
	if (opts->etag != NULL && *opts->etag != '\0') {
		if (!header_safe(opts->etag)) {
			snprintf(err, errlen, "%s: the stored ETag is not a "
			    "valid header value", f->url);
			return -1;
		}
		if (evhttp_add_header(h, "If-None-Match", opts->etag) != 0)
			goto fail;
	}
	if (opts->last_modified != NULL && *opts->last_modified != '\0') {
		if (!header_safe(opts->last_modified)) {
			snprintf(err, errlen, "%s: the stored Last-Modified "
			    "is not a valid header value", f->url);
			return -1;
		}
		if (evhttp_add_header(h, "If-Modified-Since",
		    opts->last_modified) != 0)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot build the request", f->url);
	return -1;
}

/* The request target: origin form, or absolute form through a proxy. */
static int
request_target(struct fetch *f, struct evhttp_uri *u, char *buf,
    size_t len)
{
	const char *path = evhttp_uri_get_path(u);
	const char *query = evhttp_uri_get_query(u);
	int n;

	if (path == NULL || *path == '\0')
		path = "/";
	if (f->ctx->proxy_port != 0)
		n = snprintf(buf, len, "http://%s%s%s:%d%s%s%s",
		    strchr(f->host, ':') != NULL ? "[" : "", f->host,
		    strchr(f->host, ':') != NULL ? "]" : "", f->port, path,
		    query != NULL ? "?" : "", query != NULL ? query : "");
	else
		n = snprintf(buf, len, "%s%s%s", path,
		    query != NULL ? "?" : "", query != NULL ? query : "");
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

struct fetch *
fetch_start(struct fetch_ctx *ctx, const char *url,
    const struct fetch_opts *opts, fetch_cb cb, void *arg, char *err,
    size_t errlen)
{
	struct fetch *f;
	struct evhttp_uri *u = NULL;
	char target[4096];
	const char *conn_host;
	int conn_port;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->url = strdup(url)) == NULL) {
		free(f);
		snprintf(err, errlen, "%s: out of memory", url);
		return NULL;
	}
	f->ctx = ctx;
	f->cb = cb;
	f->arg = arg;
	f->max_body = opts->max_body;
	f->content_length = -1;
	f->phase = PH_CONNECT;
	ms_to_tv(opts->connect_timeout_ms, DEFAULT_CONNECT_MS, &f->connect_tv);
	ms_to_tv(opts->read_timeout_ms, DEFAULT_READ_MS, &f->read_tv);
	ms_to_tv(opts->total_timeout_ms, DEFAULT_TOTAL_MS, &f->total_tv);

	if ((u = evhttp_uri_parse_with_flags(url, 0)) == NULL) {
		snprintf(err, errlen, "%.300s: not a valid URL", url);
		goto fail;
	}
	if (parse_url(f, u, err, errlen) == -1)
		goto fail;
	if (f->https && ctx->ssl_ctx == NULL) {
		snprintf(err, errlen, "%s: HTTPS was not set up for an http:// "
		    "repository", url);
		goto fail;
	}
	if (f->https && ctx->proxy_port != 0) {
		snprintf(err, errlen, "%s: HTTPS through a proxy needs "
		    "CONNECT, which is not supported yet", url);
		goto fail;
	}
	if (request_target(f, u, target, sizeof(target)) == -1) {
		snprintf(err, errlen, "%.300s: URL too long", url);
		goto fail;
	}

	if ((f->body = evbuffer_new()) == NULL ||
	    (f->connect_ev = evtimer_new(ctx->base, on_connect_timeout, f))
	    == NULL ||
	    (f->read_ev = evtimer_new(ctx->base, on_read_timeout, f)) == NULL ||
	    (f->total_ev = evtimer_new(ctx->base, on_total_timeout, f))
	    == NULL ||
	    (f->done_ev = event_new(ctx->base, -1, 0, on_done, f)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", url);
		goto fail;
	}

	if (f->https) {
		if (setup_tls(f, err, errlen) == -1)
			goto fail;
		f->bev = bufferevent_openssl_socket_new(ctx->base, -1, f->ssl,
		    BUFFEREVENT_SSL_CONNECTING,
		    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
		/* a close without close_notify stays an error: a body
		 * without a length could be cut short by anyone */
		if (f->bev == NULL) {
			SSL_free(f->ssl);
			f->ssl = NULL;
		}
	} else
		f->bev = bufferevent_socket_new(ctx->base, -1,
		    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (f->bev == NULL) {
		snprintf(err, errlen, "%s: cannot create a connection", url);
		goto fail;
	}
	conn_host = ctx->proxy_port != 0 ? ctx->proxy_host : f->host;
	conn_port = ctx->proxy_port != 0 ? ctx->proxy_port : f->port;
	f->evcon = evhttp_connection_base_bufferevent_new(ctx->base, ctx->dns,
	    f->bev, conn_host, (unsigned short)conn_port);
	if (f->evcon == NULL) {
		bufferevent_free(f->bev);	/* and the SSL */
		f->bev = NULL;
		f->ssl = NULL;
		snprintf(err, errlen, "%s: cannot create a connection", url);
		goto fail;
	}
	evhttp_connection_set_retries(f->evcon, 0);
	/* evhttp's own timer only backs up ours */
	evhttp_connection_set_timeout_tv(f->evcon, &f->total_tv);
	evhttp_connection_set_max_headers_size(f->evcon, MAX_HEADERS_SIZE);
	evhttp_connection_set_max_body_size(f->evcon,
	    f->max_body > (size_t)EV_SSIZE_MAX - 1 ? EV_SSIZE_MAX :
	    (ev_ssize_t)f->max_body + 1);
	if (evbuffer_add_cb(bufferevent_get_output(f->bev), on_output, f) ==
	    NULL) {
		snprintf(err, errlen, "%s: cannot create a connection", url);
		goto fail;
	}

	if ((f->req = evhttp_request_new(on_request_done, f)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", url);
		goto fail;
	}
	evhttp_request_set_header_cb(f->req, on_headers);
	evhttp_request_set_chunked_cb(f->req, on_chunk);
	evhttp_request_set_error_cb(f->req, on_request_error);
	if (add_request_headers(f, u, opts, err, errlen) == -1) {
		evhttp_request_free(f->req);
		f->req = NULL;
		goto fail;
	}
	/* on failure evhttp_make_request frees the request */
	if (evhttp_make_request(f->evcon, f->req, EVHTTP_REQ_GET, target)
	    != 0) {
		f->req = NULL;
		snprintf(err, errlen, "%s: cannot start the request", url);
		goto fail;
	}
	/* evhttp may already have failed it (a local connect refused) */
	if (!f->finished) {
		bufferevent_data_cb rcb, wcb;

		bufferevent_getcb(f->bev, &rcb, &wcb, &f->evhttp_eventcb,
		    &f->evhttp_eventarg);
		if (f->evhttp_eventcb != NULL)
			bufferevent_setcb(f->bev, rcb, wcb, on_connect_event,
			    f);
		evtimer_add(f->connect_ev, &f->connect_tv);
		evtimer_add(f->total_ev, &f->total_tv);
	}
	evhttp_uri_free(u);
	return f;
fail:
	if (u != NULL)
		evhttp_uri_free(u);
	fetch_free(f);
	return NULL;
}

void
fetch_cancel(struct fetch *f)
{
	if (f != NULL)
		fetch_free(f);
}
