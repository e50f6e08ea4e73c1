/*
 * test_native_seal_mb.c - multi-buffer sealing of TLS 1.2 AES-128-CBC +
 * HMAC-SHA256 records of different connections (native_seal_mb.h).
 *
 * For every path this CPU runs (vaes512-x16 where present, else skipped
 * with a line saying so; the portable loop always; the automatic choice):
 *  - batches of n = 1..17, 20 and 33 records (full, partial and several
 *    batches), every lane its own connection: its own random AES key, MAC
 *    key (32 bytes, or empty, or longer than a block), sequence number
 *    (including 0 and 2^64 - 1), content type and IV;
 *  - lengths all equal (0, 1, 15, 16, 17, 50, 51, 52 around the MAC's first
 *    block, 1024, 16384, 17408), random 0..17408, and equal but one;
 *  - each lane's sealed bytes (in place, in its buffer) must equal the
 *    record sealed alone (hsb_native_seal_one) byte for byte, equal the
 *    record built with OpenSSL (HMAC over the RFC 5246 6.2.3.1 header and
 *    data, then EVP AES-128-CBC of data || MAC || padding), and decrypt with
 *    EVP back to the data with a MAC that HMAC verifies; nothing after it
 *    is written (a red zone);
 *  - a bad lane (length 17409, NULL AES key, NULL header, NULL istate)
 *    fails alone: its rc is HSB_E_USAGE, its buffer untouched, the call
 *    says HSB_E_USAGE, and the other lanes are sealed exactly as alone;
 *  - the native cbc-hmac class's seal_batch (this batch, or where VAES-512
 *    is absent a loop over the class's seal) equals the class's own seal
 *    (the stitched one where SHA-NI is) job by job, a bad job failing alone.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_test.h"
#include "native_cbc_hmac.h"
#include "native_seal_mb.h"

#define MAXN 33
#define RED 32 /* red-zone bytes after each body */
#define CAP (HSB_NATIVE_SEAL_ENC_LEN(HSB_NATIVE_SEAL_MAX_DATA) + RED)

typedef struct conn {
    uint8_t aes[16], mac[80];
    size_t mac_len;
    hsb_native_aes_ctx aes_ctx;
    hsb_native_hmac_mb_key mac_key;
} conn;

/* Lane i's record: its connection, sequence number, type, data and IV. */
typedef struct rec {
    uint64_t seq;
    uint8_t type, hdr[13], iv[16];
} rec;

static conn conns[MAXN];
static rec recs[MAXN];
static uint8_t data[MAXN][HSB_NATIVE_SEAL_MAX_DATA + 1];
static uint8_t got[MAXN][CAP], want[MAXN][CAP];

static void new_conn(conn *c, size_t i)
{
    hsb_test_prng_bytes(c->aes, 16);
    c->mac_len = i % 7 == 3 ? 0 : i % 7 == 5 ? 80 : 32;
    hsb_test_prng_bytes(c->mac, sizeof c->mac);
    CHECK_RC(hsb_native_aes_init(&c->aes_ctx, c->aes, 16), HSB_OK);
    CHECK_RC(hsb_native_hmac_mb_key_init(&c->mac_key, c->mac, c->mac_len), HSB_OK);
}

/* HMAC over the header and the len data bytes at d (one-shot HMAC over a
 * copy: header || data). */
static void ossl_mac(const conn *c, const rec *r, const uint8_t *d, size_t len, uint8_t mac[32])
{
    static uint8_t msg[13 + HSB_NATIVE_SEAL_MAX_DATA];
    static const uint8_t empty[1];
    unsigned ml = 0;
    memcpy(msg, r->hdr, 13);
    memcpy(msg + 13, d, len);
    if (!HMAC(EVP_sha256(), c->mac_len ? c->mac : empty, (int)c->mac_len, msg, 13 + len, mac, &ml))
        abort();
}

/* The record by OpenSSL: CBC(data || MAC || padding) into out. */
static size_t ossl_seal(const conn *c, const rec *r, const uint8_t *d, size_t len, uint8_t *out)
{
    static uint8_t plain[HSB_NATIVE_SEAL_MAX_DATA + 48];
    size_t pad = 15 - (len + 32) % 16, n = len + 32 + pad + 1;
    memcpy(plain, d, len);
    ossl_mac(c, r, d, len, plain + len);
    memset(plain + len + 32, (int)pad, pad + 1);
    EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
    int l = 0;
    if (!cc || EVP_EncryptInit_ex(cc, EVP_aes_128_cbc(), NULL, c->aes, r->iv) != 1 ||
        EVP_CIPHER_CTX_set_padding(cc, 0) != 1 ||
        EVP_EncryptUpdate(cc, out, &l, plain, (int)n) != 1 || (size_t)l != n)
        abort();
    EVP_CIPHER_CTX_free(cc);
    return n;
}

/* EVP decrypts the n sealed bytes back to the len bytes of d, with a
 * padding and a MAC that verify. */
static int ossl_opens(const conn *c, const rec *r, const uint8_t *sealed, size_t n,
                      const uint8_t *d, size_t len)
{
    static uint8_t plain[HSB_NATIVE_SEAL_MAX_DATA + 48];
    EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
    int l = 0;
    if (!cc || EVP_DecryptInit_ex(cc, EVP_aes_128_cbc(), NULL, c->aes, r->iv) != 1 ||
        EVP_CIPHER_CTX_set_padding(cc, 0) != 1 ||
        EVP_DecryptUpdate(cc, plain, &l, sealed, (int)n) != 1 || (size_t)l != n)
        abort();
    EVP_CIPHER_CTX_free(cc);
    size_t pad = plain[n - 1];
    if (pad + 1 + 32 > n || n - pad - 1 - 32 != len) return 0;
    for (size_t i = n - pad - 1; i < n; i++)
        if (plain[i] != pad) return 0;
    uint8_t mac[32];
    ossl_mac(c, r, plain, len, mac);
    return memcmp(mac, plain + len, 32) == 0 && memcmp(plain, d, len) == 0;
}

static size_t pick_len(int mode, size_t i, size_t eq)
{
    size_t max = HSB_NATIVE_SEAL_MAX_DATA;
    switch (mode) {
    case 0:
        return eq;
    case 1:
        return (size_t)(hsb_test_prng64() % (max + 1));
    default:
        return i == 1 ? (eq + 1 + (size_t)(hsb_test_prng64() % 300)) % (max + 1) : eq;
    }
}

static void put_hdr(rec *r, size_t len)
{
    for (int i = 0; i < 8; i++) r->hdr[i] = (uint8_t)(r->seq >> (56 - 8 * i));
    r->hdr[8] = r->type;
    r->hdr[9] = 3;
    r->hdr[10] = 3;
    r->hdr[11] = (uint8_t)(len >> 8);
    r->hdr[12] = (uint8_t)len;
}

/* Lanes 0..n-1 over conns: fresh data, IVs, sequence numbers, types. */
static void fill_lanes(hsb_native_seal_lane *ln, size_t n, int mode, size_t eq)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t x = hsb_test_prng64();
        rec *r = &recs[i];
        size_t len = pick_len(mode, i, eq);
        r->seq = i == 0 ? 0 : i == 2 ? UINT64_MAX : x;
        r->type = (uint8_t)(20 + x % 4);
        put_hdr(r, len);
        hsb_test_prng_bytes(r->iv, 16);
        hsb_test_prng_bytes(data[i], len);
        memset(got[i], 0xa5, CAP);
        memcpy(got[i], data[i], len);
        ln[i] = (hsb_native_seal_lane){
            .aes = &conns[i].aes_ctx,
            .istate = conns[i].mac_key.istate,
            .ostate = conns[i].mac_key.ostate,
            .hdr = r->hdr,
            .iv = r->iv,
            .buf = got[i],
            .len = len,
        };
    }
}

static int red_zone_ok(const uint8_t *p, size_t from)
{
    for (size_t i = from; i < from + RED && i < CAP; i++)
        if (p[i] != 0xa5) return 0;
    return 1;
}

/* Lane i against the record sealed alone, OpenSSL's record and EVP's
 * opening. */
static void check_lane(const char *what, const hsb_native_seal_lane *ln, size_t i)
{
    size_t n = HSB_NATIVE_SEAL_ENC_LEN(ln->len);
    CHECKF(ln->rc == HSB_OK && ln->out_len == n, "%s lane %zu len %zu: rc/out_len", what, i,
           ln->len);
    hsb_native_seal_lane one = *ln;
    memcpy(want[i], data[i], ln->len);
    one.buf = want[i];
    CHECK_RC(hsb_native_seal_one(&one), HSB_OK);
    CHECKF(one.out_len == n && memcmp(want[i], got[i], n) == 0,
           "%s lane %zu len %zu: batch differs from the record sealed alone", what, i, ln->len);
    size_t ol = ossl_seal(&conns[i], &recs[i], data[i], ln->len, want[i]);
    CHECKF(ol == n && memcmp(want[i], got[i], n) == 0,
           "%s lane %zu len %zu: differs from OpenSSL's record", what, i, ln->len);
    CHECKF(ossl_opens(&conns[i], &recs[i], got[i], n, data[i], ln->len), "%s lane %zu: EVP open",
           what, i);
    CHECKF(red_zone_ok(got[i], n), "%s lane %zu: written past the record", what, i);
}

static void test_batches(hsb_native_seal_path path)
{
    static const size_t ns[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 20, 33};
    static const size_t eqs[] = {0, 1, 15, 16, 17, 50, 51, 52, 1024, 16384, 17408};
    const char *name = hsb_native_seal_mb_path_name(path);
    hsb_native_seal_lane ln[MAXN];
    char what[96];
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
        for (int mode = 0; mode < 3; mode++) {
            size_t eq = eqs[(3 * a + (size_t)mode) % (sizeof eqs / sizeof eqs[0])];
            fill_lanes(ln, ns[a], mode, eq);
            snprintf(what, sizeof what, "%s n=%zu mode=%d eq=%zu", name, ns[a], mode, eq);
            CHECK_RC(hsb_native_seal_mb_path(path, ln, ns[a]), HSB_OK);
            for (size_t i = 0; i < ns[a]; i++) check_lane(what, &ln[i], i);
        }
}

/* Bad lanes among good ones: each fails alone, its buffer untouched. */
static void test_bad_lanes(hsb_native_seal_path path)
{
    const char *name = hsb_native_seal_mb_path_name(path);
    hsb_native_seal_lane ln[MAXN];
    char what[96];
    fill_lanes(ln, 20, 0, 2000);
    ln[3].len = HSB_NATIVE_SEAL_MAX_DATA + 1;
    ln[9].aes = NULL;
    ln[12].hdr = NULL;
    ln[17].istate = NULL;
    snprintf(what, sizeof what, "%s bad lanes", name);
    CHECK_RC(hsb_native_seal_mb_path(path, ln, 20), HSB_E_USAGE);
    for (size_t i = 0; i < 20; i++) {
        if (i == 3 || i == 9 || i == 12 || i == 17) {
            CHECKF(ln[i].rc == HSB_E_USAGE && ln[i].out_len == 0, "%s lane %zu: rc", what, i);
            CHECKF(memcmp(got[i], data[i], 2000) == 0 && red_zone_ok(got[i], 2000),
                   "%s lane %zu: a bad lane's buffer was written", what, i);
            continue;
        }
        ln[i].len = 2000; /* as filled */
        check_lane(what, &ln[i], i);
    }
    CHECK_RC(hsb_native_seal_mb_path(path, NULL, 1), HSB_E_USAGE);
    CHECK_RC(hsb_native_seal_mb_path(path, NULL, 0), HSB_OK);
}

/* The native cbc-hmac class's seal_batch (vaes512-x16, or a loop over its
 * seal where that is absent) against its own one-record seal, with the
 * connections' keys as the class's contexts; bad jobs fail alone. */
static void test_class_batch(void)
{
    const hsb_cbc_hmac_class *cc = hsb_native_cbc_hmac_get();
    if (!cc) {
        printf("SKIP cbc-hmac class: UNAVAILABLE\n");
        return;
    }
    CHECK(cc->seal_batch && cc->seal_lanes == HSB_NATIVE_SEAL_MB_LANES);
    printf("testing %s seal_batch (%s)\n", cc->name, hsb_native_cbc_hmac_batch_path());
    void *ctx[16];
    hsb_cbc_hmac_job jobs[17];
    hsb_native_seal_lane ln[MAXN];
    for (size_t i = 0; i < 16; i++) {
        ctx[i] = hsb_ctx_alloc(cc->ctx_size);
        CHECK_RC(cc->init(ctx[i], conns[i].aes, 16, conns[i].mac, conns[i].mac_len), HSB_OK);
    }
    for (int mode = 0; mode < 3; mode++)
        for (size_t n = 1; n <= 16; n += 5) {
            fill_lanes(ln, n, mode, mode == 0 ? 16384 : 700);
            for (size_t i = 0; i < n; i++)
                jobs[i] = (hsb_cbc_hmac_job){.ctx = ctx[i],
                                             .hdr = recs[i].hdr,
                                             .iv = recs[i].iv,
                                             .buf = got[i],
                                             .len = ln[i].len};
            int bad = mode == 2 && n > 1;
            if (bad) jobs[1].len = HSB_CBC_HMAC_MAX_LEN + 1;
            CHECK_RC(cc->seal_batch(jobs, n), bad ? HSB_E_USAGE : HSB_OK);
            for (size_t i = 0; i < n; i++) {
                if (bad && i == 1) {
                    CHECKF(jobs[i].rc == HSB_E_USAGE && memcmp(got[i], data[i], ln[i].len) == 0,
                           "class batch: bad job %zu", i);
                    continue;
                }
                size_t ol = 0;
                memcpy(want[i], data[i], ln[i].len);
                CHECK_RC(cc->seal(ctx[i], recs[i].hdr, recs[i].iv, want[i], ln[i].len, &ol),
                         HSB_OK);
                CHECKF(jobs[i].rc == HSB_OK && jobs[i].out_len == ol &&
                           memcmp(got[i], want[i], ol) == 0,
                       "class batch n=%zu mode=%d job %zu len %zu: differs from the class's seal",
                       n, mode, i, ln[i].len);
            }
        }
    CHECK_RC(cc->seal_batch(jobs, 17), HSB_E_USAGE);
    CHECK_RC(cc->seal_batch(NULL, 0), HSB_OK);
    for (size_t i = 0; i < 16; i++) {
        cc->clear(ctx[i]);
        hsb_ctx_free(ctx[i], cc->ctx_size);
    }
}

static void test_path(hsb_native_seal_path path, const char *label)
{
    if (!hsb_native_seal_mb_available(path)) {
        char cpu[256];
        hsb_cpu_describe(hsb_cpu(), cpu, sizeof cpu);
        printf("SKIP %s: UNAVAILABLE on this CPU (features: %s)\n", label, cpu);
        hsb_native_seal_lane ln[1];
        fill_lanes(ln, 1, 0, 16);
        CHECK_RC(hsb_native_seal_mb_path(path, ln, 1), HSB_E_UNAVAILABLE);
        return;
    }
    printf("testing %s (%s)\n", label, hsb_native_seal_mb_path_name(path));
    test_batches(path);
    test_bad_lanes(path);
}

int main(void)
{
    hsb_test_prng_seed(0x5ea1ed5eed);
    if (!hsb_cpu()->aesni) {
        printf("SKIP native seal: no AES-NI, so no native AES at all (UNAVAILABLE)\n");
        CHECK(!hsb_native_seal_mb_available(HSB_NATIVE_SEAL_PORTABLE));
        return hsb_test_report("native_seal_mb");
    }
    for (size_t i = 0; i < MAXN; i++) new_conn(&conns[i], i);
    test_path(HSB_NATIVE_SEAL_VAES512, "vaes512-x16");
    test_path(HSB_NATIVE_SEAL_PORTABLE, "portable");
    test_path(HSB_NATIVE_SEAL_AUTO, "auto");
    test_class_batch();
    for (size_t i = 0; i < MAXN; i++) {
        hsb_native_aes_clear(&conns[i].aes_ctx);
        hsb_native_hmac_mb_key_clear(&conns[i].mac_key);
    }
    return hsb_test_report("native_seal_mb");
}
