#include <stdio.h>

#include "hsb_cmd.h"

int hsb_cmd_suite(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hsbench: 'suite' is not built yet\n");
    return 2;
}
