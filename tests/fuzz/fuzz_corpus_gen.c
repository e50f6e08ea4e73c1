/*
 * fuzz_corpus_gen DIR: seed corpora for the fuzz targets from real,
 * deterministic self-talk connections (fuzz_common.h):
 *   DIR/certs/{ca,chain,key}.pem          the certificates every target loads
 *   DIR/corpus/server_hs/    what a client sent (hello only, handshake, all)
 *   DIR/corpus/client_hs/    what a server sent (flight only, handshake, all)
 *   DIR/corpus/record_open/  the client's records after the handshake
 *   DIR/work/<target>/       empty folders for the fuzzer's new inputs
 * for DHE (both ends offer both suites) and RSA (one end RSA only). It then
 * checks that the handshake is the same byte for byte when repeated and that
 * every full seed replays through its target to the peer's close_notify, so
 * the fuzzers start deep; exit 1 when not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "hsb_certgen.h"

static const char *dir;

static int mkdirs(const char *sub)
{
    char p[2048];
    snprintf(p, sizeof p, "%s/%s", dir, sub);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) return 0;
        *s = '/';
    }
    return mkdir(p, 0755) == 0 || errno == EEXIST;
}

static int put(const char *target, const char *name, const uint8_t *p, size_t len)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/corpus/%s/%s", dir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "writing %s failed\n", path);
        return 0;
    }
    return 1;
}

typedef struct copy {
    uint8_t *c2s, *s2c;
    fz_transcript t;
} copy;

static int talk(unsigned ckx, unsigned skx, copy *out)
{
    fz_transcript t;
    if (!fz_selftalk(ckx, skx, &t)) return 0;
    out->t = t;
    out->c2s = malloc(t.c2s_len);
    out->s2c = malloc(t.s2c_len);
    if (!out->c2s || !out->s2c) return 0;
    memcpy(out->c2s, t.c2s, t.c2s_len);
    memcpy(out->s2c, t.s2c, t.s2c_len);
    return 1;
}

static const char *depth_name(int d)
{
    static const char *const n[] = {"failed in the handshake", "handshake", "data", "close_notify"};
    return d >= 0 && d <= 3 ? n[d] : "?";
}

static int expect_depth(const char *what, int got, int want)
{
    printf("%-34s replays to: %s\n", what, depth_name(got));
    if (got != want) {
        fprintf(stderr, "%s: expected to reach %s\n", what, depth_name(want));
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    static const char *const subs[] = {
        "certs",          "corpus/server_hs", "corpus/client_hs", "corpus/record_open",
        "work/server_hs", "work/client_hs",   "work/record_open"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!mkdirs(subs[i])) {
            fprintf(stderr, "mkdir %s/%s: %s\n", dir, subs[i], strerror(errno));
            return 1;
        }
    const hsb_cert_set *certs;
    char ca[2048], chain[2048], key[2048];
    snprintf(ca, sizeof ca, "%s/certs/ca.pem", dir);
    snprintf(chain, sizeof chain, "%s/certs/chain.pem", dir);
    snprintf(key, sizeof key, "%s/certs/key.pem", dir);
    if (hsb_certgen_get(2048, HSB_CERT_GOOD, &certs) != HSB_OK ||
        hsb_certgen_write_pem(certs, ca, chain, key) != HSB_OK) {
        fprintf(stderr, "certificates: %s\n", hsb_last_error());
        return 1;
    }
    if (!fz_init(dir)) return 1;

    copy dhe, dhe2, rsa_c, rsa_s;
    if (!talk(HSB_TLS_KX_ALL, HSB_TLS_KX_ALL, &dhe) ||
        !talk(HSB_TLS_KX_ALL, HSB_TLS_KX_ALL, &dhe2) ||
        !talk(HSB_TLS_KX_RSA, HSB_TLS_KX_ALL, &rsa_c) ||
        !talk(HSB_TLS_KX_ALL, HSB_TLS_KX_RSA, &rsa_s))
        return 1;
    if (dhe.t.c2s_len != dhe2.t.c2s_len || dhe.t.s2c_len != dhe2.t.s2c_len ||
        memcmp(dhe.c2s, dhe2.c2s, dhe.t.c2s_len) != 0 ||
        memcmp(dhe.s2c, dhe2.s2c, dhe.t.s2c_len) != 0) {
        fprintf(stderr, "the self-talk connection is not deterministic\n");
        return 1;
    }
    printf("self-talk is deterministic (%zu + %zu bytes)\n", dhe.t.c2s_len, dhe.t.s2c_len);

    /* what a client sends, for the server target (its server takes both) */
    int ok = put("server_hs", "dhe-hello", dhe.c2s, dhe.t.c2s_first) &&
             put("server_hs", "dhe-handshake", dhe.c2s, dhe.t.c2s_hs_end) &&
             put("server_hs", "dhe-full", dhe.c2s, dhe.t.c2s_len) &&
             put("server_hs", "rsa-hello", rsa_c.c2s, rsa_c.t.c2s_first) &&
             put("server_hs", "rsa-handshake", rsa_c.c2s, rsa_c.t.c2s_hs_end) &&
             put("server_hs", "rsa-full", rsa_c.c2s, rsa_c.t.c2s_len);
    /* what a server sends, for the client target (its client offers both) */
    ok = ok && put("client_hs", "dhe-flight", dhe.s2c, dhe.t.s2c_first) &&
         put("client_hs", "dhe-handshake", dhe.s2c, dhe.t.s2c_hs_end) &&
         put("client_hs", "dhe-full", dhe.s2c, dhe.t.s2c_len) &&
         put("client_hs", "rsa-flight", rsa_s.s2c, rsa_s.t.s2c_first) &&
         put("client_hs", "rsa-handshake", rsa_s.s2c, rsa_s.t.s2c_hs_end) &&
         put("client_hs", "rsa-full", rsa_s.s2c, rsa_s.t.s2c_len);
    /* the client's records after the handshake (keys of the DHE connection) */
    const uint8_t *app = dhe.c2s + dhe.t.c2s_hs_end;
    size_t app_len = dhe.t.c2s_len - dhe.t.c2s_hs_end;
    size_t first = app_len >= 5 ? 5 + ((size_t)app[3] << 8 | app[4]) : 0;
    ok = ok && put("record_open", "app-first", app, first) &&
         put("record_open", "app-all", app, app_len);
    if (!ok) return 1;

    ok = expect_depth("server_hs/dhe-full", fz_server_feed(dhe.c2s, dhe.t.c2s_len), 3) &
         expect_depth("server_hs/rsa-full", fz_server_feed(rsa_c.c2s, rsa_c.t.c2s_len), 3) &
         expect_depth("server_hs/dhe-handshake", fz_server_feed(dhe.c2s, dhe.t.c2s_hs_end), 1) &
         expect_depth("client_hs/dhe-full", fz_client_feed(dhe.s2c, dhe.t.s2c_len), 3) &
         expect_depth("client_hs/rsa-full", fz_client_feed(rsa_s.s2c, rsa_s.t.s2c_len), 3) &
         expect_depth("client_hs/rsa-handshake", fz_client_feed(rsa_s.s2c, rsa_s.t.s2c_hs_end), 1) &
         expect_depth("record_open/app-first", fz_record_feed(app, first), 2) &
         expect_depth("record_open/app-all", fz_record_feed(app, app_len), 3);
    free(dhe.c2s), free(dhe.s2c), free(dhe2.c2s), free(dhe2.s2c);
    free(rsa_c.c2s), free(rsa_c.s2c), free(rsa_s.c2s), free(rsa_s.s2c);
    if (!ok) return 1;
    printf("seed corpora written to %s/corpus\n", dir);
    return 0;
}
