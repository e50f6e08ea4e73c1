/*
 * The network engine: one client and one server connection of each
 * implementation (our core, libssl) against each other over a loopback TCP
 * pair, driven by one loop: handshake, echo, close_notify, both key
 * exchanges. Then the failure buckets (an alert sent and received, EOF, a
 * reset), the timer heap and the free list.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/ssl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hsb_backends.h"
#include "hsb_certgen.h"
#include "hsb_dh_groups.h"
#include "hsb_net_conn.h"
#include "hsb_net_loop.h"
#include "hsb_opts.h"
#include "hsb_ref_libssl.h"
#include "hsb_test.h"
#include "hsb_tls_x509.h"

/* A connected loopback pair, both ends non-blocking. */
static int tcp_pair(int fd[2])
{
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &al) != 0)
        return -1;
    fd[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd[0] < 0 || connect(fd[0], (struct sockaddr *)&a, sizeof a) != 0) return -1;
    fd[1] = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
    close(ls);
    if (fd[1] < 0) return -1;
    for (int i = 0; i < 2; i++) fcntl(fd[i], F_SETFL, fcntl(fd[i], F_GETFL) | O_NONBLOCK);
    return 0;
}

enum { HS, SEND, RECV, CLOSE, DRAIN, DONE, FAILED };

static const char MSG[] = "hello through the engine";

/* One end: its conn and where it is. The client sends MSG, reads it back,
 * closes and waits for the server's close_notify; the server echoes until
 * close_notify, then closes. */
typedef struct end {
    hsb_net_conn *c;
    hsb_net_watch w;
    int phase, is_client;
    char buf[64];
    size_t got, sent;
    int *left;
} end;

static int step(end *e, uint32_t *ev)
{
    size_t n = 0;
    switch (e->phase) {
    case HS:
        return hsb_net_conn_handshake(e->c, ev);
    case SEND: {
        const char *src = e->is_client ? MSG : e->buf;
        size_t len = e->is_client ? sizeof MSG : e->got;
        hsb_net_st st = hsb_net_conn_write(e->c, src + e->sent, len - e->sent, &n, ev);
        e->sent += n;
        if (st != HSB_NET_DONE || e->sent < len) return st;
        return hsb_net_conn_flush(e->c, ev);
    }
    case RECV:
    case DRAIN: {
        hsb_net_st st = hsb_net_conn_read(e->c, e->buf + e->got, sizeof e->buf - e->got, &n, ev);
        if (st == HSB_NET_DONE && n == 0) return e->phase == DRAIN || !e->is_client ? 2 : -1;
        e->got += n;
        if (st == HSB_NET_DONE && e->phase == RECV && !e->is_client) return 3; /* echo it */
        if (st == HSB_NET_DONE && e->got < sizeof MSG) return 4;               /* read more */
        return st;
    }
    case CLOSE:
        return hsb_net_conn_close(e->c, ev);
    }
    return -1;
}

/* The phase after a DONE step (r is step's result). */
static int next_phase(end *e, int r)
{
    if (r == 2) return e->is_client ? DONE : CLOSE;
    if (r == 3) return SEND;
    if (e->phase == HS) return e->is_client ? SEND : RECV;
    if (e->phase == SEND) return e->is_client ? RECV : (e->got = e->sent = 0, RECV);
    if (e->phase == RECV) return CLOSE;
    if (e->phase == CLOSE) return e->is_client ? DRAIN : DONE;
    return DONE;
}

static void on_io(hsb_net_loop *l, void *user, uint32_t events)
{
    end *e = user;
    (void)events;
    for (;;) {
        uint32_t ev = 0;
        int r = step(e, &ev);
        if (r == 4) continue;
        if (r == HSB_NET_WAIT) {
            CHECK(hsb_net_loop_watch(l, &e->w, ev) == HSB_OK);
            return;
        }
        e->phase = r < 0 ? FAILED : next_phase(e, r);
        if (e->phase == DONE || e->phase == FAILED) break;
    }
    hsb_net_loop_unwatch(l, &e->w);
    if (--*e->left == 0) hsb_net_loop_stop(l);
}

/* Both ends of one connection through a fresh loop; returns the number
 * that ended DONE (2 when all went well). */
static int run_pair(hsb_net_tls *ct, hsb_net_tls *st, end ends[2])
{
    int fd[2], left = 2;
    hsb_net_loop *l = NULL;
    if (tcp_pair(fd) != 0 || hsb_net_loop_new(&l) != HSB_OK) return -1;
    hsb_net_tls *ts[2] = {ct, st};
    for (int i = 0; i < 2; i++) {
        ends[i] = (end){.is_client = i == 0, .left = &left};
        CHECK(hsb_net_conn_get(ts[i], &ends[i].c) == HSB_OK);
        CHECK(hsb_net_conn_start(ends[i].c, fd[i]) == HSB_OK);
        hsb_net_watch_init(&ends[i].w, fd[i], on_io, &ends[i]);
        CHECK(hsb_net_loop_watch(l, &ends[i].w, EPOLLIN | EPOLLOUT) == HSB_OK);
    }
    int64_t until = hsb_net_clock_ns() + 30 * 1000000000LL;
    while (!hsb_net_loop_stopping(l) && hsb_net_clock_ns() < until)
        CHECK(hsb_net_loop_once(l, 100000000) == HSB_OK);
    CHECKF(hsb_net_loop_stopping(l), "the pair did not finish in 30 s");
    hsb_net_loop_free(l);
    close(fd[0]);
    close(fd[1]);
    return (ends[0].phase == DONE) + (ends[1].phase == DONE);
}

typedef struct world {
    hsb_provider prov;
    hsb_tls_config *hcfg[2]; /* client, server */
    hsb_ossl_cfg *ocfg;
    hsb_net_tls *t[2][2]; /* [impl][role] */
} world;

static void world_free(world *w)
{
    for (int i = 0; i < 2; i++)
        for (int r = 0; r < 2; r++) hsb_net_tls_free(w->t[i][r]);
    hsb_tls_config_free(w->hcfg[0]);
    hsb_tls_config_free(w->hcfg[1]);
    hsb_ossl_cfg_free(w->ocfg);
}

/* Our core's configs and libssl's contexts for kx (HSB_TLS_KX_*); server_kx
 * may differ, to make a handshake fail. */
static int world_new(world *w, const hsb_cert_set *certs, unsigned kx, unsigned server_kx)
{
    memset(w, 0, sizeof *w);
    char err[256];
    if (hsb_provider_from_spec("openssl", &w->prov, err, sizeof err) != HSB_OK) return -1;
    hsb_rc rc = hsb_tls_config_new(&w->hcfg[0], HSB_TLS_CLIENT, &w->prov);
    if (rc == HSB_OK) rc = hsb_tls_config_new(&w->hcfg[1], HSB_TLS_SERVER, &w->prov);
    if (rc == HSB_OK) rc = hsb_tls_config_set_kx(w->hcfg[0], kx);
    if (rc == HSB_OK) rc = hsb_tls_config_set_kx(w->hcfg[1], server_kx);
    if (rc == HSB_OK) rc = hsb_tls_config_add_anchor(w->hcfg[0], certs->anchor);
    if (rc == HSB_OK) rc = hsb_tls_config_set_server_name(w->hcfg[0], "localhost");
    if (rc == HSB_OK) rc = hsb_tls_config_set_chain(w->hcfg[1], certs->chain, certs->chain_len);
    if (rc == HSB_OK) rc = hsb_tls_config_set_key(w->hcfg[1], certs->leaf_key);
    if (rc == HSB_OK)
        rc = hsb_tls_config_set_dh_group(w->hcfg[1], hsb_dh_group_by_name("ffdhe2048"));
    if (rc == HSB_OK)
        rc = hsb_ossl_cfg_new(kx == HSB_TLS_KX_DHE ? HSB_KX_DHE : HSB_KX_RSA, certs->bits, NULL,
                              &w->ocfg, err, sizeof err);
    for (int r = 0; r < 2 && rc == HSB_OK; r++) {
        rc = hsb_net_tls_new_hsb(w->hcfg[r], (hsb_tls_role)r, &w->t[0][r]);
        if (rc == HSB_OK)
            rc = hsb_net_tls_new_libssl(hsb_ossl_cfg_ctx(w->ocfg, r), (hsb_tls_role)r,
                                        r ? NULL : "localhost", &w->t[1][r]);
    }
    CHECKF(rc == HSB_OK, "set-up: %s %s", hsb_last_error(), err);
    return rc == HSB_OK ? 0 : -1;
}

static void put_both(end ends[2])
{
    hsb_net_conn_put(ends[0].c);
    hsb_net_conn_put(ends[1].c);
}

static void test_pairs(const hsb_cert_set *certs)
{
    for (unsigned kx = HSB_TLS_KX_RSA; kx <= HSB_TLS_KX_DHE; kx <<= 1) {
        world w;
        if (world_new(&w, certs, kx, kx) != 0) return;
        for (int ci = 0; ci < 2; ci++) {
            for (int si = 0; si < 2; si++) {
                end ends[2];
                int ok = run_pair(w.t[ci][0], w.t[si][1], ends);
                hsb_net_info info;
                hsb_net_conn_info(ends[0].c, &info);
                CHECKF(ok == 2, "%s client -> %s server (%s): %d ends done", hsb_net_impl_name(ci),
                       hsb_net_impl_name(si), kx == HSB_TLS_KX_RSA ? "rsa" : "dhe", ok);
                CHECKF(ends[0].got == sizeof MSG && !memcmp(ends[0].buf, MSG, sizeof MSG),
                       "echo came back whole");
                CHECKF(info.kx == kx && info.suite_name, "negotiated the kx asked for");
                printf("%s %s client -> %s server, %s\n", ok == 2 ? "ok  " : "FAIL",
                       hsb_net_impl_name(ci), hsb_net_impl_name(si),
                       info.suite_name ? info.suite_name : "-");
                put_both(ends);
            }
        }
        world_free(&w);
    }
}

/* A client that offers RSA only to a server that takes DHE only: the server
 * sends handshake_failure(40) on the ClientHello, the client receives it. */
static void test_alerts(const hsb_cert_set *certs)
{
    world w;
    if (world_new(&w, certs, HSB_TLS_KX_RSA, HSB_TLS_KX_DHE) != 0) return;
    for (int ci = 0; ci < 2; ci++) {
        end ends[2];
        int ok = run_pair(w.t[ci][0], w.t[0][1], ends);
        hsb_net_failure fc, fs;
        hsb_net_conn_failure(ends[0].c, &fc);
        hsb_net_conn_failure(ends[1].c, &fs);
        CHECKF(ok == 0, "both ends fail");
        CHECKF(fs.kind == HSB_NET_FAIL_ALERT_SENT && fs.alert == HSB_TLS_ALERT_HANDSHAKE_FAILURE &&
                   !strcmp(fs.step, "ClientHello"),
               "server: %s %d at %s", hsb_net_fail_kind_name(fs.kind), fs.alert, fs.step);
        CHECKF(fc.kind == HSB_NET_FAIL_ALERT_RECEIVED &&
                   fc.alert == HSB_TLS_ALERT_HANDSHAKE_FAILURE,
               "%s client: %s %d at %s (%s)", hsb_net_impl_name(ci),
               hsb_net_fail_kind_name(fc.kind), fc.alert, fc.step, fc.detail);
        printf("ok   %s client: %s %d at %s\n", hsb_net_impl_name(ci),
               hsb_net_fail_kind_name(fc.kind), fc.alert, fc.step);
        put_both(ends);
    }
    world_free(&w);
}

/* A server conn fed half a record header, then an EOF or a reset. */
static void test_transport(const hsb_cert_set *certs)
{
    world w;
    if (world_new(&w, certs, HSB_TLS_KX_RSA, HSB_TLS_KX_RSA) != 0) return;
    for (int si = 0; si < 2; si++) {
        for (int reset = 0; reset < 2; reset++) {
            int fd[2];
            hsb_net_conn *c = NULL;
            if (tcp_pair(fd) != 0 || hsb_net_conn_get(w.t[si][1], &c) != HSB_OK) break;
            CHECK(hsb_net_conn_start(c, fd[1]) == HSB_OK);
            CHECK(write(fd[0], "\x16\x03", 2) == 2);
            if (reset) {
                struct linger lg = {.l_onoff = 1, .l_linger = 0};
                setsockopt(fd[0], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
                close(fd[0]); /* an RST */
            } else {
                shutdown(fd[0], SHUT_WR);
            }
            usleep(20000);
            uint32_t ev;
            hsb_net_st st = HSB_NET_WAIT;
            for (int i = 0; i < 10 && st == HSB_NET_WAIT; i++) st = hsb_net_conn_handshake(c, &ev);
            hsb_net_failure f;
            hsb_net_conn_failure(c, &f);
            hsb_net_fail_kind want = reset ? HSB_NET_FAIL_RESET : HSB_NET_FAIL_EOF;
            CHECKF(st == HSB_NET_FAILED && f.kind == want, "%s server after %s: %s (%s)",
                   hsb_net_impl_name(si), reset ? "RST" : "EOF", hsb_net_fail_kind_name(f.kind),
                   f.detail);
            printf("ok   %s server: half a header then %s -> %s at %s\n", hsb_net_impl_name(si),
                   reset ? "RST" : "EOF", hsb_net_fail_kind_name(f.kind), f.step);
            hsb_net_conn_put(c);
            if (!reset) close(fd[0]);
            close(fd[1]);
        }
    }
    world_free(&w);
}

static int fired[8], n_fired;
static void on_timer(hsb_net_loop *l, void *user)
{
    (void)l;
    fired[n_fired++] = (int)(intptr_t)user;
}

static void test_timers(void)
{
    hsb_net_loop *l;
    if (hsb_net_loop_new(&l) != HSB_OK) return;
    hsb_net_timer t[6];
    int64_t now = hsb_net_clock_ns();
    for (int i = 0; i < 6; i++) {
        hsb_net_timer_init(&t[i], on_timer, (void *)(intptr_t)i);
        CHECK(hsb_net_loop_arm(l, &t[i], now + (6 - i) * 1000000LL) == HSB_OK);
    }
    hsb_net_loop_cancel(l, &t[3]);
    CHECK(hsb_net_loop_arm(l, &t[0], now - 1) == HSB_OK);               /* earlier */
    CHECK(hsb_net_loop_arm(l, &t[5], now + 100 * 1000000LL) == HSB_OK); /* later */
    CHECK(hsb_net_loop_timers(l) == 5);
    while (hsb_net_loop_timers(l) > 1) CHECK(hsb_net_loop_once(l, 50000000) == HSB_OK);
    static const int want[4] = {0, 4, 2, 1};
    CHECKF(n_fired == 4 && !memcmp(fired, want, sizeof want), "timers fired in due order");
    hsb_net_loop_cancel(l, &t[5]);
    CHECK(hsb_net_loop_timers(l) == 0);
    hsb_net_loop_free(l);
}

static void test_free_list(const hsb_cert_set *certs)
{
    world w;
    if (world_new(&w, certs, HSB_TLS_KX_RSA, HSB_TLS_KX_RSA) != 0) return;
    hsb_net_conn *a, *b, *c;
    CHECK(hsb_net_conn_get(w.t[0][1], &a) == HSB_OK);
    hsb_net_conn_put(a);
    CHECK(hsb_net_conn_get(w.t[0][1], &b) == HSB_OK);
    CHECKF(a == b, "a conn put back is handed out again");
    CHECK(hsb_net_tls_in_use(w.t[0][1]) == 1);
    hsb_net_tls_set_keep(w.t[0][1], 0);
    hsb_net_conn_put(b); /* released: the list keeps none */
    CHECK(hsb_net_conn_get(w.t[0][1], &c) == HSB_OK);
    CHECK(hsb_net_tls_in_use(w.t[0][1]) == 1);
    hsb_net_conn_put(c);
    CHECK(hsb_net_tls_in_use(w.t[0][1]) == 0);
    world_free(&w);
}

/* The libssl contexts `hsbench server --impl libssl` and the load generator
 * make from PEM files, against our core both ways. */
static void test_file_ctx(const hsb_cert_set *certs)
{
    char dir[] = "/tmp/hsb-net-XXXXXX", ca[64], chain[64], key[64], err[256] = "";
    if (!mkdtemp(dir)) return;
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    snprintf(chain, sizeof chain, "%s/chain.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    world w;
    SSL_CTX *sc = NULL, *cc = NULL, *bad = NULL;
    hsb_net_tls *ts = NULL, *tc = NULL;
    CHECK(hsb_certgen_write_pem(certs, ca, chain, key) == HSB_OK);
    CHECKF(hsb_net_ossl_server_ctx(chain, key, HSB_TLS_KX_ALL, "ffdhe2048", 1, 1, &sc, err,
                                   sizeof err) == HSB_OK &&
               hsb_net_ossl_client_ctx(ca, HSB_TLS_KX_DHE, 1, 1, &cc, err, sizeof err) == HSB_OK,
           "contexts from files: %s", err);
    CHECKF(hsb_net_ossl_client_ctx(key, HSB_TLS_KX_RSA, 1, 1, &bad, err, sizeof err) != HSB_OK,
           "a key file is no CA file");
    if (sc && cc && world_new(&w, certs, HSB_TLS_KX_DHE, HSB_TLS_KX_ALL) == 0) {
        CHECK(hsb_net_tls_new_libssl(sc, HSB_TLS_SERVER, NULL, &ts) == HSB_OK);
        CHECK(hsb_net_tls_new_libssl(cc, HSB_TLS_CLIENT, "localhost", &tc) == HSB_OK);
        end ends[2];
        CHECKF(run_pair(tc, w.t[0][1], ends) == 2, "libssl client (CA file) -> hsb server");
        put_both(ends);
        CHECKF(run_pair(w.t[0][0], ts, ends) == 2, "hsb client -> libssl server (PEM files)");
        put_both(ends);
        printf("ok   libssl contexts from PEM files against our core, both ways\n");
        hsb_net_tls_free(ts);
        hsb_net_tls_free(tc);
        world_free(&w);
    }
    SSL_CTX_free(sc);
    SSL_CTX_free(cc);
    remove(ca), remove(chain), remove(key), rmdir(dir);
}

int main(void)
{
    const hsb_cert_set *certs;
    if (hsb_certgen_get(2048, HSB_CERT_GOOD, &certs) != HSB_OK) {
        printf("FAIL certificates: %s\n", hsb_last_error());
        return 1;
    }
    test_pairs(certs);
    test_alerts(certs);
    test_transport(certs);
    test_timers();
    test_free_list(certs);
    test_file_ctx(certs);
    return hsb_test_report("net_engine");
}
