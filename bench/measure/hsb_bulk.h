/*
 * hsb_bulk.h - the bulk suite's job, shared between cmd_bulk.c (primitives)
 * and bulk_record.c (the record layer's seal and open).
 */
#ifndef HSB_BULK_H
#define HSB_BULK_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "hsb_provider.h"
#include "hsb_runner.h"

enum {
    BK_CBC_ENC,
    BK_CBC_DEC,
    BK_CTR,
    BK_GCM,
    BK_SHA256,
    BK_HMAC,
    BK_REC_SEAL, /* MAC-then-encrypt (RFC 5246 6.2.3.2) */
    BK_REC_OPEN,
    BK_REC_SEAL_ETM, /* encrypt-then-MAC (RFC 7366) */
    BK_REC_OPEN_ETM,
    BK_REC_SEAL_GCM, /* TLS_RSA_WITH_AES_128_GCM_SHA256 (RFC 5288) */
    BK_REC_OPEN_GCM,
    BK_REC_SEAL_STREAMS, /* MAC-then-encrypt records of --streams K connections at once */
    BK_COUNT
};

/* Is variant v a record row, an opening one, an encrypt-then-MAC one, a
 * GCM one? */
#define BK_IS_REC(v) ((v) >= BK_REC_SEAL)
#define BK_IS_OPEN(v) ((v) == BK_REC_OPEN || (v) == BK_REC_OPEN_ETM || (v) == BK_REC_OPEN_GCM)
#define BK_IS_ETM(v) ((v) == BK_REC_SEAL_ETM || (v) == BK_REC_OPEN_ETM)
#define BK_IS_GCM(v) ((v) == BK_REC_SEAL_GCM || (v) == BK_REC_OPEN_GCM)

/* bk_job.ref: a composition's row, or a reference row. A record variant
 * has two references: libssl's own record layer (the one its ratios are
 * to) and the record built from EVP pieces; a primitive has EVP only. */
enum { BK_ROW = 0, BK_REF_MAIN = 1, BK_REF_PIECES = 2 };

typedef struct bk_job {
    int variant, ref;
    const hsb_provider *p; /* NULL for the reference */
    size_t size;
    const uint8_t *data; /* random input, at least size bytes */
    uint8_t key[48],
        iv[16];     /* AES key: key[0..16); MAC keys: key[16..48) (HMAC rows: key[0..32)) */
    EVP_MD *md;     /* SHA-256, fetched once */
    size_t streams; /* record-seal-streams: records per operation (K); else 0 */
} bk_job;

/* Per-thread record state: ours (a handshaken connection pair over memory),
 * libssl's (SSL_write / SSL_read after a handshake), or the record built
 * from EVP pieces. */
hsb_rc hsb_bulk_record_new(const bk_job *j, void **out);
hsb_rc hsb_bulk_record_libssl_new(const bk_job *j, void **out);
hsb_rc hsb_bulk_record_ref_new(const bk_job *j, void **out);
/* One seal (or open) of j->size bytes; st (may be NULL) for pausing the
 * clocks while libssl's opener seals its next batch. */
hsb_rc hsb_bulk_record_op(void *state, const uint8_t *in, uint8_t *out, hsb_tstats *st);
void hsb_bulk_record_free(void *state);
/* Seal then open one record with our core: the plaintext must come back. */
int hsb_bulk_record_verify(const bk_job *j, char *err, size_t len);

/* The record-seal-streams row of a composition (bulk_streams.c): K
 * connections' contexts of its cbc-hmac class; one operation seals one
 * record of each through seal_batch. The references are the record rows'
 * with K records per operation (hsb_bulk_record_op repeats them). */
hsb_rc hsb_bulk_streams_new(const bk_job *j, void **out);
hsb_rc hsb_bulk_streams_op(void *state);
void hsb_bulk_streams_free(void *state);
/* Seal one batch and open every record with OpenSSL EVP: 1 when right. */
int hsb_bulk_streams_verify(const bk_job *j, char *err, size_t len);

#endif
