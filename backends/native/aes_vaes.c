/*
 * aes_vaes.c - AES-128 CBC decryption and CTR with VAES on 256-bit registers
 * ("vaes256-x16"): two blocks per register, 8 registers = 16 blocks in
 * flight. Key expansion and CBC encryption (a serial chain) are aes_ni.c's.
 *
 * Why 8 registers: vaesenc/vaesdec on ymm have about 4 cycles of latency and
 * issue two per cycle (Zen 4/5, Ice Lake and later), so 8 independent
 * registers are needed to keep both units busy; the 11 round keys then live
 * partly in memory operands, which the load ports absorb.
 */
#include <immintrin.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_ct.h"
#include "hsb_native_aes.h"

#define TGT __attribute__((target("aes,vaes,avx2")))

#define NREG 8           /* ymm registers per batch */
#define BATCH (2 * NREG) /* blocks per batch */

TGT static inline __m256i bcast(const uint8_t k[16])
{
    return _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)k));
}

#define LOAD_KEYS(sched)                                                                           \
    __m256i k[HSB_NATIVE_AES128_ROUNDS + 1];                                                       \
    for (int i_ = 0; i_ <= HSB_NATIVE_AES128_ROUNDS; i_++) k[i_] = bcast(c->sched[i_])

#define ROUNDS(op)                                                                                 \
    do {                                                                                           \
        for (int r_ = 1; r_ < HSB_NATIVE_AES128_ROUNDS; r_++)                                      \
            for (int j_ = 0; j_ < NREG; j_++) s[j_] = op(s[j_], k[r_]);                            \
    } while (0)

#define ROUNDS1(op, x)                                                                             \
    do {                                                                                           \
        for (int r_ = 1; r_ < HSB_NATIVE_AES128_ROUNDS; r_++) x = op(x, k[r_]);                    \
    } while (0)

/* ------------------------------------------------------------ CBC decrypt */

/*
 * P_i = D(C_i) ^ C_{i-1}. Register j holds blocks 2j and 2j+1; its "previous
 * ciphertexts" are the unaligned 32 bytes at in + 32j - 16, read again after
 * the rounds (the compiler barrier keeps them out of registers during the
 * rounds). The first register of a batch takes its C_{-1} from a register
 * instead, because with in == out the previous batch has overwritten it. All
 * reads of a batch precede its stores.
 */
TGT void hsb_native_vaes256_cbc_dec_blocks(const hsb_native_aes_ctx *c, uint8_t iv[16],
                                           uint8_t *out, const uint8_t *in, size_t n)
{
    LOAD_KEYS(dec);
    __m128i last = _mm_loadu_si128((const __m128i *)iv);
    for (; n >= BATCH; n -= BATCH, in += 16 * BATCH, out += 16 * BATCH) {
        __m256i s[NREG];
        const __m256i c0 = _mm256_loadu_si256((const __m256i *)in);
        const __m256i p0 = _mm256_permute2x128_si256(_mm256_castsi128_si256(last), c0, 0x20);
        s[0] = _mm256_xor_si256(c0, k[0]);
        for (int j = 1; j < NREG; j++)
            s[j] = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(in + 32 * j)), k[0]);
        ROUNDS(_mm256_aesdec_epi128);
        __asm__("" ::: "memory");
        s[0] = _mm256_aesdeclast_epi128(s[0], _mm256_xor_si256(k[10], p0));
        for (int j = 1; j < NREG; j++)
            s[j] = _mm256_aesdeclast_epi128(
                s[j],
                _mm256_xor_si256(k[10], _mm256_loadu_si256((const __m256i *)(in + 32 * j - 16))));
        last = _mm_loadu_si128((const __m128i *)(in + 16 * (BATCH - 1)));
        for (int j = 0; j < NREG; j++) _mm256_storeu_si256((__m256i *)(out + 32 * j), s[j]);
    }
    /* The tail: pairs (independent of each other, so they still overlap). */
    for (; n >= 2; n -= 2, in += 32, out += 32) {
        const __m256i cb = _mm256_loadu_si256((const __m256i *)in);
        const __m256i p = _mm256_permute2x128_si256(_mm256_castsi128_si256(last), cb, 0x20);
        __m256i x = _mm256_xor_si256(cb, k[0]);
        ROUNDS1(_mm256_aesdec_epi128, x);
        x = _mm256_aesdeclast_epi128(x, _mm256_xor_si256(k[10], p));
        last = _mm256_extracti128_si256(cb, 1);
        _mm256_storeu_si256((__m256i *)out, x);
    }
    if (n) {
        const __m128i cb = _mm_loadu_si128((const __m128i *)in);
        __m128i x = _mm_xor_si128(cb, _mm256_castsi256_si128(k[0]));
        for (int r = 1; r < HSB_NATIVE_AES128_ROUNDS; r++)
            x = _mm_aesdec_si128(x, _mm256_castsi256_si128(k[r]));
        x = _mm_aesdeclast_si128(x, _mm_xor_si128(_mm256_castsi256_si128(k[10]), last));
        last = cb;
        _mm_storeu_si128((__m128i *)out, x);
    }
    _mm_storeu_si128((__m128i *)iv, last);
}

static hsb_rc vaes256_cbc_decrypt(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                                  size_t len)
{
    HSB_GUARD(hsb_native_aes_check(ctx, iv, out, in, len, 1));
    if (len)
        hsb_native_vaes256_cbc_dec_blocks((const hsb_native_aes_ctx *)ctx, iv, out, in, len / 16);
    return HSB_OK;
}

/* ------------------------------------------------------------------- CTR */

/* Counter blocks (hi, lo) and (hi, lo) + 1, carry done in full, in wire order. */
TGT static inline __m256i pair_block(uint64_t hi, uint64_t lo, __m256i bswap)
{
    uint64_t l1 = lo + 1, h1 = hi + (l1 == 0);
    return _mm256_shuffle_epi8(
        _mm256_set_epi64x((long long)h1, (long long)l1, (long long)hi, (long long)lo), bswap);
}

/* CTR two blocks at a time, each counter built in scalar code with the full
 * carry: the tail of every call, and the one batch in 2^60 in which the low
 * word wraps. Pairs are independent, so they still overlap in the pipeline. */
TGT __attribute__((noinline)) static void ctr_pairs(const hsb_native_aes_ctx *c, uint64_t *phi,
                                                    uint64_t *plo, uint8_t *out, const uint8_t *in,
                                                    size_t len)
{
    const __m256i bswap = _mm256_broadcastsi128_si256(
        _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    LOAD_KEYS(enc);
    uint64_t hi = *phi, lo = *plo;
    while (len) {
        __m256i x = _mm256_xor_si256(pair_block(hi, lo, bswap), k[0]);
        ROUNDS1(_mm256_aesenc_epi128, x);
        x = _mm256_aesenclast_epi128(x, k[10]);
        if (len >= 32) {
            _mm256_storeu_si256((__m256i *)out,
                                _mm256_xor_si256(x, _mm256_loadu_si256((const __m256i *)in)));
            in += 32, out += 32, len -= 32;
            lo += 2;
            hi += lo < 2;
        } else {
            /* A partial block still uses up one counter value. */
            uint8_t buf[32];
            memcpy(buf, in, len);
            _mm256_storeu_si256((__m256i *)buf,
                                _mm256_xor_si256(x, _mm256_loadu_si256((const __m256i *)buf)));
            memcpy(out, buf, len);
            hsb_wipe(buf, sizeof buf);
            uint64_t used = (len + 15) / 16;
            lo += used;
            hi += lo < used;
            len = 0;
        }
    }
    *phi = hi;
    *plo = lo;
}

/*
 * The counter of register j is kept as little-endian 64-bit lanes (lo, hi) for
 * blocks 2j and 2j + 1, byte-swapped to the wire's big-endian order by one
 * pshufb. A vector add of 2j, 2j + 1 per register (and of BATCH per batch) is
 * right while the low word does not wrap inside the batch; the scalar copy of
 * the low word says when it would, and that batch goes to ctr_pairs.
 */
TGT void hsb_native_vaes256_ctr_bytes(const hsb_native_aes_ctx *c, uint64_t *phi, uint64_t *plo,
                                      uint8_t *out, const uint8_t *in, size_t len)
{
    const __m256i bswap = _mm256_broadcastsi128_si256(
        _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    const __m256i step = _mm256_set_epi64x(0, BATCH, 0, BATCH);
    LOAD_KEYS(enc);
    uint64_t hi = *phi, lo = *plo;
    while (len >= 16 * BATCH) {
        __m256i ctr = _mm256_set_epi64x((long long)hi, (long long)lo, (long long)hi, (long long)lo);
        for (; len >= 16 * BATCH && lo <= UINT64_MAX - BATCH;
             len -= 16 * BATCH, in += 16 * BATCH, out += 16 * BATCH) {
            __m256i s[NREG];
            for (int j = 0; j < NREG; j++)
                s[j] = _mm256_xor_si256(
                    _mm256_shuffle_epi8(
                        _mm256_add_epi64(ctr, _mm256_set_epi64x(0, 2 * j + 1, 0, 2 * j)), bswap),
                    k[0]);
            ctr = _mm256_add_epi64(ctr, step);
            lo += BATCH;
            ROUNDS(_mm256_aesenc_epi128);
            /* aesenclast(s, k10 ^ P) = keystream ^ P. */
            for (int j = 0; j < NREG; j++)
                s[j] = _mm256_aesenclast_epi128(
                    s[j],
                    _mm256_xor_si256(k[10], _mm256_loadu_si256((const __m256i *)(in + 32 * j))));
            for (int j = 0; j < NREG; j++) _mm256_storeu_si256((__m256i *)(out + 32 * j), s[j]);
        }
        /* lo + BATCH never wrapped above, so hi holds and ctr was exact. */
        if (len >= 16 * BATCH) {
            /* The low word wraps inside the next batch or right after it. */
            ctr_pairs(c, &hi, &lo, out, in, 16 * BATCH);
            len -= 16 * BATCH, in += 16 * BATCH, out += 16 * BATCH;
        }
    }
    *phi = hi;
    *plo = lo;
    if (len) ctr_pairs(c, phi, plo, out, in, len);
}

static hsb_rc vaes256_ctr(const void *ctx, uint8_t ctr[16], uint8_t *out, const uint8_t *in,
                          size_t len)
{
    HSB_GUARD(hsb_native_aes_check(ctx, ctr, out, in, len, 0));
    uint64_t hi = hsb_native_load_be64(ctr), lo = hsb_native_load_be64(ctr + 8);
    hsb_native_vaes256_ctr_bytes((const hsb_native_aes_ctx *)ctx, &hi, &lo, out, in, len);
    hsb_native_store_be64(ctr, hi);
    hsb_native_store_be64(ctr + 8, lo);
    return HSB_OK;
}

/* ------------------------------------------------------------------ class */

static const hsb_aes_class vaes256_class = {
    .name = "vaes256-x16",
    .ctx_size = sizeof(hsb_native_aes_ctx),
    .key_sizes = HSB_AES_KEY_128,
    .init = hsb_native_aes_init,
    .cbc_encrypt = hsb_native_aes_cbc_encrypt,
    .cbc_decrypt = vaes256_cbc_decrypt,
    .ctr = vaes256_ctr,
    .clear = hsb_native_aes_clear,
};

const hsb_aes_class *hsb_native_aes_vaes256_get(void)
{
    const hsb_cpu_features *f = hsb_cpu();
    return (f->aesni && f->vaes && f->avx2) ? &vaes256_class : NULL;
}
