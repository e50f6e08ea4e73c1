#include "gmp_limbs.h"

mp_limb_t hsb_gmp_load(mp_limb_t *r, size_t rn, const uint8_t *in, size_t len)
{
    mp_limb_t over = 0;
    for (size_t i = 0; i < rn; i++) r[i] = 0;
    /* i counts bytes from the least significant end. The branch is on the
     * position only, never on a byte's value. */
    for (size_t i = 0; i < len; i++) {
        mp_limb_t b = in[len - 1 - i];
        size_t li = i / HSB_GMP_LIMB_BYTES;
        if (li < rn)
            r[li] |= b << (8 * (i % HSB_GMP_LIMB_BYTES));
        else
            over |= b;
    }
    return over;
}

void hsb_gmp_store(uint8_t *out, size_t len, const mp_limb_t *a, size_t an)
{
    for (size_t i = 0; i < len; i++) {
        size_t li = i / HSB_GMP_LIMB_BYTES;
        mp_limb_t b = li < an ? a[li] >> (8 * (i % HSB_GMP_LIMB_BYTES)) : 0;
        out[len - 1 - i] = (uint8_t)b;
    }
}

size_t hsb_gmp_strip(const uint8_t **p, size_t len)
{
    while (len > 0 && (*p)[0] == 0) {
        (*p)++;
        len--;
    }
    return len;
}

size_t hsb_gmp_limbs_used(const mp_limb_t *a, size_t an)
{
    while (an > 0 && a[an - 1] == 0) an--;
    return an;
}

size_t hsb_gmp_bits(const mp_limb_t *a, size_t an)
{
    an = hsb_gmp_limbs_used(a, an);
    if (an == 0) return 0;
    size_t bits = (an - 1) * GMP_NUMB_BITS;
    for (mp_limb_t top = a[an - 1]; top != 0; top >>= 1) bits++;
    return bits;
}

mp_limb_t hsb_gmp_ct_is_zero(const mp_limb_t *a, size_t n)
{
    mp_limb_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= a[i];
    return 1 ^ hsb_gmp_ct_nonzero(acc);
}

mp_limb_t hsb_gmp_ct_eq(const mp_limb_t *a, const mp_limb_t *b, size_t n)
{
    mp_limb_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= a[i] ^ b[i];
    return 1 ^ hsb_gmp_ct_nonzero(acc);
}

mp_limb_t hsb_gmp_ct_lt(const mp_limb_t *a, const mp_limb_t *b, size_t n, mp_limb_t *tmp)
{
    /* mpn_sub_n is a straight carry chain (assembly on x86-64): its time
     * depends on n only. */
    return n == 0 ? 0 : mpn_sub_n(tmp, a, b, (mp_size_t)n);
}

void hsb_gmp_ct_select(mp_limb_t ctl, mp_limb_t *r, const mp_limb_t *a, size_t n)
{
    mp_limb_t mask = 0 - ctl;
#if defined(__GNUC__)
    __asm__("" : "+r"(mask));
#endif
    for (size_t i = 0; i < n; i++) r[i] ^= mask & (r[i] ^ a[i]);
}
