/*
 * Encrypt-then-MAC records (RFC 7366 3) for AES-128-CBC + HMAC-SHA256:
 *
 *   body = IV || ENC(data || padding || padding_length) || MAC
 *   MAC  = HMAC(seq_num || type || version || length || IV || ciphertext)
 *
 * where length is that of IV || ciphertext (the record body without the
 * MAC, 7366 3). Padding is as in RFC 5246 6.2.3.2: every padding byte, and
 * the length byte, equal to the padding length.
 *
 * Opening checks the MAC over the ciphertext first (hsb_ct_memeq) and
 * decrypts only a record that verified. Nothing secret decides a branch
 * before that: the length checks use the record's public length. After a
 * good MAC the plaintext came from the peer that holds the key, so the
 * padding checks that follow need no constant-time care (7366 3: no
 * padding oracle remains). Any failure is bad_record_mac.
 */
#include <string.h>

#include "hsb_ct.h"
#include "tls_internal.h"

hsb_rc tls_etm_seal(hsb_tls_conn *c, uint8_t type, uint8_t *out, const uint8_t *data, size_t len,
                    size_t *body)
{
    const hsb_backend *b = c->cls;
    size_t pad = 15 - (len % 16);
    size_t enc = len + pad + 1;
    uint8_t *iv = out, *ct = out + TLS_IV_LEN;
    memmove(ct, data, len);
    memset(ct + len, (int)pad, pad + 1);
    HSB_GUARD(b->rng->fill(iv, TLS_IV_LEN));
    uint8_t chain[16];
    memcpy(chain, iv, 16);
    HSB_GUARD(b->aes->cbc_encrypt(c->aes_w, chain, ct, ct, enc));
    uint8_t h[13];
    tls_mac_header(h, c->seq_w, type, TLS_IV_LEN + enc);
    b->hmac->update(c->hmac_w, h, sizeof h);
    b->hmac->update(c->hmac_w, out, TLS_IV_LEN + enc);
    b->hmac->final(c->hmac_w, ct + enc);
    *body = TLS_IV_LEN + enc + TLS_MAC_LEN;
    return HSB_OK;
}

hsb_rc tls_etm_open(hsb_tls_conn *c, uint8_t type, uint8_t *p, size_t len, size_t *plen)
{
    const hsb_backend *b = c->cls;
    /* IV, at least one block, the MAC; the ciphertext whole blocks. */
    if (len < TLS_IV_LEN + 16 + TLS_MAC_LEN || (len - TLS_MAC_LEN) % 16 != 0)
        HSB_BAIL_MSG(HSB_E_DECRYPT, "bad record length");
    size_t signed_len = len - TLS_MAC_LEN;
    uint8_t h[13], mac[TLS_MAC_LEN];
    tls_mac_header(h, c->seq_r, type, signed_len);
    b->hmac->update(c->hmac_r, h, sizeof h);
    b->hmac->update(c->hmac_r, p, signed_len);
    b->hmac->final(c->hmac_r, mac);
    uint32_t good = hsb_ct_memeq(mac, p + signed_len, TLS_MAC_LEN);
    hsb_wipe(mac, sizeof mac);
    if (!hsb_ct_barrier32(good)) HSB_BAIL_MSG(HSB_E_DECRYPT, "bad record MAC");

    /* RFC 7366 3: only now decrypt. */
    uint8_t iv[16];
    memcpy(iv, p, 16);
    uint8_t *plain = p + TLS_IV_LEN;
    size_t n = signed_len - TLS_IV_LEN;
    HSB_GUARD(b->aes->cbc_decrypt(c->aes_r, iv, plain, plain, n));
    size_t pad = plain[n - 1];
    if (pad + 1 > n) HSB_BAIL_MSG(HSB_E_DECRYPT, "bad record padding");
    for (size_t i = n - 1 - pad; i < n - 1; i++)
        if (plain[i] != pad) HSB_BAIL_MSG(HSB_E_DECRYPT, "bad record padding");
    *plen = n - pad - 1;
    return HSB_OK;
}
