/*
 * hsb_load_mpi.h - one load (hsb_load.h) spread over the ranks of an MPI job
 * (Open MPI's mpirun), merged into one result. Built only with -DHSB_MPI=ON.
 *
 * Every rank runs the load generator on its own pinned threads against the
 * same target. Per repetition:
 *
 *   start   each rank sets its threads up, then all agree (a reduction that
 *           is also a barrier) whether every rank is ready; rank 0 broadcasts
 *           a start time on CLOCK_REALTIME a little ahead (HSB_MPI_LEAD_S),
 *           and each rank starts its loops then (so the clocks of the hosts
 *           should agree, as NTP keeps them to a millisecond or so). In an
 *           open loop rank r starts r/rate later, so that the ranks' slots
 *           interleave instead of arriving in bursts of R.
 *   share   --threads and --connections are per rank; --rate and
 *           --handshakes are totals, split over the ranks; --duration is the
 *           same on every rank, so the ends coincide too.
 *   merge   counters summed and the latency histograms (hsb_lat_hist.h)
 *           summed bucket by bucket with MPI_Reduce onto rank 0, so the
 *           merged percentiles are those of the union of all handshakes, as
 *           one histogram would give them; each rank's own figures gathered
 *           for its row. The aggregate's wall time is the longest rank's.
 *   verdict rank 0 decides, from every rank's status, whether the repetition
 *           took place and broadcasts it with a message naming the first rank
 *           that failed, so that every rank leaves the repetition loop at the
 *           same point and the collective calls stay matched.
 *
 * No rank waits forever: every wait on another rank has a deadline (the run's
 * duration or this rank's own run time, plus the connection timeout, plus
 * HSB_MPI_GRACE_S); past it the waiting rank prints which ranks did not
 * arrive and calls MPI_Abort(1). A rank that dies is seen by mpirun, which
 * ends the job and names it.
 *
 * Only the calling (main) thread uses MPI (MPI_THREAD_FUNNELED). The ranks
 * exchange plain structs as bytes: the hosts run the same build.
 *
 * Test hooks (environment): HSB_TEST_MPI_RANK_PORT=R:PORT points rank R at
 * PORT instead of the target's; HSB_TEST_DUMP_LATENCIES=PATH makes each rank
 * write every handshake latency (ns, one a line, all repetitions) into
 * PATH.R, for checking the merged percentiles against the raw values.
 */
#ifndef HSB_LOAD_MPI_H
#define HSB_LOAD_MPI_H

#include <stddef.h>

#include "hsb_load.h"
#include "hsb_report.h"

#define HSB_MPI_LEAD_S 0.05 /* the start time is this far after its broadcast */
#define HSB_MPI_GRACE_S 10  /* added to every deadline on another rank */

typedef struct hsb_load_mpi hsb_load_mpi;

/* 1 when this process was started by an MPI launcher (Open MPI's mpirun sets
 * OMPI_COMM_WORLD_SIZE; PMI launchers PMI_SIZE) for a job of any size. */
int hsb_load_mpi_launched(void);

/* MPI_Init_thread and this rank's identity. NULL with err filled on failure. */
hsb_load_mpi *hsb_load_mpi_init(int *argc, char ***argv, char *err, size_t len);
int hsb_load_mpi_rank(const hsb_load_mpi *m);
int hsb_load_mpi_size(const hsb_load_mpi *m);

/* Every rank: agree on a step that each did alone (local: HSB_OK or its
 * failure, why: its message). HSB_OK when every rank succeeded; else the
 * first failed rank's rc, and err says "rank R (HOST): why". */
HSB_MUST_CHECK hsb_rc hsb_load_mpi_agree(hsb_load_mpi *m, hsb_rc local, const char *why, char *err,
                                         size_t len);

/* A repetition over all ranks, for hsb_load_row's run hook (arg: the
 * hsb_load_mpi). cfg is this rank's command line (total rate and handshake
 * budget). On rank 0 *res is the union of the ranks' results; elsewhere this
 * rank's own. Every rank returns the same rc; err names the failed rank. */
HSB_MUST_CHECK hsb_rc hsb_load_mpi_run(void *arg, const hsb_load_cfg *cfg, hsb_load_result *res,
                                       char *err, size_t len);

/* After the repetitions (every rank calls it): rank 0 marks figure fig of r
 * as the aggregate of the ranks, adds one row per rank after it (host, thread
 * map, rate, latency, errors), and puts every rank's environment context
 * into r (r->rank_contexts, valid until hsb_load_mpi_end). HSB_OK, or
 * HSB_E_NOMEM on rank 0. */
HSB_MUST_CHECK hsb_rc hsb_load_mpi_report(hsb_load_mpi *m, hsb_report *r, size_t fig);

/* The job's exit status: rank 0's st, given to every rank; then
 * MPI_Finalize, and m is freed. */
int hsb_load_mpi_end(hsb_load_mpi *m, int st);

#endif
