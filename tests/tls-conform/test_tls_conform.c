/*
 * Server conformance regressions (issue 12, items 1-7): a peer sends exactly
 * the bytes a conformance suite sends, and the server must answer as RFC 5246
 * (and OpenSSL 3.0's s_server) does. Each row names the offending bytes (built
 * here, deterministically, by the functions below), the answer expected (an
 * alert, or a TLS 1.2 ServerHello), and then the same server conn must serve
 * a clean handshake with data both ways and close_notify.
 *
 * Rows run on the compositions openssl, pk=gmp and native, under each key
 * exchange the row names. The man in the middle is tests/tls-neg's harness:
 * our own client starts each connection and the row's tamper puts its bytes
 * on the wire in place of (or before) one of the client's records.
 *
 * Usage: test_tls_conform [--item N] [--comp SPEC] [--verbose]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "hsb_tls_test.h"
#include "neg_harness.h"

#define NONE (-1)
#define KX_RSA HSB_TLS_KX_RSA
#define KX_DHE HSB_TLS_KX_DHE
#define KX_BOTH HSB_TLS_KX_ALL

/* The client's records in a full handshake (RFC 5246 7.3). */
enum { C_HELLO = 0, C_CKE = 1, C_CCS = 2, C_FIN = 3 };

/* The largest ClientHello body RFC 5246 7.4.1.2 allows: version(2),
 * random(32), session_id<0..32>, cipher_suites<2..2^16-2>,
 * compression_methods<1..2^8-1>, extensions<0..2^16-1>. */
#define MAX_CH_BODY (2 + 32 + 1 + 32 + 2 + 65534 + 1 + 255 + 2 + 65535)

static int verbose;
static int failures, passes, skips;

/* ------------------------------------------------------------ the bytes */

/* The offending bytes of the current row, put on the wire in place of the
 * client's record `craft_idx` (or before it when craft_before is set). */
static uint8_t craft[MAX_CH_BODY + 4 + 64 * 5 + 80000];
static size_t craft_len;
static unsigned craft_idx;
static int craft_before;
/* The server's first record as the wire saw it, and the client's
 * ClientKeyExchange record (plaintext), kept for the rows that need them. */
static uint8_t s_first[64];
static size_t s_first_len;
static uint8_t c_cke[2048];
static size_t c_cke_len;
/* Alert records the server sent (their type is visible even when sealed). */
static unsigned s_alerts;

static void t_craft(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len,
                    neg_wire *out)
{
    if (dir == S2C && rec[0] == RT_ALERT) s_alerts++;
    if (dir == S2C && idx == 0) {
        s_first_len = len < sizeof s_first ? len : sizeof s_first;
        memcpy(s_first, rec, s_first_len);
    }
    if (dir == C2S && idx == C_CKE && len <= sizeof c_cke) {
        memcpy(c_cke, rec, len);
        c_cke_len = len;
    }
    if (dir != C2S || idx != craft_idx || craft_len == 0) {
        wire_put(out, rec, len);
        return;
    }
    r->hit = 1;
    wire_put(out, craft, craft_len);
    if (craft_before) wire_put(out, rec, len);
}

/* Cut the handshake message msg (header included) into plaintext records of
 * at most frag bytes with record version rv, appended to craft. */
static void craft_records(const uint8_t *msg, size_t len, size_t frag, uint16_t rv)
{
    for (size_t off = 0; off < len; off += frag) {
        size_t k = len - off < frag ? len - off : frag;
        uint8_t h[5] = {RT_HANDSHAKE, (uint8_t)(rv >> 8), (uint8_t)rv, (uint8_t)(k >> 8),
                        (uint8_t)k};
        memcpy(craft + craft_len, h, 5);
        memcpy(craft + craft_len + 5, msg + off, k);
        craft_len += 5 + k;
    }
}

/* A ClientHello, described by what a conformance suite varies. */
typedef struct hello_spec {
    uint16_t version;     /* client_version (0: {3,3}) */
    uint16_t rec_version; /* record-layer version (0: 0x0301, as clients send) */
    size_t frag;          /* record size (0: 2^14) */
    size_t sid_len;       /* session_id bytes */
    size_t extra_suites;  /* suites we lack, offered before ours */
    size_t extra_comp;    /* compression methods besides null (1..) */
    size_t sigalgs;       /* signature_algorithms entries, rsa_pkcs1_sha256 last (0: 1) */
    size_t unknown_exts;  /* empty extensions of unassigned types */
    size_t pad;           /* padding extension (RFC 7685) bytes (0: none) */
    int suites_len_delta; /* added to the cipher_suites length field */
    size_t body_len_over; /* 0, or: the header claims this body length */
} hello_spec;

static size_t put_u16(uint8_t *p, size_t v)
{
    put_be(p, (uint32_t)v, 2);
    return 2;
}

static size_t hello_exts(const hello_spec *s, uint8_t *p)
{
    size_t n = 2, algs = s->sigalgs ? s->sigalgs : 1;
    n += put_u16(p + n, 0x000d);
    n += put_u16(p + n, 2 + 2 * algs);
    n += put_u16(p + n, 2 * algs);
    for (size_t i = 0; i + 1 < algs; i++) n += put_u16(p + n, 0x0800 + (i % 256));
    n += put_u16(p + n, 0x0401);
    for (size_t i = 0; i < s->unknown_exts; i++) {
        n += put_u16(p + n, 0x4000 + i);
        n += put_u16(p + n, 0);
    }
    if (s->pad) {
        n += put_u16(p + n, 0x0015);
        n += put_u16(p + n, s->pad);
        memset(p + n, 0, s->pad);
        n += s->pad;
    }
    put_u16(p, n - 2);
    return n;
}

/* The ClientHello of spec s, as records, into craft. */
static void craft_hello(const hello_spec *s)
{
    static uint8_t m[sizeof craft];
    size_t n = 4;
    n += put_u16(m + n, s->version ? s->version : 0x0303);
    for (int i = 0; i < 32; i++) m[n++] = (uint8_t)(0xa0 + i);
    m[n++] = (uint8_t)s->sid_len;
    for (size_t i = 0; i < s->sid_len; i++) m[n++] = (uint8_t)i;
    size_t suites = 2 * (s->extra_suites + 3);
    n += put_u16(m + n, (size_t)((long)suites + s->suites_len_delta));
    for (size_t i = 0; i < s->extra_suites; i++) n += put_u16(m + n, 0xc100 + (i % 0x3e00));
    n += put_u16(m + n, 0x0067);
    n += put_u16(m + n, 0x003c);
    n += put_u16(m + n, 0x00ff);
    m[n++] = (uint8_t)(1 + s->extra_comp);
    for (size_t i = 0; i < s->extra_comp; i++) m[n++] = (uint8_t)(1 + i);
    m[n++] = 0;
    n += hello_exts(s, m + n);
    m[0] = HS_CLIENT_HELLO;
    put_be(m + 1, (uint32_t)(s->body_len_over ? s->body_len_over : n - 4), 3);
    craft_len = 0;
    craft_idx = C_HELLO;
    craft_before = 0;
    craft_records(m, n, s->frag ? s->frag : HSB_TLS_MAX_PLAINTEXT,
                  s->rec_version ? s->rec_version : 0x0301);
}

/* Unset fields: client_version {3,3}, one signature algorithm, no padding. */
#define HELLO(...) ((hello_spec){__VA_ARGS__})

/* ------------------------------------------------------------ the rows */

/* What the server must do. */
typedef enum want {
    W_SERVER_HELLO, /* answer with a TLS 1.2 ServerHello (items 1, 2) */
    W_ALERT,        /* die at `step` sending `alert` */
    W_OK,           /* the handshake completes (controls) */
} want;

typedef struct row {
    int item;
    const char *name;
    unsigned kxs;
    unsigned bits; /* 0: 2048 */
    void (*make)(const struct row *w, neg_run *r);
    long param;
    want want;
    int alert;
    const char *step;
    /* for rows that act after the handshake (item 3) */
    int (*after)(const struct row *w, neg_run *r, char *why, size_t n);
} row;

static const hello_spec hello_specs[] = {
    /* item 1: higher versions (RFC 5246 E.1) */
    HELLO(.version = 0x0304), HELLO(.version = 0x0401), HELLO(.version = 0x0603),
    HELLO(.version = 0xfefe), HELLO(.rec_version = 0x0304), HELLO(.rec_version = 0x0401),
    HELLO(.version = 0xfefe, .rec_version = 0xfefe),
    /* item 2: large ClientHellos */
    HELLO(.pad = 40000), HELLO(.pad = 40000, .frag = 100), HELLO(.unknown_exts = 600),
    HELLO(.sigalgs = 32000),
    HELLO(.sid_len = 32, .extra_suites = 32764, .extra_comp = 254,
          .pad = 65535 - 8 - 4), /* every field at its maximum: MAX_CH_BODY */
    HELLO(.extra_suites = 32764, .pad = 60000, .frag = 1000),
    /* item 2: over the bound */
    HELLO(.body_len_over = MAX_CH_BODY + 1), HELLO(.body_len_over = 1u << 20),
    /* item 7: decode before judging */
    HELLO(.suites_len_delta = 2, .pad = 253), HELLO(.suites_len_delta = -2, .pad = 253),
    HELLO(.suites_len_delta = 1, .frag = 0),
    HELLO(.version = 0x0302, .suites_len_delta = 2, .pad = 253),
    HELLO(.version = 0x0302), /* control: a well-formed old hello */
};

static void mk_hello(const row *w, neg_run *r)
{
    (void)r;
    craft_hello(&hello_specs[w->param]);
}

/* Item 4: the client's ChangeCipherSpec record replaced. */
static void mk_ccs(const row *w, neg_run *r)
{
    (void)r;
    static const uint8_t bodies[][8] = {
        {RT_CCS, 3, 3, 0, 1, 2},
        {RT_CCS, 3, 3, 0, 2, 1, 1},
        {RT_CCS, 3, 3, 0, 0},
        {RT_CCS, 3, 3, 0, 1, 0},
    };
    static const size_t lens[] = {6, 7, 5, 6};
    memcpy(craft, bodies[w->param], lens[w->param]);
    craft_len = lens[w->param];
    craft_idx = C_CCS;
    craft_before = 0;
}

/* Item 5: param warning alerts (user_canceled) before the client's record
 * param2 (ClientHello, or ClientKeyExchange when param >= 100000). */
static void mk_warnings(const row *w, neg_run *r)
{
    (void)r;
    long n = w->param % 100000;
    static const uint8_t warn[7] = {RT_ALERT, 3, 3, 0, 2, 1, HSB_TLS_ALERT_USER_CANCELED};
    for (long i = 0; i < n; i++) memcpy(craft + 7 * i, warn, 7);
    craft_len = 7 * (size_t)n;
    craft_idx = w->param >= 100000 ? C_CKE : C_HELLO;
    craft_before = 1;
}

/* Item 6: the EncryptedPreMasterSecret replaced (RSA). */
enum { PM_ZERO, PM_MODULUS, PM_MODULUS_PLUS_1, PM_ALL_FF, PM_SHORT_ZERO, PM_ONE_ZERO, PM_EMPTY };

static size_t pm_bytes(long v, EVP_PKEY *pub, uint8_t *ct, size_t k)
{
    BIGNUM *n = NULL;
    if (v == PM_MODULUS || v == PM_MODULUS_PLUS_1) {
        EVP_PKEY_get_bn_param(pub, "n", &n);
        if (v == PM_MODULUS_PLUS_1) BN_add_word(n, 1);
        BN_bn2binpad(n, ct, (int)k);
        BN_free(n);
        return k;
    }
    memset(ct, v == PM_ALL_FF ? 0xff : 0, k);
    return v == PM_SHORT_ZERO ? k - 1 : v == PM_ONE_ZERO ? 1 : v == PM_EMPTY ? 0 : k;
}

static void mk_pm(const row *w, neg_run *r)
{
    EVP_PKEY *pub = X509_get0_pubkey(r->sv->certs->chain[0]);
    size_t k = (size_t)EVP_PKEY_get_size(pub);
    uint8_t ct[600];
    size_t ct_len = pm_bytes(w->param, pub, ct, k);
    uint8_t m[4 + 2 + sizeof ct];
    m[0] = HS_CLIENT_KEY_EXCHANGE;
    put_be(m + 1, (uint32_t)(2 + ct_len), 3);
    put_be(m + 4, (uint32_t)ct_len, 2);
    memcpy(m + 6, ct, ct_len);
    craft_len = 0;
    craft_records(m, 6 + ct_len, HSB_TLS_MAX_PLAINTEXT, 0x0303);
    craft_idx = C_CKE;
    craft_before = 0;
}

/* Item 3: a handshake message from the client after the handshake. */
enum { AFTER_CKE, AFTER_FINISHED, AFTER_CERT, AFTER_HELLO_REQUEST, AFTER_TYPE_99, AFTER_CH };

static size_t after_msg(long v, uint8_t *m)
{
    static const uint8_t fin[16] = {HS_FINISHED, 0, 0, 12};
    static const uint8_t cert[7] = {HS_CERTIFICATE, 0, 0, 3, 0, 0, 0};
    static const uint8_t hr[4] = {HS_HELLO_REQUEST, 0, 0, 0};
    static const uint8_t t99[4] = {99, 0, 0, 0};
    switch (v) {
    case AFTER_CKE: /* the very ClientKeyExchange the client sent */
        memcpy(m, c_cke + 5, c_cke_len - 5);
        return c_cke_len - 5;
    case AFTER_FINISHED:
        memcpy(m, fin, sizeof fin);
        return sizeof fin;
    case AFTER_CERT:
        memcpy(m, cert, sizeof cert);
        return sizeof cert;
    case AFTER_HELLO_REQUEST:
        memcpy(m, hr, sizeof hr);
        return sizeof hr;
    case AFTER_TYPE_99:
        memcpy(m, t99, sizeof t99);
        return sizeof t99;
    default: {
        hello_spec h = HELLO(.rec_version = 0x0303);
        craft_hello(&h);
        memcpy(m, craft + 5, craft_len - 5);
        craft_len = 0;
        return get_be(m + 1, 3) + 4;
    }
    }
}

static int wrote_ok(neg_run *r, int side, const char *what, char *why, size_t n)
{
    size_t got = 0;
    if (neg_write(r, side, what, strlen(what)) != HSB_OK || neg_read(r, side ^ 1, &got) != HSB_OK ||
        got != strlen(what)) {
        snprintf(why, n, "data did not pass: %s / %s", hsb_tls_conn_error(r->cl->conn),
                 hsb_tls_conn_error(r->sv->conn));
        return 0;
    }
    return 1;
}

static int after_hs_msg(const row *w, neg_run *r, char *why, size_t n)
{
    static uint8_t m[HSB_TLS_MAX_PLAINTEXT];
    if (!r->done[0] || !r->done[1]) {
        snprintf(why, n, "handshake failed: %s", hsb_tls_conn_error(r->sv->conn));
        return 0;
    }
    size_t len = after_msg(w->param, m);
    hsb_tls_conn *cl = r->cl->conn, *sv = r->sv->conn;
    if (hsb_tls_conn_test_write_record(cl, RT_HANDSHAKE, m, len) != HSB_OK) {
        snprintf(why, n, "could not send: %s", hsb_last_error());
        return 0;
    }
    s_alerts = 0;
    neg_pump(r);
    (void)neg_read(r, SIDE_S, NULL);
    (void)neg_read(r, SIDE_C, NULL);
    if (w->want == W_OK) {
        /* RFC 5246 7.2.2: the refusal is one warning alert (no_renegotiation;
         * sealed, so only its record type shows here); both ends live on */
        if (hsb_tls_conn_rc(sv) != HSB_OK || hsb_tls_conn_rc(cl) != HSB_OK || s_alerts != 1) {
            snprintf(why, n, "want one warning alert and both ends alive; %u alerts: %s / %s",
                     s_alerts, hsb_tls_conn_error(cl), hsb_tls_conn_error(sv));
            return 0;
        }
        return wrote_ok(r, SIDE_C, "ping", why, n) && wrote_ok(r, SIDE_S, "pong", why, n);
    }
    if (hsb_tls_conn_rc(sv) == HSB_OK || hsb_tls_conn_alert_sent(sv) != w->alert ||
        hsb_tls_conn_alert_received(cl) != w->alert) {
        snprintf(why, n, "server %s, sent alert %d, client got %d (want fatal %d)",
                 hsb_tls_conn_rc(sv) == HSB_OK ? "alive" : "dead", hsb_tls_conn_alert_sent(sv),
                 hsb_tls_conn_alert_received(cl), w->alert);
        return 0;
    }
    return 1;
}

#define A(x) HSB_TLS_ALERT_##x
#define ROW_HELLO(item, name, i, want, alert)                                                      \
    {                                                                                              \
        item, name, KX_BOTH, 0, mk_hello, i, want, alert, "ClientHello", NULL                      \
    }
static const row rows[] = {
    ROW_HELLO(1, "client_version {3,4}", 0, W_SERVER_HELLO, NONE),
    ROW_HELLO(1, "client_version {4,1}", 1, W_SERVER_HELLO, NONE),
    ROW_HELLO(1, "client_version {6,3}", 2, W_SERVER_HELLO, NONE),
    ROW_HELLO(1, "client_version {254,254}", 3, W_SERVER_HELLO, NONE),
    ROW_HELLO(1, "record-layer version {3,4}", 4, W_SERVER_HELLO, NONE),
    ROW_HELLO(1, "record-layer version {4,1}", 5, W_SERVER_HELLO, NONE),
    ROW_HELLO(1, "client_version and record version {254,254}", 6, W_SERVER_HELLO, NONE),
    ROW_HELLO(2, "40000-byte padding extension, 3 records", 7, W_SERVER_HELLO, NONE),
    ROW_HELLO(2, "40000-byte padding extension, 100-byte records", 8, W_SERVER_HELLO, NONE),
    ROW_HELLO(2, "600 extensions", 9, W_SERVER_HELLO, NONE),
    ROW_HELLO(2, "32000 signature_algorithms", 10, W_SERVER_HELLO, NONE),
    ROW_HELLO(2, "largest legal ClientHello (131396 bytes)", 11, W_SERVER_HELLO, NONE),
    ROW_HELLO(2, "32767 suites + 60000 padding, 1000-byte records", 12, W_SERVER_HELLO, NONE),
    ROW_HELLO(2, "ClientHello length 131397 (over the bound)", 13, W_ALERT, A(ILLEGAL_PARAMETER)),
    ROW_HELLO(2, "ClientHello length 1 MiB", 14, W_ALERT, A(ILLEGAL_PARAMETER)),
    ROW_HELLO(7, "cipher_suites length +2 (no null compression after it)", 15, W_ALERT,
              A(DECODE_ERROR)),
    ROW_HELLO(7, "cipher_suites length -2", 16, W_ALERT, A(DECODE_ERROR)),
    ROW_HELLO(7, "cipher_suites length odd", 17, W_ALERT, A(DECODE_ERROR)),
    ROW_HELLO(7, "client_version {3,2} and cipher_suites length +2", 18, W_ALERT, A(DECODE_ERROR)),
    ROW_HELLO(7, "control: well-formed client_version {3,2}", 19, W_ALERT, A(PROTOCOL_VERSION)),
    {3, "ClientKeyExchange again after Finished", KX_BOTH, 0, NULL, AFTER_CKE, W_ALERT,
     A(UNEXPECTED_MESSAGE), NULL, after_hs_msg},
    {3, "Finished after Finished", KX_BOTH, 0, NULL, AFTER_FINISHED, W_ALERT, A(UNEXPECTED_MESSAGE),
     NULL, after_hs_msg},
    {3, "Certificate after Finished", KX_RSA, 0, NULL, AFTER_CERT, W_ALERT, A(UNEXPECTED_MESSAGE),
     NULL, after_hs_msg},
    {3, "HelloRequest from the client", KX_RSA, 0, NULL, AFTER_HELLO_REQUEST, W_ALERT,
     A(UNEXPECTED_MESSAGE), NULL, after_hs_msg},
    {3, "handshake type 99 after Finished", KX_RSA, 0, NULL, AFTER_TYPE_99, W_ALERT,
     A(UNEXPECTED_MESSAGE), NULL, after_hs_msg},
    {3, "control: ClientHello after Finished (warning no_renegotiation)", KX_BOTH, 0, NULL,
     AFTER_CH, W_OK, NONE, NULL, after_hs_msg},
    {4, "ChangeCipherSpec value 2", KX_BOTH, 0, mk_ccs, 0, W_ALERT, A(UNEXPECTED_MESSAGE),
     "client ChangeCipherSpec", NULL},
    {4, "ChangeCipherSpec of two bytes 01 01", KX_BOTH, 0, mk_ccs, 1, W_ALERT,
     A(UNEXPECTED_MESSAGE), "client ChangeCipherSpec", NULL},
    {4, "empty ChangeCipherSpec", KX_BOTH, 0, mk_ccs, 2, W_ALERT, A(UNEXPECTED_MESSAGE),
     "client ChangeCipherSpec", NULL},
    {4, "ChangeCipherSpec value 0", KX_RSA, 0, mk_ccs, 3, W_ALERT, A(UNEXPECTED_MESSAGE),
     "client ChangeCipherSpec", NULL},
    {5, "10000 warning alerts before ClientHello", KX_BOTH, 0, mk_warnings, 10000, W_ALERT,
     A(UNEXPECTED_MESSAGE), "ClientHello", NULL},
    {5, "5 warning alerts before ClientHello", KX_RSA, 0, mk_warnings, 5, W_ALERT,
     A(UNEXPECTED_MESSAGE), "ClientHello", NULL},
    {5, "5 warning alerts before ClientKeyExchange", KX_BOTH, 0, mk_warnings, 100005, W_ALERT,
     A(UNEXPECTED_MESSAGE), "ClientKeyExchange", NULL},
    {5, "control: 4 warning alerts before ClientHello", KX_BOTH, 0, mk_warnings, 4, W_OK, NONE,
     NULL, NULL},
    {6, "EncryptedPreMasterSecret all zero (2048)", KX_RSA, 2048, mk_pm, PM_ZERO, W_ALERT,
     A(BAD_RECORD_MAC), "client Finished", NULL},
    {6, "EncryptedPreMasterSecret all zero (3072)", KX_RSA, 3072, mk_pm, PM_ZERO, W_ALERT,
     A(BAD_RECORD_MAC), "client Finished", NULL},
    {6, "EncryptedPreMasterSecret all zero (4096)", KX_RSA, 4096, mk_pm, PM_ZERO, W_ALERT,
     A(BAD_RECORD_MAC), "client Finished", NULL},
    {6, "EncryptedPreMasterSecret = n (2048)", KX_RSA, 2048, mk_pm, PM_MODULUS, W_ALERT,
     A(BAD_RECORD_MAC), "client Finished", NULL},
    {6, "EncryptedPreMasterSecret = n (3072)", KX_RSA, 3072, mk_pm, PM_MODULUS, W_ALERT,
     A(BAD_RECORD_MAC), "client Finished", NULL},
    {6, "EncryptedPreMasterSecret = n (4096)", KX_RSA, 4096, mk_pm, PM_MODULUS, W_ALERT,
     A(BAD_RECORD_MAC), "client Finished", NULL},
    {6, "EncryptedPreMasterSecret = n + 1", KX_RSA, 2048, mk_pm, PM_MODULUS_PLUS_1, W_ALERT,
     A(BAD_RECORD_MAC), "client Finished", NULL},
    {6, "EncryptedPreMasterSecret all 0xff", KX_RSA, 2048, mk_pm, PM_ALL_FF, W_ALERT,
     A(BAD_RECORD_MAC), "client Finished", NULL},
    {6, "EncryptedPreMasterSecret k-1 zero bytes", KX_RSA, 2048, mk_pm, PM_SHORT_ZERO, W_ALERT,
     A(BAD_RECORD_MAC), "client Finished", NULL},
    {6, "EncryptedPreMasterSecret one zero byte", KX_RSA, 2048, mk_pm, PM_ONE_ZERO, W_ALERT,
     A(BAD_RECORD_MAC), "client Finished", NULL},
    {6, "EncryptedPreMasterSecret empty", KX_RSA, 2048, mk_pm, PM_EMPTY, W_ALERT, A(BAD_RECORD_MAC),
     "client Finished", NULL},
};

/* ------------------------------------------------------------ runner */

#define MAX_ENDS 64
typedef struct cached_end {
    int used, state;
    hsb_tls_role role;
    const char *comp;
    unsigned kx, bits;
    neg_end e;
} cached_end;
static cached_end ends[MAX_ENDS];

static neg_end *get_end(hsb_tls_role role, const char *comp, unsigned kx, unsigned bits, int *state)
{
    for (int i = 0; i < MAX_ENDS; i++) {
        cached_end *c = &ends[i];
        if (c->used && c->role == role && c->comp == comp && c->kx == kx && c->bits == bits) {
            *state = c->state;
            return c->state == 1 ? &c->e : NULL;
        }
    }
    for (int i = 0; i < MAX_ENDS; i++) {
        cached_end *c = &ends[i];
        if (c->used) continue;
        const hsb_cert_set *certs;
        *state = 0;
        if (hsb_certgen_get(bits, HSB_CERT_GOOD, &certs) != HSB_OK) return NULL;
        *c = (cached_end){.used = 1, .role = role, .comp = comp, .kx = kx, .bits = bits};
        c->state = neg_end_setup(&c->e, role, comp, kx, certs, 0);
        *state = c->state;
        return c->state == 1 ? &c->e : NULL;
    }
    *state = 0;
    return NULL;
}

static neg_run R;

/* The server's first record: a plaintext TLS 1.2 ServerHello. */
static int saw_server_hello(char *why, size_t n)
{
    if (s_first_len < 11 || s_first[0] != RT_HANDSHAKE || s_first[5] != HS_SERVER_HELLO ||
        get_be(s_first + 1, 2) != 0x0303 || get_be(s_first + 9, 2) != 0x0303) {
        snprintf(why, n,
                 "no TLS 1.2 ServerHello: first record %02x %02x%02x, message %02x %02x%02x",
                 s_first[0], s_first[1], s_first[2], s_first[5], s_first[9], s_first[10]);
        return 0;
    }
    return 1;
}

static int judge(const row *w, neg_run *r, char *why, size_t n)
{
    hsb_tls_conn *sv = r->sv->conn;
    const char *step = hsb_tls_conn_failed_step(sv);
    switch (w->want) {
    case W_SERVER_HELLO:
        if (hsb_tls_conn_rc(sv) != HSB_OK && step && !strcmp(step, "ClientHello")) {
            snprintf(why, n, "server refused the hello: %s", hsb_tls_conn_error(sv));
            return 0;
        }
        return saw_server_hello(why, n);
    case W_OK:
        if (r->done[0] && r->done[1]) return 1;
        snprintf(why, n, "handshake failed: %s / %s", hsb_tls_conn_error(r->cl->conn),
                 hsb_tls_conn_error(sv));
        return 0;
    default:
        if (hsb_tls_conn_rc(sv) != HSB_OK && hsb_tls_conn_alert_sent(sv) == w->alert && step &&
            !strcmp(step, w->step))
            return 1;
        snprintf(why, n, "want %s at %s; server: %s (alert %d)", hsb_tls_alert_name(w->alert),
                 w->step, hsb_tls_conn_rc(sv) == HSB_OK ? "no failure" : hsb_tls_conn_error(sv),
                 hsb_tls_conn_alert_sent(sv));
        return 0;
    }
}

static int run_row(const row *w, neg_end *cl, neg_end *sv, char *why, size_t n)
{
    neg_run *r = &R;
    craft_len = s_first_len = c_cke_len = 0;
    memset(s_first, 0, sizeof s_first);
    neg_run_start(r, cl, sv, t_craft, w->param);
    r->tamper_alerts = 1;
    if (w->make) w->make(w, r);
    neg_handshake(r);
    if (w->after) return w->after(w, r, why, n);
    neg_settle(r);
    if (r->harness[0]) {
        snprintf(why, n, "harness: %s", r->harness);
        return 0;
    }
    if (w->make && !r->hit) {
        snprintf(why, n, "the tamper never fired");
        return 0;
    }
    return judge(w, r, why, n);
}

/* A clean connection on the row's server conn: handshake, data, close. */
static int control(neg_end *cl, neg_end *sv, char *why, size_t n)
{
    neg_run *r = &R;
    craft_len = 0;
    neg_run_start(r, cl, sv, NULL, 0);
    neg_handshake(r);
    if (!r->done[0] || !r->done[1]) {
        snprintf(why, n, "clean handshake afterwards failed: %s / %s", hsb_tls_conn_error(cl->conn),
                 hsb_tls_conn_error(sv->conn));
        return 0;
    }
    if (!wrote_ok(r, SIDE_C, "ping", why, n) || !wrote_ok(r, SIDE_S, "pong", why, n)) return 0;
    size_t got = 0;
    if (hsb_tls_close(cl->conn) != HSB_OK || neg_read(r, SIDE_S, &got) != HSB_OK ||
        hsb_tls_conn_alert_received(sv->conn) != HSB_TLS_ALERT_CLOSE_NOTIFY) {
        snprintf(why, n, "close_notify afterwards: %s", hsb_tls_conn_error(sv->conn));
        return 0;
    }
    return 1;
}

static void run_one(const row *w, const char *comp, unsigned kx)
{
    unsigned bits = w->bits ? w->bits : 2048;
    int s1, s2;
    neg_end *cl = get_end(HSB_TLS_CLIENT, comp, kx, bits, &s1);
    neg_end *sv = get_end(HSB_TLS_SERVER, comp, kx, bits, &s2);
    char label[200], why[600] = "";
    snprintf(label, sizeof label, "[%d %s %s] %s", w->item, comp, kx == KX_RSA ? "rsa" : "dhe",
             w->name);
    if (s1 == -1 || s2 == -1) {
        printf("SKIP %s: composition lacks a class\n", label);
        skips++;
        return;
    }
    int ok = cl && sv && run_row(w, cl, sv, why, sizeof why);
    if (!cl || !sv) snprintf(why, sizeof why, "setup failed");
    if (ok && !control(cl, sv, why, sizeof why)) ok = 0;
    printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", label, ok ? "" : ": ", ok ? "" : why);
    if (ok)
        passes++;
    else
        failures++;
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int only = 0;
    const char *comp_only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--item") && i + 1 < argc)
            only = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--comp") && i + 1 < argc)
            comp_only = argv[++i];
        else if (!strcmp(argv[i], "--verbose"))
            verbose = 1;
        else {
            fprintf(stderr, "usage: %s [--item 1..7] [--comp openssl|pk=gmp|native]\n", argv[0]);
            return 2;
        }
    }
    static const char *const comps[] = {"openssl", "pk=gmp", "native"};
    static const unsigned kxs[] = {KX_RSA, KX_DHE};
    time_t t0 = time(NULL);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (only && rows[i].item != only) continue;
        for (size_t m = 0; m < 3; m++) {
            if (comp_only && strcmp(comp_only, comps[m]) != 0) continue;
            for (size_t k = 0; k < 2; k++)
                if (rows[i].kxs & kxs[k]) run_one(&rows[i], comps[m], kxs[k]);
        }
    }
    for (int i = 0; i < MAX_ENDS; i++)
        if (ends[i].used && ends[i].state == 1) neg_end_free(&ends[i].e);
    printf("%d passed, %d skipped, %d failed (%ld s)\n", passes, skips, failures,
           (long)(time(NULL) - t0));
    return passes == 0 || failures ? 1 : 0;
}
