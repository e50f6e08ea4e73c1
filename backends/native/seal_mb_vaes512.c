/*
 * seal_mb_vaes512.c - 16 AES-128-CBC encryption chains at once with VAES on
 * zmm registers (contract in native_seal_mb.h).
 *
 * CBC encryption is serial within a record (C_i = E(P_i ^ C_{i-1}), NIST SP
 * 800-38A 6.2), so one record cannot fill the AES units: each block waits
 * the full latency of ten rounds. Records of different connections are
 * independent, so four chains share a zmm register (one per 128-bit lane;
 * vaesenc works lane by lane) and four registers carry 16 chains, whose
 * rounds interleave and hide each other's latency.
 *
 * Every 128-bit lane has its own key: the round keys are laid out per round
 * and register, rk[r][g] = round-r keys of chains 4g..4g+3, 11 x 4 zmm
 * (2816 bytes, too many for the register file; vaesenc takes them as memory
 * operands, which the load ports serve beside the AES units).
 *
 * Chains of different lengths: all run for the longest one; a chain that
 * has ended reads and writes a scratch block, whose bytes are thrown away.
 * Which blocks are real depends only on the lengths (public); the keys and
 * data decide no branch and no address.
 */
#include <immintrin.h>
#include <string.h>

#include "hsb_ct.h"
#include "native_seal_mb.h"

#define TGT __attribute__((target("aes,vaes,avx2,avx512f,avx512bw")))

#define NREG 4 /* zmm registers, four chains each */
#define NCHAIN (4 * NREG)
#define NRK (HSB_NATIVE_AES128_ROUNDS + 1)

/* The four 16-byte blocks at p[0..3] as one register, p[0] in the low lane. */
TGT static inline __m512i load4(uint8_t *const p[4])
{
    __m512i v = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)p[0]));
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)p[1]), 1);
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)p[2]), 2);
    return _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)p[3]), 3);
}

TGT static inline void store4(uint8_t *const p[4], __m512i v)
{
    _mm_storeu_si128((__m128i *)p[0], _mm512_castsi512_si128(v));
    _mm_storeu_si128((__m128i *)p[1], _mm512_extracti32x4_epi32(v, 1));
    _mm_storeu_si128((__m128i *)p[2], _mm512_extracti32x4_epi32(v, 2));
    _mm_storeu_si128((__m128i *)p[3], _mm512_extracti32x4_epi32(v, 3));
}

/* One block of every chain: s = E(P ^ chain), in place at p[]. */
TGT static inline void step(const uint8_t (*rk)[NREG][64], __m512i ch[NREG],
                            uint8_t *const p[NCHAIN])
{
    __m512i s[NREG];
    for (int g = 0; g < NREG; g++)
        s[g] = _mm512_ternarylogic_epi32(load4(p + 4 * g), ch[g],
                                         _mm512_load_si512((const void *)rk[0][g]), 0x96);
    for (int r = 1; r < HSB_NATIVE_AES128_ROUNDS; r++)
        for (int g = 0; g < NREG; g++)
            s[g] = _mm512_aesenc_epi128(s[g], _mm512_load_si512((const void *)rk[r][g]));
    for (int g = 0; g < NREG; g++) {
        ch[g] = _mm512_aesenclast_epi128(
            s[g], _mm512_load_si512((const void *)rk[HSB_NATIVE_AES128_ROUNDS][g]));
        store4(p + 4 * g, ch[g]);
    }
}

TGT void hsb_native_cbc_enc_x16_vaes512(const hsb_native_aes_ctx *const sched[16],
                                        const uint8_t *const iv[16], uint8_t *const buf[16],
                                        const size_t nblk[16])
{
    _Alignas(64) uint8_t rk[NRK][NREG][64];
    _Alignas(64) uint8_t chain[NREG][64];
    _Alignas(16) uint8_t scratch[16] = {0};
    size_t most = 0;
    memset(rk, 0, sizeof rk);
    memset(chain, 0, sizeof chain);
    for (int l = 0; l < NCHAIN; l++) {
        if (!nblk[l]) continue;
        if (nblk[l] > most) most = nblk[l];
        for (int r = 0; r < NRK; r++) memcpy(rk[r][l / 4] + 16 * (l % 4), sched[l]->enc[r], 16);
        memcpy(chain[l / 4] + 16 * (l % 4), iv[l], 16);
    }
    __m512i ch[NREG];
    for (int g = 0; g < NREG; g++) ch[g] = _mm512_load_si512((const void *)chain[g]);
    for (size_t j = 0; j < most; j++) {
        uint8_t *p[NCHAIN];
        for (int l = 0; l < NCHAIN; l++) p[l] = j < nblk[l] ? buf[l] + 16 * j : scratch;
        step((const uint8_t(*)[NREG][64])rk, ch, p);
    }
    for (int g = 0; g < NREG; g++) ch[g] = _mm512_setzero_si512();
    hsb_wipe(rk, sizeof rk);
    hsb_wipe(chain, sizeof chain);
    hsb_wipe(scratch, sizeof scratch);
}

/* ------------------------------------------- MAC and CBC in one loop */

/* The AVX-512 SHA-256 round (ROUNDS8 and its operations). */
#include "sha256_mb_avx512_ops.h"

/* One CBC step of the 16 chains kept in memory (ch): block 16 s of the
 * 64 bytes at q[l] (lanes with no keys: the scratch block). */
TGT static inline void cbc_step_mem(const uint8_t (*rk)[NREG][64], uint8_t (*ch)[64],
                                    uint8_t *const q[NCHAIN], uint8_t *scratch, int s,
                                    const int live[NCHAIN])
{
    uint8_t *p[NCHAIN];
    for (int l = 0; l < NCHAIN; l++) p[l] = live[l] ? q[l] + 16 * s : scratch;
    __m512i c[NREG];
    for (int g = 0; g < NREG; g++) c[g] = _mm512_load_si512((const void *)ch[g]);
    step(rk, c, p);
    for (int g = 0; g < NREG; g++) _mm512_store_si512((void *)ch[g], c[g]);
}

#define LDS(i) _mm512_loadu_si512((const void *)st[i])
#define STS(i, v) _mm512_storeu_si512((void *)st[i], ADD(LDS(i), v))

/* One SHA-256 block of every lane (lane l's at msg[l] + off) with a CBC
 * step after each 16 rounds: the four steps encrypt the 64 bytes at
 * data[l] + off, which the block just loaded has read (so the encryption in
 * place cannot change what the MAC reads). */
TGT static void block_and_cbc(uint32_t st[8][16], const uint8_t *const msg[16],
                              uint8_t *const data[16], size_t off, const uint8_t (*rk)[NREG][64],
                              uint8_t (*ch)[64], uint8_t *scratch, const int live[NCHAIN])
{
    _Alignas(64) __m512i wl[16];
    __m512i w[16];
    uint8_t *q[NCHAIN];
    for (int l = 0; l < NCHAIN; l++) q[l] = data[l] + off;
    hsb_native_sha256_x16_load(wl, msg, off);
    for (int i = 0; i < 16; i++) w[i] = wl[i];
    __m512i a = LDS(0), b = LDS(1), c = LDS(2), d = LDS(3), e = LDS(4), f = LDS(5), g = LDS(6),
            h = LDS(7);
    const uint32_t *kp = hsb_native_sha256_k;
    ROUNDS8(0, 0);
    ROUNDS8(8, 0);
    cbc_step_mem(rk, ch, q, scratch, 0, live);
    for (int t0 = 16; t0 < 64; t0 += 16) {
        kp = hsb_native_sha256_k + t0;
        ROUNDS8(0, 1);
        ROUNDS8(8, 1);
        cbc_step_mem(rk, ch, q, scratch, t0 / 16, live);
    }
    STS(0, a);
    STS(1, b);
    STS(2, c);
    STS(3, d);
    STS(4, e);
    STS(5, f);
    STS(6, g);
    STS(7, h);
}

TGT void hsb_native_seal_x16_stitched(const hsb_native_aes_ctx *const sched[16],
                                      uint8_t chain[16][16], uint32_t st[8][16],
                                      const uint8_t *const msg[16], uint8_t *const data[16],
                                      size_t nblocks)
{
    _Alignas(64) uint8_t rk[NRK][NREG][64];
    _Alignas(64) uint8_t ch[NREG][64];
    _Alignas(16) uint8_t scratch[16] = {0};
    int live[NCHAIN];
    memset(rk, 0, sizeof rk);
    for (int l = 0; l < NCHAIN; l++) {
        live[l] = sched[l] != NULL;
        if (live[l])
            for (int r = 0; r < NRK; r++) memcpy(rk[r][l / 4] + 16 * (l % 4), sched[l]->enc[r], 16);
        memcpy(ch[l / 4] + 16 * (l % 4), chain[l], 16);
    }
    for (size_t j = 0; j < nblocks; j++)
        block_and_cbc(st, msg, data, 64 * j, (const uint8_t(*)[NREG][64])rk, ch, scratch, live);
    for (int l = 0; l < NCHAIN; l++) memcpy(chain[l], ch[l / 4] + 16 * (l % 4), 16);
    hsb_wipe(rk, sizeof rk);
    hsb_wipe(ch, sizeof ch);
    hsb_wipe(scratch, sizeof scratch);
}
