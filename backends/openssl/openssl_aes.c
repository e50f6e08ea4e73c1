/*
 * AES-CBC and AES-CTR through EVP (aes-128/192/256-cbc, -ctr), padding off.
 *
 * Three EVP_CIPHER_CTXs are made and keyed in init (CBC encrypt, CBC decrypt,
 * CTR) and reused: each call re-inits with the key argument NULL, which
 * only loads the IV or counter and drops any partial-block state. So a call
 * allocates nothing and never expands the key again, and every CTR call
 * starts from the counter it is given, whatever the previous call left.
 *
 * The contract's chaining state is ours, not EVP's: after CBC the IV is the
 * last ciphertext block; after CTR the counter is advanced by the number of
 * blocks used (a final partial block uses one), mod 2^128. libcrypto's CTR
 * carries across the whole 128-bit counter too (CRYPTO_ctr128_encrypt*).
 */
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "hsb_ct.h"
#include "openssl_internal.h"

enum { CBC = 0, CTR = 1, MODES = 2 };
static const char *const cipher_names[3][MODES] = {
    {"AES-128-CBC", "AES-128-CTR"},
    {"AES-192-CBC", "AES-192-CTR"},
    {"AES-256-CBC", "AES-256-CTR"},
};
static EVP_CIPHER *ciphers[3][MODES];
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

/* Fetch the six ciphers once for the process (an explicit fetch per init
 * would hit the provider's method store each time). */
static void fetch_ciphers(void)
{
    for (int k = 0; k < 3; k++)
        for (int m = 0; m < MODES; m++)
            ciphers[k][m] = EVP_CIPHER_fetch(NULL, cipher_names[k][m], NULL);
}

typedef struct aes_ctx {
    EVP_CIPHER_CTX *cbc_enc, *cbc_dec, *ctr;
} aes_ctx;

/* Largest length handed to one EVP_CipherUpdate (its length is an int). */
#define CHUNK ((size_t)1 << 30)

static int key_index(size_t key_len)
{
    switch (key_len) {
    case 16:
        return 0;
    case 24:
        return 1;
    case 32:
        return 2;
    default:
        return -1;
    }
}

static void aes_clear(void *ctx)
{
    aes_ctx *c = ctx;
    /* EVP_CIPHER_CTX_free wipes the key schedules. */
    EVP_CIPHER_CTX_free(c->cbc_enc);
    EVP_CIPHER_CTX_free(c->cbc_dec);
    EVP_CIPHER_CTX_free(c->ctr);
    hsb_wipe(c, sizeof *c);
}

static int make(EVP_CIPHER_CTX **out, const EVP_CIPHER *cipher, const uint8_t *key, int enc)
{
    static const uint8_t zero_iv[16];
    *out = EVP_CIPHER_CTX_new();
    return *out && EVP_CipherInit_ex2(*out, cipher, key, zero_iv, enc, NULL) > 0 &&
           EVP_CIPHER_CTX_set_padding(*out, 0) > 0;
}

static hsb_rc aes_init(void *ctx, const uint8_t *key, size_t key_len)
{
    aes_ctx *c = ctx;
    memset(c, 0, sizeof *c);
    int k = key_index(key_len);
    HSB_ENSURE(k >= 0, HSB_E_UNSUPPORTED);
    HSB_ENSURE(key, HSB_E_USAGE);
    pthread_once(&fetch_once, fetch_ciphers);
    HSB_OSSL_ENSURE(ciphers[k][CBC] && ciphers[k][CTR], HSB_E_UNAVAILABLE, "EVP_CIPHER_fetch");
    if (!make(&c->cbc_enc, ciphers[k][CBC], key, 1) ||
        !make(&c->cbc_dec, ciphers[k][CBC], key, 0) || !make(&c->ctr, ciphers[k][CTR], key, 1)) {
        aes_clear(c);
        HSB_OSSL_BAIL(HSB_E_CRYPTO, "EVP_CipherInit_ex2(AES)");
    }
    return HSB_OK;
}

/* Load iv (key kept) and run len bytes through e. */
static hsb_rc run(EVP_CIPHER_CTX *e, const uint8_t iv[16], uint8_t *out, const uint8_t *in,
                  size_t len)
{
    HSB_OSSL_ENSURE(EVP_CipherInit_ex2(e, NULL, NULL, iv, -1, NULL) > 0, HSB_E_CRYPTO,
                    "EVP_CipherInit_ex2(iv)");
    for (size_t off = 0; off < len;) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        int outl = 0;
        HSB_OSSL_ENSURE(EVP_CipherUpdate(e, out + off, &outl, in + off, (int)n) > 0 &&
                            (size_t)outl == n,
                        HSB_E_CRYPTO, "EVP_CipherUpdate(AES)");
        off += n;
    }
    return HSB_OK;
}

static hsb_rc cbc_encrypt(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                          size_t len)
{
    const aes_ctx *c = ctx;
    HSB_ENSURE(c->cbc_enc && iv && len % 16 == 0 && (len == 0 || (in && out)), HSB_E_USAGE);
    if (len == 0) return HSB_OK;
    HSB_GUARD(run(c->cbc_enc, iv, out, in, len));
    memcpy(iv, out + len - 16, 16);
    return HSB_OK;
}

static hsb_rc cbc_decrypt(const void *ctx, uint8_t iv[16], uint8_t *out, const uint8_t *in,
                          size_t len)
{
    const aes_ctx *c = ctx;
    HSB_ENSURE(c->cbc_dec && iv && len % 16 == 0 && (len == 0 || (in && out)), HSB_E_USAGE);
    if (len == 0) return HSB_OK;
    uint8_t next[16]; /* saved before an in-place decryption overwrites it */
    memcpy(next, in + len - 16, 16);
    HSB_GUARD(run(c->cbc_dec, iv, out, in, len));
    memcpy(iv, next, 16);
    return HSB_OK;
}

static hsb_rc ctr(const void *ctx, uint8_t counter[16], uint8_t *out, const uint8_t *in, size_t len)
{
    const aes_ctx *c = ctx;
    HSB_ENSURE(c->ctr && counter && (len == 0 || (in && out)), HSB_E_USAGE);
    if (len == 0) return HSB_OK;
    HSB_GUARD(run(c->ctr, counter, out, in, len));
    /* counter += ceil(len / 16), big-endian, mod 2^128. */
    uint64_t add = (uint64_t)(len / 16) + (len % 16 != 0);
    for (int i = 15; i >= 0 && add; i--) {
        uint64_t s = (uint64_t)counter[i] + (add & 0xff);
        counter[i] = (uint8_t)s;
        add = (add >> 8) + (s >> 8);
    }
    return HSB_OK;
}

const hsb_aes_class hsb_openssl_aes = {
    .name = "openssl-evp-aes",
    .ctx_size = sizeof(aes_ctx),
    .key_sizes = HSB_AES_KEY_128 | HSB_AES_KEY_192 | HSB_AES_KEY_256,
    .init = aes_init,
    .cbc_encrypt = cbc_encrypt,
    .cbc_decrypt = cbc_decrypt,
    .ctr = ctr,
    .clear = aes_clear,
};
