/*
 * mpi_internal.h - the state of a load over MPI ranks, shared by load_mpi.c
 * (start, run, merge), mpi_wait.c (waits with a deadline) and
 * load_mpi_report.c (the rows of the ranks and their contexts).
 */
#ifndef HSB_MPI_INTERNAL_H
#define HSB_MPI_INTERNAL_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "hsb_load_mpi.h"

/* One rank's repetition as rank 0 gathers it (as bytes: same build). */
typedef struct rank_sum {
    int32_t rc;         /* hsb_rc of its run */
    int32_t called_off; /* it was ready, another rank was not */
    int32_t skewed;     /* its clock was too far from rank 0's to wait for the start */
    uint32_t threads, connections;
    int32_t pin;
    double rate;           /* its share of the offered rate */
    double start_offset_s; /* after the common start (open loop interleave) */
    double wall_s, cpu_s;
    uint64_t ok, failed, unstarted, bytes, errors[HSB_LOAD_ERR_KINDS];
    hsb_lat_points lat;               /* this repetition */
    hsb_lat_points lat_all, conn_all; /* its repetitions so far */
    int32_t pus[HSB_MAX_THREADS], cores[HSB_MAX_THREADS], cpus_seen[HSB_MAX_THREADS];
    char host[64];
    char msg[256]; /* why it failed, or its first failed connection */
} rank_sum;

/* Raw handshake latencies of one loop thread (test hook only). */
typedef struct raw_buf {
    uint64_t *v;
    size_t n, cap;
} raw_buf;

struct hsb_load_mpi {
    int rank, size;
    char host[64];
    hsb_load_cfg cfg; /* this rank's share of the current repetition */
    char port[16];    /* HSB_TEST_MPI_RANK_PORT for this rank */
    int synced;       /* the start's agreement took place */
    rank_sum mine;
    hsb_lat_hist *hs_all, *conn_all; /* this rank's, over its repetitions */
    rank_sum *gathered;              /* rank 0: this repetition's, per rank */
    rank_sum *sums;                  /* rank 0: [rep * size + rank] of good reps */
    unsigned n_reps;
    const char *dump_path; /* HSB_TEST_DUMP_LATENCIES */
    int dumped;            /* its file was started */
    raw_buf raw[HSB_MAX_THREADS];
    void *contexts; /* json_t array of every rank's context (rank 0) */
    uint32_t token; /* the arrival message's buffer */
};

/* Monotonic and wall-clock (CLOCK_REALTIME) seconds. */
double hsb_mpi_mono_s(void);
double hsb_mpi_real_s(void);
void hsb_mpi_nap_s(double s);

/* Wait for req until the monotonic deadline; past it say that this rank got
 * no answer while `what` and end the job with MPI_Abort(1). */
void hsb_mpi_wait(hsb_load_mpi *m, MPI_Request *req, double deadline, const char *what);

/* Every rank tells rank 0 it reached `phase`; rank 0 waits for all of them
 * until the deadline, and past it names the ranks that did not `what` and
 * ends the job with MPI_Abort(1). The others go on at once. */
void hsb_mpi_arrive(hsb_load_mpi *m, int phase, double deadline, const char *what);

/* The rows of the ranks (load_mpi_report.c). */
HSB_MUST_CHECK hsb_rc hsb_mpi_rank_rows(hsb_load_mpi *m, hsb_report *r, size_t fig);

#endif
