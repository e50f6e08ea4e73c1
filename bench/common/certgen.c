/* Test certificates made in memory with libcrypto (see hsb_certgen.h). */
#include "hsb_certgen.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#define N_SIZES 3
static const unsigned sizes[N_SIZES] = {2048, 3072, 4096};

/* Keys per size: the anchor CA, the leaf, a rogue CA, an intermediate CA,
 * a client's leaf. */
enum { K_ANCHOR, K_LEAF, K_ROGUE, K_INTER, K_CLIENT, K_COUNT };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static EVP_PKEY *keys[N_SIZES][K_COUNT];
static X509 *anchors[N_SIZES];
static hsb_cert_set *sets[N_SIZES][HSB_CERT_VARIANT_COUNT];
static hsb_cert_set storage[N_SIZES][HSB_CERT_VARIANT_COUNT];

const char *hsb_cert_variant_name(hsb_cert_variant v)
{
    switch (v) {
    case HSB_CERT_GOOD:
        return "good";
    case HSB_CERT_EXPIRED:
        return "expired";
    case HSB_CERT_NOT_YET_VALID:
        return "not-yet-valid";
    case HSB_CERT_WRONG_HOST:
        return "wrong-host";
    case HSB_CERT_UNTRUSTED_CA:
        return "untrusted-ca";
    case HSB_CERT_BAD_SIGNATURE:
        return "bad-signature";
    case HSB_CERT_WITH_INTERMEDIATE:
        return "with-intermediate";
    case HSB_CERT_CLIENT:
        return "client";
    case HSB_CERT_CLIENT_UNTRUSTED:
        return "client-untrusted";
    default:
        return NULL;
    }
}

static EVP_PKEY *get_key(int si, int which)
{
    if (!keys[si][which]) keys[si][which] = EVP_RSA_gen(sizes[si]);
    return keys[si][which];
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext) return 0;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* What a certificate is for: a CA, a TLS server (the SAN names it), a TLS
 * client (RFC 5280 4.2.1.12 id-kp-clientAuth; no SAN). */
enum { IS_SERVER = 0, IS_CA = 1, IS_CLIENT = 2 };

/* A certificate for subject `cn` with key `key`, issued by issuer (NULL:
 * self-signed) holding issuer_key, for use kind (IS_*); validity
 * [now + from_days, now + to_days]. */
static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, int kind,
                       const char *san, long from_days, long to_days, long serial)
{
    X509 *x = X509_new();
    if (!x) return NULL;
    X509_NAME *name = X509_NAME_new();
    int ok = name && X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), serial) &&
             X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"hsbench",
                                        -1, -1, 0) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                        0) &&
             X509_set_subject_name(x, name) &&
             X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) &&
             X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400L) &&
             X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400L) && X509_set_pubkey(x, key);
    X509_NAME_free(name);
    X509 *iss = issuer ? issuer : x;
    if (ok && kind == IS_CA) {
        ok = add_ext(x, iss, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(x, iss, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             add_ext(x, iss, NID_subject_key_identifier, "hash");
    } else if (ok && kind == IS_CLIENT) {
        ok = add_ext(x, iss, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(x, iss, NID_key_usage, "critical,digitalSignature") &&
             add_ext(x, iss, NID_ext_key_usage, "clientAuth") &&
             add_ext(x, iss, NID_subject_key_identifier, "hash");
    } else if (ok) {
        ok = add_ext(x, iss, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(x, iss, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
             add_ext(x, iss, NID_ext_key_usage, "serverAuth") &&
             add_ext(x, iss, NID_subject_key_identifier, "hash") &&
             add_ext(x, iss, NID_subject_alt_name, san);
    }
    if (ok && issuer) ok = add_ext(x, iss, NID_authority_key_identifier, "keyid:always");
    if (ok) ok = X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

#define LOCALHOST_SAN "DNS:localhost,IP:127.0.0.1"
#define CLIENT_CN "hsbench client"

/* The leaf of variant v, issued as the variant says (an intermediate goes
 * into s->chain[1]; a client's key into s->leaf_key); NULL on failure. */
static X509 *make_leaf(int si, hsb_cert_variant v, hsb_cert_set *s)
{
    EVP_PKEY *ak = s->anchor_key, *lk = s->leaf_key;
    long serial = 100 + (long)v;
    X509 *leaf = NULL;
    switch (v) {
    case HSB_CERT_GOOD:
    case HSB_CERT_BAD_SIGNATURE:
        leaf =
            make_cert("localhost", lk, anchors[si], ak, IS_SERVER, LOCALHOST_SAN, -1, 365, serial);
        break;
    case HSB_CERT_EXPIRED:
        leaf =
            make_cert("localhost", lk, anchors[si], ak, IS_SERVER, LOCALHOST_SAN, -30, -1, serial);
        break;
    case HSB_CERT_NOT_YET_VALID:
        leaf =
            make_cert("localhost", lk, anchors[si], ak, IS_SERVER, LOCALHOST_SAN, 1, 365, serial);
        break;
    case HSB_CERT_WRONG_HOST:
        leaf = make_cert("wrong.example", lk, anchors[si], ak, IS_SERVER,
                         "DNS:wrong.example,IP:10.11.12.13", -1, 365, serial);
        break;
    case HSB_CERT_UNTRUSTED_CA:
    case HSB_CERT_CLIENT_UNTRUSTED: {
        /* Same name as the anchor, another key: the anchor did not sign it. */
        EVP_PKEY *rk = get_key(si, K_ROGUE);
        X509 *rogue =
            rk ? make_cert("hsbench test CA", rk, NULL, NULL, IS_CA, NULL, -1, 3650, 2) : NULL;
        if (rogue && v == HSB_CERT_UNTRUSTED_CA)
            leaf = make_cert("localhost", lk, rogue, rk, IS_SERVER, LOCALHOST_SAN, -1, 365, serial);
        else if (rogue && (s->leaf_key = get_key(si, K_CLIENT)) != NULL)
            leaf = make_cert(CLIENT_CN, s->leaf_key, rogue, rk, IS_CLIENT, NULL, -1, 365, serial);
        X509_free(rogue);
        break;
    }
    case HSB_CERT_CLIENT:
        s->leaf_key = get_key(si, K_CLIENT);
        if (s->leaf_key)
            leaf = make_cert(CLIENT_CN, s->leaf_key, anchors[si], ak, IS_CLIENT, NULL, -1, 365,
                             serial);
        break;
    case HSB_CERT_WITH_INTERMEDIATE: {
        EVP_PKEY *ik = get_key(si, K_INTER);
        X509 *inter =
            ik ? make_cert("hsbench intermediate CA", ik, anchors[si], ak, IS_CA, NULL, -1, 3650, 3)
               : NULL;
        if (inter)
            leaf = make_cert("localhost", lk, inter, ik, IS_SERVER, LOCALHOST_SAN, -1, 365, serial);
        if (!leaf) {
            X509_free(inter);
            break;
        }
        s->chain[1] = inter;
        s->chain_len = 2;
        break;
    }
    default:
        break;
    }
    return leaf;
}

static hsb_rc build(int si, hsb_cert_variant v, hsb_cert_set *s)
{
    EVP_PKEY *ak = get_key(si, K_ANCHOR), *lk = get_key(si, K_LEAF);
    if (!ak || !lk) HSB_BAIL_MSG(HSB_E_CRYPTO, "RSA key generation failed");
    if (!anchors[si]) {
        anchors[si] = make_cert("hsbench test CA", ak, NULL, NULL, IS_CA, NULL, -1, 3650, 1);
        if (!anchors[si]) HSB_BAIL_MSG(HSB_E_CRYPTO, "CA certificate");
    }
    memset(s, 0, sizeof *s);
    s->bits = sizes[si];
    s->variant = v;
    s->anchor = anchors[si];
    s->anchor_key = ak;
    s->leaf_key = lk;
    s->chain_len = 1;
    X509 *leaf = make_leaf(si, v, s);
    if (!leaf) HSB_BAIL_MSG(HSB_E_CRYPTO, "leaf certificate");
    if (v == HSB_CERT_BAD_SIGNATURE) {
        /* Flip one bit of the signature: it is the last field of the DER,
         * so a byte near the end lies inside it. */
        unsigned char *der = NULL;
        int dl = i2d_X509(leaf, &der);
        X509_free(leaf);
        leaf = NULL;
        if (dl > 64) {
            der[dl - 20] ^= 0x10;
            const unsigned char *p = der;
            leaf = d2i_X509(NULL, &p, dl);
        }
        OPENSSL_free(der);
        if (!leaf) HSB_BAIL_MSG(HSB_E_CRYPTO, "re-encoding the bad certificate");
    }
    s->chain[0] = leaf;
    return HSB_OK;
}

hsb_rc hsb_certgen_get(unsigned bits, hsb_cert_variant v, const hsb_cert_set **out)
{
    HSB_ENSURE(out && (unsigned)v < HSB_CERT_VARIANT_COUNT, HSB_E_USAGE);
    *out = NULL;
    int si = -1;
    for (int i = 0; i < N_SIZES; i++)
        if (sizes[i] == bits) si = i;
    if (si < 0) HSB_BAIL_MSG(HSB_E_USAGE, "certificate size must be 2048, 3072 or 4096");
    pthread_mutex_lock(&lock);
    hsb_rc rc = HSB_OK;
    if (!sets[si][v]) {
        rc = build(si, v, &storage[si][v]);
        if (rc == HSB_OK) sets[si][v] = &storage[si][v];
    }
    *out = sets[si][v];
    pthread_mutex_unlock(&lock);
    return rc;
}

hsb_rc hsb_certgen_write_pem(const hsb_cert_set *set, const char *ca_file, const char *chain_file,
                             const char *key_file)
{
    HSB_ENSURE(set, HSB_E_USAGE);
    FILE *f;
    if (ca_file) {
        if (!(f = fopen(ca_file, "w"))) HSB_BAIL_MSG(HSB_E_IO, "cannot write the CA file");
        int ok = PEM_write_X509(f, set->anchor);
        if (fclose(f) != 0 || !ok) HSB_BAIL_MSG(HSB_E_IO, "writing the CA file");
    }
    if (chain_file) {
        if (!(f = fopen(chain_file, "w"))) HSB_BAIL_MSG(HSB_E_IO, "cannot write the chain file");
        int ok = 1;
        for (size_t i = 0; i < set->chain_len; i++) ok &= PEM_write_X509(f, set->chain[i]);
        if (fclose(f) != 0 || !ok) HSB_BAIL_MSG(HSB_E_IO, "writing the chain file");
    }
    if (key_file) {
        if (!(f = fopen(key_file, "w"))) HSB_BAIL_MSG(HSB_E_IO, "cannot write the key file");
        int ok = PEM_write_PrivateKey(f, set->leaf_key, NULL, NULL, 0, NULL, NULL);
        if (fclose(f) != 0 || !ok) HSB_BAIL_MSG(HSB_E_IO, "writing the key file");
    }
    return HSB_OK;
}
