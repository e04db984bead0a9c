/*
 * test_parse.c: the bounded number parsers (core/parse.h): signs only
 * where asked for, the int64 edges exactly (INT64_MIN has no positive
 * twin), overflow and range as BSS_E_RANGE, stray characters, white space
 * and empty text as BSS_E_INVALID, the prefix form leaving the cursor just
 * past the digits, and doubles of decimal shape only (no inf, nan, hex,
 * spaces) with the end checked. Also core/time.h's one instant range.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/parse.h"
#include "core/time.h"

static bss_err i64(const char *s, unsigned signs, int64_t min, int64_t max, int64_t *out)
{
    return bss_parse_int64(s, strlen(s), signs, min, max, out);
}

static void test_int64_accepts(void **state)
{
    (void)state;
    int64_t v = -1;
    assert_int_equal(i64("0", BSS_NUM_DIGITS, 0, 10, &v), BSS_OK);
    assert_int_equal(v, 0);
    assert_int_equal(i64("0007", BSS_NUM_DIGITS, 0, 10, &v), BSS_OK);
    assert_int_equal(v, 7);
    assert_int_equal(i64("-42", BSS_NUM_MINUS, INT64_MIN, INT64_MAX, &v), BSS_OK);
    assert_int_equal(v, -42);
    assert_int_equal(i64("+42", BSS_NUM_PLUS, 0, 100, &v), BSS_OK);
    assert_int_equal(v, 42);
    assert_int_equal(i64("9223372036854775807", BSS_NUM_DIGITS, 0, INT64_MAX, &v), BSS_OK);
    assert_true(v == INT64_MAX);
    assert_int_equal(i64("-9223372036854775808", BSS_NUM_SIGNED, INT64_MIN, INT64_MAX, &v), BSS_OK);
    assert_true(v == INT64_MIN);
    /* len bounds the text: what follows is not read */
    assert_int_equal(bss_parse_int64("12345", 3, BSS_NUM_DIGITS, 0, 1000, &v), BSS_OK);
    assert_int_equal(v, 123);
}

static void test_int64_refuses(void **state)
{
    (void)state;
    int64_t v = 99;
    static const char *const invalid[] = {"",    " 1", "1 ",   "1x",  "-",   "+",
                                          "--1", "1-", "0x10", "1.5", "\t2", "١"};
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        assert_int_equal(i64(invalid[i], BSS_NUM_SIGNED, INT64_MIN, INT64_MAX, &v), BSS_E_INVALID);
    assert_int_equal(v, 99); /* untouched on failure */
    /* signs only where asked for */
    assert_int_equal(i64("-1", BSS_NUM_DIGITS, INT64_MIN, INT64_MAX, &v), BSS_E_INVALID);
    assert_int_equal(i64("+1", BSS_NUM_MINUS, INT64_MIN, INT64_MAX, &v), BSS_E_INVALID);
    assert_int_equal(i64("-1", BSS_NUM_PLUS, INT64_MIN, INT64_MAX, &v), BSS_E_INVALID);
    /* overflow and range */
    assert_int_equal(i64("9223372036854775808", BSS_NUM_DIGITS, 0, INT64_MAX, &v), BSS_E_RANGE);
    assert_int_equal(i64("-9223372036854775809", BSS_NUM_MINUS, INT64_MIN, INT64_MAX, &v), BSS_E_RANGE);
    assert_int_equal(i64("99999999999999999999999999", BSS_NUM_DIGITS, 0, INT64_MAX, &v), BSS_E_RANGE);
    assert_int_equal(i64("11", BSS_NUM_DIGITS, 1, 10, &v), BSS_E_RANGE);
    assert_int_equal(i64("0", BSS_NUM_DIGITS, 1, 10, &v), BSS_E_RANGE);
    assert_int_equal(v, 99);
    assert_int_equal(bss_parse_int64(NULL, 0, BSS_NUM_DIGITS, 0, 1, &v), BSS_E_INVALID);
}

static void test_int64_prefix(void **state)
{
    (void)state;
    const char text[] = "1234\nrest";
    const char *p = text;
    int64_t v = 0;
    assert_int_equal(bss_parse_int64_prefix(&p, text + strlen(text), BSS_NUM_DIGITS, 1, INT32_MAX, &v),
                     BSS_OK);
    assert_int_equal(v, 1234);
    assert_ptr_equal(p, text + 4);
    /* a failure leaves the cursor where it was */
    const char bad[] = "x12";
    p = bad;
    assert_int_equal(bss_parse_int64_prefix(&p, bad + 3, BSS_NUM_DIGITS, 0, 100, &v), BSS_E_INVALID);
    assert_ptr_equal(p, bad);
    const char big[] = "500;";
    p = big;
    assert_int_equal(bss_parse_int64_prefix(&p, big + 4, BSS_NUM_DIGITS, 0, 100, &v), BSS_E_RANGE);
    assert_ptr_equal(p, big);
    /* the end bounds the digits */
    const char digits[] = "987";
    p = digits;
    assert_int_equal(bss_parse_int64_prefix(&p, digits + 2, BSS_NUM_DIGITS, 0, 1000, &v), BSS_OK);
    assert_int_equal(v, 98);
}

static void test_double(void **state)
{
    (void)state;
    double d = 0;
    static const struct {
        const char *text;
        double value;
    } good[] = {{"0", 0},  {"1.5", 1.5},  {"-2.25", -2.25},  {"+3", 3},    {".5", 0.5},
                {"5.", 5}, {"1e3", 1000}, {"2.5E-2", 0.025}, {"1e+2", 100}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(bss_parse_double(good[i].text, strlen(good[i].text), &d), BSS_OK);
        assert_true(d == good[i].value);
    }
    static const char *const bad[] = {"",   ".",   "-",   "e5",    "1e",    "1e+", " 1",
                                      "1 ", "inf", "nan", "0x1p3", "1.2.3", "1,5", "--1"};
    d = 7;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(bss_parse_double(bad[i], strlen(bad[i]), &d), BSS_E_INVALID);
    assert_true(d == 7);
    assert_int_equal(bss_parse_double("1e999", 5, &d), BSS_E_RANGE);
    char longtext[BSS_NUM_TEXT_MAX + 2];
    memset(longtext, '1', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    assert_int_equal(bss_parse_double(longtext, strlen(longtext), &d), BSS_E_INVALID);
    assert_int_equal(bss_parse_double(longtext, BSS_NUM_TEXT_MAX, &d), BSS_OK);
}

static void test_instant_range(void **state)
{
    (void)state;
    int64_t last = 0;
    assert_int_equal(bss_time_parse("9999-12-31T23:59:59.999Z", 24, &last, NULL), BSS_OK);
    assert_true(bss_time_in_range(last));
    assert_true(last < BSS_TIME_MAX_MS);
    int64_t first = 0;
    assert_int_equal(bss_time_parse("0000-01-01T00:00:00Z", 20, &first, NULL), BSS_OK);
    assert_true(bss_time_in_range(first));
    assert_false(bss_time_in_range(INT64_MAX));
    assert_false(bss_time_in_range(BSS_TIME_MIN_MS - 1));
    assert_true(bss_time_clamp(INT64_MIN) == BSS_TIME_MIN_MS);
    assert_true(bss_time_clamp(INT64_MAX) == BSS_TIME_MAX_MS);
    assert_true(bss_time_clamp(42) == 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int64_accepts), cmocka_unit_test(test_int64_refuses),
        cmocka_unit_test(test_int64_prefix),  cmocka_unit_test(test_double),
        cmocka_unit_test(test_instant_range),
    };
    return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
