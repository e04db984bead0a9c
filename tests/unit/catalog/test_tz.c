/*
 * test_tz.c: time zones from the system zoneinfo. Known offsets and the exact
 * DST switch instants of 2026 (Amsterdam, New York, Lord Howe's half-hour
 * DST), fixed offsets (Kolkata, UTC), far-future instants that only the TZif
 * footer rule can answer (2100), every rejected name with its code, the
 * cache handing out one zone per name (also across threads), and a sweep that
 * compares our offsets with glibc's localtime_r over 1960..2230 for zones
 * with every footer form in current tzdata (southern hemisphere, negative
 * and 24h+ transition times). The sweep is test-only: the library itself
 * never reads TZ or calls localtime.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <time.h>

#include "catalog/catalog.h"
#include "core/mem.h"
#include "core/time.h"

#define T(y, mo, d, h, mi, s) bss_time_from_civil(y, mo, d, h, mi, s, 0)

static const bss_tz *zone(const char *name)
{
    const bss_tz *tz = NULL;
    bss_errinfo ei;
    if (bss_tz_get(name, &tz, &ei) != BSS_OK)
        fail_msg("%s: %s", name, ei.message);
    assert_non_null(tz);
    assert_string_equal(bss_tz_name(tz), name);
    return tz;
}

static void bad_name(const char *name, const char *needle)
{
    const bss_tz *tz = (const bss_tz *)(uintptr_t)1;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_tz_get(name, &tz, &ei), BSS_E_INVALID);
    assert_int_equal(ei.code, BSS_E_INVALID);
    assert_ptr_equal(tz, (const bss_tz *)(uintptr_t)1);
    if (strstr(ei.message, needle) == NULL)
        fail_msg("'%s': message '%s' lacks '%s'", name ? name : "(null)", ei.message, needle);
}

/* Offset just before and at a switch instant. */
static void switch_at(const bss_tz *tz, int64_t at_ms, int32_t before, int32_t after)
{
    assert_int_equal(bss_tz_offset_s(tz, at_ms - 1), before);
    assert_int_equal(bss_tz_offset_s(tz, at_ms), after);
}

static void test_amsterdam(void **state)
{
    const bss_tz *ams = zone("Europe/Amsterdam");
    assert_int_equal(bss_tz_offset_s(ams, T(2026, 1, 15, 12, 0, 0)), 3600);
    assert_int_equal(bss_tz_offset_s(ams, T(2026, 7, 1, 12, 0, 0)), 7200);
    switch_at(ams, T(2026, 3, 29, 1, 0, 0), 3600, 7200);
    switch_at(ams, T(2026, 10, 25, 1, 0, 0), 7200, 3600);
    /* 2100 lies beyond the file's transitions: the footer rule CET-1CEST,M3.5.0,M10.5.0/3 */
    assert_int_equal(bss_tz_offset_s(ams, T(2100, 1, 10, 0, 0, 0)), 3600);
    assert_int_equal(bss_tz_offset_s(ams, T(2100, 7, 10, 0, 0, 0)), 7200);
    switch_at(ams, T(2100, 3, 28, 1, 0, 0), 3600, 7200);
    switch_at(ams, T(2100, 10, 31, 1, 0, 0), 7200, 3600);
    /* past 2200 the rule is evaluated directly (before, its transitions are written out at load) */
    switch_at(ams, T(2300, 3, 25, 1, 0, 0), 3600, 7200);
    switch_at(ams, T(2300, 10, 28, 1, 0, 0), 7200, 3600);
    /* history: Amsterdam Mean Time was +00:19:32 before 1937 */
    assert_int_equal(bss_tz_offset_s(ams, T(1920, 1, 1, 0, 0, 0)), 1172);
}

static void test_new_york(void **state)
{
    const bss_tz *ny = zone("America/New_York");
    assert_int_equal(bss_tz_offset_s(ny, T(2026, 1, 15, 12, 0, 0)), -18000);
    assert_int_equal(bss_tz_offset_s(ny, T(2026, 7, 1, 12, 0, 0)), -14400);
    switch_at(ny, T(2026, 3, 8, 7, 0, 0), -18000, -14400);
    switch_at(ny, T(2026, 11, 1, 6, 0, 0), -14400, -18000);
    switch_at(ny, T(2100, 3, 14, 7, 0, 0), -18000, -14400);
    /* before 1970 and negative ms floor correctly */
    assert_int_equal(bss_tz_offset_s(ny, T(1969, 12, 31, 23, 59, 59) + 999), -18000);
}

static void test_fixed_and_half_hours(void **state)
{
    const bss_tz *kol = zone("Asia/Kolkata");
    assert_int_equal(bss_tz_offset_s(kol, T(2026, 1, 15, 0, 0, 0)), 19800);
    assert_int_equal(bss_tz_offset_s(kol, T(2026, 7, 15, 0, 0, 0)), 19800);
    assert_int_equal(bss_tz_offset_s(kol, T(2100, 7, 15, 0, 0, 0)), 19800);

    const bss_tz *lh = zone("Australia/Lord_Howe"); /* +10:30, DST +11:00 in the southern summer */
    assert_int_equal(bss_tz_offset_s(lh, T(2026, 1, 15, 0, 0, 0)), 39600);
    assert_int_equal(bss_tz_offset_s(lh, T(2026, 7, 15, 0, 0, 0)), 37800);
    switch_at(lh, T(2026, 4, 4, 15, 0, 0), 39600, 37800);
    switch_at(lh, T(2026, 10, 3, 15, 30, 0), 37800, 39600);
    switch_at(lh, T(2100, 4, 3, 15, 0, 0), 39600, 37800);
    switch_at(lh, T(2100, 10, 2, 15, 30, 0), 37800, 39600);
    assert_int_equal(bss_tz_offset_s(lh, T(2100, 12, 31, 23, 0, 0)), 39600);
    assert_int_equal(bss_tz_offset_s(lh, T(2101, 1, 1, 1, 0, 0)), 39600);

    const bss_tz *utc = zone("UTC");
    assert_int_equal(bss_tz_offset_s(utc, T(2026, 7, 1, 0, 0, 0)), 0);
    assert_int_equal(bss_tz_offset_s(utc, T(2100, 7, 1, 0, 0, 0)), 0);
    assert_int_equal(bss_tz_offset_s(utc, INT64_MIN / 2), 0);
    assert_int_equal(bss_tz_offset_s(zone("Etc/UTC"), T(2100, 7, 1, 0, 0, 0)), 0);
    assert_int_equal(bss_tz_offset_s(zone("Etc/GMT+5"), T(2100, 7, 1, 0, 0, 0)), -18000);
}

static void test_names(void **state)
{
    bad_name(NULL, "a time zone name is required");
    bad_name("", "a time zone name is required");
    bad_name("../../etc/passwd", "not a valid time zone name");
    bad_name("Europe/../UTC", "not a valid time zone name");
    bad_name("/etc/passwd", "not a valid time zone name");
    bad_name("Europe/Amster dam", "not a valid time zone name");
    bad_name("Europe/Amsterdam\n", "not a valid time zone name");
    bad_name("zone.tab", "not a valid time zone name");
    bad_name("Europe/Amsterdam;rm", "not a valid time zone name");
    char long_name[200];
    memset(long_name, 'A', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    bad_name(long_name, "not a valid time zone name");
    bad_name("Europe/Nowhere", "unknown time zone \"Europe/Nowhere\"");
    bad_name("Europe", "unknown time zone \"Europe\""); /* a directory */
    bad_name("Europe/", "unknown time zone");
    bad_name("leapseconds", "is not a valid zoneinfo file"); /* a text file in the zoneinfo dir */
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    const bss_tz *tz = NULL;
    assert_int_equal(bss_tz_get("Nowhere", &tz, NULL), BSS_E_INVALID); /* ei may be NULL */
    assert_int_equal(bss_tz_get("Nowhere", &tz, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "");
}

static void test_cache(void **state)
{
    const bss_tz *a = zone("Europe/Paris"), *b = zone("Europe/Paris");
    assert_ptr_equal(a, b);
    assert_ptr_equal(zone("UTC"), zone("UTC"));
    assert_ptr_not_equal(zone("Europe/Berlin"), a);
}

static void *get_many(void *arg)
{
    const char *names[] = {"Asia/Tokyo", "America/Chicago", "Africa/Cairo", "Pacific/Auckland"};
    const bss_tz **seen = arg;
    for (int round = 0; round < 50; round++)
        for (int i = 0; i < 4; i++) {
            const bss_tz *tz = NULL;
            if (bss_tz_get(names[i], &tz, NULL) != BSS_OK)
                return (void *)1;
            if (seen[i] == NULL)
                seen[i] = tz;
            else if (seen[i] != tz)
                return (void *)1;
        }
    return NULL;
}

static void test_threads(void **state)
{
    pthread_t th[4];
    const bss_tz *seen[4][4] = {{0}};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, get_many, seen[i]), 0);
    for (int i = 0; i < 4; i++) {
        void *rc = NULL;
        pthread_join(th[i], &rc);
        assert_null(rc);
    }
    for (int i = 1; i < 4; i++)
        for (int k = 0; k < 4; k++)
            assert_ptr_equal(seen[i][k], seen[0][k]);
}

/* Our offsets equal glibc's (tm_gmtoff) every 7 hours and around every switch, 1960..2120 and 2190..2230. */
static void test_against_glibc(void **state)
{
    const char *names[] = {"Europe/Amsterdam", "America/New_York",  "Australia/Lord_Howe",
                           "Australia/Sydney", "America/Nuuk",      "America/Santiago",
                           "Asia/Jerusalem",   "Asia/Kolkata",      "Europe/London",
                           "Pacific/Chatham",  "Africa/Casablanca", "America/Sao_Paulo"};
    char saved[256] = "";
    int had_tz = getenv("TZ") != NULL;
    if (had_tz)
        snprintf(saved, sizeof(saved), "%s", getenv("TZ"));
    for (size_t z = 0; z < sizeof(names) / sizeof(names[0]); z++) {
        const bss_tz *tz = zone(names[z]);
        setenv("TZ", names[z], 1);
        tzset();
        int32_t prev = 0;
        for (int64_t s = T(1960, 1, 1, 0, 0, 0) / 1000; s < T(2230, 1, 1, 0, 0, 0) / 1000;
             s +=
             s < T(2120, 1, 1, 0, 0, 0) / 1000 || s > T(2190, 1, 1, 0, 0, 0) / 1000 ? 7 * 3600 : 86400 * 30) {
            time_t tt = (time_t)s;
            struct tm tm;
            assert_non_null(localtime_r(&tt, &tm));
            int32_t ours = bss_tz_offset_s(tz, s * 1000);
            if (ours != tm.tm_gmtoff)
                fail_msg("%s at %lld: ours %d, glibc %ld", names[z], (long long)s, ours, tm.tm_gmtoff);
            if (s > T(1960, 1, 1, 0, 0, 0) / 1000 &&
                ours != prev) { /* a switch in the last 7 h: check each minute */
                for (int64_t m = s - 7 * 3600; m <= s; m += 60) {
                    tt = (time_t)m;
                    localtime_r(&tt, &tm);
                    if (bss_tz_offset_s(tz, m * 1000) != tm.tm_gmtoff)
                        fail_msg("%s at %lld: ours %d, glibc %ld", names[z], (long long)m,
                                 bss_tz_offset_s(tz, m * 1000), tm.tm_gmtoff);
                }
            }
            prev = ours;
        }
    }
    if (had_tz)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amsterdam),
        cmocka_unit_test(test_new_york),
        cmocka_unit_test(test_fixed_and_half_hours),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_against_glibc),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    assert_int_equal(bss_mem_used(), 0); /* loaded zones live outside the counted heap (tz.c) */
    return rc;
}
