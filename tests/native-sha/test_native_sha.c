/*
 * test_native_sha.c - the native backend's SHA-256 and HMAC-SHA256, every
 * path this CPU can run, against OpenSSL on random lengths and split points.
 *
 * One stream: each class (portable, SHA-NI) through its hsb_*_class table:
 * known answers (FIPS 180-2 appendix B, RFC 4231 case 2), random messages
 * fed in random pieces, copy mid-stream, final's reset, HMAC keys of every
 * length around the block size, a red zone after every tag, and clear
 * leaving a zeroed context. A path the CPU lacks says UNAVAILABLE.
 *
 * The class the native backend registers must follow hsb_cpu(): ctest runs
 * this again with HSB_CPU_DISABLE=sha (portable one-stream), and with
 * HSB_CPU_DISABLE=all (no SIMD at all).
 *
 * Multi-buffer (hsb_native_sha256_mb, hsb_native_hmac_sha256_mb): every
 * path the CPU has (AVX-512 16 lanes, AVX2 8 lanes), the portable loop, and
 * the automatic choice, for n = 1..33 and 40 (so batches not a multiple of
 * the lane count), lanes of random lengths 0..5000, of equal lengths, equal
 * but one, and short ones; HMAC with lanes under different keys (32 bytes,
 * empty, longer than a block); against OpenSSL one message at a time.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_test.h"
#include "native_sha256.h"

#define MAXLEN 5000

static void ref_hmac(const uint8_t *key, size_t kl, const uint8_t *m, size_t len, uint8_t out[32])
{
    unsigned int ol = 0;
    static const uint8_t empty[1];
    if (!HMAC(EVP_sha256(), kl ? key : empty, (int)kl, len ? m : empty, len, out, &ol)) abort();
}

/* Feed len bytes in random pieces (some empty). */
static void feed_sha(const hsb_sha256_class *s, void *ctx, const uint8_t *m, size_t len)
{
    size_t off = 0;
    while (off < len) {
        size_t step = (size_t)(hsb_test_prng64() % 200);
        if (step > len - off) step = len - off;
        s->update(ctx, m + off, step);
        off += step;
    }
}

static void test_sha_class(const hsb_sha256_class *s)
{
    static uint8_t msg[MAXLEN];
    uint8_t got[32 + 16], want[32];
    void *ctx = hsb_ctx_alloc(s->ctx_size), *ctx2 = hsb_ctx_alloc(s->ctx_size);
    CHECK_RC(s->init(ctx), HSB_OK);
    CHECK_RC(s->init(ctx2), HSB_OK);

    /* FIPS 180-2 appendix B.1 and B.2. */
    static const struct {
        const char *m, *d;
    } kat[] = {
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        s->update(ctx, kat[i].m, strlen(kat[i].m));
        s->final(ctx, got);
        hsb_test_unhex(want, kat[i].d);
        CHECKF(memcmp(got, want, 32) == 0, "%s: KAT %zu", s->name, i);
    }

    for (int iter = 0; iter < 400; iter++) {
        size_t len = iter < 200 ? (size_t)iter : (size_t)(hsb_test_prng64() % (MAXLEN + 1));
        hsb_test_prng_bytes(msg, len);
        SHA256(msg, len, want);
        memset(got, 0xa5, sizeof got);
        feed_sha(s, ctx, msg, len);
        s->final(ctx, got);
        CHECKF(memcmp(got, want, 32) == 0, "%s: len %zu", s->name, len);
        int rz = 1;
        for (size_t i = 32; i < sizeof got; i++) rz &= got[i] == 0xa5;
        CHECKF(rz, "%s: wrote past the digest", s->name);

        /* Copy at a random point, then both finish the same message. */
        size_t cut = len ? (size_t)(hsb_test_prng64() % len) : 0;
        s->update(ctx, msg, cut);
        CHECK_RC(s->copy(ctx2, ctx), HSB_OK);
        s->update(ctx, msg + cut, len - cut);
        s->update(ctx2, msg + cut, len - cut);
        s->final(ctx, got);
        CHECKF(memcmp(got, want, 32) == 0, "%s: copy, source, len %zu cut %zu", s->name, len, cut);
        s->final(ctx2, got);
        CHECKF(memcmp(got, want, 32) == 0, "%s: copy, len %zu cut %zu", s->name, len, cut);
    }
    s->clear(ctx);
    int zero = 1;
    for (size_t i = 0; i < s->ctx_size; i++) zero &= ((uint8_t *)ctx)[i] == 0;
    CHECKF(zero, "%s: clear left state behind", s->name);
    s->clear(ctx2);
    hsb_ctx_free(ctx, s->ctx_size);
    hsb_ctx_free(ctx2, s->ctx_size);
}

static void test_hmac_class(const hsb_hmac_sha256_class *h)
{
    static uint8_t msg[MAXLEN];
    uint8_t key[200], got[32 + 16], want[32];
    void *ctx = hsb_ctx_alloc(h->ctx_size);

    /* RFC 4231 test case 2: key "Jefe". */
    static const char m2[] = "what do ya want for nothing?";
    CHECK_RC(h->init(ctx, (const uint8_t *)"Jefe", 4), HSB_OK);
    h->update(ctx, m2, strlen(m2));
    h->final(ctx, got);
    hsb_test_unhex(want, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECKF(memcmp(got, want, 32) == 0, "%s: RFC 4231 case 2", h->name);
    h->clear(ctx);

    CHECK_RC(h->init(ctx, NULL, 1), HSB_E_USAGE);
    for (size_t kl = 0; kl <= sizeof key; kl += (kl < 70 || kl > 125) ? 1 : 13) {
        hsb_test_prng_bytes(key, kl);
        CHECK_RC(h->init(ctx, kl ? key : NULL, kl), HSB_OK);
        /* Several messages per init: final resets to the keyed state. */
        for (int rep = 0; rep < 3; rep++) {
            size_t len = (size_t)(hsb_test_prng64() % (rep == 2 ? MAXLEN + 1 : 300));
            hsb_test_prng_bytes(msg, len);
            ref_hmac(key, kl, msg, len, want);
            memset(got, 0xa5, sizeof got);
            size_t off = 0;
            while (off < len) {
                size_t step = (size_t)(hsb_test_prng64() % 150);
                if (step > len - off) step = len - off;
                h->update(ctx, msg + off, step);
                off += step;
            }
            h->final(ctx, got);
            CHECKF(memcmp(got, want, 32) == 0, "%s: key %zu, len %zu", h->name, kl, len);
            int rz = 1;
            for (size_t i = 32; i < sizeof got; i++) rz &= got[i] == 0xa5;
            CHECKF(rz, "%s: wrote past the tag", h->name);
        }
        h->clear(ctx);
        int zero = 1;
        for (size_t i = 0; i < h->ctx_size; i++) zero &= ((uint8_t *)ctx)[i] == 0;
        CHECKF(zero, "%s: clear left key material behind", h->name);
    }
    hsb_ctx_free(ctx, h->ctx_size);
}

/* ------------------------------------------------------------ multi-buffer */

#define MB_MAX 40

/* One trial of n messages: lengths by shape (0 random 0..MAXLEN, 1 all equal,
 * 2 equal but for one, 3 short 0..130), each message in its own exactly
 * sized allocation (ASan sees any over-read); digests and tags against
 * OpenSSL, one slot past the last output must stay untouched. */
static void mb_trial(hsb_native_mb_path path, size_t n, int shape)
{
    uint8_t *msg[MB_MAX];
    size_t len[MB_MAX];
    uint8_t out[MB_MAX + 1][32], want[32];
    hsb_native_hmac_mb_key keys[3];
    const hsb_native_hmac_mb_key *kp[MB_MAX];
    uint8_t key[3][100];
    size_t kl[3] = {32, 0, 65 + (size_t)(hsb_test_prng64() % 35)};
    const char *name = hsb_native_sha256_mb_path_name(path);

    size_t same = (size_t)(hsb_test_prng64() % (MAXLEN + 1));
    for (size_t i = 0; i < n; i++) {
        switch (shape) {
        case 1:
            len[i] = same;
            break;
        case 2:
            len[i] = i == n / 2 ? (size_t)(hsb_test_prng64() % (MAXLEN + 1)) : same;
            break;
        case 3:
            len[i] = (size_t)(hsb_test_prng64() % 131);
            break;
        default:
            len[i] = (size_t)(hsb_test_prng64() % (MAXLEN + 1));
            break;
        }
        msg[i] = len[i] ? malloc(len[i]) : NULL;
        if (len[i] && !msg[i]) abort();
        hsb_test_prng_bytes(msg[i], len[i]);
    }
    for (int k = 0; k < 3; k++) {
        hsb_test_prng_bytes(key[k], kl[k]);
        CHECK_RC(hsb_native_hmac_mb_key_init(&keys[k], key[k], kl[k]), HSB_OK);
    }
    for (size_t i = 0; i < n; i++) kp[i] = &keys[i % 3 == 2 ? (i / 3) % 3 : 0];

    memset(out, 0xa5, sizeof out);
    CHECK_RC(hsb_native_sha256_mb_path(path, (const uint8_t *const *)msg, len, n, out), HSB_OK);
    for (size_t i = 0; i < n; i++) {
        SHA256(msg[i] ? msg[i] : key[0], len[i], want);
        CHECKF(memcmp(out[i], want, 32) == 0, "sha256 mb %s: n %zu shape %d, lane %zu len %zu",
               name, n, shape, i, len[i]);
    }
    int rz = 1;
    for (int j = 0; j < 32; j++) rz &= out[n][j] == 0xa5;
    CHECKF(rz, "sha256 mb %s: wrote past out[n-1] (n %zu)", name, n);

    memset(out, 0xa5, sizeof out);
    CHECK_RC(hsb_native_hmac_sha256_mb_path(path, kp, (const uint8_t *const *)msg, len, n, out),
             HSB_OK);
    for (size_t i = 0; i < n; i++) {
        int k = (int)(kp[i] - keys);
        ref_hmac(key[k], kl[k], msg[i], len[i], want);
        CHECKF(memcmp(out[i], want, 32) == 0,
               "hmac mb %s: n %zu shape %d, lane %zu len %zu key %zu", name, n, shape, i, len[i],
               kl[k]);
    }
    rz = 1;
    for (int j = 0; j < 32; j++) rz &= out[n][j] == 0xa5;
    CHECKF(rz, "hmac mb %s: wrote past tag[n-1] (n %zu)", name, n);

    for (int k = 0; k < 3; k++) {
        hsb_native_hmac_mb_key_clear(&keys[k]);
        int zero = 1;
        for (size_t j = 0; j < sizeof keys[k]; j++) zero &= ((uint8_t *)&keys[k])[j] == 0;
        CHECK(zero);
    }
    for (size_t i = 0; i < n; i++) free(msg[i]);
}

static void test_mb(void)
{
    static const hsb_native_mb_path paths[] = {HSB_NATIVE_MB_PORTABLE, HSB_NATIVE_MB_AVX2,
                                               HSB_NATIVE_MB_AVX512, HSB_NATIVE_MB_AUTO};
    static const char *names[] = {"portable", "avx2-x8", "avx512-x16", "auto"};
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        if (!hsb_native_sha256_mb_available(paths[p])) {
            printf("mb %-10s UNAVAILABLE (CPU lacks it or HSB_CPU_DISABLE)\n", names[p]);
            uint8_t out[1][32];
            const uint8_t *m[1] = {NULL};
            size_t l[1] = {0};
            CHECK_RC(hsb_native_sha256_mb_path(paths[p], m, l, 1, out), HSB_E_UNAVAILABLE);
            continue;
        }
        int before = hsb_test_failures;
        for (size_t n = 1; n <= 33; n++)
            for (int shape = 0; shape < 4; shape++) mb_trial(paths[p], n, shape);
        mb_trial(paths[p], MB_MAX, 0);
        printf("mb %-10s tested (%s, n 1..33 and %d)%s\n", names[p],
               hsb_native_sha256_mb_path_name(paths[p]), MB_MAX,
               hsb_test_failures > before ? ": FAILURES" : "");
    }
    /* Contract: n 0 is a no-op; NULL arrays or a NULL message with bytes are
     * usage errors. */
    uint8_t out[2][32];
    const uint8_t *m[2] = {NULL, NULL};
    size_t l[2] = {0, 5};
    CHECK_RC(hsb_native_sha256_mb(NULL, NULL, 0, NULL), HSB_OK);
    CHECK_RC(hsb_native_sha256_mb(NULL, l, 1, out), HSB_E_USAGE);
    CHECK_RC(hsb_native_sha256_mb(m, l, 2, out), HSB_E_USAGE);
    CHECK_RC(hsb_native_hmac_sha256_mb(NULL, m, l, 1, out), HSB_E_USAGE);
}

/* The native backend registers the path hsb_cpu() allows. */
static void test_selection(void)
{
    const hsb_backend *b = hsb_native_backend();
    const char *want_sha = hsb_cpu()->sha_ni ? "sha256-shani" : "sha256-portable";
    const char *want_hmac = hsb_cpu()->sha_ni ? "hmac-sha256-shani" : "hmac-sha256-portable";
    CHECKF(b->sha256 && strcmp(b->sha256->name, want_sha) == 0, "native sha256 is %s, want %s",
           b->sha256 ? b->sha256->name : "NULL", want_sha);
    CHECKF(b->hmac && strcmp(b->hmac->name, want_hmac) == 0, "native hmac is %s, want %s",
           b->hmac ? b->hmac->name : "NULL", want_hmac);
    const char *off = getenv("HSB_CPU_DISABLE");
    if (off && (strstr(off, "sha") || strcmp(off, "all") == 0)) {
        CHECK(!hsb_cpu()->sha_ni);
        CHECK(hsb_native_sha256_shani_get() == NULL);
        CHECK(hsb_native_hmac_shani_get() == NULL);
    }
    printf("native one-stream: %s, %s\n", want_sha, want_hmac);
}

int main(void)
{
    hsb_test_prng_seed(0x5ba256c0ffee01ull);
    test_selection();
    const hsb_sha256_class *sha[] = {hsb_native_sha256_portable_get(),
                                     hsb_native_sha256_shani_get()};
    const hsb_hmac_sha256_class *hmac[] = {hsb_native_hmac_portable_get(),
                                           hsb_native_hmac_shani_get()};
    static const char *path[] = {"portable", "shani"};
    for (int i = 0; i < 2; i++) {
        if (!sha[i] || !hmac[i]) {
            printf("%-10s UNAVAILABLE (CPU lacks it or HSB_CPU_DISABLE)\n", path[i]);
            continue;
        }
        test_sha_class(sha[i]);
        test_hmac_class(hmac[i]);
        printf("%-10s %s, %s: tested\n", path[i], sha[i]->name, hmac[i]->name);
    }
    test_mb();
    return hsb_test_report("native_sha");
}
