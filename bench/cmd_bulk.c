#include <stdio.h>

#include "hsb_cmd.h"

int hsb_cmd_bulk(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hsbench: 'bulk' is not built yet\n");
    return 2;
}
