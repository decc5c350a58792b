#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"

void
ipc_init(struct ipc_channel *ch, int fd, const char *peer)
{
	memset(ch, 0, sizeof(*ch));
	ch->fd = fd;
	ch->peer = peer;
	ch->next_id = 1;
}

int
ipc_socketpair(int fds[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, fds);
}

uint64_t
ipc_next_id(struct ipc_channel *ch)
{
	if (ch->next_id == 0)
		ch->next_id = 1;
	return ch->next_id++;
}

const char *
ipc_body_name(int body_case)
{
	switch (body_case) {
	case LOCKPROBE__ENVELOPE__BODY_NETD_SETUP:	return "netd-setup";
	case LOCKPROBE__ENVELOPE__BODY_HELLO:		return "hello";
	case LOCKPROBE__ENVELOPE__BODY_HEARTBEAT:	return "heartbeat";
	case LOCKPROBE__ENVELOPE__BODY_HEARTBEAT_ACK:	return "heartbeat-ack";
	case LOCKPROBE__ENVELOPE__BODY_LOG_LINE:	return "log-line";
	case LOCKPROBE__ENVELOPE__BODY_SANDBOX_PROBE:	return "sandbox-probe";
	case LOCKPROBE__ENVELOPE__BODY_ERROR:		return "error";
	case LOCKPROBE__ENVELOPE__BODY_STATUS_REQUEST:	return "status-request";
	case LOCKPROBE__ENVELOPE__BODY_STATUS_REPLY:	return "status-reply";
	case LOCKPROBE__ENVELOPE__BODY_RELOAD_REQUEST:	return "reload-request";
	case LOCKPROBE__ENVELOPE__BODY_RELOAD_REPLY:	return "reload-reply";
	case LOCKPROBE__ENVELOPE__BODY_STATS_REQUEST:	return "stats-request";
	case LOCKPROBE__ENVELOPE__BODY_STATS_REPLY:	return "stats-reply";
	default:					return "unknown";
	}
}

const char *
ipc_reject_name(enum ipc_reject why)
{
	static const char *const names[IPC_REJECT_MAX] = {
		[IPC_REJECT_TRUNCATED] = "truncated",
		[IPC_REJECT_OVERSIZED] = "oversized",
		[IPC_REJECT_BAD_MAGIC] = "bad magic",
		[IPC_REJECT_UNDECODABLE] = "undecodable",
		[IPC_REJECT_UNKNOWN] = "unknown type",
		[IPC_REJECT_ORDER] = "out of order",
		[IPC_REJECT_DIRECTION] = "wrong direction",
	};

	if ((unsigned int)why >= IPC_REJECT_MAX)
		return "?";
	return names[why];
}

uint64_t
ipc_rejected_total(const struct ipc_channel *ch)
{
	uint64_t total = 0;
	int i;

	for (i = 0; i < IPC_REJECT_MAX; i++)
		total += ch->counters.rejected[i];
	return total;
}

void
ipc_reject(struct ipc_channel *ch, enum ipc_reject why,
    const Lockprobe__Envelope *env, const char *detail)
{
	ch->counters.rejected[why]++;
	if (env != NULL)
		log_warnx("ipc: rejected %s message id %llu from %s: %s%s%s "
		    "(%llu rejected so far)", ipc_body_name(env->body_case),
		    (unsigned long long)env->id, ch->peer, ipc_reject_name(why),
		    detail ? ": " : "", detail ? detail : "",
		    (unsigned long long)ipc_rejected_total(ch));
	else
		log_warnx("ipc: rejected datagram from %s: %s%s%s "
		    "(%llu rejected so far)", ch->peer, ipc_reject_name(why),
		    detail ? ": " : "", detail ? detail : "",
		    (unsigned long long)ipc_rejected_total(ch));
}

ssize_t
ipc_encode(const Lockprobe__Envelope *env, uint8_t *buf, size_t size)
{
	uint32_t word;
	size_t len;

	len = lockprobe__envelope__get_packed_size(env);
	if (len > IPC_MAX_PAYLOAD || size < IPC_HEADER_SIZE + len) {
		errno = EMSGSIZE;
		return -1;
	}
	word = htonl(IPC_MAGIC);
	memcpy(buf, &word, 4);
	word = htonl((uint32_t)len);
	memcpy(buf + 4, &word, 4);
	return (ssize_t)(IPC_HEADER_SIZE +
	    lockprobe__envelope__pack(env, buf + IPC_HEADER_SIZE));
}

int
ipc_send(struct ipc_channel *ch, const Lockprobe__Envelope *env)
{
	uint8_t buf[IPC_MAX_DATAGRAM];
	ssize_t len, n;

	if ((len = ipc_encode(env, buf, sizeof(buf))) == -1) {
		ch->counters.send_failed++;
		return -1;
	}
	do {
		n = send(ch->fd, buf, (size_t)len,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		ch->counters.send_failed++;
		return -1;
	}
	ch->counters.sent++;
	return 0;
}

/*
 * Whether m, or any message inside it, holds a field this side does not
 * know.  Both ends are built from one proto/ and check the protocol version,
 * so an unknown field is damage or an attack, never a newer peer.  (protobuf-c
 * also keeps the invalid field number 0 this way when its tag is over-long,
 * and then cannot decode its own re-encoding: found by fuzz/fuzz_ipc.c.)
 */
static int
has_unknown_fields(const ProtobufCMessage *m, int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const ProtobufCFieldDescriptor *f;
	const ProtobufCMessage *const *v;
	const char *base = (const char *)m;
	unsigned int i;
	size_t j, n;

	if (m->n_unknown_fields > 0 || depth > 8)
		return 1;
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		/* a oneof's members share storage: only the set one is real */
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(const void *)(base +
		    f->quantifier_offset) != f->id)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)(const void *)(base +
			    f->quantifier_offset);
			v = *(const ProtobufCMessage *const *const *)
			    (const void *)(base + f->offset);
		} else {
			n = 1;
			v = (const ProtobufCMessage *const *)(const void *)
			    (base + f->offset);
		}
		for (j = 0; j < n; j++)
			if (v[j] != NULL && has_unknown_fields(v[j], depth + 1))
				return 1;
	}
	return 0;
}

enum ipc_recv_status
ipc_decode(struct ipc_channel *ch, const uint8_t *buf, size_t len,
    int truncated, Lockprobe__Envelope **out)
{
	Lockprobe__Envelope *env;
	uint32_t magic, plen;
	char detail[64];

	*out = NULL;
	if (truncated || len > IPC_MAX_DATAGRAM) {
		snprintf(detail, sizeof(detail), "%zu bytes, limit %d", len,
		    IPC_MAX_DATAGRAM);
		ipc_reject(ch, IPC_REJECT_OVERSIZED, NULL, detail);
		return IPC_RECV_REJECTED;
	}
	if (len < IPC_HEADER_SIZE) {
		snprintf(detail, sizeof(detail), "%zu bytes, header is %d",
		    len, IPC_HEADER_SIZE);
		ipc_reject(ch, IPC_REJECT_TRUNCATED, NULL, detail);
		return IPC_RECV_REJECTED;
	}
	memcpy(&magic, buf, 4);
	memcpy(&plen, buf + 4, 4);
	if (ntohl(magic) != IPC_MAGIC) {
		snprintf(detail, sizeof(detail), "0x%08x", ntohl(magic));
		ipc_reject(ch, IPC_REJECT_BAD_MAGIC, NULL, detail);
		return IPC_RECV_REJECTED;
	}
	plen = ntohl(plen);
	if (plen != len - IPC_HEADER_SIZE) {
		snprintf(detail, sizeof(detail), "frame says %u bytes, got %zu",
		    plen, len - IPC_HEADER_SIZE);
		ipc_reject(ch, plen > len - IPC_HEADER_SIZE ?
		    IPC_REJECT_TRUNCATED : IPC_REJECT_UNDECODABLE, NULL, detail);
		return IPC_RECV_REJECTED;
	}
	env = lockprobe__envelope__unpack(NULL, plen, buf + IPC_HEADER_SIZE);
	if (env == NULL) {
		ipc_reject(ch, IPC_REJECT_UNDECODABLE, NULL,
		    "not a valid protobuf Envelope");
		return IPC_RECV_REJECTED;
	}
	if (env->body_case == LOCKPROBE__ENVELOPE__BODY__NOT_SET) {
		ipc_reject(ch, IPC_REJECT_UNKNOWN, env,
		    "no body this protocol version knows");
		lockprobe__envelope__free_unpacked(env, NULL);
		return IPC_RECV_REJECTED;
	}
	if (has_unknown_fields(&env->base, 0)) {
		ipc_reject(ch, IPC_REJECT_UNDECODABLE, env,
		    "fields this protocol version does not know");
		lockprobe__envelope__free_unpacked(env, NULL);
		return IPC_RECV_REJECTED;
	}
	ch->counters.received++;
	*out = env;
	return IPC_RECV_OK;
}

enum ipc_recv_status
ipc_recv(struct ipc_channel *ch, Lockprobe__Envelope **out)
{
	uint8_t buf[IPC_MAX_DATAGRAM];
	ssize_t n;

	*out = NULL;
	do {
		/* MSG_TRUNC: return the datagram's real length, so an
		 * oversized one is seen as such, not as damaged. */
		n = recv(ch->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return IPC_RECV_AGAIN;
		return IPC_RECV_ERROR;
	}
	if (n == 0) {
		/* SOCK_SEQPACKET reads 0 both at end of file and for an empty
		 * datagram: only a hang-up means the peer went away. */
		struct pollfd pfd = { .fd = ch->fd, .events = POLLRDHUP };

		if (poll(&pfd, 1, 0) == 1 &&
		    (pfd.revents & (POLLRDHUP | POLLHUP)) != 0)
			return IPC_RECV_CLOSED;
		ipc_reject(ch, IPC_REJECT_TRUNCATED, NULL, "empty datagram");
		return IPC_RECV_REJECTED;
	}
	return ipc_decode(ch, buf, (size_t)n, (size_t)n > sizeof(buf), out);
}

void
ipc_free(Lockprobe__Envelope *env)
{
	if (env != NULL)
		lockprobe__envelope__free_unpacked(env, NULL);
}

enum ipc_recv_status
ipc_drain(struct ipc_channel *ch, int max, ipc_dispatch_fn dispatch,
    ipc_rejected_fn rejected, void *arg)
{
	Lockprobe__Envelope *env;
	enum ipc_recv_status st;
	int i;

	for (i = 0; i < max && ch->fd != -1; i++) {
		switch ((st = ipc_recv(ch, &env))) {
		case IPC_RECV_OK:
			dispatch(env, arg);
			ipc_free(env);
			break;
		case IPC_RECV_REJECTED:
			if (rejected != NULL)
				rejected(arg);
			break;
		case IPC_RECV_AGAIN:
		case IPC_RECV_CLOSED:
		case IPC_RECV_ERROR:
			return st;
		}
	}
	return IPC_RECV_AGAIN;
}
