/*
 * lockprobe.conf(5): the one configuration file of lockprobed.  The parser is
 * table-driven: one row per key with its type and hard bounds.
 */
#ifndef LOCKPROBE_CONF_H
#define LOCKPROBE_CONF_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#define CONF_MAX_FILE_SIZE	(64 * 1024)
#define CONF_MAX_LINE		1024
#define CONF_MAX_USER		32
#define CONF_MAX_ERRORS		20	/* then "... more errors" */
#define CONF_MAX_WORDS		40	/* in a list value (map-types) */
#define CONF_WORD_LEN		65	/* a glob of 64 characters and NUL */

/* A list value: words separated by blanks or commas. */
struct conf_words {
	unsigned int	n;
	char		w[CONF_MAX_WORDS][CONF_WORD_LEN];
};
#define CONF_MAX_LISTEN		64	/* "[IPv6]:port" */

enum sandbox_mode {
	SANDBOX_KILL = 0,	/* a call outside the allowlist kills netd */
	SANDBOX_TRAP = 1,	/* debugging: it fails with ENOSYS and is logged */
};

struct lp_conf {
	char			state_dir[PATH_MAX];
	char			netd_user[CONF_MAX_USER + 1];
	char			netd_path[PATH_MAX];
	char			pidfile[PATH_MAX];
	int			log_level;		/* syslog priority */
	unsigned int		heartbeat_interval;	/* seconds */
	unsigned int		heartbeat_timeout;	/* seconds */
	enum sandbox_mode	netd_seccomp;
	char			asset_dir[PATH_MAX];	/* BPF objects */
	char			btf_path[PATH_MAX];	/* "" when unset */
	char			btf_dir[PATH_MAX];	/* BTF by release */
	char			control_socket[PATH_MAX];
	char			control_group[CONF_MAX_USER + 1];
	unsigned int		rewalk_interval;	/* seconds */
	unsigned int		range_budget;		/* ranges tracked */
	int			collector_enabled;	/* 1 yes, 0 no */
	struct conf_words	map_include;		/* name globs */
	struct conf_words	map_exclude;
	struct conf_words	map_types;		/* as bpftool names them */
	char			metrics_listen[CONF_MAX_LISTEN]; /* "": off */
};

void	conf_defaults(struct lp_conf *conf);

/*
 * Parse a file or a buffer into *conf (which starts from the defaults).
 * Return 0, or -1 with every error found written to err, one per line, each
 * as "FILE:LINE: KEY: what is wrong; how to fix it" and ending in a newline.
 * On error *conf is left untouched.
 */
int	conf_parse_file(const char *path, struct lp_conf *conf, char *err,
	    size_t errlen);
int	conf_parse_buffer(const char *name, const char *buf, size_t len,
	    struct lp_conf *conf, char *err, size_t errlen);

/* Print the normalised configuration, every key, in file syntax. */
void	conf_print(FILE *fp, const struct lp_conf *conf);

const char *conf_log_level_name(int level);

/*
 * The address of metrics-listen, "IPv4:port" or "[IPv6]:port", numeric
 * only, into *ss; return 0, or -1 with what is wrong in err.
 */
struct sockaddr_storage;
int	conf_listen_addr(const char *s, struct sockaddr_storage *ss,
	    unsigned int *sslen, char *err, size_t errlen);

#endif
