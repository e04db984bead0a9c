/*
 * test_outbox.c: the write side of events (src/events/outbox.c): the TMF v4
 * envelope, fan-out rows created in the caller's transaction and rolled back
 * with it, the hub query filter, the callback and body checks of POST
 * {api}/hub, the listener URL rule and the retry schedule (the hub routes
 * are tests/unit/api/test_hub.c's). Runs on SQLite and, via db/dbtest.h,
 * on PostgreSQL.
 */
#include "db/dbtest.h"

#include <sodium.h>

#include "core/id.h"
#include "core/json.h"
#include "core/time.h"
#include "db/migrate.h"
#include "events/events.h"
#include "events/events_int.h"

#define API "productCatalogManagement"
#define T0 INT64_C(1795305600000) /* 2026-11-22T00:00:00.000Z */

/* Applies the events migration alone (this suite does not need the others). */
static void apply_events_schema(bss_db *db)
{
    bss_errinfo ei;
    for (size_t i = 0; i < bss_migrations_count; i++) {
        if (strcmp(bss_migrations[i].name, "events") == 0) {
            if (bss_db_exec_script(db, bss_migrations[i].sql, &ei) != BSS_OK)
                fail_msg("migration: %s", ei.message);
            return;
        }
    }
    fail_msg("no events migration embedded");
}

static void add_sub(bss_db *db, const char *id, const char *api, const char *query)
{
    bss_errinfo ei;
    if (bss_db_exec(
            db, "INSERT INTO hub_subscription (id, api, callback, query, created_ms) VALUES (?, ?, ?, ?, 0)",
            BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(api), BSS_DB_STR("http://127.0.0.1:9/cb"),
                        BSS_DB_STR(query)),
            NULL, &ei) != BSS_OK)
        fail_msg("add_sub: %s", ei.message);
}

static int64_t count(bss_db *db, const char *sql)
{
    int64_t n = -1;
    bss_errinfo ei;
    if (bss_db_query_int64(db, sql, BSS_DB_NOARGS, &n, &ei) != BSS_OK)
        fail_msg("%s: %s", sql, ei.message);
    return n;
}

static bss_err add_event(bss_db *db, const char *type, const char *cat_id)
{
    json_t *cat = json_pack("{s:s, s:s, s:{s:s}}", "id", cat_id, "name", "Phones", "extra", "kept", "yes");
    bss_errinfo ei;
    bss_err rc = bss_outbox_add(db, T0, API, type, "category", cat, &ei);
    json_decref(cat);
    return rc;
}

static int setup_schema(void **state)
{
    dbtest_env *env = *state;
    apply_events_schema(env->db);
    return 0;
}

static void test_envelope_shape(void **state)
{
    dbtest_env *env = *state;
    setup_schema(state);
    bss_errinfo ei;
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(add_event(env->db, "CategoryCreateEvent", "cat-1"), BSS_OK);
    assert_int_equal(bss_db_commit(env->db, &ei), BSS_OK);

    bss_db_rows *rows;
    assert_int_equal(bss_db_query(env->db, "SELECT id, api, event_type, created_ms, payload FROM outbox",
                                  BSS_DB_NOARGS, &rows, &ei),
                     BSS_OK);
    assert_true(bss_db_next(rows));
    char id[64];
    snprintf(id, sizeof id, "%s", bss_db_col_text(rows, 0, NULL));
    assert_true(bss_id_valid(id, strlen(id)));
    assert_string_equal(bss_db_col_text(rows, 1, NULL), API);
    assert_string_equal(bss_db_col_text(rows, 2, NULL), "CategoryCreateEvent");
    assert_int_equal(bss_db_col_int64(rows, 3), T0);
    size_t len;
    const char *payload = bss_db_col_text(rows, 4, &len);
    json_t *env_json = NULL;
    assert_int_equal(bss_json_parse(payload, len, &env_json, &ei), BSS_OK);
    assert_false(bss_db_next(rows));
    bss_db_rows_close(rows);

    assert_string_equal(json_string_value(json_object_get(env_json, "eventId")), id);
    assert_string_equal(json_string_value(json_object_get(env_json, "eventTime")),
                        "2026-11-22T00:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(env_json, "timeOcurred")),
                        "2026-11-22T00:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(env_json, "eventType")), "CategoryCreateEvent");
    assert_string_equal(json_string_value(json_object_get(env_json, "title")), "CategoryCreateEvent");
    assert_string_equal(json_string_value(json_object_get(env_json, "domain")), API);
    assert_string_equal(json_string_value(json_object_get(env_json, "description")),
                        "CategoryCreateEvent of category cat-1");
    json_t *cat = bss_json_path(env_json, "event.category");
    assert_non_null(cat);
    assert_string_equal(json_string_value(json_object_get(cat, "id")), "cat-1");
    assert_string_equal(json_string_value(json_object_get(cat, "name")), "Phones");
    assert_string_equal(json_string_value(bss_json_path(cat, "extra.kept")), "yes");
    assert_int_equal(json_object_size(json_object_get(env_json, "event")), 1);
    json_decref(env_json);
}

static void test_fanout_matches_queries(void **state)
{
    dbtest_env *env = *state;
    setup_schema(state);
    bss_errinfo ei;
    add_sub(env->db, "s1", API, "");
    add_sub(env->db, "s2", API, "eventType=CategoryDeleteEvent");
    add_sub(env->db, "s3", API, "eventType = CategoryCreateEvent, CategoryDeleteEvent");
    add_sub(env->db, "s4", "partyManagement", "");
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(add_event(env->db, "CategoryCreateEvent", "cat-1"), BSS_OK);
    assert_int_equal(bss_db_commit(env->db, &ei), BSS_OK);

    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM event_delivery"), 2);
    assert_int_equal(count(env->db,
                           "SELECT COUNT(*) FROM event_delivery WHERE subscription_id IN ('s1', 's3') "
                           "AND status = 'pending' AND attempts = 0 AND next_attempt_ms = 0 "
                           "AND event_id = (SELECT id FROM outbox)"),
                     2);

    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(add_event(env->db, "CategoryDeleteEvent", "cat-1"), BSS_OK);
    assert_int_equal(add_event(env->db, "CategoryAttributeValueChangeEvent", "cat-1"), BSS_OK);
    assert_int_equal(bss_db_commit(env->db, &ei), BSS_OK);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM outbox"), 3);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM event_delivery WHERE subscription_id = 's1'"), 3);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM event_delivery WHERE subscription_id = 's2'"), 1);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM event_delivery WHERE subscription_id = 's3'"), 2);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM event_delivery WHERE subscription_id = 's4'"), 0);
}

static void test_rollback_takes_event_and_fanout(void **state)
{
    dbtest_env *env = *state;
    setup_schema(state);
    bss_errinfo ei;
    add_sub(env->db, "s1", API, "");
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(add_event(env->db, "CategoryCreateEvent", "cat-1"), BSS_OK);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM event_delivery"), 1);
    assert_int_equal(bss_db_rollback(env->db), BSS_OK);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM outbox"), 0);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM event_delivery"), 0);

    /* a savepoint rolled back (one failing job of a group commit) takes its event too */
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(add_event(env->db, "CategoryCreateEvent", "cat-2"), BSS_OK);
    assert_int_equal(bss_db_savepoint(env->db, "job", &ei), BSS_OK);
    assert_int_equal(add_event(env->db, "CategoryCreateEvent", "cat-3"), BSS_OK);
    assert_int_equal(bss_db_rollback_to(env->db, "job", &ei), BSS_OK);
    assert_int_equal(bss_db_release(env->db, "job", &ei), BSS_OK);
    assert_int_equal(bss_db_commit(env->db, &ei), BSS_OK);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM outbox"), 1);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM event_delivery"), 1);
}

static void test_bad_calls(void **state)
{
    dbtest_env *env = *state;
    setup_schema(state);
    bss_errinfo ei;
    json_t *cat = json_pack("{s:s}", "id", "c");
    assert_int_equal(bss_outbox_add(env->db, T0, API, "CategoryCreateEvent", "category", cat, &ei),
                     BSS_E_STATE);
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(bss_outbox_add(env->db, T0, API, "Category Create", "category", cat, &ei),
                     BSS_E_INVALID);
    assert_string_equal(ei.field, "eventType");
    assert_int_equal(bss_outbox_add(env->db, T0, API, "", "category", cat, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "eventType");
    assert_int_equal(bss_outbox_add(env->db, T0, API, NULL, "category", cat, &ei), BSS_E_INVALID);
    assert_int_equal(bss_outbox_add(env->db, T0, "", "CategoryCreateEvent", "category", cat, &ei),
                     BSS_E_INVALID);
    assert_int_equal(bss_outbox_add(env->db, T0, API, "CategoryCreateEvent", "", cat, &ei), BSS_E_INVALID);
    assert_int_equal(bss_outbox_add(env->db, T0, API, "CategoryCreateEvent", "category", NULL, &ei),
                     BSS_E_INVALID);
    assert_int_equal(bss_db_rollback(env->db), BSS_OK);
    assert_int_equal(bss_outbox_add(NULL, T0, API, "CategoryCreateEvent", "category", cat, &ei), BSS_E_STATE);
    json_decref(cat);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM outbox"), 0);
}

/* Every allocation of bss_outbox_add failing in turn: NOMEM (or the store's error), never a crash or a leak.
 */
static void test_out_of_memory(void **state)
{
    dbtest_env *env = *state;
    setup_schema(state);
    bss_errinfo ei;
    add_sub(env->db, "s1", API, "");
    int saw_nomem = 0;
    for (int n = 1; n <= 40; n++) {
        assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
        json_t *cat = json_pack("{s:s, s:s}", "id", "cat-1", "name", "Phones");
        bss_mem_fail_after(n, 0);
        bss_err rc = bss_outbox_add(env->db, T0, API, "CategoryCreateEvent", "category", cat, &ei);
        bss_mem_fail_after(0, 0);
        json_decref(cat);
        assert_int_equal(bss_db_rollback(env->db), BSS_OK);
        assert_true(rc == BSS_OK || rc == BSS_E_NOMEM || rc == BSS_E_DB);
        saw_nomem += rc == BSS_E_NOMEM;
    }
    assert_true(saw_nomem > 0);
    assert_int_equal(count(env->db, "SELECT COUNT(*) FROM outbox"), 0);
}

static void test_query_filter(void **state)
{
    (void)state;
    bss_errinfo ei;
    const char *good[] = {"", "  ", "eventType=A", "eventType=A,B", " eventType = A , B2 ,C ", NULL};
    for (size_t i = 0; good[i]; i++)
        assert_int_equal(bss__hub_query_check(good[i], &ei), BSS_OK);
    assert_int_equal(bss__hub_query_check(NULL, &ei), BSS_OK);
    const char *bad[] = {"foo=bar",
                         "eventType",
                         "eventType=",
                         "eventType=A,",
                         "eventType=A;B",
                         "eventType A",
                         "eventType=A&eventType=B",
                         "eventtype=A",
                         "eventType=A-B",
                         NULL};
    for (size_t i = 0; bad[i]; i++) {
        bss_errinfo_clear(&ei);
        assert_int_equal(bss__hub_query_check(bad[i], &ei), BSS_E_INVALID);
        assert_string_equal(ei.field, "query");
        assert_true(strlen(ei.message) > 0);
    }
    char big[BSS_HUB_QUERY_MAX + 20];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "eventType=", 10);
    assert_int_equal(bss__hub_query_check(big, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "query");

    assert_true(bss__hub_query_match("", "X"));
    assert_true(bss__hub_query_match(NULL, "X"));
    assert_true(bss__hub_query_match("eventType=X", "X"));
    assert_false(bss__hub_query_match("eventType=X", "XY"));
    assert_false(bss__hub_query_match("eventType=XY", "X"));
    assert_true(bss__hub_query_match("eventType=A, X", "X"));
    assert_false(bss__hub_query_match("eventType=A,B", "X"));
    assert_false(bss__hub_query_match("junk", "X"));
}

static void callback_ok(const bss_netallow *allow, const char *in, const char *url, const char *user,
                        const char *password)
{
    bss_hub_callback cb;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (bss_hub_callback_parse(allow, in, &cb, &ei) != BSS_OK)
        fail_msg("%s: %s", in, ei.message);
    assert_string_equal(cb.url, url);
    assert_string_equal(cb.user, user);
    assert_string_equal(cb.password, password);
    bss_hub_callback_wipe(&cb);
}

static void callback_bad(const bss_netallow *allow, const char *in, const char *want)
{
    bss_hub_callback cb;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_hub_callback_parse(allow, in, &cb, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "callback");
    if (strstr(ei.message, want) == NULL)
        fail_msg("%s: message '%s' lacks '%s'", in, ei.message, want);
    assert_string_equal(cb.password, ""); /* wiped */
}

static void test_callback_and_body(void **state)
{
    (void)state;
    bss_netallow none, lo;
    bss_errinfo ei;
    assert_int_equal(bss_netallow_parse("", &none, &ei), BSS_OK);
    assert_int_equal(bss_netallow_parse("127.0.0.0/8, ::1", &lo, &ei), BSS_OK);
    callback_ok(&none, "http://h", "http://h/", "", "");
    callback_ok(&none, "https://h:8080/x/", "https://h:8080/x/", "", "");
    callback_ok(&none, "HTTP://hooks.example.net/cb", "http://hooks.example.net/cb", "", "");
    callback_ok(&none, "http://user@h/p", "http://h/p", "user", "");
    callback_ok(&none, "http://us%40er:p%3Ass@h/p", "http://h/p", "us@er", "p:ss");
    callback_ok(&lo, "HTTP://127.0.0.1:9/cb", "http://127.0.0.1:9/cb", "", "");
    callback_ok(&lo, "http://localhost:9/cb", "http://localhost:9/cb", "", "");
    callback_ok(&lo, "http://0x7f000001:9/cb", "http://127.0.0.1:9/cb", "", ""); /* libcurl normalises */
    callback_ok(&none, "http://93.184.216.34/cb", "http://93.184.216.34/cb", "", "");

    /* the shape */
    const char *bad[] = {"ftp://h", "not a url", "http://", "http:///x", "http://:80/x", "/relative", "",
                         NULL};
    for (size_t i = 0; bad[i]; i++)
        callback_bad(&none, bad[i], "callback");
    callback_bad(&none, "http://h/x?y=1", "must not have a query or fragment");
    callback_bad(&none, "http://h/x#f", "must not have a query or fragment");
    callback_bad(&none, "http://h/a b", "spaces or control characters");
    callback_bad(&none, "http://h/\x01", "spaces or control characters");
    callback_bad(&none, "http://h:99999/cb", "the port must be 1..65535");
    callback_bad(&none, "http://h:-1/cb", "the port must be 1..65535");
    callback_bad(&none, "http://h:0/cb", "the port must be 1..65535");
    callback_bad(&none, "http://[fe80::1%25eth0]/cb", "IPv6 zone");
    callback_bad(&none, "http://h/cb/4111111111111111", "card numbers are not stored");
    /* where it points, in every spelling libcurl accepts */
    callback_bad(&none, "http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address");
    callback_bad(&none, "http://10.1.2.3/cb", "10.1.2.3 is a private address");
    callback_bad(&none, "http://192.168.0.1/cb", "private address");
    callback_bad(&none, "http://172.16.5.4/cb", "private address");
    callback_bad(&none, "http://100.64.0.1/cb", "carrier-grade NAT");
    callback_bad(&none, "http://localhost:6379", "localhost is a loopback address");
    callback_bad(&none, "http://api.localhost./cb", "is a loopback address");
    callback_bad(&none, "http://127.0.0.1:22/", "127.0.0.1 is a loopback address");
    callback_bad(&none, "http://0x7f000001/", "127.0.0.1 is a loopback address");
    callback_bad(&none, "http://2130706433/", "127.0.0.1 is a loopback address");
    callback_bad(&none, "http://017700000001/", "127.0.0.1 is a loopback address");
    callback_bad(&none, "http://127.1/", "127.0.0.1 is a loopback address");
    callback_bad(&none, "http://0.0.0.0/", "unspecified");
    callback_bad(&none, "http://[::1]/", "::1 is a loopback address");
    callback_bad(&none, "http://[::ffff:127.0.0.1]/", "loopback");
    callback_bad(&none, "http://[::ffff:a9fe:a9fe]/", "link-local");
    callback_bad(&none, "http://[64:ff9b::a00:1]/", "private");
    callback_bad(&none, "http://[fd00::1]/", "private");
    callback_bad(&none, "http://224.0.0.1/", "multicast");
    char *big = bss_malloc(BSS_HUB_CALLBACK_MAX + 16);
    memset(big, 'a', BSS_HUB_CALLBACK_MAX + 15);
    memcpy(big, "http://h/", 9);
    big[BSS_HUB_CALLBACK_MAX + 15] = '\0';
    callback_bad(&none, big, "longer than 2048 bytes");
    bss_free(big);

    struct {
        const char *body;
        bss_err rc;
        const char *field;
    } cases[] = {
        {"{\"callback\": \"http://h/cb\"}", BSS_OK, ""},
        {"{\"callback\": \"http://h/cb\", \"query\": null}", BSS_OK, ""},
        {"{\"callback\": \"http://h/cb\", \"query\": \"eventType=CategoryCreateEvent\"}", BSS_OK, ""},
        {"{}", BSS_E_INVALID, "callback"},
        {"{\"callback\": 42}", BSS_E_INVALID, "callback"},
        {"{\"callback\": \"not a url\"}", BSS_E_INVALID, "callback"},
        {"{\"callback\": \"http://h/cb\", \"query\": 5}", BSS_E_INVALID, "query"},
        {"{\"callback\": \"http://h/cb\", \"query\": \"status=x\"}", BSS_E_INVALID, "query"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *body = NULL;
        assert_int_equal(bss_json_parse(cases[i].body, strlen(cases[i].body), &body, &ei), BSS_OK);
        bss_hub_callback cb;
        const char *query = NULL;
        bss_errinfo_clear(&ei);
        assert_int_equal(bss_hub_parse(&none, body, &cb, &query, &ei), cases[i].rc);
        assert_string_equal(ei.field, cases[i].field);
        if (cases[i].rc == BSS_OK) {
            assert_string_equal(cb.url, "http://h/cb");
            assert_non_null(query);
        }
        json_decref(body);
    }

    /* shown without the password, the user name kept (and encoded again) */
    json_t *j = bss_hub_subscription_json("id1", "http://h/cb", "us@er", "");
    assert_string_equal(json_string_value(json_object_get(j, "callback")), "http://us%40er:***@h/cb");
    json_decref(j);
    j = bss_hub_subscription_json("id1", "http://h/cb", NULL, "");
    assert_string_equal(json_string_value(json_object_get(j, "callback")), "http://h/cb");
    json_decref(j);
}

static void test_listener_url_and_backoff(void **state)
{
    (void)state;
    char *u = bss__events_listener_url("http://h/cb/", "CategoryCreateEvent");
    assert_string_equal(u, "http://h/cb/listener/categoryCreateEvent");
    bss_free(u);
    u = bss__events_listener_url("http://h", "productOrderStateChangeEvent");
    assert_string_equal(u, "http://h/listener/productOrderStateChangeEvent");
    bss_free(u);

    assert_true(sodium_init() >= 0);
    for (int i = 0; i < 50; i++) {
        int64_t d0 = bss__events_backoff_ms(1000, 0);
        int64_t d1 = bss__events_backoff_ms(1000, 1);
        int64_t d5 = bss__events_backoff_ms(1000, 5);
        int64_t dmax = bss__events_backoff_ms(1000, 40);
        assert_true(d0 >= 1000 && d0 <= 1250);
        assert_true(d1 >= 2000 && d1 <= 2500);
        assert_true(d5 >= 32000 && d5 <= 40000);
        assert_true(dmax >= 3600000 && dmax <= 4500000);
        assert_true(bss__events_backoff_ms(10, 1) >= 20 && bss__events_backoff_ms(10, 1) <= 25);
    }
    int64_t wall = bss__events_wall_ms();
    assert_true(wall > INT64_C(1700000000000));
}

#define OUTBOX_TESTS(setup)                                                                                  \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_envelope_shape, setup, dbtest_teardown),                        \
            cmocka_unit_test_setup_teardown(test_fanout_matches_queries, setup, dbtest_teardown),            \
            cmocka_unit_test_setup_teardown(test_rollback_takes_event_and_fanout, setup, dbtest_teardown),   \
            cmocka_unit_test_setup_teardown(test_bad_calls, setup, dbtest_teardown),                         \
            cmocka_unit_test_setup_teardown(test_out_of_memory, setup, dbtest_teardown),                     \
            cmocka_unit_test_setup_teardown(test_query_filter, setup, dbtest_teardown),                      \
            cmocka_unit_test_setup_teardown(test_callback_and_body, setup, dbtest_teardown),                 \
            cmocka_unit_test_setup_teardown(test_listener_url_and_backoff, setup, dbtest_teardown),          \
    }

DBTEST_MAIN(OUTBOX_TESTS)
