/*
 * hsb_certgen.h - test certificates made in memory with libcrypto: a CA and
 * a leaf for "localhost" (SAN DNS:localhost and IP:127.0.0.1) that the CA
 * signs with sha256WithRSAEncryption, RSA 2048/3072/4096.
 *
 * Key generation is slow (RSA-4096: seconds), so the keys, and the sets built
 * from them, are cached per (size, variant) for the life of the process and
 * shared between threads (thread-safe). The returned objects belong to the
 * cache: never free them; up-ref them to keep them.
 *
 * Variants for negative tests; in every variant `anchor` is the CA a client
 * should trust and `chain[0]` the leaf the server presents:
 *   GOOD           valid now (from 1 day ago to 1 year ahead)
 *   EXPIRED        leaf valid from 30 days ago to 1 day ago
 *   NOT_YET_VALID  leaf valid from 1 day ahead
 *   WRONG_HOST     leaf for DNS:wrong.example / IP:10.11.12.13 only
 *   UNTRUSTED_CA   leaf signed by another CA (same subject name as the
 *                  anchor, different key): anchor did not sign it
 *   BAD_SIGNATURE  leaf whose signature has one bit flipped
 *   WITH_INTERMEDIATE  anchor -> intermediate CA -> leaf; chain = leaf,
 *                  intermediate
 *   CLIENT         a client's leaf ("hsbench client", extendedKeyUsage
 *                  clientAuth, its own key in leaf_key) that anchor signs:
 *                  for servers that verify clients
 *   CLIENT_UNTRUSTED  the same client leaf signed by the rogue CA of
 *                  UNTRUSTED_CA instead
 */
#ifndef HSB_CERTGEN_H
#define HSB_CERTGEN_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "hsb_error.h"

typedef enum hsb_cert_variant {
    HSB_CERT_GOOD = 0,
    HSB_CERT_EXPIRED,
    HSB_CERT_NOT_YET_VALID,
    HSB_CERT_WRONG_HOST,
    HSB_CERT_UNTRUSTED_CA,
    HSB_CERT_BAD_SIGNATURE,
    HSB_CERT_WITH_INTERMEDIATE,
    HSB_CERT_CLIENT,
    HSB_CERT_CLIENT_UNTRUSTED,
    HSB_CERT_VARIANT_COUNT
} hsb_cert_variant;

typedef struct hsb_cert_set {
    unsigned bits; /* RSA size of every key in the set */
    hsb_cert_variant variant;
    X509 *anchor; /* the CA a client trusts */
    EVP_PKEY *anchor_key;
    X509 *chain[2];     /* leaf, then the intermediate (or NULL) */
    size_t chain_len;   /* 1, or 2 for WITH_INTERMEDIATE */
    EVP_PKEY *leaf_key; /* the leaf's private key (the server's; the client's for CLIENT*) */
} hsb_cert_set;

/* "good", "expired", ... ; NULL for a bad value. */
const char *hsb_cert_variant_name(hsb_cert_variant v);

/* The cached set for bits (2048, 3072 or 4096; else HSB_E_USAGE) and variant;
 * made on first use. */
HSB_MUST_CHECK hsb_rc hsb_certgen_get(unsigned bits, hsb_cert_variant v, const hsb_cert_set **out);

/* Write PEM files: ca_file (the anchor), chain_file (leaf then any
 * intermediate) and key_file (the leaf's private key, unencrypted PKCS#8).
 * Any of the paths may be NULL to skip it. */
HSB_MUST_CHECK hsb_rc hsb_certgen_write_pem(const hsb_cert_set *set, const char *ca_file,
                                            const char *chain_file, const char *key_file);

#endif
