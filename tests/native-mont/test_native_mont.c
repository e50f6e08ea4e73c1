/*
 * test_native_mont - the native Montgomery code against OpenSSL's BN, on every
 * path this CPU has (portable, mulx, ifma):
 *   - Montgomery context and mul/sqr/redc for every limb count 1..64;
 *   - modexp class: random inputs at 1024/2048/3072/4096 bits and odd sizes
 *     (1032, 1088, small moduli), edge cases, known answers (built in, and the
 *     RSADP file of the shared vectors when given);
 *   - RSA-CRT private and public ops on generated keys, the fault check;
 *   - DH on the RFC 3526 groups: set_priv, keygen, check, derive.
 *
 * Usage: test_native_mont [--vectors DIR] [--seed N] [--expect-path NAME] [--ifma]
 *   --expect-path  fail unless the best path is NAME (with HSB_CPU_DISABLE)
 *   --ifma         only compare the IFMA path with the mulx one; exit 77
 *                  (skip) when the CPU lacks IFMA; prints PASS or FAIL
 */
#if !defined(HSB_NO_JANSSON)
#include <jansson.h>
#endif
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hsb_backends.h"
#include "hsb_hex.h"
#include "native_mont.h"

static int failures;
static int checks;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(cond)) {                                                                             \
            if (failures++ < 20) {                                                                 \
                fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                               \
                fprintf(stderr, __VA_ARGS__);                                                      \
                fputc('\n', stderr);                                                               \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* ------------------------------------------------------------------ random */

static uint64_t rng_state;
static uint64_t rnd64(void)
{
    /* splitmix64: reproducible from --seed. */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static size_t rnd_below(size_t n)
{
    return (size_t)(rnd64() % n);
}
static void rnd_bytes(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)rnd64();
}
/* Random limbs with a bias to the extremes (all-zero and all-one limbs). */
static uint64_t rnd_limb(void)
{
    switch (rnd_below(16)) {
    case 0:
        return 0;
    case 1:
        return ~(uint64_t)0;
    case 2:
        return 1;
    default:
        return rnd64();
    }
}

static hsb_rc test_rng_fill(void *out, size_t len)
{
    rnd_bytes(out, len);
    return HSB_OK;
}
static const hsb_rng_class test_rng = {"test-splitmix", test_rng_fill};

/* ------------------------------------------------------------- BN helpers */

static BN_CTX *bnctx;

static BIGNUM *bn_limbs(const uint64_t *x, size_t n)
{
    uint8_t b[8 * 2 * HSB_NM_MAX_LIMBS];
    hsb_nm_to_bytes(b, 8 * n, x, n);
    return BN_bin2bn(b, (int)(8 * n), NULL);
}
static void limbs_bn(uint64_t *x, size_t n, const BIGNUM *v)
{
    uint8_t b[8 * 2 * HSB_NM_MAX_LIMBS];
    BN_bn2binpad(v, b, (int)(8 * n));
    hsb_nm_from_bytes(x, n, b, 8 * n);
}
static int eq_limbs_bn(const uint64_t *x, size_t n, const BIGNUM *v)
{
    BIGNUM *a = bn_limbs(x, n);
    int eq = BN_cmp(a, v) == 0;
    BN_free(a);
    return eq;
}
/* A random value below m. */
static void rand_below(BIGNUM *r, const BIGNUM *m)
{
    int bytes = BN_num_bytes(m) + 8;
    uint8_t b[8 * 2 * HSB_NM_MAX_LIMBS + 8];
    rnd_bytes(b, (size_t)bytes);
    BN_bin2bn(b, bytes, r);
    BN_mod(r, r, m, bnctx);
}

/* ------------------------------------------- Montgomery arithmetic, 1..64 */

static void random_modulus(uint64_t *N, size_t n)
{
    for (size_t i = 0; i < n; i++) N[i] = rnd_limb();
    N[0] |= 1;
    if (N[n - 1] == 0) N[n - 1] = 1 + rnd_below(5); /* keep n limbs significant */
    switch (rnd_below(4)) {
    case 0:
        N[n - 1] |= (uint64_t)1 << 63; /* full-size, as RSA moduli */
        break;
    case 1:
        N[n - 1] >>= rnd_below(64); /* any length */
        if (N[n - 1] == 0) N[n - 1] = 1;
        break;
    default:
        break;
    }
    N[0] |= 1;
    if (n == 1 && N[0] == 1) N[0] = 3;
}

static void test_arith(const hsb_nm_engine *e, int per_size)
{
    for (size_t n = 1; n <= HSB_NM_MAX_LIMBS; n++) {
        for (int it = 0; it < per_size; it++) {
            uint64_t N[HSB_NM_MAX_LIMBS], a[HSB_NM_MAX_LIMBS], b[HSB_NM_MAX_LIMBS],
                r[HSB_NM_MAX_LIMBS], t[2 * HSB_NM_MAX_LIMBS];
            random_modulus(N, n);
            static hsb_nm_mont m;
            hsb_nm_mont_init(&m, e, N, n, hsb_nm_bitlen_public(N, n) - 1);

            BIGNUM *bN = bn_limbs(N, n), *R = BN_new(), *Ri = BN_new(), *x = BN_new(),
                   *y = BN_new(), *z = BN_new();
            BN_set_bit(R, (int)(64 * n));
            BN_mod_inverse(Ri, R, bN, bnctx);
            BN_mod(z, R, bN, bnctx);
            CHECK(eq_limbs_bn(m.one, n, z), "%s n=%zu: R mod N", e->name, n);
            BN_mod_sqr(z, z, bN, bnctx);
            CHECK(eq_limbs_bn(m.rr, n, z), "%s n=%zu: R^2 mod N", e->name, n);
            CHECK(m.n0 * N[0] == ~(uint64_t)0, "%s n=%zu: n0", e->name, n);

            /* a, b < N, with extremes N-1 and 0 now and then. */
            rand_below(x, bN);
            rand_below(y, bN);
            if (it == 0) BN_sub(x, bN, BN_value_one());
            if (it == 1) BN_sub(y, bN, BN_value_one());
            if (it == 2) BN_zero(y);
            limbs_bn(a, n, x);
            limbs_bn(b, n, y);

            e->mul(r, a, b, &m);
            BN_mod_mul(z, x, y, bN, bnctx);
            BN_mod_mul(z, z, Ri, bN, bnctx);
            CHECK(eq_limbs_bn(r, n, z), "%s n=%zu it=%d: mul", e->name, n, it);
            memcpy(r, a, sizeof r);
            e->mul(r, r, b, &m); /* r aliases a */
            CHECK(eq_limbs_bn(r, n, z), "%s n=%zu: mul aliased", e->name, n);

            e->sqr(r, a, &m);
            BN_mod_mul(z, x, x, bN, bnctx);
            BN_mod_mul(z, z, Ri, bN, bnctx);
            CHECK(eq_limbs_bn(r, n, z), "%s n=%zu it=%d: sqr", e->name, n, it);
            memcpy(r, a, sizeof r);
            e->sqr(r, r, &m);
            CHECK(eq_limbs_bn(r, n, z), "%s n=%zu: sqr aliased", e->name, n);

            /* Limbs biased to all-zero and all-one words (carry chains at
             * their longest), reduced mod N, squared. */
            for (size_t i = 0; i < n; i++) a[i] = rnd_limb();
            BIGNUM *be = bn_limbs(a, n);
            BN_mod(be, be, bN, bnctx);
            limbs_bn(a, n, be);
            e->sqr(r, a, &m);
            BN_mod_mul(z, be, be, bN, bnctx);
            BN_mod_mul(z, z, Ri, bN, bnctx);
            CHECK(eq_limbs_bn(r, n, z), "%s n=%zu it=%d: sqr, extreme limbs", e->name, n, it);
            e->mul(r, a, a, &m);
            CHECK(eq_limbs_bn(r, n, z), "%s n=%zu it=%d: mul a a, extreme limbs", e->name, n, it);
            BN_free(be);

            /* a < R (not reduced) times b < N: still fully reduced. */
            for (size_t i = 0; i < n; i++) a[i] = rnd_limb();
            e->mul(r, a, b, &m);
            BIGNUM *ba = bn_limbs(a, n);
            BN_mod_mul(z, ba, y, bN, bnctx);
            BN_mod_mul(z, z, Ri, bN, bnctx);
            CHECK(eq_limbs_bn(r, n, z), "%s n=%zu: mul with a < R", e->name, n);

            /* redc of t < N R. */
            BIGNUM *bt = BN_new();
            BN_mul(bt, bN, R, bnctx);
            rand_below(bt, bt);
            limbs_bn(t, 2 * n, bt);
            e->redc(r, t, &m);
            BN_mod_mul(z, bt, Ri, bN, bnctx);
            CHECK(eq_limbs_bn(r, n, z), "%s n=%zu: redc", e->name, n);

            BN_free(bt);
            BN_free(ba);
            BN_free(bN);
            BN_free(R);
            BN_free(Ri);
            BN_free(x);
            BN_free(y);
            BN_free(z);
        }
    }
}

/* ------------------------------------------------------------------ modexp */

/* One modexp case against BN_mod_exp. */
/* hsb_nm_pow_public (variable time: RSA e, the DH check's q) against BN on
 * random moduli, with exponents of every length class the code splits on:
 * 1..64 bits (bit by bit), longer (the engine's own exponentiation where it
 * has one, else the sliding window), leading zero bytes, runs of zeros. */
static void test_pow_public(const hsb_nm_engine *e, int per_size)
{
    static const size_t limbs[] = {1, 2, 8, 16, 17, 24, 32, 48, 64};
    for (size_t li = 0; li < sizeof limbs / sizeof limbs[0]; li++) {
        size_t n = limbs[li];
        for (int it = 0; it < per_size; it++) {
            uint64_t N[HSB_NM_MAX_LIMBS], x[HSB_NM_MAX_LIMBS], r[HSB_NM_MAX_LIMBS];
            uint8_t exp[8 * HSB_NM_MAX_LIMBS + 2];
            random_modulus(N, n);
            static hsb_nm_mont m;
            hsb_nm_mont_init(&m, e, N, n, hsb_nm_bitlen_public(N, n) - 1);
            BIGNUM *bN = bn_limbs(N, n), *bx = BN_new(), *be, *want = BN_new();
            rand_below(bx, bN);
            limbs_bn(x, n, bx);
            size_t len = 1 + rnd_below(it % 3 == 0 ? 8 : 8 * n + 2);
            rnd_bytes(exp, len);
            if (it % 4 == 1) exp[0] = 0;                       /* leading zero byte */
            if (it % 5 == 2 && len > 4) memset(exp + 1, 0, 3); /* a run of zeros */
            be = BN_bin2bn(exp, (int)len, NULL);
            BN_mod_exp(want, bx, be, bN, bnctx);
            hsb_nm_pow_public(e, &m, r, x, exp, len);
            CHECK(eq_limbs_bn(r, n, want), "%s n=%zu exp %zu bytes: pow_public", e->name, n, len);
            BN_free(bN), BN_free(bx), BN_free(be), BN_free(want);
        }
    }
}

static void modexp_case(const hsb_modexp_class *cls, const BIGNUM *mod, const BIGNUM *base,
                        const uint8_t *exp, size_t exp_len, size_t base_len)
{
    uint8_t mb[HSB_MAX_MODULUS_BYTES], bb[HSB_MAX_MODULUS_BYTES + 8], out[HSB_MAX_MODULUS_BYTES];
    size_t ml = (size_t)BN_num_bytes(mod);
    BN_bn2binpad(mod, mb, (int)ml);
    BN_bn2binpad(base, bb, (int)base_len);
    hsb_rc rc = cls->modexp(out, bb, base_len, exp, exp_len, mb, ml);
    BIGNUM *e = BN_bin2bn(exp, (int)exp_len, NULL), *want = BN_new();
    BN_mod_exp(want, base, e, mod, bnctx);
    uint8_t wb[HSB_MAX_MODULUS_BYTES];
    BN_bn2binpad(want, wb, (int)ml);
    CHECK(rc == HSB_OK && memcmp(out, wb, ml) == 0, "%s: modexp %d-bit, exp %zu bytes (rc %s)",
          cls->name, BN_num_bits(mod), exp_len, hsb_rc_name(rc));
    BN_free(e);
    BN_free(want);
}

static void test_modexp_random(const hsb_modexp_class *cls, int bits, int count, int full)
{
    BIGNUM *mod = BN_new(), *base = BN_new();
    uint8_t exp[HSB_MAX_MODULUS_BYTES];
    for (int it = 0; it < count + full; it++) {
        /* A random odd modulus of exactly bits bits. */
        size_t bytes = ((size_t)bits + 7) / 8;
        uint8_t mb[HSB_MAX_MODULUS_BYTES];
        rnd_bytes(mb, bytes);
        BN_bin2bn(mb, (int)bytes, mod);
        BN_mask_bits(mod, bits);
        BN_set_bit(mod, bits - 1);
        BN_set_bit(mod, 0);
        rand_below(base, mod);
        switch (it % 16) {
        case 0:
            BN_zero(base);
            break;
        case 1:
            BN_one(base);
            break;
        case 2:
            BN_sub(base, mod, BN_value_one());
            break;
        default:
            break;
        }
        size_t exp_len = it < count ? rnd_below(25) : bytes; /* full-size ones last */
        rnd_bytes(exp, exp_len);
        if (exp_len && rnd_below(4) == 0) exp[0] = 0; /* leading zero bytes */
        size_t base_len = bytes + (rnd_below(8) == 0 ? rnd_below(8) : 0);
        modexp_case(cls, mod, base, exp, exp_len, base_len);
    }
    BN_free(mod);
    BN_free(base);
}

static void test_modexp_edges(const hsb_modexp_class *cls)
{
    uint8_t mod[256], base[300], exp[8] = {0, 0, 1}, out[512];
    rnd_bytes(mod, sizeof mod);
    mod[0] |= 0x80;
    mod[255] |= 1;
    memset(base, 0, sizeof base);
    /* base = mod -> RANGE; base = mod - 1 fine. */
    memcpy(base, mod, 256);
    CHECK(cls->modexp(out, base, 256, exp, 3, mod, 256) == HSB_E_RANGE, "%s: base == mod",
          cls->name);
    base[255] ^= 1;
    CHECK(cls->modexp(out, base, 256, exp, 3, mod, 256) == HSB_OK, "%s: base == mod - 1",
          cls->name);
    /* base > mod by a high byte beyond the modulus' length -> RANGE. */
    memset(base, 0, sizeof base);
    base[0] = 1;
    CHECK(cls->modexp(out, base, 300, exp, 3, mod, 256) == HSB_E_RANGE, "%s: long base", cls->name);
    /* leading zeros on a small base are fine: 5^1 = 5 */
    memset(base, 0, sizeof base);
    base[299] = 5;
    exp[0] = 1;
    CHECK(cls->modexp(out, base, 300, exp, 1, mod, 256) == HSB_OK && out[255] == 5 && out[0] == 0,
          "%s: 5^1", cls->name);
    /* exp = 0 (empty, or zero bytes) -> 1 */
    base[299] = 7;
    CHECK(cls->modexp(out, base, 300, exp, 0, mod, 256) == HSB_OK && out[255] == 1 && out[254] == 0,
          "%s: exp empty", cls->name);
    memset(exp, 0, sizeof exp);
    CHECK(cls->modexp(out, base, 300, exp, 8, mod, 256) == HSB_OK && out[255] == 1, "%s: exp zero",
          cls->name);
    CHECK(cls->modexp(out, NULL, 0, exp, 8, mod, 256) == HSB_OK && out[255] == 1, "%s: 0^0 = 1",
          cls->name);
    exp[7] = 3;
    CHECK(cls->modexp(out, NULL, 0, exp, 8, mod, 256) == HSB_OK && out[255] == 0 && out[0] == 0,
          "%s: 0^3 = 0", cls->name);
    /* even modulus, modulus 1, modulus 0 -> RANGE; too large -> UNSUPPORTED */
    mod[255] &= 0xfe;
    CHECK(cls->modexp(out, base, 1, exp, 8, mod, 256) == HSB_E_RANGE, "%s: even mod", cls->name);
    uint8_t one[4] = {0, 0, 0, 1}, zero[2] = {0, 0}, three[1] = {3};
    CHECK(cls->modexp(out, zero, 1, exp, 8, one, 4) == HSB_E_RANGE, "%s: mod 1", cls->name);
    CHECK(cls->modexp(out, zero, 1, exp, 8, zero, 2) == HSB_E_RANGE, "%s: mod 0", cls->name);
    uint8_t big[513];
    memset(big, 0xff, sizeof big);
    CHECK(cls->modexp(out, zero, 1, exp, 8, big, 513) == HSB_E_UNSUPPORTED, "%s: 4104-bit mod",
          cls->name);
    /* tiny known answers: 4^13 mod 497 = 445; 2^10 mod 3 = 1; 2 mod 3 */
    uint8_t m497[2] = {0x01, 0xf1}, b4[1] = {4}, e13[1] = {13}, two[1] = {2}, e10[1] = {10};
    CHECK(cls->modexp(out, b4, 1, e13, 1, m497, 2) == HSB_OK && out[0] == 0x01 && out[1] == 0xbd,
          "%s: 4^13 mod 497", cls->name);
    CHECK(cls->modexp(out, two, 1, e10, 1, three, 1) == HSB_OK && out[0] == 1, "%s: 2^10 mod 3",
          cls->name);
    CHECK(cls->modexp(out, two, 1, three, 1, three, 1) == HSB_OK && out[0] == 2, "%s: 2^3 mod 3",
          cls->name);
    /* a modulus with leading zero bytes: the output keeps mod_len bytes */
    uint8_t m0[6] = {0, 0, 0, 0, 0x01, 0xf1};
    CHECK(cls->modexp(out, b4, 1, e13, 1, m0, 6) == HSB_OK && out[4] == 0x01 && out[5] == 0xbd &&
              out[0] == 0,
          "%s: padded modulus", cls->name);
}

/* Known answers from derived/rsadp_sp800_56b_component.json: k = c^d mod n. */
static void test_rsadp_vectors(const hsb_modexp_class *cls, const char *dir)
{
#if defined(HSB_NO_JANSSON)
    printf("  rsadp vectors: SKIPPED (built without jansson; %s)\n", dir);
    (void)cls;
#else
    char path[1024];
    snprintf(path, sizeof path, "%s/derived/rsadp_sp800_56b_component.json", dir);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        printf("  rsadp vectors: SKIPPED (%s not readable)\n", path);
        return;
    }
    json_t *vs = json_object_get(root, "vectors");
    size_t idx, pass = 0, fail = 0;
    json_t *v;
    json_array_foreach(vs, idx, v)
    {
        const char *res = json_string_value(json_object_get(v, "result"));
        uint8_t n[512], d[512], c[512], k[512], out[512];
        size_t nl = hsb_hex_decode(n, sizeof n, json_string_value(json_object_get(v, "n")));
        size_t dl = hsb_hex_decode(d, sizeof d, json_string_value(json_object_get(v, "d")));
        size_t cl = hsb_hex_decode(c, sizeof c, json_string_value(json_object_get(v, "c")));
        hsb_rc rc = cls->modexp(out, c, cl, d, dl, n, nl);
        if (res && strcmp(res, "Pass") == 0) {
            size_t kl = hsb_hex_decode(k, sizeof k, json_string_value(json_object_get(v, "k")));
            /* k may be given shorter than n: compare right-aligned. */
            int ok = rc == HSB_OK && kl <= nl && memcmp(out + nl - kl, k, kl) == 0;
            for (size_t i = 0; ok && i < nl - kl; i++) ok = out[i] == 0;
            CHECK(ok, "%s: rsadp vector %zu", cls->name, idx);
            pass++;
        } else {
            CHECK(rc == HSB_E_RANGE, "%s: rsadp vector %zu (Fail) gave %s", cls->name, idx,
                  hsb_rc_name(rc));
            fail++;
        }
    }
    printf("  rsadp vectors: %zu Pass + %zu Fail cases run\n", pass, fail);
    json_decref(root);
#endif
}

/* --------------------------------------------------------------------- RSA */

typedef struct test_key {
    int bits;
    EVP_PKEY *pkey;
    BIGNUM *n, *e, *d, *p, *q, *dp, *dq, *qinv;
    uint8_t buf[8][512];
    hsb_rsa_key key;
} test_key;

static void key_field(test_key *tk, int i, const BIGNUM *v, const uint8_t **ptr, size_t *len)
{
    *len = (size_t)BN_bn2bin(v, tk->buf[i]);
    *ptr = tk->buf[i];
}

static void make_key(test_key *tk, int bits)
{
    memset(tk, 0, sizeof *tk);
    tk->bits = bits;
    tk->pkey = EVP_RSA_gen((unsigned)bits);
    if (!tk->pkey) {
        fprintf(stderr, "EVP_RSA_gen(%d) failed\n", bits);
        exit(2);
    }
    EVP_PKEY_get_bn_param(tk->pkey, OSSL_PKEY_PARAM_RSA_N, &tk->n);
    EVP_PKEY_get_bn_param(tk->pkey, OSSL_PKEY_PARAM_RSA_E, &tk->e);
    EVP_PKEY_get_bn_param(tk->pkey, OSSL_PKEY_PARAM_RSA_D, &tk->d);
    EVP_PKEY_get_bn_param(tk->pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, &tk->p);
    EVP_PKEY_get_bn_param(tk->pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, &tk->q);
    EVP_PKEY_get_bn_param(tk->pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1, &tk->dp);
    EVP_PKEY_get_bn_param(tk->pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2, &tk->dq);
    EVP_PKEY_get_bn_param(tk->pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &tk->qinv);
    hsb_rsa_key *k = &tk->key;
    key_field(tk, 0, tk->n, &k->n, &k->n_len);
    key_field(tk, 1, tk->e, &k->e, &k->e_len);
    key_field(tk, 2, tk->d, &k->d, &k->d_len);
    key_field(tk, 3, tk->p, &k->p, &k->p_len);
    key_field(tk, 4, tk->q, &k->q, &k->q_len);
    key_field(tk, 5, tk->dp, &k->dp, &k->dp_len);
    key_field(tk, 6, tk->dq, &k->dq, &k->dq_len);
    key_field(tk, 7, tk->qinv, &k->qinv, &k->qinv_len);
}

static void free_key(test_key *tk)
{
    EVP_PKEY_free(tk->pkey);
    BN_free(tk->n);
    BN_free(tk->e);
    BN_free(tk->d);
    BN_free(tk->p);
    BN_free(tk->q);
    BN_free(tk->dp);
    BN_free(tk->dq);
    BN_free(tk->qinv);
}

static void test_rsa(const hsb_rsa_priv_class *pc, const hsb_rsa_pub_class *uc, test_key *tk,
                     int count)
{
    void *ctx = hsb_ctx_alloc(pc->ctx_size), *uctx = hsb_ctx_alloc(uc->ctx_size);
    hsb_rc rc = pc->init(ctx, &tk->key);
    CHECK(rc == HSB_OK, "%s: init %d (%s)", pc->name, tk->bits, hsb_rc_name(rc));
    const hsb_rsa_key *k = &tk->key;
    rc = uc->init(uctx, k->n, k->n_len, k->e, k->e_len);
    CHECK(rc == HSB_OK, "%s: init %d (%s)", uc->name, tk->bits, hsb_rc_name(rc));
    size_t nl = k->n_len;
    CHECK(pc->n_len(ctx) == nl && uc->n_len(uctx) == nl, "%s: n_len", pc->name);

    BIGNUM *c = BN_new(), *want = BN_new();
    uint8_t in[512], out[512], wb[512], back[512];
    for (int it = 0; it < count; it++) {
        rand_below(c, tk->n);
        if (it == 0) BN_zero(c);
        if (it == 1) BN_one(c);
        if (it == 2) BN_sub(c, tk->n, BN_value_one());
        BN_bn2binpad(c, in, (int)nl);
        BN_mod_exp(want, c, tk->d, tk->n, bnctx);
        BN_bn2binpad(want, wb, (int)nl);
        rc = pc->op(ctx, out, in, nl);
        CHECK(rc == HSB_OK && memcmp(out, wb, nl) == 0, "%s: %d-bit private op (%s)", pc->name,
              tk->bits, hsb_rc_name(rc));
        rc = uc->op(uctx, back, out, nl);
        CHECK(rc == HSB_OK && memcmp(back, in, nl) == 0, "%s: %d-bit public op", uc->name,
              tk->bits);
        memcpy(back, in, nl); /* in == out */
        rc = pc->op(ctx, back, back, nl);
        CHECK(rc == HSB_OK && memcmp(back, wb, nl) == 0, "%s: in == out", pc->name);
    }
    /* c >= n, wrong length */
    memcpy(in, k->n, nl);
    CHECK(pc->op(ctx, out, in, nl) == HSB_E_RANGE, "%s: c == n", pc->name);
    CHECK(uc->op(uctx, out, in, nl) == HSB_E_RANGE, "%s: c == n", uc->name);
    memset(in, 0xff, nl);
    CHECK(pc->op(ctx, out, in, nl) == HSB_E_RANGE, "%s: c > n", pc->name);
    CHECK(pc->op(ctx, out, in, nl - 1) == HSB_E_USAGE, "%s: short c", pc->name);
    CHECK(pc->op(ctx, out, in, nl + 1) == HSB_E_USAGE, "%s: long c", pc->name);
    pc->clear(ctx);
    uc->clear(uctx);

    /* The fault check: a wrong dp (or qinv) gives a wrong m, which must be
     * caught and nothing released. */
    hsb_rsa_key bad = *k;
    uint8_t dpx[512], qix[512];
    memcpy(dpx, k->dp, k->dp_len);
    dpx[k->dp_len - 1] ^= 2;
    bad.dp = dpx;
    CHECK(pc->init(ctx, &bad) == HSB_OK, "%s: init bad dp", pc->name);
    BN_bn2binpad(tk->e, in, (int)nl); /* any c that is not 0 or 1 */
    memset(out, 0xaa, nl);
    rc = pc->op(ctx, out, in, nl);
    int zero = 1;
    for (size_t i = 0; i < nl; i++) zero &= out[i] == 0;
    CHECK(rc == HSB_E_CRYPTO && zero, "%s: fault check on bad dp (%s)", pc->name, hsb_rc_name(rc));
    pc->clear(ctx);
    bad = *k;
    memcpy(qix, k->qinv, k->qinv_len);
    qix[k->qinv_len - 1] ^= 1;
    bad.qinv = qix;
    CHECK(pc->init(ctx, &bad) == HSB_OK, "%s: init bad qinv", pc->name);
    CHECK(pc->op(ctx, out, in, nl) == HSB_E_CRYPTO, "%s: fault check on bad qinv", pc->name);
    pc->clear(ctx);
    /* Fields with leading zero bytes (two's-complement style) still work. */
    uint8_t pz[520], qz[520], dz[520];
    bad = *k;
    pz[0] = 0;
    memcpy(pz + 1, k->p, k->p_len);
    qz[0] = qz[1] = 0;
    memcpy(qz + 2, k->q, k->q_len);
    dz[0] = 0;
    memcpy(dz + 1, k->dp, k->dp_len);
    bad.p = pz, bad.p_len = k->p_len + 1;
    bad.q = qz, bad.q_len = k->q_len + 2;
    bad.dp = dz, bad.dp_len = k->dp_len + 1;
    bad.qinv = qix, bad.qinv_len = k->qinv_len + 1;
    qix[0] = 0;
    memcpy(qix + 1, k->qinv, k->qinv_len);
    CHECK(pc->init(ctx, &bad) == HSB_OK, "%s: init with leading zeros", pc->name);
    rc = pc->op(ctx, out, in, nl);
    BN_bin2bn(in, (int)nl, c);
    BN_mod_exp(want, c, tk->d, tk->n, bnctx);
    BN_bn2binpad(want, wb, (int)nl);
    CHECK(rc == HSB_OK && memcmp(out, wb, nl) == 0, "%s: leading zeros op", pc->name);
    pc->clear(ctx);

    BN_free(c);
    BN_free(want);
    hsb_ctx_free(ctx, pc->ctx_size);
    hsb_ctx_free(uctx, uc->ctx_size);
}

/* ---------------------------------------------------------------------- DH */

static void test_dh(const hsb_dh_class *cls, BIGNUM *(*prime)(BIGNUM *), int bits,
                    unsigned priv_bits, int count)
{
    BIGNUM *p = prime(NULL), *q = BN_new(), *g = BN_new(), *x = BN_new(), *y = BN_new(),
           *z = BN_new();
    BN_rshift1(q, p);
    BN_set_word(g, 2);
    uint8_t pb[512], qb[512], gb[1] = {2};
    size_t pl = (size_t)BN_bn2bin(p, pb), ql = (size_t)BN_bn2bin(q, qb);
    hsb_dh_group grp = {"modp", pb, gb, qb, pl, 1, ql, priv_bits};
    void *a = hsb_ctx_alloc(cls->ctx_size), *b = hsb_ctx_alloc(cls->ctx_size);
    CHECK(cls->init(a, &grp) == HSB_OK && cls->init(b, &grp) == HSB_OK, "%s: init %d", cls->name,
          bits);

    uint8_t xb[512], pub[512], pub2[512], s1[512], s2[512], wb[512];
    for (int it = 0; it < count; it++) {
        /* set_priv: pub = g^x, derive = peer^x, against BN. */
        size_t xl = priv_bits ? (priv_bits + 7) / 8 : pl;
        rnd_bytes(xb, xl);
        CHECK(cls->set_priv(a, xb, xl, pub, pl) == HSB_OK, "%s: set_priv", cls->name);
        BN_bin2bn(xb, (int)xl, x);
        BN_mod_exp(z, g, x, p, bnctx);
        BN_bn2binpad(z, wb, (int)pl);
        CHECK(memcmp(pub, wb, pl) == 0, "%s: %d-bit g^x", cls->name, bits);
        rand_below(y, p);
        if (BN_cmp(y, BN_value_one()) <= 0) BN_set_word(y, 2);
        BN_bn2binpad(y, pub2, (int)pl);
        CHECK(cls->derive(a, s1, pl, pub2, pl) == HSB_OK, "%s: derive", cls->name);
        BN_mod_exp(z, y, x, p, bnctx);
        BN_bn2binpad(z, wb, (int)pl);
        CHECK(memcmp(s1, wb, pl) == 0, "%s: %d-bit peer^x", cls->name, bits);

        /* keygen on both sides agree, and the values pass the full check. */
        CHECK(cls->keygen(a, &test_rng, pub, pl) == HSB_OK, "%s: keygen", cls->name);
        CHECK(cls->keygen(b, &test_rng, pub2, pl) == HSB_OK, "%s: keygen", cls->name);
        CHECK(cls->check(a, pub2, pl, HSB_DH_CHECK_FULL) == HSB_OK, "%s: full check", cls->name);
        CHECK(cls->derive(a, s1, pl, pub2, pl) == HSB_OK &&
                  cls->derive(b, s2, pl, pub, pl) == HSB_OK && memcmp(s1, s2, pl) == 0,
              "%s: %d-bit shared secrets differ", cls->name, bits);
    }
    /* Range checks: 0, 1, p-1, p, p+1, too long -> RANGE; 2 and p-2 pass RANGE;
     * p-2 is a non-residue for these p (-1 is, 2 is not: p = 7 mod 8), so FULL
     * rejects it. */
    uint8_t v[520];
    memset(v, 0, sizeof v);
    CHECK(cls->check(a, v, pl, HSB_DH_CHECK_RANGE) == HSB_E_RANGE, "%s: y = 0", cls->name);
    CHECK(cls->check(a, v, 0, HSB_DH_CHECK_RANGE) == HSB_E_RANGE, "%s: y empty", cls->name);
    v[pl - 1] = 1;
    CHECK(cls->check(a, v, pl, HSB_DH_CHECK_RANGE) == HSB_E_RANGE, "%s: y = 1", cls->name);
    CHECK(cls->derive(a, s1, pl, v, pl) == HSB_E_RANGE, "%s: derive y = 1", cls->name);
    v[pl - 1] = 2;
    CHECK(cls->check(a, v, pl, HSB_DH_CHECK_FULL) == HSB_OK, "%s: y = 2", cls->name);
    BN_sub(z, p, BN_value_one());
    BN_bn2binpad(z, v, (int)pl);
    CHECK(cls->check(a, v, pl, HSB_DH_CHECK_RANGE) == HSB_E_RANGE, "%s: y = p-1", cls->name);
    BN_sub_word(z, 1);
    BN_bn2binpad(z, v, (int)pl);
    CHECK(cls->check(a, v, pl, HSB_DH_CHECK_RANGE) == HSB_OK, "%s: y = p-2 range", cls->name);
    CHECK(cls->check(a, v, pl, HSB_DH_CHECK_FULL) == HSB_E_RANGE, "%s: y = p-2 full", cls->name);
    BN_bn2binpad(p, v, (int)pl);
    CHECK(cls->check(a, v, pl, HSB_DH_CHECK_RANGE) == HSB_E_RANGE, "%s: y = p", cls->name);
    BN_add_word(z, 3);
    BN_bn2binpad(z, v, (int)pl);
    CHECK(cls->check(a, v, pl, HSB_DH_CHECK_RANGE) == HSB_E_RANGE, "%s: y = p+1", cls->name);
    memset(v, 0, sizeof v);
    v[0] = 1;
    CHECK(cls->check(a, v, pl + 1, HSB_DH_CHECK_RANGE) == HSB_E_RANGE, "%s: long y", cls->name);
    /* FULL without q -> USAGE */
    hsb_dh_group noq = grp;
    noq.q = NULL;
    noq.q_len = 0;
    CHECK(cls->init(b, &noq) == HSB_OK, "%s: init without q", cls->name);
    v[pl] = 2;
    CHECK(cls->check(b, v + 1, pl, HSB_DH_CHECK_FULL) == HSB_E_USAGE, "%s: full without q",
          cls->name);
    CHECK(cls->derive(b, s1, pl, pub, pl) == HSB_E_USAGE, "%s: derive before keygen", cls->name);

    cls->clear(a);
    cls->clear(b);
    hsb_ctx_free(a, cls->ctx_size);
    hsb_ctx_free(b, cls->ctx_size);
    BN_free(p);
    BN_free(q);
    BN_free(g);
    BN_free(x);
    BN_free(y);
    BN_free(z);
}

/* ------------------------------------------------------------------- IFMA */

/* The IFMA engine's exponentiations against the generic 64-bit code on the
 * mulx engine, random moduli and inputs at every size it takes. */
static void test_ifma_vs_mulx(int per_size)
{
    const hsb_nm_engine *fi = hsb_nm_engine_get(HSB_NM_PATH_IFMA);
    const hsb_nm_engine *mx = hsb_nm_engine_get(HSB_NM_PATH_MULX);
    static const size_t limbs[] = {1, 2, 7, 8, 15, 16, 17, 20, 24, 31, 32, 40, 48, 56, 63, 64};
    for (size_t s = 0; s < sizeof limbs / sizeof limbs[0]; s++) {
        size_t n = limbs[s];
        for (int it = 0; it < per_size; it++) {
            static hsb_nm_mont m1, m2, x1, x2;
            uint64_t N1[HSB_NM_MAX_LIMBS], N2[HSB_NM_MAX_LIMBS], b1[HSB_NM_MAX_LIMBS],
                b2[HSB_NM_MAX_LIMBS], o1[HSB_NM_MAX_LIMBS], o2[HSB_NM_MAX_LIMBS],
                w1[HSB_NM_MAX_LIMBS], w2[HSB_NM_MAX_LIMBS];
            uint8_t e1[512], e2[512];
            random_modulus(N1, n);
            random_modulus(N2, n);
            hsb_nm_mont_init(&m1, fi, N1, n, hsb_nm_bitlen_public(N1, n) - 1);
            hsb_nm_mont_init(&m2, fi, N2, n, hsb_nm_bitlen_public(N2, n) - 1);
            hsb_nm_mont_init(&x1, mx, N1, n, hsb_nm_bitlen_public(N1, n) - 1);
            hsb_nm_mont_init(&x2, mx, N2, n, hsb_nm_bitlen_public(N2, n) - 1);
            for (size_t i = 0; i < n; i++) b1[i] = rnd_limb(), b2[i] = rnd_limb();
            /* reduce: b mod N via mul by R^2 then by 1 */
            uint64_t unit[HSB_NM_MAX_LIMBS] = {1};
            mx->mul(b1, b1, x1.rr, &x1);
            mx->mul(b1, b1, unit, &x1);
            mx->mul(b2, b2, x2.rr, &x2);
            mx->mul(b2, b2, unit, &x2);
            size_t l1 = it % 3 == 0 ? 8 * n : rnd_below(8 * n + 1), l2 = rnd_below(8 * n + 1);
            rnd_bytes(e1, l1);
            rnd_bytes(e2, l2);
            hsb_nm_pow(fi, &m1, o1, b1, e1, l1);
            hsb_nm_pow_generic(mx, &x1, w1, b1, e1, l1);
            CHECK(memcmp(o1, w1, n * 8) == 0, "ifma pow n=%zu exp %zu bytes", n, l1);
            /* public exponents (sliding windows), bases as drawn and the
             * edges 0, 1, N - 1 in turn */
            if (it % 4 == 1) memset(b1, 0, sizeof b1);
            if (it % 4 == 2) memset(b1, 0, sizeof b1), b1[0] = 1;
            if (it % 4 == 3) memcpy(b1, N1, sizeof b1), b1[0] -= 1;
            static const uint8_t f4[] = {0x01, 0x00, 0x01};
            hsb_nm_pow_public(fi, &m1, o1, b1, f4, sizeof f4);
            hsb_nm_pow_generic(mx, &x1, w1, b1, f4, sizeof f4);
            CHECK(memcmp(o1, w1, n * 8) == 0, "ifma pow_public n=%zu exp 65537", n);
            hsb_nm_pow_public(fi, &m1, o1, b1, e1, l1);
            hsb_nm_pow_generic(mx, &x1, w1, b1, e1, l1);
            CHECK(memcmp(o1, w1, n * 8) == 0, "ifma pow_public n=%zu exp %zu bytes", n, l1);
            hsb_nm_pow(fi, &m1, o1, b1, e1, l1);
            hsb_nm_pow_generic(mx, &x1, w1, b1, e1, l1);
            CHECK(memcmp(o1, w1, n * 8) == 0, "ifma pow n=%zu exp %zu bytes (edge base)", n, l1);
            hsb_nm_pow2(fi, &m1, o1, b1, e1, l1, &m2, o2, b2, e2, l2);
            hsb_nm_pow_generic(mx, &x2, w2, b2, e2, l2);
            CHECK(memcmp(o1, w1, n * 8) == 0 && memcmp(o2, w2, n * 8) == 0,
                  "ifma pow2 n=%zu exp %zu/%zu bytes", n, l1, l2);
        }
    }
}

/* ------------------------------------------------------------------- main */

static BIGNUM *modp2048(BIGNUM *b)
{
    return BN_get_rfc3526_prime_2048(b);
}
static BIGNUM *modp3072(BIGNUM *b)
{
    return BN_get_rfc3526_prime_3072(b);
}
static BIGNUM *modp4096(BIGNUM *b)
{
    return BN_get_rfc3526_prime_4096(b);
}

int main(int argc, char **argv)
{
    const char *vectors = NULL, *expect = NULL;
    int ifma_only = 0;
    uint64_t seed = 0x68736231; /* fixed by default: reproducible */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--vectors") == 0 && i + 1 < argc)
            vectors = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--expect-path") == 0 && i + 1 < argc)
            expect = argv[++i];
        else if (strcmp(argv[i], "--ifma") == 0)
            ifma_only = 1;
        else {
            fprintf(stderr, "usage: %s [--vectors DIR] [--seed N] [--expect-path NAME] [--ifma]\n",
                    argv[0]);
            return 2;
        }
    }
    rng_state = seed;
    bnctx = BN_CTX_new();
    char feats[256];
    hsb_cpu_describe(hsb_cpu(), feats, sizeof feats);
    printf("seed %#llx; cpu: %s; best path: %s\n", (unsigned long long)seed, feats,
           hsb_nm_path_name(hsb_nm_best_path()));

    if (ifma_only) {
        if (!hsb_nm_engine_get(HSB_NM_PATH_IFMA) || !hsb_nm_engine_get(HSB_NM_PATH_MULX)) {
            printf("ifma: SKIP (no AVX-512 IFMA on this CPU, or the path is not built)\n");
            return 77;
        }
        test_ifma_vs_mulx(60);
        printf("ifma vs mulx: %d checks, %s\n", checks, failures ? "FAIL" : "PASS");
        return failures ? 1 : 0;
    }

    if (expect && strcmp(expect, hsb_nm_path_name(hsb_nm_best_path())) != 0) {
        fprintf(stderr, "FAIL: best path is %s, expected %s\n",
                hsb_nm_path_name(hsb_nm_best_path()), expect);
        return 1;
    }

    int keybits[] = {1024, 1032, 2048, 3072, 4096};
    test_key keys[5];
    for (int i = 0; i < 5; i++) make_key(&keys[i], keybits[i]);

    for (int pi = 0; pi < HSB_NM_PATH_COUNT; pi++) {
        hsb_nm_path path = (hsb_nm_path)pi;
        const hsb_nm_engine *e = hsb_nm_engine_get(path);
        if (!e) {
            printf("path %s: not available on this CPU (skipped)\n", hsb_nm_path_name(path));
            continue;
        }
        int before = failures;
        clock_t t0 = clock();
        test_arith(e, 24);
        test_pow_public(e, 40);
        const hsb_modexp_class *mc = hsb_native_modexp_class(path);
        test_modexp_edges(mc);
        static const int sizes[] = {8, 64, 72, 520, 1024, 1032, 1088, 2048, 3072, 4096};
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            test_modexp_random(mc, sizes[s], sizes[s] >= 3072 ? 400 : 1000,
                               sizes[s] >= 3072 ? 2 : 4);
        if (vectors) test_rsadp_vectors(mc, vectors);
        const hsb_rsa_priv_class *pc = hsb_native_rsa_priv_class(path);
        const hsb_rsa_pub_class *uc = hsb_native_rsa_pub_class(path);
        for (int i = 0; i < 5; i++) test_rsa(pc, uc, &keys[i], keybits[i] >= 3072 ? 4 : 20);
        const hsb_dh_class *dc = hsb_native_dh_class(path);
        test_dh(dc, modp2048, 2048, 225, 6);
        test_dh(dc, modp3072, 3072, 275, 2);
        test_dh(dc, modp4096, 4096, 325, 2);
        test_dh(dc, modp2048, 2048, 0, 1); /* 0: full-size exponent */
        printf("path %s: %s (%.1f s)\n", hsb_nm_path_name(path),
               failures == before ? "ok" : "FAILED", (double)(clock() - t0) / CLOCKS_PER_SEC);
    }
    if (hsb_nm_engine_get(HSB_NM_PATH_IFMA) && hsb_nm_engine_get(HSB_NM_PATH_MULX)) {
        test_ifma_vs_mulx(10);
        printf("ifma vs mulx: done\n");
    } else {
        printf("ifma vs mulx: SKIP (no AVX-512 IFMA here)\n");
    }

    for (int i = 0; i < 5; i++) free_key(&keys[i]);
    BN_CTX_free(bnctx);
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
