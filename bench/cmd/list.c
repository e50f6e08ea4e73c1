/* hsbench list: the matrix of backends x primitive classes, and the CPU. */
#include <stdio.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_cmd.h"
#include "hsb_cmd_args.h"

static int take(void *ctx, const hsb_cmd_arg *a)
{
    (void)ctx;
    (void)a; /* -h, --help: the only option */
    printf("usage: hsbench list\n\nPrints which backend provides which primitive "
           "class (the implementation's name, or '-' where the backend lacks it), "
           "its batch classes and lanes, and the CPU features the native code found.\n");
    return 0;
}

static int fault(void *ctx, const hsb_cmd_fault *f)
{
    (void)ctx;
    fprintf(stderr, "hsbench list: unexpected argument '%s'\n", f->given);
    return 2;
}

int hsb_cmd_list(int argc, char **argv)
{
    static const struct option help[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    hsb_cmd_parser p = {"h", help, take, fault, NULL};
    int st = hsb_cmd_parse(&p, argc, argv);
    if (st >= 0) return st;
    size_t n;
    const hsb_backend *const *bs = hsb_backends(&n);

    printf("%-12s", "class");
    for (size_t i = 0; i < n; i++) printf(" %-26s", bs[i]->name);
    printf("\n");
    for (unsigned c = 0; c < HSB_CLASS_COUNT; c++) {
        printf("%-12s", hsb_class_name((hsb_class_id)c));
        for (size_t i = 0; i < n; i++) {
            const char *impl = hsb_backend_impl_name(bs[i], (hsb_class_id)c);
            printf(" %-26s", impl ? impl : "-");
        }
        printf("\n");
    }
    /* Batch classes (hsb_provider.h "batches"): where a backend has none,
     * the dispatch loops over its single op. */
    printf("\nbatch classes (lanes; 'loop': the single op, one job at a time; '-': none):\n");
    for (size_t i = 0; i < n; i++) {
        const hsb_backend *b = bs[i];
        const hsb_rsa_priv_batch_class *r = b->rsa_priv_batch;
        const hsb_dh_batch_class *d = b->dh_batch;
        const hsb_modexp_batch_class *m = b->modexp_batch;
        printf("  %-10s rsa-priv %s (%zu), dh %s (%zu), modexp %s (%zu)\n", b->name,
               r             ? r->name
               : b->rsa_priv ? "loop"
                             : "-",
               r ? r->lanes : 1,
               d       ? d->name
               : b->dh ? "loop"
                       : "-",
               d ? d->lanes : 1,
               m           ? m->name
               : b->modexp ? "loop"
                           : "-",
               m ? m->lanes : 1);
    }
    printf("\nbackends:\n");
    for (size_t i = 0; i < n; i++) printf("  %-10s %s\n", bs[i]->name, bs[i]->about);

    const hsb_cpu_features *f = hsb_cpu();
    char feats[256];
    hsb_cpu_describe(f, feats, sizeof feats);
    printf("\ncpu: %s (%s)\nfeatures: %s\n", f->brand[0] ? f->brand : "unknown", f->vendor,
           feats[0] ? feats : "(none of those the native code uses)");
    if (f->disabled[0]) printf("disabled by HSB_CPU_DISABLE: %s\n", f->disabled);
    return 0;
}
