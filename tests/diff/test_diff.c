/* test_diff: random inputs through every backend's classes (openssl's own
 * included), compared with libcrypto called directly: modexp, RSA (keys made
 * by libcrypto at test time), DH at 1024..4096 bits; AES CBC/CTR/GCM,
 * SHA-256 and HMAC at random lengths. Prints the counts per backend and
 * class; a class a backend lacks is UNAVAILABLE, never passed.
 *
 *   test_diff [SCALE]   SCALE multiplies the counts (default 1; 0.1 = tenth)
 *   HSB_DIFF_SEED=N     reproduce a run (the seed is printed)
 */
#include <stdio.h>
#include <stdlib.h>

#include "hsb_selftest.h"

int main(int argc, char **argv)
{
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
#ifdef HSB_SANITIZED
    scale /= 10; /* ASan + UBSan: the same paths, a tenth of the inputs */
#endif
    if (scale <= 0) scale = 1;
    /* Many thousands at 1024/2048 (short exponents mostly, one in eight full
     * length), fewer at 3072/4096 where one case costs milliseconds. */
    const hsb_st_diff_plan base = {
        .modexp = {3000, 2000, 400, 150},
        .rsa_keys = {3, 2, 1, 1},
        .rsa_ops = {300, 200, 60, 30},
        .dh = {0, 1000, 200, 80},
        .sym = 3000,
        .sym_max_len = 4100,
    };
    hsb_st_diff_plan plan = base;
    for (int i = 0; i < HSB_ST_DIFF_SIZES; i++) {
        plan.modexp[i] = (unsigned)(base.modexp[i] * scale + 0.5);
        plan.rsa_ops[i] = (unsigned)(base.rsa_ops[i] * scale + 0.5);
        plan.dh[i] = (unsigned)(base.dh[i] * scale + 0.5);
        if (plan.modexp[i] < 20) plan.modexp[i] = 20;
        if (plan.rsa_ops[i] < 12) plan.rsa_ops[i] = 12;
        if (plan.dh[i] < 10 && base.dh[i]) plan.dh[i] = 10;
        if (scale < 1 && plan.rsa_keys[i] > 1) plan.rsa_keys[i] = 1;
    }
    plan.sym = (unsigned)(base.sym * scale + 0.5);
    if (plan.sym < 100) plan.sym = 100;

    hsb_st_target targets[8];
    size_t n = hsb_st_targets_registry(targets, sizeof targets / sizeof targets[0]);
    printf("test_diff: %zu backends; per size 1024/2048/3072/4096: modexp %u/%u/%u/%u, "
           "RSA keys %u/%u/%u/%u x ops %u/%u/%u/%u, DH -/%u/%u/%u; symmetric %u each "
           "(0..%zu bytes)\n",
           n, plan.modexp[0], plan.modexp[1], plan.modexp[2], plan.modexp[3], plan.rsa_keys[0],
           plan.rsa_keys[1], plan.rsa_keys[2], plan.rsa_keys[3], plan.rsa_ops[0], plan.rsa_ops[1],
           plan.rsa_ops[2], plan.rsa_ops[3], plan.dh[1], plan.dh[2], plan.dh[3], plan.sym,
           plan.sym_max_len);
    fflush(stdout);

    hsb_st_run r;
    hsb_st_init(&r, targets, n);
    r.verbose = 1; /* prints the seed per backend */
    for (size_t i = 0; i < n; i++) hsb_st_diff(&r, &targets[i], &plan, 1);
    int status = hsb_st_report(&r, stdout) == HSB_OK ? 0 : 1;
    hsb_st_free(&r);
    hsb_st_rsa_cache_free();
    return status;
}
