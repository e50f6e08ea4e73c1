/*
 * hsb_runner.h - running one piece of work on N pinned workers for a set
 * time, repeatedly.
 *
 * The workers are created once per figure, bound to their PUs, and set up
 * their own state there (so memory is first touched on the worker's node).
 * Then, per phase (the warm-up, then each repetition), they start together on
 * a barrier, run the operation in a loop until a shared stop flag rises, and
 * count in their own cache-line-aligned block: no lock and no shared write on
 * the hot path. Wall time is CLOCK_MONOTONIC from the first worker's start to
 * the last one's end; CPU time is each worker's CLOCK_THREAD_CPUTIME_ID;
 * cycles are TSC ticks.
 */
#ifndef HSB_RUNNER_H
#define HSB_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_error.h"
#include "hsb_pin.h"
#include "hsb_stats.h"

/* Where a handshake's time goes (--breakdown): one bucket per primitive
 * group, in TSC ticks, filled by the timing wrappers (hsb_breakdown.h). */
typedef enum hsb_bd_kind {
    HSB_BD_RSA_PRIV = 0,
    HSB_BD_RSA_PUB,
    HSB_BD_DH_KEYGEN,
    HSB_BD_DH_DERIVE,
    HSB_BD_DH_CHECK,
    HSB_BD_MODEXP,
    HSB_BD_HASH,   /* SHA-256 and HMAC-SHA256: transcript, PRF, record MAC */
    HSB_BD_CIPHER, /* AES, GCM: the record cipher */
    HSB_BD_RNG,
    HSB_BD_X509, /* libcrypto's X.509 work in the client's certificate check
                  * (core's hsb_tls_set_probe), not its signature math */
    HSB_BD_COUNT
} hsb_bd_kind;

/* One worker's counters; aligned and padded to cache lines. */
typedef struct hsb_tstats {
    uint64_t iters;  /* operations completed */
    uint64_t extra;  /* items beyond one per op call, added by the op (batch rows) */
    uint64_t errors; /* operations that failed but were counted (handshakes) */
    uint64_t tsc;    /* ticks in the loop */
    uint64_t op_tsc; /* ticks inside the operations (latency runs) */
    int64_t start_ns, end_ns, cpu_ns;
    int64_t client_cpu_ns, server_cpu_ns; /* handshake sides, thread CPU clock */
    /* --inflight: public-key jobs run in batches, and the batches run */
    uint64_t batch_jobs, batch_flushes;
    uint64_t bd[HSB_BD_COUNT];
    hsb_hist *lat; /* per-operation ticks (latency runs), preallocated */
    int cpu_seen;  /* sched_getcpu() at the end of the phase */
    hsb_rc rc;     /* first hard failure, HSB_OK if none */
    char err[200];
    char soft_err[160]; /* the op may describe its first counted failure here */
    /* Time the op spent paused (hsb_tstats_pause), taken out of the
     * worker's wall, CPU and TSC figures; pause_at_* while paused. */
    int64_t paused_ns, paused_cpu_ns;
    uint64_t paused_tsc;
    int64_t pause_at_ns, pause_at_cpu_ns;
    uint64_t pause_at_tsc;
} __attribute__((aligned(64))) hsb_tstats;

/*
 * Google Benchmark's PauseTiming/ResumeTiming: an op that must prepare its
 * input now and then (libssl's SSL_read needs freshly sealed records: its
 * read sequence number cannot be reset) pauses the clocks around that work.
 * The paused time is left out of the worker's wall time, CPU time and TSC
 * ticks (and of the op's latency); iterations count as usual. st may be NULL
 * (an op run outside the runner): then nothing is recorded. Three clock
 * reads per call: pause around batches of work, not per op.
 */
void hsb_tstats_pause(hsb_tstats *st);
void hsb_tstats_resume(hsb_tstats *st);

/*
 * The work. thread_init runs on the worker, after pinning; op runs in the
 * loop and returns HSB_OK, or an error that stops this worker and fails the
 * figure (work that counts failures and goes on, like handshakes, increments
 * st->errors and returns HSB_OK). thread_free undoes thread_init.
 */
typedef struct hsb_work {
    hsb_rc (*thread_init)(void *arg, unsigned tid, void **state);
    hsb_rc (*op)(void *state, hsb_tstats *st);
    void (*thread_free)(void *arg, void *state);
    void *arg;
    int latency;   /* time each op into st->lat */
    int breakdown; /* bind st->bd to the timing wrappers during the loop */
} hsb_work;

/* One repetition, the workers summed. */
typedef struct hsb_rep {
    double wall_s; /* first start to last end */
    double cpu_s;  /* summed thread CPU time */
    double tsc;    /* summed ticks in the loops */
    double op_tsc; /* summed ticks inside the operations */
    uint64_t iters, errors;
    double client_cpu_s, server_cpu_s;
    uint64_t batch_jobs, batch_flushes;
    uint64_t bd[HSB_BD_COUNT];
    hsb_hist *lat;          /* merged over workers (latency runs), owned by the rep */
    char first_error[160];  /* a worker's soft_err, "" when none */
    hsb_lat_points tcp_lat; /* TCP rows: handshake latency of this repetition */
} hsb_rep;

typedef struct hsb_run_cfg {
    double duration_s, warmup_s;
    unsigned repetitions;
    const hsb_placement *pl;
} hsb_run_cfg;

/*
 * Run w as configured. reps[0..cfg->repetitions) are filled (their lat
 * allocated when w->latency; free with hsb_rep_free). cpus_seen[i] gets the
 * CPU worker i last ran on (may be NULL). On failure returns the error and
 * writes a message into err.
 */
HSB_MUST_CHECK hsb_rc hsb_run(const hsb_run_cfg *cfg, const hsb_work *w, hsb_rep *reps,
                              int *cpus_seen, char *err, size_t err_len);

void hsb_rep_free(hsb_rep *r);
/* The rate of a repetition, operations per second of wall time (0 when no
 * time passed): the one formula the statistics and every writer use. */
double hsb_rep_rate(const hsb_rep *r);

/*
 * The same in steps, so that several pools can take turns (the report
 * interleaves a row's repetitions with its reference's): start creates the
 * workers and runs thread_init; each phase runs them for `seconds` and fills
 * rep (NULL: a warm-up, nothing kept; rep->lat is allocated on first use);
 * stop joins them and frees the pool (NULL is fine). Idle workers sleep on a
 * barrier. On failure err names it; a pool whose phase failed can only stop.
 */
typedef struct hsb_pool hsb_pool;
HSB_MUST_CHECK hsb_rc hsb_pool_start(const hsb_placement *pl, const hsb_work *w, hsb_pool **out,
                                     char *err, size_t err_len);
HSB_MUST_CHECK hsb_rc hsb_pool_phase(hsb_pool *p, double seconds, hsb_rep *rep, int *cpus_seen,
                                     char *err, size_t err_len);
void hsb_pool_stop(hsb_pool *p);

/* Record a failure message on the worker's block (first one kept). */
void hsb_tstats_fail(hsb_tstats *st, hsb_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
