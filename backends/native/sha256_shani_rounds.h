/*
 * sha256_shani_rounds.h - internal to the native backend: the SHA-NI round
 * and message-schedule steps that sha256_shani.c (one stream) and
 * cbc_hmac_stitch.c (the rounds with AES steps between them) share. The
 * includer holds the state in __m128i abef, cdgh (see sha256_shani.c for the
 * layout and the instructions' meaning) and enables "sha" on its functions.
 */
#ifndef HSB_SHA256_SHANI_ROUNDS_H
#define HSB_SHA256_SHANI_ROUNDS_H

#include <immintrin.h>

#include "native_sha256.h"

/* Four rounds on W+K = wk (word t in the low dword). */
#define RNDS4(wk)                                                                                  \
    do {                                                                                           \
        __m128i wk_ = (wk);                                                                        \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk_);                                             \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk_, 0x0e));                    \
    } while (0)

/* W[4g..4g+3] into m0 from the four previous groups m0 (g-4) .. m3 (g-1). */
#define SCHED(m0, m1, m2, m3)                                                                      \
    m0 = _mm_sha256msg2_epu32(                                                                     \
        _mm_add_epi32(_mm_sha256msg1_epu32(m0, m1), _mm_alignr_epi8(m3, m2, 4)), m3)

#define KV(g) _mm_loadu_si128((const __m128i *)(hsb_native_sha256_k + 4 * (g)))

#endif
