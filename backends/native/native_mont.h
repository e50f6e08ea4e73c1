/*
 * native_mont.h - internal to the native backend: Montgomery arithmetic on
 * fixed-size arrays of 64-bit limbs, the exponentiations built on it, and the
 * classes (modexp, RSA private/public, DH) that use them. Nothing here crosses
 * the provider interface, which speaks big-endian bytes (BearSSL's shape:
 * src/int/i31_*.c under src/rsa/rsa_i31_priv.c).
 *
 * Numbers are little-endian arrays of uint64_t limbs (x[0] least significant)
 * whose length n is fixed by the modulus, 1 <= n <= HSB_NM_MAX_LIMBS. All
 * scratch is on the stack; the largest users are the window tables of the
 * exponentiations (16 KiB for the 64-bit paths, up to 24 KiB for IFMA's
 * interleaved pair), so callers need about 32 KiB of stack.
 *
 * Constant time: unless a prototype says "public" (variable time, for public
 * exponents and public values), every function here runs in time that depends
 * only on limb counts and lengths in bytes, never on limb values, and indexes
 * memory only by such public values. tests/ctgrind checks this under valgrind.
 *
 * Paths (engines), chosen once at run time from hsb_cpu():
 *   portable  C with unsigned __int128                    (any x86-64 or 64-bit CPU)
 *   mulx      MULX/ADCX/ADOX inline asm (two carry chains) (BMI2 + ADX)
 *   ifma      AVX-512 IFMA, 52-bit limbs, for the exponentiations only;
 *             the rest runs on mulx                          (AVX-512F/VL/IFMA + ADX/BMI2)
 * HSB_CPU_DISABLE=adx,bmi2,avx512 forces the portable path.
 */
#ifndef HSB_NATIVE_MONT_H
#define HSB_NATIVE_MONT_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_provider.h"

#define HSB_NM_MAX_LIMBS (HSB_MAX_MODULUS_BITS / 64) /* 64 */
/* Room for the IFMA engine's per-modulus constants (see mont_ifma.c). */
#define HSB_NM_EXT_WORDS 256

/* ------------------------------------------------------------- declassify */

/* See native_declassify.h. */
#include "native_declassify.h"
#define HSB_NM_DECLASSIFY(p, len) HSB_NATIVE_DECLASSIFY(p, len)

/* ------------------------------------------------------- constant-time bits */

/* Hide x from the optimiser so that masks stay masks (no branch is derived). */
static inline uint64_t hsb_nm_barrier(uint64_t x)
{
#if defined(__GNUC__)
    __asm__("" : "+r"(x));
#endif
    return x;
}
/* All-ones when x == 0, else 0. */
static inline uint64_t hsb_nm_mask_zero(uint64_t x)
{
    /* (~x & (x - 1)) has its top bit set exactly when x == 0. */
    return 0 - (hsb_nm_barrier(~x & (x - 1)) >> 63);
}
/* All-ones when bit (0 or 1) is set, else 0. */
static inline uint64_t hsb_nm_mask(uint64_t bit)
{
    return 0 - hsb_nm_barrier(bit);
}

/* The w-bit window (w <= 64) of a big-endian exponent of len bytes at bit
 * position pos (counted from the least significant bit), clipped at the top.
 * The positions are public; the exponent's bits may be secret (no branch or
 * index depends on them). Shared by every exponentiation here. */
static inline uint64_t hsb_nm_window(const uint8_t *exp, size_t len, size_t pos, unsigned w)
{
    uint64_t v = 0;
    for (unsigned k = 0; k < w; k++) {
        size_t bit = pos + k;
        if (bit >= 8 * len) break;
        v |= (uint64_t)((exp[len - 1 - bit / 8] >> (bit % 8)) & 1) << k;
    }
    return v;
}

/* One window of a left-to-right sliding-window scan of a PUBLIC exponent
 * (variable time): the bits from *top - 1 down. A zero bit gives *v = 0 and
 * 1 (one squaring); else the longest run of at most wmax bits that ends in a
 * set bit, *v its (odd) value, and its length is returned. *top moves below
 * the window. The scan of every public exponentiation here. */
static inline unsigned hsb_nm_slide(const uint8_t *exp, size_t len, size_t *top, unsigned wmax,
                                    uint64_t *v)
{
    size_t bit = *top - 1, low = bit + 1 > wmax ? bit + 1 - wmax : 0;
    *v = 0;
    if (!hsb_nm_window(exp, len, bit, 1)) {
        *top = bit;
        return 1;
    }
    while (!hsb_nm_window(exp, len, low, 1)) low++;
    unsigned w = (unsigned)(bit - low + 1);
    *v = hsb_nm_window(exp, len, low, w);
    *top = low;
    return w;
}

/* Window width of a public exponentiation of a bits-long exponent: RSA's
 * e = 65537 (17 bits) is cheapest bit by bit; a long one (the DH peer check's
 * 2047-bit q) by 5-bit windows over 16 odd powers: 2047 squarings and about
 * 350 products instead of about 1020. */
static inline unsigned hsb_nm_public_window(size_t bits)
{
    return bits <= 64 ? 1 : 5;
}
#define HSB_NM_PUBLIC_MAX_WINDOW 5

/* Leading zero bytes of a secret field (an RSA prime or exponent), counted
 * without branching on its bytes; the count itself is declassified: the byte
 * lengths of the primes are public. */
static inline size_t hsb_nm_lead_zeros_ct(const uint8_t *x, size_t len)
{
    uint64_t still = ~(uint64_t)0, count = 0;
    for (size_t i = 0; i < len; i++) {
        still &= hsb_nm_mask_zero(x[i]);
        count += still & 1;
    }
    HSB_NM_DECLASSIFY(&count, sizeof count);
    return (size_t)count;
}

/* --------------------------------------------------------- Montgomery context */

/*
 * A modulus N (odd, > 1) of n limbs with R = 2^(64n):
 *   n0  = -N^-1 mod 2^64
 *   rr  = R^2 mod N (to enter the Montgomery domain: x R = mont(x, R^2))
 *   one = R mod N (1 in the Montgomery domain)
 *   ext = the path's own constants (IFMA: its radix-2^52 R^2 and n0), set by
 *         the engine's prep; unused by the 64-bit paths.
 * N may be secret (an RSA prime): everything derived from it is computed in
 * constant time.
 */
typedef struct hsb_nm_mont {
    size_t n;
    uint64_t n0;
    uint64_t N[HSB_NM_MAX_LIMBS];
    uint64_t rr[HSB_NM_MAX_LIMBS];
    uint64_t one[HSB_NM_MAX_LIMBS];
    uint64_t ext[HSB_NM_EXT_WORDS];
} hsb_nm_mont;

/*
 * An engine: Montgomery arithmetic for one path.
 *   mul:  r = a b / R mod N, fully reduced (r < N), whenever a b < N R -- in
 *         particular when a < N and b < N, or a < R and b < N. r may alias a
 *         and/or b.
 *   sqr:  r = a a / R mod N, a < N; r may alias a.
 *   redc: r = t / R mod N for t of 2n limbs with t < N R; t is destroyed
 *         (scratch); r < N; r may not alias t.
 *   pow, pow2: optional whole exponentiations (IFMA); NULL means the generic
 *         window code over mul/sqr. They return 1 when done and 0 when they do
 *         not take this modulus (the caller then runs the generic code).
 *         Arguments as hsb_nm_pow / hsb_nm_pow2 below.
 *   prep: optional per-modulus precomputation into m->ext (called by
 *         hsb_nm_mont_init; constant time).
 */
typedef struct hsb_nm_engine hsb_nm_engine;
struct hsb_nm_engine {
    const char *name;
    void (*mul)(uint64_t *r, const uint64_t *a, const uint64_t *b, const hsb_nm_mont *m);
    void (*sqr)(uint64_t *r, const uint64_t *a, const hsb_nm_mont *m);
    void (*redc)(uint64_t *r, uint64_t *t, const hsb_nm_mont *m);
    int (*pow)(const hsb_nm_mont *m, uint64_t *out, const uint64_t *base, const uint8_t *exp,
               size_t exp_len);
    int (*pow2)(const hsb_nm_mont *m1, uint64_t *out1, const uint64_t *base1, const uint8_t *exp1,
                size_t exp1_len, const hsb_nm_mont *m2, uint64_t *out2, const uint64_t *base2,
                const uint8_t *exp2, size_t exp2_len);
    void (*prep)(hsb_nm_mont *m);
    /* optional, variable time: out = base^exp mod N for a public exp
     * (leading zero bytes stripped, exp_len > 0); arguments and result as
     * hsb_nm_pow_public. 1 when done, 0 when not taken. */
    int (*pow_public)(const hsb_nm_mont *m, uint64_t *out, const uint64_t *base, const uint8_t *exp,
                      size_t exp_len);
};

typedef enum hsb_nm_path {
    HSB_NM_PATH_PORTABLE = 0,
    HSB_NM_PATH_MULX,
    HSB_NM_PATH_IFMA,
    HSB_NM_PATH_COUNT
} hsb_nm_path;

/* The engines (their code is compiled for their ISA; calling one on a CPU
 * without it faults: use hsb_nm_engine_get). */
extern const hsb_nm_engine hsb_nm_engine_portable;
extern const hsb_nm_engine hsb_nm_engine_mulx;
extern const hsb_nm_engine hsb_nm_engine_ifma;

/* Their arithmetic, for engines built on another (IFMA uses mulx's). */
void hsb_nm_portable_mul(uint64_t *r, const uint64_t *a, const uint64_t *b, const hsb_nm_mont *m);
void hsb_nm_portable_sqr(uint64_t *r, const uint64_t *a, const hsb_nm_mont *m);
void hsb_nm_portable_redc(uint64_t *r, uint64_t *t, const hsb_nm_mont *m);
void hsb_nm_mulx_mul(uint64_t *r, const uint64_t *a, const uint64_t *b, const hsb_nm_mont *m);
void hsb_nm_mulx_sqr(uint64_t *r, const uint64_t *a, const hsb_nm_mont *m);
void hsb_nm_mulx_redc(uint64_t *r, uint64_t *t, const hsb_nm_mont *m);

/* The engine of a path, NULL when hsb_cpu() lacks its instructions (so
 * HSB_CPU_DISABLE applies) or it was not built. */
const hsb_nm_engine *hsb_nm_engine_get(hsb_nm_path path);
/* mont_ifma.c's known-answer check of the real instructions against the mulx
 * code (1 = agree); hsb_nm_engine_get runs it once before returning IFMA. */
int hsb_nm_ifma_selftest(void);
/* The fastest available path. */
hsb_nm_path hsb_nm_best_path(void);
/* "portable", "mulx", "ifma". */
const char *hsb_nm_path_name(hsb_nm_path path);

/* -------------------------------------------------------- shared arithmetic */

/*
 * Set up m for N (n limbs, odd, N > 1; the caller checks). floor_bit is a
 * public lower bound with 2^floor_bit < N (bit length - 1 for public moduli;
 * 8 (bytes - 1) for a prime whose top byte is known non-zero): R and R^2 are
 * found by doubling from 2^floor_bit with constant-time conditional
 * subtractions, then Montgomery squarings. Constant time in N's value.
 */
void hsb_nm_mont_init(hsb_nm_mont *m, const hsb_nm_engine *e, const uint64_t *N, size_t n,
                      size_t floor_bit);

/* x (n limbs) = the big-endian bytes b[0..len), len <= 8 n. */
void hsb_nm_from_bytes(uint64_t *x, size_t n, const uint8_t *b, size_t len);
/* b[0..len) = the low len bytes of x (n limbs), big-endian, zero-padded on
 * the left when len > 8 n. */
void hsb_nm_to_bytes(uint8_t *b, size_t len, const uint64_t *x, size_t n);
/* 1 when a < b (both n limbs), else 0. */
uint64_t hsb_nm_lt(const uint64_t *a, const uint64_t *b, size_t n);
/* r = (hi 2^(64n) + t) - N if that is >= 0, else t; requires hi 2^(64n) + t
 * < 2 N and hi in {0, 1}. r may alias t. The engines end every mul with it. */
void hsb_nm_final_sub(uint64_t *r, const uint64_t *t, uint64_t hi, const uint64_t *N, size_t n);
/* x = 2 x mod N for x < N. */
void hsb_nm_dbl_mod(uint64_t *x, const uint64_t *N, size_t n);
/* r = a - b mod N for a, b < N. r may alias a or b. */
void hsb_nm_sub_mod(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *N, size_t n);
/* r (2n limbs) = a b (n limbs each), plain product. r may not alias a or b. */
void hsb_nm_mul_plain(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n);
/* Bit length of a public value (variable time). */
size_t hsb_nm_bitlen_public(const uint64_t *x, size_t n);

/* --------------------------------------------------------- exponentiation */

/*
 * out = base^exp mod N. base < N and out in the normal (not Montgomery)
 * domain, n limbs; exp big-endian, exp_len bytes, all of them processed
 * (leading zeros included), so the time depends on exp_len, not on the bit
 * length of exp; exp_len 0 means exp = 0 (out = 1). Fixed window with
 * constant-time table scans. out may alias base.
 */
void hsb_nm_pow(const hsb_nm_engine *e, const hsb_nm_mont *m, uint64_t *out, const uint64_t *base,
                const uint8_t *exp, size_t exp_len);
/* Two independent exponentiations (RSA-CRT: mod p and mod q), which an
 * engine may interleave. */
void hsb_nm_pow2(const hsb_nm_engine *e, const hsb_nm_mont *m1, uint64_t *out1,
                 const uint64_t *base1, const uint8_t *exp1, size_t exp1_len, const hsb_nm_mont *m2,
                 uint64_t *out2, const uint64_t *base2, const uint8_t *exp2, size_t exp2_len);
/* As hsb_nm_pow with the generic 64-bit window code over e->mul/sqr, even
 * when e has its own pow (tests compare the two). */
void hsb_nm_pow_generic(const hsb_nm_engine *e, const hsb_nm_mont *m, uint64_t *out,
                        const uint64_t *base, const uint8_t *exp, size_t exp_len);
/* Public: out = base^exp mod N by left-to-right binary exponentiation,
 * variable time (public exponents: RSA e, DH q). base < N. out may alias base. */
void hsb_nm_pow_public(const hsb_nm_engine *e, const hsb_nm_mont *m, uint64_t *out,
                       const uint64_t *base, const uint8_t *exp, size_t exp_len);

/* The public half of an RSA private key, checked one way for the single and
 * the batch RSA code: every part present; n, its leading zero bytes
 * skipped, odd, of HSB_MIN_RSA_MODULUS_BITS bits (hsb_limits.h) up to
 * HSB_MAX_MODULUS_BYTES (else HSB_E_UNSUPPORTED); e non-zero and no longer
 * than n. *n and *e point into key. Variable time: n and e are public. */
hsb_rc hsb_nm_rsa_public_part(const hsb_rsa_key *key, const uint8_t **n, size_t *n_len,
                              const uint8_t **e, size_t *e_len);

/* ----------------------------------------------------------------- classes */

/* Per path: NULL when the path is unavailable (hsb_nm_engine_get). The
 * unsuffixed getters pick the best path; native_backend.c fills its table
 * from them once, after CPU detection. */
const hsb_modexp_class *hsb_native_modexp_class(hsb_nm_path path);
const hsb_rsa_priv_class *hsb_native_rsa_priv_class(hsb_nm_path path);
const hsb_rsa_pub_class *hsb_native_rsa_pub_class(hsb_nm_path path);
const hsb_dh_class *hsb_native_dh_class(hsb_nm_path path);
const hsb_modexp_class *hsb_native_modexp_get(void);
const hsb_rsa_priv_class *hsb_native_rsa_priv_get(void);
const hsb_rsa_pub_class *hsb_native_rsa_pub_get(void);
const hsb_dh_class *hsb_native_dh_get(void);

/* The same classes without the CPU check, for tests/ctgrind, which runs under
 * valgrind (its virtual CPUID hides ADX, yet it runs ADCX/ADOX): only call
 * these for a path the real CPU has. */
const hsb_modexp_class *hsb_native_modexp_class_unchecked(hsb_nm_path path);
const hsb_rsa_priv_class *hsb_native_rsa_priv_class_unchecked(hsb_nm_path path);
const hsb_dh_class *hsb_native_dh_class_unchecked(hsb_nm_path path);

#endif
