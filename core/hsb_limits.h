/*
 * hsb_limits.h - key-size limits that every backend applies the same way, so
 * that one key gets one answer whichever backend is asked (a test holds them
 * to it: tests/limits).
 *
 * The smallest RSA modulus is counted in bits, the exact bit length of n:
 * 1024. The handshake itself would work with far less (PKCS#1 v1.5 needs 59
 * bytes for the 48-byte premaster and 62 for a SHA-256 DigestInfo), so the
 * floor is a policy: libssl's default security level 1 refuses RSA keys
 * under 1024 bits (80-bit security), our server config refuses them too
 * (EVP_PKEY_get_bits), and so does the check of an issuer's key. Counting
 * bytes instead (128) would let a 1017..1023-bit modulus through.
 */
#ifndef HSB_LIMITS_H
#define HSB_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#define HSB_MIN_RSA_MODULUS_BITS 1024

/* The bit length of a big-endian number of len bytes (leading zero bytes
 * count as bits only after the first non-zero one: strip them or not). */
static inline size_t hsb_be_bits(const uint8_t *v, size_t len)
{
    while (len > 0 && v[0] == 0) v++, len--;
    if (len == 0) return 0;
    size_t bits = (len - 1) * 8;
    for (uint8_t t = v[0]; t; t >>= 1) bits++;
    return bits;
}

#endif
