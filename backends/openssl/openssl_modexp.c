/*
 * modexp by libcrypto's BN_mod_exp_mont_consttime: a fixed-window Montgomery
 * ladder with cache-line scattered tables, the routine OpenSSL itself uses
 * for RSA and DH secrets.
 *
 * Timing: base and exp are read through BN_bin2bn, which drops leading zero
 * bytes; BN_mod_exp_mont_consttime then runs over the exponent's length in
 * 64-bit words, so the word length of exp (not its bits) is visible. The
 * base < mod check below is a constant-time subtraction, not BN_cmp.
 */
#include <string.h>

#include <openssl/bn.h>

#include "hsb_ct.h"
#include "openssl_internal.h"

/* 1 when the big-endian value a < b, in time that depends only on the lengths. */
static uint32_t ct_less(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    size_t n = a_len > b_len ? a_len : b_len;
    uint32_t borrow = 0;
    for (size_t i = 0; i < n; i++) { /* from the least significant byte */
        uint32_t x = i < a_len ? a[a_len - 1 - i] : 0;
        uint32_t y = i < b_len ? b[b_len - 1 - i] : 0;
        borrow = ((x - y - borrow) >> 8) & 1;
    }
    return hsb_ct_barrier32(borrow);
}

static hsb_rc openssl_modexp(uint8_t *out, const uint8_t *base, size_t base_len, const uint8_t *exp,
                             size_t exp_len, const uint8_t *mod, size_t mod_len)
{
    HSB_ENSURE(out && mod && (base || base_len == 0) && (exp || exp_len == 0), HSB_E_USAGE);
    HSB_ENSURE(mod_len <= HSB_MAX_MODULUS_BYTES, HSB_E_UNSUPPORTED);
    HSB_ENSURE(mod_len > 0 && (mod[mod_len - 1] & 1) && hsb_ossl_be_bits(mod, mod_len) > 1,
               HSB_E_RANGE);
    HSB_ENSURE(ct_less(base, base_len, mod, mod_len), HSB_E_RANGE);
    HSB_ENSURE(exp_len <= 0x7fffffff, HSB_E_USAGE);
    /* base < mod, so any bytes beyond mod_len are leading zeros. */
    if (base_len > mod_len) base += base_len - mod_len, base_len = mod_len;

    BN_CTX *bn = hsb_ossl_bn_ctx();
    HSB_ENSURE(bn, HSB_E_NOMEM);
    hsb_rc rc = HSB_OK;
    BN_CTX_start(bn);
    BIGNUM *b = BN_CTX_get(bn), *e = BN_CTX_get(bn), *m = BN_CTX_get(bn), *r = BN_CTX_get(bn);
    if (!r) {
        rc = hsb_ossl_raise(HSB_E_NOMEM, __FILE__, __LINE__, "BN_CTX_get");
        goto done;
    }
    /* BN_CTX_get hands out zeroed numbers; BN_bin2bn of length 0 keeps zero. */
    if (!BN_bin2bn(mod, (int)mod_len, m) || (base_len && !BN_bin2bn(base, (int)base_len, b)) ||
        (exp_len && !BN_bin2bn(exp, (int)exp_len, e))) {
        rc = hsb_ossl_raise(HSB_E_NOMEM, __FILE__, __LINE__, "BN_bin2bn");
        goto done;
    }
    BN_set_flags(b, BN_FLG_CONSTTIME);
    BN_set_flags(e, BN_FLG_CONSTTIME);
    /* exp = 0 gives 1 (mod > 1), which BN_mod_exp_mont_consttime returns itself. */
    if (!BN_mod_exp_mont_consttime(r, b, e, m, bn, NULL) ||
        BN_bn2binpad(r, out, (int)mod_len) != (int)mod_len)
        rc = hsb_ossl_raise(HSB_E_CRYPTO, __FILE__, __LINE__, "BN_mod_exp_mont_consttime");
done:
    /* The numbers return to the (secure) pool; clear the secret ones first. */
    if (b) BN_clear(b);
    if (e) BN_clear(e);
    if (r) BN_clear(r);
    BN_CTX_end(bn);
    return rc;
}

const hsb_modexp_class hsb_openssl_modexp = {
    .name = "openssl-bn-mont-consttime",
    .modexp = openssl_modexp,
};
