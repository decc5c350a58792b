/*
 * fetch.c and store.c inside netd's real sandbox (netd_sandbox_enter: the
 * chroot, the user, the seccomp allowlist): the regression test that
 * catches allowlist gaps, e.g. after a libc or OpenSSL update.
 *
 * usage: fetch_sandboxed state-dir uid gid trap|kill resolv.conf ca-file
 *     http-port https-port http6-port (0: no IPv6)
 *
 * It sets everything up as netd does (before the sandbox), enters the
 * sandbox, then fetches over HTTP and HTTPS (names through evdns) from
 * tests/fetch_server.py and persists the bodies with store.c.  Exits 0 if
 * every fetch had the expected outcome and, in trap mode, nothing was
 * trapped; in kill mode a missing call kills it with SIGSYS.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "fetch.h"
#include "netd.h"
#include "seccomp_filter.h"
#include "store.h"

enum { HTTP, HTTPS, HTTP6 };

struct step {
	const char		*url;	/* %d: the port */
	int			 server;	/* HTTP, HTTPS, HTTP6 */
	const char		*etag;
	enum fetch_status	 want;
	const char		*save;	/* store the body as */
};

static const struct step steps[] = {
	{ "http://good.test:%d/ok", HTTP, NULL, FETCH_OK, "http-ok" },
	{ "http://127.0.0.1:%d/ok", HTTP, "\"v1\"", FETCH_NOT_MODIFIED,
	    NULL },
	{ "http://127.0.0.1:%d/missing", HTTP, NULL, FETCH_NOT_FOUND, NULL },
	{ "http://127.0.0.1:%d/truncated", HTTP, NULL, FETCH_ERROR, NULL },
	{ "http://nxdomain.test:%d/ok", HTTP, NULL, FETCH_ERROR, NULL },
	{ "http://[::1]:%d/ok", HTTP6, NULL, FETCH_OK, "http6-ok" },
	{ "https://good.test:%d/ok", HTTPS, NULL, FETCH_OK, "https-ok" },
	{ "https://127.0.0.1:%d/ok", HTTPS, NULL, FETCH_OK, "https-ip" },
	{ "https://wrong.test:%d/ok", HTTPS, NULL, FETCH_ERROR, NULL },
	{ "https://good.test:%d/big", HTTPS, NULL, FETCH_ERROR, NULL },
};

static struct event_base	*base;
static struct fetch_ctx		*ctx;
static struct store		 st;
static int			 http_port, https_port, http6_port;
static size_t			 next_step;
static int			 failures;

/* No stdio once sandboxed: its first use would fstat the descriptor. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) == -1)
		return;	/* nowhere left to report it */
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

static void start_next(void);

static void
on_result(const struct fetch_result *r, void *arg)
{
	const struct step *s = arg;
	char err[512];

	if (r->status != s->want) {
		say("FAIL: %s: status %d, want %d: %s", r->url, r->status,
		    s->want, r->errmsg);
		failures++;
	} else
		say("ok: %s: %s%s", r->url, r->status == FETCH_ERROR ?
		    "failed as expected: " : "status ", r->status ==
		    FETCH_ERROR ? r->errmsg : (r->status == FETCH_OK ? "OK" :
		    "not modified / not found"));
	if (s->save != NULL && r->status == FETCH_OK) {
		if (store_write(&st, s->save, r->body, r->body_len, err,
		    sizeof(err)) == -1) {
			say("FAIL: store: %s", err);
			failures++;
		} else if (store_write(&st, s->save, r->body, r->body_len,
		    err, sizeof(err)) == -1 ||
		    store_remove(&st, s->save, err, sizeof(err)) == -1 ||
		    store_write(&st, s->save, r->body, r->body_len, err,
		    sizeof(err)) == -1) {
			say("FAIL: store again: %s", err);
			failures++;
		}
	}
	start_next();
}

static void
start_next(void)
{
	const struct step *s;
	struct fetch_opts o;
	char url[256], err[512];

	if (next_step >= sizeof(steps) / sizeof(steps[0])) {
		event_base_loopbreak(base);	/* evdns keeps it alive */
		return;
	}
	s = &steps[next_step++];
	if (s->server == HTTP6 && http6_port == 0) {
		say("skipped (no IPv6 loopback): %s", s->url);
		start_next();
		return;
	}
	memset(&o, 0, sizeof(o));
	o.max_body = 4096;
	o.connect_timeout_ms = 5000;
	o.read_timeout_ms = 5000;
	o.total_timeout_ms = 10000;
	o.etag = s->etag;
	expand_url(url, sizeof(url), s->url, s->server == HTTPS ? https_port :
	    s->server == HTTP6 ? http6_port : http_port);
	if (fetch_start(ctx, url, &o, on_result, (void *)(uintptr_t)s, err,
	    sizeof(err)) == NULL) {
		say("FAIL: %s", err);
		failures++;
		start_next();
	}
}

int
main(int argc, char *argv[])
{
	struct fetch_ctx_opts co;
	struct netd_sandbox sb;
	char dbdir[1024], err[512];
	unsigned int dropped;
	int nr, trapped = 0;

	if (argc != 10) {
		fprintf(stderr, "usage: fetch_sandboxed state-dir uid gid "
		    "trap|kill resolv.conf ca-file http-port https-port "
		    "http6-port\n");
		return 2;
	}
	memset(&sb, 0, sizeof(sb));
	sb.root_dir = argv[1];
	sb.uid = (unsigned int)strtoul(argv[2], NULL, 10);
	sb.gid = (unsigned int)strtoul(argv[3], NULL, 10);
	sb.mode = strcmp(argv[4], "trap") == 0 ? SANDBOX_TRAP : SANDBOX_KILL;
	http_port = atoi(argv[7]);
	https_port = atoi(argv[8]);
	http6_port = atoi(argv[9]);

	/* as netd: everything from the file system before the sandbox */
	if ((base = event_base_new()) == NULL) {
		fprintf(stderr, "event_base_new failed\n");
		return 1;
	}
	memset(&co, 0, sizeof(co));
	co.resolv_conf = argv[5];
	co.ca_file = argv[6];
	if ((ctx = fetch_ctx_new(base, &co, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fetch_ctx_new: %s\n", err);
		return 1;
	}
	snprintf(dbdir, sizeof(dbdir), "%s/db", argv[1]);
	if (store_open(&st, dbdir, sb.uid, sb.gid, err, sizeof(err)) == -1) {
		fprintf(stderr, "store_open: %s\n", err);
		return 1;
	}
	fflush(stderr);
	if (netd_sandbox_enter(&sb, err, sizeof(err)) == -1) {
		fprintf(stderr, "sandbox: %s\n", err);
		return 1;
	}
	say("sandboxed (%s)", argv[4]);

	start_next();
	event_base_dispatch(base);

	while (seccomp_trap_next(&nr, &dropped)) {
		say("sandbox: trapped system call %d (%s)", nr,
		    seccomp_syscall_name(nr));
		trapped++;
	}
	if (dropped > 0) {
		say("sandbox: %u trapped system calls not recorded", dropped);
		trapped++;
	}
	if (next_step != sizeof(steps) / sizeof(steps[0])) {
		say("FAIL: the loop ended after %zu steps", next_step);
		failures++;
	}
	say("%d failures, %d trapped calls", failures, trapped);
	/*
	 * The verdict is in.  Leave without the atexit handlers: in sanitizer
	 * builds the runtime's exit path was seen, once under load, to make a
	 * call outside the allowlist while SIGSYS could not be delivered.
	 */
	_exit(failures == 0 && trapped == 0 ? 0 : 1);
}
