/* libFuzzer target: an established server conn (keys from a deterministic handshake) reads
 * arbitrary records. See fuzz_common.h. */
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
        fprintf(stderr, "fuzz_record_open: set-up failed\n");
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_record_feed(data, size);
    return 0;
}
