/*
 * test_ipsecmb_backend: the ipsecmb backend's classes (aes, gcm,
 * hmac-sha256) against published known answers, the contract's edge cases,
 * and the openssl backend on random inputs. Exits 77 (ctest SKIP) when the
 * backend is not built.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_ct.h"
#include "hsb_test.h"

static const hsb_backend *B, *REF;

/* --------------------------------------------------------------------- AES */

static void test_aes_known(void)
{
    const hsb_aes_class *ac = B->aes;
    void *c = hsb_ctx_alloc(ac->ctx_size);
    uint8_t key[32], iv[16], ctr[16], pt[64], ct[64], buf[64];

    /* FIPS-197 Appendix C.1 (CBC with a zero IV over one block). */
    hsb_test_unhex(key, "000102030405060708090a0b0c0d0e0f");
    hsb_test_unhex(pt, "00112233445566778899aabbccddeeff");
    CHECK_RC(ac->init(c, key, 16), HSB_OK);
    memset(iv, 0, 16);
    CHECK_RC(ac->cbc_encrypt(c, iv, ct, pt, 16), HSB_OK);
    CHECK(hsb_hex_equal(ct, "69c4e0d86a7b0430d8cdb78070b4c55a"));
    ac->clear(c);

    /* SP 800-38A F.2.1 and F.5.1, blocks 1-2. */
    hsb_test_unhex(key, "2b7e151628aed2a6abf7158809cf4f3c");
    hsb_test_unhex(pt, "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
    CHECK_RC(ac->init(c, key, 16), HSB_OK);
    hsb_test_unhex(iv, "000102030405060708090a0b0c0d0e0f");
    CHECK_RC(ac->cbc_encrypt(c, iv, ct, pt, 32), HSB_OK);
    CHECK(hsb_hex_equal(ct, "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"));
    CHECK(memcmp(iv, ct + 16, 16) == 0);
    memcpy(buf, ct, 32);
    hsb_test_unhex(iv, "000102030405060708090a0b0c0d0e0f");
    CHECK_RC(ac->cbc_decrypt(c, iv, buf, buf, 16), HSB_OK);
    CHECK_RC(ac->cbc_decrypt(c, iv, buf + 16, buf + 16, 16), HSB_OK);
    CHECK(memcmp(buf, pt, 32) == 0 && memcmp(iv, ct + 16, 16) == 0);
    hsb_test_unhex(ctr, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    CHECK_RC(ac->ctr(c, ctr, ct, pt, 32), HSB_OK);
    CHECK(hsb_hex_equal(ct, "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"));
    CHECK(hsb_hex_equal(ctr, "f0f1f2f3f4f5f6f7f8f9fafbfcfdff01"));
    hsb_test_unhex(ctr, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    CHECK_RC(ac->ctr(c, ctr, buf, pt, 5), HSB_OK);
    CHECK(memcmp(buf, ct, 5) == 0 && hsb_hex_equal(ctr, "f0f1f2f3f4f5f6f7f8f9fafbfcfdff00"));
    /* Usage: lengths, and nothing written. */
    memset(buf, 0xaa, sizeof buf);
    CHECK_RC(ac->cbc_encrypt(c, iv, buf, pt, 17), HSB_E_USAGE);
    CHECK_RC(ac->cbc_decrypt(c, iv, buf, pt, 15), HSB_E_USAGE);
    CHECK(buf[0] == 0xaa);
    CHECK_RC(ac->cbc_encrypt(c, iv, buf, pt, 0), HSB_OK);
    CHECK_RC(ac->ctr(c, ctr, buf, pt, 0), HSB_OK);
    ac->clear(c);

    /* SP 800-38A F.2.3 / F.2.5, first block. */
    hsb_test_unhex(key, "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b");
    CHECK_RC(ac->init(c, key, 24), HSB_OK);
    hsb_test_unhex(iv, "000102030405060708090a0b0c0d0e0f");
    CHECK_RC(ac->cbc_encrypt(c, iv, ct, pt, 16), HSB_OK);
    CHECK(hsb_hex_equal(ct, "4f021db243bc633d7178183a9fa071e8"));
    ac->clear(c);
    hsb_test_unhex(key, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    CHECK_RC(ac->init(c, key, 32), HSB_OK);
    hsb_test_unhex(iv, "000102030405060708090a0b0c0d0e0f");
    CHECK_RC(ac->cbc_encrypt(c, iv, ct, pt, 16), HSB_OK);
    CHECK(hsb_hex_equal(ct, "f58c4c04d6e5f1ba779eabfb5f7bfbd6"));
    ac->clear(c);
    CHECK_RC(ac->init(c, key, 20), HSB_E_UNSUPPORTED);
    hsb_ctx_free(c, ac->ctx_size);
}

/* Random keys, lengths and counters: ipsecmb and openssl agree, output and
 * chaining state both; counters placed just below the 32-, 64- and 128-bit
 * carries. */
static void test_aes_differential(void)
{
    const hsb_aes_class *ac = B->aes, *rc = REF->aes;
    void *c = hsb_ctx_alloc(ac->ctx_size), *r = hsb_ctx_alloc(rc->ctx_size);
    static uint8_t in[1100], o1[1100], o2[1100];
    const size_t key_lens[] = {16, 24, 32};
    for (int t = 0; t < 60; t++) {
        uint8_t key[32], iv1[16], iv2[16];
        size_t kl = key_lens[t % 3];
        hsb_test_rand(key, kl);
        CHECK_RC(ac->init(c, key, kl), HSB_OK);
        CHECK_RC(rc->init(r, key, kl), HSB_OK);
        hsb_test_rand(in, sizeof in);
        hsb_test_rand(iv1, 16);
        memcpy(iv2, iv1, 16);
        size_t n = 16 * hsb_test_rand_below(sizeof in / 16 + 1);
        CHECK_RC(ac->cbc_encrypt(c, iv1, o1, in, n), HSB_OK);
        CHECK_RC(rc->cbc_encrypt(r, iv2, o2, in, n), HSB_OK);
        CHECK(memcmp(o1, o2, n) == 0 && memcmp(iv1, iv2, 16) == 0);
        CHECK_RC(ac->cbc_decrypt(c, iv1, o1, in, n), HSB_OK);
        CHECK_RC(rc->cbc_decrypt(r, iv2, o2, in, n), HSB_OK);
        CHECK(memcmp(o1, o2, n) == 0 && memcmp(iv1, iv2, 16) == 0);
        n = hsb_test_rand_below(sizeof in + 1);
        hsb_test_rand(iv1, 16);
        if (t % 4 == 1) memset(iv1 + 12, 0xff, 4), iv1[11] = 0xff;
        if (t % 4 == 2) memset(iv1 + 8, 0xff, 8);
        if (t % 4 == 3) memset(iv1, 0xff, 16);
        if (t % 4)
            iv1[15] = (uint8_t)(0xff - hsb_test_rand_below(8)); /* a few blocks below the carry */
        memcpy(iv2, iv1, 16);
        CHECK_RC(ac->ctr(c, iv1, o1, in, n), HSB_OK);
        CHECK_RC(rc->ctr(r, iv2, o2, in, n), HSB_OK);
        CHECK(memcmp(o1, o2, n) == 0 && memcmp(iv1, iv2, 16) == 0);
        /* in place */
        memcpy(o1, in, n);
        memcpy(iv1, iv2, 16);
        CHECK_RC(ac->ctr(c, iv1, o1, o1, n), HSB_OK);
        CHECK_RC(rc->ctr(r, iv2, o2, in, n), HSB_OK);
        CHECK(memcmp(o1, o2, n) == 0);
        ac->clear(c);
        rc->clear(r);
    }
    hsb_ctx_free(c, ac->ctx_size);
    hsb_ctx_free(r, rc->ctx_size);
}

/* --------------------------------------------------------------------- GCM */

static void test_gcm(void)
{
    const hsb_gcm_class *gc = B->gcm, *rc = REF->gcm;
    void *c = hsb_ctx_alloc(gc->ctx_size), *r = hsb_ctx_alloc(rc->ctx_size);
    uint8_t key[32] = {0}, iv[128] = {0}, pt[64] = {0}, ct[64], tag[16], buf[64];
    /* McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 1, 2. */
    CHECK_RC(gc->init(c, key, 16), HSB_OK);
    CHECK_RC(gc->seal(c, iv, 12, NULL, 0, NULL, NULL, 0, tag), HSB_OK);
    CHECK(hsb_hex_equal(tag, "58e2fccefa7e3061367f1d57a4e7455a"));
    CHECK_RC(gc->seal(c, iv, 12, NULL, 0, ct, pt, 16, tag), HSB_OK);
    CHECK(hsb_hex_equal(ct, "0388dace60b6a392f328c2b971b2fe78"));
    CHECK(hsb_hex_equal(tag, "ab6e47d42cec13bdf53a67b21257bddf"));
    CHECK_RC(gc->open(c, iv, 12, NULL, 0, buf, ct, 16, tag), HSB_OK);
    CHECK(memcmp(buf, pt, 16) == 0);
    tag[15] ^= 0x80;
    memset(buf, 0xaa, sizeof buf);
    CHECK_RC(gc->open(c, iv, 12, NULL, 0, buf, ct, 16, tag), HSB_E_DECRYPT);
    int zeroed = 1;
    for (int i = 0; i < 16; i++) zeroed &= buf[i] == 0;
    CHECK(zeroed);
    CHECK_RC(gc->seal(c, iv, 0, NULL, 0, ct, pt, 16, tag), HSB_E_USAGE);
    CHECK_RC(gc->open(c, iv, 0, NULL, 0, buf, ct, 16, tag), HSB_E_USAGE);
    gc->clear(c);
    CHECK_RC(gc->init(c, key, 17), HSB_E_UNSUPPORTED);

    /* Against openssl: key sizes, IV lengths, AAD and text lengths. */
    static uint8_t in[700], o1[700], o2[700], aad[100];
    const size_t ivs[] = {1, 7, 8, 12, 13, 16, 60, 128};
    const size_t key_lens[] = {16, 24, 32};
    for (int t = 0; t < 48; t++) {
        size_t kl = key_lens[t % 3], ivl = ivs[t % 8];
        size_t n = hsb_test_rand_below(sizeof in + 1), al = hsb_test_rand_below(sizeof aad + 1);
        uint8_t t1[16], t2[16];
        hsb_test_rand(key, kl);
        hsb_test_rand(iv, ivl);
        hsb_test_rand(in, n);
        hsb_test_rand(aad, al);
        CHECK_RC(gc->init(c, key, kl), HSB_OK);
        CHECK_RC(rc->init(r, key, kl), HSB_OK);
        CHECK_RC(gc->seal(c, iv, ivl, aad, al, o1, in, n, t1), HSB_OK);
        CHECK_RC(rc->seal(r, iv, ivl, aad, al, o2, in, n, t2), HSB_OK);
        CHECK(memcmp(o1, o2, n) == 0 && memcmp(t1, t2, 16) == 0);
        CHECK_RC(gc->open(c, iv, ivl, aad, al, o2, o1, n, t1), HSB_OK);
        CHECK(memcmp(o2, in, n) == 0);
        if (n) {
            o1[hsb_test_rand_below(n)] ^= 1;
            CHECK_RC(gc->open(c, iv, ivl, aad, al, o2, o1, n, t1), HSB_E_DECRYPT);
        }
        gc->clear(c);
        rc->clear(r);
    }
    hsb_ctx_free(c, gc->ctx_size);
    hsb_ctx_free(r, rc->ctx_size);
}

/* -------------------------------------------------------------------- HMAC */

static void test_hmac(void)
{
    const hsb_hmac_sha256_class *hc = B->hmac, *rc = REF->hmac;
    void *c = hsb_ctx_alloc(hc->ctx_size), *r = hsb_ctx_alloc(rc->ctx_size);
    uint8_t out[32], out2[32], key[200];
    const char *case2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    /* RFC 4231 4.3 (test case 2), twice on one init, in pieces the second time. */
    CHECK_RC(hc->init(c, (const uint8_t *)"Jefe", 4), HSB_OK);
    hc->update(c, "what do ya want for nothing?", 28);
    hc->final(c, out);
    CHECK(hsb_hex_equal(out, case2));
    hc->update(c, "what do ya ", 11);
    hc->update(c, "want for nothing?", 17);
    hc->final(c, out);
    CHECK(hsb_hex_equal(out, case2));
    hc->clear(c);
    /* RFC 4231 4.7 (test case 6): a 131-byte key. */
    memset(key, 0xaa, 131);
    CHECK_RC(hc->init(c, key, 131), HSB_OK);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    hc->update(c, m6, strlen(m6));
    hc->final(c, out);
    CHECK(hsb_hex_equal(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
    hc->clear(c);
    /* Empty key, empty message. */
    CHECK_RC(hc->init(c, NULL, 0), HSB_OK);
    hc->final(c, out);
    CHECK(hsb_hex_equal(out, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"));
    hc->clear(c);

    /* Against openssl: key lengths 0..200, messages in pieces, up to a full
     * TLS record's MAC input (13 + 16384 bytes). */
    static uint8_t msg[13 + 16384];
    hsb_test_rand(msg, sizeof msg);
    for (int t = 0; t < 40; t++) {
        size_t kl = t == 0 ? 0 : hsb_test_rand_below(sizeof key + 1);
        size_t n = t == 1   ? sizeof msg
                   : t < 20 ? hsb_test_rand_below(300)
                            : hsb_test_rand_below(sizeof msg + 1);
        hsb_test_rand(key, kl);
        CHECK_RC(hc->init(c, key, kl), HSB_OK);
        CHECK_RC(rc->init(r, key, kl), HSB_OK);
        for (int rep = 0; rep < 2; rep++) {
            size_t cut = n ? hsb_test_rand_below(n) : 0;
            hc->update(c, msg, cut);
            hc->update(c, msg + cut, n - cut);
            rc->update(r, msg, n);
            hc->final(c, out);
            rc->final(r, out2);
            CHECK(memcmp(out, out2, 32) == 0);
        }
        hc->clear(c);
        rc->clear(r);
    }
    /* Past the buffer: an all-zero tag and an error recorded; then usable again. */
    static uint8_t big[20000];
    CHECK_RC(hc->init(c, key, 32), HSB_OK);
    hsb_clear_error();
    hc->update(c, big, sizeof big);
    CHECK(strstr(hsb_last_error(), "unsupported") != NULL);
    memset(out, 0xee, 32);
    hc->final(c, out);
    uint8_t zero[32] = {0};
    CHECK(memcmp(out, zero, 32) == 0);
    CHECK_RC(rc->init(r, key, 32), HSB_OK);
    hc->update(c, msg, 100);
    rc->update(r, msg, 100);
    hc->final(c, out);
    rc->final(r, out2);
    CHECK(memcmp(out, out2, 32) == 0);
    hc->clear(c);
    rc->clear(r);
    hsb_ctx_free(c, hc->ctx_size);
    hsb_ctx_free(r, rc->ctx_size);
}

/* ----------------------------------------------------------------- threads */

/* Each thread gets its own IMB_MGR; contexts made on the main thread (GCM key
 * data included) work on others. */
typedef struct {
    void *gcm;
    int bad;
} thread_arg;

static void *worker(void *p)
{
    thread_arg *a = p;
    uint8_t key[16], iv[12] = {0}, in[300], ct[300], back[300], tag[16], out[32], out2[32];
    memset(key, 7, sizeof key);
    void *h = hsb_ctx_alloc(B->hmac->ctx_size), *r = hsb_ctx_alloc(REF->hmac->ctx_size);
    void *ac = hsb_ctx_alloc(B->aes->ctx_size);
    for (int i = 0; i < 200; i++) {
        memset(in, i, sizeof in);
        iv[0] = (uint8_t)i;
        a->bad |= B->gcm->seal(a->gcm, iv, 12, NULL, 0, ct, in, sizeof in, tag) != HSB_OK;
        a->bad |= B->gcm->open(a->gcm, iv, 12, NULL, 0, back, ct, sizeof in, tag) != HSB_OK;
        a->bad |= memcmp(back, in, sizeof in) != 0;
        a->bad |= B->hmac->init(h, key, 16) != HSB_OK;
        if (REF->hmac->init(r, key, 16) != HSB_OK) abort();
        B->hmac->update(h, in, sizeof in);
        REF->hmac->update(r, in, sizeof in);
        B->hmac->final(h, out);
        REF->hmac->final(r, out2);
        a->bad |= memcmp(out, out2, 32) != 0;
        B->hmac->clear(h);
        REF->hmac->clear(r);
        uint8_t civ[16] = {0};
        a->bad |= B->aes->init(ac, key, 16) != HSB_OK;
        a->bad |= B->aes->cbc_encrypt(ac, civ, ct, in, 288) != HSB_OK;
        B->aes->clear(ac);
    }
    hsb_ctx_free(h, B->hmac->ctx_size);
    hsb_ctx_free(r, REF->hmac->ctx_size);
    hsb_ctx_free(ac, B->aes->ctx_size);
    return NULL;
}

static void test_threads(void)
{
    uint8_t key[16];
    memset(key, 9, sizeof key);
    void *g = hsb_ctx_alloc(B->gcm->ctx_size);
    CHECK_RC(B->gcm->init(g, key, 16), HSB_OK);
    pthread_t th[3];
    thread_arg args[3] = {{g, 0}, {g, 0}, {g, 0}};
    for (int i = 0; i < 3; i++) CHECK(pthread_create(&th[i], NULL, worker, &args[i]) == 0);
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        CHECK(!args[i].bad);
    }
    B->gcm->clear(g);
    hsb_ctx_free(g, B->gcm->ctx_size);
}

int main(void)
{
    B = hsb_backend_by_name("ipsecmb");
    REF = hsb_backend_by_name("openssl");
    if (!B) {
        printf("ipsecmb backend not built: SKIP\n");
        return 77;
    }
    printf("%s: %s\n", B->name, B->about);
    if (!hsb_cpu()->aesni || !hsb_cpu()->pclmul) {
        /* The backend stays listed with every class absent, and says why. */
        CHECK(!B->aes && !B->gcm && !B->hmac && !B->sha256 && !B->modexp && !B->rng);
        CHECK(strstr(B->about, "unavailable") != NULL);
        printf("no AES-NI: the classes must be absent\n");
        return hsb_test_report("test_ipsecmb_backend");
    }
    CHECK(B->aes && B->gcm && B->hmac && !B->sha256 && !B->modexp && !B->rng);
    test_aes_known();
    test_aes_differential();
    test_gcm();
    test_hmac();
    test_threads();
    return hsb_test_report("test_ipsecmb_backend");
}
