/* Waits on other ranks, each with a deadline: see mpi_internal.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpi_internal.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double hsb_mpi_mono_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

double hsb_mpi_real_s(void)
{
    return clock_s(CLOCK_REALTIME);
}

void hsb_mpi_nap_s(double s)
{
    if (s <= 0) return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* A blocking MPI call could wait forever on a rank that hangs; polling with
 * a short nap keeps a deadline (and leaves the CPU to the load threads). */
void hsb_mpi_wait(hsb_load_mpi *m, MPI_Request *req, double deadline, const char *what)
{
    for (;;) {
        int done = 0;
        MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (done) return;
        if (hsb_mpi_mono_s() > deadline) break;
        hsb_mpi_nap_s(0.0005);
    }
    fprintf(stderr,
            "hsbench load: rank %d (%s): no answer from the other ranks in time while %s; "
            "ending the job\n",
            m->rank, m->host, what);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
}

/* Rank 0: the ranks whose message has not come, listed into buf. */
static void missing(const int *got, int size, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 1; i < size && o < len; i++)
        if (!got[i]) o += (size_t)snprintf(buf + o, len - o, "%s%d", o ? ", " : "", i);
}

static void collect(hsb_load_mpi *m, int phase, double deadline, const char *what)
{
    int n = m->size;
    MPI_Request *q = calloc((size_t)n, sizeof *q);
    uint32_t *in = calloc((size_t)n, sizeof *in);
    int *got = calloc((size_t)n, sizeof *got);
    if (!q || !in || !got) MPI_Abort(MPI_COMM_WORLD, 1);
    for (int i = 1; i < n; i++) MPI_Irecv(&in[i], 1, MPI_UINT32_T, i, phase, MPI_COMM_WORLD, &q[i]);
    int left = n - 1;
    while (left > 0 && hsb_mpi_mono_s() <= deadline) {
        for (int i = 1; i < n; i++) {
            if (got[i]) continue;
            MPI_Test(&q[i], &got[i], MPI_STATUS_IGNORE);
            left -= got[i];
        }
        if (left) hsb_mpi_nap_s(0.0005);
    }
    if (left) {
        char list[512];
        missing(got, n, list, sizeof list);
        fprintf(stderr, "hsbench load: rank %s did not %s in time; ending the job\n", list, what);
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    free(q);
    free(in);
    free(got);
}

void hsb_mpi_arrive(hsb_load_mpi *m, int phase, double deadline, const char *what)
{
    if (m->size < 2) return;
    if (m->rank == 0) {
        collect(m, phase, deadline, what);
        return;
    }
    MPI_Request q;
    m->token = (uint32_t)phase;
    MPI_Isend(&m->token, 1, MPI_UINT32_T, 0, phase, MPI_COMM_WORLD, &q);
    hsb_mpi_wait(m, &q, deadline, "telling rank 0 it is ready");
}
