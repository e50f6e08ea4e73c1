/*
 * native_rsa_pub.c - the RSA public operation (RSAEP/RSAVP1, RFC 8017 5.1.1,
 * 5.2.2): out = in^e mod n. Nothing here is secret, so the exponentiation is
 * the variable-time binary one (17 Montgomery squarings/products for
 * e = 65537).
 */
#include <string.h>

#include "hsb_ct.h"
#include "hsb_limits.h"
#include "native_mont.h"

typedef struct rsa_pub_ctx {
    const hsb_nm_engine *e;
    size_t n_len, nn, e_len;
    hsb_nm_mont mn;
    uint8_t pub_e[HSB_MAX_MODULUS_BYTES];
} rsa_pub_ctx;

static void pub_clear(void *vctx)
{
    if (vctx) hsb_wipe(vctx, sizeof(rsa_pub_ctx));
}

static hsb_rc pub_init(const hsb_nm_engine *e, void *vctx, const uint8_t *n, size_t n_len,
                       const uint8_t *pe, size_t e_len)
{
    rsa_pub_ctx *ctx = vctx;
    HSB_ENSURE(ctx != NULL && n != NULL && pe != NULL, HSB_E_USAGE);
    memset(ctx, 0, sizeof *ctx);
    while (n_len > 0 && n[0] == 0) n++, n_len--;
    while (e_len > 0 && pe[0] == 0) pe++, e_len--;
    HSB_ENSURE(n_len <= HSB_MAX_MODULUS_BYTES && hsb_be_bits(n, n_len) >= HSB_MIN_RSA_MODULUS_BITS,
               HSB_E_UNSUPPORTED);
    HSB_ENSURE(n[n_len - 1] & 1, HSB_E_RANGE);
    /* e odd and >= 3. */
    HSB_ENSURE(e_len > 0 && e_len <= n_len && (pe[e_len - 1] & 1) && (e_len > 1 || pe[0] >= 3),
               HSB_E_RANGE);
    size_t nn = (n_len + 7) / 8;
    uint64_t N[HSB_NM_MAX_LIMBS];
    hsb_nm_from_bytes(N, nn, n, n_len);
    hsb_nm_mont_init(&ctx->mn, e, N, nn, hsb_nm_bitlen_public(N, nn) - 1);
    memcpy(ctx->pub_e, pe, e_len);
    ctx->e_len = e_len;
    ctx->n_len = n_len;
    ctx->nn = nn;
    ctx->e = e;
    return HSB_OK;
}

static hsb_rc pub_op(void *vctx, uint8_t *out, const uint8_t *in, size_t len)
{
    rsa_pub_ctx *ctx = vctx;
    HSB_ENSURE(ctx != NULL && ctx->e != NULL, HSB_E_USAGE);
    HSB_ENSURE(out != NULL && in != NULL && len == ctx->n_len, HSB_E_USAGE);
    uint64_t x[HSB_NM_MAX_LIMBS];
    hsb_nm_from_bytes(x, ctx->nn, in, len);
    HSB_ENSURE(hsb_nm_lt(x, ctx->mn.N, ctx->nn), HSB_E_RANGE);
    hsb_nm_pow_public(ctx->e, &ctx->mn, x, x, ctx->pub_e, ctx->e_len);
    hsb_nm_to_bytes(out, len, x, ctx->nn);
    return HSB_OK;
}

static size_t pub_n_len(const void *vctx)
{
    const rsa_pub_ctx *ctx = vctx;
    return ctx ? ctx->n_len : 0;
}

#define HSB_NM_PUB_PATH(suffix, engine)                                                            \
    static hsb_rc pub_init_##suffix(void *ctx, const uint8_t *n, size_t n_len, const uint8_t *e,   \
                                    size_t e_len)                                                  \
    {                                                                                              \
        return pub_init(&(engine), ctx, n, n_len, e, e_len);                                       \
    }
HSB_NM_PUB_PATH(portable, hsb_nm_engine_portable)
HSB_NM_PUB_PATH(mulx, hsb_nm_engine_mulx)
HSB_NM_PUB_PATH(ifma, hsb_nm_engine_ifma)

#define HSB_NM_PUB_CLASS(suffix)                                                                   \
    {                                                                                              \
        .name = "native-rsa-pub-" #suffix, .ctx_size = sizeof(rsa_pub_ctx),                        \
        .init = pub_init_##suffix, .op = pub_op, .n_len = pub_n_len, .clear = pub_clear,           \
    }
static const hsb_rsa_pub_class classes[HSB_NM_PATH_COUNT] = {
    [HSB_NM_PATH_PORTABLE] = HSB_NM_PUB_CLASS(portable),
    [HSB_NM_PATH_MULX] = HSB_NM_PUB_CLASS(mulx),
    [HSB_NM_PATH_IFMA] = HSB_NM_PUB_CLASS(ifma),
};

const hsb_rsa_pub_class *hsb_native_rsa_pub_class(hsb_nm_path path)
{
    return hsb_nm_engine_get(path) ? &classes[path] : NULL;
}

const hsb_rsa_pub_class *hsb_native_rsa_pub_get(void)
{
    return hsb_native_rsa_pub_class(hsb_nm_best_path());
}
