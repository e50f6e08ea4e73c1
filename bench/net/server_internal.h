/* Inside the server: workers, connections, counters (server.c runs the
 * workers' loops, server_run.c the main thread: signals, stats, report). */
#ifndef HSB_NET_SERVER_INTERNAL_H
#define HSB_NET_SERVER_INTERNAL_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>

#include "hsb_net_loop.h"
#include "hsb_net_server.h"

/* The failure buckets a worker keeps: kind, step and alert. */
#define SRV_FAIL_BUCKETS 64

typedef struct srv_bucket {
    int kind, alert;
    const char *step;
    uint64_t n;
} srv_bucket;

/* Written by one worker, read by the main thread for the stats line. */
typedef struct srv_counters {
    atomic_ullong accepted, refused, handshakes, ok, failed, ended, bytes;
    atomic_ullong timeouts_handshake, timeouts_idle, shutdown_closed;
    atomic_ullong by_kind[HSB_NET_FAIL_KINDS];
    atomic_llong open;
} srv_counters;

typedef struct srv_worker srv_worker;

/* One accepted connection. Until its first bytes, tls is NULL and this
 * record (about 200 bytes) is all it costs. */
typedef struct srv_conn {
    hsb_net_watch w;
    hsb_net_timer timer;
    srv_worker *wk;
    struct srv_conn *prev, *next; /* the worker's open connections */
    hsb_net_conn *tls;
    int fd;
    int phase;
    long id;
    uint64_t echoed;
    int64_t last_active;
    uint8_t *pend; /* echo bytes the conn has not taken yet (libssl) */
    uint32_t pend_off, pend_len;
    struct sockaddr_in6 peer; /* or a sockaddr_in */
} srv_conn;

struct srv_worker {
    struct hsb_net_server *srv;
    unsigned index;
    pthread_t tid;
    int started, failed_start;
    hsb_net_loop *loop;
    hsb_net_tls *tls;
    int listen_fd;
    hsb_net_watch lw;
    hsb_net_timer listen_timer; /* re-watch the listener after EMFILE */
    srv_conn *conns;
    int64_t last_trim; /* when the conn free list was last trimmed */
    srv_counters c;
    srv_bucket buckets[SRV_FAIL_BUCKETS];
    size_t n_buckets;
    uint64_t bucket_overflow;
    uint8_t scratch[HSB_TLS_MAX_PLAINTEXT];
};

struct hsb_net_server {
    hsb_net_server_cfg cfg;
    hsb_placement pl;
    srv_worker *w;
    unsigned n_workers;
    atomic_long next_id, ended;
    atomic_llong open, open_max;
    atomic_int stop; /* max_conns reached, or a worker could not start */
    int64_t hs_timeout_ns, idle_timeout_ns;
};

/* server.c: a worker's thread. */
void *hsb_net_srv_worker_main(void *arg);
/* The sum of every worker's counters field at offset off (atomic_ullong). */
uint64_t hsb_net_srv_sum(const struct hsb_net_server *s, size_t off);

#endif
