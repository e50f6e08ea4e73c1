/*
 * hsb_tls.h - TLS 1.2 (RFC 5246) handshake and record layer over a composition
 * of crypto backends (hsb_provider), with a non-blocking step API.
 *
 * Suites: TLS_RSA_WITH_AES_128_CBC_SHA256 (0x003C) and
 * TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 (0x0067), the default; and the
 * AES-128-GCM pair of RFC 5288, TLS_RSA_WITH_AES_128_GCM_SHA256 (0x009C) and
 * TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 (0x009E), when the composition has a
 * gcm class and hsb_tls_config_set_ciphers asks for them. Full handshakes only: the
 * client sends an empty session_id, the server answers with an empty one and
 * never resumes; no renegotiation.
 *
 * Extensions: server_name (client sends it; a server parses it and serves
 * its one certificate whatever the name), signature_algorithms,
 * renegotiation_info (empty), encrypt_then_mac and extended_master_secret
 * (both on by default: hsb_tls_config_set_etm/_ems).
 *
 * Client authentication (RFC 5246 7.4.4, 7.4.6, 7.4.8): a server set to
 * verify clients (hsb_tls_config_set_verify_client: optional or require)
 * sends CertificateRequest (rsa_sign, rsa_pkcs1_sha256, its client CAs'
 * names), checks the client's chain against those CAs as a client checks a
 * server's (libcrypto parses; the signatures run on the backend) and the
 * CertificateVerify signature on the backend's rsa-pub. A client answers
 * a CertificateRequest with its certificate and a CertificateVerify signed
 * on the backend's rsa-priv (RSA PKCS#1 v1.5, SHA-256 over the transcript)
 * when it has one (hsb_tls_config_load_pem), else with an empty Certificate.
 *
 * Three lifetimes, three objects:
 *
 *   hsb_tls_config  built once (keys parsed, certificate message encoded,
 *                   trust anchors indexed), then shared READ-ONLY by every
 *                   thread. Setters are not thread-safe and must all run
 *                   before the first hsb_tls_thread_new().
 *   hsb_tls_thread  one per thread: the backend contexts that a handshake
 *                   uses synchronously (our RSA private key, already loaded:
 *                   a server's, or a client's that has a certificate;
 *                   SHA-256 and HMAC scratch for the PRF, the certificate,
 *                   ServerKeyExchange and CertificateVerify hashes; the
 *                   trust anchors' public keys, keyed once). A handshake
 *                   does no key parsing: the only per-handshake parsing is
 *                   d2i_X509 of the peer's chain (the server's; a client's
 *                   where the server verifies clients), which a real peer
 *                   must do to check it.
 *   hsb_tls_conn    one per connection, in caller-owned memory of
 *                   hsb_tls_conn_size(cfg) bytes (HSB_CTX_ALIGN-aligned). It
 *                   holds its record buffers and the per-connection backend
 *                   contexts (transcript hash, record AES and HMAC, DH, the
 *                   peer's RSA public key). hsb_tls_conn_init() once, then
 *                   hsb_tls_conn_start() for each new connection (the memory
 *                   and long-lived contexts are reused: no allocation per
 *                   handshake in hsbench itself; backends that allocate in
 *                   init do so per key as their contract allows), and
 *                   hsb_tls_conn_clear() at the end of its life. A conn is
 *                   bound to one hsb_tls_thread and is stepped by that thread.
 *
 * Stepping: every call below that moves bytes returns HSB_OK when done,
 * HSB_E_WOULD_BLOCK when it needs the transport to accept or deliver bytes
 * (call again later; with a blocking transport this never happens), or an
 * error. After an error the connection is dead: a fatal alert was sent when
 * the protocol calls for one (best effort), and hsb_tls_conn_error() tells
 * which step failed, why, and which alert was sent or received.
 *
 * One thread can run a client and a server connection over an in-memory pair
 * by stepping them alternately (hsb_tls_pair_handshake does exactly that).
 */
#ifndef HSB_TLS_H
#define HSB_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_error.h"
#include "hsb_provider.h"

/* ------------------------------------------------------------- constants */

#define HSB_TLS_VERSION_1_2 0x0303

#define HSB_TLS_RSA_WITH_AES_128_CBC_SHA256 0x003C
#define HSB_TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 0x0067
#define HSB_TLS_RSA_WITH_AES_128_GCM_SHA256 0x009C
#define HSB_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 0x009E

/* Key exchanges, as bits of a mask (offered by a client, accepted by a server). */
#define HSB_TLS_KX_RSA (1u << 0)
#define HSB_TLS_KX_DHE (1u << 1)
#define HSB_TLS_KX_ALL (HSB_TLS_KX_RSA | HSB_TLS_KX_DHE)

/* Record protections, as bits of a mask: AES-128-CBC + HMAC-SHA256 (RFC
 * 5246 6.2.3.2) and AES-128-GCM (RFC 5288). A suite is a key exchange and
 * a protection; both masks must allow it. */
#define HSB_TLS_CIPHER_CBC (1u << 0)
#define HSB_TLS_CIPHER_GCM (1u << 1)
#define HSB_TLS_CIPHER_ALL (HSB_TLS_CIPHER_CBC | HSB_TLS_CIPHER_GCM)

/* Record plaintext limit (RFC 5246 6.2.1) and the largest record we accept
 * on the wire (header + 2^14 + 2048, RFC 5246 6.2.3). */
#define HSB_TLS_MAX_PLAINTEXT 16384
#define HSB_TLS_MAX_RECORD (5 + 16384 + 2048)
/* The largest handshake message body an end reassembles: the largest
 * ClientHello RFC 5246 7.4.1.2 allows (version 2, random 32,
 * session_id<0..32>, cipher_suites<2..2^16-2>, compression_methods<1..2^8-1>,
 * extensions<0..2^16-1>: 131,396 bytes, OpenSSL's bound too). Every other
 * message, a server's Certificate chain included, is held to the same bound;
 * a longer one is refused with illegal_parameter once its header arrives. Each
 * connection holds one buffer of this size plus one record. */
#define HSB_TLS_MAX_HS_MSG (2 + 32 + 1 + 32 + 2 + 65534 + 1 + 255 + 2 + 65535)

/* Alert descriptions (RFC 5246 7.2). */
typedef enum hsb_tls_alert {
    HSB_TLS_ALERT_CLOSE_NOTIFY = 0,
    HSB_TLS_ALERT_UNEXPECTED_MESSAGE = 10,
    HSB_TLS_ALERT_BAD_RECORD_MAC = 20,
    HSB_TLS_ALERT_RECORD_OVERFLOW = 22,
    HSB_TLS_ALERT_HANDSHAKE_FAILURE = 40,
    HSB_TLS_ALERT_BAD_CERTIFICATE = 42,
    HSB_TLS_ALERT_UNSUPPORTED_CERTIFICATE = 43,
    HSB_TLS_ALERT_CERTIFICATE_REVOKED = 44,
    HSB_TLS_ALERT_CERTIFICATE_EXPIRED = 45,
    HSB_TLS_ALERT_CERTIFICATE_UNKNOWN = 46,
    HSB_TLS_ALERT_ILLEGAL_PARAMETER = 47,
    HSB_TLS_ALERT_UNKNOWN_CA = 48,
    HSB_TLS_ALERT_DECODE_ERROR = 50,
    HSB_TLS_ALERT_DECRYPT_ERROR = 51,
    HSB_TLS_ALERT_PROTOCOL_VERSION = 70,
    HSB_TLS_ALERT_INSUFFICIENT_SECURITY = 71,
    HSB_TLS_ALERT_INTERNAL_ERROR = 80,
    HSB_TLS_ALERT_USER_CANCELED = 90,
    HSB_TLS_ALERT_NO_RENEGOTIATION = 100,
    HSB_TLS_ALERT_UNSUPPORTED_EXTENSION = 110,
} hsb_tls_alert;

/* "bad_record_mac", ...; "alert(N)" style text for unknown codes is not
 * returned: unknown codes give "unknown". */
const char *hsb_tls_alert_name(int alert);
/* "TLS_RSA_WITH_AES_128_CBC_SHA256", ...; NULL for other values. */
const char *hsb_tls_suite_name(uint16_t suite);
/* One of our suites by name: the IANA name (case-insensitive) or the short
 * one: "rsa-cbc", "dhe-cbc", "rsa-gcm", "dhe-gcm". 0 when none. */
uint16_t hsb_tls_suite_by_name(const char *name);
/* The key exchange (HSB_TLS_KX_*) and protection (HSB_TLS_CIPHER_*) of one
 * of our suites; 0 for other values. */
unsigned hsb_tls_suite_kx(uint16_t suite);
unsigned hsb_tls_suite_cipher(uint16_t suite);
/* A comma-separated list of suite names (hsb_tls_suite_by_name): the union
 * of their key exchanges and protections into *kx_mask and *cipher_mask.
 * HSB_E_USAGE (masks untouched) on an unknown or empty name. */
HSB_MUST_CHECK hsb_rc hsb_tls_suites_parse(const char *list, unsigned *kx_mask,
                                           unsigned *cipher_mask);

typedef enum hsb_tls_role {
    HSB_TLS_CLIENT = 0,
    HSB_TLS_SERVER = 1,
} hsb_tls_role;

/* ------------------------------------------------------------ transports */

/*
 * A byte-stream transport. Both functions return:
 *   HSB_OK            some progress: *n bytes sent or received (n > 0), or,
 *                     for recv only, *n == 0 meaning the peer closed the
 *                     stream (EOF);
 *   HSB_E_WOULD_BLOCK nothing can move now (*n == 0);
 *   HSB_E_IO          the transport failed (the conn fails with it).
 * send may take fewer bytes than offered.
 */
typedef struct hsb_tls_transport {
    hsb_rc (*send)(void *io, const uint8_t *buf, size_t len, size_t *n);
    hsb_rc (*recv)(void *io, uint8_t *buf, size_t cap, size_t *n);
    void *io;
} hsb_tls_transport;

/*
 * In-memory pair: two fixed-capacity byte queues, no allocation after
 * hsb_mem_pair_init. The client end writes the queue to the server and reads
 * the one to the client, the server end the reverse; a full queue gives
 * WOULD_BLOCK on send, an empty one WOULD_BLOCK on recv (or EOF once the
 * writer's end was shut). Each queue holds HSB_MEM_QUEUE_CAP bytes: a whole
 * server flight (a 4096-bit chain plus the ServerKeyExchange) and any single
 * record.
 *
 * Tests sit between the ends with the queue helpers: take the next whole
 * record out of a queue, change it, drop it, or push it back (twice, to
 * replay), then step the other end.
 *
 * hsb_mem_pair is caller-owned storage (embed it, or make it static), like
 * struct sockaddr_storage: its layout is private to core/mem_pair.c, and
 * the queues are reached only through the functions below.
 */
#define HSB_MEM_QUEUE_CAP (64 * 1024)
/* Two queues and their bookkeeping (checked in mem_pair.c). */
#define HSB_MEM_PAIR_SIZE (2 * (HSB_MEM_QUEUE_CAP + 64))

typedef struct hsb_mem_queue hsb_mem_queue;

typedef struct hsb_mem_pair {
    _Alignas(16) unsigned char opaque[HSB_MEM_PAIR_SIZE];
} hsb_mem_pair;

void hsb_mem_pair_init(hsb_mem_pair *p);
/* The transport each end uses (io points into p; p must outlive the conns). */
hsb_tls_transport hsb_mem_pair_client(hsb_mem_pair *p);
hsb_tls_transport hsb_mem_pair_server(hsb_mem_pair *p);
/* The queue the client writes (to the server), and the one it reads. */
hsb_mem_queue *hsb_mem_pair_to_server(hsb_mem_pair *p);
hsb_mem_queue *hsb_mem_pair_to_client(hsb_mem_pair *p);

/* Bytes waiting in q. */
size_t hsb_mem_queue_pending(const hsb_mem_queue *q);
/* Take the next whole TLS record (5-byte header + body) out of q into buf.
 * HSB_OK with *len set; HSB_E_WOULD_BLOCK when q holds no whole record
 * (nothing taken); HSB_E_USAGE when it does not fit in cap. */
HSB_MUST_CHECK hsb_rc hsb_mem_queue_take_record(hsb_mem_queue *q, uint8_t *buf, size_t cap,
                                                size_t *len);
/* Append raw bytes to q; HSB_E_WOULD_BLOCK (nothing appended) when they do
 * not fit. */
HSB_MUST_CHECK hsb_rc hsb_mem_queue_push(hsb_mem_queue *q, const uint8_t *data, size_t len);
/* Mark q's writer as gone (the reader sees EOF once q is empty). */
void hsb_mem_queue_shut(hsb_mem_queue *q);
/* 1 once q's writer is gone (a tap in front of q then refuses bytes too). */
int hsb_mem_queue_is_shut(const hsb_mem_queue *q);
/* Drop every byte waiting in q (what the writer sent is never read). */
void hsb_mem_queue_discard(hsb_mem_queue *q);

/*
 * TCP over a connected socket fd (blocking or not: EAGAIN gives WOULD_BLOCK).
 * The transport only borrows fd; the caller closes it. send never raises
 * SIGPIPE.
 */
hsb_tls_transport hsb_tcp_transport(int fd);
/* Connect to host:port (numeric or resolvable host, IPv4 or IPv6); a blocking
 * socket with TCP_NODELAY. err gets a message on failure (HSB_E_IO). */
HSB_MUST_CHECK hsb_rc hsb_tcp_connect(const char *host, const char *port, int *fd, char *err,
                                      size_t err_len);
/* Listen on addr:port (port "0": an ephemeral port); *bound_port is the port
 * actually bound. SO_REUSEADDR is set. */
HSB_MUST_CHECK hsb_rc hsb_tcp_listen(const char *addr, const char *port, int backlog, int *fd,
                                     unsigned *bound_port, char *err, size_t err_len);

/* ---------------------------------------------------------------- config */

typedef struct hsb_tls_config hsb_tls_config;

/*
 * A new config for role over the composition prov (which must outlive the
 * config). Defaults: kx = HSB_TLS_KX_ALL (RSA only when prov has no dh
 * class); server: DH group ffdhe2048, no client authentication; client:
 * dh_check FULL, min DH bits 2048, min RSA bits 2048, no server name check
 * (set one!), no trust anchors (every certificate fails until one is added),
 * no client certificate (an empty Certificate answers CertificateRequest).
 * HSB_E_UNAVAILABLE (with hsb_last_error naming the class) when prov lacks a
 * class the role needs: rsa-pub, sha256, hmac-sha256, aes, rng always;
 * rsa-priv for a server, and for a client given a key to sign
 * CertificateVerify with (checked by the key setters); dh when DHE is asked
 * for (by set_kx).
 */
HSB_MUST_CHECK hsb_rc hsb_tls_config_new(hsb_tls_config **out, hsb_tls_role role,
                                         const hsb_provider *prov);
void hsb_tls_config_free(hsb_tls_config *cfg);

/* Key exchanges offered (client, in the order DHE then RSA) or accepted
 * (server; the first suite in the client's list that is accepted wins). */
HSB_MUST_CHECK hsb_rc hsb_tls_config_set_kx(hsb_tls_config *cfg, unsigned kx_mask);
/* Record protections offered or accepted (HSB_TLS_CIPHER_*; default CBC
 * only). A client offers GCM suites before CBC ones. HSB_E_UNAVAILABLE
 * (hsb_last_error says why) when GCM is asked of a composition without a
 * gcm class with AES-128: the suite is unavailable, never served by another
 * backend. */
HSB_MUST_CHECK hsb_rc hsb_tls_config_set_ciphers(hsb_tls_config *cfg, unsigned cipher_mask);

/* Our certificate chain as DER blobs, leaf first (copied): a server's (it
 * needs one), or the one a client sends when a server asks (RFC 5246
 * 7.4.6; the leaf's key must be RSA, and the key setters then need the
 * rsa-priv class). The X509 and EVP_PKEY forms, and the private key, are
 * in hsb_tls_x509.h. A chain needs its key and a key its chain
 * (hsb_tls_thread_new checks). */
HSB_MUST_CHECK hsb_rc hsb_tls_config_set_chain_der(hsb_tls_config *cfg, const uint8_t *const *der,
                                                   const size_t *der_len, size_t n);
/* Either role: PEM files: chain_file holds the leaf then any intermediates. */
HSB_MUST_CHECK hsb_rc hsb_tls_config_load_pem(hsb_tls_config *cfg, const char *chain_file,
                                              const char *key_file);
/* Server: the DHE group (hsb_dh_group_by_name("ffdhe2048"/"ffdhe3072"/...)). */
HSB_MUST_CHECK hsb_rc hsb_tls_config_set_dh_group(hsb_tls_config *cfg, const hsb_dh_group *group);

/* Trust anchors (CA certificates trusted as given) from a PEM file of one
 * or more certificates; from X509s or an X509_STORE: hsb_tls_x509.h. A
 * client checks the server's chain against them; a server that verifies
 * clients checks client certificates against them and names their
 * subjects in CertificateRequest. */
HSB_MUST_CHECK hsb_rc hsb_tls_config_load_anchors(hsb_tls_config *cfg, const char *pem_file);
/* Client: the name the server's certificate must carry (SAN dNSName, or an
 * iPAddress when name is a numeric address); a DNS name is also sent as SNI.
 * NULL: no host name check (only for tests that say so). */
HSB_MUST_CHECK hsb_rc hsb_tls_config_set_server_name(hsb_tls_config *cfg, const char *name);
/* Client (and the server's check of dh_Yc): how to check the peer's DH value. */
void hsb_tls_config_set_dh_check(hsb_tls_config *cfg, hsb_dh_check policy);
/* Client: smallest DH prime (default 2048) and RSA modulus (default 2048) accepted. */
void hsb_tls_config_set_min_dh_bits(hsb_tls_config *cfg, unsigned bits);
void hsb_tls_config_set_min_rsa_bits(hsb_tls_config *cfg, unsigned bits);

/* Server: whether to ask for a client certificate (RFC 5246 7.4.4):
 *   NONE      never (the default);
 *   OPTIONAL  ask; a client that sends none goes on unauthenticated, one
 *             that sends a chain must prove it (verified against the trust
 *             anchors, then CertificateVerify);
 *   REQUIRE   ask, and end a handshake without one with handshake_failure
 *             (RFC 5246 7.4.6).
 * OPTIONAL and REQUIRE need trust anchors (hsb_tls_thread_new checks). */
typedef enum hsb_tls_verify_client {
    HSB_TLS_VERIFY_NONE = 0,
    HSB_TLS_VERIFY_OPTIONAL = 1,
    HSB_TLS_VERIFY_REQUIRE = 2,
} hsb_tls_verify_client;
HSB_MUST_CHECK hsb_rc hsb_tls_config_set_verify_client(hsb_tls_config *cfg,
                                                       hsb_tls_verify_client mode);

/* Both roles: encrypt_then_mac (RFC 7366) and extended_master_secret (RFC
 * 7627), offered by a client and accepted by a server when on (1, the
 * default for both, as libssl does), neither offered nor accepted when off
 * (0). Each is in use when both ends have it on (hsb_tls_info tells);
 * encrypt_then_mac never with a GCM suite (RFC 7366 3: a server that picks
 * an AEAD suite does not answer it; a client refuses the answer then). */
void hsb_tls_config_set_etm(hsb_tls_config *cfg, int on);
void hsb_tls_config_set_ems(hsb_tls_config *cfg, int on);

/* ---------------------------------------------------------- thread state */

typedef struct hsb_tls_thread hsb_tls_thread;

/* Allocate and initialise the per-thread contexts (the server loads its RSA
 * key into the backend here). cfg must be complete and outlive thr. */
HSB_MUST_CHECK hsb_rc hsb_tls_thread_new(const hsb_tls_config *cfg, hsb_tls_thread **out);
void hsb_tls_thread_free(hsb_tls_thread *thr);

/* ----------------------------------------------------------- connections */

typedef struct hsb_tls_conn hsb_tls_conn;

/* Bytes a connection needs under cfg (buffers + the provider's contexts). */
size_t hsb_tls_conn_size(const hsb_tls_config *cfg);

/* Set up conn in mem (hsb_tls_conn_size(cfg) bytes, HSB_CTX_ALIGN-aligned,
 * contents ignored) for thr's config and role; initialises the long-lived
 * contexts. The conn is idle until hsb_tls_conn_start. */
HSB_MUST_CHECK hsb_rc hsb_tls_conn_init(void *mem, hsb_tls_thread *thr, hsb_tls_conn **out);
/* Convenience: hsb_ctx_alloc + init; free = clear + hsb_ctx_free. */
HSB_MUST_CHECK hsb_rc hsb_tls_conn_new(hsb_tls_thread *thr, hsb_tls_conn **out);
void hsb_tls_conn_free(hsb_tls_conn *conn);
/* Wipe secrets and release the contexts (the memory stays the caller's);
 * the conn needs hsb_tls_conn_init again before any further use. */
void hsb_tls_conn_clear(hsb_tls_conn *conn);

/* Begin a new connection (full handshake) on transport tr (copied). Any
 * previous connection on conn is forgotten (its secrets wiped). */
HSB_MUST_CHECK hsb_rc hsb_tls_conn_start(hsb_tls_conn *conn, const hsb_tls_transport *tr);

/* Drive the handshake: HSB_OK once both Finished messages are verified (and
 * ours is flushed), HSB_E_WOULD_BLOCK, or an error (conn is then dead). */
HSB_MUST_CHECK hsb_rc hsb_tls_handshake(hsb_tls_conn *conn);

/* Application data, after the handshake.
 * write: seals up to HSB_TLS_MAX_PLAINTEXT bytes of data as one record and
 *   sets *n to the bytes taken (call again for the rest). *n == 0 with
 *   HSB_E_WOULD_BLOCK when earlier output is still waiting on the
 *   transport. A sealed record may still sit in the conn: hsb_tls_flush.
 * read: HSB_OK with *n > 0 bytes of plaintext; HSB_OK with *n == 0 once the
 *   peer sent close_notify (clean end); HSB_E_WOULD_BLOCK; or an error (a
 *   TCP EOF without close_notify is HSB_E_IO, "truncated").
 * flush: HSB_OK when no output is pending.
 * close: send close_notify (once) and flush it. */
HSB_MUST_CHECK hsb_rc hsb_tls_write(hsb_tls_conn *conn, const void *data, size_t len, size_t *n);
HSB_MUST_CHECK hsb_rc hsb_tls_read(hsb_tls_conn *conn, void *buf, size_t cap, size_t *n);
HSB_MUST_CHECK hsb_rc hsb_tls_flush(hsb_tls_conn *conn);
HSB_MUST_CHECK hsb_rc hsb_tls_close(hsb_tls_conn *conn);

/* Step a client and a server conn (started on the two ends of one mem pair)
 * alternately until both handshakes are done (HSB_OK) or one fails (its
 * error; *failed, when not NULL, gets the failing conn). Bounded: a pair that
 * stops making progress fails with HSB_E_INTERNAL. A public-key op an end
 * hands out (hsb_tls_config_set_async_pk) runs at once (hsb_tls_pk_run). */
HSB_MUST_CHECK hsb_rc hsb_tls_pair_handshake(hsb_tls_conn *client, hsb_tls_conn *server,
                                             hsb_tls_conn **failed);

/* ------------------------------------- asynchronous public-key steps */

/*
 * A conn can stop at a public-key operation and let its driver run it, so
 * that a driver with many conns in flight can run the operations of several
 * handshakes as one batch (hsb_rsa_priv_batch, hsb_dh_batch: eight
 * exponentiations in the lanes of one AVX-512 register take about the time
 * of one). The core holds no threads or queues: it only stops and resumes.
 *
 * With async on (hsb_tls_config_set_async_pk; off by default, and then
 * nothing below ever happens), hsb_tls_handshake returns HSB_E_PENDING where
 * it needs one of these, instead of running it:
 *   server: the RSA private op on the ClientKeyExchange premaster (RFC 5246
 *           7.4.7.1), DH keygen for ServerKeyExchange, the ServerKeyExchange
 *           signature's RSA private op (after PKCS#1 v1.5 padding), the
 *           check of the client's dh_Yc and the derive;
 *   client: the check of the server's dh_Ys, DH keygen and derive for
 *           ClientKeyExchange, the CertificateVerify signature's RSA
 *           private op.
 * hsb_tls_pk_pending describes the operation as a job of the batch API
 * (hsb_provider.h); its buffers and context live in the conn, and stay put
 * until the conn resumes. The driver runs the job (alone or in a batch of
 * jobs of other conns), hands the job's rc in with hsb_tls_pk_resume, and
 * calls hsb_tls_handshake again. A failed job takes the path the failed
 * synchronous op takes, to the same alert (a bad RSA premaster is no
 * failure at all: RFC 5246 7.4.7.1's random premaster takes its place, and
 * Finished fails). Calling hsb_tls_handshake while an op is out returns
 * HSB_E_PENDING again without doing anything.
 *
 * The kinds of job, as the batch API groups them. mod_len is the job's
 * modulus size (the RSA key's n_len, the DH group's p_len): a batch class
 * runs jobs of one size per pass.
 */
typedef enum hsb_tls_pk_kind {
    HSB_TLS_PK_NONE = 0,
    HSB_TLS_PK_RSA_PRIV, /* op.rsa: raw RSA private op (hsb_rsa_priv_batch) */
    HSB_TLS_PK_DH,       /* op.dh: keygen, derive or check (hsb_dh_batch) */
} hsb_tls_pk_kind;

typedef struct hsb_tls_pk_op {
    hsb_tls_pk_kind kind;
    size_t mod_len;
    hsb_rsa_priv_job rsa; /* kind RSA_PRIV: ctx is the thread's key context */
    hsb_dh_job dh;        /* kind DH: ctx is the conn's DH context */
} hsb_tls_pk_op;

/* Server and client: hand public-key ops to the driver (1) or run them in
 * place (0, the default). Applies to conns started afterwards. A config
 * starts with 1 when the environment has HSB_TLS_ASYNC_PK set (not empty,
 * not "0"): the test suite's async pass, whose drivers (hsbench client and
 * server, the test harness) run each op as it comes (hsb_tls_pk_run). */
void hsb_tls_config_set_async_pk(hsb_tls_config *cfg, int on);
/* The op conn waits for: HSB_OK with *op filled (its rc fields HSB_OK);
 * HSB_E_USAGE when none is pending. */
HSB_MUST_CHECK hsb_rc hsb_tls_pk_pending(const hsb_tls_conn *conn, hsb_tls_pk_op *op);
/* The pending op ran: rc is its job's rc (the output, if any, was written
 * through the job's out pointer). HSB_E_USAGE when none is pending. */
HSB_MUST_CHECK hsb_rc hsb_tls_pk_resume(hsb_tls_conn *conn, hsb_rc rc);
/* Convenience for drivers without batches: run the pending op now as a
 * batch of one through the config's composition, and resume. */
HSB_MUST_CHECK hsb_rc hsb_tls_pk_run(hsb_tls_conn *conn);
/* hsb_tls_handshake, with every op the conn hands out run at once
 * (hsb_tls_pk_run): what a driver that does not batch calls. Never returns
 * HSB_E_PENDING. */
HSB_MUST_CHECK hsb_rc hsb_tls_handshake_run(hsb_tls_conn *conn);

/* ------------------------------------------------- what happened on conn */

typedef struct hsb_tls_info {
    int handshake_done;     /* 1 once hsb_tls_handshake returned HSB_OK */
    uint16_t version;       /* 0x0303 */
    uint16_t suite;         /* HSB_TLS_*_WITH_AES_128_*, 0 before ServerHello */
    unsigned cipher;        /* HSB_TLS_CIPHER_CBC or _GCM, 0 before ServerHello */
    const char *suite_name; /* NULL before ServerHello */
    unsigned kx;            /* HSB_TLS_KX_RSA or HSB_TLS_KX_DHE, 0 before */
    unsigned rsa_bits;      /* server's RSA modulus */
    unsigned dh_bits;       /* DHE prime, 0 for RSA */
    const char *dh_group;   /* "ffdhe2048", ... or "custom"; NULL for RSA */
    int etm;                /* 1: encrypt_then_mac negotiated (RFC 7366) */
    int ems;                /* 1: extended_master_secret negotiated (RFC 7627) */
    uint64_t records_sent, records_received;
    /* 1 once the client proved a certificate: on a server, its chain
     * verified and its CertificateVerify checked; on a client, it sent
     * them (and the handshake finished, so the server took them). */
    int client_auth;
    unsigned client_rsa_bits;   /* that certificate's RSA modulus, 0 without */
    const char *client_subject; /* its subject (one line, libcrypto's form), NULL without */
} hsb_tls_info;
void hsb_tls_conn_info(const hsb_tls_conn *conn, hsb_tls_info *info);

/* The error of a dead conn, one line: "client: ServerKeyExchange: signature
 * does not verify (decrypt); sent alert decrypt_error(51)". "" when none. */
const char *hsb_tls_conn_error(const hsb_tls_conn *conn);
/* The code conn failed with (HSB_OK while alive). */
hsb_rc hsb_tls_conn_rc(const hsb_tls_conn *conn);
/* The step that failed ("ClientHello", "record", "certificate", ...) or NULL. */
const char *hsb_tls_conn_failed_step(const hsb_tls_conn *conn);
/* The fatal alert this end sent, or the alert it received (fatal, or
 * close_notify), as the alert description; -1 when none. */
int hsb_tls_conn_alert_sent(const hsb_tls_conn *conn);
int hsb_tls_conn_alert_received(const hsb_tls_conn *conn);

#endif
