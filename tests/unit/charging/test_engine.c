/*
 * test_engine.c: the resident lines (engine.c) on SQLite and PostgreSQL:
 * a line read once is answered from memory on its connection; a change to
 * its product, an add-on of it or its billing account is seen at the next
 * read; what a rolled-back transaction showed is never kept; a new catalog
 * snapshot and the most lines held start it empty; another connection, or
 * no transaction, reads the store every time; a CDR batch's lines, their
 * documents read elsewhere, kept only when nothing changed since.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../db/dbtest.h"
#include "../unittest.h"

#include "charging/charging_int.h"
#include "core/json.h"
#include "core/mem.h"
#include "customer/customer.h"
#include "db/resource.h"
#include "order/order.h"

#define NOW INT64_C(1780480800000) /* 2026-06-03T10:00:00Z */

#define EUR(v) "{\"unit\":\"EUR\",\"value\":" v "}"
#define VOICE(id, v)                                                                                         \
    "{\"id\":\"" id "\",\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"minute\"},"      \
    "\"price\":" EUR(v) ",\"usage\":{\"service\":\"voice\",\"increments\":{\"first\":60,\"next\":60},"         \
    "\"zoneTableId\":\"zt\",\"timeBandPlanId\":\"tb\"}}"

static const char *const catalog_src =
    "{\"zoneTables\":[{\"id\":\"zt\",\"name\":\"NL\",\"kind\":\"destination\",\"defaultZone\":\"world\","
    "\"zones\":[{\"name\":\"national\",\"prefixes\":[\"31\"]},{\"name\":\"world\",\"prefixes\":[]}]}],"
    "\"timeBandPlans\":[{\"id\":\"tb\",\"name\":\"all day\",\"timeZone\":\"UTC\",\"bands\":[{\"name\":\"any\","
    "\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"],\"from\":\"00:00\",\"to\":\"24:00\"}]}],"
    "\"specifications\":[{\"id\":\"spec\",\"lifecycleStatus\":\"Active\"}],"
    "\"prices\":[" VOICE("pop-voice", "0.10") "," VOICE("pop-voice-addon", "0.05") "],"
    "\"offerings\":[{\"id\":\"po-base\",\"name\":\"Base\",\"lifecycleStatus\":\"Active\","
    "\"productSpecification\":{\"id\":\"spec\"},\"productOfferingPrice\":[{\"id\":\"pop-voice\"}]},"
    "{\"id\":\"po-addon\",\"name\":\"Cheap calls\",\"productOfferingRelationship\":[{\"id\":\"po-base\","
    "\"relationshipType\":\"addOnTo\"}],\"productOfferingPrice\":[{\"id\":\"pop-voice-addon\"}]}]}";

#define NUMBER "31612345678"
#define P1 "0190a000-0000-7000-8000-000000000001"
#define P2 "0190a000-0000-7000-8000-000000000002"
#define BA "0190a000-0000-7000-8000-0000000000ba"

typedef struct fixture {
    dbtest_env *env;
    bss_catalog_holder *holder;
    const bss_catalog *cat;
    bss_lines *lines;
} fixture;

static bss_catalog *compile(void)
{
    json_t *all = js(catalog_src);
    bss_catalog_source src;
    memset(&src, 0, sizeof src);
    src.zone_tables = json_incref(json_object_get(all, "zoneTables"));
    src.timeband_plans = json_incref(json_object_get(all, "timeBandPlans"));
    src.specifications = json_incref(json_object_get(all, "specifications"));
    src.prices = json_incref(json_object_get(all, "prices"));
    src.offerings = json_incref(json_object_get(all, "offerings"));
    src.promotions = json_array();
    src.versions = json_array();
    json_decref(all);
    bss_catalog *cat = NULL;
    bss_errinfo ei;
    if (bss_catalog_compile(&src, &cat, &ei) != BSS_OK)
        fail_msg("compile: %s (%s)", ei.message, ei.field);
    bss_catalog_source_clear(&src);
    return cat;
}

static void put(bss_db *db, bss_res_table *t, const char *id, const char *doc, int64_t version)
{
    json_t *d = js(doc);
    bss_errinfo ei;
    bss_err rc = version ? bss_resource_update(db, t, id, d, NOW, version, NULL, &ei)
                         : bss_resource_insert(db, t, id, d, NOW, &ei);
    if (rc != BSS_OK)
        fail_msg("put %s: %s", id, ei.message);
    json_decref(d);
}

#define PRODUCT(status, extra)                                                                               \
    "{\"id\":\"" P1 "\",\"status\":\"" status "\",\"productOffering\":{\"id\":\"po-base\"},"                  \
    "\"billingAccount\":{\"id\":\"" BA "\"},\"startDate\":\"2026-01-01T00:00:00Z\","                           \
    "\"productCharacteristic\":[{\"name\":\"MSISDN\",\"value\":\"+" NUMBER "\"}]" extra "}"

static int setup(void **state, int (*base)(void **))
{
    dbtest_setup_migrated(state, base, NOW);
    dbtest_env *env = *state;
    fixture *f = bss_calloc(1, sizeof *f);
    assert_non_null(f);
    f->env = env;
    assert_int_equal(bss_resource_table_prepare(bss_product_kind.table), BSS_OK);
    assert_int_equal(bss_resource_table_prepare(bss_billing_account_kind.table), BSS_OK);
    f->holder = bss_catalog_holder_create();
    bss_catalog_publish(f->holder, compile());
    f->cat = bss_catalog_acquire(f->holder);
    f->lines = bss_lines_new(0, false);
    assert_non_null(f->lines);
    bss_db_set_listener(env->db, bss_lines_listener(f->lines));
    put(env->db, bss_billing_account_kind.table, BA, "{\"id\":\"" BA "\",\"billCycleDay\":5}", 0);
    put(env->db, bss_product_kind.table, P1, PRODUCT("active", ""), 0);
    bss_errinfo ei;
    assert_int_equal(bss_db_exec(env->db, "INSERT INTO product_identity (value, kind, product_id) VALUES (?, ?, ?)",
                                 BSS_DB_ARGS(BSS_DB_STR(NUMBER), BSS_DB_STR("MSISDN"), BSS_DB_STR(P1)), NULL, &ei),
                     BSS_OK);
    *state = f;
    return 0;
}
static int setup_sqlite(void **state)
{
    return setup(state, dbtest_setup_sqlite);
}
static int setup_pg(void **state)
{
    return setup(state, dbtest_setup_pg);
}

static int teardown(void **state)
{
    fixture *f = *state;
    bss_db_set_listener(f->env->db, NULL);
    bss_lines_free(f->lines);
    bss_catalog_release(f->holder, f->cat);
    bss_catalog_holder_destroy(f->holder);
    *state = f->env;
    bss_free(f);
    return dbtest_teardown(state);
}

/* t becomes the fixture's lines, heard by its connection (the old ones freed) */
static void use_lines(fixture *f, bss_lines *t)
{
    assert_non_null(t);
    bss_db_set_listener(f->env->db, bss_lines_listener(t));
    bss_lines_free(f->lines);
    f->lines = t;
}

static void begin(fixture *f)
{
    bss_errinfo ei;
    assert_int_equal(bss_db_begin(f->env->db, &ei), BSS_OK);
}
static void commit(fixture *f)
{
    bss_errinfo ei;
    assert_int_equal(bss_db_commit(f->env->db, &ei), BSS_OK);
}

/* The line of NUMBER (must load), with the stats after it. */
static bss_charging_line *get(fixture *f, bss_lines_stats *st)
{
    bss_charging_line *l = bss_calloc(1, sizeof *l);
    assert_non_null(l);
    bss_errinfo ei;
    bss_err rc = bss_lines_get(f->lines, f->env->db, f->cat, "+" NUMBER, NOW, true, l, &ei);
    if (rc != BSS_OK)
        fail_msg("get: %s", ei.message);
    bss_lines_get_stats(f->lines, st);
    return l;
}

static const char *voice_price(const bss_charging_line *l)
{
    return l->line.usage[BSS_SERVICE_VOICE] ? bss_price_id(l->line.usage[BSS_SERVICE_VOICE]) : "";
}

static void test_kept_and_changed(void **state)
{
    fixture *f = *state;
    bss_lines_stats st;
    begin(f);
    bss_charging_line *l = get(f, &st);
    commit(f);
    assert_int_equal(st.misses, 1);
    assert_int_equal(st.hits, 0);
    assert_int_equal(st.resident, 1);
    assert_string_equal(l->product_id, P1);
    assert_string_equal(l->account_id, BA);
    assert_string_equal(l->status, "active");
    assert_string_equal(l->offering_id, "po-base");
    assert_int_equal(l->bill_cycle_day, 5);
    assert_string_equal(voice_price(l), "pop-voice");
    bss_free(l);

    /* again: from memory, the same line */
    begin(f);
    l = get(f, &st);
    commit(f);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.misses, 1);
    assert_string_equal(l->msisdn, NUMBER);
    assert_string_equal(l->product_id, P1);
    assert_string_equal(l->account_id, BA);
    assert_string_equal(l->status, "active");
    assert_string_equal(l->offering_id, "po-base");
    assert_int_equal(l->bill_cycle_day, 5);
    assert_true(l->activated_ms > 0);
    assert_string_equal(voice_price(l), "pop-voice");
    bss_free(l);

    /* the product suspended: read again */
    begin(f);
    put(f->env->db, bss_product_kind.table, P1, PRODUCT("suspended", ""), 1);
    l = get(f, &st);
    commit(f);
    assert_int_equal(st.misses, 2);
    assert_string_equal(l->status, "suspended");
    bss_free(l);
    begin(f);
    bss_free(get(f, &st));
    commit(f);
    assert_int_equal(st.hits, 2);

    /* an add-on bought for the line: its price in place of the plan's */
    begin(f);
    put(f->env->db, bss_product_kind.table, P2,
        "{\"id\":\"" P2 "\",\"status\":\"active\",\"productOffering\":{\"id\":\"po-addon\"},\"billingAccount\":{\"id\":"
        "\"" BA "\"},\"productRelationship\":[{\"relationshipType\":\"addOnTo\",\"product\":{\"id\":\"" P1 "\"}}]}",
        0);
    commit(f);
    begin(f);
    l = get(f, &st);
    commit(f);
    assert_int_equal(st.misses, 3);
    assert_int_equal(l->naddons, 1);
    assert_string_equal(l->addon_ids[0], P2);
    assert_string_equal(voice_price(l), "pop-voice-addon");
    bss_free(l);
    /* kept with its add-on; the add-on ended: the plan's price again */
    begin(f);
    l = get(f, &st);
    assert_int_equal(st.hits, 3);
    assert_string_equal(voice_price(l), "pop-voice-addon");
    bss_free(l);
    put(f->env->db, bss_product_kind.table, P2,
        "{\"id\":\"" P2 "\",\"status\":\"terminated\",\"productOffering\":{\"id\":\"po-addon\"},"
        "\"productRelationship\":[{\"relationshipType\":\"addOnTo\",\"product\":{\"id\":\"" P1 "\"}}]}",
        1);
    l = get(f, &st);
    commit(f);
    assert_int_equal(st.misses, 4);
    assert_int_equal(l->naddons, 0);
    assert_string_equal(voice_price(l), "pop-voice");
    bss_free(l);

    /* the account's bill cycle day moved */
    begin(f);
    put(f->env->db, bss_billing_account_kind.table, BA, "{\"id\":\"" BA "\",\"billCycleDay\":12}", 1);
    l = get(f, &st);
    commit(f);
    assert_int_equal(st.misses, 5);
    assert_int_equal(l->bill_cycle_day, 12);
    bss_free(l);
    assert_int_equal(st.resident, 1);
    assert_int_equal(st.forgotten, 0);
}

static void test_rollback_forgets(void **state)
{
    fixture *f = *state;
    bss_lines_stats st;
    begin(f);
    bss_free(get(f, &st));
    commit(f);
    /* a transaction suspends the line, reads it, and is rolled back */
    begin(f);
    put(f->env->db, bss_product_kind.table, P1, PRODUCT("suspended", ""), 1);
    bss_charging_line *l = get(f, &st);
    assert_string_equal(l->status, "suspended");
    bss_free(l);
    bss_db_rollback(f->env->db);
    bss_lines_get_stats(f->lines, &st);
    assert_int_equal(st.forgotten, 1);
    begin(f);
    l = get(f, &st);
    commit(f);
    assert_string_equal(l->status, "active");
    assert_int_equal(st.misses, 3);
    bss_free(l);
    /* the same inside a savepoint that is rolled back (a failed job of a batch) */
    bss_errinfo ei;
    begin(f);
    assert_int_equal(bss_db_savepoint(f->env->db, "job", &ei), BSS_OK);
    put(f->env->db, bss_product_kind.table, P1, PRODUCT("suspended", ""), 1);
    bss_free(get(f, &st));
    assert_int_equal(bss_db_rollback_to(f->env->db, "job", &ei), BSS_OK);
    assert_int_equal(bss_db_release(f->env->db, "job", &ei), BSS_OK);
    l = get(f, &st);
    commit(f);
    assert_string_equal(l->status, "active");
    assert_int_equal(st.forgotten, 2);
    bss_free(l);
    /* a committed read stays through a later transaction's rollback */
    begin(f);
    bss_db_rollback(f->env->db);
    begin(f);
    bss_free(get(f, &st));
    commit(f);
    assert_int_equal(st.forgotten, 2);
    assert_int_equal(st.hits, 1);
}

static void test_store_read_every_time(void **state)
{
    fixture *f = *state;
    bss_lines_stats st;
    bss_errinfo ei;
    bss_charging_line *l = bss_calloc(1, sizeof *l);
    /* outside a transaction: the store, nothing kept */
    assert_int_equal(bss_lines_get(f->lines, f->env->db, f->cat, NUMBER, NOW, true, l, &ei), BSS_OK);
    assert_string_equal(l->product_id, P1);
    /* another connection (the lines do not hear its changes): the store */
    bss_db *other = NULL;
    assert_int_equal(bss_db_open(f->env->url, NULL, &other, &ei), BSS_OK);
    assert_int_equal(bss_db_begin(other, &ei), BSS_OK);
    assert_int_equal(bss_lines_get(f->lines, other, f->cat, NUMBER, NOW, true, l, &ei), BSS_OK);
    assert_string_equal(l->product_id, P1);
    bss_db_rollback(other);
    bss_db_close(other);
    /* an unpublished catalog (a draft): the store */
    bss_catalog *draft = compile();
    begin(f);
    assert_int_equal(bss_lines_get(f->lines, f->env->db, draft, NUMBER, NOW, true, l, &ei), BSS_OK);
    commit(f);
    bss_catalog_free(draft);
    bss_lines_get_stats(f->lines, &st);
    assert_int_equal(st.hits + st.misses, 0);
    assert_int_equal(st.resident, 0);
    /* a number no line has, or no number: the load's errors, nothing kept */
    begin(f);
    assert_int_equal(bss_lines_get(f->lines, f->env->db, f->cat, "31699999999", NOW, true, l, &ei), BSS_E_NOT_FOUND);
    assert_string_equal(ei.field, "msisdn");
    assert_int_equal(bss_lines_get(f->lines, f->env->db, f->cat, "31a", NOW, true, l, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "msisdn");
    commit(f);
    bss_lines_get_stats(f->lines, &st);
    assert_int_equal(st.resident, 0);
    bss_free(l);
}

static void test_new_catalog_and_bound(void **state)
{
    fixture *f = *state;
    bss_lines_stats st;
    begin(f);
    bss_free(get(f, &st));
    bss_free(get(f, &st));
    commit(f);
    assert_int_equal(st.hits, 1);
    /* a new snapshot: every line read again */
    bss_catalog_release(f->holder, f->cat);
    bss_catalog_publish(f->holder, compile());
    f->cat = bss_catalog_acquire(f->holder);
    begin(f);
    bss_charging_line *l = get(f, &st);
    commit(f);
    assert_int_equal(st.misses, 2);
    assert_int_equal(st.resets, 1);
    assert_ptr_equal(l->cat, f->cat);
    assert_ptr_equal(l->offering, bss_catalog_offering(f->cat, "po-base", NOW));
    bss_free(l);
    /* at most one line: a second starts the table again */
    bss_lines *one = bss_lines_new(1, false);
    use_lines(f, one);
    bss_errinfo ei;
    put(f->env->db, bss_product_kind.table, P2,
        "{\"id\":\"" P2 "\",\"status\":\"active\",\"productOffering\":{\"id\":\"po-base\"},\"billingAccount\":{\"id\":"
        "\"" BA "\"},\"productCharacteristic\":[{\"name\":\"MSISDN\",\"value\":\"31687654321\"}]}",
        0);
    assert_int_equal(bss_db_exec(f->env->db, "INSERT INTO product_identity (value, kind, product_id) VALUES (?, ?, ?)",
                                 BSS_DB_ARGS(BSS_DB_STR("31687654321"), BSS_DB_STR("MSISDN"), BSS_DB_STR(P2)), NULL,
                                 &ei),
                     BSS_OK);
    l = bss_calloc(1, sizeof *l);
    begin(f);
    assert_int_equal(bss_lines_get(one, f->env->db, f->cat, NUMBER, NOW, true, l, &ei), BSS_OK);
    assert_int_equal(bss_lines_get(one, f->env->db, f->cat, "31687654321", NOW, true, l, &ei), BSS_OK);
    assert_string_equal(l->product_id, P2);
    commit(f);
    bss_lines_get_stats(one, &st);
    assert_int_equal(st.resident, 1);
    assert_int_equal(st.resets, 1);
    bss_free(l);
}

/* A write that does not announce itself (here raw SQL) is what --verify-lines exists to catch. */
static void test_verify(void **state)
{
    fixture *f = *state;
    use_lines(f, bss_lines_new(0, true));
    bss_lines_stats st;
    begin(f);
    bss_free(get(f, &st));
    bss_free(get(f, &st));
    commit(f);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.mismatches, 0);
    bss_errinfo ei;
    begin(f);
    assert_int_equal(bss_db_exec(f->env->db, "UPDATE product SET doc = replace(doc, '\"active\"', '\"suspended\"'), "
                                                     "status = 'suspended'",
                                 NULL, 0, NULL, &ei),
                     BSS_OK);
    bss_charging_line *l = get(f, &st);
    commit(f);
    assert_int_equal(st.mismatches, 1);
    assert_string_equal(l->status, "suspended"); /* the store's line, not the kept one */
    bss_free(l);
    begin(f);
    l = get(f, &st);
    commit(f);
    assert_int_equal(st.mismatches, 1); /* kept as read: found again without a difference */
    assert_string_equal(l->status, "suspended");
    bss_free(l);
}

/* Sessions kept beside the lines: kept, replaced, dropped by an announcement, forgotten on a rollback, bounded. */
static void test_sessions(void **state)
{
    fixture *f = *state;
    bss_db *db = f->env->db;
    const void *rec = NULL;
    size_t len = 0;
    bss_lines_stats st;
    /* outside a transaction nothing is kept */
    bss_lines_session_keep(f->lines, db, "s-1", "one", 4);
    begin(f);
    assert_false(bss_lines_session(f->lines, db, "s-1", &rec, &len));
    bss_lines_session_keep(f->lines, db, "s-1", "one", 4);
    bss_lines_session_keep(f->lines, db, "s-2", "two", 4);
    bss_lines_session_keep(f->lines, db, "s-1", "uno!", 5); /* replaced */
    commit(f);
    begin(f);
    assert_true(bss_lines_session(f->lines, db, "s-1", &rec, &len));
    assert_int_equal(len, 5);
    assert_string_equal(rec, "uno!");
    /* the sweep's close announces itself: dropped */
    bss_db_changed(db, "charging_session", "s-2", NULL);
    assert_false(bss_lines_session(f->lines, db, "s-2", &rec, &len));
    commit(f);
    /* kept inside work that is rolled back: forgotten, and what was kept before too (its row went back) */
    begin(f);
    bss_lines_session_keep(f->lines, db, "s-1", "dos", 4);
    bss_lines_session_keep(f->lines, db, "s-3", "tres", 5);
    bss_db_rollback(db);
    begin(f);
    assert_false(bss_lines_session(f->lines, db, "s-1", &rec, &len));
    assert_false(bss_lines_session(f->lines, db, "s-3", &rec, &len));
    commit(f);
    bss_lines_get_stats(f->lines, &st);
    assert_int_equal(st.sessions, 0);
    assert_int_equal(st.forgotten, 2);
    assert_int_equal(st.session_hits, 1);
    /* another connection, and a long id, are never served from memory */
    begin(f);
    bss_lines_session_keep(f->lines, db, "s-4", "four", 5);
    commit(f);
    bss_db *other = NULL;
    bss_errinfo ei;
    assert_int_equal(bss_db_open(f->env->url, NULL, &other, &ei), BSS_OK);
    assert_int_equal(bss_db_begin(other, &ei), BSS_OK);
    assert_false(bss_lines_session(f->lines, other, "s-4", &rec, &len));
    bss_db_rollback(other);
    bss_db_close(other);
    char id[BSS_CC_SESSION_ID_MAX + 2];
    memset(id, 'x', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    begin(f);
    bss_lines_session_keep(f->lines, db, id, "long", 5);
    assert_false(bss_lines_session(f->lines, db, id, &rec, &len));
    /* many: the chains grow and every one is found */
    for (int i = 0; i < 5000; i++) {
        char k[32];
        snprintf(k, sizeof k, "many-%d", i);
        bss_lines_session_keep(f->lines, db, k, &i, sizeof i);
    }
    for (int i = 0; i < 5000; i += 499) {
        char k[32];
        snprintf(k, sizeof k, "many-%d", i);
        assert_true(bss_lines_session(f->lines, db, k, &rec, &len));
        assert_int_equal(len, sizeof i);
        assert_memory_equal(rec, &i, sizeof i);
    }
    commit(f);
    bss_lines_get_stats(f->lines, &st);
    assert_int_equal(st.sessions, 5001);
    /* bounded: a table of one session starts empty at the second */
    bss_lines *one = bss_lines_new(1, false);
    bss_db_set_listener(db, bss_lines_listener(one));
    begin(f);
    bss_lines_session_keep(one, db, "a", "a", 2);
    bss_lines_session_keep(one, db, "b", "b", 2);
    assert_false(bss_lines_session(one, db, "a", &rec, &len));
    assert_true(bss_lines_session(one, db, "b", &rec, &len));
    commit(f);
    bss_lines_get_stats(one, &st);
    assert_int_equal(st.resets, 1);
    assert_int_equal(st.sessions, 1);
    bss_db_set_listener(db, bss_lines_listener(f->lines));
    bss_lines_free(one);
}

/*
 * A CDR batch's lines: documents read on another connection are kept with
 * their buckets only when nothing they come from changed since (heard); a
 * kept line's buckets are found in memory by the next batch, and what the
 * batch wrote goes back to memory.
 */
static void test_batch(void **state)
{
    fixture *f = *state;
    bss_db *db = f->env->db;
    bss_errinfo ei;
    bss__bucket bk = {.id = "0190a000-0000-7000-8000-0000000000b1", .account_id = BA, .product_id = P1,
                      .msisdn = NUMBER, .service = BSS_SERVICE_VOICE, .unit = "s", .source = BSS_BUCKET_PLAN,
                      .priority = 10, .value = 6000, .initial = 6000, .valid_from_ms = INT64_MIN,
                      .valid_to_ms = INT64_MAX, .status = "active"};
    begin(f);
    assert_int_equal(bss__bucket_insert(db, &bk, NULL, NULL, NOW, &ei), BSS_OK);
    commit(f);
    uint64_t h0 = bss_lines_heard(f->lines);
    assert_int_equal(h0 & 1, 0);
    bss_charging_line *l = bss_calloc(1, sizeof *l);
    assert_non_null(l);
    assert_int_equal(bss_charging_line_load_docs(db, f->cat, NUMBER, NOW, l, &ei), BSS_OK); /* "the worker" */
    bool kept = false;
    bss_lines_stats st;
    begin(f);
    assert_int_equal(bss_lines_batch_buckets(f->lines, db, l, NOW, h0, &kept, &ei), BSS_OK);
    assert_true(kept);
    assert_int_equal(l->nbuckets, 1);
    assert_int_equal(l->buckets[0].value, 6000);
    /* the batch takes 60 s: the row, then memory */
    l->buckets[0].value -= 60;
    l->buckets[0].used += 60;
    bss__ledger_src src = {.reason = "usage", .source_kind = "usageBatch", .source_id = "b-1"};
    assert_int_equal(bss__bucket_change(db, bk.id, -60, 60, &src, NOW, NULL, &ei), BSS_OK);
    bss_lines_batch_put(f->lines, l);
    commit(f);
    bss_lines_get_stats(f->lines, &st);
    int64_t hits = st.bucket_hits;
    /* the next batch: from memory, as the first left it */
    memset(l->buckets, 0, sizeof l->buckets);
    begin(f);
    assert_int_equal(bss_lines_batch_buckets(f->lines, db, l, NOW, h0, &kept, &ei), BSS_OK);
    commit(f);
    bss_lines_get_stats(f->lines, &st);
    assert_true(kept);
    assert_int_equal(st.bucket_hits, hits + 1);
    assert_int_equal(l->buckets[0].value, 5940);
    assert_int_equal(l->buckets[0].used, 60);
    /* a product change in flight: heard is odd until its transaction ends, and moves on at the end */
    begin(f);
    put(db, bss_product_kind.table, P1, PRODUCT("active", ",\"description\":\"x\""), 1);
    uint64_t h1 = bss_lines_heard(f->lines);
    assert_int_equal(h1 & 1, 1);
    commit(f);
    uint64_t h2 = bss_lines_heard(f->lines);
    assert_int_equal(h2 & 1, 0);
    assert_true(h2 > h0);
    /* documents read before the change are not kept (the line's buckets are still read), nor those read
     * while it was in flight; read after it, they are */
    bss_charging_line *old = bss_calloc(1, sizeof *old);
    assert_non_null(old);
    memcpy(old, l, sizeof *old);
    begin(f);
    assert_int_equal(bss_lines_batch_buckets(f->lines, db, old, NOW, h0, &kept, &ei), BSS_OK);
    assert_false(kept);
    assert_int_equal(old->buckets[0].value, 5940);
    assert_int_equal(bss_lines_batch_buckets(f->lines, db, old, NOW, h1, &kept, &ei), BSS_OK);
    assert_false(kept);
    commit(f);
    assert_int_equal(bss_charging_line_load_docs(db, f->cat, NUMBER, NOW, l, &ei), BSS_OK);
    begin(f);
    assert_int_equal(bss_lines_batch_buckets(f->lines, db, l, NOW, bss_lines_heard(f->lines), &kept, &ei), BSS_OK);
    assert_true(kept);
    commit(f);
    /* what a rolled-back batch put is forgotten */
    begin(f);
    assert_int_equal(bss_lines_batch_buckets(f->lines, db, l, NOW, h2, &kept, &ei), BSS_OK);
    assert_true(kept);
    l->buckets[0].value -= 60;
    assert_int_equal(bss__bucket_change(db, bk.id, -60, 60, &src, NOW, NULL, &ei), BSS_OK);
    bss_lines_batch_put(f->lines, l);
    assert_int_equal(bss_db_rollback(db), BSS_OK);
    begin(f);
    assert_int_equal(bss_lines_batch_buckets(f->lines, db, l, NOW, h2, &kept, &ei), BSS_OK);
    commit(f);
    assert_int_equal(l->buckets[0].value, 5940);
    bss_free(old);
    bss_free(l);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_kept_and_changed, setup, teardown),                             \
            cmocka_unit_test_setup_teardown(test_rollback_forgets, setup, teardown),                         \
            cmocka_unit_test_setup_teardown(test_store_read_every_time, setup, teardown),                    \
            cmocka_unit_test_setup_teardown(test_new_catalog_and_bound, setup, teardown),                    \
            cmocka_unit_test_setup_teardown(test_verify, setup, teardown),                                   \
            cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),                                 \
            cmocka_unit_test_setup_teardown(test_batch, setup, teardown),                                 \
    }

DBTEST_MAIN_SETUP(STORE_TESTS, setup_sqlite, setup_pg)
