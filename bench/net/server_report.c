/* The server's JSON report in the suites' schema (server_report.h). */
#include "server_report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_opts.h"
#include "hsb_ref_libssl.h"
#include "hsb_report.h"
#include "hsb_suite.h"

/* Most repetitions the statistics take (hsb_report_finish): a longer run's
 * intervals are merged in runs of `step`. */
#define MAX_REPS 1024

hsb_rc hsb_srv_samples_push(srv_samples *sm, const srv_sample *x)
{
    if (sm->n == sm->cap) {
        size_t cap = sm->cap ? 2 * sm->cap : 64;
        srv_sample *v = realloc(sm->v, cap * sizeof *v);
        HSB_ENSURE(v, HSB_E_NOMEM);
        sm->v = v;
        sm->cap = cap;
    }
    sm->v[sm->n++] = *x;
    return HSB_OK;
}

/* b's entry in arr (the same kind, step and alert), or a new one. */
static json_t *bucket_entry(json_t *arr, const srv_bucket *b)
{
    size_t i;
    json_t *o;
    const char *kind = hsb_net_fail_kind_name(b->kind);
    json_array_foreach(arr, i, o)
    {
        json_t *alert = json_object_get(o, "alert");
        if (!strcmp(json_string_value(json_object_get(o, "kind")), kind) &&
            !strcmp(json_string_value(json_object_get(o, "step")), b->step) &&
            (alert ? json_integer_value(alert) : -1) == b->alert)
            return o;
    }
    return NULL;
}

/* The failure buckets of every worker, merged. */
static json_t *buckets_json(const struct hsb_net_server *s)
{
    json_t *arr = json_array();
    for (unsigned i = 0; i < s->n_workers; i++) {
        const srv_worker *w = &s->w[i];
        for (size_t k = 0; k < w->n_buckets; k++) {
            const srv_bucket *b = &w->buckets[k];
            json_t *o = bucket_entry(arr, b);
            if (o) {
                json_int_t n = json_integer_value(json_object_get(o, "count"));
                json_object_set_new(o, "count", json_integer(n + (json_int_t)b->n));
                continue;
            }
            o = json_object();
            json_object_set_new(o, "kind", json_string(hsb_net_fail_kind_name(b->kind)));
            json_object_set_new(o, "step", json_string(b->step));
            if (b->alert >= 0) {
                json_object_set_new(o, "alert", json_integer(b->alert));
                json_object_set_new(o, "alert_name", json_string(hsb_tls_alert_name(b->alert)));
            }
            json_object_set_new(o, "count", json_integer((json_int_t)b->n));
            json_array_append_new(arr, o);
        }
    }
    return arr;
}

static void set_count(json_t *o, const char *k, uint64_t v)
{
    json_object_set_new(o, k, json_integer((json_int_t)v));
}

/* The row's `server` object: the run's counters and settings. */
static json_t *counters_json(const struct hsb_net_server *s, const srv_sample *end)
{
    json_t *o = json_object();
    const hsb_net_server_cfg *c = &s->cfg;
    json_object_set_new(o, "impl", json_string(hsb_net_impl_name(c->impl)));
#define SUMF(f) hsb_net_srv_sum(s, offsetof(srv_counters, f))
    set_count(o, "accepted", SUMF(accepted));
    set_count(o, "refused", SUMF(refused));
    set_count(o, "handshakes", SUMF(handshakes));
    set_count(o, "ok", SUMF(ok));
    set_count(o, "failed", SUMF(failed));
    set_count(o, "closed_at_shutdown", SUMF(shutdown_closed));
    set_count(o, "timeouts_handshake", SUMF(timeouts_handshake));
    set_count(o, "timeouts_idle", SUMF(timeouts_idle));
    set_count(o, "bytes_echoed", SUMF(bytes));
#undef SUMF
    set_count(o, "open_max", (uint64_t)atomic_load(&((struct hsb_net_server *)s)->open_max));
    json_t *kinds = json_object();
    for (int k = 1; k < HSB_NET_FAIL_KINDS; k++)
        set_count(kinds, hsb_net_fail_kind_name(k), end->by_kind[k]);
    json_object_set_new(o, "failures_by_kind", kinds);
    json_object_set_new(o, "failures", buckets_json(s));
    json_object_set_new(o, "handshake_timeout_s", json_real(c->handshake_timeout_s));
    json_object_set_new(o, "idle_timeout_s", json_real(c->idle_timeout_s));
    set_count(o, "max_open", (uint64_t)c->max_open);
    return o;
}

/* One repetition per run of `step` intervals. */
static hsb_rc fill_reps(hsb_figure *f, const srv_samples *sm)
{
    size_t n = sm->n - 1, step = (n + MAX_REPS - 1) / MAX_REPS;
    size_t reps = (n + step - 1) / step;
    f->reps = calloc(reps ? reps : 1, sizeof *f->reps);
    HSB_ENSURE(f->reps, HSB_E_NOMEM);
    for (size_t k = 0; k < reps; k++) {
        const srv_sample *a = &sm->v[k * step];
        const srv_sample *b = &sm->v[(k + 1) * step < sm->n ? (k + 1) * step : sm->n - 1];
        hsb_rep *p = &f->reps[k];
        p->wall_s = b->t - a->t;
        p->cpu_s = b->cpu - a->cpu;
        p->iters = b->handshakes - a->handshakes;
        p->errors = b->failed - a->failed;
    }
    f->n_reps = (unsigned)reps;
    return HSB_OK;
}

hsb_rc hsb_srv_report(const struct hsb_net_server *s, const srv_samples *sm)
{
    const hsb_net_server_cfg *c = &s->cfg;
    HSB_ENSURE(sm->n >= 2, HSB_E_USAGE);
    hsb_opts o;
    memset(&o, 0, sizeof o);
    o.cmd = "server";
    o.pin = c->pin;
    o.json_path = c->json_path;
    o.quiet = 1;
    o.threads[0] = c->threads;
    o.n_threads = 1;
    o.duration_s = sm->v[sm->n - 1].t;
    o.repetitions = (unsigned)(sm->n - 1);
    hsb_report r;
    hsb_report_init(&r, &o);
    size_t idx;
    hsb_figure *f = hsb_report_add_row(&r, &idx, "server", c->variant ? c->variant : "rsa",
                                       c->backend ? c->backend : "", c->threads);
    hsb_rc rc = f ? fill_reps(f, sm) : HSB_E_NOMEM;
    if (rc == HSB_OK) {
        f->pl = s->pl;
        f->bits = c->bits;
        snprintf(f->group, sizeof f->group, "%s", c->group ? c->group : "");
        f->is_reference = c->impl == HSB_NET_IMPL_LIBSSL;
        hsb_figure_impl(f, "tls", c->impl == HSB_NET_IMPL_LIBSSL ? hsb_ossl_impl() : "hsb");
        f->duration_s = o.duration_s;
        f->measured = 1;
        f->server = counters_json(s, &sm->v[sm->n - 1]);
        hsb_figure_set_name(f);
        hsb_report_finish(&r);
        rc = hsb_report_json(&r, c->json_path);
    }
    hsb_report_free(&r);
    return rc;
}
