/*
 * test_contact.c: the contact-detail checks of customer.h: E.164
 * phones, e-mail addresses, ISO 3166-1 countries, ISO 639-1 languages,
 * postal addresses and TMF v4 contactMedium[] arrays, each bad input with
 * its error code and field path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "core/mem.h"
#include "customer/customer.h"
#include "unittest.h"

/* s is accepted and stored as want (E.164). */
static void ok_phone(const char *s, const char *want)
{
    bss_errinfo ei;
    char out[BSS_PHONE_E164_MAX + 1];
    if (bss_contact_check_phone(s, "p", out, &ei) != BSS_OK)
        fail_msg("%s refused: %s", s, ei.message);
    assert_string_equal(out, want);
}

static void bad_phone(const char *s, const char *needle)
{
    bss_errinfo ei;
    char out[BSS_PHONE_E164_MAX + 1];
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_contact_check_phone(s, "contactMedium[0].characteristic.phoneNumber", out, &ei),
                     BSS_E_INVALID);
    assert_string_equal(ei.field, "contactMedium[0].characteristic.phoneNumber");
    if (!strstr(ei.message, needle))
        fail_msg("%s: '%s' lacks '%s'", s ? s : "(null)", ei.message, needle);
}

static void test_phone(void **state)
{
    (void)state;
    bss_phone_set_default_country("");
    ok_phone("+4930123456", "+4930123456");
    ok_phone("+14155552671", "+14155552671");
    ok_phone("+447911123456", "+447911123456");
    ok_phone("+86 10 1234 5678", "+861012345678");
    ok_phone("+31 6 1234 5678", "+31612345678");
    ok_phone("+31 (0)6 86665420", "+31686665420");
    ok_phone("0031686665420", "+31686665420");
    bad_phone(NULL, "must be a string");
    bad_phone("0686665420", "international form (+<country code> ...): no default country is set");
    bad_phone("+31612", "not a valid phone number");
    bad_phone("+1234567890123456", "not a valid phone number");
    bad_phone("+31 6 1234 5678 9012 3456 7890 1234 5678 9012", "too long");
    bad_phone("+0123456789", "not a valid phone number");
    bad_phone("+2812345678", "not a valid phone number");
    bad_phone("+", "not a valid phone number");
    bad_phone("+31 6 abc", "must be a phone number: digits");
    bad_phone("0686665420\n", "must be a phone number: digits");
    bad_phone("+31686665420+", "must be a phone number: digits");
    /* with the operator's country, national forms */
    bss_phone_set_default_country("NL");
    ok_phone("0686665420", "+31686665420");
    ok_phone("06-86 66 54 20", "+31686665420");
    ok_phone("06.86.66.54.20", "+31686665420");
    ok_phone("+31 (0)6 86665420", "+31686665420");
    ok_phone("+4930123456", "+4930123456");
    bad_phone("0612", "not a valid phone number (a national number is read as one of NL)");
    bss_phone_set_default_country("");
    /* number ranges for the MSISDN pool */
    char a[BSS_PHONE_E164_MAX + 1], b[BSS_PHONE_E164_MAX + 1];
    int64_t count = 0;
    bss_errinfo ei;
    assert_int_equal(bss_phone_range("+31 6 2000 0000", "+31 6 2000 0999", 1000000, a, b, &count, &ei), BSS_OK);
    assert_string_equal(a, "+31620000000");
    assert_string_equal(b, "+31620000999");
    assert_int_equal(count, 1000);
    assert_int_equal(bss_phone_range("+31620000000", "+31620000000", 1, a, b, &count, &ei), BSS_OK);
    assert_int_equal(count, 1);
    assert_int_equal(bss_phone_range("+31620000999", "+31620000000", 1000000, a, b, &count, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "to (+31620000000) comes before from (+31620000999)");
    assert_int_equal(bss_phone_range("+31620000000", "+31629999999", 1000000, a, b, &count, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "the range +31620000000..+31629999999 holds 10000000 numbers, more than 1000000 at once");
    assert_int_equal(bss_phone_range("+31620000000", "+442079460958", 1000000, a, b, &count, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "to (+442079460958) is in another country (+44) than from (+31)");
    assert_int_equal(bss_phone_range("+4930123456", "+49301234567", 1000000, a, b, &count, &ei), BSS_E_INVALID);
    assert_string_equal(ei.message, "to (+49301234567) must have as many digits as from (+4930123456)");
    assert_int_equal(bss_phone_range("+3162", "+31620000001", 10, a, b, &count, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "from");
    assert_true(bss_phone_country_ok("NL"));
    assert_false(bss_phone_country_ok("XX"));
    assert_false(bss_phone_country_ok("nl"));
}

static void ok_email(const char *s)
{
    bss_errinfo ei;
    if (bss_contact_check_email(s, "e", &ei) != BSS_OK)
        fail_msg("%s refused: %s", s, ei.message);
}

static void bad_email(const char *s, const char *needle)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (bss_contact_check_email(s, "emailAddress", &ei) != BSS_E_INVALID)
        fail_msg("%s accepted", s ? s : "(null)");
    assert_string_equal(ei.field, "emailAddress");
    if (!strstr(ei.message, needle))
        fail_msg("%s: '%s' lacks '%s'", s ? s : "(null)", ei.message, needle);
}

static void test_email(void **state)
{
    (void)state;
    ok_email("jane@example.com");
    ok_email("jane.doe+bss@mail.example.co.uk");
    ok_email("J_D-1@sub-domain.example.org");
    bad_email(NULL, "e-mail address");
    bad_email("", "e-mail address");
    bad_email("jane.example.com", "exactly one '@'");
    bad_email("jane@doe@example.com", "exactly one '@'");
    bad_email("@example.com", "1 to 64");
    bad_email("jane doe@example.com", "not allowed");
    bad_email("jane..doe@example.com", "'..'");
    bad_email("jane@example..com", "'..'");
    bad_email(".jane@example.com", "start or end");
    bad_email("jane.@example.com", "start or end");
    bad_email("jane@localhost", "domain");
    bad_email("jane@example.c", "domain");
    bad_email("jane@-example.com", "domain");
    bad_email("jane@example.123", "domain");
    bad_email("jane@exa_mple.com", "domain");
    char big[300];
    memset(big, 'a', sizeof big);
    memcpy(big + 250, "@x.com", 7);
    bad_email(big, "longer than 254");
    memset(big, 'a', 65);
    memcpy(big + 65, "@example.com", 13);
    bad_email(big, "1 to 64");
}

static void test_country_language(void **state)
{
    (void)state;
    bss_errinfo ei;
    const char *good[] = {"DE", "FR", "GB", "US", "AX", "ZW", "SS", "BQ", "CW"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(bss_contact_country_known(good[i]));
    const char *bad[] = {"UK", "XX", "de", "D", "DEU", "", "EU", "ZZ", "AA"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(bss_contact_country_known(bad[i]));
        assert_int_equal(bss_contact_check_country(bad[i], "nationality", &ei), BSS_E_INVALID);
        assert_string_equal(ei.field, "nationality");
    }
    assert_int_equal(bss_contact_check_country(NULL, "nationality", &ei), BSS_E_INVALID);
    assert_int_equal(bss_contact_check_language("en", "l", &ei), BSS_OK);
    assert_int_equal(bss_contact_check_language("de", "l", &ei), BSS_OK);
    assert_int_equal(bss_contact_check_language("en-GB", "l", &ei), BSS_OK);
    assert_int_equal(bss_contact_check_language("zu", "l", &ei), BSS_OK);
    const char *badl[] = {"EN", "xx", "e", "eng", "en-XX", "en-gb", "en_GB", ""};
    for (size_t i = 0; i < sizeof badl / sizeof badl[0]; i++) {
        if (bss_contact_check_language(badl[i], "languageAbility[0].languageCode", &ei) != BSS_E_INVALID)
            fail_msg("language %s accepted", badl[i]);
        assert_string_equal(ei.field, "languageAbility[0].languageCode");
    }
    assert_int_equal(bss_contact_check_language(NULL, "l", &ei), BSS_E_INVALID);
}

static void expect_media(const char *text, bss_err code, const char *field)
{
    json_t *v = js(text);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_contact_check_media(v, "contactMedium", &ei);
    json_decref(v);
    if (rc != code)
        fail_msg("%s: want %s, got %s (%s)", text, bss_errname(code), bss_errname(rc), ei.message);
    if (field && strcmp(field, ei.field) != 0)
        fail_msg("%s: want field %s, got %s (%s)", text, field, ei.field, ei.message);
}

static void test_media(void **state)
{
    (void)state;
    expect_media("[]", BSS_OK, NULL);
    expect_media("null", BSS_OK, NULL);
    expect_media(
        "[{\"mediumType\":\"email\",\"preferred\":true,\"characteristic\":{\"emailAddress\":\"a@b.de\"}},"
        "{\"mediumType\":\"mobile\",\"characteristic\":{\"phoneNumber\":\"+4915112345678\"}},"
        "{\"mediumType\":\"postalAddress\",\"characteristic\":{\"street1\":\"Hauptstr. 1\","
        "\"city\":\"Berlin\",\"postCode\":\"10115\",\"country\":\"DE\"}},"
        "{\"mediumType\":\"whatsapp\",\"characteristic\":{\"socialNetworkId\":\"x\"}}]",
        BSS_OK, NULL);
    expect_media("{}", BSS_E_INVALID, "contactMedium");
    expect_media("[1]", BSS_E_INVALID, "contactMedium[0]");
    expect_media("[{\"characteristic\":{}}]", BSS_E_INVALID, "contactMedium[0].mediumType");
    expect_media("[{\"mediumType\":\"email\"}]", BSS_E_INVALID, "contactMedium[0].characteristic");
    expect_media("[{\"mediumType\":\"email\",\"preferred\":\"yes\",\"characteristic\":{}}]", BSS_E_INVALID,
                 "contactMedium[0].preferred");
    expect_media("[{\"mediumType\":\"email\",\"characteristic\":{}}]", BSS_E_INVALID,
                 "contactMedium[0].characteristic.emailAddress");
    expect_media("[{\"mediumType\":\"Email\",\"characteristic\":{\"emailAddress\":\"bad@\"}}]", BSS_E_INVALID,
                 "contactMedium[0].characteristic.emailAddress");
    expect_media("[{\"mediumType\":\"phone\",\"characteristic\":{}}]", BSS_E_INVALID,
                 "contactMedium[0].characteristic.phoneNumber");
    expect_media("[{\"mediumType\":\"email\",\"characteristic\":{\"emailAddress\":\"a@b.de\"}},"
                 "{\"mediumType\":\"phone\",\"characteristic\":{\"phoneNumber\":\"0301234567\"}}]",
                 BSS_E_INVALID, "contactMedium[1].characteristic.phoneNumber");
    expect_media("[{\"mediumType\":\"fax\",\"characteristic\":{\"phoneNumber\":\"+4930123456\",\"faxNumber\":"
                 "\"12\"}}]",
                 BSS_E_INVALID, "contactMedium[0].characteristic.faxNumber");
    expect_media("[{\"mediumType\":\"postalAddress\",\"characteristic\":{\"city\":\"Paris\"}}]",
                 BSS_E_INVALID, "contactMedium[0].characteristic.country");
    expect_media("[{\"mediumType\":\"postalAddress\",\"characteristic\":{\"country\":\"FR\"}}]",
                 BSS_E_INVALID, "contactMedium[0].characteristic.city");
    expect_media(
        "[{\"mediumType\":\"postalAddress\",\"characteristic\":{\"city\":\"Paris\",\"country\":\"FX\"}}]",
        BSS_E_INVALID, "contactMedium[0].characteristic.country");
    expect_media(
        "[{\"mediumType\":\"postalAddress\",\"characteristic\":{\"city\":\"Paris\",\"country\":\"FR\","
        "\"postCode\":\"75$01\"}}]",
        BSS_E_INVALID, "contactMedium[0].characteristic.postCode");
    expect_media(
        "[{\"mediumType\":\"postalAddress\",\"characteristic\":{\"city\":\"Paris\",\"country\":\"FR\","
        "\"street1\":7}}]",
        BSS_E_INVALID, "contactMedium[0].characteristic.street1");
    expect_media("[{\"mediumType\":\"other\",\"characteristic\":{\"country\":\"QQ\"}}]", BSS_E_INVALID,
                 "contactMedium[0].characteristic.country");
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_country_language),
        cmocka_unit_test(test_media),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
