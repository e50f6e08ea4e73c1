/* The man-in-the-middle harness for negative TLS tests (see neg_harness.h). */
#include "neg_harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rsa.h>

#include "hsb_backends.h"
#include "hsb_dh_groups.h"

/* ------------------------------------------------------------- ends */

int neg_end_setup(neg_end *e, hsb_tls_role role, const char *spec, unsigned kx,
                  const hsb_cert_set *certs, unsigned opts)
{
    char err[512];
    memset(e, 0, sizeof *e);
    e->certs = certs;
    if (hsb_provider_from_spec(spec, &e->prov, err, sizeof err) != HSB_OK) {
        fprintf(stderr, "composition %s: %s\n", spec, err);
        return 0;
    }
    hsb_rc rc = hsb_tls_config_new(&e->cfg, role, &e->prov);
    if (rc == HSB_OK) rc = hsb_tls_config_set_kx(e->cfg, kx);
    if (rc == HSB_E_UNAVAILABLE) {
        neg_end_free(e);
        return -1;
    }
    if (rc == HSB_OK && role == HSB_TLS_SERVER) {
        rc = hsb_tls_config_set_chain(e->cfg, certs->chain, certs->chain_len);
        if (rc == HSB_OK) rc = hsb_tls_config_set_key(e->cfg, certs->leaf_key);
        if (rc == HSB_OK)
            rc = hsb_tls_config_set_dh_group(e->cfg, hsb_dh_group_by_name("ffdhe2048"));
    } else if (rc == HSB_OK) {
        if (!(opts & NEG_OPT_NO_ANCHOR)) rc = hsb_tls_config_add_anchor(e->cfg, certs->anchor);
        if (rc == HSB_OK) rc = hsb_tls_config_set_server_name(e->cfg, "localhost");
        if (opts & NEG_OPT_MIN_RSA_3072) hsb_tls_config_set_min_rsa_bits(e->cfg, 3072);
    }
    if (rc == HSB_OK && (opts & NEG_OPT_GCM))
        rc = hsb_tls_config_set_ciphers(e->cfg, HSB_TLS_CIPHER_GCM);
    if (rc == HSB_E_UNAVAILABLE) {
        neg_end_free(e);
        return -1;
    }
    if (rc == HSB_OK) {
        hsb_tls_config_set_etm(e->cfg, !(opts & NEG_OPT_NO_ETM));
        hsb_tls_config_set_ems(e->cfg, !(opts & NEG_OPT_NO_EMS));
    }
    if (rc == HSB_OK && (opts & NEG_OPT_DH_RANGE))
        hsb_tls_config_set_dh_check(e->cfg, HSB_DH_CHECK_RANGE);
    if (rc == HSB_OK) rc = hsb_tls_thread_new(e->cfg, &e->thr);
    if (rc == HSB_E_UNAVAILABLE || rc == HSB_E_UNSUPPORTED) {
        neg_end_free(e);
        return -1;
    }
    if (rc == HSB_OK) rc = hsb_tls_conn_new(e->thr, &e->conn);
    if (rc != HSB_OK) {
        fprintf(stderr, "setting up %s end on %s: %s\n",
                role == HSB_TLS_CLIENT ? "client" : "server", spec, hsb_last_error());
        neg_end_free(e);
        return 0;
    }
    return 1;
}

void neg_end_free(neg_end *e)
{
    hsb_tls_conn_free(e->conn);
    hsb_tls_thread_free(e->thr);
    hsb_tls_config_free(e->cfg);
    memset(e, 0, sizeof *e);
}

/* ------------------------------------------------------------- wire */

void wire_put(neg_wire *w, const void *p, size_t n)
{
    if (n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    if (n) memcpy(w->buf + w->len, p, n);
    w->len += n;
}

void wire_record(neg_wire *w, uint8_t type, uint16_t version, const void *body, size_t len)
{
    uint8_t h[5] = {type, (uint8_t)(version >> 8), (uint8_t)version, (uint8_t)(len >> 8),
                    (uint8_t)len};
    wire_put(w, h, 5);
    wire_put(w, body, len);
}

void neg_harness_error(neg_run *r, const char *fmt, ...)
{
    if (r->harness[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->harness, sizeof r->harness, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------- taps */

static void tap_pump(neg_tap *t)
{
    while (t->pend_len) {
        size_t room = HSB_MEM_QUEUE_CAP - hsb_mem_queue_pending(t->q);
        size_t k = t->pend_len < room ? t->pend_len : room;
        if (k == 0 || hsb_mem_queue_push(t->q, t->pend, k) != HSB_OK) return;
        memmove(t->pend, t->pend + k, t->pend_len - k);
        t->pend_len -= k;
    }
}

/* Remember the hello randoms as they go by (plaintext, before any CCS). */
static void note_hello(neg_run *r, int dir, const uint8_t *rec, size_t len)
{
    if (len < 5 + 4 + 34 || rec[0] != RT_HANDSHAKE) return;
    const uint8_t *m = rec + 5;
    if (dir == C2S && m[0] == HS_CLIENT_HELLO && !r->have_cr) {
        memcpy(r->client_random, m + 6, 32);
        r->have_cr = 1;
    } else if (dir == S2C && m[0] == HS_SERVER_HELLO && !r->have_sr) {
        memcpy(r->server_random, m + 6, 32);
        r->have_sr = 1;
    }
}

/* Hand every whole staged record to the tamper. */
static void tap_cut(neg_tap *t)
{
    neg_run *r = t->r;
    while (t->stage_len >= 5) {
        size_t len = 5 + get_be(t->stage + 3, 2);
        if (t->stage_len < len) return;
        const uint8_t *rec = t->stage;
        note_hello(r, t->dir, rec, len);
        neg_wire w = {.buf = t->pend + t->pend_len, .cap = NEG_STAGE_CAP - t->pend_len};
        unsigned idx = r->idx[t->dir]++;
        if (r->tamper && r->tamper_on && (rec[0] != RT_ALERT || r->tamper_alerts))
            r->tamper(r, t->dir, idx, rec, len, &w);
        else
            wire_put(&w, rec, len);
        if (w.overflow) neg_harness_error(r, "tamper output overflows the tap");
        t->pend_len += w.len;
        memmove(t->stage, t->stage + len, t->stage_len - len);
        t->stage_len -= len;
    }
}

static hsb_rc tap_send(void *io, const uint8_t *buf, size_t len, size_t *n)
{
    neg_tap *t = io;
    *n = 0;
    if (hsb_mem_queue_is_shut(t->q)) return HSB_E_IO;
    size_t room = NEG_STAGE_CAP - t->stage_len;
    if (len && room == 0) return HSB_E_WOULD_BLOCK;
    size_t k = len < room ? len : room;
    memcpy(t->stage + t->stage_len, buf, k);
    t->stage_len += k;
    *n = k;
    tap_cut(t);
    tap_pump(t);
    return HSB_OK;
}

/* The end that sends through tap t reads the other queue. */
static hsb_rc tap_recv(void *io, uint8_t *buf, size_t cap, size_t *n)
{
    neg_tap *t = io;
    neg_run *r = t->r;
    tap_pump(&r->tap[t->dir ^ 1]);
    hsb_tls_transport tr =
        t->dir == C2S ? hsb_mem_pair_client(&r->pair) : hsb_mem_pair_server(&r->pair);
    return tr.recv(tr.io, buf, cap, n);
}

void neg_pump(neg_run *r)
{
    tap_pump(&r->tap[0]);
    tap_pump(&r->tap[1]);
}

void neg_inject(neg_run *r, int dir, const void *p, size_t n)
{
    neg_tap *t = &r->tap[dir];
    if (n > NEG_STAGE_CAP - t->pend_len) {
        neg_harness_error(r, "injection too large");
        return;
    }
    memcpy(t->pend + t->pend_len, p, n);
    t->pend_len += n;
    tap_pump(t);
}

/* ------------------------------------------------------------- runs */

hsb_tls_conn *neg_conn(const neg_run *r, int side)
{
    return side == SIDE_C ? r->cl->conn : r->sv->conn;
}

int neg_dead(const neg_run *r, int side)
{
    hsb_rc rc = hsb_tls_conn_rc(neg_conn(r, side));
    return rc != HSB_OK;
}

void neg_run_start(neg_run *r, neg_end *cl, neg_end *sv, neg_tamper_fn tamper, long param)
{
    r->cl = cl;
    r->sv = sv;
    hsb_mem_pair_init(&r->pair);
    for (int d = 0; d < 2; d++) {
        r->tap[d].r = r;
        r->tap[d].dir = d;
        r->tap[d].q =
            d == C2S ? hsb_mem_pair_to_server(&r->pair) : hsb_mem_pair_to_client(&r->pair);
        r->tap[d].stage_len = r->tap[d].pend_len = 0;
        r->idx[d] = 0;
        r->done[d] = 0;
    }
    r->tamper = tamper;
    r->param = param;
    r->tamper_alerts = 0;
    r->tamper_on = 1;
    r->have_cr = r->have_sr = 0;
    r->held_len = 0;
    r->hit = r->skip = 0;
    r->orig_len = 0;
    r->harness[0] = '\0';
    hsb_tls_transport ct = {.send = tap_send, .recv = tap_recv, .io = &r->tap[C2S]};
    hsb_tls_transport st = {.send = tap_send, .recv = tap_recv, .io = &r->tap[S2C]};
    if (hsb_tls_conn_start(cl->conn, &ct) != HSB_OK || hsb_tls_conn_start(sv->conn, &st) != HSB_OK)
        neg_harness_error(r, "conn_start: %s", hsb_last_error());
}

/* Total bytes anywhere on the way, and records sent: changes when anything moved. */
static size_t motion(neg_run *r)
{
    return r->idx[0] + r->idx[1] + hsb_mem_queue_pending(hsb_mem_pair_to_server(&r->pair)) +
           hsb_mem_queue_pending(hsb_mem_pair_to_client(&r->pair)) + r->tap[0].stage_len +
           r->tap[1].stage_len + r->tap[0].pend_len + r->tap[1].pend_len;
}

void neg_handshake(neg_run *r)
{
    int still = 0;
    for (int round = 0; round < 64 && still < 2; round++) {
        size_t before = motion(r);
        for (int side = 0; side < 2; side++) {
            if (r->done[side] || neg_dead(r, side)) continue;
            neg_pump(r);
            hsb_rc rc = hsb_tls_handshake_run(neg_conn(r, side));
            if (rc == HSB_OK) r->done[side] = 1;
            if (rc != HSB_OK && rc != HSB_E_WOULD_BLOCK) return;
        }
        if (r->done[0] && r->done[1]) return;
        still = motion(r) == before ? still + 1 : 0;
    }
}

hsb_rc neg_write(neg_run *r, int side, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (int tries = 0; len > 0 && tries < 64; tries++) {
        size_t n = 0;
        neg_pump(r);
        hsb_rc rc = hsb_tls_write(neg_conn(r, side), p, len, &n);
        if (rc != HSB_OK && rc != HSB_E_WOULD_BLOCK) return rc;
        p += n;
        len -= n;
    }
    hsb_rc rc = hsb_tls_flush(neg_conn(r, side));
    neg_pump(r);
    return len ? HSB_E_WOULD_BLOCK : rc;
}

hsb_rc neg_read(neg_run *r, int side, size_t *got)
{
    static uint8_t buf[HSB_TLS_MAX_PLAINTEXT];
    size_t total = 0;
    hsb_rc rc = HSB_OK;
    for (int i = 0; i < 4096; i++) {
        size_t n = 0;
        neg_pump(r);
        rc = hsb_tls_read(neg_conn(r, side), buf, sizeof buf, &n);
        if (rc == HSB_E_WOULD_BLOCK) {
            rc = HSB_OK;
            break;
        }
        if (rc != HSB_OK || n == 0) break;
        total += n;
    }
    if (got) *got = total;
    return rc;
}

void neg_settle(neg_run *r)
{
    r->tamper_on = 0;
    for (int round = 0; round < 4; round++) {
        for (int side = 0; side < 2; side++) {
            if (neg_dead(r, side)) continue;
            neg_pump(r);
            if (!r->done[side]) {
                hsb_rc rc = hsb_tls_handshake_run(neg_conn(r, side));
                if (rc == HSB_OK) r->done[side] = 1;
            } else {
                (void)neg_read(r, side, NULL);
            }
        }
    }
}

/* ------------------------------------------------- handshake messages */

uint32_t get_be(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

void put_be(uint8_t *p, uint32_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

int hs_parse(const uint8_t *rec, size_t len, hs_msgs *m)
{
    m->n = 0;
    if (len < 5 || rec[0] != RT_HANDSHAKE || len != 5 + get_be(rec + 3, 2)) return 0;
    size_t off = 5;
    while (off < len) {
        if (len - off < 4 || m->n == NEG_MAX_MSGS) return 0;
        size_t ml = get_be(rec + off + 1, 3);
        if (ml > len - off - 4 || ml > NEG_BODY_CAP) return 0;
        m->type[m->n] = rec[off];
        m->len[m->n] = ml;
        memcpy(m->body[m->n], rec + off + 4, ml);
        m->n++;
        off += 4 + ml;
    }
    return 1;
}

void hs_emit(const hs_msgs *m, neg_wire *out)
{
    size_t total = 0;
    for (size_t i = 0; i < m->n; i++) total += 4 + m->len[i];
    uint8_t h[5] = {RT_HANDSHAKE, 3, 3, (uint8_t)(total >> 8), (uint8_t)total};
    wire_put(out, h, 5);
    for (size_t i = 0; i < m->n; i++) {
        uint8_t mh[4] = {m->type[i]};
        put_be(mh + 1, (uint32_t)m->len[i], 3);
        wire_put(out, mh, 4);
        wire_put(out, m->body[i], m->len[i]);
    }
}

int hs_find(const hs_msgs *m, uint8_t t)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->type[i] == t) return (int)i;
    return -1;
}

void hs_remove(hs_msgs *m, size_t i)
{
    for (size_t j = i; j + 1 < m->n; j++) {
        m->type[j] = m->type[j + 1];
        m->len[j] = m->len[j + 1];
        memcpy(m->body[j], m->body[j + 1], m->len[j]);
    }
    m->n--;
}

void hs_insert(hs_msgs *m, size_t i, uint8_t type, const uint8_t *body, size_t len)
{
    if (m->n == NEG_MAX_MSGS || len > NEG_BODY_CAP || i > m->n) return;
    for (size_t j = m->n; j > i; j--) {
        m->type[j] = m->type[j - 1];
        m->len[j] = m->len[j - 1];
        memcpy(m->body[j], m->body[j - 1], m->len[j]);
    }
    m->type[i] = type;
    m->len[i] = len;
    if (len) memcpy(m->body[i], body, len);
    m->n++;
}

void body_insert(uint8_t *b, size_t *len, size_t off, const void *p, size_t n)
{
    if (*len + n > NEG_BODY_CAP || off > *len) return;
    memmove(b + off + n, b + off, *len - off);
    memcpy(b + off, p, n);
    *len += n;
}

void body_delete(uint8_t *b, size_t *len, size_t off, size_t n)
{
    if (off > *len || n > *len - off) return;
    memmove(b + off, b + off + n, *len - off - n);
    *len -= n;
}

int ch_parse(const uint8_t *b, size_t len, ch_layout *l)
{
    if (len < 35) return 0;
    l->sid = 34;
    l->suites = 35 + b[34];
    if (l->suites + 2 > len) return 0;
    l->comp = l->suites + 2 + get_be(b + l->suites, 2);
    if (l->comp + 1 > len) return 0;
    l->exts = l->comp + 1 + b[l->comp];
    if (l->exts > len) return 0;
    l->has_exts = l->exts < len;
    if (l->has_exts && l->exts + 2 + get_be(b + l->exts, 2) != len) return 0;
    return 1;
}

size_t ext_find(const uint8_t *b, size_t len, size_t exts, uint16_t t)
{
    if (exts + 2 > len) return 0;
    size_t p = exts + 2, end = exts + 2 + get_be(b + exts, 2);
    if (end > len) end = len;
    while (p + 4 <= end) {
        if (get_be(b + p, 2) == t) return p;
        p += 4 + get_be(b + p + 2, 2);
    }
    return 0;
}

int sh_parse(const uint8_t *b, size_t len, sh_layout *l)
{
    if (len < 35) return 0;
    l->sid = 34;
    l->suite = 35 + b[34];
    l->comp = l->suite + 2;
    l->exts = l->comp + 1;
    if (l->exts > len) return 0;
    l->has_exts = l->exts < len;
    return 1;
}

int ske_parse(const uint8_t *b, size_t len, ske_layout *l)
{
    size_t off = 0;
    size_t *f[3] = {&l->p, &l->g, &l->ys};
    for (int i = 0; i < 3; i++) {
        if (off + 2 > len) return 0;
        *f[i] = off;
        off += 2 + get_be(b + off, 2);
    }
    l->params_end = off;
    l->sigalg = off;
    l->sig = off + 2;
    if (l->sig + 2 > len || l->sig + 2 + get_be(b + l->sig, 2) != len) return 0;
    return 1;
}

/* ------------------------------------------------------ libcrypto */

int neg_rsa_raw_encrypt(EVP_PKEY *pub, const uint8_t *em, size_t k, uint8_t *out)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
    size_t out_len = k;
    int ok = ctx && EVP_PKEY_encrypt_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
             EVP_PKEY_encrypt(ctx, out, &out_len, em, k) > 0 && out_len == k;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

int neg_rsa_pkcs1_encrypt(EVP_PKEY *pub, const uint8_t *msg, size_t len, uint8_t *out, size_t k)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
    size_t out_len = k;
    int ok = ctx && EVP_PKEY_encrypt_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
             EVP_PKEY_encrypt(ctx, out, &out_len, msg, len) > 0 && out_len == k;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

int neg_rsa_sign_sha256(EVP_PKEY *key, const uint8_t *data, size_t len, uint8_t *sig,
                        size_t *sig_len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) > 0 &&
             EVP_DigestSign(md, sig, sig_len, data, len) > 0;
    EVP_MD_CTX_free(md);
    return ok;
}
