#include "hsb_ct.h"

#include <string.h>

uint32_t hsb_ct_memeq(const void *a, const void *b, size_t len)
{
    const unsigned char *x = a, *y = b;
    uint32_t acc = 0;
    for (size_t i = 0; i < len; i++) acc |= (uint32_t)(x[i] ^ y[i]);
    return 1u ^ hsb_ct_nonzero32(acc);
}

void hsb_ct_cond_copy(uint32_t ctl, void *dst, const void *src, size_t len)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    unsigned char m = (unsigned char)hsb_ct_mask32(ctl);
    for (size_t i = 0; i < len; i++) d[i] = (unsigned char)(d[i] ^ (m & (d[i] ^ s[i])));
}

void hsb_wipe(void *p, size_t len)
{
    if (p == NULL || len == 0) return;
    memset(p, 0, len);
    /* The barrier makes the stores observable, so they are not elided. */
    __asm__ __volatile__("" : : "r"(p) : "memory");
}
