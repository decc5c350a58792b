/*
 * A hostile daemon on lockprobectl's control socket, for
 * tests/ctl_hostile.sh: it stands where netd would (a netd under an
 * attacker's control can answer anything) and answers each connection,
 * in turn, with the scenario named by the next argument.
 *
 *   usage: hostile_control SOCKET SCENARIO...
 *
 * Scenarios: status-escapes, reload-escapes, error-escapes, huge,
 * oversized, garbage, wrong-type.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"

/* what a hostile answer would like to do to the operator's terminal:
 * clear it, set its title, move the cursor, ring, overwrite a line */
#define ESCAPES	"\x1b[2J\x1b]0;pwned\x07\x1b[1A\x1b[2K\rfake\x08\x7f\x01"

static void __attribute__((noreturn))
die(const char *what)
{
	perror(what);
	exit(2);
}

/* A datagram with a valid header around an arbitrary payload. */
static void
send_raw(int fd, uint32_t magic, const void *payload, size_t len,
    uint32_t claimed)
{
	uint8_t *buf = malloc(IPC_HEADER_SIZE + len);
	uint32_t word;

	if (buf == NULL)
		die("malloc");
	word = htonl(magic);
	memcpy(buf, &word, 4);
	word = htonl(claimed);
	memcpy(buf + 4, &word, 4);
	memcpy(buf + IPC_HEADER_SIZE, payload, len);
	if (send(fd, buf, IPC_HEADER_SIZE + len, 0) == -1)
		perror("send (the client may refuse it)");
	free(buf);
}

static void
answer_status(struct ipc_channel *ch, uint64_t id)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__StatusReply st = LOCKPROBE__STATUS_REPLY__INIT;
	Lockprobe__IpcStatus ipc = LOCKPROBE__IPC_STATUS__INIT;

	st.version = (char *)(uintptr_t)"0.1" ESCAPES;
	st.protocol_version =
	    LOCKPROBE__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT;
	st.privd_pid = 1;
	st.config_path = (char *)(uintptr_t)"/etc/" ESCAPES "lockprobe.conf";
	st.btf_error = (char *)(uintptr_t)"no BTF" ESCAPES;
	st.ipc = &ipc;
	env.id = id;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_STATUS_REPLY;
	env.status_reply = &st;
	if (ipc_send(ch, &env) == -1)
		die("ipc_send status");
}

static void
answer_reload(struct ipc_channel *ch, uint64_t id, const char *errors)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__ReloadReply r = LOCKPROBE__RELOAD_REPLY__INIT;

	r.applied = 0;
	r.errors = (char *)(uintptr_t)errors;
	env.id = id;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_RELOAD_REPLY;
	env.reload_reply = &r;
	if (ipc_send(ch, &env) == -1)
		die("ipc_send reload");
}

static void
answer_error(struct ipc_channel *ch, uint64_t id)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__Error e = LOCKPROBE__ERROR__INIT;

	e.reason = (char *)(uintptr_t)"denied" ESCAPES;
	env.id = id;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_ERROR;
	env.error = &e;
	if (ipc_send(ch, &env) == -1)
		die("ipc_send error");
}

static void
answer_rewalk(struct ipc_channel *ch, uint64_t id)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__RewalkReply r = LOCKPROBE__REWALK_REPLY__INIT;

	r.error = (char *)(uintptr_t)"not asked" ESCAPES;
	env.id = id;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_REWALK_REPLY;
	env.rewalk_reply = &r;
	if (ipc_send(ch, &env) == -1)
		die("ipc_send rewalk");
}

/* The largest errors text that fits a datagram, escapes all along. */
static void
answer_huge(struct ipc_channel *ch, uint64_t id)
{
	size_t len = IPC_MAX_PAYLOAD - 64, i;
	char *text = malloc(len + 1);

	if (text == NULL)
		die("malloc");
	for (i = 0; i < len; i++)
		text[i] = i % 50 == 0 ? '\x1b' : i % 50 == 1 ? ']' : 'A';
	text[len] = '\0';
	answer_reload(ch, id, text);
	free(text);
}

static void
garbage(int fd)
{
	static const uint8_t junk[] = {
		0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x80, 0x80, 0x80,
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x9a, 0x01,
	};
	uint8_t trunc[4] = { 0x4c, 0x50, 0x52, 0x31 };

	send_raw(fd, IPC_MAGIC, junk, sizeof(junk), sizeof(junk));
	send_raw(fd, 0x1b5b324au, junk, sizeof(junk), sizeof(junk));
	send_raw(fd, IPC_MAGIC, junk, sizeof(junk), 9999);
	(void)send(fd, trunc, sizeof(trunc), 0);
}

static void
oversized(int fd)
{
	size_t len = IPC_MAX_DATAGRAM + 4096;
	uint8_t *big = malloc(len);

	if (big == NULL)
		die("malloc");
	memset(big, 0x1b, len);
	send_raw(fd, IPC_MAGIC, big, len, (uint32_t)len);
	free(big);
}

static void
serve(int lfd, const char *scenario)
{
	struct ipc_channel ch;
	Lockprobe__Envelope *req = NULL;
	enum ipc_recv_status st;
	int fd;

	if ((fd = accept(lfd, NULL, NULL)) == -1)
		die("accept");
	ipc_init(&ch, fd, "lockprobectl");
	do
		st = ipc_recv(&ch, &req);
	while (st == IPC_RECV_AGAIN);
	if (st != IPC_RECV_OK) {
		fprintf(stderr, "hostile_control: no request (%d)\n", st);
		exit(2);
	}
	if (strcmp(scenario, "status-escapes") == 0)
		answer_status(&ch, req->id);
	else if (strcmp(scenario, "reload-escapes") == 0)
		answer_reload(&ch, req->id, "lockprobe.conf:1: key" ESCAPES
		    "\nlockprobe.conf:2: other" ESCAPES "\n");
	else if (strcmp(scenario, "error-escapes") == 0)
		answer_error(&ch, req->id);
	else if (strcmp(scenario, "huge") == 0)
		answer_huge(&ch, req->id);
	else if (strcmp(scenario, "oversized") == 0)
		oversized(fd);
	else if (strcmp(scenario, "garbage") == 0)
		garbage(fd);
	else if (strcmp(scenario, "wrong-type") == 0)
		answer_rewalk(&ch, req->id);
	else {
		fprintf(stderr, "hostile_control: unknown scenario %s\n",
		    scenario);
		exit(2);
	}
	ipc_free(req);
	/* closing ends what lockprobectl waits for after refused data */
	close(fd);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un sun;
	int lfd, i;

	if (argc < 3) {
		fprintf(stderr, "usage: hostile_control SOCKET SCENARIO...\n");
		return 2;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "hostile_control: %s: path too long\n",
		    argv[1]);
		return 2;
	}
	memcpy(sun.sun_path, argv[1], strlen(argv[1]));
	if ((lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0)) == -1)
		die("socket");
	if (bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(lfd, 4) == -1)
		die(argv[1]);
	for (i = 2; i < argc; i++)
		serve(lfd, argv[i]);
	close(lfd);
	unlink(argv[1]);
	return 0;
}
