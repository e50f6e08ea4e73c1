/*
 * Client authentication in TLS 1.2: CertificateRequest (RFC 5246 7.4.4) and
 * CertificateVerify (7.4.8). The client's Certificate itself (7.4.6) is in
 * tls_cert.c with the server's.
 *
 * We ask for and offer one kind of certificate: an RSA key (rsa_sign) that
 * signs CertificateVerify with RSASSA-PKCS1-v1_5 over SHA-256
 * (rsa_pkcs1_sha256, the pair we use for ServerKeyExchange too). The
 * signature covers every handshake message before CertificateVerify, i.e.
 * SHA-256 of the transcript at that point; it is made on the backend's
 * rsa-priv class and checked on its rsa-pub class, as the other signatures
 * of the handshake are.
 */
#include "hsb_pkcs1.h"
#include "tls_internal.h"

/* ------------------------------------------------ CertificateRequest */

/* struct {
 *     ClientCertificateType certificate_types<1..2^8-1>;
 *     SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
 *     DistinguishedName certificate_authorities<0..2^16-1>;
 * } CertificateRequest; */
hsb_rc tls_cert_request_write(hsb_tls_conn *c, hsb_stuffer *out)
{
    const hsb_tls_config *cfg = c->cfg;
    HSB_GUARD(hsb_stuffer_write_u8(out, 1));
    HSB_GUARD(hsb_stuffer_write_u8(out, TLS_CERT_TYPE_RSA_SIGN));
    HSB_GUARD(hsb_stuffer_write_u16(out, 2));
    HSB_GUARD(hsb_stuffer_write_u16(out, TLS_SIGALG_RSA_PKCS1_SHA256));
    return hsb_stuffer_write_vec(out, 2, cfg->ca_names, cfg->ca_names_len);
}

#define MALFORMED(what)                                                                            \
    tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL, "malformed CertificateRequest: %s",    \
             what)

/* certificate_authorities: each a DER DistinguishedName<1..2^16-1> that
 * libcrypto parses whole (as OpenSSL's client insists). We do not pick a
 * certificate by them: we have one to offer, and a server that cannot use
 * it says so. */
static hsb_rc read_ca_names(hsb_tls_conn *c, hsb_stuffer *cas)
{
    while (hsb_stuffer_remaining(cas)) {
        hsb_stuffer dn;
        if (hsb_stuffer_read_vec(cas, 2, 1, 0xffff, &dn) != HSB_OK)
            return MALFORMED("certificate_authorities");
        if (!tls_dn_parses(hsb_stuffer_cursor(&dn), hsb_stuffer_remaining(&dn)))
            return MALFORMED("a DistinguishedName does not parse");
    }
    return HSB_OK;
}

/* The whole message is decoded before any judgement, so a malformed one is
 * always decode_error. Then: without a certificate of our own, or when the
 * server takes no rsa_sign certificate, we answer with an empty Certificate
 * (RFC 5246 7.4.6: no suitable certificate); with one, the server's list
 * must hold rsa_pkcs1_sha256, the one signature we can make for
 * CertificateVerify (7.4.8: it MUST be one of the server's), else
 * handshake_failure. */
hsb_rc tls_cert_request_read(hsb_tls_conn *c, hsb_stuffer *in)
{
    hsb_stuffer types, algs, cas;
    if (hsb_stuffer_read_vec(in, 1, 1, 0xff, &types) != HSB_OK)
        return MALFORMED("certificate_types");
    if (hsb_stuffer_read_vec(in, 2, 2, 0xfffe, &algs) != HSB_OK ||
        hsb_stuffer_remaining(&algs) % 2 != 0)
        return MALFORMED("supported_signature_algorithms");
    if (hsb_stuffer_read_vec(in, 2, 0, 0xffff, &cas) != HSB_OK ||
        hsb_stuffer_ensure_done(in) != HSB_OK)
        return MALFORMED("certificate_authorities");
    HSB_GUARD(read_ca_names(c, &cas));
    int rsa_sign = 0, sha256 = 0;
    const uint8_t *t = hsb_stuffer_cursor(&types);
    for (size_t i = 0; i < hsb_stuffer_remaining(&types); i++)
        rsa_sign |= t[i] == TLS_CERT_TYPE_RSA_SIGN;
    while (hsb_stuffer_remaining(&algs)) {
        uint16_t alg;
        HSB_GUARD(hsb_stuffer_read_u16(&algs, &alg)); /* even length: cannot fail */
        sha256 |= alg == TLS_SIGALG_RSA_PKCS1_SHA256;
    }
    c->send_cert = c->cfg->cert_list != NULL && rsa_sign;
    if (c->send_cert && !sha256)
        return tls_fail(c, HSB_TLS_ALERT_HANDSHAKE_FAILURE, HSB_E_PROTOCOL,
                        "server asks for a certificate but takes no rsa_pkcs1_sha256 signature");
    return HSB_OK;
}

/* ------------------------------------------------ CertificateVerify */

hsb_rc tls_write_signature(hsb_tls_conn *c, hsb_stuffer *out, const uint8_t hash[32])
{
    const hsb_backend *b = c->cls;
    hsb_tls_thread *t = c->thr;
    HSB_ENSURE(t->rsa_priv_ready, HSB_E_INTERNAL);
    HSB_GUARD(hsb_stuffer_write_u8(out, TLS_HASH_SHA256));
    HSB_GUARD(hsb_stuffer_write_u8(out, TLS_SIG_RSA));
    size_t k = b->rsa_priv->n_len(t->rsa_priv), mark;
    uint8_t *sig;
    HSB_GUARD(hsb_stuffer_begin_vec(out, 2, &mark));
    HSB_GUARD(hsb_stuffer_reserve(out, k, &sig));
    /* hsb_pkcs1_sign_sha256 in two halves, so that the RSA op may be
     * handed out (tls_pk.c) */
    uint8_t em[HSB_MAX_MODULUS_BYTES];
    HSB_ENSURE(k <= sizeof em, HSB_E_USAGE);
    HSB_GUARD(hsb_pkcs1_emsa_sha256(em, k, hash));
    HSB_GUARD(tls_pk_rsa(c, TLS_PK_SIGN, sig, em, k));
    return hsb_stuffer_end_vec(out, 2, mark);
}

/* struct { digitally-signed struct { opaque handshake_messages[...]; } }
 * over every handshake message before this one (RFC 5246 7.4.8). */
hsb_rc tls_cert_verify_write(hsb_tls_conn *c, hsb_stuffer *out)
{
    uint8_t hash[32];
    HSB_GUARD(tls_transcript_hash(c, hash));
    HSB_GUARD(tls_write_signature(c, out, hash));
    c->client_auth = 1;
    return HSB_OK;
}

hsb_rc tls_read_signature(hsb_tls_conn *c, hsb_stuffer *in, const uint8_t hash[32],
                          const char *what)
{
    const hsb_backend *b = c->cls;
    uint8_t hash_alg, sig_alg;
    hsb_stuffer sig;
    if (hsb_stuffer_read_u8(in, &hash_alg) != HSB_OK ||
        hsb_stuffer_read_u8(in, &sig_alg) != HSB_OK ||
        hsb_stuffer_read_vec(in, 2, 1, 0xffff, &sig) != HSB_OK ||
        hsb_stuffer_ensure_done(in) != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL, "malformed %s signature",
                        what);
    if (hash_alg != TLS_HASH_SHA256 || sig_alg != TLS_SIG_RSA)
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_PROTOCOL,
                        "%s signed with (%u, %u), not the rsa_pkcs1_sha256 we named", what,
                        hash_alg, sig_alg);
    HSB_ENSURE(c->peer_pub_ready, HSB_E_INTERNAL);
    size_t len = hsb_stuffer_remaining(&sig);
    hsb_rc rc = len == c->peer_n_len ? hsb_pkcs1_verify_sha256(b->rsa_pub, c->peer_pub, hash,
                                                               hsb_stuffer_cursor(&sig), len)
                                     : HSB_E_DECRYPT;
    if (rc != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_DECRYPT_ERROR, HSB_E_DECRYPT,
                        "%s signature does not verify", what);
    return HSB_OK;
}

/* The client certificate's key over the transcript so far (this message
 * is not in it yet). */
hsb_rc tls_cert_verify_read(hsb_tls_conn *c, hsb_stuffer *in)
{
    uint8_t hash[32];
    HSB_GUARD(tls_transcript_hash(c, hash));
    HSB_GUARD(tls_read_signature(c, in, hash, "CertificateVerify"));
    c->client_auth = 1;
    return HSB_OK;
}
