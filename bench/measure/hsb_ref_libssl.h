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

/* The AES-128-GCM suite of kx (AES128-GCM-SHA256, DHE-RSA-AES128-GCM-SHA256,
 * RFC 5288) instead of the CBC one, on both contexts. Before the first
 * handshake. */
HSB_MUST_CHECK hsb_rc hsb_ossl_cfg_set_gcm(hsb_ossl_cfg *c, unsigned kx);

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

/*
 * libssl's record layer after a real handshake (the record reference rows of
 * the bulk suite): a client and a server SSL over a BIO pair of `buf` bytes
 * each way (0: the default, 17 KiB), handshaken and checked as above.
 *   write: the client's SSL_write of len bytes (one record up to 2^14);
 *          the record waits in the pair until the server reads it or drop;
 *   drop:  throw away what the client wrote and the server has not read;
 *   read:  the server's SSL_read, which must return exactly len bytes.
 * HSB_E_CRYPTO when a call does not move exactly len bytes.
 */
typedef struct hsb_ossl_pair hsb_ossl_pair;
HSB_MUST_CHECK hsb_rc hsb_ossl_pair_new(const hsb_ossl_cfg *c, size_t buf, hsb_ossl_pair **out,
                                        char *err, size_t len);
void hsb_ossl_pair_free(hsb_ossl_pair *p);
HSB_MUST_CHECK hsb_rc hsb_ossl_pair_write(hsb_ossl_pair *p, const uint8_t *data, size_t len);
void hsb_ossl_pair_drop(hsb_ossl_pair *p);
HSB_MUST_CHECK hsb_rc hsb_ossl_pair_read(hsb_ossl_pair *p, uint8_t *out, size_t len);

/* "libssl OpenSSL 3.0.x ..." for reports. */
const char *hsb_ossl_impl(void);

#endif
