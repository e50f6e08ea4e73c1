/*
 * gmp_rsa_priv.c - hsb_gmp_rsa_priv: RSADP (RFC 8017 5.1.2) by the Chinese
 * remainder theorem with Garner's recombination, on GMP's side-channel-silent
 * mpn_sec_* functions, with base blinding and a fault check.
 *
 *   c' = c * r^e mod n                       (blinding, r secret)
 *   m1 = c'^dp mod p,  m2 = c'^dq mod q      (mpn_sec_powm)
 *   h  = qinv * (m1 - m2) mod p              (Garner)
 *   m' = m2 + h * q                          (= c'^d mod n = m * r)
 *   m  = m' * r^-1 mod n                     (unblinding)
 *   check m^e mod n == c, else HSB_E_CRYPTO  (the Bellcore attack: Boneh,
 *                                             DeMillo, Lipton 1997)
 *
 * What is constant time and what is not:
 *   - Every step on secret values (p, q, dp, dq, qinv, r, m1, m2, h, m) is an
 *     mpn_sec_* function (powm, mul, sqr, div_r, add_1), mpn_cnd_add_n, or
 *     mpn_add_n, whose running time and memory accesses depend only on the
 *     limb counts of p, q and n and on the exponent bit counts we pass. We
 *     pass the bit lengths of p and q for dp and dq, and the bit length of
 *     the public e, so the time depends on nothing secret beyond the limb
 *     counts of p and q (about half of n's, which the key size gives away).
 *     Nothing branches on, or indexes memory by, a secret value.
 *   - The ciphertext c is public: the checks c < n and c == 0 branch on it.
 *   - The fault check's verdict is a branch, as it must be; a fault is not a
 *     secret worth hiding, and the faulty result is never released.
 *   - The mpn_sec_* functions assume the CPU's multiply instruction takes
 *     constant time (true of x86-64 MUL/MULX).
 *
 * Blinding, on top of constant-time code, guards against leaks that GMP's
 * promise does not cover (power and EM analysis, and cache-timing in GMP's
 * own non-assembly code paths if a build lacked them): the exponentiations
 * see c * r^e, not the attacker's c. r is drawn in init from getrandom(2),
 * the operating system's RNG. That is the one place this backend reads the OS
 * RNG directly: the rsa_priv class takes no RNG argument and init must not
 * depend on one, and a blinding factor needs no reproducibility. r^-1 comes
 * from mpn_sec_invert (constant time; GMP's mpz_invert is not). After each
 * operation both factors are squared (r -> r^2), as Kocher's 1996 timing
 * paper suggests and as OpenSSL's BN_BLINDING does between its refreshes, so
 * consecutive operations use unrelated-looking factors for two modular
 * squarings, and op() needs no randomness and no allocation. Unlike OpenSSL
 * (a fresh r every 32 uses) we never draw a new r after init: r stays
 * secret, and a refresh would put a syscall and a modular inversion, about
 * one millisecond, into the timed path every so often.
 *
 * init does everything that depends only on the key: the limb arrays, the
 * reductions of dp, dq, qinv, the consistency checks, the first blinding
 * pair, and one scratch buffer for every mpn_sec_* call of op(), sized by
 * their _itch functions. op() allocates nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "gmp_internal.h"
#include "gmp_limbs.h"
#include "hsb_ct.h"
#include "hsb_limits.h"

#define L HSB_GMP_MAX_LIMBS

typedef struct gmp_rsa_priv_ctx {
    size_t n_len;         /* bytes of n, top byte non-zero */
    mp_size_t nn, pn, qn; /* limbs of n, p, q (top limb non-zero) */
    mp_size_t en;         /* limbs of e */
    mp_bitcnt_t pbits, qbits, ebits;
    mp_limb_t n[L], e[L];
    mp_limb_t p[L], q[L];   /* secret */
    mp_limb_t dp[L], dq[L]; /* secret: dp < p - 1 in pn limbs, dq in qn limbs */
    mp_limb_t qinv[L];      /* secret: q^-1 mod p, pn limbs */
    mp_limb_t blind[L];     /* secret: r^e mod n */
    mp_limb_t unblind[L];   /* secret: r^-1 mod n */
    mp_limb_t *tp;          /* scratch for the mpn_sec_* calls */
    size_t tp_limbs;
} gmp_rsa_priv_ctx;

/* Scratch that every mpn_sec_* call of init and op fits in. */
static size_t scratch_limbs(const gmp_rsa_priv_ctx *k)
{
    mp_size_t nn = k->nn, pn = k->pn, qn = k->qn, big = pn > qn ? pn : qn;
    mp_size_t small = pn > qn ? qn : pn;
    mp_size_t need[] = {
        /* op */
        mpn_sec_mul_itch(nn, nn),
        mpn_sec_sqr_itch(nn),
        mpn_sec_div_r_itch(2 * nn, nn),
        mpn_sec_powm_itch(nn, k->pbits, pn),
        mpn_sec_powm_itch(nn, k->qbits, qn),
        mpn_sec_powm_itch(nn, k->ebits, nn),
        mpn_sec_div_r_itch(qn, pn),
        mpn_sec_mul_itch(pn, pn),
        mpn_sec_div_r_itch(2 * pn, pn),
        mpn_sec_mul_itch(big, small),
        mpn_sec_add_1_itch(pn),
        /* init: reductions and checks of key values up to 2L+1 limbs */
        mpn_sec_div_r_itch(2 * L + 1, pn),
        mpn_sec_div_r_itch(2 * L + 1, qn),
        mpn_sec_div_r_itch(2 * L + 1, nn),
        mpn_sec_mul_itch(L, pn),
        mpn_sec_mul_itch(L, qn),
        mpn_sec_invert_itch(nn),
    };
    size_t m = 0;
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if ((size_t)need[i] > m) m = (size_t)need[i];
    return m;
}

/* a[0..an) mod d[0..dn) into r[0..dn), an >= 1 allowed below dn too.
 * t is 2L+2 limbs of temporary; the time depends on an and dn only. */
static void mod_into(mp_limb_t *r, const mp_limb_t *a, mp_size_t an, const mp_limb_t *d,
                     mp_size_t dn, mp_limb_t *t, mp_limb_t *tp)
{
    mp_size_t tn = an > dn ? an : dn;
    for (mp_size_t i = 0; i < tn; i++) t[i] = i < an ? a[i] : 0;
    mpn_sec_div_r(t, tn, d, dn, tp);
    for (mp_size_t i = 0; i < dn; i++) r[i] = t[i];
}

/* r = a * b mod d, with a of an limbs and b of bn limbs (an + bn <= 2L). */
static void mulmod(mp_limb_t *r, const mp_limb_t *a, mp_size_t an, const mp_limb_t *b, mp_size_t bn,
                   const mp_limb_t *d, mp_size_t dn, mp_limb_t *t, mp_limb_t *tp)
{
    if (an >= bn)
        mpn_sec_mul(t, a, an, b, bn, tp);
    else
        mpn_sec_mul(t, b, bn, a, an, tp);
    mpn_sec_div_r(t, an + bn, d, dn, tp);
    for (mp_size_t i = 0; i < dn; i++) r[i] = t[i];
}

static int limbs_is_one(const mp_limb_t *a, mp_size_t n)
{
    mp_limb_t acc = a[0] ^ 1;
    for (mp_size_t i = 1; i < n; i++) acc |= a[i];
    return acc == 0;
}

/* Fill buf from getrandom(2), the OS RNG (see the file comment for why). */
static hsb_rc os_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t got = getrandom(p, len, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            HSB_BAIL_MSG(HSB_E_CRYPTO, "getrandom failed");
        }
        p += got;
        len -= (size_t)got;
    }
    return HSB_OK;
}

/* Draw r uniform-ish in [1, n) with r invertible, and set blind = r^e and
 * unblind = r^-1 mod n. */
static hsb_rc new_blinding(gmp_rsa_priv_ctx *k, mp_limb_t *t)
{
    mp_limb_t r[L], rr[L];
    uint8_t bytes[HSB_MAX_MODULUS_BYTES + 16];
    hsb_rc rc = HSB_E_CRYPTO;
    for (int tries = 0; tries < 8; tries++) {
        /* 64 extra bits before reducing mod n make the bias negligible. */
        size_t blen = (size_t)k->nn * HSB_GMP_LIMB_BYTES + 8;
        rc = os_random(bytes, blen);
        if (rc != HSB_OK) break;
        (void)hsb_gmp_load(t, (size_t)k->nn + 1, bytes, blen);
        mpn_sec_div_r(t, k->nn + 1, k->n, k->nn, k->tp);
        for (mp_size_t i = 0; i < k->nn; i++) r[i] = rr[i] = t[i];
        rc = HSB_E_CRYPTO;
        if (hsb_gmp_ct_is_zero(r, (size_t)k->nn)) continue;
        /* mpn_sec_invert destroys its input: rr is a copy. It fails only
         * when gcd(r, n) > 1, that is never for a real key. */
        if (!mpn_sec_invert(k->unblind, rr, k->n, k->nn, 2 * (mp_bitcnt_t)k->nn * GMP_NUMB_BITS,
                            k->tp))
            continue;
        mpn_sec_powm(k->blind, r, k->nn, k->e, k->ebits, k->n, k->nn, k->tp);
        rc = HSB_OK;
        break;
    }
    hsb_wipe(r, sizeof r);
    hsb_wipe(rr, sizeof rr);
    hsb_wipe(bytes, sizeof bytes);
    if (rc != HSB_OK) return hsb_raise(rc, __FILE__, __LINE__, "no blinding factor");
    return HSB_OK;
}

static void rsa_priv_clear(void *ctx)
{
    gmp_rsa_priv_ctx *k = ctx;
    if (k == NULL) return;
    if (k->tp != NULL) {
        hsb_wipe(k->tp, k->tp_limbs * sizeof(mp_limb_t));
        free(k->tp);
    }
    hsb_wipe(k, sizeof *k);
}

/* Load a secret key value of len bytes into limbs (zero-padded to L);
 * HSB_E_USAGE when it is longer than L limbs. */
static hsb_rc load_value(mp_limb_t *r, const uint8_t *b, size_t len)
{
    HSB_ENSURE(b != NULL && len > 0, HSB_E_USAGE);
    HSB_ENSURE(hsb_gmp_load(r, L, b, len) == 0, HSB_E_USAGE);
    return HSB_OK;
}

static hsb_rc rsa_priv_setup(gmp_rsa_priv_ctx *k, const hsb_rsa_key *key, mp_limb_t *t,
                             mp_limb_t *u)
{
    HSB_ENSURE(key != NULL && key->n != NULL && key->e != NULL, HSB_E_USAGE);
    const uint8_t *nb = key->n, *eb = key->e;
    size_t n_len = hsb_gmp_strip(&nb, key->n_len);
    size_t e_len = hsb_gmp_strip(&eb, key->e_len);
    HSB_ENSURE(n_len <= HSB_MAX_MODULUS_BYTES, HSB_E_UNSUPPORTED);
    (void)hsb_gmp_load(k->n, L, nb, n_len);
    size_t nbits = hsb_gmp_bits(k->n, L);
    HSB_ENSURE(nbits >= HSB_MIN_RSA_MODULUS_BITS && nbits <= HSB_MAX_MODULUS_BITS,
               HSB_E_UNSUPPORTED);
    HSB_ENSURE((k->n[0] & 1) == 1, HSB_E_RANGE); /* an even modulus */
    k->n_len = n_len;
    k->nn = (mp_size_t)hsb_gmp_limbs_used(k->n, L);

    HSB_ENSURE(e_len > 0 && e_len <= n_len, HSB_E_USAGE);
    (void)hsb_gmp_load(k->e, L, eb, e_len);
    HSB_ENSURE((k->e[0] & 1) == 1 && (k->e[0] >= 3 || e_len > 1), HSB_E_USAGE);
    k->en = (mp_size_t)hsb_gmp_limbs_used(k->e, L);
    k->ebits = hsb_gmp_bits(k->e, L);

    /* p and q: their sizes are public (about half of n's), their values not. */
    HSB_GUARD(load_value(k->p, key->p, key->p_len));
    HSB_GUARD(load_value(k->q, key->q, key->q_len));
    k->pn = (mp_size_t)hsb_gmp_limbs_used(k->p, L);
    k->qn = (mp_size_t)hsb_gmp_limbs_used(k->q, L);
    HSB_ENSURE(k->pn > 0 && k->qn > 0 && k->pn < k->nn && k->qn < k->nn, HSB_E_USAGE);
    HSB_ENSURE((k->p[0] & 1) == 1 && (k->q[0] & 1) == 1, HSB_E_USAGE);
    HSB_ENSURE(k->pn + k->qn >= k->nn && k->pn + k->qn <= k->nn + 1, HSB_E_USAGE);
    k->pbits = hsb_gmp_bits(k->p, L);
    k->qbits = hsb_gmp_bits(k->q, L);

    k->tp_limbs = scratch_limbs(k);
    k->tp = malloc(k->tp_limbs * sizeof(mp_limb_t));
    HSB_ENSURE(k->tp != NULL, HSB_E_NOMEM);

    /* n == p * q. */
    mp_size_t pq = k->pn + k->qn;
    if (k->pn >= k->qn)
        mpn_sec_mul(t, k->p, k->pn, k->q, k->qn, k->tp);
    else
        mpn_sec_mul(t, k->q, k->qn, k->p, k->pn, k->tp);
    HSB_ENSURE(hsb_gmp_ct_eq(t, k->n, (size_t)k->nn) &&
                   hsb_gmp_ct_is_zero(t + k->nn, (size_t)(pq - k->nn)),
               HSB_E_USAGE);

    /* dp mod (p - 1) and dq mod (q - 1): then dp < 2^pbits as mpn_sec_powm
     * requires of the exponent bits we declare. p - 1 keeps p's top limb
     * (p is odd and > 1). */
    mp_limb_t pm1[L], qm1[L];
    for (size_t i = 0; i < L; i++) {
        pm1[i] = k->p[i];
        qm1[i] = k->q[i];
    }
    pm1[0] ^= 1;
    qm1[0] ^= 1;
    HSB_ENSURE(hsb_gmp_limbs_used(pm1, L) == (size_t)k->pn, HSB_E_USAGE);
    HSB_ENSURE(hsb_gmp_limbs_used(qm1, L) == (size_t)k->qn, HSB_E_USAGE);
    HSB_GUARD(load_value(u, key->dp, key->dp_len));
    mod_into(k->dp, u, L, pm1, k->pn, t, k->tp);
    HSB_GUARD(load_value(u, key->dq, key->dq_len));
    mod_into(k->dq, u, L, qm1, k->qn, t, k->tp);
    HSB_GUARD(load_value(u, key->qinv, key->qinv_len));
    mod_into(k->qinv, u, L, k->p, k->pn, t, k->tp);

    /* e * dp == 1 mod (p - 1), e * dq == 1 mod (q - 1), q * qinv == 1 mod p:
     * a wrong CRT value is found here rather than by the fault check. */
    mulmod(u, k->e, k->en, k->dp, k->pn, pm1, k->pn, t, k->tp);
    HSB_ENSURE(limbs_is_one(u, k->pn), HSB_E_USAGE);
    mulmod(u, k->e, k->en, k->dq, k->qn, qm1, k->qn, t, k->tp);
    HSB_ENSURE(limbs_is_one(u, k->qn), HSB_E_USAGE);
    mulmod(u, k->q, k->qn, k->qinv, k->pn, k->p, k->pn, t, k->tp);
    HSB_ENSURE(limbs_is_one(u, k->pn), HSB_E_USAGE);
    hsb_wipe(pm1, sizeof pm1);
    hsb_wipe(qm1, sizeof qm1);

    return new_blinding(k, t);
}

static hsb_rc rsa_priv_init(void *ctx, const hsb_rsa_key *key)
{
    HSB_ENSURE(ctx != NULL, HSB_E_USAGE);
    gmp_rsa_priv_ctx *k = ctx;
    for (size_t i = 0; i < sizeof *k; i++) ((uint8_t *)k)[i] = 0;
    mp_limb_t t[2 * L + 2], u[L];
    hsb_rc rc = rsa_priv_setup(k, key, t, u);
    hsb_wipe(t, sizeof t);
    hsb_wipe(u, sizeof u);
    if (rc != HSB_OK) rsa_priv_clear(k);
    return rc;
}

static hsb_rc rsa_priv_op(void *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
    gmp_rsa_priv_ctx *k = ctx;
    HSB_ENSURE(k != NULL && k->tp != NULL && out != NULL && in != NULL, HSB_E_USAGE);
    HSB_ENSURE(len == k->n_len, HSB_E_USAGE);
    const mp_size_t nn = k->nn, pn = k->pn, qn = k->qn;
    mp_limb_t *tp = k->tp;

    /* c is public: plain comparisons. */
    mp_limb_t c[L];
    (void)hsb_gmp_load(c, (size_t)nn, in, len);
    HSB_ENSURE(mpn_cmp(c, k->n, nn) < 0, HSB_E_RANGE);
    if (hsb_gmp_limbs_used(c, (size_t)nn) == 0) {
        /* 0^d = 0; mpn_sec_powm asks for a non-zero base. */
        for (size_t i = 0; i < len; i++) out[i] = 0;
        return HSB_OK;
    }

    mp_limb_t cb[L], m1[L], m2[L], h[L], m[L], v[L], t[2 * L + 2];
    hsb_rc rc = HSB_OK;

    /* Blind: cb = c * r^e mod n (non-zero: r is invertible). */
    mulmod(cb, c, nn, k->blind, nn, k->n, nn, t, tp);

    /* m1 = cb^dp mod p, m2 = cb^dq mod q; mpn_sec_powm reduces cb itself. */
    mpn_sec_powm(m1, cb, nn, k->dp, k->pbits, k->p, pn, tp);
    mpn_sec_powm(m2, cb, nn, k->dq, k->qbits, k->q, qn, tp);

    /* h = qinv * (m1 - m2 mod p) mod p. m2 < q, which is below p when q has
     * fewer limbs; otherwise reduce it. */
    if (qn < pn) {
        for (mp_size_t i = 0; i < pn; i++) h[i] = i < qn ? m2[i] : 0;
    } else {
        mod_into(h, m2, qn, k->p, pn, t, tp);
    }
    mp_limb_t borrow = mpn_sub_n(h, m1, h, pn);
    (void)mpn_cnd_add_n(borrow, h, h, k->p, pn);
    mulmod(h, k->qinv, pn, h, pn, k->p, pn, t, tp);

    /* m' = m2 + h * q, below n, in pn + qn limbs (nn or nn + 1). */
    if (pn >= qn)
        mpn_sec_mul(t, h, pn, k->q, qn, tp);
    else
        mpn_sec_mul(t, k->q, qn, h, pn, tp);
    mp_limb_t cy = mpn_add_n(t, t, m2, qn);
    (void)mpn_sec_add_1(t + qn, t + qn, pn, cy, tp);

    /* Unblind: m = m' * r^-1 mod n (t[nn] is zero when pn + qn = nn + 1). */
    for (mp_size_t i = 0; i < nn; i++) m[i] = t[i];
    mulmod(m, m, nn, k->unblind, nn, k->n, nn, t, tp);

    /* Fault check (Bellcore): m^e mod n must give c back. */
    mpn_sec_powm(v, m, nn, k->e, k->ebits, k->n, nn, tp);
    if (!hsb_gmp_ct_eq(v, c, (size_t)nn)) {
        hsb_wipe(out, len);
        rc = hsb_raise(HSB_E_CRYPTO, __FILE__, __LINE__, "RSA-CRT fault check failed");
    } else {
        hsb_gmp_store(out, len, m, (size_t)nn);
    }

    /* Next blinding pair: square both (r -> r^2). */
    mpn_sec_sqr(t, k->blind, nn, tp);
    mpn_sec_div_r(t, 2 * nn, k->n, nn, tp);
    for (mp_size_t i = 0; i < nn; i++) k->blind[i] = t[i];
    mpn_sec_sqr(t, k->unblind, nn, tp);
    mpn_sec_div_r(t, 2 * nn, k->n, nn, tp);
    for (mp_size_t i = 0; i < nn; i++) k->unblind[i] = t[i];

    hsb_wipe(cb, sizeof cb);
    hsb_wipe(m1, sizeof m1);
    hsb_wipe(m2, sizeof m2);
    hsb_wipe(h, sizeof h);
    hsb_wipe(m, sizeof m);
    hsb_wipe(v, sizeof v);
    hsb_wipe(t, sizeof t);
    hsb_wipe(tp, k->tp_limbs * sizeof(mp_limb_t));
    return rc;
}

static size_t rsa_priv_n_len(const void *ctx)
{
    const gmp_rsa_priv_ctx *k = ctx;
    return k == NULL ? 0 : k->n_len;
}

const hsb_rsa_priv_class hsb_gmp_rsa_priv = {
    .name = "gmp-crt-garner",
    .ctx_size = sizeof(gmp_rsa_priv_ctx),
    .init = rsa_priv_init,
    .op = rsa_priv_op,
    .n_len = rsa_priv_n_len,
    .clear = rsa_priv_clear,
};
