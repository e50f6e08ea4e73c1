/* Unit test of the batch dispatch (core/provider_batch.c) over fake classes:
 * chunking by lanes, one rc per job with a bad job failing alone, the loop
 * over the single op where the backend has no batch class, the rule that a
 * batch class pairs only with its own single class, and the describe line. */
#include <stdio.h>
#include <string.h>

#include "hsb_provider.h"
#include "hsb_test.h"

/* Fake single op: out = in + 1 (bytewise), in[0] == 0xff is "out of range". */
static hsb_rc fake_op(void *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
    (void)ctx;
    if (len == 0) return HSB_E_USAGE;
    if (in[0] == 0xff) return HSB_E_RANGE;
    for (size_t i = 0; i < len; i++) out[i] = (uint8_t)(in[i] + 1);
    return HSB_OK;
}

static const hsb_rsa_priv_class rsa_a = {.name = "a-rsa", .op = fake_op};
static const hsb_rsa_priv_class rsa_b = {.name = "b-rsa", .op = fake_op};

static size_t chunks[16], n_chunks;
/* Fake batch: the same op per lane, plus a record of the chunk sizes. */
static hsb_rc fake_run(hsb_rsa_priv_job *jobs, size_t n)
{
    if (n_chunks < 16) chunks[n_chunks++] = n;
    hsb_rc first = HSB_OK;
    for (size_t i = 0; i < n; i++) {
        jobs[i].rc = fake_op(jobs[i].ctx, jobs[i].out, jobs[i].in, jobs[i].len);
        if (first == HSB_OK) first = jobs[i].rc;
    }
    return first;
}
static const hsb_rsa_priv_batch_class batch_a = {
    .name = "a-rsa-mb3", .lanes = 3, .single = &rsa_a, .run = fake_run};
/* Names a single class its backend does not serve: must never be paired. */
static const hsb_rsa_priv_batch_class batch_stray = {
    .name = "stray-mb3", .lanes = 3, .single = &rsa_a, .run = fake_run};

static hsb_rc fake_modexp(uint8_t *out, const uint8_t *b, size_t bl, const uint8_t *e, size_t el,
                          const uint8_t *m, size_t ml)
{
    (void)e, (void)el;
    if (bl != ml || b[0] >= m[0]) return HSB_E_RANGE;
    memcpy(out, b, ml);
    return HSB_OK;
}
static const hsb_modexp_class mx_a = {.name = "a-modexp", .modexp = fake_modexp};

static const hsb_backend ba = {.name = "ref", .rsa_priv = &rsa_b, .modexp = &mx_a};
static const hsb_backend bb = {.name = "bee", .rsa_priv = &rsa_a, .rsa_priv_batch = &batch_a};
static const hsb_backend bs = {.name = "sea", .rsa_priv = &rsa_b, .rsa_priv_batch = &batch_stray};
static const hsb_backend *const list[] = {&ba, &bb, &bs};

static void run_jobs(const hsb_provider *p, size_t n, size_t bad)
{
    uint8_t in[8][4], out[8][4];
    hsb_rsa_priv_job jobs[8];
    for (size_t i = 0; i < n; i++) {
        memset(in[i], (int)(i * 16), 4);
        memset(out[i], 0xee, 4);
        if (i == bad) in[i][0] = 0xff;
        jobs[i] = (hsb_rsa_priv_job){.out = out[i], .in = in[i], .len = 4, .rc = HSB_E_INTERNAL};
    }
    hsb_rc rc = hsb_rsa_priv_batch(p, jobs, n);
    CHECK(rc == (bad < n ? HSB_E_RANGE : HSB_OK));
    for (size_t i = 0; i < n; i++) {
        if (i == bad) {
            CHECK(jobs[i].rc == HSB_E_RANGE);
            continue;
        }
        CHECKF(jobs[i].rc == HSB_OK && out[i][0] == (uint8_t)(i * 16 + 1) && out[i][3] == out[i][0],
               "job %zu of %zu (bad %zu)", i, n, bad);
    }
}

static void test_rsa(void)
{
    hsb_provider p;
    char err[256], line[128];
    /* bee has a batch class for its rsa-priv: 8 jobs run as 3 + 3 + 2. */
    CHECK(hsb_compose(list, 3, "bee", &p, err, sizeof err) == HSB_OK);
    CHECK(p.cls.rsa_priv_batch == &batch_a && hsb_batch_lanes(&p, HSB_CLASS_RSA_PRIV) == 3);
    n_chunks = 0;
    run_jobs(&p, 8, 99);
    CHECK(n_chunks == 3 && chunks[0] == 3 && chunks[1] == 3 && chunks[2] == 2);
    n_chunks = 0;
    run_jobs(&p, 5, 4); /* the bad job fails alone */
    CHECK(n_chunks == 2);
    n_chunks = 0;
    run_jobs(&p, 0, 99);
    CHECK(n_chunks == 0);
    hsb_batch_describe(&p, HSB_CLASS_RSA_PRIV, line, sizeof line);
    CHECKF(strcmp(line, "rsa-priv-batch: a-rsa-mb3 (3 lanes)") == 0, "%s", line);

    /* ref has none: the loop, said in the open. */
    CHECK(hsb_compose(list, 3, "ref", &p, err, sizeof err) == HSB_OK);
    CHECK(p.cls.rsa_priv_batch == NULL && hsb_batch_lanes(&p, HSB_CLASS_RSA_PRIV) == 1);
    n_chunks = 0;
    run_jobs(&p, 7, 2);
    CHECK(n_chunks == 0);
    hsb_batch_describe(&p, HSB_CLASS_RSA_PRIV, line, sizeof line);
    CHECKF(strcmp(line, "rsa-priv-batch: loop over ref's rsa-priv") == 0, "%s", line);

    /* sea's batch class names another single class: not paired, loop. */
    CHECK(hsb_compose(list, 3, "sea", &p, err, sizeof err) == HSB_OK);
    CHECK(p.cls.rsa_priv == &rsa_b && p.cls.rsa_priv_batch == NULL);
    n_chunks = 0;
    run_jobs(&p, 4, 0);
    CHECK(n_chunks == 0);

    /* rsa-priv from bee, everything else from ref: bee's batch follows. */
    CHECK(hsb_compose(list, 3, "ref,rsa-priv=bee", &p, err, sizeof err) == HSB_OK);
    CHECK(p.cls.rsa_priv_batch == &batch_a);
    /* And the other way round: no batch class without its single. */
    CHECK(hsb_compose(list, 3, "bee,rsa-priv=ref", &p, err, sizeof err) == HSB_OK);
    CHECK(p.cls.rsa_priv_batch == NULL);
}

static void test_modexp_dh(void)
{
    hsb_provider p;
    char err[256], line[128];
    CHECK(hsb_compose(list, 3, "ref", &p, err, sizeof err) == HSB_OK);
    uint8_t mod[3] = {9, 0, 1}, base[3][3] = {{1, 2, 3}, {9, 9, 9}, {8, 0, 0}}, out[3][3];
    hsb_modexp_job jobs[3];
    for (size_t i = 0; i < 3; i++)
        jobs[i] = (hsb_modexp_job){.out = out[i],
                                   .base = base[i],
                                   .base_len = 3,
                                   .mod = mod,
                                   .mod_len = 3,
                                   .exp = mod,
                                   .exp_len = 1};
    CHECK(hsb_modexp_batch(&p, jobs, 3) == HSB_E_RANGE);
    CHECK(jobs[0].rc == HSB_OK && jobs[1].rc == HSB_E_RANGE && jobs[2].rc == HSB_OK);
    CHECK(memcmp(out[0], base[0], 3) == 0 && memcmp(out[2], base[2], 3) == 0);
    hsb_batch_describe(&p, HSB_CLASS_MODEXP, line, sizeof line);
    CHECKF(strcmp(line, "modexp-batch: loop over ref's modexp") == 0, "%s", line);

    /* No dh class anywhere: every job fails UNSUPPORTED, the line says none. */
    hsb_dh_job dj[2] = {{.kind = HSB_DH_JOB_CHECK}, {.kind = HSB_DH_JOB_DERIVE}};
    CHECK(hsb_dh_batch(&p, NULL, dj, 2) == HSB_E_UNSUPPORTED);
    CHECK(dj[0].rc == HSB_E_UNSUPPORTED && dj[1].rc == HSB_E_UNSUPPORTED);
    hsb_batch_describe(&p, HSB_CLASS_DH, line, sizeof line);
    CHECKF(strstr(line, "dh-batch: none") == line, "%s", line);
    CHECK(hsb_batch_lanes(&p, HSB_CLASS_AES) == 1);
}

int main(void)
{
    test_rsa();
    test_modexp_dh();
    return hsb_test_report("core_batch");
}
