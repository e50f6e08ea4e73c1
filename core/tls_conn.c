/*
 * The life of a TLS connection object: its size and layout in caller-owned
 * memory, init (long-lived contexts), start (a new full handshake on the
 * same memory), clear and free; and what a caller may ask of it.
 */
#include <stddef.h>
#include <string.h>

#include "hsb_ct.h"
#include "tls_internal.h"

void tls_wipe_secrets(hsb_tls_conn *c)
{
    hsb_wipe(c->master, sizeof c->master);
    hsb_wipe(c->key_block, sizeof c->key_block);
    hsb_wipe(c->pms, sizeof c->pms);
    hsb_wipe(c->salt_r, sizeof c->salt_r);
    hsb_wipe(c->salt_w, sizeof c->salt_w);
    c->pms_len = 0;
    c->keys_ready = 0;
    tls_pk_wipe(c);
}

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
    n += b->gcm ? 2 * round_ctx(b->gcm->ctx_size) : 0;
    n += b->cbc_hmac ? 2 * round_ctx(b->cbc_hmac->ctx_size) : 0;
    return n;
}

/* Hand out the backend contexts that follow the struct in the conn's
 * memory, each HSB_CTX_ALIGN-aligned, in hsb_tls_conn_size's order. */
static uint8_t *take(uint8_t **p, size_t size)
{
    uint8_t *ctx = *p;
    *p += round_ctx(size);
    return ctx;
}

static void carve_contexts(hsb_tls_conn *c, const hsb_backend *b)
{
    uint8_t *p = (uint8_t *)c + round_ctx(sizeof *c);
    c->transcript = take(&p, b->sha256->ctx_size);
    if (b->dh) c->dh = take(&p, b->dh->ctx_size);
    c->peer_pub = take(&p, b->rsa_pub->ctx_size);
    c->aes_r = take(&p, b->aes->ctx_size);
    c->aes_w = take(&p, b->aes->ctx_size);
    c->hmac_r = take(&p, b->hmac->ctx_size);
    c->hmac_w = take(&p, b->hmac->ctx_size);
    if (b->gcm) {
        c->gcm_r = take(&p, b->gcm->ctx_size);
        c->gcm_w = take(&p, b->gcm->ctx_size);
    }
    if (b->cbc_hmac) {
        c->cbc_r = take(&p, b->cbc_hmac->ctx_size);
        c->cbc_w = take(&p, b->cbc_hmac->ctx_size);
    }
}

hsb_rc hsb_tls_conn_init(void *mem, hsb_tls_thread *thr, hsb_tls_conn **out)
{
    HSB_ENSURE(mem && thr && out && ((uintptr_t)mem % HSB_CTX_ALIGN) == 0, HSB_E_USAGE);
    const hsb_tls_config *cfg = thr->cfg;
    const hsb_backend *b = cfg->cls;
    size_t total = hsb_tls_conn_size(cfg);
    /* Zero the state and the backend contexts but not the record and
     * handshake buffers (about 200 KiB): nothing reads them before writing,
     * and leaving them untouched keeps fresh (mmap'd) pages unmapped until a
     * connection needs them, so an idle or early connection costs its first
     * pages only. */
    size_t head = round_ctx(sizeof(hsb_tls_conn));
    memset(mem, 0, offsetof(hsb_tls_conn, in));
    memset((uint8_t *)mem + head, 0, total - head);
    hsb_tls_conn *c = mem;
    c->cfg = cfg;
    c->thr = thr;
    c->cls = b;
    c->role = cfg->role;
    carve_contexts(c, b);
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
    if (c->gcm_r_ready) b->gcm->clear(c->gcm_r);
    if (c->gcm_w_ready) b->gcm->clear(c->gcm_w);
    if (c->cbc_r_ready) b->cbc_hmac->clear(c->cbc_r);
    if (c->cbc_w_ready) b->cbc_hmac->clear(c->cbc_w);
    c->cbc_r_ready = c->cbc_w_ready = 0;
    c->aes_r_ready = c->aes_w_ready = c->hmac_r_ready = c->hmac_w_ready = 0;
    c->gcm_r_ready = c->gcm_w_ready = 0;
    if (c->peer_pub_ready) b->rsa_pub->clear(c->peer_pub);
    c->peer_pub_ready = 0;
    if (c->role == HSB_TLS_CLIENT && c->dh_ready) {
        b->dh->clear(c->dh);
        c->dh_ready = 0;
    }
    tls_wipe_secrets(c);
}

/* A new handshake from the first message: the negotiated state of the
 * previous connection on this memory is forgotten. */
static void reset_handshake(hsb_tls_conn *c)
{
    c->state = TLS_HANDSHAKE;
    c->shape = SHAPE_INITIAL;
    c->msg_no = 0;
    c->suite = 0;
    c->gcm = 0;
    c->kx = NULL;
    c->client_version = 0;
    c->peer_secure_reneg = c->sent_sni = c->version_fixed = 0;
    c->sent_etm = c->sent_ems = c->etm = c->ems = 0;
    c->ext_seen = 0;
    c->dh_group_name = NULL;
    c->dh_bits = 0;
    c->rsa_bits = 0;
    c->peer_n_len = 0;
    c->auth = TLS_AUTH_NONE;
    c->send_cert = c->client_auth = 0;
    c->peer_subject[0] = '\0';
    tls_pk_reset(c);
}

/* Empty buffers, fresh sequence numbers (RFC 5246 6.1: 0 on each new
 * connection state), no error. */
static void reset_io(hsb_tls_conn *c)
{
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
    c->warnings_in_row = 0;
    c->rc = HSB_OK;
    c->step = NULL;
    c->alert_sent = c->alert_recv = c->pending_alert = -1;
    c->detail[0] = '\0';
    c->err[0] = '\0';
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
    reset_handshake(c);
    reset_io(c);
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
    hsb_wipe(c->in, c->in_used);
    hsb_wipe(c->hs, c->hs_used);
    hsb_wipe(c->out, c->out_used);
    c->in_used = c->hs_used = c->out_used = 0;
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

void hsb_tls_conn_info(const hsb_tls_conn *c, hsb_tls_info *info)
{
    memset(info, 0, sizeof *info);
    if (!c) return;
    info->handshake_done = c->state == TLS_OPEN;
    info->version = c->version_fixed ? HSB_TLS_VERSION_1_2 : 0;
    info->suite = c->suite;
    info->suite_name = hsb_tls_suite_name(c->suite);
    info->cipher = hsb_tls_suite_cipher(c->suite);
    info->kx = c->kx ? c->kx->mask : 0;
    /* the server's key, whichever end asks */
    info->rsa_bits = c->role == HSB_TLS_SERVER ? c->cfg->key_bits : c->rsa_bits;
    info->dh_bits = c->dh_bits;
    info->dh_group = c->dh_group_name;
    info->etm = c->etm;
    info->ems = c->ems;
    info->records_sent = c->records_sent;
    info->records_received = c->records_received;
    if (c->role == HSB_TLS_SERVER && c->client_auth) {
        info->client_auth = 1;
        info->client_rsa_bits = c->rsa_bits;
        info->client_subject = c->peer_subject;
    } else if (c->role == HSB_TLS_CLIENT && c->client_auth && c->state == TLS_OPEN) {
        info->client_auth = 1;
        info->client_rsa_bits = c->cfg->key_bits;
        info->client_subject = c->cfg->leaf_subject;
    }
}

void hsb_tls_conn_test_fix_nonce(hsb_tls_conn *c, int on, uint64_t nonce)
{
    if (!c) return;
    c->fix_nonce = on != 0;
    c->fixed_nonce = nonce;
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
