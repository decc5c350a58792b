/*
 * The control socket, served by netd: lockprobectl's requests arrive here,
 * are checked against a closed list, and are relayed to lockprobed; the
 * answers go back to the client that asked.  lockprobed created and bound
 * the socket; netd only accepts on it (descriptor IPC_CONTROL_FD).
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ipc.h"
#include "log.h"
#include "netd.h"

#define CONTROL_MAX_CLIENTS	16
#define CONTROL_MAX_PENDING	4	/* unanswered requests per client */
#define CONTROL_IDLE_SEC	60
#define CONTROL_PENDING_MAX	(CONTROL_MAX_CLIENTS * CONTROL_MAX_PENDING)

struct control_client {
	struct ipc_channel	 ipc;
	struct event		*ev;
	struct event		*idle_ev;
	uint64_t		 serial;	/* never reused */
	unsigned int		 pending;
	int			 uid;
};

struct control_pending {
	uint64_t		 privd_id;	/* 0: slot free */
	uint64_t		 client_serial;
	uint64_t		 client_id;
	int			 answer_case;
};

struct control {
	struct event_base	*base;
	struct ipc_channel	*privd;
	struct event		*accept_ev;
	struct control_client	*clients[CONTROL_MAX_CLIENTS];
	struct control_pending	 pending[CONTROL_PENDING_MAX];
	uint64_t		 next_serial;
	uint64_t		 rejected;
	control_status_fn	 fill_status;
	void			*fill_arg;
	control_poll_fn		 poll;
};

static struct control control;

static void	on_client(evutil_socket_t, short, void *);
static void	on_idle(evutil_socket_t, short, void *);

static void
client_close(struct control_client *c, const char *why)
{
	size_t i;

	log_debug("control: client %llu (uid %d) %s",
	    (unsigned long long)c->serial, c->uid, why);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (control.clients[i] == c)
			control.clients[i] = NULL;
	/* Answers still on their way are dropped when they arrive. */
	event_free(c->ev);
	event_free(c->idle_ev);
	close(c->ipc.fd);
	free(c);
}

static struct control_client *
client_by_serial(uint64_t serial)
{
	size_t i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (control.clients[i] != NULL &&
		    control.clients[i]->serial == serial)
			return control.clients[i];
	return NULL;
}

unsigned int
control_nclients(void)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		n += control.clients[i] != NULL;
	return n;
}

uint64_t
control_rejected(void)
{
	uint64_t n = control.rejected;
	size_t i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (control.clients[i] != NULL)
			n += ipc_rejected_total(&control.clients[i]->ipc);
	return n;
}

static void
send_error(struct control_client *c, uint64_t id, const char *reason)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__Error e = LOCKPROBE__ERROR__INIT;

	e.reason = (char *)(uintptr_t)reason;
	env.id = id;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_ERROR;
	env.error = &e;
	(void)ipc_send(&c->ipc, &env);
}

/*
 * The closed list of control requests.  For a request on it, build in *r
 * the fresh message netd relays to lockprobed (never the client's bytes:
 * only its kind and typed fields) and return the body case of the reply the client waits for;
 * return 0 for anything else.  Pure: no I/O, no state (fuzz/fuzz_control.c).
 */
int
control_relay_build(const Lockprobe__Envelope *req, struct control_relay *r)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__StatusRequest status = LOCKPROBE__STATUS_REQUEST__INIT;
	Lockprobe__ReloadRequest reload = LOCKPROBE__RELOAD_REQUEST__INIT;
	Lockprobe__StatsRequest stats = LOCKPROBE__STATS_REQUEST__INIT;
	Lockprobe__RewalkRequest rewalk = LOCKPROBE__REWALK_REQUEST__INIT;

	r->env = env;
	r->status = status;
	r->reload = reload;
	r->stats = stats;
	r->rewalk = rewalk;
	switch (req->body_case) {
	case LOCKPROBE__ENVELOPE__BODY_STATUS_REQUEST:
		r->env.body_case = LOCKPROBE__ENVELOPE__BODY_STATUS_REQUEST;
		r->env.status_request = &r->status;
		return LOCKPROBE__ENVELOPE__BODY_STATUS_REPLY;
	case LOCKPROBE__ENVELOPE__BODY_RELOAD_REQUEST:
		r->env.body_case = LOCKPROBE__ENVELOPE__BODY_RELOAD_REQUEST;
		r->env.reload_request = &r->reload;
		return LOCKPROBE__ENVELOPE__BODY_RELOAD_REPLY;
	case LOCKPROBE__ENVELOPE__BODY_STATS_REQUEST:
		/* only the two typed fields, copied */
		r->stats.has_map_id = req->stats_request->has_map_id;
		r->stats.map_id = req->stats_request->map_id;
		r->stats.has_after_map_id =
		    req->stats_request->has_after_map_id;
		r->stats.after_map_id = req->stats_request->after_map_id;
		r->env.body_case = LOCKPROBE__ENVELOPE__BODY_STATS_REQUEST;
		r->env.stats_request = &r->stats;
		return LOCKPROBE__ENVELOPE__BODY_STATS_REPLY;
	case LOCKPROBE__ENVELOPE__BODY_REWALK_REQUEST:
		r->env.body_case = LOCKPROBE__ENVELOPE__BODY_REWALK_REQUEST;
		r->env.rewalk_request = &r->rewalk;
		return LOCKPROBE__ENVELOPE__BODY_REWALK_REPLY;
	default:
		return 0;
	}
}

static void
relay_request(struct control_client *c, const Lockprobe__Envelope *req,
    struct control_relay *fwd, int answer_case)
{
	struct control_pending *p = NULL;
	size_t i;

	if (c->pending >= CONTROL_MAX_PENDING) {
		send_error(c, req->id, "too many requests in flight");
		return;
	}
	for (i = 0; i < CONTROL_PENDING_MAX && p == NULL; i++)
		if (control.pending[i].privd_id == 0)
			p = &control.pending[i];
	if (p == NULL) {
		send_error(c, req->id, "busy; try again");
		return;
	}
	fwd->env.id = ipc_next_id(control.privd);
	if (ipc_send(control.privd, &fwd->env) == -1) {
		send_error(c, req->id, "lockprobed is not reachable");
		return;
	}
	p->privd_id = fwd->env.id;
	p->client_serial = c->serial;
	p->client_id = req->id;
	p->answer_case = answer_case;
	c->pending++;
}

/* lockprobectl poll: netd's own business, not relayed. */
static void
answer_poll(struct control_client *c, const Lockprobe__Envelope *req)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__PollReply reply = LOCKPROBE__POLL_REPLY__INIT;
	static const char unavailable[] = "remote configuration is not available";
	char reason[256] = "";

	reply.started = control.poll != NULL &&
	    control.poll(reason, sizeof(reason));
	if (!reply.started)
		reply.reason = reason[0] != '\0' ? reason :
		    (char *)(uintptr_t)unavailable;
	env.id = req->id;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_POLL_REPLY;
	env.poll_reply = &reply;
	if (ipc_send(&c->ipc, &env) == -1)
		log_warn("control: answering client %llu",
		    (unsigned long long)c->serial);
}

static void
client_dispatch(struct control_client *c, const Lockprobe__Envelope *env)
{
	struct control_relay fwd;
	int answer_case;

	if (env->body_case == LOCKPROBE__ENVELOPE__BODY_POLL_REQUEST) {
		answer_poll(c, env);
		return;
	}
	if ((answer_case = control_relay_build(env, &fwd)) != 0) {
		relay_request(c, env, &fwd, answer_case);
		return;
	}
	ipc_reject(&c->ipc, IPC_REJECT_DIRECTION, env, "not a control request");
	send_error(c, env->id, "not a control request");
}

static void
client_dispatch_cb(Lockprobe__Envelope *env, void *arg)
{
	client_dispatch(arg, env);
}

static void
client_rejected_cb(void *arg)
{
	send_error(arg, 0, "malformed message");
}

static void
on_client(evutil_socket_t fd, short events, void *arg)
{
	struct control_client *c = arg;
	struct timeval idle = { CONTROL_IDLE_SEC, 0 };

	(void)fd;
	(void)events;
	evtimer_add(c->idle_ev, &idle);
	switch (ipc_drain(&c->ipc, 16, client_dispatch_cb, client_rejected_cb,
	    c)) {
	case IPC_RECV_CLOSED:
		client_close(c, "disconnected");
		break;
	case IPC_RECV_ERROR:
		client_close(c, "failed");
		break;
	default:
		break;
	}
}

static void
on_idle(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	client_close(arg, "idle too long");
}

static int
peer_uid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return -1;
	return (int)cred.uid;
}

static void
on_accept(evutil_socket_t lfd, short events, void *arg)
{
	struct timeval idle = { CONTROL_IDLE_SEC, 0 };
	struct control_client *c;
	size_t i, slot = CONTROL_MAX_CLIENTS;
	int fd;

	(void)events;
	(void)arg;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("control: accept");
		return;
	}
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (control.clients[i] == NULL) {
			slot = i;
			break;
		}
	if (slot == CONTROL_MAX_CLIENTS) {
		log_warnx("control: refusing a client: %d already connected",
		    CONTROL_MAX_CLIENTS);
		control.rejected++;
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	ipc_init(&c->ipc, fd, "control client");
	c->serial = ++control.next_serial;
	c->uid = peer_uid(fd);
	c->ev = event_new(control.base, fd, EV_READ | EV_PERSIST, on_client, c);
	c->idle_ev = evtimer_new(control.base, on_idle, c);
	if (c->ev == NULL || c->idle_ev == NULL ||
	    event_add(c->ev, NULL) == -1 ||
	    evtimer_add(c->idle_ev, &idle) == -1) {
		if (c->ev != NULL)
			event_free(c->ev);
		if (c->idle_ev != NULL)
			event_free(c->idle_ev);
		close(fd);
		free(c);
		return;
	}
	control.clients[slot] = c;
	log_debug("control: client %llu connected (uid %d)",
	    (unsigned long long)c->serial, c->uid);
}

int
control_init(struct event_base *base, struct ipc_channel *privd,
    control_status_fn fill_status, void *arg)
{
	control.base = base;
	control.privd = privd;
	control.fill_status = fill_status;
	control.fill_arg = arg;
	control.accept_ev = event_new(base, IPC_CONTROL_FD,
	    EV_READ | EV_PERSIST, on_accept, NULL);
	if (control.accept_ev == NULL)
		return -1;
	return 0;
}

void
control_set_poll(control_poll_fn fn)
{
	control.poll = fn;
}

int
control_start(void)
{
	return event_add(control.accept_ev, NULL);
}

int
control_answer(Lockprobe__Envelope *env)
{
	struct control_pending *p = NULL;
	struct control_client *c;
	Lockprobe__NetdStatus ns = LOCKPROBE__NETD_STATUS__INIT;
	Lockprobe__IpcStatus ipc = LOCKPROBE__IPC_STATUS__INIT;
	size_t i;

	if (env->id == 0)
		return 0;
	for (i = 0; i < CONTROL_PENDING_MAX; i++)
		if (control.pending[i].privd_id == env->id) {
			p = &control.pending[i];
			break;
		}
	if (p == NULL)
		return 0;
	if ((int)env->body_case != p->answer_case &&
	    env->body_case != LOCKPROBE__ENVELOPE__BODY_ERROR)
		return 0;
	p->privd_id = 0;
	if ((c = client_by_serial(p->client_serial)) == NULL)
		return 1;	/* the client left; the answer is dropped */
	c->pending--;
	if (env->body_case == LOCKPROBE__ENVELOPE__BODY_STATUS_REPLY) {
		ns.ipc = &ipc;
		control.fill_status(&ns, control.fill_arg);
		env->status_reply->netd = &ns;
	}
	env->id = p->client_id;
	if (ipc_send(&c->ipc, env) == -1)
		log_warn("control: answering client %llu",
		    (unsigned long long)c->serial);
	if (env->body_case == LOCKPROBE__ENVELOPE__BODY_STATUS_REPLY)
		env->status_reply->netd = NULL;	/* not ours to free */
	return 1;
}
