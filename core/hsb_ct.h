/*
 * hsb_ct.h - constant-time helpers (BearSSL's EQ/MUX shape).
 *
 * Every function here runs in time that depends only on its lengths, never on
 * the bytes. Use them instead of branches or memcmp() wherever a value is
 * secret: MACs, padding, premasters, Finished verify_data.
 */
#ifndef HSB_CT_H
#define HSB_CT_H

#include <stddef.h>
#include <stdint.h>

/* Hide a value from the optimiser so that masks stay masks. */
static inline uint32_t hsb_ct_barrier32(uint32_t x)
{
#if defined(__GNUC__)
    __asm__("" : "+r"(x));
#endif
    return x;
}

/* 1 if x != 0 else 0. */
static inline uint32_t hsb_ct_nonzero32(uint32_t x)
{
    return hsb_ct_barrier32((x | (0u - x)) >> 31);
}
/* 1 if x == y else 0. */
static inline uint32_t hsb_ct_eq32(uint32_t x, uint32_t y)
{
    return 1u ^ hsb_ct_nonzero32(x ^ y);
}
/* 1 if x < y else 0 (unsigned). */
static inline uint32_t hsb_ct_lt32(uint32_t x, uint32_t y)
{
    return hsb_ct_barrier32((uint32_t)(((uint64_t)x - (uint64_t)y) >> 63));
}
/* All-ones mask when bit (0 or 1) is set, else zero. */
static inline uint32_t hsb_ct_mask32(uint32_t bit)
{
    return 0u - hsb_ct_barrier32(bit);
}
/* ctl ? a : b, ctl being 0 or 1. */
static inline uint32_t hsb_ct_mux32(uint32_t ctl, uint32_t a, uint32_t b)
{
    return b ^ (hsb_ct_mask32(ctl) & (a ^ b));
}

/* 1 when a[0..len) == b[0..len), else 0. */
uint32_t hsb_ct_memeq(const void *a, const void *b, size_t len);

/* if (ctl) memcpy(dst, src, len); ctl is 0 or 1. */
void hsb_ct_cond_copy(uint32_t ctl, void *dst, const void *src, size_t len);

/* Zero memory in a way the compiler cannot remove. */
void hsb_wipe(void *p, size_t len);

#endif
