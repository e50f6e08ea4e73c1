/*
 * hsbench-micro: each primitive of each backend as a Google Benchmark
 * benchmark (through the C shim), so every --benchmark_* flag applies:
 *
 *   hsbench-micro --benchmark_filter=aes --benchmark_min_time=0.05
 *   hsbench-micro --benchmark_format=json --benchmark_out=micro.json
 *
 * Names: <primitive>/<bytes>/<backend> for the symmetric primitives,
 * <primitive>-<bits>/<backend> for the public-key ones. A backend without a
 * class registers nothing for it (hsbench list shows the matrix).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_dh_groups.h"
#include "hsb_gbench.h"
#include "hsb_suite.h"

enum {
    P_CBC_ENC,
    P_CBC_DEC,
    P_CTR,
    P_GCM,
    P_SHA256,
    P_HMAC,
    P_MODEXP,
    P_RSA_CRT,
    P_RSA_PUB,
    P_DH_KEYGEN,
    P_DH_DERIVE,
    P_COUNT
};

static const char *const prim_names[P_COUNT] = {
    "aes128-cbc-enc", "aes128-cbc-dec", "aes128-ctr", "aes128-gcm", "sha256",    "hmac-sha256",
    "modexp",         "rsa-crt",        "rsa-pub",    "dh-keygen",  "dh-derive",
};

typedef struct micro {
    const hsb_backend *b;
    int prim;
    size_t size;   /* bytes (symmetric) */
    unsigned bits; /* modulus bits (public key) */
} micro;

static const uint8_t aad13[13];

/* Scratch of one benchmark thread. */
typedef struct scratch {
    uint8_t *in, *out, iv[16], tag[16], key[32];
    void *ctx;
    size_t ctx_size;
    uint8_t mod[HSB_MAX_MODULUS_BYTES], exp[HSB_MAX_MODULUS_BYTES], peer[HSB_MAX_MODULUS_BYTES];
} scratch;

static hsb_rc sym(const micro *m, scratch *s, hsb_gbench_state *st)
{
    const hsb_backend *b = m->b;
    size_t n = m->size;
    hsb_rc rc = HSB_OK;
    switch (m->prim) {
    case P_CBC_ENC:
    case P_CBC_DEC:
    case P_CTR:
        s->ctx_size = b->aes->ctx_size;
        HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
        HSB_GUARD(b->aes->init(s->ctx, s->key, 16));
        while (rc == HSB_OK && hsb_gbench_keep_running(st, 1))
            rc = m->prim == P_CBC_ENC   ? b->aes->cbc_encrypt(s->ctx, s->iv, s->out, s->in, n)
                 : m->prim == P_CBC_DEC ? b->aes->cbc_decrypt(s->ctx, s->iv, s->out, s->in, n)
                                        : b->aes->ctr(s->ctx, s->iv, s->out, s->in, n);
        b->aes->clear(s->ctx);
        break;
    case P_GCM:
        s->ctx_size = b->gcm->ctx_size;
        HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
        HSB_GUARD(b->gcm->init(s->ctx, s->key, 16));
        while (rc == HSB_OK && hsb_gbench_keep_running(st, 1))
            rc = b->gcm->seal(s->ctx, s->iv, 12, aad13, sizeof aad13, s->out, s->in, n, s->tag);
        b->gcm->clear(s->ctx);
        break;
    case P_SHA256:
        s->ctx_size = b->sha256->ctx_size;
        HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
        HSB_GUARD(b->sha256->init(s->ctx));
        while (hsb_gbench_keep_running(st, 1)) {
            b->sha256->update(s->ctx, s->in, n);
            b->sha256->final(s->ctx, s->out);
        }
        b->sha256->clear(s->ctx);
        break;
    case P_HMAC:
        s->ctx_size = b->hmac->ctx_size;
        HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
        HSB_GUARD(b->hmac->init(s->ctx, s->key, 32));
        while (hsb_gbench_keep_running(st, 1)) {
            b->hmac->update(s->ctx, s->in, n);
            b->hmac->final(s->ctx, s->out);
        }
        b->hmac->clear(s->ctx);
        break;
    default:
        HSB_BAIL(HSB_E_INTERNAL);
    }
    hsb_gbench_set_bytes_processed(st, hsb_gbench_iterations(st) * (int64_t)n);
    return rc;
}

static hsb_rc pk(const micro *m, scratch *s, hsb_gbench_state *st)
{
    const hsb_backend *b = m->b;
    size_t L = m->bits / 8;
    hsb_rc rc = HSB_OK;
    switch (m->prim) {
    case P_MODEXP:
        hsb_bench_random(s->mod, L);
        s->mod[0] |= 0x80;
        s->mod[L - 1] |= 1;
        hsb_bench_random(s->in, L);
        s->in[0] &= 0x7f;
        hsb_bench_random(s->exp, L);
        s->exp[0] |= 0x80;
        while (rc == HSB_OK && hsb_gbench_keep_running(st, 1))
            rc = b->modexp->modexp(s->out, s->in, L, s->exp, L, s->mod, L);
        break;
    case P_RSA_CRT:
    case P_RSA_PUB: {
        const hsb_bench_rsa *k = hsb_bench_rsa_key(m->bits);
        HSB_ENSURE(k, HSB_E_CRYPTO);
        L = k->key.n_len;
        hsb_bench_random(s->in, L);
        s->in[0] &= 0x3f;
        if (m->prim == P_RSA_CRT) {
            s->ctx_size = b->rsa_priv->ctx_size;
            HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
            HSB_GUARD(b->rsa_priv->init(s->ctx, &k->key));
            while (rc == HSB_OK && hsb_gbench_keep_running(st, 1))
                rc = b->rsa_priv->op(s->ctx, s->out, s->in, L);
            b->rsa_priv->clear(s->ctx);
        } else {
            s->ctx_size = b->rsa_pub->ctx_size;
            HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
            HSB_GUARD(b->rsa_pub->init(s->ctx, k->key.n, k->key.n_len, k->key.e, k->key.e_len));
            while (rc == HSB_OK && hsb_gbench_keep_running(st, 1))
                rc = b->rsa_pub->op(s->ctx, s->out, s->in, L);
            b->rsa_pub->clear(s->ctx);
        }
        break;
    }
    case P_DH_KEYGEN:
    case P_DH_DERIVE: {
        char name[32];
        snprintf(name, sizeof name, "ffdhe%u", m->bits);
        const hsb_dh_group *g = hsb_dh_group_by_name(name);
        const hsb_rng_class *rng = b->rng ? b->rng : hsb_openssl_backend()->rng;
        HSB_ENSURE(g && rng, HSB_E_UNAVAILABLE);
        L = g->p_len;
        s->ctx_size = b->dh->ctx_size;
        HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
        HSB_GUARD(b->dh->init(s->ctx, g));
        HSB_GUARD(b->dh->keygen(s->ctx, rng, s->peer, L)); /* a peer value: g^y */
        HSB_GUARD(b->dh->keygen(s->ctx, rng, s->out, L));
        if (m->prim == P_DH_KEYGEN)
            while (rc == HSB_OK && hsb_gbench_keep_running(st, 1))
                rc = b->dh->keygen(s->ctx, rng, s->out, L);
        else
            while (rc == HSB_OK && hsb_gbench_keep_running(st, 1))
                rc = b->dh->derive(s->ctx, s->out, L, s->peer, L);
        b->dh->clear(s->ctx);
        break;
    }
    default:
        HSB_BAIL(HSB_E_INTERNAL);
    }
    hsb_gbench_set_items_processed(st, hsb_gbench_iterations(st));
    return rc;
}

static hsb_rc run(const hsb_gbench_def *def, hsb_gbench_state *st)
{
    const micro *m = def->user;
    scratch *s = calloc(1, sizeof *s);
    HSB_ENSURE(s, HSB_E_NOMEM);
    size_t cap = (m->size > HSB_MAX_MODULUS_BYTES ? m->size : HSB_MAX_MODULUS_BYTES) + 64;
    s->in = aligned_alloc(64, (cap + 63) / 64 * 64);
    s->out = aligned_alloc(64, (cap + 63) / 64 * 64);
    hsb_rc rc = HSB_E_NOMEM;
    if (s->in && s->out) {
        hsb_bench_random(s->in, cap);
        hsb_bench_random(s->key, sizeof s->key);
        hsb_bench_random(s->iv, sizeof s->iv);
        rc = m->prim <= P_HMAC ? sym(m, s, st) : pk(m, s, st);
    }
    if (s->ctx) hsb_ctx_free(s->ctx, s->ctx_size);
    free(s->in);
    free(s->out);
    free(s);
    return rc;
}

static int has(const hsb_backend *b, int prim)
{
    switch (prim) {
    case P_CBC_ENC:
    case P_CBC_DEC:
        return b->aes != NULL;
    case P_CTR:
        return b->aes && b->aes->ctr;
    case P_GCM:
        return b->gcm != NULL;
    case P_SHA256:
        return b->sha256 != NULL;
    case P_HMAC:
        return b->hmac != NULL;
    case P_MODEXP:
        return b->modexp != NULL;
    case P_RSA_CRT:
        return b->rsa_priv != NULL;
    case P_RSA_PUB:
        return b->rsa_pub != NULL;
    case P_DH_KEYGEN:
    case P_DH_DERIVE:
        return b->dh != NULL;
    default:
        return 0;
    }
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {16, 1024, 16384};
    static const unsigned bits[] = {2048, 3072, 4096};
    size_t nb;
    const hsb_backend *const *bs = hsb_backends(&nb);
    size_t cap = nb * P_COUNT * 3, n = 0;
    micro *ms = calloc(cap, sizeof *ms);
    if (!ms) return 1;
    for (int p = 0; p < P_COUNT; p++)
        for (size_t k = 0; k < 3; k++)
            for (size_t i = 0; i < nb; i++) {
                if (!has(bs[i], p)) continue;
                micro *m = &ms[n++];
                m->b = bs[i];
                m->prim = p;
                char name[128];
                if (p <= P_HMAC) {
                    m->size = sizes[k];
                    snprintf(name, sizeof name, "%s/%zu/%s", prim_names[p], m->size, bs[i]->name);
                } else {
                    m->bits = bits[k];
                    snprintf(name, sizeof name, "%s-%u/%s", prim_names[p], m->bits, bs[i]->name);
                }
                hsb_gbench_def def = {0};
                def.run = run;
                def.user = m;
                def.time_unit = p <= P_HMAC ? HSB_GBENCH_UNIT_NS : HSB_GBENCH_UNIT_US;
                hsb_gbench_register(name, &def);
            }
    const hsb_cpu_features *f = hsb_cpu();
    char feats[256];
    hsb_cpu_describe(f, feats, sizeof feats);
    hsb_gbench_add_context("hsbench_cpu", f->brand[0] ? f->brand : "unknown");
    hsb_gbench_add_context("hsbench_cpu_features", feats);
    for (size_t i = 0; i < nb; i++) {
        char key[64];
        snprintf(key, sizeof key, "hsbench_backend_%s", bs[i]->name);
        hsb_gbench_add_context(key, bs[i]->about);
    }
    int rc = hsb_gbench_main(argc, argv);
    free(ms);
    return rc;
}
