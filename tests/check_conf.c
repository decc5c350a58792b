/*
 * Unit tests for the lockprobe.conf(5) parser, common/conf.c.
 */
#include "config.h"

#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "testutil.h"

#define NAME		"test.conf"
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static char	tmpdir[PATH_MAX];
static char	errbuf[16384];

static int
parse_len(const char *text, size_t len, struct lp_conf *conf)
{
	conf_defaults(conf);
	memset(errbuf, 'X', sizeof(errbuf));
	return conf_parse_buffer(NAME, text, len, conf, errbuf,
	    sizeof(errbuf));
}

static int
parse(const char *text, struct lp_conf *conf)
{
	return parse_len(text, strlen(text), conf);
}

/* Parse into *conf as it is, without resetting it first. */
static int
parse_keep(const char *text, struct lp_conf *conf)
{
	return conf_parse_buffer(NAME, text, strlen(text), conf, errbuf,
	    sizeof(errbuf));
}

static void
assert_words_eq(const struct conf_words *a, const struct conf_words *b)
{
	unsigned int	i;

	ck_assert_uint_eq(a->n, b->n);
	for (i = 0; i < a->n; i++)
		ck_assert_str_eq(a->w[i], b->w[i]);
}

static void
assert_conf_eq(const struct lp_conf *a, const struct lp_conf *b)
{
	ck_assert_str_eq(a->state_dir, b->state_dir);
	ck_assert_str_eq(a->netd_user, b->netd_user);
	ck_assert_str_eq(a->netd_path, b->netd_path);
	ck_assert_str_eq(a->pidfile, b->pidfile);
	ck_assert_int_eq(a->log_level, b->log_level);
	ck_assert_uint_eq(a->heartbeat_interval, b->heartbeat_interval);
	ck_assert_uint_eq(a->heartbeat_timeout, b->heartbeat_timeout);
	ck_assert_int_eq(a->netd_seccomp, b->netd_seccomp);
	ck_assert_int_eq(a->privd_seccomp, b->privd_seccomp);
	ck_assert_str_eq(a->asset_dir, b->asset_dir);
	ck_assert_str_eq(a->btf_path, b->btf_path);
	ck_assert_str_eq(a->btf_dir, b->btf_dir);
	ck_assert_str_eq(a->control_socket, b->control_socket);
	ck_assert_str_eq(a->control_group, b->control_group);
	ck_assert_uint_eq(a->rewalk_interval, b->rewalk_interval);
	ck_assert_uint_eq(a->range_budget, b->range_budget);
	ck_assert_str_eq(a->repository_url, b->repository_url);
	ck_assert_str_eq(a->trusted_root, b->trusted_root);
	ck_assert_str_eq(a->repository_ca, b->repository_ca);
	ck_assert_str_eq(a->repository_pin, b->repository_pin);
	ck_assert_str_eq(a->repository_proxy, b->repository_proxy);
	ck_assert_uint_eq(a->poll_interval, b->poll_interval);
	ck_assert_uint_eq(a->poll_backoff_max, b->poll_backoff_max);
	assert_words_eq(&a->host_tags, &b->host_tags);
	ck_assert_int_eq(a->lockstat_expiry, b->lockstat_expiry);
	ck_assert_int_eq(a->netd_expiry, b->netd_expiry);
	ck_assert_int_eq(a->collector_enabled, b->collector_enabled);
	assert_words_eq(&a->map_include, &b->map_include);
	assert_words_eq(&a->map_exclude, &b->map_exclude);
	assert_words_eq(&a->map_types, &b->map_types);
	ck_assert_str_eq(a->metrics_listen, b->metrics_listen);
}

static void
tmp_path(char *buf, size_t size, const char *name)
{
	int	n;

	n = snprintf(buf, size, "%s/%s", tmpdir, name);
	ck_assert(n > 0 && (size_t)n < size);
}

static void
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
}

/* A file of exactly size bytes of comment lines. */
static char *
comment_text(size_t size)
{
	char	*buf;
	size_t	 i;

	ck_assert_ptr_nonnull(buf = malloc(size));
	for (i = 0; i < size; i++)
		buf[i] = i % 64 == 63 || i == size - 1 ? '\n' : '#';
	return buf;
}

START_TEST(test_defaults)
{
	struct lp_conf	conf;

	memset(&conf, 0xa5, sizeof(conf));
	conf_defaults(&conf);
	ck_assert_str_eq(conf.state_dir, LOCALSTATEDIR "/lib/lockprobe");
	ck_assert_str_eq(conf.netd_user, "_lockprobe");
	ck_assert_str_eq(conf.netd_path, LIBEXECDIR "/lockprobe-netd");
	ck_assert_str_eq(conf.pidfile, RUNSTATEDIR "/lockprobed.pid");
	ck_assert_int_eq(conf.log_level, LOG_INFO);
	ck_assert_uint_eq(conf.heartbeat_interval, 5);
	ck_assert_uint_eq(conf.heartbeat_timeout, 15);
	ck_assert_int_eq(conf.netd_seccomp, SANDBOX_KILL);
	ck_assert_int_eq(conf.privd_seccomp, SANDBOX_KILL);
	ck_assert_str_eq(conf.asset_dir, BPFASSETDIR);
	ck_assert_str_eq(conf.btf_path, "");
	ck_assert_str_eq(conf.btf_dir, PKGLIBDIR "/btf");
	ck_assert_str_eq(conf.control_socket, RUNSTATEDIR "/lockprobe.sock");
	ck_assert_str_eq(conf.control_group, "root");
	ck_assert_uint_eq(conf.rewalk_interval, 30);
	ck_assert_uint_eq(conf.range_budget, 65536);
	ck_assert_str_eq(conf.repository_url, "");
	ck_assert_uint_eq(conf.poll_interval, 300);
	ck_assert_uint_eq(conf.poll_backoff_max, 3600);
	ck_assert_int_eq(conf.lockstat_expiry, EXPIRY_KEEP);
	ck_assert_int_eq(conf.netd_expiry, EXPIRY_KEEP);
	ck_assert_int_eq(conf.collector_enabled, 1);
	ck_assert_uint_eq(conf.map_include.n, 0);
	ck_assert_uint_eq(conf.map_exclude.n, 0);
	ck_assert_uint_eq(conf.map_types.n, 0);
}
END_TEST

START_TEST(test_remote_good)
{
	struct lp_conf	conf, other;

	ck_assert_int_eq(parse("repository-url http://127.0.0.1:8080/repo\n"
	    "trusted-root /etc/lockprobe/root.json\n"
	    "repository-proxy http://proxy:3128\n"
	    "poll-interval 1\n"
	    "poll-backoff-max 1\n"
	    "host-tags db,eu-1,a.b_c\n"
	    "lockstat-on-expiry revert\n"
	    "netd-on-expiry keep\n", &conf), 0);
	ck_assert_str_eq(errbuf, "");
	ck_assert_str_eq(conf.repository_url, "http://127.0.0.1:8080/repo");
	ck_assert_str_eq(conf.repository_proxy, "http://proxy:3128");
	ck_assert_uint_eq(conf.poll_interval, 1);
	ck_assert_int_eq(conf.lockstat_expiry, EXPIRY_REVERT);
	ck_assert_uint_eq(conf.host_tags.n, 3);
	ck_assert_str_eq(conf.host_tags.w[0], "db");
	ck_assert_str_eq(conf.host_tags.w[1], "eu-1");
	ck_assert_str_eq(conf.host_tags.w[2], "a.b_c");
	/* blanks separate tags as commas do; order counts */
	ck_assert_int_eq(parse("host-tags \" db  eu-1,\ta.b_c \"\n", &other),
	    0);
	ck_assert_int_eq(conf_words_equal(&conf.host_tags, &other.host_tags),
	    1);
	ck_assert_int_eq(parse("host-tags eu-1,db,a.b_c\n", &other), 0);
	ck_assert_int_eq(conf_words_equal(&conf.host_tags, &other.host_tags),
	    0);
	ck_assert_int_eq(parse("host-tags \"\"\n", &other), 0);
	ck_assert_uint_eq(other.host_tags.n, 0);
	ck_assert_int_eq(parse("repository-url https://r.example/\n"
	    "trusted-root /root.json\n"
	    "repository-ca-file /etc/lockprobe/ca.pem\n"
	    "repository-pin sha256//"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", &conf), 0);
	ck_assert_str_eq(conf.repository_ca, "/etc/lockprobe/ca.pem");
	ck_assert_str_eq(conf_expiry_name(EXPIRY_KEEP), "keep");
	ck_assert_str_eq(conf_expiry_name(EXPIRY_REVERT), "revert");
}
END_TEST

START_TEST(test_collector_settings)
{
	struct lp_conf	conf;
	char		text[4096];
	size_t		len, i;

	ck_assert_int_eq(parse("collector-enabled no\n"
	    "map-include \"app_* cache_?\"\n"
	    "map-exclude app_tmp[0-9],x!y\n"
	    "map-types \" hash, lru_hash ,ringbuf \"\n", &conf), 0);
	ck_assert_str_eq(errbuf, "");
	ck_assert_int_eq(conf.collector_enabled, 0);
	ck_assert_uint_eq(conf.map_include.n, 2);
	ck_assert_str_eq(conf.map_include.w[0], "app_*");
	ck_assert_str_eq(conf.map_include.w[1], "cache_?");
	ck_assert_uint_eq(conf.map_exclude.n, 2);
	ck_assert_str_eq(conf.map_exclude.w[0], "app_tmp[0-9]");
	ck_assert_str_eq(conf.map_exclude.w[1], "x!y");
	ck_assert_uint_eq(conf.map_types.n, 3);
	ck_assert_str_eq(conf.map_types.w[0], "hash");
	ck_assert_str_eq(conf.map_types.w[1], "lru_hash");
	ck_assert_str_eq(conf.map_types.w[2], "ringbuf");
	ck_assert_int_eq(parse("collector-enabled yes\nmap-include \"\"\n",
	    &conf), 0);
	ck_assert_int_eq(conf.collector_enabled, 1);
	ck_assert_uint_eq(conf.map_include.n, 0);

	/* the longest glob, and as many as settings.h allows */
	len = (size_t)snprintf(text, sizeof(text), "map-include ");
	for (i = 0; i < 32; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "%s%c%s", i ? "," : "", (char)('a' + i % 26), "*");
	(void)snprintf(text + len, sizeof(text) - len, "\n");
	ck_assert_int_eq(parse(text, &conf), 0);
	ck_assert_uint_eq(conf.map_include.n, 32);
	(void)snprintf(text, sizeof(text), "map-exclude %064d\n", 7);
	ck_assert_int_eq(parse(text, &conf), 0);
	ck_assert_uint_eq(strlen(conf.map_exclude.w[0]), 64);
}
END_TEST

START_TEST(test_optional_path)
{
	struct lp_conf	conf;

	ck_assert_int_eq(parse("btf-path /boot/vmlinux.btf\n", &conf), 0);
	ck_assert_str_eq(conf.btf_path, "/boot/vmlinux.btf");
	ck_assert_int_eq(parse("btf-path \"\"\n", &conf), 0);
	ck_assert_str_eq(conf.btf_path, "");
	/* only btf-path may be empty */
	ck_assert_int_eq(parse("asset-directory \"\"\n", &conf), -1);
	ck_assert_int_eq(parse("btf-path relative.btf\n", &conf), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "test.conf:1: btf-path: "
	    "'relative.btf' is not an absolute path"));
}
END_TEST

START_TEST(test_empty)
{
	struct lp_conf	conf, def;
	const char	*texts[] = {
		"",
		"\n\n\n",
		"# only a comment",
		"   \t\n# comment\n\t# indented comment\n\r\n",
	};
	size_t		i;

	conf_defaults(&def);
	for (i = 0; i < nitems(texts); i++) {
		ck_assert_int_eq(parse(texts[i], &conf), 0);
		ck_assert_str_eq(errbuf, "");
		assert_conf_eq(&conf, &def);
	}
	ck_assert_int_eq(conf_parse_buffer(NAME, NULL, 0, &conf, errbuf,
	    sizeof(errbuf)), 0);
	assert_conf_eq(&conf, &def);
}
END_TEST

START_TEST(test_good_full)
{
	struct lp_conf	conf;
	const char	*text =
	    "# lockprobe.conf\n"
	    "\n"
	    "state-directory /var/lib/lp	# trailing comment\n"
	    "  netd-user\t_lp-netd$\n"
	    "netd-path \"/opt/lock probe/netd\"\n"
	    "pidfile /run/lp.pid#comment right after the value\n"
	    "log-level debug\r\n"
	    "heartbeat-interval 010\n"
	    "heartbeat-timeout   3600   \n"
	    "privd-seccomp trap\n"
	    "netd-seccomp trap";

	ck_assert_int_eq(parse(text, &conf), 0);
	ck_assert_str_eq(errbuf, "");
	ck_assert_str_eq(conf.state_dir, "/var/lib/lp");
	ck_assert_str_eq(conf.netd_user, "_lp-netd$");
	ck_assert_str_eq(conf.netd_path, "/opt/lock probe/netd");
	ck_assert_str_eq(conf.pidfile, "/run/lp.pid");
	ck_assert_int_eq(conf.log_level, LOG_DEBUG);
	ck_assert_uint_eq(conf.heartbeat_interval, 10);
	ck_assert_uint_eq(conf.heartbeat_timeout, 3600);
	ck_assert_int_eq(conf.netd_seccomp, SANDBOX_TRAP);
	ck_assert_int_eq(conf.privd_seccomp, SANDBOX_TRAP);
}
END_TEST

START_TEST(test_good_values)
{
	struct lp_conf	conf;
	char		text[128];

	ck_assert_int_eq(parse("netd-path \"/a \\\"b\\\" \\\\c #d\"\n",
	    &conf), 0);
	ck_assert_str_eq(conf.netd_path, "/a \"b\" \\c #d");
	ck_assert_int_eq(parse("pidfile /run/a\\b\n", &conf), 0);
	ck_assert_str_eq(conf.pidfile, "/run/a\\b");
	ck_assert_int_eq(parse("state-directory \"/var/lib/x\"# c\n",
	    &conf), 0);
	ck_assert_str_eq(conf.state_dir, "/var/lib/x");
	ck_assert_int_eq(parse("state-directory /var/..lib/x../\n", &conf), 0);

	ck_assert_int_eq(parse("metrics-listen 127.0.0.1:9477\n", &conf), 0);
	ck_assert_str_eq(conf.metrics_listen, "127.0.0.1:9477");
	ck_assert_int_eq(parse("metrics-listen \"[::1]:65535\"\n", &conf), 0);
	ck_assert_str_eq(conf.metrics_listen, "[::1]:65535");
	ck_assert_int_eq(parse("metrics-listen \"\"\n", &conf), 0);
	ck_assert_str_eq(conf.metrics_listen, "");

	ck_assert_int_eq(parse("netd-user a\n", &conf), 0);
	ck_assert_str_eq(conf.netd_user, "a");
	ck_assert_int_eq(parse("netd-user _\n", &conf), 0);
	ck_assert_int_eq(parse("netd-user rooted\n", &conf), 0);
	(void)snprintf(text, sizeof(text), "netd-user _%030d$\n", 0);
	ck_assert_int_eq(parse(text, &conf), 0);
	ck_assert_uint_eq(strlen(conf.netd_user), CONF_MAX_USER);

	ck_assert_int_eq(parse("log-level error\n", &conf), 0);
	ck_assert_int_eq(conf.log_level, LOG_ERR);
	ck_assert_int_eq(parse("log-level warning\n", &conf), 0);
	ck_assert_int_eq(conf.log_level, LOG_WARNING);
	ck_assert_int_eq(parse("log-level info\n", &conf), 0);
	ck_assert_int_eq(conf.log_level, LOG_INFO);
	ck_assert_int_eq(parse("netd-seccomp kill\n", &conf), 0);
	ck_assert_int_eq(conf.netd_seccomp, SANDBOX_KILL);

	ck_assert_int_eq(parse("heartbeat-interval 1\n"
	    "heartbeat-timeout 2\n", &conf), 0);
	ck_assert_uint_eq(conf.heartbeat_interval, 1);
	ck_assert_uint_eq(conf.heartbeat_timeout, 2);
	ck_assert_int_eq(parse("heartbeat-interval 300\n"
	    "heartbeat-timeout 301\n", &conf), 0);
	ck_assert_uint_eq(conf.heartbeat_interval, 300);
	ck_assert_uint_eq(conf.heartbeat_timeout, 301);
	ck_assert_int_eq(parse("heartbeat-interval 14\n", &conf), 0);
}
END_TEST

#define TAGS	"up to 16 tags, each 1-32 characters of a-z, 0-9, '.', '_' " \
		"and '-', separated by commas or blanks"

static const struct {
	const char	*text;
	const char	*err;
} bad_cases[] = {
	/* Integers. */
	{ "heartbeat-interval 0\n",
	    NAME ":1: heartbeat-interval: '0' is out of range "
	    "(1-300 seconds)\n" },
	{ "# c\n\nheartbeat-interval 301\n",
	    NAME ":3: heartbeat-interval: '301' is out of range "
	    "(1-300 seconds)\n" },
	{ "heartbeat-timeout 1\n",
	    NAME ":1: heartbeat-timeout: '1' is out of range "
	    "(2-3600 seconds)\n" },
	{ "heartbeat-timeout 3601\n",
	    NAME ":1: heartbeat-timeout: '3601' is out of range "
	    "(2-3600 seconds)\n" },
	{ "heartbeat-interval 4294967301\n",
	    NAME ":1: heartbeat-interval: '4294967301' is out of range "
	    "(1-300 seconds)\n" },
	{ "heartbeat-interval 99999999999999999999999\n",
	    NAME ":1: heartbeat-interval: '99999999999999999999999' is out "
	    "of range (1-300 seconds)\n" },
	{ "heartbeat-interval -1\n",
	    NAME ":1: heartbeat-interval: '-1' is not a decimal number; "
	    "expected the seconds between two heartbeats, 1-300\n" },
	{ "heartbeat-interval +5\n",
	    NAME ":1: heartbeat-interval: '+5' is not a decimal number; "
	    "expected the seconds between two heartbeats, 1-300\n" },
	{ "heartbeat-interval 0x10\n",
	    NAME ":1: heartbeat-interval: '0x10' is not a decimal number; "
	    "expected the seconds between two heartbeats, 1-300\n" },
	{ "heartbeat-timeout 5s\n",
	    NAME ":1: heartbeat-timeout: '5s' is not a decimal number; "
	    "expected the seconds without a heartbeat before netd is "
	    "considered dead, 2-3600\n" },
	{ "heartbeat-interval \" 5\"\n",
	    NAME ":1: heartbeat-interval: ' 5' is not a decimal number; "
	    "expected the seconds between two heartbeats, 1-300\n" },
	/* Keys. */
	{ "colour blue\n",
	    NAME ":1: colour: unknown key; see lockprobe.conf(5) for the "
	    "keys\n" },
	{ "Log-Level info\n",
	    NAME ":1: Log-Level: unknown key; see lockprobe.conf(5) for the "
	    "keys\n" },
	{ "pidfile /run/a.pid\n# c\n\npidfile /run/b.pid\n",
	    NAME ":4: pidfile: given twice (first on line 1); remove one\n" },
	{ "log-level loud\n",
	    NAME ":1: log-level: 'loud' is not one of error, warning, info, "
	    "debug\n" },
	{ "log-level INFO\n",
	    NAME ":1: log-level: 'INFO' is not one of error, warning, info, "
	    "debug\n" },
	{ "netd-seccomp log\n",
	    NAME ":1: netd-seccomp: 'log' is not one of kill, trap\n" },
	{ "privd-seccomp off\n",
	    NAME ":1: privd-seccomp: 'off' is not one of kill, trap\n" },
	/* Syntax. */
	{ "\nnetd-user\n",
	    NAME ":2: netd-user: missing value\n" },
	{ "netd-user   # comment\n",
	    NAME ":1: netd-user: missing value\n" },
	{ "netd-user# comment\n",
	    NAME ":1: netd-user: missing value\n" },
	{ "pidfile /run/a.pid extra\n",
	    NAME ":1: pidfile: unexpected 'extra' after the value; put a "
	    "value with spaces in double quotes\n" },
	{ "pidfile /run/a b c   # comment\n",
	    NAME ":1: pidfile: unexpected 'b c' after the value; put a "
	    "value with spaces in double quotes\n" },
	{ "pidfile \"/run/a\"b\n",
	    NAME ":1: pidfile: unexpected 'b' after the value; put a "
	    "value with spaces in double quotes\n" },
	{ "pidfile /run/a\"b\n",
	    NAME ":1: pidfile: stray '\"' in an unquoted value; quote the "
	    "whole value and write \\\" for a quote\n" },
	{ "netd-path \"/opt/netd\n",
	    NAME ":1: netd-path: unterminated quoted value; add the closing "
	    "\"\n" },
	{ "netd-path \"/opt/netd\\\"\n",
	    NAME ":1: netd-path: unterminated quoted value; add the closing "
	    "\"\n" },
	{ "netd-path \"/opt/netd\\\n",
	    NAME ":1: netd-path: unterminated quoted value; add the closing "
	    "\"\n" },
	{ "netd-path \"/opt\\n\"\n",
	    NAME ":1: netd-path: unknown escape '\\n' in quoted value; only "
	    "\\\" and \\\\ are allowed\n" },
	/* Paths. */
	{ "state-directory var/lib/lockprobe\n",
	    NAME ":1: state-directory: 'var/lib/lockprobe' is not an absolute "
	    "path; expected an absolute path to a directory of its own, not / "
	    "and without '..'\n" },
	{ "state-directory /\n",
	    NAME ":1: state-directory: '/' is the root directory; expected an "
	    "absolute path to a directory of its own, not / and without "
	    "'..'\n" },
	{ "state-directory //./\n",
	    NAME ":1: state-directory: '//./' is the root directory; expected "
	    "an absolute path to a directory of its own, not / and without "
	    "'..'\n" },
	{ "state-directory /var/lib/../../etc\n",
	    NAME ":1: state-directory: '/var/lib/../../etc' contains '..'; "
	    "expected an absolute path to a directory of its own, not / and "
	    "without '..'\n" },
	{ "state-directory /var/lib/..\n",
	    NAME ":1: state-directory: '/var/lib/..' contains '..'; "
	    "expected an absolute path to a directory of its own, not / and "
	    "without '..'\n" },
	{ "netd-path lockprobe-netd\n",
	    NAME ":1: netd-path: 'lockprobe-netd' is not an absolute path; "
	    "expected the absolute path of the lockprobe-netd program\n" },
	{ "pidfile ./lockprobed.pid\n",
	    NAME ":1: pidfile: './lockprobed.pid' is not an absolute path; "
	    "expected the absolute path of the PID file\n" },
	{ "pidfile \"\"\n",
	    NAME ":1: pidfile: '' is not an absolute path; "
	    "expected the absolute path of the PID file\n" },
	/* User names. */
	{ "netd-user Lockprobe\n",
	    NAME ":1: netd-user: 'Lockprobe' is not a valid user name; "
	    "expected 1-32 characters of a-z, 0-9, _ and -, starting with a "
	    "letter or _, optionally ending in $\n" },
	{ "netd-user 1abc\n",
	    NAME ":1: netd-user: '1abc' is not a valid user name; "
	    "expected 1-32 characters of a-z, 0-9, _ and -, starting with a "
	    "letter or _, optionally ending in $\n" },
	{ "netd-user -abc\n",
	    NAME ":1: netd-user: '-abc' is not a valid user name; "
	    "expected 1-32 characters of a-z, 0-9, _ and -, starting with a "
	    "letter or _, optionally ending in $\n" },
	{ "netd-user a$b\n",
	    NAME ":1: netd-user: 'a$b' is not a valid user name; "
	    "expected 1-32 characters of a-z, 0-9, _ and -, starting with a "
	    "letter or _, optionally ending in $\n" },
	{ "netd-user $\n",
	    NAME ":1: netd-user: '$' is not a valid user name; "
	    "expected 1-32 characters of a-z, 0-9, _ and -, starting with a "
	    "letter or _, optionally ending in $\n" },
	{ "netd-user \"\"\n",
	    NAME ":1: netd-user: '' is not a valid user name; "
	    "expected 1-32 characters of a-z, 0-9, _ and -, starting with a "
	    "letter or _, optionally ending in $\n" },
	{ "netd-user abcdefghijklmnopqrstuvwxyz0123456\n",
	    NAME ":1: netd-user: 'abcdefghijklmnopqrstuvwxyz0123456' is not a "
	    "valid user name; expected 1-32 characters of a-z, 0-9, _ and -, "
	    "starting with a letter or _, optionally ending in $\n" },
	{ "netd-user root\n",
	    NAME ":1: netd-user: netd must not run as root; use an "
	    "unprivileged user such as _lockprobe\n" },
	/* Heartbeats. */
	{ "heartbeat-interval 10\nheartbeat-timeout 10\n",
	    NAME ":2: heartbeat-timeout: 10 seconds is not greater than "
	    "heartbeat-interval (10 seconds, line 1); raise heartbeat-timeout "
	    "or lower heartbeat-interval\n" },
	{ "heartbeat-timeout 9\n\nheartbeat-interval 10\n",
	    NAME ":1: heartbeat-timeout: 9 seconds is not greater than "
	    "heartbeat-interval (10 seconds, line 3); raise heartbeat-timeout "
	    "or lower heartbeat-interval\n" },
	{ "heartbeat-timeout 3\n",
	    NAME ":1: heartbeat-timeout: 3 seconds is not greater than "
	    "heartbeat-interval (5 seconds, the default); raise "
	    "heartbeat-timeout or lower heartbeat-interval\n" },
	{ "heartbeat-interval 20\n",
	    NAME ":0: heartbeat-timeout: the default of 15 seconds is not "
	    "greater than heartbeat-interval (20 seconds, line 1); set "
	    "heartbeat-timeout above 20 or lower heartbeat-interval\n" },
	/* Remote configuration. */
	{ "repository-url ftp://x/\n",
	    NAME ":1: repository-url: 'ftp://x/': not an http:// or https:// "
	    "URL; expected \"\" (remote configuration off) or the http:// or "
	    "https:// URL of the TUF repository, with metadata/ and targets/ "
	    "under it\n" },
	{ "repository-url https:///x\ntrusted-root /r.json\n",
	    NAME ":1: repository-url: 'https:///x': the URL has no host; "
	    "expected \"\" (remote configuration off) or the http:// or "
	    "https:// URL of the TUF repository, with metadata/ and targets/ "
	    "under it\n" },
	{ "repository-url http://x/?a=b\ntrusted-root /r.json\n",
	    NAME ":1: repository-url: 'http://x/?a=b': the URL has a query, a "
	    "fragment or a user name; expected \"\" (remote configuration "
	    "off) or the http:// or https:// URL of the TUF repository, with "
	    "metadata/ and targets/ under it\n" },
	{ "\nrepository-url http://x/\n",
	    NAME ":2: trusted-root: missing: a repository needs the path of "
	    "its initial root.json; set trusted-root, or set repository-url "
	    "\"\"\n" },
	{ "repository-url http://x/\ntrusted-root /r.json\n"
	    "repository-pin sha256//"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
	    NAME ":3: repository-pin: a pin needs an https:// repository-url; "
	    "remove the pin or use https://\n" },
	{ "repository-url https://x/\ntrusted-root /r.json\n"
	    "repository-proxy http://p:3128\n",
	    NAME ":3: repository-proxy: a proxy serves http:// repositories "
	    "only (HTTPS through a proxy needs CONNECT, which netd does not "
	    "do); remove the proxy or use an http:// repository-url\n" },
	{ "repository-pin sha1//AAAA\n",
	    NAME ":1: repository-pin: 'sha1//AAAA': a pin starts with "
	    "sha256//; expected \"\" or sha256// and the base64 SHA-256 of "
	    "the server's public key, as curl's --pinnedpubkey takes it\n" },
	{ "repository-pin sha256//AAAA\n",
	    NAME ":1: repository-pin: 'sha256//AAAA': not 44 characters of "
	    "base64 after sha256//; expected \"\" or sha256// and the base64 "
	    "SHA-256 of the server's public key, as curl's --pinnedpubkey "
	    "takes it\n" },
	{ "repository-proxy https://p:1\n",
	    NAME ":1: repository-proxy: 'https://p:1': only http:// proxies "
	    "are supported; expected \"\" (none) or http://HOST:PORT of an "
	    "HTTP proxy\n" },
	{ "poll-interval 0\n",
	    NAME ":1: poll-interval: '0' is out of range (1-86400 seconds)\n" },
	{ "poll-interval 600\npoll-backoff-max 599\n",
	    NAME ":2: poll-backoff-max: 599 seconds is less than poll-interval "
	    "(600 seconds); raise poll-backoff-max or lower poll-interval\n" },
	{ "poll-interval 7200\n",
	    NAME ":1: poll-backoff-max: 3600 seconds is less than "
	    "poll-interval (7200 seconds); raise poll-backoff-max or lower "
	    "poll-interval\n" },
	{ "host-tags db,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    NAME ":1: host-tags: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not "
	    "valid; expected " TAGS "\n" },
	{ "host-tags DB\n",
	    NAME ":1: host-tags: 'DB' is not valid; expected " TAGS "\n" },
	{ "host-tags a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n",
	    NAME ":1: host-tags: more than 16 words; list at most 16\n" },
	{ "lockstat-on-expiry drop\n",
	    NAME ":1: lockstat-on-expiry: 'drop' is not one of keep, revert\n" },
	/* Collector settings. */
	{ "collector-enabled maybe\n",
	    NAME ":1: collector-enabled: 'maybe' is not one of yes, no\n" },
	{ "map-include app/x\n",
	    NAME ":1: map-include: 'app/x' is not valid; expected map name "
	    "globs of 1-64 characters of A-Z a-z 0-9 _ . - * ? [ ] !, "
	    "separated by commas or blanks\n" },
	{ "map-exclude \"ok, b@d\"\n",
	    NAME ":1: map-exclude: 'b@d' is not valid; expected map name "
	    "globs of 1-64 characters of A-Z a-z 0-9 _ . - * ? [ ] !, "
	    "separated by commas or blanks\n" },
	{ "map-include "
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "4\n",
	    NAME ":1: map-include: '0123456789012345...' is longer than 64 "
	    "characters; expected map name globs of 1-64 characters of A-Z "
	    "a-z 0-9 _ . - * ? [ ] !, separated by commas or blanks\n" },
	{ "map-include a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,"
	    "aa,bb,cc,dd,ee,ff,gg\n",
	    NAME ":1: map-include: more than 32 words; list at most 32\n" },
	{ "map-types hash,hashmap\n",
	    NAME ":1: map-types: 'hashmap' is not valid; expected BPF map "
	    "types as bpftool names them (hash, lru_hash, ringbuf, ...), "
	    "separated by commas or blanks\n" },
	{ "map-types HASH\n",
	    NAME ":1: map-types: 'HASH' is not valid; expected BPF map "
	    "types as bpftool names them (hash, lru_hash, ringbuf, ...), "
	    "separated by commas or blanks\n" },
	{ "map-types\n",
	    NAME ":1: map-types: missing value\n" },
	/* The metrics endpoint's address. */
	{ "metrics-listen 127.0.0.1\n",
	    NAME ":1: metrics-listen: '127.0.0.1': no port; add :port; "
	    "expected a numeric address and port such as 127.0.0.1:9477 or "
	    "[::1]:9477, or \"\" for no metrics endpoint\n" },
	{ "metrics-listen 127.0.0.1:0\n",
	    NAME ":1: metrics-listen: '127.0.0.1:0': the port is not a number "
	    "from 1 to 65535; expected a numeric address and port such as "
	    "127.0.0.1:9477 or [::1]:9477, or \"\" for no metrics "
	    "endpoint\n" },
	{ "metrics-listen 127.0.0.1:65536\n",
	    NAME ":1: metrics-listen: '127.0.0.1:65536': the port is not a "
	    "number from 1 to 65535; expected a numeric address and port such "
	    "as 127.0.0.1:9477 or [::1]:9477, or \"\" for no metrics "
	    "endpoint\n" },
	{ "metrics-listen 127.0.0.1:+9\n",
	    NAME ":1: metrics-listen: '127.0.0.1:+9': the port is not a "
	    "number from 1 to 65535; expected a numeric address and port such "
	    "as 127.0.0.1:9477 or [::1]:9477, or \"\" for no metrics "
	    "endpoint\n" },
	{ "metrics-listen localhost:9477\n",
	    NAME ":1: metrics-listen: 'localhost:9477': 'localhost' is not a "
	    "numeric IPv4 address or a bracketed IPv6 address (names are not "
	    "resolved); expected a numeric address and port such as "
	    "127.0.0.1:9477 or [::1]:9477, or \"\" for no metrics "
	    "endpoint\n" },
	{ "metrics-listen ::1:9477\n",
	    NAME ":1: metrics-listen: '::1:9477': '::1' is not a numeric IPv4 "
	    "address or a bracketed IPv6 address (names are not resolved); "
	    "expected a numeric address and port such as 127.0.0.1:9477 or "
	    "[::1]:9477, or \"\" for no metrics endpoint\n" },
	{ "metrics-listen [::1]9477\n",
	    NAME ":1: metrics-listen: '[::1]9477': an IPv6 address needs the "
	    "form [address]:port; expected a numeric address and port such as "
	    "127.0.0.1:9477 or [::1]:9477, or \"\" for no metrics "
	    "endpoint\n" },
	{ "metrics-listen [127.0.0.1]:9477\n",
	    NAME ":1: metrics-listen: '[127.0.0.1]:9477': '127.0.0.1' is not "
	    "a numeric IPv4 address or a bracketed IPv6 address (names are not "
	    "resolved); expected a numeric address and port such as "
	    "127.0.0.1:9477 or [::1]:9477, or \"\" for no metrics "
	    "endpoint\n" },
	/* Control bytes are not copied to the error text. */
	{ "colour\033[2J blue\n",
	    NAME ":1: colour?[2J: unknown key; see lockprobe.conf(5) for the "
	    "keys\n" },
};

START_TEST(test_errors)
{
	struct lp_conf	conf;

	ck_assert_msg(parse(bad_cases[_i].text, &conf) == -1,
	    "accepted: %s", bad_cases[_i].text);
	ck_assert_str_eq(errbuf, bad_cases[_i].err);
}
END_TEST

START_TEST(test_nul_byte)
{
	struct lp_conf	conf;
	const char	text[] = "log-level info\npidfile /run/a\0b\n\0\n";

	ck_assert_int_eq(parse_len(text, sizeof(text) - 1, &conf), -1);
	ck_assert_str_eq(errbuf,
	    NAME ":2: pidfile: line contains a NUL byte; remove it\n"
	    NAME ":3: line contains a NUL byte; remove it\n");
}
END_TEST

START_TEST(test_line_too_long)
{
	struct lp_conf	conf;
	char		text[3 * CONF_MAX_LINE];
	size_t		n;

	/* The longest line allowed, as a comment and as a value. */
	memset(text, '#', CONF_MAX_LINE - 1);
	text[CONF_MAX_LINE - 1] = '\0';
	ck_assert_int_eq(parse(text, &conf), 0);
	n = (size_t)snprintf(text, sizeof(text), "pidfile /");
	memset(text + n, 'p', CONF_MAX_LINE - 1 - n);
	(void)snprintf(text + CONF_MAX_LINE - 1, 2, "\n");
	ck_assert_int_eq(parse(text, &conf), 0);
	ck_assert_uint_eq(strlen(conf.pidfile), CONF_MAX_LINE - 1 - 8);

	/* One more byte. */
	n = (size_t)snprintf(text, sizeof(text), "log-level info\npidfile /");
	memset(text + n, 'p', CONF_MAX_LINE - 9);
	n += CONF_MAX_LINE - 9;
	(void)snprintf(text + n, sizeof(text) - n,
	    "\n\t%0*d\nnetd-seccomp trap\n", CONF_MAX_LINE - 1, 0);
	ck_assert_int_eq(parse(text, &conf), -1);
	ck_assert_str_eq(errbuf,
	    NAME ":2: pidfile: line is longer than 1023 characters; "
	    "shorten it\n"
	    NAME ":3: line is longer than 1023 characters; shorten it\n");
}
END_TEST

START_TEST(test_several_errors)
{
	struct lp_conf	conf;
	const char	*text =
	    "heartbeat-interval 0\n"
	    "colour blue\n"
	    "pidfile /run/a.pid\n"
	    "log-level loud\n"
	    "pidfile /run/b.pid\n"
	    "netd-user\n"
	    "netd-user root\n"
	    "netd-path \"/opt/x\n"
	    "state-directory /\n"
	    "heartbeat-timeout 1\n"
	    "netd-seccomp kill # fine\n";

	ck_assert_int_eq(parse(text, &conf), -1);
	ck_assert_str_eq(errbuf,
	    NAME ":1: heartbeat-interval: '0' is out of range "
	    "(1-300 seconds)\n"
	    NAME ":2: colour: unknown key; see lockprobe.conf(5) for the "
	    "keys\n"
	    NAME ":4: log-level: 'loud' is not one of error, warning, info, "
	    "debug\n"
	    NAME ":5: pidfile: given twice (first on line 3); remove one\n"
	    NAME ":6: netd-user: missing value\n"
	    NAME ":7: netd-user: given twice (first on line 6); remove one\n"
	    NAME ":8: netd-path: unterminated quoted value; add the closing "
	    "\"\n"
	    NAME ":9: state-directory: '/' is the root directory; expected an "
	    "absolute path to a directory of its own, not / and without "
	    "'..'\n"
	    NAME ":10: heartbeat-timeout: '1' is out of range "
	    "(2-3600 seconds)\n");
}
END_TEST

START_TEST(test_error_cap)
{
	struct lp_conf	conf;
	char		text[1024], want[4096];
	size_t		tlen = 0, wlen = 0;
	int		i;

	for (i = 1; i <= CONF_MAX_ERRORS + 5; i++) {
		tlen += snprintf(text + tlen, sizeof(text) - tlen,
		    "key%d x\n", i);
		if (i <= CONF_MAX_ERRORS)
			wlen += snprintf(want + wlen, sizeof(want) - wlen,
			    NAME ":%d: key%d: unknown key; see "
			    "lockprobe.conf(5) for the keys\n", i, i);
	}
	(void)snprintf(want + wlen, sizeof(want) - wlen, "... more errors\n");
	ck_assert_int_eq(parse(text, &conf), -1);
	ck_assert_str_eq(errbuf, want);
}
END_TEST

START_TEST(test_small_err_buffer)
{
	struct lp_conf	conf;
	char		err[16];

	conf_defaults(&conf);
	memset(err, 'X', sizeof(err));
	ck_assert_int_eq(conf_parse_buffer(NAME, "colour blue\n", 12, &conf,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, NAME ":1: co");
	ck_assert_int_eq(conf_parse_buffer(NAME, "colour blue\n", 12, &conf,
	    NULL, 0), -1);
	ck_assert_int_eq(conf_parse_buffer(NAME, "colour blue\n", 12, &conf,
	    err, 0), -1);
}
END_TEST

START_TEST(test_untouched)
{
	struct lp_conf	conf, saved;

	memset(&conf, 0x5a, sizeof(conf));
	(void)snprintf(conf.pidfile, sizeof(conf.pidfile), "/before");
	saved = conf;
	ck_assert_int_eq(parse_keep("pidfile /after\nlog-level debug\n"
	    "colour blue\n", &conf), -1);
	ck_assert_mem_eq(&conf, &saved, sizeof(conf));

	ck_assert_int_eq(parse_keep("heartbeat-interval 20\n", &conf), -1);
	ck_assert_mem_eq(&conf, &saved, sizeof(conf));

	/* A good parse starts from the defaults, not from *conf. */
	ck_assert_int_eq(parse_keep("pidfile /after\n", &conf), 0);
	ck_assert_str_eq(conf.pidfile, "/after");
	ck_assert_str_eq(conf.netd_user, "_lockprobe");
	ck_assert_uint_eq(conf.heartbeat_interval, 5);
}
END_TEST

static char *
print_conf(const struct lp_conf *conf, size_t *lenp)
{
	FILE	*fp;
	char	*text = NULL;

	ck_assert_ptr_nonnull(fp = open_memstream(&text, lenp));
	conf_print(fp, conf);
	ck_assert_int_eq(fclose(fp), 0);
	return text;
}

START_TEST(test_print_roundtrip)
{
	struct lp_conf	 conf, back;
	char		*text;
	size_t		 len;

	conf_defaults(&conf);
	text = print_conf(&conf, &len);
	ck_assert_str_eq(text,
	    "state-directory " LOCALSTATEDIR "/lib/lockprobe\n"
	    "netd-user _lockprobe\n"
	    "netd-path " LIBEXECDIR "/lockprobe-netd\n"
	    "pidfile " RUNSTATEDIR "/lockprobed.pid\n"
	    "log-level info\n"
	    "heartbeat-interval 5\n"
	    "heartbeat-timeout 15\n"
	    "netd-seccomp kill\n"
	    "privd-seccomp kill\n"
	    "asset-directory " BPFASSETDIR "\n"
	    "btf-path \"\"\n"
	    "btf-directory " PKGLIBDIR "/btf\n"
	    "control-socket " RUNSTATEDIR "/lockprobe.sock\n"
	    "control-group root\n"
	    "rewalk-interval 30\n"
	    "range-budget 65536\n"
	    "repository-url \"\"\n"
	    "trusted-root \"\"\n"
	    "repository-ca-file \"\"\n"
	    "repository-pin \"\"\n"
	    "repository-proxy \"\"\n"
	    "poll-interval 300\n"
	    "poll-backoff-max 3600\n"
	    "host-tags \"\"\n"
	    "lockstat-on-expiry keep\n"
	    "netd-on-expiry keep\n"
	    "collector-enabled yes\n"
	    "map-include \"\"\n"
	    "map-exclude \"\"\n"
	    "map-types \"\"\n"
	    "metrics-listen \"\"\n");
	ck_assert_int_eq(conf_parse_buffer(NAME, text, len, &back, errbuf,
	    sizeof(errbuf)), 0);
	assert_conf_eq(&back, &conf);
	free(text);

	(void)snprintf(conf.state_dir, sizeof(conf.state_dir),
	    "/var/lib/lock probe #1");
	(void)snprintf(conf.netd_user, sizeof(conf.netd_user), "lp-netd$");
	(void)snprintf(conf.netd_path, sizeof(conf.netd_path),
	    "/opt/\"q\"\\x\tnetd");
	(void)snprintf(conf.pidfile, sizeof(conf.pidfile), "/run/a\\b.pid");
	conf.log_level = LOG_WARNING;
	conf.heartbeat_interval = 299;
	conf.heartbeat_timeout = 300;
	conf.netd_seccomp = SANDBOX_TRAP;
	conf.privd_seccomp = SANDBOX_TRAP;
	(void)snprintf(conf.btf_path, sizeof(conf.btf_path), "/b.btf");
	(void)snprintf(conf.repository_url, sizeof(conf.repository_url),
	    "https://repo.example/lockprobe/");
	(void)snprintf(conf.trusted_root, sizeof(conf.trusted_root),
	    "/etc/lockprobe/root.json");
	conf.host_tags.n = 2;
	(void)snprintf(conf.host_tags.w[0], CONF_WORD_LEN, "db");
	(void)snprintf(conf.host_tags.w[1], CONF_WORD_LEN, "eu-1");
	conf.poll_interval = 60;
	conf.lockstat_expiry = EXPIRY_REVERT;
	conf.collector_enabled = 0;
	conf.map_include.n = 2;
	(void)snprintf(conf.map_include.w[0], CONF_WORD_LEN, "app_*");
	(void)snprintf(conf.map_include.w[1], CONF_WORD_LEN, "[a-c]?x");
	conf.map_types.n = 2;
	(void)snprintf(conf.map_types.w[0], CONF_WORD_LEN, "hash");
	(void)snprintf(conf.map_types.w[1], CONF_WORD_LEN, "ringbuf");
	(void)snprintf(conf.metrics_listen, sizeof(conf.metrics_listen),
	    "[::1]:9477");
	text = print_conf(&conf, &len);
	ck_assert_str_eq(text,
	    "state-directory \"/var/lib/lock probe #1\"\n"
	    "netd-user lp-netd$\n"
	    "netd-path \"/opt/\\\"q\\\"\\\\x\tnetd\"\n"
	    "pidfile /run/a\\b.pid\n"
	    "log-level warning\n"
	    "heartbeat-interval 299\n"
	    "heartbeat-timeout 300\n"
	    "netd-seccomp trap\n"
	    "privd-seccomp trap\n"
	    "asset-directory " BPFASSETDIR "\n"
	    "btf-path /b.btf\n"
	    "btf-directory " PKGLIBDIR "/btf\n"
	    "control-socket " RUNSTATEDIR "/lockprobe.sock\n"
	    "control-group root\n"
	    "rewalk-interval 30\n"
	    "range-budget 65536\n"
	    "repository-url https://repo.example/lockprobe/\n"
	    "trusted-root /etc/lockprobe/root.json\n"
	    "repository-ca-file \"\"\n"
	    "repository-pin \"\"\n"
	    "repository-proxy \"\"\n"
	    "poll-interval 60\n"
	    "poll-backoff-max 3600\n"
	    "host-tags db,eu-1\n"
	    "lockstat-on-expiry revert\n"
	    "netd-on-expiry keep\n"
	    "collector-enabled no\n"
	    "map-include app_*,[a-c]?x\n"
	    "map-exclude \"\"\n"
	    "map-types hash,ringbuf\n"
	    "metrics-listen [::1]:9477\n");
	memset(&back, 0, sizeof(back));
	ck_assert_int_eq(conf_parse_buffer(NAME, text, len, &back, errbuf,
	    sizeof(errbuf)), 0);
	assert_conf_eq(&back, &conf);
	free(text);

	conf.log_level = LOG_ERR;
	text = print_conf(&conf, &len);
	ck_assert_int_eq(conf_parse_buffer(NAME, text, len, &back, errbuf,
	    sizeof(errbuf)), 0);
	assert_conf_eq(&back, &conf);
	free(text);
}
END_TEST

START_TEST(test_log_level_name)
{
	ck_assert_str_eq(conf_log_level_name(LOG_ERR), "error");
	ck_assert_str_eq(conf_log_level_name(LOG_WARNING), "warning");
	ck_assert_str_eq(conf_log_level_name(LOG_INFO), "info");
	ck_assert_str_eq(conf_log_level_name(LOG_DEBUG), "debug");
	ck_assert_str_eq(conf_log_level_name(LOG_NOTICE), "unknown");
}
END_TEST

START_TEST(test_file_good)
{
	struct lp_conf	 conf;
	char		 path[PATH_MAX + 64], link[PATH_MAX + 64];
	char		*big;
	const char	*text = "log-level debug\nnetd-seccomp trap\n";

	tmp_path(path, sizeof(path), "good.conf");
	write_file(path, text, strlen(text), 0644);
	conf_defaults(&conf);
	ck_assert_int_eq(conf_parse_file(path, &conf, errbuf, sizeof(errbuf)),
	    0);
	ck_assert_str_eq(errbuf, "");
	ck_assert_int_eq(conf.log_level, LOG_DEBUG);
	ck_assert_int_eq(conf.netd_seccomp, SANDBOX_TRAP);

	/* Symbolic links are followed. */
	tmp_path(link, sizeof(link), "link.conf");
	ck_assert_int_eq(symlink(path, link), 0);
	conf_defaults(&conf);
	ck_assert_int_eq(conf_parse_file(link, &conf, errbuf, sizeof(errbuf)),
	    0);
	ck_assert_int_eq(conf.log_level, LOG_DEBUG);

	/* Read-only for everyone is fine, and so is the largest size. */
	tmp_path(path, sizeof(path), "max.conf");
	big = comment_text(CONF_MAX_FILE_SIZE);
	write_file(path, big, CONF_MAX_FILE_SIZE, 0444);
	free(big);
	ck_assert_int_eq(conf_parse_file(path, &conf, errbuf, sizeof(errbuf)),
	    0);
}
END_TEST

START_TEST(test_file_errors_named)
{
	struct lp_conf	conf, saved;
	char		path[PATH_MAX + 64], want[2 * PATH_MAX];
	const char	*text = "# c\nheartbeat-interval 0\n";

	tmp_path(path, sizeof(path), "bad.conf");
	write_file(path, text, strlen(text), 0600);
	conf_defaults(&conf);
	saved = conf;
	ck_assert_int_eq(conf_parse_file(path, &conf, errbuf, sizeof(errbuf)),
	    -1);
	(void)snprintf(want, sizeof(want), "%s:2: heartbeat-interval: '0' is "
	    "out of range (1-300 seconds)\n", path);
	ck_assert_str_eq(errbuf, want);
	ck_assert_mem_eq(&conf, &saved, sizeof(conf));
}
END_TEST

START_TEST(test_file_missing)
{
	struct lp_conf	conf;
	char		path[PATH_MAX + 64], want[2 * PATH_MAX];

	tmp_path(path, sizeof(path), "missing.conf");
	ck_assert_int_eq(conf_parse_file(path, &conf, errbuf, sizeof(errbuf)),
	    -1);
	(void)snprintf(want, sizeof(want), "%s: cannot open: %s\n", path,
	    strerror(ENOENT));
	ck_assert_str_eq(errbuf, want);
}
END_TEST

START_TEST(test_file_not_regular)
{
	struct lp_conf	conf;
	char		path[PATH_MAX + 64], want[2 * PATH_MAX];

	tmp_path(path, sizeof(path), "dir.conf");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(conf_parse_file(path, &conf, errbuf, sizeof(errbuf)),
	    -1);
	(void)snprintf(want, sizeof(want), "%s: not a regular file\n", path);
	ck_assert_str_eq(errbuf, want);

	/* A FIFO without a writer must not hang open(2). */
	tmp_path(path, sizeof(path), "fifo.conf");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(conf_parse_file(path, &conf, errbuf, sizeof(errbuf)),
	    -1);
	(void)snprintf(want, sizeof(want), "%s: not a regular file\n", path);
	ck_assert_str_eq(errbuf, want);
}
END_TEST

START_TEST(test_file_writable)
{
	struct lp_conf	 conf;
	char		 path[PATH_MAX + 64], want[3 * PATH_MAX];
	const char	*text = "log-level debug\n";
	const mode_t	 modes[] = { 0664, 0646, 0620, 0602 };
	size_t		 i;

	tmp_path(path, sizeof(path), "writable.conf");
	(void)snprintf(want, sizeof(want), "%s: writable by group or others; "
	    "fix with chmod go-w %s\n", path, path);
	for (i = 0; i < nitems(modes); i++) {
		write_file(path, text, strlen(text), modes[i]);
		conf_defaults(&conf);
		ck_assert_int_eq(conf_parse_file(path, &conf, errbuf,
		    sizeof(errbuf)), -1);
		ck_assert_str_eq(errbuf, want);
		ck_assert_int_eq(conf.log_level, LOG_INFO);
	}
}
END_TEST

START_TEST(test_file_oversize)
{
	struct lp_conf	 conf;
	char		 path[PATH_MAX + 64], want[2 * PATH_MAX];
	char		*big;

	tmp_path(path, sizeof(path), "big.conf");
	big = comment_text(CONF_MAX_FILE_SIZE + 1);
	write_file(path, big, CONF_MAX_FILE_SIZE + 1, 0644);
	free(big);
	ck_assert_int_eq(conf_parse_file(path, &conf, errbuf, sizeof(errbuf)),
	    -1);
	(void)snprintf(want, sizeof(want), "%s: larger than %d bytes; "
	    "shorten it\n", path, CONF_MAX_FILE_SIZE);
	ck_assert_str_eq(errbuf, want);
}
END_TEST

static void
rm_tmpdir(void)
{
	DIR		*dir;
	struct dirent	*de;
	char		 path[PATH_MAX + 256];

	if ((dir = opendir(tmpdir)) == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", tmpdir,
		    de->d_name) >= (int)sizeof(path))
			continue;
		if (unlink(path) == -1 && errno == EISDIR)
			(void)rmdir(path);
	}
	closedir(dir);
	(void)rmdir(tmpdir);
}

static Suite *
conf_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("conf");

	tc = tcase_create("parse");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_optional_path);
	tcase_add_test(tc, test_remote_good);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_good_full);
	tcase_add_test(tc, test_good_values);
	tcase_add_test(tc, test_collector_settings);
	tcase_add_loop_test(tc, test_errors, 0, nitems(bad_cases));
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_line_too_long);
	tcase_add_test(tc, test_several_errors);
	tcase_add_test(tc, test_error_cap);
	tcase_add_test(tc, test_small_err_buffer);
	tcase_add_test(tc, test_untouched);
	tcase_add_test(tc, test_print_roundtrip);
	tcase_add_test(tc, test_log_level_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_test(tc, test_file_good);
	tcase_add_test(tc, test_file_errors_named);
	tcase_add_test(tc, test_file_missing);
	tcase_add_test(tc, test_file_not_regular);
	tcase_add_test(tc, test_file_writable);
	tcase_add_test(tc, test_file_oversize);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	const char	*base;
	int		 failed;

	if ((base = getenv("TMPDIR")) == NULL || *base == '\0')
		base = "/tmp";
	if (snprintf(tmpdir, sizeof(tmpdir), "%s/check_conf.XXXXXX", base) >=
	    (int)sizeof(tmpdir) || mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}

	failed = test_run_suite(conf_suite());
	rm_tmpdir();
	return failed;
}
