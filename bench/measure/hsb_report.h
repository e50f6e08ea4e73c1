/*
 * hsb_report.h - the results of a run: figures (one measured thing each:
 * suite, variant, implementation, threads, size), their repetitions, the
 * derived statistics and ratios, warnings and notes; and the writers (table
 * on stdout, JSON per bench/RESULTS.md, tidy CSV).
 */
#ifndef HSB_REPORT_H
#define HSB_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hsb_opts.h"
#include "hsb_pin.h"
#include "hsb_runner.h"
#include "hsb_stats.h"

#define HSB_MAX_IMPL 12

typedef struct hsb_figure {
    char name[192];   /* suite/variant[/bytes]/backend[/threads:N] */
    char suite[16];   /* handshake, modexp, bulk */
    char variant[64]; /* rsa-2048, crt-2048, aes128-cbc-enc, ... */
    char backend[96]; /* composition label or the reference's name */
    struct {
        char key[24], val[96];
    } impl[HSB_MAX_IMPL]; /* class (or "tls", "evp") -> implementation */
    unsigned n_impl;
    int is_reference;
    long ref; /* index of the reference figure, -1 none */
    unsigned threads;
    hsb_placement pl;
    int cpus_seen[HSB_MAX_THREADS];
    size_t bytes;  /* per iteration (bulk), 0 elsewhere */
    unsigned bits; /* modulus / RSA key bits, 0 where none */
    char group[16];
    int dh_check; /* hsb_dh_check, -1 where it does not apply */
    /* handshake --inflight: handshakes in flight per worker (0: not
     * reported), lanes of the batch class, mean jobs per batch run */
    unsigned inflight;
    size_t batch_lanes;
    double batch_fill;
    int latency, breakdown;
    double duration_s, warmup_s; /* the settings it was measured with */

    /* measured */
    unsigned n_reps;
    hsb_rep *reps;
    int measured; /* 0: failed before or while measuring */
    char error[256];

    /* derived by hsb_report_finish */
    hsb_summary rate;       /* items/s over repetitions */
    hsb_summary real_ns;    /* wall ns per item */
    hsb_summary cpu_ns;     /* CPU ns per item (all workers) */
    hsb_summary cycles;     /* TSC ticks per item (summed over workers) */
    hsb_summary rate_bytes; /* bytes/s (bulk) */
    uint64_t errors, iters;
    double ratio; /* rate median / reference's; valid when has_ratio */
    int has_ratio;
    double scaling; /* rate / (threads x the 1-thread rate), has_scaling */
    int has_scaling;
    hsb_hist *lat_all;       /* merged over repetitions (latency runs) */
    double client_cpu_share; /* of client + server CPU, handshake rows */
    int noisy;               /* rate CV > HSB_CV_WARN */
    void *server;            /* json_t: a server's counters (suite server), owned */

    /* TCP rows (suite tcp, filled in by bench/net): the load's shape, its
     * latency over all repetitions and its failures by kind. */
    unsigned streams;     /* bulk record-seal-streams: connections whose records one op seals */
    double offered_rate;  /* open loop: connections/s asked for; 0 closed loop */
    unsigned connections; /* in flight at most */
    hsb_lat_points tcp_lat, tcp_conn_lat; /* handshake / whole-connection latency */
    uint64_t unstarted;                   /* open loop: slots due that never started */
    unsigned n_err_kinds;
    struct {
        const char *name; /* static */
        uint64_t n;
    } err_kind[16];

    /* Rows of a load spread over MPI ranks (bench/net/mpi/), where ranks > 0:
     * rank -1 is the aggregate of all ranks, else the rank the row measured,
     * on host. */
    unsigned ranks;
    int rank;
    char host[64];
} hsb_figure;

typedef struct hsb_report {
    hsb_figure *fig;
    size_t n, cap;
    char **warnings;
    size_t n_warnings;
    char **notes; /* rows not measured (UNAVAILABLE), borrowed classes */
    size_t n_notes;
    hsb_placement maps[HSB_MAX_LIST * 4]; /* placements used, one per thread count */
    size_t n_maps;
    const hsb_opts *opts;
    double duration_s, warmup_s;
    unsigned repetitions;
    hsb_pin_policy pin;
    int quiet, tty;
    size_t progress; /* rows the progress line has named so far */
    /* The plan (hsb_report_run): while planning, the suites add no rows and
     * the row-group builder counts the rows it would add and the seconds
     * they take (hsb_report_plan); done_* count the rows finished since. */
    int planning;
    size_t plan_rows, done_rows;
    double plan_s, done_s;
    struct {
        size_t idx;
        hsb_work w;
    } pending[64]; /* queued for the next flush */
    size_t n_pending;
    void *rank_contexts; /* json_t array, borrowed: each MPI rank's context */
} hsb_report;

void hsb_report_init(hsb_report *r, const hsb_opts *o);
void hsb_report_free(hsb_report *r);

/* A new figure (zeroed; ref = -1, dh_check = -1) appended; its index in *idx.
 * NULL when out of memory. The pointer is valid until the next add. */
hsb_figure *hsb_report_add(hsb_report *r, size_t *idx);
/* hsb_report_add with the row's identity filled in: suite, variant, backend
 * (copied, truncated to fit) and threads; the caller sets the rest and then
 * the name (hsb_figure_set_name). NULL when out of memory. */
hsb_figure *hsb_report_add_row(hsb_report *r, size_t *idx, const char *suite, const char *variant,
                               const char *backend, unsigned threads);
/* Add a class -> implementation pair to a figure. */
void hsb_figure_impl(hsb_figure *f, const char *key, const char *val);

void hsb_report_warn(hsb_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A note is printed on stderr (unless quiet) and kept for the JSON. */
void hsb_report_note(hsb_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The placement for n threads under the report's policy (computed once,
 * recorded for the context's thread map). */
HSB_MUST_CHECK hsb_rc hsb_report_placement(hsb_report *r, unsigned threads,
                                           const hsb_placement **out);

/*
 * Queue figure idx to be measured with work w (copied; w->arg must stay
 * valid until the flush) on its placement (f->threads workers).
 */
void hsb_report_queue(hsb_report *r, size_t idx, const hsb_work *w);
/*
 * A figure that fails before it is measured (set-up, or a wrong answer
 * against OpenSSL): why goes into f->error and a "NAME: FAILED: why" note.
 */
void hsb_report_fail(hsb_report *r, hsb_figure *f, const char *why);
/*
 * Queue figure idx with work w once check(w->arg, err, len) returns 1 (the
 * row's output agrees with the reference's); otherwise record check's reason
 * with hsb_report_fail and queue nothing. Returns 1 when queued.
 */
int hsb_report_queue_checked(hsb_report *r, size_t idx, const hsb_work *w,
                             int (*check)(void *arg, char *err, size_t len));
/*
 * Measure the queued figures together: each one's workers start and set up,
 * the warm-ups run in turn, then the repetitions interleave (repetition k of
 * every figure, in an order that rotates with k), so that a row and its
 * reference see the same machine at nearly the same time. Progress goes to
 * stderr when it is a terminal; a failure is recorded in f->error (and a
 * note). Returns how many were measured.
 */
size_t hsb_report_flush(hsb_report *r);
/* For the flush: the progress line for n rows starting with `name`, and
 * rows (measured or failed) counted as finished against the plan. */
void hsb_report_progress(hsb_report *r, size_t n, const char *name);
void hsb_report_finished(hsb_report *r, size_t rows);
/* Queue and flush one figure; 1 when measured. */
int hsb_report_measure(hsb_report *r, size_t idx, const hsb_work *w);

/* A suite and the options it runs with (its duration and warm-up too). */
typedef struct hsb_stage {
    hsb_rc (*suite)(hsb_report *r, const hsb_opts *o);
    const hsb_opts *o;
} hsb_stage;

/*
 * Run the stages' suites into r, in order. First every suite runs in
 * planning mode (no rows, no set-up, nothing printed), so that the progress
 * line knows the whole run's rows and time up front (the default suite runs
 * three suites into one report); then each runs for real. A stage's duration
 * and warm-up apply to its rows; r's are restored afterwards. Stops at the
 * first suite that does not return HSB_OK, and returns its rc.
 */
HSB_MUST_CHECK hsb_rc hsb_report_run(hsb_report *r, const hsb_stage *stages, size_t n);

/* While planning: `rows` more rows, measured with r's current settings. */
void hsb_report_plan(hsb_report *r, size_t rows);

/*
 * The progress line, without the terminal's line erase:
 * "[3/14] NAME and the rows beside it ~40 s left" (`beside`: rows measured
 * together with NAME; `done`: rows finished or being measured; `left_s`: the
 * measuring time of the rest). total 0 (no plan): "[3] NAME ...".
 */
void hsb_progress_format(char *buf, size_t len, size_t done, size_t total, const char *name,
                         size_t beside, double left_s);

/* Statistics, ratios, scaling, noise warnings. Call once, after measuring. */
void hsb_report_finish(hsb_report *r);

/* Writers. table: one row per figure; json/csv return HSB_OK, or print why
 * on stderr and return HSB_E_IO. */
void hsb_report_table(const hsb_report *r, FILE *to);
HSB_MUST_CHECK hsb_rc hsb_report_json(const hsb_report *r, const char *path);
HSB_MUST_CHECK hsb_rc hsb_report_csv(const hsb_report *r, const char *path);

/* Standard finish of a suite command: finish, table, files. HSB_OK; HSB_E_IO
 * when a file could not be written; else HSB_E_CRYPTO when a figure failed
 * or, unless --allow-errors, operations (handshakes) failed. */
HSB_MUST_CHECK hsb_rc hsb_report_output(hsb_report *r);

/* The rate unit of a figure's suite: "hs/s", "op/s", "B/s". */
const char *hsb_figure_unit(const hsb_figure *f);

/* The context object of the JSON (context.c); returns a new json_t*. */
void *hsb_context_json(const hsb_report *r);
/* Environmental warnings (cpufreq, load, build type, pinning) into r. */
void hsb_context_warnings(hsb_report *r);

#endif
