#include <stdio.h>

#include "hsb_cmd.h"

int hsb_cmd_server(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hsbench: 'server' is not built yet\n");
    return 2;
}
