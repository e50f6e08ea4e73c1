/*
 * AES-GCM (128/192/256-bit keys) through ipsec-mb's direct GCM API. init
 * prepares the key data (round keys and GHASH key powers: IMB_AESxxx_GCM_PRE)
 * once; a 12-byte IV takes the one-call enc/dec path, other lengths go
 * through init_var_iv (J0 = GHASH(IV), SP 800-38D 7.1) + update + finalize.
 * open decrypts, computes the tag and compares it with hsb_ct_memeq; on a
 * mismatch the plaintext is wiped before HSB_E_DECRYPT.
 *
 * The key data's layout depends on the code path (SSE, AVX2, VAES...) of the
 * manager that prepared it; every thread's manager uses the same path.
 */
#include <string.h>

#include "hsb_ct.h"
#include "ipsecmb_internal.h"

typedef struct gcm_ctx {
    struct gcm_key_data key; /* 64-byte aligned; HSB_CTX_ALIGN is 64 too */
    unsigned key_len;
} gcm_ctx;

typedef struct gcm_fns {
    aes_gcm_enc_dec_t enc, dec;
    aes_gcm_init_var_iv_t init_var_iv;
    aes_gcm_enc_dec_update_t enc_update, dec_update;
    aes_gcm_enc_dec_finalize_t enc_final, dec_final;
} gcm_fns;

static gcm_fns fns_for(const IMB_MGR *m, unsigned key_len)
{
    gcm_fns f;
    switch (key_len) {
    case 16:
        f = (gcm_fns){m->gcm128_enc,         m->gcm128_dec,        m->gcm128_init_var_iv,
                      m->gcm128_enc_update,  m->gcm128_dec_update, m->gcm128_enc_finalize,
                      m->gcm128_dec_finalize};
        break;
    case 24:
        f = (gcm_fns){m->gcm192_enc,         m->gcm192_dec,        m->gcm192_init_var_iv,
                      m->gcm192_enc_update,  m->gcm192_dec_update, m->gcm192_enc_finalize,
                      m->gcm192_dec_finalize};
        break;
    default:
        f = (gcm_fns){m->gcm256_enc,         m->gcm256_dec,        m->gcm256_init_var_iv,
                      m->gcm256_enc_update,  m->gcm256_dec_update, m->gcm256_enc_finalize,
                      m->gcm256_dec_finalize};
        break;
    }
    return f;
}

static hsb_rc gcm_init(void *ctx, const uint8_t *key, size_t key_len)
{
    gcm_ctx *c = ctx;
    memset(c, 0, sizeof *c);
    HSB_ENSURE(key_len == 16 || key_len == 24 || key_len == 32, HSB_E_UNSUPPORTED);
    HSB_ENSURE(key, HSB_E_USAGE);
    IMB_MGR *m = hsb_imb_mgr();
    HSB_ENSURE(m, HSB_E_NOMEM);
    switch (key_len) {
    case 16:
        IMB_AES128_GCM_PRE(m, key, &c->key);
        break;
    case 24:
        IMB_AES192_GCM_PRE(m, key, &c->key);
        break;
    default:
        IMB_AES256_GCM_PRE(m, key, &c->key);
        break;
    }
    c->key_len = (unsigned)key_len;
    return HSB_OK;
}

static void gcm_clear(void *ctx)
{
    hsb_wipe(ctx, sizeof(gcm_ctx));
}

/* The library reads through its pointers even for zero lengths. */
static const uint8_t nothing[16];

static hsb_rc gcm_run(gcm_ctx *c, int enc, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                      size_t aad_len, uint8_t *out, const uint8_t *in, size_t len, uint8_t tag[16])
{
    HSB_ENSURE(c->key_len && tag && (aad || aad_len == 0) && (len == 0 || (in && out)),
               HSB_E_USAGE);
    HSB_ENSURE(iv && iv_len > 0, HSB_E_USAGE);
    IMB_MGR *m = hsb_imb_mgr();
    HSB_ENSURE(m, HSB_E_NOMEM);
    gcm_fns f = fns_for(m, c->key_len);
    struct gcm_context_data st;
    uint8_t scratch[16];
    if (!aad) aad = nothing;
    if (len == 0) in = nothing, out = scratch; /* either may be NULL; nothing is written */
    if (iv_len == 12) {
        (enc ? f.enc : f.dec)(&c->key, &st, out, in, len, iv, aad, aad_len, tag, 16);
    } else {
        f.init_var_iv(&c->key, &st, iv, iv_len, aad, aad_len);
        if (len) (enc ? f.enc_update : f.dec_update)(&c->key, &st, out, in, len);
        (enc ? f.enc_final : f.dec_final)(&c->key, &st, tag, 16);
    }
    hsb_wipe(&st, sizeof st);
    return HSB_OK;
}

static hsb_rc gcm_seal(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                       size_t aad_len, uint8_t *out, const uint8_t *in, size_t len, uint8_t tag[16])
{
    return gcm_run(ctx, 1, iv, iv_len, aad, aad_len, out, in, len, tag);
}

static hsb_rc gcm_open(void *ctx, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                       size_t aad_len, uint8_t *out, const uint8_t *in, size_t len,
                       const uint8_t tag[16])
{
    HSB_ENSURE(tag, HSB_E_USAGE);
    uint8_t want[16];
    HSB_GUARD(gcm_run(ctx, 0, iv, iv_len, aad, aad_len, out, in, len, want));
    if (!hsb_ct_memeq(want, tag, 16)) {
        if (len) hsb_wipe(out, len);
        HSB_BAIL(HSB_E_DECRYPT);
    }
    return HSB_OK;
}

const hsb_gcm_class hsb_ipsecmb_gcm = {
    .name = "ipsecmb-aes-gcm",
    .ctx_size = sizeof(gcm_ctx),
    .key_sizes = HSB_AES_KEY_128 | HSB_AES_KEY_192 | HSB_AES_KEY_256,
    .init = gcm_init,
    .seal = gcm_seal,
    .open = gcm_open,
    .clear = gcm_clear,
};
