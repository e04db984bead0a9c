/* cmd_migrate.c: `bss migrate` (placeholder until its owner lands it). */
#include "cli/cli.h"

int bss_cmd_migrate(int argc, char **argv)
{
    fprintf(stderr, "bss migrate: not built yet\n");
    return 1;
}

void bss_cmd_migrate_help(FILE *out)
{
    fprintf(out, "usage: bss migrate\n");
}
