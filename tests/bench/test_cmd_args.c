/* Unit tests of the command line: the one option loop every command uses
 * (hsb_cmd_parse: getopt_long's rules, what reaches take() and fault()) and
 * the suites' settings parsed from it (hsb_opts_parse). */
#include <stdio.h>
#include <string.h>

#include "hsb_cmd_args.h"
#include "hsb_cmd_opts.h"
#include "hsb_test.h"

/* A log of what the loop handed over: "name=value;" per option, then
 * "!kind,opt,name,given,last" for a fault. */
typedef struct log {
    char text[512];
} log;

static int take(void *ctx, const hsb_cmd_arg *a)
{
    log *l = ctx;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "%s=%s;", a->name, a->value ? a->value : "-");
    return a->id == 'h' ? 0 : -1;
}

static int fault(void *ctx, const hsb_cmd_fault *f)
{
    log *l = ctx;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "!%d,%d,%s,%s,%d", (int)f->kind, f->opt,
             f->name ? f->name : "-", f->given, f->last);
    return 2;
}

enum { O_NAME = 256, O_NUMBER, O_FLAG };

/* Parses the space-separated words of line; *st gets the result. */
static const char *parse(const char *line, int *st)
{
    static const struct option longs[] = {
        {"name", required_argument, NULL, O_NAME}, {"number", required_argument, NULL, O_NUMBER},
        {"flag", no_argument, NULL, O_FLAG},       {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    static log l;
    static char buf[256];
    char *argv[16] = {"cmd"};
    int argc = 1;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *w = strtok(buf, " "); w && argc < 15; w = strtok(NULL, " ")) argv[argc++] = w;
    argv[argc] = NULL;
    l.text[0] = '\0';
    hsb_cmd_parser p = {"qh", longs, take, fault, &l};
    *st = hsb_cmd_parse(&p, argc, argv);
    return l.text;
}

#define PARSES(line, want_st, want_log)                                                            \
    do {                                                                                           \
        int st_;                                                                                   \
        const char *got_ = parse(line, &st_);                                                      \
        CHECKF(st_ == (want_st) && !strcmp(got_, want_log), "'%s': %d '%s', wanted %d '%s'", line, \
               st_, got_, want_st, want_log);                                                      \
    } while (0)

static void test_loop(void)
{
    PARSES("", -1, "");
    PARSES("--name a --flag -q", -1, "--name=a;--flag=-;-q=-;");
    /* --opt=value and unambiguous prefixes, as getopt_long has them */
    PARSES("--name=a=b --nu 3 --fl", -1, "--name=a=b;--number=3;--flag=-;");
    /* a value is the next argument, whatever it looks like */
    PARSES("--name --flag --number -q", -1, "--name=--flag;--number=-q;");
    /* grouped letters; help stops the loop */
    PARSES("-qh --bogus", 0, "-q=-;-h=-;");
    /* '--' ends the options; nothing may follow */
    PARSES("-q --", -1, "-q=-;");
    PARSES("-- --flag", 2, "!2,0,-,--flag,1");
    /* no permutation: a stray argument stops the loop where it stands */
    PARSES("stray --flag", 2, "!2,0,-,stray,0");
    PARSES("--flag stray", 2, "--flag=-;!2,0,-,stray,1");
    /* faults: unknown, ambiguous, a flag given a value, a value missing */
    PARSES("--bogus x", 2, "!0,0,-,--bogus,0");
    PARSES("--n x", 2, "!0,0,-,--n,0");
    PARSES("--flag=1", 2, "!0,258,-,--flag=1,1");
    PARSES("-x", 2, "!0,120,-,-x,1");
    PARSES("--flag --nu", 2, "--flag=-;!1,257,--number,--nu,1");
    /* the loop starts afresh each time */
    PARSES("--name b", -1, "--name=b;");
}

/* hsb_opts_parse for the handshake command's options. */
static int opts(hsb_opts *o, const char *line)
{
    static char buf[256];
    char *argv[16] = {"handshake"};
    int argc = 1;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *w = strtok(buf, " "); w && argc < 15; w = strtok(NULL, " ")) argv[argc++] = w;
    hsb_opts_defaults(o, "handshake");
    unsigned accept = HSB_OPT_BACKEND | HSB_OPT_THREADS | HSB_OPT_PIN | HSB_OPT_DURATION |
                      HSB_OPT_OUTPUT | HSB_OPT_KX | HSB_OPT_BITS | HSB_OPT_DH | HSB_OPT_REFERENCE;
    return hsb_opts_parse(o, argc, argv, accept, "usage\n");
}

static void test_opts(void)
{
    hsb_opts o;
    CHECK(opts(&o, "--threads 4,2,4,1") == -1 && o.n_threads == 3 && o.threads[0] == 4 &&
          o.threads[1] == 2 && o.threads[2] == 1 && o.explicit_threads);
    CHECK(opts(&o, "--bits 3072,2048,3072") == -1 && o.n_bits == 2 && o.bits[0] == 3072 &&
          o.bits[1] == 2048);
    CHECK(opts(&o, "--backend gmp,cipher=native;openssl,gmp --backend=native") == -1 &&
          o.n_specs == 4 && !strcmp(o.specs[0], "gmp,cipher=native") &&
          !strcmp(o.specs[1], "openssl") && !strcmp(o.specs[2], "gmp") &&
          !strcmp(o.specs[3], "native"));
    CHECK(opts(&o, "--kx dhe --dh-check range --no-ref --dur 2s --json x.json -q") == -1 &&
          o.kx == HSB_KX_DHE && o.dh_check == HSB_DH_CHECK_RANGE && !o.reference &&
          o.duration_s == 2 && !strcmp(o.json_path, "x.json") && o.quiet);
    /* usage errors (messages on stderr) */
    CHECK(opts(&o, "--threads 0") == 2);
    CHECK(opts(&o, "--bits 1024") == 2);
    CHECK(opts(&o, "--sizes 16") == 2); /* not a handshake option */
    CHECK(opts(&o, "--backend a;b;c;d;e;f;g;h;i;j;k;l;m;n;o;p;q") == 2);
    CHECK(opts(&o, "--kx rsa stray") == 2);
}

int main(void)
{
    test_loop();
    test_opts();
    return hsb_test_report("cmd args");
}
