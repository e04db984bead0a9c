/*
 * test_pan.c: the card-number detector (core/pan.h): Luhn vectors, grouped
 * forms, numbers embedded in free text and glued to letters, digits or
 * unusual separators, what is not a card number (ICCIDs, IMEIs, phone
 * numbers, UUIDs, dates, 12- and 20-digit runs), the JSON walk with its
 * field paths, message and exempt members, the consent notes that use it,
 * and megabyte strings of every shape scanned to the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/pan.h"
#include "customer/customer.h"

static bool has(const char *s)
{
    return bss_pan_find(s, strlen(s), NULL, NULL);
}

static void test_luhn(void **state)
{
    (void)state;
    static const char *const valid[] = {"4111111111111111",
                                        "5500000000000004",
                                        "378282246310005",
                                        "4222222222222",
                                        "6011111111111117",
                                        "3530111333300000",
                                        "4012888888881881",
                                        "4111111111111111110",
                                        "0",
                                        "18"};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        assert_true(bss_pan_luhn(valid[i], strlen(valid[i])));
    assert_false(bss_pan_luhn("4111111111111112", 16));
    assert_false(bss_pan_luhn("4111111111111111", 15));
    assert_false(bss_pan_luhn("", 0));
    assert_false(bss_pan_luhn("41111111-1111111", 16));
}

static void test_whole_and_grouped(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t at, span;
    } pans[] = {
        {"4111111111111111", 0, 16},     {"4111 1111 1111 1111", 0, 19}, {"5500-0000-0000-0004", 0, 19},
        {"3782 822463 10005", 0, 17},    {"4222222222222", 0, 13},       {"6011111111111117", 0, 16},
        {"4111111111111111110", 0, 19},  {"4111 1111-1111 1111", 0, 19}, {"-4111111111111111", 1, 16},
        {"4111-1111-1111-1111-", 0, 19},
    };
    for (size_t i = 0; i < sizeof pans / sizeof pans[0]; i++) {
        size_t at = 99, span = 0;
        assert_true(bss_pan_find(pans[i].text, strlen(pans[i].text), &at, &span));
        assert_int_equal(at, pans[i].at);
        assert_int_equal(span, pans[i].span);
    }
    assert_false(has("4111111111111112"));
    assert_false(has("4111 1111 1111 111")); /* 15 digits, not Luhn */
    assert_false(has("4111    1111 1111 1111")); /* four separators split the run */
}

static void test_embedded_in_text(void **state)
{
    (void)state;
    const char *note = "customer paid with 4111 1111 1111 1111 yesterday";
    size_t at = 0, span = 0;
    assert_true(bss_pan_find(note, strlen(note), &at, &span));
    assert_int_equal(at, 19);
    assert_int_equal(span, 19);
    assert_true(has("card: 5500-0000-0000-0004."));
    assert_true(has("(4111111111111111)"));
    assert_true(has("paid 12 EUR, card 4111111111111111, ref 42"));
    assert_true(has("first 4111111111111112 then 4012888888881881"));
    /* text is not NUL-terminated: only len bytes are read */
    assert_false(bss_pan_find("4111111111111111", 15, NULL, NULL));
    assert_true(bss_pan_find("4111111111111111 and more", 16, &at, &span));
    assert_int_equal(span, 16);
    assert_false(bss_pan_find(NULL, 0, NULL, NULL));
    assert_false(has(""));
}

static void test_not_card_numbers(void **state)
{
    (void)state;
    /* ICCIDs (19 and 20 digits, Luhn-valid), alone, grouped and in text */
    assert_false(has("8931440301234567897"));
    assert_false(has("89314403012345678905"));
    assert_false(has("8931 4403 0123 4567 897"));
    assert_false(has("new SIM 8931440301234567897 activated"));
    /* 12 and 20 digits, both Luhn-valid */
    assert_false(has("411111111117"));
    assert_false(has("41111111111111111115"));
    /* phone numbers: E.164 (13 Luhn-valid digits after '+'), national and 00 prefixes */
    assert_false(has("+31612345678"));
    assert_false(has("call +4915112345678 after 5"));
    assert_false(has("+49 1511 2345678"));
    assert_false(has("0031612345673"));
    /* an IMEI (15 digits, Luhn-valid) */
    assert_false(has("handset IMEI 356938035643809 not registering"));
    assert_true(has("amex 378282246310005"));
    /* a letter inside splits the digits; UUIDs in ids and hrefs; dates and times; short groups */
    assert_false(has("41111x1111111111"));
    assert_false(has("41111111-1111-7118-a000-000000000000"));
    assert_false(has("https://h/tmf-api/x/v4/customer/41111111-1111-7118-a000-000000000000"));
    assert_false(has("anon-41111111-1111-7118-a000-000000000000"));
    assert_false(has("2026-11-22T03:33:35Z"));
    assert_false(has("scores 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"));
    assert_false(has("7111111111111114")); /* no payment scheme starts with 1, 7, 8 or 9 */
    assert_false(has("agent-1764630165074")); /* a millisecond timestamp, Luhn-valid */
}

/* The family the hardening issue named: glued to letters or digits, unusual separators and spaces. */
static void test_glued_and_unusual(void **state)
{
    (void)state;
    static const char *const pans[] = {
        "cc4111111111111111",
        "ab4111111111111111",
        "4111111111111111x",
        "pm_4111111111111111",
        "card#4111111111111111#",
        "4111.1111.1111.1111",
        "4111/1111/1111/1111",
        "4111_1111_1111_1111",
        "4111	1111	1111	1111",
        "4111  1111 1111 1111",
        "4111 - 1111 - 1111 - 1111",
        "4111\xc2\xa0" "1111\xc2\xa0" "1111\xc2\xa0" "1111",       /* no-break spaces */
        "4111\xe2\x80\xaf" "1111\xe2\x80\xaf" "1111\xe2\x80\xaf" "1111", /* narrow no-break spaces */
        "4111\xe3\x80\x80" "1111\xe3\x80\x80" "1111\xe3\x80\x80" "1111", /* ideographic spaces */
        "ref 123456 4111 1111 1111 1111",
        "4111 1111 1111 1111 1111",
        "4111 1111 1111 1111 123",
        "amex3782-822463-10005",
    };
    for (size_t i = 0; i < sizeof pans / sizeof pans[0]; i++)
        if (!has(pans[i]))
            fail_msg("not found: %s", pans[i]);
}

static json_t *js(const char *text)
{
    json_t *doc = NULL;
    bss_errinfo ei;
    assert_int_equal(bss_json_parse(text, strlen(text), &doc, &ei), BSS_OK);
    return doc;
}

static void expect_path(const char *text, const char *path)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    json_t *doc = js(text);
    assert_int_equal(bss_pan_reject_json(doc, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, path);
    char want[200];
    snprintf(want, sizeof want, "%s: card numbers are not stored; use a payment method token", path);
    assert_string_equal(ei.message, want);
    json_decref(doc);
}

static void test_json(void **state)
{
    (void)state;
    expect_path("{\"note\":[{\"text\":\"customer paid with 4111 1111 1111 1111\"}]}", "note[0].text");
    expect_path("{\"a\":{\"b\":[\"x\",\"5500-0000-0000-0004\"]}}", "a.b[1]");
    expect_path("{\"n\":4111111111111111}", "n");
    expect_path("{\"n\":-4111111111111111}", "n");
    expect_path("{\"x\":{\"4111111111111111\":true}}", "x.4111111111111111");
    expect_path("[\"ok\",[\"4111111111111111\"]]", "[1][0]");
    json_t *bare = json_string("4111111111111111");
    bss_errinfo e2;
    assert_int_equal(bss_pan_reject_json(bare, &e2), BSS_E_INVALID);
    assert_string_equal(e2.field, "");
    json_decref(bare);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    json_t *doc = js("{\"id\":\"41111111-1111-7118-a000-000000000000\",\"note\":[{\"text\":\"SIM "
                     "8931440301234567897\"}],\"n\":411111111117,\"r\":411111111111.5,\"t\":true,"
                     "\"z\":null,\"phone\":\"+4915112345678\"}");
    assert_int_equal(bss_pan_reject_json(doc, &ei), BSS_OK);
    json_decref(doc);
    /* the members that hold such numbers by design are left to their own rules */
    doc = js("{\"resource\":{\"iccid\":\"4111111111111111\",\"imei\":\"4111111111111111\","
             "\"msisdn\":\"4111111111111111\",\"IMSI\":4111111111111111},\"zones\":[{\"prefixes\":"
             "[\"4111111111111111\"]}],\"contactMedium\":[{\"characteristic\":{\"phoneNumber\":"
             "\"4111111111111111\"}}]}");
    assert_int_equal(bss_pan_reject_json(doc, &ei), BSS_OK);
    json_decref(doc);
    /* ... but nothing else, and not an object under such a name */
    /* a real with 16 digits cannot come in as JSON text (core/json.c), but a double made in code is judged */
    doc = json_pack("{s:f}", "r", 4111111111111111.0);
    assert_int_equal(bss_pan_reject_json(doc, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "r");
    json_decref(doc);
    expect_path("{\"iccid\":{\"note\":\"4111111111111111\"}}", "iccid.note");
    expect_path("{\"msisdnNote\":\"4111111111111111\"}", "msisdnNote");
    /* a characteristic named like such a member: its value is the member's; any other is judged */
    doc = js("{\"productCharacteristic\":[{\"name\":\"IMSI\",\"value\":\"4111111111111111\"},"
             "{\"name\":\"msisdn\",\"value\":\"4111111111111111\"}]}");
    assert_int_equal(bss_pan_reject_json(doc, &ei), BSS_OK);
    json_decref(doc);
    expect_path("{\"c\":[{\"name\":\"colour\",\"value\":\"4111111111111111\"}]}", "c[0].value");
    expect_path("{\"c\":{\"name\":\"IMSI\",\"note\":\"4111111111111111\"}}", "c.note");
    assert_int_equal(bss_pan_reject_json(NULL, &ei), BSS_OK);
    /* the deepest document the parser admits (64 levels) is walked to the bottom */
    doc = json_string("4111111111111111");
    for (int i = 0; i < 63; i++) {
        json_t *outer = json_array();
        assert_int_equal(json_array_append_new(outer, doc), 0);
        doc = outer;
    }
    assert_int_equal(bss_pan_reject_json(doc, &ei), BSS_E_INVALID);
    assert_memory_equal(ei.field, "[0][0][0]", 9); /* the path is cut to the field size */
    json_decref(doc);
}

/* The consent records' free text (customer/consent.c) goes through the same detector. */
static void test_consent_text(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        bss_err rc;
        const char *field;
    } cases[] = {
        {"{\"note\":\"paid by 4111 1111 1111 1111\"}", BSS_E_INVALID, "note"},
        {"{\"note\":\"x\",\"wordingVersion\":\"v1 of 4111111111111111\"}", BSS_E_INVALID, "wordingVersion"},
        {"{\"note\":\"SIM 8931440301234567897\"}", BSS_OK, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *body = js("{\"purpose\":\"marketing\",\"channel\":\"sms\",\"granted\":true,"
                          "\"source\":\"agent\",\"wordingVersion\":\"v1\"}");
        json_t *extra = js(cases[i].body);
        assert_int_equal(json_object_update(body, extra), 0);
        bss_consent_input in;
        bss_errinfo ei;
        bss_errinfo_clear(&ei);
        assert_int_equal(bss_consent_parse(body, &in, &ei), cases[i].rc);
        assert_string_equal(ei.field, cases[i].field);
        if (cases[i].rc)
            assert_non_null(strstr(ei.message, ": card numbers are not stored; use a payment method token"));
        json_decref(extra);
        json_decref(body);
    }
}

/* Fills buf[0..n) with the pattern repeated as whole copies, the rest with spaces. */
static void fill(char *buf, size_t n, const char *pattern)
{
    size_t p = strlen(pattern), whole = n / p * p;
    for (size_t i = 0; i < n; i++)
        buf[i] = i < whole ? pattern[i % p] : ' ';
}

static void test_megabyte(void **state)
{
    (void)state;
    const size_t n = 1u << 20;
    char *buf = bss_malloc(n);
    assert_non_null(buf);
    static const char *const patterns[] = {
        "called about roaming, ref 123456 +31612345678 ", /* text without a card number */
        "1 ",                                             /* one grouped run of 512K digits */
        "4",                                              /* one run of 1M digits */
        "41111111-1111-7118-a000-000000000000 ",          /* Luhn-valid runs inside UUIDs */
        "1111 ",                                          /* one grouped run of 256K groups */
    };
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        fill(buf, n, patterns[i]);
        assert_false(bss_pan_find(buf, n, NULL, NULL));
    }
    fill(buf, n, patterns[0]);
    memcpy(buf + n - 18, ". 4111111111111111", 18); /* at the very end of a megabyte */
    size_t at = 0;
    assert_true(bss_pan_find(buf, n, &at, NULL));
    assert_int_equal(at, n - 16);
    bss_free(buf); /* how fast: bench, not here (a test never asserts a time) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_luhn),
        cmocka_unit_test(test_whole_and_grouped),
        cmocka_unit_test(test_embedded_in_text),
        cmocka_unit_test(test_not_card_numbers),
        cmocka_unit_test(test_glued_and_unusual),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_consent_text),
        cmocka_unit_test(test_megabyte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
