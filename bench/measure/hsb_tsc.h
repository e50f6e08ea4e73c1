/*
 * hsb_tsc.h - clocks for the driver: CLOCK_MONOTONIC wall time, per-thread
 * CPU time, and the time-stamp counter.
 *
 * Cycles are TSC "reference cycles": ticks of the invariant TSC, which runs
 * at a fixed rate whatever the core's clock does (no perf counters here).
 * The rate is calibrated once against CLOCK_MONOTONIC, so cycles convert to
 * and from nanoseconds. Where there is no TSC (not x86-64) hsb_tsc_read()
 * returns monotonic nanoseconds and hsb_tsc_hz() returns 1e9, with
 * hsb_tsc_is_cycles() false so reports leave the cycle figures out.
 */
#ifndef HSB_TSC_H
#define HSB_TSC_H

#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HSB_HAVE_TSC 1
#else
#define HSB_HAVE_TSC 0
#endif

/* Nanoseconds of CLOCK_MONOTONIC. */
static inline int64_t hsb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Nanoseconds of CPU time of the calling thread (a system call: keep it off
 * the innermost loops). */
static inline int64_t hsb_thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The counter: TSC ticks (or ns where there is none). Not serialising; good
 * for intervals of thousands of cycles and more. */
static inline uint64_t hsb_tsc_read(void)
{
#if HSB_HAVE_TSC
    return __rdtsc();
#else
    return (uint64_t)hsb_now_ns();
#endif
}

/* Calibrated ticks per second (calibrates on first call, ~60 ms; thread-safe). */
double hsb_tsc_hz(void);
/* 1 when the counter counts TSC cycles, 0 when it is the ns fallback. */
int hsb_tsc_is_cycles(void);
/* "invariant TSC (constant_tsc nonstop_tsc), calibrated against CLOCK_MONOTONIC
 * over 50 ms", or what is missing. */
const char *hsb_tsc_note(void);

#endif
