/*
 * Installing a process's seccomp allowlist with libseccomp.  Each process
 * keeps its own table of rules (netd/netd_sandbox.c, privd/privd_sandbox.c);
 * this file turns a table into a filter and provides the trap mode used to
 * maintain tables.
 */
#ifndef LOCKPROBE_SECCOMP_FILTER_H
#define LOCKPROBE_SECCOMP_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include <seccomp.h>

#include "conf.h"

#define SECCOMP_RULE_MAX_ARGS	3

struct seccomp_rule {
	int			 nr;		/* system call number */
	const char		*name;
	int			 errno_value;	/* 0: allow; else fail with it */
	unsigned int		 nargs;
	struct scmp_arg_cmp	 args[SECCOMP_RULE_MAX_ARGS];
};

#define SC_ALLOW(call) \
	{ .nr = SCMP_SYS(call), .name = #call }
#define SC_ERRNO(call, e) \
	{ .nr = SCMP_SYS(call), .name = #call, .errno_value = (e) }
/* Allowed only when argument n equals v. */
#define SC_ALLOW_ARG_EQ(call, n, v) \
	{ .nr = SCMP_SYS(call), .name = #call, .nargs = 1, \
	  .args = { { .arg = (n), .op = SCMP_CMP_EQ, .datum_a = (v) } } }
/* Allowed only when argument n equals v and (argument m & mask) == w. */
#define SC_ALLOW_ARG_EQ_MASKED(call, n, v, m, mask, w) \
	{ .nr = SCMP_SYS(call), .name = #call, .nargs = 2, \
	  .args = { { .arg = (n), .op = SCMP_CMP_EQ, .datum_a = (v) }, \
	    { .arg = (m), .op = SCMP_CMP_MASKED_EQ, .datum_a = (mask), \
	      .datum_b = (w) } } }
/* Allowed only when (argument n & mask) == v. */
#define SC_ALLOW_ARG_MASKED(call, n, mask, v) \
	{ .nr = SCMP_SYS(call), .name = #call, .nargs = 1, \
	  .args = { { .arg = (n), .op = SCMP_CMP_MASKED_EQ, \
	    .datum_a = (mask), .datum_b = (v) } } }
/* Allowed only when argument n has none of the bits in mask set. */
#define SC_ALLOW_ARG_NONE(call, n, mask) \
	{ .nr = SCMP_SYS(call), .name = #call, .nargs = 1, \
	  .args = { { .arg = (n), .op = SCMP_CMP_MASKED_EQ, \
	    .datum_a = (mask), .datum_b = 0 } } }

/*
 * Build and load a filter allowing exactly the rules, for the native
 * architecture only: every other call, and every call of another
 * architecture (i386, x32), kills the process, or with SANDBOX_TRAP raises
 * SIGSYS, which seccomp_trap_install() turns into ENOSYS plus a record.
 * Returns 0, or -1 with the reason in err.
 */
int	seccomp_filter_load(const struct seccomp_rule *rules, size_t nrules,
	    enum sandbox_mode mode, char *err, size_t errlen);

/* Install the SIGSYS handler for SANDBOX_TRAP (before the filter). */
int	seccomp_trap_install(void);

/*
 * Take the next trapped system call number recorded by the handler.
 * Returns 1 with *nr set, or 0 when there is none.  *dropped counts calls
 * the handler could not record.
 */
int	seccomp_trap_next(int *nr, unsigned int *dropped);

/* The name of a native system call number, or "?". */
const char *seccomp_syscall_name(int nr);

#endif
