/* libFuzzer target: a client conn that sent its ClientHello reads arbitrary bytes as the server's
 * flight. See fuzz_common.h. */
#include "fuzz_common.h"

FZ_TARGET("fuzz_client_hs", fz_client_feed)
