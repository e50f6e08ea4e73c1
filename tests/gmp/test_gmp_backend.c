/*
 * test_gmp_backend.c - the gmp backend's own tests: known answers, edge cases
 * and contract errors of its modexp, RSA and DH classes, and random inputs
 * checked against OpenSSL's BN. (The shared vector and differential suite,
 * `hsbench selftest`, runs over every backend on top of this.)
 *
 * RSA keys are generated here with EVP_PKEY_keygen, never stored. The fault
 * check is exercised by corrupting the key inside a live context, found by
 * searching the opaque context for dp's bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "hsb_backends.h"
#include "hsb_dh_groups.h"
#include "hsb_provider.h"
#include "hsb_test.h"

static const hsb_backend *gmp;

/* ------------------------------------------------------------- helpers */

static BIGNUM *bn_from(const uint8_t *b, size_t len)
{
    BIGNUM *r = BN_bin2bn(b, (int)len, NULL);
    if (r == NULL) abort();
    return r;
}

/* BN as exactly len bytes, left-padded. */
static void bn_to(uint8_t *out, size_t len, const BIGNUM *a)
{
    if (BN_bn2binpad(a, out, (int)len) < 0) abort();
}

/* out = a + delta as len bytes (a + delta must fit). */
static void be_add(uint8_t *out, const uint8_t *a, size_t len, int delta)
{
    BIGNUM *x = bn_from(a, len);
    if (!(delta >= 0 ? BN_add_word(x, (BN_ULONG)delta) : BN_sub_word(x, (BN_ULONG)-delta))) abort();
    bn_to(out, len, x);
    BN_free(x);
}

/* out = base^exp mod mod by OpenSSL, mod_len bytes. */
static void ref_modexp(uint8_t *out, const uint8_t *base, size_t base_len, const uint8_t *exp,
                       size_t exp_len, const uint8_t *mod, size_t mod_len)
{
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *b = bn_from(base, base_len), *e = bn_from(exp, exp_len), *m = bn_from(mod, mod_len);
    BIGNUM *r = BN_new();
    if (ctx == NULL || r == NULL || !BN_mod_exp(r, b, e, m, ctx)) abort();
    bn_to(out, mod_len, r);
    BN_free(b), BN_free(e), BN_free(m), BN_free(r);
    BN_CTX_free(ctx);
}

/* ------------------------------------------------------------- modexp */

static void test_modexp_known(void)
{
    const hsb_modexp_class *mx = gmp->modexp;
    uint8_t out[8];
    /* 4^13 mod 497 = 445 (the textbook example of right-to-left binary
     * exponentiation). */
    const uint8_t base[] = {4}, exp[] = {13}, mod[] = {0x01, 0xf1};
    CHECK_RC(mx->modexp(out, base, 1, exp, 1, mod, 2), HSB_OK);
    CHECK(out[0] == 0x01 && out[1] == 0xbd); /* 445 */

    /* Leading zeros in base and exp change nothing; out is mod_len bytes. */
    const uint8_t base0[] = {0, 0, 0, 4}, exp0[] = {0, 0, 13};
    memset(out, 0xaa, sizeof out);
    CHECK_RC(mx->modexp(out, base0, 4, exp0, 3, mod, 2), HSB_OK);
    CHECK(out[0] == 0x01 && out[1] == 0xbd && out[2] == 0xaa);

    /* Left padding: 2^1 mod 497 = 2 is written 00 02. */
    const uint8_t two[] = {2}, one[] = {1};
    CHECK_RC(mx->modexp(out, two, 1, one, 1, mod, 2), HSB_OK);
    CHECK(out[0] == 0 && out[1] == 2);
}

static void test_modexp_edges(void)
{
    const hsb_modexp_class *mx = gmp->modexp;
    uint8_t m[256], b[260], e[32], out[256], ref[256];
    hsb_test_rand(m, sizeof m);
    m[0] |= 0x80;
    m[sizeof m - 1] |= 1;
    hsb_test_rand(e, sizeof e);
    e[sizeof e - 1] |= 1; /* odd exponent */
    const uint8_t zero = 0, onebyte = 1;

    /* base 0: 0^e = 0 for e > 0, 0^0 = 1 */
    CHECK_RC(mx->modexp(out, &zero, 1, e, sizeof e, m, sizeof m), HSB_OK);
    memset(ref, 0, sizeof ref);
    CHECK(memcmp(out, ref, sizeof m) == 0);
    CHECK_RC(mx->modexp(out, NULL, 0, e, sizeof e, m, sizeof m), HSB_OK);
    CHECK(memcmp(out, ref, sizeof m) == 0);
    CHECK_RC(mx->modexp(out, &zero, 1, NULL, 0, m, sizeof m), HSB_OK);
    ref[sizeof m - 1] = 1;
    CHECK(memcmp(out, ref, sizeof m) == 0);

    /* base 1: 1 */
    CHECK_RC(mx->modexp(out, &onebyte, 1, e, sizeof e, m, sizeof m), HSB_OK);
    CHECK(memcmp(out, ref, sizeof m) == 0);

    /* exp 0 (empty, and zero bytes): 1 */
    hsb_test_rand(b, sizeof m);
    b[0] &= 0x7f;
    CHECK_RC(mx->modexp(out, b, sizeof m, NULL, 0, m, sizeof m), HSB_OK);
    CHECK(memcmp(out, ref, sizeof m) == 0);
    const uint8_t ezero[4] = {0};
    CHECK_RC(mx->modexp(out, b, sizeof m, ezero, sizeof ezero, m, sizeof m), HSB_OK);
    CHECK(memcmp(out, ref, sizeof m) == 0);

    /* base n - 1: odd exponent gives n - 1, even gives 1 */
    memcpy(b, m, sizeof m);
    b[sizeof m - 1] ^= 1; /* m is odd: m - 1 clears bit 0 */
    CHECK_RC(mx->modexp(out, b, sizeof m, e, sizeof e, m, sizeof m), HSB_OK);
    CHECK(memcmp(out, b, sizeof m) == 0);
    const uint8_t etwo[] = {2};
    CHECK_RC(mx->modexp(out, b, sizeof m, etwo, 1, m, sizeof m), HSB_OK);
    CHECK(memcmp(out, ref, sizeof m) == 0);

    /* base >= mod: mod itself, mod + 1, a longer string, a leading non-zero
     * byte beyond mod_len */
    CHECK_RC(mx->modexp(out, m, sizeof m, e, sizeof e, m, sizeof m), HSB_E_RANGE);
    be_add(b, m, sizeof m, 1);
    CHECK_RC(mx->modexp(out, b, sizeof m, e, sizeof e, m, sizeof m), HSB_E_RANGE);
    memset(b, 0xff, sizeof m);
    CHECK_RC(mx->modexp(out, b, sizeof m, e, sizeof e, m, sizeof m), HSB_E_RANGE);
    memset(b, 0, sizeof b);
    b[0] = 1; /* 2^(8*259): far above m */
    CHECK_RC(mx->modexp(out, b, 260, e, sizeof e, m, sizeof m), HSB_E_RANGE);
    b[0] = 0;
    b[259] = 5; /* 5, with 259 leading zeros: fine */
    CHECK_RC(mx->modexp(out, b, 260, e, sizeof e, m, sizeof m), HSB_OK);
    ref_modexp(ref, b, 260, e, sizeof e, m, sizeof m);
    CHECK(memcmp(out, ref, sizeof m) == 0);

    /* moduli: even, 1, 0, empty, over 4096 bits */
    uint8_t me[256];
    memcpy(me, m, sizeof me);
    me[sizeof me - 1] ^= 1;
    CHECK_RC(mx->modexp(out, &onebyte, 1, e, sizeof e, me, sizeof me), HSB_E_RANGE);
    CHECK_RC(mx->modexp(out, &zero, 1, e, sizeof e, &onebyte, 1), HSB_E_RANGE);
    CHECK_RC(mx->modexp(out, &zero, 1, e, sizeof e, &zero, 1), HSB_E_RANGE);
    CHECK_RC(mx->modexp(out, &zero, 0, e, sizeof e, m, 0), HSB_E_RANGE);
    static uint8_t big[HSB_MAX_MODULUS_BYTES + 1], bigout[HSB_MAX_MODULUS_BYTES + 1];
    memset(big, 0xff, sizeof big);
    CHECK_RC(mx->modexp(bigout, &onebyte, 1, e, sizeof e, big, sizeof big), HSB_E_UNSUPPORTED);
    /* ... but exactly 4096 bits is taken */
    CHECK_RC(mx->modexp(bigout, &onebyte, 1, e, sizeof e, big, HSB_MAX_MODULUS_BYTES), HSB_OK);

    /* NULL with a length: usage */
    CHECK_RC(mx->modexp(out, NULL, 1, e, sizeof e, m, sizeof m), HSB_E_USAGE);
    CHECK_RC(mx->modexp(out, &onebyte, 1, NULL, 3, m, sizeof m), HSB_E_USAGE);
    CHECK_RC(mx->modexp(NULL, &onebyte, 1, e, sizeof e, m, sizeof m), HSB_E_USAGE);
}

/* Random odd moduli of many sizes (one-limb to 4096 bits, odd byte counts),
 * random bases below them and exponents of many lengths (up to 600 bytes, the
 * heap path), against BN_mod_exp. */
static void test_modexp_random(void)
{
    const hsb_modexp_class *mx = gmp->modexp;
    const size_t mod_lens[] = {1, 3, 8, 9, 64, 127, 128, 256, 384, 511, 512};
    const size_t exp_lens[] = {1, 2, 17, 64, 256, 512, 600};
    static uint8_t m[512], b[512], e[600], out[512], ref[512];
    for (size_t i = 0; i < sizeof mod_lens / sizeof mod_lens[0]; i++) {
        size_t ml = mod_lens[i];
        for (size_t j = 0; j < sizeof exp_lens / sizeof exp_lens[0]; j++) {
            size_t el = exp_lens[j];
            if (ml >= 256 && el > 256 && el != 600) continue; /* keep it short */
            hsb_test_rand(m, ml);
            m[ml - 1] |= 1;
            m[0] |= 0x80; /* top bit set; for one byte, m >= 0x81 */
            hsb_test_rand(b, ml);
            b[0] &= 0x7f; /* below m */
            hsb_test_rand(e, el);
            CHECK_RC(mx->modexp(out, b, ml, e, el, m, ml), HSB_OK);
            ref_modexp(ref, b, ml, e, el, m, ml);
            CHECKF(memcmp(out, ref, ml) == 0, "modexp mismatch: mod %zu bytes, exp %zu bytes", ml,
                   el);
        }
    }
}

/* ------------------------------------------------------------- RSA */

typedef hsb_test_rsa_key test_key;

static void make_key(test_key *t, int bits)
{
    if (!hsb_test_rsa_keygen(t, (unsigned)bits)) abort();
}

/* The same key with p and q exchanged: qinv becomes p^-1 mod q. */
static void swap_key(test_key *s, const test_key *t)
{
    *s = *t;
    hsb_rsa_key *k = &s->k;
    k->n = s->n, k->e = s->e, k->d = s->d;
    k->p = s->q, k->p_len = t->k.q_len;
    k->q = s->p, k->q_len = t->k.p_len;
    k->dp = s->dq, k->dp_len = t->k.dq_len;
    k->dq = s->dp, k->dq_len = t->k.dp_len;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = bn_from(t->p, t->k.p_len), *q = bn_from(t->q, t->k.q_len);
    BIGNUM *inv = BN_mod_inverse(NULL, p, q, ctx);
    if (inv == NULL) abort();
    k->qinv = s->qinv, k->qinv_len = (size_t)BN_bn2bin(inv, s->qinv);
    BN_free(inv), BN_free(p), BN_free(q);
    BN_CTX_free(ctx);
}

/* Find needle in the opaque context (limbs are little-endian in memory). */
static uint8_t *find_in_ctx(uint8_t *ctx, size_t ctx_size, const uint8_t *be, size_t be_len)
{
    uint8_t le[8];
    for (size_t i = 0; i < 8; i++) le[i] = be[be_len - 1 - i];
    for (size_t off = 0; off + 8 <= ctx_size; off += 8)
        if (memcmp(ctx + off, le, 8) == 0) return ctx + off;
    return NULL;
}

static void rsa_round(const test_key *t, const char *what, int fault)
{
    const hsb_rsa_priv_class *rp = gmp->rsa_priv;
    const hsb_rsa_pub_class *pb = gmp->rsa_pub;
    const hsb_rsa_key *k = &t->k;
    size_t nl = k->n_len;
    void *pctx = hsb_ctx_alloc(rp->ctx_size), *uctx = hsb_ctx_alloc(pb->ctx_size);
    uint8_t c[512], m[512], c2[512], ref[512];
    BN_CTX *bctx = BN_CTX_new();
    BIGNUM *bn_d = bn_from(k->d, k->d_len), *bn_n = bn_from(k->n, k->n_len);
    CHECK(pctx != NULL && uctx != NULL && bctx != NULL);

    CHECK_RC(rp->init(pctx, k), HSB_OK);
    CHECK_RC(pb->init(uctx, k->n, k->n_len, k->e, k->e_len), HSB_OK);
    CHECK(rp->n_len(pctx) == nl && pb->n_len(uctx) == nl);

    /* Random c: private op against BN_mod_exp(c, d, n), then the public op
     * takes it back. Several rounds, so the blinding update is exercised. */
    for (int i = 0; i < 6; i++) {
        hsb_test_rand(c, nl);
        c[0] = (uint8_t)(c[0] % k->n[0]); /* below n */
        CHECK_RC(rp->op(pctx, m, c, nl), HSB_OK);
        BIGNUM *bc = bn_from(c, nl), *r = BN_new();
        if (r == NULL || !BN_mod_exp(r, bc, bn_d, bn_n, bctx)) abort();
        bn_to(ref, nl, r);
        BN_free(bc), BN_free(r);
        CHECKF(memcmp(m, ref, nl) == 0, "%s: private op differs from BN_mod_exp", what);
        CHECK_RC(pb->op(uctx, c2, m, nl), HSB_OK);
        CHECK(memcmp(c2, c, nl) == 0);
    }

    /* in == out */
    hsb_test_rand(c, nl);
    c[0] = (uint8_t)(c[0] % k->n[0]);
    memcpy(m, c, nl);
    CHECK_RC(rp->op(pctx, m, m, nl), HSB_OK);
    CHECK_RC(pb->op(uctx, c2, m, nl), HSB_OK);
    CHECK(memcmp(c2, c, nl) == 0);

    /* c = 0, 1, n - 1 */
    memset(c, 0, nl);
    CHECK_RC(rp->op(pctx, m, c, nl), HSB_OK);
    CHECK(memcmp(m, c, nl) == 0);
    c[nl - 1] = 1;
    CHECK_RC(rp->op(pctx, m, c, nl), HSB_OK);
    CHECK(memcmp(m, c, nl) == 0);
    memcpy(c, k->n, nl);
    c[nl - 1] ^= 1; /* n - 1 = -1; d is odd, so (-1)^d = -1 */
    CHECK_RC(rp->op(pctx, m, c, nl), HSB_OK);
    CHECK(memcmp(m, c, nl) == 0);
    CHECK_RC(pb->op(uctx, m, c, nl), HSB_OK);
    CHECK(memcmp(m, c, nl) == 0);

    /* c >= n, wrong lengths */
    CHECK_RC(rp->op(pctx, m, k->n, nl), HSB_E_RANGE);
    CHECK_RC(pb->op(uctx, m, k->n, nl), HSB_E_RANGE);
    memset(c, 0xff, nl);
    CHECK_RC(rp->op(pctx, m, c, nl), HSB_E_RANGE);
    CHECK_RC(pb->op(uctx, m, c, nl), HSB_E_RANGE);
    CHECK_RC(rp->op(pctx, m, c, nl - 1), HSB_E_USAGE);
    CHECK_RC(rp->op(pctx, m, c, nl + 1), HSB_E_USAGE);
    CHECK_RC(pb->op(uctx, m, c, nl - 1), HSB_E_USAGE);

    if (fault) {
        /* A fault in dp (a flipped bit in the key held by the context) must be
         * caught by the public-exponent check and give no output. */
        uint8_t dp_low[8];
        const uint8_t *dpb = k->dp;
        size_t dpl = k->dp_len;
        memcpy(dp_low, dpb + dpl - 8, 8);
        uint8_t *where = find_in_ctx(pctx, rp->ctx_size, dp_low, 8);
        CHECK(where != NULL);
        if (where != NULL) {
            where[1] ^= 0x10;
            hsb_test_rand(c, nl);
            c[0] = (uint8_t)(c[0] % k->n[0]);
            memset(m, 0x55, nl);
            CHECK_RC(rp->op(pctx, m, c, nl), HSB_E_CRYPTO);
            uint8_t zeros[512] = {0};
            CHECK(memcmp(m, zeros, nl) == 0);
            where[1] ^= 0x10;
            CHECK_RC(rp->op(pctx, m, c, nl), HSB_OK);
        }
    }

    rp->clear(pctx);
    pb->clear(uctx);
    hsb_ctx_free(pctx, rp->ctx_size);
    hsb_ctx_free(uctx, pb->ctx_size);
    BN_free(bn_d), BN_free(bn_n);
    BN_CTX_free(bctx);
}

static void test_rsa_bad_keys(const test_key *t)
{
    const hsb_rsa_priv_class *rp = gmp->rsa_priv;
    const hsb_rsa_pub_class *pb = gmp->rsa_pub;
    void *ctx = hsb_ctx_alloc(rp->ctx_size), *uctx = hsb_ctx_alloc(pb->ctx_size);
    test_key b;

    /* A wrong dp, dq, qinv or p: found in init. */
    const size_t offs[] = {offsetof(test_key, dp), offsetof(test_key, dq), offsetof(test_key, qinv),
                           offsetof(test_key, p)};
    for (size_t i = 0; i < 4; i++) {
        b = *t;
        hsb_test_rsa_key_rebind(&b);
        uint8_t *v = (uint8_t *)&b + offs[i];
        v[2] ^= 0x01;
        CHECK_RC(rp->init(ctx, &b.k), HSB_E_USAGE);
        rp->clear(ctx);
    }
    /* Missing fields */
    b = *t;
    b.k.qinv = NULL;
    CHECK_RC(rp->init(ctx, &b.k), HSB_E_USAGE);
    b = *t;
    b.k.p_len = 0;
    CHECK_RC(rp->init(ctx, &b.k), HSB_E_USAGE);
    CHECK_RC(rp->init(ctx, NULL), HSB_E_USAGE);

    /* An even modulus; a modulus below 1024 bits (unsupported) */
    b = *t;
    memcpy(b.n, t->n, t->k.n_len);
    b.k.n = b.n;
    b.n[t->k.n_len - 1] ^= 1;
    CHECK_RC(rp->init(ctx, &b.k), HSB_E_RANGE);
    CHECK_RC(pb->init(uctx, b.n, t->k.n_len, t->e, t->k.e_len), HSB_E_RANGE);
    CHECK_RC(pb->init(uctx, t->n, 100, t->e, t->k.e_len), HSB_E_UNSUPPORTED);
    /* e even or 1 */
    const uint8_t e_even[] = {0x01, 0x00, 0x00}, e_one[] = {0x01};
    CHECK_RC(pb->init(uctx, t->n, t->k.n_len, e_even, 3), HSB_E_USAGE);
    CHECK_RC(pb->init(uctx, t->n, t->k.n_len, e_one, 1), HSB_E_USAGE);

    hsb_ctx_free(ctx, rp->ctx_size);
    hsb_ctx_free(uctx, pb->ctx_size);
}

static void test_rsa(void)
{
    /* 1026 bits: p and q of 513 bits, 9 limbs each, n of 17 limbs, so the
     * Garner sum has one more limb than n. 2048 and 3072: 16 + 16 = 32 and
     * 24 + 24 = 48 limbs. Each also with p and q exchanged (q > p). */
    static const int sizes[] = {1026, 2048, 3072};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        test_key t, s;
        char what[64];
        make_key(&t, sizes[i]);
        snprintf(what, sizeof what, "rsa-%d", sizes[i]);
        rsa_round(&t, what, 1);
        swap_key(&s, &t);
        snprintf(what, sizeof what, "rsa-%d (p, q exchanged)", sizes[i]);
        rsa_round(&s, what, 0);
        if (i == 1) test_rsa_bad_keys(&t);
    }
}

/* ------------------------------------------------------------- DH */

static hsb_rc ossl_fill(void *out, size_t len)
{
    return RAND_bytes(out, (int)len) == 1 ? HSB_OK : HSB_E_CRYPTO;
}
static const hsb_rng_class test_rng = {.name = "test-openssl-rand", .fill = ossl_fill};

static hsb_rc zero_fill(void *out, size_t len)
{
    memset(out, 0, len);
    return HSB_OK;
}
static const hsb_rng_class zero_rng = {.name = "test-zeros", .fill = zero_fill};

static hsb_rc failing_fill(void *out, size_t len)
{
    (void)out, (void)len;
    return HSB_E_CRYPTO;
}
static const hsb_rng_class failing_rng = {.name = "test-failing", .fill = failing_fill};

static void test_dh_group(const hsb_dh_group *g)
{
    const hsb_dh_class *dh = gmp->dh;
    size_t pl = g->p_len;
    void *a = hsb_ctx_alloc(dh->ctx_size), *b = hsb_ctx_alloc(dh->ctx_size);
    uint8_t ya[512], yb[512], za[512], zb[512], ref[512], x[64];
    CHECK_RC(dh->init(a, g), HSB_OK);
    CHECK_RC(dh->init(b, g), HSB_OK);

    /* Agreement between two generated keys; both publics pass FULL. */
    CHECK_RC(dh->keygen(a, &test_rng, ya, pl), HSB_OK);
    CHECK_RC(dh->keygen(b, &test_rng, yb, pl), HSB_OK);
    CHECK(memcmp(ya, yb, pl) != 0);
    CHECK_RC(dh->check(a, yb, pl, HSB_DH_CHECK_FULL), HSB_OK);
    CHECK_RC(dh->check(b, ya, pl, HSB_DH_CHECK_FULL), HSB_OK);
    CHECK_RC(dh->derive(a, za, pl, yb, pl), HSB_OK);
    CHECK_RC(dh->derive(b, zb, pl, ya, pl), HSB_OK);
    CHECK(memcmp(za, zb, pl) == 0);

    /* Known x: pub and shared against BN_mod_exp. */
    hsb_test_rand(x, sizeof x);
    CHECK_RC(dh->set_priv(a, x, sizeof x, ya, pl), HSB_OK);
    ref_modexp(ref, g->g, g->g_len, x, sizeof x, g->p, pl);
    CHECK(memcmp(ya, ref, pl) == 0);
    CHECK_RC(dh->derive(a, za, pl, yb, pl), HSB_OK);
    ref_modexp(ref, yb, pl, x, sizeof x, g->p, pl);
    CHECK(memcmp(za, ref, pl) == 0);
    CHECK_RC(dh->derive(b, zb, pl, ya, pl), HSB_OK);
    CHECK(memcmp(za, zb, pl) == 0);
    /* A peer value with leading zeros, and a short one (2) */
    uint8_t padded[520] = {0};
    memcpy(padded + 8, yb, pl);
    CHECK_RC(dh->derive(a, zb, pl, padded, pl + 8), HSB_OK);
    CHECK(memcmp(za, zb, pl) == 0);
    const uint8_t two[] = {2};
    CHECK_RC(dh->derive(a, za, pl, two, 1), HSB_OK);
    CHECK(memcmp(za, ya, pl) == 0); /* 2^x = g^x, g = 2 */

    /* Invalid peer values: 0, 1, p - 1, p, p + 1, all-ones, empty */
    uint8_t bad[512];
    memset(bad, 0, pl);
    CHECK_RC(dh->check(a, bad, pl, HSB_DH_CHECK_RANGE), HSB_E_RANGE);
    CHECK_RC(dh->derive(a, za, pl, bad, pl), HSB_E_RANGE);
    bad[pl - 1] = 1;
    CHECK_RC(dh->check(a, bad, pl, HSB_DH_CHECK_RANGE), HSB_E_RANGE);
    CHECK_RC(dh->derive(a, za, pl, bad, pl), HSB_E_RANGE);
    memcpy(bad, g->p, pl);
    bad[pl - 1] ^= 1; /* p - 1 */
    CHECK_RC(dh->check(a, bad, pl, HSB_DH_CHECK_RANGE), HSB_E_RANGE);
    CHECK_RC(dh->derive(a, za, pl, bad, pl), HSB_E_RANGE);
    bad[pl - 1] ^= 1; /* p */
    CHECK_RC(dh->check(a, bad, pl, HSB_DH_CHECK_RANGE), HSB_E_RANGE);
    CHECK_RC(dh->derive(a, za, pl, bad, pl), HSB_E_RANGE);
    be_add(bad, g->p, pl, 1); /* p + 1 */
    CHECK_RC(dh->check(a, bad, pl, HSB_DH_CHECK_RANGE), HSB_E_RANGE);
    CHECK_RC(dh->derive(a, za, pl, bad, pl), HSB_E_RANGE);
    be_add(bad, g->p, pl, -2); /* p - 2: in range */
    CHECK_RC(dh->derive(a, za, pl, bad, pl), HSB_OK);
    memset(bad, 0xff, pl);
    CHECK_RC(dh->derive(a, za, pl, bad, pl), HSB_E_RANGE);
    CHECK_RC(dh->derive(a, za, pl, NULL, 0), HSB_E_RANGE);
    padded[0] = 1; /* a value longer than p */
    CHECK_RC(dh->derive(a, zb, pl, padded, pl + 8), HSB_E_RANGE);

    /* p - 2 = -2: in range, but not a quadratic residue (p = 7 mod 8 makes 2
     * a residue and p = 3 mod 4 makes -1 a non-residue), so FULL rejects it. */
    be_add(bad, g->p, pl, -2);
    CHECK_RC(dh->check(a, bad, pl, HSB_DH_CHECK_RANGE), HSB_OK);
    CHECK_RC(dh->check(a, bad, pl, HSB_DH_CHECK_FULL), HSB_E_RANGE);
    CHECK_RC(dh->check(a, two, 1, HSB_DH_CHECK_FULL), HSB_OK);
    CHECK_RC(dh->check(a, two, 1, (hsb_dh_check)7), HSB_E_USAGE);

    /* set_priv: x must be 1 < x < p - 1 */
    const uint8_t x0[] = {0}, x1[] = {0, 1};
    CHECK_RC(dh->set_priv(a, x0, 1, ya, pl), HSB_E_RANGE);
    CHECK_RC(dh->set_priv(a, x1, 2, ya, pl), HSB_E_RANGE);
    CHECK_RC(dh->set_priv(a, g->p, pl, ya, pl), HSB_E_RANGE);
    CHECK_RC(dh->derive(a, za, pl, yb, pl), HSB_E_USAGE); /* no key after a refusal */
    CHECK_RC(dh->set_priv(a, x, sizeof x, ya, pl - 1), HSB_E_USAGE);
    CHECK_RC(dh->keygen(a, &test_rng, ya, pl + 1), HSB_E_USAGE);
    CHECK_RC(dh->derive(b, za, pl - 1, ya, pl), HSB_E_USAGE);

    /* RNG trouble: an RNG of zeros never gives x > 1; a failing one passes
     * its error on. */
    CHECK_RC(dh->keygen(a, &zero_rng, ya, pl), HSB_E_CRYPTO);
    CHECK_RC(dh->keygen(a, &failing_rng, ya, pl), HSB_E_CRYPTO);
    CHECK_RC(dh->keygen(a, NULL, ya, pl), HSB_E_USAGE);

    /* FULL without q */
    hsb_dh_group noq = *g;
    noq.q = NULL;
    noq.q_len = 0;
    dh->clear(a);
    CHECK_RC(dh->init(a, &noq), HSB_OK);
    CHECK_RC(dh->check(a, two, 1, HSB_DH_CHECK_FULL), HSB_E_USAGE);
    CHECK_RC(dh->check(a, two, 1, HSB_DH_CHECK_RANGE), HSB_OK);

    dh->clear(a);
    dh->clear(b);
    hsb_ctx_free(a, dh->ctx_size);
    hsb_ctx_free(b, dh->ctx_size);
}

static void test_dh(void)
{
    const hsb_dh_group *g = hsb_dh_group_by_name("ffdhe2048");
    CHECK(g != NULL);
    if (g == NULL) return;
    test_dh_group(g);
    const hsb_dh_group *g4 = hsb_dh_group_by_name("modp4096");
    CHECK(g4 != NULL);
    if (g4 != NULL) test_dh_group(g4);

    /* Groups the class refuses: p too small, p even, g out of range. */
    const hsb_dh_class *dh = gmp->dh;
    void *ctx = hsb_ctx_alloc(dh->ctx_size);
    hsb_dh_group bad = *g;
    bad.p_len = 64;
    CHECK_RC(dh->init(ctx, &bad), HSB_E_UNSUPPORTED);
    uint8_t p[256];
    memcpy(p, g->p, g->p_len);
    p[g->p_len - 1] ^= 1;
    bad = *g;
    bad.p = p;
    CHECK_RC(dh->init(ctx, &bad), HSB_E_RANGE);
    const uint8_t g1[] = {1};
    bad = *g;
    bad.g = g1;
    bad.g_len = 1;
    CHECK_RC(dh->init(ctx, &bad), HSB_E_RANGE);
    bad = *g;
    bad.g = g->p;
    bad.g_len = g->p_len;
    CHECK_RC(dh->init(ctx, &bad), HSB_E_RANGE);
    hsb_ctx_free(ctx, dh->ctx_size);
}

/* ------------------------------------------------------------- main */

int main(void)
{
    gmp = hsb_gmp_backend();
    CHECK(gmp != NULL && strcmp(gmp->name, "gmp") == 0);
    CHECK(strstr(gmp->about, "GMP 6.") != NULL);
    /* GMP has no symmetric primitives or RNG: those classes stay absent. */
    CHECK(gmp->aes == NULL && gmp->gcm == NULL && gmp->sha256 == NULL && gmp->hmac == NULL &&
          gmp->rng == NULL);
    CHECK(gmp->modexp && gmp->rsa_priv && gmp->rsa_pub && gmp->dh);
    if (hsb_test_failures) return hsb_test_report("test_gmp_backend");

    test_modexp_known();
    test_modexp_edges();
    test_modexp_random();
    test_rsa();
    test_dh();

    printf("test_gmp_backend: %s\n", gmp->about);
    return hsb_test_report("test_gmp_backend");
}
