/* Parsing of the suites' common options. */
#include "hsb_cmd_opts.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_dh_groups.h"

void hsb_opts_defaults(hsb_opts *o, const char *cmd)
{
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    o->threads[0] = 1;
    o->n_threads = 1;
    o->pin = HSB_PIN_COMPACT;
    o->duration_s = 0.3;
    o->warmup_s = 0.1;
    o->repetitions = 5;
    o->kx = HSB_KX_RSA | HSB_KX_DHE;
    o->bits[0] = 2048;
    o->n_bits = 1;
    o->dh_check = HSB_DH_CHECK_FULL;
    o->reference = 1;
}

int hsb_parse_duration(const char *s, double *out)
{
    if (!s || !*s) return 0;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v < 0) return 0;
    double mul;
    if (!*end || !strcmp(end, "s"))
        mul = 1;
    else if (!strcmp(end, "ms"))
        mul = 1e-3;
    else if (!strcmp(end, "us"))
        mul = 1e-6;
    else if (!strcmp(end, "ns"))
        mul = 1e-9;
    else if (!strcmp(end, "m") || !strcmp(end, "min"))
        mul = 60;
    else
        return 0;
    *out = v * mul;
    return 1;
}

/* Parse an unsigned decimal in [lo, hi]; 1 on success. */
static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    if (!s || *s < '0' || *s > '9') return 0;
    errno = 0;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

/* Split s on commas into at most max tokens of at most 63 chars each, in
 * buf; returns the count, 0 on an empty token or too many. */
static size_t split(const char *s, char tok[][64], size_t max)
{
    size_t n = 0;
    while (*s) {
        size_t len = strcspn(s, ",");
        if (len == 0 || len >= 64 || n == max) return 0;
        memcpy(tok[n], s, len);
        tok[n][len] = '\0';
        n++;
        s += len;
        if (*s == ',') {
            s++;
            if (!*s) return 0;
        }
    }
    return n;
}

static int bad(const hsb_opts *o, const char *opt, const char *val, const char *valid)
{
    fprintf(stderr, "hsbench %s: bad value '%s' for %s: %s\n", o->cmd, val ? val : "", opt, valid);
    return 2;
}

/* --backend: a bare name starts a composition, KEY=NAME items join the one
 * being built; ';' always separates. */
static int add_backends(hsb_opts *o, const char *arg)
{
    const char *s = arg;
    char cur[160] = "";
    while (1) {
        size_t len = strcspn(s, ",;");
        if (len == 0) return bad(o, "--backend", arg, "empty item in the list");
        int keyed = memchr(s, '=', len) != NULL;
        if (!keyed && cur[0]) {
            if (o->n_specs == HSB_MAX_SPECS)
                return bad(o, "--backend", arg, "too many compositions");
            snprintf(o->specs[o->n_specs++], sizeof o->specs[0], "%s", cur);
            cur[0] = '\0';
        }
        size_t cl = strlen(cur);
        if (cl + len + 2 > sizeof cur) return bad(o, "--backend", arg, "composition too long");
        if (cl) cur[cl++] = ',';
        memcpy(cur + cl, s, len);
        cur[cl + len] = '\0';
        s += len;
        if (*s == ';' && cur[0]) {
            if (o->n_specs == HSB_MAX_SPECS)
                return bad(o, "--backend", arg, "too many compositions");
            snprintf(o->specs[o->n_specs++], sizeof o->specs[0], "%s", cur);
            cur[0] = '\0';
        }
        if (!*s) break;
        s++;
        if (!*s) return bad(o, "--backend", arg, "trailing separator");
    }
    if (cur[0]) {
        if (o->n_specs == HSB_MAX_SPECS) return bad(o, "--backend", arg, "too many compositions");
        snprintf(o->specs[o->n_specs++], sizeof o->specs[0], "%s", cur);
    }
    return -1;
}

static int parse_threads(hsb_opts *o, const char *arg)
{
    char tok[HSB_MAX_LIST][64];
    size_t n = split(arg, tok, HSB_MAX_LIST);
    const char *valid = "a count, a comma list of counts (1,2,4) or 'all' (one per PU), up to "
                        "256 workers";
    if (!n) return bad(o, "--threads", arg, valid);
    unsigned pus = hsb_topo_summarize().pus;
    o->n_threads = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned long v;
        if (!strcmp(tok[i], "all"))
            v = pus;
        else if (!parse_uint(tok[i], 1, HSB_MAX_THREADS, &v))
            return bad(o, "--threads", arg, valid);
        int dup = 0;
        for (size_t j = 0; j < o->n_threads; j++) dup |= o->threads[j] == v;
        if (!dup) o->threads[o->n_threads++] = (unsigned)v;
    }
    o->explicit_threads = 1;
    return -1;
}

static int parse_bits(hsb_opts *o, const char *arg, unsigned accept)
{
    char tok[HSB_MAX_LIST][64];
    size_t n = split(arg, tok, HSB_MAX_LIST);
    /* handshake: RSA key sizes of the test certificates; modexp: any
     * multiple of 64 up to the provider's 4096-bit limit. */
    int hs = !(accept & HSB_OPT_DH_GROUPS);
    const char *valid = hs ? "2048, 3072 or 4096 (or a comma list of them)"
                           : "multiples of 64 from 512 to 4096 (comma list)";
    if (!n) return bad(o, "--bits", arg, valid);
    o->n_bits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned long v;
        if (!parse_uint(tok[i], 512, HSB_MAX_MODULUS_BITS, &v) || v % 64)
            return bad(o, "--bits", arg, valid);
        if (hs && v != 2048 && v != 3072 && v != 4096) return bad(o, "--bits", arg, valid);
        int dup = 0;
        for (size_t j = 0; j < o->n_bits; j++) dup |= o->bits[j] == v;
        if (!dup) o->bits[o->n_bits++] = (unsigned)v;
    }
    return -1;
}

static int parse_sizes(hsb_opts *o, const char *arg)
{
    char tok[HSB_MAX_LIST][64];
    size_t n = split(arg, tok, HSB_MAX_LIST);
    const char *valid = "a comma list of byte counts, each a multiple of 16 from 16 to 1048576 "
                        "(records take at most 16384)";
    if (!n) return bad(o, "--sizes", arg, valid);
    o->n_sizes = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned long v;
        if (!parse_uint(tok[i], 16, 1u << 20, &v) || v % 16) return bad(o, "--sizes", arg, valid);
        int dup = 0;
        for (size_t j = 0; j < o->n_sizes; j++) dup |= o->sizes[j] == v;
        if (!dup) o->sizes[o->n_sizes++] = v;
    }
    return -1;
}

static int parse_groups(hsb_opts *o, const char *arg, int many)
{
    char tok[HSB_MAX_LIST][64];
    size_t n = split(arg, tok, HSB_MAX_LIST);
    const char *valid = many ? "a comma list of ffdhe2048, ffdhe3072, ffdhe4096, modp2048, "
                               "modp3072, modp4096"
                             : "one of ffdhe2048, ffdhe3072, ffdhe4096, modp2048, modp3072, "
                               "modp4096";
    if (!n || (!many && n > 1)) return bad(o, "--dh-group", arg, valid);
    o->n_dh_groups = 0;
    for (size_t i = 0; i < n; i++) {
        const hsb_dh_group *g = hsb_dh_group_by_name(tok[i]);
        if (!g) return bad(o, "--dh-group", arg, valid);
        o->dh_groups[o->n_dh_groups++] = g->name;
    }
    return -1;
}

void hsb_opts_help(FILE *to, unsigned a)
{
    if (a & HSB_OPT_BACKEND)
        fprintf(to, "  --backend SPEC       compositions to measure, repeatable; a comma list of\n"
                    "                       backends ('openssl,gmp'), each optionally followed by\n"
                    "                       KEY=NAME items ('gmp,cipher=native'); ';' separates\n"
                    "                       keyed ones. Default: every backend that has the\n"
                    "                       suite's classes ('hsbench list')\n");
    if (a & HSB_OPT_THREADS)
        fprintf(to, "  --threads N|N,M|all  worker counts to run, each in turn\n");
    if (a & HSB_OPT_PIN)
        fprintf(to, "  --pin POLICY         compact (default: one per core, then second hardware\n"
                    "                       threads), spread (hwloc_distrib), pu (hardware\n"
                    "                       threads of a core together), none (unbound)\n");
    if (a & HSB_OPT_DURATION)
        fprintf(to, "  --duration T         length of one repetition: 300ms (default), 2s, 1.5\n"
                    "  --warmup T           unmeasured run before the repetitions (default 100ms;\n"
                    "                       0 for none)\n"
                    "  --repetitions R      repetitions per figure (default 5)\n");
    if (a & HSB_OPT_KX) fprintf(to, "  --kx rsa|dhe|rsa,dhe key exchanges (default both)\n");
    if (a & HSB_OPT_BITS)
        fprintf(to,
                (a & HSB_OPT_DH_GROUPS)
                    ? "  --bits N[,N...]      modulus sizes (default 1024,2048,3072,4096); RSA\n"
                      "                       rows for 1024 and up, DH rows where an ffdhe\n"
                      "                       group of that size exists\n"
                    : "  --bits N[,N...]      RSA key size of the server certificate: 2048\n"
                      "                       (default), 3072, 4096\n");
    if (a & (HSB_OPT_DH | HSB_OPT_DH_GROUPS))
        fprintf(to,
                (a & HSB_OPT_DH_GROUPS)
                    ? "  --dh-group G[,G...]  DH groups (default: ffdhe<bits> for each --bits)\n"
                    : "  --dh-group G         DHE group (default: ffdhe<bits>)\n"
                      "  --dh-check full|range  the client's and server's check of the peer's\n"
                      "                       DH value (default full: 1 < Y < p-1 and Y^q = 1;\n"
                      "                       range: the first only)\n");
    if (a & HSB_OPT_SIZES)
        fprintf(
            to,
            "  --sizes N[,N...]     buffer sizes in bytes (default 16,64,256,1024,8192,16384)\n");
    if (a & HSB_OPT_BREAKDOWN)
        fprintf(to, "  --breakdown          also time each primitive class inside the handshake\n"
                    "                       and report its share (and the protocol's remainder)\n");
    if (a & HSB_OPT_ALLOW_ERRORS)
        fprintf(to,
                "  --allow-errors       exit 0 even when handshakes failed (they are counted)\n");
    if (a & HSB_OPT_REFERENCE)
        fprintf(to, "  --reference          measure OpenSSL's reference rows (default)\n"
                    "  --no-reference       leave them out (no ratios then)\n");
    if (a & HSB_OPT_OUTPUT)
        fprintf(to, "  --json FILE          write the results (bench/RESULTS.md) to FILE\n"
                    "  --csv FILE           write one row per repetition and figure to FILE\n"
                    "  -q, --quiet          no progress or notes on stderr\n");
    fprintf(to, "  -h, --help           this text\n");
}

enum {
    O_BACKEND = 256,
    O_THREADS,
    O_PIN,
    O_DURATION,
    O_WARMUP,
    O_REPS,
    O_JSON,
    O_CSV,
    O_KX,
    O_BITS,
    O_DHGROUP,
    O_DHCHECK,
    O_SIZES,
    O_REF,
    O_NOREF,
    O_BREAKDOWN,
    O_ALLOWERR,
};

static const struct {
    int id;
    unsigned mask;
} opt_mask[] = {
    {O_BACKEND, HSB_OPT_BACKEND},
    {O_THREADS, HSB_OPT_THREADS},
    {O_PIN, HSB_OPT_PIN},
    {O_DURATION, HSB_OPT_DURATION},
    {O_WARMUP, HSB_OPT_DURATION},
    {O_REPS, HSB_OPT_DURATION},
    {O_JSON, HSB_OPT_OUTPUT},
    {O_CSV, HSB_OPT_OUTPUT},
    {'q', HSB_OPT_OUTPUT},
    {O_KX, HSB_OPT_KX},
    {O_BITS, HSB_OPT_BITS},
    {O_DHGROUP, HSB_OPT_DH},
    {O_DHCHECK, HSB_OPT_DH},
    {O_SIZES, HSB_OPT_SIZES},
    {O_REF, HSB_OPT_REFERENCE},
    {O_NOREF, HSB_OPT_REFERENCE},
    {O_BREAKDOWN, HSB_OPT_BREAKDOWN},
    {O_ALLOWERR, HSB_OPT_ALLOW_ERRORS},
};

int hsb_opts_parse(hsb_opts *o, int argc, char **argv, unsigned accept, const char *usage)
{
    static const struct option longopts[] = {
        {"backend", required_argument, NULL, O_BACKEND},
        {"threads", required_argument, NULL, O_THREADS},
        {"pin", required_argument, NULL, O_PIN},
        {"duration", required_argument, NULL, O_DURATION},
        {"warmup", required_argument, NULL, O_WARMUP},
        {"repetitions", required_argument, NULL, O_REPS},
        {"json", required_argument, NULL, O_JSON},
        {"csv", required_argument, NULL, O_CSV},
        {"kx", required_argument, NULL, O_KX},
        {"bits", required_argument, NULL, O_BITS},
        {"dh-group", required_argument, NULL, O_DHGROUP},
        {"dh-check", required_argument, NULL, O_DHCHECK},
        {"sizes", required_argument, NULL, O_SIZES},
        {"reference", no_argument, NULL, O_REF},
        {"no-reference", no_argument, NULL, O_NOREF},
        {"breakdown", no_argument, NULL, O_BREAKDOWN},
        {"allow-errors", no_argument, NULL, O_ALLOWERR},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int given_backend = 0;
    opterr = 0;
    optind = 0; /* glibc: full re-initialisation, so commands can parse twice */
    int c, before = 1;
    while ((before = optind ? optind : 1, c = getopt_long(argc, argv, "+qh", longopts, NULL)) !=
           -1) {
        const char *what = before < argc ? argv[before] : "?";
        if (c == 'h') {
            fputs(usage, stdout);
            hsb_opts_help(stdout, accept);
            return 0;
        }
        if (c == '?' || c == ':') {
            if (optopt >= 256)
                fprintf(stderr, "hsbench %s: option '%s' needs a value\n", o->cmd, what);
            else if (optopt)
                fprintf(stderr, "hsbench %s: unknown option '-%c'\n", o->cmd, optopt);
            else
                fprintf(stderr, "hsbench %s: unknown option '%s'\n", o->cmd, what);
            fprintf(stderr, "(hsbench %s --help lists the options)\n", o->cmd);
            return 2;
        }
        unsigned m = 0;
        for (size_t i = 0; i < sizeof opt_mask / sizeof opt_mask[0]; i++)
            if (opt_mask[i].id == c) m = opt_mask[i].mask;
        if (c == O_DHGROUP && (accept & HSB_OPT_DH_GROUPS)) m = HSB_OPT_DH_GROUPS;
        if (!(m & accept)) {
            fprintf(stderr,
                    "hsbench %s: option '%s' does not apply to this command\n"
                    "(hsbench %s --help lists the options)\n",
                    o->cmd, what, o->cmd);
            return 2;
        }
        int r = -1;
        unsigned long v;
        switch (c) {
        case O_BACKEND:
            if (!given_backend) o->n_specs = 0;
            given_backend = 1;
            r = add_backends(o, optarg);
            break;
        case O_THREADS:
            r = parse_threads(o, optarg);
            break;
        case O_PIN: {
            int p = hsb_pin_parse(optarg);
            if (p < 0)
                r = bad(o, "--pin", optarg, "compact, spread, pu or none");
            else
                o->pin = (hsb_pin_policy)p;
            break;
        }
        case O_DURATION:
            if (!hsb_parse_duration(optarg, &o->duration_s) || o->duration_s < 1e-3 ||
                o->duration_s > 3600)
                r = bad(o, "--duration", optarg,
                        "a time from 1ms to 3600s with a unit: 500ms, 3s, 1.5 (seconds)");
            break;
        case O_WARMUP:
            if (!hsb_parse_duration(optarg, &o->warmup_s) || o->warmup_s > 3600)
                r = bad(o, "--warmup", optarg, "a time up to 3600s: 0, 200ms, 1s");
            break;
        case O_REPS:
            if (!parse_uint(optarg, 1, 1000, &v))
                r = bad(o, "--repetitions", optarg, "1 to 1000");
            else
                o->repetitions = (unsigned)v;
            break;
        case O_JSON:
            o->json_path = optarg;
            break;
        case O_CSV:
            o->csv_path = optarg;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case O_KX: {
            char tok[4][64];
            size_t n = split(optarg, tok, 4);
            o->kx = 0;
            for (size_t i = 0; i < n; i++) {
                if (!strcmp(tok[i], "rsa"))
                    o->kx |= HSB_KX_RSA;
                else if (!strcmp(tok[i], "dhe"))
                    o->kx |= HSB_KX_DHE;
                else
                    n = 0;
            }
            if (!n || !o->kx) r = bad(o, "--kx", optarg, "rsa, dhe or rsa,dhe");
            break;
        }
        case O_BITS:
            r = parse_bits(o, optarg, accept);
            break;
        case O_DHGROUP:
            r = parse_groups(o, optarg, (accept & HSB_OPT_DH_GROUPS) != 0);
            break;
        case O_DHCHECK:
            if (!strcmp(optarg, "full"))
                o->dh_check = HSB_DH_CHECK_FULL;
            else if (!strcmp(optarg, "range"))
                o->dh_check = HSB_DH_CHECK_RANGE;
            else
                r = bad(o, "--dh-check", optarg, "full or range");
            break;
        case O_SIZES:
            r = parse_sizes(o, optarg);
            break;
        case O_REF:
            o->reference = 1;
            break;
        case O_NOREF:
            o->reference = 0;
            break;
        case O_BREAKDOWN:
            o->breakdown = 1;
            break;
        case O_ALLOWERR:
            o->allow_errors = 1;
            break;
        default:
            r = 2;
            break;
        }
        if (r >= 0) return r;
    }
    if (optind < argc) {
        fprintf(stderr,
                "hsbench %s: unexpected argument '%s'\n(hsbench %s --help lists the options)\n",
                o->cmd, argv[optind], o->cmd);
        return 2;
    }
    return -1;
}
