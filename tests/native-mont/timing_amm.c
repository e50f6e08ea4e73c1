/*
 * hsb_amm_timing - a throwaway timing loop (not a test) for the single-number
 * IFMA kernel of mont_ifma.c: TSC cycles per almost-Montgomery product (AMM)
 * and squaring at 1024, 1536 and 2048 bits, per 2-way pair (the RSA-CRT
 * halves) and per 32-entry table scan, beside what the CPU itself gives:
 * the throughput of independent VPMADD52LUQ zmm and the latency of a
 * scalar ADD chain (one core cycle, so the core/TSC clock ratio), from the
 * fastest of 31 batches. The kernel figures are medians of 31 batches (and
 * the fastest). Pin it (taskset -c 1). Exits 77 without IFMA.
 *
 * It includes mont_ifma.c to reach its static kernels; the engine's two
 * exported names are renamed so that this copy does not clash with the
 * library's.
 */
#define hsb_nm_engine_ifma hsb_nm_engine_ifma_timing
#define hsb_nm_ifma_selftest hsb_nm_ifma_selftest_timing
#include "../../backends/native/mont_ifma.c"

#include <stdio.h>
#include <stdlib.h>
#include <x86intrin.h>

#include "hsb_backends.h"

#define REPS 31
#define CHAINS 16

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t median(uint64_t *v)
{
    qsort(v, REPS, sizeof *v, cmp_u64);
    return v[REPS / 2];
}

/* The fastest batch: what the hardware gives when nothing preempts us. */
static uint64_t fastest(uint64_t *v)
{
    qsort(v, REPS, sizeof *v, cmp_u64);
    return v[0];
}

/* CHAINS independent multiply-add chains: the unit's throughput. */
static IFMA_TARGET __attribute__((noinline)) uint64_t madd_loop(long n)
{
    vec a[CHAINS], b = v_set1(3), c = v_set1(5);
    for (int i = 0; i < CHAINS; i++) a[i] = v_set1((uint64_t)i);
    for (long k = 0; k < n; k++) {
        HSB_UNROLL for (int i = 0; i < CHAINS; i++) a[i] = v_madd_lo(a[i], b, c);
    }
    for (int i = 1; i < CHAINS; i++) a[0] = v_add(a[0], a[i]);
    return v_lane0(a[0]);
}

/* One dependent scalar ADD per core cycle (its latency on every x86-64),
 * eight per loop turn. */
static __attribute__((noinline)) uint64_t add_loop(long n)
{
    uint64_t a = 1, b = 3;
    for (long k = 0; k < n; k++) {
        HSB_UNROLL for (int i = 0; i < 8; i++)
        {
            a += b;
            __asm__("" : "+r"(a));
        }
    }
    return a;
}

static volatile uint64_t sink;

static void cpu_figures(void)
{
    enum { N = 200000 };
    uint64_t tm[REPS], ta[REPS];
    for (int r = 0; r < REPS; r++) {
        uint64_t t0 = __rdtsc();
        sink += madd_loop(N);
        uint64_t t1 = __rdtsc();
        sink += add_loop(N);
        uint64_t t2 = __rdtsc();
        tm[r] = t1 - t0, ta[r] = t2 - t1;
    }
    double madd = (double)fastest(tm) / (CHAINS * (double)N), add = (double)fastest(ta) / (8.0 * N);
    printf("fastest batch: VPMADD52LUQ zmm throughput %.3f TSC cycles each; ADD latency %.3f "
           "TSC cycles "
           "(core/TSC clock ratio %.2f, so %.2f multiply-adds per core cycle)\n",
           madd, add, 1 / add, add / madd);
}

static void kernel_figures(size_t n)
{
    static hsb_nm_mont m1, m2;
    static uint64_t tbl[32 * LMAX];
    uint64_t N1[HSB_NM_MAX_LIMBS], N2[HSB_NM_MAX_LIMBS], st = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) {
        st ^= st << 13, st ^= st >> 7, st ^= st << 17;
        N1[i] = st, N2[i] = st * 0x2545f4914f6cdd1dull;
    }
    N1[0] |= 1, N2[0] |= 1, N1[n - 1] |= (uint64_t)1 << 63, N2[n - 1] |= (uint64_t)1 << 63;
    hsb_nm_mont_init(&m1, &hsb_nm_engine_mulx, N1, n, 64 * n - 1);
    hsb_nm_mont_init(&m2, &hsb_nm_engine_mulx, N2, n, 64 * n - 1);
    prep_ifma(&m1);
    prep_ifma(&m2);
    size_t L = m1.ext[EXT_L], Z = m1.ext[EXT_Z];
    const uint64_t *n1 = m1.ext + EXT_N, *n2 = m2.ext + EXT_N;
    uint64_t k1 = m1.ext[EXT_K0], k2 = m2.ext[EXT_K0], a[LMAX], b[LMAX], c[LMAX];
    memcpy(a, m1.ext + EXT_RR(Z), 8 * Z * sizeof *a);
    memcpy(b, m2.ext + EXT_RR(Z), 8 * Z * sizeof *b);
    memcpy(c, a, sizeof c);
    enum { IT = 2000 };
    uint64_t tm[REPS], ts[REPS], tp[REPS], tl[REPS];
    for (int r = 0; r < REPS; r++) {
        uint64_t t0 = __rdtsc();
        for (int i = 0; i < IT; i++) amm_by_z[Z](a, a, c, n1, k1, L); /* product */
        uint64_t t1 = __rdtsc();
        for (int i = 0; i < IT; i++) amm_by_z[Z](c, c, c, n1, k1, L); /* squaring */
        uint64_t t2 = __rdtsc();
        if (Z <= X2_ZMAX)
            for (int i = 0; i < IT; i++) amm2_by_z[Z](a, a, a, n1, k1, b, b, b, n2, k2, L);
        uint64_t t3 = __rdtsc();
        for (int i = 0; i < IT; i++) lookup_by_z[Z](a, tbl, 32, (uint64_t)i & 31);
        uint64_t t4 = __rdtsc();
        tm[r] = (t1 - t0) / IT, ts[r] = (t2 - t1) / IT, tp[r] = (t3 - t2) / IT;
        tl[r] = (t4 - t3) / IT;
    }
    unsigned long long mm = median(tm), ms = median(ts), mp = median(tp), ml = median(tl);
    printf("%4zu bits (L = %2zu limbs, Z = %zu): AMM product %4llu (fastest %4llu), squaring %4llu "
           "(%4llu), 2-way pair %4llu (%4llu), 32-entry scan %3llu TSC cycles; %zu multiply-adds "
           "per AMM\n",
           64 * n, L, Z, mm, (unsigned long long)fastest(tm), ms, (unsigned long long)fastest(ts),
           mp, (unsigned long long)fastest(tp), ml, 4 * Z * L);
}

int main(void)
{
    const hsb_cpu_features *f = hsb_cpu();
    if (!(f->avx512f && f->avx512vl && f->avx512ifma && f->adx && f->bmi2)) {
        printf("hsb_amm_timing: SKIP (no AVX-512 IFMA here)\n");
        return 77;
    }
    cpu_figures();
    kernel_figures(16);
    kernel_figures(24);
    kernel_figures(32);
    return 0;
}
