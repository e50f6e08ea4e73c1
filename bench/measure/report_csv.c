/* The tidy CSV: one row per repetition and figure. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hsb_report.h"
#include "hsb_vocab.h"
#include "hsb_tsc.h"

static void field_str(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"') fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

/* A number, or an empty field where there is none (never nan/inf). */
static void field_num(FILE *f, double v, int ok)
{
    if (ok && isfinite(v))
        fprintf(f, ",%.10g", v);
    else
        fputs(",", f);
}

/* The header: the CSV columns of the results vocabulary, in order. */
static void header(FILE *f)
{
    size_t n, k = 0;
    const hsb_field *v = hsb_vocab(&n);
    for (size_t i = 0; i < n; i++)
        if (v[i].where == HSB_FIELD_CSV) fprintf(f, "%s%s", k++ ? "," : "", v[i].name);
    fputc('\n', f);
}

hsb_rc hsb_report_csv(const hsb_report *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "hsbench: cannot write %s: %s\n", path, strerror(errno));
        return HSB_E_IO;
    }
    header(f);
    double us = 1e6 / hsb_tsc_hz();
    int cyc = hsb_tsc_is_cycles();
    for (size_t i = 0; i < r->n; i++) {
        const hsb_figure *g = &r->fig[i];
        double refm = g->ref >= 0 && r->fig[g->ref].measured ? r->fig[g->ref].rate.median : 0;
        for (unsigned k = 0; k < g->n_reps; k++) {
            const hsb_rep *p = &g->reps[k];
            double it = p->iters ? (double)p->iters : 1;
            double rate = hsb_rep_rate(p);
            field_str(f, g->name);
            fputc(',', f);
            field_str(f, g->suite);
            fputc(',', f);
            field_str(f, g->variant);
            fputc(',', f);
            field_str(f, g->backend);
            fprintf(f, ",%d,%u,%zu,%u,", g->is_reference, g->threads, g->bytes, g->bits);
            field_str(f, g->group);
            fprintf(f, ",%u,%llu", k, (unsigned long long)p->iters);
            field_num(f, p->wall_s, 1);
            field_num(f, p->cpu_s, 1);
            /* the headline rate in its unit: bulk rows in bytes/s */
            field_num(f, g->bytes ? rate * (double)g->bytes : rate, 1);
            fprintf(f, ",%s", hsb_figure_unit(g));
            field_num(f, rate * (double)g->bytes, g->bytes > 0);
            field_num(f, p->wall_s * 1e9 / it, 1);
            field_num(f, p->cpu_s * 1e9 / it, 1);
            int gcyc = cyc && strcmp(g->suite, "tcp") != 0; /* tcp: no TSC */
            field_num(f, p->tsc / it, gcyc);
            field_num(f, g->bytes ? p->tsc / it / (double)g->bytes : 0, gcyc && g->bytes);
            field_num(f, refm > 0 ? rate / refm : 0, refm > 0);
            fprintf(f, ",%llu", (unsigned long long)p->errors);
            const hsb_lat_points *tl = p->tcp_lat.count ? &p->tcp_lat : NULL;
            field_num(f,
                      tl       ? tl->us[HSB_LAT_P50]
                      : p->lat ? hsb_hist_quantile(p->lat, 0.5) * us
                               : 0,
                      p->lat != NULL || tl);
            field_num(f,
                      tl       ? tl->us[HSB_LAT_P99]
                      : p->lat ? hsb_hist_quantile(p->lat, 0.99) * us
                               : 0,
                      p->lat != NULL || tl);
            int tcp = !strcmp(g->suite, "tcp");
            field_num(f, g->offered_rate, tcp);
            field_num(f, p->client_cpu_s * 1e6 / it, tcp);
            int ranked = g->ranks && g->rank >= 0;
            field_num(f, g->rank, ranked);
            fputc(',', f);
            field_str(f, ranked ? g->host : "");
            fputc('\n', f);
        }
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "hsbench: error writing %s\n", path);
        return HSB_E_IO;
    }
    return HSB_OK;
}
