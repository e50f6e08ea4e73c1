/*
 * test_native_batch - the native batch classes (rsa-priv, dh, modexp) through
 * the provider's batch dispatch, against OpenSSL's single classes:
 *   - RSA-2048/3072/4096 CRT: lanes with different keys and inputs, 11 jobs
 *     (a full batch and a partial one), in == out on one lane, one input >=
 *     n that fails alone, and a batch mixing two key sizes;
 *   - DH ffdhe2048/3072/4096: batch keygen and derive checked by deriving
 *     both ways with OpenSSL peers, FULL checks against OpenSSL's verdicts on
 *     valid and random Y, one peer >= p that fails alone;
 *   - modexp: the RSADP vectors of ../shared/vectors (SKIPPED loudly when
 *     absent) in batches, random lanes with different moduli per size, a
 *     base >= mod lane, mixed exponent lengths.
 *
 *   --expect ENGINE  the batch classes must run on ENGINE ("ifma" or "seq");
 *                    "ifma" on a CPU without AVX-512 IFMA exits 77, loudly.
 *   --vectors DIR    the shared vectors.
 *   --quick          fewer keys and jobs.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_dh_groups.h"
#include "hsb_test.h"
#include "native_batch.h"

static hsb_provider nat; /* "native": its batch classes, through the dispatch */
static const hsb_backend *ossl;
static int quick;

/* ---------------------------------------------------------------------- RSA */

#define RSA_JOBS 11
#define RSA_KEYS 4

typedef struct rsa_side {
    void *nctx[RSA_KEYS], *octx[RSA_KEYS];
    size_t n_len[RSA_KEYS];
    const uint8_t *n[RSA_KEYS];
} rsa_side;

static hsb_test_rsa_key keys2048[RSA_KEYS], keys3072[RSA_KEYS], keys4096[RSA_KEYS];

static int rsa_setup(rsa_side *s, hsb_test_rsa_key *keys, unsigned bits, size_t nk)
{
    for (size_t k = 0; k < nk; k++) {
        if (!hsb_test_rsa_keygen(&keys[k], bits)) return 0;
        s->nctx[k] = hsb_ctx_alloc(nat.cls.rsa_priv->ctx_size);
        s->octx[k] = hsb_ctx_alloc(ossl->rsa_priv->ctx_size);
        CHECK_RC(nat.cls.rsa_priv->init(s->nctx[k], &keys[k].k), HSB_OK);
        CHECK_RC(ossl->rsa_priv->init(s->octx[k], &keys[k].k), HSB_OK);
        s->n_len[k] = keys[k].k.n_len;
        s->n[k] = keys[k].k.n;
    }
    return 1;
}

static void rsa_teardown(rsa_side *s, size_t nk)
{
    for (size_t k = 0; k < nk; k++) {
        nat.cls.rsa_priv->clear(s->nctx[k]);
        ossl->rsa_priv->clear(s->octx[k]);
        hsb_ctx_free(s->nctx[k], nat.cls.rsa_priv->ctx_size);
        hsb_ctx_free(s->octx[k], ossl->rsa_priv->ctx_size);
    }
}

/* njobs jobs over keys[i % nk] (job i of side i % 2 when two sides are
 * given: a batch of mixed sizes); job `bad` gets in = n. */
static void rsa_round(rsa_side *const sides[2], size_t nk, size_t njobs, size_t bad,
                      const char *what)
{
    static uint8_t in[RSA_JOBS][512], out[RSA_JOBS][512], want[RSA_JOBS][512];
    hsb_rsa_priv_job jobs[RSA_JOBS];
    for (size_t i = 0; i < njobs; i++) {
        rsa_side *s = sides[sides[1] ? i % 2 : 0];
        size_t k = (i / 2) % nk, len = s->n_len[k];
        hsb_test_rand(in[i], len);
        in[i][0] &= 0x7f; /* the keys' n have the top bit set: in < n */
        if (i == bad) memcpy(in[i], s->n[k], len);
        memset(out[i], 0xa5, sizeof out[i]);
        CHECK_RC(ossl->rsa_priv->op(s->octx[k], want[i], in[i], len),
                 i == bad ? HSB_E_RANGE : HSB_OK);
        /* Lane 3 works in place. */
        jobs[i] = (hsb_rsa_priv_job){.ctx = s->nctx[k],
                                     .out = i == 3 ? in[i] : out[i],
                                     .in = in[i],
                                     .len = len,
                                     .rc = HSB_E_INTERNAL};
    }
    hsb_rc rc = hsb_rsa_priv_batch(&nat, jobs, njobs);
    CHECKF(rc == (bad < njobs ? HSB_E_RANGE : HSB_OK), "%s: batch rc %s", what, hsb_rc_name(rc));
    for (size_t i = 0; i < njobs; i++) {
        if (i == bad) {
            CHECKF(jobs[i].rc == HSB_E_RANGE && out[i][0] == 0xa5, "%s: bad job %zu", what, i);
            continue;
        }
        CHECKF(jobs[i].rc == HSB_OK && memcmp(jobs[i].out, want[i], jobs[i].len) == 0,
               "%s: job %zu of %zu differs from OpenSSL (rc %s)", what, i, njobs,
               hsb_rc_name(jobs[i].rc));
    }
}

static void test_rsa(void)
{
    static rsa_side s2, s3, s4;
    size_t nk2 = quick ? 3 : 4, nk3 = quick ? 2 : 3, nk4 = 2;
    if (!rsa_setup(&s2, keys2048, 2048, nk2) || !rsa_setup(&s3, keys3072, 3072, nk3) ||
        !rsa_setup(&s4, keys4096, 4096, nk4)) {
        CHECKF(0, "RSA keygen failed");
        return;
    }
    struct {
        rsa_side *s;
        size_t nk;
        const char *name;
    } sz[] = {{&s2, nk2, "RSA-2048"}, {&s3, nk3, "RSA-3072"}, {&s4, nk4, "RSA-4096"}};
    for (size_t z = 0; z < 3; z++) {
        rsa_side *one[2] = {sz[z].s, NULL};
        rsa_round(one, sz[z].nk, 8, 99, sz[z].name);       /* one full batch */
        rsa_round(one, sz[z].nk, RSA_JOBS, 5, sz[z].name); /* 8 + 3, a bad lane */
        rsa_round(one, sz[z].nk, 3, 0, sz[z].name);        /* partial, bad lane 0 */
    }
    rsa_side *mixed[2] = {&s2, &s3};
    rsa_round(mixed, 2, 8, 6, "RSA-2048+3072");
    printf("  rsa-priv batch: 2048/3072/4096 vs OpenSSL, partial, bad lane, mixed sizes\n");
    rsa_teardown(&s2, nk2);
    rsa_teardown(&s3, nk3);
    rsa_teardown(&s4, nk4);
}

/* ----------------------------------------------------------------------- DH */

#define DH_JOBS 8

static const hsb_rng_class *rng;

static void *dh_new(const hsb_dh_class *c, const hsb_dh_group *g)
{
    void *ctx = hsb_ctx_alloc(c->ctx_size);
    CHECK_RC(c->init(ctx, g), HSB_OK);
    return ctx;
}

static void dh_run(hsb_dh_job *jobs, size_t n, size_t bad, const char *what)
{
    hsb_rc rc = hsb_dh_batch(&nat, rng, jobs, n);
    CHECKF(rc == (bad < n ? HSB_E_RANGE : HSB_OK), "%s: batch rc %s", what, hsb_rc_name(rc));
    for (size_t i = 0; i < n; i++)
        CHECKF(jobs[i].rc == (i == bad ? HSB_E_RANGE : HSB_OK), "%s: job %zu rc %s", what, i,
               hsb_rc_name(jobs[i].rc));
}

static void test_dh_group(const hsb_dh_group *g)
{
    const hsb_dh_class *nc = nat.cls.dh, *oc = ossl->dh;
    size_t pl = g->p_len, n = quick ? 5 : DH_JOBS; /* quick: a partial batch */
    void *nx[DH_JOBS], *ox[DH_JOBS];
    static uint8_t npub[DH_JOBS][512], opub[DH_JOBS][512], ns[DH_JOBS][512], os[DH_JOBS][512];
    hsb_dh_job jobs[DH_JOBS];
    for (size_t i = 0; i < n; i++) {
        nx[i] = dh_new(nc, g), ox[i] = dh_new(oc, g);
        CHECK_RC(oc->keygen(ox[i], rng, opub[i], pl), HSB_OK);
        jobs[i] =
            (hsb_dh_job){.ctx = nx[i], .kind = HSB_DH_JOB_KEYGEN, .out = npub[i], .out_len = pl};
    }
    dh_run(jobs, n, 99, g->name);
    /* derive both ways; lane 2's peer is p itself (out of range) */
    for (size_t i = 0; i < n; i++)
        jobs[i] = (hsb_dh_job){.ctx = nx[i],
                               .kind = HSB_DH_JOB_DERIVE,
                               .out = ns[i],
                               .out_len = pl,
                               .in = i == 2 ? g->p : opub[i],
                               .in_len = pl};
    dh_run(jobs, n, 2, g->name);
    for (size_t i = 0; i < n; i++) {
        if (i == 2) continue;
        CHECK_RC(oc->derive(ox[i], os[i], pl, npub[i], pl), HSB_OK);
        CHECKF(memcmp(ns[i], os[i], pl) == 0, "%s: derive lane %zu differs from OpenSSL", g->name,
               i);
    }
    /* FULL checks: OpenSSL's pubs pass; random Y as OpenSSL judges them. */
    static uint8_t y[DH_JOBS][512];
    for (size_t i = 0; i < n; i++) {
        memcpy(y[i], opub[i], pl);
        if (i % 2) hsb_test_rand(y[i], pl), y[i][0] >>= 1;
        jobs[i] = (hsb_dh_job){.ctx = nx[i],
                               .kind = HSB_DH_JOB_CHECK,
                               .in = y[i],
                               .in_len = pl,
                               .policy = HSB_DH_CHECK_FULL};
    }
    (void)hsb_dh_batch(&nat, rng, jobs, n);
    int rejected = 0;
    for (size_t i = 0; i < n; i++) {
        hsb_rc want = oc->check(ox[i], y[i], pl, HSB_DH_CHECK_FULL);
        CHECKF(jobs[i].rc == want, "%s: check lane %zu: %s, OpenSSL %s", g->name, i,
               hsb_rc_name(jobs[i].rc), hsb_rc_name(want));
        rejected += want != HSB_OK;
    }
    printf("  dh batch %s: keygen/derive both ways, %zu FULL checks (%d rejected)\n", g->name, n,
           rejected);
    for (size_t i = 0; i < n; i++) {
        nc->clear(nx[i]), oc->clear(ox[i]);
        hsb_ctx_free(nx[i], nc->ctx_size), hsb_ctx_free(ox[i], oc->ctx_size);
    }
}

static void test_dh(void)
{
    const char *names[] = {"ffdhe2048", "ffdhe3072", "ffdhe4096"};
    for (size_t i = 0; i < 3; i++) {
        const hsb_dh_group *g = hsb_dh_group_by_name(names[i]);
        CHECKF(g != NULL, "group %s", names[i]);
        if (g) test_dh_group(g);
    }
}

/* ------------------------------------------------------------------- modexp */

static void test_modexp_vectors(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/derived/rsadp_sp800_56b_component.json", dir ? dir : ".");
    json_error_t jerr;
    json_t *root = dir ? json_load_file(path, 0, &jerr) : NULL;
    if (!root) {
        printf("  modexp batch vectors: *** SKIPPED: %s not readable ***\n", path);
        return;
    }
    json_t *vs = json_object_get(root, "vectors");
    size_t cnt = json_array_size(vs), runs = 0;
    static uint8_t nb[8][512], db[8][512], cb[8][512], kb[8][512], out[8][512];
    size_t kl[8];
    int pass[8];
    for (size_t at = 0; at < cnt; at += 8) {
        hsb_modexp_job jobs[8];
        size_t m = cnt - at < 8 ? cnt - at : 8;
        for (size_t i = 0; i < m; i++) {
            json_t *v = json_array_get(vs, at + i);
            const char *res = json_string_value(json_object_get(v, "result"));
            pass[i] = res && strcmp(res, "Pass") == 0;
            jobs[i] = (hsb_modexp_job){.out = out[i], .mod = nb[i], .base = cb[i], .exp = db[i]};
            jobs[i].mod_len = hsb_test_unhex(nb[i], json_string_value(json_object_get(v, "n")));
            jobs[i].exp_len = hsb_test_unhex(db[i], json_string_value(json_object_get(v, "d")));
            jobs[i].base_len = hsb_test_unhex(cb[i], json_string_value(json_object_get(v, "c")));
            kl[i] = pass[i] ? hsb_test_unhex(kb[i], json_string_value(json_object_get(v, "k"))) : 0;
        }
        (void)hsb_modexp_batch(&nat, jobs, m);
        for (size_t i = 0; i < m; i++, runs++) {
            size_t ml = jobs[i].mod_len;
            int ok = pass[i] ? jobs[i].rc == HSB_OK && kl[i] <= ml &&
                                   memcmp(out[i] + ml - kl[i], kb[i], kl[i]) == 0
                             : jobs[i].rc == HSB_E_RANGE;
            CHECKF(ok, "modexp batch: rsadp vector %zu (rc %s)", at + i, hsb_rc_name(jobs[i].rc));
        }
    }
    printf("  modexp batch vectors: %zu RSADP cases in batches of 8\n", runs);
    json_decref(root);
}

/* 8 lanes of mod_bytes-byte moduli (different per lane), lane `bad` with
 * base >= mod; exp_len per lane from elen (mixed lengths: several passes). */
static void modexp_round(size_t mod_bytes, const size_t elen[8], size_t n, size_t bad)
{
    static uint8_t mod[8][512], base[8][512], ex[8][512], out[8][512], want[8][512];
    hsb_modexp_job jobs[8];
    for (size_t i = 0; i < n; i++) {
        hsb_test_rand(mod[i], mod_bytes);
        mod[i][0] |= 0x80, mod[i][mod_bytes - 1] |= 1;
        if (i == 4) mod[i][0] = 0x01; /* a shorter modulus, same byte length */
        hsb_test_rand(base[i], mod_bytes);
        base[i][0] = i == bad ? 0xff : 0;
        if (i == bad) mod[i][0] = 0x80;
        hsb_test_rand(ex[i], elen[i]);
        jobs[i] = (hsb_modexp_job){.out = out[i],
                                   .mod = mod[i],
                                   .mod_len = mod_bytes,
                                   .base = base[i],
                                   .base_len = mod_bytes,
                                   .exp = ex[i],
                                   .exp_len = elen[i]};
        CHECK_RC(
            ossl->modexp->modexp(want[i], base[i], mod_bytes, ex[i], elen[i], mod[i], mod_bytes),
            i == bad ? HSB_E_RANGE : HSB_OK);
    }
    hsb_rc rc = hsb_modexp_batch(&nat, jobs, n);
    CHECKF(rc == (bad < n ? HSB_E_RANGE : HSB_OK), "modexp %zu: rc %s", mod_bytes, hsb_rc_name(rc));
    for (size_t i = 0; i < n; i++)
        CHECKF(i == bad ? jobs[i].rc == HSB_E_RANGE
                        : jobs[i].rc == HSB_OK && memcmp(out[i], want[i], mod_bytes) == 0,
               "modexp %zu-byte lane %zu of %zu (rc %s)", mod_bytes, i, n, hsb_rc_name(jobs[i].rc));
}

static void test_modexp(const char *dir)
{
    test_modexp_vectors(dir);
    const size_t sizes[] = {128, 192, 256, 384, 512};
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        size_t m = sizes[z], same[8], mixed[8];
        for (size_t i = 0; i < 8; i++) same[i] = m, mixed[i] = i % 3 ? m : 32;
        modexp_round(m, same, 8, 99);
        modexp_round(m, mixed, 8, 3);
        modexp_round(m, same, 2, 1); /* partial */
    }
    printf("  modexp batch: 1024..4096-bit lanes vs OpenSSL, mixed exponents, bad lane\n");
}

/* ---------------------------------------------------------------------- main */

static int engine_is(const char *expect)
{
    char line[128];
    const hsb_rsa_priv_batch_class *b = nat.cls.rsa_priv_batch;
    hsb_batch_describe(&nat, HSB_CLASS_RSA_PRIV, line, sizeof line);
    printf("  %s\n", line);
    hsb_batch_describe(&nat, HSB_CLASS_DH, line, sizeof line);
    printf("  %s\n", line);
    hsb_batch_describe(&nat, HSB_CLASS_MODEXP, line, sizeof line);
    printf("  %s\n", line);
    size_t bl = b ? strlen(b->name) : 0, el = strlen(expect);
    return b && nat.cls.dh_batch && nat.cls.modexp_batch && bl > el &&
           strcmp(b->name + bl - el, expect) == 0 && hsb_batch_lanes(&nat, HSB_CLASS_DH) == 8;
}

int main(int argc, char **argv)
{
    const char *expect = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc)
            expect = argv[++i];
        else if (strcmp(argv[i], "--vectors") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
    }
    size_t nb;
    const hsb_backend *const *bs = hsb_backends(&nb);
    char err[256];
    if (hsb_compose(bs, nb, "native", &nat, err, sizeof err) != HSB_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    ossl = hsb_openssl_backend();
    rng = ossl->rng;
    if (expect && strcmp(expect, "ifma") == 0 && !hsb_cpu()->avx512ifma) {
        printf("SKIP: *** this CPU has no AVX-512 IFMA: the batch classes on the 8-lane kernel "
               "are NOT tested here (the sequential fallback is, in native-batch-portable) ***\n");
        return 77;
    }
    if (expect) CHECKF(engine_is(expect), "the batch classes do not run on %s", expect);
    if (expect && strcmp(expect, "ifma") == 0) {
        /* The kernel takes 1024/1536/2048-bit lanes (RSA-2048..4096 halves,
         * ffdhe2048): those must not be handed to the single op. */
        uint64_t N[32];
        for (size_t n = 16; n <= 32; n += 8) {
            memset(N, 0xff, sizeof N);
            CHECKF(hsb_nm_mb_lane_ok(hsb_nm_mb_mod_cached(N, n)), "%zu-limb lanes not batched", n);
        }
    }
    test_modexp(dir);
    test_rsa();
    test_dh();
    return hsb_test_report("native_batch");
}
