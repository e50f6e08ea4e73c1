/*
 * sha256_mb.c - SHA-256 and HMAC-SHA256 over many independent messages
 * (contracts in native_sha256.h): batches of the path's lane count; in a
 * batch, the blocks every lane has run in lockstep on the lane kernel
 * (sha256_mb_avx512.c, sha256_mb_avx2.c), first straight from the messages,
 * then block by block from each lane's padded tail; what a longer lane has
 * left is finished on the one-stream block function. Lanes a short batch
 * does not use repeat lane 0 and are discarded.
 *
 * Lengths decide the schedule; they are public. Key-derived chaining values
 * pass through the lanes like any other state and are wiped afterwards.
 */
#include <string.h>

#include "hsb_backends.h"
#include "hsb_ct.h"
#include "native_sha256.h"

/* One lane's message: its whole blocks in place, the rest padded in tail. */
typedef struct lane {
    const uint8_t *msg;
    size_t full;   /* whole blocks of msg */
    size_t blocks; /* full + 1 or 2 padded tail blocks */
    uint8_t tail[128];
} lane;

static void store_be32(uint8_t *p, uint32_t x)
{
    p[0] = (uint8_t)(x >> 24);
    p[1] = (uint8_t)(x >> 16);
    p[2] = (uint8_t)(x >> 8);
    p[3] = (uint8_t)x;
}

/* prefix: bytes the starting state has absorbed already (HMAC: 64). */
static void lane_setup(lane *ln, const uint8_t *msg, size_t len, uint64_t prefix)
{
    size_t rest = len & 63, nt = rest + 9 > 64 ? 2 : 1;
    uint64_t bits = (prefix + len) << 3;
    ln->msg = msg;
    ln->full = len / 64;
    ln->blocks = ln->full + nt;
    memset(ln->tail, 0, sizeof ln->tail);
    if (rest) memcpy(ln->tail, msg + 64 * ln->full, rest);
    ln->tail[rest] = 0x80;
    for (int i = 0; i < 8; i++) ln->tail[64 * nt - 1 - i] = (uint8_t)(bits >> (8 * i));
}

static const uint8_t *lane_block(const lane *ln, size_t j)
{
    return j < ln->full ? ln->msg + 64 * j : ln->tail + 64 * (j - ln->full);
}

typedef void (*kernel_fn)(void *st, const uint8_t *const *blk, size_t nblocks);

static void kernel16(void *st, const uint8_t *const *blk, size_t nblocks)
{
    hsb_native_sha256_x16_avx512(st, blk, nblocks);
}

static void kernel8(void *st, const uint8_t *const *blk, size_t nblocks)
{
    hsb_native_sha256_x8_avx2(st, blk, nblocks);
}

/* m <= lanes messages (m >= 1) on a lane kernel. init[i]: lane i's starting
 * chaining value. */
static void batch_lanes(kernel_fn kernel, size_t lanes, const uint32_t *const init[],
                        uint64_t prefix, const uint8_t *const msg[], const size_t len[], size_t m,
                        uint8_t (*out)[32])
{
    lane ln[HSB_NATIVE_MB_MAX_LANES];
    uint32_t st[8 * HSB_NATIVE_MB_MAX_LANES]; /* st[w * lanes + l] */
    const uint8_t *blk[HSB_NATIVE_MB_MAX_LANES];
    hsb_native_sha256_blocks_fn one = hsb_native_sha256_blocks_best();

    size_t full = SIZE_MAX, common = SIZE_MAX;
    for (size_t l = 0; l < m; l++) {
        lane_setup(&ln[l], msg[l], len[l], prefix);
        if (ln[l].full < full) full = ln[l].full;
        if (ln[l].blocks < common) common = ln[l].blocks;
    }
    for (size_t l = 0; l < lanes; l++) {
        const uint32_t *h = init[l < m ? l : 0];
        for (int w = 0; w < 8; w++) st[w * lanes + l] = h[w];
    }
    /* Whole blocks every lane has, straight from the messages. */
    if (full) {
        for (size_t l = 0; l < lanes; l++) blk[l] = ln[l < m ? l : 0].msg;
        kernel(st, blk, full);
    }
    /* Then the blocks every lane still has, some from the tails. */
    for (size_t j = full; j < common; j++) {
        for (size_t l = 0; l < lanes; l++) blk[l] = lane_block(&ln[l < m ? l : 0], j);
        kernel(st, blk, 1);
    }
    /* Longer lanes finish alone. */
    for (size_t l = 0; l < m; l++) {
        uint32_t h[8];
        for (int w = 0; w < 8; w++) h[w] = st[w * lanes + l];
        size_t j = common;
        if (j < ln[l].full) {
            one(h, ln[l].msg + 64 * j, ln[l].full - j);
            j = ln[l].full;
        }
        if (j < ln[l].blocks) one(h, ln[l].tail + 64 * (j - ln[l].full), ln[l].blocks - j);
        for (int w = 0; w < 8; w++) store_be32(out[l] + 4 * w, h[w]);
        hsb_wipe(h, sizeof h);
    }
    hsb_wipe(st, sizeof st);
    hsb_wipe(ln, sizeof ln);
}

static void one_stream(const uint32_t *init, uint64_t prefix, const uint8_t *msg, size_t len,
                       uint8_t out[32])
{
    hsb_native_sha256_blocks_fn one = hsb_native_sha256_blocks_best();
    hsb_native_sha256_ctx c;
    memcpy(c.h, init, sizeof c.h);
    c.total = prefix;
    hsb_native_sha256_absorb(&c, msg, len, one);
    hsb_native_sha256_finish(&c, out, one);
    hsb_wipe(&c, sizeof c);
}

static hsb_native_mb_path resolve(hsb_native_mb_path path)
{
    if (path != HSB_NATIVE_MB_AUTO) return path;
    const hsb_cpu_features *f = hsb_cpu();
    if (f->avx512f && f->avx512bw) return HSB_NATIVE_MB_AVX512;
    if (f->avx2) return HSB_NATIVE_MB_AVX2;
    return HSB_NATIVE_MB_PORTABLE;
}

int hsb_native_sha256_mb_available(hsb_native_mb_path path)
{
    const hsb_cpu_features *f = hsb_cpu();
    switch (path) {
    case HSB_NATIVE_MB_AUTO:
    case HSB_NATIVE_MB_PORTABLE:
        return 1;
    case HSB_NATIVE_MB_AVX2:
        return f->avx2;
    case HSB_NATIVE_MB_AVX512:
        return f->avx512f && f->avx512bw && f->avx2;
    default:
        return 0;
    }
}

const char *hsb_native_sha256_mb_path_name(hsb_native_mb_path path)
{
    switch (resolve(path)) {
    case HSB_NATIVE_MB_PORTABLE:
        return "portable";
    case HSB_NATIVE_MB_AVX2:
        return "avx2-x8";
    case HSB_NATIVE_MB_AVX512:
        return "avx512-x16";
    default:
        return "unknown";
    }
}

/*
 * n messages from per-message starting states, in batches of at most 16.
 * AUTO sends a batch's last few messages (fewer than a quarter of the lanes)
 * to the one-stream code when SHA-NI is there: idle lanes cost as much as
 * busy ones.
 */
static hsb_rc run(hsb_native_mb_path path, const uint32_t *const init[], uint64_t prefix,
                  const uint8_t *const msg[], const size_t len[], size_t n, uint8_t (*out)[32])
{
    int automatic = path == HSB_NATIVE_MB_AUTO;
    path = resolve(path);
    HSB_ENSURE(hsb_native_sha256_mb_available(path), HSB_E_UNAVAILABLE);
    kernel_fn kernel = path == HSB_NATIVE_MB_AVX512 ? kernel16 : kernel8;
    size_t lanes = path == HSB_NATIVE_MB_AVX512 ? 16 : path == HSB_NATIVE_MB_AVX2 ? 8 : 1;
    for (size_t i = 0; i < n; i += lanes) {
        size_t m = n - i < lanes ? n - i : lanes;
        if (lanes == 1 || (automatic && 4 * m < lanes && hsb_cpu()->sha_ni)) {
            for (size_t k = 0; k < m; k++)
                one_stream(init[i + k], prefix, msg[i + k], len[i + k], out[i + k]);
        } else {
            batch_lanes(kernel, lanes, init + i, prefix, msg + i, len + i, m, out + i);
        }
    }
    return HSB_OK;
}

static hsb_rc check_args(const uint8_t *const msg[], const size_t len[], size_t n,
                         uint8_t (*out)[32])
{
    HSB_ENSURE(n == 0 || (msg && len && out), HSB_E_USAGE);
    for (size_t i = 0; i < n; i++) HSB_ENSURE(msg[i] || len[i] == 0, HSB_E_USAGE);
    return HSB_OK;
}

hsb_rc hsb_native_sha256_mb_path(hsb_native_mb_path path, const uint8_t *const msg[],
                                 const size_t len[], size_t n, uint8_t (*out)[32])
{
    HSB_GUARD(check_args(msg, len, n, out));
    HSB_ENSURE(hsb_native_sha256_mb_available(path), HSB_E_UNAVAILABLE);
    const uint32_t *init[HSB_NATIVE_MB_MAX_LANES];
    for (size_t l = 0; l < HSB_NATIVE_MB_MAX_LANES; l++) init[l] = hsb_native_sha256_iv;
    for (size_t i = 0; i < n; i += HSB_NATIVE_MB_MAX_LANES) {
        size_t m = n - i < HSB_NATIVE_MB_MAX_LANES ? n - i : HSB_NATIVE_MB_MAX_LANES;
        HSB_GUARD(run(path, init, 0, msg + i, len + i, m, out + i));
    }
    return HSB_OK;
}

hsb_rc hsb_native_sha256_mb_resume(const uint32_t *const init[], uint64_t prefix,
                                   const uint8_t *const msg[], const size_t len[], size_t n,
                                   uint8_t (*out)[32])
{
    HSB_GUARD(check_args(msg, len, n, out));
    HSB_ENSURE(n == 0 || init, HSB_E_USAGE);
    for (size_t i = 0; i < n; i++) HSB_ENSURE(init[i], HSB_E_USAGE);
    return run(HSB_NATIVE_MB_AUTO, init, prefix, msg, len, n, out);
}

hsb_rc hsb_native_sha256_mb(const uint8_t *const msg[], const size_t len[], size_t n,
                            uint8_t (*out)[32])
{
    return hsb_native_sha256_mb_path(HSB_NATIVE_MB_AUTO, msg, len, n, out);
}

hsb_rc hsb_native_hmac_mb_key_init(hsb_native_hmac_mb_key *k, const uint8_t *key, size_t key_len)
{
    HSB_ENSURE(k && (key || key_len == 0), HSB_E_USAGE);
    hsb_native_hmac_key(k->istate, k->ostate, key, key_len, hsb_native_sha256_blocks_best());
    return HSB_OK;
}

void hsb_native_hmac_mb_key_clear(hsb_native_hmac_mb_key *k)
{
    if (k) hsb_wipe(k, sizeof *k);
}

hsb_rc hsb_native_hmac_sha256_mb_path(hsb_native_mb_path path,
                                      const hsb_native_hmac_mb_key *const key[],
                                      const uint8_t *const msg[], const size_t len[], size_t n,
                                      uint8_t (*tag)[32])
{
    HSB_GUARD(check_args(msg, len, n, tag));
    HSB_ENSURE(n == 0 || key, HSB_E_USAGE);
    for (size_t i = 0; i < n; i++) HSB_ENSURE(key[i], HSB_E_USAGE);
    HSB_ENSURE(hsb_native_sha256_mb_available(path), HSB_E_UNAVAILABLE);

    /* RFC 2104: inner = H(K^ipad || m) from istate, then tag = H(K^opad ||
     * inner) from ostate: two lockstep passes per batch. */
    uint8_t inner[HSB_NATIVE_MB_MAX_LANES][32];
    const uint32_t *is[HSB_NATIVE_MB_MAX_LANES], *os[HSB_NATIVE_MB_MAX_LANES];
    const uint8_t *im[HSB_NATIVE_MB_MAX_LANES];
    size_t il[HSB_NATIVE_MB_MAX_LANES];
    hsb_rc rc = HSB_OK;
    for (size_t i = 0; i < n && rc == HSB_OK; i += HSB_NATIVE_MB_MAX_LANES) {
        size_t m = n - i < HSB_NATIVE_MB_MAX_LANES ? n - i : HSB_NATIVE_MB_MAX_LANES;
        for (size_t l = 0; l < m; l++) {
            is[l] = key[i + l]->istate;
            os[l] = key[i + l]->ostate;
            im[l] = inner[l];
            il[l] = 32;
        }
        rc = run(path, is, 64, msg + i, len + i, m, inner);
        if (rc == HSB_OK) rc = run(path, os, 64, im, il, m, tag + i);
    }
    hsb_wipe(inner, sizeof inner);
    return rc;
}

hsb_rc hsb_native_hmac_sha256_mb(const hsb_native_hmac_mb_key *const key[],
                                 const uint8_t *const msg[], const size_t len[], size_t n,
                                 uint8_t (*tag)[32])
{
    return hsb_native_hmac_sha256_mb_path(HSB_NATIVE_MB_AUTO, key, msg, len, n, tag);
}
