/*
 * cbc_hmac_stitch.c - the SHA-NI + AES-NI kernels of the native cbc-hmac
 * class (contracts in native_cbc_hmac.h).
 *
 * Both SHA-256 (sha256rnds2: 32 dependent calls per block) and CBC
 * encryption (11 dependent AES steps per 16-byte block, each step waiting
 * for the previous block) are latency chains that leave most of the core
 * idle. They are independent of each other in a MAC-then-encrypt seal as
 * long as the encrypted data has been hashed already, so one loop issues
 * both: per hash block, the four data blocks of the previous hash block are
 * encrypted between its 16 four-round groups, and the out-of-order core runs
 * the two chains side by side. For open, CBC decryption is parallel (each
 * block needs only ciphertext), so four blocks ahead of the hash are
 * decrypted between the rounds. The rounds are those of sha256_shani.c
 * (FIPS 180-4 6.2.2); the CBC steps those of aes_ni.c (FIPS-197, SP 800-38A
 * 6.2).
 */
#include <immintrin.h>
#include <string.h>

#include "native_cbc_hmac.h"
#include "native_sha256.h"
#include "sha256_shani_rounds.h"

#define TGT __attribute__((target("sha,aes,sse4.1")))

/* The SHA-NI register layout and back (see sha256_shani.c). */
TGT static void load_state(const uint32_t h[8], __m128i *abef, __m128i *cdgh)
{
    __m128i t0 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0xb1);
    __m128i t1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(h + 4)), 0x1b);
    *abef = _mm_alignr_epi8(t0, t1, 8);
    *cdgh = _mm_blend_epi16(t1, t0, 0xf0);
}

TGT static void store_state(uint32_t h[8], __m128i abef, __m128i cdgh)
{
    __m128i t0 = _mm_shuffle_epi32(abef, 0x1b);
    __m128i t1 = _mm_shuffle_epi32(cdgh, 0xb1);
    _mm_storeu_si128((__m128i *)h, _mm_blend_epi16(t0, t1, 0xf0));
    _mm_storeu_si128((__m128i *)(h + 4), _mm_alignr_epi8(t1, t0, 8));
}

TGT static inline __m128i load_msg(const uint8_t *p)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), bswap);
}

/* The per-quarter AES work of the seal: CBC block b of the four in p. */
#define ENC_Q0(b)                                                                                  \
    x = _mm_xor_si128(_mm_loadu_si128(p + (b)), _mm_xor_si128(cb, k[0]));                          \
    x = _mm_aesenc_si128(_mm_aesenc_si128(x, k[1]), k[2])
#define ENC_Q1 x = _mm_aesenc_si128(_mm_aesenc_si128(_mm_aesenc_si128(x, k[3]), k[4]), k[5])
#define ENC_Q2 x = _mm_aesenc_si128(_mm_aesenc_si128(_mm_aesenc_si128(x, k[6]), k[7]), k[8])
#define ENC_Q3(b)                                                                                  \
    cb = _mm_aesenclast_si128(_mm_aesenc_si128(x, k[9]), k[10]);                                   \
    _mm_storeu_si128(p + (b), cb)

/* One hash block (m0..m3 loaded) with the four CBC blocks at p encrypted
 * between its rounds; cb is the chaining block in and out. */
#define HASH_ENC_BLOCK()                                                                           \
    do {                                                                                           \
        __m128i x;                                                                                 \
        RNDS4(_mm_add_epi32(m0, KV(0)));                                                           \
        ENC_Q0(0);                                                                                 \
        RNDS4(_mm_add_epi32(m1, KV(1)));                                                           \
        ENC_Q1;                                                                                    \
        RNDS4(_mm_add_epi32(m2, KV(2)));                                                           \
        ENC_Q2;                                                                                    \
        RNDS4(_mm_add_epi32(m3, KV(3)));                                                           \
        ENC_Q3(0);                                                                                 \
        for (int g = 4; g < 16; g += 4) {                                                          \
            SCHED(m0, m1, m2, m3);                                                                 \
            RNDS4(_mm_add_epi32(m0, KV(g)));                                                       \
            ENC_Q0(g / 4);                                                                         \
            SCHED(m1, m2, m3, m0);                                                                 \
            RNDS4(_mm_add_epi32(m1, KV(g + 1)));                                                   \
            ENC_Q1;                                                                                \
            SCHED(m2, m3, m0, m1);                                                                 \
            RNDS4(_mm_add_epi32(m2, KV(g + 2)));                                                   \
            ENC_Q2;                                                                                \
            SCHED(m3, m0, m1, m2);                                                                 \
            RNDS4(_mm_add_epi32(m3, KV(g + 3)));                                                   \
            ENC_Q3(g / 4);                                                                         \
        }                                                                                          \
    } while (0)

TGT void hsb_native_cbc_seal_stitched(const hsb_native_aes_ctx *aes, uint32_t h[8],
                                      uint8_t chain[16], const uint8_t blk0[64], uint8_t *data,
                                      size_t nb)
{
    __m128i k[11], abef, cdgh;
    for (int i = 0; i < 11; i++) k[i] = _mm_load_si128((const __m128i *)aes->enc[i]);
    hsb_native_sha256_blocks_shani(h, blk0, 1);
    load_state(h, &abef, &cdgh);
    __m128i cb = _mm_loadu_si128((const __m128i *)chain);
    for (size_t blk = 1; blk < nb; blk++) {
        /* Load the whole hash block first: the CBC blocks written below
         * overlap its first 13 bytes. */
        const uint8_t *in = data + 64 * blk - HSB_CBC_HMAC_HDR_LEN;
        __m128i *p = (__m128i *)(data + 64 * (blk - 1));
        __m128i m0 = load_msg(in), m1 = load_msg(in + 16), m2 = load_msg(in + 32),
                m3 = load_msg(in + 48);
        const __m128i abef0 = abef, cdgh0 = cdgh;
        HASH_ENC_BLOCK();
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    store_state(h, abef, cdgh);
    _mm_storeu_si128((__m128i *)chain, cb);
}

/* Decryption of four blocks at p, one AES step per four-round group. */
#define DEC_STEP(g)                                                                                \
    do {                                                                                           \
        if ((g) == 0) {                                                                            \
            for (int i_ = 0; i_ < 4; i_++) {                                                       \
                c[i_] = _mm_loadu_si128(p + i_);                                                   \
                x[i_] = _mm_xor_si128(c[i_], d[0]);                                                \
            }                                                                                      \
        } else if ((g) < 10) {                                                                     \
            for (int i_ = 0; i_ < 4; i_++) x[i_] = _mm_aesdec_si128(x[i_], d[g]);                  \
        } else if ((g) == 10) {                                                                    \
            for (int i_ = 0; i_ < 4; i_++) {                                                       \
                x[i_] = _mm_xor_si128(_mm_aesdeclast_si128(x[i_], d[10]), i_ ? c[i_ - 1] : prev);  \
                _mm_storeu_si128(p + i_, x[i_]);                                                   \
            }                                                                                      \
            prev = c[3];                                                                           \
        }                                                                                          \
    } while (0)

TGT static void dec4(const __m128i d[11], __m128i *prev_p, uint8_t *data)
{
    __m128i *p = (__m128i *)data, c[4], x[4], prev = *prev_p;
    for (int g = 0; g <= 10; g++) DEC_STEP(g);
    *prev_p = prev;
}

TGT void hsb_native_cbc_open_stitched(const hsb_native_aes_ctx *aes, uint32_t h[8],
                                      uint8_t chain[16], uint8_t blk0[64], uint8_t *data, size_t nb)
{
    __m128i d[11], abef, cdgh, c[4], x[4];
    for (int i = 0; i < 11; i++) d[i] = _mm_load_si128((const __m128i *)aes->dec[i]);
    __m128i prev = _mm_loadu_si128((const __m128i *)chain);
    dec4(d, &prev, data);
    memcpy(blk0 + HSB_CBC_HMAC_HDR_LEN, data, 64 - HSB_CBC_HMAC_HDR_LEN);
    load_state(h, &abef, &cdgh);
    for (size_t blk = 0; blk < nb; blk++) {
        const uint8_t *in = blk ? data + 64 * blk - HSB_CBC_HMAC_HDR_LEN : blk0;
        __m128i *p = (__m128i *)(data + 64 * (blk + 1));
        __m128i m0 = load_msg(in), m1 = load_msg(in + 16), m2 = load_msg(in + 32),
                m3 = load_msg(in + 48);
        const __m128i abef0 = abef, cdgh0 = cdgh;
        RNDS4(_mm_add_epi32(m0, KV(0)));
        DEC_STEP(0);
        RNDS4(_mm_add_epi32(m1, KV(1)));
        DEC_STEP(1);
        RNDS4(_mm_add_epi32(m2, KV(2)));
        DEC_STEP(2);
        RNDS4(_mm_add_epi32(m3, KV(3)));
        DEC_STEP(3);
        for (int g = 4; g < 16; g += 4) {
            SCHED(m0, m1, m2, m3);
            RNDS4(_mm_add_epi32(m0, KV(g)));
            DEC_STEP(g);
            SCHED(m1, m2, m3, m0);
            RNDS4(_mm_add_epi32(m1, KV(g + 1)));
            DEC_STEP(g + 1);
            SCHED(m2, m3, m0, m1);
            RNDS4(_mm_add_epi32(m2, KV(g + 2)));
            DEC_STEP(g + 2);
            SCHED(m3, m0, m1, m2);
            RNDS4(_mm_add_epi32(m3, KV(g + 3)));
            DEC_STEP(g + 3);
        }
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    store_state(h, abef, cdgh);
    _mm_storeu_si128((__m128i *)chain, prev);
}
