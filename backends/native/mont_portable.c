/*
 * mont_portable.c - Montgomery multiplication in portable C with
 * unsigned __int128 (any 64-bit GCC/clang target).
 *
 * Shape: the 2n-limb product (schoolbook rows, or the triangle-doubled-plus-
 * diagonal square), then Montgomery reduction one limb at a time (REDC,
 * Montgomery 1985), then one constant-time conditional subtraction. No branch
 * or memory index depends on limb values.
 */
#include <string.h>

#include "native_mont.h"

typedef unsigned __int128 u128;

/* t[0..n) += x b[0..n); returns the carry word. */
static inline uint64_t row_mac(uint64_t *t, const uint64_t *b, uint64_t x, size_t n)
{
    uint64_t c = 0;
    for (size_t j = 0; j < n; j++) {
        u128 p = (u128)x * b[j] + t[j] + c;
        t[j] = (uint64_t)p;
        c = (uint64_t)(p >> 64);
    }
    return c;
}

/* r = t / R mod N; t has 2n limbs (destroyed), t < N R. */
void hsb_nm_portable_redc(uint64_t *r, uint64_t *t, const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t hi = 0; /* carry into t[i + n], 0..2 */
    for (size_t i = 0; i < n; i++) {
        uint64_t q = t[i] * m->n0; /* makes t[i] zero */
        uint64_t c = row_mac(t + i, m->N, q, n);
        u128 s = (u128)t[i + n] + c + hi;
        t[i + n] = (uint64_t)s;
        hi = (uint64_t)(s >> 64);
    }
    /* (t + q N) / R < 2N: hi is 0 or 1 here. */
    hsb_nm_final_sub(r, t + n, hi, m->N, n);
}

void hsb_nm_portable_mul(uint64_t *r, const uint64_t *a, const uint64_t *b, const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t t[2 * HSB_NM_MAX_LIMBS];
    memset(t, 0, n * sizeof *t);
    for (size_t i = 0; i < n; i++) t[i + n] = row_mac(t + i, b, a[i], n);
    hsb_nm_portable_redc(r, t, m);
}

void hsb_nm_portable_sqr(uint64_t *r, const uint64_t *a, const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t t[2 * HSB_NM_MAX_LIMBS];
    memset(t, 0, 2 * n * sizeof *t);
    /* The triangle sum_{i<j} a_i a_j 2^(64(i+j)). */
    for (size_t i = 0; i + 1 < n; i++)
        t[i + n] = row_mac(t + 2 * i + 1, a + i + 1, a[i], n - 1 - i);
    /* Double it and add the diagonal a_i^2 2^(128 i). */
    uint64_t shift = 0, c = 0;
    for (size_t i = 0; i < n; i++) {
        u128 d = (u128)a[i] * a[i];
        uint64_t t0 = t[2 * i], t1 = t[2 * i + 1];
        uint64_t d0 = (t0 << 1) | shift, d1 = (t1 << 1) | (t0 >> 63);
        shift = t1 >> 63;
        u128 s0 = (u128)d0 + (uint64_t)d + c;
        u128 s1 = (u128)d1 + (uint64_t)(d >> 64) + (uint64_t)(s0 >> 64);
        t[2 * i] = (uint64_t)s0;
        t[2 * i + 1] = (uint64_t)s1;
        c = (uint64_t)(s1 >> 64);
    }
    hsb_nm_portable_redc(r, t, m);
}

const hsb_nm_engine hsb_nm_engine_portable = {
    .name = "portable",
    .mul = hsb_nm_portable_mul,
    .sqr = hsb_nm_portable_sqr,
    .redc = hsb_nm_portable_redc,
};
