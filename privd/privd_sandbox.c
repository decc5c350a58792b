/*
 * lockprobed's own sandbox.  lockprobed enters it once it has done what
 * needs more: the pidfile and the control socket, daemon(), BTF, the
 * calibration (which forks and starts threads), the kernel symbols (the
 * /proc/kallsyms fallback) and the first map walk.
 *
 * Capabilities kept (all others leave the effective, permitted,
 * inheritable, ambient and bounding sets), found by dropping each in turn
 * and running the daemon tests:
 *   CAP_BPF, CAP_PERFMON  every rewalk loads the map walker again (a
 *                         tracing iterator that reads kernel memory, which
 *                         needs both); stats read the programs' maps
 *   CAP_KILL              killing a hung netd, which runs as another user
 *   CAP_SETUID, CAP_SETGID, CAP_SYS_CHROOT, CAP_CHOWN, CAP_DAC_READ_SEARCH
 *                         each netd start: netd is executed as root with
 *                         (under no_new_privs) at most these, and uses
 *                         them to chroot, change user, give its store
 *                         directory to its user and read it (mode 0700,
 *                         its user's) before it drops to that user
 * Not CAP_SYS_ADMIN: the walk needs no map or program by id, and the
 * kernel accepts CAP_BPF and CAP_PERFMON for everything else it does.
 * Everything that needs more (calibration, the first loads) is done
 * before.
 *
 * The allowlist holds lockprobed's event loop and, because a seccomp filter
 * is inherited across fork and execve, everything netd does until its own
 * stricter filter stacks on this one: the dynamic loader, chroot, the uid
 * change, its DNS and TCP sockets, its store.  Maintain it with
 * "privd-seccomp trap": a missing call then fails with ENOSYS and is logged.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/capability.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "privd_sandbox.h"
#include "seccomp_filter.h"

static const unsigned int privd_caps[] = {
	CAP_BPF, CAP_PERFMON, CAP_KILL,
	CAP_SETUID, CAP_SETGID, CAP_SYS_CHROOT, CAP_CHOWN, CAP_DAC_READ_SEARCH,
};
#define NCAPS	(sizeof(privd_caps) / sizeof(privd_caps[0]))

#define NAMESPACE_FLAGS	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | \
	CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)
/* open flags that write or create (sanitizer builds' raw open) */
#define OPEN_WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_EXCL)

static const struct seccomp_rule privd_allowlist[] = {
	/* the event loop, the IPC socket, control answers, log lines */
	SC_ALLOW(read),
	SC_ALLOW(readv),
	SC_ALLOW(pread64),
	SC_ALLOW(write),
	SC_ALLOW(writev),
	SC_ALLOW(recvfrom),
	SC_ALLOW(sendto),
	SC_ALLOW(poll),
	SC_ALLOW(epoll_wait),
	SC_ALLOW(epoll_pwait),
	SC_ALLOW(epoll_ctl),
	SC_ALLOW(epoll_create1),	/* netd's event base */
	SC_ALLOW(pipe2),
	SC_ALLOW(lseek),
	SC_ALLOW(close),
	SC_ALLOW(close_range),
	SC_ALLOW(fcntl),
	SC_ALLOW(dup2),
	SC_ALLOW(clock_gettime),
	SC_ALLOW(gettimeofday),
	SC_ALLOW(clock_nanosleep),	/* netd_stop waits for netd */
	SC_ALLOW(nanosleep),
	SC_ALLOW(getrandom),
	/* the collector: rewalks load the walker, stats read maps */
	SC_ALLOW(bpf),
	SC_ALLOW(uname),		/* libbpf: the kernel release */
	/* files: reload, getpwnam, BTF and the walker's object at each
	 * rewalk; netd's store.  Not restricted to reading: the tests'
	 * stand-ins for netd write files, and a filter cannot tell paths
	 * apart anyway; the service unit makes the file system read-only
	 * but for the state and run directories (ProtectSystem=strict) */
	SC_ALLOW(openat),
	SC_ALLOW(newfstatat),
	SC_ALLOW(fstat),
	SC_ALLOW(statx),
	SC_ALLOW(access),
	SC_ALLOW(faccessat2),
	SC_ALLOW(getdents64),
	SC_ALLOW(mkdir),		/* the state directory, netd's store */
	SC_ALLOW(unlink),		/* pidfile and control socket at exit */
	SC_ALLOW(unlinkat),
	SC_ALLOW(renameat),		/* netd's store */
	SC_ALLOW(fsync),
	SC_ALLOW(chown),		/* netd's store, as root */
	SC_ALLOW(fchown),
	/* sockets: syslog and nscd (AF_UNIX), the netd socketpair; netd's
	 * DNS and HTTP(S) sockets before its own filter */
	SC_ALLOW_ARG_EQ(socket, 0, AF_UNIX),
	SC_ALLOW_ARG_EQ(socket, 0, AF_INET),
	SC_ALLOW_ARG_EQ(socket, 0, AF_INET6),
	SC_ALLOW_ARG_EQ(socketpair, 0, AF_UNIX),
	SC_ALLOW(connect),
	SC_ALLOW(accept4),
	SC_ALLOW(getsockopt),
	SC_ALLOW(getpeername),
	SC_ALLOW(getsockname),
	SC_ALLOW(shutdown),
	SC_ALLOW_ARG_EQ(ioctl, 1, FIONREAD),
	SC_ALLOW_ARG_EQ(ioctl, 1, TCGETS),	/* isatty */
	SC_ALLOW_ARG_EQ(ioctl, 1, FIONBIO),	/* python3 stand-ins */
	SC_ALLOW_ARG_EQ(ioctl, 1, FIOCLEX),
	/* memory: never writable and executable at once, never made
	 * executable later (the loader maps netd's libraries read+exec) */
	SC_ALLOW(brk),
	SC_ALLOW_ARG_MASKED(mmap, 2, PROT_WRITE | PROT_EXEC, 0),
	SC_ALLOW_ARG_MASKED(mmap, 2, PROT_WRITE | PROT_EXEC, PROT_WRITE),
	SC_ALLOW_ARG_MASKED(mmap, 2, PROT_WRITE | PROT_EXEC, PROT_EXEC),
	SC_ALLOW_ARG_NONE(mprotect, 2, PROT_EXEC),
	SC_ALLOW(munmap),
	SC_ALLOW(mremap),
	SC_ALLOW(madvise),
	/* signals */
	SC_ALLOW(rt_sigaction),
	SC_ALLOW(rt_sigprocmask),
	SC_ALLOW(rt_sigreturn),
	SC_ALLOW_ARG_EQ(kill, 1, SIGTERM),	/* stopping netd */
	SC_ALLOW_ARG_EQ(kill, 1, SIGKILL),
	SC_ALLOW(restart_syscall),
	/* processes: start netd (no new namespaces), reap it */
	SC_ALLOW_ARG_NONE(clone, 0, NAMESPACE_FLAGS),
	SC_ERRNO(clone3, ENOSYS),	/* its arguments cannot be checked:
					 * libc falls back to clone */
	SC_ALLOW(execve),
	SC_ALLOW(wait4),
	SC_ALLOW(exit),
	SC_ALLOW(exit_group),
	/* libc start-up in netd, and what libc asks anywhere */
	SC_ALLOW(arch_prctl),
	SC_ALLOW(set_tid_address),
	SC_ALLOW(set_robust_list),
	SC_ALLOW(rseq),
	SC_ALLOW(futex),
	SC_ALLOW(prlimit64),		/* netd's resource limits */
	SC_ALLOW(sysinfo),
	SC_ALLOW(getpid),
	SC_ALLOW(gettid),
	SC_ALLOW(getuid),
	SC_ALLOW(geteuid),
	SC_ALLOW(getgid),
	SC_ALLOW(getegid),
	SC_ALLOW(getresuid),
	SC_ALLOW(getresgid),
	/* harmless queries that the tests' stand-ins for netd make (sh,
	 * python3: tests/fake_netd.py, tests/config_netd.py) */
	SC_ALLOW(getppid),
	SC_ALLOW(getcwd),
	SC_ALLOW(readlink),
	SC_ALLOW(pselect6),
	/* netd's privilege drop and its own filter */
	SC_ALLOW(chroot),
	SC_ALLOW(chdir),
	SC_ALLOW(setgroups),
	SC_ALLOW(setresgid),
	SC_ALLOW(setresuid),
	SC_ALLOW(setuid),		/* privdrop checks these now fail */
	SC_ALLOW(setgid),
	SC_ALLOW_ARG_EQ(prctl, 0, PR_SET_DUMPABLE),
	SC_ALLOW_ARG_EQ(prctl, 0, PR_SET_NO_NEW_PRIVS),
	SC_ALLOW(seccomp),
#ifdef LP_SANITIZERS
	/* sanitizer builds only (configure --enable-sanitizers): the
	 * runtime's raw calls, and LeakSanitizer's check at exit, which stops
	 * the threads from a helper process that ptraces them */
	SC_ALLOW_ARG_MASKED(open, 1, OPEN_WRITE_FLAGS, 0),
	SC_ALLOW(ptrace),
	SC_ALLOW(stat),
	SC_ALLOW(lstat),
	SC_ALLOW(pipe),
	SC_ALLOW(fork),		/* the symbolizer */
	SC_ALLOW(prctl),
	SC_ALLOW(getdents),
	SC_ALLOW(sigaltstack),
	SC_ALLOW(sched_yield),
	SC_ALLOW(tgkill),
	SC_ALLOW(kill),
#endif
};

/* Keep privd_caps in every set, clear the rest.  Needs CAP_SETPCAP. */
static int
drop_capabilities(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned int cap;
	int in_bounding;
	size_t i;

	memset(data, 0, sizeof(data));
	for (i = 0; i < NCAPS; i++) {
		data[CAP_TO_INDEX(privd_caps[i])].effective |=
		    CAP_TO_MASK(privd_caps[i]);
		data[CAP_TO_INDEX(privd_caps[i])].permitted |=
		    CAP_TO_MASK(privd_caps[i]);
	}
	/* the bounding set: what any later execve could give back */
	for (cap = 0; (in_bounding = prctl(PR_CAPBSET_READ, cap, 0, 0,
	    0)) >= 0; cap++) {
		if (in_bounding == 0 ||
		    (data[CAP_TO_INDEX(cap)].permitted & CAP_TO_MASK(cap)) != 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1) {
			snprintf(err, errlen, "dropping capability %u from "
			    "the bounding set: %s; start lockprobed with "
			    "CAP_SETPCAP, or without that capability",
			    cap, strerror(errno));
			return -1;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL) {
		snprintf(err, errlen, "clearing the ambient capabilities: %s",
		    strerror(errno));
		return -1;
	}
	if (syscall(SYS_capset, &hdr, data) == -1) {
		snprintf(err, errlen, "capset: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
privd_sandbox_enter(enum sandbox_mode mode, char *err, size_t errlen)
{
	if (drop_capabilities(err, errlen) == -1)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
		return -1;
	}
	if (mode == SANDBOX_TRAP && seccomp_trap_install() == -1) {
		snprintf(err, errlen, "cannot install the SIGSYS handler: %s",
		    strerror(errno));
		return -1;
	}
	return seccomp_filter_load(privd_allowlist,
	    sizeof(privd_allowlist) / sizeof(privd_allowlist[0]), mode, err,
	    errlen);
}

static struct event *trap_ev;

static void
on_trap_check(evutil_socket_t fd, short events, void *arg)
{
	unsigned int dropped;
	int nr;

	(void)fd;
	(void)events;
	(void)arg;
	while (seccomp_trap_next(&nr, &dropped))
		log_warnx("lockprobed's sandbox: trapped system call %d (%s)",
		    nr, seccomp_syscall_name(nr));
	if (dropped > 0)
		log_warnx("lockprobed's sandbox: %u trapped system calls not "
		    "recorded", dropped);
}

/* The forbidden call; it returns only in trap mode (or if it is not
 * forbidden, which the test catches). */
static void
on_probe(evutil_socket_t fd, short events, void *arg)
{
	enum privd_probe probe = (enum privd_probe)(intptr_t)arg;
	long rc = -1;

	(void)fd;
	(void)events;
	log_info("probe: lockprobed attempts a forbidden system call");
	switch (probe) {
	case PRIVD_PROBE_PTRACE:
		rc = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		log_warnx("probe: ptrace returned %ld (%s)", rc,
		    rc == -1 ? strerror(errno) : "allowed");
		break;
	case PRIVD_PROBE_MOUNT:
		/* harmless even if allowed: there is nothing to remount */
		rc = mount(NULL, "/nonexistent-lockprobe-probe", NULL,
		    MS_REMOUNT | MS_RDONLY, NULL);
		log_warnx("probe: mount returned %ld (%s)", rc,
		    rc == -1 ? strerror(errno) : "allowed");
		break;
	case PRIVD_PROBE_NONE:
		break;
	}
	on_trap_check(-1, 0, NULL);
}

int
privd_sandbox_watch(struct event_base *base, enum sandbox_mode mode,
    enum privd_probe probe)
{
	struct timeval one_second = { 1, 0 }, now = { 0, 0 };

	if (mode == SANDBOX_TRAP) {
		trap_ev = event_new(base, -1, EV_PERSIST, on_trap_check, NULL);
		if (trap_ev == NULL || event_add(trap_ev, &one_second) == -1)
			return -1;
	}
	if (probe != PRIVD_PROBE_NONE && event_base_once(base, -1,
	    EV_TIMEOUT, on_probe, (void *)(intptr_t)probe, &now) == -1)
		return -1;
	return 0;
}

void
privd_sandbox_free(void)
{
	if (trap_ev != NULL) {
		on_trap_check(-1, 0, NULL);
		event_free(trap_ev);
		trap_ev = NULL;
	}
}
