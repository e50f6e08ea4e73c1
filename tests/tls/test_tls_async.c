/*
 * Asynchronous public-key steps (core/hsb_tls.h, issue 11 item 4): K
 * handshakes over in-memory pairs, stepped round-robin by a driver that
 * collects the ops the conns hand out and runs them as batches
 * (hsb_rsa_priv_batch, hsb_dh_batch), as `hsbench handshake --inflight K`
 * does. Checks: every op the handshake table names is handed out (and only
 * with async on), the ops of different conns share batches, and one bad or
 * failing job fails its own handshake alone, with the alert the synchronous
 * op's failure sends, while the other handshakes of its batch complete.
 *
 * usage: test_tls_async [SPEC]   (default "openssl"; 77 when unavailable)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_certgen.h"
#include "hsb_test.h"
#include "hsb_test_pair.h"
#include "hsb_tls_x509.h"

#define K 4
#define ROUNDS 64

static hsb_provider prov;

/* A job to tamper with: in conn `slot`, on `server` (1) or the client, the
 * op of this DH kind (or the RSA op, dh_kind -1): its input replaced by
 * 0xff bytes (out of range), or its rc forced after the batch ran. */
typedef struct tamper {
    int slot, server, dh_kind;
    int bad_input;
    hsb_rc force_rc;
} tamper;

typedef struct slot {
    hsb_test_pair *p;
    int done[2];  /* [0] client, [1] server */
    hsb_rc rc[2]; /* first failure, HSB_OK while none */
} slot;

typedef struct run_stats {
    unsigned rsa[2], dh[2][3]; /* ops handed out: [side], [side][kind] */
    size_t max_fill;           /* most jobs of one kind in one flush */
} run_stats;

typedef struct pend {
    hsb_tls_conn *c;
    int slot, server;
    hsb_tls_pk_op op;
    hsb_rc force;
} pend;

static uint8_t ones[HSB_MAX_MODULUS_BYTES];

static hsb_test_pair *pair_new(unsigned kx, int async)
{
    const hsb_cert_set *certs;
    if (hsb_certgen_get(2048, HSB_CERT_GOOD, &certs) != HSB_OK) return NULL;
    hsb_test_pair *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    hsb_rc rc = hsb_tls_config_new(&p->ccfg, HSB_TLS_CLIENT, &prov);
    if (rc == HSB_OK) rc = hsb_tls_config_new(&p->scfg, HSB_TLS_SERVER, &prov);
    if (rc == HSB_OK) rc = hsb_tls_config_set_kx(p->ccfg, kx);
    if (rc == HSB_OK) rc = hsb_tls_config_set_kx(p->scfg, kx);
    if (rc == HSB_OK) rc = hsb_tls_config_add_anchor(p->ccfg, certs->anchor);
    if (rc == HSB_OK) rc = hsb_tls_config_set_server_name(p->ccfg, "localhost");
    if (rc == HSB_OK) rc = hsb_tls_config_set_chain(p->scfg, certs->chain, certs->chain_len);
    if (rc == HSB_OK) rc = hsb_tls_config_set_key(p->scfg, certs->leaf_key);
    if (rc == HSB_OK) {
        hsb_tls_config_set_async_pk(p->ccfg, async);
        hsb_tls_config_set_async_pk(p->scfg, async);
        rc = hsb_test_pair_start(p);
    }
    if (rc != HSB_OK) {
        hsb_test_pair_free(p);
        return NULL;
    }
    return p;
}

static int matches(const tamper *t, const pend *q)
{
    if (!t || t->slot != q->slot || t->server != q->server) return 0;
    if (q->op.kind == HSB_TLS_PK_RSA_PRIV) return t->dh_kind < 0;
    return t->dh_kind == (int)q->op.dh.kind;
}

/* Run the collected ops, RSA ones as one batch and DH ones as another, and
 * hand each conn its job's rc. */
static void flush(pend *q, size_t n, const tamper *t, run_stats *rs)
{
    hsb_rsa_priv_job rj[2 * K];
    hsb_dh_job dj[2 * K];
    size_t nr = 0, nd = 0, at[2 * K];
    for (size_t i = 0; i < n; i++) {
        q[i].force = HSB_OK;
        if (matches(t, &q[i])) {
            if (t->bad_input && q[i].op.kind == HSB_TLS_PK_RSA_PRIV) q[i].op.rsa.in = ones;
            if (t->bad_input && q[i].op.kind == HSB_TLS_PK_DH) {
                q[i].op.dh.in = ones; /* all of p's length: above p */
                q[i].op.dh.in_len = q[i].op.mod_len;
            }
            q[i].force = t->force_rc;
        }
        if (q[i].op.kind == HSB_TLS_PK_RSA_PRIV) {
            at[i] = nr;
            rj[nr++] = q[i].op.rsa;
        } else {
            at[i] = nd;
            dj[nd++] = q[i].op.dh;
        }
    }
    if (nr) (void)hsb_rsa_priv_batch(&prov, rj, nr);
    if (nd) (void)hsb_dh_batch(&prov, prov.cls.rng, dj, nd);
    rs->max_fill = nr > rs->max_fill ? nr : rs->max_fill;
    rs->max_fill = nd > rs->max_fill ? nd : rs->max_fill;
    for (size_t i = 0; i < n; i++) {
        hsb_rc rc = q[i].op.kind == HSB_TLS_PK_RSA_PRIV ? rj[at[i]].rc : dj[at[i]].rc;
        if (q[i].force != HSB_OK) rc = q[i].force;
        CHECK_RC(hsb_tls_pk_resume(q[i].c, rc), HSB_OK);
    }
}

/* One step of one end; a handed-out op joins q. */
static void step_end(slot *s, int i, int server, pend *q, size_t *n, run_stats *rs)
{
    if (s->done[server] || s->rc[server] != HSB_OK) return;
    hsb_tls_conn *c = server ? s->p->s : s->p->c;
    hsb_rc rc = hsb_tls_handshake(c);
    if (rc == HSB_OK) s->done[server] = 1;
    if (rc == HSB_OK || rc == HSB_E_WOULD_BLOCK) return;
    if (rc != HSB_E_PENDING) {
        s->rc[server] = rc;
        return;
    }
    pend *e = &q[(*n)++];
    e->c = c;
    e->slot = i;
    e->server = server;
    CHECK_RC(hsb_tls_pk_pending(c, &e->op), HSB_OK);
    /* asked again before the result is in: still pending, nothing done */
    CHECK_RC(hsb_tls_handshake(c), HSB_E_PENDING);
    if (e->op.kind == HSB_TLS_PK_RSA_PRIV)
        rs->rsa[server]++;
    else
        rs->dh[server][e->op.dh.kind]++;
}

/* Step all K pairs round-robin, flushing the ops of each round. */
static void drive(slot *s, const tamper *t, run_stats *rs)
{
    memset(rs, 0, sizeof *rs);
    for (int round = 0; round < ROUNDS; round++) {
        pend q[2 * K];
        size_t n = 0;
        int live = 0;
        for (int i = 0; i < K; i++)
            for (int side = 0; side < 2; side++) {
                step_end(&s[i], i, side, q, &n, rs);
                live |= !s[i].done[side] && s[i].rc[side] == HSB_OK;
            }
        if (n) flush(q, n, t, rs);
        if (!live) return;
    }
    CHECKF(0, "the handshakes made no progress in %d rounds", ROUNDS);
}

static int setup(slot *s, unsigned kx, int async)
{
    memset(s, 0, K * sizeof *s);
    for (int i = 0; i < K; i++)
        if (!(s[i].p = pair_new(kx, async))) return 0;
    return 1;
}

static void teardown(slot *s)
{
    for (int i = 0; i < K; i++) hsb_test_pair_free(s[i].p);
}

/* Every handshake completes; the ops handed out are exactly the table's. */
static void all_good(unsigned kx, int async)
{
    slot s[K];
    run_stats rs;
    CHECKF(setup(s, kx, async), "setup: %s", hsb_last_error());
    drive(s, NULL, &rs);
    for (int i = 0; i < K; i++)
        CHECKF(s[i].done[0] && s[i].done[1], "pair %d: %s / %s", i, hsb_tls_conn_error(s[i].p->c),
               hsb_tls_conn_error(s[i].p->s));
    unsigned a = async ? K : 0;
    if (kx == HSB_TLS_KX_RSA) {
        CHECKF(rs.rsa[1] == a && rs.rsa[0] == 0, "RSA ops %u/%u", rs.rsa[0], rs.rsa[1]);
    } else {
        /* server: keygen, the signature, check and derive; client: check,
         * keygen and derive */
        CHECKF(rs.rsa[1] == a && rs.dh[1][HSB_DH_JOB_KEYGEN] == a &&
                   rs.dh[1][HSB_DH_JOB_CHECK] == a && rs.dh[1][HSB_DH_JOB_DERIVE] == a,
               "server ops");
        CHECKF(rs.rsa[0] == 0 && rs.dh[0][HSB_DH_JOB_KEYGEN] == a &&
                   rs.dh[0][HSB_DH_JOB_CHECK] == a && rs.dh[0][HSB_DH_JOB_DERIVE] == a,
               "client ops");
    }
    /* lockstep conns: each flush holds one op of every pair */
    CHECKF(rs.max_fill == (async ? (size_t)K : 0), "fill %zu", rs.max_fill);
    teardown(s);
}

/* The tampered pair fails on the tampered side with alert (sent there,
 * received by its peer); the other pairs complete. */
static void one_bad(unsigned kx, tamper t, int alert, const char *what)
{
    slot s[K];
    run_stats rs;
    CHECKF(setup(s, kx, 1), "setup: %s", hsb_last_error());
    drive(s, &t, &rs);
    for (int i = 0; i < K; i++) {
        if (i != t.slot) {
            CHECKF(s[i].done[0] && s[i].done[1], "%s: pair %d did not complete: %s / %s", what, i,
                   hsb_tls_conn_error(s[i].p->c), hsb_tls_conn_error(s[i].p->s));
            continue;
        }
        hsb_tls_conn *bad = t.server ? s[i].p->s : s[i].p->c;
        hsb_tls_conn *peer = t.server ? s[i].p->c : s[i].p->s;
        const hsb_tls_conn *sender = alert == HSB_TLS_ALERT_BAD_RECORD_MAC ? s[i].p->s : bad;
        const hsb_tls_conn *hearer = sender == bad ? peer : s[i].p->c;
        printf("%-34s -> %s\n", what, hsb_tls_conn_error(sender));
        CHECKF(!s[i].done[0] && !s[i].done[1], "%s: pair %d completed", what, i);
        CHECKF(hsb_tls_conn_alert_sent(sender) == alert, "%s: alert sent %d, want %d", what,
               hsb_tls_conn_alert_sent(sender), alert);
        CHECKF(hsb_tls_conn_alert_received(hearer) == alert, "%s: alert received %d", what,
               hsb_tls_conn_alert_received(hearer));
    }
    teardown(s);
}

int main(int argc, char **argv)
{
    const char *spec = argc > 1 ? argv[1] : "openssl";
    char err[256];
    if (hsb_provider_from_spec(spec, &prov, err, sizeof err) != HSB_OK) {
        printf("test_tls_async: %s: UNAVAILABLE (%s)\n", spec, err);
        return 77;
    }
    memset(ones, 0xff, sizeof ones);
    for (int async = 0; async < 2; async++) {
        all_good(HSB_TLS_KX_RSA, async);
        all_good(HSB_TLS_KX_DHE, async);
    }
    /* RFC 5246 7.4.7.1: a premaster op that fails its range check takes
     * the random premaster, so the failure shows at the client's Finished
     * (bad_record_mac from the server), never at ClientKeyExchange. */
    one_bad(HSB_TLS_KX_RSA, (tamper){2, 1, -1, 1, HSB_OK}, HSB_TLS_ALERT_BAD_RECORD_MAC,
            "rsa premaster >= n");
    /* A backend fault in the premaster op: internal_error, as synchronous. */
    one_bad(HSB_TLS_KX_RSA, (tamper){0, 1, -1, 0, HSB_E_CRYPTO}, HSB_TLS_ALERT_INTERNAL_ERROR,
            "rsa premaster fault");
    /* The client's dh_Yc out of range: illegal_parameter from the server. */
    one_bad(HSB_TLS_KX_DHE, (tamper){1, 1, HSB_DH_JOB_CHECK, 1, HSB_OK},
            HSB_TLS_ALERT_ILLEGAL_PARAMETER, "dhe server check of Yc");
    /* The server's dh_Ys out of range: illegal_parameter from the client. */
    one_bad(HSB_TLS_KX_DHE, (tamper){3, 0, HSB_DH_JOB_CHECK, 1, HSB_OK},
            HSB_TLS_ALERT_ILLEGAL_PARAMETER, "dhe client check of Ys");
    /* The ServerKeyExchange signature op fails: internal_error. */
    one_bad(HSB_TLS_KX_DHE, (tamper){2, 1, -1, 0, HSB_E_CRYPTO}, HSB_TLS_ALERT_INTERNAL_ERROR,
            "dhe signature fault");
    /* The server's derive fails: internal_error. */
    one_bad(HSB_TLS_KX_DHE, (tamper){0, 1, HSB_DH_JOB_DERIVE, 0, HSB_E_CRYPTO},
            HSB_TLS_ALERT_INTERNAL_ERROR, "dhe server derive fault");
    return hsb_test_report("test_tls_async");
}
