/*
 * hsb_prf.h - the TLS 1.2 PRF (RFC 5246 section 5) with P_SHA256, on the
 * composition's HMAC-SHA256 class.
 *
 * PRF(secret, label, seed) = P_SHA256(secret, label || seed), with
 * seed = seed_a || seed_b (the two randoms, in the order the caller gives).
 * hmac_ctx is scratch of hmac->ctx_size bytes that the caller owns (not yet
 * initialised, or cleared); it is cleared again on return.
 */
#ifndef HSB_PRF_H
#define HSB_PRF_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_provider.h"

HSB_MUST_CHECK hsb_rc hsb_tls12_prf(const hsb_hmac_sha256_class *hmac, void *hmac_ctx,
                                    const uint8_t *secret, size_t secret_len, const char *label,
                                    const uint8_t *seed_a, size_t seed_a_len, const uint8_t *seed_b,
                                    size_t seed_b_len, uint8_t *out, size_t out_len);

/* The extended master secret (RFC 7627 4):
 *   master_secret = PRF(pre_master_secret, "extended master secret",
 *                       session_hash)[0..47]
 * session_hash: SHA-256 of the handshake messages through
 * ClientKeyExchange (32 bytes, the PRF's hash in TLS 1.2, RFC 7627 3). */
HSB_MUST_CHECK hsb_rc hsb_tls12_ems_master(const hsb_hmac_sha256_class *hmac, void *hmac_ctx,
                                           const uint8_t *premaster, size_t premaster_len,
                                           const uint8_t session_hash[32], uint8_t master[48]);

#endif
