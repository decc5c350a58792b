/*
 * The conformance client (tests/tuf-client) against repositories served by
 * a real HTTP server on loopback, in the situations the public
 * tuf-conformance suite checks: init, refresh and the requests it makes,
 * root rotation (and a broken chain), expired and rolled-back metadata, key
 * rotation with fast-forward attack recovery, expired trusted metadata as
 * the rollback floor, a raised threshold, delegations (terminating, path
 * patterns, expired roles), target download with hash and length checks and caching,
 * and the files left in the metadata directory.  Repositories are built
 * with tests/tuf_testrepo.c and written to the served directory before
 * every step; the client is fork+exec'd, as the suite runs it.
 *
 * usage: tuf_client_scenarios CLIENT SERVEDIR BASEURL REQUESTLOG WORKDIR
 *
 * REQUESTLOG is the server's log (python3 -m http.server's stderr): the
 * requests of a step are the "GET" lines added while the client ran.
 * Prints "ok:" and "FAIL:" lines; exits 0 if nothing failed.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "tuf_testrepo.h"
#include "tuf_util.h"

static const char	*client, *servedir, *baseurl, *reqlog, *workdir;
static int		 failures;
static int64_t		 now;

/* One scenario: its repository, its client directories, its URLs. */
struct scen {
	const char	*name;
	struct tr_repo	 r;
	char		 repo[4096];	/* SERVEDIR/NAME */
	char		 mdir[4096];	/* WORKDIR/NAME/metadata */
	char		 tdir[4096];	/* WORKDIR/NAME/targets */
	char		 rootfile[4096];
	char		 murl[4096];
	char		 turl[4096];
	char		 requests[8192];	/* paths the last run asked for */
};

static void check(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

static void
check(int cond, const char *fmt, ...)
{
	va_list	ap;

	fputs(cond ? "ok: " : "FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		failures++;
}

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "tuf_client_scenarios: %s: %s\n", what,
	    strerror(errno));
	exit(1);
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_tree(const char *path)
{
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == -1 &&
	    errno != ENOENT)
		die(path);
}

static void
mkdirs(char *path)
{
	char	*p;

	for (p = path + 1; *p != '\0'; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0755) == -1 && errno != EEXIST)
				die(path);
			*p = '/';
		}
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		die(path);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE	*fp;

	if ((fp = fopen(path, "wb")) == NULL)
		die(path);
	if (fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		die(path);
}

/* The served directory becomes exactly the builder's remote files. */
static void
serve(struct scen *s)
{
	char	path[8192], *slash;
	size_t	i;

	rm_tree(s->repo);
	for (i = 0; i < s->r.remote.n; i++) {
		snprintf(path, sizeof(path), "%s/%s", s->repo,
		    s->r.remote.f[i].name);
		slash = strrchr(path, '/');
		*slash = '\0';
		mkdirs(path);
		*slash = '/';
		write_file(path, s->r.remote.f[i].data, s->r.remote.f[i].len);
	}
}

static long
file_size(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : 0;
}

/* Request paths logged since offset, below this scenario's directory. */
static void
collect_requests(struct scen *s, long offset)
{
	char	 line[8192], prefix[512], *p, *e;
	FILE	*fp;
	size_t	 plen, l;

	s->requests[0] = '\0';
	if ((fp = fopen(reqlog, "r")) == NULL)
		die(reqlog);
	if (fseek(fp, offset, SEEK_SET) == -1)
		die(reqlog);
	plen = (size_t)snprintf(prefix, sizeof(prefix), "\"GET /%s/",
	    s->name);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if ((p = strstr(line, prefix)) == NULL)
			continue;
		p += plen;
		if ((e = strchr(p, ' ')) == NULL)
			continue;
		l = strlen(s->requests);
		snprintf(s->requests + l, sizeof(s->requests) - l, "%s%.*s",
		    l > 0 ? " " : "", (int)(e - p), p);
	}
	fclose(fp);
}

/* Run the client: argv after the program name, NULL-terminated. */
static int
run(struct scen *s, ...)
{
	const char	*argv[32];
	va_list		 ap;
	long		 offset;
	pid_t		 pid;
	int		 n = 0, status;

	argv[n++] = client;
	va_start(ap, s);
	while ((argv[n] = va_arg(ap, const char *)) != NULL && n < 30)
		n++;
	va_end(ap);
	argv[n] = NULL;
	fflush(stdout);
	offset = file_size(reqlog);
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		execv(client, (char *const *)(uintptr_t)argv);
		fprintf(stderr, "%s: %s\n", client, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1)
		die("waitpid");
	collect_requests(s, offset);
	if (!WIFEXITED(status)) {
		check(0, "%s: the client died with signal %d", s->name,
		    WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}

static int
refresh(struct scen *s)
{
	return run(s, "--metadata-url", s->murl, "--metadata-dir", s->mdir,
	    "refresh", NULL);
}

static int
download(struct scen *s, const char *target)
{
	return run(s, "--metadata-url", s->murl, "--metadata-dir", s->mdir,
	    "--target-name", target, "--target-dir", s->tdir,
	    "--target-base-url", s->turl, "download", NULL);
}

static void
scen_init(struct scen *s, const char *name, int consistent)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	tr_repo_init_at(&s->r, consistent, now);
	snprintf(s->repo, sizeof(s->repo), "%s/%s", servedir, name);
	snprintf(s->mdir, sizeof(s->mdir), "%s/%s/metadata", workdir, name);
	snprintf(s->tdir, sizeof(s->tdir), "%s/%s/targets", workdir, name);
	snprintf(s->rootfile, sizeof(s->rootfile), "%s/%s/initial_root.json",
	    workdir, name);
	snprintf(s->murl, sizeof(s->murl), "%s/%s/metadata", baseurl, name);
	snprintf(s->turl, sizeof(s->turl), "%s/%s/targets", baseurl, name);
	mkdirs(s->mdir);
	mkdirs(s->tdir);
	if (chmod(s->mdir, 0700) == -1 || chmod(s->tdir, 0700) == -1)
		die(s->mdir);
	write_file(s->rootfile, s->r.root1, s->r.root1len);
}

/* tr_publish, then serve. */
static void
publish(struct scen *s)
{
	tr_publish(&s->r);
	serve(s);
}

static void
scen_free(struct scen *s)
{
	tr_repo_free(&s->r);
}

static int
init(struct scen *s)
{
	return run(s, "--metadata-dir", s->mdir, "init", s->rootfile, NULL);
}

/* signed.version of DIR/ROLE.json, or -1. */
static long long
version(const struct scen *s, const char *role)
{
	char		 path[8192];
	json_t		*doc;
	long long	 v;

	snprintf(path, sizeof(path), "%s/%s.json", s->mdir, role);
	if ((doc = json_load_file(path, 0, NULL)) == NULL)
		return -1;
	v = json_integer_value(json_object_get(json_object_get(doc, "signed"),
	    "version"));
	json_decref(doc);
	return v;
}

/* The snapshot version the stored timestamp lists, or -1. */
static long long
snapshot_listed(const struct scen *s)
{
	char		 path[8192];
	json_t		*doc;
	long long	 v;

	snprintf(path, sizeof(path), "%s/timestamp.json", s->mdir);
	if ((doc = json_load_file(path, 0, NULL)) == NULL)
		return -1;
	v = json_integer_value(json_object_get(json_object_get(json_object_get(
	    json_object_get(doc, "signed"), "meta"), "snapshot.json"),
	    "version"));
	json_decref(doc);
	return v;
}

/* The sorted, space-separated names in a directory. */
static void
listing(const char *dir, char *out, size_t outlen)
{
	struct dirent	**ents;
	size_t		  l = 0;
	int		  n, i;

	out[0] = '\0';
	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1)
		die(dir);
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' || strncmp(ents[i]->d_name,
		    ".tmp", 4) == 0) {
			snprintf(out + l, outlen - l, "%s%s", l > 0 ? " " : "",
			    ents[i]->d_name);
			l = strlen(out);
		}
		free(ents[i]);
	}
	free(ents);
}

static void
check_files(const struct scen *s, const char *dir, const char *want)
{
	char	got[4096];

	listing(dir, got, sizeof(got));
	check(strcmp(got, want) == 0, "%s: %s holds \"%s\" (want \"%s\")",
	    s->name, dir == s->mdir ? "the metadata directory" :
	    "the target directory", got, want);
}

static void
check_requests(const struct scen *s, const char *step, const char *want)
{
	check(strcmp(s->requests, want) == 0, "%s: %s requested \"%s\" "
	    "(want \"%s\")", s->name, step, s->requests, want);
}

static void
check_versions(const struct scen *s, const char *step, long long root,
    long long ts, long long snap, long long targets)
{
	long long	r = version(s, "root"), t = version(s, "timestamp");
	long long	n = version(s, "snapshot"), g = version(s, "targets");

	check(r == root && t == ts && n == snap && g == targets,
	    "%s: after %s, trusted versions root %lld timestamp %lld "
	    "snapshot %lld targets %lld (want %lld %lld %lld %lld)", s->name,
	    step, r, t, n, g, root, ts, snap, targets);
}

/* The content of DIR/NAME, or "" if unreadable. */
static void
content(const char *dir, const char *name, char *out, size_t outlen)
{
	char	 path[8192];
	FILE	*fp;
	size_t	 n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "rb")) != NULL) {
		n = fread(out, 1, outlen - 1, fp);
		fclose(fp);
	}
	out[n] = '\0';
}

/* Rotate the root: version v, the keys given, signed by signers. */
static void
new_root(struct scen *s, int64_t v, int64_t expires, const struct tr_key *rk,
    const struct tr_key *tk, struct tr_key *const *signers, size_t n)
{
	json_decref(s->r.root);
	s->r.root = tr_root_signed(v, expires, s->r.consistent, rk, tk,
	    &s->r.sk, &s->r.gk);
	tr_publish_root(&s->r, signers, n);
}

/* --- the scenarios ----------------------------------------------------- */

static void
scen_basic(int consistent)
{
	struct scen	s;

	scen_init(&s, consistent ? "basic" : "basic-plain", consistent);
	publish(&s);
	check(init(&s) == 0, "%s: init", s.name);
	check_requests(&s, "init", "");
	check_files(&s, s.mdir, "root.json");
	check(refresh(&s) == 0, "%s: refresh", s.name);
	check_requests(&s, "the first refresh", consistent ?
	    "metadata/2.root.json metadata/timestamp.json "
	    "metadata/1.snapshot.json metadata/1.targets.json" :
	    "metadata/2.root.json metadata/timestamp.json "
	    "metadata/snapshot.json metadata/targets.json");
	check_versions(&s, "the first refresh", 1, 1, 1, 1);
	check_files(&s, s.mdir,
	    "root.json snapshot.json targets.json timestamp.json");
	/* An unchanged repository costs the root probe and the timestamp. */
	check(refresh(&s) == 0, "%s: second refresh", s.name);
	check_requests(&s, "a refresh of an unchanged repository",
	    "metadata/2.root.json metadata/timestamp.json");

	/* A new timestamp with the same version is not taken. */
	s.r.snap_version = 7;
	tr_publish(&s.r);
	s.r.snap_version = 1;
	serve(&s);
	refresh(&s);
	check_versions(&s, "a changed timestamp of the same version", 1, 1, 1,
	    1);
	check(snapshot_listed(&s) == 1, "%s: the stored timestamp still "
	    "lists snapshot version 1", s.name);
	scen_free(&s);
}

static void
scen_bad_root(void)
{
	struct scen	 s;
	json_t		*doc;
	char		*text;
	const char	*sig;
	char		 flipped[1024];

	scen_init(&s, "bad-root", 1);
	publish(&s);
	/* A signature over other bytes: init refuses, refresh asks nothing. */
	doc = json_loadb((const char *)s.r.root1, s.r.root1len, 0, NULL);
	sig = json_string_value(json_object_get(json_array_get(
	    json_object_get(doc, "signatures"), 0), "sig"));
	snprintf(flipped, sizeof(flipped), "%s", sig);
	flipped[0] = flipped[0] == '0' ? '1' : '0';
	json_object_set_new(json_array_get(json_object_get(doc, "signatures"),
	    0), "sig", json_string(flipped));
	text = json_dumps(doc, 0);
	write_file(s.rootfile, text, strlen(text));
	free(text);
	check(init(&s) == 1, "%s: init refuses a root whose signature does "
	    "not verify", s.name);
	check_files(&s, s.mdir, "");
	check(refresh(&s) == 1, "%s: refresh without a trusted root fails",
	    s.name);
	check_requests(&s, "a refresh without a trusted root", "");
	/* No version: not root metadata. */
	json_object_del(json_object_get(doc, "signed"), "version");
	text = json_dumps(doc, 0);
	write_file(s.rootfile, text, strlen(text));
	free(text);
	check(init(&s) == 1, "%s: init refuses a root without a version",
	    s.name);
	write_file(s.rootfile, "{\"signed\": ", 11);
	check(init(&s) == 1, "%s: init refuses truncated JSON", s.name);
	json_decref(doc);
	scen_free(&s);
}

static void
scen_root_rotation(void)
{
	struct scen	 s;
	struct tr_key	 rk2, rk3, *k[2];

	scen_init(&s, "root-rotation", 1);
	publish(&s);
	check(init(&s) == 0 && refresh(&s) == 0, "%s: init and refresh",
	    s.name);
	/* v2 and v3 each signed by the old and the new root key. */
	tr_key_new(&rk2);
	tr_key_new(&rk3);
	k[0] = &s.r.rk;
	k[1] = &rk2;
	new_root(&s, 2, s.r.expires, &rk2, &s.r.tk, k, 2);
	k[0] = &rk2;
	k[1] = &rk3;
	new_root(&s, 3, s.r.expires, &rk3, &s.r.tk, k, 2);
	serve(&s);
	check(refresh(&s) == 0, "%s: refresh through versions 2 and 3",
	    s.name);
	check_requests(&s, "the rotation", "metadata/2.root.json "
	    "metadata/3.root.json metadata/4.root.json "
	    "metadata/timestamp.json");
	check_versions(&s, "the rotation", 3, 1, 1, 1);
	/* v4 signed only by its own new key: the chain breaks there. */
	tr_key_new(&s.r.rk);
	k[0] = &s.r.rk;
	new_root(&s, 4, s.r.expires, &s.r.rk, &s.r.tk, k, 1);
	serve(&s);
	check(refresh(&s) == 1, "%s: a root not signed by the trusted "
	    "root's keys is refused", s.name);
	check_versions(&s, "the refused root", 3, 1, 1, 1);
	/* Version 4 signed by version 3's key, not by its own: refused. */
	k[0] = &rk3;
	new_root(&s, 4, s.r.expires, &s.r.rk, &s.r.tk, k, 1);
	serve(&s);
	check(refresh(&s) == 1, "%s: a root not signed by its own keys is "
	    "refused", s.name);
	check(version(&s, "root") == 3, "%s: root stays at version 3",
	    s.name);
	scen_free(&s);
}

static void
scen_expired(void)
{
	struct scen	s;
	struct tr_key	*k[1];
	int64_t		good;

	scen_init(&s, "expired", 1);
	publish(&s);
	check(init(&s) == 0 && refresh(&s) == 0, "%s: init and refresh",
	    s.name);
	good = s.r.expires;
	/* An expired new timestamp is refused and not stored. */
	s.r.expires = now - TR_DAY;
	s.r.ts_version = 2;
	publish(&s);
	check(refresh(&s) == 1, "%s: an expired timestamp fails the refresh",
	    s.name);
	check_versions(&s, "an expired timestamp", 1, 1, 1, 1);
	/* An expired snapshot, with a good timestamp. */
	s.r.ts_version = 3;
	s.r.snap_version = 2;
	tr_publish(&s.r);
	s.r.expires = good;
	{
		/* re-sign the timestamp alone with a good expiry */
		struct tr_file	*f = tr_get(&s.r.remote,
		    "metadata/2.snapshot.json");
		json_t		*ts = tr_signed("timestamp", 3, good);
		unsigned char	*b;
		size_t		 len;

		json_object_set_new(ts, "meta", json_pack("{s:o}",
		    "snapshot.json", tr_fileinfo(f->data, f->len, 2)));
		k[0] = &s.r.tk;
		b = tr_sign(ts, k, NULL, 1, &len);
		tr_put(&s.r.remote, "metadata/timestamp.json", b, len);
		free(b);
		json_decref(ts);
	}
	serve(&s);
	check(refresh(&s) == 1, "%s: an expired snapshot fails the refresh",
	    s.name);
	check_versions(&s, "an expired snapshot", 1, 3, 1, 1);
	/* An expired root (5.3.10): stored, then the refresh stops. */
	k[0] = &s.r.rk;
	s.r.ts_version = 4;
	s.r.snap_version = 3;
	publish(&s);
	new_root(&s, 2, now - TR_DAY, &s.r.rk, &s.r.tk, k, 1);
	serve(&s);
	check(refresh(&s) == 1, "%s: an expired root fails the refresh",
	    s.name);
	check_versions(&s, "an expired root", 2, 3, 1, 1);
	scen_free(&s);
}

/*
 * Trusted metadata that expired while the client was off still serves as
 * the rollback floor, and newer metadata replaces it (the suite's
 * test_expired_metadata, with the passing of time written into the
 * metadata directory instead of faked with faketime).
 */
static void
scen_expired_local(void)
{
	struct scen	 s;
	struct tr_key	*k[1];
	unsigned char	*b;
	json_t		*ts;
	char		 path[8192];
	size_t		 len;

	scen_init(&s, "expired-local", 1);
	publish(&s);
	check(init(&s) == 0 && refresh(&s) == 0, "%s: init and refresh",
	    s.name);
	/* The stored timestamp, version 1, expired yesterday. */
	ts = tr_signed("timestamp", 1, now - TR_DAY);
	json_object_set_new(ts, "meta", json_pack("{s:{s:I}}",
	    "snapshot.json", "version", (json_int_t)1));
	k[0] = &s.r.tk;
	b = tr_sign(ts, k, NULL, 1, &len);
	snprintf(path, sizeof(path), "%s/timestamp.json", s.mdir);
	write_file(path, b, len);
	free(b);
	json_decref(ts);
	check(refresh(&s) == 1, "%s: the expired stored timestamp, still the "
	    "newest, fails the refresh", s.name);
	s.r.ts_version = 2;
	s.r.snap_version = 2;
	json_object_set_new(s.r.targets, "version", json_integer(2));
	publish(&s);
	check(refresh(&s) == 0, "%s: newer metadata replaces expired stored "
	    "metadata", s.name);
	check_versions(&s, "the refresh", 1, 2, 2, 2);
	/* Expired or not, the stored version 2 is the floor. */
	s.r.ts_version = 1;
	publish(&s);
	check(refresh(&s) == 1, "%s: timestamp version 1 is still a rollback",
	    s.name);
	scen_free(&s);
}

static void
scen_rollback(void)
{
	struct scen	s;

	scen_init(&s, "rollback", 1);
	s.r.ts_version = 3;
	s.r.snap_version = 3;
	json_object_set_new(s.r.targets, "version", json_integer(3));
	publish(&s);
	check(init(&s) == 0 && refresh(&s) == 0, "%s: init and refresh",
	    s.name);
	check_versions(&s, "the first refresh", 1, 3, 3, 3);
	s.r.ts_version = 2;
	publish(&s);
	check(refresh(&s) == 1, "%s: an older timestamp is refused", s.name);
	s.r.ts_version = 4;
	s.r.snap_version = 2;
	publish(&s);
	check(refresh(&s) == 1, "%s: a timestamp listing an older snapshot "
	    "is refused", s.name);
	check_versions(&s, "the snapshot rollback", 1, 3, 3, 3);
	s.r.ts_version = 5;
	s.r.snap_version = 4;
	json_object_set_new(s.r.targets, "version", json_integer(2));
	publish(&s);
	check(refresh(&s) == 1, "%s: a snapshot listing older targets is "
	    "refused", s.name);
	check_versions(&s, "the targets rollback", 1, 5, 3, 3);
	scen_free(&s);
}

static void
scen_fast_forward(void)
{
	struct scen	 s;
	struct tr_key	 tk2, *k[1];

	scen_init(&s, "fast-forward", 1);
	/* An attacker holding the timestamp key pushed version 1000. */
	s.r.ts_version = 1000;
	publish(&s);
	check(init(&s) == 0 && refresh(&s) == 0, "%s: init and refresh",
	    s.name);
	check_versions(&s, "the attack", 1, 1000, 1, 1);
	/* Without a key rotation, version 1 is a rollback. */
	s.r.ts_version = 1;
	publish(&s);
	check(refresh(&s) == 1, "%s: timestamp version 1 refused before the "
	    "key rotation", s.name);
	/* Root v2 rotates the timestamp key: the client starts over. */
	tr_key_new(&tk2);
	k[0] = &s.r.rk;
	new_root(&s, 2, s.r.expires, &s.r.rk, &tk2, k, 1);
	s.r.tk = tk2;
	publish(&s);
	check(refresh(&s) == 0, "%s: refresh after the timestamp key rotation",
	    s.name);
	check_versions(&s, "the recovery", 2, 1, 1, 1);
	/* Metadata signed by the old timestamp key is no longer accepted. */
	check(refresh(&s) == 0, "%s: refresh again", s.name);
	scen_free(&s);
}

static void
scen_delegations(void)
{
	struct scen	 s;
	json_t		*a, *b, *c;
	unsigned char	 d[crypto_hash_sha256_BYTES];
	char		 got[256], want[1024];
	char		 hex[2 * crypto_hash_sha256_BYTES + 1];

	scen_init(&s, "delegations", 1);
	/*
	 * targets delegates to a (paths "lockstat/a*", terminating), b
	 * ("lockstat/" and a star) and c ("other/" and a star).
	 */
	a = tr_add_role(&s.r, "a");
	b = tr_add_role(&s.r, "b");
	c = tr_add_role(&s.r, "c");
	tr_delegate(s.r.targets, &s.r.dk, "a", "lockstat/a*", 1);
	tr_delegate(s.r.targets, &s.r.dk, "b", "lockstat/*", 0);
	tr_delegate(s.r.targets, &s.r.dk, "c", "other/*", 0);
	tr_add_target(&s.r, a, "lockstat/a.json", "{\"period\": 1}\n");
	tr_add_target(&s.r, b, "lockstat/b.json", "{\"period\": 2}\n");
	tr_add_target(&s.r, b, "lockstat/az.json", "{\"period\": 3}\n");
	tr_add_target(&s.r, c, "other/deep/c.json", "{\"period\": 4}\n");
	publish(&s);
	check(init(&s) == 0, "%s: init", s.name);
	check(download(&s, "lockstat/a.json") == 0, "%s: download a target "
	    "of role a", s.name);
	crypto_hash_sha256(d, (const unsigned char *)"{\"period\": 1}\n", 14);
	tuf_hex_encode(d, sizeof(d), hex);
	snprintf(want, sizeof(want), "metadata/2.root.json "
	    "metadata/timestamp.json metadata/1.snapshot.json "
	    "metadata/1.targets.json metadata/1.a.json "
	    "targets/lockstat/%s.a.json", hex);
	check_requests(&s, "the download", want);
	content(s.tdir, "lockstat%2Fa.json", got, sizeof(got));
	check(strcmp(got, "{\"period\": 1}\n") == 0, "%s: the downloaded "
	    "file holds what role a signed", s.name);
	check(download(&s, "lockstat/b.json") == 0, "%s: download a target "
	    "of role b (a does not match its path)", s.name);
	check(download(&s, "lockstat/az.json") == 1, "%s: a terminating "
	    "delegation ends the search before b", s.name);
	check(download(&s, "other/deep/c.json") == 1, "%s: '*' does not "
	    "match across '/'", s.name);
	check_files(&s, s.mdir, "a.json b.json root.json snapshot.json "
	    "targets.json timestamp.json");
	check_files(&s, s.tdir, "lockstat%2Fa.json lockstat%2Fb.json");
	scen_free(&s);
}

/* A delegated role that is expired when first seen is not used or kept. */
static void
scen_delegated_expired(void)
{
	struct scen	 s;
	json_t		*d;
	char		 t[32];

	scen_init(&s, "delegated-expired", 1);
	d = tr_add_role(&s.r, "old");
	tr_delegate(s.r.targets, &s.r.dk, "old", "lockstat/*", 0);
	tr_add_target(&s.r, d, "lockstat/o.json", "{}\n");
	tuf_format_time(now - TR_DAY, t, sizeof(t));
	json_object_set_new(d, "expires", json_string(t));
	publish(&s);
	check(init(&s) == 0 && refresh(&s) == 0, "%s: init and refresh",
	    s.name);
	check(download(&s, "lockstat/o.json") == 1, "%s: a target only an "
	    "expired role lists is refused", s.name);
	check_files(&s, s.mdir,
	    "root.json snapshot.json targets.json timestamp.json");
	check_files(&s, s.tdir, "");
	scen_free(&s);
}

/*
 * A new root raises the snapshot threshold without new keys: the refresh
 * fails, and the stored snapshot stays on disk (the suite's
 * test_root_has_keys_but_not_snapshot).
 */
static void
scen_threshold_raised(void)
{
	struct scen	 s;
	struct tr_key	*k[1];

	scen_init(&s, "threshold-raised", 1);
	publish(&s);
	check(init(&s) == 0 && refresh(&s) == 0, "%s: init and refresh",
	    s.name);
	json_object_set_new(json_object_get(json_object_get(s.r.root, "roles"),
	    "snapshot"), "threshold", json_integer(2));
	json_object_set_new(s.r.root, "version", json_integer(2));
	k[0] = &s.r.rk;
	tr_publish_root(&s.r, k, 1);
	s.r.ts_version = 2;
	s.r.snap_version = 2;
	publish(&s);
	check(refresh(&s) == 1, "%s: a snapshot below the new threshold is "
	    "refused", s.name);
	check_versions(&s, "the refused snapshot", 2, 2, 1, 1);
	scen_free(&s);
}

static void
scen_download(void)
{
	struct scen	 s;
	struct tr_file	*f;
	char		 got[256], name[512];
	size_t		 i;

	scen_init(&s, "download", 1);
	tr_add_target(&s.r, NULL, "lockstat/x.json", "{\"period\": 5}\n");
	tr_add_target(&s.r, NULL, "top.json", "{}\n");
	publish(&s);
	check(init(&s) == 0, "%s: init", s.name);
	check(download(&s, "nonexistent artifact") == 1, "%s: a target that "
	    "is not listed fails", s.name);
	check_versions(&s, "the failed download", 1, 1, 1, 1);
	check(download(&s, "lockstat/x.json") == 0, "%s: download", s.name);
	content(s.tdir, "lockstat%2Fx.json", got, sizeof(got));
	check(strcmp(got, "{\"period\": 5}\n") == 0, "%s: the file's content",
	    s.name);
	/* Cached: the second download asks for metadata only. */
	check(download(&s, "lockstat/x.json") == 0, "%s: download again",
	    s.name);
	check_requests(&s, "the cached download", "metadata/2.root.json "
	    "metadata/timestamp.json");
	/* The served file changes (same length, then longer): refused. */
	for (i = 0; i < s.r.remote.n; i++) {
		f = &s.r.remote.f[i];
		if (strncmp(f->name, "targets/top.json", 16) == 0 ||
		    (strncmp(f->name, "targets/", 8) == 0 &&
		    strstr(f->name, ".top.json") != NULL))
			f->data[0] = '[';
	}
	serve(&s);
	check(download(&s, "top.json") == 1, "%s: a target whose hash does "
	    "not match is refused", s.name);
	for (i = 0; i < s.r.remote.n; i++) {
		f = &s.r.remote.f[i];
		if (strncmp(f->name, "targets/", 8) == 0 &&
		    strstr(f->name, "top.json") != NULL) {
			snprintf(name, sizeof(name), "%s", f->name);
			tr_put(&s.r.remote, name, "{}\n\n", 4);
		}
	}
	serve(&s);
	check(download(&s, "top.json") == 1, "%s: a target longer than its "
	    "length is refused", s.name);
	check_files(&s, s.tdir, "lockstat%2Fx.json");
	/* A stored copy that no longer matches is fetched again. */
	write_file(strcat(strcpy(name, s.tdir), "/lockstat%2Fx.json"), "{}\n",
	    3);
	check(download(&s, "lockstat/x.json") == 0, "%s: a stale stored copy "
	    "is replaced", s.name);
	content(s.tdir, "lockstat%2Fx.json", got, sizeof(got));
	check(strcmp(got, "{\"period\": 5}\n") == 0, "%s: the replaced "
	    "file's content", s.name);
	check_files(&s, s.mdir,
	    "root.json snapshot.json targets.json timestamp.json");
	scen_free(&s);
}

int
main(int argc, char *argv[])
{
	if (argc != 6) {
		fprintf(stderr, "usage: tuf_client_scenarios CLIENT SERVEDIR "
		    "BASEURL REQUESTLOG WORKDIR\n");
		return 2;
	}
	client = argv[1];
	servedir = argv[2];
	baseurl = argv[3];
	reqlog = argv[4];
	workdir = argv[5];
	now = (int64_t)time(NULL);

	scen_basic(1);
	scen_basic(0);
	scen_bad_root();
	scen_root_rotation();
	scen_expired();
	scen_expired_local();
	scen_rollback();
	scen_fast_forward();
	scen_threshold_raised();
	scen_delegations();
	scen_delegated_expired();
	scen_download();
	printf("%d failed\n", failures);
	return failures == 0 ? 0 : 1;
}
