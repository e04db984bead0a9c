/*
 * main.c: the `bss` binary. Dispatches to a subcommand from the table
 * below; `bss help [cmd]`, `bss version`. Everything else lives in the
 * library (everything under src/), so tests link the same code the binary runs.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/mem.h"
#include "version.h"

static int cmd_version(int argc, char **argv);
static void cmd_version_help(FILE *out);
static int cmd_help(int argc, char **argv);
static void cmd_help_help(FILE *out);

static const bss_cmd commands[] = {
    {"serve", "run the server (REST API, events, background work)", bss_cmd_serve, bss_cmd_serve_help},
    {"migrate", "apply pending schema migrations to the store", bss_cmd_migrate, bss_cmd_migrate_help},
    {"key", "create, list and revoke API keys", bss_cmd_key, bss_cmd_key_help},
    {"catalog", "export and import the product catalog", bss_cmd_catalog, bss_cmd_catalog_help},
    {"inventory", "import SIM batches, add number ranges, inventory stats", bss_cmd_inventory, bss_cmd_inventory_help},
    {"balance", "a line's buckets and wallet, top-ups and adjustments", bss_cmd_balance, bss_cmd_balance_help},
    {"usage", "import CDR files, list and explain usage, recycle rejects", bss_cmd_usage, bss_cmd_usage_help},
    {"order", "overdue orders, an order's provisioning steps", bss_cmd_order, bss_cmd_order_help},
    {"customer", "find a customer, show the customer view (care agents)", bss_cmd_customer, bss_cmd_customer_help},
    {"backup", "copy the SQLite store to a file (online, mode 0600)", bss_cmd_backup, bss_cmd_backup_help},
    {"restore", "replace the SQLite store with a backup (server stopped)", bss_cmd_restore, bss_cmd_restore_help},
    {"routes", "list the routes and the roles that may call them", bss_cmd_routes, bss_cmd_routes_help},
    {"version", "print the version", cmd_version, cmd_version_help},
    {"help", "show help for a command", cmd_help, cmd_help_help},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const bss_cmd *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out, "bss %s: business support system for mobile operators\n\n"
                 "usage: bss <command> [options]\n\ncommands:\n",
            BSS_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`bss help <command>` describes a command and every flag it takes.\n");
}

static int cmd_version(int argc, char **argv)
{
    printf("bss %s\n", BSS_VERSION);
    return 0;
}

static void cmd_version_help(FILE *out)
{
    fprintf(out, "usage: bss version\n\nPrints the version of this binary.\n");
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        usage(stdout);
        return 0;
    }
    const bss_cmd *c = find(argv[1]);
    if (c == NULL) {
        fprintf(stderr, "bss: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return 2;
    }
    c->help(stdout);
    return 0;
}

static void cmd_help_help(FILE *out)
{
    fprintf(out, "usage: bss help [command]\n\nWithout a command, lists the commands; with one, describes it.\n");
}

int main(int argc, char **argv)
{
    bss_mem_init();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(0, NULL);
    const bss_cmd *c = find(argv[1]);
    if (c == NULL) {
        fprintf(stderr, "bss: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            c->help(stdout);
            return 0;
        }
    }
    return c->run(argc - 1, argv + 1);
}
