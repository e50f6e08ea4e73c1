/* Key material of a run: RSA keys made once with libcrypto, DH parameters. */
#include <openssl/rand.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_rsa_export.h"
#include "hsb_keys.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static hsb_bench_rsa *cache[8];

const hsb_bench_rsa *hsb_bench_rsa_key(unsigned bits)
{
    pthread_mutex_lock(&lock);
    hsb_bench_rsa *r = NULL;
    size_t i;
    for (i = 0; i < sizeof cache / sizeof cache[0] && cache[i]; i++)
        if (cache[i]->bits == bits) {
            r = cache[i];
            goto out;
        }
    if (i == sizeof cache / sizeof cache[0]) goto out;
    r = calloc(1, sizeof *r);
    if (!r) goto out;
    r->bits = bits;
    r->pkey = EVP_RSA_gen(bits);
    if (!r->pkey || hsb_rsa_key_export(r->pkey, r->buf, sizeof r->buf, &r->key) != HSB_OK) {
        EVP_PKEY_free(r->pkey);
        free(r);
        r = NULL;
        goto out;
    }
    cache[i] = r;
out:
    pthread_mutex_unlock(&lock);
    return r;
}

const char *hsb_ossl_group_name(const char *ours)
{
    if (!strcmp(ours, "modp2048")) return "modp_2048";
    if (!strcmp(ours, "modp3072")) return "modp_3072";
    if (!strcmp(ours, "modp4096")) return "modp_4096";
    return ours; /* ffdhe2048 ... are spelt the same */
}

EVP_PKEY *hsb_ossl_dh_params(const char *ours)
{
    EVP_PKEY *params = NULL;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    if (!pc) return NULL;
    OSSL_PARAM ps[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                         (char *)hsb_ossl_group_name(ours), 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_PKEY_paramgen_init(pc) != 1 || EVP_PKEY_CTX_set_params(pc, ps) != 1 ||
        EVP_PKEY_paramgen(pc, &params) != 1)
        params = NULL;
    EVP_PKEY_CTX_free(pc);
    return params;
}

void hsb_bench_random(void *buf, size_t len)
{
    if (RAND_bytes(buf, (int)len) != 1) {
        fprintf(stderr, "hsbench: RAND_bytes failed\n");
        abort();
    }
}
