/*
 * app.h: the context of one running bss process. Everything a module needs
 * from "outside" (configuration, the clock, the writer, the event
 * dispatcher, metrics) is reached through it; there is no other global
 * mutable state. `bss serve` creates one in src/cli/serve.c; tests make
 * their own with a test clock.
 */
#ifndef BSS_APP_H
#define BSS_APP_H

#include <signal.h>
#include <stdatomic.h>

#include "core/config.h"
#include "core/netallow.h"
#include "core/seal.h"
#include "core/time.h"
#include "db/db.h"
#include "db/workers.h"
#include "db/writer.h"

struct bss_events;         /* src/events/events.h */
struct bss_metrics;        /* src/api/metrics.h */
struct bss_auth;           /* src/auth/auth.h */
struct bss_catalog_holder; /* src/catalog/catalog.h */
struct bss_ratelimit;      /* src/api/ratelimit.h */

typedef struct bss_app {
    bss_config cfg;
    bss_clock clock;
    bss_db_options dbopt;
    bss_writer *writer;                 /* all writes while serving */
    bss_workers *workers;               /* long work off the event loops (imports, exports, bill runs) */
    struct bss_events *events;          /* outbox dispatcher (NULL when not serving) */
    struct bss_metrics *metrics;        /* NULL when not serving */
    struct bss_auth *auth;              /* API key cache */
    struct bss_catalog_holder *catalog; /* the compiled catalog the rater reads (NULL until built) */
    struct bss_lines *lines;            /* the writer's resident lines (charging.h; NULL when not serving) */
    char base_url[512];                 /* "http://127.0.0.1:8080": prefix of every href */
    bss_netallow webhook_allow;         /* cfg.webhook_allow, parsed: where event callbacks may go */
    bss_seal_key secrets;               /* seals stored secrets (callback passwords); loaded by serve */
    struct bss_ratelimit *ratelimit;    /* per-key request rates (NULL: none, as in unit tests) */
    struct bss_order_runner *orders;    /* runs provisioning tasks (NULL when not serving) */
    int64_t bill_shock_micros;          /* cfg.bill_shock, parsed by serve (0: no alerts) */
    atomic_int stopping;                /* set by SIGINT/SIGTERM */
    _Atomic int64_t stop_deadline_ms;   /* monotonic ms the drain ends at (0 until a stop) */
} bss_app;

#endif
