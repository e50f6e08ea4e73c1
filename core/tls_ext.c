/*
 * The hello extensions that tls_hello.c hands over:
 *
 *  - encrypt_then_mac (RFC 7366): the client offers it empty, the server
 *    answers it empty when it accepts (every suite of ours is CBC, 7366 2),
 *    and from ChangeCipherSpec on the records are MAC'd over the
 *    ciphertext (tls_etm.c);
 *  - extended_master_secret (RFC 7627): offered and answered the same way;
 *    when both sides sent it, the master secret comes from the session hash
 *    (the transcript through ClientKeyExchange, 7627 4) instead of the two
 *    randoms, which binds it to the whole handshake (the triple handshake
 *    attack, 7627 1);
 *  - server_name (RFC 6066 3) as a server reads it: parsed strictly, its
 *    value ignored (one certificate is served whatever the name).
 *
 * RFC 5246 7.4.1.4: a type appears at most once in a hello; a server only
 * answers with extensions the client offered (a client that sees another
 * one sends unsupported_extension: tls_hello.c does that for *known = 0).
 */
#include "hsb_ct.h"
#include "hsb_prf.h"
#include "tls_internal.h"

enum { SEEN_SNI = 1u, SEEN_ETM = 2u, SEEN_EMS = 4u };

/* RFC 6066 3: NameType host_name(0) is the only type defined. */
#define SNI_HOST_NAME 0

static unsigned seen_bit(uint16_t type)
{
    switch (type) {
    case TLS_EXT_SERVER_NAME:
        return SEEN_SNI;
    case TLS_EXT_ENCRYPT_THEN_MAC:
        return SEEN_ETM;
    case TLS_EXT_EXTENDED_MASTER_SECRET:
        return SEEN_EMS;
    default:
        return 0;
    }
}

/* Once per hello per type (RFC 5246 7.4.1.4). */
static hsb_rc mark_seen(hsb_tls_conn *c, uint16_t type)
{
    unsigned bit = seen_bit(type);
    if (c->ext_seen & bit)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL,
                        "extension 0x%04x sent twice", type);
    c->ext_seen |= bit;
    return HSB_OK;
}

/* encrypt_then_mac and extended_master_secret carry no data in either
 * direction (RFC 7366 2, RFC 7627 5.1). */
static hsb_rc expect_empty(hsb_tls_conn *c, uint16_t type, const hsb_stuffer *data)
{
    if (hsb_stuffer_remaining(data) != 0)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL,
                        "extension 0x%04x is not empty", type);
    return HSB_OK;
}

static hsb_rc write_empty(hsb_stuffer *out, uint16_t type)
{
    HSB_GUARD(hsb_stuffer_write_u16(out, type));
    return hsb_stuffer_write_u16(out, 0);
}

hsb_rc tls_ext_client_offer(hsb_tls_conn *c, hsb_stuffer *out)
{
    if (c->cfg->etm) {
        HSB_GUARD(write_empty(out, TLS_EXT_ENCRYPT_THEN_MAC));
        c->sent_etm = 1;
    }
    if (c->cfg->ems) {
        HSB_GUARD(write_empty(out, TLS_EXT_EXTENDED_MASTER_SECRET));
        c->sent_ems = 1;
    }
    return HSB_OK;
}

/* RFC 6066 3:
 *   struct { NameType name_type; select (name_type) {
 *            case host_name: HostName; } name; } ServerName;
 *   opaque HostName<1..2^16-1>;
 *   struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
 * with at most one name per type. A name of another type cannot be
 * skipped (its encoding is not defined), so only host_name is taken, as
 * OpenSSL does. Any deviation is decode_error. */
static hsb_rc read_server_name(hsb_tls_conn *c, hsb_stuffer *data)
{
    hsb_stuffer list, name;
    uint8_t name_type;
    int hosts = 0;
    if (hsb_stuffer_read_vec(data, 2, 1, 0xffff, &list) != HSB_OK ||
        hsb_stuffer_ensure_done(data) != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL, "malformed server_name");
    while (hsb_stuffer_remaining(&list)) {
        if (hsb_stuffer_read_u8(&list, &name_type) != HSB_OK || name_type != SNI_HOST_NAME)
            return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL,
                            "server_name of unknown type");
        if (hsb_stuffer_read_vec(&list, 2, 1, 0xffff, &name) != HSB_OK)
            return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL,
                            "malformed server_name host_name");
        if (++hosts > 1)
            return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL,
                            "server_name carries two host names");
    }
    /* The name itself is not used: one certificate for every name. */
    return HSB_OK;
}

hsb_rc tls_ext_client_hello(hsb_tls_conn *c, uint16_t type, hsb_stuffer *data, int *known)
{
    *known = seen_bit(type) != 0;
    if (!*known) return HSB_OK;
    HSB_GUARD(mark_seen(c, type));
    switch (type) {
    case TLS_EXT_SERVER_NAME:
        return read_server_name(c, data);
    case TLS_EXT_ENCRYPT_THEN_MAC:
        HSB_GUARD(expect_empty(c, type, data));
        c->etm = c->cfg->etm;
        return HSB_OK;
    case TLS_EXT_EXTENDED_MASTER_SECRET:
        HSB_GUARD(expect_empty(c, type, data));
        c->ems = c->cfg->ems;
        return HSB_OK;
    default:
        HSB_BAIL(HSB_E_INTERNAL);
    }
}

hsb_rc tls_ext_server_answer(hsb_tls_conn *c, hsb_stuffer *out)
{
    if (c->etm) HSB_GUARD(write_empty(out, TLS_EXT_ENCRYPT_THEN_MAC));
    if (c->ems) HSB_GUARD(write_empty(out, TLS_EXT_EXTENDED_MASTER_SECRET));
    return HSB_OK;
}

hsb_rc tls_ext_server_hello(hsb_tls_conn *c, uint16_t type, hsb_stuffer *data, int *known)
{
    /* Only what we offered is ours to accept (RFC 7366 2, RFC 7627 5.1);
     * server_name stays with tls_hello.c. */
    *known = (type == TLS_EXT_ENCRYPT_THEN_MAC && c->sent_etm) ||
             (type == TLS_EXT_EXTENDED_MASTER_SECRET && c->sent_ems);
    if (!*known) return HSB_OK;
    HSB_GUARD(mark_seen(c, type));
    HSB_GUARD(expect_empty(c, type, data));
    if (type == TLS_EXT_ENCRYPT_THEN_MAC)
        c->etm = 1;
    else
        c->ems = 1;
    return HSB_OK;
}

hsb_rc tls_ext_ems_master(hsb_tls_conn *c, const uint8_t *premaster, size_t len)
{
    uint8_t session_hash[32];
    HSB_GUARD(tls_transcript_hash(c, session_hash));
    return hsb_tls12_ems_master(c->cls->hmac, c->thr->hmac, premaster, len, session_hash,
                                c->master);
}
