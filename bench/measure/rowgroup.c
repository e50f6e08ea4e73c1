/* The row-group builder: reference row, composition rows, measure once. */
#include "hsb_rowgroup.h"

#include <stdio.h>
#include <string.h>

static int available(const hsb_group *g, const hsb_comp *c, char *why, size_t len)
{
    if (g->whole) return 1;
    if (g->available) return g->available(g->ctx, c, why, len);
    return hsb_suite_row_available(c, g->need, why, len);
}

/* The row's label; 1 when an earlier composition has the same one and is
 * measured (two compositions, one implementation: measure once). */
static int label_of(const hsb_group *g, const hsb_comp *comps, size_t c, char *label, size_t len)
{
    if (g->whole) {
        snprintf(label, len, "%s", comps[c].p.label);
        return 0;
    }
    hsb_suite_row_label(&comps[c].p, g->need, label, len);
    for (size_t d = 0; d < c; d++) {
        char other[96], why[128];
        hsb_suite_row_label(&comps[d].p, g->need, other, sizeof other);
        if (!strcmp(other, label) && available(g, &comps[d], why, sizeof why)) return 1;
    }
    return 0;
}

/* A new row with the group's identity; NULL when out of memory. */
static hsb_figure *add_row(hsb_report *r, const hsb_group *g, size_t *idx, const char *backend,
                           unsigned threads)
{
    hsb_figure *f = hsb_report_add_row(r, idx, g->suite, g->variant, backend, threads);
    if (!f) return NULL;
    f->bits = g->bits;
    f->bytes = g->bytes;
    f->streams = g->streams;
    if (g->dh_group) snprintf(f->group, sizeof f->group, "%s", g->dh_group);
    return f;
}

/* Make the row's work and queue it; a failure is recorded on the row. */
static void queue_row(hsb_report *r, const hsb_group *g, size_t idx, int comp, size_t *slot)
{
    hsb_work w = {0};
    char err[256] = "";
    if (g->row(g->ctx, comp, (*slot)++, &w, err, sizeof err) != HSB_OK) {
        hsb_report_fail(r, &r->fig[idx], err);
        return;
    }
    if (comp < 0) /* references are not checked */
        hsb_report_queue(r, idx, &w);
    else if (g->alone)
        hsb_report_measure(r, idx, &w);
    else if (g->verify)
        hsb_report_queue_checked(r, idx, &w, g->verify);
    else
        hsb_report_queue(r, idx, &w);
}

/* The reference row (which -1) or the second one (-2, compared with the
 * first, *ref). */
static hsb_rc reference_row(hsb_report *r, const hsb_group *g, unsigned threads, int which,
                            long *ref, size_t *slot)
{
    size_t idx;
    hsb_figure *f = add_row(r, g, &idx, which == -1 ? g->ref_backend : g->ref2_backend, threads);
    HSB_ENSURE(f, HSB_E_NOMEM);
    f->is_reference = 1;
    hsb_figure_set_name(f);
    if (which == -1) {
        hsb_figure_impl(f, g->ref_impl_key, g->ref_impl_val);
        *ref = (long)idx;
    } else {
        hsb_figure_impl(f, g->ref2_impl_key, g->ref2_impl_val);
        f->ref = *ref;
    }
    queue_row(r, g, idx, which, slot);
    return HSB_OK;
}

static hsb_rc composition_row(hsb_report *r, const hsb_group *g, const hsb_comp *comps, size_t c,
                              unsigned threads, long ref, size_t *slot)
{
    char label[96];
    if (label_of(g, comps, c, label, sizeof label)) return HSB_OK;
    size_t idx;
    hsb_figure *f = add_row(r, g, &idx, label, threads);
    HSB_ENSURE(f, HSB_E_NOMEM);
    f->ref = ref;
    f->dh_check = g->dh_check;
    f->inflight = g->inflight;
    if (g->inflight) f->batch_lanes = hsb_batch_lanes(&comps[c].p, g->batch_class);
    hsb_figure_set_name(f);
    if (g->row_impl_key) hsb_figure_impl(f, g->row_impl_key, g->row_impl_val);
    hsb_suite_row_impls(f, &comps[c].p, g->impls);
    if (g->row_impls) g->row_impls(g->ctx, &comps[c], f);
    queue_row(r, g, idx, (int)c, slot);
    return HSB_OK;
}

/* The rows at one thread count, then the flush that measures them. */
static hsb_rc thread_count(hsb_report *r, const hsb_opts *o, const hsb_comp *comps, size_t nc,
                           const hsb_group *g, size_t t)
{
    long ref = -1;
    size_t slot = 0;
    hsb_rc rc = HSB_OK;
    if (o->reference) rc = reference_row(r, g, o->threads[t], -1, &ref, &slot);
    if (o->reference && g->ref2_backend && rc == HSB_OK)
        rc = reference_row(r, g, o->threads[t], -2, &ref, &slot);
    for (size_t c = 0; c < nc && rc == HSB_OK; c++) {
        char why[128];
        if (available(g, &comps[c], why, sizeof why))
            rc = composition_row(r, g, comps, c, o->threads[t], ref, &slot);
        else if (t == 0 && g->note_unavailable)
            hsb_report_note(r, "%s/%s/%s: UNAVAILABLE (%s)", g->suite, g->variant, comps[c].spec,
                            why);
    }
    hsb_report_flush(r);
    return rc;
}

/* Planning: the rows thread_count would add, at every thread count. */
static void plan(hsb_report *r, const hsb_opts *o, const hsb_comp *comps, size_t nc,
                 const hsb_group *g)
{
    size_t rows = o->reference ? (g->ref2_backend ? 2 : 1) : 0;
    for (size_t c = 0; c < nc; c++) {
        char why[128], label[96];
        if (available(g, &comps[c], why, sizeof why) && !label_of(g, comps, c, label, sizeof label))
            rows++;
    }
    hsb_report_plan(r, rows * o->n_threads);
}

hsb_rc hsb_group_run(hsb_report *r, const hsb_opts *o, const hsb_comp *comps, size_t n_comps,
                     const hsb_group *g)
{
    if (r->planning) {
        plan(r, o, comps, n_comps, g);
        return HSB_OK;
    }
    for (size_t t = 0; t < o->n_threads; t++) HSB_GUARD(thread_count(r, o, comps, n_comps, g, t));
    return HSB_OK;
}
