/* What the timed suites share: compositions, availability, labels, names. */
#include "hsb_suite.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"

int hsb_suite_compositions(const hsb_opts *o, unsigned want, hsb_comp *out, size_t max)
{
    size_t n = 0;
    char err[512];
    if (o->n_specs) {
        for (size_t i = 0; i < o->n_specs && n < max; i++) {
            if (hsb_provider_from_spec(o->specs[i], &out[n].p, err, sizeof err) != HSB_OK) {
                fprintf(stderr, "hsbench %s: bad --backend '%s': %s\n", o->cmd, o->specs[i], err);
                return -1;
            }
            snprintf(out[n].spec, sizeof out[n].spec, "%s", o->specs[i]);
            n++;
        }
        return (int)n;
    }
    size_t nb;
    const hsb_backend *const *bs = hsb_backends(&nb);
    for (size_t i = 0; i < nb && n < max; i++) {
        int has = 0;
        for (unsigned c = 0; c < HSB_CLASS_COUNT; c++)
            if ((want & HSB_CLASS_BIT(c)) && hsb_backend_class(bs[i], (hsb_class_id)c)) has = 1;
        if (!has) continue;
        if (hsb_provider_from_spec(bs[i]->name, &out[n].p, err, sizeof err) != HSB_OK) continue;
        snprintf(out[n].spec, sizeof out[n].spec, "%s", bs[i]->name);
        n++;
    }
    return (int)n;
}

/* The classes a spec key names (a group or one class); 0 if unknown. */
static unsigned key_mask(const char *key, size_t len)
{
    static const struct {
        const char *key;
        unsigned mask;
    } groups[] = {
        {"pk", HSB_CLASS_BIT(HSB_CLASS_MODEXP) | HSB_CLASS_BIT(HSB_CLASS_RSA_PRIV) |
                   HSB_CLASS_BIT(HSB_CLASS_RSA_PUB) | HSB_CLASS_BIT(HSB_CLASS_DH)},
        {"cipher", HSB_CLASS_BIT(HSB_CLASS_AES) | HSB_CLASS_BIT(HSB_CLASS_GCM)},
        {"mac", HSB_CLASS_BIT(HSB_CLASS_SHA256) | HSB_CLASS_BIT(HSB_CLASS_HMAC_SHA256)},
    };
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (strlen(groups[i].key) == len && !memcmp(groups[i].key, key, len)) return groups[i].mask;
    for (unsigned c = 0; c < HSB_CLASS_COUNT; c++) {
        const char *nm = hsb_class_name((hsb_class_id)c);
        if (strlen(nm) == len && !memcmp(nm, key, len)) return HSB_CLASS_BIT(c);
    }
    return 0;
}

/* The backend the spec asks for class c (into buf). */
static void intended(const char *spec, unsigned c, char *buf, size_t len)
{
    char base[64] = "";
    char keyed[64] = "";
    for (const char *s = spec; *s;) {
        size_t l = strcspn(s, ",");
        const char *eq = memchr(s, '=', l);
        if (!eq) {
            snprintf(base, sizeof base, "%.*s", (int)l, s);
        } else if (key_mask(s, (size_t)(eq - s)) & HSB_CLASS_BIT(c)) {
            snprintf(keyed, sizeof keyed, "%.*s", (int)(l - (size_t)(eq - s) - 1), eq + 1);
        }
        s += l;
        if (*s == ',') s++;
    }
    const hsb_backend *ref = hsb_backends(NULL)[0];
    snprintf(buf, len, "%s", keyed[0] ? keyed : base[0] ? base : ref->name);
}

int hsb_suite_row_available(const hsb_comp *cp, unsigned need, char *why, size_t len)
{
    for (unsigned c = 0; c < HSB_CLASS_COUNT; c++) {
        if (!(need & HSB_CLASS_BIT(c))) continue;
        char want[64];
        intended(cp->spec, c, want, sizeof want);
        const hsb_backend *b = hsb_backend_by_name(want);
        if (!b || !hsb_backend_class(b, (hsb_class_id)c) || !cp->p.from[c] ||
            strcmp(cp->p.from[c], want) != 0) {
            snprintf(why, len, "%s has no %s", want, hsb_class_name((hsb_class_id)c));
            return 0;
        }
    }
    return 1;
}

void hsb_suite_row_label(const hsb_provider *p, unsigned mask, char *buf, size_t len)
{
    const char *seen[HSB_CLASS_COUNT];
    size_t n = 0, off = 0;
    buf[0] = '\0';
    for (unsigned c = 0; c < HSB_CLASS_COUNT; c++) {
        if (!(mask & HSB_CLASS_BIT(c)) || !p->from[c]) continue;
        int dup = 0;
        for (size_t i = 0; i < n; i++) dup |= !strcmp(seen[i], p->from[c]);
        if (dup) continue;
        seen[n++] = p->from[c];
        if (off < len)
            off += (size_t)snprintf(buf + off, len - off, "%s%s", n > 1 ? "+" : "", p->from[c]);
    }
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
        snprintf(f->name + off, sizeof f->name - off, "/threads:%u", f->threads);
}
