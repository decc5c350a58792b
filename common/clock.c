#include "config.h"

#include <time.h>

#include "clock.h"

uint64_t
monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

double
elapsed_sec(uint64_t since_ns)
{
	return (double)(monotonic_ns() - since_ns) / 1e9;
}
