/* Our TLS core on an in-memory pair (handshake suite, record rows). */
#include "hsb_tls_pair.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_opts.h"

#include "hsb_certgen.h"
#include "hsb_tls_test.h"
#include "hsb_tls_x509.h"
#include "hsb_tsc.h"

struct hsb_pair_cfg {
    hsb_tls_config *client, *server;
    unsigned kx; /* HSB_TLS_KX_* */
    int etm, ems;
    unsigned cipher; /* HSB_TLS_CIPHER_CBC or _GCM */
    const hsb_provider *prov;
};

struct hsb_pair {
    const hsb_pair_cfg *cfg;
    hsb_tls_thread *ct, *st;
    hsb_tls_conn *c, *s;
    uint8_t rec[HSB_TLS_MAX_RECORD];
    size_t rec_len;
    hsb_mem_pair mp;
};

const char *hsb_pair_impl(void)
{
    return "hsb-tls (core/hsb_tls.h)";
}

void hsb_pair_cfg_free(hsb_pair_cfg *c)
{
    if (!c) return;
    hsb_tls_config_free(c->client);
    hsb_tls_config_free(c->server);
    free(c);
}

void hsb_pair_cfg_set_ext(hsb_pair_cfg *c, int etm, int ems)
{
    c->etm = etm != 0;
    c->ems = ems != 0;
    for (int i = 0; i < 2; i++) {
        hsb_tls_config *t = i ? c->server : c->client;
        hsb_tls_config_set_etm(t, c->etm);
        hsb_tls_config_set_ems(t, c->ems);
    }
}

void hsb_pair_cfg_set_async(hsb_pair_cfg *c, int on)
{
    hsb_tls_config_set_async_pk(c->client, on);
    hsb_tls_config_set_async_pk(c->server, on);
}

const hsb_provider *hsb_pair_cfg_provider(const hsb_pair_cfg *c)
{
    return c->prov;
}

const hsb_tls_config *hsb_pair_cfg_tls(const hsb_pair_cfg *c, int server)
{
    return server ? c->server : c->client;
}

hsb_rc hsb_pair_cfg_set_gcm(hsb_pair_cfg *c)
{
    HSB_GUARD(hsb_tls_config_set_ciphers(c->client, HSB_TLS_CIPHER_GCM));
    HSB_GUARD(hsb_tls_config_set_ciphers(c->server, HSB_TLS_CIPHER_GCM));
    c->cipher = HSB_TLS_CIPHER_GCM;
    return HSB_OK;
}

hsb_rc hsb_pair_cfg_new(const hsb_provider *p, unsigned kx, unsigned bits, const hsb_dh_group *g,
                        hsb_dh_check check, hsb_pair_cfg **out, char *err, size_t len)
{
    const hsb_cert_set *set;
    hsb_rc rc = hsb_certgen_get(bits, HSB_CERT_GOOD, &set);
    if (rc != HSB_OK) {
        snprintf(err, len, "test certificates (RSA-%u): %s", bits, hsb_last_error());
        return rc;
    }
    hsb_pair_cfg *c = calloc(1, sizeof *c);
    HSB_ENSURE(c, HSB_E_NOMEM);
    c->kx = kx == HSB_KX_DHE ? HSB_TLS_KX_DHE : HSB_TLS_KX_RSA;
    c->prov = p;
    const char *what = "server config";
    if ((rc = hsb_tls_config_new(&c->server, HSB_TLS_SERVER, p)) != HSB_OK ||
        (rc = hsb_tls_config_set_kx(c->server, c->kx)) != HSB_OK ||
        (rc = hsb_tls_config_set_chain(c->server, set->chain, set->chain_len)) != HSB_OK ||
        (rc = hsb_tls_config_set_key(c->server, set->leaf_key)) != HSB_OK ||
        (g && (rc = hsb_tls_config_set_dh_group(c->server, g)) != HSB_OK))
        goto fail;
    what = "client config";
    if ((rc = hsb_tls_config_new(&c->client, HSB_TLS_CLIENT, p)) != HSB_OK ||
        (rc = hsb_tls_config_set_kx(c->client, c->kx)) != HSB_OK ||
        (rc = hsb_tls_config_add_anchor(c->client, set->anchor)) != HSB_OK ||
        (rc = hsb_tls_config_set_server_name(c->client, "localhost")) != HSB_OK)
        goto fail;
    hsb_tls_config_set_dh_check(c->client, check);
    hsb_tls_config_set_dh_check(c->server, check);
    c->etm = c->ems = 1;
    c->cipher = HSB_TLS_CIPHER_CBC;
    *out = c;
    return HSB_OK;
fail:
    snprintf(err, len, "%s: %s", what, hsb_last_error());
    hsb_pair_cfg_free(c);
    return rc;
}

void hsb_pair_free(hsb_pair *p)
{
    if (!p) return;
    hsb_tls_conn_free(p->c);
    hsb_tls_conn_free(p->s);
    hsb_tls_thread_free(p->ct);
    hsb_tls_thread_free(p->st);
    hsb_ctx_free(p, sizeof *p);
}

hsb_rc hsb_pair_new(const hsb_pair_cfg *c, hsb_pair **out)
{
    hsb_pair *p = hsb_ctx_alloc(sizeof *p); /* zeroed, cache-line aligned */
    HSB_ENSURE(p, HSB_E_NOMEM);
    p->cfg = c;
    hsb_rc rc;
    if ((rc = hsb_tls_thread_new(c->client, &p->ct)) != HSB_OK ||
        (rc = hsb_tls_thread_new(c->server, &p->st)) != HSB_OK ||
        (rc = hsb_tls_conn_new(p->ct, &p->c)) != HSB_OK ||
        (rc = hsb_tls_conn_new(p->st, &p->s)) != HSB_OK) {
        hsb_pair_free(p);
        return rc;
    }
    *out = p;
    return HSB_OK;
}

/* One side's step; *done set on HSB_OK; WOULD_BLOCK is progress pending. */
static hsb_rc step(hsb_tls_conn *conn, int *done)
{
    if (*done) return HSB_OK;
    hsb_rc rc = hsb_tls_handshake_run(conn);
    if (rc == HSB_OK) *done = 1;
    return rc == HSB_E_WOULD_BLOCK ? HSB_OK : rc;
}

/* One side's step. With t, the thread CPU time from *t to now goes into
 * *acc and *t moves to now (one clock read per side, as the split needs). */
static hsb_rc side_step(hsb_tls_conn *c, int *done, int64_t *t, int64_t *acc, char *err, size_t len)
{
    hsb_rc rc = step(c, done);
    if (t) {
        int64_t now = hsb_thread_cpu_ns();
        *acc += now - *t;
        *t = now;
    }
    if (rc != HSB_OK && err) snprintf(err, len, "%s", hsb_tls_conn_error(c));
    return rc;
}

hsb_rc hsb_pair_handshake(hsb_pair *p, int64_t cpu[2], char *err, size_t len)
{
    hsb_mem_pair_init(&p->mp);
    hsb_tls_transport ct = hsb_mem_pair_client(&p->mp), st = hsb_mem_pair_server(&p->mp);
    HSB_GUARD(hsb_tls_conn_start(p->c, &ct));
    HSB_GUARD(hsb_tls_conn_start(p->s, &st));
    int cd = 0, sd = 0;
    /* A full TLS 1.2 handshake is four flights; 16 rounds is ample, and a
     * pair that stops making progress fails rather than spinning. */
    for (int round = 0; round < 16; round++) {
        int64_t t = cpu ? hsb_thread_cpu_ns() : 0;
        HSB_GUARD(side_step(p->c, &cd, cpu ? &t : NULL, cpu ? &cpu[0] : NULL, err, len));
        HSB_GUARD(side_step(p->s, &sd, cpu ? &t : NULL, cpu ? &cpu[1] : NULL, err, len));
        if (cd && sd) return HSB_OK;
    }
    if (err) snprintf(err, len, "the handshake made no progress");
    HSB_BAIL_MSG(HSB_E_INTERNAL, "handshake stalled");
}

hsb_rc hsb_pair_check(hsb_pair *p, char *err, size_t len)
{
    hsb_tls_info ci, si;
    hsb_tls_conn_info(p->c, &ci);
    hsb_tls_conn_info(p->s, &si);
    /* RFC 7366 3: no encrypt_then_mac with a GCM suite, whatever is offered */
    int etm = p->cfg->etm && p->cfg->cipher == HSB_TLS_CIPHER_CBC;
    if (!ci.handshake_done || !si.handshake_done || ci.kx != p->cfg->kx || si.kx != p->cfg->kx ||
        ci.suite != si.suite || ci.version != HSB_TLS_VERSION_1_2 || ci.cipher != p->cfg->cipher ||
        ci.etm != etm || si.etm != etm || ci.ems != p->cfg->ems || si.ems != p->cfg->ems) {
        snprintf(err, len,
                 "unexpected handshake result: client %s kx %u etm %d ems %d, server %s kx %u "
                 "etm %d ems %d",
                 ci.suite_name ? ci.suite_name : "-", ci.kx, ci.etm, ci.ems,
                 si.suite_name ? si.suite_name : "-", si.kx, si.etm, si.ems);
        HSB_BAIL(HSB_E_INTERNAL);
    }
    return HSB_OK;
}

hsb_rc hsb_pair_seal(hsb_pair *p, const uint8_t *data, size_t len)
{
    size_t n = 0;
    HSB_GUARD(hsb_tls_write(p->c, data, len, &n));
    HSB_ENSURE(n == len, HSB_E_INTERNAL);
    HSB_GUARD(hsb_tls_flush(p->c));
    /* Drop what was sent: the next seal starts on an empty queue. */
    hsb_mem_queue_discard(hsb_mem_pair_to_server(&p->mp));
    return HSB_OK;
}

/* After the handshake the first application record of each direction has
 * sequence number 1 (the Finished record was 0, RFC 5246 6.1). */
#define FIRST_APP_SEQ 1

hsb_rc hsb_pair_capture(hsb_pair *p, const uint8_t *data, size_t len)
{
    size_t n = 0;
    hsb_mem_queue_discard(hsb_mem_pair_to_server(&p->mp));
    HSB_GUARD(hsb_tls_write(p->c, data, len, &n));
    HSB_ENSURE(n == len, HSB_E_INTERNAL);
    HSB_GUARD(hsb_tls_flush(p->c));
    HSB_GUARD(hsb_mem_queue_take_record(hsb_mem_pair_to_server(&p->mp), p->rec, sizeof p->rec,
                                        &p->rec_len));
    return HSB_OK;
}

hsb_rc hsb_pair_open(hsb_pair *p, uint8_t *out, size_t cap, size_t *len)
{
    hsb_tls_conn_test_set_seq(p->s, 0, FIRST_APP_SEQ);
    HSB_GUARD(hsb_mem_queue_push(hsb_mem_pair_to_server(&p->mp), p->rec, p->rec_len));
    *len = 0;
    HSB_GUARD(hsb_tls_read(p->s, out, cap, len));
    return HSB_OK;
}
