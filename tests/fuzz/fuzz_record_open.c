/* libFuzzer target: an established server conn (keys from a deterministic handshake) reads
 * arbitrary records; the first input byte picks the protection, MAC-then-encrypt
 * (tls_record.c), encrypt-then-MAC (tls_etm.c) or AES-128-GCM (tls_gcm.c). See fuzz_common.h. */
#include "fuzz_common.h"

FZ_TARGET("fuzz_record_open", fz_record_feed)
