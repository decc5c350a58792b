/*
 * Shared by the libFuzzer targets: each file defines LLVMFuzzerTestOneInput
 * and, when it needs set-up, LLVMFuzzerInitialize.  A target fails by
 * calling fuzz_fail(), which aborts so libFuzzer records the input.
 */
#ifndef LOCKPROBE_FUZZ_H
#define LOCKPROBE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	LLVMFuzzerInitialize(int *argc, char ***argv);

#define fuzz_fail(...) do {						\
	fprintf(stderr, "fuzz: %s:%d: ", __FILE__, __LINE__);		\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	abort();							\
} while (0)

/* A log sink that reads every formatted line and prints none. */
static inline void
fuzz_log_discard(int priority, const char *line, void *arg)
{
	size_t *read = arg;

	(void)priority;
	*read += strlen(line);
}

/* For targets whose code under test logs: every line formatted, none shown. */
static inline void
fuzz_log_init(void)
{
	static size_t	read;

	log_init("fuzz", 1, LOG_DEBUG);
	log_setsink(fuzz_log_discard, &read);
}

#endif
