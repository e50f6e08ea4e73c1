#include <stdio.h>

#include "hsb_cmd.h"

int hsb_cmd_selftest(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hsbench: 'selftest' is not built yet\n");
    return 2;
}
