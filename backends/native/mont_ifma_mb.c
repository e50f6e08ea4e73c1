/*
 * mont_ifma_mb.c - eight independent modular exponentiations at once with
 * AVX-512 IFMA: one 64-bit lane of each zmm register per exponentiation, in
 * the transposed layout of native_mb.h (limb i of lane k at word [8 i + k]),
 * the multi-buffer arrangement of Intel's crypto_mb and of Drucker and
 * Gueron's published design. Our own code; facts only from those.
 *
 * Why lanes rather than limbs (mont_ifma.c puts the limbs of one number in a
 * register): the lanes never talk to each other, so there is no lane shift,
 * no scalar m per step and no carry across lanes inside a product; every
 * VPMADD52 does eight useful products and the per-step Montgomery factor m is
 * itself a vector (one VPMADD52LUQ with each lane's own k0).
 *
 * Almost-Montgomery product (AMM), per lane, in radix 2^52 with L limbs,
 * row by row (4 L^2 multiply-adds):
 *   t += a_i b;  m = t_0 k0 mod 2^52;  t += m N;  t = t / 2^52 (t_0's high
 *   bits carried into t_1);   then r = t normalised by one carry ripple.
 * Columns are 64-bit accumulators that take at most 4 L partial products
 * below 2^52 each (< 2^61 for L = 79), so nothing overflows. With
 * a, b < 2 N and R > 4 N: r < (4 N^2 + R N) / R < 2 N, so products chain
 * without a subtraction; only the final AMM(x, 1) (<= N) is followed by one
 * constant-time subtraction per lane.
 *
 * Constant time per lane: every loop bound and address depends on L and on
 * the exponent length only; the window value of each lane becomes a vector
 * of indices that selects table rows with compare masks while all 32 rows
 * are read. Carries are resolved by a fixed ripple of vector adds/shifts.
 *
 * tests/native-mont compiles this file again with HSB_IFMA_EMULATE over
 * ifma_emu.h (scalar model of the same operations) so the algorithm runs,
 * and runs under valgrind's ctgrind check, on any CPU.
 */
#include <string.h>

#include "hsb_ct.h"
#include "native_mb.h"

#if defined(HSB_IFMA_EMULATE)
#include "ifma_emu.h"
#define IFMA_TARGET
#define hsb_nm_mb_engine_ifma hsb_nm_mb_engine_ifma_emu
#define hsb_nm_mb_ifma_selftest hsb_nm_mb_ifma_selftest_emu
#define hsb_nm_mb_ifma_amm hsb_nm_mb_ifma_amm_emu
#define hsb_nm_mb_ifma_ams hsb_nm_mb_ifma_ams_emu
#define REF_ENGINE hsb_nm_engine_portable
#else
#include "ifma_vec.h"
#define REF_ENGINE hsb_nm_engine_mulx
#endif

#define AI __attribute__((always_inline)) inline
/* Unrolled column loops let the accumulators of a row stay in registers
 * between their multiply-adds (GCC unrolls by itself only at -O3). */
/* The scalar model (tests) needs no speed, compiles for minutes when
 * unrolled, and clang refuses (-Wpass-failed, an error under -Werror) some
 * of these unrolls of its loops: it gets none of them. */
#if defined(HSB_IFMA_EMULATE)
#define HSB_UNROLL
#define HSB_UNROLL_ALL
#define HSB_UNROLL_ROWS
#else
#define HSB_UNROLL _Pragma("GCC unroll 8")
#define HSB_UNROLL_ALL _Pragma("GCC unroll 64")
#define HSB_UNROLL_ROWS HSB_UNROLL_ALL /* ams_rows_body's rows */
#endif
#define M52 ((uint64_t)0xfffffffffffff)
#define LANES HSB_NM_MB_LANES
#define LMAX HSB_NM_MB_LMAX
#define LOOKUP_CHUNK 20 /* limbs of a lookup held in registers */

/* ------------------------------------------------------------------- AMM */

/* Columns 0..L-1 (value < 2^(52 L)) to limbs below 2^52, by a fixed ripple. */
static AI IFMA_TARGET void ripple_store(uint64_t *r, const vec *acc, const int L)
{
    const vec mask = v_set1(M52);
    vec carry = v_zero();
    for (int j = 0; j < L; j++) {
        vec x = v_add(acc[j], carry);
        carry = v_srl52(x);
        v_store(r + 8 * j, v_and(x, mask));
    }
}

/* r = AMM(a, b) per lane, product and reduction interleaved row by row in a
 * window of L column accumulators that slides down one column per row (the
 * finished column 0 leaves as a carry). Fully unrolled over the columns so
 * the window lives in registers (all of it at L = 20); without that every
 * multiply-add went through memory and store forwarding (measured: 1.8x
 * slower on Zen 5). */
static AI IFMA_TARGET void amm_body(uint64_t *r, const uint64_t *a, const uint64_t *b,
                                    const uint64_t *n, const uint64_t *k0p, const int L)
{
    const vec zero = v_zero(), k0 = v_load(k0p);
    vec acc[LMAX];
    HSB_UNROLL_ALL for (int j = 0; j < L; j++) acc[j] = zero;
    for (int i = 0; i < L; i++) {
        vec ai = v_load(a + 8 * i);
        acc[0] = v_madd_lo(acc[0], ai, v_load(b));
        vec m = v_madd_lo(zero, acc[0], k0);
        acc[0] = v_madd_lo(acc[0], m, v_load(n));
        vec carry = v_srl52(acc[0]);
        HSB_UNROLL_ALL for (int j = 1; j < L; j++)
        {
            acc[j] = v_madd_lo(acc[j], ai, v_load(b + 8 * j));
            acc[j] = v_madd_lo(acc[j], m, v_load(n + 8 * j));
        }
        HSB_UNROLL_ALL for (int j = 0; j < L; j++)
        {
            vec x = j + 1 < L ? acc[j + 1] : zero;
            x = v_madd_hi(x, ai, v_load(b + 8 * j));
            acc[j] = v_madd_hi(x, m, v_load(n + 8 * j));
        }
        acc[0] = v_add(acc[0], carry);
    }
    ripple_store(r, acc, L);
}

/* The square's 2 L columns without reduction, by product scanning with a in
 * registers: column c is 2 (sum of a_i a_j, i < j) + a_(c/2)^2, low halves of
 * the pairs with i + j = c and high halves of those with i + j = c - 1 in two
 * separate chains (two independent multiply-add dependencies per column). */
static AI IFMA_TARGET void sqr_columns(uint64_t *T, const uint64_t *a, const int L)
{
    vec x[LMAX];
    HSB_UNROLL_ALL for (int j = 0; j < L; j++) x[j] = v_load(a + 8 * j);
    HSB_UNROLL_ALL for (int c = 0; c < 2 * L; c++)
    {
        vec lo = v_zero(), hi = v_zero();
        HSB_UNROLL_ALL for (int i = c < L ? 0 : c - L + 1; i < c - i; i++) lo =
            v_madd_lo(lo, x[i], x[c - i]);
        HSB_UNROLL_ALL for (int i = c - 1 < L ? 0 : c - L; i < c - 1 - i; i++) hi =
            v_madd_hi(hi, x[i], x[c - 1 - i]);
        vec s = v_add(lo, hi);
        s = v_add(s, s);
        if (c % 2 == 0)
            s = v_madd_lo(s, x[c / 2], x[c / 2]);
        else
            s = v_madd_hi(s, x[c / 2], x[c / 2]);
        v_store(T + 8 * c, s);
    }
}

/*
 * r = AMM(a, a) per lane for L <= 40: the square's columns first (L^2 + L
 * multiply-adds instead of 2 L^2: each cross product once, doubled), then
 * the Montgomery reduction over them in a register window of L columns as
 * in amm_body (2 L^2 + L). The columns pass through memory once (2 L
 * stores, 2 L loads); an earlier triangle that updated columns in memory
 * per product measured 1187 TSC cycles per 8-lane 1024-bit call against 639
 * for the register product, which is why the product rows stay as they
 * are. Same m per step and the same column sums as amm_body(a, a), so the
 * result is bit-identical (tests/native-mont checks it).
 */
static AI IFMA_TARGET void ams_body(uint64_t *r, const uint64_t *a, const uint64_t *n,
                                    const uint64_t *k0p, const int L)
{
    uint64_t T[8 * 2 * LMAX] __attribute__((aligned(64)));
    sqr_columns(T, a, L);
    const vec zero = v_zero(), k0 = v_load(k0p);
    vec acc[LMAX];
    HSB_UNROLL_ALL for (int j = 0; j < L; j++) acc[j] = v_load(T + 8 * j);
    for (int i = 0; i < L; i++) {
        vec m = v_madd_lo(zero, acc[0], k0);
        acc[0] = v_madd_lo(acc[0], m, v_load(n));
        vec carry = v_srl52(acc[0]);
        HSB_UNROLL_ALL for (int j = 1; j < L; j++) acc[j] = v_madd_lo(acc[j], m, v_load(n + 8 * j));
        HSB_UNROLL_ALL for (int j = 0; j < L; j++)
        {
            vec x = j + 1 < L ? acc[j + 1] : v_load(T + 8 * (L + i));
            acc[j] = v_madd_hi(x, m, v_load(n + 8 * j));
        }
        acc[0] = v_add(acc[0], carry);
    }
    ripple_store(r, acc, L);
}

/* Column c of a's square (unreduced), a read from memory: as one column of
 * sqr_columns. */
static AI IFMA_TARGET vec sqr_col(const uint64_t *a, const int c, const int L)
{
    vec lo = v_zero(), hi = v_zero();
    HSB_UNROLL_ALL for (int i = c < L ? 0 : c - L + 1; i < c - i; i++) lo =
        v_madd_lo(lo, v_load(a + 8 * i), v_load(a + 8 * (c - i)));
    HSB_UNROLL_ALL for (int i = c - 1 < L ? 0 : c - L; i < c - 1 - i; i++) hi =
        v_madd_hi(hi, v_load(a + 8 * i), v_load(a + 8 * (c - 1 - i)));
    vec s = v_add(lo, hi), d = v_load(a + 8 * (c / 2));
    s = v_add(s, s);
    return c % 2 == 0 ? v_madd_lo(s, d, d) : v_madd_hi(s, d, d);
}

/*
 * r = AMM(a, a) per lane for L = 20, rows fully unrolled: the low L columns
 * of the square start the window, and column L + i, which row i shifts in,
 * is computed inside row i. Its multiply-adds do not depend on that row's
 * Montgomery factor m, so they fill the gaps of the serial m chain (t_0 ->
 * m -> m n -> next t_0) that bounded ams_body, which computed all 2 L
 * columns before the first reduction step. The row's own chain is also
 * shortened: t_0's carry (t_0 + lo(m n_0)) >> 52 is (t_0 >> 52) + (t_0 mod
 * 2^52 != 0), because t_0 + lo(m n_0) = 0 mod 2^52 with both terms below
 * 2^52; it is known before m, and the next t_0 is the sum of two multiply-
 * adds started together instead of two in series. Same m and column sums
 * as amm_body(a, a): bit-identical results (tests/native-mont).
 */
static AI IFMA_TARGET void ams_rows_body(uint64_t *r, const uint64_t *a, const uint64_t *n,
                                         const uint64_t *k0p, const int L)
{
    const vec zero = v_zero(), k0 = v_load(k0p), mask = v_set1(M52), one = v_set1(1);
    vec acc[LMAX];
    HSB_UNROLL_ALL for (int j = 0; j < L; j++) acc[j] = sqr_col(a, j, L);
    HSB_UNROLL_ROWS for (int i = 0; i < L; i++)
    {
        vec m = v_madd_lo(zero, acc[0], k0);
        vec carry =
            v_mask_add(v_srl52(acc[0]), v_gt_mask(v_and(acc[0], mask), zero), v_srl52(acc[0]), one);
        vec t1 = v_add(acc[1], carry);
        vec top = sqr_col(a, L + i, L);
        vec q = v_madd_lo(zero, m, v_load(n + 8));
        HSB_UNROLL_ALL for (int j = 2; j < L; j++) acc[j] = v_madd_lo(acc[j], m, v_load(n + 8 * j));
        acc[0] = v_add(v_madd_hi(t1, m, v_load(n)), q);
        HSB_UNROLL_ALL for (int j = 1; j < L; j++)
        {
            vec x = j + 1 < L ? acc[j + 1] : top;
            acc[j] = v_madd_hi(x, m, v_load(n + 8 * j));
        }
    }
    ripple_store(r, acc, L);
}

/* Columns 0..L-1 in memory (T) to limbs below 2^52, by a fixed ripple. */
static AI IFMA_TARGET void ripple_mem(uint64_t *r, const uint64_t *T, const int L)
{
    const vec mask = v_set1(M52);
    vec carry = v_zero();
    for (int j = 0; j < L; j++) {
        vec x = v_add(v_load(T + 8 * j), carry);
        carry = v_srl52(x);
        v_store(r + 8 * j, v_and(x, mask));
    }
}

/*
 * r = AMM(a, b) for L >= 30: amm_body's rows with the column window in
 * memory. 40 or more accumulators do not fit the 32 registers, and the
 * unrolled register window spilled so badly that an 8-lane 2048-bit AMM
 * took 9,176 TSC cycles against 511 at 1024 bits (4.5x the time per
 * multiply-add). Here each column of a row is one load, its four
 * multiply-adds (b_j, n_j loaded once and reused as b_(j-1), n_(j-1) for
 * the next column) and one store; the columns of a row are independent, so
 * only the m chain (t_0 -> m -> t_0 + m n_0 -> carry) is serial. At L = 30
 * it also beat the register window (1,170 against 1,341 cycles); at L = 20
 * the two were within noise (572 / 587), so 20 keeps the registers.
 */
static AI IFMA_TARGET void amm_mem_body(uint64_t *r, const uint64_t *a, const uint64_t *b,
                                        const uint64_t *n, const uint64_t *k0p, const int L)
{
    uint64_t T[8 * LMAX] __attribute__((aligned(64)));
    const vec zero = v_zero(), k0 = v_load(k0p);
    for (int j = 0; j < L; j++) v_store(T + 8 * j, zero);
    for (int i = 0; i < L; i++) {
        const vec ai = v_load(a + 8 * i);
        vec bp = v_load(b), np = v_load(n);
        vec c0 = v_madd_lo(v_load(T), ai, bp);
        const vec m = v_madd_lo(zero, c0, k0);
        c0 = v_madd_lo(c0, m, np);
        vec carry = v_srl52(c0);
        HSB_UNROLL for (int j = 1; j < L; j++)
        {
            vec bj = v_load(b + 8 * j), nj = v_load(n + 8 * j);
            vec x = v_madd_lo(v_madd_lo(v_load(T + 8 * j), ai, bj), m, nj);
            x = v_madd_hi(v_madd_hi(x, ai, bp), m, np);
            v_store(T + 8 * (j - 1), v_add(x, carry));
            carry = zero;
            bp = bj, np = nj;
        }
        v_store(T + 8 * (L - 1), v_madd_hi(v_madd_hi(zero, ai, bp), m, np));
    }
    ripple_mem(r, T, L);
}

/* r = AMM(a, a) for L >= 40 as the product: a column square spills there
 * as the register window did (measured: 4,034 TSC cycles at 2048 bits). */
static AI IFMA_TARGET void ams_mem_body(uint64_t *r, const uint64_t *a, const uint64_t *n,
                                        const uint64_t *k0, const int L)
{
    amm_mem_body(r, a, a, n, k0, L);
}

/* Limbs j0 .. j0 + cnt - 1 of the lookup below: cnt accumulators stay in
 * registers while the entries go by in groups of 4, whose compare masks are
 * computed once per group and stay in mask registers for all the limbs. */
static AI IFMA_TARGET void lookup_chunk(uint64_t *dst, const uint64_t *tbl, const vec vi,
                                        const int j0, const int cnt, const size_t stride,
                                        const unsigned entries)
{
    vec acc[LOOKUP_CHUNK];
    HSB_UNROLL_ALL for (int j = 0; j < cnt; j++) acc[j] = v_zero();
    for (unsigned e = 0; e < entries; e += 4) {
        vmask k[4];
        HSB_UNROLL_ALL for (unsigned t = 0; t < 4; t++) k[t] = v_eq_mask(v_set1(e + t), vi);
        const uint64_t *row = tbl + e * stride + 8 * j0;
        HSB_UNROLL_ALL for (int j = 0; j < cnt; j++)
        {
            HSB_UNROLL_ALL for (unsigned t = 0; t < 4; t++) acc[j] =
                v_blend(k[t], acc[j], v_load(row + t * stride + 8 * j));
        }
    }
    HSB_UNROLL_ALL for (int j = 0; j < cnt; j++) v_store(dst + 8 * (j0 + j), acc[j]);
}

/* dst = tbl[idx_k] in each lane k (entries of L transposed limbs), reading
 * every one of the 2^w entries: the index is a secret, the compare mask
 * picks per lane. In chunks of up to 20 limbs held in registers, each
 * entry's mask computed once per chunk: the earlier limb-by-limb scan
 * recomputed the 2^w masks for every limb (20 x 32 compares per 1024-bit
 * lookup) and took a quarter of the RSA-2048 batch time in perf. */
static AI IFMA_TARGET void lookup_body(uint64_t *dst, const uint64_t *tbl, const uint64_t *idx,
                                       const int L, const unsigned entries)
{
    const vec vi = v_load(idx);
    const size_t stride = (size_t)8 * L;
    HSB_UNROLL_ALL for (int j0 = 0; j0 < L; j0 += LOOKUP_CHUNK)
    {
        const int cnt = L - j0 < LOOKUP_CHUNK ? L - j0 : LOOKUP_CHUNK;
        lookup_chunk(dst, tbl, vi, j0, cnt, stride, entries);
    }
}

typedef void (*amm_fn)(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *n,
                       const uint64_t *k0);
typedef void (*ams_fn)(uint64_t *r, const uint64_t *a, const uint64_t *n, const uint64_t *k0);
typedef void (*lookup_fn)(uint64_t *dst, const uint64_t *tbl, const uint64_t *idx);
typedef struct mb_ops {
    size_t L;
    unsigned win; /* window bits: the table has 2^win entries of L limbs */
    amm_fn amm;
    ams_fn ams;
    lookup_fn lookup;
} mb_ops;

/* One size's kernel: MUL/SQR the register or memory-window bodies. */
#define MB_INSTANCES(L, WIN, MUL, SQR)                                                             \
    static IFMA_TARGET void amm_##L(uint64_t *r, const uint64_t *a, const uint64_t *b,             \
                                    const uint64_t *n, const uint64_t *k0)                         \
    {                                                                                              \
        MUL(r, a, b, n, k0, L);                                                                    \
    }                                                                                              \
    static IFMA_TARGET void ams_##L(uint64_t *r, const uint64_t *a, const uint64_t *n,             \
                                    const uint64_t *k0)                                            \
    {                                                                                              \
        SQR(r, a, n, k0, L);                                                                       \
    }                                                                                              \
    static IFMA_TARGET void lookup_##L(uint64_t *dst, const uint64_t *tbl, const uint64_t *idx)    \
    {                                                                                              \
        lookup_body(dst, tbl, idx, L, 1u << (WIN));                                                \
    }
/* L = 79 is the least count with 52 L >= 64 * 64 + 2 (hsb_nm_mb_mod_init's
 * rule) for 4096-bit moduli. Window 4 from L = 60 on: a 5-bit table of 79
 * limbs would be 158 KiB of stack, and the 1024 + 16 products of a 4-bit
 * window cost 3 % more than the 820 + 32 of a 5-bit one on 4096 bits. */
MB_INSTANCES(20, 5, amm_body, ams_rows_body)
MB_INSTANCES(30, 5, amm_mem_body, ams_body)
MB_INSTANCES(40, 5, amm_mem_body, ams_mem_body)
MB_INSTANCES(60, 4, amm_mem_body, ams_mem_body)
MB_INSTANCES(79, 4, amm_mem_body, ams_mem_body)

static const mb_ops ops_by_size[] = {
    {20, 5, amm_20, ams_20, lookup_20}, {30, 5, amm_30, ams_30, lookup_30},
    {40, 5, amm_40, ams_40, lookup_40}, {60, 4, amm_60, ams_60, lookup_60},
    {79, 4, amm_79, ams_79, lookup_79},
};

/* The biggest table (entries x 8 lanes x L) over ops_by_size: 32 x 8 x 40
 * words = 80 KiB (16 x 8 x 79 is just below). */
#define TBL_WORDS (32 * 8 * 40)
_Static_assert(16 * 8 * 79 <= TBL_WORDS, "window table too small for L = 79");

/* The kernel for L 52-bit limbs, NULL for other sizes (public). */
static const mb_ops *ops_for(size_t L)
{
    for (size_t i = 0; i < sizeof ops_by_size / sizeof ops_by_size[0]; i++)
        if (ops_by_size[i].L == L) return &ops_by_size[i];
    return NULL;
}

int hsb_nm_mb_ifma_amm(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *n52,
                       const uint64_t *k0, size_t L)
{
    const mb_ops *o = ops_for(L);
    if (!o) return 0;
    o->amm(r, a, b, n52, k0);
    return 1;
}

int hsb_nm_mb_ifma_ams(uint64_t *r, const uint64_t *a, const uint64_t *n52, const uint64_t *k0,
                       size_t L)
{
    const mb_ops *o = ops_for(L);
    if (!o) return 0;
    o->ams(r, a, n52, k0);
    return 1;
}

/* -------------------------------------------------------------- transpose */

/* Lane k of T (L transposed limbs) = x (n 64-bit limbs) in radix 2^52. */
static void put_lane(uint64_t *T, size_t L, size_t k, const uint64_t *x, size_t n)
{
    for (size_t j = 0; j < L; j++) {
        size_t bit = 52 * j, w = bit / 64, off = bit % 64;
        uint64_t v = w < n ? x[w] >> off : 0;
        if (off > 12 && w + 1 < n) v |= x[w + 1] << (64 - off);
        T[8 * j + k] = v & M52;
    }
}

/* x (n 64-bit limbs) = lane k of T (normalised); bits above n limbs dropped. */
static void get_lane(uint64_t *x, size_t n, const uint64_t *T, size_t L, size_t k)
{
    memset(x, 0, n * sizeof *x);
    for (size_t j = 0; j < L; j++) {
        size_t bit = 52 * j, w = bit / 64, off = bit % 64;
        uint64_t d = T[8 * j + k];
        if (w < n) x[w] |= d << off;
        if (off > 12 && w + 1 < n) x[w + 1] |= d >> (64 - off);
    }
}

/* ------------------------------------------------------- exponentiation */

/* The batch's transposed per-lane constants and working values. */
typedef struct mb_state {
    uint64_t n52[8 * LMAX], rr[8 * LMAX], one[8 * LMAX], k0[LANES];
    uint64_t acc[8 * LMAX], t[8 * LMAX], idx[LANES];
    uint64_t tbl[TBL_WORDS];
} mb_state;

/* Table rows: base^e R mod N (AMM domain, < 2 N) for e < 2^win, per lane. */
static void fill_table(const mb_ops *o, mb_state *s)
{
    size_t W = 8 * o->L;
    uint64_t *tb = s->tbl;
    o->amm(tb, s->rr, s->one, s->n52, s->k0);     /* R */
    o->amm(tb + W, s->acc, s->rr, s->n52, s->k0); /* base R (base parked in acc) */
    for (size_t e = 2; e < ((size_t)1 << o->win); e++) {
        if (e % 2 == 0)
            o->ams(tb + e * W, tb + (e / 2) * W, s->n52, s->k0);
        else
            o->amm(tb + e * W, tb + (e - 1) * W, tb + W, s->n52, s->k0);
    }
}

static void load_indices(mb_state *s, const uint8_t *const exp[LANES], size_t len, size_t pos,
                         const hsb_nm_mb_mod *const mod[LANES], unsigned win)
{
    for (size_t k = 0; k < LANES; k++)
        s->idx[k] = mod[k] ? hsb_nm_window(exp[k], len, pos, win) : 0;
}

/* Left-to-right fixed window over all 8 exp_len bits, every lane at once. */
static void run_windows(const mb_ops *o, mb_state *s, const hsb_nm_mb_mod *const mod[LANES],
                        const uint8_t *const exp[LANES], size_t len)
{
    const unsigned w = o->win;
    size_t nwin = (8 * len + w - 1) / w, pos = (nwin - 1) * w;
    load_indices(s, exp, len, pos, mod, w);
    o->lookup(s->acc, s->tbl, s->idx);
    while (pos > 0) {
        pos -= w;
        for (unsigned b = 0; b < w; b++) o->ams(s->acc, s->acc, s->n52, s->k0);
        load_indices(s, exp, len, pos, mod, w);
        o->lookup(s->t, s->tbl, s->idx);
        o->amm(s->acc, s->acc, s->t, s->n52, s->k0);
    }
}

/* The batch's common limb count, 0 when lanes differ or none is used. */
static size_t batch_limbs(const hsb_nm_mb_mod *const mod[LANES], size_t *L)
{
    size_t n = 0;
    for (size_t k = 0; k < LANES; k++) {
        if (!mod[k]) continue;
        if (n && (mod[k]->m.n != n || mod[k]->L != *L)) return 0;
        n = mod[k]->m.n;
        *L = mod[k]->L;
    }
    return n;
}

/* Transposes the used lanes' constants and bases into s (unused lanes all
 * zero but for the 1 of s->one). */
static void load_state(mb_state *s, const hsb_nm_mb_mod *const mod[LANES],
                       const uint64_t *const base[LANES], size_t L, size_t n)
{
    memset(s->n52, 0, sizeof s->n52);
    memset(s->rr, 0, sizeof s->rr);
    memset(s->one, 0, sizeof s->one);
    memset(s->k0, 0, sizeof s->k0);
    memset(s->acc, 0, sizeof s->acc);
    for (size_t k = 0; k < LANES; k++) {
        s->one[k] = 1; /* unused lanes: 1 against N = 0 still gives 0 products */
        if (!mod[k]) continue;
        for (size_t j = 0; j < L; j++) {
            s->n52[8 * j + k] = mod[k]->n52[j];
            s->rr[8 * j + k] = mod[k]->rr52[j];
        }
        s->k0[k] = mod[k]->k0;
        put_lane(s->acc, L, k, base[k], n);
    }
}

/* Leaves the AMM domain (AMM by 1: < N + 1) and writes the used lanes fully
 * reduced (one constant-time subtraction each), then wipes s. */
static void store_lanes(const mb_ops *o, mb_state *s, const hsb_nm_mb_mod *const mod[LANES],
                        uint64_t *const out[LANES], size_t n)
{
    o->amm(s->acc, s->acc, s->one, s->n52, s->k0);
    for (size_t k = 0; k < LANES; k++) {
        if (!mod[k]) continue;
        uint64_t x[HSB_NM_MAX_LIMBS];
        get_lane(x, n, s->acc, o->L, k);
        hsb_nm_final_sub(out[k], x, 0, mod[k]->m.N, n);
        hsb_wipe(x, sizeof x);
    }
    hsb_wipe(s, sizeof *s);
}

static int pow_ifma_mb(const hsb_nm_mb_mod *const mod[LANES], uint64_t *const out[LANES],
                       const uint64_t *const base[LANES], const uint8_t *const exp[LANES],
                       size_t exp_len)
{
    size_t L = 0, n = batch_limbs(mod, &L);
    const mb_ops *o = ops_for(L);
    if (n == 0 || o == NULL || exp_len == 0) return 0;
    mb_state s; /* ~105 KiB: see native_mb.h on stack */
    load_state(&s, mod, base, L, n);
    fill_table(o, &s);
    run_windows(o, &s, mod, exp, exp_len);
    store_lanes(o, &s, mod, out, n);
    return 1;
}

/* acc = t in the lanes whose bit is set in lanes (a public choice). */
static void take_lanes(uint64_t *acc, const uint64_t *t, unsigned lanes, size_t L)
{
    for (size_t j = 0; j < L; j++)
        for (size_t k = 0; k < LANES; k++)
            if ((lanes >> k) & 1) acc[8 * j + k] = t[8 * j + k];
}

/*
 * The public-exponent variant (RSA's fault check s^e mod n, e = 65537 as a
 * rule): left-to-right binary over the bits, squaring all lanes, and one
 * 8-lane product by the base when some lane has the bit, kept in the lanes
 * that have it. The exponents steer branches (they are public); moduli and
 * bases are handled as in pow. 16 squares and 2 products for 65537: at
 * 2048 bits this replaces 8 x 19 single 64-bit Montgomery operations.
 */
static int pow_public_ifma_mb(const hsb_nm_mb_mod *const mod[LANES], uint64_t *const out[LANES],
                              const uint64_t *const base[LANES], const uint8_t *const exp[LANES],
                              size_t exp_len)
{
    size_t L = 0, n = batch_limbs(mod, &L);
    const mb_ops *o = ops_for(L);
    if (n == 0 || o == NULL || exp_len == 0) return 0;
    mb_state s;
    load_state(&s, mod, base, L, n);
    uint64_t *x = s.tbl; /* base R (AMM domain) */
    o->amm(x, s.acc, s.rr, s.n52, s.k0);
    o->amm(s.acc, s.rr, s.one, s.n52, s.k0); /* R: the 1 of every lane */
    int started = 0;
    for (size_t bit = 8 * exp_len; bit-- > 0;) {
        unsigned lanes = 0;
        for (size_t k = 0; k < LANES; k++)
            if (mod[k]) lanes |= (unsigned)hsb_nm_window(exp[k], exp_len, bit, 1) << k;
        if (started) o->ams(s.acc, s.acc, s.n52, s.k0);
        if (!lanes) continue;
        o->amm(s.t, s.acc, x, s.n52, s.k0);
        take_lanes(s.acc, s.t, lanes, L);
        started = 1;
    }
    store_lanes(o, &s, mod, out, n);
    return 1;
}

/* ---------------------------------------------------------------- self-test */

/*
 * Known answers run once per process before the kernel is handed out: the
 * kernel against the sequential 64-bit code for pseudo-random moduli of each
 * size, all lanes different, one lane unused. The model is tested on any
 * CPU; this guards the real instructions on machines the tests never saw.
 */
int hsb_nm_mb_ifma_selftest(void)
{
    static const size_t sizes[] = {16, 24, 32, 48, 64};
    static hsb_nm_mb_mod mods[LANES];
    uint64_t st = 0x9e3779b97f4a7c15ull, b[LANES][HSB_NM_MAX_LIMBS], o[LANES][HSB_NM_MAX_LIMBS],
             w[HSB_NM_MAX_LIMBS];
    uint8_t e[LANES][24];
    int ok = 1;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        const hsb_nm_mb_mod *mp[LANES];
        uint64_t *op[LANES];
        const uint64_t *bp[LANES];
        const uint8_t *ep[LANES];
        for (size_t k = 0; k < LANES; k++) {
            uint64_t N[HSB_NM_MAX_LIMBS];
            for (size_t i = 0; i < n; i++) {
                st ^= st << 13, st ^= st >> 7, st ^= st << 17;
                N[i] = st;
                b[k][i] = st >> 3;
            }
            N[0] |= 1;
            N[n - 1] |= (uint64_t)1 << 63;
            b[k][n - 1] >>= 1; /* below N */
            for (size_t i = 0; i < sizeof e[k]; i++) e[k][i] = (uint8_t)(st >> (i % 57));
            hsb_nm_mb_mod_init(&mods[k], &REF_ENGINE, N, n, 64 * n - 1);
            mp[k] = k == 5 ? NULL : &mods[k];
            op[k] = o[k], bp[k] = b[k], ep[k] = e[k];
        }
        ok &= pow_ifma_mb(mp, op, bp, ep, sizeof e[0]);
        for (size_t k = 0; k < LANES; k++) {
            if (!mp[k]) continue;
            hsb_nm_pow_generic(&REF_ENGINE, &mods[k].m, w, b[k], e[k], sizeof e[k]);
            ok &= memcmp(o[k], w, n * 8) == 0;
        }
    }
    return ok;
}

const hsb_nm_mb_engine hsb_nm_mb_engine_ifma = {
#if defined(HSB_IFMA_EMULATE)
    .name = "ifma-mb8-emulated",
#else
    .name = "ifma-mb8",
#endif
    .pow = pow_ifma_mb,
    .pow_public = pow_public_ifma_mb,
};
