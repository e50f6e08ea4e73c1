#include <stdio.h>

#include "hsb_cmd.h"

int hsb_cmd_handshake(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hsbench: 'handshake' is not built yet\n");
    return 2;
}
