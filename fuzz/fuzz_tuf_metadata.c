/*
 * TUF metadata of every role, as the client handles what it downloads:
 * tuf_md_parse (envelope, fields, limits, canonical JSON of "signed"), then
 * tuf_md_verify against a fixed trusted root (and, for the delegated role
 * "db", against a fixed top-level targets that delegates it), and the
 * accessors the client workflow reads.  The first input byte chooses the
 * role: 0 root, 1 timestamp, 2 snapshot, 3 targets, 4 the delegated role db;
 * the rest is the document.
 *
 * Checked besides crashes, leaks and UB: the kept canonical form is the
 * canonical JSON of the parsed "signed"; the verdict matches the count of
 * valid signatures against the threshold, and never exceeds the keys the
 * role lists or the signatures present; and a document that verifies stops
 * verifying once its "signed" changes (its version is bumped and it is
 * parsed again), so that signatures can only cover the bytes checked.
 *
 * The trusted metadata below was made by lockprobe-repo (init, add,
 * delegate -t 2 -x to the role db with two keys, add -r db); the seeds in
 * corpus/fuzz_tuf_metadata/ are the rest of that repository, including a
 * second root signed by the old and the new root key.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "canonical_json.h"
#include "fuzz.h"
#include "json.h"
#include "metadata.h"
#include "tuf_util.h"

#define FUZZ_MAXLEN	(1024 * 1024)
#define NOW		1798761600LL	/* 2027-01-01T00:00:00Z */

static const char trusted_root[] =
	"{\"signatures\":[{\"keyid\":\"73b47f190e829e29650613b8d34e5d11b1e50c0"
	"076e7ccf1f0aab08b10eecc4a\",\"sig\":\"11893e6b358b014f4afc1fc62b32c4"
	"c719f41ab17e3dc0f86b8e0d4534bae7c3371eae60e010420b742e69ba452be6"
	"46a1405c81ff38193c15ac97e079e21204\"}],\"signed\":{\"_type\":\"root\",\""
	"consistent_snapshot\":true,\"expires\":\"2027-11-25T15:32:35Z\",\"keys"
	"\":{\"73b47f190e829e29650613b8d34e5d11b1e50c0076e7ccf1f0aab08b10ee"
	"cc4a\":{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"07664e74d765aff5a"
	"3c4739476cf9b5997070a13b09e40609caa732ef8b41923\"},\"scheme\":\"ed25"
	"519\"},\"875f22b15435c7f619aeaed616d83139807b10c655889974fec226141"
	"6c22a48\":{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"87fad4afcf3473"
	"bb732cf4f9bd023872904b1022f309e5e8d08bb4bd60f29cd9\"},\"scheme\":\"e"
	"d25519\"},\"a481f293b249a2a2bedeae004be0a74e2e27087194e733b682faa8"
	"a0448a6679\":{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"eb6a160253a"
	"9cfd7f1e49ecbbc200953c9e77adfc918b641c8a0d5a781b4de27\"},\"scheme\""
	":\"ed25519\"},\"bf904aa75921b0b019a0a9cc402d84a0d3243c81a855fd15c52"
	"aac71f208ada5\":{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"1aeb098a"
	"2b351c2257766a869d353328d14417692d01d2a712fb840a913ff004\"},\"sche"
	"me\":\"ed25519\"}},\"roles\":{\"root\":{\"keyids\":[\"73b47f190e829e296506"
	"13b8d34e5d11b1e50c0076e7ccf1f0aab08b10eecc4a\"],\"threshold\":1},\"s"
	"napshot\":{\"keyids\":[\"875f22b15435c7f619aeaed616d83139807b10c6558"
	"89974fec2261416c22a48\"],\"threshold\":1},\"targets\":{\"keyids\":[\"bf9"
	"04aa75921b0b019a0a9cc402d84a0d3243c81a855fd15c52aac71f208ada5\"],"
	"\"threshold\":1},\"timestamp\":{\"keyids\":[\"a481f293b249a2a2bedeae004"
	"be0a74e2e27087194e733b682faa8a0448a6679\"],\"threshold\":1}},\"spec_"
	"version\":\"1.0.31\",\"version\":1}}";

static const char trusted_targets[] =
	"{\"signatures\":[{\"keyid\":\"bf904aa75921b0b019a0a9cc402d84a0d3243c8"
	"1a855fd15c52aac71f208ada5\",\"sig\":\"668e46231874a8f0f5608fe3c48d47"
	"22aa73d1c4a34f6ae5bf312314b9815e023f07c170103b773492041667536274"
	"0bea3622ccd6e913826f3d686fddf8020b\"}],\"signed\":{\"_type\":\"targets"
	"\",\"delegations\":{\"keys\":{\"54306444196321497b6d264ad967c01d9fde42"
	"e4e2f8f66f7a6f68945f62d8b1\":{\"keytype\":\"ed25519\",\"keyval\":{\"publ"
	"ic\":\"e64bfc360bb99de14eb07c73283191c1ca70a6cc78d03f5c1ff3a18d003"
	"c671a\"},\"scheme\":\"ed25519\"},\"a495b350b7a03499b6386a2e8ddd9b11411"
	"81783294a7a40ba51ddb7f5781e51\":{\"keytype\":\"ed25519\",\"keyval\":{\"p"
	"ublic\":\"8b6af7daa97e304d470bb9f7cccdbeffe2d6e42b2332a3873bd520f9"
	"6decc28d\"},\"scheme\":\"ed25519\"}},\"roles\":[{\"keyids\":[\"54306444196"
	"321497b6d264ad967c01d9fde42e4e2f8f66f7a6f68945f62d8b1\",\"a495b350"
	"b7a03499b6386a2e8ddd9b1141181783294a7a40ba51ddb7f5781e51\"],\"name"
	"\":\"db\",\"paths\":[\"lockstat/db-*\",\"other/*.json\"],\"terminating\":tr"
	"ue,\"threshold\":2}]},\"expires\":\"2027-02-23T15:32:35Z\",\"spec_versi"
	"on\":\"1.0.31\",\"targets\":{\"lockstat/a.json\":{\"custom\":{\"hosts\":[\"d"
	"b1\"],\"tags\":[\"prod\"]},\"hashes\":{\"sha256\":\"586df437fafb8456f9a4f8"
	"5c5f5d414f1d3b9e2036e657a18f9a7f1433bb0b6d\",\"sha512\":\"833c263d9d"
	"336d7f2524d79c0cb806449485d91777c17b20921ab5155e6999484f061cd45e"
	"b51b6abe0e88ef2f1d2b313c8bb7de699a68ea9b01a8b5933b4cd6\"},\"length"
	"\":14}},\"version\":3}}";

static struct tuf_metadata *root, *targets;
static volatile size_t sink;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	err[512];

	(void)argc;
	(void)argv;
	if (tuf_md_parse(trusted_root, sizeof(trusted_root) - 1, FUZZ_MAXLEN,
	    TUF_ROOT, "root", &root, err, sizeof(err)) != TUF_OK ||
	    tuf_md_verify(root, root, tuf_md_toprole(root, TUF_ROOT), NULL,
	    err, sizeof(err)) != TUF_OK)
		fuzz_fail("the trusted root: %s", err);
	if (tuf_md_parse(trusted_targets, sizeof(trusted_targets) - 1,
	    FUZZ_MAXLEN, TUF_TARGETS, "targets", &targets, err,
	    sizeof(err)) != TUF_OK ||
	    tuf_md_verify(targets, root, tuf_md_toprole(root, TUF_TARGETS),
	    NULL, err, sizeof(err)) != TUF_OK)
		fuzz_fail("the trusted targets: %s", err);
	if (tuf_md_delegated_role(targets, "db") == NULL)
		fuzz_fail("the trusted targets delegate no role db");
	return 0;
}

static int
count_deleg(void *arg, const char *name, const struct tuf_role *role,
    int terminating)
{
	size_t	*n = arg;

	*n += strlen(name) + role->nkeys + (size_t)terminating;
	return 0;
}

/* What the client workflow reads of a parsed document. */
static void
read_fields(const struct tuf_metadata *md)
{
	static const char *const paths[] = {
		"lockstat/a.json", "lockstat/db-1.json", "other/x.json", "a",
	};
	struct tuf_metafile	 mf;
	struct tuf_hashes	 h;
	json_t			*custom;
	int64_t			 len;
	size_t			 i, n = 0;
	char			 err[256];

	n += (size_t)tuf_md_expired(md, NOW, 60, err, sizeof(err));
	if (tuf_md_metafile(md, "snapshot.json", &mf) == TUF_OK)
		n += (size_t)mf.version + mf.hashes.n;
	if (tuf_md_metafile(md, "targets.json", &mf) == TUF_OK)
		n += (size_t)mf.version + mf.hashes.n;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (md->type == TUF_TARGETS && tuf_md_target(md, paths[i],
		    &len, &h, &custom) == TUF_OK)
			n += (size_t)len + h.n + (custom != NULL);
		if (md->type == TUF_TARGETS)
			tuf_md_delegations_for(md, paths[i], count_deleg, &n);
	}
	if (md->type == TUF_ROOT)
		for (i = 0; i < TUF_NTOPROLES; i++)
			n += (size_t)tuf_role_same_keys(md,
			    tuf_md_toprole(md, (enum tuf_type)i), root,
			    tuf_md_toprole(root, (enum tuf_type)i));
	sink += n;
}

/*
 * Verify with (delegator, role) and check the verdict against the count;
 * returns whether it verified.
 */
static int
verify(const struct tuf_metadata *md, const struct tuf_metadata *delegator,
    const struct tuf_role *role)
{
	size_t	count = 0, again = 0;
	char	err[256];
	int	rc, rc2;

	rc = tuf_md_verify(md, delegator, role, &count, err, sizeof(err));
	rc2 = tuf_md_verify(md, delegator, role, &again, NULL, 0);
	if (rc != rc2 || count != again)
		fuzz_fail("two verifications disagree");
	if ((rc == TUF_OK) != ((int64_t)count >= role->threshold))
		fuzz_fail("verdict %d with %zu of %lld signatures", rc, count,
		    (long long)role->threshold);
	if (count > role->nkeys || count > json_array_size(md->signatures))
		fuzz_fail("%zu valid signatures from %zu keys, %zu signatures",
		    count, role->nkeys, json_array_size(md->signatures));
	if (rc != TUF_OK && (memchr(err, '\0', sizeof(err)) == NULL ||
	    err[0] == '\0'))
		fuzz_fail("refused without a message");
	return rc == TUF_OK;
}

/* The same document with its version bumped must not verify. */
static void
check_changed(const struct tuf_metadata *md, enum tuf_type type,
    const char *name, const struct tuf_metadata *delegator,
    const struct tuf_role *role)
{
	struct tuf_metadata	*md2 = NULL;
	json_t			*doc;
	char			*text;

	if ((doc = json_deep_copy(md->doc)) == NULL)
		return;
	json_object_set_new(json_object_get(doc, "signed"), "version",
	    json_integer(md->version == INT64_MAX ? 1 : md->version + 1));
	if ((text = json_dumps(doc, JSON_COMPACT)) != NULL &&
	    tuf_md_parse(text, strlen(text), FUZZ_MAXLEN, type, name, &md2,
	    NULL, 0) == TUF_OK) {
		if (type == TUF_ROOT && delegator == md)
			delegator = md2;
		if (type == TUF_ROOT && role == tuf_md_toprole(md, TUF_ROOT))
			role = tuf_md_toprole(md2, TUF_ROOT);
		if (tuf_md_verify(md2, delegator, role, NULL, NULL, 0) ==
		    TUF_OK)
			fuzz_fail("%s still verifies with its version changed",
			    name);
	}
	tuf_md_free(md2);
	free(text);
	json_decref(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum tuf_type types[] = {
		TUF_ROOT, TUF_TIMESTAMP, TUF_SNAPSHOT, TUF_TARGETS, TUF_TARGETS
	};
	static const char *const names[] = {
		"root", "timestamp", "snapshot", "targets", "db"
	};
	const struct tuf_metadata *delegator;
	const struct tuf_role	*role;
	struct tuf_metadata	*md = NULL;
	struct tuf_buf		 canon;
	unsigned		 sel;
	char			 err[512];

	if (size < 1)
		return 0;
	sel = data[0] % 5;
	if (tuf_md_parse(data + 1, size - 1, FUZZ_MAXLEN, types[sel],
	    names[sel], &md, err, sizeof(err)) != TUF_OK) {
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			fuzz_fail("refused without a terminated message");
		return 0;
	}
	if (md->version < 1 || md->type != types[sel])
		fuzz_fail("accepted version %lld of type %d",
		    (long long)md->version, md->type);
	tuf_buf_init(&canon, TUF_MAX_CANONICAL);
	if (tuf_canonical_json(md->signed_, &canon, err, sizeof(err)) !=
	    TUF_OK || canon.len != md->canon.len ||
	    memcmp(canon.data, md->canon.data, canon.len) != 0)
		fuzz_fail("the kept canonical form is not that of \"signed\"");
	tuf_buf_free(&canon);
	read_fields(md);

	if (sel == 4) {
		delegator = targets;
		role = tuf_md_delegated_role(targets, "db");
	} else {
		delegator = root;
		role = tuf_md_toprole(root, types[sel]);
	}
	if (verify(md, delegator, role))
		check_changed(md, types[sel], names[sel], delegator, role);
	/* A new root must also be signed by its own root role. */
	if (sel == 0 && verify(md, md, tuf_md_toprole(md, TUF_ROOT)))
		check_changed(md, TUF_ROOT, "root", md,
		    tuf_md_toprole(md, TUF_ROOT));
	tuf_md_free(md);
	return 0;
}
