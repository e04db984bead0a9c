/*
 * test_writer.c: the group-commit writer (writer.h) on both backends: many
 * jobs from several threads all commit and complete exactly once, in fewer
 * batches than jobs; a failing job rolls back alone while the rest of its
 * batch commits; BSS_E_BUSY retries the whole batch and, past the retries,
 * fails every job in it; the bounded queue refuses at once; stop drains.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "db/dbtest.h"

#include "db/writer.h"

typedef struct wjob {
    int64_t id;
    int busy_times;    /* return BSS_E_BUSY this many times first */
    bss_err fail_with; /* after inserting, fail with this */
    bool gate;         /* block on the gate before doing anything */
    atomic_int calls;
    atomic_int completions;
    bss_err rc;
    char message[256];
} wjob;

/* A gate that holds the writer thread inside a job, so the next jobs queue up into one batch. */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered;

static void gate_reset(void)
{
    pthread_mutex_lock(&gate_mu);
    gate_open = 0;
    gate_entered = 0;
    pthread_mutex_unlock(&gate_mu);
}

static void gate_wait_entered(void)
{
    pthread_mutex_lock(&gate_mu);
    while (!gate_entered)
        pthread_cond_wait(&gate_cv, &gate_mu);
    pthread_mutex_unlock(&gate_mu);
}

static void gate_release(void)
{
    pthread_mutex_lock(&gate_mu);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
}

static bss_err job_fn(bss_db *db, void *arg, bss_errinfo *ei)
{
    wjob *j = arg;
    int call = atomic_fetch_add(&j->calls, 1);
    if (j->gate) {
        pthread_mutex_lock(&gate_mu);
        gate_entered = 1;
        pthread_cond_broadcast(&gate_cv);
        while (!gate_open)
            pthread_cond_wait(&gate_cv, &gate_mu);
        pthread_mutex_unlock(&gate_mu);
    }
    if (call < j->busy_times)
        return bss_fail(ei, BSS_E_BUSY, NULL, "busy on purpose");
    bss_err rc = bss_db_exec(db, "INSERT INTO w (id) VALUES (?)", BSS_DB_ARGS(BSS_DB_I64(j->id)), NULL, ei);
    if (rc == BSS_OK && j->fail_with != BSS_OK)
        return bss_fail(ei, j->fail_with, "id", "job %lld fails on purpose", (long long)j->id);
    return rc;
}

static void job_done(void *arg, bss_err rc, const bss_errinfo *ei)
{
    wjob *j = arg;
    j->rc = rc;
    snprintf(j->message, sizeof(j->message), "%s", ei ? ei->message : "");
    atomic_fetch_add(&j->completions, 1);
}

static bss_writer *start(dbtest_env *env, int retries, int max_queue)
{
    bss_errinfo ei;
    bss_writer *w;
    bss_db_options dbopt = {.busy_timeout_ms = 1000, .retries = retries};
    bss_writer_options wopt = {.window_us = 500, .max_batch = 64, .max_queue = max_queue};
    assert_int_equal(bss_db_exec(env->db, "CREATE TABLE w (id BIGINT PRIMARY KEY)", BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    if (bss_writer_start(env->url, &dbopt, &wopt, &w, &ei) != BSS_OK)
        fail_msg("writer: %s", ei.message);
    return w;
}

static int64_t rows_in_w(dbtest_env *env, const char *where)
{
    char sql[128];
    int64_t n = -1;
    bss_errinfo ei;
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM w%s%s", where ? " WHERE " : "", where ? where : "");
    assert_int_equal(bss_db_query_int64(env->db, sql, BSS_DB_NOARGS, &n, &ei), BSS_OK);
    return n;
}

#define THREADS 4
#define PER_THREAD 200

typedef struct producer {
    bss_writer *w;
    wjob *jobs;
    bool sync;
    int errors;
} producer;

static void *produce(void *arg)
{
    producer *p = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        if (p->sync) {
            bss_errinfo ei;
            bss_err rc = bss_writer_run(p->w, job_fn, &p->jobs[i], &ei);
            p->errors += rc != BSS_OK;
        } else {
            bss_writer_submit(p->w, job_fn, &p->jobs[i], job_done);
        }
    }
    return NULL;
}

static void test_many_jobs_many_threads(void **state)
{
    dbtest_env *env = *state;
    bss_writer *w = start(env, 5, 0);
    wjob *jobs = bss_calloc(THREADS * PER_THREAD, sizeof(*jobs));
    producer prod[THREADS];
    pthread_t th[THREADS];

    for (int i = 0; i < THREADS * PER_THREAD; i++)
        jobs[i].id = i + 1;
    for (int t = 0; t < THREADS; t++) {
        prod[t] = (producer){.w = w, .jobs = jobs + t * PER_THREAD, .sync = t == 0};
        assert_int_equal(pthread_create(&th[t], NULL, produce, &prod[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    assert_int_equal(prod[0].errors, 0);
    /* FIFO: when a job run now completes, every job submitted before it has too. */
    bss_writer_stats st;
    bss_errinfo ei;
    wjob last = {.id = 100000};
    assert_int_equal(bss_writer_run(w, job_fn, &last, &ei), BSS_OK);
    bss_writer_get_stats(w, &st);
    assert_int_equal(st.jobs, THREADS * PER_THREAD + 1);
    assert_int_equal(st.failures, 0);
    assert_true(st.batches >= 1);
    assert_true(st.batches < st.jobs); /* group commit: fewer transactions than jobs */
    print_message("%s: %lld jobs in %lld batches\n", bss_db_kind_name(env->db), (long long)st.jobs,
                  (long long)st.batches);
    bss_writer_stop(w);
    for (int i = PER_THREAD; i < THREADS * PER_THREAD; i++) {
        assert_int_equal(atomic_load(&jobs[i].completions), 1);
        assert_int_equal(jobs[i].rc, BSS_OK);
    }
    for (int i = 0; i < PER_THREAD; i++)
        assert_int_equal(atomic_load(&jobs[i].completions), 0); /* run() completes through its own waiter */
    assert_int_equal(rows_in_w(env, NULL), THREADS * PER_THREAD + 1);
    bss_free(jobs);
}

static void test_batches_group_jobs(void **state)
{
    dbtest_env *env = *state;
    bss_writer *w = start(env, 5, 0);
    wjob gate = {.id = 1000, .gate = true};
    wjob jobs[50];
    bss_writer_stats st;

    gate_reset();
    memset(jobs, 0, sizeof(jobs));
    bss_writer_submit(w, job_fn, &gate, job_done);
    gate_wait_entered();
    for (int i = 0; i < 50; i++) {
        jobs[i].id = i + 1;
        bss_writer_submit(w, job_fn, &jobs[i], job_done);
    }
    bss_writer_get_stats(w, &st);
    assert_int_equal(st.queue_len, 50);
    usleep(5000); /* past the commit window: the gate's batch closes alone */
    gate_release();
    wjob last = {.id = 51};
    bss_errinfo ei;
    assert_int_equal(bss_writer_run(w, job_fn, &last, &ei), BSS_OK);
    bss_writer_get_stats(w, &st);
    assert_int_equal(st.jobs, 52);
    assert_true(st.batches >= 2 && st.batches <= 3);
    bss_writer_stop(w);
    assert_int_equal(atomic_load(&gate.completions), 1);
    for (int i = 0; i < 50; i++)
        assert_int_equal(atomic_load(&jobs[i].completions), 1);
    assert_int_equal(rows_in_w(env, NULL), 52);
}

static void test_failing_job_rolls_back_alone(void **state)
{
    dbtest_env *env = *state;
    bss_writer *w = start(env, 5, 0);
    wjob gate = {.id = 100, .gate = true};
    wjob ok1 = {.id = 1}, bad = {.id = 2, .fail_with = BSS_E_INVALID}, dup = {.id = 1}, ok2 = {.id = 3};
    bss_writer_stats st;

    gate_reset();
    bss_writer_submit(w, job_fn, &gate, job_done);
    gate_wait_entered();
    bss_writer_submit(w, job_fn, &ok1, job_done);
    bss_writer_submit(w, job_fn, &bad, job_done);
    bss_writer_submit(w, job_fn, &dup, job_done); /* unique violation: the statement itself fails */
    bss_writer_submit(w, job_fn, &ok2, job_done);
    usleep(5000);
    gate_release();
    bss_writer_stop(w);

    assert_int_equal(ok1.rc, BSS_OK);
    assert_int_equal(ok2.rc, BSS_OK);
    assert_int_equal(bad.rc, BSS_E_INVALID);
    assert_string_equal(bad.message, "job 2 fails on purpose");
    assert_int_equal(dup.rc, BSS_E_EXISTS);
    assert_int_equal(atomic_load(&ok1.completions) + atomic_load(&bad.completions) +
                         atomic_load(&dup.completions) + atomic_load(&ok2.completions),
                     4);
    assert_int_equal(rows_in_w(env, NULL), 3);
    assert_int_equal(rows_in_w(env, "id = 2"), 0);
    (void)st;
}

static void test_busy_retries_batch(void **state)
{
    dbtest_env *env = *state;
    bss_writer *w = start(env, 3, 0);
    wjob gate = {.id = 100, .gate = true};
    wjob flaky = {.id = 1, .busy_times = 2}, other = {.id = 2};
    bss_writer_stats st;

    gate_reset();
    bss_writer_submit(w, job_fn, &gate, job_done);
    gate_wait_entered();
    bss_writer_submit(w, job_fn, &other, job_done);
    bss_writer_submit(w, job_fn, &flaky, job_done);
    usleep(5000);
    gate_release();
    /* bss_writer_run waits for its job, which queues behind the others. */
    wjob last = {.id = 3};
    bss_errinfo ei;
    assert_int_equal(bss_writer_run(w, job_fn, &last, &ei), BSS_OK);
    bss_writer_get_stats(w, &st);
    assert_int_equal(flaky.rc, BSS_OK);
    assert_int_equal(other.rc, BSS_OK);
    assert_int_equal(atomic_load(&flaky.calls), 3);
    assert_int_equal(atomic_load(&other.calls), 3); /* the whole batch ran again */
    assert_int_equal(atomic_load(&flaky.completions), 1);
    assert_int_equal(atomic_load(&other.completions), 1);
    assert_int_equal(st.failures, 0);
    assert_int_equal(rows_in_w(env, NULL), 4);

    /* Busy beyond the retries: every job of the batch fails with BSS_E_BUSY, nothing is written. */
    wjob hopeless = {.id = 10, .busy_times = 100}, victim = {.id = 11};
    gate = (wjob){.id = 101, .gate = true};
    gate_reset();
    bss_writer_submit(w, job_fn, &gate, job_done);
    gate_wait_entered();
    bss_writer_submit(w, job_fn, &victim, job_done);
    bss_writer_submit(w, job_fn, &hopeless, job_done);
    usleep(5000);
    gate_release();
    bss_writer_stop(w);
    assert_int_equal(hopeless.rc, BSS_E_BUSY);
    assert_int_equal(victim.rc, BSS_E_BUSY);
    assert_non_null(strstr(victim.message, "busy"));
    assert_int_equal(atomic_load(&hopeless.calls), 4);
    assert_int_equal(atomic_load(&hopeless.completions), 1);
    assert_int_equal(atomic_load(&victim.completions), 1);
    assert_int_equal(rows_in_w(env, "id >= 10 AND id < 100"), 0);
}

static bss_err inject_then_insert(bss_db *db, void *arg, bss_errinfo *ei)
{
    wjob *j = arg;
    if (atomic_fetch_add(&j->calls, 1) == 0)
        bss_db_inject_busy(db, 1); /* the store itself says busy once */
    return bss_db_exec(db, "INSERT INTO w (id) VALUES (?)", BSS_DB_ARGS(BSS_DB_I64(j->id)), NULL, ei);
}

static void test_run_and_store_busy(void **state)
{
    dbtest_env *env = *state;
    bss_writer *w = start(env, 3, 0);
    bss_errinfo ei;
    wjob j = {.id = 7};

    assert_int_equal(bss_writer_run(w, inject_then_insert, &j, &ei), BSS_OK);
    assert_int_equal(atomic_load(&j.calls), 2);
    wjob bad = {.id = 8, .fail_with = BSS_E_CONFLICT};
    assert_int_equal(bss_writer_run(w, job_fn, &bad, &ei), BSS_E_CONFLICT);
    assert_string_equal(ei.message, "job 8 fails on purpose");
    assert_string_equal(ei.field, "id");
    wjob dup = {.id = 7};
    assert_int_equal(bss_writer_run(w, job_fn, &dup, &ei), BSS_E_EXISTS);
    bss_writer_stats st;
    bss_writer_get_stats(w, &st);
    assert_int_equal(st.jobs, 3);
    assert_int_equal(st.failures, 2);
    assert_int_equal(st.batches, 3);
    assert_int_equal(st.queue_len, 0);
    bss_writer_stop(w);
    assert_int_equal(rows_in_w(env, NULL), 1);
}

static void test_queue_full_and_misuse(void **state)
{
    dbtest_env *env = *state;
    bss_writer *w = start(env, 3, 2);
    wjob gate = {.id = 100, .gate = true};
    wjob a = {.id = 1}, b = {.id = 2}, c = {.id = 3};
    bss_errinfo ei;

    gate_reset();
    bss_writer_submit(w, job_fn, &gate, job_done);
    gate_wait_entered();
    bss_writer_submit(w, job_fn, &a, job_done);
    bss_writer_submit(w, job_fn, &b, job_done);
    bss_writer_submit(w, job_fn, &c, job_done);
    /* Refused before submit returned. */
    assert_int_equal(atomic_load(&c.completions), 1);
    assert_int_equal(c.rc, BSS_E_BUSY);
    assert_non_null(strstr(c.message, "queue full"));
    assert_int_equal(atomic_load(&c.calls), 0);
    gate_release();
    bss_writer_stop(w);
    assert_int_equal(a.rc, BSS_OK);
    assert_int_equal(b.rc, BSS_OK);
    assert_int_equal(rows_in_w(env, NULL), 3);

    bss_writer_stop(NULL);
    bss_writer *none = (bss_writer *)&ei;
    assert_int_equal(bss_writer_start("nosuch:x", NULL, NULL, &none, &ei), BSS_E_INVALID);
    assert_null(none);
}

/* after_commit runs once per committed batch, before that batch's completions, and never for a failed batch.
 */
typedef struct hook_state {
    atomic_int commits;
    wjob *watch;     /* its completion must come after the hook */
    atomic_int seen; /* watch->completions when the hook ran */
} hook_state;

static void count_commit(void *arg)
{
    hook_state *h = arg;
    atomic_fetch_add(&h->commits, 1);
    if (h->watch)
        atomic_store(&h->seen, atomic_load(&h->watch->completions));
}

static void test_after_commit_hook(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    assert_int_equal(bss_db_exec(env->db, "CREATE TABLE w (id BIGINT PRIMARY KEY)", BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    hook_state h = {0};
    wjob first = {.id = 1};
    h.watch = &first;
    atomic_store(&h.seen, -1);
    bss_db_options dbopt = {.busy_timeout_ms = 1000, .retries = 0};
    bss_writer_options wopt = {
        .window_us = 500, .max_batch = 64, .after_commit = count_commit, .after_commit_arg = &h};
    bss_writer *w;
    assert_int_equal(bss_writer_start(env->url, &dbopt, &wopt, &w, &ei), BSS_OK);
    assert_int_equal(bss_writer_run(w, job_fn, &first, &ei), BSS_OK);
    assert_int_equal(atomic_load(&h.commits), 1);
    assert_int_equal(atomic_load(&h.seen), 0); /* the hook ran before the completion */
    h.watch = NULL;
    wjob busy = {.id = 2, .busy_times = 5}; /* retries 0: the batch fails with BSS_E_BUSY */
    assert_int_equal(bss_writer_run(w, job_fn, &busy, &ei), BSS_E_BUSY);
    assert_int_equal(atomic_load(&h.commits), 1);
    wjob failing = {.id = 3, .fail_with = BSS_E_INVALID}; /* one job fails alone: the batch still commits */
    assert_int_equal(bss_writer_run(w, job_fn, &failing, &ei), BSS_E_INVALID);
    assert_int_equal(atomic_load(&h.commits), 2);
    bss_writer_stop(w);
}

#define WRITER_TESTS(setup)                                                                                  \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_many_jobs_many_threads, setup, dbtest_teardown),                \
            cmocka_unit_test_setup_teardown(test_batches_group_jobs, setup, dbtest_teardown),                \
            cmocka_unit_test_setup_teardown(test_failing_job_rolls_back_alone, setup, dbtest_teardown),      \
            cmocka_unit_test_setup_teardown(test_busy_retries_batch, setup, dbtest_teardown),                \
            cmocka_unit_test_setup_teardown(test_run_and_store_busy, setup, dbtest_teardown),                \
            cmocka_unit_test_setup_teardown(test_queue_full_and_misuse, setup, dbtest_teardown),             \
            cmocka_unit_test_setup_teardown(test_after_commit_hook, setup, dbtest_teardown),                 \
    }

DBTEST_MAIN(WRITER_TESTS)
