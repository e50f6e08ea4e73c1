/*
 * tls_certgen_tool DIR BITS [VARIANT]: write DIR/ca.pem, DIR/chain.pem and
 * DIR/key.pem (hsb_certgen) for the interop tests and for trying the
 * server/client commands by hand. VARIANT: good (default), expired,
 * not-yet-valid, wrong-host, untrusted-ca, bad-signature, with-intermediate,
 * client (a client certificate and its key, for servers that verify
 * clients), client-untrusted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_certgen.h"

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s DIR BITS [VARIANT]\n", argv[0]);
        return 2;
    }
    unsigned bits = (unsigned)strtoul(argv[2], NULL, 10);
    hsb_cert_variant v = HSB_CERT_GOOD;
    if (argc == 4) {
        int found = 0;
        for (int i = 0; i < HSB_CERT_VARIANT_COUNT; i++)
            if (strcmp(argv[3], hsb_cert_variant_name((hsb_cert_variant)i)) == 0) {
                v = (hsb_cert_variant)i;
                found = 1;
            }
        if (!found) {
            fprintf(stderr, "unknown variant '%s'\n", argv[3]);
            return 2;
        }
    }
    const hsb_cert_set *s;
    if (hsb_certgen_get(bits, v, &s) != HSB_OK) {
        fprintf(stderr, "certgen: %s\n", hsb_last_error());
        return 1;
    }
    char ca[4096], chain[4096], key[4096];
    snprintf(ca, sizeof ca, "%s/ca.pem", argv[1]);
    snprintf(chain, sizeof chain, "%s/chain.pem", argv[1]);
    snprintf(key, sizeof key, "%s/key.pem", argv[1]);
    if (hsb_certgen_write_pem(s, ca, chain, key) != HSB_OK) {
        fprintf(stderr, "writing PEM files: %s\n", hsb_last_error());
        return 1;
    }
    return 0;
}
