/*
 * check_ksym: the iter/ksym resolver against /proc/kallsyms on the running
 * kernel, and the kallsyms parser on small files.
 *
 * Exit 0 all passed, 1 a failure, 77 skipped (not root, no BPF); with
 * CI=true a would-be skip fails instead.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <check.h>
#include <bpf/bpf.h>

#include "log.h"
#include "test_assets.h"
#include "testutil.h"
#include "../privd/ksym.h"

static struct assets assets;

/* Text symbols present on every kernel lockprobe supports (6.1+). */
static const char *const text_syms[] = {
	"_text", "bpf_dummy_read", "bpf_map_lookup_elem", "htab_map_alloc",
	"queue_stack_map_alloc", "bpf_iter_run_prog", "schedule",
	"mutex_lock", "mutex_unlock", "bpf_map_put",
};
#define NSYMS	(sizeof(text_syms) / sizeof(text_syms[0]))
#define UNKNOWN	"lockprobe_no_such_symbol_42"

static void
fill(struct ksym_query *q, size_t *n)
{
	size_t i;

	for (i = 0; i < NSYMS; i++)
		q[i].name = text_syms[i];
	q[NSYMS].name = UNKNOWN;
	q[NSYMS + 1].name = "bpf_map_lookup_elem";	/* repeated */
	*n = NSYMS + 2;
}

START_TEST(test_iter_agrees_with_kallsyms)
{
	struct ksym_query a[NSYMS + 2], b[NSYMS + 2];
	struct ksym_report ra, rb;
	char err[512];
	size_t n, i;

	fill(a, &n);
	fill(b, &n);
	ck_assert_msg(ksym_resolve_iter(&assets, a, n, &ra, err, sizeof(err)) == 0,
	    "iterator: %s", err);
	ck_assert_msg(ksym_resolve_kallsyms(NULL, b, n, &rb, err,
	    sizeof(err)) == 0, "kallsyms: %s", err);
	ck_assert_int_eq(ra.method, KSYM_METHOD_ITER);
	ck_assert_int_eq(rb.method, KSYM_METHOD_KALLSYMS);
	ck_assert_uint_gt(ra.nsyms, 10000);
	for (i = 0; i < NSYMS; i++) {
		ck_assert_msg(a[i].found, "%s not found by the iterator",
		    a[i].name);
		ck_assert_msg(b[i].found, "%s not in kallsyms", b[i].name);
		ck_assert_msg(a[i].addr == b[i].addr, "%s: iterator %#llx, "
		    "kallsyms %#llx", a[i].name, (unsigned long long)a[i].addr,
		    (unsigned long long)b[i].addr);
		ck_assert_uint_ge(a[i].addr, 0xffffffff80000000ULL);
		ck_assert_int_eq(a[i].type, b[i].type);
		ck_assert(a[i].type == 't' || a[i].type == 'T');
		ck_assert_uint_eq(a[i].nmatches, b[i].nmatches);
	}
	ck_assert(!a[NSYMS].found && !b[NSYMS].found);
	ck_assert_uint_eq(a[NSYMS].addr, 0);
	ck_assert(a[NSYMS + 1].found);
	ck_assert_uint_eq(a[NSYMS + 1].addr, a[2].addr);
	ck_assert_uint_eq(ra.nfound, NSYMS + 1);
	ck_assert_uint_eq(rb.nfound, NSYMS + 1);
	printf("  iterator %.2f ms (%llu symbols), kallsyms %.2f ms (%llu "
	    "symbols), %zu names\n", ra.elapsed_ns / 1e6,
	    (unsigned long long)ra.nsyms, rb.elapsed_ns / 1e6,
	    (unsigned long long)rb.nsyms, n);
}
END_TEST

START_TEST(test_resolve_prefers_iterator)
{
	struct ksym_query q[NSYMS + 2];
	struct ksym_report r;
	char err[512];
	size_t n;

	fill(q, &n);
	ck_assert_msg(ksym_resolve(&assets, q, n, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(r.method, KSYM_METHOD_ITER);
	ck_assert_str_eq(ksym_method_name(r.method), "bpf-iterator");
	ck_assert_uint_gt(r.elapsed_ns, 0);
	ck_assert_str_eq(r.iter_error, "");
}
END_TEST

START_TEST(test_long_name_falls_back)
{
	struct ksym_query q[2];
	struct ksym_report r;
	char err[512], longname[200];

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	q[0].name = "bpf_dummy_read";
	q[1].name = longname;
	ck_assert_int_eq(ksym_resolve_iter(&assets, q, 2, &r, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than"));
	ck_assert_msg(ksym_resolve(&assets, q, 2, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(r.method, KSYM_METHOD_KALLSYMS);
	ck_assert_ptr_nonnull(strstr(r.iter_error, "longer than"));
	ck_assert(q[0].found && !q[1].found);
}
END_TEST

static void
write_file(char *path, const char *text)
{
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

START_TEST(test_kallsyms_parser)
{
	char path[] = "/tmp/check_ksym.XXXXXX";
	struct ksym_query q[4];
	struct ksym_report r;
	char err[512];

	write_file(path,
	    "ffffffff81000000 T _text\n"
	    "ffffffff81000100 t dup\n"
	    "ffffffff81000200 t dup\n"
	    "ffffffffc0001000 t modsym\t[somemod]\n"
	    "garbage line\n");
	q[0].name = "_text";
	q[1].name = "dup";
	q[2].name = "modsym";
	q[3].name = "absent";
	ck_assert_msg(ksym_resolve_kallsyms(path, q, 4, &r, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(r.nsyms, 4);
	ck_assert_uint_eq(q[0].addr, 0xffffffff81000000ULL);
	ck_assert_int_eq(q[0].type, 'T');
	ck_assert_uint_eq(q[1].addr, 0xffffffff81000100ULL);
	ck_assert_uint_eq(q[1].nmatches, 2);
	ck_assert(q[2].found && q[2].in_module && !q[0].in_module);
	ck_assert(!q[3].found);
	unlink(path);
}
END_TEST

START_TEST(test_kallsyms_zero_addresses)
{
	char path[] = "/tmp/check_ksym.XXXXXX";
	struct ksym_query q[1];
	struct ksym_report r;
	char err[512];

	write_file(path, "0000000000000000 T _text\n"
	    "0000000000000000 t bpf_dummy_read\n");
	q[0].name = "_text";
	ck_assert_int_eq(ksym_resolve_kallsyms(path, q, 1, &r, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "CAP_SYSLOG"));
	ck_assert(!q[0].found);
	unlink(path);
	strcpy(path, "/nonexistent/kallsyms");
	ck_assert_int_eq(ksym_resolve_kallsyms(path, q, 1, &r, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/kallsyms"));
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;
	int failed, fd;

	log_init("check_ksym", 1, getenv("LP_DEBUG") ? LOG_DEBUG : LOG_INFO);
	if (geteuid() != 0)
		test_skip_or_fail("check_ksym",
		    "needs root (CAP_BPF, CAP_PERFMON, CAP_SYSLOG)");
	if ((fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lp_probe", 4, 4, 1,
	    NULL)) < 0)
		test_skip_or_fail("check_ksym",
		    "BPF is not available (cannot create a map)");
	close(fd);
	if (test_assets_init(&assets) == -1)
		test_skip_or_fail("check_ksym",
		    "no kernel BTF for the BPF assets");

	s = suite_create("ksym");
	tc = tcase_create("kernel");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_iter_agrees_with_kallsyms);
	tcase_add_test(tc, test_resolve_prefers_iterator);
	tcase_add_test(tc, test_long_name_falls_back);
	tcase_add_test(tc, test_kallsyms_parser);
	tcase_add_test(tc, test_kallsyms_zero_addresses);
	suite_add_tcase(s, tc);
	failed = test_run_suite(s);
	assets_free(&assets);
	return failed;
}
