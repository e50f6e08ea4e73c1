#include <stdio.h>

#include "hsb_cmd.h"

int hsb_cmd_client(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hsbench: 'client' is not built yet\n");
    return 2;
}
