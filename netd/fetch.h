/*
 * fetch: HTTP/1.1 and HTTPS GET for netd's poll loop, on libevent (evhttp
 * client connections, evdns, bufferevent_openssl).
 *
 * Set-up and use are split because netd sandboxes itself in between:
 * fetch_ctx_new() reads everything from the file system (resolv.conf and
 * /etc/hosts for evdns, the CA bundle) and must run before the chroot and
 * the seccomp filter; fetch_start() only uses sockets.
 *
 * Each fetch uses a fresh connection ("Connection: close") and is bounded
 * by a connect, a read (inactivity) and a total timeout, and by the
 * caller's maximum body size, enforced while reading.  Redirects are
 * refused: the repository URL is configured, and following a server to
 * another host would bypass the operator's choice (and any pin).
 */
#ifndef LOCKPROBE_FETCH_H
#define LOCKPROBE_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct fetch_ctx;
struct fetch;

#define FETCH_PIN_LEN		32	/* SHA-256 of a SubjectPublicKeyInfo */
#define FETCH_VALIDATOR_MAX	256	/* longest ETag / Last-Modified kept */

struct fetch_ctx_opts {
	const char	*resolv_conf;	/* NULL: /etc/resolv.conf */
	const char	*ca_file;	/* NULL: the system CA bundle */
	const char	*proxy;		/* NULL: none, else "http://host:port" */
	int		 have_pin;
	uint8_t		 pin[FETCH_PIN_LEN]; /* leaf's SPKI SHA-256 */
	int		 http_only;	/* no TLS set up: https:// refused */
};

struct fetch_opts {
	size_t		 max_body;	/* bytes; a longer body is an error */
	unsigned int	 connect_timeout_ms; /* DNS, TCP connect and TLS */
	unsigned int	 read_timeout_ms; /* no progress for this long */
	unsigned int	 total_timeout_ms; /* the whole exchange */
	const char	*etag;		/* NULL, or sent as If-None-Match */
	const char	*last_modified;	/* NULL, or sent as If-Modified-Since */
};

enum fetch_status {
	FETCH_OK,		/* 200, body complete */
	FETCH_NOT_MODIFIED,	/* 304 to a conditional request, no body */
	FETCH_NOT_FOUND,	/* 404 or 410 */
	FETCH_ERROR		/* see error and errmsg */
};

enum fetch_error {
	FETCH_ERR_NONE,
	FETCH_ERR_DNS,		/* name did not resolve */
	FETCH_ERR_CONNECT,	/* refused, unreachable, reset */
	FETCH_ERR_TLS,		/* handshake, chain, host name or pin */
	FETCH_ERR_TIMEOUT,	/* errmsg names the phase */
	FETCH_ERR_TOO_LARGE,	/* body beyond max_body */
	FETCH_ERR_TRUNCATED,	/* connection closed inside the body */
	FETCH_ERR_PROTOCOL,	/* not HTTP, bad headers */
	FETCH_ERR_REDIRECT,	/* 3xx: refused */
	FETCH_ERR_HTTP		/* any other status */
};

struct fetch_result {
	enum fetch_status	 status;
	enum fetch_error	 error;
	int			 http_status;	/* 0 if none was received */
	const uint8_t		*body;		/* FETCH_OK only */
	size_t			 body_len;
	const char		*etag;		/* "" if none */
	const char		*last_modified;	/* "" if none */
	const char		*url;
	const char		*errmsg;	/* "" unless FETCH_ERROR */
};

/*
 * The callback runs from the event loop, never from inside fetch_start or
 * fetch_cancel.  The result and everything it points to are valid only
 * during the call; the handle is freed when it returns.
 */
typedef void (*fetch_cb)(const struct fetch_result *res, void *arg);

/* Before the sandbox: evdns from resolv_conf, the CA bundle, the proxy. */
struct fetch_ctx *fetch_ctx_new(struct event_base *base,
	    const struct fetch_ctx_opts *opts, char *err, size_t errlen);
/* Cancels nothing: cancel or finish every fetch first. */
void	fetch_ctx_free(struct fetch_ctx *ctx);

/*
 * Start a GET of an http:// or https:// URL.  Returns the handle, or NULL
 * with the reason in err if the request cannot even start (bad URL,
 * unsupported combination); then cb is never called.
 */
struct fetch *fetch_start(struct fetch_ctx *ctx, const char *url,
	    const struct fetch_opts *opts, fetch_cb cb, void *arg, char *err,
	    size_t errlen);
/* Abandon a fetch whose callback has not run; it then never runs. */
void	fetch_cancel(struct fetch *f);

/* Parse a pin as curl writes it: "sha256//" and base64 of the hash. */
int	fetch_parse_pin(const char *s, uint8_t pin[FETCH_PIN_LEN], char *err,
	    size_t errlen);

const char *fetch_error_name(enum fetch_error e);

#endif
