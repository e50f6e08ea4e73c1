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

/* Groups 4g..4g+3 of four rounds each (g = 1, 2, 3: the schedule runs),
 * with the AES work A0..A3 issued after each. */
#define QUAD(g, A0, A1, A2, A3)                                                                    \
    SCHED(m0, m1, m2, m3);                                                                         \
    RNDS4(_mm_add_epi32(m0, KV(4 * (g))));                                                         \
    A0;                                                                                            \
    SCHED(m1, m2, m3, m0);                                                                         \
    RNDS4(_mm_add_epi32(m1, KV(4 * (g) + 1)));                                                     \
    A1;                                                                                            \
    SCHED(m2, m3, m0, m1);                                                                         \
    RNDS4(_mm_add_epi32(m2, KV(4 * (g) + 2)));                                                     \
    A2;                                                                                            \
    SCHED(m3, m0, m1, m2);                                                                         \
    RNDS4(_mm_add_epi32(m3, KV(4 * (g) + 3)));                                                     \
    A3

/* Groups 0..3 (the message words themselves), with the AES work. */
#define QUAD0(A0, A1, A2, A3)                                                                      \
    RNDS4(_mm_add_epi32(m0, KV(0)));                                                               \
    A0;                                                                                            \
    RNDS4(_mm_add_epi32(m1, KV(1)));                                                               \
    A1;                                                                                            \
    RNDS4(_mm_add_epi32(m2, KV(2)));                                                               \
    A2;                                                                                            \
    RNDS4(_mm_add_epi32(m3, KV(3)));                                                               \
    A3

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
        __m128i x;
        /* One CBC block per quarter of the rounds: the chain and the hash
         * advance together. */
        QUAD0(ENC_Q0(0), ENC_Q1, ENC_Q2, ENC_Q3(0));
        QUAD(1, ENC_Q0(1), ENC_Q1, ENC_Q2, ENC_Q3(1));
        QUAD(2, ENC_Q0(2), ENC_Q1, ENC_Q2, ENC_Q3(2));
        QUAD(3, ENC_Q0(3), ENC_Q1, ENC_Q2, ENC_Q3(3));
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    store_state(h, abef, cdgh);
    _mm_storeu_si128((__m128i *)chain, cb);
}

/* Decryption of the four blocks at p, one AES step per four-round group:
 * load and whiten, nine middle rounds, the last round with the chaining xor
 * and the store (prev: the ciphertext block before p). */
#define DEC_LOAD                                                                                   \
    for (int i_ = 0; i_ < 4; i_++) {                                                               \
        c[i_] = _mm_loadu_si128(p + i_);                                                           \
        x[i_] = _mm_xor_si128(c[i_], d[0]);                                                        \
    }
#define DEC_R(r)                                                                                   \
    for (int i_ = 0; i_ < 4; i_++) x[i_] = _mm_aesdec_si128(x[i_], d[r])
#define DEC_LAST                                                                                   \
    for (int i_ = 0; i_ < 4; i_++) {                                                               \
        x[i_] = _mm_xor_si128(_mm_aesdeclast_si128(x[i_], d[10]), i_ ? c[i_ - 1] : prev);          \
        _mm_storeu_si128(p + i_, x[i_]);                                                           \
    }                                                                                              \
    prev = c[3]
#define NOTHING ((void)0)

TGT static void dec4(const __m128i d[11], __m128i *prev_p, uint8_t *data)
{
    __m128i *p = (__m128i *)data, c[4], x[4], prev = *prev_p;
    DEC_LOAD;
    for (int r = 1; r < 10; r++) DEC_R(r);
    DEC_LAST;
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
        QUAD0(DEC_LOAD, DEC_R(1), DEC_R(2), DEC_R(3));
        QUAD(1, DEC_R(4), DEC_R(5), DEC_R(6), DEC_R(7));
        QUAD(2, DEC_R(8), DEC_R(9), DEC_LAST, NOTHING);
        QUAD(3, NOTHING, NOTHING, NOTHING, NOTHING);
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    store_state(h, abef, cdgh);
    _mm_storeu_si128((__m128i *)chain, prev);
}
