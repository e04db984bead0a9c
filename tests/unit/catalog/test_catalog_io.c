/*
 * test_catalog_io.c: the catalog file (catalog.h: the catalog file) on a migrated
 * store, SQLite always and PostgreSQL when configured (db/dbtest.h): shape
 * checks with their exact fields, import order (a child category before its
 * parent in the file), create / unchanged / update with the changed members,
 * numbers compared by value, no write and no event on a second import, the
 * dry run, a failing document with its kind, id and path, and an export
 * that strips server-managed members and round-trips.
 */
#include "db/dbtest.h"

#include "catalog/catalog.h"
#include "core/json.h"
#include "db/migrate.h"
#include "unittest.h"

#define NOW INT64_C(1780000000000) /* 2026-05-28 */

static const char *small =
    "{\"format\":\"bss-catalog/1\","
    "\"categories\":[{\"id\":\"cat-child\",\"name\":\"Child\",\"parentId\":\"cat-root\"},"
    "                {\"id\":\"cat-root\",\"name\":\"Root\",\"lifecycleStatus\":\"Active\"}],"
    "\"productSpecifications\":[{\"id\":\"ps-line\",\"name\":\"Line\",\"lifecycleStatus\":\"Active\"}],"
    "\"productOfferingPrices\":[{\"id\":\"pop-fee\",\"name\":\"Fee\",\"priceType\":\"oneTime\","
    "                            "
    "\"price\":{\"unit\":\"EUR\",\"value\":15.0},\"lifecycleStatus\":\"Active\"}],"
    "\"productOfferings\":[{\"id\":\"po-plan\",\"name\":\"Plan\",\"lifecycleStatus\":\"Active\","
    "                       \"productSpecification\":{\"id\":\"ps-line\"},"
    "                       "
    "\"productOfferingPrice\":[{\"id\":\"pop-fee\"}],\"category\":[{\"id\":\"cat-child\"}]}],"
    "\"promotions\":[{\"id\":\"promo-1\",\"name\":\"Half\",\"couponCodes\":[\"half\"],"
    "                 \"action\":{\"percentage\":50,\"cycles\":3,\"offeringIds\":[\"po-plan\"]}}]}";

static int setup_sqlite(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_sqlite, NOW);
}
static int setup_pg(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_pg, NOW);
}

static int64_t outbox(bss_db *db)
{
    int64_t n = -1;
    assert_int_equal(bss_db_query_int64(db, "SELECT COUNT(*) FROM outbox", BSS_DB_NOARGS, &n, NULL), BSS_OK);
    return n;
}

/* Imports text in one transaction (rolled back on failure); returns the code, the report in *report. */
static bss_err import(bss_db *db, const char *text, bool dry, json_t **report, bss_errinfo *ei)
{
    json_t *doc = js(text);
    bss_catalog_import_opts o = {dry, NOW, "http://h", NULL};
    bss_errinfo_clear(ei);
    assert_int_equal(bss_db_begin(db, NULL), BSS_OK);
    bss_err rc = bss_catalog_import(db, doc, &o, report, ei);
    if (rc)
        bss_db_rollback(db);
    else
        assert_int_equal(bss_db_commit(db, NULL), BSS_OK);
    json_decref(doc);
    return rc;
}

static void test_validate(void **state)
{
    (void)state;
    static const struct {
        const char *doc, *field;
    } cases[] = {
        {"[]", ""},
        {"{}", "format"},
        {"{\"format\":\"bss-catalog/9\"}", "format"},
        {"{\"format\":\"bss-catalog/1\",\"offerings\":[]}", "offerings"},
        {"{\"format\":\"bss-catalog/1\",\"promotions\":{}}", "promotions"},
        {"{\"format\":\"bss-catalog/1\",\"promotions\":[1]}", "promotions[0].id"},
        {"{\"format\":\"bss-catalog/1\",\"catalogs\":[{\"id\":\"\"}]}", "catalogs[0].id"},
        {"{\"format\":\"bss-catalog/1\",\"catalogs\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"a\"}]}",
         "catalogs[2].id"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = js(cases[i].doc);
        bss_errinfo ei;
        bss_errinfo_clear(&ei);
        if (bss_catalog_validate(doc, &ei) != BSS_E_INVALID)
            fail_msg("%s: not refused", cases[i].doc);
        assert_string_equal(ei.field, cases[i].field);
        json_decref(doc);
    }
    json_t *ok = js(small);
    assert_int_equal(bss_catalog_validate(ok, NULL), BSS_OK);
    json_decref(ok);
}

static void test_import_twice(void **state)
{
    dbtest_env *env = *state;
    json_t *rep = NULL;
    bss_errinfo ei;
    if (import(env->db, small, false, &rep, &ei) != BSS_OK)
        fail_msg("%s (%s)", ei.message, ei.field);
    assert_int_equal(json_array_size(json_object_get(rep, "created")), 6);
    /* the child category came after its parent even though the file lists it first */
    json_t *created = json_object_get(rep, "created");
    assert_string_equal(json_string_value(json_object_get(json_array_get(created, 2), "id")), "cat-root");
    assert_string_equal(json_string_value(json_object_get(json_array_get(created, 3), "id")), "cat-child");
    json_decref(rep);
    int64_t events = outbox(env->db);
    assert_true(events >= 6);
    /* the same file, with 15 written as an integer: nothing to do */
    char *again = bss_strdup(small);
    char *at = strstr(again, "15.0");
    memcpy(at, "15  ", 4);
    assert_int_equal(import(env->db, again, false, &rep, &ei), BSS_OK);
    assert_int_equal(json_array_size(json_object_get(rep, "created")), 0);
    assert_int_equal(json_array_size(json_object_get(rep, "updated")), 0);
    assert_int_equal(json_integer_value(json_object_get(rep, "unchanged")), 6);
    assert_int_equal(outbox(env->db), events);
    json_decref(rep);
    bss_free(again);
}

static void test_update_and_dry_run(void **state)
{
    dbtest_env *env = *state;
    json_t *rep = NULL;
    bss_errinfo ei;
    assert_int_equal(import(env->db, small, false, &rep, &ei), BSS_OK);
    json_decref(rep);
    int64_t events = outbox(env->db);
    json_t *doc = js(small);
    json_t *plan = json_array_get(json_object_get(doc, "productOfferings"), 0);
    json_object_set_new(plan, "name", json_string("Plan Plus"));
    json_object_set_new(plan, "description", json_string("more"));
    json_object_del(json_array_get(json_object_get(doc, "categories"), 0), "parentId");
    char *text = bss_json_dump(doc, NULL);
    json_decref(doc);
    for (int dry = 1; dry >= 0; dry--) {
        assert_int_equal(import(env->db, text, dry, &rep, &ei), BSS_OK);
        assert_int_equal(json_is_true(json_object_get(rep, "dryRun")), dry);
        json_t *upd = json_object_get(rep, "updated");
        assert_int_equal(json_array_size(upd), 2);
        char *shown = bss_json_dump(upd, NULL);
        assert_string_equal(
            shown,
            "[{\"kind\":\"category\",\"id\":\"cat-child\",\"changes\":[\"isRoot\",\"parentId\"]},"
            "{\"kind\":\"productOffering\",\"id\":\"po-plan\",\"changes\":[\"name\",\"description\"]}]");
        bss_free(shown);
        json_decref(rep);
        if (dry)
            assert_int_equal(outbox(env->db), events); /* nothing written */
    }
    assert_true(outbox(env->db) > events);
    bss_free(text);
}

static void test_bad_document_rolls_back(void **state)
{
    dbtest_env *env = *state;
    json_t *rep = NULL;
    bss_errinfo ei;
    json_t *doc = js(small);
    json_t *promo = json_array_get(json_object_get(doc, "promotions"), 0);
    json_array_append_new(json_object_get(json_object_get(promo, "action"), "offeringIds"),
                          json_string("po-gone"));
    char *text = bss_json_dump(doc, NULL);
    json_decref(doc);
    assert_int_equal(import(env->db, text, false, &rep, &ei), BSS_E_INVALID);
    assert_null(rep);
    assert_string_equal(ei.field, "promotions[0].action.offeringIds[1]");
    assert_non_null(strstr(ei.message, "promotion promo-1: "));
    assert_int_equal(outbox(env->db), 0);
    bss_free(text);
    /* a rule between members is the kind's 422 */
    const char *gap = "{\"format\":\"bss-catalog/1\",\"timeBandPlans\":[{\"id\":\"tb\",\"name\":\"p\","
                      "\"timeZone\":\"Europe/Amsterdam\",\"bands\":[{\"name\":\"peak\",\"days\":[\"mon\"],"
                      "\"from\":\"08:00\",\"to\":\"20:00\"}]}]}";
    assert_int_equal(import(env->db, gap, false, &rep, &ei), BSS_E_UNPROCESSABLE);
    assert_string_equal(ei.field, "timeBandPlans[0].bands");
    assert_non_null(strstr(ei.message, "timeBandPlan tb: "));
}

static void test_export_round_trip(void **state)
{
    dbtest_env *env = *state;
    json_t *rep = NULL, *out = NULL;
    bss_errinfo ei;
    assert_int_equal(import(env->db, small, false, &rep, &ei), BSS_OK);
    json_decref(rep);
    assert_int_equal(bss_catalog_export(env->db, &out, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(out, "format")), BSS_CATALOG_FORMAT);
    json_t *cats = json_object_get(out, "categories");
    assert_int_equal(json_array_size(cats), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cats, 0), "id")), "cat-child");
    assert_null(json_object_get(json_array_get(cats, 0), "href"));
    assert_null(json_object_get(json_array_get(cats, 0), "lastUpdate"));
    assert_int_equal(json_array_size(json_object_get(out, "zoneTables")), 0);
    size_t len = 0;
    char *text = bss_catalog_export_text(out, &len);
    assert_non_null(text);
    assert_int_equal(text[len - 1], '\n');
    assert_int_equal(strlen(text), len);
    /* importing the export changes nothing */
    assert_int_equal(import(env->db, text, false, &rep, &ei), BSS_OK);
    assert_int_equal(json_integer_value(json_object_get(rep, "unchanged")), 6);
    json_decref(rep);
    bss_free(text);
    json_decref(out);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_import_twice, setup, dbtest_teardown),                          \
            cmocka_unit_test_setup_teardown(test_update_and_dry_run, setup, dbtest_teardown),                \
            cmocka_unit_test_setup_teardown(test_bad_document_rolls_back, setup, dbtest_teardown),           \
            cmocka_unit_test_setup_teardown(test_export_round_trip, setup, dbtest_teardown),                 \
    }

static const struct CMUnitTest pure_tests[] = {cmocka_unit_test(test_validate)};

DBTEST_MAIN_PURE("shape", pure_tests, STORE_TESTS, setup_sqlite, setup_pg)
