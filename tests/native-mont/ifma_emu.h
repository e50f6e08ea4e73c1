/*
 * ifma_emu.h - a scalar model of the AVX-512 operations mont_ifma.c uses, so
 * that its algorithm (AMM in radix 2^52, normalisation, table scans) runs and
 * is tested on CPUs without AVX-512 IFMA. Each function follows the Intel SDM
 * description of its instruction, lane by lane. Tests only.
 */
#ifndef HSB_IFMA_EMU_H
#define HSB_IFMA_EMU_H

#include <stdint.h>

typedef struct vec {
    uint64_t q[8];
} vec;
typedef uint8_t vmask;

static inline vec v_zero(void)
{
    vec r = {{0}};
    return r;
}
static inline vec v_set1(uint64_t x)
{
    vec r;
    for (int i = 0; i < 8; i++) r.q[i] = x;
    return r;
}
static inline vec v_load(const uint64_t *p)
{
    vec r;
    for (int i = 0; i < 8; i++) r.q[i] = p[i];
    return r;
}
static inline void v_store(uint64_t *p, vec v)
{
    for (int i = 0; i < 8; i++) p[i] = v.q[i];
}
/* VPMADD52LUQ / VPMADD52HUQ: the 104-bit product of the low 52 bits of
 * each lane; its low (high) 52 bits added to the accumulator lane. */
static inline vec v_madd_lo(vec acc, vec a, vec b)
{
    const uint64_t m = 0xfffffffffffffull;
    for (int i = 0; i < 8; i++) {
        unsigned __int128 p = (unsigned __int128)(a.q[i] & m) * (b.q[i] & m);
        acc.q[i] += (uint64_t)p & m;
    }
    return acc;
}
static inline vec v_madd_hi(vec acc, vec a, vec b)
{
    const uint64_t m = 0xfffffffffffffull;
    for (int i = 0; i < 8; i++) {
        unsigned __int128 p = (unsigned __int128)(a.q[i] & m) * (b.q[i] & m);
        acc.q[i] += (uint64_t)(p >> 52);
    }
    return acc;
}
/* VALIGNQ: (hi:lo) shifted right by k lanes, low 8 lanes kept. */
static inline vec v_alignr(vec hi, vec lo, int k)
{
    uint64_t t[16];
    vec r;
    for (int i = 0; i < 8; i++) t[i] = lo.q[i], t[i + 8] = hi.q[i];
    for (int i = 0; i < 8; i++) r.q[i] = t[i + k];
    return r;
}
#define v_align1(hi, lo) v_alignr((hi), (lo), 1)
#define v_align7(hi, lo) v_alignr((hi), (lo), 7)
static inline vec v_add(vec a, vec b)
{
    for (int i = 0; i < 8; i++) a.q[i] += b.q[i];
    return a;
}
static inline vec v_and(vec a, vec b)
{
    for (int i = 0; i < 8; i++) a.q[i] &= b.q[i];
    return a;
}
static inline vec v_srl52(vec a)
{
    for (int i = 0; i < 8; i++) a.q[i] >>= 52;
    return a;
}
static inline uint64_t v_lane0(vec a)
{
    return a.q[0];
}
static inline vec v_from_lane0(uint64_t x)
{
    vec r = v_zero();
    r.q[0] = x;
    return r;
}
/* VPCMPUQ: one mask bit per lane. */
static inline vmask v_gt_mask(vec a, vec b)
{
    vmask k = 0;
    for (int i = 0; i < 8; i++) k |= (vmask)((a.q[i] > b.q[i]) << i);
    return k;
}
static inline vmask v_eq_mask(vec a, vec b)
{
    vmask k = 0;
    for (int i = 0; i < 8; i++) k |= (vmask)((a.q[i] == b.q[i]) << i);
    return k;
}
/* All-ones when bit i of k is set. Masks, not branches: the model also runs
 * under valgrind (tests/native-mont's ctgrind check), where a branch on a
 * secret mask bit would be reported although the instruction has none. */
static inline uint64_t v_lane_mask(vmask k, int i)
{
    uint64_t b = (uint64_t)((k >> i) & 1);
#if defined(__GNUC__)
    __asm__("" : "+r"(b));
#endif
    return 0 - b;
}
/* VPADDQ with a merge mask; VPBLENDMQ (k ? b : a). */
static inline vec v_mask_add(vec src, vmask k, vec a, vec b)
{
    for (int i = 0; i < 8; i++) {
        uint64_t m = v_lane_mask(k, i);
        src.q[i] = (src.q[i] & ~m) | ((a.q[i] + b.q[i]) & m);
    }
    return src;
}
static inline vec v_blend(vmask k, vec a, vec b)
{
    for (int i = 0; i < 8; i++) {
        uint64_t m = v_lane_mask(k, i);
        a.q[i] = (a.q[i] & ~m) | (b.q[i] & m);
    }
    return a;
}

#endif
