/* Wycheproof JSON vectors (C2SP/wycheproof testvectors_v1), recognised by the
 * test groups' "type":
 *   RsaesPkcs1Decrypt  -> hsb_pkcs1_decrypt (and the TLS premaster rule) on rsa-priv
 *   RsassaPkcs1Verify  -> hsb_pkcs1_verify_sha256 on rsa-pub (sha "SHA-256" only)
 *   IndCpaTest         -> AES-CBC on aes, PKCS#7 padding done here
 *   MacTest            -> HMAC-SHA256 on hmac-sha256, tag truncated to tagSize
 *   AeadTest           -> AES-GCM on gcm
 * "valid" must succeed with the expected output, "invalid" must fail cleanly,
 * "acceptable" may do either (logged with -v). */
#include "hsb_selftest.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_ct.h"
#include "hsb_pkcs1.h"

typedef enum wp_kind { WP_NONE = 0, WP_RSA_DEC, WP_RSA_VER, WP_CBC, WP_MAC, WP_GCM } wp_kind;

typedef enum wp_expect { WP_VALID, WP_INVALID, WP_ACCEPTABLE } wp_expect;

typedef struct wp_case {
    hsb_st_run *r;
    hsb_st_result *row;
    const json_t *test;
    long long tc;
    wp_expect expect;
} wp_case;

static int has_flag(const json_t *test, const char *flag)
{
    const json_t *flags = json_object_get(test, "flags");
    size_t i;
    const json_t *f;
    json_array_foreach(flags, i, f)
    {
        const char *s = json_string_value(f);
        if (s && strcmp(s, flag) == 0) return 1;
    }
    return 0;
}

/* Count a case whose outcome is "the operation succeeded with the right
 * output" (ok = 1) or "it failed" (ok = 0), against what the file expects. */
static void judge(const wp_case *c, int ok, const char *detail)
{
    switch (c->expect) {
    case WP_VALID:
        if (ok)
            hsb_st_case(c->r, c->row, HSB_ST_PASS, NULL);
        else
            hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld (valid): %s", c->tc, detail);
        break;
    case WP_INVALID:
        if (!ok)
            hsb_st_case(c->r, c->row, HSB_ST_PASS, NULL);
        else
            hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld (invalid): accepted%s%s", c->tc,
                        detail && *detail ? ": " : "", detail ? detail : "");
        break;
    case WP_ACCEPTABLE:
    default:
        hsb_st_note(c->r, "  [%s] %s: tcId %lld (acceptable): %s%s%s", c->row->target, c->row->file,
                    c->tc, ok ? "accepted" : "rejected", detail && *detail ? ": " : "",
                    detail ? detail : "");
        hsb_st_case(c->r, c->row, HSB_ST_PASS, NULL);
        break;
    }
}

static void bad_field(const wp_case *c, const char *field)
{
    hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: field '%s' missing or not hex", c->tc,
                field);
}

/* A clean failure of a public operation: one of the codes the contract
 * allows for bad input, never a crash, a backend fault or an internal error. */
static int clean_error(hsb_rc rc)
{
    return rc == HSB_E_DECRYPT || rc == HSB_E_RANGE || rc == HSB_E_USAGE;
}

/* ------------------------------------------------------ RSAES-PKCS1-v1_5 */

typedef struct rsa_group {
    const hsb_rsa_priv_class *cls;
    void *ctx;
    hsb_rc init_rc;
    const hsb_modexp_class *modexp;
    const uint8_t *n, *d;
    size_t n_len, d_len;
} rsa_group;

static void rsa_dec_case(const wp_case *c, const rsa_group *g)
{
    size_t msg_len = 0, ct_len = 0;
    uint8_t *msg = hsb_st_json_hex(c->test, "msg", &msg_len);
    uint8_t *ct = hsb_st_json_hex(c->test, "ct", &ct_len);
    uint8_t *out = malloc(g->n_len + 1), *em = malloc(g->n_len + 1), *em2 = malloc(g->n_len + 1);
    char why[160] = "";
    if (!msg || !ct || !out || !em || !em2) {
        bad_field(c, !msg ? "msg" : "ct");
        goto done;
    }
    if (g->init_rc == HSB_E_UNSUPPORTED) {
        hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: key refused", c->tc);
        goto done;
    }
    if (g->init_rc != HSB_OK) {
        hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: key load failed (%s)", c->tc,
                    hsb_rc_name(g->init_rc));
        goto done;
    }
    int in_range = ct_len == g->n_len && hsb_st_cmp_be(ct, ct_len, g->n, g->n_len) < 0;

    /* 1. RSAES-PKCS1-v1_5 decryption through core/pkcs1.c on the backend's RSADP. */
    size_t got = (size_t)-1;
    hsb_rc rc = hsb_pkcs1_decrypt(g->cls, g->ctx, out, g->n_len, &got, ct, ct_len);
    int ok = rc == HSB_OK && got == msg_len && (msg_len == 0 || memcmp(out, msg, msg_len) == 0);
    if (rc == HSB_OK && !ok)
        snprintf(why, sizeof why, "wrong plaintext (%zu bytes)", got);
    else if (rc != HSB_OK)
        snprintf(why, sizeof why, "error %s", hsb_rc_name(rc));
    if ((c->expect == WP_VALID && !ok) || (c->expect == WP_INVALID && rc == HSB_OK)) {
        judge(c, rc == HSB_OK, why);
        goto done;
    }
    if (c->expect == WP_INVALID) {
        /* Every bad padding must give one code, HSB_E_DECRYPT (hsb_pkcs1.h), so
         * that no caller can tell the failures apart. */
        if (has_flag(c->test, "InvalidPkcs1Padding") && in_range && rc != HSB_E_DECRYPT) {
            hsb_st_case(c->r, c->row, HSB_ST_FAIL,
                        "tcId %lld: bad padding gave %s, not the one padding error (decrypt)",
                        c->tc, hsb_rc_name(rc));
            goto done;
        }
        if (!clean_error(rc)) {
            hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: unclean failure %s", c->tc,
                        hsb_rc_name(rc));
            goto done;
        }
    }

    /* 2. The TLS premaster rule: a bad or wrong-length message becomes the
     * fallback, with no error; only public faults (length, c >= n) are errors. */
    uint8_t fallback[48], pm[48], version[2] = {3, 3};
    hsb_st_random(fallback, sizeof fallback);
    if (msg_len >= 2) memcpy(version, msg, 2);
    hsb_rc prc = hsb_pkcs1_decrypt_premaster(g->cls, g->ctx, ct, ct_len, version, fallback, pm);
    if (!in_range) {
        if (prc == HSB_OK) {
            hsb_st_case(c->r, c->row, HSB_ST_FAIL,
                        "tcId %lld: premaster rule accepted a ciphertext of bad length/range",
                        c->tc);
            goto done;
        }
    } else {
        int want_msg = rc == HSB_OK && msg_len == 48;
        const uint8_t *want = want_msg ? out : fallback;
        if (prc != HSB_OK || memcmp(pm, want, 48) != 0) {
            hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: premaster rule: %s", c->tc,
                        prc != HSB_OK ? hsb_rc_name(prc)
                        : want_msg    ? "did not return the message"
                                      : "did not return the fallback");
            goto done;
        }
    }

    /* 3. The non-CRT path: c^d mod n by the target's modexp must equal RSADP by CRT. */
    if (g->modexp && in_range) {
        memcpy(em, ct, ct_len);
        hsb_rc r1 = g->cls->op(g->ctx, em, em, ct_len); /* in == out is allowed */
        hsb_rc r2 = g->modexp->modexp(em2, ct, ct_len, g->d, g->d_len, g->n, g->n_len);
        if (r1 != HSB_OK || r2 != HSB_OK || memcmp(em, em2, g->n_len) != 0) {
            hsb_st_case(c->r, c->row, HSB_ST_FAIL,
                        "tcId %lld: CRT op (%s) and modexp c^d mod n (%s) disagree", c->tc,
                        hsb_rc_name(r1), hsb_rc_name(r2));
            goto done;
        }
    }
    judge(c, ok, why);
done:
    free(msg);
    free(ct);
    free(out);
    free(em);
    free(em2);
}

static void rsa_dec_group(hsb_st_run *r, hsb_st_result *row, const hsb_st_target *t,
                          const json_t *grp)
{
    const json_t *pk = json_object_get(grp, "privateKey");
    static const char *const names[8] = {"modulus",   "publicExponent", "privateExponent",
                                         "prime1",    "prime2",         "exponent1",
                                         "exponent2", "coefficient"};
    uint8_t *raw[8] = {0};
    const uint8_t *v[8];
    size_t len[8];
    int bad = 0;
    for (int i = 0; i < 8; i++) {
        raw[i] = hsb_st_json_hex(pk, names[i], &len[i]);
        if (!raw[i]) bad = 1;
        v[i] = raw[i];
        if (raw[i]) hsb_st_strip(&v[i], &len[i]); /* BigInt: two's complement, 00 first */
    }
    rsa_group g = {.cls = t->cls.rsa_priv, .modexp = t->cls.modexp};
    g.init_rc = HSB_E_USAGE;
    if (!bad) {
        hsb_rsa_key key = {.n = v[0],
                           .e = v[1],
                           .d = v[2],
                           .p = v[3],
                           .q = v[4],
                           .dp = v[5],
                           .dq = v[6],
                           .qinv = v[7],
                           .n_len = len[0],
                           .e_len = len[1],
                           .d_len = len[2],
                           .p_len = len[3],
                           .q_len = len[4],
                           .dp_len = len[5],
                           .dq_len = len[6],
                           .qinv_len = len[7]};
        g.n = v[0];
        g.n_len = len[0];
        g.d = v[2];
        g.d_len = len[2];
        g.ctx = hsb_ctx_alloc(g.cls->ctx_size);
        g.init_rc = g.ctx ? g.cls->init(g.ctx, &key) : HSB_E_NOMEM;
    }
    size_t i;
    const json_t *test;
    json_array_foreach(json_object_get(grp, "tests"), i, test)
    {
        const char *res = json_string_value(json_object_get(test, "result"));
        wp_case c = {r, row, test, json_integer_value(json_object_get(test, "tcId")),
                     res && !strcmp(res, "valid")     ? WP_VALID
                     : res && !strcmp(res, "invalid") ? WP_INVALID
                                                      : WP_ACCEPTABLE};
        if (bad)
            hsb_st_case(r, row, HSB_ST_FAIL, "tcId %lld: group key unreadable", c.tc);
        else
            rsa_dec_case(&c, &g);
    }
    if (g.ctx) {
        if (g.init_rc == HSB_OK) g.cls->clear(g.ctx);
        hsb_ctx_free(g.ctx, g.cls->ctx_size);
    }
    for (int k = 0; k < 8; k++) free(raw[k]);
}

/* ---------------------------------------------------- RSASSA-PKCS1-v1_5 */

static void rsa_ver_group(hsb_st_run *r, hsb_st_result *row, const hsb_st_target *t,
                          const json_t *grp)
{
    const hsb_rsa_pub_class *cls = t->cls.rsa_pub;
    const char *sha = json_string_value(json_object_get(grp, "sha"));
    const json_t *pk = json_object_get(grp, "publicKey");
    size_t n_len = 0, e_len = 0;
    uint8_t *n_raw = hsb_st_json_hex(pk, "modulus", &n_len);
    uint8_t *e_raw = hsb_st_json_hex(pk, "publicExponent", &e_len);
    const uint8_t *n = n_raw, *e = e_raw;
    void *ctx = NULL;
    hsb_rc init_rc = HSB_E_USAGE;
    int sha256 = sha && strcmp(sha, "SHA-256") == 0;
    if (n && e && sha256) {
        hsb_st_strip(&n, &n_len);
        hsb_st_strip(&e, &e_len);
        ctx = hsb_ctx_alloc(cls->ctx_size);
        init_rc = ctx ? cls->init(ctx, n, n_len, e, e_len) : HSB_E_NOMEM;
    }
    size_t i;
    const json_t *test;
    json_array_foreach(json_object_get(grp, "tests"), i, test)
    {
        const char *res = json_string_value(json_object_get(test, "result"));
        wp_case c = {r, row, test, json_integer_value(json_object_get(test, "tcId")),
                     res && !strcmp(res, "valid")     ? WP_VALID
                     : res && !strcmp(res, "invalid") ? WP_INVALID
                                                      : WP_ACCEPTABLE};
        if (!sha256) {
            hsb_st_case(r, row, HSB_ST_UNSUPPORTED, "tcId %lld: hash %s", c.tc,
                        sha ? sha : "(none)");
            continue;
        }
        if (!n || !e) {
            hsb_st_case(r, row, HSB_ST_FAIL, "tcId %lld: group key unreadable", c.tc);
            continue;
        }
        if (init_rc == HSB_E_UNSUPPORTED) {
            /* e.g. e = 3 (SmallPublicKey) refused by the implementation. */
            hsb_st_case(r, row, HSB_ST_UNSUPPORTED, "tcId %lld: public key refused", c.tc);
            continue;
        }
        if (init_rc != HSB_OK) {
            hsb_st_case(r, row, HSB_ST_FAIL, "tcId %lld: public key load failed (%s)", c.tc,
                        hsb_rc_name(init_rc));
            continue;
        }
        size_t msg_len = 0, sig_len = 0;
        uint8_t *msg = hsb_st_json_hex(test, "msg", &msg_len);
        uint8_t *sig = hsb_st_json_hex(test, "sig", &sig_len);
        if (!msg || !sig) {
            bad_field(&c, !msg ? "msg" : "sig");
        } else {
            uint8_t hash[32];
            hsb_st_sha256(msg, msg_len, hash);
            hsb_rc rc = hsb_pkcs1_verify_sha256(cls, ctx, hash, sig, sig_len);
            if (rc != HSB_OK && !clean_error(rc))
                hsb_st_case(r, row, HSB_ST_FAIL, "tcId %lld: unclean failure %s", c.tc,
                            hsb_rc_name(rc));
            else
                judge(&c, rc == HSB_OK, rc == HSB_OK ? "" : hsb_rc_name(rc));
        }
        free(msg);
        free(sig);
    }
    if (ctx) {
        if (init_rc == HSB_OK) cls->clear(ctx);
        hsb_ctx_free(ctx, cls->ctx_size);
    }
    free(n_raw);
    free(e_raw);
}

/* ------------------------------------------------------ AES-CBC + PKCS#7 */

static unsigned key_bit(size_t key_len)
{
    return key_len == 16   ? HSB_AES_KEY_128
           : key_len == 24 ? HSB_AES_KEY_192
           : key_len == 32 ? HSB_AES_KEY_256
                           : 0;
}

/* PKCS#7 unpadding of len bytes (len a non-zero multiple of 16): 0 and the
 * message length when the padding is right, -1 otherwise. No branch on the
 * bytes, in the record layer's manner. */
static int pkcs7_unpad(const uint8_t *buf, size_t len, size_t *msg_len)
{
    if (len == 0 || len % 16) return -1;
    uint32_t pad = buf[len - 1];
    uint32_t good = hsb_ct_nonzero32(pad) & hsb_ct_lt32(pad, 17);
    for (uint32_t i = 1; i <= 16; i++) {
        uint32_t in_pad = hsb_ct_lt32(i - 1, pad); /* i <= pad */
        uint32_t eq = hsb_ct_eq32(buf[len - i], pad);
        good &= eq | (in_pad ^ 1);
    }
    *msg_len = len - (good ? pad : 0);
    return good ? 0 : -1;
}

static void cbc_case(const wp_case *c, const hsb_aes_class *cls, void *ctx)
{
    size_t key_len = 0, iv_len = 0, msg_len = 0, ct_len = 0;
    uint8_t *key = hsb_st_json_hex(c->test, "key", &key_len);
    uint8_t *iv = hsb_st_json_hex(c->test, "iv", &iv_len);
    uint8_t *msg = hsb_st_json_hex(c->test, "msg", &msg_len);
    uint8_t *ct = hsb_st_json_hex(c->test, "ct", &ct_len);
    uint8_t *buf = NULL;
    if (!key || !iv || !msg || !ct) {
        bad_field(c, !key ? "key" : !iv ? "iv" : !msg ? "msg" : "ct");
        goto done;
    }
    unsigned bit = key_bit(key_len);
    if (iv_len != 16 || !(cls->key_sizes & bit)) {
        hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: AES-%zu", c->tc, key_len * 8);
        goto done;
    }
    hsb_rc rc = cls->init(ctx, key, key_len);
    if (rc != HSB_OK) {
        hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: init of AES-%zu (claimed) gave %s",
                    c->tc, key_len * 8, hsb_rc_name(rc));
        goto done;
    }
    size_t cap = (msg_len > ct_len ? msg_len : ct_len) + 32;
    buf = malloc(cap);
    if (!buf) goto cleared;
    uint8_t ivc[16];
    char why[128] = "";
    int ok;
    if (c->expect == WP_VALID) {
        /* encrypt(msg || PKCS#7 padding) must be ct ... */
        size_t padded = msg_len + (16 - msg_len % 16);
        memcpy(buf, msg, msg_len);
        memset(buf + msg_len, (int)(padded - msg_len), padded - msg_len);
        uint8_t *enc = malloc(padded);
        if (!enc) goto cleared;
        memcpy(ivc, iv, 16);
        rc = cls->cbc_encrypt(ctx, ivc, enc, buf, padded);
        ok = rc == HSB_OK && padded == ct_len && memcmp(enc, ct, ct_len) == 0;
        if (!ok) snprintf(why, sizeof why, "encryption %s", rc ? hsb_rc_name(rc) : "differs");
        free(enc);
        /* ... and decrypting ct (in place) must give msg with good padding. */
        if (ok) {
            size_t got = 0;
            memcpy(buf, ct, ct_len);
            memcpy(ivc, iv, 16);
            rc = cls->cbc_decrypt(ctx, ivc, buf, buf, ct_len);
            ok = rc == HSB_OK && pkcs7_unpad(buf, ct_len, &got) == 0 && got == msg_len &&
                 memcmp(buf, msg, msg_len) == 0;
            if (!ok) snprintf(why, sizeof why, "decryption %s", rc ? hsb_rc_name(rc) : "differs");
        }
        judge(c, ok, why);
    } else {
        if (ct_len % 16) {
            /* The class must refuse a partial block and write nothing. */
            memset(buf, 0xA5, cap);
            memcpy(ivc, iv, 16);
            rc = cls->cbc_decrypt(ctx, ivc, buf, ct, ct_len);
            int untouched = 1;
            for (size_t k = 0; k < cap; k++) untouched &= buf[k] == 0xA5;
            if (rc != HSB_E_USAGE || !untouched) {
                hsb_st_case(c->r, c->row, HSB_ST_FAIL,
                            "tcId %lld: partial block gave %s%s (want usage, nothing written)",
                            c->tc, hsb_rc_name(rc), untouched ? "" : " and wrote output");
                goto cleared;
            }
            judge(c, 0, "");
            goto cleared;
        }
        size_t got = 0;
        memcpy(buf, ct, ct_len);
        memcpy(ivc, iv, 16);
        rc = ct_len ? cls->cbc_decrypt(ctx, ivc, buf, buf, ct_len) : HSB_OK;
        ok = rc == HSB_OK && pkcs7_unpad(buf, ct_len, &got) == 0;
        judge(c, ok, ok ? "padding check passed" : "");
    }
cleared:
    cls->clear(ctx);
done:
    free(key);
    free(iv);
    free(msg);
    free(ct);
    free(buf);
}

/* ----------------------------------------------------------- HMAC-SHA256 */

static void mac_case(const wp_case *c, const hsb_hmac_sha256_class *cls, void *ctx, long tag_bits)
{
    size_t key_len = 0, msg_len = 0, tag_len = 0;
    uint8_t *key = hsb_st_json_hex(c->test, "key", &key_len);
    uint8_t *msg = hsb_st_json_hex(c->test, "msg", &msg_len);
    uint8_t *tag = hsb_st_json_hex(c->test, "tag", &tag_len);
    if (!key || !msg || !tag) {
        bad_field(c, !key ? "key" : !msg ? "msg" : "tag");
        goto done;
    }
    if (tag_bits <= 0 || tag_bits > 256 || tag_bits % 8) {
        hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: tagSize %ld", c->tc, tag_bits);
        goto done;
    }
    size_t t = (size_t)tag_bits / 8;
    hsb_rc rc = cls->init(ctx, key, key_len);
    if (rc != HSB_OK) {
        hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: init gave %s", c->tc, hsb_rc_name(rc));
        goto done;
    }
    uint8_t full[32], again[32];
    size_t half = msg_len / 2;
    cls->update(ctx, msg, half);
    cls->update(ctx, msg + half, msg_len - half);
    cls->final(ctx, full);
    /* final resets to the keyed empty message: the same message again. */
    cls->update(ctx, msg, msg_len);
    cls->final(ctx, again);
    cls->clear(ctx);
    /* The verify rule: the truncated tag compared in constant time. */
    int ok = tag_len == t && hsb_ct_memeq(full, tag, t);
    if (memcmp(full, again, 32) != 0) {
        hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: final did not reset the state", c->tc);
        goto done;
    }
    judge(c, ok, ok ? "" : "tag differs");
done:
    free(key);
    free(msg);
    free(tag);
}

/* --------------------------------------------------------------- AES-GCM */

static int all_zero(const uint8_t *p, size_t len)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++) acc |= p[i];
    return acc == 0;
}

static void gcm_case(const wp_case *c, const hsb_gcm_class *cls, void *ctx, long tag_bits)
{
    size_t key_len = 0, iv_len = 0, aad_len = 0, msg_len = 0, ct_len = 0, tag_len = 0;
    uint8_t *key = hsb_st_json_hex(c->test, "key", &key_len);
    uint8_t *iv = hsb_st_json_hex(c->test, "iv", &iv_len);
    uint8_t *aad = hsb_st_json_hex(c->test, "aad", &aad_len);
    uint8_t *msg = hsb_st_json_hex(c->test, "msg", &msg_len);
    uint8_t *ct = hsb_st_json_hex(c->test, "ct", &ct_len);
    uint8_t *tag = hsb_st_json_hex(c->test, "tag", &tag_len);
    uint8_t *out = NULL;
    if (!key || !iv || !aad || !msg || !ct || !tag) {
        bad_field(c, !key ? "key" : !iv ? "iv" : !aad ? "aad" : !msg ? "msg" : !ct ? "ct" : "tag");
        goto done;
    }
    if (tag_bits != 128 || tag_len != 16 || ct_len != msg_len) {
        if (c->expect == WP_INVALID)
            judge(c, 0, ""); /* a short tag cannot open */
        else
            hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: tag of %ld bits", c->tc,
                        tag_bits);
        goto done;
    }
    if (!(cls->key_sizes & key_bit(key_len))) {
        hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: AES-%zu", c->tc, key_len * 8);
        goto done;
    }
    hsb_rc rc = cls->init(ctx, key, key_len);
    if (rc != HSB_OK) {
        hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: init of AES-%zu (claimed) gave %s",
                    c->tc, key_len * 8, hsb_rc_name(rc));
        goto done;
    }
    out = malloc(msg_len + 1);
    if (!out) goto cleared;
    uint8_t got_tag[16];
    if (iv_len == 0) {
        /* The contract: an empty IV is a usage error for seal and open alike. */
        hsb_rc s = cls->seal(ctx, iv, 0, aad, aad_len, out, msg, msg_len, got_tag);
        memset(out, 0xA5, msg_len);
        hsb_rc o = cls->open(ctx, iv, 0, aad, aad_len, out, ct, ct_len, tag);
        if (s != HSB_E_USAGE || o != HSB_E_USAGE)
            hsb_st_case(c->r, c->row, HSB_ST_FAIL,
                        "tcId %lld: empty IV gave seal %s, open %s (want usage)", c->tc,
                        hsb_rc_name(s), hsb_rc_name(o));
        else
            judge(c, 0, "");
        goto cleared;
    }
    if (c->expect == WP_VALID) {
        rc = cls->seal(ctx, iv, iv_len, aad, aad_len, out, msg, msg_len, got_tag);
        if (rc == HSB_E_UNSUPPORTED && iv_len != 12) {
            hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: %zu-bit IV", c->tc,
                        iv_len * 8);
            goto cleared;
        }
        if (rc != HSB_OK || memcmp(out, ct, ct_len) != 0 || memcmp(got_tag, tag, 16) != 0) {
            judge(c, 0, rc ? hsb_rc_name(rc) : "seal gave other ciphertext or tag");
            goto cleared;
        }
    }
    memset(out, 0xA5, msg_len);
    rc = cls->open(ctx, iv, iv_len, aad, aad_len, out, ct, ct_len, tag);
    if (rc == HSB_E_UNSUPPORTED && iv_len != 12) {
        hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: %zu-bit IV", c->tc, iv_len * 8);
        goto cleared;
    }
    if (rc == HSB_OK) {
        judge(c, memcmp(out, msg, msg_len) == 0, "open gave other plaintext");
    } else if (rc != HSB_E_DECRYPT || !all_zero(out, msg_len)) {
        hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: failed open gave %s%s", c->tc,
                    hsb_rc_name(rc), all_zero(out, msg_len) ? "" : " and released plaintext");
    } else {
        judge(c, 0, "open failed");
    }
cleared:
    cls->clear(ctx);
done:
    free(key);
    free(iv);
    free(aad);
    free(msg);
    free(ct);
    free(tag);
    free(out);
}

/* ---------------------------------------------------------------- driver */

static wp_kind kind_of(const char *type)
{
    if (!type) return WP_NONE;
    if (!strcmp(type, "RsaesPkcs1Decrypt")) return WP_RSA_DEC;
    if (!strcmp(type, "RsassaPkcs1Verify")) return WP_RSA_VER;
    if (!strcmp(type, "IndCpaTest")) return WP_CBC;
    if (!strcmp(type, "MacTest")) return WP_MAC;
    if (!strcmp(type, "AeadTest")) return WP_GCM;
    return WP_NONE;
}

static hsb_class_id class_of(wp_kind k)
{
    switch (k) {
    case WP_RSA_DEC:
        return HSB_CLASS_RSA_PRIV;
    case WP_RSA_VER:
        return HSB_CLASS_RSA_PUB;
    case WP_CBC:
        return HSB_CLASS_AES;
    case WP_MAC:
        return HSB_CLASS_HMAC_SHA256;
    case WP_GCM:
        return HSB_CLASS_GCM;
    case WP_NONE:
    default:
        return HSB_CLASS_COUNT;
    }
}

/* Does the file's algorithm match what the kind runs? IndCpaTest, MacTest and
 * AeadTest cover many algorithms; only ours run, the rest are UNSUPPORTED. */
static int algorithm_runs(wp_kind k, const char *alg)
{
    switch (k) {
    case WP_CBC:
        return alg && !strcmp(alg, "AES-CBC-PKCS5");
    case WP_MAC:
        return alg && !strcmp(alg, "HMACSHA256");
    case WP_GCM:
        return alg && !strcmp(alg, "AES-GCM");
    case WP_RSA_DEC:
    case WP_RSA_VER:
        return 1;
    case WP_NONE:
    default:
        return 0;
    }
}

static void run_target(hsb_st_run *r, const hsb_st_target *t, const json_t *root, wp_kind kind,
                       const char *display)
{
    hsb_st_result *row = hsb_st_row(r, t, display);
    if (!row) return;
    hsb_class_id id = class_of(kind);
    const void *cls = hsb_backend_class(&t->cls, id);
    if (!cls) {
        hsb_st_unavailable(row, hsb_class_name(id));
        return;
    }
    const char *alg = json_string_value(json_object_get(root, "algorithm"));
    int runs = algorithm_runs(kind, alg);
    size_t ctx_size = kind == WP_CBC   ? t->cls.aes->ctx_size
                      : kind == WP_MAC ? t->cls.hmac->ctx_size
                      : kind == WP_GCM ? t->cls.gcm->ctx_size
                                       : 0;
    void *ctx = ctx_size ? hsb_ctx_alloc(ctx_size) : NULL;
    if (ctx_size && !ctx) {
        r->errors++;
        return;
    }
    size_t gi;
    const json_t *grp;
    json_array_foreach(json_object_get(root, "testGroups"), gi, grp)
    {
        if (kind_of(json_string_value(json_object_get(grp, "type"))) != kind) continue;
        if (!runs) {
            size_t ti;
            const json_t *test;
            json_array_foreach(json_object_get(grp, "tests"), ti, test) hsb_st_case(
                r, row, HSB_ST_UNSUPPORTED, "tcId %lld: algorithm %s",
                json_integer_value(json_object_get(test, "tcId")), alg ? alg : "(none)");
            continue;
        }
        if (kind == WP_RSA_DEC) {
            rsa_dec_group(r, row, t, grp);
            continue;
        }
        if (kind == WP_RSA_VER) {
            rsa_ver_group(r, row, t, grp);
            continue;
        }
        long tag_bits = (long)json_integer_value(json_object_get(grp, "tagSize"));
        size_t ti;
        const json_t *test;
        json_array_foreach(json_object_get(grp, "tests"), ti, test)
        {
            const char *res = json_string_value(json_object_get(test, "result"));
            wp_case c = {r, row, test, json_integer_value(json_object_get(test, "tcId")),
                         res && !strcmp(res, "valid")     ? WP_VALID
                         : res && !strcmp(res, "invalid") ? WP_INVALID
                                                          : WP_ACCEPTABLE};
            if (kind == WP_CBC)
                cbc_case(&c, t->cls.aes, ctx);
            else if (kind == WP_MAC)
                mac_case(&c, t->cls.hmac, ctx, tag_bits);
            else
                gcm_case(&c, t->cls.gcm, ctx, tag_bits);
        }
    }
    hsb_ctx_free(ctx, ctx_size);
}

int hsb_st_wycheproof(hsb_st_run *r, const json_t *root, const char *display)
{
    const json_t *groups = json_object_get(root, "testGroups");
    if (!json_is_array(groups)) return 0;
    wp_kind kind = WP_NONE;
    size_t i;
    const json_t *grp;
    json_array_foreach(groups, i, grp)
    {
        wp_kind k = kind_of(json_string_value(json_object_get(grp, "type")));
        if (k != WP_NONE) {
            kind = k;
            break;
        }
    }
    if (kind == WP_NONE) return 0;
    for (size_t t = 0; t < r->n_targets; t++) run_target(r, &r->targets[t], root, kind, display);
    return 1;
}
