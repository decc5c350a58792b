/* The monotonic clock, as lockprobed's timers and measurements read it. */
#ifndef LOCKPROBE_CLOCK_H
#define LOCKPROBE_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t monotonic_ns(void);

/* Seconds since since_ns, a monotonic_ns() reading. */
double	elapsed_sec(uint64_t since_ns);

#endif
