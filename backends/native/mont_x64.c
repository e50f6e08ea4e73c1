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

#include "native_mont.h"

#if defined(__x86_64__)

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

HSB_ADX static void redc_mulx(uint64_t *r, uint64_t *t, const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t hi = 0;
    for (size_t i = 0; i < n; i++) row_redc(t + i, m->N, m->n0, n, &hi);
    hsb_nm_final_sub(r, t + n, hi, m->N, n);
}

HSB_ADX static void mul_mulx(uint64_t *r, const uint64_t *a, const uint64_t *b,
                             const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t t[2 * HSB_NM_MAX_LIMBS];
    memset(t, 0, n * sizeof *t);
    for (size_t i = 0; i < n; i++) row_mac(t + i, b, a[i], n);
    redc_mulx(r, t, m);
}

HSB_ADX static void sqr_mulx(uint64_t *r, const uint64_t *a, const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t t[2 * HSB_NM_MAX_LIMBS];
    memset(t, 0, n * sizeof *t);
    t[2 * n - 1] = 0;
    /* Row i adds a_i a[i+1..n) at t[2i+1..]; its carry word lands at t[i+n],
     * which no earlier row wrote. */
    for (size_t i = 0; i + 1 < n; i++) row_mac(t + 2 * i + 1, a + i + 1, a[i], n - 1 - i);
    dbl_add_diag(t, a, n);
    redc_mulx(r, t, m);
}

const hsb_nm_engine hsb_nm_engine_mulx = {
    .name = "mulx",
    .mul = mul_mulx,
    .sqr = sqr_mulx,
    .redc = redc_mulx,
};

#else /* not x86-64: the engine exists but hsb_nm_engine_get never returns it */

const hsb_nm_engine hsb_nm_engine_mulx = {
    .name = "mulx",
    .mul = NULL,
};

#endif
