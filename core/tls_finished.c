/*
 * The key schedule (RFC 5246 6.3, 8.1) and Finished (7.4.9).
 *
 *   master_secret = PRF(pre_master_secret, "master secret",
 *                       ClientHello.random || ServerHello.random)[0..47]
 *   or, with extended_master_secret negotiated (RFC 7627 4),
 *   master_secret = PRF(pre_master_secret, "extended master secret",
 *                       session_hash)[0..47]
 *   key_block     = PRF(master_secret, "key expansion",
 *                       ServerHello.random || ClientHello.random)
 *                 = client_write_MAC_key[32] || server_write_MAC_key[32] ||
 *                   client_write_key[16] || server_write_key[16]
 *   (no IVs: TLS 1.2 CBC records carry an explicit IV)
 *   or, for the AES-128-GCM suites (RFC 5288 3: no MAC keys, 4-byte IVs),
 *                 = client_write_key[16] || server_write_key[16] ||
 *                   client_write_IV[4] || server_write_IV[4]
 *   verify_data   = PRF(master_secret, finished_label,
 *                       SHA-256(handshake_messages))[0..11]
 */
#include <string.h>

#include "hsb_ct.h"
#include "hsb_prf.h"
#include "tls_internal.h"

size_t tls_key_block_len(const hsb_tls_conn *c)
{
    return c->gcm ? 2 * TLS_KEY_LEN + 2 * TLS_GCM_SALT_LEN : 2 * TLS_MAC_LEN + 2 * TLS_KEY_LEN;
}

static hsb_rc key_block(hsb_tls_conn *c)
{
    HSB_GUARD(hsb_tls12_prf(c->cls->hmac, c->thr->hmac, c->master, sizeof c->master,
                            "key expansion", c->server_random, 32, c->client_random, 32,
                            c->key_block, tls_key_block_len(c)));
    c->keys_ready = 1;
    return HSB_OK;
}

hsb_rc tls_derive_keys(hsb_tls_conn *c, const uint8_t *premaster, size_t len)
{
    if (c->ems) {
        /* The session hash must cover ClientKeyExchange (RFC 7627 4), which
         * is not in the transcript while its handler runs: keep the
         * premaster until the driver calls tls_finish_master after it. */
        HSB_ENSURE(len <= sizeof c->pms, HSB_E_INTERNAL);
        memcpy(c->pms, premaster, len);
        c->pms_len = len;
        return HSB_OK;
    }
    HSB_GUARD(hsb_tls12_prf(c->cls->hmac, c->thr->hmac, premaster, len, "master secret",
                            c->client_random, 32, c->server_random, 32, c->master,
                            sizeof c->master));
    return key_block(c);
}

hsb_rc tls_finish_master(hsb_tls_conn *c)
{
    if (c->keys_ready || c->pms_len == 0) return HSB_OK;
    hsb_rc rc = tls_ext_ems_master(c, c->pms, c->pms_len);
    hsb_wipe(c->pms, c->pms_len);
    c->pms_len = 0;
    HSB_GUARD(rc);
    return key_block(c);
}

/* The keys one side writes with: CBC, its MAC key (*mac) and AES key;
 * GCM, its AES key and 4-byte salt (*mac). */
static void side_keys(const hsb_tls_conn *c, hsb_tls_role side, const uint8_t **mac,
                      const uint8_t **key)
{
    const uint8_t *kb = c->key_block;
    int s = side == HSB_TLS_CLIENT ? 0 : 1;
    if (c->gcm) {
        *key = kb + s * TLS_KEY_LEN;
        *mac = kb + 2 * TLS_KEY_LEN + s * TLS_GCM_SALT_LEN;
        return;
    }
    *mac = kb + s * TLS_MAC_LEN;
    *key = kb + 2 * TLS_MAC_LEN + s * TLS_KEY_LEN;
}

/* Key one direction's contexts (write: 1) for side's keys. */
static hsb_rc key_direction(hsb_tls_conn *c, int write, hsb_tls_role side)
{
    const hsb_backend *b = c->cls;
    const uint8_t *mac, *key;
    side_keys(c, side, &mac, &key);
    if (c->gcm) {
        HSB_ENSURE(b->gcm, HSB_E_INTERNAL); /* the config refused GCM without it */
        memcpy(write ? c->salt_w : c->salt_r, mac, TLS_GCM_SALT_LEN);
        HSB_GUARD(b->gcm->init(write ? c->gcm_w : c->gcm_r, key, TLS_KEY_LEN));
        *(write ? &c->gcm_w_ready : &c->gcm_r_ready) = 1;
        return HSB_OK;
    }
    if (b->cbc_hmac && !c->etm) {
        /* One class for the whole MAC-then-encrypt record (it may stitch). */
        HSB_GUARD(
            b->cbc_hmac->init(write ? c->cbc_w : c->cbc_r, key, TLS_KEY_LEN, mac, TLS_MAC_LEN));
        *(write ? &c->cbc_w_ready : &c->cbc_r_ready) = 1;
        return HSB_OK;
    }
    HSB_GUARD(b->hmac->init(write ? c->hmac_w : c->hmac_r, mac, TLS_MAC_LEN));
    *(write ? &c->hmac_w_ready : &c->hmac_r_ready) = 1;
    HSB_GUARD(b->aes->init(write ? c->aes_w : c->aes_r, key, TLS_KEY_LEN));
    *(write ? &c->aes_w_ready : &c->aes_r_ready) = 1;
    return HSB_OK;
}

hsb_rc tls_activate_write(hsb_tls_conn *c)
{
    HSB_ENSURE(c->keys_ready, HSB_E_INTERNAL);
    HSB_GUARD(key_direction(c, 1, c->role));
    c->cipher_w = 1;
    c->seq_w = 0;
    c->seq_w_done = 0;
    return HSB_OK;
}

hsb_rc tls_activate_read(hsb_tls_conn *c)
{
    if (!c->keys_ready)
        return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                        "ChangeCipherSpec before the keys exist");
    HSB_GUARD(key_direction(c, 0, c->role == HSB_TLS_CLIENT ? HSB_TLS_SERVER : HSB_TLS_CLIENT));
    c->cipher_r = 1;
    c->seq_r = 0;
    c->seq_r_done = 0;
    return HSB_OK;
}

static hsb_rc verify_data(hsb_tls_conn *c, hsb_tls_role side, uint8_t out[TLS_VERIFY_LEN])
{
    uint8_t hash[32];
    HSB_GUARD(tls_transcript_hash(c, hash));
    return hsb_tls12_prf(c->cls->hmac, c->thr->hmac, c->master, sizeof c->master,
                         side == HSB_TLS_CLIENT ? "client finished" : "server finished", hash,
                         sizeof hash, NULL, 0, out, TLS_VERIFY_LEN);
}

hsb_rc tls_finished_write(hsb_tls_conn *c, hsb_stuffer *out)
{
    uint8_t v[TLS_VERIFY_LEN];
    HSB_GUARD(verify_data(c, c->role, v));
    return hsb_stuffer_write_bytes(out, v, sizeof v);
}

hsb_rc tls_finished_read(hsb_tls_conn *c, hsb_stuffer *in)
{
    uint8_t want[TLS_VERIFY_LEN];
    const uint8_t *got;
    if (hsb_stuffer_remaining(in) != TLS_VERIFY_LEN ||
        hsb_stuffer_read_ptr(in, TLS_VERIFY_LEN, &got) != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL, "Finished is not %d bytes",
                        TLS_VERIFY_LEN);
    HSB_GUARD(verify_data(c, c->role == HSB_TLS_CLIENT ? HSB_TLS_SERVER : HSB_TLS_CLIENT, want));
    uint32_t ok = hsb_ct_memeq(want, got, TLS_VERIFY_LEN);
    hsb_wipe(want, sizeof want);
    if (!ok)
        return tls_fail(c, HSB_TLS_ALERT_DECRYPT_ERROR, HSB_E_DECRYPT,
                        "Finished verify_data does not match");
    return HSB_OK;
}
