/*
 * test_view.c: the customer view (src/customer/view.c) on a migrated store
 * (SQLite and, via db/dbtest.h, PostgreSQL): 404 for an unknown
 * customer, every part present and empty when it has no data (products,
 * bills, orders and balances have no tables yet), accounts by customer,
 * open tickets only, and the 20 newest interactions, newest first.
 */
#include "customer/customer.h"
#include "customer/custtest.h"

static void seed(bss_db *db)
{
    bss_errinfo ei;
    assert_int_equal(
        bss_db_exec(db,
                    "INSERT INTO tmf632_individual (id, doc, created_ms, updated_ms, row_version) VALUES "
                    "('ind-1', '{\"id\":\"ind-1\",\"givenName\":\"Ann\"}', 0, 0, 1)",
                    BSS_DB_NOARGS, NULL, &ei),
        BSS_OK);
    assert_int_equal(
        bss_db_exec(db,
                    "INSERT INTO tmf629_customer (id, doc, created_ms, updated_ms, row_version, "
                    "engaged_party_id) VALUES ('c1', '{\"id\":\"c1\",\"engagedParty\":{\"id\":\"ind-1\"}}', "
                    "0, 0, 1, 'ind-1')",
                    BSS_DB_NOARGS, NULL, &ei),
        BSS_OK);
}

static void test_not_found_and_empty(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bss_errinfo ei;
    json_t *v = NULL;
    assert_int_equal(bss_care_view_build(db, "nobody", &v, &ei), BSS_E_NOT_FOUND);
    assert_string_equal(ei.field, "id");
    assert_null(v);
    seed(db);
    assert_int_equal(bss_care_view_build(db, "c1", &v, &ei), BSS_OK);
    assert_string_equal(str_at(v, "customer.id"), "c1");
    assert_string_equal(str_at(v, "party.givenName"), "Ann");
    static const char *const parts[] = {"accounts",   "subscriptions", "balances",        "lastBills",
                                        "openOrders", "openTickets",   "lastInteractions"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        assert_true(json_is_array(json_object_get(v, parts[i])));
        assert_int_equal(json_array_size(json_object_get(v, parts[i])), 0);
    }
    json_decref(v);
}

static bss_err create(bss_db *db, const bss_doc_kind *res, const char *id, int64_t now, const char *text,
                      bool patch)
{
    bss_doc_ctx ctx = {res, db, now, "http://h", NULL, NULL, NULL, false, NULL};
    json_t *body = js(text), *doc = NULL;
    bss_errinfo ei;
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    bss_err rc = patch ? bss_doc_patch(&ctx, id, body, &doc, &ei) : bss_doc_create(&ctx, id, body, &doc, &ei);
    if (rc != BSS_OK)
        fail_msg("%s: %s", text, ei.message);
    rc = tx_end(db, rc);
    json_decref(body);
    json_decref(doc);
    return rc;
}

static void test_parts(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bss_errinfo ei;
    seed(db);
    assert_int_equal(
        bss_db_exec(db,
                    "INSERT INTO tmf666_billing_account (id, doc, created_ms, updated_ms, row_version, "
                    "customer_id) VALUES ('ba-1', '{\"id\":\"ba-1\"}', 0, 0, 1, 'c1'), "
                    "('ba-2', '{\"id\":\"ba-2\"}', 0, 0, 1, 'c2')",
                    BSS_DB_NOARGS, NULL, &ei),
        BSS_OK);
    for (int i = 0; i < 25; i++) {
        char id[16], body[256];
        snprintf(id, sizeof id, "i%02d", i);
        /* alternate subjects: the customer, its party, its account */
        static const char *const subj[] = {"{\"id\":\"c1\",\"@referredType\":\"Customer\"}",
                                           "{\"id\":\"ind-1\",\"@referredType\":\"Individual\"}",
                                           "{\"id\":\"ba-1\",\"@referredType\":\"BillingAccount\"}"};
        snprintf(body, sizeof body,
                 "{\"channel\":\"call\",\"direction\":\"inbound\",\"reason\":\"r%d\",\"relatedParty\":[%s]}",
                 i, subj[i % 3]);
        create(db, &bss_interaction_kind, id, NOW + i * 1000, body, false);
    }
    create(db, &bss_ticket_kind, "t1", NOW,
           "{\"description\":\"d\",\"ticketType\":\"complaint\",\"severity\":\"low\",\"relatedParty\":[{"
           "\"id\":\"c1\","
           "\"@referredType\":\"Customer\"}]}",
           false);
    create(db, &bss_ticket_kind, "t2", NOW,
           "{\"description\":\"d\",\"ticketType\":\"complaint\",\"severity\":\"low\",\"relatedParty\":[{"
           "\"id\":\"c1\","
           "\"@referredType\":\"Customer\"}]}",
           false);
    create(db, &bss_ticket_kind, "t2", NOW + 1, "{\"status\":\"inProgress\"}", true);
    create(db, &bss_ticket_kind, "t2", NOW + 2, "{\"status\":\"resolved\"}", true);
    json_t *v = NULL;
    assert_int_equal(bss_care_view_build(db, "c1", &v, &ei), BSS_OK);
    assert_int_equal(json_array_size(json_object_get(v, "accounts")), 1);
    assert_string_equal(str_at(json_array_get(json_object_get(v, "accounts"), 0), "id"), "ba-1");
    const json_t *tickets = json_object_get(v, "openTickets");
    assert_int_equal(json_array_size(tickets), 1);
    assert_string_equal(str_at(json_array_get(tickets, 0), "id"), "t1");
    const json_t *last = json_object_get(v, "lastInteractions");
    assert_int_equal(json_array_size(last), BSS_VIEW_INTERACTIONS);
    /* newest first; ticket events added system interactions at NOW..NOW+2, older than i03.. */
    assert_string_equal(str_at(json_array_get(last, 0), "id"), "i24");
    assert_string_equal(str_at(json_array_get(last, 19), "id"), "i05");
    json_decref(v);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_not_found_and_empty, setup, dbtest_teardown),                   \
            cmocka_unit_test_setup_teardown(test_parts, setup, dbtest_teardown),                             \
    }

DBTEST_MAIN_SETUP(STORE_TESTS, setup_sqlite_store, setup_pg_store)
