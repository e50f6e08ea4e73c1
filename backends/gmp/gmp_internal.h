/*
 * gmp_internal.h - the gmp backend's classes, one per file, gathered by
 * gmp_backend.c into the backend table. Private to backends/gmp/.
 */
#ifndef HSB_GMP_INTERNAL_H
#define HSB_GMP_INTERNAL_H

#include "hsb_provider.h"

extern const hsb_modexp_class hsb_gmp_modexp;     /* gmp_modexp.c */
extern const hsb_rsa_priv_class hsb_gmp_rsa_priv; /* gmp_rsa_priv.c */
extern const hsb_rsa_pub_class hsb_gmp_rsa_pub;   /* gmp_rsa_pub.c */
extern const hsb_dh_class hsb_gmp_dh;             /* gmp_dh.c */

#endif
