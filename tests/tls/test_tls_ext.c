/*
 * encrypt_then_mac (RFC 7366) and extended_master_secret (RFC 7627), and
 * the choice between the CBC and the AES-128-GCM suites (RFC 5288):
 *
 *  - the extended master secret against an oracle: libcrypto's TLS1-PRF KDF
 *    given RFC 7627 4's definition (secret = pre_master_secret, seed =
 *    "extended master secret" || session_hash, 48 bytes), for random
 *    premasters of the sizes RSA and DHE produce, on every backend with an
 *    HMAC-SHA256 class;
 *  - negotiation: each of the four on/off settings of each extension on
 *    the client crossed with the server's, under both key exchanges: the
 *    handshake works, hsb_tls_info says the extension is in use exactly
 *    when both ends have it on, and data goes both ways.
 * Wire interop with OpenSSL in all four combinations is in interop.py.
 */
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <stdio.h>
#include <string.h>

#include "hsb_backends.h"
#include "hsb_certgen.h"
#include "hsb_dh_groups.h"
#include "hsb_prf.h"
#include "hsb_test.h"
#include "hsb_tls_x509.h"

/* RFC 7627 4 by libcrypto's TLS 1.2 PRF. */
static int oracle_ems(const uint8_t *pms, size_t len, const uint8_t hash[32], uint8_t out[48])
{
    static const char label[] = "extended master secret";
    uint8_t seed[sizeof label - 1 + 32];
    memcpy(seed, label, sizeof label - 1);
    memcpy(seed + sizeof label - 1, hash, 32);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM ps[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)pms, len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof seed),
        OSSL_PARAM_construct_end(),
    };
    int ok = ctx && EVP_KDF_derive(ctx, out, 48, ps) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

static void test_ems_prf(void)
{
    size_t n;
    const hsb_backend *const *bs = hsb_backends(&n);
    static const size_t lens[] = {48, 48, 255, 256, 383, 384, 512, 1, 47};
    int tried = 0;
    for (size_t i = 0; i < n; i++) {
        const hsb_hmac_sha256_class *h = bs[i]->hmac;
        if (!h) continue;
        void *ctx = hsb_ctx_alloc(h->ctx_size);
        CHECK(ctx != NULL);
        for (size_t k = 0; ctx && k < sizeof lens / sizeof lens[0]; k++) {
            uint8_t pms[512], hash[32], ours[48], want[48];
            hsb_test_prng_bytes(pms, lens[k]);
            hsb_test_prng_bytes(hash, sizeof hash);
            CHECK_RC(hsb_tls12_ems_master(h, ctx, pms, lens[k], hash, ours), HSB_OK);
            CHECKF(oracle_ems(pms, lens[k], hash, want), "TLS1-PRF oracle failed");
            CHECKF(memcmp(ours, want, 48) == 0, "%s: EMS differs for a %zu-byte premaster",
                   bs[i]->name, lens[k]);
            tried++;
        }
        hsb_ctx_free(ctx, h->ctx_size);
    }
    CHECKF(tried > 0, "no backend with an hmac-sha256 class");
    printf("ems prf: %d vectors against TLS1-PRF\n", tried);
}

typedef struct end {
    hsb_tls_config *cfg;
    hsb_tls_thread *thr;
    hsb_tls_conn *conn;
} end;

static hsb_provider prov;
static const hsb_provider *cur_prov = &prov;
static unsigned cur_ciphers[2] = {HSB_TLS_CIPHER_CBC, HSB_TLS_CIPHER_CBC}; /* client, server */

static int end_setup(end *e, hsb_tls_role role, unsigned kx, int etm, int ems)
{
    const hsb_cert_set *certs;
    memset(e, 0, sizeof *e);
    if (hsb_certgen_get(2048, HSB_CERT_GOOD, &certs) != HSB_OK ||
        hsb_tls_config_new(&e->cfg, role, cur_prov) != HSB_OK ||
        hsb_tls_config_set_kx(e->cfg, kx) != HSB_OK ||
        hsb_tls_config_set_ciphers(e->cfg, cur_ciphers[role]) != HSB_OK)
        return 0;
    hsb_tls_config_set_etm(e->cfg, etm);
    hsb_tls_config_set_ems(e->cfg, ems);
    hsb_rc rc;
    if (role == HSB_TLS_SERVER) {
        rc = hsb_tls_config_set_chain(e->cfg, certs->chain, certs->chain_len);
        if (rc == HSB_OK) rc = hsb_tls_config_set_key(e->cfg, certs->leaf_key);
    } else {
        rc = hsb_tls_config_add_anchor(e->cfg, certs->anchor);
        if (rc == HSB_OK) rc = hsb_tls_config_set_server_name(e->cfg, "localhost");
    }
    if (rc == HSB_OK) rc = hsb_tls_thread_new(e->cfg, &e->thr);
    if (rc == HSB_OK) rc = hsb_tls_conn_new(e->thr, &e->conn);
    return rc == HSB_OK;
}

static void end_free(end *e)
{
    hsb_tls_conn_free(e->conn);
    hsb_tls_thread_free(e->thr);
    hsb_tls_config_free(e->cfg);
}

/* len bytes from a to b over the pair, compared. */
static int transfer(hsb_tls_conn *a, hsb_tls_conn *b, size_t len)
{
    static uint8_t sent[20000], got[20000];
    hsb_test_prng_bytes(sent, len);
    size_t off = 0, recvd = 0;
    for (int rounds = 0; recvd < len && rounds < 100; rounds++) {
        size_t k = 0;
        hsb_rc rc = off < len ? hsb_tls_write(a, sent + off, len - off, &k) : HSB_OK;
        if (rc != HSB_OK && rc != HSB_E_WOULD_BLOCK) return 0;
        off += k;
        while (hsb_tls_read(b, got + recvd, sizeof got - recvd, &k) == HSB_OK && k > 0) recvd += k;
    }
    return recvd == len && memcmp(sent, got, len) == 0;
}

/* Handshake cl and sv over a fresh pair; 1 when both finished. */
static int pair_up(end *cl, end *sv)
{
    static hsb_mem_pair pair;
    hsb_mem_pair_init(&pair);
    hsb_tls_transport ct = hsb_mem_pair_client(&pair), st = hsb_mem_pair_server(&pair);
    return hsb_tls_conn_start(cl->conn, &ct) == HSB_OK &&
           hsb_tls_conn_start(sv->conn, &st) == HSB_OK &&
           hsb_tls_pair_handshake(cl->conn, sv->conn, NULL) == HSB_OK;
}

/* Record protections offered (c) and accepted (s), both ends with
 * encrypt_then_mac on: the client's first offer the server takes wins (GCM
 * is offered first); none in common is handshake_failure from the server;
 * a GCM suite never runs EtM (RFC 7366 3). Data both ways at record sizes. */
static void one_cipher_combo(unsigned kx, unsigned c, unsigned s, const char *comp)
{
    end cl, sv;
    cur_ciphers[0] = c;
    cur_ciphers[1] = s;
    int ok = end_setup(&cl, HSB_TLS_CLIENT, kx, 1, 1) && end_setup(&sv, HSB_TLS_SERVER, kx, 1, 1);
    CHECKF(ok, "setup: %s", hsb_last_error());
    unsigned common = c & s, want = common & HSB_TLS_CIPHER_GCM ? HSB_TLS_CIPHER_GCM : common;
    const char *kxn = kx == HSB_TLS_KX_RSA ? "rsa" : "dhe";
    if (ok) ok = pair_up(&cl, &sv);
    if (!want) {
        CHECKF(!ok && hsb_tls_conn_alert_sent(sv.conn) == HSB_TLS_ALERT_HANDSHAKE_FAILURE,
               "%s %s ciphers c=%u s=%u: no suite in common, yet %s", comp, kxn, c, s,
               ok ? "the handshake succeeded" : hsb_tls_conn_error(sv.conn));
    } else if (ok) {
        hsb_tls_info ci, si;
        hsb_tls_conn_info(cl.conn, &ci);
        hsb_tls_conn_info(sv.conn, &si);
        uint16_t suite = want == HSB_TLS_CIPHER_GCM
                             ? (kx == HSB_TLS_KX_RSA ? HSB_TLS_RSA_WITH_AES_128_GCM_SHA256
                                                     : HSB_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256)
                             : (kx == HSB_TLS_KX_RSA ? HSB_TLS_RSA_WITH_AES_128_CBC_SHA256
                                                     : HSB_TLS_DHE_RSA_WITH_AES_128_CBC_SHA256);
        CHECKF(ci.suite == suite && si.suite == suite && ci.cipher == want,
               "%s %s c=%u s=%u: suite %04x/%04x, wanted %04x", comp, kxn, c, s, ci.suite, si.suite,
               suite);
        int etm = want == HSB_TLS_CIPHER_CBC;
        CHECKF(ci.etm == etm && si.etm == etm, "%s %s c=%u s=%u: etm %d/%d", comp, kxn, c, s,
               ci.etm, si.etm);
        static const size_t sizes[] = {1, 15, 16, 100, 16384};
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            CHECKF(transfer(cl.conn, sv.conn, sizes[i]) && transfer(sv.conn, cl.conn, sizes[i]),
                   "%s %s c=%u s=%u: %zu bytes", comp, kxn, c, s, sizes[i]);
    } else {
        CHECKF(0, "%s %s c=%u s=%u: %s / %s", comp, kxn, c, s, hsb_tls_conn_error(cl.conn),
               hsb_tls_conn_error(sv.conn));
    }
    end_free(&cl);
    end_free(&sv);
    cur_ciphers[0] = cur_ciphers[1] = HSB_TLS_CIPHER_CBC;
}

/* Names, and GCM refused (not served from elsewhere) by a composition
 * whose gcm class is missing. */
static void test_gcm_names_and_absence(void)
{
    CHECKF(hsb_tls_suite_by_name("rsa-gcm") == HSB_TLS_RSA_WITH_AES_128_GCM_SHA256 &&
               hsb_tls_suite_by_name("dhe-gcm") == HSB_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 &&
               hsb_tls_suite_by_name("tls_rsa_with_aes_128_gcm_sha256") == 0x009C &&
               hsb_tls_suite_by_name("TLS_DHE_RSA_WITH_AES_128_CBC_SHA256") == 0x0067 &&
               hsb_tls_suite_by_name("rsa-ccm") == 0,
           "suite names");
    CHECKF(hsb_tls_suite_kx(0x009E) == HSB_TLS_KX_DHE &&
               hsb_tls_suite_cipher(0x009E) == HSB_TLS_CIPHER_GCM &&
               hsb_tls_suite_cipher(0x003C) == HSB_TLS_CIPHER_CBC && hsb_tls_suite_kx(0x002F) == 0,
           "suite parts");
    unsigned kx = 0, ci = 0;
    CHECK_RC(hsb_tls_suites_parse("rsa-gcm,dhe-cbc", &kx, &ci), HSB_OK);
    CHECKF(kx == HSB_TLS_KX_ALL && ci == HSB_TLS_CIPHER_ALL, "parse: kx %u ciphers %u", kx, ci);
    CHECK_RC(hsb_tls_suites_parse("dhe-gcm", &kx, &ci), HSB_OK);
    CHECKF(kx == HSB_TLS_KX_DHE && ci == HSB_TLS_CIPHER_GCM, "parse: kx %u ciphers %u", kx, ci);
    static const char *const bad[] = {"", "rsa-gcm,", ",rsa-gcm", "rsa-gcm,,dhe-gcm", "aes128"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECKF(hsb_tls_suites_parse(bad[i], &kx, &ci) == HSB_E_USAGE, "parse '%s'", bad[i]);
    hsb_provider no_gcm = prov;
    no_gcm.cls.gcm = NULL;
    hsb_tls_config *cfg = NULL;
    CHECK_RC(hsb_tls_config_new(&cfg, HSB_TLS_CLIENT, &no_gcm), HSB_OK);
    if (!cfg) return;
    CHECK_RC(hsb_tls_config_set_ciphers(cfg, HSB_TLS_CIPHER_GCM), HSB_E_UNAVAILABLE);
    CHECKF(strstr(hsb_last_error(), "gcm") != NULL, "message: %s", hsb_last_error());
    CHECK_RC(hsb_tls_config_set_ciphers(cfg, HSB_TLS_CIPHER_ALL), HSB_E_UNAVAILABLE);
    CHECK_RC(hsb_tls_config_set_ciphers(cfg, HSB_TLS_CIPHER_CBC), HSB_OK);
    CHECK_RC(hsb_tls_config_set_ciphers(cfg, 0), HSB_E_USAGE);
    hsb_tls_config_free(cfg);
}

/* c and s: client and server settings, bit 0 etm, bit 1 ems. */
static void one_combo(unsigned kx, unsigned c, unsigned s)
{
    end cl, sv;
    int ok = end_setup(&cl, HSB_TLS_CLIENT, kx, c & 1, c >> 1 & 1) &&
             end_setup(&sv, HSB_TLS_SERVER, kx, s & 1, s >> 1 & 1);
    CHECKF(ok, "setup: %s", hsb_last_error());
    if (ok) ok = pair_up(&cl, &sv);
    const char *kxn = kx == HSB_TLS_KX_RSA ? "rsa" : "dhe";
    CHECKF(ok, "%s client etm=%u ems=%u, server etm=%u ems=%u: %s / %s", kxn, c & 1, c >> 1, s & 1,
           s >> 1, hsb_tls_conn_error(cl.conn), hsb_tls_conn_error(sv.conn));
    if (ok) {
        hsb_tls_info ci, si;
        hsb_tls_conn_info(cl.conn, &ci);
        hsb_tls_conn_info(sv.conn, &si);
        int etm = (c & s & 1) != 0, ems = (c & s & 2) != 0;
        CHECKF(ci.etm == etm && si.etm == etm, "%s etm c=%u s=%u: %d/%d", kxn, c, s, ci.etm,
               si.etm);
        CHECKF(ci.ems == ems && si.ems == ems, "%s ems c=%u s=%u: %d/%d", kxn, c, s, ci.ems,
               si.ems);
        static const size_t sizes[] = {0, 1, 15, 16, 100, 16384};
        for (size_t i = 1; i < sizeof sizes / sizeof sizes[0]; i++)
            CHECKF(transfer(cl.conn, sv.conn, sizes[i]) && transfer(sv.conn, cl.conn, sizes[i]),
                   "%s c=%u s=%u: %zu bytes", kxn, c, s, sizes[i]);
    }
    end_free(&cl);
    end_free(&sv);
}

/* A conn in caller memory that held a marker in its records: after
 * hsb_tls_conn_clear no copy of the marker is left (the receiver decrypts in
 * its input buffer, so the wipe must reach what was used), while the buffer
 * space no record ever used was not written by init, the handshake or clear
 * (a fresh mapping stays unfaulted; a server holds thousands of conns). */
static size_t count_marker(const uint8_t *m, size_t n, const uint8_t *mark, size_t mlen)
{
    size_t hits = 0;
    for (size_t i = 0; i + mlen <= n; i++) hits += memcmp(m + i, mark, mlen) == 0;
    return hits;
}

static void test_clear_wipes_used_only(void)
{
    static const uint8_t mark[] = "hsbench-marker: wipe me after use";
    end cl, sv;
    int ok = end_setup(&cl, HSB_TLS_CLIENT, HSB_TLS_KX_RSA, 1, 1) &&
             end_setup(&sv, HSB_TLS_SERVER, HSB_TLS_KX_RSA, 1, 1);
    CHECKF(ok, "setup: %s", hsb_last_error());
    size_t n = hsb_tls_conn_size(sv.cfg);
    uint8_t *mem = ok ? hsb_ctx_alloc(n) : NULL;
    hsb_tls_conn *own = NULL, *orig = sv.conn;
    int cleared = 0;
    if (mem) {
        memset(mem, 0x5a, n);
        ok = hsb_tls_conn_init(mem, sv.thr, &own) == HSB_OK;
        CHECKF(ok, "init in caller memory: %s", hsb_last_error());
    }
    if (ok && own) {
        sv.conn = own; /* the pair runs on own instead */
        ok = pair_up(&cl, &sv);
        CHECKF(ok, "handshake: %s / %s", hsb_tls_conn_error(cl.conn), hsb_tls_conn_error(own));
    }
    if (ok) {
        uint8_t msg[4000], got[4000];
        for (size_t i = 0; i < sizeof msg; i++) msg[i] = mark[i % (sizeof mark - 1)];
        size_t k = 0, recvd = 0;
        CHECK_RC(hsb_tls_write(cl.conn, msg, sizeof msg, &k), HSB_OK);
        while (recvd < sizeof got &&
               hsb_tls_read(own, got + recvd, sizeof got - recvd, &k) == HSB_OK && k)
            recvd += k;
        CHECKF(recvd == sizeof msg && memcmp(msg, got, recvd) == 0, "marker not received");
        CHECKF(count_marker(mem, n, mark, sizeof mark - 1) > 0, "the marker is not in the conn");
        hsb_tls_conn_clear(own);
        cleared = 1;
        CHECKF(count_marker(mem, n, mark, sizeof mark - 1) == 0, "clear left the marker behind");
        size_t untouched = 0;
        for (size_t i = 0; i < n; i++) untouched += mem[i] == 0x5a;
        CHECKF(untouched > n / 2, "init/handshake/clear wrote %zu of %zu bytes", n - untouched, n);
        printf("clear: marker wiped; %zu of %zu bytes of the conn never written\n", untouched, n);
    }
    if (own && !cleared) hsb_tls_conn_clear(own);
    if (mem) hsb_ctx_free(mem, n);
    sv.conn = orig;
    end_free(&cl);
    end_free(&sv);
}

int main(void)
{
    char err[256];
    hsb_test_prng_seed(7627);
    test_ems_prf();
    if (hsb_provider_from_spec("openssl", &prov, err, sizeof err) != HSB_OK) {
        fprintf(stderr, "composition: %s\n", err);
        return 1;
    }
    static const unsigned kxs[] = {HSB_TLS_KX_RSA, HSB_TLS_KX_DHE};
    for (size_t k = 0; k < 2; k++)
        for (unsigned c = 0; c < 4; c++)
            for (unsigned s = 0; s < 4; s++) one_combo(kxs[k], c, s);
    test_gcm_names_and_absence();
    test_clear_wipes_used_only();
    /* the cipher matrix on openssl, then GCM both ways on native's class */
    for (size_t k = 0; k < 2; k++)
        for (unsigned c = 1; c < 4; c++)
            for (unsigned s = 1; s < 4; s++) one_cipher_combo(kxs[k], c, s, "openssl");
    static hsb_provider native;
    if (hsb_provider_from_spec("native", &native, err, sizeof err) == HSB_OK && native.cls.gcm &&
        !strcmp(native.from[HSB_CLASS_GCM], "native")) {
        cur_prov = &native;
        for (size_t k = 0; k < 2; k++) one_cipher_combo(kxs[k], 2, 3, "native");
        cur_prov = &prov;
    } else {
        printf("native gcm: UNAVAILABLE, skipped\n");
    }
    return hsb_test_report("tls_ext");
}
