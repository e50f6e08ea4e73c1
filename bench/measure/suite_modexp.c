/*
 * hsbench modexp: the cost of the public-key arithmetic by size and backend.
 *
 *   modexp-N         out = base^exp mod m, a random odd N-bit modulus, a full
 *                    N-bit exponent, base and exponent random and fixed per run
 *   crt-N            the RSA private operation (CRT) with an N-bit key
 *   dh-keygen-G      a DH key pair in group G (private exponent of the group's
 *                    size, g^x mod p)
 *   dh-derive-G      the shared secret peer^x mod p
 *
 * Reference rows ("bn-reference", "evp-reference"): OpenSSL doing the same
 * work through its public API, bytes in and bytes out as our classes take
 * them: BN_mod_exp_mont_consttime (no cached Montgomery context, as the class
 * interface has none), EVP_PKEY_decrypt with RSA_NO_PADDING (blinded, as
 * OpenSSL does by default), EVP_PKEY_keygen and EVP_PKEY_derive (peer set
 * once, unvalidated, as our derive checks only the range).
 *
 * Before a row is measured its result is checked against OpenSSL's on the
 * same inputs; a wrong answer fails the row instead of timing it.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_dh_groups.h"
#include "hsb_suite.h"

enum { MX_MODEXP, MX_CRT, MX_DH_KEYGEN, MX_DH_DERIVE };

typedef struct mx_job {
    int kind, ref;
    const hsb_provider *p;
    size_t len; /* modulus bytes */
    uint8_t mod[HSB_MAX_MODULUS_BYTES], base[HSB_MAX_MODULUS_BYTES], exp[HSB_MAX_MODULUS_BYTES];
    const hsb_bench_rsa *rsa;
    const hsb_dh_group *group;
    EVP_PKEY *dh_params, *dh_peer; /* reference: group, and the peer's key */
    uint8_t peer_pub[HSB_MAX_MODULUS_BYTES];
} mx_job;

typedef struct mx_state {
    const mx_job *j;
    uint8_t in[HSB_MAX_MODULUS_BYTES], out[HSB_MAX_MODULUS_BYTES];
    void *ctx;
    size_t ctx_size;
    BN_CTX *bnctx;
    BIGNUM *r, *a, *e, *m;
    EVP_PKEY_CTX *pctx;
    EVP_PKEY *own;
} mx_state;

static void mx_free(void *arg, void *sp)
{
    (void)arg;
    mx_state *s = sp;
    if (!s) return;
    if (s->ctx) {
        const hsb_provider *p = s->j->p;
        if (s->j->kind == MX_CRT)
            p->cls.rsa_priv->clear(s->ctx);
        else if (s->j->kind >= MX_DH_KEYGEN)
            p->cls.dh->clear(s->ctx);
        hsb_ctx_free(s->ctx, s->ctx_size);
    }
    BN_CTX_free(s->bnctx);
    BN_free(s->r);
    BN_free(s->a);
    BN_free(s->e);
    BN_free(s->m);
    EVP_PKEY_CTX_free(s->pctx);
    EVP_PKEY_free(s->own);
    free(s);
}

static hsb_rc mx_init(void *arg, unsigned tid, void **out)
{
    (void)tid;
    const mx_job *j = arg;
    mx_state *s = aligned_alloc(64, (sizeof(mx_state) + 63) / 64 * 64);
    HSB_ENSURE(s, HSB_E_NOMEM);
    memset(s, 0, sizeof *s);
    s->j = j;
    *out = s;
    const hsb_provider *p = j->p;
    switch (j->kind) {
    case MX_MODEXP:
        if (j->ref) {
            s->bnctx = BN_CTX_new();
            s->r = BN_new();
            s->a = BN_new();
            s->e = BN_new();
            s->m = BN_new();
            HSB_ENSURE(s->bnctx && s->r && s->a && s->e && s->m, HSB_E_NOMEM);
        }
        return HSB_OK;
    case MX_CRT:
        memcpy(s->in, j->base, j->len);
        if (j->ref) {
            s->pctx = EVP_PKEY_CTX_new(j->rsa->pkey, NULL);
            HSB_ENSURE(s->pctx && EVP_PKEY_decrypt_init(s->pctx) == 1 &&
                           EVP_PKEY_CTX_set_rsa_padding(s->pctx, RSA_NO_PADDING) == 1,
                       HSB_E_CRYPTO);
            return HSB_OK;
        }
        s->ctx_size = p->cls.rsa_priv->ctx_size;
        HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
        return p->cls.rsa_priv->init(s->ctx, &j->rsa->key);
    case MX_DH_KEYGEN:
    case MX_DH_DERIVE:
        if (j->ref) {
            if (j->kind == MX_DH_KEYGEN) {
                s->pctx = EVP_PKEY_CTX_new(j->dh_params, NULL);
                HSB_ENSURE(s->pctx && EVP_PKEY_keygen_init(s->pctx) == 1, HSB_E_CRYPTO);
                return HSB_OK;
            }
            EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new(j->dh_params, NULL);
            int ok = kc && EVP_PKEY_keygen_init(kc) == 1 && EVP_PKEY_keygen(kc, &s->own) == 1;
            EVP_PKEY_CTX_free(kc);
            HSB_ENSURE(ok, HSB_E_CRYPTO);
            s->pctx = EVP_PKEY_CTX_new(s->own, NULL);
            HSB_ENSURE(s->pctx && EVP_PKEY_derive_init(s->pctx) == 1 &&
                           EVP_PKEY_derive_set_peer_ex(s->pctx, j->dh_peer, 0) == 1,
                       HSB_E_CRYPTO);
            return HSB_OK;
        }
        s->ctx_size = p->cls.dh->ctx_size;
        HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
        HSB_GUARD(p->cls.dh->init(s->ctx, j->group));
        if (j->kind == MX_DH_DERIVE)
            HSB_GUARD(p->cls.dh->keygen(s->ctx, p->cls.rng, s->in, j->len));
        return HSB_OK;
    default:
        HSB_BAIL(HSB_E_INTERNAL);
    }
}

static hsb_rc mx_op(void *sp, hsb_tstats *st)
{
    (void)st;
    mx_state *s = sp;
    const mx_job *j = s->j;
    const hsb_provider *p = j->p;
    size_t len = j->len;
    switch (j->kind) {
    case MX_MODEXP:
        if (!j->ref) return p->cls.modexp->modexp(s->out, j->base, len, j->exp, len, j->mod, len);
        HSB_ENSURE(BN_bin2bn(j->base, (int)len, s->a) && BN_bin2bn(j->exp, (int)len, s->e) &&
                       BN_bin2bn(j->mod, (int)len, s->m) &&
                       BN_mod_exp_mont_consttime(s->r, s->a, s->e, s->m, s->bnctx, NULL) == 1 &&
                       BN_bn2binpad(s->r, s->out, (int)len) == (int)len,
                   HSB_E_CRYPTO);
        return HSB_OK;
    case MX_CRT:
        if (!j->ref) return p->cls.rsa_priv->op(s->ctx, s->out, s->in, len);
        {
            size_t ol = sizeof s->out;
            HSB_ENSURE(EVP_PKEY_decrypt(s->pctx, s->out, &ol, s->in, len) == 1, HSB_E_CRYPTO);
        }
        return HSB_OK;
    case MX_DH_KEYGEN:
        if (!j->ref) return p->cls.dh->keygen(s->ctx, p->cls.rng, s->out, len);
        {
            EVP_PKEY *k = NULL;
            HSB_ENSURE(EVP_PKEY_keygen(s->pctx, &k) == 1, HSB_E_CRYPTO);
            EVP_PKEY_free(k);
        }
        return HSB_OK;
    case MX_DH_DERIVE:
        if (!j->ref) return p->cls.dh->derive(s->ctx, s->out, len, j->peer_pub, len);
        {
            size_t ol = sizeof s->out;
            HSB_ENSURE(EVP_PKEY_derive(s->pctx, s->out, &ol) == 1, HSB_E_CRYPTO);
        }
        return HSB_OK;
    default:
        HSB_BAIL(HSB_E_INTERNAL);
    }
}

/* base^exp mod m with BN, left-padded to len; 1 on success. */
static int bn_modexp(uint8_t *out, const uint8_t *b, size_t bl, const uint8_t *e, size_t el,
                     const uint8_t *m, size_t len)
{
    BN_CTX *c = BN_CTX_new();
    BIGNUM *r = BN_new(), *a = BN_bin2bn(b, (int)bl, NULL), *x = BN_bin2bn(e, (int)el, NULL),
           *n = BN_bin2bn(m, (int)len, NULL);
    int ok = c && r && a && x && n && BN_mod_exp(r, a, x, n, c) == 1 &&
             BN_bn2binpad(r, out, (int)len) == (int)len;
    BN_free(r);
    BN_free(a);
    BN_clear_free(x);
    BN_free(n);
    BN_CTX_free(c);
    return ok;
}

/* Check a backend row against OpenSSL before timing it; 1 when right. */
static int mx_verify(void *arg, char *err, size_t len)
{
    mx_job *j = arg;
    void *sp = NULL;
    hsb_rc rc = mx_init(j, 0, &sp);
    mx_state *s = sp;
    int ok = 0;
    uint8_t want[HSB_MAX_MODULUS_BYTES];
    if (rc != HSB_OK) {
        snprintf(err, len, "set-up failed: %s", hsb_last_error());
        goto out;
    }
    const hsb_provider *p = j->p;
    switch (j->kind) {
    case MX_MODEXP:
    case MX_CRT: {
        if ((rc = mx_op(s, NULL)) != HSB_OK) {
            snprintf(err, len, "operation failed: %s", hsb_last_error());
            goto out;
        }
        int bn_ok = j->kind == MX_MODEXP
                        ? bn_modexp(want, j->base, j->len, j->exp, j->len, j->mod, j->len)
                        : bn_modexp(want, j->base, j->len, j->rsa->key.d, j->rsa->key.d_len,
                                    j->rsa->key.n, j->len);
        ok = bn_ok && memcmp(want, s->out, j->len) == 0;
        if (!ok) snprintf(err, len, "wrong result against OpenSSL BN_mod_exp: not measured");
        break;
    }
    case MX_DH_KEYGEN:
    case MX_DH_DERIVE: {
        /* Two keys: the secrets must agree both ways, and, where the class
         * takes a known exponent, match g^x and peer^x computed by BN. */
        void *sp2 = NULL;
        mx_job j2 = *j;
        j2.kind = MX_DH_DERIVE;
        mx_state *t = NULL;
        uint8_t pub1[HSB_MAX_MODULUS_BYTES], pub2[HSB_MAX_MODULUS_BYTES];
        uint8_t s1[HSB_MAX_MODULUS_BYTES], s2[HSB_MAX_MODULUS_BYTES];
        size_t L = j->len;
        if (mx_init(&j2, 0, &sp2) != HSB_OK) {
            snprintf(err, len, "set-up failed: %s", hsb_last_error());
            mx_free(NULL, sp2);
            goto out;
        }
        t = sp2;
        if (p->cls.dh->keygen(s->ctx, p->cls.rng, pub1, L) != HSB_OK ||
            p->cls.dh->keygen(t->ctx, p->cls.rng, pub2, L) != HSB_OK ||
            p->cls.dh->derive(s->ctx, s1, L, pub2, L) != HSB_OK ||
            p->cls.dh->derive(t->ctx, s2, L, pub1, L) != HSB_OK) {
            snprintf(err, len, "keygen/derive failed: %s", hsb_last_error());
        } else if (memcmp(s1, s2, L) != 0) {
            snprintf(err, len, "the two sides' secrets differ: not measured");
        } else {
            ok = 1;
            uint8_t x[32];
            hsb_bench_random(x, sizeof x);
            x[0] |= 0x80;
            if (p->cls.dh->set_priv &&
                p->cls.dh->set_priv(s->ctx, x, sizeof x, pub1, L) == HSB_OK) {
                ok = bn_modexp(want, j->group->g, j->group->g_len, x, sizeof x, j->group->p, L) &&
                     !memcmp(want, pub1, L) &&
                     p->cls.dh->derive(s->ctx, s1, L, pub2, L) == HSB_OK &&
                     bn_modexp(want, pub2, L, x, sizeof x, j->group->p, L) && !memcmp(want, s1, L);
                if (!ok)
                    snprintf(err, len, "wrong result against OpenSSL BN_mod_exp: not measured");
            }
        }
        mx_free(NULL, t);
        break;
    }
    default:
        break;
    }
out:
    mx_free(NULL, s);
    return ok;
}

/* Row n of a group: a copy of job for provider p, or for the reference
 * (p NULL). */
static mx_job *row_job(mx_job *rows, size_t n, const mx_job *job, const hsb_provider *p)
{
    rows[n] = *job;
    rows[n].ref = !p;
    rows[n].p = p;
    return &rows[n];
}

/* A random n-byte odd modulus with its top bit set, and base < modulus. */
static void random_inputs(mx_job *j, size_t n)
{
    j->len = n;
    hsb_bench_random(j->mod, n);
    j->mod[0] |= 0x80;
    j->mod[n - 1] |= 1;
    hsb_bench_random(j->base, n);
    j->base[0] &= 0x7f;
    hsb_bench_random(j->exp, n);
    j->exp[0] |= 0x80;
}

typedef struct mx_variant {
    int kind;
    char variant[48];
    unsigned bits;
    const hsb_dh_group *group;
} mx_variant;

int hsb_suite_modexp(hsb_report *r, const hsb_opts *o)
{
    hsb_comp comps[HSB_MAX_SPECS];
    unsigned want = HSB_CLASS_BIT(HSB_CLASS_MODEXP) | HSB_CLASS_BIT(HSB_CLASS_RSA_PRIV) |
                    HSB_CLASS_BIT(HSB_CLASS_DH);
    int nc = hsb_suite_compositions(o, want, comps, HSB_MAX_SPECS);
    if (nc < 0) return 2;

    /* The variants, in order: modexp per size, RSA per size, DH per group. */
    mx_variant vs[HSB_MAX_LIST * 4];
    size_t nv = 0;
    for (size_t i = 0; i < o->n_bits; i++) {
        vs[nv] = (mx_variant){MX_MODEXP, "", o->bits[i], NULL};
        snprintf(vs[nv].variant, sizeof vs[nv].variant, "modexp-%u", o->bits[i]);
        nv++;
    }
    for (size_t i = 0; i < o->n_bits; i++) {
        if (o->bits[i] < 1024) continue;
        vs[nv] = (mx_variant){MX_CRT, "", o->bits[i], NULL};
        snprintf(vs[nv].variant, sizeof vs[nv].variant, "crt-%u", o->bits[i]);
        nv++;
    }
    const hsb_dh_group *groups[HSB_MAX_LIST];
    size_t ng = 0;
    if (o->n_dh_groups) {
        for (size_t i = 0; i < o->n_dh_groups; i++)
            groups[ng++] = hsb_dh_group_by_name(o->dh_groups[i]);
    } else {
        for (size_t i = 0; i < o->n_bits; i++) {
            char name[32];
            snprintf(name, sizeof name, "ffdhe%u", o->bits[i]);
            const hsb_dh_group *g = hsb_dh_group_by_name(name);
            if (g) groups[ng++] = g;
        }
    }
    for (size_t i = 0; i < ng; i++) {
        if (!groups[i]) continue;
        vs[nv] = (mx_variant){MX_DH_KEYGEN, "", (unsigned)groups[i]->p_len * 8, groups[i]};
        snprintf(vs[nv].variant, sizeof vs[nv].variant, "dh-keygen-%s", groups[i]->name);
        nv++;
        vs[nv] = (mx_variant){MX_DH_DERIVE, "", (unsigned)groups[i]->p_len * 8, groups[i]};
        snprintf(vs[nv].variant, sizeof vs[nv].variant, "dh-derive-%s", groups[i]->name);
        nv++;
    }

    /* job: the variant's inputs; rows[]: one copy per row of a group (a
     * reference and the compositions beside it), alive until the flush. */
    mx_job *job = calloc(1, sizeof *job), *rows = calloc((size_t)nc + 1, sizeof *rows);
    if (!job || !rows) {
        free(job);
        free(rows);
        return 1;
    }
    for (size_t v = 0; v < nv; v++) {
        const mx_variant *mv = &vs[v];
        size_t L = mv->bits / 8;
        memset(job, 0, sizeof *job);
        job->kind = mv->kind;
        job->group = mv->group;
        int setup_ok = 1;
        char setup_err[128] = "";
        unsigned cls = mv->kind == MX_MODEXP ? HSB_CLASS_MODEXP
                       : mv->kind == MX_CRT  ? HSB_CLASS_RSA_PRIV
                                             : HSB_CLASS_DH;
        if (mv->kind == MX_MODEXP) {
            random_inputs(job, L);
        } else if (mv->kind == MX_CRT) {
            if (r->tty && !r->quiet)
                fprintf(stderr, "\r\033[Kgenerating an RSA-%u key ...", mv->bits);
            job->rsa = hsb_bench_rsa_key(mv->bits);
            if (!job->rsa) {
                setup_ok = 0;
                snprintf(setup_err, sizeof setup_err, "RSA-%u key generation failed", mv->bits);
            } else {
                job->len = job->rsa->key.n_len;
                /* A random input below n: one bit shorter. */
                hsb_bench_random(job->base, job->len);
                job->base[0] &= 0x3f;
            }
        } else {
            job->len = L = mv->group->p_len;
            job->dh_params = hsb_ossl_dh_params(mv->group->name);
            EVP_PKEY_CTX *kc = job->dh_params ? EVP_PKEY_CTX_new(job->dh_params, NULL) : NULL;
            BIGNUM *y = NULL;
            if (!kc || EVP_PKEY_keygen_init(kc) != 1 || EVP_PKEY_keygen(kc, &job->dh_peer) != 1 ||
                EVP_PKEY_get_bn_param(job->dh_peer, OSSL_PKEY_PARAM_PUB_KEY, &y) != 1 ||
                BN_bn2binpad(y, job->peer_pub, (int)L) != (int)L) {
                setup_ok = 0;
                snprintf(setup_err, sizeof setup_err, "OpenSSL DH set-up for %s failed",
                         mv->group->name);
            }
            BN_free(y);
            EVP_PKEY_CTX_free(kc);
        }

        for (size_t t = 0; t < o->n_threads; t++) {
            long ref_idx = -1;
            size_t nrow = 0;
            if (o->reference) {
                size_t idx;
                hsb_figure *f = hsb_report_add_row(
                    r, &idx, "modexp", mv->variant,
                    mv->kind == MX_MODEXP ? "bn-reference" : "evp-reference", o->threads[t]);
                if (!f) break;
                f->is_reference = 1;
                f->bits = mv->bits;
                if (mv->group) snprintf(f->group, sizeof f->group, "%s", mv->group->name);
                hsb_figure_set_name(f);
                hsb_figure_impl(f, hsb_class_name((hsb_class_id)cls),
                                mv->kind == MX_MODEXP ? "openssl:BN_mod_exp_mont_consttime"
                                : mv->kind == MX_CRT  ? "openssl:EVP_PKEY_decrypt(RSA_NO_PADDING)"
                                : mv->kind == MX_DH_KEYGEN ? "openssl:EVP_PKEY_keygen(DH)"
                                                           : "openssl:EVP_PKEY_derive(DH)");
                ref_idx = (long)idx;
                if (!setup_ok) {
                    hsb_report_fail(r, f, setup_err);
                } else {
                    hsb_work w = {mx_init, mx_op, mx_free, row_job(rows, nrow++, job, NULL), 0, 0};
                    hsb_report_queue(r, idx, &w);
                }
            }
            for (int c = 0; c < nc; c++) {
                const hsb_provider *p = &comps[c].p;
                unsigned need =
                    HSB_CLASS_BIT(cls) | (mv->kind == MX_DH_KEYGEN || mv->kind == MX_DH_DERIVE
                                              ? HSB_CLASS_BIT(HSB_CLASS_RNG)
                                              : 0);
                char why[128], label[96];
                hsb_suite_row_label(p, HSB_CLASS_BIT(cls), label, sizeof label);
                if (!hsb_suite_row_available(&comps[c], HSB_CLASS_BIT(cls), why, sizeof why) ||
                    ((need & HSB_CLASS_BIT(HSB_CLASS_RNG)) && !p->cls.rng)) {
                    if (t == 0)
                        hsb_report_note(r, "modexp/%s/%s: UNAVAILABLE (%s)", mv->variant,
                                        comps[c].spec, p->cls.rng ? why : "no rng");
                    continue;
                }
                /* Two compositions with the same implementation: measure once. */
                int dup = 0;
                for (int d = 0; d < c; d++) {
                    char l2[96];
                    hsb_suite_row_label(&comps[d].p, HSB_CLASS_BIT(cls), l2, sizeof l2);
                    dup |= !strcmp(l2, label) &&
                           hsb_suite_row_available(&comps[d], HSB_CLASS_BIT(cls), why, sizeof why);
                }
                if (dup) continue;
                size_t idx;
                hsb_figure *f =
                    hsb_report_add_row(r, &idx, "modexp", mv->variant, label, o->threads[t]);
                if (!f) break;
                f->bits = mv->bits;
                f->ref = ref_idx;
                if (mv->group) snprintf(f->group, sizeof f->group, "%s", mv->group->name);
                hsb_figure_set_name(f);
                hsb_suite_row_impls(f, p, need);
                if (!setup_ok) {
                    hsb_report_fail(r, f, setup_err);
                    continue;
                }
                hsb_work w = {mx_init, mx_op, mx_free, row_job(rows, nrow++, job, p), 0, 0};
                hsb_report_queue_checked(r, idx, &w, mx_verify);
            }
            hsb_report_flush(r);
        }
        EVP_PKEY_free(job->dh_params);
        EVP_PKEY_free(job->dh_peer);
    }
    free(job);
    free(rows);
    return 0;
}
