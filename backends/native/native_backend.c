/* The native backend's table. Classes not written yet stay NULL (UNAVAILABLE). */
#include "hsb_backends.h"

static const hsb_backend backend = {
    .name = "native",
    .about = "TODO",
};

const hsb_backend *hsb_native_backend(void)
{
    return &backend;
}
