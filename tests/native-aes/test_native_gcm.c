/*
 * test_native_gcm.c - the native backend's AES-128-GCM, with each CTR path
 * this CPU runs, against the GCM specification's test cases, OpenSSL EVP on
 * random keys, IVs, AAD and lengths, forgeries (tag, ciphertext, AAD and IV
 * altered), the contract's edges, and Wycheproof's aes_gcm_test.json when
 * the vectors are present.
 *
 * usage: test_native_gcm [VECTORS_DIR]
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_native_aes.h"
#include "hsb_st_kat.h"
#include "hsb_test.h"

typedef struct {
    const hsb_gcm_class *cls;
    void *ctx;
} impl;

/* OpenSSL's AES-128-GCM with a 12-byte IV. */
static void ref_seal(const uint8_t key[16], const uint8_t iv[12], const uint8_t *aad,
                     size_t aad_len, uint8_t *out, const uint8_t *in, size_t len, uint8_t tag[16])
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int l = 0;
    if (!x || !EVP_EncryptInit_ex(x, EVP_aes_128_gcm(), NULL, key, iv) ||
        (aad_len && !EVP_EncryptUpdate(x, NULL, &l, aad, (int)aad_len)) ||
        (len && !EVP_EncryptUpdate(x, out, &l, in, (int)len)) ||
        !EVP_EncryptFinal_ex(x, out + (len ? l : 0), &l) ||
        !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag)) {
        fprintf(stderr, "OpenSSL GCM failed\n");
        exit(2);
    }
    EVP_CIPHER_CTX_free(x);
}

/* The GCM specification's AES-128 test cases (McGrew & Viega, "The Galois/Counter
 * Mode of Operation", Appendix B, test cases 1-4). */
static void test_known_answers(impl *m)
{
    for (size_t i = 0; i < HSB_ST_KAT_GCM_N; i++) {
        const hsb_st_kat_gcm *tc = &hsb_st_kat_gcm_spec[i];
        uint8_t k[16], iv[12], p[64], a[32], c[64], t[16], out[64], tag[16];
        hsb_test_unhex(k, tc->key);
        hsb_test_unhex(iv, tc->iv);
        size_t pl = hsb_test_unhex(p, tc->pt), al = hsb_test_unhex(a, tc->aad);
        hsb_test_unhex(c, tc->ct);
        hsb_test_unhex(t, tc->tag);
        CHECKF(m->cls->init(m->ctx, k, 16) == HSB_OK, "%s: init", m->cls->name);
        CHECKF(m->cls->seal(m->ctx, iv, 12, a, al, out, p, pl, tag) == HSB_OK &&
                   !memcmp(out, c, pl) && !memcmp(tag, t, 16),
               "%s: GCM test case %zu seal", m->cls->name, i + 1);
        CHECKF(m->cls->open(m->ctx, iv, 12, a, al, out, c, pl, t) == HSB_OK && !memcmp(out, p, pl),
               "%s: GCM test case %zu open", m->cls->name, i + 1);
    }
}

static void test_contract(impl *m)
{
    const char *name = m->cls->name;
    uint8_t k[32] = {0}, iv[16] = {0}, in[32] = {0}, out[32], tag[16] = {0};
    CHECKF(m->cls->key_sizes == HSB_AES_KEY_128, "%s: key_sizes", name);
    CHECKF(m->cls->init(m->ctx, k, 24) == HSB_E_UNSUPPORTED, "%s: 192-bit key", name);
    CHECKF(m->cls->init(m->ctx, k, 32) == HSB_E_UNSUPPORTED, "%s: 256-bit key", name);
    CHECKF(m->cls->init(m->ctx, k, 16) == HSB_OK, "%s: init", name);
    CHECKF(m->cls->seal(m->ctx, iv, 0, NULL, 0, out, in, 32, tag) == HSB_E_USAGE,
           "%s: iv_len 0 seal", name);
    CHECKF(m->cls->open(m->ctx, iv, 0, NULL, 0, out, in, 32, tag) == HSB_E_USAGE,
           "%s: iv_len 0 open", name);
    CHECKF(m->cls->seal(m->ctx, iv, 16, NULL, 0, out, in, 32, tag) == HSB_E_UNSUPPORTED,
           "%s: iv_len 16", name);
    CHECKF(m->cls->seal(m->ctx, iv, 8, NULL, 0, out, in, 32, tag) == HSB_E_UNSUPPORTED,
           "%s: iv_len 8", name);
    CHECKF(m->cls->seal(m->ctx, iv, 12, NULL, 5, out, in, 32, tag) == HSB_E_USAGE, "%s: NULL aad",
           name);
    CHECKF(m->cls->seal(m->ctx, iv, 12, NULL, 0, NULL, in, 32, tag) == HSB_E_USAGE, "%s: NULL out",
           name);
}

/* Seal and open against OpenSSL, out of place and in place; then forgeries. */
static void gcm_case(impl *m, size_t len, size_t aad_len)
{
    const char *name = m->cls->name;
    uint8_t key[16], iv[12], tag[16], want_tag[16];
    uint8_t *pt = malloc(len + 1), *aad = malloc(aad_len + 1), *want = malloc(len + 1),
            *out = malloc(len + 1);
    hsb_test_prng_bytes(key, 16);
    hsb_test_prng_bytes(iv, 12);
    hsb_test_prng_bytes(pt, len);
    hsb_test_prng_bytes(aad, aad_len);
    ref_seal(key, iv, aad, aad_len, want, pt, len, want_tag);
    CHECKF(m->cls->init(m->ctx, key, 16) == HSB_OK, "%s: init", name);

    CHECKF(m->cls->seal(m->ctx, iv, 12, aad, aad_len, out, pt, len, tag) == HSB_OK &&
               !memcmp(out, want, len) && !memcmp(tag, want_tag, 16),
           "%s: seal len %zu aad %zu", name, len, aad_len);
    memset(out, 0x5a, len);
    CHECKF(m->cls->open(m->ctx, iv, 12, aad, aad_len, out, want, len, want_tag) == HSB_OK &&
               !memcmp(out, pt, len),
           "%s: open len %zu aad %zu", name, len, aad_len);
    /* in == out */
    memcpy(out, pt, len);
    CHECKF(m->cls->seal(m->ctx, iv, 12, aad, aad_len, out, out, len, tag) == HSB_OK &&
               !memcmp(out, want, len) && !memcmp(tag, want_tag, 16),
           "%s: seal in place len %zu", name, len);
    CHECKF(m->cls->open(m->ctx, iv, 12, aad, aad_len, out, out, len, tag) == HSB_OK &&
               !memcmp(out, pt, len),
           "%s: open in place len %zu", name, len);

    /* Forgeries: one bit of the tag, the ciphertext, the AAD or the IV. Each
     * must fail with HSB_E_DECRYPT and leave out all zero. */
    for (int what = 0; what < 4; what++) {
        uint8_t t2[16], iv2[12];
        memcpy(t2, want_tag, 16);
        memcpy(iv2, iv, 12);
        uint8_t *ct2 = malloc(len + 1), *aad2 = malloc(aad_len + 1);
        memcpy(ct2, want, len);
        memcpy(aad2, aad, aad_len);
        unsigned bit = (unsigned)(hsb_test_prng64() % 8);
        if (what == 0)
            t2[hsb_test_prng64() % 16] ^= (uint8_t)(1u << bit);
        else if (what == 1 && len)
            ct2[hsb_test_prng64() % len] ^= (uint8_t)(1u << bit);
        else if (what == 2 && aad_len)
            aad2[hsb_test_prng64() % aad_len] ^= (uint8_t)(1u << bit);
        else if (what == 3)
            iv2[hsb_test_prng64() % 12] ^= (uint8_t)(1u << bit);
        else {
            free(ct2);
            free(aad2);
            continue;
        }
        memset(out, 0x5a, len);
        int zero = 1;
        hsb_rc rc = m->cls->open(m->ctx, iv2, 12, aad2, aad_len, out, ct2, len, t2);
        for (size_t i = 0; i < len; i++) zero &= out[i] == 0;
        CHECKF(rc == HSB_E_DECRYPT && zero, "%s: forgery %d accepted or plaintext left, len %zu",
               name, what, len);
        /* The same in place (the TLS record layer's way). */
        memcpy(out, ct2, len);
        rc = m->cls->open(m->ctx, iv2, 12, aad2, aad_len, out, out, len, t2);
        zero = 1;
        for (size_t i = 0; i < len; i++) zero &= out[i] == 0;
        CHECKF(rc == HSB_E_DECRYPT && zero, "%s: forgery %d in place accepted or left, len %zu",
               name, what, len);
        free(ct2);
        free(aad2);
    }
    free(pt);
    free(aad);
    free(want);
    free(out);
}

static void test_differential(impl *m)
{
    for (size_t len = 0; len <= 300; len++) gcm_case(m, len, (size_t)(hsb_test_prng64() % 70));
    static const size_t big[] = {16384, 16384 + 13, 65536 + 16 * 9 + 7, 1024, 4096 + 255};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
        gcm_case(m, big[i], (size_t)(hsb_test_prng64() % 2000));
    for (int i = 0; i < 20; i++)
        gcm_case(m, (size_t)(hsb_test_prng64() % 20000), (size_t)(hsb_test_prng64() % 300));
    /* Around the zmm path's batch of 32 blocks (512 bytes): one batch, two,
     * three (the stitched loop hashing the batch before), with every kind of
     * tail (whole 16- and 32-block remainders, odd bytes), and AAD long
     * enough to take the zmm GHASH too. */
    for (size_t len = 496; len <= 2100; len += 13)
        gcm_case(m, len, (size_t)(hsb_test_prng64() % 1100));
    static const size_t edge[] = {512, 1024, 1536, 512 + 256, 1024 + 496, 2048 + 1, 512 * 7 + 15};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        gcm_case(m, edge[i], 13);
        gcm_case(m, edge[i] - 1, 512 + i);
    }
}

/* Wycheproof aes_gcm_test.json: 128-bit keys with 96-bit IVs are run; other
 * key sizes must answer UNSUPPORTED at init, other IV lengths UNSUPPORTED at
 * seal/open (USAGE for the empty IV). */
static void test_wycheproof(impl *m, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/wycheproof/aes_gcm_test.json", dir);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) {
        printf("  %s: %s absent, skipped\n", m->cls->name, path);
        return;
    }
    int run = 0, unsup = 0;
    size_t gi;
    json_t *g;
    json_array_foreach(json_object_get(root, "testGroups"), gi, g)
    {
        int ks = (int)json_integer_value(json_object_get(g, "keySize"));
        int ivs = (int)json_integer_value(json_object_get(g, "ivSize"));
        size_t ti;
        json_t *t;
        json_array_foreach(json_object_get(g, "tests"), ti, t)
        {
            const char *hk = json_string_value(json_object_get(t, "key"));
            const char *hiv = json_string_value(json_object_get(t, "iv"));
            const char *ha = json_string_value(json_object_get(t, "aad"));
            const char *hm = json_string_value(json_object_get(t, "msg"));
            const char *hc = json_string_value(json_object_get(t, "ct"));
            const char *ht = json_string_value(json_object_get(t, "tag"));
            const char *res = json_string_value(json_object_get(t, "result"));
            int id = (int)json_integer_value(json_object_get(t, "tcId"));
            size_t n = strlen(hm) / 2 + 1, an = strlen(ha) / 2 + 1, ivn = strlen(hiv) / 2 + 1;
            uint8_t key[32], tag[16], tag2[16];
            uint8_t *iv = malloc(ivn), *aad = malloc(an), *msg = malloc(n), *ct = malloc(n),
                    *out = malloc(n);
            size_t kl = hsb_test_unhex(key, hk), ivl = hsb_test_unhex(iv, hiv),
                   al = hsb_test_unhex(aad, ha), ml = hsb_test_unhex(msg, hm);
            hsb_test_unhex(ct, hc);
            hsb_test_unhex(tag, ht);
            hsb_rc rc = m->cls->init(m->ctx, key, kl);
            if (ks != 128) {
                CHECKF(rc == HSB_E_UNSUPPORTED, "%s: wycheproof %d key %d", m->cls->name, id, ks);
                unsup++;
            } else if (ivs != 96) {
                rc = m->cls->open(m->ctx, iv, ivl, aad, al, out, ct, ml, tag);
                CHECKF(rc == (ivl ? HSB_E_UNSUPPORTED : HSB_E_USAGE), "%s: wycheproof %d iv %d",
                       m->cls->name, id, ivs);
                unsup++;
            } else if (!strcmp(res, "valid")) {
                CHECKF(m->cls->seal(m->ctx, iv, ivl, aad, al, out, msg, ml, tag2) == HSB_OK &&
                           !memcmp(out, ct, ml) && !memcmp(tag2, tag, 16),
                       "%s: wycheproof %d seal", m->cls->name, id);
                CHECKF(m->cls->open(m->ctx, iv, ivl, aad, al, out, ct, ml, tag) == HSB_OK &&
                           !memcmp(out, msg, ml),
                       "%s: wycheproof %d open", m->cls->name, id);
                run++;
            } else {
                int zero = 1;
                rc = m->cls->open(m->ctx, iv, ivl, aad, al, out, ct, ml, tag);
                for (size_t i = 0; i < ml; i++) zero &= out[i] == 0;
                CHECKF(rc == HSB_E_DECRYPT && zero, "%s: wycheproof %d (%s) accepted", m->cls->name,
                       id, res);
                run++;
            }
            free(iv);
            free(aad);
            free(msg);
            free(ct);
            free(out);
        }
    }
    json_decref(root);
    printf("  %s: wycheproof %d run, %d UNSUPPORTED (key size or IV length)\n", m->cls->name, run,
           unsup);
}

/* ---- NIST CAVP GCM (gcmtestvectors.zip: gcmEncryptExtIV128.rsp,
 * gcmDecrypt128.rsp), run when the files are in VECTORS_DIR/nist-cavp/aes;
 * said loudly when they are not. Records with other IV lengths must answer
 * UNSUPPORTED; tags shorter than 16 bytes are checked as a prefix of ours on
 * seal and counted UNSUPPORTED on open (the class verifies 16-byte tags). */

enum { NF_KEY, NF_IV, NF_PT, NF_AAD, NF_CT, NF_TAG, NF_N };
typedef struct {
    char f[NF_N][2100];
    int fail, open;
} nist_rec;

typedef struct {
    int run, unsup;
} nist_count;

static void nist_run(impl *m, const nist_rec *r, nist_count *n)
{
    uint8_t key[64], iv[600], tag[16], t[16];
    uint8_t *pt = malloc(1100), *aad = malloc(1100), *ct = malloc(1100), *out = malloc(1100);
    size_t kl = hsb_test_unhex(key, r->f[NF_KEY]), ivl = hsb_test_unhex(iv, r->f[NF_IV]);
    size_t pl = hsb_test_unhex(pt, r->f[NF_PT]), al = hsb_test_unhex(aad, r->f[NF_AAD]);
    size_t cl = hsb_test_unhex(ct, r->f[NF_CT]), tl = hsb_test_unhex(t, r->f[NF_TAG]);
    hsb_rc rc = m->cls->init(m->ctx, key, kl);
    if (kl != 16 || ivl != 12 || (r->open && tl != 16)) {
        if (kl != 16) CHECKF(rc == HSB_E_UNSUPPORTED, "%s: nist key %zu", m->cls->name, kl);
        if (kl == 16 && ivl != 12)
            CHECKF(m->cls->seal(m->ctx, iv, ivl, aad, al, out, ct, cl, tag) == HSB_E_UNSUPPORTED,
                   "%s: nist iv %zu", m->cls->name, ivl);
        n->unsup++;
    } else if (!r->open) {
        CHECKF(m->cls->seal(m->ctx, iv, ivl, aad, al, out, pt, pl, tag) == HSB_OK &&
                   !memcmp(out, ct, pl) && !memcmp(tag, t, tl),
               "%s: nist seal pt %zu aad %zu tag %zu", m->cls->name, pl, al, tl);
        n->run++;
    } else {
        int zero = 1;
        memset(out, 0x5a, cl + 1);
        rc = m->cls->open(m->ctx, iv, ivl, aad, al, out, ct, cl, t);
        for (size_t i = 0; r->fail && i < cl; i++) zero &= out[i] == 0;
        CHECKF(r->fail ? (rc == HSB_E_DECRYPT && zero) : (rc == HSB_OK && !memcmp(out, pt, pl)),
               "%s: nist open ct %zu aad %zu (%s)", m->cls->name, cl, al,
               r->fail ? "FAIL" : "valid");
        n->run++;
    }
    free(pt);
    free(aad);
    free(ct);
    free(out);
}

/* One "Name = value" line into the record; "Count" starts a record. */
static int nist_line(nist_rec *r, const char *line)
{
    static const char *names[NF_N] = {"Key", "IV", "PT", "AAD", "CT", "Tag"};
    if (!strncmp(line, "FAIL", 4)) r->fail = 1;
    if (!strncmp(line, "Count = ", 8)) {
        int open = r->open;
        memset(r, 0, sizeof *r);
        r->open = open;
        return 1;
    }
    for (int i = 0; i < NF_N; i++) {
        size_t nl = strlen(names[i]);
        if (strncmp(line, names[i], nl) || strncmp(line + nl, " = ", 3)) continue;
        size_t vl = strlen(line + nl + 3);
        vl = vl < sizeof r->f[i] ? vl : sizeof r->f[i] - 1;
        memcpy(r->f[i], line + nl + 3, vl);
        r->f[i][vl] = 0;
    }
    return 0;
}

static void nist_file(impl *m, const char *dir, const char *file, int open)
{
    char path[1024], line[4400];
    snprintf(path, sizeof path, "%s/nist-cavp/aes/%s", dir, file);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        printf("  %s: NIST GCM vectors %s ABSENT: SKIPPED, nothing counted\n", m->cls->name, path);
        return;
    }
    nist_rec *r = calloc(1, sizeof *r);
    nist_count n = {0, 0};
    int pending = 0;
    r->open = open;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = 0;
        if (pending && !line[0] && r->f[NF_TAG][0]) {
            nist_run(m, r, &n);
            pending = 0;
        } else if (nist_line(r, line)) {
            pending = 1;
        }
    }
    if (pending && r->f[NF_TAG][0]) nist_run(m, r, &n);
    fclose(fp);
    free(r);
    CHECKF(n.run > 0, "%s: %s: no record run", m->cls->name, file);
    printf("  %s: %s: %d run, %d UNSUPPORTED (key size, IV length or short tag)\n", m->cls->name,
           file, n.run, n.unsup);
}

static void test_nist(impl *m, const char *dir)
{
    nist_file(m, dir, "gcmEncryptExtIV128.rsp", 0);
    nist_file(m, dir, "gcmDecrypt128.rsp", 1);
}

int main(int argc, char **argv)
{
    const char *vectors = argc > 1 ? argv[1] : NULL;
    hsb_test_print_limit = 20;
    hsb_test_prng_seed(0x243f6a8885a308d3ull);
    const hsb_cpu_features *f = hsb_cpu();
    const hsb_gcm_class *ni = hsb_native_gcm_ni_get(), *y = hsb_native_gcm_vaes256_get();
    const hsb_gcm_class *z = hsb_native_gcm_vaes512_get();
    CHECKF(!!ni == !!(f->aesni && f->pclmul), "gcm (aesni) getter vs cpu");
    CHECKF(!!y == !!(f->aesni && f->pclmul && f->vaes && f->vpclmul && f->avx2),
           "gcm (vaes256) getter vs cpu");
    CHECKF(!!z == !!(y && f->avx512f && f->avx512bw), "gcm (vaes512) getter vs cpu");
    const hsb_backend *b = hsb_native_backend();
    CHECKF(b->gcm == (z ? z : y ? y : ni), "native backend's gcm is not the widest available");

    const hsb_gcm_class *paths[] = {ni, y, z};
    const char *labels[] = {"gcm-aesni-clmul", "gcm-vaes256-vpclmul", "gcm-vaes512-vpclmul"};
    for (int i = 0; i < 3; i++) {
        if (!paths[i]) {
            printf("%-18s UNAVAILABLE on this CPU\n", labels[i]);
            continue;
        }
        impl m = {paths[i], hsb_ctx_alloc(paths[i]->ctx_size)};
        int before = hsb_test_failures, c0 = hsb_test_checks;
        test_known_answers(&m);
        test_contract(&m);
        test_differential(&m);
        if (vectors) test_wycheproof(&m, vectors);
        if (vectors) test_nist(&m, vectors);
        m.cls->clear(m.ctx);
        hsb_ctx_free(m.ctx, m.cls->ctx_size);
        printf("%-18s %s (%d checks)\n", labels[i], hsb_test_failures == before ? "ok" : "FAILED",
               hsb_test_checks - c0);
    }
    return hsb_test_report("test_native_gcm");
}
