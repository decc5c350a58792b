/*
 * Logging for both daemons, in the manner of OpenBSD's log.c: stderr in the
 * foreground (-d), syslog otherwise, or a custom sink (netd forwards its lines
 * to lockprobed over IPC).  errno is preserved by every call.
 */
#ifndef LOCKPROBE_LOG_H
#define LOCKPROBE_LOG_H

#include <stdarg.h>
#include <syslog.h>

/* A sink receives the fully formatted line (no trailing newline). */
typedef void (*log_sink_fn)(int priority, const char *line, void *arg);

/* level is a syslog priority: lines less urgent than it are dropped. */
void	log_init(const char *procname, int foreground, int level);
void	log_procinit(const char *procname);
void	log_setlevel(int level);
int	log_getlevel(void);
void	log_setsink(log_sink_fn sink, void *arg);
void	log_foreground(int foreground);

void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_raw(int priority, const char *line);
void	vlog(int priority, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

/* Start-up only: log and exit(1). */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
