/* cmd_key.c: `bss key` (placeholder until its owner lands it). */
#include "cli/cli.h"

int bss_cmd_key(int argc, char **argv)
{
    fprintf(stderr, "bss key: not built yet\n");
    return 1;
}

void bss_cmd_key_help(FILE *out)
{
    fprintf(out, "usage: bss key\n");
}
