/*
 * lockprobe-netd's sandbox: privilege drop, then the seccomp allowlist.
 *
 * The allowlist is what the event loop needs once the sandbox is in place;
 * everything opened or created before (the event base, the IPC socket) is
 * not in it.  Maintain it with "netd-seccomp trap": a missing call then
 * fails with ENOSYS and is logged by number and name instead of killing.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>

#include "ipc.h"
#include "netd.h"
#include "privdrop.h"
#include "seccomp_filter.h"

#ifdef LP_SANITIZERS
#include <sanitizer/common_interface_defs.h>

/*
 * Sanitizer builds only (configure --enable-sanitizers).  lockprobed starts
 * netd with an empty environment, so ASAN_OPTIONS never reaches it: its
 * options are compiled in here, and the sandbox stays exactly as in a
 * normal build.
 *   - detect_leaks=0: LeakSanitizer's check at exit stops the world with
 *     clone and ptrace and reads /proc/self/task, which the allowlist and the
 *     chroot rightly forbid.  netd's code is leak-checked where it runs
 *     outside the sandbox: in the unit tests and the fuzzers.
 *   - symbolize=0: symbolizing forks llvm-symbolizer; a report gives
 *     module+offset instead (addr2line turns them into lines).
 *   - color=never: deciding on colours asks isatty(2), an ioctl the
 *     allowlist does not have, and the kill would eat the report.
 * ASan and UBSan reports go to stderr, descriptor 2, which the allowlist
 * permits; the daemon tests look for them in lockprobed's log.  With gcc,
 * whose UBSan is a separate runtime that sets itself up at its first report
 * by reading /proc/self/exe, cmdline and environ, undefined behaviour in
 * the sandbox ends in a seccomp kill instead of a report (the tests still
 * fail on it); clang, which quickstart.sh uses, reports it.
 */
const char	*__asan_default_options(void);
const char	*__ubsan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=0:symbolize=0:color=never";
}

const char *
__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1:symbolize=0:color=never";
}
#endif

static const struct seccomp_rule netd_allowlist[] = {
	/* IPC with lockprobed and control clients */
	SC_ALLOW(recvfrom),
	SC_ALLOW(sendto),
	SC_ALLOW(poll),			/* ipc_recv's hang-up check */
	SC_ALLOW_ARG_EQ(accept4, 0, IPC_CONTROL_FD),
	SC_ALLOW_ARG_EQ(getsockopt, 2, SO_PEERCRED),
	/* the libevent loop (epoll backend) */
	SC_ALLOW(epoll_wait),
	SC_ALLOW(epoll_pwait),
	SC_ALLOW(epoll_ctl),
	SC_ALLOW(clock_gettime),	/* when the vDSO is not used */
	SC_ALLOW(gettimeofday),
	SC_ALLOW(getrandom),		/* libevent's and libc's arc4random */
	/* memory: never executable */
	SC_ALLOW(brk),
	SC_ALLOW_ARG_NONE(mmap, 2, PROT_EXEC),
	SC_ALLOW_ARG_NONE(mprotect, 2, PROT_EXEC),
	SC_ALLOW(munmap),
	SC_ALLOW(mremap),
	SC_ALLOW(madvise),
	/* signals, threads' leftovers in libc, exit */
	SC_ALLOW(rt_sigreturn),
	SC_ALLOW(rt_sigprocmask),
	SC_ALLOW(futex),
	SC_ALLOW(rseq),
	SC_ALLOW(restart_syscall),
	SC_ALLOW(getpid),
	SC_ALLOW(close),
	SC_ALLOW(close_range),
	SC_ALLOW(exit),
	SC_ALLOW(exit_group),
	/* libc's own diagnostics go to stderr */
	SC_ALLOW_ARG_EQ(write, 0, 2),
	/* netd never starts threads or processes: clone3 answers ENOSYS so
	 * that a libc which tries it falls back to clone, which kills */
	SC_ERRNO(clone3, ENOSYS),
};

int
netd_sandbox_enter(const struct netd_sandbox *sb, char *err, size_t errlen)
{
	struct privdrop pd = {
		.root_dir = sb->root_dir,
		.uid = sb->uid,
		.gid = sb->gid,
		.max_files = 64,
		.max_file_size = 0,
	};

	if (sb->mode == SANDBOX_TRAP && seccomp_trap_install() == -1) {
		snprintf(err, errlen, "cannot install the SIGSYS handler");
		return -1;
	}
#ifdef LP_SANITIZERS
	{
		char module[256];
		void *off;

		/* Read /proc/self/maps while it can be opened: a report's
		 * stack trace then finds every module in these caches. */
		__sanitizer_sandbox_on_notify(NULL);
		(void)__sanitizer_get_module_and_offset_for_pc(
		    (void *)(uintptr_t)netd_sandbox_enter, module,
		    sizeof(module), &off);
	}
#endif
	if (privdrop_apply(&pd, err, errlen) == -1)
		return -1;
	return seccomp_filter_load(netd_allowlist,
	    sizeof(netd_allowlist) / sizeof(netd_allowlist[0]), sb->mode,
	    err, errlen);
}
