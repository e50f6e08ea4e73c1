/*
 * hsb_ref_libssl.h - the handshake reference: OpenSSL's libssl doing the same
 * TLS 1.2 handshake as our core, over a memory BIO pair (BIO_new_bio_pair),
 * one thread stepping the client and the server in turn.
 *
 * Same suite (AES128-SHA256 or DHE-RSA-AES128-SHA256, TLS 1.2 only), same
 * certificates and key (hsb_certgen), same DH group (SSL_CTX_set0_tmp_dh_pkey
 * with the named group), certificate verified against the same CA with the
 * host name "localhost" checked (SSL_set1_host), session tickets and the
 * session cache off (SSL_OP_NO_TICKET, SSL_SESS_CACHE_OFF): every handshake
 * is full. Each handshake creates and frees its two SSL objects and the BIO
 * pair, as a libssl application does per connection.
 */
#ifndef HSB_REF_LIBSSL_H
#define HSB_REF_LIBSSL_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_error.h"

typedef struct hsb_ossl_cfg hsb_ossl_cfg;

/* kx: HSB_KX_RSA or HSB_KX_DHE; group: our name ("ffdhe2048"), DHE only. */
HSB_MUST_CHECK hsb_rc hsb_ossl_cfg_new(unsigned kx, unsigned bits, const char *group,
                                       hsb_ossl_cfg **out, char *err, size_t len);
void hsb_ossl_cfg_free(hsb_ossl_cfg *c);
/* encrypt_then_mac and extended_master_secret on (libssl's default) or off
 * on both contexts, to match the rows compared with the reference. Before
 * the first handshake. */
void hsb_ossl_cfg_set_ext(hsb_ossl_cfg *c, int etm, int ems);

/* One full handshake; cpu[0] and cpu[1] (when cpu is not NULL) get the
 * client's and the server's thread CPU time added, in ns. On failure err
 * gets libssl's reason. check: also confirm the suite and the verification
 * result, and the extended master secret's use against the setting
 * (set-up checks; the timed loop passes 0). */
HSB_MUST_CHECK hsb_rc hsb_ossl_handshake(const hsb_ossl_cfg *c, int64_t cpu[2], int check,
                                         char *err, size_t len);

/* The contexts of c (owned by c): server 1 or client 0. The event-driven
 * engine (bench/net/) runs connections on them over sockets. */
typedef struct ssl_ctx_st SSL_CTX;
SSL_CTX *hsb_ossl_cfg_ctx(const hsb_ossl_cfg *c, int server);
/* The settings every libssl context of hsbench has: TLS 1.2 only, the
 * cipher list `cipher` (OpenSSL names), session tickets and the session
 * cache off. 1 on success. */
int hsb_ossl_ctx_tls12(SSL_CTX *ctx, const char *cipher);
/* encrypt_then_mac and extended_master_secret on or off on ctx. */
void hsb_ossl_ctx_ext(SSL_CTX *ctx, int etm, int ems);

/* "libssl OpenSSL 3.0.x ..." for reports. */
const char *hsb_ossl_impl(void);

#endif
