/*
 * hsb_tls_test.h - hooks into a TLS connection that no application needs:
 * the tests (and the record-layer benchmark, which replays one sealed
 * record) move sequence numbers, and the handshake breakdown times the
 * X.509 work. Kept out of hsb_tls.h so its API stays what a TLS user calls.
 */
#ifndef HSB_TLS_TEST_H
#define HSB_TLS_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_tls.h"

/* Set the next write (or read) sequence number, to reach the 2^64 - 1 wrap
 * (RFC 5246 6.1) without sending 2^64 records. */
void hsb_tls_conn_test_set_seq(hsb_tls_conn *conn, int write, uint64_t seq);

/* GCM suites: every record conn writes from now on carries `nonce` as its
 * explicit nonce (RFC 5288 3) instead of its sequence number (on = 0: back
 * to the sequence number); a test plays a sender that repeats nonces. */
void hsb_tls_conn_test_fix_nonce(hsb_tls_conn *conn, int on, uint64_t nonce);

/* Write one record of content type `type` carrying data (len <= 2^14),
 * sealed when write protection is on, and push it to the transport: a test
 * plays a peer that sends what our own code never would (RFC 5246 7.4: a
 * handshake message after the handshake). Only on an open connection. */
hsb_rc hsb_tls_conn_test_write_record(hsb_tls_conn *conn, uint8_t type, const void *data,
                                      size_t len);

/* A hook around the X.509 work done by libcrypto on the peer's chain (a
 * client's of the server's, a verifying server's of a client's): d2i_X509
 * of the chain, issuer/CA/date/purpose/host-name checks, pulling the public
 * key out, freeing the parsed certificates, and a client's parse of the CA
 * names in CertificateRequest, so a profiler can tell it from the protocol's
 * own cost. The backend's signature math (SHA-256 of the TBSCertificate,
 * rsa_pub) is never inside a BEGIN..END pair. Pairs do not nest.
 *
 * One process-wide hook, read without synchronisation: set it (or NULL, the
 * default: then a handshake only tests one pointer per X.509 step) before
 * any thread runs a handshake and leave it until they stop. The hook runs
 * on the thread doing the handshake; arg is the one given here. */
enum { HSB_TLS_PROBE_X509_BEGIN = 1, HSB_TLS_PROBE_X509_END = 2 };
typedef void (*hsb_tls_probe_fn)(int event, void *arg);
void hsb_tls_set_probe(hsb_tls_probe_fn fn, void *arg);

#endif
