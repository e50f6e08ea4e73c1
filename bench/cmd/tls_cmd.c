/* What `hsbench client` and `hsbench server` share: see hsb_tls_cmd.h. */
#include "hsb_tls_cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_cmd_args.h"

enum {
    O_BACKEND = 256,
    O_KX,
    O_DHCHECK,
    O_ETM,
    O_EMS,
    O_SUITE,
    O_CLIENT_CERT,
    O_CLIENT_KEY,
    O_VERIFY_CLIENT,
    O_CLIENT_CA
};

static const struct option common_opts[] = {
    {"backend", required_argument, NULL, O_BACKEND},
    {"kx", required_argument, NULL, O_KX},
    {"dh-check", required_argument, NULL, O_DHCHECK},
    {"etm", required_argument, NULL, O_ETM},
    {"ems", required_argument, NULL, O_EMS},
    {"suite", required_argument, NULL, O_SUITE},
    {"help", no_argument, NULL, 'h'},
};

/* Client authentication (RFC 5246 7.4.4-7.4.8): a client's side and the
 * server's. */
static const struct option client_auth_opts[] = {
    {"client-cert", required_argument, NULL, O_CLIENT_CERT},
    {"client-key", required_argument, NULL, O_CLIENT_KEY},
};
static const struct option server_auth_opts[] = {
    {"verify-client", required_argument, NULL, O_VERIFY_CLIENT},
    {"client-ca", required_argument, NULL, O_CLIENT_CA},
};

/* The client authentication options: 1 when id was one of them. */
static int auth_opt(hsb_tls_cmd_opts *o, int id, const char *v, int *ok)
{
    switch (id) {
    case O_CLIENT_CERT:
        o->client_cert = v;
        return 1;
    case O_CLIENT_KEY:
        o->client_key = v;
        return 1;
    case O_CLIENT_CA:
        o->client_ca = v;
        return 1;
    case O_VERIFY_CLIENT:
        if (!strcmp(v, "none"))
            o->verify_client = HSB_TLS_VERIFY_NONE;
        else if (!strcmp(v, "optional"))
            o->verify_client = HSB_TLS_VERIFY_OPTIONAL;
        else if (!strcmp(v, "require"))
            o->verify_client = HSB_TLS_VERIFY_REQUIRE;
        else
            *ok = 0;
        return 1;
    default:
        return 0;
    }
}

/* Room for the shared options, a command's own and the zero entry. */
#define MAX_OPTS 64

/* The options both commands take: 1 when id was one of them. */
static int common_opt(hsb_tls_cmd_opts *o, int id, const char *v, int *ok)
{
    if (id == O_BACKEND) {
        o->spec = v;
    } else if (id == O_KX) {
        o->kx = !strcmp(v, "rsa")    ? HSB_TLS_KX_RSA
                : !strcmp(v, "dhe")  ? HSB_TLS_KX_DHE
                : !strcmp(v, "both") ? HSB_TLS_KX_ALL
                                     : 0;
        if (!o->kx) *ok = 0;
    } else if (id == O_ETM || id == O_EMS) {
        int on = !strcmp(v, "on") ? 1 : !strcmp(v, "off") ? 0 : -1;
        if (on < 0) *ok = 0;
        *(id == O_ETM ? &o->etm : &o->ems) = on == 1;
    } else if (id == O_SUITE) {
        if (hsb_tls_suites_parse(v, &o->kx, &o->ciphers) != HSB_OK) *ok = 0;
    } else if (id == O_DHCHECK) {
        if (!strcmp(v, "full"))
            o->check = HSB_DH_CHECK_FULL;
        else if (!strcmp(v, "range"))
            o->check = HSB_DH_CHECK_RANGE;
        else
            *ok = 0;
    } else {
        return auth_opt(o, id, v, ok);
    }
    return 1;
}

/* One parse: the settings, the command's usage and own options. */
typedef struct tls_parse {
    hsb_tls_cmd_opts *o;
    void (*usage)(FILE *to);
    hsb_tls_cmd_opt_fn own;
    void *arg;
} tls_parse;

static int take(void *ctx, const hsb_cmd_arg *a)
{
    tls_parse *x = ctx;
    if (a->id == 'h') {
        x->usage(stdout);
        return 0;
    }
    int ok = 1;
    if (!common_opt(x->o, a->id, a->value, &ok)) x->own(x->arg, a->id, a->value, &ok);
    if (ok) return -1;
    fprintf(stderr, "hsbench %s: bad value for %s: '%s'\n", x->o->cmd, a->name, a->value);
    return 2;
}

/* An unknown option, a missing value and a stray argument read alike: the
 * last argument may be an option that lacks its value. */
static int fault(void *ctx, const hsb_cmd_fault *f)
{
    const char *cmd = ((tls_parse *)ctx)->o->cmd;
    if (f->last)
        fprintf(stderr, "hsbench %s: unknown option or missing value: %s\n", cmd, f->given);
    else
        fprintf(stderr, "hsbench %s: unknown option %s (see --help)\n", cmd, f->given);
    return 2;
}

int hsb_tls_cmd_parse(int argc, char **argv, const char *cmd, hsb_tls_cmd_opts *o,
                      void (*usage)(FILE *to), const struct option *own_opts,
                      hsb_tls_cmd_opt_fn own, void *arg)
{
    *o = (hsb_tls_cmd_opts){
        .cmd = cmd,
        .spec = "openssl",
        .kx = HSB_TLS_KX_ALL,
        .check = HSB_DH_CHECK_FULL,
        .etm = 1,
        .ems = 1,
        .ciphers = HSB_TLS_CIPHER_CBC,
    };
    struct option all[MAX_OPTS];
    size_t n = sizeof common_opts / sizeof common_opts[0];
    memcpy(all, common_opts, sizeof common_opts);
    /* Client authentication only where --help describes it. */
    int server = strcmp(cmd, "server") == 0, client = strcmp(cmd, "client") == 0;
    const struct option *auth = server ? server_auth_opts : client_auth_opts;
    size_t n_auth = server   ? sizeof server_auth_opts / sizeof server_auth_opts[0]
                    : client ? sizeof client_auth_opts / sizeof client_auth_opts[0]
                             : 0;
    for (size_t i = 0; i < n_auth; i++) all[n++] = auth[i];
    for (size_t i = 0; own_opts[i].name && n + 1 < MAX_OPTS; i++) all[n++] = own_opts[i];
    all[n] = (struct option){NULL, 0, NULL, 0};
    tls_parse x = {o, usage, own, arg};
    hsb_cmd_parser p = {"h", all, take, fault, &x};
    return hsb_cmd_parse(&p, argc, argv);
}

long hsb_tls_cmd_parse_long(const char *v, long lo, long hi, int *ok)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || end == v || x < lo || x > hi) *ok = 0;
    return x;
}

/* "HOST:PORT" or "[V6ADDR]:PORT" into host and port (NUL-terminated,
 * capacities hcap and pcap). 1 on success, 0 on a malformed or too long s. */
static int split_hostport(const char *s, int allow_empty, char *host, size_t hcap, char *port,
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

hsb_rc hsb_tls_cmd_address(const hsb_tls_cmd_opts *o, const char *opt, const char *s,
                           int allow_empty, char host[HSB_TLS_CMD_HOST],
                           char port[HSB_TLS_CMD_PORT])
{
    if (split_hostport(s, allow_empty, host, HSB_TLS_CMD_HOST, port, HSB_TLS_CMD_PORT))
        return HSB_OK;
    fprintf(stderr, "hsbench %s: %s wants %s, got '%s'\n", o->cmd, opt,
            allow_empty ? "ADDR:PORT" : "HOST:PORT", s);
    return HSB_E_USAGE;
}

hsb_rc hsb_tls_cmd_provider(const hsb_tls_cmd_opts *o, hsb_provider *prov)
{
    char err[512];
    hsb_rc rc = hsb_provider_from_spec(o->spec, prov, err, sizeof err);
    if (rc != HSB_OK) fprintf(stderr, "hsbench %s: --backend: %s\n", o->cmd, err);
    return rc;
}

/* Client authentication from o onto cfg: a client's certificate and key,
 * or the server's policy and client CAs; options that do not go together
 * are HSB_E_USAGE with a message that names them. */
static hsb_rc config_auth(const hsb_tls_cmd_opts *o, hsb_tls_role role, hsb_tls_config *cfg)
{
    if (role == HSB_TLS_CLIENT) {
        if (!o->client_cert && !o->client_key) return HSB_OK;
        if (!o->client_cert || !o->client_key)
            HSB_BAIL_MSG(HSB_E_USAGE, "--client-cert and --client-key go together");
        return hsb_tls_config_load_pem(cfg, o->client_cert, o->client_key);
    }
    if (o->verify_client == HSB_TLS_VERIFY_NONE) {
        if (o->client_ca)
            HSB_BAIL_MSG(HSB_E_USAGE, "--client-ca needs --verify-client optional or require");
        return HSB_OK;
    }
    if (!o->client_ca)
        HSB_BAIL_MSG(HSB_E_USAGE, o->verify_client == HSB_TLS_VERIFY_REQUIRE
                                      ? "--verify-client require needs --client-ca FILE"
                                      : "--verify-client optional needs --client-ca FILE");
    HSB_GUARD(hsb_tls_config_load_anchors(cfg, o->client_ca));
    return hsb_tls_config_set_verify_client(cfg, o->verify_client);
}

hsb_rc hsb_tls_cmd_config(const hsb_tls_cmd_opts *o, hsb_tls_role role, const hsb_provider *prov,
                          hsb_tls_config **cfg)
{
    *cfg = NULL;
    hsb_rc rc = hsb_tls_config_new(cfg, role, prov);
    if (rc == HSB_OK) rc = hsb_tls_config_set_kx(*cfg, o->kx);
    if (rc == HSB_OK) rc = hsb_tls_config_set_ciphers(*cfg, o->ciphers);
    if (rc == HSB_OK) {
        hsb_tls_config_set_dh_check(*cfg, o->check);
        hsb_tls_config_set_etm(*cfg, o->etm);
        hsb_tls_config_set_ems(*cfg, o->ems);
        rc = config_auth(o, role, *cfg);
    }
    return rc;
}
