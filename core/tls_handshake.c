/*
 * The TLS 1.2 handshake as a table (s2n_handshake_io shape) and the step
 * driver that walks it.
 *
 * The table lists each message once (record type, handshake type, who
 * writes it, and the handler for each role); a handshake "shape" is the
 * ordered row of messages for one key exchange (RFC 5246 7.3, figure 1:
 * RSA sends no ServerKeyExchange, DHE does) and client authentication state
 * (no CertificateRequest; CertificateRequest and the client's Certificate;
 * and CertificateVerify after ClientKeyExchange when that Certificate was
 * not empty). Every shape starts with ClientHello, ServerHello; the hello
 * handlers pick the row, and the driver walks it: for our own messages it
 * calls the writer, for the peer's it waits for the next whole message and
 * calls the reader (tls_framing.c does the bytes). The rows of one key
 * exchange agree up to the point where they part, so a handler that learns
 * the authentication state (tls_branch, tls_set_auth) switches rows without
 * moving the conn's place in them.
 */
#include "hsb_ct.h"
#include "tls_internal.h"

typedef enum tls_msg {
    CLIENT_HELLO,
    SERVER_HELLO,
    SERVER_CERT,
    SERVER_KEY,
    CERT_REQUEST,
    SERVER_HELLO_DONE,
    CLIENT_CERT,
    CLIENT_KEY,
    CERT_VERIFY,
    CLIENT_CCS,
    CLIENT_FINISHED,
    SERVER_CCS,
    SERVER_FINISHED,
    APPLICATION_DATA,
} tls_msg;

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
    /* RFC 5246 7.1: the message is the single byte 1. Anything else is not
     * a ChangeCipherSpec at all, so unexpected_message (as OpenSSL), not
     * decode_error. */
    if (hsb_stuffer_read_u8(s, &v) != HSB_OK || v != 1 || hsb_stuffer_remaining(s) != 0)
        return tls_fail(c, HSB_TLS_ALERT_UNEXPECTED_MESSAGE, HSB_E_PROTOCOL,
                        "bad ChangeCipherSpec (%zu bytes)", s->wpos);
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
    [CERT_REQUEST] = {TLS_RT_HANDSHAKE,
                      TLS_HS_CERTIFICATE_REQUEST,
                      S,
                      "CertificateRequest",
                      {tls_cert_request_read, tls_cert_request_write}},
    [SERVER_HELLO_DONE] = {TLS_RT_HANDSHAKE,
                           TLS_HS_SERVER_HELLO_DONE,
                           S,
                           "ServerHelloDone",
                           {tls_server_done_read, tls_server_done_write}},
    [CLIENT_CERT] = {TLS_RT_HANDSHAKE,
                     TLS_HS_CERTIFICATE,
                     C,
                     "client Certificate",
                     {tls_client_cert_write, tls_client_cert_read}},
    [CLIENT_KEY] = {TLS_RT_HANDSHAKE,
                    TLS_HS_CLIENT_KEY_EXCHANGE,
                    C,
                    "ClientKeyExchange",
                    {tls_client_key_write, tls_client_key_read}},
    [CERT_VERIFY] = {TLS_RT_HANDSHAKE,
                     TLS_HS_CERTIFICATE_VERIFY,
                     C,
                     "CertificateVerify",
                     {tls_cert_verify_write, tls_cert_verify_read}},
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

static const tls_msg shapes[][SHAPE_LEN] = {
    [SHAPE_INITIAL] = {CLIENT_HELLO, SERVER_HELLO, APPLICATION_DATA},
    [SHAPE_RSA] = {CLIENT_HELLO, SERVER_HELLO, SERVER_CERT, SERVER_HELLO_DONE, CLIENT_KEY,
                   CLIENT_CCS, CLIENT_FINISHED, SERVER_CCS, SERVER_FINISHED, APPLICATION_DATA},
    [SHAPE_DHE] = {CLIENT_HELLO, SERVER_HELLO, SERVER_CERT, SERVER_KEY, SERVER_HELLO_DONE,
                   CLIENT_KEY, CLIENT_CCS, CLIENT_FINISHED, SERVER_CCS, SERVER_FINISHED,
                   APPLICATION_DATA},
    [SHAPE_RSA_CR] = {CLIENT_HELLO, SERVER_HELLO, SERVER_CERT, CERT_REQUEST, SERVER_HELLO_DONE,
                      CLIENT_CERT, CLIENT_KEY, CLIENT_CCS, CLIENT_FINISHED, SERVER_CCS,
                      SERVER_FINISHED, APPLICATION_DATA},
    [SHAPE_DHE_CR] = {CLIENT_HELLO, SERVER_HELLO, SERVER_CERT, SERVER_KEY, CERT_REQUEST,
                      SERVER_HELLO_DONE, CLIENT_CERT, CLIENT_KEY, CLIENT_CCS, CLIENT_FINISHED,
                      SERVER_CCS, SERVER_FINISHED, APPLICATION_DATA},
    [SHAPE_RSA_CV] = {CLIENT_HELLO, SERVER_HELLO, SERVER_CERT, CERT_REQUEST, SERVER_HELLO_DONE,
                      CLIENT_CERT, CLIENT_KEY, CERT_VERIFY, CLIENT_CCS, CLIENT_FINISHED, SERVER_CCS,
                      SERVER_FINISHED, APPLICATION_DATA},
    [SHAPE_DHE_CV] = {CLIENT_HELLO, SERVER_HELLO, SERVER_CERT, SERVER_KEY, CERT_REQUEST,
                      SERVER_HELLO_DONE, CLIENT_CERT, CLIENT_KEY, CERT_VERIFY, CLIENT_CCS,
                      CLIENT_FINISHED, SERVER_CCS, SERVER_FINISHED, APPLICATION_DATA},
};

/* The row for the conn's key exchange and authentication state. */
static void pick_row(hsb_tls_conn *c)
{
    static const int rows[2][3] = {
        {SHAPE_RSA, SHAPE_RSA_CR, SHAPE_RSA_CV},
        {SHAPE_DHE, SHAPE_DHE_CR, SHAPE_DHE_CV},
    };
    c->shape = rows[c->kx->server_key_exchange ? 1 : 0][c->auth];
}

void tls_set_shape(hsb_tls_conn *c, const hsb_tls_kx *kx)
{
    c->kx = kx;
    c->suite = kx->suite;
    /* A server that verifies clients asks every one (RFC 5246 7.4.4). */
    if (c->role == HSB_TLS_SERVER && c->cfg->verify_client != HSB_TLS_VERIFY_NONE)
        c->auth = TLS_AUTH_REQUESTED;
    pick_row(c);
}

void tls_set_auth(hsb_tls_conn *c, int auth)
{
    c->auth = auth;
    pick_row(c);
}

const tls_action *tls_branch(hsb_tls_conn *c, const tls_action *a, uint8_t type)
{
    /* RFC 5246 7.4.4: a server may send CertificateRequest after its
     * Certificate (and ServerKeyExchange), before ServerHelloDone. */
    if (c->role != HSB_TLS_CLIENT || c->auth != TLS_AUTH_NONE || a != &actions[SERVER_HELLO_DONE] ||
        type != TLS_HS_CERTIFICATE_REQUEST)
        return NULL;
    tls_set_auth(c, TLS_AUTH_REQUESTED);
    const tls_action *now = &actions[shapes[c->shape][c->msg_no]];
    c->step = now->name;
    return now;
}

/* Room kept free before writing one of our messages (the largest is the
 * server's Certificate, bounded at config time, plus split headers). */
#define WRITE_ROOM (TLS_MAX_CERT_MSG + 4 * 1024)

/* One of our messages: make room for it, then write it. */
static hsb_rc step_write(hsb_tls_conn *c, const tls_action *a)
{
    if (tls_out_free(c) < WRITE_ROOM) HSB_GUARD(tls_flush(c));
    hsb_clear_error();
    hsb_rc rc = a->record_type == TLS_RT_CCS ? a->handler[c->role](c, NULL) : tls_write_hs(c, a);
    /* A writer never waits on the transport: that would be a bug. (It may
     * wait on a public-key op it handed out: HSB_E_PENDING.) */
    return rc == HSB_E_WOULD_BLOCK ? HSB_E_INTERNAL : rc;
}

/* One of the peer's messages: it waits for our flight before it answers. */
static hsb_rc step_read(hsb_tls_conn *c, const tls_action *a)
{
    HSB_GUARD(tls_flush(c));
    hsb_clear_error();
    return tls_read_msg(c, a);
}

/* The next message of the conn's row. */
static hsb_rc step(hsb_tls_conn *c)
{
    if (c->msg_no >= SHAPE_LEN || (c->shape == SHAPE_INITIAL && c->msg_no >= 2))
        return hsb_raise(HSB_E_INTERNAL, __FILE__, __LINE__, "handshake table");
    tls_msg m = shapes[c->shape][c->msg_no];
    const tls_action *a = &actions[m];
    c->step = a->name;
    if (m == APPLICATION_DATA) {
        /* Both Finished verified: the keys live on in the record contexts. */
        c->state = TLS_OPEN;
        c->step = NULL;
        hsb_wipe(c->key_block, sizeof c->key_block);
        return HSB_OK;
    }
    hsb_rc rc = a->writer == c->role ? step_write(c, a) : step_read(c, a);
    /* RFC 7627 4: the session hash ends with ClientKeyExchange, before any
     * CertificateVerify. */
    if (rc == HSB_OK && m == CLIENT_KEY) rc = tls_finish_master(c);
    if (rc == HSB_OK) {
        c->msg_no++;
        tls_pk_next(c);
    }
    return rc;
}

hsb_rc hsb_tls_handshake(hsb_tls_conn *c)
{
    HSB_ENSURE(c, HSB_E_USAGE);
    if (c->state == TLS_DEAD) return c->rc;
    HSB_ENSURE(c->state != TLS_IDLE, HSB_E_USAGE);
    if (c->pk.out) return HSB_E_PENDING; /* the driver has not resumed it yet */
    while (c->state == TLS_HANDSHAKE) {
        hsb_rc rc = step(c);
        if (rc == HSB_E_WOULD_BLOCK || rc == HSB_E_PENDING) return rc;
        if (rc != HSB_OK) return tls_die(c, rc);
    }
    /* Our last flight (the server's Finished) may still wait on the transport. */
    return hsb_tls_flush(c);
}
