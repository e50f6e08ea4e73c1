/*
 * hsb_cmd_load.h - what `hsbench load` and `hsbench tcp` share: the load
 * generator's options (on the TLS commands' option loop, hsb_tls_cmd.h),
 * their help text, and the client side they describe (our core's client
 * configuration or a libssl client context, the placement of the loops).
 */
#ifndef HSB_CMD_LOAD_H
#define HSB_CMD_LOAD_H

#include <stdio.h>

#include "hsb_load.h"
#include "hsb_opts.h"
#include "hsb_tls_cmd.h"

typedef struct hsb_load_cli {
    const char *connect_to, *cafile, *servername;
    unsigned threads;
    int threads_given; /* --threads was given */
    hsb_pin_policy pin;
    int pus[HSB_MAX_THREADS];
    size_t n_pus;
    unsigned connections, requests, repetitions;
    double rate, duration_s, timeout_s;
    long long handshakes;
    long data;
    long min_dh;
    int impl; /* hsb_net_impl */
    int http, allow_errors, quiet;
    const char *json_path, *csv_path;
} hsb_load_cli;

/* The ids of the load options start here (after a command's own). */
#define HSB_LOAD_OPT_FIRST (HSB_TLS_CMD_OWN + 64)

/* The defaults: 1 thread, 64 connections, closed loop, 5 s, no requests,
 * our core, timeout 10 s, 1 repetition. */
void hsb_load_cli_defaults(hsb_load_cli *c);
/* The load options, for a command's option table (zero-terminated). */
extern const struct option hsb_load_cli_opts[];
/* Take option id with value v: 1 when it was a load option (*ok = 0 on a bad
 * value). */
int hsb_load_cli_opt(hsb_load_cli *c, int id, const char *v, int *ok);
/* The load options' lines for --help: the target's (--cafile, --servername,
 * --impl), then the load's with the defaults the command set in defaults. */
void hsb_load_cli_help_target(FILE *to);
void hsb_load_cli_help(FILE *to, const hsb_load_cli *defaults);
/* After parsing: the checks across options (requests without data, too few
 * connections). 0 when fine, else 2 after a message. */
int hsb_load_cli_check(const hsb_tls_cmd_opts *o, hsb_load_cli *c);

/* The client side of the load, built once per run. */
typedef struct hsb_load_client {
    hsb_provider prov;
    hsb_tls_config *cfg; /* impl hsb */
    SSL_CTX *ctx;        /* impl libssl */
    char host[HSB_TLS_CMD_HOST], port[HSB_TLS_CMD_PORT];
    char label[96]; /* "hsb:openssl", "libssl" */
} hsb_load_client;

/* Build the client for c's --connect and implementation. -1 to go on, else
 * the exit status (message on stderr); hsb_load_client_free either way. */
int hsb_load_client_new(const hsb_tls_cmd_opts *o, const hsb_load_cli *c, hsb_load_client *cl);
void hsb_load_client_free(hsb_load_client *cl);

/* A load configuration from c for cl against host:port (the address may
 * differ from --connect: `hsbench tcp` points it at the servers it starts). */
HSB_MUST_CHECK hsb_rc hsb_load_cli_cfg(const hsb_load_cli *c, const hsb_load_client *cl,
                                       const char *host, const char *port, hsb_load_cfg *cfg);

/* The placement of n loop threads: on the PUs of list (cycled) when n_list,
 * else by policy pin. */
HSB_MUST_CHECK hsb_rc hsb_load_placement(unsigned n, hsb_pin_policy pin, const int *list,
                                         size_t n_list, hsb_placement *pl);

/* `hsbench load`'s options into o, c and the report's settings ro: -1 to go
 * on, else the exit status (after a message or the help). */
int hsb_load_cmd_parse(int argc, char **argv, hsb_tls_cmd_opts *o, hsb_load_cli *c, hsb_opts *ro);
/* The repetitions of `hsbench load`'s row into r (row->run and run_arg as
 * the caller set them, NULL for one process), finished but not written. 0,
 * or 1 after a message. */
int hsb_load_cmd_measure(const hsb_tls_cmd_opts *o, const hsb_load_cli *c, hsb_load_client *cl,
                         hsb_report *r, hsb_load_row *row);
/* `hsbench load` as one rank of an MPI job (bench/cmd/mpi/, HSB_MPI builds):
 * -1 when this process was not started by mpirun, else the exit status. */
int hsb_cmd_load_mpi(int argc, char **argv);

/* The report's settings for a load command: outputs, pin, repetitions. */
void hsb_load_cli_report_opts(const hsb_load_cli *c, const char *cmd, hsb_opts *o);

#endif
