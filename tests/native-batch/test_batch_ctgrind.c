/*
 * test_native_batch_ctgrind - constant time per lane of the native batch
 * layer (native_rsa_batch.c, native_rsa_mb.c, native_dh_batch.c,
 * native_modexp_batch.c) under valgrind, tests/ctgrind's technique: the RSA
 * keys' secret fields are marked undefined before init (so the batch key
 * the context prepares is secret too), the DH private exponents come from an
 * RNG whose output is undefined; memcheck reports any branch or address that
 * depends on them. valgrind has no AVX-512, so the lanes run on the
 * sequential engine (the 8-lane kernel itself: native-mb-ctgrind); this
 * checks the layer around it: range checks, grouping into passes, Garner
 * and the fault check per lane, x drawn per lane, the check verdicts.
 *
 * Run natively it writes two RSA-2048 keys to a temporary file and re-runs
 * itself under valgrind. Exit: 0 clean; 1 valgrind errors or a wrong result;
 * 77 skipped (no valgrind, or a sanitizer build).
 *
 *   --control   a variable-time exponentiation (hsb_nm_pow_public) on a
 *               batch key's secret dp through the same harness: valgrind
 *               must catch it (ctest: WILL_FAIL).
 */
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_ctgrind.h"
#include "hsb_ctgrind_key.h"
#include "hsb_dh_groups.h"
#include "native_batch.h"

static int failures;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            printf("FAIL: ");                                                                      \
            printf(__VA_ARGS__);                                                                   \
            putchar('\n');                                                                         \
        }                                                                                          \
    } while (0)

/* ------------------------------------------------------------------ keys */

typedef struct key_bytes {
    hsb_ctgrind_key b;
    hsb_rsa_key k;
} key_bytes;

static int read_key(FILE *f, key_bytes *kb)
{
    uint8_t(*v)[512] = kb->b.v;
    const size_t *l = kb->b.len;
    if (hsb_ctgrind_key_read(f, &kb->b) != 0) return -1;
    kb->k = (hsb_rsa_key){v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
                          l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7]};
    /* Secret: d, p, q, dp, dq, qinv (their lengths are public). */
    for (int i = 2; i < 8; i++) SECRET(v[i], l[i]);
    return 0;
}

/* ------------------------------------------------------------------- RSA */

/* Three jobs over two keys, one input >= n (refused alone); each result
 * checked by m^e == c with BN once it is public. */
static void check_rsa(const hsb_rsa_priv_class *cls, key_bytes *kb)
{
    const hsb_rsa_priv_batch_class *bc = hsb_native_rsa_priv_batch_get(cls);
    void *ctx[2];
    for (int k = 0; k < 2; k++) {
        ctx[k] = hsb_ctx_alloc(cls->ctx_size);
        hsb_rc rc = cls->init(ctx[k], &kb[k].k);
        PUBLIC(&rc, sizeof rc);
        CHECK(rc == HSB_OK && hsb_nm_rsa_priv_mb(ctx[k]), "%s: init", cls->name);
    }
    static uint8_t c[4][256], m[4][256];
    hsb_rsa_priv_job jobs[4];
    for (int i = 0; i < 4; i++) {
        for (size_t j = 0; j < 256; j++) c[i][j] = (uint8_t)(i * 31 + 17 * j + 3);
        c[i][0] = i == 2 ? 0xff : 0x11; /* job 2: >= n */
        jobs[i] = (hsb_rsa_priv_job){.ctx = ctx[i % 2], .out = m[i], .in = c[i], .len = 256};
    }
    bc->run(jobs, 4);
    for (int i = 0; i < 4; i++) {
        PUBLIC(&jobs[i].rc, sizeof jobs[i].rc);
        PUBLIC(m[i], 256);
        CHECK(jobs[i].rc == (i == 2 ? HSB_E_RANGE : HSB_OK), "%s job %d: rc %d", bc->name, i,
              jobs[i].rc);
        if (i == 2) continue;
        const key_bytes *k = &kb[i % 2];
        BIGNUM *bm = BN_bin2bn(m[i], 256, NULL), *be = BN_bin2bn(k->b.v[1], (int)k->b.len[1], NULL),
               *bn = BN_bin2bn(k->b.v[0], (int)k->b.len[0], NULL), *r = BN_new();
        BN_CTX *bx = BN_CTX_new();
        uint8_t back[256];
        BN_mod_exp(r, bm, be, bn, bx);
        BN_bn2binpad(r, back, 256);
        CHECK(memcmp(back, c[i], 256) == 0, "%s job %d: m^e != c", bc->name, i);
        BN_free(bm), BN_free(be), BN_free(bn), BN_free(r), BN_CTX_free(bx);
    }
    for (int k = 0; k < 2; k++) cls->clear(ctx[k]), hsb_ctx_free(ctx[k], cls->ctx_size);
    printf("  %s (secret keys, 2 keys, a bad lane): done\n", bc->name);
}

/* -------------------------------------------------------------------- DH */

static hsb_rc secret_fill(void *out, size_t len)
{
    if (RAND_bytes(out, (int)len) != 1) return HSB_E_CRYPTO;
    SECRET(out, len);
    return HSB_OK;
}
static const hsb_rng_class secret_rng = {.name = "secret", .fill = secret_fill};

/* Four lanes: keygen (secret x), then derive with the neighbour's public
 * value (lanes 0/1 and 2/3 must agree) beside a FULL check, one peer >= p. */
static void check_dh(const hsb_dh_class *cls)
{
    const hsb_dh_batch_class *bc = hsb_native_dh_batch_get(cls);
    const hsb_dh_group *g = hsb_dh_group_by_name("ffdhe2048");
    size_t L = g->p_len;
    void *ctx[5];
    static uint8_t pub[5][256], sh[5][256];
    hsb_dh_job jobs[5];
    for (int i = 0; i < 4; i++) {
        ctx[i] = hsb_ctx_alloc(cls->ctx_size);
        CHECK(cls->init(ctx[i], g) == HSB_OK, "dh init");
        jobs[i] =
            (hsb_dh_job){.ctx = ctx[i], .kind = HSB_DH_JOB_KEYGEN, .out = pub[i], .out_len = L};
    }
    bc->run(&secret_rng, jobs, 4);
    for (int i = 0; i < 4; i++) {
        PUBLIC(pub[i], L);
        PUBLIC(&jobs[i].rc, sizeof jobs[i].rc);
        CHECK(jobs[i].rc == HSB_OK, "%s keygen %d", bc->name, i);
        jobs[i] = (hsb_dh_job){.ctx = ctx[i],
                               .kind = HSB_DH_JOB_DERIVE,
                               .out = sh[i],
                               .out_len = L,
                               .in = i == 3 ? g->p : pub[i ^ 1],
                               .in_len = L};
    }
    jobs[4] = (hsb_dh_job){.ctx = ctx[0],
                           .kind = HSB_DH_JOB_CHECK,
                           .in = pub[1],
                           .in_len = L,
                           .policy = HSB_DH_CHECK_FULL};
    bc->run(&secret_rng, jobs, 5);
    for (int i = 0; i < 5; i++) {
        PUBLIC(&jobs[i].rc, sizeof jobs[i].rc);
        PUBLIC(sh[i], L);
        CHECK(jobs[i].rc == (i == 3 ? HSB_E_RANGE : HSB_OK), "%s job %d rc %d", bc->name, i,
              jobs[i].rc);
    }
    CHECK(memcmp(sh[0], sh[1], L) == 0, "%s: lanes 0 and 1 disagree", bc->name);
    for (int i = 0; i < 4; i++) cls->clear(ctx[i]), hsb_ctx_free(ctx[i], cls->ctx_size);
    printf("  %s (secret x, keygen, derive, FULL check, a bad lane): done\n", bc->name);
}

/* ------------------------------------------------------------------ main */

static int run_child(const char *keyfile, int control)
{
    FILE *f = fopen(keyfile, "r");
    static key_bytes kb[2];
    if (!f || read_key(f, &kb[0]) != 0 || read_key(f, &kb[1]) != 0) {
        fprintf(stderr, "cannot read the keys in %s\n", keyfile);
        return 1;
    }
    fclose(f);
    hsb_nm_path path = hsb_nm_best_path();
    const hsb_rsa_priv_class *rc = hsb_native_rsa_priv_class_unchecked(path);
    if (control) { /* variable time on a secret: must be reported */
        void *ctx = hsb_ctx_alloc(rc->ctx_size);
        rc->init(ctx, &kb[0].k);
        const hsb_nm_mb_rsa *mk = hsb_nm_rsa_priv_mb(ctx);
        uint64_t out[HSB_NM_MAX_LIMBS], base[HSB_NM_MAX_LIMBS] = {2};
        hsb_nm_pow_public(mk->mp.e64, &mk->mp.m, out, base, mk->dp, 8 * mk->k);
        printf("control ran: %d\n", (int)(out[0] & 1));
        return 0;
    }
    printf("path %s, 8-lane engine %s:\n", hsb_nm_path_name(path), hsb_nm_mb_engine_get()->name);
    check_rsa(rc, kb);
    check_dh(hsb_native_dh_class_unchecked(path));
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    int control = argc > 1 && strcmp(argv[1], "--control") == 0;
    const char *keyfile = argc > 2 ? argv[2] : "";
    if (RUNNING_ON_VALGRIND) return run_child(keyfile, control);
    int skip = hsb_ctgrind_unavailable();
    if (skip) return skip;
    char path[] = "/tmp/hsb-batch-ctgrind-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f || hsb_ctgrind_key_write(f, 2048) != 0 || hsb_ctgrind_key_write(f, 2048) != 0) {
        fprintf(stderr, "cannot write the test keys\n");
        return 1;
    }
    fclose(f);
    char *args[] = {(char *)(control ? "--control" : "--check"), path, NULL};
    int code = hsb_ctgrind_run(argv[0], args);
    unlink(path);
    return hsb_ctgrind_verdict("batch layer under ctgrind", control, code);
}
