/*
 * hsb_mb_timing - a throwaway timing loop for the 8-lane kernel (not a test;
 * the real figures will come from `hsbench modexp` once a batch class
 * exists). In one run, per RSA size: OpenSSL's private op, our single-op
 * native class, and our 8-lane batch (ops/s = 8 / batch time), each the
 * median of R repetitions taken in alternation (so load from elsewhere on a
 * shared machine hits all alike; time is this thread's CPU time). Then TSC
 * cycles per 8-lane 1024-bit almost-Montgomery product and square, per lane
 * (median of R runs of 1000 calls).
 *
 * Usage: hsb_mb_timing [--reps R] [--bits 2048[,3072,4096]]
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "hsb_backends.h"
#include "native_mb.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_d);
    return v[n / 2];
}

typedef struct rig {
    EVP_PKEY *pk[8];
    EVP_PKEY_CTX *pctx;
    uint8_t buf[8][8][1024];
    hsb_rsa_key key[8];
    hsb_nm_mb_rsa mk[8];
    const hsb_rsa_priv_class *cls;
    void *ctx;
    const hsb_nm_mb_engine *mb;
    uint8_t in[8][512], out[8][512];
    size_t len;
} rig;

static void load_key(rig *r, int i, unsigned bits)
{
    static const char *names[8] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
                                   OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
                                   OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                                   OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    size_t len[8];
    r->pk[i] = EVP_RSA_gen(bits);
    for (int f = 0; f < 8; f++) {
        BIGNUM *b = NULL;
        EVP_PKEY_get_bn_param(r->pk[i], names[f], &b);
        len[f] = (size_t)BN_bn2bin(b, r->buf[i][f]);
        BN_free(b);
    }
    uint8_t(*b)[1024] = r->buf[i];
    hsb_rsa_key k = {b[0],   b[1],   b[2],   b[3],   b[4],   b[5],   b[6],   b[7],
                     len[0], len[1], len[2], len[3], len[4], len[5], len[6], len[7]};
    r->key[i] = k;
}

static void run_ossl(rig *r)
{
    size_t ol = r->len;
    if (EVP_PKEY_decrypt(r->pctx, r->out[0], &ol, r->in[0], r->len) <= 0) abort();
}
static void run_single(rig *r)
{
    if (r->cls->op(r->ctx, r->out[0], r->in[0], r->len) != HSB_OK) abort();
}
static void run_batch(rig *r)
{
    const hsb_nm_mb_rsa *kp[8];
    uint8_t *op[8];
    const uint8_t *ip[8];
    for (int l = 0; l < 8; l++) kp[l] = &r->mk[l], op[l] = r->out[l], ip[l] = r->in[l];
    unsigned ok;
    if (hsb_nm_mb_rsa_priv(r->mb, kp, op, ip, r->len, &ok) != HSB_OK) abort();
}

typedef void (*run_fn)(rig *r);

static int calls_for(run_fn f, rig *r)
{
    f(r);
    double t0 = now();
    int n = 0;
    while (now() - t0 < 0.02) f(r), n++;
    return n;
}

static void bench_rsa(unsigned bits, int reps, int nkeys)
{
    static rig r;
    memset(&r, 0, sizeof r);
    r.len = bits / 8;
    const hsb_nm_engine *e64 = hsb_nm_engine_get(HSB_NM_PATH_MULX);
    if (!e64) e64 = &hsb_nm_engine_portable;
    for (int i = 0; i < nkeys; i++) load_key(&r, i, bits);
    for (int l = 0; l < 8; l++) {
        if (hsb_nm_mb_rsa_init(&r.mk[l], e64, &r.key[l % nkeys]) != HSB_OK) abort();
        for (size_t i = 0; i < r.len; i++) r.in[l][i] = (uint8_t)rand();
        r.in[l][0] &= 0x7f;
    }
    r.pctx = EVP_PKEY_CTX_new(r.pk[0], NULL);
    EVP_PKEY_decrypt_init(r.pctx);
    EVP_PKEY_CTX_set_rsa_padding(r.pctx, RSA_NO_PADDING);
    r.cls = hsb_native_rsa_priv_get();
    r.ctx = calloc(1, r.cls->ctx_size);
    if (r.cls->init(r.ctx, &r.key[0]) != HSB_OK) abort();
    r.mb = hsb_nm_mb_engine_get();

    run_fn fns[3] = {run_ossl, run_single, run_batch};
    int calls[3];
    double us[3][64];
    for (int f = 0; f < 3; f++) calls[f] = calls_for(fns[f], &r);
    for (int rep = 0; rep < reps; rep++)
        for (int f = 0; f < 3; f++) {
            double t0 = now();
            for (int c = 0; c < calls[f]; c++) fns[f](&r);
            us[f][rep] = (now() - t0) / calls[f] * 1e6;
        }
    double o = median(us[0], reps), s = median(us[1], reps), b = median(us[2], reps);
    printf("rsa-%u private op, medians of %d reps, per core (thread CPU time):\n", bits, reps);
    printf("  openssl EVP_PKEY_decrypt  %9.1f us/op  %8.0f ops/s\n", o, 1e6 / o);
    printf("  native %-18s %9.1f us/op  %8.0f ops/s  (x%.2f openssl)\n", r.cls->name, s, 1e6 / s,
           o / s);
    printf("  native %-9s 8-lane   %9.1f us/batch %7.0f ops/s  (x%.2f openssl, x%.2f single)\n",
           r.mb->name, b, 8e6 / b, o / (b / 8), s / (b / 8));
    r.cls->clear(r.ctx);
    free(r.ctx);
    EVP_PKEY_CTX_free(r.pctx);
    for (int i = 0; i < nkeys; i++) EVP_PKEY_free(r.pk[i]);
    for (int l = 0; l < 8; l++) hsb_nm_mb_rsa_clear(&r.mk[l]);
}

/* TSC cycles of one 8-lane AMM and AMS of L limbs (n 64-bit limbs). */
static void bench_cycles_at(size_t n, int reps)
{
    enum { CALLS = 1000 };
    size_t L = (64 * n + 2 + 51) / 52;
    static hsb_nm_mb_mod q;
    static uint64_t a[8 * HSB_NM_MB_LMAX], n52[8 * HSB_NM_MB_LMAX];
    uint64_t k0[8];
    for (size_t k = 0; k < 8; k++) {
        uint64_t N[HSB_NM_MAX_LIMBS];
        for (size_t i = 0; i < n; i++) N[i] = ((uint64_t)rand() << 33) ^ (uint64_t)rand();
        N[0] |= 1, N[n - 1] |= (uint64_t)1 << 63;
        hsb_nm_mb_mod_init(&q, &hsb_nm_engine_portable, N, n, 64 * n - 1);
        for (size_t j = 0; j < L; j++) n52[8 * j + k] = q.n52[j], a[8 * j + k] = q.rr52[j];
        k0[k] = q.k0;
    }
    double cm[64], cs[64];
    for (int rep = 0; rep < reps; rep++) {
        uint64_t t0 = __rdtsc();
        for (int i = 0; i < CALLS; i++) hsb_nm_mb_ifma_amm(a, a, a, n52, k0, L);
        uint64_t t1 = __rdtsc();
        for (int i = 0; i < CALLS; i++) hsb_nm_mb_ifma_ams(a, a, n52, k0, L);
        uint64_t t2 = __rdtsc();
        cm[rep] = (double)(t1 - t0) / CALLS;
        cs[rep] = (double)(t2 - t1) / CALLS;
    }
    double m = median(cm, reps), s = median(cs, reps);
    printf("%zu-bit (L = %zu) 8-lane AMM: %.0f TSC cycles per call (%.1f per lane); AMS: %.0f "
           "(%.1f per lane); medians of %d x %d calls\n",
           64 * n, L, m, m / 8, s, s / 8, reps, CALLS);
}

static void bench_cycles(int reps)
{
    if (hsb_nm_mb_engine_get() != &hsb_nm_mb_engine_ifma) {
        printf("cycles: no IFMA kernel on this CPU, skipped\n");
        return;
    }
    static const size_t sizes[] = {16, 24, 32, 48, 64};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) bench_cycles_at(sizes[i], reps);
}

int main(int argc, char **argv)
{
    int reps = 9;
    const char *bits = "2048";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) reps = atoi(argv[++i]);
        if (strcmp(argv[i], "--bits") == 0 && i + 1 < argc) bits = argv[++i];
    }
    if (reps < 1) reps = 1;
    if (reps > 64) reps = 64;
    for (const char *p = bits; *p;) {
        unsigned b = (unsigned)strtoul(p, (char **)&p, 10);
        if (b) bench_rsa(b, reps, b > 3072 ? 2 : 4);
        if (*p == ',')
            p++;
        else if (*p)
            break;
    }
    bench_cycles(reps);
    return 0;
}
