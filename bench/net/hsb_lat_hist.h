/*
 * hsb_lat_hist.h - a log-linear latency histogram in nanoseconds for the
 * load generator (HDR-style: fixed memory, bounded relative error, mergeable).
 *
 * Values below 2^HSB_LH_SUB_BITS ns are counted exactly. Above, each power
 * of two [2^k, 2^(k+1)) is cut into 2^HSB_LH_SUB_BITS equal buckets, so a
 * bucket is at most 1/2^HSB_LH_SUB_BITS (1/256, 0.39 %) of the values in it
 * wide, and a percentile reported as its bucket's midpoint is within half of
 * that (0.2 %) of a value that was recorded. The range ends at 2^HSB_LH_TOP
 * ns (about 18 minutes); larger values count in the last bucket (and are
 * tallied in `clamped`), max stays exact. Memory: HSB_LH_BUCKETS counters
 * (about 68 KiB), no allocation when recording: each loop thread owns one,
 * and they are merged at the end of a run.
 */
#ifndef HSB_LAT_HIST_H
#define HSB_LAT_HIST_H

#include <stdint.h>

#define HSB_LH_SUB_BITS 8
#define HSB_LH_SUB (1u << HSB_LH_SUB_BITS) /* buckets per power of two */
#define HSB_LH_TOP 40                      /* values >= 2^40 ns are clamped */
#define HSB_LH_BUCKETS (HSB_LH_SUB + (HSB_LH_TOP - HSB_LH_SUB_BITS) * HSB_LH_SUB)

typedef struct hsb_lat_hist {
    uint64_t count, clamped;
    uint64_t min, max; /* exact; min is UINT64_MAX while empty */
    double sum;        /* for the mean (a double: 2^64 ns is not enough headroom
                        * once summed over threads and repetitions) */
    uint64_t bucket[HSB_LH_BUCKETS];
} hsb_lat_hist;

/* Empty h. */
void hsb_lat_hist_init(hsb_lat_hist *h);

/* The bucket a value of ns nanoseconds falls in. */
static inline unsigned hsb_lat_hist_bucket(uint64_t ns)
{
    if (ns < HSB_LH_SUB) return (unsigned)ns;
    unsigned k = 63u - (unsigned)__builtin_clzll(ns); /* 2^k <= ns */
    if (k >= HSB_LH_TOP) return HSB_LH_BUCKETS - 1;
    unsigned sub = (unsigned)(ns >> (k - HSB_LH_SUB_BITS)) - HSB_LH_SUB;
    return HSB_LH_SUB + (k - HSB_LH_SUB_BITS) * HSB_LH_SUB + sub;
}

/* Count one value. */
static inline void hsb_lat_hist_record(hsb_lat_hist *h, uint64_t ns)
{
    h->bucket[hsb_lat_hist_bucket(ns)]++;
    h->count++;
    h->sum += (double)ns;
    if (ns >> HSB_LH_TOP) h->clamped++;
    if (ns < h->min) h->min = ns;
    if (ns > h->max) h->max = ns;
}

/* dst += src: the same as recording src's values into dst. */
void hsb_lat_hist_merge(hsb_lat_hist *dst, const hsb_lat_hist *src);

/* The value (ns) below or at which a fraction q in [0, 1] of the recorded
 * values lie: the midpoint of the bucket holding the ceil(q * count)-th
 * smallest value, kept within [min, max]; q == 1 gives max exactly. 0 when
 * h is empty. */
double hsb_lat_hist_percentile(const hsb_lat_hist *h, double q);

/* The mean in ns (0 when empty). */
double hsb_lat_hist_mean(const hsb_lat_hist *h);

/* The lowest value of bucket i and its width (ns). */
void hsb_lat_hist_bucket_range(unsigned i, uint64_t *lo, uint64_t *width);

#endif
