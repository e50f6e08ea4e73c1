/*
 * hsb_net_server.h - the TLS echo server on the engine (`hsbench server`):
 * one epoll loop per worker thread, each pinned by the suites' placement and
 * each with its own SO_REUSEPORT listener on the same address (the kernel
 * spreads new connections over them), non-blocking sockets throughout.
 *
 * A connection costs a small record until its first bytes arrive; then it
 * takes a TLS conn from its worker's free list (hsb_net_conn.h). Deadlines:
 * the handshake must be done within handshake_timeout of the accept (an
 * idle or slowloris client is dropped then); after it, a connection that
 * sends nothing for idle_timeout is dropped. While a connection's echo is
 * not yet taken by the socket, the server stops reading from it
 * (backpressure on slow readers). Past max_open open connections, new ones
 * are accepted and closed at once (counted as refused).
 *
 * Counters: accepted, refused, handshakes, failures by bucket (kind, step,
 * alert), timeouts, bytes echoed; a stats line per interval on stderr and a
 * JSON report at the end (suite `server`, one repetition per interval).
 * SIGINT/SIGTERM: the listeners close, open connections get close_notify
 * (when established) and are closed, the workers exit.
 */
#ifndef HSB_NET_SERVER_H
#define HSB_NET_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_net_conn.h"
#include "hsb_pin.h"

typedef struct hsb_net_server_cfg {
    hsb_net_impl impl;
    const hsb_tls_config *cfg; /* HSB_NET_IMPL_HSB: a server config */
    SSL_CTX *ctx;              /* HSB_NET_IMPL_LIBSSL: a server context */
    const char *host, *port;   /* host "" or NULL: every address */
    unsigned threads;          /* 1..HSB_MAX_THREADS */
    hsb_pin_policy pin;
    double handshake_timeout_s, idle_timeout_s;
    long max_open;  /* 0: no cap */
    long max_conns; /* stop after this many have ended; 0: run until a signal */
    int log_conns;  /* one line per connection on stdout */
    double stats_s; /* a stats line on stderr every stats_s; 0: none */
    /* The JSON report (NULL: none), and what its row says. */
    const char *json_path;
    const char *backend; /* composition label, or libssl's name */
    const char *variant; /* "rsa", "dhe", "rsa+dhe" */
    unsigned bits;
    const char *group;
} hsb_net_server_cfg;

typedef struct hsb_net_server hsb_net_server;

/* Bind the listeners (every worker's, on one port). The bound port in
 * *port_out. On failure, err says why. */
HSB_MUST_CHECK hsb_rc hsb_net_server_new(const hsb_net_server_cfg *cfg, hsb_net_server **out,
                                         unsigned *port_out, char *err, size_t err_len);

typedef struct hsb_net_server_result {
    int signal; /* SIGINT/SIGTERM that stopped it, or 0 (max_conns) */
    uint64_t ended, ok, failed, refused;
    int json_failed; /* the JSON report could not be written */
} hsb_net_server_result;

/* Serve until a signal or max_conns; SIGINT and SIGTERM are blocked in the
 * calling thread (and so in the workers) and taken here. */
HSB_MUST_CHECK hsb_rc hsb_net_server_run(hsb_net_server *s, hsb_net_server_result *res, char *err,
                                         size_t err_len);
void hsb_net_server_free(hsb_net_server *s);

/* Restrict this process to the PUs of list ("0", "0-3,8"): an outer
 * taskset in effect, applied before any placement is computed. HSB_E_USAGE
 * for a malformed list or a PU the process may not use. */
HSB_MUST_CHECK hsb_rc hsb_net_restrict_pus(const char *list);

#endif
