/*
 * hsb_load.h - the load generator: TLS 1.2 client connections over TCP from
 * T pinned threads, each an epoll loop holding its share of the connections
 * in flight.
 *
 *   closed loop  (rate 0) each thread keeps its connections busy: a new one
 *                starts as soon as one ends. Latency runs from the connect().
 *   open loop    (rate R) each thread has its own schedule of start times,
 *                R/T per second, offset so the threads interleave. A
 *                connection starts at its slot, or as soon as one of the
 *                thread's `connections` places frees up when all are busy,
 *                and its latency runs from the SCHEDULED slot either way: a
 *                server that falls behind sees its queueing in the
 *                percentiles instead of the client quietly slowing down
 *                (no coordinated omission).
 *
 * Per connection: non-blocking connect, full handshake (our core or libssl,
 * hsb_net_conn.h), then `requests` round trips, close_notify, and the server's
 * EOF or close_notify before the socket closes (so that TIME_WAIT lands on
 * the server, which closed first). A request is `data` bytes the echo server
 * must return unchanged (checked), or with http set one HTTP/1.1 GET whose
 * answer must be "200" with a Content-Length body (nginx's return 200).
 *
 * Latency: scheduled (or connect) start to handshake done, in the per-thread
 * histograms (hsb_lat_hist.h) merged at the end; and the same start to the
 * end of the last request (connection latency).
 */
#ifndef HSB_LOAD_H
#define HSB_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_error.h"
#include "hsb_lat_hist.h"
#include "hsb_net_conn.h"
#include "hsb_pin.h"
#include "hsb_report.h"

/* Why a connection failed, as the load generator counts it. */
typedef enum hsb_load_err {
    HSB_LOAD_ERR_REFUSED = 0, /* connect: ECONNREFUSED */
    HSB_LOAD_ERR_CONNECT,     /* connect: any other error */
    HSB_LOAD_ERR_TIMEOUT,     /* no end within the connection's deadline */
    HSB_LOAD_ERR_ALERT_RECEIVED,
    HSB_LOAD_ERR_ALERT_SENT,
    HSB_LOAD_ERR_RESET,  /* ECONNRESET, EPIPE */
    HSB_LOAD_ERR_EOF,    /* the server's EOF before it was due */
    HSB_LOAD_ERR_IO,     /* other socket errors */
    HSB_LOAD_ERR_ANSWER, /* an echo that differs, or an HTTP answer not 200 */
    HSB_LOAD_ERR_LOCAL,  /* this end: memory, internal error */
    HSB_LOAD_ERR_KINDS
} hsb_load_err;

/* "connect_refused", "connect", "timeout", "alert_received", "alert_sent",
 * "reset", "eof", "io", "bad_answer", "local". */
const char *hsb_load_err_name(hsb_load_err k);

typedef struct hsb_load_cfg {
    const char *host, *port;
    hsb_net_impl impl;
    const hsb_tls_config *tls; /* impl hsb: a client config, complete */
    SSL_CTX *ctx;              /* impl libssl: a client context */
    const char *server_name;   /* libssl: SNI and the name checked */
    hsb_placement pl;          /* threads and where they run */
    unsigned connections;      /* in flight, in total (>= threads) */
    double rate;               /* handshakes/s offered, 0: closed loop */
    double duration_s;         /* starts stop after this (0: use handshakes) */
    uint64_t handshakes;       /* connections in total (0: use duration_s) */
    size_t data;               /* bytes per echo request */
    unsigned requests;         /* per connection */
    int http;                  /* requests are HTTP/1.1 GETs */
    double timeout_s;          /* per connection, connect to close */
    int progress;              /* a line per second on stderr */
    const char *label;         /* the progress line's first word */
    /* Hooks for a caller that spreads one load over several processes
     * (bench/net/mpi/); NULL: none. before_start runs on the calling thread
     * once every loop thread is set up (setup: HSB_OK or why not) and returns
     * HSB_OK to start now, else the run is called off; on_hs_latency gets
     * each handshake's latency (ns) from loop thread `thread`. */
    hsb_rc (*before_start)(void *arg, hsb_rc setup);
    void (*on_hs_latency)(void *arg, unsigned thread, uint64_t ns);
    void *hook_arg;
} hsb_load_cfg;

typedef struct hsb_load_result {
    uint64_t ok;        /* connections that did everything */
    uint64_t failed;    /* the sum of errors[] */
    uint64_t unstarted; /* open loop: slots due before the end, not started */
    uint64_t errors[HSB_LOAD_ERR_KINDS];
    uint64_t bytes;        /* application bytes sent and checked back */
    double wall_s;         /* first start to the last connection's end */
    double cpu_s;          /* the loop threads' CPU time, summed */
    hsb_lat_hist hs, conn; /* handshake and connection latency, ns */
    int cpus_seen[HSB_MAX_THREADS];
    char first_error[256]; /* the first failure's description, "" none */
} hsb_load_result;

/* Run the load described by cfg into *res (its histograms initialised here).
 * HSB_OK when the run took place (failed connections are counted, not
 * returned); an error, with err filled, when it could not (threads, epoll,
 * address resolution, TLS objects). */
HSB_MUST_CHECK hsb_rc hsb_load_run(const hsb_load_cfg *cfg, hsb_load_result *res, char *err,
                                   size_t len);

/* ------------------------------------------------------------ reporting */

/* One figure of suite tcp that load runs measure, repetition by repetition
 * (so that several rows can interleave): the load, and the totals over the
 * repetitions that its figure gets at the end. */
typedef struct hsb_load_row {
    size_t fig; /* index in the report */
    hsb_load_cfg cfg;
    hsb_lat_hist hs, conn;
    uint64_t errors[HSB_LOAD_ERR_KINDS], unstarted;
    unsigned reps_done;
    /* The run of a repetition: hsb_load_run when NULL (bench/net/mpi/ puts
     * its own here, with run_arg). */
    hsb_rc (*run)(void *arg, const hsb_load_cfg *cfg, hsb_load_result *res, char *err, size_t len);
    void *run_arg;
} hsb_load_row;

/* A new tcp figure for row (row->cfg set by the caller first): its name
 * "tcp/VARIANT/BACKEND[/rate:R]/conns:C", its repetitions allocated (n),
 * the load's shape. NULL when out of memory. */
hsb_figure *hsb_load_row_add(hsb_report *r, hsb_load_row *row, const char *variant,
                             const char *backend, unsigned reps);
/* Run one repetition of row into its figure. A run that cannot take place
 * fails the figure (hsb_report_fail) and returns the error. */
HSB_MUST_CHECK hsb_rc hsb_load_row_rep(hsb_report *r, hsb_load_row *row);
/* After the last repetition: latency points, errors by kind, measured. */
void hsb_load_row_finish(hsb_report *r, hsb_load_row *row);
/* The latency points of h, in microseconds. */
void hsb_lat_points_of(const hsb_lat_hist *h, hsb_lat_points *p);

#endif
