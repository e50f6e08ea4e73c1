/*
 * fuzz_corpus_gen DIR: seed corpora for the fuzz targets from real,
 * deterministic self-talk connections (fuzz_common.h):
 *   DIR/certs/{ca,chain,key}.pem          the certificates every target loads
 *   DIR/corpus/server_hs/    what a client sent (hello only, handshake, all)
 *   DIR/corpus/client_hs/    what a server sent (flight only, handshake, all)
 *   DIR/corpus/record_open/  the client's records after the handshake, in
 *                            each order: etm-*, mte-* and gcm-*, each led by
 *                            the byte that selects its order (fuzz_common.h)
 *   DIR/work/<target>/       empty folders for the fuzzer's new inputs
 * for DHE (both ends offer both suites) and RSA (one end RSA only); the
 * handshake seeds and etm-* from encrypt-then-MAC connections, mte-* from a
 * DHE connection with encrypt_then_mac off at both ends. It then checks that
 * each connection negotiated the intended MAC order, that the handshake is
 * the same byte for byte when repeated, that every full seed replays through
 * its target to the peer's close_notify, so the fuzzers start deep, and that
 * a record seed led by the other order's byte does not open; exit 1 when not.
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

static int talk(unsigned ckx, unsigned skx, int order, copy *out)
{
    fz_transcript t;
    if (!fz_selftalk(ckx, skx, order, &t)) return 0;
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

/* The folders and the certificates every target loads. */
static int setup(void)
{
    static const char *const subs[] = {
        "certs",          "corpus/server_hs", "corpus/client_hs", "corpus/record_open",
        "work/server_hs", "work/client_hs",   "work/record_open"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!mkdirs(subs[i])) {
            fprintf(stderr, "mkdir %s/%s: %s\n", dir, subs[i], strerror(errno));
            return 0;
        }
    const hsb_cert_set *certs, *client;
    char ca[2048], chain[2048], key[2048], cchain[2048], ckey[2048];
    snprintf(ca, sizeof ca, "%s/certs/ca.pem", dir);
    snprintf(chain, sizeof chain, "%s/certs/chain.pem", dir);
    snprintf(key, sizeof key, "%s/certs/key.pem", dir);
    snprintf(cchain, sizeof cchain, "%s/certs/client.pem", dir);
    snprintf(ckey, sizeof ckey, "%s/certs/client-key.pem", dir);
    /* One process: the client certificate's CA is the anchor in ca.pem. */
    if (hsb_certgen_get(2048, HSB_CERT_GOOD, &certs) != HSB_OK ||
        hsb_certgen_get(2048, HSB_CERT_CLIENT, &client) != HSB_OK ||
        hsb_certgen_write_pem(certs, ca, chain, key) != HSB_OK ||
        hsb_certgen_write_pem(client, NULL, cchain, ckey) != HSB_OK) {
        fprintf(stderr, "certificates: %s\n", hsb_last_error());
        return 0;
    }
    return fz_init(dir);
}

/* The handshake targets' seeds (encrypt-then-MAC connections) and their
 * replay checks. */
static int handshake_seeds(const copy *dhe, const copy *rsa_c, const copy *rsa_s)
{
    /* what a client sends, for the server target (its server takes both) */
    int ok = put("server_hs", "dhe-hello", dhe->c2s, dhe->t.c2s_first) &&
             put("server_hs", "dhe-handshake", dhe->c2s, dhe->t.c2s_hs_end) &&
             put("server_hs", "dhe-full", dhe->c2s, dhe->t.c2s_len) &&
             put("server_hs", "rsa-hello", rsa_c->c2s, rsa_c->t.c2s_first) &&
             put("server_hs", "rsa-handshake", rsa_c->c2s, rsa_c->t.c2s_hs_end) &&
             put("server_hs", "rsa-full", rsa_c->c2s, rsa_c->t.c2s_len);
    /* what a server sends, for the client target (its client offers both) */
    ok = ok && put("client_hs", "dhe-flight", dhe->s2c, dhe->t.s2c_first) &&
         put("client_hs", "dhe-handshake", dhe->s2c, dhe->t.s2c_hs_end) &&
         put("client_hs", "dhe-full", dhe->s2c, dhe->t.s2c_len) &&
         put("client_hs", "rsa-flight", rsa_s->s2c, rsa_s->t.s2c_first) &&
         put("client_hs", "rsa-handshake", rsa_s->s2c, rsa_s->t.s2c_hs_end) &&
         put("client_hs", "rsa-full", rsa_s->s2c, rsa_s->t.s2c_len);
    if (!ok) return 0;
    return expect_depth("server_hs/dhe-full", fz_server_feed(dhe->c2s, dhe->t.c2s_len), 3) &
           expect_depth("server_hs/rsa-full", fz_server_feed(rsa_c->c2s, rsa_c->t.c2s_len), 3) &
           expect_depth("server_hs/dhe-handshake", fz_server_feed(dhe->c2s, dhe->t.c2s_hs_end), 1) &
           expect_depth("client_hs/dhe-full", fz_client_feed(dhe->s2c, dhe->t.s2c_len), 3) &
           expect_depth("client_hs/rsa-full", fz_client_feed(rsa_s->s2c, rsa_s->t.s2c_len), 3) &
           expect_depth("client_hs/rsa-handshake", fz_client_feed(rsa_s->s2c, rsa_s->t.s2c_hs_end),
                        1);
}

/* The record target's seeds from connection c of MAC order `order`: the
 * client's first record and all its records after the handshake, each led
 * by the order's byte. Checks that they replay, and that the first one
 * under the other order's byte does not open. */
static int record_seeds(const copy *c, int order)
{
    const char *tag = order == FZ_GCM ? "gcm" : order == FZ_ETM ? "etm" : "mte";
    const uint8_t *app = c->c2s + c->t.c2s_hs_end;
    size_t app_len = c->t.c2s_len - c->t.c2s_hs_end;
    size_t first = app_len >= 5 ? 5 + ((size_t)app[3] << 8 | app[4]) : 0;
    uint8_t *in = malloc(1 + app_len);
    if (!in) return 0;
    in[0] = (uint8_t)order;
    memcpy(in + 1, app, app_len);
    char n_first[64], n_all[64], n_other[64];
    snprintf(n_first, sizeof n_first, "%s-first", tag);
    snprintf(n_all, sizeof n_all, "%s-all", tag);
    snprintf(n_other, sizeof n_other, "record_open/%s-first, other order", tag);
    int ok =
        put("record_open", n_first, in, 1 + first) && put("record_open", n_all, in, 1 + app_len);
    char what[64];
    snprintf(what, sizeof what, "record_open/%s", n_first);
    ok = ok && expect_depth(what, fz_record_feed(in, 1 + first), FZ_DATA);
    snprintf(what, sizeof what, "record_open/%s", n_all);
    ok = ok && expect_depth(what, fz_record_feed(in, 1 + app_len), FZ_CLOSED);
    in[0] = (uint8_t)((order + 1) % FZ_ORDERS);
    ok = ok && expect_depth(n_other, fz_record_feed(in, 1 + first), FZ_HANDSHAKE);
    free(in);
    return ok;
}

static void release(copy *c)
{
    free(c->c2s);
    free(c->s2c);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    if (!setup()) return 1;

    copy dhe, dhe2, rsa_c, rsa_s, mte, gcm;
    if (!talk(HSB_TLS_KX_ALL, HSB_TLS_KX_ALL, FZ_ETM, &dhe) ||
        !talk(HSB_TLS_KX_ALL, HSB_TLS_KX_ALL, FZ_ETM, &dhe2) ||
        !talk(HSB_TLS_KX_RSA, HSB_TLS_KX_ALL, FZ_ETM, &rsa_c) ||
        !talk(HSB_TLS_KX_ALL, HSB_TLS_KX_RSA, FZ_ETM, &rsa_s) ||
        !talk(HSB_TLS_KX_ALL, HSB_TLS_KX_ALL, FZ_MTE, &mte) ||
        !talk(HSB_TLS_KX_ALL, HSB_TLS_KX_ALL, FZ_GCM, &gcm))
        return 1;
    if (dhe.t.c2s_len != dhe2.t.c2s_len || dhe.t.s2c_len != dhe2.t.s2c_len ||
        memcmp(dhe.c2s, dhe2.c2s, dhe.t.c2s_len) != 0 ||
        memcmp(dhe.s2c, dhe2.s2c, dhe.t.s2c_len) != 0) {
        fprintf(stderr, "the self-talk connection is not deterministic\n");
        return 1;
    }
    printf("self-talk is deterministic (%zu + %zu bytes)\n", dhe.t.c2s_len, dhe.t.s2c_len);

    int ok = handshake_seeds(&dhe, &rsa_c, &rsa_s);
    ok = record_seeds(&dhe, FZ_ETM) & ok;
    ok = record_seeds(&mte, FZ_MTE) & ok;
    ok = record_seeds(&gcm, FZ_GCM) & ok;
    release(&dhe), release(&dhe2), release(&rsa_c), release(&rsa_s), release(&mte);
    release(&gcm);
    if (!ok) return 1;
    printf("seed corpora written to %s/corpus\n", dir);
    return 0;
}
