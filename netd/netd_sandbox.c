/*
 * lockprobe-netd's sandbox: privilege drop, then the seccomp allowlist.
 *
 * The allowlist is what the event loop needs once the sandbox is in place;
 * everything opened or created before (the event base, the IPC socket) is
 * not in it.  Maintain it with "netd-seccomp trap": a missing call then
 * fails with ENOSYS and is logged by number and name instead of killing.
 *
 * So before netd_sandbox_enter, netd must: fetch_ctx_new (resolv.conf,
 * /etc/hosts, the CA file, OpenSSL's configuration), store_open (the
 * store's directory, created as root and given to netd's user) and
 * store_read every persisted file it needs; nothing can be opened for
 * reading afterwards.  tests/fetch_sandboxed.c does it in this order and
 * fails on any trapped call.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "ipc.h"
#include "netd.h"
#include "privdrop.h"
#include "seccomp_filter.h"
#include "store.h"

/* The largest file netd may write (RLIMIT_FSIZE): metadata, not data. */
#define NETD_MAX_FILE_SIZE	(16 * 1024 * 1024)

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
	/* IPC with lockprobed and control clients; evdns's UDP sockets */
	SC_ALLOW(recvfrom),
	SC_ALLOW(sendto),
	SC_ALLOW(poll),			/* ipc_recv's hang-up check */
	/* the control socket: accept, and who the client is */
	SC_ALLOW_ARG_EQ(accept4, 0, IPC_CONTROL_FD),
	SC_ALLOW_ARG_EQ(getsockopt, 2, SO_PEERCRED),
	/* the metrics endpoint: accept; a refused client gets its 503 with
	 * sendto (above) */
	SC_ALLOW_ARG_EQ(accept4, 0, IPC_METRICS_FD),
	/* fetch.c: TCP connections to the repository or the proxy, over
	 * IPv4 or IPv6; the DNS sockets were opened before the sandbox */
	SC_ALLOW_ARG_EQ_MASKED(socket, 0, AF_INET, 1, 0xf, SOCK_STREAM),
	SC_ALLOW_ARG_EQ_MASKED(socket, 0, AF_INET6, 1, 0xf, SOCK_STREAM),
	SC_ALLOW(connect),
	SC_ALLOW_ARG_EQ(getsockopt, 2, SO_ERROR), /* connect's outcome */
	SC_ALLOW(getpeername),		/* libevent: connected yet? */
	SC_ALLOW_ARG_EQ(ioctl, 1, FIONREAD), /* libevent: bytes to read */
	SC_ALLOW_ARG_EQ(shutdown, 1, SHUT_WR), /* evhttp closing */
	SC_ALLOW(read),
	SC_ALLOW(readv),
	SC_ALLOW(write),		/* sockets, store files, stderr */
	SC_ALLOW(writev),
	/* store.c: new files only, never opened for reading (persisted
	 * files are read before the sandbox) */
	SC_ALLOW_ARG_EQ(openat, 2, STORE_WRITE_FLAGS),
	SC_ALLOW(fsync),
	SC_ALLOW(renameat),
	SC_ALLOW_ARG_EQ(unlinkat, 2, 0),	/* files, not directories */
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
#ifdef LP_SANITIZERS
	/* ASan asks for the alternate signal stack (never sets one) when a
	 * signal handler runs, e.g. trap mode's SIGSYS handler; refused,
	 * its CHECK aborts the process */
	SC_ALLOW_ARG_EQ(sigaltstack, 0, 0),
#endif
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
		.max_file_size = NETD_MAX_FILE_SIZE,
	};

	/* libc reads /etc/localtime once, now: OpenSSL's certificate time
	 * checks call localtime() inside the chroot, where it is not */
	tzset();
	/* a write beyond the limit fails with EFBIG instead of killing */
	if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR) {
		snprintf(err, errlen, "cannot ignore SIGXFSZ");
		return -1;
	}

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
