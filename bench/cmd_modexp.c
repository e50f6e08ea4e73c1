#include <stdio.h>

#include "hsb_cmd.h"

int hsb_cmd_modexp(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hsbench: 'modexp' is not built yet\n");
    return 2;
}
