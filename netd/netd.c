/*
 * lockprobe-netd: started by lockprobed only, with its end of the IPC
 * socketpair on descriptor 3.  It takes its settings from lockprobed's first
 * message, sandboxes itself, says hello, and runs its event loop.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <event2/event.h>

#include "conf.h"
#include "ipc.h"
#include "log.h"
#include "metrics.h"
#include "netd.h"
#include "remote.h"
#include "seccomp_filter.h"

#define NETD_SETUP_TIMEOUT_MS	10000

struct netd {
	struct event_base	*base;
	struct timespec		 started;
	struct ipc_channel	 ipc;
	struct event		*ipc_ev;
	struct event		*watchdog_ev;
	struct event		*trap_ev;
	struct timeval		 heartbeat_timeout;
	enum sandbox_mode	 mode;
	uint64_t		 log_dropped;
	int			 exit_status;
};

static struct netd netd;

static void
log_to_privd(int priority, const char *line, void *arg)
{
	struct netd *nd = arg;
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__LogLine msg = LOCKPROBE__LOG_LINE__INIT;

	msg.priority = priority;
	msg.text = (char *)(uintptr_t)line;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_LOG_LINE;
	env.log_line = &msg;
	if (ipc_send(&nd->ipc, &env) == -1)
		nd->log_dropped++;
}

static int
is_ipc_socket(int fd)
{
	int type = 0, domain = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1)
		return 0;
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == -1)
		return 0;
	return type == SOCK_SEQPACKET && domain == AF_UNIX;
}

static int
valid_setup(const Lockprobe__NetdSetup *s, char *err, size_t errlen)
{
	if (s->protocol_version != LOCKPROBE__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT) {
		snprintf(err, errlen, "lockprobed speaks protocol %u, this "
		    "netd %d: install matching versions", s->protocol_version,
		    LOCKPROBE__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT);
		return -1;
	}
	if (s->state_dir[0] != '/' || strlen(s->state_dir) >= PATH_MAX) {
		snprintf(err, errlen, "state directory is not an absolute "
		    "path");
		return -1;
	}
	if (s->uid == 0 || s->gid == 0) {
		snprintf(err, errlen, "refusing uid %u gid %u", s->uid, s->gid);
		return -1;
	}
	if (s->heartbeat_timeout_sec < 2 || s->heartbeat_timeout_sec > 3600) {
		snprintf(err, errlen, "heartbeat timeout %u out of range",
		    s->heartbeat_timeout_sec);
		return -1;
	}
	if (s->log_level < LOG_EMERG || s->log_level > LOG_DEBUG) {
		snprintf(err, errlen, "log level %d out of range",
		    s->log_level);
		return -1;
	}
	if (s->seccomp_mode != LOCKPROBE__SECCOMP_MODE__SECCOMP_MODE_KILL &&
	    s->seccomp_mode != LOCKPROBE__SECCOMP_MODE__SECCOMP_MODE_TRAP) {
		snprintf(err, errlen, "unknown seccomp mode %d",
		    s->seccomp_mode);
		return -1;
	}
	return 0;
}

/* Start-up: wait for lockprobed's settings, the only message allowed first. */
static Lockprobe__Envelope *
receive_setup(struct netd *nd)
{
	struct pollfd pfd = { .fd = IPC_NETD_FD, .events = POLLIN };
	Lockprobe__Envelope *env;
	struct timespec start, now;
	int left = NETD_SETUP_TIMEOUT_MS;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (poll(&pfd, 1, left) <= 0)
			fatalx("no setup message from lockprobed within %d s",
			    NETD_SETUP_TIMEOUT_MS / 1000);
		switch (ipc_recv(&nd->ipc, &env)) {
		case IPC_RECV_OK:
			if (env->body_case ==
			    LOCKPROBE__ENVELOPE__BODY_NETD_SETUP)
				return env;
			ipc_reject(&nd->ipc, IPC_REJECT_ORDER, env,
			    "netd-setup must come first");
			ipc_free(env);
			break;
		case IPC_RECV_CLOSED:
			fatalx("lockprobed closed the IPC socket before setup");
		case IPC_RECV_ERROR:
			fatal("reading setup from lockprobed");
		case IPC_RECV_AGAIN:
		case IPC_RECV_REJECTED:
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = NETD_SETUP_TIMEOUT_MS -
		    (int)((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0)
			left = 0;
	}
}

static void
fill_status(Lockprobe__NetdStatus *ns, void *arg)
{
	struct netd *nd = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns->pid = (uint32_t)getpid();
	ns->uptime_sec = (uint64_t)(now.tv_sec - nd->started.tv_sec);
	ns->seccomp_mode = (char *)(uintptr_t)(nd->mode == SANDBOX_TRAP ?
	    "trap" : "kill");
	ns->ipc->sent = nd->ipc.counters.sent;
	ns->ipc->received = nd->ipc.counters.received;
	ns->ipc->send_failed = nd->ipc.counters.send_failed;
	ns->ipc->rejected = ipc_rejected_total(&nd->ipc);
	ns->control_clients = control_nclients();
	ns->control_rejected = control_rejected();
	ns->log_dropped = nd->log_dropped;
	metrics_fill_status(ns);
	remote_fill_status(ns);
}

static void
send_hello(struct netd *nd)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__Hello hello = LOCKPROBE__HELLO__INIT;

	hello.protocol_version =
	    LOCKPROBE__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT;
	hello.version = (char *)(uintptr_t)PACKAGE_VERSION;
	hello.pid = (uint32_t)getpid();
	env.id = ipc_next_id(&nd->ipc);
	env.body_case = LOCKPROBE__ENVELOPE__BODY_HELLO;
	env.hello = &hello;
	if (ipc_send(&nd->ipc, &env) == -1)
		fatal("sending hello to lockprobed");
}

static void
answer_heartbeat(struct netd *nd, const Lockprobe__Envelope *req)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__HeartbeatAck ack = LOCKPROBE__HEARTBEAT_ACK__INIT;

	ack.sent_usec = req->heartbeat->sent_usec;
	env.id = req->id;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_HEARTBEAT_ACK;
	env.heartbeat_ack = &ack;
	if (ipc_send(&nd->ipc, &env) == -1)
		log_warn("answering heartbeat %llu",
		    (unsigned long long)req->id);
	/* lockprobed is alive: push the watchdog back. */
	evtimer_add(nd->watchdog_ev, &nd->heartbeat_timeout);
}

/* Attempt a call the sandbox forbids; in kill mode this never returns. */
static void
run_sandbox_probe(const Lockprobe__SandboxProbe *probe)
{
	char *const argv[] = { (char *)(uintptr_t)"/bin/true", NULL };
	int fd;

	switch (probe->kind) {
	case LOCKPROBE__SANDBOX_PROBE__KIND__OPEN_SHADOW:
		log_info("sandbox probe: opening /etc/shadow");
		fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC);
		log_warn("sandbox probe: open /etc/shadow returned %d", fd);
		if (fd != -1)
			close(fd);
		break;
	case LOCKPROBE__SANDBOX_PROBE__KIND__EXECVE:
		log_info("sandbox probe: executing /bin/true");
		execve(argv[0], argv, argv + 1);
		log_warn("sandbox probe: execve /bin/true returned");
		break;
#ifdef __x86_64__
	case LOCKPROBE__SANDBOX_PROBE__KIND__X32_GETPID:
		/* the x32 ABI: same architecture, another call table */
		log_info("sandbox probe: calling getpid through the x32 ABI");
		log_warn("sandbox probe: x32 getpid returned %ld",
		    syscall(0x40000000L | SYS_getpid));
		break;
#endif
	default:
		log_warnx("sandbox probe: unknown kind %d", probe->kind);
		break;
	}
}

static void
dispatch(struct netd *nd, Lockprobe__Envelope *env)
{
	switch (env->body_case) {
	case LOCKPROBE__ENVELOPE__BODY_HEARTBEAT:
		answer_heartbeat(nd, env);
		break;
	case LOCKPROBE__ENVELOPE__BODY_SANDBOX_PROBE:
		run_sandbox_probe(env->sandbox_probe);
		break;
	case LOCKPROBE__ENVELOPE__BODY_STATUS_REPLY:
	case LOCKPROBE__ENVELOPE__BODY_RELOAD_REPLY:
	case LOCKPROBE__ENVELOPE__BODY_STATS_REPLY:
	case LOCKPROBE__ENVELOPE__BODY_REWALK_REPLY:
		if (!control_answer(env) && !metrics_answer(env))
			ipc_reject(&nd->ipc, IPC_REJECT_ORDER, env,
			    "no request with that id is outstanding");
		break;
	case LOCKPROBE__ENVELOPE__BODY_CONFIG_APPLY_REPLY:
		if (!remote_apply_reply(env))
			ipc_reject(&nd->ipc, IPC_REJECT_ORDER, env,
			    "no configuration with that id was sent");
		break;
	case LOCKPROBE__ENVELOPE__BODY_ERROR:
		if (!control_answer(env) && !metrics_answer(env) &&
		    !remote_apply_reply(env))
			log_warnx("lockprobed refused request %llu: %.200s",
			    (unsigned long long)env->id, env->error->reason);
		break;
	case LOCKPROBE__ENVELOPE__BODY_NETD_SETUP:
		ipc_reject(&nd->ipc, IPC_REJECT_ORDER, env,
		    "setup was already received");
		break;
	default:
		ipc_reject(&nd->ipc, IPC_REJECT_DIRECTION, env,
		    "lockprobed never sends this");
		break;
	}
}

static void
dispatch_cb(Lockprobe__Envelope *env, void *arg)
{
	dispatch(arg, env);
}

static void
on_ipc(evutil_socket_t fd, short events, void *arg)
{
	struct netd *nd = arg;

	(void)fd;
	(void)events;
	switch (ipc_drain(&nd->ipc, 64, dispatch_cb, NULL, nd)) {
	case IPC_RECV_CLOSED:
		log_info("lockprobed closed the IPC socket; exiting");
		event_base_loopbreak(nd->base);
		break;
	case IPC_RECV_ERROR:
		log_warn("reading from lockprobed; exiting");
		nd->exit_status = 1;
		event_base_loopbreak(nd->base);
		break;
	default:
		break;
	}
}

static void
on_watchdog(evutil_socket_t fd, short events, void *arg)
{
	struct netd *nd = arg;

	(void)fd;
	(void)events;
	log_warnx("no heartbeat from lockprobed for %ld s; exiting",
	    (long)nd->heartbeat_timeout.tv_sec);
	nd->exit_status = 1;
	event_base_loopbreak(nd->base);
}

static void
on_trap_check(evutil_socket_t fd, short events, void *arg)
{
	unsigned int dropped;
	int nr;

	(void)fd;
	(void)events;
	(void)arg;
	while (seccomp_trap_next(&nr, &dropped))
		log_warnx("sandbox: trapped system call %d (%s)", nr,
		    seccomp_syscall_name(nr));
	if (dropped > 0)
		log_warnx("sandbox: %u trapped system calls not recorded",
		    dropped);
}

int
main(int argc, char *argv[])
{
	struct netd *nd = &netd;
	struct netd_sandbox sb;
	Lockprobe__Envelope *setup;
	struct timeval one_second = { 1, 0 };
	char err[512];

	(void)argv;
	if (argc != 1 || !is_ipc_socket(IPC_NETD_FD) ||
	    !is_ipc_socket(IPC_CONTROL_FD)) {
		fprintf(stderr, "lockprobe-netd: must be started by lockprobed "
		    "(it expects its IPC socket on descriptor %d and the "
		    "control socket on %d)\n", IPC_NETD_FD, IPC_CONTROL_FD);
		return 1;
	}
	if (fcntl(IPC_NETD_FD, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(IPC_CONTROL_FD, F_SETFD, FD_CLOEXEC) == -1)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &nd->started);

	ipc_init(&nd->ipc, IPC_NETD_FD, "lockprobed");
	log_init("netd", 1, LOG_DEBUG);
	log_setsink(log_to_privd, nd);
	signal(SIGPIPE, SIG_IGN);

	setup = receive_setup(nd);
	if (valid_setup(setup->netd_setup, err, sizeof(err)) == -1)
		fatalx("bad setup from lockprobed: %s", err);
	log_setlevel(setup->netd_setup->log_level);
	nd->mode = setup->netd_setup->seccomp_mode ==
	    LOCKPROBE__SECCOMP_MODE__SECCOMP_MODE_TRAP ? SANDBOX_TRAP :
	    SANDBOX_KILL;
	nd->heartbeat_timeout.tv_sec = setup->netd_setup->heartbeat_timeout_sec;

	/* Everything the loop needs is created before the sandbox. */
	if ((nd->base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	nd->ipc_ev = event_new(nd->base, IPC_NETD_FD, EV_READ | EV_PERSIST,
	    on_ipc, nd);
	nd->watchdog_ev = evtimer_new(nd->base, on_watchdog, nd);
	nd->trap_ev = event_new(nd->base, -1, EV_PERSIST, on_trap_check, nd);
	if (nd->ipc_ev == NULL || nd->watchdog_ev == NULL ||
	    nd->trap_ev == NULL ||
	    control_init(nd->base, &nd->ipc, fill_status, nd) == -1)
		fatalx("cannot create events");
	if (setup->netd_setup->metrics && metrics_init(nd->base, &nd->ipc,
	    fill_status, nd, err, sizeof(err)) == -1)
		fatalx("metrics endpoint: %s", err);
	control_set_poll(remote_poll_now);
	if (remote_init(nd->base, &nd->ipc, setup->netd_setup, err,
	    sizeof(err)) == -1)
		fatalx("remote configuration: %s", err);

	sb.root_dir = setup->netd_setup->state_dir;
	sb.uid = setup->netd_setup->uid;
	sb.gid = setup->netd_setup->gid;
	sb.mode = nd->mode;
	if (netd_sandbox_enter(&sb, err, sizeof(err)) == -1)
		fatalx("sandbox: %s", err);
	log_info("sandboxed: root %s, uid %u, gid %u, seccomp %s",
	    sb.root_dir, sb.uid, sb.gid,
	    nd->mode == SANDBOX_TRAP ? "trap (debugging)" : "kill");
	ipc_free(setup);

	if (event_add(nd->ipc_ev, NULL) == -1 ||
	    evtimer_add(nd->watchdog_ev, &nd->heartbeat_timeout) == -1 ||
	    (nd->mode == SANDBOX_TRAP &&
	    event_add(nd->trap_ev, &one_second) == -1) ||
	    control_start() == -1 || metrics_start() == -1 ||
	    remote_start() == -1)
		fatalx("cannot schedule events");
	send_hello(nd);

	event_base_dispatch(nd->base);
	remote_shutdown();
	on_trap_check(-1, 0, nd);
	return nd->exit_status;
}
