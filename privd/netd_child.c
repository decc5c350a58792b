/*
 * lockprobed's side of lockprobe-netd: start it (fork+exec with the
 * socketpair on a fixed descriptor), watch it with heartbeats, validate
 * everything it sends, and restart it with back-off when it dies or hangs.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "ipc.h"
#include "lockprobed.h"
#include "log.h"
#include "privdrop.h"

#define NETD_LOG_MAX	512	/* longest forwarded log line kept */

static void	on_netd_ipc(evutil_socket_t, short, void *);
static void	on_heartbeat(evutil_socket_t, short, void *);
static void	on_restart(evutil_socket_t, short, void *);

int
netd_check_conf(const struct lp_conf *conf, char *err, size_t errlen)
{
	struct passwd *pw;
	struct stat st;

	errno = 0;
	if ((pw = getpwnam(conf->netd_user)) == NULL) {
		snprintf(err, errlen, "netd-user %s: no such user; create it "
		    "with: adduser --system --group --no-create-home %s",
		    conf->netd_user, conf->netd_user);
		return -1;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		snprintf(err, errlen, "netd-user %s: has uid %u gid %u; netd "
		    "needs a user without root's uid or gid",
		    conf->netd_user, (unsigned)pw->pw_uid,
		    (unsigned)pw->pw_gid);
		return -1;
	}
	if (stat(conf->netd_path, &st) == -1) {
		snprintf(err, errlen, "netd-path %s: %s", conf->netd_path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & S_IXUSR) == 0) {
		snprintf(err, errlen, "netd-path %s: not an executable file",
		    conf->netd_path);
		return -1;
	}
	return 0;
}

int
netd_conf_changed(const struct lp_conf *a, const struct lp_conf *b)
{
	return strcmp(a->state_dir, b->state_dir) != 0 ||
	    strcmp(a->netd_user, b->netd_user) != 0 ||
	    strcmp(a->netd_path, b->netd_path) != 0 ||
	    a->netd_seccomp != b->netd_seccomp ||
	    a->log_level != b->log_level ||
	    a->heartbeat_timeout != b->heartbeat_timeout ||
	    strcmp(a->repository_url, b->repository_url) != 0 ||
	    strcmp(a->trusted_root, b->trusted_root) != 0 ||
	    strcmp(a->repository_ca, b->repository_ca) != 0 ||
	    strcmp(a->repository_pin, b->repository_pin) != 0 ||
	    strcmp(a->repository_proxy, b->repository_proxy) != 0 ||
	    a->poll_interval != b->poll_interval ||
	    a->poll_backoff_max != b->poll_backoff_max ||
	    !conf_words_equal(&a->host_tags, &b->host_tags) ||
	    a->lockstat_expiry != b->lockstat_expiry ||
	    a->netd_expiry != b->netd_expiry;
}

void
netd_init(struct privd *pd, int probe_kind)
{
	struct netd_child *nc = &pd->netd;

	memset(nc, 0, sizeof(*nc));
	nc->state = NETD_STOPPED;
	nc->pid = -1;
	nc->ipc.fd = -1;
	nc->probe_kind = probe_kind;
	nc->log_tokens = NETD_LOG_BURST;
	nc->heartbeat_ev = event_new(pd->base, -1, EV_PERSIST, on_heartbeat,
	    pd);
	nc->restart_ev = evtimer_new(pd->base, on_restart, pd);
	if (nc->heartbeat_ev == NULL || nc->restart_ev == NULL)
		fatalx("cannot create netd events");
}

void
netd_reschedule_heartbeat(struct privd *pd)
{
	struct timeval tv = { pd->conf.heartbeat_interval, 0 };

	event_add(pd->netd.heartbeat_ev, &tv);
}

/* The state directory is netd's root: root-owned and not writable. */
static int
prepare_state_dir(const char *dir, char *err, size_t errlen)
{
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "state-directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	return privdrop_check_root_dir(dir, err, errlen);
}

/* The remote-configuration settings; netd reads the files they name. */
static void
setup_remote(const struct lp_conf *conf, Lockprobe__NetdSetup *setup,
    char *tagp[], char *host, size_t hostlen)
{
	size_t	i;

	if (conf->repository_url[0] == '\0')
		return;
	setup->repository_url = (char *)(uintptr_t)conf->repository_url;
	setup->trusted_root = (char *)(uintptr_t)conf->trusted_root;
	if (conf->repository_ca[0] != '\0')
		setup->ca_file = (char *)(uintptr_t)conf->repository_ca;
	if (conf->repository_pin[0] != '\0')
		setup->pin = (char *)(uintptr_t)conf->repository_pin;
	if (conf->repository_proxy[0] != '\0')
		setup->proxy = (char *)(uintptr_t)conf->repository_proxy;
	setup->has_poll_interval_sec = 1;
	setup->poll_interval_sec = conf->poll_interval;
	setup->has_poll_backoff_max_sec = 1;
	setup->poll_backoff_max_sec = conf->poll_backoff_max;
	setup->n_host_tags = conf->host_tags.n;
	for (i = 0; i < setup->n_host_tags; i++)
		tagp[i] = (char *)(uintptr_t)conf->host_tags.w[i];
	setup->host_tags = tagp;
	/* the host name for host-scoped targets, so netd need not ask */
	if (gethostname(host, hostlen) == 0) {
		host[hostlen - 1] = '\0';
		setup->host_name = host;
	}
	setup->has_lockstat_revert_on_expiry = 1;
	setup->lockstat_revert_on_expiry =
	    conf->lockstat_expiry == EXPIRY_REVERT;
	setup->has_netd_revert_on_expiry = 1;
	setup->netd_revert_on_expiry = conf->netd_expiry == EXPIRY_REVERT;
}

static void
send_setup(struct privd *pd, uid_t uid, gid_t gid)
{
	struct netd_child *nc = &pd->netd;
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__NetdSetup setup = LOCKPROBE__NETD_SETUP__INIT;
	char *tagp[CONF_MAX_TAGS];
	char host[256];

	setup.protocol_version =
	    LOCKPROBE__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT;
	setup.state_dir = pd->conf.state_dir;
	setup.uid = uid;
	setup.gid = gid;
	setup.seccomp_mode = pd->conf.netd_seccomp == SANDBOX_TRAP ?
	    LOCKPROBE__SECCOMP_MODE__SECCOMP_MODE_TRAP :
	    LOCKPROBE__SECCOMP_MODE__SECCOMP_MODE_KILL;
	setup.heartbeat_timeout_sec = pd->conf.heartbeat_timeout;
	setup.log_level = pd->verbose > 0 ? LOG_DEBUG : pd->conf.log_level;
	setup.has_metrics = 1;
	setup.metrics = pd->metrics_fd != -1;
	setup_remote(&pd->conf, &setup, tagp, host, sizeof(host));
	env.id = ipc_next_id(&nc->ipc);
	env.body_case = LOCKPROBE__ENVELOPE__BODY_NETD_SETUP;
	env.netd_setup = &setup;
	/* A fresh socket has room: this cannot block or fail for space. */
	if (ipc_send(&nc->ipc, &env) == -1)
		log_warn("sending setup to netd (pid %ld)", (long)nc->pid);
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void __attribute__((noreturn))
exec_netd(const char *path, int fd, int control_fd, int metrics_fd)
{
	static const char msg[] = "lockprobed: cannot execute lockprobe-netd\n";
	char *const argv[] = { (char *)(uintptr_t)"lockprobe-netd", NULL };
	char *const envp[] = { NULL };
	struct sigaction sa;
	sigset_t all;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	/* Move them out of the way first: any may sit on 3, 4 or 5. */
	if ((fd = fcntl(fd, F_DUPFD, IPC_METRICS_FD + 1)) == -1 ||
	    (control_fd = fcntl(control_fd, F_DUPFD, IPC_METRICS_FD + 1)) == -1 ||
	    (metrics_fd != -1 && (metrics_fd = fcntl(metrics_fd, F_DUPFD,
	    IPC_METRICS_FD + 1)) == -1) ||
	    dup2(fd, IPC_NETD_FD) == -1 ||
	    dup2(control_fd, IPC_CONTROL_FD) == -1 ||
	    (metrics_fd != -1 && dup2(metrics_fd, IPC_METRICS_FD) == -1))
		_exit(127);
	close_range(metrics_fd != -1 ? IPC_METRICS_FD + 1 : IPC_CONTROL_FD + 1,
	    ~0U, 0);
	execve(path, argv, envp);
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(127);
}

static void
schedule_restart(struct privd *pd, const char *last)
{
	struct netd_child *nc = &pd->netd;
	struct timeval tv = { 0, 0 };
	unsigned int delay;

	nc->failures++;
	delay = NETD_BACKOFF_MIN_SEC;
	if (nc->failures > 1)
		delay <<= (nc->failures - 1 > 6 ? 6 : nc->failures - 1);
	if (delay > NETD_BACKOFF_MAX_SEC)
		delay = NETD_BACKOFF_MAX_SEC;
	if (nc->failures >= NETD_CRASH_LOOP)
		log_warnx("netd is crash-looping: %u failed runs in a row, "
		    "last %s; next attempt in %u s", nc->failures, last, delay);
	else
		log_info("restarting netd in %u s (failed runs in a row: %u)",
		    delay, nc->failures);
	tv.tv_sec = delay;
	evtimer_add(nc->restart_ev, &tv);
}

int
netd_start(struct privd *pd)
{
	struct netd_child *nc = &pd->netd;
	struct passwd *pw;
	char err[512];
	int fds[2];
	pid_t pid;

	if (nc->state != NETD_STOPPED)
		return 0;
	if (netd_check_conf(&pd->conf, err, sizeof(err)) == -1 ||
	    prepare_state_dir(pd->conf.state_dir, err, sizeof(err)) == -1) {
		log_warnx("cannot start netd: %s", err);
		schedule_restart(pd, "a start-up check");
		return -1;
	}
	pw = getpwnam(pd->conf.netd_user);
	if (pw == NULL || ipc_socketpair(fds) == -1) {
		log_warn("cannot start netd: socketpair");
		schedule_restart(pd, "a start-up error");
		return -1;
	}
	nc->ipc_ev = event_new(pd->base, fds[0], EV_READ | EV_PERSIST,
	    on_netd_ipc, pd);
	if (nc->ipc_ev == NULL || event_add(nc->ipc_ev, NULL) == -1 ||
	    (pid = fork()) == -1) {
		log_warn("cannot start netd: fork");
		if (nc->ipc_ev != NULL)
			event_free(nc->ipc_ev);
		nc->ipc_ev = NULL;
		close(fds[0]);
		close(fds[1]);
		schedule_restart(pd, "a start-up error");
		return -1;
	}
	if (pid == 0)
		exec_netd(pd->conf.netd_path, fds[1], pd->control_fd,
		    pd->metrics_fd);
	close(fds[1]);

	nc->pid = pid;
	nc->starts++;
	nc->state = NETD_STARTING;
	nc->heartbeat_id = 0;
	nc->started = monotonic_ns();
	nc->last_ack = nc->started;
	ipc_init(&nc->ipc, fds[0], "netd");
	send_setup(pd, pw->pw_uid, pw->pw_gid);
	netd_reschedule_heartbeat(pd);
	log_info("started netd (pid %ld, start %u)", (long)pid, nc->starts);
	return 0;
}

static void
close_channel(struct netd_child *nc)
{
	if (nc->ipc_ev != NULL) {
		event_free(nc->ipc_ev);
		nc->ipc_ev = NULL;
	}
	if (nc->ipc.fd != -1) {
		close(nc->ipc.fd);
		nc->ipc.fd = -1;
	}
}

static const char *
describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		snprintf(buf, len, "killed by its seccomp sandbox (SIGSYS: "
		    "a forbidden system call)");
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended with status 0x%x", status);
	return buf;
}

void
netd_reaped(struct privd *pd, pid_t pid, int status)
{
	struct netd_child *nc = &pd->netd;
	char how[128];
	double ran;

	if (pid != nc->pid) {
		log_debug("reaped unknown child %ld", (long)pid);
		return;
	}
	describe_status(status, how, sizeof(how));
	ran = elapsed_sec(nc->started);
	close_channel(nc);
	event_del(nc->heartbeat_ev);
	nc->pid = -1;
	nc->state = NETD_STOPPED;
	if (pd->stopping) {
		log_info("netd (pid %ld) %s", (long)pid, how);
		return;
	}
	log_warnx("netd (pid %ld) %s after %.1f s", (long)pid, how, ran);
	if (ran >= NETD_STABLE_SEC)
		nc->failures = 0;
	schedule_restart(pd, how);
}

static void
kill_netd(struct privd *pd, const char *why)
{
	struct netd_child *nc = &pd->netd;

	log_warnx("netd (pid %ld) %s; killing it", (long)nc->pid, why);
	if (nc->pid > 0)
		kill(nc->pid, SIGKILL);
	/* The SIGCHLD handler reaps it and schedules the restart. */
	close_channel(nc);
	event_del(nc->heartbeat_ev);
}

/* Wait up to ms for pid to exit; 1 if it did. */
static int
wait_exit(pid_t pid, int ms, int *status)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int waited;

	for (waited = 0; waited < ms; waited += 10) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 1;
		nanosleep(&pause, NULL);
	}
	return 0;
}

/*
 * Shutdown and restarts on reload: stop netd now, synchronously.  Closing
 * the socket is netd's signal to exit once it has handled what was already
 * sent to it (a reload's answer, say); SIGTERM, then SIGKILL, back that up.
 */
void
netd_stop(struct privd *pd)
{
	struct netd_child *nc = &pd->netd;
	pid_t pid = nc->pid;
	int status;

	evtimer_del(nc->restart_ev);
	event_del(nc->heartbeat_ev);
	if (pid <= 0)
		return;
	close_channel(nc);
	if (!wait_exit(pid, NETD_STOP_GRACE_MS / 2, &status)) {
		kill(pid, SIGTERM);
		if (!wait_exit(pid, NETD_STOP_GRACE_MS / 2, &status)) {
			log_warnx("netd (pid %ld) did not stop within %d ms; "
			    "killing it", (long)pid, NETD_STOP_GRACE_MS);
			kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
		}
	}
	nc->pid = -1;
	nc->state = NETD_STOPPED;
	log_info("netd (pid %ld) stopped", (long)pid);
}

void
netd_restart(struct privd *pd, const char *why)
{
	log_info("restarting netd: %s", why);
	netd_stop(pd);
	pd->netd.failures = 0;
	netd_start(pd);
}

static void
on_restart(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	netd_start(arg);
}

static void
send_heartbeat(struct privd *pd)
{
	struct netd_child *nc = &pd->netd;
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__Heartbeat hb = LOCKPROBE__HEARTBEAT__INIT;

	hb.sent_usec = monotonic_ns() / 1000;
	env.id = ipc_next_id(&nc->ipc);
	env.body_case = LOCKPROBE__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	if (ipc_send(&nc->ipc, &env) == -1) {
		log_warn("sending heartbeat to netd (pid %ld)", (long)nc->pid);
		return;
	}
	nc->heartbeat_id = env.id;
}

static void
on_heartbeat(evutil_socket_t fd, short events, void *arg)
{
	struct privd *pd = arg;
	struct netd_child *nc = &pd->netd;
	char why[96];

	(void)fd;
	(void)events;
	switch (nc->state) {
	case NETD_STARTING:
		if (elapsed_sec(nc->started) > pd->conf.heartbeat_timeout) {
			snprintf(why, sizeof(why), "did not say hello within "
			    "%u s", pd->conf.heartbeat_timeout);
			kill_netd(pd, why);
		}
		break;
	case NETD_RUNNING:
		if (elapsed_sec(nc->last_ack) > pd->conf.heartbeat_timeout) {
			snprintf(why, sizeof(why), "has not answered heartbeats "
			    "for %u s", pd->conf.heartbeat_timeout);
			kill_netd(pd, why);
			break;
		}
		send_heartbeat(pd);
		break;
	case NETD_STOPPED:
		break;
	}
}

static void
send_probe(struct privd *pd)
{
	struct netd_child *nc = &pd->netd;
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__SandboxProbe probe = LOCKPROBE__SANDBOX_PROBE__INIT;

	probe.kind = nc->probe_kind;
	env.id = ipc_next_id(&nc->ipc);
	env.body_case = LOCKPROBE__ENVELOPE__BODY_SANDBOX_PROBE;
	env.sandbox_probe = &probe;
	log_info("asking netd (pid %ld) to attempt a forbidden system call",
	    (long)nc->pid);
	if (ipc_send(&nc->ipc, &env) == -1)
		log_warn("sending sandbox probe");
	nc->probe_kind = 0;
}

static void
handle_hello(struct privd *pd, const Lockprobe__Envelope *env)
{
	struct netd_child *nc = &pd->netd;
	const Lockprobe__Hello *h = env->hello;

	if (nc->state != NETD_STARTING) {
		ipc_reject(&nc->ipc, IPC_REJECT_ORDER, env, "hello twice");
		return;
	}
	if (h->protocol_version !=
	    LOCKPROBE__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT) {
		char why[96];

		snprintf(why, sizeof(why), "speaks protocol %u, lockprobed %d",
		    h->protocol_version,
		    LOCKPROBE__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT);
		kill_netd(pd, why);
		return;
	}
	if ((pid_t)h->pid != nc->pid)
		log_warnx("netd says it is pid %u, but it is pid %ld",
		    h->pid, (long)nc->pid);
	nc->state = NETD_RUNNING;
	nc->last_ack = monotonic_ns();
	log_info("netd (pid %ld) is up: protocol %u", (long)nc->pid,
	    h->protocol_version);
	if (nc->probe_kind != 0)
		send_probe(pd);
}

static void
handle_heartbeat_ack(struct privd *pd, const Lockprobe__Envelope *env)
{
	struct netd_child *nc = &pd->netd;
	uint64_t now_usec;

	if (nc->state != NETD_RUNNING || env->id == 0 ||
	    env->id != nc->heartbeat_id) {
		ipc_reject(&nc->ipc, IPC_REJECT_ORDER, env,
		    "no heartbeat with that id is outstanding");
		return;
	}
	nc->heartbeat_id = 0;
	nc->heartbeats_acked++;
	nc->last_ack = monotonic_ns();
	now_usec = nc->last_ack / 1000;
	log_debug("heartbeat %llu answered by netd (pid %ld) in %llu us",
	    (unsigned long long)env->id, (long)nc->pid,
	    (unsigned long long)(now_usec - env->heartbeat_ack->sent_usec));
}

/* netd's lines are untrusted text: bounded, printable, rate limited. */
static void
handle_log_line(struct privd *pd, const Lockprobe__Envelope *env)
{
	struct netd_child *nc = &pd->netd;
	const Lockprobe__LogLine *l = env->log_line;
	char line[sizeof("netd: ") + NETD_LOG_MAX];
	uint64_t now;
	double secs;
	int priority;
	size_t i;

	now = monotonic_ns();
	secs = (double)(now - nc->log_refill) / 1e9;
	nc->log_refill = now;
	nc->log_tokens += secs * NETD_LOG_RATE;
	if (nc->log_tokens > NETD_LOG_BURST)
		nc->log_tokens = NETD_LOG_BURST;
	if (nc->log_tokens < 1) {
		if (nc->log_dropped++ % 1000 == 0)
			log_warnx("netd is logging too fast; %llu lines "
			    "dropped", (unsigned long long)nc->log_dropped);
		return;
	}
	nc->log_tokens -= 1;

	memcpy(line, "netd: ", 6);
	for (i = 0; i < NETD_LOG_MAX && l->text[i] != '\0'; i++) {
		unsigned char c = (unsigned char)l->text[i];

		line[6 + i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	line[6 + i] = '\0';
	priority = l->priority;
	if (priority < LOG_ERR)
		priority = LOG_ERR;	/* netd cannot raise alerts */
	if (priority > LOG_DEBUG)
		priority = LOG_DEBUG;
	log_raw(priority, line);
}

static void
dispatch(struct privd *pd, Lockprobe__Envelope *env)
{
	struct netd_child *nc = &pd->netd;

	switch (env->body_case) {
	case LOCKPROBE__ENVELOPE__BODY_HELLO:
		handle_hello(pd, env);
		break;
	case LOCKPROBE__ENVELOPE__BODY_HEARTBEAT_ACK:
		handle_heartbeat_ack(pd, env);
		break;
	case LOCKPROBE__ENVELOPE__BODY_LOG_LINE:
		handle_log_line(pd, env);
		break;
	case LOCKPROBE__ENVELOPE__BODY_ERROR:
		log_warnx("netd refused request %llu: %.200s",
		    (unsigned long long)env->id, env->error->reason);
		break;
	case LOCKPROBE__ENVELOPE__BODY_STATUS_REQUEST:
	case LOCKPROBE__ENVELOPE__BODY_RELOAD_REQUEST:
	case LOCKPROBE__ENVELOPE__BODY_STATS_REQUEST:
	case LOCKPROBE__ENVELOPE__BODY_REWALK_REQUEST:
		if (nc->state != NETD_RUNNING)
			ipc_reject(&nc->ipc, IPC_REJECT_ORDER, env,
			    "requests come after hello");
		else
			control_dispatch(pd, env);
		break;
	case LOCKPROBE__ENVELOPE__BODY_CONFIG_APPLY:
		if (nc->state != NETD_RUNNING)
			ipc_reject(&nc->ipc, IPC_REJECT_ORDER, env,
			    "requests come after hello");
		else
			broker_config_apply(pd, env);
		break;
	default:
		ipc_reject(&nc->ipc, IPC_REJECT_DIRECTION, env,
		    "netd never sends this");
		break;
	}
}

static void
dispatch_cb(Lockprobe__Envelope *env, void *arg)
{
	dispatch(arg, env);
}

static void
on_netd_ipc(evutil_socket_t fd, short events, void *arg)
{
	struct privd *pd = arg;
	struct netd_child *nc = &pd->netd;

	(void)fd;
	(void)events;
	switch (ipc_drain(&nc->ipc, 64, dispatch_cb, NULL, pd)) {
	case IPC_RECV_CLOSED:
		/* It is exiting; SIGCHLD tells how. */
		log_debug("netd (pid %ld) closed its socket", (long)nc->pid);
		close_channel(nc);
		break;
	case IPC_RECV_ERROR:
		log_warn("reading from netd (pid %ld)", (long)nc->pid);
		close_channel(nc);
		break;
	default:
		break;
	}
}
