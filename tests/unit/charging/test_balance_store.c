/*
 * test_balance_store.c: the balance store (charging_int.h, migration 0016)
 * on SQLite and PostgreSQL: a bucket's value only changes with a ledger
 * row, so after any sequence of changes the value equals the sum of its
 * ledger; the checks on a bucket name the member at fault.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../db/dbtest.h"

#include "charging/charging_int.h"

#define NOW INT64_C(1764669600000) /* 2025-12-02T10:00:00Z */

static int setup_sqlite(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_sqlite, NOW);
}
static int setup_pg(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_pg, NOW);
}

static bss__bucket wallet(const char *id, int64_t value)
{
    bss__bucket b = {.service = BSS_SERVICE_NONE, .source = BSS_BUCKET_WALLET, .priority = 100, .value = value,
                     .valid_from_ms = INT64_MIN, .valid_to_ms = INT64_MAX};
    snprintf(b.id, sizeof b.id, "%s", id);
    strcpy(b.account_id, "acc-1");
    strcpy(b.unit, "EUR");
    strcpy(b.status, "active");
    return b;
}

static void test_checks(void **state)
{
    (void)state;
    bss_errinfo ei;
    bss__bucket b = wallet("w", 0);
    assert_int_equal(bss__bucket_check(&b, &ei), BSS_OK);
    strcpy(b.unit, "EURO");
    assert_int_equal(bss__bucket_check(&b, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "unit");
    assert_string_equal(ei.message, "a monetary bucket's unit is an ISO 4217 currency code (EUR), not 'EURO'");
    b = wallet("w", 0);
    b.service = BSS_SERVICE_DATA;
    b.source = BSS_BUCKET_PLAN;
    strcpy(b.unit, "s");
    assert_int_equal(bss__bucket_check(&b, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "a data bucket counts in byte, not 's'");
    strcpy(b.unit, "byte");
    b.value = -1;
    assert_int_equal(bss__bucket_check(&b, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "a unit bucket cannot hold less than 0");
    b.value = BSS__BUCKET_MAX_VALUE + 1;
    assert_int_equal(bss__bucket_check(&b, &ei), BSS_E_RANGE);
    b = wallet("w", 0);
    b.account_id[0] = 0;
    assert_int_equal(bss__bucket_check(&b, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "partyAccount.id");
    b = wallet("w", 0);
    b.service = BSS_SERVICE_VOICE;
    strcpy(b.unit, "s");
    assert_int_equal(bss__bucket_check(&b, &ei), BSS_E_INVALID); /* a wallet holds money */
    assert_string_equal(ei.field, "source");
    b = wallet("w", 0);
    b.priority = 10001;
    assert_int_equal(bss__bucket_check(&b, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "priority");
    b = wallet("w", 0);
    b.valid_from_ms = NOW;
    b.valid_to_ms = NOW;
    assert_int_equal(bss__bucket_check(&b, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "validFor.endDateTime");
    b = wallet("w", 0);
    strcpy(b.status, "open");
    assert_int_equal(bss__bucket_check(&b, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "status");
    bss_service s;
    assert_true(bss__usage_type_parse("monetary", &s) && s == BSS_SERVICE_NONE);
    assert_true(bss__usage_type_parse("data", &s) && s == BSS_SERVICE_DATA);
    assert_false(bss__usage_type_parse("money", &s));
}

static void test_ledger_invariant(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss__bucket b = wallet("0190a000-0000-7000-8000-000000000001", 10000000);
    bss__ledger_src topup = {.reason = "topup", .source_kind = "topupBalance", .source_id = "t-1"};
    assert_int_equal(bss__bucket_insert(env->db, &b, "{\"name\":\"main\"}", &topup, NOW, &ei), BSS_OK);
    /* usage, a refund, an adjustment below zero (an overdraft) */
    int64_t after = 0;
    bss__ledger_src use = {.reason = "usage", .source_kind = "import", .source_id = "batch-1", .events = 250};
    assert_int_equal(bss__bucket_change(env->db, b.id, -3500000, 0, &use, NOW + 1, &after, &ei), BSS_OK);
    assert_int_equal(after, 6500000);
    bss__ledger_src refund = {.reason = "refund", .source_kind = "usage", .source_id = "u-9"};
    assert_int_equal(bss__bucket_change(env->db, b.id, 250000, 0, &refund, NOW + 2, &after, &ei), BSS_OK);
    bss__ledger_src adj = {.reason = "adjust", .source_kind = "adjustBalance", .source_id = "a-1"};
    assert_int_equal(bss__bucket_change(env->db, b.id, -7000000, 0, &adj, NOW + 3, &after, &ei), BSS_OK);
    assert_int_equal(after, -250000);
    /* beyond 10^15: refused, nothing written */
    assert_int_equal(bss__bucket_change(env->db, b.id, BSS__BUCKET_MAX_VALUE, 0, &adj, NOW + 4, &after, &ei), BSS_OK);
    assert_int_equal(bss__bucket_change(env->db, b.id, 1000000, 0, &adj, NOW + 5, &after, &ei), BSS_E_RANGE);
    assert_int_equal(bss__bucket_change(env->db, "nope", 1, 0, &adj, NOW + 5, &after, &ei), BSS_E_NOT_FOUND);
    assert_string_equal(ei.message, "no bucket with id nope");
    bss__bucket got;
    assert_int_equal(bss__bucket_get(env->db, b.id, &got, &ei), BSS_OK);
    assert_int_equal(got.value, BSS__BUCKET_MAX_VALUE - 250000);
    assert_string_equal(got.unit, "EUR");
    assert_int_equal(got.source, BSS_BUCKET_WALLET);
    assert_int_equal(got.valid_to_ms, INT64_MAX);
    assert_int_equal(got.row_version, 6); /* insert + 5 changes (the create's included) */
    int64_t sum = 0, rows = 0;
    assert_int_equal(bss__bucket_ledger_sum(env->db, b.id, &sum, &rows, &ei), BSS_OK);
    assert_int_equal(sum, got.value);
    assert_int_equal(rows, 5);
    /* the first row says what made the bucket; the import row how many events it sums */
    int64_t events = 0;
    assert_int_equal(bss_db_query_int64(env->db,
                                        "SELECT events FROM balance_ledger WHERE reason = 'usage' AND source_id = 'batch-1'",
                                        BSS_DB_NOARGS, &events, &ei),
                     BSS_OK);
    assert_int_equal(events, 250);
    int64_t topups = 0;
    assert_int_equal(bss_db_query_int64(env->db,
                                        "SELECT COUNT(*) FROM balance_ledger WHERE reason = 'topup' AND delta = 10000000",
                                        BSS_DB_NOARGS, &topups, &ei),
                     BSS_OK);
    assert_int_equal(topups, 1);
    assert_int_equal(bss__bucket_get(env->db, "nope", &got, &ei), BSS_E_NOT_FOUND);
}

static void test_unit_bucket(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss__bucket b = {.service = BSS_SERVICE_DATA, .source = BSS_BUCKET_PLAN, .priority = 10,
                     .value = INT64_C(5368709120), .initial = INT64_C(5368709120), .valid_from_ms = NOW,
                     .valid_to_ms = NOW + 30LL * 86400000};
    strcpy(b.id, "0190a000-0000-7000-8000-000000000002");
    strcpy(b.account_id, "acc-1");
    strcpy(b.product_id, "prod-1");
    strcpy(b.msisdn, "31612345678");
    strcpy(b.unit, "byte");
    strcpy(b.price_id, "pop-postpaid-s-data");
    strcpy(b.status, "active");
    assert_int_equal(bss__bucket_insert(env->db, &b, NULL, NULL, NOW, &ei), BSS_OK);
    int64_t after;
    bss__ledger_src use = {.reason = "usage", .source_kind = "usage", .source_id = "u-1"};
    assert_int_equal(bss__bucket_change(env->db, b.id, -1048576, 1048576, &use, NOW + 1, &after, &ei), BSS_OK);
    bss__bucket got;
    assert_int_equal(bss__bucket_get(env->db, b.id, &got, &ei), BSS_OK);
    assert_int_equal(got.value, INT64_C(5368709120) - 1048576);
    assert_int_equal(got.used, 1048576);
    assert_int_equal(got.initial, INT64_C(5368709120));
    assert_int_equal(got.valid_from_ms, NOW);
    assert_string_equal(got.msisdn, "31612345678");
    assert_string_equal(got.price_id, "pop-postpaid-s-data");
    /* the same id twice is the store's conflict, nothing half written */
    assert_int_not_equal(bss__bucket_insert(env->db, &b, NULL, NULL, NOW, &ei), BSS_OK);
    int64_t sum = 0, rows = 0;
    assert_int_equal(bss__bucket_ledger_sum(env->db, b.id, &sum, &rows, &ei), BSS_OK);
    assert_int_equal(sum, INT64_C(5368709120) - 1048576);
    assert_int_equal(rows, 2);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_ledger_invariant, setup, dbtest_teardown),                      \
            cmocka_unit_test_setup_teardown(test_unit_bucket, setup, dbtest_teardown),                       \
    }

static const struct CMUnitTest pure_tests[] = {cmocka_unit_test(test_checks)};

DBTEST_MAIN_PURE("checks", pure_tests, STORE_TESTS, setup_sqlite, setup_pg)
