/*
 * native_dh_batch.c - the DH batch class: up to eight keygen, derive and
 * check jobs (RFC 7919 groups or any other) as 8-lane exponentiations:
 *   keygen: x drawn per lane as the single op draws it, pub = g^x mod p;
 *   derive: shared = Y^x mod p after the peer's range check;
 *   check (FULL): Y^q mod p == 1 with the public q (RFC 7919 5.1).
 * Jobs mix freely: the passes group lanes by (limb count, exponent length),
 * both public (x's length is the group's priv_bits). The group's p is public,
 * so its 8-lane constants come from the per-thread cache.
 *
 * A job fails alone: shapes the batch does not take, range checks (cheap,
 * public) and RANGE-only checks go to the single class, which answers with
 * its own code; a failed RNG draw fails its job only.
 * Timing per lane as native_mb.h: constant time in x; Y and q are public.
 */
#include <string.h>

#include "hsb_ct.h"
#include "native_batch.h"

/* The native DH classes differ by engine only: any of them answers. */
static const hsb_dh_class *dh_single;

static hsb_rc dh_single_job(const hsb_rng_class *rng, hsb_dh_job *j)
{
    switch (j->kind) {
    case HSB_DH_JOB_KEYGEN:
        return dh_single->keygen(j->ctx, rng, j->out, j->out_len);
    case HSB_DH_JOB_DERIVE:
        return dh_single->derive(j->ctx, j->out, j->out_len, j->in, j->in_len);
    case HSB_DH_JOB_CHECK:
        return dh_single->check(j->ctx, j->in, j->in_len, j->policy);
    default:
        return HSB_E_USAGE;
    }
}

/* keygen's x: priv_bits bits, top one set (the single op's rule, native_dh.c). */
static hsb_rc draw_x(const hsb_nm_dh_view *v, const hsb_rng_class *rng)
{
    size_t xb = (v->priv_bits + 7) / 8;
    hsb_rc rc = rng->fill(v->x, xb);
    if (rc != HSB_OK) {
        hsb_wipe(v->x, HSB_MAX_MODULUS_BYTES);
        *v->x_len = 0;
        return rc;
    }
    unsigned top = (v->priv_bits - 1) % 8;
    v->x[0] = (uint8_t)((v->x[0] & ((2u << top) - 1)) | (1u << top));
    *v->x_len = xb;
    return HSB_OK;
}

/* The peer's Y as the lane's base, after the single op's range check. */
static hsb_rc load_peer(void *ctx, const hsb_nm_dh_view *v, const uint8_t *y, size_t len,
                        hsb_nm_mb_lane *l)
{
    HSB_GUARD(dh_single->check(ctx, y, len, HSB_DH_CHECK_RANGE));
    while (len > 0 && y[0] == 0) y++, len--; /* public */
    hsb_nm_from_bytes(l->base, v->n, y, len);
    return HSB_OK;
}

/* Sets up job j's lane: 1 = the lane runs, 0 = j->rc is final. */
static int dh_lane(const hsb_rng_class *rng, hsb_dh_job *j, hsb_nm_mb_lane *l)
{
    hsb_nm_dh_view v;
    int kg = j->kind == HSB_DH_JOB_KEYGEN, dv = j->kind == HSB_DH_JOB_DERIVE;
    int full = j->kind == HSB_DH_JOB_CHECK && j->policy == HSB_DH_CHECK_FULL;
    int shape = hsb_nm_dh_view_get(j->ctx, &v) && (kg || dv || full);
    shape = shape && (!(kg || dv) || (j->out && j->out_len == v.p_len));
    shape = shape && (!kg || (rng && rng->fill)) && (!dv || *v.x_len > 0) && (!full || v.q_len);
    if (shape) l->mod = hsb_nm_mb_mod_cached(v.mp->N, v.n);
    /* q is public: where the kernel has no code for the size, the single
     * check's variable-time path beats a constant-time lane loop. */
    int slow =
        full && l->mod && (l->mod->L == 0 || hsb_nm_mb_engine_get() != &hsb_nm_mb_engine_ifma);
    if (!shape || !l->mod || slow) {
        j->rc = dh_single_job(rng, j);
        return 0;
    }
    if (kg) {
        j->rc = draw_x(&v, rng);
        memcpy(l->base, v.g, v.n * sizeof *l->base);
    } else {
        j->rc = load_peer(j->ctx, &v, j->in, j->in_len, l);
    }
    l->exp = full ? v.q : v.x;
    l->exp_len = full ? v.q_len : *v.x_len;
    return j->rc == HSB_OK;
}

static void dh_finish(hsb_dh_job *j, const hsb_nm_mb_lane *l)
{
    size_t n = l->mod->m.n;
    if (j->kind != HSB_DH_JOB_CHECK) {
        hsb_nm_to_bytes(j->out, j->out_len, l->out, n);
        return;
    }
    /* Y^q == 1: public values, a plain test. */
    j->rc =
        hsb_nm_bitlen_public(l->out, n) == 1
            ? HSB_OK
            : hsb_raise(HSB_E_RANGE, __FILE__, __LINE__, "DH batch: peer not in the q subgroup");
}

static hsb_rc dh_batch_run(const hsb_rng_class *rng, hsb_dh_job *jobs, size_t n)
{
    HSB_ENSURE(jobs != NULL && n >= 1 && n <= HSB_NM_MB_LANES, HSB_E_USAGE);
    hsb_nm_mb_lane lanes[HSB_NM_MB_LANES];
    unsigned todo = 0;
    for (size_t i = 0; i < n; i++)
        if (dh_lane(rng, &jobs[i], &lanes[i])) todo |= 1u << i;
    hsb_nm_mb_run_lanes(lanes, n, todo);
    for (size_t i = 0; i < n; i++)
        if ((todo >> i) & 1) dh_finish(&jobs[i], &lanes[i]);
    hsb_wipe(lanes, sizeof lanes);
    for (size_t i = 0; i < n; i++)
        if (jobs[i].rc != HSB_OK) return jobs[i].rc;
    return HSB_OK;
}

const hsb_dh_batch_class *hsb_native_dh_batch_get(const hsb_dh_class *single)
{
    static hsb_dh_batch_class cls;
    static char name[64];
    if (!single) return NULL;
    hsb_nm_mb_class_name(name, sizeof name, "native-dh-mb8");
    dh_single = single;
    cls = (hsb_dh_batch_class){
        .name = name, .lanes = HSB_NM_MB_LANES, .single = single, .run = dh_batch_run};
    return &cls;
}
