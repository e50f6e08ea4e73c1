/*
 * native_rsa_mb.c - RSADP (RFC 8017 5.1.2) by CRT on up to eight keys at
 * once: m1 = c^dp mod p and m2 = c^dq mod q as two 8-lane exponentiations
 * (every lane its own key), then Garner's step lane by lane with the 64-bit
 * code, and the fault check s^e == c as one more 8-lane exponentiation by
 * the public exponents, as native_rsa.c does for one key (see its comment
 * for why there is no blinding and why the fault check). 8 x 19 single
 * 2048-bit Montgomery operations of the check were a fifth of a batch.
 *
 * Timing: the exponents are padded on the left to 8 k bytes (k = limbs of
 * p and q), so a batch's time depends on the key size only; every per-lane
 * step is the constant-time code of native_rsa.c. What is public: the key
 * size, which lanes are used, which ciphertexts are out of range (c >= n is
 * a property of public data), and each lane's fault-check verdict.
 */
#include <string.h>

#include "hsb_ct.h"
#include "native_mb.h"

/* dst (width bytes) = src right-aligned; bytes of src beyond width must be
 * zero (a leading 00 of a two's-complement encoding). Returns 0 if not. */
static int copy_right(uint8_t *dst, size_t width, const uint8_t *src, size_t len)
{
    size_t keep = len > width ? width : len;
    uint64_t high = 0;
    for (size_t i = 0; i < len - keep; i++) high |= src[i];
    HSB_NM_DECLASSIFY(&high, sizeof high);
    memset(dst, 0, width - keep);
    memcpy(dst + (width - keep), src + (len - keep), keep);
    return high == 0;
}

static hsb_rc load_prime(hsb_nm_mb_mod *q, const hsb_nm_engine *e64, const uint8_t *p, size_t len,
                         size_t k)
{
    uint64_t P[HSB_NM_MAX_LIMBS];
    uint64_t odd = p[len - 1] & 1;
    HSB_NM_DECLASSIFY(&odd, sizeof odd);
    HSB_ENSURE(odd, HSB_E_USAGE);
    hsb_nm_from_bytes(P, k, p, len);
    hsb_nm_mb_mod_init(q, e64, P, k, 8 * (len - 1)); /* top byte non-zero */
    hsb_wipe(P, sizeof P);
    return HSB_OK;
}

void hsb_nm_mb_rsa_clear(hsb_nm_mb_rsa *key)
{
    if (key) hsb_wipe(key, sizeof *key);
}

static hsb_rc load_secrets(hsb_nm_mb_rsa *key, const hsb_nm_engine *e64, const hsb_rsa_key *src)
{
    size_t pz = hsb_nm_lead_zeros_ct(src->p, src->p_len),
           qz = hsb_nm_lead_zeros_ct(src->q, src->q_len);
    const uint8_t *p = src->p + pz, *q = src->q + qz;
    size_t p_len = src->p_len - pz, q_len = src->q_len - qz;
    HSB_ENSURE(p_len >= 2 && q_len >= 2, HSB_E_USAGE);
    size_t k = ((p_len > q_len ? p_len : q_len) + 7) / 8;
    HSB_ENSURE(k <= HSB_NM_MAX_LIMBS && key->nn <= 2 * k, HSB_E_USAGE);
    key->k = k;
    HSB_GUARD(load_prime(&key->mp, e64, p, p_len, k));
    HSB_GUARD(load_prime(&key->mq, e64, q, q_len, k));
    uint8_t qi[8 * HSB_NM_MAX_LIMBS];
    int ok = copy_right(key->dp, 8 * k, src->dp, src->dp_len) &
             copy_right(key->dq, 8 * k, src->dq, src->dq_len) &
             copy_right(qi, 8 * k, src->qinv, src->qinv_len);
    hsb_nm_from_bytes(key->qinv, k, qi, 8 * k);
    hsb_wipe(qi, sizeof qi);
    HSB_ENSURE(ok, HSB_E_USAGE);
    return HSB_OK;
}

hsb_rc hsb_nm_mb_rsa_init(hsb_nm_mb_rsa *key, const hsb_nm_engine *e64, const hsb_rsa_key *src)
{
    HSB_ENSURE(key != NULL && e64 != NULL && src != NULL, HSB_E_USAGE);
    memset(key, 0, sizeof *key);
    const uint8_t *n, *pe;
    size_t n_len, e_len;
    HSB_GUARD(hsb_nm_rsa_public_part(src, &n, &n_len, &pe, &e_len));
    key->n_len = n_len;
    key->nn = (n_len + 7) / 8;
    key->e_len = e_len;
    memcpy(key->pub_e, pe, e_len);
    uint64_t N[HSB_NM_MAX_LIMBS];
    hsb_nm_from_bytes(N, key->nn, n, n_len);
    hsb_nm_mont_init(&key->mn, e64, N, key->nn, hsb_nm_bitlen_public(N, key->nn) - 1);
    hsb_nm_mb_mod_init(&key->mnb, e64, N, key->nn, hsb_nm_bitlen_public(N, key->nn) - 1);
    hsb_rc rc = load_secrets(key, e64, src);
    if (rc != HSB_OK) hsb_nm_mb_rsa_clear(key);
    return rc;
}

/* ------------------------------------------------------------------ the op */

/* Per-lane working values of a batch. */
typedef struct lane_work {
    uint64_t c[HSB_NM_MAX_LIMBS], m1[HSB_NM_MAX_LIMBS], m2[HSB_NM_MAX_LIMBS];
    uint64_t t[2 * HSB_NM_MAX_LIMBS], v[HSB_NM_MAX_LIMBS];
    uint64_t high;                   /* non-zero when the CRT result does not fit nn limbs */
    uint8_t e[8 * HSB_NM_MAX_LIMBS]; /* e, left-padded to the batch's longest */
} lane_work;

/* x mod p for x < p R (the lane's ciphertext, nn <= 2 k limbs): one REDC
 * brings it below p, one product by R^2 puts the R back. */
static void reduce_mod(uint64_t *r, const uint64_t *c, size_t nn, const hsb_nm_mb_mod *q)
{
    uint64_t t[2 * HSB_NM_MAX_LIMBS];
    size_t k = q->m.n;
    memset(t, 0, 2 * k * sizeof *t);
    memcpy(t, c, nn * sizeof *c);
    q->e64->redc(r, t, &q->m);
    q->e64->mul(r, r, q->m.rr, &q->m);
    hsb_wipe(t, sizeof t);
}

/* Garner for one lane: w->t = m2 + q (qinv (m1 - m2) mod p), 2 k limbs. */
static void garner_lane(const hsb_nm_mb_rsa *key, lane_work *w)
{
    const hsb_nm_engine *e = key->mp.e64;
    const hsb_nm_mont *mp = &key->mp.m;
    size_t k = key->k, nn = key->nn;
    uint64_t a[HSB_NM_MAX_LIMBS], b[HSB_NM_MAX_LIMBS];
    /* h = qinv (m1 - m2) mod p in p's Montgomery domain; m = m2 + h q. */
    e->mul(b, w->m2, mp->rr, mp);
    e->mul(a, w->m1, mp->rr, mp);
    hsb_nm_sub_mod(a, a, b, mp->N, k);
    e->mul(a, a, key->qinv, mp);
    hsb_nm_mul_plain(w->t, a, key->mq.m.N, k);
    uint64_t carry = 0;
    for (size_t i = 0; i < 2 * k; i++) {
        unsigned __int128 s = (unsigned __int128)w->t[i] + (i < k ? w->m2[i] : 0) + carry;
        w->t[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    w->high = carry;
    for (size_t i = nn; i < 2 * k; i++) w->high |= w->t[i];
    hsb_wipe(a, sizeof a);
    hsb_wipe(b, sizeof b);
}

/*
 * Fault check (Boneh-DeMillo-Lipton) of the used lanes: m^e mod n == c with
 * m < 2^(64 nn), as one 8-lane public-exponent run on n when mb has one
 * (moduli and results are secret there as in pow), else lane by lane.
 * Returns the lanes that pass (the verdicts are public).
 */
static unsigned fault_check(const hsb_nm_mb_engine *mb, const hsb_nm_mb_rsa *const key[8],
                            lane_work *w, unsigned used)
{
    const hsb_nm_mb_mod *mod[8];
    uint64_t *out[8];
    const uint64_t *base[8];
    const uint8_t *exp[8];
    size_t e_len = 0;
    for (size_t l = 0; l < 8; l++)
        if ((used >> l) & 1 && key[l]->e_len > e_len) e_len = key[l]->e_len;
    for (size_t l = 0; l < 8; l++) {
        int on = (used >> l) & 1;
        mod[l] = on ? &key[l]->mnb : NULL;
        out[l] = w[l].v, base[l] = w[l].t, exp[l] = w[l].e;
        if (!on) continue;
        memset(w[l].e, 0, e_len - key[l]->e_len);
        memcpy(w[l].e + (e_len - key[l]->e_len), key[l]->pub_e, key[l]->e_len);
    }
    if (!mb->pow_public || !mb->pow_public(mod, out, base, exp, e_len))
        hsb_nm_mb_engine_seq.pow_public(mod, out, base, exp, e_len);
    unsigned pass = 0;
    for (size_t l = 0; l < 8; l++) {
        if (!((used >> l) & 1)) continue;
        uint64_t ok = hsb_ct_memeq(w[l].v, w[l].c, key[l]->nn * sizeof w[l].v[0]) &
                      hsb_nm_mask_zero(w[l].high);
        HSB_NM_DECLASSIFY(&ok, sizeof ok);
        pass |= (unsigned)(ok & 1) << l;
    }
    return pass;
}

/* Both halves as 8-lane batches; the sequential engine takes any batch the
 * kernel declines (a size it has no code for). */
static void pow_halves(const hsb_nm_mb_engine *mb, const hsb_nm_mb_rsa *const key[8], lane_work *w,
                       unsigned used, size_t k)
{
    const hsb_nm_mb_mod *mod[8];
    uint64_t *out[8];
    const uint64_t *base[8];
    const uint8_t *exp[8];
    for (int half = 0; half < 2; half++) {
        for (size_t l = 0; l < 8; l++) {
            int on = (used >> l) & 1;
            mod[l] = on ? (half ? &key[l]->mq : &key[l]->mp) : NULL;
            out[l] = half ? w[l].m2 : w[l].m1;
            base[l] = out[l]; /* c mod p (q) was parked there */
            exp[l] = on ? (half ? key[l]->dq : key[l]->dp) : NULL;
        }
        if (!mb->pow(mod, out, base, exp, 8 * k))
            hsb_nm_mb_engine_seq.pow(mod, out, base, exp, 8 * k);
    }
}

hsb_rc hsb_nm_mb_rsa_priv(const hsb_nm_mb_engine *mb, const hsb_nm_mb_rsa *const key[8],
                          uint8_t *const out[8], const uint8_t *const in[8], size_t len,
                          unsigned *ok_lanes)
{
    HSB_ENSURE(mb != NULL && key != NULL && out != NULL && in != NULL && ok_lanes != NULL,
               HSB_E_USAGE);
    *ok_lanes = 0;
    const hsb_nm_mb_rsa *first = NULL;
    for (size_t l = 0; l < 8; l++) {
        if (!key[l]) continue;
        if (!first) first = key[l];
        HSB_ENSURE(key[l]->k == first->k && key[l]->nn == first->nn && len == key[l]->n_len &&
                       out[l] && in[l],
                   HSB_E_USAGE);
    }
    HSB_ENSURE(first != NULL, HSB_E_USAGE);
    lane_work w[8];
    unsigned used = 0, range_bad = 0;
    for (size_t l = 0; l < 8; l++) {
        if (!key[l]) continue;
        hsb_nm_from_bytes(w[l].c, key[l]->nn, in[l], len);
        /* The ciphertext is public: its range check may decide the lane. */
        if (!hsb_nm_lt(w[l].c, key[l]->mn.N, key[l]->nn)) {
            range_bad |= 1u << l;
            continue;
        }
        used |= 1u << l;
        reduce_mod(w[l].m1, w[l].c, key[l]->nn, &key[l]->mp);
        reduce_mod(w[l].m2, w[l].c, key[l]->nn, &key[l]->mq);
    }
    if (used) pow_halves(mb, key, w, used, first->k);
    for (size_t l = 0; l < 8; l++)
        if ((used >> l) & 1) garner_lane(key[l], &w[l]);
    if (used) *ok_lanes = fault_check(mb, key, w, used);
    for (size_t l = 0; l < 8; l++)
        if ((*ok_lanes >> l) & 1) hsb_nm_to_bytes(out[l], len, w[l].t, key[l]->nn);
    for (size_t l = 0; l < 8; l++)
        if (key[l] && !((*ok_lanes >> l) & 1)) memset(out[l], 0, len);
    hsb_wipe(w, sizeof w);
    HSB_ENSURE(range_bad == 0, HSB_E_RANGE);
    if (*ok_lanes != used)
        HSB_BAIL_MSG(HSB_E_CRYPTO, "RSA-CRT batch: a lane failed the m^e == c check");
    return HSB_OK;
}
