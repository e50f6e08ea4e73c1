/*
 * test_native_mont_ifma_emu - the IFMA exponentiation's algorithm (AMM in
 * radix 2^52, normalisation, window tables, the interleaved pair) run over
 * a scalar model of its AVX-512 operations (ifma_emu.h) and compared with
 * the generic 64-bit code on random moduli of 8..64 limbs. The real
 * instructions are checked by `test_native_mont --ifma` on CPUs that have them.
 */
#include <stdio.h>
#include <string.h>

#include "native_mont.h"

extern const hsb_nm_engine hsb_nm_engine_ifma_emu;
int hsb_nm_ifma_selftest_emu(void);

static uint64_t st = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
    st ^= st << 13;
    st ^= st >> 7;
    st ^= st << 17;
    return st;
}

static int failures, checks;

static void modulus(uint64_t *N, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++) N[i] = rnd();
    if (kind == 0) N[n - 1] |= (uint64_t)1 << 63;             /* full size */
    if (kind == 1) memset(N, 0xff, n * sizeof *N);            /* 2^(64n) - 1 */
    if (kind == 2) N[n - 1] = (N[n - 1] >> (rnd() % 63)) | 1; /* shorter */
    N[0] |= 1;
}

static void reduce(const hsb_nm_engine *e, const hsb_nm_mont *m, uint64_t *x)
{
    uint64_t unit[HSB_NM_MAX_LIMBS] = {1};
    e->mul(x, x, m->rr, m);
    e->mul(x, x, unit, m);
}

int main(void)
{
    const hsb_nm_engine *fi = &hsb_nm_engine_ifma_emu, *pe = &hsb_nm_engine_portable;
    static const size_t sizes[] = {8, 9, 12, 15, 16, 17, 20, 24, 31, 32, 40, 47, 48, 56, 63, 64};
    static hsb_nm_mont mi1, mi2, mp1, mp2;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        int iters = n <= 32 ? 6 : 3;
        for (int it = 0; it < iters; it++) {
            uint64_t N1[HSB_NM_MAX_LIMBS], N2[HSB_NM_MAX_LIMBS], b1[HSB_NM_MAX_LIMBS],
                b2[HSB_NM_MAX_LIMBS], o1[HSB_NM_MAX_LIMBS], o2[HSB_NM_MAX_LIMBS],
                w1[HSB_NM_MAX_LIMBS], w2[HSB_NM_MAX_LIMBS];
            uint8_t e1[512], e2[512];
            modulus(N1, n, it % 3);
            modulus(N2, n, (it + 1) % 3);
            hsb_nm_mont_init(&mi1, fi, N1, n, hsb_nm_bitlen_public(N1, n) - 1);
            hsb_nm_mont_init(&mi2, fi, N2, n, hsb_nm_bitlen_public(N2, n) - 1);
            hsb_nm_mont_init(&mp1, pe, N1, n, hsb_nm_bitlen_public(N1, n) - 1);
            hsb_nm_mont_init(&mp2, pe, N2, n, hsb_nm_bitlen_public(N2, n) - 1);
            for (size_t i = 0; i < n; i++) b1[i] = rnd(), b2[i] = rnd();
            reduce(pe, &mp1, b1);
            reduce(pe, &mp2, b2);
            if (it == 1) { /* base N - 1 and 1 */
                memcpy(b1, N1, sizeof b1);
                b1[0] -= 1;
                memset(b2, 0, sizeof b2);
                b2[0] = 1;
            }
            size_t full = n <= 16 ? 8 * n : 40;
            size_t l1 = it == 0 ? full : 1 + rnd() % 40, l2 = l1;
            for (size_t i = 0; i < l1; i++) e1[i] = (uint8_t)rnd(), e2[i] = (uint8_t)rnd();
            if (it == 2) e1[0] = 0, e1[1] = 0; /* leading zeros */

            hsb_nm_pow(fi, &mi1, o1, b1, e1, l1);
            hsb_nm_pow_generic(pe, &mp1, w1, b1, e1, l1);
            checks++;
            if (memcmp(o1, w1, n * 8) != 0) {
                failures++;
                printf("FAIL pow n=%zu it=%d exp %zu bytes\n", n, it, l1);
            }
            hsb_nm_pow2(fi, &mi1, o1, b1, e1, l1, &mi2, o2, b2, e2, l2);
            hsb_nm_pow_generic(pe, &mp2, w2, b2, e2, l2);
            checks++;
            if (memcmp(o1, w1, n * 8) != 0 || memcmp(o2, w2, n * 8) != 0) {
                failures++;
                printf("FAIL pow2 n=%zu it=%d exp %zu bytes\n", n, it, l1);
            }
            /* unequal exponent lengths: the pair falls back to one at a time */
            hsb_nm_pow2(fi, &mi1, o1, b1, e1, l1, &mi2, o2, b2, e2, l2 > 1 ? l2 - 1 : 0);
            hsb_nm_pow_generic(pe, &mp2, w2, b2, e2, l2 > 1 ? l2 - 1 : 0);
            checks++;
            if (memcmp(o1, w1, n * 8) != 0 || memcmp(o2, w2, n * 8) != 0) {
                failures++;
                printf("FAIL pow2 fallback n=%zu it=%d\n", n, it);
            }
            /* public exponents (sliding windows): e1 itself, then 65537 and 3 */
            static const uint8_t f4[] = {0x01, 0x00, 0x01}, three[] = {0x03};
            const uint8_t *pubs[] = {e1, f4, three};
            const size_t plen[] = {l1, sizeof f4, sizeof three};
            for (int k = 0; k < 3; k++) {
                hsb_nm_pow_public(fi, &mi1, o1, b1, pubs[k], plen[k]);
                hsb_nm_pow_generic(pe, &mp1, w1, b1, pubs[k], plen[k]);
                checks++;
                if (memcmp(o1, w1, n * 8) != 0) {
                    failures++;
                    printf("FAIL pow_public n=%zu it=%d exp %zu bytes\n", n, it, plen[k]);
                }
            }
        }
    }
    /* The start-up self-test's own logic, on the model. */
    checks++;
    if (!hsb_nm_ifma_selftest_emu()) {
        failures++;
        printf("FAIL the IFMA self-test rejects the model\n");
    }
    printf("ifma (emulated) vs generic: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
