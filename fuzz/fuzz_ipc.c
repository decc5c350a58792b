/*
 * The IPC decoder as both daemons use it: one datagram through ipc_decode
 * (what ipc_recv does after reading it), then every field the receiving
 * dispatcher reads, read the way it reads it (netd/netd.c dispatch() and
 * privd/netd_child.c dispatch()), then a re-encoding round trip: a message
 * that decodes must encode, and decode again to the same bytes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ipc.h"
#include "log.h"

static struct ipc_channel	at_netd, at_privd, again;
static volatile size_t		sink;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_log_init();
	ipc_init(&at_netd, -1, "lockprobed");
	ipc_init(&at_privd, -1, "netd");
	ipc_init(&again, -1, "round trip");
	return 0;
}

static size_t
bounded_strlen(const char *s, size_t max)
{
	size_t n;

	for (n = 0; n < max && s[n] != '\0'; n++)
		;
	return n;
}

/* What netd's dispatch() and valid_setup() read of lockprobed's messages. */
static void
read_as_netd(const Lockprobe__Envelope *env)
{
	char line[256];

	switch (env->body_case) {
	case LOCKPROBE__ENVELOPE__BODY_NETD_SETUP:
		sink += env->netd_setup->protocol_version +
		    strlen(env->netd_setup->state_dir) + env->netd_setup->uid +
		    env->netd_setup->gid + (size_t)env->netd_setup->seccomp_mode +
		    env->netd_setup->heartbeat_timeout_sec +
		    (size_t)env->netd_setup->log_level;
		break;
	case LOCKPROBE__ENVELOPE__BODY_HEARTBEAT:
		sink += env->heartbeat->sent_usec;
		break;
	case LOCKPROBE__ENVELOPE__BODY_SANDBOX_PROBE:
		sink += (size_t)env->sandbox_probe->kind;
		break;
	case LOCKPROBE__ENVELOPE__BODY_ERROR:
		snprintf(line, sizeof(line), "refused request %llu: %.200s",
		    (unsigned long long)env->id, env->error->reason);
		sink += strlen(line);
		break;
	default:
		ipc_reject(&at_netd, IPC_REJECT_DIRECTION, env,
		    "lockprobed never sends this");
		break;
	}
}

/* What lockprobed's dispatch() reads of netd's messages. */
static void
read_as_privd(const Lockprobe__Envelope *env)
{
	char line[600];
	size_t i;

	switch (env->body_case) {
	case LOCKPROBE__ENVELOPE__BODY_HELLO:
		sink += env->hello->protocol_version + env->hello->pid +
		    strlen(env->hello->version);
		break;
	case LOCKPROBE__ENVELOPE__BODY_HEARTBEAT_ACK:
		sink += env->heartbeat_ack->sent_usec;
		break;
	case LOCKPROBE__ENVELOPE__BODY_LOG_LINE:
		/* handle_log_line: at most 512 bytes, made printable */
		for (i = 0; i < 512 && env->log_line->text[i] != '\0'; i++)
			line[i] = (unsigned char)env->log_line->text[i] < 0x20 ?
			    '?' : env->log_line->text[i];
		line[i] = '\0';
		sink += strlen(line) + (size_t)env->log_line->priority;
		break;
	case LOCKPROBE__ENVELOPE__BODY_ERROR:
		snprintf(line, sizeof(line), "netd refused request %llu: %.200s",
		    (unsigned long long)env->id, env->error->reason);
		sink += strlen(line);
		break;
	case LOCKPROBE__ENVELOPE__BODY_STATUS_REQUEST:
	case LOCKPROBE__ENVELOPE__BODY_RELOAD_REQUEST:
		break;
	default:
		ipc_reject(&at_privd, IPC_REJECT_DIRECTION, env,
		    "netd never sends this");
		break;
	}
}

static uint8_t *
frame(const Lockprobe__Envelope *env, size_t *lenp)
{
	size_t len = IPC_HEADER_SIZE + lockprobe__envelope__get_packed_size(env);
	uint8_t *buf;
	ssize_t n;

	if ((buf = malloc(len + 1)) == NULL)
		fuzz_fail("malloc");
	if ((n = ipc_encode(env, buf, len + 1)) == -1)
		fuzz_fail("a decoded message does not fit a datagram");
	if ((size_t)n != len)
		fuzz_fail("pack wrote another size than it said");
	*lenp = len;
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Lockprobe__Envelope *env, *env2;
	uint8_t *buf1, *buf2;
	size_t len1, len2;

	/* lockprobed's view of a datagram from netd */
	if (ipc_decode(&at_privd, data, size, 0, &env) == IPC_RECV_OK) {
		read_as_privd(env);
		ipc_free(env);
	}
	/* netd's view of a datagram from lockprobed */
	if (ipc_decode(&at_netd, data, size, 0, &env) != IPC_RECV_OK)
		return 0;
	read_as_netd(env);
	(void)bounded_strlen(ipc_body_name(env->body_case), 64);

	buf1 = frame(env, &len1);
	if (ipc_decode(&again, buf1, len1, 0, &env2) != IPC_RECV_OK)
		fuzz_fail("a decoded message does not decode once re-encoded");
	buf2 = frame(env2, &len2);
	if (len1 != len2 || memcmp(buf1, buf2, len1) != 0)
		fuzz_fail("re-encoding is not stable");
	if (env2->body_case != env->body_case || env2->id != env->id)
		fuzz_fail("round trip changed the body or the id");
	ipc_free(env2);
	free(buf1);
	free(buf2);
	ipc_free(env);
	return 0;
}
