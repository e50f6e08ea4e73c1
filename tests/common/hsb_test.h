/*
 * hsb_test.h - the harness the C test programs share: CHECK macros that count
 * checks and failures, the end-of-run summary, hex helpers, random bytes
 * (libcrypto's DRBG, or a seeded reproducible stream), and RSA keys made with
 * libcrypto at run time (never stored).
 *
 * Not thread-safe: CHECK is called from the main thread only. Link the static
 * library hsb_test (tests/common/CMakeLists.txt).
 */
#ifndef HSB_TEST_H
#define HSB_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_error.h"
#include "hsb_hex.h"
#include "hsb_provider.h"

/* Checks run and checks failed so far. */
extern int hsb_test_checks, hsb_test_failures;
/* Print at most this many failure lines (0: all); the count goes on. */
extern int hsb_test_print_limit;

/* Counts one check; when ok is 0 counts a failure and prints
 * "file:line: FAIL: " and the printf-style message on stderr. Returns ok. */
int hsb_test_check(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Counts one check of an hsb_rc: got must equal want; a failure names both
 * and hsb_last_error(). Returns 1 when they are equal. */
int hsb_test_check_rc(hsb_rc got, hsb_rc want, const char *file, int line, const char *expr);

/* CHECK(cond): the condition's text is the message. CHECKF(cond, fmt, ...):
 * a message of one's own. CHECK_RC(expr, want): expr evaluated once. */
#define CHECK(cond) ((void)hsb_test_check(!!(cond), __FILE__, __LINE__, "%s", #cond))
#define CHECKF(cond, ...) ((void)hsb_test_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__))
#define CHECK_RC(expr, want) ((void)hsb_test_check_rc((expr), (want), __FILE__, __LINE__, #expr))

/* Prints "name: N checks, M failures" on stdout; returns the exit status
 * (0 when nothing failed, 1 otherwise). */
int hsb_test_report(const char *name);

/* Hex, by the project's one decoder (bench/common/hsb_hex.h, included here):
 * hsb_hex_decode with no cap, so out must hold strlen(hex)/2 bytes; decodes
 * pairs until the string ends or a pair is not two hex digits, and returns
 * the bytes written. Compare with hsb_hex_equal. */
size_t hsb_test_unhex(uint8_t *out, const char *hex);

/* len bytes from libcrypto's RAND_bytes; aborts if it fails. */
void hsb_test_rand(void *out, size_t len);
/* A value below n (n > 0) from hsb_test_rand. */
size_t hsb_test_rand_below(size_t n);

/* A reproducible stream (xorshift64*), for lengths and data that a failing
 * run must replay: seed it once, then draw. Not for anything secret. */
void hsb_test_prng_seed(uint64_t seed);
uint64_t hsb_test_prng64(void);
void hsb_test_prng_bytes(uint8_t *out, size_t len);

/* An RSA key made by libcrypto, its fields big-endian in the buffers below
 * and described by k. */
typedef struct hsb_test_rsa_key {
    uint8_t n[HSB_MAX_MODULUS_BYTES], e[HSB_MAX_MODULUS_BYTES], d[HSB_MAX_MODULUS_BYTES];
    uint8_t p[HSB_MAX_MODULUS_BYTES], q[HSB_MAX_MODULUS_BYTES];
    uint8_t dp[HSB_MAX_MODULUS_BYTES], dq[HSB_MAX_MODULUS_BYTES], qinv[HSB_MAX_MODULUS_BYTES];
    hsb_rsa_key k;
} hsb_test_rsa_key;

/* Makes a bits-bit key (e = 65537) into t: 1 on success, 0 when libcrypto
 * fails or a field is missing. */
int hsb_test_rsa_keygen(hsb_test_rsa_key *t, unsigned bits);
/* Points t->k's fields at t's own buffers again (after a struct copy);
 * lengths are kept. */
void hsb_test_rsa_key_rebind(hsb_test_rsa_key *t);

#endif
