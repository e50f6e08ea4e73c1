/* Both ends of a TLS connection over the in-memory pair (hsb_test_pair.h). */
#include "hsb_test_pair.h"

#include <stdio.h>
#include <stdlib.h>

hsb_rc hsb_test_pair_start(hsb_test_pair *p)
{
    hsb_rc rc = hsb_tls_thread_new(p->ccfg, &p->cthr);
    if (rc == HSB_OK) rc = hsb_tls_thread_new(p->scfg, &p->sthr);
    if (rc == HSB_OK) rc = hsb_tls_conn_new(p->cthr, &p->c);
    if (rc == HSB_OK) rc = hsb_tls_conn_new(p->sthr, &p->s);
    hsb_mem_pair_init(&p->mem);
    hsb_tls_transport ct = hsb_mem_pair_client(&p->mem), st = hsb_mem_pair_server(&p->mem);
    if (rc == HSB_OK) rc = hsb_tls_conn_start(p->c, &ct);
    if (rc == HSB_OK) rc = hsb_tls_conn_start(p->s, &st);
    if (rc != HSB_OK) fprintf(stderr, "pair setup: %s\n", hsb_last_error());
    return rc;
}

void hsb_test_pair_free(hsb_test_pair *p)
{
    if (!p) return;
    hsb_tls_conn_free(p->c);
    hsb_tls_conn_free(p->s);
    hsb_tls_thread_free(p->cthr);
    hsb_tls_thread_free(p->sthr);
    hsb_tls_config_free(p->ccfg);
    hsb_tls_config_free(p->scfg);
    free(p);
}
