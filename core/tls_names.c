/*
 * Names for messages: alert descriptions (RFC 5246 7.2, plus the later
 * registry entries a peer may send: RFC 7507 inappropriate_fallback, RFC
 * 6066 unrecognized_name, RFC 8446 missing_extension) and our suites.
 */
#include <string.h>
#include <strings.h>

#include "hsb_tls.h"

const char *hsb_tls_alert_name(int alert)
{
    switch (alert) {
    case 0:
        return "close_notify";
    case 10:
        return "unexpected_message";
    case 20:
        return "bad_record_mac";
    case 21:
        return "decryption_failed";
    case 22:
        return "record_overflow";
    case 30:
        return "decompression_failure";
    case 40:
        return "handshake_failure";
    case 42:
        return "bad_certificate";
    case 43:
        return "unsupported_certificate";
    case 44:
        return "certificate_revoked";
    case 45:
        return "certificate_expired";
    case 46:
        return "certificate_unknown";
    case 47:
        return "illegal_parameter";
    case 48:
        return "unknown_ca";
    case 49:
        return "access_denied";
    case 50:
        return "decode_error";
    case 51:
        return "decrypt_error";
    case 70:
        return "protocol_version";
    case 71:
        return "insufficient_security";
    case 80:
        return "internal_error";
    case 86:
        return "inappropriate_fallback";
    case 90:
        return "user_canceled";
    case 100:
        return "no_renegotiation";
    case 109:
        return "missing_extension";
    case 110:
        return "unsupported_extension";
    case 112:
        return "unrecognized_name";
    default:
        return "unknown";
    }
}

/* Our suites: the IANA name, the short name the commands take, and what
 * each is made of. */
static const struct suite_row {
    uint16_t id;
    const char *iana, *short_name;
    unsigned kx, cipher;
} suites[] = {
    {HSB_TLS_RSA_WITH_AES_128_CBC_SHA256, "TLS_RSA_WITH_AES_128_CBC_SHA256", "rsa-cbc",
     HSB_TLS_KX_RSA, HSB_TLS_CIPHER_CBC},
    {HSB_TLS_DHE_RSA_WITH_AES_128_CBC_SHA256, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "dhe-cbc",
     HSB_TLS_KX_DHE, HSB_TLS_CIPHER_CBC},
    {HSB_TLS_RSA_WITH_AES_128_GCM_SHA256, "TLS_RSA_WITH_AES_128_GCM_SHA256", "rsa-gcm",
     HSB_TLS_KX_RSA, HSB_TLS_CIPHER_GCM},
    {HSB_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "dhe-gcm",
     HSB_TLS_KX_DHE, HSB_TLS_CIPHER_GCM},
};
#define N_SUITES (sizeof suites / sizeof suites[0])

static const struct suite_row *suite_row(uint16_t suite)
{
    for (size_t i = 0; i < N_SUITES; i++)
        if (suites[i].id == suite) return &suites[i];
    return NULL;
}

const char *hsb_tls_suite_name(uint16_t suite)
{
    const struct suite_row *r = suite_row(suite);
    return r ? r->iana : NULL;
}

uint16_t hsb_tls_suite_by_name(const char *name)
{
    for (size_t i = 0; name && i < N_SUITES; i++)
        if (!strcasecmp(name, suites[i].iana) || !strcmp(name, suites[i].short_name))
            return suites[i].id;
    return 0;
}

unsigned hsb_tls_suite_kx(uint16_t suite)
{
    const struct suite_row *r = suite_row(suite);
    return r ? r->kx : 0;
}

unsigned hsb_tls_suite_cipher(uint16_t suite)
{
    const struct suite_row *r = suite_row(suite);
    return r ? r->cipher : 0;
}

hsb_rc hsb_tls_suites_parse(const char *list, unsigned *kx_mask, unsigned *cipher_mask)
{
    unsigned kx = 0, ciphers = 0;
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char name[64];
        HSB_ENSURE(n > 0 && n < sizeof name, HSB_E_USAGE);
        memcpy(name, p, n);
        name[n] = '\0';
        uint16_t s = hsb_tls_suite_by_name(name);
        HSB_ENSURE(s, HSB_E_USAGE);
        kx |= hsb_tls_suite_kx(s);
        ciphers |= hsb_tls_suite_cipher(s);
        p = end ? end + 1 : p + n;
        HSB_ENSURE(!end || *p, HSB_E_USAGE); /* no trailing comma */
    }
    HSB_ENSURE(ciphers, HSB_E_USAGE);
    *kx_mask = kx;
    *cipher_mask = ciphers;
    return HSB_OK;
}
