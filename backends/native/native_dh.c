/*
 * native_dh.c - finite-field Diffie-Hellman (RFC 7919, RFC 3526 groups; used
 * by TLS 1.2 DHE, RFC 5246 8.1.2) on the native Montgomery code.
 *
 * The group (p, g, q) is public; the private exponent x is secret: g^x and
 * peer^x use the constant-time window exponentiation, whose cost follows the
 * exponent's byte length (priv_bits, 225-325 bits for the named groups), not
 * the size of p. The Montgomery context of p is built once, in init.
 */
#include <string.h>

#include "hsb_ct.h"
#include "native_batch.h"
#include "native_mont.h"

typedef struct dh_ctx {
    const hsb_nm_engine *e;
    size_t p_len; /* bytes of p, top byte non-zero */
    size_t n;     /* limbs of p */
    size_t q_len; /* 0: no q */
    size_t x_len; /* 0: no private key yet */
    unsigned priv_bits;
    hsb_nm_mont mp;
    uint64_t g[HSB_NM_MAX_LIMBS];
    uint8_t q[HSB_MAX_MODULUS_BYTES];
    uint8_t x[HSB_MAX_MODULUS_BYTES];
} dh_ctx;

static void dh_clear(void *vctx)
{
    if (vctx) hsb_wipe(vctx, sizeof(dh_ctx));
}

static const uint8_t *strip(const uint8_t *v, size_t *len)
{
    while (*len > 0 && v[0] == 0) v++, (*len)--;
    return v;
}

/* 1 < y < p - 1 for a public y of n limbs (p odd, so p - 1 is p with its low
 * bit cleared). */
static int in_range(const dh_ctx *ctx, const uint64_t *y)
{
    uint64_t pm1[HSB_NM_MAX_LIMBS];
    memcpy(pm1, ctx->mp.N, ctx->n * sizeof *pm1);
    pm1[0] &= ~(uint64_t)1;
    return hsb_nm_bitlen_public(y, ctx->n) > 1 && hsb_nm_lt(y, pm1, ctx->n);
}

static hsb_rc dh_init(const hsb_nm_engine *e, void *vctx, const hsb_dh_group *group)
{
    dh_ctx *ctx = vctx;
    HSB_ENSURE(ctx != NULL && group != NULL && group->p != NULL && group->g != NULL, HSB_E_USAGE);
    memset(ctx, 0, sizeof *ctx);
    size_t p_len = group->p_len, g_len = group->g_len, q_len = group->q ? group->q_len : 0;
    const uint8_t *p = strip(group->p, &p_len), *g = strip(group->g, &g_len);
    const uint8_t *q = group->q ? strip(group->q, &q_len) : NULL;
    HSB_ENSURE(p_len >= 128 && p_len <= HSB_MAX_MODULUS_BYTES, HSB_E_UNSUPPORTED);
    HSB_ENSURE(p[p_len - 1] & 1, HSB_E_RANGE);
    HSB_ENSURE(g_len <= p_len && q_len <= p_len, HSB_E_RANGE);

    size_t n = (p_len + 7) / 8;
    uint64_t P[HSB_NM_MAX_LIMBS];
    hsb_nm_from_bytes(P, n, p, p_len);
    hsb_nm_mont_init(&ctx->mp, e, P, n, hsb_nm_bitlen_public(P, n) - 1);
    ctx->n = n;
    hsb_nm_from_bytes(ctx->g, n, g, g_len);
    HSB_ENSURE(in_range(ctx, ctx->g), HSB_E_RANGE);
    if (q_len) memcpy(ctx->q, q, q_len);
    ctx->q_len = q_len;

    /* priv_bits: what the group asks for, else (0, or more than p has) a
     * full-size exponent. */
    unsigned pbits = (unsigned)hsb_nm_bitlen_public(P, n);
    ctx->priv_bits = group->priv_bits;
    if (ctx->priv_bits < 2 || ctx->priv_bits >= pbits) ctx->priv_bits = pbits - 1;
    ctx->p_len = p_len;
    ctx->e = e;
    return HSB_OK;
}

/* pub = g^x mod p (x secret). */
static void compute_pub(dh_ctx *ctx, uint8_t *pub)
{
    uint64_t y[HSB_NM_MAX_LIMBS];
    hsb_nm_pow(ctx->e, &ctx->mp, y, ctx->g, ctx->x, ctx->x_len);
    hsb_nm_to_bytes(pub, ctx->p_len, y, ctx->n);
    hsb_wipe(y, sizeof y);
}

static hsb_rc dh_keygen(void *vctx, const hsb_rng_class *rng, uint8_t *pub, size_t pub_len)
{
    dh_ctx *ctx = vctx;
    HSB_ENSURE(ctx != NULL && ctx->e != NULL, HSB_E_USAGE);
    HSB_ENSURE(rng != NULL && rng->fill != NULL, HSB_E_USAGE);
    HSB_ENSURE(pub != NULL && pub_len == ctx->p_len, HSB_E_USAGE);
    /* x: priv_bits bits with the top one set, so x > 1 and its length is
     * fixed without a rejection loop (no branch on x); that spends one of the
     * priv_bits bits (224 random bits for ffdhe2048's 225, twice its 112-bit
     * strength still). */
    size_t xb = (ctx->priv_bits + 7) / 8;
    hsb_rc rc = rng->fill(ctx->x, xb);
    if (rc != HSB_OK) {
        hsb_wipe(ctx->x, sizeof ctx->x);
        ctx->x_len = 0;
        return rc;
    }
    unsigned top = (ctx->priv_bits - 1) % 8;
    ctx->x[0] = (uint8_t)((ctx->x[0] & ((2u << top) - 1)) | (1u << top));
    ctx->x_len = xb;
    compute_pub(ctx, pub);
    return HSB_OK;
}

static hsb_rc dh_set_priv(void *vctx, const uint8_t *x, size_t x_len, uint8_t *pub, size_t pub_len)
{
    dh_ctx *ctx = vctx;
    HSB_ENSURE(ctx != NULL && ctx->e != NULL, HSB_E_USAGE);
    HSB_ENSURE(x != NULL && x_len > 0 && x_len <= ctx->p_len, HSB_E_USAGE);
    HSB_ENSURE(pub != NULL && pub_len == ctx->p_len, HSB_E_USAGE);
    memcpy(ctx->x, x, x_len);
    ctx->x_len = x_len;
    compute_pub(ctx, pub);
    return HSB_OK;
}

static hsb_rc dh_check(void *vctx, const uint8_t *y, size_t len, hsb_dh_check policy)
{
    dh_ctx *ctx = vctx;
    HSB_ENSURE(ctx != NULL && ctx->e != NULL && (y != NULL || len == 0), HSB_E_USAGE);
    HSB_ENSURE(policy == HSB_DH_CHECK_RANGE || policy == HSB_DH_CHECK_FULL, HSB_E_USAGE);
    HSB_ENSURE(policy == HSB_DH_CHECK_RANGE || ctx->q_len > 0, HSB_E_USAGE);
    /* The peer's value is public: plain branches. */
    y = strip(y, &len);
    HSB_ENSURE(len <= ctx->p_len, HSB_E_RANGE);
    uint64_t Y[HSB_NM_MAX_LIMBS], v[HSB_NM_MAX_LIMBS];
    hsb_nm_from_bytes(Y, ctx->n, y, len);
    HSB_ENSURE(in_range(ctx, Y), HSB_E_RANGE);
    if (policy == HSB_DH_CHECK_FULL) {
        /* Y in the order-q subgroup: Y^q = 1 (RFC 7919 5.1, SP 800-56A 5.6.2.3.1). */
        hsb_nm_pow_public(ctx->e, &ctx->mp, v, Y, ctx->q, ctx->q_len);
        HSB_ENSURE(hsb_nm_bitlen_public(v, ctx->n) == 1, HSB_E_RANGE);
    }
    return HSB_OK;
}

static hsb_rc dh_derive(void *vctx, uint8_t *shared, size_t shared_len, const uint8_t *peer,
                        size_t peer_len)
{
    dh_ctx *ctx = vctx;
    HSB_ENSURE(ctx != NULL && ctx->e != NULL && ctx->x_len > 0, HSB_E_USAGE);
    HSB_ENSURE(shared != NULL && shared_len == ctx->p_len, HSB_E_USAGE);
    HSB_GUARD(dh_check(ctx, peer, peer_len, HSB_DH_CHECK_RANGE));
    peer = strip(peer, &peer_len);
    uint64_t Y[HSB_NM_MAX_LIMBS];
    hsb_nm_from_bytes(Y, ctx->n, peer, peer_len);
    hsb_nm_pow(ctx->e, &ctx->mp, Y, Y, ctx->x, ctx->x_len);
    hsb_nm_to_bytes(shared, shared_len, Y, ctx->n);
    hsb_wipe(Y, sizeof Y);
    return HSB_OK;
}

int hsb_nm_dh_view_get(void *vctx, hsb_nm_dh_view *v)
{
    dh_ctx *ctx = vctx;
    if (!ctx || !ctx->e || !v) return 0;
    *v = (hsb_nm_dh_view){.mp = &ctx->mp,
                          .g = ctx->g,
                          .q = ctx->q,
                          .q_len = ctx->q_len,
                          .p_len = ctx->p_len,
                          .n = ctx->n,
                          .priv_bits = ctx->priv_bits,
                          .x = ctx->x,
                          .x_len = &ctx->x_len};
    return 1;
}

#define HSB_NM_DH_PATH(suffix, engine)                                                             \
    static hsb_rc dh_init_##suffix(void *ctx, const hsb_dh_group *group)                           \
    {                                                                                              \
        return dh_init(&(engine), ctx, group);                                                     \
    }
HSB_NM_DH_PATH(portable, hsb_nm_engine_portable)
HSB_NM_DH_PATH(mulx, hsb_nm_engine_mulx)
HSB_NM_DH_PATH(ifma, hsb_nm_engine_ifma)

#define HSB_NM_DH_CLASS(suffix)                                                                    \
    {                                                                                              \
        .name = "native-dh-" #suffix, .ctx_size = sizeof(dh_ctx), .init = dh_init_##suffix,        \
        .keygen = dh_keygen, .set_priv = dh_set_priv, .check = dh_check, .derive = dh_derive,      \
        .clear = dh_clear,                                                                         \
    }
static const hsb_dh_class classes[HSB_NM_PATH_COUNT] = {
    [HSB_NM_PATH_PORTABLE] = HSB_NM_DH_CLASS(portable),
    [HSB_NM_PATH_MULX] = HSB_NM_DH_CLASS(mulx),
    [HSB_NM_PATH_IFMA] = HSB_NM_DH_CLASS(ifma),
};

const hsb_dh_class *hsb_native_dh_class_unchecked(hsb_nm_path path)
{
    return (unsigned)path < HSB_NM_PATH_COUNT ? &classes[path] : NULL;
}

const hsb_dh_class *hsb_native_dh_class(hsb_nm_path path)
{
    return hsb_nm_engine_get(path) ? &classes[path] : NULL;
}

const hsb_dh_class *hsb_native_dh_get(void)
{
    return hsb_native_dh_class(hsb_nm_best_path());
}
