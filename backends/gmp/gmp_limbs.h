/*
 * gmp_limbs.h - what the gmp backend's files share: limb arrays sized for
 * HSB_MAX_MODULUS_BITS, conversion between the interface's big-endian byte
 * strings and GMP's little-endian limb arrays, and a few constant-time limb
 * helpers. Private to backends/gmp/.
 *
 * The conversions are our own (no mpz_import/mpz_export) so that the hot
 * paths touch only caller- or context-owned memory: no allocation, and no
 * copy of a secret left behind in a buffer we cannot wipe.
 */
#ifndef HSB_GMP_LIMBS_H
#define HSB_GMP_LIMBS_H

#include <gmp.h>
#include <stddef.h>
#include <stdint.h>

#include "hsb_provider.h"

#if GMP_NAIL_BITS != 0
#error "the gmp backend assumes a GMP built without nails"
#endif

#define HSB_GMP_LIMB_BYTES ((size_t)sizeof(mp_limb_t))
/* Limbs of the largest modulus any class takes (64 with 64-bit limbs). */
#define HSB_GMP_MAX_LIMBS (HSB_MAX_MODULUS_BYTES / sizeof(mp_limb_t))
/* Limbs that hold len bytes. */
#define HSB_GMP_LIMBS_FOR(len) (((len) + sizeof(mp_limb_t) - 1) / sizeof(mp_limb_t))

/*
 * Load the big-endian byte string in[0..len) into r[0..rn) (little-endian
 * limbs, zero-extended). Bytes that do not fit in rn limbs are not stored;
 * the return value is the OR of them, so non-zero means the number does not
 * fit. Runs in time that depends only on len and rn. in may be NULL when
 * len is 0.
 */
mp_limb_t hsb_gmp_load(mp_limb_t *r, size_t rn, const uint8_t *in, size_t len);

/* Write a[0..an) as exactly len big-endian bytes, left-padded with zeros;
 * limb bytes beyond len are dropped (the caller knows the value fits). Time
 * depends only on len and an. */
void hsb_gmp_store(uint8_t *out, size_t len, const mp_limb_t *a, size_t an);

/* Skip leading zero bytes of a PUBLIC number; returns the remaining length. */
size_t hsb_gmp_strip(const uint8_t **p, size_t len);

/* Number of limbs of a PUBLIC number without its leading zero limbs. */
size_t hsb_gmp_limbs_used(const mp_limb_t *a, size_t an);

/* Bits of a PUBLIC number (0 for zero). */
size_t hsb_gmp_bits(const mp_limb_t *a, size_t an);

/* 1 if x != 0 else 0, without a branch: the top bit of x | -x. */
static inline mp_limb_t hsb_gmp_ct_nonzero(mp_limb_t x)
{
    mp_limb_t v = (x | (0 - x)) >> (GMP_NUMB_BITS - 1);
#if defined(__GNUC__)
    __asm__("" : "+r"(v));
#endif
    return v;
}

/* 1 when a[0..n) is zero, else 0, in constant time. */
mp_limb_t hsb_gmp_ct_is_zero(const mp_limb_t *a, size_t n);

/* 1 when a[0..n) == b[0..n), else 0, in constant time. */
mp_limb_t hsb_gmp_ct_eq(const mp_limb_t *a, const mp_limb_t *b, size_t n);

/* 1 when a[0..n) < b[0..n), else 0, in constant time (the borrow of a - b;
 * tmp is n limbs of scratch, wiped by the caller with the rest). */
mp_limb_t hsb_gmp_ct_lt(const mp_limb_t *a, const mp_limb_t *b, size_t n, mp_limb_t *tmp);

/* r = ctl ? a : r over n limbs, ctl being 0 or 1, in constant time. */
void hsb_gmp_ct_select(mp_limb_t ctl, mp_limb_t *r, const mp_limb_t *a, size_t n);

#endif
