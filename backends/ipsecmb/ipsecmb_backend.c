/* The ipsecmb backend: Intel ipsec-mb for AES (CBC, CTR), AES-GCM and
 * HMAC-SHA256. The library has no public-key code and no incremental SHA-256
 * (its SHA-256 is one-shot), so modexp, RSA, DH, sha256 and rng stay NULL. */
#include <pthread.h>
#include <stdio.h>

#include "hsb_backends.h"
#include "ipsecmb_internal.h"

static char about[128];
static pthread_once_t about_once = PTHREAD_ONCE_INIT;

static void fill_about(void)
{
    /* Making this thread's manager fixes the code path the report names. */
    if (hsb_imb_usable() && hsb_imb_mgr())
        snprintf(about, sizeof about,
                 "Intel ipsec-mb %s (%s manager for AES/GCM, %s for HMAC; job API, direct GCM)",
                 imb_get_version_str(), hsb_imb_arch_name(), hsb_imb_hash_arch_name());
    else
        snprintf(about, sizeof about,
                 "Intel ipsec-mb %s: unavailable here (needs AES-NI and PCLMULQDQ)",
                 imb_get_version_str());
}

static const hsb_backend backend = {
    .name = "ipsecmb",
    .about = about,
    .aes = &hsb_ipsecmb_aes,
    .gcm = &hsb_ipsecmb_gcm,
    .hmac = &hsb_ipsecmb_hmac_sha256,
};

/* Without AES-NI the backend stays listed, with every class absent. */
static const hsb_backend unavailable = {
    .name = "ipsecmb",
    .about = about,
};

const hsb_backend *hsb_ipsecmb_backend(void)
{
    pthread_once(&about_once, fill_about);
    return hsb_imb_usable() ? &backend : &unavailable;
}
