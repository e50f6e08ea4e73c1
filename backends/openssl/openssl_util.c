/* Helpers shared by the openssl backend's classes (see openssl_internal.h). */
#include "openssl_internal.h"

#include <pthread.h>
#include <stdio.h>

#include <openssl/err.h>

hsb_rc hsb_ossl_raise(hsb_rc code, const char *file, int line, const char *what)
{
    char msg[200];
    unsigned long e = ERR_peek_error();
    if (e != 0) {
        char reason[120];
        ERR_error_string_n(e, reason, sizeof reason);
        snprintf(msg, sizeof msg, "%s: %s", what, reason);
    } else {
        snprintf(msg, sizeof msg, "%s", what);
    }
    ERR_clear_error();
    return hsb_raise(code, file, line, msg);
}

static pthread_key_t bn_ctx_key;
static int bn_ctx_key_ok;
static pthread_once_t bn_ctx_once = PTHREAD_ONCE_INIT;

static void bn_ctx_destroy(void *p)
{
    BN_CTX_free(p);
}

static void bn_ctx_key_create(void)
{
    bn_ctx_key_ok = pthread_key_create(&bn_ctx_key, bn_ctx_destroy) == 0;
}

BN_CTX *hsb_ossl_bn_ctx(void)
{
    pthread_once(&bn_ctx_once, bn_ctx_key_create);
    if (!bn_ctx_key_ok) return NULL;
    BN_CTX *c = pthread_getspecific(bn_ctx_key);
    if (c) return c;
    /* A "secure" BN_CTX: its numbers hold exponents and private keys. */
    c = BN_CTX_secure_new();
    if (c && pthread_setspecific(bn_ctx_key, c) != 0) {
        BN_CTX_free(c);
        c = NULL;
    }
    return c;
}

size_t hsb_ossl_be_bits(const uint8_t *a, size_t len)
{
    size_t i = 0;
    while (i < len && a[i] == 0) i++;
    if (i == len) return 0;
    size_t bits = (len - i - 1) * 8;
    for (unsigned v = a[i]; v; v >>= 1) bits++;
    return bits;
}

int hsb_ossl_be_cmp(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    while (a_len > 0 && *a == 0) a++, a_len--;
    while (b_len > 0 && *b == 0) b++, b_len--;
    if (a_len != b_len) return a_len < b_len ? -1 : 1;
    for (size_t i = 0; i < a_len; i++)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}
