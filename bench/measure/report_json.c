/* The JSON result file (bench/RESULTS.md), in Google Benchmark's shape. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hsb_breakdown.h"
#include "hsb_report.h"
#include "hsb_tsc.h"
#include "hsb_vocab.h"

/* jansson refuses NaN and infinities (json_real returns NULL); we leave such
 * a field out rather than write a made-up number. */
static void set_real(json_t *o, const char *k, double v)
{
    if (isfinite(v)) json_object_set_new(o, k, json_real(v));
}

static json_t *latency_obj(const hsb_hist *h)
{
    double us = 1e6 / hsb_tsc_hz();
    json_t *l = json_object();
    set_real(l, "p50", hsb_hist_quantile(h, 0.50) * us);
    set_real(l, "p90", hsb_hist_quantile(h, 0.90) * us);
    set_real(l, "p99", hsb_hist_quantile(h, 0.99) * us);
    set_real(l, "max", (double)h->max * us);
    json_object_set_new(l, "count", json_integer((json_int_t)h->count));
    return l;
}

/* A TCP row's latency points (already in us). */
static json_t *points_obj(const hsb_lat_points *l)
{
    json_t *o = json_object();
    set_real(o, "p50", l->us[HSB_LAT_P50]);
    set_real(o, "p90", l->us[HSB_LAT_P90]);
    set_real(o, "p99", l->us[HSB_LAT_P99]);
    set_real(o, "p99_9", l->us[HSB_LAT_P999]);
    set_real(o, "max", l->us[HSB_LAT_MAX]);
    set_real(o, "mean", l->us[HSB_LAT_MEAN]);
    json_object_set_new(o, "count", json_integer((json_int_t)l->count));
    return o;
}

/* The fields of a TCP aggregate: the load's shape, latency over all
 * repetitions, failures by kind, client CPU per connection. */
static void tcp_fields(json_t *o, const hsb_figure *f)
{
    set_real(o, HSB_ROW(offered_rate), f->offered_rate);
    json_object_set_new(o, HSB_ROW(connections), json_integer(f->connections));
    json_object_set_new(o, HSB_ROW(errors), json_integer((json_int_t)f->errors));
    json_object_set_new(o, HSB_ROW(unstarted), json_integer((json_int_t)f->unstarted));
    json_t *k = json_object();
    for (unsigned i = 0; i < f->n_err_kinds; i++)
        json_object_set_new(k, f->err_kind[i].name, json_integer((json_int_t)f->err_kind[i].n));
    json_object_set_new(o, HSB_ROW(errors_by_kind), k);
    if (f->tcp_lat.count) json_object_set_new(o, HSB_ROW(latency_us), points_obj(&f->tcp_lat));
    if (f->tcp_conn_lat.count)
        json_object_set_new(o, HSB_ROW(connection_latency_us), points_obj(&f->tcp_conn_lat));
    double cpu = 0;
    for (unsigned r = 0; r < f->n_reps; r++) cpu += f->reps[r].client_cpu_s;
    if (f->iters) set_real(o, HSB_ROW(client_cpu_us), cpu * 1e6 / (double)f->iters);
}

/* Shares of the time inside handshakes, summed over the repetitions. */
static json_t *breakdown_obj(const hsb_figure *f)
{
    double bd[HSB_BD_COUNT] = {0}, total = 0;
    uint64_t iters = 0;
    for (unsigned k = 0; k < f->n_reps; k++) {
        for (unsigned i = 0; i < HSB_BD_COUNT; i++) bd[i] += (double)f->reps[k].bd[i];
        total += f->reps[k].op_tsc;
        iters += f->reps[k].iters;
    }
    json_t *b = json_object();
    if (total <= 0 || iters == 0) return b;
    json_t *share = json_object(), *cyc = json_object();
    double timed = 0;
    for (unsigned i = 0; i < HSB_BD_COUNT; i++) {
        set_real(share, hsb_bd_name((hsb_bd_kind)i), bd[i] / total);
        set_real(cyc, hsb_bd_name((hsb_bd_kind)i), bd[i] / (double)iters);
        timed += bd[i];
    }
    set_real(share, "protocol", (total - timed) / total);
    set_real(cyc, "protocol", (total - timed) / (double)iters);
    set_real(b, "handshake_cycles", total / (double)iters);
    json_object_set_new(b, "share", share);
    json_object_set_new(b, "cycles_per_handshake", cyc);
    return b;
}

/* The fields every row of a figure carries. */
static void common(json_t *o, const hsb_report *r, const hsb_figure *f, size_t idx)
{
    json_object_set_new(o, HSB_ROW(family_index), json_integer((json_int_t)idx));
    json_object_set_new(o, HSB_ROW(per_family_instance_index), json_integer(0));
    json_object_set_new(o, HSB_ROW(run_name), json_string(f->name));
    json_object_set_new(o, HSB_ROW(repetitions),
                        json_integer(f->n_reps ? f->n_reps : r->repetitions));
    json_object_set_new(o, HSB_ROW(threads), json_integer(f->threads));
    json_object_set_new(o, HSB_ROW(suite), json_string(f->suite));
    json_object_set_new(o, HSB_ROW(variant), json_string(f->variant));
    json_object_set_new(o, HSB_ROW(backend), json_string(f->backend));
    json_t *impl = json_object();
    for (unsigned i = 0; i < f->n_impl; i++)
        json_object_set_new(impl, f->impl[i].key, json_string(f->impl[i].val));
    json_object_set_new(o, HSB_ROW(implementations), impl);
    json_object_set_new(o, HSB_ROW(is_reference), json_boolean(f->is_reference));
    if (f->ref >= 0) json_object_set_new(o, HSB_ROW(reference), json_string(r->fig[f->ref].name));
    json_object_set_new(o, HSB_ROW(bytes), json_integer((json_int_t)f->bytes));
    if (f->streams) json_object_set_new(o, HSB_ROW(streams), json_integer(f->streams));
    if (f->bits) json_object_set_new(o, HSB_ROW(bits), json_integer(f->bits));
    if (f->group[0]) json_object_set_new(o, HSB_ROW(group), json_string(f->group));
    if (f->dh_check >= 0)
        json_object_set_new(o, HSB_ROW(dh_check),
                            json_string(f->dh_check == HSB_DH_CHECK_FULL ? "full" : "range"));
    json_object_set_new(o, HSB_ROW(pin), json_string(hsb_pin_name(f->pl.pin)));
    json_t *pus = json_array();
    for (unsigned k = 0; k < f->threads && k < HSB_MAX_THREADS; k++)
        json_array_append_new(pus, f->pl.pu[k] >= 0 ? json_integer(f->pl.pu[k]) : json_null());
    json_object_set_new(o, HSB_ROW(pus), pus);
    if (f->ranks) { /* a load over MPI ranks */
        json_object_set_new(o, HSB_ROW(ranks), json_integer(f->ranks));
        if (f->rank >= 0) json_object_set_new(o, HSB_ROW(rank), json_integer(f->rank));
        if (f->host[0]) json_object_set_new(o, HSB_ROW(host), json_string(f->host));
    }
    if (f->duration_s > 0) {
        set_real(o, HSB_ROW(duration_s), f->duration_s);
        set_real(o, HSB_ROW(warmup_s), f->warmup_s);
    }
    json_object_set_new(o, HSB_ROW(time_unit), json_string("ns"));
    if (f->server) json_object_set(o, HSB_ROW(server), f->server);
}

/* Rate-derived fields for one value of the rate (items/s). */
static void rate_fields(json_t *o, const hsb_figure *f, double rate)
{
    set_real(o, HSB_ROW(items_per_second), rate);
    if (f->bytes) set_real(o, HSB_ROW(bytes_per_second), rate * (double)f->bytes);
    if (!strcmp(f->suite, "handshake") || !strcmp(f->suite, "server") || !strcmp(f->suite, "tcp")) {
        set_real(o, HSB_ROW(hs_per_s), rate);
        set_real(o, HSB_ROW(hs_per_s_per_thread), rate / f->threads);
    }
}

static json_t *iteration_row(const hsb_report *r, const hsb_figure *f, size_t idx, unsigned k)
{
    const hsb_rep *p = &f->reps[k];
    json_t *o = json_object();
    json_object_set_new(o, HSB_ROW(name), json_string(f->name));
    common(o, r, f, idx);
    json_object_set_new(o, HSB_ROW(run_type), json_string("iteration"));
    json_object_set_new(o, HSB_ROW(repetition_index), json_integer(k));
    json_object_set_new(o, HSB_ROW(iterations), json_integer((json_int_t)p->iters));
    double it = p->iters ? (double)p->iters : 1;
    set_real(o, HSB_ROW(real_time), p->wall_s * 1e9 / it);
    set_real(o, HSB_ROW(cpu_time), p->cpu_s * 1e9 / it);
    double rate = hsb_rep_rate(p);
    rate_fields(o, f, rate);
    set_real(o, HSB_ROW(wall_s), p->wall_s);
    if (hsb_tsc_is_cycles() && strcmp(f->suite, "tcp") != 0) { /* tcp: no TSC */
        set_real(o, HSB_ROW(cycles_per_item), p->tsc / it);
        if (f->bytes) set_real(o, HSB_ROW(cycles_per_byte), p->tsc / it / (double)f->bytes);
    }
    if (f->ref >= 0 && r->fig[f->ref].measured) {
        double rm = r->fig[f->ref].rate.median;
        if (rm > 0) set_real(o, HSB_ROW(ratio_to_reference), rate / rm);
    }
    if (!strcmp(f->suite, "handshake")) {
        json_object_set_new(o, HSB_ROW(errors), json_integer((json_int_t)p->errors));
        set_real(o, HSB_ROW(client_cpu_us), p->client_cpu_s * 1e6 / it);
        set_real(o, HSB_ROW(server_cpu_us), p->server_cpu_s * 1e6 / it);
        if (p->lat) json_object_set_new(o, HSB_ROW(latency_us), latency_obj(p->lat));
    } else if (!strcmp(f->suite, "server")) {
        json_object_set_new(o, HSB_ROW(errors), json_integer((json_int_t)p->errors));
    }
    if (!strcmp(f->suite, "tcp")) {
        json_object_set_new(o, HSB_ROW(errors), json_integer((json_int_t)p->errors));
        set_real(o, HSB_ROW(client_cpu_us), p->client_cpu_s * 1e6 / it);
        set_real(o, HSB_ROW(offered_rate), f->offered_rate);
        if (p->tcp_lat.count) json_object_set_new(o, HSB_ROW(latency_us), points_obj(&p->tcp_lat));
    }
    return o;
}

static json_t *aggregate_row(const hsb_report *r, const hsb_figure *f, size_t idx, const char *agg)
{
    json_t *o = json_object();
    char name[256];
    snprintf(name, sizeof name, "%s_%s", f->name, agg);
    json_object_set_new(o, HSB_ROW(name), json_string(name));
    common(o, r, f, idx);
    json_object_set_new(o, HSB_ROW(run_type), json_string("aggregate"));
    json_object_set_new(o, HSB_ROW(aggregate_name), json_string(agg));
    int cv = !strcmp(agg, "cv");
    json_object_set_new(o, HSB_ROW(aggregate_unit), json_string(cv ? "percentage" : "time"));
    json_object_set_new(o, HSB_ROW(iterations), json_integer(f->n_reps));
#define PICK(s)                                                                                    \
    (!strcmp(agg, "mean")     ? (s).mean                                                           \
     : !strcmp(agg, "median") ? (s).median                                                         \
     : !strcmp(agg, "stddev") ? (s).stddev                                                         \
     : !strcmp(agg, "cv")     ? (s).cv                                                             \
     : !strcmp(agg, "min")    ? (s).min                                                            \
                              : (s).max)
    set_real(o, HSB_ROW(real_time), PICK(f->real_ns));
    set_real(o, HSB_ROW(cpu_time), PICK(f->cpu_ns));
    rate_fields(o, f, PICK(f->rate));
    if (f->bytes) set_real(o, HSB_ROW(bytes_per_second), PICK(f->rate_bytes));
    if (hsb_tsc_is_cycles() && strcmp(f->suite, "tcp") != 0) { /* tcp: no TSC */
        set_real(o, HSB_ROW(cycles_per_item), PICK(f->cycles));
        if (f->bytes && !cv)
            set_real(o, HSB_ROW(cycles_per_byte), PICK(f->cycles) / (double)f->bytes);
        if (f->bytes && cv) set_real(o, HSB_ROW(cycles_per_byte), f->cycles.cv);
    }
#undef PICK
    if (f->has_ratio) set_real(o, HSB_ROW(ratio_to_reference), f->ratio);
    if (f->has_scaling) set_real(o, HSB_ROW(scaling_efficiency), f->scaling);
    json_object_set_new(o, HSB_ROW(noisy), json_boolean(f->noisy));
    if (!strcmp(f->suite, "handshake")) {
        json_object_set_new(o, HSB_ROW(errors), json_integer((json_int_t)f->errors));
        set_real(o, HSB_ROW(client_cpu_share), f->client_cpu_share);
        if (f->inflight) {
            json_object_set_new(o, HSB_ROW(inflight), json_integer(f->inflight));
            json_object_set_new(o, HSB_ROW(batch_lanes), json_integer((json_int_t)f->batch_lanes));
            set_real(o, HSB_ROW(batch_fill), f->batch_fill);
        }
        if (f->lat_all) json_object_set_new(o, HSB_ROW(latency_us), latency_obj(f->lat_all));
        if (f->breakdown) json_object_set_new(o, HSB_ROW(breakdown), breakdown_obj(f));
    } else if (!strcmp(f->suite, "server")) {
        json_object_set_new(o, HSB_ROW(errors), json_integer((json_int_t)f->errors));
    }
    if (!strcmp(f->suite, "tcp")) tcp_fields(o, f);
    return o;
}

static json_t *failed_row(const hsb_report *r, const hsb_figure *f, size_t idx)
{
    json_t *o = json_object();
    json_object_set_new(o, HSB_ROW(name), json_string(f->name));
    common(o, r, f, idx);
    json_object_set_new(o, HSB_ROW(run_type), json_string("iteration"));
    json_object_set_new(o, HSB_ROW(error_occurred), json_true());
    json_object_set_new(o, HSB_ROW(error_message), json_string(f->error));
    return o;
}

hsb_rc hsb_report_json(const hsb_report *r, const char *path)
{
    json_t *root = json_object();
    json_object_set_new(root, "context", hsb_context_json(r));
    json_t *arr = json_array();
    static const char *const aggs[] = {"mean", "median", "stddev", "cv", "min", "max"};
    for (size_t i = 0; i < r->n; i++) {
        const hsb_figure *f = &r->fig[i];
        if (!f->measured) {
            json_array_append_new(arr, failed_row(r, f, i));
            continue;
        }
        for (unsigned k = 0; k < f->n_reps; k++)
            json_array_append_new(arr, iteration_row(r, f, i, k));
        for (size_t a = 0; a < sizeof aggs / sizeof aggs[0]; a++)
            json_array_append_new(arr, aggregate_row(r, f, i, aggs[a]));
    }
    json_object_set_new(root, "benchmarks", arr);
    /* Written beside the target and renamed over it: a reader never sees a
     * half-written file, and a failed run leaves the previous one intact. */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int rc =
        json_dump_file(root, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (rc == 0 && rename(tmp, path) != 0) rc = -1;
    if (rc != 0) {
        fprintf(stderr, "hsbench: cannot write %s: %s\n", path, strerror(errno));
        remove(tmp);
    }
    json_decref(root);
    return rc == 0 ? HSB_OK : HSB_E_IO;
}
