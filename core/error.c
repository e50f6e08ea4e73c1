#include "hsb_error.h"

#include <stdio.h>

static _Thread_local char last_error[256];

const char *hsb_rc_name(hsb_rc rc)
{
    switch (rc) {
    case HSB_OK:
        return "ok";
    case HSB_E_USAGE:
        return "usage";
    case HSB_E_UNSUPPORTED:
        return "unsupported";
    case HSB_E_UNAVAILABLE:
        return "unavailable";
    case HSB_E_RANGE:
        return "range";
    case HSB_E_DECRYPT:
        return "decrypt";
    case HSB_E_CRYPTO:
        return "crypto";
    case HSB_E_PROTOCOL:
        return "protocol";
    case HSB_E_CERT:
        return "certificate";
    case HSB_E_IO:
        return "io";
    case HSB_E_WOULD_BLOCK:
        return "would-block";
    case HSB_E_NOMEM:
        return "nomem";
    case HSB_E_INTERNAL:
        return "internal";
    default:
        return "unknown";
    }
}

hsb_rc hsb_raise(hsb_rc rc, const char *file, int line, const char *msg)
{
    snprintf(last_error, sizeof last_error, "%s:%d: %s (%s)", file, line, msg ? msg : "",
             hsb_rc_name(rc));
    return rc;
}

const char *hsb_last_error(void)
{
    return last_error[0] ? last_error : "no error recorded";
}

void hsb_clear_error(void)
{
    last_error[0] = '\0';
}
