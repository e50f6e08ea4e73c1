/*
 * Raw RSA through EVP: an EVP_PKEY built from the key's components
 * (EVP_PKEY_fromdata) and a pre-made EVP_PKEY_CTX with RSA_NO_PADDING, so that
 * op() is one EVP_PKEY_decrypt / EVP_PKEY_encrypt call.
 *
 * Private op (RSADP, RFC 8017 5.1.2): libcrypto runs it by CRT when p, q, dP,
 * dQ and qInv are present, with base blinding on (its default: r^e * c, so the
 * exponentiations see a random base), constant-time modexp on secret
 * exponents, and a check of the CRT result by re-encryption with a fall-back to
 * the plain exponent d (its fault-attack guard). That guard needs d, so when
 * the caller gives none we compute d = e^-1 mod lcm(p-1, q-1) at init.
 *
 * The range check (in >= n) is done here: OpenSSL rejects it too, but with an
 * error the caller could not tell from any other.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "hsb_ct.h"
#include "hsb_limits.h"
#include "openssl_internal.h"

typedef struct rsa_ctx {
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *pctx;
    size_t n_len;
    uint8_t n[HSB_MAX_MODULUS_BYTES]; /* n, big-endian, no leading zeros */
} rsa_ctx;

/* Strip leading zeros and check the modulus size; fills c->n and c->n_len. */
static hsb_rc load_modulus(rsa_ctx *c, const uint8_t *n, size_t n_len)
{
    HSB_ENSURE(n && n_len > 0, HSB_E_USAGE);
    while (n_len > 0 && *n == 0) n++, n_len--;
    size_t bits = hsb_ossl_be_bits(n, n_len);
    HSB_ENSURE(bits >= HSB_MIN_RSA_MODULUS_BITS && bits <= HSB_MAX_MODULUS_BITS, HSB_E_UNSUPPORTED);
    memcpy(c->n, n, n_len);
    c->n_len = n_len;
    return HSB_OK;
}

/*
 * The numbers of a key on their way to EVP_PKEY_fromdata. OSSL_PARAM_BLD
 * keeps pointers to the BIGNUMs until OSSL_PARAM_BLD_to_param, so they live
 * here until then. Secret ones are secure-heap BIGNUMs, which makes the
 * builder put them in its secure (wiped on free) block too.
 */
typedef struct key_params {
    OSSL_PARAM_BLD *bld;
    BIGNUM *bn[8];
    int n;
} key_params;

static int push_bn(key_params *kp, const char *key, const uint8_t *v, size_t len, int secret)
{
    if (!kp->bld || !v || len == 0 || len > 0x7fffffff || kp->n == 8) return 0;
    BIGNUM *b = secret ? BN_secure_new() : BN_new();
    if (!b) return 0;
    kp->bn[kp->n++] = b;
    return BN_bin2bn(v, (int)len, b) && OSSL_PARAM_BLD_push_BN(kp->bld, key, b);
}

/* d = e^-1 mod lcm(p-1, q-1) (RFC 8017 3.2), for keys given without d. */
static int push_computed_d(key_params *kp, const hsb_rsa_key *k)
{
    BN_CTX *bn = hsb_ossl_bn_ctx();
    if (!bn || !kp->bld || kp->n == 8) return 0;
    BIGNUM *d = BN_secure_new();
    if (!d) return 0;
    kp->bn[kp->n++] = d;
    BN_CTX_start(bn);
    BIGNUM *p1 = BN_CTX_get(bn), *q1 = BN_CTX_get(bn), *e = BN_CTX_get(bn);
    BIGNUM *g = BN_CTX_get(bn), *l = BN_CTX_get(bn);
    int ok = l && k->e_len <= 0x7fffffff && k->p_len <= 0x7fffffff && k->q_len <= 0x7fffffff &&
             BN_bin2bn(k->p, (int)k->p_len, p1) && BN_bin2bn(k->q, (int)k->q_len, q1) &&
             BN_bin2bn(k->e, (int)k->e_len, e) && BN_sub_word(p1, 1) && BN_sub_word(q1, 1) &&
             BN_gcd(g, p1, q1, bn) && BN_mul(l, p1, q1, bn) && BN_div(l, NULL, l, g, bn) &&
             !BN_is_zero(l);
    if (ok) {
        BN_set_flags(l, BN_FLG_CONSTTIME);
        ok = BN_mod_inverse(d, e, l, bn) != NULL &&
             OSSL_PARAM_BLD_push_BN(kp->bld, OSSL_PKEY_PARAM_RSA_D, d);
    }
    if (p1) BN_clear(p1);
    if (q1) BN_clear(q1);
    if (l) BN_clear(l);
    BN_CTX_end(bn);
    return ok;
}

static void key_params_free(key_params *kp)
{
    for (int i = 0; i < kp->n; i++) BN_clear_free(kp->bn[i]);
    OSSL_PARAM_BLD_free(kp->bld);
}

static hsb_rc make_pkey(EVP_PKEY **out, key_params *kp, int selection)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(kp->bld);
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    int ok = params && kctx && EVP_PKEY_fromdata_init(kctx) > 0 &&
             EVP_PKEY_fromdata(kctx, out, selection, params) > 0;
    EVP_PKEY_CTX_free(kctx);
    OSSL_PARAM_free(params); /* the secret part sits in the secure heap, freed wiped */
    HSB_OSSL_ENSURE(ok, HSB_E_USAGE, "EVP_PKEY_fromdata(RSA)");
    return HSB_OK;
}

static void rsa_clear(void *ctx)
{
    rsa_ctx *c = ctx;
    EVP_PKEY_CTX_free(c->pctx);
    EVP_PKEY_free(c->pkey);
    hsb_wipe(c, sizeof *c);
}

static size_t rsa_n_len(const void *ctx)
{
    return ((const rsa_ctx *)ctx)->n_len;
}

static hsb_rc priv_init(void *ctx, const hsb_rsa_key *k)
{
    rsa_ctx *c = ctx;
    memset(c, 0, sizeof *c);
    HSB_ENSURE(k && k->e && k->p && k->q && k->dp && k->dq && k->qinv, HSB_E_USAGE);
    HSB_GUARD(load_modulus(c, k->n, k->n_len));

    key_params kp = {.bld = OSSL_PARAM_BLD_new()};
    int have_d = k->d && k->d_len > 0;
    int ok = push_bn(&kp, OSSL_PKEY_PARAM_RSA_N, k->n, k->n_len, 0) &&
             push_bn(&kp, OSSL_PKEY_PARAM_RSA_E, k->e, k->e_len, 0) &&
             (have_d ? push_bn(&kp, OSSL_PKEY_PARAM_RSA_D, k->d, k->d_len, 1)
                     : push_computed_d(&kp, k)) &&
             push_bn(&kp, OSSL_PKEY_PARAM_RSA_FACTOR1, k->p, k->p_len, 1) &&
             push_bn(&kp, OSSL_PKEY_PARAM_RSA_FACTOR2, k->q, k->q_len, 1) &&
             push_bn(&kp, OSSL_PKEY_PARAM_RSA_EXPONENT1, k->dp, k->dp_len, 1) &&
             push_bn(&kp, OSSL_PKEY_PARAM_RSA_EXPONENT2, k->dq, k->dq_len, 1) &&
             push_bn(&kp, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, k->qinv, k->qinv_len, 1);
    hsb_rc rc = ok ? make_pkey(&c->pkey, &kp, EVP_PKEY_KEYPAIR)
                   : hsb_ossl_raise(HSB_E_USAGE, __FILE__, __LINE__, "RSA key components");
    key_params_free(&kp);
    if (rc == HSB_OK) {
        c->pctx = EVP_PKEY_CTX_new_from_pkey(NULL, c->pkey, NULL);
        if (!c->pctx || EVP_PKEY_decrypt_init(c->pctx) <= 0 ||
            EVP_PKEY_CTX_set_rsa_padding(c->pctx, RSA_NO_PADDING) <= 0)
            rc = hsb_ossl_raise(HSB_E_CRYPTO, __FILE__, __LINE__, "EVP_PKEY_decrypt_init");
    }
    if (rc != HSB_OK) rsa_clear(c);
    return rc;
}

static hsb_rc priv_op(void *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
    rsa_ctx *c = ctx;
    HSB_ENSURE(c->pctx && out && in, HSB_E_USAGE);
    HSB_ENSURE(len == c->n_len, HSB_E_USAGE);
    /* in is the (public) ciphertext: a plain comparison is fine. */
    HSB_ENSURE(memcmp(in, c->n, len) < 0, HSB_E_RANGE);
    /* in == out is safe: libcrypto reads the whole input into a BIGNUM first. */
    size_t out_len = len;
    HSB_OSSL_ENSURE(EVP_PKEY_decrypt(c->pctx, out, &out_len, in, len) > 0 && out_len == len,
                    HSB_E_CRYPTO, "EVP_PKEY_decrypt(RSA_NO_PADDING)");
    return HSB_OK;
}

static hsb_rc pub_init(void *ctx, const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len)
{
    rsa_ctx *c = ctx;
    memset(c, 0, sizeof *c);
    HSB_ENSURE(e && e_len > 0, HSB_E_USAGE);
    HSB_GUARD(load_modulus(c, n, n_len));
    HSB_ENSURE(c->n[c->n_len - 1] & 1, HSB_E_RANGE);
    size_t e_bits = hsb_ossl_be_bits(e, e_len);
    HSB_ENSURE((e[e_len - 1] & 1) && e_bits >= 2, HSB_E_RANGE);
    /* libcrypto refuses exponents over 64 bits with moduli over 3072 bits
     * (OPENSSL_RSA_MAX_PUBEXP_BITS), a DoS guard: say so rather than fail later. */
    HSB_ENSURE(c->n_len * 8 <= 3072 || e_bits <= 64, HSB_E_UNSUPPORTED);

    key_params kp = {.bld = OSSL_PARAM_BLD_new()};
    int ok = push_bn(&kp, OSSL_PKEY_PARAM_RSA_N, c->n, c->n_len, 0) &&
             push_bn(&kp, OSSL_PKEY_PARAM_RSA_E, e, e_len, 0);
    hsb_rc rc = ok ? make_pkey(&c->pkey, &kp, EVP_PKEY_PUBLIC_KEY)
                   : hsb_ossl_raise(HSB_E_NOMEM, __FILE__, __LINE__, "RSA public key");
    key_params_free(&kp);
    if (rc == HSB_OK) {
        c->pctx = EVP_PKEY_CTX_new_from_pkey(NULL, c->pkey, NULL);
        if (!c->pctx || EVP_PKEY_encrypt_init(c->pctx) <= 0 ||
            EVP_PKEY_CTX_set_rsa_padding(c->pctx, RSA_NO_PADDING) <= 0)
            rc = hsb_ossl_raise(HSB_E_CRYPTO, __FILE__, __LINE__, "EVP_PKEY_encrypt_init");
    }
    if (rc != HSB_OK) rsa_clear(c);
    return rc;
}

static hsb_rc pub_op(void *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
    rsa_ctx *c = ctx;
    HSB_ENSURE(c->pctx && out && in, HSB_E_USAGE);
    HSB_ENSURE(len == c->n_len, HSB_E_USAGE);
    HSB_ENSURE(memcmp(in, c->n, len) < 0, HSB_E_RANGE);
    size_t out_len = len;
    HSB_OSSL_ENSURE(EVP_PKEY_encrypt(c->pctx, out, &out_len, in, len) > 0 && out_len == len,
                    HSB_E_CRYPTO, "EVP_PKEY_encrypt(RSA_NO_PADDING)");
    return HSB_OK;
}

const hsb_rsa_priv_class hsb_openssl_rsa_priv = {
    .name = "openssl-evp-rsa-crt",
    .ctx_size = sizeof(rsa_ctx),
    .init = priv_init,
    .op = priv_op,
    .n_len = rsa_n_len,
    .clear = rsa_clear,
};

const hsb_rsa_pub_class hsb_openssl_rsa_pub = {
    .name = "openssl-evp-rsa",
    .ctx_size = sizeof(rsa_ctx),
    .init = pub_init,
    .op = pub_op,
    .n_len = rsa_n_len,
    .clear = rsa_clear,
};
