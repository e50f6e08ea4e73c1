/* What `hsbench client` and `hsbench server` share: see hsb_tls_cmd.h. */
#include "hsb_tls_cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"

/* The options both commands take: 1 when a was one of them. */
static int common_opt(hsb_tls_cmd_opts *o, const char *a, const char *v, int *ok)
{
    if (!strcmp(a, "--backend")) {
        o->spec = v;
    } else if (!strcmp(a, "--kx")) {
        o->kx = !strcmp(v, "rsa")    ? HSB_TLS_KX_RSA
                : !strcmp(v, "dhe")  ? HSB_TLS_KX_DHE
                : !strcmp(v, "both") ? HSB_TLS_KX_ALL
                                     : 0;
        if (!o->kx) *ok = 0;
    } else if (!strcmp(a, "--dh-check")) {
        if (!strcmp(v, "full"))
            o->check = HSB_DH_CHECK_FULL;
        else if (!strcmp(v, "range"))
            o->check = HSB_DH_CHECK_RANGE;
        else
            *ok = 0;
    } else {
        return 0;
    }
    return 1;
}

int hsb_tls_cmd_parse(int argc, char **argv, const char *cmd, hsb_tls_cmd_opts *o,
                      void (*usage)(FILE *to), hsb_tls_cmd_opt_fn own, void *arg)
{
    *o = (hsb_tls_cmd_opts){
        .cmd = cmd, .spec = "openssl", .kx = HSB_TLS_KX_ALL, .check = HSB_DH_CHECK_FULL};
    int ok = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (own(arg, a, NULL, &ok)) continue;
        if (i + 1 >= argc) {
            fprintf(stderr, "hsbench %s: unknown option or missing value: %s\n", cmd, a);
            return 2;
        }
        const char *v = argv[++i];
        if (!common_opt(o, a, v, &ok) && !own(arg, a, v, &ok)) {
            fprintf(stderr, "hsbench %s: unknown option %s (see --help)\n", cmd, a);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "hsbench %s: bad value for %s: '%s'\n", cmd, a, v);
            return 2;
        }
    }
    return -1;
}

long hsb_tls_cmd_parse_long(const char *v, long lo, long hi, int *ok)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || end == v || x < lo || x > hi) *ok = 0;
    return x;
}

int hsb_tls_cmd_split_hostport(const char *s, int allow_empty, char *host, size_t hcap, char *port,
                               size_t pcap)
{
    const char *colon = strrchr(s, ':');
    if (!colon || !colon[1]) return 0;
    const char *h = s;
    size_t hl = (size_t)(colon - s);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if ((hl == 0 && !allow_empty) || hl >= hcap || strlen(colon + 1) >= pcap) return 0;
    memcpy(host, h, hl);
    host[hl] = '\0';
    strcpy(port, colon + 1);
    return 1;
}

int hsb_tls_cmd_provider(const hsb_tls_cmd_opts *o, hsb_provider *prov)
{
    char err[512];
    if (hsb_provider_from_spec(o->spec, prov, err, sizeof err) == HSB_OK) return 1;
    fprintf(stderr, "hsbench %s: --backend: %s\n", o->cmd, err);
    return 0;
}

hsb_rc hsb_tls_cmd_config(const hsb_tls_cmd_opts *o, hsb_tls_role role, const hsb_provider *prov,
                          hsb_tls_config **cfg)
{
    *cfg = NULL;
    hsb_rc rc = hsb_tls_config_new(cfg, role, prov);
    if (rc == HSB_OK) rc = hsb_tls_config_set_kx(*cfg, o->kx);
    if (rc == HSB_OK) hsb_tls_config_set_dh_check(*cfg, o->check);
    return rc;
}
