/*
 * ctgrind of the native cbc-hmac class (TLS 1.2 MAC-then-encrypt records):
 * under valgrind's memcheck the AES key, the MAC key and the record data are
 * marked undefined, so a branch or a memory address that depends on them is
 * reported. Seal of secret data, open of good records and of records with a
 * bad MAC or bad padding: only the verdict (and then the data length) is
 * declassified, by the class itself, as its contract makes them public.
 *
 *   (no option)    run the checks under valgrind (the parent re-runs itself)
 *   --leak open    the control: a textbook variable-time open (HMAC over the
 *                  length the padding byte claims, an early-exit compare),
 *                  which valgrind must catch (WILL_FAIL in CMake)
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_ctgrind.h"
#include "hsb_native_aes.h"
#include "native_cbc_hmac.h"
#include "native_sha256.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL: " __VA_ARGS__);                                                          \
            printf("\n");                                                                          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

typedef struct rec_keys {
    uint8_t aes[16], mac[32], iv[16], hdr[13];
} rec_keys;

static void make_keys(rec_keys *k, size_t len)
{
    for (int i = 0; i < 16; i++) k->aes[i] = (uint8_t)(0x3c ^ (7 * i)), k->iv[i] = (uint8_t)(5 * i);
    for (int i = 0; i < 32; i++) k->mac[i] = (uint8_t)(0xa5 ^ (11 * i));
    for (int i = 0; i < 11; i++) k->hdr[i] = (uint8_t)i;
    k->hdr[8] = 23;
    k->hdr[9] = 3;
    k->hdr[10] = 3;
    k->hdr[11] = (uint8_t)(len >> 8);
    k->hdr[12] = (uint8_t)len;
}

/* The record OpenSSL's pieces make, for the comparison. */
static void ref_record(const rec_keys *k, const uint8_t *data, size_t len, uint8_t *out, size_t *n)
{
    uint8_t m[13 + 1200], p[1200 + 64];
    unsigned ml = 32;
    int l = 0;
    memcpy(m, k->hdr, 13);
    memcpy(m + 13, data, len);
    memcpy(p, data, len);
    HMAC(EVP_sha256(), k->mac, 32, m, 13 + len, p + len, &ml);
    size_t pad = 15 - (len + 32) % 16;
    memset(p + len + 32, (int)pad, pad + 1);
    *n = len + 32 + pad + 1;
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(x, EVP_aes_128_cbc(), NULL, k->aes, k->iv);
    EVP_CIPHER_CTX_set_padding(x, 0);
    EVP_EncryptUpdate(x, out, &l, p, (int)*n);
    EVP_CIPHER_CTX_free(x);
}

/* init with secret keys. */
static void *secret_ctx(const hsb_cbc_hmac_class *cls, const rec_keys *k)
{
    uint8_t ak[16], mk[32];
    memcpy(ak, k->aes, 16);
    memcpy(mk, k->mac, 32);
    SECRET(ak, 16);
    SECRET(mk, 32);
    void *ctx = hsb_ctx_alloc(cls->ctx_size);
    hsb_rc rc = cls->init(ctx, ak, 16, mk, 32);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == HSB_OK, "%s: init", cls->name);
    return ctx;
}

static void check_len(const hsb_cbc_hmac_class *cls, size_t len)
{
    rec_keys k;
    make_keys(&k, len);
    uint8_t data[1200], buf[1200 + 64], want[1200 + 64];
    for (size_t i = 0; i < len; i++) data[i] = (uint8_t)(i * 13 + 7);
    size_t n = 0, out = 0, got = 0;
    ref_record(&k, data, len, want, &n);
    void *ctx = secret_ctx(cls, &k);
    memcpy(buf, data, len);
    SECRET(buf, len);
    hsb_rc rc = cls->seal(ctx, k.hdr, k.iv, buf, len, &out);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(buf, out);
    CHECK(rc == HSB_OK && out == n && memcmp(buf, want, n) == 0, "%s: seal %zu", cls->name, len);
    rc = cls->open(ctx, k.hdr, k.iv, buf, n, &got);
    PUBLIC(buf, n);
    CHECK(rc == HSB_OK && got == len && memcmp(buf, data, len) == 0, "%s: open %zu", cls->name,
          len);
    /* A bad MAC (last ciphertext block but one flipped) and bad padding
     * (last block flipped): refused, in the same constant time. */
    for (int which = 0; which < 2; which++) {
        memcpy(buf, want, n);
        buf[n - 17 - 16 * which] ^= 0x40;
        rc = cls->open(ctx, k.hdr, k.iv, buf, n, &got);
        CHECK(rc == HSB_E_DECRYPT, "%s: corrupt record %zu/%d accepted", cls->name, len, which);
    }
    cls->clear(ctx);
    hsb_ctx_free(ctx, cls->ctx_size);
}

static int run_checks(void)
{
    const hsb_cbc_hmac_class *c[2] = {hsb_native_cbc_hmac_get(),
                                      hsb_native_cbc_hmac_sequential_get()};
    if (!c[0]) {
        printf("no native cbc-hmac under valgrind (no AES-NI offered): not checked\n");
        return 0;
    }
    for (int i = 0; i < 2; i++) {
        if (i && c[1] == c[0]) continue;
        static const size_t lens[] = {0, 40, 100, 333, 1024, 1100};
        for (size_t j = 0; j < sizeof lens / sizeof lens[0]; j++) check_len(c[i], lens[j]);
        printf("  %s seal/open (secret AES key, MAC key, data): done\n", c[i]->name);
    }
    return failures ? 1 : 0;
}

/* The control: decrypt, then trust the padding byte for the MAC's length and
 * compare with an early exit, as a naive implementation would. */
static int run_leak(void)
{
    const hsb_aes_class *aes = hsb_native_aes_get();
    if (!aes) return 0;
    rec_keys k;
    make_keys(&k, 100);
    uint8_t data[100] = {1}, rec[160], plain[160], tag[32];
    size_t n = 0;
    unsigned tl = 0;
    ref_record(&k, data, 100, rec, &n);
    void *ctx = hsb_ctx_alloc(aes->ctx_size);
    uint8_t ak[16], iv[16];
    memcpy(ak, k.aes, 16);
    SECRET(ak, 16);
    memcpy(iv, k.iv, 16);
    (void)aes->init(ctx, ak, 16);
    (void)aes->cbc_decrypt(ctx, iv, plain, rec, n);
    size_t d = n - 33 - plain[n - 1];
    HMAC(EVP_sha256(), k.mac, 32, plain, d, tag, &tl);
    int ok = memcmp(tag, plain + d, 32) == 0;
    printf("leaky open ran: %d\n", ok);
    hsb_ctx_free(ctx, aes->ctx_size);
    return 0;
}

int main(int argc, char **argv)
{
    int leak = argc > 2 && strcmp(argv[1], "--leak") == 0 && strcmp(argv[2], "open") == 0;
    if (argc > 1 && !leak) {
        fprintf(stderr, "usage: %s [--leak open]\n", argv[0]);
        return 2;
    }
    if (RUNNING_ON_VALGRIND) return leak ? run_leak() : run_checks();
    int skip = hsb_ctgrind_unavailable();
    if (skip) return skip;
    char *args[] = {(char *)"--leak", (char *)"open", NULL};
    int code = hsb_ctgrind_run(argv[0], leak ? args : args + 2);
    return hsb_ctgrind_verdict("ctgrind cbc-hmac", leak != 0, code);
}
