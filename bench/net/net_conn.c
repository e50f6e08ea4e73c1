/* The connection driver's common half: thread objects, the free list, the
 * failure vocabulary, dispatch to our core or libssl (hsb_net_conn.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net_internal.h"

const char *hsb_net_impl_name(hsb_net_impl impl)
{
    return impl == HSB_NET_IMPL_LIBSSL ? "libssl" : "hsb";
}

int hsb_net_impl_parse(const char *s)
{
    if (!strcmp(s, "hsb")) return HSB_NET_IMPL_HSB;
    if (!strcmp(s, "libssl")) return HSB_NET_IMPL_LIBSSL;
    return -1;
}

const char *hsb_net_fail_kind_name(hsb_net_fail_kind k)
{
    static const char *const names[HSB_NET_FAIL_KINDS] = {
        "none", "alert_sent", "alert_received", "reset", "eof", "io", "timeout", "local",
    };
    return (unsigned)k < HSB_NET_FAIL_KINDS ? names[k] : "none";
}

hsb_net_fail_kind hsb_net_transport_kind(const hsb_net_conn *c)
{
    if (c->sys_err == ECONNRESET || c->sys_err == EPIPE) return HSB_NET_FAIL_RESET;
    if (c->sys_err) return HSB_NET_FAIL_IO;
    if (c->eof) return HSB_NET_FAIL_EOF;
    return HSB_NET_FAIL_NONE;
}

static hsb_rc tls_new(hsb_net_impl impl, hsb_tls_role role, hsb_net_tls **out)
{
    hsb_net_tls *t = calloc(1, sizeof *t);
    HSB_ENSURE(t, HSB_E_NOMEM);
    t->impl = impl;
    t->role = role;
    t->ops = impl == HSB_NET_IMPL_LIBSSL ? &hsb_net_ops_ossl : &hsb_net_ops_hsb;
    t->keep = 16;
    *out = t;
    return HSB_OK;
}

static hsb_rc tls_finish(hsb_net_tls *t, hsb_net_tls **out)
{
    hsb_rc rc = t->ops->tls_init(t);
    if (rc == HSB_OK) {
        *out = t;
        return HSB_OK;
    }
    t->ops->tls_release(t);
    free(t);
    *out = NULL;
    return rc;
}

hsb_rc hsb_net_tls_new_hsb(const hsb_tls_config *cfg, hsb_tls_role role, hsb_net_tls **out)
{
    HSB_ENSURE(cfg && out, HSB_E_USAGE);
    hsb_net_tls *t = NULL;
    HSB_GUARD(tls_new(HSB_NET_IMPL_HSB, role, &t));
    t->cfg = cfg;
    return tls_finish(t, out);
}

hsb_rc hsb_net_tls_new_libssl(SSL_CTX *ctx, hsb_tls_role role, const char *server_name,
                              hsb_net_tls **out)
{
    HSB_ENSURE(ctx && out, HSB_E_USAGE);
    hsb_net_tls *t = NULL;
    HSB_GUARD(tls_new(HSB_NET_IMPL_LIBSSL, role, &t));
    t->ctx = ctx;
    SSL_CTX_up_ref(ctx);
    if (server_name && !(t->server_name = strdup(server_name))) {
        SSL_CTX_free(ctx);
        free(t);
        HSB_BAIL(HSB_E_NOMEM);
    }
    return tls_finish(t, out);
}

void hsb_net_tls_set_keep(hsb_net_tls *t, size_t keep)
{
    t->keep = keep;
}

size_t hsb_net_tls_in_use(const hsb_net_tls *t)
{
    return t->in_use;
}

hsb_net_impl hsb_net_tls_impl(const hsb_net_tls *t)
{
    return t->impl;
}

hsb_tls_role hsb_net_tls_role(const hsb_net_tls *t)
{
    return t->role;
}

static void conn_release(hsb_net_conn *c)
{
    c->t->ops->conn_release(c);
    free(c);
}

void hsb_net_tls_free(hsb_net_tls *t)
{
    if (!t) return;
    while (t->free) {
        hsb_net_conn *c = t->free;
        t->free = c->next_free;
        conn_release(c);
    }
    t->ops->tls_release(t);
    free(t->server_name);
    free(t);
}

hsb_rc hsb_net_conn_get(hsb_net_tls *t, hsb_net_conn **out)
{
    HSB_ENSURE(t && out, HSB_E_USAGE);
    hsb_net_conn *c = t->free;
    if (c) {
        t->free = c->next_free;
        t->n_free--;
    } else {
        c = calloc(1, sizeof *c);
        HSB_ENSURE(c, HSB_E_NOMEM);
        c->t = t;
        hsb_rc rc = t->ops->conn_init(c);
        if (rc != HSB_OK) {
            free(c);
            return rc;
        }
    }
    c->next_free = NULL;
    c->fd = -1;
    t->in_use++;
    if (t->in_use > t->peak) t->peak = t->in_use;
    *out = c;
    return HSB_OK;
}

void hsb_net_tls_trim(hsb_net_tls *t)
{
    size_t cap = t->peak > t->keep ? t->peak : t->keep;
    while (t->free && t->n_free + t->in_use > cap) {
        hsb_net_conn *c = t->free;
        t->free = c->next_free;
        t->n_free--;
        conn_release(c);
    }
    t->peak = t->in_use;
}

void hsb_net_conn_put(hsb_net_conn *c)
{
    if (!c) return;
    hsb_net_tls *t = c->t;
    t->in_use--;
    size_t cap = t->peak > t->keep ? t->peak : t->keep;
    if (t->n_free + t->in_use >= cap) {
        conn_release(c);
        return;
    }
    t->ops->conn_recycle(c);
    c->fd = -1;
    c->next_free = t->free;
    t->free = c;
    t->n_free++;
}

hsb_rc hsb_net_conn_start(hsb_net_conn *c, int fd)
{
    HSB_ENSURE(c && fd >= 0, HSB_E_USAGE);
    c->fd = fd;
    c->established = 0;
    c->timed_out = 0;
    c->sys_err = 0;
    c->eof = 0;
    c->alert_sent = c->alert_received = -1;
    c->failed = 0;
    c->fail_step = NULL;
    c->ossl_detail[0] = '\0';
    return c->t->ops->start(c);
}

hsb_net_st hsb_net_conn_handshake(hsb_net_conn *c, uint32_t *events)
{
    if (c->established) return HSB_NET_DONE;
    hsb_net_st st = c->t->ops->handshake(c, events);
    if (st == HSB_NET_DONE) c->established = 1;
    return st;
}

hsb_net_st hsb_net_conn_read(hsb_net_conn *c, void *buf, size_t cap, size_t *n, uint32_t *events)
{
    *n = 0;
    return c->t->ops->read(c, buf, cap, n, events);
}

hsb_net_st hsb_net_conn_write(hsb_net_conn *c, const void *data, size_t len, size_t *n,
                              uint32_t *events)
{
    *n = 0;
    return c->t->ops->write(c, data, len, n, events);
}

hsb_net_st hsb_net_conn_flush(hsb_net_conn *c, uint32_t *events)
{
    return c->t->ops->flush(c, events);
}

hsb_net_st hsb_net_conn_close(hsb_net_conn *c, uint32_t *events)
{
    return c->t->ops->close(c, events);
}

void hsb_net_conn_set_timeout(hsb_net_conn *c)
{
    c->timed_out = 1;
}

void hsb_net_conn_failure(const hsb_net_conn *c, hsb_net_failure *f)
{
    memset(f, 0, sizeof *f);
    f->alert = -1;
    c->t->ops->failure(c, f);
    if (!f->step) f->step = c->established ? "application data" : "ClientHello";
    if (c->timed_out) f->kind = HSB_NET_FAIL_TIMEOUT;
}

void hsb_net_conn_info(const hsb_net_conn *c, hsb_net_info *info)
{
    memset(info, 0, sizeof *info);
    c->t->ops->info(c, info);
}

int hsb_net_conn_established(const hsb_net_conn *c)
{
    return c->established;
}
