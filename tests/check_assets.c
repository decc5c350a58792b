/*
 * BTF discovery and hash-checked asset loading, for real: the objects the
 * build made, the kernel's own BTF and copies of it, raw and gzipped.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <check.h>
#include <zlib.h>

#include "assets.h"
#include "btf.h"
#include "log.h"
#include "testutil.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#include "mapwalk.skel.h"
#include "verifier_reject.skel.h"
#pragma GCC diagnostic pop

static const char *builddir;
static char *tmp;
static char err[4096];

static void
copy_file(const char *from, const char *to, int gzip)
{
	char buf[65536];
	ssize_t n;
	gzFile gz = NULL;
	int in, out = -1;

	ck_assert_int_ne(in = open(from, O_RDONLY), -1);
	if (gzip)
		ck_assert_ptr_nonnull(gz = gzopen(to, "wb"));
	else
		ck_assert_int_ne(out = open(to, O_WRONLY | O_CREAT | O_TRUNC,
		    0644), -1);
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (gzip)
			ck_assert_int_eq(gzwrite(gz, buf, (unsigned)n), n);
		else
			ck_assert_int_eq(write(out, buf, (size_t)n), n);
	}
	close(in);
	if (gzip)
		gzclose(gz);
	else
		close(out);
}

static void
write_bytes(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

static char *
tmp_path(const char *name)
{
	static char path[4][PATH_MAX];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", tmp, name);
	return p;
}

static struct btf_search
search_kernel(void)
{
	struct btf_search s = { NULL, BTF_KERNEL_PATH, "/nonexistent", NULL };

	return s;
}

/* Load mapwalk.bpf.o through the asset path; 0 or -1. */
static int
load_mapwalk(struct assets *a)
{
	struct mapwalk_bpf *skel = calloc(1, sizeof(*skel));
	int rc = -1;

	ck_assert_ptr_nonnull(skel);
	ck_assert_int_eq(mapwalk_bpf__create_skeleton(skel), 0);
	if (asset_open(a, "mapwalk.bpf.o", skel->skeleton, err,
	    sizeof(err)) == 0 &&
	    asset_load(a, "mapwalk.bpf.o", skel->skeleton, err,
	    sizeof(err)) == 0)
		rc = 0;
	mapwalk_bpf__destroy(skel);
	return rc;
}

START_TEST(test_kernel_btf)
{
	struct btf_search s = search_kernel();
	struct btf_location loc;

	ck_assert_int_eq(btf_locate(&s, &loc, err, sizeof(err)), 0);
	ck_assert_int_eq(loc.origin, BTF_FROM_KERNEL);
	ck_assert_ptr_null(btf_custom_path(&loc));
	ck_assert_uint_gt(loc.size, 1024 * 1024);
	btf_location_release(&loc);
}
END_TEST

START_TEST(test_configured_btf)
{
	struct btf_search s = search_kernel();
	struct btf_location loc;

	copy_file(BTF_KERNEL_PATH, tmp_path("copy.btf"), 0);
	s.configured = tmp_path("copy.btf");
	ck_assert_int_eq(btf_locate(&s, &loc, err, sizeof(err)), 0);
	ck_assert_int_eq(loc.origin, BTF_FROM_CONFIG);
	ck_assert_str_eq(btf_custom_path(&loc), tmp_path("copy.btf"));
	btf_location_release(&loc);

	/* a configured file that is missing is an error, with no fall-back */
	s.configured = tmp_path("missing.btf");
	ck_assert_int_eq(btf_locate(&s, &loc, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "btf-path: "));
	ck_assert_ptr_nonnull(strstr(err, "missing.btf (No such file"));
	ck_assert_ptr_nonnull(strstr(err, "fix btf-path"));
}
END_TEST

START_TEST(test_fallback_gzip_loads)
{
	struct btf_search s = { NULL, "/nonexistent/vmlinux", NULL, "9.9.9-test" };
	struct assets a;

	copy_file(BTF_KERNEL_PATH, tmp_path("9.9.9-test.btf.gz"), 1);
	s.fallback_dir = tmp;
	ck_assert_int_eq(assets_init(&a, builddir, &s, err, sizeof(err)), 0);
	ck_assert_msg(a.have_btf, "%s", a.btf_error);
	ck_assert_int_eq(a.btf.origin, BTF_FROM_FALLBACK_GZIP);
	ck_assert_str_eq(a.btf.file, tmp_path("9.9.9-test.btf.gz"));
	/* CO-RE relocations against the decompressed copy */
	ck_assert_msg(load_mapwalk(&a) == 0, "%s", err);
	ck_assert_uint_eq(asset_record(&a, "mapwalk.bpf.o")->outcomes[ASSET_LOADED], 1);
	assets_free(&a);
	unlink(tmp_path("9.9.9-test.btf.gz"));
}
END_TEST

START_TEST(test_fallback_raw)
{
	struct btf_search s = { NULL, "/nonexistent/vmlinux", NULL, "9.9.8-test" };
	struct btf_location loc;

	copy_file(BTF_KERNEL_PATH, tmp_path("9.9.8-test.btf"), 0);
	s.fallback_dir = tmp;
	ck_assert_int_eq(btf_locate(&s, &loc, err, sizeof(err)), 0);
	ck_assert_int_eq(loc.origin, BTF_FROM_FALLBACK);
	btf_location_release(&loc);
}
END_TEST

START_TEST(test_btf_missing_and_corrupt)
{
	struct btf_search s = { NULL, "/nonexistent/vmlinux", NULL, "9.9.7-test" };
	struct btf_location loc;
	static const char junk[] = "this is not BTF at all, not even close....";
	struct assets a;

	s.fallback_dir = tmp;
	ck_assert_int_eq(btf_locate(&s, &loc, err, sizeof(err)), -1);
	/* every path tried is named */
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/vmlinux (No such file"));
	ck_assert_ptr_nonnull(strstr(err, tmp_path("9.9.7-test.btf")));
	ck_assert_ptr_nonnull(strstr(err, tmp_path("9.9.7-test.btf.gz")));
	ck_assert_ptr_nonnull(strstr(err, "no usable kernel BTF for 9.9.7-test"));

	write_bytes(tmp_path("9.9.7-test.btf"), junk, sizeof(junk));
	ck_assert_int_eq(btf_locate(&s, &loc, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "9.9.7-test.btf (not valid BTF"));

	/* a gzip file cut short */
	copy_file(BTF_KERNEL_PATH, tmp_path("full.gz"), 1);
	ck_assert_int_eq(truncate(tmp_path("full.gz"), 4096), 0);
	ck_assert_int_eq(rename(tmp_path("full.gz"),
	    tmp_path("9.9.7-test.btf.gz")), 0);
	ck_assert_int_eq(btf_locate(&s, &loc, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "9.9.7-test.btf.gz (corrupt gzip") != NULL ||
	    strstr(err, "9.9.7-test.btf.gz (not valid BTF") != NULL, "%s", err);

	/* without BTF, a load is counted as "btf not found" */
	ck_assert_int_eq(assets_init(&a, builddir, &s, err, sizeof(err)), 0);
	ck_assert(!a.have_btf);
	ck_assert_int_eq(load_mapwalk(&a), -1);
	ck_assert_uint_eq(asset_record(&a, "mapwalk.bpf.o")->outcomes[ASSET_BTF_NOT_FOUND], 1);
	ck_assert_ptr_nonnull(strstr(err, "no usable kernel BTF"));
	assets_free(&a);
}
END_TEST

START_TEST(test_asset_loads_and_counts)
{
	struct btf_search s = search_kernel();
	struct assets a;

	ck_assert_int_eq(assets_init(&a, builddir, &s, err, sizeof(err)), 0);
	ck_assert_msg(load_mapwalk(&a) == 0, "%s", err);
	ck_assert_msg(load_mapwalk(&a) == 0, "%s", err);
	ck_assert_uint_eq(asset_record(&a, "mapwalk.bpf.o")->outcomes[ASSET_LOADED], 2);
	ck_assert_int_eq(asset_record(&a, "mapwalk.bpf.o")->last, ASSET_LOADED);
	ck_assert_ptr_nonnull(asset_expected_sha256("ksym.bpf.o"));
	ck_assert_ptr_null(asset_expected_sha256("nonexistent.bpf.o"));
	assets_free(&a);
}
END_TEST

START_TEST(test_tampered_asset_refused)
{
	struct btf_search s = search_kernel();
	char from[PATH_MAX];
	struct assets a;
	unsigned char c;
	int fd;

	snprintf(from, sizeof(from), "%s/mapwalk.bpf.o", builddir);
	copy_file(from, tmp_path("mapwalk.bpf.o"), 0);
	ck_assert_int_ne(fd = open(tmp_path("mapwalk.bpf.o"), O_RDWR), -1);
	ck_assert_int_eq(pread(fd, &c, 1, 200), 1);
	c ^= 0x01;
	ck_assert_int_eq(pwrite(fd, &c, 1, 200), 1);
	close(fd);

	ck_assert_int_eq(assets_init(&a, tmp, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(load_mapwalk(&a), -1);
	ck_assert_ptr_nonnull(strstr(err, "SHA-256"));
	ck_assert_ptr_nonnull(strstr(err, "reinstall"));
	ck_assert_uint_eq(asset_record(&a, "mapwalk.bpf.o")->outcomes[ASSET_HASH_MISMATCH], 1);
	ck_assert_uint_eq(asset_record(&a, "mapwalk.bpf.o")->outcomes[ASSET_LOADED], 0);

	/* a missing asset is a read error */
	unlink(tmp_path("mapwalk.bpf.o"));
	ck_assert_int_eq(load_mapwalk(&a), -1);
	ck_assert_ptr_nonnull(strstr(err, "mapwalk.bpf.o: No such file"));
	ck_assert_uint_eq(asset_record(&a, "mapwalk.bpf.o")->outcomes[ASSET_READ_ERROR], 1);

	/* a symlink in the asset directory is not followed */
	ck_assert_int_eq(symlink(from, tmp_path("mapwalk.bpf.o")), 0);
	ck_assert_int_eq(load_mapwalk(&a), -1);
	ck_assert_uint_eq(asset_record(&a, "mapwalk.bpf.o")->outcomes[ASSET_READ_ERROR], 2);
	unlink(tmp_path("mapwalk.bpf.o"));
	assets_free(&a);
}
END_TEST

START_TEST(test_verifier_error_kept)
{
	struct btf_search s = search_kernel();
	struct verifier_reject_bpf *skel = calloc(1, sizeof(*skel));
	const struct asset_record *r;
	char dir[PATH_MAX];
	struct assets a;

	snprintf(dir, sizeof(dir), "%s/../tests", builddir);
	ck_assert_int_eq(assets_init(&a, dir, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(verifier_reject_bpf__create_skeleton(skel), 0);
	ck_assert_msg(asset_open(&a, "verifier_reject.bpf.o", skel->skeleton,
	    err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(asset_load(&a, "verifier_reject.bpf.o",
	    skel->skeleton, err, sizeof(err)), -1);
	verifier_reject_bpf__destroy(skel);
	r = asset_record(&a, "verifier_reject.bpf.o");
	ck_assert_uint_eq(r->outcomes[ASSET_VERIFIER_ERROR], 1);
	ck_assert_ptr_nonnull(strstr(err, "the kernel refused to load it"));
	/* the verifier's own words are kept */
	ck_assert_msg(strstr(r->verifier_log, "invalid mem access") != NULL ||
	    strstr(r->verifier_log, "map_value_or_null") != NULL,
	    "log: %s", r->verifier_log);
	assets_free(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("assets");
	TCase *tc = tcase_create("kernel");
	int rc;

	log_init("check_assets", 1, getenv("LP_DEBUG") ? LOG_DEBUG : LOG_INFO);
	if (geteuid() != 0)
		test_skip_or_fail("check_assets", "needs root to load BPF");
	if (access(BTF_KERNEL_PATH, R_OK) == -1)
		test_skip_or_fail("check_assets", "no " BTF_KERNEL_PATH);
	if ((builddir = getenv("top_builddir")) == NULL)
		builddir = ".";
	{
		static char bpfdir[PATH_MAX];

		snprintf(bpfdir, sizeof(bpfdir), "%s/bpf", builddir);
		builddir = bpfdir;
	}
	if ((tmp = test_make_dir("lockprobe-assets")) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_kernel_btf);
	tcase_add_test(tc, test_configured_btf);
	tcase_add_test(tc, test_fallback_gzip_loads);
	tcase_add_test(tc, test_fallback_raw);
	tcase_add_test(tc, test_btf_missing_and_corrupt);
	tcase_add_test(tc, test_asset_loads_and_counts);
	tcase_add_test(tc, test_tampered_asset_refused);
	tcase_add_test(tc, test_verifier_error_kept);
	suite_add_tcase(s, tc);
	rc = test_run_suite(s);
	test_cleanup_dir(tmp);
	return rc;
}
