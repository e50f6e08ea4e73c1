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
#include "hsb_tsc.h"

typedef struct pool {
    const hsb_run_cfg *cfg;
    const hsb_work *w;
    pthread_barrier_t ready, start, done;
    atomic_int stop;
    atomic_int quit;
    hsb_tstats *st; /* one per worker */
} pool;

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

static void *worker(void *argp)
{
    worker_arg *a = argp;
    pool *p = a->p;
    hsb_tstats *st = &p->st[a->tid];
    const hsb_work *w = p->w;
    void *state = NULL;

    hsb_rc rc = hsb_pin_self(p->cfg->pl, a->tid);
    if (rc != HSB_OK)
        hsb_tstats_fail(st, rc, "worker %u: could not bind to PU %d", a->tid,
                        p->cfg->pl->pu[a->tid]);
    else if ((rc = w->thread_init(w->arg, a->tid, &state)) != HSB_OK)
        hsb_tstats_fail(st, rc, "worker %u: set-up failed: %s", a->tid, hsb_last_error());
    pthread_barrier_wait(&p->ready);

    for (;;) {
        pthread_barrier_wait(&p->start);
        if (atomic_load(&p->quit)) break;
        reset_counters(st);
        if (st->rc == HSB_OK) {
            if (w->breakdown) hsb_bd_bind(st->bd);
            uint64_t iters = 0, op_tsc = 0;
            int64_t cpu0 = hsb_thread_cpu_ns();
            st->start_ns = hsb_now_ns();
            uint64_t t0 = hsb_tsc_read();
            if (w->latency) {
                /* do-while: every worker completes at least one operation,
                 * so no repetition divides by zero. */
                do {
                    uint64_t a0 = hsb_tsc_read();
                    rc = w->op(state, st);
                    uint64_t a1 = hsb_tsc_read();
                    if (rc != HSB_OK) break;
                    hsb_hist_add(st->lat, a1 - a0);
                    op_tsc += a1 - a0;
                    iters++;
                } while (!atomic_load_explicit(&p->stop, memory_order_relaxed));
            } else {
                do {
                    rc = w->op(state, st);
                    if (rc != HSB_OK) break;
                    iters++;
                } while (!atomic_load_explicit(&p->stop, memory_order_relaxed));
            }
            uint64_t t1 = hsb_tsc_read();
            st->end_ns = hsb_now_ns();
            st->cpu_ns = hsb_thread_cpu_ns() - cpu0;
            if (w->breakdown) hsb_bd_bind(NULL);
            st->iters = iters;
            st->tsc = t1 - t0;
            st->op_tsc = op_tsc;
            if (rc != HSB_OK)
                hsb_tstats_fail(st, rc, "worker %u: operation failed: %s", a->tid,
                                hsb_last_error());
        }
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

void hsb_rep_free(hsb_rep *r)
{
    free(r->lat);
    r->lat = NULL;
}

hsb_rc hsb_run(const hsb_run_cfg *cfg, const hsb_work *w, hsb_rep *reps, int *cpus_seen, char *err,
               size_t err_len)
{
    HSB_ENSURE(cfg && w && reps && cfg->pl && cfg->repetitions > 0, HSB_E_USAGE);
    unsigned n = cfg->pl->threads;
    pool p;
    memset(&p, 0, sizeof p);
    p.cfg = cfg;
    p.w = w;
    p.st = aligned_alloc(64, sizeof(hsb_tstats) * n);
    worker_arg *args = calloc(n, sizeof *args);
    pthread_t *tids = calloc(n, sizeof *tids);
    hsb_rc rc = HSB_OK;
    unsigned started = 0;
    if (!p.st || !args || !tids) {
        rc = HSB_E_NOMEM;
        snprintf(err, err_len, "out of memory");
        goto out_free;
    }
    memset(p.st, 0, sizeof(hsb_tstats) * n);
    for (unsigned i = 0; i < n && w->latency; i++) {
        p.st[i].lat = malloc(sizeof(hsb_hist));
        if (!p.st[i].lat) {
            rc = HSB_E_NOMEM;
            snprintf(err, err_len, "out of memory");
            goto out_free;
        }
        hsb_hist_reset(p.st[i].lat);
    }
    for (unsigned r = 0; r < cfg->repetitions; r++) {
        memset(&reps[r], 0, sizeof reps[r]);
        if (w->latency && !(reps[r].lat = malloc(sizeof(hsb_hist)))) {
            rc = HSB_E_NOMEM;
            snprintf(err, err_len, "out of memory");
            goto out_free;
        }
        if (reps[r].lat) hsb_hist_reset(reps[r].lat);
    }
    pthread_barrier_init(&p.ready, NULL, n + 1);
    pthread_barrier_init(&p.start, NULL, n + 1);
    pthread_barrier_init(&p.done, NULL, n + 1);

    for (; started < n; started++) {
        args[started].p = &p;
        args[started].tid = started;
        if (pthread_create(&tids[started], NULL, worker, &args[started]) != 0) break;
    }
    if (started < n) {
        /* Workers already started wait on `ready` for n + 1 parties: they
         * cannot be released, so this is fatal. */
        fprintf(stderr, "hsbench: could not start worker %u of %u\n", started, n);
        abort();
    }
    pthread_barrier_wait(&p.ready);
    for (unsigned i = 0; i < n; i++)
        if (p.st[i].rc != HSB_OK) {
            rc = p.st[i].rc;
            snprintf(err, err_len, "%s", p.st[i].err);
            break;
        }

    unsigned phases = cfg->repetitions + (cfg->warmup_s > 0);
    for (unsigned ph = 0; ph < phases && rc == HSB_OK; ph++) {
        int warm = cfg->warmup_s > 0 && ph == 0;
        atomic_store(&p.stop, 0);
        pthread_barrier_wait(&p.start);
        sleep_s(warm ? cfg->warmup_s : cfg->duration_s);
        atomic_store(&p.stop, 1);
        pthread_barrier_wait(&p.done);

        for (unsigned i = 0; i < n; i++)
            if (p.st[i].rc != HSB_OK) {
                rc = p.st[i].rc;
                snprintf(err, err_len, "%s", p.st[i].err);
                break;
            }
        if (warm || rc != HSB_OK) continue;
        hsb_rep *rep = &reps[ph - (cfg->warmup_s > 0)];
        int64_t t0 = p.st[0].start_ns, t1 = p.st[0].end_ns;
        for (unsigned i = 0; i < n; i++) {
            const hsb_tstats *s = &p.st[i];
            if (s->start_ns < t0) t0 = s->start_ns;
            if (s->end_ns > t1) t1 = s->end_ns;
            rep->cpu_s += (double)s->cpu_ns * 1e-9;
            rep->tsc += (double)s->tsc;
            rep->op_tsc += (double)s->op_tsc;
            rep->iters += s->iters;
            rep->errors += s->errors;
            rep->client_cpu_s += (double)s->client_cpu_ns * 1e-9;
            rep->server_cpu_s += (double)s->server_cpu_ns * 1e-9;
            for (unsigned k = 0; k < HSB_BD_COUNT; k++) rep->bd[k] += s->bd[k];
            if (rep->lat) hsb_hist_merge(rep->lat, s->lat);
            if (!rep->first_error[0] && s->soft_err[0])
                snprintf(rep->first_error, sizeof rep->first_error, "%s", s->soft_err);
            if (cpus_seen) cpus_seen[i] = s->cpu_seen;
        }
        rep->wall_s = (double)(t1 - t0) * 1e-9;
    }

    atomic_store(&p.quit, 1);
    pthread_barrier_wait(&p.start);
    for (unsigned i = 0; i < n; i++) pthread_join(tids[i], NULL);
    pthread_barrier_destroy(&p.ready);
    pthread_barrier_destroy(&p.start);
    pthread_barrier_destroy(&p.done);

out_free:
    if (rc != HSB_OK)
        for (unsigned r = 0; r < cfg->repetitions; r++) hsb_rep_free(&reps[r]);
    for (unsigned i = 0; p.st && i < n; i++) free(p.st[i].lat);
    free(p.st);
    free(args);
    free(tids);
    return rc;
}
