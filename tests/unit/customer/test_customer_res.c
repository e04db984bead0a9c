/*
 * test_customer_res.c: the TMF629 customer rules (customer_res.c) through
 * the generic write paths of doc/doc.h on a migrated store: engagedParty
 * required and existing, status values and transitions, customerSince,
 * segment, credit class, contact media, related parties, the card-number
 * guard, and the search index kept by after_store.
 */
#include "customer/custtest.h"

static const bss_doc_kind *const C = &bss_customer_kind;

static void parties(bss_db *db)
{
    add_party(db, NULL, "ind-1");
    add_party(db, "org", "org-1");
}

static void test_engaged_party(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    parties(db);
    expect_fail(db, C, "c1", false, "{\"name\":\"Ann\"}", BSS_E_INVALID, "engagedParty", "required");
    expect_fail(db, C, "c1", false, "{\"name\":\"Ann\",\"engagedParty\":{\"@referredType\":\"Individual\"}}",
                BSS_E_INVALID, "engagedParty.id", NULL);
    expect_fail(db, C, "c1", false, "{\"name\":\"Ann\",\"engagedParty\":\"ind-1\"}", BSS_E_INVALID,
                "engagedParty", NULL);
    expect_fail(db, C, "c1", false,
                "{\"name\":\"Ann\",\"engagedParty\":{\"id\":\"nobody\",\"@referredType\":\"Individual\"}}",
                BSS_E_UNPROCESSABLE, "engagedParty.id", "no Individual with id nobody");
    /* an organization id named as an Individual does not exist as one */
    expect_fail(db, C, "c1", false,
                "{\"name\":\"Ann\",\"engagedParty\":{\"id\":\"org-1\",\"@referredType\":\"Individual\"}}",
                BSS_E_UNPROCESSABLE, "engagedParty.id", NULL);
    expect_fail(db, C, "c1", false,
                "{\"name\":\"Ann\",\"engagedParty\":{\"id\":\"ind-1\",\"@referredType\":\"Robot\"}}",
                BSS_E_INVALID, "engagedParty.@referredType", NULL);
    /* no @referredType: found and filled in; segment defaults by party kind */
    json_t *doc = must_create(db, C, "c1", "{\"name\":\"Acme\",\"engagedParty\":{\"id\":\"org-1\"}}");
    assert_string_equal(str_at(doc, "engagedParty.@referredType"), "Organization");
    assert_string_equal(str_at(doc, "segment"), "business");
    assert_string_equal(str_at(doc, "status"), "prospect");
    assert_null(json_object_get(doc, "customerSince"));
    json_decref(doc);
    /* the engaged party cannot be swapped for another */
    expect_fail(db, C, "c1", true, "{\"engagedParty\":{\"id\":\"ind-1\",\"@referredType\":\"Individual\"}}",
                BSS_E_CONFLICT, "engagedParty.id", NULL);
    expect_fail(db, C, "c1", true, "{\"engagedParty\":null}", BSS_E_INVALID, "engagedParty", NULL);
}

static void test_status(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bss_errinfo ei;
    json_t *doc;
    parties(db);
    json_decref(must_create(
        db, C, "c1",
        "{\"name\":\"Ann\",\"engagedParty\":{\"id\":\"ind-1\",\"@referredType\":\"Individual\"}}"));
    expect_fail(db, C, "c1", true, "{\"status\":\"asleep\"}", BSS_E_INVALID, "status", "prospect, active");
    expect_fail(db, C, "c1", true, "{\"status\":7}", BSS_E_INVALID, "status", NULL);
    expect_fail(db, C, "c1", true, "{\"status\":\"suspended\"}", BSS_E_STATE, "status",
                "prospect to suspended");
    /* prospect -> active sets customerSince to now */
    assert_int_equal(write_doc(db, C, "c1", true, "{\"status\":\"Active\"}", &doc, &ei), BSS_OK);
    assert_string_equal(str_at(doc, "status"), "active");
    assert_string_equal(str_at(doc, "customerSince"), "2026-01-01T00:00:00.000Z");
    json_decref(doc);
    expect_fail(db, C, "c1", true, "{\"status\":\"prospect\"}", BSS_E_STATE, "status", NULL);
    assert_int_equal(write_doc(db, C, "c1", true, "{\"status\":\"suspended\"}", NULL, &ei), BSS_OK);
    /* customerSince is server-managed once set */
    assert_int_equal(write_doc(db, C, "c1", true,
                               "{\"status\":\"active\",\"customerSince\":\"2020-01-01T00:00:00Z\"}", &doc,
                               &ei),
                     BSS_OK);
    assert_string_equal(str_at(doc, "customerSince"), "2026-01-01T00:00:00.000Z");
    json_decref(doc);
    assert_int_equal(write_doc(db, C, "c1", true, "{\"status\":\"closed\"}", NULL, &ei), BSS_OK);
    expect_fail(db, C, "c1", true, "{\"status\":\"active\"}", BSS_E_STATE, "status", "stays closed");
    /* TMF spellings */
    doc = must_create(db, C, "c2",
                      "{\"name\":\"Ann\",\"status\":\"Approved\",\"engagedParty\":{\"id\":\"ind-1\"}}");
    assert_string_equal(str_at(doc, "status"), "active");
    assert_string_equal(str_at(doc, "segment"), "consumer");
    json_decref(doc);
    doc = must_create(db, C, "c3",
                      "{\"name\":\"Ann\",\"status\":\"Initialized\",\"engagedParty\":{\"id\":\"ind-1\"}}");
    assert_string_equal(str_at(doc, "status"), "prospect");
    json_decref(doc);
    /* prospect -> closed is allowed */
    assert_int_equal(write_doc(db, C, "c3", true, "{\"status\":\"closed\"}", NULL, &ei), BSS_OK);
}

static void test_members(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    parties(db);
    const char *base = "{\"name\":\"Ann\",\"engagedParty\":{\"id\":\"ind-1\"},";
    char text[1024];
#define WITH(rest) (snprintf(text, sizeof text, "%s%s}", base, rest), text)
    expect_fail(db, C, "c1", false, WITH("\"segment\":\"martian\""), BSS_E_INVALID, "segment", "consumer");
    expect_fail(db, C, "c1", false, WITH("\"creditClass\":\"\""), BSS_E_INVALID, "creditClass", NULL);
    expect_fail(db, C, "c1", false, WITH("\"characteristic\":[{\"value\":1}]"), BSS_E_INVALID,
                "characteristic[0].name", NULL);
    expect_fail(
        db, C, "c1", false,
        WITH("\"contactMedium\":[{\"mediumType\":\"email\",\"characteristic\":{\"emailAddress\":\"ann@\"}}]"),
        BSS_E_INVALID, NULL, NULL);
    expect_fail(db, C, "c1", false,
                WITH("\"contactMedium\":[{\"mediumType\":\"mobile\",\"characteristic\":{\"phoneNumber\":"
                     "\"0151 123\"}}]"),
                BSS_E_INVALID, NULL, NULL);
    expect_fail(db, C, "c1", false,
                WITH("\"relatedParty\":[{\"id\":\"ghost\",\"role\":\"accountManager\",\"@referredType\":"
                     "\"Individual\"}]"),
                BSS_E_UNPROCESSABLE, "relatedParty[0].id", NULL);
    expect_fail(db, C, "c1", false,
                WITH("\"paymentMethod\":[{\"id\":\"pm1\",\"cardNumber\":\"4111 1111 1111 1111\"}]"),
                BSS_E_INVALID, "paymentMethod[0].cardNumber", "card numbers are not stored");
    expect_fail(db, C, "c1", false, WITH("\"validFor\":{\"startDateTime\":\"2026-02-30T00:00:00Z\"}"),
                BSS_E_INVALID, "validFor.startDateTime", NULL);
    json_t *doc = must_create(db, C, "c1",
                              WITH("\"segment\":\"VIP\",\"creditClass\":\"A\",\"relatedParty\":[{\"id\":"
                                   "\"ind-1\",\"role\":\"accountManager\"}],"
                                   "\"contactMedium\":[{\"mediumType\":\"email\",\"characteristic\":{"
                                   "\"emailAddress\":\"ann@example.com\"}}],"
                                   "\"characteristic\":[{\"name\":\"preferredLanguage\",\"value\":\"en\"}],"
                                   "\"x-note\":{\"kept\":true}"));
    assert_string_equal(str_at(doc, "segment"), "vip");
    assert_string_equal(str_at(doc, "creditClass"), "A");
    assert_true(json_is_true(bss_json_path(doc, "x-note.kept")));
    json_decref(doc);
#undef WITH
}

/* after_store puts the customer's terms into the search index. */
static void test_search_index(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    parties(db);
    json_decref(
        must_create(db, C, "c1",
                    "{\"name\":\"Zoë Ångström\",\"engagedParty\":{\"id\":\"ind-1\"},\"contactMedium\":[{"
                    "\"mediumType\":\"email\",\"characteristic\":{\"emailAddress\":\"Zoe@Example.com\"}}]}"));
    int64_t n = 0;
    bss_errinfo ei;
    assert_int_equal(bss_db_query_int64(db,
                                        "SELECT COUNT(*) FROM search_index WHERE entity_id = ? AND kind = ?",
                                        BSS_DB_ARGS(BSS_DB_STR("c1"), BSS_DB_STR("customer")), &n, &ei),
                     BSS_OK);
    assert_true(n > 0);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_engaged_party, setup, dbtest_teardown),                         \
            cmocka_unit_test_setup_teardown(test_status, setup, dbtest_teardown),                            \
            cmocka_unit_test_setup_teardown(test_members, setup, dbtest_teardown),                           \
            cmocka_unit_test_setup_teardown(test_search_index, setup, dbtest_teardown),                      \
    }

DBTEST_MAIN_SETUP(STORE_TESTS, setup_sqlite_store, setup_pg_store)
