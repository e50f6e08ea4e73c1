/*
 * hsb_net_conn.h - one TLS 1.2 connection over a non-blocking socket, run by
 * either implementation in either role:
 *
 *   HSB_NET_IMPL_HSB     our core (hsb_tls_conn over the fd's TCP transport)
 *   HSB_NET_IMPL_LIBSSL  OpenSSL's libssl (an SSL on the fd), on an SSL_CTX
 *                        set up with hsb_ossl_ctx_tls12/_ext (hsb_ref_libssl.h):
 *                        the same two suites, TLS 1.2 only, EtM/EMS as set.
 *
 * Two objects, as in the core:
 *
 *   hsb_net_tls   one per thread: our hsb_tls_thread or a reference to an
 *                 SSL_CTX, and a free list of connection objects.
 *   hsb_net_conn  one per connection, taken from the free list when the
 *                 caller first needs TLS state (a server: when the accepted
 *                 socket's first bytes are readable, so that an idle socket
 *                 holds no TLS memory) and put back at close. The list keeps
 *                 as many conns as were in use at once since the last
 *                 hsb_net_tls_trim (at least `keep`, hsb_net_tls_set_keep),
 *                 so that a steady load reuses its conns instead of mapping
 *                 and faulting in fresh ones; trim, called about once a
 *                 second, releases the rest, so that memory returns after a
 *                 burst. Our core's
 *                 conn memory (~220 KiB, mostly the handshake reassembly
 *                 buffer) is mapped with mmap: only the pages a connection
 *                 touches count in RSS, and unmapping returns them at once.
 *
 * Every step returns HSB_NET_DONE, HSB_NET_WAIT with *events set to the
 * readiness to wait for (EPOLLIN or EPOLLOUT), or HSB_NET_FAILED (the conn
 * is dead: hsb_net_conn_failure says why). For our core, WOULD_BLOCK means
 * EPOLLOUT while output is pending and EPOLLIN otherwise; for libssl,
 * WANT_WRITE and WANT_READ. A conn and its hsb_net_tls belong to one thread.
 */
#ifndef HSB_NET_CONN_H
#define HSB_NET_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_error.h"
#include "hsb_tls.h"

typedef struct ssl_ctx_st SSL_CTX;

typedef enum hsb_net_impl {
    HSB_NET_IMPL_HSB = 0,
    HSB_NET_IMPL_LIBSSL = 1,
} hsb_net_impl;

/* "hsb", "libssl"; hsb_net_impl_parse: -1 for other names. */
const char *hsb_net_impl_name(hsb_net_impl impl);
int hsb_net_impl_parse(const char *s);

typedef enum hsb_net_st {
    HSB_NET_FAILED = -1,
    HSB_NET_DONE = 0,
    HSB_NET_WAIT = 1,
} hsb_net_st;

/*
 * Why a connection ended badly, in buckets both ends count by. A TLS failure
 * is the alert this end sent (the peer broke the protocol, or we could not
 * go on) or the fatal alert it received; the transport's are a reset
 * (ECONNRESET, EPIPE), the peer's EOF without close_notify ("truncated",
 * during the handshake or after), and other socket errors. TIMEOUT is the
 * caller's: a deadline of its loop (hsb_net_conn_set_timeout). LOCAL: this
 * end failed without a word on the wire (memory, internal error).
 */
typedef enum hsb_net_fail_kind {
    HSB_NET_FAIL_NONE = 0,
    HSB_NET_FAIL_ALERT_SENT,
    HSB_NET_FAIL_ALERT_RECEIVED,
    HSB_NET_FAIL_RESET,
    HSB_NET_FAIL_EOF,
    HSB_NET_FAIL_IO,
    HSB_NET_FAIL_TIMEOUT,
    HSB_NET_FAIL_LOCAL,
    HSB_NET_FAIL_KINDS
} hsb_net_fail_kind;

/* "none", "alert_sent", "alert_received", "reset", "eof", "io", "timeout",
 * "local". */
const char *hsb_net_fail_kind_name(hsb_net_fail_kind k);

typedef struct hsb_net_failure {
    hsb_net_fail_kind kind;
    /* The step that failed, in the core's words ("ClientHello", "client
     * Finished", "application data", "close_notify"); libssl's state is
     * mapped to the same words where it tells; never NULL. */
    const char *step;
    int alert;        /* the alert sent or received (kind says which); -1 */
    char detail[256]; /* one line for a log */
} hsb_net_failure;

/* What a finished handshake negotiated. */
typedef struct hsb_net_info {
    const char *suite_name;     /* "TLS_RSA_WITH_AES_128_CBC_SHA256", ... */
    unsigned kx;                /* HSB_TLS_KX_RSA / _DHE */
    unsigned rsa_bits;          /* 0 where the implementation does not tell */
    unsigned dh_bits;           /* 0 where the implementation does not tell (a libssl server) */
    const char *dh_group;       /* our core: "ffdhe2048"...; libssl: NULL */
    int etm, ems;               /* 1 in use, 0 not, -1 the implementation does not tell */
    const char *client_subject; /* a server: the client certificate it verified, else NULL */
} hsb_net_info;

typedef struct hsb_net_tls hsb_net_tls;
typedef struct hsb_net_conn hsb_net_conn;

/* Our core: a thread object for cfg (complete, shared read-only, outlives
 * the result), whose role is role. */
HSB_MUST_CHECK hsb_rc hsb_net_tls_new_hsb(const hsb_tls_config *cfg, hsb_tls_role role,
                                          hsb_net_tls **out);
/* libssl on ctx (its reference count is taken; the caller keeps its own).
 * server_name: a client's SNI and the host name its peer's certificate must
 * carry (SSL_set1_host); NULL for none. */
HSB_MUST_CHECK hsb_rc hsb_net_tls_new_libssl(SSL_CTX *ctx, hsb_tls_role role,
                                             const char *server_name, hsb_net_tls **out);
/* How many conns the free list keeps at least (default 16). */
void hsb_net_tls_set_keep(hsb_net_tls *t, size_t keep);
/* Release the free conns beyond the most that were in use at once since the
 * previous trim (or keep, when more); call it about once a second. */
void hsb_net_tls_trim(hsb_net_tls *t);
/* Conns handed out and not yet put back. */
size_t hsb_net_tls_in_use(const hsb_net_tls *t);
hsb_net_impl hsb_net_tls_impl(const hsb_net_tls *t);
hsb_tls_role hsb_net_tls_role(const hsb_net_tls *t);
/* Every conn must have been put back. */
void hsb_net_tls_free(hsb_net_tls *t);

/* A libssl server context for `hsbench server --impl libssl`: the PEM chain
 * and key files, the suites of kx (HSB_TLS_KX_*), the DHE group by our
 * name, EtM/EMS on or off; the settings of hsb_ossl_ctx_tls12. On failure
 * err says why (libssl's reason). */
HSB_MUST_CHECK hsb_rc hsb_net_ossl_server_ctx(const char *chain_file, const char *key_file,
                                              unsigned kx, const char *group, int etm, int ems,
                                              SSL_CTX **out, char *err, size_t err_len);
/* A libssl client context for the load generator: the same settings, the
 * suites of kx offered, trust anchors from the PEM file ca_file, the peer
 * verified (SSL_VERIFY_PEER; the host name is hsb_net_tls_new_libssl's). */
HSB_MUST_CHECK hsb_rc hsb_net_ossl_client_ctx(const char *ca_file, unsigned kx, int etm, int ems,
                                              SSL_CTX **out, char *err, size_t err_len);

/* A conn from t's free list, or a new one. */
HSB_MUST_CHECK hsb_rc hsb_net_conn_get(hsb_net_tls *t, hsb_net_conn **out);
/* Back to the free list (secrets wiped), or released when the list is full.
 * The fd is the caller's to close. NULL is ignored. */
void hsb_net_conn_put(hsb_net_conn *c);

/* Begin a full handshake on the connected non-blocking socket fd (borrowed). */
HSB_MUST_CHECK hsb_rc hsb_net_conn_start(hsb_net_conn *c, int fd);

hsb_net_st hsb_net_conn_handshake(hsb_net_conn *c, uint32_t *events);
/* DONE with *n > 0 bytes of plaintext, or *n == 0 once the peer sent
 * close_notify. */
hsb_net_st hsb_net_conn_read(hsb_net_conn *c, void *buf, size_t cap, size_t *n, uint32_t *events);
/* DONE with *n (> 0 when len > 0) bytes taken, at most one record's worth;
 * output may still be pending: hsb_net_conn_flush. WAIT: nothing taken; call
 * again with the same bytes. */
hsb_net_st hsb_net_conn_write(hsb_net_conn *c, const void *data, size_t len, size_t *n,
                              uint32_t *events);
/* DONE when no output is pending. */
hsb_net_st hsb_net_conn_flush(hsb_net_conn *c, uint32_t *events);
/* Send close_notify (once) and flush it. */
hsb_net_st hsb_net_conn_close(hsb_net_conn *c, uint32_t *events);

/* Mark a live conn failed by the caller's deadline (kind TIMEOUT; the step
 * is where it was). */
void hsb_net_conn_set_timeout(hsb_net_conn *c);
/* Why c failed (kind NONE while it has not). */
void hsb_net_conn_failure(const hsb_net_conn *c, hsb_net_failure *f);
/* After a DONE handshake. */
void hsb_net_conn_info(const hsb_net_conn *c, hsb_net_info *info);
/* 1 once the handshake is done. */
int hsb_net_conn_established(const hsb_net_conn *c);

#endif
