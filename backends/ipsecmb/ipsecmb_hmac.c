/*
 * HMAC-SHA256 (RFC 2104) through ipsec-mb's HMAC job.
 *
 * ipsec-mb computes HMAC in one job over one contiguous buffer, from the
 * SHA-256 states after the key^ipad and key^opad blocks (made once in init
 * with IMB_SHA256_ONE_BLOCK), and it exposes no SHA-256 compression from an
 * arbitrary state, so the message cannot be hashed as it arrives. The
 * context therefore buffers the message, up to HSB_IPSECMB_HMAC_MAX bytes:
 * a TLS 1.2 record's MAC input (13-byte header + up to 2^14 bytes, RFC 5246
 * 6.2.3.1) and every PRF step fit. The record path is one memcpy per
 * update and one job at final, with no allocation.
 *
 * The library's job refuses an empty message, which HMAC allows: that case
 * is computed from the padded key kept in the context, with the library's
 * one-shot SHA-256 (inner = SHA-256(K ^ ipad), tag = SHA-256(K ^ opad ||
 * inner)).
 *
 * A message longer than that cannot be MACed by this class: update records
 * HSB_E_UNSUPPORTED (hsb_last_error) and final then writes an all-zero tag,
 * which no verifier accepts, and resets.
 */
#include <stddef.h>
#include <string.h>

#include "hsb_ct.h"
#include "ipsecmb_internal.h"

#define HSB_IPSECMB_HMAC_MAX (16384 + 1024)

typedef struct hmac_ctx {
    _Alignas(16) uint8_t ipad[32]; /* SHA-256 state after (K ^ ipad) */
    _Alignas(16) uint8_t opad[32]; /* SHA-256 state after (K ^ opad) */
    _Alignas(16) uint8_t k[64];    /* K, hashed if long, zero-padded (empty messages) */
    size_t len;
    int overflow;
    int ready;
    _Alignas(64) uint8_t buf[HSB_IPSECMB_HMAC_MAX];
} hmac_ctx;

static void hmac_clear(void *ctx)
{
    hmac_ctx *c = ctx;
    /* The buffer may hold secrets (PRF seeds are not, record plaintext is). */
    hsb_wipe(c->buf, c->len < sizeof c->buf ? c->len : sizeof c->buf);
    hsb_wipe(c, offsetof(hmac_ctx, buf));
}

static hsb_rc hmac_init(void *ctx, const uint8_t *key, size_t key_len)
{
    hmac_ctx *c = ctx;
    memset(c, 0, offsetof(hmac_ctx, buf));
    HSB_ENSURE(key || key_len == 0, HSB_E_USAGE);
    IMB_MGR *m = hsb_imb_hash_mgr();
    HSB_ENSURE(m, HSB_E_NOMEM);
    _Alignas(16) uint8_t block[64];
    if (key_len > 64)
        IMB_SHA256(m, key, key_len, c->k); /* RFC 2104 2: hash long keys first */
    else if (key_len)
        memcpy(c->k, key, key_len);
    for (int i = 0; i < 64; i++) block[i] = c->k[i] ^ 0x36;
    IMB_SHA256_ONE_BLOCK(m, block, c->ipad);
    for (int i = 0; i < 64; i++) block[i] = c->k[i] ^ 0x5c;
    IMB_SHA256_ONE_BLOCK(m, block, c->opad);
    hsb_wipe(block, sizeof block);
    c->ready = 1;
    return HSB_OK;
}

static void hmac_update(void *ctx, const void *data, size_t len)
{
    hmac_ctx *c = ctx;
    if (len == 0 || c->overflow) return;
    if (len > sizeof c->buf - c->len) {
        c->overflow = 1;
        hsb_raise(HSB_E_UNSUPPORTED, __FILE__, __LINE__,
                  "ipsecmb HMAC: message over 17408 bytes (one-shot library HMAC)");
        return;
    }
    memcpy(c->buf + c->len, data, len);
    c->len += len;
}

static void hmac_final(void *ctx, uint8_t out[32])
{
    hmac_ctx *c = ctx;
    IMB_MGR *m = hsb_imb_hash_mgr();
    int ok = 0;
    if (c->ready && !c->overflow && m && c->len == 0) {
        _Alignas(16) uint8_t block[64 + 32];
        for (int i = 0; i < 64; i++) block[i] = c->k[i] ^ 0x36;
        IMB_SHA256(m, block, 64, block + 64);
        for (int i = 0; i < 64; i++) block[i] = c->k[i] ^ 0x5c;
        IMB_SHA256(m, block, sizeof block, out);
        hsb_wipe(block, sizeof block);
        ok = 1;
    } else if (c->ready && !c->overflow && m) {
        IMB_JOB *job = IMB_GET_NEXT_JOB(m);
        job->cipher_mode = IMB_CIPHER_NULL;
        job->cipher_direction = IMB_DIR_ENCRYPT;
        job->chain_order = IMB_ORDER_HASH_CIPHER;
        job->hash_alg = IMB_AUTH_HMAC_SHA_256;
        job->enc_keys = NULL;
        job->dec_keys = NULL;
        job->key_len_in_bytes = 0;
        job->src = c->buf;
        job->dst = c->buf;
        job->cipher_start_src_offset_in_bytes = 0;
        job->msg_len_to_cipher_in_bytes = 0;
        job->hash_start_src_offset_in_bytes = 0;
        job->msg_len_to_hash_in_bytes = c->len;
        job->iv = NULL;
        job->iv_len_in_bytes = 0;
        job->auth_tag_output = out;
        job->auth_tag_output_len_in_bytes = 32;
        job->u.HMAC._hashed_auth_key_xor_ipad = c->ipad;
        job->u.HMAC._hashed_auth_key_xor_opad = c->opad;
        job->user_data = NULL;
        ok = hsb_imb_run_job(m) == HSB_OK;
    }
    if (!ok) memset(out, 0, 32);
    hsb_wipe(c->buf, c->len);
    c->len = 0;
    c->overflow = 0;
}

const hsb_hmac_sha256_class hsb_ipsecmb_hmac_sha256 = {
    .name = "ipsecmb-hmac",
    .ctx_size = sizeof(hmac_ctx),
    .init = hmac_init,
    .update = hmac_update,
    .final = hmac_final,
    .clear = hmac_clear,
};
