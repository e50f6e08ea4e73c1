/*
 * hsb_keys.h - the fixtures every room of the driver shares: the run's RSA
 * keys (made once with libcrypto, cached), random input bytes, and
 * OpenSSL's view of our DH groups.
 */
#ifndef HSB_KEYS_H
#define HSB_KEYS_H

#include <openssl/evp.h>
#include <stddef.h>

#include "hsb_provider.h"
#include "hsb_rsa_export.h"

/* An RSA key of `bits` for this run, made once with libcrypto and cached
 * (thread-safe); its parts exported as bytes for the provider classes. */
typedef struct hsb_bench_rsa {
    EVP_PKEY *pkey;
    hsb_rsa_key key; /* points into buf (hsb_rsa_key_export) */
    uint8_t buf[HSB_RSA_EXPORT_CAP(HSB_MAX_MODULUS_BITS)];
    unsigned bits;
} hsb_bench_rsa;
const hsb_bench_rsa *hsb_bench_rsa_key(unsigned bits);

/* Random bytes for inputs (libcrypto's RAND_bytes); aborts on failure. */
void hsb_bench_random(void *buf, size_t len);

/* OpenSSL's name of a DH group ("ffdhe2048", "modp_2048"). */
const char *hsb_ossl_group_name(const char *ours);
/* A parameters-only EVP_PKEY of that named group; NULL on failure. */
EVP_PKEY *hsb_ossl_dh_params(const char *ours);

#endif
