/*
 * test_ctgrind - constant-time check of the native code under valgrind
 * (Monocypher's tests/ctgrind.c technique; Adam Langley's ctgrind idea):
 * secrets are marked undefined with VALGRIND_MAKE_MEM_UNDEFINED, so memcheck
 * reports any conditional branch or memory address that depends on them
 * ("Conditional jump or move depends on uninitialised value(s)", "Use of
 * uninitialised value of size 8"). Outputs are marked defined again before
 * they are compared or printed. Values the code deliberately makes public
 * (the fault check's verdict, "base < mod", the byte length of a prime) are
 * declassified in the library with HSB_NM_DECLASSIFY.
 *
 * Also the native AES-128 (aes_ni.c, gcm_clmul.c) with a secret key, and
 * the native HMAC-SHA256 (one-stream classes and the multi-buffer call)
 * with a secret key.
 *
 * Run natively, the program generates an RSA key with OpenSSL, finds which
 * native paths the real CPU has (valgrind's virtual CPUID hides ADX, though
 * it runs ADCX/ADOX; it has no AVX-512, so the IFMA path is not checked
 * here), and re-runs itself under
 *   valgrind --error-exitcode=42 --track-origins=yes
 * Exit: 0 clean; 1 valgrind found errors or a result was wrong; 77 skipped
 * (no valgrind, or a sanitizer build, which valgrind cannot run).
 *
 *   --leak branch|index   the control: a deliberately leaky function run on
 *                         a secret through the same harness; exit 1 when
 *                         valgrind catches it (ctest: WILL_FAIL), 0 when not.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsb_backends.h"
#include "hsb_ctgrind.h"
#include "hsb_ctgrind_key.h"
#include "hsb_native_aes.h"
#include "native_mont.h"
#include "native_sha256.h"

static int failures;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

/* -------------------------------------------------------- the leaky control */

static const uint8_t sbox[256] = {1, 2, 3, 4, 5, 6, 7, 8};

/* Branches on a secret byte: memcheck must report the jump. */
__attribute__((noinline)) static int leaky_branch(const uint8_t *secret)
{
    return (secret[0] & 1) ? 3 : 5 * secret[1];
}
/* Reads memory at a secret index: memcheck must report the address. */
__attribute__((noinline)) static int leaky_index(const uint8_t *secret)
{
    return sbox[secret[0]];
}

static int run_leak(const char *kind)
{
    uint8_t secret[2] = {0x5a, 0x17};
    SECRET(secret, sizeof secret);
    int r = strcmp(kind, "branch") == 0 ? leaky_branch(secret) : leaky_index(secret);
    PUBLIC(&r, sizeof r);
    printf("leaky %s control ran: %d\n", kind, r);
    return 0;
}

/* --------------------------------------------------------------- the key */

typedef hsb_ctgrind_key key_bytes;

static int write_key(const char *path, int bits)
{
    FILE *f = fopen(path, "w");
    int rc = f ? hsb_ctgrind_key_write(f, bits) : -1;
    if (f) fclose(f);
    return rc;
}

static int read_key(const char *path, key_bytes *k)
{
    FILE *f = fopen(path, "r");
    int rc = f ? hsb_ctgrind_key_read(f, k) : -1;
    if (f) fclose(f);
    return rc;
}

/* ------------------------------------------------------------ the checks */

/* exp_len: bytes of exponent (the full modulus length when 0). */
static void check_modexp(hsb_nm_path path, int bits, size_t exp_len)
{
    const hsb_modexp_class *cls = hsb_native_modexp_class_unchecked(path);
    size_t len = (size_t)bits / 8;
    uint8_t mod[512], base[512], exp[512], out[512], out2[512];
    for (size_t i = 0; i < len; i++) {
        mod[i] = (uint8_t)(37 * i + 11);
        base[i] = (uint8_t)(101 * i + 7);
        exp[i] = (uint8_t)(13 * i + 5);
    }
    mod[0] |= 0x80;
    mod[len - 1] |= 1;
    base[0] &= 0x7f;
    /* Secret base and exponent; the modulus and the lengths are public. */
    size_t el = exp_len ? exp_len : len;
    SECRET(base, len);
    SECRET(exp, el);
    hsb_rc rc = cls->modexp(out, base, len, exp, el, mod, len);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(out, len);
    CHECK(rc == HSB_OK, "%s: modexp rc %d", cls->name, rc);
    /* The same through OpenSSL, all public now. */
    PUBLIC(base, len);
    PUBLIC(exp, el);
    BIGNUM *m = BN_bin2bn(mod, (int)len, NULL), *b = BN_bin2bn(base, (int)len, NULL),
           *e = BN_bin2bn(exp, (int)el, NULL), *r = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    BN_mod_exp(r, b, e, m, ctx);
    BN_bn2binpad(r, out2, (int)len);
    CHECK(memcmp(out, out2, len) == 0, "%s: modexp %d result", cls->name, bits);
    BN_free(m);
    BN_free(b);
    BN_free(e);
    BN_free(r);
    BN_CTX_free(ctx);
    printf("  %s modexp-%d, %zu-byte exponent (secret base, exponent): done\n", cls->name, bits,
           el);
}

static void check_rsa(hsb_nm_path path, const key_bytes *kb)
{
    const hsb_rsa_priv_class *cls = hsb_native_rsa_priv_class_unchecked(path);
    key_bytes k = *kb;
    /* Secret: d, p, q, dp, dq, qinv (their lengths are public). The
     * Montgomery contexts of p and q are computed from them in init, so
     * memcheck tracks them as secret too. */
    for (int i = 2; i < 8; i++) SECRET(k.v[i], k.len[i]);
    hsb_rsa_key key = {k.v[0],   k.v[1],   k.v[2],   k.v[3],   k.v[4],   k.v[5],
                       k.v[6],   k.v[7],   k.len[0], k.len[1], k.len[2], k.len[3],
                       k.len[4], k.len[5], k.len[6], k.len[7]};
    void *ctx = hsb_ctx_alloc(cls->ctx_size);
    hsb_rc rc = cls->init(ctx, &key);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == HSB_OK, "%s: init rc %d", cls->name, rc);
    size_t nl = k.len[0];
    uint8_t c[512], m[512];
    for (int it = 0; it < 2; it++) {
        for (size_t i = 0; i < nl; i++) c[i] = (uint8_t)(it * 31 + 17 * i + 3);
        c[0] = 0x11;
        rc = cls->op(ctx, m, c, nl);
        PUBLIC(&rc, sizeof rc);
        PUBLIC(m, nl);
        CHECK(rc == HSB_OK, "%s: op rc %d", cls->name, rc);
        /* m^e == c (public now) */
        BIGNUM *bm = BN_bin2bn(m, (int)nl, NULL), *be = BN_bin2bn(k.v[1], (int)k.len[1], NULL),
               *bn = BN_bin2bn(k.v[0], (int)nl, NULL), *r = BN_new();
        BN_CTX *bc = BN_CTX_new();
        BN_mod_exp(r, bm, be, bn, bc);
        uint8_t back[512];
        BN_bn2binpad(r, back, (int)nl);
        CHECK(memcmp(back, c, nl) == 0, "%s: m^e != c", cls->name);
        BN_free(bm);
        BN_free(be);
        BN_free(bn);
        BN_free(r);
        BN_CTX_free(bc);
    }
    cls->clear(ctx);
    hsb_ctx_free(ctx, cls->ctx_size);
    printf("  %s rsa-crt-%zu (secret p, q, dp, dq, qinv, d): done\n", cls->name, 8 * nl);
}

/* An RNG whose output is secret. */
static uint64_t rng_state = 0x1234567;
static hsb_rc secret_fill(void *out, size_t len)
{
    uint8_t *o = out;
    for (size_t i = 0; i < len; i++) {
        rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
        o[i] = (uint8_t)(rng_state >> 56);
    }
    SECRET(out, len);
    return HSB_OK;
}
static const hsb_rng_class secret_rng = {"ctgrind-secret", secret_fill};

static void check_dh(hsb_nm_path path)
{
    const hsb_dh_class *cls = hsb_native_dh_class_unchecked(path);
    BIGNUM *p = BN_get_rfc3526_prime_2048(NULL), *q = BN_new();
    BN_rshift1(q, p);
    uint8_t pb[256], qb[256], g[1] = {2};
    size_t pl = (size_t)BN_bn2bin(p, pb), ql = (size_t)BN_bn2bin(q, qb);
    hsb_dh_group grp = {"modp2048", pb, g, qb, pl, 1, ql, 225};
    void *a = hsb_ctx_alloc(cls->ctx_size), *b = hsb_ctx_alloc(cls->ctx_size);
    hsb_rc rc = cls->init(a, &grp);
    CHECK(rc == HSB_OK && cls->init(b, &grp) == HSB_OK, "%s: init", cls->name);

    uint8_t pa[256], pb2[256], s1[256], s2[256];
    rc = cls->keygen(a, &secret_rng, pa, pl);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(pa, pl); /* a public value */
    CHECK(rc == HSB_OK, "%s: keygen", cls->name);
    /* set_priv with a secret x */
    uint8_t x[29];
    secret_fill(x, sizeof x);
    rc = cls->set_priv(b, x, sizeof x, pb2, pl);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(pb2, pl);
    CHECK(rc == HSB_OK, "%s: set_priv", cls->name);
    CHECK(cls->check(a, pb2, pl, HSB_DH_CHECK_FULL) == HSB_OK, "%s: check", cls->name);
    rc = cls->derive(a, s1, pl, pb2, pl);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(s1, pl);
    CHECK(rc == HSB_OK, "%s: derive", cls->name);
    rc = cls->derive(b, s2, pl, pa, pl);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(s2, pl);
    CHECK(rc == HSB_OK && memcmp(s1, s2, pl) == 0, "%s: shared secrets differ", cls->name);
    cls->clear(a);
    cls->clear(b);
    hsb_ctx_free(a, cls->ctx_size);
    hsb_ctx_free(b, cls->ctx_size);
    BN_free(p);
    BN_free(q);
    printf("  %s dh modp2048 keygen/set_priv/derive (secret x): done\n", cls->name);
}

/* AES-128 with a secret key (and secret plaintext) in every mode: CBC
 * encryption and decryption, CTR, GCM seal and open (whose tag verdict is
 * public by contract and declassified where gcm_clmul.c acts on it). The
 * classes are those valgrind's virtual CPU offers (AES-NI on xmm; it has no
 * VAES or AVX-512). Results are checked against OpenSSL's EVP. */
static void evp_crypt(const EVP_CIPHER *c, int enc, const uint8_t *key, const uint8_t *iv,
                      const uint8_t *in, size_t len, uint8_t *out)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0;
    EVP_CipherInit_ex(x, c, NULL, key, iv, enc);
    EVP_CIPHER_CTX_set_padding(x, 0);
    EVP_CipherUpdate(x, out, &l1, in, (int)len);
    EVP_CipherFinal_ex(x, out + l1, &l2);
    EVP_CIPHER_CTX_free(x);
}

static void check_aes_class(const hsb_aes_class *cls)
{
    uint8_t key[16], iv[16], iv0[16], pt[160], ct[160], back[160], want[160];
    for (int i = 0; i < 16; i++) key[i] = (uint8_t)(0x3c ^ (7 * i)), iv0[i] = (uint8_t)(5 * i);
    for (int i = 0; i < 160; i++) pt[i] = (uint8_t)(11 * i + 1);
    void *ctx = hsb_ctx_alloc(cls->ctx_size);
    uint8_t skey[16];
    memcpy(skey, key, 16);
    SECRET(skey, 16);
    hsb_rc rc = cls->init(ctx, skey, 16);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == HSB_OK, "%s: init", cls->name);
    /* CBC encrypt: secret plaintext */
    uint8_t spt[160];
    memcpy(spt, pt, 160);
    SECRET(spt, 160);
    memcpy(iv, iv0, 16);
    rc = cls->cbc_encrypt(ctx, iv, ct, spt, 160);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(ct, 160);
    PUBLIC(iv, 16);
    evp_crypt(EVP_aes_128_cbc(), 1, key, iv0, pt, 160, want);
    CHECK(rc == HSB_OK && memcmp(ct, want, 160) == 0, "%s: cbc encrypt", cls->name);
    /* CBC decrypt: public ciphertext, secret key */
    memcpy(iv, iv0, 16);
    rc = cls->cbc_decrypt(ctx, iv, back, ct, 160);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(back, 160);
    CHECK(rc == HSB_OK && memcmp(back, pt, 160) == 0, "%s: cbc decrypt", cls->name);
    /* CTR, a partial last block: secret plaintext */
    uint8_t ctr[16];
    memcpy(ctr, iv0, 16);
    memcpy(spt, pt, 160);
    SECRET(spt, 157);
    rc = cls->ctr(ctx, ctr, ct, spt, 157);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(ct, 157);
    evp_crypt(EVP_aes_128_ctr(), 1, key, iv0, pt, 157, want);
    CHECK(rc == HSB_OK && memcmp(ct, want, 157) == 0, "%s: ctr", cls->name);
    cls->clear(ctx);
    hsb_ctx_free(ctx, cls->ctx_size);
    printf("  %s aes-128 cbc-enc/cbc-dec/ctr (secret key, plaintext): done\n", cls->name);
}

static void check_gcm(const hsb_gcm_class *cls)
{
    uint8_t key[16], nonce[12], aad[20], pt[100], ct[100], back[100], tag[16];
    for (int i = 0; i < 16; i++) key[i] = (uint8_t)(0x71 + 3 * i);
    for (int i = 0; i < 12; i++) nonce[i] = (uint8_t)i;
    for (int i = 0; i < 20; i++) aad[i] = (uint8_t)(0xa0 + i);
    for (int i = 0; i < 100; i++) pt[i] = (uint8_t)(9 * i);
    void *ctx = hsb_ctx_alloc(cls->ctx_size);
    uint8_t skey[16], spt[100];
    memcpy(skey, key, 16);
    memcpy(spt, pt, 100);
    SECRET(skey, 16);
    SECRET(spt, 100);
    hsb_rc rc = cls->init(ctx, skey, 16);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == HSB_OK, "%s: init", cls->name);
    rc = cls->seal(ctx, nonce, 12, aad, 20, ct, spt, 100, tag);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(ct, 100);
    PUBLIC(tag, 16);
    CHECK(rc == HSB_OK, "%s: seal", cls->name);
    /* open with the secret key: only the tag verdict is public (declassified
     * in gcm_clmul.c); then a forged tag, which must fail the same way */
    rc = cls->open(ctx, nonce, 12, aad, 20, back, ct, 100, tag);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(back, 100);
    CHECK(rc == HSB_OK && memcmp(back, pt, 100) == 0, "%s: open", cls->name);
    tag[3] ^= 1;
    rc = cls->open(ctx, nonce, 12, aad, 20, back, ct, 100, tag);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == HSB_E_DECRYPT, "%s: open forged", cls->name);
    cls->clear(ctx);
    hsb_ctx_free(ctx, cls->ctx_size);
    printf("  %s aes-128-gcm seal and open (secret key, plaintext): done\n", cls->name);
}

static void check_aes(void)
{
    const hsb_aes_class *a[3] = {hsb_native_aes_ni_get(), hsb_native_aes_vaes256_get(),
                                 hsb_native_aes_vaes512_get()};
    const hsb_gcm_class *g[2] = {hsb_native_gcm_ni_get(), hsb_native_gcm_vaes256_get()};
    printf("native AES (classes valgrind's CPU offers):\n");
    int any = 0;
    for (int i = 0; i < 3; i++)
        if (a[i]) check_aes_class(a[i]), any = 1;
    for (int i = 0; i < 2; i++)
        if (g[i]) check_gcm(g[i]);
    if (!any) printf("  no native AES class under valgrind (no AES-NI offered): not checked\n");
}

/* HMAC-SHA256 with a secret key (the one-stream classes, and the multi-buffer
 * call on the paths valgrind's CPU offers): keys of 32 bytes and of 100
 * (hashed first), a public message; the tag is declassified after. */
static void check_hmac_class(const hsb_hmac_sha256_class *cls)
{
    static const size_t klen[2] = {32, 100};
    uint8_t key[100], msg[150], tag[32], want[32];
    for (int i = 0; i < 100; i++) key[i] = (uint8_t)(0x5a ^ (13 * i));
    for (int i = 0; i < 150; i++) msg[i] = (uint8_t)(3 * i);
    void *ctx = hsb_ctx_alloc(cls->ctx_size);
    for (int k = 0; k < 2; k++) {
        uint8_t skey[100];
        unsigned int wl = 0;
        memcpy(skey, key, sizeof skey);
        SECRET(skey, klen[k]);
        hsb_rc rc = cls->init(ctx, skey, klen[k]);
        PUBLIC(&rc, sizeof rc);
        cls->update(ctx, msg, sizeof msg);
        cls->final(ctx, tag);
        PUBLIC(tag, 32);
        HMAC(EVP_sha256(), key, (int)klen[k], msg, sizeof msg, want, &wl);
        CHECK(rc == HSB_OK && memcmp(tag, want, 32) == 0, "%s: key %zu", cls->name, klen[k]);
        cls->clear(ctx);
    }
    hsb_ctx_free(ctx, cls->ctx_size);
    printf("  %s (secret key): done\n", cls->name);
}

static void check_hmac_mb(hsb_native_mb_path path)
{
    uint8_t key[48], m[3][200], tag[3][32], want[32];
    const uint8_t *msgs[3] = {m[0], m[1], m[2]};
    size_t lens[3] = {0, 64, 200};
    for (int i = 0; i < 48; i++) key[i] = (uint8_t)(0xc3 + 5 * i);
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 200; i++) m[j][i] = (uint8_t)(i * (j + 1));
    uint8_t skey[48];
    memcpy(skey, key, sizeof skey);
    SECRET(skey, sizeof skey);
    hsb_native_hmac_mb_key k;
    hsb_rc rc = hsb_native_hmac_mb_key_init(&k, skey, sizeof skey);
    PUBLIC(&rc, sizeof rc);
    const hsb_native_hmac_mb_key *kp[3] = {&k, &k, &k};
    hsb_rc rc2 = hsb_native_hmac_sha256_mb_path(path, kp, msgs, lens, 3, tag);
    PUBLIC(&rc2, sizeof rc2);
    PUBLIC(tag, sizeof tag);
    for (int j = 0; j < 3; j++) {
        unsigned int wl = 0;
        HMAC(EVP_sha256(), key, sizeof key, m[j], lens[j], want, &wl);
        CHECK(rc == HSB_OK && rc2 == HSB_OK && memcmp(tag[j], want, 32) == 0, "hmac mb %s: lane %d",
              hsb_native_sha256_mb_path_name(path), j);
    }
    hsb_native_hmac_mb_key_clear(&k);
    printf("  hmac-sha256 multi-buffer %s (secret key): done\n",
           hsb_native_sha256_mb_path_name(path));
}

static void check_hmac(void)
{
    printf("native HMAC-SHA256 (paths valgrind's CPU offers):\n");
    const hsb_hmac_sha256_class *h[2] = {hsb_native_hmac_portable_get(),
                                         hsb_native_hmac_shani_get()};
    for (int i = 0; i < 2; i++)
        if (h[i]) check_hmac_class(h[i]);
    static const hsb_native_mb_path mb[3] = {HSB_NATIVE_MB_PORTABLE, HSB_NATIVE_MB_AVX2,
                                             HSB_NATIVE_MB_AVX512};
    for (int i = 0; i < 3; i++)
        if (hsb_native_sha256_mb_available(mb[i])) check_hmac_mb(mb[i]);
}

static int run_checks(const char *paths, const char *keyfile)
{
    key_bytes kb;
    if (read_key(keyfile, &kb) != 0) {
        fprintf(stderr, "cannot read the key file %s\n", keyfile);
        return 1;
    }
    for (int p = 0; p < HSB_NM_PATH_COUNT; p++) {
        const char *name = hsb_nm_path_name((hsb_nm_path)p);
        if (!strstr(paths, name)) continue;
        printf("path %s:\n", name);
        /* sizes for each kernel: 8-limb fused (2048), 4-limb fused (1280),
         * rows (1088), dedicated square (3072, short exponent) */
        check_modexp((hsb_nm_path)p, 2048, 0);
        check_modexp((hsb_nm_path)p, 1280, 40);
        check_modexp((hsb_nm_path)p, 1088, 0);
        check_modexp((hsb_nm_path)p, 3072, 24);
        check_rsa((hsb_nm_path)p, &kb);
        check_dh((hsb_nm_path)p);
    }
    check_aes();
    check_hmac();
    return failures ? 1 : 0;
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    const char *leak = NULL, *paths = NULL, *keyfile = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--leak") == 0 && i + 1 < argc)
            leak = argv[++i];
        else if (strcmp(argv[i], "--paths") == 0 && i + 1 < argc)
            paths = argv[++i];
        else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
            keyfile = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--leak branch|index]\n", argv[0]);
            return 2;
        }
    }
    if (leak && strcmp(leak, "branch") != 0 && strcmp(leak, "index") != 0) {
        fprintf(stderr, "--leak takes branch or index\n");
        return 2;
    }

    if (RUNNING_ON_VALGRIND) /* the child */
        return leak ? run_leak(leak) : run_checks(paths ? paths : "", keyfile ? keyfile : "");

    int skip = hsb_ctgrind_unavailable();
    if (skip) return skip;
    /* Paths the real CPU has (IFMA excluded: valgrind has no AVX-512). */
    char plist[64] = "portable";
    if (hsb_nm_engine_get(HSB_NM_PATH_MULX)) strcat(plist, ",mulx");
    char keyfile_buf[] = "/tmp/hsb-ctgrind-key-XXXXXX";
    if (!leak) {
        int fd = mkstemp(keyfile_buf);
        if (fd < 0 || write_key(keyfile_buf, 2048) != 0) {
            fprintf(stderr, "cannot write a test key\n");
            return 1;
        }
        close(fd);
        printf("checking paths %s under valgrind\n", plist);
    }
    char *args[] = {(char *)(leak ? "--leak" : "--paths"), leak ? (char *)leak : plist,
                    (char *)"--key", keyfile_buf, NULL};
    int code = hsb_ctgrind_run(argv[0], args);
    if (!leak) unlink(keyfile_buf);
    return hsb_ctgrind_verdict("ctgrind", leak != 0, code);
}
