/*
 * mont_x64.c - Montgomery multiplication with MULX/ADCX/ADOX (BMI2 + ADX).
 *
 * MULX leaves the flags alone, so the low halves of a row's products go into
 * the accumulator on one carry chain (ADCX, CF) and the high halves on
 * another (ADOX, OF): two independent chains per row instead of the
 * add/adc/adc chain that serialises the C version.
 *
 * Three shapes, by limb count n:
 *   n % 8 == 0 (every RSA and DH size): hsb_nm_mont8_core, the product and
 *     its reduction fused (CIOS order, four multiplier limbs at a time): one
 *     sweep over b and N in chunks of eight limbs, eight rows per chunk over
 *     an eleven-word window held in registers, so the accumulator is loaded
 *     and stored once per 64 products. From 48 limbs, squares use
 *     hsb_nm_sq8_block, which makes each a_i a_j once.
 *   n % 4 == 0: hsb_nm_mont4_core, the same with chunks of four.
 *   otherwise: the 2n-limb product (or square) row by row in inline asm
 *     (loop control by LEA and JRCXZ, which touch no flag), then REDC row by
 *     row.
 * Each ends with a constant-time conditional subtraction.
 *
 * The kernels are functions in assembly (top-level asm with GAS macros), so
 * that they own all fifteen registers; their frames hold what does not fit.
 * On this code's first machine (an AMD Zen 5 VM) one MULX with its two adds
 * costs about two cycles, the bound OpenSSL's mulx4x/sqrx8x code meets too;
 * what separates implementations is the instructions around the products
 * (tests/native-mont/timing.c and callgrind instruction counts guided the
 * choices above).
 *
 * Every branch here is on a length; no branch or address depends on limb
 * values (tests/ctgrind). Compiled for adx,bmi2 per function: only call it
 * when hsb_cpu() has both (hsb_nm_engine_get checks).
 */
#include <emmintrin.h>
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

/* ---------------------------------------------------------------------------
 * The fused Montgomery product (n a multiple of 4), one function in assembly
 * so that it owns all fifteen registers: for each block of four multiplier
 * limbs x_k = a[4I+k], one sweep over the chunks of b and N adds, per chunk,
 * four rows x_k b[4J..4J+4) and four rows m_k N[4J..4J+4) to the same seven
 * window words (r8..r14), with m_k = t[4I+k] n0 taken in the first chunk
 * when that word is final. Product and reduction thus share one load and
 * one store of the accumulator per chunk, and there is no second pass.
 *   t: 2n + 3 words, zero on entry; on return t[n..2n) + t[2n] 2^(64n) =
 *   a b / R, < 2N. Register use inside the sweep:
 *     r8..r14 window, rdx multiplier, rax/rbx/rcx product halves,
 *     rdi t, rsi b, rbp N, r15 zero; the x_k, m_k, carry words and loop
 *     state live in the stack frame.
 */
void hsb_nm_mont4_core(uint64_t *t, const uint64_t *a, const uint64_t *b, const uint64_t *N,
                       uint64_t n0, size_t chunks);

/* clang-format off */
#define M4_ROW(src, xoff, hoff, wa, wb, wc, wd)                                                    \
    "mov " xoff "(%rsp), %rdx\n\t"                                                                 \
    "mov " hoff "(%rsp), %rbx\n\t"                                                                 \
    "xor %eax, %eax\n\t"                                                                           \
    "mulx 0(" src "), %rax, %rcx\n\t"                                                              \
    "adcx %rax, " wa "\n\t"                                                                        \
    "adox %rbx, " wa "\n\t"                                                                        \
    "mulx 8(" src "), %rax, %rbx\n\t"                                                              \
    "adcx %rax, " wb "\n\t"                                                                        \
    "adox %rcx, " wb "\n\t"                                                                        \
    "mulx 16(" src "), %rax, %rcx\n\t"                                                             \
    "adcx %rax, " wc "\n\t"                                                                        \
    "adox %rbx, " wc "\n\t"                                                                        \
    "mulx 24(" src "), %rax, %rbx\n\t"                                                             \
    "adcx %rax, " wd "\n\t"                                                                        \
    "adox %rcx, " wd "\n\t"                                                                        \
    "adcx %r15, %rbx\n\t"                                                                          \
    "adox %r15, %rbx\n\t"                                                                          \
    "mov %rbx, " hoff "(%rsp)\n\t"
#define M4_M(moff, wk)                                                                             \
    "mov " wk ", %rdx\n\t"                                                                         \
    "imul 128(%rsp), %rdx\n\t"                                                                     \
    "mov %rdx, " moff "(%rsp)\n\t"
#define M4_AROWS                                                                                   \
    M4_ROW("%rsi", "0", "64", "%r8", "%r9", "%r10", "%r11")                                        \
    M4_ROW("%rsi", "8", "72", "%r9", "%r10", "%r11", "%r12")                                       \
    M4_ROW("%rsi", "16", "80", "%r10", "%r11", "%r12", "%r13")                                     \
    M4_ROW("%rsi", "24", "88", "%r11", "%r12", "%r13", "%r14")
#define M4_MROWS                                                                                   \
    M4_ROW("%rbp", "32", "96", "%r8", "%r9", "%r10", "%r11")                                       \
    M4_ROW("%rbp", "40", "104", "%r9", "%r10", "%r11", "%r12")                                     \
    M4_ROW("%rbp", "48", "112", "%r10", "%r11", "%r12", "%r13")                                    \
    M4_ROW("%rbp", "56", "120", "%r11", "%r12", "%r13", "%r14")
#define M4_MROWS_FIRST                                                                             \
    M4_M("32", "%r8")                                                                              \
    M4_ROW("%rbp", "32", "96", "%r8", "%r9", "%r10", "%r11")                                       \
    M4_M("40", "%r9")                                                                              \
    M4_ROW("%rbp", "40", "104", "%r9", "%r10", "%r11", "%r12")                                     \
    M4_M("48", "%r10")                                                                             \
    M4_ROW("%rbp", "48", "112", "%r10", "%r11", "%r12", "%r13")                                    \
    M4_M("56", "%r11")                                                                             \
    M4_ROW("%rbp", "56", "120", "%r11", "%r12", "%r13", "%r14")
#define M4_NEXT                                                                                    \
    "mov %r8, 0(%rdi)\n\t"                                                                         \
    "mov %r9, 8(%rdi)\n\t"                                                                         \
    "mov %r10, 16(%rdi)\n\t"                                                                       \
    "mov %r11, 24(%rdi)\n\t"                                                                       \
    "mov %r12, %r8\n\t"                                                                            \
    "mov %r13, %r9\n\t"                                                                            \
    "mov %r14, %r10\n\t"                                                                           \
    "mov 56(%rdi), %r11\n\t"                                                                       \
    "mov 64(%rdi), %r12\n\t"                                                                       \
    "mov 72(%rdi), %r13\n\t"                                                                       \
    "mov 80(%rdi), %r14\n\t"                                                                       \
    "lea 32(%rdi), %rdi\n\t"                                                                       \
    "lea 32(%rsi), %rsi\n\t"                                                                       \
    "lea 32(%rbp), %rbp\n\t"                                                                       \
    "decq 184(%rsp)\n\t"

/* clang-format on */
__asm__(".text\n\t"
        ".p2align 5\n\t"
        ".globl hsb_nm_mont4_core\n\t"
        ".hidden hsb_nm_mont4_core\n\t"
        ".type hsb_nm_mont4_core, @function\n"
        "hsb_nm_mont4_core:\n\t"
        ".cfi_startproc\n\t"
        "endbr64\n\t"
        "push %rbx\n\t"
        ".cfi_adjust_cfa_offset 8\n\t"
        "push %rbp\n\t"
        ".cfi_adjust_cfa_offset 8\n\t"
        "push %r12\n\t"
        ".cfi_adjust_cfa_offset 8\n\t"
        "push %r13\n\t"
        ".cfi_adjust_cfa_offset 8\n\t"
        "push %r14\n\t"
        ".cfi_adjust_cfa_offset 8\n\t"
        "push %r15\n\t"
        ".cfi_adjust_cfa_offset 8\n\t"
        "sub $200, %rsp\n\t"
        ".cfi_adjust_cfa_offset 200\n\t"
        /* frame: x 0..24, m 32..56, h 64..120, n0 128, chunks 136, b 144,
         * N 152, a 160, t 168, blocks left 176, chunks left 184 */
        "mov %r8, 128(%rsp)\n\t"
        "mov %r9, 136(%rsp)\n\t"
        "mov %rdx, 144(%rsp)\n\t"
        "mov %rcx, 152(%rsp)\n\t"
        "mov %rsi, 160(%rsp)\n\t"
        "mov %rdi, 168(%rsp)\n\t"
        "mov %r9, 176(%rsp)\n\t"
        "xor %r15d, %r15d\n"
        "1:\n\t" /* a block of four rows */
        "mov 160(%rsp), %rax\n\t"
        "mov 0(%rax), %rdx\n\t"
        "mov %rdx, 0(%rsp)\n\t"
        "mov 8(%rax), %rdx\n\t"
        "mov %rdx, 8(%rsp)\n\t"
        "mov 16(%rax), %rdx\n\t"
        "mov %rdx, 16(%rsp)\n\t"
        "mov 24(%rax), %rdx\n\t"
        "mov %rdx, 24(%rsp)\n\t"
        "lea 32(%rax), %rax\n\t"
        "mov %rax, 160(%rsp)\n\t"
        "mov %r15, 64(%rsp)\n\t"
        "mov %r15, 72(%rsp)\n\t"
        "mov %r15, 80(%rsp)\n\t"
        "mov %r15, 88(%rsp)\n\t"
        "mov %r15, 96(%rsp)\n\t"
        "mov %r15, 104(%rsp)\n\t"
        "mov %r15, 112(%rsp)\n\t"
        "mov %r15, 120(%rsp)\n\t"
        "mov 168(%rsp), %rdi\n\t"
        "mov 144(%rsp), %rsi\n\t"
        "mov 152(%rsp), %rbp\n\t"
        "mov 136(%rsp), %rax\n\t"
        "mov %rax, 184(%rsp)\n\t"
        "mov 0(%rdi), %r8\n\t"
        "mov 8(%rdi), %r9\n\t"
        "mov 16(%rdi), %r10\n\t"
        "mov 24(%rdi), %r11\n\t"
        "mov 32(%rdi), %r12\n\t"
        "mov 40(%rdi), %r13\n\t"
        "mov 48(%rdi), %r14\n\t" M4_AROWS M4_MROWS_FIRST M4_NEXT "jz 3f\n"
        "2:\n\t" M4_AROWS M4_MROWS M4_NEXT "jnz 2b\n"
        "3:\n\t" /* the words swept last, then the rows' carry words */
        "mov %r8, 0(%rdi)\n\t"
        "mov %r9, 8(%rdi)\n\t"
        "mov %r10, 16(%rdi)\n\t"
        "xor %eax, %eax\n\t"
        "mov 0(%rdi), %rax\n\t"
        "adcx 64(%rsp), %rax\n\t"
        "adox 96(%rsp), %rax\n\t"
        "mov %rax, 0(%rdi)\n\t"
        "mov 8(%rdi), %rax\n\t"
        "adcx 72(%rsp), %rax\n\t"
        "adox 104(%rsp), %rax\n\t"
        "mov %rax, 8(%rdi)\n\t"
        "mov 16(%rdi), %rax\n\t"
        "adcx 80(%rsp), %rax\n\t"
        "adox 112(%rsp), %rax\n\t"
        "mov %rax, 16(%rdi)\n\t"
        "mov 24(%rdi), %rax\n\t"
        "adcx 88(%rsp), %rax\n\t"
        "adox 120(%rsp), %rax\n\t"
        "mov %rax, 24(%rdi)\n\t"
        "mov 32(%rdi), %rax\n\t"
        "adcx %r15, %rax\n\t"
        "adox %r15, %rax\n\t"
        "mov %rax, 32(%rdi)\n\t"
        "addq $32, 168(%rsp)\n\t"
        "decq 176(%rsp)\n\t"
        "jnz 1b\n\t"
        "add $200, %rsp\n\t"
        ".cfi_adjust_cfa_offset -200\n\t"
        "pop %r15\n\t"
        ".cfi_adjust_cfa_offset -8\n\t"
        "pop %r14\n\t"
        ".cfi_adjust_cfa_offset -8\n\t"
        "pop %r13\n\t"
        ".cfi_adjust_cfa_offset -8\n\t"
        "pop %r12\n\t"
        ".cfi_adjust_cfa_offset -8\n\t"
        "pop %rbp\n\t"
        ".cfi_adjust_cfa_offset -8\n\t"
        "pop %rbx\n\t"
        ".cfi_adjust_cfa_offset -8\n\t"
        "ret\n\t"
        ".cfi_endproc\n\t"
        ".size hsb_nm_mont4_core, .-hsb_nm_mont4_core\n\t");

/* ---------------------------------------------------------------------------
 * The same fused product with chunks of eight limbs (n a multiple of 8: every
 * RSA and DH size), which halves the per-row and per-chunk overheads: eight
 * rows (four x_k b, four m_k N) over an eleven-word window that takes every
 * general register but one, the pointer to b and N interleaved by chunk
 * (bn: 8 limbs of b, then 8 of N). Each step adds the previous high half
 * (ADOX) before MULX overwrites it, so one register holds the high halves.
 * The accumulator pointer, the x_k, m_k, carry words, a zero and the loop
 * state live in the stack frame (offsets in the macros below).
 *
 * hsb_nm_mont8_core: same contract as hsb_nm_mont4_core, with t of 2n + 7
 * words (the window reads seven past the sweep).
 *
 * hsb_nm_sq8_block: one block of a squaring, fused with its reduction in the
 * same way. Row k multiplies x_k = a_i (i = 4I + k) by a_i (the diagonal
 * term, MULX on rdx itself) and by a2_j = limb j of 2a (top bit dropped)
 * for j > i, so each product a_i a_j is made once: the sweep skips the x
 * rows in chunks below j0 = i / 8, and in chunk j0 starts row k at limb
 * i + k - 8 j0 (0 + k, or 4 + k when the block starts mid-chunk: ctl odd).
 * The rows then sum to a^2 plus terms without products that sqr8_mulx
 * takes off. ctl: {n0, chunks, j0, odd}.
 */
void hsb_nm_mont8_core(uint64_t *t, const uint64_t *a, const uint64_t *bn, uint64_t n0,
                       size_t blocks, size_t chunks);
void hsb_nm_sq8_block(uint64_t *t, const uint64_t *x, const uint64_t *bn, const uint64_t ctl[4]);

/* Frame: x 0..24, m 32..56, carry words 64..120 (x rows 64.., m rows 96..),
 * n0 128, zero 136, chunks left 144, then per function 152..199. */
__asm__(
    /* One step of a row at limb l: the previous high half (ADOX) and the
     * new low half (ADCX) into window word w. diag < 0: every step
     * multiplies by b[l]; else steps below diag are skipped and step diag
     * squares the multiplier (a squaring's diagonal term a_i a_i). */
    ".macro HSB_STEP8 l, diag, base, w\n\t"
    ".if \\diag < 0\n\t"
    "adox %rbx, \\w\n\t"
    "mulx (\\base+8*\\l)(%rsi), %rax, %rbx\n\t"
    "adcx %rax, \\w\n\t"
    ".elseif \\l > \\diag\n\t"
    "adox %rbx, \\w\n\t"
    "mulx (\\base+8*\\l)(%rsi), %rax, %rbx\n\t"
    "adcx %rax, \\w\n\t"
    ".elseif \\l == \\diag\n\t"
    "adox %rbx, \\w\n\t"
    "mulx %rdx, %rax, %rbx\n\t"
    "adcx %rax, \\w\n\t"
    ".endif\n\t"
    ".endm\n\t"
    /* A row: multiplier at xoff, carry word at hoff, eight steps over the
     * window words w0..w7, the new carry word (high + CF + OF) stored back. */
    ".macro HSB_ROW8 xoff, hoff, base, w0, w1, w2, w3, w4, w5, w6, w7, diag=-1\n\t"
    "mov \\xoff(%rsp), %rdx\n\t"
    "mov \\hoff(%rsp), %rbx\n\t"
    "xor %eax, %eax\n\t"
    "HSB_STEP8 0, \\diag, \\base, \\w0\n\t"
    "HSB_STEP8 1, \\diag, \\base, \\w1\n\t"
    "HSB_STEP8 2, \\diag, \\base, \\w2\n\t"
    "HSB_STEP8 3, \\diag, \\base, \\w3\n\t"
    "HSB_STEP8 4, \\diag, \\base, \\w4\n\t"
    "HSB_STEP8 5, \\diag, \\base, \\w5\n\t"
    "HSB_STEP8 6, \\diag, \\base, \\w6\n\t"
    "HSB_STEP8 7, \\diag, \\base, \\w7\n\t"
    "adcx 136(%rsp), %rbx\n\t"
    "adox 136(%rsp), %rbx\n\t"
    "mov %rbx, \\hoff(%rsp)\n\t"
    ".endm\n\t"
    /* m_k = w_k n0, kept for the later chunks */
    ".macro HSB_M8 moff, wk\n\t"
    "mov \\wk, %rdx\n\t"
    "imul 128(%rsp), %rdx\n\t"
    "mov %rdx, \\moff(%rsp)\n\t"
    ".endm\n\t"
    /* the four x rows; z: -1 (full rows), 0 (a squaring's diagonal chunk
     * when its block starts the chunk: row k from limb k) or 4 (the block
     * starts mid-chunk: row k from limb 4 + k) */
    ".macro HSB_XROWS8 z\n\t"
    ".if \\z < 0\n\t"
    "HSB_ROW8 0, 64, 0, %r8, %r9, %r10, %r11, %r12, %r13, %r14, %r15\n\t"
    "HSB_ROW8 8, 72, 0, %r9, %r10, %r11, %r12, %r13, %r14, %r15, %rcx\n\t"
    "HSB_ROW8 16, 80, 0, %r10, %r11, %r12, %r13, %r14, %r15, %rcx, %rdi\n\t"
    "HSB_ROW8 24, 88, 0, %r11, %r12, %r13, %r14, %r15, %rcx, %rdi, %rbp\n\t"
    ".else\n\t"
    "HSB_ROW8 0, 64, 0, %r8, %r9, %r10, %r11, %r12, %r13, %r14, %r15, (\\z+0)\n\t"
    "HSB_ROW8 8, 72, 0, %r9, %r10, %r11, %r12, %r13, %r14, %r15, %rcx, (\\z+1)\n\t"
    "HSB_ROW8 16, 80, 0, %r10, %r11, %r12, %r13, %r14, %r15, %rcx, %rdi, (\\z+2)\n\t"
    "HSB_ROW8 24, 88, 0, %r11, %r12, %r13, %r14, %r15, %rcx, %rdi, %rbp, (\\z+3)\n\t"
    ".endif\n\t"
    ".endm\n\t"
    /* the four m rows, N at base; first: make the m_k */
    ".macro HSB_MROWS8 base, first\n\t"
    ".if \\first\n\tHSB_M8 32, %r8\n\t.endif\n\t"
    "HSB_ROW8 32, 96, \\base, %r8, %r9, %r10, %r11, %r12, %r13, %r14, %r15\n\t"
    ".if \\first\n\tHSB_M8 40, %r9\n\t.endif\n\t"
    "HSB_ROW8 40, 104, \\base, %r9, %r10, %r11, %r12, %r13, %r14, %r15, %rcx\n\t"
    ".if \\first\n\tHSB_M8 48, %r10\n\t.endif\n\t"
    "HSB_ROW8 48, 112, \\base, %r10, %r11, %r12, %r13, %r14, %r15, %rcx, %rdi\n\t"
    ".if \\first\n\tHSB_M8 56, %r11\n\t.endif\n\t"
    "HSB_ROW8 56, 120, \\base, %r11, %r12, %r13, %r14, %r15, %rcx, %rdi, %rbp\n\t"
    ".endm\n\t"
    /* retire window words 0..7 at t (frame tslot), slide, load 8 more */
    ".macro HSB_NEXT8 tslot\n\t"
    "mov \\tslot(%rsp), %rax\n\t"
    "mov %r8, 0(%rax)\n\t"
    "mov %r9, 8(%rax)\n\t"
    "mov %r10, 16(%rax)\n\t"
    "mov %r11, 24(%rax)\n\t"
    "mov %r12, 32(%rax)\n\t"
    "mov %r13, 40(%rax)\n\t"
    "mov %r14, 48(%rax)\n\t"
    "mov %r15, 56(%rax)\n\t"
    "mov %rcx, %r8\n\t"
    "mov %rdi, %r9\n\t"
    "mov %rbp, %r10\n\t"
    "mov 88(%rax), %r11\n\t"
    "mov 96(%rax), %r12\n\t"
    "mov 104(%rax), %r13\n\t"
    "mov 112(%rax), %r14\n\t"
    "mov 120(%rax), %r15\n\t"
    "mov 128(%rax), %rcx\n\t"
    "mov 136(%rax), %rdi\n\t"
    "mov 144(%rax), %rbp\n\t"
    "lea 64(%rax), %rax\n\t"
    "mov %rax, \\tslot(%rsp)\n\t"
    ".endm\n\t"
    ".macro HSB_LOADW8\n\t"
    "mov 0(%rax), %r8\n\t"
    "mov 8(%rax), %r9\n\t"
    "mov 16(%rax), %r10\n\t"
    "mov 24(%rax), %r11\n\t"
    "mov 32(%rax), %r12\n\t"
    "mov 40(%rax), %r13\n\t"
    "mov 48(%rax), %r14\n\t"
    "mov 56(%rax), %r15\n\t"
    "mov 64(%rax), %rcx\n\t"
    "mov 72(%rax), %rdi\n\t"
    "mov 80(%rax), %rbp\n\t"
    ".endm\n\t"
    /* the block's end: its last three words, then the eight carry words
     * (x row k and m row k both at word k) and their carry at word 4 */
    ".macro HSB_SETTLE8 tslot\n\t"
    "mov \\tslot(%rsp), %rax\n\t"
    "mov %r8, 0(%rax)\n\t"
    "mov %r9, 8(%rax)\n\t"
    "mov %r10, 16(%rax)\n\t"
    "xor %edx, %edx\n\t"
    "mov 0(%rax), %rdx\n\t"
    "adcx 64(%rsp), %rdx\n\t"
    "adox 96(%rsp), %rdx\n\t"
    "mov %rdx, 0(%rax)\n\t"
    "mov 8(%rax), %rdx\n\t"
    "adcx 72(%rsp), %rdx\n\t"
    "adox 104(%rsp), %rdx\n\t"
    "mov %rdx, 8(%rax)\n\t"
    "mov 16(%rax), %rdx\n\t"
    "adcx 80(%rsp), %rdx\n\t"
    "adox 112(%rsp), %rdx\n\t"
    "mov %rdx, 16(%rax)\n\t"
    "mov 24(%rax), %rdx\n\t"
    "adcx 88(%rsp), %rdx\n\t"
    "adox 120(%rsp), %rdx\n\t"
    "mov %rdx, 24(%rax)\n\t"
    "mov 32(%rax), %rdx\n\t"
    "adcx 136(%rsp), %rdx\n\t"
    "adox 136(%rsp), %rdx\n\t"
    "mov %rdx, 32(%rax)\n\t"
    ".endm\n\t"
    ".macro HSB_ENTER8\n\t"
    "endbr64\n\t"
    "push %rbx\n\t"
    ".cfi_adjust_cfa_offset 8\n\t"
    "push %rbp\n\t"
    ".cfi_adjust_cfa_offset 8\n\t"
    "push %r12\n\t"
    ".cfi_adjust_cfa_offset 8\n\t"
    "push %r13\n\t"
    ".cfi_adjust_cfa_offset 8\n\t"
    "push %r14\n\t"
    ".cfi_adjust_cfa_offset 8\n\t"
    "push %r15\n\t"
    ".cfi_adjust_cfa_offset 8\n\t"
    "sub $200, %rsp\n\t"
    ".cfi_adjust_cfa_offset 200\n\t"
    ".endm\n\t"
    ".macro HSB_LEAVE8\n\t"
    "add $200, %rsp\n\t"
    ".cfi_adjust_cfa_offset -200\n\t"
    "pop %r15\n\t"
    ".cfi_adjust_cfa_offset -8\n\t"
    "pop %r14\n\t"
    ".cfi_adjust_cfa_offset -8\n\t"
    "pop %r13\n\t"
    ".cfi_adjust_cfa_offset -8\n\t"
    "pop %r12\n\t"
    ".cfi_adjust_cfa_offset -8\n\t"
    "pop %rbp\n\t"
    ".cfi_adjust_cfa_offset -8\n\t"
    "pop %rbx\n\t"
    ".cfi_adjust_cfa_offset -8\n\t"
    "ret\n\t"
    ".endm\n\t"

    /* hsb_nm_mont8_core(t rdi, a rsi, bn rdx, n0 rcx, blocks r8, chunks r9);
     * frame 152 chunks, 160 bn, 168 a, 176 t block, 184 blocks left,
     * 192 t now */
    ".text\n\t"
    ".p2align 5\n\t"
    ".globl hsb_nm_mont8_core\n\t"
    ".hidden hsb_nm_mont8_core\n\t"
    ".type hsb_nm_mont8_core, @function\n"
    "hsb_nm_mont8_core:\n\t"
    ".cfi_startproc\n\t"
    "HSB_ENTER8\n\t"
    "mov %rcx, 128(%rsp)\n\t"
    "movq $0, 136(%rsp)\n\t"
    "mov %r9, 152(%rsp)\n\t"
    "mov %rdx, 160(%rsp)\n\t"
    "mov %rsi, 168(%rsp)\n\t"
    "mov %rdi, 176(%rsp)\n\t"
    "mov %r8, 184(%rsp)\n"
    "1:\n\t"
    "mov 168(%rsp), %rax\n\t"
    "mov 0(%rax), %rdx\n\t"
    "mov %rdx, 0(%rsp)\n\t"
    "mov 8(%rax), %rdx\n\t"
    "mov %rdx, 8(%rsp)\n\t"
    "mov 16(%rax), %rdx\n\t"
    "mov %rdx, 16(%rsp)\n\t"
    "mov 24(%rax), %rdx\n\t"
    "mov %rdx, 24(%rsp)\n\t"
    "lea 32(%rax), %rax\n\t"
    "mov %rax, 168(%rsp)\n\t"
    "xor %eax, %eax\n\t"
    "mov %rax, 64(%rsp)\n\t"
    "mov %rax, 72(%rsp)\n\t"
    "mov %rax, 80(%rsp)\n\t"
    "mov %rax, 88(%rsp)\n\t"
    "mov %rax, 96(%rsp)\n\t"
    "mov %rax, 104(%rsp)\n\t"
    "mov %rax, 112(%rsp)\n\t"
    "mov %rax, 120(%rsp)\n\t"
    "mov 152(%rsp), %rax\n\t"
    "mov %rax, 144(%rsp)\n\t"
    "mov 160(%rsp), %rsi\n\t"
    "mov 176(%rsp), %rax\n\t"
    "mov %rax, 192(%rsp)\n\t"
    "HSB_LOADW8\n\t"
    "HSB_XROWS8 -1\n\t"
    "HSB_MROWS8 64, 1\n\t"
    "HSB_NEXT8 192\n\t"
    "lea 128(%rsi), %rsi\n\t"
    "decq 144(%rsp)\n\t"
    "jz 3f\n"
    "2:\n\t"
    "HSB_XROWS8 -1\n\t"
    "HSB_MROWS8 64, 0\n\t"
    "HSB_NEXT8 192\n\t"
    "lea 128(%rsi), %rsi\n\t"
    "decq 144(%rsp)\n\t"
    "jnz 2b\n"
    "3:\n\t"
    "HSB_SETTLE8 192\n\t"
    "addq $32, 176(%rsp)\n\t"
    "decq 184(%rsp)\n\t"
    "jnz 1b\n\t"
    "HSB_LEAVE8\n\t"
    ".cfi_endproc\n\t"
    ".size hsb_nm_mont8_core, .-hsb_nm_mont8_core\n\t"

    /* hsb_nm_sq8_block(t rdi, x rsi, bn rdx, ctl rcx);
     * frame 152 j0 left, 160 odd, 176 t now */
    ".p2align 5\n\t"
    ".globl hsb_nm_sq8_block\n\t"
    ".hidden hsb_nm_sq8_block\n\t"
    ".type hsb_nm_sq8_block, @function\n"
    "hsb_nm_sq8_block:\n\t"
    ".cfi_startproc\n\t"
    "HSB_ENTER8\n\t"
    "mov %rdi, 176(%rsp)\n\t"
    "mov 0(%rsi), %rax\n\t"
    "mov %rax, 0(%rsp)\n\t"
    "mov 8(%rsi), %rax\n\t"
    "mov %rax, 8(%rsp)\n\t"
    "mov 16(%rsi), %rax\n\t"
    "mov %rax, 16(%rsp)\n\t"
    "mov 24(%rsi), %rax\n\t"
    "mov %rax, 24(%rsp)\n\t"
    "xor %eax, %eax\n\t"
    "mov %rax, 64(%rsp)\n\t"
    "mov %rax, 72(%rsp)\n\t"
    "mov %rax, 80(%rsp)\n\t"
    "mov %rax, 88(%rsp)\n\t"
    "mov %rax, 96(%rsp)\n\t"
    "mov %rax, 104(%rsp)\n\t"
    "mov %rax, 112(%rsp)\n\t"
    "mov %rax, 120(%rsp)\n\t"
    "mov %rax, 136(%rsp)\n\t"
    "mov 0(%rcx), %rax\n\t"
    "mov %rax, 128(%rsp)\n\t"
    "mov 8(%rcx), %rax\n\t"
    "mov %rax, 144(%rsp)\n\t"
    "mov 16(%rcx), %rax\n\t"
    "mov %rax, 152(%rsp)\n\t"
    "mov 24(%rcx), %rax\n\t"
    "mov %rax, 160(%rsp)\n\t"
    "mov %rdx, %rsi\n\t"
    "mov %rdi, %rax\n\t"
    "HSB_LOADW8\n\t"
    "cmpq $0, 152(%rsp)\n\t"
    "je 5f\n\t"
    /* chunks before j0: m rows only, the first making the m_k */
    "HSB_MROWS8 64, 1\n\t"
    "jmp 4f\n"
    "1:\n\t"
    "HSB_MROWS8 64, 0\n"
    "4:\n\t"
    "HSB_NEXT8 176\n\t"
    "lea 128(%rsi), %rsi\n\t"
    "decq 144(%rsp)\n\t"
    "decq 152(%rsp)\n\t"
    "jnz 1b\n\t"
    /* chunk j0: the block's diagonal, m rows made already */
    "cmpq $0, 160(%rsp)\n\t"
    "jne 6f\n\t"
    "HSB_XROWS8 0\n\t"
    "HSB_MROWS8 64, 0\n\t"
    "jmp 7f\n"
    "6:\n\t"
    "HSB_XROWS8 4\n\t"
    "HSB_MROWS8 64, 0\n\t"
    "jmp 7f\n"
    "5:\n\t" /* j0 = 0: the diagonal chunk comes first and makes the m_k */
    "cmpq $0, 160(%rsp)\n\t"
    "jne 8f\n\t"
    "HSB_XROWS8 0\n\t"
    "HSB_MROWS8 64, 1\n\t"
    "jmp 7f\n"
    "8:\n\t"
    "HSB_XROWS8 4\n\t"
    "HSB_MROWS8 64, 1\n"
    "7:\n\t"
    "HSB_NEXT8 176\n\t"
    "lea 128(%rsi), %rsi\n\t"
    "decq 144(%rsp)\n\t"
    "jz 3f\n"
    "2:\n\t"
    "HSB_XROWS8 -1\n\t"
    "HSB_MROWS8 64, 0\n\t"
    "HSB_NEXT8 176\n\t"
    "lea 128(%rsi), %rsi\n\t"
    "decq 144(%rsp)\n\t"
    "jnz 2b\n"
    "3:\n\t"
    "HSB_SETTLE8 176\n\t"
    "HSB_LEAVE8\n\t"
    ".cfi_endproc\n\t"
    ".size hsb_nm_sq8_block, .-hsb_nm_sq8_block\n\t");

/* r = (hi 2^(64n) + t) - N when that is >= 0, else t (n a multiple of 4):
 * the borrow chain four limbs per step in asm (the C version's carries cost
 * about ten instructions a limb), then a masked select. */
HSB_ADX static void final_sub4(uint64_t *r, const uint64_t *t, uint64_t hi, const uint64_t *N,
                               size_t n)
{
    uint64_t d[HSB_NM_MAX_LIMBS], x, bm;
    const uint64_t *tp = t, *np = N;
    uint64_t *dp = d;
    size_t q = n / 4;
    __asm__ volatile("xor %k[x], %k[x]\n" /* CF = 0 */
                     "1:\n\t"
                     "mov 0(%[tp]), %[x]\n\t"
                     "sbb 0(%[np]), %[x]\n\t"
                     "mov %[x], 0(%[dp])\n\t"
                     "mov 8(%[tp]), %[x]\n\t"
                     "sbb 8(%[np]), %[x]\n\t"
                     "mov %[x], 8(%[dp])\n\t"
                     "mov 16(%[tp]), %[x]\n\t"
                     "sbb 16(%[np]), %[x]\n\t"
                     "mov %[x], 16(%[dp])\n\t"
                     "mov 24(%[tp]), %[x]\n\t"
                     "sbb 24(%[np]), %[x]\n\t"
                     "mov %[x], 24(%[dp])\n\t"
                     "lea 32(%[tp]), %[tp]\n\t"
                     "lea 32(%[np]), %[np]\n\t"
                     "lea 32(%[dp]), %[dp]\n\t"
                     "lea -1(%%rcx), %%rcx\n\t"
                     "jrcxz 2f\n\t"
                     "jmp 1b\n"
                     "2:\n\t"
                     "sbb %[bm], %[bm]\n\t" /* all-ones on borrow */
                     : [x] "=&r"(x), [bm] "=&r"(bm), [tp] "+r"(tp), [np] "+r"(np), [dp] "+r"(dp),
                       "+c"(q)
                     :
                     : "cc", "memory");
    uint64_t take = hsb_nm_barrier((0 - hi) | ~bm);
    /* r may alias t: each pair of limbs is read before it is written. */
    __m128i m = _mm_set1_epi64x((long long)take);
    for (size_t i = 0; i < n; i += 2) {
        __m128i x = _mm_loadu_si128((const __m128i *)(t + i));
        __m128i y = _mm_loadu_si128((const __m128i *)(d + i));
        _mm_storeu_si128((__m128i *)(r + i),
                         _mm_xor_si128(x, _mm_and_si128(m, _mm_xor_si128(x, y))));
    }
}

HSB_ADX static void mul4_mulx(uint64_t *r, const uint64_t *a, const uint64_t *b,
                              const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t t[2 * HSB_NM_MAX_LIMBS + 7];
    if (n % 8 == 0) {
        uint64_t bn[2 * HSB_NM_MAX_LIMBS];
        for (size_t j = 0; j < n; j += 8) {
            memcpy(bn + 2 * j, b + j, 8 * sizeof *b);
            memcpy(bn + 2 * j + 8, m->N + j, 8 * sizeof *b);
        }
        zero_4k3(t, 2 * n + 7);
        hsb_nm_mont8_core(t, a, bn, m->n0, n / 4, n / 8);
    } else {
        zero_4k3(t, 2 * n + 3);
        hsb_nm_mont4_core(t, a, b, m->N, m->n0, n / 4);
    }
    final_sub4(r, t + n, t[2 * n], m->N, n);
}

/* The square, n a multiple of 8, with hsb_nm_sq8_block: about n^2/2 + n^2
 * products instead of 2 n^2. With a2_j = (a_j << 1) | b_{j-1} (b_j the top
 * bit of a_j; a2 = 2a with its top bit b_{n-1} dropped), the rows sum to
 *   sum_i a_i 2^(64i) (a_i 2^(64i) + sum_{j>i} a2_j 2^(64j))
 *   = a^2 + F - b_{n-1} a 2^(64n),  F = sum_i (a_i b_i) 2^(64(2i+1)),
 * F having one word per i and no products. The correction b_{n-1} a 2^(64n)
 * - F is applied in two parts: below word n in t's starting value (the m
 * rows read those words), above it after the sweep, so that the words above
 * n start at zero as the blocks' final carries need. All masks come from
 * arithmetic on the limbs, not branches. */
HSB_ADX static void sqr8_mulx(uint64_t *r, const uint64_t *a, const hsb_nm_mont *m)
{
    size_t n = m->n;
    uint64_t t[2 * HSB_NM_MAX_LIMBS + 7], bn[2 * HSB_NM_MAX_LIMBS];
    uint64_t f[HSB_NM_MAX_LIMBS], corr[HSB_NM_MAX_LIMBS + 1];
    uint64_t prev = 0;
    for (size_t j = 0; j < n; j++) {
        uint64_t x = a[j], b = x >> 63;
        bn[2 * (j & ~(size_t)7) + (j & 7)] = (x << 1) | prev;
        f[j] = x & (0 - b); /* F's word 2j + 1 */
        prev = b;
    }
    for (size_t j = 0; j < n; j += 8) memcpy(bn + 2 * j + 8, m->N + j, 8 * sizeof *bn);
    /* t[0..n) = -F (its words 2q + 1 = f[q], q < n/2), then
     * corr[0..n] = (b_{n-1} a) - F above word n - the borrow: one chain of
     * SBB over both, two words per step. */
    uint64_t top = 0 - prev, x0, x1;
    for (size_t j = 0; j < n; j++) corr[j] = a[j] & top;
    const uint64_t *fp = f;
    uint64_t *tp = t, *cp = corr;
    size_t q = n / 2;
    const size_t half = n / 2; /* a memory operand: as a register input it could share rcx */
    __asm__ volatile("xor %k[x0], %k[x0]\n"
                     "1:\n\t" /* low half: 0 - 0, 0 - f[q] */
                     "mov $0, %[x0]\n\t"
                     "mov $0, %[x1]\n\t"
                     "sbb $0, %[x0]\n\t"
                     "sbb 0(%[fp]), %[x1]\n\t"
                     "mov %[x0], 0(%[tp])\n\t"
                     "mov %[x1], 8(%[tp])\n\t"
                     "lea 8(%[fp]), %[fp]\n\t"
                     "lea 16(%[tp]), %[tp]\n\t"
                     "lea -1(%%rcx), %%rcx\n\t"
                     "jrcxz 2f\n\t"
                     "jmp 1b\n"
                     "2:\n\t"
                     "mov %[half], %%rcx\n"
                     "3:\n\t" /* high half: corr holds a & top; minus 0, minus f[q] */
                     "mov 0(%[cp]), %[x0]\n\t"
                     "mov 8(%[cp]), %[x1]\n\t"
                     "sbb $0, %[x0]\n\t"
                     "sbb 0(%[fp]), %[x1]\n\t"
                     "mov %[x0], 0(%[cp])\n\t"
                     "mov %[x1], 8(%[cp])\n\t"
                     "lea 8(%[fp]), %[fp]\n\t"
                     "lea 16(%[cp]), %[cp]\n\t"
                     "lea -1(%%rcx), %%rcx\n\t"
                     "jrcxz 4f\n\t"
                     "jmp 3b\n"
                     "4:\n\t"
                     "mov $0, %[x0]\n\t"
                     "sbb $0, %[x0]\n\t"
                     "mov %[x0], 0(%[cp])\n\t"
                     : [x0] "=&r"(x0), [x1] "=&r"(x1), [fp] "+r"(fp), [tp] "+r"(tp), [cp] "+r"(cp),
                       "+c"(q)
                     : [half] "m"(half)
                     : "cc", "memory");
    zero_4k3(t + n, n + 7);
    uint64_t ctl[4] = {m->n0, n / 8, 0, 0};
    for (size_t i = 0; i < n; i += 4) {
        ctl[2] = i / 8;
        ctl[3] = (i / 4) & 1;
        hsb_nm_sq8_block(t + i, a + i, bn, ctl);
    }
    /* t[n..2n] += corr, mod 2^(64(n+1)) */
    tp = t + n;
    cp = corr;
    q = n / 8;
    __asm__ volatile("xor %k[x0], %k[x0]\n"
                     "1:\n\t"
                     "mov 0(%[cp]), %[x0]\n\t"
                     "adc %[x0], 0(%[tp])\n\t"
                     "mov 8(%[cp]), %[x0]\n\t"
                     "adc %[x0], 8(%[tp])\n\t"
                     "mov 16(%[cp]), %[x0]\n\t"
                     "adc %[x0], 16(%[tp])\n\t"
                     "mov 24(%[cp]), %[x0]\n\t"
                     "adc %[x0], 24(%[tp])\n\t"
                     "mov 32(%[cp]), %[x0]\n\t"
                     "adc %[x0], 32(%[tp])\n\t"
                     "mov 40(%[cp]), %[x0]\n\t"
                     "adc %[x0], 40(%[tp])\n\t"
                     "mov 48(%[cp]), %[x0]\n\t"
                     "adc %[x0], 48(%[tp])\n\t"
                     "mov 56(%[cp]), %[x0]\n\t"
                     "adc %[x0], 56(%[tp])\n\t"
                     "lea 64(%[cp]), %[cp]\n\t"
                     "lea 64(%[tp]), %[tp]\n\t"
                     "lea -1(%%rcx), %%rcx\n\t"
                     "jrcxz 2f\n\t"
                     "jmp 1b\n"
                     "2:\n\t"
                     "mov 0(%[cp]), %[x0]\n\t"
                     "adc %[x0], 0(%[tp])\n\t"
                     : [x0] "=&r"(x0), [tp] "+r"(tp), [cp] "+r"(cp), "+c"(q)
                     :
                     : "cc", "memory");
    final_sub4(r, t + n, t[2 * n], m->N, n);
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

/* The fused kernels when n is a multiple of 4 (8: every RSA and DH size),
 * else one row at a time. REDC alone (RSA's c mod p, once per operation)
 * always goes by rows. */
HSB_ADX void hsb_nm_mulx_redc(uint64_t *r, uint64_t *t, const hsb_nm_mont *m)
{
    redc_rows(r, t, m);
}

HSB_ADX void hsb_nm_mulx_mul(uint64_t *r, const uint64_t *a, const uint64_t *b,
                             const hsb_nm_mont *m)
{
    if (m->n % 4 == 0)
        mul4_mulx(r, a, b, m);
    else
        mul_rows(r, a, b, m);
}

/* The dedicated square pays for its halved products with O(n) set-up and a
 * correction: by instruction counts (callgrind) it wins from 48 limbs on
 * (-10% at 64), ties at 32 and loses below, where the fused product of a
 * with itself is used. */
HSB_ADX void hsb_nm_mulx_sqr(uint64_t *r, const uint64_t *a, const hsb_nm_mont *m)
{
    if (m->n % 8 == 0 && m->n >= 48)
        sqr8_mulx(r, a, m);
    else if (m->n % 4 == 0)
        mul4_mulx(r, a, a, m);
    else
        sqr_rows(r, a, m);
}

const hsb_nm_engine hsb_nm_engine_mulx = {
    .name = "mulx",
    .mul = hsb_nm_mulx_mul,
    .sqr = hsb_nm_mulx_sqr,
    .redc = hsb_nm_mulx_redc,
};
