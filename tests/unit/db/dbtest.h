/*
 * dbtest.h: the fixture and the main() shared by the store test suites
 * (tests/unit/db, and every suite that needs a store). Every store test runs
 * once on SQLite (a fresh temp dir) and, when BSS_TEST_PG_URL is set and not
 * empty, once on PostgreSQL: there each test gets its own schema (the URL
 * carries options=-csearch_path=<schema>), dropped at the end, so tests never
 * see each other's tables in the shared database. When the URL is unset or
 * empty the PostgreSQL group is skipped with one line on stdout,
 * "postgres: skipped (BSS_TEST_PG_URL not set)". No suite reads the variable
 * itself: dbtest_pg_url() is the one place.
 *
 * A suite lists its store tests once, as a macro of the setup function:
 *   #define STORE_TESTS(setup) { cmocka_unit_test_setup_teardown(test_x, setup, dbtest_teardown), ... }
 * and, if it has tests that need no store ("pure" tests, run first, once),
 * an array of them:
 *   static const struct CMUnitTest pure_tests[] = { cmocka_unit_test(test_y), ... };
 * then ends with one of
 *   DBTEST_MAIN(STORE_TESTS)
 *       groups "sqlite" and "postgres", with dbtest_setup_sqlite/_pg;
 *   DBTEST_MAIN_SETUP(STORE_TESTS, setup_sqlite, setup_pg)
 *       the same with the suite's own setups (usually dbtest_setup_migrated
 *       around dbtest_setup_sqlite/_pg);
 *   DBTEST_MAIN_PURE("rules", pure_tests, STORE_TESTS, setup_sqlite, setup_pg)
 *       group "rules" (the name is the suite's) first, then the two above
 *       (pass dbtest_setup_sqlite, dbtest_setup_pg for the plain fixture).
 * Each main calls bss_mem_init() first and returns the number of failed tests.
 * A suite that needs more in main (a log level, a final leak check) writes
 * its own and runs the two backends with
 *   DBTEST_RUN(failed, STORE_TESTS, setup_sqlite, setup_pg);
 */
#ifndef BSS_TESTS_UNIT_DB_DBTEST_H
#define BSS_TESTS_UNIT_DB_DBTEST_H

#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
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
#include "db/migrate.h"

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

/* BSS_TEST_PG_URL, or NULL when it is unset or empty (then PostgreSQL is skipped). */
static inline const char *dbtest_pg_url(void)
{
    const char *url = getenv("BSS_TEST_PG_URL");
    return url && url[0] ? url : NULL;
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

/* Runs one statement on a fresh admin connection to dbtest_pg_url(). */
static inline void dbtest_pg_admin(const char *sql)
{
    bss_db *admin;
    bss_errinfo ei;
    assert_non_null(dbtest_pg_url());
    assert_int_equal(bss_db_open(dbtest_pg_url(), NULL, &admin, &ei), BSS_OK);
    if (bss_db_exec_script(admin, sql, &ei) != BSS_OK)
        fail_msg("%s: %s", sql, ei.message);
    bss_db_close(admin);
}

static inline int dbtest_setup_pg(void **state)
{
    static int serial;
    const char *base = dbtest_pg_url();
    dbtest_env *env = bss_calloc(1, sizeof(*env));
    char sql[160];
    bss_errinfo ei;

    assert_non_null(base);
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

/*
 * base (dbtest_setup_sqlite or dbtest_setup_pg), then the schema migrations
 * at now_ms: the body of a suite's setup_sqlite/setup_pg pair.
 */
static inline int dbtest_setup_migrated(void **state, int (*base)(void **), int64_t now_ms)
{
    base(state);
    dbtest_env *env = *state;
    bss_errinfo ei;
    if (bss_db_migrate(env->db, now_ms, NULL, &ei) != BSS_OK)
        fail_msg("migrate: %s", ei.message);
    return 0;
}

/*
 * Whether to run the PostgreSQL group: true (and random(), which names the
 * schemas, seeded) when dbtest_pg_url() is set; otherwise prints the skip line.
 */
static inline bool dbtest_pg_start(void)
{
    if (dbtest_pg_url() == NULL) {
        printf("postgres: skipped (BSS_TEST_PG_URL not set)\n");
        return false;
    }
    srandom((unsigned)getpid());
    return true;
}

/* Runs TESTS (a braced CMUnitTest list, e.g. LIST(setup)) as group NAME; the number of failures. */
#define DBTEST_GROUP(NAME, TESTS)                                                                            \
    cmocka_run_group_tests_name(NAME, ((const struct CMUnitTest[])TESTS), NULL, NULL)

/* Adds to int failed the failures of LIST(SQLITE_SETUP) as "sqlite", then of LIST(PG_SETUP) as "postgres". */
#define DBTEST_RUN(failed, LIST, SQLITE_SETUP, PG_SETUP)                                                     \
    do {                                                                                                     \
        (failed) += DBTEST_GROUP("sqlite", LIST(SQLITE_SETUP));                                              \
        if (dbtest_pg_start())                                                                               \
            (failed) += DBTEST_GROUP("postgres", LIST(PG_SETUP));                                            \
    } while (0)

#define DBTEST_MAIN_SETUP(LIST, SQLITE_SETUP, PG_SETUP)                                                      \
    int main(void)                                                                                           \
    {                                                                                                        \
        int failed = 0;                                                                                      \
        bss_mem_init();                                                                                      \
        DBTEST_RUN(failed, LIST, SQLITE_SETUP, PG_SETUP);                                                    \
        return failed;                                                                                       \
    }

#define DBTEST_MAIN(LIST) DBTEST_MAIN_SETUP(LIST, dbtest_setup_sqlite, dbtest_setup_pg)

#define DBTEST_MAIN_PURE(PURE_NAME, PURE, LIST, SQLITE_SETUP, PG_SETUP)                                      \
    int main(void)                                                                                           \
    {                                                                                                        \
        bss_mem_init();                                                                                      \
        int failed = cmocka_run_group_tests_name(PURE_NAME, PURE, NULL, NULL);                               \
        DBTEST_RUN(failed, LIST, SQLITE_SETUP, PG_SETUP);                                                    \
        return failed;                                                                                       \
    }

#endif
