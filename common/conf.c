/*
 * lockprobe.conf(5) parser.  Every key is a row of conf_keys[]; the parser
 * does not log, it collects every error into the caller's buffer.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "settings.h"

#define BLANKS		" \t\r"
#define SHOWN_KEY_MAX	64	/* longer first words are not quoted as keys */

enum conf_type {
	CONF_PATH,
	CONF_USER,
	CONF_UINT,
	CONF_ENUM,
	CONF_STRING,	/* checked by the row's check function */
	CONF_WORDS,
	CONF_LISTEN,
};

#define PATH_NOT_ROOT	0x01
#define PATH_OPTIONAL	0x04	/* "" means not set */
#define NAME_NOT_ROOT	0x08	/* CONF_USER */
#define PATH_NO_DOTDOT	0x02

struct conf_enum {
	const char	*name;
	int		 value;
};

struct conf_key {
	const char		*name;
	enum conf_type		 type;
	size_t			 off;
	size_t			 size;
	int			 flags;		/* CONF_PATH */
	unsigned int		 min, max;	/* CONF_UINT */
	const char		*unit;		/* CONF_UINT */
	const struct conf_enum	*enums;		/* CONF_ENUM */
	/* CONF_STRING: NULL if val is good, else what is wrong with it */
	const char		*(*check)(const char *val);
	int			(*word_valid)(const char *);	/* CONF_WORDS */
	const char		*desc;
};

enum {
	K_STATE_DIR,
	K_NETD_USER,
	K_NETD_PATH,
	K_PIDFILE,
	K_LOG_LEVEL,
	K_HB_INTERVAL,
	K_HB_TIMEOUT,
	K_NETD_SECCOMP,
	K_PRIVD_SECCOMP,
	K_ASSET_DIR,
	K_BTF_PATH,
	K_BTF_DIR,
	K_CONTROL_SOCKET,
	K_CONTROL_GROUP,
	K_REWALK_INTERVAL,
	K_RANGE_BUDGET,
	K_REPO_URL,
	K_TRUSTED_ROOT,
	K_REPO_CA,
	K_REPO_PIN,
	K_REPO_PROXY,
	K_POLL_INTERVAL,
	K_POLL_BACKOFF_MAX,
	K_HOST_TAGS,
	K_LOCKSTAT_EXPIRY,
	K_NETD_EXPIRY,
	K_COLLECTOR_ENABLED,
	K_MAP_INCLUDE,
	K_MAP_EXCLUDE,
	K_MAP_TYPES,
	K_METRICS_LISTEN,
	K_COUNT
};

#define FIELD(f)	offsetof(struct lp_conf, f), \
			sizeof(((struct lp_conf *)0)->f)

/* Enum keys are stored through an int. */
_Static_assert(sizeof(enum sandbox_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_expiry) == sizeof(int), "enum size");
_Static_assert(CONF_MAX_USER == 32, "update the netd-user description");
_Static_assert(CONF_MAX_TAGS == 16 && CONF_MAX_TAG == 32,
    "update the host-tags description");
_Static_assert(CONF_MAX_WORDS >= CONF_MAX_TAGS &&
    CONF_WORD_LEN > CONF_MAX_TAG, "conf_words too small for host-tags");
_Static_assert(CONF_MAX_WORDS >= SETTINGS_MAX_GLOBS &&
    CONF_MAX_WORDS >= SETTINGS_MAX_MAP_TYPES, "conf_words too small");
_Static_assert(CONF_WORD_LEN == SETTINGS_MAX_GLOB_LEN + 1,
    "conf_words: one glob of the longest length");

static const struct conf_enum log_levels[] = {
	{ "error",	LOG_ERR },
	{ "warning",	LOG_WARNING },
	{ "info",	LOG_INFO },
	{ "debug",	LOG_DEBUG },
	{ NULL,		0 }
};

static const struct conf_enum sandbox_modes[] = {
	{ "kill",	SANDBOX_KILL },
	{ "trap",	SANDBOX_TRAP },
	{ NULL,		0 }
};

static const struct conf_enum expiry_policies[] = {
	{ "keep",	EXPIRY_KEEP },
	{ "revert",	EXPIRY_REVERT },
	{ NULL,		0 }
};

static const char	*check_url(const char *);
static const char	*check_proxy(const char *);
static const char	*check_pin(const char *);
static int		 tag_valid(const char *);

static const struct conf_enum yes_no[] = {
	{ "yes",	1 },
	{ "no",		0 },
	{ NULL,		0 }
};

static const struct conf_key conf_keys[K_COUNT] = {
	[K_STATE_DIR] = { "state-directory", CONF_PATH, FIELD(state_dir),
	    .flags = PATH_NOT_ROOT | PATH_NO_DOTDOT,
	    .desc = "an absolute path to a directory of its own, "
	    "not / and without '..'" },
	[K_NETD_USER] = { "netd-user", CONF_USER, FIELD(netd_user),
	    .flags = NAME_NOT_ROOT,
	    .desc = "1-32 characters of a-z, 0-9, _ and -, starting with "
	    "a letter or _, optionally ending in $" },
	[K_NETD_PATH] = { "netd-path", CONF_PATH, FIELD(netd_path),
	    .desc = "the absolute path of the lockprobe-netd program" },
	[K_PIDFILE] = { "pidfile", CONF_PATH, FIELD(pidfile),
	    .desc = "the absolute path of the PID file" },
	[K_LOG_LEVEL] = { "log-level", CONF_ENUM, FIELD(log_level),
	    .enums = log_levels,
	    .desc = "the least urgent messages to log" },
	[K_HB_INTERVAL] = { "heartbeat-interval", CONF_UINT,
	    FIELD(heartbeat_interval), .min = 1, .max = 300,
	    .unit = "seconds",
	    .desc = "the seconds between two heartbeats" },
	[K_HB_TIMEOUT] = { "heartbeat-timeout", CONF_UINT,
	    FIELD(heartbeat_timeout), .min = 2, .max = 3600,
	    .unit = "seconds",
	    .desc = "the seconds without a heartbeat before netd is "
	    "considered dead" },
	[K_NETD_SECCOMP] = { "netd-seccomp", CONF_ENUM, FIELD(netd_seccomp),
	    .enums = sandbox_modes,
	    .desc = "what the seccomp filter does to a forbidden call" },
	[K_PRIVD_SECCOMP] = { "privd-seccomp", CONF_ENUM,
	    FIELD(privd_seccomp), .enums = sandbox_modes,
	    .desc = "what lockprobed's own seccomp filter does to a "
	    "forbidden call" },
	[K_ASSET_DIR] = { "asset-directory", CONF_PATH, FIELD(asset_dir),
	    .flags = PATH_NOT_ROOT,
	    .desc = "the absolute path of the directory of installed BPF "
	    "objects" },
	[K_BTF_PATH] = { "btf-path", CONF_PATH, FIELD(btf_path),
	    .flags = PATH_OPTIONAL,
	    .desc = "the absolute path of a kernel BTF file, or \"\" to "
	    "look in the usual places" },
	[K_BTF_DIR] = { "btf-directory", CONF_PATH, FIELD(btf_dir),
	    .flags = PATH_NOT_ROOT,
	    .desc = "the absolute path of a directory of BTF files named "
	    "by kernel release" },
	[K_CONTROL_SOCKET] = { "control-socket", CONF_PATH,
	    FIELD(control_socket), .flags = PATH_NOT_ROOT,
	    .desc = "the absolute path of lockprobectl's socket" },
	[K_CONTROL_GROUP] = { "control-group", CONF_USER,
	    FIELD(control_group),
	    .desc = "the group allowed to use the control socket: 1-32 "
	    "characters of a-z, 0-9, _ and -, starting with a letter or _" },
	[K_REWALK_INTERVAL] = { "rewalk-interval", CONF_UINT,
	    FIELD(rewalk_interval), .min = SETTINGS_REWALK_MIN, .max = SETTINGS_REWALK_MAX,
	    .unit = "seconds",
	    .desc = "the seconds between two walks over the host's maps" },
	[K_RANGE_BUDGET] = { "range-budget", CONF_UINT,
	    FIELD(range_budget), .min = SETTINGS_BUDGET_MIN, .max = SETTINGS_BUDGET_MAX,
	    .unit = "ranges",
	    .desc = "the most lock ranges the contention programs track" },
	[K_REPO_URL] = { "repository-url", CONF_STRING,
	    FIELD(repository_url), .check = check_url,
	    .desc = "\"\" (remote configuration off) or the http:// or "
	    "https:// URL of the TUF repository, with metadata/ and targets/ "
	    "under it" },
	[K_TRUSTED_ROOT] = { "trusted-root", CONF_PATH, FIELD(trusted_root),
	    .flags = PATH_OPTIONAL,
	    .desc = "the absolute path of the repository's initial root.json, "
	    "installed by the operator" },
	[K_REPO_CA] = { "repository-ca-file", CONF_PATH, FIELD(repository_ca),
	    .flags = PATH_OPTIONAL,
	    .desc = "\"\" for the system CA bundle, or the absolute path of "
	    "a PEM file of the CAs to trust for an https:// repository" },
	[K_REPO_PIN] = { "repository-pin", CONF_STRING,
	    FIELD(repository_pin), .check = check_pin,
	    .desc = "\"\" or sha256// and the base64 SHA-256 of the "
	    "server's public key, as curl's --pinnedpubkey takes it" },
	[K_REPO_PROXY] = { "repository-proxy", CONF_STRING,
	    FIELD(repository_proxy), .check = check_proxy,
	    .desc = "\"\" (none) or http://HOST:PORT of an HTTP proxy" },
	[K_POLL_INTERVAL] = { "poll-interval", CONF_UINT,
	    FIELD(poll_interval), .min = CONF_POLL_MIN, .max = CONF_POLL_MAX,
	    .unit = "seconds",
	    .desc = "the seconds between two polls of the repository" },
	[K_POLL_BACKOFF_MAX] = { "poll-backoff-max", CONF_UINT,
	    FIELD(poll_backoff_max), .min = CONF_POLL_MIN,
	    .max = CONF_POLL_MAX, .unit = "seconds",
	    .desc = "the longest wait between polls after failures" },
	[K_HOST_TAGS] = { "host-tags", CONF_WORDS, FIELD(host_tags),
	    .max = CONF_MAX_TAGS, .word_valid = tag_valid,
	    .desc = "up to 16 tags, each 1-32 characters of a-z, 0-9, '.', "
	    "'_' and '-', separated by commas or blanks" },
	[K_LOCKSTAT_EXPIRY] = { "lockstat-on-expiry", CONF_ENUM,
	    FIELD(lockstat_expiry), .enums = expiry_policies,
	    .desc = "what the lockstat configuration does when the "
	    "repository's metadata has expired" },
	[K_NETD_EXPIRY] = { "netd-on-expiry", CONF_ENUM,
	    FIELD(netd_expiry), .enums = expiry_policies,
	    .desc = "what netd's own remote settings do when the "
	    "repository's metadata has expired" },
	[K_COLLECTOR_ENABLED] = { "collector-enabled", CONF_ENUM,
	    FIELD(collector_enabled), .enums = yes_no,
	    .desc = "whether the contention programs count" },
	[K_MAP_INCLUDE] = { "map-include", CONF_WORDS, FIELD(map_include),
	    .max = SETTINGS_MAX_GLOBS, .word_valid = settings_glob_valid,
	    .desc = "map name globs of 1-64 characters of A-Z a-z 0-9 _ . - "
	    "* ? [ ] !, separated by commas or blanks" },
	[K_MAP_EXCLUDE] = { "map-exclude", CONF_WORDS, FIELD(map_exclude),
	    .max = SETTINGS_MAX_GLOBS, .word_valid = settings_glob_valid,
	    .desc = "map name globs of 1-64 characters of A-Z a-z 0-9 _ . - "
	    "* ? [ ] !, separated by commas or blanks" },
	[K_MAP_TYPES] = { "map-types", CONF_WORDS, FIELD(map_types),
	    .max = SETTINGS_MAX_MAP_TYPES,
	    .word_valid = settings_map_type_valid,
	    .desc = "BPF map types as bpftool names them (hash, lru_hash, "
	    "ringbuf, ...), separated by commas or blanks" },
	[K_METRICS_LISTEN] = { "metrics-listen", CONF_LISTEN,
	    FIELD(metrics_listen),
	    .desc = "a numeric address and port such as 127.0.0.1:9477 or "
	    "[::1]:9477, or \"\" for no metrics endpoint" },
};

struct conf_errs {
	const char	*name;
	char		*buf;
	size_t		 size;
	size_t		 used;
	int		 count;
};

struct conf_parse {
	struct conf_errs	 errs;
	struct lp_conf		*conf;
	size_t			 line[K_COUNT];	/* where each key was set */
	int			 bad[K_COUNT];
};

static void	errs_init(struct conf_errs *, const char *, char *, size_t);
static void	errs_vappend(struct conf_errs *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	errs_append(struct conf_errs *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	errs_vadd(struct conf_errs *, int, size_t, const char *,
		    const char *, va_list)
		    __attribute__((format(printf, 5, 0)));
static void	conf_err(struct conf_errs *, size_t, const char *,
		    const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static void	file_err(struct conf_errs *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

void
conf_defaults(struct lp_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	(void)snprintf(conf->state_dir, sizeof(conf->state_dir), "%s",
	    LOCALSTATEDIR "/lib/lockprobe");
	(void)snprintf(conf->netd_user, sizeof(conf->netd_user), "%s",
	    "_lockprobe");
	(void)snprintf(conf->netd_path, sizeof(conf->netd_path), "%s",
	    LIBEXECDIR "/lockprobe-netd");
	(void)snprintf(conf->pidfile, sizeof(conf->pidfile), "%s",
	    RUNSTATEDIR "/lockprobed.pid");
	conf->log_level = LOG_INFO;
	conf->heartbeat_interval = 5;
	conf->heartbeat_timeout = 15;
	conf->netd_seccomp = SANDBOX_KILL;
	conf->privd_seccomp = SANDBOX_KILL;
	(void)snprintf(conf->asset_dir, sizeof(conf->asset_dir), "%s",
	    BPFASSETDIR);
	conf->btf_path[0] = '\0';
	(void)snprintf(conf->btf_dir, sizeof(conf->btf_dir), "%s",
	    PKGLIBDIR "/btf");
	(void)snprintf(conf->control_socket, sizeof(conf->control_socket),
	    "%s", RUNSTATEDIR "/lockprobe.sock");
	(void)snprintf(conf->control_group, sizeof(conf->control_group),
	    "%s", "root");
	conf->rewalk_interval = 30;
	conf->range_budget = 65536;
	conf->poll_interval = 300;
	conf->poll_backoff_max = 3600;
	conf->lockstat_expiry = EXPIRY_KEEP;
	conf->netd_expiry = EXPIRY_KEEP;
	conf->collector_enabled = 1;
}

static void
errs_init(struct conf_errs *e, const char *name, char *buf, size_t size)
{
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->buf = buf;
	e->size = buf != NULL ? size : 0;
	if (e->size > 0)
		buf[0] = '\0';
}

/* Append, truncating silently when the buffer is full. */
static void
errs_vappend(struct conf_errs *e, const char *fmt, va_list ap)
{
	size_t	room;
	int	n;

	if (e->size == 0 || e->used >= e->size - 1)
		return;
	room = e->size - e->used;
	n = vsnprintf(e->buf + e->used, room, fmt, ap);
	if (n < 0)
		e->buf[e->used] = '\0';
	else if ((size_t)n >= room)
		e->used = e->size - 1;
	else
		e->used += (size_t)n;
}

static void
errs_append(struct conf_errs *e, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	errs_vappend(e, fmt, ap);
	va_end(ap);
}

static void
errs_vadd(struct conf_errs *e, int has_line, size_t line, const char *key,
    const char *fmt, va_list ap)
{
	size_t	start, i;

	e->count++;
	if (e->count > CONF_MAX_ERRORS + 1)
		return;
	if (e->count == CONF_MAX_ERRORS + 1) {
		errs_append(e, "... more errors\n");
		return;
	}
	start = e->used;
	errs_append(e, "%s:", e->name);
	if (has_line)
		errs_append(e, "%zu:", line);
	if (key != NULL)
		errs_append(e, " %s:", key);
	errs_append(e, " ");
	errs_vappend(e, fmt, ap);
	/* Values come from the file: keep control bytes off the terminal. */
	for (i = start; i < e->used; i++)
		if ((unsigned char)e->buf[i] < 0x20 || e->buf[i] == 0x7f)
			e->buf[i] = '?';
	errs_append(e, "\n");
}

static void
conf_err(struct conf_errs *e, size_t line, const char *key,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	errs_vadd(e, 1, line, key, fmt, ap);
	va_end(ap);
}

static void
file_err(struct conf_errs *e, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	errs_vadd(e, 0, 0, NULL, fmt, ap);
	va_end(ap);
}

static const char *
enum_name(const struct conf_enum *en, int value)
{
	for (; en->name != NULL; en++)
		if (en->value == value)
			return en->name;
	return "unknown";
}

const char *
conf_log_level_name(int level)
{
	return enum_name(log_levels, level);
}

const char *
conf_expiry_name(enum conf_expiry e)
{
	return enum_name(expiry_policies, (int)e);
}

static int
has_blank_or_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 1;
	return 0;
}

/* The part of an http(s) URL after the scheme, or NULL. */
static const char *
after_scheme(const char *val)
{
	if (strncmp(val, "http://", 7) == 0)
		return val + 7;
	if (strncmp(val, "https://", 8) == 0)
		return val + 8;
	return NULL;
}

static const char *
check_url(const char *val)
{
	const char	*host;

	if (val[0] == '\0')
		return NULL;
	if ((host = after_scheme(val)) == NULL)
		return "not an http:// or https:// URL";
	if (*host == '\0' || *host == '/')
		return "the URL has no host";
	if (has_blank_or_control(val))
		return "the URL contains a blank or a control character";
	if (strpbrk(val, "?#@") != NULL)
		return "the URL has a query, a fragment or a user name";
	return NULL;
}

static const char *
check_proxy(const char *val)
{
	const char	*host;

	if (val[0] == '\0')
		return NULL;
	if (strncmp(val, "http://", 7) != 0)
		return "only http:// proxies are supported";
	host = val + 7;
	if (*host == '\0' || *host == '/' || *host == ':')
		return "the proxy URL has no host";
	if (has_blank_or_control(val) || strpbrk(val, "?#@") != NULL)
		return "give only http://HOST:PORT";
	return NULL;
}

static const char *
check_pin(const char *val)
{
	static const char	b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*d;

	if (val[0] == '\0')
		return NULL;
	if (strncmp(val, "sha256//", 8) != 0)
		return "a pin starts with sha256//";
	d = val + 8;
	/* 32 bytes: 43 digits and one '=' */
	if (strlen(d) != 44 || strspn(d, b64) != 43 || d[43] != '=')
		return "not 44 characters of base64 after sha256//";
	return NULL;
}

/* One word of host-tags. */
static int
tag_valid(const char *tag)
{
	size_t	n = strlen(tag);

	return n >= 1 && n <= CONF_MAX_TAG &&
	    strspn(tag, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int
conf_words_equal(const struct conf_words *a, const struct conf_words *b)
{
	unsigned int	i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->w[i], b->w[i]) != 0)
			return 0;
	return 1;
}

static int
path_is_root(const char *path)
{
	const char	*s;
	size_t		 n;

	for (s = path; *s != '\0'; s += n) {
		s += strspn(s, "/");
		n = strcspn(s, "/");
		if (n > 1 || (n == 1 && s[0] != '.'))
			return 0;
	}
	return 1;
}

static int
path_has_dotdot(const char *path)
{
	const char	*s;
	size_t		 n;

	for (s = path; *s != '\0'; s += n) {
		s += strspn(s, "/");
		n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return 1;
	}
	return 0;
}

static int
user_is_valid(const char *s)
{
	size_t	len, i;

	len = strlen(s);
	if (len > CONF_MAX_USER)
		return 0;
	if (len > 0 && s[len - 1] == '$')
		len--;
	if (len == 0)
		return 0;
	if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

#define WORD_SEPARATORS	BLANKS ","

/* A list value: every word checked, at most k->max of them. */
static int
conf_set_words(struct conf_errs *e, size_t line, const struct conf_key *k,
    const char *val, struct conf_words *out)
{
	struct conf_words	 words;
	const char		*s;
	size_t			 n;

	memset(&words, 0, sizeof(words));
	for (s = val + strspn(val, WORD_SEPARATORS); *s != '\0';
	    s += n, s += strspn(s, WORD_SEPARATORS)) {
		n = strcspn(s, WORD_SEPARATORS);
		if (words.n == k->max) {
			conf_err(e, line, k->name, "more than %u words; list "
			    "at most %u", k->max, k->max);
			return -1;
		}
		if (n >= CONF_WORD_LEN) {
			conf_err(e, line, k->name, "'%.*s...' is longer than "
			    "%d characters; expected %s", 16, s,
			    CONF_WORD_LEN - 1, k->desc);
			return -1;
		}
		memcpy(words.w[words.n], s, n);
		words.w[words.n][n] = '\0';
		if (!k->word_valid(words.w[words.n])) {
			conf_err(e, line, k->name, "'%s' is not valid; "
			    "expected %s", words.w[words.n], k->desc);
			return -1;
		}
		words.n++;
	}
	*out = words;
	return 0;
}

int
conf_listen_addr(const char *s, struct sockaddr_storage *ss,
    unsigned int *sslen, char *err, size_t errlen)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	char			 host[CONF_MAX_LISTEN];
	const char		*colon, *port;
	size_t			 hlen;
	unsigned long		 p;

	if (strlen(s) >= CONF_MAX_LISTEN) {
		snprintf(err, errlen, "longer than %d characters",
		    CONF_MAX_LISTEN - 1);
		return -1;
	}
	if (s[0] == '[') {
		if ((colon = strstr(s, "]:")) == NULL) {
			snprintf(err, errlen, "an IPv6 address needs the form "
			    "[address]:port");
			return -1;
		}
		hlen = (size_t)(colon - s - 1);
		memcpy(host, s + 1, hlen);
		port = colon + 2;
	} else {
		if ((colon = strrchr(s, ':')) == NULL) {
			snprintf(err, errlen, "no port; add :port");
			return -1;
		}
		hlen = (size_t)(colon - s);
		memcpy(host, s, hlen);
		port = colon + 1;
	}
	host[hlen] = '\0';
	if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    strlen(port) > 5 || (p = strtoul(port, NULL, 10)) < 1 ||
	    p > 65535) {
		snprintf(err, errlen, "the port is not a number from 1 to "
		    "65535");
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	if (s[0] != '[' && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		*sslen = sizeof(*sin);
		return 0;
	}
	if (s[0] == '[' && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		*sslen = sizeof(*sin6);
		return 0;
	}
	snprintf(err, errlen, "'%s' is not a numeric IPv4 address or a "
	    "bracketed IPv6 address (names are not resolved)", host);
	return -1;
}

/* Check val against row k and store it; return -1 after reporting. */
static int
conf_set(struct conf_parse *p, size_t line, const struct conf_key *k,
    const char *val)
{
	const struct conf_enum	*en;
	struct conf_errs	*e = &p->errs;
	char			*field = (char *)p->conf + k->off;
	const char		*why;
	char			 list[128];
	unsigned long long	 ull;
	struct sockaddr_storage	 ss;
	unsigned int		 sslen;
	size_t			 len;

	len = strlen(val);
	switch (k->type) {
	case CONF_PATH:
		if (val[0] == '\0' && (k->flags & PATH_OPTIONAL)) {
			field[0] = '\0';
			return 0;
		}
		if (val[0] != '/') {
			conf_err(e, line, k->name,
			    "'%s' is not an absolute path; expected %s",
			    val, k->desc);
			return -1;
		}
		if (len >= k->size) {
			conf_err(e, line, k->name, "path is longer than %zu "
			    "characters; expected %s", k->size - 1, k->desc);
			return -1;
		}
		if ((k->flags & PATH_NOT_ROOT) && path_is_root(val)) {
			conf_err(e, line, k->name,
			    "'%s' is the root directory; expected %s",
			    val, k->desc);
			return -1;
		}
		if ((k->flags & PATH_NO_DOTDOT) && path_has_dotdot(val)) {
			conf_err(e, line, k->name,
			    "'%s' contains '..'; expected %s", val, k->desc);
			return -1;
		}
		memcpy(field, val, len + 1);
		return 0;
	case CONF_USER:
		if (!user_is_valid(val) || len >= k->size) {
			conf_err(e, line, k->name,
			    "'%s' is not a valid user name; expected %s",
			    val, k->desc);
			return -1;
		}
		if ((k->flags & NAME_NOT_ROOT) && strcmp(val, "root") == 0) {
			conf_err(e, line, k->name, "netd must not run as "
			    "root; use an unprivileged user such as "
			    "_lockprobe");
			return -1;
		}
		memcpy(field, val, len + 1);
		return 0;
	case CONF_UINT:
		/* strtoull alone would take blanks, signs and wrap "-1". */
		if (len == 0 || strspn(val, "0123456789") != len) {
			conf_err(e, line, k->name, "'%s' is not a decimal "
			    "number; expected %s, %u-%u", val, k->desc,
			    k->min, k->max);
			return -1;
		}
		errno = 0;
		ull = strtoull(val, NULL, 10);
		if (errno == ERANGE || ull < k->min || ull > k->max) {
			conf_err(e, line, k->name,
			    "'%s' is out of range (%u-%u %s)",
			    val, k->min, k->max, k->unit);
			return -1;
		}
		*(unsigned int *)(void *)field = (unsigned int)ull;
		return 0;
	case CONF_ENUM:
		list[0] = '\0';
		for (en = k->enums; en->name != NULL; en++) {
			if (strcmp(en->name, val) == 0) {
				*(int *)(void *)field = en->value;
				return 0;
			}
			len = strlen(list);
			(void)snprintf(list + len, sizeof(list) - len, "%s%s",
			    len > 0 ? ", " : "", en->name);
		}
		conf_err(e, line, k->name, "'%s' is not one of %s", val, list);
		return -1;
	case CONF_STRING:
		if (len >= k->size) {
			conf_err(e, line, k->name, "longer than %zu "
			    "characters; expected %s", k->size - 1, k->desc);
			return -1;
		}
		if ((why = k->check(val)) != NULL) {
			conf_err(e, line, k->name, "'%s': %s; expected %s",
			    val, why, k->desc);
			return -1;
		}
		memcpy(field, val, len + 1);
		return 0;
	case CONF_WORDS:
		return conf_set_words(e, line, k, val,
		    (struct conf_words *)(void *)field);
	case CONF_LISTEN:
		if (val[0] != '\0' && conf_listen_addr(val, &ss, &sslen,
		    list, sizeof(list)) == -1) {
			conf_err(e, line, k->name, "'%s': %s; expected %s",
			    val, list, k->desc);
			return -1;
		}
		memcpy(field, val, len + 1);	/* checked: shorter than k->size */
		return 0;
	}
	return -1;
}

/*
 * Copy the double-quoted value at s (on its opening quote) to out, which is
 * at least as large as s; *endp is set past the closing quote.
 */
static int
conf_unquote(struct conf_parse *p, size_t line, const char *key,
    const char *s, char *out, const char **endp)
{
	size_t	o = 0;

	for (s++; *s != '"'; s++) {
		if (*s == '\0') {
			conf_err(&p->errs, line, key, "unterminated quoted "
			    "value; add the closing \"");
			return -1;
		}
		if (*s == '\\') {
			if (s[1] == '\0')
				continue;
			if (s[1] != '"' && s[1] != '\\') {
				conf_err(&p->errs, line, key, "unknown escape "
				    "'\\%c' in quoted value; only \\\" and "
				    "\\\\ are allowed", s[1]);
				return -1;
			}
			s++;
		}
		out[o++] = *s;
	}
	out[o] = '\0';
	*endp = s + 1;
	return 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The first word of a raw line, if short enough to name it in errors. */
static void
shown_key(const char *s, size_t len, char *key, size_t keysize)
{
	size_t	i, n;

	for (i = 0; i < len && is_blank(s[i]); i++)
		;
	for (n = 0; i + n < len && s[i + n] != '\0' && s[i + n] != '#' &&
	    !is_blank(s[i + n]); n++)
		;
	if (n >= keysize)
		n = 0;
	memcpy(key, s + i, n);
	key[n] = '\0';
}

static void
conf_parse_line(struct conf_parse *p, size_t lineno, const char *s,
    size_t len)
{
	const struct conf_key	*k = NULL;
	struct conf_errs	*e = &p->errs;
	char			 line[CONF_MAX_LINE], val[CONF_MAX_LINE];
	char			 key[SHOWN_KEY_MAX + 1];
	char			*kw, *cp, c;
	const char		*rest, *after;
	size_t			 i, n;

	if (memchr(s, '\0', len) != NULL) {
		shown_key(s, len, key, sizeof(key));
		conf_err(e, lineno, key[0] != '\0' ? key : NULL,
		    "line contains a NUL byte; remove it");
		return;
	}
	if (len >= sizeof(line)) {
		shown_key(s, len, key, sizeof(key));
		conf_err(e, lineno, key[0] != '\0' ? key : NULL,
		    "line is longer than %zu characters; shorten it",
		    sizeof(line) - 1);
		return;
	}
	memcpy(line, s, len);
	line[len] = '\0';

	kw = line + strspn(line, BLANKS);
	if (*kw == '\0' || *kw == '#')
		return;
	cp = kw + strcspn(kw, BLANKS "#");
	c = *cp;
	*cp = '\0';
	rest = "";
	if (c != '\0' && c != '#') {
		rest = cp + 1 + strspn(cp + 1, BLANKS);
		if (*rest == '#')
			rest = "";
	}

	for (i = 0; i < K_COUNT; i++) {
		if (strcmp(conf_keys[i].name, kw) == 0) {
			k = &conf_keys[i];
			break;
		}
	}
	if (k == NULL) {
		conf_err(e, lineno, kw,
		    "unknown key; see lockprobe.conf(5) for the keys");
		return;
	}
	if (p->line[i] != 0) {
		conf_err(e, lineno, k->name,
		    "given twice (first on line %zu); remove one", p->line[i]);
		return;
	}
	p->line[i] = lineno;
	if (*rest == '\0') {
		conf_err(e, lineno, k->name, "missing value");
		p->bad[i] = 1;
		return;
	}

	if (*rest == '"') {
		if (conf_unquote(p, lineno, k->name, rest, val, &after) == -1) {
			p->bad[i] = 1;
			return;
		}
	} else {
		n = strcspn(rest, BLANKS "#");
		/* Also keeps conf_print's quoted output within a line. */
		if (memchr(rest, '"', n) != NULL) {
			conf_err(e, lineno, k->name, "stray '\"' in an "
			    "unquoted value; quote the whole value and write "
			    "\\\" for a quote");
			p->bad[i] = 1;
			return;
		}
		memcpy(val, rest, n);
		val[n] = '\0';
		after = rest + n;
	}
	after += strspn(after, BLANKS);
	if (*after != '\0' && *after != '#') {
		n = strcspn(after, "#");
		while (n > 0 && is_blank(after[n - 1]))
			n--;
		conf_err(e, lineno, k->name, "unexpected '%.*s' after the "
		    "value; put a value with spaces in double quotes",
		    (int)n, after);
		p->bad[i] = 1;
		return;
	}
	if (conf_set(p, lineno, k, val) == -1)
		p->bad[i] = 1;
}

/* The remote-configuration keys that only make sense together. */
static void
conf_check_remote(struct conf_parse *p)
{
	const struct lp_conf	*conf = p->conf;

	if (!p->bad[K_POLL_INTERVAL] && !p->bad[K_POLL_BACKOFF_MAX] &&
	    conf->poll_backoff_max < conf->poll_interval)
		conf_err(&p->errs, p->line[K_POLL_BACKOFF_MAX] != 0 ?
		    p->line[K_POLL_BACKOFF_MAX] : p->line[K_POLL_INTERVAL],
		    conf_keys[K_POLL_BACKOFF_MAX].name, "%u seconds is less "
		    "than poll-interval (%u seconds); raise poll-backoff-max "
		    "or lower poll-interval", conf->poll_backoff_max,
		    conf->poll_interval);
	if (conf->repository_url[0] == '\0' || p->bad[K_REPO_URL])
		return;
	if (conf->trusted_root[0] == '\0' && !p->bad[K_TRUSTED_ROOT])
		conf_err(&p->errs, p->line[K_REPO_URL],
		    conf_keys[K_TRUSTED_ROOT].name, "missing: a repository "
		    "needs the path of its initial root.json; set "
		    "trusted-root, or set repository-url \"\"");
	if (strncmp(conf->repository_url, "https://", 8) == 0 &&
	    conf->repository_proxy[0] != '\0')
		conf_err(&p->errs, p->line[K_REPO_PROXY],
		    conf_keys[K_REPO_PROXY].name, "a proxy serves http:// "
		    "repositories only (HTTPS through a proxy needs CONNECT, "
		    "which netd does not do); remove the proxy or use an "
		    "http:// repository-url");
	if (strncmp(conf->repository_url, "http://", 7) == 0 &&
	    conf->repository_pin[0] != '\0')
		conf_err(&p->errs, p->line[K_REPO_PIN],
		    conf_keys[K_REPO_PIN].name, "a pin needs an https:// "
		    "repository-url; remove the pin or use https://");
}

static void
conf_check(struct conf_parse *p)
{
	const struct lp_conf	*conf = p->conf;
	char			 from[32];

	conf_check_remote(p);
	if (p->bad[K_HB_INTERVAL] || p->bad[K_HB_TIMEOUT] ||
	    conf->heartbeat_timeout > conf->heartbeat_interval)
		return;
	if (p->line[K_HB_INTERVAL] != 0)
		(void)snprintf(from, sizeof(from), "line %zu",
		    p->line[K_HB_INTERVAL]);
	else
		(void)snprintf(from, sizeof(from), "the default");
	if (p->line[K_HB_TIMEOUT] != 0)
		conf_err(&p->errs, p->line[K_HB_TIMEOUT],
		    conf_keys[K_HB_TIMEOUT].name,
		    "%u seconds is not greater than heartbeat-interval "
		    "(%u seconds, %s); raise heartbeat-timeout or lower "
		    "heartbeat-interval", conf->heartbeat_timeout,
		    conf->heartbeat_interval, from);
	else
		conf_err(&p->errs, 0, conf_keys[K_HB_TIMEOUT].name,
		    "the default of %u seconds is not greater than "
		    "heartbeat-interval (%u seconds, %s); set "
		    "heartbeat-timeout above %u or lower heartbeat-interval",
		    conf->heartbeat_timeout, conf->heartbeat_interval, from,
		    conf->heartbeat_interval);
}

int
conf_parse_buffer(const char *name, const char *buf, size_t len,
    struct lp_conf *conf, char *err, size_t errlen)
{
	struct conf_parse	 p;
	struct lp_conf		 tmp;
	const char		*s, *nl, *next, *end;
	size_t			 lineno = 0;

	if (buf == NULL) {
		buf = "";
		len = 0;
	}
	memset(&p, 0, sizeof(p));
	errs_init(&p.errs, name, err, errlen);
	conf_defaults(&tmp);
	p.conf = &tmp;

	end = buf + len;
	for (s = buf; s < end; s = next) {
		lineno++;
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		next = nl < end ? nl + 1 : end;
		conf_parse_line(&p, lineno, s, (size_t)(nl - s));
	}
	conf_check(&p);

	if (p.errs.count > 0)
		return -1;
	*conf = tmp;
	return 0;
}

int
conf_parse_file(const char *path, struct lp_conf *conf, char *err,
    size_t errlen)
{
	struct conf_errs	 e;
	struct stat		 st;
	char			*buf = NULL;
	size_t			 len = 0;
	ssize_t			 n;
	int			 fd, rv = -1;

	errs_init(&e, path, err, errlen);
	/*
	 * No O_NOFOLLOW: configs in /etc are often symlinks.  O_NONBLOCK so
	 * that a FIFO cannot hang open(2) before fstat refuses it.
	 */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK))
	    == -1) {
		file_err(&e, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		file_err(&e, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		file_err(&e, "not a regular file");
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		file_err(&e, "writable by group or others; fix with "
		    "chmod go-w %s", path);
		goto out;
	}
	if (st.st_size > CONF_MAX_FILE_SIZE) {
		file_err(&e, "larger than %d bytes; shorten it",
		    CONF_MAX_FILE_SIZE);
		goto out;
	}
	if ((buf = malloc(CONF_MAX_FILE_SIZE + 1)) == NULL) {
		file_err(&e, "cannot read: %s", strerror(errno));
		goto out;
	}
	/* Read one byte more than allowed to notice a file still growing. */
	while (len <= CONF_MAX_FILE_SIZE) {
		n = read(fd, buf + len, CONF_MAX_FILE_SIZE + 1 - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			file_err(&e, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONF_MAX_FILE_SIZE) {
		file_err(&e, "larger than %d bytes; shorten it",
		    CONF_MAX_FILE_SIZE);
		goto out;
	}
	rv = conf_parse_buffer(path, buf, len, conf, err, errlen);
out:
	free(buf);
	close(fd);
	return rv;
}

static void
print_string(FILE *fp, const char *s)
{
	if (s[0] != '\0' && s[strcspn(s, BLANKS "#\"")] == '\0') {
		fputs(s, fp);
		return;
	}
	putc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putc('\\', fp);
		putc(*s, fp);
	}
	putc('"', fp);
}

/* Words joined by commas: one unquoted value that parses back the same. */
static void
print_words(FILE *fp, const struct conf_words *words)
{
	unsigned int i;

	if (words->n == 0)
		fputs("\"\"", fp);
	for (i = 0; i < words->n; i++)
		fprintf(fp, "%s%s", i > 0 ? "," : "", words->w[i]);
}

void
conf_print(FILE *fp, const struct lp_conf *conf)
{
	const struct conf_key	*k;
	const char		*field;
	size_t			 i;

	for (i = 0; i < K_COUNT; i++) {
		k = &conf_keys[i];
		field = (const char *)conf + k->off;
		fprintf(fp, "%s ", k->name);
		switch (k->type) {
		case CONF_PATH:
		case CONF_USER:
		case CONF_LISTEN:
		case CONF_STRING:
			print_string(fp, field);
			break;
		case CONF_UINT:
			fprintf(fp, "%u", *(const unsigned int *)(const void *)
			    field);
			break;
		case CONF_ENUM:
			fputs(enum_name(k->enums,
			    *(const int *)(const void *)field), fp);
			break;
		case CONF_WORDS:
			print_words(fp,
			    (const struct conf_words *)(const void *)field);
			break;
		}
		putc('\n', fp);
	}
}
