/*
 * sha256_mb_avx512_ops.h - internal to the native backend: the SHA-256 round
 * on 16 lanes of zmm registers, sha256_mb_rounds.h over the AVX-512
 * operations below (FIPS 180-4 4.1.2). Included by the x16 kernel
 * (sha256_mb_avx512.c) and by the record seal that interleaves CBC with it
 * (seal_mb_vaes512.c); the including file enables AVX-512F on its functions.
 */
#ifndef HSB_SHA256_MB_AVX512_OPS_H
#define HSB_SHA256_MB_AVX512_OPS_H

#include <immintrin.h>

/* vpternlogd truth tables: xor3 = a^b^c, ch = a?b:c, maj = majority. */
#define XOR3(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0x96)
#define CH(e, f, g) _mm512_ternarylogic_epi32(e, f, g, 0xca)
#define MAJ(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0xe8)
#define ROR(x, n) _mm512_ror_epi32(x, n)
#define ADD(a, b) _mm512_add_epi32(a, b)
#define BSIG0(x) XOR3(ROR(x, 2), ROR(x, 13), ROR(x, 22))
#define BSIG1(x) XOR3(ROR(x, 6), ROR(x, 11), ROR(x, 25))
#define SSIG0(x) XOR3(ROR(x, 7), ROR(x, 18), _mm512_srli_epi32(x, 3))
#define SSIG1(x) XOR3(ROR(x, 17), ROR(x, 19), _mm512_srli_epi32(x, 10))

#define VEC __m512i
#define SET1(x) _mm512_set1_epi32(x)
#include "sha256_mb_rounds.h"

#endif
