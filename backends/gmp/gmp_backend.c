/* The gmp backend's table. Classes not written yet stay NULL (UNAVAILABLE). */
#include "hsb_backends.h"

static const hsb_backend backend = {
    .name = "gmp",
    .about = "TODO",
};

const hsb_backend *hsb_gmp_backend(void)
{
    return &backend;
}
