/*
 * writer.c: the group-commit writer (writer.h). One thread owns one store
 * connection and a queue guarded by a mutex and a condition variable. It
 * takes the queued jobs as one batch, runs each inside its own SAVEPOINT
 * (a failing job is rolled back to it alone), keeps taking jobs that arrive
 * while the batch is open until the queue is empty, the batch is full or
 * the commit window has passed, then commits once and only then calls each
 * job's completion. On BSS_E_BUSY (at BEGIN, from a job, or at COMMIT) the
 * whole batch is rolled back and run again, up to the store's retries; after
 * that every job in it fails with BSS_E_BUSY. The queue is bounded: a job
 * beyond max_queue is refused at once with BSS_E_BUSY.
 */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "db/writer.h"

#define DEFAULT_WINDOW_US 500
#define DEFAULT_MAX_BATCH 256
#define DEFAULT_MAX_QUEUE 100000
#define DEFAULT_RETRIES 5

typedef struct job {
    struct job *next;
    bss_write_fn fn;
    void *arg;
    bss_write_done_fn done;
    void *done_arg;
    bss_err rc;
    bss_errinfo ei;
} job;

struct bss_writer {
    bss_db *db;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    job *head, *tail;
    int64_t queue_len;
    bool stopping;
    int retries;
    bss_writer_options opt;
    bss_writer_stats stats;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Detaches up to max jobs from the queue head into *first..*last; returns how many. Caller holds mu. */
static int take_jobs(bss_writer *w, int max, job **first, job **last)
{
    int n = 0;
    job *j = w->head, *prev = NULL;
    while (j != NULL && n < max) {
        prev = j;
        j = j->next;
        n++;
    }
    *first = n ? w->head : NULL;
    *last = prev;
    if (n) {
        prev->next = NULL;
        w->head = j;
        if (j == NULL)
            w->tail = NULL;
        w->queue_len -= n;
    }
    return n;
}

/* Runs one job in its savepoint. Returns an error (in bei) only when the batch as a whole cannot go on. */
static bss_err run_job(bss_writer *w, job *j, bss_errinfo *bei)
{
    bss_err rc = bss_db_savepoint(w->db, "bss_job", bei);
    if (rc != BSS_OK)
        return rc;
    bss_errinfo_clear(&j->ei);
    j->rc = j->fn(w->db, j->arg, &j->ei);
    if (j->rc == BSS_E_BUSY) {
        *bei = j->ei;
        return BSS_E_BUSY;
    }
    if (j->rc != BSS_OK && j->ei.message[0] == '\0')
        bss_fail(&j->ei, j->rc, NULL, "%s", bss_strerror(j->rc));
    j->ei.code = j->rc;
    if (j->rc == BSS_OK) {
        rc = bss_db_release(w->db, "bss_job", &j->ei);
        if (rc == BSS_OK)
            return BSS_OK;
        /* The job left its savepoint in a failed state (it ignored a statement error): undo it alone. */
        j->rc = rc == BSS_E_BUSY ? BSS_E_DB : rc;
        j->ei.code = j->rc;
    }
    rc = bss_db_rollback_to(w->db, "bss_job", bei);
    if (rc == BSS_OK)
        rc = bss_db_release(w->db, "bss_job", bei);
    return rc;
}

/* One attempt at a batch: BEGIN, jobs (taking late arrivals within the window), COMMIT. */
static bss_err attempt_batch(bss_writer *w, job **first, job **last, int *n, int64_t started_us,
                             bss_errinfo *ei)
{
    bss_err rc = bss_db_begin(w->db, ei);
    if (rc != BSS_OK)
        return rc;
    job *j = *first;
    for (;;) {
        for (; j != NULL; j = j->next) {
            rc = run_job(w, j, ei);
            if (rc != BSS_OK) {
                bss_db_rollback(w->db);
                return rc;
            }
        }
        if (*n >= w->opt.max_batch || now_us() - started_us >= w->opt.window_us)
            break;
        job *more_first, *more_last;
        pthread_mutex_lock(&w->mu);
        int more = take_jobs(w, w->opt.max_batch - *n, &more_first, &more_last);
        pthread_mutex_unlock(&w->mu);
        if (more == 0)
            break;
        (*last)->next = more_first;
        *last = more_last;
        *n += more;
        j = more_first;
    }
    rc = bss_db_commit(w->db, ei);
    if (rc != BSS_OK)
        bss_db_rollback(w->db);
    return rc;
}

static void sleep_us(int64_t us)
{
    struct timespec ts = {.tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static void run_batch(bss_writer *w, job *first, job *last, int n)
{
    bss_errinfo ei;
    bss_err rc;
    int64_t started = now_us();

    for (int attempt = 0;; attempt++) {
        bss_errinfo_clear(&ei);
        rc = attempt_batch(w, &first, &last, &n, started, &ei);
        if (rc != BSS_E_BUSY || attempt >= w->retries)
            break;
        int64_t delay = (int64_t)1000 << (attempt < 6 ? attempt : 6);
        sleep_us(delay / 2 + (now_us() % (delay / 2 + 1)));
    }
    int64_t failed = 0;
    for (job *j = first; j != NULL; j = j->next) {
        if (rc != BSS_OK) {
            j->rc = rc;
            if (rc == BSS_E_BUSY)
                bss_fail(&j->ei, BSS_E_BUSY, NULL, "store busy after %d attempts, try again", w->retries + 1);
            else
                j->ei = ei;
        }
        if (j->rc != BSS_OK)
            failed++;
    }
    pthread_mutex_lock(&w->mu);
    w->stats.jobs += n;
    w->stats.failures += failed;
    if (rc == BSS_OK) {
        w->stats.batches++;
        int b = 0;
        while (b < BSS_WRITER_BATCH_BUCKETS - 1 && (1 << b) < n)
            b++;
        w->stats.batch_le[b]++;
    }
    pthread_mutex_unlock(&w->mu);
    if (rc == BSS_OK && w->opt.after_commit != NULL)
        w->opt.after_commit(w->opt.after_commit_arg);
    for (job *j = first, *next; j != NULL; j = next) {
        next = j->next;
        j->done(j->done_arg, j->rc, &j->ei);
        bss_free(j);
    }
}

static void *writer_main(void *arg)
{
    bss_writer *w = arg;
    for (;;) {
        job *first, *last;
        pthread_mutex_lock(&w->mu);
        while (w->head == NULL && !w->stopping)
            pthread_cond_wait(&w->wake, &w->mu);
        int n = take_jobs(w, w->opt.max_batch, &first, &last);
        pthread_mutex_unlock(&w->mu);
        if (n == 0)
            break; /* stopping and drained */
        run_batch(w, first, last, n);
    }
    return NULL;
}

bss_err bss_writer_start(const char *url, const bss_db_options *dbopt, const bss_writer_options *wopt,
                         bss_writer **out, bss_errinfo *ei)
{
    bss_writer *w = bss_calloc(1, sizeof(*w));
    *out = NULL;
    if (w == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory starting the writer");
    w->opt.window_us = wopt && wopt->window_us >= 0 ? wopt->window_us : DEFAULT_WINDOW_US;
    w->opt.max_batch = wopt && wopt->max_batch > 0 ? wopt->max_batch : DEFAULT_MAX_BATCH;
    w->opt.max_queue = wopt && wopt->max_queue > 0 ? wopt->max_queue : DEFAULT_MAX_QUEUE;
    w->opt.after_commit = wopt ? wopt->after_commit : NULL;
    w->opt.after_commit_arg = wopt ? wopt->after_commit_arg : NULL;
    w->retries = dbopt && dbopt->retries >= 0 ? dbopt->retries : DEFAULT_RETRIES;
    bss_err rc = bss_db_open(url, dbopt, &w->db, ei);
    if (rc != BSS_OK) {
        bss_free(w);
        return rc;
    }
    if (wopt && wopt->listener)
        bss_db_set_listener(w->db, wopt->listener);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->mu);
        bss_db_close(w->db);
        bss_free(w);
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "cannot start the writer thread");
    }
    *out = w;
    return BSS_OK;
}

void bss_writer_stop(bss_writer *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->mu);
    bss_db_close(w->db);
    bss_free(w);
}

static void refuse(bss_write_done_fn done, void *done_arg, bss_err code, const char *msg)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_fail(&ei, code, NULL, "%s", msg);
    done(done_arg, code, &ei);
}

static void enqueue(bss_writer *w, bss_write_fn fn, void *arg, bss_write_done_fn done, void *done_arg)
{
    job *j = bss_calloc(1, sizeof(*j));
    if (j == NULL) {
        refuse(done, done_arg, BSS_E_NOMEM, "out of memory queueing a write");
        return;
    }
    j->fn = fn;
    j->arg = arg;
    j->done = done;
    j->done_arg = done_arg;
    pthread_mutex_lock(&w->mu);
    const char *why = w->stopping                        ? "the writer is stopping"
                      : w->queue_len >= w->opt.max_queue ? "store busy: write queue full, try again"
                                                         : NULL;
    if (why != NULL) {
        w->stats.failures++;
        pthread_mutex_unlock(&w->mu);
        bss_free(j);
        refuse(done, done_arg, w->stopping ? BSS_E_STATE : BSS_E_BUSY, why);
        return;
    }
    if (w->tail)
        w->tail->next = j;
    else
        w->head = j;
    w->tail = j;
    w->queue_len++;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
}

void bss_writer_submit(bss_writer *w, bss_write_fn fn, void *arg, bss_write_done_fn done)
{
    enqueue(w, fn, arg, done, arg);
}

static void pending_done(void *arg, bss_err rc, const bss_errinfo *ei)
{
    bss_writer_pending *p = arg;
    pthread_mutex_lock(&p->mu);
    p->rc = rc;
    if (ei)
        p->ei = *ei;
    p->finished = true;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void bss_writer_begin(bss_writer *w, bss_write_fn fn, void *arg, bss_writer_pending *p)
{
    p->finished = false;
    p->rc = BSS_OK;
    bss_errinfo_clear(&p->ei);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    enqueue(w, fn, arg, pending_done, p);
}

bss_err bss_writer_finish(bss_writer_pending *p, bss_errinfo *ei)
{
    pthread_mutex_lock(&p->mu);
    while (!p->finished)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    if (ei)
        *ei = p->ei;
    return p->rc;
}

bss_err bss_writer_run(bss_writer *w, bss_write_fn fn, void *arg, bss_errinfo *ei)
{
    if (pthread_equal(pthread_self(), w->thread))
        return bss_fail(ei, BSS_E_STATE, NULL, "bss_writer_run called from the writer thread");
    bss_writer_pending p;
    bss_writer_begin(w, fn, arg, &p);
    return bss_writer_finish(&p, ei);
}

void bss_writer_get_stats(bss_writer *w, bss_writer_stats *out)
{
    pthread_mutex_lock(&w->mu);
    *out = w->stats;
    out->queue_len = w->queue_len;
    pthread_mutex_unlock(&w->mu);
}
