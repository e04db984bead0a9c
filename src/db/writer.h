/*
 * writer.h: the group-commit writer. Every change to the store made while
 * `bss serve` runs goes through one writer per store: jobs from all event
 * loops and workers are queued, a batch is run in one transaction (each job
 * inside its own SAVEPOINT, so one failing job rolls back alone), committed
 * once, and only then is each job's completion called. Durable (synchronous
 * commit) and still fast: one fsync serves a whole batch. A batch closes
 * when the queue is empty or after the commit window (--commit-window).
 *
 * A job function may run more than once (the batch is retried on
 * BSS_E_BUSY), so it must not have effects outside the store before its
 * completion is called. Completions run on the writer thread: they must be
 * quick (post a message to an event loop, signal a condition).
 */
#ifndef BSS_DB_WRITER_H
#define BSS_DB_WRITER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

typedef struct bss_writer bss_writer;

typedef bss_err (*bss_write_fn)(bss_db *db, void *arg, bss_errinfo *ei);
/* Called once per job after its batch committed (rc BSS_OK) or failed. ei is valid only during the call. */
typedef void (*bss_write_done_fn)(void *arg, bss_err rc, const bss_errinfo *ei);

typedef struct bss_writer_options {
    int64_t window_us;  /* most time a batch stays open collecting jobs: 500 */
    int max_batch;      /* most jobs in one transaction: 256 */
    int max_queue;      /* jobs waiting beyond this are refused with BSS_E_BUSY: 100000 */
    /*
     * Called on the writer thread after every batch that committed, before
     * the completions: e.g. to wake the event dispatcher once per batch
     * when the batch recorded events. NULL: nothing.
     */
    void (*after_commit)(void *arg);
    void *after_commit_arg;
    /* Set on the writer's connection before its first job (db.h bss_db_listener); NULL: none. */
    const bss_db_listener *listener;
} bss_writer_options;

/* Starts the writer thread on its own connection (opened from url with opt). */
bss_err bss_writer_start(const char *url, const bss_db_options *dbopt, const bss_writer_options *wopt,
                         bss_writer **out, bss_errinfo *ei);
/* Finishes queued jobs, stops the thread, closes the connection. NULL is a no-op. */
void bss_writer_stop(bss_writer *w);

/* Queues a job; done is always called exactly once (possibly before this returns, on refusal). */
void bss_writer_submit(bss_writer *w, bss_write_fn fn, void *arg, bss_write_done_fn done);

/* Queues a job and waits for it (for workers, the CLI's offline paths and tests). */
bss_err bss_writer_run(bss_writer *w, bss_write_fn fn, void *arg, bss_errinfo *ei);

/*
 * A job queued now and waited for later, by a thread that prepares the
 * next piece of work meanwhile (the CDR spool, an import's chunks in
 * order): begin queues it, finish waits for its completion and returns its
 * result. p lives until finish returns; every begin is finished once.
 */
typedef struct bss_writer_pending {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool finished;
    bss_err rc;
    bss_errinfo ei;
} bss_writer_pending;
void bss_writer_begin(bss_writer *w, bss_write_fn fn, void *arg, bss_writer_pending *p);
bss_err bss_writer_finish(bss_writer_pending *p, bss_errinfo *ei);

#define BSS_WRITER_BATCH_BUCKETS 10 /* batch sizes <= 1, 2, 4, ... 256, and more */
typedef struct bss_writer_stats {
    int64_t jobs, batches, failures, queue_len;
    int64_t batch_le[BSS_WRITER_BATCH_BUCKETS]; /* committed batches by size: [i] = sizes <= 2^i (last: any) */
} bss_writer_stats;
void bss_writer_get_stats(bss_writer *w, bss_writer_stats *out);

#endif
