/*
 * native_mb.c - the parts of the 8-lane exponentiation that do not depend on
 * the kernel: per-lane modulus preparation (radix-2^52 constants derived
 * from the 64-bit Montgomery context), the sequential fallback engine for
 * CPUs without IFMA, and the run-time choice between them.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "hsb_ct.h"
#include "native_mb.h"

#define M52 ((uint64_t)0xfffffffffffff)

/* d (L limbs of 52 bits) = x (n limbs of 64). */
static void to52(uint64_t *d, size_t L, const uint64_t *x, size_t n)
{
    for (size_t j = 0; j < L; j++) {
        size_t bit = 52 * j, w = bit / 64, off = bit % 64;
        uint64_t v = w < n ? x[w] >> off : 0;
        if (off > 12 && w + 1 < n) v |= x[w + 1] << (64 - off);
        d[j] = v & M52;
    }
}

void hsb_nm_mb_mod_init(hsb_nm_mb_mod *q, const hsb_nm_engine *e64, const uint64_t *N, size_t n,
                        size_t floor_bit)
{
    memset(q, 0, sizeof *q);
    hsb_nm_mont_init(&q->m, e64, N, n, floor_bit);
    q->e64 = e64;
    /* R52 = 2^(52 L) with L the least count giving R52 > 4 N (room for the
     * almost-Montgomery bound). For n = 16, 24, 32, 48, 64 that is L = 20,
     * 30, 40, 60, 79 and R52 = R64 2^d with d = 52 L - 64 n >= 0, so R52^2 mod
     * N is R64^2 mod N doubled 2 d times (constant-time conditional
     * subtractions). */
    size_t L = (64 * n + 2 + 51) / 52;
    if (L > HSB_NM_MB_LMAX || 52 * L < 64 * n) return; /* L = 0: kernel cannot take it */
    uint64_t x[HSB_NM_MAX_LIMBS];
    memcpy(x, q->m.rr, n * sizeof *x);
    for (size_t i = 0; i < 2 * (52 * L - 64 * n); i++) hsb_nm_dbl_mod(x, q->m.N, n);
    to52(q->n52, L, q->m.N, n);
    to52(q->rr52, L, x, n);
    q->k0 = q->m.n0 & M52; /* -N^-1 mod 2^64, reduced mod 2^52 */
    q->L = L;
    hsb_wipe(x, sizeof x);
}

/* The fallback: the lanes in turn, each on its own 64-bit engine. The time of
 * a lane depends on public sizes only, as the engine's hsb_nm_pow does. */
static int pow_seq(const hsb_nm_mb_mod *const mod[HSB_NM_MB_LANES],
                   uint64_t *const out[HSB_NM_MB_LANES],
                   const uint64_t *const base[HSB_NM_MB_LANES],
                   const uint8_t *const exp[HSB_NM_MB_LANES], size_t exp_len)
{
    size_t n = 0;
    for (size_t k = 0; k < HSB_NM_MB_LANES; k++) {
        if (!mod[k]) continue;
        if (n && mod[k]->m.n != n) return 0;
        n = mod[k]->m.n;
    }
    if (n == 0 || exp_len == 0) return 0;
    for (size_t k = 0; k < HSB_NM_MB_LANES; k++)
        if (mod[k]) hsb_nm_pow(mod[k]->e64, &mod[k]->m, out[k], base[k], exp[k], exp_len);
    return 1;
}

const hsb_nm_mb_engine hsb_nm_mb_engine_seq = {.name = "seq-mb8", .pow = pow_seq};

static pthread_once_t mb_once = PTHREAD_ONCE_INIT;
static int mb_ok;
static void mb_check(void)
{
    mb_ok = hsb_nm_mb_ifma_selftest();
    if (!mb_ok)
        fprintf(stderr, "hsbench: native 8-lane IFMA self-test failed: using the sequential "
                        "fallback\n");
}

const hsb_nm_mb_engine *hsb_nm_mb_engine_get(void)
{
    /* hsb_nm_engine_get checks the CPU (IFMA, AVX-512F/VL, ADX/BMI2 for the
     * mulx code around the kernel) and the single-operation self-test. */
    if (hsb_nm_engine_get(HSB_NM_PATH_IFMA) == NULL) return &hsb_nm_mb_engine_seq;
    pthread_once(&mb_once, mb_check);
    return mb_ok ? &hsb_nm_mb_engine_ifma : &hsb_nm_mb_engine_seq;
}
