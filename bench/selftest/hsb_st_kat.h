/*
 * hsb_st_kat.h - the published known answers the project types in, each
 * once: the selftest's built-in cases (builtin.c) and the backend tests in
 * tests/ read them from here. Values are hex strings (decode them with
 * hsb_hex.h); each entry names its source.
 *
 * Vector *files* (Wycheproof, CAVP, derived JSON) are not repeated here:
 * they are read in place from the vectors folder.
 */
#ifndef HSB_ST_KAT_H
#define HSB_ST_KAT_H

#include <stddef.h>
#include <stdint.h>

/* A block-cipher example: key, IV (or initial counter block), plaintext and
 * ciphertext, in hex. */
typedef struct hsb_st_kat_cipher {
    const char *name;
    const char *key, *iv, *pt, *ct;
} hsb_st_kat_cipher;

/* FIPS-197 Appendix C.1: AES-128 of one block (iv is the zero block, so CBC
 * of one block is the bare cipher). */
extern const hsb_st_kat_cipher hsb_st_kat_fips197_c1;
/* SP 800-38A F.2.1/F.2.2 CBC-AES128 and F.5.1/F.5.2 CTR-AES128, 4 blocks. */
extern const hsb_st_kat_cipher hsb_st_kat_sp38a_cbc128, hsb_st_kat_sp38a_ctr128;
/* SP 800-38A F.2.3 CBC-AES192 and F.2.5 CBC-AES256, the first block. */
extern const hsb_st_kat_cipher hsb_st_kat_sp38a_cbc192, hsb_st_kat_sp38a_cbc256;

/* McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B,
 * test cases 1-4 (AES-128, 96-bit IV). */
typedef struct hsb_st_kat_gcm {
    const char *name;
    const char *key, *iv, *pt, *aad, *ct, *tag;
} hsb_st_kat_gcm;
#define HSB_ST_KAT_GCM_N 4
extern const hsb_st_kat_gcm hsb_st_kat_gcm_spec[HSB_ST_KAT_GCM_N];

/* SHA-256 (FIPS 180-2 Appendix B): msg is ASCII, hashed repeat times in a
 * row (B.3 is one million 'a': "a" x 1000, fed 1000 times); md is hex. */
typedef struct hsb_st_kat_sha256 {
    const char *name, *msg, *md;
    unsigned repeat;
} hsb_st_kat_sha256;
enum {
    HSB_ST_KAT_SHA256_ABC,     /* B.1 "abc" */
    HSB_ST_KAT_SHA256_448,     /* B.2, a 448-bit message */
    HSB_ST_KAT_SHA256_MILLION, /* B.3, one million 'a' */
    HSB_ST_KAT_SHA256_EMPTY,   /* the empty message */
    HSB_ST_KAT_SHA256_N
};
extern const hsb_st_kat_sha256 hsb_st_kat_sha256_fips[HSB_ST_KAT_SHA256_N];

/* Bytes of an HMAC test: text (ASCII), or hex, or one byte repeated. */
typedef struct hsb_st_kat_data {
    const char *text, *hex;
    uint8_t byte;
    size_t repeat;
} hsb_st_kat_data;

/* The bytes d describes in a new buffer (free() it; never NULL on success,
 * even for zero bytes); NULL on bad hex or out of memory. */
uint8_t *hsb_st_kat_bytes(const hsb_st_kat_data *d, size_t *len);

/* HMAC-SHA256, RFC 4231 section 4: test cases 1-4, 6, 7 (5 is a truncated
 * tag), then the empty key over the empty message. tag is hex. */
typedef struct hsb_st_kat_hmac {
    const char *name;
    hsb_st_kat_data key, msg;
    const char *tag;
} hsb_st_kat_hmac;
enum {
    HSB_ST_KAT_HMAC_TC1,
    HSB_ST_KAT_HMAC_TC2,
    HSB_ST_KAT_HMAC_TC3,
    HSB_ST_KAT_HMAC_TC4,
    HSB_ST_KAT_HMAC_TC6,
    HSB_ST_KAT_HMAC_TC7,
    HSB_ST_KAT_HMAC_RFC4231_N, /* the RFC's cases end here */
    HSB_ST_KAT_HMAC_EMPTY = HSB_ST_KAT_HMAC_RFC4231_N,
    HSB_ST_KAT_HMAC_N
};
extern const hsb_st_kat_hmac hsb_st_kat_hmac_sha256[HSB_ST_KAT_HMAC_N];

/* The TLS 1.2 PRF (P_SHA256) vector posted to the IETF TLS list,
 * https://www.ietf.org/mail-archive/web/tls/current/msg03416.html (as in
 * shared/vectors/derived/tls12_prf_ietf.json, id 2): secret, seed and the
 * 100 output bytes in hex, label in ASCII. */
typedef struct hsb_st_kat_prf {
    const char *name, *secret, *label, *seed, *out;
} hsb_st_kat_prf;
extern const hsb_st_kat_prf hsb_st_kat_tls12_prf_sha256;

#endif
