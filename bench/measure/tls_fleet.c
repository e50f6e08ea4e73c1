/*
 * K handshakes in flight on one worker, their public-key ops run in batches
 * (hsb_tls_pair.h, handshake --inflight K; issue 11 item 5).
 *
 * The TLS core only stops a conn at an op and resumes it (core/hsb_tls.h);
 * the queues and the batching are here. A queue holds the jobs of one kind
 * and modulus size -- the RSA private op, or one DH job kind -- since a
 * batch class runs one exponentiation shape in its lanes. A queue runs when
 * it holds `lanes` jobs; when a whole pass over the pairs moved nothing but
 * jobs are queued, the fullest queue runs partly filled (every conn is then
 * waiting for an op, or for a peer that waits for one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_opts.h"
#include "hsb_tls.h"
#include "hsb_tls_pair.h"
#include "hsb_tsc.h"

/* Queues: RSA, DH keygen, derive, check (one modulus size per fleet: its
 * configs fix the key and the group). */
#define N_QUEUES 4
/* Passes without any progress or job before the fleet is called stuck. */
#define STALL_PASSES 4

typedef struct fleet_slot {
    hsb_tls_conn *conn[2]; /* [0] client, [1] server */
    int done[2], waiting[2];
    hsb_mem_pair mp;
} fleet_slot;

typedef struct fleet_queue {
    size_t n, lanes;
    hsb_rsa_priv_job rsa[HSB_MAX_INFLIGHT * 2];
    hsb_dh_job dh[HSB_MAX_INFLIGHT * 2];
    fleet_slot *slot[HSB_MAX_INFLIGHT * 2];
    int side[HSB_MAX_INFLIGHT * 2];
} fleet_queue;

struct hsb_fleet {
    const hsb_provider *prov;
    hsb_tls_thread *thr[2];
    unsigned k, next;
    fleet_slot *slots;
    fleet_queue q[N_QUEUES];
    /* counters of the current hsb_fleet_next call */
    int64_t *cpu;
    uint64_t *jobs, *flushes;
};

size_t hsb_fleet_lanes(const hsb_fleet *f, hsb_class_id id)
{
    return hsb_batch_lanes(f->prov, id);
}

static hsb_rc slot_start(fleet_slot *s)
{
    hsb_mem_pair_init(&s->mp);
    hsb_tls_transport t[2] = {hsb_mem_pair_client(&s->mp), hsb_mem_pair_server(&s->mp)};
    for (int side = 0; side < 2; side++) {
        s->done[side] = s->waiting[side] = 0;
        HSB_GUARD(hsb_tls_conn_start(s->conn[side], &t[side]));
    }
    return HSB_OK;
}

void hsb_fleet_free(hsb_fleet *f)
{
    if (!f) return;
    for (unsigned i = 0; f->slots && i < f->k; i++)
        for (int side = 0; side < 2; side++) hsb_tls_conn_free(f->slots[i].conn[side]);
    hsb_ctx_free(f->slots, f->k * sizeof *f->slots);
    for (int side = 0; side < 2; side++) hsb_tls_thread_free(f->thr[side]);
    hsb_ctx_free(f, sizeof *f);
}

hsb_rc hsb_fleet_new(const hsb_pair_cfg *c, unsigned k, hsb_fleet **out)
{
    HSB_ENSURE(k >= 1 && k <= HSB_MAX_INFLIGHT, HSB_E_USAGE);
    hsb_fleet *f = hsb_ctx_alloc(sizeof *f);
    HSB_ENSURE(f, HSB_E_NOMEM);
    f->prov = hsb_pair_cfg_provider(c);
    f->k = k;
    f->slots = hsb_ctx_alloc(k * sizeof *f->slots);
    hsb_rc rc = f->slots ? HSB_OK : HSB_E_NOMEM;
    for (int side = 0; side < 2 && rc == HSB_OK; side++)
        rc = hsb_tls_thread_new(hsb_pair_cfg_tls(c, side), &f->thr[side]);
    for (unsigned i = 0; i < k && rc == HSB_OK; i++)
        for (int side = 0; side < 2 && rc == HSB_OK; side++)
            rc = hsb_tls_conn_new(f->thr[side], &f->slots[i].conn[side]);
    for (unsigned i = 0; i < k && rc == HSB_OK; i++) rc = slot_start(&f->slots[i]);
    size_t rl = hsb_batch_lanes(f->prov, HSB_CLASS_RSA_PRIV);
    size_t dl = hsb_batch_lanes(f->prov, HSB_CLASS_DH);
    for (int q = 0; q < N_QUEUES; q++) f->q[q].lanes = q == 0 ? rl : dl;
    if (rc != HSB_OK) {
        hsb_fleet_free(f);
        return rc;
    }
    *out = f;
    return HSB_OK;
}

/* Run queue q as one batch and resume its conns; the batch's CPU time is
 * split over the sides of its jobs. */
static void flush(hsb_fleet *f, fleet_queue *q, int is_rsa)
{
    int64_t t0 = f->cpu ? hsb_thread_cpu_ns() : 0;
    if (is_rsa)
        (void)hsb_rsa_priv_batch(f->prov, q->rsa, q->n);
    else
        (void)hsb_dh_batch(f->prov, f->prov->cls.rng, q->dh, q->n);
    int64_t share = f->cpu ? (hsb_thread_cpu_ns() - t0) / (int64_t)q->n : 0;
    for (size_t i = 0; i < q->n; i++) {
        fleet_slot *s = q->slot[i];
        int side = q->side[i];
        hsb_rc rc = is_rsa ? q->rsa[i].rc : q->dh[i].rc;
        /* cannot fail: the conn is waiting for exactly this op */
        hsb_rc r = hsb_tls_pk_resume(s->conn[side], rc);
        (void)r;
        s->waiting[side] = 0;
        if (f->cpu) f->cpu[side] += share;
    }
    *f->jobs += q->n;
    (*f->flushes)++;
    q->n = 0;
}

/* The op conn side of s handed out joins its queue; a full queue runs. */
static void enqueue(hsb_fleet *f, fleet_slot *s, int side)
{
    hsb_tls_pk_op op;
    if (hsb_tls_pk_pending(s->conn[side], &op) != HSB_OK) return;
    int qi = op.kind == HSB_TLS_PK_RSA_PRIV ? 0 : 1 + (int)op.dh.kind;
    fleet_queue *q = &f->q[qi];
    if (qi == 0)
        q->rsa[q->n] = op.rsa;
    else
        q->dh[q->n] = op.dh;
    q->slot[q->n] = s;
    q->side[q->n] = side;
    q->n++;
    s->waiting[side] = 1;
    if (q->n >= q->lanes) flush(f, q, qi == 0);
}

/* Take the jobs of a pair that starts over out of the queues. */
static void drop_jobs(hsb_fleet *f, const fleet_slot *s)
{
    for (int qi = 0; qi < N_QUEUES; qi++) {
        fleet_queue *q = &f->q[qi];
        size_t w = 0;
        for (size_t i = 0; i < q->n; i++) {
            if (q->slot[i] == s) continue;
            q->rsa[w] = q->rsa[i];
            q->dh[w] = q->dh[i];
            q->slot[w] = q->slot[i];
            q->side[w++] = q->side[i];
        }
        q->n = w;
    }
}

/* One step of one end: 1 when it moved (finished, or handed an op out),
 * 0 when it waits; -1 when it failed. */
static int step_side(hsb_fleet *f, fleet_slot *s, int side)
{
    if (s->done[side] || s->waiting[side]) return 0;
    int64_t t0 = f->cpu ? hsb_thread_cpu_ns() : 0;
    hsb_rc rc = hsb_tls_handshake(s->conn[side]);
    if (f->cpu) f->cpu[side] += hsb_thread_cpu_ns() - t0;
    if (rc == HSB_OK) s->done[side] = 1;
    if (rc == HSB_E_PENDING) enqueue(f, s, side);
    if (rc == HSB_OK || rc == HSB_E_PENDING) return 1;
    return rc == HSB_E_WOULD_BLOCK ? 0 : -1;
}

/* Step pair s: 1 when its handshake ended (*ok says how), else 0; *moved
 * when anything happened. */
static int step_pair(hsb_fleet *f, fleet_slot *s, int *ok, int *moved, char *err, size_t len)
{
    size_t before = hsb_mem_queue_pending(hsb_mem_pair_to_server(&s->mp)) +
                    hsb_mem_queue_pending(hsb_mem_pair_to_client(&s->mp));
    for (int side = 0; side < 2; side++) {
        int r = step_side(f, s, side);
        if (r < 0) {
            if (err) snprintf(err, len, "%s", hsb_tls_conn_error(s->conn[side]));
            *ok = 0;
            return 1;
        }
        *moved |= r;
    }
    size_t after = hsb_mem_queue_pending(hsb_mem_pair_to_server(&s->mp)) +
                   hsb_mem_queue_pending(hsb_mem_pair_to_client(&s->mp));
    *moved |= before != after;
    *ok = s->done[0] && s->done[1];
    return *ok;
}

/* The fullest queue, partly filled: nothing else can move. 0 when all
 * queues are empty. */
static int flush_fullest(hsb_fleet *f)
{
    int best = -1;
    for (int qi = 0; qi < N_QUEUES; qi++)
        if (f->q[qi].n && (best < 0 || f->q[qi].n > f->q[best].n)) best = qi;
    if (best < 0) return 0;
    flush(f, &f->q[best], best == 0);
    return 1;
}

hsb_rc hsb_fleet_next(hsb_fleet *f, int *ok, int64_t cpu[2], uint64_t *jobs, uint64_t *flushes,
                      char *err, size_t len)
{
    f->cpu = cpu;
    f->jobs = jobs;
    f->flushes = flushes;
    for (int idle = 0; idle < STALL_PASSES;) {
        int moved = 0;
        for (unsigned n = 0; n < f->k; n++) {
            fleet_slot *s = &f->slots[f->next];
            f->next = (f->next + 1) % f->k;
            if (!step_pair(f, s, ok, &moved, err, len)) continue;
            drop_jobs(f, s);
            HSB_GUARD(slot_start(s));
            return HSB_OK;
        }
        if (moved || flush_fullest(f))
            idle = 0;
        else
            idle++;
    }
    if (err) snprintf(err, len, "the in-flight handshakes made no progress");
    HSB_BAIL_MSG(HSB_E_INTERNAL, "fleet stalled");
}
