/*
 * The metrics endpoint (netd/metrics.c, netd/metrics_render.c).  The first
 * byte chooses what the rest is:
 *   0: an HTTP request line from a client: it is refused, or it is exactly
 *      a GET of /metrics (with a query string at most);
 *   else: an Envelope as lockprobed's answer decodes; a status reply (with
 *      the NetdStatus it may carry, remote status included) or a stats page
 *      is rendered, and the output must be well-formed text: printable
 *      ASCII lines, each a # HELP or # TYPE comment or a lockprobe_ sample
 *      whose label values have balanced, escaped quotes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "fuzz.h"
#include "log.h"
#include "metrics.h"

#define LINE_MAX_FUZZ	2048


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_log_init();
	return 0;
}

static void
request_line(const uint8_t *data, size_t size)
{
	char line[LINE_MAX_FUZZ + 1], copy[LINE_MAX_FUZZ + 1];
	enum metrics_refusal why;

	if (size > LINE_MAX_FUZZ)
		size = LINE_MAX_FUZZ;
	memcpy(line, data, size);
	line[size] = '\0';
	memcpy(copy, line, size + 1);
	why = metrics_check_request(line);
	if ((unsigned)why > METRICS_NREFUSALS)
		fuzz_fail("refusal %d out of range", (int)why);
	if (why == METRICS_NREFUSALS &&
	    strncmp(copy, "GET /metrics HTTP/1.", 20) != 0 &&
	    strncmp(copy, "GET /metrics?", 13) != 0)
		fuzz_fail("accepted '%s'", copy);
}

/* Every line a comment or a sample; quotes balanced; ASCII only. */
static void
check_text(const char *t, size_t len)
{
	size_t i, start = 0;
	int in_quotes = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c == '\n') {
			if (in_quotes)
				fuzz_fail("newline inside a label value");
			if (strncmp(t + start, "# HELP lockprobe_", 17) != 0 &&
			    strncmp(t + start, "# TYPE lockprobe_", 17) != 0 &&
			    strncmp(t + start, "lockprobe_", 10) != 0)
				fuzz_fail("a line of another kind: %.*s",
				    (int)(i - start), t + start);
			start = i + 1;
			continue;
		}
		if (c < 0x20 || c >= 0x7f)
			fuzz_fail("byte 0x%02x in the output", c);
		if (c == '\\' && in_quotes)
			i++;		/* the escaped character */
		else if (c == '"')
			in_quotes = !in_quotes;
	}
	if (start != len)
		fuzz_fail("the output does not end in a newline");
}

static void
render(const Lockprobe__Envelope *env)
{
	Lockprobe__NetdStatus own = LOCKPROBE__NETD_STATUS__INIT;
	Lockprobe__IpcStatus ipc = LOCKPROBE__IPC_STATUS__INIT;
	struct metrics_counters counters;
	struct metrics_locks ml;
	struct evbuffer *out;
	size_t len;
	char *text;

	if ((out = evbuffer_new()) == NULL || metrics_locks_init(&ml) == -1)
		abort();
	memset(&counters, 0, sizeof(counters));
	own.ipc = &ipc;
	if (env->body_case == LOCKPROBE__ENVELOPE__BODY_STATUS_REPLY) {
		const Lockprobe__NetdStatus *ns = env->status_reply->netd;

		if (metrics_render_status(out, env->status_reply,
		    ns != NULL ? ns : &own) == -1)
			fuzz_fail("rendering a status failed");
	} else if (env->body_case == LOCKPROBE__ENVELOPE__BODY_STATS_REPLY) {
		if (metrics_render_stats(&ml, env->stats_reply) == -1)
			fuzz_fail("rendering a stats page failed");
	}
	if (metrics_render_finish(out, &ml, &counters) == -1)
		fuzz_fail("finishing failed");
	metrics_locks_free(&ml);
	len = evbuffer_get_length(out);
	if ((text = malloc(len + 1)) == NULL)
		abort();
	evbuffer_remove(out, text, len);
	check_text(text, len);
	free(text);
	evbuffer_free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Lockprobe__Envelope *env;

	if (size == 0)
		return 0;
	if (data[0] == 0) {
		request_line(data + 1, size - 1);
		return 0;
	}
	env = lockprobe__envelope__unpack(NULL, size - 1, data + 1);
	if (env == NULL)
		return 0;
	render(env);
	lockprobe__envelope__free_unpacked(env, NULL);
	return 0;
}
