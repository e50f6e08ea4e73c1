/*
 * native_batch.h - internal to the native backend: the batch classes
 * (hsb_provider.h, "batches") on the 8-lane exponentiation of native_mb.h,
 * and what they need from the single-op files.
 *
 * Which engine: hsb_nm_mb_engine_get() (AVX-512 IFMA when the CPU has it and
 * the kernel's self-test passes, else the sequential fallback); sizes the
 * kernel declines (it answers "not taken") run on the sequential engine, so
 * every size is correct on every CPU. The class names say the engine
 * ("native-rsa-crt-mb8-ifma" or "...-mb8-seq").
 */
#ifndef HSB_NATIVE_BATCH_H
#define HSB_NATIVE_BATCH_H

#include "hsb_provider.h"
#include "native_mb.h"

/* The 64-bit engine beside the kernel for a single-op engine e: e itself,
 * except IFMA's (whose contexts carry IFMA constants), which gets mulx. */
const hsb_nm_engine *hsb_nm_mb_e64(const hsb_nm_engine *e);

/* native_rsa.c: the prepared batch key inside a native rsa-priv context,
 * NULL when the context is not init'ed or the batch code cannot take it. */
const hsb_nm_mb_rsa *hsb_nm_rsa_priv_mb(const void *ctx);

/* native_dh.c: what a batch needs of a native DH context (p is public, x
 * secret). x is the context's own buffer: keygen writes it through here. */
typedef struct hsb_nm_dh_view {
    const hsb_nm_mont *mp;
    const uint64_t *g;
    const uint8_t *q;
    size_t q_len, p_len, n;
    unsigned priv_bits;
    uint8_t *x;    /* HSB_MAX_MODULUS_BYTES */
    size_t *x_len; /* 0: no private key */
} hsb_nm_dh_view;
/* 1 and *v filled for an init'ed native DH context, else 0. */
int hsb_nm_dh_view_get(void *ctx, hsb_nm_dh_view *v);

/*
 * A per-thread cache of 8-lane moduli prepared for public moduli (DH
 * groups, modexp moduli): the radix-2^52 constants cost about as much as a
 * short exponentiation, so they are made once per modulus, not per call.
 * Returns the prepared modulus for N (n limbs; public), or NULL when N is
 * not odd and > 1.
 */
const hsb_nm_mb_mod *hsb_nm_mb_mod_cached(const uint64_t *N, size_t n);

/* Whether a lane of modulus m belongs in a batch: always on the sequential
 * engine (the batch code runs lane by lane), and on IFMA only where the
 * kernel has code for m's size -- elsewhere the single op (on its own
 * fastest path) beats the sequential engine's 64-bit lanes, so the batch
 * classes hand such jobs to it. */
int hsb_nm_mb_lane_ok(const hsb_nm_mb_mod *m);

/* One lane of a batch pass (modexp and DH): out = base^exp mod the lane's
 * modulus, n = mod->m.n limbs. */
typedef struct hsb_nm_mb_lane {
    const hsb_nm_mb_mod *mod;
    const uint8_t *exp;
    size_t exp_len; /* >= 1 */
    uint64_t base[HSB_NM_MAX_LIMBS], out[HSB_NM_MAX_LIMBS];
} hsb_nm_mb_lane;
/* Every lane i < count with bit i of todo set, in 8-lane passes of one
 * (limb count, exponent length) each, on hsb_nm_mb_engine_get() (the
 * sequential engine where the kernel declines the size). count <= 8. */
void hsb_nm_mb_run_lanes(hsb_nm_mb_lane *lanes, size_t count, unsigned todo);
/* "STEM-ifma" or "STEM-seq": a class name with the 8-lane engine in use. */
void hsb_nm_mb_class_name(char *buf, size_t len, const char *stem);

/* The getters native_backend.c calls once, after the single classes (the
 * batch class names the single class whose contexts it takes; every native
 * single class of a kind shares its functions, so one batch class serves
 * whichever path was picked). NULL without the single class. */
const hsb_rsa_priv_batch_class *hsb_native_rsa_priv_batch_get(const hsb_rsa_priv_class *single);
const hsb_dh_batch_class *hsb_native_dh_batch_get(const hsb_dh_class *single);
const hsb_modexp_batch_class *hsb_native_modexp_batch_get(const hsb_modexp_class *single);

#endif
