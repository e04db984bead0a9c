/*
 * test_money.c: the currency table, the strict decimal parser, the JSON
 * number and string paths (15 significant digits, 6 decimals, range), exact
 * formatting and its JSON form as jansson dumps it, half-up rounding at the
 * edges and checked arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"

static void test_currencies(void **state)
{
    static const struct {
        const char *code;
        int minor;
    } want[] = {
        {"EUR", 2}, {"USD", 2}, {"GBP", 2}, {"CHF", 2}, {"SEK", 2}, {"NOK", 2}, {"DKK", 2}, {"PLN", 2},
        {"CZK", 2}, {"HUF", 2}, {"RON", 2}, {"JPY", 0}, {"KWD", 3}, {"BHD", 3}, {"OMR", 3}, {"JOD", 3},
        {"INR", 2}, {"BRL", 2}, {"ZAR", 2}, {"NGN", 2}, {"KES", 2}, {"AUD", 2}, {"CAD", 2}, {"NZD", 2},
        {"MXN", 2}, {"TRY", 2}, {"AED", 2}, {"SAR", 2}, {"EGP", 2}, {"GHS", 2}, {"TZS", 2}, {"UGX", 0},
        {"KRW", 0}, {"CLP", 0}, {"ISK", 0}, {"VND", 0},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const bss_currency *c = bss_currency_find(want[i].code);
        assert_non_null(c);
        assert_string_equal(c->code, want[i].code);
        assert_int_equal(c->minor_units, want[i].minor);
        assert_true(strlen(c->name) > 0);
    }
    assert_string_equal(bss_currency_find("EUR")->name, "Euro");
    assert_null(bss_currency_find("eur"));
    assert_null(bss_currency_find("EU"));
    assert_null(bss_currency_find("EURO"));
    assert_null(bss_currency_find("XXX"));
    assert_null(bss_currency_find(""));
    assert_null(bss_currency_find(NULL));
    assert_null(bss_currency_find("E1R"));
}

static int64_t parse_ok(const char *text)
{
    int64_t v = 42;
    bss_errinfo ei;
    assert_int_equal(bss_money_parse(text, strlen(text), &v, &ei), BSS_OK);
    return v;
}

static void parse_bad(const char *text, bss_err code, const char *needle)
{
    int64_t v = 42;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_money_parse(text, strlen(text), &v, &ei), code);
    assert_int_equal(ei.code, code);
    assert_int_equal(v, 42);
    if (needle && strstr(ei.message, needle) == NULL)
        fail_msg("'%s': message '%s' lacks '%s'", text, ei.message, needle);
}

static void test_parse(void **state)
{
    assert_int_equal(parse_ok("0"), 0);
    assert_int_equal(parse_ok("-0"), 0);
    assert_int_equal(parse_ok("-0.0"), 0);
    assert_int_equal(parse_ok("12"), 12000000);
    assert_int_equal(parse_ok("12.5"), 12500000);
    assert_int_equal(parse_ok("0.5"), 500000);
    assert_int_equal(parse_ok("-12.345678"), -12345678);
    assert_int_equal(parse_ok("0.000001"), 1);
    assert_int_equal(parse_ok("-0.000001"), -1);
    assert_int_equal(parse_ok("1.500000"), 1500000);
    assert_int_equal(parse_ok("1000000000000"), BSS_MONEY_MAX_MICROS);
    assert_int_equal(parse_ok("-1000000000000"), -BSS_MONEY_MAX_MICROS);
    assert_int_equal(parse_ok("999999999999.999999"), BSS_MONEY_MAX_MICROS - 1);
    /* length is honoured: the text need not be NUL-terminated */
    int64_t v;
    assert_int_equal(bss_money_parse("12.50xyz", 5, &v, NULL), BSS_OK);
    assert_int_equal(v, 12500000);
}

static void test_parse_rejects(void **state)
{
    parse_bad("", BSS_E_INVALID, "expected a decimal amount");
    parse_bad("-", BSS_E_INVALID, "expected a decimal amount");
    parse_bad(".", BSS_E_INVALID, NULL);
    parse_bad("1.", BSS_E_INVALID, NULL);
    parse_bad(".5", BSS_E_INVALID, NULL);
    parse_bad("-.5", BSS_E_INVALID, NULL);
    parse_bad("+1", BSS_E_INVALID, "no '+'");
    parse_bad("1e3", BSS_E_INVALID, "exponent");
    parse_bad("1.5E-2", BSS_E_INVALID, "exponent");
    parse_bad(" 1", BSS_E_INVALID, NULL);
    parse_bad("1 ", BSS_E_INVALID, NULL);
    parse_bad("1,5", BSS_E_INVALID, NULL);
    parse_bad("01", BSS_E_INVALID, "leading zeros");
    parse_bad("-00.5", BSS_E_INVALID, "leading zeros");
    parse_bad("abc", BSS_E_INVALID, "got 'abc'");
    parse_bad("1.2.3", BSS_E_INVALID, NULL);
    parse_bad("--1", BSS_E_INVALID, NULL);
    parse_bad("0x10", BSS_E_INVALID, NULL);
    parse_bad("NaN", BSS_E_INVALID, NULL);
    parse_bad("1.1234567", BSS_E_INVALID, "at most 6 decimal places");
    parse_bad("1.0000000", BSS_E_INVALID, "at most 6 decimal places");
    parse_bad("1000000000000.000001", BSS_E_RANGE, "out of range");
    parse_bad("-1000000000001", BSS_E_RANGE, "out of range");
    parse_bad("999999999999999999999999999999999999999999999999999999999999", BSS_E_RANGE, "...");
    int64_t v = 7;
    assert_int_equal(bss_money_parse(NULL, 0, &v, NULL), BSS_E_INVALID);
    assert_int_equal(v, 7);
}

static bss_err from_json_text(const char *json, int64_t *out, bss_errinfo *ei)
{
    json_t *v;
    assert_int_equal(bss_json_parse(json, strlen(json), &v, NULL), BSS_OK);
    bss_err e = bss_money_from_json(v, "price.amount", out, ei);
    json_decref(v);
    return e;
}

static void test_from_json(void **state)
{
    static const struct {
        const char *json;
        int64_t micros;
    } ok[] = {
        {"12", 12000000},
        {"-3", -3000000},
        {"12.5", 12500000},
        {"0.1", 100000},
        {"19.99", 19990000},
        {"-0.000001", -1},
        {"0.00001", 10}, /* %.15g gives 1e-05 */
        {"1.5e-05", 15},
        {"1e2", 100000000},
        {"1.0", 1000000},
        {"123456789.123456", 123456789123456},
        {"999999999.999999", 999999999999999}, /* 15 significant digits */
        {"1000000000000", BSS_MONEY_MAX_MICROS},
        {"\"12.50\"", 12500000},
        {"\"999999999999.999999\"", BSS_MONEY_MAX_MICROS - 1}, /* strings: no 15 digit limit */
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int64_t v = 0;
        bss_errinfo ei;
        if (from_json_text(ok[i].json, &v, &ei) != BSS_OK)
            fail_msg("%s: %s", ok[i].json, ei.message);
        assert_int_equal(v, ok[i].micros);
    }
}

static void from_json_bad(const char *json, bss_err code, const char *needle)
{
    int64_t v = 42;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    assert_int_equal(from_json_text(json, &v, &ei), code);
    assert_int_equal(v, 42);
    assert_string_equal(ei.field, "price.amount");
    assert_true(strncmp(ei.message, "price.amount: ", 14) == 0);
    if (strstr(ei.message, needle) == NULL)
        fail_msg("%s: message '%s' lacks '%s'", json, ei.message, needle);
}

static void test_from_json_rejects(void **state)
{
    from_json_bad("0.1234567", BSS_E_INVALID, "at most 6 decimal places");
    from_json_bad("1e-7", BSS_E_INVALID, "at most 6 decimal places");
    /* a JSON text with more digits than a double holds never gets here (core/json.c refuses it) ... */
    const char *inexact[] = {"1234567890.1234567", "0.30000000000000004", "9999999999.999999"};
    for (size_t i = 0; i < sizeof inexact / sizeof inexact[0]; i++) {
        json_t *j = NULL;
        assert_int_equal(bss_json_parse(inexact[i], strlen(inexact[i]), &j, NULL), BSS_E_INVALID);
    }
    /* ... and a double made in code that needs more is refused here */
    const double doubles[] = {1234567890.1234567, 0.1 + 0.2, 9999999999.999999};
    for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
        int64_t v = 42;
        bss_errinfo ei;
        json_t *j = json_real(doubles[i]);
        assert_int_equal(bss_money_from_json(j, "price.amount", &v, &ei), BSS_E_INVALID);
        assert_int_equal(v, 42);
        assert_non_null(strstr(ei.message, "more than 15 significant digits"));
        json_decref(j);
    }
    from_json_bad("1000000000001", BSS_E_RANGE, "out of range");
    from_json_bad("-1000000000001", BSS_E_RANGE, "out of range");
    from_json_bad("1e13", BSS_E_RANGE, "out of range");
    from_json_bad("1e300", BSS_E_RANGE, "out of range");
    from_json_bad("-1e-300", BSS_E_INVALID, "at most 6 decimal places");
    from_json_bad("9223372036854775807", BSS_E_RANGE, "out of range");
    from_json_bad("\"1e5\"", BSS_E_INVALID, "exponent");
    from_json_bad("\"+1\"", BSS_E_INVALID, "decimal amount");
    from_json_bad("\"\"", BSS_E_INVALID, "decimal amount");
    from_json_bad("\"1.1234567\"", BSS_E_INVALID, "at most 6 decimal places");
    from_json_bad("\"10000000000000\"", BSS_E_RANGE, "out of range");
    from_json_bad("true", BSS_E_INVALID, "expected a number or a decimal string");
    from_json_bad("null", BSS_E_INVALID, "expected a number");
    from_json_bad("{}", BSS_E_INVALID, "expected a number");
    int64_t v = 1;
    assert_int_equal(bss_money_from_json(NULL, NULL, &v, NULL), BSS_E_INVALID);
}

static void fmt_is(int64_t micros, const char *want)
{
    char buf[32];
    size_t n = bss_money_format(micros, buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_format(void **state)
{
    fmt_is(0, "0");
    fmt_is(12500000, "12.5");
    fmt_is(-1, "-0.000001");
    fmt_is(1, "0.000001");
    fmt_is(10, "0.00001");
    fmt_is(1000000, "1");
    fmt_is(-1000000, "-1");
    fmt_is(123456789, "123.456789");
    fmt_is(-500000, "-0.5");
    fmt_is(BSS_MONEY_MAX_MICROS, "1000000000000");
    fmt_is(INT64_MAX, "9223372036854.775807");
    fmt_is(INT64_MIN, "-9223372036854.775808");
    /* format then parse is the identity inside the accepted range */
    static const int64_t samples[] = {0,
                                      1,
                                      -1,
                                      10,
                                      999999,
                                      1000001,
                                      12345678901,
                                      -98765432109876543,
                                      BSS_MONEY_MAX_MICROS,
                                      -BSS_MONEY_MAX_MICROS};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        char buf[32];
        size_t n = bss_money_format(samples[i], buf);
        int64_t back;
        assert_int_equal(bss_money_parse(buf, n, &back, NULL), BSS_OK);
        assert_int_equal(back, samples[i]);
    }
}

static char *dump_any(json_t *v)
{
    char *s = json_dumps(v, BSS_JSON_DUMP_FLAGS | JSON_ENCODE_ANY);
    assert_non_null(s);
    return s;
}

static void test_to_json(void **state)
{
    static const int64_t exact[] = {0,
                                    10000000,
                                    -10000000,
                                    12500000,
                                    19990000,
                                    -19990000,
                                    100000,
                                    1,
                                    -1,
                                    123456,
                                    100,
                                    123456789123456,
                                    999999999999999,
                                    -999999999999999,
                                    1000001,
                                    5000000000123400,
                                    BSS_MONEY_MAX_MICROS,
                                    -BSS_MONEY_MAX_MICROS};
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        char want[32];
        bss_money_format(exact[i], want);
        json_t *j = bss_money_to_json(exact[i]);
        assert_non_null(j);
        assert_true(json_is_number(j));
        char *text = dump_any(j);
        double magnitude = exact[i] < 0 ? -(double)exact[i] : (double)exact[i];
        if (magnitude >= 100 || magnitude == 0) /* >= 0.0001: printed like the text */
            assert_string_equal(text, want);
        /* whatever the printed form, it reads back exactly */
        int64_t back = 0;
        json_t *re = json_loads(text, JSON_DECODE_ANY, NULL);
        assert_int_equal(bss_money_from_json(re, "x", &back, NULL), BSS_OK);
        assert_int_equal(back, exact[i]);
        json_decref(re);
        bss_free(text); /* jansson allocates through bss_malloc */
        json_decref(j);
    }
    /* whole amounts are integers, never "10.0" */
    json_t *ten = bss_money_to_json(10000000);
    assert_true(json_is_integer(ten));
    char *s = bss_json_dump(ten, NULL);
    assert_string_equal(s, "10");
    bss_free(s);
    json_decref(ten);
    /* more than 15 significant digits cannot be a jansson number: an exact string */
    json_t *big = bss_money_to_json(9999999999999999);
    assert_true(json_is_string(big));
    assert_string_equal(json_string_value(big), "9999999999.999999");
    int64_t back;
    assert_int_equal(bss_money_from_json(big, "x", &back, NULL), BSS_OK);
    assert_int_equal(back, 9999999999999999);
    json_decref(big);
}

static void test_round(void **state)
{
    /* EUR (2): 0.005 -> 0.01, -0.005 -> -0.01, below .5 goes toward zero */
    assert_int_equal(bss_money_round(5000, 2), 10000);
    assert_int_equal(bss_money_round(-5000, 2), -10000);
    assert_int_equal(bss_money_round(4999, 2), 0);
    assert_int_equal(bss_money_round(-4999, 2), 0);
    assert_int_equal(bss_money_round(15000, 2), 20000);
    assert_int_equal(bss_money_round(25000, 2), 30000); /* half-up, not to even */
    assert_int_equal(bss_money_round(-25000, 2), -30000);
    assert_int_equal(bss_money_round(12345678, 2), 12350000);
    assert_int_equal(bss_money_round(12344999, 2), 12340000);
    assert_int_equal(bss_money_round(10000, 2), 10000);
    assert_int_equal(bss_money_round(0, 2), 0);
    /* JPY (0) and KWD (3) */
    assert_int_equal(bss_money_round(1500000, 0), 2000000);
    assert_int_equal(bss_money_round(-1500000, 0), -2000000);
    assert_int_equal(bss_money_round(2500000, 0), 3000000);
    assert_int_equal(bss_money_round(1499999, 0), 1000000);
    assert_int_equal(bss_money_round(-1499999, 0), -1000000);
    assert_int_equal(bss_money_round(500, 3), 1000);
    assert_int_equal(bss_money_round(-500, 3), -1000);
    assert_int_equal(bss_money_round(499, 3), 0);
    /* 6 is the identity; out-of-range minor units are clamped */
    assert_int_equal(bss_money_round(123457, 6), 123457);
    assert_int_equal(bss_money_round(123457, 9), 123457);
    assert_int_equal(bss_money_round(1500000, -1), 2000000);
    /* int64 extremes: no overflow; an unrepresentable rounding stays toward zero */
    assert_int_equal(bss_money_round(INT64_MAX, 2), INT64_C(9223372036854770000));
    assert_int_equal(bss_money_round(INT64_MIN, 2), INT64_C(-9223372036854770000));
    assert_int_equal(bss_money_round(INT64_MAX, 0), INT64_C(9223372036854000000));
    assert_int_equal(bss_money_round(INT64_MIN, 0), INT64_C(-9223372036854000000));
    assert_int_equal(bss_money_round(INT64_MAX - 800000, 0), INT64_C(9223372036854000000));
    assert_int_equal(bss_money_round(INT64_C(9223372036854000000) + 499999, 0), INT64_C(9223372036854000000));
    assert_int_equal(bss_money_round(INT64_MAX, 5), INT64_C(9223372036854775800)); /* ...775810 overflows */
    assert_int_equal(bss_money_round(INT64_MAX, 6), INT64_MAX);
}

static void test_arith(void **state)
{
    int64_t out = 99;
    assert_true(bss_money_add(1, 2, &out));
    assert_int_equal(out, 3);
    out = 99;
    assert_false(bss_money_add(INT64_MAX, 1, &out));
    assert_false(bss_money_add(INT64_MIN, -1, &out));
    assert_int_equal(out, 99);
    assert_true(bss_money_add(INT64_MAX, INT64_MIN, &out));
    assert_int_equal(out, -1);
    assert_true(bss_money_mul(-2500000, 3, &out));
    assert_int_equal(out, -7500000);
    out = 99;
    assert_false(bss_money_mul(INT64_MAX, 2, &out));
    assert_false(bss_money_mul(INT64_MIN, -1, &out));
    assert_int_equal(out, 99);
}

static void test_muldiv(void **state)
{
    int64_t out = 99;
    assert_true(bss_money_muldiv(10, 1, 3, &out));
    assert_int_equal(out, 3);
    assert_true(bss_money_muldiv(20, 1, 3, &out)); /* 6.67 */
    assert_int_equal(out, 7);
    assert_true(bss_money_muldiv(15, 1, 10, &out)); /* 1.5 */
    assert_int_equal(out, 2);
    assert_true(bss_money_muldiv(-15, 1, 10, &out));
    assert_int_equal(out, -2);
    assert_true(bss_money_muldiv(15, -1, 10, &out));
    assert_int_equal(out, -2);
    assert_true(bss_money_muldiv(15, 1, -10, &out));
    assert_int_equal(out, -2);
    assert_true(bss_money_muldiv(-15, -1, -10, &out));
    assert_int_equal(out, -2);
    assert_true(bss_money_muldiv(-15, -1, 10, &out));
    assert_int_equal(out, 2);
    assert_true(bss_money_muldiv(14, 1, 10, &out));
    assert_int_equal(out, 1);
    assert_true(bss_money_muldiv(-14, 1, 10, &out));
    assert_int_equal(out, -1);
    /* proration: 30 EUR for 10 of 31 days */
    assert_true(bss_money_muldiv(30000000, 10, 31, &out));
    assert_int_equal(out, 9677419);
    /* 128-bit intermediate */
    assert_true(bss_money_muldiv(INT64_MAX, INT64_MAX, INT64_MAX, &out));
    assert_int_equal(out, INT64_MAX);
    assert_true(bss_money_muldiv(INT64_MIN, INT64_MIN, INT64_MIN, &out));
    assert_int_equal(out, INT64_MIN);
    assert_true(bss_money_muldiv(INT64_MIN, 1, 1, &out));
    assert_int_equal(out, INT64_MIN);
    assert_true(bss_money_muldiv(INT64_MAX, 3, 6, &out)); /* 4611686018427387903.5 */
    assert_int_equal(out, INT64_C(4611686018427387904));
    out = 99;
    assert_false(bss_money_muldiv(1, 1, 0, &out));
    assert_false(bss_money_muldiv(INT64_MAX, 2, 1, &out));
    assert_false(bss_money_muldiv(INT64_MIN, -1, 1, &out));
    assert_false(bss_money_muldiv(INT64_MIN, 1, -1, &out));
    assert_int_equal(out, 99);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_currencies),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_from_json),
        cmocka_unit_test(test_from_json_rejects),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_to_json),
        cmocka_unit_test(test_round),
        cmocka_unit_test(test_arith),
        cmocka_unit_test(test_muldiv),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    assert_int_equal(bss_mem_used(), 0);
    return rc;
}
