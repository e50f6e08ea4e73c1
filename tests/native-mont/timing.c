/*
 * hsb_mont_timing - a throwaway timing loop for the native Montgomery code
 * against OpenSSL in the same run (the real driver is `hsbench modexp`).
 * Each figure is the median over R batches of the time per operation.
 *
 * Usage: hsb_mont_timing [--reps R] [--quick] [--path NAME]
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hsb_backends.h"
#include "native_mont.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* this thread only: the machine is shared */
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef void (*op_fn)(void *arg);

/* Time per call in microseconds of f and of the reference g, measured in
 * alternating batches of about 10 ms each (so that load from elsewhere hits
 * both alike): the medians of each, and the median of the per-batch ratios
 * (g time / f time, > 1: f is faster). */
typedef struct pair_time {
    double f_us, g_us, ratio;
} pair_time;

static int calls_for(op_fn f, void *arg)
{
    f(arg); /* warm-up */
    double t0 = now();
    int calls = 0;
    while (now() - t0 < 0.01) f(arg), calls++;
    return calls < 1 ? 1 : calls;
}

static pair_time time_pair(op_fn f, void *fa, op_fn g, void *ga, int reps)
{
    int cf = calls_for(f, fa), cg = calls_for(g, ga);
    double sf[64], sg[64], sr[64];
    if (reps > 64) reps = 64;
    for (int r = 0; r < reps; r++) {
        double a = now();
        for (int i = 0; i < cf; i++) f(fa);
        double b = now();
        for (int i = 0; i < cg; i++) g(ga);
        double c = now();
        sf[r] = (b - a) / cf * 1e6;
        sg[r] = (c - b) / cg * 1e6;
        sr[r] = sg[r] / sf[r];
    }
    qsort(sf, (size_t)reps, sizeof sf[0], cmp_d);
    qsort(sg, (size_t)reps, sizeof sg[0], cmp_d);
    qsort(sr, (size_t)reps, sizeof sr[0], cmp_d);
    pair_time p = {sf[reps / 2], sg[reps / 2], sr[reps / 2]};
    return p;
}

/* ------------------------------------------------------------------ modexp */

typedef struct mx_arg {
    const hsb_modexp_class *cls;
    uint8_t mod[512], base[512], exp[512], out[512];
    size_t len, exp_len;
    BIGNUM *bm, *bb, *be, *br;
    BN_CTX *ctx;
    BN_MONT_CTX *mont;
} mx_arg;

static void run_native_modexp(void *p)
{
    mx_arg *a = p;
    if (a->cls->modexp(a->out, a->base, a->len, a->exp, a->exp_len, a->mod, a->len) != HSB_OK)
        abort();
}
static void run_ossl_modexp(void *p)
{
    mx_arg *a = p;
    if (!BN_mod_exp_mont_consttime(a->br, a->bb, a->be, a->bm, a->ctx, NULL)) abort();
}
static void run_ossl_modexp_mont(void *p)
{
    mx_arg *a = p;
    if (!BN_mod_exp_mont_consttime(a->br, a->bb, a->be, a->bm, a->ctx, a->mont)) abort();
}

static void bench_modexp(int bits, size_t exp_bits, int reps, int path_only)
{
    mx_arg a;
    memset(&a, 0, sizeof a);
    a.len = (size_t)bits / 8;
    a.exp_len = (exp_bits + 7) / 8;
    for (size_t i = 0; i < a.len; i++) a.mod[i] = (uint8_t)rand(), a.base[i] = (uint8_t)rand();
    for (size_t i = 0; i < a.exp_len; i++) a.exp[i] = (uint8_t)rand();
    a.mod[0] |= 0x80;
    a.mod[a.len - 1] |= 1;
    a.base[0] &= 0x7f;
    a.exp[0] |= 0x80;
    a.bm = BN_bin2bn(a.mod, (int)a.len, NULL);
    a.bb = BN_bin2bn(a.base, (int)a.len, NULL);
    a.be = BN_bin2bn(a.exp, (int)a.exp_len, NULL);
    a.br = BN_new();
    a.ctx = BN_CTX_new();
    a.mont = BN_MONT_CTX_new();
    BN_MONT_CTX_set(a.mont, a.bm, a.ctx);
    BN_set_flags(a.be, BN_FLG_CONSTTIME);

    pair_time om = time_pair(run_ossl_modexp_mont, &a, run_ossl_modexp, &a, reps);
    printf("modexp-%d exp %zu bits: openssl BN_mod_exp_mont_consttime %.1f us (mont ctx cached "
           "%.1f us)\n",
           bits, exp_bits, om.g_us, om.f_us);
    for (int pi = 0; pi < HSB_NM_PATH_COUNT; pi++) {
        if (path_only >= 0 && pi != path_only) continue;
        a.cls = hsb_native_modexp_class((hsb_nm_path)pi);
        if (!a.cls) continue;
        pair_time t = time_pair(run_native_modexp, &a, run_ossl_modexp, &a, reps);
        printf("    %-24s %9.1f us (openssl %9.1f us alongside)  x%.2f vs openssl\n", a.cls->name,
               t.f_us, t.g_us, t.ratio);
    }
    BN_free(a.bm);
    BN_free(a.bb);
    BN_free(a.be);
    BN_free(a.br);
    BN_MONT_CTX_free(a.mont);
    BN_CTX_free(a.ctx);
}

/* --------------------------------------------------------------------- RSA */

typedef struct rsa_arg {
    const hsb_rsa_priv_class *cls;
    void *ctx;
    EVP_PKEY_CTX *pctx;
    uint8_t in[512], out[512];
    size_t len;
    const hsb_nm_engine *e;
    hsb_nm_mont mn;
    uint8_t pe[3];
} rsa_arg;

static void run_native_rsa(void *p)
{
    rsa_arg *a = p;
    if (a->cls->op(a->ctx, a->out, a->in, a->len) != HSB_OK) abort();
}
static void run_ossl_rsa(void *p)
{
    rsa_arg *a = p;
    size_t ol = sizeof a->out;
    if (EVP_PKEY_decrypt(a->pctx, a->out, &ol, a->in, a->len) <= 0) abort();
}
static void run_verify(void *p)
{
    /* What the fault check costs: m^e mod n at full size. */
    rsa_arg *a = p;
    uint64_t x[HSB_NM_MAX_LIMBS];
    hsb_nm_from_bytes(x, a->mn.n, a->in, a->len);
    hsb_nm_pow_public(a->e, &a->mn, x, x, a->pe, 3);
}

static void bench_rsa(int bits, int reps, int path_only)
{
    EVP_PKEY *pk = EVP_RSA_gen((unsigned)bits);
    rsa_arg a;
    memset(&a, 0, sizeof a);
    a.len = (size_t)bits / 8;
    BIGNUM *f[8] = {0};
    const char *names[8] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
                            OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
                            OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                            OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    uint8_t buf[8][512];
    size_t len[8];
    for (int i = 0; i < 8; i++) {
        EVP_PKEY_get_bn_param(pk, names[i], &f[i]);
        len[i] = (size_t)BN_bn2bin(f[i], buf[i]);
    }
    hsb_rsa_key key = {buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], buf[6], buf[7],
                       len[0], len[1], len[2], len[3], len[4], len[5], len[6], len[7]};
    for (size_t i = 0; i < a.len; i++) a.in[i] = (uint8_t)rand();
    a.in[0] = 0x12;
    a.pctx = EVP_PKEY_CTX_new(pk, NULL);
    EVP_PKEY_decrypt_init(a.pctx);
    EVP_PKEY_CTX_set_rsa_padding(a.pctx, RSA_NO_PADDING);
    printf("rsa-crt-%d private op vs openssl EVP_PKEY_decrypt (RSA_NO_PADDING):\n", bits);
    for (int pi = 0; pi < HSB_NM_PATH_COUNT; pi++) {
        if (path_only >= 0 && pi != path_only) continue;
        a.cls = hsb_native_rsa_priv_class((hsb_nm_path)pi);
        if (!a.cls) continue;
        a.ctx = hsb_ctx_alloc(a.cls->ctx_size);
        if (a.cls->init(a.ctx, &key) != HSB_OK) abort();
        pair_time t = time_pair(run_native_rsa, &a, run_ossl_rsa, &a, reps);
        a.e = hsb_nm_engine_get((hsb_nm_path)pi);
        uint64_t N[HSB_NM_MAX_LIMBS];
        hsb_nm_from_bytes(N, a.len / 8, buf[0], len[0]);
        hsb_nm_mont_init(&a.mn, a.e, N, a.len / 8, (size_t)bits - 1);
        a.pe[0] = 1, a.pe[1] = 0, a.pe[2] = 1;
        pair_time v = time_pair(run_verify, &a, run_native_rsa, &a, reps);
        printf("    %-24s %9.1f us (openssl %9.1f us alongside)  x%.2f vs openssl\n"
               "    %-24s fault check m^65537 mod n: %.1f us = %.1f%% of the op\n",
               a.cls->name, t.f_us, t.g_us, t.ratio, "", v.f_us, 100 / v.ratio);
        a.cls->clear(a.ctx);
        hsb_ctx_free(a.ctx, a.cls->ctx_size);
    }
    for (int i = 0; i < 8; i++) BN_free(f[i]);
    EVP_PKEY_CTX_free(a.pctx);
    EVP_PKEY_free(pk);
}

int main(int argc, char **argv)
{
    int reps = 9, quick = 0, path = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--path") == 0 && i + 1 < argc) {
            const char *n = argv[++i];
            for (int p = 0; p < HSB_NM_PATH_COUNT; p++)
                if (strcmp(n, hsb_nm_path_name((hsb_nm_path)p)) == 0) path = p;
        } else {
            fprintf(stderr, "usage: %s [--reps R] [--quick] [--path NAME]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1) reps = 1;
    char feats[256];
    hsb_cpu_describe(hsb_cpu(), feats, sizeof feats);
    printf("cpu: %s (%s); %s; medians of %d batches\n", hsb_cpu()->brand, feats,
           OpenSSL_version(OPENSSL_VERSION), reps);
    srand(1);
    bench_modexp(2048, 2048, reps, path);
    if (!quick) {
        bench_modexp(1024, 1024, reps, path);
        bench_modexp(2048, 225, reps, path);
        bench_modexp(3072, 275, reps, path);
        bench_modexp(4096, 325, reps, path);
    }
    bench_rsa(2048, reps, path);
    if (!quick) {
        bench_rsa(3072, reps, path);
        bench_rsa(4096, reps, path);
    }
    return 0;
}
