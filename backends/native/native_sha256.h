/*
 * native_sha256.h - the native backend's SHA-256 and HMAC-SHA256 (internal to
 * backends/native and its tests; core never includes it).
 *
 * The algorithm is FIPS 180-4 (section 6.2); HMAC is RFC 2104. One stream:
 *
 *   sha256_portable.c  "sha256-portable" / "hmac-sha256-portable"  plain C
 *   sha256_shani.c     "sha256-shani"    / "hmac-sha256-shani"     SHA-NI
 *
 * Both are the same streaming code (sha256_stream.c) over a different block
 * function. Many independent messages (sha256_mb.c, multi-buffer, one message
 * per 32-bit lane, state transposed):
 *
 *   sha256_mb_avx512.c  16 lanes on zmm (AVX-512F/BW)
 *   sha256_mb_avx2.c     8 lanes on ymm (AVX2)
 *   portable             a loop over the one-stream code
 *
 * Paths are chosen at run time from hsb_cpu(), so HSB_CPU_DISABLE=sha forces
 * the portable block function and =avx2,avx512 the portable multi-buffer.
 */
#ifndef HSB_NATIVE_SHA256_H
#define HSB_NATIVE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_provider.h"

/* FIPS 180-4 5.3.3 and 4.2.2. */
extern const uint32_t hsb_native_sha256_iv[8];
extern const uint32_t hsb_native_sha256_k[64];

/* Absorb nblocks whole 64-byte blocks into h (H0..H7, native order). */
typedef void (*hsb_native_sha256_blocks_fn)(uint32_t h[8], const uint8_t *in, size_t nblocks);

void hsb_native_sha256_blocks_portable(uint32_t h[8], const uint8_t *in, size_t nblocks);
/* Only when hsb_native_sha256_blocks_shani_ok(); the SHA-NI instructions
 * (and SSE4.1, which every SHA-NI CPU has) are enabled on this function only. */
void hsb_native_sha256_blocks_shani(uint32_t h[8], const uint8_t *in, size_t nblocks);
int hsb_native_sha256_blocks_shani_ok(void);
/* The best block function this CPU runs (after HSB_CPU_DISABLE). */
hsb_native_sha256_blocks_fn hsb_native_sha256_blocks_best(void);

/* ---- one stream ---- */

/* The context of every sha256 class (ctx_size = sizeof). total counts every
 * byte absorbed, including those of a prefix state (HMAC's key block). */
typedef struct hsb_native_sha256_ctx {
    uint32_t h[8];
    uint64_t total;
    uint8_t buf[64];
} hsb_native_sha256_ctx;

/* The context of every hmac-sha256 class. istate/ostate: the chaining values
 * after the key block xor ipad / opad (RFC 2104 step 1-2, 5); secret, wiped
 * on clear. */
typedef struct hsb_native_hmac_ctx {
    hsb_native_sha256_ctx inner;
    uint32_t istate[8], ostate[8];
} hsb_native_hmac_ctx;

/* The streaming code over a block function (sha256_stream.c). */
void hsb_native_sha256_start(hsb_native_sha256_ctx *c);
void hsb_native_sha256_absorb(hsb_native_sha256_ctx *c, const void *data, size_t len,
                              hsb_native_sha256_blocks_fn blocks);
void hsb_native_sha256_finish(hsb_native_sha256_ctx *c, uint8_t out[32],
                              hsb_native_sha256_blocks_fn blocks);
/* The keyed chaining values of key (any length; longer than 64 bytes is
 * hashed first, RFC 2104 section 2). Every temporary is wiped. */
void hsb_native_hmac_key(uint32_t istate[8], uint32_t ostate[8], const uint8_t *key, size_t key_len,
                         hsb_native_sha256_blocks_fn blocks);
/* The outer hash: tag = H(ostate-prefixed block || inner digest). */
void hsb_native_hmac_outer(const uint32_t ostate[8], const uint8_t inner[32], uint8_t tag[32],
                           hsb_native_sha256_blocks_fn blocks);

/* Classes (contracts in hsb_provider.h). The SHA-NI getters return NULL when
 * the CPU (after HSB_CPU_DISABLE=sha) lacks SHA-NI; the portable ones always
 * answer. hsb_native_sha256_get / hsb_native_hmac_get: the best of them. */
const hsb_sha256_class *hsb_native_sha256_portable_get(void);
const hsb_sha256_class *hsb_native_sha256_shani_get(void);
const hsb_sha256_class *hsb_native_sha256_get(void);
const hsb_hmac_sha256_class *hsb_native_hmac_portable_get(void);
const hsb_hmac_sha256_class *hsb_native_hmac_shani_get(void);
const hsb_hmac_sha256_class *hsb_native_hmac_get(void);

/* ---- many messages (multi-buffer) ---- */

typedef enum hsb_native_mb_path {
    HSB_NATIVE_MB_AUTO = 0, /* the widest this CPU runs */
    HSB_NATIVE_MB_PORTABLE, /* one message at a time, best one-stream code */
    HSB_NATIVE_MB_AVX2,     /* 8 lanes, needs AVX2 */
    HSB_NATIVE_MB_AVX512,   /* 16 lanes, needs AVX-512F and AVX-512BW */
} hsb_native_mb_path;

/* Whether this CPU (after HSB_CPU_DISABLE) runs path; AUTO and PORTABLE: 1. */
int hsb_native_sha256_mb_available(hsb_native_mb_path path);
/* "auto", "portable", "avx2-x8", "avx512-x16"; AUTO names the path it picks. */
const char *hsb_native_sha256_mb_path_name(hsb_native_mb_path path);

/*
 * out[i] = SHA-256(msg[i][0 .. len[i])) for i < n. Messages are independent
 * and of any lengths (msg[i] may be NULL when len[i] == 0); any n (batches of
 * the path's lane count; full blocks common to a batch run in lockstep, the
 * rest of each message is finished per lane). out may not overlap a message.
 * Returns HSB_OK, HSB_E_USAGE for NULL arrays with n > 0 or a NULL message
 * with len > 0, HSB_E_UNAVAILABLE for a path the CPU lacks. Allocates nothing.
 */
hsb_rc hsb_native_sha256_mb(const uint8_t *const msg[], const size_t len[], size_t n,
                            uint8_t (*out)[32]);
hsb_rc hsb_native_sha256_mb_path(hsb_native_mb_path path, const uint8_t *const msg[],
                                 const size_t len[], size_t n, uint8_t (*out)[32]);

/* A prepared HMAC-SHA256 key for the multi-buffer calls: the chaining values
 * after key^ipad and key^opad. Secret: clear it with
 * hsb_native_hmac_mb_key_clear. */
typedef struct hsb_native_hmac_mb_key {
    uint32_t istate[8], ostate[8];
} hsb_native_hmac_mb_key;

/* Any key length (key may be NULL when key_len == 0). */
hsb_rc hsb_native_hmac_mb_key_init(hsb_native_hmac_mb_key *k, const uint8_t *key, size_t key_len);
void hsb_native_hmac_mb_key_clear(hsb_native_hmac_mb_key *k);

/*
 * tag[i] = HMAC-SHA256(key[i], msg[i][0 .. len[i])) for i < n; key[i] may all
 * point to one key (a connection's records) or differ. Lengths, n, aliasing
 * and return values as hsb_native_sha256_mb. Runs in time independent of the
 * keys' values. The inner digests are wiped before returning.
 */
hsb_rc hsb_native_hmac_sha256_mb(const hsb_native_hmac_mb_key *const key[],
                                 const uint8_t *const msg[], const size_t len[], size_t n,
                                 uint8_t (*tag)[32]);
hsb_rc hsb_native_hmac_sha256_mb_path(hsb_native_mb_path path,
                                      const hsb_native_hmac_mb_key *const key[],
                                      const uint8_t *const msg[], const size_t len[], size_t n,
                                      uint8_t (*tag)[32]);

/*
 * out[i] = the SHA-256 digest of a message whose first prefix bytes (a
 * multiple of 64, the same for every i) are already absorbed into the
 * chaining value init[i], followed by msg[i][0 .. len[i]): the automatic
 * path of hsb_native_sha256_mb from per-message states. For callers that
 * absorb a first block of their own (the multi-buffer record seal puts each
 * record's MAC header in front of its data this way). Arguments and return
 * values as hsb_native_sha256_mb, and HSB_E_USAGE for a NULL init with n > 0.
 */
hsb_rc hsb_native_sha256_mb_resume(const uint32_t *const init[], uint64_t prefix,
                                   const uint8_t *const msg[], const size_t len[], size_t n,
                                   uint8_t (*out)[32]);

/* ---- lane kernels (sha256_mb_avx2.c, sha256_mb_avx512.c) ---- */

#define HSB_NATIVE_MB_MAX_LANES 16

/*
 * st[w][l]: chaining value word w of lane l (transposed). Absorbs nblocks
 * blocks per lane, lane l's from blk[l], blk[l] + 64, ... (every lane reads
 * nblocks blocks; unused lanes point at any readable blocks).
 */
void hsb_native_sha256_x8_avx2(uint32_t st[8][8], const uint8_t *const blk[8], size_t nblocks);
void hsb_native_sha256_x16_avx512(uint32_t st[8][16], const uint8_t *const blk[16], size_t nblocks);
/* w (16 __m512i, 64-byte aligned): w[j] = big-endian word j of the 64 bytes
 * at p[l] + off in lane l; the 16x16 transpose of the AVX-512 kernel, for
 * kernels that interleave other work with its rounds (seal_mb_vaes512.c).
 * Only with AVX-512F and AVX-512BW. */
void hsb_native_sha256_x16_load(void *w, const uint8_t *const p[16], size_t off);

/* ---- the classes over a block function (one expansion per path file) ---- */

/* Defines static const classes sha_var (hsb_sha256_class) and hmac_var
 * (hsb_hmac_sha256_class) named sha_name / hmac_name over block function fn.
 * clear wipes the whole context (the HMAC chaining values are secret). */
#define HSB_NATIVE_SHA256_CLASSES(p, fn, sha_var, sha_name, hmac_var, hmac_name)                   \
    static hsb_rc p##_sha_init(void *ctx)                                                          \
    {                                                                                              \
        hsb_native_sha256_start(ctx);                                                              \
        return HSB_OK;                                                                             \
    }                                                                                              \
    static void p##_sha_update(void *ctx, const void *data, size_t len)                            \
    {                                                                                              \
        hsb_native_sha256_absorb(ctx, data, len, fn);                                              \
    }                                                                                              \
    static void p##_sha_final(void *ctx, uint8_t out[32])                                          \
    {                                                                                              \
        hsb_native_sha256_finish(ctx, out, fn);                                                    \
    }                                                                                              \
    static hsb_rc p##_sha_copy(void *dst, const void *src)                                         \
    {                                                                                              \
        memcpy(dst, src, sizeof(hsb_native_sha256_ctx));                                           \
        return HSB_OK;                                                                             \
    }                                                                                              \
    static void p##_sha_clear(void *ctx)                                                           \
    {                                                                                              \
        hsb_wipe(ctx, sizeof(hsb_native_sha256_ctx));                                              \
    }                                                                                              \
    static const hsb_sha256_class sha_var = {                                                      \
        .name = sha_name,                                                                          \
        .ctx_size = sizeof(hsb_native_sha256_ctx),                                                 \
        .init = p##_sha_init,                                                                      \
        .update = p##_sha_update,                                                                  \
        .final = p##_sha_final,                                                                    \
        .copy = p##_sha_copy,                                                                      \
        .clear = p##_sha_clear,                                                                    \
    };                                                                                             \
    static void p##_hmac_rewind(hsb_native_hmac_ctx *c)                                            \
    {                                                                                              \
        memcpy(c->inner.h, c->istate, sizeof c->inner.h);                                          \
        c->inner.total = 64;                                                                       \
    }                                                                                              \
    static hsb_rc p##_hmac_init(void *ctx, const uint8_t *key, size_t key_len)                     \
    {                                                                                              \
        hsb_native_hmac_ctx *c = ctx;                                                              \
        HSB_ENSURE(key || key_len == 0, HSB_E_USAGE);                                              \
        hsb_native_hmac_key(c->istate, c->ostate, key, key_len, fn);                               \
        p##_hmac_rewind(c);                                                                        \
        return HSB_OK;                                                                             \
    }                                                                                              \
    static void p##_hmac_update(void *ctx, const void *data, size_t len)                           \
    {                                                                                              \
        hsb_native_sha256_absorb(&((hsb_native_hmac_ctx *)ctx)->inner, data, len, fn);             \
    }                                                                                              \
    static void p##_hmac_final(void *ctx, uint8_t out[32])                                         \
    {                                                                                              \
        hsb_native_hmac_ctx *c = ctx;                                                              \
        uint8_t in_[32];                                                                           \
        hsb_native_sha256_finish(&c->inner, in_, fn);                                              \
        hsb_native_hmac_outer(c->ostate, in_, out, fn);                                            \
        hsb_wipe(in_, sizeof in_);                                                                 \
        p##_hmac_rewind(c);                                                                        \
    }                                                                                              \
    static void p##_hmac_clear(void *ctx)                                                          \
    {                                                                                              \
        hsb_wipe(ctx, sizeof(hsb_native_hmac_ctx));                                                \
    }                                                                                              \
    static const hsb_hmac_sha256_class hmac_var = {                                                \
        .name = hmac_name,                                                                         \
        .ctx_size = sizeof(hsb_native_hmac_ctx),                                                   \
        .init = p##_hmac_init,                                                                     \
        .update = p##_hmac_update,                                                                 \
        .final = p##_hmac_final,                                                                   \
        .clear = p##_hmac_clear,                                                                   \
    }

#endif
