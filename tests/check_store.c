/*
 * Unit tests for netd/store.c: atomic writes, bounded reads, names, and
 * failures reported (a file size limit standing in for a full disk).
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "testutil.h"

static char	base[PATH_MAX];
static char	dir[PATH_MAX + 16];
static char	err[1024];

static void
setup(void)
{
	snprintf(base, sizeof(base), "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/db", base);
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}

static void
open_store(struct store *st)
{
	ck_assert_msg(store_open(st, dir, getuid(), getgid(), err,
	    sizeof(err)) == 0, "store_open: %s", err);
}

static int
count_entries(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || strncmp(de->d_name, ".tmp-", 5)
		    == 0)
			n++;
	closedir(d);
	return n;
}

static void
write_raw(const char *name, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(test_round_trip)
{
	struct store st;
	struct stat sb;
	uint8_t *buf;
	size_t len;

	open_store(&st);
	ck_assert_int_eq(stat(dir, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0700);
	ck_assert_int_eq(store_read(&st, "root.json", 100, &buf, &len, err,
	    sizeof(err)), 1);		/* absent */
	ck_assert_msg(store_write(&st, "root.json", "{\"v\":1}", 7, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(store_read(&st, "root.json", 100, &buf, &len, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(len, 7);
	ck_assert_str_eq((char *)buf, "{\"v\":1}");
	free(buf);
	/* replaced, not appended */
	ck_assert_int_eq(store_write(&st, "root.json", "2", 1, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_read(&st, "root.json", 100, &buf, &len, err,
	    sizeof(err)), 0);
	ck_assert_str_eq((char *)buf, "2");
	free(buf);
	/* empty files are files */
	ck_assert_int_eq(store_write(&st, "empty", "", 0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_read(&st, "empty", 0, &buf, &len, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(len, 0);
	free(buf);
	ck_assert_int_eq(stat(dir, &sb), 0);
	ck_assert_int_eq(count_entries(), 2);	/* no temporary left */
	ck_assert_int_eq(store_remove(&st, "empty", err, sizeof(err)), 0);
	ck_assert_int_eq(store_remove(&st, "empty", err, sizeof(err)), 0);
	ck_assert_int_eq(count_entries(), 1);
	store_close(&st);
}
END_TEST

START_TEST(test_size_bound)
{
	struct store st;
	uint8_t *buf;
	size_t len;

	open_store(&st);
	ck_assert_int_eq(store_write(&st, "t.json", "0123456789", 10, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_read(&st, "t.json", 10, &buf, &len, err,
	    sizeof(err)), 0);
	free(buf);
	ck_assert_int_eq(store_read(&st, "t.json", 9, &buf, &len, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(buf);
	ck_assert_msg(strstr(err, "t.json: 10 bytes, more than the limit of "
	    "9") != NULL, "%s", err);
	store_close(&st);
}
END_TEST

START_TEST(test_names)
{
	char toolong[130];	/* 129 characters: over the length limit */
	const char *bad[] = {
		"", ".", "..", "../x", "a/b", "/etc/shadow", ".hidden",
		".tmp-x", "a b", "a\nb", "ä", toolong,
	};
	struct store st;
	uint8_t *buf;
	size_t i, len;

	memset(toolong, 'x', sizeof(toolong) - 1);
	toolong[sizeof(toolong) - 1] = '\0';
	open_store(&st);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!store_name_valid(bad[i]), "'%s' valid", bad[i]);
		ck_assert_int_eq(store_write(&st, bad[i], "x", 1, err,
		    sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "refusing the file name"));
		ck_assert_int_eq(store_read(&st, bad[i], 10, &buf, &len, err,
		    sizeof(err)), -1);
		ck_assert_int_eq(store_remove(&st, bad[i], err, sizeof(err)),
		    -1);
	}
	ck_assert(store_name_valid("1.root.json"));
	ck_assert(store_name_valid("lockstat_host-1.json"));
	ck_assert(store_name_valid("root@2.json"));
	ck_assert(store_name_valid("a%2Fb~c.json"));
	ck_assert_int_eq(count_entries(), 0);
	store_close(&st);
}
END_TEST

/* A crash between creating the temporary file and renaming it. */
START_TEST(test_crash_mid_write)
{
	struct store st;
	uint8_t *buf;
	size_t len;

	open_store(&st);
	ck_assert_int_eq(store_write(&st, "timestamp.json", "old", 3, err,
	    sizeof(err)), 0);
	store_close(&st);
	write_raw(".tmp-timestamp.json.123.0", "new but half wri");
	ck_assert_int_eq(count_entries(), 2);

	open_store(&st);		/* the restart */
	ck_assert_int_eq(count_entries(), 1);
	ck_assert_int_eq(store_read(&st, "timestamp.json", 100, &buf, &len,
	    err, sizeof(err)), 0);
	ck_assert_str_eq((char *)buf, "old");
	free(buf);
	store_close(&st);
}
END_TEST

/* A child killed in the middle of writing: old or new, never a mix. */
START_TEST(test_killed_writer)
{
	struct store st;
	static char big[1 << 20];
	uint8_t *buf;
	size_t len;
	pid_t pid;
	int status;

	open_store(&st);
	memset(big, 'a', sizeof(big));
	ck_assert_int_eq(store_write(&st, "m.json", big, sizeof(big), err,
	    sizeof(err)), 0);
	if ((pid = fork()) == 0) {
		memset(big, 'b', sizeof(big));
		for (;;)
			if (store_write(&st, "m.json", big, sizeof(big), err,
			    sizeof(err)) == -1)
				_exit(2);
	}
	ck_assert_int_ne(pid, -1);
	usleep(100000);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	store_close(&st);

	open_store(&st);
	ck_assert_int_eq(count_entries(), 1);
	ck_assert_int_eq(store_read(&st, "m.json", sizeof(big), &buf, &len,
	    err, sizeof(err)), 0);
	ck_assert_uint_eq(len, sizeof(big));
	ck_assert(buf[0] == 'a' || buf[0] == 'b');
	memset(big, buf[0], sizeof(big));
	ck_assert(memcmp(buf, big, len) == 0);
	free(buf);
	store_close(&st);
}
END_TEST

/* A short file is returned as it is: detecting it is the caller's job. */
START_TEST(test_corrupt_returned_as_is)
{
	struct store st;
	uint8_t *buf;
	size_t len;

	open_store(&st);
	write_raw("root.json", "{\"signed\": {\"trunc");
	ck_assert_int_eq(store_read(&st, "root.json", 1000, &buf, &len, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(len, 18);
	free(buf);
	store_close(&st);
}
END_TEST

START_TEST(test_not_regular)
{
	struct store st;
	char path[PATH_MAX * 2], other[PATH_MAX * 2];
	uint8_t *buf;
	size_t len;

	open_store(&st);
	write_raw("target", "secret");
	snprintf(path, sizeof(path), "%s/link.json", dir);
	snprintf(other, sizeof(other), "%s/target", dir);
	ck_assert_int_eq(symlink(other, path), 0);
	ck_assert_int_eq(store_read(&st, "link.json", 100, &buf, &len, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "symbolic link") != NULL, "%s", err);
	snprintf(path, sizeof(path), "%s/hard.json", dir);
	ck_assert_int_eq(link(other, path), 0);
	ck_assert_int_eq(store_read(&st, "hard.json", 100, &buf, &len, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "one link") != NULL, "%s", err);
	/* a write replaces the link itself, never its target */
	ck_assert_int_eq(store_write(&st, "link.json", "x", 1, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_read(&st, "link.json", 100, &buf, &len, err,
	    sizeof(err)), 0);
	free(buf);
	store_close(&st);
}
END_TEST

START_TEST(test_bad_directory)
{
	struct store st;
	char target[PATH_MAX + 16];

	/* a symbolic link in place of the directory */
	snprintf(target, sizeof(target), "%s/real", base);
	ck_assert_int_eq(mkdir(target, 0700), 0);
	ck_assert_int_eq(symlink(target, dir), 0);
	ck_assert_int_eq(store_open(&st, dir, getuid(), getgid(), err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "symbolic link") != NULL, "%s", err);
	ck_assert_int_eq(unlink(dir), 0);
	/* writable by others */
	ck_assert_int_eq(mkdir(dir, 0777), 0);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_eq(store_open(&st, dir, getuid(), getgid(), err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "chmod go-w") != NULL, "%s", err);
	/* owned by someone else */
	ck_assert_int_eq(chmod(dir, 0700), 0);
	ck_assert_int_eq(store_open(&st, dir, getuid() + 1, getgid(), err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "owned by uid") != NULL, "%s", err);
}
END_TEST

/* RLIMIT_FSIZE makes the disk "full": the error says so, the old file
 * stays, nothing is left behind. */
START_TEST(test_write_fails)
{
	struct store st;
	struct rlimit rl = { 1000, 1000 };
	char big[4000];
	uint8_t *buf;
	size_t len;

	open_store(&st);
	ck_assert_int_eq(store_write(&st, "s.json", "old", 3, err,
	    sizeof(err)), 0);
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(store_write(&st, "s.json", big, sizeof(big), err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "s.json: write of 4000 bytes failed: File "
	    "too large") != NULL, "%s", err);
	ck_assert_int_eq(count_entries(), 1);
	ck_assert_int_eq(store_read(&st, "s.json", 100, &buf, &len, err,
	    sizeof(err)), 0);
	ck_assert_str_eq((char *)buf, "old");
	free(buf);
	store_close(&st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	/* fsync of a MiB at a time can take seconds on a busy disk */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_size_bound);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_crash_mid_write);
	tcase_add_test(tc, test_killed_writer);
	tcase_add_test(tc, test_corrupt_returned_as_is);
	tcase_add_test(tc, test_not_regular);
	tcase_add_test(tc, test_bad_directory);
	tcase_add_test(tc, test_write_fails);
	suite_add_tcase(s, tc);
	failed = test_run_suite(s);
	return failed;
}
