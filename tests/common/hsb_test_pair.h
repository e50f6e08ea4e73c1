/*
 * hsb_test_pair.h - a client and a server connection of our TLS core over
 * one in-memory pair, for the C tests that drive both ends: the test makes
 * and configures the two configs, hsb_test_pair_start does the rest.
 */
#ifndef HSB_TEST_PAIR_H
#define HSB_TEST_PAIR_H

#include "hsb_tls.h"

typedef struct hsb_test_pair {
    hsb_tls_config *ccfg, *scfg; /* set by the test */
    hsb_tls_thread *cthr, *sthr;
    hsb_tls_conn *c, *s;
    hsb_mem_pair mem;
} hsb_test_pair;

/* Threads and conns for p's two configs, the memory pair, and both conns
 * started on it. On failure the message is on stderr and the caller frees
 * p as usual. */
HSB_MUST_CHECK hsb_rc hsb_test_pair_start(hsb_test_pair *p);
/* Free everything p holds, and p itself (malloc'd); NULL is fine. */
void hsb_test_pair_free(hsb_test_pair *p);

#endif
