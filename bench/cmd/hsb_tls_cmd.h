/*
 * hsb_tls_cmd.h - what `hsbench client` and `hsbench server` share: the
 * option loop with the options both take (--backend, --kx, --dh-check,
 * --help), number and HOST:PORT parsing, and the composition and TLS
 * configuration those options describe.
 */
#ifndef HSB_TLS_CMD_H
#define HSB_TLS_CMD_H

#include <stddef.h>
#include <stdio.h>

#include "hsb_provider.h"
#include "hsb_tls.h"

typedef struct hsb_tls_cmd_opts {
    const char *cmd;    /* "client" or "server": messages say "hsbench <cmd>: ..." */
    const char *spec;   /* --backend SPEC (default "openssl") */
    unsigned kx;        /* --kx rsa|dhe|both (default both: HSB_TLS_KX_ALL) */
    hsb_dh_check check; /* --dh-check full|range (default full) */
} hsb_tls_cmd_opts;

/* A command's own options. Called with v == NULL first, for an option
 * without a value (a flag); then, if the flag was not taken, with the next
 * argument as v. Returns 1 when it took a, 0 when a is none of its options;
 * sets *ok = 0 when v is a bad value. */
typedef int (*hsb_tls_cmd_opt_fn)(void *arg, const char *a, const char *v, int *ok);

/* Sets o to the defaults, then parses argv[1..argc-1]. Returns -1 when the
 * command goes on; otherwise the exit status: 0 after --help/-h (usage on
 * stdout), 2 on an unknown option, a missing or bad value (message on
 * stderr). */
int hsb_tls_cmd_parse(int argc, char **argv, const char *cmd, hsb_tls_cmd_opts *o,
                      void (*usage)(FILE *to), hsb_tls_cmd_opt_fn own, void *arg);

/* Decimal v in [lo, hi]; *ok = 0 when it is not (and the value is unusable). */
long hsb_tls_cmd_parse_long(const char *v, long lo, long hi, int *ok);

/* Splits "HOST:PORT" or "[V6ADDR]:PORT" into host and port (NUL-terminated,
 * capacities hcap and pcap). An empty HOST is taken only when allow_empty.
 * Returns 1 on success, 0 on a malformed or too long string. */
int hsb_tls_cmd_split_hostport(const char *s, int allow_empty, char *host, size_t hcap, char *port,
                               size_t pcap);

/* Composes o->spec into *prov. Returns 1; or 0 with the message on stderr. */
int hsb_tls_cmd_provider(const hsb_tls_cmd_opts *o, hsb_provider *prov);

/* A new configuration for role over prov (which must outlive it) with o's
 * key exchanges and DH check. On failure *cfg is NULL or to be freed by the
 * caller, and the error is in hsb_last_error(). */
hsb_rc hsb_tls_cmd_config(const hsb_tls_cmd_opts *o, hsb_tls_role role, const hsb_provider *prov,
                          hsb_tls_config **cfg);

#endif
