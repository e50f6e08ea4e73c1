/*
 * aes_ni.c - AES-128 with AES-NI on 128-bit registers ("aesni-x8"), and the
 * pieces every native AES class shares: key expansion, argument checks and
 * CBC encryption (one serial chain, so no wider register helps it).
 *
 * ISA is enabled per function (target attributes), never by global flags, so
 * this file builds for any x86-64 and the getter decides at run time.
 *
 * Why 8 blocks in flight: aesenc/aesdec have a latency of about 4 cycles and
 * two of them issue per cycle on the CPUs we measure (Zen 4/5, and Intel since
 * Ice Lake), so 8 independent blocks are needed to keep both units busy.
 */
#include <immintrin.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_ct.h"
#include "hsb_native_aes.h"

#define TGT __attribute__((target("aes,sse4.1")))

/* ------------------------------------------------------------ key schedule */

/* One step of the FIPS-197 5.2 expansion: w[i] = w[i-4] ^ SubWord(RotWord(w[i-1])) ^ Rcon,
 * then the running xor for the other three words. t is aeskeygenassist's output. */
TGT static inline __m128i expand_step(__m128i k, __m128i t)
{
    t = _mm_shuffle_epi32(t, 0xff);
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    return _mm_xor_si128(k, t);
}

/* aeskeygenassist takes its round constant as an immediate. */
#define EXPAND(i, rcon)                                                                            \
    do {                                                                                           \
        k = expand_step(k, _mm_aeskeygenassist_si128(k, rcon));                                    \
        _mm_store_si128((__m128i *)c->enc[i], k);                                                  \
    } while (0)

TGT static void expand128(hsb_native_aes_ctx *c, const uint8_t key[16])
{
    __m128i k = _mm_loadu_si128((const __m128i *)key);
    _mm_store_si128((__m128i *)c->enc[0], k);
    EXPAND(1, 0x01);
    EXPAND(2, 0x02);
    EXPAND(3, 0x04);
    EXPAND(4, 0x08);
    EXPAND(5, 0x10);
    EXPAND(6, 0x20);
    EXPAND(7, 0x40);
    EXPAND(8, 0x80);
    EXPAND(9, 0x1b);
    EXPAND(10, 0x36);
    /* Equivalent Inverse Cipher (FIPS-197 5.3.5): the middle keys go through
     * InvMixColumns so that aesdec (which applies it to the state) can use them. */
    _mm_store_si128((__m128i *)c->dec[0], _mm_load_si128((const __m128i *)c->enc[10]));
    for (int i = 1; i < HSB_NATIVE_AES128_ROUNDS; i++)
        _mm_store_si128((__m128i *)c->dec[i],
                        _mm_aesimc_si128(_mm_load_si128((const __m128i *)c->enc[10 - i])));
    _mm_store_si128((__m128i *)c->dec[10], _mm_load_si128((const __m128i *)c->enc[0]));
}
#undef EXPAND

hsb_rc hsb_native_aes_init(void *ctx, const uint8_t *key, size_t key_len)
{
    HSB_ENSURE(ctx != NULL && key != NULL, HSB_E_USAGE);
    if (key_len == 24 || key_len == 32)
        HSB_BAIL_MSG(HSB_E_UNSUPPORTED, "native AES: 128-bit keys only");
    HSB_ENSURE(key_len == 16, HSB_E_USAGE);
    expand128((hsb_native_aes_ctx *)ctx, key);
    return HSB_OK;
}

void hsb_native_aes_clear(void *ctx)
{
    hsb_wipe(ctx, sizeof(hsb_native_aes_ctx));
}

hsb_rc hsb_native_aes_check(const void *ctx, const uint8_t *v, const uint8_t *out,
                            const uint8_t *in, size_t len, int whole_blocks)
{
    HSB_ENSURE(ctx != NULL && v != NULL, HSB_E_USAGE);
    if (whole_blocks) HSB_ENSURE(len % 16 == 0, HSB_E_USAGE);
    if (len) HSB_ENSURE(out != NULL && in != NULL, HSB_E_USAGE);
    return HSB_OK;
}

/* ------------------------------------------------------------ CBC encrypt */

#define LOADK(i) const __m128i k##i = _mm_load_si128((const __m128i *)c->enc[i])
#define ENC9(s)                                                                                    \
    do {                                                                                           \
        s = _mm_aesenc_si128(s, k1);                                                               \
        s = _mm_aesenc_si128(s, k2);                                                               \
        s = _mm_aesenc_si128(s, k3);                                                               \
        s = _mm_aesenc_si128(s, k4);                                                               \
        s = _mm_aesenc_si128(s, k5);                                                               \
        s = _mm_aesenc_si128(s, k6);                                                               \
        s = _mm_aesenc_si128(s, k7);                                                               \
        s = _mm_aesenc_si128(s, k8);                                                               \
        s = _mm_aesenc_si128(s, k9);                                                               \
    } while (0)

/*
 * C_i = E(P_i ^ C_{i-1}) is one dependency chain, so its speed is the latency
 * of the ten rounds. The xors between blocks are taken off that chain:
 * aesenclast(s, k) is f(s) ^ k, so feeding it k10 ^ (P_{i+1} ^ k0) yields
 * C_i ^ P_{i+1} ^ k0, which is already the next block's state after round 0;
 * C_i itself is recovered off the chain for the store. The chain is then
 * exactly 10 AES instructions per block.
 */
TGT static void cbc_enc_blocks(const hsb_native_aes_ctx *c, uint8_t iv[16], uint8_t *out,
                               const uint8_t *in, size_t n)
{
    LOADK(0);
    LOADK(1);
    LOADK(2);
    LOADK(3);
    LOADK(4);
    LOADK(5);
    LOADK(6);
    LOADK(7);
    LOADK(8);
    LOADK(9);
    LOADK(10);
    __m128i s = _mm_xor_si128(_mm_loadu_si128((const __m128i *)in),
                              _mm_xor_si128(_mm_loadu_si128((const __m128i *)iv), k0));
    for (size_t i = 0; i + 1 < n; i++) {
        /* q = P_{i+1} ^ k0 and pk = q ^ k10, both off the chain. Loaded before
         * C_i is stored, so in == out is fine. */
        __m128i q = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(in + 16 * (i + 1))), k0);
        __m128i pk = _mm_xor_si128(q, k10);
        ENC9(s);
        s = _mm_aesenclast_si128(s, pk); /* C_i ^ P_{i+1} ^ k0 */
        _mm_storeu_si128((__m128i *)(out + 16 * i), _mm_xor_si128(s, q));
    }
    ENC9(s);
    s = _mm_aesenclast_si128(s, k10);
    _mm_storeu_si128((__m128i *)(out + 16 * (n - 1)), s);
    _mm_storeu_si128((__m128i *)iv, s);
}

hsb_rc hsb_native_aes_cbc_encrypt(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                                  size_t len)
{
    HSB_GUARD(hsb_native_aes_check(ctx, iv, out, in, len, 1));
    if (len) cbc_enc_blocks((const hsb_native_aes_ctx *)ctx, iv, out, in, len / 16);
    return HSB_OK;
}

TGT void hsb_native_aes_encrypt_block(const hsb_native_aes_ctx *c, uint8_t out[16],
                                      const uint8_t in[16])
{
    LOADK(0);
    LOADK(1);
    LOADK(2);
    LOADK(3);
    LOADK(4);
    LOADK(5);
    LOADK(6);
    LOADK(7);
    LOADK(8);
    LOADK(9);
    LOADK(10);
    __m128i s = _mm_xor_si128(_mm_loadu_si128((const __m128i *)in), k0);
    ENC9(s);
    _mm_storeu_si128((__m128i *)out, _mm_aesenclast_si128(s, k10));
}

/* ------------------------------------------------------------ CBC decrypt */

#define LOADD(i) const __m128i d##i = _mm_load_si128((const __m128i *)c->dec[i])
#define DEC_ROUND(k)                                                                               \
    do {                                                                                           \
        for (int j_ = 0; j_ < 8; j_++) s[j_] = _mm_aesdec_si128(s[j_], k);                         \
    } while (0)

/*
 * P_i = D(C_i) ^ C_{i-1}: the blocks are independent, 8 at a time. The
 * previous ciphertexts are read again from in after the rounds (the compiler
 * barrier stops it keeping 8 more registers live across them, which would
 * spill); all reads of a batch come before its stores, and the last
 * ciphertext of a batch is carried in a register, so in == out is fine.
 */
TGT static void cbc_dec_blocks(const hsb_native_aes_ctx *c, uint8_t iv[16], uint8_t *out,
                               const uint8_t *in, size_t n)
{
    LOADD(0);
    LOADD(1);
    LOADD(2);
    LOADD(3);
    LOADD(4);
    LOADD(5);
    LOADD(6);
    LOADD(7);
    LOADD(8);
    LOADD(9);
    LOADD(10);
    __m128i prev = _mm_loadu_si128((const __m128i *)iv);
    for (; n >= 8; n -= 8, in += 128, out += 128) {
        __m128i s[8];
        for (int j = 0; j < 8; j++)
            s[j] = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(in + 16 * j)), d0);
        DEC_ROUND(d1);
        DEC_ROUND(d2);
        DEC_ROUND(d3);
        DEC_ROUND(d4);
        DEC_ROUND(d5);
        DEC_ROUND(d6);
        DEC_ROUND(d7);
        DEC_ROUND(d8);
        DEC_ROUND(d9);
        __asm__("" ::: "memory");
        s[0] = _mm_aesdeclast_si128(s[0], _mm_xor_si128(d10, prev));
        for (int j = 1; j < 8; j++)
            s[j] = _mm_aesdeclast_si128(
                s[j], _mm_xor_si128(d10, _mm_loadu_si128((const __m128i *)(in + 16 * (j - 1)))));
        prev = _mm_loadu_si128((const __m128i *)(in + 112));
        for (int j = 0; j < 8; j++) _mm_storeu_si128((__m128i *)(out + 16 * j), s[j]);
    }
    /* The tail: single blocks, still independent of each other. */
    for (; n; n--, in += 16, out += 16) {
        __m128i cb = _mm_loadu_si128((const __m128i *)in);
        __m128i s = _mm_xor_si128(cb, d0);
        s = _mm_aesdec_si128(s, d1);
        s = _mm_aesdec_si128(s, d2);
        s = _mm_aesdec_si128(s, d3);
        s = _mm_aesdec_si128(s, d4);
        s = _mm_aesdec_si128(s, d5);
        s = _mm_aesdec_si128(s, d6);
        s = _mm_aesdec_si128(s, d7);
        s = _mm_aesdec_si128(s, d8);
        s = _mm_aesdec_si128(s, d9);
        s = _mm_aesdeclast_si128(s, _mm_xor_si128(d10, prev));
        prev = cb;
        _mm_storeu_si128((__m128i *)out, s);
    }
    _mm_storeu_si128((__m128i *)iv, prev);
}

static hsb_rc ni_cbc_decrypt(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                             size_t len)
{
    HSB_GUARD(hsb_native_aes_check(ctx, iv, out, in, len, 1));
    if (len) cbc_dec_blocks((const hsb_native_aes_ctx *)ctx, iv, out, in, len / 16);
    return HSB_OK;
}

/* ------------------------------------------------------------------- CTR */

/* The counter block (hi, lo) in the big-endian byte order of the wire. */
TGT static inline __m128i be_block(uint64_t hi, uint64_t lo)
{
    const __m128i bswap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm_shuffle_epi8(_mm_set_epi64x((long long)hi, (long long)lo), bswap);
}

#define ENC_ROUND(k)                                                                               \
    do {                                                                                           \
        for (int j_ = 0; j_ < 8; j_++) s[j_] = _mm_aesenc_si128(s[j_], k);                         \
    } while (0)

/*
 * The counter is a 128-bit big-endian number, kept here as two native words.
 * A batch of 8 adds 0..7 to the low word with one vector add, which is right
 * unless the low word wraps inside the batch (one batch in 2^61): that batch
 * builds each block with the carry done in scalar code.
 */
TGT void hsb_native_aesni_ctr_bytes(const hsb_native_aes_ctx *c, uint64_t *phi, uint64_t *plo,
                                    uint8_t *out, const uint8_t *in, size_t len)
{
    const __m128i bswap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    LOADK(0);
    LOADK(1);
    LOADK(2);
    LOADK(3);
    LOADK(4);
    LOADK(5);
    LOADK(6);
    LOADK(7);
    LOADK(8);
    LOADK(9);
    LOADK(10);
    uint64_t hi = *phi, lo = *plo;
    for (; len >= 128; len -= 128, in += 128, out += 128) {
        __m128i s[8];
        if (lo <= UINT64_MAX - 7) {
            const __m128i base = _mm_set_epi64x((long long)hi, (long long)lo);
            for (int j = 0; j < 8; j++)
                s[j] = _mm_xor_si128(
                    _mm_shuffle_epi8(_mm_add_epi64(base, _mm_set_epi64x(0, j)), bswap), k0);
        } else {
            for (int j = 0; j < 8; j++) {
                uint64_t l = lo + (uint64_t)j;
                s[j] = _mm_xor_si128(be_block(hi + (l < lo), l), k0);
            }
        }
        lo += 8;
        hi += lo < 8;
        ENC_ROUND(k1);
        ENC_ROUND(k2);
        ENC_ROUND(k3);
        ENC_ROUND(k4);
        ENC_ROUND(k5);
        ENC_ROUND(k6);
        ENC_ROUND(k7);
        ENC_ROUND(k8);
        ENC_ROUND(k9);
        /* aesenclast(s, k10 ^ P) = keystream ^ P. */
        for (int j = 0; j < 8; j++)
            s[j] = _mm_aesenclast_si128(
                s[j], _mm_xor_si128(k10, _mm_loadu_si128((const __m128i *)(in + 16 * j))));
        for (int j = 0; j < 8; j++) _mm_storeu_si128((__m128i *)(out + 16 * j), s[j]);
    }
    /* The tail: up to 7 whole blocks and a partial one, one counter value each. */
    while (len) {
        __m128i s = _mm_xor_si128(be_block(hi, lo), k0);
        lo++;
        hi += lo == 0;
        ENC9(s);
        s = _mm_aesenclast_si128(s, k10);
        if (len >= 16) {
            _mm_storeu_si128((__m128i *)out,
                             _mm_xor_si128(s, _mm_loadu_si128((const __m128i *)in)));
            in += 16, out += 16, len -= 16;
        } else {
            uint8_t buf[16];
            memcpy(buf, in, len);
            _mm_storeu_si128((__m128i *)buf,
                             _mm_xor_si128(s, _mm_loadu_si128((const __m128i *)buf)));
            memcpy(out, buf, len);
            hsb_wipe(buf, sizeof buf);
            len = 0;
        }
    }
    *phi = hi;
    *plo = lo;
}

static hsb_rc ni_ctr(const void *ctx, uint8_t ctr[16], uint8_t *out, const uint8_t *in, size_t len)
{
    HSB_GUARD(hsb_native_aes_check(ctx, ctr, out, in, len, 0));
    uint64_t hi = hsb_native_load_be64(ctr), lo = hsb_native_load_be64(ctr + 8);
    hsb_native_aesni_ctr_bytes((const hsb_native_aes_ctx *)ctx, &hi, &lo, out, in, len);
    hsb_native_store_be64(ctr, hi);
    hsb_native_store_be64(ctr + 8, lo);
    return HSB_OK;
}

/* ------------------------------------------------------------------ class */

static const hsb_aes_class ni_class = {
    .name = "aesni-x8",
    .ctx_size = sizeof(hsb_native_aes_ctx),
    .key_sizes = HSB_AES_KEY_128,
    .init = hsb_native_aes_init,
    .cbc_encrypt = hsb_native_aes_cbc_encrypt,
    .cbc_decrypt = ni_cbc_decrypt,
    .ctr = ni_ctr,
    .clear = hsb_native_aes_clear,
};

const hsb_aes_class *hsb_native_aes_ni_get(void)
{
    const hsb_cpu_features *f = hsb_cpu();
    /* pshufb/pinsrq need SSSE3/SSE4.1, which every AES-NI CPU has; checking
     * aesni alone is what BearSSL does too. */
    return f->aesni ? &ni_class : NULL;
}
