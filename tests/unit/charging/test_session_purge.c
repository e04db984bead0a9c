/*
 * test_session_purge.c: bss_cc_purge (session.c) on SQLite and PostgreSQL:
 * released session holds older than ten minutes go, any other hold stays;
 * stored answers older than an hour go for closed sessions and for an open
 * session's earlier requests, never its last one nor a one-shot event's;
 * at most a batch of each per call, oldest first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../db/dbtest.h"

#include "charging/charging_int.h"

#define NOW INT64_C(1780480800000) /* 2026-06-03T10:00:00Z */
#define MIN INT64_C(60000)

static int setup_sqlite(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_sqlite, NOW);
}
static int setup_pg(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_pg, NOW);
}

static void hold(bss_db *db, const char *id, const char *st, const char *kind, int64_t updated_ms)
{
    bss_errinfo ei;
    assert_int_equal(bss_db_exec(db,
                                 "INSERT INTO balance_reservation (id, bucket_id, amount, expires_ms, state, source_kind, "
                                 "source_id, created_ms, updated_ms) VALUES (?, 'b1', 100, ?, ?, ?, 's', ?, ?)",
                                 BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_I64(updated_ms + MIN), BSS_DB_STR(st),
                                             BSS_DB_STR(kind), BSS_DB_I64(updated_ms), BSS_DB_I64(updated_ms)),
                                 NULL, &ei),
                     BSS_OK);
}

static void session(bss_db *db, const char *id, const char *st, int64_t last)
{
    bss_errinfo ei;
    assert_int_equal(bss_db_exec(db,
                                 "INSERT INTO charging_session (id, msisdn, state, last_request, start_ms, expires_ms, "
                                 "doc, created_ms, updated_ms, row_version) VALUES (?, '31612345678', ?, ?, 0, 0, '{}', "
                                 "0, 0, 1)",
                                 BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(st), BSS_DB_I64(last)), NULL, &ei),
                     BSS_OK);
}

static void answer(bss_db *db, const char *sid, int64_t n, int64_t created_ms)
{
    bss_errinfo ei;
    assert_int_equal(bss_db_exec(db,
                                 "INSERT INTO charging_request (session_id, request_number, answer, created_ms) VALUES "
                                 "(?, ?, '{}', ?)",
                                 BSS_DB_ARGS(BSS_DB_STR(sid), BSS_DB_I64(n), BSS_DB_I64(created_ms)), NULL, &ei),
                     BSS_OK);
}

static int64_t count(bss_db *db, const char *sql)
{
    int64_t n = -1;
    bss_errinfo ei;
    assert_int_equal(bss_db_query_int64(db, sql, NULL, 0, &n, &ei), BSS_OK);
    return n;
}

static void test_purge(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    hold(db, "h-old", "released", "session", NOW - 11 * MIN);
    hold(db, "h-new", "released", "session", NOW - 9 * MIN);
    hold(db, "h-active", "active", "session", NOW - 60 * MIN);
    hold(db, "h-tmf", "released", "reserveBalance", NOW - 60 * MIN);
    session(db, "closed", "closed", 2);
    session(db, "open", "open", 3);
    for (int64_t n = 0; n <= 2; n++)
        answer(db, "closed", n, NOW - 61 * MIN);
    for (int64_t n = 0; n <= 3; n++)
        answer(db, "open", n, NOW - 61 * MIN);
    answer(db, "open", 4, NOW - 59 * MIN); /* newer than an hour (and past last_request: a race, kept) */
    answer(db, "event-1", 0, NOW - 600 * MIN);
    int holds = -1, answers = -1;
    bss_errinfo ei;
    assert_int_equal(bss_cc_purge(db, NOW, &holds, &answers, &ei), BSS_OK);
    assert_int_equal(holds, 1);
    assert_int_equal(answers, 6); /* closed 0..2, open 0..2 */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM balance_reservation WHERE id = 'h-old'"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM balance_reservation"), 3);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM charging_request WHERE session_id = 'closed'"), 0);
    assert_int_equal(count(db, "SELECT MIN(request_number) FROM charging_request WHERE session_id = 'open'"), 3);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM charging_request WHERE session_id = 'open'"), 2);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM charging_request WHERE session_id = 'event-1'"), 1);
    /* nothing more to do */
    assert_int_equal(bss_cc_purge(db, NOW, &holds, &answers, &ei), BSS_OK);
    assert_int_equal(holds + answers, 0);
}

static void test_batches(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    for (int i = 0; i <= BSS_CC_PURGE_BATCH; i++) {
        char id[32];
        snprintf(id, sizeof id, "h-%04d", i);
        hold(db, id, "released", "session", NOW - 20 * MIN - i); /* h-1000 the oldest */
    }
    assert_int_equal(bss_db_commit(db, &ei), BSS_OK);
    int holds = 0, answers = 0;
    assert_int_equal(bss_cc_purge(db, NOW, &holds, &answers, &ei), BSS_OK);
    assert_int_equal(holds, BSS_CC_PURGE_BATCH);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM balance_reservation WHERE id = 'h-0000'"), 1); /* the newest */
    assert_int_equal(bss_cc_purge(db, NOW, &holds, &answers, &ei), BSS_OK);
    assert_int_equal(holds, 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM balance_reservation"), 0);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_purge, setup, dbtest_teardown),                                 \
            cmocka_unit_test_setup_teardown(test_batches, setup, dbtest_teardown),                           \
    }

DBTEST_MAIN_SETUP(STORE_TESTS, setup_sqlite, setup_pg)
