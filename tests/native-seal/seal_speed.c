/*
 * seal_speed - a quick A/B speed check of the multi-buffer record seal (not
 * run by ctest): K records of SIZE bytes of K connections sealed at once on
 * each path, beside the same K records sealed one at a time, in interleaved
 * rounds; prints the median bytes per second of each. The acceptance figure
 * is hsbench bulk --streams (beside libssl); this is for kernel work.
 *
 *   seal_speed [SIZE [K [ROUNDS]]]     defaults 16384 16 9
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hsb_backends.h"
#include "native_seal_mb.h"

#define MAXK 64

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Bytes per second of sealing the K records `reps` times on path (-1: one
 * at a time through hsb_native_seal_one). */
static double run(int path, hsb_native_seal_lane *ln, size_t k, size_t reps)
{
    double t0 = now_s();
    for (size_t r = 0; r < reps; r++) {
        if (path < 0) {
            for (size_t i = 0; i < k; i++)
                if (hsb_native_seal_one(&ln[i]) != HSB_OK) exit(1);
        } else if (hsb_native_seal_mb_path((hsb_native_seal_path)path, ln, k) != HSB_OK) {
            exit(1);
        }
    }
    return (double)(reps * k * ln[0].len) / (now_s() - t0);
}

int main(int argc, char **argv)
{
    size_t size = argc > 1 ? strtoul(argv[1], NULL, 10) : 16384;
    size_t k = argc > 2 ? strtoul(argv[2], NULL, 10) : 16;
    size_t rounds = argc > 3 ? strtoul(argv[3], NULL, 10) : 9;
    if (size > HSB_NATIVE_SEAL_MAX_DATA || k < 1 || k > MAXK || rounds < 1 || rounds > 99) {
        fprintf(stderr, "usage: seal_speed [SIZE<=17408 [K<=64 [ROUNDS<=99]]]\n");
        return 2;
    }
    static hsb_native_aes_ctx aes[MAXK];
    static hsb_native_hmac_mb_key mac[MAXK];
    static uint8_t hdr[MAXK][13], iv[MAXK][16];
    hsb_native_seal_lane ln[MAXK];
    uint8_t key[48] = {1, 2, 3};
    for (size_t i = 0; i < k; i++) {
        key[0] = (uint8_t)i;
        if (hsb_native_aes_init(&aes[i], key, 16) != HSB_OK ||
            hsb_native_hmac_mb_key_init(&mac[i], key + 16, 32) != HSB_OK) {
            printf("UNAVAILABLE: no native AES here\n");
            return 0;
        }
        hdr[i][11] = (uint8_t)(size >> 8);
        hdr[i][12] = (uint8_t)size;
        ln[i] = (hsb_native_seal_lane){.aes = &aes[i],
                                       .istate = mac[i].istate,
                                       .ostate = mac[i].ostate,
                                       .hdr = hdr[i],
                                       .iv = iv[i],
                                       .buf = calloc(1, size + 64),
                                       .len = size};
    }
    size_t reps = (64u << 20) / (k * size + 1) + 1;
    double one[99], mb[99];
    int have = hsb_native_seal_mb_available(HSB_NATIVE_SEAL_VAES512);
    for (size_t r = 0; r < rounds; r++) {
        one[r] = run(-1, ln, k, reps);
        mb[r] = have ? run(HSB_NATIVE_SEAL_VAES512, ln, k, reps) : 0;
    }
    qsort(one, rounds, sizeof one[0], cmp_d);
    qsort(mb, rounds, sizeof mb[0], cmp_d);
    printf("size %zu, %zu records per batch, median of %zu rounds\n", size, k, rounds);
    printf("one at a time   %.3f GB/s\n", one[rounds / 2] / 1e9);
    if (have)
        printf("vaes512-x16     %.3f GB/s  (%.2fx)\n", mb[rounds / 2] / 1e9,
               mb[rounds / 2] / one[rounds / 2]);
    else
        printf("vaes512-x16     UNAVAILABLE (no VAES/AVX-512 here)\n");
    return 0;
}
