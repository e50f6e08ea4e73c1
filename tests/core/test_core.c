/* Unit tests of core's own pieces: composition specs, constant-time helpers,
 * the named DH groups. (PRF and PKCS#1 run over every backend in selftest.) */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>

#include "hsb_ct.h"
#include "hsb_dh_groups.h"
#include "hsb_provider.h"
#include "hsb_test.h"

/* Fake classes: only their names matter to composition. */
static const hsb_modexp_class mx_a = {.name = "a-modexp"};
static const hsb_aes_class aes_a = {.name = "a-aes"};
static const hsb_sha256_class sha_a = {.name = "a-sha"};
static const hsb_rng_class rng_a = {.name = "a-rng"};
static const hsb_modexp_class mx_b = {.name = "b-modexp"};
static const hsb_aes_class aes_c = {.name = "c-aes"};
static const hsb_backend ba = {
    .name = "ref", .modexp = &mx_a, .aes = &aes_a, .sha256 = &sha_a, .rng = &rng_a};
static const hsb_backend bb = {.name = "bee", .modexp = &mx_b};
static const hsb_backend bc = {.name = "sea", .aes = &aes_c};
static const hsb_backend *const list[] = {&ba, &bb, &bc};

static void test_compose(void)
{
    hsb_provider p;
    char err[512], desc[256];
    CHECK(hsb_compose(list, 3, "ref", &p, err, sizeof err) == HSB_OK);
    CHECK(strcmp(p.label, "ref") == 0 && p.cls.modexp == &mx_a && p.cls.dh == NULL);
    CHECK(p.from[HSB_CLASS_DH] == NULL && strcmp(p.from[HSB_CLASS_AES], "ref") == 0);

    /* A backend lacking classes borrows them from the reference, in the open. */
    CHECK(hsb_compose(list, 3, "bee", &p, err, sizeof err) == HSB_OK);
    CHECK(p.cls.modexp == &mx_b && p.cls.aes == &aes_a);
    CHECK(strcmp(p.label, "bee+ref") == 0);
    hsb_provider_describe(&p, desc, sizeof desc);
    CHECK(strstr(desc, "aes from ref") != NULL && strstr(desc, "modexp from") == NULL);

    CHECK(hsb_compose(list, 3, "pk=bee,cipher=sea", &p, err, sizeof err) == HSB_OK);
    CHECK(p.cls.modexp == &mx_b && p.cls.aes == &aes_c && p.cls.sha256 == &sha_a);
    CHECK(strcmp(p.label, "bee+sea+ref") == 0);
    CHECK(strstr(p.spec, "modexp=bee") && strstr(p.spec, "aes=sea") && strstr(p.spec, "dh=none"));

    CHECK(hsb_compose(list, 3, "sea,modexp=bee", &p, err, sizeof err) == HSB_OK);
    CHECK(p.cls.aes == &aes_c && p.cls.modexp == &mx_b && strcmp(p.label, "sea+bee+ref") == 0);

    /* Bad specs: usage error, and the message names the valid choices. */
    const char *bad[] = {"", "nope", "pk=nope", "zz=ref", "pk=bee,pk=ref", "ref,,", "pk=bee,ref"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        CHECK(hsb_compose(list, 3, bad[i], &p, err, sizeof err) == HSB_E_USAGE);
        CHECK(strstr(err, "ref, bee, sea") != NULL);
    }
}

static void test_ct(void)
{
    CHECK(hsb_ct_eq32(5, 5) == 1 && hsb_ct_eq32(5, 6) == 0);
    CHECK(hsb_ct_lt32(1, 2) == 1 && hsb_ct_lt32(2, 1) == 0 && hsb_ct_lt32(0xffffffffu, 0) == 0);
    CHECK(hsb_ct_mux32(1, 7, 9) == 7 && hsb_ct_mux32(0, 7, 9) == 9);
    CHECK(hsb_ct_nonzero32(0) == 0 && hsb_ct_nonzero32(0x80000000u) == 1);
    uint8_t a[33], b[33];
    memset(a, 0x5a, sizeof a);
    memcpy(b, a, sizeof b);
    CHECK(hsb_ct_memeq(a, b, sizeof a) == 1);
    for (size_t i = 0; i < sizeof a; i++) {
        b[i] ^= 0x80;
        CHECK(hsb_ct_memeq(a, b, sizeof a) == 0);
        b[i] ^= 0x80;
    }
    uint8_t d[4] = {1, 2, 3, 4}, s[4] = {9, 9, 9, 9};
    hsb_ct_cond_copy(0, d, s, 4);
    CHECK(d[0] == 1 && d[3] == 4);
    hsb_ct_cond_copy(1, d, s, 4);
    CHECK(d[0] == 9 && d[3] == 9);
}

static void test_dh_groups(void)
{
    size_t n;
    const hsb_dh_group *const *gs = hsb_dh_groups(&n);
    CHECK(n == 6);
    BN_CTX *bc = BN_CTX_new();
    for (size_t i = 0; i < n; i++) {
        const hsb_dh_group *g = gs[i];
        BIGNUM *p = BN_bin2bn(g->p, (int)g->p_len, NULL);
        BIGNUM *q = BN_bin2bn(g->q, (int)g->q_len, NULL);
        BIGNUM *t = BN_new();
        /* p is a safe prime of the stated size, q = (p-1)/2, g = 2, and both
         * RFC 7919 and RFC 3526 primes have 64 one bits at each end. */
        CHECK((size_t)BN_num_bits(p) == g->p_len * 8);
        CHECK(BN_rshift1(t, p) && BN_cmp(t, q) == 0);
        CHECK(g->g_len == 1 && g->g[0] == 2);
        /* Primality of the larger groups takes tens of seconds: 2048-bit only. */
        if (g->p_len == 256)
            CHECK(BN_check_prime(p, bc, NULL) == 1 && BN_check_prime(q, bc, NULL) == 1);
        for (size_t j = 0; j < 8; j++) CHECK(g->p[j] == 0xff && g->p[g->p_len - 1 - j] == 0xff);
        CHECK(g->priv_bits >= 225 && g->priv_bits < g->p_len * 8);
        BN_free(p);
        BN_free(q);
        BN_free(t);
    }
    CHECK(hsb_dh_group_by_name("ffdhe3072") && hsb_dh_group_by_name("ffdhe3072")->p_len == 384);
    CHECK(hsb_dh_group_by_name("ffdhe1024") == NULL && hsb_dh_group_by_name(NULL) == NULL);
    BN_CTX_free(bc);
}

int main(void)
{
    test_compose();
    test_ct();
    test_dh_groups();
    return hsb_test_report("test_core");
}
