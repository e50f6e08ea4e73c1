/*
 * hsbench handshake: full TLS 1.2 handshakes per second over an in-memory
 * pair, with our TLS core on each composition and with libssl as the
 * reference row ("libssl-reference", hsb_ref_libssl.h).
 *
 * Each worker runs a client and a server and steps them in turn, so a
 * handshake's cost is both sides' work; the thread CPU clock around each
 * side's steps splits it (client_cpu_share). Every handshake checks the
 * server's certificate (chain to the test CA, host name) and both Finished
 * messages; one that fails is counted in `errors` (the run exits 1 unless
 * --allow-errors). Every handshake's latency goes into a histogram.
 *
 * --breakdown wraps the composition's classes in timing wrappers
 * (hsb_breakdown.h) and reports where the handshake's cycles go.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_breakdown.h"
#include "hsb_dh_groups.h"
#include "hsb_ref_libssl.h"
#include "hsb_rowgroup.h"
#include "hsb_tls_pair.h"
#include "hsb_tsc.h"

typedef struct hs_job {
    int ref;
    const hsb_ossl_cfg *ossl;
    const hsb_pair_cfg *pair;
    unsigned inflight; /* > 1: a fleet of that many pairs (--inflight) */
} hs_job;

typedef struct hs_state {
    const hs_job *j;
    hsb_pair *pair;
    hsb_fleet *fleet;
} hs_state;

static hsb_rc hs_init(void *arg, unsigned tid, void **out)
{
    (void)tid;
    const hs_job *j = arg;
    hs_state *s = hsb_ctx_alloc(sizeof *s); /* zeroed, cache-line aligned */
    HSB_ENSURE(s, HSB_E_NOMEM);
    s->j = j;
    *out = s;
    if (!j->ref && j->inflight > 1) return hsb_fleet_new(j->pair, j->inflight, &s->fleet);
    if (!j->ref) HSB_GUARD(hsb_pair_new(j->pair, &s->pair));
    return HSB_OK;
}

static void hs_free(void *arg, void *sp)
{
    (void)arg;
    hs_state *s = sp;
    if (!s) return;
    hsb_pair_free(s->pair);
    hsb_fleet_free(s->fleet);
    hsb_ctx_free(s, sizeof *s);
}

static hsb_rc hs_op(void *sp, hsb_tstats *st)
{
    hs_state *s = sp;
    int64_t cpu[2] = {0, 0};
    /* The first failure of a repetition is described; later ones only counted. */
    char *err = st->soft_err[0] ? NULL : st->soft_err;
    size_t len = err ? sizeof st->soft_err : 0;
    hsb_rc rc;
    if (s->fleet) {
        /* one handshake of the fleet ends per op */
        int ok = 0;
        HSB_GUARD(
            hsb_fleet_next(s->fleet, &ok, cpu, &st->batch_jobs, &st->batch_flushes, err, len));
        rc = ok ? HSB_OK : HSB_E_PROTOCOL;
    } else {
        rc = s->j->ref ? hsb_ossl_handshake(s->j->ossl, cpu, 0, err, len)
                       : hsb_pair_handshake(s->pair, cpu, err, len);
    }
    st->client_cpu_ns += cpu[0];
    st->server_cpu_ns += cpu[1];
    if (rc != HSB_OK) {
        st->errors++; /* counted, and the next handshake goes on */
        if (err && !err[0]) snprintf(err, len, "%s", hsb_rc_name(rc));
    } else if (err) {
        err[0] = '\0';
    }
    return HSB_OK;
}

/* What a group's callbacks share: the variant, the reference's config, and
 * per composition its config (built once, shared by the workers, checked by
 * one handshake before any timing) or why it could not be built. */
typedef struct hs_group {
    const hsb_opts *o;
    const hsb_comp *comps;
    unsigned kx, bits;
    int gcm; /* the AES-128-GCM suite of kx (RFC 5288) instead of the CBC one */
    const hsb_dh_group *g;
    hsb_ossl_cfg *ossl;
    char ossl_err[256];
    hsb_pair_cfg *pcfg[HSB_MAX_SPECS];
    char perr[HSB_MAX_SPECS][256];
    hsb_provider wrapped; /* --breakdown: the composition being measured */
    hsb_pair_cfg *bd_cfg; /* its config */
    hs_job jobs[HSB_MAX_SPECS + 1];
} hs_group;

/* The variant's name and DH group: rsa-2048, dhe-2048 (ffdhe2048), or
 * dhe-2048-modp2048 when --dh-group names another group; the GCM suites
 * rsa-gcm-2048, dhe-gcm-2048. */
static void hs_name(hs_group *hg, char *variant, size_t len)
{
    const char *gcm = hg->gcm ? "gcm-" : "";
    if (hg->kx != HSB_KX_DHE) {
        hg->g = NULL;
        snprintf(variant, len, "rsa-%s%u", gcm, hg->bits);
        return;
    }
    char dflt[32];
    snprintf(dflt, sizeof dflt, "ffdhe%u", hg->bits);
    hg->g = hsb_dh_group_by_name(hg->o->n_dh_groups ? hg->o->dh_groups[0] : dflt);
    if (!hg->g) hg->g = hsb_dh_group_by_name("ffdhe2048");
    if (!strcmp(hg->g->name, dflt))
        snprintf(variant, len, "dhe-%s%u", gcm, hg->bits);
    else
        snprintf(variant, len, "dhe-%s%u-%s", gcm, hg->bits, hg->g->name);
}

/* libssl's config for the reference rows, checked by one handshake. */
static void hs_reference(hs_group *hg)
{
    const char *gname = hg->g ? hg->g->name : NULL;
    hg->ossl = NULL;
    hg->ossl_err[0] = '\0';
    if (!hg->o->reference) return;
    if (hsb_ossl_cfg_new(hg->kx, hg->bits, gname, &hg->ossl, hg->ossl_err, sizeof hg->ossl_err) !=
        HSB_OK)
        return;
    /* The same extensions as our rows (the ratio compares like with like). */
    hsb_ossl_cfg_set_ext(hg->ossl, hg->o->etm != HSB_ETM_OFF, hg->o->ems);
    if ((hg->gcm && hsb_ossl_cfg_set_gcm(hg->ossl, hg->kx) != HSB_OK &&
         snprintf(hg->ossl_err, sizeof hg->ossl_err, "%s", hsb_last_error()) >= 0) ||
        hsb_ossl_handshake(hg->ossl, NULL, 1, hg->ossl_err, sizeof hg->ossl_err) != HSB_OK) {
        hsb_ossl_cfg_free(hg->ossl);
        hg->ossl = NULL;
    }
}

/* Composition c's config, kept when one handshake through it succeeds. */
static void hs_prepare(hs_group *hg, size_t c)
{
    char *err = hg->perr[c];
    size_t len = sizeof hg->perr[c];
    hsb_pair *pr = NULL;
    err[0] = '\0';
    if (hsb_pair_cfg_new(&hg->comps[c].p, hg->kx, hg->bits, hg->g, hg->o->dh_check, &hg->pcfg[c],
                         err, len) != HSB_OK)
        return;
    hsb_pair_cfg_set_ext(hg->pcfg[c], hg->o->etm != HSB_ETM_OFF, hg->o->ems);
    hsb_pair_cfg_set_async(hg->pcfg[c], hg->o->inflight > 1);
    if ((hg->gcm && hsb_pair_cfg_set_gcm(hg->pcfg[c]) != HSB_OK) ||
        hsb_pair_new(hg->pcfg[c], &pr) != HSB_OK)
        snprintf(err, len, "set-up: %s", hsb_last_error());
    else if (hsb_pair_handshake(pr, NULL, err, len) == HSB_OK &&
             hsb_pair_check(pr, err, len) == HSB_OK)
        err[0] = '\0';
    hsb_pair_free(pr);
    if (err[0]) {
        hsb_pair_cfg_free(hg->pcfg[c]);
        hg->pcfg[c] = NULL;
    }
}

/* --breakdown: the timing wrappers serve one composition at a time, so its
 * config is wrapped, built and checked right before its row (which runs
 * alone), and the previous one is freed first, through its own wrappers. */
static hsb_pair_cfg *hs_prepare_wrapped(hs_group *hg, size_t c)
{
    char *err = hg->perr[c];
    size_t len = sizeof hg->perr[c];
    hsb_pair *pr = NULL;
    hsb_pair_cfg *cfg = NULL;
    hsb_pair_cfg_free(hg->bd_cfg);
    hg->bd_cfg = NULL;
    err[0] = '\0';
    if (hsb_bd_wrap(&hg->comps[c].p, &hg->wrapped) != HSB_OK ||
        hsb_pair_cfg_new(&hg->wrapped, hg->kx, hg->bits, hg->g, hg->o->dh_check, &cfg, err, len) !=
            HSB_OK) {
        if (!err[0]) snprintf(err, len, "wrap failed");
        return NULL;
    }
    hsb_pair_cfg_set_ext(cfg, hg->o->etm != HSB_ETM_OFF, hg->o->ems);
    hsb_pair_cfg_set_async(cfg, hg->o->inflight > 1);
    if ((hg->gcm && hsb_pair_cfg_set_gcm(cfg) != HSB_OK) || hsb_pair_new(cfg, &pr) != HSB_OK ||
        hsb_pair_handshake(pr, NULL, err, len) != HSB_OK ||
        hsb_pair_check(pr, err, len) != HSB_OK) {
        if (!err[0]) snprintf(err, len, "%s", hsb_last_error());
        hsb_pair_cfg_free(cfg);
        cfg = NULL;
    }
    hsb_pair_free(pr);
    return hg->bd_cfg = cfg;
}

static hsb_rc hs_row(void *ctx, int comp, size_t slot, hsb_work *w, char *err, size_t len)
{
    hs_group *hg = ctx;
    hs_job *j = &hg->jobs[slot];
    if (comp < 0) {
        snprintf(err, len, "%s", hg->ossl_err);
        HSB_ENSURE(hg->ossl, HSB_E_CRYPTO);
        *j = (hs_job){1, hg->ossl, NULL, 1};
        *w = (hsb_work){hs_init, hs_op, hs_free, j, 1, 0};
        return HSB_OK;
    }
    hsb_pair_cfg *cfg = hg->o->breakdown ? hs_prepare_wrapped(hg, (size_t)comp) : hg->pcfg[comp];
    snprintf(err, len, "%.200s", hg->perr[comp]);
    HSB_ENSURE(cfg, HSB_E_CRYPTO);
    *j = (hs_job){0, NULL, cfg, hg->o->inflight};
    /* With K in flight an op's time is not one handshake's latency. */
    *w = (hsb_work){hs_init, hs_op, hs_free, j, hg->o->inflight <= 1, hg->o->breakdown};
    return HSB_OK;
}

/* One key exchange at one key size, at every thread count. */
static hsb_rc hs_variant(hsb_report *r, hs_group *hg, size_t nc)
{
    char variant[64];
    hs_name(hg, variant, sizeof variant);
    hg->ossl = NULL;
    if (!r->planning) { /* planning only counts the rows: no configs */
        if (r->tty && !r->quiet)
            fprintf(stderr, "\r\033[Kpreparing %s (test certificates) ...", variant);
        hs_reference(hg);
        for (size_t c = 0; c < nc && !hg->o->breakdown; c++) hs_prepare(hg, c);
    }
    hsb_group grp = {
        .suite = "handshake",
        .variant = variant,
        .bits = hg->bits,
        .dh_group = hg->g ? hg->g->name : NULL,
        /* libssl checks the peer's DH value its own way: no dh_check
         * field on its rows, only on ours. */
        .dh_check = hg->g ? (int)hg->o->dh_check : -1,
        .inflight = hg->o->inflight,
        .batch_class = hg->kx == HSB_KX_DHE ? HSB_CLASS_DH : HSB_CLASS_RSA_PRIV,
        .ref_backend = "libssl-reference",
        .ref_impl_key = "tls",
        .ref_impl_val = hsb_ossl_impl(),
        .row_impl_key = "tls",
        .row_impl_val = hsb_pair_impl(),
        .impls = (1u << HSB_CLASS_COUNT) - 1,
        .whole = 1,
        .alone = hg->o->breakdown,
        .row = hs_row,
        .ctx = hg,
    };
    hsb_rc rc = hsb_group_run(r, hg->o, hg->comps, nc, &grp);
    for (size_t c = 0; c < nc; c++) {
        hsb_pair_cfg_free(hg->pcfg[c]);
        hg->pcfg[c] = NULL;
    }
    hsb_pair_cfg_free(hg->bd_cfg);
    hg->bd_cfg = NULL;
    hsb_ossl_cfg_free(hg->ossl);
    return rc;
}

hsb_rc hsb_suite_handshake(hsb_report *r, const hsb_opts *o)
{
    hsb_comp comps[HSB_MAX_SPECS];
    unsigned want = HSB_CLASS_BIT(HSB_CLASS_RSA_PRIV) | HSB_CLASS_BIT(HSB_CLASS_RSA_PUB) |
                    HSB_CLASS_BIT(HSB_CLASS_DH);
    size_t nc;
    HSB_GUARD(hsb_suite_compositions(o, want, comps, HSB_MAX_SPECS, &nc));
    hs_group *hg = calloc(1, sizeof *hg);
    HSB_ENSURE(hg, HSB_E_NOMEM);
    hg->o = o;
    hg->comps = comps;
    static const unsigned kxs[] = {HSB_KX_RSA, HSB_KX_DHE};
    hsb_rc rc = HSB_OK;
    for (int gcm = 0; gcm < 2; gcm++) {
        if (!(o->ciphers & (gcm ? HSB_CIPH_GCM : HSB_CIPH_CBC))) continue;
        for (size_t k = 0; k < 2 && rc == HSB_OK; k++)
            for (size_t b = 0; b < o->n_bits && rc == HSB_OK && (o->kx & kxs[k]); b++) {
                hg->kx = kxs[k];
                hg->bits = o->bits[b];
                hg->gcm = gcm;
                rc = hs_variant(r, hg, nc);
            }
    }
    free(hg);
    return rc;
}
