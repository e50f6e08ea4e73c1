/* The worker pool of one figure: barrier start, padded counters, stop flag. */
#include "hsb_runner.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hsb_breakdown.h"
#include "hsb_provider.h"
#include "hsb_tsc.h"

struct hsb_pool {
    const hsb_placement *pl;
    const hsb_work *w;
    unsigned n;
    pthread_barrier_t ready, start, done;
    atomic_int stop;
    atomic_int quit;
    hsb_tstats *st; /* one per worker */
    struct worker_arg *args;
    pthread_t *tids;
    int running; /* threads started and barriers live */
};
typedef struct hsb_pool pool;

typedef struct worker_arg {
    pool *p;
    unsigned tid;
} worker_arg;

void hsb_tstats_fail(hsb_tstats *st, hsb_rc rc, const char *fmt, ...)
{
    if (st->rc != HSB_OK) return;
    st->rc = rc == HSB_OK ? HSB_E_INTERNAL : rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, sizeof st->err, fmt, ap);
    va_end(ap);
}

static void reset_counters(hsb_tstats *st)
{
    hsb_hist *lat = st->lat;
    hsb_rc rc = st->rc;
    char err[sizeof st->err];
    memcpy(err, st->err, sizeof err);
    memset(st, 0, sizeof *st); /* soft_err too: each repetition names its own */
    st->lat = lat;
    st->rc = rc;
    memcpy(st->err, err, sizeof err);
    if (lat) hsb_hist_reset(lat);
}

void hsb_tstats_pause(hsb_tstats *st)
{
    if (!st) return;
    st->pause_at_tsc = hsb_tsc_read();
    st->pause_at_ns = hsb_now_ns();
    st->pause_at_cpu_ns = hsb_thread_cpu_ns();
}

void hsb_tstats_resume(hsb_tstats *st)
{
    if (!st) return;
    st->paused_cpu_ns += hsb_thread_cpu_ns() - st->pause_at_cpu_ns;
    st->paused_ns += hsb_now_ns() - st->pause_at_ns;
    st->paused_tsc += hsb_tsc_read() - st->pause_at_tsc;
}

/* The timed loops: until the stop flag rises, each timing its operations
 * into st->lat (latency runs) or not. do-while: every worker completes at
 * least one operation, so no repetition divides by zero. */
static hsb_rc loop_latency(pool *p, hsb_tstats *st, void *state, uint64_t *iters, uint64_t *op_tsc)
{
    hsb_rc rc;
    do {
        uint64_t paused = st->paused_tsc;
        uint64_t a0 = hsb_tsc_read();
        rc = p->w->op(state, st);
        uint64_t a1 = hsb_tsc_read() - (st->paused_tsc - paused);
        if (rc != HSB_OK) break;
        hsb_hist_add(st->lat, a1 - a0);
        *op_tsc += a1 - a0;
        (*iters)++;
    } while (!atomic_load_explicit(&p->stop, memory_order_relaxed));
    return rc;
}

static hsb_rc loop_plain(pool *p, hsb_tstats *st, void *state, uint64_t *iters)
{
    hsb_rc rc;
    do {
        rc = p->w->op(state, st);
        if (rc != HSB_OK) break;
        (*iters)++;
    } while (!atomic_load_explicit(&p->stop, memory_order_relaxed));
    return rc;
}

/* One phase of one worker: the loop, its clocks and counters. */
static void run_phase(pool *p, unsigned tid, hsb_tstats *st, void *state)
{
    const hsb_work *w = p->w;
    if (w->breakdown) hsb_bd_bind(st->bd);
    uint64_t iters = 0, op_tsc = 0;
    int64_t cpu0 = hsb_thread_cpu_ns();
    st->start_ns = hsb_now_ns();
    uint64_t t0 = hsb_tsc_read();
    hsb_rc rc =
        w->latency ? loop_latency(p, st, state, &iters, &op_tsc) : loop_plain(p, st, state, &iters);
    uint64_t t1 = hsb_tsc_read();
    st->end_ns = hsb_now_ns();
    st->cpu_ns = hsb_thread_cpu_ns() - cpu0;
    if (w->breakdown) hsb_bd_bind(NULL);
    st->iters = iters + st->extra;
    st->cpu_ns -= st->paused_cpu_ns;
    st->tsc = t1 - t0 - st->paused_tsc;
    st->op_tsc = op_tsc;
    if (rc != HSB_OK)
        hsb_tstats_fail(st, rc, "worker %u: operation failed: %s", tid, hsb_last_error());
}

static void *worker(void *argp)
{
    worker_arg *a = argp;
    pool *p = a->p;
    hsb_tstats *st = &p->st[a->tid];
    const hsb_work *w = p->w;
    void *state = NULL;

    hsb_rc rc = hsb_pin_self(p->pl, a->tid);
    if (rc != HSB_OK)
        hsb_tstats_fail(st, rc, "worker %u: could not bind to PU %d", a->tid, p->pl->pu[a->tid]);
    else if ((rc = w->thread_init(w->arg, a->tid, &state)) != HSB_OK)
        hsb_tstats_fail(st, rc, "worker %u: set-up failed: %s", a->tid, hsb_last_error());
    pthread_barrier_wait(&p->ready);

    for (;;) {
        pthread_barrier_wait(&p->start);
        if (atomic_load(&p->quit)) break;
        reset_counters(st);
        if (st->rc == HSB_OK) run_phase(p, a->tid, st, state);
        st->cpu_seen = sched_getcpu();
        pthread_barrier_wait(&p->done);
    }
    if (state) w->thread_free(w->arg, state);
    return NULL;
}

static void sleep_s(double s)
{
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0) {
    }
}

double hsb_rep_rate(const hsb_rep *r)
{
    return r->wall_s > 0 ? (double)r->iters / r->wall_s : 0;
}

void hsb_rep_free(hsb_rep *r)
{
    free(r->lat);
    r->lat = NULL;
}

static void pool_free(pool *p)
{
    if (!p) return;
    for (unsigned i = 0; p->st && i < p->n; i++) free(p->st[i].lat);
    hsb_ctx_free(p->st, sizeof(hsb_tstats) * p->n);
    free(p->args);
    free(p->tids);
    free(p);
}

/* The first worker failure, if any, into err. */
static hsb_rc worker_failure(const pool *p, char *err, size_t err_len)
{
    for (unsigned i = 0; i < p->n; i++)
        if (p->st[i].rc != HSB_OK) {
            snprintf(err, err_len, "%s", p->st[i].err);
            return p->st[i].rc;
        }
    return HSB_OK;
}

hsb_rc hsb_pool_start(const hsb_placement *pl, const hsb_work *w, hsb_pool **out, char *err,
                      size_t err_len)
{
    HSB_ENSURE(pl && w && out && pl->threads > 0, HSB_E_USAGE);
    *out = NULL;
    unsigned n = pl->threads;
    pool *p = calloc(1, sizeof *p);
    if (!p) goto nomem;
    p->pl = pl;
    p->w = w;
    p->n = n;
    p->st = hsb_ctx_alloc(sizeof(hsb_tstats) * n); /* zeroed, cache-line aligned */
    p->args = calloc(n, sizeof *p->args);
    p->tids = calloc(n, sizeof *p->tids);
    if (!p->st || !p->args || !p->tids) goto nomem;
    for (unsigned i = 0; i < n && w->latency; i++) {
        if (!(p->st[i].lat = malloc(sizeof(hsb_hist)))) goto nomem;
        hsb_hist_reset(p->st[i].lat);
    }
    pthread_barrier_init(&p->ready, NULL, n + 1);
    pthread_barrier_init(&p->start, NULL, n + 1);
    pthread_barrier_init(&p->done, NULL, n + 1);
    for (unsigned i = 0; i < n; i++) {
        p->args[i].p = p;
        p->args[i].tid = i;
        if (pthread_create(&p->tids[i], NULL, worker, &p->args[i]) != 0) {
            /* Workers already started wait on `ready` for n + 1 parties and
             * cannot be released: fatal. */
            fprintf(stderr, "hsbench: could not start worker %u of %u\n", i, n);
            abort();
        }
    }
    p->running = 1;
    pthread_barrier_wait(&p->ready);
    *out = p;
    hsb_rc rc = worker_failure(p, err, err_len);
    if (rc != HSB_OK) {
        hsb_pool_stop(p);
        *out = NULL;
    }
    return rc;
nomem:
    pool_free(p);
    snprintf(err, err_len, "out of memory");
    HSB_BAIL(HSB_E_NOMEM);
}

hsb_rc hsb_pool_phase(hsb_pool *p, double seconds, hsb_rep *rep, int *cpus_seen, char *err,
                      size_t err_len)
{
    HSB_ENSURE(p && p->running, HSB_E_USAGE);
    unsigned n = p->n;
    if (rep) {
        hsb_hist *lat = rep->lat;
        memset(rep, 0, sizeof *rep);
        if (p->w->latency && !lat && !(lat = malloc(sizeof(hsb_hist)))) {
            snprintf(err, err_len, "out of memory");
            HSB_BAIL(HSB_E_NOMEM);
        }
        rep->lat = lat;
        if (lat) hsb_hist_reset(lat);
    }
    atomic_store(&p->stop, 0);
    pthread_barrier_wait(&p->start);
    sleep_s(seconds);
    atomic_store(&p->stop, 1);
    pthread_barrier_wait(&p->done);
    HSB_GUARD(worker_failure(p, err, err_len));
    if (!rep) return HSB_OK;
    int64_t t0 = p->st[0].start_ns, t1 = p->st[0].end_ns, paused = 0;
    for (unsigned i = 0; i < n; i++) {
        const hsb_tstats *s = &p->st[i];
        paused += s->paused_ns;
        if (s->start_ns < t0) t0 = s->start_ns;
        if (s->end_ns > t1) t1 = s->end_ns;
        rep->cpu_s += (double)s->cpu_ns * 1e-9;
        rep->tsc += (double)s->tsc;
        rep->op_tsc += (double)s->op_tsc;
        rep->iters += s->iters;
        rep->errors += s->errors;
        rep->client_cpu_s += (double)s->client_cpu_ns * 1e-9;
        rep->server_cpu_s += (double)s->server_cpu_ns * 1e-9;
        rep->batch_jobs += s->batch_jobs;
        rep->batch_flushes += s->batch_flushes;
        for (unsigned k = 0; k < HSB_BD_COUNT; k++) rep->bd[k] += s->bd[k];
        if (rep->lat) hsb_hist_merge(rep->lat, s->lat);
        if (!rep->first_error[0] && s->soft_err[0])
            snprintf(rep->first_error, sizeof rep->first_error, "%s", s->soft_err);
        if (cpus_seen) cpus_seen[i] = s->cpu_seen;
    }
    /* Paused time (hsb_tstats_pause) is not the work's: the workers' mean
     * pause comes off the wall time. */
    rep->wall_s = (double)(t1 - t0 - paused / (int64_t)n) * 1e-9;
    return HSB_OK;
}

void hsb_pool_stop(hsb_pool *p)
{
    if (!p) return;
    if (p->running) {
        atomic_store(&p->quit, 1);
        pthread_barrier_wait(&p->start);
        for (unsigned i = 0; i < p->n; i++) pthread_join(p->tids[i], NULL);
        pthread_barrier_destroy(&p->ready);
        pthread_barrier_destroy(&p->start);
        pthread_barrier_destroy(&p->done);
    }
    pool_free(p);
}

hsb_rc hsb_run(const hsb_run_cfg *cfg, const hsb_work *w, hsb_rep *reps, int *cpus_seen, char *err,
               size_t err_len)
{
    HSB_ENSURE(cfg && w && reps && cfg->pl && cfg->repetitions > 0, HSB_E_USAGE);
    for (unsigned r = 0; r < cfg->repetitions; r++) memset(&reps[r], 0, sizeof reps[r]);
    hsb_pool *p;
    hsb_rc rc = hsb_pool_start(cfg->pl, w, &p, err, err_len);
    if (rc == HSB_OK && cfg->warmup_s > 0)
        rc = hsb_pool_phase(p, cfg->warmup_s, NULL, NULL, err, err_len);
    for (unsigned r = 0; r < cfg->repetitions && rc == HSB_OK; r++)
        rc = hsb_pool_phase(p, cfg->duration_s, &reps[r], cpus_seen, err, err_len);
    hsb_pool_stop(p);
    if (rc != HSB_OK)
        for (unsigned r = 0; r < cfg->repetitions; r++) hsb_rep_free(&reps[r]);
    return rc;
}
