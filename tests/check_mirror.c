/*
 * Unit tests of netd/mirror.c: the store with a copy in memory, read from
 * the disk before the seal and from memory after it, the files preloaded
 * before the seal, and the mapping of TUF's local names to store names.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "mirror.h"
#include "testutil.h"

static char	*base;
static char	dir[PATH_MAX + 16];
static char	err[1024];

static void
setup(void)
{
	ck_assert_ptr_nonnull(base = test_make_dir("check_mirror"));
	snprintf(dir, sizeof(dir), "%s/store", base);
}

static void
teardown(void)
{
	test_cleanup_dir(base);
}

static void
assert_reads(struct mirror *m, const char *name, const char *want)
{
	uint8_t	*buf;
	size_t	 len;

	ck_assert_msg(mirror_read(m, name, 1024, &buf, &len, err,
	    sizeof(err)) == 0, "%s: %s", name, err);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_str_eq((char *)buf, want);
	free(buf);
}

START_TEST(test_sealed_reads_memory)
{
	struct mirror	m;
	char		path[PATH_MAX + 64];
	uint8_t		*buf;
	size_t		 len;

	ck_assert_msg(mirror_open(&m, dir, getuid(), getgid(), err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(mirror_write(&m, "a.json", "one", 3, err,
	    sizeof(err)), 0);
	mirror_close(&m);

	/* a new run reads the disk, then seals */
	ck_assert_int_eq(mirror_open(&m, dir, getuid(), getgid(), err,
	    sizeof(err)), 0);
	ck_assert_int_eq(mirror_has(&m, "a.json"), 0);
	assert_reads(&m, "a.json", "one");
	ck_assert_int_eq(mirror_has(&m, "a.json"), 1);
	ck_assert_int_eq(mirror_read(&m, "b.json", 1024, &buf, &len, err,
	    sizeof(err)), 1);
	mirror_seal(&m);
	/* sealed: the copy answers, even with the file gone from the disk */
	snprintf(path, sizeof(path), "%s/a.json", dir);
	ck_assert_int_eq(unlink(path), 0);
	assert_reads(&m, "a.json", "one");
	ck_assert_int_eq(mirror_read(&m, "a.json", 2, &buf, &len, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "more than 2"));
	/* writes go to both */
	ck_assert_int_eq(mirror_write(&m, "b.json", "two", 3, err,
	    sizeof(err)), 0);
	assert_reads(&m, "b.json", "two");
	ck_assert_int_eq(mirror_write(&m, "b.json", "three", 5, err,
	    sizeof(err)), 0);
	assert_reads(&m, "b.json", "three");
	snprintf(path, sizeof(path), "%s/b.json", dir);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(mirror_remove(&m, "b.json", err, sizeof(err)), 0);
	ck_assert_int_eq(mirror_read(&m, "b.json", 1024, &buf, &len, err,
	    sizeof(err)), 1);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* forgotten: not read again, the file stays */
	ck_assert_int_eq(mirror_write(&m, "c.json", "x", 1, err,
	    sizeof(err)), 0);
	mirror_forget(&m, "c.json");
	ck_assert_int_eq(mirror_has(&m, "c.json"), 0);
	snprintf(path, sizeof(path), "%s/c.json", dir);
	ck_assert_int_eq(access(path, F_OK), 0);
	mirror_close(&m);
}
END_TEST

/* Files read before the seal, bounded in number and bytes, prefix only. */
START_TEST(test_preload)
{
	struct mirror	m;
	uint8_t		*buf;
	size_t		 len;
	int		 n;

	ck_assert_msg(mirror_open(&m, dir, getuid(), getgid(), err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(mirror_write(&m, "m-a.json", "aaaa", 4, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(mirror_write(&m, "m-b.json", "bbbb", 4, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(mirror_write(&m, "m-c.json", "cccc", 4, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(mirror_write(&m, "other.json", "x", 1, err,
	    sizeof(err)), 0);
	mirror_close(&m);

	/* all of the prefix */
	ck_assert_int_eq(mirror_open(&m, dir, getuid(), getgid(), err,
	    sizeof(err)), 0);
	ck_assert_msg(mirror_preload(&m, "m-", 10, 1024, err, sizeof(err)) ==
	    0, "%s", err);
	mirror_seal(&m);
	assert_reads(&m, "m-a.json", "aaaa");
	assert_reads(&m, "m-b.json", "bbbb");
	assert_reads(&m, "m-c.json", "cccc");
	ck_assert_int_eq(mirror_read(&m, "other.json", 1024, &buf, &len, err,
	    sizeof(err)), 1);
	mirror_close(&m);

	/* at most two files; then at most 6 bytes (one file and no more) */
	ck_assert_int_eq(mirror_open(&m, dir, getuid(), getgid(), err,
	    sizeof(err)), 0);
	ck_assert_int_eq(mirror_preload(&m, "m-", 2, 1024, err, sizeof(err)),
	    0);
	mirror_seal(&m);
	n = mirror_has(&m, "m-a.json") + mirror_has(&m, "m-b.json") +
	    mirror_has(&m, "m-c.json");
	ck_assert_int_eq(n, 2);
	mirror_close(&m);
	ck_assert_int_eq(mirror_open(&m, dir, getuid(), getgid(), err,
	    sizeof(err)), 0);
	ck_assert_int_eq(mirror_preload(&m, "m-", 10, 6, err, sizeof(err)), 0);
	mirror_seal(&m);
	n = mirror_has(&m, "m-a.json") + mirror_has(&m, "m-b.json") +
	    mirror_has(&m, "m-c.json");
	ck_assert_int_eq(n, 1);
	mirror_close(&m);
}
END_TEST

START_TEST(test_tuf_names)
{
	char	out[STORE_NAME_MAX + 1], other[STORE_NAME_MAX + 1];
	char	longname[200];

	ck_assert_int_eq(mirror_tuf_name("timestamp.json", out, sizeof(out)),
	    0);
	ck_assert_str_eq(out, "m-timestamp.json");
	ck_assert_int_eq(mirror_tuf_name("root@2.json", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "m-root_402.json");
	ck_assert(store_name_valid(out));
	/* '_' is escaped too, so names stay apart */
	ck_assert_int_eq(mirror_tuf_name("a_40b.json", other, sizeof(other)),
	    0);
	ck_assert_int_eq(mirror_tuf_name("a@b.json", out, sizeof(out)), 0);
	ck_assert_str_ne(out, other);
	ck_assert_int_eq(mirror_tuf_name("role%2Fx.json", out, sizeof(out)),
	    0);
	ck_assert_str_eq(out, "m-role_252Fx.json");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(mirror_tuf_name(longname, out, sizeof(out)), -1);
	ck_assert_int_eq(mirror_tuf_name("x", out, 3), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("mirror");
	TCase	*tc = tcase_create("mirror");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sealed_reads_memory);
	tcase_add_test(tc, test_tuf_names);
	tcase_add_test(tc, test_preload);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
