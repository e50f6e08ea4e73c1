/* test_selftest_mutants: the runner must catch broken implementations.
 * Each mutant is openssl's backend with one class replaced by a wrapper that
 * breaks one rule of the contract; running the built-in answers (and the
 * differential check) on it must report failures in that class's rows and
 * nowhere else. The unmodified backend must pass.
 *
 *   test_selftest_mutants [VECTORS_DIR]   with the folder, also the
 *   Wycheproof GCM and HMAC files against the GCM and HMAC mutants. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hsb_backends.h"
#include "hsb_selftest.h"

static const hsb_backend *ref;

/* AES-CTR: one bit of the last byte flipped on longer inputs. */
static hsb_rc ctr_flip(const void *ctx, uint8_t ctr[16], uint8_t *out, const uint8_t *in,
                       size_t len)
{
    hsb_rc rc = ref->aes->ctr(ctx, ctr, out, in, len);
    if (rc == HSB_OK && len > 40) out[len - 1] ^= 1;
    return rc;
}

/* GCM open that never checks the tag: decrypts by sealing (CTR is symmetric). */
static hsb_rc open_nocheck(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                           size_t aad_len, uint8_t *out, const uint8_t *in, size_t len,
                           const uint8_t tag[16])
{
    uint8_t t[16];
    (void)tag;
    return ref->gcm->seal(ctx, iv, iv_len, aad, aad_len, out, in, len, t);
}

/* RSA private op that reports in >= n as a crypto fault, not a range error. */
static hsb_rc priv_badcode(void *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
    hsb_rc rc = ref->rsa_priv->op(ctx, out, in, len);
    return rc == HSB_E_RANGE ? HSB_E_CRYPTO : rc;
}

/* modexp that takes an empty exponent as 1. */
static hsb_rc modexp_empty(uint8_t *out, const uint8_t *b, size_t bl, const uint8_t *e, size_t el,
                           const uint8_t *m, size_t ml)
{
    static const uint8_t one = 1;
    return el ? ref->modexp->modexp(out, b, bl, e, el, m, ml)
              : ref->modexp->modexp(out, b, bl, &one, 1, m, ml);
}

/* HMAC that cuts keys to the block size instead of hashing them. */
static hsb_rc hmac_cut(void *ctx, const uint8_t *key, size_t len)
{
    return ref->hmac->init(ctx, key, len > 64 ? 64 : len);
}

/* SHA-256 whose final does not return to the empty message. */
static void sha_noreset(void *ctx, uint8_t out[32])
{
    ref->sha256->final(ctx, out);
    ref->sha256->update(ctx, "", 1);
}

/* DH that takes any peer value. */
static hsb_rc dh_lax(void *ctx, const uint8_t *y, size_t len, hsb_dh_check policy)
{
    (void)ctx, (void)y, (void)len, (void)policy;
    return HSB_OK;
}

typedef struct mutant {
    const char *name;
    hsb_class_id cls;
    const char *row;         /* a row that must fail */
    const char *vector_file; /* under VECTORS_DIR, must fail too (NULL: none) */
} mutant;

static int check(const hsb_st_run *r, const mutant *m, const char *vdir)
{
    int ok = 1;
    unsigned long in_row = 0;
    for (size_t i = 0; i < r->n_res; i++) {
        const hsb_st_result *row = r->res[i];
        int own = (m->row && strcmp(row->file, m->row) == 0) ||
                  (m->vector_file && strstr(row->file, m->vector_file));
        if (own) in_row += row->failed;
        /* Other rows of the mutated class may fail too; rows of untouched
         * classes must not. */
        const char *cn = hsb_class_name(m->cls);
        int same_class = strstr(row->file, cn) != NULL ||
                         (m->cls == HSB_CLASS_RSA_PRIV && strstr(row->file, "rsa")) ||
                         (m->cls == HSB_CLASS_HMAC_SHA256 &&
                          (strstr(row->file, "hmac") || strstr(row->file, "prf")));
        if (!own && !same_class && row->failed) {
            printf("FAIL: mutant %s: untouched row %s failed %lu\n", m->name, row->file,
                   row->failed);
            ok = 0;
        }
    }
    if (m->name[0] == '-') {
        /* the control: nothing may fail */
        for (size_t i = 0; i < r->n_res; i++)
            if (r->res[i]->failed) {
                printf("FAIL: unmodified openssl failed in %s: %s\n", r->res[i]->file,
                       r->res[i]->fail[0]);
                ok = 0;
            }
        if (ok) printf("ok: unmodified openssl passes\n");
        return ok;
    }
    if (in_row == 0) {
        printf("FAIL: mutant %s: no failure in %s%s%s\n", m->name, m->row,
               vdir && m->vector_file ? " or " : "", vdir && m->vector_file ? m->vector_file : "");
        ok = 0;
    } else if (ok) {
        printf("ok: mutant %s caught (%lu failures in its rows)\n", m->name, in_row);
    }
    return ok;
}

int main(int argc, char **argv)
{
    const char *vdir = argc > 1 ? argv[1] : NULL;
    struct stat st;
    if (vdir && (stat(vdir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        printf("vectors folder %s absent: vector mutants skipped\n", vdir);
        vdir = NULL;
    }
    ref = hsb_backend_by_name("openssl");
    if (!ref || !ref->aes || !ref->gcm || !ref->rsa_priv || !ref->modexp || !ref->hmac ||
        !ref->sha256 || !ref->dh) {
        printf("openssl backend lacks a class these mutants wrap: skipped\n");
        return 77;
    }
    hsb_aes_class aes = *ref->aes;
    aes.ctr = ctr_flip;
    hsb_gcm_class gcm = *ref->gcm;
    gcm.open = open_nocheck;
    hsb_rsa_priv_class priv = *ref->rsa_priv;
    priv.op = priv_badcode;
    hsb_modexp_class mx = *ref->modexp;
    mx.modexp = modexp_empty;
    hsb_hmac_sha256_class hm = *ref->hmac;
    hm.init = hmac_cut;
    hsb_sha256_class sh = *ref->sha256;
    sh.final = sha_noreset;
    hsb_dh_class dh = *ref->dh;
    dh.check = dh_lax;

    const mutant ms[] = {
        {"-control", HSB_CLASS_COUNT, NULL, NULL},
        {"aes-ctr-bitflip", HSB_CLASS_AES, "builtin/aes", NULL},
        {"gcm-open-ignores-tag", HSB_CLASS_GCM, "builtin/gcm", "aes_gcm_test.json"},
        {"rsa-priv-wrong-code", HSB_CLASS_RSA_PRIV, "builtin/rsa", NULL},
        {"modexp-empty-exponent", HSB_CLASS_MODEXP, "builtin/modexp", NULL},
        {"hmac-cuts-long-keys", HSB_CLASS_HMAC_SHA256, "builtin/hmac", "hmac_sha256_test.json"},
        {"sha256-final-no-reset", HSB_CLASS_SHA256, "builtin/sha256", NULL},
        {"dh-accepts-any-peer", HSB_CLASS_DH, "builtin/dh", NULL},
    };
    int ok = 1;
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        hsb_st_target t;
        memset(&t, 0, sizeof t);
        snprintf(t.label, sizeof t.label, "%s", ms[i].name);
        t.cls = *ref;
        for (unsigned c = 0; c < HSB_CLASS_COUNT; c++)
            t.from[c] = hsb_backend_class(ref, (hsb_class_id)c) ? ref->name : NULL;
        switch (ms[i].cls) {
        case HSB_CLASS_AES:
            t.cls.aes = &aes;
            break;
        case HSB_CLASS_GCM:
            t.cls.gcm = &gcm;
            break;
        case HSB_CLASS_RSA_PRIV:
            t.cls.rsa_priv = &priv;
            break;
        case HSB_CLASS_MODEXP:
            t.cls.modexp = &mx;
            break;
        case HSB_CLASS_HMAC_SHA256:
            t.cls.hmac = &hm;
            break;
        case HSB_CLASS_SHA256:
            t.cls.sha256 = &sh;
            break;
        case HSB_CLASS_DH:
            t.cls.dh = &dh;
            break;
        default:
            break;
        }
        if (ms[i].cls < HSB_CLASS_COUNT) t.from[ms[i].cls] = "mutant"; /* diff runs it */
        hsb_st_run r;
        hsb_st_init(&r, &t, 1);
        r.quick = 1;
        hsb_st_builtin(&r, 1);
        if (vdir && ms[i].vector_file) {
            char path[4096];
            snprintf(path, sizeof path, "%s/wycheproof/%s", vdir, ms[i].vector_file);
            int recognised = 0;
            if (hsb_st_file(&r, path, ms[i].vector_file, &recognised) != HSB_OK || !recognised) {
                printf("FAIL: %s not run\n", path);
                ok = 0;
            }
        }
        ok &= check(&r, &ms[i], vdir);
        hsb_st_free(&r);
    }
    hsb_st_rsa_cache_free();
    printf("%s\n", ok ? "mutants: OK" : "mutants: FAILED");
    return ok ? 0 : 1;
}
