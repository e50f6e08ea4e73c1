/*
 * One thread driving both ends of an in-memory pair: each end's handshake
 * is stepped in turn until both are done, so a self-talk handshake needs no
 * second thread and no blocking transport.
 */
#include "tls_internal.h"

/* Rounds before a pair that moves no further is called stuck: a full
 * handshake takes four flights, so this is generous. */
#define PAIR_ROUNDS 32

/* Step one end that is not done yet; *done once its handshake finished. */
static hsb_rc step_end(hsb_tls_conn *c, int *done, hsb_tls_conn **failed)
{
    if (*done) return HSB_OK;
    /* An op handed out (async_pk) runs here, alone, and the end goes on. */
    hsb_rc rc = hsb_tls_handshake_run(c);
    if (rc == HSB_OK) *done = 1;
    if (rc == HSB_OK || rc == HSB_E_WOULD_BLOCK) return HSB_OK;
    if (failed) *failed = c;
    return rc;
}

hsb_rc hsb_tls_pair_handshake(hsb_tls_conn *client, hsb_tls_conn *server, hsb_tls_conn **failed)
{
    HSB_ENSURE(client && server, HSB_E_USAGE);
    if (failed) *failed = NULL;
    int cd = 0, sd = 0;
    for (int round = 0; round < PAIR_ROUNDS && !(cd && sd); round++) {
        HSB_GUARD(step_end(client, &cd, failed));
        HSB_GUARD(step_end(server, &sd, failed));
    }
    if (!(cd && sd)) HSB_BAIL_MSG(HSB_E_INTERNAL, "handshake pair made no progress");
    return HSB_OK;
}
