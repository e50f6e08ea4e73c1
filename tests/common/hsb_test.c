/* The shared test harness: see hsb_test.h. */
#include "hsb_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "hsb_hex.h"

int hsb_test_checks, hsb_test_failures, hsb_test_print_limit;

int hsb_test_check(int ok, const char *file, int line, const char *fmt, ...)
{
    hsb_test_checks++;
    if (ok) return 1;
    hsb_test_failures++;
    if (hsb_test_print_limit == 0 || hsb_test_failures <= hsb_test_print_limit) {
        va_list ap;
        fprintf(stderr, "%s:%d: FAIL: ", file, line);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
    return 0;
}

int hsb_test_check_rc(hsb_rc got, hsb_rc want, const char *file, int line, const char *expr)
{
    return hsb_test_check(got == want, file, line, "%s gave %s, want %s (%s)", expr,
                          hsb_rc_name(got), hsb_rc_name(want), hsb_last_error());
}

int hsb_test_report(const char *name)
{
    printf("%s: %d checks, %d failures\n", name, hsb_test_checks, hsb_test_failures);
    return hsb_test_failures ? 1 : 0;
}

size_t hsb_test_unhex(uint8_t *out, const char *hex)
{
    return hsb_hex_decode(out, SIZE_MAX, hex);
}

void hsb_test_rand(void *out, size_t len)
{
    if (len && RAND_bytes(out, (int)len) != 1) abort();
}

size_t hsb_test_rand_below(size_t n)
{
    uint32_t v;
    hsb_test_rand(&v, sizeof v);
    return v % n;
}

static uint64_t prng_state = 0x9e3779b97f4a7c15ull;

void hsb_test_prng_seed(uint64_t seed)
{
    prng_state = seed ? seed : 0x9e3779b97f4a7c15ull; /* xorshift never leaves 0 */
}

uint64_t hsb_test_prng64(void)
{
    prng_state ^= prng_state >> 12;
    prng_state ^= prng_state << 25;
    prng_state ^= prng_state >> 27;
    return prng_state * 0x2545f4914f6cdd1dull;
}

void hsb_test_prng_bytes(uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++) out[i] = (uint8_t)(hsb_test_prng64() >> 56);
}

static size_t get_bn(EVP_PKEY *pk, const char *name, uint8_t *out)
{
    BIGNUM *b = NULL;
    if (EVP_PKEY_get_bn_param(pk, name, &b) <= 0) return 0;
    size_t n = BN_num_bytes(b) <= HSB_MAX_MODULUS_BYTES ? (size_t)BN_bn2bin(b, out) : 0;
    BN_clear_free(b);
    return n;
}

void hsb_test_rsa_key_rebind(hsb_test_rsa_key *t)
{
    hsb_rsa_key *k = &t->k;
    k->n = t->n, k->e = t->e, k->d = t->d, k->p = t->p, k->q = t->q;
    k->dp = t->dp, k->dq = t->dq, k->qinv = t->qinv;
}

int hsb_test_rsa_keygen(hsb_test_rsa_key *t, unsigned bits)
{
    memset(t, 0, sizeof *t);
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    if (!pk) return 0;
    hsb_rsa_key *k = &t->k;
    hsb_test_rsa_key_rebind(t);
    k->n_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_N, t->n);
    k->e_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_E, t->e);
    k->d_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_D, t->d);
    k->p_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_FACTOR1, t->p);
    k->q_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_FACTOR2, t->q);
    k->dp_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_EXPONENT1, t->dp);
    k->dq_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_EXPONENT2, t->dq);
    k->qinv_len = get_bn(pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, t->qinv);
    EVP_PKEY_free(pk);
    return k->n_len && k->e_len && k->d_len && k->p_len && k->q_len && k->dp_len && k->dq_len &&
           k->qinv_len;
}
