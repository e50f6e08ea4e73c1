/* Inside the engine: the connection object and each implementation's
 * operations (net_conn.c dispatches, net_conn_hsb.c and net_conn_ossl.c
 * implement). */
#ifndef HSB_NET_INTERNAL_H
#define HSB_NET_INTERNAL_H

#include <openssl/ssl.h>

#include "hsb_net_conn.h"

typedef struct net_ops {
    hsb_rc (*tls_init)(hsb_net_tls *t);
    void (*tls_release)(hsb_net_tls *t);
    hsb_rc (*conn_init)(hsb_net_conn *c);  /* a new conn's implementation state */
    void (*conn_recycle)(hsb_net_conn *c); /* back on the free list: keys wiped */
    void (*conn_release)(hsb_net_conn *c);
    hsb_rc (*start)(hsb_net_conn *c);
    hsb_net_st (*handshake)(hsb_net_conn *c, uint32_t *events);
    hsb_net_st (*read)(hsb_net_conn *c, void *buf, size_t cap, size_t *n, uint32_t *events);
    hsb_net_st (*write)(hsb_net_conn *c, const void *d, size_t len, size_t *n, uint32_t *events);
    hsb_net_st (*flush)(hsb_net_conn *c, uint32_t *events);
    hsb_net_st (*close)(hsb_net_conn *c, uint32_t *events);
    void (*failure)(const hsb_net_conn *c, hsb_net_failure *f);
    void (*info)(const hsb_net_conn *c, hsb_net_info *info);
} net_ops;

extern const net_ops hsb_net_ops_hsb, hsb_net_ops_ossl;

struct hsb_net_tls {
    const net_ops *ops;
    hsb_net_impl impl;
    hsb_tls_role role;
    /* our core */
    const hsb_tls_config *cfg;
    hsb_tls_thread *thr;
    size_t conn_size, map_size;
    /* libssl */
    SSL_CTX *ctx;
    char *server_name;
    /* the free list */
    hsb_net_conn *free;
    size_t n_free, keep, in_use;
    size_t peak; /* most conns in use at once since the last trim */
};

struct hsb_net_conn {
    hsb_net_tls *t;
    hsb_net_conn *next_free;
    int fd;
    int established;
    int timed_out;
    /* what the transport saw: the errno of its last failure, an EOF */
    int sys_err;
    int eof;
    /* our core */
    hsb_tls_conn *hc;
    void *mem;
    hsb_tls_transport inner;
    /* libssl */
    SSL *ssl;
    int alert_sent, alert_received; /* from the info callback; -1 none */
    int failed;
    const char *fail_step;
    char ossl_detail[200];
};

/* The step of a failed conn for the kinds the transport decides: a reset,
 * an EOF or another errno; NONE when the transport saw nothing. */
hsb_net_fail_kind hsb_net_transport_kind(const hsb_net_conn *c);

#endif
