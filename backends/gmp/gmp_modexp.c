/*
 * gmp_modexp.c - hsb_gmp_modexp: constant-time modular exponentiation on
 * GMP's mpn_sec_powm.
 *
 * mpn_sec_powm is GMP's side-channel-silent exponentiation (GMP manual,
 * "Low-level Functions"): a fixed window whose size depends on the exponent's
 * bit length only, every table entry read by mpn_sec_tabselect, Montgomery
 * multiplication with a masked final subtraction. Its time and memory
 * accesses depend on the limb count of the modulus and on enb, the number of
 * exponent bits we declare; we declare 8 * exp_len, a length, never the
 * exponent's actual bit length. The base check (base < mod) and the zero
 * cases are done with masks, so nothing here branches on base or exp.
 *
 * No heap: the limb arrays and mpn_sec_powm's scratch live on the stack, sized
 * for 4096-bit moduli (about 40 KiB). Only an exponent longer than the
 * largest modulus, or a GMP whose window table asks for more scratch than we
 * planned, takes one malloc.
 */
#include <stdlib.h>

#include "gmp_internal.h"
#include "gmp_limbs.h"
#include "hsb_ct.h"

/* Window of up to 6 bits: 2^6 table entries of n limbs, plus 4n for the loop
 * (mpn_sec_powm_itch). GMP 6.2 never chooses a larger window. */
#define STACK_SCRATCH_LIMBS (HSB_GMP_MAX_LIMBS * (64 + 4))

static hsb_rc gmp_modexp(uint8_t *out, const uint8_t *base, size_t base_len, const uint8_t *exp,
                         size_t exp_len, const uint8_t *mod, size_t mod_len)
{
    HSB_ENSURE(out != NULL && mod != NULL, HSB_E_USAGE);
    HSB_ENSURE(base != NULL || base_len == 0, HSB_E_USAGE);
    HSB_ENSURE(exp != NULL || exp_len == 0, HSB_E_USAGE);
    HSB_ENSURE(mod_len <= HSB_MAX_MODULUS_BYTES, HSB_E_UNSUPPORTED);

    /* The modulus is public: ordinary branches are fine on it. */
    mp_limb_t m[HSB_GMP_MAX_LIMBS];
    (void)hsb_gmp_load(m, HSB_GMP_MAX_LIMBS, mod, mod_len);
    size_t n = hsb_gmp_limbs_used(m, HSB_GMP_MAX_LIMBS);
    HSB_ENSURE(n > 0 && (m[0] & 1) == 1, HSB_E_RANGE); /* zero or even */
    HSB_ENSURE(n > 1 || m[0] != 1, HSB_E_RANGE);       /* one */

    size_t en = exp_len == 0 ? 1 : HSB_GMP_LIMBS_FOR(exp_len);
    mp_bitcnt_t enb = exp_len == 0 ? 1 : (mp_bitcnt_t)exp_len * 8;
    size_t itch = (size_t)mpn_sec_powm_itch((mp_size_t)n, enb, (mp_size_t)n);

    mp_limb_t b[HSB_GMP_MAX_LIMBS], r[HSB_GMP_MAX_LIMBS], one[HSB_GMP_MAX_LIMBS];
    mp_limb_t e_stack[HSB_GMP_MAX_LIMBS];
    mp_limb_t scratch_stack[STACK_SCRATCH_LIMBS];
    mp_limb_t *e = e_stack, *tp = scratch_stack, *heap = NULL;
    size_t heap_limbs = 0;
    if (en > HSB_GMP_MAX_LIMBS || itch > STACK_SCRATCH_LIMBS) {
        heap_limbs = en + itch;
        heap = malloc(heap_limbs * sizeof(mp_limb_t));
        HSB_ENSURE(heap != NULL, HSB_E_NOMEM);
        e = heap;
        tp = heap + en;
    }

    hsb_rc rc = HSB_OK;
    /* base < mod, decided without branching on base: the bytes beyond n limbs
     * must be zero and b - m must borrow. Only the verdict leaks. */
    mp_limb_t over = hsb_gmp_load(b, n, base, base_len);
    mp_limb_t in_range = hsb_gmp_ct_lt(b, m, n, r) & (1 ^ hsb_gmp_ct_nonzero(over));
    if (!in_range) {
        rc = hsb_raise(HSB_E_RANGE, __FILE__, __LINE__, "base >= mod");
        goto done;
    }
    (void)hsb_gmp_load(e, en, exp, exp_len);

    /* mpn_sec_powm asks for B > 0; run it on 1 when B = 0 and fix the answer
     * afterwards: 0^e is 0, except 0^0 which we define as 1 like exp = 0. */
    mp_limb_t b_zero = hsb_gmp_ct_is_zero(b, n);
    mp_limb_t e_zero = hsb_gmp_ct_is_zero(e, en);
    b[0] |= b_zero;
    mpn_sec_powm(r, b, (mp_size_t)n, e, enb, m, (mp_size_t)n, tp);
    for (size_t i = 0; i < n; i++) one[i] = 0;
    hsb_gmp_ct_select(b_zero & (1 ^ e_zero), r, one, n); /* 0^e = 0 */
    one[0] = 1;
    hsb_gmp_ct_select(e_zero, r, one, n); /* x^0 = 1 (mod > 1) */
    hsb_gmp_store(out, mod_len, r, n);

done:
    hsb_wipe(b, sizeof b);
    hsb_wipe(r, sizeof r);
    hsb_wipe(e_stack, sizeof e_stack);
    hsb_wipe(scratch_stack,
             (itch < STACK_SCRATCH_LIMBS ? itch : STACK_SCRATCH_LIMBS) * sizeof(mp_limb_t));
    if (heap != NULL) {
        hsb_wipe(heap, heap_limbs * sizeof(mp_limb_t));
        free(heap);
    }
    return rc;
}

const hsb_modexp_class hsb_gmp_modexp = {
    .name = "gmp-mpn-sec-powm",
    .modexp = gmp_modexp,
};
