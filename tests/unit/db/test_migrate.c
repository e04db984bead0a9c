/*
 * test_migrate.c: the migration engine (migrate.h, migrate_int.h) on both
 * backends: applying a list, idempotent re-runs, adding a migration later,
 * backend-only sections, a failing migration leaving nothing behind, two
 * migrators at once, refusing a store newer than the binary, and the
 * embedded migrations of the binary itself.
 */
#include <pthread.h>

#include "db/dbtest.h"

#include "db/migrate_int.h"

#define NOW INT64_C(1780000000000)

static const bss_migration base_list[] = {
    {1, "start", "CREATE TABLE m_a (id BIGINT PRIMARY KEY, name TEXT NOT NULL);\n"},
    {2, "sections",
     "-- a comment that is not a marker\n"
     "-- sqlite-only\n"
     "CREATE TABLE m_b (id INTEGER PRIMARY KEY AUTOINCREMENT, backend TEXT NOT NULL DEFAULT 'sqlite');\n"
     "-- end\n"
     "-- postgres-only\n"
     "CREATE TABLE m_b (id BIGSERIAL PRIMARY KEY, backend TEXT NOT NULL DEFAULT 'postgres');\n"
     "-- end\n"
     "CREATE INDEX m_b_backend ON m_b (backend);\n"},
    {5, "data", "INSERT INTO m_a (id, name) VALUES (1, 'one');\nINSERT INTO m_b DEFAULT VALUES;"},
};
#define BASE_N (sizeof(base_list) / sizeof(base_list[0]))

static int64_t q64(bss_db *db, const char *sql)
{
    int64_t v = -1;
    bss_errinfo ei;
    if (bss_db_query_int64(db, sql, BSS_DB_NOARGS, &v, &ei) != BSS_OK)
        fail_msg("%s: %s", sql, ei.message);
    return v;
}

static void test_apply_and_reapply(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    int applied = -1, version = -1;

    assert_int_equal(bss_db_schema_version(env->db, &version, &ei), BSS_OK);
    assert_int_equal(version, 0);
    assert_int_equal(bss__db_migrate_list(env->db, base_list, BASE_N, NOW, &applied, &ei), BSS_OK);
    assert_int_equal(applied, 3);
    assert_int_equal(bss_db_schema_version(env->db, &version, &ei), BSS_OK);
    assert_int_equal(version, 5);
    assert_int_equal(q64(env->db, "SELECT COUNT(*) FROM bss_schema"), 3);
    assert_int_equal(q64(env->db, "SELECT MIN(applied_at) FROM bss_schema"), NOW);
    assert_int_equal(q64(env->db, "SELECT COUNT(*) FROM m_a"), 1);

    bss_db_rows *rows;
    assert_int_equal(bss_db_query(env->db, "SELECT backend FROM m_b", BSS_DB_NOARGS, &rows, &ei), BSS_OK);
    assert_true(bss_db_next(rows));
    assert_string_equal(bss_db_col_text(rows, 0, NULL), bss_db_kind_name(env->db));
    bss_db_rows_close(rows);
    assert_int_equal(
        bss_db_query(env->db, "SELECT name FROM bss_schema WHERE version = 2", BSS_DB_NOARGS, &rows, &ei),
        BSS_OK);
    assert_true(bss_db_next(rows));
    assert_string_equal(bss_db_col_text(rows, 0, NULL), "sections");
    bss_db_rows_close(rows);

    /* Idempotent. */
    assert_int_equal(bss__db_migrate_list(env->db, base_list, BASE_N, NOW + 1, &applied, &ei), BSS_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(q64(env->db, "SELECT COUNT(*) FROM m_a"), 1);

    /* A later binary adds one. */
    bss_migration more[BASE_N + 1];
    memcpy(more, base_list, sizeof(base_list));
    more[BASE_N] = (bss_migration){7, "more", "ALTER TABLE m_a ADD COLUMN extra BIGINT;"};
    assert_int_equal(bss__db_migrate_list(env->db, more, BASE_N + 1, NOW + 2, NULL, &ei), BSS_OK);
    assert_int_equal(bss_db_schema_version(env->db, &version, &ei), BSS_OK);
    assert_int_equal(version, 7);
    assert_int_equal(q64(env->db, "SELECT applied_at FROM bss_schema WHERE version = 7"), NOW + 2);
    assert_int_equal(q64(env->db, "SELECT COUNT(extra) FROM m_a"), 0);
}

static void test_refuse_newer_store(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    int applied = -1;

    assert_int_equal(bss__db_migrate_list(env->db, base_list, BASE_N, NOW, NULL, &ei), BSS_OK);
    assert_int_equal(bss__db_migrate_list(env->db, base_list, 2, NOW, &applied, &ei), BSS_E_SCHEMA);
    assert_int_equal(ei.code, BSS_E_SCHEMA);
    assert_non_null(strstr(ei.message, "version 5"));
    assert_non_null(strstr(ei.message, "up to 2"));
    assert_int_equal(applied, 0);
    /* The embedded list knows fewer versions than 5 only if fewer files exist; a fake future version is
     * refused. */
    bss_errinfo_clear(&ei);
    assert_int_equal(
        bss_db_exec(env->db, "INSERT INTO bss_schema (version, name, applied_at) VALUES (?, ?, ?)",
                    BSS_DB_ARGS(BSS_DB_I64(999999), BSS_DB_STR("future"), BSS_DB_I64(NOW)), NULL, &ei),
        BSS_OK);
    assert_int_equal(bss_db_migrate(env->db, NOW, &applied, &ei), BSS_E_SCHEMA);
    assert_non_null(strstr(ei.message, "999999"));
}

static void test_failed_migration_rolls_back(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    int applied = -1, version = -1;
    static const bss_migration bad[] = {
        {1, "start", "CREATE TABLE m_a (id BIGINT PRIMARY KEY);"},
        {2, "broken", "CREATE TABLE m_half (id BIGINT);\nINSERT INTO m_a (id) VALUES (1);\nSELEKT nonsense;"},
        {3, "after", "CREATE TABLE m_c (id BIGINT);"},
    };

    assert_int_equal(bss__db_migrate_list(env->db, bad, 3, NOW, &applied, &ei), BSS_E_DB);
    assert_int_equal(applied, 1);
    assert_non_null(strstr(ei.message, "0002_broken"));
    assert_false(bss_db_in_tx(env->db));
    assert_int_equal(bss_db_schema_version(env->db, &version, &ei), BSS_OK);
    assert_int_equal(version, 1);
    assert_int_equal(q64(env->db, "SELECT COUNT(*) FROM m_a"), 0);
    assert_int_equal(bss_db_exec(env->db, "SELECT * FROM m_half", BSS_DB_NOARGS, NULL, &ei), BSS_E_DB);
}

static void test_bad_lists(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    static const bss_migration unordered[] = {{2, "b", "SELECT 1;"}, {1, "a", "SELECT 1;"}};
    static const bss_migration dup[] = {{1, "a", "SELECT 1;"}, {1, "b", "SELECT 1;"}};
    static const bss_migration zero[] = {{0, "a", "SELECT 1;"}};

    assert_int_equal(bss__db_migrate_list(env->db, unordered, 2, NOW, NULL, &ei), BSS_E_INTERNAL);
    assert_int_equal(bss__db_migrate_list(env->db, dup, 2, NOW, NULL, &ei), BSS_E_INTERNAL);
    assert_int_equal(bss__db_migrate_list(env->db, zero, 1, NOW, NULL, &ei), BSS_E_INTERNAL);
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(bss__db_migrate_list(env->db, base_list, BASE_N, NOW, NULL, &ei), BSS_E_STATE);
    bss_db_rollback(env->db);
    /* An empty list on an empty store is fine. */
    assert_int_equal(bss__db_migrate_list(env->db, base_list, 0, NOW, NULL, &ei), BSS_OK);
}

static void test_sections(void **state)
{
    bss_errinfo ei;
    char *sql = NULL;
    static const bss_migration m = {9, "x",
                                    "A\n-- sqlite-only\nS\n  --   end  \nB\n--postgres-only\nP\n-- end\nC"};
    static const bss_migration nested = {9, "x", "-- sqlite-only\n-- postgres-only\n-- end\n"};
    static const bss_migration stray = {9, "x", "A\n-- end\n"};
    static const bss_migration open = {9, "x", "-- postgres-only\nP\n"};

    assert_int_equal(bss__db_migration_sql(&m, BSS_DB_SQLITE, &sql, &ei), BSS_OK);
    assert_string_equal(sql, "A\nS\nB\nC");
    bss_free(sql);
    assert_int_equal(bss__db_migration_sql(&m, BSS_DB_POSTGRES, &sql, &ei), BSS_OK);
    assert_string_equal(sql, "A\nB\nP\nC");
    bss_free(sql);
    assert_int_equal(bss__db_migration_sql(&nested, BSS_DB_SQLITE, &sql, &ei), BSS_E_INVALID);
    assert_null(sql);
    assert_non_null(strstr(ei.message, "line 2"));
    assert_int_equal(bss__db_migration_sql(&stray, BSS_DB_SQLITE, &sql, &ei), BSS_E_INVALID);
    assert_non_null(strstr(ei.message, "'-- end' without a section"));
    assert_int_equal(bss__db_migration_sql(&open, BSS_DB_POSTGRES, &sql, &ei), BSS_E_INVALID);
    assert_non_null(strstr(ei.message, "not closed"));
}

typedef struct racer {
    const char *url;
    int applied;
    bss_err rc;
    char message[256];
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    bss_db *db;
    bss_errinfo ei;
    r->rc = bss_db_open(r->url, NULL, &db, &ei);
    if (r->rc == BSS_OK) {
        r->rc = bss__db_migrate_list(db, base_list, BASE_N, NOW, &r->applied, &ei);
        bss_db_close(db);
    }
    memcpy(r->message, ei.message, sizeof(r->message));
    return NULL;
}

static void test_concurrent_migrators(void **state)
{
    dbtest_env *env = *state;
    racer r[3];
    pthread_t th[3];

    for (int i = 0; i < 3; i++) {
        r[i] = (racer){.url = env->url};
        assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 3; i++) {
        if (r[i].rc != BSS_OK)
            fail_msg("migrator %d: %s", i, r[i].message);
        total += r[i].applied;
    }
    assert_int_equal(total, 3);
    assert_int_equal(q64(env->db, "SELECT COUNT(*) FROM m_a"), 1);
}

static void test_embedded_migrations(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    int applied = -1, version = -1;

    assert_true(bss_migrations_count >= 1);
    assert_int_equal(bss_migrations[0].version, 1);
    if (bss_db_migrate(env->db, NOW, &applied, &ei) != BSS_OK)
        fail_msg("embedded migrations: %s", ei.message);
    assert_int_equal(applied, (int)bss_migrations_count);
    assert_int_equal(bss_db_schema_version(env->db, &version, &ei), BSS_OK);
    assert_int_equal(version, bss_db_binary_version());
    assert_int_equal(q64(env->db, "SELECT COUNT(*) FROM bss_meta"),
                     q64(env->db, "SELECT COUNT(*) FROM bss_meta"));
    assert_int_equal(bss_db_migrate(env->db, NOW, &applied, &ei), BSS_OK);
    assert_int_equal(applied, 0);
}

#define MIGRATE_TESTS(setup)                                                                                 \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_apply_and_reapply, setup, dbtest_teardown),                     \
            cmocka_unit_test_setup_teardown(test_refuse_newer_store, setup, dbtest_teardown),                \
            cmocka_unit_test_setup_teardown(test_failed_migration_rolls_back, setup, dbtest_teardown),       \
            cmocka_unit_test_setup_teardown(test_bad_lists, setup, dbtest_teardown),                         \
            cmocka_unit_test_setup_teardown(test_sections, setup, dbtest_teardown),                          \
            cmocka_unit_test_setup_teardown(test_concurrent_migrators, setup, dbtest_teardown),              \
            cmocka_unit_test_setup_teardown(test_embedded_migrations, setup, dbtest_teardown),               \
    }

DBTEST_MAIN(MIGRATE_TESTS)
