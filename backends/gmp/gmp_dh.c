/*
 * gmp_dh.c - hsb_gmp_dh: finite-field Diffie-Hellman (RFC 7919, RFC 3526
 * groups, or any safe-prime group) on GMP's mpn_sec_powm.
 *
 * Both operations that touch the private exponent x (pub = g^x, shared =
 * Y^x) use mpn_sec_powm with a declared exponent length that is public
 * (priv_bits after keygen, 8 * x_len after set_priv), so their time does not
 * depend on x's value. Peer values and the group are public: checks on them
 * branch freely. The full check Y^q mod p == 1 also runs on mpn_sec_powm,
 * only because it is the exponentiation we already have scratch for.
 *
 * init copies the group into fixed limb arrays and allocates the one scratch
 * buffer that every later call uses; keygen, set_priv, check and derive
 * allocate nothing.
 */
#include <stdlib.h>

#include "gmp_internal.h"
#include "gmp_limbs.h"
#include "hsb_ct.h"

#define L HSB_GMP_MAX_LIMBS

typedef struct gmp_dh_ctx {
    size_t p_len;     /* bytes of p */
    mp_size_t pn, qn; /* limbs of p and q (qn = 0: no q) */
    mp_bitcnt_t pbits, qbits;
    unsigned priv_bits; /* keygen's exponent size */
    mp_bitcnt_t xbits;  /* declared bit length of x (public); 0: no key yet */
    mp_limb_t p[L], pm1[L], g[L], q[L];
    mp_limb_t x[L]; /* secret */
    mp_limb_t *tp;
    size_t tp_limbs;
} gmp_dh_ctx;

static void dh_clear(void *ctx)
{
    gmp_dh_ctx *k = ctx;
    if (k == NULL) return;
    if (k->tp != NULL) {
        hsb_wipe(k->tp, k->tp_limbs * sizeof(mp_limb_t));
        free(k->tp);
    }
    hsb_wipe(k, sizeof *k);
}

static hsb_rc dh_setup(gmp_dh_ctx *k, const hsb_dh_group *grp)
{
    HSB_ENSURE(grp != NULL && grp->p != NULL && grp->g != NULL, HSB_E_USAGE);
    const uint8_t *pb = grp->p, *gb = grp->g, *qb = grp->q;
    size_t p_len = hsb_gmp_strip(&pb, grp->p_len);
    size_t g_len = hsb_gmp_strip(&gb, grp->g_len);
    size_t q_len = qb == NULL ? 0 : hsb_gmp_strip(&qb, grp->q_len);

    HSB_ENSURE(p_len <= HSB_MAX_MODULUS_BYTES, HSB_E_UNSUPPORTED);
    (void)hsb_gmp_load(k->p, L, pb, p_len);
    k->pbits = hsb_gmp_bits(k->p, L);
    HSB_ENSURE(k->pbits >= 1024 && k->pbits <= HSB_MAX_MODULUS_BITS, HSB_E_UNSUPPORTED);
    HSB_ENSURE((k->p[0] & 1) == 1, HSB_E_RANGE); /* mpn_sec_powm needs an odd p */
    k->p_len = p_len;
    k->pn = (mp_size_t)hsb_gmp_limbs_used(k->p, L);
    for (size_t i = 0; i < L; i++) k->pm1[i] = k->p[i];
    k->pm1[0] ^= 1;

    /* 1 < g < p - 1. */
    HSB_ENSURE(g_len <= p_len, HSB_E_RANGE);
    (void)hsb_gmp_load(k->g, L, gb, g_len);
    HSB_ENSURE(hsb_gmp_bits(k->g, L) >= 2 && mpn_cmp(k->g, k->pm1, k->pn) < 0, HSB_E_RANGE);

    /* q, when given: 1 < q < p. */
    if (q_len > 0) {
        HSB_ENSURE(q_len <= p_len, HSB_E_RANGE);
        (void)hsb_gmp_load(k->q, L, qb, q_len);
        HSB_ENSURE(hsb_gmp_bits(k->q, L) >= 2 && mpn_cmp(k->q, k->p, k->pn) < 0, HSB_E_RANGE);
        k->qn = (mp_size_t)hsb_gmp_limbs_used(k->q, L);
        k->qbits = hsb_gmp_bits(k->q, L);
    }

    /* priv_bits: 0 asks for a full-size exponent; more than p has is a
     * caller's mistake. */
    k->priv_bits = grp->priv_bits == 0 ? (unsigned)(k->pbits - 1) : grp->priv_bits;
    HSB_ENSURE(k->priv_bits >= 2 && k->priv_bits < k->pbits, HSB_E_USAGE);

    /* The longest exponent any call declares is p's limbs (set_priv), and
     * the window, hence the scratch, grows with it. */
    size_t need = (size_t)mpn_sec_powm_itch(k->pn, (mp_bitcnt_t)k->pn * GMP_NUMB_BITS, k->pn);
    size_t need2 = (size_t)mpn_sec_powm_itch(k->pn, k->priv_bits, k->pn);
    size_t need3 = (size_t)mpn_sec_powm_itch(k->pn, k->qbits > 0 ? k->qbits : 1, k->pn);
    if (need2 > need) need = need2;
    if (need3 > need) need = need3;
    k->tp_limbs = need;
    k->tp = malloc(need * sizeof(mp_limb_t));
    HSB_ENSURE(k->tp != NULL, HSB_E_NOMEM);
    return HSB_OK;
}

static hsb_rc dh_init(void *ctx, const hsb_dh_group *group)
{
    HSB_ENSURE(ctx != NULL, HSB_E_USAGE);
    gmp_dh_ctx *k = ctx;
    for (size_t i = 0; i < sizeof *k; i++) ((uint8_t *)k)[i] = 0;
    hsb_rc rc = dh_setup(k, group);
    if (rc != HSB_OK) dh_clear(k);
    return rc;
}

/* pub = g^x mod p as p_len bytes; x and xbits are set. */
static void public_value(gmp_dh_ctx *k, uint8_t *pub)
{
    mp_limb_t r[L];
    mpn_sec_powm(r, k->g, k->pn, k->x, k->xbits, k->p, k->pn, k->tp);
    hsb_gmp_store(pub, k->p_len, r, (size_t)k->pn);
    hsb_wipe(k->tp, k->tp_limbs * sizeof(mp_limb_t));
}

static hsb_rc dh_keygen(void *ctx, const hsb_rng_class *rng, uint8_t *pub, size_t pub_len)
{
    gmp_dh_ctx *k = ctx;
    HSB_ENSURE(k != NULL && k->tp != NULL && rng != NULL && rng->fill != NULL, HSB_E_USAGE);
    HSB_ENSURE(pub != NULL && pub_len == k->p_len, HSB_E_USAGE);
    uint8_t bytes[HSB_MAX_MODULUS_BYTES];
    size_t nbytes = (k->priv_bits + 7) / 8;
    unsigned top = k->priv_bits % 8;
    mp_limb_t gt1 = 0;
    /* x = priv_bits random bits, drawn again in the (2^-priv_bits likely)
     * case x <= 1. Only that retry, not x, shows in the timing. */
    for (int tries = 0; tries < 16 && !gt1; tries++) {
        hsb_rc rc = rng->fill(bytes, nbytes);
        if (rc != HSB_OK) {
            hsb_wipe(bytes, sizeof bytes);
            return rc;
        }
        if (top != 0) bytes[0] &= (uint8_t)((1u << top) - 1);
        (void)hsb_gmp_load(k->x, L, bytes, nbytes);
        mp_limb_t hi = 0;
        for (size_t i = 1; i < L; i++) hi |= k->x[i];
        gt1 = hsb_gmp_ct_nonzero(hi | (k->x[0] >> 1));
    }
    hsb_wipe(bytes, sizeof bytes);
    if (!gt1) {
        hsb_wipe(k->x, sizeof k->x);
        k->xbits = 0;
        HSB_BAIL_MSG(HSB_E_CRYPTO, "the RNG gave x <= 1 sixteen times");
    }
    k->xbits = k->priv_bits;
    public_value(k, pub);
    return HSB_OK;
}

static hsb_rc dh_set_priv(void *ctx, const uint8_t *x, size_t x_len, uint8_t *pub, size_t pub_len)
{
    gmp_dh_ctx *k = ctx;
    HSB_ENSURE(k != NULL && k->tp != NULL && x != NULL && x_len > 0, HSB_E_USAGE);
    HSB_ENSURE(pub != NULL && pub_len == k->p_len, HSB_E_USAGE);
    /* 1 < x < p - 1, decided without branching on x; only the verdict shows.
     * The declared exponent length is 8 * x_len (public), capped at p's
     * limbs: a longer x must have leading zeros to be in range. */
    mp_limb_t tmp[L];
    k->xbits = 0;
    mp_limb_t over = hsb_gmp_load(k->x, L, x, x_len);
    mp_limb_t hi = 0;
    for (size_t i = 1; i < L; i++) hi |= k->x[i];
    mp_limb_t ok = (1 ^ hsb_gmp_ct_nonzero(over)) & hsb_gmp_ct_nonzero(hi | (k->x[0] >> 1)) &
                   hsb_gmp_ct_is_zero(k->x + k->pn, L - (size_t)k->pn) &
                   hsb_gmp_ct_lt(k->x, k->pm1, (size_t)k->pn, tmp);
    hsb_wipe(tmp, sizeof tmp);
    if (!ok) {
        hsb_wipe(k->x, sizeof k->x);
        HSB_BAIL_MSG(HSB_E_RANGE, "private exponent outside 1 < x < p - 1");
    }
    mp_bitcnt_t declared = (mp_bitcnt_t)x_len * 8;
    mp_bitcnt_t cap = (mp_bitcnt_t)k->pn * GMP_NUMB_BITS;
    k->xbits = declared < cap ? declared : cap;
    public_value(k, pub);
    return HSB_OK;
}

/* Load a public peer value and check 1 < Y < p - 1. */
static hsb_rc load_peer(const gmp_dh_ctx *k, mp_limb_t *y, const uint8_t *in, size_t len)
{
    HSB_ENSURE(in != NULL || len == 0, HSB_E_USAGE);
    len = in == NULL ? 0 : hsb_gmp_strip(&in, len);
    HSB_ENSURE(len <= k->p_len, HSB_E_RANGE);
    (void)hsb_gmp_load(y, L, in, len);
    HSB_ENSURE(hsb_gmp_bits(y, L) >= 2, HSB_E_RANGE);       /* Y > 1 */
    HSB_ENSURE(mpn_cmp(y, k->pm1, k->pn) < 0, HSB_E_RANGE); /* Y < p - 1 */
    return HSB_OK;
}

static hsb_rc dh_check(void *ctx, const uint8_t *y, size_t len, hsb_dh_check policy)
{
    gmp_dh_ctx *k = ctx;
    HSB_ENSURE(k != NULL && k->tp != NULL, HSB_E_USAGE);
    switch (policy) {
    case HSB_DH_CHECK_RANGE:
        break;
    case HSB_DH_CHECK_FULL:
        HSB_ENSURE(k->qn > 0, HSB_E_USAGE); /* no q: the order cannot be checked */
        break;
    default:
        HSB_BAIL(HSB_E_USAGE);
    }
    mp_limb_t yl[L], r[L];
    HSB_GUARD(load_peer(k, yl, y, len));
    if (policy == HSB_DH_CHECK_FULL) {
        /* Y^q mod p == 1: Y lies in the subgroup of order q (for a safe
         * prime, the quadratic residues), as OpenSSL's DH_check_pub_key. */
        mpn_sec_powm(r, yl, k->pn, k->q, k->qbits, k->p, k->pn, k->tp);
        mp_limb_t acc = r[0] ^ 1;
        for (mp_size_t i = 1; i < k->pn; i++) acc |= r[i];
        HSB_ENSURE(acc == 0, HSB_E_RANGE);
    }
    return HSB_OK;
}

static hsb_rc dh_derive(void *ctx, uint8_t *shared, size_t shared_len, const uint8_t *peer,
                        size_t peer_len)
{
    gmp_dh_ctx *k = ctx;
    HSB_ENSURE(k != NULL && k->tp != NULL && k->xbits > 0, HSB_E_USAGE);
    HSB_ENSURE(shared != NULL && shared_len == k->p_len, HSB_E_USAGE);
    mp_limb_t y[L], z[L];
    HSB_GUARD(load_peer(k, y, peer, peer_len));
    mpn_sec_powm(z, y, k->pn, k->x, k->xbits, k->p, k->pn, k->tp);
    hsb_gmp_store(shared, shared_len, z, (size_t)k->pn);
    hsb_wipe(z, sizeof z);
    hsb_wipe(k->tp, k->tp_limbs * sizeof(mp_limb_t));
    return HSB_OK;
}

const hsb_dh_class hsb_gmp_dh = {
    .name = "gmp-dh-sec-powm",
    .ctx_size = sizeof(gmp_dh_ctx),
    .init = dh_init,
    .keygen = dh_keygen,
    .set_priv = dh_set_priv,
    .check = dh_check,
    .derive = dh_derive,
    .clear = dh_clear,
};
