/* The shared, read-only TLS configuration and the per-thread contexts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "hsb_ct.h"
#include "hsb_dh_groups.h"
#include "hsb_limits.h"
#include "hsb_rsa_export.h"
#include "tls_internal.h"

static hsb_rc need_class(const void *cls, const char *what)
{
    if (!cls) {
        char msg[96];
        snprintf(msg, sizeof msg, "the composition has no %s class", what);
        return hsb_raise(HSB_E_UNAVAILABLE, __FILE__, __LINE__, msg);
    }
    return HSB_OK;
}

static hsb_rc check_classes(const hsb_backend *b, hsb_tls_role role, unsigned kx)
{
    HSB_GUARD(need_class(b->rsa_pub, "rsa-pub"));
    HSB_GUARD(need_class(b->sha256, "sha256"));
    HSB_GUARD(need_class(b->hmac, "hmac-sha256"));
    HSB_GUARD(need_class(b->aes, "aes"));
    HSB_GUARD(need_class(b->rng, "rng"));
    if (!(b->aes->key_sizes & HSB_AES_KEY_128))
        HSB_BAIL_MSG(HSB_E_UNAVAILABLE, "the aes class has no AES-128");
    if (role == HSB_TLS_SERVER) HSB_GUARD(need_class(b->rsa_priv, "rsa-priv"));
    if (kx & HSB_TLS_KX_DHE) HSB_GUARD(need_class(b->dh, "dh"));
    return HSB_OK;
}

hsb_rc hsb_tls_config_new(hsb_tls_config **out, hsb_tls_role role, const hsb_provider *prov)
{
    HSB_ENSURE(out && prov && (role == HSB_TLS_CLIENT || role == HSB_TLS_SERVER), HSB_E_USAGE);
    *out = NULL;
    unsigned kx = prov->cls.dh ? HSB_TLS_KX_ALL : HSB_TLS_KX_RSA;
    HSB_GUARD(check_classes(&prov->cls, role, kx));
    hsb_tls_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) HSB_BAIL(HSB_E_NOMEM);
    cfg->role = role;
    cfg->prov = prov;
    cfg->cls = &prov->cls;
    cfg->kx_mask = kx;
    cfg->dh_check = HSB_DH_CHECK_FULL;
    cfg->dh_group = hsb_dh_group_by_name("ffdhe2048");
    cfg->min_dh_bits = 2048;
    cfg->min_rsa_bits = 2048;
    cfg->etm = cfg->ems = 1; /* what libssl offers and accepts by default */
    cfg->cipher_mask = HSB_TLS_CIPHER_CBC;
    /* The test suite's second pass runs every self-talk, negative and
     * interop test with the public-key ops handed out (hsb_tls.h). */
    const char *async = getenv("HSB_TLS_ASYNC_PK");
    cfg->async_pk = async && async[0] && strcmp(async, "0") != 0;
    *out = cfg;
    return HSB_OK;
}

void hsb_tls_config_free(hsb_tls_config *cfg)
{
    if (!cfg) return;
    free(cfg->cert_list);
    X509_free(cfg->leaf);
    free(cfg->ca_names);
    if (cfg->key_mem) {
        hsb_wipe(cfg->key_mem, cfg->key_mem_len);
        free(cfg->key_mem);
    }
    for (size_t i = 0; i < cfg->n_anchors; i++) tls_anchor_free(&cfg->anchors[i]);
    free(cfg->anchors);
    free(cfg);
}

hsb_rc hsb_tls_config_set_kx(hsb_tls_config *cfg, unsigned kx_mask)
{
    HSB_ENSURE(cfg && kx_mask && !(kx_mask & ~HSB_TLS_KX_ALL), HSB_E_USAGE);
    HSB_GUARD(check_classes(cfg->cls, cfg->role, kx_mask));
    cfg->kx_mask = kx_mask;
    return HSB_OK;
}

hsb_rc hsb_tls_config_set_ciphers(hsb_tls_config *cfg, unsigned cipher_mask)
{
    HSB_ENSURE(cfg && cipher_mask && !(cipher_mask & ~HSB_TLS_CIPHER_ALL), HSB_E_USAGE);
    if (cipher_mask & HSB_TLS_CIPHER_GCM) {
        /* RFC 5288's suites need AES-128-GCM from the composition itself. */
        const hsb_gcm_class *g = cfg->cls->gcm;
        if (!g || !(g->key_sizes & HSB_AES_KEY_128))
            HSB_BAIL_MSG(HSB_E_UNAVAILABLE, "the composition has no gcm class with AES-128: the "
                                            "AES-128-GCM suites are unavailable");
    }
    cfg->cipher_mask = cipher_mask;
    return HSB_OK;
}

void hsb_tls_config_set_etm(hsb_tls_config *cfg, int on)
{
    if (cfg) cfg->etm = on != 0;
}

void hsb_tls_config_set_ems(hsb_tls_config *cfg, int on)
{
    if (cfg) cfg->ems = on != 0;
}

hsb_rc hsb_tls_config_set_chain_der(hsb_tls_config *cfg, const uint8_t *const *der,
                                    const size_t *der_len, size_t n)
{
    HSB_ENSURE(cfg && der && der_len && n >= 1, HSB_E_USAGE);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        HSB_ENSURE(der[i] && der_len[i] > 0 && der_len[i] < (1u << 24), HSB_E_USAGE);
        total += 3 + der_len[i];
    }
    if (total > TLS_MAX_CERT_MSG) HSB_BAIL_MSG(HSB_E_USAGE, "certificate chain too large");
    const unsigned char *p = der[0];
    X509 *leaf = d2i_X509(NULL, &p, (long)der_len[0]);
    if (!leaf || p != der[0] + der_len[0]) {
        X509_free(leaf);
        HSB_BAIL_MSG(HSB_E_USAGE, "leaf certificate does not parse");
    }
    uint8_t *buf = malloc(total);
    if (!buf) {
        X509_free(leaf);
        HSB_BAIL(HSB_E_NOMEM);
    }
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        buf[off] = (uint8_t)(der_len[i] >> 16);
        buf[off + 1] = (uint8_t)(der_len[i] >> 8);
        buf[off + 2] = (uint8_t)der_len[i];
        memcpy(buf + off + 3, der[i], der_len[i]);
        off += 3 + der_len[i];
    }
    free(cfg->cert_list);
    X509_free(cfg->leaf);
    cfg->cert_list = buf;
    cfg->cert_list_len = total;
    cfg->leaf = leaf;
    X509_NAME_oneline(X509_get_subject_name(leaf), cfg->leaf_subject, sizeof cfg->leaf_subject);
    return HSB_OK;
}

hsb_rc hsb_tls_config_set_chain(hsb_tls_config *cfg, X509 *const *chain, size_t n)
{
    HSB_ENSURE(cfg && chain && n >= 1 && n <= TLS_MAX_CHAIN, HSB_E_USAGE);
    uint8_t *der[TLS_MAX_CHAIN] = {0};
    size_t len[TLS_MAX_CHAIN] = {0};
    hsb_rc rc = HSB_OK;
    for (size_t i = 0; i < n && rc == HSB_OK; i++) {
        int l = chain[i] ? i2d_X509(chain[i], &der[i]) : -1;
        if (l <= 0)
            rc = hsb_raise(HSB_E_USAGE, __FILE__, __LINE__, "certificate does not encode");
        else
            len[i] = (size_t)l;
    }
    if (rc == HSB_OK) rc = hsb_tls_config_set_chain_der(cfg, (const uint8_t *const *)der, len, n);
    for (size_t i = 0; i < n; i++) OPENSSL_free(der[i]);
    return rc;
}

hsb_rc hsb_tls_config_set_key(hsb_tls_config *cfg, EVP_PKEY *key)
{
    HSB_ENSURE(cfg && key, HSB_E_USAGE);
    /* A client signs CertificateVerify with it (RFC 5246 7.4.8). */
    if (cfg->role == HSB_TLS_CLIENT) HSB_GUARD(need_class(cfg->cls->rsa_priv, "rsa-priv"));
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) HSB_BAIL_MSG(HSB_E_USAGE, "key is not RSA");
    int bits = EVP_PKEY_get_bits(key);
    if (bits < HSB_MIN_RSA_MODULUS_BITS || bits > HSB_MAX_MODULUS_BITS)
        HSB_BAIL_MSG(HSB_E_UNSUPPORTED, "RSA key size out of 1024..4096");
    size_t cap = HSB_RSA_EXPORT_CAP(bits);
    uint8_t *mem = calloc(1, cap);
    if (!mem) HSB_BAIL(HSB_E_NOMEM);
    hsb_rsa_key k;
    memset(&k, 0, sizeof k);
    hsb_rc rc = hsb_rsa_key_export(key, mem, cap, &k);
    if (rc == HSB_OK && cfg->leaf) {
        /* The key must be the leaf's: compare the moduli. */
        const uint8_t *n, *e;
        size_t n_len, e_len;
        rc = tls_x509_rsa_key(cfg->leaf, &n, &n_len, &e, &e_len);
        if (rc == HSB_OK && (n_len != k.n_len || memcmp(n, k.n, n_len) != 0))
            rc = hsb_raise(HSB_E_USAGE, __FILE__, __LINE__,
                           "private key does not match the certificate");
    }
    if (rc != HSB_OK) {
        hsb_wipe(mem, cap);
        free(mem);
        return rc;
    }
    if (cfg->key_mem) {
        hsb_wipe(cfg->key_mem, cfg->key_mem_len);
        free(cfg->key_mem);
    }
    cfg->key_mem = mem;
    cfg->key_mem_len = cap;
    cfg->key = k;
    cfg->key_bits = (unsigned)bits;
    return HSB_OK;
}

hsb_rc hsb_tls_config_load_pem(hsb_tls_config *cfg, const char *chain_file, const char *key_file)
{
    HSB_ENSURE(cfg && chain_file && key_file, HSB_E_USAGE);
    X509 *chain[TLS_MAX_CHAIN] = {0};
    size_t n = 0;
    char msg[320];
    FILE *f = fopen(chain_file, "r");
    if (!f) {
        snprintf(msg, sizeof msg, "cannot open the certificate file '%s'", chain_file);
        HSB_BAIL_MSG(HSB_E_USAGE, msg);
    }
    while (n < TLS_MAX_CHAIN && (chain[n] = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) n++;
    fclose(f);
    snprintf(msg, sizeof msg, "no PEM certificate in '%s'", chain_file);
    hsb_rc rc = n ? hsb_tls_config_set_chain(cfg, chain, n)
                  : hsb_raise(HSB_E_USAGE, __FILE__, __LINE__, msg);
    for (size_t i = 0; i < n; i++) X509_free(chain[i]);
    if (rc != HSB_OK) return rc;
    f = fopen(key_file, "r");
    if (!f) {
        snprintf(msg, sizeof msg, "cannot open the key file '%s'", key_file);
        HSB_BAIL_MSG(HSB_E_USAGE, msg);
    }
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!key) {
        snprintf(msg, sizeof msg, "no PEM private key in '%s'", key_file);
        HSB_BAIL_MSG(HSB_E_USAGE, msg);
    }
    rc = hsb_tls_config_set_key(cfg, key);
    EVP_PKEY_free(key);
    return rc;
}

hsb_rc hsb_tls_config_set_dh_group(hsb_tls_config *cfg, const hsb_dh_group *group)
{
    HSB_ENSURE(cfg && group && group->p && group->g && group->p_len >= 128 &&
                   group->p_len <= HSB_MAX_MODULUS_BYTES,
               HSB_E_USAGE);
    cfg->dh_group = group;
    return HSB_OK;
}

hsb_rc hsb_tls_config_add_anchor(hsb_tls_config *cfg, X509 *ca)
{
    HSB_ENSURE(cfg && ca, HSB_E_USAGE);
    if (cfg->n_anchors == cfg->cap_anchors) {
        size_t cap = cfg->cap_anchors ? 2 * cfg->cap_anchors : 4;
        tls_anchor *a = realloc(cfg->anchors, cap * sizeof *a);
        if (!a) HSB_BAIL(HSB_E_NOMEM);
        cfg->anchors = a;
        cfg->cap_anchors = cap;
    }
    HSB_GUARD(tls_anchor_init(&cfg->anchors[cfg->n_anchors], ca));
    cfg->n_anchors++;
    return cfg->role == HSB_TLS_SERVER ? tls_ca_name_add(cfg, ca) : HSB_OK;
}

hsb_rc hsb_tls_config_load_anchors(hsb_tls_config *cfg, const char *pem_file)
{
    HSB_ENSURE(cfg && pem_file, HSB_E_USAGE);
    char msg[320];
    FILE *f = fopen(pem_file, "r");
    if (!f) {
        snprintf(msg, sizeof msg, "cannot open the CA file '%s'", pem_file);
        HSB_BAIL_MSG(HSB_E_USAGE, msg);
    }
    X509 *x;
    size_t n = 0;
    hsb_rc rc = HSB_OK;
    while (rc == HSB_OK && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
        rc = hsb_tls_config_add_anchor(cfg, x);
        X509_free(x);
        n++;
    }
    fclose(f);
    if (rc == HSB_OK && n == 0) {
        snprintf(msg, sizeof msg, "no PEM certificate in the CA file '%s'", pem_file);
        HSB_BAIL_MSG(HSB_E_USAGE, msg);
    }
    return rc;
}

hsb_rc hsb_tls_config_add_store(hsb_tls_config *cfg, X509_STORE *store)
{
    HSB_ENSURE(cfg && store, HSB_E_USAGE);
    STACK_OF(X509) *certs = X509_STORE_get1_all_certs(store);
    if (!certs) HSB_BAIL_MSG(HSB_E_CRYPTO, "cannot list the store's certificates");
    hsb_rc rc = HSB_OK;
    for (int i = 0; rc == HSB_OK && i < sk_X509_num(certs); i++)
        rc = hsb_tls_config_add_anchor(cfg, sk_X509_value(certs, i));
    sk_X509_pop_free(certs, X509_free);
    return rc;
}

hsb_rc hsb_tls_config_set_server_name(hsb_tls_config *cfg, const char *name)
{
    HSB_ENSURE(cfg, HSB_E_USAGE);
    if (!name) {
        cfg->check_name = 0;
        cfg->server_name[0] = '\0';
        return HSB_OK;
    }
    size_t len = strlen(name);
    HSB_ENSURE(len > 0 && len < sizeof cfg->server_name, HSB_E_USAGE);
    memcpy(cfg->server_name, name, len + 1);
    uint8_t addr[16];
    cfg->name_is_ip = inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
    cfg->check_name = 1;
    return HSB_OK;
}

hsb_rc hsb_tls_config_set_verify_client(hsb_tls_config *cfg, hsb_tls_verify_client mode)
{
    HSB_ENSURE(cfg && cfg->role == HSB_TLS_SERVER, HSB_E_USAGE);
    HSB_ENSURE(mode == HSB_TLS_VERIFY_NONE || mode == HSB_TLS_VERIFY_OPTIONAL ||
                   mode == HSB_TLS_VERIFY_REQUIRE,
               HSB_E_USAGE);
    cfg->verify_client = mode;
    return HSB_OK;
}

void hsb_tls_config_set_dh_check(hsb_tls_config *cfg, hsb_dh_check policy)
{
    if (cfg) cfg->dh_check = policy;
}

void hsb_tls_config_set_min_dh_bits(hsb_tls_config *cfg, unsigned bits)
{
    if (cfg) cfg->min_dh_bits = bits;
}

void hsb_tls_config_set_min_rsa_bits(hsb_tls_config *cfg, unsigned bits)
{
    if (cfg) cfg->min_rsa_bits = bits;
}

/* ------------------------------------------------------------- threads */

/* Is the config complete for its role? */
static hsb_rc check_complete(const hsb_tls_config *cfg)
{
    if (cfg->role == HSB_TLS_SERVER && (!cfg->cert_list || !cfg->key_mem))
        HSB_BAIL_MSG(HSB_E_USAGE, "server config without certificate and key");
    if (!cfg->cert_list != !cfg->key_mem)
        HSB_BAIL_MSG(HSB_E_USAGE, "client certificate without its key, or key without it");
    if (cfg->role == HSB_TLS_SERVER && (cfg->kx_mask & HSB_TLS_KX_DHE) && !cfg->dh_group)
        HSB_BAIL_MSG(HSB_E_USAGE, "server config without a DH group");
    if (cfg->role == HSB_TLS_SERVER && cfg->verify_client != HSB_TLS_VERIFY_NONE &&
        cfg->n_anchors == 0)
        HSB_BAIL_MSG(HSB_E_USAGE, "server verifies clients but has no client CA (trust anchors)");
    return HSB_OK;
}

/* One rsa_pub per trust anchor, keyed once (see struct hsb_tls_thread). */
static hsb_rc key_anchors(hsb_tls_thread *t)
{
    const hsb_tls_config *cfg = t->cfg;
    const hsb_backend *b = cfg->cls;
    if (!cfg->n_anchors) return HSB_OK;
    t->anchor_pub = calloc(cfg->n_anchors, sizeof *t->anchor_pub);
    if (!t->anchor_pub) HSB_BAIL_MSG(HSB_E_NOMEM, "anchor contexts");
    for (size_t i = 0; i < cfg->n_anchors; i++) {
        const tls_anchor *a = &cfg->anchors[i];
        t->n_anchor_pub = i + 1;
        if (!tls_issuer_key_ok(a->n, a->n_len)) continue;
        void *ctx = hsb_ctx_alloc(b->rsa_pub->ctx_size);
        if (!ctx) HSB_BAIL_MSG(HSB_E_NOMEM, "anchor contexts");
        if (b->rsa_pub->init(ctx, a->n, a->n_len, a->e, a->e_len) != HSB_OK) {
            /* Not usable by this backend: the handshake will say so. */
            hsb_ctx_free(ctx, b->rsa_pub->ctx_size);
            hsb_clear_error();
        } else {
            t->anchor_pub[i] = ctx;
        }
    }
    return HSB_OK;
}

hsb_rc hsb_tls_thread_new(const hsb_tls_config *cfg, hsb_tls_thread **out)
{
    HSB_ENSURE(cfg && out, HSB_E_USAGE);
    *out = NULL;
    const hsb_backend *b = cfg->cls;
    HSB_GUARD(check_complete(cfg));
    hsb_tls_thread *t = calloc(1, sizeof *t);
    if (!t) HSB_BAIL(HSB_E_NOMEM);
    t->cfg = cfg;
    t->sha = hsb_ctx_alloc(b->sha256->ctx_size);
    t->sink = hsb_ctx_alloc(b->sha256->ctx_size);
    t->hmac = hsb_ctx_alloc(b->hmac->ctx_size);
    t->cert_pub = hsb_ctx_alloc(b->rsa_pub->ctx_size);
    if (cfg->key_mem) t->rsa_priv = hsb_ctx_alloc(b->rsa_priv->ctx_size);
    hsb_rc rc = HSB_OK;
    if (!t->sha || !t->sink || !t->hmac || !t->cert_pub || (cfg->key_mem && !t->rsa_priv))
        rc = hsb_raise(HSB_E_NOMEM, __FILE__, __LINE__, "thread contexts");
    if (rc == HSB_OK) {
        rc = b->sha256->init(t->sha);
        t->sha_ready = rc == HSB_OK;
    }
    if (rc == HSB_OK) {
        rc = b->sha256->init(t->sink);
        t->sink_ready = rc == HSB_OK;
    }
    if (rc == HSB_OK && cfg->key_mem) {
        rc = b->rsa_priv->init(t->rsa_priv, &cfg->key);
        t->rsa_priv_ready = rc == HSB_OK;
    }
    if (rc == HSB_OK) rc = key_anchors(t);
    if (rc != HSB_OK) {
        hsb_tls_thread_free(t);
        return rc;
    }
    *out = t;
    return HSB_OK;
}

void hsb_tls_thread_free(hsb_tls_thread *t)
{
    if (!t) return;
    const hsb_backend *b = t->cfg->cls;
    if (t->sha) {
        if (t->sha_ready) b->sha256->clear(t->sha);
        hsb_ctx_free(t->sha, b->sha256->ctx_size);
    }
    if (t->sink) {
        if (t->sink_ready) b->sha256->clear(t->sink);
        hsb_ctx_free(t->sink, b->sha256->ctx_size);
    }
    if (t->hmac) hsb_ctx_free(t->hmac, b->hmac->ctx_size);
    if (t->cert_pub) hsb_ctx_free(t->cert_pub, b->rsa_pub->ctx_size);
    for (size_t i = 0; i < t->n_anchor_pub; i++) {
        if (!t->anchor_pub[i]) continue;
        b->rsa_pub->clear(t->anchor_pub[i]);
        hsb_ctx_free(t->anchor_pub[i], b->rsa_pub->ctx_size);
    }
    free(t->anchor_pub);
    if (t->rsa_priv) {
        if (t->rsa_priv_ready) b->rsa_priv->clear(t->rsa_priv);
        hsb_ctx_free(t->rsa_priv, b->rsa_priv->ctx_size);
    }
    free(t);
}
