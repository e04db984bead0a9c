/*
 * test_account.c: the TMF666 rules (account.c, account_other.c,
 * account_common.c) on a migrated store: billing account currency, bill
 * cycle day, owner and party references, the linked customer, bill
 * structure references to formats / seeded presentation media / cycle
 * specifications, card numbers, Money members, tax exemptions, corporate
 * hierarchies (same currency, no cycles), server-assigned account numbers,
 * the state machine, and the other account kinds.
 */
#include "customer/custtest.h"

#include "core/pan.h"
#include "customer/customer_int.h"

static const bss_doc_kind *const BA = &bss_billing_account_kind;

#define OWNER "\"relatedParty\":[{\"id\":\"ind-1\",\"role\":\"owner\"}]"

static void test_luhn_and_pan(void **state)
{
    (void)state;
    assert_true(bss_pan_luhn("4111111111111111", 16));
    assert_false(bss_pan_luhn("4111111111111112", 16));
    bss_errinfo ei;
    json_t *doc = js("{\"a\":{\"b\":[\"x\",\"5500-0000-0000-0004\"]}}");
    assert_int_equal(bss_pan_reject_json(doc, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "a.b[1]");
    assert_non_null(strstr(ei.message, "use a payment method token"));
    json_decref(doc);
    doc = js("{\"n\":4111111111111111}");
    assert_int_equal(bss_pan_reject_json(doc, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "n");
    json_decref(doc);
    /* too short, not Luhn, letters, E.164 phone numbers and ids pass */
    doc = js("{\"a\":\"411111111111\",\"b\":\"4111111111111112\",\"c\":\"+4915112345678\",\"d\":"
             "\"41111x1111111111\","
             "\"e\":\"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\"}");
    assert_int_equal(bss_pan_reject_json(doc, &ei), BSS_OK);
    json_decref(doc);
    /* a card number inside free text is found too (core/pan.h) */
    doc = js("{\"f\":\"4111 1111 1111 1111 \"}");
    assert_int_equal(bss_pan_reject_json(doc, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "f");
    json_decref(doc);
}

static void setup_refs(bss_db *db)
{
    add_party(db, NULL, "ind-1");
    add_party(db, "org", "org-1");
    json_decref(must_create(db, &bss_customer_kind, "cust-1",
                            "{\"name\":\"Ann\",\"engagedParty\":{\"id\":\"ind-1\"}}"));
}

static void test_billing_bad_input(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    setup_refs(db);
    char t[1024];
#define BODY(rest) (snprintf(t, sizeof t, "{\"name\":\"Home\"," OWNER ",%s}", rest), t)
    expect_fail(db, BA, "b1", false, "{\"name\":\"Home\",\"currency\":\"EUR\"}", BSS_E_INVALID,
                "relatedParty", "required");
    expect_fail(db, BA, "b1", false, BODY("\"x\":1"), BSS_E_INVALID, "currency", "currency is required");
    expect_fail(db, BA, "b1", false, BODY("\"currency\":\"XXQ\""), BSS_E_INVALID, "currency", "ISO 4217");
    expect_fail(db, BA, "b1", false, BODY("\"currency\":\"eur\""), BSS_E_INVALID, "currency", NULL);
    for (int day = 29; day <= 31; day++) {
        char rest[80];
        snprintf(rest, sizeof rest, "\"currency\":\"EUR\",\"billCycleDay\":%d", day);
        expect_fail(db, BA, "b1", false, BODY(rest), BSS_E_INVALID, "billCycleDay", "a day every month has");
    }
    expect_fail(db, BA, "b1", false, BODY("\"currency\":\"EUR\",\"billCycleDay\":0"), BSS_E_INVALID,
                "billCycleDay", NULL);
    expect_fail(db, BA, "b1", false, BODY("\"currency\":\"EUR\",\"billCycleDay\":\"5\""), BSS_E_INVALID,
                "billCycleDay", NULL);
    expect_fail(db, BA, "b1", false,
                "{\"name\":\"H\",\"currency\":\"EUR\",\"relatedParty\":[{\"id\":\"ind-1\"}]}", BSS_E_INVALID,
                "relatedParty", "owner");
    expect_fail(
        db, BA, "b1", false,
        "{\"name\":\"H\",\"currency\":\"EUR\",\"relatedParty\":[{\"id\":\"ghost\",\"role\":\"owner\"}]}",
        BSS_E_UNPROCESSABLE, "relatedParty[0].id", NULL);
    expect_fail(db, BA, "b1", false,
                BODY("\"currency\":\"EUR\",\"creditLimit\":{\"unit\":\"USD\",\"value\":10}"), BSS_E_INVALID,
                "creditLimit.unit", NULL);
    expect_fail(db, BA, "b1", false,
                BODY("\"currency\":\"EUR\",\"creditLimit\":{\"unit\":\"EUR\",\"value\":-1}"), BSS_E_INVALID,
                "creditLimit.value", NULL);
    expect_fail(db, BA, "b1", false,
                BODY("\"currency\":\"EUR\",\"creditLimit\":{\"unit\":\"EUR\",\"value\":1.0000001}"),
                BSS_E_INVALID, "creditLimit.value", NULL);
    expect_fail(
        db, BA, "b1", false,
        BODY("\"currency\":\"EUR\",\"defaultPaymentMethod\":{\"id\":\"pm-1\",\"pan\":\"4111111111111111\"}"),
        BSS_E_INVALID, "defaultPaymentMethod.pan", "card numbers are not stored; use a payment method token");
    expect_fail(db, BA, "b1", false,
                BODY("\"currency\":\"EUR\",\"defaultPaymentMethod\":{\"name\":\"card\"}"), BSS_E_INVALID,
                "defaultPaymentMethod.id", NULL);
    expect_fail(db, BA, "b1", false, BODY("\"currency\":\"EUR\",\"taxExemption\":[{\"reason\":\"charity\"}]"),
                BSS_E_INVALID, "taxExemption[0].certificateReference", NULL);
    expect_fail(db, BA, "b1", false,
                BODY("\"currency\":\"EUR\",\"billStructure\":{\"format\":{\"id\":\"nope\"}}"),
                BSS_E_UNPROCESSABLE, "billStructure.format.id", NULL);
    expect_fail(db, BA, "b1", false,
                BODY("\"currency\":\"EUR\",\"billStructure\":{\"presentationMedia\":[{\"id\":\"email\"},{"
                     "\"id\":\"fax\"}]}"),
                BSS_E_UNPROCESSABLE, "billStructure.presentationMedia[1].id", NULL);
    expect_fail(db, BA, "b1", false, BODY("\"currency\":\"EUR\",\"parentAccount\":{\"id\":\"nope\"}"),
                BSS_E_UNPROCESSABLE, "parentAccount.id", NULL);
    expect_fail(db, BA, "b1", false, BODY("\"currency\":\"EUR\",\"customer\":{\"id\":\"nope\"}"),
                BSS_E_UNPROCESSABLE, "customer.id", NULL);
#undef BODY
}

static void test_billing_account(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bss_errinfo ei;
    setup_refs(db);
    json_t *fmt = must_create(db, &bss_bill_format_kind, "f1", "{\"name\":\"Detailed\"}");
    json_t *spec =
        must_create(db, &bss_billing_cycle_spec_kind, "s1",
                    "{\"name\":\"Monthly on the 15th\",\"frequency\":\"monthly\",\"billCycleDay\":15}");
    expect_fail(db, &bss_billing_cycle_spec_kind, "s2", false, "{\"name\":\"x\",\"billCycleDay\":30}",
                BSS_E_INVALID, "billCycleDay", "every month");
    json_t *doc = must_create(
        db, BA, "b1",
        "{\"name\":\"Home\"," OWNER ",\"creditLimit\":{\"unit\":\"GBP\",\"value\":\"150.50\"},"
        "\"billStructure\":{\"format\":{\"id\":\"f1\"},\"presentationMedia\":[{\"id\":\"email\"},{\"id\":"
        "\"paper\"}],"
        "\"cycleSpecification\":{\"id\":\"s1\"}},\"defaultPaymentMethod\":{\"id\":\"tok_123\"},"
        "\"taxExemption\":[{\"certificateReference\":\"CH-2026-17\",\"reason\":\"charity\","
        "\"validFor\":{\"startDateTime\":\"2026-01-01T00:00:00Z\"}}],\"accountNumber\":\"MINE\"}");
    assert_string_equal(str_at(doc, "currency"), "GBP");                            /* from creditLimit */
    assert_int_equal(json_integer_value(json_object_get(doc, "billCycleDay")), 15); /* from the cycle spec */
    assert_string_equal(str_at(doc, "accountNumber"), "BA-000001");
    assert_string_equal(str_at(doc, "state"), "active");
    assert_string_equal(str_at(doc, "customer.id"), "cust-1"); /* the owner's customer */
    assert_string_equal(str_at(doc, "customer.@referredType"), "Customer");
    assert_string_equal(str_at(doc, "lastModified"), "2026-01-01T00:00:00.000Z");
    json_decref(doc);
    json_decref(fmt);
    json_decref(spec);
    doc = must_create(db, BA, "b2", "{\"name\":\"Work\"," OWNER ",\"currency\":\"EUR\"}");
    assert_string_equal(str_at(doc, "accountNumber"), "BA-000002");
    assert_int_equal(json_integer_value(json_object_get(doc, "billCycleDay")), 1);
    json_decref(doc);
    /* accountNumber and currency are fixed */
    assert_int_equal(
        write_doc(db, BA, "b2", true, "{\"accountNumber\":\"BA-9\",\"billCycleDay\":28}", &doc, &ei), BSS_OK);
    assert_string_equal(str_at(doc, "accountNumber"), "BA-000002");
    json_decref(doc);
    expect_fail(db, BA, "b2", true, "{\"currency\":\"USD\"}", BSS_E_CONFLICT, "currency", NULL);
    expect_fail(db, BA, "b2", true, "{\"billCycleDay\":31}", BSS_E_INVALID, "billCycleDay", NULL);
    /* states */
    expect_fail(db, BA, "b2", true, "{\"state\":\"frozen\"}", BSS_E_INVALID, "state", NULL);
    assert_int_equal(write_doc(db, BA, "b2", true, "{\"state\":\"suspended\"}", NULL, &ei), BSS_OK);
    assert_int_equal(write_doc(db, BA, "b2", true, "{\"state\":\"closed\"}", NULL, &ei), BSS_OK);
    expect_fail(db, BA, "b2", true, "{\"state\":\"active\"}", BSS_E_STATE, "state", "stays closed");
    /* the number is a typed column the search and lists filter on */
    int64_t n = 0;
    assert_int_equal(
        bss_db_query_int64(db,
                           "SELECT COUNT(*) FROM tmf666_billing_account WHERE account_number = ? "
                           "AND customer_id = ? AND bill_cycle_day = 15 AND currency = 'GBP'",
                           BSS_DB_ARGS(BSS_DB_STR("BA-000001"), BSS_DB_STR("cust-1")), &n, &ei),
        BSS_OK);
    assert_int_equal(n, 1);
}

static void test_hierarchy(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bss_errinfo ei;
    setup_refs(db);
    const char *org =
        "\"relatedParty\":[{\"id\":\"org-1\",\"@referredType\":\"Organization\",\"role\":\"owner\"}]";
    char t[512];
    snprintf(t, sizeof t, "{\"name\":\"HQ\",%s,\"currency\":\"EUR\"}", org);
    json_decref(must_create(db, BA, "hq", t));
    snprintf(t, sizeof t, "{\"name\":\"Branch\",%s,\"currency\":\"EUR\",\"parentAccount\":{\"id\":\"hq\"}}",
             org);
    json_decref(must_create(db, BA, "branch", t));
    snprintf(t, sizeof t, "{\"name\":\"Team\",%s,\"currency\":\"EUR\",\"parentAccount\":{\"id\":\"branch\"}}",
             org);
    json_decref(must_create(db, BA, "team", t));
    snprintf(t, sizeof t, "{\"name\":\"US\",%s,\"currency\":\"USD\",\"parentAccount\":{\"id\":\"hq\"}}", org);
    expect_fail(db, BA, "us", false, t, BSS_E_UNPROCESSABLE, "parentAccount", "same currency");
    /* cycles: hq under team (team -> branch -> hq), and an account under itself */
    expect_fail(db, BA, "hq", true, "{\"parentAccount\":{\"id\":\"team\"}}", BSS_E_UNPROCESSABLE,
                "parentAccount", "cycle");
    expect_fail(db, BA, "hq", true, "{\"parentAccount\":{\"id\":\"hq\"}}", BSS_E_UNPROCESSABLE,
                "parentAccount", "its own");
    /* a closed account cannot become a parent */
    snprintf(t, sizeof t, "{\"name\":\"Old\",%s,\"currency\":\"EUR\",\"state\":\"closed\"}", org);
    json_decref(must_create(db, BA, "old", t));
    expect_fail(db, BA, "team", true, "{\"parentAccount\":{\"id\":\"old\"}}", BSS_E_UNPROCESSABLE,
                "parentAccount", "closed");
    /* moving a leaf is fine */
    assert_int_equal(write_doc(db, BA, "team", true, "{\"parentAccount\":{\"id\":\"hq\"}}", NULL, &ei),
                     BSS_OK);
    int64_t n = 0;
    assert_int_equal(bss_db_query_int64(db, "SELECT COUNT(*) FROM tmf666_billing_account WHERE parent_id = ?",
                                        BSS_DB_ARGS(BSS_DB_STR("hq")), &n, &ei),
                     BSS_OK);
    assert_int_equal(n, 2);
}

static void test_other_accounts(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    setup_refs(db);
    json_t *doc = must_create(
        db, &bss_party_account_kind, "p1",
        "{\"name\":\"Travel\",\"relatedParty\":[{\"id\":\"ind-1\",\"@referredType\":\"Individual\"}],"
        "\"accountBalance\":[{\"balanceType\":\"deposit\",\"amount\":{\"unit\":\"EUR\",\"value\":-5}}]}");
    assert_string_equal(str_at(doc, "accountNumber"), "PA-000001");
    assert_string_equal(str_at(doc, "customer.id"), "cust-1");
    json_decref(doc);
    doc = must_create(db, &bss_financial_account_kind, "f1", "{\"name\":\"Administration\"}");
    assert_string_equal(str_at(doc, "accountNumber"), "FA-000001");
    assert_null(json_object_get(doc, "customer"));
    json_decref(doc);
    doc = must_create(db, &bss_settlement_account_kind, "s1",
                      "{\"name\":\"Per usage\",\"relatedParty\":[{\"id\":\"org-1\"}]}");
    assert_string_equal(str_at(doc, "accountNumber"), "SA-000001");
    json_decref(doc);
    expect_fail(db, &bss_settlement_account_kind, "s2", false,
                "{\"name\":\"x\",\"relatedParty\":[{\"id\":\"ghost\",\"@referredType\":\"Organization\"}]}",
                BSS_E_UNPROCESSABLE, "relatedParty[0].id", NULL);
    expect_fail(db, &bss_financial_account_kind, "f2", false,
                "{\"name\":\"x\",\"creditLimit\":{\"unit\":\"QQQ\",\"value\":1}}", BSS_E_INVALID,
                "creditLimit.unit", NULL);
    expect_fail(db, &bss_financial_account_kind, "f2", false, "{\"name\":\"\"}", BSS_E_INVALID, "name", NULL);
    expect_fail(db, &bss_financial_account_kind, "f2", false,
                "{\"name\":\"x\",\"iban\":\"4012888888881881\"}", BSS_E_INVALID, "iban", "card numbers");
    /* the seeded presentation media */
    json_t *m = NULL;
    bss_errinfo ei;
    assert_int_equal(bss_doc_load(db, &bss_bill_presentation_media_kind, "portal", &m, NULL, &ei), BSS_OK);
    assert_string_equal(str_at(m, "name"), "portal");
    json_decref(m);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_billing_bad_input, setup, dbtest_teardown),                     \
            cmocka_unit_test_setup_teardown(test_billing_account, setup, dbtest_teardown),                   \
            cmocka_unit_test_setup_teardown(test_hierarchy, setup, dbtest_teardown),                         \
            cmocka_unit_test_setup_teardown(test_other_accounts, setup, dbtest_teardown),                    \
    }

static const struct CMUnitTest pure_tests[] = {cmocka_unit_test(test_luhn_and_pan)};

DBTEST_MAIN_PURE("rules", pure_tests, STORE_TESTS, setup_sqlite_store, setup_pg_store)
