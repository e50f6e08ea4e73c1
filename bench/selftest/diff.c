/* Differential tests: random inputs through a target's classes, compared
 * with libcrypto called directly (BN for modexp and DH, EVP for RSA, AES,
 * GCM, SHA-256; HMAC()). Inputs come from a seeded generator, so a failure
 * names the seed that reproduces it (HSB_DIFF_SEED=...). */
#include "hsb_selftest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_dh_groups.h"
#include "hsb_pkcs1.h"

static const unsigned diff_bits[HSB_ST_DIFF_SIZES] = {1024, 2048, 3072, 4096};

/* xorshift64*: fast, and reproducible from the seed. */
typedef struct prng {
    uint64_t s;
} prng;

static uint64_t next64(prng *g)
{
    g->s ^= g->s >> 12;
    g->s ^= g->s << 25;
    g->s ^= g->s >> 27;
    return g->s * 0x2545F4914F6CDD1DULL;
}

static size_t below(prng *g, size_t n)
{
    return n ? (size_t)(next64(g) % n) : 0;
}

static void fill(prng *g, void *p, size_t len)
{
    uint8_t *b = p;
    while (len) {
        uint64_t v = next64(g);
        size_t k = len < 8 ? len : 8;
        memcpy(b, &v, k);
        b += k;
        len -= k;
    }
}

static uint64_t diff_seed(void)
{
    const char *env = getenv("HSB_DIFF_SEED");
    uint64_t s = 0;
    if (env && *env)
        s = strtoull(env, NULL, 0);
    else
        hsb_st_random(&s, sizeof s);
    return s ? s : 0x9E3779B97F4A7C15ULL;
}

typedef struct dctx {
    hsb_st_run *r;
    const hsb_st_target *t;
    prng g;
    uint64_t seed;
} dctx;

static int runs(const dctx *d, hsb_class_id id, int include_reference, const char *row_name)
{
    if (!hsb_backend_class(&d->t->cls, id)) {
        if (include_reference)
            hsb_st_unavailable(hsb_st_row(d->r, d->t, row_name), hsb_class_name(id));
        return 0;
    }
    return include_reference || !hsb_st_is_reference(d->t, id);
}

/* ------------------------------------------------------------------ modexp */

static void modexp_case(dctx *d, hsb_st_result *row, const char *what, const uint8_t *b, size_t bl,
                        const uint8_t *e, size_t el, const uint8_t *n, size_t nl, hsb_rc want)
{
    const hsb_modexp_class *m = d->t->cls.modexp;
    uint8_t out[HSB_MAX_MODULUS_BYTES + 8], ref[HSB_MAX_MODULUS_BYTES + 8];
    hsb_rc rc = m->modexp(out, b, bl, e, el, n, nl);
    if (rc != want) {
        hsb_st_case(d->r, row, HSB_ST_FAIL, "%s: got %s, want %s (seed %#llx)", what,
                    hsb_rc_name(rc), hsb_rc_name(want), (unsigned long long)d->seed);
        return;
    }
    if (want == HSB_OK) {
        if (hsb_st_bn_modexp(ref, b, bl, e, el, n, nl) != HSB_OK) {
            d->r->errors++;
            return;
        }
        if (memcmp(out, ref, nl) != 0) {
            hsb_st_case(d->r, row, HSB_ST_FAIL,
                        "%s: differs from BN_mod_exp (base %zu B, exp %zu B; seed %#llx)", what, bl,
                        el, (unsigned long long)d->seed);
            return;
        }
    }
    hsb_st_case(d->r, row, HSB_ST_PASS, NULL);
}

static void diff_modexp(dctx *d, unsigned bits, unsigned count)
{
    char name[48];
    snprintf(name, sizeof name, "diff/modexp-%u", bits);
    hsb_st_result *row = hsb_st_row(d->r, d->t, name);
    if (!row) return;
    size_t nl = bits / 8;
    uint8_t n[HSB_MAX_MODULUS_BYTES + 1], b[HSB_MAX_MODULUS_BYTES + 8],
        e[HSB_MAX_MODULUS_BYTES + 8];
    for (unsigned i = 0; i < count; i++) {
        fill(&d->g, n, nl);
        n[0] |= 0x80;
        n[nl - 1] |= 1;
        /* base: full length below n, or shorter, or with leading zeros. */
        size_t bl = nl, lead = 0;
        unsigned form = (unsigned)below(&d->g, 8);
        if (form == 0) bl = 1 + below(&d->g, nl);
        if (form == 1) lead = 1 + below(&d->g, 3);
        memset(b, 0, lead);
        fill(&d->g, b + lead, bl);
        if (bl == nl) b[lead] &= 0x7f; /* n[0] >= 0x80 > b's top byte */
        bl += lead;
        /* exponent: mostly short (cheap), 1 in 8 full length, some empty,
         * some with leading zeros. */
        size_t el;
        unsigned ef = (unsigned)below(&d->g, 16);
        el = ef < 2 ? nl : ef == 2 ? 0 : 1 + below(&d->g, 32);
        fill(&d->g, e, el);
        if (ef == 3 && el) e[0] = 0;
        modexp_case(d, row, "random", b, bl, e, el, n, nl, HSB_OK);
    }
    /* Edge cases on one random modulus. */
    fill(&d->g, n, nl);
    n[0] |= 0x80;
    n[nl - 1] |= 1;
    fill(&d->g, e, 16);
    memset(b, 0, nl + 1);
    modexp_case(d, row, "base 0", b, nl, e, 16, n, nl, HSB_OK);
    b[nl - 1] = 1;
    modexp_case(d, row, "base 1", b, nl, e, 16, n, nl, HSB_OK);
    memcpy(b, n, nl);
    b[nl - 1] -= 1;
    e[15] |= 1;
    modexp_case(d, row, "base n-1, odd exponent", b, nl, e, 16, n, nl, HSB_OK);
    e[15] &= 0xfe;
    modexp_case(d, row, "base n-1, even exponent", b, nl, e, 16, n, nl, HSB_OK);
    modexp_case(d, row, "exponent 0 (one zero byte)", n + 1, nl - 1, (const uint8_t *)"\0", 1, n,
                nl, HSB_OK);
    modexp_case(d, row, "exponent empty", n + 1, nl - 1, e, 0, n, nl, HSB_OK);
    memcpy(b, n, nl);
    modexp_case(d, row, "base = n", b, nl, e, 16, n, nl, HSB_E_RANGE);
    b[0] = 0;
    memcpy(b + 1, n, nl);
    modexp_case(d, row, "base = n with a leading zero", b, nl + 1, e, 16, n, nl, HSB_E_RANGE);
    memset(b, 0xff, nl);
    modexp_case(d, row, "base = 2^bits - 1 > n", b, nl, e, 16, n, nl, HSB_E_RANGE);
    memset(b, 0, nl + 1);
    b[0] = 1;
    modexp_case(d, row, "base = 2^bits (one byte longer)", b, nl + 1, e, 16, n, nl, HSB_E_RANGE);
    n[nl - 1] &= 0xfe;
    modexp_case(d, row, "even modulus", n + 1, nl - 1, e, 16, n, nl, HSB_E_RANGE);
    n[nl - 1] |= 1;
    if (bits == diff_bits[0]) {
        const uint8_t one = 1, zero = 0;
        modexp_case(d, row, "modulus 1", &zero, 1, e, 16, &one, 1, HSB_E_RANGE);
        uint8_t big[HSB_MAX_MODULUS_BYTES + 1];
        memset(big, 0xff, sizeof big);
        modexp_case(d, row, "modulus of 4104 bits", &zero, 1, e, 16, big, sizeof big,
                    HSB_E_UNSUPPORTED);
    }
}

/* --------------------------------------------------------------------- RSA */

/* One cached key under test: the classes being compared (NULL when not
 * asked for) and their contexts; hp/hu say which came up. */
typedef struct rsa_key_run {
    dctx *d;
    hsb_st_result *row;
    const hsb_st_rsa *k;
    unsigned bits, ki;
    size_t nl;
    const hsb_rsa_priv_class *pc;
    const hsb_rsa_pub_class *uc;
    void *pctx, *uctx;
    int hp, hu;
} rsa_key_run;

static void rsa_init_report(const rsa_key_run *x, const char *cls, hsb_rc rc)
{
    hsb_st_case(x->d->r, x->row, rc == HSB_E_UNSUPPORTED ? HSB_ST_UNSUPPORTED : HSB_ST_FAIL,
                "RSA-%u key %u: %s init gave %s", x->bits, x->ki, cls, hsb_rc_name(rc));
}

static void rsa_open(rsa_key_run *x)
{
    const hsb_rsa_key *key = &x->k->key;
    x->pctx = x->pc ? hsb_ctx_alloc(x->pc->ctx_size) : NULL;
    x->uctx = x->uc ? hsb_ctx_alloc(x->uc->ctx_size) : NULL;
    hsb_rc prc = x->pc ? (x->pctx ? x->pc->init(x->pctx, key) : HSB_E_NOMEM) : HSB_E_UNAVAILABLE;
    hsb_rc urc =
        x->uc ? (x->uctx ? x->uc->init(x->uctx, key->n, x->nl, key->e, key->e_len) : HSB_E_NOMEM)
              : HSB_E_UNAVAILABLE;
    if (x->pc && prc != HSB_OK) rsa_init_report(x, "rsa-priv", prc);
    if (x->uc && urc != HSB_OK) rsa_init_report(x, "rsa-pub", urc);
    x->hp = x->pc && prc == HSB_OK;
    x->hu = x->uc && urc == HSB_OK;
}

static void rsa_close(rsa_key_run *x)
{
    if (x->hp) x->pc->clear(x->pctx);
    if (x->hu) x->uc->clear(x->uctx);
    hsb_ctx_free(x->pctx, x->pc ? x->pc->ctx_size : 0);
    hsb_ctx_free(x->uctx, x->uc ? x->uc->ctx_size : 0);
}

/* Input i: 0, 1 and n-1 first, then random values below n. */
static void rsa_input(rsa_key_run *x, unsigned i, uint8_t *m)
{
    size_t nl = x->nl;
    fill(&x->d->g, m, nl);
    m[0] = (uint8_t)(m[0] % x->k->key.n[0]); /* below n */
    if (i == 0) memset(m, 0, nl);            /* 0 */
    if (i == 1) {
        memset(m, 0, nl);
        m[nl - 1] = 1;
    }
    if (i == 2) {
        memcpy(m, x->k->key.n, nl);
        m[nl - 1] -= 1; /* n - 1 (n is odd) */
    }
}

/* The raw operations, m^d and m^e mod n, against libcrypto's. */
static void rsa_raw(rsa_key_run *x, unsigned i, const uint8_t *m)
{
    uint8_t out[HSB_MAX_MODULUS_BYTES], ref[HSB_MAX_MODULUS_BYTES];
    size_t nl = x->nl;
    unsigned long long seed = (unsigned long long)x->d->seed;
    if (x->hp) {
        int in_place = (int)below(&x->d->g, 2);
        if (in_place) memcpy(out, m, nl);
        hsb_rc rc = x->pc->op(x->pctx, out, in_place ? out : m, nl);
        hsb_rc orc = hsb_st_ossl_rsa_raw(x->k, 1, ref, m);
        int ok = rc == HSB_OK && orc == HSB_OK && memcmp(out, ref, nl) == 0;
        hsb_st_case(x->d->r, x->row, ok ? HSB_ST_PASS : HSB_ST_FAIL,
                    "RSA-%u key %u op %u: m^d mod n %s (%s; seed %#llx)", x->bits, x->ki, i,
                    rc ? hsb_rc_name(rc) : "differs from libcrypto",
                    in_place ? "in place" : "apart", seed);
    }
    if (x->hu) {
        hsb_rc rc = x->uc->op(x->uctx, out, m, nl);
        hsb_rc orc = hsb_st_ossl_rsa_raw(x->k, 0, ref, m);
        int ok = rc == HSB_OK && orc == HSB_OK && memcmp(out, ref, nl) == 0;
        hsb_st_case(x->d->r, x->row, ok ? HSB_ST_PASS : HSB_ST_FAIL,
                    "RSA-%u key %u op %u: m^e mod n %s (seed %#llx)", x->bits, x->ki, i,
                    rc ? hsb_rc_name(rc) : "differs from libcrypto", seed);
    }
}

/* PKCS#1 v1.5 with the private key here: our signature verified and our
 * decryption of an ml-byte message encrypted by libcrypto. */
static void rsa_pkcs1_priv(rsa_key_run *x, const uint8_t *hash, const uint8_t *m, size_t ml)
{
    uint8_t out[HSB_MAX_MODULUS_BYTES], back[HSB_MAX_MODULUS_BYTES];
    size_t nl = x->nl, got = 0;
    hsb_rc rc = hsb_pkcs1_sign_sha256(x->pc, x->pctx, hash, out, nl);
    hsb_rc orc = rc ? rc : hsb_st_ossl_rsa_verify(x->k, out, hash);
    hsb_st_case(x->d->r, x->row, orc ? HSB_ST_FAIL : HSB_ST_PASS,
                "RSA-%u key %u: own signature, libcrypto verify: %s", x->bits, x->ki,
                hsb_rc_name(orc));
    orc = hsb_st_ossl_rsa_encrypt(x->k, out, m, ml);
    rc = orc ? orc : hsb_pkcs1_decrypt(x->pc, x->pctx, back, nl, &got, out, nl);
    int ok = rc == HSB_OK && got == ml && memcmp(back, m, ml) == 0;
    hsb_st_case(x->d->r, x->row, ok ? HSB_ST_PASS : HSB_ST_FAIL,
                "RSA-%u key %u: decrypt of libcrypto's %zu-byte message: %s", x->bits, x->ki, ml,
                hsb_rc_name(rc));
}

/* ... and with the public key here: libcrypto's signature verified, our
 * encryption decrypted by libcrypto. */
static void rsa_pkcs1_pub(rsa_key_run *x, const uint8_t *hash, const uint8_t *m, size_t ml)
{
    const hsb_rng_class *rng = x->d->t->cls.rng ? x->d->t->cls.rng : &hsb_st_rng;
    uint8_t out[HSB_MAX_MODULUS_BYTES], back[HSB_MAX_MODULUS_BYTES];
    size_t nl = x->nl, got = nl;
    hsb_rc orc = hsb_st_ossl_rsa_sign(x->k, out, hash);
    hsb_rc rc = orc ? orc : hsb_pkcs1_verify_sha256(x->uc, x->uctx, hash, out, nl);
    hsb_st_case(x->d->r, x->row, rc ? HSB_ST_FAIL : HSB_ST_PASS,
                "RSA-%u key %u: libcrypto signature, own verify: %s", x->bits, x->ki,
                hsb_rc_name(rc));
    rc = hsb_pkcs1_encrypt(x->uc, x->uctx, rng, out, nl, m, ml);
    orc = rc ? rc : hsb_st_ossl_rsa_decrypt(x->k, back, &got, out);
    int ok = orc == HSB_OK && got == ml && memcmp(back, m, ml) == 0;
    hsb_st_case(x->d->r, x->row, ok ? HSB_ST_PASS : HSB_ST_FAIL,
                "RSA-%u key %u: own encryption of %zu bytes, libcrypto decrypt: %s", x->bits, x->ki,
                ml, hsb_rc_name(orc));
}

/* An input >= n must be refused as out of range by both operations. */
static void rsa_range(rsa_key_run *x)
{
    uint8_t out[HSB_MAX_MODULUS_BYTES];
    if (x->hp) {
        hsb_rc rc = x->pc->op(x->pctx, out, x->k->key.n, x->nl);
        hsb_st_case(x->d->r, x->row, rc == HSB_E_RANGE ? HSB_ST_PASS : HSB_ST_FAIL,
                    "RSA-%u key %u: rsa-priv op of n gave %s (want range)", x->bits, x->ki,
                    hsb_rc_name(rc));
    }
    if (x->hu) {
        hsb_rc rc = x->uc->op(x->uctx, out, x->k->key.n, x->nl);
        hsb_st_case(x->d->r, x->row, rc == HSB_E_RANGE ? HSB_ST_PASS : HSB_ST_FAIL,
                    "RSA-%u key %u: rsa-pub op of n gave %s (want range)", x->bits, x->ki,
                    hsb_rc_name(rc));
    }
}

static void rsa_key(rsa_key_run *x, unsigned ops)
{
    uint8_t m[HSB_MAX_MODULUS_BYTES], hash[32];
    rsa_open(x);
    for (unsigned i = 0; i < ops && (x->hp || x->hu); i++) {
        rsa_input(x, i, m);
        rsa_raw(x, i, m);
        if (i % 10 != 5) continue;
        /* PKCS#1 v1.5 across the two implementations, every tenth input. */
        fill(&x->d->g, hash, 32);
        size_t ml = below(&x->d->g, x->nl - 11 + 1);
        if (x->hp) rsa_pkcs1_priv(x, hash, m, ml);
        if (x->hu) rsa_pkcs1_pub(x, hash, m, ml);
    }
    rsa_range(x);
    rsa_close(x);
}

static void diff_rsa(dctx *d, unsigned bits, unsigned keys, unsigned ops, int do_priv, int do_pub)
{
    char name[48];
    snprintf(name, sizeof name, "diff/rsa-%u", bits);
    hsb_st_result *row = hsb_st_row(d->r, d->t, name);
    if (!row) return;
    for (unsigned ki = 0; ki < keys; ki++) {
        const hsb_st_rsa *k = hsb_st_rsa_cached(bits, ki);
        if (!k) {
            hsb_st_case(d->r, row, HSB_ST_FAIL, "RSA-%u key %u: libcrypto keygen failed", bits, ki);
            continue;
        }
        rsa_key_run x = {.d = d,
                         .row = row,
                         .k = k,
                         .bits = bits,
                         .ki = ki,
                         .nl = k->key.n_len,
                         .pc = do_priv ? d->t->cls.rsa_priv : NULL,
                         .uc = do_pub ? d->t->cls.rsa_pub : NULL};
        rsa_key(&x, ops);
    }
}

/* ---------------------------------------------------------------------- DH */

static int is_one(const uint8_t *x, size_t len)
{
    uint8_t acc = 0;
    for (size_t i = 0; i + 1 < len; i++) acc |= x[i];
    return len > 0 && acc == 0 && x[len - 1] == 1;
}

static void diff_dh(dctx *d, unsigned bits, unsigned count)
{
    char name[48];
    snprintf(name, sizeof name, "diff/dh-%u", bits);
    char n1[16], n2[16];
    snprintf(n1, sizeof n1, "ffdhe%u", bits);
    snprintf(n2, sizeof n2, "modp%u", bits);
    const hsb_dh_group *gs[2] = {hsb_dh_group_by_name(n1), hsb_dh_group_by_name(n2)};
    hsb_st_result *row = hsb_st_row(d->r, d->t, name);
    if (!row) return;
    if (!gs[0] || !gs[1]) {
        hsb_st_case(d->r, row, HSB_ST_FAIL, "%s/%s: hsb_dh_group_by_name gave no group", n1, n2);
        return;
    }
    const hsb_dh_class *dh = d->t->cls.dh;
    const hsb_rng_class *rng = d->t->cls.rng ? d->t->cls.rng : &hsb_st_rng;
    void *ctx[2] = {hsb_ctx_alloc(dh->ctx_size), hsb_ctx_alloc(dh->ctx_size)};
    hsb_rc irc[2] = {HSB_E_NOMEM, HSB_E_NOMEM};
    for (int k = 0; k < 2; k++) {
        if (ctx[k]) irc[k] = dh->init(ctx[k], gs[k]);
        if (irc[k] != HSB_OK)
            hsb_st_case(d->r, row, irc[k] == HSB_E_UNSUPPORTED ? HSB_ST_UNSUPPORTED : HSB_ST_FAIL,
                        "%s: init gave %s", gs[k]->name, hsb_rc_name(irc[k]));
    }
    uint8_t x[64], pub[HSB_MAX_MODULUS_BYTES], y[HSB_MAX_MODULUS_BYTES], s[HSB_MAX_MODULUS_BYTES],
        ref[HSB_MAX_MODULUS_BYTES];
    for (unsigned i = 0; i < count; i++) {
        int k = (int)(i % 2);
        if (irc[k] != HSB_OK) continue;
        const hsb_dh_group *g = gs[k];
        size_t pl = g->p_len;
        const char *why = NULL;
        hsb_rc rc = HSB_OK;
        if (i % 8 == 7) {
            /* keygen: 1 < Y < p-1 and Y^q = 1, and the FULL check takes it. */
            rc = dh->keygen(ctx[k], rng, pub, pl);
            if (rc)
                why = "keygen failed";
            else if (hsb_st_bn_modexp(ref, pub, pl, g->q, g->q_len, g->p, pl) || !is_one(ref, pl))
                why = "keygen output has Y^q mod p != 1";
            else if ((rc = dh->check(ctx[k], pub, pl, HSB_DH_CHECK_FULL)) != HSB_OK)
                why = "FULL check refused a keygen output";
        } else {
            size_t xl = (g->priv_bits + 7) / 8;
            if (xl > sizeof x) xl = sizeof x;
            fill(&d->g, x, xl);
            x[0] |= 1; /* x > 1 */
            rc = dh->set_priv(ctx[k], x, xl, pub, pl);
            if (rc)
                why = "set_priv failed";
            else if (hsb_st_bn_modexp(ref, g->g, g->g_len, x, xl, g->p, pl) ||
                     memcmp(ref, pub, pl) != 0)
                why = "g^x mod p differs from BN";
            if (!why) {
                /* A random peer value 2 <= Y < p-1 (p's top byte is 0xff). */
                fill(&d->g, y, pl);
                y[0] = (uint8_t)(y[0] % g->p[0]);
                if (y[0] == 0 && y[1] == 0) y[pl - 1] |= 2;
                size_t off = i % 16 == 3 ? 1 + below(&d->g, 4) : 0; /* leading zeros, shorter */
                memset(y, 0, off);
                rc = dh->derive(ctx[k], s, pl, y + off, pl - off);
                if (rc)
                    why = "derive failed";
                else if (hsb_st_bn_modexp(ref, y + off, pl - off, x, xl, g->p, pl) ||
                         memcmp(ref, s, pl) != 0)
                    why = "Y^x mod p differs from BN";
            }
        }
        if (why)
            hsb_st_case(d->r, row, HSB_ST_FAIL, "%s case %u: %s (%s; seed %#llx)", g->name, i, why,
                        hsb_rc_name(rc), (unsigned long long)d->seed);
        else
            hsb_st_case(d->r, row, HSB_ST_PASS, NULL);
    }
    for (int k = 0; k < 2; k++) {
        if (irc[k] == HSB_OK) dh->clear(ctx[k]);
        hsb_ctx_free(ctx[k], dh->ctx_size);
    }
}

/* --------------------------------------------------------------------- AES */

static const EVP_CIPHER *evp_aes(size_t key_len, int mode)
{
    /* mode 0: CBC, 1: CTR, 2: GCM */
    switch (key_len) {
    case 16:
        return mode == 0 ? EVP_aes_128_cbc() : mode == 1 ? EVP_aes_128_ctr() : EVP_aes_128_gcm();
    case 24:
        return mode == 0 ? EVP_aes_192_cbc() : mode == 1 ? EVP_aes_192_ctr() : EVP_aes_192_gcm();
    default:
        return mode == 0 ? EVP_aes_256_cbc() : mode == 1 ? EVP_aes_256_ctr() : EVP_aes_256_gcm();
    }
}

static int evp_crypt(const EVP_CIPHER *c, int enc, const uint8_t *key, const uint8_t *iv,
                     uint8_t *out, const uint8_t *in, size_t len)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int ol = 0, fl = 0;
    int ok = x && EVP_CipherInit_ex(x, c, NULL, key, iv, enc) == 1 &&
             EVP_CIPHER_CTX_set_padding(x, 0) == 1 &&
             EVP_CipherUpdate(x, out, &ol, in, (int)len) == 1 &&
             EVP_CipherFinal_ex(x, out + ol, &fl) == 1 && (size_t)(ol + fl) == len;
    EVP_CIPHER_CTX_free(x);
    return ok ? 0 : -1;
}

/* A key size the class claims, drawn at random; 0 (reported) when it claims none. */
static size_t pick_key(dctx *d, hsb_st_result *row, unsigned key_sizes)
{
    size_t opts[3], n = 0;
    if (key_sizes & HSB_AES_KEY_128) opts[n++] = 16;
    if (key_sizes & HSB_AES_KEY_192) opts[n++] = 24;
    if (key_sizes & HSB_AES_KEY_256) opts[n++] = 32;
    if (!n) hsb_st_case(d->r, row, HSB_ST_FAIL, "key_sizes claims no size");
    return n ? opts[below(&d->g, n)] : 0;
}

/* What a cipher's differential test holds: its row, one context, and input,
 * output and reference buffers of the largest length tried. */
typedef struct sym_run {
    hsb_st_result *row;
    void *ctx;
    size_t ctx_size;
    uint8_t *in, *out, *ref;
} sym_run;

static int sym_open(dctx *d, sym_run *s, const char *row_name, size_t ctx_size, size_t buf_len)
{
    s->row = hsb_st_row(d->r, d->t, row_name);
    s->ctx_size = ctx_size;
    s->ctx = hsb_ctx_alloc(ctx_size);
    s->in = malloc(buf_len);
    s->out = malloc(buf_len);
    s->ref = malloc(buf_len);
    if (s->row && s->ctx && s->in && s->out && s->ref) return 0;
    d->r->errors++;
    return -1;
}

static void sym_close(sym_run *s)
{
    hsb_ctx_free(s->ctx, s->ctx_size);
    free(s->in);
    free(s->out);
    free(s->ref);
}

typedef struct aes_case {
    size_t kl, len;
    int ctr, in_place;
    uint8_t key[32], iv[16];
} aes_case;

/* Case i: CBC and CTR in turn; short lengths (0, 7, 14, ... or 0, 16,
 * 32, ...) first, then random ones; one CTR counter in four set to carry. */
static void aes_draw(dctx *d, unsigned i, size_t max_len, aes_case *c)
{
    fill(&d->g, c->key, c->kl);
    fill(&d->g, c->iv, 16);
    c->ctr = (int)(i % 2);
    c->in_place = (int)below(&d->g, 2);
    c->len = c->ctr ? below(&d->g, max_len + 1) : 16 * below(&d->g, max_len / 16 + 1);
    if (i < 8 && (size_t)i * 16 <= max_len) c->len = c->ctr ? (size_t)i * 7 : (size_t)i * 16;
    if (c->ctr && below(&d->g, 4) == 0) { /* counter carries, and wraps at 2^128 */
        size_t k = 1 + below(&d->g, 16);
        memset(c->iv + 16 - k, 0xff, k);
    }
}

/* Encrypt s->in into s->out in two calls, split at a block boundary: the IV
 * or counter in ivc must chain. */
static hsb_rc aes_encrypt(dctx *d, const hsb_aes_class *a, sym_run *s, const aes_case *c,
                          uint8_t ivc[16])
{
    const uint8_t *src = s->in;
    size_t len = c->len;
    if (c->in_place) {
        memcpy(s->out, s->in, len);
        src = s->out;
    }
    size_t split = 16 * below(&d->g, len / 16 + 1);
    memcpy(ivc, c->iv, 16);
    hsb_rc rc = c->ctr ? a->ctr(s->ctx, ivc, s->out, src, split)
                       : a->cbc_encrypt(s->ctx, ivc, s->out, src, split);
    if (rc) return rc;
    return c->ctr ? a->ctr(s->ctx, ivc, s->out + split, src + split, len - split)
                  : a->cbc_encrypt(s->ctx, ivc, s->out + split, src + split, len - split);
}

/* CTR: the counter moved on by one per block used, partial ones included. */
static int ctr_advanced(const uint8_t iv[16], const uint8_t ivc[16], size_t len)
{
    uint8_t want[16];
    memcpy(want, iv, 16);
    for (size_t b = 0; b < (len + 15) / 16; b++)
        for (int j = 15; j >= 0 && ++want[j] == 0; j--) {
        }
    return memcmp(ivc, want, 16) == 0;
}

/* After aes_encrypt: what is wrong, or NULL. *rc is the last call's code. */
static const char *aes_check(const hsb_aes_class *a, sym_run *s, const aes_case *c, uint8_t ivc[16],
                             hsb_rc *rc)
{
    size_t len = c->len;
    if (*rc || memcmp(s->out, s->ref, len) != 0) return "encryption differs from EVP";
    if (c->ctr)
        return ctr_advanced(c->iv, ivc, len) ? NULL : "counter not advanced by the blocks used";
    if (len && memcmp(ivc, s->ref + len - 16, 16) != 0)
        return "IV not updated to the last ciphertext block";
    memcpy(ivc, c->iv, 16);
    memcpy(s->out, s->ref, len);
    *rc = a->cbc_decrypt(s->ctx, ivc, s->out, s->out, len);
    return *rc || memcmp(s->out, s->in, len) != 0 ? "decryption differs" : NULL;
}

static void aes_one(dctx *d, const hsb_aes_class *a, sym_run *s, const aes_case *c)
{
    uint8_t ivc[16];
    hsb_rc rc = a->init(s->ctx, c->key, c->kl);
    if (rc) {
        hsb_st_case(d->r, s->row, HSB_ST_FAIL, "AES-%zu init gave %s", c->kl * 8, hsb_rc_name(rc));
        return;
    }
    if (evp_crypt(evp_aes(c->kl, c->ctr), 1, c->key, c->iv, s->ref, s->in, c->len)) {
        d->r->errors++;
        a->clear(s->ctx);
        return;
    }
    rc = aes_encrypt(d, a, s, c, ivc);
    const char *why = aes_check(a, s, c, ivc, &rc);
    a->clear(s->ctx);
    if (why)
        hsb_st_case(d->r, s->row, HSB_ST_FAIL, "%s AES-%zu, %zu bytes%s: %s (%s; seed %#llx)",
                    c->ctr ? "CTR" : "CBC", c->kl * 8, c->len, c->in_place ? " in place" : "", why,
                    hsb_rc_name(rc), (unsigned long long)d->seed);
    else
        hsb_st_case(d->r, s->row, HSB_ST_PASS, NULL);
}

static void diff_aes(dctx *d, unsigned count, size_t max_len)
{
    const hsb_aes_class *a = d->t->cls.aes;
    sym_run s;
    if (sym_open(d, &s, "diff/aes", a->ctx_size, max_len + 16) == 0) {
        for (unsigned i = 0; i < count; i++) {
            aes_case c = {.kl = pick_key(d, s.row, a->key_sizes)};
            if (!c.kl) break;
            aes_draw(d, i, max_len, &c);
            fill(&d->g, s.in, c.len);
            aes_one(d, a, &s, &c);
        }
    }
    sym_close(&s);
}

/* --------------------------------------------------------------------- GCM */

static int evp_gcm_seal(size_t kl, const uint8_t *key, const uint8_t *iv, size_t ivl,
                        const uint8_t *aad, size_t al, uint8_t *out, const uint8_t *in, size_t len,
                        uint8_t tag[16])
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int ol = 0, fl = 0;
    int ok = x && EVP_EncryptInit_ex(x, evp_aes(kl, 2), NULL, NULL, NULL) == 1 &&
             EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, (int)ivl, NULL) == 1 &&
             EVP_EncryptInit_ex(x, NULL, NULL, key, iv) == 1 &&
             (al == 0 || EVP_EncryptUpdate(x, NULL, &ol, aad, (int)al) == 1) &&
             EVP_EncryptUpdate(x, out, &ol, in, (int)len) == 1 &&
             EVP_EncryptFinal_ex(x, out + ol, &fl) == 1 &&
             EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(x);
    return ok ? 0 : -1;
}

typedef struct gcm_case {
    size_t kl, ivl, al, len;
    uint8_t key[32], iv[64], aad[300], rtag[16];
} gcm_case;

/* Mostly 12-byte IVs and short AAD, sometimes any IV length up to 64 and
 * AAD up to 300 bytes. */
static void gcm_draw(dctx *d, size_t max_len, gcm_case *c, uint8_t *in)
{
    c->ivl = below(&d->g, 4) ? 12 : 1 + below(&d->g, 64);
    c->al = below(&d->g, 4) ? below(&d->g, 40) : below(&d->g, sizeof c->aad + 1);
    c->len = below(&d->g, max_len + 1);
    fill(&d->g, c->key, c->kl);
    fill(&d->g, c->iv, c->ivl);
    fill(&d->g, c->aad, c->al);
    fill(&d->g, in, c->len);
}

/* One bit changed in the ciphertext, the tag or the AAD: open must refuse
 * with HSB_E_DECRYPT and release no plaintext. */
static const char *gcm_forgery(dctx *d, const hsb_gcm_class *gc, sym_run *s, gcm_case *c,
                               hsb_rc *rc)
{
    unsigned where = (unsigned)below(&d->g, 3);
    if (where == 0 && c->len == 0) where = 1;
    if (where == 2 && c->al == 0) where = 1;
    if (where == 0) s->ref[below(&d->g, c->len)] ^= (uint8_t)(1u << below(&d->g, 8));
    if (where == 1) c->rtag[below(&d->g, 16)] ^= (uint8_t)(1u << below(&d->g, 8));
    if (where == 2) c->aad[below(&d->g, c->al)] ^= (uint8_t)(1u << below(&d->g, 8));
    memset(s->out, 0xA5, c->len);
    *rc = gc->open(s->ctx, c->iv, c->ivl, c->aad, c->al, s->out, s->ref, c->len, c->rtag);
    uint8_t acc = 0;
    for (size_t j = 0; j < c->len; j++) acc |= s->out[j];
    return *rc != HSB_E_DECRYPT || acc ? "forgery not refused cleanly" : NULL;
}

/* Our seal (rc, out, tag) against EVP's, then open of EVP's output, then a
 * forgery: what is wrong, or NULL. *rc is the last call's code. */
static const char *gcm_check(dctx *d, const hsb_gcm_class *gc, sym_run *s, gcm_case *c,
                             const uint8_t tag[16], hsb_rc *rc)
{
    size_t len = c->len;
    if (*rc || memcmp(s->out, s->ref, len) != 0 || memcmp(tag, c->rtag, 16) != 0)
        return "seal differs from EVP";
    memset(s->out, 0, len);
    *rc = gc->open(s->ctx, c->iv, c->ivl, c->aad, c->al, s->out, s->ref, len, c->rtag);
    if (*rc || memcmp(s->out, s->in, len) != 0) return "open failed";
    return gcm_forgery(d, gc, s, c, rc);
}

static void gcm_one(dctx *d, const hsb_gcm_class *gc, sym_run *s, gcm_case *c)
{
    uint8_t tag[16];
    if (evp_gcm_seal(c->kl, c->key, c->iv, c->ivl, c->aad, c->al, s->ref, s->in, c->len, c->rtag)) {
        d->r->errors++;
        return;
    }
    hsb_rc rc = gc->init(s->ctx, c->key, c->kl);
    if (rc) {
        hsb_st_case(d->r, s->row, HSB_ST_FAIL, "AES-%zu-GCM init gave %s", c->kl * 8,
                    hsb_rc_name(rc));
        return;
    }
    rc = gc->seal(s->ctx, c->iv, c->ivl, c->aad, c->al, s->out, s->in, c->len, tag);
    const char *why = NULL;
    if (rc != HSB_E_UNSUPPORTED || c->ivl == 12) why = gcm_check(d, gc, s, c, tag, &rc);
    gc->clear(s->ctx);
    if (rc == HSB_E_UNSUPPORTED && !why) /* only an IV other than 12 bytes may be refused */
        hsb_st_case(d->r, s->row, HSB_ST_UNSUPPORTED, "%zu-byte IV", c->ivl);
    else if (why)
        hsb_st_case(d->r, s->row, HSB_ST_FAIL,
                    "AES-%zu-GCM iv %zu, aad %zu, %zu bytes: %s (%s; seed %#llx)", c->kl * 8,
                    c->ivl, c->al, c->len, why, hsb_rc_name(rc), (unsigned long long)d->seed);
    else
        hsb_st_case(d->r, s->row, HSB_ST_PASS, NULL);
}

static void diff_gcm(dctx *d, unsigned count, size_t max_len)
{
    const hsb_gcm_class *gc = d->t->cls.gcm;
    sym_run s;
    if (sym_open(d, &s, "diff/gcm", gc->ctx_size, max_len + 1) == 0) {
        for (unsigned i = 0; i < count; i++) {
            gcm_case c = {.kl = pick_key(d, s.row, gc->key_sizes)};
            if (!c.kl) break;
            gcm_draw(d, max_len, &c, s.in);
            gcm_one(d, gc, &s, &c);
        }
    }
    sym_close(&s);
}

/* ---------------------------------------------------------- SHA-256, HMAC */

/* Lengths around the 64-byte block and the 56-byte length boundary. */
static size_t sym_len(dctx *d, unsigned i, size_t max_len)
{
    static const size_t edge[] = {0, 1, 55, 56, 57, 63, 64, 65, 111, 119, 120, 127, 128, 129};
    if (i < sizeof edge / sizeof edge[0]) return edge[i] <= max_len ? edge[i] : max_len;
    return below(&d->g, max_len + 1);
}

static void diff_sha256(dctx *d, unsigned count, size_t max_len)
{
    const hsb_sha256_class *s = d->t->cls.sha256;
    hsb_st_result *row = hsb_st_row(d->r, d->t, "diff/sha256");
    void *c1 = hsb_ctx_alloc(s->ctx_size), *c2 = hsb_ctx_alloc(s->ctx_size);
    uint8_t *msg = malloc(max_len + 1);
    if (!row || !c1 || !c2 || !msg) {
        d->r->errors++;
        goto done;
    }
    for (unsigned i = 0; i < count; i++) {
        size_t len = sym_len(d, i, max_len);
        fill(&d->g, msg, len);
        uint8_t ref[32], o1[32], o2[32];
        hsb_st_sha256(msg, len, ref);
        hsb_rc rc = s->init(c1), rc2 = s->init(c2);
        if (rc || rc2) {
            hsb_st_case(d->r, row, HSB_ST_FAIL, "init gave %s", hsb_rc_name(rc ? rc : rc2));
            if (!rc) s->clear(c1);
            if (!rc2) s->clear(c2);
            continue;
        }
        /* Random pieces; at the first cut, copy the state into c2. */
        size_t cut = below(&d->g, len + 1), off = 0;
        s->update(c1, msg, cut);
        rc = s->copy(c2, c1);
        off = cut;
        while (off < len) {
            size_t k = 1 + below(&d->g, len - off);
            s->update(c1, msg + off, k);
            s->update(c2, msg + off, k);
            off += k;
        }
        s->final(c1, o1);
        s->final(c2, o2);
        s->clear(c1);
        s->clear(c2);
        if (rc || memcmp(o1, ref, 32) != 0 || memcmp(o2, ref, 32) != 0)
            hsb_st_case(d->r, row, HSB_ST_FAIL, "%zu bytes (copy at %zu): %s (seed %#llx)", len,
                        cut, rc ? hsb_rc_name(rc) : "digest differs from EVP",
                        (unsigned long long)d->seed);
        else
            hsb_st_case(d->r, row, HSB_ST_PASS, NULL);
    }
done:
    hsb_ctx_free(c1, s->ctx_size);
    hsb_ctx_free(c2, s->ctx_size);
    free(msg);
}

static void diff_hmac(dctx *d, unsigned count, size_t max_len)
{
    const hsb_hmac_sha256_class *h = d->t->cls.hmac;
    hsb_st_result *row = hsb_st_row(d->r, d->t, "diff/hmac");
    void *ctx = hsb_ctx_alloc(h->ctx_size);
    uint8_t *msg = malloc(max_len + 1);
    if (!row || !ctx || !msg) {
        d->r->errors++;
        goto done;
    }
    static const size_t key_edge[] = {0, 1, 32, 63, 64, 65, 128, 131};
    for (unsigned i = 0; i < count; i++) {
        uint8_t key[200], tag[32], ref[32];
        size_t kl = i < 8 ? key_edge[i] : below(&d->g, sizeof key + 1);
        fill(&d->g, key, kl);
        hsb_rc rc = h->init(ctx, key, kl);
        if (rc) {
            hsb_st_case(d->r, row, HSB_ST_FAIL, "init with a %zu-byte key gave %s", kl,
                        hsb_rc_name(rc));
            continue;
        }
        const char *why = NULL;
        /* Two messages under one init: final resets to the keyed state. */
        for (int rep = 0; rep < 2 && !why; rep++) {
            size_t len = sym_len(d, rep ? (unsigned)below(&d->g, 1000) + 14 : i, max_len);
            fill(&d->g, msg, len);
            size_t cut = below(&d->g, len + 1);
            h->update(ctx, msg, cut);
            h->update(ctx, msg + cut, len - cut);
            h->final(ctx, tag);
            unsigned int rl = 32;
            if (!HMAC(EVP_sha256(), key, (int)kl, msg, len, ref, &rl)) {
                d->r->errors++;
                why = "libcrypto HMAC failed";
            } else if (memcmp(tag, ref, 32) != 0) {
                why = rep ? "second message under one key differs" : "tag differs from HMAC()";
            }
        }
        h->clear(ctx);
        if (why)
            hsb_st_case(d->r, row, HSB_ST_FAIL, "%zu-byte key: %s (seed %#llx)", kl, why,
                        (unsigned long long)d->seed);
        else
            hsb_st_case(d->r, row, HSB_ST_PASS, NULL);
    }
done:
    hsb_ctx_free(ctx, h->ctx_size);
    free(msg);
}

/* ------------------------------------------------------------------ driver */

void hsb_st_diff(hsb_st_run *r, const hsb_st_target *t, const hsb_st_diff_plan *plan,
                 int include_reference)
{
    dctx d = {.r = r, .t = t};
    d.seed = diff_seed();
    d.g.s = d.seed;
    hsb_st_note(r, "  [%s] differential seed %#llx", t->label, (unsigned long long)d.seed);

    for (int i = 0; i < HSB_ST_DIFF_SIZES; i++) {
        char nm[48];
        snprintf(nm, sizeof nm, "diff/modexp-%u", diff_bits[i]);
        if (plan->modexp[i] && runs(&d, HSB_CLASS_MODEXP, include_reference, nm))
            diff_modexp(&d, diff_bits[i], plan->modexp[i]);
    }
    for (int i = 0; i < HSB_ST_DIFF_SIZES; i++) {
        char nm[48];
        snprintf(nm, sizeof nm, "diff/rsa-%u", diff_bits[i]);
        if (!plan->rsa_keys[i]) continue;
        int p = runs(&d, HSB_CLASS_RSA_PRIV, 0, nm);
        int u = runs(&d, HSB_CLASS_RSA_PUB, 0, nm);
        if (include_reference) {
            p = d.t->cls.rsa_priv != NULL;
            u = d.t->cls.rsa_pub != NULL;
            if (!p && !u) hsb_st_unavailable(hsb_st_row(r, t, nm), "rsa-priv or rsa-pub");
        }
        if (p || u) diff_rsa(&d, diff_bits[i], plan->rsa_keys[i], plan->rsa_ops[i], p, u);
    }
    for (int i = 0; i < HSB_ST_DIFF_SIZES; i++) {
        char nm[48];
        snprintf(nm, sizeof nm, "diff/dh-%u", diff_bits[i]);
        if (plan->dh[i] && diff_bits[i] >= 2048 && runs(&d, HSB_CLASS_DH, include_reference, nm))
            diff_dh(&d, diff_bits[i], plan->dh[i]);
    }
    if (!plan->sym) return;
    size_t ml = plan->sym_max_len ? plan->sym_max_len : 1024;
    if (runs(&d, HSB_CLASS_AES, include_reference, "diff/aes")) diff_aes(&d, plan->sym, ml);
    if (runs(&d, HSB_CLASS_GCM, include_reference, "diff/gcm")) diff_gcm(&d, plan->sym, ml);
    if (runs(&d, HSB_CLASS_SHA256, include_reference, "diff/sha256"))
        diff_sha256(&d, plan->sym, ml);
    if (runs(&d, HSB_CLASS_HMAC_SHA256, include_reference, "diff/hmac"))
        diff_hmac(&d, plan->sym, ml);
}
