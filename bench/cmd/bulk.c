/* hsbench bulk: options in, the bulk suite, exit status out. */
#include <string.h>

#include "hsb_cmd.h"
#include "hsb_cmd_opts.h"
#include "hsb_suite.h"

static const char usage[] =
    "usage: hsbench bulk [options]\n\n"
    "Throughput of AES-128 (CBC encrypt and decrypt, CTR, GCM where a backend\n"
    "offers it), SHA-256, HMAC-SHA256 and the TLS record layer's seal and open, by\n"
    "buffer size, per backend, beside OpenSSL doing the same (the reference rows:\n"
    "EVP for the primitives; for the record rows libssl's own record layer,\n"
    "SSL_write or SSL_read of one record after a handshake in the row's MAC order,\n"
    "to which their ratios are, and beside it the record built from EVP pieces,\n"
    "evp-pieces-reference). Rates are bytes per second over all workers; cycles\n"
    "per byte are TSC reference cycles. libssl's SSL_read row seals its records in\n"
    "batches with the clocks paused (its read sequence number cannot be reset).\n"
    "With --streams K, record-seal-streams rows: one operation seals one record of\n"
    "each of K connections (K x size bytes, MAC-then-encrypt) through the\n"
    "cbc-hmac class's batch seal, beside libssl's SSL_write K times on one\n"
    "connection; bytes per second per core with --threads 1.\n"
    "Defaults: --threads 1, --sizes 16,64,256,1024,8192,16384, --etm both (the\n"
    "record rows in each MAC order), 300ms x 5 after 100ms.\n\n"
    "options:\n";

int hsb_cmd_bulk(int argc, char **argv)
{
    hsb_opts o;
    hsb_opts_defaults(&o, "bulk");
    static const size_t sizes[] = {16, 64, 256, 1024, 8192, 16384};
    memcpy(o.sizes, sizes, sizeof sizes);
    o.n_sizes = sizeof sizes / sizeof sizes[0];
    o.etm = HSB_ETM_BOTH; /* record rows in both MAC orders, each named for its order */
    o.ciphers = HSB_CIPH_CBC | HSB_CIPH_GCM; /* the CBC and the GCM record rows */
    unsigned accept = HSB_OPT_BACKEND | HSB_OPT_THREADS | HSB_OPT_PIN | HSB_OPT_DURATION |
                      HSB_OPT_OUTPUT | HSB_OPT_SIZES | HSB_OPT_REFERENCE | HSB_OPT_ETM |
                      HSB_OPT_ETM_BOTH | HSB_OPT_SUITE | HSB_OPT_STREAMS;
    return hsb_suite_command(&o, argc, argv, accept, usage, hsb_suite_bulk);
}
