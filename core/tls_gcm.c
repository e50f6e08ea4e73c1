/*
 * AES-128-GCM records (RFC 5288 3, RFC 5246 6.2.3.3) through the
 * composition's gcm class:
 *
 *   body  = nonce_explicit(8) || ciphertext || tag(16)
 *   nonce = salt(4) || nonce_explicit(8), the salt being this direction's
 *           4-byte write "IV" from the key block
 *   AAD   = seq_num(8) || type || version || length, the length of the
 *           plaintext (6.2.3.3: additional_data covers TLSCompressed.length)
 *
 * The explicit nonce we send is the record's sequence number (RFC 5288 3
 * allows it: "MAY be the 64-bit sequence number"), so it never repeats under
 * one key. A receiver takes the explicit nonce as it comes: RFC 5288 puts
 * the uniqueness duty on the sender and gives the receiver no rule to check
 * it (as OpenSSL does, a repeated explicit nonce is opened like any other);
 * replays and reordering are still refused because the AAD carries the
 * receiver's own sequence number. Every failure (a body too short to hold
 * the nonce and the tag, a tag that does not verify) is bad_record_mac; the
 * gcm class checks the tag in constant time and releases no plaintext of a
 * forged record.
 */
#include <string.h>

#include "tls_internal.h"

static void put_be64(uint8_t out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void make_nonce(uint8_t nonce[12], const uint8_t salt[TLS_GCM_SALT_LEN],
                       const uint8_t *explicit_part)
{
    memcpy(nonce, salt, TLS_GCM_SALT_LEN);
    memcpy(nonce + TLS_GCM_SALT_LEN, explicit_part, TLS_GCM_EXPLICIT_LEN);
}

hsb_rc tls_gcm_seal(hsb_tls_conn *c, uint8_t type, uint8_t *out, const uint8_t *data, size_t len,
                    size_t *body)
{
    uint8_t *ct = out + TLS_GCM_EXPLICIT_LEN;
    memmove(ct, data, len); /* data may lie in the output buffer */
    put_be64(out, c->fix_nonce ? c->fixed_nonce : c->seq_w);
    uint8_t nonce[12], aad[13];
    make_nonce(nonce, c->salt_w, out);
    tls_mac_header(aad, c->seq_w, type, len);
    HSB_GUARD(
        c->cls->gcm->seal(c->gcm_w, nonce, sizeof nonce, aad, sizeof aad, ct, ct, len, ct + len));
    *body = TLS_GCM_EXPLICIT_LEN + len + TLS_GCM_TAG_LEN;
    return HSB_OK;
}

hsb_rc tls_gcm_open(hsb_tls_conn *c, uint8_t type, uint8_t *p, size_t len, size_t *plen)
{
    if (len < TLS_GCM_EXPLICIT_LEN + TLS_GCM_TAG_LEN)
        HSB_BAIL_MSG(HSB_E_DECRYPT, "record too short for a GCM nonce and tag");
    size_t n = len - TLS_GCM_EXPLICIT_LEN - TLS_GCM_TAG_LEN;
    uint8_t *ct = p + TLS_GCM_EXPLICIT_LEN;
    uint8_t nonce[12], aad[13];
    make_nonce(nonce, c->salt_r, p);
    tls_mac_header(aad, c->seq_r, type, n);
    hsb_rc rc =
        c->cls->gcm->open(c->gcm_r, nonce, sizeof nonce, aad, sizeof aad, ct, ct, n, ct + n);
    if (rc == HSB_E_DECRYPT) HSB_BAIL_MSG(HSB_E_DECRYPT, "bad record tag");
    HSB_GUARD(rc);
    *plen = n;
    return HSB_OK;
}
