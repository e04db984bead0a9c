/*
 * test_consent.c: consent (customer.h): the POST body parser with
 * each bad input and its field, the append-only history, the current
 * state as the latest decision per purpose and channel, the check
 * outgoing marketing calls (a withdrawal takes effect at once, no row
 * means no consent), and erasure of the free text.
 */
#include "partytest.h"

#include "customer/customer.h"
#include "customer/customer_int.h"

static void expect_parse(const char *text, bss_err code, const char *field)
{
    json_t *body = pt_js(text);
    bss_consent_input in;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_consent_parse(body, &in, &ei);
    json_decref(body);
    if (rc != code)
        fail_msg("%s: want %s, got %s (%s)", text, bss_errname(code), bss_errname(rc), ei.message);
    if (field && strcmp(ei.field, field) != 0)
        fail_msg("%s: want field %s, got %s (%s)", text, field, ei.field, ei.message);
}

#define GOOD                                                                                                 \
    "\"purpose\":\"marketing\",\"channel\":\"sms\",\"granted\":true,\"source\":\"agent\","                   \
    "\"wordingVersion\":\"v1\""

static void test_parse(void **state)
{
    (void)state;
    json_t *body =
        pt_js("{\"purpose\":\"THIRDPARTYSHARING\",\"channel\":\"Email\",\"granted\":false,"
              "\"source\":\"self-care\",\"wordingVersion\":\"2026-01\",\"note\":\"asked by phone\"}");
    bss_consent_input in;
    bss_errinfo ei;
    assert_int_equal(bss_consent_parse(body, &in, &ei), BSS_OK);
    assert_string_equal(in.purpose, "thirdPartySharing");
    assert_string_equal(in.channel, "email");
    assert_string_equal(in.source, "selfCare");
    assert_false(in.granted);
    assert_string_equal(in.note, "asked by phone");
    json_decref(body);
    expect_parse("{" GOOD "}", BSS_OK, NULL);
    expect_parse("[]", BSS_E_INVALID, NULL);
    expect_parse("{\"channel\":\"sms\",\"granted\":true,\"source\":\"agent\",\"wordingVersion\":\"v1\"}",
                 BSS_E_INVALID, "purpose");
    expect_parse("{\"purpose\":\"spam\",\"channel\":\"sms\",\"granted\":true,\"source\":\"agent\","
                 "\"wordingVersion\":\"v1\"}",
                 BSS_E_INVALID, "purpose");
    expect_parse("{\"purpose\":\"marketing\",\"channel\":\"fax\",\"granted\":true,\"source\":\"agent\","
                 "\"wordingVersion\":\"v1\"}",
                 BSS_E_INVALID, "channel");
    expect_parse("{\"purpose\":\"marketing\",\"channel\":\"sms\",\"granted\":\"yes\",\"source\":\"agent\","
                 "\"wordingVersion\":\"v1\"}",
                 BSS_E_INVALID, "granted");
    expect_parse("{\"purpose\":\"marketing\",\"channel\":\"sms\",\"granted\":true,\"source\":\"robot\","
                 "\"wordingVersion\":\"v1\"}",
                 BSS_E_INVALID, "source");
    expect_parse("{\"purpose\":\"marketing\",\"channel\":\"sms\",\"granted\":true,\"source\":\"agent\"}",
                 BSS_E_INVALID, "wordingVersion");
    expect_parse("{\"purpose\":\"marketing\",\"channel\":\"sms\",\"granted\":true,\"source\":\"agent\","
                 "\"wordingVersion\":\"\"}",
                 BSS_E_INVALID, "wordingVersion");
    expect_parse("{" GOOD ",\"note\":5}", BSS_E_INVALID, "note");
}

static void record(bss_db *db, int64_t at, const char *purpose, const char *channel, bool granted,
                   const char *note)
{
    bss_consent_input in = {"p1", purpose, channel, granted, "agent", "v1", note, "care-1"};
    bss_errinfo ei;
    json_t *row = NULL;
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    if (bss_consent_record(db, at, &in, &row, &ei) != BSS_OK)
        fail_msg("record: %s", ei.message);
    assert_int_equal(bss_db_commit(db, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(row, "purpose")), purpose);
    assert_int_equal(json_is_true(json_object_get(row, "granted")), granted);
    assert_string_equal(json_string_value(json_object_get(row, "recordedBy")), "care-1");
    json_decref(row);
}

static void test_history_and_allows(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    assert_false(bss_consent_allows(db, "p1", "marketing", "sms")); /* nothing recorded: no */
    record(db, PT_NOW, "marketing", "sms", true, "said yes on the phone");
    assert_true(bss_consent_allows(db, "p1", "marketing", "sms"));
    assert_false(bss_consent_allows(db, "p1", "marketing", "email"));
    assert_false(bss_consent_allows(db, "p2", "marketing", "sms"));
    assert_false(bss_consent_allows(db, "p1", "nonsense", "sms"));
    assert_false(bss_consent_allows(NULL, "p1", "marketing", "sms"));
    /* withdrawn in the same millisecond: in force at once */
    record(db, PT_NOW, "marketing", "sms", false, NULL);
    assert_false(bss_consent_allows(db, "p1", "marketing", "sms"));
    record(db, PT_NOW + 1000, "marketing", "email", true, NULL);
    record(db, PT_NOW + 2000, "marketing", "sms", true, NULL);
    assert_true(bss_consent_allows(db, "p1", "marketing", "sms"));
    assert_true(bss_consent_allows(db, "p1", "MARKETING", "SMS"));

    json_t *cur = NULL, *all = NULL;
    bss_errinfo ei;
    assert_int_equal(bss_consent_list(db, "p1", false, &cur, &ei), BSS_OK);
    assert_int_equal(json_array_size(cur), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cur, 0), "channel")), "email");
    assert_true(json_is_true(json_object_get(json_array_get(cur, 1), "granted")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(cur, 1), "recordedAt")),
                        "2026-01-01T00:00:02.000Z");
    assert_int_equal(bss_consent_list(db, "p1", true, &all, &ei), BSS_OK);
    assert_int_equal(json_array_size(all), 4);
    json_decref(cur);
    json_decref(all);

    int64_t changed = 0;
    assert_int_equal(bss__store_consent_erase(db, "p1", &changed, &ei), BSS_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(bss_consent_list(db, "p1", true, &all, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "note")), "[erased]");
    assert_true(bss_consent_allows(db, "p1", "marketing", "sms")); /* decisions stay */
    json_decref(all);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_history_and_allows, setup, dbtest_teardown)                     \
    }

static const struct CMUnitTest pure_tests[] = {cmocka_unit_test(test_parse)};

DBTEST_MAIN_PURE("parse", pure_tests, STORE_TESTS, pt_setup_sqlite, pt_setup_pg)
