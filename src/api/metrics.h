/*
 * metrics.h: the counters behind GET /metrics (Prometheus text format).
 * Every event loop thread writes only its own slot (no locks, no shared
 * cache lines); a scrape sums the slots. Routes are counted by index (the
 * router's row order), plus one extra index for requests that matched no
 * route. Store errors are published by each loop from its connection's
 * statistics; the outbox backlog and writer queue are read at scrape time.
 */
#ifndef BSS_API_METRICS_H
#define BSS_API_METRICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct bss_metrics bss_metrics;

/* Slots for nthreads writers and nroutes routes (+1 for "unmatched"). NULL on OOM. */
bss_metrics *bss_metrics_create(size_t nthreads, size_t nroutes);
void bss_metrics_destroy(bss_metrics *m); /* NULL is a no-op */

/* The label of route index i (the string must outlive m). Unnamed routes print as "route<i>". */
void bss_metrics_set_route_name(bss_metrics *m, size_t route, const char *name);

/* One answered request on thread t; route >= nroutes counts as "unmatched". */
void bss_metrics_observe(bss_metrics *m, size_t thread, size_t route, int status, int64_t duration_ns);

/* The running total of store errors seen by thread t's connection. */
void bss_metrics_set_db_errors(bss_metrics *m, size_t thread, int64_t total);

typedef struct bss_metrics_gauges {
    int64_t outbox_backlog; /* bss_events_backlog */
    int64_t writer_queue;   /* bss_writer_get_stats().queue_len */
    int64_t writer_failures;
    int64_t writer_jobs, writer_batches;
    int64_t writer_batch_le[10];                     /* bss_writer_stats.batch_le */
    int64_t events_delivered, events_retried, events_dead; /* bss_events_counts */
    int64_t uptime_ms;
    int64_t orders_overdue;                          /* bss_order_runner_stats: open orders past their SLA */
    int64_t tasks_done, tasks_failed, tasks_retried; /* provisioning steps since start */
    int64_t lines_resident, lines_hits, lines_misses, lines_forgotten, lines_resets, lines_mismatches; /* bss_lines_get_stats */
    int64_t bucket_hits, bucket_misses; /* the resident lines' buckets from memory, from the store */
    int64_t sessions_resident, session_hits, session_misses;
    const char *version;
} bss_metrics_gauges;

/* The exposition text, bss_malloc'd (NULL on OOM); *len gets its length. */
char *bss_metrics_render(const bss_metrics *m, const bss_metrics_gauges *g, size_t *len);

#endif
