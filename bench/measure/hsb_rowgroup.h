/*
 * hsb_rowgroup.h - the one place that turns "what to measure" into rows.
 *
 * A suite describes a group (one variant at one size, measured at every
 * --threads count): the reference row's identity and work, the classes a
 * composition row measures, and a callback that makes a row's work. The
 * builder adds, per thread count, the reference row and one row per
 * composition: a composition whose named backend lacks a needed class gets an
 * UNAVAILABLE note instead of a row (never a borrowed figure), and two
 * compositions that resolve to the same implementations are measured once.
 * Each row is checked against the reference (verify) before it is queued; the
 * group is flushed per thread count so that a row and its reference run
 * interleaved (hsb_report_flush).
 */
#ifndef HSB_ROWGROUP_H
#define HSB_ROWGROUP_H

#include "hsb_suite.h"

typedef struct hsb_group {
    const char *suite, *variant;
    unsigned bits;        /* f->bits, 0 where none */
    size_t bytes;         /* f->bytes, 0 where none */
    unsigned streams;     /* f->streams, 0 where none */
    const char *dh_group; /* f->group, NULL where none */
    int dh_check;         /* the composition rows' f->dh_check; -1: no such field */
    /* The composition rows' f->inflight (0: no such field) and the class
     * whose batch lanes they report (hsb_batch_lanes). */
    unsigned inflight;
    hsb_class_id batch_class;

    const char *ref_backend;                 /* the reference row's label */
    const char *ref_impl_key, *ref_impl_val; /* its one implementation */
    /* A second reference measured beside the first (NULL: none), e.g. the
     * record built from EVP pieces beside libssl's record layer: also a
     * reference row (is_reference), its ratio is to the first reference,
     * and the composition rows' ratios stay to the first. */
    const char *ref2_backend;
    const char *ref2_impl_key, *ref2_impl_val;
    /* An implementation every composition row names first ("tls"), or NULL. */
    const char *row_impl_key, *row_impl_val;

    unsigned need;  /* classes a composition row measures (HSB_CLASS_BIT) */
    unsigned impls; /* classes its implementations are recorded for */
    /* Every composition is its own row, labelled with its whole label, and
     * none is unavailable (the handshake uses every class). */
    int whole;
    int alone;            /* measure each composition row alone (--breakdown) */
    int note_unavailable; /* say which rows are UNAVAILABLE (once per variant) */

    /* Can c measure this group? NULL: hsb_suite_row_available(c, need). */
    int (*available)(void *ctx, const hsb_comp *c, char *why, size_t len);
    /*
     * The work of a row: comp is the composition's index, -1 for the
     * reference, -2 for the second reference; slot counts the group's rows so far at this thread
     * count (storage for w->arg, which must live until the flush). On an error, err says why and
     * the row is recorded as FAILED.
     */
    hsb_rc (*row)(void *ctx, int comp, size_t slot, hsb_work *w, char *err, size_t len);
    /* Compare a composition row's output with OpenSSL's before timing it
     * (hsb_report_queue_checked); NULL: none. */
    int (*verify)(void *arg, char *err, size_t len);
    /* More implementation fields of a composition row (hsb_figure_impl), or
     * NULL: e.g. the batch class that serves it. */
    void (*row_impls)(void *ctx, const hsb_comp *c, hsb_figure *f);
    void *ctx;
} hsb_group;

/* Add, queue and measure the group's rows: the reference (unless
 * --no-reference) and the compositions, at every thread count of o.
 * HSB_E_NOMEM when a row could not be added. While r->planning, only count
 * them (hsb_report_plan): g->row and g->verify are not called, so a suite
 * may skip its set-up then. */
HSB_MUST_CHECK hsb_rc hsb_group_run(hsb_report *r, const hsb_opts *o, const hsb_comp *comps,
                                    size_t n_comps, const hsb_group *g);

#endif
