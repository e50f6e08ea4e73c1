/*
 * hsb_selftest.h - the vector runner behind `hsbench selftest`, reusable by
 * tests (tests/selftest, tests/diff).
 *
 * A run tests one or more *targets*. A target is a set of classes: a backend
 * of the registry with only its own classes (the default), or a composition
 * from a --backend spec. A class a target lacks is UNAVAILABLE: its tests are
 * not run, never counted as passed.
 *
 * Every test case ends in exactly one of passed / failed / unsupported, kept
 * per (target, file) in an hsb_st_result. "file" is a vector file's path
 * relative to the folder walked, or a built-in name ("builtin/aes",
 * "diff/modexp-2048"). Unsupported (a key size or IV length the
 * implementation does not take, a hash other than SHA-256) is never a pass.
 *
 * Files are recognised by their content, never by their name:
 *   - Wycheproof JSON (testGroups[].type RsaesPkcs1Decrypt, RsassaPkcs1Verify,
 *     IndCpaTest, MacTest, AeadTest);
 *   - NIST CAVP .rsp text (AES KAT/MMT, SHA-256 Short/Long/Monte, HMAC, TLS KDF);
 *   - the project's derived JSON (TLS 1.2 PRF, SP 800-38A examples, RSADP,
 *     FFDH groups).
 * /work/shared/vectors/README.md says what each format requires.
 */
#ifndef HSB_SELFTEST_H
#define HSB_SELFTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hsb_provider.h"

/* ----------------------------------------------------------------- targets */

typedef struct hsb_st_target {
    char label[96];                    /* "openssl", "gmp+openssl", ... */
    hsb_backend cls;                   /* the classes under test (NULL = unavailable) */
    const char *from[HSB_CLASS_COUNT]; /* backend that serves each class, NULL if none */
} hsb_st_target;

/* One target per backend of the registry, each with only its own classes.
 * Returns how many were written (at most cap). */
size_t hsb_st_targets_registry(hsb_st_target *out, size_t cap);

/* One target from a --backend spec (see hsb_compose). On a bad spec returns
 * HSB_E_USAGE with a message naming the valid choices in err. */
HSB_MUST_CHECK hsb_rc hsb_st_target_from_spec(const char *spec, hsb_st_target *out, char *err,
                                              size_t err_len);

/* 1 when class id of t comes from the reference backend (openssl). */
int hsb_st_is_reference(const hsb_st_target *t, hsb_class_id id);

/* ----------------------------------------------------------------- results */

#define HSB_ST_FAILS_KEPT 5

typedef enum hsb_st_outcome { HSB_ST_PASS = 0, HSB_ST_FAIL, HSB_ST_UNSUPPORTED } hsb_st_outcome;

typedef struct hsb_st_result {
    char target[96];
    char file[256];
    unsigned long passed, failed, unsupported;
    /* Nothing ran: the target lacks every class the file needs (named here). */
    char unavailable[64];
    unsigned kept; /* failures described below (the first few) */
    char fail[HSB_ST_FAILS_KEPT][224];
} hsb_st_result;

typedef struct hsb_st_run {
    const hsb_st_target *targets;
    size_t n_targets;
    int verbose; /* -v: log acceptable outcomes, skipped files, every failure */
    int quick;   /* --quick: fewer differential cases, no 3072/4096 there */
    FILE *log;   /* where -v and progress notes go (stderr by default) */

    hsb_st_result **res; /* rows, each allocated on its own (pointers stay valid) */
    size_t n_res, cap_res;
    /* Files recognised, and those of them that yielded no test case at all for
     * any target (a runner that ran nothing must not pass). */
    unsigned long files_recognised;
    char empty[8][256];
    size_t n_empty;
    /* Files that could not be read or parsed although they looked like a
     * known format, and internal faults (out of memory): always a failure. */
    unsigned long errors;
} hsb_st_run;

void hsb_st_init(hsb_st_run *r, const hsb_st_target *targets, size_t n_targets);
void hsb_st_free(hsb_st_run *r);

/* The result row of (t, file), created on first use; NULL only out of memory
 * (then r->errors is counted). */
hsb_st_result *hsb_st_row(hsb_st_run *r, const hsb_st_target *t, const char *file);

/* Count one case in row; for HSB_ST_FAIL, fmt names it ("tcId 12: ...") and
 * the first few are kept. For the others fmt may be NULL; with -v an
 * unsupported case is logged when fmt is given. */
void hsb_st_case(hsb_st_run *r, hsb_st_result *row, hsb_st_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Mark row as not run for want of the named class. */
void hsb_st_unavailable(hsb_st_result *row, const char *class_name);
/* A line on r->log when -v. */
void hsb_st_note(const hsb_st_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ running */

/* Built-in known answers for every class each target fills, then (when
 * with_diff) the quick differential check against OpenSSL for every class not
 * served by openssl itself. */
void hsb_st_builtin(hsb_st_run *r, int with_diff);

/* Run one file: *recognised is 1 when it is a known format (and was run),
 * 0 when not (nothing counted). HSB_E_IO when it could not be read (counted
 * as an error of the run). display is the name used in the report. */
HSB_MUST_CHECK hsb_rc hsb_st_file(hsb_st_run *r, const char *path, const char *display,
                                  int *recognised);

/* Walk dir recursively (sorted, so reports are stable) and run every file;
 * *found is the number of files recognised. HSB_E_IO (and *found 0) when dir
 * cannot be opened. */
HSB_MUST_CHECK hsb_rc hsb_st_dir(hsb_st_run *r, const char *dir, long *found);

/* Print one line per (target, file), totals per target and overall, and the
 * first failures. HSB_OK when the run passed; HSB_E_CRYPTO on any failed
 * case, any error, a recognised file with no tests for any target, or a run
 * in which nothing passed at all (the caller picks the exit status). */
HSB_MUST_CHECK hsb_rc hsb_st_report(const hsb_st_run *r, FILE *out);

/* ------------------------------------------------------ differential testing */

/* Sizes the differential tests use, in bits: 1024, 2048, 3072, 4096. */
#define HSB_ST_DIFF_SIZES 4

typedef struct hsb_st_diff_plan {
    unsigned modexp[HSB_ST_DIFF_SIZES];   /* random cases per modulus size */
    unsigned rsa_keys[HSB_ST_DIFF_SIZES]; /* keys generated per size */
    unsigned rsa_ops[HSB_ST_DIFF_SIZES];  /* random inputs per key */
    unsigned dh[HSB_ST_DIFF_SIZES];       /* cases per size (2048+: ffdhe groups) */
    unsigned sym;                         /* random-length cases per symmetric class */
    size_t sym_max_len;                   /* longest random message, bytes */
} hsb_st_diff_plan;

/* Random inputs through every class of t that is not served by openssl
 * (all classes when include_reference), compared with OpenSSL BN / EVP
 * called directly; plus the modexp edge cases. Rows: "diff/<class>[-bits]". */
void hsb_st_diff(hsb_st_run *r, const hsb_st_target *t, const hsb_st_diff_plan *plan,
                 int include_reference);

/* ------------------------------------------- format runners (hsb_st_file) */

/* Each returns 1 when it recognised the document and ran it, 0 when the
 * document is not its format (nothing counted). */
struct json_t;
int hsb_st_wycheproof(hsb_st_run *r, const struct json_t *root, const char *display);
int hsb_st_derived(hsb_st_run *r, const struct json_t *root, const char *display);
int hsb_st_cavp(hsb_st_run *r, const char *text, size_t len, const char *display);

/* ---------------------------------------------------------------- utilities */

/* Member key of the JSON object obj, a hex string, decoded by hsb_hex_alloc
 * (by hsb_hex_alloc_number for the hexnum form; hsb_hex.h); NULL when absent, not a string, or
 * not hex. */
uint8_t *hsb_st_json_hex(const struct json_t *obj, const char *key, size_t *len);
uint8_t *hsb_st_json_hexnum(const struct json_t *obj, const char *key, size_t *len);

/* The HSB_AES_KEY_* bit of a key of key_len bytes; 0 for other lengths. */
unsigned hsb_st_aes_key_bit(size_t key_len);

/* Skip leading zero bytes (two's-complement BigInt fields carry a 00). */
void hsb_st_strip(const uint8_t **p, size_t *len);

/* Compare big-endian unsigned numbers of any lengths: <0, 0, >0. */
int hsb_st_cmp_be(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);

/* Random bytes for the tests themselves (libcrypto's RAND_bytes); aborts the
 * process if the RNG fails, since no test result would mean anything. */
void hsb_st_random(void *out, size_t len);

/* An rng class over hsb_st_random, for targets that have none of their own. */
extern const hsb_rng_class hsb_st_rng;

/* SHA-256 by libcrypto, for inputs of tests (message digests to verify). */
void hsb_st_sha256(const void *msg, size_t len, uint8_t out[32]);

/* out = a^e mod m by libcrypto's BN (the reference), m_len bytes, left-padded;
 * HSB_E_CRYPTO when libcrypto fails (m even is fine here). */
hsb_rc hsb_st_bn_modexp(uint8_t *out, const uint8_t *a, size_t a_len, const uint8_t *e,
                        size_t e_len, const uint8_t *m, size_t m_len);

/* An RSA key generated by libcrypto for the round-trip and differential
 * tests: every field big-endian (owned buffers), and the EVP key itself. */
typedef struct hsb_st_rsa {
    hsb_rsa_key key;
    void *pkey; /* EVP_PKEY * */
    uint8_t *buf;
} hsb_st_rsa;

HSB_MUST_CHECK hsb_rc hsb_st_rsa_generate(hsb_st_rsa *k, unsigned bits);
void hsb_st_rsa_free(hsb_st_rsa *k);

/* The index-th key of that size made in this process (made on first use, kept
 * until hsb_st_rsa_cache_free); NULL if generation fails. Not thread-safe. */
const hsb_st_rsa *hsb_st_rsa_cached(unsigned bits, unsigned index);
void hsb_st_rsa_cache_free(void);

/* libcrypto's own RSA on k, the reference: raw RSAEP/RSADP on n_len bytes
 * (in < n), and PKCS#1 v1.5 encryption, decryption, SHA-256 signatures. */
HSB_MUST_CHECK hsb_rc hsb_st_ossl_rsa_raw(const hsb_st_rsa *k, int priv, uint8_t *out,
                                          const uint8_t *in);
HSB_MUST_CHECK hsb_rc hsb_st_ossl_rsa_encrypt(const hsb_st_rsa *k, uint8_t *out, const uint8_t *msg,
                                              size_t msg_len);
HSB_MUST_CHECK hsb_rc hsb_st_ossl_rsa_decrypt(const hsb_st_rsa *k, uint8_t *out, size_t *out_len,
                                              const uint8_t *ct);
HSB_MUST_CHECK hsb_rc hsb_st_ossl_rsa_sign(const hsb_st_rsa *k, uint8_t *sig,
                                           const uint8_t hash[32]);
HSB_MUST_CHECK hsb_rc hsb_st_ossl_rsa_verify(const hsb_st_rsa *k, const uint8_t *sig,
                                             const uint8_t hash[32]);

#endif
