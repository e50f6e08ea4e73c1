/* Load runs as figures of suite tcp: see hsb_load.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_load.h"

void hsb_lat_points_of(const hsb_lat_hist *h, hsb_lat_points *p)
{
    memset(p, 0, sizeof *p);
    p->count = h->count;
    if (!h->count) return;
    static const double q[] = {0.5, 0.9, 0.99, 0.999};
    for (int i = 0; i < 4; i++) p->us[HSB_LAT_P50 + i] = hsb_lat_hist_percentile(h, q[i]) * 1e-3;
    p->us[HSB_LAT_MAX] = (double)h->max * 1e-3;
    p->us[HSB_LAT_MEAN] = hsb_lat_hist_mean(h) * 1e-3;
}

hsb_figure *hsb_load_row_add(hsb_report *r, hsb_load_row *row, const char *variant,
                             const char *backend, unsigned reps)
{
    const hsb_load_cfg *c = &row->cfg;
    hsb_figure *f = hsb_report_add_row(r, &row->fig, "tcp", variant, backend, c->pl.threads);
    if (!f) return NULL;
    f->reps = calloc(reps ? reps : 1, sizeof *f->reps);
    if (!f->reps) return NULL;
    f->pl = c->pl;
    f->offered_rate = c->rate;
    f->connections = c->connections;
    f->bytes = 0; /* the rate is connections/s, whatever each carries */
    f->duration_s = c->duration_s;
    size_t o = (size_t)snprintf(f->name, sizeof f->name, "tcp/%s/%s", variant, backend);
    if (c->rate > 0 && o < sizeof f->name)
        o += (size_t)snprintf(f->name + o, sizeof f->name - o, "/rate:%.0f", c->rate);
    if (o < sizeof f->name) snprintf(f->name + o, sizeof f->name - o, "/conns:%u", c->connections);
    hsb_lat_hist_init(&row->hs);
    hsb_lat_hist_init(&row->conn);
    memset(row->errors, 0, sizeof row->errors);
    row->unstarted = 0;
    row->reps_done = 0;
    return f;
}

hsb_rc hsb_load_row_rep(hsb_report *r, hsb_load_row *row)
{
    hsb_figure *f = &r->fig[row->fig];
    if (f->error[0]) return HSB_E_IO; /* failed before: nothing more to measure */
    hsb_load_result *res = malloc(sizeof *res);
    if (!res) return HSB_E_NOMEM;
    char err[256];
    hsb_rc rc = row->run ? row->run(row->run_arg, &row->cfg, res, err, sizeof err)
                         : hsb_load_run(&row->cfg, res, err, sizeof err);
    if (rc != HSB_OK) {
        hsb_report_fail(r, f, err);
        free(res);
        return rc;
    }
    hsb_rep *p = &f->reps[row->reps_done++];
    memset(p, 0, sizeof *p);
    p->wall_s = res->wall_s;
    p->cpu_s = res->cpu_s;
    p->client_cpu_s = res->cpu_s;
    p->iters = res->ok;
    p->errors = res->failed;
    snprintf(p->first_error, sizeof p->first_error, "%.159s", res->first_error);
    hsb_lat_points_of(&res->hs, &p->tcp_lat);
    hsb_lat_hist_merge(&row->hs, &res->hs);
    hsb_lat_hist_merge(&row->conn, &res->conn);
    for (unsigned k = 0; k < HSB_LOAD_ERR_KINDS; k++) row->errors[k] += res->errors[k];
    row->unstarted += res->unstarted;
    for (unsigned i = 0; i < row->cfg.pl.threads && i < HSB_MAX_THREADS; i++)
        f->cpus_seen[i] = res->cpus_seen[i];
    free(res);
    return HSB_OK;
}

void hsb_load_row_finish(hsb_report *r, hsb_load_row *row)
{
    hsb_figure *f = &r->fig[row->fig];
    if (f->error[0] || !row->reps_done) return;
    f->n_reps = row->reps_done;
    f->measured = 1;
    hsb_lat_points_of(&row->hs, &f->tcp_lat);
    hsb_lat_points_of(&row->conn, &f->tcp_conn_lat);
    f->unstarted = row->unstarted;
    f->n_err_kinds = HSB_LOAD_ERR_KINDS;
    for (unsigned k = 0; k < HSB_LOAD_ERR_KINDS; k++) {
        f->err_kind[k].name = hsb_load_err_name((hsb_load_err)k);
        f->err_kind[k].n = row->errors[k];
    }
}
