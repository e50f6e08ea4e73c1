/*
 * Application data after the handshake (RFC 5246 6.2, 10), the records a
 * peer may still send then (alerts, HelloRequest, a renegotiating
 * ClientHello), and close_notify (7.2.1).
 */
#include <stdio.h>
#include <string.h>

#include "tls_internal.h"

hsb_rc hsb_tls_flush(hsb_tls_conn *c)
{
    HSB_ENSURE(c, HSB_E_USAGE);
    if (c->state == TLS_DEAD) return c->rc;
    hsb_rc rc = tls_flush(c);
    return rc == HSB_OK || rc == HSB_E_WOULD_BLOCK ? rc : tls_die(c, rc);
}

hsb_rc hsb_tls_write(hsb_tls_conn *c, const void *data, size_t len, size_t *n)
{
    HSB_ENSURE(c && n && (data || len == 0), HSB_E_USAGE);
    *n = 0;
    if (c->state == TLS_DEAD) return c->rc;
    HSB_ENSURE(c->state == TLS_OPEN && !c->close_sent, HSB_E_USAGE);
    c->step = "application data";
    hsb_rc rc = tls_flush(c);
    if (rc == HSB_E_WOULD_BLOCK) return rc;
    if (rc != HSB_OK) return tls_die(c, rc);
    if (len == 0) return HSB_OK;
    size_t take = len < HSB_TLS_MAX_PLAINTEXT ? len : HSB_TLS_MAX_PLAINTEXT;
    rc = tls_record_write(c, TLS_RT_APPDATA, data, take);
    if (rc != HSB_OK) return tls_die(c, rc);
    *n = take;
    rc = tls_flush(c);
    if (rc != HSB_OK && rc != HSB_E_WOULD_BLOCK) return tls_die(c, rc);
    return HSB_OK;
}

/* Copy out what is left of the opened application-data record. */
static size_t deliver(hsb_tls_conn *c, void *buf, size_t cap)
{
    size_t k = c->app_len < cap ? c->app_len : cap;
    memcpy(buf, c->in + c->app_off, k);
    c->app_off += k;
    c->app_len -= k;
    if (c->app_len == 0) {
        c->app_active = 0;
        tls_in_consume(c, c->app_rec_end);
    }
    return k;
}

/* The one handshake message each role may still get once the handshake is
 * over: a client's renegotiating ClientHello (which a server refuses with
 * the warning no_renegotiation, RFC 5246 7.2.2 and 7.4.1.2) and a server's
 * HelloRequest (which a client may ignore, 7.4.1.1); we never renegotiate.
 * Any other message (a second ClientKeyExchange, a Finished...) is out of
 * place: fatal unexpected_message (7.4), judged as soon as its header is in,
 * never answered with the renegotiation warning. */
static hsb_rc check_after(hsb_tls_conn *c, uint8_t type, size_t mlen)
{
    uint8_t allowed = c->role == HSB_TLS_SERVER ? TLS_HS_CLIENT_HELLO : TLS_HS_HELLO_REQUEST;
    if (type != allowed || (type == TLS_HS_HELLO_REQUEST && mlen != 0))
        return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                        "handshake message type %u after the handshake", type);
    if (mlen > TLS_MAX_HS_MSG)
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_PROTOCOL,
                        "handshake message of %zu bytes is longer than the %d we accept", mlen,
                        TLS_MAX_HS_MSG);
    return HSB_OK;
}

/* A handshake record after the handshake: its bytes join c->hs (a message
 * may span records, RFC 5246 6.2.1), and each whole message is dropped,
 * a ClientHello with the warning. */
static hsb_rc handshake_after(hsb_tls_conn *c, size_t off, size_t len)
{
    if (len == 0 || len > TLS_HS_CAP - c->hs_len)
        return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                        "bad handshake record after the handshake");
    memcpy(c->hs + c->hs_len, c->in + off, len);
    c->hs_len += len;
    tls_used(&c->hs_used, c->hs_len);
    while (c->hs_len >= 4) {
        size_t mlen = (size_t)c->hs[1] << 16 | (size_t)c->hs[2] << 8 | c->hs[3];
        HSB_GUARD(check_after(c, c->hs[0], mlen));
        if (c->hs_len < 4 + mlen) return HSB_OK;
        memmove(c->hs, c->hs + 4 + mlen, c->hs_len - 4 - mlen);
        c->hs_len -= 4 + mlen;
        if (c->role == HSB_TLS_SERVER) {
            static const uint8_t refuse[2] = {TLS_ALERT_WARNING, HSB_TLS_ALERT_NO_RENEGOTIATION};
            if (tls_record_write(c, TLS_RT_ALERT, refuse, 2) == HSB_OK) (void)tls_flush(c);
        }
    }
    return HSB_OK;
}

/* Read and act on one record; application data is left open for deliver(). */
static hsb_rc next_record(hsb_tls_conn *c)
{
    uint8_t type;
    size_t off, len, end;
    hsb_clear_error();
    hsb_rc rc = tls_record_read(c, &type, &off, &len, &end);
    if (rc == HSB_E_IO && strcmp(c->detail, "peer closed the connection") == 0)
        snprintf(c->detail, sizeof c->detail,
                 "peer closed the connection without close_notify (truncated)");
    if (rc != HSB_OK) return rc;
    if (type == TLS_RT_APPDATA && len > 0) {
        c->app_active = 1;
        c->app_off = off;
        c->app_len = len;
        c->app_rec_end = end;
        return HSB_OK;
    }
    tls_in_consume(c, end);
    switch (type) {
    case TLS_RT_APPDATA:
        return HSB_OK; /* empty: nothing to deliver */
    case TLS_RT_ALERT:
        return tls_handle_alert(c, c->in + off, len);
    case TLS_RT_HANDSHAKE:
        return handshake_after(c, off, len);
    default:
        return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                        "record type %u after the handshake", type);
    }
}

hsb_rc hsb_tls_read(hsb_tls_conn *c, void *buf, size_t cap, size_t *n)
{
    HSB_ENSURE(c && n && (buf || cap == 0), HSB_E_USAGE);
    *n = 0;
    if (c->state == TLS_DEAD) return c->rc;
    HSB_ENSURE(c->state == TLS_OPEN, HSB_E_USAGE);
    c->step = "application data";
    for (;;) {
        if (c->app_active) {
            *n = deliver(c, buf, cap);
            return HSB_OK;
        }
        if (c->close_received) return HSB_OK;
        hsb_rc rc = next_record(c);
        if (rc == HSB_E_WOULD_BLOCK) return rc;
        if (rc != HSB_OK) return tls_die(c, rc);
    }
}

hsb_rc hsb_tls_close(hsb_tls_conn *c)
{
    HSB_ENSURE(c, HSB_E_USAGE);
    if (c->state == TLS_DEAD) return c->rc;
    HSB_ENSURE(c->state == TLS_OPEN, HSB_E_USAGE);
    c->step = "close_notify";
    if (!c->close_sent) {
        hsb_rc rc = tls_flush(c);
        if (rc == HSB_E_WOULD_BLOCK) return rc;
        if (rc != HSB_OK) return tls_die(c, rc);
        static const uint8_t cn[2] = {TLS_ALERT_WARNING, HSB_TLS_ALERT_CLOSE_NOTIFY};
        rc = tls_record_write(c, TLS_RT_ALERT, cn, 2);
        if (rc != HSB_OK) return tls_die(c, rc);
        c->close_sent = 1;
    }
    return hsb_tls_flush(c);
}

hsb_rc hsb_tls_conn_test_write_record(hsb_tls_conn *c, uint8_t type, const void *data, size_t len)
{
    HSB_ENSURE(c && (data || len == 0) && len <= HSB_TLS_MAX_PLAINTEXT, HSB_E_USAGE);
    HSB_ENSURE(c->state == TLS_OPEN, HSB_E_USAGE);
    hsb_rc rc = tls_record_write(c, type, data, len);
    if (rc == HSB_OK) rc = tls_flush(c);
    return rc == HSB_E_WOULD_BLOCK ? HSB_OK : rc;
}
