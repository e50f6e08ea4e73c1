/* hsbench selftest: built-in known answers, a quick differential check
 * against OpenSSL, and (with --vectors) every vector file in a folder. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hsb_backends.h"
#include "hsb_cmd.h"
#include "hsb_cmd_args.h"
#include "hsb_selftest.h"

static void usage(FILE *to)
{
    fprintf(to, "usage: hsbench selftest [--vectors DIR] [--backend SPEC] [--quick] [-v]\n"
                "\n"
                "Runs known answers for every class of every backend (each with only its own\n"
                "classes), then random inputs through every class not served by openssl,\n"
                "compared with OpenSSL. With --vectors, also every file under DIR whose format\n"
                "it recognises (Wycheproof JSON, NIST CAVP .rsp, the derived JSON files).\n"
                "\n"
                "  --vectors DIR   walk DIR recursively and run the files it recognises\n"
                "  --backend SPEC  test one composition instead, e.g. 'gmp' or\n"
                "                  'pk=gmp,cipher=native,mac=openssl'\n"
                "  --quick         fewer differential cases (1024/2048 bits only)\n"
                "  -v              log unsupported and acceptable cases, skipped files, seeds\n"
                "\n"
                "Prints one line per backend and file: passed / failed / unsupported.\n"
                "Exit status: 0 all passed; 1 a failure, or a recognised file with no test;\n"
                "2 a usage error.\n");
}

static void describe(const hsb_st_target *t, FILE *out)
{
    fprintf(out, "  %-12s ", t->label);
    int any = 0;
    for (unsigned c = 0; c < HSB_CLASS_COUNT; c++) {
        const char *impl = hsb_backend_impl_name(&t->cls, (hsb_class_id)c);
        if (!impl) continue;
        fprintf(out, "%s%s=%s", any ? ", " : "", hsb_class_name((hsb_class_id)c), impl);
        if (t->from[c] && strcmp(t->from[c], t->label) != 0) fprintf(out, " (%s)", t->from[c]);
        any = 1;
    }
    fprintf(out, "%s\n", any ? "" : "(no classes)");
}

/* The options: what to test and how. */
typedef struct selftest_opts {
    const char *vectors, *spec;
    int quick, verbose;
} selftest_opts;

static const struct option selftest_opts_table[] = {
    {"vectors", required_argument, NULL, 'V'}, {"backend", required_argument, NULL, 'B'},
    {"quick", no_argument, NULL, 'Q'},         {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
};

static int take(void *ctx, const hsb_cmd_arg *a)
{
    selftest_opts *s = ctx;
    switch (a->id) {
    case 'h':
        usage(stdout);
        return 0;
    case 'V':
        s->vectors = a->value;
        break;
    case 'B':
        s->spec = a->value;
        break;
    case 'Q':
        s->quick = 1;
        break;
    case 'v':
        s->verbose = 1;
        break;
    }
    return -1;
}

static int fault(void *ctx, const hsb_cmd_fault *f)
{
    (void)ctx;
    if (f->kind == HSB_CMD_NO_VALUE) {
        fprintf(stderr, "hsbench selftest: %s needs a value\n", f->name);
    } else {
        fprintf(stderr, "hsbench selftest: unknown option '%s'\n\n", f->given);
        usage(stderr);
    }
    return 2;
}

/* The compositions to test: --backend's, or each backend on its own.
 * The count, or 0 after a message on stderr. */
static size_t selftest_targets(const char *spec, hsb_st_target *targets, size_t cap)
{
    if (!spec) return hsb_st_targets_registry(targets, cap);
    char err[512];
    if (hsb_st_target_from_spec(spec, &targets[0], err, sizeof err) == HSB_OK) return 1;
    fprintf(stderr, "hsbench selftest: --backend: %s\n", err);
    return 0;
}

int hsb_cmd_selftest(int argc, char **argv)
{
    selftest_opts s = {0};
    hsb_cmd_parser p = {"hv", selftest_opts_table, take, fault, &s};
    int st = hsb_cmd_parse(&p, argc, argv);
    if (st >= 0) return st;
    struct stat sb;
    if (s.vectors && (stat(s.vectors, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        fprintf(stderr, "hsbench selftest: --vectors: '%s' is not a folder\n", s.vectors);
        return 2;
    }
    hsb_st_target targets[8];
    size_t n = selftest_targets(s.spec, targets, sizeof targets / sizeof targets[0]);
    if (!n) return 2;

    printf("hsbench selftest: %zu backend%s%s\n", n, n == 1 ? "" : "s",
           s.spec ? " (composition)" : ", each with only its own classes");
    for (size_t i = 0; i < n; i++) describe(&targets[i], stdout);
    fflush(stdout);

    hsb_st_run r;
    hsb_st_init(&r, targets, n);
    r.verbose = s.verbose;
    r.quick = s.quick;
    hsb_st_builtin(&r, 1);
    if (s.vectors) {
        long found = 0;
        if (hsb_st_dir(&r, s.vectors, &found) != HSB_OK) r.errors++;
        printf("vectors: %s: %ld file%s recognised\n", s.vectors, found, found == 1 ? "" : "s");
    }
    printf("\n");
    st = hsb_st_report(&r, stdout) == HSB_OK ? 0 : 1;
    hsb_st_free(&r);
    hsb_st_rsa_cache_free();
    return st;
}
