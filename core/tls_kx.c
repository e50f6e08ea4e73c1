/*
 * The two key exchanges (s2n_kex shape): ServerKeyExchange and
 * ClientKeyExchange for RSA key transport (RFC 5246 7.4.7.1) and DHE-RSA
 * (7.4.3, 7.4.7.2, 8.1.2), each ending in the master secret.
 *
 * DHE, the client's view of the server's group: any prime of at least
 * min_dh_bits (default 2048) and at most 4096 bits, odd, with 1 < g < p-1.
 * When p and g are one of the named groups (hsb_dh_groups) we use that
 * group, q included. Otherwise we take q = (p-1)/2, i.e. we assume a safe
 * prime, which is what `openssl dhparam` and every TLS server's built-in
 * groups give; under the FULL check (Y^q == 1) a server whose prime is not
 * safe fails with illegal_parameter, and its users should run --dh-check
 * range. The private exponent size for such a group follows the named groups
 * of the nearest size (hsb_dh_priv_bits).
 */
#include <string.h>

#include "hsb_ct.h"
#include "hsb_dh_groups.h"
#include "hsb_pkcs1.h"
#include "tls_internal.h"

static size_t strip_zeros(const uint8_t **p, size_t len)
{
    while (len > 0 && (*p)[0] == 0) {
        (*p)++;
        len--;
    }
    return len;
}

static unsigned bit_len(const uint8_t *v, size_t len)
{
    if (len == 0) return 0;
    unsigned bits = (unsigned)(len - 1) * 8;
    for (uint8_t t = v[0]; t; t >>= 1) bits++;
    return bits;
}

/* Big-endian compare of a and b (no leading zeros in either). */
static int cmp_be(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    if (al != bl) return al < bl ? -1 : 1;
    return memcmp(a, b, al);
}

/* ---------------------------------------------------------------- RSA */

static hsb_rc rsa_client_write_cke(hsb_tls_conn *c, hsb_stuffer *out)
{
    const hsb_backend *b = c->cls;
    uint8_t pm[48];
    /* RFC 5246 7.4.7.1: client_version (as offered) || 46 random bytes. */
    pm[0] = (uint8_t)(c->client_version >> 8);
    pm[1] = (uint8_t)c->client_version;
    HSB_GUARD(b->rng->fill(pm + 2, 46));
    size_t mark;
    uint8_t *ct;
    HSB_GUARD(hsb_stuffer_begin_vec(out, 2, &mark));
    HSB_GUARD(hsb_stuffer_reserve(out, c->peer_n_len, &ct));
    hsb_rc rc = hsb_pkcs1_encrypt(b->rsa_pub, c->peer_pub, b->rng, ct, c->peer_n_len, pm, 48);
    if (rc == HSB_OK) rc = hsb_stuffer_end_vec(out, 2, mark);
    if (rc == HSB_OK) rc = tls_derive_keys(c, pm, 48);
    hsb_wipe(pm, sizeof pm);
    return rc;
}

/* The premaster from EncryptedPreMasterSecret ct (ct_len bytes, any
 * length): RFC 5246 7.4.7.1 asks that every bad one look the same, so a
 * ciphertext of the wrong length or not below n (public facts, but a visible
 * early alert all the same) takes the fallback, like bad padding does inside
 * hsb_pkcs1_premaster_decode; the failure shows at Finished. A shorter
 * ciphertext is the integer with its leading zero bytes left out, as
 * libcrypto reads it. Only a backend fault is an error (or, async, the op
 * handed out: HSB_E_PENDING). */
static hsb_rc rsa_premaster(hsb_tls_conn *c, const uint8_t *ct, size_t ct_len,
                            const uint8_t fallback[48], uint8_t pm[48])
{
    const hsb_backend *b = c->cls;
    hsb_tls_thread *t = c->thr;
    size_t k = b->rsa_priv->n_len(t->rsa_priv);
    memcpy(pm, fallback, 48);
    if (ct_len > k) return HSB_OK;
    uint8_t full[HSB_MAX_MODULUS_BYTES], em[HSB_MAX_MODULUS_BYTES];
    memset(full, 0, k - ct_len);
    memcpy(full + k - ct_len, ct, ct_len);
    const uint8_t cv[2] = {(uint8_t)(c->client_version >> 8), (uint8_t)c->client_version};
    hsb_rc rc = tls_pk_rsa(c, TLS_PK_DECRYPT, em, full, k);
    if (rc == HSB_OK) rc = hsb_pkcs1_premaster_decode(em, k, cv, fallback, pm);
    if (rc == HSB_E_RANGE) { /* ct >= n */
        memcpy(pm, fallback, 48);
        rc = HSB_OK;
    }
    hsb_wipe(em, k);
    return rc;
}

static hsb_rc rsa_server_read_cke(hsb_tls_conn *c, hsb_stuffer *in)
{
    hsb_stuffer ct;
    if (hsb_stuffer_read_vec(in, 2, 0, 0xffff, &ct) != HSB_OK ||
        hsb_stuffer_ensure_done(in) != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL,
                        "malformed ClientKeyExchange");
    /* RFC 5246 7.4.7.1: draw the substitute premaster BEFORE decrypting, and
     * let hsb_pkcs1_premaster_decode pick it without a branch when the
     * padding, length or version is wrong; the failure shows only at
     * Finished (as bad_record_mac, like OpenSSL), never here. */
    uint8_t *fallback = c->pk.fallback, pm[48];
    if (tls_pk_stage(c, TLS_PK_STAGE_FALLBACK)) HSB_GUARD(c->cls->rng->fill(fallback, 48));
    hsb_rc rc = rsa_premaster(c, hsb_stuffer_cursor(&ct), hsb_stuffer_remaining(&ct), fallback, pm);
    if (rc == HSB_E_PENDING) {
        hsb_wipe(pm, sizeof pm);
        return rc;
    }
    if (rc == HSB_OK)
        rc = tls_derive_keys(c, pm, 48);
    else
        rc = tls_fail(c, HSB_TLS_ALERT_INTERNAL_ERROR, rc, "RSA decryption failed (%s)",
                      hsb_rc_name(rc));
    hsb_wipe(pm, sizeof pm);
    hsb_wipe(fallback, 48);
    return rc;
}

const hsb_tls_kx hsb_kx_rsa = {
    .name = "rsa",
    .mask = HSB_TLS_KX_RSA,
    .suite = HSB_TLS_RSA_WITH_AES_128_CBC_SHA256,
    .server_key_exchange = 0,
    .client_write_cke = rsa_client_write_cke,
    .server_read_cke = rsa_server_read_cke,
};

/* ---------------------------------------------------------------- DHE */

/* SHA-256(client_random || server_random || params), RFC 5246 7.4.3. */
static void ske_hash(hsb_tls_conn *c, const uint8_t *params, size_t len, uint8_t out[32])
{
    const hsb_sha256_class *sha = c->cls->sha256;
    void *ctx = c->thr->sha;
    sha->update(ctx, c->client_random, 32);
    sha->update(ctx, c->server_random, 32);
    sha->update(ctx, params, len);
    sha->final(ctx, out);
}

static hsb_rc dhe_server_write_ske(hsb_tls_conn *c, hsb_stuffer *out)
{
    const hsb_dh_group *g = c->cfg->dh_group;
    uint8_t *ys = c->pk.pub; /* kept while the signature's op is out */
    HSB_GUARD(tls_pk_dh(c, TLS_PK_KEYGEN, HSB_DH_JOB_KEYGEN, ys, g->p_len, NULL, 0, 0));
    c->dh_group_name = g->name;
    c->dh_bits = bit_len(g->p, g->p_len);
    /* ServerDHParams { dh_p<1..2^16-1>, dh_g<1..2^16-1>, dh_Ys<1..2^16-1> };
     * Ys goes out at the full length of p (fixed size, like OpenSSL 3). */
    size_t start = out->wpos;
    HSB_GUARD(hsb_stuffer_write_vec(out, 2, g->p, g->p_len));
    HSB_GUARD(hsb_stuffer_write_vec(out, 2, g->g, g->g_len));
    HSB_GUARD(hsb_stuffer_write_vec(out, 2, ys, g->p_len));
    uint8_t hash[32];
    ske_hash(c, out->data + start, out->wpos - start, hash);
    return tls_write_signature(c, out, hash);
}

/* The client's group for (p, g): a named one when it matches, else custom
 * with q = (p-1)/2 (see the top of this file). */
static void client_group(hsb_tls_conn *c, const uint8_t *p, size_t p_len, const uint8_t *g,
                         size_t g_len)
{
    size_t count;
    const hsb_dh_group *const *all = hsb_dh_groups(&count);
    for (size_t i = 0; i < count; i++) {
        const hsb_dh_group *n = all[i];
        const uint8_t *np = n->p, *ng = n->g;
        size_t np_len = strip_zeros(&np, n->p_len), ng_len = strip_zeros(&ng, n->g_len);
        if (cmp_be(np, np_len, p, p_len) == 0 && cmp_be(ng, ng_len, g, g_len) == 0) {
            c->peer_group = *n;
            c->dh_group_name = n->name;
            return;
        }
    }
    memcpy(c->dh_p, p, p_len);
    memcpy(c->dh_g, g, g_len);
    /* q = (p - 1) / 2 = p >> 1 for odd p. */
    uint8_t carry = 0;
    for (size_t i = 0; i < p_len; i++) {
        c->dh_q[i] = (uint8_t)((p[i] >> 1) | carry);
        carry = (uint8_t)(p[i] << 7);
    }
    const uint8_t *q = c->dh_q;
    size_t q_len = p_len;
    if (c->dh_q[0] == 0 && p_len > 1) {
        memmove(c->dh_q, c->dh_q + 1, p_len - 1);
        q_len = p_len - 1;
    }
    unsigned bits = bit_len(p, p_len);
    c->peer_group = (hsb_dh_group){
        .name = "custom",
        .p = c->dh_p,
        .g = c->dh_g,
        .q = q,
        .p_len = p_len,
        .g_len = g_len,
        .q_len = q_len,
        .priv_bits = hsb_dh_priv_bits(bits),
    };
    c->dh_group_name = "custom";
}

/* The client's DH context on the server's group (once per message). */
static hsb_rc client_dh_init(hsb_tls_conn *c, const uint8_t *p, size_t p_len, const uint8_t *g,
                             size_t g_len, unsigned bits)
{
    const hsb_backend *b = c->cls;
    if (!tls_pk_stage(c, TLS_PK_STAGE_GROUP)) return HSB_OK;
    client_group(c, p, p_len, g, g_len);
    c->dh_bits = bits;
    if (c->dh_ready) b->dh->clear(c->dh);
    c->dh_ready = 0;
    hsb_rc rc = b->dh->init(c->dh, &c->peer_group);
    if (rc != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_HANDSHAKE_FAILURE, rc,
                        "the dh class does not take the server's group (%s)", hsb_rc_name(rc));
    c->dh_ready = 1;
    return HSB_OK;
}

static hsb_rc dhe_client_read_ske(hsb_tls_conn *c, hsb_stuffer *in)
{
    const hsb_tls_config *cfg = c->cfg;
    size_t start = in->rpos;
    hsb_stuffer sp, sg, sy;
    if (hsb_stuffer_read_vec(in, 2, 1, 0xffff, &sp) != HSB_OK ||
        hsb_stuffer_read_vec(in, 2, 1, 0xffff, &sg) != HSB_OK ||
        hsb_stuffer_read_vec(in, 2, 1, 0xffff, &sy) != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL, "malformed ServerDHParams");
    /* The signature first: nothing else in the message is trusted before.
     * (Read again after a stop at the check below, the message is the one
     * already verified: its signature is skipped.) */
    if (tls_pk_stage(c, TLS_PK_STAGE_VERIFIED)) {
        uint8_t hash[32];
        ske_hash(c, in->data + start, in->rpos - start, hash);
        HSB_GUARD(tls_read_signature(c, in, hash, "ServerKeyExchange"));
    } else {
        in->rpos = in->wpos;
    }

    const uint8_t *p = hsb_stuffer_cursor(&sp), *g = hsb_stuffer_cursor(&sg),
                  *y = hsb_stuffer_cursor(&sy);
    size_t p_len = strip_zeros(&p, hsb_stuffer_remaining(&sp));
    size_t g_len = strip_zeros(&g, hsb_stuffer_remaining(&sg));
    size_t y_len = strip_zeros(&y, hsb_stuffer_remaining(&sy));
    unsigned bits = bit_len(p, p_len);
    if (bits < cfg->min_dh_bits || bits > HSB_MAX_MODULUS_BITS)
        return tls_fail(c, HSB_TLS_ALERT_HANDSHAKE_FAILURE, HSB_E_PROTOCOL,
                        "server's DH prime of %u bits is outside %u..%u", bits, cfg->min_dh_bits,
                        HSB_MAX_MODULUS_BITS);
    if ((p[p_len - 1] & 1) == 0)
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_RANGE,
                        "server's DH modulus is even");
    /* 1 < g < p - 1 (p odd, so p - 1 is p with the low bit cleared) */
    uint8_t pm1[HSB_MAX_MODULUS_BYTES];
    memcpy(pm1, p, p_len);
    pm1[p_len - 1] &= 0xfe;
    if (g_len == 0 || (g_len == 1 && g[0] <= 1) || cmp_be(g, g_len, pm1, p_len) >= 0)
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_RANGE,
                        "server's DH generator is out of range");
    if (y_len > p_len)
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_RANGE,
                        "server's DH public value is longer than p");
    HSB_GUARD(client_dh_init(c, p, p_len, g, g_len, bits));
    hsb_rc rc = tls_pk_dh(c, TLS_PK_CHECK, HSB_DH_JOB_CHECK, NULL, 0, y, y_len, cfg->dh_check);
    if (rc == HSB_E_PENDING) return rc;
    if (rc != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, rc == HSB_E_RANGE ? HSB_E_RANGE : rc,
                        "server's DH public value fails the %s check",
                        cfg->dh_check == HSB_DH_CHECK_FULL ? "full" : "range");
    memcpy(c->dh_ys, y, y_len);
    c->dh_ys_len = y_len;
    return HSB_OK;
}

/* premaster = g^ab with leading zero bytes stripped (RFC 5246 8.1.2). */
static hsb_rc dhe_finish(hsb_tls_conn *c, const uint8_t *peer, size_t peer_len, size_t p_len)
{
    uint8_t z[HSB_MAX_MODULUS_BYTES];
    hsb_rc rc = tls_pk_dh(c, TLS_PK_DERIVE, HSB_DH_JOB_DERIVE, z, p_len, peer, peer_len, 0);
    if (rc == HSB_E_PENDING) return rc;
    if (rc == HSB_OK) {
        size_t skip = 0;
        while (skip < p_len && z[skip] == 0) skip++;
        rc = tls_derive_keys(c, z + skip, p_len - skip);
    }
    hsb_wipe(z, sizeof z);
    return rc;
}

static hsb_rc dhe_client_write_cke(hsb_tls_conn *c, hsb_stuffer *out)
{
    size_t p_len = c->peer_group.p_len;
    size_t mark;
    uint8_t *yc;
    HSB_GUARD(hsb_stuffer_begin_vec(out, 2, &mark));
    HSB_GUARD(hsb_stuffer_reserve(out, p_len, &yc));
    /* c->pk.pub outlives a stop at the derive below */
    HSB_GUARD(tls_pk_dh(c, TLS_PK_KEYGEN, HSB_DH_JOB_KEYGEN, c->pk.pub, p_len, NULL, 0, 0));
    memcpy(yc, c->pk.pub, p_len);
    HSB_GUARD(hsb_stuffer_end_vec(out, 2, mark));
    return dhe_finish(c, c->dh_ys, c->dh_ys_len, p_len);
}

static hsb_rc dhe_server_read_cke(hsb_tls_conn *c, hsb_stuffer *in)
{
    const hsb_dh_group *g = c->cfg->dh_group;
    hsb_stuffer sy;
    if (hsb_stuffer_read_vec(in, 2, 1, 0xffff, &sy) != HSB_OK ||
        hsb_stuffer_ensure_done(in) != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_DECODE_ERROR, HSB_E_PROTOCOL,
                        "malformed ClientDiffieHellmanPublic");
    const uint8_t *y = hsb_stuffer_cursor(&sy);
    size_t y_len = strip_zeros(&y, hsb_stuffer_remaining(&sy));
    if (y_len > g->p_len)
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_RANGE,
                        "client's DH public value is longer than p");
    hsb_rc rc = tls_pk_dh(c, TLS_PK_CHECK, HSB_DH_JOB_CHECK, NULL, 0, y, y_len, c->cfg->dh_check);
    if (rc == HSB_E_PENDING) return rc;
    if (rc != HSB_OK)
        return tls_fail(c, HSB_TLS_ALERT_ILLEGAL_PARAMETER, HSB_E_RANGE,
                        "client's DH public value fails the %s check",
                        c->cfg->dh_check == HSB_DH_CHECK_FULL ? "full" : "range");
    return dhe_finish(c, y, y_len, g->p_len);
}

const hsb_tls_kx hsb_kx_dhe = {
    .name = "dhe",
    .mask = HSB_TLS_KX_DHE,
    .suite = HSB_TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
    .server_key_exchange = 1,
    .server_write_ske = dhe_server_write_ske,
    .client_read_ske = dhe_client_read_ske,
    .client_write_cke = dhe_client_write_cke,
    .server_read_cke = dhe_server_read_cke,
};

/* ------------------------------------------- the messages, by role */

hsb_rc tls_server_key_write(hsb_tls_conn *c, hsb_stuffer *out)
{
    HSB_ENSURE(c->kx->server_write_ske, HSB_E_INTERNAL);
    return c->kx->server_write_ske(c, out);
}

hsb_rc tls_server_key_read(hsb_tls_conn *c, hsb_stuffer *in)
{
    HSB_ENSURE(c->kx->client_read_ske, HSB_E_INTERNAL);
    return c->kx->client_read_ske(c, in);
}

hsb_rc tls_client_key_write(hsb_tls_conn *c, hsb_stuffer *out)
{
    return c->kx->client_write_cke(c, out);
}

hsb_rc tls_client_key_read(hsb_tls_conn *c, hsb_stuffer *in)
{
    return c->kx->server_read_cke(c, in);
}
