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

/* ------------------------------------------------------- groups and cases */

/* What the tests of one group share: the target, the class context and, per
 * kind, the group's key (RSA), hash (RSA verify) or tag size (MAC, AEAD). */
typedef struct wp_group {
    const hsb_st_target *t;
    void *ctx;
    const char *alg; /* the file's algorithm, for the UNSUPPORTED lines */
    long tag_bits;
    int key_bad; /* a key field missing or not hex */
    hsb_rc init_rc;
    const uint8_t *n, *d;
    size_t n_len, d_len;
    const char *sha;
} wp_group;

typedef void (*wp_case_fn)(const wp_case *c, const wp_group *g);

/* The one loop over a group's tests: each becomes a wp_case for fn. */
static void each_case(hsb_st_run *r, hsb_st_result *row, const json_t *grp, wp_case_fn fn,
                      const wp_group *g)
{
    size_t i;
    const json_t *test;
    json_array_foreach(json_object_get(grp, "tests"), i, test)
    {
        const char *res = json_string_value(json_object_get(test, "result"));
        wp_case c = {r, row, test, json_integer_value(json_object_get(test, "tcId")),
                     res && !strcmp(res, "valid")     ? WP_VALID
                     : res && !strcmp(res, "invalid") ? WP_INVALID
                                                      : WP_ACCEPTABLE};
        fn(&c, g);
    }
}

/* A test's hex fields, decoded by wp_hex and freed by wp_free. */
typedef struct wp_fields {
    uint8_t *v[6];
    size_t len[6];
    unsigned n;
} wp_fields;

/* Decode all n named fields; 0, or -1 with the first bad one counted. */
static int wp_hex(const wp_case *c, const char *const *names, unsigned n, wp_fields *f)
{
    int bad = -1;
    f->n = n;
    for (unsigned i = 0; i < n; i++) {
        f->v[i] = hsb_st_json_hex(c->test, names[i], &f->len[i]);
        if (!f->v[i] && bad < 0) bad = (int)i;
    }
    if (bad >= 0) bad_field(c, names[bad]);
    return bad >= 0 ? -1 : 0;
}

static void wp_free(wp_fields *f)
{
    for (unsigned i = 0; i < f->n; i++) free(f->v[i]);
}

/* Can the case use the group's key? If not, say why (what: "key",
 * "public key"): an implementation may refuse a key (UNSUPPORTED), but a
 * key it took must load. */
static int key_ready(const wp_case *c, const wp_group *g, const char *what)
{
    if (g->init_rc == HSB_OK) return 1;
    if (g->init_rc == HSB_E_UNSUPPORTED)
        hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: %s refused", c->tc, what);
    else
        hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: %s load failed (%s)", c->tc, what,
                    hsb_rc_name(g->init_rc));
    return 0;
}

static void key_unreadable(const wp_case *c)
{
    hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: group key unreadable", c->tc);
}

/* ------------------------------------------------------ RSAES-PKCS1-v1_5 */

/* One RsaesPkcs1Decrypt test as its three steps see it. */
typedef struct rsa_dec {
    const wp_case *c;
    const wp_group *g;
    const uint8_t *msg, *ct;
    size_t msg_len, ct_len;
    int in_range; /* ct is n's length and below n */
    uint8_t *out;
    hsb_rc rc; /* of step 1 */
    int ok;
    char why[160];
} rsa_dec;

/* 1. RSAES-PKCS1-v1_5 decryption through core/pkcs1.c on the backend's
 * RSADP. 1 when that decides the case (counted), 0 to go on. */
static int rsa_dec_pkcs1(rsa_dec *s)
{
    const wp_case *c = s->c;
    size_t got = (size_t)-1;
    s->rc = hsb_pkcs1_decrypt(s->g->t->cls.rsa_priv, s->g->ctx, s->out, s->g->n_len, &got, s->ct,
                              s->ct_len);
    s->ok = s->rc == HSB_OK && got == s->msg_len &&
            (s->msg_len == 0 || memcmp(s->out, s->msg, s->msg_len) == 0);
    if (s->rc == HSB_OK && !s->ok)
        snprintf(s->why, sizeof s->why, "wrong plaintext (%zu bytes)", got);
    else if (s->rc != HSB_OK)
        snprintf(s->why, sizeof s->why, "error %s", hsb_rc_name(s->rc));
    if ((c->expect == WP_VALID && !s->ok) || (c->expect == WP_INVALID && s->rc == HSB_OK)) {
        judge(c, s->rc == HSB_OK, s->why);
        return 1;
    }
    if (c->expect != WP_INVALID) return 0;
    /* Every bad padding must give one code, HSB_E_DECRYPT (hsb_pkcs1.h), so
     * that no caller can tell the failures apart. */
    if (has_flag(c->test, "InvalidPkcs1Padding") && s->in_range && s->rc != HSB_E_DECRYPT) {
        hsb_st_case(c->r, c->row, HSB_ST_FAIL,
                    "tcId %lld: bad padding gave %s, not the one padding error (decrypt)", c->tc,
                    hsb_rc_name(s->rc));
        return 1;
    }
    if (clean_error(s->rc)) return 0;
    hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: unclean failure %s", c->tc,
                hsb_rc_name(s->rc));
    return 1;
}

/* 2. The TLS premaster rule: a bad or wrong-length message becomes the
 * fallback, with no error; only public faults (length, c >= n) are errors.
 * 1 when it failed (counted). */
static int rsa_dec_premaster(const rsa_dec *s)
{
    const wp_case *c = s->c;
    uint8_t fallback[48], pm[48], version[2] = {3, 3};
    hsb_st_random(fallback, sizeof fallback);
    if (s->msg_len >= 2) memcpy(version, s->msg, 2);
    hsb_rc prc = hsb_pkcs1_decrypt_premaster(s->g->t->cls.rsa_priv, s->g->ctx, s->ct, s->ct_len,
                                             version, fallback, pm);
    if (!s->in_range) {
        if (prc != HSB_OK) return 0;
        hsb_st_case(c->r, c->row, HSB_ST_FAIL,
                    "tcId %lld: premaster rule accepted a ciphertext of bad length/range", c->tc);
        return 1;
    }
    int want_msg = s->rc == HSB_OK && s->msg_len == 48;
    const uint8_t *want = want_msg ? s->out : fallback;
    if (prc == HSB_OK && memcmp(pm, want, 48) == 0) return 0;
    hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: premaster rule: %s", c->tc,
                prc != HSB_OK ? hsb_rc_name(prc)
                : want_msg    ? "did not return the message"
                              : "did not return the fallback");
    return 1;
}

/* 3. The non-CRT path: c^d mod n by the target's modexp must equal RSADP by
 * CRT. 1 when they disagree (counted). */
static int rsa_dec_noncrt(const rsa_dec *s)
{
    const wp_group *g = s->g;
    const hsb_modexp_class *mx = g->t->cls.modexp;
    if (!mx || !s->in_range) return 0;
    uint8_t *em = malloc(g->n_len + 1), *em2 = malloc(g->n_len + 1);
    int bad = -1;
    if (em && em2) {
        memcpy(em, s->ct, s->ct_len);
        hsb_rc r1 = g->t->cls.rsa_priv->op(g->ctx, em, em, s->ct_len); /* in == out is allowed */
        hsb_rc r2 = mx->modexp(em2, s->ct, s->ct_len, g->d, g->d_len, g->n, g->n_len);
        bad = r1 != HSB_OK || r2 != HSB_OK || memcmp(em, em2, g->n_len) != 0;
        if (bad)
            hsb_st_case(s->c->r, s->c->row, HSB_ST_FAIL,
                        "tcId %lld: CRT op (%s) and modexp c^d mod n (%s) disagree", s->c->tc,
                        hsb_rc_name(r1), hsb_rc_name(r2));
    }
    if (bad < 0) s->c->r->errors++;
    free(em);
    free(em2);
    return bad != 0;
}

static void rsa_dec_case(const wp_case *c, const wp_group *g)
{
    static const char *const names[] = {"msg", "ct"};
    if (g->key_bad) {
        key_unreadable(c);
        return;
    }
    wp_fields f;
    rsa_dec s = {.c = c, .g = g, .out = malloc(g->n_len + 1)};
    if (wp_hex(c, names, 2, &f) == 0 && !s.out) c->r->errors++;
    if (f.v[0] && f.v[1] && s.out && key_ready(c, g, "key")) {
        s.msg = f.v[0];
        s.msg_len = f.len[0];
        s.ct = f.v[1];
        s.ct_len = f.len[1];
        s.in_range = s.ct_len == g->n_len && hsb_st_cmp_be(s.ct, s.ct_len, g->n, g->n_len) < 0;
        if (!rsa_dec_pkcs1(&s) && !rsa_dec_premaster(&s) && !rsa_dec_noncrt(&s))
            judge(c, s.ok, s.why);
    }
    wp_free(&f);
    free(s.out);
}

/* The group's private key, as the eight BigInt fields of "privateKey". */
static void rsa_dec_group(hsb_st_run *r, hsb_st_result *row, wp_group g, const json_t *grp)
{
    const json_t *pk = json_object_get(grp, "privateKey");
    static const char *const names[8] = {"modulus",   "publicExponent", "privateExponent",
                                         "prime1",    "prime2",         "exponent1",
                                         "exponent2", "coefficient"};
    uint8_t *raw[8] = {0};
    const uint8_t *v[8];
    size_t len[8];
    for (int i = 0; i < 8; i++) {
        raw[i] = hsb_st_json_hex(pk, names[i], &len[i]);
        if (!raw[i]) g.key_bad = 1;
        v[i] = raw[i];
        if (raw[i]) hsb_st_strip(&v[i], &len[i]); /* BigInt: two's complement, 00 first */
    }
    const hsb_rsa_priv_class *cls = g.t->cls.rsa_priv;
    g.init_rc = HSB_E_USAGE;
    if (!g.key_bad) {
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
        g.ctx = hsb_ctx_alloc(cls->ctx_size);
        g.init_rc = g.ctx ? cls->init(g.ctx, &key) : HSB_E_NOMEM;
    }
    each_case(r, row, grp, rsa_dec_case, &g);
    if (g.ctx) {
        if (g.init_rc == HSB_OK) cls->clear(g.ctx);
        hsb_ctx_free(g.ctx, cls->ctx_size);
    }
    for (int k = 0; k < 8; k++) free(raw[k]);
}

/* ---------------------------------------------------- RSASSA-PKCS1-v1_5 */

static int sha256_group(const wp_group *g)
{
    return g->sha && strcmp(g->sha, "SHA-256") == 0;
}

static void rsa_ver_case(const wp_case *c, const wp_group *g)
{
    static const char *const names[] = {"msg", "sig"};
    if (!sha256_group(g)) {
        hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: hash %s", c->tc,
                    g->sha ? g->sha : "(none)");
        return;
    }
    if (g->key_bad) {
        key_unreadable(c);
        return;
    }
    /* e.g. e = 3 (SmallPublicKey) may be refused by the implementation. */
    if (!key_ready(c, g, "public key")) return;
    wp_fields f;
    if (wp_hex(c, names, 2, &f) == 0) {
        uint8_t hash[32];
        hsb_st_sha256(f.v[0], f.len[0], hash);
        hsb_rc rc = hsb_pkcs1_verify_sha256(g->t->cls.rsa_pub, g->ctx, hash, f.v[1], f.len[1]);
        if (rc != HSB_OK && !clean_error(rc))
            hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: unclean failure %s", c->tc,
                        hsb_rc_name(rc));
        else
            judge(c, rc == HSB_OK, rc == HSB_OK ? "" : hsb_rc_name(rc));
    }
    wp_free(&f);
}

/* The group's public key, "publicKey" modulus and exponent; loaded only for
 * SHA-256 groups, the others are UNSUPPORTED case by case. */
static void rsa_ver_group(hsb_st_run *r, hsb_st_result *row, wp_group g, const json_t *grp)
{
    const hsb_rsa_pub_class *cls = g.t->cls.rsa_pub;
    g.sha = json_string_value(json_object_get(grp, "sha"));
    const json_t *pk = json_object_get(grp, "publicKey");
    size_t n_len = 0, e_len = 0;
    uint8_t *n_raw = hsb_st_json_hex(pk, "modulus", &n_len);
    uint8_t *e_raw = hsb_st_json_hex(pk, "publicExponent", &e_len);
    const uint8_t *n = n_raw, *e = e_raw;
    g.key_bad = !n || !e;
    g.init_rc = HSB_E_USAGE;
    if (!g.key_bad && sha256_group(&g)) {
        hsb_st_strip(&n, &n_len);
        hsb_st_strip(&e, &e_len);
        g.ctx = hsb_ctx_alloc(cls->ctx_size);
        g.init_rc = g.ctx ? cls->init(g.ctx, n, n_len, e, e_len) : HSB_E_NOMEM;
    }
    each_case(r, row, grp, rsa_ver_case, &g);
    if (g.ctx) {
        if (g.init_rc == HSB_OK) cls->clear(g.ctx);
        hsb_ctx_free(g.ctx, cls->ctx_size);
    }
    free(n_raw);
    free(e_raw);
}

/* ------------------------------------------------------ AES-CBC + PKCS#7 */

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

typedef hsb_rc (*aes_init_fn)(void *ctx, const uint8_t *key, size_t key_len);

/* Key the AES or GCM context: a key size the class does not claim (or an IV
 * it cannot take, usable 0) is UNSUPPORTED; one it claims must init. */
static int aes_keyed(const wp_case *c, aes_init_fn init, void *ctx, unsigned key_sizes, int usable,
                     const uint8_t *key, size_t key_len)
{
    if (!usable || !(key_sizes & hsb_st_aes_key_bit(key_len))) {
        hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: AES-%zu", c->tc, key_len * 8);
        return 0;
    }
    hsb_rc rc = init(ctx, key, key_len);
    if (rc == HSB_OK) return 1;
    hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: init of AES-%zu (claimed) gave %s", c->tc,
                key_len * 8, hsb_rc_name(rc));
    return 0;
}

enum { CBC_KEY, CBC_IV, CBC_MSG, CBC_CT };

/* A valid case: encrypt(msg || PKCS#7 padding) must be ct, and decrypting
 * ct (in place) must give msg with good padding. */
static void cbc_valid(const wp_case *c, const hsb_aes_class *cls, void *ctx, const wp_fields *f,
                      uint8_t *buf)
{
    const uint8_t *iv = f->v[CBC_IV], *msg = f->v[CBC_MSG], *ct = f->v[CBC_CT];
    size_t msg_len = f->len[CBC_MSG], ct_len = f->len[CBC_CT];
    size_t padded = msg_len + (16 - msg_len % 16);
    uint8_t ivc[16];
    char why[128] = "";
    memcpy(buf, msg, msg_len);
    memset(buf + msg_len, (int)(padded - msg_len), padded - msg_len);
    uint8_t *enc = malloc(padded);
    if (!enc) return;
    memcpy(ivc, iv, 16);
    hsb_rc rc = cls->cbc_encrypt(ctx, ivc, enc, buf, padded);
    int ok = rc == HSB_OK && padded == ct_len && memcmp(enc, ct, ct_len) == 0;
    if (!ok) snprintf(why, sizeof why, "encryption %s", rc ? hsb_rc_name(rc) : "differs");
    free(enc);
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
}

/* An invalid case: a partial block must be refused with nothing written
 * (buf, cap bytes, is watched); otherwise the padding check must fail. */
static void cbc_invalid(const wp_case *c, const hsb_aes_class *cls, void *ctx, const wp_fields *f,
                        uint8_t *buf, size_t cap)
{
    const uint8_t *ct = f->v[CBC_CT];
    size_t ct_len = f->len[CBC_CT], got = 0;
    uint8_t ivc[16];
    memcpy(ivc, f->v[CBC_IV], 16);
    if (ct_len % 16 == 0) {
        memcpy(buf, ct, ct_len);
        hsb_rc rc = ct_len ? cls->cbc_decrypt(ctx, ivc, buf, buf, ct_len) : HSB_OK;
        int ok = rc == HSB_OK && pkcs7_unpad(buf, ct_len, &got) == 0;
        judge(c, ok, ok ? "padding check passed" : "");
        return;
    }
    memset(buf, 0xA5, cap);
    hsb_rc rc = cls->cbc_decrypt(ctx, ivc, buf, ct, ct_len);
    int untouched = 1;
    for (size_t k = 0; k < cap; k++) untouched &= buf[k] == 0xA5;
    if (rc == HSB_E_USAGE && untouched)
        judge(c, 0, "");
    else
        hsb_st_case(c->r, c->row, HSB_ST_FAIL,
                    "tcId %lld: partial block gave %s%s (want usage, nothing written)", c->tc,
                    hsb_rc_name(rc), untouched ? "" : " and wrote output");
}

static void cbc_case(const wp_case *c, const wp_group *g)
{
    static const char *const names[] = {"key", "iv", "msg", "ct"};
    const hsb_aes_class *cls = g->t->cls.aes;
    wp_fields f;
    if (wp_hex(c, names, 4, &f) != 0 ||
        !aes_keyed(c, cls->init, g->ctx, cls->key_sizes, f.len[CBC_IV] == 16, f.v[CBC_KEY],
                   f.len[CBC_KEY]))
        goto done;
    size_t msg_len = f.len[CBC_MSG], ct_len = f.len[CBC_CT];
    size_t cap = (msg_len > ct_len ? msg_len : ct_len) + 32;
    uint8_t *buf = malloc(cap);
    if (buf && c->expect == WP_VALID) cbc_valid(c, cls, g->ctx, &f, buf);
    if (buf && c->expect != WP_VALID) cbc_invalid(c, cls, g->ctx, &f, buf, cap);
    cls->clear(g->ctx);
    free(buf);
done:
    wp_free(&f);
}

/* ----------------------------------------------------------- HMAC-SHA256 */

static void mac_case(const wp_case *c, const wp_group *g)
{
    static const char *const names[] = {"key", "msg", "tag"};
    const hsb_hmac_sha256_class *cls = g->t->cls.hmac;
    void *ctx = g->ctx;
    long tag_bits = g->tag_bits;
    wp_fields f;
    if (wp_hex(c, names, 3, &f) != 0) goto done;
    const uint8_t *msg = f.v[1], *tag = f.v[2];
    size_t msg_len = f.len[1], tag_len = f.len[2];
    if (tag_bits <= 0 || tag_bits > 256 || tag_bits % 8) {
        hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: tagSize %ld", c->tc, tag_bits);
        goto done;
    }
    size_t t = (size_t)tag_bits / 8;
    hsb_rc rc = cls->init(ctx, f.v[0], f.len[0]);
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
    if (memcmp(full, again, 32) != 0)
        hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: final did not reset the state", c->tc);
    else
        judge(c, ok, ok ? "" : "tag differs");
done:
    wp_free(&f);
}

/* --------------------------------------------------------------- AES-GCM */

static int all_zero(const uint8_t *p, size_t len)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++) acc |= p[i];
    return acc == 0;
}

enum { GCM_KEY, GCM_IV, GCM_AAD, GCM_MSG, GCM_CT, GCM_TAG };

/* An implementation may refuse IVs other than 12 bytes (UNSUPPORTED). */
static int iv_refused(const wp_case *c, hsb_rc rc, size_t iv_len)
{
    if (rc != HSB_E_UNSUPPORTED || iv_len == 12) return 0;
    hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: %zu-bit IV", c->tc, iv_len * 8);
    return 1;
}

/* The contract: an empty IV is a usage error for seal and open alike. */
static void gcm_empty_iv(const wp_case *c, const hsb_gcm_class *cls, void *ctx, uint8_t *const *v,
                         const size_t *len, uint8_t *out)
{
    uint8_t got_tag[16];
    hsb_rc s = cls->seal(ctx, v[GCM_IV], 0, v[GCM_AAD], len[GCM_AAD], out, v[GCM_MSG], len[GCM_MSG],
                         got_tag);
    memset(out, 0xA5, len[GCM_MSG]);
    hsb_rc o = cls->open(ctx, v[GCM_IV], 0, v[GCM_AAD], len[GCM_AAD], out, v[GCM_CT], len[GCM_CT],
                         v[GCM_TAG]);
    if (s != HSB_E_USAGE || o != HSB_E_USAGE)
        hsb_st_case(c->r, c->row, HSB_ST_FAIL,
                    "tcId %lld: empty IV gave seal %s, open %s (want usage)", c->tc, hsb_rc_name(s),
                    hsb_rc_name(o));
    else
        judge(c, 0, "");
}

/* A valid case must seal to ct and tag; every case is then opened, and a
 * failed open must be HSB_E_DECRYPT with no plaintext released. */
static void gcm_seal_open(const wp_case *c, const hsb_gcm_class *cls, void *ctx, uint8_t *const *v,
                          const size_t *len, uint8_t *out)
{
    const uint8_t *iv = v[GCM_IV], *aad = v[GCM_AAD], *msg = v[GCM_MSG], *ct = v[GCM_CT];
    size_t iv_len = len[GCM_IV], aad_len = len[GCM_AAD], msg_len = len[GCM_MSG];
    hsb_rc rc;
    if (c->expect == WP_VALID) {
        uint8_t got_tag[16];
        rc = cls->seal(ctx, iv, iv_len, aad, aad_len, out, msg, msg_len, got_tag);
        if (iv_refused(c, rc, iv_len)) return;
        if (rc != HSB_OK || memcmp(out, ct, msg_len) != 0 || memcmp(got_tag, v[GCM_TAG], 16)) {
            judge(c, 0, rc ? hsb_rc_name(rc) : "seal gave other ciphertext or tag");
            return;
        }
    }
    memset(out, 0xA5, msg_len);
    rc = cls->open(ctx, iv, iv_len, aad, aad_len, out, ct, msg_len, v[GCM_TAG]);
    if (iv_refused(c, rc, iv_len)) return;
    if (rc == HSB_OK)
        judge(c, memcmp(out, msg, msg_len) == 0, "open gave other plaintext");
    else if (rc != HSB_E_DECRYPT || !all_zero(out, msg_len))
        hsb_st_case(c->r, c->row, HSB_ST_FAIL, "tcId %lld: failed open gave %s%s", c->tc,
                    hsb_rc_name(rc), all_zero(out, msg_len) ? "" : " and released plaintext");
    else
        judge(c, 0, "open failed");
}

static void gcm_case(const wp_case *c, const wp_group *g)
{
    static const char *const names[] = {"key", "iv", "aad", "msg", "ct", "tag"};
    const hsb_gcm_class *cls = g->t->cls.gcm;
    wp_fields f;
    if (wp_hex(c, names, 6, &f) != 0) goto done;
    size_t key_len = f.len[GCM_KEY], msg_len = f.len[GCM_MSG];
    if (g->tag_bits != 128 || f.len[GCM_TAG] != 16 || f.len[GCM_CT] != msg_len) {
        if (c->expect == WP_INVALID)
            judge(c, 0, ""); /* a short tag cannot open */
        else
            hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: tag of %ld bits", c->tc,
                        g->tag_bits);
        goto done;
    }
    if (!aes_keyed(c, cls->init, g->ctx, cls->key_sizes, 1, f.v[GCM_KEY], key_len)) goto done;
    uint8_t *out = malloc(msg_len + 1);
    if (out && f.len[GCM_IV] == 0) gcm_empty_iv(c, cls, g->ctx, f.v, f.len, out);
    if (out && f.len[GCM_IV] != 0) gcm_seal_open(c, cls, g->ctx, f.v, f.len, out);
    cls->clear(g->ctx);
    free(out);
done:
    wp_free(&f);
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

static void other_algorithm(const wp_case *c, const wp_group *g)
{
    hsb_st_case(c->r, c->row, HSB_ST_UNSUPPORTED, "tcId %lld: algorithm %s", c->tc,
                g->alg ? g->alg : "(none)");
}

/* One test group of the file's kind: RSA groups bring their key, the
 * symmetric ones their tag size. */
static void run_group(hsb_st_run *r, hsb_st_result *row, wp_kind kind, const wp_group *g,
                      const json_t *grp)
{
    wp_group sym = *g;
    sym.tag_bits = (long)json_integer_value(json_object_get(grp, "tagSize"));
    if (!algorithm_runs(kind, g->alg))
        each_case(r, row, grp, other_algorithm, g);
    else if (kind == WP_RSA_DEC)
        rsa_dec_group(r, row, *g, grp);
    else if (kind == WP_RSA_VER)
        rsa_ver_group(r, row, *g, grp);
    else
        each_case(r, row, grp,
                  kind == WP_CBC   ? cbc_case
                  : kind == WP_MAC ? mac_case
                                   : gcm_case,
                  &sym);
}

static void run_target(hsb_st_run *r, const hsb_st_target *t, const json_t *root, wp_kind kind,
                       const char *display)
{
    hsb_st_result *row = hsb_st_row(r, t, display);
    if (!row) return;
    hsb_class_id id = class_of(kind);
    if (!hsb_backend_class(&t->cls, id)) {
        hsb_st_unavailable(row, hsb_class_name(id));
        return;
    }
    wp_group g = {.t = t, .alg = json_string_value(json_object_get(root, "algorithm"))};
    /* The symmetric kinds share one context across the file; RSA groups
     * make their own for their key. */
    size_t ctx_size = kind == WP_CBC   ? t->cls.aes->ctx_size
                      : kind == WP_MAC ? t->cls.hmac->ctx_size
                      : kind == WP_GCM ? t->cls.gcm->ctx_size
                                       : 0;
    g.ctx = ctx_size ? hsb_ctx_alloc(ctx_size) : NULL;
    if (ctx_size && !g.ctx) {
        r->errors++;
        return;
    }
    size_t gi;
    const json_t *grp;
    json_array_foreach(json_object_get(root, "testGroups"), gi, grp)
    {
        if (kind_of(json_string_value(json_object_get(grp, "type"))) == kind)
            run_group(r, row, kind, &g, grp);
    }
    hsb_ctx_free(g.ctx, ctx_size);
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
