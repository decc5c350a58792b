/*
 * Unit tests of netd/products.c: configuration targets parsed from JSON
 * into typed settings, bad types and unknown fields named, and the scope
 * rules that choose a host's configuration.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <check.h>
#include <jansson.h>

#include "products.h"
#include "testutil.h"

static char err[1024];

#define ck_err_is(s) ck_assert_str_eq(err, (s))

static Lockprobe__CollectorSettings *
lockstat(const char *json)
{
	return product_parse_lockstat("lockstat/a.json", json, strlen(json),
	    err, sizeof(err));
}

START_TEST(test_product_of)
{
	ck_assert_int_eq(product_of("lockstat/default.json"), PRODUCT_LOCKSTAT);
	ck_assert_int_eq(product_of("netd/x-1_2.json"), PRODUCT_NETD);
	ck_assert_int_eq(product_of("lockstat/.json"), -1);
	ck_assert_int_eq(product_of("lockstat/.hidden.json"), -1);
	ck_assert_int_eq(product_of("lockstat/a/b.json"), -1);
	ck_assert_int_eq(product_of("lockstat/a.txt"), -1);
	ck_assert_int_eq(product_of("lockstatx/a.json"), -1);
	ck_assert_int_eq(product_of("other/a.json"), -1);
	ck_assert_str_eq(product_name(PRODUCT_NETD), "netd");
}
END_TEST

START_TEST(test_lockstat_good)
{
	Lockprobe__CollectorSettings	*s;

	s = lockstat("{\"enabled\": false, \"rewalk_interval_sec\": 10, "
	    "\"range_budget\": 4096, \"include\": [\"cache_*\"], "
	    "\"exclude\": [\"cache_tmp\", \"x?\"], "
	    "\"map_types\": [\"hash\", \"lru_hash\"]}");
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert(s->has_enabled && !s->enabled);
	ck_assert(s->has_rewalk_interval_sec);
	ck_assert_uint_eq(s->rewalk_interval_sec, 10);
	ck_assert_uint_eq(s->range_budget, 4096);
	ck_assert_uint_eq(s->n_include, 1);
	ck_assert_str_eq(s->include[0], "cache_*");
	ck_assert_uint_eq(s->n_exclude, 2);
	ck_assert_str_eq(s->exclude[1], "x?");
	ck_assert_uint_eq(s->n_map_types, 2);
	protobuf_c_message_free_unpacked(&s->base, NULL);
	/* a field left out keeps lockprobe.conf's value */
	ck_assert_ptr_nonnull(s = lockstat("{}"));
	ck_assert(!s->has_enabled && !s->has_range_budget);
	protobuf_c_message_free_unpacked(&s->base, NULL);
}
END_TEST

static const struct {
	const char	*json;
	const char	*err;
} bad_lockstat[] = {
	{ "{\"colour\": 1}", "lockstat/a.json: colour: unknown field; the "
	    "fields are enabled, rewalk_interval_sec, range_budget, include, "
	    "exclude and map_types" },
	{ "{\"enabled\": 1}", "lockstat/a.json: enabled is an integer, not "
	    "true or false" },
	{ "{\"rewalk_interval_sec\": \"5\"}", "lockstat/a.json: "
	    "rewalk_interval_sec is a string, not a whole number" },
	{ "{\"rewalk_interval_sec\": 1.5}", "lockstat/a.json: "
	    "rewalk_interval_sec is a real number, not a whole number" },
	{ "{\"range_budget\": -1}", "lockstat/a.json: range_budget: -1 is "
	    "out of bounds" },
	{ "{\"range_budget\": 4294967296}", "lockstat/a.json: range_budget: "
	    "4294967296 is out of bounds" },
	{ "{\"range_budget\": 1}", "lockstat/a.json: range_budget: 1 is out "
	    "of bounds; use 64 to 1048576 ranges" },
	{ "{\"rewalk_interval_sec\": 0}", "lockstat/a.json: "
	    "rewalk_interval_sec: 0 is out of bounds; use 1 to 86400 seconds" },
	{ "{\"include\": \"a\"}", "lockstat/a.json: include is a string, not "
	    "an array of strings" },
	{ "{\"include\": [1]}", "lockstat/a.json: include[0] is an integer, "
	    "not a string" },
	{ "{\"exclude\": [\"a b\"]}", "lockstat/a.json: exclude[0]: not a map "
	    "name glob; use 1-64 characters of A-Z a-z 0-9 _ . - * ? [ ] !" },
	{ "{\"map_types\": [\"hashmap\"]}", "lockstat/a.json: map_types[0]: "
	    "not a BPF map type; use a name as bpftool prints it, such as "
	    "hash, lru_hash or ringbuf" },
	{ "[1]", "lockstat/a.json: the file is an array, not an object" },
	{ "{\"enabled\": true, \"enabled\": false}", NULL },
	{ "{\"enabled\": tru", NULL },
	{ "", NULL },
};

START_TEST(test_lockstat_bad)
{
	ck_assert_msg(lockstat(bad_lockstat[_i].json) == NULL, "accepted %s",
	    bad_lockstat[_i].json);
	if (bad_lockstat[_i].err != NULL)
		ck_err_is(bad_lockstat[_i].err);
	else
		ck_assert(strncmp(err, "lockstat/a.json: ", 17) == 0);
}
END_TEST

START_TEST(test_lockstat_limits)
{
	char	big[4096];
	size_t	n, i;

	n = (size_t)snprintf(big, sizeof(big), "{\"include\": [");
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%s\"m%zu\"",
		    i ? "," : "", i);
	(void)snprintf(big + n, sizeof(big) - n, "]}");
	ck_assert_ptr_null(lockstat(big));
	ck_err_is("lockstat/a.json: include: 33 entries; at most 32");
	/* a control character in an unknown key is not copied */
	ck_assert_ptr_null(lockstat("{\"a\\u001b[2J\": 1}"));
	ck_assert_ptr_null(strchr(err, '\033'));
}
END_TEST

START_TEST(test_netd)
{
	struct netd_settings	ns;
	const char		*j;

	j = "{\"poll_interval_sec\": 30, \"log_level\": \"debug\"}";
	ck_assert_int_eq(product_parse_netd("netd/a.json", j, strlen(j), &ns,
	    err, sizeof(err)), 0);
	ck_assert(ns.has_poll_interval && ns.poll_interval_sec == 30);
	ck_assert(ns.has_log_level && ns.log_level == LOG_DEBUG);
	j = "{\"poll_interval_sec\": 0}";
	ck_assert_int_eq(product_parse_netd("netd/a.json", j, strlen(j), &ns,
	    err, sizeof(err)), -1);
	ck_err_is("netd/a.json: poll_interval_sec: 0 is out of bounds; use 1 "
	    "to 86400 seconds");
	j = "{\"log_level\": \"loud\"}";
	ck_assert_int_eq(product_parse_netd("netd/a.json", j, strlen(j), &ns,
	    err, sizeof(err)), -1);
	ck_err_is("netd/a.json: log_level: not one of \"error\", \"warning\", "
	    "\"info\", \"debug\"");
	j = "{\"interval\": 5}";
	ck_assert_int_eq(product_parse_netd("netd/a.json", j, strlen(j), &ns,
	    err, sizeof(err)), -1);
	ck_err_is("netd/a.json: interval: unknown field; the fields are "
	    "poll_interval_sec and log_level");
}
END_TEST

static int
scope(const char *custom_json, const struct host_id *h)
{
	json_t	*custom = NULL;
	int	 r;

	if (custom_json != NULL)
		ck_assert_ptr_nonnull(custom = json_loads(custom_json, 0,
		    NULL));
	r = product_scope("lockstat/a.json", custom, h, err, sizeof(err));
	json_decref(custom);
	return r;
}

START_TEST(test_scope)
{
	struct host_id	h = { .name = "db1", .ntags = 2 };

	strcpy(h.tags[0], "eu");
	strcpy(h.tags[1], "db");
	ck_assert_int_eq(scope(NULL, &h), SCOPE_ANY);
	ck_assert_int_eq(scope("{\"other\": 1}", &h), SCOPE_ANY);
	ck_assert_int_eq(scope("{}", &h), SCOPE_ANY);
	ck_assert_int_eq(scope("{\"hosts\": [\"web1\", \"db1\"]}", &h),
	    SCOPE_HOST);
	ck_assert_int_eq(scope("{\"hosts\": [\"web1\"], \"tags\": [\"db\"]}",
	    &h), SCOPE_TAG);
	ck_assert_int_eq(scope("{\"hosts\": [\"web1\"]}", &h), SCOPE_NONE);
	ck_assert_int_eq(scope("{\"tags\": []}", &h), SCOPE_NONE);
	ck_assert_int_eq(scope("{\"hosts\": \"db1\"}", &h), -1);
	ck_err_is("lockstat/a.json: custom.hosts is a string, not an array of "
	    "names");
	ck_assert_int_eq(scope("{\"tags\": [1]}", &h), -1);
	ck_err_is("lockstat/a.json: custom.tags[0] is an integer, not a "
	    "string");
	ck_assert_int_eq(scope("[]", &h), -1);
	ck_err_is("lockstat/a.json: custom is an array, not an object");
	/* a host without a known name matches no host list */
	h.name = "";
	ck_assert_int_eq(scope("{\"hosts\": [\"\"]}", &h), SCOPE_NONE);
}
END_TEST

static Suite *
products_suite(void)
{
	Suite	*s = suite_create("products");
	TCase	*tc = tcase_create("parse");

	tcase_add_test(tc, test_product_of);
	tcase_add_test(tc, test_lockstat_good);
	tcase_add_loop_test(tc, test_lockstat_bad, 0,
	    sizeof(bad_lockstat) / sizeof(bad_lockstat[0]));
	tcase_add_test(tc, test_lockstat_limits);
	tcase_add_test(tc, test_netd);
	tcase_add_test(tc, test_scope);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(products_suite());
}
