/*
 * tuf-client: the client-under-test command line of the public
 * tuf-conformance suite (github.com/theupdateframework/tuf-conformance,
 * CLIENT-CLI.md), on lockprobe's TUF library (tuf/client.c), netd's HTTP
 * client (netd/fetch.c) and netd's atomic file store (netd/store.c):
 *
 *   tuf-client --metadata-dir DIR init TRUSTED_ROOT
 *   tuf-client --metadata-dir DIR --metadata-url URL refresh
 *   tuf-client --metadata-dir DIR --metadata-url URL --target-name PATH
 *       [--target-name PATH ...] --target-base-url URL --target-dir DIR
 *       download
 *
 * Exit status 0 on success, 1 on any failure.  DIR holds the trusted
 * metadata under unversioned names (root.json, timestamp.json,
 * snapshot.json, targets.json, ROLE.json with ROLE percent-encoded); its
 * root.json is the root of trust of the next run.  Targets are stored in
 * the target directory under their percent-encoded path (one flat name) and
 * not fetched again while the stored file matches the metadata.  The
 * reference time is the system clock (faketime works).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "client.h"
#include "fetch.h"
#include "metadata.h"
#include "store.h"
#include "tuf_util.h"

#define MAX_TARGET_NAMES	64
#define URL_MAX			8192
#define CONNECT_TIMEOUT_MS	10000
#define READ_TIMEOUT_MS		10000
#define TOTAL_TIMEOUT_MS	60000

struct cli {
	struct event_base	*base;
	struct fetch_ctx	*fetch;
	struct store		 meta;
	const char		*metadata_url;
	const char		*target_base_url;
};

struct wait_fetch {
	int		 done;
	int		 rc;
	struct tuf_buf	*out;
	char		*err;
	size_t		 errlen;
};

static void __attribute__((noreturn))
usage(const char *why)
{
	fprintf(stderr, "tuf-client: %s\n"
	    "usage: tuf-client --metadata-dir DIR init TRUSTED_ROOT\n"
	    "       tuf-client --metadata-dir DIR --metadata-url URL refresh\n"
	    "       tuf-client --metadata-dir DIR --metadata-url URL "
	    "--target-name PATH ...\n"
	    "           --target-base-url URL --target-dir DIR download\n",
	    why);
	exit(1);
}

static void
on_fetched(const struct fetch_result *res, void *arg)
{
	struct wait_fetch *w = arg;

	w->done = 1;
	switch (res->status) {
	case FETCH_OK:
		w->rc = tuf_buf_append(w->out, res->body, res->body_len,
		    w->err, w->errlen);
		break;
	case FETCH_NOT_FOUND:
		w->rc = TUF_NOTFOUND;
		break;
	default:
		/* errmsg names the URL */
		tuf_seterr(w->err, w->errlen, "%s (%s)", res->errmsg,
		    fetch_error_name(res->error));
		w->rc = TUF_ERR;
		break;
	}
}

/* base + "/" + path, with any trailing '/' of base dropped. */
static int
join_url(const char *base, const char *path, char *out, size_t outlen)
{
	size_t	blen = strlen(base);
	int	n;

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	n = snprintf(out, outlen, "%.*s/%s", (int)blen, base, path);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static int
io_fetch(void *arg, enum tuf_fetch_kind kind, const char *path,
    size_t maxlen, struct tuf_buf *out, char *err, size_t errlen)
{
	struct cli		*cli = arg;
	struct fetch_opts	 o;
	struct wait_fetch	 w;
	const char		*base;
	char			 url[URL_MAX];

	base = kind == TUF_FETCH_METADATA ? cli->metadata_url :
	    cli->target_base_url;
	if (base == NULL) {
		tuf_seterr(err, errlen, "no %s given",
		    kind == TUF_FETCH_METADATA ? "--metadata-url" :
		    "--target-base-url");
		return TUF_ERR;
	}
	if (join_url(base, path, url, sizeof(url)) != 0) {
		tuf_seterr(err, errlen, "URL longer than %d bytes", URL_MAX);
		return TUF_ERR;
	}
	memset(&o, 0, sizeof(o));
	o.max_body = maxlen;
	o.connect_timeout_ms = CONNECT_TIMEOUT_MS;
	o.read_timeout_ms = READ_TIMEOUT_MS;
	o.total_timeout_ms = TOTAL_TIMEOUT_MS;
	memset(&w, 0, sizeof(w));
	w.out = out;
	w.err = err;
	w.errlen = errlen;
	if (fetch_start(cli->fetch, url, &o, on_fetched, &w, err, errlen) ==
	    NULL)
		return TUF_ERR;
	while (!w.done)
		if (event_base_loop(cli->base, EVLOOP_ONCE) == -1) {
			tuf_seterr(err, errlen, "%s: the event loop failed",
			    url);
			return TUF_ERR;
		}
	return w.rc;
}

static int
io_load(void *arg, const char *name, size_t maxlen, struct tuf_buf *out,
    char *err, size_t errlen)
{
	struct cli	*cli = arg;
	uint8_t		*buf;
	size_t		 len;
	int		 rc;

	rc = store_read(&cli->meta, name, maxlen, &buf, &len, err, errlen);
	if (rc == 1)
		return TUF_NOTFOUND;
	if (rc != 0)
		return TUF_ERR;
	rc = tuf_buf_append(out, buf, len, err, errlen);
	free(buf);
	return rc;
}

static int
io_store(void *arg, const char *name, const void *data, size_t len,
    char *err, size_t errlen)
{
	struct cli *cli = arg;

	return store_write(&cli->meta, name, data, len, err, errlen) == 0 ?
	    TUF_OK : TUF_ERR;
}

static int
io_remove(void *arg, const char *name, char *err, size_t errlen)
{
	struct cli *cli = arg;

	return store_remove(&cli->meta, name, err, errlen) == 0 ? TUF_OK :
	    TUF_ERR;
}

static const struct tuf_io cli_io = { io_fetch, io_load, io_store, io_remove,
	NULL };

static int
open_store(struct store *st, const char *dir, const char *what)
{
	char	err[512];

	if (store_open(st, dir, getuid(), getgid(), err, sizeof(err)) != 0) {
		fprintf(stderr, "tuf-client: %s: %s\n", what, err);
		return -1;
	}
	return 0;
}

/* The whole of a regular file of at most max bytes, in a tuf_buf. */
static int
read_file(const char *path, size_t max, struct tuf_buf *out)
{
	unsigned char	 chunk[8192];
	char		 err[256];
	FILE		*fp;
	size_t		 n;
	int		 rc = 0;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "tuf-client: %s: %s\n", path, strerror(errno));
		return -1;
	}
	tuf_buf_init(out, max);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (tuf_buf_append(out, chunk, n, err, sizeof(err)) !=
		    TUF_OK) {
			fprintf(stderr, "tuf-client: %s: %s\n", path, err);
			rc = -1;
			break;
		}
	if (rc == 0 && ferror(fp)) {
		fprintf(stderr, "tuf-client: %s: read error\n", path);
		rc = -1;
	}
	fclose(fp);
	if (rc != 0)
		tuf_buf_free(out);
	return rc;
}

/*
 * init: the trusted root, checked to be metadata of type root signed by its
 * own threshold, becomes DIR/root.json.  No request is made.
 */
static int
cmd_init(struct cli *cli, const char *rootfile)
{
	struct tuf_metadata	*md = NULL;
	struct tuf_buf		 b;
	char			 err[1024];
	int			 rc = 1;

	if (read_file(rootfile, TUF_DEFAULT_ROOT_MAX, &b) != 0)
		return 1;
	if (tuf_md_parse(b.data, b.len, TUF_DEFAULT_ROOT_MAX, TUF_ROOT, "root",
	    &md, err, sizeof(err)) != TUF_OK ||
	    tuf_md_verify(md, md, tuf_md_toprole(md, TUF_ROOT), NULL, err,
	    sizeof(err)) != TUF_OK)
		fprintf(stderr, "tuf-client: %s: %s\n", rootfile, err);
	else if (store_write(&cli->meta, "root.json", b.data, b.len, err,
	    sizeof(err)) != 0)
		fprintf(stderr, "tuf-client: %s\n", err);
	else
		rc = 0;
	tuf_md_free(md);
	tuf_buf_free(&b);
	return rc;
}

/* Open the client on DIR/root.json and refresh it at the clock's time. */
static struct tuf_client *
open_refreshed(struct cli *cli)
{
	struct tuf_client_config cfg;
	struct tuf_client	*c;
	uint8_t			*root;
	size_t			 len;
	char			 err[1024];
	int			 rc;

	rc = store_read(&cli->meta, "root.json", TUF_DEFAULT_ROOT_MAX, &root,
	    &len, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "tuf-client: %s\n", rc == 1 ?
		    "no root.json in the metadata directory: run init first" :
		    err);
		return NULL;
	}
	tuf_client_config_default(&cfg);
	/* root.json is the newest trusted root: no history to re-walk. */
	cfg.root_history = 0;
	c = tuf_client_open(&cfg, &cli_io, cli, root, len, err, sizeof(err));
	free(root);
	if (c == NULL) {
		fprintf(stderr, "tuf-client: %s/root.json: %s\n",
		    cli->meta.path, err);
		return NULL;
	}
	if (tuf_client_refresh(c, (int64_t)time(NULL), err, sizeof(err)) !=
	    TUF_OK) {
		fprintf(stderr, "tuf-client: refresh: %s\n", err);
		tuf_client_free(c);
		return NULL;
	}
	return c;
}

/* One target: looked up, taken from the target directory if it is there
 * and matches, otherwise fetched, verified and stored. */
static int
download_one(struct tuf_client *c, struct store *dst, const char *path)
{
	struct tuf_target	 t;
	struct tuf_buf		 b;
	uint8_t			*have = NULL;
	size_t			 havelen;
	char			 name[STORE_NAME_MAX + 1], err[1024];
	int			 rc = -1;

	memset(&t, 0, sizeof(t));
	tuf_buf_init(&b, SIZE_MAX / 2);
	if (tuf_client_target(c, path, &t, err, sizeof(err)) != TUF_OK) {
		fprintf(stderr, "tuf-client: %s\n", err);
		goto out;
	}
	if (tuf_pct_encode(path, 0, name, sizeof(name)) != TUF_OK) {
		fprintf(stderr, "tuf-client: target \"%s\": its encoded file "
		    "name is longer than %d bytes\n", t.path, STORE_NAME_MAX);
		goto out;
	}
	if (t.length >= 0 && (uint64_t)t.length <= SIZE_MAX / 2 &&
	    store_read(dst, name, (size_t)t.length, &have, &havelen, err,
	    sizeof(err)) == 0 &&
	    tuf_target_check(&t, have, havelen, NULL, 0) == TUF_OK) {
		rc = 0;		/* cached */
		goto out;
	}
	if (tuf_client_fetch_target(c, &t, &b, err, sizeof(err)) != TUF_OK) {
		fprintf(stderr, "tuf-client: %s\n", err);
		goto out;
	}
	if (store_write(dst, name, b.data, b.len, err, sizeof(err)) != 0) {
		fprintf(stderr, "tuf-client: %s\n", err);
		goto out;
	}
	rc = 0;
 out:
	free(have);
	tuf_buf_free(&b);
	tuf_target_clear(&t);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "metadata-dir", required_argument, NULL, 'm' },
		{ "metadata-url", required_argument, NULL, 'u' },
		{ "target-name", required_argument, NULL, 'n' },
		{ "target-base-url", required_argument, NULL, 'b' },
		{ "target-dir", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct fetch_ctx_opts	 fo;
	struct cli		 cli;
	struct tuf_client	*c = NULL;
	struct store		 dst;
	const char		*mdir = NULL, *tdir = NULL, *cmd;
	const char		*names[MAX_TARGET_NAMES];
	char			 err[1024];
	int			 ch, nnames = 0, i, rc = 1;

	memset(&cli, 0, sizeof(cli));
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			mdir = optarg;
			break;
		case 'u':
			cli.metadata_url = optarg;
			break;
		case 'n':
			if (nnames == MAX_TARGET_NAMES)
				usage("more than 64 --target-name options");
			names[nnames++] = optarg;
			break;
		case 'b':
			cli.target_base_url = optarg;
			break;
		case 't':
			tdir = optarg;
			break;
		default:
			usage("unknown option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage("no command");
	cmd = argv[0];
	if (mdir == NULL)
		usage("--metadata-dir is required");
	if (strcmp(cmd, "init") == 0) {
		if (argc != 2)
			usage("init takes the trusted root file");
	} else if (strcmp(cmd, "refresh") == 0) {
		if (argc != 1 || cli.metadata_url == NULL)
			usage("refresh takes --metadata-url and no argument");
	} else if (strcmp(cmd, "download") == 0) {
		if (argc != 1 || cli.metadata_url == NULL || nnames == 0 ||
		    cli.target_base_url == NULL || tdir == NULL)
			usage("download takes --metadata-url, --target-name, "
			    "--target-base-url and --target-dir");
	} else
		usage("unknown command");

	if (open_store(&cli.meta, mdir, "--metadata-dir") != 0)
		return 1;
	if (strcmp(cmd, "init") == 0) {
		rc = cmd_init(&cli, argv[1]);
		store_close(&cli.meta);
		return rc;
	}
	if ((cli.base = event_base_new()) == NULL) {
		fprintf(stderr, "tuf-client: cannot create an event base\n");
		goto out;
	}
	memset(&fo, 0, sizeof(fo));
	if ((cli.fetch = fetch_ctx_new(cli.base, &fo, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "tuf-client: %s\n", err);
		goto out;
	}
	if ((c = open_refreshed(&cli)) == NULL)
		goto out;
	if (strcmp(cmd, "download") == 0) {
		if (open_store(&dst, tdir, "--target-dir") != 0)
			goto out;
		for (i = 0; i < nnames; i++)
			if (download_one(c, &dst, names[i]) != 0)
				break;
		store_close(&dst);
		if (i < nnames)
			goto out;
	}
	rc = 0;
 out:
	tuf_client_free(c);
	if (cli.fetch != NULL)
		fetch_ctx_free(cli.fetch);
	if (cli.base != NULL)
		event_base_free(cli.base);
	store_close(&cli.meta);
	return rc;
}
