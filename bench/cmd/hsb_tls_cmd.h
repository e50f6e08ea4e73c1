/*
 * hsb_tls_cmd.h - what `hsbench client` and `hsbench server` share: the
 * options both take (--backend, --kx, --suite, --dh-check, --etm, --ems,
 * --help; and client authentication: --client-cert/--client-key for
 * `hsbench client`, --verify-client/--client-ca for the server) on the common
 * option loop (hsb_cmd_args.h) with their own words for errors, number and
 * HOST:PORT parsing, and the composition and TLS configuration those
 * options describe.
 */
#ifndef HSB_TLS_CMD_H
#define HSB_TLS_CMD_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "hsb_provider.h"
#include "hsb_tls.h"

/* Capacities of the host and port that hsb_tls_cmd_address fills. */
#define HSB_TLS_CMD_HOST 256
#define HSB_TLS_CMD_PORT 32

typedef struct hsb_tls_cmd_opts {
    const char *cmd;    /* "client" or "server": messages say "hsbench <cmd>: ..." */
    const char *spec;   /* --backend SPEC (default "openssl") */
    unsigned kx;        /* --kx rsa|dhe|both (default both: HSB_TLS_KX_ALL), or --suite's */
    hsb_dh_check check; /* --dh-check full|range (default full) */
    int etm, ems;       /* --etm on|off, --ems on|off (default on, as libssl) */
    /* --suite NAME[,NAME...] (rsa-cbc, dhe-cbc, rsa-gcm, dhe-gcm or IANA
     * names): the record protections (HSB_TLS_CIPHER_*, default CBC) of the
     * suites named; their key exchanges go into kx (the later of --kx and
     * --suite wins) */
    unsigned ciphers;
    /* client: --client-cert FILE --client-key FILE (PEM chain and key sent
     * when a server asks, RFC 5246 7.4.6; both or neither) */
    const char *client_cert, *client_key;
    /* server: --verify-client none|optional|require (default none) and
     * --client-ca FILE (PEM CAs client certificates must chain to; needed
     * by optional and require, meaningless without them) */
    hsb_tls_verify_client verify_client;
    const char *client_ca;
} hsb_tls_cmd_opts;

/* The ids of a command's own options (struct option val) start here. */
#define HSB_TLS_CMD_OWN 512

/* A command's own option id (from its table) with its value, NULL for a
 * flag. Sets *ok = 0 when v is a bad value. */
typedef void (*hsb_tls_cmd_opt_fn)(void *arg, int id, const char *v, int *ok);

/* Sets o to the defaults, then parses argv[1..argc-1] (hsb_cmd_args.h) with
 * the shared options (and the client authentication ones: the server's when
 * cmd is "server", a client's when it is "client", none for other commands,
 * whose --help does not describe them) and own_opts (ids from HSB_TLS_CMD_OWN; a zero entry
 * ends it), calling own for the latter. Returns -1 when the command goes on;
 * otherwise the exit status: 0 after --help/-h (usage on stdout), 2 on an
 * unknown option, a missing or bad value (message on stderr). */
int hsb_tls_cmd_parse(int argc, char **argv, const char *cmd, hsb_tls_cmd_opts *o,
                      void (*usage)(FILE *to), const struct option *own_opts,
                      hsb_tls_cmd_opt_fn own, void *arg);

/* Decimal v in [lo, hi]; *ok = 0 when it is not (and the value is unusable). */
long hsb_tls_cmd_parse_long(const char *v, long lo, long hi, int *ok);

/* Splits the value s of option opt, "HOST:PORT" or "[V6ADDR]:PORT", into
 * host and port. An empty HOST is taken only when allow_empty (the form is
 * then called ADDR:PORT). HSB_E_USAGE, with the message on stderr, when s is
 * malformed or too long. */
hsb_rc hsb_tls_cmd_address(const hsb_tls_cmd_opts *o, const char *opt, const char *s,
                           int allow_empty, char host[HSB_TLS_CMD_HOST],
                           char port[HSB_TLS_CMD_PORT]);

/* Composes o->spec into *prov; on failure the message is on stderr. */
hsb_rc hsb_tls_cmd_provider(const hsb_tls_cmd_opts *o, hsb_provider *prov);

/* A new configuration for role over prov (which must outlive it) with o's
 * key exchanges, DH check, extensions and client authentication (files
 * loaded here). On failure *cfg is NULL or to be freed by the caller, and
 * the error is in hsb_last_error(): HSB_E_USAGE for options that do not go
 * together (--verify-client require without --client-ca, ...) and for
 * unreadable files. */
hsb_rc hsb_tls_cmd_config(const hsb_tls_cmd_opts *o, hsb_tls_role role, const hsb_provider *prov,
                          hsb_tls_config **cfg);

#endif
