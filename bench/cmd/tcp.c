/*
 * hsbench tcp: our server against the libssl server (and nginx) under the
 * same load generator, in one run on disjoint PUs: the servers start as
 * child processes pinned to the server PUs, the client loops run on the
 * client PUs, the repetitions interleave.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsb_certgen.h"
#include "hsb_cmd.h"
#include "hsb_cmd_load.h"
#include "hsb_cmd_opts.h"
#include "hsb_tcp_target.h"

#ifndef HSB_NGINX_TARGET
#define HSB_NGINX_TARGET "scripts/nginx-target"
#endif

#define MAX_TARGETS 4
#define MAX_CLIENTS 2
#define MAX_RATES 16
#define MAX_ROWS (MAX_TARGETS * MAX_CLIENTS * MAX_RATES)

static const char *const target_names[MAX_TARGETS] = {"hsb-openssl", "hsb-native",
                                                      "libssl-reference", "nginx"};

/* A tcp run's own defaults for the load options. */
#define TCP_DURATION_S 3
#define TCP_REPETITIONS 3

static void usage(FILE *to)
{
    fputs("usage: hsbench tcp [options]\n"
          "\n"
          "Handshakes/s of TLS servers over loopback TCP under one load generator, in one\n"
          "run: 'hsbench server' (this binary) with --backend openssl (hsb-openssl) and\n"
          "--backend native (hsb-native), 'hsbench server --impl libssl' (the reference,\n"
          "libssl-reference) and nginx (when /usr/sbin/nginx is there; through\n"
          "scripts/nginx-target: 1 worker by default). The servers run on --server-pus,\n"
          "the client's loops on --client-pus; the repetitions interleave (repetition k\n"
          "of every row, in an order that rotates with k). Each row: connections/s,\n"
          "handshake latency p50/p90/p99/p99.9/max, the client's CPU per connection,\n"
          "ratio to the reference. A certificate (RSA --bits, for localhost) is made\n"
          "for the run. With --rates, an open-loop sweep (one row per rate and server)\n"
          "for 'scripts/plot'.\n"
          "\n"
          "  --server-pus LIST    PUs of the servers (default: the first PU)\n"
          "  --client-pus LIST    PUs of the load generator (default: the other PUs, or\n"
          "                       the first when there is only one). PU lists are OS\n"
          "                       numbers (0, 0-3,8) of PUs this process may run on\n"
          "  --server-threads N   server workers / nginx workers (default: one per\n"
          "                       server PU)\n"
          "  --targets LIST       of hsb-openssl,hsb-native,libssl-reference,nginx\n"
          "                       (default all; nginx only when present)\n"
          "  --clients LIST       client implementations, hsb,libssl (default hsb); rows\n"
          "                       per client, each compared with the reference under the\n"
          "                       same client\n"
          "  --rates LIST         open loop at each offered rate (connections/s), e.g.\n"
          "                       200,400,800; without it, closed loop\n"
          "  --bits N             the server's RSA key (default 2048)\n"
          "  --kx rsa|dhe         the key exchange (default rsa)\n"
          "  --warmup D           a closed-loop run per server first, not counted (1s)\n"
          "  --nginx PATH         nginx binary (default /usr/sbin/nginx)\n"
          "  --nginx-target PATH  the script that starts it (default: the source tree's)\n"
          "  --data B, --requests K  K echo round trips of B bytes per connection against\n"
          "                       our servers; against nginx, K HTTP/1.1 GETs (return 200)\n"
          "\nThe load generator's options (each repetition is one load of --duration):\n",
          to);
    hsb_load_cli d;
    hsb_load_cli_defaults(&d);
    d.duration_s = TCP_DURATION_S;
    d.repetitions = TCP_REPETITIONS;
    hsb_load_cli_help(to, &d);
    fputs("  (--connect, --cafile, --servername and --impl are set by the run itself:\n"
          "  --clients picks the client implementations)\n"
          "\nExit status: 0 when every row was measured without errors, 1 otherwise\n"
          "(a server that did not start, failed connections unless --allow-errors),\n"
          "2 on usage errors.\n",
          to);
}

typedef struct tcp_args {
    hsb_load_cli c;
    int server_pus[HSB_MAX_THREADS], client_pus[HSB_MAX_THREADS];
    size_t n_server_pus, n_client_pus;
    unsigned server_threads, bits;
    int want[MAX_TARGETS];
    int clients[MAX_CLIENTS];
    size_t n_clients;
    double rates[MAX_RATES];
    size_t n_rates;
    double warmup_s;
    const char *nginx, *script;
} tcp_args;

enum {
    T_SERVER_PUS = HSB_TLS_CMD_OWN,
    T_CLIENT_PUS,
    T_SERVER_THREADS,
    T_TARGETS,
    T_CLIENTS,
    T_RATES,
    T_BITS,
    T_WARMUP,
    T_NGINX,
    T_NGINX_TARGET,
};

/* The command's own options, then the load generator's. */
static struct option tcp_opts[64] = {
    {"server-pus", required_argument, NULL, T_SERVER_PUS},
    {"client-pus", required_argument, NULL, T_CLIENT_PUS},
    {"server-threads", required_argument, NULL, T_SERVER_THREADS},
    {"targets", required_argument, NULL, T_TARGETS},
    {"clients", required_argument, NULL, T_CLIENTS},
    {"rates", required_argument, NULL, T_RATES},
    {"bits", required_argument, NULL, T_BITS},
    {"warmup", required_argument, NULL, T_WARMUP},
    {"nginx", required_argument, NULL, T_NGINX},
    {"nginx-target", required_argument, NULL, T_NGINX_TARGET},
};

/* "a,b,c" against names: sets flags[i] for each; 0 on an unknown word. */
static int parse_names(const char *v, const char *const *names, size_t n, int *flags)
{
    memset(flags, 0, n * sizeof *flags);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < n && strcmp(w, names[i])) i++;
        if (i == n) return 0;
        flags[i] = 1;
    }
    return 1;
}

static size_t parse_rates(const char *v, double *out, size_t cap)
{
    size_t n = 0;
    char *end;
    for (const char *s = v; *s; s = *end ? end + 1 : end) {
        double r = strtod(s, &end);
        if (end == s || !(r > 0) || n == cap || (*end && *end != ',')) return 0;
        out[n++] = r;
    }
    return n;
}

static void tcp_opt(void *arg, int id, const char *v, int *ok)
{
    tcp_args *a = arg;
    static const char *const impls[] = {"hsb", "libssl"};
    int f[2];
    switch (id) {
    case T_SERVER_PUS:
        *ok = (a->n_server_pus = hsb_pu_list_parse(v, a->server_pus, HSB_MAX_THREADS)) > 0;
        break;
    case T_CLIENT_PUS:
        *ok = (a->n_client_pus = hsb_pu_list_parse(v, a->client_pus, HSB_MAX_THREADS)) > 0;
        break;
    case T_SERVER_THREADS:
        a->server_threads = (unsigned)hsb_tls_cmd_parse_long(v, 1, HSB_MAX_THREADS, ok);
        break;
    case T_TARGETS:
        *ok = parse_names(v, target_names, MAX_TARGETS, a->want);
        break;
    case T_CLIENTS:
        *ok = parse_names(v, impls, 2, f);
        a->n_clients = 0;
        for (int i = 0; i < 2; i++)
            if (f[i]) a->clients[a->n_clients++] = i ? HSB_NET_IMPL_LIBSSL : HSB_NET_IMPL_HSB;
        break;
    case T_RATES:
        *ok = (a->n_rates = parse_rates(v, a->rates, MAX_RATES)) > 0;
        break;
    case T_BITS:
        a->bits = (unsigned)hsb_tls_cmd_parse_long(v, 2048, 4096, ok);
        break;
    case T_WARMUP:
        *ok = hsb_parse_duration(v, &a->warmup_s);
        break;
    case T_NGINX:
        a->nginx = v;
        break;
    case T_NGINX_TARGET:
        a->script = v;
        break;
    default:
        if (!hsb_load_cli_opt(&a->c, id, v, ok)) *ok = 0;
    }
}

/* ------------------------------------------------------------ the run */

typedef struct tcp_run {
    tcp_args *a;
    const hsb_tls_cmd_opts *o;
    char dir[256], ca[300], chain[300], key[300];
    hsb_tcp_target targets[MAX_TARGETS];
    int up[MAX_TARGETS];
    hsb_load_client clients[MAX_CLIENTS];
    hsb_load_row *rows;
    size_t n_rows;
    int row_target[MAX_ROWS];
    char variant[32];
} tcp_run;

/* Server and client PUs from the topology when not given. */
static void default_pus(tcp_args *a)
{
    hsb_placement pl;
    unsigned n = hsb_topo_summarize().pus;
    if (n == 0 || hsb_place(n, HSB_PIN_PU, &pl) != HSB_OK) {
        pl.pu[0] = 0;
        n = 1;
    }
    if (!a->n_server_pus) a->server_pus[a->n_server_pus++] = pl.pu[0];
    for (unsigned i = 0; !a->n_client_pus && i < n; i++) {
        int taken = 0;
        for (size_t k = 0; k < a->n_server_pus; k++) taken |= a->server_pus[k] == pl.pu[i];
        if (!taken) a->client_pus[a->n_client_pus++] = pl.pu[i];
    }
    if (!a->n_client_pus) a->client_pus[a->n_client_pus++] = pl.pu[0];
    if (!a->server_threads) a->server_threads = (unsigned)a->n_server_pus;
}

/* "0,1" from a PU list. */
static void pu_text(const int *pus, size_t n, char *out, size_t len)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(out + o, len - o, "%s%d", i ? "," : "", pus[i]);
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

/* The run's folder and certificate. 0, or -1 with a message. */
static int make_certs(tcp_run *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/hsbench-tcp-XXXXXX");
    const hsb_cert_set *set;
    if (!mkdtemp(t->dir)) {
        perror("hsbench tcp: mkdtemp");
        t->dir[0] = '\0';
        return -1;
    }
    snprintf(t->ca, sizeof t->ca, "%s/ca.pem", t->dir);
    snprintf(t->chain, sizeof t->chain, "%s/chain.pem", t->dir);
    snprintf(t->key, sizeof t->key, "%s/key.pem", t->dir);
    if (hsb_certgen_get(t->a->bits, HSB_CERT_GOOD, &set) != HSB_OK ||
        hsb_certgen_write_pem(set, t->ca, t->chain, t->key) != HSB_OK) {
        fprintf(stderr, "hsbench tcp: certificate: %s\n", hsb_last_error());
        return -1;
    }
    return 0;
}

/* Start target i (a server child or nginx). 0, or -1 after a note. */
static int start_target(tcp_run *t, int i, hsb_report *r)
{
    tcp_args *a = t->a;
    hsb_tcp_target *g = &t->targets[i];
    snprintf(g->name, sizeof g->name, "%s", target_names[i]);
    char pus[256], threads[16], log[320], err[1024];
    pu_text(a->server_pus, a->n_server_pus, pus, sizeof pus);
    snprintf(threads, sizeof threads, "%u", a->server_threads);
    snprintf(log, sizeof log, "%s/%s.log", t->dir, g->name);
    const char *kx = t->o->kx == HSB_TLS_KX_DHE ? "dhe" : "rsa";
    const char *etm = t->o->etm ? "on" : "off", *ems = t->o->ems ? "on" : "off";
    hsb_rc rc;
    if (i == 3) {
        char dir[300];
        snprintf(dir, sizeof dir, "%s/nginx", t->dir);
        rc = hsb_tcp_nginx_start(g, a->script, a->nginx, dir, t->chain, t->key, a->server_threads,
                                 pus, err, sizeof err);
    } else {
        const char *impl = i == 2 ? "libssl" : "hsb", *backend = i == 1 ? "native" : "openssl";
        /* --log none: a line per connection would be part of what is measured */
        const char *args[] = {"--cert", t->chain, "--key",  t->key, "--threads", threads,
                              "--pus",  pus,      "--kx",   kx,     "--etm",     etm,
                              "--ems",  ems,      "--impl", impl,   "--backend", backend,
                              "--log",  "none",   NULL};
        rc = hsb_tcp_server_start(g, "/proc/self/exe", args, a->server_pus, a->n_server_pus, log,
                                  err, sizeof err);
    }
    if (rc == HSB_OK) return 0;
    hsb_report_note(r, "%s", err);
    return -1;
}

/* The row of target i under client ci at rate index ri. 0, or -1. */
static int add_row(tcp_run *t, hsb_report *r, size_t ci, size_t ri, int i)
{
    tcp_args *a = t->a;
    hsb_load_row *row = &t->rows[t->n_rows];
    hsb_load_cli c = a->c;
    c.impl = a->clients[ci];
    c.rate = a->n_rates ? a->rates[ri] : 0;
    c.http = i == 3 && c.requests > 0; /* nginx answers GETs, not echoes */
    if (hsb_load_cli_cfg(&c, &t->clients[ci], "127.0.0.1", t->targets[i].port, &row->cfg) != HSB_OK)
        return -1;
    row->cfg.label = target_names[i];
    char backend[64];
    snprintf(backend, sizeof backend, "%s%s%s", target_names[i], a->n_clients > 1 ? "/client:" : "",
             a->n_clients > 1 ? t->clients[ci].label : "");
    hsb_figure *f = hsb_load_row_add(r, row, t->variant, backend, a->c.repetitions);
    if (!f) return -1;
    hsb_figure_impl(f, "server", target_names[i]);
    hsb_figure_impl(f, "client", t->clients[ci].label);
    f->is_reference = i == 2;
    t->row_target[t->n_rows++] = i;
    return 0;
}

/* The rows: per client, per rate (0: closed loop), per running target. */
static int add_rows(tcp_run *t, hsb_report *r)
{
    size_t n_rates = t->a->n_rates ? t->a->n_rates : 1;
    for (size_t ci = 0; ci < t->a->n_clients; ci++)
        for (size_t ri = 0; ri < n_rates; ri++)
            for (int i = 0; i < MAX_TARGETS; i++)
                if (t->up[i] && add_row(t, r, ci, ri, i) != 0) return -1;
    return 0;
}

/* Each row's reference: the libssl-reference row of its client and rate. */
static void link_refs(tcp_run *t, hsb_report *r)
{
    for (size_t k = 0; k < t->n_rows; k++) {
        hsb_figure *f = &r->fig[t->rows[k].fig];
        for (size_t j = 0; j < t->n_rows && !f->is_reference; j++) {
            const hsb_load_row *q = &t->rows[j];
            if (t->row_target[j] == 2 && q->cfg.rate == t->rows[k].cfg.rate &&
                q->cfg.impl == t->rows[k].cfg.impl)
                f->ref = (long)q->fig;
        }
    }
}

/* A closed-loop run per server and client, not counted (caches, page
 * faults, the servers' free lists), before any repetition. */
static void warm_up(tcp_run *t)
{
    int done[MAX_TARGETS][2] = {{0}};
    for (size_t k = 0; k < t->n_rows && t->a->warmup_s > 0; k++) {
        hsb_load_cfg w = t->rows[k].cfg;
        int *once = &done[t->row_target[k]][w.impl == HSB_NET_IMPL_LIBSSL];
        if (*once) continue;
        *once = 1;
        w.rate = 0;
        w.duration_s = t->a->warmup_s;
        w.handshakes = 0;
        w.progress = 0;
        hsb_load_result *res = malloc(sizeof *res);
        char err[256];
        if (res && hsb_load_run(&w, res, err, sizeof err) != HSB_OK)
            fprintf(stderr, "hsbench tcp: warm-up of %s: %s\n", w.label, err);
        free(res);
    }
}

/* Repetition k of every row, in an order that rotates with k. */
static void measure(tcp_run *t, hsb_report *r)
{
    for (unsigned k = 0; k < t->a->c.repetitions; k++)
        for (size_t j = 0; j < t->n_rows; j++) {
            hsb_load_row *row = &t->rows[(j + k) % t->n_rows];
            if (!r->quiet)
                fprintf(stderr, "hsbench tcp: repetition %u/%u: %s\n", k + 1, t->a->c.repetitions,
                        r->fig[row->fig].name);
            if (hsb_load_row_rep(r, row) != HSB_OK) continue;
        }
    for (size_t j = 0; j < t->n_rows; j++) hsb_load_row_finish(r, &t->rows[j]);
}

static double median_rate(const hsb_figure *f)
{
    double x[1024];
    unsigned n = f->n_reps < 1024 ? f->n_reps : 1024;
    for (unsigned k = 0; k < n; k++) x[k] = hsb_rep_rate(&f->reps[k]);
    return hsb_summarize(x, n).median;
}

/* "hsb-native vs nginx" notes: ratios of medians of rows under the same
 * load (the table's ratios are to the libssl reference). */
static void compare_notes(tcp_run *t, hsb_report *r)
{
    for (size_t k = 0; k < t->n_rows; k++) {
        if (t->row_target[k] != 3) continue;
        const hsb_figure *ng = &r->fig[t->rows[k].fig];
        for (size_t j = 0; j < t->n_rows; j++) {
            const hsb_figure *f = &r->fig[t->rows[j].fig];
            if (t->row_target[j] > 1 || !f->measured || !ng->measured ||
                t->rows[j].cfg.rate != t->rows[k].cfg.rate ||
                t->rows[j].cfg.impl != t->rows[k].cfg.impl || median_rate(ng) <= 0)
                continue;
            hsb_report_note(r, "%s vs %s: %.3f (ratio of the median rates)", f->name, ng->name,
                            median_rate(f) / median_rate(ng));
        }
    }
}

/* Targets up, rows measured, output. The exit status. */
static int run(tcp_run *t, hsb_report *r)
{
    tcp_args *a = t->a;
    if (make_certs(t) != 0) return 1;
    a->c.cafile = t->ca;
    a->c.servername = "localhost";
    a->c.connect_to = "localhost:0";
    a->c.n_pus = a->n_client_pus;
    memcpy(a->c.pus, a->client_pus, sizeof a->c.pus);
    if (a->c.threads < a->n_client_pus && !a->c.threads_given)
        a->c.threads = (unsigned)a->n_client_pus;
    for (size_t ci = 0; ci < a->n_clients; ci++) {
        hsb_load_cli c = a->c;
        c.impl = a->clients[ci];
        int st = hsb_load_client_new(t->o, &c, &t->clients[ci]);
        if (st >= 0) return st;
    }
    int any = 0;
    for (int i = 0; i < MAX_TARGETS; i++)
        if (a->want[i]) any |= t->up[i] = start_target(t, i, r) == 0;
    if (!any) return 1;
    t->rows = calloc(MAX_ROWS, sizeof *t->rows);
    if (!t->rows || add_rows(t, r) != 0) return 1;
    hsb_placement pl = t->rows[0].cfg.pl;
    r->maps[r->n_maps++] = pl;
    link_refs(t, r);
    warm_up(t);
    measure(t, r);
    compare_notes(t, r);
    int st = hsb_exit_status(hsb_report_output(r));
    for (int i = 0; i < MAX_TARGETS; i++)
        if (a->want[i] && !t->up[i] && st == 0 && i != 3) st = 1; /* a server did not start */
    return st;
}

static void cleanup(tcp_run *t, int keep)
{
    for (int i = 0; i < MAX_TARGETS; i++) hsb_tcp_target_stop(&t->targets[i]);
    for (size_t ci = 0; ci < t->a->n_clients; ci++) hsb_load_client_free(&t->clients[ci]);
    free(t->rows);
    if (t->dir[0] && !keep) nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (t->dir[0] && keep) fprintf(stderr, "hsbench tcp: the servers' logs are in %s\n", t->dir);
}

int hsb_cmd_tcp(int argc, char **argv)
{
    static tcp_args a;
    memset(&a, 0, sizeof a);
    hsb_load_cli_defaults(&a.c);
    a.c.duration_s = TCP_DURATION_S;
    a.c.repetitions = TCP_REPETITIONS;
    a.bits = 2048;
    a.warmup_s = 1;
    a.nginx = "/usr/sbin/nginx";
    a.script = HSB_NGINX_TARGET;
    a.clients[a.n_clients++] = HSB_NET_IMPL_HSB;
    for (int i = 0; i < MAX_TARGETS; i++) a.want[i] = 1;
    size_t n = 0;
    while (tcp_opts[n].name) n++;
    for (size_t i = 0; hsb_load_cli_opts[i].name && n < 63; i++)
        tcp_opts[n++] = hsb_load_cli_opts[i];
    hsb_tls_cmd_opts o;
    int st = hsb_tls_cmd_parse(argc, argv, "tcp", &o, usage, tcp_opts, tcp_opt, &a);
    if (st >= 0) return st;
    if (o.kx == HSB_TLS_KX_ALL) o.kx = HSB_TLS_KX_RSA; /* one key exchange per run */
    default_pus(&a);
    a.c.cafile = "(made by the run)";
    if ((st = hsb_load_cli_check(&o, &a.c)) != 0) return st;
    hsb_opts ro;
    hsb_load_cli_report_opts(&a.c, "tcp", &ro);
    if ((st = hsb_opts_check_outputs(&ro)) >= 0) return st;
    tcp_run t = {.a = &a, .o = &o};
    snprintf(t.variant, sizeof t.variant, "%s-%u", o.kx == HSB_TLS_KX_DHE ? "dhe" : "rsa", a.bits);
    hsb_report r;
    hsb_report_init(&r, &ro);
    st = run(&t, &r);
    cleanup(&t, st != 0);
    hsb_report_free(&r);
    return st;
}
