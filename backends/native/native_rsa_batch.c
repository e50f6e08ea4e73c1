/*
 * native_rsa_batch.c - the rsa-priv batch class: up to eight RSADP jobs
 * (RFC 8017 5.1.2), each on its own key, as one pass of native_rsa_mb.c's
 * 8-lane CRT (two 8-lane exponentiations, Garner and the fault check per
 * lane). The keys were prepared by native_rsa.c's init (the context holds
 * an hsb_nm_mb_rsa beside its single-op state).
 *
 * A job fails alone: a wrong length or a context the batch code cannot take
 * goes to the single op (which answers with its own code), an input >= n is
 * refused before the pass (HSB_E_RANGE, out untouched, as the single op),
 * and a lane whose result fails the m^e == c check gets zeros and
 * HSB_E_CRYPTO while the other lanes keep theirs. Jobs of different key
 * sizes run as one pass per size (the size is public).
 *
 * Timing: as native_rsa_mb.c -- per lane, constant time in the key and the
 * result; what shows is which lanes are used, their key size and which
 * inputs were out of range (public data).
 */
#include <string.h>

#include "native_batch.h"

const hsb_nm_engine *hsb_nm_mb_e64(const hsb_nm_engine *e)
{
    if (e != &hsb_nm_engine_ifma) return e;
    const hsb_nm_engine *m = hsb_nm_engine_get(HSB_NM_PATH_MULX);
    return m ? m : &hsb_nm_engine_portable;
}

/* Every native rsa-priv class (one per path) shares one op function, so any
 * of them answers for a job the batch does not take. */
static const hsb_rsa_priv_class *rsa_single;

/* c >= n for a public c of len bytes (len == n_len, checked by the caller). */
static int out_of_range(const hsb_nm_mb_rsa *key, const uint8_t *in, size_t len)
{
    uint64_t c[HSB_NM_MAX_LIMBS];
    hsb_nm_from_bytes(c, key->nn, in, len);
    return !hsb_nm_lt(c, key->mn.N, key->nn);
}

/* One pass over the jobs in `todo` whose keys have the size of the first. */
static unsigned run_pass(const hsb_nm_mb_engine *mb, hsb_rsa_priv_job *jobs, size_t n,
                         const hsb_nm_mb_rsa *const keys[8], unsigned todo)
{
    const hsb_nm_mb_rsa *lane_key[8] = {0};
    uint8_t *out[8] = {0};
    const uint8_t *in[8] = {0};
    const hsb_nm_mb_rsa *first = NULL;
    unsigned pass = 0;
    for (size_t i = 0; i < n; i++) {
        if (!((todo >> i) & 1)) continue;
        if (!first) first = keys[i];
        if (keys[i]->k != first->k || keys[i]->n_len != first->n_len) continue;
        lane_key[i] = keys[i], out[i] = jobs[i].out, in[i] = jobs[i].in;
        pass |= 1u << i;
    }
    unsigned ok = 0;
    (void)hsb_nm_mb_rsa_priv(mb, lane_key, out, in, first->n_len, &ok);
    for (size_t i = 0; i < n; i++)
        if ((pass >> i) & 1) jobs[i].rc = ((ok >> i) & 1) ? HSB_OK : HSB_E_CRYPTO;
    return pass;
}

static hsb_rc rsa_batch_run(hsb_rsa_priv_job *jobs, size_t n)
{
    HSB_ENSURE(jobs != NULL && n >= 1 && n <= HSB_NM_MB_LANES, HSB_E_USAGE);
    const hsb_nm_mb_rsa *keys[8] = {0};
    unsigned todo = 0;
    for (size_t i = 0; i < n; i++) {
        hsb_rsa_priv_job *j = &jobs[i];
        keys[i] = hsb_nm_rsa_priv_mb(j->ctx);
        if (!keys[i] || !j->out || !j->in || j->len != keys[i]->n_len ||
            !hsb_nm_mb_lane_ok(&keys[i]->mp)) {
            /* Not the batch's shape, or a size the kernel lacks: the single
             * op gives its own answer, on its own fastest path. */
            j->rc = rsa_single->op(j->ctx, j->out, j->in, j->len);
            continue;
        }
        if (out_of_range(keys[i], j->in, j->len)) {
            j->rc = hsb_raise(HSB_E_RANGE, __FILE__, __LINE__, "RSA batch: input >= n");
            continue;
        }
        todo |= 1u << i;
    }
    const hsb_nm_mb_engine *mb = hsb_nm_mb_engine_get();
    while (todo) todo &= ~run_pass(mb, jobs, n, keys, todo);
    for (size_t i = 0; i < n; i++)
        if (jobs[i].rc != HSB_OK) return jobs[i].rc;
    return HSB_OK;
}

const hsb_rsa_priv_batch_class *hsb_native_rsa_priv_batch_get(const hsb_rsa_priv_class *single)
{
    static hsb_rsa_priv_batch_class cls;
    static char name[64];
    if (!single) return NULL;
    hsb_nm_mb_class_name(name, sizeof name, "native-rsa-crt-mb8");
    rsa_single = single;
    cls = (hsb_rsa_priv_batch_class){
        .name = name, .lanes = HSB_NM_MB_LANES, .single = single, .run = rsa_batch_run};
    return &cls;
}
