/*
 * cli.h: the subcommands of the `bss` binary. main.c dispatches on argv[1]
 * through the table in main.c; each command lives in its own cmd_*.c file
 * and prints its own help (`bss help <cmd>`, `bss <cmd> --help`).
 * Exit statuses: 0 success, 1 failure at run time, 2 bad usage or configuration.
 */
#ifndef BSS_CLI_CLI_H
#define BSS_CLI_CLI_H

#include <stdio.h>

typedef struct bss_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    void (*help)(FILE *out);
} bss_cmd;

int bss_cmd_serve(int argc, char **argv);
void bss_cmd_serve_help(FILE *out);
int bss_cmd_migrate(int argc, char **argv);
void bss_cmd_migrate_help(FILE *out);
int bss_cmd_key(int argc, char **argv);
void bss_cmd_key_help(FILE *out);
int bss_cmd_catalog(int argc, char **argv);
void bss_cmd_catalog_help(FILE *out);
int bss_cmd_inventory(int argc, char **argv);
void bss_cmd_inventory_help(FILE *out);
int bss_cmd_usage(int argc, char **argv);
void bss_cmd_usage_help(FILE *out);
int bss_cmd_balance(int argc, char **argv);
void bss_cmd_balance_help(FILE *out);
int bss_cmd_order(int argc, char **argv);
void bss_cmd_order_help(FILE *out);
int bss_cmd_customer(int argc, char **argv);
void bss_cmd_customer_help(FILE *out);
int bss_cmd_backup(int argc, char **argv);
void bss_cmd_backup_help(FILE *out);
int bss_cmd_restore(int argc, char **argv);
void bss_cmd_restore_help(FILE *out);
int bss_cmd_routes(int argc, char **argv);
void bss_cmd_routes_help(FILE *out);

#endif
