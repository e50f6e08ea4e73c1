/* The libssl reference row of the handshake suite (hsb_ref_libssl.h). */
#include "hsb_ref_libssl.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_certgen.h"
#include "hsb_opts.h"
#include "hsb_suite.h"
#include "hsb_tsc.h"

struct hsb_ossl_cfg {
    SSL_CTX *client, *server;
    const char *cipher;
    int ems; /* extended_master_secret on: the check expects it in use */
};

const char *hsb_ossl_impl(void)
{
    static char buf[96];
    if (!buf[0]) snprintf(buf, sizeof buf, "libssl %s", OpenSSL_version(OPENSSL_VERSION));
    return buf;
}

static void ossl_err(char *err, size_t len, const char *what)
{
    unsigned long e = ERR_peek_last_error();
    char buf[256] = "";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    snprintf(err, len, "%s%s%s", what, e ? ": " : "", buf);
    ERR_clear_error();
}

void hsb_ossl_cfg_free(hsb_ossl_cfg *c)
{
    if (!c) return;
    SSL_CTX_free(c->client);
    SSL_CTX_free(c->server);
    free(c);
}

/* TLS 1.2 only, the given suites, full handshakes only. */
int hsb_ossl_ctx_tls12(SSL_CTX *ctx, const char *cipher)
{
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
           SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) == 1 &&
           SSL_CTX_set_cipher_list(ctx, cipher) == 1;
}

hsb_rc hsb_ossl_cfg_new(unsigned kx, unsigned bits, const char *group, hsb_ossl_cfg **out,
                        char *err, size_t len)
{
    const hsb_cert_set *set;
    if (hsb_certgen_get(bits, HSB_CERT_GOOD, &set) != HSB_OK) {
        snprintf(err, len, "test certificates (RSA-%u): %s", bits, hsb_last_error());
        HSB_BAIL(HSB_E_CRYPTO);
    }
    hsb_ossl_cfg *c = calloc(1, sizeof *c);
    HSB_ENSURE(c, HSB_E_NOMEM);
    c->cipher = kx == HSB_KX_DHE ? "DHE-RSA-AES128-SHA256" : "AES128-SHA256";
    c->ems = 1;
    c->server = SSL_CTX_new(TLS_server_method());
    c->client = SSL_CTX_new(TLS_client_method());
    if (!c->server || !c->client || !hsb_ossl_ctx_tls12(c->server, c->cipher) ||
        !hsb_ossl_ctx_tls12(c->client, c->cipher) ||
        SSL_CTX_use_certificate(c->server, set->chain[0]) != 1 ||
        SSL_CTX_use_PrivateKey(c->server, set->leaf_key) != 1 ||
        SSL_CTX_check_private_key(c->server) != 1) {
        ossl_err(err, len, "libssl context set-up");
        hsb_ossl_cfg_free(c);
        HSB_BAIL(HSB_E_CRYPTO);
    }
    if (kx == HSB_KX_DHE) {
        EVP_PKEY *dh = hsb_ossl_dh_params(group ? group : "ffdhe2048");
        if (!dh || SSL_CTX_set0_tmp_dh_pkey(c->server, dh) != 1) {
            EVP_PKEY_free(dh);
            ossl_err(err, len, "libssl DH group");
            hsb_ossl_cfg_free(c);
            HSB_BAIL(HSB_E_CRYPTO);
        }
    }
    SSL_CTX_set_verify(c->client, SSL_VERIFY_PEER, NULL);
    if (X509_STORE_add_cert(SSL_CTX_get_cert_store(c->client), set->anchor) != 1) {
        ossl_err(err, len, "libssl trust store");
        hsb_ossl_cfg_free(c);
        HSB_BAIL(HSB_E_CRYPTO);
    }
    *out = c;
    return HSB_OK;
}

/* 1 done, 0 wants I/O, -1 failed. */
static int step(SSL *s, int *done)
{
    if (*done) return 1;
    int r = SSL_do_handshake(s);
    if (r == 1) return *done = 1;
    int e = SSL_get_error(s, r);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

void hsb_ossl_ctx_ext(SSL_CTX *ctx, int etm, int ems)
{
    if (etm)
        SSL_CTX_clear_options(ctx, SSL_OP_NO_ENCRYPT_THEN_MAC);
    else
        SSL_CTX_set_options(ctx, SSL_OP_NO_ENCRYPT_THEN_MAC);
    if (ems)
        SSL_CTX_clear_options(ctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
    else
        SSL_CTX_set_options(ctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
}

void hsb_ossl_cfg_set_ext(hsb_ossl_cfg *c, int etm, int ems)
{
    hsb_ossl_ctx_ext(c->client, etm, ems);
    hsb_ossl_ctx_ext(c->server, etm, ems);
    c->ems = ems;
}

SSL_CTX *hsb_ossl_cfg_ctx(const hsb_ossl_cfg *c, int server)
{
    return server ? c->server : c->client;
}

hsb_rc hsb_ossl_handshake(const hsb_ossl_cfg *c, int64_t cpu[2], int check, char *err, size_t len)
{
    hsb_rc rc = HSB_OK;
    SSL *cl = SSL_new(c->client), *sv = SSL_new(c->server);
    BIO *bc = NULL, *bs = NULL;
    if (!cl || !sv || BIO_new_bio_pair(&bc, 0, &bs, 0) != 1) {
        if (err) ossl_err(err, len, "SSL_new/BIO_new_bio_pair");
        rc = hsb_raise(HSB_E_NOMEM, __FILE__, __LINE__, "libssl objects");
        goto out;
    }
    SSL_set_bio(cl, bc, bc);
    SSL_set_bio(sv, bs, bs);
    SSL_set_connect_state(cl);
    SSL_set_accept_state(sv);
    if (SSL_set1_host(cl, "localhost") != 1 || SSL_set_tlsext_host_name(cl, "localhost") != 1) {
        if (err) ossl_err(err, len, "SSL_set1_host");
        rc = hsb_raise(HSB_E_CRYPTO, __FILE__, __LINE__, "libssl host");
        goto out;
    }
    int cd = 0, sd = 0;
    for (int round = 0; round < 32 && !(cd && sd); round++) {
        int rc_c, rc_s;
        if (cpu) {
            int64_t t0 = hsb_thread_cpu_ns();
            rc_c = step(cl, &cd);
            int64_t t1 = hsb_thread_cpu_ns();
            rc_s = rc_c < 0 ? 0 : step(sv, &sd);
            int64_t t2 = hsb_thread_cpu_ns();
            cpu[0] += t1 - t0;
            cpu[1] += t2 - t1;
        } else {
            rc_c = step(cl, &cd);
            rc_s = rc_c < 0 ? 0 : step(sv, &sd);
        }
        if (rc_c < 0 || rc_s < 0) {
            if (err) ossl_err(err, len, rc_c < 0 ? "libssl client" : "libssl server");
            rc = hsb_raise(HSB_E_PROTOCOL, __FILE__, __LINE__, "libssl handshake failed");
            goto out;
        }
    }
    if (!(cd && sd)) {
        if (err) snprintf(err, len, "libssl handshake made no progress");
        rc = hsb_raise(HSB_E_INTERNAL, __FILE__, __LINE__, "libssl handshake stalled");
        goto out;
    }
    if (check) {
        const char *got = SSL_get_cipher_name(cl);
        if (SSL_get_verify_result(cl) != X509_V_OK || SSL_version(cl) != TLS1_2_VERSION || !got ||
            strcmp(got, c->cipher) != 0 || SSL_get_extms_support(cl) != c->ems) {
            if (err)
                snprintf(err, len, "libssl negotiated %s %s (verify %ld, ems %d), wanted %s ems %d",
                         SSL_get_version(cl), got ? got : "-", SSL_get_verify_result(cl),
                         (int)SSL_get_extms_support(cl), c->cipher, c->ems);
            rc = hsb_raise(HSB_E_INTERNAL, __FILE__, __LINE__, "libssl unexpected result");
        }
    }
out:
    SSL_free(cl); /* frees its BIO end too */
    SSL_free(sv);
    if (!cl) BIO_free(bc);
    if (!sv) BIO_free(bs);
    return rc;
}
