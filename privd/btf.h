/*
 * Finding the kernel's BTF for CO-RE: the configured file, the kernel's own
 * /sys/kernel/btf/vmlinux, or a file named by kernel release in a fallback
 * directory, raw or gzip-compressed.
 */
#ifndef LOCKPROBE_BTF_H
#define LOCKPROBE_BTF_H

#include <limits.h>
#include <stddef.h>

#define BTF_KERNEL_PATH		"/sys/kernel/btf/vmlinux"
#define BTF_MAX_SIZE		(512u * 1024 * 1024)	/* decompressed */

struct btf_search {
	const char	*configured;	/* btf-path, or "" / NULL */
	const char	*kernel_path;	/* BTF_KERNEL_PATH but in tests */
	const char	*fallback_dir;	/* btf-directory */
	const char	*release;	/* uname -r, or NULL for this kernel */
};

enum btf_origin {
	BTF_FROM_CONFIG,
	BTF_FROM_KERNEL,
	BTF_FROM_FALLBACK,
	BTF_FROM_FALLBACK_GZIP,
};

struct btf_location {
	enum btf_origin	origin;
	char		file[PATH_MAX];	/* where it came from */
	char		path[PATH_MAX];	/* what libbpf opens */
	int		memfd;		/* the decompressed copy, or -1 */
	size_t		size;
	double		seconds;	/* time to find and check it */
};

/*
 * Find and check (parse) the BTF.  Returns 0, or -1 with every path tried
 * and why it failed in err.  A configured path that fails is an error, with
 * no fall-back: the operator asked for that file.
 */
int	btf_locate(const struct btf_search *search, struct btf_location *loc,
	    char *err, size_t errlen);
void	btf_location_release(struct btf_location *loc);
const char *btf_origin_name(enum btf_origin origin);

/* What to pass as bpf_object_open_opts.btf_custom_path: NULL for the
 * kernel's own, which libbpf finds by itself. */
const char *btf_custom_path(const struct btf_location *loc);

#endif
