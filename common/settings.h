/*
 * The collector's settings and their hard bounds, in one place: lockprobe.conf
 * (common/conf.c), netd's parser of `lockstat` targets and the broker in
 * lockprobed all check against these.  netd may be compromised, so the
 * broker checks again whatever netd checked.
 */
#ifndef LOCKPROBE_SETTINGS_H
#define LOCKPROBE_SETTINGS_H

#include <stddef.h>

#include "lockprobe.pb-c.h"

#define SETTINGS_REWALK_MIN	1		/* seconds */
#define SETTINGS_REWALK_MAX	86400
#define SETTINGS_BUDGET_MIN	64		/* lock ranges */
#define SETTINGS_BUDGET_MAX	1048576
#define SETTINGS_MAX_GLOBS	32		/* include, exclude each */
#define SETTINGS_MAX_GLOB_LEN	64
#define SETTINGS_MAX_MAP_TYPES	40

/*
 * Check every field that is present.  Return 0, or -1 with the first error
 * in err as "FIELD: what is wrong; the bound", FIELD being the JSON name
 * (rewalk_interval_sec, include[3], ...).
 */
int	settings_check(const Lockprobe__CollectorSettings *s, char *err,
	    size_t errlen);

/* A map name glob: 1-64 characters of A-Z a-z 0-9 _ . - * ? [ ] ! */
int	settings_glob_valid(const char *glob);

/* A map type name as bpftool and libbpf spell it ("hash", "lru_hash"). */
int	settings_map_type_valid(const char *name);

#endif
