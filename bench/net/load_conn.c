/* One load-generator connection, step by step: see hsb_load.h. */
#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "load_internal.h"

void hsb_load_make_pattern(lrun *r)
{
    for (size_t i = 0; i < sizeof r->pattern; i++)
        r->pattern[i] = (uint8_t)((i % LOAD_PERIOD) * 37u + 11u);
    const char *name = r->cfg->server_name ? r->cfg->server_name : r->cfg->host;
    int n = snprintf(r->http_req, sizeof r->http_req, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", name);
    r->http_len = n > 0 && (size_t)n < sizeof r->http_req ? (size_t)n : 0;
}

void hsb_load_conn_end(lthread *t, lconn *c)
{
    if (c->state == LC_FREE) return;
    if (c->tls) hsb_net_conn_put(c->tls);
    hsb_net_loop_unwatch(t->loop, &c->w);
    hsb_net_loop_cancel(t->loop, &c->timeout);
    if (c->fd >= 0) close(c->fd);
    c->tls = NULL;
    c->fd = -1;
    c->state = LC_FREE;
    t->free[t->n_free++] = c;
}

void hsb_load_conn_fail(lthread *t, lconn *c, hsb_load_err kind, const char *detail)
{
    t->res.errors[kind]++;
    t->res.failed++;
    if (!t->res.first_error[0])
        snprintf(t->res.first_error, sizeof t->res.first_error, "%s: %.200s",
                 hsb_load_err_name(kind), detail);
    t->last_end_ns = hsb_load_now_ns();
    hsb_load_conn_end(t, c);
}

/* The failure of c's TLS connection, in the load generator's buckets. */
static void fail_tls(lthread *t, lconn *c)
{
    hsb_net_failure f;
    hsb_net_conn_failure(c->tls, &f);
    hsb_load_err k;
    switch (f.kind) {
    case HSB_NET_FAIL_ALERT_SENT:
        k = HSB_LOAD_ERR_ALERT_SENT;
        break;
    case HSB_NET_FAIL_ALERT_RECEIVED:
        k = HSB_LOAD_ERR_ALERT_RECEIVED;
        break;
    case HSB_NET_FAIL_RESET:
        k = HSB_LOAD_ERR_RESET;
        break;
    case HSB_NET_FAIL_EOF:
        k = HSB_LOAD_ERR_EOF;
        break;
    case HSB_NET_FAIL_IO:
        k = HSB_LOAD_ERR_IO;
        break;
    case HSB_NET_FAIL_TIMEOUT:
        k = HSB_LOAD_ERR_TIMEOUT;
        break;
    default:
        k = HSB_LOAD_ERR_LOCAL;
        break;
    }
    char d[320];
    snprintf(d, sizeof d, "%.60s: %.250s", f.step, f.detail);
    hsb_load_conn_fail(t, c, k, d);
}

/* Wait for ev on c (registering or changing it in the loop). 0, or -1
 * after failing c. */
static int want(lthread *t, lconn *c, uint32_t ev)
{
    if (hsb_net_loop_watch(t->loop, &c->w, ev) == HSB_OK) return 0;
    hsb_load_conn_fail(t, c, HSB_LOAD_ERR_LOCAL, hsb_last_error());
    return -1;
}

/* c's next chunk: an echo chunk of the current request or an HTTP request,
 * or the close once `requests` are done. */
static void next_request(lthread *t, lconn *c)
{
    const hsb_load_cfg *cfg = t->run->cfg;
    if (c->req >= cfg->requests) {
        c->state = LC_CLOSE;
        return;
    }
    c->chunk = cfg->http ? t->run->http_len
                         : (cfg->data - c->off < LOAD_CHUNK ? cfg->data - c->off : LOAD_CHUNK);
    c->sent = c->got = 0;
    c->in_body = 0;
    c->hdr_len = 0;
    c->state = LC_SEND;
}

/* The connection is done: tally it and free its place. */
static void succeed(lthread *t, lconn *c)
{
    uint64_t now = hsb_load_now_ns();
    hsb_lat_hist_record(&t->res.conn, now - c->t0);
    t->res.ok++;
    t->res.bytes += t->run->cfg->http ? 0 : t->run->cfg->data * t->run->cfg->requests;
    t->last_end_ns = now;
    hsb_load_conn_end(t, c);
}

/* The socket for c, connect() begun. 0: c is connecting or connected; -1:
 * c failed (counted). */
static int open_socket(lthread *t, lconn *c)
{
    const lrun *r = t->run;
    c->fd = socket(r->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        hsb_load_conn_fail(t, c, HSB_LOAD_ERR_LOCAL, strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (const struct sockaddr *)&r->addr, r->addrlen) == 0 || errno == EINPROGRESS)
        return 0;
    hsb_load_conn_fail(t, c, errno == ECONNREFUSED ? HSB_LOAD_ERR_REFUSED : HSB_LOAD_ERR_CONNECT,
                       strerror(errno));
    return -1;
}

static void on_io(hsb_net_loop *l, void *user, uint32_t events);
static void on_timeout(hsb_net_loop *l, void *user);

void hsb_load_conn_begin(lthread *t, lconn *c, uint64_t sched, uint64_t now)
{
    memset(c, 0, offsetof(lconn, hdr));
    c->t = t;
    c->fd = -1;
    c->t0 = sched;
    c->state = LC_CONNECT;
    hsb_net_timer_init(&c->timeout, on_timeout, c);
    if (open_socket(t, c) != 0) return;
    hsb_net_watch_init(&c->w, c->fd, on_io, c);
    int64_t due = (int64_t)now + (int64_t)(t->run->cfg->timeout_s * 1e9);
    if (hsb_net_loop_arm(t->loop, &c->timeout, due) != HSB_OK) {
        hsb_load_conn_fail(t, c, HSB_LOAD_ERR_LOCAL, hsb_last_error());
        return;
    }
    /* The connect's outcome comes as EPOLLOUT (or an error), even when it
     * completed at once. */
    want(t, c, EPOLLOUT);
}

/* LC_CONNECT ready: the connect's result, then the TLS connection. */
static int step_connect(lthread *t, lconn *c)
{
    int e = 0;
    socklen_t el = sizeof e;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0) e = errno;
    if (e) {
        hsb_load_conn_fail(t, c, e == ECONNREFUSED ? HSB_LOAD_ERR_REFUSED : HSB_LOAD_ERR_CONNECT,
                           strerror(e));
        return -1;
    }
    hsb_rc rc = hsb_net_conn_get(t->tls, &c->tls);
    if (rc == HSB_OK) rc = hsb_net_conn_start(c->tls, c->fd);
    if (rc != HSB_OK) {
        hsb_load_conn_fail(t, c, HSB_LOAD_ERR_LOCAL, hsb_last_error());
        return -1;
    }
    c->state = LC_HANDSHAKE;
    return 0;
}

/* Act on a step's status: 0 to go on (DONE), else waiting or failed. ev
 * is read here, after the step wrote it (a pointer, so that the order in
 * which a call's arguments are evaluated cannot matter). */
static int settle(lthread *t, lconn *c, hsb_net_st st, const uint32_t *ev)
{
    if (st == HSB_NET_DONE) return 0;
    if (st == HSB_NET_WAIT) {
        want(t, c, *ev);
        return 1;
    }
    fail_tls(t, c);
    return -1;
}

static int step_handshake(lthread *t, lconn *c)
{
    uint32_t ev = 0;
    int s = settle(t, c, hsb_net_conn_handshake(c->tls, &ev), &ev);
    if (s) return s;
    uint64_t ns = hsb_load_now_ns() - c->t0;
    hsb_lat_hist_record(&t->res.hs, ns);
    const hsb_load_cfg *cfg = t->run->cfg;
    if (cfg->on_hs_latency) cfg->on_hs_latency(cfg->hook_arg, t->index, ns);
    c->req = 0;
    c->off = 0;
    next_request(t, c);
    return 0;
}

static int step_send(lthread *t, lconn *c)
{
    const lrun *r = t->run;
    uint32_t ev = 0;
    while (c->sent < c->chunk) {
        const uint8_t *p = r->cfg->http ? (const uint8_t *)r->http_req + c->sent
                                        : r->pattern + (c->off + c->sent) % LOAD_PERIOD;
        size_t n = 0;
        int s = settle(t, c, hsb_net_conn_write(c->tls, p, c->chunk - c->sent, &n, &ev), &ev);
        if (s) return s;
        c->sent += n;
    }
    int s = settle(t, c, hsb_net_conn_flush(c->tls, &ev), &ev);
    if (s) return s;
    c->state = LC_RECV;
    return 0;
}

/* Content-Length of an HTTP header block (NUL-terminated); -1 when absent. */
static long content_length(const char *hdr)
{
    const char *p = hdr;
    while ((p = strchr(p, '\n')) != NULL) {
        p++;
        if (strncasecmp(p, "content-length:", 15) == 0) return strtol(p + 15, NULL, 10);
    }
    return -1;
}

/* n more bytes of an HTTP answer: 1 complete, 0 more due, -1 bad. */
static int http_take(lconn *c, const uint8_t *p, size_t n)
{
    if (c->in_body) {
        if (n > c->body_left) return -1;
        c->body_left -= n;
        return c->body_left == 0;
    }
    size_t room = sizeof c->hdr - 1 - c->hdr_len, k = n < room ? n : room;
    memcpy(c->hdr + c->hdr_len, p, k);
    c->hdr_len += k;
    c->hdr[c->hdr_len] = '\0';
    char *end = strstr(c->hdr, "\r\n\r\n");
    if (!end) return c->hdr_len == sizeof c->hdr - 1 ? -1 : 0;
    long cl = content_length(c->hdr);
    if (strncmp(c->hdr, "HTTP/1.1 200 ", 13) != 0 || cl < 0) return -1;
    size_t past = c->hdr_len - (size_t)(end + 4 - c->hdr) + (n - k);
    if (past > (size_t)cl) return -1;
    c->in_body = 1;
    c->body_left = (size_t)cl - past;
    return c->body_left == 0;
}

/* n echoed bytes: 1 the chunk is back, 0 more due, -1 they differ. */
static int echo_take(const lrun *r, lconn *c, const uint8_t *p, size_t n)
{
    if (n > c->chunk - c->got) return -1;
    const uint8_t *want_p = r->pattern + (c->off + c->got) % LOAD_PERIOD;
    if (memcmp(p, want_p, n) != 0) return -1;
    c->got += n;
    return c->got == c->chunk;
}

static int step_recv(lthread *t, lconn *c)
{
    const lrun *r = t->run;
    for (;;) {
        uint32_t ev = 0;
        size_t n = 0;
        int s = settle(t, c, hsb_net_conn_read(c->tls, t->buf, sizeof t->buf, &n, &ev), &ev);
        if (s) return s;
        if (n == 0) {
            hsb_load_conn_fail(t, c, HSB_LOAD_ERR_EOF, "close_notify before the answer");
            return -1;
        }
        int x = r->cfg->http ? http_take(c, t->buf, n) : echo_take(r, c, t->buf, n);
        if (x < 0) {
            hsb_load_conn_fail(t, c, HSB_LOAD_ERR_ANSWER,
                               r->cfg->http ? "HTTP answer not 200 with a body"
                                            : "echo differs from what was sent");
            return -1;
        }
        if (x == 1) break;
    }
    c->off += c->chunk;
    if (r->cfg->http || c->off >= r->cfg->data) {
        c->req++;
        c->off = 0;
    }
    next_request(t, c);
    return 0;
}

/* After our close_notify: the server's close_notify or EOF ends it well. */
static int step_drain(lthread *t, lconn *c)
{
    for (;;) {
        uint32_t ev = 0;
        size_t n = 0;
        hsb_net_st st = hsb_net_conn_read(c->tls, t->buf, sizeof t->buf, &n, &ev);
        if (st == HSB_NET_FAILED) {
            hsb_net_failure f;
            hsb_net_conn_failure(c->tls, &f);
            if (f.kind != HSB_NET_FAIL_EOF) return settle(t, c, st, &ev);
        }
        if (st == HSB_NET_WAIT) return settle(t, c, st, &ev);
        if (st == HSB_NET_FAILED || n == 0) break;
    }
    succeed(t, c);
    return 1;
}

/* One step of c in its state: 0 to take the next, else stop (waiting, or
 * c has ended). */
static int step(lthread *t, lconn *c)
{
    uint32_t ev = 0;
    switch (c->state) {
    case LC_CONNECT:
        return step_connect(t, c);
    case LC_HANDSHAKE:
        return step_handshake(t, c);
    case LC_SEND:
        return step_send(t, c);
    case LC_RECV:
        return step_recv(t, c);
    case LC_CLOSE: {
        int s = settle(t, c, hsb_net_conn_close(c->tls, &ev), &ev);
        if (!s) c->state = LC_DRAIN;
        return s;
    }
    case LC_DRAIN:
        return step_drain(t, c);
    default:
        return 1;
    }
}

static void on_io(hsb_net_loop *l, void *user, uint32_t events)
{
    (void)l;
    (void)events; /* errors and hang-ups surface in the step's own calls */
    lconn *c = user;
    while (c->state != LC_FREE && step(c->t, c) == 0) {
    }
}

static void on_timeout(hsb_net_loop *l, void *user)
{
    (void)l;
    lconn *c = user;
    if (c->state != LC_FREE) hsb_load_conn_fail(c->t, c, HSB_LOAD_ERR_TIMEOUT, "deadline passed");
}

void hsb_load_progress_line(const lrun *r, uint64_t done, double secs, uint64_t open,
                            uint64_t failed, uint64_t now)
{
    const hsb_load_cfg *cfg = r->cfg;
    double el = (double)(now - r->start_ns) * 1e-9;
    char total[48];
    if (cfg->duration_s > 0)
        snprintf(total, sizeof total, "%.0f/%.0f s", el, cfg->duration_s);
    else
        snprintf(total, sizeof total, "%.0f s, %llu connections asked", el,
                 (unsigned long long)cfg->handshakes);
    fprintf(stderr, "%s: %.0f conn/s, open %llu, errors %llu, %s\n",
            cfg->label ? cfg->label : "load", secs > 0 ? (double)done / secs : 0,
            (unsigned long long)open, (unsigned long long)failed, total);
}
