/*
 * How a connection fails: the first failure's detail and alert (tls_fail),
 * the end of the connection with the alert the failure calls for (tls_die,
 * RFC 5246 7.2), and the questions a caller asks about it afterwards.
 */
#include <stdarg.h>
#include <stdio.h>

#include "tls_internal.h"

hsb_rc tls_fail(hsb_tls_conn *c, int alert, hsb_rc rc, const char *fmt, ...)
{
    /* The first failure raised wins: outer layers pass codes through. */
    if (c->detail[0] == '\0') {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->detail, sizeof c->detail, fmt, ap);
        va_end(ap);
        if (alert != TLS_ALERT_DEFAULT) c->pending_alert = alert;
    }
    return hsb_raise(rc, __FILE__, __LINE__, c->detail);
}

static int default_alert(hsb_rc rc)
{
    switch (rc) {
    case HSB_E_PROTOCOL:
        return HSB_TLS_ALERT_DECODE_ERROR;
    case HSB_E_DECRYPT:
        return HSB_TLS_ALERT_DECRYPT_ERROR;
    case HSB_E_CERT:
        return HSB_TLS_ALERT_BAD_CERTIFICATE;
    case HSB_E_RANGE:
        return HSB_TLS_ALERT_ILLEGAL_PARAMETER;
    case HSB_E_IO:
        return TLS_ALERT_NONE; /* the transport is gone: nothing to send on */
    default:
        return HSB_TLS_ALERT_INTERNAL_ERROR;
    }
}

/* The one-line error of a dead conn: role, step, detail, code, and the
 * alert that went either way. */
static void format_error(hsb_tls_conn *c)
{
    int off = snprintf(c->err, sizeof c->err, "%s: %s: %s (%s)",
                       c->role == HSB_TLS_CLIENT ? "client" : "server",
                       c->step ? c->step : "connection", c->detail, hsb_rc_name(c->rc));
    if (off <= 0 || (size_t)off >= sizeof c->err) return;
    if (c->alert_sent >= 0)
        snprintf(c->err + off, sizeof c->err - (size_t)off, "; sent alert %s(%d)",
                 hsb_tls_alert_name(c->alert_sent), c->alert_sent);
    else if (c->alert_recv >= 0)
        snprintf(c->err + off, sizeof c->err - (size_t)off, "; received alert %s(%d)",
                 hsb_tls_alert_name(c->alert_recv), c->alert_recv);
}

hsb_rc tls_die(hsb_tls_conn *c, hsb_rc rc)
{
    if (c->state == TLS_DEAD) return c->rc;
    if (rc == HSB_OK || rc == HSB_E_WOULD_BLOCK) rc = HSB_E_INTERNAL;
    if (c->detail[0] == '\0') snprintf(c->detail, sizeof c->detail, "%s", hsb_last_error());
    int alert = c->pending_alert != TLS_ALERT_DEFAULT ? c->pending_alert : default_alert(rc);
    if (rc == HSB_E_IO) alert = TLS_ALERT_NONE;
    if (alert >= 0) {
        /* RFC 5246 7.2.2: an error alert is fatal; the connection ends. */
        tls_send_alert(c, TLS_ALERT_FATAL, (uint8_t)alert);
        c->alert_sent = alert;
    }
    c->state = TLS_DEAD;
    c->rc = rc;
    format_error(c);
    tls_wipe_secrets(c);
    return rc;
}

const char *hsb_tls_conn_error(const hsb_tls_conn *c)
{
    return c ? c->err : "";
}

hsb_rc hsb_tls_conn_rc(const hsb_tls_conn *c)
{
    return c ? c->rc : HSB_E_USAGE;
}

const char *hsb_tls_conn_failed_step(const hsb_tls_conn *c)
{
    return c && c->state == TLS_DEAD ? (c->step ? c->step : "connection") : NULL;
}

int hsb_tls_conn_alert_sent(const hsb_tls_conn *c)
{
    return c ? c->alert_sent : -1;
}

int hsb_tls_conn_alert_received(const hsb_tls_conn *c)
{
    return c ? c->alert_recv : -1;
}
