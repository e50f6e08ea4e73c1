/* test_limits: the smallest RSA modulus (HSB_MIN_RSA_MODULUS_BITS) is the
 * same for every backend. A 1020-bit modulus fills 128 bytes, so a check
 * that counted bytes took it while one that counted bits refused it; now
 * every rsa_pub and rsa_priv class refuses it (HSB_E_UNSUPPORTED) and takes
 * a 1024-bit one. A backend without the class is UNAVAILABLE, never passed. */
#include <stdio.h>
#include <stdlib.h>

#include "hsb_backends.h"
#include "hsb_limits.h"
#include "hsb_test.h"

static hsb_rc pub_init(const hsb_rsa_pub_class *cls, const hsb_test_rsa_key *t)
{
    void *ctx = hsb_ctx_alloc(cls->ctx_size);
    if (!ctx) abort();
    hsb_rc rc = cls->init(ctx, t->k.n, t->k.n_len, t->k.e, t->k.e_len);
    if (rc == HSB_OK) cls->clear(ctx);
    hsb_ctx_free(ctx, cls->ctx_size);
    return rc;
}

static hsb_rc priv_init(const hsb_rsa_priv_class *cls, const hsb_test_rsa_key *t)
{
    void *ctx = hsb_ctx_alloc(cls->ctx_size);
    if (!ctx) abort();
    hsb_rc rc = cls->init(ctx, &t->k);
    if (rc == HSB_OK) cls->clear(ctx);
    hsb_ctx_free(ctx, cls->ctx_size);
    return rc;
}

/* Every backend's answer for key t must be want. */
static void check_key(const hsb_test_rsa_key *t, unsigned bits, hsb_rc want)
{
    size_t n;
    const hsb_backend *const *all = hsb_backends(&n);
    for (size_t i = 0; i < n; i++) {
        const hsb_backend *b = all[i];
        if (b->rsa_pub) {
            hsb_rc rc = pub_init(b->rsa_pub, t);
            CHECKF(rc == want, "%s rsa_pub, %u-bit modulus: %s, want %s", b->name, bits,
                   hsb_rc_name(rc), hsb_rc_name(want));
        } else {
            printf("UNAVAILABLE %s rsa_pub\n", b->name);
        }
        if (b->rsa_priv) {
            hsb_rc rc = priv_init(b->rsa_priv, t);
            CHECKF(rc == want, "%s rsa_priv, %u-bit modulus: %s, want %s", b->name, bits,
                   hsb_rc_name(rc), hsb_rc_name(want));
        } else {
            printf("UNAVAILABLE %s rsa_priv\n", b->name);
        }
    }
}

int main(void)
{
    static hsb_test_rsa_key small, floor;
    CHECK(hsb_test_rsa_keygen(&small, HSB_MIN_RSA_MODULUS_BITS - 4));
    CHECK(hsb_test_rsa_keygen(&floor, HSB_MIN_RSA_MODULUS_BITS));
    CHECK(hsb_be_bits(small.k.n, small.k.n_len) == HSB_MIN_RSA_MODULUS_BITS - 4);
    CHECK(small.k.n_len == HSB_MIN_RSA_MODULUS_BITS / 8); /* the case bytes could not see */
    check_key(&small, HSB_MIN_RSA_MODULUS_BITS - 4, HSB_E_UNSUPPORTED);
    check_key(&floor, HSB_MIN_RSA_MODULUS_BITS, HSB_OK);
    return hsb_test_report("test_limits");
}
