#include "hsb_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The last failure raised on this thread, kept in parts: where it was
 * raised is for developers, the message and code for everyone. */
static _Thread_local struct {
    int set;
    const char *file;
    int line;
    hsb_rc rc;
    char msg[256];
} last;
static _Thread_local char formatted[384];

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
    case HSB_E_PENDING:
        return "pk-pending";
    default:
        return "unknown";
    }
}

hsb_rc hsb_raise(hsb_rc rc, const char *file, int line, const char *msg)
{
    last.set = 1;
    last.file = file ? file : "?";
    last.line = line;
    last.rc = rc;
    /* msg may live on the caller's stack: copy it. */
    snprintf(last.msg, sizeof last.msg, "%s", msg ? msg : "");
    return rc;
}

/* HSB_DEBUG=1 (any value but empty or "0") asks for file:line in messages. */
static int debug_wanted(void)
{
    const char *v = getenv("HSB_DEBUG");
    return v && v[0] && strcmp(v, "0") != 0;
}

const char *hsb_last_error(void)
{
    if (!last.set) return "no error recorded";
    if (debug_wanted())
        snprintf(formatted, sizeof formatted, "%s:%d: %s (%s)", last.file, last.line, last.msg,
                 hsb_rc_name(last.rc));
    else
        snprintf(formatted, sizeof formatted, "%s (%s)", last.msg, hsb_rc_name(last.rc));
    return formatted;
}

void hsb_clear_error(void)
{
    last.set = 0;
    last.msg[0] = '\0';
}
