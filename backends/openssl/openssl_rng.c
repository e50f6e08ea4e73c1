/* Random bytes from libcrypto's DRBG (RAND_bytes): per-thread DRBG instances
 * seeded from the OS, so it is thread-safe without a lock of ours. */
#include <openssl/rand.h>

#include "openssl_internal.h"

static hsb_rc rng_fill(void *out, size_t len)
{
    HSB_ENSURE(out || len == 0, HSB_E_USAGE);
    unsigned char *p = out;
    while (len > 0) {
        int n = len > (1u << 30) ? (1 << 30) : (int)len;
        HSB_OSSL_ENSURE(RAND_bytes(p, n) == 1, HSB_E_CRYPTO, "RAND_bytes");
        p += n;
        len -= (size_t)n;
    }
    return HSB_OK;
}

const hsb_rng_class hsb_openssl_rng = {
    .name = "openssl-rand-bytes",
    .fill = rng_fill,
};
