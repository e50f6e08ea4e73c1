/*
 * The named DH groups. Their primes are public constants of RFC 7919 (ffdhe*)
 * and RFC 3526 (MODP groups 14-16); rather than transcribe 3 KiB of hex we take
 * them from libcrypto's built-in copies (a well-kept library, and the same
 * values OpenSSL's own TLS uses), once per process. The vector suite checks
 * every byte against the RFC values in ../shared/vectors/derived.
 *
 * Private exponent sizes follow RFC 7919 section 5.2 / NIST SP 800-56A: twice
 * the group's security strength, the lengths OpenSSL 3 uses for these
 * groups (225, 275, 325 bits), so DHE cost is compared like for like.
 */
#include "hsb_dh_groups.h"

#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#define N_GROUPS 6

static const struct {
    const char *name;      /* ours */
    const char *ossl_name; /* libcrypto's */
    unsigned bits;
} defs[N_GROUPS] = {
    {"ffdhe2048", "ffdhe2048", 2048}, {"ffdhe3072", "ffdhe3072", 3072},
    {"ffdhe4096", "ffdhe4096", 4096}, {"modp2048", "modp_2048", 2048},
    {"modp3072", "modp_3072", 3072},  {"modp4096", "modp_4096", 4096},
};

/* Twice the security strength of a 2048-, 3072- and 4096-bit group (RFC
 * 7919 5.2 via NIST SP 800-56A), as OpenSSL 3 sizes them. */
#define PRIV_BITS_2048 225
#define PRIV_BITS_3072 275
#define PRIV_BITS_4096 325

unsigned hsb_dh_priv_bits(unsigned p_bits)
{
    if (p_bits <= 2048) return PRIV_BITS_2048;
    if (p_bits <= 3072) return PRIV_BITS_3072;
    return PRIV_BITS_4096;
}

static uint8_t p_bytes[N_GROUPS][HSB_MAX_MODULUS_BYTES];
static uint8_t q_bytes[N_GROUPS][HSB_MAX_MODULUS_BYTES];
static const uint8_t generator[1] = {2};
static hsb_dh_group groups[N_GROUPS];
static const hsb_dh_group *group_ptrs[N_GROUPS];
static size_t n_loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Fetch p of a named group from libcrypto; q = (p-1)/2 (both are safe primes). */
static int load(size_t i)
{
    int ok = 0;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    EVP_PKEY *params = NULL;
    BIGNUM *p = NULL, *q = NULL;
    OSSL_PARAM req[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)defs[i].ossl_name, 0),
        OSSL_PARAM_construct_end(),
    };
    if (!pctx || EVP_PKEY_paramgen_init(pctx) <= 0 || EVP_PKEY_CTX_set_params(pctx, req) <= 0 ||
        EVP_PKEY_paramgen(pctx, &params) <= 0)
        goto out;
    if (!EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_P, &p)) goto out;
    if ((unsigned)BN_num_bits(p) != defs[i].bits || !(q = BN_dup(p)) || !BN_rshift1(q, q)) goto out;
    size_t len = defs[i].bits / 8;
    if (BN_bn2binpad(p, p_bytes[i], (int)len) < 0 || BN_bn2binpad(q, q_bytes[i], (int)len) < 0)
        goto out;
    groups[i] = (hsb_dh_group){
        .name = defs[i].name,
        .p = p_bytes[i],
        .p_len = len,
        .g = generator,
        .g_len = 1,
        /* q has one bit fewer than p: skip its leading zero byte only if any. */
        .q = q_bytes[i] + (q_bytes[i][0] == 0),
        .q_len = len - (q_bytes[i][0] == 0),
        .priv_bits = hsb_dh_priv_bits(defs[i].bits),
    };
    ok = 1;
out:
    BN_free(p);
    BN_free(q);
    EVP_PKEY_free(params);
    EVP_PKEY_CTX_free(pctx);
    return ok;
}

static void load_all(void)
{
    for (size_t i = 0; i < N_GROUPS; i++)
        if (load(i)) group_ptrs[n_loaded++] = &groups[i];
}

const hsb_dh_group *const *hsb_dh_groups(size_t *count)
{
    pthread_once(&once, load_all);
    if (count) *count = n_loaded;
    return group_ptrs;
}

const hsb_dh_group *hsb_dh_group_by_name(const char *name)
{
    size_t n;
    const hsb_dh_group *const *gs = hsb_dh_groups(&n);
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(gs[i]->name, name) == 0) return gs[i];
    return NULL;
}
