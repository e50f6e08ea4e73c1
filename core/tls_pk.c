/*
 * Asynchronous public-key steps (hsb_tls.h): a handler that needs an RSA
 * private op or a DH op either runs it now (async off: exactly the
 * synchronous call it always made) or hands it to the driver as a job of
 * the batch API and stops the conn with HSB_E_PENDING.
 *
 * Stopping keeps the conn where it is in the handshake table: a writer's
 * partial message is rewritten from the start when it runs again (the
 * output buffer's end only moves once a message is whole), a reader's
 * message stays in the reassembly buffer and is read again. So the handler
 * runs again from its top once the result is in; tls_pk.done says which of
 * its ops (by tag) and stages already ran, and an op whose result was taken
 * returns HSB_OK without writing: the handler kept that output in the conn
 * (c->pk.pub for DH keygen). The inputs are copied into the conn when the
 * op is handed out, so the job never points into memory the driver or the
 * transport may change.
 */
#include <string.h>

#include "hsb_ct.h"
#include "tls_internal.h"

void hsb_tls_config_set_async_pk(hsb_tls_config *cfg, int on)
{
    if (cfg) cfg->async_pk = on != 0;
}

void tls_pk_wipe(hsb_tls_conn *c)
{
    if (!c->pk.used) return;
    hsb_wipe(c->pk.in, sizeof c->pk.in);
    hsb_wipe(c->pk.res, sizeof c->pk.res);
    hsb_wipe(c->pk.fallback, sizeof c->pk.fallback);
    c->pk.used = 0;
}

void tls_pk_reset(hsb_tls_conn *c)
{
    tls_pk_wipe(c);
    c->pk.on = c->cfg->async_pk;
    c->pk.out = c->pk.back = 0;
    c->pk.done = 0;
    c->pk.op.kind = HSB_TLS_PK_NONE;
}

void tls_pk_next(hsb_tls_conn *c)
{
    c->pk.done = 0;
    c->pk.back = 0;
}

int tls_pk_stage(hsb_tls_conn *c, unsigned s)
{
    if (!c->pk.on) return 1;
    if (c->pk.done & (1u << s)) return 0;
    c->pk.done |= 1u << s;
    return 1;
}

/* The op tagged tag once more: it ran before (HSB_OK, nothing written), its
 * result is in (taken: out gets out_len bytes of it), or neither (-1: hand
 * it out). */
static int take_result(hsb_tls_conn *c, unsigned tag, uint8_t *out, size_t out_len, hsb_rc *rc)
{
    if (c->pk.done & (1u << tag)) {
        *rc = HSB_OK;
        return 1;
    }
    if (!c->pk.back || c->pk.tag != tag) return 0;
    c->pk.back = 0;
    c->pk.done |= 1u << tag;
    *rc = c->pk.rc;
    /* the driver's job raised nothing on this thread: say what failed */
    if (*rc != HSB_OK) (void)hsb_raise(*rc, __FILE__, __LINE__, "the public-key job failed");
    if (*rc == HSB_OK && out && out_len) memcpy(out, c->pk.res, out_len);
    hsb_wipe(c->pk.res, out_len);
    return 1;
}

static hsb_rc hand_out(hsb_tls_conn *c, unsigned tag, hsb_tls_pk_kind kind, size_t mod_len)
{
    c->pk.tag = tag;
    c->pk.op.kind = kind;
    c->pk.op.mod_len = mod_len;
    c->pk.out = 1;
    c->pk.used = 1;
    return HSB_E_PENDING;
}

hsb_rc tls_pk_rsa(hsb_tls_conn *c, unsigned tag, uint8_t *out, const uint8_t *in, size_t len)
{
    const hsb_rsa_priv_class *rp = c->cls->rsa_priv;
    void *key = c->thr->rsa_priv;
    if (!c->pk.on) return rp->op(key, out, in, len);
    hsb_rc rc;
    if (take_result(c, tag, out, len, &rc)) return rc;
    HSB_ENSURE(len <= sizeof c->pk.in, HSB_E_INTERNAL);
    memcpy(c->pk.in, in, len);
    c->pk.op.rsa = (hsb_rsa_priv_job){key, c->pk.res, c->pk.in, len, HSB_OK};
    return hand_out(c, tag, HSB_TLS_PK_RSA_PRIV, rp->n_len(key));
}

/* The synchronous call each DH job kind stands for. */
static hsb_rc dh_now(hsb_tls_conn *c, hsb_dh_job_kind kind, uint8_t *out, size_t out_len,
                     const uint8_t *in, size_t in_len, hsb_dh_check policy)
{
    const hsb_dh_class *dh = c->cls->dh;
    switch (kind) {
    case HSB_DH_JOB_KEYGEN:
        return dh->keygen(c->dh, c->cls->rng, out, out_len);
    case HSB_DH_JOB_DERIVE:
        return dh->derive(c->dh, out, out_len, in, in_len);
    case HSB_DH_JOB_CHECK:
        return dh->check(c->dh, in, in_len, policy);
    default:
        HSB_BAIL(HSB_E_INTERNAL);
    }
}

hsb_rc tls_pk_dh(hsb_tls_conn *c, unsigned tag, hsb_dh_job_kind kind, uint8_t *out, size_t out_len,
                 const uint8_t *in, size_t in_len, hsb_dh_check policy)
{
    if (!c->pk.on) return dh_now(c, kind, out, out_len, in, in_len, policy);
    hsb_rc rc;
    if (take_result(c, tag, out, out_len, &rc)) return rc;
    HSB_ENSURE(out_len <= sizeof c->pk.res && in_len <= sizeof c->pk.in, HSB_E_INTERNAL);
    if (in_len) memcpy(c->pk.in, in, in_len);
    c->pk.op.dh = (hsb_dh_job){
        .ctx = c->dh,
        .kind = kind,
        .out = out_len ? c->pk.res : NULL,
        .out_len = out_len,
        .in = in_len ? c->pk.in : NULL,
        .in_len = in_len,
        .policy = policy,
        .rc = HSB_OK,
    };
    size_t p_len = c->role == HSB_TLS_SERVER ? c->cfg->dh_group->p_len : c->peer_group.p_len;
    return hand_out(c, tag, HSB_TLS_PK_DH, p_len);
}

/* ------------------------------------------------------ the driver's side */

hsb_rc hsb_tls_pk_pending(const hsb_tls_conn *c, hsb_tls_pk_op *op)
{
    HSB_ENSURE(c && op, HSB_E_USAGE);
    HSB_ENSURE(c->pk.out, HSB_E_USAGE);
    *op = c->pk.op;
    return HSB_OK;
}

hsb_rc hsb_tls_pk_resume(hsb_tls_conn *c, hsb_rc rc)
{
    HSB_ENSURE(c && c->pk.out, HSB_E_USAGE);
    c->pk.out = 0;
    c->pk.back = 1;
    /* A job that "succeeded" with HSB_E_PENDING would stop the conn for
     * good: no job returns it, so it is a driver bug. */
    c->pk.rc = rc == HSB_E_PENDING ? HSB_E_INTERNAL : rc;
    return HSB_OK;
}

hsb_rc hsb_tls_pk_run(hsb_tls_conn *c)
{
    hsb_tls_pk_op op;
    HSB_GUARD(hsb_tls_pk_pending(c, &op));
    const hsb_provider *p = c->cfg->prov;
    hsb_rc rc;
    if (op.kind == HSB_TLS_PK_RSA_PRIV) {
        (void)hsb_rsa_priv_batch(p, &op.rsa, 1);
        rc = op.rsa.rc;
    } else {
        (void)hsb_dh_batch(p, p->cls.rng, &op.dh, 1);
        rc = op.dh.rc;
    }
    return hsb_tls_pk_resume(c, rc);
}

hsb_rc hsb_tls_handshake_run(hsb_tls_conn *c)
{
    hsb_rc rc = hsb_tls_handshake(c);
    while (rc == HSB_E_PENDING) {
        rc = hsb_tls_pk_run(c);
        if (rc == HSB_OK) rc = hsb_tls_handshake(c);
    }
    return rc;
}
