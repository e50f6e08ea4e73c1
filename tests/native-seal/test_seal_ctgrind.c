/*
 * test_seal_ctgrind - constant time of the multi-buffer record seal under
 * valgrind (tests/ctgrind's technique, hsb_ctgrind.h): the AES keys, the MAC
 * keys and the data of 16 records of 16 connections are marked undefined
 * before the keys are expanded, so memcheck reports any branch or address
 * that depends on them; lengths, sequence numbers and types are public (they
 * are in the record header).
 *
 * Checked: the batch (seal_mb.c built with HSB_SEAL_MB_EMULATE: valgrind has
 * no AVX-512 or VAES, so the two 16-lane kernels are stand-ins below with the
 * kernels' lane structure, ended chains retiring to a scratch block; the
 * rest - record layout, the MAC's first blocks, the resumed multi-lane
 * SHA-256 on whatever path valgrind's CPU offers (AVX2 x8), padding - is the
 * real code), and the portable path (the one-record seal in a loop, the one
 * that runs where VAES-512 is absent). The VAES-512 and AVX-512 SHA-256
 * kernels themselves cannot run under valgrind; they are straight-line
 * intrinsics whose only data-dependent choice is the per-lane block count.
 * The sealed records are declassified and compared with the records sealed
 * alone, so the run also checks the stand-ins.
 *
 *   --control   a leaky use of the batch (a table read at a sealed byte
 *               that was never declassified): must be caught (WILL_FAIL).
 * Exit: 0 clean; 1 valgrind found errors or a record was wrong; 77 skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_ctgrind.h"
#include "native_seal_mb.h"

#define N 16
#define MAXLEN 1500

/* ---- the stand-ins for the 16-lane kernels (HSB_SEAL_MB_EMULATE) ---- */

void hsb_seal_emu_sha256_x16(uint32_t st[8][16], const uint8_t *const blk[16], size_t nblocks);
void hsb_seal_emu_cbc_x16(const hsb_native_aes_ctx *const sched[16], const uint8_t *const iv[16],
                          uint8_t *const buf[16], const size_t nblk[16]);

void hsb_seal_emu_sha256_x16(uint32_t st[8][16], const uint8_t *const blk[16], size_t nblocks)
{
    for (int l = 0; l < 16; l++) {
        uint32_t h[8];
        for (int w = 0; w < 8; w++) h[w] = st[w][l];
        hsb_native_sha256_blocks_portable(h, blk[l], nblocks);
        for (int w = 0; w < 8; w++) st[w][l] = h[w];
    }
}

void hsb_seal_emu_cbc_x16(const hsb_native_aes_ctx *const sched[16], const uint8_t *const iv[16],
                          uint8_t *const buf[16], const size_t nblk[16])
{
    static const hsb_native_aes_ctx zero_key;
    uint8_t chain[16][16] = {{0}}, scratch[16] = {0};
    size_t most = 0;
    for (int l = 0; l < 16; l++) {
        if (nblk[l] > most) most = nblk[l];
        if (nblk[l]) memcpy(chain[l], iv[l], 16);
    }
    for (size_t j = 0; j < most; j++)
        for (int l = 0; l < 16; l++) {
            uint8_t *p = j < nblk[l] ? buf[l] + 16 * j : scratch;
            for (int b = 0; b < 16; b++) chain[l][b] ^= p[b];
            hsb_native_aes_encrypt_block(nblk[l] ? sched[l] : &zero_key, chain[l], chain[l]);
            memcpy(p, chain[l], 16);
        }
}

void hsb_seal_emu_stitched_x16(const hsb_native_aes_ctx *const sched[16], uint8_t chain[16][16],
                               uint32_t st[8][16], const uint8_t *const msg[16],
                               uint8_t *const data[16], size_t nblocks);

/* Per block: the 16 lanes' SHA-256 block, then their four CBC steps. */
void hsb_seal_emu_stitched_x16(const hsb_native_aes_ctx *const sched[16], uint8_t chain[16][16],
                               uint32_t st[8][16], const uint8_t *const msg[16],
                               uint8_t *const data[16], size_t nblocks)
{
    for (size_t j = 0; j < nblocks; j++) {
        const uint8_t *blk[16];
        for (int l = 0; l < 16; l++) blk[l] = msg[l] + 64 * j;
        hsb_seal_emu_sha256_x16(st, blk, 1);
        for (int l = 0; l < 16; l++) {
            if (!sched[l]) continue;
            for (int s = 0; s < 4; s++) {
                uint8_t *p = data[l] + 64 * j + 16 * s;
                for (int b = 0; b < 16; b++) chain[l][b] ^= p[b];
                hsb_native_aes_encrypt_block(sched[l], chain[l], chain[l]);
                memcpy(p, chain[l], 16);
            }
        }
    }
}

/* ------------------------------------------------------------- the checks */

static hsb_native_aes_ctx aes[N];
static hsb_native_hmac_mb_key mac[N];
static uint8_t hdr[N][13], iv[N][16], data[N][MAXLEN], got[N][MAXLEN + 48], want[N][MAXLEN + 48];

/* 16 connections with secret keys and records of secret data. */
static void setup(hsb_native_seal_lane *ln)
{
    for (int i = 0; i < N; i++) {
        uint8_t key[48];
        for (int b = 0; b < 48; b++) key[b] = (uint8_t)(7 * i + 13 * b + 1);
        SECRET(key, sizeof key);
        if (hsb_native_aes_init(&aes[i], key, 16) != HSB_OK ||
            hsb_native_hmac_mb_key_init(&mac[i], key + 16, 32) != HSB_OK)
            exit(1);
        size_t len = i == 3 ? 20 : (size_t)(64 * i + 100 + i % 3) % MAXLEN; /* public */
        for (size_t b = 0; b < len; b++) data[i][b] = (uint8_t)(b * 31 + (size_t)i);
        SECRET(data[i], len);
        memcpy(got[i], data[i], len);
        for (int b = 0; b < 16; b++) iv[i][b] = (uint8_t)(i + b);
        hdr[i][7] = (uint8_t)i; /* seq */
        hdr[i][8] = 23;
        hdr[i][9] = hdr[i][10] = 3;
        hdr[i][11] = (uint8_t)(len >> 8);
        hdr[i][12] = (uint8_t)len;
        ln[i] = (hsb_native_seal_lane){.aes = &aes[i],
                                       .istate = mac[i].istate,
                                       .ostate = mac[i].ostate,
                                       .hdr = hdr[i],
                                       .iv = iv[i],
                                       .buf = got[i],
                                       .len = len};
    }
}

static int check_path(hsb_native_seal_path path)
{
    hsb_native_seal_lane ln[N];
    setup(ln);
    int bad = hsb_native_seal_mb_path(path, ln, N) != HSB_OK;
    for (int i = 0; i < N && !bad; i++) {
        hsb_native_seal_lane one = ln[i];
        memcpy(want[i], data[i], ln[i].len);
        one.buf = want[i];
        bad |= hsb_native_seal_one(&one) != HSB_OK;
        PUBLIC(got[i], ln[i].out_len);
        PUBLIC(want[i], one.out_len);
        bad |= one.out_len != ln[i].out_len || memcmp(got[i], want[i], one.out_len) != 0;
    }
    printf("%s: %s\n", hsb_native_seal_mb_path_name(path), bad ? "WRONG" : "sealed");
    return bad;
}

/* The control: a table read at a sealed byte never declassified (an
 * address that depends on the keys and data). */
__attribute__((noinline)) static int leaky(void)
{
    static const uint8_t table[256] = {1, 2, 3};
    hsb_native_seal_lane ln[N];
    setup(ln);
    if (hsb_native_seal_mb_path(HSB_NATIVE_SEAL_VAES512, ln, N) != HSB_OK) return 1;
    int r = table[got[5][7]];
    PUBLIC(&r, sizeof r);
    printf("leaky control ran: %d\n", r);
    return 0;
}

int main(int argc, char **argv)
{
    int control = argc > 1 && strcmp(argv[1], "--control") == 0;
    if (argc > 1 && !control) {
        fprintf(stderr, "usage: %s [--control]\n", argv[0]);
        return 2;
    }
    if (RUNNING_ON_VALGRIND) { /* the child */
        if (!hsb_cpu()->aesni) {
            printf("valgrind's CPU has no AES-NI: nothing to check\n");
            return 1;
        }
        if (control) return leaky();
        return check_path(HSB_NATIVE_SEAL_VAES512) | check_path(HSB_NATIVE_SEAL_PORTABLE);
    }
    int skip = hsb_ctgrind_unavailable();
    if (skip) return skip;
    if (!hsb_cpu()->aesni) {
        printf("SKIP: no AES-NI, no native AES (UNAVAILABLE)\n");
        return 77;
    }
    char *args[] = {control ? (char *)"--control" : NULL, NULL};
    int code = hsb_ctgrind_run(argv[0], args);
    return hsb_ctgrind_verdict("seal ctgrind", control, code);
}
