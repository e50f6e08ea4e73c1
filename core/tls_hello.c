/*
 * ClientHello, ServerHello, ServerHelloDone (RFC 5246 7.4.1, 7.4.5) and the
 * extensions we use: server_name (RFC 6066 3), signature_algorithms (RFC 5246
 * 7.4.1.4.1; OpenSSL insists on it for TLS 1.2 DHE-RSA) and an empty
 * renegotiation_info (RFC 5746: we never renegotiate, but saying so keeps
 * peers from warning about an "unsafe legacy" handshake); encrypt_then_mac,
 * extended_master_secret and the server's reading of server_name are in
 * tls_ext.c. Unknown extensions
 * from a client are ignored; a server may only answer with extensions the
 * client sent (RFC 5246 7.4.1.4).
 */
#include <string.h>

#include "tls_internal.h"

/* What a client offers, in order: forward secrecy first, then AEAD first. */
static const uint16_t suite_order[] = {
    HSB_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    HSB_TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
    HSB_TLS_RSA_WITH_AES_128_GCM_SHA256,
    HSB_TLS_RSA_WITH_AES_128_CBC_SHA256,
};

const hsb_tls_kx *tls_kx_by_suite(uint16_t suite)
{
    switch (hsb_tls_suite_kx(suite)) {
    case HSB_TLS_KX_RSA:
        return &hsb_kx_rsa;
    case HSB_TLS_KX_DHE:
        return &hsb_kx_dhe;
    default:
        return NULL;
    }
}

int tls_suite_enabled(const hsb_tls_config *cfg, uint16_t suite, unsigned kx_mask)
{
    return (hsb_tls_suite_kx(suite) & kx_mask) && (hsb_tls_suite_cipher(suite) & cfg->cipher_mask);
}

void tls_set_suite(hsb_tls_conn *c, uint16_t suite)
{
    tls_set_shape(c, tls_kx_by_suite(suite));
    c->suite = suite;
    c->gcm = hsb_tls_suite_cipher(suite) == HSB_TLS_CIPHER_GCM;
}

/* ---------------------------------------------------------- ClientHello */

hsb_rc tls_client_hello_write(hsb_tls_conn *c, hsb_stuffer *out)
{
    const hsb_tls_config *cfg = c->cfg;
    size_t mark, ext, e, list;
    c->client_version = HSB_TLS_VERSION_1_2;
    HSB_GUARD(c->cls->rng->fill(c->client_random, 32));
    HSB_GUARD(hsb_stuffer_write_u16(out, HSB_TLS_VERSION_1_2));
    HSB_GUARD(hsb_stuffer_write_bytes(out, c->client_random, 32));
    HSB_GUARD(hsb_stuffer_write_u8(out, 0)); /* session_id: empty, no resumption */
    HSB_GUARD(hsb_stuffer_begin_vec(out, 2, &mark));
    for (size_t i = 0; i < sizeof suite_order / sizeof suite_order[0]; i++)
        if (tls_suite_enabled(cfg, suite_order[i], cfg->kx_mask))
            HSB_GUARD(hsb_stuffer_write_u16(out, suite_order[i]));
    HSB_GUARD(hsb_stuffer_end_vec(out, 2, mark));
    HSB_GUARD(hsb_stuffer_write_u8(out, 1)); /* compression_methods: null only */
    HSB_GUARD(hsb_stuffer_write_u8(out, 0));

    HSB_GUARD(hsb_stuffer_begin_vec(out, 2, &ext));
    if (cfg->check_name && !cfg->name_is_ip) {
        /* RFC 6066 3: ServerNameList { NameType host_name(0), HostName } */
        HSB_GUARD(hsb_stuffer_write_u16(out, TLS_EXT_SERVER_NAME));
        HSB_GUARD(hsb_stuffer_begin_vec(out, 2, &e));
        HSB_GUARD(hsb_stuffer_begin_vec(out, 2, &list));
        HSB_GUARD(hsb_stuffer_write_u8(out, 0));
        HSB_GUARD(hsb_stuffer_write_vec(out, 2, cfg->server_name, strlen(cfg->server_name)));
        HSB_GUARD(hsb_stuffer_end_vec(out, 2, list));
        HSB_GUARD(hsb_stuffer_end_vec(out, 2, e));
        c->sent_sni = 1;
    }
    HSB_GUARD(hsb_stuffer_write_u16(out, TLS_EXT_SIGNATURE_ALGORITHMS));
    HSB_GUARD(hsb_stuffer_write_u16(out, 4));
    HSB_GUARD(hsb_stuffer_write_u16(out, 2));
    HSB_GUARD(hsb_stuffer_write_u16(out, TLS_SIGALG_RSA_PKCS1_SHA256));
    HSB_GUARD(tls_ext_client_offer(c, out));
    HSB_GUARD(hsb_stuffer_write_u16(out, TLS_EXT_RENEGOTIATION_INFO));
    HSB_GUARD(hsb_stuffer_write_u16(out, 1));
    HSB_GUARD(hsb_stuffer_write_u8(out, 0)); /* renegotiated_connection: empty */
    return hsb_stuffer_end_vec(out, 2, ext);
}

#define DECODE(expr)                                                                               \
    do {                                                                                           \
        if ((expr) != HSB_OK)                                                                      \
            return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL, "malformed %s", what);  \
    } while (0)

/* A ClientHello as decoded (RFC 5246 7.4.1.2), before any judgement: the
 * reader decodes the whole message first and only then applies policy, so
 * a malformed hello is always decode_error, whatever else is wrong with it. */
typedef struct client_hello {
    uint16_t version;
    hsb_stuffer suites, comp; /* even length; at least one method */
    unsigned seen;            /* CH_EXT_* bits of the extensions we read */
    int sha256_ok;            /* signature_algorithms has rsa_pkcs1_sha256 */
    int reneg_nonempty;       /* renegotiation_info with a previous Finished */
} client_hello;

enum { CH_EXT_SIGALGS = 1u << 0, CH_EXT_RENEG = 1u << 1 };

static unsigned ext_bit(uint16_t type)
{
    switch (type) {
    case TLS_EXT_SIGNATURE_ALGORITHMS:
        return CH_EXT_SIGALGS;
    case TLS_EXT_RENEGOTIATION_INFO:
        return CH_EXT_RENEG;
    default:
        return 0;
    }
}

/* signature_algorithms (RFC 5246 7.4.1.4.1):
 * supported_signature_algorithms<2..2^16-2>. */
static hsb_rc read_sigalgs(hsb_tls_conn *c, hsb_stuffer *data, client_hello *ch)
{
    static const char what[] = "signature_algorithms";
    hsb_stuffer algs;
    DECODE(hsb_stuffer_read_vec(data, 2, 2, 0xfffe, &algs));
    DECODE(hsb_stuffer_ensure_done(data));
    while (hsb_stuffer_remaining(&algs) >= 2) {
        uint16_t alg;
        DECODE(hsb_stuffer_read_u16(&algs, &alg));
        ch->sha256_ok |= alg == TLS_SIGALG_RSA_PKCS1_SHA256;
    }
    DECODE(hsb_stuffer_ensure_done(&algs));
    return HSB_OK;
}

/* One extension of the client's: decode the ones we understand into ch.
 * Unknown extensions are ignored (RFC 5246 7.4.1.4). */
static hsb_rc read_client_extension(hsb_tls_conn *c, uint16_t type, hsb_stuffer *data,
                                    client_hello *ch)
{
    static const char what[] = "ClientHello extension";
    switch (type) {
    case TLS_EXT_SIGNATURE_ALGORITHMS:
        return read_sigalgs(c, data, ch);
    case TLS_EXT_RENEGOTIATION_INFO: {
        hsb_stuffer prev;
        DECODE(hsb_stuffer_read_vec(data, 1, 0, 0xff, &prev));
        DECODE(hsb_stuffer_ensure_done(data));
        ch->reneg_nonempty = hsb_stuffer_remaining(&prev) != 0;
        return HSB_OK;
    }
    default:
        return HSB_OK;
    }
}

/* extensions<0..2^16-1>: each Extension { type, extension_data<0..2^16-1> }
 * once at most (RFC 5246 7.4.1.4), the block read to its end. */
static hsb_rc read_client_extensions(hsb_tls_conn *c, hsb_stuffer *exts, client_hello *ch)
{
    static const char what[] = "ClientHello extensions";
    while (hsb_stuffer_remaining(exts)) {
        uint16_t type;
        hsb_stuffer data;
        DECODE(hsb_stuffer_read_u16(exts, &type));
        DECODE(hsb_stuffer_read_vec(exts, 2, 0, 0xffff, &data));
        int mine; /* server_name, encrypt_then_mac, extended_master_secret: tls_ext.c */
        HSB_GUARD(tls_ext_client_hello(c, type, &data, &mine));
        if (mine) continue;
        unsigned bit = ext_bit(type);
        if (ch->seen & bit)
            return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL,
                            "extension 0x%04x sent twice", type);
        ch->seen |= bit;
        HSB_GUARD(read_client_extension(c, type, &data, ch));
    }
    return HSB_OK;
}

/* The whole ClientHello, decoded and not yet judged. */
static hsb_rc decode_client_hello(hsb_tls_conn *c, hsb_stuffer *in, client_hello *ch)
{
    static const char what[] = "ClientHello";
    hsb_stuffer sid;
    DECODE(hsb_stuffer_read_u16(in, &ch->version));
    DECODE(hsb_stuffer_read_bytes(in, c->client_random, 32));
    DECODE(hsb_stuffer_read_vec(in, 1, 0, 32, &sid));
    DECODE(hsb_stuffer_read_vec(in, 2, 2, 0xfffe, &ch->suites));
    if (hsb_stuffer_remaining(&ch->suites) % 2)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL, "odd cipher_suites length");
    DECODE(hsb_stuffer_read_vec(in, 1, 1, 0xff, &ch->comp));
    if (!hsb_stuffer_remaining(in)) return HSB_OK; /* no extensions block */
    hsb_stuffer exts;
    DECODE(hsb_stuffer_read_vec(in, 2, 0, 0xffff, &exts));
    DECODE(hsb_stuffer_ensure_done(in));
    return read_client_extensions(c, &exts, ch);
}

/* Policy, on a hello that decoded: version, compression, renegotiation,
 * then the suite. */
static hsb_rc judge_client_hello(hsb_tls_conn *c, client_hello *ch)
{
    /* RFC 5246 E.1: a client offering more than TLS 1.2 gets TLS 1.2 (the
     * highest we have), whatever the major version; less, protocol_version. */
    if (ch->version < HSB_TLS_VERSION_1_2)
        return tls_fail(c, HSB_TLS_ALERT_PROTOCOL_VERSION, HSB_E_PROTOCOL,
                        "client offers version 0x%04x, we need TLS 1.2", ch->version);
    c->client_version = ch->version; /* the RSA premaster carries it (7.4.7.1) */
    int null_comp = 0;
    const uint8_t *comp = hsb_stuffer_cursor(&ch->comp);
    for (size_t i = 0; i < hsb_stuffer_remaining(&ch->comp); i++) null_comp |= comp[i] == 0;
    /* RFC 5246 7.4.1.2: the list MUST contain null. */
    if (!null_comp)
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_PROTOCOL,
                        "client does not offer null compression");
    /* RFC 5746 3.6: on an initial handshake it must be empty. */
    if (ch->reneg_nonempty)
        return tls_fail(c, HSB_TLS_ALERT_HANDSHAKE_FAILURE, HSB_E_PROTOCOL,
                        "non-empty renegotiation_info in an initial handshake");
    c->peer_secure_reneg = (ch->seen & CH_EXT_RENEG) != 0;
    /* Without signature_algorithms the client only takes SHA-1 signatures
     * (RFC 5246 7.4.1.4.1), which we do not make: no DHE for it. */
    unsigned usable = c->cfg->kx_mask;
    if (!ch->sha256_ok) usable &= ~HSB_TLS_KX_DHE;
    uint16_t chosen = 0;
    while (hsb_stuffer_remaining(&ch->suites)) {
        uint16_t s;
        HSB_GUARD(hsb_stuffer_read_u16(&ch->suites, &s)); /* even length: cannot fail */
        if (s == TLS_SCSV_RENEGOTIATION) c->peer_secure_reneg = 1;
        if (!chosen && tls_suite_enabled(c->cfg, s, usable)) chosen = s;
    }
    if (!chosen)
        return tls_fail(c, HSB_TLS_ALERT_HANDSHAKE_FAILURE, HSB_E_PROTOCOL,
                        "no cipher suite in common%s",
                        ch->sha256_ok ? "" : " (client offers no rsa_pkcs1_sha256 signatures)");
    tls_set_suite(c, chosen);
    /* RFC 7366 3: a server that picks an AEAD suite does not answer
     * encrypt_then_mac (and does not use it). */
    if (c->gcm) c->etm = 0;
    return HSB_OK;
}

hsb_rc tls_client_hello_read(hsb_tls_conn *c, hsb_stuffer *in)
{
    client_hello ch;
    memset(&ch, 0, sizeof ch);
    HSB_GUARD(decode_client_hello(c, in, &ch));
    return judge_client_hello(c, &ch);
}

/* ---------------------------------------------------------- ServerHello */

hsb_rc tls_server_hello_write(hsb_tls_conn *c, hsb_stuffer *out)
{
    HSB_GUARD(c->cls->rng->fill(c->server_random, 32));
    HSB_GUARD(hsb_stuffer_write_u16(out, HSB_TLS_VERSION_1_2));
    HSB_GUARD(hsb_stuffer_write_bytes(out, c->server_random, 32));
    HSB_GUARD(hsb_stuffer_write_u8(out, 0)); /* empty session_id: never resumed */
    HSB_GUARD(hsb_stuffer_write_u16(out, c->suite));
    HSB_GUARD(hsb_stuffer_write_u8(out, 0));
    size_t ext;
    HSB_GUARD(hsb_stuffer_begin_vec(out, 2, &ext));
    if (c->peer_secure_reneg) {
        HSB_GUARD(hsb_stuffer_write_u16(out, TLS_EXT_RENEGOTIATION_INFO));
        HSB_GUARD(hsb_stuffer_write_u16(out, 1));
        HSB_GUARD(hsb_stuffer_write_u8(out, 0));
    }
    HSB_GUARD(tls_ext_server_answer(c, out));
    if (out->wpos == ext + 2)
        out->wpos = ext; /* nothing to answer: no extensions block at all */
    else
        HSB_GUARD(hsb_stuffer_end_vec(out, 2, ext));
    c->version_fixed = 1;
    return HSB_OK;
}

hsb_rc tls_server_hello_read(hsb_tls_conn *c, hsb_stuffer *in)
{
    static const char what[] = "ServerHello";
    uint16_t version, suite;
    uint8_t comp;
    hsb_stuffer sid;
    DECODE(hsb_stuffer_read_u16(in, &version));
    if (version != HSB_TLS_VERSION_1_2)
        return tls_fail(c, HSB_TLS_ALERT_PROTOCOL_VERSION, HSB_E_PROTOCOL,
                        "server chose version 0x%04x, not TLS 1.2", version);
    DECODE(hsb_stuffer_read_bytes(in, c->server_random, 32));
    DECODE(hsb_stuffer_read_vec(in, 1, 0, 32, &sid));
    DECODE(hsb_stuffer_read_u16(in, &suite));
    DECODE(hsb_stuffer_read_u8(in, &comp));
    if (!tls_suite_enabled(c->cfg, suite, c->cfg->kx_mask))
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_PROTOCOL,
                        "server chose cipher suite 0x%04x, which we did not offer", suite);
    int gcm = hsb_tls_suite_cipher(suite) == HSB_TLS_CIPHER_GCM;
    if (comp != 0)
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_PROTOCOL,
                        "server chose compression %u", comp);
    if (hsb_stuffer_remaining(in)) {
        hsb_stuffer exts;
        DECODE(hsb_stuffer_read_vec(in, 2, 0, 0xffff, &exts));
        DECODE(hsb_stuffer_ensure_done(in));
        unsigned seen = 0;
        while (hsb_stuffer_remaining(&exts)) {
            uint16_t type;
            hsb_stuffer data;
            int mine;
            DECODE(hsb_stuffer_read_u16(&exts, &type));
            DECODE(hsb_stuffer_read_vec(&exts, 2, 0, 0xffff, &data));
            HSB_GUARD(tls_ext_server_hello(c, type, &data, &mine));
            if (mine) continue;
            unsigned bit = type == TLS_EXT_RENEGOTIATION_INFO           ? 1u
                           : type == TLS_EXT_SERVER_NAME && c->sent_sni ? 2u
                                                                        : 0u;
            if (!bit)
                return tls_fail(c, HSB_TLS_ALERT_UNSUPPORTED_EXTENSION, HSB_E_PROTOCOL,
                                "server sent extension 0x%04x, which we did not offer", type);
            if (seen & bit)
                return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL,
                                "extension 0x%04x sent twice", type);
            seen |= bit;
            if (bit == 1) {
                uint8_t len;
                DECODE(hsb_stuffer_read_u8(&data, &len));
                if (len != 0 || hsb_stuffer_remaining(&data) != 0)
                    return tls_fail(c, HSB_TLS_ALERT_HANDSHAKE_FAILURE, HSB_E_PROTOCOL,
                                    "non-empty renegotiation_info in an initial handshake");
            } else if (hsb_stuffer_remaining(&data) != 0) {
                return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL,
                                "non-empty server_name acknowledgement");
            }
        }
    }
    /* RFC 7366 3: encrypt_then_mac is not answered for an AEAD suite; a
     * server that does answer it broke that rule. */
    if (gcm && c->etm)
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_PROTOCOL,
                        "server answered encrypt_then_mac for an AEAD suite");
    c->version_fixed = 1;
    tls_set_suite(c, suite);
    return HSB_OK;
}

/* ------------------------------------------------------ ServerHelloDone */

hsb_rc tls_server_done_write(hsb_tls_conn *c, hsb_stuffer *out)
{
    (void)c;
    (void)out;
    return HSB_OK; /* struct {} ServerHelloDone */
}

hsb_rc tls_server_done_read(hsb_tls_conn *c, hsb_stuffer *in)
{
    if (hsb_stuffer_remaining(in) != 0)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL,
                        "ServerHelloDone is not empty");
    return HSB_OK;
}
