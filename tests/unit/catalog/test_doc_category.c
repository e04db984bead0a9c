/*
 * test_doc_category.c: the TMF620 category rules (src/catalog/doc_category.c:
 * required name, types, lifecycle transitions, validFor, isRoot/parentId,
 * lastUpdate) and the generic write paths of doc/doc.h that run them
 * (create, merge patch, delete, with their outbox events) on a migrated
 * store: SQLite always, PostgreSQL too when configured (db/dbtest.h).
 */
#include "db/dbtest.h"

#include "doc/doc.h"
#include "catalog/catalog.h"
#include "core/json.h"
#include "core/time.h"
#include "db/migrate.h"
#include "unittest.h"

#define NOW INT64_C(1767225600000) /* 2026-01-01T00:00:00.000Z */

static bss_doc_ctx ctx_of(bss_db *db)
{
    return (bss_doc_ctx){&bss_category_kind, db, NOW, "http://h", NULL, NULL, NULL, false, NULL};
}

/* Runs the hook on doc (with old, may be NULL); returns the code, ei for the field. */
static bss_err prep(const char *doc_text, const char *old_text, json_t **out, bss_errinfo *ei)
{
    bss_doc_ctx ctx = ctx_of(NULL);
    json_t *doc = js(doc_text), *old = old_text ? js(old_text) : NULL;
    bss_errinfo_clear(ei);
    bss_err rc = bss_category_kind.prepare(&ctx, doc, old, ei);
    json_decref(old);
    if (out)
        *out = doc;
    else
        json_decref(doc);
    return rc;
}

static void expect(const char *doc_text, const char *old_text, bss_err code, const char *field,
                   const char *needle)
{
    bss_errinfo ei;
    bss_err rc = prep(doc_text, old_text, NULL, &ei);
    if (rc != code)
        fail_msg("%s: want %s, got %s (%s)", doc_text, bss_errname(code), bss_errname(rc), ei.message);
    if (field)
        assert_string_equal(ei.field, field);
    if (needle && !strstr(ei.message, needle))
        fail_msg("%s: message '%s' lacks '%s'", doc_text, ei.message, needle);
}

static void test_defaults(void **state)
{
    json_t *doc;
    bss_errinfo ei;
    assert_int_equal(prep("{\"id\":\"c1\",\"name\":\"Phones\",\"x-custom\":{\"a\":[1]}}", NULL, &doc, &ei),
                     BSS_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "lifecycleStatus")), "In design");
    assert_string_equal(json_string_value(json_object_get(doc, "lastUpdate")), "2026-01-01T00:00:00.000Z");
    assert_true(json_is_true(json_object_get(doc, "isRoot")));
    assert_non_null(json_object_get(doc, "x-custom")); /* unknown members kept */
    json_decref(doc);
    assert_int_equal(
        prep("{\"id\":\"c1\",\"name\":\"P\",\"lifecycleStatus\":\"aCtIvE\",\"lastUpdate\":\"1999-01-01\"}",
             NULL, &doc, &ei),
        BSS_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "lifecycleStatus")), "Active");
    assert_string_equal(json_string_value(json_object_get(doc, "lastUpdate")), "2026-01-01T00:00:00.000Z");
    json_decref(doc);
}

static void test_required_and_types(void **state)
{
    bss_errinfo ei;
    json_t *doc = js("{\"description\":\"x\"}");
    assert_int_equal(bss_doc_check_required(&bss_category_kind, doc, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "name");
    assert_string_equal(ei.message, "name is required");
    json_decref(doc);
    doc = js("{\"name\":null}");
    assert_int_equal(bss_doc_check_required(&bss_category_kind, doc, &ei), BSS_E_INVALID);
    json_decref(doc);
    doc = js("{\"name\":\"n\"}");
    assert_int_equal(bss_doc_check_required(&bss_category_kind, doc, &ei), BSS_OK);
    json_decref(doc);

    expect("{\"name\":5}", NULL, BSS_E_INVALID, "name", "name must be a string");
    expect("{\"name\":\"\"}", NULL, BSS_E_INVALID, "name", "must not be empty");
    expect("{\"name\":\"n\",\"version\":1}", NULL, BSS_E_INVALID, "version", NULL);
    expect("{\"name\":\"n\",\"description\":[]}", NULL, BSS_E_INVALID, "description", NULL);
    expect("{\"name\":\"n\",\"parentId\":7}", NULL, BSS_E_INVALID, "parentId", NULL);
    expect("{\"name\":\"n\",\"isRoot\":\"yes\"}", NULL, BSS_E_INVALID, "isRoot", "true or false");
    expect("{\"name\":\"n\",\"lifecycleStatus\":3}", NULL, BSS_E_INVALID, "lifecycleStatus",
           "must be a string");
    expect("{\"name\":\"n\",\"lifecycleStatus\":\"Launched\"}", NULL, BSS_E_INVALID, "lifecycleStatus",
           "not one of: In design, Active, Retired, Obsolete");
}

static void test_transitions(void **state)
{
    static const char *const st[] = {"In design", "Active", "Retired", "Obsolete"};
    static const bool ok[4][4] = {
        {true, true, false, true},
        {false, true, true, false},
        {false, false, true, true},
        {false, false, false, true},
    };
    for (int from = 0; from < 4; from++)
        for (int to = 0; to < 4; to++) {
            char doc[128], old[128];
            snprintf(doc, sizeof doc, "{\"id\":\"c\",\"name\":\"n\",\"lifecycleStatus\":\"%s\"}", st[to]);
            snprintf(old, sizeof old, "{\"id\":\"c\",\"name\":\"n\",\"lifecycleStatus\":\"%s\"}", st[from]);
            if (ok[from][to]) {
                expect(doc, old, BSS_OK, NULL, NULL);
            } else {
                char msg[96];
                snprintf(msg, sizeof msg, "cannot change from %s to %s", st[from], st[to]);
                expect(doc, old, BSS_E_STATE, "lifecycleStatus", msg);
            }
        }
    /* a patch that removed the status keeps the stored one */
    json_t *doc;
    bss_errinfo ei;
    assert_int_equal(prep("{\"name\":\"n\"}", "{\"name\":\"n\",\"lifecycleStatus\":\"Retired\"}", &doc, &ei),
                     BSS_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "lifecycleStatus")), "Retired");
    json_decref(doc);
}

static void test_valid_for(void **state)
{
    expect("{\"name\":\"n\",\"validFor\":{\"startDateTime\":\"2026-01-01T00:00:00Z\","
           "\"endDateTime\":\"2026-12-31T23:59:59.999+01:00\"}}",
           NULL, BSS_OK, NULL, NULL);
    expect("{\"name\":\"n\",\"validFor\":{\"startDateTime\":\"2026-01-01T00:00:00Z\"}}", NULL, BSS_OK, NULL,
           NULL);
    expect("{\"name\":\"n\",\"validFor\":{\"endDateTime\":\"2026-01-01T00:00:00Z\"}}", NULL, BSS_OK, NULL,
           NULL);
    expect("{\"name\":\"n\",\"validFor\":{\"startDateTime\":\"2026-01-01T00:00:00Z\","
           "\"endDateTime\":\"2026-01-01T01:00:00+01:00\"}}",
           NULL, BSS_OK, NULL, NULL); /* equal instants */
    expect("{\"name\":\"n\",\"validFor\":null}", NULL, BSS_OK, NULL, NULL);
    expect("{\"name\":\"n\",\"validFor\":\"2026\"}", NULL, BSS_E_INVALID, "validFor", "must be an object");
    expect("{\"name\":\"n\",\"validFor\":{\"startDateTime\":\"2026-02-30T00:00:00Z\"}}", NULL, BSS_E_INVALID,
           "validFor.startDateTime", NULL);
    expect("{\"name\":\"n\",\"validFor\":{\"endDateTime\":5}}", NULL, BSS_E_INVALID, "validFor.endDateTime",
           NULL);
    expect("{\"name\":\"n\",\"validFor\":{\"startDateTime\":\"2026-02-01T00:00:00Z\","
           "\"endDateTime\":\"2026-01-31T23:59:59Z\"}}",
           NULL, BSS_E_INVALID, "validFor.endDateTime", "before validFor.startDateTime");
}

static void test_root_and_parent_rules(void **state)
{
    json_t *doc;
    bss_errinfo ei;
    assert_int_equal(prep("{\"id\":\"c\",\"name\":\"n\",\"parentId\":\"p\"}", NULL, &doc, &ei), BSS_OK);
    assert_true(json_is_false(json_object_get(doc, "isRoot")));
    json_decref(doc);
    expect("{\"id\":\"c\",\"name\":\"n\",\"parentId\":\"p\",\"isRoot\":true}", NULL, BSS_E_INVALID, "isRoot",
           "cannot have a parentId");
    expect("{\"id\":\"c\",\"name\":\"n\",\"parentId\":\"\"}", NULL, BSS_E_INVALID, "parentId",
           "must not be empty");
    expect("{\"id\":\"c\",\"name\":\"n\",\"parentId\":\"c\"}", NULL, BSS_E_INVALID, "parentId", "cycle");
    expect("{\"id\":\"c\",\"name\":\"n\",\"isRoot\":false}", NULL, BSS_OK, NULL, NULL);
}

/* ---- on a store ---- */

static int setup_sqlite_store(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_sqlite, NOW);
}
static int setup_pg_store(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_pg, NOW);
}

/* The event types in the outbox, in order, joined by ','. */
static void events(bss_db *db, char *out, size_t cap)
{
    bss_db_rows *rows;
    bss_errinfo ei;
    size_t n = 0, len = 0;
    out[0] = '\0';
    assert_int_equal(bss_db_query(db, "SELECT event_type FROM outbox ORDER BY id", BSS_DB_NOARGS, &rows, &ei),
                     BSS_OK);
    while (bss_db_next(rows))
        n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "," : "", bss_db_col_text(rows, 0, &len));
    bss_db_rows_close(rows);
}

/* The write paths run inside the caller's transaction (the writer's, in the server). */
static void tx_begin(bss_db *db)
{
    bss_errinfo ei;
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
}
static bss_err tx_end(bss_db *db, bss_err rc)
{
    bss_errinfo ei;
    if (rc == BSS_OK)
        assert_int_equal(bss_db_commit(db, &ei), BSS_OK);
    else
        bss_db_rollback(db);
    return rc;
}

static bss_err create_rc(bss_db *db, const char *id, const json_t *body, json_t **out, bss_errinfo *ei)
{
    bss_doc_ctx ctx = ctx_of(db);
    tx_begin(db);
    return tx_end(db, bss_doc_create(&ctx, id, body, out, ei));
}

static bss_err delete_rc(bss_db *db, const char *id, bss_errinfo *ei)
{
    bss_doc_ctx ctx = ctx_of(db);
    tx_begin(db);
    return tx_end(db, bss_doc_delete(&ctx, id, ei));
}

static json_t *create(bss_db *db, const char *id, const char *body_text)
{
    json_t *body = js(body_text), *out = NULL;
    bss_errinfo ei;
    bss_err rc = create_rc(db, id, body, &out, &ei);
    json_decref(body);
    if (rc)
        fail_msg("create %s: %s %s", body_text, bss_errname(rc), ei.message);
    return out;
}

static bss_err patch(bss_db *db, const char *id, const char *patch_text, json_t **out, bss_errinfo *ei)
{
    bss_doc_ctx ctx = ctx_of(db);
    json_t *p = js(patch_text);
    bss_errinfo_clear(ei);
    tx_begin(db);
    bss_err rc = tx_end(db, bss_doc_patch(&ctx, id, p, out, ei));
    json_decref(p);
    return rc;
}

static void test_create_patch_delete(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    char ev[512];
    json_t *doc = create(db, "c1", "{\"id\":\"ignored\",\"href\":\"x\",\"name\":\"Phones\",\"extra\":[1,2]}");
    char *text = bss_json_dump(doc, NULL);
    assert_string_equal(
        text, "{\"id\":\"c1\",\"href\":\"http://h/tmf-api/productCatalogManagement/v4/category/c1\","
              "\"name\":\"Phones\",\"extra\":[1,2],\"@type\":\"Category\","
              "\"lifecycleStatus\":\"In design\",\"isRoot\":true,"
              "\"lastUpdate\":\"2026-01-01T00:00:00.000Z\"}");
    bss_free(text);
    json_decref(doc);
    events(db, ev, sizeof ev);
    assert_string_equal(ev, "CategoryCreateEvent");

    bss_errinfo ei;
    json_t *out = NULL;
    assert_int_equal(patch(db, "c1", "{\"name\":\"Phones\"}", &out, &ei), BSS_OK); /* no change: no event */
    json_decref(out);
    assert_int_equal(patch(db, "c1", "{\"name\":\"Mobiles\",\"extra\":null}", &out, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(out, "name")), "Mobiles");
    assert_null(json_object_get(out, "extra"));
    json_decref(out);
    assert_int_equal(patch(db, "c1", "{\"lifecycleStatus\":\"Active\"}", &out, &ei), BSS_OK);
    json_decref(out);
    assert_int_equal(patch(db, "c1", "{\"lifecycleStatus\":\"Retired\",\"version\":\"2\"}", &out, &ei),
                     BSS_OK);
    json_decref(out);
    events(db, ev, sizeof ev);
    assert_string_equal(ev, "CategoryCreateEvent,CategoryAttributeValueChangeEvent,CategoryStateChangeEvent,"
                            "CategoryAttributeValueChangeEvent,CategoryStateChangeEvent");

    assert_int_equal(patch(db, "c1", "{\"lifecycleStatus\":\"Active\"}", &out, &ei), BSS_E_STATE);
    assert_string_equal(ei.field, "lifecycleStatus");
    assert_int_equal(patch(db, "c1", "{\"id\":\"other\"}", &out, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "id");
    assert_int_equal(patch(db, "c1", "{\"href\":\"http://elsewhere\"}", &out, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "href");
    assert_int_equal(patch(db, "c1", "{\"name\":null}", &out, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "name");
    assert_int_equal(patch(db, "c1", "{\"id\":\"c1\",\"description\":\"d\"}", &out, &ei), BSS_OK);
    json_decref(out);
    assert_int_equal(patch(db, "nope", "{\"name\":\"x\"}", &out, &ei), BSS_E_NOT_FOUND);

    assert_int_equal(delete_rc(db, "c1", &ei), BSS_OK);
    assert_int_equal(delete_rc(db, "c1", &ei), BSS_E_NOT_FOUND);
    events(db, ev, sizeof ev);
    assert_non_null(strstr(ev, ",CategoryDeleteEvent"));
}

static void test_parents(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    json_decref(create(db, "a", "{\"name\":\"A\"}"));
    json_t *b = create(db, "b", "{\"name\":\"B\",\"parentId\":\"a\"}");
    assert_true(json_is_false(json_object_get(b, "isRoot")));
    json_decref(b);
    json_decref(create(db, "c", "{\"name\":\"C\",\"parentId\":\"b\"}"));

    json_t *body = js("{\"name\":\"D\",\"parentId\":\"missing\"}"), *out = NULL;
    assert_int_equal(create_rc(db, "d", body, &out, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "parentId");
    assert_null(out);
    json_decref(body);
    /* a under its own grandchild would be a cycle */
    assert_int_equal(patch(db, "a", "{\"parentId\":\"c\",\"isRoot\":false}", &out, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "parentId");
    assert_non_null(strstr(ei.message, "cycle"));
    assert_int_equal(patch(db, "c", "{\"parentId\":\"a\"}", &out, &ei), BSS_OK);
    json_decref(out);
    body = js("[]");
    assert_int_equal(create_rc(db, "e", body, &out, &ei), BSS_E_INVALID);
    json_decref(body);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_create_patch_delete, setup, dbtest_teardown),                   \
            cmocka_unit_test_setup_teardown(test_parents, setup, dbtest_teardown),                           \
    }

static const struct CMUnitTest pure_tests[] = {
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_required_and_types),
    cmocka_unit_test(test_transitions),
    cmocka_unit_test(test_valid_for),
    cmocka_unit_test(test_root_and_parent_rules),
};

DBTEST_MAIN_PURE("rules", pure_tests, STORE_TESTS, setup_sqlite_store, setup_pg_store)
