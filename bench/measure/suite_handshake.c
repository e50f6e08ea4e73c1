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
#include "hsb_suite.h"
#include "hsb_tls_pair.h"
#include "hsb_tsc.h"

typedef struct hs_job {
    int ref;
    const hsb_ossl_cfg *ossl;
    const hsb_pair_cfg *pair;
} hs_job;

typedef struct hs_state {
    const hs_job *j;
    hsb_pair *pair;
} hs_state;

static hsb_rc hs_init(void *arg, unsigned tid, void **out)
{
    (void)tid;
    const hs_job *j = arg;
    hs_state *s = aligned_alloc(64, (sizeof(hs_state) + 63) / 64 * 64);
    HSB_ENSURE(s, HSB_E_NOMEM);
    memset(s, 0, sizeof *s);
    s->j = j;
    *out = s;
    if (!j->ref) HSB_GUARD(hsb_pair_new(j->pair, &s->pair));
    return HSB_OK;
}

static void hs_free(void *arg, void *sp)
{
    (void)arg;
    hs_state *s = sp;
    if (!s) return;
    hsb_pair_free(s->pair);
    free(s);
}

static hsb_rc hs_op(void *sp, hsb_tstats *st)
{
    hs_state *s = sp;
    int64_t cpu[2] = {0, 0};
    /* The first failure of a repetition is described; later ones only counted. */
    char *err = st->soft_err[0] ? NULL : st->soft_err;
    size_t len = err ? sizeof st->soft_err : 0;
    hsb_rc rc = s->j->ref ? hsb_ossl_handshake(s->j->ossl, cpu, 0, err, len)
                          : hsb_pair_handshake(s->pair, cpu, err, len);
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

int hsb_suite_handshake(hsb_report *r, const hsb_opts *o)
{
    hsb_comp comps[HSB_MAX_SPECS];
    unsigned want = HSB_CLASS_BIT(HSB_CLASS_RSA_PRIV) | HSB_CLASS_BIT(HSB_CLASS_RSA_PUB) |
                    HSB_CLASS_BIT(HSB_CLASS_DH);
    int nc = hsb_suite_compositions(o, want, comps, HSB_MAX_SPECS);
    if (nc < 0) return 2;

    static const unsigned kxs[] = {HSB_KX_RSA, HSB_KX_DHE};
    for (size_t k = 0; k < 2; k++) {
        unsigned kx = kxs[k];
        if (!(o->kx & kx)) continue;
        for (size_t b = 0; b < o->n_bits; b++) {
            unsigned bits = o->bits[b];
            const hsb_dh_group *g = NULL;
            char variant[64];
            if (kx == HSB_KX_DHE) {
                char dflt[32];
                snprintf(dflt, sizeof dflt, "ffdhe%u", bits);
                g = hsb_dh_group_by_name(o->n_dh_groups ? o->dh_groups[0] : dflt);
                if (!g) g = hsb_dh_group_by_name("ffdhe2048");
                if (!strcmp(g->name, dflt))
                    snprintf(variant, sizeof variant, "dhe-%u", bits);
                else
                    snprintf(variant, sizeof variant, "dhe-%u-%s", bits, g->name);
            } else {
                snprintf(variant, sizeof variant, "rsa-%u", bits);
            }
            if (r->tty && !r->quiet)
                fprintf(stderr, "\r\033[Kpreparing %s (test certificates) ...", variant);
            hsb_ossl_cfg *ossl = NULL;
            char ossl_err[256] = "";
            if (o->reference &&
                hsb_ossl_cfg_new(kx, bits, g ? g->name : NULL, &ossl, ossl_err, sizeof ossl_err) ==
                    HSB_OK &&
                hsb_ossl_handshake(ossl, NULL, 1, ossl_err, sizeof ossl_err) != HSB_OK) {
                hsb_ossl_cfg_free(ossl);
                ossl = NULL;
            }
            /* Per composition: the configs (built once, shared by the
             * workers), checked by one handshake before any timing. */
            hsb_pair_cfg *pcfg[HSB_MAX_SPECS] = {0};
            hsb_provider wrapped[HSB_MAX_SPECS];
            char perr[HSB_MAX_SPECS][256];
            for (int c = 0; c < nc && c < HSB_MAX_SPECS; c++) {
                perr[c][0] = '\0';
                const hsb_provider *p = &comps[c].p;
                /* --breakdown: one wrapped composition at a time, so the
                 * configs are built right before each row instead. */
                if (o->breakdown) continue;
                hsb_pair *pr = NULL;
                if (hsb_pair_cfg_new(p, kx, bits, g, o->dh_check, &pcfg[c], perr[c],
                                     sizeof perr[c]) != HSB_OK)
                    continue;
                if (hsb_pair_new(pcfg[c], &pr) != HSB_OK) {
                    snprintf(perr[c], sizeof perr[c], "set-up: %s", hsb_last_error());
                } else if (hsb_pair_handshake(pr, NULL, perr[c], sizeof perr[c]) == HSB_OK &&
                           hsb_pair_check(pr, perr[c], sizeof perr[c]) == HSB_OK) {
                    perr[c][0] = '\0';
                }
                hsb_pair_free(pr);
                if (perr[c][0]) {
                    hsb_pair_cfg_free(pcfg[c]);
                    pcfg[c] = NULL;
                }
            }
            for (size_t t = 0; t < o->n_threads; t++) {
                long ref_idx = -1;
                /* The jobs of this group stay alive until its flush. */
                hs_job jobs[HSB_MAX_SPECS + 1];
                size_t nj = 0;
                if (o->reference) {
                    size_t idx;
                    hsb_figure *f = hsb_report_add(r, &idx);
                    if (!f) break;
                    snprintf(f->suite, sizeof f->suite, "handshake");
                    snprintf(f->variant, sizeof f->variant, "%s", variant);
                    snprintf(f->backend, sizeof f->backend, "libssl-reference");
                    f->is_reference = 1;
                    f->threads = o->threads[t];
                    f->bits = bits;
                    /* libssl checks the peer's DH value its own way: no
                     * dh_check field on its rows. */
                    if (g) snprintf(f->group, sizeof f->group, "%s", g->name);
                    hsb_figure_set_name(f);
                    hsb_figure_impl(f, "tls", hsb_ossl_impl());
                    ref_idx = (long)idx;
                    if (!ossl) {
                        snprintf(f->error, sizeof f->error, "%s", ossl_err);
                        hsb_report_note(r, "%s: FAILED: %s", f->name, f->error);
                    } else {
                        jobs[nj] = (hs_job){1, ossl, NULL};
                        hsb_work w = {hs_init, hs_op, hs_free, &jobs[nj++], 1, 0};
                        hsb_report_queue(r, idx, &w);
                    }
                }
                for (int c = 0; c < nc && c < HSB_MAX_SPECS; c++) {
                    const hsb_provider *p = &comps[c].p;
                    size_t idx;
                    hsb_figure *f = hsb_report_add(r, &idx);
                    if (!f) break;
                    snprintf(f->suite, sizeof f->suite, "handshake");
                    snprintf(f->variant, sizeof f->variant, "%s", variant);
                    snprintf(f->backend, sizeof f->backend, "%s", p->label);
                    f->threads = o->threads[t];
                    f->bits = bits;
                    f->ref = ref_idx;
                    if (g) {
                        snprintf(f->group, sizeof f->group, "%s", g->name);
                        f->dh_check = (int)o->dh_check;
                    }
                    hsb_figure_set_name(f);
                    hsb_figure_impl(f, "tls", hsb_pair_impl());
                    hsb_suite_row_impls(f, p, (1u << HSB_CLASS_COUNT) - 1);
                    hsb_pair_cfg *cfg = pcfg[c];
                    if (o->breakdown) {
                        /* Wrap, build and check the configs for this row. */
                        hsb_pair *pr = NULL;
                        perr[c][0] = '\0';
                        if (hsb_bd_wrap(p, &wrapped[c]) != HSB_OK ||
                            hsb_pair_cfg_new(&wrapped[c], kx, bits, g, o->dh_check, &cfg, perr[c],
                                             sizeof perr[c]) != HSB_OK) {
                            if (!perr[c][0]) snprintf(perr[c], sizeof perr[c], "wrap failed");
                            cfg = NULL;
                        } else if (hsb_pair_new(cfg, &pr) != HSB_OK ||
                                   hsb_pair_handshake(pr, NULL, perr[c], sizeof perr[c]) !=
                                       HSB_OK ||
                                   hsb_pair_check(pr, perr[c], sizeof perr[c]) != HSB_OK) {
                            if (!perr[c][0])
                                snprintf(perr[c], sizeof perr[c], "%s", hsb_last_error());
                            hsb_pair_cfg_free(cfg);
                            cfg = NULL;
                        }
                        hsb_pair_free(pr);
                    }
                    if (!cfg) {
                        snprintf(f->error, sizeof f->error, "%.200s", perr[c]);
                        hsb_report_note(r, "%s: FAILED: %s", f->name, f->error);
                        continue;
                    }
                    jobs[nj] = (hs_job){0, NULL, cfg};
                    hsb_work w = {hs_init, hs_op, hs_free, &jobs[nj++], 1, o->breakdown};
                    if (o->breakdown) {
                        /* The wrappers time one composition at a time: this
                         * row runs alone (after any queued reference). */
                        hsb_report_measure(r, idx, &w);
                        hsb_pair_cfg_free(cfg);
                    } else {
                        hsb_report_queue(r, idx, &w);
                    }
                }
                hsb_report_flush(r);
            }
            for (int c = 0; c < nc; c++) hsb_pair_cfg_free(pcfg[c]);
            hsb_ossl_cfg_free(ossl);
        }
    }
    return 0;
}
