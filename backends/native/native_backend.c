/* The native backend's table, filled once at run time after CPU detection:
 * each class comes from a getter that picks its path by hsb_cpu() (so
 * HSB_CPU_DISABLE applies). Classes not written yet stay NULL (UNAVAILABLE). */
#include <pthread.h>
#include <stdio.h>

#include "hsb_backends.h"
#include "native_mont.h"

static hsb_backend backend;
static char about[160];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void)
{
    backend.name = "native";
    backend.modexp = hsb_native_modexp_get();
    backend.rsa_priv = hsb_native_rsa_priv_get();
    backend.rsa_pub = hsb_native_rsa_pub_get();
    backend.dh = hsb_native_dh_get();
    snprintf(about, sizeof about, "hand-written: Montgomery modexp/RSA-CRT/DH on the %s path",
             hsb_nm_path_name(hsb_nm_best_path()));
    backend.about = about;
}

const hsb_backend *hsb_native_backend(void)
{
    pthread_once(&once, build);
    return &backend;
}
