/*
 * seal_mb_class.c - the native cbc-hmac class's seal_batch over the
 * multi-buffer seal (contract in native_seal_mb.h): jobs in, lanes out.
 * Where VAES-512 and AVX-512 are absent the batch is a loop over the
 * class's own one-record seal, which is then the fastest way there is.
 */
#include "hsb_backends.h"
#include "native_cbc_hmac.h"
#include "native_seal_mb.h"

const char *hsb_native_cbc_hmac_batch_path(void)
{
    return hsb_native_seal_mb_available(HSB_NATIVE_SEAL_VAES512) ? "vaes512-x16"
                                                                 : "one-record loop";
}

static int job_ok(const hsb_cbc_hmac_job *j)
{
    return j->ctx && j->hdr && j->iv && j->buf && j->len <= HSB_CBC_HMAC_MAX_LEN;
}

/* Each job alone through the class's seal. */
static void loop_jobs(hsb_cbc_hmac_job *jobs, size_t n)
{
    const hsb_cbc_hmac_class *c = hsb_native_cbc_hmac_get();
    for (size_t i = 0; i < n; i++) {
        hsb_cbc_hmac_job *j = &jobs[i];
        j->out_len = 0;
        j->rc = !c          ? HSB_E_UNAVAILABLE
                : job_ok(j) ? c->seal(j->ctx, j->hdr, j->iv, j->buf, j->len, &j->out_len)
                            : HSB_E_USAGE;
    }
}

static void lanes_jobs(hsb_cbc_hmac_job *jobs, size_t n)
{
    hsb_native_seal_lane ln[HSB_NATIVE_SEAL_MB_LANES];
    for (size_t i = 0; i < n; i++) {
        /* The class's context begins with its keys (cbc_hmac.c's cbc_ctx). */
        const hsb_native_cbc_hmac_ctx *c = jobs[i].ctx;
        ln[i] = (hsb_native_seal_lane){
            .aes = c ? &c->aes : NULL,
            .istate = c ? c->istate : NULL,
            .ostate = c ? c->ostate : NULL,
            .hdr = jobs[i].hdr,
            .iv = jobs[i].iv,
            .buf = jobs[i].buf,
            .len = jobs[i].len,
        };
    }
    /* Per-lane results below; the call's own code adds nothing. */
    (void)hsb_native_seal_mb_path(HSB_NATIVE_SEAL_VAES512, ln, n);
    for (size_t i = 0; i < n; i++) {
        jobs[i].out_len = ln[i].out_len;
        jobs[i].rc = ln[i].rc;
    }
}

hsb_rc hsb_native_cbc_hmac_seal_batch(hsb_cbc_hmac_job *jobs, size_t n)
{
    HSB_ENSURE(jobs || n == 0, HSB_E_USAGE);
    HSB_ENSURE(n <= HSB_NATIVE_SEAL_MB_LANES, HSB_E_USAGE);
    if (hsb_native_seal_mb_available(HSB_NATIVE_SEAL_VAES512))
        lanes_jobs(jobs, n);
    else
        loop_jobs(jobs, n);
    for (size_t i = 0; i < n; i++)
        if (jobs[i].rc != HSB_OK)
            HSB_BAIL_MSG(jobs[i].rc, "cbc-hmac seal_batch: a job failed (see its rc)");
    return HSB_OK;
}
