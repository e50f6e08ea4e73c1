/*
 * The TLS 1.2 record layer (RFC 5246 6.2) for AES-128-CBC + HMAC-SHA256:
 * MAC-then-encrypt with an explicit IV per record, or encrypt-then-MAC
 * when RFC 7366 was negotiated (tls_etm.c; the open path there checks the
 * MAC before it decrypts, so none of the Lucky13 care below applies); and
 * the framing of AES-128-GCM records, sealed and opened by tls_gcm.c.
 *
 * Sealing (6.2.3.2): the IV is 16 bytes from the composition's RNG class for
 * every record (as OpenSSL does for TLS 1.1+ CBC), so no IV is ever predictable
 * from earlier ciphertext. MAC = HMAC(seq_num(8) || type || version || length
 * || data); then data || MAC || padding (every padding byte, and the length
 * byte, equal to the padding length) is CBC-encrypted in place.
 *
 * A composition with a cbc-hmac class seals and opens the whole record
 * through it (one call, which may stitch AES and SHA-256; its open keeps the
 * same constant-time promises as below); otherwise the aes and hmac-sha256
 * classes are called piece by piece. The bytes on the wire are the same.
 *
 * Opening, with Lucky13 in mind (AlFardan & Paterson 2013):
 *  - the only public facts are the record's length and the final verdict;
 *    every failure (length not a block multiple, bad padding, bad MAC) gives
 *    HSB_E_DECRYPT and the alert bad_record_mac;
 *  - the padding is checked without branches over the last 256 bytes (or the
 *    whole plaintext when shorter); on bad padding the MAC is computed as if
 *    the padding were empty (RFC 5246 6.2.3.2 implementation note);
 *  - the HMAC runs over the real data, then the same thread's sink SHA-256
 *    absorbs as many whole dummy blocks as the real MAC skipped compared with
 *    the longest possible data for this record length, so the number of
 *    SHA-256 compression calls per record depends only on its length (this
 *    assumes the backends' update() compresses each complete 64-byte block as
 *    it arrives, as every SHA-256 here does);
 *  - the received MAC is copied out of its secret position by scanning the
 *    whole window where it can lie and rotating in constant time;
 *  - MACs are compared with hsb_ct_memeq.
 */
#include <string.h>

#include "hsb_ct.h"
#include "tls_internal.h"

/* ------------------------------------------------------------- output */

size_t tls_out_free(const hsb_tls_conn *c)
{
    return TLS_OUT_CAP - c->out_end;
}

hsb_rc tls_flush(hsb_tls_conn *c)
{
    while (c->out_start < c->out_end) {
        size_t n = 0;
        hsb_rc rc = c->tr.send(c->tr.io, c->out + c->out_start, c->out_end - c->out_start, &n);
        if (rc == HSB_E_WOULD_BLOCK) return rc;
        if (rc != HSB_OK)
            return tls_fail(c, TLS_ALERT_NONE, HSB_E_IO, "transport send failed: %s",
                            hsb_last_error());
        c->out_start += n;
    }
    c->out_start = c->out_end = 0;
    c->out_hs_rec = SIZE_MAX;
    return HSB_OK;
}

void tls_put_header(uint8_t p[TLS_HEADER_LEN], uint8_t type, size_t len)
{
    p[0] = type;
    p[1] = TLS_VERSION_MAJOR;
    p[2] = TLS_VERSION_MINOR;
    p[3] = (uint8_t)(len >> 8);
    p[4] = (uint8_t)len;
}

static void seq_bytes(uint8_t out[8], uint64_t seq)
{
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(seq >> (56 - 8 * i));
}

void tls_mac_header(uint8_t h[13], uint64_t seq, uint8_t type, size_t len)
{
    seq_bytes(h, seq);
    h[8] = type;
    h[9] = TLS_VERSION_MAJOR;
    h[10] = TLS_VERSION_MINOR;
    h[11] = (uint8_t)(len >> 8);
    h[12] = (uint8_t)len;
}

/* MAC-then-encrypt (RFC 5246 6.2.3.2) into out: IV || E(data || MAC ||
 * padding). */
static hsb_rc seal_mte(hsb_tls_conn *c, uint8_t type, uint8_t *out, const uint8_t *data, size_t len,
                       size_t *body)
{
    const hsb_backend *b = c->cls;
    size_t pad = 15 - ((len + TLS_MAC_LEN) % 16);
    *body = TLS_IV_LEN + len + TLS_MAC_LEN + pad + 1;
    uint8_t *iv = out, *plain = iv + TLS_IV_LEN;
    memmove(plain, data, len);
    HSB_GUARD(b->rng->fill(iv, TLS_IV_LEN));
    uint8_t h[13];
    tls_mac_header(h, c->seq_w, type, len);
    if (c->cbc_w_ready) {
        size_t enc = 0;
        HSB_GUARD(b->cbc_hmac->seal(c->cbc_w, h, iv, plain, len, &enc));
        HSB_ENSURE(enc == *body - TLS_IV_LEN, HSB_E_INTERNAL);
        return HSB_OK;
    }
    b->hmac->update(c->hmac_w, h, sizeof h);
    b->hmac->update(c->hmac_w, plain, len);
    b->hmac->final(c->hmac_w, plain + len);
    memset(plain + len + TLS_MAC_LEN, (int)pad, pad + 1);
    uint8_t chain[16];
    memcpy(chain, iv, 16);
    return b->aes->cbc_encrypt(c->aes_w, chain, plain, plain, *body - TLS_IV_LEN);
}

hsb_rc tls_record_write(hsb_tls_conn *c, uint8_t type, const uint8_t *data, size_t len)
{
    HSB_ENSURE(len <= HSB_TLS_MAX_PLAINTEXT, HSB_E_INTERNAL);
    c->out_hs_rec = SIZE_MAX; /* a new record closes any open handshake record */
    if (!c->cipher_w) {
        HSB_ENSURE(tls_out_free(c) >= TLS_HEADER_LEN + len, HSB_E_INTERNAL);
        uint8_t *p = c->out + c->out_end;
        tls_used(&c->out_used, c->out_end + TLS_HEADER_LEN + len);
        tls_put_header(p, type, len);
        memmove(p + TLS_HEADER_LEN, data, len);
        c->out_end += TLS_HEADER_LEN + len;
        c->records_sent++;
        return HSB_OK;
    }
    /* The sequence number must not wrap (RFC 5246 6.1): 2^64 - 1 is the last
     * one used; after it nothing can be sent, not even an alert. */
    if (c->seq_w_done)
        return tls_fail(c, TLS_ALERT_NONE, HSB_E_PROTOCOL, "write sequence number exhausted");
    /* Either order: IV, data, MAC, at most one block of padding. */
    HSB_ENSURE(tls_out_free(c) >= TLS_HEADER_LEN + TLS_IV_LEN + len + TLS_MAC_LEN + 16,
               HSB_E_INTERNAL);
    uint8_t *p = c->out + c->out_end;
    /* Marked before sealing: a seal that fails may have written part of it. */
    tls_used(&c->out_used, c->out_end + TLS_HEADER_LEN + TLS_IV_LEN + len + TLS_MAC_LEN + 16);
    size_t body;
    if (c->gcm)
        HSB_GUARD(tls_gcm_seal(c, type, p + TLS_HEADER_LEN, data, len, &body));
    else if (c->etm)
        HSB_GUARD(tls_etm_seal(c, type, p + TLS_HEADER_LEN, data, len, &body));
    else
        HSB_GUARD(seal_mte(c, type, p + TLS_HEADER_LEN, data, len, &body));
    tls_put_header(p, type, body);
    c->out_end += TLS_HEADER_LEN + body;
    if (c->seq_w == UINT64_MAX)
        c->seq_w_done = 1;
    else
        c->seq_w++;
    c->records_sent++;
    return HSB_OK;
}

void tls_send_alert(hsb_tls_conn *c, uint8_t level, uint8_t desc)
{
    uint8_t a[2] = {level, desc};
    /* Make room by dropping unsent output if we must: the connection is
     * ending and the alert matters more than half-sent data. */
    if (tls_out_free(c) < TLS_HEADER_LEN + TLS_IV_LEN + 2 + TLS_MAC_LEN + 16)
        c->out_start = c->out_end = 0;
    if (tls_record_write(c, TLS_RT_ALERT, a, 2) == HSB_OK) (void)tls_flush(c);
}

/* -------------------------------------------------------------- input */

void tls_in_consume(hsb_tls_conn *c, size_t rec_end)
{
    c->in_start = rec_end;
    if (c->in_start == c->in_end) c->in_start = c->in_end = 0;
}

/* Have at least n bytes from in_start in the buffer. */
static hsb_rc in_need(hsb_tls_conn *c, size_t n)
{
    while (c->in_end - c->in_start < n) {
        if (c->in_start + n > TLS_IN_CAP) {
            memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
            c->in_end -= c->in_start;
            c->in_start = 0;
        }
        size_t got = 0;
        hsb_rc rc = c->tr.recv(c->tr.io, c->in + c->in_end, TLS_IN_CAP - c->in_end, &got);
        if (rc == HSB_E_WOULD_BLOCK) return rc;
        if (rc != HSB_OK)
            return tls_fail(c, TLS_ALERT_NONE, HSB_E_IO, "transport receive failed: %s",
                            hsb_last_error());
        if (got == 0) return tls_fail(c, TLS_ALERT_NONE, HSB_E_IO, "peer closed the connection");
        c->in_end += got;
        tls_used(&c->in_used, c->in_end);
    }
    return HSB_OK;
}

/* Copy the MAC that ends the data at secret offset mac_pos out of rec
 * (plen bytes), touching every byte where it could lie (OpenSSL's
 * ssl3_cbc_copy_mac shape). */
static void ct_copy_mac(uint8_t out[TLS_MAC_LEN], const uint8_t *rec, size_t plen, size_t mac_pos)
{
    /* The MAC starts somewhere in [plen - 32 - 256, plen - 33]. */
    size_t scan = plen > TLS_MAC_LEN + 256 ? plen - (TLS_MAC_LEN + 256) : 0;
    uint8_t rot[TLS_MAC_LEN] = {0};
    uint32_t in_mac = 0;
    size_t j = 0;
    for (size_t i = scan; i < plen; i++) {
        uint32_t started = hsb_ct_eq32((uint32_t)i, (uint32_t)mac_pos);
        uint32_t ended = hsb_ct_eq32((uint32_t)i, (uint32_t)(mac_pos + TLS_MAC_LEN));
        in_mac = (in_mac | started) & (1u ^ ended);
        rot[j] |= (uint8_t)(rec[i] & hsb_ct_mask32(in_mac));
        j = (j + 1) & (TLS_MAC_LEN - 1);
    }
    /* rot holds the MAC rotated left by (mac_pos - scan) mod 32. */
    uint32_t off = (uint32_t)((mac_pos - scan) & (TLS_MAC_LEN - 1));
    for (uint32_t i = 0; i < TLS_MAC_LEN; i++) {
        uint8_t v = 0;
        uint32_t want = (off + i) & (TLS_MAC_LEN - 1);
        for (uint32_t k = 0; k < TLS_MAC_LEN; k++)
            v |= (uint8_t)(rot[k] & hsb_ct_mask32(hsb_ct_eq32(k, want)));
        out[i] = v;
    }
}

/* SHA-256 compression calls for the inner hash after the key block, for a
 * 13-byte header plus x data bytes: (13 + x + 9 + 63) / 64. */
static size_t inner_blocks(size_t x)
{
    return (13 + x + 9 + 63) >> 6;
}

/* Open a protected record in place: p points at the record body (IV first),
 * len bytes. On success the plaintext is at p + 16, *plen bytes. */
static hsb_rc open_cbc(hsb_tls_conn *c, uint8_t type, uint8_t *p, size_t len, size_t *plen)
{
    const hsb_backend *b = c->cls;
    /* Public length checks: IV + at least one block holding MAC + pad byte. */
    if (len < TLS_IV_LEN + 48 || (len % 16) != 0) HSB_BAIL_MSG(HSB_E_DECRYPT, "bad record length");
    if (c->cbc_r_ready) {
        /* The class checks padding and MAC in constant time itself. */
        uint8_t h[13];
        tls_mac_header(h, c->seq_r, type, 0);
        hsb_rc rc = b->cbc_hmac->open(c->cbc_r, h, p, p + TLS_IV_LEN, len - TLS_IV_LEN, plen);
        if (rc == HSB_E_DECRYPT) HSB_BAIL_MSG(HSB_E_DECRYPT, "bad record MAC or padding");
        return rc;
    }
    uint8_t iv[16];
    memcpy(iv, p, 16);
    uint8_t *plain = p + TLS_IV_LEN;
    size_t n = len - TLS_IV_LEN;
    HSB_GUARD(b->aes->cbc_decrypt(c->aes_r, iv, plain, plain, n));

    uint32_t pad = plain[n - 1];
    /* good: n >= pad + 1 + MAC */
    uint32_t good = 1u ^ hsb_ct_lt32((uint32_t)n, pad + 1 + TLS_MAC_LEN);
    size_t check = n < 256 ? n : 256;
    for (size_t i = 0; i < check; i++) {
        uint32_t in_pad = hsb_ct_lt32((uint32_t)i, pad + 1);
        uint32_t bad = in_pad & hsb_ct_nonzero32(plain[n - 1 - i] ^ pad);
        good &= 1u ^ bad;
    }
    pad = hsb_ct_mux32(good, pad, 0);
    size_t data_len = n - TLS_MAC_LEN - 1 - pad;
    size_t max_data = n - TLS_MAC_LEN - 1;

    uint8_t h[13], mac[TLS_MAC_LEN], got[TLS_MAC_LEN];
    tls_mac_header(h, c->seq_r, type, data_len);
    b->hmac->update(c->hmac_r, h, sizeof h);
    b->hmac->update(c->hmac_r, plain, data_len);
    b->hmac->final(c->hmac_r, mac);
    /* Even out the compression count (see the top of this file). */
    static const uint8_t zeros[5 * 64];
    size_t extra = inner_blocks(max_data) - inner_blocks(data_len);
    b->sha256->update(c->thr->sink, zeros, extra * 64);

    ct_copy_mac(got, plain, n, data_len);
    good &= hsb_ct_memeq(mac, got, TLS_MAC_LEN);
    hsb_wipe(mac, sizeof mac);
    if (!hsb_ct_barrier32(good)) HSB_BAIL_MSG(HSB_E_DECRYPT, "bad record MAC or padding");
    *plen = data_len;
    return HSB_OK;
}

hsb_rc tls_record_read(hsb_tls_conn *c, uint8_t *type, size_t *off, size_t *len, size_t *rec_end)
{
    HSB_GUARD(in_need(c, TLS_HEADER_LEN));
    const uint8_t *h = c->in + c->in_start;
    uint8_t t = h[0];
    uint16_t version = (uint16_t)(h[1] << 8 | h[2]);
    size_t rlen = (size_t)h[3] << 8 | h[4];
    if (t < TLS_RT_CCS || t > TLS_RT_APPDATA)
        return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                        "unknown record type %u", t);
    /* Before ServerHello the record version means nothing yet: clients send
     * {3,1} for old servers' sake and a newer client may send more (RFC 5246
     * E.1: answer with the highest version we have; RFC 8446 5.1: ignore
     * the field). Below {3,0} it is SSL 2 or not TLS. Afterwards only {3,3}. */
    if (version < TLS_VERSION_MAJOR << 8 || (c->version_fixed && version != HSB_TLS_VERSION_1_2))
        return tls_fail(c, HSB_TLS_ALERT_PROTOCOL_VERSION, HSB_E_PROTOCOL, "record version 0x%04x",
                        version);
    size_t limit = c->cipher_r ? HSB_TLS_MAX_RECORD - TLS_HEADER_LEN : HSB_TLS_MAX_PLAINTEXT;
    if (rlen > limit)
        return tls_fail(c, HSB_TLS_ALERT_RECORD_OVERFLOW, HSB_E_PROTOCOL,
                        "record of %zu bytes is too long", rlen);
    HSB_GUARD(in_need(c, TLS_HEADER_LEN + rlen));
    h = c->in + c->in_start;
    uint8_t *body = c->in + c->in_start + TLS_HEADER_LEN;
    size_t plen = rlen, poff = c->in_start + TLS_HEADER_LEN;
    if (c->cipher_r) {
        if (c->seq_r_done)
            return tls_fail(c, TLS_ALERT_NONE, HSB_E_PROTOCOL, "read sequence number exhausted");
        hsb_rc rc = c->gcm   ? tls_gcm_open(c, t, body, rlen, &plen)
                    : c->etm ? tls_etm_open(c, t, body, rlen, &plen)
                             : open_cbc(c, t, body, rlen, &plen);
        if (rc == HSB_E_DECRYPT)
            return tls_fail(c, HSB_TLS_ALERT_BAD_RECORD_MAC, HSB_E_DECRYPT,
                            "record did not decrypt and verify");
        if (rc != HSB_OK)
            return tls_fail(c, HSB_TLS_ALERT_INTERNAL_ERROR, rc, "record decryption failed");
        if (plen > HSB_TLS_MAX_PLAINTEXT)
            return tls_fail(c, HSB_TLS_ALERT_RECORD_OVERFLOW, HSB_E_PROTOCOL,
                            "record plaintext of %zu bytes is too long", plen);
        poff += c->gcm ? TLS_GCM_EXPLICIT_LEN : TLS_IV_LEN;
        if (c->seq_r == UINT64_MAX)
            c->seq_r_done = 1;
        else
            c->seq_r++;
    }
    c->records_received++;
    if (t != TLS_RT_ALERT) c->warnings_in_row = 0;
    *type = t;
    *off = poff;
    *len = plen;
    *rec_end = c->in_start + TLS_HEADER_LEN + rlen;
    return HSB_OK;
}

hsb_rc tls_handle_alert(hsb_tls_conn *c, const uint8_t *p, size_t len)
{
    if (len != 2) return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL, "bad alert");
    uint8_t level = p[0], desc = p[1];
    if (desc == HSB_TLS_ALERT_CLOSE_NOTIFY) {
        c->alert_recv = desc;
        c->close_received = 1;
        return HSB_OK;
    }
    if (level == TLS_ALERT_WARNING && desc != HSB_TLS_ALERT_UNEXPECTED_MESSAGE &&
        desc != HSB_TLS_ALERT_BAD_RECORD_MAC && desc != HSB_TLS_ALERT_HANDSHAKE_FAILURE) {
        /* A warning (no_renegotiation, user_canceled...) is ignored, but not
         * without end: a stream of them costs us a record each and moves
         * nothing forward (CVE-2016-8610). OpenSSL's limit. */
        if (++c->warnings_in_row < TLS_MAX_WARNINGS_IN_ROW) return HSB_OK;
        return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                        "%u warning alerts in a row", c->warnings_in_row);
    }
    c->alert_recv = desc;
    /* No alert goes back in answer to a fatal alert. */
    c->pending_alert = TLS_ALERT_NONE;
    return tls_fail(c, TLS_ALERT_NONE, HSB_E_PROTOCOL, "peer sent alert %s(%u)",
                    hsb_tls_alert_name(desc), desc);
}
