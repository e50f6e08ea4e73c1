/*
 * hsbench bulk: throughput of the record layer's primitives by buffer size.
 *
 *   aes128-cbc-enc, aes128-cbc-dec   one call over the buffer, IV chained
 *   aes128-ctr                       one call over the buffer
 *   aes128-gcm                       seal: 12-byte IV, 13-byte AAD (as TLS's
 *                                    additional data), 16-byte tag
 *   sha256                           hash the buffer (update + final)
 *   hmac-sha256                      MAC the buffer under a 32-byte key
 *   record-seal, record-open         our TLS core's CBC + HMAC-SHA256 record
 *                                    layer (hsb_tls_write / hsb_tls_read) on a
 *                                    connection after a real handshake,
 *                                    MAC-then-encrypt (RFC 5246 6.2.3.2: what
 *                                    these rows always measured)
 *   record-seal-etm, record-open-etm the same with encrypt-then-MAC (RFC 7366,
 *                                    which libssl negotiates by default)
 *                                    (--etm on|off|both picks the orders)
 *   record-seal-gcm, record-open-gcm TLS_RSA_WITH_AES_128_GCM_SHA256 records
 *                                    (RFC 5288) through the gcm class
 *
 * Reference rows. Primitives ("evp-reference"): OpenSSL EVP doing the same
 * on the same threads: EVP_EncryptUpdate / EVP_DecryptUpdate (padding off,
 * context reused), the GCM sequence with EVP_CTRL_AEAD_GET_TAG, EVP_Digest*,
 * EVP_MAC (re-initialised with its key per message).
 * Records: "libssl-reference" is libssl's own record layer, SSL_write (seal)
 * or SSL_read (open) of one record on a memory BIO pair after a real
 * handshake of the same suite in the row's MAC order (record-seal: no
 * encrypt_then_mac, SSL_OP_NO_ENCRYPT_THEN_MAC, where libssl uses OpenSSL's
 * stitched AES-CBC + HMAC-SHA256; record-seal-etm: encrypt_then_mac
 * negotiated, libssl's default) (bulk_record.c). Every record row's
 * ratio_to_reference is to it. Beside it, "evp-pieces-reference": the
 * record by hand with EVP in the row's MAC order (RFC 5246 6.2.3.2: HMAC
 * over seq_num, header and data, then CBC with an explicit random IV; RFC
 * 7366: CBC first, then HMAC over the header, IV and ciphertext); its
 * opener is a plain one (not hardened against padding timing). Its own
 * ratio is to libssl's row.
 *
 * Before a row is measured its output on one buffer is compared with
 * OpenSSL's; a wrong answer fails the row instead of timing it.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_bulk.h"
#include "hsb_ref_libssl.h"
#include "hsb_rowgroup.h"

static const char *const variant_names[BK_COUNT] = {
    "aes128-cbc-enc",      "aes128-cbc-dec",  "aes128-ctr",
    "aes128-gcm",          "sha256",          "hmac-sha256",
    "record-seal",         "record-open",     "record-seal-etm",
    "record-open-etm",     "record-seal-gcm", "record-open-gcm",
    "record-seal-streams",
};

/* The classes a variant measures (its row label and availability). */
static unsigned variant_classes(int v)
{
    switch (v) {
    case BK_CBC_ENC:
    case BK_CBC_DEC:
    case BK_CTR:
        return HSB_CLASS_BIT(HSB_CLASS_AES);
    case BK_GCM:
        return HSB_CLASS_BIT(HSB_CLASS_GCM);
    case BK_SHA256:
        return HSB_CLASS_BIT(HSB_CLASS_SHA256);
    case BK_HMAC:
        return HSB_CLASS_BIT(HSB_CLASS_HMAC_SHA256);
    case BK_REC_SEAL:
    case BK_REC_OPEN:
    case BK_REC_SEAL_ETM:
    case BK_REC_OPEN_ETM:
        return HSB_CLASS_BIT(HSB_CLASS_AES) | HSB_CLASS_BIT(HSB_CLASS_HMAC_SHA256);
    case BK_REC_SEAL_GCM:
    case BK_REC_OPEN_GCM:
        return HSB_CLASS_BIT(HSB_CLASS_GCM);
    case BK_REC_SEAL_STREAMS:
        return HSB_CLASS_BIT(HSB_CLASS_CBC_HMAC);
    default:
        return 0;
    }
}

static const uint8_t aad13[13] = {0, 0, 0, 0, 0, 0, 0, 1, 23, 3, 3, 0, 0};

typedef struct bk_state {
    const bk_job *j;
    uint8_t *in, *out; /* cap bytes each (size + 64 and more), 64-aligned */
    size_t cap;
    uint8_t iv[16], tag[16];
    void *ctx;
    size_t ctx_size;
    EVP_CIPHER_CTX *cc;
    EVP_MD_CTX *mc;
    EVP_MAC_CTX *hc;
    void *rec;     /* record-layer state (bulk_record.c) */
    void *streams; /* record-seal-streams state (bulk_streams.c) */
} bk_state;

static void bk_free(void *arg, void *sp)
{
    (void)arg;
    bk_state *s = sp;
    if (!s) return;
    const bk_job *j = s->j;
    if (s->ctx) {
        const hsb_backend *c = &j->p->cls;
        switch (j->variant) {
        case BK_GCM:
            c->gcm->clear(s->ctx);
            break;
        case BK_SHA256:
            c->sha256->clear(s->ctx);
            break;
        case BK_HMAC:
            c->hmac->clear(s->ctx);
            break;
        default:
            c->aes->clear(s->ctx);
            break;
        }
        hsb_ctx_free(s->ctx, s->ctx_size);
    }
    if (s->rec) hsb_bulk_record_free(s->rec);
    hsb_bulk_streams_free(s->streams);
    EVP_CIPHER_CTX_free(s->cc);
    EVP_MD_CTX_free(s->mc);
    EVP_MAC_CTX_free(s->hc);
    hsb_ctx_free(s->in, s->cap);
    hsb_ctx_free(s->out, s->cap);
    free(s);
}

static EVP_MAC_CTX *hmac_ctx(const uint8_t *key, size_t len)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);
    OSSL_PARAM ps[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                        OSSL_PARAM_construct_end()};
    if (c && EVP_MAC_init(c, key, len, ps) != 1) {
        EVP_MAC_CTX_free(c);
        c = NULL;
    }
    return c;
}

static hsb_rc bk_init(void *arg, unsigned tid, void **out)
{
    (void)tid;
    const bk_job *j = arg;
    bk_state *s = calloc(1, sizeof *s);
    HSB_ENSURE(s, HSB_E_NOMEM);
    *out = s;
    s->j = j;
    s->cap = (j->size + 64 + 63) / 64 * 64 + 64 * 2;
    s->in = hsb_ctx_alloc(s->cap); /* zeroed, cache-line aligned */
    s->out = hsb_ctx_alloc(s->cap);
    HSB_ENSURE(s->in && s->out, HSB_E_NOMEM);
    memcpy(s->in, j->data, j->size);
    memcpy(s->iv, j->iv, 16);
    const hsb_backend *c = j->p ? &j->p->cls : NULL;

    if (j->variant == BK_REC_SEAL_STREAMS && j->ref == BK_ROW)
        return hsb_bulk_streams_new(j, &s->streams);
    if (BK_IS_REC(j->variant)) {
        if (j->ref == BK_REF_MAIN) return hsb_bulk_record_libssl_new(j, &s->rec);
        if (j->ref == BK_REF_PIECES) return hsb_bulk_record_ref_new(j, &s->rec);
        return hsb_bulk_record_new(j, &s->rec);
    }
    if (j->ref) {
        const char *cipher = j->variant == BK_CTR   ? "AES-128-CTR"
                             : j->variant == BK_GCM ? "AES-128-GCM"
                                                    : "AES-128-CBC";
        switch (j->variant) {
        case BK_CBC_ENC:
        case BK_CBC_DEC:
        case BK_CTR:
        case BK_GCM: {
            EVP_CIPHER *ci = EVP_CIPHER_fetch(NULL, cipher, NULL);
            s->cc = EVP_CIPHER_CTX_new();
            int enc = j->variant != BK_CBC_DEC;
            int ok = ci && s->cc &&
                     EVP_CipherInit_ex2(s->cc, ci, j->key, j->variant == BK_GCM ? NULL : s->iv, enc,
                                        NULL) == 1 &&
                     EVP_CIPHER_CTX_set_padding(s->cc, 0) == 1;
            EVP_CIPHER_free(ci);
            HSB_ENSURE(ok, HSB_E_CRYPTO);
            return HSB_OK;
        }
        case BK_SHA256:
            HSB_ENSURE((s->mc = EVP_MD_CTX_new()), HSB_E_NOMEM);
            return HSB_OK;
        case BK_HMAC:
            HSB_ENSURE((s->hc = hmac_ctx(j->key, 32)), HSB_E_CRYPTO);
            return HSB_OK;
        default:
            HSB_BAIL(HSB_E_INTERNAL);
        }
    }
    switch (j->variant) {
    case BK_CBC_ENC:
    case BK_CBC_DEC:
    case BK_CTR:
        s->ctx_size = c->aes->ctx_size;
        HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
        return c->aes->init(s->ctx, j->key, 16);
    case BK_GCM:
        s->ctx_size = c->gcm->ctx_size;
        HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
        return c->gcm->init(s->ctx, j->key, 16);
    case BK_SHA256:
        s->ctx_size = c->sha256->ctx_size;
        HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
        return c->sha256->init(s->ctx);
    case BK_HMAC:
        s->ctx_size = c->hmac->ctx_size;
        HSB_ENSURE((s->ctx = hsb_ctx_alloc(s->ctx_size)), HSB_E_NOMEM);
        return c->hmac->init(s->ctx, j->key, 32);
    default:
        HSB_BAIL(HSB_E_INTERNAL);
    }
}

static hsb_rc bk_op(void *sp, hsb_tstats *st)
{
    bk_state *s = sp;
    const bk_job *j = s->j;
    size_t n = j->size;
    int l;
    if (s->streams) return hsb_bulk_streams_op(s->streams);
    if (BK_IS_REC(j->variant)) return hsb_bulk_record_op(s->rec, s->in, s->out, st);
    if (j->ref) {
        switch (j->variant) {
        case BK_CBC_ENC:
        case BK_CTR:
            HSB_ENSURE(EVP_EncryptUpdate(s->cc, s->out, &l, s->in, (int)n) == 1, HSB_E_CRYPTO);
            return HSB_OK;
        case BK_CBC_DEC:
            HSB_ENSURE(EVP_DecryptUpdate(s->cc, s->out, &l, s->in, (int)n) == 1, HSB_E_CRYPTO);
            return HSB_OK;
        case BK_GCM: {
            int l2;
            HSB_ENSURE(EVP_EncryptInit_ex2(s->cc, NULL, NULL, j->iv, NULL) == 1 &&
                           EVP_EncryptUpdate(s->cc, NULL, &l, aad13, sizeof aad13) == 1 &&
                           EVP_EncryptUpdate(s->cc, s->out, &l, s->in, (int)n) == 1 &&
                           EVP_EncryptFinal_ex(s->cc, s->out + l, &l2) == 1 &&
                           EVP_CIPHER_CTX_ctrl(s->cc, EVP_CTRL_AEAD_GET_TAG, 16, s->tag) == 1,
                       HSB_E_CRYPTO);
            return HSB_OK;
        }
        case BK_SHA256: {
            unsigned ol;
            HSB_ENSURE(EVP_DigestInit_ex2(s->mc, j->md, NULL) == 1 &&
                           EVP_DigestUpdate(s->mc, s->in, n) == 1 &&
                           EVP_DigestFinal_ex(s->mc, s->out, &ol) == 1,
                       HSB_E_CRYPTO);
            return HSB_OK;
        }
        case BK_HMAC: {
            size_t ol;
            HSB_ENSURE(EVP_MAC_init(s->hc, NULL, 0, NULL) == 1 &&
                           EVP_MAC_update(s->hc, s->in, n) == 1 &&
                           EVP_MAC_final(s->hc, s->out, &ol, 32) == 1,
                       HSB_E_CRYPTO);
            return HSB_OK;
        }
        default:
            HSB_BAIL(HSB_E_INTERNAL);
        }
    }
    const hsb_backend *c = &j->p->cls;
    switch (j->variant) {
    case BK_CBC_ENC:
        return c->aes->cbc_encrypt(s->ctx, s->iv, s->out, s->in, n);
    case BK_CBC_DEC:
        return c->aes->cbc_decrypt(s->ctx, s->iv, s->out, s->in, n);
    case BK_CTR:
        return c->aes->ctr(s->ctx, s->iv, s->out, s->in, n);
    case BK_GCM:
        return c->gcm->seal(s->ctx, j->iv, 12, aad13, sizeof aad13, s->out, s->in, n, s->tag);
    case BK_SHA256:
        c->sha256->update(s->ctx, s->in, n);
        c->sha256->final(s->ctx, s->out);
        return HSB_OK;
    case BK_HMAC:
        c->hmac->update(s->ctx, s->in, n);
        c->hmac->final(s->ctx, s->out);
        return HSB_OK;
    default:
        HSB_BAIL(HSB_E_INTERNAL);
    }
}

/* One operation of the backend row and of the reference on fresh states;
 * the outputs must agree. 1 when right. */
static int bk_verify(void *arg, char *err, size_t len)
{
    bk_job *j = arg;
    if (j->variant == BK_REC_SEAL_STREAMS) return hsb_bulk_streams_verify(j, err, len);
    if (j->variant >= BK_REC_SEAL) return hsb_bulk_record_verify(j, err, len);
    bk_job rj = *j;
    rj.ref = BK_REF_MAIN;
    rj.p = NULL;
    void *a = NULL, *b = NULL;
    int ok = 0;
    if (bk_init(j, 0, &a) != HSB_OK || bk_init(&rj, 0, &b) != HSB_OK) {
        snprintf(err, len, "set-up failed: %s", hsb_last_error());
    } else if (bk_op(a, NULL) != HSB_OK || bk_op(b, NULL) != HSB_OK) {
        snprintf(err, len, "operation failed: %s", hsb_last_error());
    } else {
        bk_state *x = a, *y = b;
        size_t cmp = j->variant == BK_SHA256 || j->variant == BK_HMAC ? 32 : j->size;
        ok = memcmp(x->out, y->out, cmp) == 0 &&
             (j->variant != BK_GCM || memcmp(x->tag, y->tag, 16) == 0);
        if (!ok) snprintf(err, len, "output differs from OpenSSL EVP's: not measured");
    }
    bk_free(NULL, a);
    bk_free(NULL, b);
    return ok;
}

/* Can composition c measure variant v? A primitive row needs its class from
 * the backend named for it. A record row measures the pair: it runs when the
 * named backend serves either class, and its label names both
 * ("native+openssl"). */
static int row_ok(const hsb_comp *c, int v, unsigned cls, char *why, size_t len)
{
    /* GCM records: the gcm class from the backend named for it, never
     * another's (the handshake's PRF classes are not what the row measures) */
    if (v < BK_REC_SEAL || BK_IS_GCM(v) || v == BK_REC_SEAL_STREAMS)
        return hsb_suite_row_available(c, cls, why, len);
    if (!c->p.cls.aes || !c->p.cls.hmac) {
        snprintf(why, len, "no aes or hmac-sha256 at all");
        return 0;
    }
    if (hsb_suite_row_available(c, HSB_CLASS_BIT(HSB_CLASS_AES), why, len)) return 1;
    if (hsb_suite_row_available(c, HSB_CLASS_BIT(HSB_CLASS_HMAC_SHA256), why, len)) return 1;
    snprintf(why, len, "%.60s has neither aes nor hmac-sha256", c->spec);
    return 0;
}

/* What a group's callbacks share: the variant's inputs (job) and one copy
 * of it per row (rows[], alive until the flush). */
typedef struct bk_group {
    const hsb_comp *comps;
    bk_job job;
    bk_job *rows;
} bk_group;

static int bk_available(void *ctx, const hsb_comp *c, char *why, size_t len)
{
    const bk_group *bg = ctx;
    return row_ok(c, bg->job.variant, variant_classes(bg->job.variant), why, len);
}

static hsb_rc bk_row(void *ctx, int comp, size_t slot, hsb_work *w, char *err, size_t len)
{
    (void)err, (void)len;
    bk_group *bg = ctx;
    bk_job *j = &bg->rows[slot];
    *j = bg->job;
    j->ref = comp == -1 ? BK_REF_MAIN : comp == -2 ? BK_REF_PIECES : BK_ROW;
    j->p = comp < 0 ? NULL : &bg->comps[comp].p;
    *w = (hsb_work){bk_init, bk_op, bk_free, j, 0, 0};
    return HSB_OK;
}

/* One variant at one size, at every thread count. */
static hsb_rc bk_variant(hsb_report *r, const hsb_opts *o, const hsb_comp *comps, size_t nc,
                         bk_group *bg, size_t si)
{
    int v = bg->job.variant, rec = BK_IS_REC(v);
    unsigned cls = variant_classes(v);
    size_t k = bg->job.streams ? bg->job.streams : 1; /* records per operation */
    hsb_bench_random(bg->job.key, sizeof bg->job.key);
    hsb_bench_random(bg->job.iv, sizeof bg->job.iv);
    char ssl_impl[200];
    char times[48] = "";
    if (v == BK_REC_SEAL_STREAMS) snprintf(times, sizeof times, " x %zu on one connection", k);
    snprintf(ssl_impl, sizeof ssl_impl, "%s %s%s (%s)", hsb_ossl_impl(),
             BK_IS_OPEN(v) ? "SSL_read" : "SSL_write", times,
             BK_IS_GCM(v)   ? "AES128-GCM-SHA256"
             : BK_IS_ETM(v) ? "AES128-SHA256, encrypt-then-MAC"
                            : "AES128-SHA256, MAC-then-encrypt");
    hsb_group g = {
        .suite = "bulk",
        .variant = variant_names[v],
        .bytes = k * bg->job.size, /* per operation: K records of the streams rows */
        .streams = (unsigned)bg->job.streams,
        .dh_check = -1,
        .ref_backend = rec ? "libssl-reference" : "evp-reference",
        .ref_impl_key = rec ? "record" : variant_names[v],
        .ref_impl_val = rec ? ssl_impl : "openssl:EVP",
        .ref2_backend = rec && !BK_IS_GCM(v) ? "evp-pieces-reference" : NULL,
        .ref2_impl_key = "record",
        .ref2_impl_val = "openssl:EVP AES-128-CBC + EVP_MAC HMAC, the record by hand",
        .need = cls,
        .impls = cls | (v == BK_REC_SEAL_STREAMS ? HSB_CLASS_BIT(HSB_CLASS_RNG)
                        : rec && !BK_IS_GCM(v)
                            ? HSB_CLASS_BIT(HSB_CLASS_RNG) | HSB_CLASS_BIT(HSB_CLASS_SHA256)
                            : 0),
        .note_unavailable = si == 0,
        .available = bk_available,
        .row = bk_row,
        .verify = bk_verify,
        .ctx = bg,
    };
    return hsb_group_run(r, o, comps, nc, &g);
}

/* A record carries at most 2^14 bytes (RFC 5246 6.2.1): larger sizes are
 * left out of the record rows, with one note. */
static int record_size_ok(hsb_report *r, const hsb_opts *o, int v, size_t si)
{
    if (v < BK_REC_SEAL || o->sizes[si] <= 16384) return 1;
    if (si == 0 || o->sizes[si - 1] <= 16384)
        hsb_report_note(r,
                        "bulk/%s: sizes above 16384 left out (a record carries "
                        "at most 2^14 bytes, RFC 5246 6.2.1)",
                        variant_names[v]);
    return 0;
}

/* --suite and --etm: the record rows of the protections and MAC orders
 * asked for. */
static int mac_order_ok(const hsb_opts *o, int v)
{
    if (!BK_IS_REC(v)) return 1;
    if (!(o->ciphers & (BK_IS_GCM(v) ? HSB_CIPH_GCM : HSB_CIPH_CBC))) return 0; /* --suite */
    /* --streams: MAC-then-encrypt only (the cbc-hmac class's order) */
    if (v == BK_REC_SEAL_STREAMS) return o->streams > 0;
    if (BK_IS_GCM(v) || o->etm == HSB_ETM_BOTH) return 1;
    return BK_IS_ETM(v) == (o->etm == HSB_ETM_ON);
}

hsb_rc hsb_suite_bulk(hsb_report *r, const hsb_opts *o)
{
    hsb_comp comps[HSB_MAX_SPECS];
    unsigned want = HSB_CLASS_BIT(HSB_CLASS_AES) | HSB_CLASS_BIT(HSB_CLASS_GCM) |
                    HSB_CLASS_BIT(HSB_CLASS_SHA256) | HSB_CLASS_BIT(HSB_CLASS_HMAC_SHA256);
    if (o->streams) want |= HSB_CLASS_BIT(HSB_CLASS_CBC_HMAC);
    size_t nc;
    HSB_GUARD(hsb_suite_compositions(o, want, comps, HSB_MAX_SPECS, &nc));

    bk_group bg = {.comps = comps};
    bg.rows = calloc(nc + 2, sizeof *bg.rows); /* and the two references */
    uint8_t *data = malloc((1u << 20) + 64);   /* the largest --sizes value */
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
    hsb_rc rc = bg.rows && data && md ? HSB_OK : HSB_E_NOMEM;
    if (rc == HSB_OK) hsb_bench_random(data, (1u << 20) + 64);
    for (int v = 0; v < BK_COUNT && rc == HSB_OK; v++)
        for (size_t si = 0; si < o->n_sizes && rc == HSB_OK; si++) {
            if (!record_size_ok(r, o, v, si) || !mac_order_ok(o, v)) continue;
            bg.job = (bk_job){.variant = v, .size = o->sizes[si], .data = data, .md = md};
            if (v == BK_REC_SEAL_STREAMS) bg.job.streams = o->streams;
            rc = bk_variant(r, o, comps, nc, &bg, si);
        }
    EVP_MD_free(md);
    free(data);
    free(bg.rows);
    return rc;
}
