/*
 * test_timebands.c: compiled time-band plans. Bands across midnight (and
 * across the week's end), full-day and 24-hour bands, one band in several
 * entries, DST changes in the plan's zone (a band boundary at 02:30 local on
 * the spring-forward day, when 02:30 does not exist, and on the fall-back
 * day, when it happens twice), holidays on the local day, an account time
 * zone different from the plan's, and every rejected document with its exact
 * code, field and message (gaps, overlaps, days, times, holidays, zones),
 * out-of-memory at every allocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cattest.h"

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/time.h"

#define T(y, mo, d, h, mi) bss_time_from_civil(y, mo, d, h, mi, 0, 0)

static bss_timeband_plan *build_ok(const char *text)
{
    json_t *doc = cat_json(text);
    bss_timeband_plan *p = NULL;
    bss_errinfo ei;
    if (bss_timeband_plan_build(doc, &p, &ei) != BSS_OK)
        fail_msg("build: %s (%s)", ei.message, ei.field);
    json_decref(doc);
    return p;
}

static void build_bad(const char *text, bss_err code, const char *field, const char *message)
{
    json_t *doc = cat_json(text);
    bss_timeband_plan *p = (bss_timeband_plan *)(uintptr_t)1;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    cat_expect_error(bss_timeband_plan_build(doc, &p, &ei), &ei, code, field, message);
    assert_ptr_equal(p, (bss_timeband_plan *)(uintptr_t)1);
    json_decref(doc);
}

static const char *band(const bss_timeband_plan *p, int64_t utc_ms, const bss_tz *tz)
{
    const char *name = bss_timeband_name(p, bss_timeband_at(p, utc_ms, tz));
    return name ? name : "(none)";
}

static const bss_tz *zone(const char *name)
{
    const bss_tz *tz = NULL;
    assert_int_equal(bss_tz_get(name, &tz, NULL), BSS_OK);
    return tz;
}

/* The NL plan: weeknights wrap into the next morning, the weekend runs Saturday 08:00 to Monday 08:00. */
static const char *const NL =
    "{\"name\": \"NL standard\", \"timeZone\": \"Europe/Amsterdam\", \"bands\": ["
    " {\"name\": \"peak\", \"days\": [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"], \"from\": \"08:00\", \"to\": "
    "\"20:00\"},"
    " {\"name\": \"offpeak\", \"days\": [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"], \"from\": \"20:00\", "
    "\"to\": \"08:00\"},"
    " {\"name\": \"weekend\", \"days\": [\"sat\",\"sun\"], \"from\": \"08:00\", \"to\": \"08:00\"}],"
    " \"holidays\": [{\"date\": \"2026-12-25\", \"band\": \"weekend\"}, {\"date\": \"2026-12-26\", \"band\": "
    "\"weekend\"},"
    "  {\"date\": \"2026-04-27\", \"band\": \"offpeak\"}]}";

static void test_week(void **state)
{
    bss_timeband_plan *p = build_ok(NL);
    assert_int_equal(bss_timeband_count(p), 3);
    assert_int_equal(bss_timeband_index(p, "offpeak"), 1);
    assert_int_equal(bss_timeband_index(p, "nope"), -1);
    assert_null(bss_timeband_name(p, 3));
    assert_null(bss_timeband_name(p, -1));
    assert_string_equal(bss_tz_name(bss_timeband_plan_tz(p)), "Europe/Amsterdam");
    /* Wednesday 1 July 2026, CEST (UTC+2) */
    assert_string_equal(band(p, T(2026, 7, 1, 5, 59), NULL), "offpeak");  /* 07:59 local */
    assert_string_equal(band(p, T(2026, 7, 1, 6, 0), NULL), "peak");      /* 08:00 */
    assert_string_equal(band(p, T(2026, 7, 1, 17, 59), NULL), "peak");    /* 19:59 */
    assert_string_equal(band(p, T(2026, 7, 1, 18, 0), NULL), "offpeak");  /* 20:00 */
    assert_string_equal(band(p, T(2026, 7, 1, 21, 59), NULL), "offpeak"); /* 23:59 */
    assert_string_equal(band(p, T(2026, 7, 1, 22, 0), NULL), "offpeak");  /* Thursday 00:00: wrapped part */
    /* Friday night wraps into Saturday morning; the weekend runs to Monday 08:00 */
    assert_string_equal(band(p, T(2026, 7, 3, 18, 0), NULL), "offpeak");  /* Fri 20:00 */
    assert_string_equal(band(p, T(2026, 7, 4, 5, 59), NULL), "offpeak");  /* Sat 07:59 */
    assert_string_equal(band(p, T(2026, 7, 4, 6, 0), NULL), "weekend");   /* Sat 08:00 */
    assert_string_equal(band(p, T(2026, 7, 5, 21, 59), NULL), "weekend"); /* Sun 23:59 */
    assert_string_equal(band(p, T(2026, 7, 5, 22, 0), NULL), "weekend");  /* Mon 00:00: Sunday's wrap */
    assert_string_equal(band(p, T(2026, 7, 6, 5, 59), NULL), "weekend");  /* Mon 07:59 */
    assert_string_equal(band(p, T(2026, 7, 6, 6, 0), NULL), "peak");      /* Mon 08:00 */
    /* winter, CET (UTC+1) */
    assert_string_equal(band(p, T(2026, 11, 24, 6, 59), NULL), "offpeak"); /* Tue 07:59 */
    assert_string_equal(band(p, T(2026, 11, 24, 7, 0), NULL), "peak");     /* Tue 08:00 */
    /* before 1970 and far future (footer rule) */
    assert_string_equal(band(p, T(1969, 12, 31, 12, 0), NULL), "peak"); /* Wed 13:00 CET */
    assert_string_equal(band(p, T(2100, 7, 7, 6, 0), NULL), "peak");    /* Wed 08:00 CEST */
    assert_string_equal(band(p, T(2100, 7, 7, 5, 59), NULL), "offpeak");
    bss_timeband_plan_free(p);
    bss_timeband_plan_free(NULL);
}

static void test_holidays_and_account_tz(void **state)
{
    bss_timeband_plan *p = build_ok(NL);
    /* Christmas 2026 is a Friday: the whole local day is weekend */
    assert_string_equal(band(p, T(2026, 12, 24, 22, 59), NULL), "offpeak"); /* Thu 23:59 CET */
    assert_string_equal(band(p, T(2026, 12, 24, 23, 0), NULL), "weekend");  /* Fri 00:00 */
    assert_string_equal(band(p, T(2026, 12, 25, 12, 0), NULL), "weekend");  /* Fri 13:00, else peak */
    assert_string_equal(band(p, T(2026, 12, 26, 22, 59), NULL), "weekend"); /* Sat 23:59 */
    assert_string_equal(band(p, T(2026, 12, 27, 12, 0), NULL), "weekend");
    assert_string_equal(band(p, T(2026, 4, 27, 10, 0), NULL), "offpeak"); /* King's Day, Monday noon */
    assert_string_equal(band(p, T(2026, 4, 28, 10, 0), NULL), "peak");
    assert_string_equal(band(p, T(2025, 12, 25, 12, 0), NULL), "peak"); /* holidays are dated: not 2025 */

    /* the account's zone decides the local time and the local day */
    const bss_tz *ny = zone("America/New_York"), *kol = zone("Asia/Kolkata");
    assert_string_equal(band(p, T(2026, 7, 1, 22, 30), ny), "peak"); /* NY Wed 18:30, NL Thu 00:30 */
    assert_string_equal(band(p, T(2026, 7, 1, 22, 30), NULL), "offpeak");
    assert_string_equal(band(p, T(2026, 7, 3, 3, 0), kol), "peak"); /* Kolkata Fri 08:30, NL 05:00 */
    assert_string_equal(band(p, T(2026, 7, 3, 3, 0), NULL), "offpeak");
    assert_string_equal(band(p, T(2026, 7, 3, 2, 29), kol), "offpeak");   /* Kolkata 07:59 */
    assert_string_equal(band(p, T(2026, 12, 25, 4, 59), ny), "offpeak");  /* NY Thu 23:59 */
    assert_string_equal(band(p, T(2026, 12, 25, 5, 0), ny), "weekend");   /* NY Christmas 00:00 */
    assert_string_equal(band(p, T(2026, 12, 25, 23, 30), ny), "weekend"); /* NY 18:30, NL already Saturday */
    assert_string_equal(band(p, T(2026, 12, 25, 23, 30), zone("UTC")), "weekend");
    bss_timeband_plan_free(p);
}

/* A boundary at 02:30 local: on 29 March 2026 local 02:00-03:00 is skipped, on 25 October it repeats. */
static void test_dst(void **state)
{
    bss_timeband_plan *p = build_ok(
        "{\"timeZone\": \"Europe/Amsterdam\", \"bands\": ["
        " {\"name\": \"night\", \"days\": [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"], "
        "\"from\": \"00:00\", \"to\": \"02:30\"},"
        " {\"name\": \"day\", \"days\": [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"], \"from\": "
        "\"02:30\", \"to\": \"24:00\"}]}");
    /* spring forward: 01:59:59 CET is followed by 03:00 CEST at 01:00 UTC */
    assert_string_equal(band(p, T(2026, 3, 29, 0, 30), NULL), "night"); /* 01:30 CET */
    assert_string_equal(band(p, T(2026, 3, 29, 1, 0) - 1, NULL), "night");
    assert_string_equal(band(p, T(2026, 3, 29, 1, 0), NULL), "day"); /* 03:00 CEST: 02:30 never happened */
    /* the day before, the same UTC instants are an hour earlier locally */
    assert_string_equal(band(p, T(2026, 3, 28, 1, 29), NULL), "night"); /* 02:29 CET */
    assert_string_equal(band(p, T(2026, 3, 28, 1, 30), NULL), "day");   /* 02:30 CET */
    /* fall back: local 02:00-03:00 happens twice (CEST, then CET) */
    assert_string_equal(band(p, T(2026, 10, 25, 0, 15), NULL), "night"); /* 02:15 CEST */
    assert_string_equal(band(p, T(2026, 10, 25, 0, 45), NULL), "day");   /* 02:45 CEST */
    assert_string_equal(band(p, T(2026, 10, 25, 1, 15), NULL), "night"); /* 02:15 CET, again */
    assert_string_equal(band(p, T(2026, 10, 25, 1, 45), NULL), "day");   /* 02:45 CET */
    /* an account in New York sees its own spring-forward (8 March 2026, 07:00 UTC) */
    const bss_tz *ny = zone("America/New_York");
    assert_string_equal(band(p, T(2026, 3, 8, 7, 0) - 1, ny), "night"); /* 01:59:59 EST */
    assert_string_equal(band(p, T(2026, 3, 8, 7, 0), ny), "day");       /* 03:00 EDT */
    bss_timeband_plan_free(p);
}

static void test_entries_and_full_days(void **state)
{
    /* one band in several entries; to 24:00; 00:00-00:00 is a whole day */
    bss_timeband_plan *p =
        build_ok("{\"timeZone\": \"UTC\", \"bands\": ["
                 " {\"name\": \"peak\", \"days\": [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"], \"from\": "
                 "\"07:00\", \"to\": \"19:00\"},"
                 " {\"name\": \"offpeak\", \"days\": [\"mon\",\"tue\",\"wed\",\"thu\"], \"from\": \"19:00\", "
                 "\"to\": \"07:00\"},"
                 " {\"name\": \"offpeak\", \"days\": [\"mon\"], \"from\": \"00:00\", \"to\": \"07:00\"},"
                 " {\"name\": \"weekend\", \"days\": [\"fri\"], \"from\": \"19:00\", \"to\": \"24:00\"},"
                 " {\"name\": \"weekend\", \"days\": [\"sat\"], \"from\": \"00:00\", \"to\": \"00:00\"},"
                 " {\"name\": \"weekend\", \"days\": [\"sun\"], \"from\": \"00:00\", \"to\": \"24:00\"}]}");
    assert_int_equal(bss_timeband_count(p), 3);
    assert_string_equal(band(p, T(2026, 11, 23, 3, 0), NULL), "offpeak"); /* Mon 03:00 */
    assert_string_equal(band(p, T(2026, 11, 23, 7, 0), NULL), "peak");
    assert_string_equal(band(p, T(2026, 11, 27, 19, 0), NULL), "weekend"); /* Fri 19:00 */
    assert_string_equal(band(p, T(2026, 11, 28, 0, 0), NULL), "weekend");
    assert_string_equal(band(p, T(2026, 11, 29, 23, 59), NULL), "weekend");
    assert_string_equal(band(p, T(2026, 11, 27, 3, 0), NULL), "offpeak"); /* Fri 03:00: Thursday's wrap */
    bss_timeband_plan_free(p);

    p = build_ok("{\"timeZone\": \"Asia/Kolkata\", \"bands\": [{\"name\": \"flat\", \"days\": "
                 "[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"], \"from\": \"06:00\", \"to\": "
                 "\"06:00\"}]}");
    assert_int_equal(bss_timeband_at(p, T(2026, 1, 1, 0, 0), NULL), 0);
    assert_int_equal(bss_timeband_at(p, T(2026, 1, 1, 0, 0), zone("UTC")), 0);
    bss_timeband_plan_free(p);
}

#define DAYS5 "[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"]"
#define WEEK "[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"]"

static void test_gaps_and_overlaps(void **state)
{
    /* the gap message of catalog.h (time-band plans) */
    build_bad(
        "{\"timeZone\": \"Europe/Amsterdam\", \"bands\": ["
        " {\"name\": \"peak\", \"days\": " DAYS5 ", \"from\": \"08:00\", \"to\": \"20:00\"},"
        " {\"name\": \"offpeak\", \"days\": [\"mon\",\"wed\",\"thu\",\"fri\"], \"from\": \"20:00\", \"to\": "
        "\"08:00\"},"
        " {\"name\": \"offpeak\", \"days\": [\"tue\"], \"from\": \"22:00\", \"to\": \"08:00\"},"
        " {\"name\": \"weekend\", \"days\": [\"sat\",\"sun\"], \"from\": \"08:00\", \"to\": \"08:00\"}]}",
        BSS_E_UNPROCESSABLE, "bands", "Tuesday 20:00-22:00 is in no band");
    /* a gap across midnight, and one across the end of the week */
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"day\", \"days\": " WEEK
              ", \"from\": \"06:00\", \"to\": \"23:00\"},"
              " {\"name\": \"night\", \"days\": [\"mon\",\"tue\",\"thu\",\"fri\",\"sat\",\"sun\"], \"from\": "
              "\"23:00\", \"to\": \"06:00\"}]}",
              BSS_E_UNPROCESSABLE, "bands", "Wednesday 23:00-Thursday 06:00 is in no band");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"day\", \"days\": " WEEK
              ", \"from\": \"06:00\", \"to\": \"23:00\"},"
              " {\"name\": \"night\", \"days\": [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\"], \"from\": "
              "\"23:00\", \"to\": \"06:00\"}]}",
              BSS_E_UNPROCESSABLE, "bands", "Sunday 23:00-Monday 06:00 is in no band");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"weekday\", \"days\": " DAYS5
              ", \"from\": \"00:00\", \"to\": \"24:00\"}]}",
              BSS_E_UNPROCESSABLE, "bands", "Saturday 00:00-Monday 00:00 is in no band");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"day\", \"days\": " WEEK
              ", \"from\": \"00:00\", \"to\": \"23:59\"}]}",
              BSS_E_UNPROCESSABLE, "bands", "Monday 23:59-24:00 is in no band");
    /* the example of catalog.h itself: Friday's offpeak wraps into Saturday, which is weekend */
    build_bad(
        "{\"name\": \"NL standard\", \"timeZone\": \"Europe/Amsterdam\", \"bands\": ["
        " {\"name\": \"peak\", \"days\": " DAYS5 ", \"from\": \"08:00\", \"to\": \"20:00\"},"
        " {\"name\": \"offpeak\", \"days\": " DAYS5 ", \"from\": \"20:00\", \"to\": \"08:00\"},"
        " {\"name\": \"weekend\", \"days\": [\"sat\",\"sun\"], \"from\": \"00:00\", \"to\": \"24:00\"}]}",
        BSS_E_UNPROCESSABLE, "bands[2]",
        "Saturday 00:00-08:00 is in both \"offpeak\" (bands[1]) and \"weekend\" (bands[2])");
    /* an overlap names both bands and the later entry */
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"peak\", \"days\": " WEEK
              ", \"from\": \"08:00\", \"to\": \"20:00\"},"
              " {\"name\": \"late\", \"days\": [\"tue\"], \"from\": \"19:00\", \"to\": \"08:00\"}]}",
              BSS_E_UNPROCESSABLE, "bands[1]",
              "Tuesday 19:00-20:00 is in both \"peak\" (bands[0]) and \"late\" (bands[1])");
    /* two entries of the same band may not overlap either */
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"all\", \"days\": " WEEK
              ", \"from\": \"00:00\", \"to\": \"24:00\"},"
              " {\"name\": \"all\", \"days\": [\"sun\"], \"from\": \"23:00\", \"to\": \"01:00\"}]}",
              BSS_E_UNPROCESSABLE, "bands[1]",
              "Sunday 23:00-24:00 is in both \"all\" (bands[0]) and \"all\" (bands[1])");
    /* the wrapped part overlapping: Sunday's wrap lands on Monday */
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"a\", \"days\": [\"mon\"], \"from\": "
              "\"00:00\", \"to\": \"02:00\"},"
              " {\"name\": \"b\", \"days\": [\"sun\"], \"from\": \"23:00\", \"to\": \"03:00\"}]}",
              BSS_E_UNPROCESSABLE, "bands[1]",
              "Monday 00:00-02:00 is in both \"a\" (bands[0]) and \"b\" (bands[1])");
}

static void test_document_errors(void **state)
{
    const char *band_ok = "{\"name\": \"all\", \"days\": " WEEK ", \"from\": \"00:00\", \"to\": \"24:00\"}";
    char text[1024];
    build_bad("[]", BSS_E_INVALID, "", "a time-band plan must be a JSON object");
    build_bad("{\"bands\": []}", BSS_E_INVALID, "timeZone", "timeZone: is required");
    build_bad("{\"timeZone\": 1, \"bands\": []}", BSS_E_INVALID, "timeZone", "timeZone: expected a string");
    snprintf(text, sizeof(text), "{\"timeZone\": \"Mars/Olympus\", \"bands\": [%s]}", band_ok);
    build_bad(text, BSS_E_INVALID, "timeZone", "unknown time zone \"Mars/Olympus\"");
    snprintf(text, sizeof(text), "{\"timeZone\": \"../etc/passwd\", \"bands\": [%s]}", band_ok);
    build_bad(text, BSS_E_INVALID, "timeZone", "not a valid time zone name");
    snprintf(text, sizeof(text), "{\"name\": 3, \"timeZone\": \"UTC\", \"bands\": [%s]}", band_ok);
    build_bad(text, BSS_E_INVALID, "name", "name: expected a string");
    build_bad("{\"timeZone\": \"UTC\"}", BSS_E_INVALID, "bands",
              "bands: expected a non-empty array of bands");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": []}", BSS_E_INVALID, "bands", "non-empty array");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [1]}", BSS_E_INVALID, "bands[0]",
              "bands[0]: expected an object with name, days, from and to");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"days\": " WEEK
              ", \"from\": \"00:00\", \"to\": \"24:00\"}]}",
              BSS_E_INVALID, "bands[0].name", "bands[0].name: is required");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"\", \"days\": " WEEK
              ", \"from\": \"00:00\", \"to\": \"24:00\"}]}",
              BSS_E_INVALID, "bands[0].name", "bands[0].name: a band name must not be empty");
    build_bad(
        "{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"a\", \"from\": \"00:00\", \"to\": \"24:00\"}]}",
        BSS_E_INVALID, "bands[0].days",
        "bands[0].days: expected a non-empty array of days (\"mon\" .. \"sun\")");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"a\", \"days\": [], \"from\": \"00:00\", "
              "\"to\": \"24:00\"}]}",
              BSS_E_INVALID, "bands[0].days", "non-empty array of days");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"a\", \"days\": [\"mon\", \"monday\"], "
              "\"from\": \"00:00\", \"to\": \"24:00\"}]}",
              BSS_E_INVALID, "bands[0].days[1]",
              "bands[0].days[1]: not a day: use mon, tue, wed, thu, fri, sat or sun");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"a\", \"days\": [\"mon\", 2], \"from\": "
              "\"00:00\", \"to\": \"24:00\"}]}",
              BSS_E_INVALID, "bands[0].days[1]", "not a day");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"a\", \"days\": [\"mon\", \"tue\", \"mon\"], "
              "\"from\": \"00:00\", \"to\": \"24:00\"}]}",
              BSS_E_INVALID, "bands[0].days[2]", "bands[0].days[2]: \"mon\" is listed twice");
    build_bad(
        "{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"a\", \"days\": [\"mon\"], \"to\": \"24:00\"}]}",
        BSS_E_INVALID, "bands[0].from", "bands[0].from: is required");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"a\", \"days\": [\"mon\"], \"from\": "
              "\"8:00\", \"to\": \"24:00\"}]}",
              BSS_E_INVALID, "bands[0].from",
              "bands[0].from: \"8:00\" is not a time of day: use \"HH:MM\" from 00:00 to 23:59");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"a\", \"days\": [\"mon\"], \"from\": "
              "\"24:00\", \"to\": \"24:00\"}]}",
              BSS_E_INVALID, "bands[0].from", "\"24:00\" is not a time of day");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"a\", \"days\": [\"mon\"], \"from\": "
              "\"10:60\", \"to\": \"24:00\"}]}",
              BSS_E_INVALID, "bands[0].from", "\"10:60\" is not a time of day");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"a\", \"days\": [\"mon\"], \"from\": "
              "\"00:00\", \"to\": \"24:30\"}]}",
              BSS_E_INVALID, "bands[0].to",
              "bands[0].to: \"24:30\" is not a time of day: use \"HH:MM\" from 00:00 to 24:00");
    build_bad("{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"a\", \"days\": [\"mon\"], \"from\": "
              "\"00:00\", \"to\": 8}]}",
              BSS_E_INVALID, "bands[0].to", "bands[0].to: expected a string");
}

static void test_holiday_errors(void **state)
{
    char text[1024];
    const char *head = "{\"timeZone\": \"UTC\", \"bands\": [{\"name\": \"all\", \"days\": " WEEK
                       ", \"from\": \"00:00\", \"to\": \"24:00\"}], \"holidays\": ";
    snprintf(text, sizeof(text), "%s{}}", head);
    build_bad(text, BSS_E_INVALID, "holidays", "holidays: expected an array of {date, band}");
    snprintf(text, sizeof(text), "%s[\"2026-12-25\"]}", head);
    build_bad(text, BSS_E_INVALID, "holidays[0]", "holidays[0]: expected an object with date and band");
    snprintf(text, sizeof(text), "%s[{\"band\": \"all\"}]}", head);
    build_bad(text, BSS_E_INVALID, "holidays[0].date", "holidays[0].date: is required");
    snprintf(
        text, sizeof(text),
        "%s[{\"date\": \"2026-12-25\", \"band\": \"all\"}, {\"date\": \"2026-02-30\", \"band\": \"all\"}]}",
        head);
    build_bad(text, BSS_E_INVALID, "holidays[1].date",
              "holidays[1].date: \"2026-02-30\" is not a date: use YYYY-MM-DD");
    snprintf(text, sizeof(text), "%s[{\"date\": \"25-12-2026\", \"band\": \"all\"}]}", head);
    build_bad(text, BSS_E_INVALID, "holidays[0].date", "is not a date");
    snprintf(text, sizeof(text), "%s[{\"date\": \"2026-12-25T00:00:00Z\", \"band\": \"all\"}]}", head);
    build_bad(text, BSS_E_INVALID, "holidays[0].date", "is not a date");
    snprintf(text, sizeof(text), "%s[{\"date\": \"2026-12-25\"}]}", head);
    build_bad(text, BSS_E_INVALID, "holidays[0].band", "holidays[0].band: is required");
    snprintf(text, sizeof(text), "%s[{\"date\": \"2026-12-25\", \"band\": \"holiday\"}]}", head);
    build_bad(text, BSS_E_UNPROCESSABLE, "holidays[0].band",
              "holidays[0].band: \"holiday\" is not one of the bands");
    snprintf(
        text, sizeof(text),
        "%s[{\"date\": \"2026-12-25\", \"band\": \"all\"}, {\"date\": \"2026-01-01\", \"band\": \"all\"},"
        " {\"date\": \"2026-12-25\", \"band\": \"all\"}]}",
        head);
    build_bad(text, BSS_E_UNPROCESSABLE, "holidays[2].date",
              "holidays[2].date: the same day is listed twice: holidays[0] and holidays[2]");
    /* an empty list and null are fine */
    snprintf(text, sizeof(text), "%s[]}", head);
    bss_timeband_plan_free(build_ok(text));
    snprintf(text, sizeof(text), "%snull}", head);
    bss_timeband_plan_free(build_ok(text));
}

static void test_oom(void **state)
{
    json_t *doc = cat_json(NL);
    const bss_tz *tz = NULL;
    assert_int_equal(bss_tz_get("Europe/Amsterdam", &tz, NULL), BSS_OK); /* loaded once, outside the loop */
    int failures = 0;
    for (int64_t n = 1;; n++) {
        bss_timeband_plan *p = NULL;
        bss_errinfo ei;
        int64_t before = bss_mem_used();
        bss_mem_fail_after(n, 1);
        bss_err e = bss_timeband_plan_build(doc, &p, &ei);
        bss_mem_fail_after(0, 0);
        if (e == BSS_OK) {
            assert_string_equal(band(p, T(2026, 12, 25, 12, 0), NULL), "weekend");
            bss_timeband_plan_free(p);
            break;
        }
        assert_int_equal(e, BSS_E_NOMEM);
        assert_int_equal(bss_mem_used(), before);
        failures++;
    }
    assert_true(failures >= 5);
    json_decref(doc);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_week),
        cmocka_unit_test(test_holidays_and_account_tz),
        cmocka_unit_test(test_dst),
        cmocka_unit_test(test_entries_and_full_days),
        cmocka_unit_test(test_gaps_and_overlaps),
        cmocka_unit_test(test_document_errors),
        cmocka_unit_test(test_holiday_errors),
        cmocka_unit_test(test_oom),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    assert_int_equal(bss_mem_used(), 0); /* loaded time zones live outside the counted heap (tz.c) */
    return rc;
}
