/* The collector's settings: bounds shared by every place that takes them. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "settings.h"

/* The map types of enum bpf_map_type up to Linux 6.18, as libbpf names
 * them; a name outside this list is a typo, not a newer kernel's type. */
static const char *const map_type_names[] = {
	"hash", "array", "prog_array", "perf_event_array", "percpu_hash",
	"percpu_array", "stack_trace", "cgroup_array", "lru_hash",
	"lru_percpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps",
	"devmap", "sockmap", "cpumap", "xskmap", "sockhash",
	"cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage",
	"queue", "stack", "sk_storage", "devmap_hash", "struct_ops",
	"ringbuf", "inode_storage", "task_storage", "bloom_filter",
	"user_ringbuf", "cgrp_storage", "arena",
};

int
settings_glob_valid(const char *glob)
{
	size_t len = strlen(glob), i;

	if (len == 0 || len > SETTINGS_MAX_GLOB_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		char c = glob[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("_.-*?[]!", c) != NULL))
			return 0;
	}
	return 1;
}

int
settings_map_type_valid(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(map_type_names) / sizeof(map_type_names[0]);
	    i++)
		if (strcmp(name, map_type_names[i]) == 0)
			return 1;
	return 0;
}

static int
check_globs(const char *field, char **globs, size_t n, char *err,
    size_t errlen)
{
	size_t i;

	if (n > SETTINGS_MAX_GLOBS) {
		(void)snprintf(err, errlen, "%s: %zu globs; at most %d",
		    field, n, SETTINGS_MAX_GLOBS);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (globs[i] == NULL || !settings_glob_valid(globs[i])) {
			(void)snprintf(err, errlen, "%s[%zu]: not a map name "
			    "glob; use 1-%d characters of A-Z a-z 0-9 _ . - "
			    "* ? [ ] !", field, i, SETTINGS_MAX_GLOB_LEN);
			return -1;
		}
	return 0;
}

int
settings_check(const Lockprobe__CollectorSettings *s, char *err,
    size_t errlen)
{
	size_t i;

	if (s->has_rewalk_interval_sec &&
	    (s->rewalk_interval_sec < SETTINGS_REWALK_MIN ||
	    s->rewalk_interval_sec > SETTINGS_REWALK_MAX)) {
		(void)snprintf(err, errlen, "rewalk_interval_sec: %u is out "
		    "of bounds; use %d to %d seconds", s->rewalk_interval_sec,
		    SETTINGS_REWALK_MIN, SETTINGS_REWALK_MAX);
		return -1;
	}
	if (s->has_range_budget && (s->range_budget < SETTINGS_BUDGET_MIN ||
	    s->range_budget > SETTINGS_BUDGET_MAX)) {
		(void)snprintf(err, errlen, "range_budget: %u is out of "
		    "bounds; use %d to %d ranges", s->range_budget,
		    SETTINGS_BUDGET_MIN, SETTINGS_BUDGET_MAX);
		return -1;
	}
	if (check_globs("include", s->include, s->n_include, err,
	    errlen) == -1 || check_globs("exclude", s->exclude, s->n_exclude,
	    err, errlen) == -1)
		return -1;
	if (s->n_map_types > SETTINGS_MAX_MAP_TYPES) {
		(void)snprintf(err, errlen, "map_types: %zu names; at most %d",
		    s->n_map_types, SETTINGS_MAX_MAP_TYPES);
		return -1;
	}
	for (i = 0; i < s->n_map_types; i++)
		if (s->map_types[i] == NULL ||
		    !settings_map_type_valid(s->map_types[i])) {
			(void)snprintf(err, errlen, "map_types[%zu]: not a BPF "
			    "map type; use a name as bpftool prints it, such "
			    "as hash, lru_hash or ringbuf", i);
			return -1;
		}
	return 0;
}
