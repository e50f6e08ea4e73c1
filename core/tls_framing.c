/*
 * Handshake framing (RFC 5246 7.4): our messages into records, the peer's
 * records into whole messages, and the transcript hash over both.
 *
 * Outgoing plaintext messages of one flight share a record as long as they
 * fit (6.2.1 lets a record carry several); a record over 2^14 bytes is split.
 * Incoming messages are reassembled in c->hs across records, since a record
 * may carry part of a message, one message, or several (6.2.1).
 */
#include <string.h>

#include "tls_internal.h"

/* Handshake message header: msg_type(1), length(3) (RFC 5246 7.4). */
#define HS_HEADER_LEN 4

static void transcript_add(hsb_tls_conn *c, const uint8_t *msg, size_t len)
{
    c->cls->sha256->update(c->transcript, msg, len);
}

hsb_rc tls_transcript_hash(hsb_tls_conn *c, uint8_t out[32])
{
    const hsb_sha256_class *sha = c->cls->sha256;
    HSB_GUARD(sha->copy(c->thr->sha, c->transcript));
    sha->final(c->thr->sha, out);
    return HSB_OK;
}

/* ------------------------------------------------------------- output */

/* Close the open plaintext handshake record at c->out_hs_rec, splitting it
 * into records of at most 2^14 bytes (RFC 5246 6.2.1). */
static void close_hs_record(hsb_tls_conn *c)
{
    size_t rec = c->out_hs_rec;
    size_t body = c->out_end - rec - TLS_HEADER_LEN;
    while (body > HSB_TLS_MAX_PLAINTEXT) {
        uint8_t *split = c->out + rec + TLS_HEADER_LEN + HSB_TLS_MAX_PLAINTEXT;
        memmove(split + TLS_HEADER_LEN, split, body - HSB_TLS_MAX_PLAINTEXT);
        tls_put_header(c->out + rec, TLS_RT_HANDSHAKE, HSB_TLS_MAX_PLAINTEXT);
        c->out_end += TLS_HEADER_LEN;
        c->records_sent++;
        rec += TLS_HEADER_LEN + HSB_TLS_MAX_PLAINTEXT;
        body -= HSB_TLS_MAX_PLAINTEXT;
    }
    tls_put_header(c->out + rec, TLS_RT_HANDSHAKE, body);
    c->out_hs_rec = rec;
}

/* Header, then the handler's body, its u24 length patched afterwards. */
static hsb_rc write_message(hsb_tls_conn *c, const tls_action *a, hsb_stuffer *s)
{
    size_t mark;
    HSB_GUARD(hsb_stuffer_write_u8(s, a->hs_type));
    HSB_GUARD(hsb_stuffer_begin_vec(s, 3, &mark));
    HSB_GUARD(a->handler[c->role](c, s));
    return hsb_stuffer_end_vec(s, 3, mark);
}

/* Under the new write keys only Finished is sent: build it, seal one record. */
static hsb_rc write_sealed_hs(hsb_tls_conn *c, const tls_action *a)
{
    uint8_t msg[64];
    hsb_stuffer s;
    hsb_stuffer_init_write(&s, msg, sizeof msg);
    HSB_GUARD(write_message(c, a, &s));
    transcript_add(c, msg, s.wpos);
    return tls_record_write(c, TLS_RT_HANDSHAKE, msg, s.wpos);
}

hsb_rc tls_write_hs(hsb_tls_conn *c, const tls_action *a)
{
    if (c->cipher_w) return write_sealed_hs(c, a);
    int opened = c->out_hs_rec == SIZE_MAX;
    if (opened) {
        HSB_ENSURE(tls_out_free(c) >= TLS_HEADER_LEN, HSB_E_INTERNAL);
        c->out_hs_rec = c->out_end;
        c->out_end += TLS_HEADER_LEN;
        c->records_sent++;
    }
    /* Leave room for the headers of split records. */
    size_t room = tls_out_free(c);
    HSB_ENSURE(room > 32, HSB_E_INTERNAL);
    uint8_t *start = c->out + c->out_end;
    hsb_stuffer s;
    hsb_stuffer_init_write(&s, start, room - 32);
    hsb_rc rc = write_message(c, a, &s);
    /* The split headers of close_hs_record add at most 32 bytes. */
    tls_used(&c->out_used, c->out_end + s.wpos + 32);
    if (rc != HSB_OK && opened) {
        /* No half-made record may wait for a flush while the handler
         * waits for a public-key op (HSB_E_PENDING) and runs again. */
        c->out_end -= TLS_HEADER_LEN;
        c->records_sent--;
        c->out_hs_rec = SIZE_MAX;
    }
    HSB_GUARD(rc);
    transcript_add(c, start, s.wpos);
    c->out_end += s.wpos;
    close_hs_record(c);
    return HSB_OK;
}

/* -------------------------------------------------------------- input */

static void hs_drop(hsb_tls_conn *c, size_t n)
{
    memmove(c->hs, c->hs + n, c->hs_len - n);
    c->hs_len -= n;
}

/* The whole message of mlen body bytes at the head of c->hs goes to a's
 * handler, which must read all of it. */
static hsb_rc handle_message(hsb_tls_conn *c, const tls_action *a, size_t mlen)
{
    hsb_stuffer s;
    hsb_stuffer_init_read(&s, c->hs + HS_HEADER_LEN, mlen);
    HSB_GUARD(a->handler[c->role](c, &s));
    if (hsb_stuffer_remaining(&s) != 0)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL, "%zu trailing bytes in %s",
                        hsb_stuffer_remaining(&s), a->name);
    transcript_add(c, c->hs, HS_HEADER_LEN + mlen);
    hs_drop(c, HS_HEADER_LEN + mlen);
    return HSB_OK;
}

/* A message header at the head of c->hs while a is due: the type must be
 * a's (RFC 5246 7.4: anything else is unexpected_message, judged before
 * waiting for the body) and the length within our bound. Where
 * ChangeCipherSpec is due, any handshake data is unexpected_message
 * (tls_read_msg) whatever its header says. */
static hsb_rc check_header(hsb_tls_conn *c, const tls_action *a, size_t mlen)
{
    uint8_t type = c->hs[0];
    if (a->record_type != TLS_RT_HANDSHAKE || type != a->hs_type)
        return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                        "expected %s, got handshake message type %u", a->name, type);
    /* No alert names "too large to accept": illegal_parameter, as OpenSSL
     * (excessive message size), before any more of it is buffered. */
    if (mlen > TLS_MAX_HS_MSG)
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_PROTOCOL,
                        "handshake message of %zu bytes is longer than the %d we accept", mlen,
                        TLS_MAX_HS_MSG);
    return HSB_OK;
}

/* Handle the message at the head of c->hs if it is whole (*done = 1);
 * otherwise more records are needed (*done stays 0). A message the
 * protocol lets stand where *a was due (tls_branch) replaces *a. */
static hsb_rc take_message(hsb_tls_conn *c, const tls_action **ap, int *done)
{
    const tls_action *a = *ap;
    while (c->hs_len >= HS_HEADER_LEN) {
        size_t mlen = (size_t)c->hs[1] << 16 | (size_t)c->hs[2] << 8 | c->hs[3];
        if (c->hs[0] == TLS_HS_HELLO_REQUEST && c->role == HSB_TLS_CLIENT && mlen == 0) {
            /* RFC 5246 7.4.1.1: ignored while negotiating, and not part of
             * the transcript. */
            hs_drop(c, HS_HEADER_LEN);
            continue;
        }
        if (a->record_type == TLS_RT_HANDSHAKE && c->hs[0] != a->hs_type) {
            const tls_action *alt = tls_branch(c, a, c->hs[0]);
            if (alt) *ap = a = alt;
        }
        HSB_GUARD(check_header(c, a, mlen));
        if (c->hs_len < HS_HEADER_LEN + mlen) return HSB_OK;
        HSB_GUARD(handle_message(c, a, mlen));
        *done = 1;
        return HSB_OK;
    }
    return HSB_OK;
}

static hsb_rc append_hs(hsb_tls_conn *c, const uint8_t *p, size_t len)
{
    if (len == 0)
        return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                        "empty handshake record");
    /* check_header bounds each message; this catches data past it. */
    if (len > TLS_HS_CAP - c->hs_len)
        return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                        "handshake data past the message being read");
    memcpy(c->hs + c->hs_len, p, len);
    c->hs_len += len;
    tls_used(&c->hs_used, c->hs_len);
    return HSB_OK;
}

/* An alert while negotiating: a warning is ignored, anything else (even
 * close_notify: the handshake cannot finish) ends the connection. */
static hsb_rc alert_in_handshake(hsb_tls_conn *c, const uint8_t *p, size_t len, size_t end)
{
    hsb_rc rc = tls_handle_alert(c, p, len);
    tls_in_consume(c, end);
    if (rc != HSB_OK) return rc;
    if (c->close_received) {
        c->pending_alert = TLS_ALERT_NONE;
        return tls_fail(c, TLS_ALERT_NONE, HSB_E_PROTOCOL,
                        "peer sent close_notify during the handshake");
    }
    return HSB_OK;
}

/* Read one record while a is due: handshake bytes join c->hs, a
 * ChangeCipherSpec goes to a's handler (*done = 1), an alert is handled. */
static hsb_rc next_record(hsb_tls_conn *c, const tls_action *a, int *done)
{
    uint8_t type;
    size_t off, len, end;
    HSB_GUARD(tls_record_read(c, &type, &off, &len, &end));
    const uint8_t *p = c->in + off;
    switch (type) {
    case TLS_RT_HANDSHAKE:
        HSB_GUARD(append_hs(c, p, len));
        tls_in_consume(c, end);
        return HSB_OK;
    case TLS_RT_CCS: {
        if (a->record_type != TLS_RT_CCS)
            return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                            "ChangeCipherSpec where %s was expected", a->name);
        hsb_stuffer s;
        hsb_stuffer_init_read(&s, p, len);
        tls_in_consume(c, end);
        *done = 1;
        return a->handler[c->role](c, &s);
    }
    case TLS_RT_ALERT:
        return alert_in_handshake(c, p, len, end);
    default:
        return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                        "record type %u where %s was expected", type, a->name);
    }
}

hsb_rc tls_read_msg(hsb_tls_conn *c, const tls_action *a)
{
    for (;;) {
        int done = 0;
        HSB_GUARD(take_message(c, &a, &done));
        if (done) return HSB_OK;
        /* RFC 5246 7.1: ChangeCipherSpec must not sit inside a message. */
        if (a->record_type == TLS_RT_CCS && c->hs_len != 0)
            return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                            "handshake data where %s was expected", a->name);
        HSB_GUARD(next_record(c, a, &done));
        if (done) return HSB_OK;
    }
}
