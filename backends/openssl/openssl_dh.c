/*
 * Finite-field DH through EVP: the context keeps the group as BIGNUMs (with a
 * Montgomery context for p), and after keygen/set_priv an EVP_PKEY holding the
 * group and our key pair, with an EVP_PKEY_CTX ready for EVP_PKEY_derive.
 *
 *   keygen:   x is drawn from the caller's RNG class (the contract: the
 *             composition's RNG, not libcrypto's), pub = g^x mod p by
 *             BN_mod_exp_mont_consttime (what libcrypto's DH keygen runs), and
 *             the pair is loaded into an EVP_PKEY with EVP_PKEY_fromdata.
 *             libcrypto recognises a named group (RFC 7919 / RFC 3526) from
 *             p and g when the key is loaded.
 *   derive:   our RANGE check, then EVP_PKEY_derive with padding on (p_len
 *             bytes, left-padded) and without libcrypto's own peer validation
 *             (EVP_PKEY_derive_set_peer_ex(..., 0)): the contract asks for the
 *             RANGE check in derive, FULL only in check(), so the Y^q test
 *             costs a modexp only when a caller asks for it.
 *   check:    RANGE 1 < Y < p-1; FULL adds Y^q mod p == 1 (public values:
 *             variable-time BN code is fine).
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "hsb_ct.h"
#include "openssl_internal.h"

typedef struct dh_ctx {
    BIGNUM *p, *g, *q, *pm1; /* q NULL when the group has none */
    BN_MONT_CTX *mont;
    EVP_PKEY *key;      /* group + our key pair; NULL before keygen/set_priv */
    EVP_PKEY_CTX *dctx; /* derive context on key */
    size_t p_len;
    unsigned priv_bits;
} dh_ctx;

#define DH_MIN_BITS 1024

static void dh_drop_key(dh_ctx *c)
{
    EVP_PKEY_CTX_free(c->dctx);
    EVP_PKEY_free(c->key);
    c->dctx = NULL;
    c->key = NULL;
}

static void dh_clear(void *ctx)
{
    dh_ctx *c = ctx;
    dh_drop_key(c);
    BN_free(c->p);
    BN_free(c->g);
    BN_free(c->q);
    BN_free(c->pm1);
    BN_MONT_CTX_free(c->mont);
    hsb_wipe(c, sizeof *c);
}

static hsb_rc dh_init(void *ctx, const hsb_dh_group *grp)
{
    dh_ctx *c = ctx;
    memset(c, 0, sizeof *c);
    HSB_ENSURE(grp && grp->p && grp->g && grp->p_len > 0 && grp->g_len > 0, HSB_E_USAGE);
    HSB_ENSURE(grp->p_len <= HSB_MAX_MODULUS_BYTES + 1 && grp->g_len <= grp->p_len &&
                   grp->q_len <= grp->p_len,
               HSB_E_UNSUPPORTED);
    size_t bits = hsb_ossl_be_bits(grp->p, grp->p_len);
    HSB_ENSURE(bits >= DH_MIN_BITS && bits <= HSB_MAX_MODULUS_BITS, HSB_E_UNSUPPORTED);
    HSB_ENSURE(grp->p[grp->p_len - 1] & 1, HSB_E_RANGE);
    c->p_len = (bits + 7) / 8;

    BN_CTX *bn = hsb_ossl_bn_ctx();
    c->p = BN_bin2bn(grp->p, (int)grp->p_len, NULL);
    c->g = BN_bin2bn(grp->g, (int)grp->g_len, NULL);
    c->pm1 = BN_dup(c->p);
    c->mont = BN_MONT_CTX_new();
    int ok = bn && c->p && c->g && c->pm1 && c->mont && BN_sub_word(c->pm1, 1) &&
             BN_MONT_CTX_set(c->mont, c->p, bn);
    if (ok && grp->q && grp->q_len > 0)
        ok = (c->q = BN_bin2bn(grp->q, (int)grp->q_len, NULL)) != NULL;
    if (!ok) {
        dh_clear(c);
        HSB_OSSL_BAIL(HSB_E_NOMEM, "DH group");
    }
    /* 1 < g < p-1, and 1 < q < p when present. */
    if (BN_cmp(c->g, BN_value_one()) <= 0 || BN_cmp(c->g, c->pm1) >= 0 ||
        (c->q && (BN_cmp(c->q, BN_value_one()) <= 0 || BN_cmp(c->q, c->p) >= 0))) {
        dh_clear(c);
        HSB_BAIL(HSB_E_RANGE);
    }
    /* A group without a stated exponent size gets full-size exponents. */
    c->priv_bits = grp->priv_bits;
    size_t max_bits = c->q ? (size_t)BN_num_bits(c->q) - 1 : bits - 2;
    if (c->priv_bits < 2 || c->priv_bits > max_bits) c->priv_bits = (unsigned)max_bits;
    return HSB_OK;
}

/* 1 < y < p-1 for y in a BIGNUM. */
static int in_range(const dh_ctx *c, const BIGNUM *y)
{
    return BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, c->pm1) < 0;
}

static hsb_rc dh_check(void *ctx, const uint8_t *y, size_t len, hsb_dh_check policy)
{
    dh_ctx *c = ctx;
    HSB_ENSURE(c->p && (y || len == 0) && len <= 0x7fffffff, HSB_E_USAGE);
    HSB_ENSURE(policy == HSB_DH_CHECK_RANGE || policy == HSB_DH_CHECK_FULL, HSB_E_USAGE);
    HSB_ENSURE(policy == HSB_DH_CHECK_RANGE || c->q, HSB_E_USAGE);
    BN_CTX *bn = hsb_ossl_bn_ctx();
    HSB_ENSURE(bn, HSB_E_NOMEM);
    BN_CTX_start(bn);
    BIGNUM *Y = BN_CTX_get(bn), *t = BN_CTX_get(bn);
    hsb_rc rc = HSB_OK;
    if (!t || (len && !BN_bin2bn(y, (int)len, Y)))
        rc = hsb_ossl_raise(HSB_E_NOMEM, __FILE__, __LINE__, "BN_bin2bn");
    else if (!in_range(c, Y))
        rc = hsb_raise(HSB_E_RANGE, __FILE__, __LINE__, "DH public value not in (1, p-1)");
    else if (policy == HSB_DH_CHECK_FULL) {
        /* RFC 7919 5.1 / SP 800-56A 5.6.2.3.1: Y must lie in the order-q subgroup. */
        if (!BN_mod_exp_mont(t, Y, c->q, c->p, bn, c->mont))
            rc = hsb_ossl_raise(HSB_E_CRYPTO, __FILE__, __LINE__, "BN_mod_exp_mont");
        else if (!BN_is_one(t))
            rc = hsb_raise(HSB_E_RANGE, __FILE__, __LINE__, "DH public value: Y^q != 1 mod p");
    }
    BN_CTX_end(bn);
    return rc;
}

/* Load x (a secret BIGNUM, 1 < x < max) as our key: pub = g^x mod p, the
 * EVP_PKEY and its derive context; write pub as p_len bytes. */
static hsb_rc load_priv(dh_ctx *c, const BIGNUM *x, BN_CTX *bn, uint8_t *pub)
{
    dh_drop_key(c);
    BIGNUM *y = BN_CTX_get(bn);
    HSB_OSSL_ENSURE(y, HSB_E_NOMEM, "BN_CTX_get");
    HSB_OSSL_ENSURE(BN_mod_exp_mont_consttime(y, c->g, x, c->p, bn, c->mont), HSB_E_CRYPTO,
                    "BN_mod_exp_mont_consttime");
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *kctx = NULL;
    int ok = bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, c->p) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, c->g) &&
             (!c->q || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, c->q)) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x) &&
             (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
             (kctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) != NULL &&
             EVP_PKEY_fromdata_init(kctx) > 0 &&
             EVP_PKEY_fromdata(kctx, &c->key, EVP_PKEY_KEYPAIR, params) > 0 &&
             (c->dctx = EVP_PKEY_CTX_new_from_pkey(NULL, c->key, NULL)) != NULL &&
             EVP_PKEY_derive_init(c->dctx) > 0 && EVP_PKEY_CTX_set_dh_pad(c->dctx, 1) > 0 &&
             BN_bn2binpad(y, pub, (int)c->p_len) == (int)c->p_len;
    EVP_PKEY_CTX_free(kctx);
    OSSL_PARAM_free(params); /* secret BNs sit in the secure heap, freed wiped */
    OSSL_PARAM_BLD_free(bld);
    if (!ok) {
        dh_drop_key(c);
        HSB_OSSL_BAIL(HSB_E_CRYPTO, "DH key pair");
    }
    return HSB_OK;
}

static hsb_rc dh_keygen(void *ctx, const hsb_rng_class *rng, uint8_t *pub, size_t pub_len)
{
    dh_ctx *c = ctx;
    HSB_ENSURE(c->p && rng && rng->fill && pub, HSB_E_USAGE);
    HSB_ENSURE(pub_len == c->p_len, HSB_E_USAGE);
    uint8_t buf[HSB_MAX_MODULUS_BYTES];
    size_t n = (c->priv_bits + 7) / 8;
    unsigned top = c->priv_bits % 8;
    BN_CTX *bn = hsb_ossl_bn_ctx();
    HSB_ENSURE(bn, HSB_E_NOMEM);
    BN_CTX_start(bn);
    BIGNUM *x = BN_CTX_get(bn);
    hsb_rc rc = x ? HSB_OK : hsb_ossl_raise(HSB_E_NOMEM, __FILE__, __LINE__, "BN_CTX_get");
    /* x uniform in [0, 2^priv_bits), drawn again while x <= 1 (a 2^-priv_bits
     * event, so the loop's running time says nothing about the x kept); an RNG
     * that keeps giving zeros is broken, not unlucky. */
    for (int tries = 0; rc == HSB_OK; tries++) {
        if (tries == 16) {
            rc = hsb_raise(HSB_E_CRYPTO, __FILE__, __LINE__, "RNG gave x <= 1 sixteen times");
            break;
        }
        rc = rng->fill(buf, n);
        if (rc != HSB_OK) break;
        if (top) buf[0] &= (uint8_t)((1u << top) - 1);
        if (!BN_bin2bn(buf, (int)n, x)) {
            rc = hsb_ossl_raise(HSB_E_NOMEM, __FILE__, __LINE__, "BN_bin2bn");
            break;
        }
        if (BN_cmp(x, BN_value_one()) > 0) break;
    }
    hsb_wipe(buf, sizeof buf);
    if (rc == HSB_OK) {
        BN_set_flags(x, BN_FLG_CONSTTIME);
        rc = load_priv(c, x, bn, pub);
    }
    if (x) BN_clear(x);
    BN_CTX_end(bn);
    return rc;
}

static hsb_rc dh_set_priv(void *ctx, const uint8_t *xb, size_t x_len, uint8_t *pub, size_t pub_len)
{
    dh_ctx *c = ctx;
    HSB_ENSURE(c->p && xb && x_len > 0 && x_len <= 0x7fffffff && pub, HSB_E_USAGE);
    HSB_ENSURE(pub_len == c->p_len, HSB_E_USAGE);
    BN_CTX *bn = hsb_ossl_bn_ctx();
    HSB_ENSURE(bn, HSB_E_NOMEM);
    BN_CTX_start(bn);
    BIGNUM *x = BN_CTX_get(bn);
    hsb_rc rc = HSB_OK;
    if (!x || !BN_bin2bn(xb, (int)x_len, x))
        rc = hsb_ossl_raise(HSB_E_NOMEM, __FILE__, __LINE__, "BN_bin2bn");
    /* 1 < x < p-1 (x < q when q is known would be the tighter rule, but a
     * known-answer test may load any exponent the group takes). */
    else if (!in_range(c, x))
        rc = hsb_raise(HSB_E_RANGE, __FILE__, __LINE__, "DH private value not in (1, p-1)");
    else {
        BN_set_flags(x, BN_FLG_CONSTTIME);
        rc = load_priv(c, x, bn, pub);
    }
    if (x) BN_clear(x);
    BN_CTX_end(bn);
    return rc;
}

static hsb_rc dh_derive(void *ctx, uint8_t *shared, size_t shared_len, const uint8_t *peer,
                        size_t peer_len)
{
    dh_ctx *c = ctx;
    HSB_ENSURE(c->p && c->dctx && shared, HSB_E_USAGE);
    HSB_ENSURE(shared_len == c->p_len, HSB_E_USAGE);
    HSB_GUARD(dh_check(c, peer, peer_len, HSB_DH_CHECK_RANGE));

    BN_CTX *bn = hsb_ossl_bn_ctx();
    HSB_ENSURE(bn, HSB_E_NOMEM);
    BN_CTX_start(bn);
    BIGNUM *y = BN_CTX_get(bn);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *kctx = NULL;
    EVP_PKEY *pk = NULL;
    int ok = y && bld && BN_bin2bn(peer, (int)peer_len, y) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, c->p) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, c->g) &&
             (!c->q || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, c->q)) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) &&
             (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
             (kctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) != NULL &&
             EVP_PKEY_fromdata_init(kctx) > 0 &&
             EVP_PKEY_fromdata(kctx, &pk, EVP_PKEY_PUBLIC_KEY, params) > 0;
    EVP_PKEY_CTX_free(kctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_CTX_end(bn);
    if (!ok) {
        EVP_PKEY_free(pk);
        HSB_OSSL_BAIL(HSB_E_CRYPTO, "DH peer key");
    }
    size_t out_len = shared_len;
    ok = EVP_PKEY_derive_set_peer_ex(c->dctx, pk, 0) > 0 &&
         EVP_PKEY_derive(c->dctx, shared, &out_len) > 0 && out_len == shared_len;
    EVP_PKEY_free(pk); /* the derive context keeps its own reference */
    if (!ok) {
        hsb_wipe(shared, shared_len);
        HSB_OSSL_BAIL(HSB_E_CRYPTO, "EVP_PKEY_derive(DH)");
    }
    return HSB_OK;
}

const hsb_dh_class hsb_openssl_dh = {
    .name = "openssl-evp-dh",
    .ctx_size = sizeof(dh_ctx),
    .init = dh_init,
    .keygen = dh_keygen,
    .set_priv = dh_set_priv,
    .check = dh_check,
    .derive = dh_derive,
    .clear = dh_clear,
};
