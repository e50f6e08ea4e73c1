/*
 * hsb_pkcs1.h - PKCS#1 v1.5 (RFC 8017) on top of a backend's raw RSA ops.
 *
 * The padding is written once, here, in constant time; backends do only the
 * modular arithmetic (RSAEP/RSADP). So every backend is held to the same
 * padding checks, and a benchmark of a backend measures its arithmetic.
 */
#ifndef HSB_PKCS1_H
#define HSB_PKCS1_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_provider.h"

/* RSAES-PKCS1-v1_5 encryption (RFC 8017 7.2.1): out is n_len bytes;
 * msg_len <= n_len - 11 (else HSB_E_USAGE). PS comes from rng. */
HSB_MUST_CHECK hsb_rc hsb_pkcs1_encrypt(const hsb_rsa_pub_class *cls, void *ctx,
                                        const hsb_rng_class *rng, uint8_t *out, size_t out_len,
                                        const uint8_t *msg, size_t msg_len);

/* RSAES-PKCS1-v1_5 decryption (RFC 8017 7.2.2). ct_len must equal n_len
 * (else HSB_E_USAGE) and ct < n (else HSB_E_RANGE). Every padding failure
 * returns HSB_E_DECRYPT, the same code whatever was wrong, and the decoding
 * runs in time independent of the plaintext. On success the message is
 * written to out (out_cap bytes available; too small: HSB_E_DECRYPT too, as
 * the length is secret) and its length to *msg_len. */
HSB_MUST_CHECK hsb_rc hsb_pkcs1_decrypt(const hsb_rsa_priv_class *cls, void *ctx, uint8_t *out,
                                        size_t out_cap, size_t *msg_len, const uint8_t *ct,
                                        size_t ct_len);

/* The TLS 1.2 premaster rule (RFC 5246 7.4.7.1): decrypt ct; if the padding
 * is bad, the message is not 48 bytes, or its first two bytes are not
 * client_version, use fallback (48 random bytes the caller drew beforehand)
 * instead -- chosen without a branch on any of those facts. Returns HSB_OK in
 * all those cases; only public faults (wrong ct length, ct >= n, a backend
 * failure) return an error. */
HSB_MUST_CHECK hsb_rc hsb_pkcs1_decrypt_premaster(const hsb_rsa_priv_class *cls, void *ctx,
                                                  const uint8_t *ct, size_t ct_len,
                                                  const uint8_t client_version[2],
                                                  const uint8_t fallback[48],
                                                  uint8_t premaster[48]);

/* The decoding half of hsb_pkcs1_decrypt_premaster, for a caller that ran
 * the RSA op itself (an asynchronous TLS step): em is RSADP's output, k
 * (>= 64) bytes. Same rule, same constant time; HSB_OK in every case. */
HSB_MUST_CHECK hsb_rc hsb_pkcs1_premaster_decode(const uint8_t *em, size_t k,
                                                 const uint8_t client_version[2],
                                                 const uint8_t fallback[48], uint8_t premaster[48]);

/* EMSA-PKCS1-v1_5 (RFC 8017 9.2) with SHA-256: the k-byte block that
 * hsb_pkcs1_sign_sha256 hands to the RSA private op. k too small for the
 * DigestInfo: HSB_E_USAGE. */
HSB_MUST_CHECK hsb_rc hsb_pkcs1_emsa_sha256(uint8_t *em, size_t k, const uint8_t hash[32]);

/* RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 8.2): sig is n_len bytes. */
HSB_MUST_CHECK hsb_rc hsb_pkcs1_sign_sha256(const hsb_rsa_priv_class *cls, void *ctx,
                                            const uint8_t hash[32], uint8_t *sig, size_t sig_len);

/* Verify by re-encoding EMSA-PKCS1-v1_5(SHA-256, hash) and comparing the whole
 * block (no lenient ASN.1 parsing). sig_len must equal n_len. Any mismatch:
 * HSB_E_DECRYPT. sig >= n: HSB_E_RANGE. */
HSB_MUST_CHECK hsb_rc hsb_pkcs1_verify_sha256(const hsb_rsa_pub_class *cls, void *ctx,
                                              const uint8_t hash[32], const uint8_t *sig,
                                              size_t sig_len);

#endif
