/*
 * test_compile.c: the compiled catalog (catalog.h: the compiled catalog). Compiling a
 * small MVNO catalog and reading it back (price chains, shared zone tables,
 * bundles, add-ons, versions as of an instant and by version), every
 * compile check with its error code and field path, markets and tax
 * treatment (catalog.market, pricesIncludeTax: resolution through
 * categories, conflicts, currencies, the field paths of a write-time
 * check, the net/tax split with hand-computed numbers), loading from the
 * store (tables missing = empty, then migrated), the write-time check, rebuilds
 * (sync, and coalesced on the worker pool), and the holder under readers
 * spinning on acquire/lookup/release while a writer publishes 1,000
 * snapshots (run under ASan: no leak, no use after free).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/log.h"
#include "db/dbtest.h"
#include "db/migrate.h"

#define EUR(v) "{\"unit\":\"EUR\",\"value\":" v "}"

/* The base fixture; tests patch pieces of it. */
static const char *const base_src =
    "{\"zoneTables\":[{\"id\":\"zt-nl\",\"name\":\"NL\",\"kind\":\"destination\",\"defaultZone\":\"world\","
    "\"zones\":["
    "  {\"name\":\"national\",\"prefixes\":[\"31\"]},{\"name\":\"premium\",\"prefixes\":[\"31900\"]},"
    "  {\"name\":\"world\",\"prefixes\":[]}]}],"
    " \"timeBandPlans\":[{\"id\":\"tb-flat\",\"name\":\"all day\",\"timeZone\":\"UTC\",\"bands\":["
    "  "
    "{\"name\":\"any\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"],\"from\":\"00:00\","
    "\"to\":\"24:00\"}]}],"
    " \"specifications\":[{\"id\":\"spec-mobile\",\"lifecycleStatus\":\"Active\"},"
    "  {\"id\":\"spec-old\",\"lifecycleStatus\":\"Retired\"}],"
    " \"prices\":["
    "  {\"id\":\"pop-fee\",\"priceType\":\"oneTime\",\"price\":" EUR(
        "10") "},"
              "  {\"id\":\"pop-month\",\"priceType\":\"recurring\",\"price\":" EUR(
                  "20") ",\"recurringChargePeriodType\":\"month\"},"
                        "  "
                        "{\"id\":\"pop-voice\",\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,"
                        "\"units\":\"minute\"},\"price\":" EUR(
                            "0.10") "   "
                                    ",\"usage\":{\"service\":\"voice\",\"increments\":{\"first\":60,\"next\":"
                                    "60},\"zoneTableId\":\"zt-nl\","
                                    "   "
                                    "\"timeBandPlanId\":\"tb-flat\",\"rates\":[{\"zone\":\"premium\","
                                    "\"price\":" EUR(
                                        "1") "}]}},"
                                             "  "
                                             "{\"id\":\"pop-data\",\"priceType\":\"allowance\",\"allowance\":"
                                             "{\"service\":\"data\",\"amount\":{\"amount\":5,\"units\":"
                                             "\"GB\"}}},"
                                             "  "
                                             "{\"id\":\"pop-half\",\"priceType\":\"discount\",\"percentage\":"
                                             "50,\"applicationDuration\":{\"cycles\":3}},"
                                             "  "
                                             "{\"id\":\"pop-gone\",\"priceType\":\"oneTime\","
                                             "\"lifecycleStatus\":\"Retired\",\"price\":" EUR(
                                                 "1") "}],"
                                                      " \"offerings\":["
                                                      "  "
                                                      "{\"id\":\"po-base\",\"name\":\"Base\",\"version\":"
                                                      "\"2\",\"lifecycleStatus\":\"Active\","
                                                      "   \"productSpecification\":{\"id\":\"spec-mobile\"},"
                                                      "   "
                                                      "\"productOfferingPrice\":[{\"id\":\"pop-fee\"},{"
                                                      "\"id\":\"pop-month\"},{\"id\":\"pop-voice\"},{\"id\":"
                                                      "\"pop-data\"},"
                                                      "   {\"id\":\"pop-half\"}]},"
                                                      "  {\"id\":\"po-addon\",\"name\":\"Data "
                                                      "add-on\",\"productOfferingRelationship\":[{\"id\":"
                                                      "\"po-base\","
                                                      "   "
                                                      "\"relationshipType\":\"addOnTo\"}],"
                                                      "\"productOfferingPrice\":[{\"id\":\"pop-data\"}]},"
                                                      "  "
                                                      "{\"id\":\"po-bundle\",\"name\":\"Bundle\","
                                                      "\"isBundle\":true,\"bundledProductOffering\":[{\"id\":"
                                                      "\"po-base\"},{\"id\":\"po-addon\"}]}],"
                                                      " \"promotions\":[{\"id\":\"promo-1\"}],"
                                                      " \"versions\":[{\"kind\":\"productOffering\",\"id\":"
                                                      "\"po-base\",\"version\":1,\"validFrom\":0,\"validTo\":"
                                                      "1000,"
                                                      "   \"doc\":{\"id\":\"po-base\",\"name\":\"Base "
                                                      "v1\",\"version\":\"1\",\"productOfferingPrice\":[{"
                                                      "\"id\":\"pop-fee\"}]}}]}";

static json_t *parse(const char *text)
{
    json_t *v = NULL;
    bss_errinfo ei;
    if (bss_json_parse(text, strlen(text), &v, &ei) != BSS_OK)
        fail_msg("bad JSON: %s", ei.message);
    return v;
}

/* Fills src from the fixture; patch (may be NULL) is a JSON object of arrays replacing the fixture's. */
static void make_source(bss_catalog_source *src, const char *patch)
{
    json_t *all = parse(base_src);
    if (patch) {
        json_t *p = parse(patch);
        json_object_update(all, p);
        json_decref(p);
    }
    src->zone_tables = json_incref(json_object_get(all, "zoneTables"));
    src->timeband_plans = json_incref(json_object_get(all, "timeBandPlans"));
    src->specifications = json_incref(json_object_get(all, "specifications"));
    src->prices = json_incref(json_object_get(all, "prices"));
    src->offerings = json_incref(json_object_get(all, "offerings"));
    src->promotions = json_incref(json_object_get(all, "promotions"));
    src->versions = json_incref(json_object_get(all, "versions"));
    src->catalogs = json_incref(json_object_get(all, "catalogs")); /* NULL (none) unless patched */
    src->focus_kind = src->focus_id = NULL;
    json_decref(all);
}

static bss_catalog *compile_ok(const char *patch)
{
    bss_catalog_source src;
    make_source(&src, patch);
    bss_catalog *cat = NULL;
    bss_errinfo ei;
    if (bss_catalog_compile(&src, &cat, &ei) != BSS_OK)
        fail_msg("compile: %s (%s)", ei.message, ei.field);
    bss_catalog_source_clear(&src);
    return cat;
}

static void compile_bad(const char *patch, bss_err code, const char *field, const char *needle)
{
    bss_catalog_source src;
    make_source(&src, patch);
    bss_catalog *cat = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_catalog_compile(&src, &cat, &ei);
    bss_catalog_source_clear(&src);
    if (rc != code || strcmp(ei.field, field) != 0 || !strstr(ei.message, needle))
        fail_msg("want %s at '%s' ('%s'), got %s at '%s': %s", bss_errname(code), field, needle,
                 bss_errname(rc), ei.field, ei.message);
    assert_null(cat);
}

static void test_compile_and_read(void **state)
{
    (void)state;
    bss_catalog *cat = compile_ok(NULL);
    assert_int_equal(bss_catalog_offering_count(cat), 3);
    const bss_offering *o = bss_catalog_offering(cat, "po-base", 5000);
    assert_non_null(o);
    assert_string_equal(bss_offering_name(o), "Base");
    assert_string_equal(bss_offering_version(o), "2");
    assert_string_equal(bss_offering_lifecycle(o), "Active");
    assert_int_equal(bss_offering_price_count(o), 5);
    assert_false(bss_offering_is_bundle(o));
    assert_string_equal(json_string_value(json_object_get(bss_offering_doc(o), "id")), "po-base");
    /* the price chain */
    int64_t fee = 0;
    assert_int_equal(
        bss_rate_one_time(bss_offering_find_price(o, BSS_PRICE_ONE_TIME, BSS_SERVICE_NONE), &fee), BSS_OK);
    assert_int_equal(fee, 10000000);
    assert_non_null(bss_offering_find_price(o, BSS_PRICE_RECURRING, BSS_SERVICE_NONE));
    assert_non_null(bss_offering_find_price(o, BSS_PRICE_ALLOWANCE, BSS_SERVICE_DATA));
    assert_null(bss_offering_find_price(o, BSS_PRICE_ALLOWANCE, BSS_SERVICE_VOICE));
    assert_non_null(bss_offering_find_price(o, BSS_PRICE_DISCOUNT, BSS_SERVICE_NONE));
    const bss_price *voice = bss_offering_find_price(o, BSS_PRICE_USAGE, BSS_SERVICE_VOICE);
    assert_ptr_equal(voice, bss_catalog_price(cat, "pop-voice", 0));
    /* the zone table compiled once and resolved: a premium call, 61 s -> 2 min at 1.00 = 2.00 */
    bss_usage_event ev = {.quantity = 61, .destination = "319001", .destination_len = 6, .rating_group = -1};
    bss_usage_charge ch;
    assert_int_equal(bss_rate_usage(voice, &ev, &ch), BSS_OK);
    assert_int_equal(ch.charge_micros, 2000000);
    assert_string_equal(ch.zone, "premium");
    assert_string_equal(ch.band, "any");
    assert_non_null(bss_catalog_zone_table(cat, "zt-nl"));
    assert_null(bss_catalog_zone_table(cat, "zt-none"));
    assert_non_null(bss_catalog_timeband_plan(cat, "tb-flat"));
    assert_null(bss_catalog_timeband_plan(cat, "tb-none"));
    /* bundles */
    const bss_offering *b = bss_catalog_offering(cat, "po-bundle", 5000);
    assert_true(bss_offering_is_bundle(b));
    assert_int_equal(bss_offering_bundled_count(b), 2);
    assert_string_equal(bss_offering_id(bss_offering_bundled(b, 1)), "po-addon");
    assert_null(bss_offering_bundled(b, 2));
    assert_null(bss_offering_price(b, 0));
    /* versions: v1 was valid [0, 1000); the current one (no validFor) takes over at 1000 */
    o = bss_catalog_offering(cat, "po-base", 500);
    assert_string_equal(bss_offering_version(o), "1");
    assert_string_equal(bss_offering_version(bss_catalog_offering(cat, "po-base", 1000)), "2");
    assert_null(bss_catalog_offering(cat, "po-base", -1));
    o = bss_catalog_offering_version(cat, "po-base", "1");
    assert_non_null(o);
    assert_string_equal(bss_offering_name(o), "Base v1");
    assert_int_equal(bss_offering_price_count(o), 1);
    assert_int_equal(bss_offering_valid_from(o), 0);
    assert_int_equal(bss_offering_valid_to(o), 1000);
    assert_null(bss_catalog_offering_version(cat, "po-base", "7"));
    assert_null(bss_catalog_offering(cat, "po-none", 0));
    assert_int_equal(json_array_size(bss_catalog_promotions(cat)), 1);
    assert_int_equal(bss_catalog_generation(cat), 0);
    bss_catalog_free(cat);
    bss_catalog_free(NULL);
}

static void test_versions_as_of(void **state)
{
    (void)state;
    /* the current version starts at t=1000 (a price change effective from a date); v1 held before */
    bss_catalog *cat = compile_ok(
        "{\"offerings\":[{\"id\":\"po-base\",\"name\":\"Base "
        "v2\",\"version\":\"2\",\"validFor\":{\"startDateTime\":"
        "\"1970-01-01T00:00:01Z\"},\"productOfferingPrice\":[{\"id\":\"pop-new\"}]}],"
        "\"prices\":[{\"id\":\"pop-new\",\"priceType\":\"recurring\",\"price\":" EUR(
            "25") ",\"recurringChargePeriodType\":\"month\"},"
                  "  {\"id\":\"pop-fee\",\"priceType\":\"recurring\",\"price\":" EUR(
                      "30") ",\"recurringChargePeriodType\":\"month\","
                            "   \"validFor\":{\"startDateTime\":\"1970-01-01T00:00:01Z\"}}],"
                            "\"versions\":[{\"kind\":\"productOffering\",\"id\":\"po-base\",\"version\":1,"
                            "\"validFrom\":0,\"validTo\":1000,"
                            "   \"doc\":{\"id\":\"po-base\",\"name\":\"Base "
                            "v1\",\"productOfferingPrice\":[{\"id\":\"pop-fee\"}]}},"
                            "  "
                            "{\"kind\":\"productOfferingPrice\",\"id\":\"pop-fee\",\"version\":1,"
                            "\"validFrom\":0,\"validTo\":1000,"
                            "   \"doc\":{\"id\":\"pop-fee\",\"priceType\":\"recurring\",\"price\":" EUR(
                                "20") ",\"recurringChargePeriodType\":\"month\"}}]}");
    const bss_offering *o = bss_catalog_offering(cat, "po-base", 999);
    assert_string_equal(bss_offering_name(o), "Base v1");
    assert_string_equal(bss_offering_version(o), "1"); /* no version member: the row's number */
    /* the old offering resolves its price as of its own start: pop-fee v1, 20.00 (grandfathered) */
    assert_int_equal(bss_price_amount_micros(bss_offering_price(o, 0)), 20000000);
    /* the same price as of a later instant: its newer version, 30.00 */
    assert_int_equal(bss_price_amount_micros(bss_offering_price_at(cat, o, 0, 1500)), 30000000);
    assert_int_equal(bss_price_amount_micros(bss_offering_price_at(cat, o, 0, 10)), 20000000);
    assert_null(bss_offering_price_at(cat, o, 1, 10));
    o = bss_catalog_offering(cat, "po-base", 1000);
    assert_string_equal(bss_offering_name(o), "Base v2");
    assert_int_equal(bss_price_amount_micros(bss_offering_price(o, 0)), 25000000);
    assert_null(bss_catalog_offering(cat, "po-base", -1));
    assert_int_equal(bss_price_amount_micros(bss_catalog_price(cat, "pop-fee", 10)), 20000000);
    assert_int_equal(bss_price_amount_micros(bss_catalog_price(cat, "pop-fee", 1000)), 30000000);
    assert_int_equal(bss_catalog_offering_count(cat), 1);
    bss_catalog_free(cat);
}

static void test_bundle_prices(void **state)
{
    (void)state;
    /* a bundle price (isBundle) is not rated itself: the offering gets its components */
    const char *prices = "\"prices\":[{\"id\":\"pop-fee\",\"priceType\":\"oneTime\",\"price\":" EUR(
        "10") "},"
              "{\"id\":\"pop-month\",\"priceType\":\"recurring\",\"price\":" EUR(
                  "20") ",\"recurringChargePeriodType\":\"month\"},"
                        "{\"id\":\"pop-pack\",\"isBundle\":true,\"bundledPopRelationship\":[{\"id\":\"pop-"
                        "fee\"},"
                        "{\"id\":\"pop-month\"}]}";
    char patch[1024];
    snprintf(patch, sizeof patch,
             "{%s], \"offerings\":[{\"id\":\"a\",\"productOfferingPrice\":[{\"id\":\"pop-pack\"}]}]}",
             prices);
    bss_catalog *cat = compile_ok(patch);
    const bss_offering *o = bss_catalog_offering(cat, "a", 0);
    assert_int_equal(bss_offering_price_count(o), 2);
    assert_int_equal(bss_price_kind(bss_offering_price(o, 0)), BSS_PRICE_ONE_TIME);
    assert_int_equal(bss_price_kind(bss_offering_price(o, 1)), BSS_PRICE_RECURRING);
    assert_null(bss_catalog_price(cat, "pop-pack", 0));
    bss_catalog_free(cat);
    compile_bad("{\"prices\":[{\"id\":\"pop-pack\",\"isBundle\":true,\"bundledPopRelationship\":[{\"id\":"
                "\"pop-x\"}]}],"
                "\"offerings\":[{\"id\":\"a\",\"productOfferingPrice\":[{\"id\":\"pop-pack\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingPrice[0].id", "no productOfferingPrice 'pop-x'");
    compile_bad("{\"prices\":[{\"id\":\"p1\",\"isBundle\":true,\"bundledPopRelationship\":[{\"id\":\"p2\"}]},"
                "{\"id\":\"p2\",\"isBundle\":true,\"bundledPopRelationship\":[{\"id\":\"p1\"}]}],"
                "\"offerings\":[{\"id\":\"a\",\"productOfferingPrice\":[{\"id\":\"p1\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingPrice[0].id", "deeper than 8");
}

static void test_compile_errors(void **state)
{
    (void)state;
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productOfferingPrice\":[{\"id\":\"pop-fee\"},{\"id\":\"pop-"
                "nope\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingPrice[1].id", "no productOfferingPrice 'pop-nope'");
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productOfferingPrice\":[{\"id\":\"pop-gone\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingPrice[0].id", "retired");
    /* a retired offering may keep its retired price */
    bss_catalog_free(compile_ok("{\"offerings\":[{\"id\":\"a\",\"lifecycleStatus\":\"Retired\","
                                "\"productOfferingPrice\":[{\"id\":\"pop-gone\"}]}]}"));
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productOfferingPrice\":[{\"name\":\"x\"}]}]}", BSS_E_INVALID,
                "productOfferingPrice[0].id", "required");
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productSpecification\":{\"id\":\"spec-x\"}}]}",
                BSS_E_UNPROCESSABLE, "productSpecification.id", "no productSpecification");
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productSpecification\":{\"id\":\"spec-old\"}}]}",
                BSS_E_UNPROCESSABLE, "productSpecification.id", "retired");
    /* bundle cycles: a -> b -> a, and a -> a */
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"bundledProductOffering\":[{\"id\":\"b\"}]},"
                "{\"id\":\"b\",\"bundledProductOffering\":[{\"id\":\"c\"},{\"id\":\"a\"}]},{\"id\":\"c\"}]}",
                BSS_E_UNPROCESSABLE, "bundledProductOffering[1].id", "bundle cycle");
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"bundledProductOffering\":[{\"id\":\"a\"}]}]}",
                BSS_E_UNPROCESSABLE, "bundledProductOffering[0].id", "bundle cycle");
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"bundledProductOffering\":[{\"id\":\"zz\"}]}]}",
                BSS_E_UNPROCESSABLE, "bundledProductOffering[0].id", "no productOffering 'zz'");
    /* add-ons: to a missing, a retired, an add-on base; "requires" a missing one */
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productOfferingRelationship\":[{\"id\":\"zz\","
                "\"relationshipType\":\"addOnTo\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingRelationship[0].id", "no productOffering 'zz'");
    compile_bad(
        "{\"offerings\":[{\"id\":\"b\",\"lifecycleStatus\":\"Retired\"},"
        "{\"id\":\"a\",\"productOfferingRelationship\":[{\"id\":\"b\",\"relationshipType\":\"addonto\"}]}]}",
        BSS_E_UNPROCESSABLE, "productOfferingRelationship[0].id", "no compatible base");
    compile_bad(
        "{\"offerings\":[{\"id\":\"b\"},{\"id\":\"c\",\"productOfferingRelationship\":[{\"id\":\"b\","
        "\"relationshipType\":\"addOnTo\"}]},"
        "{\"id\":\"a\",\"productOfferingRelationship\":[{\"id\":\"x\",\"relationshipType\":\"excludes\"},"
        "{\"id\":\"c\",\"relationshipType\":\"addOnTo\"}]}]}",
        BSS_E_UNPROCESSABLE, "productOfferingRelationship[1].id", "itself an add-on");
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productOfferingRelationship\":[{\"id\":\"zz\","
                "\"relationshipType\":\"requires\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingRelationship[0].id", "zz");
    /* prices, tables and plans that do not build name their document */
    compile_bad(
        "{\"prices\":[{\"id\":\"p1\",\"priceType\":\"oneTime\",\"price\":" EUR("-1") "}],\"offerings\":[]}",
        BSS_E_UNPROCESSABLE, "price.value", "productOfferingPrice p1");
    compile_bad("{\"prices\":[{\"id\":\"p1\",\"priceType\":\"usage\",\"price\":" EUR(
                    "1") ",\"usage\":{\"service\":\"sms\","
                         "\"zoneTableId\":\"zt-missing\"}}],\"offerings\":[]}",
                BSS_E_UNPROCESSABLE, "usage.zoneTableId", "zt-missing");
    compile_bad("{\"zoneTables\":[{\"id\":\"z1\",\"kind\":\"destination\",\"zones\":[{\"name\":\"a\","
                "\"prefixes\":[\"31\"]},"
                "{\"name\":\"b\",\"prefixes\":[\"31\"]}]}],\"prices\":[],\"offerings\":[]}",
                BSS_E_UNPROCESSABLE, "zones[1].prefixes[0]", "zoneTable z1");
    compile_bad("{\"timeBandPlans\":[{\"id\":\"t1\",\"timeZone\":\"UTC\",\"bands\":[{\"name\":\"a\",\"days\":"
                "[\"mon\"],"
                "\"from\":\"00:00\",\"to\":\"24:00\"}]}],\"prices\":[],\"offerings\":[]}",
                BSS_E_UNPROCESSABLE, "bands", "timeBandPlan t1");
    compile_bad("{\"offerings\":[{\"name\":\"no id\"}]}", BSS_E_UNPROCESSABLE, "id", "no id");
}

/* ---- markets and tax ---------------------------------------------------- */

/* Two catalogs: consumer (NL, EUR, tax included) and business (NL, EUR, net); po-base in consumer. */
#define CAT_HOME                                                                                             \
    "{\"id\":\"cat-home\",\"name\":\"Home\",\"lifecycleStatus\":\"Active\",\"market\":{\"country\":\"NL\","  \
    "\"currency\":\"EUR\"},\"pricesIncludeTax\":true,\"category\":[{\"id\":\"c-consumer\"}]}"
#define CAT_BIZ(market, tax, extra)                                                                          \
    "{\"id\":\"cat-biz\",\"name\":\"Business\",\"market\":" market ",\"pricesIncludeTax\":" tax              \
    ",\"category\":[{\"id\":\"c-biz\"}]" extra "}"
#define NL_EUR "{\"country\":\"NL\",\"currency\":\"EUR\"}"
#define BASE_IN(cats)                                                                                        \
    "{\"id\":\"po-base\",\"name\":\"Base\",\"lifecycleStatus\":\"Active\",\"category\":" cats                \
    ",\"productOfferingPrice\":[{\"id\":\"pop-fee\"},{\"id\":\"pop-month\"},{\"id\":\"pop-data\"},"          \
    "{\"id\":\"pop-half\"}]}"
#define BIZ_PLAN                                                                                             \
    "{\"id\":\"po-biz\",\"name\":\"Business\",\"category\":[{\"id\":\"c-biz\"}],"                            \
    "\"productOfferingPrice\":[{\"id\":\"pop-month\"}]}"

static void test_markets(void **state)
{
    (void)state;
    bss_catalog *cat = compile_ok("{\"catalogs\":[" CAT_HOME "," CAT_BIZ(
        NL_EUR, "false", "") ","
                             "{\"id\":\"cat-plain\",\"name\":\"No market\",\"category\":[{\"id\":\"c-"
                             "biz\"}]}],"
                             "\"offerings\":[" BASE_IN(
                                 "[{\"id\":\"c-other\"},{\"id\":\"c-consumer\"}]") ","
                                                                                   "  " BIZ_PLAN
                                                                                   ",{\"id\":\"po-none\","
                                                                                   "\"name\":\"None\"}]}");
    const bss_offering *base = bss_catalog_offering(cat, "po-base", 5000); /* after version 1 */
    const bss_market *m = bss_offering_market(base);
    assert_non_null(m);
    assert_string_equal(m->catalog_id, "cat-home");
    assert_string_equal(m->country, "NL");
    assert_string_equal(m->currency, "EUR");
    assert_true(bss_offering_prices_include_tax(base));
    const bss_offering *biz = bss_catalog_offering(cat, "po-biz", 0);
    assert_string_equal(bss_offering_market(biz)->catalog_id, "cat-biz");
    assert_false(bss_offering_prices_include_tax(biz));
    const bss_offering *none = bss_catalog_offering(cat, "po-none", 0);
    assert_null(bss_offering_market(none));
    assert_false(bss_offering_prices_include_tax(none));
    assert_null(bss_offering_market(NULL));
    assert_null(bss_offering_market(bss_catalog_offering(cat, "po-base", 500))); /* version 1: no category */
    bss_catalog_free(cat);

    /* the same market twice is no conflict; a Retired catalog does not count; neither does a retired offering
     */
    const char *agree = "{\"catalogs\":[" CAT_HOME "," CAT_BIZ(
        NL_EUR, "true", "") "],"
                            "\"offerings\":[" BASE_IN("[{\"id\":\"c-consumer\"},{\"id\":\"c-biz\"}]") "]}";
    bss_catalog_free(compile_ok(agree));
    bss_catalog_free(compile_ok("{\"catalogs\":[" CAT_HOME "," CAT_BIZ(
        NL_EUR, "false",
        ",\"lifecycleStatus\":"
        "\"Retired\"") "],"
                       "\"offerings\":[" BASE_IN("[{\"id\":\"c-consumer\"},{\"id\":\"c-biz\"}]") "]}"));
    cat = compile_ok("{\"catalogs\":[" CAT_HOME "," CAT_BIZ(
        NL_EUR, "false",
        "") "],\"offerings\":[{\"id\":"
            "\"po-old\",\"lifecycleStatus\":\"Retired\",\"category\":[{\"id\":\"c-biz\"},{\"id\":\"c-"
            "consumer\"}]}]}");
    assert_string_equal(bss_offering_market(bss_catalog_offering(cat, "po-old", 0))->catalog_id, "cat-biz");
    bss_catalog_free(cat);
}

static void test_market_errors(void **state)
{
    (void)state;
    /* two catalogs, different tax treatment / currency / country: the second category ref is the culprit */
    compile_bad("{\"catalogs\":[" CAT_HOME
                "," CAT_BIZ(NL_EUR, "false", "") "],"
                                                 "\"offerings\":[" BASE_IN(
                                                     "[{\"id\":\"c-consumer\"},{\"id\":\"c-biz\"}]") "]}",
                BSS_E_UNPROCESSABLE, "category[1].id",
                "productOffering po-base: category[1] puts it in catalog cat-biz (market NL, EUR, prices "
                "excluding tax), category[0] in catalog cat-home (market NL, EUR, prices including tax)");
    compile_bad("{\"catalogs\":[" CAT_HOME "," CAT_BIZ(
                    "{\"country\":\"BE\",\"currency\":\"EUR\"}", "true",
                    "") "],"
                        "\"offerings\":[" BASE_IN("[{\"id\":\"c-biz\"},{\"id\":\"c-consumer\"}]") "]}",
                BSS_E_UNPROCESSABLE, "category[1].id", "category[0] in catalog cat-biz (market BE, EUR");
    /* a price in another currency than the market's */
    compile_bad("{\"catalogs\":[" CAT_HOME "],\"prices\":[{\"id\":\"pop-fee\",\"priceType\":\"oneTime\","
                "\"price\":{\"unit\":\"USD\",\"value\":10}}],"
                "\"offerings\":[{\"id\":\"po-x\",\"category\":[{\"id\":\"c-consumer\"}],"
                "\"productOfferingPrice\":[{\"id\":\"pop-fee\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingPrice[0].id",
                "productOffering po-x: productOfferingPrice pop-fee is in USD, but the offering is sold in "
                "catalog cat-home, market NL, in EUR");
    /* a malformed market in a stored catalog names the catalog */
    compile_bad("{\"catalogs\":[{\"id\":\"cat-bad\",\"market\":{\"country\":\"XX\",\"currency\":\"EUR\"}}]}",
                BSS_E_INVALID, "market.country", "catalog cat-bad: market.country must be");
}

/* A write-time check names a field of the document written when it is one side of the conflict. */
static void compile_focus(const char *patch, const char *kind, const char *id, const char *field,
                          const char *needle)
{
    bss_catalog_source src;
    make_source(&src, patch);
    src.focus_kind = kind;
    src.focus_id = id;
    bss_catalog *cat = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_catalog_compile(&src, &cat, &ei);
    bss_catalog_source_clear(&src);
    if (rc != BSS_E_UNPROCESSABLE || strcmp(ei.field, field) != 0 || !strstr(ei.message, needle))
        fail_msg("want 422 at '%s' ('%s'), got %s at '%s': %s", field, needle, bss_errname(rc), ei.field,
                 ei.message);
    assert_null(cat);
}

static void test_market_focus(void **state)
{
    (void)state;
    const char *offers = "\"offerings\":[" BASE_IN("[{\"id\":\"c-consumer\"},{\"id\":\"c-biz\"}]") "]}";
    char patch[2048];
    snprintf(patch, sizeof patch, "{\"catalogs\":[" CAT_HOME "," CAT_BIZ(NL_EUR, "false", "") "],%s", offers);
    compile_focus(
        patch, "catalog", "cat-biz", "pricesIncludeTax",
        "catalog cat-biz: productOffering po-base is also sold in catalog cat-home (market NL, EUR, "
        "prices including tax)");
    compile_focus(patch, "catalog", "cat-home", "pricesIncludeTax",
                  "catalog cat-home: productOffering po-base");
    compile_focus(patch, "productOffering", "po-base", "category[1].id", "productOffering po-base");
    snprintf(patch, sizeof patch,
             "{\"catalogs\":[" CAT_HOME
             "," CAT_BIZ("{\"country\":\"NL\",\"currency\":\"USD\"}", "true", "") "],%s",
             offers);
    compile_focus(patch, "catalog", "cat-biz", "market.currency", "cat-home");
    snprintf(patch, sizeof patch,
             "{\"catalogs\":[" CAT_HOME
             "," CAT_BIZ("{\"country\":\"BE\",\"currency\":\"USD\"}", "true", "") "],%s",
             offers);
    compile_focus(patch, "catalog", "cat-biz", "market.country", "cat-home");
    /* a price currency: on the catalog, on the price */
    const char *usd =
        "{\"catalogs\":[" CAT_HOME "],\"prices\":[{\"id\":\"pop-fee\",\"priceType\":\"oneTime\","
        "\"price\":{\"unit\":\"USD\",\"value\":10}}],"
        "\"offerings\":[{\"id\":\"po-x\",\"category\":[{\"id\":\"c-consumer\"}],"
        "\"productOfferingPrice\":[{\"id\":\"pop-fee\"}]}]}";
    compile_focus(
        usd, "catalog", "cat-home", "market.currency",
        "catalog cat-home: its market currency EUR is not USD, the currency of productOfferingPrice "
        "pop-fee of productOffering po-x");
    compile_focus(usd, "productOfferingPrice", "pop-fee", "price.unit",
                  "productOfferingPrice pop-fee: its currency USD is not EUR, the currency of market NL of "
                  "catalog cat-home");
}

static void market_bad(const char *doc, const char *field, const char *needle)
{
    json_t *d = parse(doc);
    bss_market m;
    bool has = true;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_catalog_market_parse(d, &m, &has, &ei);
    json_decref(d);
    if (rc != BSS_E_INVALID || strcmp(ei.field, field) != 0 || !strstr(ei.message, needle))
        fail_msg("%s: want 400 at '%s', got %s at '%s': %s", doc, field, bss_errname(rc), ei.field,
                 ei.message);
    assert_false(has);
}

static void test_market_parse(void **state)
{
    (void)state;
    json_t *d = parse("{\"id\":\"c1\",\"market\":{\"country\":\"DE\",\"currency\":\"EUR\"}}");
    bss_market m;
    bool has = false;
    assert_int_equal(bss_catalog_market_parse(d, &m, &has, NULL), BSS_OK);
    assert_true(has);
    assert_string_equal(m.catalog_id, "c1");
    assert_string_equal(m.country, "DE");
    assert_false(m.prices_include_tax); /* default: net prices */
    json_decref(d);
    d = parse("{\"name\":\"no market\",\"market\":null}");
    assert_int_equal(bss_catalog_market_parse(d, &m, &has, NULL), BSS_OK);
    assert_false(has);
    json_decref(d);
    market_bad("{\"market\":\"NL\"}", "market", "an object");
    market_bad("{\"market\":{\"country\":\"nl\",\"currency\":\"EUR\"}}", "market.country", "upper case");
    market_bad("{\"market\":{\"country\":\"XX\",\"currency\":\"EUR\"}}", "market.country", "ISO 3166-1");
    market_bad("{\"market\":{\"currency\":\"EUR\"}}", "market.country", "ISO 3166-1");
    market_bad("{\"market\":{\"country\":\"ZW\",\"currency\":\"EUX\"}}", "market.currency", "ISO 4217");
    market_bad("{\"market\":{\"country\":\"AD\"}}", "market.currency", "ISO 4217");
    market_bad("{\"market\":" NL_EUR ",\"pricesIncludeTax\":\"yes\"}", "pricesIncludeTax", "true or false");
    market_bad("{\"pricesIncludeTax\":true}", "pricesIncludeTax", "needs a market");
}

static void test_split_tax(void **state)
{
    (void)state;
    int64_t net = 0, tax = 0;
    /* EUR 24.20 with 21% VAT included: 24.20 / 1.21 = 20.00 net, 4.20 tax */
    assert_int_equal(bss_catalog_split_tax(24200000, true, 210000, &net, &tax), BSS_OK);
    assert_int_equal(net, 20000000);
    assert_int_equal(tax, 4200000);
    /* EUR 20.00 net at 21%: 4.20 tax on top */
    assert_int_equal(bss_catalog_split_tax(20000000, false, 210000, &net, &tax), BSS_OK);
    assert_int_equal(net, 20000000);
    assert_int_equal(tax, 4200000);
    /* EUR 9.99 included at 21%: 9.99 / 1.21 = 8.2561983... -> 8.256198, tax 1.733802 */
    assert_int_equal(bss_catalog_split_tax(9990000, true, 210000, &net, &tax), BSS_OK);
    assert_int_equal(net, 8256198);
    assert_int_equal(tax, 1733802);
    /* EUR 10.00 included at 9%: 10 / 1.09 = 9.1743119... -> 9.174312, tax 0.825688 */
    assert_int_equal(bss_catalog_split_tax(10000000, true, 90000, &net, &tax), BSS_OK);
    assert_int_equal(net, 9174312);
    assert_int_equal(tax, 825688);
    /* EUR 0.000005 net at 10%: 0.0000005 rounds half-up to 0.000001 */
    assert_int_equal(bss_catalog_split_tax(5, false, 100000, &net, &tax), BSS_OK);
    assert_int_equal(tax, 1);
    /* 0% and the bounds of the rate */
    assert_int_equal(bss_catalog_split_tax(14500000, true, 0, &net, &tax), BSS_OK);
    assert_int_equal(net, 14500000);
    assert_int_equal(tax, 0);
    assert_int_equal(bss_catalog_split_tax(1, true, -1, &net, &tax), BSS_E_RANGE);
    assert_int_equal(bss_catalog_split_tax(1, true, 1000001, &net, &tax), BSS_E_RANGE);
}

static void test_compile_oom(void **state)
{
    (void)state;
    const char *patches[] = {
        NULL, "{\"catalogs\":[" CAT_HOME
              "," CAT_BIZ(NL_EUR, "true",
                          "") "],"
                              "\"offerings\":[" BASE_IN("[{\"id\":\"c-consumer\"},{\"id\":\"c-biz\"}]") "]}"};
    for (size_t p = 0; p < 2; p++) {
        bss_catalog_source src;
        make_source(&src, patches[p]);
        int n;
        for (n = 1; n < 2000; n++) {
            bss_catalog *cat = NULL;
            bss_mem_fail_after(n, 1);
            bss_err rc = bss_catalog_compile(&src, &cat, NULL);
            bss_mem_fail_after(0, 0);
            if (rc == BSS_OK) {
                bss_catalog_free(cat);
                break;
            }
            assert_int_equal(rc, BSS_E_NOMEM);
        }
        assert_true(n < 2000);
        bss_catalog_source_clear(&src);
    }
}

/* ---- the holder under concurrent readers ---- */

typedef struct race {
    bss_catalog_holder *h;
    atomic_int done;
    atomic_long reads;
    atomic_int failures;
} race;

/* cmocka's asserts may not run off the main thread: count failures instead. */
#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "reader check failed line %d: %s\n", __LINE__, #cond);                           \
            atomic_fetch_add(&r->failures, 1);                                                               \
        }                                                                                                    \
    } while (0)

static void *reader(void *arg)
{
    race *r = arg;
    uint64_t last = 0;
    long reads = 0;
    while (!atomic_load(&r->done)) {
        const bss_catalog *cat = bss_catalog_acquire(r->h);
        if (!cat)
            continue;
        uint64_t gen = bss_catalog_generation(cat);
        CHECK(gen >= last); /* never back in time */
        last = gen;
        const bss_offering *o = bss_catalog_offering(cat, "po-base", 5000);
        CHECK(o != NULL);
        CHECK(o && bss_offering_price_count(o) == 5);
        if (reads % 7 == 0) { /* nested: sees the same snapshot */
            const bss_catalog *inner = bss_catalog_acquire(r->h);
            CHECK(inner == cat);
            bss_catalog_release(r->h, inner);
        }
        bss_catalog_release(r->h, cat);
        reads++;
    }
    atomic_fetch_add(&r->reads, reads);
    return NULL;
}

static void test_holder_race(void **state)
{
    (void)state;
    race r = {.h = bss_catalog_holder_create()};
    assert_non_null(r.h);
    assert_null(bss_catalog_acquire(r.h)); /* nothing published yet */
    bss_catalog_release(r.h, NULL);
    bss_catalog_source src;
    make_source(&src, NULL);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, reader, &r), 0);
    for (int i = 0; i < 1000; i++) {
        bss_catalog *cat = NULL;
        assert_int_equal(bss_catalog_compile(&src, &cat, NULL), BSS_OK);
        bss_catalog_publish(r.h, cat);
    }
    atomic_store(&r.done, 1);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    const bss_catalog *cat = bss_catalog_acquire(r.h);
    assert_int_equal(bss_catalog_generation(cat), 1000);
    bss_catalog_release(r.h, cat);
    assert_true(atomic_load(&r.reads) > 0);
    assert_int_equal(atomic_load(&r.failures), 0);
    bss_catalog_source_clear(&src);
    bss_catalog_holder_destroy(r.h);
    bss_catalog_holder_destroy(NULL);
}

/* ---- store ---- */

static void insert_doc(bss_db *db, const char *sql, const char *id, const char *doc)
{
    bss_errinfo ei;
    if (bss_db_exec(db, sql, BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(doc)), NULL, &ei) != BSS_OK)
        fail_msg("insert: %s", ei.message);
}

#define INS_PRICE                                                                                            \
    "INSERT INTO tmf620_product_offering_price (id, doc, created_ms, updated_ms, row_version) VALUES (?, "   \
    "?, 0, 0, 1)"
#define INS_OFFER                                                                                            \
    "INSERT INTO tmf620_product_offering (id, doc, created_ms, updated_ms, row_version) VALUES (?, ?, 0, "   \
    "0, 1)"

static void test_store(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    /* before any migration: every table missing reads as empty */
    bss_catalog_source src;
    bss_catalog_source_init(&src);
    assert_int_equal(bss_catalog_load(env->db, &src, &ei), BSS_OK);
    assert_int_equal(json_array_size(src.offerings), 0);
    bss_catalog_source_clear(&src);
    bss_catalog_source_clear(&src);

    assert_int_equal(bss_db_migrate(env->db, 0, NULL, &ei), BSS_OK);
    insert_doc(env->db, INS_PRICE, "pop-1",
               "{\"id\":\"pop-1\",\"priceType\":\"oneTime\",\"price\":" EUR("5") "}");
    insert_doc(env->db, INS_OFFER, "po-1",
               "{\"id\":\"po-1\",\"name\":\"One\",\"productOfferingPrice\":[{\"id\":\"pop-1\"}]}");
    assert_int_equal(
        bss_db_exec(env->db,
                    "INSERT INTO tmf620_version (kind, id, version, valid_from_ms, valid_to_ms, doc) "
                    "VALUES ('productOffering', 'po-1', 1, 0, 100, ?)",
                    BSS_DB_ARGS(BSS_DB_STR("{\"id\":\"po-1\",\"name\":\"Old one\"}")), NULL, &ei),
        BSS_OK);

    /* the write-time check: a new offering naming a missing price is refused with its field */
    json_t *doc =
        parse("{\"name\":\"Two\",\"productOfferingPrice\":[{\"id\":\"pop-1\"},{\"id\":\"pop-9\"}]}");
    assert_int_equal(bss_catalog_check_write(env->db, "productOffering", "po-2", doc, &ei),
                     BSS_E_UNPROCESSABLE);
    assert_string_equal(ei.field, "productOfferingPrice[1].id");
    assert_non_null(strstr(ei.message, "po-2"));
    json_array_remove(json_object_get(doc, "productOfferingPrice"), 1);
    assert_int_equal(bss_catalog_check_write(env->db, "productOffering", "po-2", doc, &ei), BSS_OK);
    json_decref(doc);
    /* deleting a price in use, and replacing it with a bad one */
    assert_int_equal(bss_catalog_check_write(env->db, "productOfferingPrice", "pop-1", NULL, &ei),
                     BSS_E_UNPROCESSABLE);
    assert_string_equal(ei.field, "productOfferingPrice[0].id");
    doc = parse("{\"priceType\":\"oneTime\",\"price\":{\"unit\":\"EUR\",\"value\":\"1.0000001\"}}");
    assert_int_equal(bss_catalog_check_write(env->db, "productOfferingPrice", "pop-1", doc, &ei),
                     BSS_E_INVALID);
    assert_string_equal(ei.field, "price.value");
    assert_int_equal(bss_catalog_check_write(env->db, "gizmo", "x", doc, &ei), BSS_E_INVALID);
    json_decref(doc);

    /* a catalog write: its market must fit the prices of what it sells (po-c, category c1, EUR 5) */
    insert_doc(env->db, INS_OFFER, "po-c",
               "{\"id\":\"po-c\",\"name\":\"C\",\"category\":[{\"id\":\"c1\"}],"
               "\"productOfferingPrice\":[{\"id\":\"pop-1\"}]}");
    doc = parse("{\"name\":\"US\",\"market\":{\"country\":\"US\",\"currency\":\"USD\"},"
                "\"category\":[{\"id\":\"c1\"}]}");
    assert_int_equal(bss_catalog_check_write(env->db, "catalog", "cat-us", doc, &ei), BSS_E_UNPROCESSABLE);
    assert_string_equal(ei.field, "market.currency");
    assert_non_null(strstr(ei.message, "catalog cat-us: its market currency USD is not EUR"));
    json_object_set_new(json_object_get(doc, "market"), "currency", json_string("EUR"));
    assert_int_equal(bss_catalog_check_write(env->db, "catalog", "cat-us", doc, &ei), BSS_OK);
    json_decref(doc);

    /* rebuild: creates the holder and publishes */
    bss_app app;
    memset(&app, 0, sizeof app);
    assert_int_equal(bss_catalog_rebuild_db(&app, env->db, &ei), BSS_OK);
    assert_non_null(app.catalog);
    const bss_catalog *cat = bss_catalog_acquire(app.catalog);
    assert_int_equal(bss_catalog_generation(cat), 1);
    assert_string_equal(bss_offering_name(bss_catalog_offering(cat, "po-1", 50)), "Old one");
    assert_string_equal(bss_offering_name(bss_catalog_offering(cat, "po-1", 500)), "One");
    bss_catalog_release(app.catalog, cat);

    /* coalesced async rebuilds on the pool: 20 calls in a row, a handful of rebuilds at most */
    assert_int_equal(bss_workers_start(env->url, NULL, 2, 64, &app.workers, &ei), BSS_OK);
    for (int i = 0; i < 20; i++)
        bss_catalog_rebuild_async(&app);
    bss_workers_stop(app.workers); /* runs the queue to the end */
    app.workers = NULL;
    cat = bss_catalog_acquire(app.catalog);
    uint64_t gen = bss_catalog_generation(cat);
    bss_catalog_release(app.catalog, cat);
    assert_true(gen >= 2 && gen <= 4);
    bss_catalog_rebuild_async(&app); /* no workers: logged, nothing happens */

    /* a broken catalog in the store: rebuild fails and the published snapshot stays */
    insert_doc(env->db, INS_OFFER, "po-3", "{\"id\":\"po-3\",\"productOfferingPrice\":[{\"id\":\"nope\"}]}");
    assert_int_equal(bss_catalog_rebuild_db(&app, env->db, &ei), BSS_E_UNPROCESSABLE);
    cat = bss_catalog_acquire(app.catalog);
    assert_int_equal(bss_catalog_generation(cat), gen);
    bss_catalog_release(app.catalog, cat);
    bss_catalog_holder_destroy(app.catalog);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_store, setup, dbtest_teardown)                                  \
    }

/* Its own main: the compile tests log errors only, and the run must end with nothing allocated. */
int main(void)
{
    bss_mem_init();
    bss_log_set_level(BSS_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compile_and_read), cmocka_unit_test(test_versions_as_of),
        cmocka_unit_test(test_compile_errors),   cmocka_unit_test(test_bundle_prices),
        cmocka_unit_test(test_compile_oom),      cmocka_unit_test(test_holder_race),
        cmocka_unit_test(test_markets),          cmocka_unit_test(test_market_errors),
        cmocka_unit_test(test_market_focus),     cmocka_unit_test(test_market_parse),
        cmocka_unit_test(test_split_tax),
    };
    int failed = cmocka_run_group_tests_name("compile", tests, NULL, NULL);
    DBTEST_RUN(failed, STORE_TESTS, dbtest_setup_sqlite, dbtest_setup_pg);
    assert_int_equal(bss_mem_used(), 0);
    return failed;
}
