/*
 * hsb_native_aes.h - the native backend's hand-written AES-128 (internal to
 * backends/native and its tests; core never includes it).
 *
 * Three implementations of hsb_aes_class, one per register width, each in its
 * own file and each with a getter that returns NULL when the CPU (after
 * HSB_CPU_DISABLE) lacks its instructions (BearSSL's _get_vtable() shape):
 *
 *   aes_ni.c        "aesni-x8"      AES-NI on xmm, 8 blocks in flight
 *   aes_vaes.c      "vaes256-x16"   VAES on ymm, 8 registers = 16 blocks
 *   aes_vaes512.c   "vaes512-x32"   VAES on zmm (AVX-512F), 32 blocks
 *
 * CBC encryption is one serial chain whatever the width, so every class uses
 * the xmm code of aes_ni.c for it (and for key expansion); the wide classes
 * differ only in CBC decryption and CTR. Only AES-128 is implemented: 24- and
 * 32-byte keys answer HSB_E_UNSUPPORTED.
 *
 * There is no software fallback: a CPU without AES-NI gets no native AES.
 */
#ifndef HSB_NATIVE_AES_H
#define HSB_NATIVE_AES_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_provider.h"

#define HSB_NATIVE_AES128_ROUNDS 10

/* The context every class uses (ctx_size = sizeof, HSB_CTX_ALIGN-aligned by
 * the caller). enc: the FIPS-197 5.2 key schedule, round 0 first. dec: the
 * Equivalent Inverse Cipher schedule (FIPS-197 5.3.5) in the order aesdec
 * uses it: enc[10], InvMixColumns(enc[9]) ... InvMixColumns(enc[1]), enc[0]. */
typedef struct hsb_native_aes_ctx {
    _Alignas(16) uint8_t enc[HSB_NATIVE_AES128_ROUNDS + 1][16];
    _Alignas(16) uint8_t dec[HSB_NATIVE_AES128_ROUNDS + 1][16];
} hsb_native_aes_ctx;

/* Per-width classes; NULL when this CPU (less HSB_CPU_DISABLE) cannot run them.
 *   aesni:   aesni + sse4.1 (pshufb and pinsrq come with it)
 *   vaes256: aesni + vaes + avx2
 *   vaes512: aesni + vaes + avx2 + avx512f */
const hsb_aes_class *hsb_native_aes_ni_get(void);
const hsb_aes_class *hsb_native_aes_vaes256_get(void);
const hsb_aes_class *hsb_native_aes_vaes512_get(void);
/* The widest available of the above, NULL without AES-NI. */
const hsb_aes_class *hsb_native_aes_get(void);

/* AES-128-GCM: zmm VAES + VPCLMULQDQ (gcm_vaes512.c) where AVX-512 is
 * present, else ymm VAES + VPCLMULQDQ, else xmm AES-NI + PCLMULQDQ
 * (gcm_clmul.c); NULL without AES-NI and PCLMULQDQ. 12-byte IVs only. */
const hsb_gcm_class *hsb_native_gcm_get(void);
/* The same with a given CTR path (tests): NULL when the CPU cannot run it. */
const hsb_gcm_class *hsb_native_gcm_ni_get(void);
const hsb_gcm_class *hsb_native_gcm_vaes256_get(void);
const hsb_gcm_class *hsb_native_gcm_vaes512_get(void);

/* ---- shared pieces (aes_ni.c), used by the wide classes ---- */

/* init/clear/cbc_encrypt of every class (contract in hsb_provider.h). */
hsb_rc hsb_native_aes_init(void *ctx, const uint8_t *key, size_t key_len);
hsb_rc hsb_native_aes_cbc_encrypt(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                                  size_t len);
void hsb_native_aes_clear(void *ctx);
/* The checks every mode makes before touching memory: HSB_OK, or HSB_E_USAGE
 * for NULL pointers with len > 0 or (block modes) len % 16 != 0. */
hsb_rc hsb_native_aes_check(const void *ctx, const uint8_t *v, const uint8_t *out,
                            const uint8_t *in, size_t len, int whole_blocks);

/* ---- the 128-bit counter, kept as two native words ---- */

static inline uint64_t hsb_native_load_be64(const uint8_t *p)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) x = (x << 8) | p[i];
    return x;
}
static inline void hsb_native_store_be64(uint8_t *p, uint64_t x)
{
    for (int i = 7; i >= 0; i--, x >>= 8) p[i] = (uint8_t)x;
}

/* One block, out = AES-128(key, in); in == out allowed. Needs AES-NI. */
void hsb_native_aes_encrypt_block(const hsb_native_aes_ctx *c, uint8_t out[16],
                                  const uint8_t in[16]);

/* CTR over len bytes from counter (hi, lo), xmm AES-NI; the counter after is
 * written back. No argument checks. */
void hsb_native_aesni_ctr_bytes(const hsb_native_aes_ctx *c, uint64_t *hi, uint64_t *lo,
                                uint8_t *out, const uint8_t *in, size_t len);

/* ---- the ymm bulk routines (aes_vaes.c), which the zmm class uses for the
 * blocks that do not fill its batch. No argument checks; nblocks may be 0. */

/* CBC decryption of nblocks whole blocks; *iv in and out as in the contract. */
void hsb_native_vaes256_cbc_dec_blocks(const hsb_native_aes_ctx *c, uint8_t iv[16], uint8_t *out,
                                       const uint8_t *in, size_t nblocks);
/* CTR over len bytes from counter (hi, lo); the counter after is written back. */
void hsb_native_vaes256_ctr_bytes(const hsb_native_aes_ctx *c, uint64_t *hi, uint64_t *lo,
                                  uint8_t *out, const uint8_t *in, size_t len);

/* The zmm CTR of aes_vaes512.c (32 blocks a batch, the rest by the ymm code);
 * no argument checks. Needs what hsb_native_aes_vaes512_get() checks. */
void hsb_native_vaes512_ctr_bytes(const hsb_native_aes_ctx *c, uint64_t *hi, uint64_t *lo,
                                  uint8_t *out, const uint8_t *in, size_t len);

#endif
