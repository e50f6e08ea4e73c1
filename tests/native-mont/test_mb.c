/*
 * test_native_mb - the 8-lane exponentiation and RSA-CRT (native_mb.h)
 * against OpenSSL: every lane of every batch compared with BN_mod_exp (and
 * with EVP_PKEY_decrypt, RSA_NO_PADDING, for the RSA batches).
 *
 *   --engine emu   mont_ifma_mb.c compiled over the scalar model (any CPU)
 *   --engine ifma  the real instructions; exit 77, loudly, without IFMA
 *   --engine seq   the sequential fallback
 *   --quick        fewer rounds (the emulated model is slow at 2048 bits)
 *
 * Per size (1024/1536/2048/3072/4096-bit moduli: the 4-bit window from 3072
 * on, the column square up to 2048): 8 lanes with different moduli (full
 * size and shorter ones), random bases and exponents, edge bases (0, 1,
 * N - 1) and exponents (all zero, all ones), partial batches whose unused
 * lanes must stay untouched; the square against the product; then RSA
 * 2048/3072/4096 batches with different keys per lane, an out-of-range
 * lane, a partial batch and a corrupted key whose lane the fault check must
 * reject while the others pass.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "native_mb.h"

extern const hsb_nm_mb_engine hsb_nm_mb_engine_ifma_emu;
int hsb_nm_mb_ifma_selftest_emu(void);
int hsb_nm_mb_ifma_amm_emu(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *n52,
                           const uint64_t *k0, size_t L);
int hsb_nm_mb_ifma_ams_emu(uint64_t *r, const uint64_t *a, const uint64_t *n52, const uint64_t *k0,
                           size_t L);

static int failures, checks;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            putchar('\n');                                                                         \
        }                                                                                          \
    } while (0)

static uint64_t st = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
    st ^= st << 13;
    st ^= st >> 7;
    st ^= st << 17;
    return st;
}

static const hsb_nm_mb_engine *mb;
static const hsb_nm_engine *e64;
static int use_emu;

/* ------------------------------------------------------------------- pow */

/* x (n limbs) = v, via BN (v < 2^(64 n)). */
static void from_bn(uint64_t *x, size_t n, const BIGNUM *v)
{
    uint8_t b[8 * HSB_NM_MAX_LIMBS];
    BN_bn2binpad(v, b, (int)(8 * n));
    hsb_nm_from_bytes(x, n, b, 8 * n);
}

static BIGNUM *to_bn(const uint64_t *x, size_t n)
{
    uint8_t b[8 * HSB_NM_MAX_LIMBS];
    hsb_nm_to_bytes(b, 8 * n, x, n);
    return BN_bin2bn(b, (int)(8 * n), NULL);
}

/* One lane's inputs: modulus kind 0 full size, 1 shorter, 2 2^(64n) - 1. */
typedef struct lane_in {
    uint64_t N[HSB_NM_MAX_LIMBS], base[HSB_NM_MAX_LIMBS], out[HSB_NM_MAX_LIMBS];
    uint8_t exp[8 * HSB_NM_MAX_LIMBS];
} lane_in;

static void make_lane(lane_in *li, size_t n, int kind, int edge, size_t exp_len, BN_CTX *bc)
{
    for (size_t i = 0; i < n; i++) li->N[i] = rnd(), li->base[i] = rnd();
    if (kind == 0) li->N[n - 1] |= (uint64_t)1 << 63;
    if (kind == 1) li->N[n - 1] = (li->N[n - 1] >> (1 + rnd() % 62)) | 1;
    if (kind == 2) memset(li->N, 0xff, n * sizeof li->N[0]);
    li->N[0] |= 1;
    BIGNUM *bn = to_bn(li->N, n), *bb = to_bn(li->base, n);
    BN_mod(bb, bb, bn, bc);
    if (edge == 1) BN_zero(bb);
    if (edge == 2) BN_one(bb);
    if (edge == 3) BN_sub(bb, bn, BN_value_one());
    from_bn(li->base, n, bb);
    for (size_t i = 0; i < exp_len; i++) li->exp[i] = (uint8_t)rnd();
    if (edge == 4) memset(li->exp, 0, exp_len);
    if (edge == 5) memset(li->exp, 0xff, exp_len);
    BN_free(bn);
    BN_free(bb);
}

static int lane_matches(const lane_in *li, size_t n, size_t exp_len, BN_CTX *bc)
{
    BIGNUM *bn = to_bn(li->N, n), *bb = to_bn(li->base, n), *r = BN_new();
    BIGNUM *be = BN_bin2bn(li->exp, (int)exp_len, NULL);
    BN_mod_exp(r, bb, be, bn, bc);
    uint64_t want[HSB_NM_MAX_LIMBS];
    from_bn(want, n, r);
    int ok = memcmp(want, li->out, n * 8) == 0;
    BN_free(bn), BN_free(bb), BN_free(r), BN_free(be);
    return ok;
}

static void pow_batch(size_t n, size_t exp_len, unsigned used, int edge_round, BN_CTX *bc)
{
    static lane_in li[8];
    static hsb_nm_mb_mod mods[8];
    const hsb_nm_mb_mod *mp[8];
    uint64_t *op[8];
    const uint64_t *bp[8];
    const uint8_t *ep[8];
    for (size_t k = 0; k < 8; k++) {
        make_lane(&li[k], n, (int)(k % 3 == 2 ? rnd() % 3 : 0), edge_round ? (int)(k % 6) : 0,
                  exp_len, bc);
        hsb_nm_mb_mod_init(&mods[k], e64, li[k].N, n, hsb_nm_bitlen_public(li[k].N, n) - 1);
        memset(li[k].out, 0xa5, sizeof li[k].out); /* unused lanes must keep it */
        mp[k] = (used >> k) & 1 ? &mods[k] : NULL;
        op[k] = li[k].out, bp[k] = li[k].base, ep[k] = li[k].exp;
    }
    int done = mb->pow(mp, op, bp, ep, exp_len);
    CHECK(done, "%s declined n=%zu exp_len=%zu", mb->name, n, exp_len);
    for (size_t k = 0; done && k < 8; k++) {
        if ((used >> k) & 1) {
            CHECK(lane_matches(&li[k], n, exp_len, bc), "pow n=%zu lane %zu exp_len %zu used %02x",
                  n, k, exp_len, used);
        } else {
            uint64_t guard[HSB_NM_MAX_LIMBS];
            memset(guard, 0xa5, sizeof guard);
            CHECK(memcmp(guard, li[k].out, sizeof guard) == 0, "unused lane %zu written", k);
        }
    }
}

/* The square against the product: the same m per step, so bit-identical. */
static void check_square(size_t n)
{
    if (mb == &hsb_nm_mb_engine_seq) return;
    size_t L = (64 * n + 2 + 51) / 52;
    uint64_t a[8 * HSB_NM_MB_LMAX], n52[8 * HSB_NM_MB_LMAX], k0[8], r1[8 * HSB_NM_MB_LMAX],
        r2[8 * HSB_NM_MB_LMAX];
    static hsb_nm_mb_mod q;
    for (size_t k = 0; k < 8; k++) {
        uint64_t N[HSB_NM_MAX_LIMBS];
        for (size_t i = 0; i < n; i++) N[i] = rnd();
        N[0] |= 1, N[n - 1] |= (uint64_t)1 << 63;
        hsb_nm_mb_mod_init(&q, e64, N, n, 64 * n - 1);
        for (size_t j = 0; j < L; j++) {
            n52[8 * j + k] = q.n52[j];
            a[8 * j + k] = j + 1 < L ? rnd() >> 12 : q.n52[j]; /* < 2 N: top limb of N */
        }
        k0[k] = q.k0;
    }
    int ok1, ok2;
    if (use_emu) {
        ok1 = hsb_nm_mb_ifma_amm_emu(r1, a, a, n52, k0, L);
        ok2 = hsb_nm_mb_ifma_ams_emu(r2, a, n52, k0, L);
    } else {
        ok1 = hsb_nm_mb_ifma_amm(r1, a, a, n52, k0, L);
        ok2 = hsb_nm_mb_ifma_ams(r2, a, n52, k0, L);
    }
    CHECK(ok1 && ok2 && memcmp(r1, r2, 8 * L * sizeof r1[0]) == 0, "square != product, L=%zu", L);
}

static void test_pow(int quick)
{
    static const size_t sizes[] = {16, 24, 32, 48, 64};
    BN_CTX *bc = BN_CTX_new();
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        int rounds = quick ? 2 : 4;
        check_square(n);
        /* full-size exponents (the model at 3072/4096 bits: a short one) */
        pow_batch(n, quick && n > 32 ? 40 : 8 * n, 0xff, 0, bc);
        pow_batch(n, 8 * n, 0xff, 1, bc); /* edge bases and exponents */
        for (int r = 0; r < rounds; r++) {
            unsigned used = (unsigned)(rnd() & 0xff);
            if (!used) used = 0x10;
            pow_batch(n, 1 + rnd() % 40, r == 0 ? 0xff : used, 0, bc);
        }
        pow_batch(n, 3, 0x01, 0, bc); /* one lane */
        pow_batch(n, 3, 0x80, 0, bc);
    }
    BN_CTX_free(bc);
}

/* ------------------------------------------------------------------- RSA */

typedef struct ossl_key {
    EVP_PKEY *pk;
    uint8_t buf[8][1024];
    hsb_rsa_key key;
} ossl_key;

static void load_key(ossl_key *k, unsigned bits)
{
    k->pk = EVP_RSA_gen(bits);
    const char *names[8] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
                            OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
                            OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                            OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    size_t len[8];
    for (int i = 0; i < 8; i++) {
        BIGNUM *f = NULL;
        EVP_PKEY_get_bn_param(k->pk, names[i], &f);
        len[i] = (size_t)BN_bn2bin(f, k->buf[i]);
        BN_free(f);
    }
    hsb_rsa_key key = {k->buf[0], k->buf[1], k->buf[2], k->buf[3], k->buf[4], k->buf[5],
                       k->buf[6], k->buf[7], len[0],    len[1],    len[2],    len[3],
                       len[4],    len[5],    len[6],    len[7]};
    k->key = key;
}

static void ossl_priv(EVP_PKEY *pk, uint8_t *out, const uint8_t *in, size_t len)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
    size_t ol = len;
    EVP_PKEY_decrypt_init(c);
    EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING);
    if (EVP_PKEY_decrypt(c, out, &ol, in, len) <= 0) memset(out, 0xee, len);
    EVP_PKEY_CTX_free(c);
}

static void test_rsa(unsigned bits, int nkeys)
{
    static ossl_key keys[8];
    static hsb_nm_mb_rsa mk[8], bad;
    static uint8_t in[8][512], out[8][512], want[8][512];
    const hsb_nm_mb_rsa *kp[8];
    uint8_t *op[8];
    const uint8_t *ip[8];
    for (int i = 0; i < nkeys; i++) {
        load_key(&keys[i], bits);
        CHECK(hsb_nm_mb_rsa_init(&mk[i], e64, &keys[i].key) == HSB_OK, "rsa init %u", bits);
    }
    size_t len = bits / 8;
    for (int round = 0; round < 3; round++) {
        for (size_t l = 0; l < 8; l++) {
            int ki = (int)(l % (size_t)nkeys);
            for (size_t i = 0; i < len; i++) in[l][i] = (uint8_t)rnd();
            in[l][0] &= 0x7f; /* below n */
            ossl_priv(keys[ki].pk, want[l], in[l], len);
            kp[l] = &mk[ki], op[l] = out[l], ip[l] = in[l];
        }
        unsigned expect = 0xff;
        hsb_rc want_rc = HSB_OK;
        if (round == 1) { /* partial batch and a ciphertext >= n */
            kp[2] = kp[6] = NULL;
            memset(in[4], 0xff, len);
            expect = 0xff & ~0x44u & ~0x10u;
            want_rc = HSB_E_RANGE;
        }
        if (round == 2) { /* a fault: lane 3's dp corrupted */
            bad = *kp[3];
            bad.dp[8 * bad.k - 1] ^= 2;
            kp[3] = &bad;
            expect = 0xff & ~0x08u;
            want_rc = HSB_E_CRYPTO;
        }
        unsigned ok = 0;
        hsb_rc rc = hsb_nm_mb_rsa_priv(mb, kp, op, ip, len, &ok);
        CHECK(rc == want_rc && ok == expect, "rsa-%u round %d rc %d ok %02x (want %02x)", bits,
              round, (int)rc, ok, expect);
        for (size_t l = 0; l < 8; l++) {
            if (!kp[l]) continue;
            if ((expect >> l) & 1)
                CHECK(memcmp(out[l], want[l], len) == 0, "rsa-%u round %d lane %zu", bits, round,
                      l);
            else
                CHECK(out[l][0] == 0 && memcmp(out[l], out[l] + 1, len - 1) == 0,
                      "rsa-%u lane %zu not zeroed", bits, l);
        }
    }
    for (int i = 0; i < nkeys; i++) EVP_PKEY_free(keys[i].pk), hsb_nm_mb_rsa_clear(&mk[i]);
}

int main(int argc, char **argv)
{
    const char *engine = "emu";
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--engine") == 0 && i + 1 < argc) engine = argv[++i];
        if (strcmp(argv[i], "--quick") == 0) quick = 1;
    }
    e64 = hsb_nm_engine_get(HSB_NM_PATH_MULX);
    if (!e64) e64 = &hsb_nm_engine_portable;
    if (strcmp(engine, "emu") == 0) {
        mb = &hsb_nm_mb_engine_ifma_emu;
        use_emu = 1;
        e64 = &hsb_nm_engine_portable;
        CHECK(hsb_nm_mb_ifma_selftest_emu(), "the 8-lane self-test rejects the model");
    } else if (strcmp(engine, "ifma") == 0) {
        if (hsb_nm_engine_get(HSB_NM_PATH_IFMA) == NULL) {
            printf("SKIP: *** this CPU has no AVX-512 IFMA (or ADX/BMI2): the real 8-lane "
                   "kernel is NOT tested here (the emulated model is) ***\n");
            return 77;
        }
        mb = &hsb_nm_mb_engine_ifma;
        CHECK(hsb_nm_mb_engine_get() == &hsb_nm_mb_engine_ifma, "the kernel's self-test failed");
    } else {
        mb = &hsb_nm_mb_engine_seq;
    }
    test_pow(quick);
    test_rsa(2048, quick ? 3 : 8);
    test_rsa(3072, quick ? 2 : 3);
    test_rsa(4096, 2);
    printf("8-lane %s: %d checks, %d failures\n", mb->name, checks, failures);
    return failures ? 1 : 0;
}
