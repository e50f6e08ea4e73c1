/*
 * hsbench modexp: the cost of the public-key arithmetic by size and backend.
 *
 *   modexp-N         out = base^exp mod m, a random odd N-bit modulus, a full
 *                    N-bit exponent, base and exponent random and fixed per run
 *   crt-N            the RSA private operation (CRT) with an N-bit key
 *   dh-keygen-G      a DH key pair in group G (private exponent of the group's
 *                    size, g^x mod p)
 *   dh-derive-G      the shared secret peer^x mod p
 *   ...-batchB       (--batch B) the same work as B jobs per call through the
 *                    composition's batch class (hsb_provider.h "batches"),
 *                    or its loop over the single op where the backend has
 *                    none; rates count jobs. Each lane its own input (DH:
 *                    its own context); the reference row is OpenSSL's
 *                    single op, so the ratio is per-core throughput against
 *                    it. The row's batch field and a note name the batch
 *                    class and the mean lanes filled per pass.
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
#include "hsb_rowgroup.h"

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
    unsigned batch; /* jobs per call (composition rows), 0: the single op */
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
    /* batch rows: per-lane inputs and outputs (HSB_MAX_MODULUS_BYTES apart)
     * and, for DH, per-lane contexts */
    uint8_t *bin, *bout;
    void **bctx;
} mx_state;

#define MB HSB_MAX_MODULUS_BYTES

static void mx_free_batch(mx_state *s)
{
    const hsb_provider *p = s->j->p;
    for (unsigned i = 0; s->bctx && i < s->j->batch; i++) {
        if (s->bctx[i]) p->cls.dh->clear(s->bctx[i]);
        hsb_ctx_free(s->bctx[i], p->cls.dh->ctx_size);
    }
    free(s->bctx);
    hsb_ctx_free(s->bin, (size_t)s->j->batch * MB);
    hsb_ctx_free(s->bout, (size_t)s->j->batch * MB);
}

static void mx_free(void *arg, void *sp)
{
    (void)arg;
    mx_state *s = sp;
    if (!s) return;
    if (s->j->batch && !s->j->ref) mx_free_batch(s);
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
    hsb_ctx_free(s, sizeof *s);
}

/* Batch rows: lane i's input is the job's with its last byte xor i (still
 * below the modulus: the inputs' top bits are clear); DH lanes get contexts
 * of their own (keygen writes each lane's x). */
static hsb_rc mx_init_batch(const mx_job *j, mx_state *s)
{
    const hsb_provider *p = j->p;
    unsigned nb = j->batch;
    s->bin = hsb_ctx_alloc((size_t)nb * MB);
    s->bout = hsb_ctx_alloc((size_t)nb * MB);
    HSB_ENSURE(s->bin && s->bout, HSB_E_NOMEM);
    for (unsigned i = 0; i < nb; i++) {
        memcpy(s->bin + (size_t)i * MB, j->base, j->len);
        s->bin[(size_t)i * MB + j->len - 1] ^= (uint8_t)i;
    }
    if (j->kind == MX_CRT) {
        s->ctx_size = p->cls.rsa_priv->ctx_size;
        HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
        return p->cls.rsa_priv->init(s->ctx, &j->rsa->key);
    }
    if (j->kind == MX_MODEXP) return HSB_OK;
    HSB_ENSURE((s->bctx = calloc(nb, sizeof *s->bctx)), HSB_E_NOMEM);
    for (unsigned i = 0; i < nb; i++) {
        HSB_ENSURE((s->bctx[i] = hsb_ctx_alloc(p->cls.dh->ctx_size)), HSB_E_NOMEM);
        HSB_GUARD(p->cls.dh->init(s->bctx[i], j->group));
        HSB_GUARD(p->cls.dh->keygen(s->bctx[i], p->cls.rng, s->bout + (size_t)i * MB, j->len));
    }
    return HSB_OK;
}

/* One call of a batch row: j->batch jobs through the dispatch. */
static hsb_rc mx_op_batch(mx_state *s)
{
    const mx_job *j = s->j;
    const hsb_provider *p = j->p;
    size_t len = j->len, nb = j->batch;
    union {
        hsb_modexp_job mx[64];
        hsb_rsa_priv_job rsa[64];
        hsb_dh_job dh[64];
    } u;
    for (size_t i = 0; i < nb; i++) {
        uint8_t *in = s->bin + i * MB, *out = s->bout + i * MB;
        if (j->kind == MX_MODEXP)
            u.mx[i] = (hsb_modexp_job){.out = out,
                                       .base = in,
                                       .base_len = len,
                                       .exp = j->exp,
                                       .exp_len = len,
                                       .mod = j->mod,
                                       .mod_len = len};
        else if (j->kind == MX_CRT)
            u.rsa[i] = (hsb_rsa_priv_job){.ctx = s->ctx, .out = out, .in = in, .len = len};
        else
            u.dh[i] = (hsb_dh_job){.ctx = s->bctx[i],
                                   .out = out,
                                   .out_len = len,
                                   .kind = j->kind == MX_DH_KEYGEN ? HSB_DH_JOB_KEYGEN
                                                                   : HSB_DH_JOB_DERIVE,
                                   .in = j->peer_pub,
                                   .in_len = len};
    }
    if (j->kind == MX_MODEXP) return hsb_modexp_batch(p, u.mx, nb);
    if (j->kind == MX_CRT) return hsb_rsa_priv_batch(p, u.rsa, nb);
    return hsb_dh_batch(p, p->cls.rng, u.dh, nb);
}

static hsb_rc mx_init(void *arg, unsigned tid, void **out)
{
    (void)tid;
    const mx_job *j = arg;
    mx_state *s = hsb_ctx_alloc(sizeof *s); /* zeroed, cache-line aligned */
    HSB_ENSURE(s, HSB_E_NOMEM);
    s->j = j;
    *out = s;
    const hsb_provider *p = j->p;
    if (j->batch && !j->ref) return mx_init_batch(j, s);
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
    mx_state *s = sp;
    const mx_job *j = s->j;
    const hsb_provider *p = j->p;
    size_t len = j->len;
    if (j->batch && !j->ref) {
        /* A call is j->batch items; the runner counts one per call. */
        if (st) st->extra += j->batch - 1;
        return mx_op_batch(s);
    }
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

/* modexp and CRT rows: the result equals BN_mod_exp's on the same inputs. */
static int mx_verify_pow(const mx_job *j, mx_state *s, char *err, size_t len)
{
    uint8_t want[HSB_MAX_MODULUS_BYTES];
    if (mx_op(s, NULL) != HSB_OK) {
        snprintf(err, len, "operation failed: %s", hsb_last_error());
        return 0;
    }
    int bn_ok = j->kind == MX_MODEXP
                    ? bn_modexp(want, j->base, j->len, j->exp, j->len, j->mod, j->len)
                    : bn_modexp(want, j->base, j->len, j->rsa->key.d, j->rsa->key.d_len,
                                j->rsa->key.n, j->len);
    if (bn_ok && memcmp(want, s->out, j->len) == 0) return 1;
    snprintf(err, len, "wrong result against OpenSSL BN_mod_exp: not measured");
    return 0;
}

/* Where the class takes a known exponent: g^x and peer^x match BN's. s has
 * a key already; pub2 is the other side's public value. */
static int mx_dh_known(const mx_job *j, mx_state *s, const uint8_t *pub2, char *err, size_t len)
{
    const hsb_dh_class *dh = j->p->cls.dh;
    size_t L = j->len;
    uint8_t x[32], pub1[HSB_MAX_MODULUS_BYTES], s1[HSB_MAX_MODULUS_BYTES];
    uint8_t want[HSB_MAX_MODULUS_BYTES];
    hsb_bench_random(x, sizeof x);
    x[0] |= 0x80;
    if (!dh->set_priv || dh->set_priv(s->ctx, x, sizeof x, pub1, L) != HSB_OK) return 1;
    int ok = bn_modexp(want, j->group->g, j->group->g_len, x, sizeof x, j->group->p, L) &&
             !memcmp(want, pub1, L) && dh->derive(s->ctx, s1, L, pub2, L) == HSB_OK &&
             bn_modexp(want, pub2, L, x, sizeof x, j->group->p, L) && !memcmp(want, s1, L);
    if (!ok) snprintf(err, len, "wrong result against OpenSSL BN_mod_exp: not measured");
    return ok;
}

/* DH rows: two keys (s and t), whose secrets must agree both ways. */
static int mx_dh_agree(const mx_job *j, mx_state *s, mx_state *t, char *err, size_t len)
{
    const hsb_provider *p = j->p;
    size_t L = j->len;
    uint8_t pub1[HSB_MAX_MODULUS_BYTES], pub2[HSB_MAX_MODULUS_BYTES];
    uint8_t s1[HSB_MAX_MODULUS_BYTES], s2[HSB_MAX_MODULUS_BYTES];
    if (p->cls.dh->keygen(s->ctx, p->cls.rng, pub1, L) != HSB_OK ||
        p->cls.dh->keygen(t->ctx, p->cls.rng, pub2, L) != HSB_OK ||
        p->cls.dh->derive(s->ctx, s1, L, pub2, L) != HSB_OK ||
        p->cls.dh->derive(t->ctx, s2, L, pub1, L) != HSB_OK) {
        snprintf(err, len, "keygen/derive failed: %s", hsb_last_error());
        return 0;
    }
    if (memcmp(s1, s2, L) != 0) {
        snprintf(err, len, "the two sides' secrets differ: not measured");
        return 0;
    }
    return mx_dh_known(j, s, pub2, err, len);
}

static int mx_verify_dh(const mx_job *j, mx_state *s, char *err, size_t len)
{
    mx_job j2 = *j;
    j2.kind = MX_DH_DERIVE;
    void *t = NULL;
    int ok = 0;
    if (mx_init(&j2, 0, &t) != HSB_OK)
        snprintf(err, len, "set-up failed: %s", hsb_last_error());
    else
        ok = mx_dh_agree(j, s, t, err, len);
    mx_free(NULL, t);
    return ok;
}

/* The lane's expected output into want; 1 when it could be made. DH derive
 * lanes hold the known x[i]; a DH keygen lane's pub must be g^x for the x its
 * context kept, which the single derive with peer g recomputes. */
static int mx_lane_want(const mx_job *j, mx_state *s, size_t i, const uint8_t *x, size_t xl,
                        uint8_t *want)
{
    size_t L = j->len;
    const uint8_t *in = s->bin + i * MB;
    switch (j->kind) {
    case MX_MODEXP:
        return bn_modexp(want, in, L, j->exp, L, j->mod, L);
    case MX_CRT:
        return bn_modexp(want, in, L, j->rsa->key.d, j->rsa->key.d_len, j->rsa->key.n, L);
    case MX_DH_DERIVE:
        return bn_modexp(want, j->peer_pub, L, x, xl, j->group->p, L);
    default:
        return j->p->cls.dh->derive(s->bctx[i], want, L, j->group->g, j->group->g_len) == HSB_OK;
    }
}

/* Batch rows: one call, every lane checked. */
static int mx_verify_batch(const mx_job *j, mx_state *s, char *err, size_t len)
{
    static _Thread_local uint8_t x[64][32];
    uint8_t want[MB];
    for (unsigned i = 0; j->kind == MX_DH_DERIVE && i < j->batch; i++) {
        hsb_bench_random(x[i], sizeof x[i]);
        x[i][0] |= 0x80;
        if (j->p->cls.dh->set_priv(s->bctx[i], x[i], sizeof x[i], want, j->len) != HSB_OK) {
            snprintf(err, len, "set_priv failed: %s", hsb_last_error());
            return 0;
        }
    }
    if (mx_op_batch(s) != HSB_OK) {
        snprintf(err, len, "batch failed: %s", hsb_last_error());
        return 0;
    }
    for (unsigned i = 0; i < j->batch; i++) {
        if (mx_lane_want(j, s, i, x[i], sizeof x[i], want) &&
            memcmp(want, s->bout + (size_t)i * MB, j->len) == 0)
            continue;
        snprintf(err, len, "lane %u of %u: wrong result against OpenSSL: not measured", i,
                 j->batch);
        return 0;
    }
    return 1;
}

/* Check a backend row against OpenSSL before timing it; 1 when right. */
static int mx_verify(void *arg, char *err, size_t len)
{
    const mx_job *j = arg;
    void *s = NULL;
    int ok = 0;
    if (mx_init((void *)j, 0, &s) != HSB_OK)
        snprintf(err, len, "set-up failed: %s", hsb_last_error());
    else if (j->batch)
        ok = mx_verify_batch(j, s, err, len);
    else if (j->kind == MX_MODEXP || j->kind == MX_CRT)
        ok = mx_verify_pow(j, s, err, len);
    else
        ok = mx_verify_dh(j, s, err, len);
    mx_free(NULL, s);
    return ok;
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
    unsigned batch;
    char variant[48];
    unsigned bits;
    const hsb_dh_group *group;
} mx_variant;

static void add_variant(mx_variant *vs, size_t *nv, int kind, const char *prefix, unsigned bits,
                        const hsb_dh_group *g)
{
    vs[*nv] = (mx_variant){kind, 0, "", bits, g};
    if (g)
        snprintf(vs[*nv].variant, sizeof vs[*nv].variant, "%s-%s", prefix, g->name);
    else
        snprintf(vs[*nv].variant, sizeof vs[*nv].variant, "%s-%u", prefix, bits);
    (*nv)++;
}

/* With --batch B, each variant is followed by its batch variant. */
static size_t mx_add_batch(const hsb_opts *o, mx_variant *vs, size_t nv)
{
    if (!o->batch) return nv;
    for (size_t i = nv; i-- > 0;) {
        vs[2 * i] = vs[i];
        vs[2 * i + 1] = vs[i];
        vs[2 * i + 1].batch = o->batch;
        size_t l = strlen(vs[i].variant);
        snprintf(vs[2 * i + 1].variant + l, sizeof vs[i].variant - l, "-batch%u", o->batch);
    }
    return 2 * nv;
}

/* The variants, in order: modexp per size, RSA per size, DH per group
 * (--dh-group, else the ffdhe group of each --bits that has one). */
static size_t mx_variants(const hsb_opts *o, mx_variant *vs)
{
    size_t nv = 0;
    for (size_t i = 0; i < o->n_bits; i++)
        add_variant(vs, &nv, MX_MODEXP, "modexp", o->bits[i], NULL);
    for (size_t i = 0; i < o->n_bits; i++)
        if (o->bits[i] >= 1024) add_variant(vs, &nv, MX_CRT, "crt", o->bits[i], NULL);
    size_t ng = o->n_dh_groups ? o->n_dh_groups : o->n_bits;
    for (size_t i = 0; i < ng; i++) {
        char name[32];
        snprintf(name, sizeof name, "ffdhe%u", o->n_dh_groups ? 0 : o->bits[i]);
        const hsb_dh_group *g = hsb_dh_group_by_name(o->n_dh_groups ? o->dh_groups[i] : name);
        if (!g) continue;
        add_variant(vs, &nv, MX_DH_KEYGEN, "dh-keygen", (unsigned)g->p_len * 8, g);
        add_variant(vs, &nv, MX_DH_DERIVE, "dh-derive", (unsigned)g->p_len * 8, g);
    }
    return mx_add_batch(o, vs, nv);
}

/* What a group's callbacks share: the variant's inputs (job), one copy of
 * it per row (rows[], alive until the flush), and why the inputs could not
 * be made ("" when they were). */
typedef struct mx_group {
    const hsb_comp *comps;
    mx_job job;
    mx_job *rows;
    char setup_err[128];
} mx_group;

/* The RSA key, or OpenSSL's DH group and a peer key, of a variant. */
static void mx_setup_pk(hsb_report *r, mx_group *mg, const mx_variant *mv)
{
    mx_job *job = &mg->job;
    if (mv->kind == MX_CRT) {
        if (r->tty && !r->quiet) fprintf(stderr, "\r\033[Kgenerating an RSA-%u key ...", mv->bits);
        if (!(job->rsa = hsb_bench_rsa_key(mv->bits))) {
            snprintf(mg->setup_err, sizeof mg->setup_err, "RSA-%u key generation failed", mv->bits);
            return;
        }
        job->len = job->rsa->key.n_len;
        /* A random input below n: one bit shorter. */
        hsb_bench_random(job->base, job->len);
        job->base[0] &= 0x3f;
        return;
    }
    size_t L = job->len = mv->group->p_len;
    job->dh_params = hsb_ossl_dh_params(mv->group->name);
    EVP_PKEY_CTX *kc = job->dh_params ? EVP_PKEY_CTX_new(job->dh_params, NULL) : NULL;
    BIGNUM *y = NULL;
    if (!kc || EVP_PKEY_keygen_init(kc) != 1 || EVP_PKEY_keygen(kc, &job->dh_peer) != 1 ||
        EVP_PKEY_get_bn_param(job->dh_peer, OSSL_PKEY_PARAM_PUB_KEY, &y) != 1 ||
        BN_bn2binpad(y, job->peer_pub, (int)L) != (int)L)
        snprintf(mg->setup_err, sizeof mg->setup_err, "OpenSSL DH set-up for %s failed",
                 mv->group->name);
    BN_free(y);
    EVP_PKEY_CTX_free(kc);
}

static int mx_available(void *ctx, const hsb_comp *c, char *why, size_t len)
{
    const mx_group *mg = ctx;
    unsigned cls = mg->job.kind == MX_MODEXP ? HSB_CLASS_MODEXP
                   : mg->job.kind == MX_CRT  ? HSB_CLASS_RSA_PRIV
                                             : HSB_CLASS_DH;
    if (mg->job.kind >= MX_DH_KEYGEN && !c->p.cls.rng) {
        snprintf(why, len, "no rng");
        return 0;
    }
    return hsb_suite_row_available(c, HSB_CLASS_BIT(cls), why, len);
}

static hsb_rc mx_row(void *ctx, int comp, size_t slot, hsb_work *w, char *err, size_t len)
{
    mx_group *mg = ctx;
    if (mg->setup_err[0]) {
        snprintf(err, len, "%s", mg->setup_err);
        return HSB_E_CRYPTO;
    }
    mx_job *j = &mg->rows[slot];
    *j = mg->job;
    j->ref = comp < 0;
    j->p = comp < 0 ? NULL : &mg->comps[comp].p;
    *w = (hsb_work){mx_init, mx_op, mx_free, j, 0, 0};
    return HSB_OK;
}

static hsb_class_id mx_class(int kind)
{
    return kind == MX_MODEXP ? HSB_CLASS_MODEXP
           : kind == MX_CRT  ? HSB_CLASS_RSA_PRIV
                             : HSB_CLASS_DH;
}

/* "native-rsa-crt-mb8-ifma, 8 jobs/call, mean fill 8.0/8 lanes" or "loop
 * over openssl's rsa-priv, ...": the dispatch splits B jobs into chunks of
 * the class's lanes, so the mean fill is B over the number of chunks. */
static void mx_batch_line(const hsb_provider *p, int kind, unsigned b, char *buf, size_t len)
{
    char d[96];
    hsb_class_id cls = mx_class(kind);
    hsb_batch_describe(p, cls, d, sizeof d);
    const char *what = strstr(d, ": ");
    size_t lanes = hsb_batch_lanes(p, cls), chunks = (b + lanes - 1) / lanes;
    snprintf(buf, len, "%s, %u jobs/call, mean fill %.1f/%zu lanes", what ? what + 2 : d, b,
             (double)b / (double)chunks, lanes);
}

static void mx_row_impls(void *ctx, const hsb_comp *c, hsb_figure *f)
{
    const mx_group *mg = ctx;
    char line[160];
    if (!mg->job.batch) return;
    mx_batch_line(&c->p, mg->job.kind, mg->job.batch, line, sizeof line);
    hsb_figure_impl(f, "batch", line);
}

static const char *const mx_ref_impl[] = {
    [MX_MODEXP] = "openssl:BN_mod_exp_mont_consttime",
    [MX_CRT] = "openssl:EVP_PKEY_decrypt(RSA_NO_PADDING)",
    [MX_DH_KEYGEN] = "openssl:EVP_PKEY_keygen(DH)",
    [MX_DH_DERIVE] = "openssl:EVP_PKEY_derive(DH)",
};

/* One variant at every thread count. */
static hsb_rc mx_variant_run(hsb_report *r, const hsb_opts *o, const hsb_comp *comps, size_t nc,
                             mx_group *mg, const mx_variant *mv)
{
    memset(&mg->job, 0, sizeof mg->job);
    mg->job.kind = mv->kind;
    mg->job.group = mv->group;
    mg->job.batch = mv->batch;
    mg->setup_err[0] = '\0';
    /* Planning only counts the rows: no inputs, no key. */
    if (!r->planning && mv->kind == MX_MODEXP) random_inputs(&mg->job, mv->bits / 8);
    if (!r->planning && mv->kind != MX_MODEXP) mx_setup_pk(r, mg, mv);
    int dh = mv->kind >= MX_DH_KEYGEN;
    hsb_class_id cls = mv->kind == MX_MODEXP ? HSB_CLASS_MODEXP
                       : mv->kind == MX_CRT  ? HSB_CLASS_RSA_PRIV
                                             : HSB_CLASS_DH;
    hsb_group g = {
        .suite = "modexp",
        .variant = mv->variant,
        .bits = mv->bits,
        .dh_group = mv->group ? mv->group->name : NULL,
        .dh_check = -1,
        .ref_backend = mv->kind == MX_MODEXP ? "bn-reference" : "evp-reference",
        .ref_impl_key = hsb_class_name(cls),
        .ref_impl_val = mx_ref_impl[mv->kind],
        .need = HSB_CLASS_BIT(cls),
        .impls = HSB_CLASS_BIT(cls) | (dh ? HSB_CLASS_BIT(HSB_CLASS_RNG) : 0),
        .note_unavailable = 1,
        .available = mx_available,
        .row = mx_row,
        .verify = mx_verify,
        .row_impls = mx_row_impls,
        .ctx = mg,
    };
    for (size_t c = 0; c < nc && mv->batch && !r->planning; c++) {
        char line[160], why[128];
        if (!mx_available(mg, &comps[c], why, sizeof why)) continue;
        mx_batch_line(&comps[c].p, mv->kind, mv->batch, line, sizeof line);
        hsb_report_note(r, "modexp/%s/%s: %s", mv->variant, comps[c].spec, line);
    }
    hsb_rc rc = hsb_group_run(r, o, comps, nc, &g);
    EVP_PKEY_free(mg->job.dh_params);
    EVP_PKEY_free(mg->job.dh_peer);
    return rc;
}

hsb_rc hsb_suite_modexp(hsb_report *r, const hsb_opts *o)
{
    hsb_comp comps[HSB_MAX_SPECS];
    unsigned want = HSB_CLASS_BIT(HSB_CLASS_MODEXP) | HSB_CLASS_BIT(HSB_CLASS_RSA_PRIV) |
                    HSB_CLASS_BIT(HSB_CLASS_DH);
    size_t nc;
    HSB_GUARD(hsb_suite_compositions(o, want, comps, HSB_MAX_SPECS, &nc));
    mx_variant vs[HSB_MAX_LIST * 8];
    size_t nv = mx_variants(o, vs);
    mx_group *mg = calloc(1, sizeof *mg);
    mx_job *rows = calloc(nc + 1, sizeof *rows);
    hsb_rc rc = mg && rows ? HSB_OK : HSB_E_NOMEM;
    if (rc == HSB_OK) {
        mg->comps = comps;
        mg->rows = rows;
    }
    for (size_t v = 0; v < nv && rc == HSB_OK; v++)
        rc = mx_variant_run(r, o, comps, nc, mg, &vs[v]);
    free(mg);
    free(rows);
    return rc;
}
