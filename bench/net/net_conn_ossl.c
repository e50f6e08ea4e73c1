/* The connection driver on libssl: an SSL on the socket, its alerts taken
 * from the info callback and its state mapped to the core's step names. */
#include <errno.h>
#include <openssl/err.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "hsb_keys.h"
#include "hsb_ref_libssl.h"
#include "net_internal.h"

static hsb_rc tls_init(hsb_net_tls *t)
{
    (void)t;
    return HSB_OK;
}

static void tls_release(hsb_net_tls *t)
{
    SSL_CTX_free(t->ctx);
    t->ctx = NULL;
}

/* An SSL is made per connection at start and freed when the conn goes back
 * to the free list, as a libssl application does per connection. */
static hsb_rc conn_init(hsb_net_conn *c)
{
    (void)c;
    return HSB_OK;
}

static void conn_recycle(hsb_net_conn *c)
{
    SSL_free(c->ssl);
    c->ssl = NULL;
}

/* RFC 5246 7.2: the alerts each end sends or receives, as libssl reports
 * them (SSL_CB_ALERT: the description in the low byte, level in the high). */
static void on_info(const SSL *s, int where, int ret)
{
    if (!(where & SSL_CB_ALERT)) return;
    hsb_net_conn *c = SSL_get_app_data(s);
    int fatal = (ret >> 8) == SSL3_AL_FATAL, desc = ret & 0xff;
    if (!c) return;
    if ((where & SSL_CB_WRITE) && fatal && c->alert_sent < 0) c->alert_sent = desc;
    if ((where & SSL_CB_READ) && (fatal || desc == SSL_AD_CLOSE_NOTIFY) && c->alert_received < 0)
        c->alert_received = desc;
}

static hsb_rc start(hsb_net_conn *c)
{
    hsb_net_tls *t = c->t;
    SSL_free(c->ssl);
    c->ssl = SSL_new(t->ctx);
    if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
        ERR_clear_error();
        HSB_BAIL_MSG(HSB_E_NOMEM, "SSL_new");
    }
    SSL_set_app_data(c->ssl, c);
    SSL_set_info_callback(c->ssl, on_info);
    SSL_set_mode(c->ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (t->role == HSB_TLS_SERVER) {
        SSL_set_accept_state(c->ssl);
        return HSB_OK;
    }
    SSL_set_connect_state(c->ssl);
    if (t->server_name && (SSL_set1_host(c->ssl, t->server_name) != 1 ||
                           SSL_set_tlsext_host_name(c->ssl, t->server_name) != 1)) {
        ERR_clear_error();
        HSB_BAIL_MSG(HSB_E_USAGE, "SSL_set1_host");
    }
    return HSB_OK;
}

/* libssl's handshake state, in the core's step names: the message being
 * read or written when the connection failed. A state names the last
 * message started; a failure while waiting after a flight is the next
 * message's. */
static const char *step_name(const SSL *s, hsb_tls_role role)
{
    static const struct {
        OSSL_HANDSHAKE_STATE st;
        const char *server, *client;
    } map[] = {
        {TLS_ST_BEFORE, "ClientHello", "ClientHello"},
        {TLS_ST_SR_CLNT_HELLO, "ClientHello", "ClientHello"},
        {TLS_ST_CW_CLNT_HELLO, "ClientHello", "ServerHello"},
        {TLS_ST_SW_SRVR_HELLO, "ServerHello", "ServerHello"},
        {TLS_ST_CR_SRVR_HELLO, "ServerHello", "ServerHello"},
        {TLS_ST_SW_CERT, "Certificate", "Certificate"},
        {TLS_ST_CR_CERT, "Certificate", "Certificate"},
        {TLS_ST_SW_KEY_EXCH, "ServerKeyExchange", "ServerKeyExchange"},
        {TLS_ST_CR_KEY_EXCH, "ServerKeyExchange", "ServerKeyExchange"},
        {TLS_ST_SW_SRVR_DONE, "ClientKeyExchange", "ServerHelloDone"},
        {TLS_ST_CR_SRVR_DONE, "ServerHelloDone", "ServerHelloDone"},
        {TLS_ST_SR_KEY_EXCH, "ClientKeyExchange", "ClientKeyExchange"},
        {TLS_ST_CW_KEY_EXCH, "ClientKeyExchange", "ClientKeyExchange"},
        {TLS_ST_SR_CHANGE, "client ChangeCipherSpec", "client ChangeCipherSpec"},
        {TLS_ST_CW_CHANGE, "client ChangeCipherSpec", "client ChangeCipherSpec"},
        {TLS_ST_SR_FINISHED, "client Finished", "client Finished"},
        {TLS_ST_CW_FINISHED, "client Finished", "server ChangeCipherSpec"},
        {TLS_ST_SW_CHANGE, "server ChangeCipherSpec", "server ChangeCipherSpec"},
        {TLS_ST_CR_CHANGE, "server ChangeCipherSpec", "server ChangeCipherSpec"},
        {TLS_ST_SW_FINISHED, "server Finished", "server Finished"},
        {TLS_ST_CR_FINISHED, "server Finished", "server Finished"},
        {TLS_ST_OK, "application data", "application data"},
    };
    OSSL_HANDSHAKE_STATE st = SSL_get_state(s);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].st == st) return role == HSB_TLS_SERVER ? map[i].server : map[i].client;
    return SSL_state_string_long(s);
}

/* The outcome of an SSL call that returned r: WANT_* waits, the rest is a
 * failure, recorded with libssl's reason and the transport's errno. */
static hsb_net_st status(hsb_net_conn *c, int r, uint32_t *events)
{
    int saved = errno;
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        *events = e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
        return HSB_NET_WAIT;
    }
    c->failed = 1;
    c->fail_step = step_name(c->ssl, c->t->role);
    unsigned long code = ERR_peek_error();
    if (e == SSL_ERROR_SYSCALL && saved) c->sys_err = saved;
    if ((e == SSL_ERROR_SYSCALL && !saved) ||
        (code && ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING))
        c->eof = 1;
    char why[160] = "";
    if (code) ERR_error_string_n(code, why, sizeof why);
    snprintf(c->ossl_detail, sizeof c->ossl_detail, "libssl: %s: %s",
             e == SSL_ERROR_SYSCALL ? "syscall" : "ssl",
             code    ? why
             : saved ? strerror(saved)
                     : "peer closed the connection");
    ERR_clear_error();
    return HSB_NET_FAILED;
}

static hsb_net_st handshake(hsb_net_conn *c, uint32_t *events)
{
    ERR_clear_error();
    errno = 0;
    int r = SSL_do_handshake(c->ssl);
    return r == 1 ? HSB_NET_DONE : status(c, r, events);
}

static hsb_net_st conn_read(hsb_net_conn *c, void *buf, size_t cap, size_t *n, uint32_t *events)
{
    ERR_clear_error();
    errno = 0;
    size_t got = 0;
    int r = SSL_read_ex(c->ssl, buf, cap, &got);
    if (r == 1) {
        *n = got;
        return HSB_NET_DONE;
    }
    if (SSL_get_error(c->ssl, r) == SSL_ERROR_ZERO_RETURN) return HSB_NET_DONE; /* close_notify */
    return status(c, r, events);
}

static hsb_net_st conn_write(hsb_net_conn *c, const void *d, size_t len, size_t *n,
                             uint32_t *events)
{
    if (len == 0) return HSB_NET_DONE;
    if (len > HSB_TLS_MAX_PLAINTEXT) len = HSB_TLS_MAX_PLAINTEXT;
    ERR_clear_error();
    errno = 0;
    size_t put = 0;
    int r = SSL_write_ex(c->ssl, d, len, &put);
    if (r == 1) {
        *n = put;
        return HSB_NET_DONE;
    }
    return status(c, r, events);
}

/* A written record went to the socket whole (libssl keeps no output once
 * SSL_write returns). */
static hsb_net_st flush(hsb_net_conn *c, uint32_t *events)
{
    (void)events;
    return c->failed ? HSB_NET_FAILED : HSB_NET_DONE;
}

/* SSL_shutdown: 0 once our close_notify is out (we do not wait for the
 * peer's), 1 when both are done. */
static hsb_net_st conn_close(hsb_net_conn *c, uint32_t *events)
{
    ERR_clear_error();
    errno = 0;
    int r = SSL_shutdown(c->ssl);
    if (r >= 0) return HSB_NET_DONE;
    return status(c, r, events);
}

static void failure(const hsb_net_conn *c, hsb_net_failure *f)
{
    if (!c->failed) return;
    f->step = c->fail_step;
    snprintf(f->detail, sizeof f->detail, "%s", c->ossl_detail);
    /* libssl answers an EOF with a decode_error alert of its own: the
     * transport's verdict comes before an alert sent. */
    hsb_net_fail_kind tk = hsb_net_transport_kind(c);
    if (c->alert_received >= 0) {
        f->kind = HSB_NET_FAIL_ALERT_RECEIVED;
        f->alert = c->alert_received;
    } else if (tk != HSB_NET_FAIL_NONE) {
        f->kind = tk;
    } else if (c->alert_sent >= 0) {
        f->kind = HSB_NET_FAIL_ALERT_SENT;
        f->alert = c->alert_sent;
    } else {
        f->kind = HSB_NET_FAIL_LOCAL;
    }
    if (f->alert >= 0) {
        size_t k = strlen(f->detail);
        snprintf(f->detail + k, sizeof f->detail - k, "; %s alert %s(%d)",
                 f->kind == HSB_NET_FAIL_ALERT_SENT ? "sent" : "received",
                 hsb_tls_alert_name(f->alert), f->alert);
    }
}

static void info(const hsb_net_conn *c, hsb_net_info *out)
{
    const SSL_CIPHER *ci = SSL_get_current_cipher(c->ssl);
    uint16_t id = ci ? (uint16_t)(SSL_CIPHER_get_id(ci) & 0xffff) : 0;
    out->suite_name = hsb_tls_suite_name(id);
    out->kx = id == HSB_TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 ? HSB_TLS_KX_DHE : HSB_TLS_KX_RSA;
    X509 *peer = c->t->role == HSB_TLS_CLIENT ? SSL_get0_peer_certificate(c->ssl)
                                              : SSL_get_certificate(c->ssl);
    EVP_PKEY *pk = peer ? X509_get0_pubkey(peer) : NULL;
    out->rsa_bits = pk ? (unsigned)EVP_PKEY_get_bits(pk) : 0;
    EVP_PKEY *tmp = NULL;
    /* The group's size, from the server's key as a client saw it (a libssl
     * server has freed its own by now: dh_bits stays 0). */
    if (out->kx == HSB_TLS_KX_DHE && c->t->role == HSB_TLS_CLIENT &&
        SSL_get_peer_tmp_key(c->ssl, &tmp) == 1) {
        out->dh_bits = (unsigned)EVP_PKEY_get_bits(tmp);
    }
    EVP_PKEY_free(tmp);
    out->ems = (int)SSL_get_extms_support(c->ssl) == 1;
    /* libssl has no public query of encrypt_then_mac's use. */
    out->etm = -1;
}

const net_ops hsb_net_ops_ossl = {
    .tls_init = tls_init,
    .tls_release = tls_release,
    .conn_init = conn_init,
    .conn_recycle = conn_recycle,
    .conn_release = conn_recycle,
    .start = start,
    .handshake = handshake,
    .read = conn_read,
    .write = conn_write,
    .flush = flush,
    .close = conn_close,
    .failure = failure,
    .info = info,
};

/* A context with hsbench's libssl settings for the suites of kx; on failure
 * NULL and *what names the step. */
static SSL_CTX *ctx_new(const SSL_METHOD *m, unsigned kx, int etm, int ems, const char **what)
{
    const char *ciphers = kx == HSB_TLS_KX_RSA   ? "AES128-SHA256"
                          : kx == HSB_TLS_KX_DHE ? "DHE-RSA-AES128-SHA256"
                                                 : "DHE-RSA-AES128-SHA256:AES128-SHA256";
    SSL_CTX *ctx = SSL_CTX_new(m);
    *what = "SSL_CTX_new";
    if (ctx && !hsb_ossl_ctx_tls12(ctx, ciphers)) {
        *what = "TLS 1.2 settings";
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (ctx) hsb_ossl_ctx_ext(ctx, etm, ems);
    return ctx;
}

/* libssl's reason for the failure of step `what` into err; ctx freed. */
static hsb_rc ctx_fail(SSL_CTX *ctx, const char *what, char *err, size_t err_len)
{
    char why[200] = "";
    unsigned long e = ERR_peek_last_error();
    if (e) ERR_error_string_n(e, why, sizeof why);
    snprintf(err, err_len, "libssl: %s: %s", what, why[0] ? why : "failed");
    ERR_clear_error();
    SSL_CTX_free(ctx);
    HSB_BAIL_MSG(HSB_E_USAGE, "libssl context");
}

hsb_rc hsb_net_ossl_server_ctx(const char *chain_file, const char *key_file, unsigned kx,
                               const char *group, int etm, int ems, SSL_CTX **out, char *err,
                               size_t err_len)
{
    *out = NULL;
    const char *what;
    SSL_CTX *ctx = ctx_new(TLS_server_method(), kx, etm, ems, &what);
    int ok = ctx != NULL;
    if (ok && !(ok = SSL_CTX_use_certificate_chain_file(ctx, chain_file) == 1)) what = chain_file;
    if (ok && !(ok = SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) == 1 &&
                     SSL_CTX_check_private_key(ctx) == 1))
        what = key_file;
    if (ok && (kx & HSB_TLS_KX_DHE)) {
        EVP_PKEY *dh = hsb_ossl_dh_params(group);
        if (!(ok = dh && SSL_CTX_set0_tmp_dh_pkey(ctx, dh) == 1)) {
            EVP_PKEY_free(dh);
            what = "DH group";
        }
    }
    if (!ok) return ctx_fail(ctx, what, err, err_len);
    *out = ctx;
    return HSB_OK;
}

hsb_rc hsb_net_ossl_client_ctx(const char *ca_file, unsigned kx, int etm, int ems, SSL_CTX **out,
                               char *err, size_t err_len)
{
    *out = NULL;
    const char *what;
    SSL_CTX *ctx = ctx_new(TLS_client_method(), kx, etm, ems, &what);
    if (ctx && SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
        what = ca_file;
        return ctx_fail(ctx, what, err, err_len);
    }
    if (!ctx) return ctx_fail(ctx, what, err, err_len);
    /* The chain and the host name (hsb_net_tls_new_libssl's server_name)
     * are checked on every handshake, as our client does. */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    *out = ctx;
    return HSB_OK;
}
