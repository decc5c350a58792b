#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_procname = PACKAGE;
static int		 log_to_stderr = 1;
static int		 log_level = LOG_INFO;
static log_sink_fn	 log_sink;
static void		*log_sink_arg;

void
log_init(const char *procname, int foreground, int level)
{
	log_procname = procname;
	log_to_stderr = foreground;
	log_level = level;
	if (!foreground)
		openlog(procname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_procinit(const char *procname)
{
	if (procname != NULL)
		log_procname = procname;
}

void
log_foreground(int foreground)
{
	if (!foreground && log_to_stderr)
		openlog(log_procname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_to_stderr = foreground;
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return log_level;
}

void
log_setsink(log_sink_fn sink, void *arg)
{
	log_sink = sink;
	log_sink_arg = arg;
}

static const char *
priority_name(int priority)
{
	switch (priority) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT:
		return "fatal";
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE: case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void
log_raw(int priority, const char *line)
{
	int saved_errno = errno;

	if (priority > log_level)
		goto out;
	if (log_sink != NULL)
		log_sink(priority, line, log_sink_arg);
	else if (log_to_stderr)
		fprintf(stderr, "%s[%d]: %s: %s\n", log_procname, (int)getpid(),
		    priority_name(priority), line);
	else
		syslog(priority, "%s", line);
out:
	errno = saved_errno;
}

void
vlog(int priority, const char *fmt, va_list ap)
{
	char line[1024];
	int saved_errno = errno;

	if (priority > log_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	log_raw(priority, line);
	errno = saved_errno;
}

static void	vlog_errno(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

static void
vlog_errno(int priority, const char *fmt, va_list ap)
{
	char line[1024];
	int saved_errno = errno;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (saved_errno != 0) {
		size_t len = strlen(line);
		snprintf(line + len, sizeof(line) - len, ": %s",
		    strerror(saved_errno));
	}
	log_raw(priority, line);
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
