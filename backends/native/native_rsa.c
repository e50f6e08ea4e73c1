/*
 * native_rsa.c - the RSA private operation (RSADP, RFC 8017 5.1.2) by CRT on
 * the native Montgomery code:
 *   m1 = c^dp mod p, m2 = c^dq mod q, h = qinv (m1 - m2) mod p, m = m2 + h q.
 *
 * Timing: every step runs in constant time with respect to the key and the
 * result (tests/ctgrind runs it with p, q, dp, dq, qinv and the Montgomery
 * contexts marked secret): c mod p is taken by Montgomery reduction (c / R)
 * then one Montgomery product by R^2; the exponentiations use fixed windows
 * whose table is scanned in full at every lookup; Garner's step uses
 * constant-time modular subtraction and products. The byte lengths of p and
 * q are treated as public (they follow from the key size), as BearSSL does.
 *
 * No base blinding, by choice (as in BearSSL's rsa_i31/i62_priv): blinding
 * defends a computation whose timing or memory trace depends on the
 * ciphertext or the key; here none does -- no branch, no memory index and no
 * variable-latency instruction (MULX/MUL and the add-with-carry instructions
 * run in fixed time on x86-64) depends on a secret, which tests/ctgrind
 * checks. Blinding would add a mutable per-key state (the blinding pair,
 * updated per call) and a modular inverse at init for no gain against the
 * timing and cache attacks in our threat model; it would matter against power
 * or EM analysis, which is not.
 *
 * Faults (Boneh-DeMillo-Lipton): the result is checked, m^e mod n == c, before
 * it is released; on mismatch nothing is written but zeros and the call fails.
 * With e = 65537 that is 17 squarings/products at full size: measured with
 * tests/native-mont/timing.c on the mulx path, 21 us of 835 us at 2048 bits
 * (2.5%), 39 of 2471 us at 3072 (1.6%), 68 of 6102 us at 4096 (1.2%). On the
 * IFMA engine the check runs in radix 2^52 too (its pow_public): 4.4 us of
 * 205 us at 2048 bits (2.1%) on a Zen 5.
 *
 * Everything key-dependent (three Montgomery contexts, exponents, qinv) is
 * computed in init; op() allocates nothing and uses ~6 KiB of stack plus the
 * exponentiation's window table.
 */
#include <string.h>

#include "hsb_ct.h"
#include "hsb_limits.h"
#include "native_batch.h"
#include "native_mont.h"

typedef struct rsa_priv_ctx {
    const hsb_nm_engine *e;
    size_t n_len; /* bytes of n, top byte non-zero */
    size_t nn;    /* limbs of n */
    size_t k;     /* limbs of the p and q contexts (the larger prime's) */
    size_t dp_len, dq_len, e_len;
    hsb_nm_mont mn, mp, mq;
    uint64_t qinv[HSB_NM_MAX_LIMBS];
    uint8_t dp[HSB_MAX_MODULUS_BYTES], dq[HSB_MAX_MODULUS_BYTES], pub_e[HSB_MAX_MODULUS_BYTES];
    hsb_nm_mb_rsa mb; /* the same key for the batch class (native_rsa_batch.c) */
} rsa_priv_ctx;

/* Load an odd prime (secret) into a Montgomery context of k limbs. */
static hsb_rc load_prime(hsb_nm_mont *m, const hsb_nm_engine *e, const uint8_t *p, size_t len,
                         size_t k)
{
    uint64_t P[HSB_NM_MAX_LIMBS];
    uint64_t odd = p[len - 1] & 1; /* primes are odd: the verdict is public */
    HSB_NM_DECLASSIFY(&odd, sizeof odd);
    HSB_ENSURE(odd, HSB_E_USAGE);
    hsb_nm_from_bytes(P, k, p, len);
    /* The top byte is non-zero, so 2^(8 (len - 1)) < p. */
    hsb_nm_mont_init(m, e, P, k, 8 * (len - 1));
    hsb_wipe(P, sizeof P);
    return HSB_OK;
}

hsb_rc hsb_nm_rsa_public_part(const hsb_rsa_key *key, const uint8_t **n_out, size_t *n_len_out,
                              const uint8_t **e_out, size_t *e_len_out)
{
    HSB_ENSURE(key->n && key->e && key->p && key->q && key->dp && key->dq && key->qinv,
               HSB_E_USAGE);
    /* n and e are public. */
    const uint8_t *n = key->n, *pe = key->e;
    size_t n_len = key->n_len, e_len = key->e_len;
    while (n_len > 0 && n[0] == 0) n++, n_len--;
    while (e_len > 0 && pe[0] == 0) pe++, e_len--;
    HSB_ENSURE(n_len <= HSB_MAX_MODULUS_BYTES && hsb_be_bits(n, n_len) >= HSB_MIN_RSA_MODULUS_BITS,
               HSB_E_UNSUPPORTED);
    HSB_ENSURE(n[n_len - 1] & 1, HSB_E_USAGE);
    HSB_ENSURE(e_len > 0 && e_len <= n_len, HSB_E_USAGE);
    *n_out = n, *n_len_out = n_len, *e_out = pe, *e_len_out = e_len;
    return HSB_OK;
}

static void rsa_clear(void *vctx)
{
    if (vctx) hsb_wipe(vctx, sizeof(rsa_priv_ctx));
}

static hsb_rc rsa_init(const hsb_nm_engine *e, void *vctx, const hsb_rsa_key *key)
{
    rsa_priv_ctx *ctx = vctx;
    HSB_ENSURE(ctx != NULL && key != NULL, HSB_E_USAGE);
    memset(ctx, 0, sizeof *ctx);
    const uint8_t *n, *pe;
    size_t n_len, e_len;
    HSB_GUARD(hsb_nm_rsa_public_part(key, &n, &n_len, &pe, &e_len));

    /* p and q: skip leading zero bytes (lengths public), then size both
     * contexts for the larger so that c < n = p q < p R and q R. */
    size_t pz = hsb_nm_lead_zeros_ct(key->p, key->p_len),
           qz = hsb_nm_lead_zeros_ct(key->q, key->q_len);
    const uint8_t *p = key->p + pz, *q = key->q + qz;
    size_t p_len = key->p_len - pz, q_len = key->q_len - qz;
    HSB_ENSURE(p_len >= 2 && q_len >= 2, HSB_E_USAGE);
    size_t k = ((p_len > q_len ? p_len : q_len) + 7) / 8;
    size_t nn = (n_len + 7) / 8;
    HSB_ENSURE(k <= HSB_NM_MAX_LIMBS && nn <= 2 * k, HSB_E_USAGE);
    HSB_ENSURE(key->dp_len <= sizeof ctx->dp && key->dq_len <= sizeof ctx->dq, HSB_E_USAGE);

    /* qinv < p: any bytes above k limbs must be zero (a leading 00 of a
     * two's-complement encoding, say). */
    size_t qi_keep = key->qinv_len > 8 * k ? 8 * k : key->qinv_len;
    uint64_t high = 0;
    for (size_t i = 0; i < key->qinv_len - qi_keep; i++) high |= key->qinv[i];
    HSB_NM_DECLASSIFY(&high, sizeof high);
    HSB_ENSURE(high == 0, HSB_E_USAGE);

    uint64_t N[HSB_NM_MAX_LIMBS];
    hsb_nm_from_bytes(N, nn, n, n_len);
    hsb_nm_mont_init(&ctx->mn, e, N, nn, hsb_nm_bitlen_public(N, nn) - 1);
    hsb_rc rc = load_prime(&ctx->mp, e, p, p_len, k);
    if (rc == HSB_OK) rc = load_prime(&ctx->mq, e, q, q_len, k);
    if (rc != HSB_OK) {
        rsa_clear(ctx);
        return rc;
    }
    hsb_nm_from_bytes(ctx->qinv, k, key->qinv + (key->qinv_len - qi_keep), qi_keep);
    memcpy(ctx->dp, key->dp, key->dp_len);
    memcpy(ctx->dq, key->dq, key->dq_len);
    memcpy(ctx->pub_e, pe, e_len);
    ctx->dp_len = key->dp_len;
    ctx->dq_len = key->dq_len;
    ctx->e_len = e_len;
    ctx->n_len = n_len;
    ctx->nn = nn;
    ctx->k = k;
    ctx->e = e;
    /* Batch lanes: a key the batch code refuses keeps n_len 0 and its jobs
     * go to op() one by one. */
    if (hsb_nm_mb_rsa_init(&ctx->mb, hsb_nm_mb_e64(e), key) != HSB_OK) ctx->mb.n_len = 0;
    return HSB_OK;
}

const hsb_nm_mb_rsa *hsb_nm_rsa_priv_mb(const void *vctx)
{
    const rsa_priv_ctx *ctx = vctx;
    return ctx && ctx->e && ctx->mb.n_len ? &ctx->mb : NULL;
}

static hsb_rc rsa_op(void *vctx, uint8_t *out, const uint8_t *in, size_t len)
{
    rsa_priv_ctx *ctx = vctx;
    HSB_ENSURE(ctx != NULL && ctx->e != NULL, HSB_E_USAGE);
    HSB_ENSURE(out != NULL && in != NULL && len == ctx->n_len, HSB_E_USAGE);
    const hsb_nm_engine *e = ctx->e;
    size_t k = ctx->k, nn = ctx->nn;

    uint64_t c[HSB_NM_MAX_LIMBS], t[2 * HSB_NM_MAX_LIMBS];
    uint64_t cp[HSB_NM_MAX_LIMBS], cq[HSB_NM_MAX_LIMBS], m1[HSB_NM_MAX_LIMBS], m2[HSB_NM_MAX_LIMBS],
        v[HSB_NM_MAX_LIMBS];
    /* The ciphertext is public: its range check may branch. */
    hsb_nm_from_bytes(c, nn, in, len);
    HSB_ENSURE(hsb_nm_lt(c, ctx->mn.N, nn), HSB_E_RANGE);

    /* c mod p = mont(redc(c), R^2): c < n < p R, so one REDC brings it below p. */
    memset(t, 0, 2 * k * sizeof *t);
    memcpy(t, c, nn * sizeof *c);
    e->redc(cp, t, &ctx->mp);
    e->mul(cp, cp, ctx->mp.rr, &ctx->mp);
    memset(t, 0, 2 * k * sizeof *t);
    memcpy(t, c, nn * sizeof *c);
    e->redc(cq, t, &ctx->mq);
    e->mul(cq, cq, ctx->mq.rr, &ctx->mq);

    hsb_nm_pow2(e, &ctx->mp, m1, cp, ctx->dp, ctx->dp_len, &ctx->mq, m2, cq, ctx->dq, ctx->dq_len);

    /* Garner: h = qinv (m1 - m2) mod p, in the Montgomery domain of p
     * (m2 < q < R, so mont(m2, R^2) = m2 R mod p, reduced). */
    e->mul(cq, m2, ctx->mp.rr, &ctx->mp);
    e->mul(cp, m1, ctx->mp.rr, &ctx->mp);
    hsb_nm_sub_mod(cp, cp, cq, ctx->mp.N, k);
    e->mul(cp, cp, ctx->qinv, &ctx->mp); /* (m1 - m2) R qinv / R */
    /* m = m2 + h q < p q. */
    hsb_nm_mul_plain(t, cp, ctx->mq.N, k);
    uint64_t carry = 0;
    for (size_t i = 0; i < 2 * k; i++) {
        unsigned __int128 s = (unsigned __int128)t[i] + (i < k ? m2[i] : 0) + carry;
        t[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }

    /* Fault check: m^e mod n must give c back; m above nn limbs must be 0. */
    uint64_t high = 0;
    for (size_t i = nn; i < 2 * k; i++) high |= t[i];
    hsb_nm_pow_public(e, &ctx->mn, v, t, ctx->pub_e, ctx->e_len);
    uint64_t ok = hsb_ct_memeq(v, c, nn * sizeof *v) & hsb_nm_mask_zero(high | carry);
    HSB_NM_DECLASSIFY(&ok, sizeof ok);
    if (ok) hsb_nm_to_bytes(out, len, t, nn);

    hsb_wipe(t, sizeof t);
    hsb_wipe(cp, sizeof cp);
    hsb_wipe(cq, sizeof cq);
    hsb_wipe(m1, sizeof m1);
    hsb_wipe(m2, sizeof m2);
    hsb_wipe(v, sizeof v);
    if (!ok) {
        memset(out, 0, len);
        HSB_BAIL_MSG(HSB_E_CRYPTO, "RSA-CRT result failed the m^e == c check (fault or bad key)");
    }
    return HSB_OK;
}

static size_t rsa_n_len(const void *vctx)
{
    const rsa_priv_ctx *ctx = vctx;
    return ctx ? ctx->n_len : 0;
}

#define HSB_NM_RSA_PATH(suffix, engine)                                                            \
    static hsb_rc rsa_init_##suffix(void *ctx, const hsb_rsa_key *key)                             \
    {                                                                                              \
        return rsa_init(&(engine), ctx, key);                                                      \
    }
HSB_NM_RSA_PATH(portable, hsb_nm_engine_portable)
HSB_NM_RSA_PATH(mulx, hsb_nm_engine_mulx)
HSB_NM_RSA_PATH(ifma, hsb_nm_engine_ifma)

#define HSB_NM_RSA_CLASS(suffix)                                                                   \
    {                                                                                              \
        .name = "native-rsa-crt-" #suffix, .ctx_size = sizeof(rsa_priv_ctx),                       \
        .init = rsa_init_##suffix, .op = rsa_op, .n_len = rsa_n_len, .clear = rsa_clear,           \
    }
static const hsb_rsa_priv_class classes[HSB_NM_PATH_COUNT] = {
    [HSB_NM_PATH_PORTABLE] = HSB_NM_RSA_CLASS(portable),
    [HSB_NM_PATH_MULX] = HSB_NM_RSA_CLASS(mulx),
    [HSB_NM_PATH_IFMA] = HSB_NM_RSA_CLASS(ifma),
};

const hsb_rsa_priv_class *hsb_native_rsa_priv_class_unchecked(hsb_nm_path path)
{
    return (unsigned)path < HSB_NM_PATH_COUNT ? &classes[path] : NULL;
}

const hsb_rsa_priv_class *hsb_native_rsa_priv_class(hsb_nm_path path)
{
    return hsb_nm_engine_get(path) ? &classes[path] : NULL;
}

const hsb_rsa_priv_class *hsb_native_rsa_priv_get(void)
{
    return hsb_native_rsa_priv_class(hsb_nm_best_path());
}
