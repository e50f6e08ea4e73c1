/* Parsing of the suites' common options. */
#include "hsb_cmd_opts.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hsb_cmd_args.h"
#include "hsb_dh_groups.h"
#include "hsb_tls.h"

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
    o->etm = HSB_ETM_ON; /* libssl's defaults */
    o->ems = 1;
    o->ciphers = HSB_CIPH_CBC;
    o->inflight = 1;
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

/* Close the composition being built in cur: -1, or 2 when there are too many. */
static int push_spec(hsb_opts *o, const char *arg, char *cur)
{
    if (!cur[0]) return -1;
    if (o->n_specs == HSB_MAX_SPECS) return bad(o, "--backend", arg, "too many compositions");
    snprintf(o->specs[o->n_specs++], sizeof o->specs[0], "%s", cur);
    cur[0] = '\0';
    return -1;
}

/* --backend: a bare name starts a composition, KEY=NAME items join the one
 * being built; ';' always separates. */
static int add_backends(hsb_opts *o, const char *arg)
{
    const char *s = arg;
    char cur[160] = "";
    for (;;) {
        size_t len = strcspn(s, ",;");
        if (len == 0) return bad(o, "--backend", arg, "empty item in the list");
        if (!memchr(s, '=', len) && push_spec(o, arg, cur) >= 0) return 2;
        size_t cl = strlen(cur);
        if (cl + len + 2 > sizeof cur) return bad(o, "--backend", arg, "composition too long");
        if (cl) cur[cl++] = ',';
        memcpy(cur + cl, s, len);
        cur[cl + len] = '\0';
        s += len;
        if (*s == ';' && push_spec(o, arg, cur) >= 0) return 2;
        if (!*s) return push_spec(o, arg, cur);
        if (!*++s) return bad(o, "--backend", arg, "trailing separator");
    }
}

/* A comma list of numbers in [lo, hi], each a multiple of step, into out
 * (duplicates dropped, order kept); where all is not 0, the word 'all'
 * stands for it. The count, or 0 when arg is not such a list. */
static size_t number_list(const char *arg, unsigned long lo, unsigned long hi, unsigned long step,
                          unsigned long all, unsigned long out[HSB_MAX_LIST])
{
    char tok[HSB_MAX_LIST][64];
    size_t n = split(arg, tok, HSB_MAX_LIST), k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned long v = all;
        int is_all = all && !strcmp(tok[i], "all");
        if (!is_all && (!parse_uint(tok[i], lo, hi, &v) || v % step)) return 0;
        int dup = 0;
        for (size_t j = 0; j < k; j++) dup |= out[j] == v;
        if (!dup) out[k++] = v;
    }
    return k;
}

static int parse_threads(hsb_opts *o, const char *arg)
{
    unsigned long v[HSB_MAX_LIST];
    size_t n = number_list(arg, 1, HSB_MAX_THREADS, 1, hsb_topo_summarize().pus, v);
    if (!n)
        return bad(o, "--threads", arg,
                   "a count, a comma list of counts (1,2,4) or 'all' (one per PU), up to "
                   "256 workers");
    for (size_t i = 0; i < n; i++) o->threads[i] = (unsigned)v[i];
    o->n_threads = n;
    o->explicit_threads = 1;
    return -1;
}

static int parse_bits(hsb_opts *o, const char *arg, unsigned accept)
{
    unsigned long v[HSB_MAX_LIST];
    size_t n = number_list(arg, 512, HSB_MAX_MODULUS_BITS, 64, 0, v);
    /* handshake: RSA key sizes of the test certificates; modexp: any
     * multiple of 64 up to the provider's 4096-bit limit. */
    int hs = !(accept & HSB_OPT_DH_GROUPS);
    for (size_t i = 0; hs && i < n; i++)
        if (v[i] != 2048 && v[i] != 3072 && v[i] != 4096) n = 0;
    if (!n)
        return bad(o, "--bits", arg,
                   hs ? "2048, 3072 or 4096 (or a comma list of them)"
                      : "multiples of 64 from 512 to 4096 (comma list)");
    for (size_t i = 0; i < n; i++) o->bits[i] = (unsigned)v[i];
    o->n_bits = n;
    return -1;
}

static int parse_sizes(hsb_opts *o, const char *arg)
{
    unsigned long v[HSB_MAX_LIST];
    size_t n = number_list(arg, 16, 1u << 20, 16, 0, v);
    if (!n)
        return bad(o, "--sizes", arg,
                   "a comma list of byte counts, each a multiple of 16 from 16 to 1048576 "
                   "(records take at most 16384)");
    for (size_t i = 0; i < n; i++) o->sizes[i] = v[i];
    o->n_sizes = n;
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

static int parse_kx(hsb_opts *o, const char *arg)
{
    char tok[4][64];
    size_t n = split(arg, tok, 4);
    o->kx = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(tok[i], "rsa"))
            o->kx |= HSB_KX_RSA;
        else if (!strcmp(tok[i], "dhe"))
            o->kx |= HSB_KX_DHE;
        else
            n = 0;
    }
    return !n || !o->kx ? bad(o, "--kx", arg, "rsa, dhe or rsa,dhe") : -1;
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
    if ((a & HSB_OPT_SUITE) && (a & HSB_OPT_KX))
        fprintf(to, "  --suite LIST         suites, comma-separated: rsa-cbc, dhe-cbc, rsa-gcm,\n"
                    "                       dhe-gcm (or IANA names); sets the key exchanges and\n"
                    "                       record protections (default: the CBC suites of --kx).\n"
                    "                       GCM rows are named rsa-gcm-N, dhe-gcm-N\n");
    else if (a & HSB_OPT_SUITE)
        fprintf(to, "  --suite LIST         the record rows' suites: rsa-cbc (or dhe-cbc: the\n"
                    "                       CBC rows), rsa-gcm (or dhe-gcm: record-seal-gcm,\n"
                    "                       record-open-gcm), comma-separated (default both)\n");
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
    if (a & HSB_OPT_ETM)
        fprintf(to,
                (a & HSB_OPT_ETM_BOTH)
                    ? "  --etm on|off|both    MAC order of the record rows: encrypt-then-MAC\n"
                      "                       (RFC 7366, record-seal-etm/record-open-etm), MAC-\n"
                      "                       then-encrypt (record-seal/record-open), or both\n"
                      "                       (default); the reference rows use the same order\n"
                    : "  --etm on|off         encrypt_then_mac (RFC 7366) on both ends (default\n"
                      "                       on, as libssl); the reference uses the same\n");
    if (a & HSB_OPT_EMS)
        fprintf(to,
                "  --ems on|off         extended_master_secret (RFC 7627) on both ends\n"
                "                       (default on, as libssl); the reference uses the same\n");
    if (a & HSB_OPT_SIZES)
        fprintf(
            to,
            "  --sizes N[,N...]     buffer sizes in bytes (default 16,64,256,1024,8192,16384)\n");
    if (a & HSB_OPT_STREAMS)
        fprintf(to, "  --streams K          also the record-seal-streams rows (1 to 64): one\n"
                    "                       operation seals one record of each of K connections\n"
                    "                       (K records of --sizes bytes), ours at once through\n"
                    "                       the cbc-hmac class's seal_batch, libssl's SSL_write\n"
                    "                       K times on one connection (its one stream)\n");
    if (a & HSB_OPT_INFLIGHT)
        fprintf(to,
                "  --inflight K         each worker keeps K handshakes in flight (K memory\n"
                "                       pairs, stepped in turn; default 1) and runs their\n"
                "                       public-key ops in batches of the composition's batch\n"
                "                       lanes, flushed when full or when no handshake can move;\n"
                "                       rows add inflight, batch_lanes and batch_fill (latency\n"
                "                       percentiles only at K = 1: handshakes overlap)\n");
    if (a & HSB_OPT_BATCH)
        fprintf(to, "  --batch B            also batch rows (crt-N-batchB, modexp-N-batchB,\n"
                    "                       dh-*-G-batchB): B jobs per call through the\n"
                    "                       composition's batch class (native: 8 lanes), or a\n"
                    "                       loop over its single op where it has none (said in\n"
                    "                       the row's batch field, with the mean lanes filled)\n");
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

/* What one parse works on: the settings, the command's options (accept), its
 * help text, and whether --backend was seen (the first one replaces the
 * default list, later ones add to it). */
typedef struct parse_ctx {
    hsb_opts *o;
    unsigned accept;
    const char *usage;
    int given_backend;
} parse_ctx;

static int set_backend(parse_ctx *x, const char *v)
{
    if (!x->given_backend) x->o->n_specs = 0;
    x->given_backend = 1;
    return add_backends(x->o, v);
}

static int set_threads(parse_ctx *x, const char *v)
{
    return parse_threads(x->o, v);
}

static int set_pin(parse_ctx *x, const char *v)
{
    int p = hsb_pin_parse(v);
    if (p < 0) return bad(x->o, "--pin", v, "compact, spread, pu or none");
    x->o->pin = (hsb_pin_policy)p;
    return -1;
}

static int set_duration(parse_ctx *x, const char *v)
{
    double *d = &x->o->duration_s;
    if (!hsb_parse_duration(v, d) || *d < 1e-3 || *d > 3600)
        return bad(x->o, "--duration", v,
                   "a time from 1ms to 3600s with a unit: 500ms, 3s, 1.5 (seconds)");
    return -1;
}

static int set_warmup(parse_ctx *x, const char *v)
{
    if (!hsb_parse_duration(v, &x->o->warmup_s) || x->o->warmup_s > 3600)
        return bad(x->o, "--warmup", v, "a time up to 3600s: 0, 200ms, 1s");
    return -1;
}

static int set_reps(parse_ctx *x, const char *v)
{
    unsigned long n;
    if (!parse_uint(v, 1, 1000, &n)) return bad(x->o, "--repetitions", v, "1 to 1000");
    x->o->repetitions = (unsigned)n;
    return -1;
}

static int set_inflight(parse_ctx *x, const char *v)
{
    unsigned long n;
    if (!parse_uint(v, 1, HSB_MAX_INFLIGHT, &n))
        return bad(x->o, "--inflight", v, "1 to " HSB_STR(HSB_MAX_INFLIGHT));
    x->o->inflight = (unsigned)n;
    return -1;
}

static int set_json(parse_ctx *x, const char *v)
{
    x->o->json_path = v;
    return -1;
}

static int set_csv(parse_ctx *x, const char *v)
{
    x->o->csv_path = v;
    return -1;
}

static int set_kx(parse_ctx *x, const char *v)
{
    return parse_kx(x->o, v);
}

static int set_bits(parse_ctx *x, const char *v)
{
    return parse_bits(x->o, v, x->accept);
}

static int set_groups(parse_ctx *x, const char *v)
{
    return parse_groups(x->o, v, (x->accept & HSB_OPT_DH_GROUPS) != 0);
}

static int set_dh_check(parse_ctx *x, const char *v)
{
    if (!strcmp(v, "full"))
        x->o->dh_check = HSB_DH_CHECK_FULL;
    else if (!strcmp(v, "range"))
        x->o->dh_check = HSB_DH_CHECK_RANGE;
    else
        return bad(x->o, "--dh-check", v, "full or range");
    return -1;
}

static int set_etm(parse_ctx *x, const char *v)
{
    int both = (x->accept & HSB_OPT_ETM_BOTH) != 0;
    if (!strcmp(v, "on"))
        x->o->etm = HSB_ETM_ON;
    else if (!strcmp(v, "off"))
        x->o->etm = HSB_ETM_OFF;
    else if (both && !strcmp(v, "both"))
        x->o->etm = HSB_ETM_BOTH;
    else
        return bad(x->o, "--etm", v, both ? "on, off or both" : "on or off");
    return -1;
}

static int set_ems(parse_ctx *x, const char *v)
{
    if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) return bad(x->o, "--ems", v, "on or off");
    x->o->ems = !strcmp(v, "on");
    return -1;
}

/* --suite NAME[,NAME...]: rsa-cbc, dhe-cbc, rsa-gcm, dhe-gcm or the IANA
 * names (hsb_tls_suite_by_name); their key exchanges and protections. */
static int set_suite(parse_ctx *x, const char *v)
{
    unsigned kx, ciphers;
    if (hsb_tls_suites_parse(v, &kx, &ciphers) != HSB_OK)
        return bad(x->o, "--suite", v, "rsa-cbc, dhe-cbc, rsa-gcm, dhe-gcm or IANA names");
    x->o->kx = (kx & HSB_TLS_KX_RSA ? HSB_KX_RSA : 0) | (kx & HSB_TLS_KX_DHE ? HSB_KX_DHE : 0);
    x->o->ciphers = (ciphers & HSB_TLS_CIPHER_CBC ? HSB_CIPH_CBC : 0) |
                    (ciphers & HSB_TLS_CIPHER_GCM ? HSB_CIPH_GCM : 0);
    return -1;
}

static int set_streams(parse_ctx *x, const char *v)
{
    unsigned long n;
    if (!parse_uint(v, 1, HSB_MAX_STREAMS, &n)) return bad(x->o, "--streams", v, "1 to 64");
    x->o->streams = (unsigned)n;
    return -1;
}

static int set_batch(parse_ctx *x, const char *v)
{
    unsigned long n;
    if (!parse_uint(v, 1, 64, &n)) return bad(x->o, "--batch", v, "1 to 64 jobs per call");
    x->o->batch = (unsigned)n;
    return -1;
}

static int set_sizes(parse_ctx *x, const char *v)
{
    return parse_sizes(x->o, v);
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
    O_ETM,
    O_EMS,
    O_SUITE,
    O_STREAMS,
    O_INFLIGHT,
    O_BATCH,
};

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
    {"etm", required_argument, NULL, O_ETM},
    {"ems", required_argument, NULL, O_EMS},
    {"suite", required_argument, NULL, O_SUITE},
    {"streams", required_argument, NULL, O_STREAMS},
    {"inflight", required_argument, NULL, O_INFLIGHT},
    {"batch", required_argument, NULL, O_BATCH},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Each option's HSB_OPT_* group (a command that does not accept the group
 * rejects the option) and its setter; a flag has none and stores value in
 * the int of hsb_opts at field. --dh-group is one DHE group for the
 * handshake (HSB_OPT_DH) and a list for modexp (HSB_OPT_DH_GROUPS). */
static const struct {
    int id;
    unsigned mask;
    int (*set)(parse_ctx *x, const char *v);
    size_t field;
    int value;
} setters[] = {
    {O_BACKEND, HSB_OPT_BACKEND, set_backend, 0, 0},
    {O_THREADS, HSB_OPT_THREADS, set_threads, 0, 0},
    {O_PIN, HSB_OPT_PIN, set_pin, 0, 0},
    {O_DURATION, HSB_OPT_DURATION, set_duration, 0, 0},
    {O_WARMUP, HSB_OPT_DURATION, set_warmup, 0, 0},
    {O_REPS, HSB_OPT_DURATION, set_reps, 0, 0},
    {O_JSON, HSB_OPT_OUTPUT, set_json, 0, 0},
    {O_CSV, HSB_OPT_OUTPUT, set_csv, 0, 0},
    {'q', HSB_OPT_OUTPUT, NULL, offsetof(hsb_opts, quiet), 1},
    {O_KX, HSB_OPT_KX, set_kx, 0, 0},
    {O_BITS, HSB_OPT_BITS, set_bits, 0, 0},
    {O_DHGROUP, HSB_OPT_DH | HSB_OPT_DH_GROUPS, set_groups, 0, 0},
    {O_DHCHECK, HSB_OPT_DH, set_dh_check, 0, 0},
    {O_SIZES, HSB_OPT_SIZES, set_sizes, 0, 0},
    {O_REF, HSB_OPT_REFERENCE, NULL, offsetof(hsb_opts, reference), 1},
    {O_NOREF, HSB_OPT_REFERENCE, NULL, offsetof(hsb_opts, reference), 0},
    {O_BREAKDOWN, HSB_OPT_BREAKDOWN, NULL, offsetof(hsb_opts, breakdown), 1},
    {O_ALLOWERR, HSB_OPT_ALLOW_ERRORS, NULL, offsetof(hsb_opts, allow_errors), 1},
    {O_ETM, HSB_OPT_ETM, set_etm, 0, 0},
    {O_EMS, HSB_OPT_EMS, set_ems, 0, 0},
    {O_SUITE, HSB_OPT_SUITE, set_suite, 0, 0},
    {O_STREAMS, HSB_OPT_STREAMS, set_streams, 0, 0},
    {O_INFLIGHT, HSB_OPT_INFLIGHT, set_inflight, 0, 0},
    {O_BATCH, HSB_OPT_BATCH, set_batch, 0, 0},
};

static int take(void *ctx, const hsb_cmd_arg *a)
{
    parse_ctx *x = ctx;
    if (a->id == 'h') {
        fputs(x->usage, stdout);
        hsb_opts_help(stdout, x->accept);
        return 0;
    }
    for (size_t i = 0; i < sizeof setters / sizeof setters[0]; i++) {
        if (setters[i].id != a->id || !(setters[i].mask & x->accept)) continue;
        if (setters[i].set) return setters[i].set(x, a->value);
        *(int *)((char *)x->o + setters[i].field) = setters[i].value;
        return -1;
    }
    fprintf(stderr,
            "hsbench %s: option '%s' does not apply to this command\n"
            "(hsbench %s --help lists the options)\n",
            x->o->cmd, a->given, x->o->cmd);
    return 2;
}

static int fault(void *ctx, const hsb_cmd_fault *f)
{
    const char *cmd = ((parse_ctx *)ctx)->o->cmd;
    if (f->kind == HSB_CMD_STRAY)
        fprintf(stderr, "hsbench %s: unexpected argument '%s'\n", cmd, f->given);
    else if (f->opt >= 256) /* a value missing, or given to a flag ("--reference=1") */
        fprintf(stderr, "hsbench %s: option '%s' needs a value\n", cmd, f->given);
    else if (f->opt)
        fprintf(stderr, "hsbench %s: unknown option '-%c'\n", cmd, f->opt);
    else
        fprintf(stderr, "hsbench %s: unknown option '%s'\n", cmd, f->given);
    fprintf(stderr, "(hsbench %s --help lists the options)\n", cmd);
    return 2;
}

int hsb_opts_parse(hsb_opts *o, int argc, char **argv, unsigned accept, const char *usage)
{
    parse_ctx x = {o, accept, usage, 0};
    hsb_cmd_parser p = {"qh", longopts, take, fault, &x};
    return hsb_cmd_parse(&p, argc, argv);
}

int hsb_output_unwritable(const char *path, int in_place)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return EISDIR;
        if (in_place) return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0 ? 0 : errno;
    } else if (errno != ENOENT) {
        return errno; /* a part of the path is a file (ENOTDIR), or not searchable */
    }
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    return faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0 ? 0 : errno;
}

/* The JSON writer writes FILE.tmp and renames it over FILE (its folder must
 * take new files); the CSV writer opens FILE in place. */
int hsb_opts_check_outputs(const hsb_opts *o)
{
    const struct {
        const char *opt, *path;
        int in_place;
    } out[] = {{"--json", o->json_path, 0}, {"--csv", o->csv_path, 1}};
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
        int e = out[i].path ? hsb_output_unwritable(out[i].path, out[i].in_place) : 0;
        if (!e) continue;
        fprintf(stderr, "hsbench %s: cannot write %s '%s': %s\n", o->cmd, out[i].opt, out[i].path,
                strerror(e));
        return 2;
    }
    return -1;
}
