/* The ipsecmb backend's table. Classes not written yet stay NULL (UNAVAILABLE). */
#include "hsb_backends.h"

static const hsb_backend backend = {
    .name = "ipsecmb",
    .about = "TODO",
};

const hsb_backend *hsb_ipsecmb_backend(void)
{
    return &backend;
}
