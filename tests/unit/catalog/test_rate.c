/*
 * test_rate.c: the pure rating functions (catalog.h: rating) against charges
 * computed by hand, written next to each assertion: increments (60/60,
 * per second after the first minute, 30/1, per-KB), minimums, connect fees,
 * graduated and volume tiers across boundaries, peak/off-peak/weekend in
 * the account's time zone across DST, destination zones by longest prefix
 * (premium, on-net), roaming (EU at home vs rest of world), rating groups
 * and zero-rating, recurring proration at month ends and in leap February,
 * and discounts for N cycles then not. Amounts are micros: 0.20 EUR = 200000.
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
#include "core/time.h"

static bss_zone_table *g_dest, *g_roam;
static bss_timeband_plan *g_plan;

static const bss_zone_table *zt_cb(void *ctx, const char *id)
{
    (void)ctx;
    return strcmp(id, "dest") == 0 ? g_dest : strcmp(id, "roam") == 0 ? g_roam : NULL;
}

static const bss_timeband_plan *tb_cb(void *ctx, const char *id)
{
    (void)ctx;
    return strcmp(id, "bands") == 0 ? g_plan : NULL;
}

static const bss_price_refs refs = {NULL, zt_cb, tb_cb};

static int setup(void **state)
{
    (void)state;
    json_t *d = cat_json("{\"name\":\"NL\",\"kind\":\"destination\",\"defaultZone\":\"world\",\"zones\":["
                         "{\"name\":\"national-fixed\",\"prefixes\":[\"31\"]},"
                         "{\"name\":\"national-mobile\",\"prefixes\":[\"316\"]},"
                         "{\"name\":\"on-net\",\"prefixes\":[\"3161234\"]},"
                         "{\"name\":\"premium\",\"prefixes\":[\"31900\",\"31906\"]},"
                         "{\"name\":\"eu\",\"prefixes\":[\"49\",\"33\"]},"
                         "{\"name\":\"world\",\"prefixes\":[]}]}");
    json_t *r =
        cat_json("{\"name\":\"roam\",\"kind\":\"roaming\",\"zones\":["
                 "{\"name\":\"eu\",\"prefixes\":[\"20801\",\"26201\"]},{\"name\":\"rest\",\"prefixes\":["
                 "\"310260\"]}]}");
    json_t *b = cat_json(
        "{\"name\":\"NL\",\"timeZone\":\"Europe/Amsterdam\",\"bands\":["
        "{\"name\":\"peak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"08:00\","
        "\"to\":\"20:00\"},"
        "{\"name\":\"offpeak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"20:00\","
        "\"to\":\"24:00\"},"
        "{\"name\":\"offpeak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"00:00\","
        "\"to\":\"08:00\"},"
        "{\"name\":\"weekend\",\"days\":[\"sat\",\"sun\"],\"from\":\"00:00\",\"to\":\"24:00\"}]}");
    bss_errinfo ei;
    if (bss_zone_table_build(d, &g_dest, &ei) || bss_zone_table_build(r, &g_roam, &ei) ||
        bss_timeband_plan_build(b, &g_plan, &ei))
        fail_msg("fixture: %s (%s)", ei.message, ei.field);
    json_decref(d);
    json_decref(r);
    json_decref(b);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bss_zone_table_free(g_dest);
    bss_zone_table_free(g_roam);
    bss_timeband_plan_free(g_plan);
    return 0;
}

static bss_price *price(const char *text)
{
    json_t *doc = cat_json(text);
    bss_price *p = NULL;
    bss_errinfo ei;
    if (bss_price_build(doc, &refs, &p, &ei) != BSS_OK)
        fail_msg("price: %s (%s)", ei.message, ei.field);
    json_decref(doc);
    return p;
}

#define EUR(v) "{\"unit\":\"EUR\",\"value\":" v "}"
#define PER_MIN(v, usage)                                                                                    \
    "{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"minute\"},\"price\":" EUR(         \
        v) ",\"usage\":" usage "}"

/* Rates quantity on p (no destination, no band) and returns the charge. */
static int64_t charge(const bss_price *p, int64_t quantity)
{
    bss_usage_event ev = {.quantity = quantity, .rating_group = -1};
    bss_usage_charge c;
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    return c.charge_micros;
}

static void test_increments(void **state)
{
    (void)state;
    bss_price *p =
        price(PER_MIN("0.10", "{\"service\":\"voice\",\"increments\":{\"first\":60,\"next\":60}}"));
    assert_int_equal(charge(p, 61), 200000); /* 61 s at 60/60, 0.10/min = 2 increments = 0.20 */
    assert_int_equal(charge(p, 60), 100000); /* 60 s = 1 increment = 0.10 */
    assert_int_equal(charge(p, 1), 100000);  /* 1 s rounds up to a minute = 0.10 */
    assert_int_equal(charge(p, 0), 0);       /* unanswered: nothing */
    bss_price_free(p);

    p = price(PER_MIN("0.12", "{\"service\":\"voice\",\"increments\":{\"first\":60,\"next\":1}}"));
    assert_int_equal(charge(p, 61), 122000); /* per second after the first minute: 61 s * 0.12/60 = 0.122 */
    assert_int_equal(charge(p, 5), 120000);  /* 5 s -> first minute = 0.12 */
    bss_price_free(p);

    p = price(PER_MIN("0.10", "{\"service\":\"voice\",\"increments\":{\"first\":30,\"next\":1}}"));
    assert_int_equal(charge(p, 10), 50000); /* 30/1: 10 s -> 30 s = 0.05 */
    assert_int_equal(charge(p, 31), 51667); /* 31 s * 0.10/60 = 0.0516666.. -> 0.051667 half-up */
    bss_price_free(p);

    /* per-KB rounding of data priced 0.01 per MB */
    p = price("{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"MB\"},\"price\":" EUR(
        "0.01") ",\"usage\":{\"service\":\"data\",\"increments\":{\"first\":1024,\"next\":1024}}}");
    assert_int_equal(charge(p, 1500), 20); /* 1500 B -> 2048 B; 10000 * 2048 / 1048576 = 19.53 -> 20 micros */
    assert_int_equal(charge(p, 1048576), 10000); /* exactly 1 MB = 0.01 */
    assert_int_equal(charge(p, 1048577), 10010); /* 1025 KB: 10000 * 1025 / 1024 = 10009.77 -> 10010 */
    assert_int_equal(bss_rate_round_units(p, 1048577), 1049600);
    bss_price_free(p);

    /* SMS: 0.09 a message, 3 messages = 0.27 */
    p = price("{\"priceType\":\"usage\",\"price\":" EUR("0.09") ",\"usage\":{\"service\":\"sms\"}}");
    assert_int_equal(charge(p, 3), 270000);
    bss_price_free(p);
}

static void test_minimum_and_connect_fee(void **state)
{
    (void)state;
    bss_price *p = price(PER_MIN(
        "0.10", "{\"service\":\"voice\",\"increments\":{\"first\":60,\"next\":60},\"minimumUnits\":120}"));
    assert_int_equal(charge(p, 10), 200000);  /* 10 s -> 60 s, minimum 120 s = 2 min = 0.20 */
    assert_int_equal(charge(p, 61), 200000);  /* 61 s -> 120 s = 0.20 */
    assert_int_equal(charge(p, 181), 400000); /* 181 s -> 240 s = 0.40 */
    assert_int_equal(charge(p, 0), 0);
    bss_price_free(p);

    p = price(PER_MIN(
        "0.10",
        "{\"service\":\"voice\",\"increments\":{\"first\":60,\"next\":60},\"connectFee\":" EUR("0.05") "}"));
    bss_usage_event ev = {.quantity = 61, .rating_group = -1};
    bss_usage_charge c;
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 250000); /* 2 min * 0.10 + 0.05 connect = 0.25 */
    assert_int_equal(c.rated_units, 120);
    assert_int_equal(c.trace.connect_fee_micros, 50000);
    assert_int_equal(c.trace.source, BSS_RATE_SRC_FLAT);
    assert_int_equal(charge(p, 0), 0); /* no connect fee for an unanswered call */
    char buf[256];
    assert_true(bss_rate_trace_format(&c, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "flat"));
    assert_non_null(strstr(buf, "connect=0.05"));
    assert_non_null(strstr(buf, "charge=0.25"));
    ev.quantity = -1;
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_E_INVALID);
    bss_price_free(p);
}

/* "connect fee 0.40, the first 60 s of each call at 0.20 a minute, then 0.10 a minute in 1 s increments" */
static void test_steps(void **state)
{
    (void)state;
    bss_price *p = price("{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"minute\"},"
                         "\"usage\":{\"service\":\"voice\",\"connectFee\":" EUR("0.40") ",\"steps\":["
                         "{\"upTo\":60,\"increment\":60,\"price\":" EUR("0.20") "},"
                         "{\"increment\":1,\"price\":" EUR("0.10") "}]}}");
    assert_int_equal(charge(p, 0), 0);        /* no call, no connect fee */
    assert_int_equal(charge(p, 1), 600000);   /* 0.40 + the first minute 0.20 */
    assert_int_equal(charge(p, 45), 600000);  /* the first step rounds up to its 60 s */
    assert_int_equal(charge(p, 60), 600000);
    assert_int_equal(charge(p, 61), 601667);  /* + 1 s at 0.10/min = 0.0016666.. half-up */
    assert_int_equal(charge(p, 90), 650000);  /* + 30 s = 0.05 */
    assert_int_equal(charge(p, 3600), 6500000); /* 0.40 + 0.20 + 59 min x 0.10 */
    bss_usage_event ev = {.quantity = 90, .rating_group = -1};
    bss_usage_charge c;
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_int_equal(c.trace.source, BSS_RATE_SRC_STEPS);
    assert_int_equal(c.trace.steps, 2);
    assert_int_equal(c.rated_units, 90);
    assert_int_equal(c.trace.connect_fee_micros, 400000);
    ev.quantity = 30;
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_int_equal(c.trace.steps, 1);
    assert_int_equal(c.rated_units, 60);
    bss_price_free(p);
}

static void test_tiers(void **state)
{
    (void)state;
    bss_price *p = price(
        "{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"minute\"},\"usage\":{"
        "\"service\":\"voice\",\"increments\":{\"first\":60,\"next\":60},\"structure\":\"tiered\",\"tiers\":["
        "{\"from\":0,\"to\":100,\"price\":" EUR("0.10") "},{\"from\":100,\"price\":" EUR("0.05") "}]}}");
    /* graduated: 99 min used, 150 s -> 3 min: 1 min at 0.10 + 2 min at 0.05 = 0.20 */
    bss_usage_event ev = {.quantity = 150, .rating_group = -1, .used_units = 99 * 60};
    bss_usage_charge c;
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 200000);
    assert_int_equal(c.trace.first_tier, 0);
    assert_int_equal(c.trace.last_tier, 1);
    assert_int_equal(c.trace.source, BSS_RATE_SRC_TIERS);
    ev.used_units = 0; /* all in tier 1: 3 * 0.10 = 0.30 */
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 300000);
    ev.used_units = 200 * 60; /* all in tier 2: 3 * 0.05 = 0.15 */
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 150000);
    bss_price_free(p);

    p = price(
        "{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"minute\"},\"usage\":{"
        "\"service\":\"voice\",\"increments\":{\"first\":60,\"next\":60},\"structure\":\"volume\",\"tiers\":["
        "{\"from\":0,\"to\":100,\"price\":" EUR("0.10") "},{\"from\":100,\"to\":500,\"price\":" EUR(
            "0.08") "},"
                    "{\"from\":500,\"price\":" EUR("0.05") "}]}}");
    /* volume: 99 min used + 2 min = 101 min total -> tier 2 for all 2 min: 2 * 0.08 = 0.16 */
    ev = (bss_usage_event){.quantity = 120, .rating_group = -1, .used_units = 99 * 60};
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 160000);
    assert_int_equal(c.trace.first_tier, 1);
    ev.used_units = 98 * 60; /* total exactly 100 min: the last minute is the 100th, tier 1: 0.20 */
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 200000);
    ev.used_units = 600 * 60; /* tier 3: 2 * 0.05 = 0.10 */
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 100000);
    bss_price_free(p);
}

#define BANDED                                                                                               \
    PER_MIN("0.20",                                                                                          \
            "{\"service\":\"voice\",\"increments\":{\"first\":60,\"next\":60},\"timeBandPlanId\":\"bands\"," \
            "\"rates\":[{\"band\":\"offpeak\",\"price\":" EUR(                                               \
                "0.05") "},{\"band\":\"weekend\",\"price\":" EUR("0.02") "}]}")

static const char *band_at(const bss_price *p, int64_t at, const bss_tz *tz, int64_t *out_charge)
{
    bss_usage_event ev = {.quantity = 60, .rating_group = -1, .start_ms = at, .tz = tz};
    bss_usage_charge c;
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    *out_charge = c.charge_micros;
    return c.band;
}

static void test_time_bands(void **state)
{
    (void)state;
    bss_price *p = price(BANDED);
    int64_t ch = 0;
    /* Monday 2026-11-23, CET (UTC+1): 08:00 UTC = 09:00 local, peak: 1 min at 0.20 (the price) */
    assert_string_equal(band_at(p, bss_time_from_civil(2026, 11, 23, 8, 0, 0, 0), NULL, &ch), "peak");
    assert_int_equal(ch, 200000);
    /* 07:00 UTC = 08:00 local: peak starts */
    assert_string_equal(band_at(p, bss_time_from_civil(2026, 11, 23, 7, 0, 0, 0), NULL, &ch), "peak");
    /* 06:59 UTC = 07:59 local: off-peak, 0.05 */
    assert_string_equal(band_at(p, bss_time_from_civil(2026, 11, 23, 6, 59, 0, 0), NULL, &ch), "offpeak");
    assert_int_equal(ch, 50000);
    /* Saturday 2026-11-21 12:00 UTC: weekend, 0.02 */
    assert_string_equal(band_at(p, bss_time_from_civil(2026, 11, 21, 12, 0, 0, 0), NULL, &ch), "weekend");
    assert_int_equal(ch, 20000);
    /* DST: Monday 2026-07-06 CEST (UTC+2): 06:30 UTC = 08:30 local, peak (in winter it would be 07:30,
     * off-peak) */
    assert_string_equal(band_at(p, bss_time_from_civil(2026, 7, 6, 6, 30, 0, 0), NULL, &ch), "peak");
    /* around the 2026-03-29 switch: Friday 27th 06:30 UTC = 07:30 CET off-peak; Monday 30th 06:30 UTC = 08:30
     * CEST peak */
    assert_string_equal(band_at(p, bss_time_from_civil(2026, 3, 27, 6, 30, 0, 0), NULL, &ch), "offpeak");
    assert_string_equal(band_at(p, bss_time_from_civil(2026, 3, 30, 6, 30, 0, 0), NULL, &ch), "peak");
    /* the account's time zone: Monday 12:00 UTC = 13:00 Amsterdam (peak) but 07:00 New York (off-peak) */
    const bss_tz *ny = NULL;
    assert_int_equal(bss_tz_get("America/New_York", &ny, NULL), BSS_OK);
    assert_string_equal(band_at(p, bss_time_from_civil(2026, 11, 23, 12, 0, 0, 0), NULL, &ch), "peak");
    assert_string_equal(band_at(p, bss_time_from_civil(2026, 11, 23, 12, 0, 0, 0), ny, &ch), "offpeak");
    assert_int_equal(ch, 50000);
    bss_price_free(p);
}

#define ZONED                                                                                                \
    PER_MIN("1.00",                                                                                          \
            "{\"service\":\"voice\",\"increments\":{\"first\":60,\"next\":60},\"zoneTableId\":\"dest\","     \
            "\"roamingZoneTableId\":\"roam\",\"roaming\":[{\"zone\":\"eu\",\"rule\":\"home\"},"              \
            "{\"zone\":\"rest\",\"price\":" EUR(                                                             \
                "1.99") "}],\"rates\":["                                                                     \
                        "{\"zone\":\"national-fixed\",\"price\":" EUR(                                       \
                            "0.05") "},"                                                                     \
                                    "{\"zone\":\"national-mobile\",\"price\":" EUR(                          \
                                        "0.10") "},"                                                         \
                                                "{\"zone\":\"on-net\",\"price\":" EUR(                       \
                                                    "0") "},"                                                \
                                                         "{\"zone\":\"premium\",\"price\":" EUR(             \
                                                             "1.50") "},"                                    \
                                                                     "{\"zone\":\"eu\",\"price\":" EUR(      \
                                                                         "0.30") "}]}")

static bss_err rate_call(const bss_price *p, const char *number, const char *visited, int64_t seconds,
                         bss_usage_charge *c)
{
    bss_usage_event ev = {.quantity = seconds,
                          .destination = number,
                          .destination_len = number ? strlen(number) : 0,
                          .visited = visited,
                          .visited_len = visited ? strlen(visited) : 0,
                          .rating_group = -1};
    return bss_rate_usage(p, &ev, c);
}

static void test_zones_and_roaming(void **state)
{
    (void)state;
    bss_price *p = price(ZONED);
    bss_usage_charge c;
    static const struct {
        const char *number, *zone;
        int64_t micros; /* 61 s -> 2 min at the zone's rate */
    } calls[] = {
        {"31201234567", "national-fixed", 100000},  /* 2 * 0.05 */
        {"31687654321", "national-mobile", 200000}, /* 2 * 0.10 */
        {"31612340000", "on-net", 0},               /* 3161234 beats 316: 2 * 0.00 */
        {"319001234", "premium", 3000000},          /* 31900 beats 31: 2 * 1.50 */
        {"4915112345678", "eu", 600000},            /* 2 * 0.30 */
        {"12125550100", "world", 2000000},          /* no prefix: defaultZone, the price 1.00: 2.00 */
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        assert_int_equal(rate_call(p, calls[i].number, NULL, 61, &c), BSS_OK);
        assert_string_equal(c.zone, calls[i].zone);
        assert_int_equal(c.charge_micros, calls[i].micros);
        assert_int_equal(c.roaming, BSS_ROAM_NONE);
        assert_null(c.roaming_zone);
    }
    /* roaming in France (20801, "eu"): roam like at home, national mobile 2 * 0.10 = 0.20 */
    assert_int_equal(rate_call(p, "31687654321", "20801", 61, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 200000);
    assert_int_equal(c.roaming, BSS_ROAM_HOME);
    assert_string_equal(c.roaming_zone, "eu");
    assert_int_equal(c.trace.source, BSS_RATE_SRC_RATE);
    /* roaming in the US (310260, "rest"): 1.99/min, 2 min = 3.98, whatever the destination */
    assert_int_equal(rate_call(p, "31687654321", "310260", 61, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 3980000);
    assert_int_equal(c.roaming, BSS_ROAM_PRICE);
    assert_int_equal(c.trace.source, BSS_RATE_SRC_ROAMING);
    /* a visited network in no roaming zone is not rateable */
    assert_int_equal(rate_call(p, "31687654321", "99999", 61, &c), BSS_E_NOT_FOUND);
    bss_price_free(p);

    /* without a defaultZone, a number in no zone is not rateable */
    p = price(PER_MIN(
        "1.00", "{\"service\":\"voice\",\"zoneTableId\":\"dest\",\"rates\":[{\"zone\":\"*\",\"price\":" EUR(
                    "0.5") "}]}"));
    assert_int_equal(rate_call(p, "31687654321", NULL, 60, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 500000); /* "*": 1 min at 0.50 */
    bss_price_free(p);
}

#define DATA_RG                                                                                              \
    "{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"MB\"},\"price\":" EUR(             \
        "0.01") ",\"usage\":{\"service\":\"data\",\"increments\":{\"first\":1024,\"next\":1024},"            \
                "\"roamingZoneTableId\":\"roam\","                                                           \
                "\"roaming\":[{\"zone\":\"eu\",\"rule\":\"home\"},{\"zone\":\"*\",\"price\":" EUR(           \
                    "0.50") "}],"                                                                            \
                            "\"ratingGroups\":[{\"ratingGroup\":10,\"price\":" EUR(                          \
                                "0.002") "},{\"ratingGroup\":20,\"zeroRated\":true}]}}"

static void test_rating_groups(void **state)
{
    (void)state;
    bss_price *p = price(DATA_RG);
    bss_usage_charge c;
    bss_usage_event ev = {.quantity = 1048576, .rating_group = 10};
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 2000); /* 1 MB in rating group 10 at 0.002 */
    assert_int_equal(c.trace.source, BSS_RATE_SRC_RATING_GROUP);
    ev.rating_group = 20; /* zero-rated */
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 0);
    assert_true(c.zero_rated);
    assert_int_equal(c.rated_units, 1048576);
    ev.rating_group = 30; /* not listed: the price, 0.01 */
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_int_equal(c.charge_micros, 10000);
    ev.rating_group = 20; /* in the EU, at home: still zero-rated */
    ev.visited = "26201";
    ev.visited_len = 5;
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_true(c.zero_rated);
    ev.visited = "310260"; /* rest of the world: the roaming price wins, 1 MB at 0.50 */
    ev.visited_len = 6;
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_OK);
    assert_false(c.zero_rated);
    assert_int_equal(c.charge_micros, 500000);
    bss_price_free(p);
}

#define MONTHLY(policy)                                                                                      \
    "{\"priceType\":\"recurring\",\"price\":" EUR("30") ",\"recurringChargePeriodType\":\"month\","          \
                                                        "\"prorationPolicy\":\"" policy "\"}"

static int64_t prorate(const bss_price *p, int y, int m, int d_from, int y2, int m2, int64_t active_from,
                       int64_t active_to, int *days)
{
    int64_t out = -1;
    (void)d_from;
    assert_int_equal(bss_rate_recurring(p, bss_time_from_civil(y, m, 1, 0, 0, 0, 0),
                                        bss_time_from_civil(y2, m2, 1, 0, 0, 0, 0), active_from, active_to,
                                        &out, days),
                     BSS_OK);
    return out;
}

static void test_recurring(void **state)
{
    (void)state;
    bss_price *p = price(MONTHLY("daily"));
    int days = 0;
    /* June 2026 (30 days), joining the 10th at 14:00: days 10..30 = 21, 30.00 * 21/30 = 21.00 */
    assert_int_equal(
        prorate(p, 2026, 6, 1, 2026, 7, bss_time_from_civil(2026, 6, 10, 14, 0, 0, 0), INT64_MAX, &days),
        21000000);
    assert_int_equal(days, 21);
    /* January (31 days), joining on the 31st: 30.00 / 31 = 0.9677419.. -> 0.967742 */
    assert_int_equal(
        prorate(p, 2026, 1, 1, 2026, 2, bss_time_from_civil(2026, 1, 31, 0, 0, 0, 0), INT64_MAX, &days),
        967742);
    /* leap February 2028 (29 days), joining the 20th: 10 days, 300/29 = 10.3448275.. -> 10.344828 */
    assert_int_equal(
        prorate(p, 2028, 2, 1, 2028, 3, bss_time_from_civil(2028, 2, 20, 0, 0, 0, 0), INT64_MAX, &days),
        10344828);
    assert_int_equal(days, 10);
    /* February 2027 (28 days), joining the 20th: 9 days, 270/28 = 9.6428571.. -> 9.642857 */
    assert_int_equal(
        prorate(p, 2027, 2, 1, 2027, 3, bss_time_from_civil(2027, 2, 20, 0, 0, 0, 0), INT64_MAX, &days),
        9642857);
    /* leaving at 2026-06-15T00:00 (exclusive): days 1..14, 30 * 14/30 = 14.00 */
    assert_int_equal(prorate(p, 2026, 6, 1, 2026, 7, 0, bss_time_from_civil(2026, 6, 15, 0, 0, 0, 0), &days),
                     14000000);
    /* the whole month = 30.00; no overlap = 0 */
    assert_int_equal(prorate(p, 2026, 6, 1, 2026, 7, 0, INT64_MAX, &days), 30000000);
    assert_int_equal(
        prorate(p, 2026, 6, 1, 2026, 7, bss_time_from_civil(2026, 7, 2, 0, 0, 0, 0), INT64_MAX, &days), 0);
    assert_int_equal(days, 0);
    bss_price_free(p);
    /* no proration: joining on June 30th pays the whole 30.00 */
    p = price(MONTHLY("none"));
    assert_int_equal(
        prorate(p, 2026, 6, 1, 2026, 7, bss_time_from_civil(2026, 6, 30, 0, 0, 0, 0), INT64_MAX, &days),
        30000000);
    int64_t s, e, out;
    /* periods anchored on January 31st: Feb 15 is in [Jan 31, Feb 28), Mar 5 in [Feb 28, Mar 31) */
    int64_t anchor = bss_time_from_civil(2026, 1, 31, 0, 0, 0, 0);
    assert_int_equal(
        bss_rate_recurring_period(p, anchor, bss_time_from_civil(2026, 2, 15, 0, 0, 0, 0), &s, &e), BSS_OK);
    assert_int_equal(s, anchor);
    assert_int_equal(e, bss_time_from_civil(2026, 2, 28, 0, 0, 0, 0));
    assert_int_equal(
        bss_rate_recurring_period(p, anchor, bss_time_from_civil(2026, 3, 5, 0, 0, 0, 0), &s, &e), BSS_OK);
    assert_int_equal(s, bss_time_from_civil(2026, 2, 28, 0, 0, 0, 0));
    assert_int_equal(e, bss_time_from_civil(2026, 3, 31, 0, 0, 0, 0));
    assert_int_equal(bss_rate_recurring_period(p, anchor, anchor - 1, &s, &e), BSS_E_RANGE);
    assert_int_equal(bss_rate_one_time(p, &out), BSS_E_INVALID);
    bss_price_free(p);
    /* weekly from Monday 2026-11-23: Dec 2 is in [Nov 30, Dec 7) */
    p = price("{\"priceType\":\"recurring\",\"price\":" EUR("5") ",\"recurringChargePeriodType\":\"week\"}");
    assert_int_equal(bss_rate_recurring_period(p, bss_time_from_civil(2026, 11, 23, 0, 0, 0, 0),
                                               bss_time_from_civil(2026, 12, 2, 10, 0, 0, 0), &s, &e),
                     BSS_OK);
    assert_int_equal(s, bss_time_from_civil(2026, 11, 30, 0, 0, 0, 0));
    assert_int_equal(e, bss_time_from_civil(2026, 12, 7, 0, 0, 0, 0));
    bss_price_free(p);
    /* yearly from 2028-02-29: 2029-03-01 is in [2029-02-28, 2030-02-28) */
    p = price(
        "{\"priceType\":\"recurring\",\"price\":" EUR("100") ",\"recurringChargePeriodType\":\"year\"}");
    assert_int_equal(bss_rate_recurring_period(p, bss_time_from_civil(2028, 2, 29, 0, 0, 0, 0),
                                               bss_time_from_civil(2029, 3, 1, 0, 0, 0, 0), &s, &e),
                     BSS_OK);
    assert_int_equal(s, bss_time_from_civil(2029, 2, 28, 0, 0, 0, 0));
    assert_int_equal(e, bss_time_from_civil(2030, 2, 28, 0, 0, 0, 0));
    bss_price_free(p);
    p = price("{\"priceType\":\"oneTime\",\"price\":" EUR("25") "}");
    assert_int_equal(bss_rate_one_time(p, &out), BSS_OK);
    assert_int_equal(out, 25000000);
    bss_price_free(p);
}

static void test_discounts(void **state)
{
    (void)state;
    bss_price *p =
        price("{\"priceType\":\"discount\",\"percentage\":50,\"applicationDuration\":{\"cycles\":3}}");
    int64_t off = -1;
    /* 50% off 20.00 for the first 3 months: 10.00, 10.00, 10.00, then 0 */
    for (int n = 1; n <= 3; n++) {
        assert_int_equal(bss_rate_discount(p, 20000000, BSS_CHARGE_RECURRING, n, &off), BSS_OK);
        assert_int_equal(off, 10000000);
    }
    assert_int_equal(bss_rate_discount(p, 20000000, BSS_CHARGE_RECURRING, 4, &off), BSS_OK);
    assert_int_equal(off, 0);
    /* appliesTo defaults to recurring only */
    assert_int_equal(bss_rate_discount(p, 20000000, BSS_CHARGE_USAGE, 1, &off), BSS_OK);
    assert_int_equal(off, 0);
    assert_int_equal(bss_rate_discount(p, 20000000, BSS_CHARGE_RECURRING, 0, &off), BSS_E_INVALID);
    assert_int_equal(bss_rate_discount(p, -5, BSS_CHARGE_RECURRING, 1, &off), BSS_OK);
    assert_int_equal(off, 0);
    bss_price_free(p);

    /* 12.5% of 9.99 = 1.24875 exactly; 33.33% of 10.00 = 3.333; of 0.000001 = 0.00000033 -> 0 */
    p = price("{\"priceType\":\"discount\",\"percentage\":\"12.5\",\"appliesTo\":[\"usage\",\"oneTime\"]}");
    assert_int_equal(bss_rate_discount(p, 9990000, BSS_CHARGE_USAGE, 99, &off), BSS_OK);
    assert_int_equal(off, 1248750);
    assert_int_equal(bss_rate_discount(p, 9990000, BSS_CHARGE_RECURRING, 1, &off), BSS_OK);
    assert_int_equal(off, 0);
    bss_price_free(p);
    p = price("{\"priceType\":\"discount\",\"percentage\":33.33}");
    assert_int_equal(bss_rate_discount(p, 10000000, BSS_CHARGE_RECURRING, 1, &off), BSS_OK);
    assert_int_equal(off, 3333000);
    assert_int_equal(bss_rate_discount(p, 1, BSS_CHARGE_RECURRING, 1, &off), BSS_OK);
    assert_int_equal(off, 0);
    bss_price_free(p);
    /* 5.00 off, never more than the base: 3.00 base -> 3.00 off */
    p = price("{\"priceType\":\"discount\",\"price\":" EUR("5") ",\"applicationDuration\":{\"cycles\":1}}");
    assert_int_equal(bss_rate_discount(p, 3000000, BSS_CHARGE_RECURRING, 1, &off), BSS_OK);
    assert_int_equal(off, 3000000);
    assert_int_equal(bss_rate_discount(p, 30000000, BSS_CHARGE_RECURRING, 1, &off), BSS_OK);
    assert_int_equal(off, 5000000);
    assert_int_equal(bss_rate_discount(p, 30000000, BSS_CHARGE_RECURRING, 2, &off), BSS_OK);
    assert_int_equal(off, 0);
    bss_bucket_template b;
    assert_int_equal(bss_rate_allowance(p, &b), BSS_E_INVALID);
    bss_usage_charge c;
    bss_usage_event ev = {.quantity = 1};
    assert_int_equal(bss_rate_usage(p, &ev, &c), BSS_E_INVALID);
    bss_price_free(p);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_increments),
        cmocka_unit_test(test_minimum_and_connect_fee),
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_tiers),
        cmocka_unit_test(test_time_bands),
        cmocka_unit_test(test_zones_and_roaming),
        cmocka_unit_test(test_rating_groups),
        cmocka_unit_test(test_recurring),
        cmocka_unit_test(test_discounts),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    assert_int_equal(bss_mem_used(), 0);
    return rc;
}
