/*
 * AES-GCM through EVP (aes-128/192/256-gcm). Two EVP_CIPHER_CTXs (seal,
 * open) are keyed in init and reused: each call sets the IV length and
 * loads the IV only, so no key expansion and no allocation per message.
 *
 * IV lengths: any from 1 to 128 bytes (libcrypto's GCM provider keeps at most
 * 128 bytes of IV, GCM_IV_MAX_SIZE); longer ones are HSB_E_UNSUPPORTED, 0 is
 * HSB_E_USAGE. IVs other than 12 bytes go through GHASH (SP 800-38D 7.1).
 * open: libcrypto compares the tag in constant time (CRYPTO_memcmp); on a
 * mismatch the plaintext it already wrote is wiped before HSB_E_DECRYPT.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "hsb_ct.h"
#include "openssl_internal.h"

static const char *const cipher_names[3] = {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"};
static EVP_CIPHER *ciphers[3];
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_ciphers(void)
{
    for (int k = 0; k < 3; k++) ciphers[k] = EVP_CIPHER_fetch(NULL, cipher_names[k], NULL);
}

typedef struct gcm_ctx {
    EVP_CIPHER_CTX *seal, *open;
} gcm_ctx;

#define GCM_MAX_IV 128
#define CHUNK ((size_t)1 << 30)

static void gcm_clear(void *ctx)
{
    gcm_ctx *c = ctx;
    EVP_CIPHER_CTX_free(c->seal);
    EVP_CIPHER_CTX_free(c->open);
    hsb_wipe(c, sizeof *c);
}

static hsb_rc gcm_init(void *ctx, const uint8_t *key, size_t key_len)
{
    gcm_ctx *c = ctx;
    memset(c, 0, sizeof *c);
    int k = key_len == 16 ? 0 : key_len == 24 ? 1 : key_len == 32 ? 2 : -1;
    HSB_ENSURE(k >= 0, HSB_E_UNSUPPORTED);
    HSB_ENSURE(key, HSB_E_USAGE);
    pthread_once(&fetch_once, fetch_ciphers);
    HSB_OSSL_ENSURE(ciphers[k], HSB_E_UNAVAILABLE, "EVP_CIPHER_fetch(GCM)");
    c->seal = EVP_CIPHER_CTX_new();
    c->open = EVP_CIPHER_CTX_new();
    if (!c->seal || !c->open || EVP_CipherInit_ex2(c->seal, ciphers[k], key, NULL, 1, NULL) <= 0 ||
        EVP_CipherInit_ex2(c->open, ciphers[k], key, NULL, 0, NULL) <= 0) {
        gcm_clear(c);
        HSB_OSSL_BAIL(HSB_E_CRYPTO, "EVP_CipherInit_ex2(GCM)");
    }
    return HSB_OK;
}

/* Set the IV, absorb the AAD and run the text through e. */
static hsb_rc start(EVP_CIPHER_CTX *e, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                    size_t aad_len, uint8_t *out, const uint8_t *in, size_t len)
{
    HSB_OSSL_ENSURE(EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len, NULL) > 0 &&
                        EVP_CipherInit_ex2(e, NULL, NULL, iv, -1, NULL) > 0,
                    HSB_E_CRYPTO, "GCM IV");
    int outl;
    for (size_t off = 0; off < aad_len;) {
        size_t n = aad_len - off < CHUNK ? aad_len - off : CHUNK;
        HSB_OSSL_ENSURE(EVP_CipherUpdate(e, NULL, &outl, aad + off, (int)n) > 0, HSB_E_CRYPTO,
                        "GCM AAD");
        off += n;
    }
    for (size_t off = 0; off < len;) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        HSB_OSSL_ENSURE(EVP_CipherUpdate(e, out + off, &outl, in + off, (int)n) > 0 &&
                            (size_t)outl == n,
                        HSB_E_CRYPTO, "GCM update");
        off += n;
    }
    return HSB_OK;
}

static hsb_rc check_args(const gcm_ctx *c, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                         size_t aad_len, uint8_t *out, const uint8_t *in, size_t len,
                         const uint8_t *tag)
{
    HSB_ENSURE(c->seal && tag && (aad || aad_len == 0) && (len == 0 || (in && out)), HSB_E_USAGE);
    HSB_ENSURE(iv && iv_len > 0, HSB_E_USAGE);
    HSB_ENSURE(iv_len <= GCM_MAX_IV, HSB_E_UNSUPPORTED);
    return HSB_OK;
}

static hsb_rc gcm_seal(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                       size_t aad_len, uint8_t *out, const uint8_t *in, size_t len, uint8_t tag[16])
{
    gcm_ctx *c = ctx;
    HSB_GUARD(check_args(c, iv, iv_len, aad, aad_len, out, in, len, tag));
    HSB_GUARD(start(c->seal, iv, iv_len, aad, aad_len, out, in, len));
    uint8_t none[16]; /* GCM's final writes no bytes */
    int outl;
    HSB_OSSL_ENSURE(EVP_CipherFinal_ex(c->seal, none, &outl) > 0 &&
                        EVP_CIPHER_CTX_ctrl(c->seal, EVP_CTRL_GCM_GET_TAG, 16, tag) > 0,
                    HSB_E_CRYPTO, "GCM seal final");
    return HSB_OK;
}

static hsb_rc gcm_open(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                       size_t aad_len, uint8_t *out, const uint8_t *in, size_t len,
                       const uint8_t tag[16])
{
    gcm_ctx *c = ctx;
    HSB_GUARD(check_args(c, iv, iv_len, aad, aad_len, out, in, len, tag));
    hsb_rc rc = start(c->open, iv, iv_len, aad, aad_len, out, in, len);
    if (rc != HSB_OK) {
        if (len) hsb_wipe(out, len);
        return rc;
    }
    uint8_t t[16];
    memcpy(t, tag, 16); /* the ctrl takes a non-const pointer */
    uint8_t none[16];
    int outl;
    int ok = EVP_CIPHER_CTX_ctrl(c->open, EVP_CTRL_GCM_SET_TAG, 16, t) > 0 &&
             EVP_CipherFinal_ex(c->open, none, &outl) > 0;
    if (!ok) {
        if (len) hsb_wipe(out, len);
        ERR_clear_error();
        HSB_BAIL(HSB_E_DECRYPT);
    }
    return HSB_OK;
}

const hsb_gcm_class hsb_openssl_gcm = {
    .name = "openssl-evp-aes-gcm",
    .ctx_size = sizeof(gcm_ctx),
    .key_sizes = HSB_AES_KEY_128 | HSB_AES_KEY_192 | HSB_AES_KEY_256,
    .init = gcm_init,
    .seal = gcm_seal,
    .open = gcm_open,
    .clear = gcm_clear,
};
