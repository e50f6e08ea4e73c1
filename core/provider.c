/* Composition of backends: one implementation per class, chosen in the open. */
#include "hsb_provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_ct.h"

static const char *const class_names[HSB_CLASS_COUNT] = {
    "modexp", "rsa-priv", "rsa-pub", "dh", "aes", "gcm", "sha256", "hmac-sha256", "rng", "cbc-hmac",
};

const char *hsb_class_name(hsb_class_id id)
{
    return (unsigned)id < HSB_CLASS_COUNT ? class_names[id] : "?";
}

const void *hsb_backend_class(const hsb_backend *b, hsb_class_id id)
{
    switch (id) {
    case HSB_CLASS_MODEXP:
        return b->modexp;
    case HSB_CLASS_RSA_PRIV:
        return b->rsa_priv;
    case HSB_CLASS_RSA_PUB:
        return b->rsa_pub;
    case HSB_CLASS_DH:
        return b->dh;
    case HSB_CLASS_AES:
        return b->aes;
    case HSB_CLASS_GCM:
        return b->gcm;
    case HSB_CLASS_SHA256:
        return b->sha256;
    case HSB_CLASS_HMAC_SHA256:
        return b->hmac;
    case HSB_CLASS_RNG:
        return b->rng;
    case HSB_CLASS_CBC_HMAC:
        return b->cbc_hmac;
    default:
        return NULL;
    }
}

const char *hsb_backend_impl_name(const hsb_backend *b, hsb_class_id id)
{
    /* Every class struct begins with its name. */
    const char *const *cls = hsb_backend_class(b, id);
    return cls ? *cls : NULL;
}

static void set_class(hsb_backend *dst, const hsb_backend *src, hsb_class_id id)
{
    switch (id) {
    case HSB_CLASS_MODEXP:
        dst->modexp = src->modexp;
        /* A batch class only with the very single class its jobs' contexts
         * (or none, for modexp) belong to. */
        if (src->modexp_batch && src->modexp_batch->single == src->modexp)
            dst->modexp_batch = src->modexp_batch;
        break;
    case HSB_CLASS_RSA_PRIV:
        dst->rsa_priv = src->rsa_priv;
        if (src->rsa_priv_batch && src->rsa_priv_batch->single == src->rsa_priv)
            dst->rsa_priv_batch = src->rsa_priv_batch;
        break;
    case HSB_CLASS_RSA_PUB:
        dst->rsa_pub = src->rsa_pub;
        break;
    case HSB_CLASS_DH:
        dst->dh = src->dh;
        if (src->dh_batch && src->dh_batch->single == src->dh) dst->dh_batch = src->dh_batch;
        break;
    case HSB_CLASS_AES:
        dst->aes = src->aes;
        break;
    case HSB_CLASS_GCM:
        dst->gcm = src->gcm;
        break;
    case HSB_CLASS_SHA256:
        dst->sha256 = src->sha256;
        break;
    case HSB_CLASS_HMAC_SHA256:
        dst->hmac = src->hmac;
        break;
    case HSB_CLASS_RNG:
        dst->rng = src->rng;
        break;
    case HSB_CLASS_CBC_HMAC:
        dst->cbc_hmac = src->cbc_hmac;
        break;
    default:
        break;
    }
}

/* Groups of classes a spec may name at once. */
static const struct {
    const char *key;
    unsigned mask;
} groups[] = {
    {"pk", (1u << HSB_CLASS_MODEXP) | (1u << HSB_CLASS_RSA_PRIV) | (1u << HSB_CLASS_RSA_PUB) |
               (1u << HSB_CLASS_DH)},
    {"cipher", (1u << HSB_CLASS_AES) | (1u << HSB_CLASS_GCM) | (1u << HSB_CLASS_CBC_HMAC)},
    {"mac", (1u << HSB_CLASS_SHA256) | (1u << HSB_CLASS_HMAC_SHA256)},
};

static unsigned key_mask(const char *key, size_t len)
{
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (strlen(groups[i].key) == len && memcmp(groups[i].key, key, len) == 0)
            return groups[i].mask;
    for (unsigned c = 0; c < HSB_CLASS_COUNT; c++)
        if (strlen(class_names[c]) == len && memcmp(class_names[c], key, len) == 0) return 1u << c;
    return 0;
}

static const hsb_backend *find_backend(const hsb_backend *const *bs, size_t n, const char *name,
                                       size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(bs[i]->name) == len && memcmp(bs[i]->name, name, len) == 0) return bs[i];
    return NULL;
}

static void list_choices(const hsb_backend *const *bs, size_t n, char *buf, size_t len)
{
    size_t off = 0;
    for (size_t i = 0; i < n && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", bs[i]->name);
}

static hsb_rc spec_error(const hsb_backend *const *bs, size_t n, char *err, size_t err_len,
                         const char *what, const char *tok, size_t tok_len)
{
    char names[128];
    list_choices(bs, n, names, sizeof names);
    if (err && err_len)
        snprintf(err, err_len,
                 "%s '%.*s'; backends: %s; keys: pk, cipher, mac, rng, modexp, rsa-priv, "
                 "rsa-pub, dh, aes, gcm, cbc-hmac, sha256, hmac-sha256 (e.g. 'gmp' or "
                 "'pk=gmp,cipher=openssl,mac=openssl')",
                 what, (int)tok_len, tok, names);
    HSB_BAIL_MSG(HSB_E_USAGE, "bad backend spec");
}

hsb_rc hsb_compose(const hsb_backend *const *bs, size_t n, const char *spec, hsb_provider *out,
                   char *err, size_t err_len)
{
    HSB_ENSURE(bs && n > 0 && spec && out, HSB_E_USAGE);
    memset(out, 0, sizeof *out);
    const hsb_backend *chosen[HSB_CLASS_COUNT] = {0};
    const hsb_backend *base = NULL;
    unsigned named = 0;

    const char *s = spec;
    if (*s == '\0') return spec_error(bs, n, err, err_len, "empty backend spec", "", 0);
    while (*s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        const char *eq = memchr(s, '=', len);
        if (len == 0) return spec_error(bs, n, err, err_len, "empty item in spec", spec, 0);
        if (!eq) {
            const hsb_backend *b = find_backend(bs, n, s, len);
            if (!b) return spec_error(bs, n, err, err_len, "unknown backend", s, len);
            if (base || named)
                return spec_error(bs, n, err, err_len, "a bare backend name must come first", s,
                                  len);
            base = b;
        } else {
            unsigned mask = key_mask(s, (size_t)(eq - s));
            if (!mask)
                return spec_error(bs, n, err, err_len, "unknown class key", s, (size_t)(eq - s));
            const char *v = eq + 1;
            size_t vlen = len - (size_t)(v - s);
            const hsb_backend *b = find_backend(bs, n, v, vlen);
            if (!b) return spec_error(bs, n, err, err_len, "unknown backend", v, vlen);
            if (mask & named) return spec_error(bs, n, err, err_len, "class named twice", s, len);
            for (unsigned c = 0; c < HSB_CLASS_COUNT; c++)
                if (mask & (1u << c)) chosen[c] = b;
            named |= mask;
        }
        s += len;
        if (*s == ',') s++;
    }

    const hsb_backend *ref = bs[0];
    for (unsigned c = 0; c < HSB_CLASS_COUNT; c++) {
        const hsb_backend *want = chosen[c] ? chosen[c] : base ? base : ref;
        const hsb_backend *b = chosen[c];
        if (!b) b = base && hsb_backend_class(base, (hsb_class_id)c) ? base : ref;
        /* An optional class comes from the backend asked for or from none
         * (its users compose the pieces then). */
        if (c == HSB_CLASS_CBC_HMAC) b = hsb_backend_class(want, (hsb_class_id)c) ? want : NULL;
        if (b && !hsb_backend_class(b, (hsb_class_id)c)) {
            /* The named backend lacks the class: borrow from the reference, in
             * the open (the description and from[] say so). */
            if (hsb_backend_class(ref, (hsb_class_id)c))
                b = ref;
            else
                b = NULL;
        }
        out->intended[c] = want->name;
        if (b) {
            set_class(&out->cls, b, (hsb_class_id)c);
            out->from[c] = b->name;
        }
    }

    /* Label: the distinct backends, the primary first, joined by '+'. */
    const hsb_backend *primary = base ? base : named && chosen[0] ? chosen[0] : ref;
    hsb_provider_label(out, (1u << HSB_CLASS_COUNT) - 1, primary->name, out->label,
                       sizeof out->label);
    out->cls.name = out->label;
    out->cls.about = "composition";

    size_t off = 0;
    for (unsigned c = 0; c < HSB_CLASS_COUNT && off < sizeof out->spec; c++)
        off += (size_t)snprintf(out->spec + off, sizeof out->spec - off, "%s%s=%s", c ? "," : "",
                                class_names[c], out->from[c] ? out->from[c] : "none");
    return HSB_OK;
}

void hsb_provider_label(const hsb_provider *p, unsigned mask, const char *first, char *buf,
                        size_t len)
{
    const char *seen[HSB_CLASS_COUNT + 1];
    size_t n = 0, off = 0;
    buf[0] = '\0';
    if (first) seen[n++] = first;
    for (unsigned c = 0; c < HSB_CLASS_COUNT; c++) {
        const char *f = p->from[c];
        int dup = !(mask & (1u << c)) || f == NULL;
        for (size_t i = 0; i < n && !dup; i++) dup = strcmp(seen[i], f) == 0;
        if (!dup) seen[n++] = f;
    }
    for (size_t i = 0; i < n && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "+" : "", seen[i]);
}

void hsb_provider_describe(const hsb_provider *p, char *buf, size_t len)
{
    size_t off = (size_t)snprintf(buf, len, "%s", p->label);
    /* Name every class that came from a backend other than the label's first. */
    char first[32];
    size_t flen = strcspn(p->label, "+");
    snprintf(first, sizeof first, "%.*s", (int)flen, p->label);
    int any = 0;
    for (unsigned c = 0; c < HSB_CLASS_COUNT && off < len; c++) {
        const char *f = p->from[c];
        if ((f && strcmp(f, first) == 0) || (!f && c == HSB_CLASS_CBC_HMAC)) continue;
        off += (size_t)snprintf(buf + off, len - off, "%s%s from %s", any ? ", " : " (",
                                class_names[c], f ? f : "nowhere");
        any = 1;
    }
    if (any && off < len) snprintf(buf + off, len - off, ")");
}

void *hsb_ctx_alloc(size_t ctx_size)
{
    size_t sz = (ctx_size + HSB_CTX_ALIGN - 1) / HSB_CTX_ALIGN * HSB_CTX_ALIGN;
    if (sz == 0) sz = HSB_CTX_ALIGN;
    void *p = aligned_alloc(HSB_CTX_ALIGN, sz);
    if (p) memset(p, 0, sz);
    return p;
}

void hsb_ctx_free(void *ctx, size_t ctx_size)
{
    if (!ctx) return;
    hsb_wipe(ctx, ctx_size);
    free(ctx);
}
