/* The TLS 1.2 PRF, RFC 5246 section 5:
 *   P_hash(secret, seed) = HMAC(secret, A(1) || seed) || HMAC(secret, A(2) || seed) || ...
 *   A(0) = seed, A(i) = HMAC(secret, A(i-1)); seed here is label || seed_a || seed_b. */
#include "hsb_prf.h"

#include <string.h>

#include "hsb_ct.h"

hsb_rc hsb_tls12_prf(const hsb_hmac_sha256_class *hmac, void *ctx, const uint8_t *secret,
                     size_t secret_len, const char *label, const uint8_t *seed_a, size_t seed_a_len,
                     const uint8_t *seed_b, size_t seed_b_len, uint8_t *out, size_t out_len)
{
    HSB_ENSURE(hmac && ctx && label && (out || out_len == 0), HSB_E_USAGE);
    HSB_ENSURE((seed_a || seed_a_len == 0) && (seed_b || seed_b_len == 0), HSB_E_USAGE);
    HSB_GUARD(hmac->init(ctx, secret, secret_len));
    size_t label_len = strlen(label);
    uint8_t a[32], block[32];

    /* A(1) = HMAC(secret, label || seed). */
    hmac->update(ctx, label, label_len);
    hmac->update(ctx, seed_a, seed_a_len);
    hmac->update(ctx, seed_b, seed_b_len);
    hmac->final(ctx, a);
    while (out_len > 0) {
        hmac->update(ctx, a, sizeof a);
        hmac->update(ctx, label, label_len);
        hmac->update(ctx, seed_a, seed_a_len);
        hmac->update(ctx, seed_b, seed_b_len);
        hmac->final(ctx, block);
        size_t n = out_len < sizeof block ? out_len : sizeof block;
        memcpy(out, block, n);
        out += n;
        out_len -= n;
        if (out_len > 0) {
            hmac->update(ctx, a, sizeof a);
            hmac->final(ctx, a);
        }
    }
    hsb_wipe(a, sizeof a);
    hsb_wipe(block, sizeof block);
    hmac->clear(ctx);
    return HSB_OK;
}

hsb_rc hsb_tls12_ems_master(const hsb_hmac_sha256_class *hmac, void *ctx, const uint8_t *premaster,
                            size_t premaster_len, const uint8_t session_hash[32],
                            uint8_t master[48])
{
    HSB_ENSURE(session_hash && master, HSB_E_USAGE);
    return hsb_tls12_prf(hmac, ctx, premaster, premaster_len, "extended master secret",
                         session_hash, 32, NULL, 0, master, 48);
}
