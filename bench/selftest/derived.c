/* The project's derived JSON vector files (shared/vectors/derived), each a
 * re-packaging of published values, recognised by their fields:
 *   vectors[] {hash, secret, label, seed, output}       TLS 1.2 PRF (IETF TLS list)
 *   vectors[] {mode, key, plaintext, ciphertext}        SP 800-38A App. F examples
 *   vectors[] {n, d, c, result}                         SP 800-56B RSADP component
 *   groups[]  {name, p, g, q}                           RFC 7919 / RFC 3526 groups */
#include "hsb_selftest.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_dh_groups.h"
#include "hsb_prf.h"

typedef enum dv_kind { DV_NONE = 0, DV_PRF, DV_AES, DV_RSADP, DV_FFDH } dv_kind;

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ------------------------------------------------------------ TLS 1.2 PRF */

static void prf_vectors(hsb_st_run *r, hsb_st_result *row, const hsb_st_target *t,
                        const json_t *vecs)
{
    const hsb_hmac_sha256_class *h = t->cls.hmac;
    size_t i;
    const json_t *v;
    json_array_foreach(vecs, i, v)
    {
        long long vid = json_integer_value(json_object_get(v, "id"));
        const char *hash = jstr(v, "hash"), *label = jstr(v, "label");
        if (!hash || strcmp(hash, "SHA-256") != 0) {
            hsb_st_case(r, row, HSB_ST_UNSUPPORTED, "id %lld: PRF with %s", vid,
                        hash ? hash : "(none)");
            continue;
        }
        size_t s_len = 0, seed_len = 0, o_len = 0;
        uint8_t *secret = hsb_st_json_hex(v, "secret", &s_len);
        uint8_t *seed = hsb_st_json_hex(v, "seed", &seed_len);
        uint8_t *want = hsb_st_json_hex(v, "output", &o_len);
        uint8_t *got = want ? malloc(o_len + 1) : NULL;
        void *ctx = hsb_ctx_alloc(h->ctx_size);
        if (!secret || !seed || !want || !label || !got || !ctx) {
            hsb_st_case(r, row, HSB_ST_FAIL, "id %lld: fields missing or not hex", vid);
        } else {
            /* The seed in two pieces: the PRF takes it as seed_a || seed_b. */
            size_t half = seed_len / 2;
            hsb_rc rc = hsb_tls12_prf(h, ctx, secret, s_len, label, seed, half, seed + half,
                                      seed_len - half, got, o_len);
            if (rc != HSB_OK || memcmp(got, want, o_len) != 0)
                hsb_st_case(r, row, HSB_ST_FAIL, "id %lld: PRF output %s", vid,
                            rc ? hsb_rc_name(rc) : "differs");
            else
                hsb_st_case(r, row, HSB_ST_PASS, NULL);
        }
        hsb_ctx_free(ctx, h->ctx_size);
        free(secret);
        free(seed);
        free(want);
        free(got);
    }
}

/* ------------------------------------------------------- SP 800-38A AES */

/* One SP 800-38A example, decoded. */
typedef struct aes_ex {
    char id[64];
    uint8_t *key, *iv, *pt, *ct, *buf;
    size_t k_len, iv_len, p_len, c_len;
    int ctr, cbc, ecb;
} aes_ex;

static void aes_ex_load(aes_ex *x, const json_t *v, size_t i)
{
    memset(x, 0, sizeof *x);
    const char *mode = jstr(v, "mode");
    snprintf(x->id, sizeof x->id, "#%zu %s-AES%lld", i, mode ? mode : "?",
             json_integer_value(json_object_get(v, "keySize")));
    x->ctr = mode && !strcmp(mode, "CTR");
    x->cbc = mode && !strcmp(mode, "CBC");
    x->ecb = mode && !strcmp(mode, "ECB");
    x->key = hsb_st_json_hex(v, "key", &x->k_len);
    x->iv = x->ctr   ? hsb_st_json_hex(v, "initialCounter", &x->iv_len)
            : x->cbc ? hsb_st_json_hex(v, "iv", &x->iv_len)
                     : NULL;
    x->pt = hsb_st_json_hex(v, "plaintext", &x->p_len);
    x->ct = hsb_st_json_hex(v, "ciphertext", &x->c_len);
    x->buf = x->pt ? malloc(x->p_len + 1) : NULL;
}

static int aes_ex_complete(const aes_ex *x)
{
    return x->key && x->pt && x->ct && x->buf && (x->ecb || (x->iv && x->iv_len == 16)) &&
           (x->ctr || x->cbc || x->ecb) && x->p_len == x->c_len && (x->ctr || x->p_len % 16 == 0);
}

static void aes_ex_free(aes_ex *x)
{
    free(x->key);
    free(x->iv);
    free(x->pt);
    free(x->ct);
    free(x->buf);
}

/* F.5.1 encrypt, in two calls at a block boundary; the counter must come
 * back incremented by the blocks used. F.5.2 is the same operation, done in
 * place. NULL when all holds, else what did not. */
static const char *aes_ex_ctr(const hsb_aes_class *a, void *ctx, aes_ex *x, hsb_rc *rc)
{
    uint8_t ivc[16], next[16];
    memcpy(ivc, x->iv, 16);
    size_t first = x->p_len > 32 ? 32 : x->p_len;
    *rc = a->ctr(ctx, ivc, x->buf, x->pt, first);
    if (*rc == HSB_OK) *rc = a->ctr(ctx, ivc, x->buf + first, x->pt + first, x->p_len - first);
    memcpy(next, x->iv, 16);
    for (size_t b = 0; b < (x->p_len + 15) / 16; b++)
        for (int k = 15; k >= 0 && ++next[k] == 0; k--) {
        }
    if (*rc != HSB_OK || memcmp(x->buf, x->ct, x->c_len) != 0) return "encryption differs";
    if (memcmp(ivc, next, 16) != 0) return "counter not advanced by the blocks";
    memcpy(ivc, x->iv, 16);
    if (a->ctr(ctx, ivc, x->buf, x->buf, x->c_len) != HSB_OK ||
        memcmp(x->buf, x->pt, x->p_len) != 0)
        return "decryption differs";
    return NULL;
}

/* F.1/F.2: encrypt, then decrypt in place; ECB is CBC with a zero IV, one
 * block at a time. */
static const char *aes_ex_cbc(const hsb_aes_class *a, void *ctx, aes_ex *x, hsb_rc *rc)
{
    size_t step = x->cbc ? x->p_len : 16;
    uint8_t ivc[16];
    for (size_t o = 0; o < x->p_len && *rc == HSB_OK; o += step) {
        memcpy(ivc, x->cbc ? x->iv : (const uint8_t[16]){0}, 16);
        *rc = a->cbc_encrypt(ctx, ivc, x->buf + o, x->pt + o, step);
    }
    if (*rc != HSB_OK || memcmp(x->buf, x->ct, x->c_len) != 0) return "encryption differs";
    for (size_t o = 0; o < x->c_len && *rc == HSB_OK; o += step) {
        memcpy(ivc, x->cbc ? x->iv : (const uint8_t[16]){0}, 16);
        memcpy(x->buf + o, x->ct + o, step);
        *rc = a->cbc_decrypt(ctx, ivc, x->buf + o, x->buf + o, step);
    }
    if (*rc != HSB_OK || memcmp(x->buf, x->pt, x->p_len) != 0) return "decryption differs";
    return NULL;
}

static void aes_ex_run(hsb_st_run *r, hsb_st_result *row, const hsb_aes_class *a, void *ctx,
                       aes_ex *x)
{
    if (!(a->key_sizes & hsb_st_aes_key_bit(x->k_len))) {
        hsb_st_case(r, row, HSB_ST_UNSUPPORTED, "%s: AES-%zu", x->id, x->k_len * 8);
        return;
    }
    hsb_rc rc = a->init(ctx, x->key, x->k_len);
    const char *bad = "init failed";
    if (rc == HSB_OK) {
        bad = x->ctr ? aes_ex_ctr(a, ctx, x, &rc) : aes_ex_cbc(a, ctx, x, &rc);
        a->clear(ctx);
    }
    if (bad)
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: %s (%s)", x->id, bad, hsb_rc_name(rc));
    else
        hsb_st_case(r, row, HSB_ST_PASS, NULL);
}

static void aes_vectors(hsb_st_run *r, hsb_st_result *row, const hsb_st_target *t,
                        const json_t *vecs)
{
    const hsb_aes_class *a = t->cls.aes;
    void *ctx = hsb_ctx_alloc(a->ctx_size);
    if (!ctx) {
        r->errors++;
        return;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(vecs, i, v)
    {
        aes_ex x;
        aes_ex_load(&x, v, i);
        if (!aes_ex_complete(&x))
            hsb_st_case(r, row, HSB_ST_FAIL, "%s: fields missing, not hex, or inconsistent", x.id);
        else
            aes_ex_run(r, row, a, ctx, &x);
        aes_ex_free(&x);
    }
    hsb_ctx_free(ctx, a->ctx_size);
}

/* ------------------------------------------------------------------ RSADP */

/* One RSADP case: numbers in hex without leading zeros (odd digit counts
 * occur); k only for the "Pass" ones. */
typedef struct rsadp_case {
    char id[64];
    int pass;
    uint8_t *n, *e, *d, *c, *k, *out;
    size_t n_len, e_len, d_len, c_len, k_len;
} rsadp_case;

static int rsadp_load(rsadp_case *x, const json_t *v)
{
    memset(x, 0, sizeof *x);
    snprintf(x->id, sizeof x->id, "mod %lld COUNT %lld",
             json_integer_value(json_object_get(v, "modSize")),
             json_integer_value(json_object_get(v, "count")));
    const char *result = jstr(v, "result");
    x->pass = result && !strcmp(result, "Pass");
    x->n = hsb_st_json_hexnum(v, "n", &x->n_len);
    x->e = hsb_st_json_hexnum(v, "e", &x->e_len);
    x->d = hsb_st_json_hexnum(v, "d", &x->d_len);
    x->c = hsb_st_json_hexnum(v, "c", &x->c_len);
    x->k = x->pass ? hsb_st_json_hexnum(v, "k", &x->k_len) : NULL;
    x->out = x->n ? malloc(x->n_len + 1) : NULL;
    return x->n && x->e && x->d && x->c && (!x->pass || x->k) && x->out && result &&
           (x->pass || strcmp(result, "Fail") == 0);
}

static void rsadp_free(rsadp_case *x)
{
    free(x->n);
    free(x->e);
    free(x->d);
    free(x->c);
    free(x->k);
    free(x->out);
}

static void rsadp_run(hsb_st_run *r, hsb_st_result *row, const hsb_modexp_class *m, rsadp_case *x)
{
    const uint8_t *np = x->n;
    size_t nl = x->n_len;
    hsb_st_strip(&np, &nl);
    hsb_rc rc = m->modexp(x->out, x->c, x->c_len, x->d, x->d_len, np, nl);
    if (!x->pass) {
        /* c >= n: "ciphertext representative out of range". */
        if (rc != HSB_E_RANGE)
            hsb_st_case(r, row, HSB_ST_FAIL, "%s: c >= n gave %s, not range", x->id,
                        hsb_rc_name(rc));
        else
            hsb_st_case(r, row, HSB_ST_PASS, NULL);
        return;
    }
    /* k = c^d mod n, and back: k^e mod n = c. */
    if (rc != HSB_OK || hsb_st_cmp_be(x->out, nl, x->k, x->k_len) != 0) {
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: c^d mod n %s", x->id,
                    rc ? hsb_rc_name(rc) : "differs from k");
        return;
    }
    rc = m->modexp(x->out, x->k, x->k_len, x->e, x->e_len, np, nl);
    if (rc != HSB_OK || hsb_st_cmp_be(x->out, nl, x->c, x->c_len) != 0)
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: k^e mod n %s", x->id,
                    rc ? hsb_rc_name(rc) : "differs from c");
    else
        hsb_st_case(r, row, HSB_ST_PASS, NULL);
}

static void rsadp_vectors(hsb_st_run *r, hsb_st_result *row, const hsb_st_target *t,
                          const json_t *vecs)
{
    size_t i;
    const json_t *v;
    json_array_foreach(vecs, i, v)
    {
        rsadp_case x;
        if (!rsadp_load(&x, v))
            hsb_st_case(r, row, HSB_ST_FAIL, "%s: fields missing or not hex", x.id);
        else
            rsadp_run(r, row, t->cls.modexp, &x);
        rsadp_free(&x);
    }
}

/* ---------------------------------------------------------------- FFDH */

typedef struct ff_group {
    const char *name;
    uint8_t *p, *q;
    size_t p_len, q_len;
    uint8_t g;
    hsb_dh_group grp;
} ff_group;

static int ff_load(const json_t *jg, ff_group *g)
{
    memset(g, 0, sizeof *g);
    g->name = jstr(jg, "name");
    g->p = hsb_st_json_hexnum(jg, "p", &g->p_len);
    g->q = hsb_st_json_hexnum(jg, "q", &g->q_len);
    json_int_t gen = json_integer_value(json_object_get(jg, "g"));
    if (!g->name || !g->p || !g->q || gen < 2 || gen > 255 || g->p_len == 0) return -1;
    const uint8_t *pp = g->p;
    size_t pl = g->p_len;
    hsb_st_strip(&pp, &pl);
    if (pl != g->p_len) return -1; /* the file promises no leading zeros */
    g->g = (uint8_t)gen;
    const hsb_dh_group *named = hsb_dh_group_by_name(g->name);
    g->grp = (hsb_dh_group){.name = g->name,
                            .p = g->p,
                            .g = &g->g,
                            .q = g->q,
                            .p_len = g->p_len,
                            .g_len = 1,
                            .q_len = g->q_len,
                            .priv_bits = named ? named->priv_bits : 256};
    return 0;
}

static void ff_free(ff_group *g)
{
    free(g->p);
    free(g->q);
}

/* The file's constants must be core's named groups, byte for byte. */
static void ff_core(hsb_st_run *r, hsb_st_result *row, const ff_group *g)
{
    const hsb_dh_group *named = hsb_dh_group_by_name(g->name);
    if (!named) {
        hsb_st_case(r, row, HSB_ST_UNSUPPORTED, "%s: not a group core names", g->name);
        return;
    }
    if (hsb_st_cmp_be(named->p, named->p_len, g->p, g->p_len) != 0 ||
        hsb_st_cmp_be(named->q, named->q_len, g->q, g->q_len) != 0 ||
        hsb_st_cmp_be(named->g, named->g_len, &g->g, 1) != 0 || named->p_len != g->p_len)
        hsb_st_case(r, row, HSB_ST_FAIL,
                    "%s: hsb_dh_group_by_name differs from the file (p, q or g)", g->name);
    else
        hsb_st_case(r, row, HSB_ST_PASS, NULL);
}

static int is_one(const uint8_t *x, size_t len)
{
    uint8_t acc = 0;
    for (size_t i = 0; i + 1 < len; i++) acc |= x[i];
    return len > 0 && acc == 0 && x[len - 1] == 1;
}

/* Two parties of one dh class on one group, and scratch of p_len bytes. */
typedef struct ff_pair {
    hsb_st_run *r;
    hsb_st_result *row;
    const hsb_dh_class *dh;
    const ff_group *g;
    size_t pl;
    void *a, *b;
    uint8_t *ya, *yb, *sa, *sb, *y, *ref;
} ff_pair;

/* 1. Public-value checks (RFC 7919 5.1): 1 < Y < p-1. p ends in 0xff
 * bytes, so p-1 and p-2 only change its last byte. */
static void ff_range(ff_pair *f)
{
    static const struct {
        const char *what;
        int kind; /* 0: small value v; 1: p - v; 2: 2^(8 p_len), one byte longer */
        uint8_t v;
        hsb_rc want;
    } checks[] = {
        {"Y = 0", 0, 0, HSB_E_RANGE},      {"Y = 1", 0, 1, HSB_E_RANGE},
        {"Y = 2", 0, 2, HSB_OK},           {"Y = p-2", 1, 2, HSB_OK},
        {"Y = p-1", 1, 1, HSB_E_RANGE},    {"Y = p", 1, 0, HSB_E_RANGE},
        {"Y = 2^bits", 2, 0, HSB_E_RANGE},
    };
    size_t pl = f->pl;
    uint8_t *y = f->y;
    const char *bad = NULL;
    hsb_rc got = HSB_OK;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0] && !bad; i++) {
        size_t len = checks[i].kind == 2 ? pl + 1 : pl;
        memset(y, 0, pl + 1);
        if (checks[i].kind == 0) y[pl - 1] = checks[i].v;
        if (checks[i].kind == 1) {
            memcpy(y, f->g->p, pl);
            y[pl - 1] = (uint8_t)(y[pl - 1] - checks[i].v);
        }
        if (checks[i].kind == 2) y[0] = 1;
        got = f->dh->check(f->a, y, len, HSB_DH_CHECK_RANGE);
        if (got != checks[i].want) bad = checks[i].what;
    }
    if (bad)
        hsb_st_case(f->r, f->row, HSB_ST_FAIL, "%s: check(%s) gave %s", f->g->name, bad,
                    hsb_rc_name(got));
    else
        hsb_st_case(f->r, f->row, HSB_ST_PASS, NULL);
}

/* 2. derive refuses the bad peers itself (before keygen it may also be a
 * usage error; either way not OK). */
static void ff_derive_refuses(ff_pair *f)
{
    size_t pl = f->pl;
    memcpy(f->y, f->g->p, pl);
    f->y[pl - 1] -= 1;
    hsb_rc d1 = f->dh->derive(f->a, f->sa, pl, f->y, pl);
    memset(f->y, 0, pl);
    f->y[pl - 1] = 1;
    hsb_rc d2 = f->dh->derive(f->a, f->sa, pl, f->y, pl);
    if (d1 == HSB_OK || d2 == HSB_OK)
        hsb_st_case(f->r, f->row, HSB_ST_FAIL, "%s: derive accepted peer %s", f->g->name,
                    d1 == HSB_OK ? "p-1" : "1");
    else
        hsb_st_case(f->r, f->row, HSB_ST_PASS, NULL);
}

/* Of two agreeing parties: Y^q mod p = 1 for each keygen output (the group
 * of order q), and the FULL check accepts them and refuses p-2, which is a
 * non-residue for these p (p = 7 mod 8 makes -1 a non-residue and 2 a
 * residue, so -2 is not one). NULL when all holds. */
static const char *ff_subgroup(ff_pair *f)
{
    const ff_group *g = f->g;
    size_t pl = f->pl;
    if (hsb_st_bn_modexp(f->ref, f->ya, pl, g->q, g->q_len, g->p, pl) || !is_one(f->ref, pl))
        return "Y_a^q mod p != 1";
    if (hsb_st_bn_modexp(f->ref, f->yb, pl, g->q, g->q_len, g->p, pl) || !is_one(f->ref, pl))
        return "Y_b^q mod p != 1";
    if (f->dh->check(f->a, f->ya, pl, HSB_DH_CHECK_FULL) != HSB_OK)
        return "FULL check refused a keygen output";
    memcpy(f->y, g->p, pl);
    f->y[pl - 1] -= 2;
    if (f->dh->check(f->a, f->y, pl, HSB_DH_CHECK_FULL) != HSB_E_RANGE)
        return "FULL check accepted p-2 (order 2q)";
    return NULL;
}

/* 3. Two parties agree, and their values are in the subgroup. */
static void ff_agree(ff_pair *f, const hsb_rng_class *rng)
{
    const hsb_dh_class *dh = f->dh;
    size_t pl = f->pl;
    hsb_rc k1 = dh->keygen(f->a, rng, f->ya, pl), k2 = dh->keygen(f->b, rng, f->yb, pl);
    hsb_rc s1 = k1 ? k1 : dh->derive(f->a, f->sa, pl, f->yb, pl);
    hsb_rc s2 = k2 ? k2 : dh->derive(f->b, f->sb, pl, f->ya, pl);
    if (k1 || k2 || s1 || s2 || memcmp(f->sa, f->sb, pl) != 0) {
        hsb_st_case(f->r, f->row, HSB_ST_FAIL,
                    "%s: agreement failed (keygen %s/%s, derive %s/%s%s)", f->g->name,
                    hsb_rc_name(k1), hsb_rc_name(k2), hsb_rc_name(s1), hsb_rc_name(s2),
                    s1 || s2 ? "" : ", secrets differ");
        return;
    }
    const char *why = ff_subgroup(f);
    if (why)
        hsb_st_case(f->r, f->row, HSB_ST_FAIL, "%s: %s", f->g->name, why);
    else
        hsb_st_case(f->r, f->row, HSB_ST_PASS, NULL);
}

/* 4. A known private exponent: pub = g^x mod p and the shared value with
 * b's public value, both against libcrypto. */
static void ff_known_x(ff_pair *f)
{
    const ff_group *g = f->g;
    size_t pl = f->pl, xl = (g->grp.priv_bits + 7) / 8;
    uint8_t x[64];
    if (xl > sizeof x) xl = sizeof x;
    hsb_st_random(x, xl);
    x[0] |= 0x80u >> ((8 - g->grp.priv_bits % 8) % 8); /* keep it priv_bits long */
    hsb_rc sp = f->dh->set_priv(f->a, x, xl, f->ya, pl);
    const char *why = NULL;
    if (sp != HSB_OK)
        why = "set_priv failed";
    else if (hsb_st_bn_modexp(f->ref, &g->g, 1, x, xl, g->p, pl) || memcmp(f->ref, f->ya, pl) != 0)
        why = "g^x mod p differs from libcrypto";
    else if (f->dh->derive(f->a, f->sa, pl, f->yb, pl) != HSB_OK)
        why = "derive failed";
    else if (hsb_st_bn_modexp(f->ref, f->yb, pl, x, xl, g->p, pl) || memcmp(f->ref, f->sa, pl) != 0)
        why = "Y^x mod p differs from libcrypto";
    if (why)
        hsb_st_case(f->r, f->row, HSB_ST_FAIL, "%s: %s (%s)", g->name, why, hsb_rc_name(sp));
    else
        hsb_st_case(f->r, f->row, HSB_ST_PASS, NULL);
}

static void ff_dh(hsb_st_run *r, hsb_st_result *row, const hsb_st_target *t, const ff_group *g)
{
    const hsb_dh_class *dh = t->cls.dh;
    size_t pl = g->p_len;
    ff_pair f = {r,
                 row,
                 dh,
                 g,
                 pl,
                 hsb_ctx_alloc(dh->ctx_size),
                 hsb_ctx_alloc(dh->ctx_size),
                 malloc(pl),
                 malloc(pl),
                 malloc(pl),
                 malloc(pl),
                 malloc(pl + 1),
                 malloc(pl)};
    hsb_rc rca = HSB_E_NOMEM, rcb = HSB_E_NOMEM;
    if (!f.a || !f.b || !f.ya || !f.yb || !f.sa || !f.sb || !f.y || !f.ref) {
        r->errors++;
        goto out;
    }
    rca = dh->init(f.a, &g->grp);
    rcb = dh->init(f.b, &g->grp);
    if (rca == HSB_E_UNSUPPORTED) {
        hsb_st_case(r, row, HSB_ST_UNSUPPORTED, "%s: group refused", g->name);
        goto out;
    }
    if (rca != HSB_OK || rcb != HSB_OK) {
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: init gave %s", g->name, hsb_rc_name(rca));
        goto out;
    }
    ff_range(&f);
    ff_derive_refuses(&f);
    ff_agree(&f, t->cls.rng ? t->cls.rng : &hsb_st_rng);
    ff_known_x(&f);
out:
    if (rca == HSB_OK) dh->clear(f.a);
    if (rcb == HSB_OK) dh->clear(f.b);
    hsb_ctx_free(f.a, dh->ctx_size);
    hsb_ctx_free(f.b, dh->ctx_size);
    free(f.ya);
    free(f.yb);
    free(f.sa);
    free(f.sb);
    free(f.y);
    free(f.ref);
}

/* The modexp class on the group: 2^q = 1 (2 is a residue), (p-1)^q = p-1
 * (q is odd), 2^(p-1) = 1 (Fermat). */
static void ff_modexp(hsb_st_run *r, hsb_st_result *row, const hsb_st_target *t, const ff_group *g)
{
    const hsb_modexp_class *m = t->cls.modexp;
    size_t pl = g->p_len;
    uint8_t *out = malloc(pl), *pm1 = malloc(pl);
    if (!out || !pm1) {
        r->errors++;
        free(out);
        free(pm1);
        return;
    }
    memcpy(pm1, g->p, pl);
    pm1[pl - 1] -= 1;
    const char *why = NULL;
    hsb_rc rc = m->modexp(out, &g->g, 1, g->q, g->q_len, g->p, pl);
    if (rc || !is_one(out, pl)) why = "g^q mod p != 1";
    if (!why &&
        ((rc = m->modexp(out, pm1, pl, g->q, g->q_len, g->p, pl)) || memcmp(out, pm1, pl) != 0))
        why = "(p-1)^q mod p != p-1";
    if (!why && ((rc = m->modexp(out, &g->g, 1, pm1, pl, g->p, pl)) || !is_one(out, pl)))
        why = "g^(p-1) mod p != 1";
    if (why)
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: modexp: %s (%s)", g->name, why, hsb_rc_name(rc));
    else
        hsb_st_case(r, row, HSB_ST_PASS, NULL);
    free(out);
    free(pm1);
}

static void ffdh_groups(hsb_st_run *r, const json_t *groups, const char *display)
{
    static const hsb_st_target core = {.label = "core"};
    hsb_st_result *core_row = hsb_st_row(r, &core, display);
    size_t i;
    const json_t *jg;
    json_array_foreach(groups, i, jg)
    {
        ff_group g;
        if (ff_load(jg, &g) != 0) {
            hsb_st_case(r, core_row, HSB_ST_FAIL, "group #%zu: fields missing or not hex", i);
            ff_free(&g);
            continue;
        }
        ff_core(r, core_row, &g);
        for (size_t k = 0; k < r->n_targets; k++) {
            const hsb_st_target *t = &r->targets[k];
            hsb_st_result *row = hsb_st_row(r, t, display);
            if (!row) continue;
            if (!t->cls.dh && !t->cls.modexp) {
                hsb_st_unavailable(row, "dh or modexp");
                continue;
            }
            if (t->cls.dh) ff_dh(r, row, t, &g);
            if (t->cls.modexp) ff_modexp(r, row, t, &g);
        }
        ff_free(&g);
    }
}

/* ---------------------------------------------------------------- driver */

static dv_kind kind_of(const json_t *root)
{
    const json_t *vecs = json_object_get(root, "vectors");
    const json_t *v0 = json_array_get(vecs, 0);
    if (v0) {
        if (jstr(v0, "hash") && jstr(v0, "secret") && jstr(v0, "seed") && jstr(v0, "output"))
            return DV_PRF;
        if (jstr(v0, "mode") && jstr(v0, "key") && jstr(v0, "plaintext") && jstr(v0, "ciphertext"))
            return DV_AES;
        if (jstr(v0, "n") && jstr(v0, "d") && jstr(v0, "c") && jstr(v0, "result")) return DV_RSADP;
    }
    const json_t *g0 = json_array_get(json_object_get(root, "groups"), 0);
    if (g0 && jstr(g0, "p") && jstr(g0, "q") && json_is_integer(json_object_get(g0, "g")))
        return DV_FFDH;
    return DV_NONE;
}

int hsb_st_derived(hsb_st_run *r, const json_t *root, const char *display)
{
    dv_kind kind = kind_of(root);
    if (kind == DV_NONE) return 0;
    if (kind == DV_FFDH) {
        ffdh_groups(r, json_object_get(root, "groups"), display);
        return 1;
    }
    const json_t *vecs = json_object_get(root, "vectors");
    hsb_class_id need = kind == DV_PRF   ? HSB_CLASS_HMAC_SHA256
                        : kind == DV_AES ? HSB_CLASS_AES
                                         : HSB_CLASS_MODEXP;
    for (size_t k = 0; k < r->n_targets; k++) {
        const hsb_st_target *t = &r->targets[k];
        hsb_st_result *row = hsb_st_row(r, t, display);
        if (!row) continue;
        if (!hsb_backend_class(&t->cls, need)) {
            hsb_st_unavailable(row, hsb_class_name(need));
            continue;
        }
        if (kind == DV_PRF)
            prf_vectors(r, row, t, vecs);
        else if (kind == DV_AES)
            aes_vectors(r, row, t, vecs);
        else
            rsadp_vectors(r, row, t, vecs);
    }
    return 1;
}
