/* libFuzzer target: an established server conn (keys from a deterministic handshake) reads
 * arbitrary records; the first input byte picks the MAC order, MAC-then-encrypt (tls_record.c)
 * or encrypt-then-MAC (tls_etm.c). See fuzz_common.h. */
#include "fuzz_common.h"

FZ_TARGET("fuzz_record_open", fz_record_feed)
