/*
 * workers.h: the background worker pool, for work too long for an event
 * loop (imports, exports, reports, bill runs). N threads, each with its own
 * store connection, take jobs from one FIFO queue. A job reads on its own
 * connection and hands any change to the group-commit writer (with
 * bss_writer_run), so the writer stays the one way data changes while
 * `bss serve` runs. A job's completion runs on the worker thread once the
 * job has returned: like the writer's, it must be quick (post a message to
 * an event loop, signal a condition).
 */
#ifndef BSS_DB_WORKERS_H
#define BSS_DB_WORKERS_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

typedef struct bss_workers bss_workers;

typedef bss_err (*bss_work_fn)(bss_db *db, void *arg, bss_errinfo *ei);
/* Called exactly once per job, after it ran (or was refused). ei is valid only during the call. */
typedef void (*bss_work_done_fn)(void *arg, bss_err rc, const bss_errinfo *ei);

/* Starts n threads (n >= 1), each opening its own connection to url. */
bss_err bss_workers_start(const char *url, const bss_db_options *dbopt, int n, int max_queue, bss_workers **out,
                          bss_errinfo *ei);
/* Runs the queued jobs to the end, stops the threads, closes the connections. NULL is a no-op. */
void bss_workers_stop(bss_workers *w);
/* Queues a job; done is always called exactly once (before this returns when the queue is full: BSS_E_BUSY). */
void bss_workers_submit(bss_workers *w, bss_work_fn fn, void *arg, bss_work_done_fn done);
/* Jobs waiting (for /metrics). */
int64_t bss_workers_queue_len(bss_workers *w);

#endif
