/*
 * BPF assets: the CO-RE objects lockprobed loads come only from the
 * installed asset directory, and only when their SHA-256 matches the sum
 * recorded when lockprobed was built.  Every load's outcome is counted per
 * asset, with the verifier's log kept when it refused a program.
 */
#ifndef LOCKPROBE_ASSETS_H
#define LOCKPROBE_ASSETS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "btf.h"

#define ASSET_MAX		16
#define ASSET_MAX_SIZE		(16u * 1024 * 1024)
#define ASSET_LOG_SIZE		(256 * 1024)	/* verifier log buffer */
#define ASSET_LOG_KEEP		4096		/* its tail, kept for status */

enum asset_outcome {
	ASSET_LOADED,
	ASSET_BTF_NOT_FOUND,
	ASSET_READ_ERROR,
	ASSET_HASH_MISMATCH,
	ASSET_VERIFIER_ERROR,
	ASSET_OUTCOME_MAX
};

struct asset_record {
	char			 name[64];
	uint64_t		 outcomes[ASSET_OUTCOME_MAX];
	enum asset_outcome	 last;
	char			 last_error[512];
	char			 verifier_log[ASSET_LOG_KEEP];
	/* between asset_open and asset_load */
	unsigned char		*bytes;
	size_t			 size;
};

struct assets {
	char			 dir[PATH_MAX];
	int			 have_btf;
	struct btf_location	 btf;
	char			 btf_error[2048];
	struct asset_record	 records[ASSET_MAX];
	size_t			 nrecords;
	char			*log_buf;	/* ASSET_LOG_SIZE */
};

struct bpf_object_skeleton;

/* Find the BTF (a failure is recorded, not returned: each asset load then
 * fails with ASSET_BTF_NOT_FOUND) and remember the asset directory. */
int	assets_init(struct assets *a, const char *dir,
	    const struct btf_search *search, char *err, size_t errlen);
void	assets_free(struct assets *a);

/*
 * Open a skeleton (made with NAME_bpf__create_skeleton) from the installed,
 * hash-checked object file `name`, with CO-RE relocations against the BTF
 * found.  Then set its read-only data and call asset_load.
 */
int	asset_open(struct assets *a, const char *name,
	    struct bpf_object_skeleton *s, char *err, size_t errlen);
int	asset_load(struct assets *a, const char *name,
	    struct bpf_object_skeleton *s, char *err, size_t errlen);

const struct asset_record *asset_record(const struct assets *a,
	    const char *name);
const char *asset_outcome_name(enum asset_outcome outcome);

/* The sum recorded at build time for name, as hex, or NULL. */
const char *asset_expected_sha256(const char *name);

#endif
