/*
 * gmp_backend.c - the gmp backend's table: GMP's mpn_sec_* functions for
 * the public-key classes. GMP has no AES, GCM, SHA-256, HMAC or RNG, so those
 * classes stay NULL (a composition borrows them in the open).
 */
#include <gmp.h>
#include <pthread.h>
#include <stdio.h>

#include "gmp_internal.h"
#include "hsb_backends.h"

static char about[96];
static hsb_backend backend = {
    .name = "gmp",
    .about = about,
    .modexp = &hsb_gmp_modexp,
    .rsa_priv = &hsb_gmp_rsa_priv,
    .rsa_pub = &hsb_gmp_rsa_pub,
    .dh = &hsb_gmp_dh,
};
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The version of the library loaded at run time, not of the header. */
static void describe(void)
{
    snprintf(about, sizeof about, "GMP %s (mpn_sec_powm, RSA CRT/Garner, blinded)", gmp_version);
}

const hsb_backend *hsb_gmp_backend(void)
{
    pthread_once(&once, describe);
    return &backend;
}
