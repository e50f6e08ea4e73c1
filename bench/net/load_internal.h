/*
 * load_internal.h - the load generator's threads and connections, shared by
 * load.c (the loop and the run) and load_conn.c (one connection's steps).
 */
#ifndef HSB_LOAD_INTERNAL_H
#define HSB_LOAD_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

#include "hsb_load.h"
#include "hsb_net_loop.h"

/* Echo data: byte i of a request is pattern[i % LOAD_PERIOD]; a prime period
 * so that a shifted or repeated chunk does not match by accident. */
#define LOAD_PERIOD 251
#define LOAD_CHUNK 16384 /* one record's plaintext (RFC 5246 6.2.1) */

typedef enum lc_state {
    LC_FREE = 0,
    LC_CONNECT,   /* non-blocking connect in progress */
    LC_HANDSHAKE, /* TLS handshake */
    LC_SEND,      /* a request (or an echo chunk) going out */
    LC_RECV,      /* its answer coming back */
    LC_CLOSE,     /* close_notify going out */
    LC_DRAIN,     /* waiting for the server's close_notify or EOF */
} lc_state;

struct lthread;

typedef struct lconn {
    int fd;
    lc_state state;
    struct lthread *t;
    hsb_net_conn *tls;
    uint64_t t0;           /* latency origin: the scheduled slot or the connect */
    hsb_net_watch w;       /* the socket in the thread's loop */
    hsb_net_timer timeout; /* the connection's deadline: it fails as a timeout */
    unsigned req;          /* requests done */
    size_t off;            /* echo: bytes of this request done (sent and checked) */
    size_t chunk;          /* the bytes in flight: this chunk's length */
    size_t sent, got;      /* of the chunk */
    int in_body;           /* http: the header was read */
    size_t body_left;      /* http: body bytes still due */
    size_t hdr_len;
    char hdr[1024]; /* http: the answer's header so far */
} lconn;

struct lrun;

typedef struct lthread {
    struct lrun *run;
    unsigned index;
    pthread_t th;
    hsb_net_loop *loop;
    hsb_net_tls *tls;
    lconn *conns, **free;
    unsigned n_conns, n_free;
    uint64_t started, budget;                        /* closed loop with a handshake budget */
    uint64_t slots, next_slot, offset_ns, unstarted; /* open loop */
    double interval_ns;
    uint64_t last_end_ns, cpu_ns;
    int stopping, ready, finished, cpu_seen;
    hsb_rc rc;
    char err[256];
    hsb_load_result res; /* this thread's tallies and histograms */
    /* For the progress line: written by the thread, read by the main one. */
    uint64_t pub_ok, pub_failed, pub_open;
    uint8_t buf[LOAD_CHUNK + 512]; /* read scratch */
} lthread;

typedef struct lrun {
    const hsb_load_cfg *cfg;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int family;
    uint64_t start_ns, end_ns;
    int go, abort;
    uint8_t pattern[LOAD_CHUNK + LOAD_PERIOD];
    char http_req[512];
    size_t http_len;
    lthread t[];
} lrun;

uint64_t hsb_load_now_ns(void);
/* The echo pattern and the HTTP request. */
void hsb_load_make_pattern(lrun *r);
/* Begin a connection in place c (taken off the free list) for the slot at
 * sched (= now in closed loop). */
void hsb_load_conn_begin(lthread *t, lconn *c, uint64_t sched, uint64_t now);
/* Count c as failed by kind (detail for the first-error line) and end it. */
void hsb_load_conn_fail(lthread *t, lconn *c, hsb_load_err kind, const char *detail);
/* Release c's socket and TLS state and put it back on the free list (no
 * count); nothing for a free place. */
void hsb_load_conn_end(lthread *t, lconn *c);
/* The per-second line on stderr. */
void hsb_load_progress_line(const lrun *r, uint64_t done, double secs, uint64_t open,
                            uint64_t failed, uint64_t now);

#endif
