/*
 * gcm_speed.c - a quick interleaved A/B of AES-128-GCM seal and open: every
 * native gcm class this CPU runs beside Intel ipsec-mb's (the reference,
 * when the ipsecmb backend is built) and OpenSSL EVP's gcm class (not a
 * test, not the benchmark driver: a tool for working on gcm_*.c).
 *
 *   gcm_speed [REPS] [MS]
 *
 * 16 KiB and 1 KiB, 12-byte IV (fresh per call), 13 bytes of AAD as a TLS
 * record has; open verifies a real tag. Each implementation runs about MS
 * milliseconds (default 20) per repetition, all interleaved in each
 * repetition, REPS repetitions (default 9). Time is the thread's CPU time
 * (the machine is shared). Printed: median GB/s (10^9 bytes per CPU second),
 * the median of the per-repetition ratios to ipsec-mb (each ratio taken
 * within one repetition), the slowest and fastest repetition.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hsb_backends.h"
#include "hsb_native_aes.h"

#define MAX_IMPL 6
#define MAX_REPS 99

typedef struct {
    const hsb_gcm_class *cls;
    void *ctx;
} impl;

static uint8_t key[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12, 13, 14, 15, 16};
static uint8_t aad[13] = {0, 0, 0, 0, 0, 0, 0, 7, 23, 3, 3, 0x40, 0};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* GB/s of seal (open = 0) or open of len bytes over about ms milliseconds
 * of CPU time, in rounds of 8 calls; abort on any failure. Open first seals
 * ct (its tag is what open verifies), outside the clock. */
static double measure(const impl *m, int open, uint8_t *ct, uint8_t *out, const uint8_t *pt,
                      size_t len, double ms)
{
    uint8_t iv[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, tag[16];
    if (open && m->cls->seal(m->ctx, iv, 12, aad, sizeof aad, ct, pt, len, tag) != HSB_OK) abort();
    size_t calls = 0;
    double t0 = now(), dt;
    do {
        for (int i = 0; i < 8; i++, calls++) {
            hsb_rc rc = open ? m->cls->open(m->ctx, iv, 12, aad, sizeof aad, out, ct, len, tag)
                             : m->cls->seal(m->ctx, iv, 12, aad, sizeof aad, out, pt, len, tag);
            if (rc != HSB_OK) abort();
            if (!open) iv[11]++;
        }
        dt = now() - t0;
    } while (dt < ms * 1e-3);
    return (double)(len * calls) / dt / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static size_t collect(impl *m)
{
    const hsb_backend *ipsec = hsb_ipsecmb_backend(), *ossl = hsb_openssl_backend();
    const hsb_gcm_class *c[MAX_IMPL] = {ipsec ? ipsec->gcm : NULL, hsb_native_gcm_vaes512_get(),
                                        hsb_native_gcm_vaes256_get(), hsb_native_gcm_ni_get(),
                                        ossl ? ossl->gcm : NULL};
    size_t n = 0;
    for (int i = 0; i < MAX_IMPL; i++) {
        if (!c[i]) continue;
        m[n].cls = c[i];
        m[n].ctx = hsb_ctx_alloc(c[i]->ctx_size);
        if (c[i]->init(m[n].ctx, key, 16) != HSB_OK) abort();
        n++;
    }
    if (!ipsec || !ipsec->gcm) printf("ipsec-mb: UNAVAILABLE (not built); ratios to the first\n");
    return n;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 9;
    double ms = argc > 2 ? atof(argv[2]) : 20;
    if (reps < 1 || reps > MAX_REPS) reps = 9;
    impl m[MAX_IMPL];
    size_t ni = collect(m);
    uint8_t *pt = aligned_alloc(64, 16384), *ct = aligned_alloc(64, 16384),
            *out = aligned_alloc(64, 16384);
    memset(pt, 0x3c, 16384);
    printf("%d repetitions x ~%.0f ms, interleaved; medians; ratio to %s\n", reps, ms,
           m[0].cls->name);
    static const size_t sizes[] = {16384, 1024};
    for (int open = 0; open < 2; open++)
        for (int si = 0; si < 2; si++) {
            double g[MAX_IMPL][MAX_REPS], r[MAX_IMPL][MAX_REPS];
            for (int k = 0; k < reps; k++)
                for (size_t i = 0; i < ni; i++) {
                    g[i][k] = measure(&m[i], open, ct, out, pt, sizes[si], ms);
                    r[i][k] = g[i][k] / g[0][k];
                }
            for (size_t i = 0; i < ni; i++) {
                qsort(g[i], (size_t)reps, sizeof(double), cmp_double);
                qsort(r[i], (size_t)reps, sizeof(double), cmp_double);
                printf("%-5s %6zu %-22s %7.2f GB/s  x%.3f  (min %.2f max %.2f)\n",
                       open ? "open" : "seal", sizes[si], m[i].cls->name, g[i][reps / 2],
                       r[i][reps / 2], g[i][0], g[i][reps - 1]);
            }
        }
    for (size_t i = 0; i < ni; i++) {
        m[i].cls->clear(m[i].ctx);
        hsb_ctx_free(m[i].ctx, m[i].cls->ctx_size);
    }
    free(pt);
    free(ct);
    free(out);
    return 0;
}
