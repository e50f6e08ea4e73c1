/*
 * Certificate (RFC 5246 7.4.2, and the client's, 7.4.6) and the check of the
 * peer's chain: a client's of the server's, a server's of a client's (the
 * same rules, against the config's trust anchors; the host name and the
 * purpose are the role's).
 *
 * libcrypto parses (d2i_X509) and answers the questions that need no
 * arithmetic: does this CA's name and key identifier match the
 * certificate's issuer (X509_check_issued), is it a CA (X509_check_ca), the
 * dates, the host name (X509_check_host / X509_check_ip_asc). The signature
 * math runs on the selected backend: SHA-256 of the TBSCertificate bytes
 * (located in the DER by hand, no re-encoding) and EMSA-PKCS1-v1_5 verify
 * on the backend's rsa_pub (hsb_pkcs1_verify_sha256), so a handshake
 * benchmark measures the backend, certificates included.
 *
 * Paths: leaf issued by a trust anchor, or leaf <- one intermediate (the
 * second certificate the server sent) <- trust anchor. Trust anchors are
 * trusted as given (their own signatures and dates are not checked).
 *
 * Alerts follow OpenSSL's table (ssl_x509err2alert): unknown issuer or an
 * intermediate that is not a CA -> unknown_ca; signature failure ->
 * decrypt_error; expired -> certificate_expired; not yet valid, host name
 * mismatch, key too small, malformed -> bad_certificate; a signature
 * algorithm other than sha256WithRSAEncryption, a non-RSA key, or a leaf
 * whose extensions (extendedKeyUsage, keyUsage) rule out the role's
 * purpose (X509_check_purpose: TLS server, TLS client) ->
 * unsupported_certificate.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "hsb_limits.h"
#include "hsb_pkcs1.h"
#include "tls_internal.h"

/* ------------------------------------------------------------ probe */

/* hsb_tls_set_probe: set before the threads run, read-only while they do. */
static hsb_tls_probe_fn probe_fn;
static void *probe_arg;

void hsb_tls_set_probe(hsb_tls_probe_fn fn, void *arg)
{
    probe_fn = fn;
    probe_arg = arg;
}

/* Around libcrypto's X.509 work only: no backend call and no tls_fail
 * (which may send an alert) between the two. */
#define X509_BEGIN()                                                                               \
    do {                                                                                           \
        if (probe_fn) probe_fn(HSB_TLS_PROBE_X509_BEGIN, probe_arg);                               \
    } while (0)
#define X509_END()                                                                                 \
    do {                                                                                           \
        if (probe_fn) probe_fn(HSB_TLS_PROBE_X509_END, probe_arg);                                 \
    } while (0)

/* -------------------------------------------------------------- DER */

/* Read one tag-length header: the content is p[*hdr .. *hdr + *clen). */
static int der_header(const uint8_t *p, size_t len, uint8_t tag, size_t *hdr, size_t *clen)
{
    if (len < 2 || p[0] != tag) return 0;
    size_t l = p[1], h = 2;
    if (l & 0x80) {
        size_t nb = l & 0x7f;
        if (nb == 0 || nb > 3 || len < 2 + nb) return 0;
        l = 0;
        for (size_t i = 0; i < nb; i++) l = (l << 8) | p[2 + i];
        h += nb;
    }
    if (l > len - h) return 0;
    *hdr = h;
    *clen = l;
    return 1;
}

/* A positive INTEGER's magnitude without leading zeros. */
static int der_uint(const uint8_t **p, size_t *len, const uint8_t **v, size_t *vlen)
{
    size_t h, l;
    if (!der_header(*p, *len, 0x02, &h, &l) || l == 0) return 0;
    const uint8_t *q = *p + h;
    if (q[0] & 0x80) return 0; /* negative */
    *p += h + l;
    *len -= h + l;
    while (l > 1 && q[0] == 0) {
        q++;
        l--;
    }
    *v = q;
    *vlen = l;
    return 1;
}

hsb_rc tls_x509_rsa_key(X509 *x, const uint8_t **n, size_t *n_len, const uint8_t **e, size_t *e_len)
{
    X509_PUBKEY *pub = X509_get_X509_PUBKEY(x);
    ASN1_OBJECT *alg = NULL;
    const unsigned char *pk = NULL;
    int pk_len = 0;
    if (!pub || !X509_PUBKEY_get0_param(&alg, &pk, &pk_len, NULL, pub) ||
        OBJ_obj2nid(alg) != NID_rsaEncryption)
        HSB_BAIL_MSG(HSB_E_CERT, "certificate key is not RSA");
    /* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
    size_t h, l, rest;
    if (!der_header(pk, (size_t)pk_len, 0x30, &h, &l) || h + l != (size_t)pk_len)
        HSB_BAIL_MSG(HSB_E_CERT, "malformed RSA public key");
    const uint8_t *p = pk + h;
    rest = l;
    if (!der_uint(&p, &rest, n, n_len) || !der_uint(&p, &rest, e, e_len) || rest != 0)
        HSB_BAIL_MSG(HSB_E_CERT, "malformed RSA public key");
    return HSB_OK;
}

static unsigned bit_len(const uint8_t *v, size_t len)
{
    if (len == 0) return 0;
    unsigned bits = (unsigned)(len - 1) * 8;
    for (uint8_t t = v[0]; t; t >>= 1) bits++;
    return bits;
}

/* ----------------------------------------------------------- anchors */

hsb_rc tls_anchor_init(tls_anchor *a, X509 *x)
{
    const uint8_t *n, *e;
    size_t n_len, e_len;
    memset(a, 0, sizeof *a);
    if (tls_x509_rsa_key(x, &n, &n_len, &e, &e_len) != HSB_OK)
        HSB_BAIL_MSG(HSB_E_USAGE, "trust anchor has no RSA key");
    a->n = malloc(n_len);
    a->e = malloc(e_len);
    if (!a->n || !a->e) {
        free(a->n);
        free(a->e);
        HSB_BAIL(HSB_E_NOMEM);
    }
    memcpy(a->n, n, n_len);
    memcpy(a->e, e, e_len);
    a->n_len = n_len;
    a->e_len = e_len;
    X509_up_ref(x);
    a->x = x;
    /* Let libcrypto cache the extensions now, while one thread owns the
     * config, rather than on the first handshake of many threads. */
    (void)X509_check_ca(x);
    return HSB_OK;
}

void tls_anchor_free(tls_anchor *a)
{
    X509_free(a->x);
    free(a->n);
    free(a->e);
    memset(a, 0, sizeof *a);
}

/* ------------------------------------------------------ server's side */

hsb_rc tls_server_cert_write(hsb_tls_conn *c, hsb_stuffer *out)
{
    return hsb_stuffer_write_vec(out, 3, c->cfg->cert_list, c->cfg->cert_list_len);
}

/* ------------------------------------------------------ client's side */

int tls_issuer_key_ok(const uint8_t *n, size_t n_len)
{
    return n_len <= HSB_MAX_MODULUS_BYTES && bit_len(n, n_len) >= HSB_MIN_RSA_MODULUS_BITS;
}

/* Does the key (n, e) sign cert x (whose DER is der)? On the backend, with
 * keyed (an rsa_pub context already keyed with (n, e)) when not NULL. */
static hsb_rc check_signature(hsb_tls_conn *c, X509 *x, const uint8_t *der, size_t der_len,
                              void *keyed, const uint8_t *n, size_t n_len, const uint8_t *e,
                              size_t e_len, const char *which)
{
    const hsb_backend *b = c->cls;
    X509_BEGIN();
    int nid = X509_get_signature_nid(x);
    const ASN1_BIT_STRING *sig = NULL;
    X509_get0_signature(&sig, NULL, x);
    const uint8_t *sig_p = sig ? ASN1_STRING_get0_data(sig) : NULL;
    size_t sig_len = sig ? (size_t)ASN1_STRING_length(sig) : 0;
    X509_END();
    if (nid != NID_sha256WithRSAEncryption)
        return tls_fail(c, HSB_TLS_ALERT_UNSUPPORTED_CERTIFICATE, HSB_E_CERT,
                        "%s is not signed with sha256WithRSAEncryption", which);
    /* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature } */
    size_t h, l, th, tl;
    if (!der_header(der, der_len, 0x30, &h, &l) || !der_header(der + h, l, 0x30, &th, &tl))
        return tls_fail(c, HSB_TLS_ALERT_BAD_CERTIFICATE, HSB_E_CERT, "%s: malformed DER", which);
    if (!sig)
        return tls_fail(c, HSB_TLS_ALERT_BAD_CERTIFICATE, HSB_E_CERT, "%s: no signature", which);
    uint8_t hash[32];
    b->sha256->update(c->thr->sha, der + h, th + tl);
    b->sha256->final(c->thr->sha, hash);
    hsb_rc rc;
    if (keyed) {
        rc = hsb_pkcs1_verify_sha256(b->rsa_pub, keyed, hash, sig_p, sig_len);
    } else {
        if (!tls_issuer_key_ok(n, n_len))
            return tls_fail(c, HSB_TLS_ALERT_BAD_CERTIFICATE, HSB_E_CERT,
                            "%s: issuer key size unsupported", which);
        rc = b->rsa_pub->init(c->thr->cert_pub, n, n_len, e, e_len);
        if (rc != HSB_OK)
            return tls_fail(c, HSB_TLS_ALERT_BAD_CERTIFICATE, HSB_E_CERT,
                            "%s: issuer key not usable (%s)", which, hsb_rc_name(rc));
        rc = hsb_pkcs1_verify_sha256(b->rsa_pub, c->thr->cert_pub, hash, sig_p, sig_len);
        b->rsa_pub->clear(c->thr->cert_pub);
    }
    if (rc != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_DECRYPT_ERROR, HSB_E_CERT, "%s: signature does not verify",
                        which);
    return HSB_OK;
}

static hsb_rc check_dates(hsb_tls_conn *c, X509 *x, const char *which)
{
    X509_BEGIN();
    int before = X509_cmp_current_time(X509_get0_notBefore(x));
    int after = X509_cmp_current_time(X509_get0_notAfter(x));
    X509_END();
    if (before == 0 || after == 0)
        return tls_fail(c, HSB_TLS_ALERT_BAD_CERTIFICATE, HSB_E_CERT,
                        "%s: malformed validity dates", which);
    if (before > 0)
        return tls_fail(c, HSB_TLS_ALERT_BAD_CERTIFICATE, HSB_E_CERT, "%s is not yet valid", which);
    if (after < 0)
        return tls_fail(c, HSB_TLS_ALERT_CERTIFICATE_EXPIRED, HSB_E_CERT, "%s has expired", which);
    return HSB_OK;
}

/* The thread's keyed context for this anchor, or NULL. */
static void *anchor_ctx(const hsb_tls_conn *c, const tls_anchor *a)
{
    size_t i = (size_t)(a - c->cfg->anchors);
    return i < c->thr->n_anchor_pub ? c->thr->anchor_pub[i] : NULL;
}

static const tls_anchor *find_anchor(const hsb_tls_config *cfg, X509 *x)
{
    const tls_anchor *found = NULL;
    X509_BEGIN();
    for (size_t i = 0; i < cfg->n_anchors && !found; i++)
        if (X509_check_issued(cfg->anchors[i].x, x) == X509_V_OK) found = &cfg->anchors[i];
    X509_END();
    return found;
}

/* "server certificate" or "client certificate": the peer's. */
static const char *peer_cert_name(const hsb_tls_conn *c)
{
    return c->role == HSB_TLS_CLIENT ? "server certificate" : "client certificate";
}

/* The leaf x[0] (der[0]) up to a trust anchor: directly, or through the
 * second certificate the peer sent (parsed into x[1]). */
static hsb_rc verify_path(hsb_tls_conn *c, const uint8_t *const *der, const size_t *len, size_t n,
                          X509 **x)
{
    const hsb_tls_config *cfg = c->cfg;
    const char *leaf = peer_cert_name(c);
    const tls_anchor *anchor = find_anchor(cfg, x[0]);
    if (anchor) {
        HSB_GUARD(check_signature(c, x[0], der[0], len[0], anchor_ctx(c, anchor), anchor->n,
                                  anchor->n_len, anchor->e, anchor->e_len, leaf));
    } else {
        /* leaf <- intermediate <- anchor */
        if (n < 2)
            return tls_fail(c, HSB_TLS_ALERT_UNKNOWN_CA, HSB_E_CERT,
                            "%s's issuer is not a trust anchor", leaf);
        const unsigned char *p = der[1];
        X509_BEGIN();
        x[1] = d2i_X509(NULL, &p, (long)len[1]);
        int parsed = x[1] && p == der[1] + len[1];
        int issued = parsed && X509_check_issued(x[1], x[0]) == X509_V_OK && X509_check_ca(x[1]);
        X509_END();
        if (!parsed)
            return tls_fail(c, HSB_TLS_ALERT_BAD_CERTIFICATE, HSB_E_CERT,
                            "intermediate certificate does not parse");
        if (!issued)
            return tls_fail(c, HSB_TLS_ALERT_UNKNOWN_CA, HSB_E_CERT,
                            "%s's issuer is not a trust anchor or a CA it sent", leaf);
        anchor = find_anchor(cfg, x[1]);
        if (!anchor)
            return tls_fail(c, HSB_TLS_ALERT_UNKNOWN_CA, HSB_E_CERT,
                            "intermediate's issuer is not a trust anchor");
        const uint8_t *in, *ie;
        size_t in_len, ie_len;
        X509_BEGIN();
        hsb_rc krc = tls_x509_rsa_key(x[1], &in, &in_len, &ie, &ie_len);
        X509_END();
        if (krc != HSB_OK)
            return tls_fail(c, HSB_TLS_ALERT_UNSUPPORTED_CERTIFICATE, HSB_E_CERT,
                            "intermediate's key is not RSA");
        HSB_GUARD(check_signature(c, x[1], der[1], len[1], anchor_ctx(c, anchor), anchor->n,
                                  anchor->n_len, anchor->e, anchor->e_len,
                                  "intermediate certificate"));
        HSB_GUARD(check_signature(c, x[0], der[0], len[0], NULL, in, in_len, ie, ie_len, leaf));
        HSB_GUARD(check_dates(c, x[1], "intermediate certificate"));
    }
    return check_dates(c, x[0], leaf);
}

/* What the leaf is for: the role's purpose (X509_check_purpose looks at
 * extendedKeyUsage, keyUsage and nsCertType when present) and, for a
 * server, the host name. */
static hsb_rc check_leaf_use(hsb_tls_conn *c, X509 *x)
{
    const hsb_tls_config *cfg = c->cfg;
    int purpose = c->role == HSB_TLS_CLIENT ? X509_PURPOSE_SSL_SERVER : X509_PURPOSE_SSL_CLIENT;
    X509_BEGIN();
    int ok = X509_check_purpose(x, purpose, 0);
    X509_END();
    if (ok != 1)
        return tls_fail(c, HSB_TLS_ALERT_UNSUPPORTED_CERTIFICATE, HSB_E_CERT,
                        "%s is not for a TLS %s (key usage)", peer_cert_name(c),
                        c->role == HSB_TLS_CLIENT ? "server" : "client");
    if (c->role == HSB_TLS_CLIENT && cfg->check_name) {
        X509_BEGIN();
        ok = cfg->name_is_ip ? X509_check_ip_asc(x, cfg->server_name, 0)
                             : X509_check_host(x, cfg->server_name, 0, 0, NULL);
        X509_END();
        if (ok != 1)
            return tls_fail(c, HSB_TLS_ALERT_BAD_CERTIFICATE, HSB_E_CERT,
                            "server certificate is not for '%s'", cfg->server_name);
    }
    return HSB_OK;
}

/* The leaf's RSA key into c->peer_pub, its size within the config's bounds. */
static hsb_rc take_peer_key(hsb_tls_conn *c, X509 *x)
{
    const hsb_tls_config *cfg = c->cfg;
    const uint8_t *kn, *ke;
    size_t kn_len, ke_len;
    X509_BEGIN();
    hsb_rc krc = tls_x509_rsa_key(x, &kn, &kn_len, &ke, &ke_len);
    X509_END();
    if (krc != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_UNSUPPORTED_CERTIFICATE, HSB_E_CERT, "%s's key is not RSA",
                        peer_cert_name(c));
    unsigned bits = bit_len(kn, kn_len);
    if (bits < cfg->min_rsa_bits || bits > HSB_MAX_MODULUS_BITS)
        return tls_fail(c, HSB_TLS_ALERT_BAD_CERTIFICATE, HSB_E_CERT,
                        "%s key of %u bits is outside %u..%u",
                        c->role == HSB_TLS_CLIENT ? "server" : "client", bits, cfg->min_rsa_bits,
                        HSB_MAX_MODULUS_BITS);
    const hsb_backend *b = c->cls;
    if (c->peer_pub_ready) b->rsa_pub->clear(c->peer_pub);
    c->peer_pub_ready = 0;
    hsb_rc rc = b->rsa_pub->init(c->peer_pub, kn, kn_len, ke, ke_len);
    if (rc != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_BAD_CERTIFICATE, HSB_E_CERT, "%s key not usable (%s)",
                        c->role == HSB_TLS_CLIENT ? "server" : "client", hsb_rc_name(rc));
    c->peer_pub_ready = 1;
    c->peer_n_len = kn_len;
    c->rsa_bits = bits;
    return HSB_OK;
}

static hsb_rc verify_chain(hsb_tls_conn *c, const uint8_t *const *der, const size_t *len, size_t n,
                           X509 **x)
{
    HSB_GUARD(verify_path(c, der, len, n, x));
    HSB_GUARD(check_leaf_use(c, x[0]));
    HSB_GUARD(take_peer_key(c, x[0]));
    if (c->role == HSB_TLS_SERVER) {
        X509_BEGIN();
        X509_NAME_oneline(X509_get_subject_name(x[0]), c->peer_subject, sizeof c->peer_subject);
        X509_END();
    }
    return HSB_OK;
}

/* certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1> (RFC 5246 7.4.2): the
 * first TLS_MAX_CHAIN certificates into der/len, their count into *n. */
static hsb_rc read_cert_list(hsb_tls_conn *c, hsb_stuffer *in, const uint8_t **der, size_t *len,
                             size_t *n)
{
    hsb_stuffer list;
    if (hsb_stuffer_read_vec(in, 3, 0, 0xffffff, &list) != HSB_OK ||
        hsb_stuffer_ensure_done(in) != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL, "malformed Certificate");
    *n = 0;
    while (hsb_stuffer_remaining(&list)) {
        hsb_stuffer cert;
        if (hsb_stuffer_read_vec(&list, 3, 1, 0xffffff, &cert) != HSB_OK)
            return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL, "malformed Certificate");
        if (*n < TLS_MAX_CHAIN) {
            der[*n] = hsb_stuffer_cursor(&cert);
            len[*n] = hsb_stuffer_remaining(&cert);
            (*n)++;
        }
    }
    return HSB_OK;
}

/* The peer's chain of n certificates: parse the leaf, verify, free. */
static hsb_rc check_peer_chain(hsb_tls_conn *c, const uint8_t *const *der, const size_t *len,
                               size_t n)
{
    X509 *x[2] = {NULL, NULL};
    const unsigned char *p = der[0];
    X509_BEGIN();
    x[0] = d2i_X509(NULL, &p, (long)len[0]);
    X509_END();
    hsb_rc rc;
    if (!x[0] || p != der[0] + len[0])
        rc = tls_fail(c, HSB_TLS_ALERT_BAD_CERTIFICATE, HSB_E_CERT, "%s does not parse",
                      peer_cert_name(c));
    else
        rc = verify_chain(c, der, len, n, x);
    X509_BEGIN();
    X509_free(x[0]);
    X509_free(x[1]);
    X509_END();
    return rc;
}

hsb_rc tls_server_cert_read(hsb_tls_conn *c, hsb_stuffer *in)
{
    const uint8_t *der[TLS_MAX_CHAIN];
    size_t len[TLS_MAX_CHAIN], n;
    HSB_GUARD(read_cert_list(c, in, der, len, &n));
    if (n == 0)
        return tls_fail(c, HSB_TLS_ALERT_BAD_CERTIFICATE, HSB_E_CERT, "server sent no certificate");
    return check_peer_chain(c, der, len, n);
}

/* The client's Certificate on a server that asked for it (RFC 5246 7.4.6):
 * an empty list goes on unauthenticated when client certificates are
 * optional and ends the handshake with handshake_failure when they are
 * required; a chain must verify, and then CertificateVerify follows
 * ClientKeyExchange. */
hsb_rc tls_client_cert_read(hsb_tls_conn *c, hsb_stuffer *in)
{
    const uint8_t *der[TLS_MAX_CHAIN];
    size_t len[TLS_MAX_CHAIN], n;
    HSB_GUARD(read_cert_list(c, in, der, len, &n));
    if (n == 0) {
        if (c->cfg->verify_client == HSB_TLS_VERIFY_REQUIRE)
            return tls_fail(c, HSB_TLS_ALERT_HANDSHAKE_FAILURE, HSB_E_CERT,
                            "client sent no certificate and one is required");
        return HSB_OK;
    }
    HSB_GUARD(check_peer_chain(c, der, len, n));
    tls_set_auth(c, TLS_AUTH_VERIFY);
    return HSB_OK;
}

/* The client's Certificate: our chain when we have one the server can take
 * (tls_cert_request_read decided), else the empty list (RFC 5246 7.4.6). */
hsb_rc tls_client_cert_write(hsb_tls_conn *c, hsb_stuffer *out)
{
    if (!c->send_cert) return hsb_stuffer_write_u24(out, 0);
    HSB_GUARD(hsb_stuffer_write_vec(out, 3, c->cfg->cert_list, c->cfg->cert_list_len));
    tls_set_auth(c, TLS_AUTH_VERIFY);
    return HSB_OK;
}

/* ------------------------------------------------ DistinguishedName */

int tls_dn_parses(const uint8_t *p, size_t len)
{
    const unsigned char *q = p;
    X509_BEGIN();
    X509_NAME *name = d2i_X509_NAME(NULL, &q, (long)len);
    int ok = name != NULL && q == p + len;
    X509_NAME_free(name);
    X509_END();
    return ok;
}

hsb_rc tls_ca_name_add(hsb_tls_config *cfg, X509 *x)
{
    if (cfg->ca_names_over) return HSB_OK;
    unsigned char *der = NULL;
    int dl = i2d_X509_NAME(X509_get_subject_name(x), &der);
    if (dl <= 0) HSB_BAIL_MSG(HSB_E_USAGE, "CA subject name does not encode");
    size_t need = cfg->ca_names_len + 2 + (size_t)dl;
    if (need > TLS_MAX_CA_NAMES) {
        /* Too many names to send: send none (see TLS_MAX_CA_NAMES). */
        OPENSSL_free(der);
        cfg->ca_names_over = 1;
        cfg->ca_names_len = 0;
        return HSB_OK;
    }
    uint8_t *buf = realloc(cfg->ca_names, need);
    if (!buf) {
        OPENSSL_free(der);
        HSB_BAIL(HSB_E_NOMEM);
    }
    buf[cfg->ca_names_len] = (uint8_t)(dl >> 8);
    buf[cfg->ca_names_len + 1] = (uint8_t)dl;
    memcpy(buf + cfg->ca_names_len + 2, der, (size_t)dl);
    OPENSSL_free(der);
    cfg->ca_names = buf;
    cfg->ca_names_len = need;
    return HSB_OK;
}
