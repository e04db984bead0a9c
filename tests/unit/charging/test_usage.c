/*
 * test_usage.c: the doors of usage (usage_in.c) and a batch in the store
 * (usage.c, migration 0017) on SQLite and PostgreSQL: a TMF635 Usage is
 * checked member by member; a CDR chunk's malformed rows become rejects
 * numbered as lines of the file; a record id is stored once, whether it
 * comes twice in a batch or again in a later one; a usage no line can rate
 * is stored rejected with its reason, and a recycle that still cannot rate
 * it keeps it so; running the writer job twice (a retry) stores it once.
 * Rating against real lines is in tests/e2e/usage.test.mjs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../db/dbtest.h"

#include "charging/charging_int.h"
#include "core/json.h"
#include "core/mem.h"

#define NOW INT64_C(1780480800000) /* 2026-06-03T10:00:00Z */

static int setup_sqlite(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_sqlite, NOW);
}
static int setup_pg(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_pg, NOW);
}

/* A Usage body with these characteristics (JSON text of the array). */
static bss_err from_json(const char *type, const char *date, const char *chars, const char *idem,
                         bss_usage_json_rec *out, bss_errinfo *ei)
{
    char text[2048];
    snprintf(text, sizeof text, "{\"usageType\":\"%s\",\"usageDate\":\"%s\",\"usageCharacteristic\":%s}", type, date,
             chars);
    json_t *body = json_loads(text, 0, NULL);
    assert_non_null(body);
    bss_cdr_limits lim = bss_cdr_limits_default(NOW);
    bss_err rc = bss_usage_from_json(body, idem, &lim, out, ei);
    json_decref(body);
    return rc;
}

static void expect_json_error(const char *type, const char *date, const char *chars, const char *field,
                              const char *message)
{
    bss_usage_json_rec u;
    bss_errinfo ei;
    assert_int_equal(from_json(type, date, chars, NULL, &u, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, field);
    if (message)
        assert_string_equal(ei.message, message);
}

#define CALL "{\"name\":\"msisdn\",\"value\":\"+31612345678\"},{\"name\":\"destination\",\"value\":\"3120\"}"

static void test_from_json(void **state)
{
    (void)state;
    bss_usage_json_rec u;
    bss_errinfo ei;
    assert_int_equal(from_json("voice", "2026-06-03T09:00:00Z",
                               "[{\"name\":\"recordId\",\"value\":\"r-1\"}," CALL
                               ",{\"name\":\"quantity\",\"value\":61},{\"name\":\"cell\",\"value\":\"A1\"}]",
                               NULL, &u, &ei),
                     BSS_OK);
    assert_string_equal(u.rec.id, "r-1");
    assert_string_equal(u.rec.msisdn, "31612345678");
    assert_int_equal(u.rec.quantity, 61);
    assert_int_equal(u.rec.service, BSS_CDR_VOICE);
    assert_int_equal(u.rec.rating_group, -1);
    assert_string_equal(u.doc, "{\"usageCharacteristic\":[{\"name\":\"cell\",\"value\":\"A1\"}]}");
    bss_usage_json_rec_free(&u);
    /* the Idempotency-Key is the id when no recordId is given; a quantity may come as text */
    assert_int_equal(from_json("data", "2026-06-03T09:00:00Z",
                               "[{\"name\":\"msisdn\",\"value\":\"31612345678\"},{\"name\":\"quantity\",\"value\":\"1500\"},"
                               "{\"name\":\"ratingGroup\",\"value\":10}]",
                               "key-1", &u, &ei),
                     BSS_OK);
    assert_string_equal(u.rec.id, "key-1");
    assert_int_equal(u.rec.quantity, 1500);
    assert_int_equal(u.rec.rating_group, 10);
    assert_null(u.doc);
    bss_usage_json_rec_free(&u);
    expect_json_error("fax", "2026-06-03T09:00:00Z", "[]", "usageType",
                      "usageType is one of voice, sms, mms, data, content");
    expect_json_error("voice", "2026-06-03T10:05:01Z", "[]", "usageDate",
                      "usageDate is in the future (more than 300 s ahead)");
    expect_json_error("voice", "2026-06-03T09:00:00Z", "[" CALL ",{\"name\":\"quantity\",\"value\":1}]", "recordId",
                      "a usage changes money: give it a recordId characteristic or an Idempotency-Key header");
    expect_json_error("voice", "2026-06-03T09:00:00Z",
                      "[{\"name\":\"recordId\",\"value\":\"a b\"}," CALL ",{\"name\":\"quantity\",\"value\":1}]",
                      "recordId", NULL);
    expect_json_error("voice", "2026-06-03T09:00:00Z",
                      "[{\"name\":\"recordId\",\"value\":\"r\"}," CALL ",{\"name\":\"quantity\",\"value\":-1}]",
                      "quantity", NULL);
    expect_json_error("voice", "2026-06-03T09:00:00Z",
                      "[{\"name\":\"recordId\",\"value\":\"r\"}," CALL ",{\"name\":\"quantity\",\"value\":86401}]",
                      "quantity", "quantity 86401 is more than the most a usage may hold (86400 s)");
    expect_json_error("voice", "2026-06-03T09:00:00Z",
                      "[{\"name\":\"recordId\",\"value\":\"r\"},{\"name\":\"msisdn\",\"value\":\"31612345678\"},"
                      "{\"name\":\"quantity\",\"value\":1}]",
                      "destination", "characteristic destination is 1 to 20 digits for voice");
    expect_json_error("data", "2026-06-03T09:00:00Z",
                      "[{\"name\":\"recordId\",\"value\":\"r\"},{\"name\":\"msisdn\",\"value\":\"31612345678\"},"
                      "{\"name\":\"quantity\",\"value\":1},{\"name\":\"unit\",\"value\":\"s\"}]",
                      "unit", "a data usage counts in byte, not s");
    expect_json_error("sms", "2026-06-03T09:00:00Z",
                      "[{\"name\":\"recordId\",\"value\":\"r\"}," CALL
                      ",{\"name\":\"quantity\",\"value\":1},{\"name\":\"ratingGroup\",\"value\":3}]",
                      "ratingGroup", NULL);
    expect_json_error("voice", "2026-06-03T09:00:00Z",
                      "[{\"name\":\"recordId\",\"value\":\"r\"}," CALL
                      ",{\"name\":\"quantity\",\"value\":1},{\"name\":\"quantity\",\"value\":2}]",
                      "usageCharacteristic.value", "characteristic quantity appears twice");
}

#define HDR "record_id,start_time,msisdn,service,destination,quantity,unit\n"

static void test_chunk_lines(void **state)
{
    (void)state;
    /* a chunk of a file whose first row is line 101: the rejects name the file's lines */
    const char *data = HDR "a-1,2026-06-03T09:00:00Z,31612345678,voice,3120,10,s\n"
                           "a-2,2026-06-03T09:00:00Z,31612345678,voice,3120,-1,s\n"
                           "\n"
                           "a-3,2026-06-03T09:00:00Z,31612345678,voice\n"
                           "a 4,2026-06-03T09:00:00Z,31612345678,voice,3120,10,s\n";
    bss_usage_env env = {.now_ms = NOW, .source = "cdr"};
    bss_usage_batch *b = bss_usage_batch_new(NULL, &env);
    assert_non_null(b);
    bss_usage_chunk c;
    bss_errinfo ei;
    bss_cdr_limits lim = bss_cdr_limits_default(NOW);
    assert_int_equal(bss_usage_chunk_read(&c, data, strlen(data), 99, &lim, b, &ei), BSS_OK);
    assert_int_equal(c.read, 4);
    assert_int_equal(bss_usage_batch_count(b), 1);
    assert_int_equal(bss_usage_batch_line(b, 0), 101);
    assert_int_equal(c.nrejects, 3);
    assert_int_equal(c.rejects[0].line, 102);
    assert_string_equal(c.rejects[0].reason, "line 102: quantity -1 is not a whole number >= 0");
    assert_string_equal(c.rejects[0].raw, "a-2,2026-06-03T09:00:00Z,31612345678,voice,3120,-1,s");
    assert_int_equal(c.rejects[1].line, 104);
    assert_string_equal(c.rejects[1].reason, "line 104: the row has 4 fields, the header 7 (a truncated file?)");
    assert_string_equal(c.rejects[2].reason,
                        "line 105: record_id holds a character other than A-Z a-z 0-9 . _ : ~ -");
    bss_usage_chunk_free(&c);
    bss_usage_batch_free(b);
    /* a bad header refuses the whole chunk */
    b = bss_usage_batch_new(NULL, &env);
    assert_int_equal(bss_usage_chunk_read(&c, "record_id,quantity\n", 19, 0, &lim, b, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "line 1");
    bss_usage_chunk_free(&c);
    bss_usage_batch_free(b);
}

static void add(bss_usage_batch *b, const char *id, const char *msisdn)
{
    bss_usage_rec r = {.id = id, .start_ms = NOW - 60000, .msisdn = msisdn, .service = BSS_CDR_SMS,
                       .destination = "3120", .quantity = 1, .rating_group = -1};
    bss_errinfo ei;
    assert_int_equal(bss_usage_batch_add(b, &r, &ei), BSS_OK);
}

static int64_t count(bss_db *db, const char *sql)
{
    int64_t n = -1;
    bss_errinfo ei;
    assert_int_equal(bss_db_query_int64(db, sql, NULL, 0, &n, &ei), BSS_OK);
    return n;
}

static void test_store_once(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_usage_env uenv = {.now_ms = NOW, .source = "cdr", .source_ref = "f.csv"};
    bss_usage_batch *b = bss_usage_batch_new(NULL, &uenv);
    add(b, "u-1", "31600000001");
    add(b, "u-2", "31600000002");
    add(b, "u-1", "31600000001"); /* the same id again in the batch */
    /* no catalog, no lines: every record is an unknown subscriber */
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(bss_usage_batch_commit(env->db, b, &ei), BSS_OK);
    assert_int_equal(bss_db_rollback(env->db), BSS_OK); /* a retried job: the first run left nothing */
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(bss_usage_batch_commit(env->db, b, &ei), BSS_OK);
    assert_int_equal(bss_db_commit(env->db, &ei), BSS_OK);
    bss_usage_totals t;
    bss_usage_batch_totals(b, &t);
    assert_int_equal(t.records, 3);
    assert_int_equal(t.rejected, 2);
    assert_int_equal(t.duplicates, 1);
    assert_int_equal(t.rated, 0);
    assert_int_equal(bss_usage_batch_result(b, 0)->status, BSS_USAGE_REJECTED);
    assert_string_equal(bss_usage_batch_result(b, 0)->reason_code, "unknownSubscriber");
    assert_string_equal(bss_usage_batch_result(b, 0)->reason, "no live line has the number 31600000001");
    assert_int_equal(bss_usage_batch_result(b, 2)->status, BSS_USAGE_DUPLICATE);
    assert_string_equal(bss_usage_batch_result(b, 2)->reason, "record u-1 is already in this batch");
    bss_usage_batch_free(b);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM usage_record WHERE status = 'rejected'"), 2);
    /* a later batch with a stored id: a duplicate, nothing stored twice */
    b = bss_usage_batch_new(NULL, &uenv);
    add(b, "u-2", "31600000002");
    add(b, "u-3", "31600000003");
    assert_int_equal(bss_db_tx(env->db, bss_usage_batch_commit, b, &ei), BSS_OK);
    assert_int_equal(bss_usage_batch_result(b, 0)->status, BSS_USAGE_DUPLICATE);
    assert_string_equal(bss_usage_batch_result(b, 0)->reason, "record u-2 was received before");
    assert_int_equal(bss_usage_batch_result(b, 1)->status, BSS_USAGE_REJECTED);
    bss_usage_batch_free(b);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM usage_record"), 3);
    /* a recycle that still finds no line keeps them rejected, one attempt more */
    bss_usage_env renv = {.now_ms = NOW + 1000, .source = "rest", .recycle = true};
    b = bss_usage_batch_new(NULL, &renv);
    assert_int_equal(bss_usage_recycle_load(env->db, b, "31600000002", NULL, 10, &ei), BSS_OK);
    assert_int_equal(bss_usage_batch_count(b), 1);
    assert_int_equal(bss_db_tx(env->db, bss_usage_batch_commit, b, &ei), BSS_OK);
    bss_usage_batch_totals(b, &t);
    assert_int_equal(t.rejected, 1);
    bss_usage_batch_free(b);
    assert_int_equal(count(env->db, "SELECT attempts FROM usage_record WHERE id = 'u-2'"), 2);
    assert_int_equal(bss_usage_recycle_load(env->db, b = bss_usage_batch_new(NULL, &renv), NULL, NULL, 0, &ei),
                     BSS_E_INVALID);
    bss_usage_batch_free(b);
    /* read back as TMF635 */
    json_t *u = NULL;
    assert_int_equal(bss_usage_get_json(env->db, "http://x", "u-3", &u, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(u, "status")), "rejected");
    assert_string_equal(json_string_value(json_object_get(json_object_get(u, "statusReason"), "code")),
                        "unknownSubscriber");
    assert_string_equal(json_string_value(json_object_get(u, "href")),
                        "http://x/tmf-api/usageManagement/v4/usage/u-3");
    json_decref(u);
    assert_int_equal(bss_usage_get_json(env->db, "http://x", "nope", &u, &ei), BSS_E_NOT_FOUND);
    bss_usage_query q = {.status = "rejected", .from_ms = INT64_MIN, .to_ms = INT64_MAX, .limit = 10};
    int64_t total = 0;
    assert_int_equal(bss_usage_list_json(env->db, "", &q, &u, &total, &ei), BSS_OK);
    assert_int_equal(total, 3);
    json_decref(u);
    q.msisdn = "31600000003";
    assert_int_equal(bss_usage_list_json(env->db, "", &q, &u, &total, &ei), BSS_OK);
    assert_int_equal(total, 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(u, 0), "id")), "u-3");
    json_decref(u);
}

/*
 * A batch prepared on one connection looks its ids up there first, and
 * reads no line for those stored already; the writer looks again and
 * decides: an id stored then but gone by the commit is charged after all
 * (its line read on the writer), one stored meanwhile is a duplicate.
 */
static void test_prepared_duplicates(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_usage_env uenv = {.now_ms = NOW, .source = "cdr", .source_ref = "f.csv"};
    bss_catalog_source src;
    bss_catalog_source_init(&src);
    bss_catalog *cat = NULL; /* an empty catalog: lines are read, none is live */
    assert_int_equal(bss_catalog_compile(&src, &cat, &ei), BSS_OK);
    bss_catalog_source_clear(&src);
    bss_usage_batch *b = bss_usage_batch_new(cat, &uenv);
    add(b, "p-1", "31600000001");
    assert_int_equal(bss_db_tx(env->db, bss_usage_batch_commit, b, &ei), BSS_OK);
    bss_usage_batch_free(b);
    /* p-1 stored; the next batch has it again, and p-2 */
    b = bss_usage_batch_new(cat, &uenv);
    add(b, "p-1", "31600000001");
    add(b, "p-2", "31600000002");
    assert_int_equal(bss_usage_batch_prepare(b, env->db, &ei), BSS_OK);
    /* between the prepare and the commit: p-1 goes, p-2 arrives by another door */
    assert_int_equal(bss_db_exec(env->db, "DELETE FROM usage_record WHERE id = 'p-1'", BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    bss_usage_batch *other = bss_usage_batch_new(cat, &uenv);
    add(other, "p-2", "31600000002");
    assert_int_equal(bss_db_tx(env->db, bss_usage_batch_commit, other, &ei), BSS_OK);
    bss_usage_batch_free(other);
    assert_int_equal(bss_db_tx(env->db, bss_usage_batch_commit, b, &ei), BSS_OK);
    assert_int_equal(bss_usage_batch_result(b, 0)->status, BSS_USAGE_REJECTED); /* charged: no line has the number */
    assert_string_equal(bss_usage_batch_result(b, 0)->reason, "no live line has the number 31600000001");
    assert_int_equal(bss_usage_batch_result(b, 1)->status, BSS_USAGE_DUPLICATE);
    assert_string_equal(bss_usage_batch_result(b, 1)->reason, "record p-2 was received before");
    bss_usage_batch_free(b);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM usage_record WHERE id IN ('p-1', 'p-2')"), 2);
    bss_catalog_free(cat);
}

static void test_batch_limits(void **state)
{
    (void)state;
    bss_usage_env env = {.now_ms = NOW, .source = "cdr"};
    bss_usage_batch *b = bss_usage_batch_new(NULL, &env);
    bss_errinfo ei;
    bss_usage_rec r = {.id = "x", .msisdn = "123", .service = BSS_CDR_SMS, .rating_group = -1};
    assert_int_equal(bss_usage_batch_add(b, &r, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "msisdn");
    r.msisdn = "31612345678";
    r.id = "x/y";
    assert_int_equal(bss_usage_batch_add(b, &r, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "id");
    char id[16];
    for (int i = 0; i < BSS_USAGE_BATCH_MAX; i++) {
        snprintf(id, sizeof id, "r%d", i);
        r.id = id;
        assert_int_equal(bss_usage_batch_add(b, &r, &ei), BSS_OK);
    }
    r.id = "one-more";
    assert_int_equal(bss_usage_batch_add(b, &r, &ei), BSS_E_RANGE);
    bss_usage_batch_free(b);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_store_once, setup, dbtest_teardown),                            \
            cmocka_unit_test_setup_teardown(test_prepared_duplicates, setup, dbtest_teardown),               \
    }

static const struct CMUnitTest pure_tests[] = {cmocka_unit_test(test_from_json), cmocka_unit_test(test_chunk_lines),
                                               cmocka_unit_test(test_batch_limits)};

DBTEST_MAIN_PURE("doors", pure_tests, STORE_TESTS, setup_sqlite, setup_pg)
