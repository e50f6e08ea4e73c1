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
#include "hsb_st_kat.h"
#include "hsb_test.h"

static const hsb_backend *B, *REF;

/* --------------------------------------------------------------------- AES */

static void test_aes_known(void)
{
    const hsb_aes_class *ac = B->aes;
    void *c = hsb_ctx_alloc(ac->ctx_size);
    uint8_t key[32], iv[16], ctr[16], pt[64], ct[64], buf[64], want[64];
    const hsb_st_kat_cipher *sp_cbc = &hsb_st_kat_sp38a_cbc128, *sp_ctr = &hsb_st_kat_sp38a_ctr128;

    /* FIPS-197 Appendix C.1 (CBC with a zero IV over one block). */
    hsb_test_unhex(key, hsb_st_kat_fips197_c1.key);
    hsb_test_unhex(pt, hsb_st_kat_fips197_c1.pt);
    CHECK_RC(ac->init(c, key, 16), HSB_OK);
    memset(iv, 0, 16);
    CHECK_RC(ac->cbc_encrypt(c, iv, ct, pt, 16), HSB_OK);
    CHECK(hsb_hex_equal(ct, hsb_st_kat_fips197_c1.ct));
    ac->clear(c);

    /* SP 800-38A F.2.1 and F.5.1, blocks 1-2. */
    hsb_test_unhex(key, sp_cbc->key);
    hsb_test_unhex(pt, sp_cbc->pt); /* blocks 1-2 are used */
    CHECK_RC(ac->init(c, key, 16), HSB_OK);
    hsb_test_unhex(iv, sp_cbc->iv);
    CHECK_RC(ac->cbc_encrypt(c, iv, ct, pt, 32), HSB_OK);
    hsb_test_unhex(want, sp_cbc->ct);
    CHECK(memcmp(ct, want, 32) == 0);
    CHECK(memcmp(iv, ct + 16, 16) == 0);
    memcpy(buf, ct, 32);
    hsb_test_unhex(iv, sp_cbc->iv);
    CHECK_RC(ac->cbc_decrypt(c, iv, buf, buf, 16), HSB_OK);
    CHECK_RC(ac->cbc_decrypt(c, iv, buf + 16, buf + 16, 16), HSB_OK);
    CHECK(memcmp(buf, pt, 32) == 0 && memcmp(iv, ct + 16, 16) == 0);
    hsb_test_unhex(ctr, sp_ctr->iv);
    CHECK_RC(ac->ctr(c, ctr, ct, pt, 32), HSB_OK);
    hsb_test_unhex(want, sp_ctr->ct);
    CHECK(memcmp(ct, want, 32) == 0);
    CHECK(hsb_hex_equal(ctr, "f0f1f2f3f4f5f6f7f8f9fafbfcfdff01"));
    hsb_test_unhex(ctr, sp_ctr->iv);
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
    hsb_test_unhex(key, hsb_st_kat_sp38a_cbc192.key);
    CHECK_RC(ac->init(c, key, 24), HSB_OK);
    hsb_test_unhex(iv, sp_cbc->iv);
    CHECK_RC(ac->cbc_encrypt(c, iv, ct, pt, 16), HSB_OK);
    CHECK(hsb_hex_equal(ct, hsb_st_kat_sp38a_cbc192.ct));
    ac->clear(c);
    hsb_test_unhex(key, hsb_st_kat_sp38a_cbc256.key);
    CHECK_RC(ac->init(c, key, 32), HSB_OK);
    hsb_test_unhex(iv, sp_cbc->iv);
    CHECK_RC(ac->cbc_encrypt(c, iv, ct, pt, 16), HSB_OK);
    CHECK(hsb_hex_equal(ct, hsb_st_kat_sp38a_cbc256.ct));
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
    CHECK(hsb_hex_equal(tag, hsb_st_kat_gcm_spec[0].tag));
    CHECK_RC(gc->seal(c, iv, 12, NULL, 0, ct, pt, 16, tag), HSB_OK);
    CHECK(hsb_hex_equal(ct, hsb_st_kat_gcm_spec[1].ct));
    CHECK(hsb_hex_equal(tag, hsb_st_kat_gcm_spec[1].tag));
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
    const hsb_st_kat_hmac *k2 = &hsb_st_kat_hmac_sha256[HSB_ST_KAT_HMAC_TC2],
                          *k6 = &hsb_st_kat_hmac_sha256[HSB_ST_KAT_HMAC_TC6];
    const char *case2 = k2->tag;
    /* RFC 4231 4.3 (test case 2), twice on one init, in pieces the second time. */
    CHECK_RC(hc->init(c, (const uint8_t *)k2->key.text, strlen(k2->key.text)), HSB_OK);
    hc->update(c, k2->msg.text, strlen(k2->msg.text));
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
    const char *m6 = k6->msg.text;
    hc->update(c, m6, strlen(m6));
    hc->final(c, out);
    CHECK(hsb_hex_equal(out, k6->tag));
    hc->clear(c);
    /* Empty key, empty message. */
    CHECK_RC(hc->init(c, NULL, 0), HSB_OK);
    hc->final(c, out);
    CHECK(hsb_hex_equal(out, hsb_st_kat_hmac_sha256[HSB_ST_KAT_HMAC_EMPTY].tag));
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
