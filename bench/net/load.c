/* The load generator: see hsb_load.h. */
#include "hsb_load.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "load_internal.h"

static const char *const err_names[HSB_LOAD_ERR_KINDS] = {
    "connect_refused", "connect", "timeout", "alert_received", "alert_sent",
    "reset",           "eof",     "io",      "bad_answer",     "local",
};

const char *hsb_load_err_name(hsb_load_err k)
{
    return (unsigned)k < HSB_LOAD_ERR_KINDS ? err_names[k] : "unknown";
}

uint64_t hsb_load_now_ns(void)
{
    return (uint64_t)hsb_net_clock_ns();
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------ the loop */

/* The number of connections and scheduled starts thread i owns. */
static uint64_t share(uint64_t total, unsigned threads, unsigned i)
{
    return total / threads + (i < total % threads ? 1 : 0);
}

/* The open loop's slot k time: the thread's offset plus k intervals. */
static uint64_t slot_time(const lthread *t)
{
    return t->run->start_ns + t->offset_ns + (uint64_t)((double)t->next_slot * t->interval_ns);
}

/* Start connections due now: closed loop, every free place while the budget
 * lasts; open loop, each slot whose time has come while a place is free. */
static void start_due(lthread *t, uint64_t now)
{
    const hsb_load_cfg *cfg = t->run->cfg;
    while (t->n_free > 0 && !t->stopping) {
        uint64_t sched = now;
        if (cfg->rate > 0) {
            if (t->next_slot >= t->slots || (sched = slot_time(t)) > now) return;
            t->next_slot++;
        } else if (cfg->handshakes && t->started >= t->budget) {
            return;
        }
        t->started++;
        lconn *c = t->free[--t->n_free];
        hsb_load_conn_begin(t, c, sched, now);
    }
}

/* How long the loop may sleep: until the next slot when one could start,
 * else 100 ms (the stop check's granularity). */
static int64_t wait_ns(const lthread *t, uint64_t now)
{
    uint64_t until = now + 100000000u;
    if (t->run->cfg->rate > 0 && t->n_free > 0 && t->next_slot < t->slots && !t->stopping) {
        uint64_t s = slot_time(t);
        if (s < until) until = s;
    }
    return until <= now ? 0 : (int64_t)(until - now);
}

/* Stop starting new connections once the run's time or budget is over. */
static void check_stop(lthread *t, uint64_t now)
{
    const hsb_load_cfg *cfg = t->run->cfg;
    if (t->stopping) return;
    int over = 0;
    if (cfg->duration_s > 0)
        over = now >= t->run->end_ns;
    else if (cfg->rate > 0)
        over = t->next_slot >= t->slots;
    else
        over = t->started >= t->budget;
    if (!over) return;
    t->stopping = 1;
    /* Open loop: slots that fell due before the end but never got a place
     * are counted, not forgotten. */
    while (cfg->rate > 0 && t->next_slot < t->slots && slot_time(t) <= now) {
        t->next_slot++;
        t->unstarted++;
    }
}

/* The loop: runs until the run is over and every connection has ended. */
static void loop(lthread *t)
{
    for (;;) {
        uint64_t now = hsb_load_now_ns();
        check_stop(t, now);
        start_due(t, now);
        __atomic_store_n(&t->pub_ok, t->res.ok, __ATOMIC_RELAXED);
        __atomic_store_n(&t->pub_failed, t->res.failed, __ATOMIC_RELAXED);
        __atomic_store_n(&t->pub_open, t->n_conns - t->n_free, __ATOMIC_RELAXED);
        if (t->stopping && t->n_free == t->n_conns) return;
        if (hsb_net_loop_once(t->loop, wait_ns(t, now)) != HSB_OK) {
            /* epoll failed: end what is open as local failures */
            for (unsigned i = 0; i < t->n_conns; i++)
                if (t->conns[i].state != LC_FREE)
                    hsb_load_conn_fail(t, &t->conns[i], HSB_LOAD_ERR_LOCAL, hsb_last_error());
            t->stopping = 1;
        }
    }
}

/* ------------------------------------------------------- thread set-up */

static hsb_rc thread_tls(lthread *t)
{
    const hsb_load_cfg *cfg = t->run->cfg;
    hsb_rc rc = cfg->impl == HSB_NET_IMPL_LIBSSL
                    ? hsb_net_tls_new_libssl(cfg->ctx, HSB_TLS_CLIENT, cfg->server_name, &t->tls)
                    : hsb_net_tls_new_hsb(cfg->tls, HSB_TLS_CLIENT, &t->tls);
    if (rc == HSB_OK) hsb_net_tls_set_keep(t->tls, t->n_conns);
    return rc;
}

/* The thread's loop, TLS objects and connection places. */
static hsb_rc thread_setup(lthread *t)
{
    const hsb_load_cfg *cfg = t->run->cfg;
    unsigned threads = cfg->pl.threads;
    t->n_conns = (unsigned)share(cfg->connections, threads, t->index);
    if (cfg->handshakes) t->budget = share(cfg->handshakes, threads, t->index);
    if (cfg->rate > 0) {
        t->interval_ns = 1e9 * threads / cfg->rate;
        t->offset_ns = (uint64_t)(1e9 * t->index / cfg->rate);
        t->slots =
            cfg->handshakes ? t->budget : (uint64_t)(cfg->duration_s * 1e9 / t->interval_ns) + 1;
    }
    hsb_lat_hist_init(&t->res.hs);
    hsb_lat_hist_init(&t->res.conn);
    hsb_rc rc = hsb_net_loop_new(&t->loop);
    if (rc != HSB_OK) return rc;
    t->conns = calloc(t->n_conns ? t->n_conns : 1, sizeof *t->conns);
    t->free = calloc(t->n_conns ? t->n_conns : 1, sizeof *t->free);
    if (!t->conns || !t->free) return HSB_E_NOMEM;
    for (unsigned i = 0; i < t->n_conns; i++) {
        t->conns[i].fd = -1;
        t->free[t->n_free++] = &t->conns[i];
    }
    return thread_tls(t);
}

static void thread_cleanup(lthread *t)
{
    for (unsigned i = 0; t->conns && i < t->n_conns; i++) hsb_load_conn_end(t, &t->conns[i]);
    if (t->tls) hsb_net_tls_free(t->tls);
    if (t->loop) hsb_net_loop_free(t->loop);
    free(t->conns);
    free(t->free);
}

static void *thread_main(void *arg)
{
    lthread *t = arg;
    lrun *r = t->run;
    hsb_rc rc = hsb_pin_self(&r->cfg->pl, t->index);
    if (rc == HSB_OK) rc = thread_setup(t);
    if (rc != HSB_OK)
        snprintf(t->err, sizeof t->err, "load thread %u: %s", t->index, hsb_last_error());
    t->rc = rc;
    __atomic_store_n(&t->ready, 1, __ATOMIC_RELEASE);
    /* The main thread sets start_ns (or abort) once every thread is ready. */
    while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE)) nap_ms(1);
    if (rc == HSB_OK && !r->abort) {
        uint64_t c0 = thread_cpu_ns();
        loop(t);
        t->cpu_ns = thread_cpu_ns() - c0;
    }
    t->cpu_seen = sched_getcpu();
    thread_cleanup(t);
    __atomic_store_n(&t->finished, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* ---------------------------------------------------------------- a run */

static hsb_rc resolve(lrun *r, char *err, size_t len)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    int e = getaddrinfo(r->cfg->host, r->cfg->port, &hints, &ai);
    if (e || !ai) {
        snprintf(err, len, "cannot resolve %s:%s: %s", r->cfg->host, r->cfg->port,
                 e ? gai_strerror(e) : "no address");
        return HSB_E_IO;
    }
    memcpy(&r->addr, ai->ai_addr, ai->ai_addrlen);
    r->addrlen = ai->ai_addrlen;
    r->family = ai->ai_family;
    freeaddrinfo(ai);
    return HSB_OK;
}

static int all_finished(lrun *r)
{
    for (unsigned i = 0; i < r->cfg->pl.threads; i++)
        if (!__atomic_load_n(&r->t[i].finished, __ATOMIC_ACQUIRE)) return 0;
    return 1;
}

/* The progress line each second (stderr), until every thread finished. */
static void watch(lrun *r)
{
    unsigned n = r->cfg->pl.threads;
    uint64_t last_ok = 0, t_last = r->start_ns;
    for (;;) {
        for (int k = 0; k < 20; k++) {
            nap_ms(50);
            if (all_finished(r)) return;
        }
        uint64_t ok = 0, failed = 0, open = 0, now = hsb_load_now_ns();
        for (unsigned i = 0; i < n; i++) {
            ok += __atomic_load_n(&r->t[i].pub_ok, __ATOMIC_RELAXED);
            failed += __atomic_load_n(&r->t[i].pub_failed, __ATOMIC_RELAXED);
            open += __atomic_load_n(&r->t[i].pub_open, __ATOMIC_RELAXED);
        }
        if (r->cfg->progress)
            hsb_load_progress_line(r, ok - last_ok, (double)(now - t_last) * 1e-9, open, failed,
                                   now);
        last_ok = ok;
        t_last = now;
    }
}

/* Sum the threads' results into res. */
static void gather(lrun *r, hsb_load_result *res)
{
    uint64_t last = r->start_ns;
    for (unsigned i = 0; i < r->cfg->pl.threads; i++) {
        lthread *t = &r->t[i];
        res->ok += t->res.ok;
        res->failed += t->res.failed;
        res->unstarted += t->unstarted;
        res->bytes += t->res.bytes;
        for (unsigned k = 0; k < HSB_LOAD_ERR_KINDS; k++) res->errors[k] += t->res.errors[k];
        hsb_lat_hist_merge(&res->hs, &t->res.hs);
        hsb_lat_hist_merge(&res->conn, &t->res.conn);
        res->cpu_s += (double)t->cpu_ns * 1e-9;
        res->cpus_seen[i] = t->cpu_seen;
        if (t->last_end_ns > last) last = t->last_end_ns;
        if (!res->first_error[0] && t->res.first_error[0])
            snprintf(res->first_error, sizeof res->first_error, "%s", t->res.first_error);
    }
    res->wall_s = (double)(last - r->start_ns) * 1e-9;
}

/* Start the threads, wait for their set-up, run, and join them. */
static hsb_rc run_threads(lrun *r, hsb_load_result *res, char *err, size_t len)
{
    unsigned n = r->cfg->pl.threads, made = 0;
    hsb_rc rc = HSB_OK;
    for (; made < n; made++) {
        r->t[made].run = r;
        r->t[made].index = made;
        if (pthread_create(&r->t[made].th, NULL, thread_main, &r->t[made])) break;
    }
    if (made < n) {
        rc = HSB_E_NOMEM;
        snprintf(err, len, "cannot create load thread %u", made);
    }
    for (unsigned i = 0; i < made; i++) {
        while (!__atomic_load_n(&r->t[i].ready, __ATOMIC_ACQUIRE)) nap_ms(1);
        if (rc == HSB_OK && r->t[i].rc != HSB_OK) {
            rc = r->t[i].rc;
            snprintf(err, len, "%s", r->t[i].err);
        }
    }
    if (r->cfg->before_start) {
        hsb_rc go = r->cfg->before_start(r->cfg->hook_arg, rc);
        if (rc == HSB_OK && go != HSB_OK) {
            rc = go;
            snprintf(err, len, "the start was called off");
        }
    }
    r->abort = rc != HSB_OK;
    r->start_ns = hsb_load_now_ns();
    r->end_ns = r->start_ns + (uint64_t)(r->cfg->duration_s * 1e9);
    __atomic_store_n(&r->go, 1, __ATOMIC_RELEASE);
    if (rc == HSB_OK) watch(r);
    for (unsigned i = 0; i < made; i++) pthread_join(r->t[i].th, NULL);
    if (rc == HSB_OK) gather(r, res);
    return rc;
}

hsb_rc hsb_load_run(const hsb_load_cfg *cfg, hsb_load_result *res, char *err, size_t len)
{
    memset(res, 0, sizeof *res);
    hsb_lat_hist_init(&res->hs);
    hsb_lat_hist_init(&res->conn);
    if (!cfg->pl.threads || cfg->pl.threads > HSB_MAX_THREADS ||
        cfg->connections < cfg->pl.threads) {
        snprintf(err, len, "need 1..%d threads and at least one connection per thread",
                 HSB_MAX_THREADS);
        return HSB_E_USAGE;
    }
    lrun *r = calloc(1, sizeof *r + cfg->pl.threads * sizeof(lthread));
    if (!r) {
        snprintf(err, len, "out of memory");
        return HSB_E_NOMEM;
    }
    r->cfg = cfg;
    hsb_rc rc = resolve(r, err, len);
    if (rc == HSB_OK) hsb_load_make_pattern(r);
    if (rc == HSB_OK) rc = run_threads(r, res, err, len);
    free(r);
    return rc;
}
