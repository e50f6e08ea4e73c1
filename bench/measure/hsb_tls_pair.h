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

/* Both ends hand their public-key ops out (hsb_tls_config_set_async_pk),
 * for hsb_fleet; hsb_pair_handshake then runs each op as it comes. Before
 * hsb_pair_new / hsb_fleet_new. */
void hsb_pair_cfg_set_async(hsb_pair_cfg *c, int on);
/* The composition the configs were made over, and the configs. */
const hsb_provider *hsb_pair_cfg_provider(const hsb_pair_cfg *c);
const struct hsb_tls_config *hsb_pair_cfg_tls(const hsb_pair_cfg *c, int server);

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

/*
 * K handshakes in flight on one worker (handshake --inflight K): K memory
 * pairs whose conns share one client and one server thread state, stepped
 * round-robin. The public-key ops they hand out (the config must be async:
 * hsb_pair_cfg_set_async) are queued by kind (RSA private; DH keygen,
 * derive, check) and modulus size, and a queue runs as one batch
 * (hsb_rsa_priv_batch, hsb_dh_batch) once it holds the batch class's lanes
 * of jobs, or, partly filled, when a pass over the K pairs moved nothing
 * else. A pair whose handshake ended starts the next one at once.
 */
typedef struct hsb_fleet hsb_fleet;
HSB_MUST_CHECK hsb_rc hsb_fleet_new(const hsb_pair_cfg *c, unsigned k, hsb_fleet **out);
void hsb_fleet_free(hsb_fleet *f);
/* Step until the next handshake ends: *ok = 1 when both ends finished, 0
 * when one failed (err says why; the pair starts over). cpu as in
 * hsb_pair_handshake (a batch's time is split over its jobs' sides);
 * jobs and flushes count the jobs run and the batches that ran them. An
 * error only when the fleet stalls (HSB_E_INTERNAL) or breaks. */
HSB_MUST_CHECK hsb_rc hsb_fleet_next(hsb_fleet *f, int *ok, int64_t cpu[2], uint64_t *jobs,
                                     uint64_t *flushes, char *err, size_t len);
/* The batch lanes the fleet fills for class id (hsb_batch_lanes). */
size_t hsb_fleet_lanes(const hsb_fleet *f, hsb_class_id id);

/* The label of the TLS core for reports ("hsb-tls-1.2"). */
const char *hsb_pair_impl(void);

#endif
