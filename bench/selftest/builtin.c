/* Built-in known answers: a few published vectors, typed in with their
 * source, for every class a target fills; RSA and DH by round trips on keys
 * made at run time and by libcrypto as the reference. Then, for classes not
 * served by openssl, the quick differential check (selftest_diff.c). */
#include "hsb_selftest.h"

#include <stdlib.h>
#include <string.h>

#include "hsb_hex.h"

#include "hsb_dh_groups.h"
#include "hsb_pkcs1.h"
#include "hsb_prf.h"
#include "hsb_st_kat.h"

/* hex -> bytes for the tables below; a typo in a table is a failure of the
 * case, never a crash. */
typedef struct hx {
    uint8_t *p;
    size_t n;
} hx;

static hx H(const char *hex)
{
    hx h = {0};
    h.p = hsb_hex_alloc(hex, &h.n);
    return h;
}

static void hx_free(hx *h)
{
    free(h->p);
    h->p = NULL;
}

/* A cipher example of hsb_st_kat.h, decoded; ok is 0 when a field did not. */
typedef struct kat_bytes {
    hx key, iv, pt, ct;
    int ok;
} kat_bytes;

static kat_bytes kat_load(const hsb_st_kat_cipher *k)
{
    kat_bytes b = {H(k->key), H(k->iv), H(k->pt), H(k->ct), 0};
    b.ok = b.key.p && b.iv.p && b.pt.p && b.ct.p && b.iv.n == 16 && b.pt.n == b.ct.n;
    return b;
}

static void kat_free(kat_bytes *b)
{
    hx_free(&b->key);
    hx_free(&b->iv);
    hx_free(&b->pt);
    hx_free(&b->ct);
}

/* The row of (t, file) and a context of ctx_size bytes for one class; 0,
 * counted as an error, when either cannot be had. */
static int open_row(hsb_st_run *r, const hsb_st_target *t, const char *file, size_t ctx_size,
                    hsb_st_result **row, void **ctx)
{
    *row = hsb_st_row(r, t, file);
    *ctx = hsb_ctx_alloc(ctx_size);
    if (*row && *ctx) return 1;
    r->errors++;
    hsb_ctx_free(*ctx, 0);
    *ctx = NULL;
    return 0;
}

/* --------------------------------------------------------------------- AES */

/* FIPS-197 Appendix C.1: AES-128 of one block (CBC with a zero IV). */
static void aes_fips197(hsb_st_run *r, hsb_st_result *row, const hsb_aes_class *a, void *ctx)
{
    kat_bytes k = kat_load(&hsb_st_kat_fips197_c1);
    uint8_t buf[16], iv[16];
    hsb_rc rc = k.ok ? a->init(ctx, k.key.p, k.key.n) : HSB_E_INTERNAL;
    if (rc == HSB_OK) {
        memcpy(iv, k.iv.p, 16);
        rc = a->cbc_encrypt(ctx, iv, buf, k.pt.p, 16);
        int ok = rc == HSB_OK && memcmp(buf, k.ct.p, 16) == 0 && memcmp(iv, k.ct.p, 16) == 0;
        memcpy(iv, k.iv.p, 16);
        rc = ok ? a->cbc_decrypt(ctx, iv, buf, buf, 16) : rc;
        ok = ok && rc == HSB_OK && memcmp(buf, k.pt.p, 16) == 0;
        hsb_st_case(r, row, ok ? HSB_ST_PASS : HSB_ST_FAIL, "FIPS-197 C.1 AES-128 block (%s)",
                    hsb_rc_name(rc));
        a->clear(ctx);
    } else {
        hsb_st_case(r, row, HSB_ST_FAIL, "FIPS-197 C.1: init gave %s", hsb_rc_name(rc));
    }
    kat_free(&k);
}

/* SP 800-38A F.2.1 (in two calls: the IV must chain) and F.2.2 (in place);
 * then CBC of a partial block: a usage error, nothing written. */
static void aes_sp38a_cbc(hsb_st_run *r, hsb_st_result *row, const hsb_aes_class *a, void *ctx,
                          const kat_bytes *k)
{
    uint8_t buf[64], iv[16];
    memcpy(iv, k->iv.p, 16);
    hsb_rc rc = a->cbc_encrypt(ctx, iv, buf, k->pt.p, 16);
    if (rc == HSB_OK) rc = a->cbc_encrypt(ctx, iv, buf + 16, k->pt.p + 16, 48);
    hsb_st_case(r, row,
                rc == HSB_OK && memcmp(buf, k->ct.p, 64) == 0 && memcmp(iv, k->ct.p + 48, 16) == 0
                    ? HSB_ST_PASS
                    : HSB_ST_FAIL,
                "SP 800-38A F.2.1 CBC-AES128.Encrypt (%s)", hsb_rc_name(rc));
    memcpy(buf, k->ct.p, 64);
    memcpy(iv, k->iv.p, 16);
    rc = a->cbc_decrypt(ctx, iv, buf, buf, 64);
    hsb_st_case(r, row, rc == HSB_OK && memcmp(buf, k->pt.p, 64) == 0 ? HSB_ST_PASS : HSB_ST_FAIL,
                "SP 800-38A F.2.2 CBC-AES128.Decrypt (%s)", hsb_rc_name(rc));
    memset(buf, 0xA5, sizeof buf);
    memcpy(iv, k->iv.p, 16);
    rc = a->cbc_encrypt(ctx, iv, buf, k->pt.p, 17);
    int untouched = 1;
    for (size_t i = 0; i < sizeof buf; i++) untouched &= buf[i] == 0xA5;
    hsb_st_case(r, row, rc == HSB_E_USAGE && untouched ? HSB_ST_PASS : HSB_ST_FAIL,
                "CBC of 17 bytes gave %s%s (want usage, nothing written)", hsb_rc_name(rc),
                untouched ? "" : " and wrote");
}

/* SP 800-38A F.5.1 (the counter comes back advanced by 4 blocks) and F.5.2
 * in place over 60 bytes: a partial last block. */
static void aes_sp38a_ctr(hsb_st_run *r, hsb_st_result *row, const hsb_aes_class *a, void *ctx,
                          const kat_bytes *k)
{
    uint8_t buf[64], iv[16], next[16];
    memcpy(iv, k->iv.p, 16);
    hsb_rc rc = a->ctr(ctx, iv, buf, k->pt.p, 64);
    memcpy(next, k->iv.p, 16);
    next[15] = (uint8_t)(next[15] + 4); /* ...feff + 4 = ...ff03: carries once */
    next[14] = (uint8_t)(next[14] + 1);
    hsb_st_case(r, row,
                rc == HSB_OK && memcmp(buf, k->ct.p, 64) == 0 && memcmp(iv, next, 16) == 0
                    ? HSB_ST_PASS
                    : HSB_ST_FAIL,
                "SP 800-38A F.5.1 CTR-AES128.Encrypt (%s)", hsb_rc_name(rc));
    memcpy(buf, k->ct.p, 60);
    memcpy(iv, k->iv.p, 16);
    rc = a->ctr(ctx, iv, buf, buf, 60);
    hsb_st_case(r, row,
                rc == HSB_OK && memcmp(buf, k->pt.p, 60) == 0 && memcmp(iv, next, 16) == 0
                    ? HSB_ST_PASS
                    : HSB_ST_FAIL,
                "SP 800-38A F.5.2 CTR-AES128.Decrypt, 60 bytes in place (%s)", hsb_rc_name(rc));
}

static void aes_sp38a(hsb_st_run *r, hsb_st_result *row, const hsb_aes_class *a, void *ctx)
{
    kat_bytes cbc = kat_load(&hsb_st_kat_sp38a_cbc128), ctr = kat_load(&hsb_st_kat_sp38a_ctr128);
    hsb_rc rc = cbc.ok && ctr.ok && cbc.pt.n == 64 && ctr.pt.n == 64
                    ? a->init(ctx, cbc.key.p, cbc.key.n)
                    : HSB_E_INTERNAL;
    if (rc != HSB_OK) {
        hsb_st_case(r, row, HSB_ST_FAIL, "SP 800-38A: init gave %s", hsb_rc_name(rc));
    } else {
        aes_sp38a_cbc(r, row, a, ctx, &cbc);
        aes_sp38a_ctr(r, row, a, ctx, &ctr);
        a->clear(ctx);
    }
    kat_free(&cbc);
    kat_free(&ctr);
}

/* A key size the class does not claim must be refused as unsupported. */
static void aes_key_sizes(hsb_st_run *r, hsb_st_result *row, const hsb_aes_class *a, void *ctx)
{
    static const size_t sizes[3] = {16, 24, 32};
    static const unsigned bits[3] = {HSB_AES_KEY_128, HSB_AES_KEY_192, HSB_AES_KEY_256};
    uint8_t key32[32] = {0};
    for (int i = 0; i < 3; i++) {
        if (a->key_sizes & bits[i]) continue;
        hsb_rc rc = a->init(ctx, key32, sizes[i]);
        if (rc == HSB_OK) a->clear(ctx);
        hsb_st_case(r, row, rc == HSB_E_UNSUPPORTED ? HSB_ST_PASS : HSB_ST_FAIL,
                    "AES-%zu not in key_sizes: init gave %s (want unsupported)", sizes[i] * 8,
                    hsb_rc_name(rc));
    }
}

static void builtin_aes(hsb_st_run *r, const hsb_st_target *t)
{
    const hsb_aes_class *a = t->cls.aes;
    hsb_st_result *row;
    void *ctx;
    if (!open_row(r, t, "builtin/aes", a->ctx_size, &row, &ctx)) return;
    aes_fips197(r, row, a, ctx);
    aes_sp38a(r, row, a, ctx);
    aes_key_sizes(r, row, a, ctx);
    hsb_ctx_free(ctx, a->ctx_size);
}

/* --------------------------------------------------------------------- GCM */

/* One case of the GCM specification: seal, open, a forged tag (HSB_E_DECRYPT
 * and no plaintext released), an empty IV (usage). NULL when all hold, else
 * the step that failed. */
static const char *gcm_case(const hsb_gcm_class *g, void *ctx, const hx *k, hsb_rc *rc)
{
    const hx *iv = &k[1], *p = &k[2], *aad = &k[3], *c = &k[4], *tag = &k[5];
    uint8_t out[64], tg[16];
    *rc = g->seal(ctx, iv->p, iv->n, aad->p, aad->n, out, p->p, p->n, tg);
    if (*rc != HSB_OK || memcmp(out, c->p, c->n) != 0 || memcmp(tg, tag->p, 16) != 0) return "seal";
    memset(out, 0, sizeof out);
    *rc = g->open(ctx, iv->p, iv->n, aad->p, aad->n, out, c->p, c->n, tag->p);
    if (*rc != HSB_OK || memcmp(out, p->p, p->n) != 0) return "open";
    tg[5] ^= 0x40;
    memset(out, 0xA5, sizeof out);
    *rc = g->open(ctx, iv->p, iv->n, aad->p, aad->n, out, c->p, c->n, tg);
    uint8_t acc = 0;
    for (size_t j = 0; j < c->n; j++) acc |= out[j];
    if (*rc != HSB_E_DECRYPT || acc) return "open of a forged tag";
    *rc = g->seal(ctx, iv->p, 0, aad->p, aad->n, out, p->p, p->n, tg);
    if (*rc != HSB_E_USAGE) return "seal with an empty IV (want usage)";
    return NULL;
}

static void builtin_gcm(hsb_st_run *r, const hsb_st_target *t)
{
    const hsb_gcm_class *g = t->cls.gcm;
    hsb_st_result *row;
    void *ctx;
    if (!open_row(r, t, "builtin/gcm", g->ctx_size, &row, &ctx)) return;
    for (size_t i = 0; i < HSB_ST_KAT_GCM_N; i++) {
        const hsb_st_kat_gcm *kat = &hsb_st_kat_gcm_spec[i];
        hx k[6] = {H(kat->key), H(kat->iv), H(kat->pt), H(kat->aad), H(kat->ct), H(kat->tag)};
        const char *why = "init";
        hsb_rc rc = g->init(ctx, k[0].p, k[0].n);
        if (rc == HSB_OK) {
            why = gcm_case(g, ctx, k, &rc);
            g->clear(ctx);
        }
        if (why)
            hsb_st_case(r, row, HSB_ST_FAIL, "%s: %s (%s)", kat->name, why, hsb_rc_name(rc));
        else
            hsb_st_case(r, row, HSB_ST_PASS, NULL);
        for (size_t j = 0; j < 6; j++) hx_free(&k[j]);
    }
    hsb_ctx_free(ctx, g->ctx_size);
}

/* ----------------------------------------------------------------- SHA-256 */

/* FIPS 180-2 Appendix B.1, B.2, B.3 (one million 'a', fed 1000 at a time),
 * and the empty message. */
static void sha256_kats(hsb_st_run *r, hsb_st_result *row, const hsb_sha256_class *s, void *ctx,
                        const uint8_t *mil)
{
    for (size_t i = 0; i < HSB_ST_KAT_SHA256_N; i++) {
        const hsb_st_kat_sha256 *kat = &hsb_st_kat_sha256_fips[i];
        hx md = H(kat->md);
        uint8_t out[32];
        hsb_rc rc = s->init(ctx);
        if (rc == HSB_OK) {
            for (unsigned k = 0; k < kat->repeat; k++)
                s->update(ctx, kat->msg ? (const void *)kat->msg : mil,
                          kat->msg ? strlen(kat->msg) : 1000);
            s->final(ctx, out);
            s->clear(ctx);
        }
        hsb_st_case(r, row,
                    rc == HSB_OK && md.p && memcmp(out, md.p, 32) == 0 ? HSB_ST_PASS : HSB_ST_FAIL,
                    "%s (%s)", kat->name, hsb_rc_name(rc));
        hx_free(&md);
    }
}

/* copy: hash "ab", copy, add "c" to both: both are SHA-256("abc"); and
 * final resets to the empty message. */
static void sha256_copy(hsb_st_run *r, hsb_st_result *row, const hsb_sha256_class *s, void *ctx,
                        void *ctx2)
{
    hx abc = H(hsb_st_kat_sha256_fips[HSB_ST_KAT_SHA256_ABC].md),
       empty = H(hsb_st_kat_sha256_fips[HSB_ST_KAT_SHA256_EMPTY].md);
    uint8_t o1[32], o2[32], o3[32];
    hsb_rc rc = s->init(ctx);
    hsb_rc rc2 = s->init(ctx2);
    if (rc == HSB_OK && rc2 == HSB_OK) {
        s->update(ctx, "ab", 2);
        rc = s->copy(ctx2, ctx);
        s->update(ctx, "c", 1);
        s->update(ctx2, "c", 1);
        s->final(ctx, o1);
        s->final(ctx2, o2);
        s->final(ctx, o3);
    }
    if (rc2 == HSB_OK) s->clear(ctx2);
    hsb_st_case(r, row,
                rc == HSB_OK && rc2 == HSB_OK && abc.p && empty.p && memcmp(o1, abc.p, 32) == 0 &&
                        memcmp(o2, abc.p, 32) == 0 && memcmp(o3, empty.p, 32) == 0
                    ? HSB_ST_PASS
                    : HSB_ST_FAIL,
                "copy of a running hash, and final's reset (%s)", hsb_rc_name(rc));
    s->clear(ctx);
    hx_free(&abc);
    hx_free(&empty);
}

static void builtin_sha256(hsb_st_run *r, const hsb_st_target *t)
{
    const hsb_sha256_class *s = t->cls.sha256;
    hsb_st_result *row;
    void *ctx, *ctx2 = hsb_ctx_alloc(s->ctx_size);
    uint8_t *mil = malloc(1000);
    if (open_row(r, t, "builtin/sha256", s->ctx_size, &row, &ctx)) {
        if (ctx2 && mil) {
            memset(mil, 'a', 1000);
            sha256_kats(r, row, s, ctx, mil);
            sha256_copy(r, row, s, ctx, ctx2);
        } else {
            r->errors++;
        }
        hsb_ctx_free(ctx, s->ctx_size);
    }
    free(mil);
    hsb_ctx_free(ctx2, s->ctx_size);
}

/* -------------------------------------------------------------------- HMAC */

/* One RFC 4231 case: the message in two updates, then once more after
 * final (which resets to the keyed empty message): the same tag twice. */
static int hmac_case(const hsb_hmac_sha256_class *h, void *ctx, const hsb_st_kat_hmac *kat,
                     hsb_rc *rc)
{
    size_t kn = 0, mn = 0, tn = 0;
    uint8_t *key = hsb_st_kat_bytes(&kat->key, &kn), *msg = hsb_st_kat_bytes(&kat->msg, &mn),
            *tag = hsb_hex_alloc(kat->tag, &tn);
    uint8_t out[32], again[32];
    int ok = 0;
    *rc = key && msg && tag && tn == 32 ? h->init(ctx, key, kn) : HSB_E_INTERNAL;
    if (*rc == HSB_OK) {
        h->update(ctx, msg, 3 < mn ? 3 : mn);
        if (mn > 3) h->update(ctx, msg + 3, mn - 3);
        h->final(ctx, out);
        h->update(ctx, msg, mn);
        h->final(ctx, again);
        h->clear(ctx);
        ok = memcmp(out, tag, 32) == 0 && memcmp(again, out, 32) == 0;
    }
    free(key);
    free(msg);
    free(tag);
    return ok;
}

static void builtin_hmac(hsb_st_run *r, const hsb_st_target *t)
{
    const hsb_hmac_sha256_class *h = t->cls.hmac;
    hsb_st_result *row;
    void *ctx;
    if (!open_row(r, t, "builtin/hmac", h->ctx_size, &row, &ctx)) return;
    /* RFC 4231 section 4: test cases 1-4, 6, 7 (5 is a truncated tag; 6 and
     * 7 have 131-byte keys, hashed first). */
    for (size_t i = 0; i < HSB_ST_KAT_HMAC_RFC4231_N; i++) {
        hsb_rc rc;
        int ok = hmac_case(h, ctx, &hsb_st_kat_hmac_sha256[i], &rc);
        hsb_st_case(r, row, ok ? HSB_ST_PASS : HSB_ST_FAIL, "%s (%s)",
                    hsb_st_kat_hmac_sha256[i].name, hsb_rc_name(rc));
    }
    hsb_ctx_free(ctx, h->ctx_size);
}

/* ----------------------------------------------------------------- TLS PRF */

static void builtin_prf(hsb_st_run *r, const hsb_st_target *t)
{
    const hsb_hmac_sha256_class *h = t->cls.hmac;
    const hsb_st_kat_prf *kat = &hsb_st_kat_tls12_prf_sha256;
    hsb_st_result *row;
    void *ctx;
    if (!open_row(r, t, "builtin/prf", h->ctx_size, &row, &ctx)) return;
    hx secret = H(kat->secret), seed = H(kat->seed), want = H(kat->out);
    uint8_t out[100];
    /* The seed in two pieces, as hsb_tls12_prf takes random values. */
    hsb_rc rc = secret.p && seed.p && seed.n > 7 && want.p && want.n == 100
                    ? hsb_tls12_prf(h, ctx, secret.p, secret.n, kat->label, seed.p, 7, seed.p + 7,
                                    seed.n - 7, out, sizeof out)
                    : HSB_E_INTERNAL;
    hsb_st_case(r, row, rc == HSB_OK && memcmp(out, want.p, 100) == 0 ? HSB_ST_PASS : HSB_ST_FAIL,
                "%s (%s)", kat->name, hsb_rc_name(rc));
    hx_free(&secret);
    hx_free(&seed);
    hx_free(&want);
    hsb_ctx_free(ctx, h->ctx_size);
}

/* ------------------------------------------------------------------ modexp */

static void builtin_modexp(hsb_st_run *r, const hsb_st_target *t)
{
    const hsb_modexp_class *m = t->cls.modexp;
    hsb_st_result *row = hsb_st_row(r, t, "builtin/modexp");
    if (!row) return;
    /* Small textbook cases (checked with Python's pow): 4^13 mod 497 = 445
     * (Schneier, Applied Cryptography); the RSA example of n = 61 * 53 = 3233,
     * e = 17, d = 2753: 65^17 = 2790 and 2790^2753 = 65; Fermat on the
     * Mersenne prime 2^127 - 1: 3^(p-1) = 1; and the edge values. */
    static const struct {
        const char *name, *base, *exp, *mod, *out;
        hsb_rc rc;
    } kat[] = {
        {"4^13 mod 497", "04", "0d", "01f1", "01bd", HSB_OK},
        {"65^17 mod 3233", "41", "11", "0ca1", "0ae6", HSB_OK},
        {"2790^2753 mod 3233", "0ae6", "0ac1", "0ca1", "0041", HSB_OK},
        {"3^(p-1) mod p, p = 2^127-1", "03", "7ffffffffffffffffffffffffffffffe",
         "7fffffffffffffffffffffffffffffff", "00000000000000000000000000000001", HSB_OK},
        {"0^5 mod 497", "00", "05", "01f1", "0000", HSB_OK},
        {"1^e mod 497", "01", "ffff", "01f1", "0001", HSB_OK},
        {"x^0 mod 497 (exp 00)", "0123", "00", "01f1", "0001", HSB_OK},
        {"x^<empty> mod 497", "0123", "", "01f1", "0001", HSB_OK},
        {"base with leading zeros", "00000004", "000d", "01f1", "01bd", HSB_OK},
        {"base = mod", "01f1", "03", "01f1", NULL, HSB_E_RANGE},
        {"base > mod", "01f2", "03", "01f1", NULL, HSB_E_RANGE},
        {"even modulus", "03", "03", "01f2", NULL, HSB_E_RANGE},
        {"modulus 1", "00", "03", "01", NULL, HSB_E_RANGE},
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        hx b = H(kat[i].base), e = H(kat[i].exp), n = H(kat[i].mod),
           o = kat[i].out ? H(kat[i].out) : (hx){0};
        uint8_t out[64];
        hsb_rc rc =
            b.p && e.p && n.p ? m->modexp(out, b.p, b.n, e.p, e.n, n.p, n.n) : HSB_E_INTERNAL;
        int ok = rc == kat[i].rc && (!kat[i].out || (o.p && memcmp(out, o.p, o.n) == 0));
        hsb_st_case(r, row, ok ? HSB_ST_PASS : HSB_ST_FAIL, "%s: got %s, want %s", kat[i].name,
                    hsb_rc_name(rc), hsb_rc_name(kat[i].rc));
        hx_free(&b);
        hx_free(&e);
        hx_free(&n);
        hx_free(&o);
    }
    /* ffdhe2048 (RFC 7919 A.1; p = 7 mod 8, so 2 is a quadratic residue):
     * 2^q = 1 and (p-1)^q = p-1 with q = (p-1)/2 odd. */
    const hsb_dh_group *g = hsb_dh_group_by_name("ffdhe2048");
    if (!g || !g->q) {
        hsb_st_case(r, row, HSB_ST_FAIL, "ffdhe2048: hsb_dh_group_by_name gave no group");
        return;
    }
    uint8_t out[HSB_MAX_MODULUS_BYTES], pm1[HSB_MAX_MODULUS_BYTES];
    hsb_rc rc = m->modexp(out, g->g, g->g_len, g->q, g->q_len, g->p, g->p_len);
    int one = rc == HSB_OK && out[g->p_len - 1] == 1;
    for (size_t i = 0; one && i + 1 < g->p_len; i++) one = out[i] == 0;
    hsb_st_case(r, row, one ? HSB_ST_PASS : HSB_ST_FAIL, "ffdhe2048: 2^q mod p != 1 (%s)",
                hsb_rc_name(rc));
    memcpy(pm1, g->p, g->p_len);
    pm1[g->p_len - 1] -= 1; /* p is odd */
    rc = m->modexp(out, pm1, g->p_len, g->q, g->q_len, g->p, g->p_len);
    hsb_st_case(r, row, rc == HSB_OK && memcmp(out, pm1, g->p_len) == 0 ? HSB_ST_PASS : HSB_ST_FAIL,
                "ffdhe2048: (p-1)^q mod p != p-1 (%s)", hsb_rc_name(rc));
}

/* --------------------------------------------------------------------- RSA */

/* The classes of one target on one libcrypto key; have_* when init held. */
typedef struct rsa_under_test {
    hsb_st_run *r;
    hsb_st_result *row;
    const hsb_st_rsa *k;
    size_t nl;
    const hsb_rsa_priv_class *pc;
    const hsb_rsa_pub_class *uc;
    void *pctx, *uctx;
    int have_priv, have_pub;
} rsa_under_test;

/* Raw RSADP against libcrypto, then back through RSAEP; RSAEP alone when
 * only the public class is there. */
static void rsa_raw_random(rsa_under_test *u)
{
    size_t nl = u->nl;
    uint8_t m[HSB_MAX_MODULUS_BYTES], c[HSB_MAX_MODULUS_BYTES], x[HSB_MAX_MODULUS_BYTES],
        ref[HSB_MAX_MODULUS_BYTES];
    hsb_st_random(m, nl);
    m[0] = 0; /* below n */
    int priv = u->have_priv;
    if (!priv && !u->have_pub) return;
    hsb_rc rc = priv ? u->pc->op(u->pctx, c, m, nl) : u->uc->op(u->uctx, c, m, nl);
    hsb_rc orc = hsb_st_ossl_rsa_raw(u->k, priv, ref, m);
    hsb_st_case(
        u->r, u->row,
        rc == HSB_OK && orc == HSB_OK && memcmp(c, ref, nl) == 0 ? HSB_ST_PASS : HSB_ST_FAIL,
        priv ? "m^d mod n differs from libcrypto (%s)" : "m^e mod n differs from libcrypto (%s)",
        hsb_rc_name(rc));
    if (!priv || !u->have_pub) return;
    rc = u->uc->op(u->uctx, x, c, nl);
    hsb_st_case(u->r, u->row, rc == HSB_OK && memcmp(x, m, nl) == 0 ? HSB_ST_PASS : HSB_ST_FAIL,
                "(m^d)^e mod n != m (%s)", hsb_rc_name(rc));
}

/* Out of range and wrong length inputs. */
static void rsa_raw_edges(rsa_under_test *u)
{
    size_t nl = u->nl;
    uint8_t c[HSB_MAX_MODULUS_BYTES];
    if (u->have_priv) {
        hsb_rc rc = u->pc->op(u->pctx, c, u->k->key.n, nl);
        hsb_rc rc2 = u->pc->op(u->pctx, c, u->k->key.n, nl - 1);
        hsb_st_case(u->r, u->row,
                    rc == HSB_E_RANGE && rc2 == HSB_E_USAGE ? HSB_ST_PASS : HSB_ST_FAIL,
                    "rsa-priv op: in = n gave %s (want range), short input %s (want usage)",
                    hsb_rc_name(rc), hsb_rc_name(rc2));
    }
    if (u->have_pub) {
        hsb_rc rc = u->uc->op(u->uctx, c, u->k->key.n, nl);
        hsb_st_case(u->r, u->row, rc == HSB_E_RANGE ? HSB_ST_PASS : HSB_ST_FAIL,
                    "rsa-pub op: in = n gave %s (want range)", hsb_rc_name(rc));
    }
}

/* PKCS#1 v1.5 (core/pkcs1.c) with the private class: signatures checked by
 * libcrypto (and by the public class), libcrypto's ciphertext decrypted. */
static void rsa_pkcs1_priv(rsa_under_test *u, const uint8_t hash[32], const uint8_t msg[48])
{
    size_t nl = u->nl, got = 0;
    uint8_t c[HSB_MAX_MODULUS_BYTES], x[HSB_MAX_MODULUS_BYTES];
    hsb_rc rc = hsb_pkcs1_sign_sha256(u->pc, u->pctx, hash, c, nl);
    hsb_rc orc = rc == HSB_OK ? hsb_st_ossl_rsa_verify(u->k, c, hash) : rc;
    hsb_st_case(u->r, u->row, orc == HSB_OK ? HSB_ST_PASS : HSB_ST_FAIL,
                "PKCS#1 SHA-256 signature: sign %s, libcrypto verify %s", hsb_rc_name(rc),
                hsb_rc_name(orc));
    if (u->have_pub) {
        rc = hsb_pkcs1_verify_sha256(u->uc, u->uctx, hash, c, nl);
        c[nl / 2] ^= 1;
        hsb_rc bad = hsb_pkcs1_verify_sha256(u->uc, u->uctx, hash, c, nl);
        hsb_st_case(u->r, u->row, rc == HSB_OK && bad == HSB_E_DECRYPT ? HSB_ST_PASS : HSB_ST_FAIL,
                    "PKCS#1 verify: own signature %s, altered one %s (want decrypt)",
                    hsb_rc_name(rc), hsb_rc_name(bad));
    }
    orc = hsb_st_ossl_rsa_encrypt(u->k, c, msg, 48);
    rc = orc == HSB_OK ? hsb_pkcs1_decrypt(u->pc, u->pctx, x, nl, &got, c, nl) : orc;
    hsb_st_case(u->r, u->row,
                rc == HSB_OK && got == 48 && memcmp(x, msg, 48) == 0 ? HSB_ST_PASS : HSB_ST_FAIL,
                "PKCS#1 decryption of libcrypto's ciphertext (%s)", hsb_rc_name(rc));
}

/* PKCS#1 v1.5 with the public class: libcrypto's signature verified, and a
 * ciphertext libcrypto decrypts. */
static void rsa_pkcs1_pub(rsa_under_test *u, const hsb_rng_class *rng, const uint8_t hash[32],
                          const uint8_t msg[48])
{
    size_t nl = u->nl, got = nl;
    uint8_t c[HSB_MAX_MODULUS_BYTES], x[HSB_MAX_MODULUS_BYTES], sig[HSB_MAX_MODULUS_BYTES];
    hsb_rc orc = hsb_st_ossl_rsa_sign(u->k, sig, hash);
    hsb_rc rc = orc == HSB_OK ? hsb_pkcs1_verify_sha256(u->uc, u->uctx, hash, sig, nl) : orc;
    hsb_st_case(u->r, u->row, rc == HSB_OK ? HSB_ST_PASS : HSB_ST_FAIL,
                "PKCS#1 verify of libcrypto's signature (%s)", hsb_rc_name(rc));
    rc = hsb_pkcs1_encrypt(u->uc, u->uctx, rng, c, nl, msg, 48);
    orc = rc == HSB_OK ? hsb_st_ossl_rsa_decrypt(u->k, x, &got, c) : rc;
    hsb_st_case(u->r, u->row,
                orc == HSB_OK && got == 48 && memcmp(x, msg, 48) == 0 ? HSB_ST_PASS : HSB_ST_FAIL,
                "PKCS#1 encryption, decrypted by libcrypto (%s)", hsb_rc_name(orc));
}

static void rsa_init(rsa_under_test *u, const hsb_st_target *t)
{
    const hsb_rsa_key *key = &u->k->key;
    u->pc = t->cls.rsa_priv;
    u->uc = t->cls.rsa_pub;
    u->pctx = u->pc ? hsb_ctx_alloc(u->pc->ctx_size) : NULL;
    u->uctx = u->uc ? hsb_ctx_alloc(u->uc->ctx_size) : NULL;
    if (u->pc) {
        hsb_rc rc = u->pctx ? u->pc->init(u->pctx, key) : HSB_E_NOMEM;
        u->have_priv = rc == HSB_OK;
        hsb_st_case(u->r, u->row,
                    rc == HSB_OK && u->pc->n_len(u->pctx) == u->nl ? HSB_ST_PASS : HSB_ST_FAIL,
                    "rsa-priv init of a 2048-bit key (%s)", hsb_rc_name(rc));
    }
    if (u->uc) {
        hsb_rc rc = u->uctx ? u->uc->init(u->uctx, key->n, u->nl, key->e, key->e_len) : HSB_E_NOMEM;
        u->have_pub = rc == HSB_OK;
        hsb_st_case(u->r, u->row,
                    rc == HSB_OK && u->uc->n_len(u->uctx) == u->nl ? HSB_ST_PASS : HSB_ST_FAIL,
                    "rsa-pub init of a 2048-bit key (%s)", hsb_rc_name(rc));
    }
}

static void builtin_rsa(hsb_st_run *r, const hsb_st_target *t)
{
    hsb_st_result *row = hsb_st_row(r, t, "builtin/rsa");
    if (!row) return;
    const hsb_st_rsa *k = hsb_st_rsa_cached(2048, 0);
    if (!k) {
        hsb_st_case(r, row, HSB_ST_FAIL, "RSA-2048 key generation by libcrypto failed");
        return;
    }
    rsa_under_test u = {.r = r, .row = row, .k = k, .nl = k->key.n_len};
    rsa_init(&u, t);
    for (int i = 0; i < 4; i++) rsa_raw_random(&u);
    rsa_raw_edges(&u);
    uint8_t hash[32], msg[48];
    hsb_st_random(hash, 32);
    hsb_st_random(msg, 48);
    if (u.have_priv) rsa_pkcs1_priv(&u, hash, msg);
    if (u.have_pub) rsa_pkcs1_pub(&u, t->cls.rng ? t->cls.rng : &hsb_st_rng, hash, msg);
    if (u.have_priv) u.pc->clear(u.pctx);
    if (u.have_pub) u.uc->clear(u.uctx);
    hsb_ctx_free(u.pctx, u.pc ? u.pc->ctx_size : 0);
    hsb_ctx_free(u.uctx, u.uc ? u.uc->ctx_size : 0);
}

/* ---------------------------------------------------------------------- DH */

static void builtin_dh(hsb_st_run *r, const hsb_st_target *t)
{
    const hsb_dh_class *dh = t->cls.dh;
    hsb_st_result *row = hsb_st_row(r, t, "builtin/dh");
    if (!row) return;
    const hsb_dh_group *g = hsb_dh_group_by_name("ffdhe2048");
    if (!g) {
        hsb_st_case(r, row, HSB_ST_FAIL, "ffdhe2048: hsb_dh_group_by_name gave no group");
        return;
    }
    const hsb_rng_class *rng = t->cls.rng ? t->cls.rng : &hsb_st_rng;
    void *a = hsb_ctx_alloc(dh->ctx_size), *b = hsb_ctx_alloc(dh->ctx_size);
    uint8_t ya[HSB_MAX_MODULUS_BYTES], yb[HSB_MAX_MODULUS_BYTES], sa[HSB_MAX_MODULUS_BYTES],
        sb[HSB_MAX_MODULUS_BYTES];
    size_t pl = g->p_len;
    hsb_rc ra = a ? dh->init(a, g) : HSB_E_NOMEM, rb = b ? dh->init(b, g) : HSB_E_NOMEM;
    if (ra != HSB_OK || rb != HSB_OK) {
        hsb_st_case(r, row, HSB_ST_FAIL, "ffdhe2048: init gave %s/%s", hsb_rc_name(ra),
                    hsb_rc_name(rb));
    } else {
        /* Two parties agree on ffdhe2048. */
        hsb_rc k1 = dh->keygen(a, rng, ya, pl), k2 = dh->keygen(b, rng, yb, pl);
        hsb_rc d1 = k1 ? k1 : dh->derive(a, sa, pl, yb, pl);
        hsb_rc d2 = k2 ? k2 : dh->derive(b, sb, pl, ya, pl);
        hsb_st_case(r, row,
                    !k1 && !k2 && !d1 && !d2 && memcmp(sa, sb, pl) == 0 && memcmp(ya, yb, pl) != 0
                        ? HSB_ST_PASS
                        : HSB_ST_FAIL,
                    "ffdhe2048: two parties do not agree (keygen %s/%s, derive %s/%s)",
                    hsb_rc_name(k1), hsb_rc_name(k2), hsb_rc_name(d1), hsb_rc_name(d2));
        /* A peer value of p-1 is refused (RFC 7919 5.1). */
        memcpy(yb, g->p, pl);
        yb[pl - 1] -= 1;
        hsb_rc c1 = dh->check(a, yb, pl, HSB_DH_CHECK_RANGE);
        hsb_rc c2 = dh->derive(a, sa, pl, yb, pl);
        hsb_st_case(r, row, c1 == HSB_E_RANGE && c2 == HSB_E_RANGE ? HSB_ST_PASS : HSB_ST_FAIL,
                    "ffdhe2048: peer p-1: check %s, derive %s (want range)", hsb_rc_name(c1),
                    hsb_rc_name(c2));
        /* A known private exponent: pub = g^x mod p and the secret with a's
         * keygen output, against libcrypto. */
        uint8_t x[32];
        hsb_st_random(x, sizeof x);
        x[0] |= 0x80;
        hsb_rc s1 = dh->set_priv(b, x, sizeof x, yb, pl);
        hsb_rc s2 = s1 ? s1 : dh->derive(b, sb, pl, ya, pl);
        uint8_t ref[HSB_MAX_MODULUS_BYTES], ref2[HSB_MAX_MODULUS_BYTES];
        int ok = !s1 && !s2 &&
                 hsb_st_bn_modexp(ref, g->g, g->g_len, x, sizeof x, g->p, pl) == HSB_OK &&
                 hsb_st_bn_modexp(ref2, ya, pl, x, sizeof x, g->p, pl) == HSB_OK &&
                 memcmp(ref, yb, pl) == 0 && memcmp(ref2, sb, pl) == 0;
        hsb_st_case(r, row, ok ? HSB_ST_PASS : HSB_ST_FAIL,
                    "ffdhe2048: set_priv: g^x or Y^x mod p differs from libcrypto (%s/%s)",
                    hsb_rc_name(s1), hsb_rc_name(s2));
    }
    if (ra == HSB_OK) dh->clear(a);
    if (rb == HSB_OK) dh->clear(b);
    hsb_ctx_free(a, dh->ctx_size);
    hsb_ctx_free(b, dh->ctx_size);
}

/* --------------------------------------------------------------------- RNG */

static void builtin_rng(hsb_st_run *r, const hsb_st_target *t)
{
    const hsb_rng_class *g = t->cls.rng;
    hsb_st_result *row = hsb_st_row(r, t, "builtin/rng");
    uint8_t a[32] = {0}, b[32] = {0}, zero[32] = {0};
    hsb_rc r1 = g->fill(a, sizeof a), r2 = g->fill(b, sizeof b), r3 = g->fill(a, 0);
    /* Not a statistical test: a stuck or unfilled generator. */
    hsb_st_case(r, row,
                !r1 && !r2 && !r3 && memcmp(a, b, 32) != 0 && memcmp(a, zero, 32) != 0
                    ? HSB_ST_PASS
                    : HSB_ST_FAIL,
                "rng: two 32-byte draws equal or zero (%s/%s/%s)", hsb_rc_name(r1), hsb_rc_name(r2),
                hsb_rc_name(r3));
}

/* ------------------------------------------------------------------ driver */

void hsb_st_builtin(hsb_st_run *r, int with_diff)
{
    for (size_t i = 0; i < r->n_targets; i++) {
        const hsb_st_target *t = &r->targets[i];
        if (t->cls.aes) builtin_aes(r, t);
        if (t->cls.gcm) builtin_gcm(r, t);
        if (t->cls.sha256) builtin_sha256(r, t);
        if (t->cls.hmac) {
            builtin_hmac(r, t);
            builtin_prf(r, t);
        }
        if (t->cls.modexp) builtin_modexp(r, t);
        if (t->cls.rsa_priv || t->cls.rsa_pub) builtin_rsa(r, t);
        if (t->cls.dh) builtin_dh(r, t);
        if (t->cls.rng) builtin_rng(r, t);
    }
    if (!with_diff) return;
    hsb_st_diff_plan plan = {
        .modexp = {300, 300, 100, 60},
        .rsa_keys = {1, 1, 0, 0},
        .rsa_ops = {100, 100, 0, 0},
        .dh = {0, 100, 30, 20},
        .sym = 300,
        .sym_max_len = 2048,
    };
    if (r->quick) {
        plan = (hsb_st_diff_plan){
            .modexp = {40, 40, 0, 0},
            .rsa_keys = {0, 1, 0, 0},
            .rsa_ops = {0, 20, 0, 0},
            .dh = {0, 10, 0, 0},
            .sym = 40,
            .sym_max_len = 600,
        };
    }
    for (size_t i = 0; i < r->n_targets; i++) hsb_st_diff(r, &r->targets[i], &plan, 0);
}
