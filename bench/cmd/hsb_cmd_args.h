/*
 * hsb_cmd_args.h - the one option loop every hsbench command uses: getopt_long
 * over the command's option table, with the command's own words for what
 * went wrong.
 *
 * The rules, the same for every command: options are long (--name VALUE or
 * --name=VALUE; an unambiguous prefix of a name is taken for it, as GNU
 * getopt_long does) or the command's one-letter ones (-h, -q, -v; letters may
 * be grouped). Option processing stops at the first argument that is not an
 * option, or after "--"; no command takes positional arguments, so anything
 * left is an error. getopt_long prints nothing (opterr = 0): every message
 * is the command's.
 */
#ifndef HSB_CMD_ARGS_H
#define HSB_CMD_ARGS_H

#include <getopt.h>

/* One option as getopt_long matched it. */
typedef struct hsb_cmd_arg {
    int id;            /* getopt_long's value: the letter, or the long option's val */
    const char *name;  /* its full spelling: "--kx" (even when typed "--k"), "-q" */
    const char *value; /* its value; NULL for an option without one */
    const char *given; /* the argument as typed: "--kx=rsa", "--k", "-qh" */
} hsb_cmd_arg;

typedef enum hsb_cmd_fault_kind {
    HSB_CMD_UNKNOWN,  /* no option of the command (or ambiguous, or a flag given "=value") */
    HSB_CMD_NO_VALUE, /* an option that takes a value came last, without one */
    HSB_CMD_STRAY,    /* an argument that is not an option */
} hsb_cmd_fault_kind;

/* What was wrong, for the command's message. */
typedef struct hsb_cmd_fault {
    hsb_cmd_fault_kind kind;
    int opt;           /* getopt_long's optopt: the option's id when it was recognised (a
                        * missing value, a flag given a value), the letter of an unknown
                        * one-letter option, else 0 */
    const char *name;  /* NO_VALUE: the option's full spelling ("--kx"); else NULL */
    const char *given; /* the argument at fault, as typed */
    int last;          /* given was the last argument */
} hsb_cmd_fault;

typedef struct hsb_cmd_parser {
    const char *letters;        /* getopt's letters without '+' or ':', e.g. "qh" */
    const struct option *longs; /* ends with a zero entry; has_arg no_ or required_argument */
    /* Takes one option: -1 to go on, else the exit status (message printed). */
    int (*take)(void *ctx, const hsb_cmd_arg *a);
    /* Says what was wrong on stderr; returns the exit status. */
    int (*fault)(void *ctx, const hsb_cmd_fault *f);
    void *ctx;
} hsb_cmd_parser;

/* Parses argv[1..argc) (argv[0] is the command's name), calling p->take for
 * each option in order. Returns -1 when the command goes on, else the exit
 * status from take or fault (the first of them that stopped). May be called
 * again with other arguments (getopt's state is reset each time). */
int hsb_cmd_parse(const hsb_cmd_parser *p, int argc, char **argv);

#endif
