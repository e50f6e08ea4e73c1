/*
 * sha256_portable.c - SHA-256 in plain C ("sha256-portable"), FIPS 180-4
 * 6.2.2: the fallback on CPUs without SHA-NI, and the reference the other
 * paths are tested beside. Rotations and boolean functions only: no table
 * lookups indexed by data, no branches on data.
 */
#include <string.h>

#include "hsb_ct.h"
#include "native_sha256.h"

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define BSIG0(x) (ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define BSIG1(x) (ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define SSIG0(x) (ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((((y) ^ (z)) & (x)) ^ (z))
#define MAJ(x, y, z) (((x) & (y)) | (((x) | (y)) & (z)))

static uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* One round on the named registers; the caller rotates the names. */
#define ROUND(a, b, c, d, e, f, g, h, t)                                                           \
    do {                                                                                           \
        uint32_t t1_ = h + BSIG1(e) + CH(e, f, g) + hsb_native_sha256_k[t] + w[(t)&15];            \
        d += t1_;                                                                                  \
        h = t1_ + BSIG0(a) + MAJ(a, b, c);                                                         \
    } while (0)

void hsb_native_sha256_blocks_portable(uint32_t st[8], const uint8_t *in, size_t nblocks)
{
    uint32_t w[16];
    for (; nblocks; nblocks--, in += 64) {
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
        uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
        for (int t = 0; t < 16; t++) w[t] = load_be32(in + 4 * t);
        for (int t = 0; t < 64; t += 8) {
            if (t >= 16)
                for (int i = t; i < t + 8; i++)
                    w[i & 15] += SSIG1(w[(i - 2) & 15]) + w[(i - 7) & 15] + SSIG0(w[(i - 15) & 15]);
            ROUND(a, b, c, d, e, f, g, h, t);
            ROUND(h, a, b, c, d, e, f, g, t + 1);
            ROUND(g, h, a, b, c, d, e, f, t + 2);
            ROUND(f, g, h, a, b, c, d, e, t + 3);
            ROUND(e, f, g, h, a, b, c, d, t + 4);
            ROUND(d, e, f, g, h, a, b, c, t + 5);
            ROUND(c, d, e, f, g, h, a, b, t + 6);
            ROUND(b, c, d, e, f, g, h, a, t + 7);
        }
        st[0] += a;
        st[1] += b;
        st[2] += c;
        st[3] += d;
        st[4] += e;
        st[5] += f;
        st[6] += g;
        st[7] += h;
    }
    hsb_wipe(w, sizeof w);
}

HSB_NATIVE_SHA256_CLASSES(portable, hsb_native_sha256_blocks_portable, sha_portable,
                          "sha256-portable", hmac_portable, "hmac-sha256-portable");

const hsb_sha256_class *hsb_native_sha256_portable_get(void)
{
    return &sha_portable;
}

const hsb_hmac_sha256_class *hsb_native_hmac_portable_get(void)
{
    return &hmac_portable;
}
