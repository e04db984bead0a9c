/*
 * dbtest.h: the fixture shared by the store test suites (tests/unit/db).
 * Every test runs once on SQLite (a fresh temp dir) and, when
 * BSS_TEST_PG_URL is set, once on PostgreSQL: there each test gets its own
 * schema (the URL carries options=-csearch_path=<schema>), dropped at the
 * end, so tests never see each other's tables in the shared database.
 *
 * Usage: DBTEST_MAIN(tests) after defining
 *   #define DBTEST_LIST(setup) { cmocka_unit_test_setup_teardown(test_x, setup, dbtest_teardown), ... }
 */
#ifndef BSS_TESTS_UNIT_DB_DBTEST_H
#define BSS_TESTS_UNIT_DB_DBTEST_H

#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/mem.h"
#include "db/db.h"

typedef struct dbtest_env {
    bss_db_backend kind;
    char url[1200];
    char dir[256];   /* SQLite: the temp dir (also a data dir for lock tests) */
    char schema[64]; /* PostgreSQL: this test's schema */
    bss_db *db;      /* an open connection to url */
} dbtest_env;

static inline int dbtest_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static inline int dbtest_setup_sqlite(void **state)
{
    dbtest_env *env = bss_calloc(1, sizeof(*env));
    bss_errinfo ei;
    env->kind = BSS_DB_SQLITE;
    snprintf(env->dir, sizeof(env->dir), "/tmp/bss-dbtest-XXXXXX");
    assert_non_null(mkdtemp(env->dir));
    snprintf(env->url, sizeof(env->url), "sqlite:%s/test.db", env->dir);
    assert_int_equal(bss_db_open(env->url, NULL, &env->db, &ei), BSS_OK);
    *state = env;
    return 0;
}

/* Runs one statement on a fresh admin connection to BSS_TEST_PG_URL. */
static inline void dbtest_pg_admin(const char *sql)
{
    bss_db *admin;
    bss_errinfo ei;
    assert_int_equal(bss_db_open(getenv("BSS_TEST_PG_URL"), NULL, &admin, &ei), BSS_OK);
    if (bss_db_exec_script(admin, sql, &ei) != BSS_OK)
        fail_msg("%s: %s", sql, ei.message);
    bss_db_close(admin);
}

static inline int dbtest_setup_pg(void **state)
{
    static int serial;
    const char *base = getenv("BSS_TEST_PG_URL");
    dbtest_env *env = bss_calloc(1, sizeof(*env));
    char sql[160];
    bss_errinfo ei;

    env->kind = BSS_DB_POSTGRES;
    snprintf(env->schema, sizeof(env->schema), "t_%ld_%d_%ld", (long)getpid(), ++serial,
             (long)random() % 100000);
    snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", env->schema);
    dbtest_pg_admin(sql);
    snprintf(env->url, sizeof(env->url), "%s%soptions=-csearch_path%%3D%s", base,
             strchr(base, '?') ? "&" : "?", env->schema);
    snprintf(env->dir, sizeof(env->dir), "/tmp/bss-dbtest-XXXXXX");
    assert_non_null(mkdtemp(env->dir));
    if (bss_db_open(env->url, NULL, &env->db, &ei) != BSS_OK)
        fail_msg("open %s: %s", env->url, ei.message);
    *state = env;
    return 0;
}

static inline int dbtest_teardown(void **state)
{
    dbtest_env *env = *state;
    char sql[160];
    bss_db_close(env->db);
    if (env->kind == BSS_DB_POSTGRES) {
        snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", env->schema);
        dbtest_pg_admin(sql);
    }
    nftw(env->dir, dbtest_rm, 8, FTW_DEPTH | FTW_PHYS);
    bss_free(env);
    return 0;
}

/* Opens a second connection to the test's store. */
static inline bss_db *dbtest_open(dbtest_env *env, const bss_db_options *opt)
{
    bss_db *db;
    bss_errinfo ei;
    if (bss_db_open(env->url, opt, &db, &ei) != BSS_OK)
        fail_msg("open: %s", ei.message);
    return db;
}

#define DBTEST_MAIN(LIST)                                                                                    \
    int main(void)                                                                                           \
    {                                                                                                        \
        const struct CMUnitTest sqlite_tests[] = LIST(dbtest_setup_sqlite);                                  \
        const struct CMUnitTest pg_tests[] = LIST(dbtest_setup_pg);                                          \
        int failed = cmocka_run_group_tests_name("sqlite", sqlite_tests, NULL, NULL);                        \
        if (getenv("BSS_TEST_PG_URL") == NULL || getenv("BSS_TEST_PG_URL")[0] == '\0') {                     \
            printf("postgres: skipped (BSS_TEST_PG_URL not set)\n");                                         \
            return failed;                                                                                   \
        }                                                                                                    \
        srandom((unsigned)getpid());                                                                         \
        failed += cmocka_run_group_tests_name("postgres", pg_tests, NULL, NULL);                             \
        return failed;                                                                                       \
    }

#endif
