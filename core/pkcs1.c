/* PKCS#1 v1.5 encoding and constant-time decoding (RFC 8017 7.2, 8.2, 9.2). */
#include "hsb_pkcs1.h"

#include <string.h>

#include "hsb_ct.h"

/* DigestInfo prefix for SHA-256 (RFC 8017 9.2, note 1). */
static const uint8_t sha256_prefix[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                          0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                          0x01, 0x05, 0x00, 0x04, 0x20};

hsb_rc hsb_pkcs1_encrypt(const hsb_rsa_pub_class *cls, void *ctx, const hsb_rng_class *rng,
                         uint8_t *out, size_t out_len, const uint8_t *msg, size_t msg_len)
{
    HSB_ENSURE(cls && ctx && rng && out && (msg || msg_len == 0), HSB_E_USAGE);
    size_t k = cls->n_len(ctx);
    HSB_ENSURE(k <= HSB_MAX_MODULUS_BYTES && out_len == k && msg_len + 11 <= k, HSB_E_USAGE);
    uint8_t em[HSB_MAX_MODULUS_BYTES];
    size_t ps_len = k - 3 - msg_len;
    em[0] = 0x00;
    em[1] = 0x02;
    /* PS: random non-zero bytes. Zeros are redrawn; the PS is not secret
     * after encryption anyway, so the loop's data-dependent count is fine. */
    HSB_GUARD(rng->fill(em + 2, ps_len));
    for (size_t i = 0; i < ps_len; i++)
        while (em[2 + i] == 0) HSB_GUARD(rng->fill(em + 2 + i, 1));
    em[2 + ps_len] = 0x00;
    if (msg_len) memcpy(em + 3 + ps_len, msg, msg_len);
    hsb_rc rc = cls->op(ctx, out, em, k);
    hsb_wipe(em, k);
    return rc;
}

/*
 * Check EM = 00 || 02 || PS (>= 8 non-zero bytes) || 00 || M in constant time.
 * Returns 1 when well formed, and writes the separator's index to *sep.
 */
static uint32_t check_eme(const uint8_t *em, size_t k, uint32_t *sep)
{
    uint32_t good = hsb_ct_eq32(em[0], 0) & hsb_ct_eq32(em[1], 2);
    uint32_t found = 0, idx = 0;
    for (size_t i = 2; i < k; i++) {
        uint32_t z = hsb_ct_eq32(em[i], 0);
        idx = hsb_ct_mux32(z & (found ^ 1), (uint32_t)i, idx);
        found |= z;
    }
    /* The separator must exist and follow at least 8 bytes of PS. */
    good &= found & (hsb_ct_lt32(idx, 10) ^ 1);
    *sep = idx;
    return good;
}

hsb_rc hsb_pkcs1_decrypt(const hsb_rsa_priv_class *cls, void *ctx, uint8_t *out, size_t out_cap,
                         size_t *msg_len, const uint8_t *ct, size_t ct_len)
{
    HSB_ENSURE(cls && ctx && ct && msg_len && (out || out_cap == 0), HSB_E_USAGE);
    size_t k = cls->n_len(ctx);
    HSB_ENSURE(k >= 11 && k <= HSB_MAX_MODULUS_BYTES && ct_len == k, HSB_E_USAGE);
    uint8_t em[HSB_MAX_MODULUS_BYTES];
    HSB_GUARD(cls->op(ctx, em, ct, k));

    uint32_t sep;
    uint32_t good = check_eme(em, k, &sep);
    uint32_t mlen = (uint32_t)k - sep - 1;
    good &= hsb_ct_lt32((uint32_t)out_cap, mlen) ^ 1;

    /* Move M to the front of em without an index that depends on sep: shift
     * left by (sep + 1) one bit of the amount at a time (log2(k) passes). */
    uint32_t shift = sep + 1;
    for (size_t step = 1; step < k; step <<= 1) {
        uint32_t take = hsb_ct_nonzero32(shift & (uint32_t)step);
        for (size_t i = 0; i + step < k; i++)
            em[i] = (uint8_t)hsb_ct_mux32(take, em[i + step], em[i]);
    }
    size_t n = out_cap < k ? out_cap : k;
    /* Copy a fixed amount; only the first mlen bytes mean anything. */
    uint8_t mask = (uint8_t)hsb_ct_mask32(good);
    for (size_t i = 0; i < n; i++) out[i] = em[i] & mask;
    hsb_wipe(em, k);
    if (!good) {
        hsb_wipe(out, n);
        HSB_BAIL_MSG(HSB_E_DECRYPT, "PKCS#1 v1.5 decryption failed");
    }
    *msg_len = mlen;
    return HSB_OK;
}

hsb_rc hsb_pkcs1_premaster_decode(const uint8_t *em, size_t k, const uint8_t client_version[2],
                                  const uint8_t fallback[48], uint8_t premaster[48])
{
    HSB_ENSURE(em && client_version && fallback && premaster, HSB_E_USAGE);
    HSB_ENSURE(k >= 64 && k <= HSB_MAX_MODULUS_BYTES, HSB_E_USAGE);
    /* A good premaster sits at a fixed place: 00 02 PS 00 ver(2) random(46),
     * so the separator must be at k - 49 exactly (RFC 5246 7.4.7.1). */
    uint32_t sep;
    uint32_t good = check_eme(em, k, &sep);
    good &= hsb_ct_eq32(sep, (uint32_t)(k - 49));
    good &= hsb_ct_eq32(em[k - 48], client_version[0]) & hsb_ct_eq32(em[k - 47], client_version[1]);
    memcpy(premaster, fallback, 48);
    hsb_ct_cond_copy(good, premaster, em + k - 48, 48);
    return HSB_OK;
}

hsb_rc hsb_pkcs1_decrypt_premaster(const hsb_rsa_priv_class *cls, void *ctx, const uint8_t *ct,
                                   size_t ct_len, const uint8_t client_version[2],
                                   const uint8_t fallback[48], uint8_t premaster[48])
{
    HSB_ENSURE(cls && ctx && ct && client_version && fallback && premaster, HSB_E_USAGE);
    size_t k = cls->n_len(ctx);
    HSB_ENSURE(k >= 64 && k <= HSB_MAX_MODULUS_BYTES && ct_len == k, HSB_E_USAGE);
    uint8_t em[HSB_MAX_MODULUS_BYTES];
    HSB_GUARD(cls->op(ctx, em, ct, k));
    hsb_rc rc = hsb_pkcs1_premaster_decode(em, k, client_version, fallback, premaster);
    hsb_wipe(em, k);
    return rc;
}

/* EMSA-PKCS1-v1_5 for SHA-256: 00 01 FF..FF 00 DigestInfo || H. */
hsb_rc hsb_pkcs1_emsa_sha256(uint8_t *em, size_t k, const uint8_t hash[32])
{
    size_t t_len = sizeof sha256_prefix + 32;
    HSB_ENSURE(k >= t_len + 11, HSB_E_USAGE);
    em[0] = 0x00;
    em[1] = 0x01;
    memset(em + 2, 0xff, k - t_len - 3);
    em[k - t_len - 1] = 0x00;
    memcpy(em + k - t_len, sha256_prefix, sizeof sha256_prefix);
    memcpy(em + k - 32, hash, 32);
    return HSB_OK;
}

hsb_rc hsb_pkcs1_sign_sha256(const hsb_rsa_priv_class *cls, void *ctx, const uint8_t hash[32],
                             uint8_t *sig, size_t sig_len)
{
    HSB_ENSURE(cls && ctx && hash && sig, HSB_E_USAGE);
    size_t k = cls->n_len(ctx);
    HSB_ENSURE(k <= HSB_MAX_MODULUS_BYTES && sig_len == k, HSB_E_USAGE);
    uint8_t em[HSB_MAX_MODULUS_BYTES];
    HSB_GUARD(hsb_pkcs1_emsa_sha256(em, k, hash));
    return cls->op(ctx, sig, em, k);
}

hsb_rc hsb_pkcs1_verify_sha256(const hsb_rsa_pub_class *cls, void *ctx, const uint8_t hash[32],
                               const uint8_t *sig, size_t sig_len)
{
    HSB_ENSURE(cls && ctx && hash && sig, HSB_E_USAGE);
    size_t k = cls->n_len(ctx);
    HSB_ENSURE(k <= HSB_MAX_MODULUS_BYTES, HSB_E_USAGE);
    if (sig_len != k) HSB_BAIL_MSG(HSB_E_DECRYPT, "signature length differs from modulus");
    uint8_t em[HSB_MAX_MODULUS_BYTES], want[HSB_MAX_MODULUS_BYTES];
    HSB_GUARD(cls->op(ctx, em, sig, k));
    HSB_GUARD(hsb_pkcs1_emsa_sha256(want, k, hash));
    if (!hsb_ct_memeq(em, want, k)) HSB_BAIL_MSG(HSB_E_DECRYPT, "signature does not verify");
    return HSB_OK;
}
