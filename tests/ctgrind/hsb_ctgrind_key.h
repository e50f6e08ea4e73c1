/*
 * hsb_ctgrind_key.h - the RSA keys the ctgrind programs use: made by
 * OpenSSL in the parent (key generation under valgrind would take minutes)
 * and handed to the child through a file, one field per hex line in the
 * order n, e, d, p, q, dp, dq, qinv.
 */
#ifndef HSB_CTGRIND_KEY_H
#define HSB_CTGRIND_KEY_H

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct hsb_ctgrind_key {
    uint8_t v[8][512];
    size_t len[8];
} hsb_ctgrind_key;

/* Append a fresh bits-bit key to f; 0 on success. */
static inline int hsb_ctgrind_key_write(FILE *f, int bits)
{
    static const char *const fields[8] = {
        OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    EVP_PKEY *pk = EVP_RSA_gen((unsigned)bits);
    if (!pk) return -1;
    for (int i = 0; i < 8; i++) {
        BIGNUM *b = NULL;
        EVP_PKEY_get_bn_param(pk, fields[i], &b);
        char *hex = BN_bn2hex(b);
        fprintf(f, "%s\n", hex);
        OPENSSL_free(hex);
        BN_free(b);
    }
    EVP_PKEY_free(pk);
    return 0;
}

/* Read the next key from f; 0 on success. */
static inline int hsb_ctgrind_key_read(FILE *f, hsb_ctgrind_key *k)
{
    char line[1200];
    for (int i = 0; i < 8; i++) {
        if (!fgets(line, sizeof line, f)) return -1;
        line[strcspn(line, "\r\n")] = '\0';
        BIGNUM *b = NULL;
        BN_hex2bn(&b, line);
        k->len[i] = (size_t)BN_bn2bin(b, k->v[i]);
        BN_free(b);
    }
    return 0;
}

#endif
