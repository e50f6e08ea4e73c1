/* The load generator's latency histogram: see hsb_lat_hist.h. */
#include "hsb_lat_hist.h"

#include <math.h>
#include <string.h>

void hsb_lat_hist_init(hsb_lat_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

void hsb_lat_hist_merge(hsb_lat_hist *dst, const hsb_lat_hist *src)
{
    for (unsigned i = 0; i < HSB_LH_BUCKETS; i++) dst->bucket[i] += src->bucket[i];
    dst->count += src->count;
    dst->clamped += src->clamped;
    dst->sum += src->sum;
    if (src->min < dst->min) dst->min = src->min;
    if (src->max > dst->max) dst->max = src->max;
}

void hsb_lat_hist_bucket_range(unsigned i, uint64_t *lo, uint64_t *width)
{
    if (i < HSB_LH_SUB) {
        *lo = i;
        *width = 1;
        return;
    }
    unsigned k = (i - HSB_LH_SUB) / HSB_LH_SUB + HSB_LH_SUB_BITS; /* the power of two */
    uint64_t sub = (i - HSB_LH_SUB) % HSB_LH_SUB;
    *width = (uint64_t)1 << (k - HSB_LH_SUB_BITS);
    *lo = ((uint64_t)1 << k) + sub * *width;
}

double hsb_lat_hist_percentile(const hsb_lat_hist *h, double q)
{
    if (!h->count) return 0;
    if (q >= 1) return (double)h->max;
    if (q < 0) q = 0;
    /* The rank of the value asked for, 1-based: at least the first. */
    uint64_t rank = (uint64_t)ceil(q * (double)h->count);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    unsigned i = 0;
    for (; i < HSB_LH_BUCKETS - 1; i++) {
        seen += h->bucket[i];
        if (seen >= rank) break;
    }
    uint64_t lo, width;
    hsb_lat_hist_bucket_range(i, &lo, &width);
    double v = (double)lo + (double)(width - 1) / 2;
    if (v < (double)h->min) v = (double)h->min;
    if (v > (double)h->max) v = (double)h->max;
    return v;
}

double hsb_lat_hist_mean(const hsb_lat_hist *h)
{
    return h->count ? h->sum / (double)h->count : 0;
}
