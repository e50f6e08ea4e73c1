/* libFuzzer target: a client conn that sent its ClientHello reads arbitrary bytes as the server's
 * flight. See fuzz_common.h. */
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
        fprintf(stderr, "fuzz_client_hs: set-up failed\n");
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_client_feed(data, size);
    return 0;
}
