/* libFuzzer target: a server conn reads arbitrary bytes as the client's (first flight and on). See
 * fuzz_common.h. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!fz_init(fz_dir())) {
        fprintf(stderr, "fuzz_server_hs: set-up failed\n");
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_server_feed(data, size);
    return 0;
}
