/*
 * The load generator's latency histogram (bench/net/hsb_lat_hist.h): the
 * relative error bound on single values over the whole range, percentiles
 * of known distributions against the exact order statistics, and merging
 * per-thread histograms equals recording everything into one.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_lat_hist.h"
#include "hsb_test.h"

/* The documented bound: half a bucket, 1/2^(SUB_BITS+1) of the value. */
#define BOUND (1.0 / (double)(2 * HSB_LH_SUB))

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    /* xorshift64*: reproducible, no library dependence */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static double rel(double got, double want)
{
    return want == 0 ? fabs(got) : fabs(got - want) / want;
}

static hsb_lat_hist h1, h2, h3, all;

/* One value at a time, over 2^0..2^40: the percentile is within BOUND. */
static void single_values(void)
{
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t v = rnd() >> (24 + rnd() % 40); /* spread over the octaves */
        hsb_lat_hist_init(&h1);
        hsb_lat_hist_record(&h1, v);
        double p = hsb_lat_hist_percentile(&h1, 0.5);
        if (rel(p, (double)v) > BOUND && bad++ < 5)
            CHECKF(0, "value %llu reported as %.1f", (unsigned long long)v, p);
        /* the bucket holds v */
        uint64_t lo, w;
        hsb_lat_hist_bucket_range(hsb_lat_hist_bucket(v), &lo, &w);
        if ((v < lo || v >= lo + w) && bad++ < 5)
            CHECKF(0, "value %llu outside its bucket [%llu,+%llu)", (unsigned long long)v,
                   (unsigned long long)lo, (unsigned long long)w);
    }
    CHECKF(bad == 0, "%d values beyond the %.3f%% bound", bad, BOUND * 100);
    /* Below 2^SUB_BITS values are exact; buckets tile the range with no gap. */
    for (uint64_t v = 0; v < HSB_LH_SUB; v++) CHECK(hsb_lat_hist_bucket((uint64_t)v) == v);
    uint64_t next = 0;
    int gaps = 0;
    for (unsigned i = 0; i < HSB_LH_BUCKETS; i++) {
        uint64_t lo, w;
        hsb_lat_hist_bucket_range(i, &lo, &w);
        gaps += lo != next || hsb_lat_hist_bucket(lo) != i || hsb_lat_hist_bucket(lo + w - 1) != i;
        next = lo + w;
    }
    CHECKF(gaps == 0, "%d buckets do not tile the range", gaps);
    CHECK(next == (uint64_t)1 << HSB_LH_TOP);
}

/* Percentiles of n samples against the exact order statistics. */
static void check_against_sorted(const char *what, uint64_t *x, size_t n, const hsb_lat_hist *h)
{
    qsort(x, n, sizeof *x, cmp_u64);
    static const double qs[] = {0.5, 0.9, 0.99, 0.999};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        size_t rank = (size_t)ceil(qs[i] * (double)n);
        double want = (double)x[rank - 1], got = hsb_lat_hist_percentile(h, qs[i]);
        CHECKF(rel(got, want) <= BOUND, "%s p%g: %.1f, exact %.1f", what, qs[i] * 100, got, want);
    }
    CHECKF(hsb_lat_hist_percentile(h, 1.0) == (double)x[n - 1], "%s max", what);
    CHECKF(h->min == x[0] && h->count == n, "%s min/count", what);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (double)x[i];
    CHECKF(rel(hsb_lat_hist_mean(h), sum / (double)n) < 1e-9, "%s mean", what);
}

static void distributions(void)
{
    enum { N = 200000 };
    uint64_t *x = malloc(N * sizeof *x);
    CHECK(x != NULL);
    if (!x) return;
    /* uniform 1 us .. 10 ms */
    hsb_lat_hist_init(&h1);
    for (size_t i = 0; i < N; i++) {
        x[i] = 1000 + rnd() % 10000000;
        hsb_lat_hist_record(&h1, x[i]);
    }
    check_against_sorted("uniform", x, N, &h1);
    /* exponential, mean 200 us: a long tail like queueing gives */
    hsb_lat_hist_init(&h1);
    for (size_t i = 0; i < N; i++) {
        double u = ((double)(rnd() >> 11) + 1) / 9007199254740993.0;
        x[i] = (uint64_t)(-log(u) * 200000.0);
        hsb_lat_hist_record(&h1, x[i]);
    }
    check_against_sorted("exponential", x, N, &h1);
    /* A known shape: 990 values of 100 us and 10 of 50 ms: p99 is 100 us,
     * p99.9 is 50 ms, which a histogram that smears its tail would miss. */
    hsb_lat_hist_init(&h1);
    for (int i = 0; i < 1000; i++) hsb_lat_hist_record(&h1, i < 990 ? 100000 : 50000000);
    CHECK(rel(hsb_lat_hist_percentile(&h1, 0.99), 100000) <= BOUND);
    CHECK(rel(hsb_lat_hist_percentile(&h1, 0.991), 50000000) <= BOUND);
    CHECK(rel(hsb_lat_hist_percentile(&h1, 0.999), 50000000) <= BOUND);
    free(x);
}

/* Three "threads" merged equal one histogram that saw every value. */
static void merging(void)
{
    hsb_lat_hist_init(&h1);
    hsb_lat_hist_init(&h2);
    hsb_lat_hist_init(&h3);
    hsb_lat_hist_init(&all);
    hsb_lat_hist *parts[3] = {&h1, &h2, &h3};
    for (int i = 0; i < 100000; i++) {
        uint64_t v = rnd() >> (24 + rnd() % 40); /* below 2^40 */
        hsb_lat_hist_record(parts[rnd() % 3], v);
        hsb_lat_hist_record(&all, v);
    }
    hsb_lat_hist_record(&h2, (uint64_t)1 << 50); /* clamped, max exact */
    hsb_lat_hist_record(&all, (uint64_t)1 << 50);
    hsb_lat_hist merged;
    hsb_lat_hist_init(&merged);
    for (int i = 0; i < 3; i++) hsb_lat_hist_merge(&merged, parts[i]);
    CHECK(memcmp(merged.bucket, all.bucket, sizeof all.bucket) == 0);
    CHECK(merged.count == all.count && merged.min == all.min && merged.max == all.max);
    CHECK(merged.clamped == 1 && all.clamped == 1);
    CHECK(rel(merged.sum, all.sum) < 1e-12);
    CHECK(hsb_lat_hist_percentile(&merged, 1.0) == (double)((uint64_t)1 << 50));
    CHECK(hsb_lat_hist_percentile(&merged, 0.99) == hsb_lat_hist_percentile(&all, 0.99));
    /* Empty histograms answer 0. */
    hsb_lat_hist_init(&h1);
    CHECK(hsb_lat_hist_percentile(&h1, 0.5) == 0 && hsb_lat_hist_mean(&h1) == 0);
}

int main(void)
{
    single_values();
    distributions();
    merging();
    return hsb_test_report("lat_hist");
}
