/*
 * test_price.c: parsing and validation of productOfferingPrice documents
 * (catalog.h: the pricing model): each kind's good shape and accessors, and every bad
 * input the parser refuses, with its exact error code and field path (the
 * API turns them into 400/422 pointing at the member). Zone tables and
 * time-band plans come from cA's real builders, passed through refs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"

static bss_zone_table *g_dest, *g_roam;
static bss_timeband_plan *g_plan;

static const bss_zone_table *zt_cb(void *ctx, const char *id)
{
    (void)ctx;
    if (strcmp(id, "nl-dest") == 0)
        return g_dest;
    if (strcmp(id, "roam") == 0)
        return g_roam;
    return NULL;
}

static const bss_timeband_plan *tb_cb(void *ctx, const char *id)
{
    (void)ctx;
    return strcmp(id, "nl-bands") == 0 ? g_plan : NULL;
}

static const bss_price_refs refs = {NULL, zt_cb, tb_cb};

static json_t *parse(const char *text)
{
    json_t *v = NULL;
    assert_int_equal(bss_json_parse(text, strlen(text), &v, NULL), BSS_OK);
    return v;
}

static int setup(void **state)
{
    (void)state;
    json_t *d = parse("{\"name\":\"NL\",\"kind\":\"destination\",\"zones\":["
                      "{\"name\":\"national-mobile\",\"prefixes\":[\"316\"]},"
                      "{\"name\":\"national-fixed\",\"prefixes\":[\"31\"]},"
                      "{\"name\":\"premium\",\"prefixes\":[\"31900\"]}]}");
    json_t *r =
        parse("{\"name\":\"roam\",\"kind\":\"roaming\",\"zones\":["
              "{\"name\":\"eu\",\"prefixes\":[\"20801\"]},{\"name\":\"rest\",\"prefixes\":[\"310260\"]}]}");
    json_t *b =
        parse("{\"name\":\"NL\",\"timeZone\":\"Europe/Amsterdam\",\"bands\":["
              "{\"name\":\"peak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"08:00\","
              "\"to\":\"20:00\"},"
              "{\"name\":\"offpeak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"20:00\","
              "\"to\":\"24:00\"},"
              "{\"name\":\"offpeak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"00:00\","
              "\"to\":\"08:00\"},"
              "{\"name\":\"weekend\",\"days\":[\"sat\",\"sun\"],\"from\":\"00:00\",\"to\":\"24:00\"}]}");
    assert_int_equal(bss_zone_table_build(d, &g_dest, NULL), BSS_OK);
    assert_int_equal(bss_zone_table_build(r, &g_roam, NULL), BSS_OK);
    assert_int_equal(bss_timeband_plan_build(b, &g_plan, NULL), BSS_OK);
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

static bss_price *good(const char *text, const bss_price_refs *r)
{
    json_t *doc = parse(text);
    bss_price *p = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_price_build(doc, r, &p, &ei);
    if (rc != BSS_OK)
        fail_msg("unexpected %s: %s (field %s)", bss_errname(rc), ei.message, ei.field);
    json_decref(doc);
    return p;
}

static void bad(const char *text, const bss_price_refs *r, bss_err code, const char *field)
{
    json_t *doc = parse(text);
    bss_price *p = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_price_build(doc, r, &p, &ei);
    if (rc != code || strcmp(ei.field, field) != 0)
        fail_msg("%s: want %s at '%s', got %s at '%s' (%s)", text, bss_errname(code), field, bss_errname(rc),
                 ei.field, ei.message);
    assert_null(p);
    assert_true(strlen(ei.message) > 0);
    json_decref(doc);
}

static void test_one_time(void **state)
{
    (void)state;
    bss_price *p = good("{\"id\":\"pop-sim\",\"name\":\"SIM\",\"priceType\":\"oneTime\","
                        "\"price\":{\"unit\":\"EUR\",\"value\":\"4.99\"},\"taxCategory\":\"reduced\"}",
                        NULL);
    assert_int_equal(bss_price_kind(p), BSS_PRICE_ONE_TIME);
    assert_string_equal(bss_price_id(p), "pop-sim");
    assert_string_equal(bss_price_name(p), "SIM");
    assert_string_equal(bss_price_currency(p), "EUR");
    assert_string_equal(bss_price_tax_category(p), "reduced");
    assert_int_equal(bss_price_amount_micros(p), 4990000);
    assert_int_equal(bss_price_service(p), BSS_SERVICE_NONE);
    bss_price_free(p);
    p = good("{\"priceType\":\"oneTime\",\"price\":{\"unit\":\"JPY\",\"value\":500}}", NULL);
    assert_string_equal(bss_price_id(p), "");
    assert_string_equal(bss_price_tax_category(p), "standard");
    bss_price_free(p);
    bss_price_free(NULL);
}

static void test_money_errors(void **state)
{
    (void)state;
    bad("[]", NULL, BSS_E_INVALID, "");
    bad("{}", NULL, BSS_E_INVALID, "priceType");
    bad("{\"priceType\":\"gift\"}", NULL, BSS_E_INVALID, "priceType");
    bad("{\"priceType\":\"oneTime\"}", NULL, BSS_E_INVALID, "price");
    bad("{\"priceType\":\"oneTime\",\"price\":5}", NULL, BSS_E_INVALID, "price");
    bad("{\"priceType\":\"oneTime\",\"price\":{\"unit\":\"EUR\",\"value\":1.1234567}}", NULL, BSS_E_INVALID,
        "price.value");
    bad("{\"priceType\":\"oneTime\",\"price\":{\"unit\":\"EUR\",\"value\":\"1.1234567\"}}", NULL,
        BSS_E_INVALID, "price.value");
    bad("{\"priceType\":\"oneTime\",\"price\":{\"unit\":\"EUR\",\"value\":-1}}", NULL, BSS_E_UNPROCESSABLE,
        "price.value");
    bad("{\"priceType\":\"oneTime\",\"price\":{\"unit\":\"EUR\"}}", NULL, BSS_E_INVALID, "price.value");
    bad("{\"priceType\":\"oneTime\",\"price\":{\"unit\":\"XYZ\",\"value\":1}}", NULL, BSS_E_INVALID,
        "price.unit");
    bad("{\"priceType\":\"oneTime\",\"price\":{\"value\":1}}", NULL, BSS_E_INVALID, "price.unit");
    bad("{\"priceType\":\"oneTime\",\"price\":{\"unit\":\"EUR\",\"value\":\"1e3\"}}", NULL, BSS_E_INVALID,
        "price.value");
    bad("{\"priceType\":\"oneTime\",\"price\":{\"unit\":\"EUR\",\"value\":\"9999999999999\"}}", NULL,
        BSS_E_RANGE, "price.value");
    bad("{\"priceType\":\"oneTime\",\"name\":5,\"price\":{\"unit\":\"EUR\",\"value\":1}}", NULL,
        BSS_E_INVALID, "name");
}

static void test_recurring(void **state)
{
    (void)state;
    bss_price *p = good("{\"priceType\":\"recurring\",\"price\":{\"unit\":\"EUR\",\"value\":20},"
                        "\"recurringChargePeriodType\":\"month\"}",
                        NULL);
    assert_int_equal(bss_price_kind(p), BSS_PRICE_RECURRING);
    bss_price_free(p);
    bad("{\"priceType\":\"recurring\",\"price\":{\"unit\":\"EUR\",\"value\":20}}", NULL, BSS_E_INVALID,
        "recurringChargePeriodType");
    bad("{\"priceType\":\"recurring\",\"price\":{\"unit\":\"EUR\",\"value\":20},"
        "\"recurringChargePeriodType\":\"fortnight\"}",
        NULL, BSS_E_INVALID, "recurringChargePeriodType");
    bad("{\"priceType\":\"recurring\",\"price\":{\"unit\":\"EUR\",\"value\":20},"
        "\"recurringChargePeriodType\":\"month\","
        "\"recurringChargePeriodLength\":0}",
        NULL, BSS_E_UNPROCESSABLE, "recurringChargePeriodLength");
    bad("{\"priceType\":\"recurring\",\"price\":{\"unit\":\"EUR\",\"value\":20},"
        "\"recurringChargePeriodType\":\"month\","
        "\"prorationPolicy\":\"hourly\"}",
        NULL, BSS_E_INVALID, "prorationPolicy");
}

#define USAGE_VOICE "{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"minute\"},"

static void test_usage_shape(void **state)
{
    (void)state;
    bss_price *p =
        good(USAGE_VOICE
             "\"price\":{\"unit\":\"EUR\",\"value\":0.1},\"usage\":{\"service\":\"voice\","
             "\"increments\":{\"first\":60,\"next\":1},\"connectFee\":{\"unit\":\"EUR\",\"value\":0.05}}}",
             NULL);
    assert_int_equal(bss_price_service(p), BSS_SERVICE_VOICE);
    assert_int_equal(bss_rate_round_units(p, 61), 61);
    assert_int_equal(bss_rate_round_units(p, 5), 60);
    bss_price_free(p);
    /* the service inferred from the unit */
    p = good("{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"MB\"},"
             "\"price\":{\"unit\":\"EUR\",\"value\":0.01},\"usage\":{}}",
             NULL);
    assert_int_equal(bss_price_service(p), BSS_SERVICE_DATA);
    bss_price_free(p);
    bad("{\"priceType\":\"usage\",\"price\":{\"unit\":\"EUR\",\"value\":1}}", NULL, BSS_E_INVALID, "usage");
    bad("{\"priceType\":\"usage\",\"price\":{\"unit\":\"EUR\",\"value\":1},\"usage\":{}}", NULL,
        BSS_E_INVALID, "usage.service");
    bad("{\"priceType\":\"usage\",\"price\":{\"unit\":\"EUR\",\"value\":1},\"usage\":{\"service\":\"fax\"}}",
        NULL, BSS_E_INVALID, "usage.service");
    bad(USAGE_VOICE "\"usage\":{\"service\":\"voice\"}}", NULL, BSS_E_INVALID, "price");
    bad("{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"MB\"},\"price\":{\"unit\":"
        "\"EUR\",\"value\":1},"
        "\"usage\":{\"service\":\"voice\"}}",
        NULL, BSS_E_UNPROCESSABLE, "unitOfMeasure.units");
    bad("{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"furlong\"},\"price\":{\"unit\":"
        "\"EUR\",\"value\":1},"
        "\"usage\":{\"service\":\"voice\"}}",
        NULL, BSS_E_INVALID, "unitOfMeasure.units");
    bad("{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":0,\"units\":\"minute\"},\"price\":{\"unit\":"
        "\"EUR\",\"value\":1},"
        "\"usage\":{\"service\":\"voice\"}}",
        NULL, BSS_E_UNPROCESSABLE, "unitOfMeasure.amount");
    bad("{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":0.5,\"units\":\"second\"},\"price\":{"
        "\"unit\":\"EUR\",\"value\":1},"
        "\"usage\":{\"service\":\"voice\"}}",
        NULL, BSS_E_INVALID, "unitOfMeasure.amount");
    bad(USAGE_VOICE "\"price\":{\"unit\":\"EUR\",\"value\":1},\"usage\":{\"service\":\"voice\","
                    "\"increments\":{\"first\":60}}}",
        NULL, BSS_E_INVALID, "usage.increments.next");
    bad(USAGE_VOICE "\"price\":{\"unit\":\"EUR\",\"value\":1},\"usage\":{\"service\":\"voice\","
                    "\"increments\":{\"first\":0,\"next\":1}}}",
        NULL, BSS_E_UNPROCESSABLE, "usage.increments.first");
    bad(USAGE_VOICE "\"price\":{\"unit\":\"EUR\",\"value\":1},\"usage\":{\"service\":\"voice\","
                    "\"connectFee\":{\"unit\":\"USD\",\"value\":1}}}",
        NULL, BSS_E_UNPROCESSABLE, "usage.connectFee.unit");
    bad(USAGE_VOICE
        "\"price\":{\"unit\":\"EUR\",\"value\":1},\"usage\":{\"service\":\"voice\",\"minimumUnits\":-1}}",
        NULL, BSS_E_UNPROCESSABLE, "usage.minimumUnits");
}

#define TIERED USAGE_VOICE "\"usage\":{\"service\":\"voice\",\"structure\":\"tiered\",\"tiers\":"
#define EUR(v) "{\"unit\":\"EUR\",\"value\":" v "}"

/* usage.steps: each rule with its member */
static void test_steps(void **state)
{
    (void)state;
#define STEPS(body) "{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"minute\"},\"usage\":{\"service\":\"voice\"," body "}}"
#define P(v) "\"price\":{\"unit\":\"EUR\",\"value\":" v "}"
    bad(STEPS("\"steps\":[]"), NULL, BSS_E_INVALID, "usage.steps");
    bad(STEPS("\"steps\":{}"), NULL, BSS_E_INVALID, "usage.steps");
    bad(STEPS("\"steps\":[{\"upTo\":60," P("0.2") "}]"), NULL, BSS_E_UNPROCESSABLE, "usage.steps[0].upTo");
    bad(STEPS("\"steps\":[{" P("0.2") "},{" P("0.1") "}]"), NULL, BSS_E_UNPROCESSABLE, "usage.steps[0].upTo");
    bad(STEPS("\"steps\":[{\"upTo\":60," P("0.2") "},{\"upTo\":30," P("0.1") "},{" P("0.1") "}]"), NULL,
        BSS_E_UNPROCESSABLE, "usage.steps[1].upTo");
    bad(STEPS("\"steps\":[{\"upTo\":60}, {" P("0.1") "}]"), NULL, BSS_E_INVALID, "usage.steps[0].price");
    bad(STEPS("\"steps\":[{\"increment\":0," P("0.1") "}]"), NULL, BSS_E_UNPROCESSABLE, "usage.steps[0].increment");
    bad(STEPS("\"increments\":{\"first\":60,\"next\":1},\"steps\":[{" P("0.1") "}]"), NULL, BSS_E_UNPROCESSABLE,
        "usage.increments");
    bad(STEPS("\"minimumUnits\":60,\"steps\":[{" P("0.1") "}]"), NULL, BSS_E_UNPROCESSABLE, "usage.minimumUnits");
    json_t *doc = parse(STEPS("\"steps\":[{\"upTo\":60,\"increment\":60," P("0.2") "},{" P("0.1") "}]"));
    bss_price *p = NULL;
    bss_errinfo ei;
    assert_int_equal(bss_price_build(doc, NULL, &p, &ei), BSS_OK); /* no top-level price needed */
    bss_price_free(p);
    json_decref(doc);
#undef STEPS
#undef P
}

static void test_tiers(void **state)
{
    (void)state;
    bss_price *p =
        good(TIERED
             "[{\"from\":0,\"to\":100,\"price\":" EUR("0.1") "},{\"from\":100,\"price\":" EUR("0.05") "}]}}",
             NULL);
    bss_price_free(p);
    /* overlapping */
    bad(TIERED "[{\"from\":0,\"to\":100,\"price\":" EUR("0.1") "},{\"from\":90,\"price\":" EUR("0.05") "}]}}",
        NULL, BSS_E_UNPROCESSABLE, "usage.tiers[1].from");
    /* non-contiguous */
    bad(TIERED
        "[{\"from\":0,\"to\":100,\"price\":" EUR("0.1") "},{\"from\":120,\"price\":" EUR("0.05") "}]}}",
        NULL, BSS_E_UNPROCESSABLE, "usage.tiers[1].from");
    bad(TIERED "[{\"from\":10,\"price\":" EUR("0.1") "}]}}", NULL, BSS_E_UNPROCESSABLE,
        "usage.tiers[0].from");
    bad(TIERED "[{\"from\":0,\"price\":" EUR("0.1") "},{\"from\":100,\"price\":" EUR("0.05") "}]}}", NULL,
        BSS_E_UNPROCESSABLE, "usage.tiers[0].to");
    bad(TIERED "[{\"from\":0,\"to\":100,\"price\":" EUR("0.1") "}]}}", NULL, BSS_E_UNPROCESSABLE,
        "usage.tiers[0].to");
    bad(TIERED "[{\"from\":0,\"to\":0,\"price\":" EUR("0.1") "},{\"from\":0,\"price\":" EUR("0.05") "}]}}",
        NULL, BSS_E_UNPROCESSABLE, "usage.tiers[0].to");
    bad(TIERED "[{\"from\":0,\"to\":100},{\"from\":100,\"price\":" EUR("0.05") "}]}}", NULL, BSS_E_INVALID,
        "usage.tiers[0].price");
    bad(TIERED "[]}}", NULL, BSS_E_INVALID, "usage.tiers");
    bad(TIERED "[{\"from\":0,\"to\":9000000000000000000,\"price\":" EUR(
            "0.1") "},{\"from\":9000000000000000000,\"price\":" EUR("0.05") "}]}}",
        NULL, BSS_E_UNPROCESSABLE, "usage.tiers[0].to");
    bad(USAGE_VOICE "\"price\":" EUR(
            "1") ",\"usage\":{\"service\":\"voice\",\"tiers\":[{\"from\":0,\"price\":" EUR("1") "}]}}",
        NULL, BSS_E_UNPROCESSABLE, "usage.tiers");
    bad(USAGE_VOICE "\"price\":" EUR("1") ",\"usage\":{\"service\":\"voice\",\"structure\":\"stepped\"}}",
        NULL, BSS_E_INVALID, "usage.structure");
}

#define RATED                                                                                                \
    USAGE_VOICE "\"usage\":{\"service\":\"voice\",\"zoneTableId\":\"nl-dest\",\"timeBandPlanId\":\"nl-"      \
                "bands\",\"rates\":"

static void test_rates(void **state)
{
    (void)state;
    const char *full = RATED "[{\"zone\":\"*\",\"band\":\"*\",\"price\":" EUR(
        "0.1") "},"
               "{\"zone\":\"premium\",\"band\":\"*\",\"price\":" EUR("1.5") "}]}}";
    bss_price *p = good(full, &refs);
    bss_price_free(p);
    /* without refs the names are not checked and the price cannot rate */
    p = good(full, NULL);
    bss_usage_event ev = {.quantity = 60, .rating_group = -1};
    bss_usage_charge ch;
    assert_int_equal(bss_rate_usage(p, &ev, &ch), BSS_E_UNSUPPORTED);
    bss_price_free(p);
    /* a pair no rate covers, no default price */
    bad(RATED "[{\"zone\":\"*\",\"band\":\"peak\",\"price\":" EUR(
            "0.1") "},{\"zone\":\"*\",\"band\":\"offpeak\",\"price\":" EUR("0.05") "}]}}",
        &refs, BSS_E_UNPROCESSABLE, "usage.rates");
    /* ... with a default price it is covered */
    p = good(USAGE_VOICE
             "\"price\":" EUR("0.2") ",\"usage\":{\"service\":\"voice\",\"zoneTableId\":\"nl-dest\","
                                     "\"timeBandPlanId\":\"nl-bands\",\"rates\":[{\"zone\":\"*\",\"band\":"
                                     "\"peak\",\"price\":" EUR("0.1") "}]}}",
             &refs);
    bss_price_free(p);
    bad(RATED "[{\"zone\":\"mars\",\"band\":\"*\",\"price\":" EUR("0.1") "}]}}", &refs, BSS_E_UNPROCESSABLE,
        "usage.rates[0].zone");
    bad(RATED "[{\"zone\":\"*\",\"band\":\"*\",\"price\":" EUR(
            "0.1") "},{\"zone\":\"*\",\"band\":\"night\",\"price\":" EUR("0.1") "}]}}",
        &refs, BSS_E_UNPROCESSABLE, "usage.rates[1].band");
    bad(RATED "[{\"zone\":\"*\",\"band\":\"*\",\"price\":" EUR("0.1") "},{\"band\":\"*\",\"price\":" EUR(
            "0.2") "}]}}",
        &refs, BSS_E_UNPROCESSABLE, "usage.rates[1].zone");
    bad(RATED "[{\"zone\":\"*\",\"band\":\"*\"}]}}", &refs, BSS_E_INVALID, "usage.rates[0].price");
    bad(USAGE_VOICE
        "\"usage\":{\"service\":\"voice\",\"zoneTableId\":\"nope\",\"rates\":[{\"zone\":\"*\",\"price\":" EUR(
            "1") "}]}}",
        &refs, BSS_E_UNPROCESSABLE, "usage.zoneTableId");
    bad(USAGE_VOICE
        "\"usage\":{\"service\":\"voice\",\"zoneTableId\":\"roam\",\"rates\":[{\"zone\":\"*\",\"price\":" EUR(
            "1") "}]}}",
        &refs, BSS_E_UNPROCESSABLE, "usage.zoneTableId");
    bad(USAGE_VOICE "\"usage\":{\"service\":\"voice\",\"timeBandPlanId\":\"nope\",\"rates\":[{\"zone\":\"*\","
                    "\"price\":" EUR("1") "}]}}",
        &refs, BSS_E_UNPROCESSABLE, "usage.timeBandPlanId");
    bad(USAGE_VOICE
        "\"usage\":{\"service\":\"voice\",\"rates\":[{\"zone\":\"premium\",\"price\":" EUR("1") "}]}}",
        NULL, BSS_E_UNPROCESSABLE, "usage.rates[0].zone");
    bad(USAGE_VOICE
        "\"usage\":{\"service\":\"voice\",\"structure\":\"volume\",\"tiers\":[{\"from\":0,\"price\":" EUR(
            "1") "}],\"rates\":[{\"zone\":\"*\",\"price\":" EUR("1") "}]}}",
        NULL, BSS_E_UNPROCESSABLE, "usage.rates");
}

#define ROAMING                                                                                              \
    USAGE_VOICE "\"price\":" EUR(                                                                            \
        "0.1") ",\"usage\":{\"service\":\"voice\",\"roamingZoneTableId\":\"roam\",\"roaming\":"

static void test_roaming_and_groups(void **state)
{
    (void)state;
    bss_price *p =
        good(ROAMING "[{\"zone\":\"eu\",\"rule\":\"home\"},{\"zone\":\"rest\",\"price\":" EUR("1.99") "}]}}",
             &refs);
    bss_price_free(p);
    bad(ROAMING "[{\"zone\":\"eu\",\"rule\":\"home\"}]}}", &refs, BSS_E_UNPROCESSABLE, "usage.roaming");
    bad(ROAMING
        "[{\"zone\":\"eu\",\"rule\":\"home\",\"price\":" EUR("1") "},{\"zone\":\"*\",\"rule\":\"home\"}]}}",
        &refs, BSS_E_UNPROCESSABLE, "usage.roaming[0].price");
    bad(ROAMING "[{\"zone\":\"eu\"}]}}", &refs, BSS_E_INVALID, "usage.roaming[0].price");
    bad(ROAMING "[{\"zone\":\"eu\",\"rule\":\"away\"}]}}", &refs, BSS_E_INVALID, "usage.roaming[0].rule");
    bad(ROAMING "[{\"zone\":\"atlantis\",\"rule\":\"home\"}]}}", &refs, BSS_E_UNPROCESSABLE,
        "usage.roaming[0].zone");
    bad(ROAMING "[{\"zone\":\"*\",\"rule\":\"home\"},{\"zone\":\"*\",\"rule\":\"home\"}]}}", &refs,
        BSS_E_UNPROCESSABLE, "usage.roaming[1].zone");
    bad(USAGE_VOICE "\"price\":" EUR(
            "0.1") ",\"usage\":{\"service\":\"voice\",\"roaming\":[{\"zone\":\"*\",\"rule\":\"home\"}]}}",
        &refs, BSS_E_UNPROCESSABLE, "usage.roamingZoneTableId");
    /* rating groups */
#define DATA                                                                                                 \
    "{\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"MB\"},\"price\":" EUR(             \
        "0.01") ",\"usage\":{\"service\":\"data\",\"ratingGroups\":"
    p = good(DATA
             "[{\"ratingGroup\":10,\"price\":" EUR("0.002") "},{\"ratingGroup\":20,\"zeroRated\":true}]}}",
             NULL);
    bss_price_free(p);
    bad(DATA "[{\"ratingGroup\":10,\"price\":" EUR("0.002") "},{\"ratingGroup\":10,\"zeroRated\":true}]}}",
        NULL, BSS_E_UNPROCESSABLE, "usage.ratingGroups[1].ratingGroup");
    bad(DATA "[{\"ratingGroup\":10}]}}", NULL, BSS_E_UNPROCESSABLE, "usage.ratingGroups[0].price");
    bad(DATA "[{\"ratingGroup\":-1,\"zeroRated\":true}]}}", NULL, BSS_E_UNPROCESSABLE,
        "usage.ratingGroups[0].ratingGroup");
    bad(USAGE_VOICE "\"price\":" EUR("0.1") ",\"usage\":{\"service\":\"voice\",\"ratingGroups\":[{"
                                            "\"ratingGroup\":1,\"zeroRated\":true}]}}",
        NULL, BSS_E_UNPROCESSABLE, "usage.ratingGroups");
}

#define ALLOW "{\"priceType\":\"allowance\",\"allowance\":"

static void test_allowance(void **state)
{
    (void)state;
    bss_price *p =
        good(ALLOW "{\"service\":\"data\",\"amount\":{\"amount\":10,\"units\":\"GB\"},\"shared\":true,"
                   "\"rollover\":{\"enabled\":true},\"priority\":5}}",
             NULL);
    bss_bucket_template b;
    assert_int_equal(bss_rate_allowance(p, &b), BSS_OK);
    /* 10 GB = 10 * 1024^3 = 10,737,418,240 bytes; rollover cap defaults to the amount */
    assert_int_equal(b.units, INT64_C(10737418240));
    assert_int_equal(b.rollover_cap, INT64_C(10737418240));
    assert_true(b.shared && b.rollover && b.renew_each_cycle && !b.unlimited);
    assert_int_equal(b.priority, 5);
    assert_int_equal(b.validity_days, 0);
    assert_int_equal(b.fair_action, BSS_FAIR_NONE);
    assert_null(b.zones);
    assert_true(bss_rate_allowance_covers(p, "anything"));
    bss_price_free(p);

    /* 500 minutes to national zones, 30 days, no renewal */
    p = good(
        ALLOW
        "{\"service\":\"voice\",\"amount\":{\"amount\":500,\"units\":\"minute\"},\"validity\":{\"days\":30},"
        "\"renewal\":\"none\",\"zoneTableId\":\"nl-dest\",\"zones\":[\"national-mobile\",\"national-fixed\"]}"
        "}",
        &refs);
    assert_int_equal(bss_rate_allowance(p, &b), BSS_OK);
    assert_int_equal(b.units, 30000); /* 500 * 60 s */
    assert_int_equal(b.validity_days, 30);
    assert_false(b.renew_each_cycle);
    assert_int_equal(b.priority, 100);
    assert_int_equal(b.nzones, 2);
    assert_true(bss_rate_allowance_covers(p, "national-fixed"));
    assert_false(bss_rate_allowance_covers(p, "premium"));
    assert_false(bss_rate_allowance_covers(p, NULL));
    bss_price_free(p);

    /* unlimited data, throttled to 1 Mbit/s after 50 GB; and an overage variant */
    p = good(
        ALLOW
        "{\"service\":\"data\",\"unlimited\":true,\"fairUsage\":{\"after\":{\"amount\":50,\"units\":\"GB\"},"
        "\"action\":\"throttle\",\"throttleKbps\":1024}}}",
        NULL);
    assert_int_equal(bss_rate_allowance(p, &b), BSS_OK);
    assert_true(b.unlimited);
    assert_int_equal(b.fair_action, BSS_FAIR_THROTTLE);
    assert_int_equal(b.fair_after_units, INT64_C(50) * 1024 * 1024 * 1024);
    assert_int_equal(b.throttle_kbps, 1024);
    bss_price_free(p);
    p = good(ALLOW "{\"service\":\"sms\",\"unlimited\":true,\"fairUsage\":{\"after\":{\"amount\":3000,"
                   "\"units\":\"message\"},"
                   "\"action\":\"overage\",\"overagePrice\":" EUR("0.05") "}}}",
             NULL);
    assert_int_equal(bss_rate_allowance(p, &b), BSS_OK);
    assert_int_equal(b.overage_price_micros, 50000);
    assert_int_equal(b.overage_units_per_uom, 1);
    bss_price_free(p);

    bad(ALLOW "5}", NULL, BSS_E_INVALID, "allowance");
    bad(ALLOW "{\"service\":\"data\"}}", NULL, BSS_E_INVALID, "allowance.amount");
    bad(ALLOW "{\"service\":\"data\",\"unlimited\":true,\"amount\":{\"amount\":1,\"units\":\"GB\"}}}", NULL,
        BSS_E_UNPROCESSABLE, "allowance.amount");
    bad(ALLOW "{\"service\":\"data\",\"amount\":{\"amount\":1,\"units\":\"minute\"}}}", NULL,
        BSS_E_UNPROCESSABLE, "allowance.amount.units");
    bad(ALLOW "{\"service\":\"data\",\"amount\":{\"amount\":-1,\"units\":\"GB\"}}}", NULL,
        BSS_E_UNPROCESSABLE, "allowance.amount.amount");
    bad(ALLOW "{\"service\":\"data\",\"amount\":{\"amount\":1,\"units\":\"GB\"},\"renewal\":\"weekly\"}}",
        NULL, BSS_E_INVALID, "allowance.renewal");
    bad(ALLOW "{\"service\":\"data\",\"amount\":{\"amount\":1,\"units\":\"GB\"},\"validity\":{\"days\":0}}}",
        NULL, BSS_E_UNPROCESSABLE, "allowance.validity.days");
    bad(ALLOW "{\"service\":\"data\",\"unlimited\":true,\"rollover\":{\"enabled\":true}}}", NULL,
        BSS_E_UNPROCESSABLE, "allowance.rollover");
    bad(ALLOW
        "{\"service\":\"data\",\"unlimited\":true,\"fairUsage\":{\"after\":{\"amount\":1,\"units\":\"GB\"},"
        "\"action\":\"throttle\"}}}",
        NULL, BSS_E_INVALID, "allowance.fairUsage.throttleKbps");
    bad(ALLOW
        "{\"service\":\"data\",\"unlimited\":true,\"fairUsage\":{\"after\":{\"amount\":1,\"units\":\"GB\"},"
        "\"action\":\"overage\"}}}",
        NULL, BSS_E_INVALID, "allowance.fairUsage.overagePrice");
    bad(ALLOW
        "{\"service\":\"voice\",\"amount\":{\"amount\":1,\"units\":\"minute\"},\"zones\":[\"premium\"]}}",
        NULL, BSS_E_UNPROCESSABLE, "allowance.zoneTableId");
    bad(ALLOW
        "{\"service\":\"voice\",\"amount\":{\"amount\":1,\"units\":\"minute\"},\"zoneTableId\":\"nl-dest\","
        "\"zones\":[\"national-fixed\",\"moon\"]}}",
        &refs, BSS_E_UNPROCESSABLE, "allowance.zones[1]");
}

#define DISC "{\"priceType\":\"discount\","

static void test_discount_shape(void **state)
{
    (void)state;
    bss_price *p =
        good(DISC "\"percentage\":\"12.5\",\"applicationDuration\":{\"cycles\":3},\"appliesTo\":[\"usage\"]}",
             NULL);
    assert_string_equal(bss_price_currency(p), "");
    bss_price_free(p);
    p = good(DISC "\"percentage\":50,\"price\":" EUR("0") "}", NULL);
    bss_price_free(p);
    bad(DISC "\"percentage\":12.345}", NULL, BSS_E_INVALID, "percentage");
    bad(DISC "\"percentage\":0}", NULL, BSS_E_UNPROCESSABLE, "percentage");
    bad(DISC "\"percentage\":100.01}", NULL, BSS_E_UNPROCESSABLE, "percentage");
    bad(DISC "\"percentage\":\"abc\"}", NULL, BSS_E_INVALID, "percentage");
    bad(DISC "\"percentage\":10,\"price\":" EUR("5") "}", NULL, BSS_E_UNPROCESSABLE, "percentage");
    bad(DISC "\"price\":" EUR("0") "}", NULL, BSS_E_UNPROCESSABLE, "price.value");
    bad(DISC "\"name\":\"x\"}", NULL, BSS_E_INVALID, "percentage");
    bad(DISC "\"percentage\":10,\"applicationDuration\":{\"cycles\":0}}", NULL, BSS_E_UNPROCESSABLE,
        "applicationDuration.cycles");
    bad(DISC "\"percentage\":10,\"applicationDuration\":3}", NULL, BSS_E_INVALID, "applicationDuration");
    bad(DISC "\"percentage\":10,\"appliesTo\":[\"recurring\",\"tax\"]}", NULL, BSS_E_INVALID, "appliesTo[1]");
}

static void test_quantity(void **state)
{
    (void)state;
    int64_t u = 0;
    json_t *q = parse("{\"amount\":\"1.5\",\"units\":\"GB\"}");
    assert_int_equal(bss_price_quantity(q, BSS_SERVICE_NONE, "q", &u, NULL), BSS_OK);
    assert_int_equal(u, INT64_C(1610612736)); /* 1.5 * 1024^3 */
    json_decref(q);
    q = parse("{\"amount\":1,\"units\":\"KB\"}");
    assert_int_equal(bss_price_quantity(q, BSS_SERVICE_DATA, "q", &u, NULL), BSS_OK);
    assert_int_equal(u, 1024);
    json_decref(q);
    bss_errinfo ei;
    assert_int_equal(bss_price_quantity(NULL, BSS_SERVICE_DATA, "q", &u, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "q");
    assert_int_equal(bss_service_parse("sms"), BSS_SERVICE_SMS);
    assert_int_equal(bss_service_parse("telex"), BSS_SERVICE_NONE);
    assert_string_equal(bss_service_name(BSS_SERVICE_EVENT), "event");
}

static void test_oom(void **state)
{
    (void)state;
    json_t *doc = parse(RATED "[{\"zone\":\"*\",\"band\":\"*\",\"price\":" EUR("0.1") "}]}}");
    int n;
    for (n = 1; n < 40; n++) {
        bss_price *p = NULL;
        bss_mem_fail_after(n, 1);
        bss_err rc = bss_price_build(doc, &refs, &p, NULL);
        bss_mem_fail_after(0, 0);
        if (rc == BSS_OK) {
            bss_price_free(p);
            break;
        }
        assert_int_equal(rc, BSS_E_NOMEM);
    }
    assert_true(n < 40);
    json_decref(doc);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_time),
        cmocka_unit_test(test_money_errors),
        cmocka_unit_test(test_recurring),
        cmocka_unit_test(test_usage_shape),
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_tiers),
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_roaming_and_groups),
        cmocka_unit_test(test_allowance),
        cmocka_unit_test(test_discount_shape),
        cmocka_unit_test(test_quantity),
        cmocka_unit_test(test_oom),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    assert_int_equal(bss_mem_used(), 0);
    return rc;
}
