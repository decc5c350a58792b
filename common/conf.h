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
#define CONF_MAX_URL		512	/* repository-url, repository-proxy */
#define CONF_MAX_PIN		64	/* "sha256//" and 44 base64 digits */
#define CONF_MAX_TAGS		16	/* host-tags */
#define CONF_MAX_TAG		32	/* characters of one tag */
#define CONF_POLL_MIN		1	/* seconds; 1 is for tests */
#define CONF_POLL_MAX		86400
#define CONF_MAX_WORDS		40	/* in a list value (map-types) */
#define CONF_WORD_LEN		65	/* a glob of 64 characters and NUL */

/* A list value: words separated by blanks or commas. */
struct conf_words {
	unsigned int	n;
	char		w[CONF_MAX_WORDS][CONF_WORD_LEN];
};
#define CONF_MAX_LISTEN		64	/* "[IPv6]:port" */

enum sandbox_mode {
	SANDBOX_KILL = 0,	/* a call outside the allowlist kills */
	SANDBOX_TRAP = 1,	/* debugging: it fails with ENOSYS and is logged */
};

/* What a product's configuration does when fresh metadata cannot be had. */
enum conf_expiry {
	EXPIRY_KEEP = 0,	/* the last applied configuration stays */
	EXPIRY_REVERT = 1,	/* back to lockprobe.conf's settings */
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
	enum sandbox_mode	privd_seccomp;	/* lockprobed's own */
	char			asset_dir[PATH_MAX];	/* BPF objects */
	char			btf_path[PATH_MAX];	/* "" when unset */
	char			btf_dir[PATH_MAX];	/* BTF by release */
	char			control_socket[PATH_MAX];
	char			control_group[CONF_MAX_USER + 1];
	unsigned int		rewalk_interval;	/* seconds */
	unsigned int		range_budget;		/* ranges tracked */
	/* remote configuration: off while repository_url is "" */
	char			repository_url[CONF_MAX_URL + 1];
	char			trusted_root[PATH_MAX];
	char			repository_ca[PATH_MAX];	/* "": system */
	char			repository_pin[CONF_MAX_PIN + 1];
	char			repository_proxy[CONF_MAX_URL + 1];
	unsigned int		poll_interval;		/* seconds */
	unsigned int		poll_backoff_max;	/* seconds */
	struct conf_words	host_tags;
	enum conf_expiry	lockstat_expiry;
	enum conf_expiry	netd_expiry;
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
const char *conf_expiry_name(enum conf_expiry e);

/* Whether two list values hold the same words in the same order. */
int	conf_words_equal(const struct conf_words *a,
	    const struct conf_words *b);

/*
 * The address of metrics-listen, "IPv4:port" or "[IPv6]:port", numeric
 * only, into *ss; return 0, or -1 with what is wrong in err.
 */
struct sockaddr_storage;
int	conf_listen_addr(const char *s, struct sockaddr_storage *ss,
	    unsigned int *sslen, char *err, size_t errlen);

#endif
