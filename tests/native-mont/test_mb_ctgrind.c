/*
 * test_native_mb_ctgrind - constant time per lane of the 8-lane kernel, as
 * tests/ctgrind does for the single path: mont_ifma_mb.c compiled over the
 * scalar model (valgrind has no AVX-512; the model has the same control flow
 * and addresses, with masks where the instructions have masks) runs under
 * valgrind with every lane's modulus, base and exponent marked undefined;
 * memcheck reports any branch or address that depends on them. Sizes 1024,
 * 1536, 2048 (column square, 5-bit window), 3072 and 4096 bits (product
 * square, 4-bit window), one lane unused.
 *
 *   --control   runs hsb_nm_pow_public (variable time by contract) on a
 *               secret exponent through the same harness: valgrind must
 *               catch it (ctest: WILL_FAIL).
 * Exit: 0 clean; 1 valgrind errors or a wrong result; 77 skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_ctgrind.h"
#include "native_mb.h"

extern const hsb_nm_mb_engine hsb_nm_mb_engine_ifma_emu;

static uint64_t st = 0x452821e638d01377ull;
static uint64_t rnd(void)
{
    st ^= st << 13;
    st ^= st >> 7;
    st ^= st << 17;
    return st;
}

typedef struct lane {
    uint64_t N[HSB_NM_MAX_LIMBS], base[HSB_NM_MAX_LIMBS], out[HSB_NM_MAX_LIMBS],
        want[HSB_NM_MAX_LIMBS];
    uint8_t exp[16];
    hsb_nm_mb_mod mod;
} lane;

/* One batch of n limbs; returns the number of wrong lanes. */
static int check_size(size_t n, int control)
{
    static lane ln[8];
    const hsb_nm_engine *pe = &hsb_nm_engine_portable;
    const hsb_nm_mb_mod *mp[8];
    uint64_t *op[8];
    const uint64_t *bp[8];
    const uint8_t *ep[8];
    for (size_t k = 0; k < 8; k++) {
        lane *l = &ln[k];
        for (size_t i = 0; i < n; i++) l->N[i] = rnd(), l->base[i] = rnd();
        l->N[0] |= 1, l->N[n - 1] |= (uint64_t)1 << 63;
        l->base[n - 1] >>= 1;
        for (size_t i = 0; i < sizeof l->exp; i++) l->exp[i] = (uint8_t)rnd();
        hsb_nm_mb_mod_init(&l->mod, pe, l->N, n, 64 * n - 1);
        hsb_nm_pow_generic(pe, &l->mod.m, l->want, l->base, l->exp, sizeof l->exp);
        /* Everything secret from here on, the derived constants included. */
        SECRET(&l->mod.m.N, sizeof l->mod.m.N);
        SECRET(&l->mod.m.n0, sizeof l->mod.m.n0);
        SECRET(l->mod.n52, sizeof l->mod.n52);
        SECRET(l->mod.rr52, sizeof l->mod.rr52);
        SECRET(&l->mod.k0, sizeof l->mod.k0);
        SECRET(l->base, sizeof l->base);
        SECRET(l->exp, sizeof l->exp);
        mp[k] = k == 6 ? NULL : &l->mod;
        op[k] = l->out, bp[k] = l->base, ep[k] = l->exp;
    }
    if (control) { /* variable time by contract: must be reported */
        hsb_nm_pow_public(pe, &ln[0].mod.m, ln[0].out, ln[0].base, ln[0].exp, sizeof ln[0].exp);
        return 0;
    }
    int done = hsb_nm_mb_engine_ifma_emu.pow(mp, op, bp, ep, sizeof ln[0].exp), bad = !done;
    for (size_t k = 0; k < 8; k++) {
        if (!mp[k]) continue;
        PUBLIC(ln[k].out, sizeof ln[k].out);
        bad += memcmp(ln[k].out, ln[k].want, n * 8) != 0;
    }
    printf("  %zu-bit lanes: %s\n", 64 * n, bad ? "WRONG RESULT" : "ok");
    return bad;
}

static int run_child(int control)
{
    int bad = 0;
    if (control) return check_size(16, 1);
    static const size_t sizes[] = {16, 24, 32, 48, 64};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) bad += check_size(sizes[s], 0);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    int control = argc > 1 && strcmp(argv[1], "--control") == 0;
    if (RUNNING_ON_VALGRIND) return run_child(control);
    int skip = hsb_ctgrind_unavailable();
    if (skip) return skip;
    char *args[] = {control ? argv[1] : NULL, NULL};
    int code = hsb_ctgrind_run(argv[0], args);
    return hsb_ctgrind_verdict("8-lane kernel under ctgrind", control, code);
}
