/*
 * hsb_provider.h - the contract between hsbench's protocol code and its
 * crypto backends.
 *
 * A backend is a set of const "classes" (BearSSL's *_class shape): a table of
 * function pointers with a name and, where the class keeps state, the size of
 * its context. The caller allocates ctx_size bytes (aligned to
 * HSB_CTX_ALIGN) and owns them; init/clear pairs bracket every context, and
 * clear wipes secrets and frees whatever init allocated. A backend fills the
 * classes it has and leaves the rest NULL. No class ever falls back to another
 * backend's code on its own: composition (hsb_compose) does that in the open.
 *
 * Numbers cross this interface as unsigned big-endian byte strings (no
 * bignum type leaks through). Unless a prototype says otherwise:
 *   - lengths are in bytes; a modulus of k bytes has its top byte non-zero;
 *   - outputs may not alias inputs, except where "in == out is allowed";
 *   - functions return HSB_OK or a code from hsb_error.h, never abort;
 *   - an operation on a secret (exponent, private key, AES key, MAC key) runs
 *     in time independent of the secret's value.
 *
 * Threading: classes are immutable; a context is used by one thread at a time.
 */
#ifndef HSB_PROVIDER_H
#define HSB_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_error.h"

#define HSB_CTX_ALIGN 64

/* Largest modulus any class must take, and the buffers sized from it. */
#define HSB_MAX_MODULUS_BITS 4096
#define HSB_MAX_MODULUS_BYTES (HSB_MAX_MODULUS_BITS / 8)

/* The primitive classes, in a fixed order (reports and JSON use it). */
typedef enum hsb_class_id {
    HSB_CLASS_MODEXP = 0,
    HSB_CLASS_RSA_PRIV,
    HSB_CLASS_RSA_PUB,
    HSB_CLASS_DH,
    HSB_CLASS_AES,
    HSB_CLASS_GCM,
    HSB_CLASS_SHA256,
    HSB_CLASS_HMAC_SHA256,
    HSB_CLASS_RNG,
    HSB_CLASS_CBC_HMAC, /* optional, never borrowed: see hsb_cbc_hmac_class */
    HSB_CLASS_COUNT
} hsb_class_id;

/* ------------------------------------------------------------------ modexp */

/*
 * out = base^exp mod mod, constant time in base and exp (both may be secret);
 * time may depend on the lengths and on mod.
 *   mod: mod_len bytes, odd, > 1, at most HSB_MAX_MODULUS_BYTES (larger:
 *        HSB_E_UNSUPPORTED); even or 1: HSB_E_RANGE.
 *   base: base_len bytes (leading zeros allowed), value < mod, else HSB_E_RANGE.
 *   exp: exp_len bytes (leading zeros allowed, exp_len may be 0 meaning 0);
 *        exp = 0 gives 1.
 *   out: exactly mod_len bytes, big-endian, left-padded with zeros.
 */
typedef struct hsb_modexp_class {
    const char *name; /* implementation, e.g. "gmp-mpz-powm-sec" */
    hsb_rc (*modexp)(uint8_t *out, const uint8_t *base, size_t base_len, const uint8_t *exp,
                     size_t exp_len, const uint8_t *mod, size_t mod_len);
} hsb_modexp_class;

/* ---------------------------------------------------------------------- RSA */

/* An RSA private key in CRT form; every field big-endian, no leading-zero
 * requirement. d may be absent (NULL, 0) when the CRT fields are present. */
typedef struct hsb_rsa_key {
    const uint8_t *n, *e, *d, *p, *q, *dp, *dq, *qinv;
    size_t n_len, e_len, d_len, p_len, q_len, dp_len, dq_len, qinv_len;
} hsb_rsa_key;

/*
 * The raw RSA private operation (RSADP, RFC 8017 5.1.2) by CRT.
 *   init:  take a key (the class copies what it needs; key may be freed after).
 *          p, q, dp, dq, qinv and n, e are required. Moduli from 1024 to 4096
 *          bits; others HSB_E_UNSUPPORTED. Inconsistent keys may fail with
 *          HSB_E_USAGE or produce wrong results; they never crash.
 *   op:    out = in^d mod n. in and out are n_len bytes exactly (other lengths:
 *          HSB_E_USAGE); in >= n: HSB_E_RANGE. in == out is allowed.
 *          Implementations must resist fault and timing attacks as documented
 *          in their source (blinding, or constant-time with a written reason).
 *   n_len: modulus size in bytes of the key loaded.
 */
typedef struct hsb_rsa_priv_class {
    const char *name;
    size_t ctx_size;
    hsb_rc (*init)(void *ctx, const hsb_rsa_key *key);
    hsb_rc (*op)(void *ctx, uint8_t *out, const uint8_t *in, size_t len);
    size_t (*n_len)(const void *ctx);
    void (*clear)(void *ctx);
} hsb_rsa_priv_class;

/*
 * The raw RSA public operation (RSAEP/RSAVP1): out = in^e mod n, not secret.
 *   init: n (1024..4096 bits, odd) and e (odd, >= 3).
 *   op:   in and out are n_len bytes exactly; in >= n: HSB_E_RANGE.
 */
typedef struct hsb_rsa_pub_class {
    const char *name;
    size_t ctx_size;
    hsb_rc (*init)(void *ctx, const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len);
    hsb_rc (*op)(void *ctx, uint8_t *out, const uint8_t *in, size_t len);
    size_t (*n_len)(const void *ctx);
    void (*clear)(void *ctx);
} hsb_rsa_pub_class;

/* ----------------------------------------------------------- finite-field DH */

/* A group: safe prime p (big-endian), generator g, q = (p-1)/2 (may be absent
 * for groups without a known order), and the private exponent size that the
 * group's security level calls for (RFC 7919 5.2: twice the security bits,
 * as OpenSSL 3 uses for the named groups: 225/275/325 bits). */
typedef struct hsb_dh_group {
    const char *name; /* "ffdhe2048", "modp2048", ... or "custom" */
    const uint8_t *p, *g, *q;
    size_t p_len, g_len, q_len;
    unsigned priv_bits;
} hsb_dh_group;

/* How far to check a peer's public value Y. */
typedef enum hsb_dh_check {
    HSB_DH_CHECK_RANGE = 0, /* 1 < Y < p-1 (RFC 7919 5.1 minimum) */
    HSB_DH_CHECK_FULL = 1,  /* range, and Y^q mod p == 1 (needs q); OpenSSL's check */
} hsb_dh_check;

/*
 * DH over one group; the context holds the group and one private key.
 *   init:     load a group (copied). p from 1024 to 4096 bits.
 *   keygen:   draw a private x (priv_bits random bits, x > 1) from the
 *             composition's RNG (rng), and write pub = g^x mod p, p_len bytes.
 *   check:    validate a peer value of len bytes (leading zeros allowed) under
 *             policy; HSB_E_RANGE when it fails. FULL without q: HSB_E_USAGE.
 *   derive:   shared = peer^x mod p, p_len bytes (left-padded; the TLS caller
 *             strips leading zeros per RFC 5246 8.1.2). Runs check(RANGE) itself.
 *   set_priv: load a known private exponent (tests and known-answer runs).
 */
typedef struct hsb_rng_class hsb_rng_class;
typedef struct hsb_dh_class {
    const char *name;
    size_t ctx_size;
    hsb_rc (*init)(void *ctx, const hsb_dh_group *group);
    hsb_rc (*keygen)(void *ctx, const hsb_rng_class *rng, uint8_t *pub, size_t pub_len);
    hsb_rc (*set_priv)(void *ctx, const uint8_t *x, size_t x_len, uint8_t *pub, size_t pub_len);
    hsb_rc (*check)(void *ctx, const uint8_t *y, size_t len, hsb_dh_check policy);
    hsb_rc (*derive)(void *ctx, uint8_t *shared, size_t shared_len, const uint8_t *peer,
                     size_t peer_len);
    void (*clear)(void *ctx);
} hsb_dh_class;

/* ---------------------------------------------------------------------- AES */

#define HSB_AES_KEY_128 (1u << 0)
#define HSB_AES_KEY_192 (1u << 1)
#define HSB_AES_KEY_256 (1u << 2)

/*
 * AES block modes. One context holds both the encryption and the decryption
 * key schedule.
 *   init:        key_len 16, 24 or 32; a size not in key_sizes gives
 *                HSB_E_UNSUPPORTED.
 *   cbc_encrypt, cbc_decrypt: len a multiple of 16 (else HSB_E_USAGE, nothing
 *                written); iv is updated to the last ciphertext block, so
 *                consecutive calls chain; in == out is allowed.
 *   ctr:         any len; ctr is a 128-bit big-endian counter incremented per
 *                block (wrapping mod 2^128); a final partial block uses one
 *                counter value; on return ctr is the next unused value.
 *                in == out is allowed.
 */
typedef struct hsb_aes_class {
    const char *name;
    size_t ctx_size;
    unsigned key_sizes; /* HSB_AES_KEY_* bits */
    hsb_rc (*init)(void *ctx, const uint8_t *key, size_t key_len);
    hsb_rc (*cbc_encrypt)(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                          size_t len);
    hsb_rc (*cbc_decrypt)(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                          size_t len);
    hsb_rc (*ctr)(const void *ctx, uint8_t ctr[16], uint8_t *out, const uint8_t *in, size_t len);
    void (*clear)(void *ctx);
} hsb_aes_class;

/*
 * AES-GCM (optional class). Tag is 16 bytes. iv_len 12 is required of every
 * implementation; others may answer HSB_E_UNSUPPORTED for other IV lengths and
 * must answer HSB_E_USAGE for iv_len 0. open checks the tag in constant time
 * and on failure returns HSB_E_DECRYPT with out zeroed: once open returns a
 * failure, out holds no plaintext. (An implementation may decrypt into out
 * while it hashes and zero it after the check, as ipsec-mb and OpenSSL do;
 * out is the caller's, so no other thread may read it during the call.)
 * in == out is allowed (the TLS record layer seals and opens in place).
 */
typedef struct hsb_gcm_class {
    const char *name;
    size_t ctx_size;
    unsigned key_sizes;
    hsb_rc (*init)(void *ctx, const uint8_t *key, size_t key_len);
    hsb_rc (*seal)(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad, size_t aad_len,
                   uint8_t *out, const uint8_t *in, size_t len, uint8_t tag[16]);
    hsb_rc (*open)(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad, size_t aad_len,
                   uint8_t *out, const uint8_t *in, size_t len, const uint8_t tag[16]);
    void (*clear)(void *ctx);
} hsb_gcm_class;

/* ------------------------------------------- CBC-HMAC record (MAC-then-encrypt) */

/*
 * One TLS 1.2 record of AES-128-CBC + HMAC-SHA256, MAC-then-encrypt (RFC 5246
 * 6.2.3.2), as one class so that a backend may stitch the serial CBC chain
 * with the SHA-256 rounds. Optional (cipher group): when the composition has
 * none, the record layer uses the aes and hmac-sha256 classes piece by piece,
 * with the same bytes on the wire. It is never borrowed from another backend.
 *   init:  aes_key (16 bytes; other lengths HSB_E_UNSUPPORTED) and mac_key
 *          (any length, RFC 2104); both secret.
 *   seal:  hdr = seq_num(8) || type || version(2) || length(2) of the
 *          plaintext (RFC 5246 6.2.3.1); buf holds len data bytes and has room
 *          for len + 32 + 16 more. Writes E(data || MAC || padding) in place,
 *          CBC with iv as the record's explicit IV (iv is not changed), every
 *          padding byte equal to the padding length (minimal padding), and
 *          *out_len = len + 32 + padding + 1 (a multiple of 16).
 *          len > 16384 + 1024 (RFC 5246 6.2.3): HSB_E_USAGE.
 *   open:  hdr as in seal, but its two length bytes are ignored (the data
 *          length is what the padding says); buf holds len bytes of
 *          ciphertext (after the explicit IV iv). Decrypts in place and checks
 *          padding and MAC in time that depends on len only (Lucky 13,
 *          AlFardan and Paterson 2013; RFC 5246 6.2.3.2 implementation note):
 *          on success *data_len is the data length (the data at buf), on any
 *          failure (len not a multiple of 16, < 48 or > 16384 + 2048 (RFC
 *          5246 6.2.3), bad padding, bad MAC)
 *          HSB_E_DECRYPT, and buf's contents are unspecified.
 *   seal_batch (may be NULL, seal_lanes 0): seal n <= seal_lanes records of
 *          different contexts at once (one job each, as seal; jobs[i].rc gets
 *          each record's result). Returns HSB_OK when every job did, else the
 *          first failing job's code. n == 0 is HSB_OK.
 */
typedef struct hsb_cbc_hmac_job {
    void *ctx;          /* an init'ed context; distinct per job */
    const uint8_t *hdr; /* 13 bytes, as seal */
    const uint8_t *iv;  /* 16 bytes */
    uint8_t *buf;       /* len data bytes, room for len + 48 */
    size_t len;         /* data length */
    size_t out_len;     /* out: ciphertext length written at buf */
    hsb_rc rc;          /* out */
} hsb_cbc_hmac_job;

#define HSB_CBC_HMAC_HDR_LEN 13
#define HSB_CBC_HMAC_MAX_LEN (16384 + 1024)

typedef struct hsb_cbc_hmac_class {
    const char *name;
    size_t ctx_size;
    hsb_rc (*init)(void *ctx, const uint8_t *aes_key, size_t aes_key_len, const uint8_t *mac_key,
                   size_t mac_key_len);
    hsb_rc (*seal)(void *ctx, const uint8_t hdr[HSB_CBC_HMAC_HDR_LEN], const uint8_t iv[16],
                   uint8_t *buf, size_t len, size_t *out_len);
    hsb_rc (*open)(void *ctx, const uint8_t hdr[HSB_CBC_HMAC_HDR_LEN], const uint8_t iv[16],
                   uint8_t *buf, size_t len, size_t *data_len);
    void (*clear)(void *ctx);
    unsigned seal_lanes;
    hsb_rc (*seal_batch)(hsb_cbc_hmac_job *jobs, size_t n);
} hsb_cbc_hmac_class;

/* ------------------------------------------------------------- SHA-256, HMAC */

/*
 * SHA-256 (FIPS 180-4).
 *   init:   start an empty message (may allocate; pair with clear).
 *   update: absorb len bytes.
 *   final:  write the 32-byte digest and reset ctx to the empty message.
 *   copy:   dst (already init'ed) takes src's state, for running transcript
 *           hashes (the Finished message hashes a prefix of the transcript).
 */
typedef struct hsb_sha256_class {
    const char *name;
    size_t ctx_size;
    hsb_rc (*init)(void *ctx);
    void (*update)(void *ctx, const void *data, size_t len);
    void (*final)(void *ctx, uint8_t out[32]);
    hsb_rc (*copy)(void *dst, const void *src);
    void (*clear)(void *ctx);
} hsb_sha256_class;

/*
 * HMAC-SHA256 (RFC 2104). The key is secret.
 *   init:   key of any length (longer than 64 bytes is hashed first).
 *   final:  write the 32-byte tag, then reset to the keyed empty message, so
 *           one init serves many messages (the record layer does this).
 */
typedef struct hsb_hmac_sha256_class {
    const char *name;
    size_t ctx_size;
    hsb_rc (*init)(void *ctx, const uint8_t *key, size_t key_len);
    void (*update)(void *ctx, const void *data, size_t len);
    void (*final)(void *ctx, uint8_t out[32]);
    void (*clear)(void *ctx);
} hsb_hmac_sha256_class;

/* ------------------------------------------------------------------- random */

/* Cryptographically secure random bytes; thread-safe. */
struct hsb_rng_class {
    const char *name;
    hsb_rc (*fill)(void *out, size_t len);
};

/* ------------------------------------------------------------------ batches */

/*
 * Batch classes (multi-buffer public key, DESIGN.md "Batching"): up to
 * `lanes` independent operations of one single class at once -- different
 * inputs, possibly different keys or groups of one size -- in about the time
 * of one (an 8-lane AVX-512 IFMA exponentiation, say). Bytes in, bytes out,
 * as the single class. A batch class belongs to the backend of its single
 * class: the jobs carry contexts that `single` init'ed, and a batch class
 * takes no other (hsb_compose pairs a batch class only with the very single
 * class it names). Everything else follows the single op's contract per job:
 * lengths, ranges, error codes, aliasing, constant time in each lane's
 * secrets (and independent of the other lanes' values: which lanes are used
 * and their public lengths may show, nothing else).
 *
 * run: 1 <= n <= lanes jobs. Every job gets its own rc; a bad job (input
 *      >= modulus, wrong length) fails alone with the single op's code and
 *      never corrupts the other lanes. Returns HSB_OK when every job
 *      succeeded, else the first failing job's rc. n out of range:
 *      HSB_E_USAGE, no job run.
 *
 * Callers use the dispatch functions below (hsb_rsa_priv_batch, ...), which
 * split any n into chunks of `lanes` and, where the composition has no batch
 * class for its single class, loop over the single op -- in the open:
 * hsb_batch_describe says which.
 */
typedef struct hsb_rsa_priv_job {
    void *ctx; /* a context init'ed by the composition's rsa_priv class */
    uint8_t *out;
    const uint8_t *in;
    size_t len;
    hsb_rc rc;
} hsb_rsa_priv_job;

/* check: in/in_len is the peer's Y, tested under policy (out unused);
 * keygen: out/out_len is pub (in unused); derive: out = shared, in = peer. */
typedef enum hsb_dh_job_kind {
    HSB_DH_JOB_KEYGEN,
    HSB_DH_JOB_DERIVE,
    HSB_DH_JOB_CHECK
} hsb_dh_job_kind;

typedef struct hsb_dh_job {
    void *ctx; /* a context init'ed by the composition's dh class */
    hsb_dh_job_kind kind;
    uint8_t *out;
    size_t out_len;
    const uint8_t *in;
    size_t in_len;
    hsb_dh_check policy; /* HSB_DH_JOB_CHECK only */
    hsb_rc rc;
} hsb_dh_job;

typedef struct hsb_modexp_job {
    uint8_t *out;
    const uint8_t *base, *exp, *mod;
    size_t base_len, exp_len, mod_len;
    hsb_rc rc;
} hsb_modexp_job;

typedef struct hsb_rsa_priv_batch_class {
    const char *name; /* e.g. "native-rsa-crt-mb8-ifma" */
    size_t lanes;
    const hsb_rsa_priv_class *single; /* the class whose contexts the jobs hold */
    hsb_rc (*run)(hsb_rsa_priv_job *jobs, size_t n);
} hsb_rsa_priv_batch_class;

/* Jobs of one batch may mix kinds and groups; an implementation may run
 * groups of different sizes (or kinds) as separate passes. */
typedef struct hsb_dh_batch_class {
    const char *name;
    size_t lanes;
    const hsb_dh_class *single;
    hsb_rc (*run)(const hsb_rng_class *rng, hsb_dh_job *jobs, size_t n);
} hsb_dh_batch_class;

/* Stateless like hsb_modexp_class; lanes may hold different moduli. */
typedef struct hsb_modexp_batch_class {
    const char *name;
    size_t lanes;
    const hsb_modexp_class *single;
    hsb_rc (*run)(hsb_modexp_job *jobs, size_t n);
} hsb_modexp_batch_class;

/* ------------------------------------------------------ backends, compositions */

/* A backend: its name, one line about it, and its classes (NULL = absent). */
typedef struct hsb_backend {
    const char *name;
    const char *about;
    const hsb_modexp_class *modexp;
    const hsb_rsa_priv_class *rsa_priv;
    const hsb_rsa_pub_class *rsa_pub;
    const hsb_dh_class *dh;
    const hsb_aes_class *aes;
    const hsb_gcm_class *gcm;
    const hsb_sha256_class *sha256;
    const hsb_hmac_sha256_class *hmac;
    const hsb_rng_class *rng;
    const hsb_cbc_hmac_class *cbc_hmac; /* optional, see above */
    /* Batch classes (NULL = absent: the dispatch loops over the single op). */
    const hsb_rsa_priv_batch_class *rsa_priv_batch;
    const hsb_dh_batch_class *dh_batch;
    const hsb_modexp_batch_class *modexp_batch;
} hsb_backend;

/* A composition: one implementation per class, the backend that served each
 * (from[], indexed by hsb_class_id; NULL where no backend has the class), and
 * the backend the spec asked for (intended[]: its KEY=NAME, else the base
 * name, else the first backend). from[c] differs from intended[c] exactly
 * where the class was borrowed, so a caller that must not borrow (a benchmark
 * row) compares the two instead of reading the spec again. */
typedef struct hsb_provider {
    hsb_backend cls;                       /* the chosen classes; cls.name = label */
    const char *from[HSB_CLASS_COUNT];     /* backend name per class */
    const char *intended[HSB_CLASS_COUNT]; /* backend the spec named per class */
    char label[96];                        /* "openssl", "gmp+openssl", ... */
    char spec[160];                        /* canonical spec, "pk=gmp,cipher=openssl,..." */
} hsb_provider;

/* The class as a generic pointer, NULL when absent. */
const void *hsb_backend_class(const hsb_backend *b, hsb_class_id id);
/* "modexp", "rsa-priv", "rsa-pub", "dh", "aes", "gcm", "sha256", "hmac-sha256", "rng",
 * "cbc-hmac". */
const char *hsb_class_name(hsb_class_id id);
/* Implementation name of a class (its ->name), NULL when absent. */
const char *hsb_backend_impl_name(const hsb_backend *b, hsb_class_id id);

/*
 * Build a composition from spec over the given backends.
 *   "NAME"             every class from NAME; classes NAME lacks come from the
 *                      first backend in the list (the reference, openssl) and
 *                      are named in the description ("borrowed").
 *   "KEY=NAME,..."     per class or group; KEY is a class name above, or a
 *                      group: pk (modexp, rsa-priv, rsa-pub, dh), cipher (aes,
 *                      gcm, cbc-hmac), mac (sha256, hmac-sha256), rng. A bare NAME may
 *                      come first as the base: "gmp,cipher=native".
 *   Unnamed classes come from the base, else from the first backend.
 * On a bad spec returns HSB_E_USAGE and writes a message naming the valid
 * choices into err.
 */
HSB_MUST_CHECK hsb_rc hsb_compose(const hsb_backend *const *backends, size_t n_backends,
                                  const char *spec, hsb_provider *out, char *err, size_t err_len);

/*
 * The distinct backends serving the classes in mask (a set of 1u << class),
 * in class order, joined by '+': "gmp", "native+openssl". When first is not
 * NULL it leads and is not repeated (hsb_compose's label puts the primary
 * backend first this way).
 */
void hsb_provider_label(const hsb_provider *p, unsigned mask, const char *first, char *buf,
                        size_t len);

/* One line: "gmp (aes, gcm, sha256, hmac-sha256, rng borrowed from openssl)". */
void hsb_provider_describe(const hsb_provider *p, char *buf, size_t len);

/*
 * Batch dispatch. Run n jobs (any n: split into chunks of the class's lanes).
 * Each job gets its own rc: a bad lane fails alone and never corrupts others.
 * Returns HSB_OK when every job succeeded, else the first failing rc (n = 0:
 * HSB_OK). Uses the composition's batch class when it has one, else a loop
 * over the single op (said in the open: hsb_batch_describe); a composition
 * without the single class fails every job with HSB_E_UNSUPPORTED.
 */
hsb_rc hsb_rsa_priv_batch(const hsb_provider *p, hsb_rsa_priv_job *jobs, size_t n);
hsb_rc hsb_dh_batch(const hsb_provider *p, const hsb_rng_class *rng, hsb_dh_job *jobs, size_t n);
hsb_rc hsb_modexp_batch(const hsb_provider *p, hsb_modexp_job *jobs, size_t n);
/* Lanes of the batch class serving that single class (HSB_CLASS_RSA_PRIV,
 * HSB_CLASS_DH, HSB_CLASS_MODEXP); 1 for the loop and for other classes. */
size_t hsb_batch_lanes(const hsb_provider *p, hsb_class_id single);
/* One line for reports: "rsa-priv-batch: native-rsa-crt-mb8-ifma (8 lanes)"
 * or "rsa-priv-batch: loop over openssl's rsa-priv" (or "... : none"). */
void hsb_batch_describe(const hsb_provider *p, hsb_class_id single, char *buf, size_t len);

/* Allocate and free a context for a class with ctx_size (HSB_CTX_ALIGN-aligned,
 * zeroed); free wipes it. Used outside hot paths. */
void *hsb_ctx_alloc(size_t ctx_size);
void hsb_ctx_free(void *ctx, size_t ctx_size);

#endif
