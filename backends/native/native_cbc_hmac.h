/*
 * native_cbc_hmac.h - the native backend's cbc-hmac class (one TLS 1.2
 * MAC-then-encrypt record of AES-128-CBC + HMAC-SHA256, RFC 5246 6.2.3.2),
 * internal to backends/native and its tests.
 *
 *   cbc_hmac.c         the class: record framing, the constant-time open
 *                      (Lucky 13), the sequential kernels (any SHA-256 block
 *                      function beside AES-NI)
 *   cbc_hmac_stitch.c  the SHA-NI kernels: the serial CBC-encrypt chain (seal)
 *                      or the parallel CBC decryption (open) issued between
 *                      the SHA-256 rounds, two latency chains in one loop
 *
 * The class needs AES-NI (as all native AES does); SHA-NI picks the
 * stitched kernels, else the portable SHA-256 block function runs after
 * (seal) or before (open) the AES pass.
 */
#ifndef HSB_NATIVE_CBC_HMAC_H
#define HSB_NATIVE_CBC_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_native_aes.h"
#include "hsb_provider.h"

/* The keys every cbc-hmac context begins with (the class's ctx_size is a
 * little larger: the path chosen at init follows), so batch code may read a
 * context's keys through this type. istate/ostate: HMAC's keyed chaining
 * values (secret). */
typedef struct hsb_native_cbc_hmac_ctx {
    hsb_native_aes_ctx aes;
    uint32_t istate[8], ostate[8];
} hsb_native_cbc_hmac_ctx;

/*
 * Seal kernel: absorb nb >= 1 whole blocks of the inner message
 * hdr || data into h (block 0 is blk0 = hdr || data[0..51), block k >= 1 is
 * data + 64k - 13) and CBC-encrypt in place the data bytes
 * [0, 64 (nb - 1)) that no later block reads, chaining from chain (updated).
 */
typedef void (*hsb_native_cbc_seal_fn)(const hsb_native_aes_ctx *aes, uint32_t h[8],
                                       uint8_t chain[16], const uint8_t blk0[64], uint8_t *data,
                                       size_t nb);
/*
 * Open kernel: CBC-decrypt in place the first 64 (nb + 1) bytes of data
 * (chain: the IV in, the last ciphertext block used out) and absorb nb >= 1
 * blocks of hdr || plaintext into h, block 0 being blk0's 13 header bytes
 * followed by the first 51 plaintext bytes (the kernel fills blk0[13..64)).
 * Needs 64 (nb + 1) <= the data length.
 */
typedef void (*hsb_native_cbc_open_fn)(const hsb_native_aes_ctx *aes, uint32_t h[8],
                                       uint8_t chain[16], uint8_t blk0[64], uint8_t *data,
                                       size_t nb);

/* SHA-NI + AES-NI kernels (cbc_hmac_stitch.c); only when both are present. */
void hsb_native_cbc_seal_stitched(const hsb_native_aes_ctx *aes, uint32_t h[8], uint8_t chain[16],
                                  const uint8_t blk0[64], uint8_t *data, size_t nb);
void hsb_native_cbc_open_stitched(const hsb_native_aes_ctx *aes, uint32_t h[8], uint8_t chain[16],
                                  uint8_t blk0[64], uint8_t *data, size_t nb);

/* The class: stitched where SHA-NI is present ("cbc-hmac-stitched-shani"),
 * else sequential ("cbc-hmac-sequential": AES-NI, then the portable SHA-256);
 * NULL without AES-NI. */
const hsb_cbc_hmac_class *hsb_native_cbc_hmac_get(void);
/* The sequential class whatever the CPU has (the best SHA-256 block function
 * after or before the AES pass; tests compare the two); NULL without AES-NI. */
const hsb_cbc_hmac_class *hsb_native_cbc_hmac_sequential_get(void);

#endif
