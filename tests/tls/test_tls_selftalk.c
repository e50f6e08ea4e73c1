/*
 * Self-talk: hsbench's TLS client and server over the in-memory pair, for
 * every key exchange x every composition that can run them x RSA 2048/3072,
 * with application data both ways and close_notify; the same conn memory is
 * reused for a second connection, and client and server compositions are
 * also crossed (client on one, server on another).
 *
 * Compositions tried: each compiled-in backend B as "B" (its classes, the
 * rest from openssl) and as "pk=B" (B's public-key classes only). One that
 * lacks a class the handshake needs is SKIPPED with a message; one that has
 * the classes must work.
 *
 * Usage: test_tls_selftalk [--quick]   (--quick: RSA 2048 only)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_certgen.h"
#include "hsb_dh_groups.h"
#include "hsb_tls_x509.h"

static int failures, passes, skips;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            failures++;                                                                            \
            return 0;                                                                              \
        }                                                                                          \
    } while (0)

typedef struct end {
    hsb_provider prov;
    hsb_tls_config *cfg;
    hsb_tls_thread *thr;
    hsb_tls_conn *conn;
} end;

static void end_free(end *e)
{
    hsb_tls_conn_free(e->conn);
    hsb_tls_thread_free(e->thr);
    hsb_tls_config_free(e->cfg);
    memset(e, 0, sizeof *e);
}

/* 1 ok, 0 failed, -1 unavailable (skip). */
static int end_setup(end *e, hsb_tls_role role, const char *spec, unsigned kx,
                     const hsb_cert_set *certs, const char *group)
{
    char err[512];
    memset(e, 0, sizeof *e);
    CHECK(hsb_provider_from_spec(spec, &e->prov, err, sizeof err) == HSB_OK, "%s", err);
    hsb_rc rc = hsb_tls_config_new(&e->cfg, role, &e->prov);
    if (rc == HSB_OK) rc = hsb_tls_config_set_kx(e->cfg, kx);
    if (rc == HSB_E_UNAVAILABLE) return -1;
    CHECK(rc == HSB_OK, "config: %s", hsb_last_error());
    if (role == HSB_TLS_SERVER) {
        CHECK(hsb_tls_config_set_chain(e->cfg, certs->chain, certs->chain_len) == HSB_OK, "%s",
              hsb_last_error());
        CHECK(hsb_tls_config_set_key(e->cfg, certs->leaf_key) == HSB_OK, "%s", hsb_last_error());
        CHECK(hsb_tls_config_set_dh_group(e->cfg, hsb_dh_group_by_name(group)) == HSB_OK, "%s",
              hsb_last_error());
    } else {
        CHECK(hsb_tls_config_add_anchor(e->cfg, certs->anchor) == HSB_OK, "%s", hsb_last_error());
        CHECK(hsb_tls_config_set_server_name(e->cfg, "localhost") == HSB_OK, "%s",
              hsb_last_error());
    }
    rc = hsb_tls_thread_new(e->cfg, &e->thr);
    if (rc == HSB_E_UNAVAILABLE || rc == HSB_E_UNSUPPORTED) return -1;
    CHECK(rc == HSB_OK, "thread: %s", hsb_last_error());
    CHECK(hsb_tls_conn_new(e->thr, &e->conn) == HSB_OK, "conn: %s", hsb_last_error());
    return 1;
}

/* Send len bytes from a to b and check them; returns 1 on success. */
static int transfer(hsb_tls_conn *a, hsb_tls_conn *b, size_t len, unsigned seed)
{
    static uint8_t sent[70000], got[70000];
    for (size_t i = 0; i < len; i++) sent[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
    size_t off = 0, recvd = 0;
    int rounds = 0;
    while (recvd < len && rounds++ < 1000) {
        if (off < len) {
            size_t n = 0;
            hsb_rc rc = hsb_tls_write(a, sent + off, len - off, &n);
            CHECK(rc == HSB_OK || rc == HSB_E_WOULD_BLOCK, "write: %s", hsb_tls_conn_error(a));
            off += n;
        }
        for (;;) {
            size_t n = 0;
            hsb_rc rc = hsb_tls_read(b, got + recvd, sizeof got - recvd, &n);
            if (rc == HSB_E_WOULD_BLOCK) break;
            CHECK(rc == HSB_OK && n > 0, "read: %s", hsb_tls_conn_error(b));
            recvd += n;
        }
    }
    CHECK(recvd == len && memcmp(sent, got, len) == 0, "data differs after %zu bytes", recvd);
    return 1;
}

/* One connection over a fresh pair: handshake, data, close. */
static int one_connection(end *cl, end *sv, unsigned kx, unsigned bits, const char *group,
                          unsigned seed)
{
    static hsb_mem_pair pair;
    hsb_mem_pair_init(&pair);
    hsb_tls_transport ct = hsb_mem_pair_client(&pair), st = hsb_mem_pair_server(&pair);
    CHECK(hsb_tls_conn_start(cl->conn, &ct) == HSB_OK, "start");
    CHECK(hsb_tls_conn_start(sv->conn, &st) == HSB_OK, "start");
    hsb_tls_conn *failed = NULL;
    hsb_rc rc = hsb_tls_pair_handshake(cl->conn, sv->conn, &failed);
    CHECK(rc == HSB_OK, "handshake: %s / client: %s / server: %s", hsb_last_error(),
          hsb_tls_conn_error(cl->conn), hsb_tls_conn_error(sv->conn));
    hsb_tls_info ci, si;
    hsb_tls_conn_info(cl->conn, &ci);
    hsb_tls_conn_info(sv->conn, &si);
    uint16_t suite = kx == HSB_TLS_KX_RSA ? HSB_TLS_RSA_WITH_AES_128_CBC_SHA256
                                          : HSB_TLS_DHE_RSA_WITH_AES_128_CBC_SHA256;
    CHECK(ci.handshake_done && si.handshake_done, "not done");
    CHECK(ci.suite == suite && si.suite == suite, "suite %04x/%04x", ci.suite, si.suite);
    CHECK(ci.version == HSB_TLS_VERSION_1_2, "version");
    CHECK(ci.rsa_bits == bits && si.rsa_bits == bits, "rsa bits %u/%u", ci.rsa_bits, si.rsa_bits);
    if (kx == HSB_TLS_KX_DHE) {
        CHECK(ci.dh_group && strcmp(ci.dh_group, group) == 0, "client sees group %s",
              ci.dh_group ? ci.dh_group : "(none)");
        CHECK(si.dh_group && strcmp(si.dh_group, group) == 0, "server group");
    } else {
        CHECK(ci.dh_group == NULL && ci.dh_bits == 0, "dh on RSA");
    }
    /* data both ways: small, one full record, several records */
    const size_t sizes[] = {1, 100, 16384, 40000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (!transfer(cl->conn, sv->conn, sizes[i], seed + (unsigned)i)) return 0;
        if (!transfer(sv->conn, cl->conn, sizes[i], seed + 7 + (unsigned)i)) return 0;
    }
    /* close_notify both ways */
    CHECK(hsb_tls_close(cl->conn) == HSB_OK, "client close: %s", hsb_tls_conn_error(cl->conn));
    size_t n = 1;
    uint8_t b[16];
    CHECK(hsb_tls_read(sv->conn, b, sizeof b, &n) == HSB_OK && n == 0, "server sees close");
    CHECK(hsb_tls_conn_alert_received(sv->conn) == HSB_TLS_ALERT_CLOSE_NOTIFY, "alert recv");
    CHECK(hsb_tls_close(sv->conn) == HSB_OK, "server close");
    n = 1;
    CHECK(hsb_tls_read(cl->conn, b, sizeof b, &n) == HSB_OK && n == 0, "client sees close");
    CHECK(hsb_tls_conn_alert_sent(cl->conn) == -1 && hsb_tls_conn_alert_sent(sv->conn) == -1,
          "no fatal alert");
    return 1;
}

static void run_case(const char *cspec, const char *sspec, unsigned kx, unsigned bits,
                     const char *group)
{
    const hsb_cert_set *certs;
    char name[256];
    snprintf(name, sizeof name, "%s kx=%s rsa-%u%s%s client=%s server=%s", "selftalk",
             kx == HSB_TLS_KX_RSA ? "rsa" : "dhe", bits, kx == HSB_TLS_KX_DHE ? " " : "",
             kx == HSB_TLS_KX_DHE ? group : "", cspec, sspec);
    if (hsb_certgen_get(bits, HSB_CERT_GOOD, &certs) != HSB_OK) {
        printf("FAIL %s: certgen: %s\n", name, hsb_last_error());
        failures++;
        return;
    }
    end cl, sv;
    int a = end_setup(&cl, HSB_TLS_CLIENT, cspec, kx, certs, group);
    int b = a == 1 ? end_setup(&sv, HSB_TLS_SERVER, sspec, kx, certs, group) : 0;
    if (a == -1 || b == -1) {
        printf("SKIP %s: composition lacks a class (%s)\n", name, hsb_last_error());
        skips++;
    } else if (a == 1 && b == 1) {
        int f0 = failures;
        /* twice on the same conns: the second reuses conn memory and contexts */
        for (unsigned r = 0; r < 2 && failures == f0; r++)
            one_connection(&cl, &sv, kx, bits, group, r * 1000 + bits);
        if (failures == f0) {
            printf("ok   %s\n", name);
            passes++;
        } else {
            printf("FAIL %s\n", name);
        }
    } else {
        printf("FAIL %s (setup)\n", name);
    }
    if (a == 1) end_free(&cl);
    if (b == 1) end_free(&sv);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    size_t nb;
    const hsb_backend *const *bs = hsb_backends(&nb);
    char specs[32][64];
    size_t ns = 0;
    static hsb_provider seen[32];
    for (size_t i = 0; i < nb && ns + 2 <= 32; i++) {
        for (int form = 0; form < (i > 0 ? 2 : 1); form++) {
            char spec[64];
            snprintf(spec, sizeof spec, form ? "pk=%s" : "%s", bs[i]->name);
            char err[512];
            if (hsb_provider_from_spec(spec, &seen[ns], err, sizeof err) != HSB_OK) continue;
            /* the same classes as a spec already listed: nothing new to test */
            int dup = 0;
            for (size_t j = 0; j < ns && !dup; j++) {
                dup = 1;
                for (unsigned c = 0; c < HSB_CLASS_COUNT; c++)
                    if (hsb_backend_class(&seen[j].cls, (hsb_class_id)c) !=
                        hsb_backend_class(&seen[ns].cls, (hsb_class_id)c))
                        dup = 0;
            }
            if (dup) {
                printf("(%s: same classes as an earlier composition, not repeated)\n", spec);
                continue;
            }
            snprintf(specs[ns++], sizeof specs[0], "%s", spec);
        }
    }
    const unsigned bit_list[] = {2048, 3072};
    const unsigned kxs[] = {HSB_TLS_KX_RSA, HSB_TLS_KX_DHE};
    for (size_t bi = 0; bi < (quick ? 1u : 2u); bi++)
        for (size_t k = 0; k < 2; k++)
            for (size_t s = 0; s < ns; s++)
                run_case(specs[s], specs[s], kxs[k], bit_list[bi], "ffdhe2048");
    /* ffdhe3072, and crossed compositions (client on one, server on another) */
    for (size_t s = 0; s < ns; s++) run_case(specs[s], specs[s], HSB_TLS_KX_DHE, 2048, "ffdhe3072");
    for (size_t s = 1; s < ns; s++) {
        run_case(specs[0], specs[s], HSB_TLS_KX_DHE, 2048, "ffdhe2048");
        run_case(specs[s], specs[0], HSB_TLS_KX_RSA, 2048, "ffdhe2048");
    }
    printf("%d passed, %d skipped, %d failed\n", passes, skips, failures);
    if (passes == 0) {
        printf("FAIL: no composition could run a handshake\n");
        return 1;
    }
    return failures ? 1 : 0;
}
