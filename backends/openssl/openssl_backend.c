/* The openssl backend's table. Classes not written yet stay NULL (UNAVAILABLE). */
#include "hsb_backends.h"

static const hsb_backend backend = {
    .name = "openssl",
    .about = "TODO",
};

const hsb_backend *hsb_openssl_backend(void)
{
    return &backend;
}
