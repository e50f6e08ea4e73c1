/* libFuzzer target: a server conn reads arbitrary bytes as the client's (first flight and on). See
 * fuzz_common.h. */
#include "fuzz_common.h"

FZ_TARGET("fuzz_server_hs", fz_server_feed)
