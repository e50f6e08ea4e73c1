/*
 * sha256_mb_avx512.c - SHA-256 of 16 independent messages at once: one
 * message per 32-bit lane of a zmm register, the state transposed (register
 * a holds word A of all 16 lanes). FIPS 180-4 6.2.2, lane-wise; vprord
 * rotates and vpternlogd makes Ch, Maj and the three-way xors in one
 * instruction each. Only called when AVX-512F and AVX-512BW are present
 * (sha256_mb.c checks hsb_cpu()).
 */
#include <immintrin.h>

#include "native_sha256.h"

#define TGT __attribute__((target("avx2,avx512f,avx512bw")))

#define L 16

#include "sha256_mb_avx512_ops.h"

/* w[0..15] = word j of the block at p[l] in lane l, byte-swapped. A 16x16
 * transpose of dwords: pairs, quads, then 128-bit blocks across registers. */
TGT void hsb_native_sha256_x16_load(void *wv, const uint8_t *const p[L], size_t off)
{
    __m512i *w = wv;
    const __m512i bswap =
        _mm512_broadcast_i32x4(_mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL));
    __m512i r[16], t[16];
    for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_si512((const void *)(p[i] + off));
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    /* r[4q + m]: rows 4q..4q+3, word 4k + m in 128-bit block k. */
    for (int q = 0; q < 4; q++) {
        r[4 * q + 0] = _mm512_unpacklo_epi64(t[4 * q], t[4 * q + 2]);
        r[4 * q + 1] = _mm512_unpackhi_epi64(t[4 * q], t[4 * q + 2]);
        r[4 * q + 2] = _mm512_unpacklo_epi64(t[4 * q + 1], t[4 * q + 3]);
        r[4 * q + 3] = _mm512_unpackhi_epi64(t[4 * q + 1], t[4 * q + 3]);
    }
    /* Word 4k + m: block q of it is block k of r[4q + m]. */
    for (int m = 0; m < 4; m++) {
        __m512i v0 = _mm512_shuffle_i32x4(r[m], r[4 + m], 0x44);
        __m512i v1 = _mm512_shuffle_i32x4(r[m], r[4 + m], 0xee);
        __m512i v2 = _mm512_shuffle_i32x4(r[8 + m], r[12 + m], 0x44);
        __m512i v3 = _mm512_shuffle_i32x4(r[8 + m], r[12 + m], 0xee);
        w[m] = _mm512_shuffle_epi8(_mm512_shuffle_i32x4(v0, v2, 0x88), bswap);
        w[4 + m] = _mm512_shuffle_epi8(_mm512_shuffle_i32x4(v0, v2, 0xdd), bswap);
        w[8 + m] = _mm512_shuffle_epi8(_mm512_shuffle_i32x4(v1, v3, 0x88), bswap);
        w[12 + m] = _mm512_shuffle_epi8(_mm512_shuffle_i32x4(v1, v3, 0xdd), bswap);
    }
}

/* The chaining value stays in st between blocks (loaded at the start of
 * each, added back at the end), leaving the 32 registers to the working
 * variables and the 16 schedule words. */
#define LD(i) _mm512_loadu_si512((const void *)st[i])
#define ST(i, v) _mm512_storeu_si512((void *)st[i], ADD(LD(i), v))

TGT void hsb_native_sha256_x16_avx512(uint32_t st[8][16], const uint8_t *const blk[16],
                                      size_t nblocks)
{
    __m512i w[16];
    for (size_t n = 0; n < nblocks; n++) {
        __m512i a = LD(0), b = LD(1), c = LD(2), d = LD(3), e = LD(4), f = LD(5), g = LD(6),
                h = LD(7);
        hsb_native_sha256_x16_load(w, blk, 64 * n);
        /* Rounds 0..15 on the block's words, then three stretches of 16
         * that extend the schedule in place (w[j] holds W[t0 + j]). */
        const uint32_t *kp = hsb_native_sha256_k;
        ROUNDS8(0, 0);
        ROUNDS8(8, 0);
        /* Unrolled: the K addresses become constants and the compiler
         * schedules across the stretches (about 7% more x16 throughput in
         * tests/native-sha/sha_speed, measured interleaved). */
#pragma GCC unroll 3
        for (int t0 = 16; t0 < 64; t0 += 16) {
            kp = hsb_native_sha256_k + t0;
            ROUNDS8(0, 1);
            ROUNDS8(8, 1);
        }
        ST(0, a);
        ST(1, b);
        ST(2, c);
        ST(3, d);
        ST(4, e);
        ST(5, f);
        ST(6, g);
        ST(7, h);
    }
}
