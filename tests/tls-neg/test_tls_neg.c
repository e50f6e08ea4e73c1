/*
 * Negative tests of the TLS 1.2 core, table-driven: every row names what a
 * man in the middle changes (or what an end is configured with), which end
 * must fail, at which step, with which alert. Each row runs for every key
 * exchange it applies to and on the compositions "openssl" and "pk=gmp";
 * sweeps (a bit flip per bit of a record, a truncation per length) run one
 * connection per parameter. After each row a clean handshake on the same
 * conns must still succeed (a failed connection never spoils the next one).
 *
 * Usage: test_tls_neg [--group NAME] [--mac etm|mte] [--quick] [--verbose]
 *   groups: flips, records, hello, certs, kx (default: all)
 *   --mac: the MAC order of the record groups (flips, records), which run
 *   in both orders by default: encrypt-then-MAC (RFC 7366, negotiated by
 *   default) and MAC-then-encrypt (both ends with encrypt_then_mac off)
 *   --quick: bit-flip sweeps take every 11th bit past the record header
 *   (they always do under DHE, whose handshakes cost ~6x those of RSA)
 *
 * Alerts asserted here follow RFC 5246 (7.2.2 for alert meanings, 6.2 for
 * records, 7.4 for handshake messages, 7.4.7.1 for the RSA premaster, RFC
 * 7919 / SP 800-56A for DH public values); where the RFC leaves the choice
 * open the row says which choice the core made and why it is sensible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "hsb_dh_groups.h"
#include "hsb_tls_test.h"
#include "neg_harness.h"

#define NONE (-1)
#define A_UNEXPECTED HSB_TLS_ALERT_UNEXPECTED_MESSAGE
#define A_BAD_MAC HSB_TLS_ALERT_BAD_RECORD_MAC
#define A_OVERFLOW HSB_TLS_ALERT_RECORD_OVERFLOW
#define A_HS_FAIL HSB_TLS_ALERT_HANDSHAKE_FAILURE
#define A_BAD_CERT HSB_TLS_ALERT_BAD_CERTIFICATE
#define A_EXPIRED HSB_TLS_ALERT_CERTIFICATE_EXPIRED
#define A_ILLEGAL HSB_TLS_ALERT_ILLEGAL_PARAMETER
#define A_UNKNOWN_CA HSB_TLS_ALERT_UNKNOWN_CA
#define A_DECODE HSB_TLS_ALERT_DECODE_ERROR
#define A_DECRYPT HSB_TLS_ALERT_DECRYPT_ERROR
#define A_VERSION HSB_TLS_ALERT_PROTOCOL_VERSION
#define A_INTERNAL HSB_TLS_ALERT_INTERNAL_ERROR
#define A_UNSUP_EXT HSB_TLS_ALERT_UNSUPPORTED_EXTENSION

#define KX_RSA HSB_TLS_KX_RSA
#define KX_DHE HSB_TLS_KX_DHE
#define KX_BOTH HSB_TLS_KX_ALL

/* Who must fail. */
enum { OK_BOTH = 1, FAIL_C, FAIL_S };

/* What a run should end with. */
typedef struct expect {
    int who;          /* OK_BOTH, FAIL_C, FAIL_S */
    int alert;        /* alert the failing end sends (NONE: none) */
    const char *step; /* its failed step, NULL: not checked */
    hsb_rc rc;        /* its code, HSB_OK: not checked */
    int recv;         /* alert it must have received, NONE: not checked */
} expect;

struct neg_case;
typedef int (*edit_fn)(neg_run *r, hs_msgs *m);
typedef int (*app_fn)(neg_run *r);
typedef void (*expect_fn)(neg_run *r, const struct neg_case *c, expect *e);

typedef struct neg_case {
    const char *group;
    const char *name;
    unsigned kxs;      /* key exchanges the row runs under */
    unsigned ckx, skx; /* 0: the run's kx */
    hsb_cert_variant cert;
    unsigned copts;
    unsigned xopts; /* NEG_OPT_NO_ETM / _NO_EMS for both ends */
    /* the man in the middle: a record tamper, or an edit of the handshake
     * messages in record (tdir, tidx) */
    neg_tamper_fn tamper;
    edit_fn edit;
    int tdir;
    unsigned tidx;
    long param;
    long sweep; /* > 0: run params param .. sweep-1 (a tamper may skip some) */
    app_fn app; /* after both handshakes: application data */
    expect e;
    expect_fn efn; /* computes e per parameter (sweeps) */
    int (*custom)(neg_run *r, const struct neg_case *c, char *why, size_t why_len);
} neg_case;

static int verbose, quick;
static int failures, passes, skips;
static const char *cur_comp;
static unsigned cur_kx;
/* NEG_OPT_NO_ETM while a record group runs MAC-then-encrypt; both ends */
static unsigned mac_opts;

/* ------------------------------------------------------------------ ends */

#define MAX_ENDS 160
typedef struct cached_end {
    int used;
    hsb_tls_role role;
    const char *spec;
    unsigned kx;
    hsb_cert_variant v;
    unsigned opts;
    int state; /* 1 ok, 0 failed, -1 unavailable */
    neg_end e;
} cached_end;
static cached_end ends[MAX_ENDS];

static neg_end *get_end(hsb_tls_role role, const char *spec, unsigned kx, hsb_cert_variant v,
                        unsigned opts, int *state)
{
    for (int i = 0; i < MAX_ENDS; i++) {
        cached_end *c = &ends[i];
        if (c->used && c->role == role && c->spec == spec && c->kx == kx && c->v == v &&
            c->opts == opts) {
            *state = c->state;
            return c->state == 1 ? &c->e : NULL;
        }
    }
    for (int i = 0; i < MAX_ENDS; i++) {
        cached_end *c = &ends[i];
        if (c->used) continue;
        const hsb_cert_set *certs;
        if (hsb_certgen_get(2048, v, &certs) != HSB_OK) {
            fprintf(stderr, "certgen %s: %s\n", hsb_cert_variant_name(v), hsb_last_error());
            *state = 0;
            return NULL;
        }
        *c = (cached_end){.used = 1, .role = role, .spec = spec, .kx = kx, .v = v, .opts = opts};
        c->state = neg_end_setup(&c->e, role, spec, kx, certs, opts);
        *state = c->state;
        return c->state == 1 ? &c->e : NULL;
    }
    fprintf(stderr, "too many ends\n");
    *state = 0;
    return NULL;
}

static void free_ends(void)
{
    for (int i = 0; i < MAX_ENDS; i++)
        if (ends[i].used && ends[i].state == 1) neg_end_free(&ends[i].e);
}

/* ------------------------------------------------------ record tampers */

/* Record numbers per direction in a full handshake (RFC 5246 7.3): the
 * client sends ClientHello, ClientKeyExchange, ChangeCipherSpec, Finished,
 * then application data; the server sends its whole flight (ServerHello ..
 * ServerHelloDone) in one record, ChangeCipherSpec, Finished, then data. */
enum { C_HELLO = 0, C_CKE = 1, C_CCS = 2, C_FIN = 3, C_APP = 4 };
enum { S_FLIGHT = 0, S_CCS = 1, S_FIN = 2, S_APP = 3 };

static uint8_t scratch[2 * HSB_TLS_MAX_RECORD + 1024];

/* The row whose tamper is running (set by the runner). */
static const neg_case *cur_case;

/* Flip bit r->param of the target record. A flipped length that now says
 * more than was sent is followed by that many zero bytes (an attacker can
 * always send more), so the receiver never just waits. */
static void t_flip(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len, neg_wire *out)
{
    if (dir != cur_case->tdir || idx != cur_case->tidx) {
        wire_put(out, rec, len);
        return;
    }
    size_t bit = (size_t)r->param;
    if (bit >= len * 8) {
        r->skip = 1;
        wire_put(out, rec, len);
        return;
    }
    r->hit = 1;
    r->orig_len = len;
    memcpy(r->orig, rec, len < sizeof r->orig ? len : sizeof r->orig);
    memcpy(scratch, rec, len);
    scratch[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    size_t newlen = get_be(scratch + 3, 2), out_len = len;
    if (5 + newlen > len && newlen <= HSB_TLS_MAX_RECORD - 5) {
        memset(scratch + len, 0, 5 + newlen - len);
        out_len = 5 + newlen;
    }
    wire_put(out, scratch, out_len);
}

/* What RFC 5246 calls for when bit r->param of a protected record flips:
 *  - type (6.2.1): not a known content type -> unexpected_message (6:
 *    "MUST send an unexpected_message alert"); another known type -> the MAC
 *    covers the type (6.2.3.1) -> bad_record_mac;
 *  - version: 0x0303 is fixed once ServerHello is done; any other value is
 *    refused as protocol_version (what OpenSSL sends too; the MAC covers the
 *    version as well, so bad_record_mac would also be defensible);
 *  - length: over 2^14 + 2048 -> record_overflow (6.2.3); otherwise the
 *    record is cut in the wrong place or padded with our zeros: it does not
 *    decrypt and verify -> bad_record_mac (6.2.3.2);
 *  - IV, ciphertext, MAC, padding -> bad_record_mac (6.2.3.2: padding and MAC
 *    failures give the same alert). */
static void e_flip(neg_run *r, const neg_case *c, expect *e)
{
    size_t bit = (size_t)r->param, byte = bit / 8;
    int alert = A_BAD_MAC;
    hsb_rc rc = HSB_E_DECRYPT;
    if (byte == 0) {
        unsigned t = r->orig[0] ^ (1u << (bit % 8));
        if (t < RT_CCS || t > RT_APPDATA) alert = A_UNEXPECTED, rc = HSB_E_PROTOCOL;
    } else if (byte == 1 || byte == 2) {
        alert = A_VERSION, rc = HSB_E_PROTOCOL;
    } else if (byte == 3 || byte == 4) {
        size_t nl = get_be(r->orig + 3, 2) ^ (1u << (8 * (4 - byte) + bit % 8));
        if (nl > HSB_TLS_MAX_RECORD - 5) alert = A_OVERFLOW, rc = HSB_E_PROTOCOL;
    }
    *e = c->e;
    e->alert = alert;
    e->rc = rc;
}

static void t_replay(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len,
                     neg_wire *out)
{
    wire_put(out, rec, len);
    if (dir == cur_case->tdir && idx == cur_case->tidx) {
        r->hit = 1;
        wire_put(out, rec, len);
    }
}

static void t_drop(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len, neg_wire *out)
{
    if (dir == cur_case->tdir && idx == cur_case->tidx)
        r->hit = 1;
    else
        wire_put(out, rec, len);
}

/* Swap the target record with the next one in its direction. */
static void t_swap(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len, neg_wire *out)
{
    if (dir == cur_case->tdir && idx == cur_case->tidx) {
        memcpy(r->held, rec, len);
        r->held_len = len;
        return;
    }
    wire_put(out, rec, len);
    if (dir == cur_case->tdir && idx == cur_case->tidx + 1 && r->held_len) {
        r->hit = 1;
        wire_put(out, r->held, r->held_len);
        r->held_len = 0;
    }
}

/* Replace the target record's header byte(s): param = (offset << 16) | value
 * for a one-byte change (offset 0), or the record version (offset 1). */
static void t_header(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len,
                     neg_wire *out)
{
    if (dir != cur_case->tdir || idx != cur_case->tidx) {
        wire_put(out, rec, len);
        return;
    }
    r->hit = 1;
    memcpy(scratch, rec, len);
    unsigned off = (unsigned)(r->param >> 16), v = (unsigned)(r->param & 0xffff);
    if (off == 0)
        scratch[0] = (uint8_t)v;
    else
        put_be(scratch + 1, v, 2);
    wire_put(out, scratch, len);
}

/* Put a plaintext record before the target: param = (type << 16) | body byte;
 * body length 5 ("hello") for appdata, 2 for alerts (level, desc from param
 * bits 8..15 and 0..7), 0 for an empty handshake record (type 22, body 0). */
static void t_before(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len,
                     neg_wire *out)
{
    if (dir == cur_case->tdir && idx == cur_case->tidx) {
        r->hit = 1;
        uint8_t type = (uint8_t)(r->param >> 16);
        if (type == RT_APPDATA) wire_record(out, type, 0x0303, "hello", 5);
        if (type == RT_HANDSHAKE) wire_record(out, type, 0x0303, "", 0);
        if (type == RT_ALERT) {
            uint8_t a[2] = {(uint8_t)(r->param >> 8), (uint8_t)r->param};
            wire_record(out, type, 0x0303, a, 2);
        }
    }
    wire_put(out, rec, len);
}

/* Replace the target record by an alert (param = level << 8 | desc); param
 * bit 16: also end the stream there (the end vanishes). */
static void t_replace_alert(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len,
                            neg_wire *out)
{
    if (dir != cur_case->tdir || idx != cur_case->tidx) {
        wire_put(out, rec, len);
        return;
    }
    r->hit = 1;
    uint8_t a[2] = {(uint8_t)(r->param >> 8), (uint8_t)r->param};
    wire_record(out, RT_ALERT, 0x0303, a, 2);
}

/* Drop the target record and end the stream: the peer vanished. */
static void t_vanish(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len,
                     neg_wire *out)
{
    if (dir != cur_case->tdir || idx != cur_case->tidx) {
        wire_put(out, rec, len);
        return;
    }
    r->hit = 1;
    hsb_mem_queue_shut(dir == C2S ? hsb_mem_pair_to_server(&r->pair)
                                  : hsb_mem_pair_to_client(&r->pair));
}

/* The target plaintext record's body replaced: param 0: CCS value 2, 1: CCS
 * of two bytes. */
static void t_ccs_body(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len,
                       neg_wire *out)
{
    if (dir != cur_case->tdir || idx != cur_case->tidx || rec[0] != RT_CCS) {
        wire_put(out, rec, len);
        return;
    }
    r->hit = 1;
    static const uint8_t two[1] = {2}, one_one[2] = {1, 1};
    if (r->param == 0)
        wire_record(out, RT_CCS, 0x0303, two, 1);
    else
        wire_record(out, RT_CCS, 0x0303, one_one, 2);
}

/* Split the target plaintext record into two records at param bytes of body
 * (a legal fragmentation, RFC 5246 6.2.1), or one record per handshake
 * message when param is 0. */
static hs_msgs M;
static void t_fragment(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len,
                       neg_wire *out)
{
    if (dir != cur_case->tdir || idx != cur_case->tidx) {
        wire_put(out, rec, len);
        return;
    }
    r->hit = 1;
    if (r->param > 0) {
        size_t body = len - 5, k = (size_t)r->param < body ? (size_t)r->param : body / 2;
        wire_record(out, rec[0], 0x0303, rec + 5, k);
        wire_record(out, rec[0], 0x0303, rec + 5 + k, body - k);
        return;
    }
    if (!hs_parse(rec, len, &M)) {
        neg_harness_error(r, "fragment: not a handshake record");
        wire_put(out, rec, len);
        return;
    }
    for (size_t i = 0; i < M.n; i++) {
        uint8_t mh[4] = {M.type[i]};
        put_be(mh + 1, (uint32_t)M.len[i], 3);
        memcpy(scratch, mh, 4);
        memcpy(scratch + 4, M.body[i], M.len[i]);
        wire_record(out, RT_HANDSHAKE, 0x0303, scratch, 4 + M.len[i]);
    }
}

/* Apply c->edit to the handshake messages of the target record. The edit
 * returns 1 (changed), 0 (does not apply for this param: skip) or -1 (the
 * record is not what the row expects). */
static void t_edit(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len, neg_wire *out)
{
    if (dir != cur_case->tdir || idx != cur_case->tidx) {
        wire_put(out, rec, len);
        return;
    }
    if (!hs_parse(rec, len, &M)) {
        neg_harness_error(r, "edit: record %d/%u is not plaintext handshake", dir, idx);
        wire_put(out, rec, len);
        return;
    }
    int rc = cur_case->edit(r, &M);
    if (rc < 0) {
        neg_harness_error(r, "edit: message not found in record %d/%u", dir, idx);
        wire_put(out, rec, len);
        return;
    }
    if (rc == 0) {
        r->skip = 1;
        wire_put(out, rec, len);
        return;
    }
    r->hit = 1;
    size_t total = 0;
    for (size_t i = 0; i < M.n; i++) total += 4 + M.len[i];
    if (total <= HSB_TLS_MAX_PLAINTEXT) {
        hs_emit(&M, out);
        return;
    }
    /* A message too large for one record: fragments of 2^14. */
    size_t off = 0;
    for (size_t i = 0; i < M.n; i++) {
        scratch[off] = M.type[i];
        put_be(scratch + off + 1, (uint32_t)M.len[i], 3);
        memcpy(scratch + off + 4, M.body[i], M.len[i]);
        off += 4 + M.len[i];
    }
    for (size_t p = 0; p < off; p += HSB_TLS_MAX_PLAINTEXT) {
        size_t k = off - p < HSB_TLS_MAX_PLAINTEXT ? off - p : HSB_TLS_MAX_PLAINTEXT;
        wire_record(out, RT_HANDSHAKE, 0x0303, scratch + p, k);
    }
}

/* --------------------------------------------------- message edits */

#define MSG(type)                                                                                  \
    int mi_ = hs_find(m, (type));                                                                  \
    if (mi_ < 0) return -1;                                                                        \
    uint8_t *b = m->body[mi_];                                                                     \
    size_t *len = &m->len[mi_];                                                                    \
    (void)b;                                                                                       \
    (void)len

enum {
    CH_SUITES_ODD,
    CH_SUITES_EMPTY,
    CH_SUITES_OVERRUN,
    CH_SID_33,
    CH_COMP_EMPTY,
    CH_COMP_NO_NULL,
    CH_TRAILING,
    CH_EXTS_LONG,
    CH_EXTS_SHORT,
    CH_EXT_DUP,
    CH_EXT_OVERRUN,
    CH_VERSION_OLD,
    CH_TYPE_99,
    CH_TYPE_SH,
    CH_LEN_LONG_MORE, /* header says 10 more; 10 bytes follow in another record */
    CH_LEN_SHORT,     /* header says 10 less; those bytes start a "next message" */
    CH_LEN_HUGE,      /* header says 1 MiB */
    CH_HUGE,          /* a real 40000-byte ClientHello (padding extension) */
    CH_NO_COMMON,
    CH_NO_SIGALGS,
    CH_RENEG_NONEMPTY,
    CH_EXT_UNKNOWN,
    CH_SNI_CHANGED,
    CH_RANDOM,
    /* server_name bodies (RFC 6066 3), from sni_bodies[] */
    CH_SNI_FIRST,
    CH_SNI_LAST = CH_SNI_FIRST + 8,
    CH_ETM_NONEMPTY,
    CH_EMS_NONEMPTY,
    CH_ETM_DUP,
};

/* Malformed ServerNameList bodies (the extension's data), indexed by
 * param - CH_SNI_FIRST: empty data; an empty list; a name of type 1; an
 * empty host name; two host names; the list length one past the data; a
 * byte after the list; the host name's length past the list; a NUL-free
 * host_name followed by a type-1 name. */
static const struct {
    size_t len;
    uint8_t b[16];
} sni_bodies[] = {
    {0, {0}},
    {2, {0, 0}},
    {8, {0, 6, 1, 0, 3, 'a', 'b', 'c'}},
    {5, {0, 3, 0, 0, 0}},
    {14, {0, 12, 0, 0, 3, 'a', 'b', 'c', 0, 0, 3, 'd', 'e', 'f'}},
    {8, {0, 7, 0, 0, 3, 'a', 'b', 'c'}},
    {9, {0, 6, 0, 0, 3, 'a', 'b', 'c', 0}},
    {8, {0, 6, 0, 0, 4, 'a', 'b', 'c'}},
    {10, {0, 8, 0, 0, 1, 'a', 1, 0, 1, 'b'}},
};
_Static_assert(sizeof sni_bodies / sizeof sni_bodies[0] == CH_SNI_LAST - CH_SNI_FIRST + 1,
               "one body per parameter");

/* Replace the data of extension t (at e) with n bytes of p. */
static void ext_set_data(uint8_t *b, size_t *len, const ch_layout *l, size_t e, const void *p,
                         size_t n)
{
    size_t old = get_be(b + e + 2, 2);
    body_delete(b, len, e + 4, old);
    body_insert(b, len, e + 4, p, n);
    put_be(b + e + 2, (uint32_t)n, 2);
    put_be(b + l->exts, (uint32_t)(get_be(b + l->exts, 2) - old + n), 2);
}

/* The extension edits of ed_ch: 1 done, -1 not applicable. */
static int ed_ch_ext(neg_run *r, uint8_t *b, size_t *len, const ch_layout *l)
{
    if (r->param >= CH_SNI_FIRST && r->param <= CH_SNI_LAST) {
        size_t e = ext_find(b, *len, l->exts, 0x0000);
        if (!e) return -1;
        long i = r->param - CH_SNI_FIRST;
        ext_set_data(b, len, l, e, sni_bodies[i].b, sni_bodies[i].len);
        return 1;
    }
    uint16_t t = r->param == CH_EMS_NONEMPTY ? 0x0017 : 0x0016;
    size_t e = ext_find(b, *len, l->exts, t);
    if (!e) return -1;
    if (r->param == CH_ETM_DUP) {
        static const uint8_t etm[] = {0x00, 0x16, 0x00, 0x00};
        body_insert(b, len, *len, etm, sizeof etm);
        put_be(b + l->exts, get_be(b + l->exts, 2) + sizeof etm, 2);
    } else {
        ext_set_data(b, len, l, e, "\0", 1);
    }
    return 1;
}

static int ed_ch(neg_run *r, hs_msgs *m)
{
    MSG(HS_CLIENT_HELLO);
    ch_layout l;
    if (!ch_parse(b, *len, &l) || !l.has_exts) return -1;
    switch (r->param) {
    case CH_SUITES_ODD: {
        /* drop the last byte of the list and say so: an odd length */
        size_t sl = get_be(b + l.suites, 2);
        body_delete(b, len, l.suites + 2 + sl - 1, 1);
        put_be(b + l.suites, (uint32_t)(sl - 1), 2);
        return 1;
    }
    case CH_SUITES_EMPTY: {
        size_t sl = get_be(b + l.suites, 2);
        body_delete(b, len, l.suites + 2, sl);
        put_be(b + l.suites, 0, 2);
        return 1;
    }
    case CH_SUITES_OVERRUN:
        put_be(b + l.suites, 0xfff0, 2);
        return 1;
    case CH_SID_33: {
        uint8_t sid[33];
        memset(sid, 0x5a, sizeof sid);
        body_insert(b, len, l.sid + 1, sid, sizeof sid);
        b[l.sid] = 33;
        return 1;
    }
    case CH_COMP_EMPTY:
        body_delete(b, len, l.comp + 1, b[l.comp]);
        b[l.comp] = 0;
        return 1;
    case CH_COMP_NO_NULL:
        b[l.comp + 1] = 1;
        return 1; /* [deflate] */
    case CH_TRAILING:
        body_insert(b, len, *len, "\0", 1);
        return 1;
    case CH_EXTS_LONG:
        put_be(b + l.exts, get_be(b + l.exts, 2) + 1, 2);
        return 1;
    case CH_EXTS_SHORT:
        put_be(b + l.exts, get_be(b + l.exts, 2) - 1, 2);
        return 1;
    case CH_EXT_DUP: {
        size_t e = ext_find(b, *len, l.exts, 0x000d);
        if (!e) return -1;
        size_t el = 4 + get_be(b + e + 2, 2);
        uint8_t copy[64];
        if (el > sizeof copy) return -1;
        memcpy(copy, b + e, el);
        body_insert(b, len, *len, copy, el);
        put_be(b + l.exts, get_be(b + l.exts, 2) + (uint32_t)el, 2);
        return 1;
    }
    case CH_EXT_OVERRUN: {
        /* the last extension's length runs past the block */
        size_t e = ext_find(b, *len, l.exts, 0xff01);
        if (!e) return -1;
        put_be(b + e + 2, get_be(b + e + 2, 2) + 5, 2);
        return 1;
    }
    case CH_VERSION_OLD:
        put_be(b, 0x0302, 2);
        return 1;
    case CH_TYPE_99:
        m->type[mi_] = 99;
        return 1;
    case CH_TYPE_SH:
        m->type[mi_] = HS_SERVER_HELLO;
        return 1;
    case CH_NO_COMMON: {
        size_t sl = get_be(b + l.suites, 2);
        body_delete(b, len, l.suites + 2, sl);
        static const uint8_t others[] = {0x00, 0x2f, 0xc0, 0x2f, 0x00, 0x9c};
        body_insert(b, len, l.suites + 2, others, sizeof others);
        put_be(b + l.suites, sizeof others, 2);
        return 1;
    }
    case CH_NO_SIGALGS: {
        size_t e = ext_find(b, *len, l.exts, 0x000d);
        if (!e) return -1;
        size_t el = 4 + get_be(b + e + 2, 2);
        body_delete(b, len, e, el);
        put_be(b + l.exts, get_be(b + l.exts, 2) - (uint32_t)el, 2);
        return 1;
    }
    case CH_RENEG_NONEMPTY: {
        size_t e = ext_find(b, *len, l.exts, 0xff01);
        if (!e || get_be(b + e + 2, 2) != 1) return -1;
        /* renegotiated_connection<0..255> = 12 bytes of a "previous" Finished */
        static const uint8_t prev[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        b[e + 4] = 12;
        body_insert(b, len, e + 5, prev, sizeof prev);
        put_be(b + e + 2, 13, 2);
        put_be(b + l.exts, get_be(b + l.exts, 2) + 12, 2);
        return 1;
    }
    case CH_EXT_UNKNOWN: {
        static const uint8_t ext[] = {0x12, 0x34, 0x00, 0x02, 0xab, 0xcd};
        body_insert(b, len, *len, ext, sizeof ext);
        put_be(b + l.exts, get_be(b + l.exts, 2) + sizeof ext, 2);
        return 1;
    }
    case CH_SNI_CHANGED: {
        size_t e = ext_find(b, *len, l.exts, 0x0000);
        if (!e) return -1;
        size_t el = get_be(b + e + 2, 2);
        b[e + 4 + el - 1] ^= 0x01; /* last letter of the host name */
        return 1;
    }
    case CH_RANDOM:
        b[2 + 31] ^= 0x80;
        return 1;
    default:
        return r->param > CH_RANDOM ? ed_ch_ext(r, b, len, &l) : -1;
    }
}

/* ClientHello header edits and the huge ClientHello, on the raw record. */
static void t_ch_raw(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len,
                     neg_wire *out)
{
    if (dir != C2S || idx != C_HELLO || rec[0] != RT_HANDSHAKE || rec[5] != HS_CLIENT_HELLO) {
        wire_put(out, rec, len);
        return;
    }
    r->hit = 1;
    size_t ml = get_be(rec + 6, 3);
    memcpy(scratch, rec, len);
    switch (r->param) {
    case CH_LEN_LONG_MORE: {
        put_be(scratch + 6, (uint32_t)(ml + 10), 3);
        wire_put(out, scratch, len);
        static const uint8_t ten[10];
        wire_record(out, RT_HANDSHAKE, 0x0303, ten, sizeof ten);
        break;
    }
    case CH_LEN_SHORT:
        put_be(scratch + 6, (uint32_t)(ml - 10), 3);
        wire_put(out, scratch, len);
        break;
    case CH_LEN_HUGE:
        put_be(scratch + 6, 1u << 20, 3);
        wire_put(out, scratch, len);
        break;
    case CH_HUGE: {
        /* the ClientHello plus a 40000-byte padding extension, 3 records */
        static uint8_t msg[48 * 1024];
        size_t body = len - 9;
        ch_layout l;
        memcpy(msg, rec + 5, len - 5);
        if (!ch_parse(msg + 4, body, &l) || !l.has_exts) {
            neg_harness_error(r, "huge ClientHello: no extensions");
            wire_put(out, rec, len);
            return;
        }
        size_t pad = 40000;
        put_be(msg + 4 + body, 0x0015, 2);
        put_be(msg + 4 + body + 2, (uint32_t)pad, 2);
        memset(msg + 4 + body + 4, 0, pad);
        body += 4 + pad;
        put_be(msg + 4 + l.exts, (uint32_t)(get_be(msg + 4 + l.exts, 2) + 4 + pad), 2);
        put_be(msg + 1, (uint32_t)body, 3);
        for (size_t p = 0; p < 4 + body; p += HSB_TLS_MAX_PLAINTEXT) {
            size_t k = 4 + body - p < HSB_TLS_MAX_PLAINTEXT ? 4 + body - p : HSB_TLS_MAX_PLAINTEXT;
            wire_record(out, RT_HANDSHAKE, 0x0303, msg + p, k);
        }
        break;
    }
    case 1000: { /* a plaintext record of 2^14 + 1 bytes */
        static uint8_t big[HSB_TLS_MAX_PLAINTEXT + 1];
        memset(big, 0, sizeof big);
        memcpy(big, rec + 5, len - 5);
        wire_record(out, RT_HANDSHAKE, 0x0303, big, sizeof big);
        break;
    }
    default:
        wire_put(out, rec, len);
    }
}

/* Truncate the ClientHello body to r->param bytes (header fixed). The one
 * length that leaves a well-formed hello (all of it but the extensions) is
 * skipped: it is not malformed. */
static int ed_ch_trunc(neg_run *r, hs_msgs *m)
{
    MSG(HS_CLIENT_HELLO);
    ch_layout l;
    if (!ch_parse(b, *len, &l)) return -1;
    size_t n = (size_t)r->param;
    if (n >= *len || n == l.exts) return 0;
    *len = n;
    return 1;
}

enum {
    SH_SUITE_UNKNOWN,
    SH_SUITE_OTHER,
    SH_VERSION_OLD,
    SH_COMP,
    SH_EXT_UNSOLICITED,
    SH_EXT_DUP,
    SH_RENEG_NONEMPTY,
    SH_TRAILING,
    SH_TYPE_99,
    SH_SID_ADDED,
    SH_RANDOM,
    SH_HELLO_REQUEST,
    SH_HELLO_REQUEST_BODY,
    SH_ETM_NONEMPTY,
    SH_ETM_STRIPPED,
    SH_EMS_ADDED,
    SH_ETM_ADDED,
};

/* The encrypt_then_mac / extended_master_secret edits of ed_sh. */
static int ed_sh_ext(neg_run *r, uint8_t *b, size_t *len, const sh_layout *l)
{
    if (!l->has_exts) return -1;
    if (r->param == SH_EMS_ADDED || r->param == SH_ETM_ADDED) {
        uint8_t ext[] = {0x00, r->param == SH_EMS_ADDED ? 0x17 : 0x16, 0x00, 0x00};
        if (r->param == SH_ETM_ADDED && ext_find(b, *len, l->exts, 0x0016)) return -1;
        body_insert(b, len, *len, ext, sizeof ext);
        put_be(b + l->exts, get_be(b + l->exts, 2) + sizeof ext, 2);
        return 1;
    }
    size_t e = ext_find(b, *len, l->exts, 0x0016);
    if (!e || get_be(b + e + 2, 2) != 0) return -1;
    if (r->param == SH_ETM_NONEMPTY) {
        body_insert(b, len, e + 4, "\0", 1);
        put_be(b + e + 2, 1, 2);
        put_be(b + l->exts, get_be(b + l->exts, 2) + 1, 2);
    } else {
        body_delete(b, len, e, 4);
        put_be(b + l->exts, get_be(b + l->exts, 2) - 4, 2);
    }
    return 1;
}

static int ed_sh(neg_run *r, hs_msgs *m)
{
    MSG(HS_SERVER_HELLO);
    sh_layout l;
    if (!sh_parse(b, *len, &l)) return -1;
    switch (r->param) {
    case SH_SUITE_UNKNOWN:
        put_be(b + l.suite, 0x002f, 2);
        return 1;
    case SH_SUITE_OTHER:
        put_be(b + l.suite,
               cur_kx == KX_RSA ? HSB_TLS_DHE_RSA_WITH_AES_128_CBC_SHA256
                                : HSB_TLS_RSA_WITH_AES_128_CBC_SHA256,
               2);
        return 1;
    case SH_VERSION_OLD:
        put_be(b, 0x0302, 2);
        return 1;
    case SH_COMP:
        b[l.comp] = 1;
        return 1;
    case SH_EXT_UNSOLICITED:
    case SH_EXT_DUP:
    case SH_RENEG_NONEMPTY: {
        if (!l.has_exts) return -1;
        static const uint8_t ticket[] = {0x00, 0x23, 0x00, 0x00};
        static const uint8_t reneg[] = {0xff, 0x01, 0x00, 0x01, 0x00};
        if (r->param == SH_EXT_UNSOLICITED) {
            body_insert(b, len, *len, ticket, sizeof ticket);
            put_be(b + l.exts, get_be(b + l.exts, 2) + sizeof ticket, 2);
        } else if (r->param == SH_EXT_DUP) {
            body_insert(b, len, *len, reneg, sizeof reneg);
            put_be(b + l.exts, get_be(b + l.exts, 2) + sizeof reneg, 2);
        } else {
            size_t e = ext_find(b, *len, l.exts, 0xff01);
            if (!e) return -1;
            static const uint8_t prev[24] = {1};
            b[e + 4] = 24;
            body_insert(b, len, e + 5, prev, sizeof prev);
            put_be(b + e + 2, 25, 2);
            put_be(b + l.exts, get_be(b + l.exts, 2) + 24, 2);
        }
        return 1;
    }
    case SH_TRAILING:
        body_insert(b, len, *len, "\0", 1);
        return 1;
    case SH_TYPE_99:
        m->type[mi_] = 99;
        return 1;
    case SH_SID_ADDED: {
        uint8_t sid[32];
        memset(sid, 0x42, sizeof sid);
        body_insert(b, len, l.sid + 1, sid, sizeof sid);
        b[l.sid] = 32;
        return 1;
    }
    case SH_RANDOM:
        b[2 + 31] ^= 0x80;
        return 1;
    case SH_HELLO_REQUEST:
        hs_insert(m, (size_t)mi_, HS_HELLO_REQUEST, NULL, 0);
        return 1;
    case SH_HELLO_REQUEST_BODY:
        hs_insert(m, (size_t)mi_, HS_HELLO_REQUEST, (const uint8_t *)"x", 1);
        return 1;
    default:
        return r->param > SH_HELLO_REQUEST_BODY ? ed_sh_ext(r, b, len, &l) : -1;
    }
}

/* Truncate the ServerHello body to r->param bytes (skipping the length that
 * leaves a well-formed hello without extensions). */
static int ed_sh_trunc(neg_run *r, hs_msgs *m)
{
    MSG(HS_SERVER_HELLO);
    sh_layout l;
    if (!sh_parse(b, *len, &l)) return -1;
    size_t n = (size_t)r->param;
    if (n >= *len || n == l.exts) return 0;
    *len = n;
    return 1;
}

enum {
    CERT_EMPTY,
    CERT_GARBAGE,
    CERT_LEN_BAD,
    CERT_TRAILING,
    CERT_DROP_SECOND,
    CERT_TYPE_99,
};

static int ed_cert(neg_run *r, hs_msgs *m)
{
    MSG(HS_CERTIFICATE);
    if (*len < 7) return -1;
    size_t first = get_be(b + 3, 3);
    switch (r->param) {
    case CERT_EMPTY:
        *len = 3;
        put_be(b, 0, 3);
        return 1;
    case CERT_GARBAGE:
        b[6] ^= 0x01;
        return 1; /* SEQUENCE tag 0x30 -> 0x31 */
    case CERT_LEN_BAD:
        put_be(b + 3, (uint32_t)(first + 1), 3);
        return 1;
    case CERT_TRAILING:
        body_insert(b, len, *len, "\0", 1);
        return 1;
    case CERT_DROP_SECOND:
        if (*len <= 6 + first) return -1;
        *len = 6 + first;
        put_be(b, (uint32_t)(3 + first), 3);
        return 1;
    case CERT_TYPE_99:
        m->type[mi_] = 99;
        return 1;
    default:
        return -1;
    }
}

/* --------------------------------------------- DH values and groups */

static const hsb_dh_group *group(void)
{
    return hsb_dh_group_by_name("ffdhe2048");
}

/* big-endian v += d (d small, may be negative), n bytes, no overflow out */
static void be_add(uint8_t *v, size_t n, int d)
{
    int carry = d;
    for (size_t i = n; i-- > 0 && carry != 0;) {
        int s = v[i] + carry;
        v[i] = (uint8_t)(s & 0xff);
        carry = s >> 8; /* arithmetic shift: -1 for a borrow */
        if (s >= 0 && s < 256) carry = 0;
    }
}

enum { Y_ZERO, Y_ONE, Y_P_MINUS_1, Y_P, Y_P_PLUS_1, Y_LONGER, Y_P_MINUS_2, Y_COUNT };

/* A bad public value for the ffdhe2048 group: out gets it, returns its
 * length (p_len, or p_len + 1 for Y_LONGER). */
static size_t bad_y(int which, uint8_t *out)
{
    const hsb_dh_group *g = group();
    size_t n = g->p_len;
    switch (which) {
    case Y_ZERO:
        memset(out, 0, n);
        return n;
    case Y_ONE:
        memset(out, 0, n);
        out[n - 1] = 1;
        return n;
    case Y_LONGER:
        memset(out, 0, n + 1);
        out[0] = 1;
        return n + 1;
    default:
        break;
    }
    memcpy(out, g->p, n);
    if (which == Y_P_MINUS_1) be_add(out, n, -1);
    if (which == Y_P_PLUS_1) be_add(out, n, 1);
    if (which == Y_P_MINUS_2) be_add(out, n, -2);
    return n;
}

/* ServerKeyExchange changes. Those with RS_ are re-signed by the test with
 * the server's key (the signature is good, only the value is bad). */
enum {
    SKE_SIG_FLIP,
    SKE_YS_FLIP,
    SKE_P_FLIP,
    SKE_SIGALG_SHA1,
    SKE_REMOVED,
    SKE_TRUNCATED,
    SKE_SIG_SHORT,
    RS_CONTROL = 100,
    RS_Y = 200, /* + Y_* */
    RS_G_ZERO = 300,
    RS_G_ONE,
    RS_G_P_MINUS_1,
    RS_P_EVEN,
    RS_P_1024,
};

static int resign(neg_run *r, hs_msgs *m, int mi)
{
    uint8_t *b = m->body[mi];
    size_t *len = &m->len[mi];
    ske_layout l;
    if (!ske_parse(b, *len, &l) || !r->have_cr || !r->have_sr) return -1;
    const hsb_dh_group *g = group();
    static uint8_t params[2 * 1024], p[600], gv[600], y[600];
    size_t pl = get_be(b + l.p, 2), gl = get_be(b + l.g, 2), yl = get_be(b + l.ys, 2);
    memcpy(p, b + l.p + 2, pl);
    memcpy(gv, b + l.g + 2, gl);
    memcpy(y, b + l.ys + 2, yl);
    long v = r->param;
    if (v >= RS_Y && v < RS_Y + Y_COUNT) yl = bad_y((int)(v - RS_Y), y);
    if (v == RS_G_ZERO) gv[0] = 0, gl = 1;
    if (v == RS_G_ONE) gv[0] = 1, gl = 1;
    if (v == RS_G_P_MINUS_1) {
        memcpy(gv, g->p, g->p_len);
        gl = g->p_len;
        be_add(gv, gl, -1);
    }
    if (v == RS_P_EVEN) p[pl - 1] &= 0xfe;
    if (v == RS_P_1024) {
        pl = 128;
        p[pl - 1] |= 1;
    }
    size_t off = 0;
    put_be(params + off, (uint32_t)pl, 2);
    memcpy(params + off + 2, p, pl);
    off += 2 + pl;
    put_be(params + off, (uint32_t)gl, 2);
    memcpy(params + off + 2, gv, gl);
    off += 2 + gl;
    put_be(params + off, (uint32_t)yl, 2);
    memcpy(params + off + 2, y, yl);
    off += 2 + yl;
    /* signed = SHA-256(client_random || server_random || params), RFC 5246 7.4.3 */
    static uint8_t tbs[64 + sizeof params];
    memcpy(tbs, r->client_random, 32);
    memcpy(tbs + 32, r->server_random, 32);
    memcpy(tbs + 64, params, off);
    uint8_t sig[1024];
    size_t sig_len = sizeof sig;
    if (!neg_rsa_sign_sha256(r->sv->certs->leaf_key, tbs, 64 + off, sig, &sig_len)) return -1;
    size_t n = 0;
    memcpy(b, params, off);
    n = off;
    b[n++] = 4; /* sha256 */
    b[n++] = 1; /* rsa */
    put_be(b + n, (uint32_t)sig_len, 2);
    memcpy(b + n + 2, sig, sig_len);
    *len = n + 2 + sig_len;
    return 1;
}

static int ed_ske(neg_run *r, hs_msgs *m)
{
    if (r->param == SKE_REMOVED) {
        int i = hs_find(m, HS_SERVER_KEY_EXCHANGE);
        if (i < 0) return -1;
        hs_remove(m, (size_t)i);
        return 1;
    }
    MSG(HS_SERVER_KEY_EXCHANGE);
    ske_layout l;
    if (!ske_parse(b, *len, &l)) return -1;
    switch (r->param) {
    case SKE_SIG_FLIP:
        b[l.sig + 2 + 100] ^= 0x04;
        return 1;
    case SKE_YS_FLIP:
        b[l.ys + 2 + 100] ^= 0x04;
        return 1;
    case SKE_P_FLIP:
        b[l.p + 2 + 200] ^= 0x10;
        return 1;
    case SKE_SIGALG_SHA1:
        b[l.sigalg] = 2;
        return 1;
    case SKE_TRUNCATED:
        *len -= 10;
        return 1;
    case SKE_SIG_SHORT: {
        /* a signature one byte shorter than the modulus (vector consistent) */
        size_t sl = get_be(b + l.sig, 2);
        body_delete(b, len, l.sig + 2, 1);
        put_be(b + l.sig, (uint32_t)(sl - 1), 2);
        return 1;
    }
    default:
        return resign(r, m, mi_);
    }
}

/* The RSA flight with a ServerKeyExchange in it; ServerHelloDone changes. */
enum { FL_SKE_INSERTED, FL_SHD_BODY, FL_SHD_TYPE_99 };
static int ed_flight(neg_run *r, hs_msgs *m)
{
    int d = hs_find(m, HS_SERVER_HELLO_DONE);
    if (d < 0) return -1;
    switch (r->param) {
    case FL_SKE_INSERTED: {
        static const uint8_t junk[16] = {0, 1, 0xff};
        hs_insert(m, (size_t)d, HS_SERVER_KEY_EXCHANGE, junk, sizeof junk);
        return 1;
    }
    case FL_SHD_BODY:
        m->body[d][0] = 0, m->len[d] = 1;
        return 1;
    case FL_SHD_TYPE_99:
        m->type[d] = 99;
        return 1;
    default:
        return -1;
    }
}

/* ClientKeyExchange changes: DHE values (CKE_Y + Y_*), RSA lengths and
 * paddings. The bad paddings are built with raw RSA on the server's key. */
enum {
    CKE_Y = 0, /* + Y_* */
    CKE_Y_EMPTY = 50,
    CKE_TYPE_99,
    CKE_RSA_SHORT = 100,
    CKE_RSA_LONG,
    CKE_RSA_CT_GE_N,
    PAD_BAD_TYPE = 200,
    PAD_FIRST_NONZERO,
    PAD_NO_SEPARATOR,
    PAD_SHORT_PS,
    PAD_PM_47,
    PAD_PM_49,
    PAD_BAD_VERSION,
    PAD_GOOD_OTHER_PM, /* well-formed padding of a different random premaster */
    PAD_END,
};

static void rand_nonzero(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(1 + rand() % 255);
}

static int ed_cke(neg_run *r, hs_msgs *m)
{
    MSG(HS_CLIENT_KEY_EXCHANGE);
    long v = r->param;
    static uint8_t y[600];
    if (v >= CKE_Y && v < CKE_Y + Y_COUNT) {
        size_t yl = bad_y((int)(v - CKE_Y), y);
        put_be(b, (uint32_t)yl, 2);
        memcpy(b + 2, y, yl);
        *len = 2 + yl;
        return 1;
    }
    if (v == CKE_Y_EMPTY) {
        put_be(b, 0, 2);
        *len = 2;
        return 1;
    }
    if (v == CKE_TYPE_99) {
        m->type[mi_] = 99;
        return 1;
    }
    size_t k = get_be(b, 2);
    if (k + 2 != *len || k > 512) return -1;
    if (v == CKE_RSA_SHORT) {
        put_be(b, (uint32_t)(k - 1), 2);
        *len -= 1;
        return 1;
    }
    if (v == CKE_RSA_LONG) {
        put_be(b, (uint32_t)(k + 1), 2);
        body_insert(b, len, *len, "\x01", 1);
        return 1;
    }
    if (v == CKE_RSA_CT_GE_N) {
        memset(b + 2, 0xff, k);
        return 1;
    }
    /* EM = 00 || 02 || PS (>= 8 nonzero) || 00 || M, M = version || 46 random
     * (RFC 8017 7.2.1, RFC 5246 7.4.7.1), each variant breaking one rule. */
    EVP_PKEY *pub = X509_get0_pubkey(r->sv->certs->chain[0]);
    uint8_t em[512], pm[49];
    size_t pm_len = 48;
    pm[0] = 3, pm[1] = 3;
    for (size_t i = 2; i < sizeof pm; i++) pm[i] = (uint8_t)rand();
    if (v == PAD_PM_47) pm_len = 47;
    if (v == PAD_PM_49) pm_len = 49;
    if (v == PAD_BAD_VERSION) pm[1] = 2;
    if (v == PAD_GOOD_OTHER_PM) return neg_rsa_pkcs1_encrypt(pub, pm, 48, b + 2, k) ? 1 : -1;
    em[0] = 0;
    em[1] = 2;
    rand_nonzero(em + 2, k - 3 - pm_len);
    em[k - 1 - pm_len] = 0;
    memcpy(em + k - pm_len, pm, pm_len);
    if (v == PAD_BAD_TYPE) em[1] = 1;
    if (v == PAD_FIRST_NONZERO) em[0] = 1;
    if (v == PAD_NO_SEPARATOR) rand_nonzero(em + 2, k - 2);
    if (v == PAD_SHORT_PS) {
        /* PS of 7 bytes, then the separator, then a long message */
        rand_nonzero(em + 2, k - 2);
        em[9] = 0;
    }
    return neg_rsa_raw_encrypt(pub, em, k, b + 2) ? 1 : -1;
}

/* ----------------------------------------------------- application data */

static uint8_t appbuf[40000];

/* The client sends one byte; the server reads. */
static int app_c2s_1(neg_run *r)
{
    if (neg_write(r, SIDE_C, "x", 1) != HSB_OK) return 0;
    (void)neg_read(r, SIDE_S, NULL);
    return 1;
}

/* The server sends 100 bytes; the client reads. */
static int app_s2c_100(neg_run *r)
{
    memset(appbuf, 'y', 100);
    if (neg_write(r, SIDE_S, appbuf, 100) != HSB_OK) return 0;
    (void)neg_read(r, SIDE_C, NULL);
    return 1;
}

/* The client sends three records, then the server reads them all. */
static int app_c2s_3(neg_run *r)
{
    const char *parts[3] = {"one", "two", "three"};
    for (int i = 0; i < 3; i++)
        if (neg_write(r, SIDE_C, parts[i], strlen(parts[i])) != HSB_OK) return 0;
    (void)neg_read(r, SIDE_S, NULL);
    return 1;
}

/* Raw bytes from the client after the handshake (param selects). */
static int app_inject(neg_run *r)
{
    static uint8_t rec[5 + HSB_TLS_MAX_RECORD];
    size_t body = cur_case->param == 0 ? HSB_TLS_MAX_RECORD - 5 + 1 /* 2^14 + 2049 */
                                       : HSB_TLS_MAX_RECORD - 5;    /* 2^14 + 2048 */
    rec[0] = RT_APPDATA;
    put_be(rec + 1, 0x0303, 2);
    put_be(rec + 3, (uint32_t)body, 2);
    for (size_t i = 0; i < body; i++) rec[5 + i] = (uint8_t)(i * 29 + 7);
    neg_inject(r, C2S, rec, 5 + body);
    (void)neg_read(r, SIDE_S, NULL);
    return 1;
}

/* The client's write sequence number jumps ahead by 7: the server's MAC
 * check uses its own count (RFC 5246 6.2.3.1). */
static int app_seq_skip(neg_run *r)
{
    hsb_tls_conn_test_set_seq(r->cl->conn, 1, 1 + 7);
    return app_c2s_1(r);
}

/* ------------------------------------------------------------ custom */

static int wrote_ok(neg_run *r, int side, const char *what, char *why, size_t why_len)
{
    size_t got = 0;
    if (neg_write(r, side, what, strlen(what)) != HSB_OK || neg_read(r, side ^ 1, &got) != HSB_OK ||
        got != strlen(what)) {
        snprintf(why, why_len, "data did not pass: %s / %s", hsb_tls_conn_error(r->cl->conn),
                 hsb_tls_conn_error(r->sv->conn));
        return 0;
    }
    return 1;
}

/* Sequence numbers near 2^64 (RFC 5246 6.1: they "may not exceed 2^64-1"
 * and must not wrap). Both ends are put at 2^64 - 2: the records at 2^64-2
 * and 2^64-1 still go through (the MAC covers all 64 bits); the next write
 * must refuse with a clear error instead of wrapping to 0 (and cannot send
 * an alert: nothing can be sealed any more). Then a reader that took the
 * record at 2^64-1 must refuse the next one even when it is sealed with
 * sequence number 0, i.e. its count must not wrap either. */
static int c_seq_wrap(neg_run *r, const neg_case *c, char *why, size_t why_len)
{
    (void)c;
    hsb_tls_conn *cl = r->cl->conn, *sv = r->sv->conn;
    hsb_tls_conn_test_set_seq(cl, 1, UINT64_MAX - 1);
    hsb_tls_conn_test_set_seq(sv, 0, UINT64_MAX - 1);
    if (!wrote_ok(r, SIDE_C, "2^64-2", why, why_len) ||
        !wrote_ok(r, SIDE_C, "2^64-1", why, why_len))
        return 0;
    size_t n = 0;
    hsb_rc rc = hsb_tls_write(cl, "wrap", 4, &n);
    if (rc == HSB_OK || rc == HSB_E_WOULD_BLOCK || n != 0) {
        snprintf(why, why_len, "write after sequence 2^64-1 gave %s, %zu bytes", hsb_rc_name(rc),
                 n);
        return 0;
    }
    if (!strstr(hsb_tls_conn_error(cl), "sequence")) {
        snprintf(why, why_len, "unclear error: '%s'", hsb_tls_conn_error(cl));
        return 0;
    }
    if (hsb_tls_conn_alert_sent(cl) != NONE) {
        snprintf(why, why_len, "claims alert %d sent with no sequence number left: '%s'",
                 hsb_tls_conn_alert_sent(cl), hsb_tls_conn_error(cl));
        return 0;
    }
    if (hsb_mem_queue_pending(hsb_mem_pair_to_server(&r->pair)) != 0) {
        snprintf(why, why_len, "bytes went out after the sequence ran out");
        return 0;
    }
    if (verbose) printf("     writer: %s\n", hsb_tls_conn_error(cl));
    /* the reader: a fresh connection, both ends at 2^64-1, one record; then
     * the writer is set back to 0 (test hook) and seals one more */
    neg_run_start(r, r->cl, r->sv, NULL, 0);
    neg_handshake(r);
    if (!r->done[0] || !r->done[1]) {
        snprintf(why, why_len, "second handshake failed");
        return 0;
    }
    hsb_tls_conn_test_set_seq(cl, 1, UINT64_MAX);
    hsb_tls_conn_test_set_seq(sv, 0, UINT64_MAX);
    if (!wrote_ok(r, SIDE_C, "last", why, why_len)) return 0;
    hsb_tls_conn_test_set_seq(cl, 1, 0);
    if (neg_write(r, SIDE_C, "wrapped", 7) != HSB_OK) {
        snprintf(why, why_len, "write at 0 failed");
        return 0;
    }
    size_t got = 0;
    (void)neg_read(r, SIDE_S, &got);
    if (got != 0 || !neg_dead(r, SIDE_S) || !strstr(hsb_tls_conn_error(sv), "sequence")) {
        snprintf(why, why_len, "reader past 2^64-1 took %zu bytes / did not refuse: '%s'", got,
                 hsb_tls_conn_error(sv));
        return 0;
    }
    if (verbose) printf("     reader: %s\n", hsb_tls_conn_error(sv));
    return 1;
}

/* Application data through the API before the handshake is done: a usage
 * error that leaves the connection alive (nothing is sent). */
static int c_write_early(neg_run *r, const neg_case *c, char *why, size_t why_len)
{
    (void)c;
    neg_run_start(r, r->cl, r->sv, NULL, 0);
    size_t n = 7;
    hsb_rc rc = hsb_tls_write(r->cl->conn, "early", 5, &n);
    if (rc != HSB_E_USAGE || n != 0 ||
        hsb_mem_queue_pending(hsb_mem_pair_to_server(&r->pair)) != 0) {
        snprintf(why, why_len, "write before the handshake gave %s (%zu bytes)", hsb_rc_name(rc),
                 n);
        return 0;
    }
    rc = hsb_tls_read(r->sv->conn, appbuf, sizeof appbuf, &n);
    if (rc != HSB_E_USAGE) {
        snprintf(why, why_len, "read before the handshake gave %s", hsb_rc_name(rc));
        return 0;
    }
    neg_handshake(r);
    if (!r->done[0] || !r->done[1]) {
        snprintf(why, why_len, "handshake after the refused write failed: %s",
                 hsb_tls_conn_error(r->cl->conn));
        return 0;
    }
    return wrote_ok(r, SIDE_C, "late", why, why_len);
}

/* ------------------------------------------------------------ GCM */

/* Cut the target record's body to r->param bytes (the header's length
 * follows). */
static void t_cut(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len, neg_wire *out)
{
    if (dir != cur_case->tdir || idx != cur_case->tidx || (size_t)r->param + 5 >= len) {
        if (dir == cur_case->tdir && idx == cur_case->tidx) r->skip = 1;
        wire_put(out, rec, len);
        return;
    }
    r->hit = 1;
    wire_record(out, rec[0], (uint16_t)get_be(rec + 1, 2), rec + 5, (size_t)r->param);
}

/* Give the target GCM record an explicit nonce of 8 + r->param bytes
 * (param -4..4, not 0): bytes of value 0x5a inserted after the 8-byte
 * nonce, or the nonce's last bytes removed. The receiver knows only 8 bytes
 * (RFC 5288 3), so the tag cannot verify. */
static void t_nonce_len(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len,
                        neg_wire *out)
{
    if (dir != cur_case->tdir || idx != cur_case->tidx) {
        wire_put(out, rec, len);
        return;
    }
    r->hit = 1;
    static uint8_t body[HSB_TLS_MAX_RECORD];
    size_t n = len - 5;
    memcpy(body, rec + 5, n);
    if (r->param > 0) {
        static const uint8_t extra[4] = {0x5a, 0x5a, 0x5a, 0x5a};
        body_insert(body, &n, 8, extra, (size_t)r->param);
    } else {
        body_delete(body, &n, 8 + (size_t)r->param, (size_t)-r->param);
    }
    wire_record(out, rec[0], 0x0303, body, n);
}

/* The explicit nonces of the client's application-data records. */
static uint8_t seen_nonce[4][8];
static unsigned n_seen_nonce;

static void t_note_nonce(neg_run *r, int dir, unsigned idx, const uint8_t *rec, size_t len,
                         neg_wire *out)
{
    if (dir == C2S && rec[0] == RT_APPDATA && len >= 5 + 8 && n_seen_nonce < 4) {
        r->hit = 1;
        memcpy(seen_nonce[n_seen_nonce++], rec + 5, 8);
    }
    (void)idx;
    wire_put(out, rec, len);
}

/* A sender that repeats an explicit nonce (RFC 5288 3 forbids it of the
 * sender; the receiver has no rule to check it and cannot know, so it opens
 * such records as any other, as OpenSSL does): two client records with the
 * same explicit nonce 7 both arrive. The sequence number in the AAD still
 * guards against replay (the "replayed" case). */
static int c_gcm_nonce_reuse(neg_run *r, const neg_case *c, char *why, size_t why_len)
{
    (void)c;
    n_seen_nonce = 0;
    neg_run_start(r, r->cl, r->sv, t_note_nonce, 0);
    neg_handshake(r);
    if (!r->done[0] || !r->done[1]) {
        snprintf(why, why_len, "handshake: %s", hsb_tls_conn_error(r->cl->conn));
        return 0;
    }
    hsb_tls_info ci, si;
    hsb_tls_conn_info(r->cl->conn, &ci);
    hsb_tls_conn_info(r->sv->conn, &si);
    if (ci.cipher != HSB_TLS_CIPHER_GCM || si.suite != ci.suite || ci.etm || si.etm) {
        snprintf(why, why_len, "negotiated %s (etm %d/%d), not a GCM suite without EtM",
                 ci.suite_name ? ci.suite_name : "-", ci.etm, si.etm);
        return 0;
    }
    hsb_tls_conn_test_fix_nonce(r->cl->conn, 1, 7);
    int ok =
        wrote_ok(r, SIDE_C, "first", why, why_len) && wrote_ok(r, SIDE_C, "second", why, why_len);
    hsb_tls_conn_test_fix_nonce(r->cl->conn, 0, 0);
    if (!ok) return 0;
    static const uint8_t seven[8] = {0, 0, 0, 0, 0, 0, 0, 7};
    if (n_seen_nonce != 2 || memcmp(seen_nonce[0], seven, 8) || memcmp(seen_nonce[1], seven, 8)) {
        snprintf(why, why_len, "the two records did not carry explicit nonce 7 (%u seen)",
                 n_seen_nonce);
        return 0;
    }
    /* and without the hook the explicit nonce is the sequence number: 3 */
    n_seen_nonce = 0;
    if (!wrote_ok(r, SIDE_C, "third", why, why_len)) return 0;
    static const uint8_t three[8] = {0, 0, 0, 0, 0, 0, 0, 3};
    if (n_seen_nonce != 1 || memcmp(seen_nonce[0], three, 8)) {
        snprintf(why, why_len, "the third record's explicit nonce is not its sequence number 3");
        return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------- table */

#define E_C(a, s, code)                                                                            \
    {                                                                                              \
        .who = FAIL_C, .alert = (a), .step = (s), .rc = (code), .recv = NONE                       \
    }
#define E_S(a, s, code)                                                                            \
    {                                                                                              \
        .who = FAIL_S, .alert = (a), .step = (s), .rc = (code), .recv = NONE                       \
    }
#define E_OK                                                                                       \
    {                                                                                              \
        .who = OK_BOTH, .alert = NONE, .recv = NONE                                                \
    }
#define P HSB_E_PROTOCOL
#define D HSB_E_DECRYPT
#define CERT HSB_E_CERT
#define RANGE HSB_E_RANGE

#define FLIP_BITS(bytes) ((long)(bytes)*8)
/* A GCM record of n data bytes: header, explicit nonce, data, tag. */
#define GCM_REC(n) (5 + 8 + (n) + 16)
#define GCM NEG_OPT_GCM
/* A protected record of n data bytes: header, IV, data + MAC padded to a block. */
#define CBC_REC(n) (5 + 16 + (((n) + 32) / 16 + 1) * 16)

static const neg_case cases[] = {
    /* ---- AES-128-GCM records (RFC 5288): every failure is bad_record_mac */
    {"gcm", "control: GCM suite, data both ways", KX_BOTH, .xopts = GCM, .app = app_c2s_3,
     .e = E_OK},
    {"gcm", "bit flips in the client's GCM Finished", KX_BOTH, .xopts = GCM, .tamper = t_flip,
     .tdir = C2S, .tidx = C_FIN, .sweep = FLIP_BITS(GCM_REC(16)),
     .e = E_S(A_BAD_MAC, "client Finished", D), .efn = e_flip},
    {"gcm", "bit flips in a client GCM record (1 byte): bad tag", KX_BOTH, .xopts = GCM,
     .tamper = t_flip, .tdir = C2S, .tidx = C_APP, .sweep = FLIP_BITS(GCM_REC(1)), .app = app_c2s_1,
     .e = E_S(A_BAD_MAC, "application data", D), .efn = e_flip},
    {"gcm", "GCM record cut short (body of 0..24 bytes)", KX_BOTH, .xopts = GCM, .tamper = t_cut,
     .tdir = C2S, .tidx = C_APP, .sweep = 26, .app = app_c2s_1,
     .e = E_S(A_BAD_MAC, "application data", D)},
    {"gcm", "GCM explicit nonce of 12 bytes", KX_BOTH, .xopts = GCM, .tamper = t_nonce_len,
     .tdir = C2S, .tidx = C_APP, .param = 4, .app = app_c2s_1,
     .e = E_S(A_BAD_MAC, "application data", D)},
    {"gcm", "GCM explicit nonce of 4 bytes", KX_BOTH, .xopts = GCM, .tamper = t_nonce_len,
     .tdir = C2S, .tidx = C_APP, .param = -4, .app = app_c2s_1,
     .e = E_S(A_BAD_MAC, "application data", D)},
    {"gcm", "replayed GCM record (same nonce, same sequence number)", KX_BOTH, .xopts = GCM,
     .tamper = t_replay, .tdir = C2S, .tidx = C_APP, .app = app_c2s_3,
     .e = E_S(A_BAD_MAC, "application data", D)},
    {"gcm", "reordered GCM records", KX_BOTH, .xopts = GCM, .tamper = t_swap, .tdir = C2S,
     .tidx = C_APP, .app = app_c2s_3, .e = E_S(A_BAD_MAC, "application data", D)},
    {"gcm", "client GCM sequence number skips ahead", KX_BOTH, .xopts = GCM, .app = app_seq_skip,
     .e = E_S(A_BAD_MAC, "application data", D)},
    {"gcm", "sender repeats an explicit nonce: the receiver opens both", KX_BOTH, .xopts = GCM,
     .custom = c_gcm_nonce_reuse},
    {"gcm", "server answers encrypt_then_mac for a GCM suite", KX_BOTH, .xopts = GCM,
     .tamper = t_edit, .edit = ed_sh, .tdir = S2C, .tidx = S_FLIGHT, .param = SH_ETM_ADDED,
     .e = E_C(A_ILLEGAL, "ServerHello", P)},
    /* ---- records: bit flips, replay, reorder, drop, sequence, sizes */
    {"flips", "bit flips in the client's encrypted Finished", KX_BOTH, .tamper = t_flip,
     .tdir = C2S, .tidx = C_FIN, .sweep = FLIP_BITS(CBC_REC(16)),
     .e = E_S(A_BAD_MAC, "client Finished", D), .efn = e_flip},
    {"flips", "bit flips in the server's encrypted Finished", KX_BOTH, .tamper = t_flip,
     .tdir = S2C, .tidx = S_FIN, .sweep = FLIP_BITS(CBC_REC(16)),
     .e = E_C(A_BAD_MAC, "server Finished", D), .efn = e_flip},
    {"flips", "bit flips in a client application-data record (1 byte)", KX_BOTH, .tamper = t_flip,
     .tdir = C2S, .tidx = C_APP, .sweep = FLIP_BITS(CBC_REC(1)), .app = app_c2s_1,
     .e = E_S(A_BAD_MAC, "application data", D), .efn = e_flip},
    {"flips", "bit flips in a server application-data record (100 bytes)", KX_BOTH,
     .tamper = t_flip, .tdir = S2C, .tidx = S_APP, .sweep = FLIP_BITS(CBC_REC(100)),
     .app = app_s2c_100, .e = E_C(A_BAD_MAC, "application data", D), .efn = e_flip},
    {"records", "replayed application-data record", KX_BOTH, .tamper = t_replay, .tdir = C2S,
     .tidx = C_APP, .app = app_c2s_3, .e = E_S(A_BAD_MAC, "application data", D)},
    {"records", "reordered application-data records", KX_BOTH, .tamper = t_swap, .tdir = C2S,
     .tidx = C_APP, .app = app_c2s_3, .e = E_S(A_BAD_MAC, "application data", D)},
    {"records", "dropped application-data record", KX_BOTH, .tamper = t_drop, .tdir = C2S,
     .tidx = C_APP + 1, .app = app_c2s_3, .e = E_S(A_BAD_MAC, "application data", D)},
    {"records", "replayed client Finished (read as data afterwards)", KX_BOTH, .tamper = t_replay,
     .tdir = C2S, .tidx = C_FIN, .app = app_c2s_3, .e = E_S(A_BAD_MAC, "application data", D)},
    {"records", "client sequence number skips ahead", KX_BOTH, .app = app_seq_skip,
     .e = E_S(A_BAD_MAC, "application data", D)},
    /* RFC 5246 7.4: messages out of order (here an encrypted Finished where
     * ChangeCipherSpec belongs) are unexpected_message */
    {"records", "client ChangeCipherSpec dropped", KX_BOTH, .tamper = t_drop, .tdir = C2S,
     .tidx = C_CCS, .e = E_S(A_UNEXPECTED, "client ChangeCipherSpec", P)},
    {"records", "server ChangeCipherSpec dropped", KX_BOTH, .tamper = t_drop, .tdir = S2C,
     .tidx = S_CCS, .e = E_C(A_UNEXPECTED, "server ChangeCipherSpec", P)},
    {"records", "sequence numbers 2^64-2, 2^64-1, then no wrap", KX_BOTH, .custom = c_seq_wrap,
     .e = E_OK},
    {"records", "protected record of 2^14+2049 bytes", KX_BOTH, .app = app_inject, .param = 0,
     .e = E_S(A_OVERFLOW, "application data", P)},
    {"records", "protected record of 2^14+2048 bytes (limit; junk)", KX_BOTH, .app = app_inject,
     .param = 1, .e = E_S(A_BAD_MAC, "application data", D)},
    {"records", "plaintext record of 2^14+1 bytes", KX_BOTH, .tamper = t_ch_raw, .param = 1000,
     .e = E_S(A_OVERFLOW, "ClientHello", P)},
    {"records", "application data instead of ClientHello", KX_BOTH, .tamper = t_before, .tdir = C2S,
     .tidx = C_HELLO, .param = RT_APPDATA << 16, .e = E_S(A_UNEXPECTED, "ClientHello", P)},
    {"records", "application data before the server's flight", KX_BOTH, .tamper = t_before,
     .tdir = S2C, .tidx = S_FLIGHT, .param = RT_APPDATA << 16,
     .e = E_C(A_UNEXPECTED, "ServerHello", P)},
    {"records", "application data between ClientKeyExchange and ChangeCipherSpec", KX_BOTH,
     .tamper = t_before, .tdir = C2S, .tidx = C_CCS, .param = RT_APPDATA << 16,
     .e = E_S(A_UNEXPECTED, "client ChangeCipherSpec", P)},
    {"records", "write/read through the API before the handshake", KX_BOTH, .custom = c_write_early,
     .e = E_OK},
    /* RFC 5246 6: an unknown content type MUST get unexpected_message */
    {"records", "record type 24 (heartbeat)", KX_BOTH, .tamper = t_header, .tdir = C2S,
     .tidx = C_HELLO, .param = 24, .e = E_S(A_UNEXPECTED, "ClientHello", P)},
    {"records", "record type 99", KX_BOTH, .tamper = t_header, .tdir = C2S, .tidx = C_HELLO,
     .param = 99, .e = E_S(A_UNEXPECTED, "ClientHello", P)},
    /* RFC 5246 E.1: the first record may carry any 3.x version, and a
     * newer client's higher one is no reason to refuse (RFC 8446 5.1) */
    {"records", "control: ClientHello record version 4.3", KX_BOTH, .tamper = t_header, .tdir = C2S,
     .tidx = C_HELLO, .param = 1 << 16 | 0x0403, .e = E_OK},
    {"records", "control: ClientHello record version 3.1", KX_BOTH, .tamper = t_header, .tdir = C2S,
     .tidx = C_HELLO, .param = 1 << 16 | 0x0301, .e = E_OK},
    {"records", "record version 3.2 after ServerHello", KX_BOTH, .tamper = t_header, .tdir = S2C,
     .tidx = S_CCS, .param = 1 << 16 | 0x0302, .e = E_C(A_VERSION, "server ChangeCipherSpec", P)},
    /* RFC 5246 6.2.1: zero-length handshake fragments MUST NOT be sent */
    {"records", "empty handshake record", KX_BOTH, .tamper = t_before, .tdir = C2S, .tidx = C_HELLO,
     .param = RT_HANDSHAKE << 16, .e = E_S(A_UNEXPECTED, "ClientHello", P)},
    {"records", "control: ClientHello fragmented over two records", KX_BOTH, .tamper = t_fragment,
     .tdir = C2S, .tidx = C_HELLO, .param = 7, .e = E_OK},
    {"records", "control: server flight as one record per message", KX_BOTH, .tamper = t_fragment,
     .tdir = S2C, .tidx = S_FLIGHT, .param = 0, .e = E_OK},
    /* RFC 5246 7.1: a ChangeCipherSpec is the byte 1; anything else is not
     * one: unexpected_message, as OpenSSL */
    {"records", "ChangeCipherSpec value 2", KX_BOTH, .tamper = t_ccs_body, .tdir = C2S,
     .tidx = C_CCS, .param = 0, .e = E_S(A_UNEXPECTED, "client ChangeCipherSpec", P)},
    {"records", "ChangeCipherSpec of two bytes", KX_BOTH, .tamper = t_ccs_body, .tdir = C2S,
     .tidx = C_CCS, .param = 1, .e = E_S(A_UNEXPECTED, "client ChangeCipherSpec", P)},
    {"records", "ChangeCipherSpec before ClientKeyExchange", KX_BOTH, .tamper = t_swap, .tdir = C2S,
     .tidx = C_CKE, .e = E_S(A_UNEXPECTED, "ClientKeyExchange", P)},
    /* a fatal alert from the peer ends the handshake; none goes back */
    {"records", "fatal alert instead of the server flight", KX_BOTH, .tamper = t_replace_alert,
     .tdir = S2C, .tidx = S_FLIGHT, .param = 2 << 8 | A_HS_FAIL,
     .e = {.who = FAIL_C, .alert = NONE, .step = "ServerHello", .rc = P, .recv = A_HS_FAIL}},
    {"records", "close_notify during the handshake", KX_BOTH, .tamper = t_replace_alert,
     .tdir = S2C, .tidx = S_FLIGHT, .param = 1 << 8 | 0,
     .e = {.who = FAIL_C, .alert = NONE, .step = "ServerHello", .rc = P, .recv = 0}},
    {"records", "control: warning alert (user_canceled) before the flight", KX_BOTH,
     .tamper = t_before, .tdir = S2C, .tidx = S_FLIGHT,
     .param = RT_ALERT << 16 | 1 << 8 | HSB_TLS_ALERT_USER_CANCELED, .e = E_OK},
    {"records", "server vanishes after ClientHello (EOF)", KX_BOTH, .tamper = t_vanish, .tdir = S2C,
     .tidx = S_FLIGHT, .e = E_C(NONE, "ServerHello", HSB_E_IO)},

    /* ---- hellos: malformed and wrong ClientHello / ServerHello */
    {"hello", "ClientHello truncated (every length)", KX_BOTH, .tamper = t_edit,
     .edit = ed_ch_trunc, .tdir = C2S, .tidx = C_HELLO, .sweep = 120,
     .e = E_S(A_DECODE, "ClientHello", P)},
    {"hello", "ClientHello cipher_suites of odd length", KX_BOTH, .tamper = t_edit, .edit = ed_ch,
     .tdir = C2S, .param = CH_SUITES_ODD, .e = E_S(A_DECODE, "ClientHello", P)},
    {"hello", "ClientHello with zero cipher suites", KX_BOTH, .tamper = t_edit, .edit = ed_ch,
     .tdir = C2S, .param = CH_SUITES_EMPTY, .e = E_S(A_DECODE, "ClientHello", P)},
    {"hello", "ClientHello cipher_suites length past the end", KX_BOTH, .tamper = t_edit,
     .edit = ed_ch, .tdir = C2S, .param = CH_SUITES_OVERRUN, .e = E_S(A_DECODE, "ClientHello", P)},
    {"hello", "ClientHello session_id of 33 bytes", KX_BOTH, .tamper = t_edit, .edit = ed_ch,
     .tdir = C2S, .param = CH_SID_33, .e = E_S(A_DECODE, "ClientHello", P)},
    {"hello", "ClientHello with no compression methods", KX_BOTH, .tamper = t_edit, .edit = ed_ch,
     .tdir = C2S, .param = CH_COMP_EMPTY, .e = E_S(A_DECODE, "ClientHello", P)},
    /* RFC 5246 7.4.1.2: the list MUST contain null; the alert is not named
     * (OpenSSL 3 sends decode_error, older ones illegal_parameter): the core
     * says illegal_parameter, a legal value was refused */
    {"hello", "ClientHello without null compression", KX_BOTH, .tamper = t_edit, .edit = ed_ch,
     .tdir = C2S, .param = CH_COMP_NO_NULL, .e = E_S(A_ILLEGAL, "ClientHello", P)},
    {"hello", "ClientHello with a trailing byte", KX_BOTH, .tamper = t_edit, .edit = ed_ch,
     .tdir = C2S, .param = CH_TRAILING, .e = E_S(A_DECODE, "ClientHello", P)},
    {"hello", "ClientHello extensions length too long", KX_BOTH, .tamper = t_edit, .edit = ed_ch,
     .tdir = C2S, .param = CH_EXTS_LONG, .e = E_S(A_DECODE, "ClientHello", P)},
    {"hello", "ClientHello extensions length too short", KX_BOTH, .tamper = t_edit, .edit = ed_ch,
     .tdir = C2S, .param = CH_EXTS_SHORT, .e = E_S(A_DECODE, "ClientHello", P)},
    {"hello", "ClientHello extension length past the block", KX_BOTH, .tamper = t_edit,
     .edit = ed_ch, .tdir = C2S, .param = CH_EXT_OVERRUN, .e = E_S(A_DECODE, "ClientHello", P)},
    /* RFC 5246 7.4.1.4: at most one extension of a type */
    {"hello", "ClientHello with signature_algorithms twice", KX_BOTH, .tamper = t_edit,
     .edit = ed_ch, .tdir = C2S, .param = CH_EXT_DUP, .e = E_S(A_DECODE, "ClientHello", P)},
    /* RFC 5246 E.1: a TLS 1.2-only server answers an older client with
     * protocol_version */
    {"hello", "ClientHello version 3.2", KX_BOTH, .tamper = t_edit, .edit = ed_ch, .tdir = C2S,
     .param = CH_VERSION_OLD, .e = E_S(A_VERSION, "ClientHello", P)},
    {"hello", "unknown handshake type 99 instead of ClientHello", KX_BOTH, .tamper = t_edit,
     .edit = ed_ch, .tdir = C2S, .param = CH_TYPE_99, .e = E_S(A_UNEXPECTED, "ClientHello", P)},
    {"hello", "ServerHello sent to a server", KX_BOTH, .tamper = t_edit, .edit = ed_ch, .tdir = C2S,
     .param = CH_TYPE_SH, .e = E_S(A_UNEXPECTED, "ClientHello", P)},
    {"hello", "ClientHello length field 10 too long (10 more bytes follow)", KX_BOTH,
     .tamper = t_ch_raw, .param = CH_LEN_LONG_MORE, .e = E_S(A_DECODE, "ClientHello", P)},
    {"hello", "ClientHello length field 10 too short", KX_BOTH, .tamper = t_ch_raw,
     .param = CH_LEN_SHORT, .e = E_S(A_DECODE, "ClientHello", P)},
    /* no RFC alert for "too large to accept"; illegal_parameter as OpenSSL
     * (excessive message size), before any byte of it is buffered */
    {"hello", "ClientHello length field 1 MiB", KX_BOTH, .tamper = t_ch_raw, .param = CH_LEN_HUGE,
     .e = E_S(A_ILLEGAL, "ClientHello", P)},
    /* a legal hello of any size is taken (tests/tls-conform checks the
     * ServerHello); here the client's transcript lacks the padding, so only
     * the client Finished fails: decrypt_error without EMS, bad_record_mac
     * with it (the master secret covers the transcript, RFC 7627 4) */
    {"hello", "ClientHello of 40 kB over three records (no EMS)", KX_BOTH, .xopts = NEG_OPT_NO_EMS,
     .tamper = t_ch_raw, .param = CH_HUGE, .e = E_S(A_DECRYPT, "client Finished", D)},
    {"hello", "ClientHello of 40 kB over three records (EMS)", KX_BOTH, .tamper = t_ch_raw,
     .param = CH_HUGE, .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"hello", "ClientHello offers only suites the server lacks", KX_BOTH, .tamper = t_edit,
     .edit = ed_ch, .tdir = C2S, .param = CH_NO_COMMON, .e = E_S(A_HS_FAIL, "ClientHello", P)},
    {"hello", "client offers RSA only, server takes DHE only", KX_RSA, .ckx = KX_RSA, .skx = KX_DHE,
     .e = E_S(A_HS_FAIL, "ClientHello", P)},
    {"hello", "client offers DHE only, server takes RSA only", KX_DHE, .ckx = KX_DHE, .skx = KX_RSA,
     .e = E_S(A_HS_FAIL, "ClientHello", P)},
    /* RFC 5246 7.4.1.4.1: without signature_algorithms only SHA-1 is allowed,
     * which the server does not sign with */
    {"hello", "ClientHello without signature_algorithms, DHE only", KX_DHE, .tamper = t_edit,
     .edit = ed_ch, .tdir = C2S, .param = CH_NO_SIGALGS, .e = E_S(A_HS_FAIL, "ClientHello", P)},
    /* RFC 5746 3.6 */
    {"hello", "ClientHello with non-empty renegotiation_info", KX_BOTH, .tamper = t_edit,
     .edit = ed_ch, .tdir = C2S, .param = CH_RENEG_NONEMPTY, .e = E_S(A_HS_FAIL, "ClientHello", P)},
    /* wrong Finished: the ends saw different handshakes. Without the
     * extended master secret they share keys, so the Finished record opens
     * and its verify_data is wrong (decrypt_error); with it (RFC 7627 4,
     * the default) the master secret covers the transcript, so the keys
     * differ and the Finished record's MAC fails (bad_record_mac) */
    {"hello", "ClientHello gains an extension in flight (transcripts differ, no EMS)", KX_BOTH,
     .xopts = NEG_OPT_NO_EMS, .tamper = t_edit, .edit = ed_ch, .tdir = C2S, .param = CH_EXT_UNKNOWN,
     .e = E_S(A_DECRYPT, "client Finished", D)},
    {"hello", "ClientHello server_name changed in flight (no EMS)", KX_BOTH,
     .xopts = NEG_OPT_NO_EMS, .tamper = t_edit, .edit = ed_ch, .tdir = C2S, .param = CH_SNI_CHANGED,
     .e = E_S(A_DECRYPT, "client Finished", D)},
    {"hello", "ClientHello without signature_algorithms, RSA (transcripts differ, no EMS)", KX_RSA,
     .xopts = NEG_OPT_NO_EMS, .tamper = t_edit, .edit = ed_ch, .tdir = C2S, .param = CH_NO_SIGALGS,
     .e = E_S(A_DECRYPT, "client Finished", D)},
    {"hello", "ServerHello gains a session_id in flight (no EMS)", KX_BOTH, .xopts = NEG_OPT_NO_EMS,
     .tamper = t_edit, .edit = ed_sh, .tdir = S2C, .param = SH_SID_ADDED,
     .e = E_S(A_DECRYPT, "client Finished", D)},
    {"hello", "ClientHello gains an extension in flight (transcripts differ, EMS)", KX_BOTH,
     .tamper = t_edit, .edit = ed_ch, .tdir = C2S, .param = CH_EXT_UNKNOWN,
     .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"hello", "ClientHello server_name changed in flight (EMS)", KX_BOTH, .tamper = t_edit,
     .edit = ed_ch, .tdir = C2S, .param = CH_SNI_CHANGED,
     .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"hello", "ClientHello without signature_algorithms, RSA (transcripts differ, EMS)", KX_RSA,
     .tamper = t_edit, .edit = ed_ch, .tdir = C2S, .param = CH_NO_SIGALGS,
     .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"hello", "ServerHello gains a session_id in flight (EMS)", KX_BOTH, .tamper = t_edit,
     .edit = ed_sh, .tdir = S2C, .param = SH_SID_ADDED, .e = E_S(A_BAD_MAC, "client Finished", D)},
    /* RFC 6066 3: a malformed server_name is decode_error (its value is
     * ignored: one certificate for every name) */
    {"hello", "ClientHello server_name malformed (9 shapes)", KX_BOTH, .tamper = t_edit,
     .edit = ed_ch, .tdir = C2S, .param = CH_SNI_FIRST, .sweep = CH_SNI_LAST + 1,
     .e = E_S(A_DECODE, "ClientHello", P)},
    /* RFC 7366 2, RFC 7627 5.1: both extensions are empty */
    {"hello", "ClientHello encrypt_then_mac not empty", KX_BOTH, .tamper = t_edit, .edit = ed_ch,
     .tdir = C2S, .param = CH_ETM_NONEMPTY, .e = E_S(A_DECODE, "ClientHello", P)},
    {"hello", "ClientHello extended_master_secret not empty", KX_BOTH, .tamper = t_edit,
     .edit = ed_ch, .tdir = C2S, .param = CH_EMS_NONEMPTY, .e = E_S(A_DECODE, "ClientHello", P)},
    {"hello", "ClientHello with encrypt_then_mac twice", KX_BOTH, .tamper = t_edit, .edit = ed_ch,
     .tdir = C2S, .param = CH_ETM_DUP, .e = E_S(A_DECODE, "ClientHello", P)},
    {"hello", "ServerHello encrypt_then_mac not empty", KX_BOTH, .tamper = t_edit, .edit = ed_sh,
     .tdir = S2C, .param = SH_ETM_NONEMPTY, .e = E_C(A_DECODE, "ServerHello", P)},
    /* the client did not offer it: RFC 5246 7.4.1.4 */
    {"hello", "ServerHello with extended_master_secret the client did not offer", KX_BOTH,
     .copts = NEG_OPT_NO_EMS, .tamper = t_edit, .edit = ed_sh, .tdir = S2C, .param = SH_EMS_ADDED,
     .e = E_C(A_UNSUP_EXT, "ServerHello", P)},
    /* the ends disagree on the MAC order: the server's EtM open of the
     * client's MAC-then-encrypt Finished fails */
    {"hello", "ServerHello loses encrypt_then_mac in flight", KX_BOTH, .tamper = t_edit,
     .edit = ed_sh, .tdir = S2C, .param = SH_ETM_STRIPPED,
     .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"hello", "control: client without encrypt_then_mac, server with", KX_BOTH,
     .copts = NEG_OPT_NO_ETM, .e = E_OK},
    {"hello", "control: client without extended_master_secret, server with", KX_BOTH,
     .copts = NEG_OPT_NO_EMS, .e = E_OK},
    /* a changed random changes the keys: RSA notices at the Finished record's
     * MAC, DHE already at the ServerKeyExchange signature (it covers both
     * randoms, RFC 5246 7.4.3) */
    {"hello", "ClientHello random changed", KX_RSA, .tamper = t_edit, .edit = ed_ch, .tdir = C2S,
     .param = CH_RANDOM, .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"hello", "ClientHello random changed", KX_DHE, .tamper = t_edit, .edit = ed_ch, .tdir = C2S,
     .param = CH_RANDOM, .e = E_C(A_DECRYPT, "ServerKeyExchange", D)},
    {"hello", "ServerHello random changed", KX_RSA, .tamper = t_edit, .edit = ed_sh, .tdir = S2C,
     .param = SH_RANDOM, .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"hello", "ServerHello random changed", KX_DHE, .tamper = t_edit, .edit = ed_sh, .tdir = S2C,
     .param = SH_RANDOM, .e = E_C(A_DECRYPT, "ServerKeyExchange", D)},
    {"hello", "ServerHello truncated (every length)", KX_BOTH, .tamper = t_edit,
     .edit = ed_sh_trunc, .tdir = S2C, .tidx = S_FLIGHT, .sweep = 80,
     .e = E_C(A_DECODE, "ServerHello", P)},
    /* RFC 5246 7.4.1.3: the suite must be one the client offered */
    {"hello", "ServerHello picks an unknown suite", KX_BOTH, .tamper = t_edit, .edit = ed_sh,
     .tdir = S2C, .param = SH_SUITE_UNKNOWN, .e = E_C(A_ILLEGAL, "ServerHello", P)},
    {"hello", "ServerHello picks the suite the client did not offer", KX_BOTH, .tamper = t_edit,
     .edit = ed_sh, .tdir = S2C, .param = SH_SUITE_OTHER, .e = E_C(A_ILLEGAL, "ServerHello", P)},
    {"hello", "ServerHello version 3.2", KX_BOTH, .tamper = t_edit, .edit = ed_sh, .tdir = S2C,
     .param = SH_VERSION_OLD, .e = E_C(A_VERSION, "ServerHello", P)},
    {"hello", "ServerHello compression 1", KX_BOTH, .tamper = t_edit, .edit = ed_sh, .tdir = S2C,
     .param = SH_COMP, .e = E_C(A_ILLEGAL, "ServerHello", P)},
    /* RFC 5246 7.4.1.4: MUST abort with unsupported_extension */
    {"hello", "ServerHello with an unsolicited extension", KX_BOTH, .tamper = t_edit, .edit = ed_sh,
     .tdir = S2C, .param = SH_EXT_UNSOLICITED, .e = E_C(A_UNSUP_EXT, "ServerHello", P)},
    {"hello", "ServerHello with renegotiation_info twice", KX_BOTH, .tamper = t_edit, .edit = ed_sh,
     .tdir = S2C, .param = SH_EXT_DUP, .e = E_C(A_DECODE, "ServerHello", P)},
    {"hello", "ServerHello with non-empty renegotiation_info", KX_BOTH, .tamper = t_edit,
     .edit = ed_sh, .tdir = S2C, .param = SH_RENEG_NONEMPTY, .e = E_C(A_HS_FAIL, "ServerHello", P)},
    {"hello", "ServerHello with a trailing byte", KX_BOTH, .tamper = t_edit, .edit = ed_sh,
     .tdir = S2C, .param = SH_TRAILING, .e = E_C(A_DECODE, "ServerHello", P)},
    {"hello", "unknown handshake type 99 instead of ServerHello", KX_BOTH, .tamper = t_edit,
     .edit = ed_sh, .tdir = S2C, .param = SH_TYPE_99, .e = E_C(A_UNEXPECTED, "ServerHello", P)},
    /* RFC 5246 7.4.1.1: HelloRequest is ignored while negotiating */
    {"hello", "control: HelloRequest before ServerHello", KX_BOTH, .tamper = t_edit, .edit = ed_sh,
     .tdir = S2C, .param = SH_HELLO_REQUEST, .e = E_OK},
    {"hello", "HelloRequest with a body", KX_BOTH, .tamper = t_edit, .edit = ed_sh, .tdir = S2C,
     .param = SH_HELLO_REQUEST_BODY, .e = E_C(A_UNEXPECTED, "ServerHello", P)},

    /* ---- certificates: the core's mapping follows OpenSSL's
     * ssl_x509err2alert; against RFC 5246 7.2.2: certificate_expired for an
     * expired leaf; unknown_ca when no trusted CA issued it; decrypt_error
     * ("unable to correctly verify a signature") for a bad signature;
     * bad_certificate for a wrong host, a key below the minimum and a
     * not-yet-valid leaf (7.2.2 would also allow certificate_expired for
     * "not currently valid"; OpenSSL and the core say bad_certificate) */
    {"certs", "control: chain with an intermediate CA", KX_BOTH, .cert = HSB_CERT_WITH_INTERMEDIATE,
     .e = E_OK},
    {"certs", "expired leaf", KX_BOTH, .cert = HSB_CERT_EXPIRED,
     .e = E_C(A_EXPIRED, "Certificate", CERT)},
    {"certs", "leaf not yet valid", KX_BOTH, .cert = HSB_CERT_NOT_YET_VALID,
     .e = E_C(A_BAD_CERT, "Certificate", CERT)},
    {"certs", "leaf for another host", KX_BOTH, .cert = HSB_CERT_WRONG_HOST,
     .e = E_C(A_BAD_CERT, "Certificate", CERT)},
    {"certs", "leaf from an untrusted CA (same name, other key)", KX_BOTH,
     .cert = HSB_CERT_UNTRUSTED_CA, .e = E_C(A_UNKNOWN_CA, "Certificate", CERT)},
    {"certs", "leaf with a bad signature", KX_BOTH, .cert = HSB_CERT_BAD_SIGNATURE,
     .e = E_C(A_DECRYPT, "Certificate", CERT)},
    {"certs", "client trusts no CA", KX_BOTH, .copts = NEG_OPT_NO_ANCHOR,
     .e = E_C(A_UNKNOWN_CA, "Certificate", CERT)},
    {"certs", "server key below the client's minimum (3072)", KX_BOTH,
     .copts = NEG_OPT_MIN_RSA_3072, .e = E_C(A_BAD_CERT, "Certificate", CERT)},
    {"certs", "intermediate dropped from the chain in flight", KX_BOTH,
     .cert = HSB_CERT_WITH_INTERMEDIATE, .tamper = t_edit, .edit = ed_cert, .tdir = S2C,
     .param = CERT_DROP_SECOND, .e = E_C(A_UNKNOWN_CA, "Certificate", CERT)},
    {"certs", "empty certificate list", KX_BOTH, .tamper = t_edit, .edit = ed_cert, .tdir = S2C,
     .param = CERT_EMPTY, .e = E_C(A_BAD_CERT, "Certificate", CERT)},
    {"certs", "certificate DER does not parse", KX_BOTH, .tamper = t_edit, .edit = ed_cert,
     .tdir = S2C, .param = CERT_GARBAGE, .e = E_C(A_BAD_CERT, "Certificate", CERT)},
    {"certs", "certificate length past the list", KX_BOTH, .tamper = t_edit, .edit = ed_cert,
     .tdir = S2C, .param = CERT_LEN_BAD, .e = E_C(A_DECODE, "Certificate", P)},
    {"certs", "Certificate with a trailing byte", KX_BOTH, .tamper = t_edit, .edit = ed_cert,
     .tdir = S2C, .param = CERT_TRAILING, .e = E_C(A_DECODE, "Certificate", P)},
    {"certs", "unknown handshake type 99 instead of Certificate", KX_BOTH, .tamper = t_edit,
     .edit = ed_cert, .tdir = S2C, .param = CERT_TYPE_99, .e = E_C(A_UNEXPECTED, "Certificate", P)},

    /* ---- key exchange: ServerKeyExchange, DH values, PKCS#1 */
    {"kx", "ServerKeyExchange signature bit flipped", KX_DHE, .tamper = t_edit, .edit = ed_ske,
     .tdir = S2C, .param = SKE_SIG_FLIP, .e = E_C(A_DECRYPT, "ServerKeyExchange", D)},
    {"kx", "ServerKeyExchange dh_Ys bit flipped (signature now wrong)", KX_DHE, .tamper = t_edit,
     .edit = ed_ske, .tdir = S2C, .param = SKE_YS_FLIP,
     .e = E_C(A_DECRYPT, "ServerKeyExchange", D)},
    {"kx", "ServerKeyExchange dh_p bit flipped (signature now wrong)", KX_DHE, .tamper = t_edit,
     .edit = ed_ske, .tdir = S2C, .param = SKE_P_FLIP, .e = E_C(A_DECRYPT, "ServerKeyExchange", D)},
    {"kx", "ServerKeyExchange signature one byte short", KX_DHE, .tamper = t_edit, .edit = ed_ske,
     .tdir = S2C, .param = SKE_SIG_SHORT, .e = E_C(A_DECRYPT, "ServerKeyExchange", D)},
    /* RFC 5246 7.4.1.4.1: only offered algorithms may be used */
    {"kx", "ServerKeyExchange signed with sha1 (not offered)", KX_DHE, .tamper = t_edit,
     .edit = ed_ske, .tdir = S2C, .param = SKE_SIGALG_SHA1,
     .e = E_C(A_ILLEGAL, "ServerKeyExchange", P)},
    {"kx", "ServerKeyExchange truncated", KX_DHE, .tamper = t_edit, .edit = ed_ske, .tdir = S2C,
     .param = SKE_TRUNCATED, .e = E_C(A_DECODE, "ServerKeyExchange", P)},
    {"kx", "ServerKeyExchange missing from a DHE flight", KX_DHE, .tamper = t_edit, .edit = ed_ske,
     .tdir = S2C, .param = SKE_REMOVED, .e = E_C(A_UNEXPECTED, "ServerKeyExchange", P)},
    {"kx", "ServerKeyExchange in an RSA flight", KX_RSA, .tamper = t_edit, .edit = ed_flight,
     .tdir = S2C, .param = FL_SKE_INSERTED, .e = E_C(A_UNEXPECTED, "ServerHelloDone", P)},
    {"kx", "ServerHelloDone with a body", KX_BOTH, .tamper = t_edit, .edit = ed_flight, .tdir = S2C,
     .param = FL_SHD_BODY, .e = E_C(A_DECODE, "ServerHelloDone", P)},
    {"kx", "unknown handshake type 99 instead of ServerHelloDone", KX_BOTH, .tamper = t_edit,
     .edit = ed_flight, .tdir = S2C, .param = FL_SHD_TYPE_99,
     .e = E_C(A_UNEXPECTED, "ServerHelloDone", P)},
    {"kx", "control: ServerKeyExchange re-signed by the test, unchanged", KX_DHE, .tamper = t_edit,
     .edit = ed_ske, .tdir = S2C, .param = RS_CONTROL, .e = E_OK},
    /* signed but bad DH values: RFC 7919 5.1 / SP 800-56A 5.6.2.3: 1 < Y <
     * p-1 (and Y^q = 1 under the full check); the peer chose a bad parameter:
     * illegal_parameter */
    {"kx", "signed dh_Ys = 0", KX_DHE, .tamper = t_edit, .edit = ed_ske, .tdir = S2C,
     .param = RS_Y + Y_ZERO, .e = E_C(A_ILLEGAL, "ServerKeyExchange", RANGE)},
    {"kx", "signed dh_Ys = 1", KX_DHE, .tamper = t_edit, .edit = ed_ske, .tdir = S2C,
     .param = RS_Y + Y_ONE, .e = E_C(A_ILLEGAL, "ServerKeyExchange", RANGE)},
    {"kx", "signed dh_Ys = p-1", KX_DHE, .tamper = t_edit, .edit = ed_ske, .tdir = S2C,
     .param = RS_Y + Y_P_MINUS_1, .e = E_C(A_ILLEGAL, "ServerKeyExchange", RANGE)},
    {"kx", "signed dh_Ys = p", KX_DHE, .tamper = t_edit, .edit = ed_ske, .tdir = S2C,
     .param = RS_Y + Y_P, .e = E_C(A_ILLEGAL, "ServerKeyExchange", RANGE)},
    {"kx", "signed dh_Ys = p+1", KX_DHE, .tamper = t_edit, .edit = ed_ske, .tdir = S2C,
     .param = RS_Y + Y_P_PLUS_1, .e = E_C(A_ILLEGAL, "ServerKeyExchange", RANGE)},
    {"kx", "signed dh_Ys = 2^2048 (longer than p)", KX_DHE, .tamper = t_edit, .edit = ed_ske,
     .tdir = S2C, .param = RS_Y + Y_LONGER, .e = E_C(A_ILLEGAL, "ServerKeyExchange", RANGE)},
    {"kx", "signed dh_Ys = p-2 (outside the prime-order subgroup)", KX_DHE, .tamper = t_edit,
     .edit = ed_ske, .tdir = S2C, .param = RS_Y + Y_P_MINUS_2,
     .e = E_C(A_ILLEGAL, "ServerKeyExchange", RANGE)},
    {"kx", "signed dh_g = 0", KX_DHE, .tamper = t_edit, .edit = ed_ske, .tdir = S2C,
     .param = RS_G_ZERO, .e = E_C(A_ILLEGAL, "ServerKeyExchange", RANGE)},
    {"kx", "signed dh_g = 1", KX_DHE, .tamper = t_edit, .edit = ed_ske, .tdir = S2C,
     .param = RS_G_ONE, .e = E_C(A_ILLEGAL, "ServerKeyExchange", RANGE)},
    {"kx", "signed dh_g = p-1", KX_DHE, .tamper = t_edit, .edit = ed_ske, .tdir = S2C,
     .param = RS_G_P_MINUS_1, .e = E_C(A_ILLEGAL, "ServerKeyExchange", RANGE)},
    {"kx", "signed even dh_p", KX_DHE, .tamper = t_edit, .edit = ed_ske, .tdir = S2C,
     .param = RS_P_EVEN, .e = E_C(A_ILLEGAL, "ServerKeyExchange", RANGE)},
    /* a group below the client's minimum: the client cannot go on with
     * these parameters: handshake_failure (7.2.2) */
    {"kx", "signed 1024-bit dh_p", KX_DHE, .tamper = t_edit, .edit = ed_ske, .tdir = S2C,
     .param = RS_P_1024, .e = E_C(A_HS_FAIL, "ServerKeyExchange", P)},
    {"kx", "dh_Yc = 0", KX_DHE, .tamper = t_edit, .edit = ed_cke, .tdir = C2S, .tidx = C_CKE,
     .param = CKE_Y + Y_ZERO, .e = E_S(A_ILLEGAL, "ClientKeyExchange", RANGE)},
    {"kx", "dh_Yc = 1", KX_DHE, .tamper = t_edit, .edit = ed_cke, .tdir = C2S, .tidx = C_CKE,
     .param = CKE_Y + Y_ONE, .e = E_S(A_ILLEGAL, "ClientKeyExchange", RANGE)},
    {"kx", "dh_Yc = p-1", KX_DHE, .tamper = t_edit, .edit = ed_cke, .tdir = C2S, .tidx = C_CKE,
     .param = CKE_Y + Y_P_MINUS_1, .e = E_S(A_ILLEGAL, "ClientKeyExchange", RANGE)},
    {"kx", "dh_Yc = p", KX_DHE, .tamper = t_edit, .edit = ed_cke, .tdir = C2S, .tidx = C_CKE,
     .param = CKE_Y + Y_P, .e = E_S(A_ILLEGAL, "ClientKeyExchange", RANGE)},
    {"kx", "dh_Yc = p+1", KX_DHE, .tamper = t_edit, .edit = ed_cke, .tdir = C2S, .tidx = C_CKE,
     .param = CKE_Y + Y_P_PLUS_1, .e = E_S(A_ILLEGAL, "ClientKeyExchange", RANGE)},
    {"kx", "dh_Yc = 2^2048 (longer than p)", KX_DHE, .tamper = t_edit, .edit = ed_cke, .tdir = C2S,
     .tidx = C_CKE, .param = CKE_Y + Y_LONGER, .e = E_S(A_ILLEGAL, "ClientKeyExchange", RANGE)},
    {"kx", "dh_Yc = p-2 (outside the prime-order subgroup)", KX_DHE, .tamper = t_edit,
     .edit = ed_cke, .tdir = C2S, .tidx = C_CKE, .param = CKE_Y + Y_P_MINUS_2,
     .e = E_S(A_ILLEGAL, "ClientKeyExchange", RANGE)},
    {"kx", "dh_Yc empty", KX_DHE, .tamper = t_edit, .edit = ed_cke, .tdir = C2S, .tidx = C_CKE,
     .param = CKE_Y_EMPTY, .e = E_S(A_DECODE, "ClientKeyExchange", P)},
    {"kx", "unknown handshake type 99 instead of ClientKeyExchange", KX_BOTH, .tamper = t_edit,
     .edit = ed_cke, .tdir = C2S, .tidx = C_CKE, .param = CKE_TYPE_99,
     .e = E_S(A_UNEXPECTED, "ClientKeyExchange", P)},
    /* RFC 5246 7.4.7.1: a ciphertext of the wrong length or >= n is public,
     * but an early alert for it would still be a visible difference: it
     * takes the random premaster like every other bad one (as OpenSSL) */
    {"kx", "EncryptedPreMasterSecret one byte short", KX_RSA, .tamper = t_edit, .edit = ed_cke,
     .tdir = C2S, .tidx = C_CKE, .param = CKE_RSA_SHORT, .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"kx", "EncryptedPreMasterSecret one byte long", KX_RSA, .tamper = t_edit, .edit = ed_cke,
     .tdir = C2S, .tidx = C_CKE, .param = CKE_RSA_LONG, .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"kx", "EncryptedPreMasterSecret >= n", KX_RSA, .tamper = t_edit, .edit = ed_cke, .tdir = C2S,
     .tidx = C_CKE, .param = CKE_RSA_CT_GE_N, .e = E_S(A_BAD_MAC, "client Finished", D)},
    /* RFC 5246 7.4.7.1: a bad padding, length or version must look exactly
     * like a wrong premaster: the handshake goes on with a random premaster
     * and fails at the client Finished, whose record no longer verifies
     * (bad_record_mac, as OpenSSL); the last row is the reference. */
    {"kx", "PKCS#1: block type 01", KX_RSA, .tamper = t_edit, .edit = ed_cke, .tdir = C2S,
     .tidx = C_CKE, .param = PAD_BAD_TYPE, .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"kx", "PKCS#1: first byte 01", KX_RSA, .tamper = t_edit, .edit = ed_cke, .tdir = C2S,
     .tidx = C_CKE, .param = PAD_FIRST_NONZERO, .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"kx", "PKCS#1: no zero separator", KX_RSA, .tamper = t_edit, .edit = ed_cke, .tdir = C2S,
     .tidx = C_CKE, .param = PAD_NO_SEPARATOR, .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"kx", "PKCS#1: padding string of 7 bytes", KX_RSA, .tamper = t_edit, .edit = ed_cke,
     .tdir = C2S, .tidx = C_CKE, .param = PAD_SHORT_PS, .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"kx", "PKCS#1: 47-byte premaster", KX_RSA, .tamper = t_edit, .edit = ed_cke, .tdir = C2S,
     .tidx = C_CKE, .param = PAD_PM_47, .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"kx", "PKCS#1: 49-byte premaster", KX_RSA, .tamper = t_edit, .edit = ed_cke, .tdir = C2S,
     .tidx = C_CKE, .param = PAD_PM_49, .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"kx", "PKCS#1: premaster version 3.2", KX_RSA, .tamper = t_edit, .edit = ed_cke, .tdir = C2S,
     .tidx = C_CKE, .param = PAD_BAD_VERSION, .e = E_S(A_BAD_MAC, "client Finished", D)},
    {"kx", "PKCS#1: good padding, other random premaster (reference)", KX_RSA, .tamper = t_edit,
     .edit = ed_cke, .tdir = C2S, .tidx = C_CKE, .param = PAD_GOOD_OTHER_PM,
     .e = E_S(A_BAD_MAC, "client Finished", D)},
};

/* ---------------------------------------------------------------- runner */

static neg_run R;

typedef struct outcome {
    int who; /* OK_BOTH, FAIL_C, FAIL_S, or 0: nobody failed but not both done */
    int alert, recv;
    const char *step;
    hsb_rc rc;
    char err[400];
} outcome;

static void observe(neg_run *r, outcome *o)
{
    memset(o, 0, sizeof *o);
    int dc = neg_dead(r, SIDE_C), ds = neg_dead(r, SIDE_S);
    /* The first to fail is the one that did not merely receive an alert. */
    int side;
    if (dc && ds)
        side = hsb_tls_conn_alert_sent(r->sv->conn) >= 0 ||
                       hsb_tls_conn_alert_received(r->cl->conn) >= 0
                   ? SIDE_S
                   : SIDE_C;
    else if (dc)
        side = SIDE_C;
    else if (ds)
        side = SIDE_S;
    else {
        o->who = r->done[0] && r->done[1] ? OK_BOTH : 0;
        o->alert = o->recv = NONE;
        return;
    }
    hsb_tls_conn *c = neg_conn(r, side);
    o->who = side == SIDE_C ? FAIL_C : FAIL_S;
    o->alert = hsb_tls_conn_alert_sent(c);
    o->recv = hsb_tls_conn_alert_received(c);
    o->step = hsb_tls_conn_failed_step(c);
    o->rc = hsb_tls_conn_rc(c);
    snprintf(o->err, sizeof o->err, "%s", hsb_tls_conn_error(c));
}

static const char *who_name(int who)
{
    return who == OK_BOTH  ? "nobody (success)"
           : who == FAIL_C ? "client"
           : who == FAIL_S ? "server"
                           : "nobody (stalled)";
}

/* Compare; on mismatch write why. */
static int judge(neg_run *r, const expect *e, const outcome *o, char *why, size_t n)
{
    if (r->harness[0]) {
        snprintf(why, n, "harness: %s", r->harness);
        return 0;
    }
    if (o->who != e->who) {
        snprintf(why, n, "expected %s to fail, got %s; client: '%s' server: '%s'", who_name(e->who),
                 who_name(o->who), hsb_tls_conn_error(r->cl->conn),
                 hsb_tls_conn_error(r->sv->conn));
        return 0;
    }
    if (e->who == OK_BOTH) return 1;
    if (o->alert != e->alert) {
        snprintf(why, n, "expected alert %s(%d), got %s(%d): '%s'", hsb_tls_alert_name(e->alert),
                 e->alert, o->alert < 0 ? "none" : hsb_tls_alert_name(o->alert), o->alert, o->err);
        return 0;
    }
    if (e->recv != NONE && o->recv != e->recv) {
        snprintf(why, n, "expected to receive alert %d, got %d: '%s'", e->recv, o->recv, o->err);
        return 0;
    }
    if (e->step && (!o->step || strcmp(o->step, e->step) != 0)) {
        snprintf(why, n, "expected the failure at '%s', got '%s': '%s'", e->step,
                 o->step ? o->step : "(none)", o->err);
        return 0;
    }
    if (e->rc != HSB_OK && o->rc != e->rc) {
        snprintf(why, n, "expected code %s, got %s: '%s'", hsb_rc_name(e->rc), hsb_rc_name(o->rc),
                 o->err);
        return 0;
    }
    if (o->rc == HSB_E_INTERNAL || o->err[0] == '\0') {
        snprintf(why, n, "no clear error (code %s, '%s')", hsb_rc_name(o->rc), o->err);
        return 0;
    }
    /* the error line names the alert it sent */
    if (e->alert >= 0 && !strstr(o->err, hsb_tls_alert_name(e->alert))) {
        snprintf(why, n, "error line does not name the alert: '%s'", o->err);
        return 0;
    }
    /* the peer got that alert (it was not lost or garbled) and died of it */
    if (e->alert >= 0) {
        hsb_tls_conn *peer = neg_conn(r, e->who == FAIL_C ? SIDE_S : SIDE_C);
        if (hsb_tls_conn_alert_received(peer) != e->alert || hsb_tls_conn_rc(peer) == HSB_OK) {
            snprintf(why, n, "peer did not receive the alert (received %d, '%s')",
                     hsb_tls_conn_alert_received(peer), hsb_tls_conn_error(peer));
            return 0;
        }
        if (hsb_tls_conn_alert_sent(peer) != NONE) {
            snprintf(why, n, "peer answered a fatal alert with alert %d",
                     hsb_tls_conn_alert_sent(peer));
            return 0;
        }
    }
    return 1;
}

/* One connection for row c with parameter param: 1 pass, 0 fail, -1 skipped. */
static int run_once(const neg_case *c, neg_end *cl, neg_end *sv, long param, outcome *o, char *why,
                    size_t why_len)
{
    neg_run *r = &R;
    cur_case = c;
    neg_run_start(r, cl, sv, c->tamper, param);
    if (c->custom) {
        neg_handshake(r);
        if (!r->done[0] || !r->done[1]) {
            snprintf(why, why_len, "handshake failed: %s / %s", hsb_tls_conn_error(cl->conn),
                     hsb_tls_conn_error(sv->conn));
            return 0;
        }
        memset(o, 0, sizeof *o);
        o->who = OK_BOTH;
        return c->custom(r, c, why, why_len);
    }
    neg_handshake(r);
    if (r->skip) return -1;
    if (c->app && r->done[0] && r->done[1] && !neg_dead(r, SIDE_C) && !neg_dead(r, SIDE_S)) {
        if (!c->app(r)) neg_harness_error(r, "application data could not be sent");
    }
    if (r->skip) return -1;
    neg_settle(r);
    if ((c->tamper || c->edit) && !r->hit) neg_harness_error(r, "the tamper never fired");
    observe(r, o);
    expect e = c->e;
    if (c->efn) c->efn(r, c, &e);
    return judge(r, &e, o, why, why_len);
}

/* A clean connection on the default ends: handshake, data both ways, close. */
static int control(neg_end *cl, neg_end *sv, char *why, size_t why_len)
{
    neg_run *r = &R;
    cur_case = NULL;
    neg_run_start(r, cl, sv, NULL, 0);
    neg_handshake(r);
    if (!r->done[0] || !r->done[1]) {
        snprintf(why, why_len, "control handshake failed: %s / %s", hsb_tls_conn_error(cl->conn),
                 hsb_tls_conn_error(sv->conn));
        return 0;
    }
    if (!wrote_ok(r, SIDE_C, "ping", why, why_len) || !wrote_ok(r, SIDE_S, "pong", why, why_len))
        return 0;
    if (hsb_tls_close(cl->conn) != HSB_OK) {
        snprintf(why, why_len, "close failed");
        return 0;
    }
    size_t n = 0;
    if (neg_read(r, SIDE_S, &n) != HSB_OK ||
        hsb_tls_conn_alert_received(sv->conn) != HSB_TLS_ALERT_CLOSE_NOTIFY) {
        snprintf(why, why_len, "close_notify not seen: %s", hsb_tls_conn_error(sv->conn));
        return 0;
    }
    return 1;
}

static void describe(const outcome *o, char *buf, size_t n)
{
    if (o->who == OK_BOTH) {
        snprintf(buf, n, "handshake succeeds");
        return;
    }
    if (o->alert >= 0)
        snprintf(buf, n, "%s sends %s(%d) at %s", o->who == FAIL_C ? "client" : "server",
                 hsb_tls_alert_name(o->alert), o->alert, o->step ? o->step : "?");
    else
        snprintf(buf, n, "%s fails at %s (%s), no alert%s%s",
                 o->who == FAIL_C ? "client" : "server", o->step ? o->step : "?",
                 hsb_rc_name(o->rc), o->recv >= 0 ? ", received " : "",
                 o->recv >= 0 ? hsb_tls_alert_name(o->recv) : "");
}

static void run_case(const neg_case *c, const char *comp, unsigned kx)
{
    int st1, st2;
    unsigned ckx = c->ckx ? c->ckx : kx, skx = c->skx ? c->skx : kx;
    unsigned both = c->xopts | mac_opts;
    neg_end *cl = get_end(HSB_TLS_CLIENT, comp, ckx, c->cert, c->copts | both, &st1);
    neg_end *sv = st1 == 1 ? get_end(HSB_TLS_SERVER, comp, skx, c->cert, both, &st2) : NULL;
    char label[200];
    snprintf(label, sizeof label, "[%s %s%s] %s", comp, kx == KX_RSA ? "rsa" : "dhe",
             mac_opts & NEG_OPT_NO_ETM ? " mte" : "", c->name);
    if (st1 == -1 || (st1 == 1 && st2 == -1)) {
        printf("SKIP %s: composition lacks a class\n", label);
        skips++;
        return;
    }
    if (!cl || !sv) {
        printf("FAIL %s: setup\n", label);
        failures++;
        return;
    }
    cur_kx = kx;
    char why[1100] = "", desc[200] = "";
    outcome o;
    int ok = 1;
    long n = c->sweep > 0 ? c->sweep : 1, ran = 0, step = 1;
    int counts[256] = {0};
    for (long p = c->sweep > 0 ? c->param : 0; p < n && ok; p += step) {
        long param = c->sweep > 0 ? p : c->param;
        /* Every bit under RSA; under DHE (a handshake costs ~6x more) and in
         * --quick runs, every bit of the header and every 11th after it. */
        if ((quick || kx == KX_DHE) && c->efn && p >= 40) step = 11;
        char w1[800] = "";
        int rc = run_once(c, cl, sv, param, &o, w1, sizeof w1);
        if (rc < 0) continue;
        ran++;
        if (o.alert >= 0 && o.alert < 256) counts[o.alert]++;
        if (rc == 0) {
            ok = 0;
            if (c->sweep > 0)
                snprintf(why, sizeof why, "param %ld: %s", param, w1);
            else
                snprintf(why, sizeof why, "%s", w1);
        }
        if (ok && c->sweep == 0) describe(&o, desc, sizeof desc);
        if (ok && c->custom) snprintf(desc, sizeof desc, "all checks passed");
    }
    if (ok && c->sweep > 0) {
        size_t off = (size_t)snprintf(desc, sizeof desc, "%ld connections:", ran);
        for (int a = 0; a < 256 && off < sizeof desc; a++)
            if (counts[a])
                off += (size_t)snprintf(desc + off, sizeof desc - off, " %s x%d",
                                        hsb_tls_alert_name(a), counts[a]);
        if (ran == 0) {
            ok = 0;
            snprintf(why, sizeof why, "no parameter applied");
        }
    }
    /* the same conns must serve a clean connection afterwards */
    int s1, s2;
    neg_end *dcl = get_end(HSB_TLS_CLIENT, comp, kx, HSB_CERT_GOOD, both, &s1);
    neg_end *dsv = get_end(HSB_TLS_SERVER, comp, kx, HSB_CERT_GOOD, both, &s2);
    char cwhy[800];
    _Static_assert(sizeof cwhy + 40 < sizeof why, "why holds cwhy");
    if (ok && (!dcl || !dsv || !control(dcl, dsv, cwhy, sizeof cwhy))) {
        ok = 0;
        snprintf(why, sizeof why, "after the case: %s", dcl && dsv ? cwhy : "no default ends");
    }
    if (ok && (sv != dsv || cl != dcl)) {
        /* and the case's own server conn serves its own kind of client */
        if (c->cert == HSB_CERT_GOOD || c->cert == HSB_CERT_WITH_INTERMEDIATE) {
            neg_end *own = get_end(HSB_TLS_CLIENT, comp, skx, c->cert, both, &s1);
            if (own && !control(own, sv, cwhy, sizeof cwhy)) {
                ok = 0;
                snprintf(why, sizeof why, "case's server afterwards: %s", cwhy);
            }
        }
    }
    if (ok) {
        printf("ok   %s: %s\n", label, desc);
        passes++;
    } else {
        printf("FAIL %s: %s\n", label, why);
        failures++;
    }
    fflush(stdout);
}

/* Row c under each key exchange and composition asked for. */
static void run_kxs(const neg_case *c, const char *kxname, const char *comp)
{
    /* cipher=native (its cbc-hmac record class) only when asked for by name. */
    static const char *const comps[] = {"openssl", "pk=gmp", "cipher=native"};
    static const unsigned kxs[] = {KX_RSA, KX_DHE};
    for (size_t k = 0; k < 2; k++) {
        if (!(c->kxs & kxs[k])) continue;
        if (kxname && strcmp(kxname, kxs[k] == KX_RSA ? "rsa" : "dhe") != 0) continue;
        for (size_t m = 0; m < 3; m++) {
            if ((comp || m == 2) && (!comp || strcmp(comp, comps[m]) != 0)) continue;
            cur_comp = comps[m];
            run_case(c, comps[m], kxs[k]);
        }
    }
}

int main(int argc, char **argv)
{
    const char *only = NULL, *name = NULL, *comp = NULL, *kxname = NULL, *mac = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--group") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--case") && i + 1 < argc)
            name = argv[++i];
        else if (!strcmp(argv[i], "--comp") && i + 1 < argc)
            comp = argv[++i];
        else if (!strcmp(argv[i], "--kx") && i + 1 < argc)
            kxname = argv[++i];
        else if (!strcmp(argv[i], "--mac") && i + 1 < argc)
            mac = argv[++i];
        else if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--verbose"))
            verbose = 1;
        else {
            fprintf(stderr,
                    "usage: %s [--group flips|records|hello|certs|kx|gcm] [--case SUBSTRING]\n"
                    "       [--comp openssl|pk=gmp|cipher=native] [--kx rsa|dhe] [--mac etm|mte] "
                    "[--quick]\n"
                    "       [--verbose]\n",
                    argv[0]);
            return 2;
        }
    }
    srand(12345);
    time_t t0 = time(NULL);
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const neg_case *c = &cases[ci];
        if (only && strcmp(only, c->group) != 0) continue;
        if (name && !strstr(c->name, name)) continue;
        for (int order = 0; order < 2; order++) {
            /* the record groups in both MAC orders (RFC 7366 3 / 5246 6.2.3.2) */
            int records = !strcmp(c->group, "flips") || !strcmp(c->group, "records");
            if (order == 1 && !records) continue;
            if (mac && records && strcmp(mac, order ? "mte" : "etm") != 0) continue;
            mac_opts = order ? NEG_OPT_NO_ETM : 0;
            run_kxs(c, kxname, comp);
        }
    }
    free_ends();
    printf("%d passed, %d skipped, %d failed (%ld s)\n", passes, skips, failures,
           (long)(time(NULL) - t0));
    if (passes == 0) return 1;
    return failures ? 1 : 0;
}
