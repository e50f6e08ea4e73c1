/*
 * gcm_clmul.c - AES-128-GCM (NIST SP 800-38D): "gcm-vaes256-vpclmul" (CTR by
 * ymm VAES, GHASH by ymm VPCLMULQDQ) where the CPU has them, else
 * "gcm-aesni-clmul" (xmm AES-NI and PCLMULQDQ); and what every width shares
 * (native_gcm.h): the powers of H, the checks, the tag. The 512-bit class,
 * chosen first where AVX-512 is present, is gcm_vaes512.c's.
 *
 * Two passes, not stitched: CTR over the data, GHASH over the ciphertext
 * (seal), or GHASH first and CTR only once the tag has matched (open), so a
 * forged message never yields plaintext, and in == out works for both.
 *
 * GHASH is computed as POLYVAL (RFC 8452 Appendix A): with
 * H' = mulX_POLYVAL(ByteReverse(H)) and every block byte-reversed,
 * GHASH(H, X...) = ByteReverse(POLYVAL(H', ByteReverse(X)...)). POLYVAL's
 * field multiply dot(a, b) = a * b * x^-128 works on the natural bit order of
 * PCLMULQDQ, and its reduction is two carry-less multiplies by the constant
 * x^63 + x^62 + x^57 (0xc2 << 56): with P = x^128 + x^127 + x^126 + x^121 + 1,
 * x^-64 = x^64 + x^63 + x^62 + x^57 (mod P), so T * x^-64 is T's halves
 * swapped xor T.lo * 0xc2 << 56. 8 (xmm), 16 (ymm) or 32 (zmm) blocks share
 * one reduction, with the powers H'^1..H'^32 (POLYVAL sense) computed at init.
 *
 * Only 12-byte IVs (J0 = IV || 0^31 || 1); other non-zero lengths answer
 * HSB_E_UNSUPPORTED, 0 HSB_E_USAGE. With at most 2^32 - 2 blocks of data the
 * low 32 bits of the counter never wrap, so GCM's inc32 is the 128-bit
 * increment of the shared CTR routines.
 */
#include <immintrin.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_ct.h"
#include "hsb_native_aes.h"
#include "native_declassify.h"
#include "native_gcm.h"

#define TGT __attribute__((target("pclmul,sse4.1")))
#define TGT_Y __attribute__((target("pclmul,vpclmulqdq,avx2,sse4.1")))

/* ------------------------------------------------------------------ GHASH */

TGT static inline __m128i rev16(__m128i x)
{
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/* x's two halves xored, in its low half. */
TGT static inline __m128i fold(__m128i x)
{
    return _mm_xor_si128(x, _mm_shuffle_epi32(x, 0x4e));
}

/* Karatsuba: lo += a.lo * b.lo, hi += a.hi * b.hi, mid += (a.lo ^ a.hi) * bf,
 * bf being b's fold; the true middle term is mid ^ lo ^ hi, formed once per
 * reduction. Three carry-less multiplies instead of four: PCLMULQDQ issues
 * only about once per two cycles on the CPUs measured, so they set the pace. */
TGT static inline void mul_acc(__m128i a, __m128i b, __m128i bf, __m128i *lo, __m128i *mid,
                               __m128i *hi)
{
    *lo = _mm_xor_si128(*lo, _mm_clmulepi64_si128(a, b, 0x00));
    *hi = _mm_xor_si128(*hi, _mm_clmulepi64_si128(a, b, 0x11));
    *mid = _mm_xor_si128(*mid, _mm_clmulepi64_si128(fold(a), bf, 0x00));
}

TGT static inline __m128i dot(__m128i a, __m128i b)
{
    __m128i lo = _mm_setzero_si128(), mid = lo, hi = lo;
    mul_acc(a, b, fold(b), &lo, &mid, &hi);
    return hsb_native_ghash_reduce(lo, mid, hi);
}

/* S' <- POLYVAL over n whole blocks of data (each byte-reversed), up to 8
 * blocks per reduction: S' = dot(S' ^ X1, H^m) ^ dot(X2, H^(m-1)) ^ ... ^ dot(Xm, H). */
TGT __m128i hsb_native_ghash_blocks(const gcm_ctx *g, __m128i s, const uint8_t *p, size_t n)
{
    const __m128i *hp = (const __m128i *)g->hpow, *hf = (const __m128i *)g->hfold;
    while (n) {
        size_t m = n < GCM_AGG ? n : GCM_AGG;
        __m128i lo = _mm_setzero_si128(), mid = lo, hi = lo;
        __m128i x = _mm_xor_si128(rev16(_mm_loadu_si128((const __m128i *)p)), s);
        mul_acc(x, _mm_load_si128(hp + m - 1), _mm_load_si128(hf + m - 1), &lo, &mid, &hi);
        for (size_t j = 1; j < m; j++)
            mul_acc(rev16(_mm_loadu_si128((const __m128i *)(p + 16 * j))),
                    _mm_load_si128(hp + m - 1 - j), _mm_load_si128(hf + m - 1 - j), &lo, &mid, &hi);
        s = hsb_native_ghash_reduce(lo, mid, hi);
        p += 16 * m;
        n -= m;
    }
    return s;
}

/* The same with VPCLMULQDQ on ymm, two blocks per register, 16 blocks per
 * reduction; the blocks left over go to the xmm code. */
TGT_Y __m128i hsb_native_ghash_blocks_y(const gcm_ctx *g, __m128i s, const uint8_t *p, size_t n)
{
    const __m256i rev = _mm256_broadcastsi128_si256(
        _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    const __m256i *hp = (const __m256i *)g->hpow2, *hf = (const __m256i *)g->hfold2;
    for (; n >= GCM_AGG_Y; n -= GCM_AGG_Y, p += 16 * GCM_AGG_Y) {
        /* Keep the 16 key registers' worth of powers in memory operands:
         * hoisted out of the loop they would not fit and spill every round. */
        __asm__("" : "+r"(hp), "+r"(hf));
        __m256i lo = _mm256_setzero_si256(), mid = lo, hi = lo;
        for (int j = 0; j < GCM_AGG_Y / 2; j++) {
            __m256i x = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)(p + 32 * j)), rev);
            if (j == 0) x = _mm256_xor_si256(x, _mm256_set_m128i(_mm_setzero_si128(), s));
            const __m256i h = _mm256_load_si256(hp + j);
            lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128(x, h, 0x00));
            hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128(x, h, 0x11));
            x = _mm256_xor_si256(x, _mm256_shuffle_epi32(x, 0x4e));
            mid =
                _mm256_xor_si256(mid, _mm256_clmulepi64_epi128(x, _mm256_load_si256(hf + j), 0x00));
        }
        s = hsb_native_ghash_reduce(
            _mm_xor_si128(_mm256_castsi256_si128(lo), _mm256_extracti128_si256(lo, 1)),
            _mm_xor_si128(_mm256_castsi256_si128(mid), _mm256_extracti128_si256(mid, 1)),
            _mm_xor_si128(_mm256_castsi256_si128(hi), _mm256_extracti128_si256(hi, 1)));
    }
    /* The xmm code is legacy-SSE encoded: clear the upper halves first. GCC
     * does not do it before this tail call, and SSE code run with dirty upper
     * halves cost about 1500 cycles per call on the Zen 5 measured. */
    _mm256_zeroupper();
    return hsb_native_ghash_blocks(g, s, p, n);
}

/* Absorb len bytes, the last partial block padded with zeros (SP 800-38D 6.4). */
TGT __m128i hsb_native_gcm_ghash_more(gcm_ghash_fn gh, const gcm_ctx *g, __m128i s,
                                      const uint8_t *p, size_t len)
{
    s = gh(g, s, p, len / 16);
    if (len % 16) {
        uint8_t buf[16] = {0};
        memcpy(buf, p + len - len % 16, len % 16);
        s = hsb_native_ghash_blocks(g, s, buf, 1);
        hsb_wipe(buf, sizeof buf);
    }
    return s;
}

TGT __m128i hsb_native_gcm_ghash_aad(gcm_ghash_fn gh, const gcm_ctx *g, const uint8_t *aad,
                                     size_t aad_len)
{
    return hsb_native_gcm_ghash_more(gh, g, _mm_setzero_si128(), aad, aad_len);
}

/* The tag: E(K, J0) ^ GHASH(A || pad || C || pad || [len(A)]64 || [len(C)]64). */
TGT void hsb_native_gcm_finish_tag(const gcm_ctx *g, __m128i s, const uint8_t iv[12],
                                   size_t aad_len, size_t len, uint8_t tag[16])
{
    uint8_t lens[16], j0[16];
    hsb_native_store_be64(lens, (uint64_t)aad_len * 8);
    hsb_native_store_be64(lens + 8, (uint64_t)len * 8);
    s = hsb_native_ghash_blocks(g, s, lens, 1);
    memcpy(j0, iv, 12);
    j0[12] = j0[13] = j0[14] = 0;
    j0[15] = 1;
    hsb_native_aes_encrypt_block(&g->aes, j0, j0);
    _mm_storeu_si128((__m128i *)tag, _mm_xor_si128(rev16(s), _mm_loadu_si128((const __m128i *)j0)));
    hsb_wipe(j0, sizeof j0);
}

static void ghash_tag(gcm_ghash_fn gh, const gcm_ctx *g, const uint8_t *iv, const uint8_t *aad,
                      size_t aad_len, const uint8_t *ct, size_t len, uint8_t tag[16])
{
    __m128i s = hsb_native_gcm_ghash_aad(gh, g, aad, aad_len);
    s = hsb_native_gcm_ghash_more(gh, g, s, ct, len);
    hsb_native_gcm_finish_tag(g, s, iv, aad_len, len, tag);
}

/* ------------------------------------------------------------ the class */

TGT static void set_hpow(gcm_ctx *g)
{
    uint8_t h[16] = {0};
    hsb_native_aes_encrypt_block(&g->aes, h, h); /* H = E(K, 0^128) */
    /* H' = mulX_POLYVAL(ByteReverse(H)) (RFC 8452 Appendix A), on two words:
     * shift left one bit, and fold the bit shifted out back in with P. */
    uint64_t hi = hsb_native_load_be64(h), lo = hsb_native_load_be64(h + 8);
    uint64_t carry = 0 - (hi >> 63);
    hi = (hi << 1) | (lo >> 63);
    lo <<= 1;
    hi ^= carry & 0xc200000000000000ull;
    lo ^= carry & 1;
    __m128i h1 = _mm_set_epi64x((long long)hi, (long long)lo), p = h1;
    for (int i = 0; i < GCM_AGG_Z; i++) {
        if (i) p = dot(p, h1);
        _mm_store_si128((__m128i *)g->hpow[i], p);
        _mm_store_si128((__m128i *)g->hfold[i], fold(p));
    }
    /* Lane l of register j of a group of m blocks takes H'^(m - lanes*j - l). */
    for (int j = 0; j < GCM_AGG_Y / 2; j++)
        for (int l = 0; l < 2; l++) {
            memcpy(g->hpow2[j] + 16 * l, g->hpow[GCM_AGG_Y - 1 - 2 * j - l], 16);
            memcpy(g->hfold2[j] + 16 * l, g->hfold[GCM_AGG_Y - 1 - 2 * j - l], 16);
        }
    for (int j = 0; j < GCM_AGG_Z / 4; j++)
        for (int l = 0; l < 4; l++) {
            memcpy(g->hpow4[j] + 16 * l, g->hpow[GCM_AGG_Z - 1 - 4 * j - l], 16);
            memcpy(g->hfold4[j] + 16 * l, g->hfold[GCM_AGG_Z - 1 - 4 * j - l], 16);
        }
    hsb_wipe(h, sizeof h);
}

hsb_rc hsb_native_gcm_init(void *ctx, const uint8_t *key, size_t key_len)
{
    HSB_GUARD(hsb_native_aes_init(ctx, key, key_len));
    set_hpow((gcm_ctx *)ctx);
    return HSB_OK;
}

void hsb_native_gcm_clear(void *ctx)
{
    hsb_wipe(ctx, sizeof(gcm_ctx));
}

/* SP 800-38D 5.2.1.1: len(P) <= 2^39 - 256 bits, len(A) <= 2^64 - 1 bits. */
hsb_rc hsb_native_gcm_check(const void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                            size_t aad_len, const uint8_t *out, const uint8_t *in, size_t len,
                            const uint8_t *tag)
{
    HSB_ENSURE(ctx != NULL && iv != NULL && tag != NULL, HSB_E_USAGE);
    HSB_ENSURE(iv_len != 0, HSB_E_USAGE);
    if (iv_len != 12) HSB_BAIL_MSG(HSB_E_UNSUPPORTED, "native GCM: 12-byte IVs only");
    HSB_ENSURE(aad_len == 0 || aad != NULL, HSB_E_USAGE);
    HSB_ENSURE(len == 0 || (in != NULL && out != NULL), HSB_E_USAGE);
    HSB_ENSURE((uint64_t)len <= (UINT64_C(1) << 36) - 32, HSB_E_USAGE);
    HSB_ENSURE((uint64_t)aad_len < (UINT64_C(1) << 61), HSB_E_USAGE);
    return HSB_OK;
}

void hsb_native_gcm_first_counter(const uint8_t iv[12], uint64_t *hi, uint64_t *lo)
{
    *hi = hsb_native_load_be64(iv);
    *lo = (hsb_native_load_be64(iv + 4) << 32) | 2;
}

hsb_rc hsb_native_gcm_seal_with(gcm_ctr_fn ctr, gcm_ghash_fn gh, void *ctx, const uint8_t *iv,
                                size_t iv_len, const uint8_t *aad, size_t aad_len, uint8_t *out,
                                const uint8_t *in, size_t len, uint8_t tag[16])
{
    HSB_GUARD(hsb_native_gcm_check(ctx, iv, iv_len, aad, aad_len, out, in, len, tag));
    const gcm_ctx *g = ctx;
    uint64_t hi, lo;
    hsb_native_gcm_first_counter(iv, &hi, &lo);
    if (len) ctr(&g->aes, &hi, &lo, out, in, len);
    ghash_tag(gh, g, iv, aad, aad_len, out, len, tag);
    return HSB_OK;
}

hsb_rc hsb_native_gcm_open_with(gcm_ctr_fn ctr, gcm_ghash_fn gh, void *ctx, const uint8_t *iv,
                                size_t iv_len, const uint8_t *aad, size_t aad_len, uint8_t *out,
                                const uint8_t *in, size_t len, const uint8_t tag[16])
{
    HSB_GUARD(hsb_native_gcm_check(ctx, iv, iv_len, aad, aad_len, out, in, len, tag));
    const gcm_ctx *g = ctx;
    uint8_t want[16];
    ghash_tag(gh, g, iv, aad, aad_len, in, len, want);
    uint32_t ok = hsb_ct_memeq(want, tag, 16);
    hsb_wipe(want, sizeof want);
    HSB_NATIVE_DECLASSIFY(&ok, sizeof ok); /* the verdict is public by contract */
    if (!ok) {
        /* The verdict is public; the comparison above was not a shortcut. */
        if (len) memset(out, 0, len);
        return hsb_raise(HSB_E_DECRYPT, __FILE__, __LINE__, "GCM tag mismatch");
    }
    uint64_t hi, lo;
    hsb_native_gcm_first_counter(iv, &hi, &lo);
    if (len) ctr(&g->aes, &hi, &lo, out, in, len);
    return HSB_OK;
}

/* xmm AES-NI CTR with xmm PCLMULQDQ; ymm VAES CTR with ymm VPCLMULQDQ. */
HSB_NATIVE_GCM_CLASS(gcm_ni_class, "gcm-aesni-clmul", hsb_native_gcm_seal_with,
                     hsb_native_gcm_open_with, hsb_native_aesni_ctr_bytes, hsb_native_ghash_blocks)
HSB_NATIVE_GCM_CLASS(gcm_vaes_class, "gcm-vaes256-vpclmul", hsb_native_gcm_seal_with,
                     hsb_native_gcm_open_with, hsb_native_vaes256_ctr_bytes,
                     hsb_native_ghash_blocks_y)

const hsb_gcm_class *hsb_native_gcm_get(void)
{
    const hsb_gcm_class *g = hsb_native_gcm_vaes512_get();
    if (!g) g = hsb_native_gcm_vaes256_get();
    return g ? g : hsb_native_gcm_ni_get();
}

/* For the tests: each CTR path's GCM, NULL when the CPU cannot run it. */
const hsb_gcm_class *hsb_native_gcm_ni_get(void)
{
    const hsb_cpu_features *f = hsb_cpu();
    return (f->aesni && f->pclmul) ? &gcm_ni_class : NULL;
}
const hsb_gcm_class *hsb_native_gcm_vaes256_get(void)
{
    const hsb_cpu_features *f = hsb_cpu();
    return (hsb_native_gcm_ni_get() && hsb_native_aes_vaes256_get() && f->vpclmul) ? &gcm_vaes_class
                                                                                   : NULL;
}
