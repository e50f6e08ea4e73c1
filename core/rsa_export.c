#include "hsb_rsa_export.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>

hsb_rc hsb_rsa_key_export(EVP_PKEY *pkey, uint8_t *buf, size_t cap, hsb_rsa_key *key)
{
    HSB_ENSURE(pkey && buf && key, HSB_E_USAGE);
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) HSB_BAIL_MSG(HSB_E_USAGE, "key is not RSA");
    static const char *const names[8] = {
        OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
    };
    hsb_rsa_key k;
    memset(&k, 0, sizeof k);
    const uint8_t **field[8] = {&k.n, &k.e, &k.d, &k.p, &k.q, &k.dp, &k.dq, &k.qinv};
    size_t *field_len[8] = {&k.n_len, &k.e_len,  &k.d_len,  &k.p_len,
                            &k.q_len, &k.dp_len, &k.dq_len, &k.qinv_len};
    size_t off = 0;
    for (int i = 0; i < 8; i++) {
        BIGNUM *bn = NULL;
        if (!EVP_PKEY_get_bn_param(pkey, names[i], &bn))
            HSB_BAIL_MSG(HSB_E_USAGE, "RSA key lacks a field");
        size_t n = (size_t)BN_num_bytes(bn);
        if (n == 0) n = 1;
        if (n > cap - off) {
            BN_clear_free(bn);
            HSB_BAIL_MSG(HSB_E_UNSUPPORTED, "RSA key export: buffer too small");
        }
        BN_bn2binpad(bn, buf + off, (int)n);
        BN_clear_free(bn);
        *field[i] = buf + off;
        *field_len[i] = n;
        off += n;
    }
    *key = k;
    return HSB_OK;
}
