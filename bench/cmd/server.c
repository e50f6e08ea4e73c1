/*
 * hsbench server: serve TLS 1.2 to real clients (OpenSSL's s_client, hsbench
 * client) and echo their application data.
 *
 * A fixed pool of worker threads shares the listening socket; each worker
 * owns one hsb_tls_thread (the RSA key is loaded into the backend once per
 * worker) and one reusable connection, and serves one client at a time with
 * blocking I/O. A connection's failure is logged and never stops the server.
 * SIGINT/SIGTERM stop it: workers stop accepting, open connections are shut
 * down, and the process exits 0.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "hsb_backends.h"
#include "hsb_cmd.h"
#include "hsb_dh_groups.h"
#include "hsb_tls.h"
#include "hsb_tls_cmd.h"

#define MAX_WORKERS 64

static void usage(FILE *to)
{
    fprintf(to,
            "usage: hsbench server --listen ADDR:PORT --cert FILE --key FILE [options]\n"
            "\n"
            "Serves TLS 1.2 (TLS_RSA_WITH_AES_128_CBC_SHA256 and/or\n"
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256) and echoes every byte of application data\n"
            "back until the client sends close_notify. One log line per connection on\n"
            "stdout: what was negotiated, or the failing step and the alert.\n"
            "\n"
            "  --listen ADDR:PORT   address to listen on; PORT 0 picks a free port. The first\n"
            "                       line printed is 'listening on ADDR:PORT' with the real port.\n"
            "  --cert FILE          PEM certificate chain, leaf first (RSA 2048..4096 key)\n"
            "  --key FILE           PEM private key of the leaf\n"
            "  --kx rsa|dhe|both    key exchanges accepted (default both; the client's first\n"
            "                       acceptable suite wins)\n"
            "  --dh-group NAME      DHE group: ffdhe2048 (default), ffdhe3072, ffdhe4096,\n"
            "                       modp2048, modp3072, modp4096\n"
            "  --dh-check full|range  check of the client's DH value (default full)\n"
            "  --etm on|off         encrypt_then_mac (RFC 7366) for the CBC records (default\n"
            "                       on: used when the peer has it too, as libssl does)\n"
            "  --ems on|off         extended_master_secret (RFC 7627) (default on: used when\n"
            "                       the peer has it too, as libssl does)\n"
            "  --verify-client none|optional|require  ask clients for a certificate\n"
            "                       (default none). optional: a client that sends none is\n"
            "                       served; require: it gets handshake_failure. A certificate\n"
            "                       sent must chain to --client-ca (else unknown_ca, ...) and\n"
            "                       its key must sign CertificateVerify (else decrypt_error)\n"
            "  --client-ca FILE     PEM CA certificate(s) that client certificates chain to\n"
            "                       (needed by optional and require; named in the request)\n"
            "  --backend SPEC       crypto composition (default openssl), e.g. gmp or\n"
            "                       pk=gmp,cipher=openssl; see 'hsbench list'\n"
            "  --threads N          connections served at once (default 4, max %d)\n"
            "  --max-conns N        exit after N connections have ended (default: run until\n"
            "                       SIGINT/SIGTERM)\n"
            "  --timeout SECONDS    drop a client that sends nothing for this long (default 30)\n"
            "\n"
            "Handshake messages are reassembled across records up to %d bytes (the\n"
            "largest legal ClientHello; about 150 KiB of buffer per connection); a longer\n"
            "one gets illegal_parameter.\n"
            "\n"
            "Exit status: 0 after a clean stop; 1 when the server cannot start; 2 on usage\n"
            "errors (bad options, unreadable or unsuitable certificate or key files, a\n"
            "composition that lacks a class the handshake needs).\n",
            MAX_WORKERS, HSB_TLS_MAX_HS_MSG);
}

typedef struct server {
    hsb_tls_config *cfg;
    int listen_fd;
    long max_conns; /* 0: no limit */
    int timeout_s;
    atomic_long started, ended, ok, failed;
    atomic_int stop;
    atomic_int live_workers;
    atomic_int active_fd[MAX_WORKERS];
} server;

typedef struct worker {
    server *srv;
    int index;
    pthread_t tid;
} worker;

static void peer_name(int fd, char *buf, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char a[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &in->sin_addr, a, sizeof a);
            port = ntohs(in->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *in = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &in->sin6_addr, a, sizeof a);
            port = ntohs(in->sin6_port);
        }
    }
    snprintf(buf, cap, "%s:%u", a, port);
}

/* Echo until close_notify; returns bytes echoed, or -1 with the error in conn. */
static long echo(hsb_tls_conn *conn)
{
    static _Thread_local uint8_t buf[HSB_TLS_MAX_PLAINTEXT];
    long total = 0;
    for (;;) {
        size_t n = 0;
        hsb_rc rc = hsb_tls_read(conn, buf, sizeof buf, &n);
        if (rc != HSB_OK) return -1;
        if (n == 0) break; /* close_notify */
        size_t off = 0;
        while (off < n) {
            size_t w = 0;
            rc = hsb_tls_write(conn, buf + off, n - off, &w);
            if (rc != HSB_OK) return -1;
            off += w;
        }
        if (hsb_tls_flush(conn) != HSB_OK) return -1;
        total += (long)n;
    }
    if (hsb_tls_close(conn) != HSB_OK) return -1;
    return total;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    server *s = w->srv;
    hsb_tls_thread *thr = NULL;
    hsb_tls_conn *conn = NULL;
    hsb_rc rc = hsb_tls_thread_new(s->cfg, &thr);
    if (rc == HSB_OK) rc = hsb_tls_conn_new(thr, &conn);
    if (rc != HSB_OK) {
        fprintf(stderr, "hsbench server: worker %d cannot start: %s\n", w->index, hsb_last_error());
        atomic_store(&s->stop, 1);
    }
    while (!atomic_load(&s->stop)) {
        struct pollfd pfd = {.fd = s->listen_fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 200);
        if (pr <= 0) continue;
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) continue; /* another worker took it, or a transient error */
        long id = atomic_fetch_add(&s->started, 1) + 1;
        if (s->max_conns && id > s->max_conns) {
            atomic_fetch_sub(&s->started, 1);
            close(fd);
            break;
        }
        atomic_store(&s->active_fd[w->index], fd);
        struct timeval tv = {.tv_sec = s->timeout_s};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        char peer[80];
        peer_name(fd, peer, sizeof peer);

        hsb_tls_transport tr = hsb_tcp_transport(fd);
        long echoed = -1;
        rc = hsb_tls_conn_start(conn, &tr);
        if (rc == HSB_OK) rc = hsb_tls_handshake(conn);
        hsb_tls_info info;
        hsb_tls_conn_info(conn, &info);
        if (rc == HSB_OK) echoed = echo(conn);
        if (echoed >= 0) {
            char dh[48] = "";
            if (info.kx == HSB_TLS_KX_DHE)
                snprintf(dh, sizeof dh, " %s-%u", info.dh_group, info.dh_bits);
            printf("conn %ld from %s: ok TLSv1.2 %s rsa-%u%s, etm %s, ems %s, echoed %ld bytes\n",
                   id, peer, info.suite_name, info.rsa_bits, dh, info.etm ? "on" : "off",
                   info.ems ? "on" : "off", echoed);
            atomic_fetch_add(&s->ok, 1);
        } else {
            const char *err = hsb_tls_conn_error(conn);
            if (rc == HSB_E_WOULD_BLOCK) err = "timed out waiting for the client";
            printf("conn %ld from %s: failed: %s\n", id, peer, err[0] ? err : hsb_last_error());
            atomic_fetch_add(&s->failed, 1);
        }
        fflush(stdout);
        atomic_store(&s->active_fd[w->index], -1);
        close(fd);
        long ended = atomic_fetch_add(&s->ended, 1) + 1;
        if (s->max_conns && ended >= s->max_conns) atomic_store(&s->stop, 1);
    }
    hsb_tls_conn_free(conn);
    hsb_tls_thread_free(thr);
    atomic_fetch_sub(&s->live_workers, 1);
    return NULL;
}

/* The server's own options (hsb_tls_cmd_parse takes the shared ones). */
typedef struct server_opts {
    const char *listen_at, *cert, *key, *group_name;
    long threads, max_conns, timeout;
} server_opts;

enum { S_LISTEN = HSB_TLS_CMD_OWN, S_CERT, S_KEY, S_DHGROUP, S_THREADS, S_MAX_CONNS, S_TIMEOUT };

static const struct option server_opts_table[] = {
    {"listen", required_argument, NULL, S_LISTEN},
    {"cert", required_argument, NULL, S_CERT},
    {"key", required_argument, NULL, S_KEY},
    {"dh-group", required_argument, NULL, S_DHGROUP},
    {"threads", required_argument, NULL, S_THREADS},
    {"max-conns", required_argument, NULL, S_MAX_CONNS},
    {"timeout", required_argument, NULL, S_TIMEOUT},
    {NULL, 0, NULL, 0},
};

static void server_opt(void *arg, int id, const char *v, int *ok)
{
    server_opts *c = arg;
    switch (id) {
    case S_LISTEN:
        c->listen_at = v;
        break;
    case S_CERT:
        c->cert = v;
        break;
    case S_KEY:
        c->key = v;
        break;
    case S_DHGROUP: /* checked after the required options */
        c->group_name = v;
        break;
    case S_THREADS:
        c->threads = hsb_tls_cmd_parse_long(v, 1, MAX_WORKERS, ok);
        break;
    case S_MAX_CONNS:
        c->max_conns = hsb_tls_cmd_parse_long(v, 1, 1L << 40, ok);
        break;
    case S_TIMEOUT:
        c->timeout = hsb_tls_cmd_parse_long(v, 1, 86400, ok);
        break;
    }
}

/* The configuration: certificate, key and DH group on o's composition.
 * -1 to go on, else the exit status (message on stderr); the caller frees
 * *cfg either way. */
static int server_config(const hsb_tls_cmd_opts *o, const server_opts *c, const hsb_provider *prov,
                         const hsb_dh_group *group, hsb_tls_config **cfg)
{
    hsb_rc rc = hsb_tls_cmd_config(o, HSB_TLS_SERVER, prov, cfg);
    if (rc == HSB_OK) rc = hsb_tls_config_load_pem(*cfg, c->cert, c->key);
    if (rc == HSB_OK) rc = hsb_tls_config_set_dh_group(*cfg, group);
    if (rc == HSB_OK) return -1;
    fprintf(stderr, "hsbench server: %s\n", hsb_last_error());
    return rc == HSB_E_USAGE || rc == HSB_E_UNAVAILABLE || rc == HSB_E_UNSUPPORTED ? 2 : 1;
}

/* The first lines on stdout: the address with the real port, then what is
 * served. */
static void print_banner(const char *host, unsigned bound, const hsb_provider *prov, unsigned kx,
                         const hsb_dh_group *group, long threads)
{
    char desc[256];
    hsb_provider_describe(prov, desc, sizeof desc);
    printf("listening on %s%s%s:%u\n", strchr(host, ':') ? "[" : "", host,
           strchr(host, ':') ? "]" : "", bound);
    printf("backend: %s; kx: %s; dh group: %s; threads: %ld\n", desc,
           kx == HSB_TLS_KX_ALL   ? "rsa,dhe"
           : kx == HSB_TLS_KX_RSA ? "rsa"
                                  : "dhe",
           group->name, threads);
    fflush(stdout);
}

/* Runs threads workers until they stop (--max-conns) or SIGINT/SIGTERM
 * arrives, then joins them. Returns the signal, or 0. */
static int run_workers(server *s, long threads)
{
    /* Signals go to this thread only (sigtimedwait below). */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    worker ws[MAX_WORKERS];
    int started = 0;
    for (int i = 0; i < threads; i++) {
        ws[i] = (worker){.srv = s, .index = i};
        atomic_fetch_add(&s->live_workers, 1);
        if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0) {
            atomic_fetch_sub(&s->live_workers, 1);
            break;
        }
        started++;
    }
    int sig = 0;
    while (!sig && atomic_load(&s->live_workers) > 0) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
        int r = sigtimedwait(&set, NULL, &ts);
        if (r > 0) sig = r;
    }
    if (sig) {
        atomic_store(&s->stop, 1);
        for (int i = 0; i < MAX_WORKERS; i++) {
            int fd = atomic_load(&s->active_fd[i]);
            if (fd >= 0) shutdown(fd, SHUT_RDWR);
        }
    }
    for (int i = 0; i < started; i++) pthread_join(ws[i].tid, NULL);
    return sig;
}

/* Listens on host:port and serves with cfg until stopped. The exit status:
 * 1 when it cannot listen, else 0. */
static int serve(hsb_tls_config *cfg, const server_opts *c, const char *host, const char *port,
                 const hsb_provider *prov, unsigned kx, const hsb_dh_group *group)
{
    server s;
    memset(&s, 0, sizeof s);
    s.cfg = cfg;
    s.max_conns = c->max_conns;
    s.timeout_s = (int)c->timeout;
    for (int i = 0; i < MAX_WORKERS; i++) atomic_store(&s.active_fd[i], -1);
    unsigned bound = 0;
    char err[512];
    if (hsb_tcp_listen(host, port, 128, &s.listen_fd, &bound, err, sizeof err) != HSB_OK) {
        fprintf(stderr, "hsbench server: %s\n", err);
        return 1;
    }
    /* Workers poll, then accept: a non-blocking listener keeps the ones that
     * lose the race from sleeping in accept(). */
    fcntl(s.listen_fd, F_SETFL, fcntl(s.listen_fd, F_GETFL) | O_NONBLOCK);
    print_banner(host, bound, prov, kx, group, c->threads);
    int sig = run_workers(&s, c->threads);
    close(s.listen_fd);
    printf("stopped%s%s: %ld connections, %ld ok, %ld failed\n", sig ? " by " : "",
           sig == SIGINT    ? "SIGINT"
           : sig == SIGTERM ? "SIGTERM"
                            : "",
           atomic_load(&s.ended), atomic_load(&s.ok), atomic_load(&s.failed));
    fflush(stdout);
    return 0;
}

int hsb_cmd_server(int argc, char **argv)
{
    hsb_tls_cmd_opts o;
    server_opts c = {.group_name = "ffdhe2048", .threads = 4, .timeout = 30};
    int st = hsb_tls_cmd_parse(argc, argv, "server", &o, usage, server_opts_table, server_opt, &c);
    if (st >= 0) return st;
    if (!c.listen_at || !c.cert || !c.key) {
        fprintf(stderr, "hsbench server: --listen, --cert and --key are required (see --help)\n");
        return 2;
    }
    char host[HSB_TLS_CMD_HOST], port[HSB_TLS_CMD_PORT];
    if (hsb_tls_cmd_address(&o, "--listen", c.listen_at, 1, host, port) != HSB_OK) return 2;
    const hsb_dh_group *group = hsb_dh_group_by_name(c.group_name);
    if (!group) {
        fprintf(stderr, "hsbench server: unknown --dh-group '%s'\n", c.group_name);
        return 2;
    }
    static hsb_provider prov;
    if (hsb_tls_cmd_provider(&o, &prov) != HSB_OK) return 2;
    hsb_tls_config *cfg = NULL;
    st = server_config(&o, &c, &prov, group, &cfg);
    if (st < 0) st = serve(cfg, &c, host, port, &prov, o.kx, group);
    hsb_tls_config_free(cfg);
    return st;
}
