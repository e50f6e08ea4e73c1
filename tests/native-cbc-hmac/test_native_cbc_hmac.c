/*
 * The native cbc-hmac class (one TLS 1.2 MAC-then-encrypt record, RFC 5246
 * 6.2.3.2) against OpenSSL's EVP pieces (HMAC-SHA256, then AES-128-CBC
 * without padding) byte for byte, over every data length 0..1100 and a
 * spread up to 16 KiB, random keys and sequence numbers; the stitched and
 * the sequential class against each other; open of records OpenSSL made
 * with every padding length 0..255 (RFC 5246 allows any up to 255); and the
 * failures: bad MAC, bad padding byte, padding longer than the record,
 * short and misaligned records, all HSB_E_DECRYPT without a crash.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_test.h"
#include "native_cbc_hmac.h"

#define MAXREC (16384 + 2048)

typedef struct keys {
    uint8_t aes[16], mac[32], iv[16], hdr[13];
} keys;

/* The record the pieces make: E(data || HMAC(hdr || data) || pad x (pad+1)). */
static size_t ref_seal(const keys *k, const uint8_t *data, size_t len, size_t pad, uint8_t *out)
{
    uint8_t *p = malloc(len + 32 + 256), *m = malloc(13 + len);
    unsigned mlen = 32;
    memcpy(m, k->hdr, 13);
    memcpy(m + 13, data, len);
    memcpy(p, data, len);
    CHECK(HMAC(EVP_sha256(), k->mac, 32, m, 13 + len, p + len, &mlen) != NULL);
    free(m);
    memset(p + len + 32, (int)pad, pad + 1);
    size_t n = len + 32 + pad + 1;
    EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();
    int ol = 0;
    EVP_EncryptInit_ex(e, EVP_aes_128_cbc(), NULL, k->aes, k->iv);
    EVP_CIPHER_CTX_set_padding(e, 0);
    EVP_EncryptUpdate(e, out, &ol, p, (int)n);
    EVP_CIPHER_CTX_free(e);
    free(p);
    return n;
}

static void draw_keys(keys *k, size_t len)
{
    hsb_test_prng_bytes(k->aes, 16);
    hsb_test_prng_bytes(k->mac, 32);
    hsb_test_prng_bytes(k->iv, 16);
    hsb_test_prng_bytes(k->hdr, 11); /* seq, type, version: any values */
    k->hdr[11] = (uint8_t)(len >> 8);
    k->hdr[12] = (uint8_t)len;
}

static void *new_ctx(const hsb_cbc_hmac_class *c, const keys *k)
{
    void *ctx = hsb_ctx_alloc(c->ctx_size);
    CHECK_RC(c->init(ctx, k->aes, 16, k->mac, 32), HSB_OK);
    return ctx;
}

static void free_ctx(const hsb_cbc_hmac_class *c, void *ctx)
{
    c->clear(ctx);
    hsb_ctx_free(ctx, c->ctx_size);
}

/* Seal len bytes with cls, compare with the pieces, open again. */
static void one_length(const hsb_cbc_hmac_class *cls, size_t len)
{
    static uint8_t data[MAXREC], ref[MAXREC], buf[MAXREC];
    keys k;
    draw_keys(&k, len);
    hsb_test_prng_bytes(data, len);
    size_t pad = 15 - (len + 32) % 16;
    size_t n = ref_seal(&k, data, len, pad, ref);
    void *ctx = new_ctx(cls, &k);
    size_t out = 0, got = 0;
    memcpy(buf, data, len);
    CHECK_RC(cls->seal(ctx, k.hdr, k.iv, buf, len, &out), HSB_OK);
    CHECKF(out == n && memcmp(buf, ref, n) == 0, "%s: seal of %zu bytes differs", cls->name, len);
    CHECK_RC(cls->open(ctx, k.hdr, k.iv, buf, out, &got), HSB_OK);
    CHECKF(got == len && memcmp(buf, data, len) == 0, "%s: open of %zu bytes", cls->name, len);
    free_ctx(cls, ctx);
}

/* Records with long padding (any length up to 255 is legal) open. */
static void long_padding(const hsb_cbc_hmac_class *cls)
{
    static uint8_t data[2048], buf[2048 + 512];
    size_t lens[] = {0, 1, 31, 200, 1000, 1024, 1700};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        for (size_t pad = 0; pad < 256; pad++) {
            if ((lens[i] + 32 + pad + 1) % 16) continue;
            keys k;
            draw_keys(&k, lens[i]);
            hsb_test_prng_bytes(data, lens[i]);
            size_t n = ref_seal(&k, data, lens[i], pad, buf), got = 0;
            void *ctx = new_ctx(cls, &k);
            hsb_rc rc = cls->open(ctx, k.hdr, k.iv, buf, n, &got);
            CHECKF(rc == HSB_OK && got == lens[i] && !memcmp(buf, data, got),
                   "%s: open of %zu bytes with padding %zu", cls->name, lens[i], pad);
            free_ctx(cls, ctx);
        }
    }
}

/* Corrupt one plaintext byte at pos (MAC or padding) and expect a refusal. */
static void refuse(const hsb_cbc_hmac_class *cls, size_t len, size_t pad, size_t pos, uint8_t x)
{
    static uint8_t data[4096], plain[4096 + 512], buf[4096 + 512];
    keys k;
    draw_keys(&k, len);
    hsb_test_prng_bytes(data, len);
    size_t n = ref_seal(&k, data, len, pad, buf), got = 12345;
    /* Decrypt, corrupt, re-encrypt: the corruption lands exactly at pos. */
    EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();
    int ol = 0;
    EVP_DecryptInit_ex(e, EVP_aes_128_cbc(), NULL, k.aes, k.iv);
    EVP_CIPHER_CTX_set_padding(e, 0);
    EVP_DecryptUpdate(e, plain, &ol, buf, (int)n);
    plain[pos] ^= x;
    EVP_EncryptInit_ex(e, EVP_aes_128_cbc(), NULL, k.aes, k.iv);
    EVP_CIPHER_CTX_set_padding(e, 0);
    EVP_EncryptUpdate(e, buf, &ol, plain, (int)n);
    EVP_CIPHER_CTX_free(e);
    void *ctx = new_ctx(cls, &k);
    CHECKF(cls->open(ctx, k.hdr, k.iv, buf, n, &got) == HSB_E_DECRYPT && got == 12345,
           "%s: %zu bytes, padding %zu, byte %zu ^ %02x accepted", cls->name, len, pad, pos, x);
    free_ctx(cls, ctx);
}

static void negatives(const hsb_cbc_hmac_class *cls)
{
    size_t lens[] = {0, 15, 100, 1000, 3000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t len = lens[i], pad = 15 - (len + 32) % 16, n = len + 32 + pad + 1;
        refuse(cls, len, pad, len, 0x01);                    /* first MAC byte */
        refuse(cls, len, pad, len + 31, 0x80);               /* last MAC byte */
        if (len) refuse(cls, len, pad, 0, 0x04);             /* data */
        refuse(cls, len, pad, n - 1, 0x10);                  /* the length byte */
        if (pad) refuse(cls, len, pad, n - 2, 1);            /* a padding byte */
        refuse(cls, len, pad + 16, len + 32, 2);             /* first byte of a long padding */
        refuse(cls, len, pad, n - 1, (uint8_t)(0xff ^ pad)); /* padding 255: longer than n
                                                              * for short records */
    }
    /* Lengths refused before any decryption: short or not whole blocks. */
    keys k;
    draw_keys(&k, 0);
    void *ctx = new_ctx(cls, &k);
    uint8_t buf[96] = {0};
    size_t bad[] = {0, 16, 32, 47, 50, 63, 95}, got = 7;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_RC(cls->open(ctx, k.hdr, k.iv, buf, bad[i], &got), HSB_E_DECRYPT);
    /* Random garbage of a valid length: refused (the MAC cannot match). */
    for (int i = 0; i < 50; i++) {
        hsb_test_prng_bytes(buf, sizeof buf);
        CHECK_RC(cls->open(ctx, k.hdr, k.iv, buf, 48 + 16 * (size_t)(i % 4), &got), HSB_E_DECRYPT);
    }
    CHECK(got == 7);
    free_ctx(cls, ctx);
}

static void run_class(const hsb_cbc_hmac_class *cls)
{
    printf("class %s\n", cls->name);
    for (size_t len = 0; len <= 1100; len++) one_length(cls, len);
    for (size_t len = 1101; len <= 16384; len += 1 + hsb_test_prng64() % 613) one_length(cls, len);
    one_length(cls, 16384);
    one_length(cls, HSB_CBC_HMAC_MAX_LEN);
    long_padding(cls);
    negatives(cls);
}

static void usage_errors(const hsb_cbc_hmac_class *cls)
{
    keys k;
    draw_keys(&k, 0);
    void *ctx = hsb_ctx_alloc(cls->ctx_size);
    CHECK_RC(cls->init(ctx, k.aes, 32, k.mac, 32), HSB_E_UNSUPPORTED);
    CHECK_RC(cls->init(ctx, k.aes, 16, k.mac, 32), HSB_OK);
    size_t out;
    static uint8_t big[HSB_CBC_HMAC_MAX_LEN + 64];
    CHECK_RC(cls->seal(ctx, k.hdr, k.iv, big, HSB_CBC_HMAC_MAX_LEN + 1, &out), HSB_E_USAGE);
    free_ctx(cls, ctx);
}

int main(void)
{
    hsb_test_prng_seed(0x5717c4);
    const hsb_cbc_hmac_class *best = hsb_native_cbc_hmac_get();
    const hsb_cbc_hmac_class *seq = hsb_native_cbc_hmac_sequential_get();
    if (!best) {
        printf("native cbc-hmac: UNAVAILABLE (no AES-NI)\n");
        return 77;
    }
    CHECK(hsb_native_backend()->cbc_hmac == best);
    run_class(best);
    if (seq != best) run_class(seq);
    usage_errors(best);
    return hsb_test_report("native_cbc_hmac");
}
