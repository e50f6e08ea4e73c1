/*
 * openssl_internal.h - what the openssl backend's files share: the class
 * instances the backend table lists, and a few helpers around libcrypto.
 * Not part of any public interface.
 */
#ifndef HSB_OPENSSL_INTERNAL_H
#define HSB_OPENSSL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>

#include "hsb_provider.h"

extern const hsb_modexp_class hsb_openssl_modexp;
extern const hsb_rsa_priv_class hsb_openssl_rsa_priv;
extern const hsb_rsa_pub_class hsb_openssl_rsa_pub;
extern const hsb_dh_class hsb_openssl_dh;
extern const hsb_aes_class hsb_openssl_aes;
extern const hsb_gcm_class hsb_openssl_gcm;
extern const hsb_sha256_class hsb_openssl_sha256;
extern const hsb_hmac_sha256_class hsb_openssl_hmac_sha256;
extern const hsb_rng_class hsb_openssl_rng;

/*
 * Raise code after a libcrypto failure: the message names what failed and
 * OpenSSL's first queued reason, and the thread's OpenSSL error queue is
 * emptied so that failures never pile up in long runs.
 */
hsb_rc hsb_ossl_raise(hsb_rc code, const char *file, int line, const char *what);
#define HSB_OSSL_BAIL(code, what) return hsb_ossl_raise((code), __FILE__, __LINE__, (what))
#define HSB_OSSL_ENSURE(cond, code, what)                                                          \
    do {                                                                                           \
        if (!(cond)) return hsb_ossl_raise((code), __FILE__, __LINE__, (what));                    \
    } while (0)

/*
 * This thread's BN_CTX, created at its first use and freed when the thread
 * exits (a pthread key destructor): no global mutable state, and no BN_CTX
 * allocation per operation. NULL when allocation fails. Callers bracket their
 * use with BN_CTX_start/BN_CTX_end.
 */
BN_CTX *hsb_ossl_bn_ctx(void);

/* Ceiling of the number of bits in a big-endian string (leading zeros skipped). */
size_t hsb_ossl_be_bits(const uint8_t *a, size_t len);

/* Compare big-endian strings of any lengths as numbers (variable time: for
 * public values only). Returns <0, 0, >0. */
int hsb_ossl_be_cmp(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);

#endif
