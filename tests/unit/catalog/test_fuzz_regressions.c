/*
 * test_fuzz_regressions.c: one test for each defect the catalog fuzz targets
 * (fuzz/fuzz_tz.c, fuzz_timebands.c, fuzz_price.c) found, written from the
 * reduced input so it fails (ASan or UBSan abort) without the fix:
 *   - tz.c read the freed zone block to pick its error message when a
 *     zoneinfo file had transitions out of order (heap-use-after-free);
 *   - timebands.c added the zone offset to instants near INT64_MIN/MAX
 *     (signed overflow), reachable from bss_rate_usage's start_ms;
 *   - rate.c overflowed computing the days of a recurring period spanning
 *     most of int64, and calendar months of instants millions of years away.
 * tz.c's parser is static and reads only files by name, so this file
 * includes tz.c; the library's copy of tz.o is then never linked in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cattest.h"

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"

#include "catalog/tz.c"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* A version 1 TZif file with two transitions t0, t1 (type indexes i0, i1) and one local time type. */
static size_t tzif_v1(uint8_t *buf, int32_t t0, int32_t t1, uint8_t i0, uint8_t i1)
{
    memset(buf, 0, 64);
    memcpy(buf, "TZif", 4);  /* version byte 0: version 1 */
    put32(buf + 20 + 12, 2); /* timecnt */
    put32(buf + 20 + 16, 1); /* typecnt */
    put32(buf + 20 + 20, 1); /* charcnt */
    put32(buf + 44, (uint32_t)t0);
    put32(buf + 48, (uint32_t)t1);
    buf[52] = i0, buf[53] = i1;
    put32(buf + 54, 3600); /* type 0: UTC+1, not DST, abbreviation at 0 */
    return 44 + 2 * 4 + 2 + 6 + 1;
}

static void test_tzif_out_of_order_no_use_after_free(void **state)
{
    (void)state;
    uint8_t buf[64];
    const char *why = NULL;
    size_t len = tzif_v1(buf, 100, 50, 0, 0);
    assert_null(tzif_parse("Test/Zone", buf, len, &why));
    assert_non_null(why);
    assert_string_equal(why, "transitions out of order");
    len = tzif_v1(buf, 50, 100, 0, 7);
    assert_null(tzif_parse("Test/Zone", buf, len, &why));
    assert_string_equal(why, "bad type index");
    /* and the well-formed file still parses */
    len = tzif_v1(buf, 50, 100, 0, 0);
    bss_tz *z = tzif_parse("Test/Zone", buf, len, &why);
    assert_non_null(z);
    assert_int_equal(bss_tz_offset_s(z, 75000), 3600);
    free(z); /* one plain malloc block */
}

static const char PLAN[] =
    "{\"name\":\"NL\",\"timeZone\":\"Europe/Amsterdam\",\"bands\":["
    "{\"name\":\"peak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"08:00\",\"to\":\"20:"
    "00\"},"
    "{\"name\":\"offpeak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"20:00\",\"to\":\"24:"
    "00\"},"
    "{\"name\":\"offpeak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"00:00\",\"to\":\"08:"
    "00\"},"
    "{\"name\":\"weekend\",\"days\":[\"sat\",\"sun\"],\"from\":\"00:00\",\"to\":\"24:00\"}]}";

static bss_timeband_plan *g_plan;

static const bss_timeband_plan *plan_cb(void *ctx, const char *id)
{
    (void)ctx;
    return strcmp(id, "bands") == 0 ? g_plan : NULL;
}

static void test_timeband_at_int64_extremes(void **state)
{
    (void)state;
    json_t *doc = cat_json(PLAN);
    bss_errinfo ei;
    assert_int_equal(bss_timeband_plan_build(doc, &g_plan, &ei), BSS_OK);
    json_decref(doc);
    const bss_tz *utc = NULL;
    assert_int_equal(bss_tz_get("UTC", &utc, &ei), BSS_OK);
    const int64_t extremes[] = {INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1};
    for (size_t i = 0; i < sizeof extremes / sizeof extremes[0]; i++) {
        int band = bss_timeband_at(g_plan, extremes[i], NULL);
        assert_true(band >= 0 && band < (int)bss_timeband_count(g_plan));
        band = bss_timeband_at(g_plan, extremes[i], utc);
        assert_true(band >= 0 && band < (int)bss_timeband_count(g_plan));
    }
    /* an ordinary instant is unchanged: Thursday 2026-01-01 10:00 Amsterdam is peak */
    assert_string_equal(bss_timeband_name(g_plan, bss_timeband_at(g_plan, INT64_C(1767258000000), NULL)),
                        "peak");

    /* the same through the rater: a usage event with start_ms = INT64_MAX */
    json_t *pd = cat_json("{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"minute\"},"
                          "\"price\":{\"unit\":\"EUR\",\"value\":0.3},\"usage\":{\"service\":\"voice\","
                          "\"timeBandPlanId\":\"bands\",\"rates\":[{\"zone\":\"*\",\"band\":\"peak\","
                          "\"price\":{\"unit\":\"EUR\",\"value\":0.2}}]}}");
    bss_price_refs refs = {NULL, NULL, plan_cb};
    bss_price *p = NULL;
    if (bss_price_build(pd, &refs, &p, &ei) != BSS_OK)
        fail_msg("price: %s (%s)", ei.message, ei.field);
    json_decref(pd);
    bss_usage_event ev = {.quantity = 60, .start_ms = INT64_MAX, .rating_group = -1};
    bss_usage_charge c;
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_non_null(c.band);
    ev.start_ms = INT64_MIN;
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    bss_price_free(p);
    bss_timeband_plan_free(g_plan);
    g_plan = NULL;
}

static bss_price *recurring(const char *period)
{
    char text[256];
    snprintf(text, sizeof text,
             "{\"priceType\":\"recurring\",\"price\":{\"unit\":\"EUR\",\"value\":9.99},"
             "\"recurringChargePeriodType\":\"%s\"}",
             period);
    json_t *doc = cat_json(text);
    bss_price *p = NULL;
    bss_errinfo ei;
    if (bss_price_build(doc, NULL, &p, &ei) != BSS_OK)
        fail_msg("price: %s (%s)", ei.message, ei.field);
    json_decref(doc);
    return p;
}

#define T2026 INT64_C(1767225600000) /* 2026-01-01T00:00:00Z */

static void test_recurring_instants_out_of_range(void **state)
{
    (void)state;
    bss_price *p = recurring("month");
    int64_t out = -1, s = 0, e = 0;
    int days = -1;
    /* the reduced input: a "period" spanning most of int64 */
    assert_int_equal(bss_rate_recurring(p, INT64_MIN / 2, INT64_MAX / 2, INT64_MIN, INT64_MAX, &out, &days),
                     BSS_E_RANGE);
    assert_int_equal(bss_rate_recurring(p, T2026, INT64_MAX, T2026, INT64_MAX, &out, &days), BSS_E_RANGE);
    assert_int_equal(bss_rate_recurring_period(p, T2026, INT64_MAX / 2, &s, &e), BSS_E_RANGE);
    assert_int_equal(bss_rate_recurring_period(p, INT64_MIN, T2026, &s, &e), BSS_E_RANGE);
    /* ordinary use is unchanged: still active (INT64_MAX) over all of January */
    assert_int_equal(bss_rate_recurring_period(p, T2026, T2026 + 5 * INT64_C(86400000), &s, &e), BSS_OK);
    assert_int_equal(s, T2026);
    assert_int_equal(e, T2026 + 31 * INT64_C(86400000));
    assert_int_equal(bss_rate_recurring(p, s, e, INT64_MIN, INT64_MAX, &out, &days), BSS_OK);
    assert_int_equal(out, 9990000);
    assert_int_equal(days, 31);
    /* the last instant accepted, 9999-12-31T23:59:59.999Z, still has a period */
    assert_int_equal(bss_rate_recurring_period(p, T2026, INT64_C(253402300799999), &s, &e), BSS_OK);
    assert_true(s <= INT64_C(253402300799999) && INT64_C(253402300799999) < e);
    bss_price_free(p);

    p = recurring("day");
    assert_int_equal(bss_rate_recurring_period(p, INT64_MIN, INT64_MAX, &s, &e), BSS_E_RANGE);
    bss_price_free(p);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tzif_out_of_order_no_use_after_free),
        cmocka_unit_test(test_timeband_at_int64_extremes),
        cmocka_unit_test(test_recurring_instants_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
