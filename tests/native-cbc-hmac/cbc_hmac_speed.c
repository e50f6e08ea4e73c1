/*
 * cbc_hmac_speed.c - the cost of the native cbc-hmac record, broken down
 * (a tool, not a test and not the benchmark driver):
 *
 *   cbc_hmac_speed [REPS] [MS]
 *
 * Per record size (1 KiB, 16 KiB), interleaved within every repetition:
 *   seal   stitched class, and the sequential class (same code, the AES pass
 *          after the hash instead of between its rounds);
 *   open   stitched and sequential class (constant time);
 *   open-public-length: what open would cost if the data length were public:
 *          CBC-decrypt (the native aes class) and HMAC over the known length
 *          (native hmac class), no padding check, no masked tail, no MAC
 *          copy. open minus this row is the cost of the Lucky 13 care.
 * Times are the thread's CPU time x the TSC rate (reference cycles per byte,
 * the machine is shared), medians of REPS (default 9) repetitions of about
 * MS ms (default 20) each.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "hsb_backends.h"
#include "hsb_native_aes.h"
#include "native_cbc_hmac.h"
#include "native_sha256.h"

#define MAXREPS 99
#define NROWS 5

static uint8_t plain[16384], rec[16384 + 64], work[16384 + 64];
static uint8_t hdr[13] = {0, 0, 0, 0, 0, 0, 0, 1, 23, 3, 3};
static uint8_t iv[16] = {9}, akey[16] = {1, 2, 3}, mkey[32] = {4, 5, 6};

typedef struct row {
    const char *name;
    int kind; /* 0 seal, 1 open, 2 open with a public length */
    const hsb_cbc_hmac_class *cls;
    void *ctx;
    double cpb[MAXREPS];
} row;

static const hsb_aes_class *aes;
static const hsb_hmac_sha256_class *hmac;
static void *aes_ctx, *hmac_ctx;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The public-length open: decrypt, then HMAC over the data the caller knows. */
static void open_public(size_t n, size_t len)
{
    uint8_t chain[16], mac[32];
    memcpy(chain, iv, 16);
    (void)aes->cbc_decrypt(aes_ctx, chain, work, work, n);
    hmac->update(hmac_ctx, hdr, 13);
    hmac->update(hmac_ctx, work, len);
    hmac->final(hmac_ctx, mac);
    if (memcmp(mac, work + len, 32) != 0) abort();
}

static void one(row *r, size_t len, size_t n)
{
    size_t out = 0;
    if (r->kind == 0) {
        memcpy(work, plain, len);
        (void)r->cls->seal(r->ctx, hdr, iv, work, len, &out);
    } else if (r->kind == 1) {
        memcpy(work, rec, n);
        if (r->cls->open(r->ctx, hdr, iv, work, n, &out) != HSB_OK) abort();
    } else {
        memcpy(work, rec, n);
        open_public(n, len);
    }
}

static double tsc_hz(void)
{
    double t0 = now();
    uint64_t c0 = __rdtsc();
    while (now() - t0 < 0.05) {
    }
    return (double)(__rdtsc() - c0) / (now() - t0);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void measure(row *rows, size_t len, int reps, double ms, double hz)
{
    size_t n = 0;
    hdr[11] = (uint8_t)(len >> 8);
    hdr[12] = (uint8_t)len;
    memcpy(rec, plain, len);
    (void)rows[0].cls->seal(rows[0].ctx, hdr, iv, rec, len, &n);
    for (int k = 0; k < reps; k++)
        for (int i = 0; i < NROWS; i++) {
            long it = 0;
            double t0 = now();
            do {
                for (int j = 0; j < 16; j++) one(&rows[i], len, n);
                it += 16;
            } while (now() - t0 < ms / 1000);
            rows[i].cpb[k] = (now() - t0) * hz / ((double)it * (double)len);
        }
    for (int i = 0; i < NROWS; i++) {
        qsort(rows[i].cpb, (size_t)reps, sizeof(double), cmp);
        printf("%6zu  %-34s %7.2f cycles/B\n", len, rows[i].name, rows[i].cpb[reps / 2]);
    }
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 9;
    double ms = argc > 2 ? atof(argv[2]) : 20;
    if (reps < 1 || reps > MAXREPS || ms <= 0) return 2;
    const hsb_cbc_hmac_class *st = hsb_native_cbc_hmac_get(),
                             *sq = hsb_native_cbc_hmac_sequential_get();
    aes = hsb_native_aes_get();
    hmac = hsb_native_hmac_get();
    if (!st || !aes) {
        printf("native cbc-hmac UNAVAILABLE (no AES-NI)\n");
        return 0;
    }
    row rows[NROWS] = {{"seal "
                        "(stitched)",
                        0,
                        st,
                        NULL,
                        {0}},
                       {"seal (sequential)", 0, sq, NULL, {0}},
                       {"open (stitched, constant time)", 1, st, NULL, {0}},
                       {"open (sequential, constant time)", 1, sq, NULL, {0}},
                       {"open-public-length (no Lucky13)", 2, st, NULL, {0}}};
    for (int i = 0; i < NROWS; i++) {
        rows[i].ctx = hsb_ctx_alloc(rows[i].cls->ctx_size);
        (void)rows[i].cls->init(rows[i].ctx, akey, 16, mkey, 32);
    }
    aes_ctx = hsb_ctx_alloc(aes->ctx_size);
    hmac_ctx = hsb_ctx_alloc(hmac->ctx_size);
    (void)aes->init(aes_ctx, akey, 16);
    (void)hmac->init(hmac_ctx, mkey, 32);
    double hz = tsc_hz();
    printf("classes: %s, %s; aes %s, hmac %s; medians of %d x %.0f ms\n", st->name, sq->name,
           aes->name, hmac->name, reps, ms);
    for (size_t i = 0; i < sizeof plain; i++) plain[i] = (uint8_t)(i * 7);
    measure(rows, 1024, reps, ms, hz);
    measure(rows, 16384, reps, ms, hz);
    return 0;
}
