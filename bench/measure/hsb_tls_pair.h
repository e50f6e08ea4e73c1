/*
 * hsb_tls_pair.h - our TLS core on an in-memory pair, as the handshake suite
 * and the record rows of the bulk suite drive it: a client and a server
 * config over one composition, and per thread a client and a server
 * connection that one thread steps alternately.
 */
#ifndef HSB_TLS_PAIR_H
#define HSB_TLS_PAIR_H

#include <stdint.h>

#include "hsb_provider.h"

typedef struct hsb_pair_cfg hsb_pair_cfg;
typedef struct hsb_pair hsb_pair;

/*
 * Configs for kx (HSB_KX_RSA or HSB_KX_DHE), the server's certificate of
 * `bits` (hsb_certgen, signed by a test CA that the client trusts, host name
 * "localhost" checked), DH group g and check policy. err gets a message.
 */
HSB_MUST_CHECK hsb_rc hsb_pair_cfg_new(const hsb_provider *p, unsigned kx, unsigned bits,
                                       const hsb_dh_group *g, hsb_dh_check check,
                                       hsb_pair_cfg **out, char *err, size_t len);
void hsb_pair_cfg_free(hsb_pair_cfg *c);
/* encrypt_then_mac and extended_master_secret on (the default) or off, on
 * both ends; hsb_pair_check then expects them in use exactly when on.
 * Before hsb_pair_new. */
void hsb_pair_cfg_set_ext(hsb_pair_cfg *c, int etm, int ems);

/* The AES-128-GCM suite of the kx (RFC 5288) on both ends instead of the
 * CBC one; hsb_pair_check then expects it, without encrypt_then_mac.
 * HSB_E_UNAVAILABLE when the composition has no gcm class. Before
 * hsb_pair_new. */
HSB_MUST_CHECK hsb_rc hsb_pair_cfg_set_gcm(hsb_pair_cfg *c);

/* A thread's pair: thread states, two connections, the memory transport. */
HSB_MUST_CHECK hsb_rc hsb_pair_new(const hsb_pair_cfg *c, hsb_pair **out);
void hsb_pair_free(hsb_pair *p);

/*
 * One full handshake from scratch, the client and the server stepped in turn.
 * With cpu non-NULL, each side's steps are timed with the thread CPU clock
 * and added to cpu[0] (client) and cpu[1] (server), in ns. Returns HSB_OK, or
 * the failing side's error with its message in err.
 */
HSB_MUST_CHECK hsb_rc hsb_pair_handshake(hsb_pair *p, int64_t cpu[2], char *err, size_t len);

/* Checks after a handshake: the suite negotiated is the configured one, and
 * so are the extensions in use. */
HSB_MUST_CHECK hsb_rc hsb_pair_check(hsb_pair *p, char *err, size_t len);

/* The record layer after a handshake. seal: the client seals len bytes as one
 * record (dropped from the transport afterwards). open: the server opens the
 * record captured by hsb_pair_capture, again (its read sequence number reset
 * each time). */
HSB_MUST_CHECK hsb_rc hsb_pair_seal(hsb_pair *p, const uint8_t *data, size_t len);
HSB_MUST_CHECK hsb_rc hsb_pair_capture(hsb_pair *p, const uint8_t *data, size_t len);
HSB_MUST_CHECK hsb_rc hsb_pair_open(hsb_pair *p, uint8_t *out, size_t cap, size_t *len);

/* The label of the TLS core for reports ("hsb-tls-1.2"). */
const char *hsb_pair_impl(void);

#endif
