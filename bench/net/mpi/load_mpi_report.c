/* The rows of the ranks and their contexts: see hsb_load_mpi.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mpi_internal.h"

/* Every rank's context (hsb_context_json of its own report) as text onto
 * rank 0, parsed back into m->contexts, in rank order. */
static void gather_contexts(hsb_load_mpi *m, hsb_report *r)
{
    json_t *c = hsb_context_json(r);
    char *txt = c ? json_dumps(c, JSON_COMPACT) : NULL;
    json_decref(c);
    int n = txt ? (int)strlen(txt) + 1 : 0, *lens = NULL, *at = NULL;
    double deadline = hsb_mpi_mono_s() + 60 + HSB_MPI_GRACE_S;
    if (m->rank == 0) {
        lens = calloc((size_t)m->size, sizeof *lens);
        at = calloc((size_t)m->size, sizeof *at);
        if (!lens || !at) MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Request q;
    MPI_Igather(&n, 1, MPI_INT, lens, 1, MPI_INT, 0, MPI_COMM_WORLD, &q);
    hsb_mpi_wait(m, &q, deadline, "gathering the contexts' sizes");
    char *all = NULL;
    if (m->rank == 0) {
        size_t total = 0;
        for (int i = 0; i < m->size; i++) {
            at[i] = (int)total;
            total += (size_t)lens[i];
        }
        if (!(all = malloc(total ? total : 1))) MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Igatherv(txt ? txt : "", n, MPI_CHAR, all, lens, at, MPI_CHAR, 0, MPI_COMM_WORLD, &q);
    hsb_mpi_wait(m, &q, deadline, "gathering the contexts");
    free(txt);
    if (m->rank == 0) {
        json_t *arr = json_array();
        for (int i = 0; i < m->size; i++) {
            json_t *one = lens[i] ? json_loads(all + at[i], 0, NULL) : NULL;
            json_array_append_new(arr, one ? one : json_null());
        }
        m->contexts = arr;
        r->rank_contexts = arr;
    }
    free(all);
    free(lens);
    free(at);
}

/* Rank i's placement as its summaries carry it. */
static void rank_placement(const rank_sum *s, hsb_placement *pl)
{
    memset(pl, 0, sizeof *pl);
    pl->threads = s->threads;
    pl->pin = (hsb_pin_policy)s->pin;
    for (unsigned k = 0; k < s->threads && k < HSB_MAX_THREADS; k++) {
        pl->pu[k] = s->pus[k];
        pl->core[k] = s->cores[k];
    }
}

/* The repetitions of rank i into f. */
static void rank_reps(const hsb_load_mpi *m, int i, hsb_figure *f)
{
    for (unsigned k = 0; k < m->n_reps; k++) {
        const rank_sum *s = &m->sums[(size_t)k * (size_t)m->size + (size_t)i];
        hsb_rep *p = &f->reps[k];
        p->wall_s = s->wall_s;
        p->cpu_s = s->cpu_s;
        p->client_cpu_s = s->cpu_s;
        p->iters = s->ok;
        p->errors = s->failed;
        if (s->failed)
            snprintf(p->first_error, sizeof p->first_error, "rank %d (%.40s): %.90s", i, s->host,
                     s->msg);
        p->tcp_lat = s->lat;
        f->unstarted += s->unstarted;
        for (unsigned e = 0; e < HSB_LOAD_ERR_KINDS; e++) f->err_kind[e].n += s->errors[e];
    }
    f->n_reps = m->n_reps;
    f->measured = 1;
}

/* One row for rank i after the aggregate (a copy: r->fig may move). */
static hsb_rc rank_row(hsb_load_mpi *m, hsb_report *r, const hsb_figure *agg, int i)
{
    const rank_sum *last = &m->sums[(size_t)(m->n_reps - 1) * (size_t)m->size + (size_t)i];
    size_t idx;
    hsb_figure *f = hsb_report_add_row(r, &idx, "tcp", agg->variant, agg->backend, last->threads);
    if (!f || !(f->reps = calloc(m->n_reps, sizeof *f->reps))) return HSB_E_NOMEM;
    snprintf(f->name, sizeof f->name, "%.170s/rank:%d", agg->name, i);
    memcpy(f->impl, agg->impl, sizeof f->impl);
    f->n_impl = agg->n_impl;
    f->is_reference = agg->is_reference;
    f->duration_s = agg->duration_s;
    f->offered_rate = last->rate;
    f->connections = last->connections;
    rank_placement(last, &f->pl);
    memcpy(f->cpus_seen, last->cpus_seen, sizeof f->cpus_seen);
    f->n_err_kinds = HSB_LOAD_ERR_KINDS;
    for (unsigned e = 0; e < HSB_LOAD_ERR_KINDS; e++)
        f->err_kind[e].name = hsb_load_err_name((hsb_load_err)e);
    rank_reps(m, i, f);
    f->tcp_lat = last->lat_all;
    f->tcp_conn_lat = last->conn_all;
    f->ranks = (unsigned)m->size;
    f->rank = i;
    snprintf(f->host, sizeof f->host, "%s", last->host);
    return HSB_OK;
}

/* The aggregate: named for its ranks; connections and threads are the sums,
 * its thread map the ranks' in rank order (each PU on its rank's host). */
static void mark_aggregate(hsb_load_mpi *m, hsb_figure *f)
{
    const rank_sum *last = &m->sums[(size_t)(m->n_reps - 1) * (size_t)m->size];
    unsigned t = 0, conns = 0;
    for (int i = 0; i < m->size; i++) {
        for (unsigned k = 0; k < last[i].threads && t < HSB_MAX_THREADS; k++, t++) {
            f->pl.pu[t] = last[i].pus[k];
            f->pl.core[t] = last[i].cores[k];
            f->cpus_seen[t] = last[i].cpus_seen[k];
        }
        conns += last[i].connections;
    }
    /* the name's connections are the total; the ranks follow */
    char *tail = strstr(f->name, "/conns:");
    size_t o = tail ? (size_t)(tail - f->name) : strlen(f->name);
    snprintf(f->name + o, sizeof f->name - o, "/conns:%u/ranks:%d", conns, m->size);
    f->pl.threads = t;
    f->threads = t;
    f->connections = conns;
    f->ranks = (unsigned)m->size;
    f->rank = -1;
}

hsb_rc hsb_mpi_rank_rows(hsb_load_mpi *m, hsb_report *r, size_t fig)
{
    if (r->fig[fig].error[0] || !m->n_reps) return HSB_OK; /* the error names the rank */
    mark_aggregate(m, &r->fig[fig]);
    hsb_figure agg = r->fig[fig]; /* the identity only: reps stay with the original */
    for (int i = 0; i < m->size; i++)
        if (rank_row(m, r, &agg, i) != HSB_OK) return HSB_E_NOMEM;
    return HSB_OK;
}

hsb_rc hsb_load_mpi_report(hsb_load_mpi *m, hsb_report *r, size_t fig)
{
    gather_contexts(m, r);
    return m->rank == 0 ? hsb_mpi_rank_rows(m, r, fig) : HSB_OK;
}
