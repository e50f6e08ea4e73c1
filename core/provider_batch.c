/*
 * Batch dispatch (hsb_provider.h, "batches"): chunks of the composition's
 * batch class, or -- where the backend of the single class has none -- a
 * loop over the single op, which hsb_batch_describe names in the open.
 */
#include <stdio.h>

#include "hsb_provider.h"

/* The first failing rc of jobs[0..n), HSB_OK if none. */
#define FIRST_FAIL(jobs, n)                                                                        \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < (n); i_++)                                                        \
            if ((jobs)[i_].rc != HSB_OK) return (jobs)[i_].rc;                                     \
        return HSB_OK;                                                                             \
    } while (0)

hsb_rc hsb_rsa_priv_batch(const hsb_provider *p, hsb_rsa_priv_job *jobs, size_t n)
{
    HSB_ENSURE(p != NULL && (jobs != NULL || n == 0), HSB_E_USAGE);
    const hsb_rsa_priv_class *one = p->cls.rsa_priv;
    const hsb_rsa_priv_batch_class *b = p->cls.rsa_priv_batch;
    if (b && b->single == one && b->lanes > 1) {
        for (size_t i = 0; i < n; i += b->lanes)
            (void)b->run(jobs + i, n - i < b->lanes ? n - i : b->lanes);
    } else {
        for (size_t i = 0; i < n; i++)
            jobs[i].rc = one ? one->op(jobs[i].ctx, jobs[i].out, jobs[i].in, jobs[i].len)
                             : HSB_E_UNSUPPORTED;
    }
    FIRST_FAIL(jobs, n);
}

static hsb_rc dh_one(const hsb_dh_class *dh, const hsb_rng_class *rng, hsb_dh_job *j)
{
    if (!dh) return HSB_E_UNSUPPORTED;
    switch (j->kind) {
    case HSB_DH_JOB_KEYGEN:
        if (!rng) return HSB_E_USAGE;
        return dh->keygen(j->ctx, rng, j->out, j->out_len);
    case HSB_DH_JOB_DERIVE:
        return dh->derive(j->ctx, j->out, j->out_len, j->in, j->in_len);
    case HSB_DH_JOB_CHECK:
        return dh->check(j->ctx, j->in, j->in_len, j->policy);
    default:
        return HSB_E_USAGE;
    }
}

hsb_rc hsb_dh_batch(const hsb_provider *p, const hsb_rng_class *rng, hsb_dh_job *jobs, size_t n)
{
    HSB_ENSURE(p != NULL && (jobs != NULL || n == 0), HSB_E_USAGE);
    const hsb_dh_batch_class *b = p->cls.dh_batch;
    if (b && b->single == p->cls.dh && b->lanes > 1) {
        for (size_t i = 0; i < n; i += b->lanes)
            (void)b->run(rng, jobs + i, n - i < b->lanes ? n - i : b->lanes);
    } else {
        for (size_t i = 0; i < n; i++) jobs[i].rc = dh_one(p->cls.dh, rng, &jobs[i]);
    }
    FIRST_FAIL(jobs, n);
}

hsb_rc hsb_modexp_batch(const hsb_provider *p, hsb_modexp_job *jobs, size_t n)
{
    HSB_ENSURE(p != NULL && (jobs != NULL || n == 0), HSB_E_USAGE);
    const hsb_modexp_class *one = p->cls.modexp;
    const hsb_modexp_batch_class *b = p->cls.modexp_batch;
    if (b && b->single == one && b->lanes > 1) {
        for (size_t i = 0; i < n; i += b->lanes)
            (void)b->run(jobs + i, n - i < b->lanes ? n - i : b->lanes);
        FIRST_FAIL(jobs, n);
    }
    for (size_t i = 0; i < n; i++) {
        hsb_modexp_job *j = &jobs[i];
        j->rc =
            one ? one->modexp(j->out, j->base, j->base_len, j->exp, j->exp_len, j->mod, j->mod_len)
                : HSB_E_UNSUPPORTED;
    }
    FIRST_FAIL(jobs, n);
}

/* The batch class serving single (its name and lanes), NULL for the loop. */
static const void *batch_of(const hsb_provider *p, hsb_class_id single, size_t *lanes)
{
    *lanes = 1;
    switch (single) {
    case HSB_CLASS_RSA_PRIV:
        if (!p->cls.rsa_priv_batch || p->cls.rsa_priv_batch->single != p->cls.rsa_priv) return NULL;
        *lanes = p->cls.rsa_priv_batch->lanes;
        return p->cls.rsa_priv_batch;
    case HSB_CLASS_DH:
        if (!p->cls.dh_batch || p->cls.dh_batch->single != p->cls.dh) return NULL;
        *lanes = p->cls.dh_batch->lanes;
        return p->cls.dh_batch;
    case HSB_CLASS_MODEXP:
        if (!p->cls.modexp_batch || p->cls.modexp_batch->single != p->cls.modexp) return NULL;
        *lanes = p->cls.modexp_batch->lanes;
        return p->cls.modexp_batch;
    default:
        return NULL;
    }
}

size_t hsb_batch_lanes(const hsb_provider *p, hsb_class_id single)
{
    size_t lanes;
    if (!p || !batch_of(p, single, &lanes) || lanes < 1) return 1;
    return lanes;
}

void hsb_batch_describe(const hsb_provider *p, hsb_class_id single, char *buf, size_t len)
{
    if (!buf || len == 0) return;
    size_t lanes;
    const char *what = hsb_class_name(single);
    /* Every batch class struct begins with its name, like the single ones. */
    const char *const *b = p ? batch_of(p, single, &lanes) : NULL;
    const char *from = p && (unsigned)single < HSB_CLASS_COUNT ? p->from[single] : NULL;
    if (b)
        snprintf(buf, len, "%s-batch: %s (%zu lanes)", what, *b, lanes);
    else if (from)
        snprintf(buf, len, "%s-batch: loop over %s's %s", what, from, what);
    else
        snprintf(buf, len, "%s-batch: none (no %s class)", what, what);
}
