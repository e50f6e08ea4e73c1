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
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef void (*op_fn)(void *arg);

/* Median time per call in microseconds: R batches of about 20 ms each. */
static double time_op(op_fn f, void *arg, int reps)
{
    f(arg); /* warm-up */
    double t0 = now();
    int calls = 0;
    while (now() - t0 < 0.02) f(arg), calls++;
    if (calls < 1) calls = 1;
    double s[64];
    if (reps > 64) reps = 64;
    for (int r = 0; r < reps; r++) {
        double a = now();
        for (int i = 0; i < calls; i++) f(arg);
        s[r] = (now() - a) / calls * 1e6;
    }
    qsort(s, (size_t)reps, sizeof s[0], cmp_d);
    return s[reps / 2];
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

    double o = time_op(run_ossl_modexp, &a, reps);
    double om = time_op(run_ossl_modexp_mont, &a, reps);
    printf("modexp-%d exp %zu bits: openssl consttime %.1f us (mont ctx cached %.1f us)\n", bits,
           exp_bits, o, om);
    for (int pi = 0; pi < HSB_NM_PATH_COUNT; pi++) {
        if (path_only >= 0 && pi != path_only) continue;
        a.cls = hsb_native_modexp_class((hsb_nm_path)pi);
        if (!a.cls) continue;
        double t = time_op(run_native_modexp, &a, reps);
        printf("    %-22s %9.1f us   x%.2f vs openssl\n", a.cls->name, t, o / t);
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
    double o = time_op(run_ossl_rsa, &a, reps);
    printf("rsa-crt-%d private op: openssl EVP_PKEY_decrypt raw %.1f us\n", bits, o);
    for (int pi = 0; pi < HSB_NM_PATH_COUNT; pi++) {
        if (path_only >= 0 && pi != path_only) continue;
        a.cls = hsb_native_rsa_priv_class((hsb_nm_path)pi);
        if (!a.cls) continue;
        a.ctx = hsb_ctx_alloc(a.cls->ctx_size);
        if (a.cls->init(a.ctx, &key) != HSB_OK) abort();
        double t = time_op(run_native_rsa, &a, reps);
        a.e = hsb_nm_engine_get((hsb_nm_path)pi);
        uint64_t N[HSB_NM_MAX_LIMBS];
        hsb_nm_from_bytes(N, a.len / 8, buf[0], len[0]);
        hsb_nm_mont_init(&a.mn, a.e, N, a.len / 8, (size_t)bits - 1);
        a.pe[0] = 1, a.pe[1] = 0, a.pe[2] = 1;
        double v = time_op(run_verify, &a, reps);
        printf("    %-22s %9.1f us   x%.2f vs openssl  (fault check m^65537: %.1f us = %.1f%%)\n",
               a.cls->name, t, o / t, v, 100 * v / t);
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
