/* hsbench modexp: options in, the modexp suite, exit status out. */
#include "hsb_cmd.h"
#include "hsb_cmd_opts.h"
#include "hsb_suite.h"

static const char usage[] =
    "usage: hsbench modexp [options]\n\n"
    "The cost of modular exponentiation (full-size exponent, random odd modulus),\n"
    "the RSA private operation (CRT) and DH key generation and derivation, per\n"
    "backend, beside OpenSSL doing the same (the reference rows). Rates are\n"
    "operations per second over all workers; cycles are TSC reference cycles.\n"
    "Defaults: --threads 1, --bits 1024,2048,3072,4096, 300ms x 5 after 100ms.\n\n"
    "options:\n";

int hsb_cmd_modexp(int argc, char **argv)
{
    hsb_opts o;
    hsb_opts_defaults(&o, "modexp");
    o.bits[0] = 1024, o.bits[1] = 2048, o.bits[2] = 3072, o.bits[3] = 4096;
    o.n_bits = 4;
    unsigned accept = HSB_OPT_BACKEND | HSB_OPT_THREADS | HSB_OPT_PIN | HSB_OPT_DURATION |
                      HSB_OPT_OUTPUT | HSB_OPT_BITS | HSB_OPT_DH_GROUPS | HSB_OPT_REFERENCE |
                      HSB_OPT_BATCH;
    return hsb_suite_command(&o, argc, argv, accept, usage, hsb_suite_modexp);
}
