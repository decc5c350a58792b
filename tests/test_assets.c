#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "test_assets.h"

int
test_assets_init(struct assets *a)
{
	struct btf_search search = { NULL, BTF_KERNEL_PATH, "/nonexistent",
	    NULL };
	const char *top = getenv("top_builddir");
	char dir[PATH_MAX], err[512];

	snprintf(dir, sizeof(dir), "%s/bpf", top != NULL ? top : ".");
	if (assets_init(a, dir, &search, err, sizeof(err)) == -1) {
		fprintf(stderr, "assets: %s\n", err);
		return -1;
	}
	if (!a->have_btf) {
		fprintf(stderr, "assets: %s\n", a->btf_error);
		assets_free(a);
		return -1;
	}
	return 0;
}
