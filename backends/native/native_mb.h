/*
 * native_mb.h - internal to the native backend: multi-buffer (8-lane)
 * Montgomery exponentiation and RSA-CRT, the kernel of a future batch class
 * (DESIGN.md, "Batching"). Nothing here is wired into the provider contract
 * yet; the entry points below are what a batch class will call.
 *
 * Layout (mont_ifma_mb.c): eight independent numbers of L limbs of 52 bits,
 * transposed so that limb i of lane k is word [8 i + k]: one zmm register
 * holds limb i of all eight lanes, and each VPMADD52 works on eight
 * independent products (Intel crypto_mb's layout). L = 20, 30, 40, 60, 79
 * for moduli of 16, 24, 32, 48, 64 64-bit limbs (1024, 1536, 2048, 3072,
 * 4096 bits: the least L with R = 2^(52 L) >= 2^(64 n + 2)), so almost-
 * Montgomery products of values < 2 N stay < 2 N.
 *
 * Every lane has its own modulus (same limb count n for the whole batch),
 * its own k0 = -N^-1 mod 2^52, base and exponent (same byte length for the
 * batch). Lane sizes and byte lengths are public; everything else (moduli,
 * bases, exponents, results) is secret and handled in constant time per
 * lane: no branch or memory index depends on it, table lookups read every
 * entry and pick per lane with compare masks.
 *
 * Partial batches: a lane whose modulus pointer is NULL is unused. It is
 * computed as a zero lane (modulus, k0, base all zero: every product is 0),
 * so a partial batch costs exactly a full one and its time says nothing about
 * the other lanes; its out/base/exp pointers are ignored and never touched.
 * At least one lane must be used.
 *
 * Stack: the window table is 2^w L zmm words, w = 5 up to L = 40 (40/60/80
 * KiB for L = 20/30/40) and w = 4 from L = 60 (60/79 KiB for L = 60/79);
 * with the rest of the state a pow needs about 120 KiB of stack (threads:
 * glibc's default 8 MiB is plenty).
 */
#ifndef HSB_NATIVE_MB_H
#define HSB_NATIVE_MB_H

#include <stddef.h>
#include <stdint.h>

#include "native_mont.h"

#define HSB_NM_MB_LANES 8
#define HSB_NM_MB_LMAX 79 /* 52-bit limbs: 4096-bit moduli */

/*
 * One lane's modulus, prepared once (per key): the 64-bit context (for the
 * conversions, the final reduction and the portable fallback) and the
 * radix-2^52 constants. n must be 16, 24, 32, 48 or 64 for the IFMA kernel; the
 * fallback takes any n the 64-bit code takes.
 */
typedef struct hsb_nm_mb_mod {
    hsb_nm_mont m;                 /* the 64-bit context */
    const hsb_nm_engine *e64;      /* its engine (mulx or portable) */
    size_t L;                      /* 52-bit limbs, 0 when the kernel cannot take n */
    uint64_t k0;                   /* -N^-1 mod 2^52 */
    uint64_t n52[HSB_NM_MB_LMAX];  /* N in radix 2^52 */
    uint64_t rr52[HSB_NM_MB_LMAX]; /* 2^(104 L) mod N in radix 2^52 */
} hsb_nm_mb_mod;

/* Prepare q for N (n limbs, odd, > 1; floor_bit as hsb_nm_mont_init) on the
 * 64-bit engine e64. Constant time in N (it may be a secret prime). */
void hsb_nm_mb_mod_init(hsb_nm_mb_mod *q, const hsb_nm_engine *e64, const uint64_t *N, size_t n,
                        size_t floor_bit);

/*
 * An 8-lane exponentiation engine.
 *   pow: for every used lane k (mod[k] != NULL), out[k] = base[k]^exp[k] mod
 *        N_k, n limbs each (n = mod[k]->m.n, equal for all used lanes),
 *        base[k] < N_k, fully reduced result. exp[k] is big-endian, exp_len
 *        bytes (the same for every lane, all processed: time depends on
 *        exp_len, not on the exponents' bit lengths), exp_len >= 1. out[k]
 *        may alias base[k]; lanes may not share an out buffer. Returns 1
 *        when done, 0 when this engine does not take the batch (sizes differ,
 *        n unsupported, no lane used, exp_len 0): nothing is written then.
 */
typedef struct hsb_nm_mb_engine {
    const char *name;
    int (*pow)(const hsb_nm_mb_mod *const mod[HSB_NM_MB_LANES],
               uint64_t *const out[HSB_NM_MB_LANES], const uint64_t *const base[HSB_NM_MB_LANES],
               const uint8_t *const exp[HSB_NM_MB_LANES], size_t exp_len);
} hsb_nm_mb_engine;

/* AVX-512 IFMA kernel (mont_ifma_mb.c); n = 16, 24, 32, 48, 64 only. */
extern const hsb_nm_mb_engine hsb_nm_mb_engine_ifma;
/* Portable fallback: the lanes one after the other with hsb_nm_pow on each
 * lane's 64-bit engine (any n; constant time as that engine is). */
extern const hsb_nm_mb_engine hsb_nm_mb_engine_seq;
/* IFMA when hsb_cpu() has it (and its known-answer self-test passes), else
 * the sequential fallback. */
const hsb_nm_mb_engine *hsb_nm_mb_engine_get(void);
/* mont_ifma_mb.c's known-answer check of the kernel against the sequential
 * code (1 = agree). Only call on a CPU with AVX-512 IFMA. */
int hsb_nm_mb_ifma_selftest(void);

/*
 * The kernel's arithmetic, exposed for tests and timing: 8-lane almost-
 * Montgomery product and square in the transposed layout (L limbs per lane,
 * words [8 i + k]); inputs < 2 N_k with every limb < 2^52, outputs likewise
 * (not fully reduced). n52/k0 transposed as well (k0: one word per lane).
 * r may alias a and b. L = 20, 30, 40, 60 or 79 (others: nothing is done,
 * 0). The square computes each cross product once (L <= 40; the product
 * rows above that) and gives the same words as the product of a with a.
 */
int hsb_nm_mb_ifma_amm(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *n52,
                       const uint64_t *k0, size_t L);
int hsb_nm_mb_ifma_ams(uint64_t *r, const uint64_t *a, const uint64_t *n52, const uint64_t *k0,
                       size_t L);

/* ------------------------------------------------------------ RSA-CRT x 8 */

/*
 * One RSA private key prepared for batches: the CRT parts and their 8-lane
 * moduli. Built from the provider's key struct (bytes, as hsb_rsa_priv_class
 * init takes it; same checks: 1024..4096 bits, p and q of the same limb
 * count k). The kernel takes k = 16, 24, 32 (RSA-2048/3072/4096); other sizes
 * run on the fallback.
 */
typedef struct hsb_nm_mb_rsa {
    size_t n_len, nn, k, e_len;
    hsb_nm_mont mn;
    hsb_nm_mb_mod mp, mq;
    uint64_t qinv[HSB_NM_MAX_LIMBS];
    uint8_t dp[8 * HSB_NM_MAX_LIMBS], dq[8 * HSB_NM_MAX_LIMBS]; /* left-padded to 8 k bytes */
    uint8_t pub_e[8 * HSB_NM_MAX_LIMBS];
} hsb_nm_mb_rsa;

hsb_rc hsb_nm_mb_rsa_init(hsb_nm_mb_rsa *key, const hsb_nm_engine *e64, const hsb_rsa_key *src);
void hsb_nm_mb_rsa_clear(hsb_nm_mb_rsa *key);

/*
 * RSADP on up to 8 keys at once: out[k] = in[k]^d_k mod n_k for every lane
 * with key[k] != NULL; all used keys of the same size, in/out exactly n_len
 * bytes (in[k] == out[k] allowed). Two 8-lane exponentiations (mod p_k, mod
 * q_k) on mb, Garner per lane, then the fault check per lane (s^e == c mod
 * n with the public exponent, as native_rsa.c): a lane that fails it gets
 * zeros. *ok_lanes receives bit k set for each used lane that succeeded.
 * Returns HSB_OK when every used lane succeeded, HSB_E_RANGE if some in[k]
 * >= n_k (that lane not computed, its out zeroed), HSB_E_CRYPTO on a failed
 * fault check, HSB_E_USAGE for mixed sizes or no lane.
 */
hsb_rc hsb_nm_mb_rsa_priv(const hsb_nm_mb_engine *mb, const hsb_nm_mb_rsa *const key[8],
                          uint8_t *const out[8], const uint8_t *const in[8], size_t len,
                          unsigned *ok_lanes);

#endif
