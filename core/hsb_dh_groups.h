/*
 * hsb_dh_groups.h - the named finite-field groups: RFC 7919 ffdhe2048/3072/4096
 * (TLS's negotiated groups) and RFC 3526 MODP 2048/3072/4096 (groups 14-16).
 * p is a safe prime, g = 2, q = (p-1)/2.
 */
#ifndef HSB_DH_GROUPS_H
#define HSB_DH_GROUPS_H

#include <stddef.h>

#include "hsb_provider.h"

/* "ffdhe2048", "ffdhe3072", "ffdhe4096", "modp2048", "modp3072", "modp4096";
 * NULL for any other name. */
const hsb_dh_group *hsb_dh_group_by_name(const char *name);
/* All of them, in the order above. */
const hsb_dh_group *const *hsb_dh_groups(size_t *count);
/* The private exponent size for a prime of p_bits bits: 225, 275 or 325
 * bits for primes up to 2048, 3072 and above (see dh_groups.c). The named
 * groups use it, and so does a client for a server's custom group. */
unsigned hsb_dh_priv_bits(unsigned p_bits);

#endif
