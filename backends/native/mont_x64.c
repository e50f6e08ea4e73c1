/*
 * mont_x64.c - Montgomery multiplication with MULX/ADCX/ADOX (BMI2 + ADX).
 *
 * Same shape as mont_portable.c (2n-limb product or square, then REDC row by
 * row, then a constant-time conditional subtraction), with each row in inline
 * asm: MULX leaves the flags alone, so the low halves of the products go into
 * the accumulator on one carry chain (ADCX, CF) and the high halves on
 * another (ADOX, OF) -- two independent chains per row instead of the
 * add/adc/adc chain that serialises the C version. Loop control uses LEA and
 * JRCXZ, which touch no flag, so the chains survive across iterations.
 *
 * Rows read and write the accumulator in memory (L1): at our sizes (16-64
 * limbs) it does not fit in registers, and the loads/stores issue alongside
 * the one MULX per cycle that bounds the loop.
 *
 * Every branch here is on a length; no branch or address depends on limb
 * values. Compiled for adx,bmi2 per function: only call it when hsb_cpu()
 * has both (hsb_nm_engine_get checks).
 */
#include <string.h>

#include "hsb_ct.h"
#include "native_mont.h"

#define HSB_ADX __attribute__((target("adx,bmi2")))

/* One multiply-accumulate step at byte offset off: lo:hn = rdx * b[off];
 * t[off] += lo + CF (ADCX) + hp + OF (ADOX), hp being the previous high half. */
#define MAC_STEP(off, hn, hp)                                                                      \
    "mulx " off "(%[b]), %[lo], %[" hn "]\n\t"                                                     \
    "adcx " off "(%[t]), %[lo]\n\t"                                                                \
    "adox %[" hp "], %[lo]\n\t"                                                                    \
    "mov %[lo], " off "(%[t])\n\t"

/* The body shared by both rows: t[0..L) += rdx b[0..L), L = 4 q + rcx, with the
 * last high half left in h and both carries (CF, OF) pending. Single steps
 * first, then four at a time. */
#define ROW_BODY                                                                                   \
    "xor %k[z], %k[z]\n\t"                                                                         \
    "xor %k[h], %k[h]\n\t" /* h = 0, CF = OF = 0 */                                                \
    "jrcxz 2f\n"                                                                                   \
    "1:\n\t" MAC_STEP("0", "h1", "h") "mov %[h1], %[h]\n\t"                                        \
                                      "lea 8(%[b]), %[b]\n\t"                                      \
                                      "lea 8(%[t]), %[t]\n\t"                                      \
                                      "lea -1(%%rcx), %%rcx\n\t"                                   \
                                      "jrcxz 2f\n\t"                                               \
                                      "jmp 1b\n"                                                   \
                                      "2:\n\t"                                                     \
                                      "mov %[q], %%rcx\n\t"                                        \
                                      "jrcxz 4f\n"                                                 \
                                      "3:\n\t" MAC_STEP("0", "h1", "h") MAC_STEP("8", "h", "h1")   \
                                          MAC_STEP("16", "h1", "h")                                \
                                              MAC_STEP("24", "h", "h1") "lea 32(%[b]), %[b]\n\t"   \
                                                                        "lea 32(%[t]), %[t]\n\t"   \
                                                                        "lea -1(%%rcx), %%rcx\n\t" \
                                                                        "jrcxz 4f\n\t"             \
                                                                        "jmp 3b\n"                 \
                                                                        "4:\n\t"

/* t[0..L) += x b[0..L); t[L] = the carry word (written, not read). L >= 1. */
HSB_ADX static inline void row_mac(uint64_t *t, const uint64_t *b, uint64_t x, size_t L)
{
    uint64_t lo, h, h1, z;
    size_t q = L >> 2, r = L & 3;
    __asm__ volatile(ROW_BODY
                     /* t[L] = h + CF + OF: cannot overflow, t + x b fits L + 1 limbs. */
                     "adcx %[z], %[h]\n\t"
                     "adox %[z], %[h]\n\t"
                     "mov %[h], (%[t])\n\t"
                     : [t] "+r"(t), [b] "+r"(b),
                       "+c"(r), [lo] "=&r"(lo), [h] "=&r"(h), [h1] "=&r"(h1), [z] "=&r"(z)
                     : [q] "r"(q), "d"(x)
                     : "cc", "memory");
}

/* One REDC step on t[0..n]: y = t[0] n0 mod 2^64 (which makes t[0] zero),
 * t[0..n) += y N, t[n] += the row's carry + *hi, and *hi = the carry out of
 * t[n] (0..2, kept in a register for the next row). */
HSB_ADX static inline void row_redc(uint64_t *t, const uint64_t *N, uint64_t n0, size_t n,
                                    uint64_t *hi)
{
    uint64_t lo, h, h1, z, c = *hi, y;
    size_t q = n >> 2, r = n & 3;
    const uint64_t *b = N;
    __asm__ volatile(
        "mov (%[t]), %%rdx\n\t"
        "imul %[n0], %%rdx\n\t" ROW_BODY "adcx (%[t]), %[c]\n\t" /* c = hi + t[n] + CF */
        "adox %[h], %[c]\n\t"                                    /* c += h + OF */
        "mov %[c], (%[t])\n\t"
        "mov $0, %k[h]\n\t" /* mov keeps the flags */
        "adcx %[z], %[h]\n\t"
        "adox %[z], %[h]\n\t"
        : [t] "+r"(t), [b] "+r"(b),
          "+c"(r), [lo] "=&r"(lo), [h] "=&r"(h), [h1] "=&r"(h1), [z] "=&r"(z), [c] "+r"(c), "=&d"(y)
        : [q] "r"(q), [n0] "r"(n0)
        : "cc", "memory");
    *hi = h;
}

/* t[0..2n) = 2 t + sum_i a_i^2 2^(128 i); the result must fit in 2n limbs
 * (it does for the square: t holds the off-diagonal triangle). */
HSB_ADX static inline void dbl_add_diag(uint64_t *t, const uint64_t *a, size_t n)
{
    uint64_t lo, hi, x0, x1;
    __asm__ volatile("xor %k[lo], %k[lo]\n" /* CF = OF = 0 */
                     "1:\n\t"
                     "mov (%[a]), %%rdx\n\t"
                     "mulx %%rdx, %[lo], %[hi]\n\t"
                     "mov (%[t]), %[x0]\n\t"
                     "mov 8(%[t]), %[x1]\n\t"
                     "adcx %[x0], %[x0]\n\t"
                     "adcx %[x1], %[x1]\n\t"
                     "adox %[lo], %[x0]\n\t"
                     "adox %[hi], %[x1]\n\t"
                     "mov %[x0], (%[t])\n\t"
                     "mov %[x1], 8(%[t])\n\t"
                     "lea 8(%[a]), %[a]\n\t"
                     "lea 16(%[t]), %[t]\n\t"
                     "lea -1(%%rcx), %%rcx\n\t"
                     "jrcxz 2f\n\t"
                     "jmp 1b\n"
                     "2:\n"
                     : [t] "+r"(t), [a] "+r"(a),
                       "+c"(n), [lo] "=&r"(lo), [hi] "=&r"(hi), [x0] "=&r"(x0), [x1] "=&r"(x1)
                     :
                     : "rdx", "cc", "memory");
}

/* ---------------------------------------------------------------------------
 * Four rows at a time (n a multiple of 4). The row code above loads and
 * stores the accumulator once per product; here four rows (multipliers x0..x3)
 * sweep the multiplicand b four limbs (a chunk) at a time over a window of
 * seven accumulator words kept in registers, so memory sees four loads and
 * four stores per sixteen products. Within a chunk, row k adds x_k b[4J..4J+4)
 * at window words k..k+3 with its two carry chains, starting from the carry
 * word h_k that the same row left at the previous chunk and leaving the new
 * one (hi + CF + OF, which cannot overflow) for the next: the chains are
 * closed at every row end, so rows can take turns on the flags. The h_k, the
 * x_k and a zero live on the stack as memory operands, which leaves the
 * thirteen registers the window, the products and the pointers need.
 */

/* Row k of a chunk: multiplier in rdx; window words wa..wd = w_k..w_{k+3}. */
#define BLK_ROW_AT(hk, wa, wb, wc, wd, o0, o1, o2, o3)                                             \
    "mov %[" hk "], %[h]\n\t"                                                                      \
    "xor %k[lo], %k[lo]\n\t"                                                                       \
    "mulx " o0 "(%[b]), %[lo], %[hn]\n\t"                                                          \
    "adcx %[lo], %[" wa "]\n\t"                                                                    \
    "adox %[h], %[" wa "]\n\t"                                                                     \
    "mulx " o1 "(%[b]), %[lo], %[h]\n\t"                                                           \
    "adcx %[lo], %[" wb "]\n\t"                                                                    \
    "adox %[hn], %[" wb "]\n\t"                                                                    \
    "mulx " o2 "(%[b]), %[lo], %[hn]\n\t"                                                          \
    "adcx %[lo], %[" wc "]\n\t"                                                                    \
    "adox %[h], %[" wc "]\n\t"                                                                     \
    "mulx " o3 "(%[b]), %[lo], %[h]\n\t"                                                           \
    "adcx %[lo], %[" wd "]\n\t"                                                                    \
    "adox %[hn], %[" wd "]\n\t"                                                                    \
    "adcx %[zero], %[h]\n\t"                                                                       \
    "adox %[zero], %[h]\n\t"                                                                       \
    "mov %[h], %[" hk "]\n\t"
#define BLK_ROW(hk, wa, wb, wc, wd) BLK_ROW_AT(hk, wa, wb, wc, wd, "0", "8", "16", "24")

/* The four rows with multipliers read from x0..x3. */
#define BLK_ROWS_X                                                                                 \
    "mov %[x0], %%rdx\n\t" BLK_ROW("h0", "w0", "w1", "w2", "w3") "mov %[x1], %%rdx\n\t" BLK_ROW(   \
        "h1", "w1", "w2", "w3",                                                                    \
        "w4") "mov %[x2], %%rdx\n\t" BLK_ROW("h2", "w2", "w3", "w4",                               \
                                             "w5") "mov %[x3], %%rdx\n\t" BLK_ROW("h3", "w3",      \
                                                                                  "w4", "w5",      \
                                                                                  "w6")

/* REDC's first chunk: x_k = w_k n0 mod 2^64, taken when row k starts (w_k is
 * then final: earlier rows reach it only through this chunk), and kept. */
#define BLK_M(xk, wk)                                                                              \
    "mov %[" wk "], %%rdx\n\t"                                                                     \
    "imul %[n0], %%rdx\n\t"                                                                        \
    "mov %%rdx, %[" xk "]\n\t"
#define BLK_ROWS_M                                                                                 \
    BLK_M("x0", "w0")                                                                              \
    BLK_ROW("h0", "w0", "w1", "w2", "w3")                                                          \
    BLK_M("x1", "w1")                                                                              \
    BLK_ROW("h1", "w1", "w2", "w3", "w4") BLK_M("x2", "w2") BLK_ROW("h2", "w2", "w3", "w4", "w5")  \
        BLK_M("x3", "w3") BLK_ROW("h3", "w3", "w4", "w5", "w6")

/* A squaring's diagonal chunk: b points at a 4x4 array whose row k holds the
 * block's limbs l > k (zeros elsewhere), so row k adds x_k a_l for l > k
 * only; row 3 would add nothing and is skipped. */
#define BLK_ROWS_DIAG                                                                              \
    "mov %[x0], %%rdx\n\t" BLK_ROW_AT(                                                             \
        "h0", "w0", "w1", "w2", "w3", "0", "8", "16",                                              \
        "24") "mov %[x1], %%rdx\n\t" BLK_ROW_AT("h1", "w1", "w2", "w3", "w4", "32", "40", "48",    \
                                                "56") "mov %[x2], %%rdx\n\t" BLK_ROW_AT("h2",      \
                                                                                        "w2",      \
                                                                                        "w3",      \
                                                                                        "w4",      \
                                                                                        "w5",      \
                                                                                        "64",      \
                                                                                        "72",      \
                                                                                        "80",      \
                                                                                        "88")

#define BLK_LOAD                                                                                   \
    "mov 0(%[t]), %[w0]\n\t"                                                                       \
    "mov 8(%[t]), %[w1]\n\t"                                                                       \
    "mov 16(%[t]), %[w2]\n\t"                                                                      \
    "mov 24(%[t]), %[w3]\n\t"                                                                      \
    "mov 32(%[t]), %[w4]\n\t"                                                                      \
    "mov 40(%[t]), %[w5]\n\t"                                                                      \
    "mov 48(%[t]), %[w6]\n\t"

/* Retire window words 0..3, slide by a chunk, move b on, compare t with tend. */
#define BLK_NEXT_TO(bmove)                                                                         \
    "mov %[w0], 0(%[t])\n\t"                                                                       \
    "mov %[w1], 8(%[t])\n\t"                                                                       \
    "mov %[w2], 16(%[t])\n\t"                                                                      \
    "mov %[w3], 24(%[t])\n\t"                                                                      \
    "mov %[w4], %[w0]\n\t"                                                                         \
    "mov %[w5], %[w1]\n\t"                                                                         \
    "mov %[w6], %[w2]\n\t"                                                                         \
    "mov 56(%[t]), %[w3]\n\t"                                                                      \
    "mov 64(%[t]), %[w4]\n\t"                                                                      \
    "mov 72(%[t]), %[w5]\n\t"                                                                      \
    "mov 80(%[t]), %[w6]\n\t"                                                                      \
    "lea 32(%[t]), %[t]\n\t" bmove "cmp %[tend], %[t]\n\t"
#define BLK_NEXT BLK_NEXT_TO("lea 32(%[b]), %[b]\n\t")

#define BLK_OUTPUTS                                                                                \
    [t] "+r"(t), [b] "+r"(b), [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3),      \
        [w4] "=&r"(w4), [w5] "=&r"(w5), [w6] "=&r"(w6), [lo] "=&r"(lo), [h] "=&r"(h),              \
        [hn] "=&r"(hn), [h0] "+m"(hc[0]), [h1] "+m"(hc[1]), [h2] "+m"(hc[2]), [h3] "+m"(hc[3])

/*
 * Rows x[0..4) times b[0..4 chunks) added into t from word 0; t must hold
 * 4 chunks + 7 words (the window reads three words past the sweep's end).
 * hc[k] (in: 0) gets row k's carry word, which belongs at word 4 chunks + k.
 * Leaves the swept words in t up to 4 chunks + 3 (words 4 chunks + 3..6
 * untouched).
 */
HSB_ADX __attribute__((no_sanitize("address"))) static void
blk_mac(uint64_t *t, const uint64_t *b, const uint64_t x[4], uint64_t hc[4], size_t chunks)
{
    uint64_t w0, w1, w2, w3, w4, w5, w6, lo, h, hn;
    uint64_t xs[4] = {x[0], x[1], x[2], x[3]};
    const uint64_t zero = 0;
    const uint64_t *tend = t + 4 * chunks;
    __asm__ volatile(BLK_LOAD "1:\n\t" BLK_ROWS_X BLK_NEXT "jne 1b\n\t"
                              "mov %[w0], 0(%[t])\n\t"
                              "mov %[w1], 8(%[t])\n\t"
                              "mov %[w2], 16(%[t])\n\t"
                     : BLK_OUTPUTS
                     : [x0] "m"(xs[0]), [x1] "m"(xs[1]), [x2] "m"(xs[2]), [x3] "m"(xs[3]),
                       [zero] "m"(zero), [tend] "m"(tend)
                     : "rdx", "cc", "memory");
}

/* A squaring's rows for block x = a[4I..4I+4): the diagonal chunk from dm
 * (see BLK_ROWS_DIAG) at t[0..], then b = a[4I+4..) for chunks - 1 more. */
HSB_ADX __attribute__((no_sanitize("address"))) static void
blk_sqr(uint64_t *t, const uint64_t dm[16], const uint64_t *b, const uint64_t x[4], uint64_t hc[4],
        size_t chunks)
{
    uint64_t w0, w1, w2, w3, w4, w5, w6, lo, h, hn;
    uint64_t xs[4] = {x[0], x[1], x[2], x[3]};
    const uint64_t zero = 0;
    const uint64_t *tend = t + 4 * chunks, *bnext = b;
    b = dm;
    __asm__ volatile(BLK_LOAD BLK_ROWS_DIAG BLK_NEXT_TO(
                         "mov %[bnext], %[b]\n\t") "je 2f\n"
                                                   "1:\n\t" BLK_ROWS_X BLK_NEXT "jne 1b\n"
                                                   "2:\n\t"
                                                   "mov %[w0], 0(%[t])\n\t"
                                                   "mov %[w1], 8(%[t])\n\t"
                                                   "mov %[w2], 16(%[t])\n\t"
                     : BLK_OUTPUTS
                     : [x0] "m"(xs[0]), [x1] "m"(xs[1]), [x2] "m"(xs[2]), [x3] "m"(xs[3]),
                       [zero] "m"(zero), [tend] "m"(tend), [bnext] "m"(bnext)
                     : "rdx", "cc", "memory");
}

/* Four REDC rows: as blk_mac with b = N, the multipliers made in the first
 * chunk (x_k = t[k] n0). */
HSB_ADX __attribute__((no_sanitize("address"))) static void
blk_redc(uint64_t *t, const uint64_t *b, uint64_t n0, uint64_t hc[4], size_t chunks)
{
    uint64_t w0, w1, w2, w3, w4, w5, w6, lo, h, hn;
    uint64_t xs[4];
    const uint64_t zero = 0;
    const uint64_t *tend = t + 4 * chunks;
    __asm__ volatile(
        BLK_LOAD BLK_ROWS_M BLK_NEXT "je 2f\n"
                                     "1:\n\t" BLK_ROWS_X BLK_NEXT "jne 1b\n"
                                     "2:\n\t"
                                     "mov %[w0], 0(%[t])\n\t"
                                     "mov %[w1], 8(%[t])\n\t"
                                     "mov %[w2], 16(%[t])\n\t"
        : BLK_OUTPUTS, [x0] "=m"(xs[0]), [x1] "=m"(xs[1]), [x2] "=m"(xs[2]), [x3] "=m"(xs[3])
        : [n0] "m"(n0), [zero] "m"(zero), [tend] "m"(tend)
        : "rdx", "cc", "memory");
}

typedef unsigned __int128 u128;

/* p[0..k) = 0 with plain stores, four at a time (k a multiple of 4 plus 3):
 * the compiler's memset here is REP STOSQ, whose start-up cost is a sizeable
 * share of a 16-limb squaring on AMD cores. */
static inline void zero_4k3(uint64_t *p, size_t k)
{
    size_t q = k / 4;
    __asm__ volatile("xor %%eax, %%eax\n"
                     "1:\n\t"
                     "mov %%rax, 0(%[p])\n\t"
                     "mov %%rax, 8(%[p])\n\t"
                     "mov %%rax, 16(%[p])\n\t"
                     "mov %%rax, 24(%[p])\n\t"
                     "lea 32(%[p]), %[p]\n\t"
                     "dec %[q]\n\t"
                     "jnz 1b\n\t"
                     "mov %%rax, 0(%[p])\n\t"
                     "mov %%rax, 8(%[p])\n\t"
                     "mov %%rax, 16(%[p])\n\t"
                     : [p] "+r"(p), [q] "+r"(q)
                     :
                     : "rax", "cc", "memory");
}

/* REDC of t (2n + 3 limbs, n a multiple of 4) four rows at a time. */
HSB_ADX static void redc4_mulx(uint64_t *r, uint64_t *t, const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t c = 0; /* carry into the word after each block's top */
    for (size_t i = 0; i < n; i += 4) {
        uint64_t hc[4] = {0, 0, 0, 0};
        blk_redc(t + i, m->N, m->n0, hc, n / 4);
        /* The rows' carry words belong at words i+n..i+n+3 (old data). */
        uint64_t *top = t + i + n;
        for (int k = 0; k < 4; k++) {
            u128 s = (u128)top[k] + hc[k] + c;
            top[k] = (uint64_t)s;
            c = (uint64_t)(s >> 64);
        }
    }
    hsb_nm_final_sub(r, t + n, c, m->N, n);
}

/* The carry words of a product block land on fresh words: store them. */
static inline void blk_settle(uint64_t *top, const uint64_t hc[4])
{
    u128 s = (u128)top[0] + hc[0];
    top[0] = (uint64_t)s;
    s = (u128)top[1] + hc[1] + (uint64_t)(s >> 64);
    top[1] = (uint64_t)s;
    s = (u128)top[2] + hc[2] + (uint64_t)(s >> 64);
    top[2] = (uint64_t)s;
    top[3] = hc[3] + (uint64_t)(s >> 64);
}

HSB_ADX static void mul4_mulx(uint64_t *r, const uint64_t *a, const uint64_t *b,
                              const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t t[2 * HSB_NM_MAX_LIMBS + 3];
    zero_4k3(t, 2 * n + 3);
    for (size_t i = 0; i < n; i += 4) {
        uint64_t hc[4] = {0, 0, 0, 0};
        blk_mac(t + i, b, a + i, hc, n / 4);
        blk_settle(t + i + n, hc);
    }
    redc4_mulx(r, t, m);
}

HSB_ADX static void sqr4_mulx(uint64_t *r, const uint64_t *a, const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t t[2 * HSB_NM_MAX_LIMBS + 3];
    zero_4k3(t, 2 * n + 3);
    /* The triangle sum_{i<j} a_i a_j 2^(64(i+j)), four rows (block I) at a
     * time: their diagonal chunk, then a[4I+4..n). */
    for (size_t i = 0; i < n; i += 4) {
        const uint64_t *x = a + i;
        uint64_t dm[16] = {0, x[1], x[2], x[3], 0, 0, x[2], x[3], 0, 0, 0, x[3]};
        uint64_t hc[4] = {0, 0, 0, 0};
        blk_sqr(t + 2 * i, dm, a + i + 4, x, hc, (n - i) / 4);
        blk_settle(t + i + n, hc);
    }
    dbl_add_diag(t, a, n);
    redc4_mulx(r, t, m);
}

HSB_ADX static void redc_rows(uint64_t *r, uint64_t *t, const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t hi = 0;
    for (size_t i = 0; i < n; i++) row_redc(t + i, m->N, m->n0, n, &hi);
    hsb_nm_final_sub(r, t + n, hi, m->N, n);
}

HSB_ADX static void mul_rows(uint64_t *r, const uint64_t *a, const uint64_t *b,
                             const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t t[2 * HSB_NM_MAX_LIMBS];
    memset(t, 0, n * sizeof *t);
    for (size_t i = 0; i < n; i++) row_mac(t + i, b, a[i], n);
    redc_rows(r, t, m);
}

HSB_ADX static void sqr_rows(uint64_t *r, const uint64_t *a, const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t t[2 * HSB_NM_MAX_LIMBS];
    memset(t, 0, n * sizeof *t);
    t[2 * n - 1] = 0;
    /* Row i adds a_i a[i+1..n) at t[2i+1..]; its carry word lands at t[i+n],
     * which no earlier row wrote. */
    for (size_t i = 0; i + 1 < n; i++) row_mac(t + 2 * i + 1, a + i + 1, a[i], n - 1 - i);
    dbl_add_diag(t, a, n);
    redc_rows(r, t, m);
}

/* Four rows at a time when n is a multiple of 4 (every RSA and DH size),
 * else one row at a time. */
HSB_ADX void hsb_nm_mulx_redc(uint64_t *r, uint64_t *t, const hsb_nm_mont *m)
{
    if (m->n % 4 == 0) {
        uint64_t w[2 * HSB_NM_MAX_LIMBS + 3];
        memcpy(w, t, 2 * m->n * sizeof *t);
        memset(w + 2 * m->n, 0, 3 * sizeof *w);
        redc4_mulx(r, w, m);
        hsb_wipe(w, sizeof w);
    } else {
        redc_rows(r, t, m);
    }
}

HSB_ADX void hsb_nm_mulx_mul(uint64_t *r, const uint64_t *a, const uint64_t *b,
                             const hsb_nm_mont *m)
{
    if (m->n % 4 == 0)
        mul4_mulx(r, a, b, m);
    else
        mul_rows(r, a, b, m);
}

HSB_ADX void hsb_nm_mulx_sqr(uint64_t *r, const uint64_t *a, const hsb_nm_mont *m)
{
    if (m->n % 4 == 0)
        sqr4_mulx(r, a, m);
    else
        sqr_rows(r, a, m);
}

const hsb_nm_engine hsb_nm_engine_mulx = {
    .name = "mulx",
    .mul = hsb_nm_mulx_mul,
    .sqr = hsb_nm_mulx_sqr,
    .redc = hsb_nm_mulx_redc,
};
