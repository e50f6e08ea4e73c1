/*
 * SHA-256 through EVP_MD_CTX. The EVP_MD is fetched once per process (an
 * implicit fetch per init would search the provider store every time); the
 * context is allocated in init and reused: final re-initialises it in place.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "hsb_ct.h"
#include "openssl_internal.h"

static EVP_MD *md;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_md(void)
{
    md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

typedef struct sha_ctx {
    EVP_MD_CTX *md;
} sha_ctx;

static void sha_clear(void *ctx)
{
    sha_ctx *c = ctx;
    EVP_MD_CTX_free(c->md); /* wipes the state */
    hsb_wipe(c, sizeof *c);
}

static hsb_rc sha_init(void *ctx)
{
    sha_ctx *c = ctx;
    memset(c, 0, sizeof *c);
    pthread_once(&fetch_once, fetch_md);
    HSB_OSSL_ENSURE(md, HSB_E_UNAVAILABLE, "EVP_MD_fetch(SHA256)");
    c->md = EVP_MD_CTX_new();
    if (!c->md || EVP_DigestInit_ex2(c->md, md, NULL) <= 0) {
        sha_clear(c);
        HSB_OSSL_BAIL(HSB_E_NOMEM, "EVP_DigestInit_ex2(SHA256)");
    }
    return HSB_OK;
}

/* SHA-256 updates and finals on an initialised context cannot fail in
 * libcrypto's default provider; the class returns void as the contract asks. */
static void sha_update(void *ctx, const void *data, size_t len)
{
    sha_ctx *c = ctx;
    if (len) (void)EVP_DigestUpdate(c->md, data, len);
}

static void sha_final(void *ctx, uint8_t out[32])
{
    sha_ctx *c = ctx;
    unsigned int n = 0;
    (void)EVP_DigestFinal_ex(c->md, out, &n);
    (void)EVP_DigestInit_ex2(c->md, md, NULL);
}

static hsb_rc sha_copy(void *dst, const void *src)
{
    sha_ctx *d = dst;
    const sha_ctx *s = src;
    HSB_ENSURE(d->md && s->md, HSB_E_USAGE);
    HSB_OSSL_ENSURE(EVP_MD_CTX_copy_ex(d->md, s->md) > 0, HSB_E_NOMEM, "EVP_MD_CTX_copy_ex");
    return HSB_OK;
}

const hsb_sha256_class hsb_openssl_sha256 = {
    .name = "openssl-evp-sha256",
    .ctx_size = sizeof(sha_ctx),
    .init = sha_init,
    .update = sha_update,
    .final = sha_final,
    .copy = sha_copy,
    .clear = sha_clear,
};
