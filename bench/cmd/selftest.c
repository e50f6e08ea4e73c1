/* hsbench selftest: built-in known answers, a quick differential check
 * against OpenSSL, and (with --vectors) every vector file in a folder. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hsb_backends.h"
#include "hsb_cmd.h"
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

int hsb_cmd_selftest(int argc, char **argv)
{
    const char *vectors = NULL, *spec = NULL;
    int quick = 0, verbose = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--quick")) {
            quick = 1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose = 1;
        } else if (!strcmp(a, "--vectors") || !strcmp(a, "--backend")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "hsbench selftest: %s needs a value\n", a);
                return 2;
            }
            if (a[2] == 'v')
                vectors = argv[++i];
            else
                spec = argv[++i];
        } else if (!strncmp(a, "--vectors=", 10)) {
            vectors = a + 10;
        } else if (!strncmp(a, "--backend=", 10)) {
            spec = a + 10;
        } else {
            fprintf(stderr, "hsbench selftest: unknown option '%s'\n\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (vectors) {
        struct stat st;
        if (stat(vectors, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "hsbench selftest: --vectors: '%s' is not a folder\n", vectors);
            return 2;
        }
    }

    hsb_st_target targets[8];
    size_t n;
    if (spec) {
        char err[512];
        if (hsb_st_target_from_spec(spec, &targets[0], err, sizeof err) != HSB_OK) {
            fprintf(stderr, "hsbench selftest: --backend: %s\n", err);
            return 2;
        }
        n = 1;
    } else {
        n = hsb_st_targets_registry(targets, sizeof targets / sizeof targets[0]);
    }

    printf("hsbench selftest: %zu backend%s%s\n", n, n == 1 ? "" : "s",
           spec ? " (composition)" : ", each with only its own classes");
    for (size_t i = 0; i < n; i++) describe(&targets[i], stdout);
    fflush(stdout);

    hsb_st_run r;
    hsb_st_init(&r, targets, n);
    r.verbose = verbose;
    r.quick = quick;
    hsb_st_builtin(&r, 1);
    if (vectors) {
        long found = 0;
        if (hsb_st_dir(&r, vectors, &found) != HSB_OK) r.errors++;
        printf("vectors: %s: %ld file%s recognised\n", vectors, found, found == 1 ? "" : "s");
    }
    printf("\n");
    int status = hsb_st_report(&r, stdout) == HSB_OK ? 0 : 1;
    hsb_st_free(&r);
    hsb_st_rsa_cache_free();
    return status;
}
