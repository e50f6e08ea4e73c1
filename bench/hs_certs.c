/*
 * The certificates of the handshake runs: a CA the client trusts and a leaf
 * for "localhost" that it signs, RSA of the requested size.
 *
 * They come from hsb_certgen (bench/certgen.c, the TLS core's generator).
 * Until that lands, a minimal local generator stands in; it goes away with
 * the HSB_HAVE_CERTGEN gate. TODO(driver): delete the #else branch.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "hsb_suite.h"

#if HSB_HAVE_CERTGEN
#include "hsb_certgen.h"

hsb_rc hsb_hs_certs(unsigned bits, X509 **anchor, X509 **leaf, EVP_PKEY **key)
{
    const hsb_cert_set *set;
    HSB_GUARD(hsb_certgen_get(bits, HSB_CERT_GOOD, &set));
    *anchor = set->anchor;
    *leaf = set->chain[0];
    *key = set->leaf_key;
    return HSB_OK;
}

#else
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

typedef struct certs {
    unsigned bits;
    X509 *ca, *leaf;
    EVP_PKEY *ca_key, *leaf_key;
} certs;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static certs cache[4];

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = ex && X509_add_ext(cert, ex, -1) == 1;
    X509_EXTENSION_free(ex);
    return ok;
}

static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                       long serial, int ca)
{
    X509 *c = X509_new();
    X509_NAME *name = X509_NAME_new();
    int ok = c && name && X509_set_version(c, 2) == 1 &&
             ASN1_INTEGER_set(X509_get_serialNumber(c), serial) == 1 &&
             X509_gmtime_adj(X509_getm_notBefore(c), -86400) &&
             X509_gmtime_adj(X509_getm_notAfter(c), 365L * 86400) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                        -1, 0) == 1 &&
             X509_set_subject_name(c, name) == 1 &&
             X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name) == 1 &&
             X509_set_pubkey(c, key) == 1;
    if (ok && ca)
        ok = add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             add_ext(c, c, NID_subject_key_identifier, "hash");
    if (ok && !ca)
        ok = add_ext(c, issuer, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(c, issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
             add_ext(c, issuer, NID_ext_key_usage, "serverAuth") &&
             add_ext(c, issuer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") &&
             add_ext(c, issuer, NID_authority_key_identifier, "keyid");
    if (ok) ok = X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256()) > 0;
    X509_NAME_free(name);
    if (!ok) {
        X509_free(c);
        c = NULL;
    }
    return c;
}

hsb_rc hsb_hs_certs(unsigned bits, X509 **anchor, X509 **leaf, EVP_PKEY **key)
{
    HSB_ENSURE(bits == 2048 || bits == 3072 || bits == 4096, HSB_E_USAGE);
    pthread_mutex_lock(&lock);
    certs *c = NULL;
    for (size_t i = 0; i < 4; i++)
        if (cache[i].bits == bits || cache[i].bits == 0) {
            c = &cache[i];
            break;
        }
    hsb_rc rc = HSB_OK;
    if (c && c->bits == 0) {
        c->ca_key = EVP_RSA_gen(bits);
        c->leaf_key = EVP_RSA_gen(bits);
        if (c->ca_key) c->ca = make_cert("hsbench test CA", c->ca_key, NULL, NULL, 1, 1);
        if (c->ca && c->leaf_key)
            c->leaf = make_cert("localhost", c->leaf_key, c->ca, c->ca_key, 2, 0);
        if (!c->leaf) {
            X509_free(c->ca);
            EVP_PKEY_free(c->ca_key);
            EVP_PKEY_free(c->leaf_key);
            c->ca = NULL;
            c->ca_key = c->leaf_key = NULL;
            rc = hsb_raise(HSB_E_CRYPTO, __FILE__, __LINE__, "test certificate generation failed");
        } else {
            c->bits = bits;
        }
    }
    if (rc == HSB_OK && c) {
        *anchor = c->ca;
        *leaf = c->leaf;
        *key = c->leaf_key;
    }
    pthread_mutex_unlock(&lock);
    return c ? rc : HSB_E_INTERNAL;
}
#endif
