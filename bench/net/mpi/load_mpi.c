/* The load generator over MPI ranks: see hsb_load_mpi.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "mpi_internal.h"

enum { PHASE_START = 1, PHASE_END = 2 };
#define START_WAIT_S 60 /* setting up threads and TLS objects takes far less */

int hsb_load_mpi_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMI_SIZE") != NULL;
}

hsb_load_mpi *hsb_load_mpi_init(int *argc, char ***argv, char *err, size_t len)
{
    int have = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &have) != MPI_SUCCESS) {
        snprintf(err, len, "MPI_Init_thread failed");
        return NULL;
    }
    hsb_load_mpi *m = calloc(1, sizeof *m);
    if (!m || have < MPI_THREAD_FUNNELED) {
        snprintf(err, len, m ? "MPI offers no MPI_THREAD_FUNNELED" : "out of memory");
        free(m);
        MPI_Finalize();
        return NULL;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    if (gethostname(m->host, sizeof m->host) != 0) snprintf(m->host, sizeof m->host, "unknown");
    m->host[sizeof m->host - 1] = 0;
    m->hs_all = malloc(sizeof *m->hs_all);
    m->conn_all = malloc(sizeof *m->conn_all);
    m->gathered = calloc((size_t)m->size, sizeof *m->gathered);
    if (!m->hs_all || !m->conn_all || !m->gathered) {
        snprintf(err, len, "out of memory");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    hsb_lat_hist_init(m->hs_all);
    hsb_lat_hist_init(m->conn_all);
    m->dump_path = getenv("HSB_TEST_DUMP_LATENCIES");
    return m;
}

int hsb_load_mpi_rank(const hsb_load_mpi *m)
{
    return m->rank;
}

int hsb_load_mpi_size(const hsb_load_mpi *m)
{
    return m->size;
}

/* ------------------------------------------------------------ agreement */

typedef struct verdict {
    int32_t rc;
    char msg[320];
} verdict;

/* Rank 0's verdict over the gathered statuses: the first rank that failed on
 * its own (not merely called off because of another) is named. */
static void judge(const hsb_load_mpi *m, const rank_sum *all, verdict *v)
{
    v->rc = HSB_OK;
    v->msg[0] = 0;
    for (int pass = 0; pass < 2 && v->rc == HSB_OK; pass++)
        for (int i = 0; i < m->size; i++) {
            if (all[i].rc == HSB_OK || (pass == 0 && all[i].called_off)) continue;
            v->rc = all[i].rc;
            snprintf(v->msg, sizeof v->msg, "rank %d (%.40s): %.250s", i, all[i].host, all[i].msg);
            break;
        }
}

/* Broadcast rank 0's verdict; every rank returns it. */
static hsb_rc announce(hsb_load_mpi *m, verdict *v, double deadline, char *err, size_t len)
{
    MPI_Request q;
    MPI_Ibcast(v, (int)sizeof *v, MPI_BYTE, 0, MPI_COMM_WORLD, &q);
    hsb_mpi_wait(m, &q, deadline, "waiting for rank 0's verdict");
    if (v->rc != HSB_OK) snprintf(err, len, "%s", v->msg);
    return (hsb_rc)v->rc;
}

/* Gather this rank's summary (m->mine) into rank 0's m->gathered. */
static void gather_mine(hsb_load_mpi *m, double deadline, const char *what)
{
    MPI_Request q;
    MPI_Igather(&m->mine, (int)sizeof m->mine, MPI_BYTE, m->gathered, (int)sizeof m->mine, MPI_BYTE,
                0, MPI_COMM_WORLD, &q);
    hsb_mpi_wait(m, &q, deadline, what);
}

hsb_rc hsb_load_mpi_agree(hsb_load_mpi *m, hsb_rc local, const char *why, char *err, size_t len)
{
    double deadline = hsb_mpi_mono_s() + START_WAIT_S + HSB_MPI_GRACE_S;
    hsb_mpi_arrive(m, PHASE_START, deadline, "set up");
    memset(&m->mine, 0, sizeof m->mine);
    m->mine.rc = local;
    snprintf(m->mine.host, sizeof m->mine.host, "%s", m->host);
    snprintf(m->mine.msg, sizeof m->mine.msg, "%s", why ? why : "");
    gather_mine(m, deadline, "agreeing on the set-up");
    verdict v = {0};
    if (m->rank == 0) judge(m, m->gathered, &v);
    return announce(m, &v, deadline, err, len);
}

/* ---------------------------------------------------------------- start */

/* before_start of this rank's load: agree that every rank is ready, then
 * wait for the common start that rank 0 broadcasts (plus this rank's open
 * loop offset). */
static hsb_rc sync_start(void *arg, hsb_rc setup)
{
    hsb_load_mpi *m = arg;
    m->synced = 1;
    double deadline = hsb_mpi_mono_s() + START_WAIT_S + HSB_MPI_GRACE_S;
    hsb_mpi_arrive(m, PHASE_START, deadline, "set up its load threads");
    int bad = setup != HSB_OK, any = 0;
    MPI_Request q;
    MPI_Iallreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &q);
    hsb_mpi_wait(m, &q, deadline, "agreeing on the start");
    if (any) {
        m->mine.called_off = !bad;
        return HSB_E_IO;
    }
    double t0 = m->rank == 0 ? hsb_mpi_real_s() + HSB_MPI_LEAD_S : 0;
    MPI_Ibcast(&t0, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD, &q);
    hsb_mpi_wait(m, &q, deadline, "waiting for the start time");
    /* A clock behind rank 0's by more than a second (or ahead by more than
     * the lead) cannot keep the common start: start at once and say so. */
    double off = m->mine.start_offset_s, delay = t0 + off - hsb_mpi_real_s();
    if (delay < 0 || delay > off + HSB_MPI_LEAD_S + 1) {
        m->mine.skewed = 1;
        delay = delay < 0 ? 0 : off;
    }
    hsb_mpi_nap_s(delay);
    return HSB_OK;
}

static void on_latency(void *arg, unsigned thread, uint64_t ns)
{
    hsb_load_mpi *m = arg;
    raw_buf *b = &m->raw[thread];
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        uint64_t *v = realloc(b->v, cap * sizeof *v);
        if (!v) return; /* the dump will be short, and the test says so */
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = ns;
}

/* This rank's share of the load (see hsb_load_mpi.h) and the hooks. */
static void share(hsb_load_mpi *m, const hsb_load_cfg *cfg)
{
    m->cfg = *cfg;
    unsigned n = (unsigned)m->size, i = (unsigned)m->rank;
    m->cfg.rate = cfg->rate / n;
    m->cfg.handshakes = cfg->handshakes / n + (i < cfg->handshakes % n ? 1 : 0);
    m->cfg.progress = cfg->progress && m->rank == 0;
    m->cfg.before_start = sync_start;
    m->cfg.on_hs_latency = m->dump_path ? on_latency : NULL;
    m->cfg.hook_arg = m;
    const char *t = getenv("HSB_TEST_MPI_RANK_PORT"); /* "R:PORT" */
    int r = -1;
    if (t && sscanf(t, "%d:%15s", &r, m->port) == 2 && r == m->rank) m->cfg.port = m->port;
    memset(&m->mine, 0, sizeof m->mine);
    m->mine.start_offset_s = cfg->rate > 0 ? m->rank / cfg->rate : 0;
}

/* ---------------------------------------------------------------- merge */

/* This rank's summary of its repetition. */
static void summarize(hsb_load_mpi *m, hsb_rc rc, const hsb_load_result *res, const char *err)
{
    rank_sum *s = &m->mine;
    const hsb_placement *pl = &m->cfg.pl;
    s->rc = rc;
    snprintf(s->host, sizeof s->host, "%s", m->host);
    snprintf(s->msg, sizeof s->msg, "%s", rc != HSB_OK ? err : res->first_error);
    s->threads = pl->threads;
    s->connections = m->cfg.connections;
    s->pin = pl->pin;
    s->rate = m->cfg.rate;
    for (unsigned i = 0; i < pl->threads && i < HSB_MAX_THREADS; i++) {
        s->pus[i] = pl->pu[i];
        s->cores[i] = pl->core[i];
        s->cpus_seen[i] = res->cpus_seen[i];
    }
    if (rc != HSB_OK) return;
    s->ok = res->ok;
    s->failed = res->failed;
    s->unstarted = res->unstarted;
    s->bytes = res->bytes;
    memcpy(s->errors, res->errors, sizeof s->errors);
    s->wall_s = res->wall_s;
    s->cpu_s = res->cpu_s;
    hsb_lat_points_of(&res->hs, &s->lat);
    hsb_lat_hist_merge(m->hs_all, &res->hs);
    hsb_lat_hist_merge(m->conn_all, &res->conn);
    hsb_lat_points_of(m->hs_all, &s->lat_all);
    hsb_lat_points_of(m->conn_all, &s->conn_all);
}

/* The counters and both histograms, as one vector of sums. */
enum { CNT_OK, CNT_FAILED, CNT_UNSTARTED, CNT_BYTES, CNT_ERR };
#define CNT_HIST (CNT_ERR + HSB_LOAD_ERR_KINDS)
#define CNT_N (CNT_HIST + 2 * (2 + HSB_LH_BUCKETS))

static void pack_hist(uint64_t *v, const hsb_lat_hist *h)
{
    v[0] = h->count;
    v[1] = h->clamped;
    memcpy(v + 2, h->bucket, sizeof h->bucket);
}

static void unpack_hist(const uint64_t *v, hsb_lat_hist *h)
{
    h->count = v[0];
    h->clamped = v[1];
    memcpy(h->bucket, v + 2, sizeof h->bucket);
}

static void pack(uint64_t *v, const hsb_load_result *res)
{
    v[CNT_OK] = res->ok;
    v[CNT_FAILED] = res->failed;
    v[CNT_UNSTARTED] = res->unstarted;
    v[CNT_BYTES] = res->bytes;
    memcpy(v + CNT_ERR, res->errors, sizeof res->errors);
    pack_hist(v + CNT_HIST, &res->hs);
    pack_hist(v + CNT_HIST + 2 + HSB_LH_BUCKETS, &res->conn);
}

static void unpack(const uint64_t *v, hsb_load_result *res)
{
    res->ok = v[CNT_OK];
    res->failed = v[CNT_FAILED];
    res->unstarted = v[CNT_UNSTARTED];
    res->bytes = v[CNT_BYTES];
    memcpy(res->errors, v + CNT_ERR, sizeof res->errors);
    unpack_hist(v + CNT_HIST, &res->hs);
    unpack_hist(v + CNT_HIST + 2 + HSB_LH_BUCKETS, &res->conn);
}

/* Sum the counters and histograms onto rank 0 bucket by bucket (min, max
 * and the sums for the mean by their own operations); *out gets them there. */
static void reduce(hsb_load_mpi *m, const hsb_load_result *res, hsb_load_result *out,
                   double deadline)
{
    uint64_t *in = malloc(CNT_N * sizeof *in), *sum = malloc(CNT_N * sizeof *sum);
    if (!in || !sum) MPI_Abort(MPI_COMM_WORLD, 1);
    pack(in, res);
    uint64_t lo[2] = {res->hs.min, res->conn.min}, hi[2] = {res->hs.max, res->conn.max};
    uint64_t lo_all[2], hi_all[2];
    double s[2] = {res->hs.sum, res->conn.sum}, s_all[2];
    MPI_Request q[4];
    MPI_Ireduce(in, sum, CNT_N, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD, &q[0]);
    MPI_Ireduce(lo, lo_all, 2, MPI_UINT64_T, MPI_MIN, 0, MPI_COMM_WORLD, &q[1]);
    MPI_Ireduce(hi, hi_all, 2, MPI_UINT64_T, MPI_MAX, 0, MPI_COMM_WORLD, &q[2]);
    MPI_Ireduce(s, s_all, 2, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD, &q[3]);
    for (int i = 0; i < 4; i++) hsb_mpi_wait(m, &q[i], deadline, "merging the histograms");
    if (m->rank == 0) {
        unpack(sum, out);
        out->hs.min = lo_all[0];
        out->conn.min = lo_all[1];
        out->hs.max = hi_all[0];
        out->conn.max = hi_all[1];
        out->hs.sum = s_all[0];
        out->conn.sum = s_all[1];
    }
    free(in);
    free(sum);
}

/* Rank 0, a good repetition: the union's times from the ranks' summaries
 * (the longest rank from the common start; CPU summed), the first failure
 * named by its rank; the summaries kept for the rows of the ranks. */
static hsb_rc conclude(hsb_load_mpi *m, hsb_load_result *agg)
{
    agg->wall_s = 0;
    agg->cpu_s = 0;
    agg->first_error[0] = 0;
    for (int i = 0; i < m->size; i++) {
        const rank_sum *s = &m->gathered[i];
        double w = s->start_offset_s + s->wall_s;
        if (w > agg->wall_s) agg->wall_s = w;
        agg->cpu_s += s->cpu_s;
        if (s->failed && !agg->first_error[0])
            snprintf(agg->first_error, sizeof agg->first_error, "rank %d (%.40s): %.180s", i,
                     s->host, s->msg);
        if (s->failed)
            fprintf(stderr,
                    "hsbench load: rank %d (%s): %llu of %llu connections failed (first: %s)\n", i,
                    s->host, (unsigned long long)s->failed, (unsigned long long)(s->failed + s->ok),
                    s->msg);
        if (s->skewed)
            fprintf(stderr,
                    "hsbench load: rank %d (%s): its clock is too far from rank 0's for the "
                    "common start; it started when the start time came\n",
                    i, s->host);
    }
    size_t n = (size_t)(m->n_reps + 1) * (size_t)m->size;
    rank_sum *grown = realloc(m->sums, n * sizeof *grown);
    if (!grown) return HSB_E_NOMEM;
    m->sums = grown;
    memcpy(m->sums + (size_t)m->n_reps * (size_t)m->size, m->gathered,
           (size_t)m->size * sizeof *grown);
    m->n_reps++;
    return HSB_OK;
}

static void dump_raw(hsb_load_mpi *m)
{
    char path[512];
    snprintf(path, sizeof path, "%s.%d", m->dump_path, m->rank);
    FILE *f = fopen(path, m->dumped++ ? "a" : "w");
    for (unsigned t = 0; t < HSB_MAX_THREADS; t++) {
        for (size_t i = 0; f && i < m->raw[t].n; i++)
            fprintf(f, "%llu\n", (unsigned long long)m->raw[t].v[i]);
        m->raw[t].n = 0;
    }
    if (!f || fclose(f) != 0) fprintf(stderr, "hsbench load: cannot write %s\n", path);
}

hsb_rc hsb_load_mpi_run(void *arg, const hsb_load_cfg *cfg, hsb_load_result *res, char *err,
                        size_t len)
{
    hsb_load_mpi *m = arg;
    share(m, cfg);
    m->synced = 0;
    hsb_rc rc = hsb_load_run(&m->cfg, res, err, len);
    /* A rank that failed before its threads were ready never reached the
     * start's agreement: it takes part now, so that the others learn. */
    if (!m->synced) (void)sync_start(m, rc);
    summarize(m, rc, res, err);
    if (m->dump_path) dump_raw(m);
    double span = cfg->duration_s > res->wall_s ? cfg->duration_s : res->wall_s;
    double deadline = hsb_mpi_mono_s() + 2 * span + cfg->timeout_s + HSB_MPI_GRACE_S;
    hsb_mpi_arrive(m, PHASE_END, deadline, "finish its run");
    gather_mine(m, deadline, "gathering the ranks' results");
    hsb_load_result *agg = m->rank == 0 ? calloc(1, sizeof *agg) : NULL;
    if (m->rank == 0 && !agg) MPI_Abort(MPI_COMM_WORLD, 1);
    reduce(m, res, agg, deadline);
    verdict v = {0};
    if (m->rank == 0) {
        judge(m, m->gathered, &v);
        if (v.rc == HSB_OK && conclude(m, agg) != HSB_OK) {
            v.rc = HSB_E_NOMEM;
            snprintf(v.msg, sizeof v.msg, "rank 0: out of memory");
        }
        if (v.rc == HSB_OK) {
            memcpy(agg->cpus_seen, res->cpus_seen, sizeof agg->cpus_seen);
            *res = *agg;
        }
    }
    free(agg);
    return announce(m, &v, deadline, err, len);
}

int hsb_load_mpi_end(hsb_load_mpi *m, int st)
{
    int32_t v = st;
    MPI_Request q;
    MPI_Ibcast(&v, 1, MPI_INT32_T, 0, MPI_COMM_WORLD, &q);
    hsb_mpi_wait(m, &q, hsb_mpi_mono_s() + START_WAIT_S, "agreeing on the exit status");
    MPI_Finalize();
    for (unsigned t = 0; t < HSB_MAX_THREADS; t++) free(m->raw[t].v);
    if (m->contexts) json_decref(m->contexts);
    free(m->hs_all);
    free(m->conn_all);
    free(m->gathered);
    free(m->sums);
    free(m);
    return v;
}
