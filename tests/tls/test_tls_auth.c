/*
 * Client authentication (RFC 5246 7.4.4 CertificateRequest, 7.4.6 the
 * client's Certificate, 7.4.8 CertificateVerify) between our client and our
 * server over the in-memory pair, both key exchanges, on the openssl
 * composition and (where it has the classes) pk=gmp: no certificate under
 * optional and require, a good one, one from an untrusted CA, a server
 * certificate offered as a client's, a bad CertificateVerify signature or
 * algorithm, malformed and unusable CertificateRequests, and the config and
 * composition checks. The test sits between the ends and edits a message
 * inside a flight (tests/tls-neg's man-in-the-middle, by message type).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_certgen.h"
#include "hsb_test.h"
#include "hsb_test_pair.h"
#include "hsb_tls_x509.h"

static hsb_provider prov;

typedef hsb_test_pair pair;

/* What a pair is made of: the server's policy, and the client's
 * certificate (a certgen variant, or -1 for none). */
typedef struct setup {
    unsigned kx;
    hsb_tls_verify_client verify;
    int client_cert;
} setup;

static hsb_rc configure(pair *p, const setup *u)
{
    const hsb_cert_set *srv, *cli = NULL;
    HSB_GUARD(hsb_certgen_get(2048, HSB_CERT_GOOD, &srv));
    if (u->client_cert >= 0)
        HSB_GUARD(hsb_certgen_get(2048, (hsb_cert_variant)u->client_cert, &cli));
    HSB_GUARD(hsb_tls_config_new(&p->ccfg, HSB_TLS_CLIENT, &prov));
    HSB_GUARD(hsb_tls_config_new(&p->scfg, HSB_TLS_SERVER, &prov));
    HSB_GUARD(hsb_tls_config_set_kx(p->ccfg, u->kx));
    HSB_GUARD(hsb_tls_config_add_anchor(p->ccfg, srv->anchor));
    HSB_GUARD(hsb_tls_config_set_server_name(p->ccfg, "localhost"));
    if (cli) {
        HSB_GUARD(hsb_tls_config_set_chain(p->ccfg, cli->chain, cli->chain_len));
        HSB_GUARD(hsb_tls_config_set_key(p->ccfg, cli->leaf_key));
    }
    HSB_GUARD(hsb_tls_config_set_chain(p->scfg, srv->chain, srv->chain_len));
    HSB_GUARD(hsb_tls_config_set_key(p->scfg, srv->leaf_key));
    /* The client CA is the test CA, which signs the client leaf too. */
    HSB_GUARD(hsb_tls_config_add_anchor(p->scfg, srv->anchor));
    return hsb_tls_config_set_verify_client(p->scfg, u->verify);
}

static pair *pair_new(const setup *u)
{
    pair *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    hsb_rc rc = configure(p, u);
    if (rc == HSB_OK) rc = hsb_test_pair_start(p);
    if (rc != HSB_OK) {
        hsb_test_pair_free(p);
        return NULL;
    }
    return p;
}

static const char *kx_name(unsigned kx)
{
    return kx == HSB_TLS_KX_RSA ? "rsa" : "dhe";
}

/* ------------------------------------------------ editing a flight */

/* Replaces a message body (len bytes at body) with *out_len bytes at out
 * (capacity cap). */
typedef void (*edit_fn)(const uint8_t *body, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* Rebuild handshake record rec (len bytes) into out with the body of the
 * first message of type `type` edited; 1 when one was found. */
static int edit_record(const uint8_t *rec, size_t len, uint8_t type, edit_fn fn, uint8_t *out,
                       size_t *out_len)
{
    size_t o = 5, i = 5;
    int found = 0;
    memcpy(out, rec, 5);
    while (i + 4 <= len) {
        size_t mlen = (size_t)rec[i + 1] << 16 | (size_t)rec[i + 2] << 8 | rec[i + 3];
        if (i + 4 + mlen > len) break;
        size_t blen = mlen;
        if (!found && rec[i] == type) {
            fn(rec + i + 4, mlen, out + o + 4, HSB_TLS_MAX_PLAINTEXT, &blen);
            found = 1;
        } else {
            memcpy(out + o + 4, rec + i + 4, mlen);
        }
        out[o] = rec[i];
        out[o + 1] = (uint8_t)(blen >> 16);
        out[o + 2] = (uint8_t)(blen >> 8);
        out[o + 3] = (uint8_t)blen;
        o += 4 + blen;
        i += 4 + mlen;
    }
    memcpy(out + o, rec + i, len - i);
    o += len - i;
    out[3] = (uint8_t)((o - 5) >> 8);
    out[4] = (uint8_t)(o - 5);
    *out_len = o;
    return found;
}

static uint8_t recs[16][HSB_TLS_MAX_RECORD + 1024];
static uint8_t edited[HSB_TLS_MAX_RECORD + 1024];

/* Edit the first message of type `type` in the plaintext handshake records
 * waiting in q; 1 when one was found. */
static int edit_flight(hsb_mem_queue *q, uint8_t type, edit_fn fn)
{
    size_t lens[16], n = 0;
    while (n < 16 && hsb_mem_queue_take_record(q, recs[n], sizeof recs[n], &lens[n]) == HSB_OK) n++;
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = lens[i];
        const uint8_t *r = recs[i];
        if (!found && r[0] == 22 && edit_record(r, len, type, fn, edited, &len)) {
            found = 1;
            r = edited;
        }
        if (hsb_mem_queue_push(q, r, len) != HSB_OK) abort();
    }
    return found;
}

/* ------------------------------------------------------- the cases */

/* A whole handshake; checks what each end says about client auth. */
static void full_case(const char *what, const setup *u, int want_auth)
{
    pair *p = pair_new(u);
    CHECKF(p != NULL, "%s: setup", what);
    if (!p) return;
    hsb_tls_conn *failed = NULL;
    hsb_rc rc = hsb_tls_pair_handshake(p->c, p->s, &failed);
    CHECKF(rc == HSB_OK, "%s/%s: %s", what, kx_name(u->kx),
           failed ? hsb_tls_conn_error(failed) : hsb_rc_name(rc));
    hsb_tls_info ci, si;
    hsb_tls_conn_info(p->c, &ci);
    hsb_tls_conn_info(p->s, &si);
    CHECKF(si.client_auth == want_auth && ci.client_auth == want_auth,
           "%s: client_auth server %d client %d, want %d", what, si.client_auth, ci.client_auth,
           want_auth);
    if (want_auth) {
        CHECKF(si.client_rsa_bits == 2048 && ci.client_rsa_bits == 2048, "%s: bits", what);
        CHECKF(si.client_subject && strstr(si.client_subject, "hsbench client"), "%s: subject %s",
               what, si.client_subject ? si.client_subject : "(null)");
    } else {
        CHECKF(si.client_subject == NULL && si.client_rsa_bits == 0, "%s: no subject", what);
    }
    /* The data flows both ways after it. */
    size_t n = 0;
    uint8_t buf[8];
    CHECKF(rc != HSB_OK ||
               (hsb_tls_write(p->c, "ping", 4, &n) == HSB_OK && hsb_tls_flush(p->c) == HSB_OK &&
                hsb_tls_read(p->s, buf, sizeof buf, &n) == HSB_OK && n == 4),
           "%s: data", what);
    printf("%-44s %s -> ok%s\n", what, kx_name(u->kx), want_auth ? ", client authenticated" : "");
    hsb_test_pair_free(p);
}

/* The pair fails: `who` (the client or the server conn) at step `step`
 * sending alert; the other end, stepped again, receives it. */
static void expect_failure(pair *p, hsb_tls_conn *who, const char *step, int alert,
                           const char *what)
{
    hsb_tls_conn *other = who == p->c ? p->s : p->c;
    const char *err = hsb_tls_conn_error(who);
    const char *got_step = hsb_tls_conn_failed_step(who);
    CHECKF(hsb_tls_conn_rc(who) != HSB_OK, "%s: did not fail", what);
    CHECKF(got_step && strcmp(got_step, step) == 0, "%s: step %s, want %s (%s)", what,
           got_step ? got_step : "(none)", step, err);
    CHECKF(hsb_tls_conn_alert_sent(who) == alert, "%s: sent %s, want %s (%s)", what,
           hsb_tls_alert_name(hsb_tls_conn_alert_sent(who)), hsb_tls_alert_name(alert), err);
    hsb_rc rc = hsb_tls_handshake_run(other);
    CHECKF(rc != HSB_OK && hsb_tls_conn_alert_received(other) == alert, "%s: peer received %d",
           what, hsb_tls_conn_alert_received(other));
    printf("%-44s -> %s\n", what, err);
}

static void failing_case(const char *what, const setup *u, int server_fails, const char *step,
                         int alert)
{
    pair *p = pair_new(u);
    CHECKF(p != NULL, "%s: setup", what);
    if (!p) return;
    hsb_tls_conn *failed = NULL;
    hsb_rc rc = hsb_tls_pair_handshake(p->c, p->s, &failed);
    CHECKF(rc != HSB_OK && failed == (server_fails ? p->s : p->c), "%s: rc %s", what,
           hsb_rc_name(rc));
    expect_failure(p, server_fails ? p->s : p->c, step, alert, what);
    hsb_test_pair_free(p);
}

/* Step by step with an edit: client hello; server flight (edited when
 * s2c_type); client flight (edited when c2s_type); then on. */
static pair *run_edited(const setup *u, uint8_t s2c_type, edit_fn s2c, uint8_t c2s_type,
                        edit_fn c2s, int *found)
{
    pair *p = pair_new(u);
    if (!p) return NULL;
    *found = 1;
    CHECK_RC(hsb_tls_handshake_run(p->c), HSB_E_WOULD_BLOCK); /* ClientHello */
    CHECK_RC(hsb_tls_handshake_run(p->s), HSB_E_WOULD_BLOCK); /* the server's flight */
    if (s2c) *found &= edit_flight(hsb_mem_pair_to_client(&p->mem), s2c_type, s2c);
    if (hsb_tls_handshake_run(p->c) != HSB_E_WOULD_BLOCK) return p;
    if (c2s) *found &= edit_flight(hsb_mem_pair_to_server(&p->mem), c2s_type, c2s);
    /* Fails here, or waits for the client's Finished... never succeeds. */
    CHECKF(hsb_tls_handshake_run(p->s) != HSB_OK, "server finished an edited handshake");
    return p;
}

/* CertificateVerify: flip a bit of the signature's last byte. */
static void ed_cv_sig(const uint8_t *b, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    (void)cap;
    memcpy(out, b, len);
    out[len - 1] ^= 0x01;
    *out_len = len;
}

/* CertificateVerify: claim rsa_pkcs1_sha1 (0x0201). */
static void ed_cv_alg(const uint8_t *b, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    (void)cap;
    memcpy(out, b, len);
    out[0] = 2;
    *out_len = len;
}

static void edited_cv_case(const char *what, unsigned kx, edit_fn fn, int alert)
{
    setup u = {kx, HSB_TLS_VERIFY_REQUIRE, HSB_CERT_CLIENT};
    int found = 0;
    pair *p = run_edited(&u, 0, NULL, 15, fn, &found);
    CHECKF(p != NULL && found, "%s: no CertificateVerify to edit", what);
    if (p) expect_failure(p, p->s, "CertificateVerify", alert, what);
    hsb_test_pair_free(p);
}

/* A CertificateRequest body of our own (hex), in place of the server's. */
static const char *cr_body;
static void ed_cr(const uint8_t *b, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    (void)b;
    (void)len;
    (void)cap;
    *out_len = hsb_test_unhex(out, cr_body);
}

static void edited_cr_case(const char *what, unsigned kx, int client_cert, const char *body,
                           int server_fails, const char *step, int alert)
{
    setup u = {kx, HSB_TLS_VERIFY_REQUIRE, client_cert};
    int found = 0;
    cr_body = body;
    pair *p = run_edited(&u, 13, ed_cr, 0, NULL, &found);
    CHECKF(p != NULL && found, "%s: no CertificateRequest to edit", what);
    if (p) expect_failure(p, server_fails ? p->s : p->c, step, alert, what);
    hsb_test_pair_free(p);
}

/* A DER Name: SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String "x" } } } */
#define DN_X "300c310a300806035504030c0178"

static void malformed_requests(unsigned kx)
{
    static const struct {
        const char *what, *body;
    } bad[] = {
        {"no certificate_types", "00"
                                 "00020401"
                                 "0000"},
        {"odd signature list", "0101"
                               "0003040102"
                               "0000"},
        {"empty signature list", "0101"
                                 "0000"
                                 "0000"},
        {"truncated signature list", "0101"
                                     "000204"},
        {"no certificate_authorities", "0101"
                                       "00020401"},
        {"a trailing byte", "0101"
                            "00020401"
                            "0000"
                            "00"},
        {"an empty DistinguishedName", "0101"
                                       "00020401"
                                       "0002"
                                       "0000"},
        {"a DistinguishedName that is not DER", "0101"
                                                "00020401"
                                                "0005"
                                                "0003010203"},
        {"a DistinguishedName with a trailing byte", "0101"
                                                     "00020401"
                                                     "0011"
                                                     "000f" DN_X "00"},
        {"certificate_authorities too long", "0101"
                                             "00020401"
                                             "0011"
                                             "000e" DN_X},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[96];
        snprintf(what, sizeof what, "CertificateRequest: %s", bad[i].what);
        edited_cr_case(what, kx, HSB_CERT_CLIENT, bad[i].body, 0, "CertificateRequest",
                       HSB_TLS_ALERT_DECODE_ERROR);
    }
}

/* Well-formed requests we cannot (or need not) answer with a certificate. */
static void unusable_requests(unsigned kx)
{
    /* A named CA that is not ours decodes and is no reason to refuse. */
    setup u = {kx, HSB_TLS_VERIFY_REQUIRE, HSB_CERT_CLIENT};
    int found = 0;
    cr_body = "0101"
              "00020401"
              "0010"
              "000e" DN_X;
    pair *p = run_edited(&u, 13, ed_cr, 0, NULL, &found);
    CHECKF(p && found && hsb_tls_conn_rc(p->c) == HSB_OK, "foreign CA name: client %s",
           p ? hsb_tls_conn_error(p->c) : "setup");
    hsb_test_pair_free(p);
    /* Only rsa_pkcs1_sha1 and ecdsa_secp256r1_sha256: nothing we can sign. */
    edited_cr_case("CertificateRequest without rsa_pkcs1_sha256", kx, HSB_CERT_CLIENT,
                   "0101"
                   "000402010403"
                   "0000",
                   0, "CertificateRequest", HSB_TLS_ALERT_HANDSHAKE_FAILURE);
    /* ecdsa_sign(64) only: our certificate does not fit, the Certificate
     * goes out empty, and a server that requires one refuses. */
    edited_cr_case("CertificateRequest for ecdsa_sign only", kx, HSB_CERT_CLIENT,
                   "0140"
                   "00020401"
                   "0000",
                   1, "client Certificate", HSB_TLS_ALERT_HANDSHAKE_FAILURE);
    /* Without a certificate the signature list does not matter. */
    edited_cr_case("no client certificate, no rsa_pkcs1_sha256", kx, -1,
                   "0101"
                   "00020201"
                   "0000",
                   1, "client Certificate", HSB_TLS_ALERT_HANDSHAKE_FAILURE);
}

/* One conn pair, many handshakes: the authentication state of one
 * connection does not leak into the next (hsb_tls_conn_start). */
static void reuse_case(unsigned kx)
{
    setup u = {kx, HSB_TLS_VERIFY_OPTIONAL, HSB_CERT_CLIENT};
    pair *p = pair_new(&u);
    CHECK(p != NULL);
    if (!p) return;
    for (int i = 0; i < 3; i++) {
        hsb_mem_pair_init(&p->mem);
        hsb_tls_transport ct = hsb_mem_pair_client(&p->mem), st = hsb_mem_pair_server(&p->mem);
        CHECK_RC(hsb_tls_conn_start(p->c, &ct), HSB_OK);
        CHECK_RC(hsb_tls_conn_start(p->s, &st), HSB_OK);
        CHECK_RC(hsb_tls_pair_handshake(p->c, p->s, NULL), HSB_OK);
        hsb_tls_info si;
        hsb_tls_conn_info(p->s, &si);
        CHECKF(si.client_auth == 1, "handshake %d on reused conns", i);
    }
    printf("%-44s %s -> ok\n", "three handshakes on one pair of conns", kx_name(kx));
    hsb_test_pair_free(p);
}

/* Config checks: what a verifying server and a client with a certificate
 * need. */
static void config_case(void)
{
    const hsb_cert_set *cli, *srv;
    CHECK_RC(hsb_certgen_get(2048, HSB_CERT_CLIENT, &cli), HSB_OK);
    CHECK_RC(hsb_certgen_get(2048, HSB_CERT_GOOD, &srv), HSB_OK);
    hsb_tls_config *cfg = NULL;
    hsb_tls_thread *thr = NULL;
    /* A verifying server without client CAs. */
    CHECK_RC(hsb_tls_config_new(&cfg, HSB_TLS_SERVER, &prov), HSB_OK);
    CHECK_RC(hsb_tls_config_set_chain(cfg, srv->chain, srv->chain_len), HSB_OK);
    CHECK_RC(hsb_tls_config_set_key(cfg, srv->leaf_key), HSB_OK);
    CHECK_RC(hsb_tls_config_set_verify_client(cfg, HSB_TLS_VERIFY_REQUIRE), HSB_OK);
    CHECK_RC(hsb_tls_thread_new(cfg, &thr), HSB_E_USAGE);
    CHECK_RC(hsb_tls_config_set_verify_client(cfg, (hsb_tls_verify_client)7), HSB_E_USAGE);
    hsb_tls_config_free(cfg);
    /* A client may not verify clients; a client certificate without its key. */
    CHECK_RC(hsb_tls_config_new(&cfg, HSB_TLS_CLIENT, &prov), HSB_OK);
    CHECK_RC(hsb_tls_config_set_verify_client(cfg, HSB_TLS_VERIFY_OPTIONAL), HSB_E_USAGE);
    CHECK_RC(hsb_tls_config_set_chain(cfg, cli->chain, cli->chain_len), HSB_OK);
    CHECK_RC(hsb_tls_thread_new(cfg, &thr), HSB_E_USAGE);
    CHECK_RC(hsb_tls_config_set_key(cfg, srv->leaf_key), HSB_E_USAGE); /* not its key */
    hsb_tls_config_free(cfg);
    /* A client that signs needs the rsa-priv class. */
    hsb_provider p = prov;
    p.cls.rsa_priv = NULL;
    CHECK_RC(hsb_tls_config_new(&cfg, HSB_TLS_CLIENT, &p), HSB_OK);
    CHECK_RC(hsb_tls_config_set_chain(cfg, cli->chain, cli->chain_len), HSB_OK);
    CHECK_RC(hsb_tls_config_set_key(cfg, cli->leaf_key), HSB_E_UNAVAILABLE);
    hsb_tls_config_free(cfg);
    printf("%-44s -> refused as they should be\n", "config checks");
}

static void run_kx(unsigned kx)
{
    setup none_opt = {kx, HSB_TLS_VERIFY_OPTIONAL, -1};
    setup none_req = {kx, HSB_TLS_VERIFY_REQUIRE, -1};
    setup good_req = {kx, HSB_TLS_VERIFY_REQUIRE, HSB_CERT_CLIENT};
    setup good_opt = {kx, HSB_TLS_VERIFY_OPTIONAL, HSB_CERT_CLIENT};
    setup good_none = {kx, HSB_TLS_VERIFY_NONE, HSB_CERT_CLIENT};
    setup untrusted = {kx, HSB_TLS_VERIFY_OPTIONAL, HSB_CERT_CLIENT_UNTRUSTED};
    setup server_leaf = {kx, HSB_TLS_VERIFY_REQUIRE, HSB_CERT_GOOD};
    full_case("no client certificate, optional", &none_opt, 0);
    full_case("client certificate, require", &good_req, 1);
    full_case("client certificate, optional", &good_opt, 1);
    full_case("client certificate, server does not ask", &good_none, 0);
    failing_case("no client certificate, require", &none_req, 1, "client Certificate",
                 HSB_TLS_ALERT_HANDSHAKE_FAILURE);
    failing_case("client certificate from another CA", &untrusted, 1, "client Certificate",
                 HSB_TLS_ALERT_UNKNOWN_CA);
    failing_case("server certificate offered as a client's", &server_leaf, 1, "client Certificate",
                 HSB_TLS_ALERT_UNSUPPORTED_CERTIFICATE);
    edited_cv_case("CertificateVerify signature bit flipped", kx, ed_cv_sig,
                   HSB_TLS_ALERT_DECRYPT_ERROR);
    edited_cv_case("CertificateVerify claims rsa_pkcs1_sha1", kx, ed_cv_alg,
                   HSB_TLS_ALERT_ILLEGAL_PARAMETER);
    malformed_requests(kx);
    unusable_requests(kx);
    reuse_case(kx);
}

int main(int argc, char **argv)
{
    const char *spec = argc > 1 ? argv[1] : "openssl";
    char err[256];
    if (hsb_provider_from_spec(spec, &prov, err, sizeof err) != HSB_OK) {
        printf("SKIP: %s\n", err);
        return 77;
    }
    if (!prov.cls.rsa_priv || !prov.cls.dh) {
        printf("SKIP: composition %s lacks rsa-priv or dh\n", spec);
        return 77;
    }
    printf("composition: %s\n", spec);
    run_kx(HSB_TLS_KX_RSA);
    run_kx(HSB_TLS_KX_DHE);
    config_case();
    return hsb_test_report("tls_auth");
}
