/*
 * hsb_stats.h - summary statistics of repetitions, and a latency histogram.
 */
#ifndef HSB_STATS_H
#define HSB_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Summary of n samples. stddev is the sample standard deviation (n - 1), 0
 * for n < 2; cv = stddev / mean (a fraction, 0 when mean is 0). */
typedef struct hsb_summary {
    size_t n;
    double median, mean, min, max, stddev, cv;
} hsb_summary;

/* Summarise x[0..n) (x is not modified). n == 0 gives all zeros. */
hsb_summary hsb_summarize(const double *x, size_t n);

/* A CV above this (a fraction) flags a figure as noisy. */
#define HSB_CV_WARN 0.05

/*
 * A log-bucket histogram of non-negative 64-bit values (counter ticks): exact
 * below 128, then 64 buckets per power of two, so a reported percentile is
 * within 1/64 (1.6 %) of the true sample. Fixed size, no allocation when
 * adding: each worker owns one and they are merged afterwards.
 */
#define HSB_HIST_SUB_BITS 6
#define HSB_HIST_EXACT (2u << HSB_HIST_SUB_BITS) /* 128 */
#define HSB_HIST_BUCKETS (HSB_HIST_EXACT + (64 - HSB_HIST_SUB_BITS - 1) * (1u << HSB_HIST_SUB_BITS))

typedef struct hsb_hist {
    uint64_t count, max;
    uint64_t bucket[HSB_HIST_BUCKETS];
} hsb_hist;

void hsb_hist_reset(hsb_hist *h);

static inline unsigned hsb_hist_index(uint64_t v)
{
    if (v < HSB_HIST_EXACT) return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned sub = (unsigned)(v >> (msb - HSB_HIST_SUB_BITS)) & ((1u << HSB_HIST_SUB_BITS) - 1);
    return HSB_HIST_EXACT + (msb - HSB_HIST_SUB_BITS - 1) * (1u << HSB_HIST_SUB_BITS) + sub;
}

static inline void hsb_hist_add(hsb_hist *h, uint64_t v)
{
    h->bucket[hsb_hist_index(v)]++;
    h->count++;
    if (v > h->max) h->max = v;
}

/* dst += src. */
void hsb_hist_merge(hsb_hist *dst, const hsb_hist *src);
/* The value at quantile q in [0, 1] (the middle of its bucket; the exact max
 * for q == 1); 0 for an empty histogram. */
double hsb_hist_quantile(const hsb_hist *h, double q);

/*
 * Latency points of a TCP row (suite tcp), in microseconds: the network room
 * (bench/net/) records nanoseconds in its own finer histogram and hands the
 * report these numbers, so that the writers need not know its type.
 */
enum {
    HSB_LAT_P50,
    HSB_LAT_P90,
    HSB_LAT_P99,
    HSB_LAT_P999,
    HSB_LAT_MAX,
    HSB_LAT_MEAN,
    HSB_LAT_POINTS
};
typedef struct hsb_lat_points {
    uint64_t count; /* 0: none */
    double us[HSB_LAT_POINTS];
} hsb_lat_points;

#endif
