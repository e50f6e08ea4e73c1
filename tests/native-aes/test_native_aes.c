/*
 * test_native_aes.c - the native backend's hand-written AES-128, every path
 * this CPU can run (xmm AES-NI, ymm VAES, zmm VAES), against published known
 * answers and against OpenSSL EVP on random keys, IVs, counters and lengths.
 *
 * Every class is driven through the hsb_aes_class table, with red zones
 * around every output buffer (SUPERCOP's try.c habit), out of place and in
 * place. A path this CPU lacks is reported UNAVAILABLE, never passed. ctest
 * runs this program again with HSB_CPU_DISABLE=vaes and =aesni, so that the
 * table built for a lesser CPU is checked too.
 *
 * usage: test_native_aes [VECTORS_DIR]   (NIST CAVP CBC*128.rsp files are run
 *        from VECTORS_DIR/nist-cavp/aes when it is given and present)
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_native_aes.h"
#include "hsb_st_kat.h"
#include "hsb_test.h"

/* ------------------------------------------------------------------ helpers */

/* A buffer with red zones on both sides, filled with a pattern the code under
 * test must not touch. */
#define RZ 64
typedef struct {
    uint8_t *base;
    uint8_t *p;
    size_t len;
} zbuf;
static zbuf zalloc(size_t len)
{
    zbuf z;
    z.base = malloc(len + 2 * RZ);
    if (!z.base) abort();
    memset(z.base, 0xa5, len + 2 * RZ);
    z.p = z.base + RZ;
    z.len = len;
    return z;
}
static int zintact(const zbuf *z)
{
    for (size_t i = 0; i < RZ; i++)
        if (z->base[i] != 0xa5 || z->base[RZ + z->len + i] != 0xa5) return 0;
    return 1;
}
static void zfree(zbuf *z)
{
    free(z->base);
    z->base = z->p = NULL;
}

/* 128-bit big-endian counter + n, the way SP 800-38A B.1 counts. */
static void ctr_add(uint8_t c[16], uint64_t n)
{
    for (int i = 15; i >= 0 && n; i--) {
        uint64_t s = c[i] + (n & 0xff);
        c[i] = (uint8_t)s;
        n = (n >> 8) + (s >> 8);
    }
}

/* --------------------------------------------------- OpenSSL references */

static EVP_CIPHER *evp_ecb, *evp_cbc, *evp_ctr;

static void ref_cipher(const EVP_CIPHER *ciph, int enc, const uint8_t key[16], const uint8_t *iv,
                       uint8_t *out, const uint8_t *in, size_t len)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0;
    if (!x || !EVP_CipherInit_ex(x, ciph, NULL, key, iv, enc) ||
        !EVP_CIPHER_CTX_set_padding(x, 0) ||
        (len && !EVP_CipherUpdate(x, out, &l1, in, (int)len)) ||
        !EVP_CipherFinal_ex(x, out + l1, &l2) || (size_t)(l1 + l2) != len) {
        fprintf(stderr, "OpenSSL reference failed\n");
        exit(2);
    }
    EVP_CIPHER_CTX_free(x);
}

/* CTR built from OpenSSL's single-block ECB and our own 128-bit counter, so
 * the counter arithmetic is checked against something other than a CTR mode. */
static void ref_ctr_ecb(const uint8_t key[16], const uint8_t ctr0[16], uint8_t *out,
                        const uint8_t *in, size_t len)
{
    uint8_t c[16], ks[16];
    memcpy(c, ctr0, 16);
    for (size_t off = 0; off < len; off += 16) {
        ref_cipher(evp_ecb, 1, key, NULL, ks, c, 16);
        size_t n = len - off < 16 ? len - off : 16;
        for (size_t i = 0; i < n; i++) out[off + i] = in[off + i] ^ ks[i];
        ctr_add(c, 1);
    }
}

/* ------------------------------------------------------------- the tests */

typedef struct {
    const hsb_aes_class *cls;
    void *ctx;
} impl;

static void set_key(impl *m, const uint8_t key[16])
{
    hsb_rc rc = m->cls->init(m->ctx, key, 16);
    CHECKF(rc == HSB_OK, "%s: init rc %d", m->cls->name, (int)rc);
}

/* FIPS-197 Appendix C.1 and SP 800-38A F.2.1/F.2.2, F.5.1/F.5.2 (AES-128). */
static void test_known_answers(impl *m)
{
    const char *name = m->cls->name;
    uint8_t key[16], pt[64], ct[64], iv[16], out[64], v[16];

    const hsb_st_kat_cipher *c1 = &hsb_st_kat_fips197_c1, *cbc = &hsb_st_kat_sp38a_cbc128,
                            *ctr = &hsb_st_kat_sp38a_ctr128;
    hsb_test_unhex(key, c1->key);
    hsb_test_unhex(pt, c1->pt);
    hsb_test_unhex(ct, c1->ct);
    set_key(m, key);
    memset(v, 0, 16); /* CBC with a zero IV is the block cipher on one block */
    CHECKF(m->cls->cbc_encrypt(m->ctx, v, out, pt, 16) == HSB_OK && !memcmp(out, ct, 16),
           "%s: FIPS-197 C.1 encrypt", name);
    memset(v, 0, 16);
    CHECKF(m->cls->cbc_decrypt(m->ctx, v, out, ct, 16) == HSB_OK && !memcmp(out, pt, 16),
           "%s: FIPS-197 C.1 decrypt", name);

    hsb_test_unhex(key, cbc->key);
    hsb_test_unhex(pt, cbc->pt);
    set_key(m, key);

    hsb_test_unhex(iv, cbc->iv);
    hsb_test_unhex(ct, cbc->ct);
    memcpy(v, iv, 16);
    CHECKF(m->cls->cbc_encrypt(m->ctx, v, out, pt, 64) == HSB_OK && !memcmp(out, ct, 64) &&
               !memcmp(v, ct + 48, 16),
           "%s: SP 800-38A F.2.1 CBC-AES128.Encrypt", name);
    memcpy(v, iv, 16);
    CHECKF(m->cls->cbc_decrypt(m->ctx, v, out, ct, 64) == HSB_OK && !memcmp(out, pt, 64) &&
               !memcmp(v, ct + 48, 16),
           "%s: SP 800-38A F.2.2 CBC-AES128.Decrypt", name);

    uint8_t c0[16], cend[16];
    hsb_test_unhex(c0, ctr->iv);
    hsb_test_unhex(ct, ctr->ct);
    memcpy(cend, c0, 16);
    ctr_add(cend, 4);
    memcpy(v, c0, 16);
    CHECKF(m->cls->ctr(m->ctx, v, out, pt, 64) == HSB_OK && !memcmp(out, ct, 64) &&
               !memcmp(v, cend, 16),
           "%s: SP 800-38A F.5.1 CTR-AES128.Encrypt", name);
    memcpy(v, c0, 16);
    CHECKF(m->cls->ctr(m->ctx, v, out, ct, 64) == HSB_OK && !memcmp(out, pt, 64),
           "%s: SP 800-38A F.5.2 CTR-AES128.Decrypt", name);
}

/* The contract's edges: key sizes, lengths, NULLs, nothing written on error. */
static void test_contract(impl *m)
{
    const char *name = m->cls->name;
    uint8_t key[32] = {0}, v[16] = {0}, in[48] = {0}, out[48];
    CHECKF(m->cls->key_sizes == HSB_AES_KEY_128, "%s: key_sizes", name);
    CHECKF(m->cls->init(m->ctx, key, 24) == HSB_E_UNSUPPORTED, "%s: 192-bit key", name);
    CHECKF(m->cls->init(m->ctx, key, 32) == HSB_E_UNSUPPORTED, "%s: 256-bit key", name);
    CHECKF(m->cls->init(m->ctx, key, 15) == HSB_E_USAGE, "%s: 15-byte key", name);
    CHECKF(m->cls->init(m->ctx, NULL, 16) == HSB_E_USAGE, "%s: NULL key", name);
    set_key(m, key);
    memset(out, 0x5a, sizeof out);
    CHECKF(m->cls->cbc_encrypt(m->ctx, v, out, in, 17) == HSB_E_USAGE, "%s: cbc len 17", name);
    CHECKF(m->cls->cbc_decrypt(m->ctx, v, out, in, 40) == HSB_E_USAGE, "%s: cbc len 40", name);
    for (size_t i = 0; i < sizeof out; i++) CHECKF(out[i] == 0x5a, "%s: wrote on error", name);
    CHECKF(m->cls->cbc_encrypt(m->ctx, v, NULL, NULL, 0) == HSB_OK, "%s: cbc len 0", name);
    CHECKF(m->cls->ctr(m->ctx, v, NULL, NULL, 0) == HSB_OK, "%s: ctr len 0", name);
    CHECKF(m->cls->ctr(m->ctx, v, NULL, in, 5) == HSB_E_USAGE, "%s: ctr NULL out", name);
    for (int i = 0; i < 16; i++) CHECKF(v[i] == 0, "%s: iv moved by len 0 / errors", name);
}

/* One CBC differential case: out of place, in place, and split in two calls. */
static void cbc_case(impl *m, const uint8_t key[16], const uint8_t iv[16], const uint8_t *pt,
                     size_t len)
{
    const char *name = m->cls->name;
    uint8_t *want = malloc(len + 1), v[16];
    ref_cipher(evp_cbc, 1, key, iv, want, pt, len);

    zbuf o = zalloc(len);
    memcpy(v, iv, 16);
    CHECKF(m->cls->cbc_encrypt(m->ctx, v, o.p, pt, len) == HSB_OK && !memcmp(o.p, want, len) &&
               zintact(&o) && !memcmp(v, len ? want + len - 16 : iv, 16),
           "%s: cbc encrypt len %zu", name, len);
    memcpy(v, iv, 16);
    CHECKF(m->cls->cbc_decrypt(m->ctx, v, o.p, want, len) == HSB_OK && !memcmp(o.p, pt, len) &&
               zintact(&o) && !memcmp(v, len ? want + len - 16 : iv, 16),
           "%s: cbc decrypt len %zu", name, len);

    /* in == out */
    memcpy(o.p, pt, len);
    memcpy(v, iv, 16);
    CHECKF(m->cls->cbc_encrypt(m->ctx, v, o.p, o.p, len) == HSB_OK && !memcmp(o.p, want, len) &&
               zintact(&o),
           "%s: cbc encrypt in place len %zu", name, len);
    memcpy(v, iv, 16);
    CHECKF(m->cls->cbc_decrypt(m->ctx, v, o.p, o.p, len) == HSB_OK && !memcmp(o.p, pt, len) &&
               zintact(&o),
           "%s: cbc decrypt in place len %zu", name, len);

    /* Two calls chain through iv. */
    size_t cut = len ? 16 * (size_t)(hsb_test_prng64() % (len / 16 + 1)) : 0;
    memcpy(v, iv, 16);
    CHECKF(m->cls->cbc_encrypt(m->ctx, v, o.p, pt, cut) == HSB_OK &&
               m->cls->cbc_encrypt(m->ctx, v, o.p + cut, pt + cut, len - cut) == HSB_OK &&
               !memcmp(o.p, want, len),
           "%s: cbc encrypt split %zu+%zu", name, cut, len - cut);
    memcpy(v, iv, 16);
    CHECKF(m->cls->cbc_decrypt(m->ctx, v, o.p, want, cut) == HSB_OK &&
               m->cls->cbc_decrypt(m->ctx, v, o.p + cut, want + cut, len - cut) == HSB_OK &&
               !memcmp(o.p, pt, len),
           "%s: cbc decrypt split %zu+%zu", name, cut, len - cut);
    zfree(&o);
    free(want);
}

/* One CTR differential case against both references; the counter after the
 * call must be ctr0 + ceil(len/16). */
static void ctr_case(impl *m, const uint8_t key[16], const uint8_t c0[16], const uint8_t *pt,
                     size_t len, int with_ecb_ref)
{
    const char *name = m->cls->name;
    uint8_t *want = malloc(len + 1), v[16], cend[16];
    ref_cipher(evp_ctr, 1, key, c0, want, pt, len);
    if (with_ecb_ref) {
        uint8_t *w2 = malloc(len + 1);
        ref_ctr_ecb(key, c0, w2, pt, len);
        CHECKF(!memcmp(w2, want, len), "reference CTRs disagree at len %zu", len);
        free(w2);
    }
    memcpy(cend, c0, 16);
    ctr_add(cend, (len + 15) / 16);

    zbuf o = zalloc(len);
    memcpy(v, c0, 16);
    CHECKF(m->cls->ctr(m->ctx, v, o.p, pt, len) == HSB_OK && !memcmp(o.p, want, len) &&
               zintact(&o) && !memcmp(v, cend, 16),
           "%s: ctr len %zu", name, len);
    memcpy(o.p, pt, len);
    memcpy(v, c0, 16);
    CHECKF(m->cls->ctr(m->ctx, v, o.p, o.p, len) == HSB_OK && !memcmp(o.p, want, len) &&
               zintact(&o) && !memcmp(v, cend, 16),
           "%s: ctr in place len %zu", name, len);
    /* Two calls, the first a whole number of blocks, chain through ctr. */
    size_t cut = 16 * (size_t)(hsb_test_prng64() % (len / 16 + 1));
    memcpy(v, c0, 16);
    CHECKF(m->cls->ctr(m->ctx, v, o.p, pt, cut) == HSB_OK &&
               m->cls->ctr(m->ctx, v, o.p + cut, pt + cut, len - cut) == HSB_OK &&
               !memcmp(o.p, want, len) && !memcmp(v, cend, 16),
           "%s: ctr split %zu+%zu", name, cut, len - cut);
    zfree(&o);
    free(want);
}

static void test_differential(impl *m)
{
    enum { MAXLEN = 70000 };
    uint8_t key[16], iv[16];
    uint8_t *pt = malloc(MAXLEN);
    hsb_test_prng_bytes(pt, MAXLEN);

    /* CBC: every whole-block length up to 304 bytes, a few keys each. */
    for (size_t len = 0; len <= 304; len += 16)
        for (int k = 0; k < 4; k++) {
            hsb_test_prng_bytes(key, 16);
            hsb_test_prng_bytes(iv, 16);
            set_key(m, key);
            cbc_case(m, key, iv, pt + (hsb_test_prng64() % 64), len);
        }
    /* CTR: every length up to 300 bytes, random counters. */
    for (size_t len = 0; len <= 300; len++)
        for (int k = 0; k < 2; k++) {
            hsb_test_prng_bytes(key, 16);
            hsb_test_prng_bytes(iv, 16);
            set_key(m, key);
            ctr_case(m, key, iv, pt + (hsb_test_prng64() % 64), len, len < 100);
        }
    /* Big and odd sizes, including those around the batch sizes. */
    static const size_t big[] = {16384,     16384 + 16, 16384 - 16, 1024,
                                 4096 + 48, 8192 + 496, 65536,      65536 + 16 * 31,
                                 512 - 16,  512 + 16,   768,        2048 + 240};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        hsb_test_prng_bytes(key, 16);
        hsb_test_prng_bytes(iv, 16);
        set_key(m, key);
        cbc_case(m, key, iv, pt, big[i]);
        ctr_case(m, key, iv, pt + 3, big[i] + (hsb_test_prng64() % 16), 0);
    }
    for (int i = 0; i < 40; i++) {
        size_t len = (size_t)(hsb_test_prng64() % 20000);
        hsb_test_prng_bytes(key, 16);
        hsb_test_prng_bytes(iv, 16);
        set_key(m, key);
        cbc_case(m, key, iv, pt + 1, len & ~(size_t)15);
        ctr_case(m, key, iv, pt + 1, len, 0);
    }
    free(pt);
}

/* Counters that wrap inside a call, at every position of a batch: across the
 * 2^32 boundary (the low word), 2^64 (into the high half) and 2^128 (back to
 * zero). */
static void test_ctr_wrap(impl *m)
{
    uint8_t key[16], c0[16], pt[16 * 81 + 16]; /* the longest case below: 80 blocks + 15 */
    hsb_test_prng_bytes(key, 16);
    hsb_test_prng_bytes(pt, sizeof pt);
    set_key(m, key);
    for (int kind = 0; kind < 3; kind++)
        for (unsigned before = 0; before <= 40; before++) {
            hsb_test_prng_bytes(c0, 16);
            int ones = kind == 0 ? 4 : kind == 1 ? 8 : 16; /* trailing 0xff bytes */
            memset(c0 + 16 - ones, 0xff, (size_t)ones);
            /* c0 = boundary - 1 - before: lower the last byte(s) by 'before'. */
            uint8_t sub = (uint8_t)before;
            c0[15] = (uint8_t)(0xff - sub);
            size_t len = 16 * (before + 1 + (hsb_test_prng64() % 40)) + (hsb_test_prng64() % 16);
            ctr_case(m, key, c0, pt, len, 1);
        }
    /* A long run crossing 2^64 in the middle of a wide batch. */
    uint8_t *big = malloc(40000);
    hsb_test_prng_bytes(big, 40000);
    memset(c0, 0, 16);
    c0[7] = 0x42;
    memset(c0 + 8, 0xff, 8);
    c0[15] = 0x80; /* 127 blocks before the wrap */
    ctr_case(m, key, c0, big, 40000, 1);
    free(big);
}

/* NIST CAVP AESVS CBC files for 128-bit keys, when the vectors are present. */
static int run_cavp_file(impl *m, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[2048];
    int encrypt = 1, n = 0;
    uint8_t key[16], iv[16], pt[256], ct[256], out[256], v[16];
    size_t ptl = 0, ctl = 0;
    int have = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "[ENCRYPT]", 9))
            encrypt = 1;
        else if (!strncmp(line, "[DECRYPT]", 9))
            encrypt = 0;
        else if (!strncmp(line, "KEY = ", 6))
            hsb_test_unhex(key, line + 6), have |= 1;
        else if (!strncmp(line, "IV = ", 5))
            hsb_test_unhex(iv, line + 5), have |= 2;
        else if (!strncmp(line, "PLAINTEXT = ", 12))
            ptl = hsb_test_unhex(pt, line + 12), have |= 4;
        else if (!strncmp(line, "CIPHERTEXT = ", 13))
            ctl = hsb_test_unhex(ct, line + 13), have |= 8;
        if (have == 15) {
            set_key(m, key);
            memcpy(v, iv, 16);
            if (encrypt)
                CHECKF(ptl == ctl && m->cls->cbc_encrypt(m->ctx, v, out, pt, ptl) == HSB_OK &&
                           !memcmp(out, ct, ctl),
                       "%s: %s case %d", m->cls->name, path, n);
            else
                CHECKF(ptl == ctl && m->cls->cbc_decrypt(m->ctx, v, out, ct, ctl) == HSB_OK &&
                           !memcmp(out, pt, ptl),
                       "%s: %s case %d", m->cls->name, path, n);
            n++;
            have = 0;
        }
    }
    fclose(f);
    return n;
}

static void test_cavp(impl *m, const char *dir)
{
    static const char *files[] = {"CBCGFSbox128.rsp", "CBCKeySbox128.rsp", "CBCVarKey128.rsp",
                                  "CBCVarTxt128.rsp"};
    int total = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/nist-cavp/aes/%s", dir, files[i]);
        int n = run_cavp_file(m, path);
        if (n < 0) {
            printf("  %s: %s absent, skipped\n", m->cls->name, files[i]);
            continue;
        }
        total += n;
    }
    if (total) printf("  %s: %d NIST CAVP CBC-128 records\n", m->cls->name, total);
}

/* The table must match the CPU: each getter non-NULL exactly when its
 * features are present, the backend serving the widest one. */
static void test_selection(void)
{
    const hsb_cpu_features *f = hsb_cpu();
    const hsb_aes_class *ni = hsb_native_aes_ni_get(), *y = hsb_native_aes_vaes256_get(),
                        *z = hsb_native_aes_vaes512_get();
    CHECKF(!!ni == !!f->aesni, "aesni getter vs cpu");
    CHECKF(!!y == !!(f->aesni && f->vaes && f->avx2), "vaes256 getter vs cpu");
    CHECKF(!!z == !!(f->aesni && f->vaes && f->avx2 && f->avx512f && f->avx512bw),
           "vaes512 getter vs cpu");
    const hsb_aes_class *best = z ? z : y ? y : ni;
    const hsb_backend *b = hsb_native_backend();
    CHECKF(b && b->aes == best, "native backend's aes is not the widest available");
    CHECKF(b && b->about && strstr(b->about, best ? best->name : "unavailable"),
           "about line does not name the AES choice: %s", b && b->about ? b->about : "(null)");
    char feats[256];
    hsb_cpu_describe(f, feats, sizeof feats);
    printf("cpu: %s\n  disabled: %s\n  backend: %s\n", feats, f->disabled[0] ? f->disabled : "-",
           b ? b->about : "-");
}

int main(int argc, char **argv)
{
    const char *vectors = argc > 1 ? argv[1] : NULL;
    hsb_test_print_limit = 20;
    hsb_test_prng_seed(0x9e3779b97f4a7c15ull);
    evp_ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
    evp_cbc = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
    evp_ctr = EVP_CIPHER_fetch(NULL, "AES-128-CTR", NULL);
    if (!evp_ecb || !evp_cbc || !evp_ctr) {
        fprintf(stderr, "OpenSSL lacks AES-128\n");
        return 2;
    }
    test_selection();

    struct {
        const char *label;
        const hsb_aes_class *cls;
    } paths[] = {
        {"aesni-x8", hsb_native_aes_ni_get()},
        {"vaes256-x16", hsb_native_aes_vaes256_get()},
        {"vaes512-x32", hsb_native_aes_vaes512_get()},
    };
    int ran = 0;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (!paths[i].cls) {
            printf("%-12s UNAVAILABLE on this CPU\n", paths[i].label);
            continue;
        }
        impl m = {paths[i].cls, hsb_ctx_alloc(paths[i].cls->ctx_size)};
        int before = hsb_test_failures, c0 = hsb_test_checks;
        test_known_answers(&m);
        test_contract(&m);
        test_differential(&m);
        test_ctr_wrap(&m);
        if (vectors) test_cavp(&m, vectors);
        m.cls->clear(m.ctx);
        hsb_ctx_free(m.ctx, m.cls->ctx_size);
        printf("%-12s %s (%d checks)\n", paths[i].label,
               hsb_test_failures == before ? "ok" : "FAILED", hsb_test_checks - c0);
        ran++;
    }
    EVP_CIPHER_free(evp_ecb);
    EVP_CIPHER_free(evp_cbc);
    EVP_CIPHER_free(evp_ctr);
    if (!ran) printf("no native AES path on this CPU: nothing run (UNAVAILABLE)\n");
    return hsb_test_report("test_native_aes");
}
