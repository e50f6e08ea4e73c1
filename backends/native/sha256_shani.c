/*
 * sha256_shani.c - SHA-256 with the SHA extensions ("sha256-shani").
 *
 * The instructions, as Intel's SHA extensions documentation defines them:
 *   sha256rnds2 (_mm_sha256rnds2_epu32(cdgh, abef, wk)): two rounds; the
 *     state is split as {A,B,E,F} and {C,D,G,H} (A, C in the top dword), the
 *     two W+K words in the low qword of wk; returns the new {A,B,E,F}. After
 *     two rounds the new {C,D,G,H} is the old {A,B,E,F}, so four rounds are
 *     two calls with the registers' roles swapped.
 *   sha256msg1(x, y): x + sigma0 of the next word, i.e. for t..t+3 given
 *     W[t-16..t-13] and W[t-12..t-9]: W[t-16+j] + sigma0(W[t-15+j]).
 *   sha256msg2(x, y): finishes W[t..t+3] from x = W[t-16] + sigma0(W[t-15]) +
 *     W[t-7] (per word) and y = W[t-4..t-1], adding sigma1 of W[t-2], W[t-1]
 *     and of the two words it has just made.
 * FIPS 180-4 6.2.2 gives the rounds and the schedule these implement.
 */
#include <immintrin.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_ct.h"
#include "native_sha256.h"
#include "sha256_shani_rounds.h"

#define TGT __attribute__((target("sha,sse4.1")))

TGT void hsb_native_sha256_blocks_shani(uint32_t h[8], const uint8_t *in, size_t nblocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    /* h = {A,B,C,D},{E,F,G,H} -> abef = {F,E,B,A}, cdgh = {H,G,D,C} (low dword first). */
    __m128i t0 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0xb1);       /* B A D C */
    __m128i t1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(h + 4)), 0x1b); /* H G F E */
    __m128i abef = _mm_alignr_epi8(t0, t1, 8);
    __m128i cdgh = _mm_blend_epi16(t1, t0, 0xf0);

    for (; nblocks; nblocks--, in += 64) {
        const __m128i abef0 = abef, cdgh0 = cdgh;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)in), bswap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(in + 16)), bswap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(in + 32)), bswap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(in + 48)), bswap);
        RNDS4(_mm_add_epi32(m0, KV(0)));
        RNDS4(_mm_add_epi32(m1, KV(1)));
        RNDS4(_mm_add_epi32(m2, KV(2)));
        RNDS4(_mm_add_epi32(m3, KV(3)));
        for (int g = 4; g < 16; g += 4) {
            SCHED(m0, m1, m2, m3);
            RNDS4(_mm_add_epi32(m0, KV(g)));
            SCHED(m1, m2, m3, m0);
            RNDS4(_mm_add_epi32(m1, KV(g + 1)));
            SCHED(m2, m3, m0, m1);
            RNDS4(_mm_add_epi32(m2, KV(g + 2)));
            SCHED(m3, m0, m1, m2);
            RNDS4(_mm_add_epi32(m3, KV(g + 3)));
        }
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }

    /* Back: {F,E,B,A},{H,G,D,C} -> {A,B,C,D},{E,F,G,H}. */
    t0 = _mm_shuffle_epi32(abef, 0x1b); /* A B E F */
    t1 = _mm_shuffle_epi32(cdgh, 0xb1); /* G H C D */
    _mm_storeu_si128((__m128i *)h, _mm_blend_epi16(t0, t1, 0xf0));
    _mm_storeu_si128((__m128i *)(h + 4), _mm_alignr_epi8(t1, t0, 8));
}

int hsb_native_sha256_blocks_shani_ok(void)
{
    return hsb_cpu()->sha_ni;
}

hsb_native_sha256_blocks_fn hsb_native_sha256_blocks_best(void)
{
    return hsb_native_sha256_blocks_shani_ok() ? hsb_native_sha256_blocks_shani
                                               : hsb_native_sha256_blocks_portable;
}

HSB_NATIVE_SHA256_CLASSES(shani, hsb_native_sha256_blocks_shani, sha_shani, "sha256-shani",
                          hmac_shani, "hmac-sha256-shani");

const hsb_sha256_class *hsb_native_sha256_shani_get(void)
{
    return hsb_native_sha256_blocks_shani_ok() ? &sha_shani : NULL;
}

const hsb_hmac_sha256_class *hsb_native_hmac_shani_get(void)
{
    return hsb_native_sha256_blocks_shani_ok() ? &hmac_shani : NULL;
}

const hsb_sha256_class *hsb_native_sha256_get(void)
{
    const hsb_sha256_class *s = hsb_native_sha256_shani_get();
    return s ? s : hsb_native_sha256_portable_get();
}

const hsb_hmac_sha256_class *hsb_native_hmac_get(void)
{
    const hsb_hmac_sha256_class *s = hsb_native_hmac_shani_get();
    return s ? s : hsb_native_hmac_portable_get();
}
