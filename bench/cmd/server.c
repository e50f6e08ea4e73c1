/*
 * hsbench server: serve TLS 1.2 to real clients (OpenSSL's s_client, hsbench
 * client, hsbench load) and echo their application data, on the event-driven
 * engine (bench/net/hsb_net_server.h): one epoll loop per pinned worker, our
 * core or libssl in the same loops. This file is the command: options in,
 * banner and exit status out.
 */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_cmd.h"
#include "hsb_cmd_opts.h"
#include "hsb_dh_groups.h"
#include "hsb_net_server.h"
#include "hsb_ref_libssl.h"
#include "hsb_tls.h"
#include "hsb_tls_cmd.h"

#define MAX_WORKERS 64

static void usage(FILE *to)
{
    fprintf(
        to,
        "usage: hsbench server --listen ADDR:PORT --cert FILE --key FILE [options]\n"
        "\n"
        "Serves TLS 1.2 (TLS_RSA_WITH_AES_128_CBC_SHA256 and/or\n"
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256) and echoes every byte of application data\n"
        "back until the client sends close_notify. Each worker thread runs one epoll\n"
        "loop with its own SO_REUSEPORT listener on the same port; sockets are\n"
        "non-blocking and a connection holds no TLS state until its first bytes arrive.\n"
        "\n"
        "  --listen ADDR:PORT   address to listen on; PORT 0 picks a free port. The first\n"
        "                       line printed is 'listening on ADDR:PORT' with the real port.\n"
        "  --cert FILE          PEM certificate chain, leaf first (RSA 2048..4096 key)\n"
        "  --key FILE           PEM private key of the leaf\n"
        "  --impl hsb|libssl    TLS implementation in the loops: our core (default) or\n"
        "                       OpenSSL's libssl (same suites, TLS 1.2 only, no tickets)\n"
        "  --kx rsa|dhe|both    key exchanges accepted (default both; the client's first\n"
        "                       acceptable suite wins)\n"
        "  --suite LIST         suites accepted, comma-separated: rsa-cbc, dhe-cbc,\n"
        "                       rsa-gcm, dhe-gcm (or IANA names): their key exchanges and\n"
        "                       record protections (default: the CBC suites of --kx; GCM\n"
        "                       needs a gcm class in the composition)\n"
        "  --dh-group NAME      DHE group: ffdhe2048 (default), ffdhe3072, ffdhe4096,\n"
        "                       modp2048, modp3072, modp4096\n"
        "  --dh-check full|range  check of the client's DH value (default full; hsb only)\n"
        "  --etm on|off         encrypt_then_mac (RFC 7366) for the CBC records (default\n"
        "                       on: used when the peer has it too, as libssl does)\n"
        "  --ems on|off         extended_master_secret (RFC 7627) (default on: used when\n"
        "                       the peer has it too, as libssl does)\n"
        "  --verify-client none|optional|require  ask clients for a certificate\n"
        "                       (--impl hsb; default none). optional: a client that sends none is\n"
        "                       served; require: it gets handshake_failure. A certificate\n"
        "                       sent must chain to --client-ca (else unknown_ca, ...) and\n"
        "                       its key must sign CertificateVerify (else decrypt_error)\n"
        "  --client-ca FILE     PEM CA certificate(s) that client certificates chain to\n"
        "                       (needed by optional and require; named in the request)\n"
        "  --backend SPEC       crypto composition for --impl hsb (default openssl), e.g.\n"
        "                       gmp or pk=gmp,cipher=openssl; see 'hsbench list'\n"
        "  --threads N          worker threads, one event loop each (default: one per PU\n"
        "                       available, max %d)\n"
        "  --pin POLICY         worker placement: compact (default), spread, pu, none\n"
        "  --pus LIST           run only on these PUs (OS numbers: 0, 0-3,8), as taskset\n"
        "  --handshake-timeout T  drop a connection whose handshake is not done T after\n"
        "                       its accept (idle and slowloris clients; default 10s)\n"
        "  --idle-timeout T     drop an established connection that makes no progress\n"
        "                       (sends nothing, takes none of its echo) for T (default\n"
        "                       30s); --timeout T is the same option\n"
        "  --max-open N         at most N open connections; more are accepted and closed\n"
        "                       at once, counted as refused (default: no cap)\n"
        "  --max-conns N        exit after N connections have ended (default: run until\n"
        "                       SIGINT/SIGTERM)\n"
        "  --log conn|none      conn (default): one line per connection on stdout, what\n"
        "                       was negotiated or the failing step and alert; none: quiet\n"
        "                       (for load)\n"
        "  --stats T            every T (e.g. 1s), one line on stderr: handshakes/s, open\n"
        "                       connections, failures by kind, refused, timeouts, bytes\n"
        "  --json FILE          at exit, the run in the suites' JSON schema (suite\n"
        "                       server: one repetition per --stats interval, 1s without\n"
        "                       it; the counters and the failures by step and alert in\n"
        "                       the row's 'server' object)\n"
        "\n"
        "T takes a unit: 500ms, 10s, 1.5 (seconds). Handshake messages are reassembled\n"
        "up to %d bytes (the largest legal ClientHello); a longer one gets\n"
        "illegal_parameter.\n"
        "\n"
        "SIGINT/SIGTERM: the listeners close, open connections get close_notify when\n"
        "established and are closed, and the server exits 0.\n"
        "\n"
        "Exit status: 0 after a clean stop; 1 when the server cannot start or the JSON\n"
        "cannot be written; 2 on usage errors (bad options, unreadable or unsuitable\n"
        "certificate or key files, a composition that lacks a class the handshake needs).\n",
        MAX_WORKERS, HSB_TLS_MAX_HS_MSG);
}

/* The server's own options (hsb_tls_cmd_parse takes the shared ones). */
typedef struct server_opts {
    const char *listen_at, *cert, *key, *group_name, *json, *pus;
    long threads, max_conns, max_open;
    double hs_timeout, idle_timeout, stats;
    int impl, pin, log_conns;
} server_opts;

enum {
    S_LISTEN = HSB_TLS_CMD_OWN,
    S_CERT,
    S_KEY,
    S_DHGROUP,
    S_THREADS,
    S_MAX_CONNS,
    S_TIMEOUT,
    S_HS_TIMEOUT,
    S_IMPL,
    S_MAX_OPEN,
    S_STATS,
    S_JSON,
    S_LOG,
    S_PIN,
    S_PUS,
};

static const struct option server_opts_table[] = {
    {"listen", required_argument, NULL, S_LISTEN},
    {"cert", required_argument, NULL, S_CERT},
    {"key", required_argument, NULL, S_KEY},
    {"dh-group", required_argument, NULL, S_DHGROUP},
    {"threads", required_argument, NULL, S_THREADS},
    {"max-conns", required_argument, NULL, S_MAX_CONNS},
    {"timeout", required_argument, NULL, S_TIMEOUT},
    {"idle-timeout", required_argument, NULL, S_TIMEOUT},
    {"handshake-timeout", required_argument, NULL, S_HS_TIMEOUT},
    {"impl", required_argument, NULL, S_IMPL},
    {"max-open", required_argument, NULL, S_MAX_OPEN},
    {"stats", required_argument, NULL, S_STATS},
    {"json", required_argument, NULL, S_JSON},
    {"log", required_argument, NULL, S_LOG},
    {"pin", required_argument, NULL, S_PIN},
    {"pus", required_argument, NULL, S_PUS},
    {NULL, 0, NULL, 0},
};

/* A time from 1 ms to a day. */
static double parse_time(const char *v, int *ok)
{
    double d = 0;
    if (!hsb_parse_duration(v, &d) || d < 1e-3 || d > 86400) *ok = 0;
    return d;
}

static void server_opt_more(server_opts *c, int id, const char *v, int *ok)
{
    switch (id) {
    case S_IMPL:
        if ((c->impl = hsb_net_impl_parse(v)) < 0) *ok = 0;
        break;
    case S_MAX_OPEN:
        c->max_open = hsb_tls_cmd_parse_long(v, 1, 1L << 30, ok);
        break;
    case S_STATS:
        c->stats = parse_time(v, ok);
        break;
    case S_JSON:
        c->json = v;
        break;
    case S_LOG:
        c->log_conns = !strcmp(v, "conn") ? 1 : !strcmp(v, "none") ? 0 : (*ok = 0);
        break;
    case S_PIN:
        if ((c->pin = hsb_pin_parse(v)) < 0) *ok = 0;
        break;
    case S_PUS:
        c->pus = v;
        break;
    }
}

static void server_opt(void *arg, int id, const char *v, int *ok)
{
    server_opts *c = arg;
    switch (id) {
    case S_LISTEN:
        c->listen_at = v;
        break;
    case S_CERT:
        c->cert = v;
        break;
    case S_KEY:
        c->key = v;
        break;
    case S_DHGROUP: /* checked after the required options */
        c->group_name = v;
        break;
    case S_THREADS:
        c->threads = hsb_tls_cmd_parse_long(v, 1, MAX_WORKERS, ok);
        break;
    case S_MAX_CONNS:
        c->max_conns = hsb_tls_cmd_parse_long(v, 1, 1L << 40, ok);
        break;
    case S_TIMEOUT:
        c->idle_timeout = parse_time(v, ok);
        break;
    case S_HS_TIMEOUT:
        c->hs_timeout = parse_time(v, ok);
        break;
    default:
        server_opt_more(c, id, v, ok);
    }
}

/* Our core's configuration: certificate, key and DH group on o's
 * composition. -1 to go on, else the exit status (message on stderr); the
 * caller frees *cfg either way. */
static int server_config(const hsb_tls_cmd_opts *o, const server_opts *c, const hsb_provider *prov,
                         const hsb_dh_group *group, hsb_tls_config **cfg)
{
    hsb_rc rc = hsb_tls_cmd_config(o, HSB_TLS_SERVER, prov, cfg);
    if (rc == HSB_OK) rc = hsb_tls_config_load_pem(*cfg, c->cert, c->key);
    if (rc == HSB_OK) rc = hsb_tls_config_set_dh_group(*cfg, group);
    if (rc == HSB_OK) return -1;
    fprintf(stderr, "hsbench server: %s\n", hsb_last_error());
    return rc == HSB_E_USAGE || rc == HSB_E_UNAVAILABLE || rc == HSB_E_UNSUPPORTED ? 2 : 1;
}

static const char *kx_name(unsigned kx)
{
    return kx == HSB_TLS_KX_ALL ? "rsa,dhe" : kx == HSB_TLS_KX_RSA ? "rsa" : "dhe";
}

/* The first lines on stdout: the address with the real port, then what is
 * served. */
static void print_banner(const char *host, unsigned bound, const char *backend,
                         const hsb_net_server_cfg *sc, unsigned kx, const hsb_dh_group *group)
{
    printf("listening on %s%s%s:%u\n", strchr(host, ':') ? "[" : "", host,
           strchr(host, ':') ? "]" : "", bound);
    printf("backend: %s; kx: %s; dh group: %s; threads: %u; pin: %s\n",
           sc->impl == HSB_NET_IMPL_LIBSSL ? hsb_ossl_impl() : backend, kx_name(kx), group->name,
           sc->threads, hsb_pin_name(sc->pin));
    fflush(stdout);
}

static int serve(hsb_net_server_cfg *sc, const char *backend, unsigned kx,
                 const hsb_dh_group *group)
{
    char err[512];
    unsigned bound = 0;
    hsb_net_server *s = NULL;
    if (hsb_net_server_new(sc, &s, &bound, err, sizeof err) != HSB_OK) {
        fprintf(stderr, "hsbench server: %s\n", err);
        return 1;
    }
    print_banner(sc->host, bound, backend, sc, kx, group);
    hsb_net_server_result res;
    hsb_rc rc = hsb_net_server_run(s, &res, err, sizeof err);
    hsb_net_server_free(s);
    if (rc != HSB_OK) {
        fprintf(stderr, "hsbench server: %s\n", err);
        return 1;
    }
    printf("stopped%s%s: %llu connections, %llu ok, %llu failed, %llu refused\n",
           res.signal ? " by " : "",
           res.signal == SIGINT    ? "SIGINT"
           : res.signal == SIGTERM ? "SIGTERM"
                                   : "",
           (unsigned long long)res.ended, (unsigned long long)res.ok,
           (unsigned long long)res.failed, (unsigned long long)res.refused);
    fflush(stdout);
    return res.json_failed ? 1 : 0;
}

/* The TLS side for the chosen implementation, then serve. */
static int run_impl(const hsb_tls_cmd_opts *o, const server_opts *c, hsb_net_server_cfg *sc,
                    const hsb_dh_group *group)
{
    static hsb_provider prov;
    hsb_tls_config *cfg = NULL;
    char backend[256];
    int st = -1;
    if (sc->impl == HSB_NET_IMPL_LIBSSL && o->ciphers != HSB_TLS_CIPHER_CBC) {
        fprintf(stderr, "hsbench server: --impl libssl serves the CBC suites only; --suite "
                        "with a GCM suite needs --impl hsb\n");
        return 2;
    }
    if (sc->impl == HSB_NET_IMPL_LIBSSL && o->verify_client != HSB_TLS_VERIFY_NONE) {
        fprintf(stderr, "hsbench server: --verify-client is for --impl hsb (the libssl server "
                        "does not ask for client certificates)\n");
        return 2;
    }
    if (sc->impl == HSB_NET_IMPL_LIBSSL) {
        char err[512];
        if (hsb_net_ossl_server_ctx(c->cert, c->key, o->kx, group->name, o->etm, o->ems, &sc->ctx,
                                    err, sizeof err) != HSB_OK) {
            fprintf(stderr, "hsbench server: %s\n", err);
            return 2;
        }
        /* The row's backend is the reference's short name (the version is
         * in its implementations and the banner). */
        snprintf(backend, sizeof backend, "libssl");
    } else {
        if (hsb_tls_cmd_provider(o, &prov) != HSB_OK) return 2;
        st = server_config(o, c, &prov, group, &cfg);
        hsb_provider_describe(&prov, backend, sizeof backend);
        sc->cfg = cfg;
    }
    sc->backend = backend;
    if (st < 0) st = serve(sc, backend, o->kx, group);
    hsb_tls_config_free(cfg);
    SSL_CTX_free(sc->ctx);
    return st;
}

/* The RSA size of the leaf in chain_file, for the report's row (0 when it
 * cannot be read: the configuration step says why). */
static unsigned leaf_bits(const char *chain_file)
{
    FILE *f = fopen(chain_file, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    EVP_PKEY *pk = x ? X509_get0_pubkey(x) : NULL;
    unsigned bits = pk ? (unsigned)EVP_PKEY_get_bits(pk) : 0;
    X509_free(x);
    if (f) fclose(f);
    ERR_clear_error();
    return bits;
}

/* The placement's worker count: --threads, or one per PU available. */
static unsigned default_threads(long threads)
{
    if (threads > 0) return (unsigned)threads;
    unsigned pus = hsb_topo_summarize().pus;
    return pus < 1 ? 1 : pus > MAX_WORKERS ? MAX_WORKERS : pus;
}

int hsb_cmd_server(int argc, char **argv)
{
    hsb_tls_cmd_opts o;
    server_opts c = {.group_name = "ffdhe2048",
                     .hs_timeout = 10,
                     .idle_timeout = 30,
                     .impl = HSB_NET_IMPL_HSB,
                     .pin = HSB_PIN_COMPACT,
                     .log_conns = 1};
    int st = hsb_tls_cmd_parse(argc, argv, "server", &o, usage, server_opts_table, server_opt, &c);
    if (st >= 0) return st;
    if (!c.listen_at || !c.cert || !c.key) {
        fprintf(stderr, "hsbench server: --listen, --cert and --key are required (see --help)\n");
        return 2;
    }
    char host[HSB_TLS_CMD_HOST], port[HSB_TLS_CMD_PORT];
    if (hsb_tls_cmd_address(&o, "--listen", c.listen_at, 1, host, port) != HSB_OK) return 2;
    const hsb_dh_group *group = hsb_dh_group_by_name(c.group_name);
    if (!group) {
        fprintf(stderr, "hsbench server: unknown --dh-group '%s'\n", c.group_name);
        return 2;
    }
    if (c.json && hsb_output_unwritable(c.json, 0)) {
        fprintf(stderr, "hsbench server: --json: cannot write %s\n", c.json);
        return 2;
    }
    if (c.pus && hsb_net_restrict_pus(c.pus) != HSB_OK) {
        fprintf(stderr, "hsbench server: --pus '%s': %s\n", c.pus, hsb_last_error());
        return 2;
    }
    hsb_net_server_cfg sc = {
        .impl = (hsb_net_impl)c.impl,
        .host = host,
        .port = port,
        .threads = default_threads(c.threads),
        .pin = (hsb_pin_policy)c.pin,
        .handshake_timeout_s = c.hs_timeout,
        .idle_timeout_s = c.idle_timeout,
        .max_open = c.max_open,
        .max_conns = c.max_conns,
        .log_conns = c.log_conns,
        .stats_s = c.stats,
        .json_path = c.json,
        .variant = o.kx == HSB_TLS_KX_ALL ? "rsa+dhe" : kx_name(o.kx),
        .group = o.kx & HSB_TLS_KX_DHE ? group->name : NULL,
        .bits = leaf_bits(c.cert),
    };
    return run_impl(&o, &c, &sc, group);
}
