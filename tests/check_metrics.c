/*
 * Unit tests for netd/metrics_render.c: what a scrape says for a given
 * status and statistics, including what the daemon tests cannot make
 * happen (a remote-configuration status, names with quotes, newlines and
 * bytes outside ASCII, counters that disagree), and that promtool accepts
 * every rendering.
 */
#include "config.h"

#include <sys/wait.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "metrics.h"
#include "testutil.h"

#define NSLOTS	4

static char			*rendered;
static Lockprobe__StatusReply	 st = LOCKPROBE__STATUS_REPLY__INIT;
static Lockprobe__NetdStatus	 ns = LOCKPROBE__NETD_STATUS__INIT;
static Lockprobe__IpcStatus	 ipc_privd = LOCKPROBE__IPC_STATUS__INIT;
static Lockprobe__IpcStatus	 ipc_netd = LOCKPROBE__IPC_STATUS__INIT;
static Lockprobe__CalibrationStatus cal = LOCKPROBE__CALIBRATION_STATUS__INIT;
static Lockprobe__Observability	 obs[2], *obs_ptrs[2];
static Lockprobe__RemoteStatus	 remote = LOCKPROBE__REMOTE_STATUS__INIT;
static Lockprobe__ConfigState	 cfg = LOCKPROBE__CONFIG_STATE__INIT;
static Lockprobe__ConfigState	*cfg_ptrs[1] = { &cfg };
static Lockprobe__LockStat	 rows[4], *row_ptrs[4];
static uint64_t			 hist[4][NSLOTS];

static void
fixture(void)
{
	size_t i;

	st.version = (char *)"0.1.0";
	st.netd_starts = 3;
	st.netd_failures = 1;
	st.ipc = &ipc_privd;
	ipc_privd.sent = 10;
	ns.ipc = &ipc_netd;
	ns.uptime_sec = 5;
	ipc_netd.rejected = 2;
	for (i = 0; i < 2; i++) {
		lockprobe__observability__init(&obs[i]);
		obs_ptrs[i] = &obs[i];
		obs[i].reason = (char *)"measured";
	}
	obs[0].lock_class = (char *)"spinning";
	obs[0].verdict = LOCKPROBE__OBSERVABILITY__VERDICT__BLIND;
	obs[1].lock_class = (char *)"sleeping";
	obs[1].verdict = LOCKPROBE__OBSERVABILITY__VERDICT__OBSERVABLE;
	obs[1].lower_bound = 1;
	cal.classes = obs_ptrs;
	cal.n_classes = 2;
	st.calibration = &cal;
	st.n_assets = 0;
	ns.remote = NULL;

	for (i = 0; i < 4; i++) {
		lockprobe__lock_stat__init(&rows[i]);
		row_ptrs[i] = &rows[i];
		rows[i].map_id = 7 + (uint32_t)i;
		rows[i].map_type = (char *)"hash";
		rows[i].hist = hist[i];
		rows[i].n_hist = NSLOTS;
		memset(hist[i], 0, sizeof(hist[i]));
	}
	/* observable, with waits of 1-2 ns (x2) and 4-8 ns (x1) */
	rows[0].map_name = (char *)"busy";
	rows[0].lock_kind = (char *)"freeze_mutex";
	rows[0].lock_class = (char *)"mutex";
	rows[0].verdict = LOCKPROBE__OBSERVABILITY__VERDICT__OBSERVABLE;
	hist[0][0] = 2;
	hist[0][2] = 1;
	rows[0].count = 3;
	rows[0].total_ns = 1500000000;
	rows[0].max_ns = 7;
	/* blind: no samples at all */
	rows[1].map_name = (char *)"blind";
	rows[1].lock_kind = (char *)"htab_bucket";
	rows[1].lock_class = (char *)"spin";
	rows[1].verdict = LOCKPROBE__OBSERVABILITY__VERDICT__BLIND;
	/* a hostile name; a count below its histogram's sum */
	rows[2].map_name = (char *)"a\"b\\c\nd\xff";
	rows[2].lock_kind = (char *)"freeze_mutex";
	rows[2].lock_class = (char *)"mutex";
	rows[2].verdict = LOCKPROBE__OBSERVABILITY__VERDICT__INCONCLUSIVE;
	hist[2][1] = 5;
	rows[2].count = 4;
	/* observable and idle: a real zero, with only its +Inf bucket */
	rows[3].map_name = (char *)"idle";
	rows[3].lock_kind = (char *)"htab_bucket";
	rows[3].lock_class = (char *)"mutex";
	rows[3].verdict = LOCKPROBE__OBSERVABILITY__VERDICT__OBSERVABLE;
}

/* Render status and one page of rows into `rendered`. */
static void
render(size_t nrows)
{
	struct metrics_counters own;
	struct metrics_locks ml;
	Lockprobe__StatsReply sr = LOCKPROBE__STATS_REPLY__INIT;
	struct evbuffer *out = evbuffer_new();
	size_t len;

	memset(&own, 0, sizeof(own));
	own.scrapes = 9;
	own.refused[METRICS_TIMEOUT] = 2;
	sr.stats = row_ptrs;
	sr.n_stats = nrows;
	sr.total = (uint32_t)nrows;
	sr.ranges_tracked = 47;
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(metrics_render_status(out, &st, &ns), 0);
	ck_assert_int_eq(metrics_locks_init(&ml), 0);
	ck_assert_int_eq(metrics_render_stats(&ml, &sr), 0);
	ck_assert_int_eq(metrics_render_finish(out, &ml, &own), 0);
	metrics_locks_free(&ml);
	len = evbuffer_get_length(out);
	free(rendered);
	rendered = malloc(len + 1);
	ck_assert_ptr_nonnull(rendered);
	evbuffer_remove(out, rendered, len);
	rendered[len] = '\0';
	evbuffer_free(out);
}

static void
assert_line(const char *line)
{
	char *want;

	ck_assert_int_ne(asprintf(&want, "\n%s\n", line), -1);
	ck_assert_msg(strstr(rendered, want) != NULL, "missing line: %s\n%s",
	    line, rendered);
	free(want);
}

static void
assert_no(const char *text)
{
	ck_assert_msg(strstr(rendered, text) == NULL, "unexpected: %s", text);
}

/* promtool check metrics on the rendering, where promtool is installed. */
static void
assert_promtool_accepts(void)
{
	FILE *p;
	int status;

	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		if (getenv("CI") != NULL && strcmp(getenv("CI"), "true") == 0)
			ck_abort_msg("promtool is missing (Debian package "
			    "prometheus), and CI=true does not allow a skip");
		return;
	}
	p = popen("promtool check metrics >/dev/null", "w");
	ck_assert_ptr_nonnull(p);
	fputs(rendered, p);
	status = pclose(p);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "promtool refused:\n%s", rendered);
}

START_TEST(test_histogram)
{
	fixture();
	render(3);
	assert_line("# TYPE lockprobe_lock_wait_seconds histogram");
	/* cumulative buckets in seconds, slot i below 2^(i+1) ns */
	assert_line("lockprobe_lock_wait_seconds_bucket{map_id=\"7\","
	    "map_name=\"busy\",map_type=\"hash\",lock=\"freeze_mutex\","
	    "lock_class=\"mutex\",le=\"2e-09\"} 2");
	assert_line("lockprobe_lock_wait_seconds_bucket{map_id=\"7\","
	    "map_name=\"busy\",map_type=\"hash\",lock=\"freeze_mutex\","
	    "lock_class=\"mutex\",le=\"4e-09\"} 2");
	assert_line("lockprobe_lock_wait_seconds_bucket{map_id=\"7\","
	    "map_name=\"busy\",map_type=\"hash\",lock=\"freeze_mutex\","
	    "lock_class=\"mutex\",le=\"8e-09\"} 3");
	assert_line("lockprobe_lock_wait_seconds_bucket{map_id=\"7\","
	    "map_name=\"busy\",map_type=\"hash\",lock=\"freeze_mutex\","
	    "lock_class=\"mutex\",le=\"+Inf\"} 3");
	assert_line("lockprobe_lock_wait_seconds_sum{map_id=\"7\","
	    "map_name=\"busy\",map_type=\"hash\",lock=\"freeze_mutex\","
	    "lock_class=\"mutex\"} 1.500000000");
	assert_line("lockprobe_lock_wait_seconds_count{map_id=\"7\","
	    "map_name=\"busy\",map_type=\"hash\",lock=\"freeze_mutex\","
	    "lock_class=\"mutex\"} 3");
	assert_line("lockprobe_lock_wait_max_seconds{map_id=\"7\","
	    "map_name=\"busy\",map_type=\"hash\",lock=\"freeze_mutex\","
	    "lock_class=\"mutex\"} 0.000000007");
	assert_line("lockprobe_collector_ranges_tracked 47");
	assert_promtool_accepts();
}
END_TEST

START_TEST(test_idle)
{
	fixture();
	render(4);
	assert_line("lockprobe_lock_wait_seconds_bucket{map_id=\"10\","
	    "map_name=\"idle\",map_type=\"hash\",lock=\"htab_bucket\","
	    "lock_class=\"mutex\",le=\"+Inf\"} 0");
	assert_line("lockprobe_lock_wait_seconds_count{map_id=\"10\","
	    "map_name=\"idle\",map_type=\"hash\",lock=\"htab_bucket\","
	    "lock_class=\"mutex\"} 0");
	assert_no("map_name=\"idle\",map_type=\"hash\",lock=\"htab_bucket\","
	    "lock_class=\"mutex\",le=\"2e-09\"");
	assert_promtool_accepts();
}
END_TEST

START_TEST(test_blind_has_no_samples)
{
	fixture();
	render(3);
	assert_no("map_name=\"blind\"");
	assert_line("lockprobe_observability{lock_class=\"spinning\","
	    "verdict=\"blind\"} 1");
	assert_line("lockprobe_observability{lock_class=\"spinning\","
	    "verdict=\"observable\"} 0");
	assert_line("lockprobe_observability{lock_class=\"sleeping\","
	    "verdict=\"observable\"} 1");
	assert_line("lockprobe_observability_lower_bound{lock_class="
	    "\"sleeping\"} 1");
}
END_TEST

START_TEST(test_hostile_names)
{
	fixture();
	st.version = (char *)"1\"\n";
	render(3);
	/* escaped as the format wants; bytes outside ASCII become '?' */
	assert_line("lockprobe_lock_wait_seconds_count{map_id=\"9\","
	    "map_name=\"a\\\"b\\\\c\\nd?\",map_type=\"hash\","
	    "lock=\"freeze_mutex\",lock_class=\"mutex\"} 5");
	/* +Inf is never below a finite bucket */
	assert_line("lockprobe_lock_wait_seconds_bucket{map_id=\"9\","
	    "map_name=\"a\\\"b\\\\c\\nd?\",map_type=\"hash\","
	    "lock=\"freeze_mutex\",lock_class=\"mutex\",le=\"+Inf\"} 5");
	assert_line("lockprobe_build_info{version=\"1\\\"\\n\"} 1");
	assert_promtool_accepts();
}
END_TEST

START_TEST(test_remote)
{
	fixture();
	render(0);
	/* no repository: zero polls, and the families still declared */
	assert_line("lockprobe_remote_enabled 0");
	assert_line("lockprobe_remote_polls_total 0");
	assert_line("# TYPE lockprobe_remote_config_applied gauge");
	assert_line("# TYPE lockprobe_lock_wait_seconds histogram");
	assert_no("lockprobe_lock_wait_seconds_bucket{");
	assert_promtool_accepts();

	remote.enabled = 1;
	remote.polls = 12;
	remote.failures = 2;
	remote.root_version = 1;
	remote.targets_version = 4;
	remote.targets_expires = 1800000000;
	remote.last_success = 1764000000;
	cfg.product = (char *)"lockstat";
	cfg.target = (char *)"lockstat/x\"y.json";
	cfg.version = 4;
	cfg.applied = 0;
	cfg.when = 1764000001;
	remote.configs = cfg_ptrs;
	remote.n_configs = 1;
	ns.remote = &remote;
	render(0);
	assert_line("lockprobe_remote_enabled 1");
	assert_line("lockprobe_remote_polls_total 12");
	assert_line("lockprobe_remote_poll_failures_total 2");
	assert_line("lockprobe_remote_metadata_version{role=\"root\"} 1");
	assert_line("lockprobe_remote_metadata_version{role=\"targets\"} 4");
	assert_line("lockprobe_remote_metadata_expiry_timestamp_seconds{role="
	    "\"targets\"} 1800000000");
	assert_no("expiry_timestamp_seconds{role=\"snapshot\"}");
	assert_line("lockprobe_remote_last_success_timestamp_seconds "
	    "1764000000");
	assert_line("lockprobe_remote_config_applied{product=\"lockstat\","
	    "target=\"lockstat/x\\\"y.json\"} 0");
	assert_line("lockprobe_remote_config_version{product=\"lockstat\","
	    "target=\"lockstat/x\\\"y.json\"} 4");
	assert_promtool_accepts();
}
END_TEST

START_TEST(test_health)
{
	fixture();
	render(0);
	assert_line("lockprobe_netd_restarts_total 2");
	assert_line("lockprobe_netd_failed_runs 1");
	assert_line("lockprobe_ipc_messages_sent_total{process=\"lockprobed\"}"
	    " 10");
	assert_line("lockprobe_ipc_messages_rejected_total{process="
	    "\"lockprobe-netd\"} 2");
	assert_line("lockprobe_metrics_scrapes_total 9");
	assert_line("lockprobe_metrics_refused_total{reason=\"timeout\"} 2");
	assert_line("lockprobe_metrics_refused_total{reason="
	    "\"too_many_clients\"} 0");
	assert_line("lockprobe_btf_available 0");
}
END_TEST

/* Every outcome of every asset is a sample of its own. */
START_TEST(test_assets)
{
	Lockprobe__AssetStatus a = LOCKPROBE__ASSET_STATUS__INIT, *ap = &a;

	fixture();
	a.name = (char *)"kread.bpf.o";
	a.last_outcome = (char *)"verifier_error";
	a.loaded = 1;
	a.btf_not_found = 2;
	a.read_error = 3;
	a.hash_mismatch = 4;
	a.verifier_error = 5;
	st.assets = &ap;
	st.n_assets = 1;
	render(0);
	assert_line("lockprobe_asset_loads_total{asset=\"kread.bpf.o\","
	    "outcome=\"loaded\"} 1");
	assert_line("lockprobe_asset_loads_total{asset=\"kread.bpf.o\","
	    "outcome=\"btf_not_found\"} 2");
	assert_line("lockprobe_asset_loads_total{asset=\"kread.bpf.o\","
	    "outcome=\"read_error\"} 3");
	assert_line("lockprobe_asset_loads_total{asset=\"kread.bpf.o\","
	    "outcome=\"hash_mismatch\"} 4");
	assert_line("lockprobe_asset_loads_total{asset=\"kread.bpf.o\","
	    "outcome=\"verifier_error\"} 5");
	assert_line("lockprobe_asset_loaded{asset=\"kread.bpf.o\"} 0");
	assert_promtool_accepts();
	st.n_assets = 0;
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("render");
	int failed;

	tcase_add_test(tc, test_histogram);
	tcase_add_test(tc, test_idle);
	tcase_add_test(tc, test_blind_has_no_samples);
	tcase_add_test(tc, test_hostile_names);
	tcase_add_test(tc, test_remote);
	tcase_add_test(tc, test_health);
	tcase_add_test(tc, test_assets);
	suite_add_tcase(s, tc);
	failed = test_run_suite(s);
	free(rendered);
	return failed;
}
