/*
 * test_worked_example.c: the worked example of docs/catalog.md, computed
 * with the real rating functions (catalog.h: rating) over the real prices of
 * the demo catalog (data/demo/catalog.json, found from this file's path):
 * Postpaid S joined on the 10th of June (proration), a 61-second call to a
 * Dutch mobile at peak, 1.5 GB of data against the Extra 1 GB add-on with
 * per-KB rounding, calls while roaming in Germany (roam like at home) and in
 * the UK, and the half-price promotion for 3 cycles. If a number here
 * changes, docs/catalog.md must change with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/time.h"

typedef struct example {
    json_t *catalog;
    bss_zone_table *dest, *roam;
    bss_timeband_plan *plan;
} example;

static example ex;

static const bss_zone_table *zone_ref(void *ctx, const char *id)
{
    (void)ctx;
    if (strcmp(id, "zt-nl-destinations") == 0)
        return ex.dest;
    return strcmp(id, "zt-roaming") == 0 ? ex.roam : NULL;
}

static const bss_timeband_plan *plan_ref(void *ctx, const char *id)
{
    (void)ctx;
    return strcmp(id, "tb-nl-standard") == 0 ? ex.plan : NULL;
}

static const json_t *find(const char *member, const char *id)
{
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(ex.catalog, member), i,
                       d) if (strcmp(json_string_value(json_object_get(d, "id")), id) == 0) return d;
    fail_msg("no %s %s in the demo catalog", member, id);
    return NULL;
}

static bss_price *price(const char *id)
{
    bss_price_refs refs = {NULL, zone_ref, plan_ref};
    bss_price *p = NULL;
    bss_errinfo ei;
    if (bss_price_build(find("productOfferingPrices", id), &refs, &p, &ei) != BSS_OK)
        fail_msg("%s: %s (%s)", id, ei.message, ei.field);
    return p;
}

static int setup(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s", __FILE__);
    char *cut = strstr(path, "tests/unit/catalog/");
    assert_non_null(cut);
    snprintf(cut, sizeof path - (size_t)(cut - path), "data/demo/catalog.json");
    json_error_t jerr;
    ex.catalog = json_load_file(path, 0, &jerr);
    if (!ex.catalog)
        fail_msg("%s: %s", path, jerr.text);
    bss_errinfo ei;
    assert_int_equal(bss_zone_table_build(find("zoneTables", "zt-nl-destinations"), &ex.dest, &ei), BSS_OK);
    assert_int_equal(bss_zone_table_build(find("zoneTables", "zt-roaming"), &ex.roam, &ei), BSS_OK);
    assert_int_equal(bss_timeband_plan_build(find("timeBandPlans", "tb-nl-standard"), &ex.plan, &ei), BSS_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bss_zone_table_free(ex.dest);
    bss_zone_table_free(ex.roam);
    bss_timeband_plan_free(ex.plan);
    json_decref(ex.catalog);
    return 0;
}

/* Step 1: the monthly fee, joining on 10 June 2026 (bill cycle day 1): 21 of 30 days. */
static void test_prorated_fee(void **state)
{
    (void)state;
    bss_price *fee = price("pop-postpaid-s-monthly");
    int64_t june = bss_time_from_civil(2026, 6, 1, 0, 0, 0, 0),
            july = bss_time_from_civil(2026, 7, 1, 0, 0, 0, 0);
    int64_t joined = bss_time_from_civil(2026, 6, 10, 14, 30, 0, 0);
    int64_t amount = 0;
    int days = 0;
    assert_int_equal(bss_rate_recurring(fee, june, july, joined, INT64_MAX, &amount, &days), BSS_OK);
    assert_int_equal(days, 21);
    assert_int_equal(amount, 10150000); /* 14.50 * 21 / 30 = 10.15 */
    int64_t aug = bss_time_from_civil(2026, 8, 1, 0, 0, 0, 0);
    assert_int_equal(bss_rate_recurring(fee, july, aug, joined, INT64_MAX, &amount, &days), BSS_OK);
    assert_int_equal(amount, 14500000); /* a full month */
    bss_price_free(fee);
}

static bss_usage_charge rate_call(const char *price_id, const char *to, int64_t seconds, int64_t at_ms,
                                  const char *visited)
{
    bss_price *p = price(price_id);
    bss_usage_event ev = {.quantity = seconds,
                          .destination = to,
                          .destination_len = strlen(to),
                          .start_ms = at_ms,
                          .visited = visited,
                          .visited_len = visited ? strlen(visited) : 0,
                          .rating_group = -1};
    bss_usage_charge c;
    bss_err rc = bss_rate_usage(p, &ev, &c);
    if (rc != BSS_OK)
        fail_msg("rating %s: %s", price_id, bss_errname(rc));
    bss_price_free(p);
    return c;
}

/* Step 2: 61 s to 06-12345678 on Tuesday 16 June 10:00 Amsterdam (08:00 UTC), included minutes used up. */
static void test_peak_call(void **state)
{
    (void)state;
    int64_t at = bss_time_from_civil(2026, 6, 16, 8, 0, 0, 0);
    bss_usage_charge c = rate_call("pop-voice-postpaid", "31612345678", 61, at, NULL);
    assert_string_equal(c.zone, "national-mobile");
    assert_string_equal(c.band, "peak");
    assert_int_equal(c.rated_units, 61);       /* first 60 s, then per second */
    assert_int_equal(c.charge_micros, 203333); /* 0.20 * 61 / 60 = 0.2033333... half-up to the micro */
}

/* Step 3: 1.5 GB (+264 bytes) with the Extra 1 GB add-on left: 1 GiB from the bucket, the rest per KB. */
static void test_data_over_allowance(void **state)
{
    (void)state;
    bss_price *addon = price("pop-addon-1gb-data");
    bss_bucket_template b;
    assert_int_equal(bss_rate_allowance(addon, &b), BSS_OK);
    assert_int_equal(b.units, INT64_C(1073741824));
    assert_int_equal(b.validity_days, 30);
    bss_price_free(addon);

    int64_t used = INT64_C(1610613000); /* 1.5 GiB = 1,610,612,736 bytes, plus 264 */
    int64_t over = used - b.units;      /* 536,871,176 bytes */
    bss_price *data = price("pop-data-postpaid");
    bss_usage_event ev = {
        .quantity = over, .start_ms = bss_time_from_civil(2026, 6, 18, 19, 0, 0, 0), .rating_group = -1};
    bss_usage_charge c;
    assert_int_equal(bss_rate_usage(data, &ev, &c), BSS_OK);
    assert_int_equal(c.rated_units, INT64_C(536871936)); /* rounded up to 524,289 KB */
    assert_int_equal(c.charge_micros, 5120010);          /* 0.01 * 536871936 / 1048576 = 5.1200097... */
    bss_price_free(data);
}

/* Step 4: roaming. In Germany (T-Mobile, 26201) roam like at home; in the UK (O2, 23410) 0.99 a minute. */
static void test_roaming_calls(void **state)
{
    (void)state;
    int64_t sat = bss_time_from_civil(2026, 6, 20, 8, 0, 0, 0); /* Saturday 10:00 in Amsterdam */
    bss_usage_charge de = rate_call("pop-voice-postpaid", "31612345678", 150, sat, "26201");
    assert_int_equal(de.roaming, BSS_ROAM_HOME);
    assert_string_equal(de.roaming_zone, "eu");
    assert_string_equal(de.band, "weekend");
    assert_int_equal(de.charge_micros, 250000); /* 0.10 * 150 / 60 */
    bss_usage_charge uk = rate_call("pop-voice-postpaid", "31612345678", 150, sat, "23410");
    assert_int_equal(uk.roaming, BSS_ROAM_PRICE);
    assert_string_equal(uk.roaming_zone, "europe-other");
    assert_int_equal(uk.charge_micros, 2475000); /* 0.99 * 150 / 60 */
}

/* Step 5: the promotion "Half price for 3 months" as the discount price order management attaches. */
static void test_promotion_three_cycles(void **state)
{
    (void)state;
    const json_t *promo = json_array_get(json_object_get(ex.catalog, "promotions"), 0);
    const json_t *action = json_object_get(promo, "action");
    json_t *doc = json_pack("{s:s, s:s, s:O, s:{s:O}}", "name", "Half price for 3 months", "priceType",
                            "discount", "percentage", json_object_get(action, "percentage"),
                            "applicationDuration", "cycles", json_object_get(action, "cycles"));
    bss_price *disc = NULL;
    bss_errinfo ei;
    if (bss_price_build(doc, NULL, &disc, &ei) != BSS_OK)
        fail_msg("%s (%s)", ei.message, ei.field);
    const int64_t fees[] = {10150000, 14500000, 14500000, 14500000};
    const int64_t want[] = {5075000, 7250000, 7250000, 0};
    for (int n = 1; n <= 4; n++) {
        int64_t d = -1;
        assert_int_equal(bss_rate_discount(disc, fees[n - 1], BSS_CHARGE_RECURRING, n, &d), BSS_OK);
        assert_int_equal(d, want[n - 1]);
    }
    int64_t usage_d = -1;
    assert_int_equal(bss_rate_discount(disc, 203333, BSS_CHARGE_USAGE, 1, &usage_d), BSS_OK);
    assert_int_equal(usage_d, 0); /* the fee only, not usage */
    bss_price_free(disc);
    json_decref(doc);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prorated_fee),           cmocka_unit_test(test_peak_call),
        cmocka_unit_test(test_data_over_allowance),    cmocka_unit_test(test_roaming_calls),
        cmocka_unit_test(test_promotion_three_cycles),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
