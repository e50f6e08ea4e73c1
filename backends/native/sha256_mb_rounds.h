/*
 * sha256_mb_rounds.h - internal to the native backend: the SHA-256 round of
 * the multi-buffer kernels (sha256_mb_avx2.c, 8 lanes; sha256_mb_avx512.c,
 * 16 lanes), written once over the vector operations the including file
 * defines first: VEC (the register type), SET1 (broadcast a 32-bit word),
 * ADD, CH, MAJ, BSIG0/1, SSIG0/1 (FIPS 180-4 4.1.2). Each round works on one
 * 32-bit lane per message; the caller holds w[16] and kp (the stretch's K).
 */
#ifndef HSB_SHA256_MB_ROUNDS_H
#define HSB_SHA256_MB_ROUNDS_H

/* Round t0 + j of a 16-round stretch (j a constant, so w[] indices are too);
 * sched: first make W[t] in w[j] from the 16 before it (FIPS 180-4 6.2.2
 * step 1). h + W + K does not wait for e: the chain from e to the next e is
 * Ch or Sigma1, then two adds. */
#define ROUND(a, b, c, d, e, f, g, h, j, sched)                                                    \
    do {                                                                                           \
        if (sched)                                                                                 \
            w[j] = ADD(ADD(w[j], SSIG1(w[((j) + 14) & 15])),                                       \
                       ADD(w[((j) + 9) & 15], SSIG0(w[((j) + 1) & 15])));                          \
        VEC t1_ = ADD(ADD(h, ADD(w[j], SET1((int)kp[j]))), CH(e, f, g));                           \
        t1_ = ADD(t1_, BSIG1(e));                                                                  \
        d = ADD(d, t1_);                                                                           \
        h = ADD(t1_, ADD(BSIG0(a), MAJ(a, b, c)));                                                 \
    } while (0)

#define ROUNDS8(j, sched)                                                                          \
    do {                                                                                           \
        ROUND(a, b, c, d, e, f, g, h, (j) + 0, sched);                                             \
        ROUND(h, a, b, c, d, e, f, g, (j) + 1, sched);                                             \
        ROUND(g, h, a, b, c, d, e, f, (j) + 2, sched);                                             \
        ROUND(f, g, h, a, b, c, d, e, (j) + 3, sched);                                             \
        ROUND(e, f, g, h, a, b, c, d, (j) + 4, sched);                                             \
        ROUND(d, e, f, g, h, a, b, c, (j) + 5, sched);                                             \
        ROUND(c, d, e, f, g, h, a, b, (j) + 6, sched);                                             \
        ROUND(b, c, d, e, f, g, h, a, (j) + 7, sched);                                             \
    } while (0)

#endif
