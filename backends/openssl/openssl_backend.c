/* The openssl backend: libcrypto 3.0 for every class, the reference row of
 * every run. Each class lives in its own openssl_<class>.c. */
#include <pthread.h>
#include <stdio.h>

#include <openssl/crypto.h>

#include "hsb_backends.h"
#include "openssl_internal.h"

static char about[96];
static pthread_once_t about_once = PTHREAD_ONCE_INIT;

/* The version of the library loaded at run time, not the headers'. */
static void fill_about(void)
{
    snprintf(about, sizeof about, "OpenSSL libcrypto %s (EVP, BN) -- the reference",
             OpenSSL_version(OPENSSL_VERSION_STRING));
}

static const hsb_backend backend = {
    .name = "openssl",
    .about = about,
    .modexp = &hsb_openssl_modexp,
    .rsa_priv = &hsb_openssl_rsa_priv,
    .rsa_pub = &hsb_openssl_rsa_pub,
    .dh = &hsb_openssl_dh,
    .aes = &hsb_openssl_aes,
    .gcm = &hsb_openssl_gcm,
    .sha256 = &hsb_openssl_sha256,
    .hmac = &hsb_openssl_hmac_sha256,
    .rng = &hsb_openssl_rng,
};

const hsb_backend *hsb_openssl_backend(void)
{
    pthread_once(&about_once, fill_about);
    return &backend;
}
