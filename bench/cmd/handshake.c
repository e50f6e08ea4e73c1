/* hsbench handshake: options in, the handshake suite, exit status out. */
#include "hsb_cmd.h"
#include "hsb_cmd_opts.h"
#include "hsb_breakdown.h"
#include "hsb_suite.h"

static const char usage[] =
    "usage: hsbench handshake [options]\n\n"
    "Full TLS 1.2 handshakes per second (TLS_RSA_WITH_AES_128_CBC_SHA256 or\n"
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256; the AES-128-GCM suites with --suite)\n"
    "over an in-memory pair, each worker\n"
    "running a client and a server: our TLS core on each backend composition,\n"
    "and libssl doing the same handshake (the reference rows). The certificate\n"
    "chain and host name and both Finished messages are checked every time.\n"
    "Reports rate (total and per thread), scaling against 1 thread, latency\n"
    "percentiles, the client/server CPU split, and failed handshakes (exit 1\n"
    "unless --allow-errors).\n"
    "Defaults: --kx rsa,dhe, --bits 2048, --threads 1,all, --etm on, --ems on (as\n"
    "libssl), 300ms x 5 after 100ms.\n\n"
    "options:\n";

int hsb_cmd_handshake(int argc, char **argv)
{
    hsb_opts o;
    hsb_opts_defaults(&o, "handshake");
    o.threads[0] = 1;
    o.threads[1] = hsb_topo_summarize().pus;
    o.n_threads = o.threads[1] > 1 ? 2 : 1;
    unsigned accept = HSB_OPT_BACKEND | HSB_OPT_THREADS | HSB_OPT_PIN | HSB_OPT_DURATION |
                      HSB_OPT_OUTPUT | HSB_OPT_KX | HSB_OPT_BITS | HSB_OPT_DH | HSB_OPT_REFERENCE |
                      HSB_OPT_BREAKDOWN | HSB_OPT_ALLOW_ERRORS | HSB_OPT_ETM | HSB_OPT_EMS |
                      HSB_OPT_SUITE | HSB_OPT_INFLIGHT;
    int st = hsb_opts_parse(&o, argc, argv, accept, usage);
    if (st < 0) st = hsb_opts_check_outputs(&o);
    if (st >= 0) return st;
    hsb_report r;
    hsb_report_init(&r, &o);
    st = hsb_exit_status(hsb_report_run(&r, &(hsb_stage){hsb_suite_handshake, &o}, 1));
    if (st == 0) {
        st = hsb_exit_status(hsb_report_output(&r));
        hsb_breakdown_print(&r, stdout);
    }
    hsb_report_free(&r);
    return st;
}
