/* Helpers of the selftest runner: hex members of JSON, big-endian compares,
 * the tests' own randomness and digests, and RSA keys made by libcrypto. */
#include "hsb_selftest.h"

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_hex.h"
#include "hsb_rsa_export.h"

unsigned hsb_st_aes_key_bit(size_t key_len)
{
    return key_len == 16   ? HSB_AES_KEY_128
           : key_len == 24 ? HSB_AES_KEY_192
           : key_len == 32 ? HSB_AES_KEY_256
                           : 0;
}

void hsb_st_strip(const uint8_t **p, size_t *len)
{
    while (*len > 0 && **p == 0) {
        (*p)++;
        (*len)--;
    }
}

int hsb_st_cmp_be(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    hsb_st_strip(&a, &a_len);
    hsb_st_strip(&b, &b_len);
    if (a_len != b_len) return a_len < b_len ? -1 : 1;
    return a_len ? memcmp(a, b, a_len) : 0;
}

void hsb_st_random(void *out, size_t len)
{
    if (len && RAND_bytes(out, (int)len) != 1) {
        fprintf(stderr, "selftest: RAND_bytes failed\n");
        abort();
    }
}

static hsb_rc st_rng_fill(void *out, size_t len)
{
    hsb_st_random(out, len);
    return HSB_OK;
}

const hsb_rng_class hsb_st_rng = {.name = "selftest-libcrypto", .fill = st_rng_fill};

void hsb_st_sha256(const void *msg, size_t len, uint8_t out[32])
{
    unsigned int olen = 32;
    if (EVP_Digest(msg, len, out, &olen, EVP_sha256(), NULL) != 1) {
        fprintf(stderr, "selftest: EVP_Digest failed\n");
        abort();
    }
}

hsb_rc hsb_st_rsa_generate(hsb_st_rsa *k, unsigned bits)
{
    memset(k, 0, sizeof *k);
    EVP_PKEY *pkey = EVP_RSA_gen(bits);
    if (!pkey) HSB_BAIL_MSG(HSB_E_CRYPTO, "EVP_RSA_gen");
    size_t cap = HSB_RSA_EXPORT_CAP(bits);
    k->buf = malloc(cap);
    hsb_rc rc = k->buf ? hsb_rsa_key_export(pkey, k->buf, cap, &k->key) : HSB_E_NOMEM;
    if (rc != HSB_OK) {
        free(k->buf);
        k->buf = NULL;
        EVP_PKEY_free(pkey);
        return rc;
    }
    k->pkey = pkey;
    return HSB_OK;
}

void hsb_st_rsa_free(hsb_st_rsa *k)
{
    if (k->buf) {
        size_t total = k->key.n_len + k->key.e_len + k->key.d_len + k->key.p_len + k->key.q_len +
                       k->key.dp_len + k->key.dq_len + k->key.qinv_len;
        OPENSSL_cleanse(k->buf, total);
        free(k->buf);
    }
    EVP_PKEY_free(k->pkey);
    memset(k, 0, sizeof *k);
}

uint8_t *hsb_st_json_hex(const struct json_t *obj, const char *key, size_t *len)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? hsb_hex_alloc(s, len) : NULL;
}

/* One EVP_PKEY operation on k's key with the given RSA padding. */
static hsb_rc ossl_rsa(const hsb_st_rsa *k, int op, int padding, uint8_t *out, size_t *out_len,
                       const uint8_t *in, size_t in_len)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k->pkey, NULL);
    int ok = c != NULL;
    if (ok) {
        switch (op) {
        case 0:
            ok = EVP_PKEY_encrypt_init(c) == 1;
            break;
        case 1:
            ok = EVP_PKEY_decrypt_init(c) == 1;
            break;
        case 2:
            ok = EVP_PKEY_sign_init(c) == 1;
            break;
        default:
            ok = EVP_PKEY_verify_init(c) == 1;
            break;
        }
    }
    ok = ok && EVP_PKEY_CTX_set_rsa_padding(c, padding) == 1;
    if (ok && op >= 2) ok = EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) == 1;
    if (ok) {
        switch (op) {
        case 0:
            ok = EVP_PKEY_encrypt(c, out, out_len, in, in_len) == 1;
            break;
        case 1:
            ok = EVP_PKEY_decrypt(c, out, out_len, in, in_len) == 1;
            break;
        case 2:
            ok = EVP_PKEY_sign(c, out, out_len, in, in_len) == 1;
            break;
        default:
            ok = EVP_PKEY_verify(c, out, *out_len, in, in_len) == 1;
            break;
        }
    }
    EVP_PKEY_CTX_free(c);
    return ok ? HSB_OK : HSB_E_CRYPTO;
}

hsb_rc hsb_st_ossl_rsa_raw(const hsb_st_rsa *k, int priv, uint8_t *out, const uint8_t *in)
{
    size_t len = k->key.n_len;
    return ossl_rsa(k, priv ? 1 : 0, RSA_NO_PADDING, out, &len, in, k->key.n_len);
}

hsb_rc hsb_st_ossl_rsa_encrypt(const hsb_st_rsa *k, uint8_t *out, const uint8_t *msg,
                               size_t msg_len)
{
    size_t len = k->key.n_len;
    return ossl_rsa(k, 0, RSA_PKCS1_PADDING, out, &len, msg, msg_len);
}

hsb_rc hsb_st_ossl_rsa_decrypt(const hsb_st_rsa *k, uint8_t *out, size_t *out_len,
                               const uint8_t *ct)
{
    return ossl_rsa(k, 1, RSA_PKCS1_PADDING, out, out_len, ct, k->key.n_len);
}

hsb_rc hsb_st_ossl_rsa_sign(const hsb_st_rsa *k, uint8_t *sig, const uint8_t hash[32])
{
    size_t len = k->key.n_len;
    return ossl_rsa(k, 2, RSA_PKCS1_PADDING, sig, &len, hash, 32);
}

hsb_rc hsb_st_ossl_rsa_verify(const hsb_st_rsa *k, const uint8_t *sig, const uint8_t hash[32])
{
    size_t len = k->key.n_len;
    return ossl_rsa(k, 3, RSA_PKCS1_PADDING, (uint8_t *)sig, &len, hash, 32);
}

/* Keys are slow to make (seconds at 4096 bits): one cache per process. */
#define ST_KEY_CACHE 16
static struct {
    unsigned bits;
    hsb_st_rsa k;
} key_cache[ST_KEY_CACHE];
static size_t key_cache_n;

const hsb_st_rsa *hsb_st_rsa_cached(unsigned bits, unsigned index)
{
    unsigned seen = 0;
    for (size_t i = 0; i < key_cache_n; i++)
        if (key_cache[i].bits == bits && seen++ == index) return &key_cache[i].k;
    if (key_cache_n == ST_KEY_CACHE) return NULL;
    while (seen <= index) {
        if (key_cache_n == ST_KEY_CACHE) return NULL;
        if (hsb_st_rsa_generate(&key_cache[key_cache_n].k, bits) != HSB_OK) return NULL;
        key_cache[key_cache_n].bits = bits;
        key_cache_n++;
        seen++;
    }
    return &key_cache[key_cache_n - 1].k;
}

void hsb_st_rsa_cache_free(void)
{
    for (size_t i = 0; i < key_cache_n; i++) hsb_st_rsa_free(&key_cache[i].k);
    key_cache_n = 0;
}

hsb_rc hsb_st_bn_modexp(uint8_t *out, const uint8_t *a, size_t a_len, const uint8_t *e,
                        size_t e_len, const uint8_t *m, size_t m_len)
{
    BN_CTX *bctx = BN_CTX_new();
    BIGNUM *A = BN_bin2bn(a, (int)a_len, NULL), *E = BN_bin2bn(e, (int)e_len, NULL),
           *M = BN_bin2bn(m, (int)m_len, NULL), *R = BN_new();
    int ok = bctx && A && E && M && R && BN_mod_exp(R, A, E, M, bctx) == 1 &&
             BN_bn2binpad(R, out, (int)m_len) == (int)m_len;
    BN_clear_free(A);
    BN_clear_free(E);
    BN_free(M);
    BN_clear_free(R);
    BN_CTX_free(bctx);
    return ok ? HSB_OK : HSB_E_CRYPTO;
}

uint8_t *hsb_st_json_hexnum(const struct json_t *obj, const char *key, size_t *len)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? hsb_hex_alloc_number(s, len) : NULL;
}
