/*
 * gcm_vaes512.c - AES-128-GCM (NIST SP 800-38D) on 512-bit registers,
 * "gcm-vaes512-vpclmul": CTR by VAES on zmm (four blocks per register, 8
 * registers = 32 blocks in flight) and GHASH by VPCLMULQDQ on zmm over the
 * powers H'^1..H'^32 with one reduction per 32 blocks (aggregated
 * reduction). Chosen where the CPU has AVX-512F/BW, VAES and VPCLMULQDQ;
 * gcm_clmul.c keeps the ymm and xmm paths for the others.
 *
 * Seal is stitched: each round of the loop encrypts one batch of 32 blocks
 * and hashes the ciphertext of the batch before it, so the AES and the
 * carry-less multiplies of independent data are in flight together (they
 * use different execution pipes). Open is stitched too, in one pass that
 * decrypts while it hashes and zeroes out when the tag does not match (see
 * open_z).
 *
 * The counter: with at most 2^32 - 2 blocks of data its low 32 bits never
 * wrap (gcm_clmul.c), so a 64-bit add on the low word of (hi, lo) is GCM's
 * inc32, here done in the vector lanes.
 *
 * Data-independent by construction: no branch or address depends on the key,
 * H or the data; only on the (public) lengths.
 */
#include <immintrin.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_ct.h"
#include "hsb_native_aes.h"
#include "native_declassify.h"
#include "native_gcm.h"

#define TGT __attribute__((target("aes,vaes,pclmul,vpclmulqdq,avx2,avx512f,avx512bw,sse4.1")))

#define NREG 8                   /* zmm registers per batch */
#define BATCH (4 * NREG)         /* blocks per batch */
#define BATCH_BYTES (16 * BATCH) /* bytes per batch */
#define ROUNDS HSB_NATIVE_AES128_ROUNDS

TGT static inline __m512i bswap_lanes(void)
{
    return _mm512_broadcast_i32x4(
        _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/* The xor of a register's four 128-bit lanes. */
TGT static inline __m128i fold4(__m512i z)
{
    __m256i t = _mm256_xor_si256(_mm512_castsi512_si256(z), _mm512_extracti64x4_epi64(z, 1));
    return _mm_xor_si128(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
}

/* Register j of a 32-block group at p, byte-reversed, with S' folded into
 * block 0 when j == 0. */
TGT static inline __m512i ghash_load(const uint8_t *p, int j, __m128i s)
{
    __m512i x = _mm512_shuffle_epi8(_mm512_loadu_si512((const void *)(p + 64 * j)), bswap_lanes());
    return j ? x : _mm512_xor_si512(x, _mm512_zextsi128_si512(s));
}

/* Register j of a 32-block group at p times (H'^(32-4j), .., H'^(29-4j)),
 * Karatsuba, added to the accumulators. (Two registers a step with
 * three-way xors measured slower here.) */
TGT static inline __attribute__((always_inline)) void ghash_step(const gcm_ctx *g, const uint8_t *p,
                                                                 int j, __m128i s, __m512i *lo,
                                                                 __m512i *mid, __m512i *hi)
{
    const __m512i *hp = (const __m512i *)g->hpow4, *hf = (const __m512i *)g->hfold4;
    __m512i x = ghash_load(p, j, s);
    const __m512i h = _mm512_load_si512((const void *)(hp + j));
    *lo = _mm512_xor_si512(*lo, _mm512_clmulepi64_epi128(x, h, 0x00));
    *hi = _mm512_xor_si512(*hi, _mm512_clmulepi64_epi128(x, h, 0x11));
    x = _mm512_xor_si512(x, _mm512_shuffle_epi32(x, 0x4e));
    *mid = _mm512_xor_si512(
        *mid, _mm512_clmulepi64_epi128(x, _mm512_load_si512((const void *)(hf + j)), 0x00));
}

/* S' <- POLYVAL over the 32 blocks at p: block i times H'^(32 - i), S'
 * folded into block 0, one reduction. Register 0, the one that waits for
 * S', is multiplied last so that the others do not wait with it. */
TGT static inline __m128i ghash_batch(const gcm_ctx *g, __m128i s, const uint8_t *p)
{
    __m512i lo = _mm512_setzero_si512(), mid = lo, hi = lo;
    for (int j = NREG - 1; j >= 0; j--) ghash_step(g, p, j, s, &lo, &mid, &hi);
    return hsb_native_ghash_reduce(fold4(lo), fold4(mid), fold4(hi));
}

/* 32 blocks at a time, the rest (under 32) by the ymm code. */
TGT __m128i hsb_native_ghash_blocks_z(const gcm_ctx *g, __m128i s, const uint8_t *p, size_t n)
{
    for (; n >= BATCH; n -= BATCH, p += BATCH_BYTES) s = ghash_batch(g, s, p);
    return hsb_native_ghash_blocks_y(g, s, p, n);
}

/* ------------------------------------------------------------ the seal */

#define LOAD_KEYS(k, c)                                                                            \
    for (int i_ = 0; i_ <= ROUNDS; i_++)                                                           \
    k[i_] = _mm512_broadcast_i32x4(_mm_load_si128((const __m128i *)(c)->enc[i_]))

/* Counter blocks ctr + 4j .. ctr + 4j + 3 of register j (lanes (lo, hi) as
 * little-endian words), in wire order, whitened with round key 0. lo is
 * the batch's first low word: when none of the batch's 32 counters carries
 * out of the low byte (7 batches in 8), the offsets are added to the last
 * byte of the wire-order block, one byte swap for the batch instead of one
 * per register (the vector ALUs are shared with the rounds). */
TGT static inline void ctr_start(__m512i st[NREG], __m512i ctr, uint64_t lo, __m512i k0)
{
    const __m512i rev = bswap_lanes();
    if ((lo & 0xff) <= 0xff - (BATCH - 1)) {
        const __m512i base = _mm512_shuffle_epi8(ctr, rev);
        for (int j = 0; j < NREG; j++)
            st[j] = _mm512_xor_si512(
                _mm512_add_epi32(
                    base, _mm512_set_epi32((4 * j + 3) << 24, 0, 0, 0, (4 * j + 2) << 24, 0, 0, 0,
                                           (4 * j + 1) << 24, 0, 0, 0, (4 * j) << 24, 0, 0, 0)),
                k0);
        return;
    }
    for (int j = 0; j < NREG; j++)
        st[j] = _mm512_xor_si512(
            _mm512_shuffle_epi8(_mm512_add_epi64(ctr, _mm512_set_epi64(0, 4 * j + 3, 0, 4 * j + 2,
                                                                       0, 4 * j + 1, 0, 4 * j)),
                                rev),
            k0);
}

TGT static inline __m512i ctr_vec(uint64_t hi, uint64_t lo)
{
    return _mm512_set_epi64((long long)hi, (long long)lo, (long long)hi, (long long)lo,
                            (long long)hi, (long long)lo, (long long)hi, (long long)lo);
}

/*
 * One batch of 32 counter blocks (from (chi, clo)) through AES, stitched with the
 * GHASH of the 32 blocks at gh (when gh is not NULL; S' in and out through
 * *s): one register of GHASH after each of rounds 1..8, so that the
 * carry-less multiplies (which run beside VAES on other pipes) are in the
 * scheduler together with the rounds instead of queued behind all of them.
 * The result, keystream xor src (or the bare keystream when src is NULL),
 * goes to dst; src is read before dst is written (in place is fine).
 */
TGT static inline __attribute__((always_inline)) void
stitch_batch(const gcm_ctx *g, const __m512i k[ROUNDS + 1], uint64_t chi, uint64_t clo,
             const uint8_t *gh, __m128i *s, uint8_t *dst, const uint8_t *src)
{
    __m512i st[NREG], lo = _mm512_setzero_si512(), mid = lo, hi = lo;
    ctr_start(st, ctr_vec(chi, clo), clo, k[0]);
    for (int r = 1; r < ROUNDS; r++) {
        for (int j = 0; j < NREG; j++) st[j] = _mm512_aesenc_epi128(st[j], k[r]);
        if (gh && r <= NREG) ghash_step(g, gh, NREG - r, *s, &lo, &mid, &hi);
    }
    if (gh) *s = hsb_native_ghash_reduce(fold4(lo), fold4(mid), fold4(hi));
    for (int j = 0; j < NREG; j++) {
        __m512i last = k[ROUNDS];
        if (src) last = _mm512_xor_si512(last, _mm512_loadu_si512((const void *)(src + 64 * j)));
        st[j] = _mm512_aesenclast_epi128(st[j], last);
    }
    for (int j = 0; j < NREG; j++) _mm512_storeu_si512((void *)(dst + 64 * j), st[j]);
}

/*
 * nb batches of 32 blocks: batch i encrypted while batch i - 1's ciphertext
 * (already in out) is hashed; the last batch hashed after the loop.
 */
TGT static __m128i seal_batches(const gcm_ctx *g, __m128i s, uint64_t hi, uint64_t lo, uint8_t *out,
                                const uint8_t *in, size_t nb)
{
    __m512i k[ROUNDS + 1];
    LOAD_KEYS(k, &g->aes);
    stitch_batch(g, k, hi, lo, NULL, &s, out, in);
    for (size_t b = 1; b < nb; b++)
        stitch_batch(g, k, hi, lo + b * BATCH, out + (b - 1) * BATCH_BYTES, &s,
                     out + b * BATCH_BYTES, in + b * BATCH_BYTES);
    return ghash_batch(g, s, out + (nb - 1) * BATCH_BYTES);
}

static hsb_rc seal_z(gcm_ctr_fn ctr, gcm_ghash_fn gh, void *ctx, const uint8_t *iv, size_t iv_len,
                     const uint8_t *aad, size_t aad_len, uint8_t *out, const uint8_t *in,
                     size_t len, uint8_t tag[16])
{
    HSB_GUARD(hsb_native_gcm_check(ctx, iv, iv_len, aad, aad_len, out, in, len, tag));
    const gcm_ctx *g = ctx;
    uint64_t hi, lo;
    hsb_native_gcm_first_counter(iv, &hi, &lo);
    __m128i s = hsb_native_gcm_ghash_aad(gh, g, aad, aad_len);
    size_t nb = len / BATCH_BYTES, done = nb * BATCH_BYTES;
    if (nb) {
        s = seal_batches(g, s, hi, lo, out, in, nb);
        lo += nb * BATCH; /* never wraps: see the top of the file */
    }
    if (len > done) {
        ctr(&g->aes, &hi, &lo, out + done, in + done, len - done);
        s = hsb_native_gcm_ghash_more(gh, g, s, out + done, len - done);
    }
    hsb_native_gcm_finish_tag(g, s, iv, aad_len, len, tag);
    return HSB_OK;
}

/* ------------------------------------------------------------ the open */

/*
 * Open is stitched like seal, in one pass: each batch of 32 ciphertext
 * blocks is hashed while its keystream is made, and decrypted into out in
 * the same step (the ciphertext is read before the plaintext is stored, so
 * in == out is fine). The tag is checked once all is hashed; on a mismatch
 * out is zeroed before open returns, so the caller never sees plaintext of
 * a forged record (hsb_gcm_class in core/hsb_provider.h). Decrypting ahead
 * of the check saves the second pass over the data that a check-first open
 * needs (ipsec-mb and OpenSSL decrypt ahead of the check the same way).
 */
TGT static __m128i open_batches(const gcm_ctx *g, __m128i s, uint64_t hi, uint64_t lo, uint8_t *out,
                                const uint8_t *in, size_t nb)
{
    __m512i k[ROUNDS + 1];
    LOAD_KEYS(k, &g->aes);
    for (size_t b = 0; b < nb; b++)
        stitch_batch(g, k, hi, lo + b * BATCH, in + b * BATCH_BYTES, &s, out + b * BATCH_BYTES,
                     in + b * BATCH_BYTES);
    return s;
}

static hsb_rc open_z(gcm_ctr_fn ctr, gcm_ghash_fn gh, void *ctx, const uint8_t *iv, size_t iv_len,
                     const uint8_t *aad, size_t aad_len, uint8_t *out, const uint8_t *in,
                     size_t len, const uint8_t tag[16])
{
    HSB_GUARD(hsb_native_gcm_check(ctx, iv, iv_len, aad, aad_len, out, in, len, tag));
    const gcm_ctx *g = ctx;
    uint64_t hi, lo;
    hsb_native_gcm_first_counter(iv, &hi, &lo);
    size_t nb = len / BATCH_BYTES, done = nb * BATCH_BYTES;
    __m128i s = hsb_native_gcm_ghash_aad(gh, g, aad, aad_len);
    if (nb) s = open_batches(g, s, hi, lo, out, in, nb);
    /* The tail is hashed before it is decrypted (in place it is overwritten). */
    s = hsb_native_gcm_ghash_more(gh, g, s, in + done, len - done);
    uint8_t want[16];
    hsb_native_gcm_finish_tag(g, s, iv, aad_len, len, want);
    uint32_t ok = hsb_ct_memeq(want, tag, 16);
    hsb_wipe(want, sizeof want);
    HSB_NATIVE_DECLASSIFY(&ok, sizeof ok); /* the verdict is public by contract */
    if (!ok) {
        if (len) memset(out, 0, len);
        /* The zeroing stores are observable: not elided as dead. */
        __asm__ __volatile__("" : : "r"(out) : "memory");
        return hsb_raise(HSB_E_DECRYPT, __FILE__, __LINE__, "GCM tag mismatch");
    }
    lo += nb * BATCH; /* never wraps: see the top of the file */
    if (len > done) ctr(&g->aes, &hi, &lo, out + done, in + done, len - done);
    return HSB_OK;
}

HSB_NATIVE_GCM_CLASS(gcm_vaes512_class, "gcm-vaes512-vpclmul", seal_z, open_z,
                     hsb_native_vaes512_ctr_bytes, hsb_native_ghash_blocks_z)

const hsb_gcm_class *hsb_native_gcm_vaes512_get(void)
{
    const hsb_cpu_features *f = hsb_cpu();
    return (hsb_native_gcm_vaes256_get() && hsb_native_aes_vaes512_get() && f->vpclmul)
               ? &gcm_vaes512_class
               : NULL;
}
