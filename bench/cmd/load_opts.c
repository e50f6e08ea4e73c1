/* The load generator's options and client side: see hsb_cmd_load.h. */
#include "hsb_cmd_load.h"

#include <errno.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_cmd_opts.h"

enum {
    L_CONNECT = HSB_LOAD_OPT_FIRST,
    L_CAFILE,
    L_SERVERNAME,
    L_THREADS,
    L_PIN,
    L_PUS,
    L_CONNECTIONS,
    L_RATE,
    L_DURATION,
    L_HANDSHAKES,
    L_DATA,
    L_REQUESTS,
    L_HTTP,
    L_IMPL,
    L_TIMEOUT,
    L_MIN_DH,
    L_ALLOW_ERRORS,
    L_JSON,
    L_CSV,
    L_QUIET,
    L_REPETITIONS,
};

const struct option hsb_load_cli_opts[] = {
    {"connect", required_argument, NULL, L_CONNECT},
    {"cafile", required_argument, NULL, L_CAFILE},
    {"servername", required_argument, NULL, L_SERVERNAME},
    {"threads", required_argument, NULL, L_THREADS},
    {"pin", required_argument, NULL, L_PIN},
    {"pus", required_argument, NULL, L_PUS},
    {"connections", required_argument, NULL, L_CONNECTIONS},
    {"rate", required_argument, NULL, L_RATE},
    {"duration", required_argument, NULL, L_DURATION},
    {"handshakes", required_argument, NULL, L_HANDSHAKES},
    {"data", required_argument, NULL, L_DATA},
    {"requests", required_argument, NULL, L_REQUESTS},
    {"http", no_argument, NULL, L_HTTP},
    {"impl", required_argument, NULL, L_IMPL},
    {"timeout", required_argument, NULL, L_TIMEOUT},
    {"min-dh-bits", required_argument, NULL, L_MIN_DH},
    {"allow-errors", no_argument, NULL, L_ALLOW_ERRORS},
    {"json", required_argument, NULL, L_JSON},
    {"csv", required_argument, NULL, L_CSV},
    {"quiet", no_argument, NULL, L_QUIET},
    {"repetitions", required_argument, NULL, L_REPETITIONS},
    {NULL, 0, NULL, 0},
};

void hsb_load_cli_defaults(hsb_load_cli *c)
{
    memset(c, 0, sizeof *c);
    c->threads = 1;
    c->pin = HSB_PIN_COMPACT;
    c->connections = 64;
    c->repetitions = 1;
    c->duration_s = 5;
    c->timeout_s = 10;
    c->min_dh = 2048;
    c->impl = HSB_NET_IMPL_HSB;
}

/* The options that take a number or a duration. */
static int number_opt(hsb_load_cli *c, int id, const char *v, int *ok)
{
    switch (id) {
    case L_THREADS:
        c->threads = (unsigned)hsb_tls_cmd_parse_long(v, 1, HSB_MAX_THREADS, ok);
        c->threads_given = 1;
        return 1;
    case L_CONNECTIONS:
        c->connections = (unsigned)hsb_tls_cmd_parse_long(v, 1, 1000000, ok);
        return 1;
    case L_RATE:
        c->rate = strtod(v, NULL);
        if (!(c->rate > 0 && c->rate < 1e8)) *ok = 0;
        return 1;
    case L_DURATION:
        if (!hsb_parse_duration(v, &c->duration_s) || c->duration_s <= 0) *ok = 0;
        c->handshakes = 0;
        return 1;
    case L_TIMEOUT:
        if (!hsb_parse_duration(v, &c->timeout_s) || c->timeout_s <= 0) *ok = 0;
        return 1;
    case L_HANDSHAKES:
        c->handshakes = hsb_tls_cmd_parse_long(v, 1, 1L << 40, ok);
        c->duration_s = 0;
        return 1;
    case L_DATA:
        c->data = hsb_tls_cmd_parse_long(v, 0, 1L << 30, ok);
        return 1;
    case L_REQUESTS:
        c->requests = (unsigned)hsb_tls_cmd_parse_long(v, 0, 1000000, ok);
        return 1;
    case L_MIN_DH:
        c->min_dh = hsb_tls_cmd_parse_long(v, 512, 8192, ok);
        return 1;
    case L_REPETITIONS:
        c->repetitions = (unsigned)hsb_tls_cmd_parse_long(v, 1, 1000, ok);
        return 1;
    default:
        return 0;
    }
}

int hsb_load_cli_opt(hsb_load_cli *c, int id, const char *v, int *ok)
{
    if (number_opt(c, id, v, ok)) return 1;
    switch (id) {
    case L_CONNECT:
        c->connect_to = v;
        return 1;
    case L_CAFILE:
        c->cafile = v;
        return 1;
    case L_SERVERNAME:
        c->servername = v;
        return 1;
    case L_PIN: {
        int p = hsb_pin_parse(v);
        if (p < 0) *ok = 0;
        c->pin = (hsb_pin_policy)(p < 0 ? 0 : p);
        return 1;
    }
    case L_PUS:
        c->n_pus = hsb_pu_list_parse(v, c->pus, HSB_MAX_THREADS);
        if (!c->n_pus) *ok = 0;
        return 1;
    case L_HTTP:
        c->http = 1;
        return 1;
    case L_IMPL:
        c->impl = hsb_net_impl_parse(v);
        if (c->impl < 0) *ok = 0;
        return 1;
    case L_ALLOW_ERRORS:
        c->allow_errors = 1;
        return 1;
    case L_JSON:
        c->json_path = v;
        return 1;
    case L_CSV:
        c->csv_path = v;
        return 1;
    case L_QUIET:
        c->quiet = 1;
        return 1;
    default:
        return 0;
    }
}

void hsb_load_cli_help_target(FILE *to)
{
    fputs("  --cafile FILE        PEM file of trusted CA certificate(s) (required)\n"
          "  --servername NAME    name the certificate must carry, sent as SNI when it is\n"
          "                       a DNS name (default: HOST)\n"
          "  --impl hsb|libssl    the client's TLS: our core on --backend (default hsb),\n"
          "                       or OpenSSL's libssl (the reference client)\n",
          to);
}

void hsb_load_cli_help(FILE *to, const hsb_load_cli *defaults)
{
    fputs("  --threads T          client loop threads, each an epoll loop (default 1)\n"
          "  --pin POLICY         compact|spread|pu|none: where the threads run\n"
          "  --pus LIST           run thread i on PU LIST[i mod n] (\"1\", \"2,3\", \"4-7\")\n"
          "  --connections C      connections in flight at most, in total (default 64;\n"
          "                       at least T)\n"
          "  --rate R             open loop: R new connections/s in total (R/T per thread,\n"
          "                       on a fixed schedule); latency counts from each one's\n"
          "                       scheduled start even when it starts late. Without it:\n"
          "                       closed loop, a new connection as soon as one ends\n",
          to);
    fprintf(to, "  --duration D         stop starting connections after D (default %gs)\n",
            defaults->duration_s);
    fputs("  --handshakes N       or: N connections in all\n"
          "  --data B             echo requests: B bytes sent and checked back\n"
          "  --requests K         requests per connection (default 1 with --data or\n"
          "                       --http, else 0: handshake and close_notify only)\n"
          "  --http               requests are 'GET / HTTP/1.1' and the answer must be 200\n"
          "                       with a Content-Length body (nginx's 'return 200'); --data\n"
          "                       is then not used\n"
          "  --timeout D          a connection not done after D fails as a timeout\n"
          "                       (default 10s)\n"
          "  --min-dh-bits N      smallest DH prime accepted (default 2048)\n",
          to);
    fprintf(to, "  --repetitions N      measure N times (default %u)\n", defaults->repetitions);
    fputs("  --allow-errors       exit 0 even when connections failed\n"
          "  --json FILE, --csv FILE  results (suite tcp; bench/RESULTS.md)\n"
          "  --quiet              no progress lines\n"
          "  --backend SPEC, --kx rsa|dhe|both, --dh-check full|range, --etm on|off,\n"
          "  --ems on|off         as for 'hsbench client'\n",
          to);
}

int hsb_load_cli_check(const hsb_tls_cmd_opts *o, hsb_load_cli *c)
{
    if ((c->data > 0 || c->http) && c->requests == 0) c->requests = 1;
    if (c->requests > 0 && c->data == 0 && !c->http) {
        fprintf(stderr, "hsbench %s: --requests needs --data B or --http\n", o->cmd);
        return 2;
    }
    if (c->connections < c->threads) {
        fprintf(stderr, "hsbench %s: --connections must be at least --threads\n", o->cmd);
        return 2;
    }
    if (!c->cafile) {
        fprintf(stderr, "hsbench %s: --cafile is required (see --help)\n", o->cmd);
        return 2;
    }
    return 0;
}

/* Our core's client configuration for cl. HSB_OK, or the error (message in
 * hsb_last_error). */
static hsb_rc client_hsb(const hsb_tls_cmd_opts *o, const hsb_load_cli *c, hsb_load_client *cl)
{
    hsb_rc rc = hsb_tls_cmd_config(o, HSB_TLS_CLIENT, &cl->prov, &cl->cfg);
    if (rc == HSB_OK) rc = hsb_tls_config_load_anchors(cl->cfg, c->cafile);
    if (rc == HSB_OK)
        rc = hsb_tls_config_set_server_name(cl->cfg, c->servername ? c->servername : cl->host);
    if (rc == HSB_OK) hsb_tls_config_set_min_dh_bits(cl->cfg, (unsigned)c->min_dh);
    return rc;
}

int hsb_load_client_new(const hsb_tls_cmd_opts *o, const hsb_load_cli *c, hsb_load_client *cl)
{
    memset(cl, 0, sizeof *cl);
    const char *to = c->connect_to ? c->connect_to : "127.0.0.1:0";
    if (hsb_tls_cmd_address(o, "--connect", to, 0, cl->host, cl->port) != HSB_OK) return 2;
    if (c->impl == HSB_NET_IMPL_LIBSSL) {
        char err[256];
        if (hsb_net_ossl_client_ctx(c->cafile, o->kx, o->etm, o->ems, &cl->ctx, err, sizeof err) !=
            HSB_OK) {
            fprintf(stderr, "hsbench %s: %s\n", o->cmd, err);
            return 2;
        }
        snprintf(cl->label, sizeof cl->label, "libssl");
        return -1;
    }
    if (hsb_tls_cmd_provider(o, &cl->prov) != HSB_OK) return 2;
    hsb_rc rc = client_hsb(o, c, cl);
    if (rc != HSB_OK) {
        fprintf(stderr, "hsbench %s: %s\n", o->cmd, hsb_last_error());
        return rc == HSB_E_USAGE || rc == HSB_E_UNAVAILABLE ? 2 : 1;
    }
    snprintf(cl->label, sizeof cl->label, "hsb:%.80s", o->spec);
    return -1;
}

void hsb_load_client_free(hsb_load_client *cl)
{
    hsb_tls_config_free(cl->cfg);
    SSL_CTX_free(cl->ctx);
    cl->cfg = NULL;
    cl->ctx = NULL;
}

hsb_rc hsb_load_placement(unsigned n, hsb_pin_policy pin, const int *list, size_t n_list,
                          hsb_placement *pl)
{
    if (!n_list) return hsb_place(n, pin, pl);
    memset(pl, 0, sizeof *pl);
    pl->threads = n;
    pl->pin = HSB_PIN_PU;
    for (unsigned i = 0; i < n; i++) {
        pl->pu[i] = list[i % n_list];
        pl->core[i] = -1;
    }
    pl->oversubscribed = n > n_list;
    return HSB_OK;
}

hsb_rc hsb_load_cli_cfg(const hsb_load_cli *c, const hsb_load_client *cl, const char *host,
                        const char *port, hsb_load_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->host = host;
    cfg->port = port;
    cfg->impl = (hsb_net_impl)c->impl;
    cfg->tls = cl->cfg;
    cfg->ctx = cl->ctx;
    cfg->server_name = c->servername ? c->servername : cl->host;
    cfg->connections = c->connections;
    cfg->rate = c->rate;
    cfg->duration_s = c->duration_s;
    cfg->handshakes = (uint64_t)c->handshakes;
    cfg->data = (size_t)c->data;
    cfg->requests = c->requests;
    cfg->http = c->http;
    cfg->timeout_s = c->timeout_s;
    cfg->progress = !c->quiet;
    return hsb_load_placement(c->threads, c->pin, c->pus, c->n_pus, &cfg->pl);
}

void hsb_load_cli_report_opts(const hsb_load_cli *c, const char *cmd, hsb_opts *o)
{
    hsb_opts_defaults(o, cmd);
    o->json_path = c->json_path;
    o->csv_path = c->csv_path;
    o->pin = c->n_pus ? HSB_PIN_PU : c->pin;
    o->repetitions = c->repetitions;
    o->duration_s = c->duration_s;
    o->warmup_s = 0;
    o->allow_errors = c->allow_errors;
    o->quiet = c->quiet;
    o->threads[0] = c->threads;
    o->n_threads = 1;
}
