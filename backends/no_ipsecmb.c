/* Built when libIPSec_MB is absent: the backend is simply not in the list. */
#include "hsb_backends.h"

const hsb_backend *hsb_ipsecmb_backend(void)
{
    return NULL;
}
