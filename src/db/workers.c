/*
 * workers.c: the background worker pool (workers.h). One mutex-guarded
 * FIFO queue and a condition variable; each thread owns one store
 * connection opened at start, so a start-up failure is reported before any
 * job runs. Stopping lets the threads drain the queue first: a job accepted
 * is a job run.
 */
#include "db/workers.h"

#include <pthread.h>
#include <stdbool.h>

#include "core/mem.h"

typedef struct work {
    struct work *next;
    bss_work_fn fn;
    void *arg;
    bss_work_done_fn done;
} work;

typedef struct worker {
    struct bss_workers *pool;
    pthread_t thread;
    bool started;
    bss_db *db;
} worker;

struct bss_workers {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    work *head, *tail;
    int64_t queue_len;
    int max_queue;
    bool stopping;
    int n;
    worker *threads;
};

static void refuse(bss_work_fn fn, void *arg, bss_work_done_fn done, bss_err code, const char *msg)
{
    bss_errinfo ei;
    bss_fail(&ei, code, NULL, "%s", msg);
    done(arg, code, &ei);
}

static work *take(bss_workers *w)
{
    pthread_mutex_lock(&w->mu);
    while (w->head == NULL && !w->stopping)
        pthread_cond_wait(&w->wake, &w->mu);
    work *j = w->head;
    if (j != NULL) {
        w->head = j->next;
        if (w->head == NULL)
            w->tail = NULL;
        w->queue_len--;
    }
    pthread_mutex_unlock(&w->mu);
    return j; /* NULL: stopping and drained */
}

static void *worker_main(void *arg)
{
    worker *t = arg;
    work *j;
    while ((j = take(t->pool)) != NULL) {
        bss_errinfo ei;
        bss_errinfo_clear(&ei);
        bss_err rc = j->fn(t->db, j->arg, &ei);
        if (rc != BSS_OK && ei.message[0] == '\0')
            bss_fail(&ei, rc, NULL, NULL);
        j->done(j->arg, rc, rc == BSS_OK ? NULL : &ei);
        bss_free(j);
    }
    return NULL;
}

bss_err bss_workers_start(const char *url, const bss_db_options *dbopt, int n, int max_queue,
                          bss_workers **out, bss_errinfo *ei)
{
    *out = NULL;
    if (n < 1)
        n = 1;
    bss_workers *w = bss_calloc(1, sizeof(*w));
    worker *threads = w ? bss_calloc((size_t)n, sizeof(*threads)) : NULL;
    if (threads == NULL) {
        bss_free(w);
        return bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->wake, NULL);
    w->n = n;
    w->threads = threads;
    w->max_queue = max_queue > 0 ? max_queue : 10000;
    bss_err rc = BSS_OK;
    for (int i = 0; i < n && rc == BSS_OK; i++) {
        threads[i].pool = w;
        rc = bss_db_open(url, dbopt, &threads[i].db, ei);
    }
    for (int i = 0; i < n && rc == BSS_OK; i++) {
        if (pthread_create(&threads[i].thread, NULL, worker_main, &threads[i]) != 0)
            rc = bss_fail(ei, BSS_E_INTERNAL, NULL, "cannot start a worker thread");
        else
            threads[i].started = true;
    }
    if (rc != BSS_OK) {
        bss_workers_stop(w);
        return rc;
    }
    *out = w;
    return BSS_OK;
}

void bss_workers_stop(bss_workers *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < w->n; i++) {
        if (w->threads[i].started)
            pthread_join(w->threads[i].thread, NULL);
        bss_db_close(w->threads[i].db);
    }
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->mu);
    bss_free(w->threads);
    bss_free(w);
}

void bss_workers_submit(bss_workers *w, bss_work_fn fn, void *arg, bss_work_done_fn done)
{
    work *j = bss_calloc(1, sizeof(*j));
    if (j == NULL) {
        refuse(fn, arg, done, BSS_E_NOMEM, "out of memory");
        return;
    }
    j->fn = fn;
    j->arg = arg;
    j->done = done;
    pthread_mutex_lock(&w->mu);
    bss_err code = BSS_OK;
    const char *why = NULL;
    if (w->stopping) {
        code = BSS_E_STATE;
        why = "the server is stopping";
    } else if (w->queue_len >= w->max_queue) {
        code = BSS_E_BUSY;
        why = "too much background work queued, try again";
    } else {
        if (w->tail)
            w->tail->next = j;
        else
            w->head = j;
        w->tail = j;
        w->queue_len++;
        pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&w->mu);
    if (code != BSS_OK) {
        bss_free(j);
        refuse(fn, arg, done, code, why);
    }
}

int64_t bss_workers_queue_len(bss_workers *w)
{
    pthread_mutex_lock(&w->mu);
    int64_t n = w->queue_len;
    pthread_mutex_unlock(&w->mu);
    return n;
}
