/*
 * tls_internal.h - the TLS 1.2 engine's private structures, shared by the
 * core/tls_*.c files only.
 */
#ifndef HSB_TLS_INTERNAL_H
#define HSB_TLS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_stuffer.h"
#include "hsb_tls_test.h"
#include "hsb_tls_x509.h"

/* The record header (RFC 5246 6.2.1): type(1), version(2), length(2), with
 * TLS 1.2's ProtocolVersion {3, 3} as its two version bytes. */
#define TLS_HEADER_LEN 5
#define TLS_VERSION_MAJOR ((uint8_t)(HSB_TLS_VERSION_1_2 >> 8))
#define TLS_VERSION_MINOR ((uint8_t)(HSB_TLS_VERSION_1_2 & 0xff))

/* AlertLevel (RFC 5246 7.2). */
enum { TLS_ALERT_WARNING = 1, TLS_ALERT_FATAL = 2 };
/* tls_fail's and pending_alert's values besides an AlertDescription: keep
 * the default alert for the error code, or send no alert at all (the
 * transport is gone, or the peer's fatal alert ended the connection). */
enum { TLS_ALERT_DEFAULT = -1, TLS_ALERT_NONE = -2 };

/* Record content types (RFC 5246 6.2.1). */
enum {
    TLS_RT_CCS = 20,
    TLS_RT_ALERT = 21,
    TLS_RT_HANDSHAKE = 22,
    TLS_RT_APPDATA = 23,
};

/* Handshake message types (RFC 5246 7.4). */
enum {
    TLS_HS_HELLO_REQUEST = 0,
    TLS_HS_CLIENT_HELLO = 1,
    TLS_HS_SERVER_HELLO = 2,
    TLS_HS_CERTIFICATE = 11,
    TLS_HS_SERVER_KEY_EXCHANGE = 12,
    TLS_HS_CERTIFICATE_REQUEST = 13,
    TLS_HS_SERVER_HELLO_DONE = 14,
    TLS_HS_CERTIFICATE_VERIFY = 15,
    TLS_HS_CLIENT_KEY_EXCHANGE = 16,
    TLS_HS_FINISHED = 20,
};

/* Extensions we send or look at. */
enum {
    TLS_EXT_SERVER_NAME = 0x0000,
    TLS_EXT_SIGNATURE_ALGORITHMS = 0x000d,
    TLS_EXT_ENCRYPT_THEN_MAC = 0x0016,       /* RFC 7366 */
    TLS_EXT_EXTENDED_MASTER_SECRET = 0x0017, /* RFC 7627 */
    TLS_EXT_RENEGOTIATION_INFO = 0xff01,
};
/* HashAlgorithm sha256(4) and SignatureAlgorithm rsa(1) (RFC 5246
 * 7.4.1.4.1): the one pair we sign and verify with, and its u16 form in
 * the signature_algorithms extension. */
#define TLS_HASH_SHA256 4
#define TLS_SIG_RSA 1
#define TLS_SIGALG_RSA_PKCS1_SHA256 (TLS_HASH_SHA256 << 8 | TLS_SIG_RSA)
#define TLS_SCSV_RENEGOTIATION 0x00ff
/* ClientCertificateType rsa_sign(1) (RFC 5246 7.4.4): the one kind of
 * client certificate we ask for and offer. */
#define TLS_CERT_TYPE_RSA_SIGN 1
/* The most DistinguishedName bytes a server puts in CertificateRequest;
 * past it the list is sent empty (RFC 5246 7.4.4: the client may then send
 * any certificate), so a large CA file never overflows the server's flight. */
#define TLS_MAX_CA_NAMES (8 * 1024)

#define TLS_MAC_LEN 32
#define TLS_KEY_LEN 16
#define TLS_IV_LEN 16
/* AES-128-GCM records (RFC 5288 3): a 4-byte implicit salt from the key
 * block, an 8-byte explicit nonce in front of the ciphertext, a 16-byte
 * tag after it. */
#define TLS_GCM_SALT_LEN 4
#define TLS_GCM_EXPLICIT_LEN 8
#define TLS_GCM_TAG_LEN 16
#define TLS_VERIFY_LEN 12
/* Largest incoming handshake message body (see HSB_TLS_MAX_HS_MSG). */
#define TLS_MAX_HS_MSG HSB_TLS_MAX_HS_MSG
/* Certificates the client looks at in the server's list. */
#define TLS_MAX_CHAIN 8
/* Consecutive warning alerts that end a connection (unexpected_message). */
#define TLS_MAX_WARNINGS_IN_ROW 5
/* Largest server Certificate message body we send (checked at config). */
#define TLS_MAX_CERT_MSG (24 * 1024)

#define TLS_IN_CAP HSB_TLS_MAX_RECORD
/* A whole message plus the rest of the record that completed it. */
#define TLS_HS_CAP (TLS_MAX_HS_MSG + 4 + HSB_TLS_MAX_PLAINTEXT)
#define TLS_OUT_CAP (2 * HSB_TLS_MAX_RECORD + 8 * 1024)

/* A trust anchor with its public key pulled out once. */
typedef struct tls_anchor {
    X509 *x;
    uint8_t *n, *e;
    size_t n_len, e_len;
} tls_anchor;

struct hsb_tls_config {
    hsb_tls_role role;
    const hsb_provider *prov;
    const hsb_backend *cls; /* &prov->cls */
    unsigned kx_mask;
    hsb_dh_check dh_check;
    /* our certificate and key: a server's always, a client's when it is to
     * answer CertificateRequest with one (RFC 5246 7.4.6) */
    uint8_t *cert_list; /* certificate_list body (the u24 vector's content) */
    size_t cert_list_len;
    X509 *leaf;
    char leaf_subject[128];
    hsb_rsa_key key; /* fields point into key_mem */
    uint8_t *key_mem;
    size_t key_mem_len;
    unsigned key_bits;
    /* server */
    const hsb_dh_group *dh_group;
    hsb_tls_verify_client verify_client;
    /* certificate_authorities of CertificateRequest: DistinguishedName
     * vectors of the anchors' subjects, empty once over TLS_MAX_CA_NAMES */
    uint8_t *ca_names;
    size_t ca_names_len;
    int ca_names_over;
    /* trust anchors: a client's for the server's chain, a server's for
     * client certificates */
    tls_anchor *anchors;
    size_t n_anchors, cap_anchors;
    /* client */
    char server_name[256];
    int check_name, name_is_ip;
    unsigned min_dh_bits, min_rsa_bits;
    /* both roles: offer (client) or accept (server) these extensions */
    int etm, ems;
    unsigned cipher_mask; /* HSB_TLS_CIPHER_* offered or accepted */
    int async_pk;         /* hand public-key ops to the driver (tls_pk.c) */
};

struct hsb_tls_thread {
    const hsb_tls_config *cfg;
    void *rsa_priv; /* our key (a server's; a client's with a certificate), loaded once */
    int rsa_priv_ready, sha_ready, sink_ready;
    void *sha;      /* sha256 scratch, always initialised (final resets it) */
    void *sink;     /* sha256 that absorbs the record layer's dummy blocks */
    void *hmac;     /* hmac scratch for the PRF (initialised only inside it) */
    void *cert_pub; /* rsa_pub scratch for certificate signatures */
    /* one rsa_pub per trust anchor (cfg->anchors[i]), keyed once
     * here as a trust store keeps its anchors' keys ready; anchor_pub[i] is
     * NULL for a key the signature check would refuse (it then fails there,
     * per handshake, as before). */
    void **anchor_pub;
    size_t n_anchor_pub;
};

/* Can a certificate signature be checked with this issuer key? */
int tls_issuer_key_ok(const uint8_t *n, size_t n_len);

typedef enum tls_state {
    TLS_IDLE = 0,
    TLS_HANDSHAKE,
    TLS_OPEN,
    TLS_DEAD,
} tls_state;

struct hsb_tls_kx;

/* An asynchronous public-key step (tls_pk.c, hsb_tls_pk_pending). A
 * handler that needs an op hands it out and returns HSB_E_PENDING; the
 * conn's place in the handshake stays put, and once the result is in, the
 * same handler runs again from its top: `done` remembers which ops and
 * stages (bits, see tls_pk.c) of the current message already ran. */
typedef struct tls_pk {
    int on;        /* this handshake hands ops out (the config's async_pk) */
    int out;       /* an op is with the driver */
    int back;      /* its result is in (rc), for the op tagged `tag` */
    int used;      /* the buffers below held secrets since the last wipe */
    unsigned tag;  /* the op handed out */
    unsigned done; /* ops and stages of the current message already run */
    hsb_rc rc;
    hsb_tls_pk_op op;
    uint8_t in[HSB_MAX_MODULUS_BYTES];  /* the op's input, copied */
    uint8_t res[HSB_MAX_MODULUS_BYTES]; /* its output */
    uint8_t pub[HSB_MAX_MODULUS_BYTES]; /* our DH public value (keygen) */
    uint8_t fallback[48];               /* RFC 5246 7.4.7.1's substitute premaster */
} tls_pk;

struct hsb_tls_conn {
    const hsb_tls_config *cfg;
    hsb_tls_thread *thr;
    const hsb_backend *cls;
    hsb_tls_role role;
    hsb_tls_transport tr;
    tls_state state;

    /* handshake progress */
    int shape;  /* row of the handshake table */
    int msg_no; /* index in that row */
    uint16_t suite;
    int gcm; /* the suite's records are AES-128-GCM (RFC 5288) */
    const struct hsb_tls_kx *kx;
    uint16_t client_version; /* from ClientHello (the RSA premaster check) */
    uint8_t client_random[32], server_random[32];
    int peer_secure_reneg; /* the client offered renegotiation_info or the SCSV */
    int sent_sni;
    /* RFC 7366 / RFC 7627: offered by us (client), negotiated (both) */
    int sent_etm, sent_ems, etm, ems;
    unsigned ext_seen; /* tls_ext.c's extensions seen in this hello */
    int version_fixed; /* records must carry 0x0303 from now on */
    uint8_t master[48];
    /* With EMS the master secret waits for the session hash, which covers
     * ClientKeyExchange (RFC 7627 4): the premaster is kept until then. */
    uint8_t pms[HSB_MAX_MODULUS_BYTES];
    size_t pms_len;
    /* CBC: client and server MAC keys, then write keys; GCM (RFC 5288 3):
     * the two write keys, then the two 4-byte salts (client_write_IV,
     * server_write_IV); tls_key_block_len */
    uint8_t key_block[2 * TLS_MAC_LEN + 2 * TLS_KEY_LEN];
    int keys_ready;

    /* DHE */
    uint8_t dh_p[HSB_MAX_MODULUS_BYTES], dh_g[HSB_MAX_MODULUS_BYTES], dh_q[HSB_MAX_MODULUS_BYTES];
    uint8_t dh_ys[HSB_MAX_MODULUS_BYTES]; /* client: the server's public value */
    size_t dh_p_len, dh_g_len, dh_q_len, dh_ys_len;
    hsb_dh_group peer_group; /* client: the server's group */
    const char *dh_group_name;
    unsigned dh_bits;
    int dh_ready; /* dh ctx initialised */

    /* the peer's RSA key from its certificate: the server's as the client
     * sees it, a client certificate's as the server sees it */
    int peer_pub_ready;
    size_t peer_n_len;
    unsigned rsa_bits;

    /* client authentication (RFC 5246 7.4.4, 7.4.6, 7.4.8): TLS_AUTH_* */
    int auth;
    int send_cert;          /* client: answer CertificateRequest with our chain */
    int client_auth;        /* the client proved its certificate (hsb_tls_info) */
    char peer_subject[128]; /* server: the client certificate's subject */

    /* contexts (point into the tail of the conn's memory) */
    void *transcript; /* sha256, initialised for the conn's life */
    void *dh, *peer_pub, *aes_r, *aes_w, *hmac_r, *hmac_w;
    void *gcm_r, *gcm_w;          /* NULL when the composition has no gcm class */
    void *cbc_r, *cbc_w;          /* NULL when the composition has no cbc-hmac class */
    int cbc_r_ready, cbc_w_ready; /* MAC-then-encrypt records go through cbc-hmac */
    int cipher_r, cipher_w;       /* read/write protection active */
    int aes_r_ready, aes_w_ready, hmac_r_ready, hmac_w_ready, gcm_r_ready, gcm_w_ready;
    uint8_t salt_r[TLS_GCM_SALT_LEN], salt_w[TLS_GCM_SALT_LEN]; /* GCM implicit nonces */
    /* tests only (hsb_tls_conn_test_fix_nonce): every GCM record written
     * carries fixed_nonce as its explicit nonce instead of seq_w */
    int fix_nonce;
    uint64_t fixed_nonce;
    uint64_t seq_r, seq_w;
    int seq_r_done, seq_w_done; /* 2^64 - 1 was used: no more records */
    uint64_t records_sent, records_received;

    /* record input: raw bytes in[in_start..in_end) */
    size_t in_start, in_end;
    /* an opened application-data record being read: plaintext at
     * in[app_off .. app_off+app_len), the record ends at app_rec_end */
    size_t app_off, app_len, app_rec_end;
    int app_active;
    /* handshake reassembly */
    size_t hs_len;
    /* How far each buffer was ever written (high-water marks): clear wipes
     * those bytes only, so that pages never used stay untouched. */
    size_t in_used, hs_used, out_used;
    /* output: out[out_start..out_end) waits for the transport */
    size_t out_start, out_end;
    size_t out_hs_rec; /* offset of an open plaintext handshake record, or SIZE_MAX */
    int close_sent, close_received;
    unsigned warnings_in_row; /* warning alerts since the last other record */

    tls_pk pk;

    /* errors */
    hsb_rc rc;
    const char *step;
    int alert_sent, alert_recv;
    int pending_alert; /* set by a handler before it fails; -1 none */
    char detail[160];
    char err[320];

    /* The buffers stay last: hsb_tls_conn_init zeroes everything before
     * `in` and leaves their pages untouched until they are used. */
    uint8_t in[TLS_IN_CAP];
    uint8_t hs[TLS_HS_CAP];
    uint8_t out[TLS_OUT_CAP];
};

/* A key exchange (s2n_kex shape). Handlers read or write one message body. */
typedef struct hsb_tls_kx {
    const char *name;
    unsigned mask;           /* HSB_TLS_KX_* */
    uint16_t suite;          /* its cipher suite */
    int server_key_exchange; /* 1 when the server sends ServerKeyExchange */
    hsb_rc (*server_write_ske)(hsb_tls_conn *c, hsb_stuffer *out);
    hsb_rc (*client_read_ske)(hsb_tls_conn *c, hsb_stuffer *in);
    /* writes ClientKeyExchange and sets c->master */
    hsb_rc (*client_write_cke)(hsb_tls_conn *c, hsb_stuffer *out);
    /* reads ClientKeyExchange and sets c->master */
    hsb_rc (*server_read_cke)(hsb_tls_conn *c, hsb_stuffer *in);
} hsb_tls_kx;

extern const hsb_tls_kx hsb_kx_rsa;
extern const hsb_tls_kx hsb_kx_dhe;
const hsb_tls_kx *tls_kx_by_suite(uint16_t suite);
/* Is suite one of ours that cfg offers or accepts (its kx in kx_mask, its
 * protection in cipher_mask)? */
int tls_suite_enabled(const hsb_tls_config *cfg, uint16_t suite, unsigned kx_mask);
/* Set the negotiated suite on c (its kx and handshake shape too). */
void tls_set_suite(hsb_tls_conn *c, uint16_t suite);

/* ---- the handshake table (tls_handshake.c) and framing (tls_framing.c) */

/* Reads or writes one message body. */
typedef hsb_rc (*tls_handler)(hsb_tls_conn *c, hsb_stuffer *s);

/* One message of the handshake: its record and handshake types, who
 * writes it, its name in errors, and the handler for each role. */
typedef struct tls_action {
    uint8_t record_type;
    uint8_t hs_type;
    hsb_tls_role writer;
    const char *name;
    tls_handler handler[2]; /* [HSB_TLS_CLIENT], [HSB_TLS_SERVER] */
} tls_action;

/* Client authentication as far as the handshake has got: no
 * CertificateRequest; requested (the client's Certificate follows
 * ServerHelloDone); and a certificate sent, so CertificateVerify follows
 * ClientKeyExchange. */
enum { TLS_AUTH_NONE, TLS_AUTH_REQUESTED, TLS_AUTH_VERIFY };

/* Rows of the table: the first two messages, then one row per key exchange
 * and client authentication state (TLS_AUTH_*). */
enum {
    SHAPE_INITIAL,
    SHAPE_RSA,
    SHAPE_DHE,
    SHAPE_RSA_CR,
    SHAPE_DHE_CR,
    SHAPE_RSA_CV,
    SHAPE_DHE_CV,
};
#define SHAPE_LEN 14

/* Called by the hello handlers once the suite is known: picks the
 * handshake row for kx (a server that verifies clients asks for a
 * certificate). */
void tls_set_shape(hsb_tls_conn *c, const hsb_tls_kx *kx);
/* Moves the conn to client authentication state auth (TLS_AUTH_*): the row
 * changes, the messages already done stay where they are. */
void tls_set_auth(hsb_tls_conn *c, int auth);
/* The peer's handshake message of type `type` arrived where a was due: the
 * action to read it with when the protocol lets it stand there (a
 * server's CertificateRequest before ServerHelloDone, RFC 5246 7.3; the row
 * changes), else NULL (unexpected_message). */
const tls_action *tls_branch(hsb_tls_conn *c, const tls_action *a, uint8_t type);

/* Write our message a (its handler fills the body) into the output. */
hsb_rc tls_write_hs(hsb_tls_conn *c, const tls_action *a);
/* Read the peer's message a (or ChangeCipherSpec) and hand it to a's
 * handler; HSB_E_WOULD_BLOCK until the whole message has arrived. */
hsb_rc tls_read_msg(hsb_tls_conn *c, const tls_action *a);

/* ---- errors (tls_error.c) and life (tls_conn.c) */

/* Fail the current step with alert (or TLS_ALERT_DEFAULT, TLS_ALERT_NONE), code rc and
 * a message; returns rc for `return tls_fail(...)`. */
hsb_rc tls_fail(hsb_tls_conn *c, int alert, hsb_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* End the connection with rc: send the alert the failure calls for (best
 * effort), record the one-line error, wipe the secrets. Returns the code the
 * conn failed with (a dead conn keeps its first one). */
hsb_rc tls_die(hsb_tls_conn *c, hsb_rc rc);
/* Wipe the master secret and key block. */
void tls_wipe_secrets(hsb_tls_conn *c);

/* ---- messages (tls_hello.c, tls_cert.c, tls_finished.c) */
hsb_rc tls_client_hello_write(hsb_tls_conn *c, hsb_stuffer *out);
hsb_rc tls_client_hello_read(hsb_tls_conn *c, hsb_stuffer *in);
hsb_rc tls_server_hello_write(hsb_tls_conn *c, hsb_stuffer *out);
hsb_rc tls_server_hello_read(hsb_tls_conn *c, hsb_stuffer *in);
hsb_rc tls_server_cert_write(hsb_tls_conn *c, hsb_stuffer *out);
hsb_rc tls_server_cert_read(hsb_tls_conn *c, hsb_stuffer *in);
hsb_rc tls_server_key_write(hsb_tls_conn *c, hsb_stuffer *out);
hsb_rc tls_server_key_read(hsb_tls_conn *c, hsb_stuffer *in);
hsb_rc tls_server_done_write(hsb_tls_conn *c, hsb_stuffer *out);
hsb_rc tls_server_done_read(hsb_tls_conn *c, hsb_stuffer *in);
hsb_rc tls_cert_request_write(hsb_tls_conn *c, hsb_stuffer *out);
hsb_rc tls_cert_request_read(hsb_tls_conn *c, hsb_stuffer *in);
hsb_rc tls_client_cert_write(hsb_tls_conn *c, hsb_stuffer *out);
hsb_rc tls_client_cert_read(hsb_tls_conn *c, hsb_stuffer *in);
hsb_rc tls_cert_verify_write(hsb_tls_conn *c, hsb_stuffer *out);
hsb_rc tls_cert_verify_read(hsb_tls_conn *c, hsb_stuffer *in);
/* A digitally-signed element (RFC 5246 4.7) with our key (thr->rsa_priv):
 * rsa_pkcs1_sha256, then RSASSA-PKCS1-v1_5 over hash on the backend. */
hsb_rc tls_write_signature(hsb_tls_conn *c, hsb_stuffer *out, const uint8_t hash[32]);
/* A digitally-signed element (RFC 5246 4.7) that must end in: the
 * SignatureAndHashAlgorithm, which must be rsa_pkcs1_sha256, the one pair we
 * name (else illegal_parameter, as OpenSSL), then signature<1..2^16-1>,
 * RSASSA-PKCS1-v1_5 over hash by the peer's key (c->peer_pub) on the
 * backend (else decrypt_error, RFC 5246 7.2.2); malformed: decode_error.
 * what names the message in errors. */
hsb_rc tls_read_signature(hsb_tls_conn *c, hsb_stuffer *in, const uint8_t hash[32],
                          const char *what);
hsb_rc tls_client_key_write(hsb_tls_conn *c, hsb_stuffer *out);
hsb_rc tls_client_key_read(hsb_tls_conn *c, hsb_stuffer *in);
hsb_rc tls_finished_write(hsb_tls_conn *c, hsb_stuffer *out);
hsb_rc tls_finished_read(hsb_tls_conn *c, hsb_stuffer *in);

/* ---- asynchronous public-key steps (tls_pk.c) */
/* Ops by tag and stages, each a bit of tls_pk.done. A handler that runs
 * several ops keeps the output of every op but its last in conn memory
 * that outlives the stop (an op that already ran returns HSB_OK and
 * writes nothing when its handler runs again). */
enum {
    TLS_PK_KEYGEN = 0,  /* DH keygen: out is c->pk.pub */
    TLS_PK_CHECK = 1,   /* DH check of the peer's value */
    TLS_PK_DERIVE = 2,  /* DH derive */
    TLS_PK_SIGN = 3,    /* RSA private op of a signature */
    TLS_PK_DECRYPT = 4, /* RSA private op on the premaster */
    /* stages: work before an op that must not run twice */
    TLS_PK_STAGE_FALLBACK = 8, /* the substitute premaster is drawn */
    TLS_PK_STAGE_VERIFIED = 9, /* the ServerKeyExchange signature checked */
    TLS_PK_STAGE_GROUP = 10,   /* the client's DH context holds the server's group */
};
/* The raw RSA private op with our key (thr->rsa_priv): out = in^d mod n,
 * len = n_len. Run now, or (async) handed out: HSB_E_PENDING. */
hsb_rc tls_pk_rsa(hsb_tls_conn *c, unsigned tag, uint8_t *out, const uint8_t *in, size_t len);
/* A DH op on c->dh, as the dh class's keygen / derive / check (policy). */
hsb_rc tls_pk_dh(hsb_tls_conn *c, unsigned tag, hsb_dh_job_kind kind, uint8_t *out, size_t out_len,
                 const uint8_t *in, size_t in_len, hsb_dh_check policy);
/* 1 when stage s of the current message is to run now (and marks it run);
 * 0 when it ran before the conn stopped. Without async: always 1. */
int tls_pk_stage(hsb_tls_conn *c, unsigned s);
/* The current message is done: forget its ops and stages. */
void tls_pk_next(hsb_tls_conn *c);
/* A new handshake (the config's async_pk), and the wipe of its buffers. */
void tls_pk_reset(hsb_tls_conn *c);
void tls_pk_wipe(hsb_tls_conn *c);

/* ---- key schedule (tls_finished.c) */
/* master_secret from premaster (wiped by the caller), then the key block. */
hsb_rc tls_derive_keys(hsb_tls_conn *c, const uint8_t *premaster, size_t len);
/* With extended_master_secret, the master secret and key block once the
 * transcript holds ClientKeyExchange (and nothing after it: RFC 7627 4);
 * the handshake driver calls it right after that message, both roles. */
hsb_rc tls_finish_master(hsb_tls_conn *c);
/* Switch the write (or read) direction to the negotiated keys. */
hsb_rc tls_activate_write(hsb_tls_conn *c);
hsb_rc tls_activate_read(hsb_tls_conn *c);

/* ---- record layer (tls_record.c) */
/* Write a record header for a body of len bytes at p. */
void tls_put_header(uint8_t p[TLS_HEADER_LEN], uint8_t type, size_t len);
/* Append a record of type with data (sealed when write protection is on). */
hsb_rc tls_record_write(hsb_tls_conn *c, uint8_t type, const uint8_t *data, size_t len);
/* Bytes free at the end of the output buffer. */
size_t tls_out_free(const hsb_tls_conn *c);
/* Push pending output to the transport. */
hsb_rc tls_flush(hsb_tls_conn *c);
/* Read and open the next record: *type and its plaintext at in[*off..*off+*len);
 * *rec_end is where the record ends in `in` (consume with tls_in_consume). */
hsb_rc tls_record_read(hsb_tls_conn *c, uint8_t *type, size_t *off, size_t *len, size_t *rec_end);
void tls_in_consume(hsb_tls_conn *c, size_t rec_end);
/* Send a fatal alert (best effort, never fails). */
void tls_send_alert(hsb_tls_conn *c, uint8_t level, uint8_t desc);
/* Process an alert record's 2 bytes: close_notify or fatal -> error. */
hsb_rc tls_handle_alert(hsb_tls_conn *c, const uint8_t *p, size_t len);

/* ---- certificates (tls_cert.c) */
void tls_anchor_free(tls_anchor *a);
hsb_rc tls_anchor_init(tls_anchor *a, X509 *x);
/* The RSA public key (n, e, big-endian, no leading zeros) of x, pointing into
 * x's own encoding; HSB_E_CERT when x's key is not RSA. */
hsb_rc tls_x509_rsa_key(X509 *x, const uint8_t **n, size_t *n_len, const uint8_t **e,
                        size_t *e_len);
/* Is p (len bytes) exactly one DER DistinguishedName (libcrypto parses it,
 * inside the X.509 probe)? */
int tls_dn_parses(const uint8_t *p, size_t len);
/* Append x's subject, as a DistinguishedName<1..2^16-1>, to the server's
 * certificate_authorities (cfg->ca_names). */
hsb_rc tls_ca_name_add(hsb_tls_config *cfg, X509 *x);

/* ---- extensions (tls_ext.c): encrypt_then_mac (RFC 7366),
 * extended_master_secret (RFC 7627), server_name as a server reads it
 * (RFC 6066 3). */
/* Client: append our offers to ClientHello's extension list. */
hsb_rc tls_ext_client_offer(hsb_tls_conn *c, hsb_stuffer *out);
/* Server: one ClientHello extension; *known = 0 when it is not one of
 * tls_ext.c's (the caller handles or ignores it). */
hsb_rc tls_ext_client_hello(hsb_tls_conn *c, uint16_t type, hsb_stuffer *data, int *known);
/* Server: append the answers to ServerHello's extension list. */
hsb_rc tls_ext_server_answer(hsb_tls_conn *c, hsb_stuffer *out);
/* Client: one ServerHello extension; *known = 0 when not one of ours. */
hsb_rc tls_ext_server_hello(hsb_tls_conn *c, uint16_t type, hsb_stuffer *data, int *known);
/* The master secret by RFC 7627 4: PRF(pre_master_secret, "extended master
 * secret", session_hash)[0..47], session_hash = the transcript through
 * ClientKeyExchange. */
hsb_rc tls_ext_ems_master(hsb_tls_conn *c, const uint8_t *premaster, size_t len);
/* EtM record seal and open (tls_etm.c, RFC 7366 3); tls_record.c calls
 * them instead of MAC-then-encrypt when c->etm is set. */
/* seal: the record body (IV, ciphertext, MAC) of data (len bytes, may
 * alias out) at out, *body bytes. open: p is the body (len bytes); on
 * success the plaintext is at p + TLS_IV_LEN, *plen bytes; every failure
 * is HSB_E_DECRYPT. */
hsb_rc tls_etm_seal(hsb_tls_conn *c, uint8_t type, uint8_t *out, const uint8_t *data, size_t len,
                    size_t *body);
hsb_rc tls_etm_open(hsb_tls_conn *c, uint8_t type, uint8_t *p, size_t len, size_t *plen);
/* The MAC header: seq_num(8) || type || version || length (RFC 5246 6.2.3.1). */
void tls_mac_header(uint8_t h[13], uint64_t seq, uint8_t type, size_t len);
/* AES-128-GCM records (tls_gcm.c, RFC 5288 3, RFC 5246 6.2.3.3). seal: the
 * body (explicit nonce, ciphertext, tag) of data (len bytes) at out,
 * *body bytes. open: p is the body (len bytes); on success the plaintext is
 * at p + TLS_GCM_EXPLICIT_LEN, *plen bytes; every failure is HSB_E_DECRYPT. */
hsb_rc tls_gcm_seal(hsb_tls_conn *c, uint8_t type, uint8_t *out, const uint8_t *data, size_t len,
                    size_t *body);
hsb_rc tls_gcm_open(hsb_tls_conn *c, uint8_t type, uint8_t *p, size_t len, size_t *plen);
/* Bytes of the key block the suite uses (RFC 5246 6.3, RFC 5288 3). */
size_t tls_key_block_len(const hsb_tls_conn *c);

/* The transcript hash so far, without ending it. */
hsb_rc tls_transcript_hash(hsb_tls_conn *c, uint8_t out[32]);

/* Raise a buffer's high-water mark to end. */
static inline void tls_used(size_t *hw, size_t end)
{
    if (end > *hw) *hw = end;
}

#endif
