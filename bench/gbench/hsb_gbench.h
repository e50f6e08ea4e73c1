/*
 * hsb_gbench.h - a C shim over Google Benchmark (the shape of IREE's
 * runtime/src/iree/testing/benchmark.h): C code registers benchmarks and runs
 * them through Google Benchmark's runner, so every --benchmark_* flag, its
 * reporters and its JSON work unchanged. gbench.cc is the only file that
 * includes <benchmark/benchmark.h>.
 *
 * A benchmark function loops on hsb_gbench_keep_running(state, batch), doing
 * `batch` iterations per true answer, and reports what it processed:
 *
 *     static hsb_rc bm(const hsb_gbench_def *def, hsb_gbench_state *st) {
 *         ... set up (not timed until the first keep_running) ...
 *         while (hsb_gbench_keep_running(st, 1)) work();
 *         hsb_gbench_set_bytes_processed(st, hsb_gbench_iterations(st) * len);
 *         return HSB_OK;
 *     }
 *
 * A function that returns an error (or calls hsb_gbench_skip_with_error) is
 * reported by Google Benchmark as an error, with hsb_last_error()'s text.
 * With threads > 1 the function runs once per thread, each with its own
 * state (thread-local set-up belongs inside the function).
 */
#ifndef HSB_GBENCH_H
#define HSB_GBENCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Inside the C linkage block: hsb_error.h is a C header without its own. */
#include "hsb_error.h"

typedef struct hsb_gbench_state hsb_gbench_state; /* opaque: benchmark::State */
typedef struct hsb_gbench_def hsb_gbench_def;

typedef hsb_rc (*hsb_gbench_fn)(const hsb_gbench_def *def, hsb_gbench_state *state);

enum {
    /* Rates and the reported time from wall time (default: thread CPU time). */
    HSB_GBENCH_FLAG_USE_REAL_TIME = 1u << 0,
    /* CPU time of the whole process rather than of the benchmark threads. */
    HSB_GBENCH_FLAG_MEASURE_PROCESS_CPU_TIME = 1u << 1,
};

typedef enum hsb_gbench_unit {
    HSB_GBENCH_UNIT_DEFAULT = 0, /* Google Benchmark's default (ns) */
    HSB_GBENCH_UNIT_NS,
    HSB_GBENCH_UNIT_US,
    HSB_GBENCH_UNIT_MS,
    HSB_GBENCH_UNIT_S,
} hsb_gbench_unit;

struct hsb_gbench_def {
    unsigned flags;            /* HSB_GBENCH_FLAG_* */
    hsb_gbench_unit time_unit; /* unit of the reported times */
    double min_time_s;         /* 0: --benchmark_min_time decides */
    int threads;               /* 0 or 1: one thread */
    int repetitions;           /* 0: --benchmark_repetitions decides */
    hsb_gbench_fn run;
    const void *user; /* for run's use */
};

/* Register a benchmark under name (both copied). */
void hsb_gbench_register(const char *name, const hsb_gbench_def *def);

/* True while more iterations are wanted; each true answer stands for `batch`
 * iterations (Google Benchmark's KeepRunningBatch). The timer starts at the
 * first call. */
int hsb_gbench_keep_running(hsb_gbench_state *state, uint64_t batch);
/* Exclude set-up work inside the loop from the timing. Costly: use rarely. */
void hsb_gbench_pause_timing(hsb_gbench_state *state);
void hsb_gbench_resume_timing(hsb_gbench_state *state);

/* Totals over the run (this thread): Google Benchmark turns them into
 * bytes_per_second / items_per_second. */
void hsb_gbench_set_bytes_processed(hsb_gbench_state *state, int64_t bytes);
void hsb_gbench_set_items_processed(hsb_gbench_state *state, int64_t items);

enum {
    HSB_GBENCH_COUNTER_RATE = 1u << 0,           /* divide by the time */
    HSB_GBENCH_COUNTER_AVG_THREADS = 1u << 1,    /* average over threads */
    HSB_GBENCH_COUNTER_AVG_ITERATIONS = 1u << 2, /* per iteration */
};
/* A user counter (a column of the report, a field of the JSON). */
void hsb_gbench_set_counter(hsb_gbench_state *state, const char *name, double value,
                            unsigned flags);
/* A label shown beside the result. */
void hsb_gbench_set_label(hsb_gbench_state *state, const char *label);
/* Report this run as failed (call before the loop, or leave the loop). */
void hsb_gbench_skip_with_error(hsb_gbench_state *state, const char *msg);

/* Iterations so far (after the loop: the total), this thread's index, and
 * the number of threads running the benchmark. */
int64_t hsb_gbench_iterations(const hsb_gbench_state *state);
int hsb_gbench_thread_index(const hsb_gbench_state *state);
int hsb_gbench_threads(const hsb_gbench_state *state);

/* A key/value pair for the report's context (before hsb_gbench_main). */
void hsb_gbench_add_context(const char *key, const char *value);

/* Parse argv (every --benchmark_* flag), run the registered benchmarks that
 * --benchmark_filter selects, and shut down. Returns the exit status: 0, or
 * 1 for an unrecognised argument. */
int hsb_gbench_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
