/* The native backend's AES class: the widest implementation this CPU runs
 * (after HSB_CPU_DISABLE), or NULL without AES-NI (no software fallback). */
#include "hsb_native_aes.h"

const hsb_aes_class *hsb_native_aes_get(void)
{
    const hsb_aes_class *a = hsb_native_aes_vaes512_get();
    if (!a) a = hsb_native_aes_vaes256_get();
    if (!a) a = hsb_native_aes_ni_get();
    return a;
}
