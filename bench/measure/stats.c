/* Summary statistics and the latency histogram. */
#include "hsb_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

hsb_summary hsb_summarize(const double *x, size_t n)
{
    hsb_summary s = {0};
    s.n = n;
    if (n == 0) return s;
    double stack[64];
    double *v = n <= 64 ? stack : malloc(n * sizeof *v);
    if (!v) return s;
    memcpy(v, x, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_double);
    s.min = v[0];
    s.max = v[n - 1];
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += v[i];
    s.mean = sum / (double)n;
    if (n > 1) {
        double ss = 0;
        for (size_t i = 0; i < n; i++) ss += (v[i] - s.mean) * (v[i] - s.mean);
        s.stddev = sqrt(ss / (double)(n - 1));
    }
    s.cv = s.mean != 0 ? s.stddev / fabs(s.mean) : 0;
    if (v != stack) free(v);
    return s;
}

void hsb_hist_reset(hsb_hist *h)
{
    memset(h, 0, sizeof *h);
}

void hsb_hist_merge(hsb_hist *dst, const hsb_hist *src)
{
    for (unsigned i = 0; i < HSB_HIST_BUCKETS; i++) dst->bucket[i] += src->bucket[i];
    dst->count += src->count;
    if (src->max > dst->max) dst->max = src->max;
}

/* Lower bound and width of bucket i. */
static void bucket_range(unsigned i, double *lo, double *width)
{
    if (i < HSB_HIST_EXACT) {
        *lo = i;
        *width = 1;
        return;
    }
    unsigned k = i - HSB_HIST_EXACT;
    unsigned msb = k / (1u << HSB_HIST_SUB_BITS) + HSB_HIST_SUB_BITS + 1;
    unsigned sub = k % (1u << HSB_HIST_SUB_BITS);
    double step = ldexp(1.0, (int)(msb - HSB_HIST_SUB_BITS));
    *lo = ldexp(1.0, (int)msb) + sub * step;
    *width = step;
}

double hsb_hist_quantile(const hsb_hist *h, double q)
{
    if (h->count == 0) return 0;
    if (q >= 1) return (double)h->max;
    if (q < 0) q = 0;
    uint64_t rank = (uint64_t)ceil(q * (double)h->count);
    if (rank == 0) rank = 1;
    uint64_t cum = 0;
    for (unsigned i = 0; i < HSB_HIST_BUCKETS; i++) {
        cum += h->bucket[i];
        if (cum >= rank) {
            double lo, w;
            bucket_range(i, &lo, &w);
            double mid = w > 1 ? lo + w / 2 : lo;
            return mid > (double)h->max ? (double)h->max : mid;
        }
    }
    return (double)h->max;
}
