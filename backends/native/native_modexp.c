/*
 * native_modexp.c - the modexp class: out = base^exp mod mod, constant time in
 * base and exp (hsb_provider.h), on one Montgomery path per class instance.
 */
#include <string.h>

#include "hsb_ct.h"
#include "native_mont.h"

static hsb_rc modexp_with(const hsb_nm_engine *e, uint8_t *out, const uint8_t *base,
                          size_t base_len, const uint8_t *exp, size_t exp_len, const uint8_t *mod,
                          size_t mod_len)
{
    HSB_ENSURE(out != NULL && mod != NULL, HSB_E_USAGE);
    HSB_ENSURE(base != NULL || base_len == 0, HSB_E_USAGE);
    HSB_ENSURE(exp != NULL || exp_len == 0, HSB_E_USAGE);

    /* The modulus is public: its leading zeros may be skipped by branching. */
    size_t off = 0;
    while (off < mod_len && mod[off] == 0) off++;
    size_t mlen = mod_len - off;
    HSB_ENSURE(mlen > 0, HSB_E_RANGE);
    HSB_ENSURE(mlen <= HSB_MAX_MODULUS_BYTES, HSB_E_UNSUPPORTED);
    HSB_ENSURE(mod[mod_len - 1] & 1, HSB_E_RANGE);
    size_t n = (mlen + 7) / 8;
    uint64_t N[HSB_NM_MAX_LIMBS], b[HSB_NM_MAX_LIMBS];
    hsb_nm_from_bytes(N, n, mod + off, mlen);
    HSB_ENSURE(n > 1 || N[0] > 1, HSB_E_RANGE);

    /* base < mod, decided without a branch on base; the verdict itself is
     * what the contract makes public. Bytes above the modulus' limbs must be
     * zero. */
    size_t keep = base_len > 8 * n ? 8 * n : base_len;
    uint64_t high = 0;
    for (size_t i = 0; i < base_len - keep; i++) high |= base[i];
    /* base may be NULL with base_len 0 (the value 0): no pointer arithmetic on it. */
    hsb_nm_from_bytes(b, n, keep ? base + (base_len - keep) : base, keep);
    uint64_t ok = hsb_nm_lt(b, N, n) & hsb_nm_mask_zero(high);
    HSB_NM_DECLASSIFY(&ok, sizeof ok);
    if (!ok) {
        hsb_wipe(b, sizeof b);
        HSB_BAIL_MSG(HSB_E_RANGE, "modexp: base >= mod");
    }

    hsb_nm_mont m;
    hsb_nm_mont_init(&m, e, N, n, hsb_nm_bitlen_public(N, n) - 1);
    hsb_nm_pow(e, &m, b, b, exp, exp_len);
    hsb_nm_to_bytes(out, mod_len, b, n);
    hsb_wipe(b, sizeof b);
    return HSB_OK;
}

#define HSB_NM_MODEXP_PATH(suffix, engine)                                                         \
    static hsb_rc modexp_##suffix(uint8_t *out, const uint8_t *base, size_t base_len,              \
                                  const uint8_t *exp, size_t exp_len, const uint8_t *mod,          \
                                  size_t mod_len)                                                  \
    {                                                                                              \
        return modexp_with(&(engine), out, base, base_len, exp, exp_len, mod, mod_len);            \
    }
HSB_NM_MODEXP_PATH(portable, hsb_nm_engine_portable)
HSB_NM_MODEXP_PATH(mulx, hsb_nm_engine_mulx)
HSB_NM_MODEXP_PATH(ifma, hsb_nm_engine_ifma)

static const hsb_modexp_class classes[HSB_NM_PATH_COUNT] = {
    [HSB_NM_PATH_PORTABLE] = {.name = "native-mont-portable", .modexp = modexp_portable},
    [HSB_NM_PATH_MULX] = {.name = "native-mont-mulx", .modexp = modexp_mulx},
    [HSB_NM_PATH_IFMA] = {.name = "native-mont-ifma", .modexp = modexp_ifma},
};

const hsb_modexp_class *hsb_native_modexp_class_unchecked(hsb_nm_path path)
{
    return (unsigned)path < HSB_NM_PATH_COUNT ? &classes[path] : NULL;
}

const hsb_modexp_class *hsb_native_modexp_class(hsb_nm_path path)
{
    return hsb_nm_engine_get(path) ? &classes[path] : NULL;
}

const hsb_modexp_class *hsb_native_modexp_get(void)
{
    return hsb_native_modexp_class(hsb_nm_best_path());
}
