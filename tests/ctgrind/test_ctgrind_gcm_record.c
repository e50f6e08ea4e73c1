/*
 * test_ctgrind_gcm_record - constant-time check, under valgrind, of the TLS
 * AES-128-GCM record path (core/tls_gcm.c, RFC 5288) on the native gcm
 * classes valgrind's virtual CPU offers: a conn's write and read GCM
 * contexts are initialised from a secret AES key (marked undefined for
 * memcheck), a record of secret plaintext is sealed with tls_gcm_seal and
 * opened again with tls_gcm_open, then a forged record (one tag bit) is
 * opened. memcheck reports any branch or address that depends on the key,
 * the expanded key schedule, H and its powers, or the plaintext. Only the
 * public values are marked defined: the sealed record (it goes on the wire),
 * the verdicts, and the opened plaintext before it is compared.
 *
 * The nonce (the 4-byte salt and the explicit part, the sequence number) is
 * public: the explicit part is on the wire, and the counter arithmetic
 * branches on its value only to find the rare batch in which the low word
 * of the counter would wrap.
 *
 * valgrind has no AVX-512 or VAES, so the zmm and ymm classes are not run
 * here (gcm_vaes512.c is branch-free on data by construction: its only
 * branches are on the lengths).
 *
 *   --leak   the control: after the key is set, branch on a byte of the
 *            conn's expanded key schedule; valgrind must report it (exit 1
 *            when caught, ctest WILL_FAIL), which shows the secret marks
 *            reach the record path's key material.
 * Exit: 0 clean; 1 valgrind found errors or a result was wrong; 77 skipped.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_ctgrind.h"
#include "hsb_native_aes.h"
#include "tls_internal.h"

static int failures;

/* A failed check: counted, and said on stderr. */
static void check(int ok, const char *what, const char *name)
{
    if (ok) return;
    failures++;
    fprintf(stderr, "FAIL: %s: %s\n", name, what);
}

#define REC_LEN 300 /* plaintext bytes: whole blocks and a partial one */

/* OpenSSL's answer for the record: body = explicit nonce || C || tag. */
static void want_record(const uint8_t key[16], const uint8_t nonce[12], const uint8_t aad[13],
                        const uint8_t *pt, size_t len, uint8_t *ct, uint8_t tag[16])
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int l = 0;
    EVP_EncryptInit_ex(x, EVP_aes_128_gcm(), NULL, key, nonce);
    EVP_EncryptUpdate(x, NULL, &l, aad, 13);
    EVP_EncryptUpdate(x, ct, &l, pt, (int)len);
    EVP_EncryptFinal_ex(x, ct + l, &l);
    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(x);
}

typedef struct {
    hsb_backend be;
    hsb_tls_conn *c;
} rec_conn;

/* A conn with just what tls_gcm.c reads: the composition's gcm class, the
 * two contexts keyed with the same secret key, the salts, the sequence
 * numbers (both directions alike, so that it opens what it sealed). */
static int conn_setup(rec_conn *rc, const hsb_gcm_class *g, const uint8_t key[16],
                      const uint8_t salt[4])
{
    memset(&rc->be, 0, sizeof rc->be);
    rc->be.gcm = g;
    rc->c = calloc(1, sizeof *rc->c);
    hsb_tls_conn *c = rc->c;
    c->cls = &rc->be;
    c->gcm = 1;
    c->gcm_w = hsb_ctx_alloc(g->ctx_size);
    c->gcm_r = hsb_ctx_alloc(g->ctx_size);
    uint8_t skey[16];
    memcpy(skey, key, 16);
    SECRET(skey, 16);
    hsb_rc r1 = g->init(c->gcm_w, skey, 16), r2 = g->init(c->gcm_r, skey, 16);
    PUBLIC(&r1, sizeof r1);
    PUBLIC(&r2, sizeof r2);
    memcpy(c->salt_w, salt, 4);
    memcpy(c->salt_r, salt, 4);
    c->seq_w = c->seq_r = 0x0102030405060708ull;
    return r1 == HSB_OK && r2 == HSB_OK;
}

static void conn_free(rec_conn *rc, const hsb_gcm_class *g)
{
    g->clear(rc->c->gcm_w);
    g->clear(rc->c->gcm_r);
    hsb_ctx_free(rc->c->gcm_w, g->ctx_size);
    hsb_ctx_free(rc->c->gcm_r, g->ctx_size);
    free(rc->c);
}

static const uint8_t test_key[16] = {0x3a, 0x91, 0x07, 0xee, 0x52, 0x6b, 0xc4, 0x18,
                                     0x2f, 0xd0, 0x85, 0x7c, 0x49, 0xb3, 0x66, 0x01};
static const uint8_t test_salt[4] = {0xa5, 0x5a, 0x0f, 0xf0};

/* Seal a record of secret plaintext, check it against OpenSSL, open it,
 * then open a forged copy (one tag bit), which must fail with no plaintext. */
static void check_record(const hsb_gcm_class *g)
{
    rec_conn rc;
    check(conn_setup(&rc, g, test_key, test_salt), "init", g->name);
    uint8_t pt[REC_LEN], data[REC_LEN], rec[REC_LEN + 64], copy[REC_LEN + 64];
    for (int i = 0; i < REC_LEN; i++) pt[i] = (uint8_t)(7 * i + 3);
    memcpy(data, pt, sizeof data);
    SECRET(data, sizeof data);
    size_t body = 0;
    hsb_rc r = tls_gcm_seal(rc.c, TLS_RT_APPDATA, rec, data, REC_LEN, &body);
    PUBLIC(&r, sizeof r);
    PUBLIC(&body, sizeof body);
    PUBLIC(rec, sizeof rec); /* the record goes on the wire */
    uint8_t nonce[12], aad[13], ct[REC_LEN], tag[16];
    memcpy(nonce, test_salt, 4);
    memcpy(nonce + 4, rec, 8);
    tls_mac_header(aad, rc.c->seq_w, TLS_RT_APPDATA, REC_LEN);
    want_record(test_key, nonce, aad, pt, REC_LEN, ct, tag);
    check(r == HSB_OK && body == 8 + REC_LEN + 16 && !memcmp(rec + 8, ct, REC_LEN) &&
              !memcmp(rec + 8 + REC_LEN, tag, 16),
          "sealed record differs from OpenSSL's", g->name);

    memcpy(copy, rec, body);
    size_t plen = 0;
    r = tls_gcm_open(rc.c, TLS_RT_APPDATA, copy, body, &plen);
    PUBLIC(&r, sizeof r);
    PUBLIC(copy, sizeof copy);
    check(r == HSB_OK && plen == REC_LEN && !memcmp(copy + 8, pt, REC_LEN), "open", g->name);

    memcpy(copy, rec, body);
    copy[body - 5] ^= 0x10;
    r = tls_gcm_open(rc.c, TLS_RT_APPDATA, copy, body, &plen);
    PUBLIC(&r, sizeof r);
    PUBLIC(copy, sizeof copy);
    int zero = 1;
    for (int i = 0; i < REC_LEN; i++) zero &= copy[8 + i] == 0;
    check(r == HSB_E_DECRYPT && zero, "forged record opened or plaintext left", g->name);
    conn_free(&rc, g);
    printf("  %s: GCM record seal, open, forged open (secret key, plaintext): done\n", g->name);
}

/* The control: the conn's expanded key schedule (derived from the secret
 * key) is branched on, as a leaky record path would; a call in each arm
 * keeps the compiler from turning the branch into arithmetic. */
__attribute__((noinline)) static int leaky_schedule(const void *gcm_ctx)
{
    const hsb_native_aes_ctx *a = gcm_ctx;
    if (a->enc[3][5] & 1) return puts("leaky control: odd byte");
    return puts("leaky control: even byte");
}

static int run_child(int leak)
{
    const hsb_gcm_class *g[3] = {hsb_native_gcm_ni_get(), hsb_native_gcm_vaes256_get(),
                                 hsb_native_gcm_vaes512_get()};
    if (leak) {
        rec_conn rc;
        if (!g[0] || !conn_setup(&rc, g[0], test_key, test_salt)) return 0;
        int v = leaky_schedule(rc.c->gcm_w);
        PUBLIC(&v, sizeof v);
        printf("leaky control ran: %d\n", v);
        conn_free(&rc, g[0]);
        return 0;
    }
    printf("TLS GCM records (native gcm classes valgrind's CPU offers):\n");
    int any = 0;
    for (int i = 0; i < 3; i++)
        if (g[i]) check_record(g[i]), any = 1;
    check(any, "no native gcm class under valgrind: nothing checked", "ctgrind");
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    int leak = argc > 1 && !strcmp(argv[1], "--leak");
    if (argc > 2 || (argc == 2 && !leak)) {
        fprintf(stderr, "usage: %s [--leak]\n", argv[0]);
        return 2;
    }
    if (RUNNING_ON_VALGRIND) return run_child(leak);
    int skip = hsb_ctgrind_unavailable();
    if (skip) return skip;
    if (!hsb_native_gcm_ni_get()) {
        printf("SKIP: no AES-NI/PCLMULQDQ on this CPU: no native gcm class\n");
        return 77;
    }
    char *args[] = {leak ? (char *)"--leak" : NULL, NULL};
    int code = hsb_ctgrind_run(argv[0], args);
    return hsb_ctgrind_verdict("ctgrind gcm record", leak != 0, code);
}
