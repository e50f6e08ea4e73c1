/*
 * hsbench load as one rank of an MPI job (HSB_MPI builds): the options of
 * `hsbench load`, the repetitions run over every rank (bench/net/mpi/), and
 * one result written by rank 0. The exit status is rank 0's on every rank.
 */
#include <stdio.h>

#include "hsb_cmd.h"
#include "hsb_cmd_load.h"
#include "hsb_cmd_opts.h"
#include "hsb_load_mpi.h"

/* The row over all ranks, then (rank 0) the report. The exit status. */
static int measure(hsb_load_mpi *m, const hsb_tls_cmd_opts *o, const hsb_load_cli *c,
                   hsb_load_client *cl, hsb_report *r)
{
    static hsb_load_row row;
    row.run = hsb_load_mpi_run;
    row.run_arg = m;
    int st = hsb_load_cmd_measure(o, c, cl, r, &row);
    if (hsb_load_mpi_report(m, r, row.fig) != HSB_OK) {
        fprintf(stderr, "hsbench load: out of memory for the rows of the ranks\n");
        st = 1;
    }
    if (hsb_load_mpi_rank(m) != 0) return st;
    int out = hsb_exit_status(hsb_report_output(r));
    return st ? st : out;
}

int hsb_cmd_load_mpi(int argc, char **argv)
{
    if (!hsb_load_mpi_launched()) return -1;
    hsb_tls_cmd_opts o;
    hsb_load_cli c;
    hsb_opts ro;
    int st = hsb_load_cmd_parse(argc, argv, &o, &c, &ro);
    if (st >= 0) return st; /* every rank parsed the same words */
    char err[320];
    hsb_load_mpi *m = hsb_load_mpi_init(&argc, &argv, err, sizeof err);
    if (!m) {
        fprintf(stderr, "hsbench load: %s\n", err);
        return 1;
    }
    if (hsb_load_mpi_rank(m) != 0) { /* rank 0 alone writes and prints */
        ro.json_path = ro.csv_path = NULL;
        ro.quiet = 1;
    }
    hsb_load_client cl;
    st = hsb_load_client_new(&o, &c, &cl);
    /* A rank whose client could not be made (a CA file missing on its host)
     * has said why on its stderr; every rank learns which one it was. */
    if (hsb_load_mpi_agree(m, st < 0 ? HSB_OK : HSB_E_USAGE, "could not set up its client", err,
                           sizeof err) != HSB_OK) {
        if (hsb_load_mpi_rank(m) == 0) fprintf(stderr, "hsbench load: %s\n", err);
        st = st >= 0 ? st : 1;
    } else {
        hsb_report r;
        hsb_report_init(&r, &ro);
        st = measure(m, &o, &c, &cl, &r);
        hsb_report_free(&r);
    }
    hsb_load_client_free(&cl);
    return hsb_load_mpi_end(m, st);
}
