#include "config.h"

#include <sys/ucontext.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp_filter.h"

int
seccomp_filter_load(const struct seccomp_rule *rules, size_t nrules,
    enum sandbox_mode mode, char *err, size_t errlen)
{
	uint32_t deny = mode == SANDBOX_TRAP ? SCMP_ACT_TRAP :
	    SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx;
	size_t i;
	int rc;

	if ((ctx = seccomp_init(deny)) == NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	/* Calls of any other architecture (i386 via int 0x80, x32) fail
	 * closed: only the native one is in the filter. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) < 0) {
		snprintf(err, errlen, "seccomp bad-arch action: %s",
		    strerror(-rc));
		goto fail;
	}
	for (i = 0; i < nrules; i++) {
		const struct seccomp_rule *r = &rules[i];
		uint32_t action = r->errno_value != 0 ?
		    SCMP_ACT_ERRNO((uint32_t)r->errno_value) : SCMP_ACT_ALLOW;

		if (r->nr < 0) {
			snprintf(err, errlen, "seccomp: %s is not a system "
			    "call on this architecture", r->name);
			goto fail;
		}
		rc = seccomp_rule_add_exact_array(ctx, action, r->nr,
		    r->nargs, r->args);
		if (rc < 0) {
			snprintf(err, errlen, "seccomp rule for %s: %s",
			    r->name, strerror(-rc));
			goto fail;
		}
	}
	if ((rc = seccomp_load(ctx)) < 0) {
		snprintf(err, errlen, "seccomp_load: %s", strerror(-rc));
		goto fail;
	}
	seccomp_release(ctx);
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}

/* A small lock-free record of trapped calls, written by the handler. */
#define TRAP_SLOTS	64
static volatile sig_atomic_t	trap_nr[TRAP_SLOTS];
static volatile sig_atomic_t	trap_head, trap_tail, trap_dropped;

static void
trap_handler(int sig, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;
	int next;

	(void)sig;
	next = (trap_head + 1) % TRAP_SLOTS;
	if (next == trap_tail)
		trap_dropped++;
	else {
		trap_nr[trap_head] = info->si_syscall;
		trap_head = next;
	}
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
	uc->uc_mcontext.regs[0] = -ENOSYS;
#else
#error "seccomp trap mode: set the return register for this architecture"
#endif
}

int
seccomp_trap_install(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = trap_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	return sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int
seccomp_trap_next(int *nr, unsigned int *dropped)
{
	*dropped = (unsigned int)trap_dropped;
	if (trap_tail == trap_head)
		return 0;
	*nr = trap_nr[trap_tail];
	trap_tail = (trap_tail + 1) % TRAP_SLOTS;
	return 1;
}

const char *
seccomp_syscall_name(int nr)
{
	static char name[64];
	char *s;

	s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	if (s == NULL)
		return "?";
	snprintf(name, sizeof(name), "%s", s);
	free(s);
	return name;
}
