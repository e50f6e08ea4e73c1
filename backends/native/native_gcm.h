/*
 * native_gcm.h - what the native AES-128-GCM files share (internal to
 * backends/native): the context with the precomputed powers of H, the two
 * pass seal and open over a CTR routine and a GHASH routine (gcm_clmul.c),
 * and the GHASH routines of each width.
 *
 * GHASH is computed as POLYVAL (RFC 8452 Appendix A); see gcm_clmul.c for
 * the field arithmetic. "Powers" below are H'^i in the POLYVAL sense.
 */
#ifndef HSB_NATIVE_GCM_H
#define HSB_NATIVE_GCM_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "hsb_native_aes.h"

#define GCM_AGG 8    /* blocks per GHASH reduction, xmm */
#define GCM_AGG_Y 16 /* blocks per GHASH reduction, ymm: 8 registers of 2 */
#define GCM_AGG_Z 32 /* blocks per GHASH reduction, zmm: 8 registers of 4 */

typedef struct gcm_ctx {
    hsb_native_aes_ctx aes;
    /* H'^1 .. H'^32, and each one's two halves xored into its low half
     * (Karatsuba's middle operand). */
    _Alignas(16) uint8_t hpow[GCM_AGG_Z][16];
    _Alignas(16) uint8_t hfold[GCM_AGG_Z][16];
    /* The same for the ymm GHASH: register j of a 16-block group is
     * multiplied by (H'^(16-2j), H'^(15-2j)), one power per lane. */
    _Alignas(32) uint8_t hpow2[GCM_AGG_Y / 2][32];
    _Alignas(32) uint8_t hfold2[GCM_AGG_Y / 2][32];
    /* And for the zmm GHASH: register j of a 32-block group by
     * (H'^(32-4j), .., H'^(29-4j)), lane 0 first. */
    _Alignas(64) uint8_t hpow4[GCM_AGG_Z / 4][64];
    _Alignas(64) uint8_t hfold4[GCM_AGG_Z / 4][64];
} gcm_ctx;

/* (hi * x^128 + (mid ^ lo ^ hi) * x^64 + lo) * x^-128 mod P: the Karatsuba
 * middle term formed, then two folds by x^-64 (see gcm_clmul.c). */
__attribute__((target("pclmul,sse4.1"))) static inline __m128i
hsb_native_ghash_reduce(__m128i lo, __m128i mid, __m128i hi)
{
    const __m128i poly = _mm_set_epi64x((long long)0xc200000000000000ull, 1);
    mid = _mm_xor_si128(mid, _mm_xor_si128(lo, hi));
    lo = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
    hi = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), _mm_clmulepi64_si128(lo, poly, 0x10));
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), _mm_clmulepi64_si128(lo, poly, 0x10));
    return _mm_xor_si128(lo, hi);
}

/* CTR over len bytes from counter (hi, lo), written back (the shape of
 * hsb_native_*_ctr_bytes). */
typedef void (*gcm_ctr_fn)(const hsb_native_aes_ctx *c, uint64_t *hi, uint64_t *lo, uint8_t *out,
                           const uint8_t *in, size_t len);
/* S' <- POLYVAL over n whole blocks at p (byte-reversed as GHASH wants). */
typedef __m128i (*gcm_ghash_fn)(const gcm_ctx *g, __m128i s, const uint8_t *p, size_t n);

/* The GHASH routines: xmm (any n), ymm (16 blocks per reduction, the rest
 * by xmm), in gcm_clmul.c; zmm (32 blocks per reduction, the rest by ymm)
 * in gcm_vaes512.c. */
__m128i hsb_native_ghash_blocks(const gcm_ctx *g, __m128i s, const uint8_t *p, size_t n);
__m128i hsb_native_ghash_blocks_y(const gcm_ctx *g, __m128i s, const uint8_t *p, size_t n);
__m128i hsb_native_ghash_blocks_z(const gcm_ctx *g, __m128i s, const uint8_t *p, size_t n);

/* The class's init and clear (key schedule and the powers of H). */
hsb_rc hsb_native_gcm_init(void *ctx, const uint8_t *key, size_t key_len);
void hsb_native_gcm_clear(void *ctx);

/* The argument checks of seal and open (SP 800-38D 5.2.1.1 limits). */
hsb_rc hsb_native_gcm_check(const void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                            size_t aad_len, const uint8_t *out, const uint8_t *in, size_t len,
                            const uint8_t *tag);

/* S' after the AAD (zero-padded): the start of every tag. */
__m128i hsb_native_gcm_ghash_aad(gcm_ghash_fn gh, const gcm_ctx *g, const uint8_t *aad,
                                 size_t aad_len);
/* S' after len bytes more (zero-padded). */
__m128i hsb_native_gcm_ghash_more(gcm_ghash_fn gh, const gcm_ctx *g, __m128i s, const uint8_t *p,
                                  size_t len);
/* The tag from S' over A and C: E(K, J0) ^ GHASH(.. || [len(A)]64 || [len(C)]64). */
void hsb_native_gcm_finish_tag(const gcm_ctx *g, __m128i s, const uint8_t iv[12], size_t aad_len,
                               size_t len, uint8_t tag[16]);

/* The first data counter, inc32(J0) = IV || 0^30 || 2. */
void hsb_native_gcm_first_counter(const uint8_t iv[12], uint64_t *hi, uint64_t *lo);

/* Two-pass seal (CTR, then GHASH over the ciphertext) and open (GHASH over
 * the ciphertext, the tag compared in constant time, then CTR only when it
 * matched: a forged message never yields plaintext, out is zeroed). */
hsb_rc hsb_native_gcm_seal_with(gcm_ctr_fn ctr, gcm_ghash_fn gh, void *ctx, const uint8_t *iv,
                                size_t iv_len, const uint8_t *aad, size_t aad_len, uint8_t *out,
                                const uint8_t *in, size_t len, uint8_t tag[16]);
hsb_rc hsb_native_gcm_open_with(gcm_ctr_fn ctr, gcm_ghash_fn gh, void *ctx, const uint8_t *iv,
                                size_t iv_len, const uint8_t *aad, size_t aad_len, uint8_t *out,
                                const uint8_t *in, size_t len, const uint8_t tag[16]);

/* A gcm class named var: seal and open are sealf and openf (the shape of
 * the two above) over the CTR routine ctrf and the GHASH routine ghf. */
#define HSB_NATIVE_GCM_CLASS(var, label, sealf, openf, ctrf, ghf)                                  \
    static hsb_rc var##_seal(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,      \
                             size_t aad_len, uint8_t *out, const uint8_t *in, size_t len,          \
                             uint8_t tag[16])                                                      \
    {                                                                                              \
        return sealf(ctrf, ghf, ctx, iv, iv_len, aad, aad_len, out, in, len, tag);                 \
    }                                                                                              \
    static hsb_rc var##_open(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,      \
                             size_t aad_len, uint8_t *out, const uint8_t *in, size_t len,          \
                             const uint8_t tag[16])                                                \
    {                                                                                              \
        return openf(ctrf, ghf, ctx, iv, iv_len, aad, aad_len, out, in, len, tag);                 \
    }                                                                                              \
    static const hsb_gcm_class var = {                                                             \
        .name = label,                                                                             \
        .ctx_size = sizeof(gcm_ctx),                                                               \
        .key_sizes = HSB_AES_KEY_128,                                                              \
        .init = hsb_native_gcm_init,                                                               \
        .seal = var##_seal,                                                                        \
        .open = var##_open,                                                                        \
        .clear = hsb_native_gcm_clear,                                                             \
    };

#endif
