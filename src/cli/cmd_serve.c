/* cmd_serve.c: `bss serve` (placeholder until its owner lands it). */
#include "cli/cli.h"

int bss_cmd_serve(int argc, char **argv)
{
    fprintf(stderr, "bss serve: not built yet\n");
    return 1;
}

void bss_cmd_serve_help(FILE *out)
{
    fprintf(out, "usage: bss serve\n");
}
