/*
 * config.h: every setting of bss in one table (config.c), each with a name,
 * an environment variable, a default, a type and one line of help. Values
 * come, weakest first, from the default, the config file (--config FILE or
 * <data-dir>/bss.conf; lines "name = value", '#' comments), the environment
 * (BSS_NAME with '-' as '_'), and command-line flags (--name value or
 * --name=value). A bad value stops start-up with exit status 2 and a message
 * naming the option and its source ("config: bss.conf:3: listen: ...").
 * `bss help serve` prints the table.
 */
#ifndef BSS_CORE_CONFIG_H
#define BSS_CORE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

typedef struct bss_config {
    char data_dir[512];      /* --data-dir: ./var */
    char db_url[1024];       /* --db: sqlite:<data-dir>/bss.db | postgres://... */
    char listen_host[256];   /* --listen host:port: 127.0.0.1:8080 */
    int listen_port;
    int threads;             /* --threads: event loops; 0 = number of cores */
    int64_t max_body;        /* --max-body bytes: 1048576 */
    int64_t request_timeout_ms; /* --request-timeout ms: 30000 */
    int64_t db_busy_timeout_ms; /* --db-busy-timeout ms: 5000 */
    int db_retries;          /* --db-retries: 5 */
    int64_t commit_window_us; /* --commit-window us: group-commit batching window, 500 */
    char log_level[16];      /* --log-level: info */
    char log_file[512];      /* --log-file: "" (stderr) */
    bool request_log;        /* --request-log: one http.request line per request, true */
    bool demo;               /* --demo: seed the demo operator into an empty store */
    bool test_clock;         /* --test-clock: PUT /admin/v1/clock enabled */
    bool verify_lines;       /* --verify-lines: every resident line checked against the store (tests) */
    char test_clock_start[40]; /* --test-clock-start RFC 3339: "" (real now) */
    int64_t webhook_timeout_ms; /* --webhook-timeout ms: 5000 */
    int webhook_max_attempts;   /* --webhook-max-attempts: 10 */
    int64_t outbox_poll_ms;     /* --outbox-poll ms: 200 */
    int event_retention_days;   /* --event-retention-days: 7; delivered/dead events older are deleted */
    char base_url[512];      /* --base-url: used in href; "" = http://<listen> */
    char webhook_allow[2048]; /* --webhook-allow: CIDRs and host names callbacks may reach beyond public addresses */
    char secrets_key[512];    /* --secrets-key FILE: "" = <data-dir>/secrets.key */
    int64_t doc_max_bytes;    /* --doc-max-bytes: largest stored document, 262144 */
    int64_t doc_max_string;   /* --doc-max-string: longest string member, 16384 */
    int64_t doc_max_array;    /* --doc-max-array: most elements of an array member, 1000 */
    char rate_limit[256];     /* --rate-limit: "role=N,..." requests per second per key (0 = unlimited) */
    char default_country[8];  /* --default-country: "" (international numbers only) or "NL" */
    int max_inflight;         /* --max-inflight: deferred requests per key at once, 64 (0 = unlimited) */
    int64_t drain_ms;         /* --drain-timeout: how long a stop waits for requests in flight, 10000 */
    char sim_keys[8];         /* --sim-keys: "store" (Ki/OPc sealed in the store) or "hss" (not stored) */
    int msisdn_quarantine_days; /* --msisdn-quarantine-days: 90 */
    int reservation_minutes;  /* --reservation-minutes: 30 */
    int64_t inventory_warn;   /* --inventory-warn: 1000 */
    int64_t provision_latency_ms; /* --provision-latency: the simulator's time per step, 100 */
    char provision_fail[512];     /* --provision-fail: "TYPE=PERCENT,..." steps the simulator fails */
    char smdp_address[128];       /* --smdp-address: the SM-DP+ of eSIM activation codes */
    char provision_adapter[16];   /* --provision-adapter: simulator | http */
    char provision_url[512];      /* --provision-url: the MVNE/OSS endpoint of the http adapter */
    char provision_token_file[512]; /* --provision-token-file: its bearer token */
    char provision_allow[2048];   /* --provision-allow: non-public addresses the http adapter may reach */
    int64_t provision_timeout_ms; /* --provision-timeout: one call, 10000 */
    int64_t provision_wait_ms;    /* --provision-wait: an accepted step is polled after this, 30000 */
    char porting_adapter[16];     /* --porting-adapter: simulator | http (the number portability authority) */
    char porting_url[512];        /* --porting-url: its endpoint with http */
    char porting_token_file[512]; /* --porting-token-file: its bearer token */
    char cdr_spool[1024];         /* --cdr-spool: the directory of CDR files to import ("" = none) */
    int64_t quota_validity_s;     /* --quota-validity: how long an online grant holds, 300 */
    int64_t demo_usage_days;      /* --demo-usage: days of usage --demo seeds for its lines, 30 (0: none) */
    char notify_log[1024];        /* --notify-log: the log adapter's file ("" = <data-dir>/notifications.log) */
    char bill_shock[32];          /* --bill-shock: the billed usage per period that alerts a postpaid account, "50" */
    int64_t what_if_memory_mib;   /* --what-if-memory: the events a what-if run holds at once, in MiB, 1024 */
} bss_config;

/* Fills every field with its documented default. */
void bss_config_defaults(bss_config *c);

/*
 * Applies file, environment and flags in that order. argv holds only the
 * flags (after the subcommand). Unknown flags, bad values and unreadable
 * files are BSS_E_CONFIG with ei->field = option name and a message.
 * Arguments that are not flags are left for the caller: *rest_argc/rest_argv
 * receive them (may be NULL if none are allowed: then they are errors).
 */
bss_err bss_config_load(bss_config *c, int argc, char **argv, int *rest_argc, char ***rest_argv,
                        bss_errinfo *ei);

/* Parses one "name = value" the way the file does (for tests). */
bss_err bss_config_set(bss_config *c, const char *name, const char *value, bss_errinfo *ei);

/*
 * Logs the settings in effect (event=config, settings="name=value ..."),
 * secrets redacted: a store URL's password shows as ***.
 */
void bss_config_log(const bss_config *c);

/* Prints the option table (name, env, default, help) for `bss help`. */
void bss_config_print_help(FILE *out);

#endif
