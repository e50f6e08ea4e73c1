/*
 * fuzz_common.h - deterministic TLS ends for the libFuzzer targets and the
 * seed-corpus generator.
 *
 * Every end runs on the "openssl" composition with its RNG class replaced by
 * a deterministic stream (one for clients, one for servers), reset before
 * each connection. With the certificates read from the same PEM files, a
 * handshake is then the same byte for byte in every process: the seed corpus
 * that fuzz_corpus_gen records from a real self-talk handshake replays in
 * the targets to the very end (Finished verified, data read, close_notify),
 * and the fuzzer mutates from there.
 *
 * Every server asks for a client certificate (optional, the test CA) and
 * every client has one (certs/client.pem, client-key.pem), so the replayed
 * handshakes carry CertificateRequest, the client's Certificate and
 * CertificateVerify, and the server target reaches their readers.
 *
 * The directory (certs/, corpus/, work/) is $HSB_FUZZ_DIR, else the build's
 * default (HSB_FUZZ_DIR_DEFAULT). Without certificate files there, the
 * targets make their own (they still run, but the seeds then fail at the
 * certificate check).
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hsb_tls.h"

/* How far an input got. */
enum {
    FZ_FAILED = 0,    /* the connection died during the handshake */
    FZ_HANDSHAKE = 1, /* handshake done */
    FZ_DATA = 2,      /* and application data was read */
    FZ_CLOSED = 3,    /* and the peer's close_notify */
};

/* The record protections ("orders"). Every end is made in each: CBC with
 * encrypt_then_mac on (FZ_ETM, RFC 7366, the default) and off (FZ_MTE, RFC
 * 5246 MAC-then-encrypt, the constant-time Lucky-13 opener), and the
 * AES-128-GCM suites only (FZ_GCM, RFC 5288, tls_gcm.c's opener). The
 * record target's first input byte picks one: byte % FZ_ORDERS. */
enum { FZ_MTE = 0, FZ_ETM = 1, FZ_GCM = 2, FZ_ORDERS = 3 };

/* The folder of certs/, corpus/ and work/. */
const char *fz_dir(void);
/* Set up once (certificates from dir/certs, or generated): 1 on success,
 * 0 with a message on stderr. */
int fz_init(const char *dir);

/* Feed one input; each returns FZ_*.
 *   server: a fresh server conn (FZ_ETM) reads data as the client's bytes;
 *   client: a fresh client conn (FZ_ETM) sends its ClientHello, then reads
 *           data as the server's bytes;
 *   record: data[0] % FZ_ORDERS picks the order (FZ_MTE, FZ_ETM, FZ_GCM); a
 *           server conn with established keys in that order (restored from a
 *           snapshot taken right after a deterministic handshake) reads the
 *           rest as records from the client. An empty input does nothing. */
int fz_server_feed(const uint8_t *data, size_t len);
int fz_client_feed(const uint8_t *data, size_t len);
int fz_record_feed(const uint8_t *data, size_t len);

/* A deterministic self-talk connection (generator) with both ends in
 * order `order` (FZ_MTE, FZ_ETM or FZ_GCM): handshake, then data both ways and
 * close_notify both ways; 0 when it fails or that order was not
 * negotiated. The byte streams each side sent, with the offsets where the
 * handshake ends (after the Finished) and where the first record ends.
 * Buffers are static, valid until the next call. */
typedef struct fz_transcript {
    const uint8_t *c2s, *s2c;
    size_t c2s_len, s2c_len;
    size_t c2s_hs_end, s2c_hs_end;
    size_t c2s_first, s2c_first;
} fz_transcript;
int fz_selftalk(unsigned client_kx, unsigned server_kx, int order, fz_transcript *t);

/* A target's two libFuzzer entry points: set-up once from fz_dir() (exit 1,
 * naming the target, when it fails), then every input fed to FEED, one of
 * the fz_*_feed above. */
#define FZ_TARGET(NAME, FEED)                                                                      \
    int LLVMFuzzerInitialize(int *argc, char ***argv);                                             \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                                  \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                                              \
    {                                                                                              \
        (void)argc;                                                                                \
        (void)argv;                                                                                \
        if (!fz_init(fz_dir())) {                                                                  \
            fprintf(stderr, NAME ": set-up failed\n");                                             \
            exit(1);                                                                               \
        }                                                                                          \
        return 0;                                                                                  \
    }                                                                                              \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                   \
    {                                                                                              \
        (void)FEED(data, size);                                                                    \
        return 0;                                                                                  \
    }

#endif
