/* The results model: figures, measuring them, statistics and ratios. */
#include "hsb_report.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsb_tsc.h"

void hsb_report_init(hsb_report *r, const hsb_opts *o)
{
    memset(r, 0, sizeof *r);
    r->opts = o;
    r->duration_s = o->duration_s;
    r->warmup_s = o->warmup_s;
    r->repetitions = o->repetitions;
    r->pin = o->pin;
    r->quiet = o->quiet;
    r->tty = isatty(2);
    /* The machine's state now, before our own load: governor, load average. */
    hsb_context_warnings(r);
}

void hsb_report_free(hsb_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        hsb_figure *f = &r->fig[i];
        for (unsigned k = 0; k < f->n_reps; k++) hsb_rep_free(&f->reps[k]);
        free(f->reps);
        free(f->lat_all);
        json_decref(f->server);
    }
    free(r->fig);
    for (size_t i = 0; i < r->n_warnings; i++) free(r->warnings[i]);
    free(r->warnings);
    for (size_t i = 0; i < r->n_notes; i++) free(r->notes[i]);
    free(r->notes);
    memset(r, 0, sizeof *r);
}

hsb_figure *hsb_report_add(hsb_report *r, size_t *idx)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        hsb_figure *nf = realloc(r->fig, cap * sizeof *nf);
        if (!nf) return NULL;
        r->fig = nf;
        r->cap = cap;
    }
    hsb_figure *f = &r->fig[r->n];
    memset(f, 0, sizeof *f);
    f->ref = -1;
    f->dh_check = -1;
    f->threads = 1;
    if (idx) *idx = r->n;
    r->n++;
    return f;
}

hsb_figure *hsb_report_add_row(hsb_report *r, size_t *idx, const char *suite, const char *variant,
                               const char *backend, unsigned threads)
{
    hsb_figure *f = hsb_report_add(r, idx);
    if (!f) return NULL;
    snprintf(f->suite, sizeof f->suite, "%s", suite);
    snprintf(f->variant, sizeof f->variant, "%s", variant);
    snprintf(f->backend, sizeof f->backend, "%s", backend);
    f->threads = threads;
    return f;
}

void hsb_figure_impl(hsb_figure *f, const char *key, const char *val)
{
    if (f->n_impl == HSB_MAX_IMPL || !key || !val) return;
    snprintf(f->impl[f->n_impl].key, sizeof f->impl[0].key, "%s", key);
    snprintf(f->impl[f->n_impl].val, sizeof f->impl[0].val, "%s", val);
    f->n_impl++;
}

static void push(char ***list, size_t *n, const char *fmt, va_list ap)
{
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*list)[i], buf)) return; /* once is enough */
    char **nl = realloc(*list, (*n + 1) * sizeof *nl);
    if (!nl) return;
    *list = nl;
    if (((*list)[*n] = strdup(buf))) (*n)++;
}

void hsb_report_warn(hsb_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    push(&r->warnings, &r->n_warnings, fmt, ap);
    va_end(ap);
}

void hsb_report_note(hsb_report *r, const char *fmt, ...)
{
    if (r->planning) return; /* said when the run adds the row */
    va_list ap;
    va_start(ap, fmt);
    size_t before = r->n_notes;
    push(&r->notes, &r->n_notes, fmt, ap);
    va_end(ap);
    if (r->n_notes > before && !r->quiet) {
        if (r->tty) fputs("\r\033[K", stderr);
        fprintf(stderr, "note: %s\n", r->notes[r->n_notes - 1]);
    }
}

hsb_rc hsb_report_placement(hsb_report *r, unsigned threads, const hsb_placement **out)
{
    for (size_t i = 0; i < r->n_maps; i++)
        if (r->maps[i].threads == threads) {
            *out = &r->maps[i];
            return HSB_OK;
        }
    HSB_ENSURE(r->n_maps < sizeof r->maps / sizeof r->maps[0], HSB_E_USAGE);
    hsb_placement *pl = &r->maps[r->n_maps];
    HSB_GUARD(hsb_place(threads, r->pin, pl));
    r->n_maps++;
    if (pl->oversubscribed)
        hsb_report_warn(r,
                        "%u workers on %u PUs: oversubscribed, figures at that count "
                        "measure time-sharing",
                        threads, hsb_topo_summarize().pus);
    *out = pl;
    return HSB_OK;
}

void hsb_report_queue(hsb_report *r, size_t idx, const hsb_work *w)
{
    if (r->n_pending == sizeof r->pending / sizeof r->pending[0]) hsb_report_flush(r);
    r->pending[r->n_pending].idx = idx;
    r->pending[r->n_pending].w = *w;
    r->n_pending++;
}

void hsb_report_fail(hsb_report *r, hsb_figure *f, const char *why)
{
    snprintf(f->error, sizeof f->error, "%s", why);
    hsb_report_note(r, "%s: FAILED: %s", f->name, f->error);
    hsb_report_finished(r, 1);
}

int hsb_report_queue_checked(hsb_report *r, size_t idx, const hsb_work *w,
                             int (*check)(void *arg, char *err, size_t len))
{
    char err[200];
    if (!check(w->arg, err, sizeof err)) {
        hsb_report_fail(r, &r->fig[idx], err);
        return 0;
    }
    hsb_report_queue(r, idx, w);
    return 1;
}

static void fig_failed(hsb_report *r, hsb_figure *f, hsb_rc rc, const char *err)
{
    for (unsigned k = 0; f->reps && k < r->repetitions; k++) hsb_rep_free(&f->reps[k]);
    free(f->reps);
    f->reps = NULL;
    f->measured = 0;
    snprintf(f->error, sizeof f->error, "%.200s (%s)", err[0] ? err : "failed", hsb_rc_name(rc));
    hsb_report_note(r, "%s: FAILED: %s", f->name, f->error);
}

size_t hsb_report_flush(hsb_report *r)
{
    size_t n = r->n_pending;
    r->n_pending = 0;
    hsb_pool *pools[sizeof r->pending / sizeof r->pending[0]] = {0};
    char err[256];
    for (size_t k = 0; k < n; k++) {
        hsb_figure *f = &r->fig[r->pending[k].idx];
        const hsb_work *w = &r->pending[k].w;
        const hsb_placement *pl;
        err[0] = '\0';
        hsb_rc rc = hsb_report_placement(r, f->threads, &pl);
        if (rc != HSB_OK) {
            fig_failed(r, f, rc, "no placement for that many threads");
            continue;
        }
        f->pl = *pl;
        f->duration_s = r->duration_s;
        f->warmup_s = r->warmup_s;
        f->latency = w->latency;
        f->breakdown = w->breakdown;
        if (!(f->reps = calloc(r->repetitions, sizeof *f->reps))) {
            fig_failed(r, f, HSB_E_NOMEM, "out of memory");
            continue;
        }
        /* f->pl, not pl: the workers keep a pointer to it. */
        if ((rc = hsb_pool_start(&f->pl, w, &pools[k], err, sizeof err)) != HSB_OK)
            fig_failed(r, f, rc, err);
    }
    if (n) hsb_report_progress(r, n, r->fig[r->pending[0].idx].name);
    for (size_t k = 0; k < n && r->warmup_s > 0; k++) {
        if (!pools[k]) continue;
        hsb_figure *f = &r->fig[r->pending[k].idx];
        err[0] = '\0';
        hsb_rc rc = hsb_pool_phase(pools[k], r->warmup_s, NULL, NULL, err, sizeof err);
        if (rc != HSB_OK) {
            hsb_pool_stop(pools[k]);
            pools[k] = NULL;
            fig_failed(r, f, rc, err);
        }
    }
    for (unsigned rep = 0; rep < r->repetitions; rep++)
        for (size_t j = 0; j < n; j++) {
            size_t k = (j + rep) % n;
            if (!pools[k]) continue;
            hsb_figure *f = &r->fig[r->pending[k].idx];
            err[0] = '\0';
            hsb_rc rc = hsb_pool_phase(pools[k], r->duration_s, &f->reps[rep], f->cpus_seen, err,
                                       sizeof err);
            if (rc != HSB_OK) {
                hsb_pool_stop(pools[k]);
                pools[k] = NULL;
                fig_failed(r, f, rc, err);
            }
        }
    size_t measured = 0;
    for (size_t k = 0; k < n; k++) {
        if (!pools[k]) continue;
        hsb_pool_stop(pools[k]);
        hsb_figure *f = &r->fig[r->pending[k].idx];
        f->n_reps = r->repetitions;
        f->measured = 1;
        measured++;
    }
    hsb_report_finished(r, n);
    return measured;
}

int hsb_report_measure(hsb_report *r, size_t idx, const hsb_work *w)
{
    hsb_report_flush(r);
    hsb_report_queue(r, idx, w);
    return hsb_report_flush(r) == 1;
}

const char *hsb_figure_unit(const hsb_figure *f)
{
    if (!strcmp(f->suite, "handshake") || !strcmp(f->suite, "server") || !strcmp(f->suite, "tcp"))
        return "hs/s";
    if (!strcmp(f->suite, "bulk")) return "B/s";
    return "op/s";
}

void hsb_report_finish(hsb_report *r)
{
    if (r->tty && !r->quiet && r->progress) fputs("\r\033[K", stderr);
    for (size_t i = 0; i < r->n; i++) {
        hsb_figure *f = &r->fig[i];
        if (!f->measured) continue;
        double rate[1024], real[1024], cpu[1024], cyc[1024], rb[1024];
        unsigned n = f->n_reps < 1024 ? f->n_reps : 1024;
        double ccpu = 0, scpu = 0;
        uint64_t jobs = 0, flushes = 0;
        for (unsigned k = 0; k < n; k++) {
            const hsb_rep *p = &f->reps[k];
            double it = p->iters ? (double)p->iters : 1;
            rate[k] = hsb_rep_rate(p);
            real[k] = p->wall_s * 1e9 / it;
            cpu[k] = p->cpu_s * 1e9 / it;
            cyc[k] = p->tsc / it;
            rb[k] = rate[k] * (double)f->bytes;
            f->errors += p->errors;
            f->iters += p->iters;
            ccpu += p->client_cpu_s;
            jobs += p->batch_jobs;
            flushes += p->batch_flushes;
            scpu += p->server_cpu_s;
            if (p->lat) {
                if (!f->lat_all && (f->lat_all = malloc(sizeof *f->lat_all)))
                    hsb_hist_reset(f->lat_all);
                if (f->lat_all) hsb_hist_merge(f->lat_all, p->lat);
            }
        }
        f->rate = hsb_summarize(rate, n);
        f->real_ns = hsb_summarize(real, n);
        f->cpu_ns = hsb_summarize(cpu, n);
        f->cycles = hsb_summarize(cyc, n);
        f->rate_bytes = hsb_summarize(rb, n);
        f->client_cpu_share = ccpu + scpu > 0 ? ccpu / (ccpu + scpu) : 0;
        f->batch_fill = flushes ? (double)jobs / (double)flushes : 0;
        if (f->errors) {
            const char *first = "";
            for (unsigned k = 0; k < n && !first[0]; k++) first = f->reps[k].first_error;
            hsb_report_warn(r, "%s: %llu of %llu operations failed (first: %s)", f->name,
                            (unsigned long long)f->errors, (unsigned long long)f->iters,
                            first[0] ? first : "no reason given");
        }
        if (n > 1 && f->rate.cv > HSB_CV_WARN) {
            f->noisy = 1;
            hsb_report_warn(r, "%s: CV %.1f %% > %.0f %% (noisy)", f->name, f->rate.cv * 100,
                            HSB_CV_WARN * 100);
        }
    }
    for (size_t i = 0; i < r->n; i++) {
        hsb_figure *f = &r->fig[i];
        if (!f->measured) continue;
        if (f->ref >= 0 && (size_t)f->ref < r->n && r->fig[f->ref].measured &&
            r->fig[f->ref].rate.median > 0) {
            f->ratio = f->rate.median / r->fig[f->ref].rate.median;
            f->has_ratio = 1;
        }
        if (f->threads > 1)
            for (size_t j = 0; j < r->n; j++) {
                const hsb_figure *g = &r->fig[j];
                if (g->measured && g->threads == 1 && g->bytes == f->bytes &&
                    g->ranks == f->ranks && g->rank == f->rank && !strcmp(g->suite, f->suite) &&
                    !strcmp(g->variant, f->variant) && !strcmp(g->backend, f->backend) &&
                    g->rate.median > 0) {
                    f->scaling = f->rate.median / (f->threads * g->rate.median);
                    f->has_scaling = 1;
                    break;
                }
            }
    }
}

hsb_rc hsb_report_output(hsb_report *r)
{
    hsb_report_finish(r);
    hsb_report_table(r, stdout);
    fflush(stdout);
    hsb_rc status = HSB_OK;
    if (r->opts->json_path && hsb_report_json(r, r->opts->json_path) != HSB_OK) status = HSB_E_IO;
    if (r->opts->csv_path && hsb_report_csv(r, r->opts->csv_path) != HSB_OK) status = HSB_E_IO;
    uint64_t errors = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!r->fig[i].measured && status == HSB_OK) status = HSB_E_CRYPTO;
        /* a rank's row is a part of its aggregate's count */
        if (!(r->fig[i].ranks && r->fig[i].rank >= 0)) errors += r->fig[i].errors;
    }
    if (errors && !r->opts->allow_errors) {
        fprintf(stderr,
                "hsbench: %llu operations failed (see the errors column; "
                "--allow-errors to accept)\n",
                (unsigned long long)errors);
        if (status == HSB_OK) status = HSB_E_CRYPTO;
    }
    return status;
}
