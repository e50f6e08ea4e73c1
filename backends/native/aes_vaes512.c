/*
 * aes_vaes512.c - AES-128 CBC decryption and CTR with VAES on 512-bit
 * registers ("vaes512-x32"): four blocks per register, 8 registers = 32
 * blocks in flight. Chosen only when AVX-512F/BW and VAES are present.
 *
 * It is aes_vaes.c's code with zmm for ymm, for whole batches of 32 blocks;
 * the blocks left over go to aes_vaes.c's routines (every AVX-512 CPU has
 * AVX2, and the getter checks it). Key expansion and CBC encryption are
 * aes_ni.c's.
 */
#include <immintrin.h>

#include "hsb_backends.h"
#include "hsb_native_aes.h"

#define TGT __attribute__((target("aes,vaes,avx2,avx512f,avx512bw")))

#define NREG 8           /* zmm registers per batch */
#define BATCH (4 * NREG) /* blocks per batch */

TGT static inline __m512i bcast(const uint8_t k[16])
{
    return _mm512_broadcast_i32x4(_mm_load_si128((const __m128i *)k));
}

#define LOAD_KEYS(sched)                                                                           \
    __m512i k[HSB_NATIVE_AES128_ROUNDS + 1];                                                       \
    for (int i_ = 0; i_ <= HSB_NATIVE_AES128_ROUNDS; i_++) k[i_] = bcast(c->sched[i_])

#define ROUNDS(op)                                                                                 \
    do {                                                                                           \
        for (int r_ = 1; r_ < HSB_NATIVE_AES128_ROUNDS; r_++)                                      \
            for (int j_ = 0; j_ < NREG; j_++) s[j_] = op(s[j_], k[r_]);                            \
    } while (0)

/* P_i = D(C_i) ^ C_{i-1}; register j holds blocks 4j..4j+3, its previous
 * ciphertexts are the 64 bytes at in + 64j - 16, except for register 0, whose
 * C_{-1} comes from a register (see aes_vaes.c for why). */
TGT static void cbc_dec_blocks(const hsb_native_aes_ctx *c, uint8_t iv[16], uint8_t *out,
                               const uint8_t *in, size_t n)
{
    LOAD_KEYS(dec);
    __m128i last = _mm_loadu_si128((const __m128i *)iv);
    for (; n >= BATCH; n -= BATCH, in += 16 * BATCH, out += 16 * BATCH) {
        __m512i s[NREG];
        const __m512i c0 = _mm512_loadu_si512((const void *)in);
        /* [last, C0, C1, C2]: the top lane of the broadcast, then c0's lanes 0..2. */
        const __m512i p0 = _mm512_alignr_epi64(c0, _mm512_broadcast_i32x4(last), 6);
        s[0] = _mm512_xor_si512(c0, k[0]);
        for (int j = 1; j < NREG; j++)
            s[j] = _mm512_xor_si512(_mm512_loadu_si512((const void *)(in + 64 * j)), k[0]);
        ROUNDS(_mm512_aesdec_epi128);
        __asm__("" ::: "memory");
        s[0] = _mm512_aesdeclast_epi128(s[0], _mm512_xor_si512(k[10], p0));
        for (int j = 1; j < NREG; j++)
            s[j] = _mm512_aesdeclast_epi128(
                s[j],
                _mm512_xor_si512(k[10], _mm512_loadu_si512((const void *)(in + 64 * j - 16))));
        last = _mm_loadu_si128((const __m128i *)(in + 16 * (BATCH - 1)));
        for (int j = 0; j < NREG; j++) _mm512_storeu_si512((void *)(out + 64 * j), s[j]);
    }
    _mm_storeu_si128((__m128i *)iv, last);
    hsb_native_vaes256_cbc_dec_blocks(c, iv, out, in, n);
}

static hsb_rc vaes512_cbc_decrypt(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                                  size_t len)
{
    HSB_GUARD(hsb_native_aes_check(ctx, iv, out, in, len, 1));
    if (len) cbc_dec_blocks((const hsb_native_aes_ctx *)ctx, iv, out, in, len / 16);
    return HSB_OK;
}

/* Register j holds counters lo + 4j .. lo + 4j + 3 (see aes_vaes.c); a batch
 * in which the low word would wrap goes to the ymm code, which does the carry. */
TGT void hsb_native_vaes512_ctr_bytes(const hsb_native_aes_ctx *c, uint64_t *phi, uint64_t *plo,
                                      uint8_t *out, const uint8_t *in, size_t len)
{
    const __m512i bswap =
        _mm512_broadcast_i32x4(_mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    LOAD_KEYS(enc);
    uint64_t hi = *phi, lo = *plo;
    for (; len >= 16 * BATCH && lo <= UINT64_MAX - (BATCH - 1);
         len -= 16 * BATCH, in += 16 * BATCH, out += 16 * BATCH) {
        __m512i s[NREG];
        const __m512i base =
            _mm512_set_epi64((long long)hi, (long long)lo, (long long)hi, (long long)lo,
                             (long long)hi, (long long)lo, (long long)hi, (long long)lo);
        for (int j = 0; j < NREG; j++)
            s[j] = _mm512_xor_si512(
                _mm512_shuffle_epi8(
                    _mm512_add_epi64(
                        base, _mm512_set_epi64(0, 4 * j + 3, 0, 4 * j + 2, 0, 4 * j + 1, 0, 4 * j)),
                    bswap),
                k[0]);
        lo += BATCH;
        hi += lo < BATCH;
        ROUNDS(_mm512_aesenc_epi128);
        for (int j = 0; j < NREG; j++)
            s[j] = _mm512_aesenclast_epi128(
                s[j], _mm512_xor_si512(k[10], _mm512_loadu_si512((const void *)(in + 64 * j))));
        for (int j = 0; j < NREG; j++) _mm512_storeu_si512((void *)(out + 64 * j), s[j]);
    }
    *phi = hi;
    *plo = lo;
    /* The rest, or everything from a batch that would carry: the ymm code
     * (which takes the carry in full) finishes the job. */
    hsb_native_vaes256_ctr_bytes(c, phi, plo, out, in, len);
}

static hsb_rc vaes512_ctr(const void *ctx, uint8_t ctr[16], uint8_t *out, const uint8_t *in,
                          size_t len)
{
    HSB_GUARD(hsb_native_aes_check(ctx, ctr, out, in, len, 0));
    uint64_t hi = hsb_native_load_be64(ctr), lo = hsb_native_load_be64(ctr + 8);
    hsb_native_vaes512_ctr_bytes((const hsb_native_aes_ctx *)ctx, &hi, &lo, out, in, len);
    hsb_native_store_be64(ctr, hi);
    hsb_native_store_be64(ctr + 8, lo);
    return HSB_OK;
}

static const hsb_aes_class vaes512_class = {
    .name = "vaes512-x32",
    .ctx_size = sizeof(hsb_native_aes_ctx),
    .key_sizes = HSB_AES_KEY_128,
    .init = hsb_native_aes_init,
    .cbc_encrypt = hsb_native_aes_cbc_encrypt,
    .cbc_decrypt = vaes512_cbc_decrypt,
    .ctr = vaes512_ctr,
    .clear = hsb_native_aes_clear,
};

const hsb_aes_class *hsb_native_aes_vaes512_get(void)
{
    const hsb_cpu_features *f = hsb_cpu();
    return (f->aesni && f->vaes && f->avx2 && f->avx512f && f->avx512bw) ? &vaes512_class : NULL;
}
