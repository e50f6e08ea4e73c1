/* What the timed suites share: compositions, availability, labels, names. */
#include "hsb_suite.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"

/* The compositions the user named with --backend. */
static hsb_rc named_compositions(const hsb_opts *o, hsb_comp *out, size_t max, size_t *n)
{
    char err[512];
    for (*n = 0; *n < o->n_specs && *n < max; (*n)++) {
        if (hsb_provider_from_spec(o->specs[*n], &out[*n].p, err, sizeof err) != HSB_OK) {
            fprintf(stderr, "hsbench %s: bad --backend '%s': %s\n", o->cmd, o->specs[*n], err);
            HSB_BAIL(HSB_E_USAGE);
        }
        snprintf(out[*n].spec, sizeof out[*n].spec, "%s", o->specs[*n]);
    }
    return HSB_OK;
}

hsb_rc hsb_suite_compositions(const hsb_opts *o, unsigned want, hsb_comp *out, size_t max,
                              size_t *n)
{
    if (o->n_specs) return named_compositions(o, out, max, n);
    char err[512];
    size_t nb;
    const hsb_backend *const *bs = hsb_backends(&nb);
    *n = 0;
    for (size_t i = 0; i < nb && *n < max; i++) {
        unsigned has = 0;
        for (unsigned c = 0; c < HSB_CLASS_COUNT; c++)
            if (hsb_backend_class(bs[i], (hsb_class_id)c)) has |= HSB_CLASS_BIT(c);
        if (!(has & want) ||
            hsb_provider_from_spec(bs[i]->name, &out[*n].p, err, sizeof err) != HSB_OK)
            continue;
        snprintf(out[*n].spec, sizeof out[*n].spec, "%s", bs[i]->name);
        (*n)++;
    }
    return HSB_OK;
}

int hsb_suite_row_available(const hsb_comp *cp, unsigned need, char *why, size_t len)
{
    /* The provider knows, per class, what the spec asked for and what it got:
     * they differ exactly where a class was borrowed. */
    for (unsigned c = 0; c < HSB_CLASS_COUNT; c++) {
        const char *want = cp->p.intended[c], *got = cp->p.from[c];
        if (!(need & HSB_CLASS_BIT(c)) || (got && want && !strcmp(got, want))) continue;
        snprintf(why, len, "%s has no %s", want ? want : "none", hsb_class_name((hsb_class_id)c));
        return 0;
    }
    return 1;
}

void hsb_suite_row_label(const hsb_provider *p, unsigned mask, char *buf, size_t len)
{
    hsb_provider_label(p, mask, NULL, buf, len);
}

void hsb_suite_row_impls(hsb_figure *f, const hsb_provider *p, unsigned mask)
{
    for (unsigned c = 0; c < HSB_CLASS_COUNT; c++) {
        if (!(mask & HSB_CLASS_BIT(c))) continue;
        const char *impl = hsb_backend_impl_name(&p->cls, (hsb_class_id)c);
        char val[96];
        snprintf(val, sizeof val, "%s:%s", p->from[c] ? p->from[c] : "none", impl ? impl : "none");
        hsb_figure_impl(f, hsb_class_name((hsb_class_id)c), val);
    }
}

void hsb_figure_set_name(hsb_figure *f)
{
    size_t off = (size_t)snprintf(f->name, sizeof f->name, "%s/%s", f->suite, f->variant);
    if (f->bytes && off < sizeof f->name)
        off += (size_t)snprintf(f->name + off, sizeof f->name - off, "/%zu", f->bytes);
    if (off < sizeof f->name)
        off += (size_t)snprintf(f->name + off, sizeof f->name - off, "/%s", f->backend);
    if ((f->threads > 1 || !strcmp(f->suite, "handshake")) && off < sizeof f->name)
        off += (size_t)snprintf(f->name + off, sizeof f->name - off, "/threads:%u", f->threads);
    if (f->inflight > 1 && off < sizeof f->name)
        snprintf(f->name + off, sizeof f->name - off, "/inflight:%u", f->inflight);
}
