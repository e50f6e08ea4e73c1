/* The native backend's table, built once at run time after CPU detection:
 * each class comes from a getter that picks its path by hsb_cpu() (so
 * HSB_CPU_DISABLE applies), NULL (UNAVAILABLE) where this CPU lacks the
 * instructions. */
#include <pthread.h>
#include <stdio.h>

#include "hsb_backends.h"
#include "hsb_native_aes.h"
#include "native_batch.h"
#include "native_cbc_hmac.h"
#include "native_mont.h"
#include "native_sha256.h"

static hsb_backend backend;
static char about[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void)
{
    backend.name = "native";
    backend.modexp = hsb_native_modexp_get();
    backend.rsa_priv = hsb_native_rsa_priv_get();
    backend.rsa_pub = hsb_native_rsa_pub_get();
    backend.dh = hsb_native_dh_get();
    backend.aes = hsb_native_aes_get();
    backend.gcm = hsb_native_gcm_get();
    backend.sha256 = hsb_native_sha256_get();
    backend.hmac = hsb_native_hmac_get();
    backend.cbc_hmac = hsb_native_cbc_hmac_get();
    backend.rsa_priv_batch = hsb_native_rsa_priv_batch_get(backend.rsa_priv);
    backend.dh_batch = hsb_native_dh_batch_get(backend.dh);
    backend.modexp_batch = hsb_native_modexp_batch_get(backend.modexp);
    snprintf(about, sizeof about,
             "hand-written: Montgomery modexp/RSA-CRT/DH on the %s path; AES %s, GCM %s, "
             "SHA-256 %s",
             hsb_nm_path_name(hsb_nm_best_path()),
             backend.aes ? backend.aes->name : "unavailable (no AES-NI)",
             backend.gcm ? backend.gcm->name : "unavailable (no AES-NI/PCLMULQDQ)",
             backend.sha256->name);
    backend.about = about;
}

const hsb_backend *hsb_native_backend(void)
{
    pthread_once(&once, build);
    return &backend;
}
