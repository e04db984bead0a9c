/*
 * test_doc.c: the document layer (src/doc/doc.h) with a kind of its own
 * over the tmf620_category table: the member checks and hrefs without a
 * store; then, on a migrated store (SQLite, and PostgreSQL when
 * configured), loading, counting and existence, create/patch/delete with
 * their events and the "nothing changed" patch, card numbers refused in
 * personal data, and the walk up a parent chain: a cycle, a missing start,
 * the end of a chain, the depth limit and an id too long to be any
 * document's (a 400, never cut to fit).
 */
#include "db/dbtest.h"

#include "core/json.h"
#include "core/time.h"
#include "db/migrate.h"
#include "doc/doc.h"
#include "unittest.h"

#define NOW INT64_C(1767225600000) /* 2026-01-01T00:00:00.000Z */

static bss_res_table thing_table = {.name = "tmf620_category"};
static const char *const thing_required[] = {"name", NULL};

static const bss_doc_kind thing = {
    .api = "productCatalogManagement",
    .path = "/t/v1/thing",
    .name = "thing",
    .type = "Thing",
    .status_field = "lifecycleStatus",
    .table = &thing_table,
    .required = thing_required,
};

/* A kind with a server-managed member its prepare hook sets, and small limits. */
static const char *const managed_members[] = {"stamp", "closedAt", NULL};

static bss_err managed_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    (void)ei;
    bss_json_set_time(doc, "stamp", ctx->now_ms);
    const char *st = json_string_value(json_object_get(doc, "status"));
    if (st && strcmp(st, "closed") == 0 && !json_object_get(doc, "closedAt"))
        bss_json_set_time(doc, "closedAt", ctx->now_ms);
    (void)old;
    return BSS_OK;
}

static const bss_doc_kind managed = {
    .api = "productCatalogManagement",
    .path = "/t/v1/managed",
    .name = "managed",
    .type = "Managed",
    .status_field = "status",
    .table = &thing_table,
    .server_managed = managed_members,
    .prepare = managed_prepare,
    .limits = {.max_bytes = 2048, .max_string = 64, .max_array = 4},
};

/* A kind that names things (one, a list, and a member that may name any kind). */
static bss_res_table pointer_table = {.name = "tmf620_catalog"};
static const bss_doc_ref pointer_refs[] = {
    {"thingId", &thing},
    {"things", &thing},
    {"about", NULL},
    {NULL, NULL},
};
static const bss_doc_kind pointer = {
    .api = "productCatalogManagement",
    .path = "/t/v1/pointer",
    .name = "pointer",
    .type = "Pointer",
    .table = &pointer_table,
    .refs = pointer_refs,
};

static const bss_doc_kind secret = {
    .api = "productCatalogManagement",
    .path = "/t/v1/secret",
    .name = "secret",
    .type = "Secret",
    .table = &thing_table,
    .personal_data = true,
};

static void test_member_checks(void **state)
{
    (void)state;
    static const char *const strings[] = {"name", "title", NULL};
    static const char *const bools[] = {"isRoot", NULL};
    static const char *const arrays[] = {"items", NULL};
    bss_errinfo ei;
    json_t *doc = js("{\"name\":\"x\",\"title\":\"\",\"isRoot\":1,\"items\":{}}");
    assert_int_equal(bss_doc_check_strings(doc, "", strings, false, &ei), BSS_OK);
    assert_int_equal(bss_doc_check_strings(doc, "a.", strings, true, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "a.title");
    assert_string_equal(ei.message, "a.title must not be empty");
    assert_int_equal(bss_doc_check_bools(doc, "", bools, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "isRoot must be true or false");
    assert_int_equal(bss_doc_check_arrays(doc, "", arrays, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "items must be an array");
    json_decref(doc);
    doc = js("{\"name\":\"\"}");
    assert_int_equal(bss_doc_check_names(doc, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "name must not be empty");
    json_decref(doc);
    doc = js("{\"@type\":3}");
    assert_int_equal(bss_doc_check_names(doc, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "@type");
    json_decref(doc);
    /* null members are absent */
    doc = js("{\"name\":null,\"isRoot\":null,\"items\":null}");
    assert_int_equal(bss_doc_check_strings(doc, "", strings, true, &ei), BSS_OK);
    assert_int_equal(bss_doc_check_bools(doc, "", bools, &ei), BSS_OK);
    assert_int_equal(bss_doc_check_arrays(doc, "", arrays, &ei), BSS_OK);
    assert_int_equal(bss_doc_check_required(&thing, doc, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "name is required");
    json_decref(doc);
}

static void test_period_and_href(void **state)
{
    (void)state;
    bss_errinfo ei;
    json_t *p = js("{\"startDateTime\":\"2026-02-01T00:00:00Z\",\"endDateTime\":\"2026-01-01T00:00:00Z\"}");
    assert_int_equal(bss_doc_check_period(p, "validFor", &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "validFor.endDateTime");
    json_decref(p);
    p = js("[]");
    assert_int_equal(bss_doc_check_period(p, "validFor", &ei), BSS_E_INVALID);
    json_decref(p);
    assert_int_equal(bss_doc_check_period(NULL, "validFor", &ei), BSS_OK);
    char buf[64];
    assert_true(bss_doc_href("http://h", &thing, "t1", buf, sizeof buf));
    assert_string_equal(buf, "http://h/t/v1/thing/t1");
    assert_true(bss_doc_href(NULL, &thing, "t1", buf, sizeof buf));
    assert_string_equal(buf, "/t/v1/thing/t1");
    assert_false(bss_doc_href("http://a-very-long-base-url.example", &thing, "t1", buf, 16));
}

static void test_walk_without_store(void **state)
{
    (void)state;
    bss_doc_walk w;
    bss_errinfo ei;
    assert_int_equal(bss_doc_walk_up(NULL, &thing, "a", "parentId", "a", 8, "parentId", &w, &ei), BSS_OK);
    assert_true(w.cycle);
    assert_int_equal(bss_doc_walk_up(NULL, &thing, "a", "parentId", "b", 8, "parentId", &w, &ei), BSS_OK);
    assert_false(w.cycle);
    assert_int_equal(w.steps, 0);
    char longid[BSS_ID_MAX + 2];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    assert_int_equal(bss_doc_walk_up(NULL, &thing, longid, "parentId", "b", 8, "parentId", &w, &ei),
                     BSS_E_INVALID);
    assert_string_equal(ei.field, "parentId");
    assert_non_null(strstr(ei.message, "at most 64 characters"));
}

static int setup_sqlite_store(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_sqlite, NOW);
}

static int setup_pg_store(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_pg, NOW);
}

/* Runs one write in its own transaction, as a writer job would. */
static bss_err doc_write(bss_db *db, const bss_doc_kind *kind, char op, const char *id, const char *text,
                         json_t **out, bss_errinfo *ei)
{
    bss_doc_ctx ctx = {kind, db, NOW, "http://h", NULL, NULL, NULL, false, NULL};
    json_t *body = text ? js(text) : NULL, *res = NULL;
    assert_int_equal(bss_db_begin(db, ei), BSS_OK);
    bss_err rc = op == 'c'   ? bss_doc_create(&ctx, id, body, &res, ei)
                 : op == 'p' ? bss_doc_patch(&ctx, id, body, &res, ei)
                             : bss_doc_delete(&ctx, id, ei);
    if (rc == BSS_OK)
        assert_int_equal(bss_db_commit(db, ei), BSS_OK);
    else
        bss_db_rollback(db);
    json_decref(body);
    if (out)
        *out = res;
    else
        json_decref(res);
    return rc;
}

static int64_t events(bss_db *db, const char *type)
{
    int64_t n = -1;
    bss_errinfo ei;
    assert_int_equal(bss_db_query_int64(db, "SELECT COUNT(*) FROM outbox WHERE event_type = ?",
                                        BSS_DB_ARGS(BSS_DB_STR(type)), &n, &ei),
                     BSS_OK);
    return n;
}

static void test_write_paths(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    json_t *doc = NULL;
    assert_int_equal(doc_write(db, &thing, 'c', "t1", "{\"id\":\"ignored\",\"name\":\"One\"}", &doc, &ei),
                     BSS_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "id")), "t1");
    assert_string_equal(json_string_value(json_object_get(doc, "href")), "http://h/t/v1/thing/t1");
    assert_string_equal(json_string_value(json_object_get(doc, "@type")), "Thing");
    json_decref(doc);
    assert_int_equal(events(db, "ThingCreateEvent"), 1);
    assert_int_equal(doc_write(db, &thing, 'c', "t2", "{}", NULL, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "name");
    assert_int_equal(doc_write(db, &thing, 'c', "t2", "[]", NULL, &ei), BSS_E_INVALID);

    /* a patch that changes nothing writes nothing; status and attributes make their own events */
    assert_int_equal(doc_write(db, &thing, 'p', "t1", "{\"name\":\"One\",\"gone\":null}", NULL, &ei), BSS_OK);
    assert_int_equal(events(db, "ThingAttributeValueChangeEvent"), 0);
    assert_int_equal(events(db, "ThingStateChangeEvent"), 0); /* no status before or after: no change */
    assert_int_equal(
        doc_write(db, &thing, 'p', "t1", "{\"name\":\"Uno\",\"lifecycleStatus\":\"Active\"}", NULL, &ei),
        BSS_OK);
    assert_int_equal(events(db, "ThingAttributeValueChangeEvent"), 1);
    assert_int_equal(events(db, "ThingStateChangeEvent"), 1);
    assert_int_equal(doc_write(db, &thing, 'p', "t1", "{\"href\":\"x\"}", NULL, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "href");
    assert_int_equal(doc_write(db, &thing, 'p', "nope", "{\"name\":\"x\"}", NULL, &ei), BSS_E_NOT_FOUND);
    assert_string_equal(ei.message, "no thing with id nope");

    /* load, exists, count */
    bss_doc_meta meta;
    assert_int_equal(bss_doc_load(db, &thing, "t1", &doc, &meta, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "Uno");
    assert_int_equal(meta.row_version, 2);
    json_decref(doc);
    assert_int_equal(bss_doc_load(db, &thing, "t9", &doc, NULL, &ei), BSS_E_NOT_FOUND);
    assert_null(doc);
    assert_string_equal(ei.field, "id");
    bool found = true;
    assert_int_equal(bss_doc_exists(db, &thing, "t9", &found, &ei), BSS_OK);
    assert_false(found);
    int64_t n = 0;
    assert_int_equal(bss_doc_count(db, &thing, &n, &ei), BSS_OK);
    assert_int_equal(n, 1);

    /* personal data never holds a card number, wherever it is */
    assert_int_equal(
        doc_write(db, &secret, 'c', "s1", "{\"note\":[{\"text\":\"card 4111 1111 1111 1111\"}]}", NULL, &ei),
        BSS_E_INVALID);
    assert_string_equal(ei.field, "note[0].text");

    assert_int_equal(doc_write(db, &thing, 'd', "t1", NULL, NULL, &ei), BSS_OK);
    assert_int_equal(events(db, "ThingDeleteEvent"), 1);
    assert_int_equal(bss_doc_count(db, &thing, &n, &ei), BSS_OK);
    assert_int_equal(n, 0);
}

static void test_walk_up(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    /* a chain c5 -> c4 -> ... -> c0 (each names its parent) */
    for (int i = 0; i < 6; i++) {
        char id[8], body[64];
        snprintf(id, sizeof id, "c%d", i);
        if (i == 0)
            snprintf(body, sizeof body, "{\"name\":\"c0\"}");
        else
            snprintf(body, sizeof body, "{\"name\":\"%s\",\"parentId\":\"c%d\"}", id, i - 1);
        assert_int_equal(doc_write(db, &thing, 'c', id, body, NULL, &ei), BSS_OK);
    }
    bss_doc_walk w;
    assert_int_equal(bss_doc_walk_up(db, &thing, "c5", "parentId", "new", 64, "parentId", &w, &ei), BSS_OK);
    assert_false(w.cycle);
    assert_false(w.too_deep);
    assert_int_equal(w.steps, 6);
    /* linking c0 under c5 would close a loop: c0 is above c5 */
    assert_int_equal(bss_doc_walk_up(db, &thing, "c5", "parentId", "c0", 64, "parentId", &w, &ei), BSS_OK);
    assert_true(w.cycle);
    /* the depth limit */
    assert_int_equal(bss_doc_walk_up(db, &thing, "c5", "parentId", "new", 3, "parentId", &w, &ei), BSS_OK);
    assert_true(w.too_deep);
    assert_int_equal(w.steps, 3);
    assert_int_equal(bss_doc_walk_up(db, &thing, "c5", "parentId", "new", 6, "parentId", &w, &ei), BSS_OK);
    assert_false(w.too_deep);
    /* a missing start is the caller's 404/400; a parent gone further up ends the chain */
    assert_int_equal(bss_doc_walk_up(db, &thing, "zz", "parentId", "new", 8, "parentId", &w, &ei),
                     BSS_E_NOT_FOUND);
    assert_string_equal(ei.field, "parentId");
    assert_int_equal(doc_write(db, &thing, 'd', "c2", NULL, NULL, &ei), BSS_OK);
    assert_int_equal(bss_doc_walk_up(db, &thing, "c5", "parentId", "c0", 64, "parentId", &w, &ei), BSS_OK);
    assert_false(w.cycle);
    assert_int_equal(w.steps, 3);
}

static void test_server_rules(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    json_t *doc = NULL;
    /* server-managed members: ignored on create and on patch alike, set only by the server */
    assert_int_equal(doc_write(db, &managed, 'c', "m1", "{\"stamp\":\"1999-01-01T00:00:00Z\",\"closedAt\":\"x\"}",
                               &doc, &ei),
                     BSS_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "stamp")), "2026-01-01T00:00:00.000Z");
    assert_null(json_object_get(doc, "closedAt"));
    json_decref(doc);
    assert_int_equal(doc_write(db, &managed, 'p', "m1", "{\"closedAt\":\"2020-01-01T00:00:00Z\"}", &doc, &ei), BSS_OK);
    assert_null(json_object_get(doc, "closedAt"));
    json_decref(doc);
    assert_int_equal(doc_write(db, &managed, 'p', "m1", "{\"status\":\"closed\"}", &doc, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "closedAt")), "2026-01-01T00:00:00.000Z");
    json_decref(doc);
    assert_int_equal(doc_write(db, &managed, 'p', "m1", "{\"closedAt\":null}", &doc, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "closedAt")), "2026-01-01T00:00:00.000Z");
    json_decref(doc);

    /* @type: the kind's, or an extension type naming it as @baseType */
    assert_int_equal(doc_write(db, &thing, 'c', "ty1", "{\"name\":\"x\",\"@type\":null}", &doc, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "@type")), "Thing");
    json_decref(doc);
    assert_int_equal(doc_write(db, &thing, 'c', "ty2", "{\"name\":\"x\",\"@type\":\"Other\"}", NULL, &ei),
                     BSS_E_INVALID);
    assert_string_equal(ei.field, "@type");
    assert_string_equal(ei.message, "@type 'Other' does not match this resource (Thing); an extension type must also "
                                    "say \"@baseType\": \"Thing\"");
    assert_int_equal(doc_write(db, &thing, 'c', "ty2", "{\"name\":\"x\",\"@type\":5}", NULL, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "@type must be a string (Thing)");
    assert_int_equal(
        doc_write(db, &thing, 'c', "ty3", "{\"name\":\"x\",\"@type\":\"BigThing\",\"@baseType\":\"Thing\"}", NULL, &ei),
        BSS_OK);
    assert_int_equal(doc_write(db, &thing, 'p', "ty1", "{\"@type\":\"Other\"}", NULL, &ei), BSS_E_INVALID);
    assert_int_equal(doc_write(db, &thing, 'p', "ty1", "{\"@type\":null}", &doc, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "@type")), "Thing");
    json_decref(doc);

    /* ids: the safe alphabet only */
    const char *bad_ids[] = {"a b", "a?b", "a/b", "a%20b", "..", ".", "", "ä", "a#b", NULL};
    for (int i = 0; bad_ids[i]; i++) {
        assert_int_equal(doc_write(db, &thing, 'c', bad_ids[i], "{\"name\":\"x\"}", NULL, &ei), BSS_E_INVALID);
        assert_string_equal(ei.field, "id");
    }
    assert_true(bss_doc_id_ok("Plan_2026.v1~eu-west"));
    assert_false(bss_doc_id_ok(NULL));
    char longid[BSS_ID_MAX + 2];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    assert_false(bss_doc_id_ok(longid));
    longid[BSS_ID_MAX] = '\0';
    assert_true(bss_doc_id_ok(longid));

    /* limits: a string, an array, the whole document; the kind's own, else the server's */
    assert_int_equal(doc_write(db, &managed, 'c', "m2", "{\"a\":{\"b\":[\"x\",\"0123456789012345678901234567890123456789"
                                                     "01234567890123456789012345\"]}}",
                               NULL, &ei),
                     BSS_E_INVALID);
    assert_string_equal(ei.field, "a.b[1]");
    assert_string_equal(ei.message, "a.b[1] is longer than 64 bytes");
    assert_int_equal(doc_write(db, &managed, 'c', "m2", "{\"list\":[1,2,3,4,5]}", NULL, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "list has more than 4 elements");
    assert_int_equal(doc_write(db, &managed, 'p', "m1", "{\"list\":[1,2,3,4,5]}", NULL, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "list");
    char big[4096];
    size_t n = (size_t)snprintf(big, sizeof big, "{");
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s\"k%02d\":\"%040d\"", i ? "," : "", i, i);
    snprintf(big + n, sizeof big - n, "}");
    assert_int_equal(doc_write(db, &managed, 'c', "m3", big, NULL, &ei), BSS_E_TOO_BIG);
    assert_non_null(strstr(ei.message, "over the limit of 2048"));
    bss_doc_limits server = {.max_string = 8};
    bss_doc_ctx ctx = {&thing, db, NOW, "http://h", NULL, &server, NULL, false, NULL};
    json_t *body = js("{\"name\":\"a long name\"}"), *res = NULL;
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    assert_int_equal(bss_doc_create(&ctx, "lim", body, &res, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "name is longer than 8 bytes");
    bss_db_rollback(db);
    json_decref(body);
}

static int64_t ref_rows(bss_db *db)
{
    int64_t n = -1;
    bss_errinfo ei;
    assert_int_equal(bss_db_query_int64(db, "SELECT COUNT(*) FROM doc_ref", BSS_DB_NOARGS, &n, &ei), BSS_OK);
    return n;
}

static void test_references(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    for (int i = 1; i <= 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "t%d", i);
        assert_int_equal(doc_write(db, &thing, 'c', id, "{\"name\":\"x\"}", NULL, &ei), BSS_OK);
    }
    assert_int_equal(doc_write(db, &pointer, 'c', "p1", "{\"thingId\":\"t1\",\"things\":[{\"id\":\"t2\"},\"t3\",7]}",
                               NULL, &ei),
                     BSS_OK);
    assert_int_equal(doc_write(db, &pointer, 'c', "p2", "{\"about\":{\"id\":\"t4\"},\"things\":[\"t2\",\"t2\"]}", NULL,
                               &ei),
                     BSS_OK);
    assert_int_equal(ref_rows(db), 5);
    /* a named document cannot go; the message names who names it */
    assert_int_equal(doc_write(db, &thing, 'd', "t1", NULL, NULL, &ei), BSS_E_CONFLICT);
    assert_string_equal(ei.field, "id");
    assert_string_equal(ei.message, "thing t1 is still named by pointer p1 (thingId): change or delete it first");
    assert_int_equal(doc_write(db, &thing, 'd', "t2", NULL, NULL, &ei), BSS_E_CONFLICT);
    assert_string_equal(ei.message,
                        "thing t2 is still named by pointer p1 (things), pointer p2 (things): change or delete them first");
    assert_int_equal(doc_write(db, &thing, 'd', "t4", NULL, NULL, &ei), BSS_E_CONFLICT); /* via the any-kind member */
    assert_int_equal(doc_write(db, &thing, 'd', "t5", NULL, NULL, &ei), BSS_OK);       /* named by nobody */
    /* a patch rewrites what a document names */
    assert_int_equal(doc_write(db, &pointer, 'p', "p1", "{\"thingId\":null}", NULL, &ei), BSS_OK);
    assert_int_equal(doc_write(db, &thing, 'd', "t1", NULL, NULL, &ei), BSS_OK);
    /* deleting the referrer frees the rest */
    assert_int_equal(doc_write(db, &pointer, 'd', "p1", NULL, NULL, &ei), BSS_OK);
    assert_int_equal(doc_write(db, &thing, 'd', "t3", NULL, NULL, &ei), BSS_OK);
    assert_int_equal(ref_rows(db), 2); /* p2: t4 (about) and t2 (things) */

    /* the index is rebuilt from the documents when the declarations change (or on first start) */
    const bss_doc_kind *const kinds[] = {&thing, &pointer, NULL};
    bool rebuilt = false;
    assert_int_equal(bss_db_exec(db, "DELETE FROM doc_ref", BSS_DB_NOARGS, NULL, &ei), BSS_OK);
    assert_int_equal(bss_doc_refs_sync(db, kinds, &rebuilt, &ei), BSS_OK);
    assert_true(rebuilt);
    assert_int_equal(ref_rows(db), 2);
    assert_int_equal(bss_doc_refs_sync(db, kinds, &rebuilt, &ei), BSS_OK);
    assert_false(rebuilt); /* same declarations: nothing to do */
    const bss_doc_kind *const fewer[] = {&thing, NULL};
    assert_int_equal(bss_doc_refs_sync(db, fewer, &rebuilt, &ei), BSS_OK);
    assert_true(rebuilt);
    assert_int_equal(ref_rows(db), 0);
    assert_int_equal(doc_write(db, &thing, 'd', "t2", NULL, NULL, &ei), BSS_OK);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_write_paths, setup, dbtest_teardown),                           \
            cmocka_unit_test_setup_teardown(test_server_rules, setup, dbtest_teardown),                      \
            cmocka_unit_test_setup_teardown(test_references, setup, dbtest_teardown),                        \
            cmocka_unit_test_setup_teardown(test_walk_up, setup, dbtest_teardown),                           \
    }

static const struct CMUnitTest pure_tests[] = {
    cmocka_unit_test(test_member_checks),
    cmocka_unit_test(test_period_and_href),
    cmocka_unit_test(test_walk_without_store),
};

DBTEST_MAIN_PURE("doc", pure_tests, STORE_TESTS, setup_sqlite_store, setup_pg_store)
