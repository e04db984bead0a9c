/*
 * test_catalog_store.c: the catalog's store functions (catalog_int.h)
 * on a migrated store, SQLite and, when configured (db/dbtest.h), PostgreSQL:
 * saving versions (a duplicate is 409-shaped BSS_E_CONFLICT), reading the
 * version valid at an instant (bounds [from, to), an open end, the newest of
 * overlapping versions, none, a corrupt stored document), walking the
 * history in order, and counting the live products of an offering.
 */
#include "db/dbtest.h"

#include "catalog/catalog_int.h"
#include "core/json.h"
#include "db/migrate.h"

#define NOW INT64_C(1767225600000) /* 2026-01-01T00:00:00.000Z */
#define DAY INT64_C(86400000)

static int setup_sqlite_store(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_sqlite, NOW);
}
static int setup_pg_store(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_pg, NOW);
}

static void save(bss_db *db, const char *kind, const char *id, int64_t version, int64_t from_ms,
                 int64_t to_ms, const char *doc)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_catalog_version_save(db, kind, id, version, from_ms, to_ms, doc, strlen(doc), &ei);
    if (rc != BSS_OK)
        fail_msg("save %s %s v%lld: %s %s", kind, id, (long long)version, bss_errname(rc), ei.message);
}

/* The "version" member of the document valid at at_ms, or "-" when there is none. */
static void expect_at(bss_db *db, const char *kind, const char *id, int64_t at_ms, const char *want)
{
    bss_errinfo ei;
    json_t *doc = (json_t *)1;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_catalog_version_at(db, kind, id, at_ms, &doc, &ei);
    if (rc != BSS_OK)
        fail_msg("version_at %s %s: %s %s", kind, id, bss_errname(rc), ei.message);
    const char *got = doc ? json_string_value(json_object_get(doc, "version")) : "-";
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s %s at %lld: want %s, got %s", kind, id, (long long)at_ms, want, got ? got : "(null)");
    json_decref(doc);
}

static void test_version_at(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    const char *k = "productOfferingPrice";
    save(db, k, "p1", 1, NOW, NOW + DAY, "{\"version\":\"1\"}");
    save(db, k, "p1", 2, NOW + DAY, NOW + 3 * DAY, "{\"version\":\"2\"}");
    expect_at(db, k, "p1", NOW - 1, "-");
    expect_at(db, k, "p1", NOW, "1");
    expect_at(db, k, "p1", NOW + DAY - 1, "1");
    expect_at(db, k, "p1", NOW + DAY, "2"); /* the end is exclusive */
    expect_at(db, k, "p1", NOW + 3 * DAY, "-");
    /* another kind or id does not leak in */
    expect_at(db, "productOffering", "p1", NOW, "-");
    expect_at(db, k, "p2", NOW, "-");
    /* an open end, and the newest of overlapping versions wins */
    save(db, k, "p3", 1, NOW, BSS_CATALOG_NO_END, "{\"version\":\"1\"}");
    save(db, k, "p3", 2, NOW + DAY, NOW + 2 * DAY, "{\"version\":\"2\"}");
    expect_at(db, k, "p3", NOW + 100 * DAY, "1");
    expect_at(db, k, "p3", NOW + DAY, "2");
    bss_errinfo ei;
    int64_t n = -1;
    assert_int_equal(bss_db_query_int64(db,
                                        "SELECT COUNT(*) FROM tmf620_version WHERE id = 'p3' AND "
                                        "version = 1 AND valid_to_ms IS NULL",
                                        BSS_DB_NOARGS, &n, &ei),
                     BSS_OK);
    assert_int_equal(n, 1);
}

static void test_version_save_errors(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    save(db, "productOffering", "o1", 1, NOW, NOW + DAY, "{}");
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_catalog_version_save(db, "productOffering", "o1", 1, NOW, NOW + DAY, "{}", 2, &ei),
                     BSS_E_CONFLICT);
    assert_string_equal(ei.field, "version");
    assert_non_null(strstr(ei.message, "version 1 of productOffering o1 is already recorded"));
    /* the same number of another document is fine */
    save(db, "productOffering", "o2", 1, NOW, NOW + DAY, "{}");
    save(db, "productOfferingPrice", "o1", 1, NOW, NOW + DAY, "{}");
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_catalog_version_save(db, NULL, "o1", 2, NOW, NOW + DAY, "{}", 2, &ei),
                     BSS_E_INVALID);
    assert_int_equal(bss_catalog_version_save(db, "productOffering", NULL, 2, NOW, NOW + DAY, "{}", 2, &ei),
                     BSS_E_INVALID);
    assert_int_equal(bss_catalog_version_save(db, "productOffering", "o1", 2, NOW, NOW + DAY, NULL, 0, &ei),
                     BSS_E_INVALID);
}

static void test_version_at_corrupt(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    save(db, "productOffering", "bad", 1, NOW, NOW + DAY, "{not json");
    json_t *doc = NULL;
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_catalog_version_at(db, "productOffering", "bad", NOW, &doc, &ei), BSS_E_INTERNAL);
    assert_null(doc);
    assert_non_null(strstr(ei.message, "a stored version of productOffering bad is not valid JSON"));
}

typedef struct walk {
    char seen[512];
    int stop_after; /* 0: never */
    int count;
} walk;

static bss_err walk_row(const bss_catalog_version_row *row, void *arg)
{
    walk *w = arg;
    size_t used = strlen(w->seen);
    snprintf(w->seen + used, sizeof w->seen - used, "%s/%s/%lld/%lld/%s/%.*s;", row->kind, row->id,
             (long long)row->version, (long long)((row->valid_from_ms - NOW) / DAY),
             row->valid_to_ms == BSS_CATALOG_NO_END ? "open" : "closed", (int)row->doc_len, row->doc);
    if (++w->count == w->stop_after)
        return BSS_E_RANGE;
    return BSS_OK;
}

static void test_versions_list(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    save(db, "productOfferingPrice", "p1", 2, NOW + DAY, BSS_CATALOG_NO_END, "{\"b\":2}");
    save(db, "productOffering", "o1", 1, NOW, NOW + DAY, "{}");
    save(db, "productOfferingPrice", "p1", 1, NOW, NOW + DAY, "{\"b\":1}");
    save(db, "productOfferingPrice", "p0", 1, NOW, NOW + DAY, "[]");

    walk w = {0};
    assert_int_equal(bss_catalog_versions_list(db, NULL, NULL, walk_row, &w, &ei), BSS_OK);
    assert_string_equal(w.seen, "productOffering/o1/1/0/closed/{};"
                                "productOfferingPrice/p0/1/0/closed/[];"
                                "productOfferingPrice/p1/1/0/closed/{\"b\":1};"
                                "productOfferingPrice/p1/2/1/open/{\"b\":2};");
    memset(&w, 0, sizeof w);
    assert_int_equal(bss_catalog_versions_list(db, "productOfferingPrice", NULL, walk_row, &w, &ei), BSS_OK);
    assert_int_equal(w.count, 3);
    memset(&w, 0, sizeof w);
    assert_int_equal(bss_catalog_versions_list(db, "productOfferingPrice", "p1", walk_row, &w, &ei), BSS_OK);
    assert_string_equal(w.seen, "productOfferingPrice/p1/1/0/closed/{\"b\":1};"
                                "productOfferingPrice/p1/2/1/open/{\"b\":2};");
    memset(&w, 0, sizeof w);
    assert_int_equal(bss_catalog_versions_list(db, "category", NULL, walk_row, &w, &ei), BSS_OK);
    assert_int_equal(w.count, 0);
    /* the callback stops the walk; the connection is usable afterwards */
    memset(&w, 0, sizeof w);
    w.stop_after = 2;
    assert_int_equal(bss_catalog_versions_list(db, NULL, NULL, walk_row, &w, &ei), BSS_E_RANGE);
    assert_int_equal(w.count, 2);
    expect_at(db, "productOfferingPrice", "p0", NOW + 5 * DAY, "-");
}

static void test_count_active_products(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    int64_t n = -1;
    assert_int_equal(bss_catalog_count_active_products(db, "o1", &n, &ei), BSS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(bss_db_exec(db,
                                 "INSERT INTO product (id, doc, created_ms, updated_ms, row_version, offering_id, offering_version, status) VALUES "
                                 "('pr1', '{}', 0, 0, 1, 'o1', '1', 'active'), ('pr2', '{}', 0, 0, 1, 'o1', '1', 'suspended'), "
                                 "('pr3', '{}', 0, 0, 1, 'o1', '1', 'terminated'), ('pr4', '{}', 0, 0, 1, 'o1', '2', 'cancelled'), "
                                 "('pr5', '{}', 0, 0, 1, 'o1', '2', NULL), ('pr6', '{}', 0, 0, 1, 'o2', '1', 'active')",
                                 BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    assert_int_equal(bss_catalog_count_active_products(db, "o1", &n, &ei), BSS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(bss_catalog_count_active_products(db, "o2", &n, &ei), BSS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(bss_catalog_count_active_products(db, "o3", &n, &ei), BSS_OK);
    assert_int_equal(n, 0);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_version_at, setup, dbtest_teardown),                            \
            cmocka_unit_test_setup_teardown(test_version_save_errors, setup, dbtest_teardown),               \
            cmocka_unit_test_setup_teardown(test_version_at_corrupt, setup, dbtest_teardown),                \
            cmocka_unit_test_setup_teardown(test_versions_list, setup, dbtest_teardown),                     \
            cmocka_unit_test_setup_teardown(test_count_active_products, setup, dbtest_teardown),             \
    }

DBTEST_MAIN_SETUP(STORE_TESTS, setup_sqlite_store, setup_pg_store)
