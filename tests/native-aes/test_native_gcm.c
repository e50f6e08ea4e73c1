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

int main(int argc, char **argv)
{
    const char *vectors = argc > 1 ? argv[1] : NULL;
    hsb_test_print_limit = 20;
    hsb_test_prng_seed(0x243f6a8885a308d3ull);
    const hsb_cpu_features *f = hsb_cpu();
    const hsb_gcm_class *ni = hsb_native_gcm_ni_get(), *y = hsb_native_gcm_vaes256_get();
    CHECKF(!!ni == !!(f->aesni && f->pclmul), "gcm (aesni) getter vs cpu");
    CHECKF(!!y == !!(f->aesni && f->pclmul && f->vaes && f->vpclmul && f->avx2),
           "gcm (vaes256) getter vs cpu");
    const hsb_backend *b = hsb_native_backend();
    CHECKF(b->gcm == (y ? y : ni), "native backend's gcm is not the widest available");

    const hsb_gcm_class *paths[] = {ni, y};
    const char *labels[] = {"gcm-aesni-clmul", "gcm-vaes256-vpclmul"};
    for (int i = 0; i < 2; i++) {
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
        m.cls->clear(m.ctx);
        hsb_ctx_free(m.ctx, m.cls->ctx_size);
        printf("%-18s %s (%d checks)\n", labels[i], hsb_test_failures == before ? "ok" : "FAILED",
               hsb_test_checks - c0);
    }
    return hsb_test_report("test_native_gcm");
}
