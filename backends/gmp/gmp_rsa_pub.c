/*
 * gmp_rsa_pub.c - hsb_gmp_rsa_pub: the RSA public operation (RSAEP / RSAVP1,
 * RFC 8017 5.1.1 and 5.2.2) with mpz_powm. Nothing here is secret, so GMP's
 * fastest (variable-time) exponentiation is the right one.
 *
 * init sizes the result integer for n, so op() reallocates nothing: the base
 * is a read-only mpz over a stack limb array (mpz_roinit_n), and mpz_powm's
 * own temporaries come from GMP's TMP_ALLOC, on the stack at these sizes
 * (checked with mp_set_memory_functions: no allocation per op at 2048 and
 * 4096 bits with e = 65537).
 */
#include "gmp_internal.h"
#include "gmp_limbs.h"
#include "hsb_ct.h"
#include "hsb_limits.h"

#define L HSB_GMP_MAX_LIMBS

typedef struct gmp_rsa_pub_ctx {
    size_t n_len;
    mp_size_t nn;
    int ready;
    mp_limb_t n_limbs[L];
    mpz_t n, e, r;
} gmp_rsa_pub_ctx;

static void rsa_pub_clear(void *ctx)
{
    gmp_rsa_pub_ctx *k = ctx;
    if (k == NULL) return;
    if (k->ready) {
        mpz_clear(k->n);
        mpz_clear(k->e);
        mpz_clear(k->r);
    }
    hsb_wipe(k, sizeof *k);
}

static hsb_rc rsa_pub_init(void *ctx, const uint8_t *n, size_t n_len, const uint8_t *e,
                           size_t e_len)
{
    gmp_rsa_pub_ctx *k = ctx;
    HSB_ENSURE(k != NULL && n != NULL && e != NULL, HSB_E_USAGE);
    for (size_t i = 0; i < sizeof *k; i++) ((uint8_t *)k)[i] = 0;
    n_len = hsb_gmp_strip(&n, n_len);
    e_len = hsb_gmp_strip(&e, e_len);
    HSB_ENSURE(n_len <= HSB_MAX_MODULUS_BYTES, HSB_E_UNSUPPORTED);
    (void)hsb_gmp_load(k->n_limbs, L, n, n_len);
    size_t bits = hsb_gmp_bits(k->n_limbs, L);
    HSB_ENSURE(bits >= HSB_MIN_RSA_MODULUS_BITS && bits <= HSB_MAX_MODULUS_BITS, HSB_E_UNSUPPORTED);
    HSB_ENSURE((k->n_limbs[0] & 1) == 1, HSB_E_RANGE); /* an even modulus */
    HSB_ENSURE(e_len > 0 && e_len <= n_len, HSB_E_USAGE);
    HSB_ENSURE((e[e_len - 1] & 1) == 1 && (e_len > 1 || e[0] >= 3), HSB_E_USAGE);

    k->n_len = n_len;
    k->nn = (mp_size_t)hsb_gmp_limbs_used(k->n_limbs, L);
    mpz_init2(k->n, bits);
    mpz_init2(k->e, 8 * e_len);
    mpz_init2(k->r, bits + GMP_NUMB_BITS);
    k->ready = 1;
    mpz_import(k->n, n_len, 1, 1, 1, 0, n);
    mpz_import(k->e, e_len, 1, 1, 1, 0, e);
    return HSB_OK;
}

static hsb_rc rsa_pub_op(void *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
    gmp_rsa_pub_ctx *k = ctx;
    HSB_ENSURE(k != NULL && k->ready && out != NULL && in != NULL, HSB_E_USAGE);
    HSB_ENSURE(len == k->n_len, HSB_E_USAGE);
    mp_limb_t b[L];
    (void)hsb_gmp_load(b, (size_t)k->nn, in, len);
    HSB_ENSURE(mpn_cmp(b, k->n_limbs, k->nn) < 0, HSB_E_RANGE);
    mpz_t base;
    mpz_roinit_n(base, b, k->nn);
    mpz_powm(k->r, base, k->e, k->n);
    hsb_gmp_store(out, len, mpz_limbs_read(k->r), mpz_size(k->r));
    return HSB_OK;
}

static size_t rsa_pub_n_len(const void *ctx)
{
    const gmp_rsa_pub_ctx *k = ctx;
    return k == NULL ? 0 : k->n_len;
}

const hsb_rsa_pub_class hsb_gmp_rsa_pub = {
    .name = "gmp-mpz-powm",
    .ctx_size = sizeof(gmp_rsa_pub_ctx),
    .init = rsa_pub_init,
    .op = rsa_pub_op,
    .n_len = rsa_pub_n_len,
    .clear = rsa_pub_clear,
};
