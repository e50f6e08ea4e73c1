/*
 * neg_harness.h - a man in the middle for negative TLS tests.
 *
 * A client and a server conn talk over an hsb_mem_pair, but each end sends
 * through a tap: the tap cuts the byte stream into whole records and hands
 * each record to the case's tamper function, which writes what really goes
 * on the wire (the record unchanged, changed, twice, nothing, or other
 * bytes). So every record passes the tamper exactly once, in order, when it
 * is sent, whatever the stepping. The harness steps both ends alternately and
 * reports who failed, at which step, with which alert.
 *
 * Also here: plaintext handshake-message surgery (split a record into
 * messages, edit one, put the record back) and the libcrypto RSA operations a
 * test needs to play a peer (raw RSA encryption for bad PKCS#1 padding,
 * PKCS#1 v1.5 SHA-256 signatures for a crafted ServerKeyExchange).
 */
#ifndef NEG_HARNESS_H
#define NEG_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "hsb_certgen.h"
#include "hsb_tls_x509.h"

/* Directions and sides. */
enum { C2S = 0, S2C = 1 };
enum { SIDE_C = HSB_TLS_CLIENT, SIDE_S = HSB_TLS_SERVER };

/* Wire constants (RFC 5246), the test's own copies. */
enum { RT_CCS = 20, RT_ALERT = 21, RT_HANDSHAKE = 22, RT_APPDATA = 23 };
enum {
    HS_HELLO_REQUEST = 0,
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
    HS_CERTIFICATE = 11,
    HS_SERVER_KEY_EXCHANGE = 12,
    HS_SERVER_HELLO_DONE = 14,
    HS_CLIENT_KEY_EXCHANGE = 16,
    HS_FINISHED = 20,
};

/* One configured end (config, thread state, one reusable conn). */
typedef struct neg_end {
    hsb_provider prov;
    hsb_tls_config *cfg;
    hsb_tls_thread *thr;
    hsb_tls_conn *conn;
    const hsb_cert_set *certs;
} neg_end;

/* Client options for neg_end_setup. */
enum {
    NEG_OPT_NO_ANCHOR = 1 << 0,    /* trust nothing */
    NEG_OPT_MIN_RSA_3072 = 1 << 1, /* refuse RSA keys under 3072 bits */
    NEG_OPT_DH_RANGE = 1 << 2,     /* range check of DH values only */
    /* either role: encrypt_then_mac / extended_master_secret off */
    NEG_OPT_NO_ETM = 1 << 3,
    NEG_OPT_NO_EMS = 1 << 4,
    /* either role: the AES-128-GCM suites only (RFC 5288); -1 (skip) when
     * the composition has no gcm class */
    NEG_OPT_GCM = 1 << 5,
};

/* Configure an end: role, composition spec, key exchanges, certificates
 * (server: chain and key; client: anchor, server name "localhost"), DH group
 * ffdhe2048. 1 ok, 0 failed (message on stderr), -1 the composition lacks a
 * class. */
int neg_end_setup(neg_end *e, hsb_tls_role role, const char *spec, unsigned kx,
                  const hsb_cert_set *certs, unsigned opts);
void neg_end_free(neg_end *e);

/* Bytes a tamper function puts on the wire in place of one record. */
typedef struct neg_wire {
    uint8_t *buf;
    size_t len, cap;
    int overflow;
} neg_wire;
void wire_put(neg_wire *w, const void *p, size_t n);
/* A record header of type/version/len, then the body. */
void wire_record(neg_wire *w, uint8_t type, uint16_t version, const void *body, size_t len);

struct neg_run;
/* Called for each record one end sends (dir), idx counting that end's records
 * from 0 in this connection. Must write what goes on the wire into out.
 * Records of type alert are not given to it (they pass unchanged) unless
 * r->tamper_alerts is set. */
typedef void (*neg_tamper_fn)(struct neg_run *r, int dir, unsigned idx, const uint8_t *rec,
                              size_t len, neg_wire *out);

#define NEG_STAGE_CAP (192 * 1024)
typedef struct neg_tap {
    struct neg_run *r;
    int dir;
    hsb_mem_queue *q;
    uint8_t stage[NEG_STAGE_CAP]; /* bytes sent, not yet a whole record */
    size_t stage_len;
    uint8_t pend[NEG_STAGE_CAP]; /* tampered bytes waiting for room in q */
    size_t pend_len;
} neg_tap;

typedef struct neg_run {
    neg_end *cl, *sv;
    hsb_mem_pair pair;
    neg_tap tap[2];
    unsigned idx[2]; /* records sent so far per direction */
    neg_tamper_fn tamper;
    long param; /* the case's parameter (sweep index, value) */
    int tamper_alerts;
    int tamper_on;
    int done[2]; /* handshake returned HSB_OK, per side */
    /* the plaintext hellos' randoms as the taps saw them go by */
    uint8_t client_random[32], server_random[32];
    int have_cr, have_sr;
    /* scratch for tamper functions */
    uint8_t held[HSB_TLS_MAX_RECORD + 64];
    size_t held_len;
    int hit;           /* the tamper found what it looked for */
    int skip;          /* the tamper says: this parameter does not apply */
    uint8_t orig[64];  /* first bytes of the record the tamper changed */
    size_t orig_len;   /* its full length */
    char harness[256]; /* a problem in the test itself, "" when none */
} neg_run;

/* Start a connection between cl and sv (both conns are restarted). */
void neg_run_start(neg_run *r, neg_end *cl, neg_end *sv, neg_tamper_fn tamper, long param);
/* Step both handshakes until both are done, one end is dead, or nothing moves. */
void neg_handshake(neg_run *r);
/* Application data: write (whole buffer, several records if needed) and read
 * what is there. Return the API's code. */
hsb_rc neg_write(neg_run *r, int side, const void *data, size_t len);
hsb_rc neg_read(neg_run *r, int side, size_t *got);
/* Once an end died: let its alert reach the peer and let the peer react. */
void neg_settle(neg_run *r);
/* Move tampered bytes that waited for room into the queues. */
void neg_pump(neg_run *r);
/* Push raw bytes onto the wire in direction dir (after what was sent). */
void neg_inject(neg_run *r, int dir, const void *p, size_t n);
int neg_dead(const neg_run *r, int side);
hsb_tls_conn *neg_conn(const neg_run *r, int side);
void neg_harness_error(neg_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ----------------------------------------------- handshake messages */

#define NEG_MAX_MSGS 8
#define NEG_BODY_CAP 20000
typedef struct hs_msgs {
    size_t n;
    uint8_t type[NEG_MAX_MSGS];
    size_t len[NEG_MAX_MSGS];
    uint8_t body[NEG_MAX_MSGS][NEG_BODY_CAP];
} hs_msgs;

/* Split a plaintext handshake record into whole messages; 0 when it is not
 * one (wrong type, partial message, too many). */
int hs_parse(const uint8_t *rec, size_t len, hs_msgs *m);
/* Write the messages as one plaintext handshake record (version 0x0303). */
void hs_emit(const hs_msgs *m, neg_wire *out);
/* Index of the first message of type t, or -1. */
int hs_find(const hs_msgs *m, uint8_t t);
void hs_remove(hs_msgs *m, size_t i);
/* Insert a message at position i. */
void hs_insert(hs_msgs *m, size_t i, uint8_t type, const uint8_t *body, size_t len);

/* Byte surgery on a body of *len bytes (capacity NEG_BODY_CAP). */
void body_insert(uint8_t *b, size_t *len, size_t off, const void *p, size_t n);
void body_delete(uint8_t *b, size_t *len, size_t off, size_t n);
uint32_t get_be(const uint8_t *p, unsigned n);
void put_be(uint8_t *p, uint32_t v, unsigned n);

/* ClientHello body layout (offsets of the length prefixes); 0 when malformed. */
typedef struct ch_layout {
    size_t sid, suites, comp, exts; /* exts == body length: no extensions */
    int has_exts;
} ch_layout;
int ch_parse(const uint8_t *b, size_t len, ch_layout *l);
/* Offset of extension type t's header (type u16) in a ClientHello/ServerHello
 * body with extensions at exts, or 0. */
size_t ext_find(const uint8_t *b, size_t len, size_t exts, uint16_t t);

/* ServerHello body layout. */
typedef struct sh_layout {
    size_t sid, suite, comp, exts;
    int has_exts;
} sh_layout;
int sh_parse(const uint8_t *b, size_t len, sh_layout *l);

/* ServerKeyExchange (DHE) body layout: offsets of the u16 length prefixes. */
typedef struct ske_layout {
    size_t p, g, ys, params_end, sigalg, sig;
} ske_layout;
int ske_parse(const uint8_t *b, size_t len, ske_layout *l);

/* ------------------------------------------------------ libcrypto */

/* m^e mod n with no padding: em is k bytes (the modulus size). 1 on success. */
int neg_rsa_raw_encrypt(EVP_PKEY *pub, const uint8_t *em, size_t k, uint8_t *out);
/* RSAES-PKCS1-v1_5 encryption of msg. */
int neg_rsa_pkcs1_encrypt(EVP_PKEY *pub, const uint8_t *msg, size_t len, uint8_t *out, size_t k);
/* RSASSA-PKCS1-v1_5 SHA-256 over data; *sig_len in: capacity, out: length. */
int neg_rsa_sign_sha256(EVP_PKEY *key, const uint8_t *data, size_t len, uint8_t *sig,
                        size_t *sig_len);

#endif
