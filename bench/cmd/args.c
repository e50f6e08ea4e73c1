/* The option loop of every command: see hsb_cmd_args.h. */
#include "hsb_cmd_args.h"

#include <stdio.h>
#include <string.h>

/* The full spelling of the option getopt_long returned as id: the long
 * name it matched (index li), else the letter. */
static const char *spelling(const hsb_cmd_parser *p, int id, int li, char *buf, size_t cap)
{
    if (li >= 0)
        snprintf(buf, cap, "--%s", p->longs[li].name);
    else if (id > 0 && id < 256)
        snprintf(buf, cap, "-%c", id);
    else
        return NULL;
    return buf;
}

/* The long option whose id is opt (getopt_long does not say which one it
 * recognised when it fails), or -1. */
static int long_index(const hsb_cmd_parser *p, int opt)
{
    for (int i = 0; opt && p->longs[i].name; i++)
        if (p->longs[i].val == opt) return i;
    return -1;
}

int hsb_cmd_parse(const hsb_cmd_parser *p, int argc, char **argv)
{
    char letters[32], name[64];
    /* '+': stop at the first non-option (no permutation: a stray argument is
     * an error, wherever it stands); ':': a missing value returns ':'. */
    snprintf(letters, sizeof letters, "+:%s", p->letters);
    opterr = 0;
    optind = 0; /* glibc: full re-initialisation, so commands can parse twice */
    for (;;) {
        int before = optind ? optind : 1, li = -1;
        int c = getopt_long(argc, argv, letters, p->longs, &li);
        if (c == -1) break;
        const char *given = before < argc ? argv[before] : "?";
        if (c == '?' || c == ':') {
            hsb_cmd_fault f = {HSB_CMD_UNKNOWN, optopt, NULL, given, before == argc - 1};
            if (c == ':') {
                f.kind = HSB_CMD_NO_VALUE;
                f.name = spelling(p, optopt, long_index(p, optopt), name, sizeof name);
            }
            return p->fault(p->ctx, &f);
        }
        hsb_cmd_arg a = {c, spelling(p, c, li, name, sizeof name), optarg, given};
        int st = p->take(p->ctx, &a);
        if (st >= 0) return st;
    }
    if (optind < argc) {
        hsb_cmd_fault f = {HSB_CMD_STRAY, 0, NULL, argv[optind], optind == argc - 1};
        return p->fault(p->ctx, &f);
    }
    return -1;
}
