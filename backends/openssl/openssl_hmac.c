/*
 * HMAC-SHA256 (RFC 2104) through EVP_MAC "HMAC" with digest SHA256. The
 * EVP_MAC is fetched once per process; the EVP_MAC_CTX is made and keyed in
 * init. final writes the tag and re-inits with the key kept
 * (EVP_MAC_init(ctx, NULL, 0, NULL)), which restores the precomputed ipad
 * state without hashing the key again: one init serves many records.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "hsb_ct.h"
#include "openssl_internal.h"

static EVP_MAC *mac;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_mac(void)
{
    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

typedef struct hmac_ctx {
    EVP_MAC_CTX *mac;
} hmac_ctx;

static void hmac_clear(void *ctx)
{
    hmac_ctx *c = ctx;
    EVP_MAC_CTX_free(c->mac); /* wipes the keyed state */
    hsb_wipe(c, sizeof *c);
}

static hsb_rc hmac_init(void *ctx, const uint8_t *key, size_t key_len)
{
    hmac_ctx *c = ctx;
    memset(c, 0, sizeof *c);
    HSB_ENSURE(key || key_len == 0, HSB_E_USAGE);
    pthread_once(&fetch_once, fetch_mac);
    HSB_OSSL_ENSURE(mac, HSB_E_UNAVAILABLE, "EVP_MAC_fetch(HMAC)");
    /* A NULL key would mean "keep the previous key" to EVP_MAC_init; an empty
     * key (legal in HMAC) needs a non-NULL pointer. */
    static const uint8_t empty[1];
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    c->mac = EVP_MAC_CTX_new(mac);
    if (!c->mac || EVP_MAC_init(c->mac, key_len ? key : empty, key_len, params) <= 0) {
        hmac_clear(c);
        HSB_OSSL_BAIL(HSB_E_CRYPTO, "EVP_MAC_init(HMAC-SHA256)");
    }
    return HSB_OK;
}

static void hmac_update(void *ctx, const void *data, size_t len)
{
    hmac_ctx *c = ctx;
    if (len) (void)EVP_MAC_update(c->mac, data, len);
}

static void hmac_final(void *ctx, uint8_t out[32])
{
    hmac_ctx *c = ctx;
    size_t n = 0;
    (void)EVP_MAC_final(c->mac, out, &n, 32);
    (void)EVP_MAC_init(c->mac, NULL, 0, NULL);
}

const hsb_hmac_sha256_class hsb_openssl_hmac_sha256 = {
    .name = "openssl-evp-hmac",
    .ctx_size = sizeof(hmac_ctx),
    .init = hmac_init,
    .update = hmac_update,
    .final = hmac_final,
    .clear = hmac_clear,
};
