/*
 * IPC between lockprobed and lockprobe-netd: one SOCK_SEQPACKET socketpair,
 * one framed protobuf Envelope per datagram.
 *
 * Frame: 4-byte magic, 4-byte payload length (both big-endian), payload.
 * The length lets a receiver tell a truncated datagram from a damaged one;
 * the kernel tells it an oversized one (MSG_TRUNC).
 */
#ifndef LOCKPROBE_IPC_H
#define LOCKPROBE_IPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lockprobe.pb-c.h"

#define IPC_MAGIC		0x4c505231u	/* "LPR1" */
#define IPC_HEADER_SIZE		8
#define IPC_MAX_PAYLOAD		(64 * 1024 - IPC_HEADER_SIZE)
#define IPC_MAX_DATAGRAM	(IPC_HEADER_SIZE + IPC_MAX_PAYLOAD)

/* The descriptors lockprobe-netd finds its end of the socketpair and the
 * listening control socket on. */
#define IPC_NETD_FD		3
#define IPC_CONTROL_FD		4
#define IPC_METRICS_FD		5	/* only with metrics-listen */

enum ipc_reject {
	IPC_REJECT_TRUNCATED,	/* shorter than its header or its length */
	IPC_REJECT_OVERSIZED,	/* larger than IPC_MAX_DATAGRAM */
	IPC_REJECT_BAD_MAGIC,
	IPC_REJECT_UNDECODABLE,	/* not a valid Envelope */
	IPC_REJECT_UNKNOWN,	/* a body this side does not know */
	IPC_REJECT_ORDER,	/* valid, but not allowed in this state */
	IPC_REJECT_DIRECTION,	/* valid, but never sent by this peer */
	IPC_REJECT_MAX
};

struct ipc_counters {
	uint64_t	sent;
	uint64_t	received;
	uint64_t	send_failed;
	uint64_t	rejected[IPC_REJECT_MAX];
};

struct ipc_channel {
	int			 fd;
	const char		*peer;		/* "netd" or "lockprobed", for logs */
	uint64_t		 next_id;
	struct ipc_counters	 counters;
};

enum ipc_recv_status {
	IPC_RECV_OK,		/* *out holds a decoded envelope */
	IPC_RECV_AGAIN,		/* nothing to read now */
	IPC_RECV_CLOSED,	/* the peer closed its end */
	IPC_RECV_ERROR,		/* the socket failed; errno is set */
	IPC_RECV_REJECTED,	/* a bad datagram was read, counted and logged */
};

void	ipc_init(struct ipc_channel *ch, int fd, const char *peer);
int	ipc_socketpair(int fds[2]);

/* A fresh request id (never 0: 0 marks messages that are not requests). */
uint64_t ipc_next_id(struct ipc_channel *ch);

/*
 * Encode and send one envelope, never blocking: a peer that stopped reading
 * must not stall the sender.  Returns 0, or -1 with errno set (EMSGSIZE for a
 * message over the limit, EAGAIN when the peer's queue is full).
 */
int	ipc_send(struct ipc_channel *ch, const Lockprobe__Envelope *env);

/*
 * Frame one envelope as ipc_send sends it (header, then the packed message)
 * into buf, which holds size bytes.  Returns the datagram's length, or -1
 * with errno EMSGSIZE when it is over the limit or does not fit.
 */
ssize_t	ipc_encode(const Lockprobe__Envelope *env, uint8_t *buf, size_t size);

/*
 * Receive one datagram.  On IPC_RECV_OK the caller owns *out and frees it
 * with ipc_free().  Rejected datagrams are never returned.
 */
enum ipc_recv_status ipc_recv(struct ipc_channel *ch,
	    Lockprobe__Envelope **out);
void	ipc_free(Lockprobe__Envelope *env);

/*
 * Read and dispatch what is waiting, at most max messages (so one busy
 * peer cannot starve the loop's timers).  Each envelope goes to dispatch,
 * which must not free it; rejected datagrams to rejected, if given.  Stops
 * early if a callback closes the channel (sets ch->fd to -1).  Returns
 * IPC_RECV_AGAIN, IPC_RECV_CLOSED or IPC_RECV_ERROR (errno set).
 */
typedef void (*ipc_dispatch_fn)(Lockprobe__Envelope *env, void *arg);
typedef void (*ipc_rejected_fn)(void *arg);
enum ipc_recv_status ipc_drain(struct ipc_channel *ch, int max,
	    ipc_dispatch_fn dispatch, ipc_rejected_fn rejected, void *arg);

/* Decode a datagram already in memory (what ipc_recv uses; for tests). */
enum ipc_recv_status ipc_decode(struct ipc_channel *ch, const uint8_t *buf,
	    size_t len, int truncated, Lockprobe__Envelope **out);

/* Count and log a message the dispatcher refuses (order, direction). */
void	ipc_reject(struct ipc_channel *ch, enum ipc_reject why,
	    const Lockprobe__Envelope *env, const char *detail);

const char *ipc_body_name(int body_case);
const char *ipc_reject_name(enum ipc_reject why);
uint64_t ipc_rejected_total(const struct ipc_channel *ch);

#endif
