/*
 * test_workers.c: the background worker pool (src/db/workers.c) on SQLite
 * and PostgreSQL: jobs run on the workers' own connections, every
 * completion is called exactly once, a full queue refuses with BSS_E_BUSY,
 * a stopping pool drains what it accepted, and a pool that cannot open its
 * connections reports it at start.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "dbtest.h"
#include "db/workers.h"

typedef struct counter {
    atomic_int ran, done_ok, done_err;
    atomic_int last_rc;
    int sleep_ms;
} counter;

static bss_err count_rows(bss_db *db, void *arg, bss_errinfo *ei)
{
    counter *c = arg;
    if (c->sleep_ms)
        usleep((useconds_t)c->sleep_ms * 1000);
    int64_t n = 0;
    bss_err rc = bss_db_query_int64(db, "SELECT COUNT(*) FROM wk", BSS_DB_NOARGS, &n, ei);
    if (rc == BSS_OK && n != 3)
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "saw %lld rows", (long long)n);
    atomic_fetch_add(&c->ran, 1);
    return rc;
}

static bss_err failing(bss_db *db, void *arg, bss_errinfo *ei)
{
    return bss_fail(ei, BSS_E_CONFLICT, "x", "this job fails");
}

static void on_done(void *arg, bss_err rc, const bss_errinfo *ei)
{
    counter *c = arg;
    atomic_store(&c->last_rc, rc);
    if (rc == BSS_OK)
        atomic_fetch_add(&c->done_ok, 1);
    else {
        assert_non_null(ei);
        assert_true(ei->message[0] != '\0');
        atomic_fetch_add(&c->done_err, 1);
    }
}

static bss_workers *start(dbtest_env *env, int n, int max_queue)
{
    bss_errinfo ei;
    assert_int_equal(
        bss_db_exec(env->db, "CREATE TABLE wk (id BIGINT PRIMARY KEY)", BSS_DB_NOARGS, NULL, &ei), BSS_OK);
    for (int i = 1; i <= 3; i++)
        assert_int_equal(
            bss_db_exec(env->db, "INSERT INTO wk (id) VALUES (?)", BSS_DB_ARGS(BSS_DB_I64(i)), NULL, &ei),
            BSS_OK);
    bss_db_options dbopt = {.busy_timeout_ms = 1000, .retries = 2};
    bss_workers *w = NULL;
    if (bss_workers_start(env->url, &dbopt, n, max_queue, &w, &ei) != BSS_OK)
        fail_msg("workers: %s", ei.message);
    return w;
}

static void test_jobs_run_and_complete_once(void **state)
{
    dbtest_env *env = *state;
    bss_workers *w = start(env, 3, 1000);
    counter c = {0};
    for (int i = 0; i < 200; i++)
        bss_workers_submit(w, count_rows, &c, on_done);
    counter f = {0};
    bss_workers_submit(w, failing, &f, on_done);
    bss_workers_stop(w); /* drains: every accepted job runs */
    assert_int_equal(atomic_load(&c.ran), 200);
    assert_int_equal(atomic_load(&c.done_ok), 200);
    assert_int_equal(atomic_load(&c.done_err), 0);
    assert_int_equal(atomic_load(&f.done_err), 1);
    assert_int_equal(atomic_load(&f.last_rc), BSS_E_CONFLICT);
}

static void test_full_queue_refuses(void **state)
{
    dbtest_env *env = *state;
    bss_workers *w = start(env, 1, 2);
    counter slow = {.sleep_ms = 100};
    bss_workers_submit(w, count_rows, &slow, on_done); /* taken by the worker */
    usleep(20 * 1000);
    bss_workers_submit(w, count_rows, &slow, on_done); /* queued */
    bss_workers_submit(w, count_rows, &slow, on_done); /* queued */
    assert_int_equal(bss_workers_queue_len(w), 2);
    counter refused = {0};
    bss_workers_submit(w, count_rows, &refused, on_done);
    assert_int_equal(atomic_load(&refused.done_err), 1); /* called before submit returned */
    assert_int_equal(atomic_load(&refused.last_rc), BSS_E_BUSY);
    assert_int_equal(atomic_load(&refused.ran), 0);
    bss_workers_stop(w);
    assert_int_equal(atomic_load(&slow.done_ok), 3);
}

static void test_bad_store_fails_at_start(void **state)
{
    bss_errinfo ei;
    bss_workers *w = (bss_workers *)&ei;
    assert_int_equal(bss_workers_start("nosuch:x", NULL, 2, 10, &w, &ei), BSS_E_INVALID);
    assert_null(w);
    bss_workers_stop(NULL);
}

#define WORKER_TESTS(setup)                                                                                  \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_jobs_run_and_complete_once, setup, dbtest_teardown),            \
            cmocka_unit_test_setup_teardown(test_full_queue_refuses, setup, dbtest_teardown),                \
            cmocka_unit_test_setup_teardown(test_bad_store_fails_at_start, setup, dbtest_teardown),          \
    }

DBTEST_MAIN(WORKER_TESTS)
