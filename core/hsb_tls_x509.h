/*
 * hsb_tls_x509.h - the hsb_tls_config setters that take libcrypto objects
 * (X509, X509_STORE, EVP_PKEY). Kept apart from hsb_tls.h so that a caller
 * that only loads PEM files or DER blobs never sees an OpenSSL type; the
 * certificate parsing itself is libcrypto's either way (see DESIGN.md).
 */
#ifndef HSB_TLS_X509_H
#define HSB_TLS_X509_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "hsb_tls.h"

/* Our certificate chain, leaf first (each X509 is up-ref'd), and the
 * leaf's RSA private key (converted once into the hsb_rsa_key bytes that
 * each hsb_tls_thread loads into the backend): a server's, or a client's
 * for CertificateRequest (hsb_tls.h). The key must match the leaf
 * (checked: HSB_E_USAGE). Key sizes 1024..4096. */
HSB_MUST_CHECK hsb_rc hsb_tls_config_set_chain(hsb_tls_config *cfg, X509 *const *chain, size_t n);
HSB_MUST_CHECK hsb_rc hsb_tls_config_set_key(hsb_tls_config *cfg, EVP_PKEY *key);

/* Trust anchors (CA certificates trusted as given; up-ref'd), from X509s
 * or an X509_STORE's certificates (copied out of the store at the call): a
 * client's for servers, a server's for client certificates. */
HSB_MUST_CHECK hsb_rc hsb_tls_config_add_anchor(hsb_tls_config *cfg, X509 *ca);
HSB_MUST_CHECK hsb_rc hsb_tls_config_add_store(hsb_tls_config *cfg, X509_STORE *store);

#endif
