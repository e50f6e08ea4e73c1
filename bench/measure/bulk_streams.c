/*
 * The record-seal-streams rows of the bulk suite (hsbench bulk --streams K):
 * one operation seals one MAC-then-encrypt record (RFC 5246 6.2.3.2,
 * AES-128-CBC + HMAC-SHA256) of each of K connections, K x size bytes.
 *
 *  - ours: K contexts of the composition's cbc-hmac class, each under its
 *    own random AES and MAC keys with its own sequence number; per
 *    operation the K explicit IVs come from the composition's rng, each
 *    record's header is written and its data copied into its connection's
 *    record buffer (as the record layer does), and the K records are sealed
 *    through the class's seal_batch, seal_lanes at a time (a class without
 *    seal_batch: its one-record seal K times; the row's implementations say
 *    which);
 *  - libssl's reference: SSL_write of one record K times on one connection
 *    (libssl has no batch across connections; its one stream), the same
 *    bytes per operation, so the ratio is per core;
 *  - EVP pieces: the record by hand K times (bulk_record.c).
 *
 * Before ours is timed, one batch is sealed and every record decrypted and
 * verified with OpenSSL EVP (CBC, padding, HMAC over the header and data).
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_bulk.h"
#include "hsb_keys.h"

#define REC_ROOM 128 /* header, IV, MAC, padding around the data */

typedef struct conn_st {
    void *ctx;       /* the cbc-hmac class's context */
    uint8_t key[48]; /* AES key [0..16), MAC key [16..48) (kept for the check) */
    uint64_t seq;
    uint8_t *rec; /* header(5) || IV(16) || sealed data */
    uint8_t hdr[13];
} conn_st;

typedef struct streams_st {
    const hsb_backend *cls;
    size_t k, size;
    const uint8_t *data;
    conn_st *c;
    hsb_cbc_hmac_job *jobs;
    uint8_t *ivs;
} streams_st;

void hsb_bulk_streams_free(void *state)
{
    streams_st *s = state;
    if (!s) return;
    for (size_t i = 0; s->c && i < s->k; i++) {
        if (s->c[i].ctx) {
            s->cls->cbc_hmac->clear(s->c[i].ctx);
            hsb_ctx_free(s->c[i].ctx, s->cls->cbc_hmac->ctx_size);
        }
        free(s->c[i].rec);
        OPENSSL_cleanse(s->c[i].key, sizeof s->c[i].key);
    }
    free(s->c);
    free(s->jobs);
    free(s->ivs);
    free(s);
}

hsb_rc hsb_bulk_streams_new(const bk_job *j, void **out)
{
    streams_st *s = calloc(1, sizeof *s);
    HSB_ENSURE(s, HSB_E_NOMEM);
    *out = s;
    s->cls = &j->p->cls;
    s->k = j->streams;
    s->size = j->size;
    s->data = j->data;
    s->c = calloc(s->k, sizeof *s->c);
    s->jobs = calloc(s->k, sizeof *s->jobs);
    s->ivs = malloc(16 * s->k);
    HSB_ENSURE(s->c && s->jobs && s->ivs, HSB_E_NOMEM);
    const hsb_cbc_hmac_class *cc = s->cls->cbc_hmac;
    for (size_t i = 0; i < s->k; i++) {
        conn_st *c = &s->c[i];
        c->rec = malloc(j->size + REC_ROOM);
        c->ctx = hsb_ctx_alloc(cc->ctx_size);
        HSB_ENSURE(c->rec && c->ctx, HSB_E_NOMEM);
        hsb_bench_random(c->key, sizeof c->key);
        hsb_bench_random(&c->seq, sizeof c->seq);
        c->seq >>= 1; /* far from the end of the sequence space */
        HSB_GUARD(cc->init(c->ctx, c->key, 16, c->key + 16, 32));
    }
    return HSB_OK;
}

/* The jobs of one operation: per connection its IV, header and data. */
static hsb_rc streams_prepare(streams_st *s)
{
    HSB_GUARD(s->cls->rng->fill(s->ivs, 16 * s->k));
    size_t body = 16 + (s->size + 32 + 16) / 16 * 16;
    for (size_t i = 0; i < s->k; i++) {
        conn_st *c = &s->c[i];
        uint8_t *r = c->rec;
        r[0] = 23; /* application_data, TLS 1.2, RFC 5246 6.2.1 */
        r[1] = 3;
        r[2] = 3;
        r[3] = (uint8_t)(body >> 8);
        r[4] = (uint8_t)body;
        memcpy(r + 5, s->ivs + 16 * i, 16);
        memcpy(r + 21, s->data, s->size);
        for (int b = 0; b < 8; b++) c->hdr[b] = (uint8_t)(c->seq >> (56 - 8 * b));
        c->hdr[8] = 23;
        c->hdr[9] = 3;
        c->hdr[10] = 3;
        c->hdr[11] = (uint8_t)(s->size >> 8);
        c->hdr[12] = (uint8_t)s->size;
        c->seq++;
        s->jobs[i] = (hsb_cbc_hmac_job){
            .ctx = c->ctx, .hdr = c->hdr, .iv = r + 5, .buf = r + 21, .len = s->size};
    }
    return HSB_OK;
}

hsb_rc hsb_bulk_streams_op(void *state)
{
    streams_st *s = state;
    const hsb_cbc_hmac_class *cc = s->cls->cbc_hmac;
    HSB_GUARD(streams_prepare(s));
    if (!cc->seal_batch || cc->seal_lanes == 0) {
        for (size_t i = 0; i < s->k; i++) {
            hsb_cbc_hmac_job *jb = &s->jobs[i];
            HSB_GUARD(cc->seal(jb->ctx, jb->hdr, jb->iv, jb->buf, jb->len, &jb->out_len));
        }
        return HSB_OK;
    }
    for (size_t i = 0; i < s->k; i += cc->seal_lanes) {
        size_t n = s->k - i < cc->seal_lanes ? s->k - i : cc->seal_lanes;
        HSB_GUARD(cc->seal_batch(s->jobs + i, n));
    }
    return HSB_OK;
}

/* EVP opens connection c's last record: CBC, padding, HMAC (one-shot, over
 * header || data, decrypted after a copy of the header). */
static int evp_opens(const conn_st *c, const hsb_cbc_hmac_job *jb, const uint8_t *data, size_t size)
{
    size_t n = jb->out_len;
    uint8_t *m = malloc(13 + n), *plain = m ? m + 13 : NULL;
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    int l = 0, ok = m && cx && n >= 48 && n % 16 == 0 &&
                    EVP_DecryptInit_ex(cx, EVP_aes_128_cbc(), NULL, c->key, jb->iv) == 1 &&
                    EVP_CIPHER_CTX_set_padding(cx, 0) == 1 &&
                    EVP_DecryptUpdate(cx, plain, &l, jb->buf, (int)n) == 1 && (size_t)l == n;
    size_t pad = ok ? plain[n - 1] : 0;
    ok = ok && n == size + 32 + pad + 1;
    for (size_t i = size + 32; ok && i < n; i++) ok = plain[i] == pad;
    uint8_t mac[32];
    unsigned ml = 0;
    if (ok) memcpy(m, jb->hdr, 13);
    ok = ok && HMAC(EVP_sha256(), c->key + 16, 32, m, 13 + size, mac, &ml) &&
         CRYPTO_memcmp(mac, plain + size, 32) == 0 && memcmp(plain, data, size) == 0;
    EVP_CIPHER_CTX_free(cx);
    free(m);
    return ok;
}

int hsb_bulk_streams_verify(const bk_job *j, char *err, size_t len)
{
    void *st = NULL;
    int ok = 0;
    if (hsb_bulk_streams_new(j, &st) != HSB_OK) {
        snprintf(err, len, "set-up failed: %s", hsb_last_error());
    } else if (hsb_bulk_streams_op(st) != HSB_OK) {
        snprintf(err, len, "sealing a batch failed: %s", hsb_last_error());
    } else {
        streams_st *s = st;
        ok = 1;
        for (size_t i = 0; i < s->k && ok; i++) {
            ok = evp_opens(&s->c[i], &s->jobs[i], j->data, j->size);
            if (!ok) snprintf(err, len, "record %zu of the batch does not open with EVP", i);
        }
    }
    hsb_bulk_streams_free(st);
    return ok;
}
