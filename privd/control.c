/*
 * lockprobed's side of lockprobectl: it creates the control socket (netd
 * serves it, so lockprobed never parses a client's bytes) and answers the
 * status and reload requests netd relays.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "assets.h"
#include "clock.h"
#include "ipc.h"
#include "lockprobed.h"
#include "log.h"

#define CONTROL_BACKLOG		16
#define METRICS_BACKLOG		16
#define RELOAD_MIN_INTERVAL	1.0	/* seconds between relayed reloads */

int
control_check_conf(const struct lp_conf *conf, char *err, size_t errlen)
{
	struct sockaddr_un sun;

	if (getgrnam(conf->control_group) == NULL) {
		snprintf(err, errlen, "control-group %s: no such group; "
		    "create it with groupadd, or use root", conf->control_group);
		return -1;
	}
	if (strlen(conf->control_socket) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control-socket %s: longer than the %zu "
		    "bytes a socket path may have", conf->control_socket,
		    sizeof(sun.sun_path) - 1);
		return -1;
	}
	return 0;
}

int
control_listen(const struct lp_conf *conf, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct group *gr;
	struct stat st;
	mode_t old;
	int fd;

	if (control_check_conf(conf, err, errlen) == -1)
		return -1;
	gr = getgrnam(conf->control_group);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, conf->control_socket,
	    strlen(conf->control_socket) + 1);	/* length checked above */
	/* The pidfile lock says no other lockprobed runs: an old socket
	 * is a leftover, but never remove anything that is not a socket. */
	if (lstat(conf->control_socket, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "control-socket %s: exists and "
			    "is not a socket; remove it or choose another "
			    "path", conf->control_socket);
			return -1;
		}
		unlink(conf->control_socket);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(err, errlen, "control-socket %s: bind: %s",
		    conf->control_socket, strerror(errno));
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	if (chown(conf->control_socket, 0, gr->gr_gid) == -1 ||
	    chmod(conf->control_socket, 0660) == -1 ||
	    listen(fd, CONTROL_BACKLOG) == -1) {
		snprintf(err, errlen, "control-socket %s: %s",
		    conf->control_socket, strerror(errno));
		unlink(conf->control_socket);
		close(fd);
		return -1;
	}
	return fd;
}

/* The metrics endpoint's TCP socket, bound and listening, for netd to serve. */
int
metrics_listen(const struct lp_conf *conf, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	unsigned int sslen;
	char why[128];
	int fd, on = 1;

	if (conf_listen_addr(conf->metrics_listen, &ss, &sslen, why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "metrics-listen %s: %s",
		    conf->metrics_listen, why);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		snprintf(err, errlen, "metrics-listen %s: socket: %s",
		    conf->metrics_listen, strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1) ||
	    bind(fd, (struct sockaddr *)&ss, sslen) == -1 ||
	    listen(fd, METRICS_BACKLOG) == -1) {
		snprintf(err, errlen, "metrics-listen %s: %s; choose a free "
		    "port on an address of this host", conf->metrics_listen,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if ((ss.ss_family == AF_INET &&
	    (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) != 127) ||
	    (ss.ss_family == AF_INET6 &&
	    !IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr)))
		log_warnx("metrics-listen %s: not a loopback address; the "
		    "endpoint has no authentication, so firewall it",
		    conf->metrics_listen);
	return fd;
}

void
control_close(struct privd *pd)
{
	if (pd->control_fd == -1)
		return;
	close(pd->control_fd);
	pd->control_fd = -1;
	if (unlink(pd->control_path) == -1 && errno != ENOENT)
		log_warn("removing %s", pd->control_path);
}

static void
fill_ipc(Lockprobe__IpcStatus *out, const struct ipc_channel *ch)
{
	out->sent = ch->counters.sent;
	out->received = ch->counters.received;
	out->send_failed = ch->counters.send_failed;
	out->rejected = ipc_rejected_total(ch);
}

static void
answer_status(struct privd *pd, const Lockprobe__Envelope *req)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__StatusReply st = LOCKPROBE__STATUS_REPLY__INIT;
	Lockprobe__IpcStatus ipc = LOCKPROBE__IPC_STATUS__INIT;
	Lockprobe__CollectorStatus cs = LOCKPROBE__COLLECTOR_STATUS__INIT;
	Lockprobe__CalibrationStatus cal = LOCKPROBE__CALIBRATION_STATUS__INIT;
	Lockprobe__Observability obs[4], *obs_ptrs[4];
	Lockprobe__AssetStatus assets[ASSET_MAX], *asset_ptrs[ASSET_MAX];
	const struct assets *a = &pd->assets;
	size_t i;

	st.version = (char *)(uintptr_t)PACKAGE_VERSION;
	st.protocol_version =
	    LOCKPROBE__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT;
	st.privd_pid = (uint32_t)getpid();
	st.privd_uptime_sec = (uint64_t)elapsed_sec(pd->started);
	st.config_path = (char *)(uintptr_t)pd->conf_path;
	st.netd_pid = pd->netd.pid > 0 ? (uint32_t)pd->netd.pid : 0;
	st.netd_starts = pd->netd.starts;
	st.netd_failures = pd->netd.failures;
	st.heartbeats_answered = pd->netd.heartbeats_acked;
	if (a->have_btf) {
		st.btf_source = (char *)(uintptr_t)btf_origin_name(a->btf.origin);
		st.btf_file = (char *)(uintptr_t)a->btf.file;
	} else
		st.btf_error = (char *)(uintptr_t)a->btf_error;
	for (i = 0; i < a->nrecords; i++) {
		const struct asset_record *r = &a->records[i];

		lockprobe__asset_status__init(&assets[i]);
		assets[i].name = (char *)(uintptr_t)r->name;
		assets[i].last_outcome =
		    (char *)(uintptr_t)asset_outcome_name(r->last);
		assets[i].loaded = r->outcomes[ASSET_LOADED];
		assets[i].btf_not_found = r->outcomes[ASSET_BTF_NOT_FOUND];
		assets[i].read_error = r->outcomes[ASSET_READ_ERROR];
		assets[i].hash_mismatch = r->outcomes[ASSET_HASH_MISMATCH];
		assets[i].verifier_error = r->outcomes[ASSET_VERIFIER_ERROR];
		if (r->last_error[0] != '\0')
			assets[i].last_error = (char *)(uintptr_t)r->last_error;
		if (r->verifier_log[0] != '\0')
			assets[i].verifier_log =
			    (char *)(uintptr_t)r->verifier_log;
		asset_ptrs[i] = &assets[i];
	}
	st.n_assets = a->nrecords;
	st.assets = asset_ptrs;
	fill_ipc(&ipc, &pd->netd.ipc);
	st.ipc = &ipc;
	if (pd->collector != NULL) {
		collector_fill_status(pd, &cs);
		st.collector = &cs;
		collector_fill_calibration(pd, &cal);
		cal.n_classes = collector_observability(pd, obs, obs_ptrs);
		cal.classes = obs_ptrs;
		st.calibration = &cal;
	}

	env.id = req->id;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_STATUS_REPLY;
	env.status_reply = &st;
	if (ipc_send(&pd->netd.ipc, &env) == -1)
		log_warn("answering status request %llu",
		    (unsigned long long)req->id);
}

static void
answer_reload(struct privd *pd, const Lockprobe__Envelope *req)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__ReloadReply rr = LOCKPROBE__RELOAD_REPLY__INIT;
	char errors[4096];
	int restart = 0;

	if (elapsed_sec(pd->last_reload) < RELOAD_MIN_INTERVAL) {
		rr.applied = 0;
		rr.errors = (char *)(uintptr_t)"reloads are limited to one a "
		    "second; try again";
	} else if (privd_reload(pd, "lockprobectl", errors, sizeof(errors),
	    &restart) == 0) {
		rr.applied = 1;
	} else {
		rr.applied = 0;
		rr.errors = errors;
	}
	rr.netd_restarted = restart;
	env.id = req->id;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_RELOAD_REPLY;
	env.reload_reply = &rr;
	if (ipc_send(&pd->netd.ipc, &env) == -1)
		log_warn("answering reload request %llu",
		    (unsigned long long)req->id);
	/* netd relays the answer before it is replaced */
	if (restart)
		netd_restart(pd, "its settings changed");
}

void
control_dispatch(struct privd *pd, const Lockprobe__Envelope *env)
{
	switch (env->body_case) {
	case LOCKPROBE__ENVELOPE__BODY_STATUS_REQUEST:
		answer_status(pd, env);
		break;
	case LOCKPROBE__ENVELOPE__BODY_RELOAD_REQUEST:
		answer_reload(pd, env);
		break;
	case LOCKPROBE__ENVELOPE__BODY_STATS_REQUEST:
		if (pd->collector != NULL)
			collector_answer_stats(pd, env);
		break;
	case LOCKPROBE__ENVELOPE__BODY_REWALK_REQUEST:
		if (pd->collector != NULL)
			collector_answer_rewalk(pd, env);
		break;
	default:
		break;
	}
}
