/* What the Check test programs share. */
#ifndef LOCKPROBE_TESTUTIL_H
#define LOCKPROBE_TESTUTIL_H

#include <check.h>

/*
 * The test cannot run here (not root, no BPF, ...): exit 77, which automake
 * counts as a skip -- except under CI=true, where a skip is a failure.
 */
void	test_skip_or_fail(const char *prog, const char *why)
	    __attribute__((noreturn));

/* Run the suite; return the exit status (0 all passed, 1 otherwise). */
int	test_run_suite(Suite *s);

/* A fresh private directory under /tmp, removed by test_cleanup_dir. */
char	*test_make_dir(const char *prefix);
void	test_cleanup_dir(char *dir);

#endif
