/* lockprobed: the privileged parent. */
#ifndef LOCKPROBE_LOCKPROBED_H
#define LOCKPROBE_LOCKPROBED_H

#include <sys/types.h>
#include <limits.h>
#include <stdint.h>
#include <time.h>

#include "assets.h"
#include "conf.h"
#include "ipc.h"

/* netd restart policy */
#define NETD_BACKOFF_MIN_SEC	1
#define NETD_BACKOFF_MAX_SEC	60
#define NETD_STABLE_SEC		30	/* a run this long resets the back-off */
#define NETD_CRASH_LOOP		5	/* failed runs in a row that make a loop */
#define NETD_STOP_GRACE_MS	2000
/* netd's forwarded log lines: a burst, then this many a second */
#define NETD_LOG_BURST		200
#define NETD_LOG_RATE		50

enum netd_state {
	NETD_STOPPED,		/* not running; maybe a restart is scheduled */
	NETD_STARTING,		/* forked, waiting for its hello */
	NETD_RUNNING,		/* said hello, answering heartbeats */
};

/* The collector's settings: lockprobe.conf's, with the fields of a remote
 * configuration layered on top (privd/broker.c). */
struct collector_settings {
	int			enabled;
	unsigned int		rewalk_interval;	/* seconds */
	unsigned int		range_budget;		/* ranges */
	struct conf_words	include;	/* map name globs; none: all */
	struct conf_words	exclude;
	struct conf_words	map_types;	/* none: every type */
};

/* collector_settings as a message (for settings_check and status). */
struct settings_msg {
	Lockprobe__CollectorSettings	 msg;
	char				*include[CONF_MAX_WORDS];
	char				*exclude[CONF_MAX_WORDS];
	char				*map_types[CONF_MAX_WORDS];
};

#define BROKER_ORIGIN_MAX	256

/* The broker: the one way collector settings change. */
struct broker {
	struct collector_settings remote;	/* the fields a target set */
	unsigned int		 remote_fields;	/* BROKER_F_*; 0: none */
	int			 have_remote;
	char			 origin[BROKER_ORIGIN_MAX];	/* in force */
	char			 remote_origin[BROKER_ORIGIN_MAX];
	double			 tokens;	/* ConfigApply rate limit */
	uint64_t		 refill;	/* monotonic_ns() */
};

struct netd_child {
	enum netd_state		 state;
	pid_t			 pid;
	struct ipc_channel	 ipc;
	struct event		*ipc_ev;
	struct event		*heartbeat_ev;
	struct event		*restart_ev;
	uint64_t		 started;	/* monotonic_ns() */
	uint64_t		 last_ack;
	uint64_t		 heartbeat_id;	/* outstanding, 0 if none */
	uint64_t		 heartbeats_acked;
	unsigned int		 failures;	/* failed runs in a row */
	unsigned int		 starts;
	/* rate limit for forwarded log lines */
	double			 log_tokens;
	uint64_t		 log_refill;
	uint64_t		 log_dropped;
	/* lockprobed -X: one sandbox probe for the first netd */
	int			 probe_kind;
};

struct privd {
	struct event_base	*base;
	struct lp_conf		 conf;
	const char		*conf_path;
	int			 foreground;
	int			 verbose;
	uint64_t		 started;	/* monotonic_ns() */
	uint64_t		 last_reload;
	struct netd_child	 netd;
	struct pidfile		*pidfile;
	int			 control_fd;
	char			 control_path[PATH_MAX];
	int			 metrics_fd;	/* -1: no metrics endpoint */
	struct assets		 assets;
	struct collector	*collector;
	struct broker		 broker;
	int			 stopping;
};

/* privd/lockprobed.c */
int	privd_reload(struct privd *pd, const char *origin, char *err,
	    size_t errlen, int *restart_netd);

/* privd/broker.c */
void	broker_init(struct privd *pd);
void	broker_local(const struct lp_conf *conf, struct collector_settings *s);
int	broker_reload(struct privd *pd, const struct lp_conf *conf, char *err,
	    size_t errlen);
void	broker_config_apply(struct privd *pd, const Lockprobe__Envelope *req);
void	settings_msg_fill(struct settings_msg *m,
	    const struct collector_settings *s);

/* privd/collector.c */
struct collector;
int	collector_start(struct privd *pd, const struct collector_settings *s);
int	collector_apply(struct privd *pd, const struct collector_settings *s,
	    char *err, size_t errlen);
void	collector_answer_rewalk(struct privd *pd,
	    const Lockprobe__Envelope *req);
void	collector_reschedule(struct privd *pd);
void	collector_fill_status(struct privd *pd,
	    Lockprobe__CollectorStatus *cs);
void	collector_free(struct privd *pd);
size_t	collector_observability(struct privd *pd,
	    Lockprobe__Observability *obs, Lockprobe__Observability **ptrs);
void	collector_fill_calibration(struct privd *pd,
	    Lockprobe__CalibrationStatus *cs);
void	collector_answer_stats(struct privd *pd,
	    const Lockprobe__Envelope *req);

/* privd/control.c */
int	control_check_conf(const struct lp_conf *conf, char *err,
	    size_t errlen);
int	control_listen(const struct lp_conf *conf, char *err, size_t errlen);
void	control_close(struct privd *pd);
int	metrics_listen(const struct lp_conf *conf, char *err, size_t errlen);
void	control_dispatch(struct privd *pd, const Lockprobe__Envelope *env);

/* privd/netd_child.c */
int	netd_check_conf(const struct lp_conf *conf, char *err, size_t errlen);
void	netd_init(struct privd *pd, int probe_kind);
int	netd_start(struct privd *pd);
void	netd_reaped(struct privd *pd, pid_t pid, int status);
void	netd_stop(struct privd *pd);
void	netd_restart(struct privd *pd, const char *why);
void	netd_reschedule_heartbeat(struct privd *pd);
int	netd_conf_changed(const struct lp_conf *a, const struct lp_conf *b);

/* privd/pidfile.c */
struct pidfile;
struct pidfile *pidfile_open(const char *path, char *err, size_t errlen);
int	pidfile_write(struct pidfile *pf, pid_t pid);
void	pidfile_remove(struct pidfile *pf);

#endif
