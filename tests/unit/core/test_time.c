/*
 * test_time.c: RFC 3339 parsing (offsets, fractions, every rejection with its
 * code), formatting, the civil calendar (leap years, month lengths),
 * add_months clamping, bill periods around month ends and leap Februaries,
 * the real and test clocks and monotonic time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <time.h>

#include "core/mem.h"
#include "core/time.h"

#define T(y, mo, d, h, mi, s, ms) bss_time_from_civil(y, mo, d, h, mi, s, ms)

static int64_t parse_ok(const char *text)
{
    int64_t v = 0;
    bss_errinfo ei;
    if (bss_time_parse(text, strlen(text), &v, &ei) != BSS_OK)
        fail_msg("%s: %s", text, ei.message);
    return v;
}

static void parse_bad(const char *text, const char *needle)
{
    int64_t v = 42;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_time_parse(text, strlen(text), &v, &ei), BSS_E_INVALID);
    assert_int_equal(ei.code, BSS_E_INVALID);
    assert_int_equal(v, 42);
    if (strstr(ei.message, "not an RFC 3339 date-time") == NULL || strstr(ei.message, needle) == NULL)
        fail_msg("'%s': message '%s' lacks '%s'", text, ei.message, needle);
}

static void test_parse(void **state)
{
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("1970-01-01"), 0);
    assert_int_equal(parse_ok("2026-02-28T13:45:00Z"), T(2026, 2, 28, 13, 45, 0, 0));
    assert_int_equal(parse_ok("2026-02-28t13:45:00z"), T(2026, 2, 28, 13, 45, 0, 0));
    assert_int_equal(parse_ok("2026-02-28T13:45:00.123+02:00"), T(2026, 2, 28, 11, 45, 0, 123));
    assert_int_equal(parse_ok("2026-02-28T13:45:00-05:30"), T(2026, 2, 28, 19, 15, 0, 0));
    assert_int_equal(parse_ok("2026-01-01T00:30:00+01:00"), T(2025, 12, 31, 23, 30, 0, 0));
    assert_int_equal(parse_ok("2026-01-01T00:00:00-00:00"), T(2026, 1, 1, 0, 0, 0, 0));
    assert_int_equal(parse_ok("2026-01-01T00:00:00+23:59"), T(2025, 12, 31, 0, 1, 0, 0));
    /* fractions of any length, truncated to ms */
    assert_int_equal(parse_ok("2026-01-01T00:00:00.5Z"), T(2026, 1, 1, 0, 0, 0, 500));
    assert_int_equal(parse_ok("2026-01-01T00:00:00.05Z"), T(2026, 1, 1, 0, 0, 0, 50));
    assert_int_equal(parse_ok("2026-01-01T00:00:00.1239999999Z"), T(2026, 1, 1, 0, 0, 0, 123));
    assert_int_equal(parse_ok("2026-01-01T00:00:00.999999Z"), T(2026, 1, 1, 0, 0, 0, 999));
    assert_int_equal(parse_ok("2024-02-29T23:59:59.999Z"), T(2024, 2, 29, 23, 59, 59, 999));
    assert_int_equal(parse_ok("2000-02-29"), T(2000, 2, 29, 0, 0, 0, 0));
    assert_int_equal(parse_ok("1969-12-31T23:59:59.999Z"), -1);
    assert_int_equal(parse_ok("0000-01-01T00:00:00Z"), INT64_C(-62167219200000));
    assert_int_equal(parse_ok("9999-12-31T23:59:59.999Z"), INT64_C(253402300799999));
    /* the length bounds the text */
    int64_t v;
    assert_int_equal(bss_time_parse("2026-03-01T00:00:00Zjunk", 20, &v, NULL), BSS_OK);
    assert_int_equal(v, T(2026, 3, 1, 0, 0, 0, 0));
}

static void test_parse_rejects(void **state)
{
    parse_bad("", "expected YYYY-MM-DD");
    parse_bad("2026", "expected YYYY-MM-DD");
    parse_bad("2026-1-01", "expected YYYY-MM-DD");
    parse_bad("20260101T000000Z", "expected YYYY-MM-DD");
    parse_bad("2026/01/01", "expected YYYY-MM-DD");
    parse_bad("2026-02-30T00:00:00Z", "no such day");
    parse_bad("2026-02-30", "no such day");
    parse_bad("2025-02-29", "no such day");
    parse_bad("1900-02-29", "no such day");
    parse_bad("2026-04-31", "no such day");
    parse_bad("2026-01-00", "no such day");
    parse_bad("2026-01-32", "no such day");
    parse_bad("2026-13-01", "month must be 01..12");
    parse_bad("2026-00-01", "month must be 01..12");
    parse_bad("2026-01-01T24:00:00Z", "hour must be 00..23");
    parse_bad("2026-01-01T23:60:00Z", "minute must be 00..59");
    parse_bad("2026-12-31T23:59:60Z", "second must be 00..59");
    parse_bad("2026-01-01 00:00:00Z", "expected 'T'");
    parse_bad("2026-01-01x", "expected 'T'");
    parse_bad("2026-01-01T", "expected HH:MM:SS");
    parse_bad("2026-01-01T00:00Z", "expected HH:MM:SS");
    parse_bad("2026-01-01T0a:00:00Z", "expected HH:MM:SS");
    parse_bad("2026-01-01T00:00:00", "missing UTC offset");
    parse_bad("2026-01-01T00:00:00.123", "missing UTC offset");
    parse_bad("2026-01-01T00:00:00.Z", "expected digits after '.'");
    parse_bad("2026-01-01T00:00:00Zx", "unexpected text after");
    parse_bad("2026-01-01T00:00:00+01:00 ", "unexpected text after");
    parse_bad("2026-01-01T00:00:00+0100", "UTC offset must be");
    parse_bad("2026-01-01T00:00:00+1:00", "UTC offset must be");
    parse_bad("2026-01-01T00:00:00UTC", "UTC offset must be");
    parse_bad("2026-01-01T00:00:00+24:00", "UTC offset out of range");
    parse_bad("2026-01-01T00:00:00+02:60", "UTC offset out of range");
    int64_t v = 3;
    assert_int_equal(bss_time_parse(NULL, 0, &v, NULL), BSS_E_INVALID);
    assert_int_equal(v, 3);
}

static void fmt_is(int64_t ms, const char *want)
{
    char buf[32];
    assert_int_equal(bss_time_format(ms, buf), 24);
    assert_string_equal(buf, want);
}

static void test_format(void **state)
{
    fmt_is(0, "1970-01-01T00:00:00.000Z");
    fmt_is(-1, "1969-12-31T23:59:59.999Z");
    fmt_is(T(2026, 2, 28, 13, 45, 0, 123), "2026-02-28T13:45:00.123Z");
    fmt_is(T(2024, 2, 29, 23, 59, 59, 9), "2024-02-29T23:59:59.009Z");
    fmt_is(T(1900, 3, 1, 1, 2, 3, 40), "1900-03-01T01:02:03.040Z");
    /* clamped to years 0000..9999 so the text is always 24 characters */
    fmt_is(INT64_MAX, "9999-12-31T23:59:59.999Z");
    fmt_is(INT64_MIN, "0000-01-01T00:00:00.000Z");
    static const int64_t samples[] = {0, 1, -1, 1700000000123, -86400001, 253402300799999, -62167219200000};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        char buf[32];
        int64_t back;
        bss_time_format(samples[i], buf);
        assert_int_equal(bss_time_parse(buf, strlen(buf), &back, NULL), BSS_OK);
        assert_int_equal(back, samples[i]);
    }
}

static void test_calendar(void **state)
{
    assert_false(bss_is_leap_year(1900));
    assert_true(bss_is_leap_year(2000));
    assert_false(bss_is_leap_year(2100));
    assert_true(bss_is_leap_year(2024));
    assert_false(bss_is_leap_year(2026));
    assert_true(bss_is_leap_year(2028));
    assert_int_equal(bss_days_in_month(2024, 2), 29);
    assert_int_equal(bss_days_in_month(2026, 2), 28);
    assert_int_equal(bss_days_in_month(1900, 2), 28);
    assert_int_equal(bss_days_in_month(2000, 2), 29);
    assert_int_equal(bss_days_in_month(2100, 2), 28);
    static const int lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; m++)
        assert_int_equal(bss_days_in_month(2026, m), lengths[m - 1]);
    assert_int_equal(bss_days_in_month(2026, 0), 0);
    assert_int_equal(bss_days_in_month(2026, 13), 0);

    assert_int_equal(bss_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(bss_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(bss_days_from_civil(1969, 12, 31), -1);
    /* civil_from_days inverts days_from_civil across four centuries and before the epoch */
    for (int64_t d = -800000; d < 800000; d += 97) {
        int y, m, day;
        bss_civil_from_days(d, &y, &m, &day);
        assert_true(m >= 1 && m <= 12 && day >= 1 && day <= bss_days_in_month(y, m));
        assert_int_equal(bss_days_from_civil(y, m, day), d);
    }
    int y, mo, d, h, mi, s, wd;
    bss_time_to_civil(T(2026, 11, 22, 1, 45, 37, 5), &y, &mo, &d, &h, &mi, &s, &wd);
    assert_int_equal(y, 2026);
    assert_int_equal(mo, 11);
    assert_int_equal(d, 22);
    assert_int_equal(h, 1);
    assert_int_equal(mi, 45);
    assert_int_equal(s, 37);
    assert_int_equal(wd, 6); /* Sunday */
    bss_time_to_civil(0, &y, &mo, &d, &h, &mi, &s, &wd);
    assert_int_equal(wd, 3); /* Thursday */
    bss_time_to_civil(-1, &y, &mo, &d, &h, &mi, &s, &wd);
    assert_int_equal(y, 1969);
    assert_int_equal(d, 31);
    assert_int_equal(h, 23);
    assert_int_equal(s, 59);
    assert_int_equal(wd, 2); /* Wednesday */
    bss_time_to_civil(T(2024, 1, 1, 0, 0, 0, 0), &y, &mo, &d, NULL, NULL, NULL, &wd);
    assert_int_equal(wd, 0);                                     /* Monday */
    bss_time_to_civil(INT64_MIN, &y, &mo, &d, &h, &mi, &s, &wd); /* no overflow */
    bss_time_to_civil(INT64_MAX, &y, &mo, &d, &h, &mi, &s, &wd);
    /* absurd inputs saturate instead of overflowing (UBSan watches) */
    assert_int_equal(bss_time_from_civil(2000000000, 1, 1, 0, 0, 0, 0), INT64_MAX);
    assert_int_equal(bss_time_from_civil(-2000000000, 1, 1, 0, 0, 0, 0), INT64_MIN);
    (void)bss_time_add_months(INT64_MAX, 1);
    (void)bss_time_add_months(INT64_MIN, -1);
    (void)bss_time_add_months(0, INT32_MAX);
    int64_t ps, pe;
    bss_bill_period(INT64_MAX, 28, &ps, &pe);
    bss_bill_period(INT64_MIN, 1, &ps, &pe);
}

static void test_add_months(void **state)
{
    assert_int_equal(bss_time_add_months(T(2026, 1, 31, 10, 20, 30, 400), 1),
                     T(2026, 2, 28, 10, 20, 30, 400));
    assert_int_equal(bss_time_add_months(T(2024, 1, 31, 0, 0, 0, 0), 1), T(2024, 2, 29, 0, 0, 0, 0));
    assert_int_equal(bss_time_add_months(T(2026, 3, 31, 0, 0, 0, 0), -1), T(2026, 2, 28, 0, 0, 0, 0));
    assert_int_equal(bss_time_add_months(T(2026, 5, 31, 0, 0, 0, 0), 1), T(2026, 6, 30, 0, 0, 0, 0));
    assert_int_equal(bss_time_add_months(T(2026, 12, 15, 0, 0, 0, 0), 1), T(2027, 1, 15, 0, 0, 0, 0));
    assert_int_equal(bss_time_add_months(T(2026, 1, 15, 0, 0, 0, 0), -1), T(2025, 12, 15, 0, 0, 0, 0));
    assert_int_equal(bss_time_add_months(T(2024, 2, 29, 0, 0, 0, 0), 12), T(2025, 2, 28, 0, 0, 0, 0));
    assert_int_equal(bss_time_add_months(T(2024, 2, 29, 0, 0, 0, 0), 48), T(2028, 2, 29, 0, 0, 0, 0));
    assert_int_equal(bss_time_add_months(T(2026, 3, 1, 0, 0, 0, 0), -13), T(2025, 2, 1, 0, 0, 0, 0));
    assert_int_equal(bss_time_add_months(T(2026, 8, 31, 0, 0, 0, 0), 0), T(2026, 8, 31, 0, 0, 0, 0));
    assert_int_equal(bss_time_add_months(T(1969, 12, 31, 23, 59, 59, 999), 2),
                     T(1970, 2, 28, 23, 59, 59, 999));
    assert_int_equal(bss_time_add_months(T(1970, 1, 31, 0, 0, 0, 0), -25), T(1967, 12, 31, 0, 0, 0, 0));
}

static void period_is(int64_t at, int cycle_day, int64_t want_start, int64_t want_end)
{
    int64_t start = 0, end = 0;
    bss_bill_period(at, cycle_day, &start, &end);
    assert_int_equal(start, want_start);
    assert_int_equal(end, want_end);
    assert_true(start <= at && at < end);
}

static void test_bill_period(void **state)
{
    period_is(T(2026, 2, 15, 12, 0, 0, 0), 1, T(2026, 2, 1, 0, 0, 0, 0), T(2026, 3, 1, 0, 0, 0, 0));
    period_is(T(2026, 2, 1, 0, 0, 0, 0), 1, T(2026, 2, 1, 0, 0, 0, 0), T(2026, 3, 1, 0, 0, 0, 0));
    period_is(T(2026, 1, 31, 23, 59, 59, 999), 1, T(2026, 1, 1, 0, 0, 0, 0), T(2026, 2, 1, 0, 0, 0, 0));
    period_is(T(2026, 2, 15, 0, 0, 0, 0), 15, T(2026, 2, 15, 0, 0, 0, 0), T(2026, 3, 15, 0, 0, 0, 0));
    period_is(T(2026, 2, 14, 23, 59, 59, 999), 15, T(2026, 1, 15, 0, 0, 0, 0), T(2026, 2, 15, 0, 0, 0, 0));
    period_is(T(2024, 2, 29, 12, 0, 0, 0), 28, T(2024, 2, 28, 0, 0, 0, 0), T(2024, 3, 28, 0, 0, 0, 0));
    period_is(T(2024, 2, 27, 12, 0, 0, 0), 28, T(2024, 1, 28, 0, 0, 0, 0), T(2024, 2, 28, 0, 0, 0, 0));
    period_is(T(2026, 3, 1, 0, 0, 0, 0), 28, T(2026, 2, 28, 0, 0, 0, 0), T(2026, 3, 28, 0, 0, 0, 0));
    period_is(T(2026, 1, 3, 0, 0, 0, 0), 5, T(2025, 12, 5, 0, 0, 0, 0), T(2026, 1, 5, 0, 0, 0, 0));
    period_is(T(2026, 12, 31, 0, 0, 0, 0), 28, T(2026, 12, 28, 0, 0, 0, 0), T(2027, 1, 28, 0, 0, 0, 0));
    /* out-of-range cycle days are clamped to 1..28 */
    period_is(T(2026, 3, 31, 0, 0, 0, 0), 31, T(2026, 3, 28, 0, 0, 0, 0), T(2026, 4, 28, 0, 0, 0, 0));
    period_is(T(2026, 3, 31, 0, 0, 0, 0), 0, T(2026, 3, 1, 0, 0, 0, 0), T(2026, 4, 1, 0, 0, 0, 0));
    /* every cycle day, every day of a leap year: consecutive periods tile the year */
    for (int cd = 1; cd <= 28; cd++) {
        for (int64_t at = T(2024, 1, 1, 0, 0, 0, 0); at < T(2025, 1, 1, 0, 0, 0, 0); at += BSS_MS_PER_DAY) {
            int64_t s, e, s2, e2;
            bss_bill_period(at, cd, &s, &e);
            assert_true(s <= at && at < e);
            bss_bill_period(e, cd, &s2, &e2);
            assert_int_equal(s2, e);
            int y, m, d;
            bss_civil_from_days(s / BSS_MS_PER_DAY, &y, &m, &d);
            assert_int_equal(d, cd);
        }
    }
}

static void *setter(void *arg)
{
    bss_clock *c = arg;
    for (int64_t i = 1; i <= 20000; i++)
        bss_clock_set(c, i * 1000);
    return NULL;
}

static void test_clock(void **state)
{
    bss_clock real;
    bss_clock_init_real(&real);
    int64_t now = bss_clock_now(&real), sys = (int64_t)time(NULL) * 1000;
    assert_true(now >= sys - 2000 && now <= sys + 2000);
    assert_int_equal(bss_clock_set(&real, 5), BSS_E_UNSUPPORTED);
    assert_true(bss_clock_now(&real) >= now);

    bss_clock test;
    bss_clock_init_test(&test, T(2026, 1, 31, 0, 0, 0, 0));
    assert_int_equal(bss_clock_now(&test), T(2026, 1, 31, 0, 0, 0, 0));
    assert_int_equal(bss_clock_now(&test), T(2026, 1, 31, 0, 0, 0, 0)); /* frozen */
    assert_int_equal(bss_clock_set(&test, 42), BSS_OK);
    assert_int_equal(bss_clock_now(&test), 42);

    /* read while another thread sets: every value read was one that was set */
    bss_clock_set(&test, 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, setter, &test), 0);
    for (int i = 0; i < 20000; i++) {
        int64_t v = bss_clock_now(&test);
        assert_true(v % 1000 == 0 && v >= 0 && v <= 20000000);
    }
    pthread_join(th, NULL);
    assert_int_equal(bss_clock_now(&test), 20000000);
}

static void test_monotonic(void **state)
{
    int64_t ms = bss_monotonic_ms(), ns = bss_monotonic_ns();
    assert_true(ns / 1000000 >= ms);
    assert_true(ns / 1000000 - ms < 1000);
    int64_t prev = ns;
    for (int i = 0; i < 1000; i++) {
        int64_t n = bss_monotonic_ns();
        assert_true(n >= prev);
        prev = n;
    }
    struct timespec pause = {0, 2000000};
    nanosleep(&pause, NULL);
    assert_true(bss_monotonic_ms() - ms >= 2);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),      cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_format),     cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_add_months), cmocka_unit_test(test_bill_period),
        cmocka_unit_test(test_clock),      cmocka_unit_test(test_monotonic),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    assert_int_equal(bss_mem_used(), 0);
    return rc;
}
