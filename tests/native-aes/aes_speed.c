/*
 * aes_speed.c - a quick A/B measurement of the native AES paths against
 * OpenSSL EVP (not a test, not the benchmark driver: a tool to check the
 * native code's speed while working on it).
 *
 *   aes_speed [REPS] [MS]
 *
 * For CBC encrypt, CBC decrypt, CTR and GCM seal (13 bytes of AAD, a fresh
 * IV per call) at 1 KiB and 16 KiB, each
 * implementation runs for about MS milliseconds per repetition (default 20),
 * implementations interleaved within each repetition, REPS repetitions
 * (default 9). Times are the thread's CPU time (the machine is shared); the
 * median is printed as GB/s (10^9 bytes per CPU second) and as TSC cycles per
 * byte (CPU time x the TSC's rate: reference cycles, not core cycles),
 * with the median of the per-repetition ratios to OpenSSL (each ratio taken
 * within one repetition, which a machine shared with other work disturbs
 * least), and the slowest and fastest repetition.
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "hsb_backends.h"
#include "hsb_native_aes.h"

enum { OP_CBC_ENC, OP_CBC_DEC, OP_CTR, OP_GCM_SEAL, OP_COUNT };
static const char *op_name[] = {"cbc-encrypt", "cbc-decrypt", "ctr", "gcm-seal"};

typedef struct {
    const char *name;
    const hsb_aes_class *cls; /* NULL: OpenSSL EVP */
    const hsb_gcm_class *gcm; /* for OP_GCM_SEAL */
    void *ctx, *gctx;
    EVP_CIPHER_CTX *evp[OP_COUNT];
} impl;

static uint8_t aad[13];
static uint8_t tag[16];

static uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static uint8_t iv[16];

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
/* This thread's CPU time: on a machine shared with other work, the time this
 * thread was not running is left out. */
static double now(void)
{
    return clock_s(CLOCK_THREAD_CPUTIME_ID);
}
static double tsc_ghz; /* TSC ticks per ns, measured once against CLOCK_MONOTONIC */

static void run_once(impl *m, int op, uint8_t *buf, size_t len)
{
    if (op == OP_GCM_SEAL) {
        /* One TLS-like record: a fresh IV, 13 bytes of AAD, the tag. */
        iv[11]++;
        if (m->gcm) {
            if (m->gcm->seal(m->gctx, iv, 12, aad, sizeof aad, buf, buf, len, tag) != HSB_OK)
                abort();
        } else {
            int outl;
            EVP_CIPHER_CTX *x = m->evp[op];
            if (!EVP_EncryptInit_ex(x, NULL, NULL, NULL, iv) ||
                !EVP_EncryptUpdate(x, NULL, &outl, aad, sizeof aad) ||
                !EVP_EncryptUpdate(x, buf, &outl, buf, (int)len) ||
                !EVP_EncryptFinal_ex(x, buf + outl, &outl) ||
                !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag))
                abort();
        }
    } else if (m->cls) {
        hsb_rc rc = HSB_OK;
        switch (op) {
        case OP_CBC_ENC:
            rc = m->cls->cbc_encrypt(m->ctx, iv, buf, buf, len);
            break;
        case OP_CBC_DEC:
            rc = m->cls->cbc_decrypt(m->ctx, iv, buf, buf, len);
            break;
        default:
            rc = m->cls->ctr(m->ctx, iv, buf, buf, len);
            break;
        }
        if (rc != HSB_OK) abort();
    } else {
        int outl;
        if (!EVP_CipherUpdate(m->evp[op], buf, &outl, buf, (int)len)) abort();
    }
}

/* CPU seconds and TSC-equivalent ticks (CPU seconds x TSC rate) per call,
 * over about ms milliseconds. */
static void measure(impl *m, int op, uint8_t *buf, size_t len, double ms, double *sec,
                    double *ticks)
{
    size_t n = 1;
    for (;;) { /* size the batch to the time asked */
        double t0 = now();
        for (size_t i = 0; i < n; i++) run_once(m, op, buf, len);
        double dt = now() - t0;
        if (dt > ms * 1e-3 / 8) {
            n = (size_t)((double)n * (ms * 1e-3) / dt) + 1;
            break;
        }
        n *= 2;
    }
    double t0 = now();
    for (size_t i = 0; i < n; i++) run_once(m, op, buf, len);
    double t1 = now();
    *sec = (t1 - t0) / (double)n;
    *ticks = *sec * tsc_ghz * 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 9;
    double ms = argc > 2 ? atof(argv[2]) : 20;
    if (reps < 1 || reps > 99) reps = 9;

    impl ms_[4];
    size_t ni = 0;
    ms_[ni++] = (impl){.name = "openssl-evp"};
    const hsb_aes_class *cands[] = {hsb_native_aes_ni_get(), hsb_native_aes_vaes256_get(),
                                    hsb_native_aes_vaes512_get()};
    for (size_t i = 0; i < 3; i++)
        if (cands[i]) ms_[ni++] = (impl){.name = cands[i]->name, .cls = cands[i]};
    /* GCM rows: each native CTR path's GCM beside the AES class of that width. */
    for (size_t i = 1; i < ni; i++) {
        const char *n = ms_[i].cls->name;
        ms_[i].gcm =
            !strcmp(n, "aesni-x8") ? hsb_native_gcm_ni_get() : hsb_native_gcm_vaes256_get();
    }
    const EVP_CIPHER *ciph[OP_COUNT] = {EVP_aes_128_cbc(), EVP_aes_128_cbc(), EVP_aes_128_ctr(),
                                        EVP_aes_128_gcm()};
    for (size_t i = 0; i < ni; i++) {
        if (ms_[i].cls) {
            ms_[i].ctx = hsb_ctx_alloc(ms_[i].cls->ctx_size);
            if (ms_[i].cls->init(ms_[i].ctx, key, 16) != HSB_OK) return 1;
            if (ms_[i].gcm) {
                ms_[i].gctx = hsb_ctx_alloc(ms_[i].gcm->ctx_size);
                if (ms_[i].gcm->init(ms_[i].gctx, key, 16) != HSB_OK) return 1;
            }
        } else {
            for (int op = 0; op < OP_COUNT; op++) {
                ms_[i].evp[op] = EVP_CIPHER_CTX_new();
                if (!EVP_CipherInit_ex(ms_[i].evp[op], ciph[op], NULL, key, iv, op != OP_CBC_DEC))
                    return 1;
                EVP_CIPHER_CTX_set_padding(ms_[i].evp[op], 0);
            }
        }
    }
    uint8_t *buf = aligned_alloc(64, 16384);
    memset(buf, 0x3c, 16384);

    /* The TSC's rate, and the core clock from a chain of dependent adds (1 per
     * cycle) timed in CPU time. */
    double w0 = clock_s(CLOCK_MONOTONIC), t0 = now();
    uint64_t c0 = __rdtsc();
    long x = 0;
    for (long i = 0; i < 50000000; i++)
        __asm__ volatile("add $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0" : "+r"(x));
    double dt = now() - t0;
    tsc_ghz = (double)(__rdtsc() - c0) / (clock_s(CLOCK_MONOTONIC) - w0) / 1e9;
    printf("TSC %.3f GHz; core clock under a dependent-add loop ~%.3f GHz\n", tsc_ghz,
           2e8 / dt / 1e9);
    printf("%d repetitions x ~%.0f ms, interleaved; medians\n\n", reps, ms);
    printf("%-12s %6s %-20s %9s %10s %8s\n", "op", "bytes", "impl", "GB/s", "tsc-cyc/B",
           "x openssl");

    static const size_t sizes[] = {16384, 1024};
    for (int op = 0; op < OP_COUNT; op++)
        for (size_t si = 0; si < 2; si++) {
            size_t len = sizes[si];
            double gbs[4][99], cpb[4][99], rat[4][99];
            for (int r = 0; r < reps; r++)
                for (size_t i = 0; i < ni; i++) {
                    double sec, ticks;
                    if (op == OP_GCM_SEAL && i && !ms_[i].gcm) continue;
                    measure(&ms_[i], op, buf, len, ms, &sec, &ticks);
                    gbs[i][r] = (double)len / sec / 1e9;
                    cpb[i][r] = ticks / (double)len;
                    rat[i][r] = gbs[i][r] / gbs[0][r]; /* against OpenSSL in the same repetition */
                }
            for (size_t i = 0; i < ni; i++) {
                if (op == OP_GCM_SEAL && i && !ms_[i].gcm) continue;
                qsort(gbs[i], (size_t)reps, sizeof(double), cmp_double);
                qsort(cpb[i], (size_t)reps, sizeof(double), cmp_double);
                qsort(rat[i], (size_t)reps, sizeof(double), cmp_double);
                printf("%-12s %6zu %-20s %9.2f %10.3f %8.2f   (GB/s min %.2f max %.2f)\n",
                       op_name[op], len,
                       op == OP_GCM_SEAL && ms_[i].gcm ? ms_[i].gcm->name : ms_[i].name,
                       gbs[i][reps / 2], cpb[i][reps / 2], rat[i][reps / 2], gbs[i][0],
                       gbs[i][reps - 1]);
            }
        }
    for (size_t i = 0; i < ni; i++) {
        if (ms_[i].cls) hsb_ctx_free(ms_[i].ctx, ms_[i].cls->ctx_size);
        if (ms_[i].gcm) hsb_ctx_free(ms_[i].gctx, ms_[i].gcm->ctx_size);
        for (int op = 0; op < OP_COUNT; op++) EVP_CIPHER_CTX_free(ms_[i].evp[op]);
    }
    free(buf);
    return 0;
}
