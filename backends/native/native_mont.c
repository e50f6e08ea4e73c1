/*
 * native_mont.c - what every Montgomery path shares: the per-modulus context,
 * conversions, the constant-time helpers, and the exponentiations written
 * over an engine's mul/sqr (fixed window, constant-time table scans).
 */
#include "native_mont.h"

#include <emmintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_ct.h"

typedef unsigned __int128 u128;

/* ----------------------------------------------------------- engine choice */

/* The IFMA engine's one-time known-answer check (mont_ifma.c); a failure
 * disables the engine and says so on stderr, once. */
static pthread_once_t ifma_once = PTHREAD_ONCE_INIT;
static int ifma_ok;
static void ifma_check(void)
{
    ifma_ok = hsb_nm_ifma_selftest();
    if (!ifma_ok)
        fprintf(stderr, "hsbench: native IFMA self-test failed: IFMA path disabled, using mulx\n");
}

const hsb_nm_engine *hsb_nm_engine_get(hsb_nm_path path)
{
    const hsb_cpu_features *f = hsb_cpu();
    switch (path) {
    case HSB_NM_PATH_PORTABLE:
        return &hsb_nm_engine_portable;
    case HSB_NM_PATH_MULX:
        return (f->adx && f->bmi2) ? &hsb_nm_engine_mulx : NULL;
    case HSB_NM_PATH_IFMA:
        /* The IFMA engine runs its exponentiations in zmm registers and the
         * rest on the mulx code, so it needs both. */
        if (hsb_nm_engine_ifma.pow == NULL) return NULL; /* not built */
        if (!(f->adx && f->bmi2 && f->avx512f && f->avx512vl && f->avx512ifma)) return NULL;
        pthread_once(&ifma_once, ifma_check);
        return ifma_ok ? &hsb_nm_engine_ifma : NULL;
    case HSB_NM_PATH_COUNT:
    default:
        return NULL;
    }
}

hsb_nm_path hsb_nm_best_path(void)
{
    if (hsb_nm_engine_get(HSB_NM_PATH_IFMA)) return HSB_NM_PATH_IFMA;
    if (hsb_nm_engine_get(HSB_NM_PATH_MULX)) return HSB_NM_PATH_MULX;
    return HSB_NM_PATH_PORTABLE;
}

const char *hsb_nm_path_name(hsb_nm_path path)
{
    switch (path) {
    case HSB_NM_PATH_PORTABLE:
        return "portable";
    case HSB_NM_PATH_MULX:
        return "mulx";
    case HSB_NM_PATH_IFMA:
        return "ifma";
    case HSB_NM_PATH_COUNT:
    default:
        return "?";
    }
}

/* ------------------------------------------------------------- conversions */

void hsb_nm_from_bytes(uint64_t *x, size_t n, const uint8_t *b, size_t len)
{
    memset(x, 0, n * sizeof *x);
    for (size_t i = 0; i < len; i++) {
        size_t k = len - 1 - i; /* byte weight */
        x[k / 8] |= (uint64_t)b[i] << (8 * (k % 8));
    }
}

void hsb_nm_to_bytes(uint8_t *b, size_t len, const uint64_t *x, size_t n)
{
    for (size_t i = 0; i < len; i++) {
        size_t k = len - 1 - i;
        b[i] = k / 8 < n ? (uint8_t)(x[k / 8] >> (8 * (k % 8))) : 0;
    }
}

uint64_t hsb_nm_lt(const uint64_t *a, const uint64_t *b, size_t n)
{
    /* The borrow out of a - b. */
    uint64_t borrow = 0;
    for (size_t i = 0; i < n; i++) {
        u128 d = (u128)a[i] - b[i] - borrow;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    return borrow;
}

void hsb_nm_final_sub(uint64_t *r, const uint64_t *t, uint64_t hi, const uint64_t *N, size_t n)
{
    uint64_t d[HSB_NM_MAX_LIMBS];
    uint64_t borrow = 0;
    for (size_t i = 0; i < n; i++) {
        u128 s = (u128)t[i] - N[i] - borrow;
        d[i] = (uint64_t)s;
        borrow = (uint64_t)(s >> 64) & 1;
    }
    /* hi 2^(64n) + t >= N exactly when hi is set or t - N did not borrow. */
    uint64_t take = hsb_nm_mask(hi | (borrow ^ 1));
    for (size_t i = 0; i < n; i++) r[i] = t[i] ^ (take & (t[i] ^ d[i]));
}

void hsb_nm_sub_mod(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *N, size_t n)
{
    uint64_t borrow = 0;
    for (size_t i = 0; i < n; i++) {
        u128 s = (u128)a[i] - b[i] - borrow;
        r[i] = (uint64_t)s;
        borrow = (uint64_t)(s >> 64) & 1;
    }
    /* Add N back when a - b went negative. */
    uint64_t mask = hsb_nm_mask(borrow), carry = 0;
    for (size_t i = 0; i < n; i++) {
        u128 s = (u128)r[i] + (N[i] & mask) + carry;
        r[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
}

void hsb_nm_mul_plain(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n)
{
    memset(r, 0, 2 * n * sizeof *r);
    for (size_t i = 0; i < n; i++) {
        uint64_t c = 0;
        for (size_t j = 0; j < n; j++) {
            u128 p = (u128)a[i] * b[j] + r[i + j] + c;
            r[i + j] = (uint64_t)p;
            c = (uint64_t)(p >> 64);
        }
        r[i + n] = c;
    }
}

size_t hsb_nm_bitlen_public(const uint64_t *x, size_t n)
{
    for (size_t i = n; i-- > 0;)
        if (x[i]) return 64 * i + 64 - (size_t)__builtin_clzll(x[i]);
    return 0;
}

/* ------------------------------------------------------ Montgomery context */

void hsb_nm_dbl_mod(uint64_t *x, const uint64_t *N, size_t n)
{
    uint64_t y[HSB_NM_MAX_LIMBS] = {0}, c = 0;
    for (size_t i = 0; i < n; i++) {
        y[i] = (x[i] << 1) | c;
        c = x[i] >> 63;
    }
    hsb_nm_final_sub(x, y, c, N, n);
}

void hsb_nm_mont_init(hsb_nm_mont *m, const hsb_nm_engine *e, const uint64_t *N, size_t n,
                      size_t floor_bit)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    memcpy(m->N, N, n * sizeof *N);

    /* N^-1 mod 2^64 by Newton's iteration: for odd N0, N0 N0 = 1 mod 8, so
     * inv = N0 is right to 3 bits and each step doubles that (3, 6, ..., 96). */
    uint64_t inv = N[0];
    for (int i = 0; i < 5; i++) inv *= 2 - N[0] * inv;
    m->n0 = 0 - inv;

    /* R mod N by doubling from 2^floor_bit < N: 64 n - floor_bit doublings
     * (at most 72 or so for a modulus whose top byte is non-zero). */
    uint64_t x[HSB_NM_MAX_LIMBS] = {0};
    x[floor_bit / 64] = (uint64_t)1 << (floor_bit % 64);
    for (size_t i = floor_bit; i < 64 * n; i++) hsb_nm_dbl_mod(x, N, n);
    memcpy(m->one, x, n * sizeof *x);

    /* R^2 = R 2^(64 n): with 64 n = j 2^s (j the odd part of n, s = 6 +
     * the twos in n), double j more times to get R 2^j, then s Montgomery
     * squarings take R 2^t to R 2^(2t). */
    size_t s = 6, j = n;
    while ((j & 1) == 0) {
        j >>= 1;
        s++;
    }
    for (size_t i = 0; i < j; i++) hsb_nm_dbl_mod(x, N, n);
    for (size_t i = 0; i < s; i++) e->sqr(x, x, m);
    memcpy(m->rr, x, n * sizeof *x);
    hsb_wipe(x, sizeof x);
    if (e->prep) e->prep(m);
}

/* ---------------------------------------------------------- exponentiation */

/* dst = tbl[idx] reading every entry: the memory touched does not depend on
 * idx (a secret window of the exponent). Eight limbs at a time in four SSE2
 * registers (x86-64's baseline), so each entry costs a load, an AND and an
 * OR per two limbs. */
static void ct_lookup(uint64_t *dst, const uint64_t *tbl, size_t count, size_t n, uint64_t idx)
{
    __m128i masks[1u << 6];
    for (size_t i = 0; i < count; i++)
        masks[i] = _mm_set1_epi64x((long long)hsb_nm_mask_zero((uint64_t)i ^ idx));
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
        const uint64_t *t = tbl + j;
        for (size_t i = 0; i < count; i++, t += n) {
            __m128i m = masks[i];
            a0 = _mm_or_si128(a0, _mm_and_si128(m, _mm_loadu_si128((const __m128i *)(t + 0))));
            a1 = _mm_or_si128(a1, _mm_and_si128(m, _mm_loadu_si128((const __m128i *)(t + 2))));
            a2 = _mm_or_si128(a2, _mm_and_si128(m, _mm_loadu_si128((const __m128i *)(t + 4))));
            a3 = _mm_or_si128(a3, _mm_and_si128(m, _mm_loadu_si128((const __m128i *)(t + 6))));
        }
        _mm_storeu_si128((__m128i *)(dst + j + 0), a0);
        _mm_storeu_si128((__m128i *)(dst + j + 2), a1);
        _mm_storeu_si128((__m128i *)(dst + j + 4), a2);
        _mm_storeu_si128((__m128i *)(dst + j + 6), a3);
    }
    for (; j < n; j++) {
        uint64_t v = 0;
        for (size_t i = 0; i < count; i++)
            v |= tbl[i * n + j] & (uint64_t)_mm_cvtsi128_si64(masks[i]);
        dst[j] = v;
    }
}

/* Window width by exponent length (public): a w-bit window costs 2^w - 2
 * table products once, one product per w bits, and a scan of 2^w entries
 * per product. Measured (callgrind instructions, mulx path): 1024-bit
 * exponents 3.87M / 3.91M / 4.12M for w = 4 / 5 / 6; 2048-bit 25.8M / 25.4M /
 * 25.8M. */
static unsigned window_for(size_t bits)
{
    if (bits <= 8) return 1;
    if (bits <= 32) return 2;
    if (bits <= 96) return 3;
    if (bits <= 1280) return 4;
    return 5;
}

#define HSB_NM_MAX_WINDOW 5

void hsb_nm_pow_generic(const hsb_nm_engine *e, const hsb_nm_mont *m, uint64_t *out,
                        const uint64_t *base, const uint8_t *exp, size_t exp_len)
{
    size_t n = m->n;
    uint64_t tbl[(1u << HSB_NM_MAX_WINDOW) * HSB_NM_MAX_LIMBS];
    uint64_t acc[HSB_NM_MAX_LIMBS], t[HSB_NM_MAX_LIMBS], unit[HSB_NM_MAX_LIMBS] = {1};

    if (exp_len == 0) { /* exp = 0: out = 1 (N > 1) */
        memcpy(out, unit, n * sizeof *out);
        return;
    }
    size_t bits = 8 * exp_len;
    unsigned w = window_for(bits);
    size_t count = (size_t)1 << w;

    /* tbl[i] = base^i R mod N. */
    memcpy(tbl, m->one, n * sizeof *tbl);
    e->mul(tbl + n, base, m->rr, m);
    for (size_t i = 2; i < count; i++) {
        if (i % 2 == 0)
            e->sqr(tbl + i * n, tbl + (i / 2) * n, m);
        else
            e->mul(tbl + i * n, tbl + (i - 1) * n, tbl + n, m);
    }

    /* Windows from the top; the first one takes whatever bits are left over. */
    size_t nwin = (bits + w - 1) / w;
    size_t pos = (nwin - 1) * w;
    ct_lookup(acc, tbl, count, n, hsb_nm_window(exp, exp_len, pos, w));
    while (pos > 0) {
        pos -= w;
        for (unsigned k = 0; k < w; k++) e->sqr(acc, acc, m);
        ct_lookup(t, tbl, count, n, hsb_nm_window(exp, exp_len, pos, w));
        e->mul(acc, acc, t, m);
    }
    /* Leave the Montgomery domain: acc 1 / R. */
    e->mul(out, acc, unit, m);

    hsb_wipe(tbl, count * n * sizeof *tbl);
    hsb_wipe(acc, sizeof acc);
    hsb_wipe(t, sizeof t);
}

void hsb_nm_pow(const hsb_nm_engine *e, const hsb_nm_mont *m, uint64_t *out, const uint64_t *base,
                const uint8_t *exp, size_t exp_len)
{
    if (e->pow && e->pow(m, out, base, exp, exp_len)) return;
    hsb_nm_pow_generic(e, m, out, base, exp, exp_len);
}

void hsb_nm_pow2(const hsb_nm_engine *e, const hsb_nm_mont *m1, uint64_t *out1,
                 const uint64_t *base1, const uint8_t *exp1, size_t exp1_len, const hsb_nm_mont *m2,
                 uint64_t *out2, const uint64_t *base2, const uint8_t *exp2, size_t exp2_len)
{
    if (e->pow2 && e->pow2(m1, out1, base1, exp1, exp1_len, m2, out2, base2, exp2, exp2_len))
        return;
    hsb_nm_pow(e, m1, out1, base1, exp1, exp1_len);
    hsb_nm_pow(e, m2, out2, base2, exp2, exp2_len);
}

/*
 * Public exponents (RSA e, the DH check's q): variable time is allowed. The
 * engine's own path when it has one (IFMA: radix 2^52 from the first table
 * entry to the last product, not single mul/sqr calls that convert in and out
 * every time); else sliding windows (hsb_nm_slide) over e->mul/sqr.
 */

/* acc = x^exp (Montgomery domain in and out); tbl[i] = x^(2i + 1). exp is
 * big-endian with its top byte non-zero; bits is its bit length. */
static void pow_sliding_public(const hsb_nm_engine *e, const hsb_nm_mont *m, uint64_t *acc,
                               const uint64_t *x, const uint8_t *exp, size_t bits)
{
    size_t n = m->n, len = (bits + 7) / 8;
    unsigned wmax = hsb_nm_public_window(bits);
    uint64_t tbl[(1u << (HSB_NM_PUBLIC_MAX_WINDOW - 1)) * HSB_NM_MAX_LIMBS], x2[HSB_NM_MAX_LIMBS];
    size_t count = (size_t)1 << (wmax - 1);

    memcpy(tbl, x, n * sizeof *tbl);
    if (count > 1) e->sqr(x2, x, m);
    for (size_t i = 1; i < count; i++) e->mul(tbl + i * n, tbl + (i - 1) * n, x2, m);

    /* The top bit is set: the first window starts the product. */
    size_t top = bits;
    uint64_t v;
    hsb_nm_slide(exp, len, &top, wmax, &v);
    memcpy(acc, tbl + (v >> 1) * n, n * sizeof *acc);
    while (top > 0) {
        unsigned w = hsb_nm_slide(exp, len, &top, wmax, &v);
        for (unsigned k = 0; k < w; k++) e->sqr(acc, acc, m);
        if (v) e->mul(acc, acc, tbl + (v >> 1) * n, m);
    }
}

void hsb_nm_pow_public(const hsb_nm_engine *e, const hsb_nm_mont *m, uint64_t *out,
                       const uint64_t *base, const uint8_t *exp, size_t exp_len)
{
    size_t n = m->n;
    uint64_t x[HSB_NM_MAX_LIMBS], acc[HSB_NM_MAX_LIMBS], unit[HSB_NM_MAX_LIMBS] = {1};

    while (exp_len > 0 && exp[0] == 0) {
        exp++;
        exp_len--;
    }
    if (exp_len == 0) {
        memcpy(out, unit, n * sizeof *out);
        return;
    }
    if (e->pow_public && e->pow_public(m, out, base, exp, exp_len)) return;
    size_t bits = 8 * (exp_len - 1) + (size_t)(32 - __builtin_clz(exp[0]));
    e->mul(x, base, m->rr, m);
    pow_sliding_public(e, m, acc, x, exp, bits);
    e->mul(out, acc, unit, m);
}
