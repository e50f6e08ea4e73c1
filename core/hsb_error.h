/*
 * hsb_error.h - the one result type of hsbench, and the macros that move it.
 *
 * Every fallible function returns hsb_rc. HSB_OK is zero; every other value
 * names a kind of failure. The place where a failure was first raised (file,
 * line, a short message) is kept per thread for debugging and for the clear
 * error messages the driver prints; it never changes the code returned.
 * Messages name what the user gave (a file, an option), never a source
 * path: file:line is shown only when the environment has HSB_DEBUG=1.
 *
 *   HSB_GUARD(expr)        return expr's code unless it is HSB_OK
 *   HSB_ENSURE(cond, code) raise code (recording where) unless cond holds
 *   HSB_BAIL(code)         raise code unconditionally
 *
 * The one rule for secrets: every failed padding, MAC, tag or Finished check
 * raises HSB_E_DECRYPT and nothing else, so no caller can tell them apart.
 */
#ifndef HSB_ERROR_H
#define HSB_ERROR_H

#include <stddef.h>

typedef enum hsb_rc {
    HSB_OK = 0,
    HSB_E_USAGE,       /* the caller broke the contract: NULL, bad length, bad option */
    HSB_E_UNSUPPORTED, /* a valid request this implementation does not take (key size) */
    HSB_E_UNAVAILABLE, /* the class or instruction set is absent here */
    HSB_E_RANGE,       /* a number out of range: base >= n, c >= n, even modulus, bad DH Y */
    HSB_E_DECRYPT,     /* the single error for failed padding, MAC, tag or verify checks */
    HSB_E_CRYPTO,      /* an underlying crypto library failed */
    HSB_E_PROTOCOL,    /* the peer broke TLS: the connection sends an alert */
    HSB_E_CERT,        /* a certificate did not verify */
    HSB_E_IO,          /* a transport failed or the peer closed */
    HSB_E_WOULD_BLOCK, /* a non-blocking transport has no data yet: retry */
    HSB_E_NOMEM,       /* an allocation failed */
    HSB_E_INTERNAL,    /* a bug in hsbench */
    HSB_E_PENDING,     /* a TLS conn waits for a public-key op the driver runs (hsb_tls.h) */
} hsb_rc;

#if defined(__GNUC__)
#define HSB_MUST_CHECK __attribute__((warn_unused_result))
#else
#define HSB_MUST_CHECK
#endif

/* Short stable name of a code ("decrypt", "range", ...). */
const char *hsb_rc_name(hsb_rc rc);

/* Record that rc was raised at file:line with msg (may be NULL); returns rc. */
hsb_rc hsb_raise(hsb_rc rc, const char *file, int line, const char *msg);

/* The last failure raised on this thread: "msg (code)", or with HSB_DEBUG
 * set (read at each call) "file:line: msg (code)". The text lives in a
 * per-thread buffer until the next call. */
const char *hsb_last_error(void);
void hsb_clear_error(void);

#define HSB_BAIL(code) return hsb_raise((code), __FILE__, __LINE__, #code)
#define HSB_BAIL_MSG(code, msg) return hsb_raise((code), __FILE__, __LINE__, (msg))
#define HSB_ENSURE(cond, code)                                                                     \
    do {                                                                                           \
        if (!(cond)) return hsb_raise((code), __FILE__, __LINE__, "!(" #cond ")");                 \
    } while (0)
#define HSB_GUARD(expr)                                                                            \
    do {                                                                                           \
        hsb_rc hsb_guard_rc_ = (expr);                                                             \
        if (hsb_guard_rc_ != HSB_OK) return hsb_guard_rc_;                                         \
    } while (0)

#endif
