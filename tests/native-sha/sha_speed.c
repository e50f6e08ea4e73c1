/*
 * sha_speed.c - a quick A/B measurement of the native SHA-256 and
 * HMAC-SHA256 paths against OpenSSL EVP (not a test, not the benchmark
 * driver: a tool to check the native code's speed while working on it).
 *
 *   sha_speed [REPS] [MS]
 *
 * Two workloads, each implementation interleaved within every repetition:
 *   sha256 16 KiB, one stream: EVP_Digest* vs sha256-shani (and -portable);
 *   hmac-sha256 over 16 messages of 1 KiB (one key): EVP_MAC one message at
 *   a time (keyed once, final + re-init per message, as the openssl class
 *   does) vs the native one-stream class the same way, and vs the
 *   multi-buffer call on each path (AVX-512 x16, AVX2 x8, portable loop).
 * Each runs about MS ms per repetition (default 20), REPS repetitions
 * (default 9). Times are the thread's CPU time (the machine is shared),
 * shown as GB/s and TSC cycles per byte (CPU time x the TSC's rate:
 * reference cycles, not core cycles); medians, with the median of the
 * per-repetition ratios to OpenSSL.
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "hsb_backends.h"
#include "native_sha256.h"

#define NMSG 16
#define MSGLEN 1024
#define ONELEN 16384
#define MAXROWS 8
#define MAXREPS 99

static uint8_t buf[ONELEN], digest[NMSG][32];
static const uint8_t *msgs[NMSG];
static size_t lens[NMSG];
static uint8_t key[32] = {7, 6, 5, 4, 3, 2, 1};

typedef struct row {
    const char *name;
    void (*fn)(struct row *r);
    const hsb_sha256_class *sha;
    const hsb_hmac_sha256_class *hmac;
    hsb_native_mb_path path;
    void *ctx;
    EVP_MD_CTX *md;
    EVP_MAC_CTX *mac;
} row;

static hsb_native_hmac_mb_key mbkey;
static const hsb_native_hmac_mb_key *mbkeys[NMSG];

static void run_evp_sha(row *r)
{
    unsigned int n;
    if (!EVP_DigestInit_ex2(r->md, NULL, NULL) || !EVP_DigestUpdate(r->md, buf, ONELEN) ||
        !EVP_DigestFinal_ex(r->md, digest[0], &n))
        abort();
}
static void run_class_sha(row *r)
{
    r->sha->update(r->ctx, buf, ONELEN);
    r->sha->final(r->ctx, digest[0]);
}
static void run_evp_hmac(row *r)
{
    for (int i = 0; i < NMSG; i++) {
        size_t n;
        if (!EVP_MAC_update(r->mac, msgs[i], MSGLEN) || !EVP_MAC_final(r->mac, digest[i], &n, 32) ||
            !EVP_MAC_init(r->mac, NULL, 0, NULL))
            abort();
    }
}
static void run_class_hmac(row *r)
{
    for (int i = 0; i < NMSG; i++) {
        r->hmac->update(r->ctx, msgs[i], MSGLEN);
        r->hmac->final(r->ctx, digest[i]);
    }
}
static void run_mb_hmac(row *r)
{
    if (hsb_native_hmac_sha256_mb_path(r->path, mbkeys, msgs, lens, NMSG, digest) != HSB_OK)
        abort();
}
static void run_mb_sha(row *r)
{
    if (hsb_native_sha256_mb_path(r->path, msgs, lens, NMSG, digest) != HSB_OK) abort();
}

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static double now(void)
{
    return clock_s(CLOCK_THREAD_CPUTIME_ID);
}
static double tsc_ghz;

/* CPU seconds per call over about ms milliseconds. */
static double measure(row *r, double ms)
{
    size_t n = 1;
    for (;;) {
        double t0 = now();
        for (size_t i = 0; i < n; i++) r->fn(r);
        double dt = now() - t0;
        if (dt > ms * 1e-3 / 8) {
            n = (size_t)((double)n * (ms * 1e-3) / dt) + 1;
            break;
        }
        n *= 2;
    }
    double t0 = now();
    for (size_t i = 0; i < n; i++) r->fn(r);
    return (now() - t0) / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Rows interleaved per repetition; row 0 is the OpenSSL reference. */
static void suite(const char *title, row *rows, size_t nr, size_t bytes, int reps, double ms)
{
    static double gbs[MAXROWS][MAXREPS], cpb[MAXROWS][MAXREPS], rat[MAXROWS][MAXREPS];
    for (int r = 0; r < reps; r++)
        for (size_t i = 0; i < nr; i++) {
            double sec = measure(&rows[i], ms);
            gbs[i][r] = (double)bytes / sec / 1e9;
            cpb[i][r] = sec * tsc_ghz * 1e9 / (double)bytes;
            rat[i][r] = gbs[i][r] / gbs[0][r];
        }
    printf("%s\n", title);
    for (size_t i = 0; i < nr; i++) {
        qsort(gbs[i], (size_t)reps, sizeof(double), cmp_double);
        qsort(cpb[i], (size_t)reps, sizeof(double), cmp_double);
        qsort(rat[i], (size_t)reps, sizeof(double), cmp_double);
        printf("  %-30s %8.2f %10.3f %8.2f   (GB/s min %.2f max %.2f)\n", rows[i].name,
               gbs[i][reps / 2], cpb[i][reps / 2], rat[i][reps / 2], gbs[i][0], gbs[i][reps - 1]);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 9;
    double ms = argc > 2 ? atof(argv[2]) : 20;
    if (reps < 1 || reps > MAXREPS) reps = 9;

    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 131 + 7);
    for (int i = 0; i < NMSG; i++) {
        msgs[i] = buf + MSGLEN * i;
        lens[i] = MSGLEN;
        mbkeys[i] = &mbkey;
    }
    if (hsb_native_hmac_mb_key_init(&mbkey, key, sizeof key) != HSB_OK) return 1;

    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!md || !mac) return 1;
    char dname[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, dname, 0),
                           OSSL_PARAM_construct_end()};

    /* The TSC's rate against CLOCK_MONOTONIC. */
    double w0 = clock_s(CLOCK_MONOTONIC);
    uint64_t c0 = __rdtsc();
    while (clock_s(CLOCK_MONOTONIC) - w0 < 0.2) {
    }
    tsc_ghz = (double)(__rdtsc() - c0) / (clock_s(CLOCK_MONOTONIC) - w0) / 1e9;
    char feats[256];
    hsb_cpu_describe(hsb_cpu(), feats, sizeof feats);
    printf("TSC %.3f GHz; cpu: %s\n%d repetitions x ~%.0f ms, interleaved; medians\n\n", tsc_ghz,
           feats, reps, ms);
    printf("  %-30s %8s %10s %8s\n", "impl", "GB/s", "tsc-cyc/B", "x openssl");

    /* SHA-256, 16 KiB, one stream. */
    row srows[MAXROWS];
    size_t ns = 0;
    srows[ns++] = (row){.name = "openssl-evp-sha256", .fn = run_evp_sha, .md = EVP_MD_CTX_new()};
    if (!srows[0].md || !EVP_DigestInit_ex2(srows[0].md, md, NULL)) return 1;
    const hsb_sha256_class *sc[] = {hsb_native_sha256_shani_get(),
                                    hsb_native_sha256_portable_get()};
    for (int i = 0; i < 2; i++)
        if (sc[i]) srows[ns++] = (row){.name = sc[i]->name, .fn = run_class_sha, .sha = sc[i]};
    for (size_t i = 1; i < ns; i++) {
        srows[i].ctx = hsb_ctx_alloc(srows[i].sha->ctx_size);
        if (srows[i].sha->init(srows[i].ctx) != HSB_OK) return 1;
    }
    suite("sha256, 16384 bytes, one stream", srows, ns, ONELEN, reps, ms);

    /* HMAC-SHA256, 16 x 1 KiB. */
    row hrows[MAXROWS];
    size_t nh = 0;
    hrows[nh++] = (row){.name = "openssl-evp-hmac (1 at a time)", .fn = run_evp_hmac};
    hrows[0].mac = EVP_MAC_CTX_new(mac);
    if (!hrows[0].mac || !EVP_MAC_init(hrows[0].mac, key, sizeof key, params)) return 1;
    const hsb_hmac_sha256_class *hc[] = {hsb_native_hmac_shani_get(),
                                         hsb_native_hmac_portable_get()};
    for (int i = 0; i < 2; i++)
        if (hc[i]) {
            hrows[nh] = (row){.name = hc[i]->name, .fn = run_class_hmac, .hmac = hc[i]};
            hrows[nh].ctx = hsb_ctx_alloc(hc[i]->ctx_size);
            if (hc[i]->init(hrows[nh].ctx, key, sizeof key) != HSB_OK) return 1;
            nh++;
        }
    static const struct {
        hsb_native_mb_path p;
        const char *name, *sname;
    } mb[] = {
        {HSB_NATIVE_MB_AVX512, "hmac mb avx512-x16", "sha256 mb avx512-x16"},
        {HSB_NATIVE_MB_AVX2, "hmac mb avx2-x8", "sha256 mb avx2-x8"},
        {HSB_NATIVE_MB_PORTABLE, "hmac mb portable (loop)", "sha256 mb portable (loop)"},
    };
    for (int i = 0; i < 3; i++)
        if (hsb_native_sha256_mb_available(mb[i].p))
            hrows[nh++] = (row){.name = mb[i].name, .fn = run_mb_hmac, .path = mb[i].p};
    suite("hmac-sha256, 16 messages x 1024 bytes", hrows, nh, NMSG * MSGLEN, reps, ms);

    /* For comparison: plain SHA-256 over the same 16 x 1 KiB. */
    row mrows[MAXROWS];
    size_t nm = 0;
    mrows[nm++] =
        (row){.name = "openssl-evp-sha256 (1 at a time)", .fn = run_evp_sha, .md = srows[0].md};
    for (int i = 0; i < 3; i++)
        if (hsb_native_sha256_mb_available(mb[i].p))
            mrows[nm++] = (row){.name = mb[i].sname, .fn = run_mb_sha, .path = mb[i].p};
    suite("sha256, 16 messages x 1024 bytes (EVP row: one 16 KiB stream)", mrows, nm, NMSG * MSGLEN,
          reps, ms);

    for (size_t i = 1; i < ns; i++) {
        srows[i].sha->clear(srows[i].ctx);
        hsb_ctx_free(srows[i].ctx, srows[i].sha->ctx_size);
    }
    for (size_t i = 0; i < nh; i++)
        if (hrows[i].hmac) {
            hrows[i].hmac->clear(hrows[i].ctx);
            hsb_ctx_free(hrows[i].ctx, hrows[i].hmac->ctx_size);
        }
    hsb_native_hmac_mb_key_clear(&mbkey);
    EVP_MD_CTX_free(srows[0].md);
    EVP_MAC_CTX_free(hrows[0].mac);
    EVP_MD_free(md);
    EVP_MAC_free(mac);
    return 0;
}
