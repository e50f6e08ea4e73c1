/*
 * TLS 1.2 connections: the handshake as a table (s2n_handshake_io shape),
 * the step driver, application data, close_notify, and errors.
 *
 * The table lists each message once (record type, handshake type, who
 * writes it, and the handler for each role); a handshake "shape" is the
 * ordered row of messages for one key exchange. Both shapes start with
 * ClientHello, ServerHello; the ServerHello handler (either side) picks the
 * row, and the driver walks it: for our own messages it calls the writer,
 * for the peer's it waits for the next whole message and calls the reader.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hsb_ct.h"
#include "tls_internal.h"

/* ------------------------------------------------------------- names */

const char *hsb_tls_alert_name(int alert)
{
    switch (alert) {
    case 0:
        return "close_notify";
    case 10:
        return "unexpected_message";
    case 20:
        return "bad_record_mac";
    case 21:
        return "decryption_failed";
    case 22:
        return "record_overflow";
    case 30:
        return "decompression_failure";
    case 40:
        return "handshake_failure";
    case 42:
        return "bad_certificate";
    case 43:
        return "unsupported_certificate";
    case 44:
        return "certificate_revoked";
    case 45:
        return "certificate_expired";
    case 46:
        return "certificate_unknown";
    case 47:
        return "illegal_parameter";
    case 48:
        return "unknown_ca";
    case 49:
        return "access_denied";
    case 50:
        return "decode_error";
    case 51:
        return "decrypt_error";
    case 70:
        return "protocol_version";
    case 71:
        return "insufficient_security";
    case 80:
        return "internal_error";
    case 86:
        return "inappropriate_fallback";
    case 90:
        return "user_canceled";
    case 100:
        return "no_renegotiation";
    case 109:
        return "missing_extension";
    case 110:
        return "unsupported_extension";
    case 112:
        return "unrecognized_name";
    default:
        return "unknown";
    }
}

const char *hsb_tls_suite_name(uint16_t suite)
{
    switch (suite) {
    case HSB_TLS_RSA_WITH_AES_128_CBC_SHA256:
        return "TLS_RSA_WITH_AES_128_CBC_SHA256";
    case HSB_TLS_DHE_RSA_WITH_AES_128_CBC_SHA256:
        return "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256";
    default:
        return NULL;
    }
}

/* ------------------------------------------------------------ errors */

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

static void wipe_secrets(hsb_tls_conn *c)
{
    hsb_wipe(c->master, sizeof c->master);
    hsb_wipe(c->key_block, sizeof c->key_block);
    c->keys_ready = 0;
}

/* Kill the connection: send the alert the failure calls for, record why. */
static hsb_rc die(hsb_tls_conn *c, hsb_rc rc)
{
    if (c->state == TLS_DEAD) return c->rc;
    if (rc == HSB_OK || rc == HSB_E_WOULD_BLOCK) rc = HSB_E_INTERNAL;
    if (c->detail[0] == '\0') snprintf(c->detail, sizeof c->detail, "%s", hsb_last_error());
    int alert = c->pending_alert != TLS_ALERT_DEFAULT ? c->pending_alert : default_alert(rc);
    if (rc == HSB_E_IO) alert = TLS_ALERT_NONE;
    if (alert >= 0) {
        tls_send_alert(c, TLS_ALERT_FATAL, (uint8_t)alert);
        c->alert_sent = alert;
    }
    c->state = TLS_DEAD;
    c->rc = rc;
    int off = snprintf(c->err, sizeof c->err, "%s: %s: %s (%s)",
                       c->role == HSB_TLS_CLIENT ? "client" : "server",
                       c->step ? c->step : "connection", c->detail, hsb_rc_name(rc));
    if (off > 0 && (size_t)off < sizeof c->err) {
        if (c->alert_sent >= 0)
            snprintf(c->err + off, sizeof c->err - (size_t)off, "; sent alert %s(%d)",
                     hsb_tls_alert_name(c->alert_sent), c->alert_sent);
        else if (c->alert_recv >= 0)
            snprintf(c->err + off, sizeof c->err - (size_t)off, "; received alert %s(%d)",
                     hsb_tls_alert_name(c->alert_recv), c->alert_recv);
    }
    wipe_secrets(c);
    return rc;
}

/* ----------------------------------------------------- the handshake table */

typedef enum tls_msg {
    CLIENT_HELLO,
    SERVER_HELLO,
    SERVER_CERT,
    SERVER_KEY,
    SERVER_HELLO_DONE,
    CLIENT_KEY,
    CLIENT_CCS,
    CLIENT_FINISHED,
    SERVER_CCS,
    SERVER_FINISHED,
    APPLICATION_DATA,
} tls_msg;

typedef hsb_rc (*tls_handler)(hsb_tls_conn *c, hsb_stuffer *s);

typedef struct tls_action {
    uint8_t record_type;
    uint8_t hs_type;
    hsb_tls_role writer;
    const char *name;
    tls_handler handler[2]; /* [HSB_TLS_CLIENT], [HSB_TLS_SERVER] */
} tls_action;

static hsb_rc ccs_write(hsb_tls_conn *c, hsb_stuffer *s)
{
    (void)s;
    static const uint8_t one = 1;
    HSB_GUARD(tls_record_write(c, TLS_RT_CCS, &one, 1));
    return tls_activate_write(c);
}

static hsb_rc ccs_read(hsb_tls_conn *c, hsb_stuffer *s)
{
    uint8_t v;
    if (hsb_stuffer_read_u8(s, &v) != HSB_OK || v != 1 || hsb_stuffer_remaining(s) != 0)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL, "bad ChangeCipherSpec");
    return tls_activate_read(c);
}

#define C HSB_TLS_CLIENT
#define S HSB_TLS_SERVER
static const tls_action actions[] = {
    [CLIENT_HELLO] = {TLS_RT_HANDSHAKE,
                      TLS_HS_CLIENT_HELLO,
                      C,
                      "ClientHello",
                      {tls_client_hello_write, tls_client_hello_read}},
    [SERVER_HELLO] = {TLS_RT_HANDSHAKE,
                      TLS_HS_SERVER_HELLO,
                      S,
                      "ServerHello",
                      {tls_server_hello_read, tls_server_hello_write}},
    [SERVER_CERT] = {TLS_RT_HANDSHAKE,
                     TLS_HS_CERTIFICATE,
                     S,
                     "Certificate",
                     {tls_server_cert_read, tls_server_cert_write}},
    [SERVER_KEY] = {TLS_RT_HANDSHAKE,
                    TLS_HS_SERVER_KEY_EXCHANGE,
                    S,
                    "ServerKeyExchange",
                    {tls_server_key_read, tls_server_key_write}},
    [SERVER_HELLO_DONE] = {TLS_RT_HANDSHAKE,
                           TLS_HS_SERVER_HELLO_DONE,
                           S,
                           "ServerHelloDone",
                           {tls_server_done_read, tls_server_done_write}},
    [CLIENT_KEY] = {TLS_RT_HANDSHAKE,
                    TLS_HS_CLIENT_KEY_EXCHANGE,
                    C,
                    "ClientKeyExchange",
                    {tls_client_key_write, tls_client_key_read}},
    [CLIENT_CCS] = {TLS_RT_CCS, 0, C, "client ChangeCipherSpec", {ccs_write, ccs_read}},
    [CLIENT_FINISHED] = {TLS_RT_HANDSHAKE,
                         TLS_HS_FINISHED,
                         C,
                         "client Finished",
                         {tls_finished_write, tls_finished_read}},
    [SERVER_CCS] = {TLS_RT_CCS, 0, S, "server ChangeCipherSpec", {ccs_read, ccs_write}},
    [SERVER_FINISHED] = {TLS_RT_HANDSHAKE,
                         TLS_HS_FINISHED,
                         S,
                         "server Finished",
                         {tls_finished_read, tls_finished_write}},
    [APPLICATION_DATA] = {TLS_RT_APPDATA, 0, C, "application data", {NULL, NULL}},
};
#undef C
#undef S

enum { SHAPE_INITIAL, SHAPE_RSA, SHAPE_DHE };
#define SHAPE_LEN 12
static const tls_msg shapes[][SHAPE_LEN] = {
    [SHAPE_INITIAL] = {CLIENT_HELLO, SERVER_HELLO, APPLICATION_DATA},
    [SHAPE_RSA] = {CLIENT_HELLO, SERVER_HELLO, SERVER_CERT, SERVER_HELLO_DONE, CLIENT_KEY,
                   CLIENT_CCS, CLIENT_FINISHED, SERVER_CCS, SERVER_FINISHED, APPLICATION_DATA},
    [SHAPE_DHE] = {CLIENT_HELLO, SERVER_HELLO, SERVER_CERT, SERVER_KEY, SERVER_HELLO_DONE,
                   CLIENT_KEY, CLIENT_CCS, CLIENT_FINISHED, SERVER_CCS, SERVER_FINISHED,
                   APPLICATION_DATA},
};

void tls_set_shape(hsb_tls_conn *c, const hsb_tls_kx *kx)
{
    c->kx = kx;
    c->suite = kx->suite;
    c->shape = kx->server_key_exchange ? SHAPE_DHE : SHAPE_RSA;
}

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

/* Room kept free before writing one of our messages (the largest is the
 * server's Certificate, bounded at config time, plus split headers). */
#define WRITE_ROOM (TLS_MAX_CERT_MSG + 4 * 1024)

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

static hsb_rc write_hs(hsb_tls_conn *c, const tls_action *a)
{
    tls_handler h = a->handler[c->role];
    hsb_stuffer s;
    size_t mark;
    if (c->cipher_w) {
        /* Only Finished travels encrypted: build it, then seal one record. */
        uint8_t msg[64];
        hsb_stuffer_init_write(&s, msg, sizeof msg);
        HSB_GUARD(hsb_stuffer_write_u8(&s, a->hs_type));
        HSB_GUARD(hsb_stuffer_begin_vec(&s, 3, &mark));
        HSB_GUARD(h(c, &s));
        HSB_GUARD(hsb_stuffer_end_vec(&s, 3, mark));
        transcript_add(c, msg, s.wpos);
        return tls_record_write(c, TLS_RT_HANDSHAKE, msg, s.wpos);
    }
    if (c->out_hs_rec == SIZE_MAX) {
        HSB_ENSURE(tls_out_free(c) >= TLS_HEADER_LEN, HSB_E_INTERNAL);
        c->out_hs_rec = c->out_end;
        c->out_end += TLS_HEADER_LEN;
        c->records_sent++;
    }
    /* Leave room for the headers of split records. */
    size_t room = tls_out_free(c);
    HSB_ENSURE(room > 32, HSB_E_INTERNAL);
    uint8_t *start = c->out + c->out_end;
    hsb_stuffer_init_write(&s, start, room - 32);
    HSB_GUARD(hsb_stuffer_write_u8(&s, a->hs_type));
    HSB_GUARD(hsb_stuffer_begin_vec(&s, 3, &mark));
    HSB_GUARD(h(c, &s));
    HSB_GUARD(hsb_stuffer_end_vec(&s, 3, mark));
    transcript_add(c, start, s.wpos);
    c->out_end += s.wpos;
    close_hs_record(c);
    return HSB_OK;
}

/* Read the next handshake message (or ChangeCipherSpec) for action a and
 * hand it to a's handler. */
static hsb_rc read_msg(hsb_tls_conn *c, const tls_action *a)
{
    tls_handler h = a->handler[c->role];
    for (;;) {
        if (c->hs_len >= 4) {
            size_t mlen = (size_t)c->hs[1] << 16 | (size_t)c->hs[2] << 8 | c->hs[3];
            /* Only when a handshake message is due: where ChangeCipherSpec
             * is, any handshake data is unexpected_message (below), whatever
             * its header says (RFC 5246 7.4). */
            if (mlen > TLS_MAX_HS_MSG && a->record_type == TLS_RT_HANDSHAKE)
                return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_PROTOCOL,
                                "handshake message of %zu bytes is too long", mlen);
            if (c->hs_len >= 4 + mlen) {
                uint8_t type = c->hs[0];
                size_t total = 4 + mlen;
                if (type == TLS_HS_HELLO_REQUEST && c->role == HSB_TLS_CLIENT && mlen == 0) {
                    /* RFC 5246 7.4.1.1: ignored while negotiating, and not
                     * part of the transcript. */
                    memmove(c->hs, c->hs + total, c->hs_len - total);
                    c->hs_len -= total;
                    continue;
                }
                if (a->record_type != TLS_RT_HANDSHAKE || type != a->hs_type)
                    return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                                    "expected %s, got handshake message type %u", a->name, type);
                hsb_stuffer s;
                hsb_stuffer_init_read(&s, c->hs + 4, mlen);
                HSB_GUARD(h(c, &s));
                if (hsb_stuffer_remaining(&s) != 0)
                    return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL,
                                    "%zu trailing bytes in %s", hsb_stuffer_remaining(&s), a->name);
                transcript_add(c, c->hs, total);
                memmove(c->hs, c->hs + total, c->hs_len - total);
                c->hs_len -= total;
                return HSB_OK;
            }
        }
        if (a->record_type == TLS_RT_CCS && c->hs_len != 0)
            return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                            "handshake data where %s was expected", a->name);
        uint8_t type;
        size_t off, len, end;
        hsb_rc rc = tls_record_read(c, &type, &off, &len, &end);
        if (rc != HSB_OK) return rc;
        const uint8_t *p = c->in + off;
        switch (type) {
        case TLS_RT_HANDSHAKE:
            if (len == 0)
                return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                                "empty handshake record");
            if (len > TLS_HS_CAP - c->hs_len)
                return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_PROTOCOL,
                                "handshake message too long");
            memcpy(c->hs + c->hs_len, p, len);
            c->hs_len += len;
            tls_in_consume(c, end);
            break;
        case TLS_RT_CCS: {
            if (a->record_type != TLS_RT_CCS)
                return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                                "ChangeCipherSpec where %s was expected", a->name);
            hsb_stuffer s;
            hsb_stuffer_init_read(&s, p, len);
            tls_in_consume(c, end);
            return h(c, &s);
        }
        case TLS_RT_ALERT:
            rc = tls_handle_alert(c, p, len);
            tls_in_consume(c, end);
            if (rc != HSB_OK) return rc;
            if (c->close_received) {
                c->pending_alert = TLS_ALERT_NONE;
                return tls_fail(c, TLS_ALERT_NONE, HSB_E_PROTOCOL,
                                "peer sent close_notify during the handshake");
            }
            break;
        default:
            return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                            "record type %u where %s was expected", type, a->name);
        }
    }
}

hsb_rc hsb_tls_handshake(hsb_tls_conn *c)
{
    HSB_ENSURE(c, HSB_E_USAGE);
    if (c->state == TLS_DEAD) return c->rc;
    HSB_ENSURE(c->state != TLS_IDLE, HSB_E_USAGE);
    for (;;) {
        if (c->state == TLS_OPEN) {
            hsb_rc rc = tls_flush(c);
            return rc == HSB_OK || rc == HSB_E_WOULD_BLOCK ? rc : die(c, rc);
        }
        if (c->msg_no >= SHAPE_LEN || (c->shape == SHAPE_INITIAL && c->msg_no >= 2))
            return die(c, hsb_raise(HSB_E_INTERNAL, __FILE__, __LINE__, "handshake table"));
        tls_msg m = shapes[c->shape][c->msg_no];
        const tls_action *a = &actions[m];
        c->step = a->name;
        hsb_rc rc;
        if (m == APPLICATION_DATA) {
            c->state = TLS_OPEN;
            c->step = NULL;
            hsb_wipe(c->key_block, sizeof c->key_block);
            continue;
        }
        if (a->writer == c->role) {
            if (tls_out_free(c) < WRITE_ROOM) {
                rc = tls_flush(c);
                if (rc == HSB_E_WOULD_BLOCK) return rc;
                if (rc != HSB_OK) return die(c, rc);
            }
            hsb_clear_error();
            rc = a->record_type == TLS_RT_CCS ? a->handler[c->role](c, NULL) : write_hs(c, a);
        } else {
            /* The peer is waiting for our flight before it answers. */
            rc = tls_flush(c);
            if (rc == HSB_E_WOULD_BLOCK) return rc;
            if (rc != HSB_OK) return die(c, rc);
            hsb_clear_error();
            rc = read_msg(c, a);
            if (rc == HSB_E_WOULD_BLOCK) return rc;
        }
        if (rc != HSB_OK) return die(c, rc);
        c->msg_no++;
    }
}

/* ------------------------------------------------------- connections */

static size_t round_ctx(size_t n)
{
    return (n + HSB_CTX_ALIGN - 1) & ~(size_t)(HSB_CTX_ALIGN - 1);
}

size_t hsb_tls_conn_size(const hsb_tls_config *cfg)
{
    if (!cfg) return 0;
    const hsb_backend *b = cfg->cls;
    size_t n = round_ctx(sizeof(hsb_tls_conn));
    n += round_ctx(b->sha256->ctx_size);
    n += b->dh ? round_ctx(b->dh->ctx_size) : 0;
    n += round_ctx(b->rsa_pub->ctx_size);
    n += 2 * round_ctx(b->aes->ctx_size);
    n += 2 * round_ctx(b->hmac->ctx_size);
    return n;
}

hsb_rc hsb_tls_conn_init(void *mem, hsb_tls_thread *thr, hsb_tls_conn **out)
{
    HSB_ENSURE(mem && thr && out && ((uintptr_t)mem % HSB_CTX_ALIGN) == 0, HSB_E_USAGE);
    const hsb_tls_config *cfg = thr->cfg;
    const hsb_backend *b = cfg->cls;
    size_t total = hsb_tls_conn_size(cfg);
    memset(mem, 0, total);
    hsb_tls_conn *c = mem;
    c->cfg = cfg;
    c->thr = thr;
    c->cls = b;
    c->role = cfg->role;
    uint8_t *p = (uint8_t *)mem + round_ctx(sizeof *c);
    c->transcript = p;
    p += round_ctx(b->sha256->ctx_size);
    if (b->dh) {
        c->dh = p;
        p += round_ctx(b->dh->ctx_size);
    }
    c->peer_pub = p;
    p += round_ctx(b->rsa_pub->ctx_size);
    c->aes_r = p;
    p += round_ctx(b->aes->ctx_size);
    c->aes_w = p;
    p += round_ctx(b->aes->ctx_size);
    c->hmac_r = p;
    p += round_ctx(b->hmac->ctx_size);
    c->hmac_w = p;
    c->out_hs_rec = SIZE_MAX;
    c->alert_sent = c->alert_recv = c->pending_alert = -1;
    HSB_GUARD(b->sha256->init(c->transcript));
    if (cfg->role == HSB_TLS_SERVER && (cfg->kx_mask & HSB_TLS_KX_DHE)) {
        /* The server's group is fixed: load it once per conn; each
         * handshake draws a fresh key (keygen). */
        hsb_rc rc = b->dh->init(c->dh, cfg->dh_group);
        if (rc != HSB_OK) {
            b->sha256->clear(c->transcript);
            return rc;
        }
        c->dh_ready = 1;
    }
    c->state = TLS_IDLE;
    *out = c;
    return HSB_OK;
}

/* Release what one connection set up (keys, peer key, client DH). */
static void reset_conn_keys(hsb_tls_conn *c)
{
    const hsb_backend *b = c->cls;
    if (c->aes_r_ready) b->aes->clear(c->aes_r);
    if (c->aes_w_ready) b->aes->clear(c->aes_w);
    if (c->hmac_r_ready) b->hmac->clear(c->hmac_r);
    if (c->hmac_w_ready) b->hmac->clear(c->hmac_w);
    c->aes_r_ready = c->aes_w_ready = c->hmac_r_ready = c->hmac_w_ready = 0;
    if (c->peer_pub_ready) b->rsa_pub->clear(c->peer_pub);
    c->peer_pub_ready = 0;
    if (c->role == HSB_TLS_CLIENT && c->dh_ready) {
        b->dh->clear(c->dh);
        c->dh_ready = 0;
    }
    wipe_secrets(c);
}

hsb_rc hsb_tls_conn_start(hsb_tls_conn *c, const hsb_tls_transport *tr)
{
    HSB_ENSURE(c && tr && tr->send && tr->recv, HSB_E_USAGE);
    reset_conn_keys(c);
    if (c->state != TLS_IDLE || c->records_sent || c->records_received) {
        /* Forget the previous transcript (final resets the hash). */
        uint8_t junk[32];
        c->cls->sha256->final(c->transcript, junk);
    }
    c->tr = *tr;
    c->state = TLS_HANDSHAKE;
    c->shape = SHAPE_INITIAL;
    c->msg_no = 0;
    c->suite = 0;
    c->kx = NULL;
    c->client_version = 0;
    c->peer_secure_reneg = c->sent_sni = c->version_fixed = 0;
    c->dh_group_name = NULL;
    c->dh_bits = 0;
    c->rsa_bits = 0;
    c->peer_n_len = 0;
    c->cipher_r = c->cipher_w = 0;
    c->seq_r = c->seq_w = 0;
    c->seq_r_done = c->seq_w_done = 0;
    c->records_sent = c->records_received = 0;
    c->in_start = c->in_end = 0;
    c->app_active = 0;
    c->app_off = c->app_len = c->app_rec_end = 0;
    c->hs_len = 0;
    c->out_start = c->out_end = 0;
    c->out_hs_rec = SIZE_MAX;
    c->close_sent = c->close_received = 0;
    c->rc = HSB_OK;
    c->step = NULL;
    c->alert_sent = c->alert_recv = c->pending_alert = -1;
    c->detail[0] = '\0';
    c->err[0] = '\0';
    return HSB_OK;
}

void hsb_tls_conn_clear(hsb_tls_conn *c)
{
    if (!c) return;
    const hsb_backend *b = c->cls;
    reset_conn_keys(c);
    if (c->dh_ready) b->dh->clear(c->dh);
    c->dh_ready = 0;
    b->sha256->clear(c->transcript);
    /* The buffers held plaintext and key material. */
    hsb_wipe(c->in, sizeof c->in);
    hsb_wipe(c->hs, sizeof c->hs);
    hsb_wipe(c->out, sizeof c->out);
    c->state = TLS_IDLE;
}

hsb_rc hsb_tls_conn_new(hsb_tls_thread *thr, hsb_tls_conn **out)
{
    HSB_ENSURE(thr && out, HSB_E_USAGE);
    size_t n = hsb_tls_conn_size(thr->cfg);
    void *mem = hsb_ctx_alloc(n);
    if (!mem) HSB_BAIL(HSB_E_NOMEM);
    hsb_rc rc = hsb_tls_conn_init(mem, thr, out);
    if (rc != HSB_OK) hsb_ctx_free(mem, n);
    return rc;
}

void hsb_tls_conn_free(hsb_tls_conn *c)
{
    if (!c) return;
    size_t n = hsb_tls_conn_size(c->cfg);
    hsb_tls_conn_clear(c);
    hsb_ctx_free(c, n);
}

/* ----------------------------------------------------- application data */

hsb_rc hsb_tls_flush(hsb_tls_conn *c)
{
    HSB_ENSURE(c, HSB_E_USAGE);
    if (c->state == TLS_DEAD) return c->rc;
    hsb_rc rc = tls_flush(c);
    return rc == HSB_OK || rc == HSB_E_WOULD_BLOCK ? rc : die(c, rc);
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
    if (rc != HSB_OK) return die(c, rc);
    if (len == 0) return HSB_OK;
    size_t take = len < HSB_TLS_MAX_PLAINTEXT ? len : HSB_TLS_MAX_PLAINTEXT;
    rc = tls_record_write(c, TLS_RT_APPDATA, data, take);
    if (rc != HSB_OK) return die(c, rc);
    *n = take;
    rc = tls_flush(c);
    if (rc != HSB_OK && rc != HSB_E_WOULD_BLOCK) return die(c, rc);
    return HSB_OK;
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
            size_t k = c->app_len < cap ? c->app_len : cap;
            memcpy(buf, c->in + c->app_off, k);
            c->app_off += k;
            c->app_len -= k;
            if (c->app_len == 0) {
                c->app_active = 0;
                tls_in_consume(c, c->app_rec_end);
            }
            *n = k;
            return HSB_OK;
        }
        if (c->close_received) return HSB_OK;
        uint8_t type;
        size_t off, len, end;
        hsb_clear_error();
        hsb_rc rc = tls_record_read(c, &type, &off, &len, &end);
        if (rc == HSB_E_WOULD_BLOCK) return rc;
        if (rc == HSB_E_IO && strcmp(c->detail, "peer closed the connection") == 0)
            snprintf(c->detail, sizeof c->detail,
                     "peer closed the connection without close_notify (truncated)");
        if (rc != HSB_OK) return die(c, rc);
        switch (type) {
        case TLS_RT_APPDATA:
            if (len == 0) {
                tls_in_consume(c, end);
                break;
            }
            c->app_active = 1;
            c->app_off = off;
            c->app_len = len;
            c->app_rec_end = end;
            break;
        case TLS_RT_ALERT:
            rc = tls_handle_alert(c, c->in + off, len);
            tls_in_consume(c, end);
            if (rc != HSB_OK) return die(c, rc);
            break;
        case TLS_RT_HANDSHAKE:
            tls_in_consume(c, end);
            if (c->role == HSB_TLS_CLIENT && len == 4 && c->in[off] == TLS_HS_HELLO_REQUEST &&
                c->in[off + 1] == 0 && c->in[off + 2] == 0 && c->in[off + 3] == 0)
                break; /* a HelloRequest: we never renegotiate (RFC 5246 7.4.1.1) */
            if (c->role == HSB_TLS_SERVER) {
                /* A renegotiating ClientHello: refuse with the warning RFC
                 * 5246 7.2.2 names, and drop it. */
                if (tls_record_write(
                        c, TLS_RT_ALERT,
                        (const uint8_t[]){TLS_ALERT_WARNING, HSB_TLS_ALERT_NO_RENEGOTIATION},
                        2) == HSB_OK)
                    (void)tls_flush(c);
                break;
            }
            return die(c, tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                                   "handshake message after the handshake"));
        default:
            tls_in_consume(c, end);
            return die(c, tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                                   "record type %u after the handshake", type));
        }
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
        if (rc != HSB_OK) return die(c, rc);
        static const uint8_t cn[2] = {TLS_ALERT_WARNING, HSB_TLS_ALERT_CLOSE_NOTIFY};
        rc = tls_record_write(c, TLS_RT_ALERT, cn, 2);
        if (rc != HSB_OK) return die(c, rc);
        c->close_sent = 1;
    }
    hsb_rc rc = tls_flush(c);
    return rc == HSB_OK || rc == HSB_E_WOULD_BLOCK ? rc : die(c, rc);
}

hsb_rc hsb_tls_pair_handshake(hsb_tls_conn *client, hsb_tls_conn *server, hsb_tls_conn **failed)
{
    HSB_ENSURE(client && server, HSB_E_USAGE);
    if (failed) *failed = NULL;
    int cd = 0, sd = 0;
    for (int round = 0; round < 32 && !(cd && sd); round++) {
        if (!cd) {
            hsb_rc rc = hsb_tls_handshake(client);
            if (rc == HSB_OK)
                cd = 1;
            else if (rc != HSB_E_WOULD_BLOCK) {
                if (failed) *failed = client;
                return rc;
            }
        }
        if (!sd) {
            hsb_rc rc = hsb_tls_handshake(server);
            if (rc == HSB_OK)
                sd = 1;
            else if (rc != HSB_E_WOULD_BLOCK) {
                if (failed) *failed = server;
                return rc;
            }
        }
    }
    if (!(cd && sd)) HSB_BAIL_MSG(HSB_E_INTERNAL, "handshake pair made no progress");
    return HSB_OK;
}

/* -------------------------------------------------------------- queries */

void hsb_tls_conn_info(const hsb_tls_conn *c, hsb_tls_info *info)
{
    memset(info, 0, sizeof *info);
    if (!c) return;
    info->handshake_done = c->state == TLS_OPEN;
    info->version = c->version_fixed ? HSB_TLS_VERSION_1_2 : 0;
    info->suite = c->suite;
    info->suite_name = hsb_tls_suite_name(c->suite);
    info->kx = c->kx ? c->kx->mask : 0;
    info->rsa_bits = c->role == HSB_TLS_SERVER ? c->cfg->key_bits : c->rsa_bits;
    info->dh_bits = c->dh_bits;
    info->dh_group = c->dh_group_name;
    info->records_sent = c->records_sent;
    info->records_received = c->records_received;
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

void hsb_tls_conn_test_set_seq(hsb_tls_conn *c, int write, uint64_t seq)
{
    if (!c) return;
    if (write) {
        c->seq_w = seq;
        c->seq_w_done = 0;
    } else {
        c->seq_r = seq;
        c->seq_r_done = 0;
    }
}
