/* The server's main thread: listeners, workers, signals, the stats line and
 * the samples the JSON report is made of (hsb_net_server.h). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server_internal.h"
#include "server_report.h"

#define SUM(s, field) hsb_net_srv_sum((s), offsetof(srv_counters, field))

/* One listener on a (port already chosen for all but the first). */
static int listen_one(const struct addrinfo *a, unsigned port, int first)
{
    struct sockaddr_storage ss;
    memcpy(&ss, a->ai_addr, a->ai_addrlen);
    if (!first && ss.ss_family == AF_INET) ((struct sockaddr_in *)&ss)->sin_port = htons(port);
    if (!first && ss.ss_family == AF_INET6) ((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
    int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) return -1;
    int one = 1;
    /* SO_REUSEPORT: one listener per worker on one port; the kernel hashes
     * each new connection to one of them (no thundering herd, no lock). */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&ss, a->ai_addrlen) != 0 || listen(fd, 4096) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static unsigned bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) return 0;
    if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static hsb_rc listen_all(hsb_net_server *s, unsigned *port, char *err, size_t len)
{
    const hsb_net_server_cfg *c = &s->cfg;
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE},
                    *res = NULL;
    int gai = getaddrinfo(c->host && *c->host ? c->host : NULL, c->port, &hints, &res);
    if (gai != 0) {
        snprintf(err, len, "cannot resolve %s:%s: %s", c->host ? c->host : "*", c->port,
                 gai_strerror(gai));
        HSB_BAIL_MSG(HSB_E_IO, "getaddrinfo");
    }
    hsb_rc rc = HSB_OK;
    for (unsigned i = 0; i < s->n_workers && rc == HSB_OK; i++) {
        s->w[i].listen_fd = listen_one(res, *port, i == 0);
        if (s->w[i].listen_fd < 0) {
            snprintf(err, len, "cannot listen on %s:%s: %s", c->host ? c->host : "*", c->port,
                     strerror(errno));
            rc = hsb_raise(HSB_E_IO, __FILE__, __LINE__, "listen");
        } else if (i == 0) {
            *port = bound_port(s->w[0].listen_fd);
        }
    }
    freeaddrinfo(res);
    return rc;
}

/* A server holds a descriptor per connection: the soft limit goes up to
 * the hard one (as nginx's worker_rlimit_nofile would). */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

hsb_rc hsb_net_server_new(const hsb_net_server_cfg *cfg, hsb_net_server **out, unsigned *port_out,
                          char *err, size_t err_len)
{
    *out = NULL;
    raise_nofile();
    snprintf(err, err_len, "bad server configuration");
    HSB_ENSURE(cfg && cfg->threads >= 1 && cfg->threads <= HSB_MAX_THREADS && cfg->port,
               HSB_E_USAGE);
    HSB_ENSURE(cfg->impl == HSB_NET_IMPL_LIBSSL ? cfg->ctx != NULL : cfg->cfg != NULL, HSB_E_USAGE);
    hsb_net_server *s = calloc(1, sizeof *s);
    HSB_ENSURE(s, HSB_E_NOMEM);
    s->cfg = *cfg;
    s->hs_timeout_ns = (int64_t)(cfg->handshake_timeout_s * 1e9);
    s->idle_timeout_ns = (int64_t)(cfg->idle_timeout_s * 1e9);
    s->n_workers = cfg->threads;
    s->w = calloc(s->n_workers, sizeof *s->w);
    hsb_rc rc = s->w ? hsb_place(cfg->threads, cfg->pin, &s->pl) : HSB_E_NOMEM;
    if (rc != HSB_OK) snprintf(err, err_len, "placement: %s", hsb_last_error());
    for (unsigned i = 0; s->w && i < s->n_workers; i++)
        s->w[i] = (srv_worker){.srv = s, .index = i, .listen_fd = -1};
    unsigned port = 0;
    if (rc == HSB_OK) rc = listen_all(s, &port, err, err_len);
    if (rc != HSB_OK) {
        hsb_net_server_free(s);
        return rc;
    }
    *port_out = port;
    *out = s;
    return HSB_OK;
}

void hsb_net_server_free(hsb_net_server *s)
{
    if (!s) return;
    for (unsigned i = 0; s->w && i < s->n_workers; i++)
        if (s->w[i].listen_fd >= 0) close(s->w[i].listen_fd);
    free(s->w);
    free(s);
}

static double proc_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The counters now, for a sample and the stats line. */
static void take_sample(const hsb_net_server *s, srv_sample *x, double t0)
{
    x->t = (double)hsb_net_clock_ns() * 1e-9 - t0;
    x->cpu = proc_cpu_s();
    x->handshakes = SUM(s, handshakes);
    x->failed = SUM(s, failed);
    x->bytes = SUM(s, bytes);
    x->refused = SUM(s, refused);
    x->timeouts = SUM(s, timeouts_handshake) + SUM(s, timeouts_idle);
    for (int k = 0; k < HSB_NET_FAIL_KINDS; k++)
        x->by_kind[k] =
            hsb_net_srv_sum(s, offsetof(srv_counters, by_kind) + (size_t)k * sizeof(atomic_ullong));
}

/* "server 3.0s: 1234 hs/s, open 45, ok 1200, failed 3 (eof 2, alert_sent
 * 1), refused 0, timeouts 1, echoed 12345 B" on stderr. */
static void stats_line(const hsb_net_server *s, const srv_sample *a, const srv_sample *b)
{
    double dt = b->t - a->t;
    char kinds[256] = "";
    size_t k = 0;
    for (int i = 1; i < HSB_NET_FAIL_KINDS; i++) {
        if (!b->by_kind[i] || k >= sizeof kinds) continue;
        k += (size_t)snprintf(kinds + k, sizeof kinds - k, "%s%s %llu", k ? ", " : " (",
                              hsb_net_fail_kind_name(i), (unsigned long long)b->by_kind[i]);
    }
    if (k && k < sizeof kinds) snprintf(kinds + k, sizeof kinds - k, ")");
    fprintf(stderr,
            "server %.1fs: %.0f hs/s, open %lld, handshakes %llu, failed %llu%s, refused %llu, "
            "timeouts %llu, echoed %llu B\n",
            b->t, dt > 0 ? (double)(b->handshakes - a->handshakes) / dt : 0.0,
            (long long)atomic_load(&((hsb_net_server *)s)->open), (unsigned long long)b->handshakes,
            (unsigned long long)b->failed, kinds, (unsigned long long)b->refused,
            (unsigned long long)b->timeouts, (unsigned long long)b->bytes);
}

static hsb_rc start_workers(hsb_net_server *s, char *err, size_t len)
{
    for (unsigned i = 0; i < s->n_workers; i++) {
        int e = pthread_create(&s->w[i].tid, NULL, hsb_net_srv_worker_main, &s->w[i]);
        if (e != 0) {
            snprintf(err, len, "cannot start worker %u: %s", i, strerror(e));
            atomic_store(&s->stop, 1);
            HSB_BAIL_MSG(HSB_E_INTERNAL, "pthread_create");
        }
        s->w[i].started = 1;
    }
    return HSB_OK;
}

/* Wait for a signal or the stop flag, sampling each second (and printing
 * the stats line each stats_s). Returns the signal, or 0. */
static int wait_for_end(hsb_net_server *s, const sigset_t *set, srv_samples *sm, double t0)
{
    double every = s->cfg.stats_s > 0 ? s->cfg.stats_s : 1.0;
    srv_sample last = sm->n ? sm->v[sm->n - 1] : (srv_sample){0};
    double next = every;
    while (!atomic_load(&s->stop)) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
        int r = sigtimedwait(set, NULL, &ts);
        if (r > 0) return r;
        double now = (double)hsb_net_clock_ns() * 1e-9 - t0;
        if (now < next) continue;
        next += every;
        srv_sample x;
        take_sample(s, &x, t0);
        if (hsb_srv_samples_push(sm, &x) != HSB_OK) continue;
        if (s->cfg.stats_s > 0) stats_line(s, &last, &x);
        last = x;
    }
    return 0;
}

hsb_rc hsb_net_server_run(hsb_net_server *s, hsb_net_server_result *res, char *err, size_t len)
{
    memset(res, 0, sizeof *res);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    srv_samples sm = {0};
    double t0 = (double)hsb_net_clock_ns() * 1e-9;
    srv_sample first;
    take_sample(s, &first, t0);
    hsb_rc rc = hsb_srv_samples_push(&sm, &first);
    if (rc == HSB_OK) rc = start_workers(s, err, len);
    if (rc == HSB_OK) res->signal = wait_for_end(s, &set, &sm, t0);
    atomic_store(&s->stop, 1);
    int failed_start = 0;
    for (unsigned i = 0; i < s->n_workers; i++) {
        if (s->w[i].started) pthread_join(s->w[i].tid, NULL);
        failed_start |= s->w[i].failed_start;
    }
    srv_sample end;
    take_sample(s, &end, t0);
    if (rc == HSB_OK) rc = hsb_srv_samples_push(&sm, &end);
    res->ended = SUM(s, ended);
    res->ok = SUM(s, ok);
    res->failed = SUM(s, failed);
    res->refused = SUM(s, refused);
    if (rc == HSB_OK && s->cfg.json_path) res->json_failed = hsb_srv_report(s, &sm) != HSB_OK;
    free(sm.v);
    if (rc == HSB_OK && failed_start) {
        snprintf(err, len, "a worker could not start");
        rc = hsb_raise(HSB_E_INTERNAL, __FILE__, __LINE__, "worker start");
    }
    return rc;
}

hsb_rc hsb_net_restrict_pus(const char *list)
{
    int pus[CPU_SETSIZE];
    size_t n = hsb_pu_list_parse(list, pus, CPU_SETSIZE);
    if (n == 0)
        HSB_BAIL_MSG(HSB_E_USAGE, "a PU list such as 0 or 0-3,8, of PUs this process may use");
    cpu_set_t want;
    CPU_ZERO(&want);
    for (size_t i = 0; i < n; i++) CPU_SET(pus[i], &want);
    if (sched_setaffinity(0, sizeof want, &want) != 0) HSB_BAIL_MSG(HSB_E_IO, strerror(errno));
    return HSB_OK;
}
