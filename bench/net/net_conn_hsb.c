/* The connection driver on our core: hsb_tls_conn over the socket's TCP
 * transport, watched so that a failure can be told apart (reset, EOF). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "net_internal.h"

/* The core's TCP transport, with what it met kept on the conn. */
static hsb_rc watched_send(void *io, const uint8_t *buf, size_t len, size_t *n)
{
    hsb_net_conn *c = io;
    errno = 0;
    hsb_rc rc = c->inner.send(c->inner.io, buf, len, n);
    if (rc == HSB_E_IO) c->sys_err = errno ? errno : EIO;
    return rc;
}

static hsb_rc watched_recv(void *io, uint8_t *buf, size_t cap, size_t *n)
{
    hsb_net_conn *c = io;
    errno = 0;
    hsb_rc rc = c->inner.recv(c->inner.io, buf, cap, n);
    if (rc == HSB_E_IO) c->sys_err = errno ? errno : EIO;
    if (rc == HSB_OK && *n == 0) c->eof = 1;
    return rc;
}

/* A transport that moves nothing: a recycled conn is restarted on it, which
 * wipes its keys (hsb_tls_conn_start) until its next real start. */
static hsb_rc dead_io(void *io, const uint8_t *buf, size_t len, size_t *n)
{
    (void)io, (void)buf, (void)len;
    *n = 0;
    return HSB_E_IO;
}

static hsb_rc dead_recv(void *io, uint8_t *buf, size_t cap, size_t *n)
{
    return dead_io(io, buf, cap, n);
}

static hsb_rc tls_init(hsb_net_tls *t)
{
    HSB_GUARD(hsb_tls_thread_new(t->cfg, &t->thr));
    long page = sysconf(_SC_PAGESIZE);
    size_t pg = page > 0 ? (size_t)page : 4096;
    t->conn_size = hsb_tls_conn_size(t->cfg);
    t->map_size = (t->conn_size + pg - 1) / pg * pg;
    return HSB_OK;
}

static void tls_release(hsb_net_tls *t)
{
    hsb_tls_thread_free(t->thr);
    t->thr = NULL;
}

/* The conn's memory comes from mmap (page-aligned, so HSB_CTX_ALIGN holds):
 * untouched pages cost no RSS and munmap returns them at once, where
 * malloc's heap would keep a burst's worth. */
static hsb_rc conn_init(hsb_net_conn *c)
{
    void *m =
        mmap(NULL, c->t->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) HSB_BAIL_MSG(HSB_E_NOMEM, "mmap of a TLS connection");
    hsb_rc rc = hsb_tls_conn_init(m, c->t->thr, &c->hc);
    if (rc != HSB_OK) {
        munmap(m, c->t->map_size);
        return rc;
    }
    c->mem = m;
    return HSB_OK;
}

static void conn_recycle(hsb_net_conn *c)
{
    hsb_tls_transport dead = {.send = dead_io, .recv = dead_recv, .io = NULL};
    if (hsb_tls_conn_start(c->hc, &dead) != HSB_OK) hsb_clear_error(); /* not reachable */
}

static void conn_release(hsb_net_conn *c)
{
    if (!c->mem) return;
    hsb_tls_conn_clear(c->hc);
    munmap(c->mem, c->t->map_size);
    c->mem = NULL;
    c->hc = NULL;
}

static hsb_rc start(hsb_net_conn *c)
{
    c->inner = hsb_tcp_transport(c->fd);
    hsb_tls_transport tr = {.send = watched_send, .recv = watched_recv, .io = c};
    return hsb_tls_conn_start(c->hc, &tr);
}

/* A step's result: WOULD_BLOCK waits for EPOLLOUT while output is pending
 * (the flush says so) and for EPOLLIN otherwise. */
static hsb_net_st status(hsb_net_conn *c, hsb_rc rc, uint32_t *events)
{
    if (rc == HSB_OK) return HSB_NET_DONE;
    if (rc != HSB_E_WOULD_BLOCK) return HSB_NET_FAILED;
    hsb_rc f = hsb_tls_flush(c->hc);
    if (f == HSB_E_WOULD_BLOCK) {
        *events = EPOLLOUT;
        return HSB_NET_WAIT;
    }
    if (f != HSB_OK) return HSB_NET_FAILED;
    *events = EPOLLIN;
    return HSB_NET_WAIT;
}

static hsb_net_st handshake(hsb_net_conn *c, uint32_t *events)
{
    return status(c, hsb_tls_handshake_run(c->hc), events);
}

static hsb_net_st conn_read(hsb_net_conn *c, void *buf, size_t cap, size_t *n, uint32_t *events)
{
    return status(c, hsb_tls_read(c->hc, buf, cap, n), events);
}

static hsb_net_st conn_write(hsb_net_conn *c, const void *d, size_t len, size_t *n,
                             uint32_t *events)
{
    hsb_rc rc = hsb_tls_write(c->hc, d, len, n);
    if (rc == HSB_E_WOULD_BLOCK) {
        *events = EPOLLOUT; /* earlier output still waits on the socket */
        return HSB_NET_WAIT;
    }
    return rc == HSB_OK ? HSB_NET_DONE : HSB_NET_FAILED;
}

static hsb_net_st flush(hsb_net_conn *c, uint32_t *events)
{
    hsb_rc rc = hsb_tls_flush(c->hc);
    if (rc == HSB_E_WOULD_BLOCK) {
        *events = EPOLLOUT;
        return HSB_NET_WAIT;
    }
    return rc == HSB_OK ? HSB_NET_DONE : HSB_NET_FAILED;
}

static hsb_net_st conn_close(hsb_net_conn *c, uint32_t *events)
{
    hsb_rc rc = hsb_tls_close(c->hc);
    if (rc == HSB_E_WOULD_BLOCK) {
        *events = EPOLLOUT;
        return HSB_NET_WAIT;
    }
    return rc == HSB_OK ? HSB_NET_DONE : HSB_NET_FAILED;
}

/* The core knows the step and the alert; the transport's watch tells a
 * reset or an EOF from a protocol failure. */
static void failure(const hsb_net_conn *c, hsb_net_failure *f)
{
    if (hsb_tls_conn_rc(c->hc) == HSB_OK) return;
    f->step = hsb_tls_conn_failed_step(c->hc);
    snprintf(f->detail, sizeof f->detail, "%s", hsb_tls_conn_error(c->hc));
    int sent = hsb_tls_conn_alert_sent(c->hc), got = hsb_tls_conn_alert_received(c->hc);
    if (got >= 0) {
        f->kind = HSB_NET_FAIL_ALERT_RECEIVED;
        f->alert = got;
    } else if (sent >= 0) {
        f->kind = HSB_NET_FAIL_ALERT_SENT;
        f->alert = sent;
    } else {
        f->kind = hsb_net_transport_kind(c);
        if (f->kind == HSB_NET_FAIL_NONE) f->kind = HSB_NET_FAIL_LOCAL;
    }
}

static void info(const hsb_net_conn *c, hsb_net_info *out)
{
    hsb_tls_info i;
    hsb_tls_conn_info(c->hc, &i);
    out->suite_name = i.suite_name;
    out->kx = i.kx;
    out->rsa_bits = i.rsa_bits;
    out->dh_bits = i.dh_bits;
    out->dh_group = i.dh_group;
    out->etm = i.etm;
    out->ems = i.ems;
    out->client_subject = i.client_auth ? i.client_subject : NULL;
}

const net_ops hsb_net_ops_hsb = {
    .tls_init = tls_init,
    .tls_release = tls_release,
    .conn_init = conn_init,
    .conn_recycle = conn_recycle,
    .conn_release = conn_release,
    .start = start,
    .handshake = handshake,
    .read = conn_read,
    .write = conn_write,
    .flush = flush,
    .close = conn_close,
    .failure = failure,
    .info = info,
};
