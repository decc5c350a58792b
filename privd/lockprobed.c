/*
 * lockprobed: the privileged parent.  It reads lockprobe.conf, starts and
 * watches lockprobe-netd, and never parses anything a remote party wrote.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "conf.h"
#include "lockprobed.h"
#include "log.h"
#include "privd_sandbox.h"

#define CONF_ERR_MAX	4096

static struct privd privd;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: lockprobed [-dnv] [-f file] "
	    "[-X open-shadow | execve | x32 | privd-ptrace | privd-mount]\n");
	exit(1);
}

/* Log each line of a multi-line error text. */
static void
log_lines(int priority, const char *text)
{
	char line[CONF_MAX_LINE + 256];
	const char *p = text, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		snprintf(line, sizeof(line), "%.*s",
		    (int)(nl ? (size_t)(nl - p) : strlen(p)), p);
		log_raw(priority, line);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/* Parse and check a configuration; on error the errors are in err. */
static int
load_conf(const char *path, struct lp_conf *conf, char *err, size_t errlen)
{
	struct lp_conf parsed;
	char why[512];

	conf_defaults(&parsed);
	if (conf_parse_file(path, &parsed, err, errlen) == -1)
		return -1;
	if (netd_check_conf(&parsed, why, sizeof(why)) == -1 ||
	    control_check_conf(&parsed, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -1;
	}
	*conf = parsed;
	return 0;
}

static void
effective_log_level(struct privd *pd)
{
	log_setlevel(pd->verbose > 0 ? LOG_DEBUG : pd->conf.log_level);
}

/*
 * Re-read the configuration (SIGHUP, lockprobectl reload).  A file with
 * errors changes nothing and the errors go to err.  *restart_netd says
 * whether netd must be restarted to take the new settings: the caller does
 * that, after answering whoever asked.
 */
int
privd_reload(struct privd *pd, const char *origin, char *err, size_t errlen,
    int *restart_netd)
{
	struct lp_conf conf;

	pd->last_reload = monotonic_ns();
	*restart_netd = 0;
	log_info("reloading %s (requested by %s)", pd->conf_path, origin);
	if (load_conf(pd->conf_path, &conf, err, errlen) == -1) {
		log_lines(LOG_WARNING, err);
		log_warnx("reload refused: %s has errors; the running "
		    "configuration stays in force", pd->conf_path);
		return -1;
	}
	if (strcmp(conf.pidfile, pd->conf.pidfile) != 0)
		log_warnx("pidfile: a new path takes effect at the next "
		    "start; still using %s", pd->conf.pidfile);
	if (strcmp(conf.control_socket, pd->conf.control_socket) != 0 ||
	    strcmp(conf.control_group, pd->conf.control_group) != 0)
		log_warnx("control-socket, control-group: changes take effect "
		    "at the next start; still using %s", pd->control_path);
	if (strcmp(conf.metrics_listen, pd->conf.metrics_listen) != 0)
		log_warnx("metrics-listen: a new address takes effect at the "
		    "next start; still using %s", pd->conf.metrics_listen[0] !=
		    '\0' ? pd->conf.metrics_listen : "none");
	if (strcmp(conf.asset_dir, pd->conf.asset_dir) != 0 ||
	    strcmp(conf.btf_path, pd->conf.btf_path) != 0 ||
	    strcmp(conf.btf_dir, pd->conf.btf_dir) != 0)
		log_warnx("asset-directory, btf-path, btf-directory: changes "
		    "take effect at the next start");
	if (conf.privd_seccomp != pd->conf.privd_seccomp)
		log_warnx("privd-seccomp: lockprobed's filter cannot be "
		    "changed while it runs; a new mode takes effect at the "
		    "next start");
	snprintf(conf.pidfile, sizeof(conf.pidfile), "%s", pd->conf.pidfile);
	conf.privd_seccomp = pd->conf.privd_seccomp;
	if (broker_reload(pd, &conf, err, errlen) == -1) {
		log_lines(LOG_WARNING, err);
		log_warnx("reload refused: the running configuration stays in "
		    "force");
		return -1;
	}
	*restart_netd = netd_conf_changed(&pd->conf, &conf);
	pd->conf = conf;
	effective_log_level(pd);
	log_info("configuration reloaded");
	if (!*restart_netd)
		netd_reschedule_heartbeat(pd);
	return 0;
}

static void
reload_on_signal(struct privd *pd)
{
	char err[CONF_ERR_MAX];
	int restart;

	if (privd_reload(pd, "SIGHUP", err, sizeof(err), &restart) == 0 &&
	    restart)
		netd_restart(pd, "its settings changed");
}

/* BTF for CO-RE: without it no BPF object can load, which status shows. */
static void
find_btf(struct privd *pd)
{
	struct btf_search search = {
		.configured = pd->conf.btf_path,
		.kernel_path = BTF_KERNEL_PATH,
		.fallback_dir = pd->conf.btf_dir,
		.release = NULL,
	};
	char err[512];

	if (assets_init(&pd->assets, pd->conf.asset_dir, &search, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	if (pd->assets.have_btf)
		log_info("BTF: %s %s (%zu KiB, found in %.1f ms)",
		    btf_origin_name(pd->assets.btf.origin),
		    pd->assets.btf.file, pd->assets.btf.size / 1024,
		    pd->assets.btf.seconds * 1e3);
	else
		log_warnx("BTF: %s", pd->assets.btf_error);
}

static void
reap_children(struct privd *pd)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		netd_reaped(pd, pid, status);
}

static void
on_signal(evutil_socket_t sig, short events, void *arg)
{
	struct privd *pd = arg;

	(void)events;
	switch (sig) {
	case SIGHUP:
		reload_on_signal(pd);
		break;
	case SIGCHLD:
		reap_children(pd);
		break;
	case SIGTERM:
	case SIGINT:
		log_info("received %s; shutting down",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
		pd->stopping = 1;
		event_base_loopbreak(pd->base);
		break;
	}
}

/* -X: a forbidden call made by netd (its kinds) or by lockprobed itself */
static void
parse_probe(const char *arg, int *netd_probe, enum privd_probe *privd_probe)
{
	if (strcmp(arg, "open-shadow") == 0)
		*netd_probe = LOCKPROBE__SANDBOX_PROBE__KIND__OPEN_SHADOW;
	else if (strcmp(arg, "execve") == 0)
		*netd_probe = LOCKPROBE__SANDBOX_PROBE__KIND__EXECVE;
	else if (strcmp(arg, "x32") == 0)
		*netd_probe = LOCKPROBE__SANDBOX_PROBE__KIND__X32_GETPID;
	else if (strcmp(arg, "privd-ptrace") == 0)
		*privd_probe = PRIVD_PROBE_PTRACE;
	else if (strcmp(arg, "privd-mount") == 0)
		*privd_probe = PRIVD_PROBE_MOUNT;
	else {
		fprintf(stderr, "lockprobed: -X %s: unknown probe; use "
		    "open-shadow, execve, x32, privd-ptrace or privd-mount\n",
		    arg);
		exit(1);
	}
}

int
main(int argc, char *argv[])
{
	static const int signals[] = { SIGHUP, SIGCHLD, SIGTERM, SIGINT };
	struct event *sigev[sizeof(signals) / sizeof(signals[0])];
	struct privd *pd = &privd;
	struct collector_settings collector;
	char err[CONF_ERR_MAX];
	enum privd_probe privd_probe = PRIVD_PROBE_NONE;
	int ch, check_only = 0, probe = 0;
	size_t i;

	pd->conf_path = SYSCONFDIR "/lockprobe.conf";
	while ((ch = getopt(argc, argv, "df:nvX:")) != -1) {
		switch (ch) {
		case 'd':
			pd->foreground = 1;
			break;
		case 'f':
			pd->conf_path = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'v':
			pd->verbose++;
			break;
		case 'X':
			parse_probe(optarg, &probe, &privd_probe);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init("lockprobed", 1, LOG_INFO);
	/* daemon() changes to "/": keep a path that SIGHUP can re-read. */
	if (pd->conf_path[0] != '/') {
		char *abs = realpath(pd->conf_path, NULL);

		if (abs == NULL) {
			fprintf(stderr, "lockprobed: %s: %s\n", pd->conf_path,
			    strerror(errno));
			return 1;
		}
		pd->conf_path = abs;
	}
	if (load_conf(pd->conf_path, &pd->conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s", err);
		if (err[0] != '\0' && err[strlen(err) - 1] != '\n')
			fputc('\n', stderr);
		fprintf(stderr, "lockprobed: %s: configuration has errors\n",
		    pd->conf_path);
		return 1;
	}
	if (check_only) {
		if (pd->verbose > 0)
			conf_print(stdout, &pd->conf);
		fprintf(stderr, "lockprobed: %s: configuration OK\n",
		    pd->conf_path);
		return 0;
	}
	if (geteuid() != 0)
		fatalx("must be started as root");

	umask(022);
	pd->started = monotonic_ns();
	pd->pidfile = pidfile_open(pd->conf.pidfile, err, sizeof(err));
	if (pd->pidfile == NULL)
		fatalx("%s", err);
	if ((pd->control_fd = control_listen(&pd->conf, err, sizeof(err))) == -1)
		fatalx("%s", err);
	_Static_assert(sizeof(pd->control_path) ==
	    sizeof(pd->conf.control_socket), "control path sizes");
	memcpy(pd->control_path, pd->conf.control_socket,
	    sizeof(pd->control_path));
	pd->metrics_fd = -1;
	if (pd->conf.metrics_listen[0] != '\0' && (pd->metrics_fd =
	    metrics_listen(&pd->conf, err, sizeof(err))) == -1)
		fatalx("%s", err);
	if (!pd->foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init("lockprobed", 0, LOG_INFO);
	}
	effective_log_level(pd);
	if (pidfile_write(pd->pidfile, getpid()) == -1)
		fatal("writing pidfile %s", pd->conf.pidfile);
	signal(SIGPIPE, SIG_IGN);

	if ((pd->base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		sigev[i] = evsignal_new(pd->base, signals[i], on_signal, pd);
		if (sigev[i] == NULL || evsignal_add(sigev[i], NULL) == -1)
			fatalx("cannot handle signal %d", signals[i]);
	}
	netd_init(pd, probe);
	log_info("lockprobed %s starting (config %s)", PACKAGE_VERSION,
	    pd->conf_path);
	find_btf(pd);
	broker_init(pd);
	broker_local(&pd->conf, &collector);
	if (collector_start(pd, &collector) == -1)
		fatalx("cannot start the collector: out of memory");
	/* from here on: the reduced capabilities and the allowlist */
	if (privd_sandbox_enter(pd->conf.privd_seccomp, err, sizeof(err)) == -1)
		fatalx("cannot enter lockprobed's sandbox: %s", err);
	if (privd_sandbox_watch(pd->base, pd->conf.privd_seccomp,
	    privd_probe) == -1)
		fatalx("cannot create the sandbox's events");
	log_info("sandbox: capabilities reduced, no_new_privs, seccomp "
	    "allowlist (%s)", pd->conf.privd_seccomp == SANDBOX_TRAP ?
	    "trap (debugging)" : "kill");
	if (netd_start(pd) == -1)
		fatalx("cannot start lockprobe-netd");

	event_base_dispatch(pd->base);

	pd->stopping = 1;
	netd_stop(pd);
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		event_free(sigev[i]);
	event_free(pd->netd.heartbeat_ev);
	event_free(pd->netd.restart_ev);
	privd_sandbox_free();
	collector_free(pd);
	event_base_free(pd->base);
	control_close(pd);
	if (pd->metrics_fd != -1)
		close(pd->metrics_fd);
	assets_free(&pd->assets);
	pidfile_remove(pd->pidfile);
	log_info("stopped");
	return 0;
}
