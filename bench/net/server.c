/* The server's workers: accept, the connection state machine, deadlines,
 * the per-connection log line (hsb_net_server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server_internal.h"

enum { P_FIRST, P_HANDSHAKE, P_ECHO, P_CLOSE };

/* How a connection ended. */
enum { END_OK, END_FAILED, END_SHUTDOWN };

static void count(atomic_ullong *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static void peer_text(const srv_conn *c, char *buf, size_t cap)
{
    char a[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (c->peer.sin6_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&c->peer;
        inet_ntop(AF_INET, &in->sin_addr, a, sizeof a);
        port = ntohs(in->sin_port);
    } else if (c->peer.sin6_family == AF_INET6) {
        inet_ntop(AF_INET6, &c->peer.sin6_addr, a, sizeof a);
        port = ntohs(c->peer.sin6_port);
    }
    snprintf(buf, cap, "%s:%u", a, port);
}

/* The log line of a connection that ended well: what was negotiated. */
static void log_ok(const srv_conn *c, const char *peer)
{
    hsb_net_info i;
    hsb_net_conn_info(c->tls, &i);
    char dh[48] = "", ext[48] = "";
    if (i.kx == HSB_TLS_KX_DHE && i.dh_group)
        snprintf(dh, sizeof dh, " %s-%u", i.dh_group, i.dh_bits);
    /* libssl tells a server nothing of its ephemeral key after the handshake. */
    if (i.kx == HSB_TLS_KX_DHE && !i.dh_group && i.dh_bits)
        snprintf(dh, sizeof dh, " dh-%u", i.dh_bits);
    if (i.etm >= 0) snprintf(ext, sizeof ext, ", etm %s", i.etm ? "on" : "off");
    printf("conn %ld from %s: ok TLSv1.2 %s rsa-%u%s%s, ems %s, %s%s%sechoed %llu bytes\n", c->id,
           peer, i.suite_name ? i.suite_name : "?", i.rsa_bits, dh, ext, i.ems ? "on" : "off",
           i.client_subject ? "client \"" : "", i.client_subject ? i.client_subject : "",
           i.client_subject ? "\", " : "", (unsigned long long)c->echoed);
}

/* Count a failure in its bucket (kind, step, alert). */
static void bucket(srv_worker *w, const hsb_net_failure *f)
{
    count(&w->c.by_kind[f->kind], 1);
    for (size_t i = 0; i < w->n_buckets; i++) {
        srv_bucket *b = &w->buckets[i];
        if (b->kind == (int)f->kind && b->alert == f->alert && !strcmp(b->step, f->step)) {
            b->n++;
            return;
        }
    }
    if (w->n_buckets == SRV_FAIL_BUCKETS) {
        w->bucket_overflow++;
        return;
    }
    w->buckets[w->n_buckets++] = (srv_bucket){(int)f->kind, f->alert, f->step, 1};
}

/* Close c's socket, return its TLS conn and record, count and log its end. */
static void conn_end(srv_conn *c, int how, const hsb_net_failure *f)
{
    srv_worker *w = c->wk;
    struct hsb_net_server *s = w->srv;
    if (s->cfg.log_conns) {
        char peer[80];
        peer_text(c, peer, sizeof peer);
        if (how == END_OK)
            log_ok(c, peer);
        else if (how == END_SHUTDOWN)
            printf("conn %ld from %s: closed at shutdown\n", c->id, peer);
        else
            printf("conn %ld from %s: failed: %s\n", c->id, peer, f->detail);
        fflush(stdout);
    }
    if (how == END_FAILED) {
        bucket(w, f);
        count(&w->c.failed, 1);
    }
    if (how == END_OK) count(&w->c.ok, 1);
    if (how == END_SHUTDOWN) count(&w->c.shutdown_closed, 1);
    count(&w->c.ended, 1);
    hsb_net_loop_unwatch(w->loop, &c->w);
    hsb_net_loop_cancel(w->loop, &c->timer);
    close(c->fd);
    hsb_net_conn_put(c->tls);
    free(c->pend);
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    free(c);
    atomic_fetch_sub_explicit(&w->c.open, 1, memory_order_relaxed);
    atomic_fetch_sub(&s->open, 1);
    long ended = atomic_fetch_add(&s->ended, 1) + 1;
    if (s->cfg.max_conns && ended >= s->cfg.max_conns && how != END_SHUTDOWN)
        atomic_store(&s->stop, 1);
}

/* A failure the engine classified. */
static void conn_fail(srv_conn *c)
{
    hsb_net_failure f;
    hsb_net_conn_failure(c->tls, &f);
    conn_end(c, END_FAILED, &f);
}

/* A failure before any TLS state: EOF, reset or a socket error before the
 * first byte, or a deadline. */
static void conn_fail_bare(srv_conn *c, hsb_net_fail_kind kind, const char *why)
{
    hsb_net_failure f = {.kind = kind, .step = "ClientHello", .alert = -1};
    snprintf(f.detail, sizeof f.detail, "%s", why);
    conn_end(c, END_FAILED, &f);
}

static void watch(srv_conn *c, uint32_t ev)
{
    if (hsb_net_loop_watch(c->wk->loop, &c->w, ev) != HSB_OK)
        conn_fail_bare(c, HSB_NET_FAIL_LOCAL, "epoll_ctl failed");
}

static void step_close(srv_conn *c)
{
    uint32_t ev = 0;
    hsb_net_st st = hsb_net_conn_close(c->tls, &ev);
    if (st == HSB_NET_WAIT)
        watch(c, ev);
    else if (st == HSB_NET_DONE)
        conn_end(c, END_OK, NULL);
    else
        conn_fail(c);
}

/* Hand the echo bytes in c->pend to the conn, then flush. DONE when all is
 * out; WAIT with *ev (the server then reads nothing more: backpressure). */
static hsb_net_st drain(srv_conn *c, uint32_t *ev)
{
    while (c->pend_len) {
        size_t n = 0;
        hsb_net_st st = hsb_net_conn_write(c->tls, c->pend + c->pend_off, c->pend_len, &n, ev);
        if (st != HSB_NET_DONE) return st;
        c->pend_off += (uint32_t)n;
        c->pend_len -= (uint32_t)n;
    }
    return hsb_net_conn_flush(c->tls, ev);
}

/* Echo data[0..n): what the conn does not take now waits in c->pend. */
static hsb_net_st echo(srv_conn *c, const uint8_t *data, size_t n, uint32_t *ev)
{
    size_t off = 0;
    while (off < n) {
        size_t k = 0;
        hsb_net_st st = hsb_net_conn_write(c->tls, data + off, n - off, &k, ev);
        if (st == HSB_NET_FAILED) return st;
        if (st == HSB_NET_WAIT) break;
        off += k;
    }
    if (off == n) return HSB_NET_DONE;
    if (!c->pend && !(c->pend = malloc(HSB_TLS_MAX_PLAINTEXT))) return HSB_NET_FAILED;
    memcpy(c->pend, data + off, n - off);
    c->pend_off = 0;
    c->pend_len = (uint32_t)(n - off);
    return HSB_NET_WAIT;
}

/* Read and echo until the socket has nothing or will take nothing. */
static void step_echo(srv_conn *c)
{
    srv_worker *w = c->wk;
    for (;;) {
        uint32_t ev = 0;
        hsb_net_st st = drain(c, &ev);
        if (st == HSB_NET_DONE) {
            size_t n = 0;
            st = hsb_net_conn_read(c->tls, w->scratch, sizeof w->scratch, &n, &ev);
            if (st == HSB_NET_DONE && n == 0) {
                c->phase = P_CLOSE; /* close_notify: answer it */
                step_close(c);
                return;
            }
            if (st == HSB_NET_DONE) {
                c->echoed += n;
                count(&w->c.bytes, n);
                c->last_active = hsb_net_loop_now(w->loop);
                st = echo(c, w->scratch, n, &ev);
            }
        }
        if (st == HSB_NET_FAILED) {
            conn_fail(c);
            return;
        }
        if (st == HSB_NET_WAIT) {
            watch(c, ev);
            return;
        }
    }
}

static void step_handshake(srv_conn *c)
{
    uint32_t ev = 0;
    hsb_net_st st = hsb_net_conn_handshake(c->tls, &ev);
    if (st == HSB_NET_WAIT) {
        watch(c, ev);
        return;
    }
    if (st == HSB_NET_FAILED) {
        conn_fail(c);
        return;
    }
    srv_worker *w = c->wk;
    count(&w->c.handshakes, 1);
    c->phase = P_ECHO;
    c->last_active = hsb_net_loop_now(w->loop);
    if (hsb_net_loop_arm(w->loop, &c->timer, c->last_active + w->srv->idle_timeout_ns) != HSB_OK)
        hsb_net_loop_cancel(w->loop, &c->timer); /* no idle deadline then */
    step_echo(c);
}

/* The first bytes are readable: only now does the connection get TLS
 * state. A peek tells an EOF or a reset before any byte without it. */
static void step_first(srv_conn *c)
{
    uint8_t b;
    ssize_t r = recv(c->fd, &b, 1, MSG_PEEK);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (r <= 0) {
        int reset = r < 0 && errno == ECONNRESET;
        conn_fail_bare(c,
                       reset   ? HSB_NET_FAIL_RESET
                       : r < 0 ? HSB_NET_FAIL_IO
                               : HSB_NET_FAIL_EOF,
                       reset   ? "connection reset before the ClientHello"
                       : r < 0 ? strerror(errno)
                               : "peer closed the connection before sending anything");
        return;
    }
    if (hsb_net_conn_get(c->wk->tls, &c->tls) != HSB_OK ||
        hsb_net_conn_start(c->tls, c->fd) != HSB_OK) {
        conn_fail_bare(c, HSB_NET_FAIL_LOCAL, hsb_last_error());
        return;
    }
    c->phase = P_HANDSHAKE;
    step_handshake(c);
}

static void on_conn(hsb_net_loop *l, void *user, uint32_t events)
{
    srv_conn *c = user;
    (void)events;
    /* Any readiness of an established connection is progress (a slow
     * reader taking our echo counts too): the idle deadline starts again. */
    if (c->phase == P_ECHO) c->last_active = hsb_net_loop_now(l);
    switch (c->phase) {
    case P_FIRST:
        step_first(c);
        break;
    case P_HANDSHAKE:
        step_handshake(c);
        break;
    case P_ECHO:
        step_echo(c);
        break;
    default:
        step_close(c);
        break;
    }
}

/* The handshake deadline (from the accept) or the idle one (from the last
 * bytes read; re-armed lazily here rather than on every read). */
static void on_deadline(hsb_net_loop *l, void *user)
{
    srv_conn *c = user;
    srv_worker *w = c->wk;
    int64_t now = hsb_net_loop_now(l);
    if (c->phase == P_ECHO && !c->pend_len && now - c->last_active < w->srv->idle_timeout_ns &&
        hsb_net_loop_arm(l, &c->timer, c->last_active + w->srv->idle_timeout_ns) == HSB_OK)
        return;
    int idle = c->phase >= P_ECHO;
    count(idle ? &w->c.timeouts_idle : &w->c.timeouts_handshake, 1);
    if (c->tls) hsb_net_conn_set_timeout(c->tls);
    hsb_net_failure f = {.kind = HSB_NET_FAIL_TIMEOUT, .alert = -1};
    if (c->tls) hsb_net_conn_failure(c->tls, &f);
    if (!f.step) f.step = "ClientHello";
    snprintf(f.detail, sizeof f.detail, "timed out waiting for the client (%s deadline, in %s)",
             idle ? "idle" : "handshake", f.step);
    conn_end(c, END_FAILED, &f);
}

/* A new connection: a record, a watch for its first bytes and the
 * handshake deadline; refused past max_open. */
static void conn_new(srv_worker *w, int fd, const struct sockaddr_storage *ss, long id)
{
    struct hsb_net_server *s = w->srv;
    count(&w->c.accepted, 1);
    if (s->cfg.max_open && atomic_load(&s->open) >= s->cfg.max_open) {
        count(&w->c.refused, 1);
        close(fd);
        return;
    }
    srv_conn *c = calloc(1, sizeof *c);
    if (!c) {
        count(&w->c.refused, 1);
        close(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->wk = w;
    c->fd = fd;
    c->id = id;
    memcpy(&c->peer, ss, ss->ss_family == AF_INET6 ? sizeof c->peer : sizeof(struct sockaddr_in));
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;
    atomic_fetch_add_explicit(&w->c.open, 1, memory_order_relaxed);
    long long open = atomic_fetch_add(&s->open, 1) + 1;
    long long max = atomic_load(&s->open_max);
    while (open > max && !atomic_compare_exchange_weak(&s->open_max, &max, open)) {
    }
    hsb_net_watch_init(&c->w, fd, on_conn, c);
    hsb_net_timer_init(&c->timer, on_deadline, c);
    int64_t due = hsb_net_loop_now(w->loop) + s->hs_timeout_ns;
    if (hsb_net_loop_arm(w->loop, &c->timer, due) != HSB_OK) {
        conn_fail_bare(c, HSB_NET_FAIL_LOCAL, "out of memory for the deadline");
        return;
    }
    watch(c, EPOLLIN);
}

/* Out of descriptors: the listener stays readable, so it is not watched for
 * 100 ms (the queue waits in the kernel) rather than spun on. */
static void on_listen_resume(hsb_net_loop *l, void *user)
{
    srv_worker *w = user;
    if (w->listen_fd >= 0 && hsb_net_loop_watch(l, &w->lw, EPOLLIN) != HSB_OK &&
        hsb_net_loop_arm(l, &w->listen_timer, hsb_net_loop_now(l) + 100000000) != HSB_OK)
        fprintf(stderr, "hsbench server: worker %u stops accepting: %s\n", w->index,
                hsb_last_error());
}

static void listen_pause(srv_worker *w)
{
    hsb_net_loop_unwatch(w->loop, &w->lw);
    if (hsb_net_loop_arm(w->loop, &w->listen_timer, hsb_net_loop_now(w->loop) + 100000000) !=
        HSB_OK)
        on_listen_resume(w->loop, w);
}

static void on_listen(hsb_net_loop *l, void *user, uint32_t events)
{
    srv_worker *w = user;
    struct hsb_net_server *s = w->srv;
    (void)events;
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(w->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)) {
            listen_pause(w);
            return;
        }
        if (fd < 0) return; /* EAGAIN, or a connection that died in the queue */
        long id = atomic_fetch_add(&s->next_id, 1) + 1;
        if (s->cfg.max_conns && id > s->cfg.max_conns) {
            close(fd);
            hsb_net_loop_unwatch(l, &w->lw); /* the last one is in */
            return;
        }
        conn_new(w, fd, &ss, id);
    }
}

/* The worker's stop: listener gone, every open connection closed (an
 * established one gets close_notify first, best effort). */
static void drain_all(srv_worker *w)
{
    hsb_net_loop_cancel(w->loop, &w->listen_timer);
    if (w->listen_fd >= 0) {
        hsb_net_loop_unwatch(w->loop, &w->lw);
        close(w->listen_fd);
        w->listen_fd = -1;
    }
    while (w->conns) {
        srv_conn *c = w->conns;
        if (c->phase >= P_ECHO) {
            uint32_t ev;
            (void)hsb_net_conn_close(c->tls, &ev);
        }
        conn_end(c, END_SHUTDOWN, NULL);
    }
}

static void on_tick(hsb_net_loop *l, void *user, int64_t now)
{
    srv_worker *w = user;
    if (atomic_load(&w->srv->stop)) hsb_net_loop_stop(l);
    /* Once a second the free list gives back what the last second's load
     * did not need (hsb_net_tls_trim). */
    if (now - w->last_trim >= 1000000000) {
        hsb_net_tls_trim(w->tls);
        w->last_trim = now;
    }
}

static hsb_rc worker_setup(srv_worker *w)
{
    struct hsb_net_server *s = w->srv;
    HSB_GUARD(hsb_pin_self(&s->pl, w->index));
    HSB_GUARD(hsb_net_loop_new(&w->loop));
    if (s->cfg.impl == HSB_NET_IMPL_LIBSSL)
        HSB_GUARD(hsb_net_tls_new_libssl(s->cfg.ctx, HSB_TLS_SERVER, NULL, &w->tls));
    else
        HSB_GUARD(hsb_net_tls_new_hsb(s->cfg.cfg, HSB_TLS_SERVER, &w->tls));
    hsb_net_watch_init(&w->lw, w->listen_fd, on_listen, w);
    hsb_net_timer_init(&w->listen_timer, on_listen_resume, w);
    HSB_GUARD(hsb_net_loop_watch(w->loop, &w->lw, EPOLLIN));
    /* The stop flag (max_conns, a sibling's failure) is polled 20 times a
     * second; a signal wakes the loop at once (hsb_net_loop_stop). */
    hsb_net_loop_set_tick(w->loop, 50000000, on_tick, w);
    return HSB_OK;
}

void *hsb_net_srv_worker_main(void *arg)
{
    srv_worker *w = arg;
    hsb_rc rc = worker_setup(w);
    if (rc == HSB_OK) rc = hsb_net_loop_run(w->loop);
    if (rc != HSB_OK) {
        fprintf(stderr, "hsbench server: worker %u: %s\n", w->index, hsb_last_error());
        w->failed_start = 1;
        atomic_store(&w->srv->stop, 1);
    }
    if (w->loop) drain_all(w);
    hsb_net_tls_free(w->tls);
    hsb_net_loop_free(w->loop);
    w->tls = NULL;
    w->loop = NULL;
    return NULL;
}

uint64_t hsb_net_srv_sum(const struct hsb_net_server *s, size_t off)
{
    uint64_t t = 0;
    for (unsigned i = 0; i < s->n_workers; i++)
        t +=
            atomic_load_explicit((atomic_ullong *)((char *)&s->w[i].c + off), memory_order_relaxed);
    return t;
}
