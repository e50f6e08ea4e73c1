/* Timing wrappers around the provider classes (--breakdown). */
#include "hsb_breakdown.h"
#include "hsb_report.h"

#include <string.h>

#include "hsb_tls_test.h"
#include "hsb_tsc.h"

static _Thread_local uint64_t *bd_cur;
static _Thread_local unsigned bd_depth;

void hsb_bd_bind(uint64_t *counters)
{
    bd_cur = counters;
    bd_depth = 0;
}

const char *hsb_bd_name(hsb_bd_kind k)
{
    static const char *const names[HSB_BD_COUNT] = {
        "rsa-priv", "rsa-pub",  "dh-keygen", "dh-derive", "dh-check",
        "modexp",   "hash-prf", "cipher",    "rng",       "x509 (libcrypto)",
    };
    return (unsigned)k < HSB_BD_COUNT ? names[k] : "?";
}

static inline uint64_t enter(void)
{
    return bd_depth++ == 0 && bd_cur ? hsb_tsc_read() : 0;
}

static inline void leave(hsb_bd_kind k, uint64_t t0)
{
    if (--bd_depth == 0 && t0 && bd_cur) bd_cur[k] += hsb_tsc_read() - t0;
}

/* Forward one call, timed into bucket k. */
#define TIMED_RC(k, call)                                                                          \
    do {                                                                                           \
        uint64_t t0_ = enter();                                                                    \
        hsb_rc rc_ = (call);                                                                       \
        leave((k), t0_);                                                                           \
        return rc_;                                                                                \
    } while (0)
#define TIMED_VOID(k, call)                                                                        \
    do {                                                                                           \
        uint64_t t0_ = enter();                                                                    \
        call;                                                                                      \
        leave((k), t0_);                                                                           \
    } while (0)

static hsb_backend real;

/* core's X.509 probe: its BEGIN..END pairs hold no backend call, so the
 * depth rule only matters if one is ever nested inside a timed call. */
static void tls_probe(int event, void *arg)
{
    (void)arg;
    static _Thread_local uint64_t t0;
    if (event == HSB_TLS_PROBE_X509_BEGIN)
        t0 = enter();
    else if (event == HSB_TLS_PROBE_X509_END)
        leave(HSB_BD_X509, t0);
}

/* modexp */
static hsb_rc w_modexp(uint8_t *out, const uint8_t *b, size_t bl, const uint8_t *e, size_t el,
                       const uint8_t *m, size_t ml)
{
    TIMED_RC(HSB_BD_MODEXP, real.modexp->modexp(out, b, bl, e, el, m, ml));
}
static hsb_modexp_class w_modexp_cls;

/* RSA private */
static hsb_rc w_rp_init(void *ctx, const hsb_rsa_key *key)
{
    TIMED_RC(HSB_BD_RSA_PRIV, real.rsa_priv->init(ctx, key));
}
static hsb_rc w_rp_op(void *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
    TIMED_RC(HSB_BD_RSA_PRIV, real.rsa_priv->op(ctx, out, in, len));
}
static size_t w_rp_n_len(const void *ctx)
{
    return real.rsa_priv->n_len(ctx);
}
static void w_rp_clear(void *ctx)
{
    TIMED_VOID(HSB_BD_RSA_PRIV, real.rsa_priv->clear(ctx));
}
static hsb_rsa_priv_class w_rp_cls;

/* RSA public */
static hsb_rc w_ru_init(void *ctx, const uint8_t *n, size_t nl, const uint8_t *e, size_t el)
{
    TIMED_RC(HSB_BD_RSA_PUB, real.rsa_pub->init(ctx, n, nl, e, el));
}
static hsb_rc w_ru_op(void *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
    TIMED_RC(HSB_BD_RSA_PUB, real.rsa_pub->op(ctx, out, in, len));
}
static size_t w_ru_n_len(const void *ctx)
{
    return real.rsa_pub->n_len(ctx);
}
static void w_ru_clear(void *ctx)
{
    TIMED_VOID(HSB_BD_RSA_PUB, real.rsa_pub->clear(ctx));
}
static hsb_rsa_pub_class w_ru_cls;

/* DH: init and set_priv count as key generation (they set the key up). */
static hsb_rc w_dh_init(void *ctx, const hsb_dh_group *g)
{
    TIMED_RC(HSB_BD_DH_KEYGEN, real.dh->init(ctx, g));
}
static hsb_rc w_dh_keygen(void *ctx, const hsb_rng_class *rng, uint8_t *pub, size_t pl)
{
    TIMED_RC(HSB_BD_DH_KEYGEN, real.dh->keygen(ctx, rng, pub, pl));
}
static hsb_rc w_dh_set_priv(void *ctx, const uint8_t *x, size_t xl, uint8_t *pub, size_t pl)
{
    TIMED_RC(HSB_BD_DH_KEYGEN, real.dh->set_priv(ctx, x, xl, pub, pl));
}
static hsb_rc w_dh_check(void *ctx, const uint8_t *y, size_t len, hsb_dh_check policy)
{
    TIMED_RC(HSB_BD_DH_CHECK, real.dh->check(ctx, y, len, policy));
}
static hsb_rc w_dh_derive(void *ctx, uint8_t *s, size_t sl, const uint8_t *peer, size_t pl)
{
    TIMED_RC(HSB_BD_DH_DERIVE, real.dh->derive(ctx, s, sl, peer, pl));
}
static void w_dh_clear(void *ctx)
{
    TIMED_VOID(HSB_BD_DH_DERIVE, real.dh->clear(ctx));
}
static hsb_dh_class w_dh_cls;

/* AES */
static hsb_rc w_aes_init(void *ctx, const uint8_t *key, size_t kl)
{
    TIMED_RC(HSB_BD_CIPHER, real.aes->init(ctx, key, kl));
}
static hsb_rc w_aes_cbc_enc(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                            size_t len)
{
    TIMED_RC(HSB_BD_CIPHER, real.aes->cbc_encrypt(ctx, iv, out, in, len));
}
static hsb_rc w_aes_cbc_dec(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                            size_t len)
{
    TIMED_RC(HSB_BD_CIPHER, real.aes->cbc_decrypt(ctx, iv, out, in, len));
}
static hsb_rc w_aes_ctr(const void *ctx, uint8_t ctr[16], uint8_t *out, const uint8_t *in,
                        size_t len)
{
    TIMED_RC(HSB_BD_CIPHER, real.aes->ctr(ctx, ctr, out, in, len));
}
static void w_aes_clear(void *ctx)
{
    TIMED_VOID(HSB_BD_CIPHER, real.aes->clear(ctx));
}
static hsb_aes_class w_aes_cls;

/* GCM */
static hsb_rc w_gcm_init(void *ctx, const uint8_t *key, size_t kl)
{
    TIMED_RC(HSB_BD_CIPHER, real.gcm->init(ctx, key, kl));
}
static hsb_rc w_gcm_seal(void *ctx, const uint8_t *iv, size_t ivl, const uint8_t *aad, size_t al,
                         uint8_t *out, const uint8_t *in, size_t len, uint8_t tag[16])
{
    TIMED_RC(HSB_BD_CIPHER, real.gcm->seal(ctx, iv, ivl, aad, al, out, in, len, tag));
}
static hsb_rc w_gcm_open(void *ctx, const uint8_t *iv, size_t ivl, const uint8_t *aad, size_t al,
                         uint8_t *out, const uint8_t *in, size_t len, const uint8_t tag[16])
{
    TIMED_RC(HSB_BD_CIPHER, real.gcm->open(ctx, iv, ivl, aad, al, out, in, len, tag));
}
static void w_gcm_clear(void *ctx)
{
    TIMED_VOID(HSB_BD_CIPHER, real.gcm->clear(ctx));
}
static hsb_gcm_class w_gcm_cls;

/* SHA-256 */
static hsb_rc w_sha_init(void *ctx)
{
    TIMED_RC(HSB_BD_HASH, real.sha256->init(ctx));
}
static void w_sha_update(void *ctx, const void *d, size_t len)
{
    TIMED_VOID(HSB_BD_HASH, real.sha256->update(ctx, d, len));
}
static void w_sha_final(void *ctx, uint8_t out[32])
{
    TIMED_VOID(HSB_BD_HASH, real.sha256->final(ctx, out));
}
static hsb_rc w_sha_copy(void *dst, const void *src)
{
    TIMED_RC(HSB_BD_HASH, real.sha256->copy(dst, src));
}
static void w_sha_clear(void *ctx)
{
    TIMED_VOID(HSB_BD_HASH, real.sha256->clear(ctx));
}
static hsb_sha256_class w_sha_cls;

/* HMAC-SHA256 */
static hsb_rc w_hmac_init(void *ctx, const uint8_t *key, size_t kl)
{
    TIMED_RC(HSB_BD_HASH, real.hmac->init(ctx, key, kl));
}
static void w_hmac_update(void *ctx, const void *d, size_t len)
{
    TIMED_VOID(HSB_BD_HASH, real.hmac->update(ctx, d, len));
}
static void w_hmac_final(void *ctx, uint8_t out[32])
{
    TIMED_VOID(HSB_BD_HASH, real.hmac->final(ctx, out));
}
static void w_hmac_clear(void *ctx)
{
    TIMED_VOID(HSB_BD_HASH, real.hmac->clear(ctx));
}
static hsb_hmac_sha256_class w_hmac_cls;

/* RNG */
static hsb_rc w_rng_fill(void *out, size_t len)
{
    TIMED_RC(HSB_BD_RNG, real.rng->fill(out, len));
}
static hsb_rng_class w_rng_cls;

hsb_rc hsb_bd_wrap(const hsb_provider *p, hsb_provider *out)
{
    HSB_ENSURE(p && out, HSB_E_USAGE);
    hsb_tls_set_probe(tls_probe, NULL);
    real = p->cls;
    *out = *p;
    out->cls.name = out->label;
    if (real.modexp) {
        w_modexp_cls = (hsb_modexp_class){real.modexp->name, w_modexp};
        out->cls.modexp = &w_modexp_cls;
    }
    if (real.rsa_priv) {
        w_rp_cls = (hsb_rsa_priv_class){real.rsa_priv->name, real.rsa_priv->ctx_size,
                                        w_rp_init,           w_rp_op,
                                        w_rp_n_len,          w_rp_clear};
        out->cls.rsa_priv = &w_rp_cls;
    }
    if (real.rsa_pub) {
        w_ru_cls = (hsb_rsa_pub_class){
            real.rsa_pub->name, real.rsa_pub->ctx_size, w_ru_init, w_ru_op, w_ru_n_len, w_ru_clear};
        out->cls.rsa_pub = &w_ru_cls;
    }
    if (real.dh) {
        w_dh_cls = (hsb_dh_class){real.dh->name,
                                  real.dh->ctx_size,
                                  w_dh_init,
                                  w_dh_keygen,
                                  real.dh->set_priv ? w_dh_set_priv : NULL,
                                  w_dh_check,
                                  w_dh_derive,
                                  w_dh_clear};
        out->cls.dh = &w_dh_cls;
    }
    if (real.aes) {
        w_aes_cls = (hsb_aes_class){real.aes->name,
                                    real.aes->ctx_size,
                                    real.aes->key_sizes,
                                    w_aes_init,
                                    w_aes_cbc_enc,
                                    w_aes_cbc_dec,
                                    real.aes->ctr ? w_aes_ctr : NULL,
                                    w_aes_clear};
        out->cls.aes = &w_aes_cls;
    }
    if (real.gcm) {
        w_gcm_cls =
            (hsb_gcm_class){real.gcm->name, real.gcm->ctx_size, real.gcm->key_sizes, w_gcm_init,
                            w_gcm_seal,     w_gcm_open,         w_gcm_clear};
        out->cls.gcm = &w_gcm_cls;
    }
    if (real.sha256) {
        w_sha_cls = (hsb_sha256_class){real.sha256->name, real.sha256->ctx_size, w_sha_init,
                                       w_sha_update,      w_sha_final,           w_sha_copy,
                                       w_sha_clear};
        out->cls.sha256 = &w_sha_cls;
    }
    if (real.hmac) {
        w_hmac_cls = (hsb_hmac_sha256_class){real.hmac->name, real.hmac->ctx_size, w_hmac_init,
                                             w_hmac_update,   w_hmac_final,        w_hmac_clear};
        out->cls.hmac = &w_hmac_cls;
    }
    if (real.rng) {
        w_rng_cls = (hsb_rng_class){real.rng->name, w_rng_fill};
        out->cls.rng = &w_rng_cls;
    }
    return HSB_OK;
}

/* Shares of a handshake's cycles from the figure's repetitions. */
void hsb_breakdown_print(const hsb_report *r, FILE *to)
{
    int any = 0;
    for (size_t i = 0; i < r->n; i++) {
        const hsb_figure *f = &r->fig[i];
        if (!f->measured || !f->breakdown) continue;
        double bd[HSB_BD_COUNT] = {0}, total = 0, timed = 0;
        uint64_t it = 0;
        for (unsigned k = 0; k < f->n_reps; k++) {
            for (unsigned c = 0; c < HSB_BD_COUNT; c++) bd[c] += (double)f->reps[k].bd[c];
            total += f->reps[k].op_tsc;
            it += f->reps[k].iters;
        }
        if (total <= 0 || !it) continue;
        if (!any)
            fprintf(to, "\nwhere a handshake's time goes (--breakdown; share of the TSC "
                        "cycles inside handshakes):\n");
        any = 1;
        fprintf(to, "%s  (%.0f cycles/handshake)\n", f->name, total / (double)it);
        for (unsigned c = 0; c < HSB_BD_COUNT; c++) {
            timed += bd[c];
            if (bd[c] > 0)
                fprintf(to, "  %-16s %6.1f %%  %10.0f cycles\n", hsb_bd_name((hsb_bd_kind)c),
                        100 * bd[c] / total, bd[c] / (double)it);
        }
        fprintf(to, "  %-16s %6.1f %%  %10.0f cycles\n", "protocol", 100 * (total - timed) / total,
                (total - timed) / (double)it);
    }
}
