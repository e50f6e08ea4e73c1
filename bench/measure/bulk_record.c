/*
 * The record rows of the bulk suite: our TLS core's seal and open, and the
 * EVP reference doing the same record by hand, in the row's MAC order:
 *  - MAC-then-encrypt (RFC 5246 6.2.3.2): HMAC-SHA256 over seq_num || type
 *    || version || length || data, then data || MAC || padding (bytes all
 *    equal to the padding length) CBC-encrypted after an explicit IV;
 *  - encrypt-then-MAC (RFC 7366 3): data || padding CBC-encrypted after the
 *    IV, then HMAC-SHA256 over seq_num || type || version || length(IV +
 *    ciphertext) || IV || ciphertext appended. Its opener checks the MAC
 *    before it decrypts, as ours does.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_bulk.h"
#include "hsb_opts.h"
#include "hsb_ref_libssl.h"
#include "hsb_tls_pair.h"

/* ---------------------------------------------------------- EVP reference */

typedef struct ref_rec {
    int open, etm;
    size_t size, reps; /* reps: records per operation (record-seal-streams: K) */
    uint64_t seq;
    EVP_CIPHER_CTX *enc, *dec;
    EVP_MAC_CTX *mac;
    uint8_t *rec; /* one sealed record (open) or the output buffer (seal) */
    size_t rec_len;
    uint8_t tail[48]; /* MAC || padding */
} ref_rec;

static void put_hdr(uint8_t h[13], uint64_t seq, size_t len)
{
    for (int i = 0; i < 8; i++) h[i] = (uint8_t)(seq >> (56 - 8 * i));
    h[8] = 23; /* application_data */
    h[9] = 3;
    h[10] = 3;
    h[11] = (uint8_t)(len >> 8);
    h[12] = (uint8_t)len;
}

/* HMAC-SHA256 of the header for len and the n bytes at p into mac. */
static hsb_rc ref_mac(ref_rec *s, size_t len, const uint8_t *p, size_t n, uint8_t mac[32])
{
    uint8_t h[13];
    size_t ml;
    put_hdr(h, s->seq, len);
    HSB_ENSURE(EVP_MAC_init(s->mac, NULL, 0, NULL) == 1 && EVP_MAC_update(s->mac, h, 13) == 1 &&
                   EVP_MAC_update(s->mac, p, n) == 1 && EVP_MAC_final(s->mac, mac, &ml, 32) == 1,
               HSB_E_CRYPTO);
    return HSB_OK;
}

/* RFC 7366 3: IV || ENC(data || padding) || MAC(header || IV || ciphertext). */
static hsb_rc ref_seal_etm(ref_rec *s, const uint8_t *in)
{
    size_t n = s->size, pad = 15 - n % 16, enc = n + pad + 1;
    uint8_t *r = s->rec;
    r[0] = 23;
    r[1] = 3;
    r[2] = 3;
    r[3] = (uint8_t)((16 + enc + 32) >> 8);
    r[4] = (uint8_t)(16 + enc + 32);
    HSB_ENSURE(RAND_bytes(r + 5, 16) == 1, HSB_E_CRYPTO);
    memset(s->tail, (int)pad, pad + 1);
    int l1, l2;
    HSB_ENSURE(EVP_EncryptInit_ex2(s->enc, NULL, NULL, r + 5, NULL) == 1 &&
                   EVP_EncryptUpdate(s->enc, r + 21, &l1, in, (int)n) == 1 &&
                   EVP_EncryptUpdate(s->enc, r + 21 + l1, &l2, s->tail, (int)(pad + 1)) == 1 &&
                   (size_t)(l1 + l2) == enc,
               HSB_E_CRYPTO);
    HSB_GUARD(ref_mac(s, 16 + enc, r + 5, 16 + enc, r + 21 + enc));
    s->rec_len = 21 + enc + 32;
    s->seq++;
    return HSB_OK;
}

/* MAC first (RFC 7366 3), then decrypt and check the padding. */
static hsb_rc ref_open_etm(ref_rec *s, uint8_t *out)
{
    const uint8_t *r = s->rec;
    size_t enc = s->rec_len - 21 - 32;
    uint8_t mac[32];
    HSB_GUARD(ref_mac(s, 16 + enc, r + 5, 16 + enc, mac));
    HSB_ENSURE(CRYPTO_memcmp(mac, r + 21 + enc, 32) == 0, HSB_E_DECRYPT);
    int l;
    HSB_ENSURE(EVP_DecryptInit_ex2(s->dec, NULL, NULL, r + 5, NULL) == 1 &&
                   EVP_DecryptUpdate(s->dec, out, &l, r + 21, (int)enc) == 1 && (size_t)l == enc,
               HSB_E_CRYPTO);
    size_t pad = out[enc - 1];
    HSB_ENSURE(pad + 1 <= enc, HSB_E_DECRYPT);
    for (size_t i = enc - 1 - pad; i < enc; i++) HSB_ENSURE(out[i] == pad, HSB_E_DECRYPT);
    return HSB_OK;
}

static hsb_rc ref_seal(ref_rec *s, const uint8_t *in)
{
    if (s->etm) return ref_seal_etm(s, in);
    uint8_t h[13];
    size_t ml, n = s->size;
    put_hdr(h, s->seq, n);
    HSB_ENSURE(EVP_MAC_init(s->mac, NULL, 0, NULL) == 1 && EVP_MAC_update(s->mac, h, 13) == 1 &&
                   EVP_MAC_update(s->mac, in, n) == 1 &&
                   EVP_MAC_final(s->mac, s->tail, &ml, 32) == 1,
               HSB_E_CRYPTO);
    size_t pad = 15 - (n + 32) % 16; /* then pad + 1 bytes of value pad */
    memset(s->tail + 32, (int)pad, pad + 1);
    size_t body = n + 32 + pad + 1;
    uint8_t *r = s->rec;
    r[0] = 23;
    r[1] = 3;
    r[2] = 3;
    r[3] = (uint8_t)((16 + body) >> 8);
    r[4] = (uint8_t)(16 + body);
    HSB_ENSURE(RAND_bytes(r + 5, 16) == 1, HSB_E_CRYPTO);
    int l1, l2;
    HSB_ENSURE(EVP_EncryptInit_ex2(s->enc, NULL, NULL, r + 5, NULL) == 1 &&
                   EVP_EncryptUpdate(s->enc, r + 21, &l1, in, (int)n) == 1 &&
                   EVP_EncryptUpdate(s->enc, r + 21 + l1, &l2, s->tail, (int)(32 + pad + 1)) == 1 &&
                   (size_t)(l1 + l2) == body,
               HSB_E_CRYPTO);
    s->rec_len = 21 + body;
    s->seq++;
    return HSB_OK;
}

static hsb_rc ref_open(ref_rec *s, uint8_t *out)
{
    if (s->etm) return ref_open_etm(s, out);
    const uint8_t *r = s->rec;
    size_t body = s->rec_len - 21;
    int l;
    HSB_ENSURE(EVP_DecryptInit_ex2(s->dec, NULL, NULL, r + 5, NULL) == 1 &&
                   EVP_DecryptUpdate(s->dec, out, &l, r + 21, (int)body) == 1 && (size_t)l == body,
               HSB_E_CRYPTO);
    size_t pad = out[body - 1];
    HSB_ENSURE(pad + 1 + 32 <= body, HSB_E_DECRYPT);
    for (size_t i = body - 1 - pad; i < body; i++) HSB_ENSURE(out[i] == pad, HSB_E_DECRYPT);
    size_t n = body - 1 - pad - 32;
    uint8_t h[13], mac[32];
    size_t ml;
    put_hdr(h, s->seq, n);
    HSB_ENSURE(EVP_MAC_init(s->mac, NULL, 0, NULL) == 1 && EVP_MAC_update(s->mac, h, 13) == 1 &&
                   EVP_MAC_update(s->mac, out, n) == 1 && EVP_MAC_final(s->mac, mac, &ml, 32) == 1,
               HSB_E_CRYPTO);
    HSB_ENSURE(CRYPTO_memcmp(mac, out + n, 32) == 0, HSB_E_DECRYPT);
    return HSB_OK;
}

static void ref_free(ref_rec *s)
{
    EVP_CIPHER_CTX_free(s->enc);
    EVP_CIPHER_CTX_free(s->dec);
    EVP_MAC_CTX_free(s->mac);
    free(s->rec);
    free(s);
}

/* --------------------------------------------------------- libssl reference */

/* libssl's own record layer: the client's SSL_write (seal) or the server's
 * SSL_read (open) of one size-byte record, after a real handshake in the
 * row's MAC order. libssl's read sequence number cannot be reset, so each
 * SSL_read needs a record sealed for it: the opener has the client seal a
 * batch (at most 64 records, 256 KiB) with the clocks paused
 * (hsb_tstats_pause), then reads them one per operation. */
typedef struct ssl_rec {
    int open;
    size_t size, batch, left; /* left: sealed records the server has not read */
    size_t reps;              /* records per operation (record-seal-streams: K) */
    const uint8_t *data;
    hsb_ossl_cfg *cfg;
    hsb_ossl_pair *pair;
} ssl_rec;

static void ssl_rec_free(ssl_rec *s)
{
    hsb_ossl_pair_free(s->pair);
    hsb_ossl_cfg_free(s->cfg);
    free(s);
}

static hsb_rc ssl_rec_new(const bk_job *j, ssl_rec *s)
{
    char err[256];
    s->open = BK_IS_OPEN(j->variant);
    s->size = j->size;
    s->reps = j->streams ? j->streams : 1;
    s->data = j->data;
    s->batch = s->open ? (256u << 10) / j->size : 1;
    s->batch = s->batch < 1 ? 1 : s->batch > 64 ? 64 : s->batch;
    HSB_GUARD(hsb_ossl_cfg_new(HSB_KX_RSA, 2048, NULL, &s->cfg, err, sizeof err));
    /* The row's MAC order; the extended master secret as libssl's default. */
    hsb_ossl_cfg_set_ext(s->cfg, BK_IS_ETM(j->variant), 1);
    if (BK_IS_GCM(j->variant)) HSB_GUARD(hsb_ossl_cfg_set_gcm(s->cfg, HSB_KX_RSA));
    /* Room for a batch of records: header, IV or nonce, MAC or tag, padding. */
    return hsb_ossl_pair_new(s->cfg, s->batch * (j->size + 128), &s->pair, err, sizeof err);
}

static hsb_rc ssl_rec_op(ssl_rec *s, uint8_t *out, hsb_tstats *st)
{
    if (!s->open) {
        for (size_t i = 0; i < s->reps; i++) {
            HSB_GUARD(hsb_ossl_pair_write(s->pair, s->data, s->size));
            hsb_ossl_pair_drop(s->pair);
        }
        return HSB_OK;
    }
    if (s->left == 0) {
        hsb_tstats_pause(st);
        for (size_t i = 0; i < s->batch; i++)
            HSB_GUARD(hsb_ossl_pair_write(s->pair, s->data, s->size));
        hsb_tstats_resume(st);
        s->left = s->batch;
    }
    s->left--;
    return hsb_ossl_pair_read(s->pair, out, s->size);
}

/* ------------------------------------------------------------ our record */

typedef struct our_rec {
    int open;
    size_t size;
    hsb_pair_cfg *cfg;
    hsb_pair *pair;
} our_rec;

enum { REC_PIECES, REC_OURS, REC_LIBSSL };

typedef struct rec_state {
    int kind;
    union {
        ref_rec *ref;
        our_rec *our;
        ssl_rec *ssl;
    } u;
} rec_state;

/* A new state of kind with its zeroed inner state of `size` bytes (*inner),
 * in *out at once so that a failed set-up is freed with the state. */
static hsb_rc state_new(int kind, size_t size, void **inner, void **out)
{
    rec_state *st = calloc(1, sizeof *st);
    void *s = calloc(1, size);
    if (!st || !s) {
        free(st);
        free(s);
        HSB_BAIL(HSB_E_NOMEM);
    }
    st->kind = kind;
    if (kind == REC_LIBSSL)
        st->u.ssl = s;
    else if (kind == REC_PIECES)
        st->u.ref = s;
    else
        st->u.our = s;
    *inner = s;
    *out = st;
    return HSB_OK;
}

hsb_rc hsb_bulk_record_libssl_new(const bk_job *j, void **out)
{
    void *s = NULL;
    HSB_GUARD(state_new(REC_LIBSSL, sizeof(ssl_rec), &s, out));
    return ssl_rec_new(j, s);
}

hsb_rc hsb_bulk_record_ref_new(const bk_job *j, void **out)
{
    void *inner = NULL;
    HSB_GUARD(state_new(REC_PIECES, sizeof(ref_rec), &inner, out));
    ref_rec *s = inner;
    s->open = BK_IS_OPEN(j->variant);
    s->etm = BK_IS_ETM(j->variant);
    s->size = j->size;
    s->reps = j->streams ? j->streams : 1;
    s->rec = malloc(j->size + 128);
    EVP_CIPHER *ci = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    s->enc = EVP_CIPHER_CTX_new();
    s->dec = EVP_CIPHER_CTX_new();
    s->mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM ps[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                        OSSL_PARAM_construct_end()};
    int ok = s->rec && ci && s->enc && s->dec && s->mac &&
             EVP_EncryptInit_ex2(s->enc, ci, j->key, j->iv, NULL) == 1 &&
             EVP_DecryptInit_ex2(s->dec, ci, j->key, j->iv, NULL) == 1 &&
             EVP_CIPHER_CTX_set_padding(s->enc, 0) == 1 &&
             EVP_CIPHER_CTX_set_padding(s->dec, 0) == 1 &&
             EVP_MAC_init(s->mac, j->key + 16, 32, ps) == 1;
    EVP_CIPHER_free(ci);
    EVP_MAC_free(mac);
    HSB_ENSURE(ok, HSB_E_CRYPTO);
    if (s->open) {
        HSB_GUARD(ref_seal(s, j->data));
        s->seq--; /* the opener replays that record at its sequence number */
    }
    return HSB_OK;
}

hsb_rc hsb_bulk_record_new(const bk_job *j, void **out)
{
    void *inner = NULL;
    HSB_GUARD(state_new(REC_OURS, sizeof(our_rec), &inner, out));
    our_rec *s = inner;
    s->open = BK_IS_OPEN(j->variant);
    s->size = j->size;
    char err[256];
    HSB_GUARD(hsb_pair_cfg_new(j->p, HSB_KX_RSA, 2048, NULL, HSB_DH_CHECK_FULL, &s->cfg, err,
                               sizeof err));
    /* The row's MAC order; the master secret as libssl's default. */
    hsb_pair_cfg_set_ext(s->cfg, BK_IS_ETM(j->variant), 1);
    if (BK_IS_GCM(j->variant)) HSB_GUARD(hsb_pair_cfg_set_gcm(s->cfg));
    HSB_GUARD(hsb_pair_new(s->cfg, &s->pair));
    HSB_GUARD(hsb_pair_handshake(s->pair, NULL, err, sizeof err));
    HSB_GUARD(hsb_pair_check(s->pair, err, sizeof err));
    if (s->open) HSB_GUARD(hsb_pair_capture(s->pair, j->data, j->size));
    return HSB_OK;
}

hsb_rc hsb_bulk_record_op(void *state, const uint8_t *in, uint8_t *out, hsb_tstats *ts)
{
    rec_state *st = state;
    if (st->kind == REC_LIBSSL) return ssl_rec_op(st->u.ssl, out, ts);
    if (st->kind == REC_PIECES && st->u.ref->open) return ref_open(st->u.ref, out);
    if (st->kind == REC_PIECES) {
        for (size_t i = 0; i < st->u.ref->reps; i++) HSB_GUARD(ref_seal(st->u.ref, in));
        return HSB_OK;
    }
    our_rec *s = st->u.our;
    if (!s->open) return hsb_pair_seal(s->pair, in, s->size);
    size_t n;
    HSB_GUARD(hsb_pair_open(s->pair, out, s->size + 64, &n));
    HSB_ENSURE(n == s->size, HSB_E_INTERNAL);
    return HSB_OK;
}

void hsb_bulk_record_free(void *state)
{
    rec_state *st = state;
    if (!st) return;
    if (st->kind == REC_LIBSSL) {
        if (st->u.ssl) ssl_rec_free(st->u.ssl);
    } else if (st->kind == REC_PIECES) {
        if (st->u.ref) ref_free(st->u.ref);
    } else if (st->u.our) {
        hsb_pair_free(st->u.our->pair);
        hsb_pair_cfg_free(st->u.our->cfg);
        free(st->u.our);
    }
    free(st);
}

int hsb_bulk_record_verify(const bk_job *j, char *err, size_t len)
{
    bk_job o = *j;
    o.variant = BK_IS_GCM(j->variant)   ? BK_REC_OPEN_GCM
                : BK_IS_ETM(j->variant) ? BK_REC_OPEN_ETM
                                        : BK_REC_OPEN;
    void *st = NULL;
    uint8_t *out = malloc(j->size + 64);
    int ok = 0;
    if (!out) {
        snprintf(err, len, "out of memory");
    } else if (hsb_bulk_record_new(&o, &st) != HSB_OK) {
        snprintf(err, len, "set-up (handshake, capture) failed: %s", hsb_last_error());
    } else if (hsb_bulk_record_op(st, NULL, out, NULL) != HSB_OK) {
        snprintf(err, len, "opening our own sealed record failed: %s", hsb_last_error());
    } else if (memcmp(out, j->data, j->size) != 0) {
        snprintf(err, len, "the opened record differs from what was sealed: not measured");
    } else {
        ok = 1;
    }
    hsb_bulk_record_free(st);
    free(out);
    return ok;
}
