/*
 * seal_mb.c - TLS 1.2 AES-128-CBC + HMAC-SHA256 records of different
 * connections sealed together (contract in native_seal_mb.h).
 *
 * A record's MAC input is its 13-byte header and then its data, which are
 * not contiguous (the data is sealed in place in the caller's buffer). The
 * batch therefore builds each lane's first block aside, header || data[0 ..
 * 51), runs it on the 16-lane SHA-256 kernel from the lane's istate, and
 * resumes from there on the rest of the data in place
 * (hsb_native_sha256_mb_resume, prefix 128 bytes: the key block and the
 * first block). The outer hashes are one more 16-lane pass (RFC 2104). Then
 * MAC and padding go after the data and the 16 CBC chains run on the
 * VAES-512 kernel (seal_mb_vaes512.c).
 *
 * The one-record seal is the same record over the one-stream HMAC and the
 * AES-NI CBC: the definition every batch is tested against.
 */
#include <string.h>

#include "hsb_backends.h"
#include "hsb_ct.h"
#include "native_seal_mb.h"

#ifdef HSB_SEAL_MB_EMULATE
/* The ctgrind build (tests/native-seal): valgrind has no AVX-512 or VAES, so
 * the two lane kernels are the test's stand-ins, with the same lanes and
 * the same retiring of ended chains, and the 16-lane path is taken
 * whatever the CPU says; everything else here is the real code. */
void hsb_seal_emu_sha256_x16(uint32_t st[8][16], const uint8_t *const blk[16], size_t nblocks);
void hsb_seal_emu_cbc_x16(const hsb_native_aes_ctx *const sched[16], const uint8_t *const iv[16],
                          uint8_t *const buf[16], const size_t nblk[16]);
void hsb_seal_emu_stitched_x16(const hsb_native_aes_ctx *const sched[16], uint8_t chain[16][16],
                               uint32_t st[8][16], const uint8_t *const msg[16],
                               uint8_t *const data[16], size_t nblocks);
#define SHA_X16 hsb_seal_emu_sha256_x16
#define CBC_X16 hsb_seal_emu_cbc_x16
#define STITCHED_X16 hsb_seal_emu_stitched_x16
#define X16_CPU_OK(f) ((f)->aesni)
#else
#define SHA_X16 hsb_native_sha256_x16_avx512
#define CBC_X16 hsb_native_cbc_enc_x16_vaes512
#define STITCHED_X16 hsb_native_seal_x16_stitched
#define X16_CPU_OK(f) ((f)->aesni && (f)->vaes && (f)->avx2 && (f)->avx512f && (f)->avx512bw)
#endif

#define L HSB_NATIVE_SEAL_MB_LANES
#define HEAD_DATA (64 - HSB_NATIVE_SEAL_HDR_LEN) /* data bytes in the first block */

int hsb_native_seal_mb_available(hsb_native_seal_path path)
{
    const hsb_cpu_features *f = hsb_cpu();
    switch (path) {
    case HSB_NATIVE_SEAL_AUTO:
    case HSB_NATIVE_SEAL_PORTABLE:
        return f->aesni;
    case HSB_NATIVE_SEAL_VAES512:
        return X16_CPU_OK(f);
    default:
        return 0;
    }
}

static hsb_native_seal_path resolve(hsb_native_seal_path path)
{
    if (path != HSB_NATIVE_SEAL_AUTO) return path;
    return hsb_native_seal_mb_available(HSB_NATIVE_SEAL_VAES512) ? HSB_NATIVE_SEAL_VAES512
                                                                 : HSB_NATIVE_SEAL_PORTABLE;
}

const char *hsb_native_seal_mb_path_name(hsb_native_seal_path path)
{
    switch (resolve(path)) {
    case HSB_NATIVE_SEAL_PORTABLE:
        return "portable";
    case HSB_NATIVE_SEAL_VAES512:
        return "vaes512-x16";
    default:
        return "unknown";
    }
}

/* ------------------------------------------------------------- one lane */

static int lane_ok(const hsb_native_seal_lane *ln)
{
    return ln->aes && ln->istate && ln->ostate && ln->hdr && ln->iv && ln->buf &&
           ln->len <= HSB_NATIVE_SEAL_MAX_DATA;
}

static int lane_check(hsb_native_seal_lane *ln)
{
    ln->out_len = 0;
    ln->rc = lane_ok(ln) ? HSB_OK : HSB_E_USAGE;
    return ln->rc == HSB_OK;
}

/* MAC and padding after the data (RFC 5246 6.2.3.2): ready for CBC. */
static void lane_plain(hsb_native_seal_lane *ln, const uint8_t tag[32])
{
    size_t n = HSB_NATIVE_SEAL_ENC_LEN(ln->len), pad = n - ln->len - 32 - 1;
    memcpy(ln->buf + ln->len, tag, 32);
    memset(ln->buf + ln->len + 32, (int)pad, pad + 1);
    ln->out_len = n;
    ln->rc = HSB_OK;
}

static void seal_good_one(hsb_native_seal_lane *ln)
{
    hsb_native_sha256_blocks_fn blocks = hsb_native_sha256_blocks_best();
    hsb_native_sha256_ctx c;
    uint8_t inner[32], tag[32], iv[16];
    memcpy(c.h, ln->istate, sizeof c.h);
    c.total = 64; /* the key block */
    hsb_native_sha256_absorb(&c, ln->hdr, HSB_NATIVE_SEAL_HDR_LEN, blocks);
    hsb_native_sha256_absorb(&c, ln->buf, ln->len, blocks);
    hsb_native_sha256_finish(&c, inner, blocks);
    hsb_native_hmac_outer(ln->ostate, inner, tag, blocks);
    lane_plain(ln, tag);
    memcpy(iv, ln->iv, 16);
    (void)hsb_native_aes_cbc_encrypt(ln->aes, iv, ln->buf, ln->buf, ln->out_len);
    hsb_wipe(&c, sizeof c);
    hsb_wipe(inner, sizeof inner);
    hsb_wipe(tag, sizeof tag);
}

hsb_rc hsb_native_seal_one(hsb_native_seal_lane *lane)
{
    HSB_ENSURE(lane, HSB_E_USAGE);
    HSB_ENSURE(hsb_native_seal_mb_available(HSB_NATIVE_SEAL_PORTABLE), HSB_E_UNAVAILABLE);
    HSB_ENSURE(lane_check(lane), HSB_E_USAGE);
    seal_good_one(lane);
    return HSB_OK;
}

/* ---------------------------------------------------------- 16 at once */

/* What a batch carries between its steps. chain: each lane's CBC chaining
 * value; done: blocks of 64 data bytes every lane has had MACed and
 * encrypted together (the stitched loop). */
typedef struct batch {
    hsb_native_seal_lane *const *ln;
    size_t m, done;
    const hsb_native_aes_ctx *sched[L];
    uint8_t chain[L][16];
    uint32_t st[8][L]; /* lanes' inner chaining values, transposed */
} batch;

/* The first block of every lane of HEAD_DATA bytes or more, header ||
 * data[0..51), from its istate on the 16-lane kernel (the lanes of shorter
 * records and unused lanes hash a zero block, thrown away). 1 when every
 * lane had one. */
static int head_x16(batch *b)
{
    _Alignas(64) uint8_t head[L][64];
    const uint8_t *blk[L];
    int all = 1;
    memset(head, 0, sizeof head);
    for (size_t i = 0; i < L; i++) {
        int is_long = i < b->m && b->ln[i]->len >= HEAD_DATA;
        if (is_long) memcpy(head[i], b->ln[i]->hdr, HSB_NATIVE_SEAL_HDR_LEN);
        if (is_long) memcpy(head[i] + HSB_NATIVE_SEAL_HDR_LEN, b->ln[i]->buf, HEAD_DATA);
        for (int w = 0; w < 8; w++) b->st[w][i] = i < b->m ? b->ln[i]->istate[w] : 0;
        blk[i] = head[i];
        all &= is_long || i >= b->m;
    }
    SHA_X16(b->st, blk, 1);
    hsb_wipe(head, sizeof head);
    return all;
}

/* When every lane is long: the 64-byte blocks all lanes have after the
 * first, MACed and CBC-encrypted in one loop (the CBC in place trails the
 * MAC's reads). */
static void stitched_x16(batch *b)
{
    const uint8_t *msg[L];
    uint8_t *data[L];
    size_t most = SIZE_MAX;
    for (size_t i = 0; i < b->m; i++) {
        size_t n = (b->ln[i]->len - HEAD_DATA) / 64;
        if (n < most) most = n;
    }
    for (size_t i = 0; i < L; i++) {
        const hsb_native_seal_lane *x = b->ln[i < b->m ? i : 0];
        msg[i] = x->buf + HEAD_DATA;
        data[i] = x->buf;
    }
    b->done = most;
    if (most) STITCHED_X16(b->sched, b->chain, b->st, msg, data, most);
}

/* The inner hashes into inner[]: the rest of each long lane resumed in
 * place from its state; shorter records whole from their header and data. */
static void inner_rest(batch *b, uint8_t (*inner)[32])
{
    _Alignas(64) uint8_t head[L][64];
    uint32_t h[L][8];
    const uint8_t *lm[L] = {0}, *sm[L] = {0};
    const uint32_t *li[L] = {0}, *si[L] = {0};
    size_t ll[L] = {0}, sl[L] = {0}, lidx[L], sidx[L], nl = 0, ns = 0;
    size_t skip = HEAD_DATA + 64 * b->done;
    uint8_t lout[L][32], sout[L][32];
    for (size_t i = 0; i < b->m; i++) {
        hsb_native_seal_lane *x = b->ln[i];
        if (x->len >= HEAD_DATA) {
            for (int w = 0; w < 8; w++) h[i][w] = b->st[w][i];
            lidx[nl] = i;
            li[nl] = h[i];
            lm[nl] = x->buf + skip;
            ll[nl++] = x->len - skip;
        } else {
            memcpy(head[i], x->hdr, HSB_NATIVE_SEAL_HDR_LEN);
            if (x->len) memcpy(head[i] + HSB_NATIVE_SEAL_HDR_LEN, x->buf, x->len);
            sidx[ns] = i;
            si[ns] = x->istate;
            sm[ns] = head[i];
            sl[ns++] = HSB_NATIVE_SEAL_HDR_LEN + x->len;
        }
    }
    /* Checked arguments: these cannot fail. */
    (void)hsb_native_sha256_mb_resume(li, 64 + 64 + 64 * b->done, lm, ll, nl, lout);
    (void)hsb_native_sha256_mb_resume(si, 64, sm, sl, ns, sout);
    for (size_t k = 0; k < nl; k++) memcpy(inner[lidx[k]], lout[k], 32);
    for (size_t k = 0; k < ns; k++) memcpy(inner[sidx[k]], sout[k], 32);
    hsb_wipe(head, sizeof head);
    hsb_wipe(h, sizeof h);
    hsb_wipe(lout, sizeof lout);
    hsb_wipe(sout, sizeof sout);
}

/* m (1..16) checked lanes: the MACs on the 16-lane SHA-256 (with the CBC of
 * the blocks all lanes share stitched in), then the rest of the 16 chains. */
static void seal_x16(hsb_native_seal_lane *const ln[], size_t m)
{
    batch b = {.ln = ln, .m = m};
    uint8_t inner[L][32], tag[L][32];
    const uint32_t *os[L];
    const uint8_t *im[L], *civ[L] = {0};
    size_t il[L], nblk[L] = {0};
    uint8_t *buf[L] = {0};
    for (size_t i = 0; i < m; i++) {
        b.sched[i] = ln[i]->aes;
        memcpy(b.chain[i], ln[i]->iv, 16);
    }
    if (head_x16(&b)) stitched_x16(&b);
    inner_rest(&b, inner);
    for (size_t i = 0; i < m; i++) {
        os[i] = ln[i]->ostate;
        im[i] = inner[i];
        il[i] = 32;
    }
    /* RFC 2104: tag = H(K^opad || inner), from the ostate chaining values. */
    (void)hsb_native_sha256_mb_resume(os, 64, im, il, m, tag);
    for (size_t i = 0; i < m; i++) {
        lane_plain(ln[i], tag[i]);
        civ[i] = b.chain[i];
        buf[i] = ln[i]->buf + 64 * b.done;
        nblk[i] = ln[i]->out_len / 16 - 4 * b.done;
    }
    CBC_X16(b.sched, civ, buf, nblk);
    hsb_wipe(&b, sizeof b);
    hsb_wipe(inner, sizeof inner);
    hsb_wipe(tag, sizeof tag);
}

hsb_rc hsb_native_seal_mb_path(hsb_native_seal_path path, hsb_native_seal_lane *lanes, size_t n)
{
    HSB_ENSURE(lanes || n == 0, HSB_E_USAGE);
    path = resolve(path);
    HSB_ENSURE(hsb_native_seal_mb_available(path), HSB_E_UNAVAILABLE);
    hsb_native_seal_lane *good[L];
    size_t m = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lane_check(&lanes[i])) {
            bad++;
            continue;
        }
        if (path == HSB_NATIVE_SEAL_PORTABLE) {
            seal_good_one(&lanes[i]);
            continue;
        }
        good[m++] = &lanes[i];
        if (m == L) {
            seal_x16(good, m);
            m = 0;
        }
    }
    if (m) seal_x16(good, m);
    HSB_ENSURE(bad == 0, HSB_E_USAGE);
    return HSB_OK;
}

hsb_rc hsb_native_seal_mb(hsb_native_seal_lane *lanes, size_t n)
{
    return hsb_native_seal_mb_path(HSB_NATIVE_SEAL_AUTO, lanes, n);
}
