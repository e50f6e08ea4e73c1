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

#endif
