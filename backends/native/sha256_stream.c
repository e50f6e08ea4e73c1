/*
 * sha256_stream.c - what every native SHA-256 path shares: the constants,
 * buffering of partial blocks, padding (FIPS 180-4 5.1.1), and HMAC's key
 * blocks and outer hash (RFC 2104), each over a block function.
 *
 * Nothing here branches on or indexes by data values: only on lengths, which
 * are public (an HMAC key's length is not secret; its bytes are).
 */
#include <string.h>

#include "hsb_ct.h"
#include "native_sha256.h"

const uint32_t hsb_native_sha256_iv[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

const uint32_t hsb_native_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void store_be32(uint8_t *p, uint32_t x)
{
    p[0] = (uint8_t)(x >> 24);
    p[1] = (uint8_t)(x >> 16);
    p[2] = (uint8_t)(x >> 8);
    p[3] = (uint8_t)x;
}

void hsb_native_sha256_start(hsb_native_sha256_ctx *c)
{
    memcpy(c->h, hsb_native_sha256_iv, sizeof c->h);
    c->total = 0;
}

void hsb_native_sha256_absorb(hsb_native_sha256_ctx *c, const void *data, size_t len,
                              hsb_native_sha256_blocks_fn blocks)
{
    if (len == 0) return; /* data may be NULL then (memcpy's arguments must not be) */
    const uint8_t *p = data;
    size_t have = (size_t)(c->total & 63);
    c->total += len;
    if (have) {
        size_t take = 64 - have < len ? 64 - have : len;
        memcpy(c->buf + have, p, take);
        p += take;
        len -= take;
        if (have + take < 64) return;
        blocks(c->h, c->buf, 1);
    }
    if (len >= 64) {
        blocks(c->h, p, len / 64);
        p += len & ~(size_t)63;
        len &= 63;
    }
    if (len) memcpy(c->buf, p, len);
}

void hsb_native_sha256_finish(hsb_native_sha256_ctx *c, uint8_t out[32],
                              hsb_native_sha256_blocks_fn blocks)
{
    /* 0x80, zeros to 56 mod 64, then the length in bits, big-endian. */
    uint64_t bits = c->total << 3;
    size_t have = (size_t)(c->total & 63);
    c->buf[have++] = 0x80;
    if (have > 56) {
        memset(c->buf + have, 0, 64 - have);
        blocks(c->h, c->buf, 1);
        have = 0;
    }
    memset(c->buf + have, 0, 56 - have);
    store_be32(c->buf + 56, (uint32_t)(bits >> 32));
    store_be32(c->buf + 60, (uint32_t)bits);
    blocks(c->h, c->buf, 1);
    for (int i = 0; i < 8; i++) store_be32(out + 4 * i, c->h[i]);
    hsb_wipe(c->buf, sizeof c->buf);
    hsb_native_sha256_start(c);
}

void hsb_native_hmac_key(uint32_t istate[8], uint32_t ostate[8], const uint8_t *key, size_t key_len,
                         hsb_native_sha256_blocks_fn blocks)
{
    uint8_t k0[64], pad[64];
    memset(k0, 0, sizeof k0);
    if (key_len > 64) {
        hsb_native_sha256_ctx t;
        hsb_native_sha256_start(&t);
        hsb_native_sha256_absorb(&t, key, key_len, blocks);
        hsb_native_sha256_finish(&t, k0, blocks);
        hsb_wipe(&t, sizeof t);
    } else if (key_len) {
        memcpy(k0, key, key_len);
    }
    for (int i = 0; i < 64; i++) pad[i] = k0[i] ^ 0x36;
    memcpy(istate, hsb_native_sha256_iv, 32);
    blocks(istate, pad, 1);
    for (int i = 0; i < 64; i++) pad[i] = k0[i] ^ 0x5c;
    memcpy(ostate, hsb_native_sha256_iv, 32);
    blocks(ostate, pad, 1);
    hsb_wipe(k0, sizeof k0);
    hsb_wipe(pad, sizeof pad);
}

void hsb_native_hmac_outer(const uint32_t ostate[8], const uint8_t inner[32], uint8_t tag[32],
                           hsb_native_sha256_blocks_fn blocks)
{
    /* One block: the 32-byte inner digest, padding, length (64 + 32) * 8. */
    uint8_t blk[64];
    uint32_t h[8];
    memcpy(blk, inner, 32);
    blk[32] = 0x80;
    memset(blk + 33, 0, 31);
    blk[62] = (uint8_t)((96 * 8) >> 8);
    blk[63] = (uint8_t)(96 * 8);
    memcpy(h, ostate, sizeof h);
    blocks(h, blk, 1);
    for (int i = 0; i < 8; i++) store_be32(tag + 4 * i, h[i]);
    hsb_wipe(blk, sizeof blk);
    hsb_wipe(h, sizeof h);
}
