/* The table on stdout: one row per figure. */
#include <string.h>

#include "hsb_report.h"
#include "hsb_tsc.h"

/* rate with an SI prefix into buf: "1.23 G", "456.7 k". */
static void si(char *buf, size_t len, double v)
{
    const char *p = "";
    if (v >= 1e9)
        v /= 1e9, p = "G";
    else if (v >= 1e6)
        v /= 1e6, p = "M";
    else if (v >= 1e4)
        v /= 1e3, p = "k";
    snprintf(buf, len, "%.4g %s", v, p);
}

void hsb_report_table(const hsb_report *r, FILE *to)
{
    if (r->n == 0) {
        fprintf(to, "(nothing measured)\n");
        return;
    }
    int w = 40;
    for (size_t i = 0; i < r->n; i++) {
        int l = (int)strlen(r->fig[i].name);
        if (l > w) w = l;
    }
    int cyc = hsb_tsc_is_cycles();
    fprintf(to, "%-*s %14s %-5s %12s %7s %8s  %s\n", w, "figure", "median rate", "",
            cyc ? "ref-cycles" : "ns", "CV", "vs ref", "notes");
    for (size_t i = 0; i < r->n; i++) {
        const hsb_figure *f = &r->fig[i];
        if (!f->measured) {
            fprintf(to, "%-*s %14s %-5s %12s %7s %8s  FAILED: %s\n", w, f->name, "-", "", "-", "-",
                    "-", f->error);
            continue;
        }
        char rate[32], cy[32], cv[16], ratio[16], notes[320] = "";
        int bulk = f->bytes > 0;
        si(rate, sizeof rate, bulk ? f->rate_bytes.median : f->rate.median);
        if (cyc && bulk)
            snprintf(cy, sizeof cy, "%.2f/B", f->cycles.median / (double)f->bytes);
        else if (cyc && strcmp(f->suite, "tcp") != 0) /* tcp: no TSC in the loops */
            snprintf(cy, sizeof cy, "%.0f/op", f->cycles.median);
        else
            snprintf(cy, sizeof cy, "%.0f ns", f->real_ns.median);
        snprintf(cv, sizeof cv, "%.1f%%", f->rate.cv * 100);
        if (f->is_reference && f->has_ratio) /* a second reference, vs the first */
            snprintf(ratio, sizeof ratio, "ref%.2f", f->ratio);
        else if (f->is_reference)
            snprintf(ratio, sizeof ratio, "ref");
        else if (f->has_ratio)
            snprintf(ratio, sizeof ratio, "%.3f", f->ratio);
        else
            snprintf(ratio, sizeof ratio, "-");
        size_t o = 0;
        if (f->noisy) o += (size_t)snprintf(notes + o, sizeof notes - o, "NOISY ");
        if (f->errors)
            o += (size_t)snprintf(notes + o, sizeof notes - o, "errors=%llu ",
                                  (unsigned long long)f->errors);
        for (unsigned k = 0; k < f->n_err_kinds && o < sizeof notes; k++)
            if (f->err_kind[k].n)
                o += (size_t)snprintf(notes + o, sizeof notes - o, "%s=%llu ", f->err_kind[k].name,
                                      (unsigned long long)f->err_kind[k].n);
        if (f->has_scaling)
            o += (size_t)snprintf(notes + o, sizeof notes - o, "scaling=%.0f%% ", f->scaling * 100);
        if (f->inflight > 1 && o < sizeof notes)
            o += (size_t)snprintf(notes + o, sizeof notes - o, "lanes=%zu fill=%.1f ",
                                  f->batch_lanes, f->batch_fill);
        if (f->lat_all && f->lat_all->count) {
            double us = 1e6 / hsb_tsc_hz();
            o += (size_t)snprintf(notes + o, sizeof notes - o, "p50=%.0fus p99=%.0fus ",
                                  hsb_hist_quantile(f->lat_all, 0.5) * us,
                                  hsb_hist_quantile(f->lat_all, 0.99) * us);
        }
        if (f->tcp_lat.count) {
            const double *l = f->tcp_lat.us;
            o +=
                (size_t)snprintf(notes + o, sizeof notes - o, "p50=%.0fus p99=%.0fus p99.9=%.0fus ",
                                 l[HSB_LAT_P50], l[HSB_LAT_P99], l[HSB_LAT_P999]);
        }
        if (!strcmp(f->suite, "tcp") && f->iters) {
            double cpu = 0;
            for (unsigned k = 0; k < f->n_reps; k++) cpu += f->reps[k].client_cpu_s;
            o += (size_t)snprintf(notes + o, sizeof notes - o, "client-cpu=%.0fus/hs ",
                                  cpu * 1e6 / (double)f->iters);
        }
        fprintf(to, "%-*s %14s %-5s %12s %7s %8s  %s\n", w, f->name, rate, hsb_figure_unit(f), cy,
                cv, ratio, notes);
    }
    if (r->n_warnings) {
        fprintf(to, "\nwarnings:\n");
        for (size_t i = 0; i < r->n_warnings; i++) fprintf(to, "  %s\n", r->warnings[i]);
    }
}
