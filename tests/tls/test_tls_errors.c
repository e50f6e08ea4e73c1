/*
 * The error plumbing of the TLS engine, over the in-memory pair on the
 * openssl composition: a failure names its step and the alert on both ends,
 * the chain with one intermediate verifies, and the memory transport lets a
 * test intercept, change and replay records. (The full negative suite lives
 * elsewhere; this checks that it can be written against the API.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_certgen.h"
#include "hsb_dh_groups.h"
#include "hsb_tls_test.h"
#include "hsb_test_pair.h"
#include "hsb_tls_x509.h"

static int failures;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            failures++;                                                                            \
            return;                                                                                \
        }                                                                                          \
    } while (0)

static hsb_provider prov;

typedef hsb_test_pair pair;

/* A started client/server pair; server certificates from variant v; the
 * server's DH group is group (NULL: the default). */
static pair *pair_new_group(hsb_cert_variant v, unsigned kx, unsigned min_dh_bits,
                            const hsb_dh_group *group)
{
    const hsb_cert_set *good, *certs;
    if (hsb_certgen_get(2048, HSB_CERT_GOOD, &good) != HSB_OK ||
        hsb_certgen_get(2048, v, &certs) != HSB_OK)
        return NULL;
    pair *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    hsb_rc rc = hsb_tls_config_new(&p->ccfg, HSB_TLS_CLIENT, &prov);
    if (rc == HSB_OK) rc = hsb_tls_config_new(&p->scfg, HSB_TLS_SERVER, &prov);
    if (rc == HSB_OK) rc = hsb_tls_config_set_kx(p->ccfg, kx);
    if (rc == HSB_OK) rc = hsb_tls_config_add_anchor(p->ccfg, good->anchor);
    if (rc == HSB_OK) rc = hsb_tls_config_set_server_name(p->ccfg, "localhost");
    if (rc == HSB_OK) hsb_tls_config_set_min_dh_bits(p->ccfg, min_dh_bits);
    if (rc == HSB_OK) rc = hsb_tls_config_set_chain(p->scfg, certs->chain, certs->chain_len);
    if (rc == HSB_OK) rc = hsb_tls_config_set_key(p->scfg, certs->leaf_key);
    if (rc == HSB_OK && group) rc = hsb_tls_config_set_dh_group(p->scfg, group);
    if (rc == HSB_OK) rc = hsb_test_pair_start(p);
    if (rc != HSB_OK) {
        hsb_test_pair_free(p);
        return NULL;
    }
    return p;
}

static pair *pair_new(hsb_cert_variant v, unsigned kx, unsigned min_dh_bits)
{
    return pair_new_group(v, kx, min_dh_bits, NULL);
}

/* The client fails at Certificate with alert; the server hears it. */
static void cert_case(hsb_cert_variant v, int alert)
{
    pair *p = pair_new(v, HSB_TLS_KX_ALL, 2048);
    CHECK(p, "setup");
    hsb_tls_conn *failed = NULL;
    hsb_rc rc = hsb_tls_pair_handshake(p->c, p->s, &failed);
    const char *err = hsb_tls_conn_error(p->c);
    printf("%-18s -> %s\n", hsb_cert_variant_name(v), err);
    CHECK(rc == HSB_E_CERT && failed == p->c, "rc %s", hsb_rc_name(rc));
    CHECK(hsb_tls_conn_alert_sent(p->c) == alert, "alert %d", hsb_tls_conn_alert_sent(p->c));
    CHECK(strcmp(hsb_tls_conn_failed_step(p->c), "Certificate") == 0, "step");
    CHECK(strstr(err, hsb_tls_alert_name(alert)) != NULL, "message lacks the alert");
    /* the server, stepped again, reads the alert */
    rc = hsb_tls_handshake_run(p->s);
    CHECK(rc == HSB_E_PROTOCOL && hsb_tls_conn_alert_received(p->s) == alert, "server got %d",
          hsb_tls_conn_alert_received(p->s));
    hsb_test_pair_free(p);
}

static void intermediate_ok(void)
{
    pair *p = pair_new(HSB_CERT_WITH_INTERMEDIATE, HSB_TLS_KX_DHE, 2048);
    CHECK(p, "setup");
    hsb_rc rc = hsb_tls_pair_handshake(p->c, p->s, NULL);
    CHECK(rc == HSB_OK, "chain with an intermediate: %s", hsb_tls_conn_error(p->c));
    printf("%-18s -> ok\n", "with-intermediate");
    hsb_test_pair_free(p);
}

/* Step the client once and flip a bit in the last record it sent. */
static void tamper_last_client_record(pair *p, size_t at_from_end)
{
    uint8_t recs[8][HSB_TLS_MAX_RECORD];
    size_t lens[8], n = 0;
    while (n < 8 && hsb_mem_queue_take_record(hsb_mem_pair_to_server(&p->mem), recs[n],
                                              sizeof recs[n], &lens[n]) == HSB_OK)
        n++;
    if (n) recs[n - 1][lens[n - 1] - at_from_end] ^= 0x01;
    for (size_t i = 0; i < n; i++)
        if (hsb_mem_queue_push(hsb_mem_pair_to_server(&p->mem), recs[i], lens[i]) != HSB_OK)
            abort();
}

static void finished_bitflip(void)
{
    pair *p = pair_new(HSB_CERT_GOOD, HSB_TLS_KX_RSA, 2048);
    CHECK(p, "setup");
    /* client: ClientHello; server: its flight; client: CKE, CCS, Finished */
    CHECK(hsb_tls_handshake_run(p->c) == HSB_E_WOULD_BLOCK, "c1");
    CHECK(hsb_tls_handshake_run(p->s) == HSB_E_WOULD_BLOCK, "s1");
    CHECK(hsb_tls_handshake_run(p->c) == HSB_E_WOULD_BLOCK, "c2");
    tamper_last_client_record(p, 1); /* the encrypted Finished's last byte */
    hsb_rc rc = hsb_tls_handshake_run(p->s);
    printf("%-18s -> %s\n", "finished bit flip", hsb_tls_conn_error(p->s));
    CHECK(rc == HSB_E_DECRYPT && hsb_tls_conn_alert_sent(p->s) == HSB_TLS_ALERT_BAD_RECORD_MAC,
          "%s", hsb_tls_conn_error(p->s));
    rc = hsb_tls_handshake_run(p->c);
    CHECK(hsb_tls_conn_alert_received(p->c) == HSB_TLS_ALERT_BAD_RECORD_MAC, "client heard %d",
          hsb_tls_conn_alert_received(p->c));
    hsb_test_pair_free(p);
}

static void premaster_bitflip(void)
{
    /* A corrupted EncryptedPreMasterSecret must not fail at ClientKeyExchange
     * (no oracle): the server goes on with a random premaster and the
     * mismatch shows at the client's Finished, as bad_record_mac. */
    pair *p = pair_new(HSB_CERT_GOOD, HSB_TLS_KX_RSA, 2048);
    CHECK(p, "setup");
    CHECK(hsb_tls_handshake_run(p->c) == HSB_E_WOULD_BLOCK, "c1");
    CHECK(hsb_tls_handshake_run(p->s) == HSB_E_WOULD_BLOCK, "s1");
    CHECK(hsb_tls_handshake_run(p->c) == HSB_E_WOULD_BLOCK, "c2");
    uint8_t recs[4][HSB_TLS_MAX_RECORD];
    size_t lens[4], n = 0;
    while (n < 4 && hsb_mem_queue_take_record(hsb_mem_pair_to_server(&p->mem), recs[n],
                                              sizeof recs[n], &lens[n]) == HSB_OK)
        n++;
    CHECK(n == 3 && recs[0][0] == 22 && recs[0][5] == 16, "expected CKE, CCS, Finished");
    recs[0][5 + 4 + 2 + 10] ^= 0x80; /* inside the RSA ciphertext */
    for (size_t i = 0; i < n; i++)
        CHECK(hsb_mem_queue_push(hsb_mem_pair_to_server(&p->mem), recs[i], lens[i]) == HSB_OK,
              "push");
    hsb_rc rc = hsb_tls_handshake_run(p->s);
    printf("%-18s -> %s\n", "premaster flip", hsb_tls_conn_error(p->s));
    CHECK(rc == HSB_E_DECRYPT, "rc %s", hsb_rc_name(rc));
    CHECK(strcmp(hsb_tls_conn_failed_step(p->s), "client Finished") == 0, "step %s",
          hsb_tls_conn_failed_step(p->s));
    CHECK(hsb_tls_conn_alert_sent(p->s) == HSB_TLS_ALERT_BAD_RECORD_MAC, "alert");
    hsb_test_pair_free(p);
}

static void replay_and_seq(void)
{
    pair *p = pair_new(HSB_CERT_GOOD, HSB_TLS_KX_DHE, 2048);
    CHECK(p, "setup");
    CHECK(hsb_tls_pair_handshake(p->c, p->s, NULL) == HSB_OK, "handshake");
    size_t n;
    CHECK(hsb_tls_write(p->c, "hello", 5, &n) == HSB_OK && n == 5, "write");
    uint8_t rec[HSB_TLS_MAX_RECORD];
    size_t len;
    CHECK(hsb_mem_queue_take_record(hsb_mem_pair_to_server(&p->mem), rec, sizeof rec, &len) ==
              HSB_OK,
          "take");
    CHECK(hsb_mem_queue_push(hsb_mem_pair_to_server(&p->mem), rec, len) == HSB_OK, "push");
    CHECK(hsb_mem_queue_push(hsb_mem_pair_to_server(&p->mem), rec, len) == HSB_OK, "replay");
    uint8_t buf[16];
    CHECK(hsb_tls_read(p->s, buf, sizeof buf, &n) == HSB_OK && n == 5 && !memcmp(buf, "hello", 5),
          "first copy");
    hsb_rc rc = hsb_tls_read(p->s, buf, sizeof buf, &n);
    printf("%-18s -> %s\n", "replayed record", hsb_tls_conn_error(p->s));
    CHECK(rc == HSB_E_DECRYPT && hsb_tls_conn_alert_sent(p->s) == HSB_TLS_ALERT_BAD_RECORD_MAC,
          "replay accepted?");
    /* the last sequence number is 2^64 - 1; after it, writing is an error */
    hsb_tls_conn_test_set_seq(p->c, 1, UINT64_MAX);
    CHECK(hsb_tls_write(p->c, "x", 1, &n) == HSB_OK && n == 1, "2^64 - 1 is usable");
    rc = hsb_tls_write(p->c, "x", 1, &n);
    printf("%-18s -> %s\n", "sequence wrap", hsb_tls_conn_error(p->c));
    CHECK(rc == HSB_E_PROTOCOL && n == 0 && hsb_tls_conn_alert_sent(p->c) == -1, "wrapped");
    hsb_test_pair_free(p);
}

static void small_dh_group(void)
{
    pair *p = pair_new(HSB_CERT_GOOD, HSB_TLS_KX_DHE, 3072);
    CHECK(p, "setup");
    hsb_rc rc = hsb_tls_pair_handshake(p->c, p->s, NULL);
    printf("%-18s -> %s\n", "dh below minimum", hsb_tls_conn_error(p->c));
    CHECK(rc != HSB_OK && hsb_tls_conn_alert_sent(p->c) == HSB_TLS_ALERT_HANDSHAKE_FAILURE &&
              strcmp(hsb_tls_conn_failed_step(p->c), "ServerKeyExchange") == 0,
          "%s", hsb_tls_conn_error(p->c));
    hsb_test_pair_free(p);
}

/* Re-cut the plaintext handshake records waiting in q into records of at
 * most `cut` bytes: messages then span records. */
static int refragment(hsb_mem_queue *q, size_t cut)
{
    static uint8_t rec[HSB_TLS_MAX_RECORD], payload[64 * 1024];
    size_t len, total = 0;
    while (hsb_mem_queue_take_record(q, rec, sizeof rec, &len) == HSB_OK) {
        if (rec[0] != 22) return 0;
        memcpy(payload + total, rec + 5, len - 5);
        total += len - 5;
    }
    for (size_t off = 0; off < total; off += cut) {
        size_t n = total - off < cut ? total - off : cut;
        uint8_t h[5] = {22, 3, 3, (uint8_t)(n >> 8), (uint8_t)n};
        if (hsb_mem_queue_push(q, h, 5) != HSB_OK || hsb_mem_queue_push(q, payload + off, n))
            return 0;
    }
    return total > 0;
}

static void fragmented_flights(void)
{
    pair *p = pair_new(HSB_CERT_WITH_INTERMEDIATE, HSB_TLS_KX_DHE, 2048);
    CHECK(p, "setup");
    CHECK(hsb_tls_handshake_run(p->c) == HSB_E_WOULD_BLOCK, "c1");
    CHECK(refragment(hsb_mem_pair_to_server(&p->mem), 7), "ClientHello");
    CHECK(hsb_tls_handshake_run(p->s) == HSB_E_WOULD_BLOCK, "s1: %s", hsb_tls_conn_error(p->s));
    CHECK(refragment(hsb_mem_pair_to_client(&p->mem), 100), "server flight");
    hsb_rc rc = hsb_tls_pair_handshake(p->c, p->s, NULL);
    CHECK(rc == HSB_OK, "fragmented handshake: %s / %s", hsb_tls_conn_error(p->c),
          hsb_tls_conn_error(p->s));
    printf("%-18s -> ok\n", "fragmented flights");
    hsb_test_pair_free(p);
}

static void custom_group(void)
{
    /* ffdhe2048's prime with g = 4 (a square, so it generates the order-q
     * subgroup too): not a named group, so the client takes q = (p-1)/2 and
     * the FULL check must pass. */
    const hsb_dh_group *named = hsb_dh_group_by_name("ffdhe2048");
    static const uint8_t four = 4;
    hsb_dh_group g = *named;
    g.name = "test-g4";
    g.g = &four;
    g.g_len = 1;
    pair *p = pair_new_group(HSB_CERT_GOOD, HSB_TLS_KX_DHE, 2048, &g);
    CHECK(p, "setup");
    hsb_rc rc = hsb_tls_pair_handshake(p->c, p->s, NULL);
    CHECK(rc == HSB_OK, "custom group: %s", hsb_tls_conn_error(p->c));
    hsb_tls_info info;
    hsb_tls_conn_info(p->c, &info);
    CHECK(info.dh_group && strcmp(info.dh_group, "custom") == 0 && info.dh_bits == 2048,
          "client sees %s", info.dh_group ? info.dh_group : "(null)");
    printf("%-18s -> ok (%s-%u, full check)\n", "custom dh group", info.dh_group, info.dh_bits);
    hsb_test_pair_free(p);
}

static void missing_classes(void)
{
    /* A composition without a class the role needs is refused up front. */
    hsb_provider p = prov;
    p.cls.sha256 = NULL;
    hsb_tls_config *cfg = NULL;
    CHECK(hsb_tls_config_new(&cfg, HSB_TLS_CLIENT, &p) == HSB_E_UNAVAILABLE && !cfg, "sha256");
    p = prov;
    p.cls.rsa_priv = NULL;
    CHECK(hsb_tls_config_new(&cfg, HSB_TLS_CLIENT, &p) == HSB_OK, "client needs no rsa-priv");
    hsb_tls_config_free(cfg);
    cfg = NULL;
    CHECK(hsb_tls_config_new(&cfg, HSB_TLS_SERVER, &p) == HSB_E_UNAVAILABLE, "rsa-priv");
    p = prov;
    p.cls.dh = NULL;
    CHECK(hsb_tls_config_new(&cfg, HSB_TLS_CLIENT, &p) == HSB_OK, "RSA needs no dh");
    CHECK(hsb_tls_config_set_kx(cfg, HSB_TLS_KX_DHE) == HSB_E_UNAVAILABLE, "dh for dhe");
    CHECK(hsb_tls_config_set_kx(cfg, HSB_TLS_KX_RSA) == HSB_OK, "rsa");
    hsb_tls_config_free(cfg);
    printf("%-18s -> refused\n", "missing classes");
}

int main(void)
{
    char err[256];
    if (hsb_provider_from_spec("openssl", &prov, err, sizeof err) != HSB_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    cert_case(HSB_CERT_UNTRUSTED_CA, HSB_TLS_ALERT_UNKNOWN_CA);
    cert_case(HSB_CERT_EXPIRED, HSB_TLS_ALERT_CERTIFICATE_EXPIRED);
    cert_case(HSB_CERT_NOT_YET_VALID, HSB_TLS_ALERT_BAD_CERTIFICATE);
    cert_case(HSB_CERT_WRONG_HOST, HSB_TLS_ALERT_BAD_CERTIFICATE);
    cert_case(HSB_CERT_BAD_SIGNATURE, HSB_TLS_ALERT_DECRYPT_ERROR);
    intermediate_ok();
    finished_bitflip();
    premaster_bitflip();
    replay_and_seq();
    small_dh_group();
    fragmented_flights();
    custom_group();
    missing_classes();
    printf("%s (%d failures)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
