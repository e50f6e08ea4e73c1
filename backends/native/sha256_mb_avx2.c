/*
 * sha256_mb_avx2.c - SHA-256 of 8 independent messages at once: one message
 * per 32-bit lane of a ymm register, the state transposed. FIPS 180-4 6.2.2,
 * lane-wise; AVX2 has no rotate, so each is two shifts and an or. Only
 * called when AVX2 is present (sha256_mb.c checks hsb_cpu()).
 */
#include <immintrin.h>

#include "native_sha256.h"

#define TGT __attribute__((target("avx2")))

#define L 8

#define XOR(a, b) _mm256_xor_si256(a, b)
#define ADD(a, b) _mm256_add_epi32(a, b)
#define ROR(x, n) _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - (n)))
#define BSIG0(x) XOR(XOR(ROR(x, 2), ROR(x, 13)), ROR(x, 22))
#define BSIG1(x) XOR(XOR(ROR(x, 6), ROR(x, 11)), ROR(x, 25))
#define SSIG0(x) XOR(XOR(ROR(x, 7), ROR(x, 18)), _mm256_srli_epi32(x, 3))
#define SSIG1(x) XOR(XOR(ROR(x, 17), ROR(x, 19)), _mm256_srli_epi32(x, 10))
#define CH(e, f, g) XOR(_mm256_and_si256(XOR(f, g), e), g)
#define MAJ(a, b, c) XOR(_mm256_and_si256(XOR(a, b), XOR(b, c)), b)

#define VEC __m256i
#define SET1(x) _mm256_set1_epi32(x)
#include "sha256_mb_rounds.h"

/* Eight dwords at off from each p[l] -> out[j] = dword j of every lane,
 * byte-swapped: an 8x8 transpose (pairs, quads, then 128-bit halves). */
TGT static void transpose8(__m256i out[8], const uint8_t *const p[L], size_t off)
{
    const __m256i bswap =
        _mm256_broadcastsi128_si256(_mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL));
    __m256i r[8], t[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_si256((const __m256i *)(p[i] + off));
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int q = 0; q < 2; q++) {
        r[4 * q + 0] = _mm256_unpacklo_epi64(t[4 * q], t[4 * q + 2]);
        r[4 * q + 1] = _mm256_unpackhi_epi64(t[4 * q], t[4 * q + 2]);
        r[4 * q + 2] = _mm256_unpacklo_epi64(t[4 * q + 1], t[4 * q + 3]);
        r[4 * q + 3] = _mm256_unpackhi_epi64(t[4 * q + 1], t[4 * q + 3]);
    }
    for (int m = 0; m < 4; m++) {
        out[m] = _mm256_shuffle_epi8(_mm256_permute2x128_si256(r[m], r[4 + m], 0x20), bswap);
        out[4 + m] = _mm256_shuffle_epi8(_mm256_permute2x128_si256(r[m], r[4 + m], 0x31), bswap);
    }
}

TGT void hsb_native_sha256_x8_avx2(uint32_t st[8][8], const uint8_t *const blk[8], size_t nblocks)
{
    __m256i a = _mm256_loadu_si256((const __m256i *)st[0]);
    __m256i b = _mm256_loadu_si256((const __m256i *)st[1]);
    __m256i c = _mm256_loadu_si256((const __m256i *)st[2]);
    __m256i d = _mm256_loadu_si256((const __m256i *)st[3]);
    __m256i e = _mm256_loadu_si256((const __m256i *)st[4]);
    __m256i f = _mm256_loadu_si256((const __m256i *)st[5]);
    __m256i g = _mm256_loadu_si256((const __m256i *)st[6]);
    __m256i h = _mm256_loadu_si256((const __m256i *)st[7]);
    __m256i w[16];
    for (size_t n = 0; n < nblocks; n++) {
        const __m256i a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;
        transpose8(w, blk, 64 * n);
        transpose8(w + 8, blk, 64 * n + 32);
        /* Rounds 0..15 on the block's words, then three stretches of 16
         * that extend the schedule in place (w[j] holds W[t0 + j]). */
        const uint32_t *kp = hsb_native_sha256_k;
        ROUNDS8(0, 0);
        ROUNDS8(8, 0);
        for (int t0 = 16; t0 < 64; t0 += 16) {
            kp = hsb_native_sha256_k + t0;
            ROUNDS8(0, 1);
            ROUNDS8(8, 1);
        }
        a = ADD(a, a0);
        b = ADD(b, b0);
        c = ADD(c, c0);
        d = ADD(d, d0);
        e = ADD(e, e0);
        f = ADD(f, f0);
        g = ADD(g, g0);
        h = ADD(h, h0);
    }
    _mm256_storeu_si256((__m256i *)st[0], a);
    _mm256_storeu_si256((__m256i *)st[1], b);
    _mm256_storeu_si256((__m256i *)st[2], c);
    _mm256_storeu_si256((__m256i *)st[3], d);
    _mm256_storeu_si256((__m256i *)st[4], e);
    _mm256_storeu_si256((__m256i *)st[5], f);
    _mm256_storeu_si256((__m256i *)st[6], g);
    _mm256_storeu_si256((__m256i *)st[7], h);
}
