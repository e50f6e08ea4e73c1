/*
 * hsb_rsa_export.h - an RSA private key held by libcrypto (EVP_PKEY) as the
 * big-endian byte fields of hsb_rsa_key that the backends take. One export
 * for the TLS server config, the benchmark driver and the self-test.
 */
#ifndef HSB_RSA_EXPORT_H
#define HSB_RSA_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "hsb_provider.h"

/* Bytes an export of a key of `bits` needs at most (n, d: bits/8 each; e; and
 * p, q, dp, dq, qinv: bits/16 each, with room to spare). */
#define HSB_RSA_EXPORT_CAP(bits) (8 * ((size_t)(bits) / 8 + 8))

/*
 * Write n, e, d, p, q, dp, dq, qinv of pkey one after another into buf (cap
 * bytes, minimal big-endian, a zero as one byte), and point key's fields at
 * them; buf must outlive key and holds secrets (wipe it). HSB_E_USAGE when
 * pkey is not an RSA private key with CRT fields, HSB_E_UNSUPPORTED when cap
 * is too small.
 */
HSB_MUST_CHECK hsb_rc hsb_rsa_key_export(EVP_PKEY *pkey, uint8_t *buf, size_t cap,
                                         hsb_rsa_key *key);

#endif
