/* libFuzzer target: an established server conn (keys from a deterministic handshake) reads
 * arbitrary records. See fuzz_common.h. */
#include "fuzz_common.h"

FZ_TARGET("fuzz_record_open", fz_record_feed)
