/*
 * cmd_routes.c: `bss routes`, the route table of this binary: every route
 * with the roles it allows, or (--roles) the role matrix of docs/api.md.
 * Offline: it builds the table bss serve would (with the same
 * configuration, so --test-clock adds its routes) and needs no store.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "app.h"
#include "cli/cli.h"
#include "core/config.h"

void bss_cmd_routes_help(FILE *out)
{
    fprintf(out, "usage: bss routes [--roles] [options]\n\n"
                 "Prints every route bss serve answers, one per line: method, path pattern and the\n"
                 "roles whose keys may call it (admin passes every route; public routes need no key).\n\n"
                 "  --roles      print the role matrix instead: one row per resource, one column\n"
                 "               per role, r (read), w (write), rw, - (refused) or public; the\n"
                 "               table docs/api.md shows\n\n"
                 "The other options are bss serve's (`bss help serve`); --test-clock adds the test\n"
                 "routes. Exit status: 0, or 2 on a bad option.\n");
}

int bss_cmd_routes(int argc, char **argv)
{
    bool roles = false;
    char *rest[64];
    int nrest = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--roles") == 0)
            roles = true;
        else if (nrest < 64)
            rest[nrest++] = argv[i];
    }
    static bss_app app;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_config_defaults(&app.cfg);
    if (bss_config_load(&app.cfg, nrest, rest, NULL, NULL, &ei) != BSS_OK) {
        fprintf(stderr, "bss routes: %s\n", ei.message);
        return 2;
    }
    if (bss_api_print_routes(&app, roles, stdout, &ei) != BSS_OK) {
        fprintf(stderr, "bss routes: %s\n", ei.message);
        return 1;
    }
    return 0;
}
