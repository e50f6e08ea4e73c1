/* The native backend's table, built once at run time after CPU detection:
 * each class comes from its getter, NULL (UNAVAILABLE) where this CPU lacks
 * the instructions. */
#include <pthread.h>
#include <stdio.h>

#include "hsb_backends.h"
#include "hsb_native_aes.h"

static hsb_backend backend;
static char about[192];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void)
{
    backend.name = "native";
    backend.aes = hsb_native_aes_get();
    snprintf(about, sizeof about, "hand-written: AES %s",
             backend.aes ? backend.aes->name : "unavailable (no AES-NI)");
    backend.about = about;
}

const hsb_backend *hsb_native_backend(void)
{
    pthread_once(&once, build);
    return &backend;
}
