/*
 * The default suite (`hsbench`, `hsbench suite`): the figures a reader of
 * the README wants first, with their reference rows, in about two minutes on
 * a 2-core machine:
 *   handshake  rsa-2048 and dhe-2048 (ffdhe2048), 1 thread and all PUs
 *   modexp     2048 bits: modexp, RSA CRT, DH keygen and derive (1 thread)
 *   bulk       1024 and 16384 bytes, every primitive and the record layer
 * It prints the table and writes results/latest.json (or --json FILE).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hsb_cmd.h"
#include "hsb_cmd_opts.h"
#include "hsb_suite.h"

static const char usage[] =
    "usage: hsbench [suite] [options]\n\n"
    "The default suite: handshakes (rsa-2048, dhe-2048; 1 thread and all PUs),\n"
    "modexp at 2048 bits, and bulk throughput at 1024 and 16384 bytes, each with\n"
    "OpenSSL's reference rows. Writes results/latest.json unless --json names\n"
    "another file. Per-suite timing (unless --duration/--warmup are given):\n"
    "handshake 400ms x 5 after 200ms, modexp 200ms x 5 after 100ms, bulk 170ms x 5\n"
    "after 50ms. --threads, when given, replaces the thread counts of all three\n"
    "(default: handshakes at 1 and all PUs, the others at 1). Handshakes run with\n"
    "encrypt-then-MAC and the extended master secret on, as libssl by default; the\n"
    "record rows are MAC-then-encrypt (record-seal, record-open), the order in\n"
    "which libssl's reference (SSL_write/SSL_read, no encrypt_then_mac) uses its\n"
    "stitched AES-CBC + HMAC-SHA256; 'hsbench bulk' measures both MAC orders. The\n"
    "GCM record rows (record-seal-gcm, record-open-gcm, RFC 5288) are measured\n"
    "too, against libssl's own AES128-GCM-SHA256 records.\n\n"
    "options:\n";

/* No --json: results/latest.json, checked like --json before the run. -1,
 * or 1 when it cannot be written. */
static int default_json(hsb_opts *o)
{
    if (mkdir("results", 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "hsbench: cannot create results/: %s\n", strerror(errno));
        return 1;
    }
    o->json_path = "results/latest.json";
    int e = hsb_output_unwritable(o->json_path, 0);
    if (!e) return -1;
    fprintf(stderr, "hsbench: cannot write %s: %s\n", o->json_path, strerror(e));
    return 1;
}

int hsb_cmd_suite(int argc, char **argv)
{
    hsb_opts o;
    hsb_opts_defaults(&o, "suite");
    o.duration_s = -1; /* per suite unless given */
    o.warmup_s = -1;
    unsigned accept = HSB_OPT_BACKEND | HSB_OPT_THREADS | HSB_OPT_PIN | HSB_OPT_DURATION |
                      HSB_OPT_OUTPUT | HSB_OPT_REFERENCE | HSB_OPT_ALLOW_ERRORS;
    int st = hsb_opts_parse(&o, argc, argv, accept, usage);
    if (st < 0) st = hsb_opts_check_outputs(&o);
    if (st >= 0) return st;
    if (!o.json_path && (st = default_json(&o)) >= 0) return st;
    double dur = o.duration_s, warm = o.warmup_s;

    hsb_opts hs = o, mx = o, bk = o;
    unsigned pus = hsb_topo_summarize().pus;
    if (!o.explicit_threads) { /* --threads, when given, applies to all three */
        hs.threads[0] = 1;
        hs.threads[1] = pus;
        hs.n_threads = pus > 1 ? 2 : 1;
    }
    hs.kx = HSB_KX_RSA | HSB_KX_DHE;
    hs.bits[0] = 2048;
    hs.n_bits = 1;
    hs.duration_s = dur > 0 ? dur : 0.4;
    hs.warmup_s = warm >= 0 ? warm : 0.2;
    mx.bits[0] = 2048;
    mx.n_bits = 1;
    mx.duration_s = dur > 0 ? dur : 0.2;
    mx.warmup_s = warm >= 0 ? warm : 0.1;
    bk.sizes[0] = 1024;
    bk.sizes[1] = 16384;
    bk.n_sizes = 2;
    bk.etm = HSB_ETM_OFF;                     /* MAC-then-encrypt, as libssl's reference row */
    bk.ciphers = HSB_CIPH_CBC | HSB_CIPH_GCM; /* and the GCM record rows */
    bk.duration_s = dur > 0 ? dur : 0.17;
    bk.warmup_s = warm >= 0 ? warm : 0.05;

    hsb_report r;
    hsb_report_init(&r, &hs);
    const hsb_stage stages[] = {
        {hsb_suite_handshake, &hs}, {hsb_suite_modexp, &mx}, {hsb_suite_bulk, &bk}};
    st = hsb_exit_status(hsb_report_run(&r, stages, 3));
    if (st == 0) {
        st = hsb_exit_status(hsb_report_output(&r));
        if (!o.quiet) fprintf(stderr, "wrote %s\n", o.json_path);
    }
    hsb_report_free(&r);
    return st;
}

int hsb_suite_command(hsb_opts *o, int argc, char **argv, unsigned accept, const char *usage,
                      hsb_rc (*suite)(hsb_report *r, const hsb_opts *o))
{
    int st = hsb_opts_parse(o, argc, argv, accept, usage);
    if (st < 0) st = hsb_opts_check_outputs(o);
    if (st >= 0) return st;
    hsb_report r;
    hsb_report_init(&r, o);
    st = hsb_exit_status(hsb_report_run(&r, &(hsb_stage){suite, o}, 1));
    if (st == 0) st = hsb_exit_status(hsb_report_output(&r));
    hsb_report_free(&r);
    return st;
}

int hsb_exit_status(hsb_rc rc)
{
    return rc == HSB_OK ? 0 : rc == HSB_E_USAGE ? 2 : 1;
}
