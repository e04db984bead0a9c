/*
 * client.h: what every CLI command that talks to a running `bss serve`
 * shares (`bss key`, `bss catalog`, ...): taking its own flags out of argv,
 * finding the server (--url, else http://<listen> from the configuration)
 * and the admin key (--key, else <data-dir>/admin.key), one HTTP request
 * over libcurl, and printing the TMF error body of a refused one. Messages
 * start with the command's name ("bss key: ...").
 */
#ifndef BSS_CLI_CLIENT_H
#define BSS_CLI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/config.h"

typedef struct bss_cli_client {
    const char *cmd;   /* "bss key": the prefix of every message */
    long timeout_s;    /* per request */
    size_t max_answer; /* bytes */
    const char *content_type; /* of request bodies; NULL: application/json */
    const char *idem_key;     /* sent as Idempotency-Key when set */
    char url[600];
    char key[128];
} bss_cli_client;

typedef struct bss_cli_answer {
    char *data; /* NUL-terminated, bss_malloc'd; NULL when empty */
    size_t len;
} bss_cli_answer;

/* A flag a command takes: "--url" with a value (value != NULL) or "--dry-run" without (boolean != NULL). */
typedef struct bss_cli_flag {
    const char *name;
    const char **value;
    bool *boolean;
} bss_cli_flag;

/*
 * Removes the command's own flags (and their values) from argv, compacting
 * it, so the rest can go to bss_config_load. -1 (message printed) when a
 * flag that needs a value has none.
 */
int bss_cli_take_flags(const char *cmd, int *argc, char **argv, const bss_cli_flag *flags, size_t nflags);

/*
 * The start every client command shares: its own flags out of argv (after
 * the command name), then the configuration from the rest; *rest/rest_argv
 * receive the positional arguments. 2 (message printed, prefixed with cmd)
 * on bad usage or configuration, else 0.
 */
int bss_cli_args(const char *cmd, int argc, char **argv, const bss_cli_flag *flags, size_t nflags, bss_config *cfg,
                 int *rest, char ***rest_argv);

/*
 * Fills url and key: url_flag, else http://<listen host:port> (0.0.0.0 ->
 * 127.0.0.1; IPv6 bracketed); key_flag, else the first line of
 * <data-dir>/admin.key. -1 (message printed) when no key can be had.
 */
int bss_cli_connect(bss_cli_client *c, const bss_config *cfg, const char *url_flag, const char *key_flag);

/*
 * One request to c->url + path with the admin key; body may be NULL.
 * Returns the HTTP status, 0 when the server could not be reached (a
 * message saying so is printed). Free the answer with bss_cli_answer_free.
 */
long bss_cli_call(const bss_cli_client *c, const char *method, const char *path, const char *body,
                  size_t body_len, bss_cli_answer *a);
void bss_cli_answer_free(bss_cli_answer *a);

/* A subcommand of a client command: its name, how many arguments follow it (-1: one or more), what runs it. */
typedef struct bss_cli_sub {
    const char *name;
    int nargs;
    int (*run)(void *opts, char **args);
} bss_cli_sub;

/*
 * Runs the subcommand rest_argv[0] of subs (with exactly its nargs
 * arguments after it): finds the server and key, then runs it between
 * libcurl's init and cleanup and returns its status. 2 with a message and
 * help(stderr) for an unknown or incomplete subcommand; 1 when there is no key.
 */
int bss_cli_dispatch(bss_cli_client *c, const bss_config *cfg, const char *url, const char *key, int rest,
                     char **rest_argv, const bss_cli_sub *subs, size_t nsubs, void *opts, void (*help)(FILE *));

/*
 * GET path as JSON: with raw, the answer is printed as it came (returns
 * -1); otherwise *out is the parsed answer (returns 0). A refused or
 * unreadable answer is reported (returns 1).
 */
int bss_cli_get_json(const bss_cli_client *c, const char *path, bool raw, json_t **out);

/* The Idempotency-Key of a change: the given one (--idempotency-key), else a
 * new random "cli-<24 hex>" the command prints so a retry can repeat it. */
void bss_cli_idempotency_key(const char *given, char out[64]);

/* Appends "?name=value" (or "&name=value") to the path in buf[cap], the value query-encoded. */
void bss_cli_add_param(char *buf, size_t cap, const char *name, const char *value);

/* Reads a whole file ("-" = stdin), at most max bytes, into a bss_malloc'd buffer; NULL (message printed). */
char *bss_cli_read_file(const bss_cli_client *c, const char *path, size_t max, size_t *len);

/* Prints the server's error (message, field, hints for 401/413); returns exit status 1. */
int bss_cli_report_error(const bss_cli_client *c, long status, const bss_cli_answer *a);

#endif
