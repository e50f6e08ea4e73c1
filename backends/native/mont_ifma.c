/*
 * mont_ifma.c - modular exponentiation with AVX-512 IFMA (VPMADD52LUQ/HUQ):
 * 52-bit limbs, eight per zmm register, almost-Montgomery multiplication
 * (AMM), after the published "RSAZ" designs (Gueron and Krasnov, "Software
 * implementation of modular exponentiation, using advanced vector
 * instructions architectures", 2012; Drucker and Gueron, "Fast modular
 * squaring with AVX512IFMA", 2018). Our own code; facts only from those.
 *
 * A number mod N (n 64-bit limbs) is L = ceil((64 n + 2) / 52) limbs of 52
 * bits, padded to Z zmm registers (8 Z lanes), R = 2^(52 L) > 4 N. AMM takes
 * a, b < 2N (normalised: every lane < 2^52) and returns a b / R mod N, < 2N,
 * normalised. Word by word, for i < L:
 *   m = (acc_0 + lo(a_i b_0)) k0 mod 2^52          (scalar, k0 = -1/N mod 2^52)
 *   acc += lo(a_i B) + lo(m N)                     (VPMADD52LUQ, lane j)
 *   h    = hi(a_i B) + hi(m N)                     (VPMADD52HUQ: weight j + 1)
 *   acc  = (acc >> one lane) + h + carry of acc_0  (VALIGNQ; acc_0 = 0 mod 2^52)
 * Lanes grow by < 2^54 per step for at most L steps: below 2^61, no overflow.
 * The low lanes that the next m needs are kept in scalars (AMM_STEP), so the
 * chain from one m to the next never waits for the vector unit, whose shift
 * (VALIGNQ) and multiply-adds take about 5 and 4 cycles each on Zen 5. After
 * the last step the lanes are normalised
 * with a carry-lookahead on mask bits (generate: lane >= 2^52, propagate:
 * lane == 2^52 - 1), so the time does not depend on how far carries ripple.
 *
 * The exponentiation (fixed 5-bit window) stays in this representation from
 * the first table entry to the last product; table lookups read every entry
 * with compare masks. RSA-CRT runs both halves (mod p, mod q) interleaved in
 * one loop (pow2), which keeps the multiply-add unit busy while each half
 * waits on its own m. Every branch depends on lengths only.
 *
 * Built for avx512f/avx512ifma/avx512vl per function; the engine is returned
 * only when hsb_cpu() reports them (and ADX/BMI2: the rest of the RSA and DH
 * arithmetic runs on the mulx code). Sizes from 8 to 64 64-bit limbs; others
 * answer 0 (not taken) and run on the generic code.
 *
 * Measured on a Zen 5 VM (TSC cycles; the core ran at about 1.76 TSC
 * cycles' rate), a loaded 2-PU machine, medians: one 1024-bit AMM 200, the
 * 2-way pair of two 1024-bit AMMs 248, one 2048-bit AMM 385 (before the
 * scalar lanes: 350, 379, 673). The multiply-add bound (12 per step at
 * 1024 bits, 2 per core cycle) is 70 for one 1024-bit AMM and 139 for the
 * pair. (The pair later: 234-244 against 251-263 in the same run, with
 * AMM_STEP's early lo(a_(i+1) B).) With tests/native-mont/timing.c against
 * OpenSSL 3.0.19 in the same run: modexp 2048, full exponent, 532 us
 * (x3.6); RSA-CRT 2048 205 us (x1.35 against OpenSSL's own 2-way IFMA
 * code). See issue 11.
 *
 * tests/native-mont compiles this file a second time with HSB_IFMA_EMULATE
 * and a scalar model of the few AVX-512 operations used, so the algorithm is
 * tested on any CPU; `test_native_mont --ifma` checks the real instructions
 * against the mulx path where the CPU has them.
 */
#include <string.h>

#include "hsb_ct.h"
#include "native_mont.h"

#if defined(HSB_IFMA_EMULATE)
#include "ifma_emu.h"
#define IFMA_TARGET
#define hsb_nm_engine_ifma hsb_nm_engine_ifma_emu
#define hsb_nm_ifma_selftest hsb_nm_ifma_selftest_emu
#define MUL64 hsb_nm_portable_mul
#define REF_ENGINE hsb_nm_engine_portable
#else
#define MUL64 hsb_nm_mulx_mul
#define REF_ENGINE hsb_nm_engine_mulx
#include "ifma_vec.h"
#endif

#define AI __attribute__((always_inline)) inline
/* Unroll the loops over the Z registers even at -O2 (GCC unrolls them by
 * itself only at -O3): rolled, the accumulators live in memory, and the
 * IFMA path ran at less than half its speed (measured on a Xeon). */
#define HSB_UNROLL _Pragma("GCC unroll 16")
#define M52 ((uint64_t)0xfffffffffffff)
#define ZMAX 10 /* 80 lanes: 4096 bits + 2 in 79 limbs */
#define LMAX (8 * ZMAX)
#define X2_ZMAX 6 /* interleaved pairs up to 48 lanes (2048-bit halves) */

/* m->ext layout. */
enum { EXT_L = 0, EXT_Z, EXT_K0, EXT_OK, EXT_N = 8 };
#define EXT_RR(z) (EXT_N + 8 * (z))

typedef unsigned __int128 u128;

/* --------------------------------------------------------------- radix 52 */

/* d (8 z lanes) = x (n limbs) in radix 2^52. */
static void to52(uint64_t *d, size_t lanes, const uint64_t *x, size_t n)
{
    for (size_t j = 0; j < lanes; j++) {
        size_t bit = 52 * j, w = bit / 64, off = bit % 64;
        uint64_t v = w < n ? x[w] >> off : 0;
        if (off > 12 && w + 1 < n) v |= x[w + 1] << (64 - off);
        d[j] = v & M52;
    }
}

/* x (n limbs) = d (normalised lanes) in radix 2^64; bits beyond n limbs are
 * dropped (the caller knows the value fits). */
static void from52(uint64_t *x, size_t n, const uint64_t *d, size_t lanes)
{
    memset(x, 0, n * sizeof *x);
    for (size_t j = 0; j < lanes; j++) {
        size_t bit = 52 * j, w = bit / 64, off = bit % 64;
        if (w < n) x[w] |= d[j] << off;
        if (off > 12 && w + 1 < n) x[w + 1] |= d[j] >> (64 - off);
    }
}

/* -------------------------------------------------------------------- AMM */

/* Normalise Z vectors of lanes (value < 2^(52 L)) to lanes < 2^52. One
 * vector round moves each lane's bits above 52 to the next lane; what
 * remains is at most a carry of one per lane, resolved for all lanes at once
 * from the generate and propagate masks: carries = ((G << 1) + P) ^ P. */
/* The carry-lookahead of normalize over the masks of Z registers, in an
 * integer type T of at least 8 Z bits (the carry out of the top is dropped:
 * the value is below 2^(52 L)). */
#define NORMALIZE_CARRIES(T, acc, Z)                                                               \
    do {                                                                                           \
        T g_ = 0, p_ = 0;                                                                          \
        HSB_UNROLL for (int z_ = 0; z_ < (Z); z_++)                                                \
        {                                                                                          \
            g_ |= (T)v_gt_mask((acc)[z_], mask) << (8 * z_);                                       \
            p_ |= (T)v_eq_mask((acc)[z_], mask) << (8 * z_);                                       \
        }                                                                                          \
        T carries_ = ((g_ << 1) + p_) ^ p_;                                                        \
        HSB_UNROLL for (int z_ = 0; z_ < (Z); z_++)                                                \
        {                                                                                          \
            vmask k_ = (vmask)(carries_ >> (8 * z_));                                              \
            (acc)[z_] = v_and(v_mask_add((acc)[z_], k_, (acc)[z_], one), mask);                    \
        }                                                                                          \
    } while (0)

static AI IFMA_TARGET void normalize(vec *acc, const int Z)
{
    const vec mask = v_set1(M52), zero = v_zero(), one = v_set1(1);
    vec c[ZMAX];
    HSB_UNROLL for (int z = 0; z < Z; z++) c[z] = v_srl52(acc[z]);
    HSB_UNROLL for (int z = Z - 1; z > 0; z--) c[z] = v_align7(c[z], c[z - 1]); /* up one lane */
    c[0] = v_align7(c[0], zero);
    HSB_UNROLL for (int z = 0; z < Z; z++) acc[z] = v_add(v_and(acc[z], mask), c[z]);
    /* 64-bit masks up to 8 registers (every size up to 3072-bit moduli and
     * the CRT halves): half the integer work of 128-bit ones. */
    if (Z <= 8)
        NORMALIZE_CARRIES(uint64_t, acc, Z);
    else
        NORMALIZE_CARRIES(u128, acc, Z);
}

/* Lane 1 of a vector (the emulated model has no VPEXTRQ: shift, then lane 0). */
#if defined(HSB_IFMA_EMULATE)
#define v_lane1(a) v_lane0(v_align1((a), (a)))
#define v_lane2(a) v_lane0(v_alignr((a), (a), 2))
#else
#define v_lane1(a) ((uint64_t)_mm_extract_epi64(_mm512_castsi512_si128(a), 1))
#define v_lane2(a) ((uint64_t)_mm_cvtsi128_si64(_mm512_extracti32x4_epi32((a), 1)))
#endif

/* The scalar state of one AMM: the constants of b and N it needs in general
 * registers, and x0, the exact value of the accumulator's lane 0. */
typedef struct amm_sc {
    uint64_t n0s, n1s, n1, n2, k0, x0, y1; /* n0s = n0 2^12, n1s = n1 2^12 */
    uint64_t p0[LMAX];                     /* lo(a_i b0) */
    uint64_t q[LMAX];                      /* lo(a_i b1) + hi(a_i b0) */
    uint64_t q2[LMAX];                     /* lo(a_i b2) + hi(a_i b1) (amm_body only) */
} amm_sc;

/* The carry out of lane 0 in a step: m makes s + lo(m n0) the next multiple
 * of 2^52 at or above s, so the carry is s / 2^52 rounded up -- known
 * before m, which keeps it off the chain from one m to the next. */
#define AMM_CARRY(s) (((s) + M52) >> 52)
/* hi(m n) = m n / 2^52 for m, n < 2^52 as the high word of m (n 2^12): one
 * multiply, no double shift on the chain. ns is n 2^12. */
#define AMM_HI(m, ns) ((uint64_t)(((u128)(m) * (ns)) >> 64))

/* s = lane 0 + lo(a_i b0), m = s k0 mod 2^52 (declares s, m and its broadcast vm). */
#define AMM_M(sc, i, s, m, vm)                                                                     \
    uint64_t s = (sc).x0 + (sc).p0[i];                                                             \
    uint64_t m = (s * (sc).k0) & M52;                                                              \
    vec vm = v_set1(m)

/* acc = acc shifted down one lane (to the next weight) + h. */
#define AMM_SHIFT_ADD(acc, h, Z)                                                                   \
    do {                                                                                           \
        HSB_UNROLL for (int z_ = 0; z_ + 1 < (Z); z_++)(acc)[z_] =                                 \
            v_align1((acc)[z_ + 1], (acc)[z_]);                                                    \
        (acc)[(Z)-1] = v_align1(v_zero(), (acc)[(Z)-1]);                                           \
        HSB_UNROLL for (int z_ = 0; z_ < (Z); z_++)(acc)[z_] = v_add((acc)[z_], (h)[z_]);          \
    } while (0)

/*
 * One AMM step. The vector lanes 1.. are exact; lane 0 is carried in the
 * scalar x0 instead, so that the next m never waits for the vector unit:
 *   x0' = lane1 + lo(a_i b1) + hi(a_i b0) + lo(m n1) + hi(m n0) + carry
 * where lane1 is read before this step's multiply-adds (it depends on the
 * previous m only) and carry is AMM_CARRY's. The chain from
 * one m to the next is then two scalar multiplies and a few adds; before,
 * it went through a broadcast, two multiply-adds, the lane shift and a
 * vector-to-scalar move (measured 17.5 TSC cycles per step at 1024 bits on
 * Zen 5; see the closing note of issue 11). The vector's lane 0 misses
 * the carries; after the last step it is replaced by x0.
 *
 * The accumulator also carries the next step's lo(a_(i+1) B) one step
 * early: it is added with the hi products (h = hi(a_i B) + lo(a_(i+1) B)
 * + hi(m N)), which do not wait for the shift, so the accumulator's own
 * chain per step is lo(m N), shift, add -- one multiply-add shorter. The
 * scalar x0 then leaves lo(a_i b1) out (already in lane 1: sc.q is
 * hi(a_i b0) alone, amm_sc_init's mode 2), and the loop starts from
 * lo(a_0 B). pow2 of two 1024-bit halves went from 367-382k to 335-365k
 * TSC cycles (fastest of 201, 8 interleaved runs, loaded machine).
 */
#define AMM_STEP(acc, h, a, B, Nv, sc, i, L, Z)                                                    \
    do {                                                                                           \
        vec va_ = v_set1((a)[i]), vn_ = v_set1((i) + 1 < (L) ? (a)[(i) + 1] : 0);                  \
        AMM_M(sc, i, s_, m_, vm_);                                                                 \
        uint64_t l1_ = v_lane1((acc)[0]);                                                          \
        HSB_UNROLL for (int z_ = 0; z_ < (Z); z_++)                                                \
        {                                                                                          \
            (h)[z_] = v_madd_lo(v_madd_hi(v_zero(), va_, (B)[z_]), vn_, (B)[z_]);                  \
            (acc)[z_] = v_madd_lo((acc)[z_], vm_, (Nv)[z_]);                                       \
            (h)[z_] = v_madd_hi((h)[z_], vm_, (Nv)[z_]);                                           \
        }                                                                                          \
        AMM_SHIFT_ADD(acc, h, Z);                                                                  \
        uint64_t t_ = AMM_HI(m_, (sc).n0s);                                                        \
        (sc).x0 = l1_ + (sc).q[i] + AMM_CARRY(s_) + ((m_ * (sc).n1) & M52) + t_;                   \
    } while (0)

/*
 * The step of a lone product (amm_body), whose time is the chain from one m
 * to the next: AMM_STEP's chain still went through the vector unit every
 * other step (m -> multiply-add -> lane shift -> lane 1 -> x0 -> the m after
 * next). Here the scalars also keep y1, lane 1, from lane 2 read at the start
 * of the step:
 *   y1' = lane2 + lo(a_i b2) + hi(a_i b1) + lo(m n2) + hi(m n1)
 * so a vector result is needed three steps after its m. And the products
 * lo(a_i B) and lo(m N) are summed before they meet the accumulator, whose
 * own chain is then add, shift, add. The pair (amm2_body) keeps AMM_STEP:
 * there each chain hides under the other's multiply-adds, and the extra
 * scalar work would only cost issue slots.
 */
#define AMM_STEP_LONE(acc, h, a, B, Nv, sc, i, Z)                                                  \
    do {                                                                                           \
        vec va_ = v_set1((a)[i]), lo_[ZMAX];                                                       \
        AMM_M(sc, i, s_, m_, vm_);                                                                 \
        uint64_t l2_ = v_lane2((acc)[0]);                                                          \
        HSB_UNROLL for (int z_ = 0; z_ < (Z); z_++)                                                \
        {                                                                                          \
            lo_[z_] = v_madd_lo(v_zero(), va_, (B)[z_]);                                           \
            (h)[z_] = v_madd_hi(v_zero(), va_, (B)[z_]);                                           \
            lo_[z_] = v_madd_lo(lo_[z_], vm_, (Nv)[z_]);                                           \
            (h)[z_] = v_madd_hi((h)[z_], vm_, (Nv)[z_]);                                           \
            (acc)[z_] = v_add((acc)[z_], lo_[z_]);                                                 \
        }                                                                                          \
        AMM_SHIFT_ADD(acc, h, Z);                                                                  \
        uint64_t t_ = AMM_HI(m_, (sc).n0s), u_ = AMM_HI(m_, (sc).n1s);                             \
        (sc).x0 = (sc).y1 + (sc).q[i] + AMM_CARRY(s_) + ((m_ * (sc).n1) & M52) + t_;               \
        (sc).y1 = l2_ + (sc).q2[i] + ((m_ * (sc).n2) & M52) + u_;                                  \
    } while (0)

/* The scalar state for a b: the terms of a_i that the scalar steps need,
 * for every i at once with 3 Z multiply-adds instead of 3 L scalar
 * multiplies inside the steps. lone: 1 for AMM_STEP_LONE (q2 too), 2 for
 * AMM_STEP (q without lo(a_i b1), which the vector holds early). */
static AI IFMA_TARGET void amm_sc_init(amm_sc *sc, const uint64_t *a, const uint64_t *b,
                                       const uint64_t *n, uint64_t k0, int lone, const int Z)
{
    const vec b0 = v_set1(b[0]), b1 = v_set1(b[1]), b2 = v_set1(b[2]);
    HSB_UNROLL for (int z = 0; z < Z; z++)
    {
        vec av = v_load(a + 8 * z);
        v_store(sc->p0 + 8 * z, v_madd_lo(v_zero(), av, b0));
        v_store(sc->q + 8 * z,
                v_madd_hi(lone == 2 ? v_zero() : v_madd_lo(v_zero(), av, b1), av, b0));
        if (lone == 1) v_store(sc->q2 + 8 * z, v_madd_hi(v_madd_lo(v_zero(), av, b2), av, b1));
    }
    sc->n0s = n[0] << 12, sc->n1s = n[1] << 12, sc->n1 = n[1], sc->n2 = n[2];
    sc->k0 = k0, sc->x0 = 0, sc->y1 = 0;
}

/* Lane 0 of acc := x0 (the exact value the scalar steps kept). */
static AI IFMA_TARGET vec amm_lane0(vec acc0, uint64_t x0)
{
    return v_blend((vmask)1, acc0, v_set1(x0));
}

/* r = AMM(a, b) mod N; all 8 Z lanes; r may alias a or b. */
static AI IFMA_TARGET void amm_body(uint64_t *r, const uint64_t *a, const uint64_t *b,
                                    const uint64_t *n, uint64_t k0, size_t L, const int Z)
{
    vec B[ZMAX], Nv[ZMAX], acc[ZMAX], h[ZMAX];
    HSB_UNROLL for (int z = 0; z < Z; z++)
    {
        B[z] = v_load(b + 8 * z);
        Nv[z] = v_load(n + 8 * z);
        acc[z] = v_zero();
    }
    amm_sc sc;
    amm_sc_init(&sc, a, b, n, k0, 1, Z);
    for (size_t i = 0; i < L; i++) AMM_STEP_LONE(acc, h, a, B, Nv, sc, i, Z);
    acc[0] = amm_lane0(acc[0], sc.x0);
    normalize(acc, Z);
    HSB_UNROLL for (int z = 0; z < Z; z++) v_store(r + 8 * z, acc[z]);
}

/* Two independent products in one loop (RSA-CRT's halves, same L): each
 * step's scalar chain hides under the other's multiply-adds. */
static AI IFMA_TARGET void amm2_body(uint64_t *r1, const uint64_t *a1, const uint64_t *b1,
                                     const uint64_t *n1, uint64_t k01, uint64_t *r2,
                                     const uint64_t *a2, const uint64_t *b2, const uint64_t *n2,
                                     uint64_t k02, size_t L, const int Z)
{
    vec B1[X2_ZMAX], N1[X2_ZMAX], acc1[X2_ZMAX], h1[X2_ZMAX];
    vec B2[X2_ZMAX], N2[X2_ZMAX], acc2[X2_ZMAX], h2[X2_ZMAX];
    HSB_UNROLL for (int z = 0; z < Z; z++)
    {
        B1[z] = v_load(b1 + 8 * z);
        N1[z] = v_load(n1 + 8 * z);
        B2[z] = v_load(b2 + 8 * z);
        N2[z] = v_load(n2 + 8 * z);
        acc1[z] = v_madd_lo(v_zero(), v_set1(a1[0]), B1[z]); /* lo(a_0 B), see AMM_STEP */
        acc2[z] = v_madd_lo(v_zero(), v_set1(a2[0]), B2[z]);
    }
    amm_sc s1, s2;
    amm_sc_init(&s1, a1, b1, n1, k01, 2, Z);
    amm_sc_init(&s2, a2, b2, n2, k02, 2, Z);
    for (size_t i = 0; i < L; i++) {
        AMM_STEP(acc1, h1, a1, B1, N1, s1, i, L, Z);
        AMM_STEP(acc2, h2, a2, B2, N2, s2, i, L, Z);
    }
    acc1[0] = amm_lane0(acc1[0], s1.x0);
    acc2[0] = amm_lane0(acc2[0], s2.x0);
    normalize(acc1, Z);
    normalize(acc2, Z);
    HSB_UNROLL for (int z = 0; z < Z; z++)
    {
        v_store(r1 + 8 * z, acc1[z]);
        v_store(r2 + 8 * z, acc2[z]);
    }
}

/* dst = tbl[idx] (entries of 8 Z lanes), reading every entry. */
static AI IFMA_TARGET void lookup_body(uint64_t *dst, const uint64_t *tbl, size_t count,
                                       uint64_t idx, const int Z)
{
    vec acc[ZMAX];
    const vec vi = v_set1(idx);
    HSB_UNROLL for (int z = 0; z < Z; z++) acc[z] = v_zero();
    for (size_t e = 0; e < count; e++) {
        vmask k = v_eq_mask(v_set1(e), vi);
        HSB_UNROLL for (int z = 0; z < Z; z++) acc[z] =
            v_blend(k, acc[z], v_load(tbl + (e * Z + z) * 8));
    }
    HSB_UNROLL for (int z = 0; z < Z; z++) v_store(dst + 8 * z, acc[z]);
}

typedef void (*amm_fn)(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *n,
                       uint64_t k0, size_t L);
typedef void (*amm2_fn)(uint64_t *r1, const uint64_t *a1, const uint64_t *b1, const uint64_t *n1,
                        uint64_t k01, uint64_t *r2, const uint64_t *a2, const uint64_t *b2,
                        const uint64_t *n2, uint64_t k02, size_t L);
typedef void (*lookup_fn)(uint64_t *dst, const uint64_t *tbl, size_t count, uint64_t idx);

#define IFMA_INSTANCES(Z)                                                                          \
    static IFMA_TARGET void amm_##Z(uint64_t *r, const uint64_t *a, const uint64_t *b,             \
                                    const uint64_t *n, uint64_t k0, size_t L)                      \
    {                                                                                              \
        amm_body(r, a, b, n, k0, L, Z);                                                            \
    }                                                                                              \
    static IFMA_TARGET void lookup_##Z(uint64_t *dst, const uint64_t *tbl, size_t count,           \
                                       uint64_t idx)                                               \
    {                                                                                              \
        lookup_body(dst, tbl, count, idx, Z);                                                      \
    }
#define IFMA_INSTANCES2(Z)                                                                         \
    static IFMA_TARGET void amm2_##Z(uint64_t *r1, const uint64_t *a1, const uint64_t *b1,         \
                                     const uint64_t *n1, uint64_t k01, uint64_t *r2,               \
                                     const uint64_t *a2, const uint64_t *b2, const uint64_t *n2,   \
                                     uint64_t k02, size_t L)                                       \
    {                                                                                              \
        amm2_body(r1, a1, b1, n1, k01, r2, a2, b2, n2, k02, L, Z);                                 \
    }
IFMA_INSTANCES(2)
IFMA_INSTANCES(3)
IFMA_INSTANCES(4)
IFMA_INSTANCES(5)
IFMA_INSTANCES(6)
IFMA_INSTANCES(7)
IFMA_INSTANCES(8)
IFMA_INSTANCES(9)
IFMA_INSTANCES(10)
IFMA_INSTANCES2(2)
IFMA_INSTANCES2(3)
IFMA_INSTANCES2(4)
IFMA_INSTANCES2(5)
IFMA_INSTANCES2(6)

static const amm_fn amm_by_z[ZMAX + 1] = {NULL,  NULL,  amm_2, amm_3, amm_4, amm_5,
                                          amm_6, amm_7, amm_8, amm_9, amm_10};
static const lookup_fn lookup_by_z[ZMAX + 1] = {NULL,     NULL,     lookup_2, lookup_3,
                                                lookup_4, lookup_5, lookup_6, lookup_7,
                                                lookup_8, lookup_9, lookup_10};
static const amm2_fn amm2_by_z[X2_ZMAX + 1] = {NULL, NULL, amm2_2, amm2_3, amm2_4, amm2_5, amm2_6};

/* ------------------------------------------------------------ per modulus */

/* R52^2 mod N into ext, with L, Z and k0; constant time (N may be secret). */
static void prep_ifma(hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t *ext = m->ext;
    memset(ext, 0, sizeof m->ext);
    if (n < 8 || n > HSB_NM_MAX_LIMBS) return; /* not taken: ext[EXT_OK] = 0 */
    size_t L = (64 * n + 2 + 51) / 52, Z = (L + 7) / 8;
    /* 2^(104 L) = R64^2 2^d with d = 104 L - 128 n: double R64^2 d times, or
     * for d < 0 take mont64(R64^2, 2^(64 n + d)) = R64 2^(64 n + d). */
    uint64_t x[HSB_NM_MAX_LIMBS];
    memcpy(x, m->rr, n * sizeof *x);
    long d = (long)(104 * L) - (long)(128 * n);
    if (d >= 0) {
        for (long i = 0; i < d; i++) hsb_nm_dbl_mod(x, m->N, n);
    } else {
        uint64_t p2[HSB_NM_MAX_LIMBS] = {0};
        size_t e = (size_t)(64 * (long)n + d);
        p2[e / 64] = (uint64_t)1 << (e % 64);
        MUL64(x, m->rr, p2, m);
    }
    ext[EXT_L] = L;
    ext[EXT_Z] = Z;
    ext[EXT_K0] = m->n0 & M52;
    to52(ext + EXT_N, 8 * Z, m->N, n);
    to52(ext + EXT_RR(Z), 8 * Z, x, n);
    ext[EXT_OK] = 1;
    hsb_wipe(x, sizeof x);
}

/* ----------------------------------------------------------- exponentiation */

#define WINDOW 5
#define TBL (1u << WINDOW)

/* Fill a window table: t[i] = base^i R (AMM domain). */
static void fill_table(amm_fn amm, uint64_t *tbl, const uint64_t *b52, const uint64_t *ext,
                       size_t lanes)
{
    size_t L = ext[EXT_L], Z = ext[EXT_Z];
    const uint64_t *n52 = ext + EXT_N, *rr = ext + EXT_RR(Z);
    uint64_t k0 = ext[EXT_K0], unit[LMAX] = {1};
    amm(tbl, rr, unit, n52, k0, L);        /* R */
    amm(tbl + lanes, b52, rr, n52, k0, L); /* base R */
    for (size_t i = 2; i < TBL; i++) {
        if (i % 2 == 0)
            amm(tbl + i * lanes, tbl + (i / 2) * lanes, tbl + (i / 2) * lanes, n52, k0, L);
        else
            amm(tbl + i * lanes, tbl + (i - 1) * lanes, tbl + lanes, n52, k0, L);
    }
}

/* fill_table for both CRT halves at once, on the interleaved pair (each
 * entry's two products share one pass: 32 pair products instead of 64 lone
 * ones). */
static void fill_table2(amm2_fn amm2, uint64_t *t1, const uint64_t *b1, const uint64_t *e1,
                        uint64_t *t2, const uint64_t *b2, const uint64_t *e2, size_t lanes)
{
    size_t L = e1[EXT_L], Z = e1[EXT_Z];
    const uint64_t *n1 = e1 + EXT_N, *n2 = e2 + EXT_N;
    const uint64_t *rr1 = e1 + EXT_RR(Z), *rr2 = e2 + EXT_RR(Z);
    uint64_t k1 = e1[EXT_K0], k2 = e2[EXT_K0], unit[LMAX] = {1};
    amm2(t1, rr1, unit, n1, k1, t2, rr2, unit, n2, k2, L);             /* R */
    amm2(t1 + lanes, b1, rr1, n1, k1, t2 + lanes, b2, rr2, n2, k2, L); /* base R */
    for (size_t i = 2; i < TBL; i++) {
        size_t x = i % 2 == 0 ? i / 2 : i - 1, y = i % 2 == 0 ? i / 2 : 1; /* public */
        amm2(t1 + i * lanes, t1 + x * lanes, t1 + y * lanes, n1, k1, t2 + i * lanes, t2 + x * lanes,
             t2 + y * lanes, n2, k2, L);
    }
}

/* out (n limbs) = AMM(acc, 1), fully reduced. */
static void leave(amm_fn amm, uint64_t *out, uint64_t *acc, const hsb_nm_mont *m)
{
    const uint64_t *ext = m->ext;
    uint64_t unit[LMAX] = {1}, x[HSB_NM_MAX_LIMBS];
    amm(acc, acc, unit, ext + EXT_N, ext[EXT_K0], ext[EXT_L]);
    /* (acc + q N) / R < N + 1: one conditional subtraction. */
    from52(x, m->n, acc, 8 * ext[EXT_Z]);
    hsb_nm_final_sub(out, x, 0, m->N, m->n);
    hsb_wipe(x, sizeof x);
}

static IFMA_TARGET int pow_ifma(const hsb_nm_mont *m, uint64_t *out, const uint64_t *base,
                                const uint8_t *exp, size_t exp_len)
{
    const uint64_t *ext = m->ext;
    if (!ext[EXT_OK] || exp_len == 0) return 0;
    size_t L = ext[EXT_L], Z = ext[EXT_Z], lanes = 8 * Z;
    amm_fn amm = amm_by_z[Z];
    lookup_fn lookup = lookup_by_z[Z];
    const uint64_t *n52 = ext + EXT_N;
    uint64_t k0 = ext[EXT_K0];
    uint64_t tbl[TBL * LMAX], acc[LMAX], t[LMAX], b52[LMAX];

    to52(b52, lanes, base, m->n);
    fill_table(amm, tbl, b52, ext, lanes);
    size_t bits = 8 * exp_len, nwin = (bits + WINDOW - 1) / WINDOW, pos = (nwin - 1) * WINDOW;
    lookup(acc, tbl, TBL, hsb_nm_window(exp, exp_len, pos, WINDOW));
    while (pos > 0) {
        pos -= WINDOW;
        for (int k = 0; k < WINDOW; k++) amm(acc, acc, acc, n52, k0, L);
        lookup(t, tbl, TBL, hsb_nm_window(exp, exp_len, pos, WINDOW));
        amm(acc, acc, t, n52, k0, L);
    }
    leave(amm, out, acc, m);
    hsb_wipe(tbl, TBL * lanes * sizeof *tbl);
    hsb_wipe(acc, sizeof acc);
    hsb_wipe(t, sizeof t);
    hsb_wipe(b52, sizeof b52);
    return 1;
}

static IFMA_TARGET int pow2_ifma(const hsb_nm_mont *m1, uint64_t *out1, const uint64_t *base1,
                                 const uint8_t *exp1, size_t exp1_len, const hsb_nm_mont *m2,
                                 uint64_t *out2, const uint64_t *base2, const uint8_t *exp2,
                                 size_t exp2_len)
{
    const uint64_t *e1 = m1->ext, *e2 = m2->ext;
    if (!e1[EXT_OK] || !e2[EXT_OK] || e1[EXT_L] != e2[EXT_L] || e1[EXT_Z] > X2_ZMAX ||
        exp1_len != exp2_len || exp1_len == 0)
        return 0; /* the caller runs them one after the other */
    size_t L = e1[EXT_L], Z = e1[EXT_Z], lanes = 8 * Z;
    amm_fn amm = amm_by_z[Z];
    amm2_fn amm2 = amm2_by_z[Z];
    lookup_fn lookup = lookup_by_z[Z];
    const uint64_t *n1 = e1 + EXT_N, *n2 = e2 + EXT_N;
    uint64_t k1 = e1[EXT_K0], k2 = e2[EXT_K0];
    uint64_t tbl1[TBL * 8 * X2_ZMAX], tbl2[TBL * 8 * X2_ZMAX];
    uint64_t a1[8 * X2_ZMAX], a2[8 * X2_ZMAX], t1[8 * X2_ZMAX], t2[8 * X2_ZMAX];

    to52(a1, lanes, base1, m1->n);
    to52(a2, lanes, base2, m2->n);
    fill_table2(amm2, tbl1, a1, e1, tbl2, a2, e2, lanes);
    size_t bits = 8 * exp1_len, nwin = (bits + WINDOW - 1) / WINDOW, pos = (nwin - 1) * WINDOW;
    lookup(a1, tbl1, TBL, hsb_nm_window(exp1, exp1_len, pos, WINDOW));
    lookup(a2, tbl2, TBL, hsb_nm_window(exp2, exp2_len, pos, WINDOW));
    while (pos > 0) {
        pos -= WINDOW;
        /* The scans first: they do not depend on the squarings, and the
         * out-of-order core runs them beside the squarings' chains. */
        lookup(t1, tbl1, TBL, hsb_nm_window(exp1, exp1_len, pos, WINDOW));
        lookup(t2, tbl2, TBL, hsb_nm_window(exp2, exp2_len, pos, WINDOW));
        for (int k = 0; k < WINDOW; k++) amm2(a1, a1, a1, n1, k1, a2, a2, a2, n2, k2, L);
        amm2(a1, a1, t1, n1, k1, a2, a2, t2, n2, k2, L);
    }
    leave(amm, out1, a1, m1);
    leave(amm, out2, a2, m2);
    hsb_wipe(tbl1, sizeof tbl1);
    hsb_wipe(tbl2, sizeof tbl2);
    hsb_wipe(a1, sizeof a1);
    hsb_wipe(a2, sizeof a2);
    hsb_wipe(t1, sizeof t1);
    hsb_wipe(t2, sizeof t2);
    return 1;
}

/*
 * Public exponents (RSA's fault check with e, the DH peer check with q):
 * variable time, sliding windows over odd powers as hsb_nm_pow_public, in
 * radix 2^52 throughout. The RSA check's 17 products at 2048 bits took about
 * 8 % of a CRT private op on the mulx code; a 2047-bit q needs about 350
 * products here against the fixed window's 410 and its table scans.
 */
static IFMA_TARGET int pow_public_ifma(const hsb_nm_mont *m, uint64_t *out, const uint64_t *base,
                                       const uint8_t *exp, size_t exp_len)
{
    const uint64_t *ext = m->ext;
    if (!ext[EXT_OK] || exp_len == 0 || exp[0] == 0) return 0;
    size_t L = ext[EXT_L], Z = ext[EXT_Z], lanes = 8 * Z;
    size_t bits = 8 * (exp_len - 1) + (size_t)(32 - __builtin_clz(exp[0]));
    unsigned wmax = hsb_nm_public_window(bits);
    size_t count = (size_t)1 << (wmax - 1);
    amm_fn amm = amm_by_z[Z];
    const uint64_t *n52 = ext + EXT_N;
    uint64_t k0 = ext[EXT_K0];
    uint64_t tbl[(1u << (HSB_NM_PUBLIC_MAX_WINDOW - 1)) * LMAX], acc[LMAX], x2[LMAX];

    to52(acc, lanes, base, m->n);
    amm(tbl, acc, ext + EXT_RR(Z), n52, k0, L); /* base R */
    if (count > 1) amm(x2, tbl, tbl, n52, k0, L);
    for (size_t i = 1; i < count; i++) amm(tbl + i * lanes, tbl + (i - 1) * lanes, x2, n52, k0, L);

    size_t top = bits; /* the top bit is set: the first window starts acc */
    uint64_t v;
    hsb_nm_slide(exp, exp_len, &top, wmax, &v);
    memcpy(acc, tbl + (v >> 1) * lanes, lanes * sizeof *acc);
    while (top > 0) {
        unsigned w = hsb_nm_slide(exp, exp_len, &top, wmax, &v);
        for (unsigned k = 0; k < w; k++) amm(acc, acc, acc, n52, k0, L);
        if (v) amm(acc, acc, tbl + (v >> 1) * lanes, n52, k0, L);
    }
    leave(amm, out, acc, m);
    return 1;
}

/* ---------------------------------------------------------------- self-test */

extern const hsb_nm_engine hsb_nm_engine_ifma; /* below */

/*
 * A known-answer comparison run once per process before the engine is used:
 * IFMA pow, pow2 and pow_public against the generic window code on the mulx engine, for
 * fixed pseudo-random moduli of every register count the RSA and DH sizes
 * use (16..64 limbs). The emulated model is tested everywhere, the real
 * instructions only where a CPU has them; this guards against a difference
 * between the two on a machine the tests have not run on. Returns 1 when
 * every answer agrees. Only call on a CPU with AVX-512 IFMA and ADX/BMI2.
 */
int hsb_nm_ifma_selftest(void)
{
    static const size_t sizes[] = {16, 24, 32, 40, 48, 56, 64};
    static hsb_nm_mont mi, mi2, mx;
    uint64_t st = 0x9e3779b97f4a7c15ull;
    int ok = 1;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        uint64_t N[HSB_NM_MAX_LIMBS], N2[HSB_NM_MAX_LIMBS], b[HSB_NM_MAX_LIMBS],
            b2[HSB_NM_MAX_LIMBS], o[HSB_NM_MAX_LIMBS], o2[HSB_NM_MAX_LIMBS], w[HSB_NM_MAX_LIMBS];
        uint8_t e[40];
        for (size_t i = 0; i < n; i++) {
            st ^= st << 13, st ^= st >> 7, st ^= st << 17;
            N[i] = st;
            N2[i] = st * 0x2545f4914f6cdd1dull;
            b[i] = st >> 3;
            b2[i] = st >> 5;
        }
        N[0] |= 1, N2[0] |= 1;
        N[n - 1] |= (uint64_t)1 << 63, N2[n - 1] |= (uint64_t)1 << 63;
        b[n - 1] >>= 1, b2[n - 1] >>= 1; /* below N */
        for (size_t i = 0; i < sizeof e; i++) e[i] = (uint8_t)(st >> (i % 57));
        hsb_nm_mont_init(&mi, &hsb_nm_engine_ifma, N, n, 64 * n - 1);
        hsb_nm_mont_init(&mx, &REF_ENGINE, N, n, 64 * n - 1);
        hsb_nm_pow_generic(&REF_ENGINE, &mx, w, b, e, sizeof e);
        ok &= pow_ifma(&mi, o, b, e, sizeof e) && memcmp(o, w, n * 8) == 0;
        e[0] |= 0x80; /* the public path wants a non-zero top byte */
        hsb_nm_pow_generic(&REF_ENGINE, &mx, w, b, e, sizeof e);
        ok &= pow_public_ifma(&mi, o, b, e, sizeof e) && memcmp(o, w, n * 8) == 0;
        if (mi.ext[EXT_Z] <= X2_ZMAX) { /* the interleaved pair, both halves */
            hsb_nm_mont_init(&mi2, &hsb_nm_engine_ifma, N2, n, 64 * n - 1);
            ok &= pow2_ifma(&mi2, o2, b2, e, sizeof e, &mi, o, b, e, sizeof e) &&
                  memcmp(o, w, n * 8) == 0;
            hsb_nm_mont_init(&mx, &REF_ENGINE, N2, n, 64 * n - 1);
            hsb_nm_pow_generic(&REF_ENGINE, &mx, w, b2, e, sizeof e);
            ok &= memcmp(o2, w, n * 8) == 0;
        }
    }
    return ok;
}

#if defined(HSB_IFMA_EMULATE)
/* The model runs on any CPU: portable 64-bit arithmetic around it. */
const hsb_nm_engine hsb_nm_engine_ifma = {
    .name = "ifma-emulated",
    .mul = hsb_nm_portable_mul,
    .sqr = hsb_nm_portable_sqr,
    .redc = hsb_nm_portable_redc,
    .pow = pow_ifma,
    .pow2 = pow2_ifma,
    .prep = prep_ifma,
    .pow_public = pow_public_ifma,
};
#else
const hsb_nm_engine hsb_nm_engine_ifma = {
    .name = "ifma",
    .mul = hsb_nm_mulx_mul,
    .sqr = hsb_nm_mulx_sqr,
    .redc = hsb_nm_mulx_redc,
    .pow = pow_ifma,
    .pow2 = pow2_ifma,
    .prep = prep_ifma,
    .pow_public = pow_public_ifma,
};
#endif
