/*
 * test_order.c: the order module's rules without a store (the TMF622 state
 * table, the product statuses, the simulator's failure list and its
 * activation codes), then the task queue on a migrated store (both
 * backends): a task waits for the one before it, a claim takes a lease and
 * counts the try, a retry waits its pause, a restart sets running tasks
 * pending again, and an item's counts say when it has ended; a line's
 * product as charging reads it, from its columns or its document.
 */
#include "../db/dbtest.h"

#include <jansson.h>

#include "order/order.h"
#include "order/order_int.h"

#define NOW 1777888000000LL

static void test_order_states(void **state)
{
    (void)state;
    assert_true(bss_order_transition_ok("acknowledged", "inProgress"));
    assert_true(bss_order_transition_ok("inProgress", "assessingCancellation"));
    assert_true(bss_order_transition_ok("assessingCancellation", "pendingCancellation"));
    assert_true(bss_order_transition_ok("pendingCancellation", "cancelled"));
    assert_true(bss_order_transition_ok("held", "cancelled"));
    assert_false(bss_order_transition_ok("acknowledged", "cancelled"));
    assert_false(bss_order_transition_ok("inProgress", "cancelled"));
    assert_false(bss_order_transition_ok("completed", "inProgress"));
    assert_false(bss_order_transition_ok("nonsense", "inProgress"));
    assert_true(bss_order_is_final("completed") && bss_order_is_final("partial") && bss_order_is_final("failed") &&
                bss_order_is_final("rejected") && bss_order_is_final("cancelled"));
    assert_false(bss_order_is_final("held"));
    char buf[200];
    assert_string_equal(bss__order_next_states("completed", buf, sizeof buf), "; completed is final");
    assert_string_equal(bss__order_next_states("held", buf, sizeof buf), "; from held it may become: inProgress, cancelled");
    json_t *o = json_object();
    bss_errinfo ei;
    assert_int_equal(bss__order_set_state(o, "acknowledged", "submitted", NULL, NOW, &ei), BSS_OK);
    assert_int_equal(bss__order_set_state(o, "inProgress", NULL, NULL, NOW, &ei), BSS_OK);
    assert_int_equal(bss__order_set_state(o, "held", "customer asked", NULL, NOW, &ei), BSS_OK);
    assert_int_equal(bss__order_set_state(o, "completed", NULL, NULL, NOW, &ei), BSS_E_STATE);
    assert_string_equal(ei.field, "state");
    assert_int_equal(bss__order_set_state(o, "cancelled", NULL, NULL, NOW + 1, &ei), BSS_OK);
    assert_int_equal(json_array_size(json_object_get(o, "stateChange")), 4);
    assert_non_null(json_object_get(o, "completionDate"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "stateChange"), 2),
                                                          "changeReason")),
                        "customer asked");
    json_decref(o);
}

static void test_product_states(void **state)
{
    (void)state;
    assert_true(bss_product_transition_ok("created", "active"));
    assert_true(bss_product_transition_ok("active", "suspended"));
    assert_true(bss_product_transition_ok("suspended", "active"));
    assert_true(bss_product_transition_ok("active", "active"));
    assert_false(bss_product_transition_ok("terminated", "active"));
    assert_false(bss_product_transition_ok("suspended", "created"));
    assert_true(bss_product_is_live("suspended"));
    assert_false(bss_product_is_live("aborted"));
    assert_false(bss_product_is_live(NULL));
}

static void test_simulator(void **state)
{
    (void)state;
    bss_errinfo ei;
    assert_int_equal(bss_prov_sim_check("", &ei), BSS_OK);
    assert_int_equal(bss_prov_sim_check("hlr.createSubscriber=100,pcrf.setPolicy=10", &ei), BSS_OK);
    assert_int_equal(bss_prov_sim_check("hlr.createSubscriber", &ei), BSS_E_CONFIG);
    assert_int_equal(bss_prov_sim_check("hlr=101", &ei), BSS_E_CONFIG);
    assert_int_equal(bss_prov_sim_check("=5", &ei), BSS_E_CONFIG);
    assert_string_equal(ei.field, "provision-fail");
    bss_prov_sim sim = {.latency_ms = 0};
    snprintf(sim.fail, sizeof sim.fail, "hlr.createSubscriber=100");
    snprintf(sim.smdp_address, sizeof sim.smdp_address, "smdp.example.net");
    bss_prov_adapter a = bss_prov_simulator(&sim);
    json_t *in = json_object(), *res = NULL, *again = NULL;
    bss_prov_task t = {.order_id = "o1", .seq = 1, .type = "smdp.downloadOrder", .input = in, .attempt = 1};
    assert_int_equal(a.run(a.ctx, &t, &res, &ei), BSS_OK);
    const char *code = json_string_value(json_object_get(res, "activationCode"));
    assert_non_null(code);
    assert_int_equal(strncmp(code, "LPA:1$smdp.example.net$", 23), 0);
    assert_int_equal(strlen(code), 23 + 11);
    t.attempt = 2; /* a retried step answers the same code */
    assert_int_equal(a.run(a.ctx, &t, &again, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(again, "activationCode")), code);
    json_decref(res);
    json_decref(again);
    t.type = "hlr.createSubscriber";
    res = NULL;
    assert_int_equal(a.run(a.ctx, &t, &res, &ei), BSS_E_UNPROCESSABLE);
    assert_non_null(strstr(ei.message, "hlr.createSubscriber refused"));
    t.type = "pcrf.setPolicy";
    assert_int_equal(a.run(a.ctx, &t, &res, &ei), BSS_OK);
    json_decref(res);
    json_decref(in);
}

/* ---- the task queue ---- */

static int setup_sqlite(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_sqlite, NOW);
}
static int setup_pg(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_pg, NOW);
}

static void free_tasks(bss__task *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bss_free(t[i].input);
}

static void test_task_queue(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    /* item 1: a -> b; item 2: c */
    assert_int_equal(bss__store_task_insert(db, "o1", 1, "1", "hlr.createSubscriber", 0, NOW, "{\"x\":1}", &ei), BSS_OK);
    assert_int_equal(bss__store_task_insert(db, "o1", 2, "1", "product.activate", 1, NOW, "{\"x\":1}", &ei), BSS_OK);
    assert_int_equal(bss__store_task_insert(db, "o1", 3, "2", "charging.createBuckets", 0, NOW, "{}", &ei), BSS_OK);
    bss__task t[8];
    size_t n = 0;
    assert_int_equal(bss__store_tasks_claim(db, NOW, NOW + 60000, t, 8, &n, &ei), BSS_OK);
    assert_int_equal(n, 2); /* seq 2 waits for seq 1 */
    assert_int_equal(t[0].seq, 1);
    assert_int_equal(t[1].seq, 3);
    assert_int_equal(t[0].attempts, 1);
    assert_string_equal(t[0].input, "{\"x\":1}");
    free_tasks(t, n);
    assert_int_equal(bss__store_tasks_claim(db, NOW, NOW + 60000, t, 8, &n, &ei), BSS_OK);
    assert_int_equal(n, 0); /* both running */
    bss__item_tasks it;
    assert_int_equal(bss__store_item_tasks(db, "o1", "1", &it, &ei), BSS_OK);
    assert_int_equal(it.open, 2);
    assert_int_equal(it.running, 1);
    /* seq 1 fails once: tried again after its pause */
    assert_int_equal(bss__store_task_retry(db, "o1", 1, NOW + 500, "busy", &ei), BSS_OK);
    assert_int_equal(bss__store_tasks_claim(db, NOW + 100, NOW + 60000, t, 8, &n, &ei), BSS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(bss__store_tasks_claim(db, NOW + 500, NOW + 60000, t, 8, &n, &ei), BSS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].attempts, 2);
    free_tasks(t, n);
    assert_int_equal(bss__store_task_done(db, "o1", 1, NOW + 600, "{\"ok\":true}", &ei), BSS_OK);
    json_t *res = NULL;
    assert_int_equal(bss__store_item_result(db, "o1", "1", "hlr.createSubscriber", &res, &ei), BSS_OK);
    assert_true(json_is_true(json_object_get(res, "ok")));
    json_decref(res);
    /* now seq 2 is due; the server stops with it running; a restart sets it pending again */
    assert_int_equal(bss__store_tasks_claim(db, NOW + 700, NOW + 60000, t, 8, &n, &ei), BSS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].seq, 2);
    free_tasks(t, n);
    int64_t resumed = 0;
    assert_int_equal(bss__store_tasks_resume(db, &resumed, &ei), BSS_OK);
    assert_int_equal(resumed, 2); /* seq 2 and seq 3 */
    assert_int_equal(bss__store_tasks_claim(db, NOW + 800, NOW + 60000, t, 8, &n, &ei), BSS_OK);
    assert_int_equal(n, 2);
    free_tasks(t, n);
    assert_int_equal(bss__store_task_done(db, "o1", 2, NOW + 900, NULL, &ei), BSS_OK);
    assert_int_equal(bss__store_task_failed(db, "o1", 3, NOW + 900, "refused", &ei), BSS_OK);
    assert_int_equal(bss__store_item_tasks(db, "o1", "1", &it, &ei), BSS_OK);
    assert_int_equal(it.open, 0);
    assert_int_equal(it.done, 2);
    assert_int_equal(bss__store_item_tasks(db, "o1", "2", &it, &ei), BSS_OK);
    assert_int_equal(it.failed, 1);
    json_t *list = json_array();
    assert_int_equal(bss__store_order_tasks(db, "o1", list, &ei), BSS_OK);
    assert_int_equal(json_array_size(list), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 2), "error")), "refused");
    json_decref(list);
    int64_t max = 0;
    assert_int_equal(bss__store_task_max_seq(db, "o1", &max, &ei), BSS_OK);
    assert_int_equal(max, 3);
}

/* ---- a line's product as charging reads it ---- */

static void put_product(bss_db *db, const char *id, const char *msisdn, const char *doc, const bss_db_val start)
{
    bss_errinfo ei;
    assert_int_equal(bss_db_exec(db,
                                 "INSERT INTO product (id, doc, created_ms, updated_ms, row_version, status, offering_id, "
                                 "offering_version, account_id, start_ms) VALUES (?, ?, 0, 0, 1, 'active', 'po-x', '1', "
                                 "'acc-1', ?)",
                                 BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(doc), start), NULL, &ei),
                     BSS_OK);
    assert_int_equal(bss_db_exec(db, "INSERT INTO product_identity (value, kind, product_id) VALUES (?, 'MSISDN', ?)",
                                 BSS_DB_ARGS(BSS_DB_STR(msisdn), BSS_DB_STR(id)), NULL, &ei),
                     BSS_OK);
}

static void test_product_line(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    /* written before start_ms existed: the start from the document, and the cap */
    put_product(db, "p1", "31600000001",
                "{\"id\":\"p1\",\"startDate\":\"2026-05-01T10:00:00.250Z\",\"productCharacteristic\":"
                "[{\"name\":\"MSISDN\",\"value\":\"31600000001\"},{\"name\":\"spendingCap\",\"value\":25.5}]}",
                BSS_DB_NIL);
    /* the column is what counts when it is there; no pinned version, no cap: the document is not parsed */
    put_product(db, "p2", "31600000002", "{\"id\":\"p2\",\"startDate\":\"2020-01-01T00:00:00Z\"}", BSS_DB_I64(123));
    /* a pinned version is only in the document */
    put_product(db, "p3", "31600000003", "{\"id\":\"p3\",\"productOfferingVersion\":\"2\"}", BSS_DB_NIL);
    bss_product_line pl;
    bool found = false;
    assert_int_equal(bss_product_line_find(db, "31600000001", &pl, &found, &ei), BSS_OK);
    assert_true(found);
    assert_string_equal(pl.id, "p1");
    assert_string_equal(pl.status, "active");
    assert_string_equal(pl.offering_id, "po-x");
    assert_string_equal(pl.account_id, "acc-1");
    assert_int_equal(pl.start_ms, INT64_C(1777629600250));
    assert_int_equal(pl.spending_cap_micros, 25500000);
    assert_string_equal(pl.pinned_version, "");
    assert_int_equal(bss_product_line_find(db, "31600000002", &pl, &found, &ei), BSS_OK);
    assert_true(found);
    assert_int_equal(pl.start_ms, 123);
    assert_int_equal(pl.spending_cap_micros, 0);
    assert_int_equal(bss_product_line_find(db, "31600000003", &pl, &found, &ei), BSS_OK);
    assert_string_equal(pl.pinned_version, "2");
    assert_true(pl.start_ms == INT64_MIN); /* never active */
    assert_int_equal(bss_product_line_find(db, "31600000009", &pl, &found, &ei), BSS_OK);
    assert_false(found);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_task_queue, setup, dbtest_teardown),                            \
            cmocka_unit_test_setup_teardown(test_product_line, setup, dbtest_teardown)                       \
    }

static const struct CMUnitTest pure_tests[] = {cmocka_unit_test(test_order_states), cmocka_unit_test(test_product_states),
                                               cmocka_unit_test(test_simulator)};

DBTEST_MAIN_PURE("rules", pure_tests, STORE_TESTS, setup_sqlite, setup_pg)
