/*
 * ifma_vec.h - internal to the native backend: the few AVX-512 IFMA
 * operations the IFMA exponentiations use (mont_ifma.c for one number,
 * mont_ifma_mb.c for eight), named once. tests/native-mont/ifma_emu.h is
 * the scalar model of the same names, so both files also compile, and are
 * tested, on CPUs without IFMA.
 */
#ifndef HSB_IFMA_VEC_H
#define HSB_IFMA_VEC_H

#include <immintrin.h>

#define IFMA_TARGET __attribute__((target("avx512f,avx512ifma,avx512vl")))

typedef __m512i vec;
typedef __mmask8 vmask;
#define v_zero() _mm512_setzero_si512()
#define v_set1(x) _mm512_set1_epi64((long long)(x))
#define v_load(p) _mm512_loadu_si512((const void *)(p))
#define v_store(p, v) _mm512_storeu_si512((void *)(p), (v))
#define v_madd_lo(acc, a, b) _mm512_madd52lo_epu64((acc), (a), (b))
#define v_madd_hi(acc, a, b) _mm512_madd52hi_epu64((acc), (a), (b))
#define v_align1(hi, lo) _mm512_alignr_epi64((hi), (lo), 1)
#define v_align7(hi, lo) _mm512_alignr_epi64((hi), (lo), 7)
#define v_add(a, b) _mm512_add_epi64((a), (b))
#define v_and(a, b) _mm512_and_si512((a), (b))
#define v_srl52(a) _mm512_srli_epi64((a), 52)
#define v_lane0(a) ((uint64_t)_mm_cvtsi128_si64(_mm512_castsi512_si128(a)))
#define v_from_lane0(x) _mm512_zextsi128_si512(_mm_cvtsi64_si128((long long)(x)))
#define v_gt_mask(a, b) _mm512_cmpgt_epu64_mask((a), (b))
#define v_eq_mask(a, b) _mm512_cmpeq_epu64_mask((a), (b))
#define v_mask_add(src, k, a, b) _mm512_mask_add_epi64((src), (k), (a), (b))
#define v_blend(k, a, b) _mm512_mask_blend_epi64((k), (a), (b))

#endif
