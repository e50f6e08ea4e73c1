/*
 * hsbench load: the load generator against a TLS 1.2 server (options in,
 * bench/net/ runs the load, exit status out).
 */
#include <stdio.h>
#include <string.h>

#include "hsb_cmd.h"
#include "hsb_cmd_load.h"
#include "hsb_cmd_opts.h"
#include "hsb_suite.h"

static void usage(FILE *to)
{
    fputs("usage: hsbench load --connect HOST:PORT --cafile FILE [options]\n"
          "\n"
          "Many TLS 1.2 connections in flight against a server: each one a TCP\n"
          "connect, a full handshake (no resumption; the certificate checked as\n"
          "'hsbench client' does), --requests round trips, close_notify. T pinned\n"
          "threads, each an epoll loop; closed loop, or open loop with --rate.\n"
          "Reports connections (= handshakes)/s, handshake latency p50/p90/p99/p99.9/max\n"
          "(from the connect, or in an open loop from each connection's scheduled\n"
          "start), failures by kind, and the client's own CPU time per connection\n"
          "(its loop threads' CPU clocks). A line per second on stderr.\n"
          "\n"
          "  --connect HOST:PORT  server to connect to ([V6ADDR]:PORT for IPv6)\n",
          to);
    hsb_load_cli d;
    hsb_load_cli_defaults(&d);
    hsb_load_cli_help_target(to);
    hsb_load_cli_help(to, &d);
    fputs("\nUnder Open MPI's mpirun (builds with -DHSB_MPI=ON), each rank runs this load\n"
          "on its own threads against the same server, started together; --threads and\n"
          "--connections are per rank, --rate and --handshakes totals split over the\n"
          "ranks. Rank 0 writes one result: the merged row and a row per rank (README,\n"
          "'Beyond one machine').\n"
          "\nExit status: 0 when every connection succeeded, 1 when any failed (unless\n"
          "--allow-errors) or the run could not take place, 2 on usage errors.\n",
          to);
}

typedef struct load_args {
    hsb_load_cli c;
} load_args;

static void load_opt(void *arg, int id, const char *v, int *ok)
{
    load_args *a = arg;
    hsb_load_cli_opt(&a->c, id, v, ok);
}

/* The variant of a row: the key exchanges offered. */
static const char *kx_word(unsigned kx)
{
    return kx == HSB_TLS_KX_RSA ? "rsa" : kx == HSB_TLS_KX_DHE ? "dhe" : "rsa+dhe";
}

int hsb_load_cmd_measure(const hsb_tls_cmd_opts *o, const hsb_load_cli *c, hsb_load_client *cl,
                         hsb_report *r, hsb_load_row *row)
{
    if (hsb_load_cli_cfg(c, cl, cl->host, cl->port, &row->cfg) != HSB_OK) {
        fprintf(stderr, "hsbench load: %s\n", hsb_last_error());
        return 1;
    }
    row->cfg.label = "load";
    r->maps[r->n_maps++] = row->cfg.pl;
    hsb_figure *f = hsb_load_row_add(r, row, kx_word(o->kx), cl->label, c->repetitions);
    if (!f) return 1;
    hsb_figure_impl(f, "client", cl->label);
    f->is_reference = c->impl == HSB_NET_IMPL_LIBSSL;
    for (unsigned k = 0; k < c->repetitions; k++)
        if (hsb_load_row_rep(r, row) != HSB_OK) break;
    hsb_load_row_finish(r, row);
    f = &r->fig[row->fig];
    if (f->unstarted)
        hsb_report_warn(r,
                        "%s: %llu scheduled connections never started (all places busy): "
                        "raise --connections or lower --rate",
                        f->name, (unsigned long long)f->unstarted);
    return 0;
}

/* The repetitions of one row into r, then the report. The exit status. */
static int measure(const hsb_tls_cmd_opts *o, const hsb_load_cli *c, hsb_load_client *cl,
                   hsb_report *r)
{
    static hsb_load_row row;
    if (hsb_load_cmd_measure(o, c, cl, r, &row)) return 1;
    return hsb_exit_status(hsb_report_output(r));
}

int hsb_load_cmd_parse(int argc, char **argv, hsb_tls_cmd_opts *o, hsb_load_cli *c, hsb_opts *ro)
{
    load_args a;
    hsb_load_cli_defaults(&a.c);
    int st = hsb_tls_cmd_parse(argc, argv, "load", o, usage, hsb_load_cli_opts, load_opt, &a);
    if (st >= 0) return st;
    if (!a.c.connect_to) {
        fprintf(stderr, "hsbench load: --connect is required (see --help)\n");
        return 2;
    }
    if ((st = hsb_load_cli_check(o, &a.c)) != 0) return st;
    *c = a.c;
    hsb_load_cli_report_opts(c, "load", ro);
    return hsb_opts_check_outputs(ro);
}

int hsb_cmd_load(int argc, char **argv)
{
#ifdef HSB_MPI
    int mst = hsb_cmd_load_mpi(argc, argv); /* under mpirun: one rank of the load */
    if (mst >= 0) return mst;
#endif
    hsb_tls_cmd_opts o;
    load_args a;
    hsb_opts ro;
    int st = hsb_load_cmd_parse(argc, argv, &o, &a.c, &ro);
    if (st >= 0) return st;
    hsb_load_client cl;
    st = hsb_load_client_new(&o, &a.c, &cl);
    if (st < 0) {
        hsb_report r;
        hsb_report_init(&r, &ro);
        st = measure(&o, &a.c, &cl, &r);
        hsb_report_free(&r);
    }
    hsb_load_client_free(&cl);
    return st;
}
