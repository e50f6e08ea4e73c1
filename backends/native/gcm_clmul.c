/*
 * gcm_clmul.c - AES-128-GCM (NIST SP 800-38D) with GHASH by PCLMULQDQ, the
 * counter mode by the widest native AES path (ymm VAES, else xmm AES-NI).
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
 * swapped xor T.lo * 0xc2 << 56. Eight blocks share one reduction, with the
 * powers H'^1..H'^8 (POLYVAL sense) computed at init.
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

#define TGT __attribute__((target("pclmul,sse4.1")))

#define GCM_AGG 8 /* blocks per GHASH reduction */

typedef struct gcm_ctx {
    hsb_native_aes_ctx aes;
    _Alignas(16) uint8_t hpow[GCM_AGG][16]; /* H'^1 .. H'^8, POLYVAL domain */
} gcm_ctx;

typedef void (*ctr_fn)(const hsb_native_aes_ctx *c, uint64_t *hi, uint64_t *lo, uint8_t *out,
                       const uint8_t *in, size_t len);

/* ------------------------------------------------------------------ GHASH */

TGT static inline __m128i rev16(__m128i x)
{
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/* lo, mid, hi += the 256-bit carry-less product a * b (schoolbook). */
TGT static inline void mul_acc(__m128i a, __m128i b, __m128i *lo, __m128i *mid, __m128i *hi)
{
    *lo = _mm_xor_si128(*lo, _mm_clmulepi64_si128(a, b, 0x00));
    *hi = _mm_xor_si128(*hi, _mm_clmulepi64_si128(a, b, 0x11));
    *mid = _mm_xor_si128(
        *mid, _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x10), _mm_clmulepi64_si128(a, b, 0x01)));
}

/* (hi * x^128 + mid * x^64 + lo) * x^-128 mod P. */
TGT static inline __m128i reduce(__m128i lo, __m128i mid, __m128i hi)
{
    const __m128i poly = _mm_set_epi64x((long long)0xc200000000000000ull, 1);
    lo = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
    hi = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), _mm_clmulepi64_si128(lo, poly, 0x10));
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), _mm_clmulepi64_si128(lo, poly, 0x10));
    return _mm_xor_si128(lo, hi);
}

TGT static inline __m128i dot(__m128i a, __m128i b)
{
    __m128i lo = _mm_setzero_si128(), mid = lo, hi = lo;
    mul_acc(a, b, &lo, &mid, &hi);
    return reduce(lo, mid, hi);
}

/* S' <- POLYVAL over n whole blocks of data (each byte-reversed), 8 blocks per
 * reduction: S' = dot(S' ^ X1, H^n) ^ dot(X2, H^(n-1)) ^ ... ^ dot(Xn, H). */
TGT static __m128i ghash_blocks(const gcm_ctx *g, __m128i s, const uint8_t *p, size_t n)
{
    const __m128i *hp = (const __m128i *)g->hpow;
    while (n) {
        size_t m = n < GCM_AGG ? n : GCM_AGG;
        __m128i lo = _mm_setzero_si128(), mid = lo, hi = lo;
        __m128i x = _mm_xor_si128(rev16(_mm_loadu_si128((const __m128i *)p)), s);
        mul_acc(x, _mm_load_si128(hp + m - 1), &lo, &mid, &hi);
        for (size_t j = 1; j < m; j++)
            mul_acc(rev16(_mm_loadu_si128((const __m128i *)(p + 16 * j))),
                    _mm_load_si128(hp + m - 1 - j), &lo, &mid, &hi);
        s = reduce(lo, mid, hi);
        p += 16 * m;
        n -= m;
    }
    return s;
}

/* Absorb len bytes, the last partial block padded with zeros (SP 800-38D 6.4). */
TGT static __m128i ghash_update(const gcm_ctx *g, __m128i s, const uint8_t *p, size_t len)
{
    s = ghash_blocks(g, s, p, len / 16);
    if (len % 16) {
        uint8_t buf[16] = {0};
        memcpy(buf, p + len - len % 16, len % 16);
        s = ghash_blocks(g, s, buf, 1);
        hsb_wipe(buf, sizeof buf);
    }
    return s;
}

/* The tag: E(K, J0) ^ GHASH(A || pad || C || pad || [len(A)]64 || [len(C)]64). */
TGT static void ghash_tag(const gcm_ctx *g, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
                          const uint8_t *ct, size_t len, uint8_t tag[16])
{
    __m128i s = _mm_setzero_si128();
    s = ghash_update(g, s, aad, aad_len);
    s = ghash_update(g, s, ct, len);
    uint8_t lens[16], j0[16];
    hsb_native_store_be64(lens, (uint64_t)aad_len * 8);
    hsb_native_store_be64(lens + 8, (uint64_t)len * 8);
    s = ghash_blocks(g, s, lens, 1);
    memcpy(j0, iv, 12);
    j0[12] = j0[13] = j0[14] = 0;
    j0[15] = 1;
    hsb_native_aes_encrypt_block(&g->aes, j0, j0);
    _mm_storeu_si128((__m128i *)tag, _mm_xor_si128(rev16(s), _mm_loadu_si128((const __m128i *)j0)));
    hsb_wipe(j0, sizeof j0);
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
    _mm_store_si128((__m128i *)g->hpow[0], h1);
    for (int i = 1; i < GCM_AGG; i++) {
        p = dot(p, h1);
        _mm_store_si128((__m128i *)g->hpow[i], p);
    }
    hsb_wipe(h, sizeof h);
}

static hsb_rc gcm_init(void *ctx, const uint8_t *key, size_t key_len)
{
    HSB_GUARD(hsb_native_aes_init(ctx, key, key_len));
    set_hpow((gcm_ctx *)ctx);
    return HSB_OK;
}

static void gcm_clear(void *ctx)
{
    hsb_wipe(ctx, sizeof(gcm_ctx));
}

/* SP 800-38D 5.2.1.1: len(P) <= 2^39 - 256 bits, len(A) <= 2^64 - 1 bits. */
static hsb_rc gcm_check(const void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
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

/* The first data counter, inc32(J0) = IV || 0^30 || 2. */
static void first_counter(const uint8_t iv[12], uint64_t *hi, uint64_t *lo)
{
    *hi = hsb_native_load_be64(iv);
    *lo = (hsb_native_load_be64(iv + 4) << 32) | 2;
}

static hsb_rc seal_with(ctr_fn ctr, void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                        size_t aad_len, uint8_t *out, const uint8_t *in, size_t len,
                        uint8_t tag[16])
{
    HSB_GUARD(gcm_check(ctx, iv, iv_len, aad, aad_len, out, in, len, tag));
    const gcm_ctx *g = ctx;
    uint64_t hi, lo;
    first_counter(iv, &hi, &lo);
    if (len) ctr(&g->aes, &hi, &lo, out, in, len);
    ghash_tag(g, iv, aad, aad_len, out, len, tag);
    return HSB_OK;
}

static hsb_rc open_with(ctr_fn ctr, void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                        size_t aad_len, uint8_t *out, const uint8_t *in, size_t len,
                        const uint8_t tag[16])
{
    HSB_GUARD(gcm_check(ctx, iv, iv_len, aad, aad_len, out, in, len, tag));
    const gcm_ctx *g = ctx;
    uint8_t want[16];
    ghash_tag(g, iv, aad, aad_len, in, len, want);
    uint32_t ok = hsb_ct_memeq(want, tag, 16);
    hsb_wipe(want, sizeof want);
    if (!ok) {
        /* The verdict is public; the comparison above was not a shortcut. */
        if (len) memset(out, 0, len);
        return hsb_raise(HSB_E_DECRYPT, __FILE__, __LINE__, "GCM tag mismatch");
    }
    uint64_t hi, lo;
    first_counter(iv, &hi, &lo);
    if (len) ctr(&g->aes, &hi, &lo, out, in, len);
    return HSB_OK;
}

static hsb_rc seal_vaes(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                        size_t aad_len, uint8_t *out, const uint8_t *in, size_t len,
                        uint8_t tag[16])
{
    return seal_with(hsb_native_vaes256_ctr_bytes, ctx, iv, iv_len, aad, aad_len, out, in, len,
                     tag);
}
static hsb_rc open_vaes(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                        size_t aad_len, uint8_t *out, const uint8_t *in, size_t len,
                        const uint8_t tag[16])
{
    return open_with(hsb_native_vaes256_ctr_bytes, ctx, iv, iv_len, aad, aad_len, out, in, len,
                     tag);
}
static hsb_rc seal_ni(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                      size_t aad_len, uint8_t *out, const uint8_t *in, size_t len, uint8_t tag[16])
{
    return seal_with(hsb_native_aesni_ctr_bytes, ctx, iv, iv_len, aad, aad_len, out, in, len, tag);
}
static hsb_rc open_ni(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                      size_t aad_len, uint8_t *out, const uint8_t *in, size_t len,
                      const uint8_t tag[16])
{
    return open_with(hsb_native_aesni_ctr_bytes, ctx, iv, iv_len, aad, aad_len, out, in, len, tag);
}

static const hsb_gcm_class gcm_vaes_class = {
    .name = "gcm-vaes256-clmul",
    .ctx_size = sizeof(gcm_ctx),
    .key_sizes = HSB_AES_KEY_128,
    .init = gcm_init,
    .seal = seal_vaes,
    .open = open_vaes,
    .clear = gcm_clear,
};

static const hsb_gcm_class gcm_ni_class = {
    .name = "gcm-aesni-clmul",
    .ctx_size = sizeof(gcm_ctx),
    .key_sizes = HSB_AES_KEY_128,
    .init = gcm_init,
    .seal = seal_ni,
    .open = open_ni,
    .clear = gcm_clear,
};

const hsb_gcm_class *hsb_native_gcm_get(void)
{
    const hsb_cpu_features *f = hsb_cpu();
    if (!f->aesni || !f->pclmul) return NULL;
    return hsb_native_aes_vaes256_get() ? &gcm_vaes_class : &gcm_ni_class;
}

/* For the tests: each CTR path's GCM, NULL when the CPU cannot run it. */
const hsb_gcm_class *hsb_native_gcm_ni_get(void)
{
    const hsb_cpu_features *f = hsb_cpu();
    return (f->aesni && f->pclmul) ? &gcm_ni_class : NULL;
}
const hsb_gcm_class *hsb_native_gcm_vaes256_get(void)
{
    return hsb_native_gcm_ni_get() && hsb_native_aes_vaes256_get() ? &gcm_vaes_class : NULL;
}
