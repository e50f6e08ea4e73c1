/*
 * test_openssl_backend: every class of the openssl backend against published
 * known answers (sources beside each value) and against the edge cases the
 * contract (core/hsb_provider.h) names: lengths, ranges, error codes,
 * chaining, aliasing. RSA and DH use keys made at run time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "hsb_backends.h"
#include "hsb_ct.h"
#include "hsb_dh_groups.h"
#include "hsb_test.h"
#include "hsb_st_kat.h"

static const hsb_backend *B;

/* ------------------------------------------------------------------ modexp */

static void test_modexp(void)
{
    const hsb_modexp_class *m = B->modexp;
    uint8_t out[HSB_MAX_MODULUS_BYTES + 2];
    const uint8_t mod[] = {0x01, 0xf1}, base[] = {4}, exp[] = {13}; /* 4^13 mod 497 = 445 */
    CHECK_RC(m->modexp(out, base, 1, exp, 1, mod, 2), HSB_OK);
    CHECK(out[0] == 0x01 && out[1] == 0xbd);
    /* Leading zeros in base and exp; base longer than mod. */
    const uint8_t base0[] = {0, 0, 0, 4}, exp0[] = {0, 0, 13};
    CHECK_RC(m->modexp(out, base0, 4, exp0, 3, mod, 2), HSB_OK);
    CHECK(out[0] == 0x01 && out[1] == 0xbd);
    /* Output left-padded: 2^1 mod 497 = 2. */
    const uint8_t two[] = {2}, one[] = {1};
    CHECK_RC(m->modexp(out, two, 1, one, 1, mod, 2), HSB_OK);
    CHECK(out[0] == 0 && out[1] == 2);
    /* exp = 0 (and exp_len = 0) gives 1; base 0 with exp > 0 gives 0. */
    const uint8_t zero[] = {0};
    CHECK_RC(m->modexp(out, base, 1, zero, 1, mod, 2), HSB_OK);
    CHECK(out[0] == 0 && out[1] == 1);
    memset(out, 0xee, 2);
    CHECK_RC(m->modexp(out, base, 1, NULL, 0, mod, 2), HSB_OK);
    CHECK(out[0] == 0 && out[1] == 1);
    CHECK_RC(m->modexp(out, zero, 1, exp, 1, mod, 2), HSB_OK);
    CHECK(out[0] == 0 && out[1] == 0);
    /* Ranges: base >= mod, even modulus, modulus 1 or 0. */
    const uint8_t big[] = {0x01, 0xf1}, big2[] = {0x00, 0x01, 0xf2}, even[] = {0x01, 0xf0};
    CHECK_RC(m->modexp(out, big, 2, exp, 1, mod, 2), HSB_E_RANGE);
    CHECK_RC(m->modexp(out, big2, 3, exp, 1, mod, 2), HSB_E_RANGE);
    CHECK_RC(m->modexp(out, base, 1, exp, 1, even, 2), HSB_E_RANGE);
    CHECK_RC(m->modexp(out, zero, 1, exp, 1, one, 1), HSB_E_RANGE);
    CHECK_RC(m->modexp(out, zero, 1, exp, 1, zero, 1), HSB_E_RANGE);
    /* Larger than 4096 bits. */
    uint8_t huge[HSB_MAX_MODULUS_BYTES + 1];
    memset(huge, 0xff, sizeof huge);
    CHECK_RC(m->modexp(out, base, 1, exp, 1, huge, sizeof huge), HSB_E_UNSUPPORTED);
    /* 4096 bits is taken: (2^4096-1) - 1 squared = 1 mod (2^4096-1). */
    uint8_t b[HSB_MAX_MODULUS_BYTES];
    memset(b, 0xff, sizeof b);
    b[sizeof b - 1] = 0xfe;
    CHECK_RC(m->modexp(out, b, sizeof b, two, 1, huge, HSB_MAX_MODULUS_BYTES), HSB_OK);
    CHECK(out[HSB_MAX_MODULUS_BYTES - 1] == 1 && hsb_ct_memeq(out, huge, 0) == 1);
    int rest_zero = 1;
    for (size_t i = 0; i + 1 < HSB_MAX_MODULUS_BYTES; i++) rest_zero &= out[i] == 0;
    CHECK(rest_zero);
}

/* --------------------------------------------------------------------- RSA */

typedef struct {
    uint8_t buf[8][HSB_MAX_MODULUS_BYTES];
    hsb_rsa_key k;
} rsa_key_buf;

static size_t get_bn(EVP_PKEY *pk, const char *name, uint8_t *out)
{
    BIGNUM *b = NULL;
    if (EVP_PKEY_get_bn_param(pk, name, &b) <= 0) return 0;
    size_t n = (size_t)BN_bn2bin(b, out);
    BN_clear_free(b);
    return n;
}

static int make_rsa_key(rsa_key_buf *kb, unsigned bits)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    if (!pk) return 0;
    hsb_rsa_key *k = &kb->k;
    k->n = kb->buf[0], k->n_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_N, kb->buf[0]);
    k->e = kb->buf[1], k->e_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_E, kb->buf[1]);
    k->d = kb->buf[2], k->d_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_D, kb->buf[2]);
    k->p = kb->buf[3], k->p_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_FACTOR1, kb->buf[3]);
    k->q = kb->buf[4], k->q_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_FACTOR2, kb->buf[4]);
    k->dp = kb->buf[5], k->dp_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_EXPONENT1, kb->buf[5]);
    k->dq = kb->buf[6], k->dq_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_EXPONENT2, kb->buf[6]);
    k->qinv = kb->buf[7], k->qinv_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, kb->buf[7]);
    EVP_PKEY_free(pk);
    return k->n_len && k->e_len && k->d_len && k->p_len && k->q_len && k->dp_len && k->dq_len &&
           k->qinv_len;
}

static void test_rsa(void)
{
    static rsa_key_buf kb;
    CHECK(make_rsa_key(&kb, 2048));
    const hsb_rsa_key *k = &kb.k;
    const hsb_rsa_priv_class *pc = B->rsa_priv;
    const hsb_rsa_pub_class *uc = B->rsa_pub;
    void *priv = hsb_ctx_alloc(pc->ctx_size), *priv2 = hsb_ctx_alloc(pc->ctx_size);
    void *pub = hsb_ctx_alloc(uc->ctx_size);
    CHECK_RC(pc->init(priv, k), HSB_OK);
    CHECK_RC(uc->init(pub, k->n, k->n_len, k->e, k->e_len), HSB_OK);
    CHECK(pc->n_len(priv) == 256 && uc->n_len(pub) == 256);

    uint8_t x[256], y[256], z[256], w[256];
    CHECK_RC(B->rng->fill(x, sizeof x), HSB_OK);
    x[0] &= 0x7f; /* below n, whose top bit is set */
    CHECK_RC(pc->op(priv, y, x, 256), HSB_OK);
    CHECK_RC(uc->op(pub, z, y, 256), HSB_OK);
    CHECK(memcmp(z, x, 256) == 0);
    CHECK_RC(uc->op(pub, y, x, 256), HSB_OK);
    CHECK_RC(pc->op(priv, z, y, 256), HSB_OK);
    CHECK(memcmp(z, x, 256) == 0);
    /* The private op against the modexp class: y^d mod n. */
    CHECK_RC(B->modexp->modexp(w, y, 256, k->d, k->d_len, k->n, k->n_len), HSB_OK);
    CHECK(memcmp(w, x, 256) == 0);
    /* in == out. */
    memcpy(w, y, 256);
    CHECK_RC(pc->op(priv, w, w, 256), HSB_OK);
    CHECK(memcmp(w, x, 256) == 0);
    CHECK_RC(uc->op(pub, w, w, 256), HSB_OK);
    CHECK(memcmp(w, y, 256) == 0);
    /* Small values: 0 and 1 map to themselves. */
    memset(w, 0, 256);
    CHECK_RC(pc->op(priv, z, w, 256), HSB_OK);
    CHECK(memcmp(z, w, 256) == 0);
    w[255] = 1;
    CHECK_RC(pc->op(priv, z, w, 256), HSB_OK);
    CHECK(memcmp(z, w, 256) == 0);
    /* in >= n, and wrong lengths. */
    CHECK_RC(pc->op(priv, z, k->n, 256), HSB_E_RANGE);
    CHECK_RC(uc->op(pub, z, k->n, 256), HSB_E_RANGE);
    memset(w, 0xff, 256);
    CHECK_RC(pc->op(priv, z, w, 256), HSB_E_RANGE);
    CHECK_RC(uc->op(pub, z, w, 256), HSB_E_RANGE);
    CHECK_RC(pc->op(priv, z, x, 255), HSB_E_USAGE);
    CHECK_RC(uc->op(pub, z, x, 257), HSB_E_USAGE);
    /* A key without d: the class computes what it needs. */
    hsb_rsa_key nod = *k;
    nod.d = NULL, nod.d_len = 0;
    CHECK_RC(pc->init(priv2, &nod), HSB_OK);
    CHECK_RC(pc->op(priv2, z, y, 256), HSB_OK);
    CHECK(memcmp(z, x, 256) == 0);
    pc->clear(priv2);
    /* Moduli outside 1024..4096 bits, even n, bad e. */
    uint8_t small[64];
    memset(small, 0xff, sizeof small);
    const uint8_t e3[] = {3}, e2[] = {2}, e1[] = {1};
    CHECK_RC(uc->init(priv2, small, sizeof small, e3, 1), HSB_E_UNSUPPORTED);
    hsb_rsa_key smallk = *k;
    smallk.n = small, smallk.n_len = sizeof small;
    CHECK_RC(pc->init(priv2, &smallk), HSB_E_UNSUPPORTED);
    memcpy(w, k->n, 256);
    w[255] ^= 1;
    CHECK_RC(uc->init(priv2, w, 256, e3, 1), HSB_E_RANGE);
    CHECK_RC(uc->init(priv2, k->n, 256, e2, 1), HSB_E_RANGE);
    CHECK_RC(uc->init(priv2, k->n, 256, e1, 1), HSB_E_RANGE);
    pc->clear(priv);
    uc->clear(pub);
    hsb_ctx_free(priv, pc->ctx_size);
    hsb_ctx_free(priv2, pc->ctx_size);
    hsb_ctx_free(pub, uc->ctx_size);
}

/* ---------------------------------------------------------------------- DH */

static void test_dh(void)
{
    const hsb_dh_group *named = hsb_dh_group_by_name("ffdhe2048");
    CHECK(named != NULL);
    if (!named) return;
    hsb_dh_group grp = *named;
    const uint8_t *p = grp.p, g[] = {2};
    CHECK(grp.p_len == 256 && p[0] == 0xff && p[255] == 0xff && grp.priv_bits == 225);

    const hsb_dh_class *dc = B->dh;
    void *a = hsb_ctx_alloc(dc->ctx_size), *b = hsb_ctx_alloc(dc->ctx_size);
    CHECK_RC(dc->init(a, &grp), HSB_OK);
    CHECK_RC(dc->init(b, &grp), HSB_OK);
    uint8_t pa[256], pb[256], sa[256], sb[256], t[256];
    CHECK_RC(dc->keygen(a, B->rng, pa, 256), HSB_OK);
    CHECK_RC(dc->keygen(b, B->rng, pb, 256), HSB_OK);
    CHECK(memcmp(pa, pb, 256) != 0);
    CHECK_RC(dc->check(a, pb, 256, HSB_DH_CHECK_FULL), HSB_OK);
    CHECK_RC(dc->check(b, pa, 256, HSB_DH_CHECK_FULL), HSB_OK);
    CHECK_RC(dc->derive(a, sa, 256, pb, 256), HSB_OK);
    CHECK_RC(dc->derive(b, sb, 256, pa, 256), HSB_OK);
    CHECK(memcmp(sa, sb, 256) == 0);
    /* Known exponent: pub and shared against the modexp class. */
    const uint8_t x[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf1};
    CHECK_RC(dc->set_priv(a, x, sizeof x, pa, 256), HSB_OK);
    CHECK_RC(B->modexp->modexp(t, g, 1, x, sizeof x, p, 256), HSB_OK);
    CHECK(memcmp(t, pa, 256) == 0);
    CHECK_RC(dc->derive(a, sa, 256, pb, 256), HSB_OK);
    CHECK_RC(B->modexp->modexp(t, pb, 256, x, sizeof x, p, 256), HSB_OK);
    CHECK(memcmp(t, sa, 256) == 0);
    CHECK_RC(dc->derive(b, sb, 256, pa, 256), HSB_OK);
    CHECK(memcmp(sa, sb, 256) == 0);
    /* A shared value with leading zeros stays p_len bytes: x = 1 is refused,
     * so find Y with a small result instead: Y = 2 gives 2^x, x = 8 -> 256. */
    const uint8_t x8[] = {8}, y2[] = {2};
    CHECK_RC(dc->set_priv(a, x8, 1, pa, 256), HSB_OK);
    CHECK(pa[254] == 1 && pa[255] == 0 && pa[0] == 0);
    CHECK_RC(dc->derive(a, sa, 256, y2, 1), HSB_OK); /* short peer: leading zeros dropped */
    CHECK(sa[254] == 1 && sa[255] == 0 && sa[0] == 0);
    /* Private values out of range. */
    const uint8_t x0[] = {0}, x1[] = {0, 1};
    CHECK_RC(dc->set_priv(a, x0, 1, pa, 256), HSB_E_RANGE);
    CHECK_RC(dc->set_priv(a, x1, 2, pa, 256), HSB_E_RANGE);
    CHECK_RC(dc->set_priv(a, p, 256, pa, 256), HSB_E_RANGE);
    CHECK_RC(dc->keygen(a, B->rng, pa, 255), HSB_E_USAGE);
    /* check: RANGE refuses 0, 1, p-1, p, > p; FULL refuses -Y (order 2q). */
    uint8_t bad[257];
    memset(bad, 0, sizeof bad);
    CHECK_RC(dc->check(a, bad, 256, HSB_DH_CHECK_RANGE), HSB_E_RANGE);
    CHECK_RC(dc->check(a, bad, 0, HSB_DH_CHECK_RANGE), HSB_E_RANGE);
    bad[255] = 1;
    CHECK_RC(dc->check(a, bad, 256, HSB_DH_CHECK_RANGE), HSB_E_RANGE);
    bad[255] = 2;
    CHECK_RC(dc->check(a, bad, 256, HSB_DH_CHECK_RANGE), HSB_OK);
    CHECK_RC(dc->check(a, bad, 257, HSB_DH_CHECK_RANGE), HSB_OK); /* leading zero */
    memcpy(bad, p, 256);
    CHECK_RC(dc->check(a, bad, 256, HSB_DH_CHECK_RANGE), HSB_E_RANGE);
    bad[255] = 0xfe; /* p - 1 */
    CHECK_RC(dc->check(a, bad, 256, HSB_DH_CHECK_RANGE), HSB_E_RANGE);
    CHECK_RC(dc->derive(b, sb, 256, bad, 256), HSB_E_RANGE);
    bad[255] = 0xfd; /* p - 2 = -2: in range, but 2 is a square mod p, -1 is not */
    CHECK_RC(dc->check(a, bad, 256, HSB_DH_CHECK_RANGE), HSB_OK);
    CHECK_RC(dc->check(a, bad, 256, HSB_DH_CHECK_FULL), HSB_E_RANGE);
    memset(bad, 0xff, 256);
    CHECK_RC(dc->check(a, bad, 256, HSB_DH_CHECK_RANGE), HSB_E_RANGE);
    CHECK_RC(dc->derive(b, sb, 255, pa, 256), HSB_E_USAGE);
    /* FULL without q is a usage error; a group outside 1024..4096 bits is refused. */
    void *c = hsb_ctx_alloc(dc->ctx_size);
    hsb_dh_group noq = grp;
    noq.q = NULL, noq.q_len = 0;
    CHECK_RC(dc->init(c, &noq), HSB_OK);
    CHECK_RC(dc->check(c, pb, 256, HSB_DH_CHECK_RANGE), HSB_OK);
    CHECK_RC(dc->check(c, pb, 256, HSB_DH_CHECK_FULL), HSB_E_USAGE);
    CHECK_RC(dc->keygen(c, B->rng, pa, 256), HSB_OK);
    CHECK_RC(dc->derive(c, sa, 256, pb, 256), HSB_OK);
    dc->clear(c);
    hsb_dh_group tiny = grp;
    tiny.p_len = 64, tiny.q = NULL, tiny.q_len = 0;
    CHECK_RC(dc->init(c, &tiny), HSB_E_UNSUPPORTED);
    hsb_ctx_free(c, dc->ctx_size);
    dc->clear(a);
    dc->clear(b);

    /* Every named group: two parties agree, each passes the FULL check. */
    size_t n_groups = 0;
    const hsb_dh_group *const *all = hsb_dh_groups(&n_groups);
    CHECK(n_groups == 6);
    for (size_t i = 0; i < n_groups; i++) {
        static uint8_t qa[512], qb[512], ka[512], kb[512];
        size_t len = all[i]->p_len;
        CHECK_RC(dc->init(a, all[i]), HSB_OK);
        CHECK_RC(dc->init(b, all[i]), HSB_OK);
        CHECK_RC(dc->keygen(a, B->rng, qa, len), HSB_OK);
        CHECK_RC(dc->keygen(b, B->rng, qb, len), HSB_OK);
        CHECK_RC(dc->check(a, qb, len, HSB_DH_CHECK_FULL), HSB_OK);
        CHECK_RC(dc->derive(a, ka, len, qb, len), HSB_OK);
        CHECK_RC(dc->derive(b, kb, len, qa, len), HSB_OK);
        CHECK(memcmp(ka, kb, len) == 0);
        dc->clear(a);
        dc->clear(b);
    }
    hsb_ctx_free(a, dc->ctx_size);
    hsb_ctx_free(b, dc->ctx_size);
}

/* --------------------------------------------------------------------- AES */

static void test_aes(void)
{
    const hsb_aes_class *ac = B->aes;
    CHECK(ac->key_sizes == (HSB_AES_KEY_128 | HSB_AES_KEY_192 | HSB_AES_KEY_256));
    void *c = hsb_ctx_alloc(ac->ctx_size);
    uint8_t key[32], iv[16], pt[64], ct[64], buf[64], want[64];
    const hsb_st_kat_cipher *sp_cbc = &hsb_st_kat_sp38a_cbc128, *sp_ctr = &hsb_st_kat_sp38a_ctr128;

    /* FIPS-197 Appendix C.1: one block (CBC with a zero IV is the bare block). */
    hsb_test_unhex(key, hsb_st_kat_fips197_c1.key);
    hsb_test_unhex(pt, hsb_st_kat_fips197_c1.pt);
    CHECK_RC(ac->init(c, key, 16), HSB_OK);
    memset(iv, 0, 16);
    CHECK_RC(ac->cbc_encrypt(c, iv, ct, pt, 16), HSB_OK);
    CHECK(hsb_hex_equal(ct, hsb_st_kat_fips197_c1.ct));
    CHECK(memcmp(iv, ct, 16) == 0);
    memset(iv, 0, 16);
    CHECK_RC(ac->cbc_decrypt(c, iv, buf, ct, 16), HSB_OK);
    CHECK(memcmp(buf, pt, 16) == 0);
    ac->clear(c);

    /* SP 800-38A F.2.1 (CBC-AES128.Encrypt), blocks 1-2, and F.2.2. */
    hsb_test_unhex(key, sp_cbc->key);
    hsb_test_unhex(pt, sp_cbc->pt); /* blocks 1-2 are used */
    CHECK_RC(ac->init(c, key, 16), HSB_OK);
    hsb_test_unhex(iv, sp_cbc->iv);
    CHECK_RC(ac->cbc_encrypt(c, iv, ct, pt, 32), HSB_OK);
    hsb_test_unhex(want, sp_cbc->ct);
    CHECK(memcmp(ct, want, 32) == 0);
    CHECK(memcmp(iv, ct + 16, 16) == 0);
    /* Two calls chain like one. */
    hsb_test_unhex(iv, sp_cbc->iv);
    CHECK_RC(ac->cbc_encrypt(c, iv, buf, pt, 16), HSB_OK);
    CHECK_RC(ac->cbc_encrypt(c, iv, buf + 16, pt + 16, 16), HSB_OK);
    CHECK(memcmp(buf, ct, 32) == 0);
    /* Decrypt in place, in two calls. */
    memcpy(buf, ct, 32);
    hsb_test_unhex(iv, sp_cbc->iv);
    CHECK_RC(ac->cbc_decrypt(c, iv, buf, buf, 16), HSB_OK);
    CHECK(memcmp(iv, ct, 16) == 0);
    CHECK_RC(ac->cbc_decrypt(c, iv, buf + 16, buf + 16, 16), HSB_OK);
    CHECK(memcmp(buf, pt, 32) == 0 && memcmp(iv, ct + 16, 16) == 0);
    /* Encrypt in place. */
    memcpy(buf, pt, 32);
    hsb_test_unhex(iv, sp_cbc->iv);
    CHECK_RC(ac->cbc_encrypt(c, iv, buf, buf, 32), HSB_OK);
    CHECK(memcmp(buf, ct, 32) == 0);
    /* Lengths not a multiple of 16: nothing written; 0 is fine. */
    memset(buf, 0xaa, sizeof buf);
    CHECK_RC(ac->cbc_encrypt(c, iv, buf, pt, 17), HSB_E_USAGE);
    CHECK_RC(ac->cbc_decrypt(c, iv, buf, pt, 8), HSB_E_USAGE);
    CHECK(buf[0] == 0xaa && buf[16] == 0xaa);
    CHECK_RC(ac->cbc_encrypt(c, iv, buf, pt, 0), HSB_OK);

    /* SP 800-38A F.5.1 (CTR-AES128.Encrypt), blocks 1-2. */
    uint8_t ctr[16], ctr2[16];
    hsb_test_unhex(ctr, sp_ctr->iv);
    CHECK_RC(ac->ctr(c, ctr, ct, pt, 32), HSB_OK);
    hsb_test_unhex(want, sp_ctr->ct);
    CHECK(memcmp(ct, want, 32) == 0);
    CHECK(hsb_hex_equal(ctr, "f0f1f2f3f4f5f6f7f8f9fafbfcfdff01"));
    /* A partial block uses one counter value; the next call starts afresh. */
    hsb_test_unhex(ctr, sp_ctr->iv);
    CHECK_RC(ac->ctr(c, ctr, buf, pt, 5), HSB_OK);
    CHECK(memcmp(buf, ct, 5) == 0 && hsb_hex_equal(ctr, "f0f1f2f3f4f5f6f7f8f9fafbfcfdff00"));
    CHECK_RC(ac->ctr(c, ctr, buf + 16, pt + 16, 16), HSB_OK);
    CHECK(memcmp(buf + 16, ct + 16, 16) == 0);
    /* In place, and back. */
    memcpy(buf, pt, 32);
    hsb_test_unhex(ctr, sp_ctr->iv);
    CHECK_RC(ac->ctr(c, ctr, buf, buf, 32), HSB_OK);
    CHECK(memcmp(buf, ct, 32) == 0);
    /* The counter wraps mod 2^128: from ff..ff the blocks are E(ff..ff), E(0). */
    memset(ctr, 0xff, 16);
    memset(buf, 0, 48);
    CHECK_RC(ac->ctr(c, ctr, buf, buf, 40), HSB_OK);
    uint8_t zero[16] = {0}, ones[16], e1[16], e2[16], e3[16];
    memset(ones, 0xff, 16);
    memset(iv, 0, 16);
    CHECK_RC(ac->cbc_encrypt(c, iv, e1, ones, 16), HSB_OK);
    memset(iv, 0, 16);
    CHECK_RC(ac->cbc_encrypt(c, iv, e2, zero, 16), HSB_OK);
    uint8_t one[16] = {0};
    one[15] = 1;
    memset(iv, 0, 16);
    CHECK_RC(ac->cbc_encrypt(c, iv, e3, one, 16), HSB_OK);
    CHECK(memcmp(buf, e1, 16) == 0 && memcmp(buf + 16, e2, 16) == 0 &&
          memcmp(buf + 32, e3, 8) == 0);
    memset(ctr2, 0, 16);
    ctr2[15] = 2;
    CHECK(memcmp(ctr, ctr2, 16) == 0);
    /* Carry across the low 32 and 64 bits. */
    hsb_test_unhex(ctr, "000000000000000000000000ffffffff");
    CHECK_RC(ac->ctr(c, ctr, buf, zero, 16), HSB_OK);
    CHECK(hsb_hex_equal(ctr, "00000000000000000000000100000000"));
    hsb_test_unhex(ctr, "0000000000000000ffffffffffffffff");
    memset(buf, 0, 32);
    CHECK_RC(ac->ctr(c, ctr, buf, buf, 32), HSB_OK);
    CHECK(hsb_hex_equal(ctr, "00000000000000010000000000000001"));
    hsb_test_unhex(ctr2, "00000000000000010000000000000000");
    memset(iv, 0, 16);
    CHECK_RC(ac->cbc_encrypt(c, iv, e1, ctr2, 16), HSB_OK);
    CHECK(memcmp(buf + 16, e1, 16) == 0);
    ac->clear(c);

    /* SP 800-38A F.2.3 / F.2.5: CBC-AES192 and CBC-AES256, first block. */
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

/* --------------------------------------------------------------------- GCM */

static void test_gcm(void)
{
    const hsb_gcm_class *gc = B->gcm;
    void *c = hsb_ctx_alloc(gc->ctx_size);
    uint8_t key[16] = {0}, iv[129] = {0}, pt[64] = {0}, ct[64], tag[16], buf[64];
    /* McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 1 and 2. */
    CHECK_RC(gc->init(c, key, 16), HSB_OK);
    CHECK_RC(gc->seal(c, iv, 12, NULL, 0, ct, pt, 0, tag), HSB_OK);
    CHECK(hsb_hex_equal(tag, hsb_st_kat_gcm_spec[0].tag));
    CHECK_RC(gc->seal(c, iv, 12, NULL, 0, ct, pt, 16, tag), HSB_OK);
    CHECK(hsb_hex_equal(ct, hsb_st_kat_gcm_spec[1].ct));
    CHECK(hsb_hex_equal(tag, hsb_st_kat_gcm_spec[1].tag));
    CHECK_RC(gc->open(c, iv, 12, NULL, 0, buf, ct, 16, tag), HSB_OK);
    CHECK(memcmp(buf, pt, 16) == 0);
    /* A bad tag: HSB_E_DECRYPT and no plaintext. */
    tag[0] ^= 1;
    memset(buf, 0xaa, sizeof buf);
    CHECK_RC(gc->open(c, iv, 12, NULL, 0, buf, ct, 16, tag), HSB_E_DECRYPT);
    int zeroed = 1;
    for (int i = 0; i < 16; i++) zeroed &= buf[i] == 0;
    CHECK(zeroed);
    /* Round trips with AAD over IV lengths; a flipped AAD byte fails. */
    const uint8_t aad[] = "header bytes";
    CHECK_RC(B->rng->fill(pt, sizeof pt), HSB_OK);
    CHECK_RC(B->rng->fill(iv, sizeof iv), HSB_OK);
    const size_t ivs[] = {1, 8, 12, 16, 60, 128};
    for (size_t i = 0; i < sizeof ivs / sizeof ivs[0]; i++) {
        CHECK_RC(gc->seal(c, iv, ivs[i], aad, sizeof aad, ct, pt, 61, tag), HSB_OK);
        CHECK_RC(gc->open(c, iv, ivs[i], aad, sizeof aad, buf, ct, 61, tag), HSB_OK);
        CHECK(memcmp(buf, pt, 61) == 0);
        CHECK_RC(gc->open(c, iv, ivs[i], aad, sizeof aad - 1, buf, ct, 61, tag), HSB_E_DECRYPT);
        if (ivs[i] > 1) /* the IV length is part of the nonce */
            CHECK_RC(gc->open(c, iv, ivs[i] - 1, aad, sizeof aad, buf, ct, 61, tag), HSB_E_DECRYPT);
    }
    CHECK_RC(gc->seal(c, iv, 0, NULL, 0, ct, pt, 16, tag), HSB_E_USAGE);
    CHECK_RC(gc->open(c, iv, 0, NULL, 0, buf, ct, 16, tag), HSB_E_USAGE);
    CHECK_RC(gc->seal(c, iv, 129, NULL, 0, ct, pt, 16, tag), HSB_E_UNSUPPORTED);
    gc->clear(c);
    CHECK_RC(gc->init(c, key, 15), HSB_E_UNSUPPORTED);
    hsb_ctx_free(c, gc->ctx_size);
}

/* ------------------------------------------------------------ SHA-256, HMAC */

static void test_sha256(void)
{
    const hsb_sha256_class *sc = B->sha256;
    void *a = hsb_ctx_alloc(sc->ctx_size), *b = hsb_ctx_alloc(sc->ctx_size);
    uint8_t out[32];
    const hsb_st_kat_sha256 *kat = hsb_st_kat_sha256_fips;
    const char *abc_hex = kat[HSB_ST_KAT_SHA256_ABC].md;
    CHECK_RC(sc->init(a), HSB_OK);
    CHECK_RC(sc->init(b), HSB_OK);
    sc->final(a, out); /* FIPS 180-4 empty message */
    CHECK(hsb_hex_equal(out, kat[HSB_ST_KAT_SHA256_EMPTY].md));
    sc->update(a, "abc", 3); /* FIPS 180-4 / SHA256ShortMsg "abc" */
    sc->final(a, out);
    CHECK(hsb_hex_equal(out, abc_hex));
    /* final reset the context; copy forks a running hash. */
    sc->update(a, "a", 1);
    CHECK_RC(sc->copy(b, a), HSB_OK);
    sc->update(a, "bc", 2);
    sc->update(b, "b", 1);
    sc->update(b, "c", 1);
    sc->final(a, out);
    CHECK(hsb_hex_equal(out, abc_hex));
    sc->final(b, out);
    CHECK(hsb_hex_equal(out, abc_hex));
    /* FIPS 180-4 example: 448-bit message. */
    const char *m2 = kat[HSB_ST_KAT_SHA256_448].msg;
    sc->update(a, m2, strlen(m2));
    sc->final(a, out);
    CHECK(hsb_hex_equal(out, kat[HSB_ST_KAT_SHA256_448].md));
    sc->clear(a);
    sc->clear(b);
    hsb_ctx_free(a, sc->ctx_size);
    hsb_ctx_free(b, sc->ctx_size);
}

static void test_hmac(void)
{
    const hsb_hmac_sha256_class *hc = B->hmac;
    void *c = hsb_ctx_alloc(hc->ctx_size);
    uint8_t out[32], key[131];
    const hsb_st_kat_hmac *k2 = &hsb_st_kat_hmac_sha256[HSB_ST_KAT_HMAC_TC2],
                          *k6 = &hsb_st_kat_hmac_sha256[HSB_ST_KAT_HMAC_TC6];
    const char *case2 = k2->tag;
    /* RFC 4231 4.3 (test case 2), twice on one init, the second in pieces. */
    CHECK_RC(hc->init(c, (const uint8_t *)k2->key.text, strlen(k2->key.text)), HSB_OK);
    hc->update(c, k2->msg.text, strlen(k2->msg.text));
    hc->final(c, out);
    CHECK(hsb_hex_equal(out, case2));
    hc->update(c, "what do ya ", 11);
    hc->update(c, "want for nothing?", 17);
    hc->final(c, out);
    CHECK(hsb_hex_equal(out, case2));
    hc->clear(c);
    /* RFC 4231 4.7 (test case 6): a 131-byte key is hashed first. */
    memset(key, 0xaa, sizeof key);
    CHECK_RC(hc->init(c, key, sizeof key), HSB_OK);
    const char *m6 = k6->msg.text;
    hc->update(c, m6, strlen(m6));
    hc->final(c, out);
    CHECK(hsb_hex_equal(out, k6->tag));
    hc->clear(c);
    /* Empty key, empty message (a value every HMAC library agrees on). */
    CHECK_RC(hc->init(c, NULL, 0), HSB_OK);
    hc->final(c, out);
    CHECK(hsb_hex_equal(out, hsb_st_kat_hmac_sha256[HSB_ST_KAT_HMAC_EMPTY].tag));
    hc->clear(c);
    hsb_ctx_free(c, hc->ctx_size);
}

static void test_rng_about(void)
{
    uint8_t a[64], b[64], z[64] = {0};
    CHECK_RC(B->rng->fill(a, sizeof a), HSB_OK);
    CHECK_RC(B->rng->fill(b, sizeof b), HSB_OK);
    CHECK(memcmp(a, b, 64) != 0 && memcmp(a, z, 64) != 0);
    CHECK_RC(B->rng->fill(NULL, 0), HSB_OK);
    CHECK(strstr(B->about, OpenSSL_version(OPENSSL_VERSION_STRING)) != NULL);
    for (unsigned id = 0; id < HSB_CLASS_COUNT; id++) /* every class but the optional one */
        CHECK(id == HSB_CLASS_CBC_HMAC || hsb_backend_impl_name(B, (hsb_class_id)id) != NULL);
}

int main(void)
{
    B = hsb_openssl_backend();
    printf("%s: %s\n", B->name, B->about);
    test_modexp();
    test_rsa();
    test_dh();
    test_aes();
    test_gcm();
    test_sha256();
    test_hmac();
    test_rng_about();
    return hsb_test_report("test_openssl_backend");
}
