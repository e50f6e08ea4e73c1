/*
 * AES-CBC and AES-CTR (128/192/256-bit keys) through ipsec-mb's job API.
 *
 * The context holds the expanded encryption and decryption keys (IMB's
 * keyexp, done once in init); each call fills one job on this thread's
 * IMB_MGR and submits it. CBC encryption is a multi-buffer job: alone in its
 * lanes it is completed by a flush, which is what a single TLS stream gets.
 *
 * CTR: the library increments only the low 32 bits of the counter block
 * (its SIMD add works on 32-bit lanes), while the contract wants a 128-bit
 * big-endian counter. So a request is cut where the low 32 bits would wrap,
 * and the carry into the upper 96 bits is done here between jobs.
 */
#include <string.h>

#include "hsb_ct.h"
#include "ipsecmb_internal.h"

typedef struct aes_ctx {
    _Alignas(16) uint8_t enc[16 * 15];
    _Alignas(16) uint8_t dec[16 * 15];
    uint64_t key_len;
} aes_ctx;

/* Largest length one job carries (a multiple of 16). */
#define CHUNK ((size_t)1 << 30)

static hsb_rc aes_init(void *ctx, const uint8_t *key, size_t key_len)
{
    aes_ctx *c = ctx;
    memset(c, 0, sizeof *c);
    HSB_ENSURE(key_len == 16 || key_len == 24 || key_len == 32, HSB_E_UNSUPPORTED);
    HSB_ENSURE(key, HSB_E_USAGE);
    IMB_MGR *m = hsb_imb_mgr();
    HSB_ENSURE(m, HSB_E_NOMEM);
    switch (key_len) {
    case 16:
        IMB_AES_KEYEXP_128(m, key, c->enc, c->dec);
        break;
    case 24:
        IMB_AES_KEYEXP_192(m, key, c->enc, c->dec);
        break;
    default:
        IMB_AES_KEYEXP_256(m, key, c->enc, c->dec);
        break;
    }
    c->key_len = key_len;
    return HSB_OK;
}

static void aes_clear(void *ctx)
{
    hsb_wipe(ctx, sizeof(aes_ctx));
}

static hsb_rc one_job(const aes_ctx *c, IMB_CIPHER_MODE mode, IMB_CIPHER_DIRECTION dir,
                      const uint8_t iv[16], uint8_t *out, const uint8_t *in, size_t len)
{
    IMB_MGR *m = hsb_imb_mgr();
    HSB_ENSURE(m, HSB_E_NOMEM);
    IMB_JOB *job = IMB_GET_NEXT_JOB(m);
    job->cipher_mode = mode;
    job->cipher_direction = dir;
    job->chain_order = dir == IMB_DIR_ENCRYPT ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
    job->hash_alg = IMB_AUTH_NULL;
    job->enc_keys = c->enc;
    job->dec_keys = c->dec;
    job->key_len_in_bytes = c->key_len;
    job->src = in;
    job->dst = out;
    job->cipher_start_src_offset_in_bytes = 0;
    job->msg_len_to_cipher_in_bytes = len;
    job->hash_start_src_offset_in_bytes = 0;
    job->msg_len_to_hash_in_bytes = 0;
    job->iv = iv;
    job->iv_len_in_bytes = 16;
    job->auth_tag_output = NULL;
    job->auth_tag_output_len_in_bytes = 0;
    job->user_data = NULL;
    return hsb_imb_run_job(m);
}

static hsb_rc cbc(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in, size_t len,
                  IMB_CIPHER_DIRECTION dir)
{
    const aes_ctx *c = ctx;
    HSB_ENSURE(c->key_len && iv && len % 16 == 0 && (len == 0 || (in && out)), HSB_E_USAGE);
    for (size_t off = 0; off < len;) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        uint8_t next[16]; /* the chaining block, saved before in-place decryption */
        memcpy(next, in + off + n - 16, 16);
        HSB_GUARD(one_job(c, IMB_CIPHER_CBC, dir, iv, out + off, in + off, n));
        if (dir == IMB_DIR_ENCRYPT) memcpy(next, out + off + n - 16, 16);
        memcpy(iv, next, 16);
        off += n;
    }
    return HSB_OK;
}

static hsb_rc cbc_encrypt(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                          size_t len)
{
    return cbc(ctx, iv, out, in, len, IMB_DIR_ENCRYPT);
}

static hsb_rc cbc_decrypt(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                          size_t len)
{
    return cbc(ctx, iv, out, in, len, IMB_DIR_DECRYPT);
}

/* counter += add, big-endian, mod 2^128. */
static void ctr_add(uint8_t ctr[16], uint64_t add)
{
    for (int i = 15; i >= 0 && add; i--) {
        uint64_t s = (uint64_t)ctr[i] + (add & 0xff);
        ctr[i] = (uint8_t)s;
        add = (add >> 8) + (s >> 8);
    }
}

static hsb_rc ctr(const void *ctx, uint8_t counter[16], uint8_t *out, const uint8_t *in, size_t len)
{
    const aes_ctx *c = ctx;
    HSB_ENSURE(c->key_len && counter && (len == 0 || (in && out)), HSB_E_USAGE);
    for (size_t off = 0; off < len;) {
        uint32_t low = (uint32_t)counter[12] << 24 | (uint32_t)counter[13] << 16 |
                       (uint32_t)counter[14] << 8 | counter[15];
        uint64_t to_wrap = ((uint64_t)1 << 32) - low; /* blocks before the low word wraps */
        size_t n = len - off;
        if (n > CHUNK) n = CHUNK;
        if ((uint64_t)n > to_wrap * 16) n = (size_t)(to_wrap * 16);
        HSB_GUARD(one_job(c, IMB_CIPHER_CNTR, IMB_DIR_ENCRYPT, counter, out + off, in + off, n));
        ctr_add(counter, (uint64_t)(n / 16) + (n % 16 != 0));
        off += n;
    }
    return HSB_OK;
}

const hsb_aes_class hsb_ipsecmb_aes = {
    .name = "ipsecmb-aes",
    .ctx_size = sizeof(aes_ctx),
    .key_sizes = HSB_AES_KEY_128 | HSB_AES_KEY_192 | HSB_AES_KEY_256,
    .init = aes_init,
    .cbc_encrypt = cbc_encrypt,
    .cbc_decrypt = cbc_decrypt,
    .ctr = ctr,
    .clear = aes_clear,
};
