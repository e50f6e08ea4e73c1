/* hsbench: the command-line driver. */
#include <stdio.h>
#include <string.h>

#include "hsb_cmd.h"

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *usage;
} commands[] = {
    {"list", hsb_cmd_list, "backends x primitive classes, and the CPU features found"},
    {"selftest", hsb_cmd_selftest, "[--vectors DIR] [--backend SPEC]  known answers and vectors"},
    {"handshake", hsb_cmd_handshake, "[options]  full TLS 1.2 handshakes/s and latency"},
    {"modexp", hsb_cmd_modexp, "[options]  modexp, RSA and DH cost by size and backend"},
    {"bulk", hsb_cmd_bulk, "[options]  cipher, MAC and record throughput by size"},
    {"server", hsb_cmd_server, "--listen ADDR:PORT ...  serve TLS 1.2 (echo)"},
    {"client", hsb_cmd_client, "--connect HOST:PORT ...  handshakes against a TLS 1.2 server"},
    {"load", hsb_cmd_load,
     "--connect HOST:PORT ...  TLS connections in flight: rate, latency, errors"},
    {"tcp", hsb_cmd_tcp,
     "[options]  our server vs libssl's and nginx over TCP, one load generator"},
    {"suite", hsb_cmd_suite, "[options]  the default suite (also: hsbench with no arguments)"},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: hsbench [COMMAND [OPTIONS]]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-10s %s\n", commands[i].name, commands[i].usage);
    fprintf(to,
            "\nWith no command, runs the default suite. 'hsbench COMMAND --help' tells more.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) return hsb_cmd_suite(1, (char *[]){"suite", NULL});
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    /* Options without a command are the default suite's: `hsbench -q`. */
    if (argv[1][0] == '-') return hsb_cmd_suite(argc, argv);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "hsbench: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
